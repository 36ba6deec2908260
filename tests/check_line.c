/*
 * check_line: the LINE answers syncd reads (syncd/line.c), the retry key it
 * makes, and the daily report's state file (syncd/linereport.c): what a
 * restart relies on to retry the same push with the same key and text.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syncd/line.h"
#include "syncd/linereport.h"

START_TEST(test_parse)
{
	static const char err1[] = "{\"message\":\"The request body has 1 error(s)\","
	    "\"details\":[{\"message\":\"Length must be between 0 and 5000\","
	    "\"property\":\"messages[0].text\"}]}";
	char msg[LINE_MAX_MESSAGE];
	long long v;

	line_parse_error(err1, strlen(err1), msg, sizeof(msg));
	ck_assert_str_eq(msg, "The request body has 1 error(s) (messages[0].text: Length must "
	    "be between 0 and 5000)");
	line_parse_error("{\"message\":\"Authentication failed.\"}", 36, msg, sizeof(msg));
	ck_assert_str_eq(msg, "Authentication failed.");
	line_parse_error("<html>", 6, msg, sizeof(msg));
	ck_assert_str_eq(msg, "");
	line_parse_error(err1, strlen(err1), msg, 8);	/* cut, still a string */
	ck_assert_str_eq(msg, "The req");

	ck_assert_int_eq(line_parse_number("{\"type\":\"limited\",\"value\":1000}", 31, "type",
	    &v), 0);
	ck_assert_int_eq(v, 1000);
	ck_assert_int_eq(line_parse_number("{\"type\":\"none\"}", 15, "type", &v), 0);
	ck_assert_int_eq(v, -1);
	ck_assert_int_eq(line_parse_number("{\"type\":\"limited\"}", 18, "type", &v), -1);
	ck_assert_int_eq(line_parse_number("{\"totalUsage\":500}", 18, "totalUsage", &v), 0);
	ck_assert_int_eq(v, 500);
	ck_assert_int_eq(line_parse_number("{\"count\":-3}", 12, "count", &v), -1);
	ck_assert_int_eq(line_parse_number("{\"count\":\"3\"}", 13, "count", &v), -1);
	ck_assert_int_eq(line_parse_number("", 0, "count", &v), -1);
}
END_TEST

START_TEST(test_retry_key)
{
	char a[LINE_RETRY_KEY_LEN + 1], b[LINE_RETRY_KEY_LEN + 1];
	size_t i;

	line_retry_key(a);
	line_retry_key(b);
	ck_assert_uint_eq(strlen(a), 36);
	ck_assert_str_ne(a, b);
	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23)
			ck_assert_int_eq(a[i], '-');
		else
			ck_assert_msg(strchr("0123456789abcdef", a[i]) != NULL, "%s", a);
	ck_assert_int_eq(a[14], '4');				/* version 4 */
	ck_assert_ptr_nonnull(strchr("89ab", a[19]));		/* RFC 4122 variant */
}
END_TEST

START_TEST(test_state)
{
	char dir[] = "/tmp/check_line.XXXXXX", path[64];
	struct linereport_state st, back;
	struct err e;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	err_init(&e);
	/* No file: an empty state, never a report "already sent". */
	ck_assert_int_eq(linereport_state_load(dir, &back, &e), 0);
	ck_assert_int_eq(back.day, -1);
	ck_assert_int_eq(back.status, LINEREPORT_NONE);
	linereport_state_fini(&back);

	memset(&st, 0, sizeof(st));
	st.day = 19768;	/* 2024-02-15 */
	st.status = LINEREPORT_STARTED;
	line_retry_key(st.retry_key);
	st.text = strdup("รายงาน 15 ก.พ. 2567\n\"quoted\"");
	st.started = 1707960600;
	st.developed = 197;
	st.has_sent = 1;
	st.sent_developed = 190;
	ck_assert_int_eq(linereport_state_save(dir, &st, &e), 0);
	ck_assert_int_eq(linereport_state_load(dir, &back, &e), 0);
	ck_assert_int_eq(back.day, st.day);
	ck_assert_int_eq(back.status, LINEREPORT_STARTED);
	ck_assert_str_eq(back.retry_key, st.retry_key);
	ck_assert_str_eq(back.text, st.text);
	ck_assert_int_eq(back.started, st.started);
	ck_assert_int_eq(back.developed, 197);
	ck_assert_int_eq(back.has_sent, 1);
	ck_assert_int_eq(back.sent_developed, 190);
	linereport_state_fini(&back);
	linereport_state_fini(&st);

	/* A started report without its key is refused, not retried with a new one. */
	snprintf(path, sizeof(path), "%s/%s", dir, LINEREPORT_FILE);
	{
		FILE *f = fopen(path, "w");

		ck_assert_ptr_nonnull(f);
		fputs("{\"day\": \"2024-02-15\", \"status\": \"started\", \"text\": \"x\"}", f);
		fclose(f);
	}
	ck_assert_int_eq(linereport_state_load(dir, &back, &e), -1);
	ck_assert_int_eq(e.code, ERR_DATA);
	ck_assert_ptr_null(back.text);
	unlink(path);
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("line");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_retry_key);
	tcase_add_test(tc, test_state);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
