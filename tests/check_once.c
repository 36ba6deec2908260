/*
 * check_once: the at-most-once ledger (syncd/once.c): an absent file is an
 * empty ledger, what is set is what is read back (by a later process too:
 * the file is all there is), old entries go past ONCE_MAX_ENTRIES, and a
 * file that is not a ledger is an error, never silently an empty one.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syncd/once.h"

START_TEST(test_roundtrip)
{
	char dir[] = "/tmp/check_once.XXXXXX", path[128], key[32];
	struct once_entry in, out;
	struct err e;
	FILE *f;
	int i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/once.json", dir);
	err_init(&e);
	ck_assert_int_eq(once_get(path, "mail 2024-02", &out, &e), 0);
	ck_assert_int_eq(out.status, ONCE_NONE);
	ck_assert_int_eq(out.tries, 0);
	in.status = ONCE_TRYING;
	in.tries = 1;
	ck_assert_int_eq(once_set(path, "mail 2024-02", &in, &e), 0);
	ck_assert_int_eq(once_get(path, "mail 2024-02", &out, &e), 0);
	ck_assert_int_eq(out.status, ONCE_TRYING);
	ck_assert_int_eq(out.tries, 1);
	in.status = ONCE_DONE;
	ck_assert_int_eq(once_set(path, "snapshot 2024-02-10", &in, &e), 0);
	ck_assert_int_eq(once_get(path, "mail 2024-02", &out, &e), 0);
	ck_assert_int_eq(out.status, ONCE_TRYING);
	ck_assert_int_eq(once_get(path, "snapshot 2024-02-10", &out, &e), 0);
	ck_assert_int_eq(out.status, ONCE_DONE);
	/* Past the limit the oldest entries go, the newest stay. */
	for (i = 0; i < ONCE_MAX_ENTRIES + 5; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		ck_assert_int_eq(once_set(path, key, &in, &e), 0);
	}
	ck_assert_int_eq(once_get(path, "mail 2024-02", &out, &e), 0);
	ck_assert_int_eq(out.status, ONCE_NONE);
	snprintf(key, sizeof(key), "k%d", ONCE_MAX_ENTRIES + 4);
	ck_assert_int_eq(once_get(path, key, &out, &e), 0);
	ck_assert_int_eq(out.status, ONCE_DONE);
	/* Not a ledger: an error naming the file. */
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("[1, 2", f);
	fclose(f);
	ck_assert_int_eq(once_get(path, "x", &out, &e), -1);
	ck_assert_int_eq(e.code, ERR_DATA);
	ck_assert_ptr_nonnull(strstr(e.msg, path));
	err_init(&e);
	ck_assert_int_eq(once_set(path, "x", &in, &e), -1);
	unlink(path);
	rmdir(dir);
	ck_assert_str_eq(once_status_name(ONCE_FAILED), "failed");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("once");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_roundtrip);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
