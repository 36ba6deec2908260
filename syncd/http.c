/*
 * http: the libcurl transport (see http.h for the contract).
 *
 * Why one handle per origin and a reset before each request: a kept handle
 * keeps its connection cache, TLS session and DNS cache across
 * curl_easy_reset, so connection reuse costs nothing, while every
 * per-request option (method, body, headers) is set afresh.  The token only
 * lives in a curl_slist that is wiped before it is freed; curl's verbose
 * output is never switched on.  The only place curl's error codes are read.
 */
#include "syncd/http.h"

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/token.h"
#include "syncd/retry.h"

#ifndef SYNCD_VERSION
#define SYNCD_VERSION "dev"
#endif

#define HTTP_ORIGIN_MAX		300	/* bytes of "scheme://host:port" */
#define HTTP_BODY_INITIAL	(16 * 1024)

struct host {
	char origin[HTTP_ORIGIN_MAX];	/* "https://sheets.googleapis.com:443" */
	CURL *curl;			/* owned */
};

struct http {
	struct http_opts opts;
	char *ca_file;			/* owned copy or NULL */
	struct host hosts[HTTP_MAX_HOSTS];
	size_t nhosts;
	struct http_stats stats;
};

/* The answer being received, with its limit. */
struct sink {
	char *buf;
	size_t len, cap, max;
	int overflow;
	int nomem;
};

int
http_global_init(struct err *e)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		err_set(e, ERR_HTTP, "libcurl failed to initialise");
		return -1;
	}
	return 0;
}

struct http *
http_new(const struct http_opts *o, struct err *e)
{
	struct http *h;

	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		err_set(e, ERR_NOMEM, "out of memory for the HTTP client");
		return NULL;
	}
	if (o != NULL)
		h->opts = *o;
	h->opts.ca_file = NULL;
	if (o != NULL && o->ca_file != NULL && o->ca_file[0] != '\0') {
		h->ca_file = strdup(o->ca_file);
		if (h->ca_file == NULL) {
			free(h);
			err_set(e, ERR_NOMEM, "out of memory for the HTTP client");
			return NULL;
		}
	}
	if (h->opts.connect_timeout_s <= 0)
		h->opts.connect_timeout_s = HTTP_CONNECT_TIMEOUT_S;
	if (h->opts.timeout_s <= 0)
		h->opts.timeout_s = HTTP_TIMEOUT_S;
	if (h->opts.low_speed_limit <= 0)
		h->opts.low_speed_limit = HTTP_LOW_SPEED_LIMIT;
	if (h->opts.low_speed_time_s <= 0)
		h->opts.low_speed_time_s = HTTP_LOW_SPEED_TIME_S;
	return h;
}

void
http_free(struct http *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nhosts; i++)
		curl_easy_cleanup(h->hosts[i].curl);
	free(h->ca_file);
	free(h);
}

void
http_response_fini(struct http_response *rs)
{
	free(rs->body);
	rs->body = NULL;
	rs->len = 0;
}

void
http_stats_get(const struct http *h, struct http_stats *out)
{
	*out = h->stats;
}

const char *
http_kind_name(enum http_kind k)
{
	static const char *const names[HTTP_KIND_COUNT] = { "other", "token", "drive", "read", "write" };

	return (unsigned)k < HTTP_KIND_COUNT ? names[k] : "?";
}

enum http_class
http_class_of(long status)
{
	if (status == 0)
		return HTTP_CLASS_TRANSPORT;
	if (status >= 200 && status < 300)
		return HTTP_CLASS_2XX;
	switch (status) {
	case 401: return HTTP_CLASS_401;
	case 403: return HTTP_CLASS_403;
	case 404: return HTTP_CLASS_404;
	case 429: return HTTP_CLASS_429;
	default: break;
	}
	if (status >= 400 && status < 500)
		return HTTP_CLASS_4XX;
	if (status >= 500 && status < 600)
		return HTTP_CLASS_5XX;
	return HTTP_CLASS_OTHER;
}

