/*
 * rollup_feed: which sources the rollup reads this cycle, for one request
 * when nothing moved.  Drive's changes feed (changes.getStartPageToken
 * once, then changes.list from the token kept in the state) names the
 * spreadsheets that changed; whether it reports files only shared with the
 * service account is UNCONFIRMED of Google, so the rollup's own write to the
 * national sheet is the known edit that checks it, and a feed that misses
 * it is left for good for one Drive files.get per source per cycle.  It
 * reads no Sheets and writes nothing but the state in memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "syncd/rollup_handle.h"
#include "syncd/sheets.h"

/*
 * by_files_get(r, read, e): the fallback when the changes feed does not
 * report files only shared with the service account: one Drive files.get
 * per source per cycle, a source read again when its version moved.
 */
static int
by_files_get(struct rollup *r, int *read, struct err *e)
{
	json_t *vers = json_object_get(r->state, "versions");
	struct sheets *s;
	char *v = NULL;
	size_t i;

	if (!json_is_object(vers)) {
		vers = json_object();
		json_object_set_new(r->state, "versions", vers);
	}
	for (i = 0; i < r->cfg->nrollup; i++) {
		const char *id = r->cfg->rollup[i].spreadsheet_id;
		struct err sub;

		err_init(&sub);
		if ((s = rollup_client_for(r, id, e)) == NULL)
			return -1;
		if (sheets_drive_version(s, &v, &sub) == -1) {
			/* Unreadable: its read says why, in the unreadable tab. */
			read[i] = 1;
		} else {
			if (json_string_value(json_object_get(vers, id)) == NULL ||
			    strcmp(json_string_value(json_object_get(vers, id)), v) != 0)
				read[i] = 1;
			json_object_set_new(vers, id, json_string(v));
			free(v);
		}
		sheets_client_free(s);
	}
	return 0;
}

/*
 * rollup_feed_changed(r, read, e): which sources to read this cycle (read[i]
 * set): all on the first cycle (no page token: one getStartPageToken), else
 * those the changes feed names, those never read, and unreadable ones that
 * may have mended (temporary errors).  Returns 0 or -1 with e set.
 */
int
rollup_feed_changed(struct rollup *r, int *read, struct err *e)
{
	json_t *sources = json_object_get(r->state, "sources"), *j, *ch;
	const char *tok = json_string_value(json_object_get(r->state, "page_token"));
	struct sheets_reply rep;
	json_error_t je;
	char *next = NULL;
	size_t i, k;
	int pages = 0, own = 0;

	for (i = 0; i < r->cfg->nrollup; i++) {
		json_t *en = json_object_get(sources, r->cfg->rollup[i].spreadsheet_id);

		read[i] = tok == NULL || en == NULL ||
		    json_is_true(json_object_get(en, "temporary"));
	}
	if (json_is_true(json_object_get(r->state, "files_get")))
		return by_files_get(r, read, e);
	if (tok == NULL) {
		if (sheets_drive_changes(r->national, NULL, &rep, e) == -1)
			return -1;
		j = json_loadb(rep.body, rep.len, 0, &je);
		sheets_reply_fini(&rep);
		if (!json_is_string(json_object_get(j, "startPageToken"))) {
			json_decref(j);
			err_set(e, ERR_DATA, "Drive changes.getStartPageToken: no startPageToken");
			return -1;
		}
		json_object_set(r->state, "page_token", json_object_get(j, "startPageToken"));
		json_decref(j);
		return 0;
	}
	next = strdup(tok);
	while (next != NULL && pages++ < 100) {
		if (sheets_drive_changes(r->national, next, &rep, e) == -1) {
			free(next);
			return -1;
		}
		free(next);
		next = NULL;
		j = json_loadb(rep.body, rep.len, 0, &je);
		sheets_reply_fini(&rep);
		if (j == NULL) {
			err_set(e, ERR_DATA, "Drive changes.list: not JSON (%s)", je.text);
			return -1;
		}
		json_array_foreach(json_object_get(j, "changes"), k, ch) {
			const char *id = json_string_value(json_object_get(ch, "fileId"));

			if (id != NULL && strcmp(id, r->cfg->spreadsheet_id) == 0)
				own = 1;
			for (i = 0; id != NULL && i < r->cfg->nrollup; i++)
				if (strcmp(r->cfg->rollup[i].spreadsheet_id, id) == 0)
					read[i] = 1;
		}
		if (json_is_string(json_object_get(j, "nextPageToken")))
			next = strdup(json_string_value(json_object_get(j, "nextPageToken")));
		else if (json_is_string(json_object_get(j, "newStartPageToken")))
			json_object_set(r->state, "page_token",
			    json_object_get(j, "newStartPageToken"));
		json_decref(j);
	}
	free(next);
	/*
	 * A known edit: our own write to the national sheet (shared with the
	 * service account like the sources).  A feed that does not report it
	 * does not see files only shared with us (UNCONFIRMED of Google's): fall
	 * back to one files.get per source, from now on.
	 */
	if (json_is_true(json_object_get(r->state, "own_write"))) {
		json_object_set_new(r->state, "own_write", json_false());
		if (own) {
			json_object_set_new(r->state, "feed_confirmed", json_true());
		} else if (!json_is_true(json_object_get(r->state, "feed_confirmed"))) {
			fprintf(stderr, "syncd: rollup: the changes feed did not report "
			    "our own write to the national sheet: it does not see files "
			    "only shared with the service account; falling back to one "
			    "files.get per source per cycle\n");
			json_object_set_new(r->state, "files_get", json_true());
			return by_files_get(r, read, e);
		}
	}
	return 0;
}
