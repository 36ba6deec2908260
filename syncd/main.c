/*
 * main: syncd's command line front door.  It only dispatches: `check` to the
 * offline checker, `export` to the Department's file, `rules` to the rule
 * catalogue, `audit` to the audit-log tools, --version and --help here,
 * everything else (run, --once, -t) to the daemon.  It never does work itself.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "syncd/cmd_audit.h"
#include "syncd/cmd_check.h"
#include "syncd/cmd_export.h"
#include "syncd/cmd_report.h"
#include "syncd/cmd_rules.h"
#include "syncd/cmd_run.h"

static void
usage(FILE *f)
{
	fputs("usage: syncd [-c FILE] [--once] [--today YYYY-MM-DD | --now YYYY-MM-DDTHH:MM]\n"
	    "       syncd -t [-c FILE]\n"
	    "       syncd check [-c FILE] --workbook FILE.json [--today D | --now T]\n"
	    "             [--format text|json]\n"
	    "       syncd export [-c FILE] [--workbook FILE.json] [--today D | --now T]\n"
	    "             --xlsx OUT.xlsx\n"
	    "       syncd report [-c FILE] [--workbook FILE.json] [--now T] --print\n"
	    "       syncd audit verify FILE [--head SEQ:HASH]   (a rotated log: its FILEs in order)\n"
	    "       syncd audit rotate [-c FILE]\n"
	    "       syncd audit show FILE [--key K] [--tab T] [--rule R] [--since D] [--until D]\n"
	    "                             [--format text|json|csv]\n"
	    "       syncd rules [-c FILE] [--format text|md|json]\n"
	    "       syncd --version | --help\n"
	    "The default configuration is /etc/syncd/syncd.conf; see syncd(8).\n", f);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return cmd_check_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "export") == 0)
		return cmd_export_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "report") == 0)
		return cmd_report_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "rules") == 0)
		return cmd_rules_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "audit") == 0)
		return cmd_audit_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("syncd %s\n", SYNCD_VERSION);
		return 0;
	}
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	return cmd_run_main(argc, argv);
}
