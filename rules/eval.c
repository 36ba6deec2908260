/*
 * eval: one evaluation's findings, household keys and message text (see
 * eval.h).  Pure: libc only, no I/O, no globals.
 */
#include "rules/eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/hash.h"

struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

void
eval_init(struct eval *ev, const struct rules_config *cfg, int32_t today)
{
	memset(ev, 0, sizeof(*ev));
	ev->cfg = cfg;
	ev->today = today;
	cell_markset_init(&ev->set, cfg->marks_set, cfg->nmarks_set);
	cell_markset_init(&ev->empty, cfg->marks_empty, cfg->nmarks_empty);
}

char *
eval_dupstr(struct eval *ev, const char *s)
{
	char *p;
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	if ((p = malloc(n + 1)) == NULL) {
		ev->oom = 1;
		return NULL;
	}
	memcpy(p, s, n + 1);
	return p;
}

static char *
arena_dup(struct eval *ev, const char *s, size_t n)
{
	struct chunk *c = ev->arena;
	size_t size;
	char *p;

	if (c == NULL || c->size - c->used < n + 1) {
		size = n + 1 > 65536 ? n + 1 : 65536;
		if ((c = malloc(sizeof(*c) + size)) == NULL) {
			ev->oom = 1;
			return NULL;
		}
		c->next = ev->arena;
		c->used = 0;
		c->size = size;
		ev->arena = c;
	}
	p = c->data + c->used;
	memcpy(p, s, n);
	p[n] = '\0';
	c->used += n + 1;
	return p;
}

enum rules_severity
eval_severity(const struct eval *ev, int32_t deadline)
{
	return ev->today <= deadline ? RULES_WARNING : RULES_ERROR;
}

/*
 * Record a finding.  tab NULL: sheet-level.  col: field index or -1; its
 * column text is the tab's heading (colname) unless column is given.
 */
