/*
 * check_cell: white space, Thai digits, status marks, household keys,
 * heading normalisation and column letters (DOMAIN.md "Cell values",
 * "Finding columns", "Which rows are households").
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cell.h"
#include "rules/rules.h"

/* ---- marks ---- */

struct mark_case {
	uint8_t type;
	const char *text;
	enum cell_mark want;
};

static const struct mark_case marks[] = {
	{ WORKBOOK_EMPTY, NULL, CELL_MARK_EMPTY },
	{ WORKBOOK_STRING, "", CELL_MARK_EMPTY },
	{ WORKBOOK_STRING, "   ", CELL_MARK_EMPTY },
	{ WORKBOOK_STRING, "\xc2\xa0\n", CELL_MARK_EMPTY },
	{ WORKBOOK_STRING, "1", CELL_MARK_SET },
	{ WORKBOOK_STRING, " 1 ", CELL_MARK_SET },
	{ WORKBOOK_STRING, "1.0", CELL_MARK_SET },
	{ WORKBOOK_STRING, "1.00", CELL_MARK_SET },
	{ WORKBOOK_STRING, "01", CELL_MARK_SET },
	{ WORKBOOK_STRING, "๑", CELL_MARK_SET },
	{ WORKBOOK_STRING, " ๑\n", CELL_MARK_SET },
	{ WORKBOOK_STRING, "๑.๐", CELL_MARK_SET },
	{ WORKBOOK_STRING, "TRUE", CELL_MARK_SET },
	{ WORKBOOK_STRING, "true", CELL_MARK_SET },
	{ WORKBOOK_STRING, "True", CELL_MARK_SET },
	{ WORKBOOK_NUMBER, "1", CELL_MARK_SET },
	{ WORKBOOK_NUMBER, "1.0", CELL_MARK_SET },
	{ WORKBOOK_NUMBER, "1E0", CELL_MARK_SET },
	{ WORKBOOK_BOOL, "TRUE", CELL_MARK_SET },
	{ WORKBOOK_STRING, "0", CELL_MARK_EMPTY },
	{ WORKBOOK_STRING, "0.0", CELL_MARK_EMPTY },
	{ WORKBOOK_STRING, "๐", CELL_MARK_EMPTY },
	{ WORKBOOK_STRING, "FALSE", CELL_MARK_EMPTY },
	{ WORKBOOK_STRING, "false", CELL_MARK_EMPTY },
	{ WORKBOOK_NUMBER, "0", CELL_MARK_EMPTY },
	{ WORKBOOK_BOOL, "FALSE", CELL_MARK_EMPTY },
	{ WORKBOOK_STRING, "2", CELL_MARK_INVALID },
	{ WORKBOOK_NUMBER, "2", CELL_MARK_INVALID },
	{ WORKBOOK_STRING, "1.5", CELL_MARK_INVALID },
	{ WORKBOOK_STRING, "/", CELL_MARK_INVALID },
	{ WORKBOOK_STRING, "✓", CELL_MARK_INVALID },
	{ WORKBOOK_STRING, "x", CELL_MARK_INVALID },
	{ WORKBOOK_STRING, "ใช่", CELL_MARK_INVALID },
	{ WORKBOOK_STRING, "1 1", CELL_MARK_INVALID },
	{ WORKBOOK_STRING, "TRUEX", CELL_MARK_INVALID },
	{ WORKBOOK_STRING, "๒", CELL_MARK_INVALID },
	{ WORKBOOK_STRING, "-1", CELL_MARK_INVALID },
};

static struct workbook_cell
mkcell(uint8_t type, const char *text)
{
	struct workbook_cell c;

	c.type = type;
	c.text = text;
	c.len = text ? (uint32_t)strlen(text) : 0;
	return c;
}

START_TEST(test_marks_default)
{
	static const char *const set[] = { "1", "TRUE" };
	static const char *const empty[] = { "0", "FALSE" };
	struct cell_markset ms, me;
	struct workbook_cell c = mkcell(marks[_i].type, marks[_i].text);

	cell_markset_init(&ms, set, 2);
	cell_markset_init(&me, empty, 2);
	ck_assert_msg(cell_mark_read(&c, &ms, &me) == marks[_i].want,
	    "mark \"%s\" (type %d): got %d want %d", marks[_i].text ?
	    marks[_i].text : "(null)", marks[_i].type,
	    cell_mark_read(&c, &ms, &me), marks[_i].want);
}
END_TEST

