/*
 * cmd_run: `syncd [-c FILE] [--once] [--today YYYY-MM-DD | --now
 * YYYY-MM-DDTHH:MM]` and
 * `syncd -t [-c FILE]`.  It parses the command line, loads and validates the
 * configuration (which needs spreadsheet_id and key_file), and then either
 * says the configuration is valid (-t, which also loads the key when it is
 * there) or hands over to daemon_run().  Both refuse the shipped placeholder
 * spreadsheet_id, and -t under systemd refuses a missing key.
 * Exit status: 0, 64 usage, 78 bad configuration, 69 another syncd holds the
 * state directory (syncd/lockfile), or the daemon's.
 */
#include "syncd/cmd_run.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "auth/key.h"
#include "syncd/cmdline.h"
#include "syncd/config.h"
#include "syncd/cycle.h"
#include "syncd/daemon.h"
#include "syncd/rollup.h"
#include "syncd/session.h"
#include "syncd/lockfile.h"
#include "syncd/line.h"
#include "syncd/mail.h"
#include "syncd/today.h"

/*
 * The shipped configurations name no spreadsheet: their spreadsheet_id
 * starts with this, and syncd refuses to run (or pass -t) until it is set.
 */
#define CMD_RUN_PLACEHOLDER	"REPLACE-WITH-"
/*
 * What the units hand over (SetCredential=) when no key file is at their
 * LoadCredential= path, so -t can say so instead of systemd's bare failure.
 */
#define CMD_RUN_NO_KEY		"SYNCD-NO-KEY"
/* A daemon waits this long for a --once run or an offline rotation that
 * holds the lock to end; another daemon is refused at once. */
#define RUN_LOCK_WAIT_S 60

static int
usage(FILE *f)
{
	fputs("usage: syncd [-c FILE] [--once] [--today YYYY-MM-DD | --now YYYY-MM-DDTHH:MM]\n"
	    "       syncd -t [-c FILE]\n", f);
	return EX_USAGE;
}

/*
 * placeholder(cfg): refuses a configuration whose spreadsheet_id is still the
 * shipped placeholder, so an installed but unconfigured syncd never starts.
 * Returns 0, or EX_CONFIG after a message naming the file and the key.
 */
static int
placeholder(const struct config *cfg, const char *path)
{
	if (strncmp(cfg->spreadsheet_id, CMD_RUN_PLACEHOLDER,
	    strlen(CMD_RUN_PLACEHOLDER)) != 0)
		return 0;
	fprintf(stderr, "syncd: %s: spreadsheet_id is still the placeholder \"%s\": "
	    "set it to the id in the spreadsheet's URL "
	    "(docs.google.com/spreadsheets/d/<id>/edit), then syncd -t -c %s\n",
	    path, cfg->spreadsheet_id, path);
	return EX_CONFIG;
}

/*
 * no_key_marker(path): 1 when the credential at path is the units' marker
 * CMD_RUN_NO_KEY (systemd found no key file to load), else 0.
 */
static int
no_key_marker(const char *path)
{
	char buf[sizeof(CMD_RUN_NO_KEY) + 1];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n == (ssize_t)strlen(CMD_RUN_NO_KEY) &&
	    memcmp(buf, CMD_RUN_NO_KEY, (size_t)n) == 0;
}

/*
 * test_verdict(e, needs): -t's word on a file the daemon will need and -t
 * could not take (the key, the LINE token, the mail password), after e.
 * One that is not there (ERR_NOINPUT) is only a note saying what needs
 * it: -t checks the configuration, and the file may be put in place later.
 * Returns 0 then; else EX_CONFIG (EX_OSERR for memory) after the message.
 */
static int
test_verdict(const struct err *e, const char *needs)
{
	if (e->code == ERR_NOINPUT) {
		fprintf(stderr, "syncd: note: %s (%s)\n", e->msg, needs);
		return 0;
	}
	fprintf(stderr, "syncd: %s\n", e->msg);
	return e->code == ERR_NOMEM ? EX_OSERR : EX_CONFIG;
}

/*
 * test_key(cfg): -t also loads the key the daemon would load (the systemd
 * credential SESSION_CREDENTIAL when $CREDENTIALS_DIRECTORY holds it, else
 * key_file), so a key that others can read, or that is not a service-account
 * key, is refused before the daemon starts.  A key that is not there, or not
 * readable by whoever runs -t (an admin checking a file as themselves), is
 * only a note: -t checks the configuration, and the key may be put in place
 * later.  Returns 0, or EX_CONFIG (EX_OSERR for memory) after a message.
 */
static int
test_key(const struct config *cfg)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	struct auth_key *key;
	char path[4096];
	struct stat st;
	struct err e;

	if (dir != NULL && *dir != '\0' &&
	    snprintf(path, sizeof(path), "%s/%s", dir, SESSION_CREDENTIAL) < (int)sizeof(path) &&
	    stat(path, &st) == 0 && no_key_marker(path)) {
		fprintf(stderr, "syncd: no service-account key: systemd found "
		    "no file at the unit's LoadCredential= path for %s "
		    "(systemctl cat shows it); put the key there, mode 0600, "
		    "owner root, and start again\n", SESSION_CREDENTIAL);
		return EX_CONFIG;
	}
	err_init(&e);
	if ((key = session_load_key(cfg, &e)) != NULL) {
		auth_key_free(key);
		return 0;
	}
	return test_verdict(&e, "the daemon needs the key to run");
}

