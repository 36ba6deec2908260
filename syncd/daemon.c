/* daemon: placeholder until the main loop is built (see daemon.h). */
#include "syncd/daemon.h"

#include <stdio.h>
#include <sysexits.h>

int
daemon_run(const struct config *cfg, const struct run_options *opt)
{
	(void)cfg;
	(void)opt;
	fputs("syncd: run: not implemented\n", stderr);
	return EX_SOFTWARE;
}
