/*
 * harness: what the Check suites that talk to the emulator share: a scratch
 * directory with the test PKI (tests/pki.sh), $BUILD/fakesheets started on a
 * free loopback port with a chosen certificate, the test key pointed at that
 * emulator, the emulator's control endpoints, and a pretend clock for the
 * retry policy.
 *
 * Header-only (static inline) because the Makefile links each tests/check_*.c
 * alone with the library.  Test code: on a setup failure it says why on
 * stderr and returns -1; it never holds a real credential.
 */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "auth/err.h"
#include "auth/key.h"
#include "syncd/http.h"

#define HARNESS_PATH	512

/* One emulator process and where it listens. */
struct harness_fake {
	pid_t pid;
	char url[128];		/* "https://127.0.0.1:PORT" */
	FILE *out;		/* its standard output, kept open */
};

/*
 * A pretend clock for struct retry_env (pass it as env.ctx): harness_sleep
 * only adds to slept, harness_now is the monotonic clock plus all that was
 * "slept", so backoff and Retry-After are honoured without real waiting.
 */
struct harness_clock {
	double slept;		/* seconds asked of harness_sleep so far */
	int nsleeps;		/* calls to harness_sleep so far */
};

static inline int
harness_sleep(void *ctx, double s)
{
	struct harness_clock *c = ctx;

	c->slept += s;
	c->nsleeps++;
	return 0;
}

static inline double
harness_now(void *ctx)
{
	const struct harness_clock *c = ctx;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + c->slept;
}

/* harness_build(): $BUILD, or "build". */
static inline const char *
harness_build(void)
{
	const char *b = getenv("BUILD");

	return b != NULL && b[0] != '\0' ? b : "build";
}

