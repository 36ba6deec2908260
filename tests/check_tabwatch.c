/*
 * check_tabwatch: tab renames and removals told by sheetId, identities
 * carried across a rename, instance ids (syncd/tabwatch.c).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/tabwatch.h"

START_TEST(test_diff)
{
	struct sheets_tab now_tabs[3] = {
		{ "อ.บางคล้า", 11, 0 },		/* renamed from บางคล้า */
		{ "บ้านโพธิ์", 12, 1 },		/* unchanged */
		{ "ใหม่", 14, 2 },		/* added: no change */
	};
	struct sheets_tabs now = { now_tabs, 3 };
	struct tab_changes ch;
	struct state *old = state_new();
	struct err e;

	err_init(&e);
	ck_assert_ptr_nonnull(old);
	ck_assert_int_eq(tabwatch_diff(old, &now, &ch, &e), 0);
	ck_assert_uint_eq(ch.n, 0);	/* no previous list: nothing to say */
	tabwatch_fini(&ch);
	ck_assert_int_eq(state_sheets_add(old, "บางคล้า", 11, 0, &e), 0);
	state_sheet_set_households(old, 0, 31);
	ck_assert_int_eq(state_sheets_add(old, "บ้านโพธิ์", 12, 1, &e), 0);
	ck_assert_int_eq(state_sheets_add(old, "แปลงยาว", 13, 2, &e), 0);
	state_sheet_set_households(old, 2, 7);
	ck_assert_int_eq(tabwatch_diff(old, &now, &ch, &e), 0);
	ck_assert_uint_eq(ch.n, 2);
	ck_assert_int_eq(ch.c[0].kind, TAB_RENAMED);
	ck_assert_int_eq(ch.c[0].sheet_id, 11);
	ck_assert_str_eq(ch.c[0].old, "บางคล้า");
	ck_assert_str_eq(ch.c[0].now, "อ.บางคล้า");
	ck_assert_int_eq(ch.c[1].kind, TAB_REMOVED);
	ck_assert_str_eq(ch.c[1].old, "แปลงยาว");
	ck_assert_ptr_null(ch.c[1].now);
	ck_assert_int_eq(ch.c[1].households, 7);
	ck_assert_str_eq(tabwatch_renamed_from(&ch, "อ.บางคล้า"), "บางคล้า");
	ck_assert_ptr_null(tabwatch_renamed_from(&ch, "บ้านโพธิ์"));
	ck_assert(tabwatch_removed(&ch, "แปลงยาว"));
	ck_assert(!tabwatch_removed(&ch, "บางคล้า"));
	tabwatch_fini(&ch);
	tabwatch_fini(&ch);
	state_free(old);
}
END_TEST

START_TEST(test_ids)
{
	char *s;

	ck_assert(tabwatch_id_tab("status.missing|บางคล้า|24010000001|คร. ที่พัฒนาได้",
	    "บางคล้า"));
	ck_assert(!tabwatch_id_tab("status.missing|บางคล้าใหม่|1|x", "บางคล้า"));
	ck_assert(!tabwatch_id_tab("province.below_minimum||#0|", "บางคล้า"));
	ck_assert(!tabwatch_id_tab("nobar", "x"));
	s = tabwatch_retab("status.missing|บางคล้า|24010000001|คร. ที่พัฒนาได้@7",
	    "บางคล้า", "อ.บางคล้า");
	ck_assert_str_eq(s, "status.missing|อ.บางคล้า|24010000001|คร. ที่พัฒนาได้@7");
	free(s);
	ck_assert_ptr_null(tabwatch_retab("status.missing|ก|1|x", "ข", "ค"));
	/* A title with the separator in it still works from the left. */
	s = tabwatch_retab("tab.missing|a|b|#0|", "a|b", "c");
	ck_assert_str_eq(s, "tab.missing|c|#0|");
	free(s);
}
END_TEST

START_TEST(test_instance)
{
	char a[TABWATCH_INSTANCE_LEN + 1], b[TABWATCH_INSTANCE_LEN + 1];
	struct err e;

	err_init(&e);
	ck_assert_int_eq(tabwatch_new_instance(a, &e), 0);
	ck_assert_int_eq(tabwatch_new_instance(b, &e), 0);
	ck_assert_uint_eq(strlen(a), TABWATCH_INSTANCE_LEN);
	ck_assert_uint_eq(strspn(a, "0123456789abcdef"), TABWATCH_INSTANCE_LEN);
	ck_assert_str_ne(a, b);
}
END_TEST

static Suite *
tabwatch_suite(void)
{
	Suite *s = suite_create("tabwatch");
	TCase *tc = tcase_create("tabwatch");

	tcase_add_test(tc, test_diff);
	tcase_add_test(tc, test_ids);
	tcase_add_test(tc, test_instance);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tabwatch_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
