/*
 * cycle: one synchronisation cycle, and what lives from cycle to cycle (see
 * cycle.h for the contract).  It never logs, never exits, never writes a
 * district tab, and never lets anything reach the sheet before the cycle's
 * audit lines are durable (write-ahead).
 *
 * A cycle is the list of steps in cycle_steps[] below, run in order until
 * one fails; an idle cycle (nothing moved) runs only the steps marked
 * STEP_IDLE.  A step is a function
 * of the run (syncd/run.h: what the steps share) that returns 0 or -1 with
 * its error set (fatal when the audit log or the state lost durability:
 * the daemon must exit, auth/err.h); its name is what a failure reports
 * (api.error's "step", the daemon's log line).  The steps, and where each
 * lives:
 *
 *   drive     sheetread_drive   Drive's version and the basis against the
 *                               saved ones: unchanged is idle (no Sheets
 *                               request, no audit line) (syncd/sheetread)
 *   audit     seal_tick         idle only: the day's seal (syncd/seal)
 *   tabs      sheetread_tabs    the tab list, read again, compared with
 *                               the saved one by sheetId (syncd/tabwatch);
 *                               with annotation, the notes and our tabs'
 *                               objects in the same read (syncd/notes)
 *   batchGet  sheetread_values  ONE values:batchGet of every district tab
 *                               and our two tabs     (syncd/sheetread)
 *   evaluate  evaluate          the rules engine                (here)
 *   notes     notes_plan        where findings sit, the plan of notes,
 *                               views, protections, chart (no read)
 *                                                          (syncd/notes)
 *   render    publish_compare   our tabs against the sheet's, while the
 *                               workbook is here         (syncd/publish)
 *   overtime  publish_overtime  the history row and chart, today's
 *                               snapshot, the month's e-mail prepared
 *                                                        (syncd/publish)
 *   render    sheetread_footer  the audit head the summary's footer shows
 *                                                      (syncd/sheetread)
 *   audit     tab_edits         tab.renamed, tab.removed (syncd/sheetedits)
 *   audit     celldiff_run      cell.changed             (syncd/celldiff)
 *   state     runstate_drop     free the workbook, load the saved
 *                               first-seen table      (syncd/runstate)
 *   audit     findings_run      discrepancy identities, first-seen times,
 *                               opened/resolved          (syncd/findings)
 *   audit     notes_state       what the next state keeps of our notes
 *                                                          (syncd/notes)
 *   render    publish_render    the discrepancy tab; need we write?
 *                                                        (syncd/publish)
 *   audit     writer_conflict   the footer typed over; another syncd
 *                               writing the sheet: write nothing
 *                                                     (syncd/sheetedits)
 *   audit     audit_cycle       snapshot.written, summary.written, the
 *                               cycle event (written here only) and
 *                               fdatasync                       (here)
 *   write     publish_write     ONE batchUpdate of our two tabs, when they
 *                               differ                   (syncd/publish)
 *   state     runstate_save     cells.dat and state.json, atomically
 *                                                       (syncd/runstate)
 *   report    daily_report      idle or not: the daily LINE report, once
 *                               the sheet is done    (syncd/linereport)
 *   mail      monthly_mail      idle or not: the month's e-mail, last
 *                                                       (syncd/overtime)
 *
 * To add a step: write `static int step(struct run *r, struct err *e)`
 * (or a function in its own file, for a concern of its own), keep what it
 * needs across steps in struct run and what it needs across cycles in
 * struct cycle (syncd/run.h), and add one line to cycle_steps[] saying
 * when it runs (STEP_READ, STEP_IDLE or both).  A step that must not run on
 * some other cycles returns 0 at once (see publish_write).
 *
 * Choices worth knowing:
 *   - Idle: Drive's version and the basis (syncd's version, the SHA-256 of
 *     the configuration file, today) equal to the saved ones, and not a
 *     full_read_every-th cycle.  Because the basis is saved in the state, a
 *     restart (or a --once run) is idle too when nothing moved; a new
 *     configuration or a new day forces a read.
 *   - The very first cycle (no version and no cells in the state) records the
 *     mapped cells as a baseline without a cell.changed flood: the cycle
 *     event carries "baseline": N cells instead.
 *   - The cycle event's "requests" counts the API requests made before it
 *     is written; the write that follows it is not included.
 *   - Once the cycle's audit lines are synced, the state is saved even when
 *     the write fails, but with the Drive version cleared: the events are not
 *     repeated and the next cycle reads and writes again.
 *   - Memory (100,000 households: a ~56 MB workbook): between cycles only a
 *     light copy of the state is held (version, basis, tab list; not the
 *     first-seen table), and a cycle that reads loads state.json again once
 *     the workbook is freed (runstate_drop), after the cells are diffed and
 *     our tabs compared, before anything else is built.
 */
