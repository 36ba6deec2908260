/*
 * cmd_report: `syncd report -c CONF [--workbook FILE] [--now T] --print`:
 * print the daily LINE report that would be sent, and send nothing.
 *
 * The figures come from the workbook file, or without --workbook from the
 * live spreadsheet read once (syncd/live: the token, the tab list, one
 * values:batchGetByDataFilter by sheetId; nothing written anywhere), evaluated as of --now's date
 * or today in Bangkok; the change since the last report from the daemon's
 * report state (STATE_DIR/report.json) when it can be read; the audit head
 * from the audit log when it can be read.  LINE is never contacted.
 * Exit status (sysexits.h): 0 printed, 64 usage, 65 unreadable workbook,
 * 66 missing workbook or -c file, 75 the live read failed for a temporary
 * reason, 78 bad configuration or credentials.
 */
#include "syncd/cmd_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "rules/rules.h"
#include "syncd/audit.h"
#include "syncd/cmdline.h"
#include "syncd/config.h"
#include "syncd/evaluation.h"
#include "syncd/exitcode.h"
#include "syncd/linereport.h"
#include "syncd/sheetjson.h"
#include "syncd/today.h"

static int
usage(FILE *f)
{
	fputs("usage: syncd report [-c FILE] [--workbook FILE.json] "
	    "[--now YYYY-MM-DDTHH:MM] --print\n", f);
	return EX_USAGE;
}

/* report_option: --print (ctx: the int that says it was given). */
static int
report_option(void *ctx, int val, const char *arg)
{
	(void)val;
	(void)arg;
	*(int *)ctx = 1;
	return 0;
}

/*
 * report(cl, e): the report's text for the workbook file cl names, or the
 * live spreadsheet read once, as of cl's clock, on stdout.  What the daemon
 * knows (its report state, the audit head) is used when this user may read
 * it.  Returns 0, or -1 with e set.
 */
static int
report(const struct cmdline *cl, struct err *e)
{
	const char *path = cl->config != NULL ? cl->config : CONFIG_DEFAULT_PATH;
	struct evaluation ev;
	struct linereport_state st;
	struct audit_verify_result vr;
	struct today_now now;
	struct err ie;
	char *text = NULL;
	int rc = -1, have_state;

	today_now_of(cl->now, &now);
	memset(&st, 0, sizeof(st));
	if (evaluation_run(&ev, path, cl->workbook, now.day, e) == -1)
		goto out;
	sheetjson_free(ev.doc);
	ev.doc = NULL;

	err_init(&ie);
	have_state = linereport_state_load(ev.cfg->state_dir, &st, &ie) == 0;
	memset(&vr, 0, sizeof(vr));
	err_init(&ie);
	if (audit_verify_file(ev.cfg->audit_log, NULL, &vr, &ie) == -1)
		memset(&vr.head, 0, sizeof(vr.head));
	if ((text = linereport_text(ev.cfg, &ev.report, now.day, have_state ? &st : NULL,
	    vr.head.seq, vr.head.hash, e)) == NULL)
		goto out;
	if (printf("%s\n", text) < 0 || fflush(stdout) == EOF) {
		err_set(e, ERR_IO, "cannot write to standard output");
		goto out;
	}
	rc = 0;
out:
	free(text);
	linereport_state_fini(&st);
	evaluation_fini(&ev);
	return rc;
}

int
cmd_report_main(int argc, char **argv)
{
	static const struct cmdline_option own[] = {
		{ "print", 0, CMDLINE_OPT },
		{ NULL, 0, 0 },
	};
	int print = 0, status;
	const struct cmdline_spec spec = { "syncd report", CMDLINE_WORKBOOK | CMDLINE_NOW |
	    CMDLINE_HELP, own, report_option, &print, usage };
	struct cmdline cl;
	struct err e;

	if (cmdline_parse(&cl, &spec, argc, argv, &status) == -1)
		return status;
	if (!print) {
		fputs("syncd report: --print is required (the daemon sends the report "
		    "itself)\n", stderr);
		return usage(stderr);
	}
	err_init(&e);
	if (report(&cl, &e) == -1) {
		fprintf(stderr, "syncd report: %s\n", e.msg);
		return exitcode_for(&e);
	}
	return 0;
}
