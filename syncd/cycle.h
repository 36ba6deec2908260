/*
 * cycle: one synchronisation cycle of the daemon (DESIGN.md "The shape"),
 * and the long-lived pieces a cycle needs (key, token cache, HTTP client,
 * Sheets client, audit log, state, tab cache, metrics).
 *
 * A cycle asks Drive for the spreadsheet's version; when neither the version
 * nor the basis (syncd's version, the configuration's SHA-256, today) moved
 * since the last saved cycle, it is idle: no Sheets request and no audit
 * line.  Otherwise it reads every district tab and syncd's own two tabs in
 * ONE values:batchGet, evaluates the rules, appends the audit events
 * (cell.changed, discrepancy.opened/resolved, summary.written, cycle),
 * fdatasyncs them, and only then writes the summary and discrepancy tabs in
 * ONE atomic batchUpdate, and only when their values differ from the sheet.
 * It never writes a district tab.  It does not log: it returns the failed
 * step and a one-line error, and the daemon logs them.
 */
#ifndef SYNCD_CYCLE_H
#define SYNCD_CYCLE_H

#include <signal.h>
#include <stdint.h>

#include "auth/err.h"
#include "syncd/config.h"
#include "syncd/metrics.h"
#include "syncd/today.h"

struct cycle_opts {
	/* The clock: --today and --now (today.h).  Each cycle reads it once,
	 * into struct today_now, for the rules' date and the schedules. */
	struct today_clock clock;
	/* Borrowed, may be NULL: when *stop becomes non-zero, retry waits are
	 * abandoned (SIGTERM). */
	volatile sig_atomic_t *stop;
	/* Called about every half second during retry waits (the daemon sends
	 * WATCHDOG=1 from it); may be NULL. */
	void (*keepalive)(void *ctx);
	void *keepalive_ctx;		/* borrowed */
};

/* What one cycle did. */
struct cycle_result {
	int idle;		/* nothing changed: no Sheets request, no audit line */
	int wrote;		/* the summary/discrepancy tabs were written */
	const char *step;	/* on failure: the step that failed (static) */
	uint64_t requests;	/* API requests sent by this cycle, token included */
	uint64_t bytes_in;	/* bytes received (bodies decoded, headers) */
	uint64_t bytes_out;	/* request body bytes sent */
	long households;
	long errors;
	long warnings;
	long duration_ms;
	double parse_s;		/* parsing the batchGet answer (0: no read) */
	double evaluate_s;	/* evaluating the rules (0: no read) */
	/* The daily LINE report's step (syncd/linereport): NULL when it had
	 * nothing to do, else "sent", "failed", "skipped", "pending" (no answer
	 * yet: retried with the same key) or "error" (ours: report.json). */
	const char *report;
	char report_day[16];	/* YYYY-MM-DD */
	char report_msg[1024];	/* why, for failed, skipped, pending, error */
	int conflict;		/* another syncd writes this sheet: nothing written */
	int conflict_new;	/* ... noticed in this cycle (writer.conflict recorded) */
	int conflict_cleared;	/* an earlier conflict is over: writing again */
	char other_writer[128];	/* the audit head it published, when new or cleared */
};

struct cycle;	/* opaque */

/*
 * cycle_new(cfg, o, e): load the key ($CREDENTIALS_DIRECTORY/
 * SESSION_CREDENTIAL when it exists, else cfg->key_file; syncd/session.h),
 * build the HTTP, token and Sheets clients, open the audit log (recovering a torn line),
 * load the state and append config.loaded.  cfg is borrowed until
 * cycle_free or until a cycle_reconfigure replaces it; o is copied.
 * Returns an owned cycle, or NULL with e set (ERR_CONFIG/ERR_NOINPUT for the
 * key, ERR_DATA for a broken audit chain or state file, ERR_IO).
 */
struct cycle *cycle_new(const struct config *cfg, const struct cycle_opts *o,
    struct err *e);

/*
 * cycle_auth(c, e): make sure a token can be had (the first one is fetched):
 * what READY=1 waits for.  Returns 0, or -1 with e set (ERR_AUTH, ERR_TEMP,
 * ERR_HTTP...) after an api.error line (step "token"); the error is fatal
 * (err_is_fatal) when that line could not be made durable.
 */
int cycle_auth(struct cycle *c, struct err *e);

/*
 * cycle_run(c, res, e): run one cycle; res (caller storage) is filled.
 * Returns 0, or -1 with e set and res->step naming the failed step (an
 * api.error line is appended and synced).  The error is fatal
 * (err_is_fatal) when the audit log or the state file lost durability (an
 * fsync or write of either failed, ERR_IO): the caller must exit.
 */
int cycle_run(struct cycle *c, struct cycle_result *res, struct err *e);

/*
 * cycle_reconfigure(c, cfg, e): switch to cfg (borrowed as in cycle_new):
 * reload the key and rebuild the clients, forget the tab cache, and append
 * config.loaded when the file's content (its SHA-256) changed.  On failure
 * (bad key; audit_log or state_dir changed, which needs a restart) c keeps its old configuration and -1 is returned with e
 * set; -1 with e fatal as for cycle_run (c then already runs under cfg).
 */
int cycle_reconfigure(struct cycle *c, const struct config *cfg, struct err *e);

/* cycle_metrics(c): the counters, borrowed until the next cycle_run. */
const struct metrics *cycle_metrics(const struct cycle *c);

/* cycle_free(c): close the audit log and free everything.  NULL is a no-op. */
void cycle_free(struct cycle *c);

/*
 * cycle_audit_rotate(c, archive, size, e): rotate the audit log now
 * (`syncd audit rotate`; see audit_rotate).  archive (size bytes) receives
 * the old file's new name, "" when nothing was rotated.  Returns as
 * audit_rotate: 0; -1 (the log goes on where it is), or -1 with e fatal.
 */
int cycle_audit_rotate(struct cycle *c, char *archive, size_t size, struct err *e);

/* cycle_audit_notice(c, buf, size): audit_notice on the cycle's log. */
int cycle_audit_notice(struct cycle *c, char *buf, size_t size);

/*
 * cycle_exit_status(e): the sysexits.h status for a --once run ending with
 * e: 75 (EX_TEMPFAIL) for what may pass (transport, 408/429/5xx, retry
 * budget), 78 (EX_CONFIG) for configuration and key errors (bad key, token
 * refused, 401/403/404 from the API), 1 otherwise.
 */
int cycle_exit_status(const struct err *e);

#endif
