/*
 * state: the daemon's memory across restarts (see state.h), in memory as
 * plain fields, arrays and one string-keyed hash table (the open
 * discrepancies' first-seen times), and on disk as one JSON file.
 *
 * The file's members are state_file.c's; here it is read whole and parsed
 * with jansson (JSON_REJECT_DUPLICATES), and written through stdio into
 * fsutil_write_atomic.  It must never replace a good state file with a bad
 * one and never crash on a corrupt one.
 */
#include "syncd/state.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rules/hash.h"
#include "syncd/fsutil.h"
#include "syncd/hashseed.h"
#include "syncd/state_file.h"

#define STATE_PATH_MAX 4096

/* ---- a string-keyed open-addressing hash table ------------------------ */

struct smap_ent {
	const char *key;	/* borrowed from val's storage; NULL = empty */
	void *val;		/* owned by the table's user */
	uint64_t h;
};

struct smap {
	struct smap_ent *ents;
	size_t cap, n;		/* cap is 0 or a power of two */
};

static size_t
smap_find(const struct smap *m, const char *key, uint64_t h)
{
	size_t i;

	if (m->cap == 0)
		return SIZE_MAX;
	for (i = h & (m->cap - 1); m->ents[i].key != NULL; i = (i + 1) & (m->cap - 1))
		if (m->ents[i].h == h && strcmp(m->ents[i].key, key) == 0)
			return i;
	return SIZE_MAX;
}

static int
smap_grow(struct smap *m)
{
	struct smap_ent *old = m->ents, *ne;
	size_t oldcap = m->cap, ncap = m->cap ? m->cap * 2 : 16, i, j;

	ne = calloc(ncap, sizeof(*ne));
	if (ne == NULL)
		return -1;
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		for (j = old[i].h & (ncap - 1); ne[j].key != NULL; j = (j + 1) & (ncap - 1))
			;
		ne[j] = old[i];
	}
	free(old);
	m->ents = ne;
	m->cap = ncap;
	return 0;
}

/* smap_put(m, key, h, val): insert key (not present; borrowed for as long
 * as it stays in m).  Returns 0 or -1 (out of memory). */
static int
smap_put(struct smap *m, const char *key, uint64_t h, void *val)
{
	size_t i;

	if ((m->n + 1) * 4 > m->cap * 3 && smap_grow(m) == -1)
		return -1;
	for (i = h & (m->cap - 1); m->ents[i].key != NULL; i = (i + 1) & (m->cap - 1))
		;
	m->ents[i].key = key;
	m->ents[i].h = h;
	m->ents[i].val = val;
	m->n++;
	return 0;
}

/* smap_del(m, i): remove slot i by backward-shift (no tombstones). */
static void
smap_del(struct smap *m, size_t i)
{
	size_t j = i, k, mask = m->cap - 1;

	m->ents[i].key = NULL;
	m->n--;
	for (;;) {
		j = (j + 1) & mask;
		if (m->ents[j].key == NULL)
			return;
		k = m->ents[j].h & mask;
		/* Move j back to i unless its home k lies cyclically in (i, j]. */
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		m->ents[i] = m->ents[j];
		m->ents[j].key = NULL;
		i = j;
	}
}

/* ---- the state -------------------------------------------------------- */

struct st_seen {
	time_t t;
	char *detail;		/* owned: the finding's fields, compact JSON, or NULL */
	char id[];
};

struct state {
	char *version;		/* owned, may be NULL */
	char *rendered_hash;	/* owned, may be NULL */
	char *basis;		/* owned, may be NULL */
	char *published_head;	/* owned, may be NULL: the head last written to the footer */
	char *instance;		/* owned, may be NULL: this state directory's syncd */
	/* Another writer on the sheet (issue 12); conflict_other NULL: none. */
	char *conflict_other;	/* owned: its instance id */
	char *conflict_footer;	/* owned: its footer as last seen */
	char *conflict_version;	/* owned: the Drive version when that footer was seen */
	long conflict_quiet;	/* cycles it stayed silent since the sheet changed */
	struct state_sheet *sheets;	/* owned: the spreadsheet's tab list */
	size_t nsheets, sheetcap;
	struct state_object *objects;	/* owned: syncd's views, protections, chart */
	size_t nobjects, objectcap;
	struct state_cell *noted;	/* owned: cells holding syncd's note */
	size_t nnoted, notedcap;
	uint64_t cycle;
	struct smap seen;	/* id -> struct st_seen */
	uint64_t seed;		/* of seen's hashes: its ids come from the sheet */
};