static size_t
sink_write(char *data, size_t size, size_t nmemb, void *userp)
{
	struct sink *s = userp;
	size_t n = size * nmemb, cap;
	char *p;

	if (n > s->max - s->len) {
		s->overflow = 1;
		return 0;	/* curl aborts with CURLE_WRITE_ERROR */
	}
	if (s->len + n + 1 > s->cap) {
		cap = s->cap != 0 ? s->cap : HTTP_BODY_INITIAL;
		while (cap < s->len + n + 1)
			cap *= 2;
		if (cap > s->max + 1)
			cap = s->max + 1;
		p = realloc(s->buf, cap);
		if (p == NULL) {
			s->nomem = 1;
			return 0;
		}
		s->buf = p;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return n;
}

/* Host part of the URL, its port, scheme and whether plain http may go there. */
struct target {
	char host[256];
	long port;
	int https;
	int loopback;
};

static int
parse_target(const char *url, struct target *t, struct err *e)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	if (u == NULL) {
		err_set(e, ERR_NOMEM, "out of memory parsing a URL");
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		err_set(e, ERR_DATA, "malformed URL");
		goto out;
	}
	if (strlen(host) >= sizeof(t->host)) {
		err_set(e, ERR_DATA, "URL host name too long");
		goto out;
	}
	memcpy(t->host, host, strlen(host) + 1);
	t->port = strtol(port, NULL, 10);
	t->https = strcasecmp(scheme, "https") == 0;
	t->loopback = strcmp(host, "127.0.0.1") == 0 || strcasecmp(host, "localhost") == 0 ||
	    strcmp(host, "[::1]") == 0;
	if (!t->https && !(strcasecmp(scheme, "http") == 0 && t->loopback)) {
		err_set(e, ERR_DATA, "refusing %s://%s: only https is spoken (plain http "
		    "only to 127.0.0.1, localhost or ::1)", scheme, host);
		goto out;
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

static CURL *
host_handle(struct http *h, const struct target *t, struct err *e)
{
	char origin[HTTP_ORIGIN_MAX];
	size_t i;
	CURL *c;

	snprintf(origin, sizeof(origin), "%s://%s:%ld", t->https ? "https" : "http",
	    t->host, t->port);
	for (i = 0; i < h->nhosts; i++)
		if (strcmp(h->hosts[i].origin, origin) == 0)
			return h->hosts[i].curl;
	if (h->nhosts == HTTP_MAX_HOSTS) {
		err_set(e, ERR_HTTP, "more than %d API hosts", HTTP_MAX_HOSTS);
		return NULL;
	}
	c = curl_easy_init();
	if (c == NULL) {
		err_set(e, ERR_NOMEM, "out of memory for a curl handle");
		return NULL;
	}
	memcpy(h->hosts[h->nhosts].origin, origin, sizeof(origin));
	h->hosts[h->nhosts].curl = c;
	h->nhosts++;
	return c;
}

/* Wipe every header (one holds the token) before freeing the list. */
static void
headers_free(struct curl_slist *l)
{
	struct curl_slist *p;

	for (p = l; p != NULL; p = p->next)
		OPENSSL_cleanse(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

static struct curl_slist *
headers_build(const struct http_request *rq, struct err *e)
{
	struct curl_slist *l = NULL, *n;
	char ct[128];
	char *auth = NULL;
	size_t alen, i;

	snprintf(ct, sizeof(ct), "Content-Type: %s",
	    rq->content_type != NULL ? rq->content_type : "application/json");
	n = curl_slist_append(l, "Accept: application/json");
	if (n == NULL)
		goto nomem;
	l = n;
	/* No "Expect: 100-continue" round trip for our small bodies. */
	n = curl_slist_append(l, "Expect:");
	if (n == NULL)
		goto nomem;
	l = n;
	if (strcmp(rq->method, "POST") == 0 || strcmp(rq->method, "PUT") == 0) {
		n = curl_slist_append(l, ct);
		if (n == NULL)
			goto nomem;
		l = n;
	}
	for (i = 0; rq->extra_headers != NULL && rq->extra_headers[i] != NULL &&
	    i < HTTP_MAX_EXTRA; i++) {
		n = curl_slist_append(l, rq->extra_headers[i]);
		if (n == NULL)
			goto nomem;
		l = n;
	}
	if (rq->bearer != NULL) {
		alen = strlen("Authorization: Bearer ") + strlen(rq->bearer) + 1;
		auth = malloc(alen);
		if (auth == NULL)
			goto nomem;
		snprintf(auth, alen, "Authorization: Bearer %s", rq->bearer);
		n = curl_slist_append(l, auth);
		OPENSSL_cleanse(auth, alen);
		free(auth);
		if (n == NULL)
			goto nomem;
		l = n;
	}
	return l;
nomem:
	headers_free(l);
	err_set(e, ERR_NOMEM, "out of memory building request headers");
	return NULL;
}

/* Set every option of one request on a freshly reset handle. */
static int
configure(struct http *h, CURL *c, const struct http_request *rq, const struct target *t,
    struct curl_slist *headers, struct sink *sink, char *errbuf)
{
	CURLcode rc = CURLE_OK;

#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val); } while (0)
	curl_easy_reset(c);
	SET(CURLOPT_URL, rq->url);
	SET(CURLOPT_PROTOCOLS_STR, t->loopback ? "http,https" : "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_MAXREDIRS, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_file != NULL)
		SET(CURLOPT_CAINFO, h->ca_file);
	SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_VERBOSE, 0L);
	SET(CURLOPT_CONNECTTIMEOUT, h->opts.connect_timeout_s);
	SET(CURLOPT_TIMEOUT, h->opts.timeout_s);
	SET(CURLOPT_LOW_SPEED_LIMIT, h->opts.low_speed_limit);
	SET(CURLOPT_LOW_SPEED_TIME, h->opts.low_speed_time_s);
	SET(CURLOPT_MAXLIFETIME_CONN, (long)HTTP_CONN_LIFETIME_S);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_USERAGENT, "syncd/" SYNCD_VERSION);
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_WRITEFUNCTION, sink_write);
	SET(CURLOPT_WRITEDATA, sink);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink->max);
	/*
	 * curl resends a request by itself when a reused connection closes
	 * before any answer byte; the server may have applied it already.
	 */
	if (rq->fresh_connect)
		SET(CURLOPT_FRESH_CONNECT, 1L);
	if (strcmp(rq->method, "GET") == 0) {
		SET(CURLOPT_HTTPGET, 1L);
	} else if (strcmp(rq->method, "DELETE") == 0) {
		SET(CURLOPT_HTTPGET, 1L);
		SET(CURLOPT_CUSTOMREQUEST, "DELETE");
	} else {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
		SET(CURLOPT_POSTFIELDS, rq->body != NULL ? rq->body : "");
		if (strcmp(rq->method, "PUT") == 0)
			SET(CURLOPT_CUSTOMREQUEST, "PUT");
	}
#undef SET
	return rc == CURLE_OK ? 0 : -1;
}

static int
curl_transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return 1;
	default:
		return 0;
	}
}

