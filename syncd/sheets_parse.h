/*
 * sheets_parse: what Google's Sheets and Drive answers mean to syncd: the
 * error envelope (one line with the status, Google's words and what to
 * do), Drive's version, the tab list of spreadsheets.get.  Every answer is
 * outside input: bounded nesting, duplicate keys refused, no NUL assumed.
 * Pure (no I/O); the client (syncd/sheets) and the tab list with the notes
 * (syncd/tabnotes) use it.
 */
#ifndef SYNCD_SHEETS_PARSE_H
#define SYNCD_SHEETS_PARSE_H

#include <jansson.h>
#include <stddef.h>

#include "auth/err.h"
#include "syncd/sheets.h"

#define SHEETS_MAX_JSON_DEPTH	32	/* nesting accepted in any API answer we parse */
#define SHEETS_MSG_EXCERPT	200	/* bytes of Google's message kept in an error */

/*
 * sheets_parse_json(body, len, what, e): body as a JSON object, nesting at
 * most SHEETS_MAX_JSON_DEPTH, duplicate keys refused.  Returns a new
 * reference, or NULL with e set (ERR_DATA, naming what).
 */
json_t *sheets_parse_json(const char *body, size_t len, const char *what, struct err *e);

/*
 * sheets_parse_api_error(op, body, len, status, client_email, e): as
 * sheets_parse_error, the line starting with op ("values:batchGet: ")
 * when op is not NULL.
 */
void sheets_parse_api_error(const char *op, const char *body, size_t len, long status,
    const char *client_email, struct err *e);

/* sheets_parse_rate_limit(body, len): is this 403 body a "slow down"
 * (rateLimitExceeded, userRateLimitExceeded: Drive and older APIs) rather
 * than "no access"? */
int sheets_parse_rate_limit(const char *body, size_t len);

/*
 * sheets_parse_error(body, len, status, client_email, e): set e from an
 * error answer: ERR_API with e->status = status, a line holding the status,
 * Google's status name and message (or a note that the body was not Google's
 * JSON, e.g. a proxy's HTML page) and what to do (403: share the spreadsheet
 * with client_email; 404: check spreadsheet_id; 429: quota; 401: key
 * revoked?).  Never fails; body need not be NUL-terminated.
 */
void sheets_parse_error(const char *body, size_t len, long status,
    const char *client_email, struct err *e);

/*
 * sheets_parse_version(body, len, version, e): the "version" of a Drive
 * files.get answer (a string, or a number).  Returns 0 with *version owned,
 * or -1 with e set (ERR_DATA).
 */
int sheets_parse_version(const char *body, size_t len, char **version, struct err *e);

/*
 * sheets_parse_properties(p, i, t, e): tab i (0-based, the index when p
 * has none) from a sheet's "properties" object.  Returns 0 with t->title
 * owned, or -1 with e set (ERR_DATA: no usable title; ERR_NOMEM) and
 * t->title NULL.
 */
int sheets_parse_properties(const json_t *p, size_t i, struct sheets_tab *t,
    struct err *e);

/*
 * sheets_parse_tabs(body, len, out, e): the tabs of a spreadsheets.get
 * answer.  Returns 0 with *out filled (sheets_tabs_fini), or -1 with e set
 * (ERR_DATA: not JSON, too deep, no title, a title with a NUL, more than
 * SHEETS_MAX_TABS); *out is then empty.
 */
int sheets_parse_tabs(const char *body, size_t len, struct sheets_tabs *out, struct err *e);

#endif
