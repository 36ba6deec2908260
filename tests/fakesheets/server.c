/*
 * server: the emulator's HTTP side (see server.h).  One thread per
 * connection (libmicrohttpd), one mutex around all state.  API requests
 * (token, Drive, Sheets) are authenticated, logged, and may be hit by the
 * next queued fault; /_fake/ control requests are none of these.  Bodies are
 * written once (jdump: json_dumps' bytes, faster), gzip'd when the client
 * asks.  It must never
 * print a token or an assertion.
 */
#include "tests/fakesheets/server.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <jansson.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <zlib.h>

#include "auth/jwt.h"
#include "tests/fakesheets/jdump.h"
#include "tests/fakesheets/line.h"

struct token {
	char value[64];
	time_t expires;
};

/*
 * A sliding one-minute window of accepted requests (times, CLOCK_MONOTONIC
 * seconds, oldest first in a ring): at most limit in any 60 seconds, as
 * Google's per-minute quotas are counted.  limit 0: no quota.
 */
struct window {
	double *t;			/* owned: limit slots */
	size_t limit, head, n;
};

struct server {
	struct MHD_Daemon *d;
	pthread_mutex_t lock;
	struct sheets_state *sheets;	/* borrowed */
	const struct auth_key *key;	/* borrowed */
	char url[64];
	char token_url[80];
	struct token tokens[SERVER_MAX_TOKENS];
	size_t ntokens;			/* ring: next slot is ntokens % MAX */
	json_t *log;			/* array of {method, path, query, status} */
	json_t *faults;			/* queue of fault objects */
	/* GET /_fake/connections: connections accepted, and those that
	 * carried an API request, since the start or DELETE (generation). */
	unsigned long accepted, api_connections, conn_gen;
	struct fline *line;		/* owned: the LINE Messaging API's state */
	/* --quota: Sheets reads and writes per minute per service account
	 * (there is one: the key's) and per project, each counted apart. */
	struct window user_reads, user_writes, project_reads, project_writes;
	/* The last successful read, kept while no write happened. */
	struct {
		unsigned long generation;
		char *uri;		/* owned: raw request target */
		int gzip;
		char *body;		/* owned */
		size_t len;
	} cache;
};

/* One request being received. */
struct req {
	char *uri;			/* owned: the raw request target */
	char *body;			/* owned */
	size_t len, cap;
	int started;
	int too_big;
};

/* A response being built. */
struct reply {
	int status;
	char *body;			/* owned */
	size_t len;
	const char *ctype;
	int retry_after;		/* > 0: send Retry-After */
	int truncate;
	int gzipped;		/* body is already gzip'd */
	/* LINE's x-line-request-id and x-line-accepted-request-id ("": none) */
	char line_id[FLINE_ID_MAX];
	char line_accepted[FLINE_ID_MAX];
};

/* ---- request plumbing ---- */