/* curl's failure as one line naming the peer, never the URL's query nor a header. */
static void
translate(struct http *h, CURL *c, CURLcode rc, const struct sink *sink,
    const struct target *t, const char *errbuf, struct err *e)
{
	const char *detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
	curl_off_t connect_us = 0;
	char peer[300];

	if (strchr(t->host, ':') != NULL && t->host[0] != '[')
		snprintf(peer, sizeof(peer), "[%s]:%ld", t->host, t->port);
	else
		snprintf(peer, sizeof(peer), "%s:%ld", t->host, t->port);
	curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connect_us);
	switch (rc) {
	case CURLE_WRITE_ERROR:
		if (sink->overflow) {
			err_set(e, ERR_HTTP, "answer from %s larger than %zu bytes: refused",
			    peer, sink->max);
			return;
		}
		if (sink->nomem) {
			err_set(e, ERR_NOMEM, "out of memory reading the answer from %s", peer);
			return;
		}
		break;
	case CURLE_FILESIZE_EXCEEDED:
		err_set(e, ERR_HTTP, "answer from %s larger than %zu bytes: refused",
		    peer, sink->max);
		return;
	case CURLE_OPERATION_TIMEDOUT:
		if (connect_us == 0)
			err_set(e, ERR_HTTP, "connect to %s timed out after %ld s", peer,
			    h->opts.connect_timeout_s);
		else if (strstr(detail, "too slow") != NULL)
			err_set(e, ERR_HTTP, "transfer from %s stalled (under %ld bytes/s for %ld s)",
			    peer, h->opts.low_speed_limit, h->opts.low_speed_time_s);
		else
			err_set(e, ERR_HTTP, "request to %s timed out after %ld s", peer,
			    h->opts.timeout_s);
		return;
	case CURLE_COULDNT_RESOLVE_HOST:
		err_set(e, ERR_HTTP, "cannot resolve host %s", t->host);
		return;
	case CURLE_COULDNT_CONNECT:
		err_set(e, ERR_HTTP, "connect to %s failed: %s", peer, detail);
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
		err_set(e, ERR_HTTP, "TLS certificate of %s not accepted: %s (check the "
		    "system CA store or ca_file)", peer, detail);
		return;
	case CURLE_UNSUPPORTED_PROTOCOL:
		err_set(e, ERR_HTTP, "refusing to talk to %s: %s (https only)", peer, detail);
		return;
	default:
		break;
	}
	err_set(e, ERR_HTTP, "request to %s failed: %s", peer, detail);
}

