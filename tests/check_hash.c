/*
 * check_hash: the one string hash (rules/hash.h) and its seeds
 * (syncd/hashseed.h).
 *
 * What the tree relies on: FNV-1a is FNV-1a (the published test vectors);
 * the mix and the seeded hash keep the values cells.dat was written with;
 * a seed changes where keys land, so keys aimed at one bucket under one
 * seed scatter under another; seeds are drawn at random; a configuration
 * gets a seed of its own; and the rules engine's report does not depend on
 * the seed its table of household keys was given.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/hash.h"
#include "rules/rules.h"
#include "syncd/config.h"
#include "syncd/hashseed.h"
#include "syncd/sheetjson.h"

/* FNV-1a 64 test vectors (Fowler, Noll, Vo: "FNV test vectors"). */
static const struct {
	const char *in;
	uint64_t want;
} fnv[] = {
	{ "", 0xcbf29ce484222325ULL },
	{ "a", 0xaf63dc4c8601ec8cULL },
	{ "b", 0xaf63df4c8601f1a5ULL },
	{ "foobar", 0x85944171f73967e8ULL },
};

START_TEST(test_fnv1a_vectors)
{
	const char *in = fnv[_i].in;

	ck_assert_uint_eq(hash_bytes(HASH_FNV_BASIS, in, strlen(in)), fnv[_i].want);
	/* Chained calls hash the concatenation. */
	if (strlen(in) > 1)
		ck_assert_uint_eq(hash_bytes(hash_bytes(HASH_FNV_BASIS, in, 1), in + 1,
		    strlen(in) - 1), fnv[_i].want);
}
END_TEST

/*
 * Values computed by the code that wrote the cells.dat files on disk
 * (cellfile.c's own mix and FNV before this helper): they must not move.
 */
START_TEST(test_values_kept)
{
	ck_assert_uint_eq(hash_mix(0), 0);
	ck_assert_uint_eq(hash_mix(1), 0xb456bcfc34c2cb2cULL);
	ck_assert_uint_eq(hash_mix(HASH_FNV_BASIS), 0xefd01f60ba992926ULL);
	ck_assert_uint_eq(hash_seeded(0, "บางคล้า", strlen("บางคล้า")),
	    0xfb65d9e20c811609ULL);
	ck_assert_uint_eq(hash_seeded(0x0123456789abcdefULL, "24010000001", 11),
	    0xccdbef2c8f4af662ULL);
}
END_TEST

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* hash_mix is a bijection: no two of many inputs meet. */
START_TEST(test_mix_distinct)
{
	enum { N = 65536 };
	static uint64_t out[N];
	size_t i;

	for (i = 0; i < N; i++)
		out[i] = hash_mix((uint64_t)i << 20);
	qsort(out, N, sizeof(out[0]), cmp_u64);
	for (i = 1; i < N; i++)
		if (out[i] == out[i - 1])
			ck_abort_msg("two inputs of hash_mix met");
}
END_TEST

/*
 * Hash flooding: someone who knew the seed could pick household keys that
 * all land in one bucket of a 1,024-slot table.  Under another seed those
 * same keys spread over the table as any keys do.
 */
START_TEST(test_seed_scatters_aimed_keys)
{
	enum { AIMED = 64, SLOTS = 1024 };
	char keys[AIMED][16];
	unsigned char used[SLOTS];
	uint64_t aim = 0x5eed;
	size_t n = 0, distinct = 0, i;
	unsigned long k;

	for (k = 0; n < AIMED; k++) {
		char key[16];

		snprintf(key, sizeof(key), "2401%07lu", k);
		if ((hash_seeded(aim, key, strlen(key)) & (SLOTS - 1)) == 0)
			memcpy(keys[n++], key, sizeof(key));
	}
	memset(used, 0, sizeof(used));
	for (i = 0; i < AIMED; i++) {
		uint64_t h = hash_seeded(aim + 1, keys[i], strlen(keys[i])) & (SLOTS - 1);

		distinct += !used[h];
		used[h] = 1;
	}
	/* 64 random keys in 1,024 slots fill about 62; one bucket is 1. */
	ck_assert_uint_ge(distinct, 50);
}
END_TEST

