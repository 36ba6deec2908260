/*
 * workbook: the plain, read-only view of a spreadsheet that the rules engine
 * evaluates: tabs of rows of cells.
 *
 * It is filled by the shell (syncd/sheetjson.c parses a workbook file or a
 * values.batchGet response into it) and only read by rules/.  Cells keep the
 * three JSON kinds the API returns with UNFORMATTED_VALUE: strings, numbers
 * (kept as their JSON text, e.g. "1", "1.0", "45337", "2.4010012345E10") and
 * booleans.  Rows and trailing cells may be short: a missing cell is empty.
 * Memory belongs to whoever built the view (see syncd/sheetjson.h); the rules
 * engine borrows it for the duration of one call.
 */
#ifndef RULES_WORKBOOK_H
#define RULES_WORKBOOK_H

#include <stddef.h>
#include <stdint.h>

enum workbook_cell_type {
	WORKBOOK_EMPTY = 0,	/* absent cell or JSON null */
	WORKBOOK_STRING,	/* text: UTF-8, text[len] need not be NUL */
	WORKBOOK_NUMBER,	/* JSON number literal, as written */
	WORKBOOK_BOOL,	/* text is "TRUE" or "FALSE" */
};

struct workbook_cell {
	const char *text;	/* borrowed; NULL only for WORKBOOK_EMPTY */
	uint32_t len;		/* bytes of text */
	uint8_t type;		/* enum workbook_cell_type */
};

struct workbook_row {
	struct workbook_cell *cells;	/* borrowed; ncells may be 0 (an empty row) */
	uint32_t ncells;
};

struct workbook_tab {
	const char *title;	/* NUL-terminated UTF-8 tab title */
	int64_t sheet_id;	/* sheetId, -1 when unknown */
	struct workbook_row *rows;	/* rows[0] is sheet row 1 */
	uint32_t nrows;
};

struct workbook {
	const char *spreadsheet_id;	/* may be NULL */
	const char *title;		/* properties.title, may be NULL */
	struct workbook_tab *tabs;		/* in tab order */
	size_t ntabs;
};

#endif
