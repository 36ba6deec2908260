/*
 * sheets: spreadsheets and the Sheets v4 / Drive v3 subset of the emulator
 * (see sheets.h).  It must answer as Google does, byte for byte where the
 * recorded traffic shows it (conformance/gspread): omitted trailing cells,
 * the normalised range echo, the error envelope and its texts.  It never
 * does I/O: server.c speaks HTTP, main.c reads files.
 *
 * Cells are stored as JSON strings, numbers and booleans ("" for empty),
 * rows trimmed of trailing empties.  A cell written with USER_ENTERED as a
 * formula or a date is an object {"v": value, "f": formula, "d": formatted}
 * so that the three render options can be told apart.
 */
#include "tests/fakesheets/sheets.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/fakesheets/a1.h"
#include "tests/fakesheets/objects.h"

#define MSG_MAX 1024
#define ECHO_MAX (A1_MAX_RANGE + 64)

struct book {
	char *id;
	json_t *doc;		/* owned: the normalised workbook */
	long long version;	/* Drive's file version: rises on every write */
	char mtime[32];		/* RFC 3339, ms: Drive's modifiedTime */
	int forbidden;		/* "_fake": {"forbidden": true}: every call 403 */
	int unlisted;		/* "_fake": {"unlisted": true}: never in changes.list
				 * (a service account that does not see changes
				 * to files only shared with it) */
	unsigned long changed;	/* the generation of its last change */
	struct book *next;
};

struct sheets_state {
	struct book *books;
	unsigned int rng;	/* xorshift state for sheetIds */
};

enum render { R_UNFORMATTED, R_FORMATTED, R_FORMULA };

struct render_opts {
	enum render value;
	int serial;		/* dateTimeRenderOption=SERIAL_NUMBER */
	int columns;		/* majorDimension=COLUMNS */
};

/* An error being built: status and message, first one wins. */
struct fail {
	int status;
	char msg[MSG_MAX];
};

