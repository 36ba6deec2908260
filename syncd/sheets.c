/*
 * sheets: the Sheets v4 / Drive v3 client (see sheets.h for the contract).
 *
 * Every call goes through call_api(): wait out a 429 slow-down, get a token
 * (retried with backoff when the token endpoint is briefly down), send, and
 * then decide: success; a 401 refreshes the token once and resends;
 * a retryable status or transport error backs off (syncd/retry); anything
 * else becomes one ERR_API line from Google's error envelope.  Reading the
 * answers (errors, version, tab list) is syncd/sheets_parse's.
 */
#include "syncd/sheets.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/range.h"
#include "syncd/sheets_parse.h"
#include <inttypes.h>

struct sheets {
	struct http *http;		/* borrowed */
	struct retry *retry;		/* borrowed or &own_retry */
	struct retry own_retry;
	char *sheets_url;		/* owned, no trailing '/' */
	char *drive_url;		/* owned, no trailing '/' */
	char *id;			/* owned, as configured */
	char *id_enc;			/* owned, percent-encoded for the path */
	char *client_email;		/* owned or NULL */
	sheets_token_fn token;
	void *token_ctx;
};

/* One logical API call. */
struct call {
	const char *op;			/* for messages: "values:batchGet" */
	const char *metric;		/* for metrics: "batch_get" */
	const char *method;
	const char *url;
	const char *body;		/* borrowed, NUL-terminated, or NULL */
	size_t max_body;
	enum http_kind kind;
	int idempotent;
};

