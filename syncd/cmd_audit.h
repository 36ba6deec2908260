/* cmd_audit: the `syncd audit` command (see DESIGN.md, Command line). */
#ifndef SYNCD_CMD_AUDIT_H
#define SYNCD_CMD_AUDIT_H

/* cmd_audit_main(argc, argv): run the command; returns the exit status. */
int cmd_audit_main(int argc, char **argv);

#endif
