/*
 * tabwatch: what editors did to the spreadsheet's tabs between two cycles,
 * told by sheetId rather than by title (issue 12): a renamed tab keeps its
 * sheetId, a removed one is gone from the list.  Also the small helpers a
 * cycle needs to carry a discrepancy's identity ("rule|tab|who|column")
 * across a rename, and this state directory's instance id.  Pure apart from
 * tabwatch_new_instance (getrandom); never logs.
 */
#ifndef SYNCD_TABWATCH_H
#define SYNCD_TABWATCH_H

#include <stddef.h>
#include <stdint.h>

#include "auth/err.h"
#include "syncd/sheets.h"
#include "syncd/state.h"

enum tab_change_kind {
	TAB_RENAMED = 1,
	TAB_REMOVED,
};

/* One change; strings borrowed from the two lists given to tabwatch_diff. */
struct tab_change {
	enum tab_change_kind kind;
	int64_t sheet_id;
	const char *old;	/* the title in the previous list */
	const char *now;	/* the title now; NULL when removed */
	long households;	/* removed: the households it had when last evaluated, -1 unknown */
};

struct tab_changes {
	struct tab_change *c;	/* owned */
	size_t n;
};

/*
 * tabwatch_diff(old, now, out, e): the previous cycle's tab list (as saved
 * in the state: title, sheetId, households) against the one just listed, in
 * the previous list's order.  A tab added is no change here (it simply
 * appears).  Returns 0 with *out filled (tabwatch_fini), or -1 (ERR_NOMEM).
 */
int tabwatch_diff(const struct state *old, const struct sheets_tabs *now,
    struct tab_changes *out, struct err *e);

/* tabwatch_fini(t): free t's array; safe twice. */
void tabwatch_fini(struct tab_changes *t);

/* tabwatch_renamed_from(t, title): the old title of a tab renamed title, or NULL. */
const char *tabwatch_renamed_from(const struct tab_changes *t, const char *title);

/* tabwatch_removed(t, title): non-zero when a tab titled title was removed. */
int tabwatch_removed(const struct tab_changes *t, const char *title);

/*
 * tabwatch_id_tab(id, tab): non-zero when the discrepancy identity id
 * ("rule|tab|who|column", rule ids hold no '|') is on tab.
 */
int tabwatch_id_tab(const char *id, const char *tab);

/*
 * tabwatch_retab(id, old, now): id with its tab old replaced by now (owned),
 * or NULL when id is not on old (or out of memory).
 */
char *tabwatch_retab(const char *id, const char *old, const char *now);

#define TABWATCH_INSTANCE_LEN 16	/* hex digits of an instance id */

/*
 * tabwatch_new_instance(out): a new random instance id, 16 lower-case hex
 * digits and a NUL.  Returns 0, or -1 with e set (no randomness).
 */
int tabwatch_new_instance(char out[TABWATCH_INSTANCE_LEN + 1], struct err *e);

#endif
