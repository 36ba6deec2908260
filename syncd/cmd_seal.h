/* cmd_seal: `syncd audit seal-init` and `syncd audit verify ... --seal`. */
#ifndef SYNCD_CMD_SEAL_H
#define SYNCD_CMD_SEAL_H

/* cmd_seal_init_main(argc, argv): argv[0] is "seal-init"; the exit status. */
int cmd_seal_init_main(int argc, char **argv);

/* cmd_seal_verify_main(argc, argv): argv[0] is "verify", one argument is
 * --seal; the exit status. */
int cmd_seal_verify_main(int argc, char **argv);

#endif