static void fail_set(struct fail *f, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
fail_set(struct fail *f, int status, const char *fmt, ...)
{
	va_list ap;

	if (f->status != 0)
		return;
	f->status = status;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

/* ---- helpers: status names, errors, time ---- */

static const char *
status_name(int code)
{
	switch (code) {
	case 400: return "INVALID_ARGUMENT";
	case 401: return "UNAUTHENTICATED";
	case 403: return "PERMISSION_DENIED";
	case 404: return "NOT_FOUND";
	case 409: return "ABORTED";
	case 429: return "RESOURCE_EXHAUSTED";
	case 500: return "INTERNAL";
	case 501: return "UNIMPLEMENTED";
	case 503: return "UNAVAILABLE";
	case 504: return "DEADLINE_EXCEEDED";
	default: return code >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
	}
}

static const char *
default_message(int code)
{
	switch (code) {
	case 401:
		return "Request had invalid authentication credentials. Expected "
		    "OAuth 2 access token, login cookie or other valid "
		    "authentication credential. See https://developers.google.com/"
		    "identity/sign-in/web/devconsole-project.";
	case 403: return "The caller does not have permission";
	case 404: return "Requested entity was not found.";
	case 429:
		return "Quota exceeded for quota metric 'Read requests' and limit "
		    "'Read requests per minute per user' of service "
		    "'sheets.googleapis.com' for consumer "
		    "'project_number:1071851248496'.";
	case 500: return "Internal error encountered.";
	case 503: return "The service is currently unavailable.";
	case 504: return "The service is currently unavailable.";
	default:
		return code >= 500 ? "Internal error encountered." :
		    "Request contains an invalid argument.";
	}
}

json_t *
sheets_error(int code, const char *message)
{
	json_t *e = json_object();

	json_object_set_new(e, "code", json_integer(code));
	json_object_set_new(e, "message",
	    json_string(message != NULL ? message : default_message(code)));
	json_object_set_new(e, "status", json_string(status_name(code)));
	if (code == 429) {
		/* The ErrorInfo detail every recorded 429 carries. */
		json_object_set_new(e, "details", json_pack(
		    "[{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}}]",
		    "@type", "type.googleapis.com/google.rpc.ErrorInfo",
		    "reason", "RATE_LIMIT_EXCEEDED", "domain", "googleapis.com",
		    "metadata", "quota_limit", "ReadRequestsPerMinutePerUser",
		    "service", "sheets.googleapis.com",
		    "quota_metric", "sheets.googleapis.com/read_requests",
		    "consumer", "projects/1071851248496"));
	}
	return json_pack("{s:o}", "error", e);
}

static void
stamp_mtime(struct book *b)
{
	struct timespec ts;
	struct tm tm;
	char buf[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(b->mtime, sizeof(b->mtime), "%.20s.%03dZ", buf,
	    (int)(ts.tv_nsec / 1000000) % 1000);
}

/* ---- copy-on-write: make a child private before changing it ---- */

static json_t *
mut_member(json_t *parent, const char *key)
{
	json_t *c = json_object_get(parent, key), *c2;

	if (c != NULL && c->refcount > 1) {
		c2 = json_copy(c);
		json_object_set_new(parent, key, c2);
		c = c2;
	}
	return c;
}

static json_t *
mut_item(json_t *arr, size_t i)
{
	json_t *c = json_array_get(arr, i), *c2;

	if (c != NULL && c->refcount > 1) {
		c2 = json_copy(c);
		json_array_set_new(arr, i, c2);
		c = c2;
	}
	return c;
}

/* ---- cells ---- */

/* Google's automatic number format, close enough: 53, 0.12, 1.5. */
static void
fmt_number(char *buf, size_t size, double x)
{
	if (x == floor(x) && fabs(x) < 1e15)
		snprintf(buf, size, "%.0f", x);
	else
		snprintf(buf, size, "%.15g", x);
}

static json_t *
number_cell(double x)
{
	if (x == floor(x) && fabs(x) < 9007199254740992.0)
		return json_integer((json_int_t)x);
	return json_real(x);
}

static int
is_empty(const json_t *c)
{
	return c == NULL || json_is_null(c) ||
	    (json_is_string(c) && json_string_length(c) == 0);
}

/* The value a cell shows, as a new reference. */
static json_t *
render_cell(json_t *c, const struct render_opts *o)
{
	char buf[64];
	json_t *v, *f, *d;

	if (json_is_object(c)) {
		v = json_object_get(c, "v");
		f = json_object_get(c, "f");
		d = json_object_get(c, "d");
		if (o->value == R_FORMULA && f != NULL)
			return json_incref(f);
		if (d != NULL && (o->value == R_FORMATTED || !o->serial))
			return json_incref(d);
		c = v != NULL ? v : json_string("");
		if (v == NULL)
			return c;
	}
	if (o->value != R_FORMATTED || json_is_string(c))
		return json_incref(c);
	if (json_is_boolean(c))
		return json_string(json_is_true(c) ? "TRUE" : "FALSE");
	if (json_is_number(c)) {
		fmt_number(buf, sizeof(buf), json_number_value(c));
		return json_string(buf);
	}
	return json_string("");
}

static int
row_is_plain(json_t *row)
{
	size_t i;
	json_t *c;

	json_array_foreach(row, i, c)
		if (json_is_object(c))
			return 0;
	return 1;
}

/* Drop trailing empty cells of row. */
static void
trim_row(json_t *row)
{
	size_t n = json_array_size(row);

	while (n > 0 && is_empty(json_array_get(row, n - 1)))
		json_array_remove(row, --n);
}

static void
trim_rows(json_t *rows)
{
	size_t n = json_array_size(rows);

	while (n > 0 && json_array_size(json_array_get(rows, n - 1)) == 0)
		json_array_remove(rows, --n);
}

/* ---- normalising a workbook document ---- */

static unsigned int
rnd(struct sheets_state *st)
{
	unsigned int x = st->rng;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	st->rng = x;
	return x;
}

static json_t *
sheet_props(json_t *sheet)
{
	return json_object_get(sheet, "properties");
}

static const char *
sheet_title(json_t *sheet)
{
	return json_string_value(json_object_get(sheet_props(sheet), "title"));
}

static json_int_t
sheet_id(json_t *sheet)
{
	return json_integer_value(json_object_get(sheet_props(sheet), "sheetId"));
}

static int
grid_get(json_t *sheet, const char *key)
{
	return (int)json_integer_value(json_object_get(json_object_get(
	    sheet_props(sheet), "gridProperties"), key));
}

/* A cell from a workbook file: plain values only; null becomes "". */
static json_t *
norm_cell(json_t *c, struct fail *f, size_t r, size_t k)
{
	if (c == NULL || json_is_null(c))
		return json_string("");
	if (json_is_string(c) || json_is_boolean(c) || json_is_integer(c))
		return json_incref(c);
	if (json_is_real(c))
		return number_cell(json_real_value(c));
	fail_set(f, 400, "values[%zu][%zu]: not a string, number or boolean",
	    r, k);
	return NULL;
}

static json_t *
norm_values(json_t *values, struct fail *f)
{
	json_t *out = json_array(), *row, *nrow, *c;
	size_t r, k;

	if (values == NULL)
		return out;
	if (!json_is_array(values)) {
		fail_set(f, 400, "values: not an array of rows");
		json_decref(out);
		return NULL;
	}
	json_array_foreach(values, r, row) {
		if (!json_is_array(row)) {
			fail_set(f, 400, "values[%zu]: not an array", r);
			json_decref(out);
			return NULL;
		}
		nrow = json_array();
		json_array_foreach(row, k, c) {
			json_t *n = norm_cell(c, f, r, k);

			if (n == NULL) {
				json_decref(nrow);
				json_decref(out);
				return NULL;
			}
			json_array_append_new(nrow, n);
		}
		trim_row(nrow);
		json_array_append_new(out, nrow);
	}
	trim_rows(out);
	return out;
}

static size_t
max_width(json_t *rows)
{
	size_t r, w = 0;
	json_t *row;

	json_array_foreach(rows, r, row)
		if (json_array_size(row) > w)
			w = json_array_size(row);
	return w;
}

static json_t *
find_sheet_by_title(json_t *doc, const char *title)
{
	size_t i;
	json_t *s, *ci = NULL;

	json_array_foreach(json_object_get(doc, "sheets"), i, s) {
		if (strcmp(sheet_title(s), title) == 0)
			return s;
		if (ci == NULL && strcasecmp(sheet_title(s), title) == 0)
			ci = s;
	}
	return ci;
}

static json_t *
find_sheet_by_id(json_t *doc, json_int_t id, size_t *index)
{
	size_t i;
	json_t *s;

	json_array_foreach(json_object_get(doc, "sheets"), i, s)
		if (sheet_id(s) == id) {
			if (index != NULL)
				*index = i;
			return s;
		}
	return NULL;
}

/* Renumber properties.index after sheets were added, moved or deleted. */
static void
reindex(json_t *doc)
{
	json_t *sheets = mut_member(doc, "sheets"), *s;
	size_t i;

	for (i = 0; i < json_array_size(sheets); i++) {
		if (json_integer_value(json_object_get(sheet_props(
		    json_array_get(sheets, i)), "index")) == (json_int_t)i)
			continue;
		s = mut_item(sheets, i);
		json_object_set_new(mut_member(s, "properties"), "index",
		    json_integer((json_int_t)i));
	}
}

static json_t *
norm_doc(struct sheets_state *st, json_t *in, struct fail *f)
{
	json_t *doc, *props, *sheets, *s, *p, *np, *gp, *vals;
	const char *id = json_string_value(json_object_get(in, "spreadsheetId"));
	size_t i;

	if (!json_is_object(in) || id == NULL || id[0] == '\0') {
		fail_set(f, 400, "workbook: spreadsheetId missing");
		return NULL;
	}
	for (i = 0; id[i] != '\0'; i++)
		if (!(isalnum((unsigned char)id[i]) || id[i] == '-' ||
		    id[i] == '_')) {
			fail_set(f, 400, "workbook: bad spreadsheetId");
			return NULL;
		}
	sheets = json_object_get(in, "sheets");
	if (!json_is_array(sheets) || json_array_size(sheets) == 0 ||
	    json_array_size(sheets) > SHEETS_MAX_SHEETS) {
		fail_set(f, 400, "workbook: sheets must be a non-empty array");
		return NULL;
	}
	props = json_object_get(in, "properties");
	props = json_is_object(props) ? json_deep_copy(props) : json_object();
	if (json_object_get(props, "title") == NULL)
		json_object_set_new(props, "title", json_string(id));
	if (json_object_get(props, "locale") == NULL)
		json_object_set_new(props, "locale", json_string("en_US"));
	if (json_object_get(props, "autoRecalc") == NULL)
		json_object_set_new(props, "autoRecalc", json_string("ON_CHANGE"));
	if (json_object_get(props, "timeZone") == NULL)
		json_object_set_new(props, "timeZone", json_string("Etc/GMT"));
	doc = json_pack("{s:s, s:o, s:[]}", "spreadsheetId", id,
	    "properties", props, "sheets");
	json_array_foreach(sheets, i, s) {
		const char *title;
		json_t *sid;

		p = json_object_get(s, "properties");
		title = json_string_value(json_object_get(p, "title"));
		if (title == NULL || title[0] == '\0') {
			fail_set(f, 400, "sheets[%zu]: properties.title missing", i);
			goto err;
		}
		if (find_sheet_by_title(doc, title) != NULL &&
		    strcmp(sheet_title(find_sheet_by_title(doc, title)),
		    title) == 0) {
			fail_set(f, 400, "sheets[%zu]: duplicate title", i);
			goto err;
		}
		vals = norm_values(json_object_get(s, "values"), f);
		if (vals == NULL)
			goto err;
		np = json_deep_copy(p);
		sid = json_object_get(p, "sheetId");
		if (!json_is_integer(sid))
			json_object_set_new(np, "sheetId", json_integer(
			    i == 0 ? 0 : (json_int_t)(rnd(st) & 0x7fffffff)));
		else if (find_sheet_by_id(doc, json_integer_value(sid),
		    NULL) != NULL) {
			fail_set(f, 400, "sheets[%zu]: duplicate sheetId", i);
			json_decref(vals);
			json_decref(np);
			goto err;
		}
		json_object_set_new(np, "index", json_integer((json_int_t)i));
		if (json_object_get(np, "sheetType") == NULL)
			json_object_set_new(np, "sheetType", json_string("GRID"));
		gp = json_object_get(np, "gridProperties");
		if (!json_is_object(gp)) {
			gp = json_object();
			json_object_set_new(np, "gridProperties", gp);
		}
		/* Without a size: Google's 1000 x 26, grown to fit the data. */
		if (!json_is_integer(json_object_get(gp, "rowCount")))
			json_object_set_new(gp, "rowCount", json_integer(
			    json_array_size(vals) > 1000 ?
			    (json_int_t)json_array_size(vals) : 1000));
		if (!json_is_integer(json_object_get(gp, "columnCount")))
			json_object_set_new(gp, "columnCount", json_integer(
			    max_width(vals) > 26 ? (json_int_t)max_width(vals) :
			    26));
		if ((size_t)json_integer_value(json_object_get(gp, "rowCount")) <
		    json_array_size(vals) ||
		    (size_t)json_integer_value(json_object_get(gp,
		    "columnCount")) < max_width(vals) ||
		    json_integer_value(json_object_get(gp, "rowCount")) < 1 ||
		    json_integer_value(json_object_get(gp, "columnCount")) < 1) {
			fail_set(f, 400, "sheets[%zu]: values exceed "
			    "gridProperties", i);
			json_decref(vals);
			json_decref(np);
			goto err;
		}
		json_array_append_new(json_object_get(doc, "sheets"),
		    json_pack("{s:o, s:o}", "properties", np, "values", vals));
		if (objects_norm(s, json_array_get(json_object_get(doc,
		    "sheets"), i), i, f->msg, sizeof(f->msg)) == -1) {
			f->status = 400;
			goto err;
		}
	}
	return doc;
err:
	json_decref(doc);
	return NULL;
}

/* ---- state ---- */

struct sheets_state *
sheets_new(void)
{
	struct sheets_state *st = calloc(1, sizeof(*st));
	struct timespec ts;

	if (st == NULL)
		return NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	st->rng = (unsigned int)(ts.tv_nsec ^ ts.tv_sec) | 1u;
	return st;
}

void
sheets_free(struct sheets_state *st)
{
	struct book *b, *n;

	if (st == NULL)
		return;
	for (b = st->books; b != NULL; b = n) {
		n = b->next;
		free(b->id);
		json_decref(b->doc);
		free(b);
	}
	free(st);
}

static struct book *
find_book(struct sheets_state *st, const char *id)
{
	struct book *b;

	for (b = st->books; b != NULL; b = b->next)
		if (strcmp(b->id, id) == 0)
			return b;
	return NULL;
}

static unsigned long generation;	/* see sheets_generation */

unsigned long
sheets_generation(const struct sheets_state *st)
{
	(void)st;
	return generation;
}

static void
commit(struct book *b, json_t *work)
{
	generation++;
	json_decref(b->doc);
	b->doc = work;
	b->version++;
	b->changed = generation;
	stamp_mtime(b);
}

int
sheets_put(struct sheets_state *st, json_t *in, char *msg, size_t msgsize)
{
	struct fail f = {0};
	json_t *doc = norm_doc(st, in, &f), *fk;
	struct book *b;
	size_t n = 0;

	if (doc == NULL) {
		snprintf(msg, msgsize, "%s", f.msg);
		return -1;
	}
	fk = json_object_get(in, "_fake");
	b = find_book(st, json_string_value(json_object_get(doc,
	    "spreadsheetId")));
	if (b == NULL) {
		for (b = st->books; b != NULL; b = b->next)
			n++;
		if (n >= SHEETS_MAX_BOOKS) {
			snprintf(msg, msgsize, "too many spreadsheets");
			json_decref(doc);
			return -1;
		}
		b = calloc(1, sizeof(*b));
		if (b == NULL || (b->id = strdup(json_string_value(
		    json_object_get(doc, "spreadsheetId")))) == NULL) {
			free(b);
			json_decref(doc);
			snprintf(msg, msgsize, "out of memory");
			return -1;
		}
		b->version = 0;
		b->next = st->books;
		st->books = b;
	}
	b->forbidden = json_is_true(json_object_get(fk, "forbidden"));
	b->unlisted = json_is_true(json_object_get(fk, "unlisted"));
	commit(b, doc);
	return 0;
}

json_t *
sheets_export(struct sheets_state *st, const char *id)
{
	struct book *b = find_book(st, id);
	struct render_opts o = {R_UNFORMATTED, 1, 0};
	json_t *out, *sheets, *s, *row, *nrow, *c, *vals;
	size_t i, r, k;

	if (b == NULL)
		return NULL;
	sheets = json_array();
	json_array_foreach(json_object_get(b->doc, "sheets"), i, s) {
		json_t *es;

		vals = json_array();
		json_array_foreach(json_object_get(s, "values"), r, row) {
			if (row_is_plain(row)) {
				json_array_append(vals, row);
				continue;
			}
			nrow = json_array();
			json_array_foreach(row, k, c)
				json_array_append_new(nrow, render_cell(c, &o));
			json_array_append_new(vals, nrow);
		}
		es = json_pack("{s:O, s:o}", "properties", sheet_props(s),
		    "values", vals);
		objects_export(s, es);
		json_array_append_new(sheets, es);
	}
	out = json_pack("{s:s, s:O, s:o}", "spreadsheetId", b->id,
	    "properties", json_object_get(b->doc, "properties"),
	    "sheets", sheets);
	if (b->forbidden || b->unlisted)
		json_object_set_new(out, "_fake", json_pack("{s:b, s:b}",
		    "forbidden", b->forbidden, "unlisted", b->unlisted));
	return out;
}

/* ---- field masks (partial response) ---- */

/* Parse "a.b,c(d,e)/f" into a tree of objects; leaves are json true. */
static const char *
mask_parse(const char *s, json_t *tree, int depth)
{
	char name[128];
	json_t *node;
	size_t n;

	if (depth > 16)
		return NULL;
	for (;;) {
		node = tree;
		for (;;) {
			json_t *next;

			n = 0;
			while (*s != '\0' && strchr(".,/()", *s) == NULL &&
			    n + 1 < sizeof(name))
				name[n++] = *s++;
			name[n] = '\0';
			if (n == 0)
				return NULL;
			next = json_object_get(node, name);
			if (next == NULL || !json_is_object(next)) {
				next = json_object();
				json_object_set_new(node, name, next);
			}
			node = next;
			if (*s == '.' || *s == '/') {
				s++;
				continue;
			}
			break;
		}
		if (*s == '(') {
			s = mask_parse(s + 1, node, depth + 1);
			if (s == NULL || *s != ')')
				return NULL;
			s++;
		} else if (json_object_size(node) == 0) {
			json_object_set_new(node, "*", json_true());
		}
		if (*s == ',') {
			s++;
			continue;
		}
		return s;
	}
}

static json_t *
mask_apply(json_t *v, json_t *tree)
{
	json_t *out, *sub, *x;
	const char *k;
	size_t i;

	if (json_object_get(tree, "*") != NULL || json_object_size(tree) == 0)
		return json_incref(v);
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, x)
			json_array_append_new(out, mask_apply(x, tree));
		return out;
	}
	if (!json_is_object(v))
		return json_incref(v);
	out = json_object();
	json_object_foreach(tree, k, sub) {
		x = json_object_get(v, k);
		if (x != NULL)
			json_object_set_new(out, k, mask_apply(x, sub));
	}
	return out;
}

/* ---- ranges ---- */

/* A range resolved against a sheet and clamped to its grid. */
struct span {
	json_t *sheet;		/* borrowed from the document */
	size_t index;
	int r0, c0, r1, c1;	/* inclusive, inside the grid */
	int r1_open, c1_open;	/* the request left the end open */
	int single;
	char echo[ECHO_MAX];
};

static int
resolve(json_t *doc, const char *spec, struct span *sp, int for_write,
    struct fail *f)
{
	struct a1_range a;
	json_t *sheet = NULL, *s;
	size_t i;
	int rows, cols, r1, c1;

	memset(sp, 0, sizeof(*sp));
	if (a1_parse(spec, &a) == -1) {
		fail_set(f, 400, "Unable to parse range: %s", spec);
		return -1;
	}
	if (a.bare && !a.whole) {
		/* A bare reference: the first visible sheet. */
		json_array_foreach(json_object_get(doc, "sheets"), i, s)
			if (!json_is_true(json_object_get(sheet_props(s),
			    "hidden"))) {
				sheet = s;
				break;
			}
	} else {
		sheet = find_sheet_by_title(doc, a.title);
	}
	if (sheet == NULL) {
		a1_range_fini(&a);
		fail_set(f, 400, "Unable to parse range: %s", spec);
		return -1;
	}
	find_sheet_by_id(doc, sheet_id(sheet), &sp->index);
	rows = grid_get(sheet, "rowCount");
	cols = grid_get(sheet, "columnCount");
	if (a.whole) {
		a.r0 = a.c0 = 0;
		a.r1 = A1_OPEN;
		a.c1 = A1_OPEN;
	}
	sp->sheet = sheet;
	sp->single = a.single;
	sp->r1_open = a.r1 == A1_OPEN;
	sp->c1_open = a.c1 == A1_OPEN;
	r1 = a.r1 == A1_OPEN ? rows - 1 : a.r1;
	c1 = a.c1 == A1_OPEN ? cols - 1 : a.c1;
	if (a.r0 >= rows || a.c0 >= cols) {
		a1_format(sp->echo, sizeof(sp->echo), sheet_title(sheet), a.r0,
		    a.c0, r1, c1);
		fail_set(f, 400, "Range (%s) exceeds grid limits. Max rows: %d, "
		    "max columns: %d", sp->echo, rows, cols);
		a1_range_fini(&a);
		return -1;
	}
	(void)for_write;
	sp->r0 = a.r0;
	sp->c0 = a.c0;
	sp->r1 = r1 < rows ? r1 : rows - 1;
	sp->c1 = c1 < cols ? c1 : cols - 1;
	a1_format(sp->echo, sizeof(sp->echo), sheet_title(sheet), sp->r0,
	    sp->c0, sp->r1, sp->c1);
	a1_range_fini(&a);
	return 0;
}

/* ---- reading ---- */

static json_t *
value_range(const struct span *sp, const struct render_opts *o)
{
	json_t *rows = json_object_get(sp->sheet, "values"), *vals, *row, *nrow;
	int r, c, rend, w;
	json_t *vr = json_pack("{s:s, s:s}", "range", sp->echo,
	    "majorDimension", o->columns ? "COLUMNS" : "ROWS");

	vals = json_array();
	rend = (int)json_array_size(rows) - 1;
	if (rend > sp->r1)
		rend = sp->r1;
	if (!o->columns) {
		for (r = sp->r0; r <= rend; r++) {
			row = json_array_get(rows, (size_t)r);
			w = (int)json_array_size(row);
			if (sp->c0 == 0 && sp->c1 + 1 >= w &&
			    o->value == R_UNFORMATTED && row_is_plain(row)) {
				json_array_append(vals, row);	/* trimmed */
				continue;
			}
			nrow = json_array();
			for (c = sp->c0; c <= sp->c1 && c < w; c++)
				json_array_append_new(nrow, render_cell(
				    json_array_get(row, (size_t)c), o));
			trim_row(nrow);
			json_array_append_new(vals, nrow);
		}
	} else {
		for (c = sp->c0; c <= sp->c1; c++) {
			nrow = json_array();
			for (r = sp->r0; r <= rend; r++) {
				json_t *cell = json_array_get(json_array_get(rows,
				    (size_t)r), (size_t)c);

				json_array_append_new(nrow, cell == NULL ?
				    json_string("") : render_cell(cell, o));
			}
			trim_row(nrow);
			json_array_append_new(vals, nrow);
		}
	}
	trim_rows(vals);
	if (json_array_size(vals) > 0)
		json_object_set_new(vr, "values", vals);
	else
		json_decref(vals);
	return vr;
}

static const char *
param(const struct sheets_request *rq, const char *key)
{
	size_t i;

	for (i = 0; i < rq->nparams; i++)
		if (strcmp(rq->params[i].key, key) == 0)
			return rq->params[i].value;
	return NULL;
}

/* The three render options, from the query or from a request body. */
static int
render_strings(const char *v, const char *d, const char *m, struct render_opts *o,
    struct fail *f)
{
	o->value = R_FORMATTED;
	o->serial = 1;
	o->columns = 0;
	if (v != NULL) {
		if (strcmp(v, "UNFORMATTED_VALUE") == 0)
			o->value = R_UNFORMATTED;
		else if (strcmp(v, "FORMULA") == 0)
			o->value = R_FORMULA;
		else if (strcmp(v, "FORMATTED_VALUE") != 0) {
			fail_set(f, 400, "Invalid value at 'value_render_option' "
			    "(type.googleapis.com/google.apps.sheets.v4."
			    "ValueRenderOption), \"%s\"", v);
			return -1;
		}
	}
	if (d != NULL) {
		if (strcmp(d, "FORMATTED_STRING") == 0)
			o->serial = 0;
		else if (strcmp(d, "SERIAL_NUMBER") != 0) {
			fail_set(f, 400, "Invalid value at 'date_time_render_option' "
			    "(type.googleapis.com/google.apps.sheets.v4."
			    "DateTimeRenderOption), \"%s\"", d);
			return -1;
		}
	}
	if (m != NULL) {
		if (strcmp(m, "COLUMNS") == 0)
			o->columns = 1;
		else if (strcmp(m, "ROWS") != 0) {
			fail_set(f, 400, "Invalid value at 'major_dimension' "
			    "(type.googleapis.com/google.apps.sheets.v4."
			    "Dimension), \"%s\"", m);
			return -1;
		}
	}
	return 0;
}

static int
render_options(const struct sheets_request *rq, struct render_opts *o,
    struct fail *f)
{
	return render_strings(param(rq, "valueRenderOption"),
	    param(rq, "dateTimeRenderOption"), param(rq, "majorDimension"), o, f);
}

static json_t *
do_batch_get(struct book *b, const struct sheets_request *rq, struct fail *f)
{
	struct render_opts o;
	struct span sp;
	json_t *vrs, *out;
	size_t i;

	if (render_options(rq, &o, f) == -1)
		return NULL;
	vrs = json_array();
	for (i = 0; i < rq->nparams; i++) {
		if (strcmp(rq->params[i].key, "ranges") != 0)
			continue;
		if (resolve(b->doc, rq->params[i].value, &sp, 0, f) == -1) {
			json_decref(vrs);
			return NULL;
		}
		json_array_append_new(vrs, value_range(&sp, &o));
	}
	out = json_pack("{s:s}", "spreadsheetId", b->id);
	if (json_array_size(vrs) > 0)
		json_object_set_new(out, "valueRanges", vrs);
	else
		json_decref(vrs);
	return out;
}

static json_t *parse_body(const struct sheets_request *rq, struct fail *f);

/*
 * grid_span(doc, gr, i, sp, f): a GridRange ({"sheetId", "startRowIndex",
 * "endRowIndex", "startColumnIndex", "endColumnIndex"}, ends exclusive,
 * absent bounds open) as a span clamped to the sheet's grid.  Returns 1, 0
 * when no sheet has that sheetId (the filter matches nothing), or -1 with f
 * set (a bad member, named by its path as Google does).
 */
static int
grid_span(json_t *doc, json_t *gr, size_t i, struct span *sp, struct fail *f)
{
	static const char *const keys[4] = { "startRowIndex", "endRowIndex",
	    "startColumnIndex", "endColumnIndex" };
	static const char *const paths[4] = { "start_row_index", "end_row_index",
	    "start_column_index", "end_column_index" };
	long long v[4] = { 0, -1, 0, -1 };
	json_t *sheet, *x;
	int k, rows, cols;

	memset(sp, 0, sizeof(*sp));
	x = json_object_get(gr, "sheetId");
	if (!json_is_object(gr) || (x != NULL && !json_is_integer(x))) {
		fail_set(f, 400, "Invalid value at 'data_filters[%zu].grid_range.sheet_id' "
		    "(TYPE_INT32), %s", i, x != NULL && json_is_string(x) ?
		    json_string_value(x) : "?");
		return -1;
	}
	for (k = 0; k < 4; k++) {
		x = json_object_get(gr, keys[k]);
		if (x == NULL)
			continue;
		if (!json_is_integer(x) || json_integer_value(x) < 0) {
			fail_set(f, 400, "Invalid value at 'data_filters[%zu].grid_range."
			    "%s' (TYPE_INT32)", i, paths[k]);
			return -1;
		}
		v[k] = json_integer_value(x);
	}
	/* proto3: an absent sheetId is 0. */
	sheet = find_sheet_by_id(doc, json_integer_value(json_object_get(gr, "sheetId")),
	    &sp->index);
	if (sheet == NULL)
		return 0;
	rows = grid_get(sheet, "rowCount");
	cols = grid_get(sheet, "columnCount");
	if ((v[1] >= 0 && v[1] < v[0]) || (v[3] >= 0 && v[3] < v[2])) {
		fail_set(f, 400, "Invalid dataFilter[%zu]: the end index of the range "
		    "must not be before its start", i);
		return -1;
	}
	sp->sheet = sheet;
	sp->r0 = (int)(v[0] < rows ? v[0] : rows);
	sp->c0 = (int)(v[2] < cols ? v[2] : cols);
	sp->r1_open = v[1] < 0;
	sp->c1_open = v[3] < 0;
	sp->r1 = (int)(v[1] < 0 || v[1] > rows ? rows : v[1]) - 1;
	sp->c1 = (int)(v[3] < 0 || v[3] > cols ? cols : v[3]) - 1;
	if (sp->r1 < sp->r0 || sp->c1 < sp->c0) {
		/* An empty range: Google answers its range with no values. */
		a1_format(sp->echo, sizeof(sp->echo), sheet_title(sheet), sp->r0,
		    sp->c0, sp->r0, sp->c0);
		sp->r1 = sp->r0 - 1;
		return 1;
	}
	a1_format(sp->echo, sizeof(sp->echo), sheet_title(sheet), sp->r0, sp->c0,
	    sp->r1, sp->c1);
	return 1;
}

/*
 * POST .../values:batchGetByDataFilter: {"dataFilters": [{"gridRange": {...}}
 * or {"a1Range": "..."}], "valueRenderOption", "dateTimeRenderOption",
 * "majorDimension"} -> {"spreadsheetId", "valueRanges": [{"valueRange": {...},
 * "dataFilters": [the filter that matched]}]}.  A filter that matches no
 * range (a sheetId no sheet has) gives nothing; developer metadata lookups
 * are not served (400).
 */
static json_t *
do_batch_get_by_filter(struct book *b, const struct sheets_request *rq, struct fail *f)
{
	json_t *body = parse_body(rq, f), *filters, *flt, *vrs, *out, *a1;
	const char *opt[3] = { NULL, NULL, NULL };
	static const char *const names[3] = { "valueRenderOption",
	    "dateTimeRenderOption", "majorDimension" };
	struct render_opts o;
	struct span sp;
	size_t i;
	int k, rc;

	if (body == NULL)
		return NULL;
	for (k = 0; k < 3; k++) {
		json_t *x = json_object_get(body, names[k]);

		if (x != NULL && !json_is_string(x)) {
			fail_set(f, 400, "Invalid value at '%s', expected a string", names[k]);
			json_decref(body);
			return NULL;
		}
		opt[k] = json_string_value(x);
	}
	filters = json_object_get(body, "dataFilters");
	if (render_strings(opt[0], opt[1], opt[2], &o, f) == -1) {
		json_decref(body);
		return NULL;
	}
	if (!json_is_array(filters) || json_array_size(filters) == 0) {
		fail_set(f, 400, "%s", "Must specify at least one data filter.");
		json_decref(body);
		return NULL;
	}
	vrs = json_array();
	json_array_foreach(filters, i, flt) {
		if ((a1 = json_object_get(flt, "a1Range")) != NULL && json_is_string(a1)) {
			rc = resolve(b->doc, json_string_value(a1), &sp, 0, f) == 0 ? 1 : -1;
		} else if (json_object_get(flt, "gridRange") != NULL) {
			rc = grid_span(b->doc, json_object_get(flt, "gridRange"), i, &sp, f);
		} else {
			fail_set(f, 400, "Invalid dataFilter[%zu]: only gridRange and a1Range "
			    "filters are served by this emulator", i);
			rc = -1;
		}
		if (rc == -1) {
			json_decref(vrs);
			json_decref(body);
			return NULL;
		}
		if (rc == 0)
			continue;
		json_array_append_new(vrs, json_pack("{s:o, s:[O]}", "valueRange",
		    value_range(&sp, &o), "dataFilters", flt));
	}
	json_decref(body);
	out = json_pack("{s:s}", "spreadsheetId", b->id);
	if (json_array_size(vrs) > 0)
		json_object_set_new(out, "valueRanges", vrs);
	else
		json_decref(vrs);
	return out;
}

static json_t *
do_values_get(struct book *b, const struct sheets_request *rq,
    const char *range, struct fail *f)
{
	struct render_opts o;
	struct span sp;

	if (render_options(rq, &o, f) == -1 ||
	    resolve(b->doc, range, &sp, 0, f) == -1)
		return NULL;
	return value_range(&sp, &o);
}

/*
 * The GridData of span sp: startRow, startColumn and rowData, each cell a
 * CellData with userEnteredValue, effectiveValue, formattedValue (from the
 * stored values) and note and hyperlink (objects.c).  Rows run to the last
 * row holding a value or a note in the span; empty cells are {}.
 */
static json_t *
grid_data(const struct span *sp)
{
	struct render_opts uo = {R_UNFORMATTED, 1, 0}, fo = {R_FORMATTED, 1, 0};
	json_t *rows = json_object_get(sp->sheet, "values"), *rd, *out;
	json_t *notes = json_object_get(sp->sheet, "notes");
	json_t *links = json_object_get(sp->sheet, "links");
	int r, c, rend = (int)json_array_size(rows) - 1;
	const char *key;
	json_t *x;

	/* Notes and links may sit below the last value. */
	json_object_foreach(notes, key, x) {
		struct a1_range a;

		memset(&a, 0, sizeof(a));
		if (a1_parse_ref(key, &a) == 0 && a.r0 > rend)
			rend = a.r0;
	}
	json_object_foreach(links, key, x) {
		struct a1_range a;

		memset(&a, 0, sizeof(a));
		if (a1_parse_ref(key, &a) == 0 && a.r0 > rend)
			rend = a.r0;
	}
	if (rend > sp->r1)
		rend = sp->r1;
	rd = json_array();
	for (r = sp->r0; r <= rend; r++) {
		json_t *row = json_array_get(rows, (size_t)r), *vals = json_array();
		size_t keep = 0;

		for (c = sp->c0; c <= sp->c1; c++) {
			json_t *cell = json_array_get(row, (size_t)c);
			json_t *cd = json_object(), *u;

			if (!is_empty(cell)) {
				u = render_cell(cell, &uo);
				x = json_is_string(u) ? json_pack("{s:O}",
				    "stringValue", u) : json_is_boolean(u) ?
				    json_pack("{s:O}", "boolValue", u) :
				    json_pack("{s:O}", "numberValue", u);
				json_object_set(cd, "userEnteredValue", x);
				json_object_set_new(cd, "effectiveValue", x);
				json_decref(u);
				json_object_set_new(cd, "formattedValue",
				    render_cell(cell, &fo));
			}
			if (notes != NULL || links != NULL)
				objects_cell(sp->sheet, r, c, cd);
			json_array_append_new(vals, cd);
			if (json_object_size(cd) > 0)
				keep = json_array_size(vals);
			if (c - sp->c0 > 2 * A1_MAX_COL)
				break;
		}
		while (json_array_size(vals) > keep)
			json_array_remove(vals, json_array_size(vals) - 1);
		json_array_append_new(rd, keep > 0 ? json_pack("{s:o}", "values",
		    vals) : (json_decref(vals), json_object()));
	}
	out = json_pack("{s:i, s:i}", "startRow", sp->r0, "startColumn", sp->c0);
	if (json_array_size(rd) > 0)
		json_object_set_new(out, "rowData", rd);
	else
		json_decref(rd);
	return out;
}

#define GET_MAX_RANGES 1000	/* ranges of one spreadsheets.get (in its URL) */
#define GET_MAX_FILTERS 50000	/* data filters of one getByDataFilter */

/*
 * The GridData of span sp when the mask asks for notes only
 * (rowData.values.note): built from the sheet's notes alone, so a
 * 100,000-row tab costs its notes, not its cells.  Rows run to the last
 * noted row of the span; the proto3 trimming (trim_grid) does the rest.
 */
static json_t *
grid_notes(const struct span *sp)
{
	json_t *notes = json_object_get(sp->sheet, "notes"), *rd = json_array(), *x, *out;
	const char *key;

	json_object_foreach(notes, key, x) {
		struct a1_range a;
		json_t *row, *vals;

		memset(&a, 0, sizeof(a));
		if (a1_parse_ref(key, &a) != 0 || a.r0 < sp->r0 || a.r0 > sp->r1 ||
		    a.c0 < sp->c0 || a.c0 > sp->c1)
			continue;
		while (json_array_size(rd) <= (size_t)(a.r0 - sp->r0))
			json_array_append_new(rd, json_object());
		row = json_array_get(rd, (size_t)(a.r0 - sp->r0));
		if ((vals = json_object_get(row, "values")) == NULL) {
			vals = json_array();
			json_object_set_new(row, "values", vals);
		}
		while (json_array_size(vals) <= (size_t)(a.c0 - sp->c0))
			json_array_append_new(vals, json_object());
		json_object_set(json_array_get(vals, (size_t)(a.c0 - sp->c0)), "note", x);
	}
	out = json_pack("{s:i, s:i}", "startRow", sp->r0, "startColumn", sp->c0);
	json_object_set_new(out, "rowData", rd);
	return out;
}

/* Drop the empty objects at the end of list a. */
static void
trim_tail(json_t *a)
{
	while (json_array_size(a) > 0 &&
	    json_object_size(json_array_get(a, json_array_size(a) - 1)) == 0)
		json_array_remove(a, json_array_size(a) - 1);
}

/*
 * What Google's JSON makes of masked grid data (API_NOTES, the recorded
 * notes traffic): zero ints (startRow, startColumn) omitted; empty
 * messages at the end of rowData and of a row's values dropped, those
 * before a non-empty one kept as {} so indexes line up; an empty list
 * omitted.  A tab or range with nothing selected is "data":[{}].
 */
static void
trim_grid(json_t *out)
{
	json_t *sh, *gd, *row;
	size_t i, j, k;

	json_array_foreach(json_object_get(out, "sheets"), i, sh)
		json_array_foreach(json_object_get(sh, "data"), j, gd) {
			json_t *rd = json_object_get(gd, "rowData");

			if (json_integer_value(json_object_get(gd, "startRow")) == 0)
				json_object_del(gd, "startRow");
			if (json_integer_value(json_object_get(gd, "startColumn")) == 0)
				json_object_del(gd, "startColumn");
			json_array_foreach(rd, k, row) {
				json_t *v = json_object_get(row, "values");

				trim_tail(v);
				if (v != NULL && json_array_size(v) == 0)
					json_object_del(row, "values");
			}
			trim_tail(rd);
			if (rd != NULL && json_array_size(rd) == 0)
				json_object_del(gd, "rowData");
		}
}

/* The fields a spreadsheets.get mask may name (below those marked NULL:
 * not checked).  Google refuses a name the resource has no field for. */
struct fschema {
	const char *name;
	const struct fschema *sub;
};

static const struct fschema f_cell[] = {
	{"userEnteredValue", NULL}, {"effectiveValue", NULL}, {"formattedValue", NULL},
	{"userEnteredFormat", NULL}, {"effectiveFormat", NULL}, {"hyperlink", NULL},
	{"note", NULL}, {"textFormatRuns", NULL}, {"dataValidation", NULL},
	{"pivotTable", NULL}, {"dataSourceTable", NULL}, {"dataSourceFormula", NULL},
	{"chipRuns", NULL}, {NULL, NULL}
};
static const struct fschema f_row[] = { {"values", f_cell}, {NULL, NULL} };
static const struct fschema f_grid[] = {
	{"startRow", NULL}, {"startColumn", NULL}, {"rowData", f_row},
	{"rowMetadata", NULL}, {"columnMetadata", NULL}, {NULL, NULL}
};
static const struct fschema f_sheet_props[] = {
	{"sheetId", NULL}, {"title", NULL}, {"index", NULL}, {"sheetType", NULL},
	{"gridProperties", NULL}, {"hidden", NULL}, {"tabColor", NULL},
	{"tabColorStyle", NULL}, {"rightToLeft", NULL}, {"dataSourceSheetProperties", NULL},
	{NULL, NULL}
};
static const struct fschema f_sheet[] = {
	{"properties", f_sheet_props}, {"data", f_grid}, {"merges", NULL},
	{"conditionalFormats", NULL}, {"filterViews", NULL}, {"protectedRanges", NULL},
	{"basicFilter", NULL}, {"charts", NULL}, {"bandedRanges", NULL},
	{"developerMetadata", NULL}, {"rowGroups", NULL}, {"columnGroups", NULL},
	{"slicers", NULL}, {"tables", NULL}, {NULL, NULL}
};
static const struct fschema f_book[] = {
	{"spreadsheetId", NULL}, {"properties", NULL}, {"sheets", f_sheet},
	{"namedRanges", NULL}, {"spreadsheetUrl", NULL}, {"developerMetadata", NULL},
	{"dataSources", NULL}, {"dataSourceSchedules", NULL}, {NULL, NULL}
};

/* The first name of mask tree t that schema sc has no field for, its path
 * in path (NULL when all are known). */
static const char *
mask_unknown(json_t *t, const struct fschema *sc, char *path, size_t size)
{
	const char *k, *bad;
	size_t len = strlen(path), i;
	json_t *sub;

	json_object_foreach(t, k, sub) {
		if (strcmp(k, "*") == 0)
			continue;
		for (i = 0; sc[i].name != NULL && strcmp(sc[i].name, k) != 0; i++)
			;
		snprintf(path + len, size - len, "%s%s", len > 0 ? "." : "", k);
		if (sc[i].name == NULL)
			return path;
		if (sc[i].sub != NULL && (bad = mask_unknown(sub, sc[i].sub, path, size)) != NULL)
			return bad;
		path[len] = '\0';
	}
	return NULL;
}

/* Does the mask (tree) select the sheets' grid data?  And only its notes? */
static int
mask_grid(json_t *tree, int *notes_only)
{
	json_t *sh = json_object_get(tree, "sheets"), *gd, *cells;

	*notes_only = 0;
	if (json_object_get(sh, "*") != NULL)
		return 1;
	if ((gd = json_object_get(sh, "data")) == NULL)
		return 0;
	cells = json_object_get(json_object_get(gd, "rowData"), "values");
	*notes_only = json_object_size(cells) == 1 && json_object_get(cells, "note") != NULL &&
	    json_object_get(json_object_get(cells, "note"), "*") != NULL &&
	    json_object_get(gd, "*") == NULL && json_object_get(json_object_get(gd,
	    "rowData"), "*") == NULL;
	return 1;
}

/*
 * The spreadsheets.get answer: properties, and per sheet its properties,
 * protected ranges, filter views and charts; with grid also "data" (of the
 * whole sheet, or of each span given; with spans only the sheets they name
 * are listed, as Google does).  Then the field mask.  As Google documents,
 * includeGridData is ignored when a field mask is set: the mask selects the
 * grid data or not; a name the resource has no field for is a 400.
 */
static json_t *
get_answer(struct book *b, const struct span *sps, size_t nsp, int with_ranges,
    int with_grid, const char *fields, struct fail *f)
{
	json_t *out, *sheets, *s, *tree = NULL, *masked, *entry;
	char url[256], path[512];
	const char *unknown;
	int notes_only = 0;
	size_t i, k;

	if (fields != NULL && fields[0] != '\0' && strcmp(fields, "*") != 0) {
		tree = json_object();
		if (mask_parse(fields, tree, 0) == NULL ||
		    *mask_parse(fields, tree, 0) != '\0') {
			json_decref(tree);
			fail_set(f, 400, "Invalid field selection %s", fields);
			return NULL;
		}
		path[0] = '\0';
		if ((unknown = mask_unknown(tree, f_book, path, sizeof(path))) != NULL) {
			fail_set(f, 400, "Error expanding 'fields' parameter. Cannot find "
			    "matching fields for path '%s'.", unknown);
			json_decref(tree);
			return NULL;
		}
		with_grid = mask_grid(tree, &notes_only);
	}
	sheets = json_array();
	json_array_foreach(json_object_get(b->doc, "sheets"), i, s) {
		json_t *data = json_array();
		struct span sp;

		for (k = 0; k < nsp; k++)
			if (sps[k].index == i)
				json_array_append_new(data, !with_grid ? json_object() :
				    notes_only ? grid_notes(&sps[k]) : grid_data(&sps[k]));
		if (with_ranges && json_array_size(data) == 0) {
			json_decref(data);
			continue;
		}
		entry = json_pack("{s:O}", "properties", sheet_props(s));
		objects_get_sheet(s, entry);
		if (with_grid && !with_ranges) {
			memset(&sp, 0, sizeof(sp));
			sp.sheet = s;
			sp.index = i;
			sp.r1 = grid_get(s, "rowCount") - 1;
			sp.c1 = grid_get(s, "columnCount") - 1;
			json_array_append_new(data, notes_only ? grid_notes(&sp) : grid_data(&sp));
		}
		if (with_grid)
			json_object_set_new(entry, "data", data);
		else
			json_decref(data);
		json_array_append_new(sheets, entry);
	}
	snprintf(url, sizeof(url), "https://docs.google.com/spreadsheets/d/%s/"
	    "edit", b->id);
	out = json_pack("{s:s, s:O, s:o, s:s}", "spreadsheetId", b->id,
	    "properties", json_object_get(b->doc, "properties"),
	    "sheets", sheets, "spreadsheetUrl", url);
	if (tree == NULL)
		return out;
	masked = mask_apply(out, tree);
	json_decref(tree);
	json_decref(out);
	trim_grid(masked);
	return masked;
}

static json_t *
do_get(struct book *b, const struct sheets_request *rq, struct fail *f)
{
	const char *grid = param(rq, "includeGridData");
	struct span *sps;
	size_t k, n = 0;
	json_t *out;

	sps = calloc(GET_MAX_RANGES, sizeof(*sps));
	if (sps == NULL) {
		fail_set(f, 500, "%s", "Internal error encountered.");
		return NULL;
	}
	for (k = 0; k < rq->nparams; k++) {
		if (strcmp(rq->params[k].key, "ranges") != 0)
			continue;
		if (n == GET_MAX_RANGES) {
			fail_set(f, 400, "Too many ranges.");
			free(sps);
			return NULL;
		}
		if (resolve(b->doc, rq->params[k].value, &sps[n++], 0, f) == -1) {
			free(sps);
			return NULL;
		}
	}
	out = get_answer(b, sps, n, n > 0, grid != NULL && strcmp(grid, "true") == 0,
	    param(rq, "fields"), f);
	free(sps);
	return out;
}

/*
 * spreadsheets.getByDataFilter: POST {"dataFilters": [{"gridRange": ...} or
 * {"a1Range": ...}], "includeGridData": bool}, fields in the query; the
 * answer of spreadsheets.get with those ranges.
 */
static json_t *
do_get_by_data_filter(struct book *b, const struct sheets_request *rq,
    struct fail *f)
{
	json_t *body = parse_body(rq, f), *dfs, *df, *out = NULL;
	struct span *sps = NULL;
	const char *key;
	json_t *x;
	size_t i, n = 0;

	if (body == NULL)
		return NULL;
	json_object_foreach(body, key, x)
		if (strcmp(key, "dataFilters") != 0 &&
		    strcmp(key, "includeGridData") != 0 &&
		    strcmp(key, "excludeTablesInBandedRanges") != 0) {
			fail_set(f, 400, "Invalid JSON payload received. Unknown "
			    "name \"%s\": Cannot find field.", key);
			goto done;
		}
	dfs = json_object_get(body, "dataFilters");
	if (json_array_size(dfs) > GET_MAX_FILTERS) {
		fail_set(f, 400, "Too many data filters.");
		goto done;
	}
	if ((sps = calloc(json_array_size(dfs) + 1, sizeof(*sps))) == NULL) {
		fail_set(f, 500, "%s", "Internal error encountered.");
		goto done;
	}
	json_array_foreach(dfs, i, df) {
		json_object_foreach(df, key, x)
			if (strcmp(key, "gridRange") != 0 &&
			    strcmp(key, "a1Range") != 0 &&
			    strcmp(key, "developerMetadataLookup") != 0) {
				fail_set(f, 400, "Invalid JSON payload received. "
				    "Unknown name \"%s\" at 'data_filters[%zu]': "
				    "Cannot find field.", key, i);
				goto done;
			}
		if (json_object_get(df, "gridRange") != NULL) {
			int found = grid_span(b->doc, json_object_get(df, "gridRange"),
			    i, &sps[n], f);

			if (found == -1)
				goto done;
			n += found;	/* no such sheet: the filter matches nothing */
		} else if (json_is_string(json_object_get(df, "a1Range"))) {
			if (resolve(b->doc, json_string_value(json_object_get(df,
			    "a1Range")), &sps[n++], 0, f) == -1)
				goto done;
		} else {
			fail_set(f, 400, "Invalid dataFilters[%zu]: a gridRange or "
			    "an a1Range is required.", i);
			goto done;
		}
	}
	out = get_answer(b, sps, n, json_array_size(dfs) > 0,
	    json_is_true(json_object_get(body, "includeGridData")),
	    param(rq, "fields"), f);
done:
	free(sps);
	json_decref(body);
	return out;
}

/* ---- writing cells ---- */

static json_t *
sheet_mut(json_t *work, size_t index)
{
	return mut_item(mut_member(work, "sheets"), index);
}

/* Put cell c (taken) at (r, k) of sheet (already private). */
static void
set_cell(json_t *sheet, int r, int k, json_t *c)
{
	json_t *rows = mut_member(sheet, "values"), *row;

	while (json_array_size(rows) <= (size_t)r)
		json_array_append_new(rows, json_array());
	row = mut_item(rows, (size_t)r);
	while (json_array_size(row) < (size_t)k)
		json_array_append_new(row, json_string(""));
	if (json_array_size(row) == (size_t)k)
		json_array_append_new(row, c);
	else
		json_array_set_new(row, (size_t)k, c);
}

static void
tidy(json_t *sheet, int r0, int r1)
{
	json_t *rows = mut_member(sheet, "values");
	int r;

	for (r = r0; r <= r1 && (size_t)r < json_array_size(rows); r++) {
		json_t *row = json_array_get(rows, (size_t)r);
		size_t n = json_array_size(row);

		if (n > 0 && is_empty(json_array_get(row, n - 1)))
			trim_row(mut_item(rows, (size_t)r));
	}
	trim_rows(rows);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long
civil_days(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Serial number of a date (days since 1899-12-30), for USER_ENTERED. */
static int
parse_date(const char *s, double *serial)
{
	int y, m, d, i;

	for (i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? s[i] != '-' :
		    !isdigit((unsigned char)s[i]))
			return -1;
	if (s[10] != '\0')
		return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1900)
		return -1;
	*serial = (double)(civil_days(y, m, d) - civil_days(1899, 12, 30));
	return 0;
}

/* A tiny arithmetic evaluator for "=4/2"-style formulas. */
static int
expr(const char **s, double *v, int depth);

static int
atom(const char **s, double *v, int depth)
{
	char *end;

	while (**s == ' ')
		(*s)++;
	if (**s == '(') {
		(*s)++;
		if (expr(s, v, depth + 1) == -1 || **s != ')')
			return -1;
		(*s)++;
		return 0;
	}
	if (**s == '-') {
		(*s)++;
		if (atom(s, v, depth + 1) == -1)
			return -1;
		*v = -*v;
		return 0;
	}
	if (!isdigit((unsigned char)**s) && **s != '.')
		return -1;
	*v = strtod(*s, &end);
	*s = end;
	return 0;
}

static int
term(const char **s, double *v, int depth)
{
	double w;
	char op;

	if (atom(s, v, depth) == -1)
		return -1;
	for (;;) {
		while (**s == ' ')
			(*s)++;
		op = **s;
		if (op != '*' && op != '/')
			return 0;
		(*s)++;
		if (atom(s, &w, depth) == -1)
			return -1;
		if (op == '/' && w == 0)
			return -1;
		*v = op == '*' ? *v * w : *v / w;
	}
}

static int
expr(const char **s, double *v, int depth)
{
	double w;
	char op;

	if (depth > 32 || term(s, v, depth) == -1)
		return -1;
	for (;;) {
		while (**s == ' ')
			(*s)++;
		op = **s;
		if (op != '+' && op != '-')
			return 0;
		(*s)++;
		if (term(s, &w, depth) == -1)
			return -1;
		*v = op == '+' ? *v + w : *v - w;
	}
}

static json_t *
formula_cell(const char *f)
{
	const char *s = f + 1;
	double v;

	if (expr(&s, &v, 0) == 0 && *s == '\0')
		return json_pack("{s:o, s:s}", "v", number_cell(v), "f", f);
	/* Functions are not evaluated; Sheets would show a value or #NAME?. */
	return json_pack("{s:s, s:s}", "v", "#NAME?", "f", f);
}

/* A value as typed into the UI (valueInputOption=USER_ENTERED). */
static json_t *
user_entered(json_t *v)
{
	const char *s;
	char *end;
	double x;

	if (!json_is_string(v))
		return json_is_real(v) ? number_cell(json_real_value(v)) :
		    json_incref(v);
	s = json_string_value(v);
	if (s[0] == '\'')
		return json_string(s + 1);
	if (s[0] == '=' && s[1] != '\0')
		return formula_cell(s);
	if (strcasecmp(s, "TRUE") == 0 || strcasecmp(s, "FALSE") == 0)
		return json_boolean(strcasecmp(s, "TRUE") == 0);
	if (s[0] != '\0' && !isspace((unsigned char)s[0])) {
		x = strtod(s, &end);
		if (*end == '\0' && isfinite(x) && strchr(s, 'x') == NULL &&
		    strchr(s, 'X') == NULL && strchr(s, 'n') == NULL &&
		    strchr(s, 'N') == NULL)
			return number_cell(x);
	}
	if (parse_date(s, &x) == 0)
		return json_pack("{s:o, s:s}", "v", number_cell(x), "d", s);
	return json_incref(v);
}

/* A value written with valueInputOption=RAW: stored as it is. */
static json_t *
raw_value(json_t *v)
{
	if (json_is_real(v))
		return number_cell(json_real_value(v));
	return json_incref(v);
}

struct write_stats {
	int rows, cols, cells;
	char range[ECHO_MAX];
};

/* Check and write one ValueRange into work.  field: "data" or "data[3]". */
static int
write_values(json_t *work, const char *spec, json_t *values, int raw,
    int columns, const char *field, struct write_stats *ws, struct fail *f)
{
	struct span sp;
	json_t *sheet, *row, *v, *grid = NULL;
	size_t i, k, nrows, ncols = 0;
	int rows, cols, r, c;
	char col[8], *dump;

	memset(ws, 0, sizeof(*ws));
	if (resolve(work, spec, &sp, 1, f) == -1)
		return -1;
	if (values != NULL && !json_is_array(values)) {
		dump = json_dumps(values, JSON_ENCODE_ANY);
		fail_set(f, 400, "Invalid value at '%s.values' (type.googleapis."
		    "com/google.protobuf.ListValue), %s", field,
		    dump != NULL ? dump : "");
		free(dump);
		return -1;
	}
	json_array_foreach(values, i, row) {
		if (!json_is_array(row)) {
			dump = json_dumps(row, JSON_ENCODE_ANY);
			fail_set(f, 400, "Invalid value at '%s.values[%zu]' (type."
			    "googleapis.com/google.protobuf.ListValue), %s",
			    field, i, dump != NULL ? dump : "");
			free(dump);
			return -1;
		}
		json_array_foreach(row, k, v)
			if (json_is_object(v) || json_is_array(v) ||
			    (json_is_string(v) &&
			    json_string_length(v) > SHEETS_MAX_CELL)) {
				fail_set(f, 400, "Invalid value at '%s.values[%zu]"
				    "[%zu]'", field, i, k);
				return -1;
			}
		if (json_array_size(row) > ncols)
			ncols = json_array_size(row);
	}
	nrows = json_array_size(values);
	if (columns) {
		/* COLUMNS: each inner array is a column. */
		grid = json_array();
		for (k = 0; k < ncols; k++) {
			json_t *nr = json_array();

			json_array_foreach(values, i, row) {
				v = json_array_get(row, k);
				json_array_append(nr, v != NULL ? v : json_null());
			}
			json_array_append_new(grid, nr);
		}
		values = grid;
		k = nrows;
		nrows = ncols;
		ncols = k;
	}
	sheet = sp.sheet;
	rows = grid_get(sheet, "rowCount");
	cols = grid_get(sheet, "columnCount");
	if (!sp.single) {
		if (!sp.r1_open && sp.r0 + (int)nrows - 1 > sp.r1) {
			fail_set(f, 400, "Requested writing within range [%s], but "
			    "tried writing to row [%d]", sp.echo,
			    sp.r0 + (int)nrows);
			goto err;
		}
		if (!sp.c1_open && sp.c0 + (int)ncols - 1 > sp.c1) {
			a1_col_name(col, sizeof(col), sp.c0 + (int)ncols - 1);
			fail_set(f, 400, "Requested writing within range [%s], but "
			    "tried writing to column [%s]", sp.echo, col);
			goto err;
		}
	}
	if (nrows == 0 || ncols == 0) {
		json_decref(grid);
		return 0;
	}
	a1_format(ws->range, sizeof(ws->range), sheet_title(sheet), sp.r0,
	    sp.c0, sp.r0 + (int)nrows - 1, sp.c0 + (int)ncols - 1);
	if (sp.r0 + (int)nrows > rows || sp.c0 + (int)ncols > cols) {
		fail_set(f, 400, "Range (%s) exceeds grid limits. Max rows: %d, "
		    "max columns: %d", ws->range, rows, cols);
		goto err;
	}
	sheet = sheet_mut(work, sp.index);
	r = sp.r0;
	json_array_foreach(values, i, row) {
		c = sp.c0;
		json_array_foreach(row, k, v) {
			if (!json_is_null(v)) {
				set_cell(sheet, r, c, raw ? raw_value(v) :
				    user_entered(v));
				ws->cells++;
			}
			c++;
		}
		r++;
	}
	tidy(sheet, sp.r0, sp.r0 + (int)nrows - 1);
	ws->rows = (int)nrows;
	ws->cols = (int)ncols;
	json_decref(grid);
	return 0;
err:
	json_decref(grid);
	return -1;
}

static int
input_option(json_t *opt, int *raw, struct fail *f)
{
	const char *s = json_string_value(opt);

	if (s == NULL || strcmp(s, "INPUT_VALUE_OPTION_UNSPECIFIED") == 0) {
		fail_set(f, 400, "Invalid valueInputOption: "
		    "INPUT_VALUE_OPTION_UNSPECIFIED");
		return -1;
	}
	if (strcmp(s, "RAW") == 0)
		*raw = 1;
	else if (strcmp(s, "USER_ENTERED") == 0)
		*raw = 0;
	else {
		fail_set(f, 400, "Invalid value at 'value_input_option' (type."
		    "googleapis.com/google.apps.sheets.v4.ValueInputOption), "
		    "\"%s\"", s);
		return -1;
	}
	return 0;
}

static int
dimension(json_t *d, int *columns, struct fail *f)
{
	const char *s = json_string_value(d);

	*columns = 0;
	if (s == NULL || strcmp(s, "ROWS") == 0 ||
	    strcmp(s, "DIMENSION_UNSPECIFIED") == 0)
		return 0;
	if (strcmp(s, "COLUMNS") == 0) {
		*columns = 1;
		return 0;
	}
	fail_set(f, 400, "Invalid value at 'data.major_dimension' (type."
	    "googleapis.com/google.apps.sheets.v4.Dimension), \"%s\"", s);
	return -1;
}

static json_t *
update_reply(struct book *b, const struct write_stats *ws)
{
	json_t *r = json_pack("{s:s}", "spreadsheetId", b->id);

	if (ws->cells > 0 || ws->range[0] != '\0') {
		json_object_set_new(r, "updatedRange", json_string(ws->range));
		json_object_set_new(r, "updatedRows", json_integer(ws->rows));
		json_object_set_new(r, "updatedColumns", json_integer(ws->cols));
		json_object_set_new(r, "updatedCells", json_integer(ws->cells));
	}
	return r;
}

static json_t *
parse_body(const struct sheets_request *rq, struct fail *f)
{
	json_error_t je;
	json_t *j;

	if (rq->body == NULL || rq->body_len == 0)
		return json_object();
	j = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		fail_set(f, 400, "Invalid JSON payload received. %s", je.text);
		return NULL;
	}
	return j;
}

/* PUT .../values/{range}?valueInputOption= (values.update) */
static json_t *
do_values_update(struct book *b, const struct sheets_request *rq,
    const char *range, struct fail *f)
{
	json_t *body = parse_body(rq, f), *work, *opt;
	struct write_stats ws;
	int raw, columns;

	if (body == NULL)
		return NULL;
	opt = json_string(param(rq, "valueInputOption") != NULL ?
	    param(rq, "valueInputOption") : "INPUT_VALUE_OPTION_UNSPECIFIED");
	work = json_copy(b->doc);
	if (input_option(opt, &raw, f) == -1 ||
	    dimension(json_object_get(body, "majorDimension"), &columns,
	    f) == -1 ||
	    write_values(work, range, json_object_get(body, "values"), raw,
	    columns, "data", &ws, f) == -1) {
		json_decref(opt);
		json_decref(work);
		json_decref(body);
		return NULL;
	}
	json_decref(opt);
	json_decref(body);
	commit(b, work);
	return update_reply(b, &ws);
}

/* Count distinct (sheet, row) and (sheet, column) pairs written. */
struct touched {
	json_int_t sheet;
	unsigned char *rows, *cols;
	int nrows, ncols;
};

static void
mark(unsigned char *bits, int from, int n)
{
	int i;

	for (i = from; i < from + n; i++)
		bits[i / 8] |= (unsigned char)(1u << (i % 8));
}

static int
popcount(const unsigned char *bits, int n)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		c += (bits[i / 8] >> (i % 8)) & 1;
	return c;
}

