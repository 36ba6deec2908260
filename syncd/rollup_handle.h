/*
 * rollup_handle: what the rollup's files share, and nothing else includes:
 * the handle (struct rollup) and the functions one file of the module calls
 * in another.  The module's contract is rollup.h; its files are rollup.c
 * (the handle, a cycle, the loop and its signals), rollup_feed.c (which
 * sources changed: Drive's changes feed, or files.get per source) and
 * rollup_tabs.c (what the tabs hold, which needs no handle).  Like
 * syncd/audit_handle.h, it has no .c of its own.
 */
#ifndef SYNCD_ROLLUP_HANDLE_H
#define SYNCD_ROLLUP_HANDLE_H

#include <stdint.h>

#include <jansson.h>

#include "auth/err.h"
#include "syncd/config.h"
#include "syncd/pace.h"

struct auth_key;
struct auth_token;
struct http;
struct sheets;
struct audit;

struct rollup {
	const struct config *cfg;	/* borrowed */
	struct auth_key *key;
	struct http *http;
	struct auth_token *token;
	struct sheets *national;
	struct audit *audit;
	json_t *state;			/* owned: STATE_DIR/rollup.json */
	struct pace reads, writes;
	uint64_t requests;		/* Sheets and Drive requests this cycle */
	char state_path[4096];
};

/*
 * rollup_client_for(r, id, e): a Sheets and Drive client for spreadsheet id
 * (borrowed for the client's life) on r's connection, key and token.
 * Returns it (owned by the caller: sheets_client_free), or NULL with e set.
 */
struct sheets *rollup_client_for(struct rollup *r, const char *id, struct err *e);

/*
 * rollup_feed_changed(r, read, e): which of r->cfg->rollup to read this
 * cycle (read[i] set; read has r->cfg->nrollup slots).  See rollup_feed.c.
 * Returns 0, or -1 with e set.
 */
int rollup_feed_changed(struct rollup *r, int *read, struct err *e);

#endif