/* id_hash(s, id): the hash of a first-seen id in s's table. */
static uint64_t
id_hash(const struct state *s, const char *id)
{
	return hash_seeded(s->seed, id, strlen(id));
}

/* utf8_ok(s): s is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
static int
utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int c, need, min;

	while (*p != '\0') {
		c = *p++;
		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1; min = 0x80; c &= 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2; min = 0x800; c &= 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3; min = 0x10000; c &= 0x07;
		} else {
			return 0;
		}
		for (; need > 0; need--, p++) {
			if ((*p & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (*p & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
	}
	return 1;
}

static int
check_text(const char *what, const char *s, struct err *e)
{
	if (strlen(s) > STATE_TEXT_MAX) {
		err_set(e, ERR_DATA, "state: %s longer than %d bytes", what,
		    STATE_TEXT_MAX);
		return -1;
	}
	if (!utf8_ok(s)) {
		err_set(e, ERR_DATA, "state: %s is not valid UTF-8", what);
		return -1;
	}
	return 0;
}

struct state *
state_new(void)
{
	struct state *s = calloc(1, sizeof(*s));

	if (s != NULL)
		s->seed = hashseed_draw();
	return s;
}

void
state_free(struct state *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->seen.cap; i++)
		if (s->seen.ents[i].key != NULL) {
			free(((struct st_seen *)s->seen.ents[i].val)->detail);
			free(s->seen.ents[i].val);
		}
	free(s->seen.ents);
	free(s->version);
	free(s->rendered_hash);
	free(s->basis);
	free(s->published_head);
	free(s->instance);
	free(s->conflict_other);
	free(s->conflict_footer);
	free(s->conflict_version);
	state_sheets_clear(s);
	free(s->sheets);
	state_objects_clear(s);
	free(s->objects);
	free(s->noted);
	free(s);
}

static int
set_str(char **slot, const char *what, const char *v, struct err *e)
{
	char *copy = NULL;

	if (v != NULL) {
		if (check_text(what, v, e) == -1)
			return -1;
		copy = strdup(v);
		if (copy == NULL) {
			err_set(e, ERR_NOMEM, "state: out of memory");
			return -1;
		}
	}
	free(*slot);
	*slot = copy;
	return 0;
}

const char *
state_version(const struct state *s)
{
	return s->version;
}

int
state_set_version(struct state *s, const char *version, struct err *e)
{
	return set_str(&s->version, "version", version, e);
}

uint64_t
state_cycle(const struct state *s)
{
	return s->cycle;
}

void
state_set_cycle(struct state *s, uint64_t cycle)
{
	s->cycle = cycle;
}

const char *
state_rendered_hash(const struct state *s)
{
	return s->rendered_hash;
}

int
state_set_rendered_hash(struct state *s, const char *hash, struct err *e)
{
	return set_str(&s->rendered_hash, "rendered hash", hash, e);
}

const char *
state_published_head(const struct state *s)
{
	return s->published_head;
}

int
state_set_published_head(struct state *s, const char *head, struct err *e)
{
	return set_str(&s->published_head, "published head", head, e);
}

const char *
state_instance(const struct state *s)
{
	return s->instance;
}

int
state_set_instance(struct state *s, const char *id, struct err *e)
{
	return set_str(&s->instance, "instance", id, e);
}

int
state_copy_sheet_edits(struct state *dst, const struct state *src, struct err *e)
{
	if (state_set_published_head(dst, src->published_head, e) == -1 ||
	    state_set_instance(dst, src->instance, e) == -1)
		return -1;
	if (src->conflict_other == NULL)
		return state_set_conflict(dst, NULL, NULL, NULL, 0, e);
	return state_set_conflict(dst, src->conflict_other, src->conflict_footer,
	    src->conflict_version, src->conflict_quiet, e);
}

const char *
state_conflict(const struct state *s, const char **footer, const char **version,
    long *quiet)
{
	if (footer != NULL)
		*footer = s->conflict_footer != NULL ? s->conflict_footer : "";
	if (version != NULL)
		*version = s->conflict_version != NULL ? s->conflict_version : "";
	if (quiet != NULL)
		*quiet = s->conflict_quiet;
	return s->conflict_other;
}

int
state_set_conflict(struct state *s, const char *other, const char *footer,
    const char *version, long quiet, struct err *e)
{
	if (other == NULL) {
		free(s->conflict_other);
		free(s->conflict_footer);
		free(s->conflict_version);
		s->conflict_other = s->conflict_footer = s->conflict_version = NULL;
		s->conflict_quiet = 0;
		return 0;
	}
	if (set_str(&s->conflict_other, "conflict", other, e) == -1 ||
	    set_str(&s->conflict_footer, "conflict footer", footer != NULL ? footer : "",
	    e) == -1 ||
	    set_str(&s->conflict_version, "conflict version", version != NULL ? version : "",
	    e) == -1)
		return -1;
	s->conflict_quiet = quiet;
	return 0;
}

const char *
state_basis(const struct state *s)
{
	return s->basis;
}

int
state_set_basis(struct state *s, const char *basis, struct err *e)
{
	return set_str(&s->basis, "basis", basis, e);
}

size_t
state_sheets_count(const struct state *s)
{
	return s->nsheets;
}

const struct state_sheet *
state_sheet(const struct state *s, size_t i)
{
	return i < s->nsheets ? &s->sheets[i] : NULL;
}

void
state_sheets_clear(struct state *s)
{
	size_t i;

	for (i = 0; i < s->nsheets; i++)
		free(s->sheets[i].title);
	s->nsheets = 0;
}

size_t
state_noted_count(const struct state *s)
{
	return s->nnoted;
}

const struct state_cell *
state_noted(const struct state *s, size_t i)
{
	return i < s->nnoted ? &s->noted[i] : NULL;
}

void
state_noted_clear(struct state *s)
{
	s->nnoted = 0;
}

int
state_noted_add(struct state *s, int64_t sheet_id, uint32_t row, uint32_t col,
    struct err *e)
{
	struct state_cell *n;

	if (s->nnoted == STATE_NOTED_MAX) {
		err_set(e, ERR_DATA, "state: more than %d noted cells", STATE_NOTED_MAX);
		return -1;
	}
	if (s->nnoted == s->notedcap) {
		size_t cap = s->notedcap ? s->notedcap * 2 : 64;

		n = realloc(s->noted, cap * sizeof(*n));
		if (n == NULL) {
			err_set(e, ERR_NOMEM, "state: out of memory");
			return -1;
		}
		s->noted = n;
		s->notedcap = cap;
	}
	s->noted[s->nnoted].sheet_id = sheet_id;
	s->noted[s->nnoted].row = row;
	s->noted[s->nnoted].col = col;
	s->nnoted++;
	return 0;
}

size_t
state_objects_count(const struct state *s)
{
	return s->nobjects;
}

const struct state_object *
state_object(const struct state *s, size_t i)
{
	return i < s->nobjects ? &s->objects[i] : NULL;
}

void
state_objects_clear(struct state *s)
{
	size_t i;

	for (i = 0; i < s->nobjects; i++) {
		free(s->objects[i].kind);
		free(s->objects[i].name);
	}
	s->nobjects = 0;
}

int
state_objects_add(struct state *s, const char *kind, const char *name, int64_t id,
    struct err *e)
{
	struct state_object *n;
	char *k = NULL, *nm = NULL;

	if (s->nobjects == STATE_OBJECTS_MAX) {
		err_set(e, ERR_DATA, "state: more than %d objects", STATE_OBJECTS_MAX);
		return -1;
	}
	if (set_str(&k, "object kind", kind, e) == -1)
		return -1;
	if (set_str(&nm, "object name", name, e) == -1) {
		free(k);
		return -1;
	}
	if (s->nobjects == s->objectcap) {
		size_t cap = s->objectcap ? s->objectcap * 2 : 16;

		n = realloc(s->objects, cap * sizeof(*n));
		if (n == NULL) {
			free(k);
			free(nm);
			err_set(e, ERR_NOMEM, "state: out of memory");
			return -1;
		}
		s->objects = n;
		s->objectcap = cap;
	}
	s->objects[s->nobjects].kind = k;
	s->objects[s->nobjects].name = nm;
	s->objects[s->nobjects].id = id;
	s->nobjects++;
	return 0;
}

int
state_sheets_add(struct state *s, const char *title, int64_t sheet_id, long index,
    struct err *e)
{
	struct state_sheet *n;
	char *copy = NULL;

	if (s->nsheets == STATE_SHEETS_MAX) {
		err_set(e, ERR_DATA, "state: more than %d tabs", STATE_SHEETS_MAX);
		return -1;
	}
	if (set_str(&copy, "tab title", title, e) == -1)
		return -1;
	if (s->nsheets == s->sheetcap) {
		size_t cap = s->sheetcap ? s->sheetcap * 2 : 16;

		n = realloc(s->sheets, cap * sizeof(*n));
		if (n == NULL) {
			free(copy);
			err_set(e, ERR_NOMEM, "state: out of memory");
			return -1;
		}
		s->sheets = n;
		s->sheetcap = cap;
	}
	s->sheets[s->nsheets].title = copy;
	s->sheets[s->nsheets].sheet_id = sheet_id;
	s->sheets[s->nsheets].index = index;
	s->sheets[s->nsheets].households = -1;
	s->nsheets++;
	return 0;
}

void
state_sheet_set_households(struct state *s, size_t i, long households)
{
	if (i < s->nsheets)
		s->sheets[i].households = households < 0 ? -1 : households;
}

int
state_first_seen_get(const struct state *s, const char *id, time_t *t)
{
	size_t i = smap_find(&s->seen, id, id_hash(s, id));

	if (i == SIZE_MAX)
		return 0;
	*t = ((const struct st_seen *)s->seen.ents[i].val)->t;
	return 1;
}

int
state_first_seen_set(struct state *s, const char *id, time_t t, struct err *e)
{
	uint64_t h = id_hash(s, id);
	size_t i = smap_find(&s->seen, id, h), len;
	struct st_seen *f;

	if (i != SIZE_MAX) {
		((struct st_seen *)s->seen.ents[i].val)->t = t;
		return 0;
	}
	if (check_text("discrepancy id", id, e) == -1)
		return -1;
	len = strlen(id);
	f = malloc(sizeof(*f) + len + 1);
	if (f == NULL)
		goto nomem;
	f->t = t;
	f->detail = NULL;
	memcpy(f->id, id, len + 1);
	if (smap_put(&s->seen, f->id, h, f) == -1) {
		free(f);
		goto nomem;
	}
	return 0;
nomem:
	err_set(e, ERR_NOMEM, "state: out of memory");
	return -1;
}

int
state_first_seen_set_detail(struct state *s, const char *id, const char *detail,
    struct err *e)
{
	size_t i = smap_find(&s->seen, id, id_hash(s, id));
	struct st_seen *f;
	char *copy = NULL;

	if (i == SIZE_MAX) {
		err_set(e, ERR_DATA, "state: no first-seen time for \"%s\"", id);
		return -1;
	}
	if (detail != NULL && (copy = strdup(detail)) == NULL) {
		err_set(e, ERR_NOMEM, "state: out of memory");
		return -1;
	}
	f = s->seen.ents[i].val;
	free(f->detail);
	f->detail = copy;
	return 0;
}

const char *
state_first_seen_detail(const struct state *s, const char *id)
{
	size_t i = smap_find(&s->seen, id, id_hash(s, id));

	if (i == SIZE_MAX)
		return NULL;
	return ((const struct st_seen *)s->seen.ents[i].val)->detail;
}

void
state_first_seen_prune(struct state *s,
    int (*keep)(const char *id, time_t t, void *ctx), void *ctx)
{
	size_t i = 0;
	struct st_seen *f;

	/* Backward-shift deletion may move a later entry into slot i, so only
	 * advance when slot i was kept.  An entry that wraps from the end to
	 * the start may be asked twice; keep() must be a pure predicate. */
	while (i < s->seen.cap) {
		f = s->seen.ents[i].val;
		if (s->seen.ents[i].key != NULL && !keep(f->id, f->t, ctx)) {
			smap_del(&s->seen, i);
			free(f->detail);
			free(f);
			continue;
		}
		i++;
	}
}

