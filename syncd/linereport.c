/*
 * linereport: the daily LINE report, exactly once a day (see linereport.h).
 *
 * The order that makes "exactly once" hold across crashes:
 *   1. report.started (day, retry key, SHA-256 of the text) appended and
 *      synced, then report.json (status "started", key, text) replaced
 *      atomically: both before the first byte goes to LINE;
 *   2. the push, with that key, retried while LINE may not have seen it;
 *   3. report.sent / report.failed, then report.json again.
 * A crash after 1 leaves "started": the next run retries the same key and
 * text, and LINE answers 409 if the first try got through.  A crash between
 * the event and the file leaves no "started" state: nothing was pushed, and
 * the next run starts the day afresh (a second report.started, one push).
 */
#include "syncd/linereport.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "syncd/fsutil.h"
#include "syncd/linemsg.h"

static const char *const status_names[] = { "none", "started", "sent", "failed", "skipped" };

static int
state_path(const char *dir, char *out, size_t size, struct err *e)
{
	if (snprintf(out, size, "%s/%s", dir, LINEREPORT_FILE) >= (int)size) {
		err_set(e, ERR_CONFIG, "state_dir: path too long");
		return -1;
	}
	return 0;
}

void
linereport_state_fini(struct linereport_state *st)
{
	if (st == NULL)
		return;
	free(st->text);
	memset(st, 0, sizeof(*st));
	st->day = -1;
}

int
linereport_state_parse(const char *buf, size_t len, const char *name,
    struct linereport_state *st, struct err *e)
{
	const char *s;
	size_t i;
	json_t *doc;

