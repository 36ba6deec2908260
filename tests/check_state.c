/*
 * check_state: the daemon's persistent state (syncd/state.h): a missing file
 * is a fresh start, every field survives a save and load (Thai text, quotes,
 * control characters), a corrupt file is a clear error, and a save that fails
 * part-way never replaces the good file nor leaves a temporary one behind.
 */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "syncd/state.h"
#include "tests/harness.h"

static char dir[64];
static char path[128];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_state.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state.json", dir);
}

static void
teardown(void)
{
	harness_rmtree(dir);
}

static void
spit(const char *text)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static int
count_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

START_TEST(test_missing_is_fresh)
{
	struct err e;
	struct state *s;

	err_init(&e);
	s = state_load(dir, &e);
	ck_assert_msg(s != NULL, "%s", e.msg);
	ck_assert_ptr_null(state_version(s));
	ck_assert_ptr_null(state_rendered_hash(s));
	ck_assert_uint_eq(state_cycle(s), 0);
	ck_assert_uint_eq(state_first_seen_count(s), 0);
	ck_assert_uint_eq(state_sheets_count(s), 0);
	state_free(s);
	state_free(NULL);
}
END_TEST

static const char *const odd[] = {
	"บางคล้า", "คร. ที่พัฒนาได้", "quote\"back\\slash", "nl\nnl\ttab\x01",
	"", "=1+2", "x\x7f",
};
#define NODD (sizeof(odd) / sizeof(odd[0]))

static int
keep_even(const char *id, time_t t, void *ctx)
{
	(void)id;
	(void)ctx;
	return t % 2 == 0;
}

