/*
 * check_linemsg: the daily LINE report's text (syncd/linemsg.c).
 *
 * What the province relies on: the Thai date with the Buddhist Era year, the
 * totals and the change since the last report, districts with open errors
 * most first, below-minimum districts and province, days to the activity
 * deadline, the sheet's link and the audit head (seq and 12 hex digits); and
 * a text LINE accepts: at most 5,000 UTF-16 units, cutting the district list,
 * never the totals, and saying how many districts were left out.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "syncd/linemsg.h"

#define NMAX 520

struct fixture {
	struct rules_report r;
	struct rules_config cfg;
	struct rules_summary sum[NMAX + 1];
	struct rules_finding f[NMAX + 1];
	char names[NMAX][160];
	char tot[64];
	struct linemsg_in in;
};

static const char head[] = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";

/* n districts; district i has i % 7 errors; every 5th is below its minimum. */
static void
fixture_init(struct fixture *x, size_t n, const char *prefix)
{
	size_t i;
	long hh = 0, dev = 0;

	memset(x, 0, sizeof(*x));
	rules_config_default(&x->cfg);
	x->r.today = rules_days_from_civil(2024, 2, 15);
	for (i = 0; i < n; i++) {
		snprintf(x->names[i], sizeof(x->names[i]), "%s%d", prefix, (int)i);
		x->sum[i].district = x->names[i];
		x->sum[i].households = 10;
		x->sum[i].status[0] = i % 5 == 0 ? 0 : 4;	/* developable */
		x->sum[i].developed = i % 5 == 0 ? 0 : 3;
		x->sum[i].errors = (long)(i % 7);
		hh += 10;
		dev += x->sum[i].status[0];
		if (i % 5 == 0)
			x->f[x->r.nfindings++] = (struct rules_finding){ "district.no_developable",
			    RULES_WARNING, x->names[i], 0, NULL, NULL, NULL };
	}
	snprintf(x->tot, sizeof(x->tot), "รวมทั้งจังหวัด");
	x->sum[n].district = x->tot;
	x->sum[n].households = hh;
	x->sum[n].status[0] = dev;
	x->sum[n].developed = 1234;
	x->sum[n].percent = 65.79;
	x->r.summary = x->sum;
	x->r.nsummary = n + 1;
	x->r.findings = x->f;
	x->in.report = &x->r;
	x->in.rules = &x->cfg;
	x->in.today = x->r.today;
	x->in.has_prev = 1;
	x->in.prev_developed = 1231;
	x->in.spreadsheet_id = "demo-chachoengsao";
	x->in.head_seq = 4711;
	x->in.head_hash = head;
}