/*
 * take_lock(cfg, once, h): the state directory's single-instance lock
 * (syncd/lockfile).  Returns its descriptor, or -1 after a message: naming
 * the holder when another syncd runs on this state directory (h->held; the
 * caller exits 69, EX_UNAVAILABLE, which the unit's RestartPreventExitStatus
 * lists: a restart would only be refused again), else a system error.
 */
static int
take_lock(const struct config *cfg, int once, struct lockfile_holder *h)
{
	struct err e;
	int fd, waited = 0;

	/* Once our PID is in the lock, `syncd audit rotate` may send SIGUSR1:
	 * until the daemon's handler is in place it must not kill us. */
	signal(SIGUSR1, SIG_IGN);
	for (;;) {
		err_init(&e);
		fd = lockfile_take(cfg->state_dir, once ? "once" : "daemon", h, &e);
		if (fd != -1 || !h->held || once || strcmp(h->role, "daemon") == 0 ||
		    waited >= RUN_LOCK_WAIT_S)
			break;
		if (waited == 0)
			fprintf(stderr, "<4>syncd: %s; waiting up to %d s for it to end\n",
			    e.msg, RUN_LOCK_WAIT_S);
		sleep(1);
		waited++;
	}
	if (fd == -1 && h->held)
		fprintf(stderr, "<3>syncd: %s; not starting\n", e.msg);
	else if (fd == -1)
		fprintf(stderr, "<3>syncd: %s\n", e.msg);
	return fd;
}

/*
 * test_line_token(cfg): with a report group, -t reads the LINE channel
 * access token as the daemon would (the credential LINE_CREDENTIAL, else
 * report.line_token_file): a token file that group or others can read, or
 * that is not one line of token, is refused (78, naming the key); one that
 * is not there is only a note, as for the key.  The token is never printed.
 */
static int
test_line_token(const struct config *cfg)
{
	struct err e;
	char *t;

	if (!cfg->report_on)
		return 0;
	err_init(&e);
	if ((t = line_token_load(cfg->report_line_token_file, &e)) != NULL) {
		line_token_free(t);
		return 0;
	}
	return test_verdict(&e, "the daily report needs the token");
}

/*
 * test_mail_password(cfg): -t checks mail.password_file as the key: one
 * group or others can read is refused (exit 78); a missing one is a note.
 */
static int
test_mail_password(const struct config *cfg)
{
	struct err e;

	if (!cfg->mail.enabled || cfg->mail.password_file[0] == '\0')
		return 0;
	err_init(&e);
	if (mail_check_password_file(cfg->mail.password_file, &e) == 0)
		return 0;
	return test_verdict(&e, "the e-mail needs it");
}

/*
 * test_config(cfg, path): the rest of `syncd -t` once the file itself is
 * valid: the key, the LINE token and the mail password as the daemon would
 * take them, then "configuration PATH is valid" on stdout.  Returns the
 * exit status.
 */
static int
test_config(const struct config *cfg, const char *path)
{
	int rc = test_key(cfg);

	if (rc == 0)
		rc = test_line_token(cfg);
	if (rc == 0)
		rc = test_mail_password(cfg);
	if (rc != 0)
		return rc;
	printf("configuration %s is valid\n", path);
	return fflush(stdout) == EOF ? EX_IOERR : 0;
}

/* What -t and --once say (run_option's ctx). */
struct run_flags {
	int test;
	int once;
};

/* run_option: -t/--test or --once. */
static int
run_option(void *ctx, int val, const char *arg)
{
	struct run_flags *fl = ctx;

	(void)arg;
	if (val == 't')
		fl->test = 1;
	else
		fl->once = 1;
	return 0;
}

int
cmd_run_main(int argc, char **argv)
{
	static const struct cmdline_option own[] = {
		{ "once", 0, CMDLINE_OPT },
		{ "test", 0, 't' },
		{ NULL, 0, 0 },
	};
	struct run_flags fl = { 0, 0 };
	const struct cmdline_spec spec = { "syncd", CMDLINE_TODAY | CMDLINE_NOW, own,
	    run_option, &fl, usage };
	struct lockfile_holder holder;
	struct run_options opt;
	struct cmdline cl;
	struct config *cfg;
	struct err e;
	int rc, lock;

	if (cmdline_parse(&cl, &spec, argc, argv, &rc) == -1)
		return rc;
	memset(&opt, 0, sizeof(opt));
	opt.config_path = cl.config != NULL ? cl.config : CONFIG_DEFAULT_PATH;
	opt.once = fl.once;
	opt.clock = cl.clock;
	err_init(&e);
	if ((cfg = config_load(opt.config_path, 0, &e)) == NULL) {
		fprintf(stderr, "syncd: %s\n", e.msg);
		return e.code == ERR_NOMEM ? EX_OSERR : EX_CONFIG;
	}
	if ((rc = placeholder(cfg, opt.config_path)) != 0) {
		config_free(cfg);
		return rc;
	}
	if (fl.test) {
		rc = test_config(cfg, opt.config_path);
		config_free(cfg);
		return rc;
	}
	if ((lock = take_lock(cfg, opt.once, &holder)) == -1) {
		config_free(cfg);
		return holder.held ? EX_UNAVAILABLE : EX_IOERR;
	}
	rc = cfg->nrollup > 0 ? rollup_run(cfg, opt.once) : daemon_run(cfg, &opt);
	close(lock);
	config_free(cfg);
	return rc;
}
