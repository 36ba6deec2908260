/* cmd_run: placeholder until the command is built. */
#include <stdio.h>
#include <sysexits.h>

#include "syncd/cmd_run.h"

int
cmd_run_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("syncd: run: not implemented yet\n", stderr);
	return EX_SOFTWARE;
}
