/*
 * check_today: "today" in Asia/Bangkok (syncd/today.c) and the --today
 * spelling.  The day turns at 17:00 UTC, whatever the host's TZ says.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "syncd/today.h"

START_TEST(test_bangkok)
{
	/* 2024-01-31T16:59:59Z is 23:59:59 in Bangkok; a second later, 1 Feb. */
	time_t t = (time_t)rules_days_from_civil(2024, 1, 31) * 86400 + 16 * 3600 + 3599;

	setenv("TZ", "America/New_York", 1);	/* must not matter */
	ck_assert_int_eq(today_bangkok(t), rules_days_from_civil(2024, 1, 31));
	ck_assert_int_eq(today_bangkok(t + 1), rules_days_from_civil(2024, 2, 1));
	ck_assert_int_eq(today_bangkok(0), 0);
	ck_assert_int_eq(today_bangkok(-7 * 3600 - 1), -1);
	ck_assert_int_eq(today_bangkok(-7 * 3600), 0);
}
END_TEST

START_TEST(test_parse_format)
{
	static const char *const bad[] = { "", "2024-2-01", "2024-02-30", "01/02/2024",
	    "2024-02-01x", "2024-02-01 ", "๒๕๖๗-๐๒-๐๑", "2024-13-01" };
	char buf[16];
	int32_t d;
	size_t i;

	ck_assert_int_eq(today_parse("2024-02-29", &d), 0);
	ck_assert_int_eq(d, rules_days_from_civil(2024, 2, 29));
	ck_assert_int_eq(today_format(d, buf, sizeof(buf)), 10);
	ck_assert_str_eq(buf, "2024-02-29");
	ck_assert_int_eq(today_format(d, buf, 10), -1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(today_parse(bad[i], &d) == -1, "accepted \"%s\"", bad[i]);
	ck_assert_int_eq(today_parse(NULL, &d), -1);
}
END_TEST

START_TEST(test_now)
{
	static const char *const bad[] = { "", "2024-02-01", "2024-02-01T8:30",
	    "2024-02-01 08:30", "2024-02-01T24:00", "2024-02-01T08:60", "2024-02-30T08:30",
	    "2024-02-01T08:30:60", "2024-02-01T08:30:0", "2024-02-01T08:30-00",
	    "2024-02-01T08-30", "2024-02-01T0a:30" };
	int32_t feb1 = rules_days_from_civil(2024, 2, 1);
	struct today_clock ck;
	struct today_now n;
	time_t t;
	size_t i;

	/* 08:30 in Bangkok is 01:30 UTC; 00:10 in Bangkok is 17:10 UTC the day before. */
	ck_assert_int_eq(today_parse_now("2024-02-01T08:30", &t), 0);
	ck_assert_int_eq((long long)t, (long long)feb1 * 86400 + 3600 + 1800);
	today_now_of(t, &n);
	ck_assert_int_eq(n.day, feb1);
	ck_assert_int_eq(n.minute, 8 * 60 + 30);
	ck_assert_int_eq(today_parse_now("2024-02-01T00:10", &t), 0);
	ck_assert_int_eq((long long)t, (long long)(feb1 - 1) * 86400 + 17 * 3600 + 600);
	today_now_of(t, &n);
	ck_assert_int_eq(n.day, feb1);
	ck_assert_int_eq(n.minute, 10);
	ck_assert_int_eq(today_parse_now("2024-02-01T08:29:57", &t), 0);
	ck_assert_int_eq((long long)t, (long long)feb1 * 86400 + 3600 + 29 * 60 + 57);
	ck_assert_int_eq(today_parse_now("2024-02-01T23:59", &t), 0);
	today_now_of(t, &n);
	ck_assert_int_eq(n.minute, 1439);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(today_parse_now(bad[i], &t) == -1, "accepted \"%s\"", bad[i]);
	ck_assert_int_eq(today_parse_now(NULL, &t), -1);

	/* --now: the clock starts there and runs on with the real one. */
	memset(&ck, 0, sizeof(ck));
	ck_assert_int_eq(today_clock_set_now(&ck, "2024-02-01T08:29", 1000000), 0);
	today_clock_read(&ck, 1000000, &n);
	ck_assert_int_eq(n.day, feb1);
	ck_assert_int_eq(n.minute, 8 * 60 + 29);
	today_clock_read(&ck, 1000060, &n);
	ck_assert_int_eq(n.minute, 8 * 60 + 30);
	today_clock_read(&ck, 1000000 + 16 * 3600, &n);	/* past midnight */
	ck_assert_int_eq(n.day, feb1 + 1);
	ck_assert_int_eq(today_clock_set_now(&ck, "2024-02-01 08:29", 0), -1);

	/* --today: the date fixed, the time of day real. */
	memset(&ck, 0, sizeof(ck));
	ck.fixed_day = 1;
	ck.day = feb1;
	today_clock_read(&ck, 1800, &n);	/* 1970-01-01T07:30 in Bangkok */
	ck_assert_int_eq(n.day, feb1);
	ck_assert_int_eq(n.minute, 7 * 60 + 30);
	today_clock_read(NULL, 1800, &n);
	ck_assert_int_eq(n.day, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("today");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_bangkok);
	tcase_add_test(tc, test_parse_format);
	tcase_add_test(tc, test_now);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
