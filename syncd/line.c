/*
 * line: LINE Messaging API requests for the daily report (see line.h).
 * Bodies are built and read with jansson; answers are limited to
 * HTTP_MAX_BODY like every other answer.  The token only ever goes into
 * http_request.bearer.
 */
#include "syncd/line.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>

#define LINE_URL_MAX	1024

void
line_token_free(char *t)
{
	if (t == NULL)
		return;
	OPENSSL_cleanse(t, strlen(t));
	free(t);
}

/* token_read(path, check_mode, e): the token in path (see line_token_load). */
static char *
token_read(const char *path, int check_mode, struct err *e)
{
	char buf[LINE_MAX_TOKEN + 2];
	struct stat st;
	ssize_t n;
	size_t len = 0, i;
	char *t;
	int fd;

	do
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		err_set(e, ERR_NOINPUT, "report.line_token_file: %s: cannot open: %s", path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		err_set(e, ERR_CONFIG, "report.line_token_file: %s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if (check_mode && (st.st_mode & 077) != 0) {
		err_set(e, ERR_CONFIG, "report.line_token_file: %s: readable by group or "
		    "others (mode %04o); the token is a secret: chmod 600 %s", path,
		    (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return NULL;
	}
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(e, ERR_NOINPUT, "report.line_token_file: %s: cannot read: %s",
			    path, strerror(errno));
			close(fd);
			OPENSSL_cleanse(buf, sizeof(buf));
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len > LINE_MAX_TOKEN) {
		err_set(e, ERR_CONFIG, "report.line_token_file: %s: longer than %d bytes",
		    path, LINE_MAX_TOKEN);
		OPENSSL_cleanse(buf, sizeof(buf));
		return NULL;
	}
	if (len == 0) {
		err_set(e, ERR_CONFIG, "report.line_token_file: %s: empty", path);
		return NULL;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)buf[i] <= ' ' || (unsigned char)buf[i] >= 0x7f) {
			err_set(e, ERR_CONFIG, "report.line_token_file: %s: not one line of "
			    "printable ASCII without spaces (byte %zu)", path, i + 1);
			OPENSSL_cleanse(buf, sizeof(buf));
			return NULL;
		}
	if ((t = malloc(len + 1)) == NULL) {
		err_set(e, ERR_NOMEM, "report.line_token_file: out of memory");
		OPENSSL_cleanse(buf, sizeof(buf));
		return NULL;
	}
	memcpy(t, buf, len);
	t[len] = '\0';
	OPENSSL_cleanse(buf, sizeof(buf));
	return t;
}

char *
line_token_load(const char *path, struct err *e)
{
	const char *dir = secure_getenv("CREDENTIALS_DIRECTORY");
	char cred[4096];
	struct stat st;

	/* systemd made the credential 0400 for the unit's user on a private
	 * mount: no mode check there. */
	if (dir != NULL && *dir != '\0' &&
	    snprintf(cred, sizeof(cred), "%s/%s", dir, LINE_CREDENTIAL) < (int)sizeof(cred) &&
	    stat(cred, &st) == 0)
		return token_read(cred, 0, e);
	return token_read(path, 1, e);
}

void
line_retry_key(char out[LINE_RETRY_KEY_LEN + 1])
{
	unsigned char r[16];
	size_t got = 0;
	ssize_t n;
	int i, o = 0;

	while (got < sizeof(r)) {
		n = getrandom(r + got, sizeof(r) - got, 0);
		if (n > 0)
			got += (size_t)n;
		else if (n < 0 && errno != EINTR)
			abort();	/* no entropy at all: nothing sane to send */
	}
	r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);	/* version 4 */
	r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);	/* RFC 4122 variant */
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		snprintf(out + o, 3, "%02x", r[i]);
		o += 2;
	}
	out[o] = '\0';
}

void
line_parse_error(const char *body, size_t len, char *out, size_t size)
{
	json_t *doc, *d;
	const char *m, *dm, *dp;

	if (size == 0)
		return;
	out[0] = '\0';
	if (body == NULL || len == 0)
		return;
	doc = json_loadb(body, len, 0, NULL);
	if ((m = json_string_value(json_object_get(doc, "message"))) != NULL) {
		d = json_array_get(json_object_get(doc, "details"), 0);
		dm = json_string_value(json_object_get(d, "message"));
		dp = json_string_value(json_object_get(d, "property"));
		if (dm != NULL)
			snprintf(out, size, "%s (%s%s%s)", m, dp != NULL ? dp : "",
			    dp != NULL ? ": " : "", dm);
		else
			snprintf(out, size, "%s", m);
	}
	json_decref(doc);
}

int
line_parse_number(const char *body, size_t len, const char *member, long long *out)
{
	json_t *doc = json_loadb(body != NULL ? body : "", len, 0, NULL);
	const char *t;
	int rc = -1;

	if (strcmp(member, "type") == 0) {
		t = json_string_value(json_object_get(doc, "type"));
		if (t != NULL && strcmp(t, "none") == 0) {
			*out = -1;
			rc = 0;
		} else if (t != NULL && strcmp(t, "limited") == 0 &&
		    json_is_integer(json_object_get(doc, "value")) &&
		    json_integer_value(json_object_get(doc, "value")) >= 0) {
			*out = json_integer_value(json_object_get(doc, "value"));
			rc = 0;
		}
	} else if (json_is_integer(json_object_get(doc, member)) &&
	    json_integer_value(json_object_get(doc, member)) >= 0) {
		*out = json_integer_value(json_object_get(doc, member));
		rc = 0;
	}
	json_decref(doc);
	return rc;
}

