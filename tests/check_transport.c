/*
 * check_transport: the transport policy of RELIABILITY_NOTES.md section 6,
 * asserted from the wire, and the client's limits on hostile answers.
 *
 * A scripted HTTP server runs in a thread of this process on 127.0.0.1 (plain
 * http is allowed to loopback only) and records every request byte for byte,
 * so the suite can see what curl really sent: a fresh method, body and header
 * set on every request of one reused handle (the PUT/POST confusion CVEs), no
 * token left over, no redirect followed, the total and low-speed timeouts
 * firing on a stalled or dripping server, a cut body and an endless body
 * refused, Retry-After read.  The same server then plays a hostile API to
 * the Sheets client: too deep, too many tabs, too big, not JSON, duplicate
 * keys, NUL in a title, a proxy's HTML page, a flood of text in an error.
 * Last, $BUILD/fakesheets is started with a self-signed, an expired and a
 * wrong-host certificate: each is refused at once and never retried.
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "auth/key.h"
#include "auth/token.h"
#include "syncd/http.h"
#include "syncd/retry.h"
#include "syncd/sheets.h"
#include "syncd/sheets_parse.h"
#include "tests/harness.h"

#define SRV_MAX_REQS	16
#define SRV_MAX_REQ	8192	/* bytes of one recorded request */
#define SRV_WAIT_MS	15000	/* longest a stalling mode holds a connection */

/* How the scripted server answers the next requests. */
enum srv_mode {
	SRV_CANNED = 0,	/* status line, headers and body set by the test */
	SRV_STALL,	/* read the request, then say nothing */
	SRV_DRIP,	/* headers, then one body byte every 200 ms */
	SRV_CUT,	/* Content-Length 1000, 10 bytes, close */
	SRV_ENDLESS,	/* no length, body bytes until the client hangs up */
	SRV_NOTHING,	/* close without a byte */
};

static struct {
	int fd;
	int port;
	pthread_t thread;
	pthread_mutex_t lock;
	int stop;
	enum srv_mode mode;
	char head[2048];	/* canned: status line and headers, without the blank line */
	char *body;		/* canned body, owned */
	size_t body_len;
	char reqs[SRV_MAX_REQS][SRV_MAX_REQ];	/* recorded requests, head and body */
	size_t req_len[SRV_MAX_REQS];
	int nreqs;
} srv;

static char base[64];	/* "http://127.0.0.1:PORT" */
static char dir[256];
static struct harness_clock clk;	/* the retry policy's pretend clock */

static int
send_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Wait until the peer closes (or SRV_WAIT_MS passes), discarding what it sends. */
static void
wait_close(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char buf[512];
	int waited = 0;

	while (waited < SRV_WAIT_MS) {
		if (poll(&p, 1, 100) > 0) {
			if (recv(fd, buf, sizeof(buf), 0) <= 0)
				return;
		} else {
			waited += 100;
		}
	}
}

/* Read one request (head and Content-Length body) and record it.  -1 on EOF. */
static int
read_request(int fd)
{
	char buf[SRV_MAX_REQ];
	size_t len = 0, head_len, want;
	const char *end, *cl;
	ssize_t r;
	int slot;

	for (;;) {
		if (len == sizeof(buf) - 1)
			return -1;
		r = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		len += (size_t)r;
		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end != NULL)
			break;
	}
	head_len = (size_t)(end - buf) + 4;
	want = 0;
	cl = strcasestr(buf, "\r\nContent-Length:");
	if (cl != NULL && cl < end)
		want = strtoul(cl + 17, NULL, 10);
	while (len < head_len + want && len < sizeof(buf) - 1) {
		r = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	pthread_mutex_lock(&srv.lock);
	slot = srv.nreqs < SRV_MAX_REQS ? srv.nreqs : SRV_MAX_REQS - 1;
	memcpy(srv.reqs[slot], buf, len + 1);
	srv.req_len[slot] = len;
	srv.nreqs++;
	pthread_mutex_unlock(&srv.lock);
	return 0;
}