static char *
build(struct fixture *x)
{
	struct err e;
	char *s;

	err_init(&e);
	s = linemsg_build(&x->in, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	return s;
}

START_TEST(test_units_and_date)
{
	char buf[64];

	ck_assert_uint_eq(linemsg_utf16_units(""), 0);
	ck_assert_uint_eq(linemsg_utf16_units("abc"), 3);
	ck_assert_uint_eq(linemsg_utf16_units("บางคล้า"), 7);	/* BMP: one unit each */
	ck_assert_uint_eq(linemsg_utf16_units("\xf0\x9f\x8d\x8e"), 2);	/* 🍎: a pair */
	ck_assert_uint_eq(linemsg_utf16_units("é"), 1);
	ck_assert_int_gt(linemsg_thai_date(rules_days_from_civil(2024, 2, 15), buf,
	    sizeof(buf)), 0);
	ck_assert_str_eq(buf, "15 ก.พ. 2567");
	linemsg_thai_date(rules_days_from_civil(2023, 12, 1), buf, sizeof(buf));
	ck_assert_str_eq(buf, "1 ธ.ค. 2566");
	ck_assert_int_eq(linemsg_thai_date(rules_days_from_civil(2023, 12, 1), buf, 5), -1);
}
END_TEST

START_TEST(test_content)
{
	static struct fixture x;
	char *s, *p1, *p2, *p3;

	fixture_init(&x, 8, "อำเภอ");
	x.f[x.r.nfindings++] = (struct rules_finding){ "province.below_minimum",
	    RULES_WARNING, NULL, 0, NULL, NULL, NULL };
	s = build(&x);
	ck_assert_msg(strstr(s, "15 ก.พ. 2567") != NULL, "date: %s", s);
	ck_assert_msg(strstr(s, "80 ครัวเรือน") != NULL, "households: %s", s);
	ck_assert_msg(strstr(s, "1,234 (65.79%)") != NULL, "developed: %s", s);
	ck_assert_msg(strstr(s, "+3 ครัวเรือนได้รับการพัฒนา") != NULL, "change: %s", s);
	/* Errors: อำเภอ6 (6), อำเภอ5 (5), ... อำเภอ1 (1); อำเภอ0 and อำเภอ7 have none. */
	p1 = strstr(s, "- อำเภอ6 6 รายการ");
	p2 = strstr(s, "- อำเภอ5 5 รายการ");
	p3 = strstr(s, "- อำเภอ1 1 รายการ");
	ck_assert_msg(p1 != NULL && p2 != NULL && p3 != NULL && p1 < p2 && p2 < p3,
	    "most errors first: %s", s);
	ck_assert_ptr_null(strstr(s, "- อำเภอ7 "));
	ck_assert_ptr_null(strstr(s, "- อำเภอ0 0"));
	ck_assert_msg(strstr(s, "ต่ำกว่าเกณฑ์ขั้นต่ำ") != NULL, "below: %s", s);
	ck_assert_msg(strstr(s, "- อำเภอ0\n") != NULL && strstr(s, "- อำเภอ5\n") != NULL,
	    "below districts: %s", s);
	ck_assert_msg(strstr(s, "- รวมทั้งจังหวัด (") != NULL, "province below: %s", s);
	/* 2024-02-15 to 2024-03-20: 34 days. */
	ck_assert_msg(strstr(s, "เหลืออีก 34 วัน") != NULL, "deadline: %s", s);
	ck_assert_msg(strstr(s, "20 มี.ค. 2567") != NULL, "deadline date: %s", s);
	ck_assert_msg(strstr(s, "https://docs.google.com/spreadsheets/d/demo-chachoengsao/edit")
	    != NULL, "link: %s", s);
	ck_assert_msg(strstr(s, "seq 4711 a1b2c3d4e5f6") != NULL, "audit head: %s", s);
	ck_assert_ptr_null(strstr(s, "a1b2c3d4e5f60"));	/* 12 hex digits only */
	ck_assert_ptr_null(strstr(s, "และอีก"));
	free(s);

	/* A drop, the first report, and a deadline passed. */
	x.in.prev_developed = 1240;
	s = build(&x);
	ck_assert_msg(strstr(s, "-6 ครัวเรือนได้รับการพัฒนา") != NULL, "drop: %s", s);
	free(s);
	x.in.has_prev = 0;
	x.in.today = rules_days_from_civil(2024, 3, 22);
	s = build(&x);
	ck_assert_msg(strstr(s, "รายงานครั้งแรก") != NULL, "first: %s", s);
	ck_assert_msg(strstr(s, "มาแล้ว 2 วัน") != NULL, "passed: %s", s);
	free(s);
}
END_TEST

START_TEST(test_cut)
{
	static struct fixture x;
	char *s, *tail;
	size_t shown = 0, left = 0;
	const char *p;

	/* 512 districts with long names: far past 5,000 units. */
	fixture_init(&x, 512, "อำเภอที่มีชื่อยาวมากเป็นพิเศษเพื่อการทดสอบลำดับที่ ");
	s = build(&x);
	ck_assert_uint_le(linemsg_utf16_units(s), LINEMSG_MAX_UTF16);
	ck_assert_uint_gt(linemsg_utf16_units(s), LINEMSG_MAX_UTF16 - 200);
	/* The totals, the deadline, the link and the head are all there. */
	ck_assert_msg(strstr(s, "5,120 ครัวเรือน") != NULL, "households: %s", s);
	ck_assert_ptr_nonnull(strstr(s, "1,234 (65.79%)"));
	ck_assert_ptr_nonnull(strstr(s, "+3 ครัวเรือนได้รับการพัฒนา"));
	ck_assert_ptr_nonnull(strstr(s, "เหลืออีก 34 วัน"));
	ck_assert_ptr_nonnull(strstr(s, "/spreadsheets/d/demo-chachoengsao/edit"));
	ck_assert_ptr_nonnull(strstr(s, "seq 4711 a1b2c3d4e5f6"));
	/* And how many districts with errors were left out. */
	for (p = s; (p = strstr(p, " รายการ\n")) != NULL; p++)
		shown++;
	tail = strstr(s, "- และอีก ");
	ck_assert_ptr_nonnull(tail);
	ck_assert_int_eq(sscanf(tail, "- และอีก %zu", &left), 1);
	/* 512 districts, i % 7 != 0 have errors: 438. */
	ck_assert_uint_eq(shown + left, 438);
	ck_assert_uint_gt(shown, 10);
	free(s);

	/* A lower limit cuts the below-minimum list too, never the totals. */
	x.in.max_units = 1200;
	s = build(&x);
	ck_assert_uint_le(linemsg_utf16_units(s), 1200);
	ck_assert_ptr_nonnull(strstr(s, "5,120 ครัวเรือน"));
	ck_assert_ptr_nonnull(strstr(s, "seq 4711 a1b2c3d4e5f6"));
	free(s);

	/* A limit too small even for the totals is an error, not a cut total. */
	{
		struct err e;

		x.in.max_units = 100;
		err_init(&e);
		ck_assert_ptr_null(linemsg_build(&x.in, &e));
		ck_assert_int_eq(e.code, ERR_DATA);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("linemsg");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_units_and_date);
	tcase_add_test(tc, test_content);
	tcase_add_test(tc, test_cut);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
