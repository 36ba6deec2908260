/*
 * annotate: flags where district staff look (issue 13).  Each finding on a
 * cell of a district tab gets a note on that cell, in Thai, marked with a
 * first line WRITER_NOTE_MARK; each district gets a filter view of the
 * discrepancy tab; syncd's two tabs get a warning-only protected range; the
 * summary tab gets a column chart of ร้อยละ per district.
 *
 * It plans; the cycle reads and writes.  What is on the sheet comes from
 * the changed cycle's tab list, which reads the notes and syncd's objects
 * too (syncd/tabnotes: one read, no extra one), as a struct annotate_seen;
 * annotate_plan() compares what is there with what should be and gives the
 * requests to append to the cycle's one atomic batchUpdate;
 * annotate_commit() takes the ids Google gave the new objects from that
 * batchUpdate's reply into the state.
 *
 * Rules it keeps: a note is written with the field mask "note" only, so no
 * value, format or validation of a district tab can change; a note without
 * the mark is a person's and is never replaced or removed (the finding's
 * row in the discrepancy tab says so instead); only marked notes are
 * replaced or removed.  Pure apart from memory: no I/O, no clock.
 */
#ifndef SYNCD_ANNOTATE_H
#define SYNCD_ANNOTATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/err.h"
#include "rules/rules.h"
#include "syncd/state.h"

#define ANNOTATE_MAX_NOTES	1000000	/* notes read back in one answer */
#define ANNOTATE_MAX_OBJECTS	10000	/* views, protections, charts read back */
#define ANNOTATE_MAX_CELLS	5000	/* flagged cells noted (the rest: in the tab only) */

/* One tab of the spreadsheet, as the cycle knows it.  title borrowed. */
struct annotate_tab {
	const char *title;
	int64_t sheet_id;
	int district;		/* evaluated as a district */
	uint32_t nrows;		/* rows it holds */
};

/* What the read found.  Everything owned; release with annotate_seen_fini. */
struct annotate_note {
	int64_t sheet_id;
	uint32_t row, col;	/* 0-based */
	char *text;		/* syncd's marked note; NULL: a person's (never ours to touch) */
};
struct annotate_seen {
	struct annotate_note *notes;
	size_t nnotes;
	int64_t *ids;		/* every protectedRangeId, filterViewId and chartId */
	size_t nids;
	int64_t *read;		/* the sheetIds whose notes were read */
	size_t nread;
	int64_t *charted;	/* the sheetIds (of tabs whose objects were read) with a chart */
	size_t ncharted;
};

/*
 * annotate_seen_add_note(s, sheet, row, col, text, e): one note read back;
 * text (borrowed) is kept only when it carries syncd's mark.  Returns 0, or
 * -1 with e set (ERR_DATA: a cell outside 32 bits, more than
 * ANNOTATE_MAX_NOTES; ERR_NOMEM).
 */
int annotate_seen_add_note(struct annotate_seen *s, int64_t sheet, int64_t row, int64_t col,
    const char *text, struct err *e);

/*
 * annotate_seen_add_id(s, list, id, e): an id read back: to s->ids (list 0,
 * at most ANNOTATE_MAX_OBJECTS), s->read (1) or s->charted (2).  Returns 0,
 * or -1 with e set (ERR_DATA past the limit; ERR_NOMEM).
 */
int annotate_seen_add_id(struct annotate_seen *s, int list, int64_t id, struct err *e);

/* annotate_seen_has(list, n, id): is id among list[0..n)? */
int annotate_seen_has(const int64_t *list, size_t n, int64_t id);

struct annotate_in;

/*
 * annotate_locate(r, wb, cfg, e): the 0-based column of each finding's cell
 * (the mapped column whose heading is the finding's column), -1 where there
 * is none (sheet- and tab-level findings).  wb is the workbook r was
 * evaluated from.  Returns a malloc'd array of r->nfindings entries (at
 * least one), or NULL with e set (ERR_NOMEM).
 */
int32_t *annotate_locate(const struct rules_report *r, const struct workbook *wb,
    const struct rules_config *cfg, struct err *e);

/*
 * annotate_link(in, i, spreadsheet_id, buf, size): the link of finding i's
 * row number: its cell in its district tab (column A when the finding has
 * no cell), or "" when its tab is not known.  Returns buf.
 */
const char *annotate_link(const struct annotate_in *in, size_t i, const char *spreadsheet_id,
    char *buf, size_t size);

/* annotate_seen_fini(s): release what s owns; s becomes empty.  Safe twice. */
void annotate_seen_fini(struct annotate_seen *s);

/* What annotate_plan needs.  All borrowed for the call. */
struct annotate_in {
	const struct rules_report *report;
	const int32_t *cols;		/* per finding: its cell's 0-based column, -1: none */
	const struct annotate_tab *tabs;
	size_t ntabs;
	const struct annotate_seen *seen;
	const struct state *old;	/* the objects syncd made (state_object) */
	const char *summary_title;	/* syncd's two tabs' titles */
	const char *disc_title;
	int64_t summary_id;		/* and sheetIds (the read: -1 when absent) */
	int64_t disc_id;
	size_t disc_cols;		/* columns of the discrepancy tab */
	size_t summary_cols;		/* columns of the summary tab */
	int percent_col;		/* the summary's ร้อยละ column, 0-based */
};

/* One object the plan adds: its reply index in the plan's requests. */
struct annotate_add {
	const char *kind;		/* static: "filter_view", "protected_range", "chart" */
	char *name;			/* owned */
	size_t request;			/* index in plan->requests */
};

/* The plan.  Release with annotate_plan_fini. */
struct annotate_plan {
	json_t *requests;		/* owned: the batchUpdate requests to append */
	uint8_t *held;			/* owned: per finding, 1 when a person's note kept ours off */
	size_t notes_set, notes_cleared, notes_held;
	struct annotate_add *adds;	/* owned */
	size_t nadds;
	struct state_object *keep;	/* owned: objects kept (strings owned) */
	size_t nkeep;
	struct state_cell *noted;	/* owned: cells that hold (or will) syncd's note */
	size_t nnoted;
};

/*
 * annotate_plan(in, plan, e): what to change.  Returns 0 with *plan filled
 * (plan->requests empty when nothing is to change), or -1 with e set
 * (ERR_NOMEM) and *plan empty.
 */
int annotate_plan(const struct annotate_in *in, struct annotate_plan *plan, struct err *e);

/*
 * annotate_commit(plan, reply, len, base, s, e): after the batchUpdate that
 * carried plan->requests from request index base on succeeded (or with no
 * request, when there was nothing to change): record in s the cells noted,
 * the objects kept and the ids Google gave the new ones (from reply, the
 * batchUpdate's answer).  Returns 0, or -1 with e set.
 */
int annotate_commit(const struct annotate_plan *plan, const char *reply, size_t len,
    size_t base, struct state *s, struct err *e);

/*
 * annotate_keep_old(old, s, e): copy old's objects and noted cells into s
 * unchanged (a cycle that did not annotate, or whose write failed).  Returns
 * 0 or -1 with e set.
 */
int annotate_keep_old(const struct state *old, struct state *s, struct err *e);

/* annotate_plan_fini(p): release what p owns; p becomes empty.  Safe twice. */
void annotate_plan_fini(struct annotate_plan *p);

#endif