static void
serve_one(int fd)
{
	static const char drip_head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: 100000\r\nConnection: close\r\n\r\n";
	static const char cut[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: 1000\r\nConnection: close\r\n\r\n{\"sheets\":";
	static const char endless_head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
	    "Connection: close\r\n\r\n";
	char chunk[65536], hdr[2300];
	enum srv_mode mode;
	int i;

	if (read_request(fd) < 0)
		return;
	pthread_mutex_lock(&srv.lock);
	mode = srv.mode;
	pthread_mutex_unlock(&srv.lock);
	switch (mode) {
	case SRV_CANNED:
		pthread_mutex_lock(&srv.lock);
		snprintf(hdr, sizeof(hdr), "%s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
		    srv.head, srv.body_len);
		if (send_all(fd, hdr, strlen(hdr)) == 0 && srv.body_len > 0)
			send_all(fd, srv.body, srv.body_len);
		pthread_mutex_unlock(&srv.lock);
		break;
	case SRV_STALL:
		wait_close(fd);
		break;
	case SRV_DRIP:
		if (send_all(fd, drip_head, sizeof(drip_head) - 1) < 0)
			break;
		for (i = 0; i < SRV_WAIT_MS / 200; i++) {
			struct timespec ts = { 0, 200 * 1000 * 1000 };

			if (send_all(fd, " ", 1) < 0)
				break;
			nanosleep(&ts, NULL);
		}
		break;
	case SRV_CUT:
		send_all(fd, cut, sizeof(cut) - 1);
		break;
	case SRV_ENDLESS:
		memset(chunk, ' ', sizeof(chunk));
		if (send_all(fd, endless_head, sizeof(endless_head) - 1) < 0)
			break;
		for (i = 0; i < 4096; i++)	/* at most 256 MiB */
			if (send_all(fd, chunk, sizeof(chunk)) < 0)
				break;
		break;
	case SRV_NOTHING:
		break;
	}
}

static void *
srv_main(void *arg)
{
	struct pollfd p;
	int c;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&srv.lock);
		if (srv.stop) {
			pthread_mutex_unlock(&srv.lock);
			return NULL;
		}
		pthread_mutex_unlock(&srv.lock);
		p.fd = srv.fd;
		p.events = POLLIN;
		if (poll(&p, 1, 100) <= 0)
			continue;
		c = accept(srv.fd, NULL, NULL);
		if (c < 0)
			continue;
		serve_one(c);
		close(c);
	}
}

