/* cmd_check: the `syncd check` command (see DESIGN.md, Command line). */
#ifndef SYNCD_CMD_CHECK_H
#define SYNCD_CMD_CHECK_H

/* cmd_check_main(argc, argv): run the command; returns the exit status. */
int cmd_check_main(int argc, char **argv);

#endif
