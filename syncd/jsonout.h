/*
 * jsonout: JSON text written straight to a stdio stream, for the files and
 * documents syncd writes without building a jansson tree (the report, the
 * state, the cells file).  Escapes exactly as jansson's json_dumps does, so
 * a streamed document is byte for byte what jansson would print.
 */
#ifndef SYNCD_JSONOUT_H
#define SYNCD_JSONOUT_H

#include <stdio.h>

/*
 * jsonout_string(f, s): write s (UTF-8, NUL-terminated) to f as a JSON
 * string with jansson's escapes ('"', '\\', \b \f \n \r \t, other controls
 * as \u00XX), or null when s is NULL.  Stream errors are left for the
 * caller's ferror()/fclose().
 */
void jsonout_string(FILE *f, const char *s);

#endif
