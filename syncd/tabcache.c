/*
 * tabcache: the tab list kept across cycles (see tabcache.h).
 */
#include "syncd/tabcache.h"

#include <stdlib.h>
#include <string.h>

#include "rules/hash.h"

void
tabcache_fini(struct tabcache *tc)
{
	sheets_tabs_fini(&tc->tabs);
	tc->valid = 0;
}

int
tabcache_discover(struct tabcache *tc, struct sheets *sh, struct err *e)
{
	struct sheets_tabs t;

	if (sheets_get_tabs(sh, &t, e) == -1)
		return -1;
	tabcache_take(tc, &t);
	return 0;
}

void
tabcache_take(struct tabcache *tc, struct sheets_tabs *t)
{
	sheets_tabs_fini(&tc->tabs);
	tc->tabs = *t;
	tc->valid = 1;
	t->tabs = NULL;
	t->n = 0;
}

/*
 * The part of a basis that names the configuration ("syncd V; config SHA"):
 * a tab list saved under another configuration (perhaps another
 * spreadsheet) is not trusted.
 */
static size_t
basis_config_len(const char *basis)
{
	const char *p = strstr(basis, "; today ");

	return p != NULL ? (size_t)(p - basis) : strlen(basis);
}

int
tabcache_state_trusted(const struct state *s, const char *basis)
{
	const char *old = state_basis(s);
	size_t len = basis_config_len(basis);

	return state_sheets_count(s) > 0 && old != NULL &&
	    basis_config_len(old) == len && strncmp(old, basis, len) == 0;
}

int
tabcache_to_state(const struct tabcache *tc, struct state *s, struct err *e)
{
	size_t i;

	state_sheets_clear(s);
	if (!tc->valid)
		return 0;
	for (i = 0; i < tc->tabs.n; i++)
		if (state_sheets_add(s, tc->tabs.tabs[i].title, tc->tabs.tabs[i].sheet_id,
		    tc->tabs.tabs[i].index, e) == -1)
			return -1;
	return 0;
}

const struct sheets_tab *
tabcache_find(const struct tabcache *tc, const char *title)
{
	size_t i;

	for (i = 0; i < tc->tabs.n; i++)
		if (strcmp(tc->tabs.tabs[i].title, title) == 0)
			return &tc->tabs.tabs[i];
	return NULL;
}

int
tabcache_add(struct tabcache *tc, const char *title, int64_t id)
{
	struct sheets_tab *t;
	char *copy;

	if ((copy = strdup(title)) == NULL)
		return -1;
	t = realloc(tc->tabs.tabs, (tc->tabs.n + 1) * sizeof(*t));
	if (t == NULL) {
		free(copy);
		return -1;
	}
	tc->tabs.tabs = t;
	t[tc->tabs.n].title = copy;
	t[tc->tabs.n].sheet_id = id;
	t[tc->tabs.n].index = (long)tc->tabs.n;
	tc->tabs.n++;
	return 0;
}

int64_t
tabcache_new_sheet_id(const struct tabcache *tc, const char *title, int64_t avoid)
{
	/* The tree's one hash, unseeded: the same title, the same id. */
	int64_t id = (int64_t)(hash_seeded(0, title, strlen(title)) & 0x7fffffff);
	size_t i;
	int used;

	do {
		if (id == 0)
			id = 1;
		used = id == avoid;
		for (i = 0; i < tc->tabs.n && !used; i++)
			used = tc->tabs.tabs[i].sheet_id == id;
		if (used)
			id = (id + 1) & 0x7fffffff;
	} while (used);
	return id;
}