/* POST .../values:batchUpdate */
static json_t *
do_values_batch_update(struct book *b, const struct sheets_request *rq,
    struct fail *f)
{
	json_t *body = parse_body(rq, f), *work = NULL, *data, *d, *resps;
	struct touched t[SHEETS_MAX_SHEETS];
	struct write_stats ws;
	struct span sp;
	size_t i, nt = 0, j;
	int raw, columns, tr = 0, tc = 0, cells = 0;
	char field[32];
	json_t *out = NULL;

	memset(t, 0, sizeof(t));
	if (body == NULL)
		return NULL;
	if (input_option(json_object_get(body, "valueInputOption"), &raw,
	    f) == -1)
		goto done;
	data = json_object_get(body, "data");
	if (data != NULL && !json_is_array(data)) {
		fail_set(f, 400, "Invalid value at 'data' (type.googleapis.com/"
		    "google.apps.sheets.v4.ValueRange)");
		goto done;
	}
	work = json_copy(b->doc);
	resps = json_array();
	json_array_foreach(data, i, d) {
		const char *range = json_string_value(json_object_get(d, "range"));

		snprintf(field, sizeof(field), "data[%zu]", i);
		if (range == NULL) {
			fail_set(f, 400, "Invalid data[%zu]: Must specify a range.",
			    i);
			break;
		}
		if (dimension(json_object_get(d, "majorDimension"), &columns,
		    f) == -1 ||
		    write_values(work, range, json_object_get(d, "values"), raw,
		    columns, field, &ws, f) == -1)
			break;
		json_array_append_new(resps, update_reply(b, &ws));
		if (ws.cells == 0)
			continue;
		resolve(work, range, &sp, 0, f);
		for (j = 0; j < nt && t[j].sheet != sheet_id(sp.sheet); j++)
			;
		if (j == nt) {
			t[j].sheet = sheet_id(sp.sheet);
			t[j].nrows = grid_get(sp.sheet, "rowCount");
			t[j].ncols = grid_get(sp.sheet, "columnCount");
			t[j].rows = calloc((size_t)t[j].nrows / 8 + 1, 1);
			t[j].cols = calloc((size_t)t[j].ncols / 8 + 1, 1);
			nt++;
			if (t[j].rows == NULL || t[j].cols == NULL) {
				fail_set(f, 500, "out of memory");
				break;
			}
		}
		mark(t[j].rows, sp.r0, ws.rows);
		mark(t[j].cols, sp.c0, ws.cols);
		cells += ws.cells;
	}
	if (f->status != 0) {
		json_decref(resps);
		goto done;
	}
	for (j = 0; j < nt; j++) {
		tr += popcount(t[j].rows, t[j].nrows);
		tc += popcount(t[j].cols, t[j].ncols);
	}
	out = json_pack("{s:s}", "spreadsheetId", b->id);
	if (cells > 0) {
		json_object_set_new(out, "totalUpdatedRows", json_integer(tr));
		json_object_set_new(out, "totalUpdatedColumns", json_integer(tc));
		json_object_set_new(out, "totalUpdatedCells", json_integer(cells));
		json_object_set_new(out, "totalUpdatedSheets",
		    json_integer((json_int_t)nt));
	}
	json_object_set_new(out, "responses", resps);
	commit(b, work);
	work = NULL;
done:
	for (j = 0; j < nt; j++) {
		free(t[j].rows);
		free(t[j].cols);
	}
	json_decref(work);
	json_decref(body);
	return out;
}

