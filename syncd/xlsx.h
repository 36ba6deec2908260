/*
 * xlsx: the Department's file (issue 15): a workbook and its report written
 * as a real .xlsx through libxlsxwriter.
 *
 * Sheets: the summary (headings, a row per district, the total row in bold,
 * when it was taken, and a column chart of the percent per district), then
 * a sheet per district tab with its data as typed (numbers stay numbers, the
 * activity date column written as dates) and each finding's cell filled
 * (errors red, warnings yellow), then the discrepancy sheet.  Heading rows
 * are frozen and columns sized to their text.  The file is written to a
 * temporary file beside the target and renamed over it, so a failed export
 * never leaves half a file.  It never logs and never exits.
 */
#ifndef SYNCD_XLSX_H
#define SYNCD_XLSX_H

#include "auth/err.h"
#include "rules/rules.h"
#include "rules/workbook.h"

#define XLSX_MAX_WIDTH		60	/* characters of a column's width */
#define XLSX_WIDTH_ROWS		2000	/* rows looked at to size a column */

/* What to export; everything borrowed for the call. */
struct xlsx_input {
	const struct workbook *wb;		/* the data (district tabs) */
	const struct rules_report *report;	/* wb evaluated under cfg */
	const struct rules_config *cfg;
	const char *taken;	/* when, e.g. "2024-02-20 08:30 (Asia/Bangkok)" */
};

/*
 * xlsx_export(path, in, e): write in as an .xlsx file at path (replaced
 * atomically).  Returns 0, or -1 with e set: ERR_IO when path cannot be
 * created or written (the message names it), ERR_NOMEM, ERR_DATA.
 */
int xlsx_export(const char *path, const struct xlsx_input *in, struct err *e);

/*
 * xlsx_sheet_name(title, out, outsize): a valid Excel sheet name for a tab
 * title: at most 31 characters, none of []:*?/\ (each becomes '_'), no
 * apostrophe at either end.  Returns 0, or -1 when out is too small.
 */
int xlsx_sheet_name(const char *title, char *out, size_t outsize);

#endif
