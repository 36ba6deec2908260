/*
 * sheetjson: a single-pass, strict JSON reader for the two shapes a workbook
 * arrives in (a workbook file, a values.batchGet response), producing the
 * plain view of rules/workbook.h.
 *
 * Why hand-written: a 100,000-household workbook is ~28 MB of JSON and 1.7
 * million cells.  A DOM (jansson) spends ~100 bytes and a malloc per value;
 * here the input is read once into one buffer, and each cell is 16 bytes
 * pointing into it.  The text the view keeps (cells, titles, the id) is
 * unescaped and packed, in order, at the front of that same buffer: it
 * never overtakes the cursor, because a JSON string or number is never
 * shorter than what it stands for (quotes, escapes, separators).  A cell
 * whose text was kept a moment before (the same status mark, village,
 * rule name or how-to-fix sentence down a column) points at that copy
 * instead of keeping another: a table of the last texts kept
 * (SHARE_SLOTS, direct-mapped, a later text replacing an earlier one in
 * its slot) finds it, and its bytes are compared before they are shared.
 * The view is read-only, so a shared text is indistinguishable from a copy.
 * As the parse goes, the pages between the packed text and the cursor,
 * which nothing reads again, go back to the kernel (release_consumed);
 * after it the buffer shrinks to that text, and the pointers follow
 * it if realloc moves.  A row's cells are gathered in a
 * scratch array and copied, exactly sized, into a chunked arena, so there is
 * no malloc per cell or per row and no doubling of the big arrays.
 *
 * The shape is walked by fixed code (root, tabs, rows, cells are at most
 * five levels deep); only members we skip can nest further, and those are
 * skipped by an iterative walker with an explicit stack bounded by
 * SHEETJSON_MAX_DEPTH, so no input can exhaust the C stack.
 *
 * It must never read outside [buf, buf + len), never accept what RFC 8259
 * refuses, never log and never exit.  Every error is ERR_DATA (ERR_NOMEM for
 * allocation) with the input's name, line and byte column, and the tab, row
 * and column when it is inside a tab's values.
 */
#include "syncd/sheetjson.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/hash.h"
#include "syncd/jsonlex.h"
#include "syncd/range.h"

/* Arena chunks: the first is small, each next twice the last, up to a cap. */
#define ARENA_FIRST	((size_t)64 << 10)
#define ARENA_MAX	((size_t)8 << 20)

/*
 * Cell texts remembered for sharing (a power of two).  At 100,000 households
 * 4,096 slots share most of what repeats: the discrepancy tab's 8.9 MB of
 * text (our own rule names, levels, messages and how-to-fix sentences,
 * a few hundred distinct) and the district tabs' marks, villages and
 * amounts; more slots gain little, fewer lose much of it.
 */
#define SHARE_SLOTS	4096

/* Consumed pages go back to the kernel at least this many bytes at a time. */
#define RELEASE_MIN	((size_t)1 << 20)

/* A cell text already kept in the buffer. */
struct shared {
	const char *s;		/* borrowed: kept text in the buffer; NULL when free */
	uint32_t len;
};

struct chunk {
	struct chunk *next;	/* owned: the previous chunk */
	size_t cap;		/* bytes of data after the header */
	size_t used;
	size_t pad;		/* keeps the header a multiple of 16 bytes */
};

struct sheetjson_doc {
	struct workbook wb;	/* the view; every pointer in it is ours */
	char *buf;		/* owned: the input, strings point into it */
	struct chunk *arena;	/* owned: rows and cells */
	struct workbook_tab *tabs;	/* owned: wb.tabs */
};

enum shape {
	SHAPE_ANY,		/* sheetjson_parse: "sheets" or "valueRanges" */
	SHAPE_BATCHGET,		/* sheetjson_parse_batchget: "valueRanges" only */
};

struct parser {
	struct jsonlex lx;	/* the cursor, the error, where we are */
	struct sheetjson_doc *wf;
	enum shape shape;
	const struct sheetjson_request *req;	/* borrowed; may be NULL */
	int vr_depth;		/* inside a MatchedValueRange's "valueRange" */

	struct workbook_cell *scratch;	/* owned: cells of the row being read */
	size_t scratch_cap;
	struct shared *share;	/* owned: SHARE_SLOTS texts kept, see above */
	uintptr_t page;		/* the page size */
	uintptr_t released;	/* pages below this address were handed back */
	struct workbook_row *rowbuf;	/* owned: rows of the tab being read */
	size_t rowbuf_cap;
	size_t tabs_cap;
	size_t total_cells;
	size_t total_rows;
};

