/*
 * state: what the daemon must remember across a restart, kept in one JSON
 * file "STATE_DIR/state.json" replaced atomically (temp, fsync, rename,
 * fsync of the directory) by state_save.
 *
 * It holds the last Drive version seen, the cycle counter, what the last
 * evaluation depended on (the basis), the hash of the last rendered summary
 * and discrepancy values, the sheet-edit bookkeeping (the head published in
 * the footer, this instance, another writer), the tab list, the objects
 * syncd made in the sheet, the cells holding its notes, and the first-seen
 * time and fields of each open discrepancy (by its identity key).  The last
 * values of the mapped cells, for cell.changed, are not here but in
 * STATE_DIR/cells.dat (syncd/cellfile.h).  A missing file is a fresh start;
 * a corrupt one is a clear error, never a crash.
 */
#ifndef SYNCD_STATE_H
#define SYNCD_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "auth/err.h"

#define STATE_FILE "state.json"
#define STATE_FILE_MAX (512u * 1024 * 1024)	/* bytes of state.json */
#define STATE_TEXT_MAX (64 * 1024)	/* bytes of one value, key or name */

struct state;

/* state_new(): an empty state (fresh start), or NULL when out of memory. */
struct state *state_new(void);

/* state_free(s): free s; NULL is a no-op. */
void state_free(struct state *s);

/*
 * state_load(dir, e): read dir/state.json.  Returns a new state (free with
 * state_free): the saved one, or an empty one when the file does not exist.
 * Returns NULL with e filled when the file is unreadable (ERR_IO) or corrupt
 * (ERR_DATA, naming the file, line and what is wrong).
 */
struct state *state_load(const char *dir, struct err *e);

/*
 * state_save(s, dir, e): write s to dir/state.json atomically and durably.
 * Returns 0, or -1 with e filled; on failure the previous file is untouched.
 */
int state_save(const struct state *s, const char *dir, struct err *e);

/* Drive version last seen: NULL when none.  The string belongs to s, valid
 * until the next set.  Setters copy; they return 0 or -1 (e filled). */
const char *state_version(const struct state *s);
int state_set_version(struct state *s, const char *version, struct err *e);

/* The cycle counter. */
uint64_t state_cycle(const struct state *s);
void state_set_cycle(struct state *s, uint64_t cycle);

/* Hash of the last rendered summary/discrepancy values: NULL when none. */
const char *state_rendered_hash(const struct state *s);
int state_set_rendered_hash(struct state *s, const char *hash, struct err *e);

/*
 * The audit head ("SEQ:HASH") syncd last wrote to the summary's footer, so
 * that a footer an editor changed is noticed and written again; and this
 * state directory's instance id, shown beside it, so that another syncd
 * writing the same sheet is noticed (issue 12).  NULL when unknown.
 */
const char *state_published_head(const struct state *s);
int state_set_published_head(struct state *s, const char *head, struct err *e);
const char *state_instance(const struct state *s);
int state_set_instance(struct state *s, const char *id, struct err *e);

/*
 * Another syncd writing the same sheet: its instance id (NULL: no
 * conflict), its footer as last seen ("" none), the Drive version then, and
 * the cycles it stayed silent since the sheet changed (0: the sheet has not
 * changed since).  state_set_conflict with other NULL clears it.
 */
const char *state_conflict(const struct state *s, const char **footer,
    const char **version, long *quiet);
int state_set_conflict(struct state *s, const char *other, const char *footer,
    const char *version, long quiet, struct err *e);

/* state_copy_sheet_edits(dst, src, e): the published head, instance and
 * conflict of src into dst.  0 or -1 (ERR_NOMEM). */
int state_copy_sheet_edits(struct state *dst, const struct state *src, struct err *e);

/*
 * What the last evaluation depended on besides the sheet (the daemon's
 * choice: syncd's version, the configuration's SHA-256 and "today"), so an
 * unchanged sheet under an unchanged basis can be skipped after a restart.
 * NULL when none.  Same ownership as state_version.
 */
const char *state_basis(const struct state *s);
int state_set_basis(struct state *s, const char *basis, struct err *e);