	memset(st, 0, sizeof(*st));
	st->day = -1;
	doc = json_loadb(buf, len, 0, NULL);
	if (!json_is_object(doc) || (s = json_string_value(json_object_get(doc, "day"))) == NULL ||
	    today_parse(s, &st->day) == -1 ||
	    (s = json_string_value(json_object_get(doc, "status"))) == NULL) {
		json_decref(doc);
		st->day = -1;
		err_set(e, ERR_DATA, "%s: not a report state file (move it away to start over)",
		    name);
		return -1;
	}
	for (i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (strcmp(s, status_names[i]) == 0)
			st->status = (enum linereport_status)i;
	s = json_string_value(json_object_get(doc, "retry_key"));
	snprintf(st->retry_key, sizeof(st->retry_key), "%s", s != NULL ? s : "");
	if ((s = json_string_value(json_object_get(doc, "text"))) != NULL &&
	    (st->text = strdup(s)) == NULL) {
		json_decref(doc);
		linereport_state_fini(st);
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	st->started = json_integer_value(json_object_get(doc, "started"));
	st->developed = (long)json_integer_value(json_object_get(doc, "developed"));
	st->has_sent = json_is_integer(json_object_get(doc, "sent_developed"));
	st->sent_developed = (long)json_integer_value(json_object_get(doc, "sent_developed"));
	s = json_string_value(json_object_get(doc, "request_id"));
	snprintf(st->request_id, sizeof(st->request_id), "%s", s != NULL ? s : "");
	s = json_string_value(json_object_get(doc, "error"));
	snprintf(st->error, sizeof(st->error), "%s", s != NULL ? s : "");
	json_decref(doc);
	if (st->status == LINEREPORT_STARTED && (st->text == NULL ||
	    strlen(st->retry_key) != LINE_RETRY_KEY_LEN)) {
		linereport_state_fini(st);
		err_set(e, ERR_DATA, "%s: a started report without its key or text", name);
		return -1;
	}
	return 0;
}

int
linereport_state_load(const char *dir, struct linereport_state *st, struct err *e)
{
	char path[4096], *buf = NULL;
	size_t len;
	struct err fe;
	int rc;

	memset(st, 0, sizeof(*st));
	st->day = -1;
	if (state_path(dir, path, sizeof(path), e) == -1)
		return -1;
	err_init(&fe);
	if (fsutil_read_file(path, LINEREPORT_MAX_FILE, &buf, &len, &fe) == -1) {
		if (fe.code == ERR_NOINPUT && errno == ENOENT)
			return 0;
		err_set(e, fe.code == ERR_NOINPUT ? ERR_IO : fe.code, "%s", fe.msg);
		return -1;
	}
	rc = linereport_state_parse(buf, len, path, st, e);
	free(buf);
	return rc;
}

int
linereport_state_save(const char *dir, const struct linereport_state *st, struct err *e)
{
	char path[4096], day[16];
	json_t *doc;
	char *text;
	int rc;

	if (state_path(dir, path, sizeof(path), e) == -1)
		return -1;
	today_format(st->day, day, sizeof(day));
	doc = json_pack("{s:s, s:s, s:s, s:s?, s:I, s:I, s:s, s:s}", "day", day, "status",
	    status_names[st->status], "retry_key", st->retry_key, "text", st->text,
	    "started", (json_int_t)st->started, "developed", (json_int_t)st->developed,
	    "request_id", st->request_id, "error", st->error);
	if (doc != NULL && st->has_sent)
		json_object_set_new(doc, "sent_developed", json_integer(st->sent_developed));
	text = doc != NULL ? json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (text == NULL) {
		err_set(e, ERR_NOMEM, "report state: out of memory");
		return -1;
	}
	rc = fsutil_write_atomic_buf(path, 0600, text, strlen(text), e);
	free(text);
	return rc;
}

/* due(cfg, st, now): the day's report should start now. */
static int
due(const struct config *cfg, const struct linereport_state *st, const struct today_now *now)
{
	return cfg->report_on && now->minute >= cfg->report_at && now->day > st->day;
}

int
linereport_needs_sheet(const struct config *cfg, const char *dir,
    const struct today_now *now)
{
	struct linereport_state st;
	struct err e;
	int r;

	if (!cfg->report_on)
		return 0;
	err_init(&e);
	if (linereport_state_load(dir, &st, &e) == -1)
		return 0;	/* the step reports the broken file */
	r = st.status != LINEREPORT_STARTED && due(cfg, &st, now);
	linereport_state_fini(&st);
	return r;
}

char *
linereport_text(const struct config *cfg, const struct rules_report *report, int32_t today,
    const struct linereport_state *st, uint64_t head_seq, const char *head_hash,
    struct err *e)
{
	struct linemsg_in in;

	memset(&in, 0, sizeof(in));
	in.report = report;
	in.rules = &cfg->rules;
	in.today = today;
	in.has_prev = st != NULL && st->has_sent;
	in.prev_developed = st != NULL ? st->sent_developed : 0;
	in.spreadsheet_id = cfg->spreadsheet_id;
	in.head_seq = head_seq;
	in.head_hash = head_hash;
	return linemsg_build(&in, e);
}

static void
sha256_hex(const char *s, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	out[0] = '\0';
	if (EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL) != 1)
		return;
	for (i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* save(env, st, e): st to state_dir's report.json. */
static int
save(const struct linereport_env *env, struct linereport_state *st, struct err *e)
{
	return linereport_state_save(env->cfg->state_dir, st, e);
}

/* sync_event(env, e): make the events appended so far durable. */
static int
sync_event(const struct linereport_env *env, struct err *e)
{
	return audit_sync(env->audit, e);
}

/*
 * fail_day(env, st, status, message, res, e): end the day with
 * report.failed: audit event, state, result.
 */
static int
fail_day(const struct linereport_env *env, struct linereport_state *st, long status,
    const char *why, struct linereport_result *res, struct err *e)
{
	char day[16];
	int rc;

	today_format(st->day, day, sizeof(day));
	rc = audit_append_pack(env->audit, e, "report.failed", "{s:s, s:s, s:I, s:s}", "day",
	    day, "retry_key", st->retry_key, "status", (json_int_t)status, "message", why);
	if (rc == 0)
		rc = sync_event(env, e);
	if (rc != 0)
		return rc;
	st->status = LINEREPORT_FAILED;
	snprintf(st->error, sizeof(st->error), "%s", why);
	res->outcome = "failed";
	snprintf(res->msg, sizeof(res->msg), "%s", why);
	return save(env, st, e);
}

/* push(env, st, res, e): push st's text with st's key until answered or out of budget. */
static int
push(const struct linereport_env *env, struct linereport_state *st,
    struct linereport_result *res, struct err *e)
{
	const struct config *cfg = env->cfg;
	struct line_client lc;
	struct line_answer a;
	struct retry_op op;
	struct retry_why why;
	char day[16], sha[65], what[700], *token;
	struct err pe, te;
	int rc;

	today_format(st->day, day, sizeof(day));
	err_init(&te);
	if ((token = line_token_load(cfg->report_line_token_file, &te)) == NULL) {
		/* No token, no push: LINE never saw this key; try again next cycle. */
		res->outcome = "pending";
		snprintf(res->msg, sizeof(res->msg), "%s", te.msg);
		return 0;
	}
	lc.http = env->http;
	lc.url = cfg->report_line_url;
	lc.token = token;
	retry_op_begin(env->retry, &op);
	for (;;) {
		err_init(&pe);
		rc = line_push(&lc, cfg->report_line_to, st->retry_key, st->text, &a, &pe);
		if (rc == 0 && (a.status == 200 || a.status == 409))
			break;
		if (rc == 0 && a.status != 500 && a.status != 502 && a.status != 503 &&
		    a.status != 504 && a.status != 429) {
			line_token_free(token);
			snprintf(what, sizeof(what), "LINE refused the report: HTTP %ld%s%s",
			    a.status, a.message[0] != '\0' ? ": " : "", a.message);
			return fail_day(env, st, a.status, what, res, e);
		}
		if (rc == -1 && pe.code != ERR_HTTP) {
			/* Not sent at all (memory, URL): ours, not LINE's. */
			line_token_free(token);
			err_set(e, pe.code, "%s", pe.msg);
			return -1;
		}
		snprintf(what, sizeof(what), "%s", pe.msg);
		why.status = a.status == 429 ? 503 : a.status;	/* no daemon-wide slow-down */
		why.retry_after = -1;
		why.what = what;
		/* 429 (a limit) and a transport error that will not pass (a
		 * refused certificate) wait for the next cycle. */
		if (a.status == 429 || (rc == -1 && !a.transient) ||
		    retry_next(env->retry, &op, &why, &pe) == -1) {
			line_token_free(token);
			res->outcome = "pending";
			snprintf(res->msg, sizeof(res->msg), "no answer from LINE yet (%s); "
			    "retried with the same key later", what);
			return 0;
		}
	}
	line_token_free(token);
	sha256_hex(st->text, sha);
	rc = audit_append_pack(env->audit, e, "report.sent", "{s:s, s:s, s:s, s:s, s:I}",
	    "day", day, "retry_key", st->retry_key, "sha256", sha, "request_id", a.request_id,
	    "status", (json_int_t)a.status);
	if (rc == 0)
		rc = sync_event(env, e);
	if (rc != 0)
		return rc;
	st->status = LINEREPORT_SENT;
	snprintf(st->request_id, sizeof(st->request_id), "%s", a.request_id);
	st->has_sent = 1;
	st->sent_developed = st->developed;
	st->error[0] = '\0';
	res->outcome = "sent";
	if (save(env, st, e) == -1)
		return -1;
	if (a.status == 200 && cfg->report_webhook_url[0] != '\0') {
		/* Best effort, once: the webhook has no retry key. */
		struct line_answer wa;

		err_init(&pe);
		if (line_webhook(env->http, cfg->report_webhook_url, st->text, &wa, &pe) == -1 ||
		    wa.status < 200 || wa.status > 299)
			snprintf(res->msg, sizeof(res->msg), "sent; the webhook failed: %s",
			    wa.status != 0 ? "HTTP error" : pe.msg);
	}
	return 0;
}

/* start(env, st, res, e): the day's report from env->report: quota, persist, push. */
static int
start(const struct linereport_env *env, struct linereport_state *st,
    struct linereport_result *res, struct err *e)
{
	const struct config *cfg = env->cfg;
	struct line_client lc;
	struct line_answer a;
	struct line_quota q;
	char hash[65], sha[65], *text, *token, why[700];
	uint64_t seq;
	struct err qe;
	long developed;
	int rc;

	audit_head(env->audit, &seq, hash);
	if ((text = linereport_text(cfg, env->report, env->now.day, st, seq, hash, e)) == NULL)
		return -1;
	developed = linemsg_developed(env->report);

	/* The quota first: a push past it is skipped, not started. */
	err_init(&qe);
	if ((token = line_token_load(cfg->report_line_token_file, &qe)) == NULL) {
		free(text);
		res->outcome = "pending";
		snprintf(res->msg, sizeof(res->msg), "%s", qe.msg);
		return 0;
	}
	lc.http = env->http;
	lc.url = cfg->report_line_url;
	lc.token = token;
	rc = line_quota_get(&lc, cfg->report_line_to, &q, &a, &qe);
	line_token_free(token);
	if (rc == -1) {
		free(text);
		if (a.status == 400 || a.status == 401 || a.status == 403) {
			st->day = env->now.day;
			st->retry_key[0] = '\0';
			free(st->text);
			st->text = NULL;
			snprintf(why, sizeof(why), "LINE refused the quota request: HTTP %ld%s%s",
			    a.status, a.message[0] != '\0' ? ": " : "", a.message);
			return fail_day(env, st, a.status, why, res, e);
		}
		res->outcome = "pending";
		snprintf(res->msg, sizeof(res->msg), "quota check: %s; tried again next cycle",
		    qe.msg);
		return 0;
	}
	if (q.limited && q.used + q.members > q.quota) {
		free(text);
		today_format(env->now.day, res->day, sizeof(res->day));
		rc = audit_append_pack(env->audit, e, "report.skipped", "{s:s, s:I, s:I, s:I}",
		    "day", res->day, "quota", (json_int_t)q.quota, "used", (json_int_t)q.used,
		    "members", (json_int_t)q.members);
		if (rc == 0)
			rc = sync_event(env, e);
		if (rc != 0)
			return rc;
		st->day = env->now.day;
		st->status = LINEREPORT_SKIPPED;
		st->retry_key[0] = '\0';
		free(st->text);
		st->text = NULL;
		snprintf(st->error, sizeof(st->error), "the push to %lld members would pass "
		    "the month's quota (%lld of %lld used)", q.members, q.used, q.quota);
		res->outcome = "skipped";
		snprintf(res->msg, sizeof(res->msg), "%s", st->error);
		return save(env, st, e);
	}

	/* Persist first: the event, then the state, then the push. */
	free(st->text);
	st->text = text;
	st->day = env->now.day;
	st->status = LINEREPORT_STARTED;
	line_retry_key(st->retry_key);
	st->started = (long long)env->now.t;
	st->developed = developed;
	st->request_id[0] = '\0';
	st->error[0] = '\0';
	today_format(st->day, res->day, sizeof(res->day));
	sha256_hex(text, sha);
	rc = audit_append_pack(env->audit, e, "report.started", "{s:s, s:s, s:s, s:s}", "day",
	    res->day, "retry_key", st->retry_key, "sha256", sha, "to", cfg->report_line_to);
	if (rc == 0)
		rc = sync_event(env, e);
	if (rc != 0)
		return rc;
	if (save(env, st, e) == -1)
		return -1;
	return push(env, st, res, e);
}

int
linereport_step(const struct linereport_env *env, struct linereport_result *res,
    struct err *e)
{
	struct linereport_state st;
	char why[128];
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (!env->cfg->report_on)
		return 0;
	if (linereport_state_load(env->cfg->state_dir, &st, e) == -1)
		return -1;
	today_format(st.day >= 0 ? st.day : env->now.day, res->day, sizeof(res->day));
	if (st.status == LINEREPORT_STARTED) {
		/* Not answered yet: the same key and text, while the key lasts.
		 * A clock set back makes the age negative: still the same key. */
		if ((long long)env->now.t - st.started >= LINEREPORT_KEY_LIFE) {
			snprintf(why, sizeof(why), "no answer from LINE within the retry "
			    "key's %d hours", LINEREPORT_KEY_LIFE / 3600);
			rc = fail_day(env, &st, 0, why, res, e);
		} else
			rc = push(env, &st, res, e);
	} else if (due(env->cfg, &st, &env->now) && env->report != NULL)
		rc = start(env, &st, res, e);
	linereport_state_fini(&st);
	return rc;
}
