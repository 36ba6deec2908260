/*
 * sheets: the Google Sheets v4 and Drive v3 calls syncd makes, with Google's
 * URL forms, the retry policy of syncd/retry, one token refresh on a 401, and
 * Google's error envelope turned into one line that says what to do
 * (syncd/sheets_parse).
 *
 * Calls: Drive files.get?fields=version (the cheap change check),
 * spreadsheets.get of the tab list (or with any field mask: the tab list
 * with the notes, syncd/tabnotes), ONE values:batchGet of whole tabs (the
 * raw body goes to syncd/sheetjson's reader), spreadsheets.batchUpdate,
 * values:batchUpdate (always valueInputOption=RAW) and values:batchClear.
 * Reads are retried; writes only on 429, or when the caller says they are
 * idempotent; a token endpoint that is briefly down (the token source says
 * ERR_TEMP) is retried within the same budget, since no write was sent.  It
 * never logs, never exits, and never puts a token in an error.
 * (Named sheets_client_* for its lifecycle: the emulator's tests/fakesheets
 * exports sheets_new/sheets_free of its own.)
 */
#ifndef SYNCD_SHEETS_H
#define SYNCD_SHEETS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/err.h"
#include "syncd/http.h"
#include "syncd/retry.h"

#define SHEETS_MAX_TABS		1000	/* tabs in a spreadsheets.get answer */
#define SHEETS_MAX_VERSION	64	/* bytes of a Drive version string */
#define SHEETS_MAX_ID		256	/* bytes of a spreadsheet id */

/* The bearer-token source: auth_token_get of auth/token.h, with ctx = struct auth_token *. */
typedef int (*sheets_token_fn)(void *ctx, int force_refresh, const char **bearer,
    struct err *e);

struct sheets_opts {
	struct http *http;		/* borrowed: must outlive the client */
	struct retry *retry;		/* borrowed; NULL: a private default policy */
	const char *sheets_url;		/* "https://sheets.googleapis.com"; copied */
	const char *drive_url;		/* "https://www.googleapis.com"; copied */
	const char *spreadsheet_id;	/* copied */
	const char *client_email;	/* for the "share with" hint; NULL ok; copied */
	sheets_token_fn token;		/* required */
	void *token_ctx;		/* borrowed */
};

struct sheets;	/* opaque */

/* An API answer.  body is owned (malloc'd, NUL-terminated, len bytes without the NUL). */
struct sheets_reply {
	long status;
	char *body;
	size_t len;
};

/* One tab from spreadsheets.get.  title owned. */
struct sheets_tab {
	char *title;
	int64_t sheet_id;	/* 0 when Google omits it (proto3 default) */
	long index;
};

struct sheets_tabs {
	struct sheets_tab *tabs;	/* owned, in the order Google lists them */
	size_t n;
};

/* sheets_batch_update flags. */
#define SHEETS_IDEMPOTENT	1	/* safe to resend after a 5xx or timeout */

/* sheets_client_new(o, e): a client.  Returns an owned object or NULL (ERR_USAGE, ERR_NOMEM). */
struct sheets *sheets_client_new(const struct sheets_opts *o, struct err *e);

/* sheets_client_free(s): free s (not the borrowed http/retry/token).  NULL is a no-op. */
void sheets_client_free(struct sheets *s);

/* sheets_reply_fini(r): free r's body; r becomes empty.  Safe twice. */
void sheets_reply_fini(struct sheets_reply *r);

/* sheets_tabs_fini(t): free t's tabs; t becomes empty.  Safe twice. */
void sheets_tabs_fini(struct sheets_tabs *t);

/*
 * sheets_drive_version(s, version, e): GET {drive_url}/drive/v3/files/{id}
 * ?fields=version&supportsAllDrives=true.  Returns 0 with *version owned
 * (free()), or -1 with e set (ERR_API with e->status, ERR_HTTP, ERR_TEMP when
 * the retry budget ran out, ERR_AUTH from the token, ERR_DATA bad answer).
 */
int sheets_drive_version(struct sheets *s, char **version, struct err *e);

/*
 * sheets_drive_changes(s, page_token, out, e): Drive's changes feed, for
 * every file the service account sees (the client's spreadsheet id is not
 * used).  page_token NULL: GET changes/startPageToken; else GET
 * changes?pageToken=T&pageSize=1000 (fields nextPageToken,
 * newStartPageToken, changes(fileId,removed)).  A read: retried.  Returns 0
 * with out holding Google's answer, or -1 with e set.
 */
int sheets_drive_changes(struct sheets *s, const char *page_token, struct sheets_reply *out,
    struct err *e);

