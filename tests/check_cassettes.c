/*
 * check_cassettes: syncd's client parsers against real recorded Google
 * traffic (gspread's cassettes, MIT, copied into tests/data/cassettes).
 *
 * - Every range gspread put in a URL path re-encodes, byte for byte, to what
 *   range_escape produces, and every range in a path or query splits into a
 *   tab title Google accepted.
 * - Every range Google echoed (values.get, values:batchGet, clears) splits
 *   into the tab title that was requested.
 * - Every error body (400, 403, 404, 429) becomes ERR_API with the status,
 *   Google's status name and message, and the advice for that status.
 * - spreadsheets.get answers give the recorded tabs, ids and indexes.
 * The data folder is tests/data/cassettes, or $SYNCD_CASSETTES.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/range.h"
#include "syncd/sheets.h"
#include "syncd/sheets_parse.h"

static const char *const files[] = {
	"429_read_quota_extract.ClientTest.test_openall.at_53697fcd6b6a.json",
	"ClientTest.test_access_non_existing_spreadsheet.json",
	"ClientTest.test_access_private_spreadsheet.json",
	"SpreadsheetTest.test_values_batch_get.json",
	"SpreadsheetTest.test_values_get.json",
	"SpreadsheetTest.test_worksheets_exclude_hidden.json",
	"WorksheetTest.test_add_validation.json",
	"WorksheetTest.test_batch_clear.json",
	"WorksheetTest.test_get_all_values_title_is_a1_notation.json",
};
#define NFILES (sizeof(files) / sizeof(files[0]))

static json_t *
load(const char *name)
{
	const char *dir = getenv("SYNCD_CASSETTES");
	char path[1024];
	json_error_t je;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", dir != NULL ? dir : "tests/data/cassettes", name);
	j = json_load_file(path, 0, &je);
	ck_assert_msg(j != NULL, "%s: %s", path, je.text);
	return j;
}

/* Percent-decode s[0..len) ('+' as space when plus is set) into a new string. */
static char *
decode(const char *s, size_t len, int plus, size_t *outlen)
{
	char *o = malloc(len + 1);
	size_t i, n = 0;

	ck_assert_ptr_nonnull(o);
	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len) {
			char hex[3] = { s[i + 1], s[i + 2], 0 };

			o[n++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else if (plus && s[i] == '+') {
			o[n++] = ' ';
		} else {
			o[n++] = s[i];
		}
	}
	o[n] = '\0';
	*outlen = n;
	return o;
}

