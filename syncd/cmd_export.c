/*
 * cmd_export: `syncd export [-c FILE] [--workbook FILE.json] [--today D |
 * --now YYYY-MM-DDTHH:MM] --xlsx OUT`: the Department's file (syncd/xlsx) for a workbook file, or,
 * without --workbook, for the live spreadsheet read once (syncd/live: one
 * values:batchGet, nothing written to the sheet, the audit log or the
 * state).  The figures are the ones `syncd check` prints for the same data.
 *
 * Exit status (sysexits.h): 0 written, 64 usage, 65 unreadable workbook,
 * 66 missing workbook or -c file, 73 OUT cannot be created (named),
 * 75 the spreadsheet could not be reached for now, 78 bad configuration or
 * credentials (70/71/74 for internal, memory and output failures).
 */
#include "syncd/cmd_export.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "rules/rules.h"
#include "syncd/config.h"
#include "syncd/exitcode.h"
#include "syncd/live.h"
#include "syncd/today.h"
#include "syncd/sheetjson.h"
#include "syncd/xlsx.h"

static int
usage(FILE *f)
{
	fputs("usage: syncd export [-c FILE] [--workbook FILE.json] [--today YYYY-MM-DD "
	    "| --now YYYY-MM-DDTHH:MM] --xlsx OUT.xlsx\n", f);
	return EX_USAGE;
}

int
cmd_export_main(int argc, char **argv)
{
	enum { OPT_WORKBOOK = 256, OPT_TODAY, OPT_NOW, OPT_XLSX };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "workbook", required_argument, NULL, OPT_WORKBOOK },
		{ "today", required_argument, NULL, OPT_TODAY },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "xlsx", required_argument, NULL, OPT_XLSX },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *workbook_path = NULL, *out = NULL;
	struct sheetjson_doc *wf = NULL;
	struct config *cfg = NULL;
	struct rules_report report;
	struct xlsx_input in;
	struct err e;
	time_t now = time(NULL);
	int32_t today;
	int ch, fixed = 0, got_now = 0;
	char taken[64], day[16];

	today = today_bangkok(now);
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case OPT_WORKBOOK:
			workbook_path = optarg;
			break;
		case OPT_XLSX:
			out = optarg;
			break;
		case OPT_TODAY:
			if (today_parse(optarg, &today) == -1) {
				fprintf(stderr, "syncd export: --today %s: not a date written "
				    "YYYY-MM-DD\n", optarg);
				return EX_USAGE;
			}
			fixed = 1;
			break;
		case OPT_NOW:
			if (today_parse_now(optarg, &now) == -1) {
				fprintf(stderr, "syncd export: --now %s: not a Bangkok date "
				    "and time written YYYY-MM-DDTHH:MM\n", optarg);
				return EX_USAGE;
			}
			today = today_bangkok(now);
			got_now = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (optopt != 0 && optopt < 256)
				fprintf(stderr, "syncd export: bad option or missing value: -%c\n",
				    optopt);
			else
				fprintf(stderr, "syncd export: bad option or missing value: %s\n",
				    argv[optind - 1]);
			return usage(stderr);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "syncd export: unexpected argument: %s\n", argv[optind]);
		return usage(stderr);
	}
	if (fixed && got_now) {
		fputs("syncd export: --today and --now cannot be used together\n", stderr);
		return usage(stderr);
	}
	if (out == NULL || *out == '\0') {
		fputs("syncd export: --xlsx OUT.xlsx is required\n", stderr);
		return usage(stderr);
	}

	err_init(&e);
	memset(&report, 0, sizeof(report));
	if ((cfg = config_load_cli(config_path,
	    workbook_path != NULL ? CONFIG_NO_CREDENTIALS : 0, &e)) == NULL)
		goto fail;
	if (workbook_path != NULL)
		wf = sheetjson_load_file(workbook_path, &e);
	else
		wf = live_read(cfg, &e);
	if (wf == NULL)
		goto fail;
	if (rules_evaluate(sheetjson_view(wf), &cfg->rules, today, &report, &e) == -1)
		goto fail;
	today_format(today, day, sizeof(day));
	if (fixed)
		snprintf(taken, sizeof(taken), "%s (Asia/Bangkok)", day);
	else {
		long long s = ((long long)now + TODAY_BANGKOK_OFFSET) % 86400;

		snprintf(taken, sizeof(taken), "%s %02lld:%02lld (Asia/Bangkok)", day,
		    s / 3600, s / 60 % 60);
	}
	memset(&in, 0, sizeof(in));
	in.wb = sheetjson_view(wf);
	in.report = &report;
	in.cfg = &cfg->rules;
	in.taken = taken;
	if (xlsx_export(out, &in, &e) == -1)
		goto fail;
	rules_report_fini(&report);
	sheetjson_free(wf);
	config_free(cfg);
	return 0;
fail:
	fprintf(stderr, "syncd export: %s\n", e.msg);
	rules_report_fini(&report);
	sheetjson_free(wf);
	config_free(cfg);
	/* An I/O error here is the .xlsx that could not be made. */
	return e.code == ERR_IO ? EX_CANTCREAT : exitcode_for(&e);
}
