/*
 * cmdline: see cmdline.h.  One getopt_long loop for every command: the
 * shared options are handled here, each command's own through its
 * spec's callback.  Messages go to stderr and start with the command's
 * name; nothing here exits.
 */
#include "syncd/cmdline.h"

#include <getopt.h>
#include <string.h>
#include <sysexits.h>

/* The shared long-only options' values: above any CMDLINE_OPT + n. */
enum { OPT_WORKBOOK = 1024, OPT_TODAY, OPT_NOW };

#define LONGOPTS_MAX	(CMDLINE_MAX_OWN + 6)	/* config, workbook, today, now, help, end */
#define SHORTOPTS_MAX	(4 + 2 * CMDLINE_MAX_OWN)	/* "c:h", the own letters, NUL */

/*
 * options(spec, lo, so): the long options lo[LONGOPTS_MAX] and the short
 * ones so[SHORTOPTS_MAX] that spec takes.  Returns 0, or -1 when spec has
 * more than CMDLINE_MAX_OWN options of its own.
 */
static int
options(const struct cmdline_spec *spec, struct option *lo, char *so)
{
	const struct cmdline_option *o;
	size_t nl = 0, ns = 0, n = 0;

	/* Counted first: the room left by shared options a spec does not
	 * take is no licence for more own ones (so[] holds only
	 * CMDLINE_MAX_OWN letters with their ':'). */
	for (o = spec->own; o != NULL && o->name != NULL; o++)
		if (++n > CMDLINE_MAX_OWN)
			return -1;
	memset(lo, 0, LONGOPTS_MAX * sizeof(*lo));
	lo[nl++] = (struct option){ "config", required_argument, NULL, 'c' };
	so[ns++] = 'c';
	so[ns++] = ':';
	if (spec->shared & CMDLINE_WORKBOOK)
		lo[nl++] = (struct option){ "workbook", required_argument, NULL, OPT_WORKBOOK };
	if (spec->shared & CMDLINE_TODAY)
		lo[nl++] = (struct option){ "today", required_argument, NULL, OPT_TODAY };
	if (spec->shared & CMDLINE_NOW)
		lo[nl++] = (struct option){ "now", required_argument, NULL, OPT_NOW };
	if (spec->shared & CMDLINE_HELP) {
		lo[nl++] = (struct option){ "help", no_argument, NULL, 'h' };
		so[ns++] = 'h';
	}
	for (o = spec->own; o != NULL && o->name != NULL; o++) {
		lo[nl++] = (struct option){ o->name, o->has_arg ? required_argument :
		    no_argument, NULL, o->val };
		if (o->val < CMDLINE_OPT) {
			so[ns++] = (char)o->val;
			if (o->has_arg)
				so[ns++] = ':';
		}
	}
	so[ns] = '\0';
	return 0;
}

/* own(spec, ch): non-zero when ch is one of spec's own options. */
static int
own(const struct cmdline_spec *spec, int ch)
{
	const struct cmdline_option *o;

	for (o = spec->own; o != NULL && o->name != NULL; o++)
		if (o->val == ch)
			return 1;
	return 0;
}

/*
 * option(cl, spec, ch, argv, real, status): what getopt_long returned, ch,
 * with optarg; real is the real clock when parsing began.  Returns 0 to go
 * on, or -1 with *status set.
 */
static int
option(struct cmdline *cl, const struct cmdline_spec *spec, int ch, char **argv,
    time_t real, int *status)
{
	*status = EX_USAGE;
	if (ch == 'c') {
		cl->config = optarg;
	} else if (ch == OPT_WORKBOOK) {
		cl->workbook = optarg;
	} else if (ch == OPT_TODAY) {
		if (today_parse(optarg, &cl->clock.day) == -1) {
			fprintf(stderr, "%s: --today %s: not a date written YYYY-MM-DD\n",
			    spec->prog, optarg);
			return -1;
		}
		cl->clock.fixed_day = 1;
	} else if (ch == OPT_NOW) {
		if (today_clock_set_now(&cl->clock, optarg, real) == -1) {
			fprintf(stderr, "%s: --now %s: not a Bangkok date and time written "
			    "YYYY-MM-DDTHH:MM\n", spec->prog, optarg);
			return -1;
		}
		cl->now = (time_t)((long long)real + cl->clock.offset);
	} else if (ch == 'h' && (spec->shared & CMDLINE_HELP)) {
		spec->usage(stdout);
		*status = 0;
		return -1;
	} else if (ch != '?' && own(spec, ch)) {
		*status = spec->own_option(spec->ctx, ch, optarg);
		return *status == 0 ? 0 : -1;
	} else {
		if (optopt != 0 && optopt < 256)
			fprintf(stderr, "%s: bad option or missing value: -%c\n", spec->prog,
			    optopt);
		else
			fprintf(stderr, "%s: bad option or missing value: %s\n", spec->prog,
			    argv[optind - 1]);
		*status = spec->usage(stderr);
		return -1;
	}
	return 0;
}

int
cmdline_parse(struct cmdline *cl, const struct cmdline_spec *spec, int argc, char **argv,
    int *status)
{
	struct option lo[LONGOPTS_MAX];
	char so[SHORTOPTS_MAX];
	time_t real = time(NULL);
	int ch;

	memset(cl, 0, sizeof(*cl));
	cl->now = real;
	if (options(spec, lo, so) == -1) {
		fprintf(stderr, "%s: more than %d options of its own\n", spec->prog,
		    CMDLINE_MAX_OWN);
		*status = EX_SOFTWARE;
		return -1;
	}
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, so, lo, NULL)) != -1)
		if (option(cl, spec, ch, argv, real, status) == -1)
			return -1;
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument: %s\n", spec->prog, argv[optind]);
		*status = spec->usage(stderr);
		return -1;
	}
	if (cl->clock.fixed_day && cl->clock.set) {
		fprintf(stderr, "%s: --today and --now cannot be used together\n", spec->prog);
		*status = spec->usage(stderr);
		return -1;
	}
	cl->today = cl->clock.fixed_day ? cl->clock.day : today_bangkok(cl->now);
	return 0;
}