/*
 * sheets_get_tabs(s, out, e): GET {sheets_url}/v4/spreadsheets/{id}
 * ?fields=sheets.properties(sheetId,title,index).  Returns 0 with *out filled
 * (release with sheets_tabs_fini), or -1 with e set (as above).
 */
int sheets_get_tabs(struct sheets *s, struct sheets_tabs *out, struct err *e);

/*
 * sheets_get_fields(s, fields, out, e): GET {sheets_url}/v4/spreadsheets/{id}
 * ?fields=FIELDS&prettyPrint=false, no ranges (a mask that selects grid data
 * gets it, whatever includeGridData says): the raw answer, at most
 * HTTP_MAX_BODY_LARGE bytes.  A read: retried.  Returns 0 with out holding
 * Google's answer, or -1 with e set (as above).
 */
int sheets_get_fields(struct sheets *s, const char *fields, struct sheets_reply *out,
    struct err *e);

/*
 * sheets_has_chart(s, sheet_id, has, e): GET {sheets_url}/v4/spreadsheets/{id}
 * ?fields=sheets(properties.sheetId,charts.chartId): *has is non-zero when
 * the tab sheet_id holds a chart.  Returns 0, or -1 with e set (as above).
 */
int sheets_has_chart(struct sheets *s, int64_t sheet_id, int *has, struct err *e);

/*
 * sheets_batch_get(s, titles, n, out, e): one values:batchGet of the n whole
 * tabs (each range is the quoted title), UNFORMATTED_VALUE, SERIAL_NUMBER,
 * ROWS.  Returns 0 with out->body the raw answer, at most HTTP_MAX_BODY_LARGE
 * bytes (malloc'd: hand it to sheetjson_parse_batchget, which takes it, and set
 * out->body to NULL), or -1 with e set (ERR_DATA when the URL would pass
 * HTTP_MAX_URL).  titles are borrowed for the call.
 */
int sheets_batch_get(struct sheets *s, const char *const *titles, size_t n,
    struct sheets_reply *out, struct err *e);

/*
 * sheets_batch_get_by_ids(s, ids, n, out, e): one POST
 * values:batchGetByDataFilter of the n whole tabs with these sheetIds (a
 * gridRange data filter each), UNFORMATTED_VALUE, SERIAL_NUMBER, ROWS.  No
 * URL limit (200 long Thai titles fit), and a tab renamed since it was
 * listed is still read.  The answer (valueRanges[].valueRange, in the order
 * of the filters; a sheetId no tab has matches nothing) goes to
 * sheetjson_parse_batchget like batchGet's.  Returns 0 or -1 with e set.
 */
int sheets_batch_get_by_ids(struct sheets *s, const int64_t *ids, size_t n,
    struct sheets_reply *out, struct err *e);

/* sheets_body_batch_get_by_ids(ids, n, len, e): that request's body (owned). */
char *sheets_body_batch_get_by_ids(const int64_t *ids, size_t n, size_t *len,
    struct err *e);

/*
 * sheets_batch_update(s, body, flags, out, e): POST .../{id}:batchUpdate
 * with body (the caller's {"requests": [...]}, borrowed), retried after a 5xx
 * or timeout only with SHEETS_IDEMPOTENT (an addSheet is not).  Returns 0
 * with out holding Google's reply, or -1 with e set.
 */
int sheets_batch_update(struct sheets *s, const json_t *body, int flags,
    struct sheets_reply *out, struct err *e);

/*
 * sheets_batch_update_text(s, body, flags, out, e): the same with the body
 * already serialised (borrowed, NUL-terminated JSON text, e.g. from
 * writer_request_text), so a large write needs no jansson tree.
 */
int sheets_batch_update_text(struct sheets *s, const char *body, int flags,
    struct sheets_reply *out, struct err *e);

/*
 * sheets_values_batch_update(s, data, out, e): POST .../values:batchUpdate
 * with {"valueInputOption": "RAW", "data": data}; data is the caller's array
 * of {"range", "values"} (borrowed; ranges built with range_quote).  Fixed
 * ranges make it idempotent, so it is retried like a read.
 */
int sheets_values_batch_update(struct sheets *s, json_t *data, struct sheets_reply *out,
    struct err *e);

/*
 * sheets_values_batch_clear(s, ranges, n, out, e): POST .../values:batchClear
 * with {"ranges": [...]} (A1 ranges, borrowed).  Idempotent, retried.
 */
int sheets_values_batch_clear(struct sheets *s, const char *const *ranges, size_t n,
    struct sheets_reply *out, struct err *e);

/*
 * sheets_url_batch_get(base, id, titles, n, e): the values:batchGet URL
 * sheets_batch_get sends.  Returns an owned string or NULL with e set.
 */
char *sheets_url_batch_get(const char *base, const char *id, const char *const *titles,
    size_t n, struct err *e);

#endif
