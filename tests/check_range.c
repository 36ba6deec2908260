/*
 * check_range: A1 quoting of tab titles as Google writes it, the URL
 * percent-encoding of titles (Thai, spaces, apostrophes, '+', '#', emoji) and
 * splitting range echoes back; split(quote(t)) must give t for every title.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/range.h"

/* Google's echo quoting (API_NOTES 2.1 and the cassettes). */
static const struct {
	const char *title;
	int quoted;
} quote_cases[] = {
	{ "Sheet1", 0 },
	{ "finances", 0 },
	{ "_x9", 0 },
	{ "Summary_2024", 0 },
	{ "D3", 1 },		/* looks like a cell: WorksheetTest.test_..._title_is_a1_notation */
	{ "AB12", 1 },
	{ "ZZZ1", 1 },
	{ "A", 1 },
	{ "R1C1", 1 },
	{ "r2", 1 },
	{ "C", 1 },
	{ "ABCD1", 0 },		/* four letters: past column ZZZ, not a cell */
	{ "Jon's Data", 1 },
	{ "🌵 test_values_batch_get 1", 1 },
	{ "บางคล้า", 1 },
	{ "1st", 1 },
	{ "a-b", 1 },
	{ "a b", 1 },
	{ "", 1 },
};

START_TEST(test_needs_quote)
{
	size_t i;

	for (i = 0; i < sizeof(quote_cases) / sizeof(quote_cases[0]); i++)
		ck_assert_msg(range_needs_quote(quote_cases[i].title) == quote_cases[i].quoted,
		    "title \"%s\": expected quoted=%d", quote_cases[i].title, quote_cases[i].quoted);
}
END_TEST

START_TEST(test_quote)
{
	static const struct {
		const char *title, *cells;
		int flags;
		const char *want;
	} c[] = {
		{ "Sheet1", "A1:Z1000", 0, "Sheet1!A1:Z1000" },
		{ "Sheet1", NULL, RANGE_QUOTE_ALWAYS, "'Sheet1'" },
		{ "D3", "A1:D4", 0, "'D3'!A1:D4" },
		{ "Jon's Data", "A1:Z1000", 0, "'Jon''s Data'!A1:Z1000" },
		{ "บางคล้า", "", 0, "'บางคล้า'" },
		{ "ครัว 'เรือน'", "A1", 0, "'ครัว ''เรือน'''!A1" },
		{ "''", NULL, 0, "''''''" },
	};
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *q;

		err_init(&e);
		q = range_quote(c[i].title, c[i].cells, c[i].flags, &e);
		ck_assert_ptr_nonnull(q);
		ck_assert_str_eq(q, c[i].want);
		free(q);
	}
	err_init(&e);
	ck_assert_ptr_null(range_quote("", "A1", 0, &e));
	ck_assert_int_eq(e.code, ERR_DATA);
}
END_TEST

START_TEST(test_escape)
{
	static const struct {
		const char *in, *want;
	} c[] = {
		{ "Sheet1", "Sheet1" },
		{ "a b", "a%20b" },
		{ "a+b", "a%2Bb" },
		{ "a#b&c=d", "a%23b%26c%3Dd" },
		{ "'Jon''s'!A1:B2", "%27Jon%27%27s%27%21A1%3AB2" },
		{ "-._~", "-._~" },
		{ "/?%", "%2F%3F%25" },
		/* The cassette's emoji title, byte for byte as gspread sent it. */
		{ "🌵 test_values_get 1", "%F0%9F%8C%B5%20test_values_get%201" },
		/* Thai: every byte of the UTF-8 encoding. */
		{ "บางคล้า", "%E0%B8%9A%E0%B8%B2%E0%B8%87%E0%B8%84%E0%B8%A5%E0%B9%89%E0%B8%B2" },
	};
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *q;

		err_init(&e);
		q = range_escape(c[i].in, strlen(c[i].in), &e);
		ck_assert_ptr_nonnull(q);
		ck_assert_str_eq(q, c[i].want);
		free(q);
	}
	/* A NUL byte inside the value is encoded, not a terminator. */
	err_init(&e);
	{
		char *q = range_escape("a\0b", 3, &e);

		ck_assert_str_eq(q, "a%00b");
		free(q);
	}
}
END_TEST

