/*
 * check_xlsx: sheet names (syncd/xlsx.c) for any tab title, and an export
 * that cannot create its file failing with the path named and nothing left.
 * The file's contents are checked end to end by tests/t_export.sh.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/rules.h"
#include "syncd/xlsx.h"

START_TEST(test_sheet_name)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "บางคล้า", "บางคล้า" },
		{ "a/b:c*d?e[f]g\\h", "a_b_c_d_e_f_g_h" },
		{ "'quoted'", "_quoted_" },
		{ "", "sheet" },
		/* 31 characters kept, whatever their bytes. */
		{ "0123456789012345678901234567890123", "0123456789012345678901234567890" },
		{ "กกกกกกกกกกขขขขขขขขขขคคคคคคคคคคงงงง", "กกกกกกกกกกขขขขขขขขขขคคคคคคคคคคง" },
	};
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(xlsx_sheet_name(cases[i].in, buf, sizeof(buf)), 0);
		ck_assert_str_eq(buf, cases[i].out);
	}
	ck_assert_int_eq(xlsx_sheet_name("บางคล้า", buf, 4), -1);
}
END_TEST

START_TEST(test_cannot_create)
{
	struct rules_config cfg;
	struct rules_report r;
	struct workbook wb;
	struct xlsx_input in;
	struct err e;

	rules_config_default(&cfg);
	memset(&wb, 0, sizeof(wb));
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(rules_evaluate(&wb, &cfg, 19754, &r), 0);
	memset(&in, 0, sizeof(in));
	in.wb = &wb;
	in.report = &r;
	in.cfg = &cfg;
	in.taken = "2024-02-01";
	err_init(&e);
	ck_assert_int_eq(xlsx_export("/nonexistent-dir/x.xlsx", &in, &e), -1);
	ck_assert_int_eq(e.code, ERR_IO);
	ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent-dir/x.xlsx"));
	/* An empty workbook still makes a valid file. */
	{
		char path[] = "/tmp/check_xlsx.XXXXXX";
		int fd = mkstemp(path);

		ck_assert_int_ge(fd, 0);
		close(fd);
		err_init(&e);
		ck_assert_int_eq(xlsx_export(path, &in, &e), 0);
		ck_assert_int_eq(access(path, R_OK), 0);
		unlink(path);
	}
	rules_report_fini(&r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("xlsx");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_sheet_name);
	tcase_add_test(tc, test_cannot_create);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