START_TEST(test_roundtrip)
{
	struct err e;
	struct state *s, *t;
	char id[64], odd_id[256];
	time_t when;
	size_t i, j;

	err_init(&e);
	s = state_new();
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(state_set_version(s, "12345", &e), 0);
	ck_assert_int_eq(state_set_rendered_hash(s, "abc", &e), 0);
	ck_assert_int_eq(state_set_basis(s, "0.1.0|cfg|2024-02-01", &e), 0);
	state_set_cycle(s, 1ULL << 40);
	for (i = 0; i < 200; i++) {
		snprintf(id, sizeof(id), "status.multiple|บางคล้า|%zu", i);
		ck_assert_int_eq(state_first_seen_set(s, id, (time_t)(1700000000 + i), &e), 0);
	}
	/* Ids and titles of every odd kind survive the escaper. */
	for (i = 0; i < NODD; i++)
		for (j = 0; j < NODD; j++) {
			snprintf(odd_id, sizeof(odd_id), "%s|%s", odd[i], odd[j]);
			ck_assert_msg(state_first_seen_set(s, odd_id,
			    (time_t)(i * NODD + j), &e) == 0, "%s", e.msg);
		}
	for (i = 0; i < NODD; i++)
		ck_assert_int_eq(state_sheets_add(s, odd[i], (int64_t)i, (long)i, &e), 0);
	ck_assert_msg(state_save(s, dir, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(count_files(), 1);

	t = state_load(dir, &e);
	ck_assert_msg(t != NULL, "%s", e.msg);
	ck_assert_str_eq(state_version(t), "12345");
	ck_assert_str_eq(state_rendered_hash(t), "abc");
	ck_assert_str_eq(state_basis(t), "0.1.0|cfg|2024-02-01");
	ck_assert_uint_eq(state_cycle(t), 1ULL << 40);
	ck_assert_uint_eq(state_first_seen_count(t), 200 + NODD * NODD);
	ck_assert_int_eq(state_first_seen_get(t, "status.multiple|บางคล้า|7", &when), 1);
	ck_assert_int_eq(when, 1700000007);
	ck_assert_int_eq(state_first_seen_get(t, "nope", &when), 0);
	for (i = 0; i < NODD; i++)
		for (j = 0; j < NODD; j++) {
			snprintf(odd_id, sizeof(odd_id), "%s|%s", odd[i], odd[j]);
			ck_assert_int_eq(state_first_seen_get(t, odd_id, &when), 1);
			ck_assert_int_eq(when, (time_t)(i * NODD + j));
		}
	ck_assert_uint_eq(state_sheets_count(t), NODD);
	for (i = 0; i < NODD; i++)
		ck_assert_str_eq(state_sheet(t, i)->title, odd[i]);

	/* Prune keeps exactly the matching ids, and survives another save. */
	state_first_seen_prune(t, keep_even, NULL);
	ck_assert_uint_eq(state_first_seen_count(t), 100 + (NODD * NODD + 1) / 2);
	for (i = 0; i < 200; i++) {
		snprintf(id, sizeof(id), "status.multiple|บางคล้า|%zu", i);
		ck_assert_int_eq(state_first_seen_get(t, id, &when), i % 2 == 0);
	}
	ck_assert_int_eq(state_save(t, dir, &e), 0);
	state_free(t);
	t = state_load(dir, &e);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(state_first_seen_count(t), 100 + (NODD * NODD + 1) / 2);
	state_free(t);
	state_free(s);
}
END_TEST

START_TEST(test_sheets_roundtrip)
{
	struct err e;
	struct state *s, *t;

	err_init(&e);
	s = state_new();
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(state_sheets_count(s), 0);
	ck_assert_ptr_null(state_sheet(s, 0));
	ck_assert_int_eq(state_sheets_add(s, "บ้าน 'นา' สุข", 12345, 0, &e), 0);
	ck_assert_int_eq(state_sheets_add(s, "สรุปข้อมูล", 7, 1, &e), 0);
	ck_assert_int_eq(state_sheet(s, 0)->households, -1);
	state_sheet_set_households(s, 0, 31);
	ck_assert_ptr_null(state_published_head(s));
	ck_assert_int_eq(state_set_published_head(s, "12:abc", &e), 0);
	ck_assert_int_eq(state_set_instance(s, "0123456789abcdef", &e), 0);
	ck_assert_ptr_null(state_conflict(s, NULL, NULL, NULL));
	ck_assert_int_eq(state_set_conflict(s, "fedcba9876543210", "9:x syncd f", "v7",
	    2, &e), 0);
	ck_assert_int_eq(state_save(s, dir, &e), 0);
	t = state_load(dir, &e);
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(state_sheets_count(t), 2);
	ck_assert_int_eq(state_sheet(t, 0)->households, 31);
	ck_assert_int_eq(state_sheet(t, 1)->households, -1);
	ck_assert_str_eq(state_published_head(t), "12:abc");
	ck_assert_str_eq(state_instance(t), "0123456789abcdef");
	{
		const char *ft, *ver;
		long quiet;

		ck_assert_str_eq(state_conflict(t, &ft, &ver, &quiet), "fedcba9876543210");
		ck_assert_str_eq(ft, "9:x syncd f");
		ck_assert_str_eq(ver, "v7");
		ck_assert_int_eq(quiet, 2);
		ck_assert_int_eq(state_set_conflict(t, NULL, NULL, NULL, 0, &e), 0);
		ck_assert_ptr_null(state_conflict(t, &ft, NULL, NULL));
		ck_assert_str_eq(ft, "");
	}
	ck_assert_str_eq(state_sheet(t, 0)->title, "บ้าน 'นา' สุข");
	ck_assert_int_eq(state_sheet(t, 0)->sheet_id, 12345);
	ck_assert_int_eq(state_sheet(t, 1)->index, 1);
	state_sheets_clear(t);
	ck_assert_uint_eq(state_sheets_count(t), 0);
	state_free(s);
	state_free(t);
	/* A tab without a sheetId is refused, naming the file. */
	spit("{\"format\":1,\"sheets\":[{\"title\":\"a\",\"index\":0}]}");
	err_init(&e);
	ck_assert_ptr_null(state_load(dir, &e));
	ck_assert_ptr_nonnull(strstr(e.msg, "state.json"));
}
END_TEST

START_TEST(test_corrupt_is_error)
{
	static const char *const bad[] = {
		"{\"format\":1,",
		"[]",
		"{\"format\":2}",
		"{\"format\":1,\"cycle\":\"x\"}",
		"{\"format\":1,\"cycle\":-1}",
		"{\"format\":1,\"first_seen\":{\"a\":\"b\"}}",
		"{\"format\":1,\"sheets\":[{\"title\":\"a\",\"sheetId\":\"x\",\"index\":0}]}",
		"{\"format\":1,\"objects\":[{\"kind\":\"chart\",\"name\":\"\",\"id\":1.5}]}",
		"{\"format\":1,\"noted\":[[1,2]]}",
		"{\"format\":1,\"first_seen\":{\"a\":1},\"findings\":{\"a\":[]}}",
		"{\"format\":1,\"format\":1}",
		"",
	};
	struct err e;
	struct state *s;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		spit(bad[i]);
		err_init(&e);
		s = state_load(dir, &e);
		ck_assert_msg(s == NULL, "case %zu accepted", i);
		ck_assert_int_eq(e.code, ERR_DATA);
		ck_assert_msg(strstr(e.msg, "state.json") != NULL, "%s", e.msg);
	}
	spit("{\"format\":1}");
	s = state_load(dir, &e);
	ck_assert_ptr_nonnull(s);
	state_free(s);
}
END_TEST

START_TEST(test_failed_save_keeps_good_file)
{
	struct rlimit old, lim;
	struct err e;
	struct state *s, *t;
	char key[32];
	int i;

	err_init(&e);
	s = state_new();
	ck_assert_int_eq(state_set_version(s, "good", &e), 0);
	ck_assert_int_eq(state_save(s, dir, &e), 0);
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "status.missing|t|%d", i);
		ck_assert_int_eq(state_first_seen_set(s, key, (time_t)i, &e), 0);
	}
	ck_assert_int_eq(state_set_version(s, "bad", &e), 0);
	/* A real failing write: the file-size limit (Check forks per test). */
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 4096;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	ck_assert_int_eq(state_save(s, dir, &e), -1);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	ck_assert_int_eq(e.code, ERR_IO);
	ck_assert_int_eq(count_files(), 1);	/* no temporary file left */
	t = state_load(dir, &e);
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(state_version(t), "good");
	state_free(t);
	/* A directory that does not exist is an error, not a crash. */
	err_init(&e);
	ck_assert_int_eq(state_save(s, "/nonexistent/dir", &e), -1);
	ck_assert_int_eq(e.code, ERR_IO);
	state_free(s);
}
END_TEST

static Suite *
state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_missing_is_fresh);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_corrupt_is_error);
	tcase_add_test(tc, test_sheets_roundtrip);
	tcase_add_test(tc, test_failed_save_keeps_good_file);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(state_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
