/*
 * rollup: the Department's national rollup (issue 18).  With a `rollup`
 * group in the configuration, syncd reads the summary tabs of the provinces'
 * spreadsheets (never a district tab) and writes three tabs of the national
 * spreadsheet (spreadsheet_id): the national summary (summary_tab: a row per
 * province with its totals, when its figures were last updated and its audit
 * head, then the total row รวมทั้งประเทศ), every district of every province
 * (ROLLUP_DISTRICT_TAB) and the provinces that could not be read, with the
 * reason in Thai and what to do (ROLLUP_UNREADABLE_TAB).
 *
 * Change detection costs one request per idle cycle whatever the number of
 * sources: Drive's changes feed (changes.getStartPageToken once, then
 * changes.list with the token kept in STATE_DIR/rollup.json; rollup_feed.c).
 * Only the sources the feed names are read again.  Sheets reads and writes
 * are paced by a sliding one-minute window (pace.c) sized from
 * read_quota_per_minute and write_quota_per_minute, so a cold start of more
 * sources than the quota waits instead of meeting a 429.  Its own audit log (audit_log) records
 * source.changed for each province whose figures moved, summary.written
 * before the national sheet is written, and cycle.
 *
 * It logs one line per cycle to stderr (and as STATUS= to systemd, with
 * READY=1, WATCHDOG=1 and STOPPING=1 as the unit expects) and never writes a
 * province's sheet.  What the tabs hold (a summary tab parsed, the national
 * tabs' rows) is rollup_tabs.c's; which sources changed, rollup_feed.c's;
 * this file reads, paces and writes.
 */
#include "syncd/rollup.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "auth/key.h"
#include "auth/token.h"
#include "syncd/audit.h"
#include "syncd/cycle.h"
#include "syncd/fsutil.h"
#include "syncd/http.h"
#include "syncd/monotime.h"
#include "syncd/notify.h"
#include "syncd/pace.h"
#include "syncd/range.h"
#include "syncd/rollup_handle.h"
#include "syncd/rollup_tabs.h"
#include "syncd/session.h"
#include "syncd/sha256.h"
#include "syncd/sheets.h"

#define ROLLUP_STATE		"rollup.json"

static volatile sig_atomic_t rollup_stop;
static volatile sig_atomic_t rollup_hup;	/* SIGHUP: read the configuration again */
static volatile sig_atomic_t rollup_usr1;	/* SIGUSR1: `syncd audit rotate` */

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		rollup_hup = 1;
	else if (sig == SIGUSR1)
		rollup_usr1 = 1;
	else
		rollup_stop = 1;
}

/*
 * keepalive(): WATCHDOG=1 at half the interval systemd asks for, from every
 * wait (quota, poll) and after every source read, so a cold start that
 * waits out a minute of quota is never taken for a hang.
 */
static double last_ping;

static void
keepalive(void)
{
	uint64_t usec = notify_watchdog_usec();
	double now;

	if (usec == 0)
		return;
	now = monotime_now();
	if (now - last_ping >= (double)usec / 2e6) {
		notify_send("WATCHDOG=1");
		last_ping = now;
	}
}


static int
token_cb(void *ctx, int force, const char **bearer, struct err *e)
{
	return auth_token_get(ctx, force, bearer, e);
}

static void
count_request(void *ctx, const char *op, long status)
{
	struct rollup *r = ctx;

	(void)status;
	if (strcmp(op, "token") != 0)
		r->requests++;
}

struct sheets *
rollup_client_for(struct rollup *r, const char *id, struct err *e)
{
	struct sheets_opts so;

	memset(&so, 0, sizeof(so));
	so.http = r->http;
	so.sheets_url = r->cfg->sheets_url;
	so.drive_url = r->cfg->drive_url;
	so.spreadsheet_id = id;
	so.client_email = auth_key_client_email(r->key);
	so.token = token_cb;
	so.token_ctx = r->token;
	return sheets_client_new(&so, e);
}

