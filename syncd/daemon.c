/*
 * daemon: syncd's main loop (see daemon.h): one cycle (syncd/cycle) per
 * poll_interval until SIGTERM, or one with --once.
 *
 * --once and the daemon run the same code in this one process: cycle_auth
 * until a first token, then cycle_run once or every poll_interval.  The
 * cycle's clients (and libcurl's handles with their connections) live from
 * cycle to cycle, so idle cycles reuse one TLS connection.  After a cycle
 * the daemon hands the cycle's freed memory back to the system
 * (malloc_trim, with a fixed mmap threshold), so it rests small; each cycle
 * runs on a short-lived thread of its own for that (run_cycle).
 *
 * Signal handlers only set flags; the loop reads them between cycles and
 * while it sleeps.  It sleeps in slices of at most a second, so a signal is
 * seen at once and WATCHDOG=1 goes out at half of $WATCHDOG_USEC from this
 * loop itself (a hung cycle trips systemd's watchdog).  SIGHUP re-reads the
 * same configuration file: a bad one is logged with its file:line and the
 * old one kept.  SIGUSR1 (sent by `syncd audit rotate`) rotates the audit
 * log between cycles.  Logging is here, one line per failed step, on standard
 * error with the syslog priority prefix journald understands ("<3>" error,
 * "<4>" warning, "<6>" info).  Tokens and keys never reach a log line: the
 * modules below never put them in an error.
 */
#include "syncd/daemon.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "syncd/audit.h"
#include "syncd/cycle.h"
#include "syncd/http.h"
#include "syncd/metrics.h"
#include "syncd/monotime.h"
#include "syncd/notify.h"

#define LOG_CRIT_P	2
#define LOG_ERR_P	3
#define LOG_WARNING_P	4
#define LOG_INFO_P	6
#define DAEMON_LOG_MAX	1024	/* bytes of one log line */
#define DAEMON_SLICE_MS	1000	/* longest single sleep */
#define DAEMON_MMAP_THRESHOLD	(256 * 1024)	/* bytes: larger blocks are mmapped */

static volatile sig_atomic_t got_hup;
static volatile sig_atomic_t got_term;
static volatile sig_atomic_t got_usr1;	/* `syncd audit rotate` */

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

static void log_line(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One line, written with one call so lines from one process never mix. */
static void
log_line(int prio, const char *fmt, ...)
{
	char buf[DAEMON_LOG_MAX];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "<%d>syncd: ", prio);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(buf);	/* room for the newline kept by the - 1 above */
	buf[n] = '\n';
	buf[n + 1] = '\0';
	fputs(buf, stderr);
}

/* The watchdog: WATCHDOG=1 at half the interval systemd asked for. */
struct watchdog {
	double every;	/* seconds between pings, 0: none */
	double last;
};

static void
watchdog_ping(void *ctx)
{
	struct watchdog *w = ctx;
	double now;

	if (w->every <= 0)
		return;
	now = monotime_now();
	if (now - w->last >= w->every) {
		notify_send("WATCHDOG=1");
		w->last = now;
	}
}