/* Clear one range in work; its echo goes to echo. */
static int
clear_range(json_t *work, const char *spec, char *echo, size_t size,
    struct fail *f)
{
	struct span sp;
	json_t *sheet, *rows, *row;
	int r, c;

	if (resolve(work, spec, &sp, 1, f) == -1)
		return -1;
	snprintf(echo, size, "%s", sp.echo);
	sheet = sheet_mut(work, sp.index);
	rows = mut_member(sheet, "values");
	for (r = sp.r0; r <= sp.r1 && (size_t)r < json_array_size(rows); r++) {
		row = json_array_get(rows, (size_t)r);
		if ((size_t)sp.c0 >= json_array_size(row))
			continue;
		row = mut_item(rows, (size_t)r);
		for (c = sp.c0; c <= sp.c1 && (size_t)c < json_array_size(row);
		    c++)
			json_array_set_new(row, (size_t)c, json_string(""));
	}
	tidy(sheet, sp.r0, sp.r1);
	return 0;
}

static json_t *
do_clear(struct book *b, const char *range, struct fail *f)
{
	json_t *work = json_copy(b->doc);
	char echo[ECHO_MAX];

	if (clear_range(work, range, echo, sizeof(echo), f) == -1) {
		json_decref(work);
		return NULL;
	}
	commit(b, work);
	return json_pack("{s:s, s:s}", "spreadsheetId", b->id, "clearedRange",
	    echo);
}

