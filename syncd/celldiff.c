/*
 * celldiff: the cell.changed events of a cycle (see celldiff.h).  Every
 * mapped cell of every district tab is compared with the value the last
 * cycle recorded (STATE_DIR/cells.dat, syncd/cellfile); what differs is
 * appended to the audit log, and the new values go into the next cells
 * file, committed with the state.  Never logs, never writes the sheet.
 */
#include "syncd/celldiff.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/run.h"
#include "syncd/sha256.h"

#define CELLDIFF_MAX_KEY	256	/* bytes of a normalised household key */
#define CELLDIFF_VALUE_MAX	(STATE_TEXT_MAX / 2)	/* longer cell values are kept as a hash */

/* The text of a cell as the state keeps it ("" when empty). */
static char *
cell_text(const struct workbook_row *row, int32_t col)
{
	const struct workbook_cell *cl;
	char *s;

	if (col < 0 || (uint32_t)col >= row->ncells)
		return strdup("");
	cl = &row->cells[col];
	if (cl->type == WORKBOOK_EMPTY || cl->text == NULL)
		return strdup("");
	if (cl->len > CELLDIFF_VALUE_MAX) {
		/* Too long to keep verbatim: keep (and audit) its hash. */
		s = malloc(7 + 65);
		if (s != NULL) {
			memcpy(s, "sha256:", 7);
			sha256_hex(cl->text, cl->len, s + 7);
		}
		return s;
	}
	return strndup(cl->text, cl->len);
}

static int
row_is_empty(const struct workbook_row *row)
{
	uint32_t i;

	for (i = 0; i < row->ncells; i++)
		if (row->cells[i].type != WORKBOOK_EMPTY && row->cells[i].len > 0)
			return 0;
	return 1;
}

/* Where a changed cell is, for cellfile_row's callback. */
struct cell_at {
	struct run *r;
	const char *tab;
	uint32_t row;		/* 1-based sheet row */
	const char *key;	/* NULL when the row has none (or a repeated one) */
	const char *const *headings;	/* borrowed: the mapped columns */
	size_t nf;
	int was_empty[RULES_MAX_FIELDS];	/* the previous value was "" */
};

static void
cell_changed(const char *column, const char *old, const char *now, void *ctx)
{
	struct cell_at *at = ctx;
	struct run *r = at->r;
	size_t f;

	/* What the row held before, for record_complete. */
	for (f = 0; f < at->nf; f++)
		if (strcmp(at->headings[f], column) == 0)
			at->was_empty[f] = *old == '\0';
	if (r->audit_rc != 0 || r->baseline)
		return;
	run_audit_ok(r, audit_append_pack(r->c->audit, r->e, "cell.changed",
	    "{s:s, s:I, s:s?, s:s, s:s, s:s}", "tab", at->tab, "row",
	    (json_int_t)at->row, "key", at->key, "column", column, "old", old,
	    "new", now));
}

/*
 * complete(rc, vals, empty): is a row's activity complete in the sense
 * DOMAIN.md gives, less the window (which depends on the day it is judged):
 * the developable status marked, all activity fields filled and the date a
 * valid date.  empty[f] (may be NULL) overrides vals[f] as empty.
 */
static int
complete(const struct rules_config *rc, char *const *vals, const int *empty,
    const int *is_number, size_t nf)
{
	int32_t days;
	size_t f, m;
	int dev = 0;

	for (f = 0; f < nf; f++) {
		const struct rules_field *fd = &rc->fields[f];
		int e = vals[f][0] == '\0' || (empty != NULL && empty[f]);

		if (fd->role == RULES_ROLE_STATUS && fd->developable && !e) {
			dev = 1;
			for (m = 0; m < rc->nmarks_empty; m++)
				if (strcmp(vals[f], rc->marks_empty[m]) == 0)
					dev = 0;
		}
		if (fd->role != RULES_ROLE_ACTIVITY)
			continue;
		if (e)
			return 0;
		if (fd->is_date && rules_date_parse(vals[f], strlen(vals[f]),
		    is_number[f], &days) == -1)
			return 0;
	}
	return dev;
}

