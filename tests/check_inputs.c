/*
 * check_inputs: files named by the operator that are not what they should
 * be.  A FIFO, a character device or a directory given as the key file or
 * the configuration is refused at once with a message naming it, never
 * waited on (a FIFO's open would block the daemon's start for ever) and
 * never read without end (/dev/zero).  A key readable by others names its
 * mode, a missing one says so; no message holds key material.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/key.h"
#include "syncd/config.h"

static char dir[256];

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/check_inputs.XXXXXX", tmp != NULL ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char p[300];

	snprintf(p, sizeof(p), "%s/fifo", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/sub", dir);
	rmdir(p);
	rmdir(dir);
}

/* What a path names: made by the case. */
enum kind { FIFO, DEVZERO, DIRECTORY, MISSING };

static void
make(enum kind k, char *path, size_t size)
{
	switch (k) {
	case FIFO:
		snprintf(path, size, "%s/fifo", dir);
		ck_assert_int_eq(mkfifo(path, 0600), 0);
		break;
	case DEVZERO:
		snprintf(path, size, "/dev/zero");
		break;
	case DIRECTORY:
		snprintf(path, size, "%s/sub", dir);
		ck_assert_int_eq(mkdir(path, 0700), 0);
		break;
	case MISSING:
		snprintf(path, size, "%s/none.json", dir);
		break;
	}
}

START_TEST(test_key_not_a_file)
{
	static const enum kind kinds[] = { FIFO, DEVZERO, DIRECTORY, MISSING };
	char path[300];
	struct err e;

	make(kinds[_i], path, sizeof(path));
	alarm(5);	/* a blocked open fails the test instead of hanging it */
	err_init(&e);
	ck_assert_ptr_null(auth_key_load(path, &e));
	alarm(0);
	ck_assert_msg(strstr(e.msg, path) != NULL, "%s", e.msg);
	if (kinds[_i] == MISSING) {
		ck_assert_int_eq(e.code, ERR_NOINPUT);
		ck_assert_msg(strstr(e.msg, "No such file") != NULL, "%s", e.msg);
	} else {
		ck_assert_int_eq(e.code, ERR_CONFIG);
		ck_assert_msg(strstr(e.msg, "not a regular file") != NULL, "%s", e.msg);
	}
}
END_TEST

START_TEST(test_config_not_a_file)
{
	static const enum kind kinds[] = { FIFO, DEVZERO, DIRECTORY, MISSING };
	char path[300];
	struct err e;

	make(kinds[_i], path, sizeof(path));
	alarm(5);
	err_init(&e);
	ck_assert_ptr_null(config_load(path, 0, &e));
	alarm(0);
	ck_assert_int_eq(e.code, ERR_CONFIG);
	ck_assert_msg(strncmp(e.msg, path, strlen(path)) == 0, "%s", e.msg);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("inputs");
	TCase *tc = tcase_create("files");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_loop_test(tc, test_key_not_a_file, 0, 4);
	tcase_add_loop_test(tc, test_config_not_a_file, 0, 4);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
