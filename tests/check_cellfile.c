/*
 * check_cellfile: the last mapped values on disk (syncd/cellfile.c).
 *
 * What the daemon relies on: a first cycle has no previous rows and every
 * non-empty value is new; an unchanged row reports nothing; a changed value
 * reports its column with the old and the new text; a row that is gone
 * reports each of its non-empty values; a column added to or dropped from
 * the configuration is compared by name; values with quotes, controls and
 * Thai survive the round trip; a corrupt file or row is forgotten and
 * reported (a cache must not fail the cycle), a missing one reported as
 * "missing"; nothing uncommitted replaces the previous file.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syncd/cellfile.h"

static char dir[] = "/tmp/check_cellfile.XXXXXX";
static char log_[8192];

static void
on_change(const char *column, const char *old, const char *now, void *ctx)
{
	size_t n = strlen(log_);

	snprintf(log_ + n, sizeof(log_) - n, "%s%s:%s>%s", n ? "|" : "",
	    (const char *)ctx, column, old);
	n = strlen(log_);
	snprintf(log_ + n, sizeof(log_) - n, ">%s", now);
}

static void
on_gone(const char *tab, const char *id, const char *column, const char *old, void *ctx)
{
	size_t n = strlen(log_);

	(void)ctx;
	snprintf(log_ + n, sizeof(log_) - n, "%sgone %s/%s:%s=%s", n ? "|" : "", tab, id,
	    column, old);
}

static struct cellfile *
begin(const char *const *cols, size_t n)
{
	struct cellfile *cf;
	struct err e;

	err_init(&e);
	cf = cellfile_begin(dir, cols, n, &e);
	ck_assert_msg(cf != NULL, "%s", e.msg);
	log_[0] = '\0';
	return cf;
}

static void
row(struct cellfile *cf, const char *tab, const char *id, const char *v0, const char *v1)
{
	const char *v[2] = { v0, v1 };
	char ctx[64];
	struct err e;

	snprintf(ctx, sizeof(ctx), "%s/%s", tab, id);
	err_init(&e);
	ck_assert_msg(cellfile_row(cf, tab, id, v, on_change, ctx, &e) == 0, "%s", e.msg);
	ck_assert(cellfile_has(cf, tab, id));
}

static void
finish(struct cellfile *cf)
{
	struct err e;

	err_init(&e);
	ck_assert_msg(cellfile_gone(cf, on_gone, NULL, &e) == 0, "%s", e.msg);
	ck_assert_msg(cellfile_commit(cf, &e) == 0, "%s", e.msg);
	cellfile_free(cf);
}

static void
setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, CELLFILE_NAME);
	unlink(p);
	snprintf(p, sizeof(p), "%s/%s.tmp", dir, CELLFILE_NAME);
	unlink(p);
	rmdir(dir);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
}

START_TEST(test_cycles)
{
	static const char *const cols[] = { "รหัสบ้าน", "คร. ที่พัฒนาได้" };
	static const char odd[] = "a\"b\\c\n\x01 ทดสอบ";
	struct cellfile *cf;

	/* First cycle: nothing before, every non-empty value is new. */
	cf = begin(cols, 2);
	ck_assert_uint_eq(cellfile_previous_rows(cf), 0);
	ck_assert(!cellfile_has(cf, "บางคล้า", "1001"));
	row(cf, "บางคล้า", "1001", "1001", "1");
	row(cf, "บางคล้า", "#7", "", odd);
	row(cf, "บ้านโพธิ์", "1001", "1001", "");
	ck_assert_str_eq(log_, "บางคล้า/1001:รหัสบ้าน>>1001|บางคล้า/1001:คร. ที่พัฒนาได้>>1|"
	    "บางคล้า/#7:คร. ที่พัฒนาได้>>a\"b\\c\n\x01 ทดสอบ|บ้านโพธิ์/1001:รหัสบ้าน>>1001");
	finish(cf);

	/* Unchanged (in another order): nothing to report. */
	cf = begin(cols, 2);
	ck_assert_uint_eq(cellfile_previous_rows(cf), 3);
	row(cf, "บ้านโพธิ์", "1001", "1001", "");
	row(cf, "บางคล้า", "#7", "", odd);
	row(cf, "บางคล้า", "1001", "1001", "1");
	finish(cf);
	ck_assert_str_eq(log_, "");

	/* One value changed, one row gone, one new. */
	cf = begin(cols, 2);
	row(cf, "บางคล้า", "1001", "1001", "");
	row(cf, "บางคล้า", "#7", "", odd);
	row(cf, "บางคล้า", "1002", "1002", "1");
	finish(cf);
	ck_assert_str_eq(log_, "บางคล้า/1001:คร. ที่พัฒนาได้>1>|"
	    "บางคล้า/1002:รหัสบ้าน>>1002|บางคล้า/1002:คร. ที่พัฒนาได้>>1|"
	    "gone บ้านโพธิ์/1001:รหัสบ้าน=1001");
}
END_TEST