size_t
state_first_seen_count(const struct state *s)
{
	return s->seen.n;
}

void
state_first_seen_foreach(const struct state *s,
    void (*fn)(const char *id, time_t t, const char *detail, void *ctx), void *ctx)
{
	const struct st_seen *f;
	size_t i;

	for (i = 0; i < s->seen.cap; i++) {
		if (s->seen.ents[i].key == NULL)
			continue;
		f = s->seen.ents[i].val;
		fn(f->id, f->t, f->detail, ctx);
	}
}

/* ---- saving and loading (the members: state_file.c) ---------------- */

static int
write_state(FILE *f, void *ctx, struct err *e)
{
	(void)e;	/* a failed write is f's error, which fsutil checks */
	state_file_write(f, ctx);
	return 0;
}

static int
state_path(const char *dir, char *out, size_t size, struct err *e)
{
	int n = snprintf(out, size, "%s/%s", dir, STATE_FILE);

	if (n < 0 || (size_t)n >= size) {
		err_set(e, ERR_IO, "%s: path too long", dir);
		return -1;
	}
	return 0;
}

int
state_save(const struct state *s, const char *dir, struct err *e)
{
	char path[STATE_PATH_MAX];

	if (state_path(dir, path, sizeof(path), e) == -1)
		return -1;
	/* fsutil only reads through ctx; the cast drops const for its type. */
	return fsutil_write_atomic(path, 0600, write_state, (void *)(uintptr_t)s, e);
}