void
eval_add(struct eval *ev, enum rule rule, enum rules_severity sev, uint32_t row,
    const char *key, int col, const char *column, const char *msg)
{
	struct item *it, *n;
	size_t cap;
	char *p;

	if (ev->oom)
		return;
	if (ev->nitems == ev->capitems) {
		cap = ev->capitems ? ev->capitems * 2 : 64;
		if ((n = realloc(ev->items, cap * sizeof(*n))) == NULL) {
			ev->oom = 1;
			return;
		}
		ev->items = n;
		ev->capitems = cap;
	}
	it = &ev->items[ev->nitems];
	memset(it, 0, sizeof(*it));
	it->f.rule = rules_id_at(rule);
	it->f.severity = sev;
	it->f.row = row;
	it->tabix = ev->title != NULL ? ev->tabix : SIZE_MAX;
	it->col = col;
	it->rule = rule;
	it->seq = ev->nitems;
	if (column == NULL && col >= 0)
		column = ev->colname[col];
	it->f.tab = eval_dupstr(ev, ev->title);
	it->f.key = eval_dupstr(ev, key);
	it->f.column = eval_dupstr(ev, column);
	it->f.message = eval_dupstr(ev, msg);
	/* One line, whatever a tab title or configured name holds. */
	for (p = it->f.message; p != NULL && *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	/* Count it even if a copy failed: the item is released either way. */
	ev->nitems++;
	if (ev->sum != NULL && ev->title != NULL) {
		if (sev == RULES_ERROR)
			ev->sum->errors++;
		else
			ev->sum->warnings++;
	}
}

/* Length of s truncated to at most max bytes at a UTF-8 boundary. */
static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* Append s (at most max bytes of it) to buf[*len], cut at UTF-8 bounds. */
void
eval_append(char *buf, size_t *len, size_t size, const char *s, size_t max)
{
	size_t n = strlen(s);

	n = utf8_cut(s, n, max);
	n = utf8_cut(s, n, size - 1 - *len);
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

/* A cell's text for a message: one line, at most ECHO_MAX bytes + "…". */
void
eval_echo(const struct workbook_cell *c, char *out, size_t size)
{
	char tmp[4 * ECHO_MAX];
	size_t in, n;
	int k;

	out[0] = '\0';
	if (c == NULL || c->text == NULL)
		return;
	in = utf8_cut(c->text, c->len, sizeof(tmp) - 1);
	if ((k = cell_heading_normalise(c->text, in, tmp, sizeof(tmp))) < 0)
		return;
	n = utf8_cut(tmp, (size_t)k, ECHO_MAX);
	if (n + sizeof("…") > size)
		return;
	memcpy(out, tmp, n);
	out[n] = '\0';
	if (n < (size_t)k || in < c->len)
		memcpy(out + n, "…", sizeof("…"));
}

/* Names of the fields idx[0..n) whose flag is set, joined by ", ". */
void
eval_join_names(struct eval *ev, const int *idx, const int *flag, size_t n,
    char *buf, size_t *len, size_t size)
{
	size_t i;
	int first = 1;

	for (i = 0; i < n; i++) {
		if (!flag[i])
			continue;
		if (!first)
			eval_append(buf, len, size, ", ", 2);
		eval_append(buf, len, size, ev->colname[idx[i]] ?
		    ev->colname[idx[i]] : "", NAME_MAX_BYTES);
		first = 0;
	}
}

/*
 * eval_reserve_keys(ev, n): room for n keys (rules_evaluate passes the rows it
 * will read, an upper bound), the index at most half full.  Also the growth
 * path should a bound ever be short.  Returns 0, or -1 out of memory.
 */
int
eval_reserve_keys(struct eval *ev, size_t n)
{
	struct seen *ns;
	uint32_t *nslot;
	size_t cap = 1024, i, j;

	if (n <= ev->capseen)
		return 0;
	while (cap < 2 * n)
		cap *= 2;
	if (n > UINT32_MAX - 1 || (ns = realloc(ev->seen, n * sizeof(*ns))) == NULL) {
		ev->oom = 1;
		return -1;
	}
	ev->seen = ns;
	ev->capseen = n;
	if (cap <= ev->capslot)
		return 0;
	if ((nslot = calloc(cap, sizeof(*nslot))) == NULL) {
		ev->oom = 1;
		return -1;
	}
	for (i = 0; i < ev->nseen; i++) {
		for (j = ev->seen[i].hash & (cap - 1); nslot[j] != 0; j = (j + 1) & (cap - 1))
			;
		nslot[j] = (uint32_t)i + 1;
	}
	free(ev->slot);
	ev->slot = nslot;
	ev->capslot = cap;
	return 0;
}

/*
 * Remember key at row of the current tab.  Returns the earlier occurrence
 * when the key was seen before, NULL otherwise (or out of memory).
 */
const struct seen *
eval_key_seen(struct eval *ev, const char *key, size_t n, uint32_t row)
{
	/* The table masks the low bits, and hash_seeded's are mixed. */
	uint32_t h = (uint32_t)hash_seeded(ev->cfg->hash_seed, key, n);
	struct seen *s;
	size_t j, mask;

	if (ev->nseen == ev->capseen &&
	    eval_reserve_keys(ev, ev->capseen ? ev->capseen * 2 : 1024) < 0)
		return NULL;
	mask = ev->capslot - 1;
	for (j = h & mask; ev->slot[j] != 0; j = (j + 1) & mask) {
		s = &ev->seen[ev->slot[j] - 1];
		if (s->hash == h && strcmp(s->key, key) == 0)
			return s;
	}
	s = &ev->seen[ev->nseen];
	if ((s->key = arena_dup(ev, key, n)) == NULL)
		return NULL;
	s->hash = h;
	s->row = row;
	s->tab = ev->title;
	ev->slot[j] = (uint32_t)++ev->nseen;
	return NULL;
}

static int
item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->f.severity != y->f.severity)
		return x->f.severity < y->f.severity ? -1 : 1;
	if (x->tabix != y->tabix)
		return x->tabix < y->tabix ? -1 : 1;
	if (x->f.row != y->f.row)
		return x->f.row < y->f.row ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int
eval_report(struct eval *ev, struct rules_report *out)
{
	size_t i;

	if (ev->nitems == 0)
		return 0;
	qsort(ev->items, ev->nitems, sizeof(*ev->items), item_cmp);
	out->findings = malloc(ev->nitems * sizeof(*out->findings));
	if (out->findings == NULL)
		return -1;
	for (i = 0; i < ev->nitems; i++)
		out->findings[i] = ev->items[i].f;
	out->nfindings = ev->nitems;
	ev->nitems = 0;	/* the strings now belong to the report */
	return 0;
}

void
eval_fini(struct eval *ev)
{
	struct chunk *c, *next;
	size_t i;

	for (c = ev->arena; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(ev->seen);
	free(ev->slot);
	free(ev->keybuf);
	for (i = 0; i < RULES_MAX_FIELDS; i++)
		free(ev->colname[i]);
	if (ev->items != NULL) {
		for (i = 0; i < ev->nitems; i++) {
			free(ev->items[i].f.tab);
			free(ev->items[i].f.key);
			free(ev->items[i].f.column);
			free(ev->items[i].f.message);
		}
		free(ev->items);
	}
}