/*
 * rollup_connect(r, e): the key, HTTP client, token and national sheet's
 * client that r->cfg names (r's four are NULL).  Returns 0, or -1 with e set
 * and whatever was made left for rollup_disconnect.
 */
static int
rollup_connect(struct rollup *r, struct err *e)
{
	const struct config *cfg = r->cfg;
	struct http_opts ho;
	struct auth_token_opts to;

	if ((r->key = session_load_key(cfg, e)) == NULL)
		return -1;
	memset(&ho, 0, sizeof(ho));
	ho.ca_file = cfg->ca_file;
	ho.connect_timeout_s = cfg->connect_timeout;
	ho.timeout_s = cfg->request_timeout;
	ho.on_request = count_request;
	ho.on_request_ctx = r;
	if ((r->http = http_new(&ho, e)) == NULL)
		return -1;
	memset(&to, 0, sizeof(to));
	to.key = r->key;
	to.post = http_auth_post;
	to.post_ctx = r->http;
	if ((r->token = auth_token_new(&to, e)) == NULL)
		return -1;
	if ((r->national = rollup_client_for(r, cfg->spreadsheet_id, e)) == NULL)
		return -1;
	return 0;
}

static void
rollup_disconnect(struct rollup *r)
{
	sheets_client_free(r->national);
	auth_token_free(r->token);
	http_free(r->http);
	auth_key_free(r->key);
	r->national = NULL;
	r->token = NULL;
	r->http = NULL;
	r->key = NULL;
}

static void
rollup_free(struct rollup *r)
{
	if (r == NULL)
		return;
	rollup_disconnect(r);
	audit_close(r->audit);
	json_decref(r->state);
	pace_fini(&r->reads);
	pace_fini(&r->writes);
	free(r);
}

/*
 * entry_sound(entry): whether a source's saved entry has the shape
 * read_source gives it ("ok" with its figures, or "error" with the reason
 * and what to do), so the tabs built from it never meet a missing member.
 */
static int
entry_sound(const json_t *entry)
{
	const char *status = json_string_value(json_object_get(entry, "status"));

	if (!json_is_object(entry) || status == NULL ||
	    !json_is_string(json_object_get(entry, "province")))
		return 0;
	if (strcmp(status, "ok") == 0)
		return json_is_array(json_object_get(entry, "headers")) &&
		    json_is_array(json_object_get(entry, "total")) &&
		    json_is_array(json_object_get(entry, "districts")) &&
		    json_is_string(json_object_get(entry, "updated")) &&
		    json_is_string(json_object_get(entry, "head"));
	return strcmp(status, "error") == 0 &&
	    json_is_string(json_object_get(entry, "reason")) &&
	    json_is_string(json_object_get(entry, "todo"));
}

/*
 * forget_unsound(r): a saved entry of another shape (rollup.json edited by
 * hand, or by another program) is forgotten, with its Drive version, and
 * said on stderr: the source is then one never read, read in the next
 * cycle, instead of the national tabs being built from what is not there.
 */
static void
forget_unsound(struct rollup *r)
{
	json_t *sources = json_object_get(r->state, "sources");
	json_t *vers = json_object_get(r->state, "versions");
	const char *id;
	json_t *entry;
	void *it;

	json_object_foreach_safe(sources, it, id, entry) {
		if (entry_sound(entry))
			continue;
		fprintf(stderr, "syncd: %s: source %s: its saved entry is not one syncd "
		    "wrote; reading it again\n", r->state_path, id);
		if (json_is_object(vers))
			(void)json_object_del(vers, id);
		(void)json_object_del(sources, id);
	}
}