static int
srv_start(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int one = 1;

	pthread_mutex_init(&srv.lock, NULL);
	srv.fd = socket(AF_INET, SOCK_STREAM, 0);
	if (srv.fd < 0)
		return -1;
	setsockopt(srv.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(srv.fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(srv.fd, 16) < 0 ||
	    getsockname(srv.fd, (struct sockaddr *)&sa, &sl) < 0)
		return -1;
	srv.port = ntohs(sa.sin_port);
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", srv.port);
	return pthread_create(&srv.thread, NULL, srv_main, NULL) == 0 ? 0 : -1;
}

static void
srv_stop(void)
{
	pthread_mutex_lock(&srv.lock);
	srv.stop = 1;
	pthread_mutex_unlock(&srv.lock);
	pthread_join(srv.thread, NULL);
	close(srv.fd);
	free(srv.body);
	srv.body = NULL;
}

/* Script the next answers: mode, and for SRV_CANNED the head and body. */
static void
srv_script(enum srv_mode mode, const char *head, const char *body, size_t len)
{
	pthread_mutex_lock(&srv.lock);
	srv.mode = mode;
	snprintf(srv.head, sizeof(srv.head), "%s", head != NULL ? head :
	    "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8");
	free(srv.body);
	srv.body = NULL;
	srv.body_len = 0;
	if (body != NULL) {
		srv.body = malloc(len + 1);
		ck_assert_ptr_nonnull(srv.body);
		memcpy(srv.body, body, len);
		srv.body_len = len;
	}
	srv.nreqs = 0;
	pthread_mutex_unlock(&srv.lock);
}

static int
srv_nreqs(void)
{
	int n;

	pthread_mutex_lock(&srv.lock);
	n = srv.nreqs;
	pthread_mutex_unlock(&srv.lock);
	return n;
}

/* Recorded request i (a copy the caller frees). */
static char *
srv_req(int i)
{
	char *s;

	pthread_mutex_lock(&srv.lock);
	ck_assert_int_lt(i, srv.nreqs);
	s = strdup(srv.reqs[i]);
	pthread_mutex_unlock(&srv.lock);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* A client with the given timeouts (0: defaults). */
static struct http *
client(long timeout, long low_limit, long low_time)
{
	struct http_opts o;
	struct err e;
	struct http *h;

	memset(&o, 0, sizeof(o));
	o.timeout_s = timeout;
	o.low_speed_limit = low_limit;
	o.low_speed_time_s = low_time;
	err_init(&e);
	h = http_new(&o, &e);
	ck_assert_msg(h != NULL, "%s", e.msg);
	return h;
}

/* One request to base + path; returns http_do's result, rs and e filled. */
static int
req(struct http *h, const char *method, const char *path, const char *bearer,
    const char *ctype, const char *body, size_t max, struct http_response *rs,
    struct err *e)
{
	struct http_request rq;
	char u[256];

	snprintf(u, sizeof(u), "%s%s", base, path);
	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.url = u;
	rq.bearer = bearer;
	rq.content_type = ctype;
	rq.body = body;
	rq.body_len = body != NULL ? strlen(body) : 0;
	rq.max_body = max;
	err_init(e);
	return http_do(h, &rq, rs, e);
}

/* Does request text r (head only) carry header name? */
static int
has_header(const char *r, const char *name)
{
	const char *end = strstr(r, "\r\n\r\n");
	char pat[128];
	const char *p;

	snprintf(pat, sizeof(pat), "\r\n%s:", name);
	p = strcasestr(r, pat);
	return p != NULL && end != NULL && p < end;
}

static const char *
body_of(const char *r)
{
	const char *end = strstr(r, "\r\n\r\n");

	return end != NULL ? end + 4 : "";
}

/* ---- the wire ---- */

START_TEST(test_handle_reset_between_methods)
{
	struct http *h = client(10, 0, 0);
	struct http_response rs;
	struct err e;
	char *r;

	srv_script(SRV_CANNED, NULL, "{}", 2);
	ck_assert_int_eq(req(h, "POST", "/p0", "sekrit-token", NULL, "{\"a\":1}", 0, &rs, &e), 0);
	http_response_fini(&rs);
	ck_assert_int_eq(req(h, "GET", "/p1", NULL, NULL, NULL, 0, &rs, &e), 0);
	http_response_fini(&rs);
	ck_assert_int_eq(req(h, "DELETE", "/p2", NULL, NULL, NULL, 0, &rs, &e), 0);
	http_response_fini(&rs);
	ck_assert_int_eq(req(h, "PUT", "/p3", "t2", NULL, "put-body", 0, &rs, &e), 0);
	http_response_fini(&rs);
	ck_assert_int_eq(req(h, "POST", "/p4", NULL, "application/x-www-form-urlencoded",
	    "x=1", 0, &rs, &e), 0);
	http_response_fini(&rs);
	ck_assert_int_eq(req(h, "GET", "/p5", NULL, NULL, NULL, 0, &rs, &e), 0);
	http_response_fini(&rs);
	ck_assert_int_eq(srv_nreqs(), 6);

	r = srv_req(0);
	ck_assert_msg(strncmp(r, "POST /p0 HTTP/1.1\r\n", 19) == 0, "%s", r);
	ck_assert_ptr_nonnull(strstr(r, "\r\nAuthorization: Bearer sekrit-token\r\n"));
	ck_assert_ptr_nonnull(strcasestr(r, "\r\nContent-Type: application/json\r\n"));
	ck_assert_str_eq(body_of(r), "{\"a\":1}");
	ck_assert(has_header(r, "User-Agent"));
	ck_assert(has_header(r, "Accept-Encoding"));
	ck_assert(!has_header(r, "Expect"));
	free(r);
	/* A GET after a POST: no body, no length, no type, no token left over. */
	r = srv_req(1);
	ck_assert_msg(strncmp(r, "GET /p1 HTTP/1.1\r\n", 18) == 0, "%s", r);
	ck_assert(!has_header(r, "Content-Length"));
	ck_assert(!has_header(r, "Content-Type"));
	ck_assert(!has_header(r, "Authorization"));
	ck_assert(!has_header(r, "Transfer-Encoding"));
	ck_assert_str_eq(body_of(r), "");
	free(r);
	r = srv_req(2);
	ck_assert_msg(strncmp(r, "DELETE /p2 HTTP/1.1\r\n", 21) == 0, "%s", r);
	ck_assert_str_eq(body_of(r), "");
	ck_assert(!has_header(r, "Content-Type"));
	free(r);
	r = srv_req(3);
	ck_assert_msg(strncmp(r, "PUT /p3 HTTP/1.1\r\n", 18) == 0, "%s", r);
	ck_assert_ptr_nonnull(strstr(r, "\r\nAuthorization: Bearer t2\r\n"));
	ck_assert_str_eq(body_of(r), "put-body");
	free(r);
	/* POST after PUT (CVE-2022-32221): a POST, with its own body and type. */
	r = srv_req(4);
	ck_assert_msg(strncmp(r, "POST /p4 HTTP/1.1\r\n", 19) == 0, "%s", r);
	ck_assert_ptr_nonnull(strcasestr(r, "\r\nContent-Type: application/x-www-form-urlencoded\r\n"));
	ck_assert_ptr_nonnull(strcasestr(r, "\r\nContent-Length: 3\r\n"));
	ck_assert_str_eq(body_of(r), "x=1");
	ck_assert(!has_header(r, "Authorization"));
	free(r);
	r = srv_req(5);
	ck_assert_msg(strncmp(r, "GET /p5 HTTP/1.1\r\n", 18) == 0, "%s", r);
	ck_assert_str_eq(body_of(r), "");
	free(r);
	http_free(h);
}
END_TEST

START_TEST(test_redirect_not_followed)
{
	static const char *const heads[] = {
		"HTTP/1.1 302 Found\r\nLocation: /elsewhere",
		"HTTP/1.1 301 Moved Permanently\r\nLocation: https://example.invalid/x",
		"HTTP/1.1 307 Temporary Redirect\r\nLocation: file:///etc/passwd",
		"HTTP/1.1 308 Permanent Redirect\r\nLocation: ftp://127.0.0.1/x",
	};
	struct http *h = client(10, 0, 0);
	struct http_response rs;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		srv_script(SRV_CANNED, heads[i], "moved", 5);
		ck_assert_int_eq(req(h, "POST", "/r", NULL, NULL, "{}", 0, &rs, &e), 0);
		ck_assert_int_eq(rs.status, strtol(heads[i] + 9, NULL, 10));
		http_response_fini(&rs);
		ck_assert_int_eq(srv_nreqs(), 1);
	}
	http_free(h);
}
END_TEST

START_TEST(test_schemes_refused)
{
	static const char *const urls[] = {
		"http://example.com/v4/spreadsheets/x", "ftp://127.0.0.1/x",
		"file:///etc/passwd", "gopher://127.0.0.1/x", "dict://127.0.0.1/x",
		"scp://127.0.0.1/x", "ldap://127.0.0.1/x", "http://127.0.0.1.nip.io/x",
		"http://localhost.example/x", "not a url",
	};
	struct http *h = client(10, 0, 0);
	struct http_request rq;
	struct http_response rs;
	struct err e;
	size_t i;

	srv_script(SRV_CANNED, NULL, "{}", 2);
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		memset(&rq, 0, sizeof(rq));
		rq.method = "GET";
		rq.url = urls[i];
		err_init(&e);
		ck_assert_msg(http_do(h, &rq, &rs, &e) == -1, "%s accepted", urls[i]);
		ck_assert_msg(e.code == ERR_DATA, "%s: %d %s", urls[i], e.code, e.msg);
		ck_assert_int_eq(rs.transient, 0);
		http_response_fini(&rs);
	}
	ck_assert_int_eq(srv_nreqs(), 0);
	http_free(h);
}
END_TEST

