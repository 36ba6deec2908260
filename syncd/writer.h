/*
 * writer: what syncd writes to the spreadsheet, and only that.
 *
 * It renders a report into the two grids syncd owns (the summary tab and the
 * discrepancy tab of DOMAIN.md), compares a grid with what the sheet holds
 * (so an unchanged cycle writes nothing), and builds the one atomic
 * spreadsheets.batchUpdate request that creates missing tabs, sizes them and
 * replaces their values.  Values go in as userEnteredValue.stringValue or
 * numberValue, which Sheets never parses: text typed by a district can never
 * become a formula.  It never writes a district tab and does no I/O.
 */
#ifndef SYNCD_WRITER_H
#define SYNCD_WRITER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/err.h"
#include "rules/rules.h"

#define WRITER_DISCREPANCY_COLS 10	/* columns of the discrepancy tab */
#define WRITER_MAX_ROWS 1000000	/* rows of one grid (Sheets caps a tab far lower in cells) */
#define WRITER_SHARE_SLOTS 1024	/* texts a grid remembers for its cells to share (a power of two) */

enum writer_type {
	WRITER_EMPTY = 0,
	WRITER_TEXT,
	WRITER_NUMBER,
};

struct writer_cell {
	uint8_t type;		/* enum writer_type */
	uint8_t volatile_;	/* not compared: the footer's time and audit head */
	uint8_t shared;		/* text borrowed from an earlier cell of the grid */
	char *text;		/* owned (borrowed when shared), WRITER_TEXT */
	double number;		/* WRITER_NUMBER */
	char *link;		/* owned: the cell's link (a URI), or NULL */
};

struct writer_grid {
	struct writer_cell *cells;	/* owned, nrows * ncols, row-major */
	size_t nrows;
	size_t ncols;
	int links;		/* write the cells' links (and clear the others') */
	int frozen_rows;	/* rows frozen at the top (the headings), 0: none */
	char **share;		/* owned table of WRITER_SHARE_SLOTS texts of cells,
				 * borrowed: the last kept of each slot */
};

/* The summary's footer: both strings borrowed for the call. */
struct writer_footer {
	const char *updated;	/* time of the data, e.g. "2024-02-01 08:30:00 (Asia/Bangkok)" */
	const char *audit_head;	/* "SEQ:HASH" of the audit log */
	const char *instance;	/* this syncd's instance id, a footer row of its own; NULL: none */
};

/*
 * writer_footer_read(t, head, headsize, instance, instsize): from a summary
 * tab as the sheet holds it (NULL: none), the published audit head ("" when
 * absent or too long) and the instance id of the syncd that wrote it (""
 * when none).  Buffers are always NUL-terminated when their size is > 0.
 */
void writer_footer_read(const struct workbook_tab *t, char *head, size_t headsize, char *instance,
    size_t instsize);

/* Gives a finding's first-seen time as text ("" when unknown); borrowed. */
typedef const char *(*writer_first_seen_fn)(void *ctx, const struct rules_finding *f);

/*
 * writer_summary(r, cfg, footer, g, e): the summary tab of DOMAIN.md: headings
 * (status columns labelled from cfg),
 * one row per district, the total, an empty row, then the footer rows
 * (their values are volatile: not compared).  Fills *g (release with
 * writer_grid_fini).  Returns 0 or -1 (ERR_NOMEM).
 */
int writer_summary(const struct rules_report *r, const struct rules_config *cfg,
    const struct writer_footer *footer,
    struct writer_grid *g, struct err *e);

/*
 * writer_discrepancies(r, first_seen, ctx, g, e): the discrepancy tab:
 * headings, then every finding in the report's order (errors first).
 */
int writer_discrepancies(const struct rules_report *r, writer_first_seen_fn first_seen,
    void *ctx, struct writer_grid *g, struct err *e);

/* Gives a finding's cell link ("" or NULL: none); borrowed until the next call. */
typedef const char *(*writer_link_fn)(void *ctx, const struct rules_finding *f);

