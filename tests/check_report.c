/*
 * check_report: rendering a rules report (syncd/report.c) and the display
 * width it pads by (syncd/textwidth.c).
 *
 * What people rely on: the JSON document has DESIGN.md's keys in its order,
 * null where a field does not apply, readable Thai and two-decimal percents;
 * the text table lines up on a terminal even though Thai vowel and tone
 * marks take no column; discrepancies are grouped by district in tab order,
 * errors first, sheet-level ones last.  The report here is built by hand,
 * so these tests do not depend on the rules engine.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "syncd/report.h"
#include "syncd/textwidth.h"

START_TEST(test_textwidth)
{
	static const struct {
		const char *s;
		size_t w;
	} cases[] = {
		{ "", 0 },
		{ "abc", 3 },
		{ "บางคล้า", 6 },		/* MAI THO above: no column */
		{ "บ้านโพธิ์", 6 },		/* two tone/vowel marks and THANTHAKHAT */
		{ "ที่", 1 },			/* SARA II and MAI EK on one consonant */
		{ "ทำ", 2 },			/* SARA AM is a spacing vowel */
		{ "คร. ที่พัฒนาได้", 11 },
		{ "ผลที่ได้รับ", 7 },
		{ "漢字", 4 },
		{ "a\xe2\x80\x8b" "b", 2 },	/* zero-width space */
		{ "\xff" "a", 2 },		/* a stray byte still takes a column */
		{ "\xe0\xb8", 2 },		/* a cut sequence: a column a byte, no overread */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(textwidth(cases[i].s) == cases[i].w, "case %zu: %zu, want %zu",
		    i, textwidth(cases[i].s), cases[i].w);
	ck_assert_uint_eq(textwidth(NULL), 0);
	ck_assert_uint_eq(textwidth_n("ที่ดิน", 9), 1);	/* the first 3 code points */
}
END_TEST

START_TEST(test_status_key)
{
	ck_assert_str_eq(report_status_key("status.self_reliant"), "self_reliant");
	ck_assert_str_eq(report_status_key("helped"), "helped");
	ck_assert_str_eq(report_status_key("status."), "status.");
}
END_TEST

/* A small report: two districts and the total; findings errors first. */
struct fixture {
	struct rules_report r;
	struct rules_config cfg;
	struct rules_summary sum[3];
	struct rules_finding f[5];
};

static void
fixture_init(struct fixture *x)
{
	static char d1[] = "บางคล้า", d2[] = "บ้านโพธิ์", tot[] = "รวมทั้งจังหวัด";
	static char k1[] = "24010012345", k2[] = "24010099999";
	static char c1[] = "คร. ที่พัฒนาได้", c2[] = "วันที่ดำเนินการ";
	static char m1[] = "จำแนกสถานะมากกว่า 1 ช่อง", m2[] = "วันที่ไม่ถูกต้อง";
	static char m3[] = "ยังไม่ได้จำแนก", m4[] = "น้อยกว่า 10 ครัวเรือน";
	static char m5[] = "ไม่มีครัวเรือนที่พัฒนาได้";
	size_t i;

	memset(x, 0, sizeof(*x));
	rules_config_default(&x->cfg);
	x->r.today = rules_days_from_civil(2024, 2, 1);
	x->r.nstatus = 0;
	for (i = 0; i < x->cfg.nfields; i++)
		if (x->cfg.fields[i].role == RULES_ROLE_STATUS)
			x->r.status_names[x->r.nstatus++] = x->cfg.fields[i].name;
	x->sum[0] = (struct rules_summary){ d1, 40, { 12, 9, 10, 3 }, 6, 7, 58.33, 2, 1, 0 };
	x->sum[1] = (struct rules_summary){ d2, 0, { 0 }, 0, 0, 0.0, 1, 0, 1 };
	x->sum[2] = (struct rules_summary){ tot, 40, { 12, 9, 10, 3 }, 6, 7, 58.33, 3, 2, 0 };
	x->r.summary = x->sum;
	x->r.nsummary = 3;
	/* Sorted as the engine sorts: errors first, then tab order, row. */
	x->f[0] = (struct rules_finding){ "status.multiple", RULES_ERROR, d1, 7, k1, c1, m1 };
	x->f[1] = (struct rules_finding){ "activity.date_invalid", RULES_ERROR, d1, 12, k2,
	    c2, m2 };
	x->f[2] = (struct rules_finding){ "tab.missing", RULES_ERROR, d2, 0, NULL, NULL, m5 };
	x->f[3] = (struct rules_finding){ "status.missing", RULES_WARNING, d1, 9, k2, c1, m3 };
	x->f[4] = (struct rules_finding){ "province.below_minimum", RULES_WARNING, NULL, 0,
	    NULL, NULL, m4 };
	x->r.findings = x->f;
	x->r.nfindings = 5;
}

