/*
 * once: a small durable ledger of things that must happen at most once
 * (the monthly e-mail, a snapshot tab): "persist before the first try".
 *
 * Each entry is a key ("mail 2024-02", "snapshot 2024-02-20") with a status
 * and the number of tries.  The ledger is a JSON file in the state directory,
 * replaced atomically and durably (fsutil) on every change, so what it says
 * survives a crash at any point: a caller records ONCE_TRYING before it
 * starts, and after a crash finds it still there.  At most ONCE_MAX_ENTRIES
 * are kept (the oldest go first).  It never logs and never exits.
 */
#ifndef SYNCD_ONCE_H
#define SYNCD_ONCE_H

#include <stddef.h>

#include "auth/err.h"

#define ONCE_MAX_FILE		(256 * 1024)	/* bytes of a ledger file */
#define ONCE_MAX_ENTRIES	120		/* entries kept: years of snapshots and mails */
#define ONCE_MAX_KEY		128		/* bytes of a key */

enum once_status {
	ONCE_NONE = 0,		/* no entry: never tried */
	ONCE_TRYING,		/* recorded before a try; still there: the try did not finish */
	ONCE_RETRY,		/* a try failed and nothing was delivered: may try again */
	ONCE_DONE,		/* delivered */
	ONCE_FAILED,		/* given up: never again */
};

struct once_entry {
	enum once_status status;
	int tries;		/* tries started */
};

/*
 * once_get(path, key, out, e): the entry of key in the ledger at path (a
 * missing file is an empty ledger).  Returns 0 with *out filled (ONCE_NONE,
 * 0 tries when absent), or -1 with e set (ERR_DATA: the file is not a
 * ledger; ERR_IO).
 */
int once_get(const char *path, const char *key, struct once_entry *out, struct err *e);

/*
 * once_set(path, key, in, e): record *in for key, durably, before returning.
 * Returns 0, or -1 with e set (ERR_IO: the ledger could not be made durable;
 * the caller must then not try).
 */
int once_set(const char *path, const char *key, const struct once_entry *in,
    struct err *e);

/* once_status_name(s): "trying", "retry", "done", "failed" or "none" (static). */
const char *once_status_name(enum once_status s);

#endif