START_TEST(test_total_timeout_fires)
{
	struct http *h = client(1, 0, 0);
	struct http_response rs;
	struct err e;

	srv_script(SRV_STALL, NULL, NULL, 0);
	ck_assert_int_eq(req(h, "GET", "/stall", NULL, NULL, NULL, 0, &rs, &e), -1);
	ck_assert_int_eq(e.code, ERR_HTTP);
	ck_assert_msg(strstr(e.msg, "timed out after 1 s") != NULL, "%s", e.msg);
	ck_assert_ptr_nonnull(strstr(e.msg, base + 7));
	ck_assert_int_eq(rs.transient, 1);
	http_response_fini(&rs);
	http_free(h);
}
END_TEST

START_TEST(test_low_speed_fires)
{
	/* A whole minute allowed, but under 1000 bytes/s for 1 s is a stall. */
	struct http *h = client(60, 1000, 1);
	struct http_response rs;
	struct err e;

	srv_script(SRV_DRIP, NULL, NULL, 0);
	ck_assert_int_eq(req(h, "GET", "/drip", NULL, NULL, NULL, 0, &rs, &e), -1);
	ck_assert_int_eq(e.code, ERR_HTTP);
	ck_assert_msg(strstr(e.msg, "stalled") != NULL, "%s", e.msg);
	ck_assert_int_eq(rs.transient, 1);
	http_response_fini(&rs);
	/* A silent server is caught by the same guard. */
	srv_script(SRV_STALL, NULL, NULL, 0);
	ck_assert_int_eq(req(h, "GET", "/stall", NULL, NULL, NULL, 0, &rs, &e), -1);
	ck_assert_msg(strstr(e.msg, "stalled") != NULL, "%s", e.msg);
	http_response_fini(&rs);
	http_free(h);
}
END_TEST

