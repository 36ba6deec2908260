/*
 * cycle: one synchronisation cycle, and what lives from cycle to cycle (see
 * cycle.h for the contract).  This file only joins the modules: HTTP, token,
 * Sheets calls, the batchGet reader, the rules engine, the writer, the audit
 * log and the state each live in their own file.  It never logs, never
 * exits, never writes a district tab, and never lets anything reach the sheet
 * before the cycle's audit lines are durable (write-ahead).
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
 *   - Rows are identified by household key, or "#ROW" when the row has no
 *     key or repeats a key already seen in its tab.
 *   - A discrepancy's identity is "rule|tab|key-or-#row|column" ("@ROW" is
 *     added when two findings of one cycle would share it).
 *   - The cycle event's "requests" counts the API requests made before it
 *     is written; the write that follows it is not included.
 *   - discrepancy.opened and discrepancy.resolved both carry the identity
 *     and the finding's fields (rule, severity, tab, row, key, column; the
 *     state keeps them beside the first-seen time); resolved adds the
 *     first-seen time (epoch seconds) and its row is where the finding was
 *     last seen.
 *   - Once the cycle's audit lines are synced, the state is saved even when
 *     the write fails, but with the Drive version cleared: the events are not
 *     repeated and the next cycle reads and writes again.
 *   - Memory (100,000 households: a ~56 MB workbook): between cycles only a
 *     light copy of the state is held (version, basis, tab list; not the
 *     first-seen table), and a cycle that reads loads state.json again once
 *     the workbook is freed.  Our two tabs are compared with the sheet's
 *     right after the evaluation, the discrepancy tab in slices of
 *     CYCLE_SLICE findings with the first-seen column set aside, so the
 *     workbook is freed after the cells are diffed, before anything else is
 *     built.
 */
#include "syncd/cycle.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auth/key.h"
#include "auth/token.h"
#include "rules/rules.h"
#include "syncd/annotate.h"
#include "syncd/audit.h"
#include "syncd/cellfile.h"
#include "syncd/http.h"
#include "syncd/monotime.h"
#include "syncd/once.h"
#include "syncd/overtime.h"
#include "syncd/report.h"
#include "syncd/retry.h"
#include "syncd/seal.h"
#include "syncd/sheets.h"
#include "syncd/state.h"
#include "syncd/linereport.h"
#include "syncd/tabwatch.h"
#include "syncd/today.h"
#include "syncd/workbook.h"
#include "syncd/writer.h"

#ifndef SYNCD_VERSION
#define SYNCD_VERSION "unknown"
#endif

#define CYCLE_MAX_KEY		256	/* bytes of a normalised household key */
#define CYCLE_VALUE_MAX		(STATE_TEXT_MAX / 2)	/* longer cell values are kept as a hash */
#define CYCLE_SLICE		1024	/* findings rendered at once for the early comparison */
#define CYCLE_FS_MAX		32	/* bytes of a first-seen text, with its NUL */

/* What depends on the configuration: rebuilt on reload. */
struct session {
	struct auth_key *key;
	struct http *http;
	struct auth_token *token;
	struct sheets *sheets;
	char cfg_sha[65];	/* SHA-256 of the configuration file */
};

struct cycle {
	const struct config *cfg;	/* borrowed */
	struct cycle_opts opts;
	struct session ss;
	struct retry retry;		/* daemon-wide: the 429 slow-down survives cycles */
	struct audit *audit;
	struct state *state;
	struct sheets_tabs tabs;	/* the tab cache (titles, sheetIds) */
	int tabs_valid;
	int state_light;		/* state holds no first-seen table: load it */
	uint64_t cycle_no;		/* cycles counted, carried on from the state */
	struct metrics metrics;
};

/* ---- small helpers ---- */

static void
hex(const unsigned char *d, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[2 * n] = '\0';
}

static void
sha256_hex(const void *buf, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
		memset(out, '0', 64);
		out[64] = '\0';
		return;
	}
	hex(md, 32, out);
}

/* file_sha256(path, out): SHA-256 of the file's bytes; "unreadable" on error. */
static void
file_sha256(const char *path, char out[65])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char buf[8192], d[32];
	unsigned int dlen = 0;
	ssize_t n;
	int fd = -1, ok = 0;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto done;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		goto done;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (EVP_DigestUpdate(md, buf, (size_t)n) != 1)
			goto done;
	if (n == 0 && EVP_DigestFinal_ex(md, d, &dlen) == 1 && dlen == 32)
		ok = 1;
done:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(md);
	if (ok)
		hex(d, 32, out);
	else
		snprintf(out, 65, "unreadable");
}

/* The time of the data in Bangkok: "YYYY-MM-DD HH:MM:SS (Asia/Bangkok)". */
static void
bangkok_seconds(time_t t, char *buf, size_t n)
{
	time_t b = t + TODAY_BANGKOK_OFFSET;
	struct tm tm;

	if (gmtime_r(&b, &tm) == NULL || strftime(buf, n, "%Y-%m-%d %H:%M:%S (Asia/Bangkok)",
	    &tm) == 0)
		snprintf(buf, n, "?");
}

