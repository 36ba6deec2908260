/*
 * check_date: the calendar and every activity-date spelling of DOMAIN.md
 * "Cell values", valid and invalid, as one table.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/date.h"
#include "rules/rules.h"

struct date_case {
	const char *text;
	int is_number;
	int y, m, d;	/* y == 0: not a valid date */
};

static const struct date_case cases[] = {
	/* Sheets serials; a year above 2400 is Buddhist Era. */
	{ "45337", 1, 2024, 2, 15 },
	{ "45337.75", 1, 2024, 2, 15 },		/* date-time: the day */
	{ "45337.0", 1, 2024, 2, 15 },
	{ "4.5337E4", 1, 2024, 2, 15 },
	{ "243664", 1, 2024, 2, 15 },		/* typed 15/02/2567: 2567 CE */
	{ "243664.5", 1, 2024, 2, 15 },
	{ "25569", 1, 1970, 1, 1 },
	{ "0", 1, 0, 0, 0 },
	{ "-5", 1, 0, 0, 0 },
	/* ISO. */
	{ "2024-02-15", 0, 2024, 2, 15 },
	{ "2024-2-5", 0, 2024, 2, 5 },
	{ "2567-02-15", 0, 2024, 2, 15 },
	{ " 2024-02-15\n", 0, 2024, 2, 15 },
	{ "2024-02-30", 0, 0, 0, 0 },
	{ "2024-13-01", 0, 0, 0, 0 },
	{ "2024/02/15", 0, 0, 0, 0 },		/* year first only in ISO */
	/* Day first, four-digit years. */
	{ "15/2/2567", 0, 2024, 2, 15 },
	{ "15/02/2567", 0, 2024, 2, 15 },
	{ "15-02-2567", 0, 2024, 2, 15 },
	{ "15.02.2567", 0, 2024, 2, 15 },
	{ "1/10/2566", 0, 2023, 10, 1 },
	{ "15/02/2024", 0, 2024, 2, 15 },	/* CE year */
	{ "15 / 02 / 2567", 0, 2024, 2, 15 },
	{ "15/02-2567", 0, 0, 0, 0 },		/* mixed separators */
	{ "15/02/567", 0, 0, 0, 0 },		/* three-digit year */
	{ "15/02", 0, 0, 0, 0 },
	{ "02/15/2567", 0, 0, 0, 0 },		/* month first: month 15 */
	{ "31/02/2567", 0, 0, 0, 0 },
	{ "29/02/2567", 0, 2024, 2, 29 },	/* 2024 is a leap year */
	{ "29/02/2566", 0, 0, 0, 0 },		/* 2023 is not */
	{ "29/2/2543", 0, 2000, 2, 29 },	/* 2000: leap (÷400) */
	{ "29/2/2443", 0, 0, 0, 0 },		/* 1900: not leap */
	{ "31/04/2567", 0, 0, 0, 0 },
	{ "0/02/2567", 0, 0, 0, 0 },
	{ "15/00/2567", 0, 0, 0, 0 },
	/* Two-digit Buddhist Era years. */
	{ "15/02/67", 0, 2024, 2, 15 },
	{ "1/1/67", 0, 2024, 1, 1 },
	{ "15.2.66", 0, 2023, 2, 15 },
	/* Thai month names. */
	{ "15 กุมภาพันธ์ 2567", 0, 2024, 2, 15 },
	{ "15 ก.พ. 67", 0, 2024, 2, 15 },
	{ "15 กพ 2567", 0, 2024, 2, 15 },
	{ "15 ก.พ 2567", 0, 2024, 2, 15 },
	{ "15ก.พ.67", 0, 2024, 2, 15 },
	{ "15 กุมภาพันธ์ พ.ศ. 2567", 0, 2024, 2, 15 },
	{ "1 ม.ค. 67", 0, 2024, 1, 1 },
	{ "1 มี.ค. 67", 0, 2024, 3, 1 },
	{ "20 มีนาคม 2567", 0, 2024, 3, 20 },
	{ "5 เม.ย. 67", 0, 2024, 4, 5 },
	{ "5 พ.ค. 67", 0, 2024, 5, 5 },
	{ "5 มิ.ย. 67", 0, 2024, 6, 5 },
	{ "5 ก.ค. 67", 0, 2024, 7, 5 },
	{ "5 กรกฎาคม 2567", 0, 2024, 7, 5 },
	{ "5 ส.ค. 67", 0, 2024, 8, 5 },
	{ "5 ก.ย. 67", 0, 2024, 9, 5 },
	{ "5 ต.ค. 66", 0, 2023, 10, 5 },
	{ "5 พฤศจิกายน 2566", 0, 2023, 11, 5 },
	{ "5 พ.ย. 66", 0, 2023, 11, 5 },
	{ "25 ธันวาคม 2566", 0, 2023, 12, 25 },
	{ "25 ธ.ค. 66", 0, 2023, 12, 25 },
	{ "15 กุมภา 2567", 0, 2024, 2, 15 },
	{ "30 กุมภาพันธ์ 2567", 0, 0, 0, 0 },
	{ "15 กุมภาพันธ 2567", 0, 0, 0, 0 },	/* misspelt month */
	{ "15 February 2024", 0, 0, 0, 0 },
	{ "15 ก.พ.", 0, 0, 0, 0 },		/* no year */
	/* Thai digits anywhere. */
	{ "๑๕/๐๒/๒๕๖๗", 0, 2024, 2, 15 },
	{ "๑๕ ก.พ. ๖๗", 0, 2024, 2, 15 },
	{ "15/๐2/25๖7", 0, 2024, 2, 15 },
	{ "๒๐๒๔-๐๒-๑๕", 0, 2024, 2, 15 },
	/* Non-breaking and zero-width spaces around the parts. */
	{ "15\xc2\xa0ก.พ.\xc2\xa0" "67", 0, 2024, 2, 15 },
	{ "\xe2\x80\x8b" "15/02/2567", 0, 2024, 2, 15 },
	/* Not dates. */
	{ "", 0, 0, 0, 0 },
	{ "   ", 0, 0, 0, 0 },
	{ "45337", 0, 0, 0, 0 },	/* a string of digits is not a serial */
	{ "TRUE", 0, 0, 0, 0 },
	{ "ยังไม่ได้ดำเนินการ", 0, 0, 0, 0 },
	{ "15/02/2567 10:30", 0, 0, 0, 0 },
	{ "15//2567", 0, 0, 0, 0 },
	{ "abc", 1, 0, 0, 0 },
};

