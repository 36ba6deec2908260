/*
 * cmd_report: `syncd report -c CONF [--workbook FILE] [--now T] --print`:
 * print the daily LINE report that would be sent, and send nothing.
 *
 * The figures come from the workbook file, or without --workbook from the
 * live spreadsheet read once (syncd/live: the token, the tab list, one
 * values.batchGet; nothing written anywhere), evaluated as of --now's date
 * or today in Bangkok; the change since the last report from the daemon's
 * report state (STATE_DIR/report.json) when it can be read; the audit head
 * from the audit log when it can be read.  LINE is never contacted.
 * Exit status (sysexits.h): 0 printed, 64 usage, 65 unreadable workbook,
 * 66 missing workbook or -c file, 75 the live read failed for a temporary
 * reason, 78 bad configuration or credentials.
 */
#include "syncd/cmd_report.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>

#include "rules/rules.h"
#include "syncd/audit.h"
#include "syncd/config.h"
#include "syncd/exitcode.h"
#include "syncd/linereport.h"
#include "syncd/live.h"
#include "syncd/today.h"
#include "syncd/sheetjson.h"

static int
usage(FILE *f)
{
	fputs("usage: syncd report [-c FILE] [--workbook FILE.json] "
	    "[--now YYYY-MM-DDTHH:MM] --print\n", f);
	return EX_USAGE;
}

int
cmd_report_main(int argc, char **argv)
{
	enum { OPT_WORKBOOK = 256, OPT_NOW, OPT_PRINT };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "workbook", required_argument, NULL, OPT_WORKBOOK },
		{ "now", required_argument, NULL, OPT_NOW },
		{ "print", no_argument, NULL, OPT_PRINT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = CONFIG_DEFAULT_PATH, *workbook_path = NULL;
	struct sheetjson_doc *wf = NULL;
	struct config *cfg = NULL;
	struct rules_report report;
	struct linereport_state st;
	struct audit_verify_result vr;
	struct today_now now;
	struct stat sb;
	struct err e, ie;
	time_t t = time(NULL);
	char *text = NULL;
	int ch, print = 0, have_state;

	today_now_of(t, &now);
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
		case OPT_NOW:
			if (today_parse_now(optarg, &t) == -1) {
				fprintf(stderr, "syncd report: --now %s: not a Bangkok date "
				    "and time written YYYY-MM-DDTHH:MM\n", optarg);
				return EX_USAGE;
			}
			today_now_of(t, &now);
			break;
		case OPT_PRINT:
			print = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			if (optopt != 0 && optopt < 256)
				fprintf(stderr, "syncd report: bad option or missing value: "
				    "-%c\n", optopt);
			else
				fprintf(stderr, "syncd report: bad option or missing value: "
				    "%s\n", argv[optind - 1]);
			return usage(stderr);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "syncd report: unexpected argument: %s\n", argv[optind]);
		return usage(stderr);
	}
	if (!print) {
		fputs("syncd report: --print is required (the daemon sends the report "
		    "itself)\n", stderr);
		return usage(stderr);
	}
	err_init(&e);
	memset(&report, 0, sizeof(report));
	memset(&st, 0, sizeof(st));
	if (stat(config_path, &sb) == -1 && errno == ENOENT) {
		err_set(&e, ERR_NOINPUT, "%s: %s", config_path, strerror(errno));
		goto fail;
	}
	if ((cfg = config_load(config_path, workbook_path != NULL ? CONFIG_NO_CREDENTIALS : 0,
	    &e)) == NULL)
		goto fail;
	if ((wf = workbook_path != NULL ? sheetjson_load_file(workbook_path, &e) :
	    live_read(cfg, &e)) == NULL)
		goto fail;
	if (rules_evaluate(sheetjson_view(wf), &cfg->rules, now.day, &report, &e) == -1)
		goto fail;
	sheetjson_free(wf);
	wf = NULL;

	/* What the daemon knows, when this user may read it. */
	err_init(&ie);
	have_state = linereport_state_load(cfg->state_dir, &st, &ie) == 0;
	memset(&vr, 0, sizeof(vr));
	err_init(&ie);
	if (audit_verify_file(cfg->audit_log, NULL, &vr, &ie) == -1)
		memset(&vr.head, 0, sizeof(vr.head));
	if ((text = linereport_text(cfg, &report, now.day, have_state ? &st : NULL,
	    vr.head.seq, vr.head.hash, &e)) == NULL)
		goto fail;
	if (printf("%s\n", text) < 0 || fflush(stdout) == EOF) {
		err_set(&e, ERR_IO, "cannot write to standard output");
		goto fail;
	}
	free(text);
	linereport_state_fini(&st);
	rules_report_fini(&report);
	config_free(cfg);
	return 0;
fail:
	fprintf(stderr, "syncd report: %s\n", e.msg);
	free(text);
	linereport_state_fini(&st);
	rules_report_fini(&report);
	sheetjson_free(wf);
	config_free(cfg);
	return exitcode_for(&e);
}