/* render(x, json): what the writer prints, as a malloc'd string. */
static char *
render(struct fixture *x, int json)
{
	struct err e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	ck_assert_ptr_nonnull(f);
	err_init(&e);
	rc = json ? report_write_json(f, &x->r, &e) :
	    report_write_text(f, &x->r, &x->cfg, &e);
	ck_assert_msg(rc == 0, "%s", e.msg);
	fclose(f);
	return buf;
}

START_TEST(test_json)
{
	struct fixture x;
	struct err e;
	json_t *doc, *s, *d;
	const char *k;
	json_t *v;
	char *text;
	size_t i = 0;
	static const char *const skeys[] = { "district", "households", "developable",
	    "welfare", "self_reliant", "other", "unclassified", "developed", "percent",
	    "errors", "warnings" };
	static const char *const dkeys[] = { "rule", "severity", "tab", "row", "key",
	    "column", "message" };

	fixture_init(&x);
	err_init(&e);
	doc = report_json(&x.r, &e);
	ck_assert_ptr_nonnull(doc);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "today")), "2024-02-01");
	s = json_array_get(json_object_get(doc, "summary"), 0);
	json_object_foreach(s, k, v) {
		ck_assert_uint_lt(i, sizeof(skeys) / sizeof(skeys[0]));
		ck_assert_str_eq(k, skeys[i]);
		i++;
	}
	ck_assert_uint_eq(i, sizeof(skeys) / sizeof(skeys[0]));
	ck_assert_int_eq(json_integer_value(json_object_get(s, "self_reliant")), 10);
	d = json_array_get(json_object_get(doc, "discrepancies"), 4);
	i = 0;
	json_object_foreach(d, k, v) {
		ck_assert_str_eq(k, dkeys[i]);
		i++;
	}
	ck_assert_uint_eq(i, sizeof(dkeys) / sizeof(dkeys[0]));
	ck_assert(json_is_null(json_object_get(d, "tab")));
	ck_assert(json_is_null(json_object_get(d, "row")));
	ck_assert(json_is_null(json_object_get(d, "key")));
	ck_assert(json_is_null(json_object_get(d, "column")));
	ck_assert_str_eq(json_string_value(json_object_get(d, "severity")), "warning");
	d = json_array_get(json_object_get(doc, "discrepancies"), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(d, "row")), 7);
	json_decref(doc);

	text = render(&x, 1);
	ck_assert_ptr_nonnull(strstr(text, "\"percent\": 58.33,"));
	ck_assert_ptr_nonnull(strstr(text, "\"district\": \"บางคล้า\""));
	ck_assert_ptr_null(strstr(text, "\\u"));
	ck_assert(text[strlen(text) - 1] == '\n');
	free(text);
}
END_TEST

