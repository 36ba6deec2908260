/*
 * jdump: the emulator's JSON writer.  It prints exactly what jansson's
 * json_dumps() prints with JSON_COMPACT or JSON_INDENT(2) (keys in
 * insertion order, reals at 17 significant digits, UTF-8 unescaped), but
 * into one growing buffer with runs of plain bytes copied at once, so a
 * 100,000-household values.batchGet answer (1.4 million cells) is written
 * in a fraction of json_dumps' time and the daemon-cycle bench measures the
 * daemon, not the emulator.  Never logs.
 */
#ifndef FAKESHEETS_JDUMP_H
#define FAKESHEETS_JDUMP_H

#include <stddef.h>

#include <jansson.h>

/*
 * jdump(j, pretty, len): j (borrowed; an object or an array) as JSON text,
 * indented by two when pretty, else compact.  Returns a new NUL-terminated
 * string the caller frees, its length in *len (may be NULL), or NULL when
 * out of memory, nested deeper than JDUMP_MAX_DEPTH or j holds a real that
 * is not finite.
 */
#define JDUMP_MAX_DEPTH	2048	/* jansson's own default */
char *jdump(const json_t *j, int pretty, size_t *len);

#endif