START_TEST(test_marks_configured)
{
	/* A configuration that accepts "/" and "x" and treats "-" as empty. */
	static const char *const set[] = { "/", "X", " ๑ " };
	static const char *const empty[] = { "-" };
	struct cell_markset ms, me;
	struct workbook_cell c;

	cell_markset_init(&ms, set, 3);
	cell_markset_init(&me, empty, 1);
	c = mkcell(WORKBOOK_STRING, "/");
	ck_assert_int_eq(cell_mark_read(&c, &ms, &me), CELL_MARK_SET);
	c = mkcell(WORKBOOK_STRING, "x");
	ck_assert_int_eq(cell_mark_read(&c, &ms, &me), CELL_MARK_SET);
	c = mkcell(WORKBOOK_NUMBER, "1");
	ck_assert_int_eq(cell_mark_read(&c, &ms, &me), CELL_MARK_SET);
	c = mkcell(WORKBOOK_STRING, "-");
	ck_assert_int_eq(cell_mark_read(&c, &ms, &me), CELL_MARK_EMPTY);
	c = mkcell(WORKBOOK_STRING, "TRUE");
	ck_assert_int_eq(cell_mark_read(&c, &ms, &me), CELL_MARK_INVALID);
	c = mkcell(WORKBOOK_STRING, "0");
	ck_assert_int_eq(cell_mark_read(&c, &ms, &me), CELL_MARK_INVALID);
	c = mkcell(WORKBOOK_STRING, "");
	ck_assert_int_eq(cell_mark_read(&c, &ms, &me), CELL_MARK_EMPTY);
}
END_TEST

/* A Thai mark configured with SARA AM matches the decomposed spelling. */
START_TEST(test_marks_thai_fold)
{
	const char *set[] = { "ทำแล้ว" }, *empty[] = { "\u0e40\u0e40ก้" };
	struct cell_markset ms, me;
	struct workbook_cell c;
	char out[16];
	size_t n;

	cell_markset_init(&ms, set, 1);
	cell_markset_init(&me, empty, 1);
	c = mkcell(WORKBOOK_STRING, "ท\u0e4d\u0e32แล้ว");
	ck_assert_int_eq(cell_mark_read(&c, &ms, &me), CELL_MARK_SET);
	c = mkcell(WORKBOOK_STRING, "\u0e41ก้");
	ck_assert_int_eq(cell_mark_read(&c, &ms, &me), CELL_MARK_EMPTY);
	c = mkcell(WORKBOOK_STRING, "ทาแล้ว");
	ck_assert_int_eq(cell_mark_read(&c, &ms, &me), CELL_MARK_INVALID);
	ck_assert_uint_eq(cell_thai_fold("\u0e4d\u0e32", 6, out, &n), 6);
	ck_assert_uint_eq(n, 3);
	ck_assert(memcmp(out, "\u0e33", 3) == 0);
	ck_assert_uint_eq(cell_thai_fold("\u0e4d\u0e32", 5, out, &n), 0);	/* cut */
	ck_assert_uint_eq(cell_thai_fold("a", 1, out, &n), 0);
}
END_TEST

/* ---- keys ---- */

struct key_case {
	int is_number;
	const char *text;
	const char *want;	/* "" : empty key; NULL: does not fit */
};

static const struct key_case keys[] = {
	{ 0, "24010012345", "24010012345" },
	{ 0, " 24010012345 ", "24010012345" },
	{ 0, "๒๔๐๑๐๐๑๒๓๔๕", "24010012345" },
	{ 0, "2401-001-2345", "24010012345" },
	{ 0, "2401 001 2345", "24010012345" },
	{ 0, "2401\xc2\xa0" "0012345", "24010012345" },
	{ 0, "2401\xe2\x80\x93" "0012345", "24010012345" },	/* en dash */
	{ 0, "๒๔๐๑-๐๐๑-๒๓๔๕", "24010012345" },
	{ 0, "\xe2\x80\x8b" "24010012345\n", "24010012345" },
	{ 0, "", "" },
	{ 0, "   ", "" },
	{ 0, "-", "" },
	{ 0, "ABC-1", "ABC1" },
	{ 1, "24010012345", "24010012345" },
	{ 1, "2.4010012345E10", "24010012345" },
	{ 1, "2.4010012345e+10", "24010012345" },
	{ 1, "24010012345.0", "24010012345" },
	{ 1, "240100123450E-1", "24010012345" },
	{ 1, "0.24010012345E11", "24010012345" },
	{ 1, "2.4E10", "24000000000" },
	{ 1, "0", "0" },
	{ 1, "12.5", "12.5" },	/* not an integer: kept as written */
	{ 0, "ก\u0e4d\u0e32-1", "ก\u0e33" "1" },	/* decomposed SARA AM */
};