START_TEST(test_cut_and_empty_answers)
{
	struct http *h = client(10, 0, 0);
	struct http_response rs;
	struct err e;

	srv_script(SRV_CUT, NULL, NULL, 0);
	ck_assert_int_eq(req(h, "GET", "/cut", NULL, NULL, NULL, 0, &rs, &e), -1);
	ck_assert_int_eq(e.code, ERR_HTTP);
	ck_assert_int_eq(rs.transient, 1);
	ck_assert_ptr_null(rs.body);
	http_response_fini(&rs);
	srv_script(SRV_NOTHING, NULL, NULL, 0);
	ck_assert_int_eq(req(h, "GET", "/nothing", NULL, NULL, NULL, 0, &rs, &e), -1);
	ck_assert_int_eq(e.code, ERR_HTTP);
	ck_assert_int_eq(rs.transient, 1);
	http_response_fini(&rs);
	http_free(h);
}
END_TEST

START_TEST(test_body_caps)
{
	struct http *h = client(30, 0, 0);
	struct http_response rs;
	struct err e;
	char *big;

	/* No length announced: the write callback stops it at the cap. */
	srv_script(SRV_ENDLESS, NULL, NULL, 0);
	ck_assert_int_eq(req(h, "GET", "/endless", NULL, NULL, NULL, 100000, &rs, &e), -1);
	ck_assert_int_eq(e.code, ERR_HTTP);
	ck_assert_msg(strstr(e.msg, "larger than 100000 bytes") != NULL, "%s", e.msg);
	ck_assert_int_eq(rs.transient, 0);
	http_response_fini(&rs);
	/* The default cap (HTTP_MAX_BODY) with a length announced. */
	big = malloc(HTTP_MAX_BODY + 1);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', HTTP_MAX_BODY + 1);
	srv_script(SRV_CANNED, NULL, big, HTTP_MAX_BODY + 1);
	free(big);
	ck_assert_int_eq(req(h, "GET", "/big", NULL, NULL, NULL, 0, &rs, &e), -1);
	ck_assert_msg(strstr(e.msg, "larger than") != NULL, "%s", e.msg);
	ck_assert_int_eq(rs.transient, 0);
	http_response_fini(&rs);
	/* Exactly at the cap is fine. */
	srv_script(SRV_CANNED, NULL, "0123456789", 10);
	ck_assert_int_eq(req(h, "GET", "/ten", NULL, NULL, NULL, 10, &rs, &e), 0);
	ck_assert_uint_eq(rs.len, 10);
	ck_assert_str_eq(rs.body, "0123456789");
	http_response_fini(&rs);
	http_free(h);
}
END_TEST