#include "syncd/cycle.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>

#include "syncd/celldiff.h"
#include "syncd/findings.h"
#include "syncd/http.h"
#include "syncd/linereport.h"
#include "syncd/monotime.h"
#include "syncd/notes.h"
#include "syncd/publish.h"
#include "syncd/runstate.h"
#include "syncd/seal.h"
#include "syncd/sheetedits.h"
#include "syncd/sheetread.h"
#include "syncd/run.h"

#ifndef SYNCD_VERSION
#define SYNCD_VERSION "unknown"
#endif

/* ---- what lives from cycle to cycle ---- */

/* The client's counters: requests of every kind and outcome, and bytes. */
static void
traffic(const struct http *h, uint64_t *requests, uint64_t *in, uint64_t *out)
{
	struct http_stats st;
	int k, c;

	*requests = *in = *out = 0;
	if (h == NULL)
		return;
	http_stats_get(h, &st);
	for (k = 0; k < HTTP_KIND_COUNT; k++)
		for (c = 0; c < HTTP_CLASS_COUNT; c++)
			*requests += st.requests[k][c];
	*in = st.bytes_received;
	*out = st.bytes_sent;
}

static uint64_t
total_requests(const struct http *h)
{
	uint64_t n, in, out;

	traffic(h, &n, &in, &out);
	return n;
}

