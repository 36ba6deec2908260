/*
 * tabcache: the spreadsheet's tab list (titles, sheetIds, indexes) as the
 * daemon last saw it.  It is read again whenever the spreadsheet's version
 * moved (sheets_get_tabs) and grows by the tabs a write added; it is
 * forgotten on reload and after a refused write.
 * Never logs.
 */
#ifndef SYNCD_TABCACHE_H
#define SYNCD_TABCACHE_H

#include <stdint.h>

#include "auth/err.h"
#include "syncd/sheets.h"
#include "syncd/state.h"

struct tabcache {
	struct sheets_tabs tabs;	/* owned */
	int valid;			/* tabs is the list to use */
};

/* tabcache_fini(tc): forget the list (tc stays usable, invalid). */
void tabcache_fini(struct tabcache *tc);

/* tabcache_discover(tc, sh, e): read the list with one spreadsheets.get.
 * Returns 0, or -1 with e set (tc unchanged). */
int tabcache_discover(struct tabcache *tc, struct sheets *sh, struct err *e);

/* tabcache_take(tc, t): *t (read by the caller) is the list from now on;
 * *t is taken and left empty. */
void tabcache_take(struct tabcache *tc, struct sheets_tabs *t);

/*
 * tabcache_state_trusted(s, basis): does s hold a tab list saved under the
 * configuration basis names ("syncd V; config SHA; today D": the date may
 * differ), so that its sheetIds compare with a list read now?
 */
int tabcache_state_trusted(const struct state *s, const char *basis);

/* tabcache_to_state(tc, s, e): record the list (none when invalid) in s.
 * Returns 0, or -1 with e set. */
int tabcache_to_state(const struct tabcache *tc, struct state *s, struct err *e);

/* tabcache_find(tc, title): the tab of that title, or NULL (borrowed until
 * tc changes). */
const struct sheets_tab *tabcache_find(const struct tabcache *tc, const char *title);

/* tabcache_add(tc, title, id): a tab we added, at the end.  Returns 0, or
 * -1 when out of memory. */
int tabcache_add(struct tabcache *tc, const char *title, int64_t id);

/* tabcache_new_sheet_id(tc, title, avoid): a sheetId for a new tab: a hash
 * of its title, neither in use nor avoid. */
int64_t tabcache_new_sheet_id(const struct tabcache *tc, const char *title, int64_t avoid);

#endif