START_TEST(test_seeds_drawn)
{
	uint64_t a = hashseed_draw(), b = hashseed_draw();
	struct config *c1, *c2;
	struct err e;

	ck_assert_uint_ne(a, 0);
	ck_assert_uint_ne(b, 0);
	ck_assert_uint_ne(a, b);
	ck_assert_uint_ne(hash_seeded(a, "k", 1), hash_seeded(b, "k", 1));
	/* Each configuration the shell loads seeds its rules' table. */
	err_init(&e);
	c1 = config_new_default(&e);
	c2 = config_new_default(&e);
	ck_assert_msg(c1 != NULL && c2 != NULL, "%s", e.msg);
	ck_assert_uint_ne(c1->rules.hash_seed, 0);
	ck_assert_uint_ne(c1->rules.hash_seed, c2->rules.hash_seed);
	config_free(c1);
	config_free(c2);
}
END_TEST

static void
same_report(const struct rules_report *a, const struct rules_report *b)
{
	size_t i;

	ck_assert_uint_eq(a->nfindings, b->nfindings);
	ck_assert_uint_eq(a->nsummary, b->nsummary);
	for (i = 0; i < a->nfindings; i++) {
		const struct rules_finding *x = &a->findings[i], *y = &b->findings[i];

		ck_assert_str_eq(x->rule, y->rule);
		ck_assert_uint_eq(x->row, y->row);
		ck_assert_str_eq(x->message, y->message);
		ck_assert_str_eq(x->key != NULL ? x->key : "", y->key != NULL ? y->key : "");
		ck_assert_str_eq(x->tab != NULL ? x->tab : "", y->tab != NULL ? y->tab : "");
	}
	for (i = 0; i < a->nsummary; i++)
		ck_assert_int_eq(a->summary[i].households, b->summary[i].households);
}

/* The seed only places keys in the table: the report is the same. */
START_TEST(test_rules_report_seed_free)
{
	static const uint64_t seeds[] = { 1, 0x9e3779b97f4a7c15ULL, UINT64_MAX };
	struct rules_config cfg;
	struct rules_report base, r;
	struct sheetjson_doc *wf;
	struct err e;
	size_t i, dups = 0;

	err_init(&e);
	wf = sheetjson_load_file("tests/data/rules/edge_cells/workbook.json", &e);
	ck_assert_msg(wf != NULL, "%s", e.msg);
	rules_config_default(&cfg);
	ck_assert_int_eq(rules_evaluate(sheetjson_view(wf), &cfg,
	    rules_days_from_civil(2024, 2, 1), &base), 0);
	for (i = 0; i < base.nfindings; i++)
		dups += strcmp(base.findings[i].rule, "household.duplicate") == 0;
	ck_assert_uint_gt(dups, 0);	/* the table was used */
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		cfg.hash_seed = seeds[i];
		ck_assert_int_eq(rules_evaluate(sheetjson_view(wf), &cfg,
		    rules_days_from_civil(2024, 2, 1), &r), 0);
		same_report(&base, &r);
		rules_report_fini(&r);
	}
	rules_report_fini(&base);
	sheetjson_free(wf);
}
END_TEST

static Suite *
hash_suite(void)
{
	Suite *s = suite_create("hash");
	TCase *tc = tcase_create("hash");

	tcase_add_loop_test(tc, test_fnv1a_vectors, 0, (int)(sizeof(fnv) / sizeof(fnv[0])));
	tcase_add_test(tc, test_values_kept);
	tcase_add_test(tc, test_mix_distinct);
	tcase_add_test(tc, test_seed_scatters_aimed_keys);
	tcase_add_test(tc, test_seeds_drawn);
	tcase_add_test(tc, test_rules_report_seed_free);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(hash_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