/* A renamed tab (same sheetId): its rows are found under the old title. */
START_TEST(test_rename)
{
	static const char *const cols[] = { "รหัสบ้าน", "คร. ที่พัฒนาได้" };
	struct cellfile *cf;
	struct err e;

	cf = begin(cols, 2);
	row(cf, "บางคล้า", "1001", "1001", "1");
	row(cf, "บางคล้า", "#7", "", "x");
	row(cf, "บ้านโพธิ์", "2001", "2001", "");
	finish(cf);

	cf = begin(cols, 2);
	err_init(&e);
	ck_assert_int_eq(cellfile_rename(cf, "บางคล้า", "อ.บางคล้า", &e), 0);
	row(cf, "อ.บางคล้า", "1001", "1001", "1");
	row(cf, "อ.บางคล้า", "#7", "", "y");
	row(cf, "บ้านโพธิ์", "2001", "2001", "");
	finish(cf);
	/* Only the one real edit: no row of the old title is gone. */
	ck_assert_str_eq(log_, "อ.บางคล้า/#7:คร. ที่พัฒนาได้>x>y");

	/* The next cycle knows the new title itself. */
	cf = begin(cols, 2);
	row(cf, "อ.บางคล้า", "1001", "1001", "1");
	row(cf, "อ.บางคล้า", "#7", "", "y");
	row(cf, "บ้านโพธิ์", "2001", "2001", "");
	finish(cf);
	ck_assert_str_eq(log_, "");
}
END_TEST

/* A configuration that maps other columns: compared by heading. */
START_TEST(test_columns_change)
{
	static const char *const a[] = { "k", "x" }, *const b[] = { "x", "y" };
	struct cellfile *cf;

	cf = begin(a, 2);
	row(cf, "T", "1", "1", "old-x");
	finish(cf);
	cf = begin(b, 2);
	row(cf, "T", "1", "old-x", "new-y");
	finish(cf);
	ck_assert_str_eq(log_, "T/1:y>>new-y");
}
END_TEST

/* An uncommitted cycle leaves the previous file as it was. */
START_TEST(test_uncommitted)
{
	static const char *const cols[] = { "k", "v" };
	struct cellfile *cf;
	char p[256];

	cf = begin(cols, 2);
	row(cf, "T", "1", "1", "a");
	finish(cf);
	cf = begin(cols, 2);
	row(cf, "T", "1", "1", "b");
	cellfile_free(cf);
	snprintf(p, sizeof(p), "%s/%s.tmp", dir, CELLFILE_NAME);
	ck_assert_int_eq(access(p, F_OK), -1);
	cf = begin(cols, 2);
	row(cf, "T", "1", "1", "c");
	finish(cf);
	ck_assert_str_eq(log_, "T/1:v>a>c");
}
END_TEST

/*
 * A cells.dat written before the hashes moved to rules/hash.h (its two
 * hashes computed by that code, under the file's seed) is still read: the
 * row is found by its key hash, and as its values hash matches the row's
 * values it is not even read back, so the text stored here ("X", which
 * differs) is never compared.  Had either hash changed, the row would be
 * new (a change from "") or read back (a change from "X").
 */
