/*
 * check_rollup_tabs: the national tabs built from the provinces' summary
 * tabs.  A province's header row is outside input: however many columns it
 * has (the national tabs keep the first 64), and wherever its "พัฒนาได้" and
 * "ได้รับการพัฒนา" columns stand, the national total is computed from the
 * columns kept and never reads past them.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "syncd/rollup_tabs.h"

#define NCOL	70	/* columns of the provinces' summary tab */

/*
 * summary(pct, dev, done, total_pct): the values:batchGet answer of a
 * summary tab of NCOL columns: "อำเภอ", then "ร้อยละ" at pct, "พัฒนาได้" at
 * dev, "ได้รับการพัฒนา" at done, other counts elsewhere; one district and
 * the total row, whose "ร้อยละ" is total_pct and every other count 10.
 */
static char *
summary(int pct, int dev, int done, double total_pct)
{
	json_t *hdr = json_array(), *d = json_array(), *t = json_array(), *doc;
	char name[16];
	char *s;
	int k;

	json_array_append_new(hdr, json_string("อำเภอ"));
	json_array_append_new(d, json_string("เมือง"));
	json_array_append_new(t, json_string("รวม"));
	for (k = 1; k < NCOL; k++) {
		snprintf(name, sizeof(name), "c%d", k);
		json_array_append_new(hdr, json_string(k == pct ? "ร้อยละ" : k == dev ?
		    "พัฒนาได้" : k == done ? "ได้รับการพัฒนา" : name));
		json_array_append_new(d, json_integer(10));
		json_array_append_new(t, k == pct ? json_real(total_pct) : json_integer(10));
	}
	doc = json_pack("{s:[{s:[o, o, o]}]}", "valueRanges", "values", hdr, d, t);
	ck_assert_ptr_nonnull(doc);
	s = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* national_pct(pct, dev, done): the national total's "ร้อยละ" of two
 * provinces (12.5 and 30.25 in their own total rows). */
static double
national_pct(int pct, int dev, int done)
{
	static struct config cfg;	/* large: not on the stack */
	static const double own[2] = { 12.5, 30.25 };
	json_t *sources = json_object(), *sum, *entry, *nat, *total;
	char why[256], *body;
	double v;
	int i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.nrollup = 2;
	cfg.rollup[0] = (struct config_source){ "id-a", "ก", "สรุปข้อมูล" };
	cfg.rollup[1] = (struct config_source){ "id-b", "ข", "สรุปข้อมูล" };
	for (i = 0; i < 2; i++) {
		body = summary(pct, dev, done, own[i]);
		ck_assert_int_eq(rollup_tabs_parse_summary(body, strlen(body), &sum, why,
		    sizeof(why)), 0);
		free(body);
		entry = json_deep_copy(sum);
		json_decref(sum);
		json_object_set_new(entry, "status", json_string("ok"));
		json_object_set_new(sources, cfg.rollup[i].spreadsheet_id, entry);
	}
	nat = rollup_tabs_national(&cfg, sources, "head");
	ck_assert_ptr_nonnull(nat);
	/* summary: the title, one row a province, then the total. */
	total = json_array_get(json_object_get(nat, "summary"), 3);
	ck_assert_str_eq(json_string_value(json_array_get(total, 0)), "รวมทั้งประเทศ");
	v = json_number_value(json_array_get(total, pct));
	json_decref(nat);
	json_decref(sources);
	return v;
}

START_TEST(test_percent_from_counts)
{
	/* All three kept: the percent of the sums (10 + 10 of 10 + 10). */
	ck_assert_double_eq(national_pct(3, 5, 7), 100.0);
}
END_TEST

START_TEST(test_counts_past_the_kept_columns)
{
	/* "พัฒนาได้" and "ได้รับการพัฒนา" past the 64 kept: no percent of
	 * them, the provinces' own percents summed like any column. */
	ck_assert_double_eq(national_pct(3, 66, 67), 42.75);
	ck_assert_double_eq(national_pct(3, 5, 67), 42.75);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rollup_tabs");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_percent_from_counts);
	tcase_add_test(tc, test_counts_past_the_kept_columns);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