/* Titles Google accepted in these recordings. */
static int
known_title(const char *t)
{
	static const char *const titles[] = {
		"Sheet1", "D3", "🌵 test_values_batch_get 1", "🌵 test_values_get 1",
	};
	size_t i;

	for (i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		if (strcmp(t, titles[i]) == 0)
			return 1;
	return 0;
}

static void
check_range_text(const char *a1, size_t len, const char *where)
{
	struct err e;
	char *t, *c;

	err_init(&e);
	ck_assert_msg(range_split(a1, len, &t, &c, &e) == 0, "%s: %.*s: %s", where,
	    (int)len, a1, e.msg);
	ck_assert_msg(known_title(t), "%s: unexpected title \"%s\"", where, t);
	free(t);
	free(c);
}

START_TEST(test_request_uris)
{
	size_t f, i, paths = 0, queries = 0;

	for (f = 0; f < NFILES; f++) {
		json_t *cas = load(files[f]), *it, *list = json_object_get(cas, "interactions");

		json_array_foreach(list, i, it) {
			const char *uri = json_string_value(json_object_get(
			    json_object_get(it, "request"), "uri"));
			const char *p, *end, *q;

			ck_assert_ptr_nonnull(uri);
			/* values/{range}[:verb][?query] in the path. */
			p = strstr(uri, "/values/");
			if (p != NULL) {
				size_t n, dlen;
				char *dec, *enc;
				struct err e;

				p += strlen("/values/");
				end = p + strcspn(p, "?");
				q = memchr(p, ':', (size_t)(end - p));
				n = (size_t)((q != NULL ? q : end) - p);
				dec = decode(p, n, 0, &dlen);
				err_init(&e);
				enc = range_escape(dec, dlen, &e);
				ck_assert_ptr_nonnull(enc);
				ck_assert_msg(strlen(enc) == n && memcmp(enc, p, n) == 0,
				    "%s: path range %.*s re-encodes as %s", files[f], (int)n, p, enc);
				check_range_text(dec, dlen, files[f]);
				free(enc);
				free(dec);
				paths++;
			}
			/* ranges=... in a query (batchGet, spreadsheets.get). */
			for (q = strstr(uri, "ranges="); q != NULL; q = strstr(q, "ranges=")) {
				size_t n, dlen;
				char *dec;

				q += strlen("ranges=");
				n = strcspn(q, "&");
				dec = decode(q, n, 1, &dlen);
				check_range_text(dec, dlen, files[f]);
				free(dec);
				queries++;
			}
		}
		json_decref(cas);
	}
	/* The set holds both kinds: a test that saw none would prove nothing. */
	ck_assert_uint_ge(paths, 20);
	ck_assert_uint_ge(queries, 6);
}
END_TEST

/* Each response body of status 200 that echoes ranges: they split into the requested title. */
START_TEST(test_range_echoes)
{
	size_t f, i, k, echoes = 0;
	int saw_d3 = 0, saw_emoji = 0;

	for (f = 0; f < NFILES; f++) {
		json_t *cas = load(files[f]), *it, *list = json_object_get(cas, "interactions");

		json_array_foreach(list, i, it) {
			json_t *rsp = json_object_get(it, "response"), *body, *x;
			const char *text = json_string_value(json_object_get(
			    json_object_get(rsp, "body"), "string"));
			json_t *ranges;
			json_error_t je;

			if (json_integer_value(json_object_get(json_object_get(rsp, "status"),
			    "code")) != 200 || text == NULL || text[0] != '{')
				continue;
			body = json_loads(text, 0, &je);
			ck_assert_ptr_nonnull(body);
			ranges = json_array();
			if (json_is_string(json_object_get(body, "range")))
				json_array_append(ranges, json_object_get(body, "range"));
			if (json_is_string(json_object_get(body, "clearedRange")))
				json_array_append(ranges, json_object_get(body, "clearedRange"));
			json_array_foreach(json_object_get(body, "valueRanges"), k, x)
				json_array_append(ranges, json_object_get(x, "range"));
			json_array_foreach(ranges, k, x) {
				const char *r = json_string_value(x);
				struct err e;
				char *t, *c;

				err_init(&e);
				ck_assert_msg(range_split(r, strlen(r), &t, &c, &e) == 0, "%s", r);
				ck_assert_msg(known_title(t), "%s: echo title %s", files[f], t);
				ck_assert_msg(c[0] != '\0' || strchr(r, '!') == NULL, "%s", r);
				/* Google quotes exactly when range_needs_quote says so. */
				ck_assert_msg((r[0] == '\'') == range_needs_quote(t),
				    "%s: quoting of %s", files[f], r);
				saw_d3 |= strcmp(t, "D3") == 0;
				saw_emoji |= strncmp(t, "🌵", 4) == 0;
				free(t);
				free(c);
				echoes++;
			}
			json_decref(ranges);
			json_decref(body);
		}
		json_decref(cas);
	}
	ck_assert_uint_ge(echoes, 20);
	ck_assert(saw_d3 && saw_emoji);
}
END_TEST

START_TEST(test_error_bodies)
{
	size_t f, i, n = 0;
	int seen[600] = { 0 };

	for (f = 0; f < NFILES; f++) {
		json_t *cas = load(files[f]), *it, *list = json_object_get(cas, "interactions");

		json_array_foreach(list, i, it) {
			json_t *rsp = json_object_get(it, "response"), *body, *ge;
			long code = (long)json_integer_value(json_object_get(
			    json_object_get(rsp, "status"), "code"));
			const char *text = json_string_value(json_object_get(
			    json_object_get(rsp, "body"), "string"));
			const char *gmsg, *gstatus;
			struct err e;
			json_error_t je;

			if (code < 400)
				continue;
			ck_assert_ptr_nonnull(text);
			body = json_loads(text, 0, &je);
			ge = json_object_get(body, "error");
			gmsg = json_string_value(json_object_get(ge, "message"));
			gstatus = json_string_value(json_object_get(ge, "status"));
			ck_assert_ptr_nonnull(gmsg);
			err_init(&e);
			sheets_parse_error(text, strlen(text), code, "syncd@demo.iam.gserviceaccount.com", &e);
			ck_assert_int_eq(e.code, ERR_API);
			ck_assert_int_eq(e.status, code);
			ck_assert_msg(strstr(e.msg, gstatus) != NULL, "%s", e.msg);
			/* Google's message, perhaps cut at SHEETS_MSG_EXCERPT bytes. */
			ck_assert_msg(strncmp(strstr(e.msg, gstatus) + strlen(gstatus) + 2, gmsg,
			    strlen(gmsg) < 100 ? strlen(gmsg) : 100) == 0, "%s", e.msg);
			switch (code) {
			case 403:
				ck_assert_ptr_nonnull(strstr(e.msg,
				    "share the spreadsheet with syncd@demo.iam.gserviceaccount.com"));
				break;
			case 404:
				ck_assert_ptr_nonnull(strstr(e.msg, "spreadsheet_id"));
				break;
			case 429:
				ck_assert_ptr_nonnull(strstr(e.msg, "quota"));
				ck_assert_str_eq(gstatus, "RESOURCE_EXHAUSTED");
				break;
			default:
				break;
			}
			seen[code] = 1;
			n++;
			json_decref(body);
		}
		json_decref(cas);
	}
	ck_assert(seen[400] && seen[403] && seen[404] && seen[429]);
	ck_assert_uint_ge(n, 5);
}
END_TEST

START_TEST(test_non_json_errors)
{
	static const char unauth[] = "{\"error\":{\"code\":401,\"message\":\"Request had "
	    "invalid authentication credentials.\",\"status\":\"UNAUTHENTICATED\"}}";
	static const char html[] = "<html><head><title>502 Bad Gateway</title></head>\n"
	    "<body>nginx</body></html>";
	struct err e;

	err_init(&e);
	sheets_parse_error(html, strlen(html), 502, NULL, &e);
	ck_assert_int_eq(e.code, ERR_API);
	ck_assert_int_eq(e.status, 502);
	ck_assert_ptr_nonnull(strstr(e.msg, "not Google's JSON"));
	ck_assert_ptr_nonnull(strstr(e.msg, "502 Bad Gateway"));
	ck_assert_ptr_null(strchr(e.msg, '\n'));
	err_init(&e);
	sheets_parse_error(NULL, 0, 503, NULL, &e);
	ck_assert_int_eq(e.status, 503);
	err_init(&e);
	sheets_parse_error(unauth, strlen(unauth), 401, NULL, &e);
	ck_assert_int_eq(e.status, 401);
	ck_assert_ptr_nonnull(strstr(e.msg, "revoked"));
}
END_TEST

START_TEST(test_tabs)
{
	json_t *cas = load("SpreadsheetTest.test_worksheets_exclude_hidden.json"), *it, *list;
	struct sheets_tabs tabs = { 0 };
	struct err e;
	size_t i, k, bodies = 0;
	int saw_three = 0;

	list = json_object_get(cas, "interactions");
	/* Every spreadsheets.get answer, against the same fields read with jansson. */
	json_array_foreach(list, i, it) {
		const char *uri = json_string_value(json_object_get(json_object_get(it, "request"),
		    "uri"));
		const char *text = json_string_value(json_object_get(json_object_get(
		    json_object_get(it, "response"), "body"), "string"));
		json_t *body, *sh;
		json_error_t je;

		if (strstr(uri, "includeGridData") == NULL)
			continue;
		body = json_loads(text, 0, &je);
		ck_assert_ptr_nonnull(body);
		err_init(&e);
		ck_assert_msg(sheets_parse_tabs(text, strlen(text), &tabs, &e) == 0, "%s", e.msg);
		ck_assert_uint_eq(tabs.n, json_array_size(json_object_get(body, "sheets")));
		json_array_foreach(json_object_get(body, "sheets"), k, sh) {
			json_t *p = json_object_get(sh, "properties");

			ck_assert_str_eq(tabs.tabs[k].title,
			    json_string_value(json_object_get(p, "title")));
			ck_assert_int_eq(tabs.tabs[k].sheet_id,
			    json_integer_value(json_object_get(p, "sheetId")));
			ck_assert_int_eq(tabs.tabs[k].index, (long)k);
		}
		if (tabs.n == 3) {
			saw_three = 1;
			ck_assert_str_eq(tabs.tabs[0].title, "Sheet1");
			ck_assert_int_eq(tabs.tabs[0].sheet_id, 0);
			ck_assert_str_eq(tabs.tabs[1].title, "finances");
			ck_assert_int_gt(tabs.tabs[1].sheet_id, 0);
			ck_assert_str_eq(tabs.tabs[2].title, "gacha");
			ck_assert_int_eq(tabs.tabs[2].index, 2);
		}
		sheets_tabs_fini(&tabs);
		json_decref(body);
		bodies++;
	}
	ck_assert(saw_three);
	ck_assert_uint_ge(bodies, 4);
	json_decref(cas);
	/* A field-masked answer with proto3 defaults left out, and bad ones. */
	{
		static const char masked[] = "{\"sheets\":[{\"properties\":{\"title\":\"บางคล้า\"}},"
		    "{\"properties\":{\"sheetId\":7,\"title\":\"Jon's Data\",\"index\":1}}]}";
		static const char *const bad[] = {
			"", "[]", "{\"sheets\":{}}", "{\"sheets\":[{\"properties\":{}}]}",
			"{\"sheets\":[{\"properties\":{\"title\":\"a\\u0000b\"}}]}",
			"{\"a\":1,\"a\":2}", "{\"sheets\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
		};

		err_init(&e);
		ck_assert_int_eq(sheets_parse_tabs(masked, strlen(masked), &tabs, &e), 0);
		ck_assert_uint_eq(tabs.n, 2);
		ck_assert_str_eq(tabs.tabs[0].title, "บางคล้า");
		ck_assert_int_eq(tabs.tabs[0].sheet_id, 0);
		ck_assert_int_eq(tabs.tabs[1].sheet_id, 7);
		sheets_tabs_fini(&tabs);
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			err_init(&e);
			ck_assert_msg(sheets_parse_tabs(bad[i], strlen(bad[i]), &tabs, &e) == -1,
			    "accepted %s", bad[i]);
			ck_assert_int_eq(e.code, ERR_DATA);
			ck_assert_uint_eq(tabs.n, 0);
		}
	}
}
END_TEST

