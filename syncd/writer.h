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

#include "rules/err.h"
#include "rules/rules.h"

#define WRITER_MAX_ROWS 1000000	/* rows of one grid (Sheets caps a tab far lower in cells) */

enum writer_type {
	WRITER_EMPTY = 0,
	WRITER_TEXT,
	WRITER_NUMBER,
};

struct writer_cell {
	uint8_t type;		/* enum writer_type */
	uint8_t volatile_;	/* not compared: the footer's time and audit head */
	char *text;		/* owned, WRITER_TEXT */
	double number;		/* WRITER_NUMBER */
};

struct writer_grid {
	struct writer_cell *cells;	/* owned, nrows * ncols, row-major */
	size_t nrows;
	size_t ncols;
};

/* The summary's footer: both strings borrowed for the call. */
struct writer_footer {
	const char *updated;	/* time of the data, e.g. "2024-02-01 08:30:00 (Asia/Bangkok)" */
	const char *audit_head;	/* "SEQ:HASH" of the audit log */
};

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

/*
 * writer_grid_matches(g, t): non-zero when tab t (NULL: the tab does not
 * exist) holds exactly g's values, volatile cells aside, and nothing beyond.
 */
int writer_grid_matches(const struct writer_grid *g, const struct tab *t);

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

/* writer_grid_fini(g): release what g owns; g becomes empty. */
void writer_grid_fini(struct writer_grid *g);

#endif
