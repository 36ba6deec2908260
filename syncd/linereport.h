/*
 * linereport: the daily report to the province's LINE group, exactly once a
 * day (issue 14).  A cycle's step: on the first cycle at or after
 * `report.at` (Asia/Bangkok) of a day not yet reported, it builds the
 * message (syncd/linemsg), asks LINE for the quota, the consumption and the
 * group's size (skipping a push that would pass the month's quota), and
 * then, BEFORE the first try, makes the attempt durable: a `report.started`
 * audit event (synced) and the day, retry key and text in
 * STATE_DIR/report.json (written atomically).  The push carries the retry
 * key; 500/502/503/504 and transport errors are retried within the cycle's
 * budget and in later cycles with the same key and text until the key's
 * 24 hours are over; 409 means LINE already took it.  400/401/403 (any
 * other refusal) end the day with `report.failed`.  A day is never reported
 * twice, not after restarts and not with a clock set back (a day at or
 * before the last one is never started), and a missed day is not caught up
 * the next day.  It never logs: the caller logs what the result says.
 */
#ifndef SYNCD_LINEREPORT_H
#define SYNCD_LINEREPORT_H

#include <stdint.h>

#include "auth/err.h"
#include "rules/rules.h"
#include "syncd/audit.h"
#include "syncd/config.h"
#include "syncd/http.h"
#include "syncd/line.h"
#include "syncd/retry.h"
#include "syncd/today.h"

#define LINEREPORT_FILE		"report.json"	/* in state_dir */
#define LINEREPORT_KEY_LIFE	(24 * 3600)	/* seconds a retry key is good for */
#define LINEREPORT_MAX_FILE	(256 * 1024)	/* bytes of report.json */

enum linereport_status {
	LINEREPORT_NONE = 0,	/* no report yet */
	LINEREPORT_STARTED,	/* persisted, LINE's acceptance not yet seen */
	LINEREPORT_SENT,
	LINEREPORT_FAILED,
	LINEREPORT_SKIPPED,
};

/* What STATE_DIR/report.json holds: the last day's report. */
struct linereport_state {
	int32_t day;			/* the day of the last report started (or skipped) */
	enum linereport_status status;
	char retry_key[LINE_RETRY_KEY_LEN + 1];
	char *text;			/* owned: the message, while STARTED or after */
	long long started;		/* epoch seconds of the first try */
	long developed;			/* the province's developed households in text */
	int has_sent;			/* a report was ever sent: */
	long sent_developed;		/* ... its developed figure (the change's base) */
	char request_id[HTTP_MAX_HEADER_VALUE];	/* LINE's, once sent */
	char error[768];	/* why it failed or was skipped */
};

/*
 * linereport_state_load(dir, st, e): st from dir/LINEREPORT_FILE (absent:
 * an empty state).  Returns 0, or -1 with e set (ERR_DATA for a file that
 * is not ours, ERR_IO); release st with linereport_state_fini.
 */
int linereport_state_load(const char *dir, struct linereport_state *st, struct err *e);

/*
 * linereport_state_parse(buf, len, name, st, e): st from len bytes of
 * report.json (name: the file, for messages).  Returns 0, or -1 with e set
 * (ERR_DATA, ERR_NOMEM) and st empty (day -1, no text).
 */
int linereport_state_parse(const char *buf, size_t len, const char *name,
    struct linereport_state *st, struct err *e);

/* linereport_state_save(dir, st, e): write it atomically and durably. */
int linereport_state_save(const char *dir, const struct linereport_state *st,
    struct err *e);

void linereport_state_fini(struct linereport_state *st);

/*
 * linereport_needs_sheet(cfg, dir, now): non-zero when this cycle would
 * start the day's report, so it must evaluate the sheet even when the
 * spreadsheet did not change.
 */
int linereport_needs_sheet(const struct config *cfg, const char *dir,
    const struct today_now *now);

/* What a cycle's report step needs; all borrowed for the call. */
struct linereport_env {
	const struct config *cfg;
	struct http *http;
	struct retry *retry;		/* the cycle's policy (budget, backoff) */
	struct audit *audit;
	struct today_now now;
	const struct rules_report *report;	/* this cycle's evaluation, or NULL */
};

/* What the step did, for the log, STATUS and the metrics. */
struct linereport_result {
	const char *outcome;	/* NULL: nothing to do; "sent", "failed", "skipped",
				 * "pending" (not answered yet: retried later) */
	char day[16];		/* YYYY-MM-DD of the report */
	char msg[1024];	/* one line: why failed/skipped/pending */
};

/*
 * linereport_step(env, res, e): the step.  Returns 0 (res says what
 * happened); -1 with e set for a failure of our own (state file, message),
 * nothing sent; or -1 with e fatal when the audit log lost durability.
 */
int linereport_step(const struct linereport_env *env, struct linereport_result *res,
    struct err *e);

/*
 * linereport_text(cfg, report, today, st, head_seq, head_hash, e): the
 * message for report as the step builds it, the change counted from st's
 * last sent report (st may be NULL: none).  Returns an owned string, or
 * NULL with e set.
 */
char *linereport_text(const struct config *cfg, const struct rules_report *report,
    int32_t today, const struct linereport_state *st, uint64_t head_seq,
    const char *head_hash, struct err *e);

#endif
