/*
 * cmd_export: `syncd export [-c FILE] [--workbook FILE.json] [--today D |
 * --now YYYY-MM-DDTHH:MM] --xlsx OUT`: the Department's file (syncd/xlsx) for a workbook file, or,
 * without --workbook, for the live spreadsheet read once (syncd/live: one
 * values:batchGetByDataFilter by sheetId, nothing written to the sheet, the audit log or the
 * state).  The figures are the ones `syncd check` prints for the same data.
 *
 * Exit status (sysexits.h): 0 written, 64 usage, 65 unreadable workbook,
 * 66 missing workbook or -c file, 73 OUT cannot be created (named),
 * 75 the spreadsheet could not be reached for now, 78 bad configuration or
 * credentials (70/71/74 for internal, memory and output failures).
 */
#include "syncd/cmd_export.h"

#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "rules/rules.h"
#include "syncd/cmdline.h"
#include "syncd/config.h"
#include "syncd/evaluation.h"
#include "syncd/exitcode.h"
#include "syncd/sheetjson.h"
#include "syncd/today.h"
#include "syncd/xlsx.h"

static int
usage(FILE *f)
{
	fputs("usage: syncd export [-c FILE] [--workbook FILE.json] [--today YYYY-MM-DD "
	    "| --now YYYY-MM-DDTHH:MM] --xlsx OUT.xlsx\n", f);
	return EX_USAGE;
}

/* export_option: --xlsx OUT (ctx: where OUT goes). */
static int
export_option(void *ctx, int val, const char *arg)
{
	(void)val;
	*(const char **)ctx = arg;
	return 0;
}

/*
 * taken(cl, out, n): when the figures were taken, for the file: the date
 * alone under --today, else the date and minute in Bangkok.
 */
static void
taken(const struct cmdline *cl, char *out, size_t n)
{
	char day[16];
	long long s;

	today_format(cl->today, day, sizeof(day));
	if (cl->clock.fixed_day) {
		snprintf(out, n, "%s (Asia/Bangkok)", day);
		return;
	}
	s = ((long long)cl->now + TODAY_BANGKOK_OFFSET) % 86400;
	snprintf(out, n, "%s %02lld:%02lld (Asia/Bangkok)", day, s / 3600, s / 60 % 60);
}

/*
 * export(cl, out, e): evaluate the workbook file cl names, or the live
 * spreadsheet read once, and write the Department's file to out.
 * Returns 0, or -1 with e set.
 */
static int
export(const struct cmdline *cl, const char *out, struct err *e)
{
	struct evaluation ev;
	struct xlsx_input in;
	char when[64];
	int rc = -1;

	if (evaluation_run(&ev, cl->config, cl->workbook, cl->today, e) == 0) {
		taken(cl, when, sizeof(when));
		memset(&in, 0, sizeof(in));
		in.wb = sheetjson_view(ev.doc);
		in.report = &ev.report;
		in.cfg = &ev.cfg->rules;
		in.taken = when;
		rc = xlsx_export(out, &in, e);
	}
	evaluation_fini(&ev);
	return rc;
}

int
cmd_export_main(int argc, char **argv)
{
	static const struct cmdline_option own[] = {
		{ "xlsx", 1, CMDLINE_OPT },
		{ NULL, 0, 0 },
	};
	const char *out = NULL;
	const struct cmdline_spec spec = { "syncd export", CMDLINE_WORKBOOK | CMDLINE_TODAY |
	    CMDLINE_NOW | CMDLINE_HELP, own, export_option, &out, usage };
	struct cmdline cl;
	struct err e;
	int status;

	if (cmdline_parse(&cl, &spec, argc, argv, &status) == -1)
		return status;
	if (out == NULL || *out == '\0') {
		fputs("syncd export: --xlsx OUT.xlsx is required\n", stderr);
		return usage(stderr);
	}
	err_init(&e);
	if (export(&cl, out, &e) == -1) {
		fprintf(stderr, "syncd export: %s\n", e.msg);
		/* An I/O error here is the .xlsx that could not be made. */
		return e.code == ERR_IO ? EX_CANTCREAT : exitcode_for(&e);
	}
	return 0;
}