START_TEST(test_date_table)
{
	const struct date_case *c = &cases[_i];
	int32_t days = 0, want;
	int r;

	r = rules_date_parse(c->text, strlen(c->text), c->is_number, &days);
	if (c->y == 0) {
		ck_assert_msg(r == -1, "\"%s\" (number %d) parsed as a date",
		    c->text, c->is_number);
		return;
	}
	want = rules_days_from_civil(c->y, c->m, c->d);
	ck_assert_msg(r == 0, "\"%s\" (number %d) not parsed", c->text,
	    c->is_number);
	ck_assert_msg(days == want, "\"%s\": got day %d, want %d", c->text,
	    (int)days, (int)want);
}
END_TEST

START_TEST(test_be_serial_of_nonleap_year)
{
	/* 2568 CE is leap, 2025 CE is not: 29/02/2568 BE does not exist. */
	char buf[32];
	int32_t s = rules_days_from_civil(2568, 2, 29) + DATE_SERIAL_EPOCH, d;

	snprintf(buf, sizeof(buf), "%ld", (long)s);
	ck_assert_int_eq(rules_date_parse(buf, strlen(buf), 1, &d), -1);
}
END_TEST

START_TEST(test_civil_round_trip)
{
	int32_t d;
	int y, m, dd;

	ck_assert_int_eq(rules_days_from_civil(1970, 1, 1), 0);
	ck_assert_int_eq(rules_days_from_civil(2024, 2, 15), 19768);
	ck_assert_int_eq(rules_days_from_civil(1899, 12, 30), -25569);
	for (d = -800000; d < 800000; d += 97) {
		rules_civil_from_days(d, &y, &m, &dd);
		ck_assert_int_eq(rules_days_from_civil(y, m, dd), d);
	}
}
END_TEST

START_TEST(test_parse_ymd)
{
	int32_t d;

	ck_assert_int_eq(rules_parse_ymd("2024-02-01", &d), 0);
	ck_assert_int_eq(d, rules_days_from_civil(2024, 2, 1));
	ck_assert_int_eq(rules_parse_ymd("2024-02-30", &d), -1);
	ck_assert_int_eq(rules_parse_ymd("2024-2-1", &d), -1);
	ck_assert_int_eq(rules_parse_ymd("01/02/2024", &d), -1);
	ck_assert_int_eq(rules_parse_ymd("", &d), -1);
	ck_assert_int_eq(rules_parse_ymd(NULL, &d), -1);
}
END_TEST

START_TEST(test_format_be)
{
	char buf[32];

	ck_assert_int_ge(date_format_be(rules_days_from_civil(2024, 2, 15), buf,
	    sizeof(buf)), 0);
	ck_assert_str_eq(buf, "15/2/2567");
	ck_assert_int_eq(date_format_be(0, buf, 4), -1);
}
END_TEST

static Suite *
date_suite(void)
{
	Suite *s = suite_create("date");
	TCase *tc = tcase_create("date");

	tcase_add_loop_test(tc, test_date_table, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_be_serial_of_nonleap_year);
	tcase_add_test(tc, test_civil_round_trip);
	tcase_add_test(tc, test_parse_ymd);
	tcase_add_test(tc, test_format_be);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(date_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