/* Gives non-zero when a person's note sits on the finding's cell, so syncd's
 * note could not go there. */
typedef int (*writer_note_held_fn)(void *ctx, const struct rules_finding *f);

/* What writer_discrepancies_with needs beside the report; all borrowed. */
struct writer_disc_opts {
	writer_first_seen_fn first_seen;	/* NULL: "" */
	writer_link_fn link;			/* NULL: no links */
	writer_note_held_fn note_held;		/* NULL: never held */
	void *ctx;				/* passed to the three */
};

/*
 * writer_discrepancies_with(r, o, g, e): the discrepancy tab of DOMAIN.md for
 * people: headings in row 1 (frozen), then every finding in the report's
 * order: tab, row (linked to the cell when o->link gives a link), key,
 * column, rule id, the rule's Thai name (rules/catalog), the Thai severity
 * word, the message, what to do (with a word that a person's note kept
 * syncd's off the cell), first seen.  Fills *g.  Returns 0 or -1 (ERR_NOMEM).
 */
int writer_discrepancies_with(const struct rules_report *r,
    const struct writer_disc_opts *o, struct writer_grid *g, struct err *e);

/*
 * writer_cell_url(buf, size, spreadsheet_id, sheet_id, row, col): the link to
 * one cell: https://docs.google.com/spreadsheets/d/ID/edit#gid=SHEETID&range=A1
 * (row 1-based, col 0-based; the absolute form: API_NOTES_REACH.md says why).
 * Returns buf, or "" when it does not fit.
 */
const char *writer_cell_url(char *buf, size_t size, const char *spreadsheet_id,
    int64_t sheet_id, uint32_t row, int col);

/*
 * writer_note_text(f, buf, size): syncd's note for finding f: the first line
 * WRITER_NOTE_MARK, then the message, then what to do (rules/catalog).
 * Returns buf (cut at a character boundary when it does not fit).
 */
#define WRITER_NOTE_MARK "⚠ syncd"
#define WRITER_MAX_NOTE 4096	/* bytes of one note */
const char *writer_note_text(const struct rules_finding *f, char *buf, size_t size);

/*
 * writer_grid_matches(g, t): non-zero when tab t (NULL: the tab does not
 * exist) holds exactly g's values, volatile cells aside, and nothing beyond.
 */
int writer_grid_matches(const struct writer_grid *g, const struct workbook_tab *t);

/* One tab to write.  Borrowed for the call. */
struct writer_target {
	const char *title;
	const struct writer_grid *grid;
	int64_t sheet_id;	/* the tab's sheetId, or the one to create it with */
	int exists;		/* 0: add the tab in the same request */
};

/*
 * writer_request(targets, n, e): the spreadsheets.batchUpdate body that
 * writes every target atomically.  Returns a new reference, or NULL (ERR_NOMEM).
 */
json_t *writer_request(const struct writer_target *targets, size_t n, struct err *e);

/*
 * writer_request_text(targets, n, len, e): the same body as text, exactly
 * json_dumps(writer_request(targets, n), JSON_COMPACT), written without
 * building the tree (a tenth of the memory at 100,000 households).  Returns
 * a new NUL-terminated string (its length in *len when len is not NULL) the
 * caller frees, or NULL (ERR_NOMEM; also for a number JSON cannot hold).
 */
char *writer_request_text(const struct writer_target *targets, size_t n, size_t *len,
    struct err *e);

/*
 * writer_request_append(body, len, requests, e): add the requests of the
 * array requests (borrowed; e.g. notes, views, protections) after those of
 * body, a writer_request_text answer (taken: freed or reallocated), so that
 * they go in the same atomic batchUpdate.  Returns the new text (its length
 * in *len when len is not NULL), or NULL with e set (body freed).
 */
char *writer_request_append(char *body, size_t *len, const json_t *requests, struct err *e);

/* writer_grid_fini(g): release what g owns; g becomes empty. */
void writer_grid_fini(struct writer_grid *g);

#endif
