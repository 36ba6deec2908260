/*
 * config_scan: the look at a configuration file's text before libconfig
 * parses it, for what libconfig 1.5 would mishandle or accept silently:
 * a NUL byte, an @include directive (it would pull in a file we never
 * vetted), an integer too large for its type (libconfig truncates it
 * without a word: 4294967356 would become 60), nesting deeper than
 * CONFIG_MAX_DEPTH, and a string where the grammar cannot take one (its
 * parser then leaks the string).  Part of the configuration loader.
 */
#ifndef SYNCD_CONFIG_SCAN_H
#define SYNCD_CONFIG_SCAN_H

#include <stddef.h>

#include "auth/err.h"

/*
 * config_scan(name, text, len, e): scan len bytes of text (borrowed for the
 * call); name is what messages call the file.  Returns 0, or -1 with e set
 * (ERR_CONFIG, "NAME:LINE: message").
 */
int config_scan(const char *name, const char *text, size_t len, struct err *e);

#endif
