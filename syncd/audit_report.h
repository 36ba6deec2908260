/* audit_report: `syncd audit report`, an audit log as one printable HTML page. */
#ifndef SYNCD_AUDIT_REPORT_H
#define SYNCD_AUDIT_REPORT_H

/*
 * audit_report_main(argc, argv): argv[0] is "report"; returns the exit
 * status (0 written and the chain intact, 65 written but the chain is
 * broken or of a newer format, 64 usage, 66 no log or configuration, 73 the
 * page cannot be written, 78 bad configuration).
 */
int audit_report_main(int argc, char **argv);

#endif
