/*
 * objects: what a sheet holds beside its values, in the emulator: notes and
 * links on cells, protected ranges, filter views and charts, and the
 * spreadsheets.batchUpdate requests that change them (addProtectedRange,
 * updateProtectedRange, deleteProtectedRange, addFilterView,
 * updateFilterView, deleteFilterView, addChart, updateChartSpec,
 * deleteEmbeddedObject), with Google's field checks: an unknown field is
 * 400 "Unknown name", an update without a field mask is 400.
 *
 * A stored sheet keeps them as the workbook file format has them (DESIGN.md):
 * "notes" and "links" are objects from an A1 cell to its text or URI;
 * "protectedRanges", "filterViews" and "charts" are lists in the shape
 * spreadsheets.get returns.  Every function works on jansson documents that
 * sheets.c owns and already made private (copy-on-write) where it says so;
 * nothing here does I/O.  Not thread-safe (the server's lock covers it).
 */
#ifndef FAKESHEETS_OBJECTS_H
#define FAKESHEETS_OBJECTS_H

#include <stddef.h>

#include <jansson.h>

#define OBJECTS_MAX_NOTE	50000	/* characters of a note or URI */
#define OBJECTS_MAX_LIST	1000	/* protected ranges, views or charts of one sheet */

/*
 * objects_norm(in, out, i, msg, msgsize): check the extras of input sheet in
 * (a workbook file's sheets[i]) and copy them into the stored sheet out.
 * Returns 0, or -1 with a one-line reason in msg.
 */
int objects_norm(json_t *in, json_t *out, size_t i, char *msg, size_t msgsize);

/* objects_export(stored, out): add stored's non-empty extras to out. */
void objects_export(json_t *stored, json_t *out);

/*
 * objects_get_sheet(stored, out): add what spreadsheets.get shows of a sheet
 * beside its properties (protectedRanges, filterViews, charts; each only
 * when non-empty, as Google omits empty lists) to out.
 */
void objects_get_sheet(json_t *stored, json_t *out);

/*
 * objects_cell(stored, r, c, cd): add the note and the hyperlink of cell
 * (r, c) (0-based) of stored to the CellData object cd.
 */
void objects_cell(json_t *stored, int r, int c, json_t *cd);

/*
 * objects_check_cells(rq, n, msg, msgsize): Google's check of the body rq of
 * an updateCells request (requests[n]): every field known, down to RowData
 * and CellData.  Returns 0, or -1 with the error text in msg.
 */
int objects_check_cells(json_t *rq, size_t n, char *msg, size_t msgsize);

/* What an updateCells request covers.  Indexes 0-based, inclusive. */
struct objects_span {
	int r0, c0, r1, c1;
	int range;	/* 1: given as a range (cells the rows miss are cleared) */
};

/*
 * objects_update_cells(sheet, fields, rows, sp): apply the note and link
 * parts of an updateCells request to sheet (private): field mask "note"
 * writes notes; "textFormatRuns", "userEnteredFormat" or
 * "userEnteredFormat.textFormat.link" write links (a run at index 0 or the
 * cell's text format link).  Values are sheets.c's business.
 */
void objects_update_cells(json_t *sheet, const char *fields, json_t *rows,
    const struct objects_span *sp);

/*
 * objects_request(work, kind, rq, n, reply, msg, msgsize): serve request
 * requests[n] of kind kind (body rq) on the document work (the batch's
 * shallow copy: objects makes what it changes private).  Returns 1 when
 * served (*reply a new reference or NULL), 0 when kind is not one of
 * objects', -1 with Google's message in msg (status 400).
 */
int objects_request(json_t *work, const char *kind, json_t *rq, size_t n,
    json_t **reply, char *msg, size_t msgsize);

#endif
