/* cmd_check: placeholder until the command is built. */
#include <stdio.h>
#include <sysexits.h>

#include "syncd/cmd_check.h"

int
cmd_check_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("syncd: check: not implemented yet\n", stderr);
	return EX_SOFTWARE;
}