static int
retry_sleep(void *ctx, double seconds)
{
	struct cycle *c = ctx;
	struct timespec ts;
	double slice;

	while (seconds > 0) {
		if (c->opts.stop != NULL && *c->opts.stop)
			return -1;
		slice = seconds < 0.5 ? seconds : 0.5;
		ts.tv_sec = (time_t)slice;
		ts.tv_nsec = (long)((slice - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
		if (c->opts.keepalive != NULL)
			c->opts.keepalive(c->opts.keepalive_ctx);
		seconds -= slice;
	}
	return (c->opts.stop != NULL && *c->opts.stop) ? -1 : 0;
}

/* The audit log's clock: the cycle's, so that --now dates the events too. */
static time_t
audit_clock(void *ctx)
{
	const struct cycle *c = ctx;
	struct today_now n;

	today_clock_read(&c->opts.clock, time(NULL), &n);
	return n.t;
}

/*
 * open_audit(cfg, c, e): the audit log on c's clock (audit_clock), its
 * head kept in the state directory (so a log cut, replaced or deleted behind
 * syncd's back is found) and rotated at audit_rotate_bytes.
 */
static struct audit *
open_audit(const struct config *cfg, struct cycle *c, struct err *e)
{
	char head[4096];
	struct audit_opts o;

	if ((size_t)snprintf(head, sizeof(head), "%s/%s", cfg->state_dir,
	    AUDIT_HEAD_FILE) >= sizeof(head)) {
		err_set(e, ERR_IO, "%s: path too long", cfg->state_dir);
		return NULL;
	}
	memset(&o, 0, sizeof(o));
	o.head_file = head;
	o.rotate_bytes = (off_t)cfg->audit_rotate_bytes;
	o.now = audit_clock;
	o.ctx = c;
	return audit_open_with(cfg->audit_log, &o, e);
}

int
cycle_audit_rotate(struct cycle *c, char *archive, size_t size, struct err *e)
{
	return audit_rotate(c->audit, "command", archive, size, e);
}

int
cycle_audit_notice(struct cycle *c, char *buf, size_t size)
{
	return audit_notice(c->audit, buf, size);
}

/* Append config.loaded and sync it. */
static int
audit_config(struct cycle *c, struct err *e)
{
	int rc;

	rc = audit_append_pack(c->audit, e, "config.loaded", "{s:s, s:s, s:s}",
	    "path", c->cfg->path, "sha256", c->ss.cfg_sha, "syncd", SYNCD_VERSION);
	if (rc != 0)
		return rc;
	return audit_sync(c->audit, e);
}

struct cycle *
cycle_new(const struct config *cfg, const struct cycle_opts *o, struct err *e)
{
	struct session_hooks hooks;
	struct retry_env env;
	struct state *st;
	struct cycle *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	c->cfg = cfg;
	if (o != NULL)
		c->opts = *o;
	metrics_init(&c->metrics);
	memset(&env, 0, sizeof(env));
	env.sleep = retry_sleep;
	env.ctx = c;
	retry_init(&c->retry, &env);
	c->retry.budget_s = (double)cfg->retry_budget;
	hooks.metrics = &c->metrics;
	hooks.retry = &c->retry;
	if (session_open(&c->ss, cfg, &hooks, e) == -1)
		goto fail;
	if (mkdir(cfg->state_dir, 0700) == -1 && errno != EEXIST) {
		err_set(e, ERR_IO, "%s: cannot create the state directory: %s",
		    cfg->state_dir, strerror(errno));
		goto fail;
	}
	if ((st = state_load(cfg->state_dir, e)) == NULL)
		goto fail;
	runstate_keep(c, st);
	c->cycle_no = state_cycle(c->state);
	if ((c->audit = open_audit(cfg, c, e)) == NULL)
		goto fail;
	if (seal_attach(c->audit, cfg->state_dir, e) == -1)
		goto fail;
	if (audit_config(c, e) != 0)
		goto fail;
	return c;
fail:
	cycle_free(c);
	return NULL;
}

void
cycle_free(struct cycle *c)
{
	if (c == NULL)
		return;
	session_fini(&c->ss);
	audit_close(c->audit);
	state_free(c->state);
	tabcache_fini(&c->tabs);
	free(c);
}

const struct metrics *
cycle_metrics(const struct cycle *c)
{
	return &c->metrics;
}


int
cycle_auth(struct cycle *c, struct err *e)
{
	const char *bearer;
	struct retry_op op;
	struct retry_why why;
	struct err te;
	int rc;

	/*
	 * A token endpoint that is briefly down (ERR_TEMP: 408, 429, 5xx, a
	 * dropped connection) is retried with backoff within retry_budget,
	 * as a read is; a refusal (ERR_AUTH) is final at once.
	 */
	retry_cycle_begin(&c->retry, (double)c->cfg->retry_budget);
	retry_op_begin(&c->retry, &op);
	for (;;) {
		err_init(&te);
		if ((rc = auth_token_get(c->ss.token, 0, &bearer, &te)) == 0 ||
		    te.code != ERR_TEMP)
			break;
		why.status = te.status == 429 ? 429 : 0;
		why.retry_after = -1;
		why.what = te.msg;
		if (retry_next(&c->retry, &op, &why, e) == -1) {
			if (e != NULL && e->status == 0)
				e->status = te.status;
			break;
		}
	}
	retry_cycle_end(&c->retry);
	if (rc == 0)
		return 0;
	if (e != NULL && !err_is_set(e))
		*e = te;
	(void)run_audit_failure(c, "token", e);	/* e is fatal when it failed */
	return -1;
}

int
cycle_reconfigure(struct cycle *c, const struct config *cfg, struct err *e)
{
	struct session_hooks hooks = { &c->metrics, &c->retry };
	struct session ss;
	int changed;

	if (strcmp(cfg->audit_log, c->cfg->audit_log) != 0 ||
	    strcmp(cfg->state_dir, c->cfg->state_dir) != 0) {
		err_set(e, ERR_CONFIG, "%s: changing audit_log or state_dir needs a "
		    "restart (systemctl restart syncd)", cfg->path);
		return -1;
	}
	if (session_open(&ss, cfg, &hooks, e) == -1)
		return -1;
	/* A reload of the same bytes (a burst of SIGHUPs, a config manager
	 * that reloads on every run) is no event: config.loaded records
	 * changes of content only, by their SHA-256. */
	changed = strcmp(ss.cfg_sha, c->ss.cfg_sha) != 0;
	session_fini(&c->ss);
	c->ss = ss;
	c->cfg = cfg;
	c->retry.budget_s = (double)cfg->retry_budget;
	audit_set_rotate_bytes(c->audit, (off_t)cfg->audit_rotate_bytes);
	tabcache_fini(&c->tabs);
	if (!changed)
		return 0;
	/* Switched: only a fatal audit failure is reported from here on. */
	return audit_config(c, e) != 0 && err_is_fatal(e) ? -1 : 0;
}

int
cycle_exit_status(const struct err *e)
{
	switch (e->code) {
	case ERR_CONFIG:
	case ERR_AUTH:
	case ERR_NOINPUT:
		return EX_CONFIG;
	case ERR_TEMP:
	case ERR_HTTP:
		return EX_TEMPFAIL;
	case ERR_API:
		if (e->status == 401 || e->status == 403 || e->status == 404)
			return EX_CONFIG;
		if (e->status == 408 || e->status == 429 || e->status >= 500)
			return EX_TEMPFAIL;
		return 1;
	default:
		return 1;
	}
}

/* ---- one cycle ---- */

/* ---- the steps of one cycle ---- */

static void
run_fini(struct run *r)
{
	size_t i;

	free(r->version);
	sheetjson_free(r->wf);
	rules_report_fini(&r->report);
	state_free(r->next);
	state_free(r->old);
	free(r->fs_sheet);
	cellfile_free(r->cf);
	for (i = 0; i < r->nids; i++)
		free(r->ids[i]);
	free(r->ids);
	writer_grid_fini(&r->sum);
	writer_grid_fini(&r->disc);
	free(r->fcols);
	free(r->atabs);
	annotate_seen_fini(&r->seen);
	annotate_plan_fini(&r->plan);
	writer_grid_fini(&r->hist);
	writer_grid_fini(&r->snap);
	tabwatch_fini(&r->changes);
}

/* audit, idle cycles: a sealed log gets a seal each day even when idle, so
 * a log cut back to an earlier day is caught (syncd/seal.h). */
static int
seal_tick(struct run *r, struct err *e)
{
	return audit_seal_tick(r->c->audit, e);
}

/* audit: the edits to the sheet's tabs carried into the next state, then
 * one tab.renamed or tab.removed per change, before the cells. */
static int
tab_edits(struct run *r, struct err *e)
{
	if (state_copy_sheet_edits(r->next, r->c->state, e) == -1 ||
	    state_set_instance(r->next, r->inst, e) == -1)
		return -1;
	return sheetedits_audit(r, e);
}

/* audit: the footer typed over, or another syncd writing the sheet. */
static int
writer_conflict(struct run *r, struct err *e)
{
	struct cycle_result *res = r->res;
	int rc;

	sheetedits_footer(r, &r->need_write);
	if ((rc = sheetedits_conflict(r, &r->need_write, e)) != 0)
		return rc;
	res->conflict = r->conflict;
	res->conflict_new = r->conflict_new;
	res->conflict_cleared = r->conflict_cleared;
	if (r->conflict_new || r->conflict_cleared)
		snprintf(res->other_writer, sizeof(res->other_writer), "%s", r->sheet_head);
	return 0;
}

/* evaluate: the rules engine over the workbook. */
static int
evaluate(struct run *r, struct err *e)
{
	double t1 = monotime_now();

	r->res->parse_s = r->parse_s;
	if (rules_evaluate(r->view, &r->cfg->rules, r->today, &r->report) == -1) {
		err_set(e, ERR_NOMEM, "rules: out of memory");
		return -1;
	}
	r->res->evaluate_s = monotime_now() - t1;
	malloc_trim(0);		/* the engine's tables are gone */
	return 0;
}

/* audit: summary.written (when we write), the cycle event, fdatasync. */
static int
audit_cycle(struct run *r, struct err *e)
{
	struct cycle_result *res = r->res;
	json_t *ev;
	int rc;

	state_free(r->old);	/* findings_run was its last reader */
	r->old = NULL;
	if (r->snap_write && (rc = audit_append_pack(r->c->audit, e, "snapshot.written",
	    "{s:s, s:s}", "title", r->snap_title, "sha256", r->snap_sha)) != 0)
		return rc;
	if (r->need_write && (rc = audit_append_pack(r->c->audit, e, "summary.written",
	    "{s:I, s:I, s:s}", "rows", (json_int_t)r->report.nsummary,
	    "discrepancies", (json_int_t)r->report.nfindings, "hash", r->hash)) != 0)
		return rc;
	ev = json_pack("{s:s, s:I, s:I, s:I, s:I, s:b, s:I}", "version", r->version,
	    "households", (json_int_t)res->households, "errors", (json_int_t)res->errors,
	    "warnings", (json_int_t)res->warnings,
	    "requests", (json_int_t)(total_requests(r->c->ss.http) - r->req0),
	    "write", r->need_write, "duration_ms", (json_int_t)((monotime_now() - r->t0) * 1000));
	if (ev != NULL && r->baseline &&
	    json_object_set_new(ev, "baseline", json_integer((json_int_t)r->cells_recorded)) != 0) {
		json_decref(ev);
		ev = NULL;
	}
	if (ev == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	rc = audit_append(r->c->audit, "cycle", ev, e);
	json_decref(ev);
	if (rc == 0)
		rc = audit_sync(r->c->audit, e);
	if (rc == 0)
		r->synced = 1;
	return rc;
}

/*
 * report: the daily LINE report after a good cycle (syncd/linereport): this
 * cycle's evaluation when it made one, else only a pending push is retried.
 * Its own failures do not fail the cycle (the sheet is done): they are in
 * r->res->report.  Returns 0, or -1 with e fatal (the audit log lost
 * durability).
 */
static int
daily_report(struct run *r, struct err *e)
{
	struct cycle *c = r->c;
	struct cycle_result *res = r->res;
	struct linereport_env env;
	struct linereport_result lr;
	struct err le;
	int rc;

	if (!c->cfg->report_on)
		return 0;
	memset(&env, 0, sizeof(env));
	env.cfg = c->cfg;
	env.http = c->ss.http;
	env.retry = &c->retry;
	env.audit = c->audit;
	env.now = r->clock;
	env.report = res->idle ? NULL : &r->report;
	err_init(&le);
	rc = linereport_step(&env, &lr, &le);
	if (rc == -1 && err_is_fatal(&le)) {
		err_fatal(e, le.code, "%s", le.msg);
		r->fatal_logged = 1;	/* no api.error: the log is gone */
		return -1;
	}
	if (rc == -1) {
		res->report = "error";
		snprintf(res->report_msg, sizeof(res->report_msg), "%s", le.msg);
		return 0;
	}
	if (lr.outcome == NULL)
		return 0;
	res->report = lr.outcome;
	snprintf(res->report_day, sizeof(res->report_day), "%s", lr.day);
	snprintf(res->report_msg, sizeof(res->report_msg), "%s", lr.msg);
	metrics_report(&c->metrics, lr.day, lr.outcome, lr.msg);
	return 0;
}

/*
 * mail: the month's e-mail, after the cycle (idle or not) and its state: a
 * slow mail server never holds the sheet's write back.  Its failures are
 * recorded (api.error, step "mail") and do not fail the cycle; the audit
 * log losing durability (then e is fatal) does.
 */
static int
monthly_mail(struct run *r, struct err *e)
{
	struct err me;
	int mrc;

	if (!r->cfg->mail.enabled)
		return 0;
	err_init(&me);
	mrc = overtime_mail_run(r->cfg, r->c->audit, r->today, r->now, &me);
	if (mrc == -1 && !err_is_fatal(&me))
		(void)run_audit_failure(r->c, "mail", &me);
	if (err_is_fatal(&me)) {
		err_fatal(e, me.code, "%s", me.msg);
		return -1;
	}
	return 0;
}

/* Which cycles a step runs in: those that read the sheet, idle ones, both. */
#define STEP_READ	1
#define STEP_IDLE	2
#define STEP_ALL	(STEP_READ | STEP_IDLE)

/* A step: its name (what a failure reports), what it does, and when. */
struct cycle_step {
	const char *name;
	int (*run)(struct run *r, struct err *e);
	int when;
};

/* The steps of a cycle, in order (see the top of this file). */
static const struct cycle_step cycle_steps[] = {
	{ "drive", sheetread_drive, STEP_ALL },
	{ "audit", seal_tick, STEP_IDLE },
	{ "tabs", sheetread_tabs, STEP_READ },
	{ "batchGet", sheetread_values, STEP_READ },
	{ "evaluate", evaluate, STEP_READ },
	{ "notes", notes_plan, STEP_READ },
	{ "render", publish_compare, STEP_READ },
	{ "render", sheetread_footer, STEP_READ },
	{ "overtime", publish_overtime, STEP_READ },
	{ "audit", tab_edits, STEP_READ },
	{ "audit", celldiff_run, STEP_READ },
	{ "state", runstate_drop, STEP_READ },
	{ "audit", findings_run, STEP_READ },
	{ "audit", notes_state, STEP_READ },
	{ "render", publish_render, STEP_READ },
	{ "audit", writer_conflict, STEP_READ },
	{ "audit", audit_cycle, STEP_READ },
	{ "write", publish_write, STEP_READ },
	{ "state", runstate_save, STEP_READ },
	{ "report", daily_report, STEP_ALL },
	{ "mail", monthly_mail, STEP_ALL },
};

/* The run's start: the clock, the counters, the basis, the state to build. */
static int
run_begin(struct run *r, struct cycle *c, struct cycle_result *res, struct err *e)
{
	const struct config *cfg = c->cfg;
	char today_s[16];

	memset(res, 0, sizeof(*res));
	memset(r, 0, sizeof(*r));
	r->c = c;
	r->cfg = cfg;
	r->res = res;
	r->e = e;
	r->fs_col = -1;
	r->t0 = monotime_now();
	today_clock_read(&c->opts.clock, time(NULL), &r->clock);
	r->now = r->clock.t;
	r->today = r->clock.day;
	traffic(c->ss.http, &r->req0, &r->in0, &r->out0);
	retry_cycle_begin(&c->retry, (double)cfg->retry_budget);
	c->cycle_no++;
	r->full = cfg->full_read_every > 0 &&
	    c->cycle_no % (uint64_t)cfg->full_read_every == 0;
	today_format(r->today, today_s, sizeof(today_s));
	snprintf(r->basis, sizeof(r->basis), "syncd %s; config %s; today %s", SYNCD_VERSION,
	    c->ss.cfg_sha, today_s);
	r->step = "audit";
	if ((r->next = state_new()) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * run_failed(r, e): the step r->step failed with e (fatal or not).  Once
 * the cycle's events are durable, the state is saved with the version
 * cleared, so that they are not repeated and the next cycle reads and
 * writes again.  Appends api.error, unless e is fatal (the log is gone).
 * Returns -1 (e fatal when the audit log lost durability recording it).
 */
static int
run_failed(struct run *r, struct err *e)
{
	struct cycle *c = r->c;

	if (err_is_fatal(e)) {
		r->res->step = r->fatal_logged ? r->step : "audit";
		return -1;
	}
	r->res->step = r->step;
	if (r->synced && r->next != NULL && strcmp(r->step, "state") != 0)
		runstate_save_cleared(r);
	(void)run_audit_failure(c, r->step, e);
	return -1;
}

/* The run's end, failed or not: the result's counters, the metrics. */
static void
run_end(struct run *r, int rc)
{
	struct cycle_result *res = r->res;
	struct metrics *m = &r->c->metrics;

	traffic(r->c->ss.http, &res->requests, &res->bytes_in, &res->bytes_out);
	res->requests -= r->req0;
	res->bytes_in -= r->in0;
	res->bytes_out -= r->out0;
	res->duration_ms = (long)((monotime_now() - r->t0) * 1000);
	retry_cycle_end(&r->c->retry);
	m->cycles++;
	m->last_duration = monotime_now() - r->t0;
	if (rc != 0) {
		m->failures++;
	} else {
		m->last_success = time(NULL);
		if (res->wrote)
			m->writes++;
		if (!res->idle) {
			m->households = res->households;
			m->errors = res->errors;
			m->warnings = res->warnings;
		}
	}
	run_fini(r);
}

int
cycle_run(struct cycle *c, struct cycle_result *res, struct err *e)
{
	struct run r;
	size_t i;
	int rc;

	rc = run_begin(&r, c, res, e);
	for (i = 0; rc == 0 && i < sizeof(cycle_steps) / sizeof(cycle_steps[0]); i++) {
		if (!(cycle_steps[i].when & (res->idle ? STEP_IDLE : STEP_READ)))
			continue;
		r.step = cycle_steps[i].name;
		rc = cycle_steps[i].run(&r, e);
	}
	if (rc != 0)
		rc = run_failed(&r, e);
	run_end(&r, rc);
	return rc;
}
