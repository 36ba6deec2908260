/*
 * exitcode: the one map from a command's error (struct err) to its
 * sysexits.h status, for the offline and one-shot commands (check, export,
 * report, rules).  The daemon's run has its own contract (cycle_exit_status).
 */
#ifndef SYNCD_EXITCODE_H
#define SYNCD_EXITCODE_H

#include "auth/err.h"

/*
 * exitcode_for(e): 66 a missing input, 65 bad data, 78 configuration or
 * credentials (and an API refusal that will not mend itself), 75 a temporary
 * failure (network, 408, 429, 5xx), 71 out of memory, 74 I/O, else 70.
 */
int exitcode_for(const struct err *e);

#endif