static struct rollup *
rollup_new(const struct config *cfg, struct err *e)
{
	struct rollup *r = calloc(1, sizeof(*r));
	json_error_t je;

	if (r == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	r->cfg = cfg;
	if (pace_init(&r->reads, (size_t)cfg->read_quota_per_minute, e) == -1 ||
	    pace_init(&r->writes, (size_t)cfg->write_quota_per_minute, e) == -1)
		goto fail;
	if (rollup_connect(r, e) == -1)
		goto fail;
	if (mkdir(cfg->state_dir, 0700) == -1 && errno != EEXIST) {
		err_set(e, ERR_IO, "%s: %s", cfg->state_dir, strerror(errno));
		goto fail;
	}
	if ((r->audit = audit_open(cfg->audit_log, NULL, NULL, e)) == NULL)
		goto fail;
	audit_set_rotate_bytes(r->audit, (off_t)cfg->audit_rotate_bytes);
	snprintf(r->state_path, sizeof(r->state_path), "%s/%s", cfg->state_dir,
	    ROLLUP_STATE);
	r->state = json_load_file(r->state_path, 0, &je);
	if (r->state == NULL && access(r->state_path, F_OK) == 0) {
		err_set(e, ERR_DATA, "%s: %s (line %d)", r->state_path, je.text, je.line);
		goto fail;
	}
	if (r->state != NULL && !json_is_object(r->state)) {
		err_set(e, ERR_DATA, "%s: not a JSON object", r->state_path);
		goto fail;
	}
	if (r->state == NULL)
		r->state = json_pack("{s:{}}", "sources");
	if (!json_is_object(json_object_get(r->state, "sources")))
		json_object_set_new(r->state, "sources", json_object());
	forget_unsound(r);
	return r;
fail:
	rollup_free(r);
	return NULL;
}

/* ---- reading a province's summary tab ---- */

/*
 * read_source(r, src, e): read one province's summary tab (one Sheets read,
 * paced) into its state entry, appending source.changed when its figures
 * moved.  Returns 0 (read or recorded as unreadable), or -1: on SIGTERM
 * (e untouched), or with e fatal when the audit log lost durability.
 */
static int
read_source(struct rollup *r, const struct config_source *src, struct err *e)
{
	json_t *sources = json_object_get(r->state, "sources");
	json_t *old = json_object_get(sources, src->spreadsheet_id), *entry, *sum;
	struct sheets *s;
	struct sheets_reply rep;
	struct err sub;
	const char *tab = src->summary_tab;
	char why[512];
	int rc;

	if (pace_take(&r->reads, &rollup_stop, keepalive) == -1)
		return -1;
	err_init(&sub);
	entry = json_object();
	memset(&rep, 0, sizeof(rep));
	if ((s = rollup_client_for(r, src->spreadsheet_id, &sub)) == NULL ||
	    sheets_batch_get(s, &tab, 1, &rep, &sub) == -1) {
		rollup_tabs_unreadable(&sub, src, auth_key_client_email(r->key), entry);
	} else if (rollup_tabs_parse_summary(rep.body, rep.len, &sum, why, sizeof(why)) == -1) {
		json_object_set_new(entry, "status", json_string("error"));
		json_object_set_new(entry, "reason", json_string(why));
		json_object_set_new(entry, "todo", json_string("ตรวจว่าแท็บสรุปเขียนโดย "
		    "syncd ของจังหวัด ไม่ได้แก้ด้วยมือ"));
	} else {
		json_object_update(entry, sum);
		json_decref(sum);
		json_object_set_new(entry, "status", json_string("ok"));
	}
	pace_done(&r->reads);
	sheets_reply_fini(&rep);
	sheets_client_free(s);
	json_object_set_new(entry, "province", json_string(src->province));
	rc = 0;
	if (strcmp(json_string_value(json_object_get(entry, "status")), "ok") == 0 &&
	    (old == NULL || !json_equal(json_object_get(old, "total"),
	    json_object_get(entry, "total")))) {
		rc = audit_append_pack(r->audit, e, "source.changed",
		    "{s:s, s:s, s:O, s:O, s:O, s:O}", "province", src->province,
		    "spreadsheet_id", src->spreadsheet_id,
		    "headers", json_object_get(entry, "headers"),
		    "total", json_object_get(entry, "total"),
		    "updated", json_object_get(entry, "updated"),
		    "audit_head", json_object_get(entry, "head"));
	}
	json_object_set_new(sources, src->spreadsheet_id, entry);
	return rc != 0 && err_is_fatal(e) ? -1 : 0;
}

/* ---- writing the national tabs ---- */

static const char *const tab_keys[3] = { "summary", "districts", "unreadable" };

static const char *
tab_title(const struct config *cfg, size_t i)
{
	return i == 0 ? cfg->rules.summary_tab : i == 1 ? ROLLUP_DISTRICT_TAB :
	    ROLLUP_UNREADABLE_TAB;
}

/* Add the national tabs that do not exist yet (one read, one write at most). */
static int
ensure_tabs(struct rollup *r, struct err *e)
{
	struct sheets_tabs tabs;
	struct sheets_reply rep;
	json_t *reqs, *body;
	size_t i, k;
	int rc;

	if (json_is_true(json_object_get(r->state, "tabs_ok")))
		return 0;
	if (pace_take(&r->reads, &rollup_stop, keepalive) == -1)
		return -1;
	rc = sheets_get_tabs(r->national, &tabs, e);
	pace_done(&r->reads);
	if (rc == -1)
		return -1;
	reqs = json_array();
	for (i = 0; i < 3; i++) {
		for (k = 0; k < tabs.n; k++)
			if (strcmp(tabs.tabs[k].title, tab_title(r->cfg, i)) == 0)
				break;
		if (k == tabs.n)
			json_array_append_new(reqs, json_pack("{s:{s:{s:s}}}", "addSheet",
			    "properties", "title", tab_title(r->cfg, i)));
	}
	sheets_tabs_fini(&tabs);
	rc = 0;
	if (json_array_size(reqs) > 0) {
		body = json_pack("{s:o}", "requests", reqs);
		if (pace_take(&r->writes, &rollup_stop, keepalive) == -1) {
			json_decref(body);
			return -1;
		}
		rc = sheets_batch_update(r->national, body, 0, &rep, e);
		pace_done(&r->writes);
		sheets_reply_fini(&rep);
		json_decref(body);
	} else
		json_decref(reqs);
	if (rc == 0)
		json_object_set_new(r->state, "tabs_ok", json_true());
	return rc;
}

static int
write_national(struct rollup *r, json_t *vals, struct err *e)
{
	const char *ranges[3];
	char *owned[3] = { NULL, NULL, NULL };
	json_t *data = json_array();
	struct sheets_reply rep;
	size_t i;
	int rc = -1, sent;

	if (ensure_tabs(r, e) == -1)
		goto out;
	for (i = 0; i < 3; i++) {
		if ((owned[i] = range_quote(tab_title(r->cfg, i), NULL, RANGE_QUOTE_ALWAYS,
		    e)) == NULL)
			goto out;
		ranges[i] = owned[i];
		json_array_append_new(data, json_pack("{s:s, s:O}", "range", owned[i],
		    "values", json_object_get(vals, tab_keys[i])));
	}
	if (pace_take(&r->writes, &rollup_stop, keepalive) == -1)
		goto out;
	sent = sheets_values_batch_clear(r->national, ranges, 3, &rep, e);
	pace_done(&r->writes);
	if (sent == -1)
		goto out;
	sheets_reply_fini(&rep);
	if (pace_take(&r->writes, &rollup_stop, keepalive) == -1)
		goto out;
	sent = sheets_values_batch_update(r->national, data, &rep, e);
	pace_done(&r->writes);
	if (sent == -1)
		goto out;
	sheets_reply_fini(&rep);
	rc = 0;
out:
	for (i = 0; i < 3; i++)
		free(owned[i]);
	json_decref(data);
	return rc;
}

static int
save_state(struct rollup *r, struct err *e)
{
	char *text = json_dumps(r->state, JSON_COMPACT);
	int rc;

	if (text == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	rc = fsutil_write_atomic_buf(r->state_path, 0600, text, strlen(text), e);
	free(text);
	return rc;
}

/*
 * rollup_cycle(r, e): one cycle.  Returns 0, or -1 with e set: the step
 * failed (nothing half-written), or e is fatal (the audit log or the state
 * lost durability).
 */
static int
rollup_cycle(struct rollup *r, int *idle, struct err *e)
{
	const struct config *cfg = r->cfg;
	int read[CONFIG_MAX_SOURCES];
	size_t i, nread = 0;
	uint64_t seq;
	char hash[65], head[200], sha[SHA256_HEX_SIZE], *text;
	json_t *vals;
	double t0 = monotime_now();
	int rc;

	r->requests = 0;
	r->reads.waited = 0;
	*idle = 1;
	if (rollup_feed_changed(r, read, e) == -1)
		return -1;
	for (i = 0; i < cfg->nrollup; i++)
		nread += read[i] != 0;
	if (nread > (size_t)cfg->read_quota_per_minute) {
		char msg[200];

		snprintf(msg, sizeof(msg), "rollup: reading %zu sources at %ld reads a "
		    "minute: about %zu s, no 429", nread, cfg->read_quota_per_minute,
		    (nread - 1) / (size_t)cfg->read_quota_per_minute * 60);
		fprintf(stderr, "syncd: %s\n", msg);
		notify_status(msg);
	}
	for (i = 0; i < cfg->nrollup; i++) {
		if (!read[i])
			continue;
		keepalive();
		if (read_source(r, &cfg->rollup[i], e) != 0) {
			if (!err_is_fatal(e))
				err_set(e, ERR_TEMP, "stopped");
			return -1;
		}
	}
	audit_head(r->audit, &seq, hash);
	snprintf(head, sizeof(head), "%llu:%s", (unsigned long long)seq, hash);
	vals = rollup_tabs_national(cfg, json_object_get(r->state, "sources"), "");
	text = json_dumps(vals, JSON_COMPACT | JSON_SORT_KEYS);
	sha256_hex(text != NULL ? text : "", text != NULL ? strlen(text) : 0, sha);
	free(text);
	if (nread > 0 || json_object_get(r->state, "written") == NULL ||
	    strcmp(json_string_value(json_object_get(r->state, "written")), sha) != 0) {
		if (json_string_value(json_object_get(r->state, "written")) == NULL ||
		    strcmp(json_string_value(json_object_get(r->state, "written")), sha) != 0) {
			*idle = 0;
			if ((rc = audit_append_pack(r->audit, e, "summary.written",
			    "{s:s, s:i}", "sha256", sha, "sources_read", (int)nread)) != 0 ||
			    (rc = audit_sync(r->audit, e)) != 0) {
				json_decref(vals);
				return rc;
			}
			audit_head(r->audit, &seq, hash);
			snprintf(head, sizeof(head), "%llu:%s", (unsigned long long)seq, hash);
			json_decref(vals);
			vals = rollup_tabs_national(cfg, json_object_get(r->state, "sources"),
			    head);
			if (write_national(r, vals, e) == -1) {
				json_decref(vals);
				return -1;
			}
			json_object_set_new(r->state, "written", json_string(sha));
			json_object_set_new(r->state, "own_write", json_true());
		}
		if (nread > 0)
			*idle = 0;
	}
	json_decref(vals);
	if (!*idle) {
		rc = audit_append_pack(r->audit, e, "cycle", "{s:s, s:i, s:I, s:i}",
		    "kind", "rollup", "sources_read", (int)nread,
		    "requests", (json_int_t)r->requests,
		    "duration_ms", (int)((monotime_now() - t0) * 1000));
		if (rc != 0 || (rc = audit_sync(r->audit, e)) != 0)
			return rc;
	}
	if (save_state(r, e) == -1) {
		err_fatal(e, e->code, "%s", e->msg);
		return -1;
	}
	{
		char msg[300];

		snprintf(msg, sizeof(msg), "rollup: %s: %zu of %zu sources read, %llu "
		    "requests, %s, %.1f s waiting for quota", *idle ? "idle" : "changed",
		    nread, cfg->nrollup, (unsigned long long)r->requests,
		    json_is_true(json_object_get(r->state, "files_get")) ?
		    "mode files.get (one request per source)" :
		    "mode changes feed (one request when idle)", r->reads.waited);
		fprintf(stderr, "syncd: %s\n", msg);
		notify_status(msg);
	}
	return 0;
}

/*
 * rollup_reconfigure(r, cfg, e): run under cfg (borrowed; it must outlive
 * its use by r) from the next cycle: its key, endpoints, national sheet,
 * sources, quotas and poll interval.  The quota windows keep the last
 * minute's requests; the state forgets the sources no longer listed, and
 * the national tabs are made and written again when the national sheet is
 * another.  audit_log and state_dir cannot move under a running rollup.
 * Returns 0, or -1 with e set and r unchanged.
 */
static int
rollup_reconfigure(struct rollup *r, const struct config *cfg, struct err *e)
{
	struct rollup old = *r;
	struct pace reads, writes;
	json_t *sources = json_object_get(r->state, "sources");
	json_t *vers = json_object_get(r->state, "versions");
	const char *id;
	json_t *v;
	void *tmp;
	size_t i;

	if (strcmp(cfg->audit_log, old.cfg->audit_log) != 0 ||
	    strcmp(cfg->state_dir, old.cfg->state_dir) != 0) {
		err_set(e, ERR_CONFIG, "%s: changing audit_log or state_dir needs a "
		    "restart", cfg->path);
		return -1;
	}
	if (pace_init(&reads, (size_t)cfg->read_quota_per_minute, e) == -1)
		return -1;
	if (pace_init(&writes, (size_t)cfg->write_quota_per_minute, e) == -1) {
		pace_fini(&reads);
		return -1;
	}
	r->cfg = cfg;
	r->key = NULL;
	r->http = NULL;
	r->token = NULL;
	r->national = NULL;
	if (rollup_connect(r, e) == -1) {
		rollup_disconnect(r);
		r->cfg = old.cfg;
		r->key = old.key;
		r->http = old.http;
		r->token = old.token;
		r->national = old.national;
		pace_fini(&reads);
		pace_fini(&writes);
		return -1;
	}
	rollup_disconnect(&old);
	audit_set_rotate_bytes(r->audit, (off_t)cfg->audit_rotate_bytes);
	pace_carry(&reads, &r->reads);
	pace_carry(&writes, &r->writes);
	pace_fini(&r->reads);
	pace_fini(&r->writes);
	r->reads = reads;
	r->writes = writes;
	if (strcmp(cfg->spreadsheet_id, old.cfg->spreadsheet_id) != 0) {
		json_object_del(r->state, "tabs_ok");
		json_object_del(r->state, "written");
		json_object_del(r->state, "own_write");
	}
	json_object_foreach_safe(sources, tmp, id, v) {
		for (i = 0; i < cfg->nrollup; i++)
			if (strcmp(cfg->rollup[i].spreadsheet_id, id) == 0)
				break;
		if (i == cfg->nrollup) {
			/* id is sources' own key: freed with its entry, so
			 * used for vers first. */
			json_object_del(vers, id);
			json_object_del(sources, id);
		}
	}
	return 0;
}

/*
 * reload(r, owned): SIGHUP: read the configuration file again.  A bad one,
 * one without a rollup group or one rollup_reconfigure refuses is logged
 * and the running one kept; a good one holds from the next cycle, which
 * follows at once.  *owned: the configuration of the last reload (NULL:
 * still the caller's), freed when replaced.
 */
static void
reload(struct rollup *r, struct config **owned)
{
	struct config *cfg;
	struct err e;

	notify_send("RELOADING=1");
	err_init(&e);
	cfg = config_load(r->cfg->path, 0, &e);
	if (cfg != NULL && cfg->nrollup == 0)
		err_set(&e, ERR_CONFIG, "%s: no rollup group (a province's syncd needs a "
		    "restart)", cfg->path);
	if (cfg == NULL || cfg->nrollup == 0 || rollup_reconfigure(r, cfg, &e) == -1) {
		fprintf(stderr, "syncd: rollup: reload: %s; keeping the previous "
		    "configuration\n", e.msg);
		config_free(cfg);
	} else {
		config_free(*owned);
		*owned = cfg;
		fprintf(stderr, "syncd: rollup: reloaded %s: %zu sources\n", cfg->path,
		    cfg->nrollup);
	}
	notify_send("READY=1");
}

/*
 * audit_said(r): a rotation (at audit_rotate_bytes or asked) or a recovery
 * of the audit log, logged once.  Returns whether there was one.
 */
static int
audit_said(struct rollup *r)
{
	char buf[600];

	if (audit_notice(r->audit, buf, sizeof(buf)) == 0)
		return 0;
	fprintf(stderr, "syncd: rollup: audit log: %s\n", buf);
	return 1;
}

/*
 * rotate(r, e): SIGUSR1 (`syncd audit rotate`): rotate the audit log between
 * two cycles.  Returns 0, or -1 with e fatal when the log could not be made
 * durable.
 */
static int
rotate(struct rollup *r, struct err *e)
{
	if (audit_rotate(r->audit, "command", NULL, 0, e) != 0) {
		if (err_is_fatal(e))
			return -1;
		fprintf(stderr, "syncd: rollup: rotate: %s; the audit log goes on where it "
		    "is\n", e->msg);
	} else if (!audit_said(r)) {
		fprintf(stderr, "syncd: rollup: rotate: nothing to rotate\n");
	}
	return 0;
}

int
rollup_run(const struct config *cfg, int once)
{
	struct rollup *r;
	struct config *owned = NULL;	/* the configuration of the last SIGHUP */
	struct err e;
	struct sigaction sa;
	struct timespec ts;
	long left;
	int rc, idle, status;

	err_init(&e);
	if (http_global_init(&e) == -1) {
		fprintf(stderr, "syncd: %s\n", e.msg);
		return EX_SOFTWARE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: a sleep ends at the signal */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);	/* ignored until now (cmd_run's take_lock) */
	if ((r = rollup_new(cfg, &e)) == NULL) {
		fprintf(stderr, "syncd: rollup: %s\n", e.msg);
		return e.code == ERR_DATA || e.code == ERR_IO ? EX_IOERR :
		    cycle_exit_status(&e);
	}
	notify_send("READY=1");
	for (;;) {
		err_init(&e);
		rc = rollup_cycle(r, &idle, &e);
		(void)audit_said(r);
		if (rc != 0 && err_is_fatal(&e)) {
			fprintf(stderr, "syncd: rollup: %s\n", e.msg);
			status = EX_IOERR;
			break;
		}
		if (rc == -1)
			fprintf(stderr, "syncd: rollup: cycle failed: %s\n", e.msg);
		if (once && !rollup_stop) {
			status = rc == 0 ? 0 : cycle_exit_status(&e);
			break;
		}
		for (left = r->cfg->poll_interval * 2; left > 0 && !rollup_stop && !rollup_hup &&
		    !rollup_usr1; left--) {
			ts.tv_sec = 0;
			ts.tv_nsec = 500000000L;
			nanosleep(&ts, NULL);
			keepalive();
		}
		if (rollup_stop) {
			notify_send("STOPPING=1");
			status = 0;
			break;
		}
		if (rollup_hup) {
			rollup_hup = 0;
			reload(r, &owned);
		}
		if (rollup_usr1) {
			rollup_usr1 = 0;
			err_init(&e);
			if (rotate(r, &e) == -1) {
				fprintf(stderr, "syncd: rollup: %s\n", e.msg);
				status = EX_IOERR;
				break;
			}
		}
	}
	rollup_free(r);
	config_free(owned);
	return status;
}