/*
 * The spreadsheet's tab list as last discovered, so that a new process (a
 * restart, every `syncd --once`) need not ask for it again.  Titles are owned
 * by the state; state_sheet(s, i) is borrowed until the next change of s.
 */
#define STATE_SHEETS_MAX 1000
struct state_sheet {
	char *title;
	int64_t sheet_id;
	long index;
	long households;	/* a district's households when last evaluated; -1 unknown */
};
size_t state_sheets_count(const struct state *s);
const struct state_sheet *state_sheet(const struct state *s, size_t i);
/* state_sheet_set_households(s, i, n): tab i's household count (-1: unknown). */
void state_sheet_set_households(struct state *s, size_t i, long households);

/* state_sheets_clear(s): forget the tab list (it will be discovered again). */
void state_sheets_clear(struct state *s);
/* state_sheets_add(s, title, id, index, e): append a tab; 0 or -1 with e set. */
int state_sheets_add(struct state *s, const char *title, int64_t sheet_id, long index,
    struct err *e);

/*
 * The objects syncd made in the spreadsheet and keeps (issue 13): a filter
 * view per district, a protected range on each of its tabs, the summary's
 * chart.  kind is "filter_view", "protected_range" or "chart"; name says
 * whose (the district's or the tab's title; "" for the chart); id is
 * Google's.  Strings owned by the state; state_object(s, i) is borrowed
 * until the next change of s.
 */
#define STATE_OBJECTS_MAX 2048
struct state_object {
	char *kind;
	char *name;
	int64_t id;
};
size_t state_objects_count(const struct state *s);
const struct state_object *state_object(const struct state *s, size_t i);
/* state_objects_clear(s): forget them all. */
void state_objects_clear(struct state *s);
/* state_objects_add(s, kind, name, id, e): append one; 0 or -1 with e set. */
int state_objects_add(struct state *s, const char *kind, const char *name, int64_t id,
    struct err *e);

/*
 * The district cells that hold syncd's note (as of the last plan): the next
 * changed cycle reads their notes again, with the cells of its findings, to
 * see what a person did with them.  Rows and columns 0-based.
 */
#define STATE_NOTED_MAX 1000000
struct state_cell {
	int64_t sheet_id;
	uint32_t row, col;
};
size_t state_noted_count(const struct state *s);
const struct state_cell *state_noted(const struct state *s, size_t i);
void state_noted_clear(struct state *s);
int state_noted_add(struct state *s, int64_t sheet_id, uint32_t row, uint32_t col,
    struct err *e);

/*
 * First-seen times of open discrepancies, by identity key.
 * state_first_seen_get returns 1 and fills *t when id is known, else 0.
 * state_first_seen_set adds or replaces: 0, or -1 with e set.
 * state_first_seen_prune keeps only the ids for which keep(id, t, ctx)
 * returns non-zero.
 */
int state_first_seen_get(const struct state *s, const char *id, time_t *t);
int state_first_seen_set(struct state *s, const char *id, time_t t,
    struct err *e);
/*
 * state_first_seen_set_detail(s, id, detail, e): keep detail (copied; the
 * finding's fields as a compact JSON object, or NULL) beside id's first-seen
 * time, saved and loaded with it, so the event that resolves the finding can
 * repeat them.  0, or -1 with e set (id unknown, out of memory).
 * state_first_seen_detail(s, id): that text (belongs to s) or NULL.
 */
int state_first_seen_set_detail(struct state *s, const char *id,
    const char *detail, struct err *e);
const char *state_first_seen_detail(const struct state *s, const char *id);
void state_first_seen_prune(struct state *s,
    int (*keep)(const char *id, time_t t, void *ctx), void *ctx);
size_t state_first_seen_count(const struct state *s);
/*
 * state_first_seen_foreach(s, fn, ctx): fn(id, t, detail, ctx) for every
 * open discrepancy (detail NULL when none; all borrowed for the call), in
 * no particular order; fn must not change s.
 */
void state_first_seen_foreach(const struct state *s,
    void (*fn)(const char *id, time_t t, const char *detail, void *ctx), void *ctx);

#endif