START_TEST(test_split)
{
	static const struct {
		const char *in, *title, *cells;
	} c[] = {
		{ "Sheet1!A1:Z1000", "Sheet1", "A1:Z1000" },
		{ "Sheet1!A1", "Sheet1", "A1" },
		{ "'D3'!A1:D4", "D3", "A1:D4" },
		{ "'Jon''s Data'!A1:Z1000", "Jon's Data", "A1:Z1000" },
		{ "'🌵 test_values_batch_get 1'!A1:A10", "🌵 test_values_batch_get 1", "A1:A10" },
		{ "บางคล้า!A1:Q60", "บางคล้า", "A1:Q60" },
		{ "'บางคล้า'", "บางคล้า", "" },
		{ "Sheet1", "Sheet1", "" },
		{ "'a!b'!C3", "a!b", "C3" },
	};
	static const char *bad[] = {
		"", "'unterminated", "'x'y!A1", "''!A1", "!A1", "Jon's!A1",
	};
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *t, *r;

		err_init(&e);
		ck_assert_msg(range_split(c[i].in, strlen(c[i].in), &t, &r, &e) == 0,
		    "%s: %s", c[i].in, e.msg);
		ck_assert_str_eq(t, c[i].title);
		ck_assert_str_eq(r, c[i].cells);
		free(t);
		free(r);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *t = (char *)1, *r = (char *)1;

		err_init(&e);
		ck_assert_msg(range_split(bad[i], strlen(bad[i]), &t, &r, &e) == -1,
		    "\"%s\" accepted", bad[i]);
		ck_assert_int_eq(e.code, ERR_DATA);
		ck_assert_ptr_null(t);
		ck_assert_ptr_null(r);
	}
	err_init(&e);
	{
		char *t, *r;

		ck_assert_int_eq(range_split("'a\0b'!A1", 8, &t, &r, &e), -1);
	}
}
END_TEST

START_TEST(test_round_trip)
{
	static const char *titles[] = {
		"Sheet1", "D3", "Jon's Data", "'", "''x''", "a!b!c", "a+b#c&d",
		"🌵 test 1", "บางคล้า", "บ้าน 'นา' สุข", "สรุปข้อมูล", "R1C1", " lead", "trail ",
	};
	static const char *cells[] = { NULL, "A1", "A1:Z1000", "odd!cells'" };
	struct err e;
	size_t i, j;
	int f;

	for (i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		for (j = 0; j < 4; j++)
			for (f = 0; f <= RANGE_QUOTE_ALWAYS; f++) {
				char *q, *t, *r;

				err_init(&e);
				q = range_quote(titles[i], cells[j], f, &e);
				ck_assert_ptr_nonnull(q);
				ck_assert_msg(range_split(q, strlen(q), &t, &r, &e) == 0,
				    "%s: %s", q, e.msg);
				ck_assert_str_eq(t, titles[i]);
				ck_assert_str_eq(r, cells[j] != NULL ? cells[j] : "");
				free(q);
				free(t);
				free(r);
			}
}
END_TEST

START_TEST(test_limits)
{
	char *big = malloc(RANGE_MAX_LEN + 2), *t, *r;
	struct err e;

	memset(big, 'x', RANGE_MAX_LEN + 1);
	big[RANGE_MAX_LEN + 1] = '\0';
	err_init(&e);
	ck_assert_ptr_null(range_quote(big, NULL, 0, &e));
	ck_assert_int_eq(e.code, ERR_DATA);
	err_init(&e);
	ck_assert_int_eq(range_split(big, RANGE_MAX_LEN + 1, &t, &r, &e), -1);
	free(big);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("range");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_needs_quote);
	tcase_add_test(tc, test_quote);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_limits);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