/* Sleep until the monotonic time `until`, or a signal. */
static void
sleep_until(double until, struct watchdog *w)
{
	struct timespec ts;
	double left, slice;

	while (!got_term && !got_hup && !got_usr1 && (left = until - monotime_now()) > 0) {
		slice = left < DAEMON_SLICE_MS / 1000.0 ? left : DAEMON_SLICE_MS / 1000.0;
		if (w->every > 0 && slice > w->every)
			slice = w->every;
		ts.tv_sec = (time_t)slice;
		ts.tv_nsec = (long)((slice - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);	/* EINTR: a signal; the loop looks */
		watchdog_ping(w);
	}
}

static int
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: a sleep ends at the signal */
	if (sigaction(SIGHUP, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGUSR1, &sa, NULL) == -1)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

static void
status_line(const struct cycle *c, const struct cycle_result *res, int ok, long poll)
{
	char line[NOTIFY_MSG_MAX], st[2 * NOTIFY_MSG_MAX];
	int n;

	metrics_status_line(cycle_metrics(c), line, sizeof(line));
	if (ok)
		n = snprintf(st, sizeof(st), "%s; %s; next poll %lds", line,
		    res->idle ? "idle" : res->wrote ? "wrote the summary" : "no change to write",
		    poll);
	else
		n = snprintf(st, sizeof(st), "%s; last cycle failed at %s; next poll %lds",
		    line, res->step != NULL ? res->step : "?", poll);
	if (n > 0)
		notify_status(st);	/* cut to NOTIFY_MSG_MAX there */
}

/*
 * log_report(res): what the daily LINE report step did, once: a failure at
 * error priority (the step records it and does not try that day again), a
 * skip or a push still unanswered as a warning.
 */
static void
log_report(const struct cycle_result *res)
{
	if (strcmp(res->report, "sent") == 0)
		log_line(LOG_INFO_P, "LINE report %s sent%s%s", res->report_day,
		    res->report_msg[0] != '\0' ? "; " : "", res->report_msg);
	else if (strcmp(res->report, "failed") == 0)
		log_line(LOG_ERR_P, "LINE report %s failed, not retried: %s", res->report_day,
		    res->report_msg);
	else if (strcmp(res->report, "skipped") == 0)
		log_line(LOG_WARNING_P, "LINE report %s skipped: %s", res->report_day,
		    res->report_msg);
	else if (strcmp(res->report, "pending") == 0)
		log_line(LOG_WARNING_P, "LINE report %s: %s", res->report_day, res->report_msg);
	else
		log_line(LOG_ERR_P, "LINE report: %s", res->report_msg);
}

/*
 * log_cycle(rc, res, e, once): what a cycle that did not stop the daemon
 * says in the journal: its failure, or its figures (an idle cycle's only
 * under --once), another writer seen or gone, the LINE report's outcome.
 */
static void
log_cycle(int rc, const struct cycle_result *res, const struct err *e, int once)
{
	if (rc != 0)
		log_line(LOG_ERR_P, "cycle failed at %s: %s", res->step, e->msg);
	else if (!res->idle)
		log_line(LOG_INFO_P, "cycle: %ld households, %ld errors, %ld warnings, "
		    "%llu requests, %llu bytes in, %llu out, %s, %ld ms (parse %.3f s, "
		    "evaluate %.3f s)", res->households,
		    res->errors, res->warnings, (unsigned long long)res->requests,
		    (unsigned long long)res->bytes_in, (unsigned long long)res->bytes_out,
		    res->wrote ? "wrote the summary" : "nothing to write",
		    res->duration_ms, res->parse_s, res->evaluate_s);
	if (rc == 0 && res->conflict_new)
		log_line(LOG_ERR_P, "another syncd writes this spreadsheet and "
		    "evaluates it differently (the summary changed under us: its "
		    "audit head %s is not in our log): writing nothing until it "
		    "stops (writer.conflict in the audit log); stop one of the two",
		    res->other_writer);
	else if (rc == 0 && res->conflict_cleared)
		log_line(LOG_WARNING_P, "the other syncd no longer writes this "
		    "spreadsheet (its head %s unchanged since the sheet changed): "
		    "writing again", res->other_writer);
	if (rc == 0 && res->idle && once)	/* a daemon's idle cycles are not logged */
		log_line(LOG_INFO_P, "cycle: idle (spreadsheet unchanged), "
		    "%llu requests, %llu bytes in, %llu out, %ld ms",
		    (unsigned long long)res->requests, (unsigned long long)res->bytes_in,
		    (unsigned long long)res->bytes_out, res->duration_ms);
	if (res->report != NULL)
		log_report(res);
}

/* write_metrics(c, cfg): the metrics file, when configured; a failure is
 * only a warning. */
static void
write_metrics(const struct cycle *c, const struct config *cfg)
{
	struct err me;

	if (cfg->metrics_dir[0] == '\0')
		return;
	err_init(&me);
	if (metrics_write(cycle_metrics(c), cfg->metrics_dir, &me) == -1)
		log_line(LOG_WARNING_P, "metrics: %s", me.msg);
}

/* SIGHUP: re-read the file; keep the old configuration when it is bad.
 * Returns 0, or -1 with e fatal when config.loaded could not be made
 * durable. */
static int
reload(struct cycle *c, const struct run_options *opt, struct config **owned,
    const struct config **cur, struct err *e)
{
	struct config *ncfg;
	int rc;

	notify_send("RELOADING=1");
	if ((ncfg = config_load(opt->config_path, 0, e)) == NULL) {
		log_line(LOG_ERR_P, "reload: %s; keeping the previous configuration", e->msg);
		notify_send("READY=1");
		return 0;
	}
	rc = cycle_reconfigure(c, ncfg, e);
	if (rc != 0 && err_is_fatal(e)) {
		/* The cycle runs under ncfg now; it is freed with the rest. */
		config_free(*owned);
		*owned = ncfg;
		*cur = ncfg;
		return -1;
	}
	if (rc != 0) {
		log_line(LOG_ERR_P, "reload: %s; keeping the previous configuration", e->msg);
		config_free(ncfg);
		notify_send("READY=1");
		return 0;
	}
	config_free(*owned);
	*owned = ncfg;
	*cur = ncfg;
	log_line(LOG_INFO_P, "reloaded %s", ncfg->path);
	notify_send("READY=1");
	return 0;
}

/* A new segment or rotation of the audit log goes to the journal too. */
static int
log_audit_notice(struct cycle *c)
{
	char buf[600];
	int level = cycle_audit_notice(c, buf, sizeof(buf));

	if (level == AUDIT_NOTICE_WARNING)
		log_line(LOG_WARNING_P, "audit log: %s", buf);
	else if (level != 0)
		log_line(LOG_INFO_P, "audit log: %s", buf);
	return level;
}

/*
 * SIGUSR1 (`syncd audit rotate`): rotate the audit log between cycles.
 * Returns 0, or -1 with e fatal when the log could not be made durable.
 */
static int
rotate(struct cycle *c, struct err *e)
{
	char archive[512];
	int rc;

	rc = cycle_audit_rotate(c, archive, sizeof(archive), e);
	if (rc != 0 && err_is_fatal(e))
		return -1;
	if (rc != 0)
		log_line(LOG_ERR_P, "rotate: %s; the audit log goes on where it is", e->msg);
	else if (log_audit_notice(c) == 0)
		log_line(LOG_INFO_P, "rotate: nothing to rotate");
	return 0;
}

/* The audit log or the state lost durability (fsyncgate): exit, systemd restarts us. */
static int
fatal(struct cycle *c, struct config *owned, const struct err *e)
{
	log_line(LOG_CRIT_P, "audit log or state lost durability, exiting so that "
	    "systemd restarts syncd: %s", e->msg);
	notify_send("STOPPING=1");
	notify_status("audit log or state could not be written or synced; exiting");
	cycle_free(c);
	config_free(owned);
	return EX_IOERR;
}

/*
 * A cycle runs on a thread of its own, which this thread joins at once: the
 * process never does two things at a time; the thread is there for glibc's
 * per-thread cache (tcache), which keeps the last chunks a thread freed, up
 * to 7 of each size up to 1 kB, out of malloc_trim's reach.  After a changed
 * cycle at 100,000 households those ~340 chunks lay scattered over a 45 MB
 * heap and kept ~220 pages (0.9 MB) dirty at rest.  A thread's cache goes
 * back to the heap when the thread ends, so the trim after the cycle can
 * hand those pages back too.  One arena (M_ARENA_MAX, in setup) keeps the
 * cycle's memory in the heap the trim works on.  The signals still reach
 * the cycle as they did: blocked here, unblocked on the cycle's thread.
 */
struct cycle_call {
	struct cycle *c;		/* borrowed */
	struct cycle_result *res;	/* borrowed */
	struct err *e;			/* borrowed */
	sigset_t mask;			/* the signal mask to run the cycle under */
	int rc;
};

static void *
cycle_thread(void *arg)
{
	struct cycle_call *cc = arg;

	(void)pthread_sigmask(SIG_SETMASK, &cc->mask, NULL);
	cc->rc = cycle_run(cc->c, cc->res, cc->e);
	return NULL;
}

/*
 * run_cycle(c, res, e): cycle_run(c, res, e) on a thread of its own (see
 * above), or on this one when no thread can be made.  Returns what
 * cycle_run returns.
 */
static int
run_cycle(struct cycle *c, struct cycle_result *res, struct err *e)
{
	struct cycle_call cc;
	sigset_t block;
	pthread_t t;

	cc.c = c;
	cc.res = res;
	cc.e = e;
	cc.rc = -1;
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	if (pthread_sigmask(SIG_BLOCK, &block, &cc.mask) != 0)
		return cycle_run(c, res, e);
	if (pthread_create(&t, NULL, cycle_thread, &cc) != 0) {
		(void)pthread_sigmask(SIG_SETMASK, &cc.mask, NULL);
		return cycle_run(c, res, e);
	}
	(void)pthread_join(t, NULL);
	(void)pthread_sigmask(SIG_SETMASK, &cc.mask, NULL);
	return cc.rc;
}

/*
 * setup(opt, wd, co): what the process runs under (the allocator's mmap
 * threshold, the signals), the watchdog (wd) and the cycles' options (co,
 * which borrows wd).  Returns 0, or -1 (errno set) when the signal handlers
 * cannot be installed.
 */
static int
setup(const struct run_options *opt, struct watchdog *wd, struct cycle_opts *co)
{
	/*
	 * A fixed mmap threshold: every large block of a cycle (the sheet's
	 * text, the workbook's arena, the write request) is its own mapping,
	 * given back when freed.  glibc's default raises the threshold to the
	 * size of a freed mapping (up to 32 MB), after which a second cycle's
	 * 56 MB workbook would go to the heap and fragment it.
	 */
	mallopt(M_MMAP_THRESHOLD, DAEMON_MMAP_THRESHOLD);
	mallopt(M_ARENA_MAX, 1);	/* the cycle's thread too (run_cycle) */
	got_hup = got_term = got_usr1 = 0;
	if (install_signals() == -1)
		return -1;
	memset(wd, 0, sizeof(*wd));
	wd->every = (double)notify_watchdog_usec() / 2e6;
	wd->last = monotime_now();
	memset(co, 0, sizeof(*co));
	co->clock = opt->clock;
	co->stop = &got_term;
	co->keepalive = watchdog_ping;
	co->keepalive_ctx = wd;
	return 0;
}

int
daemon_run(const struct config *cfg, const struct run_options *opt)
{
	struct cycle_opts co;
	struct cycle_result res;
	struct watchdog wd;
	struct config *owned = NULL;	/* a configuration loaded by a reload */
	const struct config *cur = cfg;
	struct cycle *c;
	struct err e;
	double start;
	int rc, status = 0, ready = 0;

	if (setup(opt, &wd, &co) == -1) {
		log_line(LOG_ERR_P, "cannot install signal handlers: %s", strerror(errno));
		return EX_OSERR;
	}
	err_init(&e);
	if (http_global_init(&e) == -1 || (c = cycle_new(cur, &co, &e)) == NULL) {
		log_line(LOG_ERR_P, "start: %s", e.msg);
		notify_status(e.msg);
		return e.code == ERR_DATA ? EX_DATAERR : e.code == ERR_IO ? EX_IOERR :
		    cycle_exit_status(&e);
	}
	log_line(LOG_INFO_P, "started: spreadsheet %s, configuration %s", cur->spreadsheet_id,
	    cur->path);
	(void)log_audit_notice(c);

	for (;;) {
		start = monotime_now();
		if (got_term)
			break;
		if (got_hup) {
			got_hup = 0;
			err_init(&e);
			if (reload(c, opt, &owned, &cur, &e) != 0)
				return fatal(c, owned, &e);
		}
		if (got_usr1) {
			got_usr1 = 0;
			err_init(&e);
			if (rotate(c, &e) != 0)
				return fatal(c, owned, &e);
		}
		if (!ready) {
			/* READY=1 only once config, key and a first token are good. */
			err_init(&e);
			rc = cycle_auth(c, &e);
			if (rc != 0 && err_is_fatal(&e))
				return fatal(c, owned, &e);
			if (rc == -1) {
				log_line(LOG_ERR_P, "token: %s", e.msg);
				notify_status(e.msg);
				if (opt->once) {
					status = cycle_exit_status(&e);
					break;
				}
				sleep_until(start + (double)cur->poll_interval, &wd);
				continue;
			}
			ready = 1;
			notify_send("READY=1");
		}
		err_init(&e);
		rc = run_cycle(c, &res, &e);
		watchdog_ping(&wd);
		(void)log_audit_notice(c);
		if (rc != 0 && err_is_fatal(&e))
			return fatal(c, owned, &e);
		log_cycle(rc, &res, &e, opt->once);
		status_line(c, &res, rc == 0, cur->poll_interval);
		write_metrics(c, cur);
		if (opt->once) {
			status = rc == 0 ? 0 : cycle_exit_status(&e);
			break;
		}
		/* A changed cycle of 100,000 households peaks near 80 MB, all of
		 * it freed by now; glibc would keep much of it mapped for the next
		 * one.  Hand it back: the daemon rests at its small size. */
		malloc_trim(0);
		sleep_until(start + (double)cur->poll_interval, &wd);
	}
	if (got_term) {
		notify_send("STOPPING=1");
		log_line(LOG_INFO_P, "stopping");
	}
	cycle_free(c);
	config_free(owned);
	return status;
}