/* harness_run(argv): run argv with stdout to /dev/null; 0 when it exits 0. */
static inline int
harness_run(char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			close(fd);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* harness_write_file(path, text): write text to path; -1 on failure. */
static inline int
harness_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	if (fputs(text, f) < 0) {
		fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

/*
 * harness_dir(dir, size, name): make a fresh scratch directory (under
 * $TMPDIR) holding the test PKI.  Returns 0, or -1 (dir[0] may still be set:
 * remove it with harness_rmtree).
 */
static inline int
harness_dir(char *dir, size_t size, const char *name)
{
	const char *tmp = getenv("TMPDIR");
	char *argv[] = { "/bin/sh", "tests/pki.sh", dir, NULL };

	snprintf(dir, size, "%s/%s.XXXXXX", tmp != NULL ? tmp : "/tmp", name);
	if (mkdtemp(dir) == NULL) {
		dir[0] = '\0';
		return -1;
	}
	if (harness_run(argv) < 0) {
		fprintf(stderr, "%s: tests/pki.sh failed\n", name);
		return -1;
	}
	return 0;
}

static inline int
harness_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(p);
}

/* harness_rmtree(dir): remove dir and everything in it (no-op for ""). */
static inline void
harness_rmtree(const char *dir)
{
	if (dir[0] != '\0')
		nftw(dir, harness_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * harness_fake_start(f, dir, cert, workbook): start $BUILD/fakesheets over
 * HTTPS with DIR/CERT.pem and DIR/CERT.key ("server", "expired", ...) and
 * the workbook file (NULL: none).  Returns 0 with f filled, or -1.
 */
static inline int
harness_fake_start(struct harness_fake *f, const char *dir, const char *cert,
    const char *workbook)
{
	char bin[HARNESS_PATH], sa[HARNESS_PATH], pem[HARNESS_PATH], key[HARNESS_PATH];
	char line[200];
	int pfd[2];

	memset(f, 0, sizeof(*f));
	f->pid = -1;
	snprintf(bin, sizeof(bin), "%s/fakesheets", harness_build());
	snprintf(sa, sizeof(sa), "%s/service-account.json", dir);
	snprintf(pem, sizeof(pem), "%s/%s.pem", dir, cert);
	snprintf(key, sizeof(key), "%s/%s.key", dir, cert);
	if (access(bin, X_OK) != 0) {
		fprintf(stderr, "%s is missing (make all first)\n", bin);
		return -1;
	}
	if (pipe(pfd) < 0)
		return -1;
	f->pid = fork();
	if (f->pid < 0)
		return -1;
	if (f->pid == 0) {
		char *argv[14];
		int n = 0;

		argv[n++] = bin;
		if (workbook != NULL) {
			argv[n++] = "--workbook";
			argv[n++] = (char *)(uintptr_t)workbook;
		}
		argv[n++] = "--service-account";
		argv[n++] = sa;
		argv[n++] = "--tls-cert";
		argv[n++] = pem;
		argv[n++] = "--tls-key";
		argv[n++] = key;
		argv[n++] = "--port";
		argv[n++] = "0";
		argv[n] = NULL;
		/* Die with the suite, even when it crashes: an orphan would keep
		 * the test runner's output pipe open and hang it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(127);
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execv(bin, argv);
		_exit(127);
	}
	close(pfd[1]);
	f->out = fdopen(pfd[0], "r");
	if (f->out == NULL || fgets(line, sizeof(line), f->out) == NULL ||
	    strncmp(line, "listening on ", 13) != 0) {
		fprintf(stderr, "fakesheets did not start (%s)\n", cert);
		return -1;
	}
	line[strcspn(line, "\r\n")] = '\0';
	if (strlen(line + 13) >= sizeof(f->url))
		return -1;
	memcpy(f->url, line + 13, strlen(line + 13) + 1);
	return 0;
}

/* harness_fake_stop(f): stop the emulator and reap it.  Safe twice. */
static inline void
harness_fake_stop(struct harness_fake *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
		f->pid = -1;
	}
	if (f->out != NULL) {
		fclose(f->out);
		f->out = NULL;
	}
}

/*
 * harness_key(dir, url): the key pki.sh made, its token_uri pointed at
 * URL/token.  Returns an owned key (auth_key_free) or NULL.
 */
static inline struct auth_key *
harness_key(const char *dir, const char *url)
{
	char path[HARNESS_PATH], turl[HARNESS_PATH], *text;
	json_t *j;
	json_error_t je;
	struct err e;
	struct auth_key *k;

	snprintf(path, sizeof(path), "%s/service-account.json", dir);
	j = json_load_file(path, 0, &je);
	if (j == NULL)
		return NULL;
	snprintf(turl, sizeof(turl), "%s/token", url);
	json_object_set_new(j, "token_uri", json_string(turl));
	text = json_dumps(j, 0);
	json_decref(j);
	if (text == NULL)
		return NULL;
	err_init(&e);
	k = auth_key_parse(text, strlen(text), "test key", &e);
	if (k == NULL)
		fprintf(stderr, "test key: %s\n", e.msg);
	free(text);
	return k;
}

/*
 * harness_control(h, url, method, path, body, out): a call to the emulator's
 * control endpoint PATH (no token).  Returns the HTTP status (0 on a
 * transport failure); *out (may be NULL) receives the owned body.
 */
static inline long
harness_control(struct http *h, const char *url, const char *method, const char *path,
    const char *body, char **out)
{
	struct http_request rq;
	struct http_response rs;
	struct err e;
	char u[HARNESS_PATH];
	long status;

	if (out != NULL)
		*out = NULL;
	snprintf(u, sizeof(u), "%s%s", url, path);
	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.url = u;
	rq.body = body;
	rq.body_len = body != NULL ? strlen(body) : 0;
	rq.max_body = HTTP_MAX_BODY_LARGE;
	err_init(&e);
	if (http_do(h, &rq, &rs, &e) < 0) {
		fprintf(stderr, "%s %s: %s\n", method, path, e.msg);
		http_response_fini(&rs);
		return 0;
	}
	status = rs.status;
	if (out != NULL) {
		*out = rs.body;
		rs.body = NULL;
	}
	http_response_fini(&rs);
	return status;
}

#endif