/* split(text, lines, max): cut text into its lines, in place. */
static size_t
split(char *text, char **lines, size_t max)
{
	size_t n = 0;
	char *p = text, *nl;

	while (n < max && *p != '\0') {
		lines[n++] = p;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return n;
}

/* dumped(x): json_dumpf(report_json()) as the writer used to print it. */
static char *
dumped(struct fixture *x)
{
	struct err e;
	json_t *doc;
	char *s, *out;
	size_t n;

	err_init(&e);
	doc = report_json(&x->r, &e);
	ck_assert_msg(doc != NULL, "%s", e.msg);
	s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	ck_assert_ptr_nonnull(s);
	json_decref(doc);
	n = strlen(s);
	out = malloc(n + 2);
	ck_assert_ptr_nonnull(out);
	memcpy(out, s, n);
	memcpy(out + n, "\n", 2);
	free(s);
	return out;
}

/*
 * The streamed document is exactly jansson's: escapes of quotes,
 * backslashes and control bytes, slashes and DEL left alone, reals with
 * ".0" or an exponent, empty arrays, null fields.
 */
START_TEST(test_json_stream_as_jansson)
{
	static char q[] = "a\"b\\c/d\x7f", ctl[] = "\x01\b\f\n\r\t\x1f end";
	static char thai[] = "ตรวจสอบ \"ข้อมูล\"";
	static const double pct[] = { 0.0, 100.0, 58.33, 12.5, 0.01, 99.99, 1e-5,
	    1e21, -3.0, 123456789.12 };
	struct fixture x;
	char *want, *got;
	size_t i;

	fixture_init(&x);
	x.f[0].message = q;
	x.f[1].key = ctl;
	x.f[2].column = thai;
	x.f[3].tab = thai;
	for (i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
		x.sum[0].percent = pct[i];
		x.sum[2].percent = -pct[i];
		want = dumped(&x);
		got = render(&x, 1);
		ck_assert_str_eq(got, want);
		free(want);
		free(got);
	}
	x.r.nfindings = 0;
	want = dumped(&x);
	got = render(&x, 1);
	ck_assert_str_eq(got, want);
	ck_assert_ptr_nonnull(strstr(got, "\"discrepancies\": []"));
	free(want);
	free(got);
	x.r.nsummary = 0;
	want = dumped(&x);
	got = render(&x, 1);
	ck_assert_str_eq(got, want);
	free(want);
	free(got);
}
END_TEST

START_TEST(test_text)
{
	struct fixture x;
	char *text, *lines[64];
	size_t n, i, w;

	fixture_init(&x);
	text = render(&x, 0);
	n = split(text, lines, 64);
	ck_assert_uint_ge(n, 14);
	ck_assert_str_eq(lines[0], "as of 2024-02-01");
	/* The heading row and the three summary rows line up. */
	ck_assert_ptr_nonnull(strstr(lines[2], "อำเภอ"));
	ck_assert_ptr_nonnull(strstr(lines[2], "พัฒนาได้"));
	w = textwidth(lines[2]);
	for (i = 3; i <= 5; i++)
		ck_assert_msg(textwidth(lines[i]) == w, "line %zu: width %zu, heading %zu: %s",
		    i, textwidth(lines[i]), w, lines[i]);
	ck_assert_ptr_nonnull(strstr(lines[3], "58.33"));
	ck_assert_ptr_nonnull(strstr(lines[4], "บ้านโพธิ์"));	/* missing tab: marked */
	ck_assert_ptr_nonnull(strstr(lines[4], "ไม่มีแท็บ"));
	/* Groups: บางคล้า (errors, then the warning), บ้านโพธิ์, then the province. */
	for (i = 0; i < n && strstr(lines[i], "บางคล้า: 2 errors") == NULL; i++)
		;
	ck_assert_uint_lt(i + 9, n);
	ck_assert_str_eq(lines[i], "บางคล้า: 2 errors, 1 warning");
	ck_assert_ptr_nonnull(strstr(lines[i + 1], "error    row 7   24010012345"));
	ck_assert_ptr_nonnull(strstr(lines[i + 1], "status.multiple"));
	ck_assert_ptr_nonnull(strstr(lines[i + 2], "row 12"));
	ck_assert_ptr_nonnull(strstr(lines[i + 3], "warning  row 9"));
	/* Every finding line lines up its rule column. */
	ck_assert_uint_eq(textwidth_n(lines[i + 1], (size_t)(strstr(lines[i + 1],
	    "status.multiple") - lines[i + 1])), textwidth_n(lines[i + 3],
	    (size_t)(strstr(lines[i + 3], "status.missing") - lines[i + 3])));
	ck_assert_ptr_nonnull(strstr(lines[i + 5], "บ้านโพธิ์: 1 error, 0 warnings"));
	ck_assert_ptr_nonnull(strstr(lines[i + 6], "tab.missing"));
	ck_assert_ptr_nonnull(strstr(lines[i + 8], "รวมทั้งจังหวัด: 0 errors, 1 warning"));
	ck_assert_ptr_nonnull(strstr(lines[i + 9], "province.below_minimum"));
	free(text);
}
END_TEST

static Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_textwidth);
	tcase_add_test(tc, test_status_key);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_json_stream_as_jansson);
	tcase_add_test(tc, test_text);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(report_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
