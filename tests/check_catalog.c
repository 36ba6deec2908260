/*
 * check_catalog: the rule catalogue (rules/catalog) is the one table people
 * read: every rule id of DOMAIN.md is in it, with a Thai name, a meaning and
 * what to do; the discrepancy tab shows the same name.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "rules/catalog.h"
#include "syncd/writer.h"

/* DOMAIN.md's table of rule ids, in its order. */
static const char *const domain_ids[] = {
	"status.missing", "status.multiple", "status.invalid_mark",
	"activity.missing", "activity.incomplete", "activity.not_developable",
	"activity.date_invalid", "activity.date_out_of_window",
	"household.key_missing", "household.duplicate", "tab.missing",
	"tab.not_district", "tab.header_missing", "district.no_developable",
	"province.below_minimum",
};

START_TEST(test_every_domain_id)
{
	size_t i, k;

	ck_assert_uint_eq(catalog_count(), sizeof(domain_ids) / sizeof(domain_ids[0]));
	for (i = 0; i < sizeof(domain_ids) / sizeof(domain_ids[0]); i++) {
		const struct catalog_rule *r = catalog_find(domain_ids[i]);

		ck_assert_msg(r != NULL, "%s not in the catalogue", domain_ids[i]);
		ck_assert_ptr_eq(catalog_at(i), r);
		ck_assert(strlen(r->name) > 0 && strlen(r->meaning) > 0 && strlen(r->fix) > 0);
		ck_assert_ptr_null(strchr(r->name, '\n'));
		ck_assert_ptr_null(strchr(r->fix, '\n'));
		for (k = 0; k < i; k++)
			ck_assert_str_ne(catalog_at(k)->name, r->name);
	}
	ck_assert_ptr_null(catalog_find("no.such_rule"));
	ck_assert_ptr_null(catalog_find(NULL));
	ck_assert_ptr_null(catalog_at(catalog_count()));
	ck_assert_str_eq(catalog_severity_word(RULES_ERROR), "ต้องแก้ไข");
	ck_assert_str_eq(catalog_severity_word(RULES_WARNING), "ข้อสังเกต");
}
END_TEST

/* The discrepancy tab shows each rule's catalogue name and fix beside its id. */
START_TEST(test_engine_ids_named_in_the_tab)
{
	size_t i;

	for (i = 0; i < catalog_count(); i++) {
		const struct catalog_rule *cr = catalog_at(i);
		struct rules_finding f = { 0 };
		struct rules_report rep = { 0 };
		struct writer_grid g;
		struct err e;

		f.rule = cr->id;
		f.severity = cr->severity;
		f.message = (char *)"m";
		rep.findings = &f;
		rep.nfindings = 1;
		err_init(&e);
		ck_assert_int_eq(writer_discrepancies(&rep, NULL, NULL, &g, &e), 0);
		ck_assert_str_eq(g.cells[g.ncols + 4].text, cr->id);
		ck_assert_str_eq(g.cells[g.ncols + 5].text, cr->name);
		ck_assert_str_eq(g.cells[g.ncols + 8].text, cr->fix);
		writer_grid_fini(&g);
	}
}
END_TEST

/* Every id the engine can emit has its entry (the engine's own list, so a
 * rule added to rules/rules.c without a catalogue entry fails here), and the
 * catalogue names no rule the engine cannot emit. */
START_TEST(test_engine_emits_only_catalogued_ids)
{
	size_t i;

	ck_assert_uint_gt(rules_id_count(), 0);
	ck_assert_ptr_null(rules_id_at(rules_id_count()));
	for (i = 0; i < rules_id_count(); i++)
		ck_assert_msg(catalog_find(rules_id_at(i)) != NULL,
		    "engine rule %s has no catalogue entry", rules_id_at(i));
	for (i = 0; i < catalog_count(); i++) {
		size_t k;
		int found = 0;

		for (k = 0; k < rules_id_count(); k++)
			found |= strcmp(rules_id_at(k), catalog_at(i)->id) == 0;
		ck_assert_msg(found, "catalogue rule %s is not emitted by the engine",
		    catalog_at(i)->id);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_every_domain_id);
	tcase_add_test(tc, test_engine_ids_named_in_the_tab);
	tcase_add_test(tc, test_engine_emits_only_catalogued_ids);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
