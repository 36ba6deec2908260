/*
 * check_cmdline: the shared command-line parser.  A command's own options
 * reach its callback with their values, and a spec with more own options
 * than CMDLINE_MAX_OWN is refused (EX_SOFTWARE) whatever shared options it
 * takes: the option tables are fixed arrays on the parser's stack, sized
 * for CMDLINE_MAX_OWN own options.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "syncd/cmdline.h"

/* What own_option saw: the letters in order, and the last value. */
struct seen {
	char letters[32];
	size_t n;
	char last[32];
};

static int
own_option(void *ctx, int val, const char *arg)
{
	struct seen *s = ctx;

	if (s->n < sizeof(s->letters) - 1)
		s->letters[s->n++] = (char)val;
	snprintf(s->last, sizeof(s->last), "%s", arg != NULL ? arg : "");
	return 0;
}

static int
usage(FILE *f)
{
	(void)f;
	return EX_USAGE;
}

/* own[0..n): short options -a, -b, -d... (not the shared -c, -h), each
 * taking a value, long names --aa, --bb, --dd... */
static void
make_own(struct cmdline_option *own, size_t n)
{
	static const char *const names[] = { "aa", "bb", "dd", "ee", "ff", "gg", "ii",
	    "jj", "kk", "ll", "mm", "nn", "oo" };
	size_t i;

	ck_assert_uint_lt(n, sizeof(names) / sizeof(names[0]));
	for (i = 0; i < n; i++)
		own[i] = (struct cmdline_option){ names[i], 1, names[i][0] };
	own[n] = (struct cmdline_option){ NULL, 0, 0 };
}

START_TEST(test_own_options)
{
	struct cmdline_option own[CMDLINE_MAX_OWN + 1];
	struct cmdline_spec spec = { "syncd test", CMDLINE_WORKBOOK | CMDLINE_TODAY |
	    CMDLINE_NOW | CMDLINE_HELP, own, own_option, NULL, usage };
	char *argv[] = { "syncd", "-c", "x.conf", "-a", "1", "--jj", "8", "-h", NULL };
	struct cmdline cl;
	struct seen s;
	int status = -1;

	/* As many own options as allowed, all shared ones: accepted. */
	memset(&s, 0, sizeof(s));
	spec.ctx = &s;
	make_own(own, CMDLINE_MAX_OWN);
	ck_assert_int_eq(cmdline_parse(&cl, &spec, 7, argv, &status), 0);
	ck_assert_str_eq(cl.config, "x.conf");
	ck_assert_str_eq(s.letters, "aj");
	ck_assert_str_eq(s.last, "8");
	/* And -h is the shared --help. */
	status = -1;
	ck_assert_int_eq(cmdline_parse(&cl, &spec, 8, argv, &status), -1);
	ck_assert_int_eq(status, 0);
}
END_TEST

START_TEST(test_too_many_own)
{
	struct cmdline_option own[CMDLINE_MAX_OWN + 5];
	struct cmdline_spec spec = { "syncd test", 0, own, own_option, NULL, usage };
	char *argv[] = { "syncd", "-a", "1", NULL };
	struct cmdline cl;
	struct seen s;
	int shared, status;
	size_t n;

	memset(&s, 0, sizeof(s));
	spec.ctx = &s;
	/* One own option too many is refused, with or without the shared
	 * options whose room it might have taken; never parsed. */
	for (n = CMDLINE_MAX_OWN + 1; n <= CMDLINE_MAX_OWN + 4; n++)
		for (shared = 0; shared <= 0xf; shared += 0xf) {
			make_own(own, n);
			spec.shared = shared;
			status = -1;
			ck_assert_int_eq(cmdline_parse(&cl, &spec, 3, argv, &status), -1);
			ck_assert_int_eq(status, EX_SOFTWARE);
		}
	ck_assert_uint_eq(s.n, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cmdline");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_own_options);
	tcase_add_test(tc, test_too_many_own);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
