/*
 * cmd_check: `syncd check [-c FILE] --workbook FILE.json [--today D |
 * --now YYYY-MM-DDTHH:MM] [--format text|json]`: evaluate a workbook file offline, with no
 * credentials and no network, and print the report.
 *
 * Configuration: -c FILE, else /etc/syncd/syncd.conf when it exists, else
 * the built-in defaults (DOMAIN.md's layout), so a district office can check
 * a downloaded workbook on any machine.  spreadsheet_id and key_file are not
 * needed.  Exit status (sysexits.h): 0 no discrepancy of severity error,
 * 1 some, 64 usage, 65 unreadable workbook, 66 missing workbook or -c file,
 * 78 bad configuration (70/71/74 for internal, memory and output failures).
 */
#include "syncd/cmd_check.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "rules/rules.h"
#include "syncd/cmdline.h"
#include "syncd/config.h"
#include "syncd/evaluation.h"
#include "syncd/exitcode.h"
#include "syncd/report.h"
#include "syncd/sheetjson.h"

/* usage(f): the synopsis on f (stdout for --help, else stderr); EX_USAGE. */
static int
usage(FILE *f)
{
	fputs("usage: syncd check [-c FILE] --workbook FILE.json [--today YYYY-MM-DD "
	    "| --now YYYY-MM-DDTHH:MM] [--format text|json]\n", f);
	return EX_USAGE;
}

/* check_option: --format text|json (ctx: the int json). */
static int
check_option(void *ctx, int val, const char *arg)
{
	int *json = ctx;

	(void)val;
	if (strcmp(arg, "json") == 0)
		*json = 1;
	else if (strcmp(arg, "text") == 0)
		*json = 0;
	else {
		fprintf(stderr, "syncd check: --format %s: use text or json\n", arg);
		return EX_USAGE;
	}
	return 0;
}

/*
 * check(cl, json, nerrors, e): evaluate the workbook cl names with the
 * configuration cl names, as of cl's date, and print the report on stdout
 * (json or text); *nerrors is its count of discrepancies of severity error.
 * Returns 0, or -1 with e set.
 */
static int
check(const struct cmdline *cl, int json, size_t *nerrors, struct err *e)
{
	struct evaluation ev;
	int rc = -1;

	if (evaluation_run(&ev, cl->config, cl->workbook, cl->today, e) == -1)
		goto out;
	/* The report owns its strings: the workbook (file size plus 16 bytes a
	 * cell) can go before rendering, which lowers the peak. */
	sheetjson_free(ev.doc);
	ev.doc = NULL;
	if ((json ? report_write_json(stdout, &ev.report, e) :
	    report_write_text(stdout, &ev.report, &ev.cfg->rules, e)) == -1)
		goto out;
	if (fflush(stdout) == EOF) {
		err_set(e, ERR_IO, "cannot write to standard output");
		goto out;
	}
	*nerrors = report_count(&ev.report, RULES_ERROR);
	rc = 0;
out:
	evaluation_fini(&ev);
	return rc;
}

int
cmd_check_main(int argc, char **argv)
{
	static const struct cmdline_option own[] = {
		{ "format", 1, CMDLINE_OPT },
		{ NULL, 0, 0 },
	};
	int json = 0, status;
	const struct cmdline_spec spec = { "syncd check", CMDLINE_WORKBOOK | CMDLINE_TODAY |
	    CMDLINE_NOW | CMDLINE_HELP, own, check_option, &json, usage };
	struct cmdline cl;
	size_t nerrors = 0;
	struct err e;

	if (cmdline_parse(&cl, &spec, argc, argv, &status) == -1)
		return status;
	if (cl.workbook == NULL) {
		fputs("syncd check: --workbook FILE.json is required\n", stderr);
		return usage(stderr);
	}
	err_init(&e);
	if (check(&cl, json, &nerrors, &e) == -1) {
		fprintf(stderr, "syncd check: %s\n", e.msg);
		return exitcode_for(&e);
	}
	return nerrors > 0 ? 1 : 0;
}
