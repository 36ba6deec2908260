/* cmd_rotate: `syncd audit rotate [-c FILE]` (see cmd_rotate.c). */
#ifndef SYNCD_CMD_ROTATE_H
#define SYNCD_CMD_ROTATE_H

/* cmd_rotate_main(argc, argv): argv[0] is "rotate"; returns the exit status. */
int cmd_rotate_main(int argc, char **argv);

#endif