static json_t *
do_batch_clear(struct book *b, const struct sheets_request *rq,
    struct fail *f)
{
	json_t *body = parse_body(rq, f), *work, *ranges, *r, *echoes;
	char echo[ECHO_MAX];
	size_t i;

	if (body == NULL)
		return NULL;
	ranges = json_object_get(body, "ranges");
	work = json_copy(b->doc);
	echoes = json_array();
	json_array_foreach(ranges, i, r) {
		if (!json_is_string(r)) {
			fail_set(f, 400, "Invalid value at 'ranges[%zu]'", i);
			break;
		}
		if (clear_range(work, json_string_value(r), echo, sizeof(echo),
		    f) == -1)
			break;
		json_array_append_new(echoes, json_string(echo));
	}
	json_decref(body);
	if (f->status != 0) {
		json_decref(work);
		json_decref(echoes);
		return NULL;
	}
	commit(b, work);
	return json_pack("{s:s, s:o}", "spreadsheetId", b->id, "clearedRanges",
	    echoes);
}

/* ---- spreadsheets.batchUpdate ---- */

/* Does a FieldMask name field (or "*")?  "a/b,c" and "a.b" both work. */
static int
mask_has(const char *fields, const char *field)
{
	const char *p = fields;
	size_t n = strlen(field);

	if (fields == NULL)
		return 0;
	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		while (len > 0 && *p == ' ') {
			p++;
			len--;
		}
		if ((len == 1 && *p == '*') ||
		    (len >= n && strncmp(p, field, n) == 0 &&
		    (len == n || p[n] == '.' || p[n] == '/' || p[n] == '(')))
			return 1;
		/* gridProperties.rowCount vs gridProperties/rowCount */
		if (len == n) {
			size_t k;

			for (k = 0; k < n; k++)
				if (!(p[k] == field[k] || (p[k] == '/' &&
				    field[k] == '.') || (p[k] == '.' &&
				    field[k] == '/')))
					break;
			if (k == n)
				return 1;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	return 0;
}

static int
req_add_sheet(struct sheets_state *st, json_t *work, json_t *rq, size_t n,
    json_t **reply, struct fail *f)
{
	json_t *p = json_object_get(rq, "properties"), *np, *gp, *sheets;
	const char *title = json_string_value(json_object_get(p, "title"));
	char def[32];
	json_int_t id;
	size_t idx, count = json_array_size(json_object_get(work, "sheets"));
	int k;

	if (count >= SHEETS_MAX_SHEETS) {
		fail_set(f, 400, "Invalid requests[%zu].addSheet: too many sheets",
		    n);
		return -1;
	}
	if (title == NULL) {
		for (k = (int)count + 1; ; k++) {
			snprintf(def, sizeof(def), "Sheet%d", k);
			if (find_sheet_by_title(work, def) == NULL)
				break;
		}
		title = def;
	}
	if (find_sheet_by_title(work, title) != NULL) {
		fail_set(f, 400, "Invalid requests[%zu].addSheet: A sheet with the "
		    "name \"%s\" already exists. Please enter another name.", n,
		    title);
		return -1;
	}
	if (json_is_integer(json_object_get(p, "sheetId"))) {
		id = json_integer_value(json_object_get(p, "sheetId"));
		if (id < 0 || find_sheet_by_id(work, id, NULL) != NULL) {
			fail_set(f, 400, "Invalid requests[%zu].addSheet: A sheet "
			    "with the id %" JSON_INTEGER_FORMAT " already exists.",
			    n, id);
			return -1;
		}
	} else {
		do
			id = (json_int_t)(rnd(st) & 0x7fffffff);
		while (id == 0 || find_sheet_by_id(work, id, NULL) != NULL);
	}
	idx = count;
	if (json_is_integer(json_object_get(p, "index")) &&
	    json_integer_value(json_object_get(p, "index")) >= 0 &&
	    (size_t)json_integer_value(json_object_get(p, "index")) < count)
		idx = (size_t)json_integer_value(json_object_get(p, "index"));
	gp = json_object_get(p, "gridProperties");
	np = json_pack("{s:I, s:s, s:I, s:s, s:{s:I, s:I}}", "sheetId", id,
	    "title", title, "index", (json_int_t)idx, "sheetType", "GRID",
	    "gridProperties",
	    "rowCount", json_is_integer(json_object_get(gp, "rowCount")) ?
	    json_integer_value(json_object_get(gp, "rowCount")) : 1000,
	    "columnCount", json_is_integer(json_object_get(gp, "columnCount")) ?
	    json_integer_value(json_object_get(gp, "columnCount")) : 26);
	if (json_integer_value(json_object_get(json_object_get(np,
	    "gridProperties"), "rowCount")) < 1 ||
	    json_integer_value(json_object_get(json_object_get(np,
	    "gridProperties"), "columnCount")) < 1) {
		json_decref(np);
		fail_set(f, 400, "Invalid requests[%zu].addSheet: grid size must "
		    "be positive", n);
		return -1;
	}
	if (json_integer_value(json_object_get(gp, "frozenRowCount")) > 0)
		json_object_set_new(json_object_get(np, "gridProperties"),
		    "frozenRowCount", json_integer(json_integer_value(
		    json_object_get(gp, "frozenRowCount"))));
	if (json_is_true(json_object_get(p, "hidden")))
		json_object_set_new(np, "hidden", json_true());
	sheets = mut_member(work, "sheets");
	json_array_insert_new(sheets, idx, json_pack("{s:O, s:[]}",
	    "properties", np, "values"));
	reindex(work);
	*reply = json_pack("{s:{s:o}}", "addSheet", "properties", np);
	return 0;
}

static int
req_delete_sheet(json_t *work, json_t *rq, size_t n, struct fail *f)
{
	json_int_t id = json_integer_value(json_object_get(rq, "sheetId"));
	size_t idx;

	if (find_sheet_by_id(work, id, &idx) == NULL) {
		fail_set(f, 400, "Invalid requests[%zu].deleteSheet: No grid with "
		    "id: %" JSON_INTEGER_FORMAT, n, id);
		return -1;
	}
	if (json_array_size(json_object_get(work, "sheets")) == 1) {
		fail_set(f, 400, "Invalid requests[%zu].deleteSheet: You can't "
		    "remove all the sheets in a document.", n);
		return -1;
	}
	json_array_remove(mut_member(work, "sheets"), idx);
	reindex(work);
	return 0;
}

static int
visible_count(json_t *work)
{
	size_t i;
	json_t *s;
	int n = 0;

	json_array_foreach(json_object_get(work, "sheets"), i, s)
		if (!json_is_true(json_object_get(sheet_props(s), "hidden")))
			n++;
	return n;
}

/* Cut data that no longer fits a smaller grid. */
static void
fit_grid(json_t *sheet, int rows, int cols)
{
	json_t *vals = mut_member(sheet, "values");
	size_t r;

	while (json_array_size(vals) > (size_t)rows)
		json_array_remove(vals, json_array_size(vals) - 1);
	for (r = 0; r < json_array_size(vals); r++) {
		json_t *row = json_array_get(vals, r);

		if (json_array_size(row) <= (size_t)cols)
			continue;
		row = mut_item(vals, r);
		while (json_array_size(row) > (size_t)cols)
			json_array_remove(row, json_array_size(row) - 1);
	}
	tidy(sheet, 0, rows - 1);
}

static int
req_update_sheet_properties(json_t *work, json_t *rq, size_t n,
    struct fail *f)
{
	json_t *p = json_object_get(rq, "properties"), *sheet, *np, *gp, *ngp;
	const char *fields = json_string_value(json_object_get(rq, "fields"));
	json_int_t id = json_integer_value(json_object_get(p, "sheetId"));
	const char *title;
	size_t idx;
	json_int_t rc, cc;

	if (fields == NULL || fields[0] == '\0') {
		fail_set(f, 400, "Invalid requests[%zu].updateSheetProperties: "
		    "At least one field must be updated, but none were "
		    "specified.", n);
		return -1;
	}
	if (find_sheet_by_id(work, id, &idx) == NULL) {
		fail_set(f, 400, "Invalid requests[%zu].updateSheetProperties: No "
		    "grid with id: %" JSON_INTEGER_FORMAT, n, id);
		return -1;
	}
	sheet = sheet_mut(work, idx);
	np = mut_member(sheet, "properties");
	if (mask_has(fields, "title")) {
		title = json_string_value(json_object_get(p, "title"));
		if (title == NULL || title[0] == '\0') {
			fail_set(f, 400, "Invalid requests[%zu].updateSheetProperties"
			    ": The sheet name cannot be empty.", n);
			return -1;
		}
		if (find_sheet_by_title(work, title) != NULL &&
		    find_sheet_by_title(work, title) != sheet) {
			fail_set(f, 400, "Invalid requests[%zu].updateSheetProperties"
			    ": A sheet with the name \"%s\" already exists. Please "
			    "enter another name.", n, title);
			return -1;
		}
		json_object_set_new(np, "title", json_string(title));
	}
	if (mask_has(fields, "hidden")) {
		if (json_is_true(json_object_get(p, "hidden")))
			json_object_set_new(np, "hidden", json_true());
		else
			json_object_del(np, "hidden");
		if (visible_count(work) == 0) {
			fail_set(f, 400, "Invalid requests[%zu].updateSheetProperties"
			    ": You can't hide all the sheets in a document.", n);
			return -1;
		}
	}
	gp = json_object_get(p, "gridProperties");
	ngp = mut_member(np, "gridProperties");
	rc = json_integer_value(json_object_get(ngp, "rowCount"));
	cc = json_integer_value(json_object_get(ngp, "columnCount"));
	if (mask_has(fields, "gridProperties.rowCount"))
		rc = json_integer_value(json_object_get(gp, "rowCount"));
	if (mask_has(fields, "gridProperties.columnCount"))
		cc = json_integer_value(json_object_get(gp, "columnCount"));
	if (rc < 1 || cc < 1 || cc > A1_MAX_COL || rc * cc > 10000000) {
		fail_set(f, 400, "Invalid requests[%zu].updateSheetProperties: "
		    "This action would increase the number of cells in the "
		    "workbook above the limit of 10000000 cells.", n);
		return -1;
	}
	json_object_set_new(ngp, "rowCount", json_integer(rc));
	json_object_set_new(ngp, "columnCount", json_integer(cc));
	if (mask_has(fields, "gridProperties.frozenRowCount")) {
		json_int_t fr = json_integer_value(json_object_get(gp,
		    "frozenRowCount"));

		if (fr < 0 || fr >= rc) {
			fail_set(f, 400, "Invalid requests[%zu].updateSheetProperties"
			    ": frozenRowCount must be at least 0 and less than the "
			    "number of rows.", n);
			return -1;
		}
		if (fr > 0)
			json_object_set_new(ngp, "frozenRowCount", json_integer(fr));
		else
			json_object_del(ngp, "frozenRowCount");
	}
	fit_grid(sheet, (int)rc, (int)cc);
	if (mask_has(fields, "index") &&
	    json_is_integer(json_object_get(p, "index"))) {
		json_t *sheets = mut_member(work, "sheets");
		json_int_t to = json_integer_value(json_object_get(p, "index"));

		if (to < 0)
			to = 0;
		if ((size_t)to >= json_array_size(sheets))
			to = (json_int_t)json_array_size(sheets) - 1;
		json_incref(sheet);
		json_array_remove(sheets, idx);
		json_array_insert_new(sheets, (size_t)to, sheet);
		reindex(work);
	}
	return 0;
}

/* An ExtendedValue -> stored cell (new reference), or NULL if none. */
static json_t *
extended_value(json_t *ev)
{
	json_t *v;

	if ((v = json_object_get(ev, "stringValue")) != NULL &&
	    json_is_string(v))
		return json_incref(v);
	if ((v = json_object_get(ev, "numberValue")) != NULL &&
	    json_is_number(v))
		return number_cell(json_number_value(v));
	if ((v = json_object_get(ev, "boolValue")) != NULL && json_is_boolean(v))
		return json_incref(v);
	if ((v = json_object_get(ev, "formulaValue")) != NULL &&
	    json_is_string(v))
		return formula_cell(json_string_value(v));
	return NULL;
}

static int
req_update_cells(json_t *work, json_t *rq, size_t n, struct fail *f)
{
	json_t *start = json_object_get(rq, "start");
	json_t *range = json_object_get(rq, "range"), *rows, *row, *cd, *sheet;
	const char *fields = json_string_value(json_object_get(rq, "fields"));
	json_int_t id;
	size_t idx, i, k;
	int r0, c0, r1, c1, nrows = 0, ncols = 0, grows, gcols, r, c;
	char echo[ECHO_MAX];

	char msg[MSG_MAX];
	struct objects_span osp;

	if (objects_check_cells(rq, n, msg, sizeof(msg)) == -1) {
		fail_set(f, 400, "%s", msg);
		return -1;
	}
	if (fields == NULL || fields[0] == '\0') {
		fail_set(f, 400, "Invalid requests[%zu].updateCells: At least one "
		    "field must be updated, but none were specified.", n);
		return -1;
	}
	if ((start == NULL) == (range == NULL)) {
		fail_set(f, 400, "Invalid requests[%zu].updateCells: Exactly one "
		    "of start or range must be set.", n);
		return -1;
	}
	id = json_integer_value(json_object_get(start != NULL ? start : range,
	    "sheetId"));
	if (find_sheet_by_id(work, id, &idx) == NULL) {
		fail_set(f, 400, "Invalid requests[%zu].updateCells: No grid with "
		    "id: %" JSON_INTEGER_FORMAT, n, id);
		return -1;
	}
	sheet = json_array_get(json_object_get(work, "sheets"), idx);
	grows = grid_get(sheet, "rowCount");
	gcols = grid_get(sheet, "columnCount");
	rows = json_object_get(rq, "rows");
	json_array_foreach(rows, i, row) {
		nrows++;
		if ((int)json_array_size(json_object_get(row, "values")) > ncols)
			ncols = (int)json_array_size(json_object_get(row,
			    "values"));
	}
	if (start != NULL) {
		r0 = (int)json_integer_value(json_object_get(start, "rowIndex"));
		c0 = (int)json_integer_value(json_object_get(start,
		    "columnIndex"));
		r1 = r0 + nrows - 1;
		c1 = c0 + ncols - 1;
	} else {
		r0 = (int)json_integer_value(json_object_get(range,
		    "startRowIndex"));
		c0 = (int)json_integer_value(json_object_get(range,
		    "startColumnIndex"));
		r1 = json_is_integer(json_object_get(range, "endRowIndex")) ?
		    (int)json_integer_value(json_object_get(range,
		    "endRowIndex")) - 1 : grows - 1;
		c1 = json_is_integer(json_object_get(range, "endColumnIndex")) ?
		    (int)json_integer_value(json_object_get(range,
		    "endColumnIndex")) - 1 : gcols - 1;
	}
	if (r0 < 0 || c0 < 0 || r1 >= grows || c1 >= gcols) {
		a1_format(echo, sizeof(echo), sheet_title(sheet), r0 < 0 ? 0 : r0,
		    c0 < 0 ? 0 : c0, r1 < r0 ? r0 : r1, c1 < c0 ? c0 : c1);
		fail_set(f, 400, "Invalid requests[%zu].updateCells: Range (%s) "
		    "exceeds grid limits. Max rows: %d, max columns: %d", n, echo,
		    grows, gcols);
		return -1;
	}
	osp.r0 = r0;
	osp.c0 = c0;
	osp.r1 = r1;
	osp.c1 = c1;
	osp.range = range != NULL;
	if (mask_has(fields, "note") || mask_has(fields, "textFormatRuns") ||
	    mask_has(fields, "userEnteredFormat"))
		objects_update_cells(sheet_mut(work, idx), fields, rows, &osp);
	if (!mask_has(fields, "userEnteredValue"))
		return 0;	/* formats: not modelled, accepted */
	sheet = sheet_mut(work, idx);
	if (range != NULL) {
		/* Cells of the range the rows do not cover are cleared. */
		for (r = r0; r <= r1; r++)
			for (c = c0; c <= c1; c++) {
				json_t *cur = json_array_get(json_array_get(
				    json_object_get(sheet, "values"), (size_t)r),
				    (size_t)c);

				if (!is_empty(cur))
					set_cell(sheet, r, c, json_string(""));
			}
	}
	json_array_foreach(rows, i, row) {
		r = r0 + (int)i;
		if (r > r1)
			break;
		json_array_foreach(json_object_get(row, "values"), k, cd) {
			json_t *v;

			c = c0 + (int)k;
			if (c > c1)
				break;
			v = extended_value(json_object_get(cd, "userEnteredValue"));
			set_cell(sheet, r, c, v != NULL ? v : json_string(""));
		}
	}
	tidy(sheet, r0, r1);
	return 0;
}

/* Request kinds that only touch formatting: accepted, not modelled. */
static const char *const cosmetic[] = {
	"repeatCell", "setDataValidation", "updateDimensionProperties",
	"autoResizeDimensions", "updateBorders", "mergeCells", "unmergeCells",
	"addConditionalFormatRule", "deleteConditionalFormatRule",
	"setBasicFilter", "clearBasicFilter", "updateSpreadsheetProperties",
	NULL
};

static json_t *
do_batch_update(struct sheets_state *st, struct book *b,
    const struct sheets_request *rq, struct fail *f)
{
	json_t *body = parse_body(rq, f), *work, *reqs, *req, *replies, *reply;
	const char *kind;
	char msg[MSG_MAX];
	size_t i, k;
	int served;

	if (body == NULL)
		return NULL;
	reqs = json_object_get(body, "requests");
	if (json_array_size(reqs) == 0) {
		json_decref(body);
		fail_set(f, 400, "Must specify at least one request.");
		return NULL;
	}
	if (json_array_size(reqs) > SHEETS_MAX_REQUESTS) {
		json_decref(body);
		fail_set(f, 400, "Too many requests in one batchUpdate (the "
		    "emulator takes %d).", SHEETS_MAX_REQUESTS);
		return NULL;
	}
	work = json_copy(b->doc);
	replies = json_array();
	json_array_foreach(reqs, i, req) {
		json_t *inner;

		if (!json_is_object(req) || json_object_size(req) != 1) {
			fail_set(f, 400, "Invalid requests[%zu]: exactly one kind of "
			    "request must be set.", i);
			break;
		}
		kind = json_object_iter_key(json_object_iter(req));
		inner = json_object_get(req, kind);
		reply = NULL;
		if (strcmp(kind, "addSheet") == 0) {
			if (req_add_sheet(st, work, inner, i, &reply, f) == -1)
				break;
		} else if (strcmp(kind, "deleteSheet") == 0) {
			if (req_delete_sheet(work, inner, i, f) == -1)
				break;
		} else if (strcmp(kind, "updateSheetProperties") == 0) {
			if (req_update_sheet_properties(work, inner, i, f) == -1)
				break;
		} else if (strcmp(kind, "updateCells") == 0) {
			if (req_update_cells(work, inner, i, f) == -1)
				break;
		} else if ((served = objects_request(work, kind, inner, i, &reply,
		    msg, sizeof(msg))) != 0) {
			if (served == -1) {
				fail_set(f, 400, "%s", msg);
				break;
			}
		} else {
			for (k = 0; cosmetic[k] != NULL; k++)
				if (strcmp(kind, cosmetic[k]) == 0)
					break;
			if (cosmetic[k] == NULL) {
				fail_set(f, 400, "Invalid JSON payload received. "
				    "Unknown name \"%s\" at 'requests[%zu]': "
				    "Cannot find field.", kind, i);
				break;
			}
		}
		json_array_append_new(replies, reply != NULL ? reply :
		    json_object());
	}
	json_decref(body);
	if (f->status != 0) {
		json_decref(replies);
		json_decref(work);
		return NULL;
	}
	commit(b, work);
	return json_pack("{s:s, s:o}", "spreadsheetId", b->id, "replies",
	    replies);
}

/* ---- Drive ---- */

static json_t *
drive_error(int code, const char *id)
{
	char msg[256];

	if (code == 404)
		snprintf(msg, sizeof(msg), "File not found: %s.", id);
	else
		snprintf(msg, sizeof(msg), "%s", default_message(code));
	return json_pack("{s:{s:i, s:s, s:[{s:s, s:s, s:s, s:s, s:s}]}}",
	    "error", "code", code, "message", msg, "errors", "message", msg,
	    "domain", "global", "reason", code == 404 ? "notFound" :
	    "insufficientFilePermissions", "location", "fileId",
	    "locationType", "parameter");
}

static json_t *
do_drive_get(struct book *b, const struct sheets_request *rq)
{
	const char *fields = param(rq, "fields");
	char ver[32];
	json_t *all, *tree, *out;

	snprintf(ver, sizeof(ver), "%lld", b->version);
	all = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kind", "drive#file",
	    "id", b->id, "name", json_string_value(json_object_get(
	    json_object_get(b->doc, "properties"), "title")),
	    "mimeType", "application/vnd.google-apps.spreadsheet",
	    "version", ver, "modifiedTime", b->mtime);
	if (fields == NULL || fields[0] == '\0') {
		json_object_del(all, "version");
		json_object_del(all, "modifiedTime");
		return all;
	}
	tree = json_object();
	if (mask_parse(fields, tree, 0) == NULL) {
		json_decref(tree);
		return all;
	}
	out = mask_apply(all, tree);
	json_decref(tree);
	json_decref(all);
	return out;
}