/*
 * record_complete(r, at, vals, is_number): a record.complete event when the
 * row's activity is complete now and was not before (every complete row on
 * the baseline): the moment syncd first saw it, which the audit report sets
 * against the activity date as typed.
 */
static void
record_complete(struct run *r, const struct cell_at *at, char *const *vals,
    const int *is_number)
{
	const struct rules_config *rc = &r->cfg->rules;
	const char *date = "";
	size_t f;

	if (r->audit_rc != 0 || !complete(rc, vals, NULL, is_number, at->nf))
		return;
	if (!r->baseline && complete(rc, vals, at->was_empty, is_number, at->nf))
		return;
	for (f = 0; f < at->nf; f++)
		if (rc->fields[f].role == RULES_ROLE_ACTIVITY && rc->fields[f].is_date)
			date = vals[f];
	run_audit_ok(r, audit_append_pack(r->c->audit, r->e, "record.complete",
	    "{s:s, s:I, s:s?, s:s}", "tab", at->tab, "row", (json_int_t)at->row,
	    "key", at->key, "date", date));
}

/*
 * Record the mapped cells of one district tab in the new cells file; audit
 * what differs from the previous one.  A row's identity is its household
 * key, or "#ROW" when it has none or repeats one already seen in the tab.
 */
static int
diff_tab(struct run *r, const struct workbook_tab *t, struct err *e)
{
	const struct rules_config *rc = &r->cfg->rules;
	int32_t cols[RULES_MAX_FIELDS];
	char *vals[RULES_MAX_FIELDS];
	int is_number[RULES_MAX_FIELDS];
	struct cell_at at;
	int keyf = -1, bad;
	uint32_t ri;
	size_t f, nf = rc->nfields < RULES_MAX_FIELDS ? rc->nfields : RULES_MAX_FIELDS;

	rules_map_columns(t, rc, cols);
	for (f = 0; f < nf; f++)
		if (rc->fields[f].role == RULES_ROLE_KEY)
			keyf = (int)f;
	at.r = r;
	at.tab = t->title;
	at.headings = r->headings;
	at.nf = nf;
	for (ri = rc->heading_row; ri < t->nrows; ri++) {
		const struct workbook_row *row = &t->rows[ri];
		char key[CELLDIFF_MAX_KEY], id[CELLDIFF_MAX_KEY + 16];
		int klen = 0;

		if (row_is_empty(row))
			continue;
		if (keyf >= 0 && cols[keyf] >= 0 && (uint32_t)cols[keyf] < row->ncells) {
			const struct workbook_cell *kc = &row->cells[cols[keyf]];

			if (kc->type != WORKBOOK_EMPTY && kc->text != NULL)
				klen = rules_key_normalise(kc->text, kc->len,
				    kc->type == WORKBOOK_NUMBER, key, sizeof(key));
		}
		at.row = ri + 1;
		at.key = NULL;
		if (klen > 0 && !cellfile_has(r->cf, t->title, key)) {
			snprintf(id, sizeof(id), "%s", key);
			at.key = key;
		} else
			snprintf(id, sizeof(id), "#%" PRIu32, ri + 1);
		bad = 0;
		memset(at.was_empty, 0, sizeof(at.was_empty));
		for (f = 0; f < nf; f++) {
			is_number[f] = cols[f] >= 0 && (uint32_t)cols[f] < row->ncells &&
			    row->cells[cols[f]].type == WORKBOOK_NUMBER;
			vals[f] = cols[f] >= 0 ? cell_text(row, cols[f]) : strdup("");
			if (vals[f] == NULL)
				bad = 1;
			else if (*vals[f] != '\0')
				r->cells_recorded++;
		}
		if (bad)
			err_set(e, ERR_NOMEM, "out of memory");
		else if (cellfile_row(r->cf, t->title, id, (const char *const *)vals,
		    cell_changed, &at, e) == -1)
			bad = 1;
		else
			record_complete(r, &at, vals, is_number);
		for (f = 0; f < nf; f++)
			free(vals[f]);
		if (bad || r->audit_rc != 0)
			return -1;
	}
	return 0;
}