static void *
arena_alloc(struct parser *ps, size_t n)
{
	struct chunk *c = ps->wf->arena;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (c == NULL || c->cap - c->used < n) {
		size_t cap = c == NULL ? ARENA_FIRST : c->cap * 2;
		struct chunk *nc;

		if (cap > ARENA_MAX)
			cap = ARENA_MAX;
		if (cap < n)
			cap = n;
		nc = malloc(sizeof(*nc) + cap);
		if (nc == NULL) {
			jsonlex_nomem(&ps->lx);
			return NULL;
		}
		nc->next = c;
		nc->cap = cap;
		nc->used = 0;
		ps->wf->arena = nc;
		c = nc;
	}
	p = (char *)(c + 1) + c->used;
	c->used += n;
	return p;
}

/* grow(ptr, cap, need, size, max): make *ptr hold need items, doubling. */
static int
grow(void **ptr, size_t *cap, size_t need, size_t size, size_t max)
{
	size_t ncap = *cap ? *cap : 16;
	void *np;

	while (ncap < need)
		ncap *= 2;
	if (ncap > max)
		ncap = max;
	if (ncap < need)
		return -1;
	np = realloc(*ptr, ncap * size);
	if (np == NULL)
		return -1;
	*ptr = np;
	*cap = ncap;
	return 0;
}

/*
 * share_slot(s, n): the slot of the text s of n bytes (n > 0): the tree's
 * one hash (rules/hash.h) over its length and its first and last 16 bytes,
 * enough to tell apart the texts that repeat in a column, and cheap on long
 * ones.  Unseeded: a slot holds one text and a miss only keeps a copy, so
 * texts aimed at one slot cost nothing but the sharing.
 */
static size_t
share_slot(const char *s, size_t n)
{
	size_t k = n < 16 ? n : 16;
	uint64_t h = hash_bytes(HASH_FNV_BASIS ^ (uint64_t)n, s, k);

	h = hash_bytes(h, s + n - k, k);
	return (size_t)hash_mix(h) & (SHARE_SLOTS - 1);
}

/*
 * keep_cell(ps, sp, c): point c at the text of sp (unescaped, at or after
 * the write cursor): at an equal text kept before when its slot holds one,
 * else at a copy kept at the write cursor, which then takes the slot.
 */
static void
keep_cell(struct parser *ps, struct jsonlex_span *sp, struct workbook_cell *c)
{
	struct shared *sh;

	if (sp->len > 0 && ps->share != NULL) {
		sh = &ps->share[share_slot(sp->s, sp->len)];
		if (sh->s != NULL && sh->len == sp->len && memcmp(sh->s, sp->s, sp->len) == 0) {
			c->text = sh->s;
			c->len = sh->len;
			return;
		}
		jsonlex_keep(&ps->lx, sp, 0);
		sh->s = sp->s;
		sh->len = (uint32_t)sp->len;
	} else
		jsonlex_keep(&ps->lx, sp, 0);
	c->text = sp->s;
	c->len = (uint32_t)sp->len;
}

/*
 * release_consumed(ps): hand back to the kernel the whole pages between the
 * packed text (lx.w) and the cursor (lx.p), when they make RELEASE_MIN
 * bytes.  Nothing reads those bytes again (an error's column is counted,
 * not read), and the packed text only reaches them later by writing:
 * MADV_DONTNEED leaves the buffer's private memory mapped, reading as zeros,
 * faulted in again when written.  Without this a 36 MB batchGet answer
 * stayed resident whole beside the view made of it until the final shrink,
 * when the view's text needs a fraction of it.  A refusal only keeps them.
 */
static void
release_consumed(struct parser *ps)
{
	uintptr_t lo = ((uintptr_t)ps->lx.w + ps->page - 1) & ~(ps->page - 1);
	uintptr_t hi = (uintptr_t)ps->lx.p & ~(ps->page - 1);

	if (lo < ps->released)
		lo = ps->released;
	if (hi <= lo || hi - lo < RELEASE_MIN)
		return;
	if (madvise((void *)lo, hi - lo, MADV_DONTNEED) == 0)
		ps->released = hi;
}

/*
 * parse_cell(ps, c): the cell value at the cursor.  Strings and numbers
 * point into the buffer; true/false become "TRUE"/"FALSE"; null is empty.
 */