/* error_message(rs, a): LINE's {"message": ...} of an error answer, into a. */
static void
error_message(const struct http_response *rs, struct line_answer *a)
{
	line_parse_error(rs->body, rs->len, a->message, sizeof(a->message));
}

/* request(lc, method, path, body, capture, rs, a, e): one request to LINE. */
static int
request(const struct line_client *lc, const char *method, const char *path,
    const char *body, const char *const *extra, const char *const *capture,
    struct http_response *rs, struct line_answer *a, struct err *e)
{
	struct http_request rq;
	char url[LINE_URL_MAX];

	memset(a, 0, sizeof(*a));
	if (snprintf(url, sizeof(url), "%s%s", lc->url, path) >= (int)sizeof(url)) {
		err_set(e, ERR_DATA, "LINE: request URL too long");
		memset(rs, 0, sizeof(*rs));
		return -1;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.url = url;
	rq.bearer = lc->token;
	rq.body = body;
	rq.body_len = body != NULL ? strlen(body) : 0;
	rq.kind = HTTP_KIND_OTHER;
	rq.op = "line";
	rq.extra_headers = extra;
	rq.capture = capture;
	/* A push that dies on a kept-alive connection must not be resent by
	 * curl behind our back; the retry key makes our own resends safe. */
	rq.fresh_connect = body != NULL;
	if (http_do(lc->http, &rq, rs, e) == -1) {
		a->transient = rs->transient;
		return -1;
	}
	a->status = rs->status;
	if (rs->status < 200 || rs->status > 299)
		error_message(rs, a);
	return 0;
}

int
line_push(const struct line_client *lc, const char *to, const char *retry_key,
    const char *text, struct line_answer *a, struct err *e)
{
	static const char *const capture[] = { "x-line-request-id",
	    "x-line-accepted-request-id", NULL };
	char keyhdr[64 + LINE_RETRY_KEY_LEN];
	const char *extra[2];
	struct http_response rs;
	json_t *doc;
	char *body;
	int rc;

	doc = json_pack("{s:s, s:[{s:s, s:s}]}", "to", to, "messages", "type", "text",
	    "text", text);
	body = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (body == NULL) {
		memset(a, 0, sizeof(*a));
		err_set(e, ERR_NOMEM, "LINE push: cannot build the request body");
		return -1;
	}
	snprintf(keyhdr, sizeof(keyhdr), "X-Line-Retry-Key: %s", retry_key);
	extra[0] = keyhdr;
	extra[1] = NULL;
	rc = request(lc, "POST", "/v2/bot/message/push", body, extra, capture, &rs, a, e);
	free(body);
	if (rc == 0) {
		snprintf(a->request_id, sizeof(a->request_id), "%s",
		    rs.status == 409 && rs.captured[1][0] != '\0' ? rs.captured[1] :
		    rs.captured[0]);
		if (rs.status != 200 && rs.status != 409)
			err_set(e, ERR_HTTP, "LINE push: HTTP %ld%s%s", rs.status,
			    a->message[0] != '\0' ? ": " : "", a->message);
	}
	http_response_fini(&rs);
	return rc;
}

/* get_number(lc, path, member, out, a, e): GET path, *out = its integer member. */
static int
get_number(const struct line_client *lc, const char *path, const char *member,
    long long *out, struct line_answer *a, struct err *e)
{
	struct http_response rs;
	int rc = -1;

	if (request(lc, "GET", path, NULL, NULL, NULL, &rs, a, e) == -1) {
		http_response_fini(&rs);
		return -1;
	}
	if (rs.status != 200) {
		err_set(e, ERR_HTTP, "LINE %s: HTTP %ld%s%s", path, rs.status,
		    a->message[0] != '\0' ? ": " : "", a->message);
		http_response_fini(&rs);
		return -1;
	}
	rc = line_parse_number(rs.body, rs.len, member, out);
	if (rc == -1)
		err_set(e, ERR_DATA, "LINE %s: an answer without %s", path, member);
	http_response_fini(&rs);
	return rc;
}

int
line_quota_get(const struct line_client *lc, const char *to, struct line_quota *q,
    struct line_answer *a, struct err *e)
{
	char path[160];
	long long v;

	memset(q, 0, sizeof(*q));
	if (get_number(lc, "/v2/bot/message/quota", "type", &v, a, e) == -1)
		return -1;
	q->limited = v >= 0;
	q->quota = v >= 0 ? v : 0;
	if (get_number(lc, "/v2/bot/message/quota/consumption", "totalUsage", &q->used, a,
	    e) == -1)
		return -1;
	if (to[0] == 'U') {
		q->members = 1;
		return 0;
	}
	snprintf(path, sizeof(path), "/v2/bot/%s/%s/members/count",
	    to[0] == 'R' ? "room" : "group", to);
	return get_number(lc, path, "count", &q->members, a, e);
}

int
line_webhook(struct http *h, const char *url, const char *text, struct line_answer *a,
    struct err *e)
{
	struct http_request rq;
	struct http_response rs;
	json_t *doc;
	char *body;
	int rc;

	memset(a, 0, sizeof(*a));
	doc = json_pack("{s:s}", "text", text);
	body = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (body == NULL) {
		err_set(e, ERR_NOMEM, "webhook: cannot build the request body");
		return -1;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.url = url;
	rq.body = body;
	rq.body_len = strlen(body);
	rq.kind = HTTP_KIND_OTHER;
	rq.op = "webhook";
	rq.fresh_connect = 1;
	rc = http_do(h, &rq, &rs, e);
	free(body);
	a->status = rs.status;
	a->transient = rs.transient;
	http_response_fini(&rs);
	return rc;
}