int
http_do(struct http *h, const struct http_request *rq, struct http_response *rs,
    struct err *e)
{
	char errbuf[CURL_ERROR_SIZE];
	struct curl_slist *headers = NULL;
	struct sink sink;
	struct target t;
	struct curl_header *hdr;
	curl_off_t hsize = 0;
	long nconn = 0;
	size_t i;
	CURLcode rc;
	CURL *c;
	long status = 0;
	int kind = (unsigned)rq->kind < HTTP_KIND_COUNT ? (int)rq->kind : HTTP_KIND_OTHER;

	memset(rs, 0, sizeof(*rs));
	rs->retry_after = -1;
	memset(&sink, 0, sizeof(sink));
	sink.max = rq->max_body != 0 ? rq->max_body : HTTP_MAX_BODY;
	errbuf[0] = '\0';
	if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "POST") != 0 &&
	    strcmp(rq->method, "PUT") != 0 && strcmp(rq->method, "DELETE") != 0) {
		err_set(e, ERR_DATA, "unsupported HTTP method %s", rq->method);
		return -1;
	}
	if (strlen(rq->url) > HTTP_MAX_URL) {
		err_set(e, ERR_DATA, "request URL longer than %d bytes (too many or too long "
		    "tab titles for one request)", HTTP_MAX_URL);
		return -1;
	}
	if (parse_target(rq->url, &t, e) < 0)
		return -1;
	c = host_handle(h, &t, e);
	if (c == NULL)
		return -1;
	headers = headers_build(rq, e);
	if (headers == NULL)
		return -1;
	if (configure(h, c, rq, &t, headers, &sink, errbuf) < 0) {
		headers_free(headers);
		err_set(e, ERR_HTTP, "libcurl refused an option (built without https?)");
		return -1;
	}
	rc = curl_easy_perform(c);
	/* The handle keeps pointers to headers, sink and errbuf: drop them now. */
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
	headers_free(headers);
	curl_easy_getinfo(c, CURLINFO_HEADER_SIZE, &hsize);
	if (curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &nconn) == CURLE_OK && nconn > 0)
		h->stats.connects += (uint64_t)nconn;
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	h->stats.bytes_received += sink.len + (uint64_t)(hsize > 0 ? hsize : 0);
	h->stats.bytes_sent += rq->body_len;
	h->stats.requests[kind][http_class_of(status)]++;
	if (h->opts.on_request != NULL)
		h->opts.on_request(h->opts.on_request_ctx,
		    rq->op != NULL ? rq->op : http_kind_name((enum http_kind)kind), status);
	if (rc != CURLE_OK) {
		translate(h, c, rc, &sink, &t, errbuf, e);
		rs->transient = curl_transient(rc);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, (char *)NULL);
		free(sink.buf);
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, (char *)NULL);
	if (curl_easy_header(c, "Retry-After", 0, CURLH_HEADER, -1, &hdr) == CURLHE_OK) {
		double secs;

		if (retry_after_parse(hdr->value, time(NULL), &secs) == 0)
			rs->retry_after = secs;
	}
	for (i = 0; rq->capture != NULL && rq->capture[i] != NULL && i < HTTP_MAX_CAPTURE;
	    i++)
		if (curl_easy_header(c, rq->capture[i], 0, CURLH_HEADER, -1, &hdr) ==
		    CURLHE_OK)
			snprintf(rs->captured[i], sizeof(rs->captured[i]), "%s", hdr->value);
	rs->status = status;
	rs->body = sink.buf;
	rs->len = sink.len;
	return 0;
}

int
http_auth_post(void *ctx, const char *url, const char *form_body,
    char **resp_body, size_t *resp_len, long *status, struct err *e)
{
	struct http *h = ctx;
	struct http_request rq;
	struct http_response rs;
	struct err he;

	*resp_body = NULL;
	*resp_len = 0;
	*status = 0;
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.url = url;
	rq.content_type = "application/x-www-form-urlencoded";
	rq.body = form_body;
	rq.body_len = strlen(form_body);
	rq.max_body = AUTH_TOKEN_MAX_BODY;
	rq.kind = HTTP_KIND_TOKEN;
	rq.op = "token";
	err_init(&he);
	if (http_do(h, &rq, &rs, &he) < 0) {
		/* A dropped or timed-out exchange may succeed if tried again. */
		err_set(e, rs.transient && he.code == ERR_HTTP ? ERR_TEMP : he.code, "%s", he.msg);
		http_response_fini(&rs);
		return -1;
	}
	if (rs.body == NULL) {
		rs.body = calloc(1, 1);
		if (rs.body == NULL) {
			err_set(e, ERR_NOMEM, "out of memory reading the token answer");
			return -1;
		}
	}
	*resp_body = rs.body;
	*resp_len = rs.len;
	*status = rs.status;
	return 0;
}