START_TEST(test_keys)
{
	const struct key_case *k = &keys[_i];
	char out[64];
	int n;

	n = rules_key_normalise(k->text, strlen(k->text), k->is_number, out,
	    sizeof(out));
	ck_assert_msg(n == (int)strlen(k->want), "key \"%s\": got %d",
	    k->text, n);
	ck_assert_str_eq(out, k->want);
}
END_TEST

START_TEST(test_key_too_long)
{
	char out[8];

	ck_assert_int_eq(rules_key_normalise("24010012345", 11, 0, out,
	    sizeof(out)), -1);
	ck_assert_int_eq(rules_key_normalise("1E20", 4, 1, out, sizeof(out)),
	    -1);
}
END_TEST

/* ---- headings ---- */

struct heading_case {
	const char *text;
	const char *want;
};

static const struct heading_case headings[] = {
	{ "รหัสบ้าน", "รหัสบ้าน" },
	{ "  รหัสบ้าน  ", "รหัสบ้าน" },
	{ "ชื่อ - สกุล\nหัวหน้าครัวเรือน", "ชื่อ - สกุล หัวหน้าครัวเรือน" },
	{ "ชื่อ - สกุล\r\n  หัวหน้าครัวเรือน", "ชื่อ - สกุล หัวหน้าครัวเรือน" },
	{ "ชื่อ  -  สกุล\tหัวหน้าครัวเรือน", "ชื่อ - สกุล หัวหน้าครัวเรือน" },
	{ "คร.\xc2\xa0ที่พัฒนาได้", "คร. ที่พัฒนาได้" },
	{ "คร.\xe2\x80\x8bที่พัฒนาได้", "คร. ที่พัฒนาได้" },
	{ "\xef\xbb\xbfคร. ที่พัฒนาได้\xe2\x80\x8b", "คร. ที่พัฒนาได้" },
	{ "a\xe2\x80\x80" "b\xe2\x80\x8a" "c\xe3\x80\x80" "d", "a b c d" },
	{ "a\xe2\x80\xaf" "b\xe2\x81\x9f" "c\xe1\x9a\x80" "d", "a b c d" },
	{ "a\xe2\x80\xa8" "b", "a b" },
	{ "\n\n", "" },
	{ "", "" },
	/* Thai spellings that render alike (DOMAIN.md): decomposed SARA AM. */
	{ "ผลที่ได้รับ/ความส\u0e4d\u0e32เร็จ", "ผลที่ได้รับ/ความส\u0e33เร็จ" },
	{ "วันที่ด\u0e4d\u0e32เนินการ", "วันที่ดำเนินการ" },
	{ "น\u0e4d\u0e49\u0e32", "น\u0e49\u0e33" },	/* NIKHAHIT, tone, AA */
	{ "น\u0e49\u0e4d\u0e32", "น\u0e49\u0e33" },	/* tone, NIKHAHIT, AA */
	{ "ก\u0e48\u0e34", "ก\u0e34\u0e48" },		/* tone before the vowel */
	{ "ค\u0e48\u0e38ณ", "ค\u0e38\u0e48ณ" },		/* ... below */
	{ "\u0e40\u0e40ปลง", "\u0e41ปลง" },			/* SARA E twice */
	{ "\u0e4d", "\u0e4d" },	/* a NIKHAHIT alone stays */
	{ "\u0e4d \u0e32", "\u0e4d \u0e32" },	/* not adjacent: as typed */
};

START_TEST(test_headings)
{
	const struct heading_case *h = &headings[_i];
	char out[256];
	int n;

	n = rules_heading_normalise(h->text, strlen(h->text), out, sizeof(out));
	ck_assert_int_eq(n, (int)strlen(h->want));
	ck_assert_str_eq(out, h->want);
}
END_TEST

