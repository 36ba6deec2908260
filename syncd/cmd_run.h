/* cmd_run: the `syncd run` command (see DESIGN.md, Command line). */
#ifndef SYNCD_CMD_RUN_H
#define SYNCD_CMD_RUN_H

/* cmd_run_main(argc, argv): run the command; returns the exit status. */
int cmd_run_main(int argc, char **argv);

#endif