/*
 * The changes feed.  A page token is a generation number (sheets_generation):
 * changes.list?pageToken=T lists, oldest first, each spreadsheet whose last
 * change has a generation >= T (one entry per spreadsheet, as Google
 * coalesces), at most pageSize (1..1000, default 100) a page; nextPageToken
 * while more remain, else newStartPageToken.  Spreadsheets that are forbidden
 * or "unlisted" are never listed.
 */
#define CHANGES_MAX_PAGE 1000

static int
cmp_changed(const void *a, const void *b)
{
	const struct book *x = *(const struct book *const *)a;
	const struct book *y = *(const struct book *const *)b;

	return x->changed < y->changed ? -1 : x->changed > y->changed;
}

static json_t *
drive_bad_param(const char *name, const char *msg)
{
	return json_pack("{s:{s:i, s:s, s:[{s:s, s:s, s:s, s:s, s:s}]}}",
	    "error", "code", 400, "message", msg, "errors", "message", msg,
	    "domain", "global", "reason", "invalid", "location", name,
	    "locationType", "parameter");
}

static json_t *
do_changes_start(void)
{
	char tok[32];

	snprintf(tok, sizeof(tok), "%lu", generation + 1);
	return json_pack("{s:s, s:s}", "kind", "drive#startPageToken",
	    "startPageToken", tok);
}