START_TEST(test_heading_fold_and_limits)
{
	char out[256];

	ck_assert_int_ge(cell_heading_fold("รหัส\xe2\x80\x8b" "บ้าน",
	    strlen("รหัส\xe2\x80\x8b" "บ้าน"), out, sizeof(out)), 0);
	ck_assert_str_eq(out, "รหัสบ้าน");
	ck_assert_int_ge(cell_heading_fold(" ผลที่ได้รับ/ความสำเร็จ\nของ การ ", 
	    strlen(" ผลที่ได้รับ/ความสำเร็จ\nของ การ "), out, sizeof(out)), 0);
	ck_assert_str_eq(out, "ผลที่ได้รับ/ความสำเร็จของการ");
#define EQ(t, w, f) cell_heading_equals((t), strlen(t), (w), strlen(w), (f))
	ck_assert(EQ(" a\n\nb ", "a b", 0));
	ck_assert(!EQ(" a\n\nb ", "ab", 0));
	ck_assert(EQ(" a\n\nb ", "ab", 1));
	ck_assert(!EQ("a b c", "a b", 0));
	ck_assert(!EQ("a", "a b", 0));
	ck_assert(!EQ("a b", "a b ", 0));
	ck_assert(EQ("\xc2\xa0", "", 0));
	ck_assert(EQ("คร.\xe2\x80\x8bที่", "คร. ที่", 0));
#undef EQ
	ck_assert_int_eq(rules_heading_normalise("abcdef", 6, out, 4), -1);
	ck_assert_int_eq(rules_heading_normalise("abc", 3, out, 4), 3);
}
END_TEST

START_TEST(test_column_letters)
{
	ck_assert_int_eq(cell_column_letters("A"), 0);
	ck_assert_int_eq(cell_column_letters("B"), 1);
	ck_assert_int_eq(cell_column_letters("Z"), 25);
	ck_assert_int_eq(cell_column_letters("AA"), 26);
	ck_assert_int_eq(cell_column_letters("AZ"), 51);
	ck_assert_int_eq(cell_column_letters("ZZZ"), 18277);
	ck_assert_int_eq(cell_column_letters("ab"), -1);
	ck_assert_int_eq(cell_column_letters("AAAA"), -1);
	ck_assert_int_eq(cell_column_letters(""), -1);
	ck_assert_int_eq(cell_column_letters("รหัสบ้าน"), -1);
	ck_assert_int_eq(cell_column_letters("A1"), -1);
}
END_TEST

START_TEST(test_blank_and_trim)
{
	struct workbook_cell c;
	const char *t;
	size_t n;

	c = mkcell(WORKBOOK_STRING, " \xe3\x80\x80\xc2\xa0\t");
	ck_assert(cell_is_blank(&c));
	c = mkcell(WORKBOOK_STRING, " ก ");
	ck_assert(!cell_is_blank(&c));
	c = mkcell(WORKBOOK_NUMBER, "0");
	ck_assert(!cell_is_blank(&c));
	c = mkcell(WORKBOOK_EMPTY, NULL);
	ck_assert(cell_is_blank(&c));
	ck_assert(cell_is_blank(NULL));
	t = cell_trim("\xc2\xa0" "ab\xe3\x80\x80", 7, &n);
	ck_assert_int_eq((int)n, 2);
	ck_assert(memcmp(t, "ab", 2) == 0);
}
END_TEST

static Suite *
cell_suite(void)
{
	Suite *s = suite_create("cell");
	TCase *tc = tcase_create("cell");

	tcase_add_loop_test(tc, test_marks_default, 0,
	    (int)(sizeof(marks) / sizeof(marks[0])));
	tcase_add_test(tc, test_marks_configured);
	tcase_add_test(tc, test_marks_thai_fold);
	tcase_add_loop_test(tc, test_keys, 0,
	    (int)(sizeof(keys) / sizeof(keys[0])));
	tcase_add_test(tc, test_key_too_long);
	tcase_add_loop_test(tc, test_headings, 0,
	    (int)(sizeof(headings) / sizeof(headings[0])));
	tcase_add_test(tc, test_heading_fold_and_limits);
	tcase_add_test(tc, test_column_letters);
	tcase_add_test(tc, test_blank_and_trim);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(cell_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
