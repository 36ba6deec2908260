/*
 * tabwatch: tab renames and removals by sheetId, discrepancy identities
 * carried across a rename, the instance id (see tabwatch.h).
 */
#include "syncd/tabwatch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

int
tabwatch_diff(const struct state *old, const struct sheets_tabs *now,
    struct tab_changes *out, struct err *e)
{
	size_t i, j, n = old != NULL ? state_sheets_count(old) : 0;

	out->c = NULL;
	out->n = 0;
	if (n == 0)
		return 0;
	if ((out->c = calloc(n, sizeof(*out->c))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct state_sheet *sh = state_sheet(old, i);
		const struct sheets_tab *t = NULL;

		for (j = 0; j < now->n && t == NULL; j++)
			if (now->tabs[j].sheet_id == sh->sheet_id)
				t = &now->tabs[j];
		if (t != NULL && strcmp(t->title, sh->title) == 0)
			continue;
		out->c[out->n].kind = t != NULL ? TAB_RENAMED : TAB_REMOVED;
		out->c[out->n].sheet_id = sh->sheet_id;
		out->c[out->n].old = sh->title;
		out->c[out->n].now = t != NULL ? t->title : NULL;
		out->c[out->n].households = sh->households;
		out->n++;
	}
	return 0;
}

void
tabwatch_fini(struct tab_changes *t)
{
	free(t->c);
	t->c = NULL;
	t->n = 0;
}

const char *
tabwatch_renamed_from(const struct tab_changes *t, const char *title)
{
	size_t i;

	for (i = 0; t != NULL && i < t->n; i++)
		if (t->c[i].kind == TAB_RENAMED && strcmp(t->c[i].now, title) == 0)
			return t->c[i].old;
	return NULL;
}

int
tabwatch_removed(const struct tab_changes *t, const char *title)
{
	size_t i;

	for (i = 0; t != NULL && i < t->n; i++)
		if (t->c[i].kind == TAB_REMOVED && strcmp(t->c[i].old, title) == 0)
			return 1;
	return 0;
}

/* Where the tab starts in an identity ("rule|tab|..."), or NULL. */
static const char *
id_tab_start(const char *id)
{
	const char *p = strchr(id, '|');

	return p != NULL ? p + 1 : NULL;
}

int
tabwatch_id_tab(const char *id, const char *tab)
{
	const char *p = id_tab_start(id);
	size_t n = strlen(tab);

	return p != NULL && strncmp(p, tab, n) == 0 && p[n] == '|';
}

char *
tabwatch_retab(const char *id, const char *old, const char *now)
{
	const char *p = id_tab_start(id);
	size_t head, olen = strlen(old), nlen = strlen(now), tail;
	char *s;

	if (!tabwatch_id_tab(id, old))
		return NULL;
	head = (size_t)(p - id);
	tail = strlen(p + olen);
	if ((s = malloc(head + nlen + tail + 1)) == NULL)
		return NULL;
	memcpy(s, id, head);
	memcpy(s + head, now, nlen);
	memcpy(s + head + nlen, p + olen, tail + 1);
	return s;
}

int
tabwatch_new_instance(char out[TABWATCH_INSTANCE_LEN + 1], struct err *e)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char b[TABWATCH_INSTANCE_LEN / 2];
	ssize_t n;
	size_t i;

	do
		n = getrandom(b, sizeof(b), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(b)) {
		err_set(e, ERR_IO, "getrandom: %s", n < 0 ? strerror(errno) : "short read");
		return -1;
	}
	for (i = 0; i < sizeof(b); i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[TABWATCH_INSTANCE_LEN] = '\0';
	return 0;
}