static json_t *
do_changes_list(struct sheets_state *st, const struct sheets_request *rq,
    int *status)
{
	const char *t = param(rq, "pageToken"), *ps = param(rq, "pageSize");
	struct book *b, **v;
	unsigned long from;
	long size = 100;
	size_t n = 0, i, k;
	char *end, tok[32];
	json_t *changes, *out;

	if (t == NULL || *t == '\0') {
		*status = 400;
		return drive_bad_param("pageToken", "Required parameter: pageToken");
	}
	errno = 0;
	from = strtoul(t, &end, 10);
	if (errno != 0 || *end != '\0' || from == 0 || from > generation + 1) {
		*status = 400;
		return drive_bad_param("pageToken", "Invalid Value");
	}
	if (ps != NULL) {
		errno = 0;
		size = strtol(ps, &end, 10);
		if (errno != 0 || *end != '\0' || size < 1 || size > CHANGES_MAX_PAGE) {
			*status = 400;
			return drive_bad_param("pageSize", "Invalid Value");
		}
	}
	for (b = st->books; b != NULL; b = b->next)
		n++;
	if ((v = calloc(n + 1, sizeof(*v))) == NULL) {
		*status = 500;
		return sheets_error(500, NULL);
	}
	n = 0;
	for (b = st->books; b != NULL; b = b->next)
		if (b->changed >= from && !b->forbidden && !b->unlisted)
			v[n++] = b;
	qsort(v, n, sizeof(*v), cmp_changed);
	changes = json_array();
	for (i = 0, k = n < (size_t)size ? n : (size_t)size; i < k; i++) {
		char ver[32];

		snprintf(ver, sizeof(ver), "%lld", v[i]->version);
		json_array_append_new(changes, json_pack(
		    "{s:s, s:s, s:s, s:b, s:s, s:{s:s, s:s, s:s, s:s, s:s}}",
		    "kind", "drive#change", "changeType", "file", "fileId",
		    v[i]->id, "removed", 0, "time", v[i]->mtime, "file", "kind",
		    "drive#file", "id", v[i]->id, "mimeType",
		    "application/vnd.google-apps.spreadsheet", "modifiedTime",
		    v[i]->mtime, "version", ver));
	}
	out = json_pack("{s:s, s:o}", "kind", "drive#changeList", "changes",
	    changes);
	if (k < n) {
		snprintf(tok, sizeof(tok), "%lu", v[k]->changed);
		json_object_set_new(out, "nextPageToken", json_string(tok));
	} else {
		snprintf(tok, sizeof(tok), "%lu", generation + 1);
		json_object_set_new(out, "newStartPageToken", json_string(tok));
	}
	free(v);
	return out;
}

