/*
 * state_file: the format of STATE_DIR/state.json: a state written as one
 * JSON object, and such an object read back into a state, both through
 * state.h's accessors only.  state.c opens, reads and atomically replaces
 * the file (state_load, state_save); this file knows its members.
 */
#ifndef SYNCD_STATE_FILE_H
#define SYNCD_STATE_FILE_H

#include <stdio.h>

#include <jansson.h>

#include "auth/err.h"
#include "syncd/state.h"

/*
 * state_file_write(f, s): write s to f as state.json's object.  Stream
 * errors are f's to report (ferror), as fsutil_write_atomic checks.
 */
void state_file_write(FILE *f, const struct state *s);

/*
 * state_file_read(s, doc, path, e): fill s (an empty state) from doc, the
 * parsed file (borrowed), checking every member's type; path (borrowed)
 * names the file in messages.  0, or -1 with e set (ERR_DATA, ERR_NOMEM).
 */
int state_file_read(struct state *s, json_t *doc, const char *path, struct err *e);

#endif
