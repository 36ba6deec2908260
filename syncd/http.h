/*
 * http: syncd's one HTTPS transport, over libcurl.
 *
 * One curl easy handle per origin (scheme, host, port) is kept for the life
 * of the client, so connections (HTTP/2 where offered) are reused from
 * request to request and from cycle to cycle (the daemon's client lives
 * until a reload changes the configuration).  Every request starts from
 * curl_easy_reset and sets every option
 * again: no method, body or header survives from the previous request (the
 * PUT/POST confusion CVEs, RELIABILITY_NOTES 6).  TLS is always verified;
 * only https is spoken, plain http only to a loopback host (the emulator);
 * redirects are never followed; every body has a named size limit enforced
 * while it arrives.  curl's errors become one ERR_HTTP line here, never
 * holding the token.  Counts requests by kind and outcome for the metrics.
 * It never logs and never enables curl's verbose output.
 */
#ifndef SYNCD_HTTP_H
#define SYNCD_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "auth/err.h"

#define HTTP_MAX_BODY		(1024 * 1024)		/* bytes: any answer but batchGet */
#define HTTP_MAX_BODY_LARGE	(256 * 1024 * 1024)	/* bytes: a values:batchGet answer */
#define HTTP_MAX_HOSTS		8	/* origins with a kept-alive handle */
#define HTTP_MAX_URL		8000	/* bytes; Google's front ends stop near 8 KiB */
#define HTTP_CONNECT_TIMEOUT_S	10
#define HTTP_TIMEOUT_S		200	/* total; Sheets itself gives up at 180 s */
#define HTTP_LOW_SPEED_LIMIT	64	/* bytes/s ... */
#define HTTP_LOW_SPEED_TIME_S	60	/* ... for this long aborts a stalled transfer */
#define HTTP_CONN_LIFETIME_S	600	/* re-validate kept-alive connections */
#define HTTP_MAX_EXTRA		4	/* extra request headers */
#define HTTP_MAX_CAPTURE	2	/* answer headers a request can keep */
#define HTTP_MAX_HEADER_VALUE	128	/* bytes kept of a captured header's value */

/* What a request is, for the metrics. */
enum http_kind {
	HTTP_KIND_OTHER = 0,	/* anything else (the emulator's control endpoints) */
	HTTP_KIND_TOKEN,	/* OAuth token endpoint */
	HTTP_KIND_DRIVE,	/* Drive files.get (change check) */
	HTTP_KIND_READ,		/* Sheets reads */
	HTTP_KIND_WRITE,	/* Sheets writes */
	HTTP_KIND_COUNT
};

/* How a request ended, for the metrics. */
enum http_class {
	HTTP_CLASS_TRANSPORT = 0,	/* no HTTP status: connect, TLS, timeout, limit */
	HTTP_CLASS_2XX,
	HTTP_CLASS_401,
	HTTP_CLASS_403,
	HTTP_CLASS_404,
	HTTP_CLASS_429,
	HTTP_CLASS_4XX,		/* other 4xx */
	HTTP_CLASS_5XX,
	HTTP_CLASS_OTHER,	/* 1xx/3xx */
	HTTP_CLASS_COUNT
};

struct http_stats {
	uint64_t requests[HTTP_KIND_COUNT][HTTP_CLASS_COUNT];
	uint64_t bytes_received;	/* decoded body bytes plus header bytes */
	uint64_t bytes_sent;		/* request body bytes */
	uint64_t connects;		/* new connections opened (the rest reused one) */
};

/* Client options; 0 / NULL members take the HTTP_* defaults. */
struct http_opts {
	const char *ca_file;		/* extra CA bundle (config ca_file); NULL or "": system's */
	long connect_timeout_s;
	long timeout_s;
	long low_speed_limit;		/* bytes/s */
	long low_speed_time_s;
	/* Called after every request (e.g. metrics_count_request): op as in the request, status 0 for a transport failure. */
	void (*on_request)(void *ctx, const char *op, long status);
	void *on_request_ctx;		/* borrowed */
};