START_TEST(test_drive_version)
{
	static const struct {
		const char *body, *want;
	} ok[] = {
		{ "{\n  \"version\": \"1234\"\n}\n", "1234" },
		{ "{\"version\":42}", "42" },
	};
	static const char *const bad[] = {
		"{}", "{\"version\":\"\"}", "{\"version\":null}", "not json", "{\"version\":[1]}",
	};
	struct err e;
	char *v;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		err_init(&e);
		ck_assert_int_eq(sheets_parse_version(ok[i].body, strlen(ok[i].body), &v, &e), 0);
		ck_assert_str_eq(v, ok[i].want);
		free(v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_init(&e);
		ck_assert_int_eq(sheets_parse_version(bad[i], strlen(bad[i]), &v, &e), -1);
		ck_assert_ptr_null(v);
		ck_assert_int_eq(e.code, ERR_DATA);
	}
}
END_TEST

START_TEST(test_batch_get_url)
{
	static const char *const titles[] = { "บางคล้า", "Jon's Data", "a+b#c" };
	struct err e;
	char *url;

	err_init(&e);
	url = sheets_url_batch_get("https://sheets.googleapis.com/", "1AbC-_x", titles, 3, &e);
	ck_assert_ptr_nonnull(url);
	ck_assert_str_eq(url, "https://sheets.googleapis.com/v4/spreadsheets/1AbC-_x/values:batchGet"
	    "?ranges=%27%E0%B8%9A%E0%B8%B2%E0%B8%87%E0%B8%84%E0%B8%A5%E0%B9%89%E0%B8%B2%27"
	    "&ranges=%27Jon%27%27s%20Data%27"
	    "&ranges=%27a%2Bb%23c%27"
	    "&valueRenderOption=UNFORMATTED_VALUE&dateTimeRenderOption=SERIAL_NUMBER"
	    "&majorDimension=ROWS&prettyPrint=false");
	free(url);
	/* Too many long titles for one URL: a clear error, not a cut request. */
	{
		const char *many[200];
		size_t i;

		for (i = 0; i < 200; i++)
			many[i] = "ครัวเรือนยากจนเป้าหมาย";
		err_init(&e);
		ck_assert_ptr_null(sheets_url_batch_get("https://x", "id", many, 200, &e));
		ck_assert_int_eq(e.code, ERR_DATA);
		ck_assert_ptr_nonnull(strstr(e.msg, "longer than"));
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cassettes");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_request_uris);
	tcase_add_test(tc, test_range_echoes);
	tcase_add_test(tc, test_error_bodies);
	tcase_add_test(tc, test_non_json_errors);
	tcase_add_test(tc, test_tabs);
	tcase_add_test(tc, test_drive_version);
	tcase_add_test(tc, test_batch_get_url);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
