/*
 * sheets: the emulator's spreadsheets and the Sheets v4 / Drive v3 subset
 * served on them, as JSON in and JSON out (the HTTP side is server.c).
 *
 * Each spreadsheet is held as one jansson document in the workbook file
 * format of DESIGN.md, normalised (gridProperties filled in, cells trimmed).
 * Every write works on a copy-on-write shadow of the document and replaces
 * it only when the whole request succeeded, so a batch is atomic like
 * Google's.  Not thread-safe: the caller holds one lock around every call.
 */
#ifndef FAKESHEETS_SHEETS_H
#define FAKESHEETS_SHEETS_H

#include <stddef.h>

#include <jansson.h>

#define SHEETS_MAX_BOOKS	128	/* 77 provinces and the national sheet (issue 18) */
#define SHEETS_MAX_SHEETS	400	/* 200 districts and more (issue 12) */
#define SHEETS_MAX_REQUESTS	20000	/* requests in one batchUpdate (syncd's notes: 5,000) */
#define SHEETS_MAX_CELL		50000	/* characters in one cell (Google's limit) */

struct sheets_state;

/* One query parameter, percent-decoded ('+' is a space).  Borrowed. */
struct sheets_param {
	const char *key;
	const char *value;
};

/* An API request, already authenticated.  All borrowed for the call. */
struct sheets_request {
	const char *method;		/* "GET", "POST", "PUT" */
	const char *path;		/* percent-decoded, '+' decoded as space */
	const struct sheets_param *params;
	size_t nparams;
	const char *body;		/* may be NULL */
	size_t body_len;
};

/* sheets_new(): an empty state, or NULL when out of memory. */
struct sheets_state *sheets_new(void);

/* sheets_free(st): free everything.  NULL is a no-op. */
void sheets_free(struct sheets_state *st);

/*
 * sheets_put(st, doc, msg, msgsize): add or replace the spreadsheet described
 * by doc (workbook file format; borrowed, not modified; its spreadsheetId
 * names it).  A replaced spreadsheet keeps its version, plus one.
 * Returns 0, or -1 with a one-line reason in msg.
 */
int sheets_put(struct sheets_state *st, json_t *doc, char *msg,
    size_t msgsize);

/*
 * sheets_export(st, id): spreadsheet id in the workbook file format (cells as
 * UNFORMATTED_VALUE/SERIAL_NUMBER would give them), as a new reference, or
 * NULL when there is no such spreadsheet.
 */
json_t *sheets_export(struct sheets_state *st, const char *id);

/*
 * sheets_handle(st, rq, status): serve one Sheets or Drive API request.
 * Returns the response body as a new reference (a Google error envelope for
 * errors) and sets *status; NULL (with *status 404) when the path is not an
 * API path at all.
 */
json_t *sheets_handle(struct sheets_state *st, const struct sheets_request *rq,
    int *status);

/*
 * sheets_generation(st): a counter that changes on every write to any
 * spreadsheet (API or sheets_put), so a caller may cache answers to reads.
 */
unsigned long sheets_generation(const struct sheets_state *st);

/*
 * sheets_error(code, message): Google's error envelope
 * {"error": {"code", "message", "status"}} as a new reference; message NULL
 * gives Google's usual text for that code.
 */
json_t *sheets_error(int code, const char *message);

#endif