static void *
uri_logger(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct req *r = calloc(1, sizeof(*r));

	(void)cls;
	(void)c;
	if (r != NULL)
		r->uri = strdup(uri);
	return r;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode in place, '+' as a space, as Google does (path too). */
static size_t
unescape(char *s)
{
	char *o = s, *p = s;
	int h, l;

	while (*p != '\0') {
		if (*p == '+') {
			*o++ = ' ';
			p++;
		} else if (*p == '%' && (h = hexval(p[1])) >= 0 &&
		    (l = hexval(p[2])) >= 0) {
			*o++ = (char)(h * 16 + l);
			p += 3;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return (size_t)(o - s);
}

static size_t
unescape_cb(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return unescape(s);
}

/* One accepted connection (libmicrohttpd's socket context). */
struct conn {
	unsigned long id;	/* 1, 2, ... in the order accepted */
	unsigned long api_gen;	/* conn_gen + 1 when it carried an API request */
};

/* Numbers every connection accepted: a client that reuses its connection
 * sends its next request with the same number. */
static void
connection_cb(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct server *s = cls;
	struct conn *k;

	(void)c;
	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		free(*socket_context);
		*socket_context = NULL;
		return;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	k->id = ++s->accepted;
	pthread_mutex_unlock(&s->lock);
	*socket_context = k;
}

/* The connection c arrived on (NULL when it could not be numbered). */
static struct conn *
conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (r == NULL)
		return;
	free(r->uri);
	if (r->body != NULL)
		OPENSSL_cleanse(r->body, r->len);
	free(r->body);
	free(r);
	*con_cls = NULL;
}

struct params {
	struct sheets_param *p;
	size_t n, cap;
};

static enum MHD_Result
collect_param(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct params *ps = cls;
	struct sheets_param *np;

	(void)kind;
	if (ps->n == ps->cap) {
		ps->cap = ps->cap != 0 ? ps->cap * 2 : 16;
		np = realloc(ps->p, ps->cap * sizeof(*np));
		if (np == NULL)
			return MHD_NO;
		ps->p = np;
	}
	ps->p[ps->n].key = key;
	ps->p[ps->n].value = value != NULL ? value : "";
	ps->n++;
	return MHD_YES;
}

/* ---- replies ---- */

static void
reply_json(struct reply *rp, int status, json_t *j, int pretty)
{
	rp->status = status;
	rp->ctype = "application/json; charset=UTF-8";
	rp->body = jdump(j, pretty, &rp->len);
	if (rp->body != NULL && pretty) {
		/* Google ends a pretty body with a newline. */
		char *b = realloc(rp->body, rp->len + 2);

		if (b != NULL) {
			b[rp->len++] = '\n';
			b[rp->len] = '\0';
			rp->body = b;
		}
	}
	json_decref(j);
}

static void
reply_error(struct reply *rp, int status, const char *msg)
{
	reply_json(rp, status, sheets_error(status, msg), 1);
}

/* gzip body; 0 and body replaced, or -1 and body untouched. */
static int
gzip_body(struct reply *rp)
{
	z_stream z;
	size_t cap = rp->len + rp->len / 1000 + 64;
	unsigned char *out = malloc(cap);

	if (out == NULL)
		return -1;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(out);
		return -1;
	}
	z.next_in = (unsigned char *)rp->body;
	z.avail_in = (uInt)rp->len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		free(out);
		return -1;
	}
	free(rp->body);
	rp->body = (char *)out;
	rp->len = z.total_out;
	deflateEnd(&z);
	return 0;
}

struct cut {
	char *body;
	size_t len;	/* bytes actually sent: half the body */
};

static ssize_t
cut_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct cut *c = cls;
	size_t n;

	if (pos >= c->len)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = c->len - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(buf, c->body + pos, n);
	return (ssize_t)n;
}

static void
cut_free(void *cls)
{
	struct cut *c = cls;

	free(c->body);
	free(c);
}

