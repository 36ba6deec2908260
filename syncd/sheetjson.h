/*
 * sheetjson: read outside JSON (a workbook file, or a Sheets values.batchGet
 * response) into the plain view of rules/workbook.h, fast and safely.
 *
 * One hand-written, single-pass, strict (RFC 8259) JSON parser serves both
 * shapes.  The whole input lives in one buffer; strings are unescaped in
 * place and cells point into that buffer, so a 100,000-household workbook
 * costs its file size plus 16 bytes per cell.  Every input has a named limit
 * below; breaking one, or any malformed JSON, is an ERR_DATA error whose
 * message names the input, line and byte column, and the tab, row and column
 * when the error is inside a tab's values:
 *   workbook.json:1:2345: expected ',' or ']' in row 7 of tab "บางคล้า"
 * It never logs and never exits: errors go to the caller's struct err.
 *
 * Choices worth knowing:
 *   - Invalid UTF-8 (overlong forms, surrogates, > U+10FFFF, stray bytes) is
 *     rejected, as are unpaired \u surrogates and control characters in
 *     strings.  A leading UTF-8 byte order mark is ignored (RFC 8259 8.1).
 *   - \u0000 is refused in every string the view keeps (cells, titles, the
 *     spreadsheet id): a NUL inside text would cut it short downstream.
 *   - Numbers are validated against the JSON grammar and kept as written;
 *     a literal longer than SHEETJSON_MAX_NUMBER bytes is an error.
 *   - Members other than the ones read are skipped but still validated.
 *     A member read twice ("values" in one tab, "sheets" twice) is an error,
 *     as are two sheets with the same title.  (Two valueRanges on one tab
 *     are two tabs of that title: a batchGet may ask for both.)
 *   - Tabs are in document order (Google lists sheets by index and returns
 *     valueRanges in request order).
 */
#ifndef SYNCD_SHEETJSON_H
#define SYNCD_SHEETJSON_H

#include <stddef.h>

#include "auth/err.h"
#include "rules/workbook.h"

/* Named limits; past any of them the input is refused with ERR_DATA. */
#define SHEETJSON_MAX_INPUT	((size_t)512 << 20)	/* bytes of JSON */
#define SHEETJSON_MAX_DEPTH	64		/* nesting of arrays/objects */
#define SHEETJSON_MAX_TABS	1000		/* tabs in one workbook */
#define SHEETJSON_MAX_ROWS	10000000u	/* rows per tab and in all */
#define SHEETJSON_MAX_COLUMNS	18278u		/* cells per row (A..ZZZ) */
#define SHEETJSON_MAX_CELL_CHARS	50000u		/* code points per string */
#define SHEETJSON_MAX_CELLS	10000000u	/* cells in all (Google's cap) */
#define SHEETJSON_MAX_NUMBER	256		/* bytes of a number literal */

/* A parsed input: owns the buffer and the arrays the view points into. */
struct sheetjson_doc;

/*
 * sheetjson_load_file(path, e): read the file at path and parse it with
 * sheetjson_parse (either shape), naming it by path in messages.
 * Returns a new sheetjson_doc the caller frees with sheetjson_free, or NULL
 * with e set: ERR_NOINPUT when the file is missing or unreadable, ERR_DATA
 * when it is too large or not a workbook, ERR_NOMEM.
 */
struct sheetjson_doc *sheetjson_load_file(const char *path, struct err *e);

/*
 * sheetjson_parse(buf, len, name, e): parse len bytes at buf, either a
 * workbook file ({"spreadsheetId", "properties": {"title"}, "sheets":
 * [{"properties": {"sheetId", "title", "index"}, "values": [[...]]}]}) or a
 * values.batchGet response ({"spreadsheetId", "valueRanges": [{"range",
 * "majorDimension", "values"}]}, tab titles taken from the range echoes).
 * buf is taken: it must come from malloc and is freed by sheetjson_free, or
 * before returning on failure; its bytes are rewritten.  name (borrowed for
 * the call, NULL for "input") prefixes error messages.
 * Returns a new sheetjson_doc, or NULL with e set (ERR_DATA, ERR_NOMEM).
 */
struct sheetjson_doc *sheetjson_parse(char *buf, size_t len, const char *name,
    struct err *e);

/*
 * What a values.batchGet asked for, so that its answer can be checked:
 * Google returns one valueRange per requested range, in request order.
 * titles (borrowed for the call) holds ntitles tab titles as requested;
 * NULL with ntitles 0 accepts whatever the response names.
 */
struct sheetjson_request {
	const char *name;		/* for messages; NULL: "batchGet" */
	const char *const *titles;	/* requested tab titles, in order */
	size_t ntitles;
};

/*
 * sheetjson_parse_batchget(buf, len, req, e): parse a values.batchGet
 * response (ROWS major dimension).  buf is taken as by sheetjson_parse.
 * When req->titles is set, the response must hold exactly req->ntitles
 * valueRanges and the i-th must echo a range on titles[i]; otherwise it is
 * an ERR_DATA error.  Each tab's sheet_id is -1; a valueRange without
 * "values" is an empty tab.  req may be NULL.
 * Returns a new sheetjson_doc, or NULL with e set (ERR_DATA, ERR_NOMEM).
 */
struct sheetjson_doc *sheetjson_parse_batchget(char *buf, size_t len,
    const struct sheetjson_request *req, struct err *e);

/*
 * sheetjson_view(wf): the parsed workbook, borrowed until sheetjson_free(wf).
 */
const struct workbook *sheetjson_view(const struct sheetjson_doc *wf);

/* sheetjson_free(wf): free wf, its buffer and arrays.  NULL is a no-op. */
void sheetjson_free(struct sheetjson_doc *wf);

#endif
