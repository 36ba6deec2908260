/* cmd_audit: placeholder until the command is built. */
#include <stdio.h>
#include <sysexits.h>

#include "syncd/cmd_audit.h"

int
cmd_audit_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("syncd: audit: not implemented yet\n", stderr);
	return EX_SOFTWARE;
}
