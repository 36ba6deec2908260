/* cmd_report: the `syncd report ... --print` command (see cmd_report.c). */
#ifndef SYNCD_CMD_REPORT_H
#define SYNCD_CMD_REPORT_H

/* cmd_report_main(argc, argv): run the command; returns the exit status. */
int cmd_report_main(int argc, char **argv);

#endif