static int
parse_cell(struct parser *ps, struct workbook_cell *c)
{
	struct jsonlex_span sp;

	switch (jsonlex_peek(&ps->lx)) {
	case '"':
		if (jsonlex_text(&ps->lx, &sp, "cell") < 0)
			return -1;
		c->type = WORKBOOK_STRING;
		break;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		if (jsonlex_number(&ps->lx, &sp) < 0)
			return -1;
		c->type = WORKBOOK_NUMBER;
		break;
	case 't':
		if (jsonlex_literal(&ps->lx, "true") < 0)
			return -1;
		c->text = "TRUE";
		c->len = 4;
		c->type = WORKBOOK_BOOL;
		return 0;
	case 'f':
		if (jsonlex_literal(&ps->lx, "false") < 0)
			return -1;
		c->text = "FALSE";
		c->len = 5;
		c->type = WORKBOOK_BOOL;
		return 0;
	case 'n':
		if (jsonlex_literal(&ps->lx, "null") < 0)
			return -1;
		c->text = NULL;
		c->len = 0;
		c->type = WORKBOOK_EMPTY;
		return 0;
	case '{':
		return jsonlex_fail(&ps->lx, ps->lx.p, "an object where a cell should be");
	case '[':
		return jsonlex_fail(&ps->lx, ps->lx.p, "an array where a cell should be");
	default:
		return jsonlex_expected(&ps->lx, "a cell (string, number, true, false or null)");
	}
	keep_cell(ps, &sp, c);
	return 0;
}

/*
 * parse_row(ps, r): the row array at the cursor (just inside '['), its
 * cells copied exactly sized into the arena.
 */
static int
parse_row(struct parser *ps, struct workbook_row *r)
{
	size_t n = 0;
	int c;

	jsonlex_skip_ws(&ps->lx);
	if (jsonlex_peek(&ps->lx) == ']') {
		ps->lx.p++;
		r->cells = NULL;
		r->ncells = 0;
		return 0;
	}
	for (;;) {
		if (n == ps->scratch_cap) {
			if (n >= SHEETJSON_MAX_COLUMNS) {
				ps->lx.ctx_col = 0;
				return jsonlex_fail(&ps->lx, ps->lx.p, "more than %u cells in a row",
				    SHEETJSON_MAX_COLUMNS);
			}
			if (grow((void **)&ps->scratch, &ps->scratch_cap, n + 1,
			    sizeof(struct workbook_cell), SHEETJSON_MAX_COLUMNS) < 0)
				return jsonlex_nomem(&ps->lx);
		}
		if (ps->total_cells >= SHEETJSON_MAX_CELLS)
			return jsonlex_fail(&ps->lx, ps->lx.p, "more than %u cells in the workbook",
			    SHEETJSON_MAX_CELLS);
		ps->lx.ctx_col = (uint32_t)n + 1;
		if (parse_cell(ps, &ps->scratch[n]) < 0)
			return -1;
		n++;
		ps->total_cells++;
		jsonlex_skip_ws(&ps->lx);
		c = jsonlex_peek(&ps->lx);
		if (c == ',') {
			ps->lx.p++;
			jsonlex_skip_ws(&ps->lx);
			continue;
		}
		if (c == ']') {
			ps->lx.p++;
			break;
		}
		return jsonlex_expected(&ps->lx, "',' or ']'");
	}
	ps->lx.ctx_col = 0;
	r->cells = arena_alloc(ps, n * sizeof(struct workbook_cell));
	if (r->cells == NULL)
		return -1;
	memcpy(r->cells, ps->scratch, n * sizeof(struct workbook_cell));
	r->ncells = (uint32_t)n;
	return 0;
}

/* parse_values(ps, t): a tab's "values" (rows of cells) at the cursor. */
static int
parse_values(struct parser *ps, struct workbook_tab *t)
{
	size_t n = 0;
	int first = 1, rc;

	if (jsonlex_open(&ps->lx, '[', "\"values\"") < 0)
		return -1;
	for (;;) {
		rc = jsonlex_element(&ps->lx, &first);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		if (n >= SHEETJSON_MAX_ROWS || ps->total_rows >= SHEETJSON_MAX_ROWS)
			return jsonlex_fail(&ps->lx, ps->lx.p, "more than %u rows", SHEETJSON_MAX_ROWS);
		ps->lx.ctx_row = (uint32_t)n + 1;
		ps->lx.ctx_after = 0;
		if (jsonlex_peek(&ps->lx) != '[') {
			if (jsonlex_peek(&ps->lx) == -1)
				return jsonlex_expected(&ps->lx, "a row");
			return jsonlex_fail(&ps->lx, ps->lx.p, "a row must be an array");
		}
		ps->lx.p++;
		if (n == ps->rowbuf_cap &&
		    grow((void **)&ps->rowbuf, &ps->rowbuf_cap, n + 1,
		    sizeof(struct workbook_row), SHEETJSON_MAX_ROWS) < 0)
			return jsonlex_nomem(&ps->lx);
		if (parse_row(ps, &ps->rowbuf[n]) < 0)
			return -1;
		release_consumed(ps);
		n++;
		ps->total_rows++;
		ps->lx.ctx_after = 1;
	}
	ps->lx.ctx_row = 0;
	ps->lx.ctx_after = 0;
	if (n > 0) {
		t->rows = arena_alloc(ps, n * sizeof(struct workbook_row));
		if (t->rows == NULL)
			return -1;
		memcpy(t->rows, ps->rowbuf, n * sizeof(struct workbook_row));
	}
	t->nrows = (uint32_t)n;
	return 0;
}