static enum MHD_Result
send_reply(struct MHD_Connection *c, struct reply *rp, int gzip)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char ra[16];

	if (rp->gzipped)
		gzip = 1;
	else if (gzip && rp->len > 0 && gzip_body(rp) == 0)
		;
	else
		gzip = 0;
	if (rp->truncate && rp->len > 1) {
		struct cut *cut = malloc(sizeof(*cut));

		if (cut == NULL)
			return MHD_NO;
		cut->body = rp->body;
		cut->len = rp->len / 2;
		rp->body = NULL;
		/* Content-Length says the whole body; half of it comes. */
		resp = MHD_create_response_from_callback(rp->len, 4096,
		    cut_reader, cut, cut_free);
	} else {
		resp = MHD_create_response_from_buffer(rp->len,
		    rp->body != NULL ? rp->body : (char *)"",
		    rp->body != NULL ? MHD_RESPMEM_MUST_FREE :
		    MHD_RESPMEM_PERSISTENT);
		rp->body = NULL;
	}
	if (resp == NULL)
		return MHD_NO;
	if (rp->ctype != NULL)
		MHD_add_response_header(resp, "Content-Type", rp->ctype);
	if (gzip)
		MHD_add_response_header(resp, "Content-Encoding", "gzip");
	MHD_add_response_header(resp, "Vary", "Origin, X-Origin, Referer");
	MHD_add_response_header(resp, "Server", "ESF");
	MHD_add_response_header(resp, "Cache-Control", "private");
	if (rp->retry_after > 0) {
		snprintf(ra, sizeof(ra), "%d", rp->retry_after);
		MHD_add_response_header(resp, "Retry-After", ra);
	}
	if (rp->line_id[0] != '\0')
		MHD_add_response_header(resp, "x-line-request-id", rp->line_id);
	if (rp->line_accepted[0] != '\0')
		MHD_add_response_header(resp, "x-line-accepted-request-id",
		    rp->line_accepted);
	ret = MHD_queue_response(c, (unsigned int)rp->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Keep a copy of a large read's answer (lock held). */
static void
cache_store(struct server *s, const char *uri, int gz, const struct reply *rp)
{
	char *b = malloc(rp->len), *u = strdup(uri);

	if (b == NULL || u == NULL) {
		free(b);
		free(u);
		return;
	}
	memcpy(b, rp->body, rp->len);
	free(s->cache.body);
	free(s->cache.uri);
	s->cache.body = b;
	s->cache.uri = u;
	s->cache.len = rp->len;
	s->cache.gzip = gz;
	s->cache.generation = sheets_generation(s->sheets);
}

/* ---- tokens ---- */

static void
hex(char *out, const unsigned char *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Find form field key in an x-www-form-urlencoded body; decoded copy. */
static char *
form_field(const char *body, size_t len, const char *key)
{
	size_t klen = strlen(key), i = 0, j;
	char *v;

	while (i < len) {
		for (j = i; j < len && body[j] != '&'; j++)
			;
		if (j - i > klen && strncmp(body + i, key, klen) == 0 &&
		    body[i + klen] == '=') {
			v = strndup(body + i + klen + 1, j - i - klen - 1);
			if (v != NULL)
				unescape(v);
			return v;
		}
		i = j + 1;
	}
	return NULL;
}

static void
oauth_error(struct reply *rp, int status, const char *error,
    const char *desc)
{
	json_t *j = json_pack("{s:s, s:s}", "error", error,
	    "error_description", desc);

	reply_json(rp, status, j, 1);
}

static void
serve_token(struct server *s, struct req *r, struct reply *rp)
{
	char *grant = form_field(r->body, r->len, "grant_type");
	char *jwt = form_field(r->body, r->len, "assertion");
	struct auth_jwt_verify_opts o;
	enum auth_jwt_verdict v;
	unsigned char rnd[24];
	char tok[64];
	struct token *t;

	if (grant == NULL || strcmp(grant,
	    "urn:ietf:params:oauth:grant-type:jwt-bearer") != 0) {
		oauth_error(rp, 400, "unsupported_grant_type",
		    "Invalid grant_type: ");
		goto done;
	}
	if (jwt == NULL || s->key == NULL) {
		oauth_error(rp, 400, "invalid_request",
		    "Missing required parameter: assertion");
		goto done;
	}
	memset(&o, 0, sizeof(o));
	o.pub = auth_key_pkey(s->key);
	o.aud = s->token_url;
	o.iss = auth_key_client_email(s->key);
	o.now = time(NULL);
	v = auth_jwt_verify(jwt, strlen(jwt), &o, NULL);
	if (v != AUTH_JWT_OK) {
		oauth_error(rp, 400, auth_jwt_error(v),
		    auth_jwt_error_description(v));
		goto done;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		reply_error(rp, 500, NULL);
		goto done;
	}
	memcpy(tok, "ya29.fake-", 10);
	hex(tok + 10, rnd, sizeof(rnd));
	pthread_mutex_lock(&s->lock);
	t = &s->tokens[s->ntokens % SERVER_MAX_TOKENS];
	snprintf(t->value, sizeof(t->value), "%s", tok);
	t->expires = time(NULL) + SERVER_TOKEN_LIFETIME;
	s->ntokens++;
	pthread_mutex_unlock(&s->lock);
	reply_json(rp, 200, json_pack("{s:s, s:i, s:s}", "access_token", tok,
	    "expires_in", SERVER_TOKEN_LIFETIME, "token_type", "Bearer"), 1);
	OPENSSL_cleanse(tok, sizeof(tok));
done:
	if (jwt != NULL)
		OPENSSL_cleanse(jwt, strlen(jwt));
	free(jwt);
	free(grant);
}

/* ---- quotas ---- */

static int
window_init(struct window *w, int limit)
{
	memset(w, 0, sizeof(*w));
	if (limit <= 0)
		return 0;
	if ((w->t = calloc((size_t)limit, sizeof(*w->t))) == NULL)
		return -1;
	w->limit = (size_t)limit;
	return 0;
}

/* window_full(w, now): drop what is a minute old; 1 when no room is left. */
static int
window_full(struct window *w, double now)
{
	if (w->limit == 0)
		return 0;
	while (w->n > 0 && now - w->t[w->head] >= 60.0) {
		w->head = (w->head + 1) % w->limit;
		w->n--;
	}
	return w->n >= w->limit;
}

static void
window_add(struct window *w, double now)
{
	if (w->limit == 0 || w->n >= w->limit)
		return;
	w->t[(w->head + w->n) % w->limit] = now;
	w->n++;
}

/* A Sheets request that reads (get, batchGet, the data-filter reads). */
static int
sheets_read(const char *method, const char *path)
{
	size_t n = strlen(path);

	if (strcmp(method, "GET") == 0)
		return 1;
	return (n >= 16 && strcmp(path + n - 16, ":getByDataFilter") == 0) ||
	    (n >= 21 && strcmp(path + n - 21, ":batchGetByDataFilter") == 0);
}

/*
 * quota_exceeded(s, method, path, rp): count a Sheets request against the
 * quotas; past one, fill rp with Google's 429 RESOURCE_EXHAUSTED for that
 * limit and return 1 (the request is not counted).  Drive and the token
 * endpoint are not counted (Drive's quotas are thousands of times larger).
 * The caller holds s->lock.
 */
static int
quota_exceeded(struct server *s, const char *method, const char *path,
    struct reply *rp)
{
	struct timespec ts;
	double now;
	int read;
	struct window *u, *p;
	const char *what, *limit, *metric;
	char msg[512];
	json_t *body, *md;

	if (strncmp(path, "/v4/spreadsheets/", 17) != 0)
		return 0;
	read = sheets_read(method, path);
	u = read ? &s->user_reads : &s->user_writes;
	p = read ? &s->project_reads : &s->project_writes;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	what = read ? "Read" : "Write";
	metric = read ? "sheets.googleapis.com/read_requests" :
	    "sheets.googleapis.com/write_requests";
	if (window_full(u, now)) {
		snprintf(msg, sizeof(msg), "Quota exceeded for quota metric '%s "
		    "requests' and limit '%s requests per minute per user' of "
		    "service 'sheets.googleapis.com' for consumer "
		    "'project_number:1071851248496'.", what, what);
		limit = read ? "ReadRequestsPerMinutePerUser" :
		    "WriteRequestsPerMinutePerUser";
	} else if (window_full(p, now)) {
		snprintf(msg, sizeof(msg), "Quota exceeded for quota metric '%s "
		    "requests' and limit '%s requests per minute' of service "
		    "'sheets.googleapis.com' for consumer "
		    "'project_number:1071851248496'.", what, what);
		limit = read ? "ReadRequestsPerMinutePerProject" :
		    "WriteRequestsPerMinutePerProject";
	} else {
		window_add(u, now);
		window_add(p, now);
		return 0;
	}
	body = sheets_error(429, msg);
	md = json_object_get(json_array_get(json_object_get(json_object_get(body,
	    "error"), "details"), 0), "metadata");
	json_object_set_new(md, "quota_limit", json_string(limit));
	json_object_set_new(md, "quota_metric", json_string(metric));
	reply_json(rp, 429, body, 1);
	return 1;
}

/* 0: the bearer token is live; 1: none sent; 2: unknown or expired. */
static int
check_bearer(struct server *s, struct MHD_Connection *c)
{
	const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Authorization");
	size_t i, n;
	time_t now = time(NULL);
	int ok = 2;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return 1;
	h += 7;
	pthread_mutex_lock(&s->lock);
	n = s->ntokens < SERVER_MAX_TOKENS ? s->ntokens : SERVER_MAX_TOKENS;
	for (i = 0; i < n; i++)
		if (strcmp(s->tokens[i].value, h) == 0 &&
		    s->tokens[i].expires > now) {
			ok = 0;
			break;
		}
	pthread_mutex_unlock(&s->lock);
	return ok;
}

/* ---- control endpoints ---- */

static void
serve_control(struct server *s, const char *method, const char *path,
    struct req *r, struct reply *rp)
{
	json_error_t je;
	json_t *j, *f;
	char msg[512];
	size_t i;

	if (strncmp(path, "/_fake/spreadsheets/", 20) == 0) {
		const char *id = path + 20;

		if (strcmp(method, "GET") == 0) {
			pthread_mutex_lock(&s->lock);
			j = sheets_export(s->sheets, id);
			if (j != NULL)
				reply_json(rp, 200, j, 0);
			pthread_mutex_unlock(&s->lock);
			if (j == NULL)
				reply_error(rp, 404, NULL);
			return;
		}
		if (strcmp(method, "PUT") == 0) {
			j = json_loadb(r->body != NULL ? r->body : "", r->len, 0,
			    &je);
			if (j == NULL || !json_is_object(j)) {
				json_decref(j);
				snprintf(msg, sizeof(msg), "bad workbook JSON: %s",
				    je.text);
				reply_error(rp, 400, msg);
				return;
			}
			if (json_object_get(j, "spreadsheetId") == NULL)
				json_object_set_new(j, "spreadsheetId",
				    json_string(id));
			if (!json_is_string(json_object_get(j, "spreadsheetId")) ||
			    strcmp(json_string_value(json_object_get(j,
			    "spreadsheetId")), id) != 0) {
				json_decref(j);
				reply_error(rp, 400, "spreadsheetId does not match "
				    "the path");
				return;
			}
			pthread_mutex_lock(&s->lock);
			if (sheets_put(s->sheets, j, msg, sizeof(msg)) == 0)
				reply_json(rp, 200, json_object(), 0);
			else
				reply_error(rp, 400, msg);
			pthread_mutex_unlock(&s->lock);
			json_decref(j);
			return;
		}
	} else if (strcmp(path, "/_fake/line") == 0 || strcmp(path, "/_fake/webhook") == 0) {
		int status;

		pthread_mutex_lock(&s->lock);
		j = strcmp(path, "/_fake/line") == 0 ?
		    fline_control(s->line, method, r->body, r->len, &status) :
		    fline_webhook(s->line, method, r->body, r->len, &status);
		pthread_mutex_unlock(&s->lock);
		reply_json(rp, status, j, 1);
		return;
	} else if (strcmp(path, "/_fake/requests") == 0) {
		pthread_mutex_lock(&s->lock);
		if (strcmp(method, "GET") == 0)
			reply_json(rp, 200, json_incref(s->log), 1);
		else if (strcmp(method, "DELETE") == 0) {
			json_array_clear(s->log);
			reply_json(rp, 200, json_object(), 0);
		}
		pthread_mutex_unlock(&s->lock);
		if (rp->body != NULL)
			return;
	} else if (strcmp(path, "/_fake/connections") == 0) {
		pthread_mutex_lock(&s->lock);
		if (strcmp(method, "GET") == 0)
			reply_json(rp, 200, json_pack("{s:I, s:I}", "connections",
			    (json_int_t)s->api_connections, "accepted",
			    (json_int_t)s->accepted), 0);
		else if (strcmp(method, "DELETE") == 0) {
			s->api_connections = 0;
			s->conn_gen++;
			reply_json(rp, 200, json_object(), 0);
		}
		pthread_mutex_unlock(&s->lock);
		if (rp->body != NULL)
			return;
	} else if (strcmp(path, "/_fake/faults") == 0) {
		if (strcmp(method, "DELETE") == 0) {
			pthread_mutex_lock(&s->lock);
			json_array_clear(s->faults);
			pthread_mutex_unlock(&s->lock);
			reply_json(rp, 200, json_object(), 0);
			return;
		}
		if (strcmp(method, "GET") == 0) {
			pthread_mutex_lock(&s->lock);
			reply_json(rp, 200, json_pack("{s:O}", "faults",
			    s->faults), 0);
			pthread_mutex_unlock(&s->lock);
			return;
		}
		if (strcmp(method, "POST") == 0) {
			j = json_loadb(r->body != NULL ? r->body : "", r->len, 0,
			    &je);
			if (!json_is_array(json_object_get(j, "faults"))) {
				json_decref(j);
				reply_error(rp, 400, "expected {\"faults\": [...]}");
				return;
			}
			json_array_foreach(json_object_get(j, "faults"), i, f)
				if (!json_is_object(f)) {
					json_decref(j);
					reply_error(rp, 400, "a fault is an object");
					return;
				}
			pthread_mutex_lock(&s->lock);
			json_array_extend(s->faults, json_object_get(j, "faults"));
			pthread_mutex_unlock(&s->lock);
			json_decref(j);
			reply_json(rp, 200, json_object(), 0);
			return;
		}
	}
	reply_error(rp, 404, NULL);
}

/* ---- the API ---- */

static void
record(struct server *s, struct MHD_Connection *c, const char *method,
    const char *uri, int status, size_t bytes_in, size_t bytes_out)
{
	const char *q = strchr(uri, '?');
	struct conn *k = conn_of(c);
	json_t *e;

	/* bytes_in/bytes_out: the request and answer bodies as they crossed
	 * the wire (the answer after gzip), for the daemon-cycle bench. */
	e = json_pack("{s:s, s:s#, s:s, s:i, s:I, s:I}", "method", method, "path", uri,
	    (int)(q != NULL ? (size_t)(q - uri) : strlen(uri)), "query",
	    q != NULL ? q + 1 : "", "status", status, "bytes_in", (json_int_t)bytes_in,
	    "bytes_out", (json_int_t)bytes_out);
	json_object_set_new(e, "connection", json_integer(k != NULL ? (json_int_t)k->id : 0));
	pthread_mutex_lock(&s->lock);
	if (k != NULL && k->api_gen != s->conn_gen + 1) {
		k->api_gen = s->conn_gen + 1;
		s->api_connections++;
	}
	if (json_array_size(s->log) >= SERVER_MAX_LOG)
		json_array_remove(s->log, 0);
	json_array_append_new(s->log, e);
	pthread_mutex_unlock(&s->lock);
}

static json_t *
next_fault(struct server *s)
{
	json_t *f = NULL;

	pthread_mutex_lock(&s->lock);
	if (json_array_size(s->faults) > 0) {
		f = json_incref(json_array_get(s->faults, 0));
		json_array_remove(s->faults, 0);
	}
	pthread_mutex_unlock(&s->lock);
	return f;
}

/*
 * A delay_ms fault stalls the answer, not the request: the request is
 * handled (a write applied) and logged when it arrives, and only then does
 * this thread sleep.  Sleeping first would apply a write the client has long
 * given up on seconds later, in the middle of whatever the test does next.
 */
static void
stall(json_int_t ms)
{
	struct timespec ts;

	if (ms <= 0 || ms >= 600000)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
wants_gzip(struct MHD_Connection *c)
{
	const char *ae = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "Accept-Encoding");

	return ae != NULL && strstr(ae, "gzip") != NULL;
}

static enum MHD_Result
serve_api(struct server *s, struct MHD_Connection *c, const char *method,
    const char *path, struct req *r)
{
	struct reply rp;
	struct params ps = {0};
	struct sheets_request sr;
	json_t *fault = next_fault(s), *out;
	const char *pp;
	int status, auth, pretty, gz, answered = 0;
	json_int_t delay_ms = 0;
	enum MHD_Result ret;

	memset(&rp, 0, sizeof(rp));
	if (fault != NULL) {
		delay_ms = json_integer_value(json_object_get(fault, "delay_ms"));
		if (json_is_true(json_object_get(fault, "drop"))) {
			json_decref(fault);
			record(s, c, method, r->uri, 0, r->len, 0);
			stall(delay_ms);
			return MHD_NO;	/* closes the connection, no answer */
		}
		status = (int)json_integer_value(json_object_get(fault,
		    "status"));
		if (status >= 400 && status <= 599 && fline_is_api(path)) {
			reply_json(&rp, status, fline_error("An error occurred in the "
			    "backend"), 0);
			goto send;
		}
		if (status >= 400 && status <= 599) {
			reply_error(&rp, status, NULL);
			rp.retry_after = (int)json_integer_value(json_object_get(
			    fault, "retry_after"));
			goto send;
		}
	}
	if (fline_is_api(path)) {
		struct fline_reply lr;

		pthread_mutex_lock(&s->lock);
		fline_api(s->line, method, path, MHD_lookup_connection_value(c,
		    MHD_HEADER_KIND, "Authorization"), MHD_lookup_connection_value(c,
		    MHD_HEADER_KIND, "X-Line-Retry-Key"), r->body, r->len, &lr);
		pthread_mutex_unlock(&s->lock);
		if (lr.fault != NULL) {
			/* A push fault: the push is handled (or refused) as it says,
			 * and then stalled or its answer dropped. */
			json_int_t ms = json_integer_value(json_object_get(lr.fault,
			    "delay_ms"));
			int drop = json_is_true(json_object_get(lr.fault, "drop"));

			json_decref(lr.fault);
			if (drop) {
				json_decref(lr.body);
				json_decref(fault);
				record(s, c, method, r->uri, 0, r->len, 0);
				stall(ms);
				return MHD_NO;
			}
			if (ms > delay_ms)
				delay_ms = ms;
		}
		reply_json(&rp, lr.status, lr.body, 0);
		snprintf(rp.line_id, sizeof(rp.line_id), "%s", lr.request_id);
		snprintf(rp.line_accepted, sizeof(rp.line_accepted), "%s", lr.accepted_id);
		goto send;
	}
	if (strcmp(path, "/token") == 0) {
		if (strcmp(method, "POST") != 0)
			reply_error(&rp, 405, "Method Not Allowed");
		else
			serve_token(s, r, &rp);
		goto send;
	}
	auth = check_bearer(s, c);
	if (auth != 0) {
		reply_error(&rp, 401, auth == 1 ? "Request is missing required "
		    "authentication credential. Expected OAuth 2 access token, "
		    "login cookie or other valid authentication credential. See "
		    "https://developers.google.com/identity/sign-in/web/"
		    "devconsole-project." : NULL);
		goto send;
	}
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_param, &ps);
	memset(&sr, 0, sizeof(sr));
	sr.method = method;
	sr.path = path;
	sr.params = ps.p;
	sr.nparams = ps.n;
	sr.body = r->body;
	sr.body_len = r->len;
	pp = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    "prettyPrint");
	pretty = pp == NULL || strcmp(pp, "false") != 0;
	pthread_mutex_lock(&s->lock);
	if (quota_exceeded(s, method, path, &rp)) {
		pthread_mutex_unlock(&s->lock);
		free(ps.p);
		goto send;
	}
	gz = wants_gzip(c);
	if (strcmp(method, "GET") == 0 && s->cache.uri != NULL &&
	    s->cache.generation == sheets_generation(s->sheets) &&
	    s->cache.gzip == gz && strcmp(s->cache.uri, r->uri) == 0 &&
	    (rp.body = malloc(s->cache.len + 1)) != NULL) {
		/* Unchanged since the same read: the same bytes again. */
		memcpy(rp.body, s->cache.body, s->cache.len);
		rp.len = s->cache.len;
		rp.status = 200;
		rp.ctype = "application/json; charset=UTF-8";
		rp.gzipped = gz;
		answered = 1;
	} else {
		out = sheets_handle(s->sheets, &sr, &status);
		if (out != NULL) {
			answered = 1;
			reply_json(&rp, status, out, pretty);	/* takes out */
			if (gz && rp.len > 0 && gzip_body(&rp) == 0)
				rp.gzipped = 1;
			if (status == 200 && strcmp(method, "GET") == 0 &&
			    rp.len > 65536)
				cache_store(s, r->uri, gz, &rp);
		}
	}
	pthread_mutex_unlock(&s->lock);
	free(ps.p);
	if (!answered)
		reply_error(&rp, 404, NULL);
send:
	if (fault != NULL && json_is_true(json_object_get(fault, "truncate")))
		rp.truncate = 1;
	json_decref(fault);
	if (!rp.gzipped && wants_gzip(c) && rp.len > 0 && gzip_body(&rp) == 0)
		rp.gzipped = 1;
	record(s, c, method, r->uri, rp.status, r->len, rp.len);
	stall(delay_ms);
	ret = send_reply(c, &rp, rp.gzipped);
	free(rp.body);
	return ret;
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct req *r = *con_cls;
	struct reply rp;
	enum MHD_Result ret;

	(void)version;
	if (r == NULL)
		return MHD_NO;
	if (!r->started) {
		r->started = 1;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (r->len + *upload_size > SERVER_MAX_BODY)
			r->too_big = 1;
		if (!r->too_big) {
			if (r->len + *upload_size + 1 > r->cap) {
				size_t cap = (r->len + *upload_size + 1) * 2;
				char *b = realloc(r->body, cap);

				if (b == NULL)
					return MHD_NO;
				r->body = b;
				r->cap = cap;
			}
			memcpy(r->body + r->len, upload, *upload_size);
			r->len += *upload_size;
			r->body[r->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&rp, 0, sizeof(rp));
	if (r->too_big) {
		reply_error(&rp, 413, "Request body too large.");
	} else if (strncmp(url, "/_fake/", 7) == 0) {
		serve_control(s, method, url, r, &rp);
	} else {
		return serve_api(s, c, method, url, r);
	}
	ret = send_reply(c, &rp, wants_gzip(c));
	free(rp.body);
	return ret;
}

struct server *
server_start(const struct server_opts *o, char *url, size_t urlsize,
    char *msg, size_t msgsize)
{
	struct server *s = calloc(1, sizeof(*s));
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_THREAD_PER_CONNECTION;

	if (s == NULL) {
		snprintf(msg, msgsize, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->sheets = o->sheets;
	s->key = o->key;
	s->log = json_array();
	s->faults = json_array();
	if (window_init(&s->user_reads, o->quota_reads) == -1 ||
	    window_init(&s->user_writes, o->quota_writes) == -1 ||
	    window_init(&s->project_reads, o->quota_project) == -1 ||
	    window_init(&s->project_writes, o->quota_project) == -1 ||
	    (s->line = fline_new()) == NULL) {
		snprintf(msg, msgsize, "out of memory");
		server_stop(s);
		return NULL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(o->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (o->tls_cert_pem != NULL) {
		flags |= MHD_USE_TLS;
		s->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, s,
		    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		    MHD_OPTION_URI_LOG_CALLBACK, uri_logger, NULL,
		    MHD_OPTION_UNESCAPE_CALLBACK, unescape_cb, NULL,
		    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
		    MHD_OPTION_NOTIFY_CONNECTION, connection_cb, s,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
		    MHD_OPTION_HTTPS_MEM_KEY, o->tls_key_pem,
		    MHD_OPTION_HTTPS_MEM_CERT, o->tls_cert_pem,
		    MHD_OPTION_END);
	} else {
		s->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, s,
		    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		    MHD_OPTION_URI_LOG_CALLBACK, uri_logger, NULL,
		    MHD_OPTION_UNESCAPE_CALLBACK, unescape_cb, NULL,
		    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
		    MHD_OPTION_NOTIFY_CONNECTION, connection_cb, s,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
		    MHD_OPTION_END);
	}
	if (s->d == NULL) {
		snprintf(msg, msgsize, "cannot listen on 127.0.0.1:%u (port in "
		    "use, or bad TLS certificate/key)", o->port);
		server_stop(s);
		return NULL;
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(s->url, sizeof(s->url), "%s://127.0.0.1:%u",
	    o->tls_cert_pem != NULL ? "https" : "http",
	    info != NULL ? info->port : o->port);
	snprintf(s->token_url, sizeof(s->token_url), "%s/token", s->url);
	snprintf(url, urlsize, "%s", s->url);
	return s;
}

void
server_stop(struct server *s)
{
	if (s == NULL)
		return;
	if (s->d != NULL)
		MHD_stop_daemon(s->d);
	json_decref(s->log);
	json_decref(s->faults);
	fline_free(s->line);
	free(s->cache.body);
	free(s->cache.uri);
	free(s->user_reads.t);
	free(s->user_writes.t);
	free(s->project_reads.t);
	free(s->project_writes.t);
	OPENSSL_cleanse(s->tokens, sizeof(s->tokens));
	pthread_mutex_destroy(&s->lock);
	free(s);
}