/* A first-seen time in Bangkok: "YYYY-MM-DD HH:MM". */
static void
bangkok_minutes(time_t t, char *buf, size_t n)
{
	time_t b = t + TODAY_BANGKOK_OFFSET;
	struct tm tm;

	if (gmtime_r(&b, &tm) == NULL || strftime(buf, n, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, n, "?");
}

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

/*
 * state_light(s, e): what a cycle needs of s before it reads the sheet (the
 * Drive version, the basis, the counter, the tab list, the rendered hash),
 * without the first-seen table: held between cycles.  A state that still
 * has cell values (kept by an older syncd) is needed whole: returned as is
 * (then s is taken).  Returns NULL with e set when out of memory; s is then
 * left to the caller.
 */
static struct state *
state_light(struct state *s, struct err *e)
{
	struct state *l;
	size_t i;

	if (state_cell_count(s) > 0 || state_first_seen_count(s) == 0)
		return s;
	if ((l = state_new()) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	state_set_cycle(l, state_cycle(s));
	if (state_set_version(l, state_version(s), e) == -1 ||
	    state_set_basis(l, state_basis(s), e) == -1 ||
	    state_set_rendered_hash(l, state_rendered_hash(s), e) == -1 ||
	    state_copy_sheet_edits(l, s, e) == -1)
		goto fail;
	for (i = 0; i < state_sheets_count(s); i++) {
		const struct state_sheet *sh = state_sheet(s, i);

		if (state_sheets_add(l, sh->title, sh->sheet_id, sh->index, e) == -1)
			goto fail;
		state_sheet_set_households(l, i, sh->households);
	}
	for (i = 0; i < state_objects_count(s); i++) {
		const struct state_object *o = state_object(s, i);

		if (state_objects_add(l, o->kind, o->name, o->id, e) == -1)
			goto fail;
	}
	for (i = 0; i < state_noted_count(s); i++) {
		const struct state_cell *nc = state_noted(s, i);

		if (state_noted_add(l, nc->sheet_id, nc->row, nc->col, e) == -1)
			goto fail;
	}
	state_free(s);
	return l;
fail:
	state_free(l);
	return NULL;
}

/* keep_state(c, s): s (just loaded or saved) is the state from now on. */
static void
keep_state(struct cycle *c, struct state *s)
{
	struct state *l;
	struct err e;

	err_init(&e);
	state_free(c->state);
	/* Out of memory for the light copy: keep the whole one. */
	c->state = (l = state_light(s, &e)) != NULL ? l : s;
	c->state_light = c->state != s;
	malloc_trim(0);		/* the first-seen table's pages */
}

/* ---- the session: key, clients ---- */

static int
token_cb(void *ctx, int force, const char **bearer, struct err *e)
{
	return auth_token_get(ctx, force, bearer, e);
}

static void
count_request(void *ctx, const char *op, long status)
{
	metrics_count_request(ctx, op, status);
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

static void
session_fini(struct session *ss)
{
	sheets_client_free(ss->sheets);
	auth_token_free(ss->token);
	http_free(ss->http);
	auth_key_free(ss->key);
	memset(ss, 0, sizeof(*ss));
}

static struct auth_key *
load_key(const struct config *cfg, struct err *e)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char path[4096];
	struct stat st;

	if (dir != NULL && *dir != '\0' &&
	    snprintf(path, sizeof(path), "%s/%s", dir, CYCLE_CREDENTIAL) < (int)sizeof(path) &&
	    stat(path, &st) == 0)
		return auth_key_load_credential(CYCLE_CREDENTIAL, e);
	return auth_key_load(cfg->key_file, e);
}

static int
session_open(struct cycle *c, const struct config *cfg, struct session *ss, struct err *e)
{
	struct http_opts ho;
	struct auth_token_opts to;
	struct sheets_opts so;

	memset(ss, 0, sizeof(*ss));
	if ((ss->key = load_key(cfg, e)) == NULL)
		goto fail;
	memset(&ho, 0, sizeof(ho));
	ho.ca_file = cfg->ca_file;
	ho.connect_timeout_s = cfg->connect_timeout;
	ho.timeout_s = cfg->request_timeout;
	ho.on_request = count_request;
	ho.on_request_ctx = &c->metrics;
	if ((ss->http = http_new(&ho, e)) == NULL)
		goto fail;
	memset(&to, 0, sizeof(to));
	to.key = ss->key;
	to.post = http_auth_post;
	to.post_ctx = ss->http;
	if ((ss->token = auth_token_new(&to, e)) == NULL)
		goto fail;
	memset(&so, 0, sizeof(so));
	so.http = ss->http;
	so.retry = &c->retry;
	so.sheets_url = cfg->sheets_url;
	so.drive_url = cfg->drive_url;
	so.spreadsheet_id = cfg->spreadsheet_id;
	so.client_email = auth_key_client_email(ss->key);
	so.token = token_cb;
	so.token_ctx = ss->token;
	if ((ss->sheets = sheets_client_new(&so, e)) == NULL)
		goto fail;
	file_sha256(cfg->path, ss->cfg_sha);
	return 0;
fail:
	session_fini(ss);
	return -1;
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
	if (session_open(c, cfg, &c->ss, e) == -1)
		goto fail;
	if (mkdir(cfg->state_dir, 0700) == -1 && errno != EEXIST) {
		err_set(e, ERR_IO, "%s: cannot create the state directory: %s",
		    cfg->state_dir, strerror(errno));
		goto fail;
	}
	if ((st = state_load(cfg->state_dir, e)) == NULL)
		goto fail;
	keep_state(c, st);
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
	sheets_tabs_fini(&c->tabs);
	free(c);
}

const struct metrics *
cycle_metrics(const struct cycle *c)
{
	return &c->metrics;
}

static int audit_failure(struct cycle *c, const char *step, const struct err *e);

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
	return audit_failure(c, "token", e) == AUDIT_FATAL ? AUDIT_FATAL : -1;
}

int
cycle_reconfigure(struct cycle *c, const struct config *cfg, struct err *e)
{
	struct session ss;
	int changed;

	if (strcmp(cfg->audit_log, c->cfg->audit_log) != 0 ||
	    strcmp(cfg->state_dir, c->cfg->state_dir) != 0) {
		err_set(e, ERR_CONFIG, "%s: changing audit_log or state_dir needs a "
		    "restart (systemctl restart syncd)", cfg->path);
		return -1;
	}
	if (session_open(c, cfg, &ss, e) == -1)
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
	sheets_tabs_fini(&c->tabs);
	c->tabs_valid = 0;
	if (!changed)
		return 0;
	/* Switched: only a fatal audit failure is reported from here on. */
	return audit_config(c, e) == AUDIT_FATAL ? AUDIT_FATAL : 0;
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

/* What one cycle builds; released by run_fini. */
struct run {
	struct cycle *c;
	const struct config *cfg;
	time_t now;			/* the clock's instant (--now moves it) */
	struct today_now clock;		/* read once a cycle: date and minute, Bangkok */
	int32_t today;			/* clock.day: the rules' date */
	char *version;			/* owned: Drive's version */
	char basis[256];
	struct workbook_file *wf;	/* owned: the batchGet answer */
	const struct workbook *view;	/* borrowed from wf, or &empty */
	struct workbook empty;
	struct rules_report report;
	struct state *next;		/* owned: the state this cycle leads to */
	struct state *old;		/* owned: the saved state, whole (c->state is light) */
	char (*fs_sheet)[CYCLE_FS_MAX];	/* owned: the sheet's first-seen cell of each finding */
	int fs_col;			/* first-seen column of the discrepancy tab, or -1 */
	int mismatch;			/* our tabs differ from the sheet's */
	struct cellfile *cf;		/* owned: last mapped values, old and new */
	const char *headings[RULES_MAX_FIELDS];	/* borrowed from cfg: cf's columns */
	char **ids;			/* owned: identity of each finding */
	size_t nids;
	int baseline;			/* first cycle: record cells, no cell.changed */
	size_t cells_recorded;
	int discovered;			/* tabs discovered in this cycle */
	struct writer_grid sum, disc;
	/* Reports over time (syncd/overtime): the history tab with today's
	 * row, its chart when missing, today's snapshot tab. */
	struct writer_grid hist, snap;
	int hist_write, hist_chart, snap_write;
	int hist_seen, hist_has;	/* the notes read also saw the history tab's charts */
	int sheet_reads;		/* Sheets reads so far (batchGet, tab list, notes) */
	char snap_title[OVERTIME_TITLE_MAX];
	char snap_sha[65];
	char fs_buf[32];		/* first_seen_text's answer */
	int audit_rc;			/* an append's failure inside a callback */
	double parse_s;			/* seconds parsing the batchGet answer */
	/* Flags where district staff look (syncd/annotate), when configured. */
	int linking;			/* ain is filled: row numbers link to cells */
	int annotating;			/* the plan below is made */
	int32_t *fcols;			/* owned: each finding's cell column */
	struct annotate_tab *atabs;	/* owned; titles borrowed from c->tabs */
	struct annotate_in ain;		/* what the plan was made from */
	struct annotate_seen seen;	/* owned: what the notes read found */
	struct annotate_plan plan;	/* owned */
	char link[512];			/* link_text's answer */
	struct err *e;
	/* Sheet edits (issue 12). */
	struct tab_changes changes;	/* tabs renamed or removed since the last cycle */
	char sheet_head[128];		/* the audit head the sheet's footer shows */
	char sheet_inst[64];		/* an instance id beside it ("" none) */
	char inst[TABWATCH_INSTANCE_LEN + 1];	/* ours (the state directory's) */
	int foreign_head;		/* the footer's head is not in our log */
	int conflict;			/* another writer: write nothing */
	int conflict_new;		/* ... seen for the first time */
	int conflict_cleared;		/* a conflict of an earlier cycle is over */
};

static void
run_fini(struct run *r)
{
	size_t i;

	free(r->version);
	workbook_free(r->wf);
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

static int
discover(struct run *r, struct err *e)
{
	struct sheets_tabs t;

	if (sheets_get_tabs(r->c->ss.sheets, &t, e) == -1)
		return -1;
	sheets_tabs_fini(&r->c->tabs);
	r->c->tabs = t;
	r->c->tabs_valid = 1;
	r->discovered = 1;
	return 0;
}

/*
 * The part of a basis that names the configuration ("syncd V; config SHA"):
 * a tab list saved under another configuration (perhaps another
 * spreadsheet) is not trusted.
 */
static size_t
basis_config_len(const char *basis)
{
	const char *p = strstr(basis, "; today ");

	return p != NULL ? (size_t)(p - basis) : strlen(basis);
}

/* tabs_to_state(c, s, e): record the tab list in the state to be saved. */
static int
tabs_to_state(const struct cycle *c, struct state *s, struct err *e)
{
	size_t i;

	state_sheets_clear(s);
	if (!c->tabs_valid)
		return 0;
	for (i = 0; i < c->tabs.n; i++)
		if (state_sheets_add(s, c->tabs.tabs[i].title, c->tabs.tabs[i].sheet_id,
		    c->tabs.tabs[i].index, e) == -1)
			return -1;
	return 0;
}

static const struct sheets_tab *
cached_tab(const struct cycle *c, const char *title)
{
	size_t i;

	for (i = 0; i < c->tabs.n; i++)
		if (strcmp(c->tabs.tabs[i].title, title) == 0)
			return &c->tabs.tabs[i];
	return NULL;
}

static const struct tab *
view_tab(const struct workbook *wb, const char *title)
{
	size_t i;

	for (i = 0; i < wb->ntabs; i++)
		if (strcmp(wb->tabs[i].title, title) == 0)
			return &wb->tabs[i];
	return NULL;
}

/*
 * One values:batchGetByDataFilter, by sheetId, of every tab that may be a
 * district plus our own tabs that exist: no URL limit (200 long Thai titles),
 * and a tab renamed since the list was read is read all the same.
 */
static int
read_tabs(struct run *r, struct err *e)
{
	const struct rules_config *rc = &r->cfg->rules;
	struct workbook_request req;
	struct sheets_reply reply;
	int64_t *ids = NULL;
	size_t i, n;
	struct err ge;
	double t0;

	for (;;) {
		free(ids);
		ids = calloc(r->c->tabs.n + 1, sizeof(*ids));
		if (ids == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			return -1;
		}
		n = 0;
		for (i = 0; i < r->c->tabs.n; i++) {
			const char *t = r->c->tabs.tabs[i].title;

			if (rules_is_district(rc, t) || strcmp(t, rc->summary_tab) == 0 ||
			    strcmp(t, rc->discrepancy_tab) == 0 ||
			    (r->cfg->history_tab[0] != '\0' &&
			    strcmp(t, r->cfg->history_tab) == 0))
				ids[n++] = r->c->tabs.tabs[i].sheet_id;
		}
		if (n == 0) {
			free(ids);
			r->view = &r->empty;
			return 0;
		}
		err_init(&ge);
		if (sheets_batch_get_by_ids(r->c->ss.sheets, ids, n, &reply, &ge) == 0)
			break;
		sheets_reply_fini(&reply);
		/* A tab renamed or removed since the tab list was read: 400. */
		if (ge.code == ERR_API && ge.status == 400 && !r->discovered) {
			if (discover(r, e) == -1) {
				free(ids);
				return -1;
			}
			continue;
		}
		err_set(e, ge.code, "%s", ge.msg);
		if (e != NULL)
			e->status = ge.status;
		free(ids);
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.name = "values:batchGetByDataFilter";
	t0 = monotime_now();
	r->wf = workbook_parse_batchget(reply.body, reply.len, &req, e);
	r->parse_s = monotime_now() - t0;
	reply.body = NULL;
	sheets_reply_fini(&reply);
	free(ids);
	if (r->wf == NULL)
		return -1;
	r->view = workbook_view(r->wf);
	return 0;
}

/* The text of a cell as the state keeps it ("" when empty). */
static char *
cell_text(const struct row *row, int32_t col)
{
	const struct cell *cl;
	char *s;

	if (col < 0 || (uint32_t)col >= row->ncells)
		return strdup("");
	cl = &row->cells[col];
	if (cl->type == CELL_EMPTY || cl->text == NULL)
		return strdup("");
	if (cl->len > CYCLE_VALUE_MAX) {
		/* Too long to keep verbatim: keep (and audit) its hash. */
		s = malloc(7 + 65);
		if (s != NULL) {
			memcpy(s, "sha256:", 7);
			sha256_hex(cl->text, cl->len, s + 7);
		}
		return s;
	}
	return strndup(cl->text, cl->len);
}

static int
row_is_empty(const struct row *row)
{
	uint32_t i;

	for (i = 0; i < row->ncells; i++)
		if (row->cells[i].type != CELL_EMPTY && row->cells[i].len > 0)
			return 0;
	return 1;
}

static int
audit_rc_ok(struct run *r, int rc)
{
	if (rc == AUDIT_FATAL)
		r->audit_rc = AUDIT_FATAL;
	else if (rc != 0 && r->audit_rc == 0)
		r->audit_rc = -1;
	return rc == 0;
}

/* Where a changed cell is, for cellfile_row's callback. */
struct cell_at {
	struct run *r;
	const char *tab;
	uint32_t row;		/* 1-based sheet row */
	const char *key;	/* NULL when the row has none (or a repeated one) */
	const char *const *headings;	/* borrowed: the mapped columns */
	size_t nf;
	int was_empty[RULES_MAX_FIELDS];	/* the previous value was "" */
};

static void
cell_changed(const char *column, const char *old, const char *now, void *ctx)
{
	struct cell_at *at = ctx;
	struct run *r = at->r;
	size_t f;

	/* What the row held before, for record_complete. */
	for (f = 0; f < at->nf; f++)
		if (strcmp(at->headings[f], column) == 0)
			at->was_empty[f] = *old == '\0';
	if (r->audit_rc != 0 || r->baseline)
		return;
	audit_rc_ok(r, audit_append_pack(r->c->audit, r->e, "cell.changed",
	    "{s:s, s:I, s:s?, s:s, s:s, s:s}", "tab", at->tab, "row",
	    (json_int_t)at->row, "key", at->key, "column", column, "old", old,
	    "new", now));
}

/*
 * complete(rc, vals, empty): is a row's activity complete in the sense
 * DOMAIN.md gives, less the window (which depends on the day it is judged):
 * the developable status marked, all activity fields filled and the date a
 * valid date.  empty[f] (may be NULL) overrides vals[f] as empty.
 */
static int
complete(const struct rules_config *rc, char *const *vals, const int *empty,
    const int *is_number, size_t nf)
{
	int32_t days;
	size_t f, m;
	int dev = 0;

	for (f = 0; f < nf; f++) {
		const struct rules_field *fd = &rc->fields[f];
		int e = vals[f][0] == '\0' || (empty != NULL && empty[f]);

		if (fd->role == RULES_ROLE_STATUS && fd->developable && !e) {
			dev = 1;
			for (m = 0; m < rc->nmarks_empty; m++)
				if (strcmp(vals[f], rc->marks_empty[m]) == 0)
					dev = 0;
		}
		if (fd->role != RULES_ROLE_ACTIVITY)
			continue;
		if (e)
			return 0;
		if (fd->is_date && rules_date_parse(vals[f], strlen(vals[f]),
		    is_number[f], &days) == -1)
			return 0;
	}
	return dev;
}

/*
 * record_complete(r, at, vals, is_number): a record.complete event when the
 * row's activity is complete now and was not before (every complete row on
 * the baseline): the moment syncd first saw it, which the audit report sets
 * against the activity date as typed.
 */
static void
record_complete(struct run *r, const struct cell_at *at, char *const *vals,
    const int *is_number)
{
	const struct rules_config *rc = &r->cfg->rules;
	const char *date = "";
	size_t f;

	if (r->audit_rc != 0 || !complete(rc, vals, NULL, is_number, at->nf))
		return;
	if (!r->baseline && complete(rc, vals, at->was_empty, is_number, at->nf))
		return;
	for (f = 0; f < at->nf; f++)
		if (rc->fields[f].role == RULES_ROLE_ACTIVITY && rc->fields[f].is_date)
			date = vals[f];
	audit_rc_ok(r, audit_append_pack(r->c->audit, r->e, "record.complete",
	    "{s:s, s:I, s:s?, s:s}", "tab", at->tab, "row", (json_int_t)at->row,
	    "key", at->key, "date", date));
}

/*
 * Record the mapped cells of one district tab in the new cells file; audit
 * what differs from the previous one.  A row's identity is its household
 * key, or "#ROW" when it has none or repeats one already seen in the tab.
 */
static int
diff_tab(struct run *r, const struct tab *t, struct err *e)
{
	const struct rules_config *rc = &r->cfg->rules;
	int32_t cols[RULES_MAX_FIELDS];
	char *vals[RULES_MAX_FIELDS];
	int is_number[RULES_MAX_FIELDS];
	struct cell_at at;
	int keyf = -1, bad;
	uint32_t ri;
	size_t f, nf = rc->nfields < RULES_MAX_FIELDS ? rc->nfields : RULES_MAX_FIELDS;

	rules_map_columns(t, rc, cols);
	for (f = 0; f < nf; f++)
		if (rc->fields[f].role == RULES_ROLE_KEY)
			keyf = (int)f;
	at.r = r;
	at.tab = t->title;
	at.headings = r->headings;
	at.nf = nf;
	for (ri = rc->heading_row; ri < t->nrows; ri++) {
		const struct row *row = &t->rows[ri];
		char key[CYCLE_MAX_KEY], id[CYCLE_MAX_KEY + 16];
		int klen = 0;

		if (row_is_empty(row))
			continue;
		if (keyf >= 0 && cols[keyf] >= 0 && (uint32_t)cols[keyf] < row->ncells) {
			const struct cell *kc = &row->cells[cols[keyf]];

			if (kc->type != CELL_EMPTY && kc->text != NULL)
				klen = rules_key_normalise(kc->text, kc->len,
				    kc->type == CELL_NUMBER, key, sizeof(key));
		}
		at.row = ri + 1;
		at.key = NULL;
		if (klen > 0 && !cellfile_has(r->cf, t->title, key)) {
			snprintf(id, sizeof(id), "%s", key);
			at.key = key;
		} else
			snprintf(id, sizeof(id), "#%" PRIu32, ri + 1);
		bad = 0;
		memset(at.was_empty, 0, sizeof(at.was_empty));
		for (f = 0; f < nf; f++) {
			is_number[f] = cols[f] >= 0 && (uint32_t)cols[f] < row->ncells &&
			    row->cells[cols[f]].type == CELL_NUMBER;
			vals[f] = cols[f] >= 0 ? cell_text(row, cols[f]) : strdup("");
			if (vals[f] == NULL)
				bad = 1;
			else if (*vals[f] != '\0')
				r->cells_recorded++;
		}
		if (bad)
			err_set(e, ERR_NOMEM, "out of memory");
		else if (cellfile_row(r->cf, t->title, id, (const char *const *)vals,
		    cell_changed, &at, e) == -1)
			bad = 1;
		else
			record_complete(r, &at, vals, is_number);
		for (f = 0; f < nf; f++)
			free(vals[f]);
		if (bad || r->audit_rc != 0)
			return -1;
	}
	return 0;
}

/* Cells the previous cycle held in rows the sheet no longer has: changed
 * to "".  A keyed row's number is not kept, so it is null. */
static void
cell_gone(const char *tab, const char *id, const char *column, const char *old,
    void *ctx)
{
	struct run *r = ctx;

	if (r->audit_rc != 0 || r->baseline)
		return;
	/* A removed tab is one tab.removed event, not a cell.changed a cell. */
	if (tabwatch_removed(&r->changes, tab))
		return;
	if (id[0] == '#')
		audit_rc_ok(r, audit_append_pack(r->c->audit, r->e, "cell.changed",
		    "{s:s, s:I, s:n, s:s, s:s, s:s}", "tab", tab,
		    "row", (json_int_t)strtoll(id + 1, NULL, 10), "key",
		    "column", column, "old", old, "new", ""));
	else
		audit_rc_ok(r, audit_append_pack(r->c->audit, r->e, "cell.changed",
		    "{s:s, s:n, s:s, s:s, s:s, s:s}", "tab", tab, "row",
		    "key", id, "column", column, "old", old, "new", ""));
}

/*
 * diff_cells(r, e): walk the district tabs against the previous cells file
 * (opened here, committed with the state).  The first cycle, or one after
 * an upgrade from values kept in state.json, records a baseline and audits
 * no cell.changed.
 */
/* cells_recovery(r, lost, e): the recovery event for a lost cells.dat. */
static int
cells_recovery(struct run *r, const char *lost, struct err *e)
{
	int damaged = cellfile_previous_damaged(r->cf);

	return audit_append_pack(r->c->audit, e, "recovery", "{s:s, s:s, s:s, s:b}",
	    "reason", damaged ? "cells.dat damaged" : "cells.dat missing",
	    "file", CELLFILE_NAME, "found", lost, "baseline", r->baseline);
}

static int
diff_cells(struct run *r, struct err *e)
{
	const struct rules_config *rc = &r->cfg->rules;
	size_t i, nf = rc->nfields < RULES_MAX_FIELDS ? rc->nfields : RULES_MAX_FIELDS;
	const char *lost;
	int arc;

	for (i = 0; i < nf; i++)
		r->headings[i] = rc->fields[i].heading;
	if ((r->cf = cellfile_begin(r->cfg->state_dir, r->headings, nf, e)) == NULL)
		return -1;
	/*
	 * cells.dat is a cache: missing (deleted) after a first cycle, or
	 * damaged, it gives a new baseline and one recovery event, never a
	 * failed cycle nor a cell.changed for every cell.
	 */
	lost = cellfile_previous_lost(r->cf);
	r->baseline = cellfile_previous_damaged(r->cf) || (cellfile_previous_rows(r->cf) == 0 &&
	    (lost != NULL || state_version(r->c->state) == NULL ||
	    state_cell_count(r->c->state) > 0));
	if (lost != NULL && (cellfile_previous_damaged(r->cf) || state_cycle(r->c->state) > 0)) {
		if ((arc = cells_recovery(r, lost, e)) != 0)
			return arc;
	}
	r->e = e;
	/* A renamed tab's rows were recorded under its old title. */
	for (i = 0; i < r->changes.n; i++)
		if (r->changes.c[i].kind == TAB_RENAMED &&
		    cellfile_rename(r->cf, r->changes.c[i].old, r->changes.c[i].now, e) == -1)
			return -1;
	for (i = 0; i < r->view->ntabs; i++) {
		const struct tab *t = &r->view->tabs[i];

		if (!rules_tab_is_district(rc, t))
			continue;
		if (diff_tab(r, t, e) == -1)
			return r->audit_rc == AUDIT_FATAL ? AUDIT_FATAL : -1;
	}
	if (cellfile_gone(r->cf, cell_gone, r, e) == -1)
		return r->audit_rc == AUDIT_FATAL ? AUDIT_FATAL : -1;
	if (r->audit_rc != 0)
		return r->audit_rc;
	/* A damaged row found while reading back (the header was good). */
	if (lost == NULL && cellfile_previous_damaged(r->cf))
		return cells_recovery(r, cellfile_previous_lost(r->cf), e);
	return 0;
}

static char *
finding_id(const struct rules_finding *f)
{
	char rowbuf[32];
	const char *who;
	size_t n;
	char *s;

	snprintf(rowbuf, sizeof(rowbuf), "#%" PRIu32, f->row);
	who = f->key != NULL ? f->key : rowbuf;
	n = strlen(f->rule) + (f->tab ? strlen(f->tab) : 0) + strlen(who) +
	    (f->column ? strlen(f->column) : 0) + 4 + 32;
	if ((s = malloc(n)) == NULL)
		return NULL;
	snprintf(s, n, "%s|%s|%s|%s", f->rule, f->tab ? f->tab : "", who,
	    f->column ? f->column : "");
	return s;
}

/* The state as the previous cycle saved it, first-seen table included. */
static struct state *
saved_state(const struct run *r)
{
	return r->old != NULL ? r->old : r->c->state;
}

/* Is the old identity id still open under its tab's new title? */
static int
open_after_rename(const struct run *r, const char *id)
{
	time_t dummy;
	size_t i;
	char *id2;
	int open = 0;

	for (i = 0; i < r->changes.n && !open; i++) {
		if (r->changes.c[i].kind != TAB_RENAMED ||
		    (id2 = tabwatch_retab(id, r->changes.c[i].old, r->changes.c[i].now)) == NULL)
			continue;
		open = state_first_seen_get(r->next, id2, &dummy);
		free(id2);
	}
	return open;
}

/* A removed tab's open findings close as "tab_removed", not as fixes. */
static int
on_removed_tab(const struct run *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->changes.n; i++)
		if (r->changes.c[i].kind == TAB_REMOVED &&
		    tabwatch_id_tab(id, r->changes.c[i].old))
			return 1;
	return 0;
}

static int
resolved_keep(const char *id, time_t t, void *ctx)
{
	struct run *r = ctx;
	time_t dummy;
	const char *detail;
	json_t *f, *d;

	if (r->audit_rc != 0 || state_first_seen_get(r->next, id, &dummy) ||
	    open_after_rename(r, id))
		return 1;
	/* The finding's own fields, as discrepancy.opened gave them, so a
	 * reader need not take the id apart (a tab title may hold '|').  A
	 * finding opened before the state kept them has the id only. */
	detail = state_first_seen_detail(saved_state(r), id);
	d = detail != NULL ? json_loads(detail, 0, NULL) : NULL;
	f = json_pack("{s:s}", "id", id);
	if (f == NULL || (d != NULL && json_object_update(f, d) == -1) ||
	    json_object_set_new(f, "first_seen", json_integer((json_int_t)t)) == -1 ||
	    /* A removed tab's findings close as tab_removed, not as fixes. */
	    (on_removed_tab(r, id) &&
	    json_object_set_new(f, "reason", json_string("tab_removed")) == -1)) {
		err_set(r->e, ERR_NOMEM, "out of memory");
		if (r->audit_rc == 0)
			r->audit_rc = -1;
	} else
		audit_rc_ok(r, audit_append(r->c->audit, "discrepancy.resolved", f, r->e));
	json_decref(d);
	json_decref(f);
	return 1;	/* keep: this only walks the old state */
}

/*
 * finding_detail(f): the fields discrepancy.opened and .resolved carry,
 * as compact JSON (caller frees), or NULL when out of memory.
 */
static char *
finding_detail(const struct rules_finding *f)
{
	json_t *o;
	char *s;

	o = json_pack("{s:s, s:s, s:s?, s:I, s:s?, s:s?}", "rule", f->rule,
	    "severity", f->severity == RULES_ERROR ? "error" : "warning",
	    "tab", f->tab, "row", (json_int_t)f->row, "key", f->key,
	    "column", f->column);
	if (o == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

/* first_seen_saved(r, f, id, t): the saved first-seen of id, also under
 * the old title of a renamed tab. */
static int
first_seen_saved(const struct run *r, const struct rules_finding *f, const char *id,
    time_t *t)
{
	const char *old;
	char *id2;
	int found;

	if (state_first_seen_get(saved_state(r), id, t))
		return 1;
	if (f->tab == NULL || (old = tabwatch_renamed_from(&r->changes, f->tab)) == NULL ||
	    (id2 = tabwatch_retab(id, f->tab, old)) == NULL)
		return 0;
	found = state_first_seen_get(saved_state(r), id2, t);
	free(id2);
	return found;
}

static int
diff_findings(struct run *r, struct err *e)
{
	const struct rules_report *rep = &r->report;
	size_t i;

	r->ids = calloc(rep->nfindings + 1, sizeof(*r->ids));
	if (r->ids == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	for (i = 0; i < rep->nfindings; i++) {
		const struct rules_finding *f = &rep->findings[i];
		char *id, *detail;
		time_t t;
		int rc;

		if ((id = finding_id(f)) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			return -1;
		}
		if (state_first_seen_get(r->next, id, &t)) {
			/* Two findings with one identity: tell them apart by row. */
			size_t n = strlen(id) + 32;
			char *id2 = malloc(n);

			if (id2 == NULL) {
				free(id);
				err_set(e, ERR_NOMEM, "out of memory");
				return -1;
			}
			snprintf(id2, n, "%s@%" PRIu32, id, f->row);
			free(id);
			id = id2;
		}
		r->ids[r->nids++] = id;
		if (strlen(id) > STATE_TEXT_MAX) {
			err_set(e, ERR_DATA, "a discrepancy identity longer than %d bytes",
			    STATE_TEXT_MAX);
			return -1;
		}
		if (!first_seen_saved(r, f, id, &t)) {
			t = r->now;
			if (!audit_rc_ok(r, audit_append_pack(r->c->audit, e,
			    "discrepancy.opened", "{s:s, s:s, s:s, s:s?, s:I, s:s?, s:s?, s:s}",
			    "id", id, "rule", f->rule,
			    "severity", f->severity == RULES_ERROR ? "error" : "warning",
			    "tab", f->tab, "row", (json_int_t)f->row, "key", f->key,
			    "column", f->column, "message", f->message)))
				return r->audit_rc;
		}
		if (state_first_seen_set(r->next, id, t, e) == -1)
			return -1;
		if ((detail = finding_detail(f)) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			return -1;
		}
		rc = state_first_seen_set_detail(r->next, id, detail, e);
		free(detail);
		if (rc == -1)
			return -1;
	}
	r->e = e;
	/* Only walks: nothing is pruned (resolved_keep keeps all). */
	state_first_seen_prune(saved_state(r), resolved_keep, r);
	return r->audit_rc;
}

static const char *
first_seen_text(void *ctx, const struct rules_finding *f)
{
	struct run *r = ctx;
	size_t i = (size_t)(f - r->report.findings);
	time_t t;

	if (i >= r->nids || !state_first_seen_get(r->next, r->ids[i], &t))
		return "";
	bangkok_minutes(t, r->fs_buf, sizeof(r->fs_buf));
	return r->fs_buf;
}

/* SHA-256 of the grids' compared (non-volatile) values. */
static void
grids_hash(const struct writer_grid *a, const struct writer_grid *b, char out[65])
{
	const struct writer_grid *g[2] = { a, b };
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char d[32];
	unsigned int dlen = 0;
	char num[64];
	size_t k, i;
	int ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;

	for (k = 0; k < 2 && ok; k++) {
		for (i = 0; i < g[k]->nrows * g[k]->ncols && ok; i++) {
			const struct writer_cell *w = &g[k]->cells[i];

			if (w->volatile_ || w->type == WRITER_EMPTY)
				ok = EVP_DigestUpdate(md, "\0", 1) == 1;
			else if (w->type == WRITER_TEXT)
				ok = EVP_DigestUpdate(md, "t", 1) == 1 &&
				    EVP_DigestUpdate(md, w->text, strlen(w->text) + 1) == 1;
			else {
				snprintf(num, sizeof(num), "n%.17g", w->number);
				ok = EVP_DigestUpdate(md, num, strlen(num) + 1) == 1;
			}
		}
		ok = ok && EVP_DigestUpdate(md, "\n", 1) == 1;
	}
	if (ok && EVP_DigestFinal_ex(md, d, &dlen) == 1 && dlen == 32)
		hex(d, 32, out);
	else
		snprintf(out, 65, "unknown");
	EVP_MD_CTX_free(md);
}

static int
render_summary(struct run *r, const char *head, struct err *e)
{
	struct writer_footer ft;
	char updated[64];

	memset(&ft, 0, sizeof(ft));
	bangkok_seconds(r->now, updated, sizeof(updated));
	ft.updated = updated;
	ft.audit_head = head;
	writer_grid_fini(&r->sum);
	return writer_summary(&r->report, &r->cfg->rules, &ft, &r->sum, e);
}

/*
 * The early comparison of the discrepancy tab (before the first-seen times
 * are known): the first-seen callback gives the sheet's own cell back when
 * it could equal one of ours (a short text), and keeps it in fs_sheet, so
 * that only that column is left to compare (fs_column_matches).  Anything
 * else gives "", which can only match an empty cell, as ours would.
 */
static const char *
sheet_first_seen(void *ctx, const struct rules_finding *f)
{
	const struct run *r = ctx;
	size_t i = (size_t)(f - r->report.findings);
	const struct tab *t = view_tab(r->view, r->cfg->rules.discrepancy_tab);
	const struct cell *cl;
	char *out = r->fs_sheet[i];

	out[0] = '\0';
	if (r->fs_col < 0 || t == NULL || 1 + i >= t->nrows ||
	    (uint32_t)r->fs_col >= t->rows[1 + i].ncells)
		return out;
	cl = &t->rows[1 + i].cells[r->fs_col];
	if (cl->type == CELL_STRING && cl->len > 0 && cl->len < CYCLE_FS_MAX &&
	    memchr(cl->text, '\0', cl->len) == NULL) {
		memcpy(out, cl->text, cl->len);
		out[cl->len] = '\0';
	}
	return out;
}

/* The link of finding f's row number: its cell in its district tab. */
static const char *
link_text(void *ctx, const struct rules_finding *f)
{
	struct run *r = ctx;

	return annotate_link(&r->ain, (size_t)(f - r->report.findings),
	    r->cfg->spreadsheet_id, r->link, sizeof(r->link));
}

static const char *
fs_probe(void *ctx, const struct rules_finding *f)
{
	(void)ctx;
	(void)f;
	return "\x7f" "first seen" "\x7f";
}

/* find_fs_col(r, e): which column writer_discrepancies gives the first-seen
 * time (-1: none). */
static int
find_fs_col(struct run *r, struct err *e)
{
	struct rules_report one = r->report;
	struct writer_grid g;
	size_t c;

	r->fs_col = -1;
	if (r->report.nfindings == 0)
		return 0;
	one.nfindings = 1;
	if (writer_discrepancies(&one, fs_probe, NULL, &g, e) == -1)
		return -1;
	for (c = 0; c < g.ncols && g.nrows > 1; c++)
		if (g.cells[g.ncols + c].type == WRITER_TEXT &&
		    strcmp(g.cells[g.ncols + c].text, fs_probe(NULL, NULL)) == 0)
			r->fs_col = (int)c;
	writer_grid_fini(&g);
	return 0;
}

/*
 * slice_matches(r, t, off, k, e): do findings [off, off + k) (none: the rows
 * past the last finding, from sheet row off + 1 on) match the sheet's
 * discrepancy tab t?  The tab is cut the same way: its heading row, then
 * the rows of the slice.  Returns 1, 0, or -1 with e set.
 */
static int
slice_matches(struct run *r, const struct tab *t, size_t off, size_t k, struct err *e)
{
	static const struct row none;
	struct rules_report sub = r->report;
	struct writer_grid g;
	struct row rows[CYCLE_SLICE + 1];
	struct tab cut;
	size_t j, n = k;
	int ok;

	sub.findings = r->report.findings + off;
	sub.nfindings = k;
	{
		struct writer_disc_opts o = { sheet_first_seen, NULL, NULL, r };

		if (writer_discrepancies_with(&sub, &o, &g, e) == -1)
			return -1;
	}
	if (k == 0)	/* past the findings: up to CYCLE_SLICE sheet rows */
		n = t->nrows > 1 + off ? t->nrows - 1 - off : 0;
	if (n > CYCLE_SLICE)
		n = CYCLE_SLICE;
	rows[0] = t->nrows > 0 ? t->rows[0] : none;
	for (j = 0; j < n; j++)
		rows[1 + j] = 1 + off + j < t->nrows ? t->rows[1 + off + j] : none;
	cut = *t;
	cut.rows = rows;
	cut.nrows = (uint32_t)(1 + n);
	ok = writer_grid_matches(&g, &cut);
	writer_grid_fini(&g);
	return ok;
}

/*
 * early_compare(r, e): compare our two tabs with the sheet's while the
 * workbook is here: the summary whole (it does not depend on the state),
 * the discrepancy tab a slice at a time, its first-seen column set aside
 * (fs_column_matches finishes it).  Sets r->mismatch.  Returns 0, or -1
 * with e set.
 */
static int
early_compare(struct run *r, struct err *e)
{
	const struct rules_config *rc = &r->cfg->rules;
	const struct tab *t = view_tab(r->view, rc->discrepancy_tab);
	size_t n = r->report.nfindings, off;
	int ok = 1;

	if (render_summary(r, "", e) == -1)
		return -1;
	if (!writer_grid_matches(&r->sum, view_tab(r->view, rc->summary_tab)) || t == NULL) {
		r->mismatch = 1;
		return 0;
	}
	if ((r->fs_sheet = calloc(n + 1, sizeof(*r->fs_sheet))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	if (find_fs_col(r, e) == -1)
		return -1;
	for (off = 0; off < n && ok == 1; off += CYCLE_SLICE)
		ok = slice_matches(r, t, off, n - off < CYCLE_SLICE ? n - off : CYCLE_SLICE, e);
	for (off = n; off + 1 < t->nrows && ok == 1; off += CYCLE_SLICE)
		ok = slice_matches(r, t, off, 0, e);
	if (ok == -1)
		return -1;
	r->mismatch = !ok;
	return 0;
}

/* fs_column_matches(r): the first-seen column set aside by early_compare. */
static int
fs_column_matches(struct run *r)
{
	size_t i;

	if (r->mismatch)
		return 0;
	if (r->fs_col < 0)
		return 1;
	for (i = 0; i < r->report.nfindings; i++)
		if (strcmp(first_seen_text(r, &r->report.findings[i]), r->fs_sheet[i]) != 0)
			return 0;
	return 1;
}

/* ---- flags where district staff look (syncd/annotate) ---- */

static int64_t new_sheet_id(const struct cycle *c, const char *title, int64_t avoid);

/*
 * annotate_run(r, e): with annotate_districts, in a cycle that did not list
 * the tabs (2 reads at most), while the workbook is here:
 * where each finding sits, then the ONE notes read (the cells that matter
 * and syncd's tabs' objects), then the plan whose requests ride in the
 * cycle's one batchUpdate.  Our tabs that do not exist yet get the sheetIds
 * write_tabs will give them, so their protections, views and chart come in
 * the same request that adds them.  Returns 0 or -1 with e set.
 */
static int
annotate_run(struct run *r, struct err *e)
{
	const struct rules_config *rc = &r->cfg->rules;
	const struct sheets_tab *st = cached_tab(r->c, rc->summary_tab);
	const struct sheets_tab *dt = cached_tab(r->c, rc->discrepancy_tab);
	struct annotate_in *in = &r->ain;
	struct sheets_reply reply;
	struct err be;
	json_t *body;
	size_t i;
	int rv;

	if (!r->cfg->annotate_districts)
		return 0;
	if ((r->fcols = annotate_locate(&r->report, r->view, rc, e)) == NULL)
		return -1;
	if ((r->atabs = calloc(r->c->tabs.n + 1, sizeof(*r->atabs))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	for (i = 0; i < r->c->tabs.n; i++) {
		const char *t = r->c->tabs.tabs[i].title;
		const struct tab *vt = view_tab(r->view, t);

		r->atabs[i].title = t;
		r->atabs[i].sheet_id = r->c->tabs.tabs[i].sheet_id;
		r->atabs[i].district = rules_is_district(rc, t) &&
		    strcmp(t, rc->summary_tab) != 0 && strcmp(t, rc->discrepancy_tab) != 0;
		r->atabs[i].nrows = vt != NULL ? vt->nrows : 0;
	}
	if (render_summary(r, "", e) == -1)
		return -1;
	memset(in, 0, sizeof(*in));
	in->report = &r->report;
	in->cols = r->fcols;
	in->tabs = r->atabs;
	in->ntabs = r->c->tabs.n;
	in->seen = &r->seen;
	in->old = saved_state(r);
	in->summary_title = rc->summary_tab;
	in->disc_title = rc->discrepancy_tab;
	in->summary_id = st != NULL ? st->sheet_id : -1;
	in->disc_id = dt != NULL ? dt->sheet_id : -1;
	in->disc_cols = WRITER_DISCREPANCY_COLS;
	in->summary_cols = r->sum.ncols;
	in->percent_col = 0;
	for (i = 0; i < r->sum.ncols; i++)
		if (r->sum.cells[i].type == WRITER_TEXT &&
		    strcmp(r->sum.cells[i].text, "ร้อยละ") == 0)
			in->percent_col = (int)i;
	r->linking = 1;
	/* A cycle that listed the tabs has spent its second read: the notes
	 * wait for the next changed cycle (ours, after the tabs are written). */
	if (r->discovered)
		return 0;
	err_init(&be);
	body = annotate_read_body(in, &be);
	if (body == NULL && be.code != 0) {
		err_set(e, be.code, "%s", be.msg);
		return -1;
	}
	if (body != NULL) {
		const struct sheets_tab *ht = r->cfg->history_tab[0] != '\0' ?
		    cached_tab(r->c, r->cfg->history_tab) : NULL;

		/* The history tab's charts come with this read (its cell A1),
		 * so the day's row needs no read of its own (syncd/overtime). */
		if (ht != NULL)
			(void)json_array_append_new(json_object_get(body, "dataFilters"),
			    json_pack("{s:{s:I, s:i, s:i, s:i, s:i}}", "gridRange",
			    "sheetId", (json_int_t)ht->sheet_id, "startRowIndex", 0,
			    "endRowIndex", 1, "startColumnIndex", 0, "endColumnIndex", 1));
		err_init(&be);
		rv = sheets_get_by_data_filter(r->c->ss.sheets, ANNOTATE_FIELDS, body, &reply, &be);
		json_decref(body);
		r->sheet_reads++;
		if (rv == 0 && ht != NULL)
			r->hist_seen = overtime_sheet_has_chart(reply.body, reply.len, ht->sheet_id,
			    &r->hist_has) == 0;
		if (rv == 0)
			rv = annotate_parse(reply.body, reply.len, &r->seen, &be);
		sheets_reply_fini(&reply);
		/* Refused as invalid (or an answer we cannot read): the notes
		 * must never keep the two tabs from being written.  Record it
		 * and go on without them; anything that may pass fails the
		 * cycle as a read does. */
		if (rv == -1 && ((be.code == ERR_API && be.status == 400) || be.code == ERR_DATA)) {
			annotate_seen_fini(&r->seen);
			if (audit_failure(r->c, "notes", &be) == AUDIT_FATAL) {
				err_set(e, ERR_IO, "%s: cannot record the notes read's failure",
				    r->cfg->audit_log);
				return -1;
			}
			return 0;
		}
		if (rv == -1) {
			err_set(e, be.code, "%s", be.msg);
			e->status = be.status;
			return -1;
		}
	}
	if (st == NULL)
		in->summary_id = new_sheet_id(r->c, rc->summary_tab, -1);
	if (dt == NULL)
		in->disc_id = new_sheet_id(r->c, rc->discrepancy_tab, in->summary_id);
	if (annotate_plan(in, &r->plan, e) == -1)
		return -1;
	r->annotating = 1;
	return 0;
}

/*
 * annotate_state(r, e): what the next state keeps of syncd's notes and
 * objects: the plan's outcome when it had nothing to send, else the old
 * state's until write_tabs has sent it (it then commits the plan).
 */
static int
annotate_state(struct run *r, struct err *e)
{
	if (r->annotating && json_array_size(r->plan.requests) == 0)
		return annotate_commit(&r->plan, NULL, 0, 0, r->next, e);
	return annotate_keep_old(saved_state(r), r->next, e);
}

static const char *
ledger_file(const struct config *cfg, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", cfg->state_dir, OVERTIME_LEDGER);
	return buf;
}

/*
 * plan_overtime(r, e): while the workbook is here, the reports over time
 * (syncd/overtime): today's history row (read from the history tab itself,
 * so never twice a day), its chart when the tab has none, today's snapshot
 * when today is a snapshot day and the ledger has none, and the month's
 * e-mail prepared when it is due.  Returns 0, or -1 with e set.
 */
static int
plan_overtime(struct run *r, struct err *e)
{
	const struct config *cfg = r->cfg;
	const struct sheets_tab *st;
	struct once_entry ent;
	char taken[64], key[64], path[4096];
	struct err me;

	bangkok_minutes(r->now, taken, sizeof(taken));
	snprintf(taken + strlen(taken), sizeof(taken) - strlen(taken), " (Asia/Bangkok)");
	if (cfg->history_tab[0] != '\0') {
		st = cached_tab(r->c, cfg->history_tab);
		if (overtime_history_grid(&r->report, &cfg->rules, r->today,
		    view_tab(r->view, cfg->history_tab), &r->hist, &r->hist_write, e) == -1)
			return -1;
		/* The chart: added with a new tab; else looked for on the
		 * day's row, in the notes read when there was one, else in a
		 * read of its own when the cycle has one to spare (2 at most). */
		if (st == NULL)
			r->hist_chart = 1;
		else if (r->hist_write && r->hist_seen)
			r->hist_chart = !r->hist_has;
		else if (r->hist_write && r->sheet_reads + (r->discovered ? 1 : 0) < 2) {
			int has = 0;

			if (sheets_has_chart(r->c->ss.sheets, st->sheet_id, &has, e) == -1)
				return -1;
			r->sheet_reads++;
			r->hist_chart = !has;
		}
		r->hist_write |= r->hist_chart;
	}
	if (overtime_snapshot_day(cfg, r->today)) {
		today_format(r->today, key + 9, sizeof(key) - 9);
		memcpy(key, "snapshot ", 9);
		overtime_snapshot_title(r->today, r->snap_title, sizeof(r->snap_title));
		if (once_get(ledger_file(cfg, path, sizeof(path)), key, &ent, e) == -1)
			return -1;
		if (ent.status != ONCE_DONE && cached_tab(r->c, r->snap_title) != NULL) {
			/* Written by an earlier cycle that stopped before noting it. */
			ent.status = ONCE_DONE;
			if (once_set(path, key, &ent, e) == -1)
				return -1;
		}
		if (ent.status != ONCE_DONE) {
			if (overtime_snapshot_grid(&r->report, &cfg->rules, taken, &r->snap,
			    r->snap_sha, e) == -1)
				return -1;
			r->snap_write = 1;
		}
	}
	/* The e-mail's attachment and body, from the data as read now.  A
	 * failure here is the e-mail's, not the cycle's: it is recorded and
	 * the next reading cycle prepares it again. */
	err_init(&me);
	if (overtime_mail_prepare(cfg, r->view, &r->report, r->today, taken, &me) == -1) {
		char month[16];

		(void)overtime_mail_month(cfg, r->today, month);
		if (audit_append_pack(r->c->audit, e, "mail.failed", "{s:s, s:i, s:b, s:s}",
		    "month", month, "tries", 0, "retry", 1, "error", me.msg) != 0)
			return -1;
	}
	return 0;
}

/* snapshot_noted(r, e): today's snapshot is in the sheet: never again. */
static int
snapshot_noted(struct run *r, struct err *e)
{
	struct once_entry ent = { ONCE_DONE, 1 };
	char key[64], path[4096];

	memcpy(key, "snapshot ", 9);
	today_format(r->today, key + 9, sizeof(key) - 9);
	return once_set(ledger_file(r->cfg, path, sizeof(path)), key, &ent, e);
}

/* cache_add(c, title, id): a tab we added, at the end of the cache. */
static int
cache_add(struct cycle *c, const char *title, int64_t id)
{
	struct sheets_tab *t;
	char *copy;

	if ((copy = strdup(title)) == NULL)
		return -1;
	t = realloc(c->tabs.tabs, (c->tabs.n + 1) * sizeof(*t));
	if (t == NULL) {
		free(copy);
		return -1;
	}
	c->tabs.tabs = t;
	t[c->tabs.n].title = copy;
	t[c->tabs.n].sheet_id = id;
	t[c->tabs.n].index = (long)c->tabs.n;
	c->tabs.n++;
	return 0;
}

/* A sheetId for a new tab: a hash of its title, not in use. */
static int64_t
new_sheet_id(const struct cycle *c, const char *title, int64_t avoid)
{
	uint32_t h = 2166136261u;
	const unsigned char *p;
	int64_t id;
	size_t i;
	int used;

	for (p = (const unsigned char *)title; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	id = (int64_t)(h & 0x7fffffff);
	do {
		if (id == 0)
			id = 1;
		used = id == avoid;
		for (i = 0; i < c->tabs.n && !used; i++)
			used = c->tabs.tabs[i].sheet_id == id;
		if (used)
			id = (id + 1) & 0x7fffffff;
	} while (used);
	return id;
}

/* pick_id(r, tg, n, title): a new sheetId used by no tab and no target. */
static int64_t
pick_id(const struct run *r, const struct writer_target *tg, size_t n, const char *title)
{
	int64_t id = new_sheet_id(r->c, title, -1);
	size_t i;

	for (i = 0; i < n; i++)
		if (tg[i].sheet_id == id) {
			id = new_sheet_id(r->c, title, id);
			i = (size_t)-1;	/* look again from the first */
		}
	return id;
}

static int
write_tabs(struct run *r, struct err *e)
{
	const struct rules_config *rc = &r->cfg->rules;
	struct writer_target tg[4];
	struct sheets_reply reply;
	int attempt, adds, rv, sent_plan;
	size_t n, i;
	int64_t hist_id = -1;
	char *body;
	json_t *more;

	for (attempt = 0;; attempt++) {
		const struct sheets_tab *st = cached_tab(r->c, rc->summary_tab);
		const struct sheets_tab *dt = cached_tab(r->c, rc->discrepancy_tab);
		struct err we;

		memset(tg, 0, sizeof(tg));
		tg[0].title = rc->summary_tab;
		tg[0].grid = &r->sum;
		tg[0].exists = st != NULL;
		tg[0].sheet_id = st != NULL ? st->sheet_id : new_sheet_id(r->c, rc->summary_tab, -1);
		tg[1].title = rc->discrepancy_tab;
		tg[1].grid = &r->disc;
		tg[1].exists = dt != NULL;
		tg[1].sheet_id = dt != NULL ? dt->sheet_id :
		    new_sheet_id(r->c, rc->discrepancy_tab, tg[0].sheet_id);
		n = 2;
		if (r->hist_write) {
			const struct sheets_tab *ht = cached_tab(r->c, r->cfg->history_tab);

			tg[n].title = r->cfg->history_tab;
			tg[n].grid = &r->hist;
			tg[n].exists = ht != NULL;
			tg[n].sheet_id = ht != NULL ? ht->sheet_id :
			    pick_id(r, tg, n, r->cfg->history_tab);
			hist_id = tg[n].sheet_id;
			n++;
		}
		/* A snapshot is never rewritten: if its tab exists now, it was
		 * written (the ledger is told so) and stays as it is. */
		if (r->snap_write && cached_tab(r->c, r->snap_title) != NULL) {
			r->snap_write = 0;
			if (snapshot_noted(r, e) == -1)
				return -1;
		}
		if (r->snap_write) {
			tg[n].title = r->snap_title;
			tg[n].grid = &r->snap;
			tg[n].exists = 0;
			tg[n].sheet_id = pick_id(r, tg, n, r->snap_title);
			n++;
		}
		for (adds = 0, i = 0; i < n; i++)
			adds |= !tg[i].exists;
		/* As text: a tree of the discrepancy tab would be ~90 MB at
		 * 100,000 households. */
		if ((body = writer_request_text(tg, n, NULL, e)) == NULL)
			return -1;
		/* The notes, views, protections and chart in the same request,
		 * on the tabs' ids the plan assumed (a retry after a new tab
		 * list sends the tabs alone). */
		if (r->annotating && attempt == 0 && tg[0].sheet_id == r->ain.summary_id &&
		    tg[1].sheet_id == r->ain.disc_id &&
		    (body = writer_request_append(body, NULL, r->plan.requests, e)) == NULL)
			return -1;
		sent_plan = r->annotating && attempt == 0 && tg[0].sheet_id == r->ain.summary_id &&
		    tg[1].sheet_id == r->ain.disc_id;
		if (r->hist_write && r->hist_chart) {
			json_t *ch = overtime_history_chart(hist_id,
			    "ร้อยละครัวเรือนที่ได้รับการพัฒนา");

			more = json_array();
			if (more == NULL || ch == NULL || json_array_append_new(more, ch) != 0) {
				if (more == NULL)
					json_decref(ch);
				json_decref(more);
				free(body);
				err_set(e, ERR_NOMEM, "out of memory");
				return -1;
			}
			body = writer_request_append(body, NULL, more, e);
			json_decref(more);
			if (body == NULL)
				return -1;
			adds = 1;	/* an addChart is not idempotent either */
		}
		err_init(&we);
		/* Fixed ranges: idempotent, unless it adds a tab. */
		rv = sheets_batch_update_text(r->c->ss.sheets, body,
		    adds || sent_plan ? 0 : SHEETS_IDEMPOTENT, &reply, &we);
		free(body);
		if (rv == 0 && sent_plan &&
		    annotate_commit(&r->plan, reply.body, reply.len, 2 * n, r->next, e) == -1) {
			sheets_reply_fini(&reply);
			return -1;
		}
		sheets_reply_fini(&reply);
		if (rv == 0)
			break;
		/* An addSheet that failed half-way may have added the tab:
		 * look again before the one retry. */
		if (adds && attempt == 0 && (we.code == ERR_HTTP ||
		    (we.code == ERR_API && we.status >= 500))) {
			if (discover(r, e) == -1)
				return -1;
			continue;
		}
		/* A new tab exists now (someone added it): stale cache. */
		if (adds && attempt == 0 && we.code == ERR_API && we.status == 400) {
			if (discover(r, e) == -1)
				return -1;
			continue;
		}
		err_set(e, we.code, "%s", we.msg);
		if (e != NULL)
			e->status = we.status;
		return -1;
	}
	/* Tabs we added are in the sheet now, with the sheetIds we chose. */
	for (i = 0; i < n; i++)
		if (!tg[i].exists && cache_add(r->c, tg[i].title, tg[i].sheet_id) == -1)
			r->c->tabs_valid = 0;	/* out of memory: read the list next time */
	if (r->snap_write && snapshot_noted(r, e) == -1)
		return -1;
	return 0;
}

/* ---- sheet edits (issue 12) ---- */

/* Is the saved tab list from this configuration (so its sheetIds compare)? */
static int
saved_tabs_trusted(const struct cycle *c, const char *basis)
{
	const char *old = state_basis(c->state);
	size_t len = basis_config_len(basis);

	return state_sheets_count(c->state) > 0 && old != NULL &&
	    basis_config_len(old) == len && strncmp(old, basis, len) == 0;
}

/* One tab.renamed or tab.removed event per change, before the cells. */
static int
audit_tab_changes(struct run *r, struct err *e)
{
	const struct tab_change *ch;
	size_t i;
	int rc = 0;

	for (i = 0; i < r->changes.n && rc == 0; i++) {
		ch = &r->changes.c[i];
		if (ch->kind == TAB_RENAMED)
			rc = audit_append_pack(r->c->audit, e, "tab.renamed",
			    "{s:I, s:s, s:s}", "sheetId", (json_int_t)ch->sheet_id,
			    "old", ch->old, "new", ch->now);
		else if (ch->households >= 0)
			rc = audit_append_pack(r->c->audit, e, "tab.removed",
			    "{s:s, s:I, s:I}", "tab", ch->old, "sheetId",
			    (json_int_t)ch->sheet_id, "households", (json_int_t)ch->households);
		else
			rc = audit_append_pack(r->c->audit, e, "tab.removed", "{s:s, s:I}",
			    "tab", ch->old, "sheetId", (json_int_t)ch->sheet_id);
	}
	return rc;
}

/* Each district tab's household count, for a tab.removed later. */
static void
tabs_households(struct run *r)
{
	size_t i, j, nd = r->report.nsummary > 0 ? r->report.nsummary - 1 : 0;

	for (i = 0; i < state_sheets_count(r->next); i++)
		for (j = 0; j < nd; j++)
			if (!r->report.summary[j].missing &&
			    strcmp(r->report.summary[j].district,
			    state_sheet(r->next, i)->title) == 0) {
				state_sheet_set_households(r->next, i,
				    r->report.summary[j].households);
				break;
			}
}

#define CONFLICT_QUIET_CYCLES 3	/* the other's silence that ends a conflict */

/*
 * footer_step(r, need_write): the audit head the summary's footer shows
 * against the one we published last.  Not ours any more: either an editor
 * typed over it (not a head, or an older head of our log: write it again,
 * it is the log's anchor outside the host), or another syncd wrote the
 * sheet (a head our log does not hold: foreign_head, see conflict_step).
 */
static void
footer_step(struct run *r, int *need_write)
{
	const char *pub = state_published_head(r->c->state);
	struct audit_head h;
	struct audit_verify_result vr;
	struct err pe;

	r->foreign_head = 0;
	if (pub == NULL || strcmp(r->sheet_head, pub) == 0)
		return;
	err_init(&pe);
	if (audit_parse_head(r->sheet_head, &h, &pe) == 0) {
		err_init(&pe);
		/* Reads the log: only when the footer moved under us. */
		r->foreign_head = audit_verify_file(r->cfg->audit_log, &h, &vr, &pe) != 0;
	}
	if (!r->foreign_head)
		*need_write = 1;
}

#define CONFLICT_QUIET_CYCLES 3	/* the other's silence that ends a conflict */

/*
 * conflict_step(r, need_write, e): another syncd writing this sheet and
 * evaluating it differently: the summary changed under us after our own
 * write (we have published a head, and the footer now shows a head our log
 * does not hold) and we would write.  The two would fight: record
 * writer.conflict once, write nothing, and read again each cycle.  It
 * clears when the footer shows our head or none, when the sheet holds what
 * we would write, or when the sheet changed and the other then did not
 * write for CONFLICT_QUIET_CYCLES of our cycles (it no longer runs).  A
 * syncd that never wrote the sheet (no published head) takes over; the one
 * it replaced then stops.  Returns 0, or the audit failure.
 */
static int
conflict_step(struct run *r, int *need_write, struct err *e)
{
	struct cycle *c = r->c;
	const char *other, *footer, *ver;
	long quiet;
	int rc, cand;

	cand = *need_write && r->foreign_head;
	other = state_conflict(c->state, &footer, &ver, &quiet);
	if (!cand)
		return other != NULL ? state_set_conflict(r->next, NULL, NULL, NULL, 0, e) : 0;
	r->conflict = 1;
	*need_write = 0;
	if (other == NULL) {
		rc = audit_append_pack(c->audit, e, "writer.conflict", "{s:s, s:s, s:s?, s:s}",
		    "other_head", r->sheet_head, "published_head", state_published_head(c->state),
		    "other", r->sheet_inst[0] != '\0' ? r->sheet_inst : NULL,
		    "action", "stopped writing");
		if (rc != 0)
			return rc;
		r->conflict_new = 1;
		return state_set_conflict(r->next, "syncd", r->sheet_head, r->version, 0, e);
	}
	if (strcmp(footer, r->sheet_head) != 0)	/* it wrote again: it is running */
		return state_set_conflict(r->next, other, r->sheet_head, r->version, 0, e);
	if (quiet == 0 && strcmp(ver, r->version) == 0)
		return 0;		/* nothing changed: nothing to tell */
	if (quiet < CONFLICT_QUIET_CYCLES)
		return state_set_conflict(r->next, other, r->sheet_head, ver, quiet + 1, e);
	/* The sheet changed and the other did not answer: it no longer runs. */
	r->conflict = 0;
	*need_write = 1;
	r->conflict_cleared = 1;
	return state_set_conflict(r->next, NULL, NULL, NULL, 0, e);
}

/* Log an api.error for a failed step; returns AUDIT_FATAL or 0. */
static int
audit_failure(struct cycle *c, const char *step, const struct err *e)
{
	struct err ae;
	int rc;

	err_init(&ae);
	rc = audit_append_pack(c->audit, &ae, "api.error", "{s:s, s:i, s:s}",
	    "step", step, "status", e->status, "message", e->msg);
	if (rc == 0)
		rc = audit_sync(c->audit, &ae);
	return rc == AUDIT_FATAL ? AUDIT_FATAL : 0;
}

static void
finish_metrics(struct cycle *c, const struct cycle_result *res, int ok, double t0)
{
	struct metrics *m = &c->metrics;

	m->cycles++;
	m->last_duration = monotime_now() - t0;
	if (!ok) {
		m->failures++;
		return;
	}
	m->last_success = time(NULL);
	if (res->wrote)
		m->writes++;
	if (!res->idle) {
		m->households = res->households;
		m->errors = res->errors;
		m->warnings = res->warnings;
	}
}

/*
 * report_step(c, r, evaluated, res, e): the daily LINE report after a good
 * cycle (syncd/linereport): r's evaluation when this cycle made one, else
 * only a pending push is retried.  Its own failures do not fail the cycle
 * (the sheet is done): they are in res->report.  Returns 0, or AUDIT_FATAL
 * with e set (the audit log lost durability).
 */
static int
report_step(struct cycle *c, struct run *r, int evaluated, struct cycle_result *res,
    struct err *e)
{
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
	env.report = evaluated ? &r->report : NULL;
	err_init(&le);
	rc = linereport_step(&env, &lr, &le);
	if (rc == AUDIT_FATAL) {
		*e = le;
		res->step = "report";
		return AUDIT_FATAL;
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

int
cycle_run(struct cycle *c, struct cycle_result *res, struct err *e)
{
	const struct config *cfg = c->cfg;
	struct run r;
	char today_s[16], hash[65], head[96], hhash[65];
	uint64_t req0, in0, out0, seq;
	double t0 = monotime_now(), t1;
	const char *step = "drive";
	int need_write, rc = -1, synced = 0, full, prev_ok;
	const struct rules_summary *tot;

	memset(res, 0, sizeof(*res));
	memset(&r, 0, sizeof(r));
	r.c = c;
	r.cfg = cfg;
	r.fs_col = -1;
	today_clock_read(&c->opts.clock, time(NULL), &r.clock);
	r.now = r.clock.t;
	r.today = r.clock.day;
	r.e = e;
	traffic(c->ss.http, &req0, &in0, &out0);
	retry_cycle_begin(&c->retry, (double)cfg->retry_budget);
	c->cycle_no++;
	full = cfg->full_read_every > 0 && c->cycle_no % (uint64_t)cfg->full_read_every == 0;
	today_format(r.today, today_s, sizeof(today_s));
	snprintf(r.basis, sizeof(r.basis), "syncd %s; config %s; today %s", SYNCD_VERSION,
	    c->ss.cfg_sha, today_s);

	/* 1-2. The change check. */
	if (sheets_drive_version(c->ss.sheets, &r.version, e) == -1)
		goto fail;
	if (!full && state_version(c->state) != NULL && state_basis(c->state) != NULL &&
	    strcmp(state_version(c->state), r.version) == 0 &&
	    strcmp(state_basis(c->state), r.basis) == 0 &&
	    !linereport_needs_sheet(cfg, cfg->state_dir, &r.clock)) {
		res->idle = 1;
		/* A sealed log gets a seal each day even when idle, so a log
		 * cut back to an earlier day is caught (syncd/seal.h). */
		step = "audit";
		if ((rc = audit_seal_tick(c->audit, e)) != 0)
			goto fail_rc;
		rc = report_step(c, &r, 0, res, e);
		goto done;
	}

	/* 3-4. The tab list, read again whenever the version moved (a tab
	 * added, removed or renamed shows within one cycle), compared with the
	 * saved one by sheetId; then ONE read of the tabs by sheetId. */
	step = "tabs";
	prev_ok = saved_tabs_trusted(c, r.basis);
	if (discover(&r, e) == -1)
		goto fail;
	if (prev_ok && tabwatch_diff(c->state, &c->tabs, &r.changes, e) == -1)
		goto fail;
	/* With a saved list this is a re-list, not a discovery: the notes are
	 * still read (a third read on a changed cycle that annotates). */
	if (prev_ok) {
		r.discovered = 0;
		r.sheet_reads++;
	}
	if (state_instance(c->state) != NULL)
		snprintf(r.inst, sizeof(r.inst), "%s", state_instance(c->state));
	else if (tabwatch_new_instance(r.inst, e) == -1)
		goto fail;
	step = "batchGet";
	if (read_tabs(&r, e) == -1)
		goto fail;
	r.sheet_reads++;
	step = "evaluate";
	res->parse_s = r.parse_s;
	t1 = monotime_now();
	if (rules_evaluate(r.view, &cfg->rules, r.today, &r.report, e) == -1)
		goto fail;
	res->evaluate_s = monotime_now() - t1;
	malloc_trim(0);		/* the engine's tables are gone */

	/* 5a. Notes, views, protections, chart: one read, then the plan. */
	step = "notes";
	if (annotate_run(&r, e) == -1)
		goto fail;

	/* 6a. Compare our tabs with the sheet's while it is here. */
	step = "render";
	if (early_compare(&r, e) == -1)
		goto fail;
	writer_footer_read(view_tab(r.view, cfg->rules.summary_tab), r.sheet_head,
	    sizeof(r.sheet_head), r.sheet_inst, sizeof(r.sheet_inst));

	/* Reports over time: planned while the workbook is here. */
	step = "overtime";
	if (plan_overtime(&r, e) == -1)
		goto fail;

	/* 5. Audit, write-ahead. */
	step = "audit";
	if ((r.next = state_new()) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (state_copy_sheet_edits(r.next, c->state, e) == -1 ||
	    state_set_instance(r.next, r.inst, e) == -1)
		goto fail;
	if ((rc = audit_tab_changes(&r, e)) != 0 || (rc = diff_cells(&r, e)) != 0)
		goto fail_rc;
	rc = -1;
	/* The sheet's values are no longer needed: free them before the state
	 * is loaded and the rest is built (the report owns its strings). */
	workbook_free(r.wf);
	r.wf = NULL;
	r.view = &r.empty;
	malloc_trim(0);
	if (c->state_light) {
		step = "state";
		if ((r.old = state_load(cfg->state_dir, e)) == NULL)
			goto fail;
		step = "audit";
	}
	if ((rc = diff_findings(&r, e)) != 0)
		goto fail_rc;
	rc = -1;
	if (annotate_state(&r, e) == -1)
		goto fail;
	state_free(r.old);
	r.old = NULL;

	/* 6b. Render; the first-seen column is compared now. */
	step = "render";
	{
		struct writer_disc_opts o = { first_seen_text, r.linking ? link_text : NULL,
		    NULL, &r };

		if (writer_discrepancies_with(&r.report, &o, &r.disc, e) == -1)
			goto fail;
	}
	need_write = !fs_column_matches(&r) || r.hist_write || r.snap_write ||
	    (r.annotating && json_array_size(r.plan.requests) > 0);
	footer_step(&r, &need_write);
	step = "audit";
	if ((rc = conflict_step(&r, &need_write, e)) != 0)
		goto fail_rc;
	rc = -1;
	res->conflict = r.conflict;
	res->conflict_new = r.conflict_new;
	res->conflict_cleared = r.conflict_cleared;
	if (r.conflict_new || r.conflict_cleared)
		snprintf(res->other_writer, sizeof(res->other_writer), "%s", r.sheet_head);
	step = "render";
	grids_hash(&r.sum, &r.disc, hash);
	tot = r.report.nsummary > 0 ? &r.report.summary[r.report.nsummary - 1] : NULL;
	res->households = tot != NULL ? tot->households : 0;
	res->errors = (long)report_count(&r.report, RULES_ERROR);
	res->warnings = (long)report_count(&r.report, RULES_WARNING);

	step = "audit";
	if (r.snap_write && (rc = audit_append_pack(c->audit, e, "snapshot.written",
	    "{s:s, s:s}", "title", r.snap_title, "sha256", r.snap_sha)) != 0)
		goto fail_rc;
	if (need_write && (rc = audit_append_pack(c->audit, e, "summary.written",
	    "{s:I, s:I, s:s}", "rows", (json_int_t)r.report.nsummary,
	    "discrepancies", (json_int_t)r.report.nfindings, "hash", hash)) != 0)
		goto fail_rc;
	if (r.baseline)
		rc = audit_append_pack(c->audit, e, "cycle",
		    "{s:s, s:I, s:I, s:I, s:I, s:b, s:I, s:I}", "version", r.version,
		    "households", (json_int_t)res->households,
		    "errors", (json_int_t)res->errors, "warnings", (json_int_t)res->warnings,
		    "requests", (json_int_t)(total_requests(c->ss.http) - req0),
		    "write", need_write, "duration_ms", (json_int_t)((monotime_now() - t0) * 1000),
		    "baseline", (json_int_t)r.cells_recorded);
	else
		rc = audit_append_pack(c->audit, e, "cycle",
		    "{s:s, s:I, s:I, s:I, s:I, s:b, s:I}", "version", r.version,
		    "households", (json_int_t)res->households,
		    "errors", (json_int_t)res->errors, "warnings", (json_int_t)res->warnings,
		    "requests", (json_int_t)(total_requests(c->ss.http) - req0),
		    "write", need_write, "duration_ms", (json_int_t)((monotime_now() - t0) * 1000));
	if (rc != 0)
		goto fail_rc;
	if ((rc = audit_sync(c->audit, e)) != 0)
		goto fail_rc;
	rc = -1;
	synced = 1;

	/* 6. The write: after the sync, with the head that now holds. */
	if (need_write) {
		step = "write";
		audit_head(c->audit, &seq, hhash);
		snprintf(head, sizeof(head), "%" PRIu64 ":%s", seq, hhash);
		if (render_summary(&r, head, e) == -1 || write_tabs(&r, e) == -1)
			goto fail;
		res->wrote = 1;
		if (state_set_published_head(r.next, head, e) == -1)
			goto fail;
	}

	/* 7. State. */
	step = "state";
	/* In a conflict the version is not kept: read again next cycle. */
	if (state_set_version(r.next, r.conflict ? NULL : r.version, e) == -1 ||
	    state_set_basis(r.next, r.basis, e) == -1 ||
	    state_set_rendered_hash(r.next, hash, e) == -1 ||
	    tabs_to_state(c, r.next, e) == -1)
		goto fail;
	tabs_households(&r);
	state_set_cycle(r.next, c->cycle_no);
	if (cellfile_commit(r.cf, e) == -1 || state_save(r.next, cfg->state_dir, e) == -1) {
		/*
		 * The state could not be made durable (a failed fsync, a full
		 * disk).  After a failed fsync the kernel may have dropped the
		 * data and a later fsync may lie (fsyncgate), so carrying on
		 * from a state the disk may not hold is not safe: log it, exit,
		 * and the restart starts again from the state on disk.
		 */
		if (e->code == ERR_IO) {
			(void)audit_failure(c, step, e);
			rc = AUDIT_FATAL;
			res->step = step;
			goto done;
		}
		goto fail;
	}
	keep_state(c, r.next);
	r.next = NULL;

	/* 8. The daily LINE report, once the sheet is done. */
	rc = report_step(c, &r, 1, res, e);
	goto done;

fail:
	rc = -1;
fail_rc:
	if (rc == AUDIT_FATAL) {
		res->step = "audit";
		goto done;
	}
	rc = -1;
	res->step = step;
	if (synced && r.next != NULL && strcmp(step, "state") != 0) {
		/* The events are in the log: keep what they recorded, but clear
		 * the version so that the next cycle reads and writes again. */
		struct err se;

		err_init(&se);
		state_set_cycle(r.next, c->cycle_no);
		/* A refused write may mean a stale tab list: discover it again. */
		if (strcmp(step, "write") == 0)
			c->tabs_valid = 0;
		if (tabs_to_state(c, r.next, &se) == 0 &&
		    state_set_version(r.next, NULL, &se) == 0 &&
		    (r.cf == NULL || cellfile_commit(r.cf, &se) == 0) &&
		    state_save(r.next, cfg->state_dir, &se) == 0) {
			keep_state(c, r.next);
			r.next = NULL;
		}
	}
	if (audit_failure(c, step, e) == AUDIT_FATAL)
		rc = AUDIT_FATAL;
done:
	/* The month's e-mail, after the cycle (idle or not) and its state:
	 * a slow mail server never holds the sheet's write back. */
	if (rc == 0 && cfg->mail.enabled) {
		struct err me;
		int mrc;

		err_init(&me);
		mrc = overtime_mail_run(cfg, c->audit, r.today, r.now, &me);
		if (mrc == AUDIT_FATAL) {
			err_set(e, me.code, "%s", me.msg);
			res->step = "audit";
			rc = AUDIT_FATAL;
		} else if (mrc == -1)
			(void)audit_failure(c, "mail", &me);
	}
	traffic(c->ss.http, &res->requests, &res->bytes_in, &res->bytes_out);
	res->requests -= req0;
	res->bytes_in -= in0;
	res->bytes_out -= out0;
	res->duration_ms = (long)((monotime_now() - t0) * 1000);
	retry_cycle_end(&c->retry);
	finish_metrics(c, res, rc == 0, t0);
	run_fini(&r);
	return rc;
}