static char *
strip_dup(const char *s)
{
	size_t n = strlen(s);
	char *p;

	while (n > 0 && s[n - 1] == '/')
		n--;
	p = malloc(n + 1);
	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

struct sheets *
sheets_client_new(const struct sheets_opts *o, struct err *e)
{
	struct sheets *s;

	if (o->http == NULL || o->token == NULL || o->sheets_url == NULL ||
	    o->drive_url == NULL || o->spreadsheet_id == NULL || o->spreadsheet_id[0] == '\0') {
		err_set(e, ERR_USAGE, "sheets client: http, token, URLs and spreadsheet_id are required");
		return NULL;
	}
	if (strlen(o->spreadsheet_id) > SHEETS_MAX_ID) {
		err_set(e, ERR_CONFIG, "spreadsheet_id longer than %d bytes", SHEETS_MAX_ID);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		goto nomem;
	s->http = o->http;
	if (o->retry != NULL) {
		s->retry = o->retry;
	} else {
		retry_init(&s->own_retry, NULL);
		s->retry = &s->own_retry;
	}
	s->token = o->token;
	s->token_ctx = o->token_ctx;
	s->sheets_url = strip_dup(o->sheets_url);
	s->drive_url = strip_dup(o->drive_url);
	s->id = strdup(o->spreadsheet_id);
	if (s->sheets_url == NULL || s->drive_url == NULL || s->id == NULL)
		goto nomem;
	s->id_enc = range_escape(s->id, strlen(s->id), e);
	if (s->id_enc == NULL) {
		sheets_client_free(s);
		return NULL;
	}
	if (o->client_email != NULL) {
		s->client_email = strdup(o->client_email);
		if (s->client_email == NULL)
			goto nomem;
	}
	return s;
nomem:
	sheets_client_free(s);
	err_set(e, ERR_NOMEM, "out of memory for the sheets client");
	return NULL;
}

void
sheets_client_free(struct sheets *s)
{
	if (s == NULL)
		return;
	free(s->sheets_url);
	free(s->drive_url);
	free(s->id);
	free(s->id_enc);
	free(s->client_email);
	free(s);
}

void
sheets_reply_fini(struct sheets_reply *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
	r->status = 0;
}

void
sheets_tabs_fini(struct sheets_tabs *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->tabs[i].title);
	free(t->tabs);
	t->tabs = NULL;
	t->n = 0;
}

/* Copy src's error into e (first error wins) with an optional status. */
static void
pass_error(const struct err *src, struct err *e)
{
	if (err_is_set(e))
		return;
	err_set(e, src->code, "%s", src->msg);
	if (e != NULL)
		e->status = src->status;
}

/* The HTTP request of call c (its strings borrowed). */
static void
request_init(struct http_request *rq, const struct call *c)
{
	memset(rq, 0, sizeof(*rq));
	rq->method = c->method;
	rq->url = c->url;
	rq->body = c->body;
	rq->body_len = c->body != NULL ? strlen(c->body) : 0;
	rq->max_body = c->max_body;
	rq->kind = c->kind;
	rq->op = c->metric;
	/* A write that is not idempotent never goes on a kept connection
	 * curl might resend it on. */
	rq->fresh_connect = !c->idempotent && strcmp(c->method, "GET") != 0;
}

/* A 2xx answer into out (its body taken from rs; an empty one is ""). */
static int
take_answer(struct http_response *rs, struct sheets_reply *out, struct err *e)
{
	out->status = rs->status;
	out->body = rs->body;
	out->len = rs->len;
	if (out->body == NULL && (out->body = calloc(1, 1)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	return 0;
}

static int
call_api(struct sheets *s, const struct call *c, struct sheets_reply *out, struct err *e)
{
	struct http_request rq;
	struct http_response rs;
	struct retry_op op;
	struct retry_why why;
	const char *bearer = NULL;
	int refreshed = 0, force = 0;
	long status;

	memset(out, 0, sizeof(*out));
	request_init(&rq, c);
	retry_op_begin(s->retry, &op);
	for (;;) {
		struct err he;

		if (retry_pace(s->retry, &op, e) < 0)
			return -1;
		err_init(&he);
		if (s->token(s->token_ctx, force, &bearer, &he) < 0) {
			/*
			 * A token endpoint that is briefly down (ERR_TEMP: 408,
			 * 429, 5xx or a dropped connection) is retried within this
			 * operation's budget like any read; a refusal is final.
			 */
			if (he.code == ERR_TEMP) {
				why.status = he.status == 429 ? 429 : 0;
				why.retry_after = -1;
				why.what = he.msg;
				if (retry_next(s->retry, &op, &why, e) < 0) {
					if (e != NULL && e->status == 0)
						e->status = he.status;
					return -1;
				}
				continue;
			}
			pass_error(&he, e);
			return -1;
		}
		force = 0;
		rq.bearer = bearer;
		err_init(&he);
		if (http_do(s->http, &rq, &rs, &he) < 0) {
			if (rs.transient && retry_status_retryable(0, c->idempotent)) {
				why.status = 0;
				why.retry_after = -1;
				why.what = he.msg;
				if (retry_next(s->retry, &op, &why, e) < 0)
					return -1;
				continue;
			}
			if (rs.transient && !c->idempotent && he.code == ERR_HTTP) {
				err_set(e, ERR_HTTP, "%s: %s (not resent: the write may have been "
				    "applied; the next cycle reads the sheet again)", c->op, he.msg);
				return -1;
			}
			pass_error(&he, e);
			return -1;
		}
		status = rs.status;
		if (status >= 200 && status < 300)
			return take_answer(&rs, out, e);
		if (status == 401 && !refreshed) {
			refreshed = 1;
			force = 1;
			http_response_fini(&rs);
			continue;
		}
		if (status == 403 && sheets_parse_rate_limit(rs.body, rs.len))
			status = 429;
		if (retry_status_retryable(status, c->idempotent)) {
			sheets_parse_api_error(c->op, rs.body, rs.len, rs.status, s->client_email, &he);
			why.status = status;
			why.retry_after = rs.retry_after;
			why.what = he.msg;
			http_response_fini(&rs);
			if (retry_next(s->retry, &op, &why, e) < 0) {
				if (e != NULL && e->status == 0)
					e->status = (int)status;
				return -1;
			}
			continue;
		}
		sheets_parse_api_error(c->op, rs.body, rs.len, rs.status, s->client_email, e);
		http_response_fini(&rs);
		return -1;
	}
}

/* A URL from printf-style pieces, bounded by HTTP_MAX_URL. */
static char *
url_fmt(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *
url_fmt(struct err *e, const char *fmt, ...)
{
	va_list ap;
	char *p = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0) {
		err_set(e, ERR_NOMEM, "out of memory building a URL");
		return NULL;
	}
	return p;
}

/*
 * call_url(s, c, url, out, e): call_api() on url, which is taken (freed
 * here).  A NULL url (url_fmt or sheets_url_batch_get failed and set e)
 * returns -1 with *out empty.
 */
static int
call_url(struct sheets *s, struct call *c, char *url, struct sheets_reply *out,
    struct err *e)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (url == NULL)
		return -1;
	c->url = url;
	rc = call_api(s, c, out, e);
	free(url);
	return rc;
}

int
sheets_drive_version(struct sheets *s, char **version, struct err *e)
{
	struct call c = { .op = "Drive files.get", .metric = "drive", .method = "GET",
	    .kind = HTTP_KIND_DRIVE, .idempotent = 1 };
	struct sheets_reply r;
	int rc;

	*version = NULL;
	if (call_url(s, &c, url_fmt(e, "%s/drive/v3/files/%s?fields=version"
	    "&supportsAllDrives=true", s->drive_url, s->id_enc), &r, e) < 0)
		return -1;
	rc = sheets_parse_version(r.body, r.len, version, e);
	sheets_reply_fini(&r);
	return rc;
}

int
sheets_drive_changes(struct sheets *s, const char *page_token, struct sheets_reply *out,
    struct err *e)
{
	struct call c = { .op = "Drive changes", .metric = "drive", .method = "GET",
	    .kind = HTTP_KIND_DRIVE, .idempotent = 1 };
	const char *p;

	if (page_token == NULL)
		return call_url(s, &c, url_fmt(e, "%s/drive/v3/changes/startPageToken"
		    "?supportsAllDrives=true", s->drive_url), out, e);
	for (p = page_token; *p != '\0'; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || *p == '-' || *p == '_') ||
		    p - page_token > 256) {
			memset(out, 0, sizeof(*out));
			err_set(e, ERR_DATA, "Drive changes: a page token that is not "
			    "letters and digits");
			return -1;
		}
	return call_url(s, &c, url_fmt(e, "%s/drive/v3/changes?pageToken=%s"
	    "&pageSize=1000&supportsAllDrives=true&includeItemsFromAllDrives=true"
	    "&fields=nextPageToken,newStartPageToken,changes(fileId,removed)",
	    s->drive_url, page_token), out, e);
}

int
sheets_get_tabs(struct sheets *s, struct sheets_tabs *out, struct err *e)
{
	struct call c = { .op = "spreadsheets.get", .metric = "get_tabs", .method = "GET",
	    .kind = HTTP_KIND_READ, .idempotent = 1 };
	struct sheets_reply r;
	int rc;

	out->tabs = NULL;
	out->n = 0;
	/* sheets.properties(sheetId,title,index), percent-encoded. */
	if (call_url(s, &c, url_fmt(e, "%s/v4/spreadsheets/%s?fields=sheets.properties"
	    "%%28sheetId%%2Ctitle%%2Cindex%%29", s->sheets_url, s->id_enc), &r, e) < 0)
		return -1;
	rc = sheets_parse_tabs(r.body, r.len, out, e);
	sheets_reply_fini(&r);
	return rc;
}

int
sheets_get_fields(struct sheets *s, const char *fields, struct sheets_reply *out,
    struct err *e)
{
	/* The tab list with the notes grows with the rows up to the last
	 * noted one (about 3 bytes a row): the batchGet's limit. */
	struct call c = { .op = "spreadsheets.get", .metric = "get_tabs", .method = "GET",
	    .max_body = HTTP_MAX_BODY_LARGE, .kind = HTTP_KIND_READ, .idempotent = 1 };
	char *fenc;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((fenc = range_escape(fields, strlen(fields), e)) == NULL)
		return -1;
	rc = call_url(s, &c, url_fmt(e, "%s/v4/spreadsheets/%s?fields=%s&prettyPrint=false",
	    s->sheets_url, s->id_enc, fenc), out, e);
	free(fenc);
	return rc;
}

int
sheets_has_chart(struct sheets *s, int64_t sheet_id, int *has, struct err *e)
{
	struct call c = { .op = "spreadsheets.get", .metric = "get_charts", .method = "GET",
	    .kind = HTTP_KIND_READ, .idempotent = 1 };
	struct sheets_reply r;
	json_t *j, *sh;
	size_t i;

	*has = 0;
	/* sheets(properties.sheetId,charts.chartId), percent-encoded. */
	if (call_url(s, &c, url_fmt(e, "%s/v4/spreadsheets/%s?fields=sheets%%28properties.sheetId"
	    "%%2Ccharts.chartId%%29", s->sheets_url, s->id_enc), &r, e) < 0)
		return -1;
	j = sheets_parse_json(r.body, r.len, "spreadsheets.get", e);
	sheets_reply_fini(&r);
	if (j == NULL)
		return -1;
	json_array_foreach(json_object_get(j, "sheets"), i, sh) {
		json_t *id = json_object_get(json_object_get(sh, "properties"), "sheetId");

		if ((json_is_integer(id) ? json_integer_value(id) : 0) == sheet_id &&
		    json_array_size(json_object_get(sh, "charts")) > 0)
			*has = 1;
	}
	json_decref(j);
	return 0;
}

char *
sheets_url_batch_get(const char *base, const char *id, const char *const *titles,
    size_t n, struct err *e)
{
	/* prettyPrint=false: Google indents by default, which makes a
	 * 100,000-household answer 46 MB instead of 29 MB to decompress, hold
	 * and parse (a documented system parameter; the emulator honours it). */
	static const char tail[] = "valueRenderOption=UNFORMATTED_VALUE"
	    "&dateTimeRenderOption=SERIAL_NUMBER&majorDimension=ROWS&prettyPrint=false";
	size_t i, blen = strlen(base), cap, len;
	char *id_enc, *url, *q, *enc;

	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	id_enc = range_escape(id, strlen(id), e);
	if (id_enc == NULL)
		return NULL;
	cap = HTTP_MAX_URL + 1;
	url = malloc(cap);
	if (url == NULL) {
		free(id_enc);
		err_set(e, ERR_NOMEM, "out of memory building a URL");
		return NULL;
	}
	len = (size_t)snprintf(url, cap, "%.*s/v4/spreadsheets/%s/values:batchGet?",
	    (int)blen, base, id_enc);
	free(id_enc);
	for (i = 0; i < n && len < cap; i++) {
		q = range_quote(titles[i], NULL, RANGE_QUOTE_ALWAYS, e);
		if (q == NULL)
			goto fail;
		enc = range_escape(q, strlen(q), e);
		free(q);
		if (enc == NULL)
			goto fail;
		len += (size_t)snprintf(url + len, cap - len, "ranges=%s&", enc);
		free(enc);
	}
	if (len < cap)
		len += (size_t)snprintf(url + len, cap - len, "%s", tail);
	if (len >= cap) {
		err_set(e, ERR_DATA, "values:batchGet URL for %zu tabs is longer than %d bytes "
		    "(Google's front ends refuse more); shorten the tab titles or read fewer tabs",
		    n, HTTP_MAX_URL);
		goto fail;
	}
	return url;
fail:
	free(url);
	return NULL;
}

int
sheets_batch_get(struct sheets *s, const char *const *titles, size_t n,
    struct sheets_reply *out, struct err *e)
{
	struct call c = { .op = "values:batchGet", .metric = "batch_get", .method = "GET",
	    .max_body = HTTP_MAX_BODY_LARGE, .kind = HTTP_KIND_READ, .idempotent = 1 };

	memset(out, 0, sizeof(*out));
	if (n == 0) {
		err_set(e, ERR_USAGE, "values:batchGet of no tab");
		return -1;
	}
	return call_url(s, &c, sheets_url_batch_get(s->sheets_url, s->id, titles, n, e),
	    out, e);
}

char *
sheets_body_batch_get_by_ids(const int64_t *ids, size_t n, size_t *len, struct err *e)
{
	static const char head[] = "{\"dataFilters\":[";
	static const char tail[] = "],\"valueRenderOption\":\"UNFORMATTED_VALUE\","
	    "\"dateTimeRenderOption\":\"SERIAL_NUMBER\",\"majorDimension\":\"ROWS\"}";
	size_t i, o, cap = sizeof(head) + sizeof(tail) + n * 48;
	char *b = malloc(cap);

	if (b == NULL) {
		err_set(e, ERR_NOMEM, "out of memory building a request");
		return NULL;
	}
	o = (size_t)snprintf(b, cap, "%s", head);
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(b + o, cap - o, "%s{\"gridRange\":{\"sheetId\":%" PRId64 "}}",
		    i > 0 ? "," : "", ids[i]);
	o += (size_t)snprintf(b + o, cap - o, "%s", tail);
	if (len != NULL)
		*len = o;
	return b;
}

int
sheets_batch_get_by_ids(struct sheets *s, const int64_t *ids, size_t n,
    struct sheets_reply *out, struct err *e)
{
	struct call c = { .op = "values:batchGetByDataFilter", .metric = "batch_get",
	    .method = "POST", .max_body = HTTP_MAX_BODY_LARGE, .kind = HTTP_KIND_READ,
	    .idempotent = 1 };
	char *body;
	int rc;

	memset(out, 0, sizeof(*out));
	if (n == 0) {
		err_set(e, ERR_USAGE, "values:batchGetByDataFilter of no tab");
		return -1;
	}
	if ((body = sheets_body_batch_get_by_ids(ids, n, NULL, e)) == NULL)
		return -1;
	c.body = body;
	/* prettyPrint=false as for batchGet: a third less to decompress and parse. */
	rc = call_url(s, &c, url_fmt(e, "%s/v4/spreadsheets/%s/values:batchGetByDataFilter"
	    "?prettyPrint=false", s->sheets_url, s->id_enc), out, e);
	free(body);
	return rc;
}

static const char *
metric_name(const char *op)
{
	if (strcmp(op, "values:batchUpdate") == 0)
		return "values_batch_update";
	if (strcmp(op, "values:batchClear") == 0)
		return "values_batch_clear";
	return "batch_update";
}

/* POST JSON text (borrowed, NUL-terminated) to {sheets_url}/v4/spreadsheets/{id}{suffix}. */
static int
post_text(struct sheets *s, const char *op, const char *suffix, const char *body,
    int idempotent, struct sheets_reply *out, struct err *e)
{
	struct call c = { .op = op, .metric = metric_name(op), .method = "POST",
	    .body = body, .kind = HTTP_KIND_WRITE, .idempotent = idempotent };

	return call_url(s, &c, url_fmt(e, "%s/v4/spreadsheets/%s%s", s->sheets_url,
	    s->id_enc, suffix), out, e);
}

/* POST a JSON document to {sheets_url}/v4/spreadsheets/{id}{suffix}. */
static int
post_json(struct sheets *s, const char *op, const char *suffix, const json_t *doc,
    int idempotent, struct sheets_reply *out, struct err *e)
{
	char *body;
	int rc;

	memset(out, 0, sizeof(*out));
	body = json_dumps(doc, JSON_COMPACT);
	if (body == NULL) {
		err_set(e, ERR_NOMEM, "%s: cannot serialise the request body", op);
		return -1;
	}
	rc = post_text(s, op, suffix, body, idempotent, out, e);
	free(body);
	return rc;
}

int
sheets_batch_update_text(struct sheets *s, const char *body, int flags,
    struct sheets_reply *out, struct err *e)
{
	if (body == NULL || body[0] != '{') {
		memset(out, 0, sizeof(*out));
		err_set(e, ERR_USAGE, "batchUpdate body is not a JSON object");
		return -1;
	}
	return post_text(s, "batchUpdate", ":batchUpdate", body,
	    (flags & SHEETS_IDEMPOTENT) != 0, out, e);
}

int
sheets_batch_update(struct sheets *s, const json_t *body, int flags,
    struct sheets_reply *out, struct err *e)
{
	if (!json_is_object(body)) {
		memset(out, 0, sizeof(*out));
		err_set(e, ERR_USAGE, "batchUpdate body is not a JSON object");
		return -1;
	}
	return post_json(s, "batchUpdate", ":batchUpdate", body,
	    (flags & SHEETS_IDEMPOTENT) != 0, out, e);
}

int
sheets_values_batch_update(struct sheets *s, json_t *data, struct sheets_reply *out,
    struct err *e)
{
	json_t *doc;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!json_is_array(data)) {
		err_set(e, ERR_USAGE, "values:batchUpdate data is not a JSON array");
		return -1;
	}
	doc = json_pack("{s:s, s:O}", "valueInputOption", "RAW", "data", data);
	if (doc == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	rc = post_json(s, "values:batchUpdate", "/values:batchUpdate", doc, 1, out, e);
	json_decref(doc);
	return rc;
}

int
sheets_values_batch_clear(struct sheets *s, const char *const *ranges, size_t n,
    struct sheets_reply *out, struct err *e)
{
	json_t *doc, *arr;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	arr = json_array();
	doc = json_pack("{s:o}", "ranges", arr);
	if (arr == NULL || doc == NULL)
		goto nomem;
	for (i = 0; i < n; i++)
		if (json_array_append_new(arr, json_string(ranges[i])) < 0) {
			json_decref(doc);
			err_set(e, ERR_DATA, "values:batchClear: range %zu is not UTF-8", i + 1);
			return -1;
		}
	rc = post_json(s, "values:batchClear", "/values:batchClear", doc, 1, out, e);
	json_decref(doc);
	return rc;
nomem:
	err_set(e, ERR_NOMEM, "out of memory");
	return -1;
}