START_TEST(test_hashes_kept)
{
	static const char *const cols[] = { "v0", "v1" };
	struct cellfile *cf;
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, CELLFILE_NAME);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"format\":1,\"seed\":\"0123456789abcdef\",\"columns\":[\"v0\",\"v1\"]}\n"
	    "23f187540ec600e6 5fcb82527ff867dd [\"บางคล้า\",\"24010000001\",\"1\",\"X\"]\n", f);
	ck_assert_int_eq(fclose(f), 0);
	cf = begin(cols, 2);
	ck_assert_uint_eq(cellfile_previous_rows(cf), 1);
	ck_assert_ptr_null(cellfile_previous_lost(cf));
	row(cf, "บางคล้า", "24010000001", "1", "๑๒");
	finish(cf);
	ck_assert_str_eq(log_, "");
}
END_TEST

/* Corrupt files: no previous rows, the damage named, and a fresh file. */
START_TEST(test_corrupt)
{
	static const char *const cases[] = {
		"",
		"not json\n",
		"{\"format\":2,\"seed\":\"0000000000000001\",\"columns\":[]}\n",
		"{\"format\":1,\"seed\":\"0000000000000001\",\"columns\":[\"v\"]}\n"
		    "zz row\n",
		"{\"format\":1,\"seed\":\"0000000000000001\",\"columns\":[\"v\"]}\n"
		    "0000000000000001 0000000000000002 [\"T\",\"1\",\"a\"]",
		"{\"format\":1,\"seed\":\"0000000000000001\",\"columns\":[\"v\"]}\n"
		    "0000000000000001 0000000000000002 [\"T\",\"1\",\"a\"]\n"
		    "0000000000000001 0000000000000003 [\"T\",\"2\",\"b\"]\n",
	};
	static const char *const cols[] = { "v" };
	struct cellfile *cf;
	char p[256];
	size_t i;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, CELLFILE_NAME);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f = fopen(p, "w");
		ck_assert_ptr_nonnull(f);
		fputs(cases[i], f);
		fclose(f);
		cf = begin(cols, 1);
		ck_assert_uint_eq(cellfile_previous_rows(cf), 0);
		ck_assert_int_eq(cellfile_previous_damaged(cf), 1);
		ck_assert_msg(cellfile_previous_lost(cf) != NULL &&
		    strstr(cellfile_previous_lost(cf), CELLFILE_NAME) != NULL, "case %zu", i);
		/* A baseline: nothing is compared with the damaged rows. */
		row(cf, "T", "1", "a", "");
		finish(cf);
		cf = begin(cols, 1);
		ck_assert_ptr_null(cellfile_previous_lost(cf));
		ck_assert_uint_eq(cellfile_previous_rows(cf), 1);
		cellfile_free(cf);
	}
	unlink(p);
	cf = begin(cols, 1);
	ck_assert_str_eq(cellfile_previous_lost(cf), "missing");
	ck_assert_int_eq(cellfile_previous_damaged(cf), 0);
	cellfile_free(cf);
}
END_TEST

/* A row whose stored JSON is damaged is found when it is read back: no
 * change is reported for it, and the damage is named. */
START_TEST(test_bad_row)
{
	static const char *const cols[] = { "v" };
	const char *v[1] = { "b" };
	struct cellfile *cf;
	char p[256];
	struct err e;
	FILE *f;

	cf = begin(cols, 1);
	v[0] = "a";
	ck_assert_int_eq(cellfile_row(cf, "T", "1", v, on_change, (void *)"x", &e), 0);
	finish(cf);
	/* Keep the hashes, break the array. */
	snprintf(p, sizeof(p), "%s/%s", dir, CELLFILE_NAME);
	f = fopen(p, "r+");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, -2, SEEK_END), 0);
	fputs("}\n", f);
	fclose(f);
	cf = begin(cols, 1);
	v[0] = "b";
	err_init(&e);
	log_[0] = '\0';
	ck_assert_int_eq(cellfile_row(cf, "T", "1", v, on_change, (void *)"x", &e), 0);
	ck_assert_str_eq(log_, "");
	ck_assert_int_eq(cellfile_previous_damaged(cf), 1);
	ck_assert_ptr_nonnull(strstr(cellfile_previous_lost(cf), "byte"));
	cellfile_free(cf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cellfile");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_cycles);
	tcase_add_test(tc, test_rename);
	tcase_add_test(tc, test_columns_change);
	tcase_add_test(tc, test_uncommitted);
	tcase_add_test(tc, test_hashes_kept);
	tcase_add_test(tc, test_corrupt);
	tcase_add_test(tc, test_bad_row);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
