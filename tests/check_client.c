/*
 * check_client: the whole client (http + retry + auth token + sheets) end to
 * end against the emulator over loopback HTTPS with a throw-away test CA.
 *
 * The suite makes its PKI with tests/pki.sh, starts $BUILD/fakesheets on a
 * free port with a workbook whose tab title is Thai with a space and an
 * apostrophe, and then checks: the tab list; one values:batchGet that the
 * workbook reader accepts; values:batchUpdate / batchUpdate / batchClear
 * round trips on that title; Drive's version rising on writes; 404/403-style
 * errors; retries on 503/429/dropped connections (with an injected sleep:
 * no real waiting); one token refresh on a 401; no resend of a
 * non-idempotent write; TLS verification; body limits; https-only URLs; and
 * connection reuse.  Runs in one process (CK_NOFORK) to keep one emulator.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/key.h"
#include "auth/token.h"
#include "syncd/http.h"
#include "syncd/range.h"
#include "syncd/retry.h"
#include "syncd/sheets.h"
#include "syncd/sheetjson.h"
#include "tests/harness.h"

#define THAI_TAB	"บ้าน 'นา' สุข"
#define SUMMARY_TAB	"สรุป 'ข้อมูล'"
#define BOOK_ID		"client-test"

static char dir[128];
static struct harness_fake fake = { .pid = -1 };
static const char *url = fake.url;
static struct http *http;
static struct auth_key *key;
static struct auth_token *token;
static struct retry retry;
static struct sheets *sheets;
static struct harness_clock clk;

static int
token_get(void *ctx, int force, const char **bearer, struct err *e)
{
	return auth_token_get(ctx, force, bearer, e);
}

static struct sheets *
client_for(const char *id)
{
	struct sheets_opts so;
	struct err e;
	struct sheets *s;

	memset(&so, 0, sizeof(so));
	so.http = http;
	so.retry = &retry;
	so.sheets_url = url;
	so.drive_url = url;
	so.spreadsheet_id = id;
	so.client_email = auth_key_client_email(key);
	so.token = token_get;
	so.token_ctx = token;
	err_init(&e);
	s = sheets_client_new(&so, &e);
	if (s == NULL)
		fprintf(stderr, "check_client: %s\n", e.msg);
	return s;
}

/* The workbook the emulator serves: a Thai tab title with a space and apostrophes. */
#define WORKBOOK_JSON \
	"{\"spreadsheetId\": \"" BOOK_ID "\", \"properties\": {\"title\": \"t\"}," \
	" \"sheets\": [" \
	"{\"properties\": {\"sheetId\": 0, \"title\": \"" THAI_TAB "\", \"index\": 0}," \
	"  \"values\": [[\"ลำดับ\", \"รหัสบ้าน\"], [1, \"24010012345\"], [2, \"a+b #1 & c\"]]}," \
	"{\"properties\": {\"sheetId\": 5, \"title\": \"D3\", \"index\": 1}," \
	"  \"values\": [[true, 1.5]]}]}\n"