START_TEST(test_retry_after_header)
{
	struct http *h = client(10, 0, 0);
	struct http_response rs;
	struct err e;

	srv_script(SRV_CANNED, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7", "{}", 2);
	ck_assert_int_eq(req(h, "GET", "/q", NULL, NULL, NULL, 0, &rs, &e), 0);
	ck_assert_int_eq(rs.status, 429);
	ck_assert(rs.retry_after == 7.0);
	http_response_fini(&rs);
	srv_script(SRV_CANNED, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: soon", "{}", 2);
	ck_assert_int_eq(req(h, "GET", "/q", NULL, NULL, NULL, 0, &rs, &e), 0);
	ck_assert(rs.retry_after < 0);
	http_response_fini(&rs);
	/* Google sends none on its 429s: absent is -1. */
	srv_script(SRV_CANNED, "HTTP/1.1 429 Too Many Requests", "{}", 2);
	ck_assert_int_eq(req(h, "GET", "/q", NULL, NULL, NULL, 0, &rs, &e), 0);
	ck_assert(rs.retry_after < 0);
	http_response_fini(&rs);
	http_free(h);
}
END_TEST

/* ---- a hostile API ---- */

static int
static_token(void *ctx, int force, const char **bearer, struct err *e)
{
	(void)ctx;
	(void)force;
	(void)e;
	*bearer = "static-test-token";
	return 0;
}

struct hostile {
	const char *what;
	const char *call;	/* "tabs", "version", "batch_update" */
	const char *head;	/* NULL: 200 OK JSON */
	const char *body;	/* NULL: built by the case */
	enum err_code want;
	const char *msg;	/* substring of the message */
};

static char *
deep_json(int depth)
{
	char *s = malloc((size_t)depth * 2 + 32);
	int i, n = 0;

	ck_assert_ptr_nonnull(s);
	n += snprintf(s + n, 16, "{\"sheets\":");
	for (i = 0; i < depth; i++)
		s[n++] = '[';
	for (i = 0; i < depth; i++)
		s[n++] = ']';
	s[n++] = '}';
	s[n] = '\0';
	return s;
}

static char *
many_tabs(int n)
{
	size_t cap = (size_t)n * 64 + 64, len;
	char *s = malloc(cap);
	int i;

	ck_assert_ptr_nonnull(s);
	len = (size_t)snprintf(s, cap, "{\"sheets\":[");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s{\"properties\":{\"sheetId\":%d,"
		    "\"title\":\"t%d\",\"index\":%d}}", i > 0 ? "," : "", i, i, i);
	snprintf(s + len, cap - len, "]}");
	return s;
}

static const struct hostile hostile[] = {
	{ "too deep", "tabs", NULL, NULL, ERR_DATA, "deeper than" },
	{ "too many tabs", "tabs", NULL, NULL, ERR_DATA, "more than 1000 tabs" },
	{ "not JSON", "tabs", NULL, "<html><body>Bad Gateway</body></html>", ERR_DATA,
	  "not JSON" },
	{ "not an object", "tabs", NULL, "[1,2,3]", ERR_DATA, "not a JSON object" },
	{ "duplicate key", "tabs", NULL, "{\"sheets\":[],\"sheets\":[{}]}", ERR_DATA,
	  "not JSON" },
	{ "NUL in a title", "tabs", NULL,
	  "{\"sheets\":[{\"properties\":{\"title\":\"a\\u0000b\"}}]}", ERR_DATA, "not JSON" },
	{ "empty title", "tabs", NULL,
	  "{\"sheets\":[{\"properties\":{\"title\":\"\"}}]}", ERR_DATA, "title" },
	{ "sheets not an array", "tabs", NULL, "{\"sheets\":{}}", ERR_DATA, "not an array" },
	{ "empty answer", "tabs", NULL, "", ERR_DATA, "empty" },
	{ "version too long", "version", NULL, NULL, ERR_DATA, "version" },
	{ "no version", "version", NULL, "{\"kind\":\"drive#file\"}", ERR_DATA, "no version" },
	{ "proxy's HTML 400", "tabs", "HTTP/1.1 400 Bad Request\r\nContent-Type: text/html",
	  "<html><h1>400</h1>\n<p>Your client has issued a malformed request.</p></html>",
	  ERR_API, "not Google's JSON" },
	{ "flood of text in an error", "tabs",
	  "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json", NULL, ERR_API, "403" },
	{ "a 5xx storm on a write", "batch_update",
	  "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json",
	  "{\"error\":{\"code\":500,\"message\":\"Internal error encountered.\","
	  "\"status\":\"INTERNAL\"}}", ERR_API, "INTERNAL" },
	{ "a 5xx storm on a read", "tabs",
	  "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json",
	  "{\"error\":{\"code\":503,\"message\":\"The service is currently unavailable.\","
	  "\"status\":\"UNAVAILABLE\"}}", ERR_TEMP, "UNAVAILABLE" },
};

static void
hostile_case(struct sheets *s, struct retry *r, size_t i)
{
	const struct hostile *c = &hostile[i];
	char *body = NULL;
	struct sheets_tabs tabs;
	struct sheets_reply rep;
	struct err e;
	char *v = NULL;
	int rc;

	if (c->body != NULL)
		body = strdup(c->body);
	else if (strcmp(c->what, "too deep") == 0)
		body = deep_json(SHEETS_MAX_JSON_DEPTH + 8);
	else if (strcmp(c->what, "too many tabs") == 0)
		body = many_tabs(SHEETS_MAX_TABS + 1);
	else if (strcmp(c->what, "version too long") == 0) {
		body = malloc(SHEETS_MAX_VERSION + 64);
		ck_assert_ptr_nonnull(body);
		snprintf(body, SHEETS_MAX_VERSION + 64, "{\"version\":\"%0*d\"}",
		    SHEETS_MAX_VERSION + 8, 7);
	} else {
		/* 200 KB of message with newlines and control bytes. */
		size_t n = 200000, k;

		body = malloc(n + 100);
		ck_assert_ptr_nonnull(body);
		k = (size_t)snprintf(body, 100, "{\"error\":{\"code\":403,\"status\":\"PERMISSION_DENIED\","
		    "\"message\":\"");
		while (k < n) {
			memcpy(body + k, "denied\\n\\u0007 ", 15);
			k += 15;
		}
		snprintf(body + k, n + 100 - k, "\"}}");
	}
	ck_assert_ptr_nonnull(body);
	srv_script(SRV_CANNED, c->head, body, strlen(body));
	free(body);
	err_init(&e);
	if (strcmp(c->call, "tabs") == 0) {
		rc = sheets_get_tabs(s, &tabs, &e);
		if (rc == 0)
			sheets_tabs_fini(&tabs);
		else
			ck_assert_uint_eq(tabs.n, 0);
	} else if (strcmp(c->call, "version") == 0) {
		rc = sheets_drive_version(s, &v, &e);
		free(v);
	} else {
		json_t *j = json_pack("{s:[{s:{s:{s:s}}}]}", "requests", "addSheet",
		    "properties", "title", "x");

		rc = sheets_batch_update(s, j, 0, &rep, &e);
		json_decref(j);
		if (rc == 0)
			sheets_reply_fini(&rep);
	}
	ck_assert_msg(rc == -1, "%s: accepted", c->what);
	ck_assert_msg(e.code == c->want, "%s: code %d: %s", c->what, e.code, e.msg);
	ck_assert_msg(strstr(e.msg, c->msg) != NULL, "%s: %s", c->what, e.msg);
	/* One line, bounded, no control bytes, never the token. */
	ck_assert_msg(strchr(e.msg, '\n') == NULL && strchr(e.msg, '\a') == NULL, "%s", c->what);
	ck_assert_uint_lt(strlen(e.msg), ERR_MSG_MAX);
	ck_assert_ptr_null(strstr(e.msg, "static-test-token"));
	/* Only the 5xx on a read is retried; a bad answer is not sent for again. */
	if (c->want == ERR_TEMP)
		ck_assert_int_gt(srv_nreqs(), 1);
	else
		ck_assert_msg(srv_nreqs() == 1, "%s: %d requests", c->what, srv_nreqs());
	r->slow_until = 0;
}

START_TEST(test_hostile_api)
{
	struct http *h = client(10, 0, 0);
	struct retry r;
	struct retry_env env;
	struct sheets_opts so;
	struct sheets *s;
	struct err e;
	size_t i;

	memset(&env, 0, sizeof(env));
	env.sleep = harness_sleep;
	env.now = harness_now;
	env.ctx = &clk;
	retry_init(&r, &env);
	memset(&so, 0, sizeof(so));
	so.http = h;
	so.retry = &r;
	so.sheets_url = base;
	so.drive_url = base;
	so.spreadsheet_id = "hostile";
	so.client_email = "syncd@example.iam.gserviceaccount.com";
	so.token = static_token;
	err_init(&e);
	s = sheets_client_new(&so, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		hostile_case(s, &r, i);
	sheets_client_free(s);
	http_free(h);
}
END_TEST

/* ---- certificates ---- */

static int
token_get(void *ctx, int force, const char **bearer, struct err *e)
{
	return auth_token_get(ctx, force, bearer, e);
}

/*
 * Against an emulator with certificate cert: the tab list through the whole
 * client (token first).  want_ok: succeeds; else one refused attempt, no
 * retry, no sleep.
 */
static void
cert_case(const char *cert, int want_ok)
{
	struct harness_fake f;
	struct http_opts ho;
	struct auth_token_opts to;
	struct sheets_opts so;
	struct retry r;
	struct retry_env env;
	struct http_stats st;
	struct sheets_tabs tabs;
	struct auth_key *k;
	struct auth_token *tok;
	struct sheets *s;
	struct http *h;
	struct err e;
	char ca[HARNESS_PATH];
	int sleeps = clk.nsleeps, rc;

	ck_assert_int_eq(harness_fake_start(&f, dir, cert, NULL), 0);
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	memset(&ho, 0, sizeof(ho));
	ho.ca_file = ca;
	ho.timeout_s = 10;
	err_init(&e);
	h = http_new(&ho, &e);
	ck_assert_ptr_nonnull(h);
	k = harness_key(dir, f.url);
	ck_assert_ptr_nonnull(k);
	memset(&to, 0, sizeof(to));
	to.key = k;
	to.post = http_auth_post;
	to.post_ctx = h;
	tok = auth_token_new(&to, &e);
	ck_assert_ptr_nonnull(tok);
	memset(&env, 0, sizeof(env));
	env.sleep = harness_sleep;
	env.now = harness_now;
	env.ctx = &clk;
	retry_init(&r, &env);
	memset(&so, 0, sizeof(so));
	so.http = h;
	so.retry = &r;
	so.sheets_url = f.url;
	so.drive_url = f.url;
	so.spreadsheet_id = "none";
	so.token = token_get;
	so.token_ctx = tok;
	s = sheets_client_new(&so, &e);
	ck_assert_ptr_nonnull(s);
	err_init(&e);
	rc = sheets_get_tabs(s, &tabs, &e);
	http_stats_get(h, &st);
	if (want_ok) {
		/* The emulator holds no such spreadsheet: a 404, over verified TLS. */
		ck_assert_msg(rc == -1 && e.code == ERR_API && e.status == 404, "%s: %s", cert,
		    e.msg);
		ck_assert_uint_eq(st.requests[HTTP_KIND_TOKEN][HTTP_CLASS_2XX], 1);
	} else {
		ck_assert_msg(rc == -1, "%s: accepted", cert);
		ck_assert_msg(e.code == ERR_HTTP, "%s: %d %s", cert, e.code, e.msg);
		ck_assert_msg(strstr(e.msg, "certificate") != NULL, "%s: %s", cert, e.msg);
		ck_assert_msg(strstr(e.msg, "127.0.0.1") != NULL, "%s: %s", cert, e.msg);
		/* The token request was the only one, and it was not retried. */
		ck_assert_uint_eq(st.requests[HTTP_KIND_TOKEN][HTTP_CLASS_TRANSPORT], 1);
		ck_assert_uint_eq(st.requests[HTTP_KIND_READ][HTTP_CLASS_TRANSPORT], 0);
		ck_assert_uint_eq(r.retries, 0);
		ck_assert_int_eq(clk.nsleeps, sleeps);
	}
	sheets_client_free(s);
	auth_token_free(tok);
	auth_key_free(k);
	http_free(h);
	harness_fake_stop(&f);
}

/* A refused certificate on an API call (token already held): not retried either. */
static void
cert_case_api(const char *cert)
{
	struct harness_fake f;
	struct http_opts ho;
	struct http_request rq;
	struct http_response rs;
	struct http *h;
	struct err e;
	char ca[HARNESS_PATH], u[HARNESS_PATH];

	ck_assert_int_eq(harness_fake_start(&f, dir, cert, NULL), 0);
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	memset(&ho, 0, sizeof(ho));
	ho.ca_file = ca;
	err_init(&e);
	h = http_new(&ho, &e);
	ck_assert_ptr_nonnull(h);
	snprintf(u, sizeof(u), "%s/v4/spreadsheets/none", f.url);
	memset(&rq, 0, sizeof(rq));
	rq.method = "GET";
	rq.url = u;
	rq.bearer = "t";
	ck_assert_int_eq(http_do(h, &rq, &rs, &e), -1);
	ck_assert_int_eq(e.code, ERR_HTTP);
	ck_assert_msg(rs.transient == 0, "%s: %s is called transient", cert, e.msg);
	http_response_fini(&rs);
	http_free(h);
	harness_fake_stop(&f);
}

START_TEST(test_good_certificate)
{
	cert_case("server", 1);
}
END_TEST

START_TEST(test_bad_certificates)
{
	static const char *const certs[] = { "selfsigned", "expired", "wronghost" };
	size_t i;

	for (i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
		cert_case(certs[i], 0);
		cert_case_api(certs[i]);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("transport");
	TCase *wire = tcase_create("wire");
	TCase *tls = tcase_create("tls");
	SRunner *sr;
	int failed;

	signal(SIGPIPE, SIG_IGN);
	if (srv_start() < 0 || harness_dir(dir, sizeof(dir), "check_transport") < 0) {
		fprintf(stderr, "check_transport: setup failed\n");
		harness_rmtree(dir);
		return EXIT_FAILURE;
	}
	tcase_set_timeout(wire, 30);
	tcase_add_test(wire, test_handle_reset_between_methods);
	tcase_add_test(wire, test_redirect_not_followed);
	tcase_add_test(wire, test_schemes_refused);
	tcase_add_test(wire, test_total_timeout_fires);
	tcase_add_test(wire, test_low_speed_fires);
	tcase_add_test(wire, test_cut_and_empty_answers);
	tcase_add_test(wire, test_body_caps);
	tcase_add_test(wire, test_retry_after_header);
	tcase_add_test(wire, test_hostile_api);
	suite_add_tcase(s, wire);
	tcase_set_timeout(tls, 30);
	tcase_add_test(tls, test_good_certificate);
	tcase_add_test(tls, test_bad_certificates);
	suite_add_tcase(s, tls);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	srv_stop();
	harness_rmtree(dir);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
