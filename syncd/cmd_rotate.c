/*
 * cmd_rotate: `syncd audit rotate [-c FILE]`, the supported way to rotate
 * the audit log (logrotate's postrotate, cron, an operator).
 *
 * It never touches a log another process appends to.  It takes the state
 * directory's lock (syncd/lockfile):
 *   - free: no syncd runs; it opens the log as the daemon would (the head
 *     kept in the state is checked, a torn line recorded) and rotates it;
 *   - held by the daemon: it sends it SIGUSR1, and the daemon rotates
 *     between two cycles; it waits (up to CMD_ROTATE_WAIT_S) until the log
 *     at the configured path is a new file;
 *   - held by a --once run or another rotation: it waits for the lock.
 * The old file becomes "<audit_log>-<UTC time>"; the new file's first line
 * (audit.rotated) names it and its head, so the chain goes on.
 *
 * Exit status: 0 rotated (or nothing to rotate: an empty log); 64 usage;
 * 65 the log's chain is broken (nothing rotated); 69 the lock's holder
 * could not be identified; 74 an I/O error; 75 the daemon did not rotate
 * within the wait (it may still); 77 the daemon cannot be signalled; 78 bad
 * configuration.
 */
#include "syncd/cmd_rotate.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "syncd/audit.h"
#include "syncd/config.h"
#include "syncd/lockfile.h"

#define CMD_ROTATE_WAIT_S	120	/* seconds to wait for the daemon or the lock */

static int
usage(void)
{
	fputs("usage: syncd audit rotate [-c FILE]\n", stderr);
	return EX_USAGE;
}

/*
 * own_like_state_dir(cfg, head): root (logrotate) rotating for a stopped
 * daemon leaves the files it made to the state directory's owner, the
 * daemon's user, or the daemon could not open its own log.
 */
static void
own_like_state_dir(const struct config *cfg, const char *head)
{
	struct stat st;

	if (geteuid() != 0 || stat(cfg->state_dir, &st) == -1 || st.st_uid == 0)
		return;
	if (lchown(cfg->audit_log, st.st_uid, st.st_gid) == -1 ||
	    lchown(head, st.st_uid, st.st_gid) == -1)
		fprintf(stderr, "syncd: audit rotate: warning: cannot give %s or %s to "
		    "uid %ld: %s\n", cfg->audit_log, head, (long)st.st_uid, strerror(errno));
}

/* rotate_here(cfg): no syncd runs (we hold the lock): rotate ourselves. */
static int
rotate_here(const struct config *cfg)
{
	char head[4096], archive[512];
	struct audit_opts o;
	struct audit *a;
	struct err e;
	uint64_t seq;
	int rc;

	err_init(&e);
	snprintf(head, sizeof(head), "%s/%s", cfg->state_dir, AUDIT_HEAD_FILE);
	memset(&o, 0, sizeof(o));
	o.head_file = head;
	if ((a = audit_open_with(cfg->audit_log, &o, &e)) == NULL) {
		fprintf(stderr, "syncd: audit rotate: %s\n", e.msg);
		return e.code == ERR_DATA ? EX_DATAERR : EX_IOERR;
	}
	rc = audit_rotate(a, "command", archive, sizeof(archive), &e);
	audit_head(a, &seq, NULL);
	audit_close(a);
	own_like_state_dir(cfg, head);
	if (rc != 0) {
		fprintf(stderr, "syncd: audit rotate: %s\n", e.msg);
		return EX_IOERR;
	}
	if (archive[0] == '\0')
		printf("nothing to rotate: %s holds one line (a new segment)\n",
		    cfg->audit_log);
	else
		printf("rotated: %s is now %s; the chain goes on at seq %llu in %s\n",
		    cfg->audit_log, archive, (unsigned long long)seq, cfg->audit_log);
	return 0;
}

/* rotate_daemon(cfg, pid): have the running daemon rotate, and wait. */
static int
rotate_daemon(const struct config *cfg, pid_t pid)
{
	struct stat before, now;
	int had, i;

	had = stat(cfg->audit_log, &before) == 0;
	if (kill(pid, SIGUSR1) == -1) {
		fprintf(stderr, "syncd: audit rotate: cannot signal syncd (PID %ld): %s\n",
		    (long)pid, strerror(errno));
		return errno == EPERM ? EX_NOPERM : EX_UNAVAILABLE;
	}
	for (i = 0; i < 5 * CMD_ROTATE_WAIT_S; i++) {
		if (stat(cfg->audit_log, &now) == 0 && now.st_size > 0 &&
		    (!had || now.st_ino != before.st_ino || now.st_dev != before.st_dev)) {
			printf("rotated: syncd (PID %ld) goes on in a new %s\n", (long)pid,
			    cfg->audit_log);
			return 0;
		}
		usleep(200 * 1000);
	}
	fprintf(stderr, "syncd: audit rotate: signalled syncd (PID %ld), but %s was not "
	    "rotated within %d s; it rotates between cycles: see its journal\n",
	    (long)pid, cfg->audit_log, CMD_ROTATE_WAIT_S);
	return EX_TEMPFAIL;
}

int
cmd_rotate_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CONFIG_DEFAULT_PATH;
	struct lockfile_holder h;
	struct config *cfg;
	struct err e;
	int ch, fd, rc, i;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		if (ch != 'c')
			return usage();
		path = optarg;
	}
	if (optind != argc)
		return usage();
	err_init(&e);
	if ((cfg = config_load(path, 0, &e)) == NULL) {
		fprintf(stderr, "syncd: %s\n", e.msg);
		return e.code == ERR_NOMEM ? EX_OSERR : EX_CONFIG;
	}
	for (i = 0;; i++) {
		err_init(&e);
		fd = lockfile_take(cfg->state_dir, "rotate", &h, &e);
		if (fd != -1 || !h.held || strcmp(h.role, "daemon") == 0 ||
		    i >= CMD_ROTATE_WAIT_S)
			break;
		sleep(1);	/* a --once run or another rotation: it ends soon */
	}
	if (fd >= 0) {
		rc = rotate_here(cfg);
		close(fd);
	} else if (h.held && h.pid > 0 && strcmp(h.role, "daemon") == 0) {
		rc = rotate_daemon(cfg, h.pid);
	} else {
		fprintf(stderr, "syncd: audit rotate: %s\n", e.msg);
		rc = h.held ? EX_UNAVAILABLE : EX_IOERR;
	}
	config_free(cfg);
	return rc;
}
