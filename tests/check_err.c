/*
 * check_err: the shared error record: the first error wins, messages are
 * one line and bounded, and a fatal error (the daemon must stop) is never
 * lost behind an ordinary one recorded earlier.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "auth/err.h"

START_TEST(test_first_wins)
{
	struct err e;

	err_init(&e);
	ck_assert(!err_is_set(&e));
	err_set(&e, ERR_DATA, "first %d", 1);
	err_set(&e, ERR_IO, "second");
	ck_assert(err_is_set(&e));
	ck_assert_int_eq(e.code, ERR_DATA);
	ck_assert_str_eq(e.msg, "first 1");
	ck_assert(!err_is_fatal(&e));
	err_set(NULL, ERR_IO, "nowhere");
	err_fatal(NULL, ERR_IO, "nowhere");
	ck_assert(!err_is_set(NULL));
	ck_assert(!err_is_fatal(NULL));
}
END_TEST

START_TEST(test_one_line_bounded)
{
	char big[2 * ERR_MSG_MAX];
	struct err e;

	err_init(&e);
	err_set(&e, ERR_DATA, "a\nb\rc");
	ck_assert_str_eq(e.msg, "a b c");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_init(&e);
	err_fatal(&e, ERR_IO, "%s", big);
	ck_assert_uint_eq(strlen(e.msg), ERR_MSG_MAX - 1);
	err_init(&e);
	err_fatal(&e, ERR_IO, "x\ny");
	ck_assert_str_eq(e.msg, "x y");
}
END_TEST

START_TEST(test_fatal_outranks)
{
	struct err e;

	/* A step's HTTP error, then the log fails while recording it: the
	 * fatal failure replaces it, status and all. */
	err_init(&e);
	err_set(&e, ERR_API, "sheets: HTTP 503");
	e.status = 503;
	err_fatal(&e, ERR_IO, "audit.jsonl: fdatasync: %s", "Input/output error");
	ck_assert(err_is_fatal(&e));
	ck_assert_int_eq(e.code, ERR_IO);
	ck_assert_int_eq(e.status, 0);
	ck_assert_str_eq(e.msg, "audit.jsonl: fdatasync: Input/output error");
	/* Later errors, fatal or not, do not replace it. */
	err_set(&e, ERR_DATA, "later");
	err_fatal(&e, ERR_NOMEM, "later fatal");
	ck_assert_int_eq(e.code, ERR_IO);
	ck_assert_str_eq(e.msg, "audit.jsonl: fdatasync: Input/output error");
	ck_assert(err_is_fatal(&e));
}
END_TEST

START_TEST(test_fatal_in_place)
{
	struct err e;

	/* The error e holds made fatal, its message its own. */
	err_init(&e);
	err_set(&e, ERR_IO, "state.json: fsync: %s", "Input/output error");
	err_fatal(&e, e.code, "%s", e.msg);
	ck_assert(err_is_fatal(&e));
	ck_assert_int_eq(e.code, ERR_IO);
	ck_assert_str_eq(e.msg, "state.json: fsync: Input/output error");
	err_init(&e);
	ck_assert(!err_is_fatal(&e));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("err");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_first_wins);
	tcase_add_test(tc, test_one_line_bounded);
	tcase_add_test(tc, test_fatal_outranks);
	tcase_add_test(tc, test_fatal_in_place);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
