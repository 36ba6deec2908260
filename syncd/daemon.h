/*
 * daemon: syncd's main loop (DESIGN.md, "The shape"): one cycle per tick
 * until SIGTERM, or one cycle with --once.  cmd_run parses the command line
 * and loads the configuration; everything after that happens here.
 */
#ifndef SYNCD_DAEMON_H
#define SYNCD_DAEMON_H

#include <stdint.h>

#include "syncd/config.h"
#include "syncd/today.h"

/* What the command line says about a run, beyond the configuration. */
struct run_options {
	const char *config_path;	/* borrowed: the file to re-read on SIGHUP */
	int once;			/* non-zero: run one cycle and exit */
	struct today_clock clock;	/* --today and --now (today.h) */
};

/*
 * daemon_run(cfg, opt): run the daemon under cfg (borrowed; the caller frees
 * it after the return; a SIGHUP reload builds and owns its own) with opt
 * (borrowed).  Returns the process exit status (sysexits.h): 0 after SIGTERM
 * or a good --once cycle.
 */
int daemon_run(const struct config *cfg, const struct run_options *opt);

#endif