/* Cells the previous cycle held in rows the sheet no longer has: changed
 * to "".  A keyed row's number is not kept, so it is null. */
static void
cell_gone(const char *tab, const char *id, const char *column, const char *old,
    void *ctx)
{
	struct run *r = ctx;

	if (r->audit_rc != 0 || r->baseline)
		return;
	/* A removed tab is one tab.removed event, not a cell.changed a cell. */
	if (tabwatch_removed(&r->changes, tab))
		return;
	if (id[0] == '#')
		run_audit_ok(r, audit_append_pack(r->c->audit, r->e, "cell.changed",
		    "{s:s, s:I, s:n, s:s, s:s, s:s}", "tab", tab,
		    "row", (json_int_t)strtoll(id + 1, NULL, 10), "key",
		    "column", column, "old", old, "new", ""));
	else
		run_audit_ok(r, audit_append_pack(r->c->audit, r->e, "cell.changed",
		    "{s:s, s:n, s:s, s:s, s:s, s:s}", "tab", tab, "row",
		    "key", id, "column", column, "old", old, "new", ""));
}

/* cells_recovery(r, lost, e): the recovery event for a lost cells.dat. */
static int
cells_recovery(struct run *r, const char *lost, struct err *e)
{
	int damaged = cellfile_previous_damaged(r->cf);

	return audit_append_pack(r->c->audit, e, "recovery", "{s:s, s:s, s:s, s:b}",
	    "reason", damaged ? "cells.dat damaged" : "cells.dat missing",
	    "file", CELLFILE_NAME, "found", lost, "baseline", r->baseline);
}

int
celldiff_run(struct run *r, struct err *e)
{
	const struct rules_config *rc = &r->cfg->rules;
	size_t i, nf = rc->nfields < RULES_MAX_FIELDS ? rc->nfields : RULES_MAX_FIELDS;
	const char *lost;
	int arc;

	for (i = 0; i < nf; i++)
		r->headings[i] = rc->fields[i].heading;
	if ((r->cf = cellfile_begin(r->cfg->state_dir, r->headings, nf, e)) == NULL)
		return -1;
	/*
	 * cells.dat is a cache: missing (deleted) after a first cycle, or
	 * damaged, it gives a new baseline and one recovery event, never a
	 * failed cycle nor a cell.changed for every cell.
	 */
	lost = cellfile_previous_lost(r->cf);
	r->baseline = cellfile_previous_damaged(r->cf) || (cellfile_previous_rows(r->cf) == 0 &&
	    (lost != NULL || state_version(r->c->state) == NULL));
	if (lost != NULL && (cellfile_previous_damaged(r->cf) || state_cycle(r->c->state) > 0)) {
		if ((arc = cells_recovery(r, lost, e)) != 0)
			return arc;
	}
	r->e = e;
	/* A renamed tab's rows were recorded under its old title. */
	for (i = 0; i < r->changes.n; i++)
		if (r->changes.c[i].kind == TAB_RENAMED &&
		    cellfile_rename(r->cf, r->changes.c[i].old, r->changes.c[i].now, e) == -1)
			return -1;
	for (i = 0; i < r->view->ntabs; i++) {
		const struct workbook_tab *t = &r->view->tabs[i];

		if (!rules_tab_is_district(rc, t))
			continue;
		if (diff_tab(r, t, e) == -1)
			return -1;
	}
	if (cellfile_gone(r->cf, cell_gone, r, e) == -1)
		return -1;
	if (r->audit_rc != 0)
		return r->audit_rc;
	/* A damaged row found while reading back (the header was good). */
	if (lost == NULL && cellfile_previous_damaged(r->cf))
		return cells_recovery(r, cellfile_previous_lost(r->cf), e);
	return 0;
}
