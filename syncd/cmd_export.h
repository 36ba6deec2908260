/* cmd_export: the `syncd export` command (see syncd(8) and cmd_export.c). */
#ifndef SYNCD_CMD_EXPORT_H
#define SYNCD_CMD_EXPORT_H

/* cmd_export_main(argc, argv): run the command; returns the exit status. */
int cmd_export_main(int argc, char **argv);

#endif