struct http_request {
	const char *method;		/* "GET", "POST", "PUT" or "DELETE" (no body) */
	const char *url;		/* https://..., or http:// to a loopback host */
	const char *bearer;		/* bare access token, or NULL for none; borrowed */
	const char *content_type;	/* of body; NULL: application/json */
	const char *body;		/* POST/PUT body (NULL: empty); borrowed */
	size_t body_len;
	size_t max_body;		/* answer size limit; 0: HTTP_MAX_BODY */
	enum http_kind kind;
	const char *op;			/* metrics name ("batch_get"); NULL: kind's name */
	/* At most HTTP_MAX_EXTRA more "Name: value" lines (LINE's
	 * X-Line-Retry-Key), NULL-terminated; NULL: none.  Borrowed. */
	const char *const *extra_headers;
	/* At most HTTP_MAX_CAPTURE answer header names whose values the
	 * answer keeps (captured[i]), NULL-terminated; NULL: none.  Borrowed. */
	const char *const *capture;
	int fresh_connect;		/* non-zero: a new connection, so curl never resends
					 * it by itself when a kept-alive one dies unanswered
					 * (for writes that are not idempotent) */
};

struct http_response {
	long status;		/* HTTP status; 0 after a transport failure */
	char *body;		/* owned, NUL-terminated (len excludes the NUL); may be NULL when len 0 */
	size_t len;
	double retry_after;	/* Retry-After in seconds, or -1 when absent */
	int transient;		/* after a transport failure: retrying may help */
	/* The values of the request's capture headers ("" when absent), cut
	 * to HTTP_MAX_HEADER_VALUE - 1 bytes. */
	char captured[HTTP_MAX_CAPTURE][HTTP_MAX_HEADER_VALUE];
};

struct http;	/* opaque */

/*
 * http_global_init(e): initialise libcurl (curl_global_init) for the
 * process; call it once, before any client and before any thread starts.
 * Returns 0, or -1 with e set (ERR_HTTP).  Without it, the first client
 * initialises libcurl itself.
 */
int http_global_init(struct err *e);

/* http_new(o, e): a client (o may be NULL).  Returns an owned client or NULL (ERR_NOMEM/ERR_HTTP). */
struct http *http_new(const struct http_opts *o, struct err *e);

/* http_free(h): close every connection and free h.  NULL is a no-op. */
void http_free(struct http *h);

/*
 * http_do(h, rq, rs, e): send one request and read the whole answer.
 * Returns 0 when an HTTP answer arrived, whatever its status (rs->status,
 * rs->body owned by rs: release with http_response_fini), or -1 with e set
 * (ERR_HTTP: the one-line reason, e.g. "connect to 127.0.0.1:4431 timed out
 * after 10 s"; ERR_DATA: URL refused; ERR_NOMEM) and rs->transient saying
 * whether a retry may help.  rs is always initialised, so fini is always safe.
 */
int http_do(struct http *h, const struct http_request *rq, struct http_response *rs,
    struct err *e);

/* http_response_fini(rs): free rs's body; rs becomes empty.  Safe twice. */
void http_response_fini(struct http_response *rs);

/* http_stats_get(h, out): copy the counters since http_new. */
void http_stats_get(const struct http *h, struct http_stats *out);

/* http_kind_name(k): a short name for metrics ("read"). */
const char *http_kind_name(enum http_kind k);

/* http_class_of(status): the metrics class of an HTTP status (0: transport). */
enum http_class http_class_of(long status);

/*
 * http_auth_post(ctx, url, form_body, resp_body, resp_len, status, e): the
 * auth_post_fn of auth/token.h over this client; ctx is a struct http *.
 * POSTs form_body as application/x-www-form-urlencoded, answer limited to
 * AUTH_TOKEN_MAX_BODY.  Returns 0 with *resp_body owned by the caller
 * (NUL-terminated, *resp_len bytes) and *status, or -1 with e set on a
 * transport failure: ERR_TEMP when trying again may help (connection
 * dropped or refused, timeout, cut answer), ERR_HTTP when it cannot (a
 * refused certificate, an answer over the limit).
 */
int http_auth_post(void *ctx, const char *url, const char *form_body,
    char **resp_body, size_t *resp_len, long *status, struct err *e);

#endif