/* parse_sheet_id(ps, t): sheetId, a non-negative integer. */
static int
parse_sheet_id(struct parser *ps, struct workbook_tab *t)
{
	const char *at = ps->lx.p;
	struct jsonlex_span sp;
	int64_t v = 0;
	size_t i;

	if (jsonlex_peek(&ps->lx) != '-' && !jsonlex_is_digit(jsonlex_peek(&ps->lx)))
		return jsonlex_fail(&ps->lx, at, "sheetId must be a number");
	if (jsonlex_number(&ps->lx, &sp) < 0)
		return -1;
	for (i = 0; i < sp.len; i++) {
		if (!jsonlex_is_digit(sp.s[i]) || v > (INT64_MAX - 9) / 10)
			return jsonlex_fail(&ps->lx, at, "sheetId must be a non-negative integer");
		v = v * 10 + (sp.s[i] - '0');
	}
	t->sheet_id = v;
	return 0;
}

/* parse_sheet_props(ps, t): a sheet's "properties" object. */
static int
parse_sheet_props(struct parser *ps, struct workbook_tab *t)
{
	struct jsonlex_span key;
	int first = 1, rc, seen_title = 0, seen_id = 0;

	if (jsonlex_open(&ps->lx, '{', "\"properties\"") < 0)
		return -1;
	while ((rc = jsonlex_member(&ps->lx, &first, &key)) > 0) {
		if (jsonlex_key_is(&key, "title")) {
			if (seen_title++)
				return jsonlex_fail(&ps->lx, ps->lx.p, "duplicate \"title\"");
			if (jsonlex_title(&ps->lx, &t->title, "title") < 0)
				return -1;
			ps->lx.ctx_title = t->title;
		} else if (jsonlex_key_is(&key, "sheetId")) {
			if (seen_id++)
				return jsonlex_fail(&ps->lx, ps->lx.p, "duplicate \"sheetId\"");
			if (parse_sheet_id(ps, t) < 0)
				return -1;
		} else if (jsonlex_skip_value(&ps->lx, 4) < 0)
			return -1;
	}
	return rc;
}