/* ---- dispatch ---- */

static const char V4[] = "/v4/spreadsheets/";
static const char DRIVE[] = "/drive/v3/files/";

json_t *
sheets_handle(struct sheets_state *st, const struct sheets_request *rq,
    int *status)
{
	struct fail f = {0};
	const char *rest, *m = rq->method;
	char id[256], *tail = NULL;
	size_t n;
	struct book *b;
	json_t *out = NULL;

	*status = 200;
	if (strcmp(rq->path, "/drive/v3/changes/startPageToken") == 0 ||
	    strcmp(rq->path, "/drive/v3/changes") == 0) {
		if (strcmp(m, "GET") != 0) {
			*status = 405;
			return drive_error(405, rq->path);
		}
		if (strcmp(rq->path, "/drive/v3/changes") == 0)
			return do_changes_list(st, rq, status);
		return do_changes_start();
	}
	if (strncmp(rq->path, DRIVE, sizeof(DRIVE) - 1) == 0) {
		rest = rq->path + sizeof(DRIVE) - 1;
		b = find_book(st, rest);
		if (strcmp(m, "GET") != 0) {
			*status = 405;
			return drive_error(405, rest);
		}
		if (b == NULL || b->forbidden) {
			*status = 404;
			return drive_error(404, rest);
		}
		return do_drive_get(b, rq);
	}
	if (strncmp(rq->path, V4, sizeof(V4) - 1) != 0) {
		*status = 404;
		return NULL;
	}
	rest = rq->path + sizeof(V4) - 1;
	n = strcspn(rest, "/:");
	if (n == 0 || n >= sizeof(id)) {
		*status = 404;
		return sheets_error(404, NULL);
	}
	memcpy(id, rest, n);
	id[n] = '\0';
	rest += n;
	b = find_book(st, id);
	if (b == NULL) {
		*status = 404;
		return sheets_error(404, NULL);
	}
	if (b->forbidden) {
		*status = 403;
		return sheets_error(403, NULL);
	}
	if (rest[0] == '\0' && strcmp(m, "GET") == 0)
		out = do_get(b, rq, &f);
	else if (strcmp(rest, ":getByDataFilter") == 0 && strcmp(m, "POST") == 0)
		out = do_get_by_data_filter(b, rq, &f);
	else if (strcmp(rest, ":batchUpdate") == 0 && strcmp(m, "POST") == 0)
		out = do_batch_update(st, b, rq, &f);
	else if (strcmp(rest, "/values:batchGet") == 0 && strcmp(m, "GET") == 0)
		out = do_batch_get(b, rq, &f);
	else if (strcmp(rest, "/values:batchGetByDataFilter") == 0 &&
	    strcmp(m, "POST") == 0)
		out = do_batch_get_by_filter(b, rq, &f);
	else if (strcmp(rest, "/values:batchUpdate") == 0 &&
	    strcmp(m, "POST") == 0)
		out = do_values_batch_update(b, rq, &f);
	else if (strcmp(rest, "/values:batchClear") == 0 &&
	    strcmp(m, "POST") == 0)
		out = do_batch_clear(b, rq, &f);
	else if (strncmp(rest, "/values/", 8) == 0) {
		tail = strdup(rest + 8);
		if (tail == NULL) {
			fail_set(&f, 500, "%s", "Internal error encountered.");
		} else if (strcmp(m, "POST") == 0 && strlen(tail) > 6 &&
		    strcmp(tail + strlen(tail) - 6, ":clear") == 0) {
			tail[strlen(tail) - 6] = '\0';
			out = do_clear(b, tail, &f);
		} else if (strcmp(m, "GET") == 0) {
			out = do_values_get(b, rq, tail, &f);
		} else if (strcmp(m, "PUT") == 0) {
			out = do_values_update(b, rq, tail, &f);
		} else {
			fail_set(&f, 404, "%s", "Requested entity was not found.");
		}
		free(tail);
	} else {
		fail_set(&f, 404, "%s", "Requested entity was not found.");
	}
	if (out != NULL)
		return out;
	if (f.status == 0)
		fail_set(&f, 500, "%s", "Internal error encountered.");
	*status = f.status;
	return sheets_error(f.status, f.msg[0] == '\0' ? NULL : f.msg);
}