static int
setup_all(void)
{
	struct http_opts ho;
	struct auth_token_opts to;
	struct retry_env env;
	struct err e;
	char ca[HARNESS_PATH], wb[HARNESS_PATH];

	if (harness_dir(dir, sizeof(dir), "check_client") < 0)
		return -1;
	snprintf(wb, sizeof(wb), "%s/wb.json", dir);
	if (harness_write_file(wb, WORKBOOK_JSON) < 0 ||
	    harness_fake_start(&fake, dir, "server", wb) < 0)
		return -1;
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	memset(&ho, 0, sizeof(ho));
	ho.ca_file = ca;
	ho.timeout_s = 10;
	err_init(&e);
	http = http_new(&ho, &e);
	key = harness_key(dir, url);
	if (http == NULL || key == NULL)
		return -1;
	memset(&to, 0, sizeof(to));
	to.key = key;
	to.post = http_auth_post;
	to.post_ctx = http;
	token = auth_token_new(&to, &e);
	if (token == NULL) {
		fprintf(stderr, "check_client: %s\n", e.msg);
		return -1;
	}
	memset(&env, 0, sizeof(env));
	env.sleep = harness_sleep;
	env.now = harness_now;
	env.ctx = &clk;
	retry_init(&retry, &env);
	sheets = client_for(BOOK_ID);
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

/* POST/DELETE a control endpoint of the emulator (no token); it must answer 200. */
static void
control(const char *method, const char *path, const char *body)
{
	ck_assert_int_eq(harness_control(http, url, method, path, body, NULL), 200);
}

static void
faults(const char *json)
{
	char body[1024];

	snprintf(body, sizeof(body), "{\"faults\": %s}", json);
	control("POST", "/_fake/faults", body);
}

static uint64_t
count(enum http_kind k, enum http_class c)
{
	struct http_stats st;

	http_stats_get(http, &st);
	return st.requests[k][c];
}

START_TEST(test_tabs)
{
	struct sheets_tabs t;
	struct err e;

	err_init(&e);
	ck_assert_msg(sheets_get_tabs(sheets, &t, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_str_eq(t.tabs[0].title, THAI_TAB);
	ck_assert_int_eq(t.tabs[0].sheet_id, 0);
	ck_assert_str_eq(t.tabs[1].title, "D3");
	ck_assert_int_eq(t.tabs[1].sheet_id, 5);
	ck_assert_int_eq(t.tabs[1].index, 1);
	sheets_tabs_fini(&t);
}
END_TEST

/* One batchGet, parsed by the workbook reader. */
static struct sheetjson_doc *
read_book(void)
{
	static const char *const titles[] = { THAI_TAB, "D3" };
	struct sheetjson_request req = { "batchGet", titles, 2 };
	struct sheets_reply r;
	struct sheetjson_doc *wf;
	struct err e;
	uint64_t before = count(HTTP_KIND_READ, HTTP_CLASS_2XX);

	err_init(&e);
	ck_assert_msg(sheets_batch_get(sheets, titles, 2, &r, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(count(HTTP_KIND_READ, HTTP_CLASS_2XX), before + 1);
	wf = sheetjson_parse_batchget(r.body, r.len, &req, &e);
	r.body = NULL;	/* taken by the reader */
	ck_assert_msg(wf != NULL, "%s", e.msg);
	return wf;
}

/* values:batchGetByDataFilter by sheetId: same cells, ids known, order kept. */
START_TEST(test_batch_get_by_ids)
{
	static const int64_t ids[] = { 5, 0, 77 };	/* 77: no such tab */
	struct sheets_reply r;
	struct sheetjson_doc *wf;
	const struct workbook *wb;
	struct err e;
	size_t len;
	char *body;
	uint64_t before = count(HTTP_KIND_READ, HTTP_CLASS_2XX);

	err_init(&e);
	body = sheets_body_batch_get_by_ids(ids, 2, &len, &e);
	ck_assert_ptr_nonnull(body);
	ck_assert_str_eq(body, "{\"dataFilters\":[{\"gridRange\":{\"sheetId\":5}},"
	    "{\"gridRange\":{\"sheetId\":0}}],\"valueRenderOption\":\"UNFORMATTED_VALUE\","
	    "\"dateTimeRenderOption\":\"SERIAL_NUMBER\",\"majorDimension\":\"ROWS\"}");
	ck_assert_uint_eq(len, strlen(body));
	free(body);
	ck_assert_msg(sheets_batch_get_by_ids(sheets, ids, 3, &r, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(count(HTTP_KIND_READ, HTTP_CLASS_2XX), before + 1);
	wf = sheetjson_parse_batchget(r.body, r.len, NULL, &e);
	r.body = NULL;
	ck_assert_msg(wf != NULL, "%s", e.msg);
	wb = sheetjson_view(wf);
	ck_assert_uint_eq(wb->ntabs, 2);
	ck_assert_str_eq(wb->tabs[0].title, "D3");
	ck_assert_int_eq(wb->tabs[0].sheet_id, 5);
	ck_assert_int_eq(wb->tabs[0].rows[0].cells[0].type, WORKBOOK_BOOL);
	ck_assert_str_eq(wb->tabs[1].title, THAI_TAB);
	ck_assert_int_eq(wb->tabs[1].sheet_id, 0);
	ck_assert_uint_eq(wb->tabs[1].nrows, 3);
	ck_assert(memcmp(wb->tabs[1].rows[1].cells[1].text, "24010012345", 11) == 0);
	sheetjson_free(wf);
	ck_assert_int_eq(sheets_batch_get_by_ids(sheets, ids, 0, &r, &e), -1);
	ck_assert_int_eq(e.code, ERR_USAGE);
}
END_TEST

START_TEST(test_batch_get)
{
	struct sheetjson_doc *wf = read_book();
	const struct workbook *wb = sheetjson_view(wf);
	const struct workbook_tab *t;

	ck_assert_uint_eq(wb->ntabs, 2);
	t = &wb->tabs[0];
	ck_assert_str_eq(t->title, THAI_TAB);
	ck_assert_uint_eq(t->nrows, 3);
	ck_assert_uint_eq(t->rows[1].cells[1].len, 11);
	ck_assert(memcmp(t->rows[1].cells[1].text, "24010012345", 11) == 0);
	ck_assert_int_eq(t->rows[1].cells[0].type, WORKBOOK_NUMBER);
	ck_assert(memcmp(t->rows[2].cells[1].text, "a+b #1 & c", 10) == 0);
	t = &wb->tabs[1];
	ck_assert_str_eq(t->title, "D3");
	ck_assert_int_eq(t->rows[0].cells[0].type, WORKBOOK_BOOL);
	sheetjson_free(wf);
}
END_TEST

START_TEST(test_values_write_round_trip)
{
	struct sheets_reply r;
	struct err e;
	json_t *data;
	char *range, *v1, *v2;
	const char *clear[1];
	struct sheetjson_doc *wf;
	const struct workbook_tab *t;

	err_init(&e);
	ck_assert_int_eq(sheets_drive_version(sheets, &v1, &e), 0);
	range = range_quote(THAI_TAB, "B2:C2", 0, &e);
	ck_assert_ptr_nonnull(range);
	/* "=1+1" must stay text: RAW. */
	data = json_pack("[{s:s, s:[[s, s]]}]", "range", range, "values", "=1+1", "ข'ก");
	ck_assert_msg(sheets_values_batch_update(sheets, data, &r, &e) == 0, "%s", e.msg);
	ck_assert_ptr_nonnull(strstr(r.body, "totalUpdatedCells"));
	sheets_reply_fini(&r);
	json_decref(data);
	ck_assert_int_eq(sheets_drive_version(sheets, &v2, &e), 0);
	ck_assert_msg(strtoll(v2, NULL, 10) > strtoll(v1, NULL, 10), "%s -> %s", v1, v2);
	free(v1);
	free(v2);
	wf = read_book();
	t = &sheetjson_view(wf)->tabs[0];
	ck_assert_uint_ge(t->rows[1].ncells, 3);
	ck_assert_int_eq(t->rows[1].cells[1].type, WORKBOOK_STRING);
	ck_assert(t->rows[1].cells[1].len == 4 && memcmp(t->rows[1].cells[1].text, "=1+1", 4) == 0);
	ck_assert(memcmp(t->rows[1].cells[2].text, "ข'ก", strlen("ข'ก")) == 0);
	sheetjson_free(wf);
	/* Clear the same range by its quoted title. */
	clear[0] = range;
	ck_assert_msg(sheets_values_batch_clear(sheets, clear, 1, &r, &e) == 0, "%s", e.msg);
	sheets_reply_fini(&r);
	wf = read_book();
	t = &sheetjson_view(wf)->tabs[0];
	ck_assert(t->rows[1].ncells < 2 || t->rows[1].cells[1].type == WORKBOOK_EMPTY);
	sheetjson_free(wf);
	free(range);
}
END_TEST

START_TEST(test_batch_update_add_sheet)
{
	struct sheets_reply r;
	struct sheets_tabs t;
	struct err e;
	json_t *body;
	size_t i;
	int found = 0;

	err_init(&e);
	body = json_pack("{s:[{s:{s:{s:s}}}]}", "requests", "addSheet", "properties",
	    "title", SUMMARY_TAB);
	ck_assert_msg(sheets_batch_update(sheets, body, 0, &r, &e) == 0, "%s", e.msg);
	ck_assert_ptr_nonnull(strstr(r.body, "replies"));
	sheets_reply_fini(&r);
	json_decref(body);
	ck_assert_int_eq(sheets_get_tabs(sheets, &t, &e), 0);
	for (i = 0; i < t.n; i++)
		found |= strcmp(t.tabs[i].title, SUMMARY_TAB) == 0;
	ck_assert(found);
	sheets_tabs_fini(&t);
	/* Adding it again is Google's 400, reported with the status, not retried. */
	body = json_pack("{s:[{s:{s:{s:s}}}]}", "requests", "addSheet", "properties",
	    "title", SUMMARY_TAB);
	err_init(&e);
	ck_assert_int_eq(sheets_batch_update(sheets, body, 0, &r, &e), -1);
	ck_assert_int_eq(e.code, ERR_API);
	ck_assert_int_eq(e.status, 400);
	json_decref(body);
}
END_TEST

START_TEST(test_not_found)
{
	struct sheets *s = client_for("no-such-sheet");
	struct sheets_tabs t;
	struct err e;

	ck_assert_ptr_nonnull(s);
	err_init(&e);
	ck_assert_int_eq(sheets_get_tabs(s, &t, &e), -1);
	ck_assert_int_eq(e.code, ERR_API);
	ck_assert_int_eq(e.status, 404);
	ck_assert_ptr_nonnull(strstr(e.msg, "spreadsheet_id"));
	sheets_client_free(s);
}
END_TEST

START_TEST(test_retries_on_503_429_and_drop)
{
	struct sheets_tabs t;
	struct err e;
	unsigned long before = retry.retries;
	int sleeps = clk.nsleeps;

	faults("[{\"status\": 503}, {\"status\": 429, \"retry_after\": 2}, {\"truncate\": true}]");
	err_init(&e);
	ck_assert_msg(sheets_get_tabs(sheets, &t, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(t.n >= 2, 1);
	sheets_tabs_fini(&t);
	ck_assert_uint_eq(retry.retries - before, 3);
	ck_assert_int_eq(clk.nsleeps - sleeps, 3);
	/* The 429's Retry-After was honoured: at least 2 s asked of the sleep. */
	ck_assert(clk.slept >= 2);
	ck_assert_uint_ge(retry.throttled, 1);
	retry.slow_until = 0;
	/* A dropped connection: resent (by curl on a reused connection, or by us). */
	faults("[{\"drop\": true}]");
	err_init(&e);
	ck_assert_msg(sheets_get_tabs(sheets, &t, &e) == 0, "%s", e.msg);
	sheets_tabs_fini(&t);
}
END_TEST

START_TEST(test_401_refreshes_once)
{
	struct sheets_tabs t;
	struct err e;
	uint64_t tokens = count(HTTP_KIND_TOKEN, HTTP_CLASS_2XX);

	faults("[{\"status\": 401}]");
	err_init(&e);
	ck_assert_msg(sheets_get_tabs(sheets, &t, &e) == 0, "%s", e.msg);
	sheets_tabs_fini(&t);
	ck_assert_uint_eq(count(HTTP_KIND_TOKEN, HTTP_CLASS_2XX), tokens + 1);
	/* Two 401s in a row: refresh once, then give up with the advice. */
	/* (the middle fault only delays the token request in between) */
	faults("[{\"status\": 401}, {\"delay_ms\": 1}, {\"status\": 401}]");
	err_init(&e);
	ck_assert_int_eq(sheets_get_tabs(sheets, &t, &e), -1);
	ck_assert_int_eq(e.code, ERR_API);
	ck_assert_int_eq(e.status, 401);
	ck_assert_ptr_nonnull(strstr(e.msg, "revoked"));
	control("DELETE", "/_fake/faults", NULL);
}
END_TEST

START_TEST(test_write_not_resent_after_503)
{
	struct sheets_reply r;
	struct err e;
	json_t *body = json_pack("{s:[{s:{s:{s:i, s:s}, s:s}}]}", "requests",
	    "updateSheetProperties", "properties", "sheetId", 5, "title", "D3", "fields", "title");
	unsigned long before = retry.retries;

	faults("[{\"status\": 503}]");
	err_init(&e);
	ck_assert_int_eq(sheets_batch_update(sheets, body, 0, &r, &e), -1);
	ck_assert_int_eq(e.code, ERR_API);
	ck_assert_int_eq(e.status, 503);
	ck_assert_uint_eq(retry.retries, before);
	/* The same write said idempotent is resent. */
	faults("[{\"status\": 503}]");
	err_init(&e);
	ck_assert_msg(sheets_batch_update(sheets, body, SHEETS_IDEMPOTENT, &r, &e) == 0, "%s", e.msg);
	sheets_reply_fini(&r);
	ck_assert_uint_eq(retry.retries, before + 1);
	json_decref(body);
}
END_TEST

START_TEST(test_budget_gives_up)
{
	struct sheets_tabs t;
	struct err e;

	/* A cycle deadline of 0.5 s and 429s: give up with ERR_TEMP, no hang. */
	retry_cycle_begin(&retry, 0.5);
	faults("[{\"status\": 429, \"retry_after\": 5}]");
	err_init(&e);
	ck_assert_int_eq(sheets_get_tabs(sheets, &t, &e), -1);
	ck_assert_int_eq(e.code, ERR_TEMP);
	ck_assert_int_eq(e.status, 429);
	ck_assert_ptr_nonnull(strstr(e.msg, "RESOURCE_EXHAUSTED"));
	/* The slow-down now holds back the next request of this cycle too. */
	err_init(&e);
	ck_assert_int_eq(sheets_get_tabs(sheets, &t, &e), -1);
	ck_assert_int_eq(e.code, ERR_TEMP);
	ck_assert_ptr_nonnull(strstr(e.msg, "quota"));
	retry_cycle_end(&retry);
	retry.slow_until = 0;
	control("DELETE", "/_fake/faults", NULL);
}
END_TEST

START_TEST(test_tls_and_urls)
{
	struct http_opts ho;
	struct http_request rq;
	struct http_response rs;
	struct http *h;
	struct err e;
	char u[512];

	/* No ca_file: the test CA is not trusted, and that is final. */
	memset(&ho, 0, sizeof(ho));
	err_init(&e);
	h = http_new(&ho, &e);
	snprintf(u, sizeof(u), "%s/_fake/requests", url);
	memset(&rq, 0, sizeof(rq));
	rq.method = "GET";
	rq.url = u;
	err_init(&e);
	ck_assert_int_eq(http_do(h, &rq, &rs, &e), -1);
	ck_assert_int_eq(e.code, ERR_HTTP);
	ck_assert_msg(strstr(e.msg, "certificate") != NULL || strstr(e.msg, "TLS") != NULL,
	    "%s", e.msg);
	ck_assert_int_eq(rs.transient, 0);
	http_response_fini(&rs);
	/* Plain http only to loopback; other schemes never. */
	rq.url = "http://example.com/v4/spreadsheets/x";
	err_init(&e);
	ck_assert_int_eq(http_do(h, &rq, &rs, &e), -1);
	ck_assert_int_eq(e.code, ERR_DATA);
	rq.url = "ftp://127.0.0.1/x";
	err_init(&e);
	ck_assert_int_eq(http_do(h, &rq, &rs, &e), -1);
	ck_assert_int_eq(e.code, ERR_DATA);
	/* Connection refused on loopback: a transient ERR_HTTP naming the peer. */
	rq.url = "http://127.0.0.1:1/x";
	err_init(&e);
	ck_assert_int_eq(http_do(h, &rq, &rs, &e), -1);
	ck_assert_int_eq(e.code, ERR_HTTP);
	ck_assert_ptr_nonnull(strstr(e.msg, "127.0.0.1:1"));
	ck_assert_int_eq(rs.transient, 1);
	http_free(h);
}
END_TEST

START_TEST(test_body_limit_and_reuse)
{
	struct http_request rq;
	struct http_response rs;
	struct http_stats a, b;
	struct sheets_tabs t;
	struct err e;
	char u[512];
	int i;

	snprintf(u, sizeof(u), "%s/_fake/spreadsheets/%s", url, BOOK_ID);
	memset(&rq, 0, sizeof(rq));
	rq.method = "GET";
	rq.url = u;
	rq.max_body = 64;
	err_init(&e);
	ck_assert_int_eq(http_do(http, &rq, &rs, &e), -1);
	ck_assert_int_eq(e.code, ERR_HTTP);
	ck_assert_ptr_nonnull(strstr(e.msg, "larger than 64 bytes"));
	http_response_fini(&rs);
	/* Warm, then five calls: no new connection (one kept-alive handle per origin). */
	err_init(&e);
	ck_assert_int_eq(sheets_get_tabs(sheets, &t, &e), 0);
	sheets_tabs_fini(&t);
	http_stats_get(http, &a);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(sheets_get_tabs(sheets, &t, &e), 0);
		sheets_tabs_fini(&t);
	}
	http_stats_get(http, &b);
	ck_assert_uint_eq(b.connects - a.connects, 0);
	ck_assert_uint_eq(b.requests[HTTP_KIND_READ][HTTP_CLASS_2XX] -
	    a.requests[HTTP_KIND_READ][HTTP_CLASS_2XX], 5);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("client");
	TCase *tc = tcase_create("emulator");
	SRunner *sr;
	int failed;

	if (setup_all() < 0) {
		teardown_all();
		fprintf(stderr, "check_client: could not set up the emulator\n");
		return EXIT_FAILURE;
	}
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_tabs);
	tcase_add_test(tc, test_batch_get);
	tcase_add_test(tc, test_batch_get_by_ids);
	tcase_add_test(tc, test_values_write_round_trip);
	tcase_add_test(tc, test_batch_update_add_sheet);
	tcase_add_test(tc, test_not_found);
	tcase_add_test(tc, test_retries_on_503_429_and_drop);
	tcase_add_test(tc, test_401_refreshes_once);
	tcase_add_test(tc, test_write_not_resent_after_503);
	tcase_add_test(tc, test_budget_gives_up);
	tcase_add_test(tc, test_tls_and_urls);
	tcase_add_test(tc, test_body_limit_and_reuse);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	teardown_all();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