/* parse_sheet(ps, t): one element of "sheets". */
static int
parse_sheet(struct parser *ps, struct workbook_tab *t)
{
	struct jsonlex_span key;
	int first = 1, rc, seen_props = 0, seen_values = 0;
	if (jsonlex_open(&ps->lx, '{', "a sheet") < 0)
		return -1;
	while ((rc = jsonlex_member(&ps->lx, &first, &key)) > 0) {
		if (jsonlex_key_is(&key, "properties")) {
			if (seen_props++)
				return jsonlex_fail(&ps->lx, ps->lx.p, "duplicate \"properties\"");
			rc = parse_sheet_props(ps, t);
		} else if (jsonlex_key_is(&key, "values")) {
			if (seen_values++)
				return jsonlex_fail(&ps->lx, ps->lx.p, "duplicate \"values\"");
			rc = parse_values(ps, t);
		} else
			rc = jsonlex_skip_value(&ps->lx, 3);
		if (rc < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (t->title == NULL)
		return jsonlex_fail(&ps->lx, ps->lx.p - 1, "a sheet without properties.title");
	if (t->title[0] == '\0')
		return jsonlex_fail(&ps->lx, ps->lx.p - 1, "a sheet with an empty tab title");
	return 0;
}

/*
 * parse_matched_filters(ps, t): the "dataFilters" of a batchGetByDataFilter
 * MatchedValueRange: the first gridRange's sheetId names the tab (a tab
 * renamed since it was listed is still known by its id).
 */
static int
parse_matched_filters(struct parser *ps, struct workbook_tab *t)
{
	struct jsonlex_span key, k2;
	int first = 1, f2, f3, rc;
	size_t n = 0;

	if (jsonlex_open(&ps->lx, '[', "\"dataFilters\"") < 0)
		return -1;
	while ((rc = jsonlex_element(&ps->lx, &first)) > 0) {
		if (n++ > 0 || jsonlex_peek(&ps->lx) != '{') {
			if (jsonlex_skip_value(&ps->lx, 5) < 0)
				return -1;
			continue;
		}
		ps->lx.p++;
		f2 = 1;
		while ((rc = jsonlex_member(&ps->lx, &f2, &key)) > 0) {
			if (!jsonlex_key_is(&key, "gridRange") || jsonlex_peek(&ps->lx) != '{') {
				if (jsonlex_skip_value(&ps->lx, 6) < 0)
					return -1;
				continue;
			}
			ps->lx.p++;
			f3 = 1;
			while ((rc = jsonlex_member(&ps->lx, &f3, &k2)) > 0) {
				if (jsonlex_key_is(&k2, "sheetId"))
					rc = parse_sheet_id(ps, t);
				else
					rc = jsonlex_skip_value(&ps->lx, 7);
				if (rc < 0)
					return -1;
			}
			if (rc < 0)
				return -1;
		}
		if (rc < 0)
			return -1;
	}
	return rc;
}

/* parse_value_range(ps, t, i): one element of "valueRanges" (a ValueRange,
 * or batchGetByDataFilter's MatchedValueRange around one). */
static int
parse_value_range(struct parser *ps, struct workbook_tab *t, size_t i)
{
	const struct sheetjson_request *req = ps->req;
	struct jsonlex_span key, sp;
	int first = 1, rc, seen_range = 0, seen_values = 0, seen_dim = 0;
	int seen_vr = 0, seen_df = 0;
	const char *at;
	size_t tl, cells_at;
	struct err re;

	if (jsonlex_open(&ps->lx, '{', "a valueRange") < 0)
		return -1;
	while ((rc = jsonlex_member(&ps->lx, &first, &key)) > 0) {
		if (jsonlex_key_is(&key, "valueRange") && ps->vr_depth == 0) {
			/* A MatchedValueRange: the ValueRange inside it. */
			if (seen_vr++)
				return jsonlex_fail(&ps->lx, ps->lx.p, "duplicate \"valueRange\"");
			ps->vr_depth++;
			rc = parse_value_range(ps, t, i);
			ps->vr_depth--;
		} else if (jsonlex_key_is(&key, "dataFilters") && ps->vr_depth == 0) {
			if (seen_df++)
				return jsonlex_fail(&ps->lx, ps->lx.p, "duplicate \"dataFilters\"");
			rc = parse_matched_filters(ps, t);
			/* proto3 omits a sheetId of 0. */
			if (rc == 0 && t->sheet_id < 0)
				t->sheet_id = 0;
		} else if (jsonlex_key_is(&key, "range")) {
			if (seen_range++)
				return jsonlex_fail(&ps->lx, ps->lx.p, "duplicate \"range\"");
			at = ps->lx.p;
			if (jsonlex_peek(&ps->lx) != '"')
				return jsonlex_expected(&ps->lx, "a string");
			if (jsonlex_text(&ps->lx, &sp, "range") < 0)
				return -1;
			err_init(&re);
			if (range_parse(sp.s, sp.len, &tl, &cells_at, &re) == -1)
				return jsonlex_fail(&ps->lx, at, "range \"%.*s\" has a badly quoted "
				    "tab title: %s",
				    (int)(sp.len > 100 ? 100 : sp.len), sp.s, re.msg);
			if (tl < sp.len)
				sp.s[tl] = '\0';	/* at the '!' or a quote */
			sp.len = tl;
			jsonlex_keep(&ps->lx, &sp, 1);
			t->title = sp.s;
			if (req != NULL && req->titles != NULL &&
			    strcmp(t->title, req->titles[i]) != 0)
				return jsonlex_fail(&ps->lx, at, "range is on tab \"%s\" but \"%s\" "
				    "was requested", t->title, req->titles[i]);
			ps->lx.ctx_title = t->title;
		} else if (jsonlex_key_is(&key, "majorDimension")) {
			if (seen_dim++)
				return jsonlex_fail(&ps->lx, ps->lx.p, "duplicate \"majorDimension\"");
			at = ps->lx.p;
			if (jsonlex_peek(&ps->lx) != '"')
				return jsonlex_expected(&ps->lx, "a string");
			if (jsonlex_string(&ps->lx, &sp) < 0)
				return -1;
			if (!jsonlex_key_is(&sp, "ROWS"))
				return jsonlex_fail(&ps->lx, at, "majorDimension \"%.*s\": only "
				    "ROWS is read", (int)(sp.len > 40 ? 40 : sp.len), sp.s);
		} else if (jsonlex_key_is(&key, "values")) {
			if (seen_values++)
				return jsonlex_fail(&ps->lx, ps->lx.p, "duplicate \"values\"");
			rc = parse_values(ps, t);
		} else
			rc = jsonlex_skip_value(&ps->lx, 3);
		if (rc < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (t->title == NULL)
		return jsonlex_fail(&ps->lx, ps->lx.p - 1, "a valueRange without \"range\"");
	return 0;
}

/* parse_tabs(ps, kind): the "sheets" or "valueRanges" array. */
static int
parse_tabs(struct parser *ps, const char *kind)
{
	struct sheetjson_doc *wf = ps->wf;
	const struct sheetjson_request *req = ps->req;
	int first = 1, rc, batch = kind[0] == 'v';
	struct workbook_tab *t;
	size_t i;

	if (jsonlex_open(&ps->lx, '[', kind) < 0)
		return -1;
	for (i = 0;; i++) {
		rc = jsonlex_element(&ps->lx, &first);
		if (rc <= 0)
			break;
		ps->lx.ctx_kind = kind;
		ps->lx.ctx_tab = i;
		ps->lx.ctx_title = NULL;
		if (i >= SHEETJSON_MAX_TABS)
			return jsonlex_fail(&ps->lx, ps->lx.p, "more than %d tabs", SHEETJSON_MAX_TABS);
		if (batch && req != NULL && req->titles != NULL) {
			if (i >= req->ntitles)
				return jsonlex_fail(&ps->lx, ps->lx.p, "more valueRanges than the %zu "
				    "ranges requested", req->ntitles);
			ps->lx.ctx_title = req->titles[i];
		}
		if (i == ps->tabs_cap &&
		    grow((void **)&wf->tabs, &ps->tabs_cap, i + 1, sizeof(struct workbook_tab),
		    SHEETJSON_MAX_TABS) < 0)
			return jsonlex_nomem(&ps->lx);
		t = &wf->tabs[i];
		memset(t, 0, sizeof(*t));
		t->sheet_id = -1;
		rc = batch ? parse_value_range(ps, t, i) : parse_sheet(ps, t);
		if (rc < 0)
			return -1;
		wf->wb.ntabs = i + 1;
		wf->wb.tabs = wf->tabs;
	}
	ps->lx.ctx_kind = NULL;
	ps->lx.ctx_title = NULL;
	return rc;
}

/* parse_book_props(ps): the spreadsheet's "properties" object. */
static int
parse_book_props(struct parser *ps)
{
	struct jsonlex_span key;
	int first = 1, rc, seen_title = 0;

	if (jsonlex_open(&ps->lx, '{', "\"properties\"") < 0)
		return -1;
	while ((rc = jsonlex_member(&ps->lx, &first, &key)) > 0) {
		if (jsonlex_key_is(&key, "title")) {
			if (seen_title++)
				return jsonlex_fail(&ps->lx, ps->lx.p, "duplicate \"title\"");
			rc = jsonlex_title(&ps->lx, &ps->wf->wb.title, "title");
		} else
			rc = jsonlex_skip_value(&ps->lx, 2);
		if (rc < 0)
			return -1;
	}
	return rc;
}

/*
 * check_titles(ps): no two sheets with the same title (Sheets forbids it).
 * Not applied to valueRanges: a batchGet may ask for two ranges of one tab.
 */
static int
check_titles(struct parser *ps)
{
	const struct workbook *wb = &ps->wf->wb;
	size_t i, j;

	for (i = 0; i < wb->ntabs; i++)
		for (j = i + 1; j < wb->ntabs; j++)
			if (strcmp(wb->tabs[i].title, wb->tabs[j].title) == 0)
				return jsonlex_fail(&ps->lx, ps->lx.end, "two tabs are titled \"%s\"",
				    wb->tabs[i].title);
	return 0;
}

/* parse_root(ps): the whole document. */
static int
parse_root(struct parser *ps)
{
	const struct sheetjson_request *req = ps->req;
	struct jsonlex_span key;
	int first = 1, rc, seen_id = 0, seen_props = 0, seen_tabs = 0;
	int sheets = 0;

	/* RFC 8259 8.1: a parser may ignore a byte order mark. */
	if (ps->lx.end - ps->lx.p >= 3 && memcmp(ps->lx.p, "\xef\xbb\xbf", 3) == 0)
		ps->lx.p += 3;
	jsonlex_skip_ws(&ps->lx);
	if (ps->lx.p >= ps->lx.end)
		return jsonlex_fail(&ps->lx, ps->lx.p, "empty input, expected a JSON object");
	if (jsonlex_peek(&ps->lx) != '{')
		return jsonlex_expected(&ps->lx, "a JSON object");
	ps->lx.p++;
	while ((rc = jsonlex_member(&ps->lx, &first, &key)) > 0) {
		if (jsonlex_key_is(&key, "spreadsheetId")) {
			if (seen_id++)
				return jsonlex_fail(&ps->lx, ps->lx.p, "duplicate \"spreadsheetId\"");
			rc = jsonlex_title(&ps->lx, &ps->wf->wb.spreadsheet_id, "spreadsheetId");
		} else if (jsonlex_key_is(&key, "properties")) {
			if (seen_props++)
				return jsonlex_fail(&ps->lx, ps->lx.p, "duplicate \"properties\"");
			rc = parse_book_props(ps);
		} else if (jsonlex_key_is(&key, "sheets") || jsonlex_key_is(&key, "valueRanges")) {
			if (seen_tabs++)
				return jsonlex_fail(&ps->lx, ps->lx.p, "both or twice \"sheets\" and "
				    "\"valueRanges\"");
			if (ps->shape == SHAPE_BATCHGET && key.s[0] == 's')
				return jsonlex_fail(&ps->lx, ps->lx.p, "\"sheets\" in a values.batchGet "
				    "response");
			sheets = key.s[0] == 's';
			rc = parse_tabs(ps, sheets ? "sheets" : "valueRanges");
		} else
			rc = jsonlex_skip_value(&ps->lx, 1);
		if (rc < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	jsonlex_skip_ws(&ps->lx);
	if (ps->lx.p < ps->lx.end)
		return jsonlex_fail(&ps->lx, ps->lx.p, "trailing characters after the JSON document");
	if (!seen_tabs && ps->shape != SHAPE_BATCHGET)
		return jsonlex_fail(&ps->lx, ps->lx.p, "no \"sheets\" or \"valueRanges\": "
		    "not a workbook");
	if (req != NULL && req->titles != NULL && ps->wf->wb.ntabs != req->ntitles)
		return jsonlex_fail(&ps->lx, ps->lx.p, "%zu valueRanges for %zu requested ranges",
		    ps->wf->wb.ntabs, req->ntitles);
	return sheets ? check_titles(ps) : 0;
}

void
sheetjson_free(struct sheetjson_doc *wf)
{
	struct chunk *c, *next;

	if (wf == NULL)
		return;
	for (c = wf->arena; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(wf->tabs);
	free(wf->buf);
	free(wf);
}

/*
 * rebase(p, old, used, nb): p moved with the text from old (an address, the
 * buffer before realloc) to nb; pointers elsewhere (static "TRUE") stay.
 * old + used itself is the text's too: an empty string kept last points
 * there.
 */
static const char *
rebase(const char *p, uintptr_t old, size_t used, char *nb)
{
	uintptr_t a = (uintptr_t)p;

	if (p == NULL || a < old || a - old > used)
		return p;
	return nb + (a - old);
}

/*
 * shrink(wf, old, used, len): give back the len - used bytes of the buffer
 * past the packed text.  realloc may move it: the view's pointers then
 * follow.  old is the buffer's address taken before (an integer: the old
 * pointer is never used once realloc returns).  If realloc fails, the
 * larger buffer simply stays.
 */
static void
shrink(struct sheetjson_doc *wf, uintptr_t old, size_t used, size_t len)
{
	struct workbook *wb = &wf->wb;
	size_t i, r, c;
	char *nb;

	/* Not worth a realloc (and its copy, if it moves) below 64 KB. */
	if (len - used < ((size_t)64 << 10))
		return;
	nb = realloc(wf->buf, used > 0 ? used : 1);
	if (nb == NULL)
		return;
	wf->buf = nb;
	if ((uintptr_t)nb == old)
		return;
	wb->spreadsheet_id = rebase(wb->spreadsheet_id, old, used, nb);
	wb->title = rebase(wb->title, old, used, nb);
	for (i = 0; i < wb->ntabs; i++) {
		struct workbook_tab *t = &wf->tabs[i];

		t->title = rebase(t->title, old, used, nb);
		for (r = 0; r < t->nrows; r++)
			for (c = 0; c < t->rows[r].ncells; c++)
				t->rows[r].cells[c].text = rebase(t->rows[r].cells[c].text,
				    old, used, nb);
	}
}

/* parse(buf, len, name, shape, req, e): both entry points. */
static struct sheetjson_doc *
parse(char *buf, size_t len, const char *name, enum shape shape,
    const struct sheetjson_request *req, struct err *e)
{
	struct parser ps;
	struct sheetjson_doc *wf;
	uintptr_t base = (uintptr_t)buf;

	if (len > SHEETJSON_MAX_INPUT) {
		err_set(e, ERR_DATA, "%s: %zu bytes, more than the %zu MB limit",
		    name, len, SHEETJSON_MAX_INPUT >> 20);
		free(buf);
		return NULL;
	}
	if (len == 0 || buf == NULL) {
		err_set(e, ERR_DATA, "%s: empty input, expected a JSON object", name);
		free(buf);
		return NULL;
	}
	wf = calloc(1, sizeof(*wf));
	if (wf == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", name);
		free(buf);
		return NULL;
	}
	wf->buf = buf;
	memset(&ps, 0, sizeof(ps));
	ps.lx.buf = buf;
	ps.lx.p = buf;
	ps.lx.w = buf;
	ps.lx.end = buf + len;
	ps.lx.line = 1;
	ps.lx.line_start = buf;
	ps.lx.name = name;
	ps.lx.e = e;
	ps.wf = wf;
	ps.shape = shape;
	ps.req = req;
	ps.page = (uintptr_t)sysconf(_SC_PAGESIZE);
	if (ps.page == 0 || (ps.page & (ps.page - 1)) != 0)
		ps.page = 4096;
	if ((ps.share = calloc(SHARE_SLOTS, sizeof(*ps.share))) == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", name);
		sheetjson_free(wf);
		return NULL;
	}
	if (parse_root(&ps) < 0) {
		sheetjson_free(wf);
		wf = NULL;
	} else
		shrink(wf, base, (size_t)(ps.lx.w - buf), len);
	free(ps.share);
	free(ps.scratch);
	free(ps.rowbuf);
	return wf;
}

struct sheetjson_doc *
sheetjson_parse(char *buf, size_t len, const char *name, struct err *e)
{
	return parse(buf, len, name != NULL ? name : "input", SHAPE_ANY, NULL, e);
}

struct sheetjson_doc *
sheetjson_parse_batchget(char *buf, size_t len,
    const struct sheetjson_request *req, struct err *e)
{
	const char *name = req != NULL && req->name != NULL ? req->name : "batchGet";

	return parse(buf, len, name, SHAPE_BATCHGET, req, e);
}

const struct workbook *
sheetjson_view(const struct sheetjson_doc *wf)
{
	return &wf->wb;
}

struct sheetjson_doc *
sheetjson_load_file(const char *path, struct err *e)
{
	struct stat st;
	char *buf = NULL, *nb, ebuf[128];
	size_t cap, used = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err_set(e, ERR_NOINPUT, "%s: %s", path,
		    strerror_r(errno, ebuf, sizeof(ebuf)));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		err_set(e, ERR_NOINPUT, "%s: %s", path,
		    strerror_r(errno, ebuf, sizeof(ebuf)));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		err_set(e, ERR_NOINPUT, "%s: is a directory", path);
		goto fail;
	}
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > SHEETJSON_MAX_INPUT) {
		err_set(e, ERR_DATA, "%s: %jd bytes, more than the %zu MB limit",
		    path, (intmax_t)st.st_size, SHEETJSON_MAX_INPUT >> 20);
		goto fail;
	}
	/* One spare byte so that a regular file's end is seen in one read. */
	cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : (size_t)64 << 10;
	buf = malloc(cap);
	if (buf == NULL)
		goto nomem;
	for (;;) {
		if (used == cap) {
			if (cap > SHEETJSON_MAX_INPUT) {
				err_set(e, ERR_DATA, "%s: more than the %zu MB limit",
				    path, SHEETJSON_MAX_INPUT >> 20);
				goto fail;
			}
			cap *= 2;
			nb = realloc(buf, cap);
			if (nb == NULL)
				goto nomem;
			buf = nb;
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(e, ERR_NOINPUT, "%s: %s", path,
			    strerror_r(errno, ebuf, sizeof(ebuf)));
			goto fail;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	return sheetjson_parse(buf, used, path, e);
nomem:
	err_set(e, ERR_NOMEM, "%s: out of memory", path);
fail:
	free(buf);
	close(fd);
	return NULL;
}