struct state *
state_load(const char *dir, struct err *e)
{
	char path[STATE_PATH_MAX];
	json_error_t jerr;
	struct state *s;
	struct err sub;
	json_t *doc;
	char *buf;
	size_t len;

	if (state_path(dir, path, sizeof(path), e) == -1)
		return NULL;
	s = state_new();
	if (s == NULL) {
		err_set(e, ERR_NOMEM, "state: out of memory");
		return NULL;
	}
	err_init(&sub);
	if (fsutil_read_file(path, STATE_FILE_MAX, &buf, &len, &sub) == -1) {
		if (sub.code == ERR_NOINPUT && errno == ENOENT)
			return s;	/* first start */
		err_set(e, sub.code == ERR_NOINPUT ? ERR_IO : sub.code, "%s",
		    sub.msg);
		state_free(s);
		return NULL;
	}
	doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	if (doc == NULL) {
		err_set(e, ERR_DATA, "%s:%d: corrupt state: %s", path, jerr.line,
		    jerr.text);
		state_free(s);
		return NULL;
	}
	if (state_file_read(s, doc, path, e) == -1) {
		json_decref(doc);
		state_free(s);
		return NULL;
	}
	json_decref(doc);
	/* The parse tree of a large state is several times the state itself;
	 * hand that peak back to the system rather than keep it mapped. */
	malloc_trim(0);
	return s;
}
