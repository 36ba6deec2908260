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

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "rules/rules.h"
#include "syncd/config.h"
#include "syncd/exitcode.h"
#include "syncd/report.h"
#include "syncd/today.h"
#include "syncd/sheetjson.h"

/* usage(f): the synopsis on f (stdout for --help, else stderr); EX_USAGE. */
static int
usage(FILE *f)
{
	fputs("usage: syncd check [-c FILE] --workbook FILE.json [--today YYYY-MM-DD "
	    "| --now YYYY-MM-DDTHH:MM] [--format text|json]\n", f);
	return EX_USAGE;
}

int
cmd_check_main(int argc, char **argv)
{
	enum { OPT_WORKBOOK = 256, OPT_TODAY, OPT_NOW, OPT_FORMAT };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "workbook", required_argument, NULL, OPT_WORKBOOK },
		{ "today", required_argument, NULL, OPT_TODAY },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *workbook_path = NULL;
	struct sheetjson_doc *wf = NULL;
	struct config *cfg = NULL;
	struct rules_report report;
	struct err e;
	int32_t today;
	int ch, json = 0, rc, got_today = 0, got_now = 0;
	time_t now;

	today = today_bangkok(time(NULL));
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
		case OPT_TODAY:
			if (today_parse(optarg, &today) == -1) {
				fprintf(stderr, "syncd check: --today %s: not a date written "
				    "YYYY-MM-DD\n", optarg);
				return EX_USAGE;
			}
			got_today = 1;
			break;
		case OPT_NOW:
			if (today_parse_now(optarg, &now) == -1) {
				fprintf(stderr, "syncd check: --now %s: not a Bangkok date "
				    "and time written YYYY-MM-DDTHH:MM\n", optarg);
				return EX_USAGE;
			}
			today = today_bangkok(now);
			got_now = 1;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				json = 1;
			else if (strcmp(optarg, "text") == 0)
				json = 0;
			else {
				fprintf(stderr, "syncd check: --format %s: use text or json\n",
				    optarg);
				return EX_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (optopt != 0 && optopt < 256)
				fprintf(stderr, "syncd check: bad option or missing value: -%c\n",
				    optopt);
			else
				fprintf(stderr, "syncd check: bad option or missing value: %s\n",
				    argv[optind - 1]);
			return usage(stderr);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "syncd check: unexpected argument: %s\n", argv[optind]);
		return usage(stderr);
	}
	if (got_today && got_now) {
		fputs("syncd check: --today and --now cannot be used together\n", stderr);
		return usage(stderr);
	}
	if (workbook_path == NULL) {
		fputs("syncd check: --workbook FILE.json is required\n", stderr);
		return usage(stderr);
	}

	err_init(&e);
	memset(&report, 0, sizeof(report));
	if ((cfg = config_load_cli(config_path, CONFIG_NO_CREDENTIALS, &e)) == NULL)
		goto fail;
	if ((wf = sheetjson_load_file(workbook_path, &e)) == NULL)
		goto fail;
	if (rules_evaluate(sheetjson_view(wf), &cfg->rules, today, &report, &e) == -1)
		goto fail;
	/* The report owns its strings: the workbook (file size plus 16 bytes a
	 * cell) can go before rendering, which lowers the peak. */
	sheetjson_free(wf);
	wf = NULL;
	if ((json ? report_write_json(stdout, &report, &e) :
	    report_write_text(stdout, &report, &cfg->rules, &e)) == -1)
		goto fail;
	if (fflush(stdout) == EOF) {
		err_set(&e, ERR_IO, "cannot write to standard output");
		goto fail;
	}
	rc = report_count(&report, RULES_ERROR) > 0 ? 1 : 0;
	rules_report_fini(&report);
	sheetjson_free(wf);
	config_free(cfg);
	return rc;
fail:
	fprintf(stderr, "syncd check: %s\n", e.msg);
	rules_report_fini(&report);
	sheetjson_free(wf);
	config_free(cfg);
	return exitcode_for(&e);
}
