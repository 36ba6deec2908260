/* cmd_rules: the `syncd rules` command, the rule catalogue for people. */
#ifndef SYNCD_CMD_RULES_H
#define SYNCD_CMD_RULES_H

/* cmd_rules_main(argc, argv): run the command; returns the exit status. */
int cmd_rules_main(int argc, char **argv);

#endif
