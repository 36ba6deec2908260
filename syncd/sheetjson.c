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
 * shorter than what it stands for (quotes, escapes, separators).  After the
 * parse the buffer shrinks to that text (some 12% less on a workbook, more on
 * a pretty-printed response), and the pointers follow it if realloc moves.  A row's cells are gathered in a
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
#include "syncd/range.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Arena chunks: the first is small, each next twice the last, up to a cap. */
#define ARENA_FIRST	((size_t)64 << 10)
#define ARENA_MAX	((size_t)8 << 20)

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
	char *p;		/* cursor into buf */
	char *end;		/* one past the last input byte */
	char *buf;
	char *w;		/* where the next kept text goes; never after p */
	size_t line;		/* 1-based line of p */
	const char *line_start;	/* first byte of that line */
	const char *name;	/* borrowed: the input's name for messages */
	struct err *e;
	struct sheetjson_doc *wf;
	enum shape shape;
	const struct sheetjson_request *req;	/* borrowed; may be NULL */

	struct workbook_cell *scratch;	/* owned: cells of the row being read */
	size_t scratch_cap;
	struct workbook_row *rowbuf;	/* owned: rows of the tab being read */
	size_t rowbuf_cap;
	size_t tabs_cap;
	size_t total_cells;
	size_t total_rows;

	/* Where we are, for messages. */
	const char *ctx_kind;	/* "sheets", "valueRanges" or NULL */
	int vr_depth;		/* inside a MatchedValueRange's "valueRange" */
	size_t ctx_tab;		/* index in that array */
	const char *ctx_title;	/* the tab's title when known */
	uint32_t ctx_row;	/* 1-based sheet row, 0 when not in a row */
	uint32_t ctx_col;	/* 1-based column, 0 when not at a cell */
	int ctx_after;		/* 1: between rows (after ctx_row) */
};

/* Bytes that end the fast scan of a string: controls, '"', '\\', non-ASCII. */
static const uint8_t str_stop[256] = {
	[0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1,
};

static void
column_name(uint32_t col, char out[8])
{
	char tmp[8];
	size_t n = 0, i;

	/* col is 1-based; bijective base 26 (A..Z, AA..). */
	while (col > 0 && n < sizeof(tmp) - 1) {
		col--;
		tmp[n++] = (char)('A' + col % 26);
		col /= 26;
	}
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/*
 * fail(ps, at, fmt, ...): record an ERR_DATA error at byte `at` of the input
 * with where-we-are context.  Always returns -1 so callers can return it.
 */
static int fail(struct parser *ps, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(struct parser *ps, const char *at, const char *fmt, ...)
{
	char msg[320], where[256], tabname[200], col[8];
	size_t column;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	where[0] = '\0';
	if (ps->ctx_kind != NULL) {
		if (ps->ctx_title != NULL)
			snprintf(tabname, sizeof(tabname), "tab \"%s\"", ps->ctx_title);
		else
			snprintf(tabname, sizeof(tabname), "%s[%zu]", ps->ctx_kind,
			    ps->ctx_tab);
		if (ps->ctx_row > 0 && ps->ctx_after)
			snprintf(where, sizeof(where), " after row %u of %s",
			    ps->ctx_row, tabname);
		else if (ps->ctx_row > 0 && ps->ctx_col > 0) {
			column_name(ps->ctx_col, col);
			snprintf(where, sizeof(where), " in row %u column %s of %s",
			    ps->ctx_row, col, tabname);
		} else if (ps->ctx_row > 0)
			snprintf(where, sizeof(where), " in row %u of %s",
			    ps->ctx_row, tabname);
		else
			snprintf(where, sizeof(where), " in %s", tabname);
	}
	/* at is never before line_start: newlines only occur in white space. */
	if (at < ps->line_start)
		at = ps->line_start;
	column = (size_t)(at - ps->line_start) + 1;
	err_set(ps->e, ERR_DATA, "%s:%zu:%zu: %s%s", ps->name, ps->line, column,
	    msg, where);
	return -1;
}

/* expected(ps, what): the error for finding something else than `what`. */
static int
expected(struct parser *ps, const char *what)
{
	unsigned char c;

	if (ps->p >= ps->end)
		return fail(ps, ps->p, "unexpected end of input, expected %s", what);
	c = (unsigned char)*ps->p;
	if (c >= 0x21 && c < 0x7f)
		return fail(ps, ps->p, "expected %s, found '%c'", what, c);
	return fail(ps, ps->p, "expected %s, found byte 0x%02x", what, c);
}

static int
nomem(struct parser *ps)
{
	err_set(ps->e, ERR_NOMEM, "%s: out of memory", ps->name);
	return -1;
}

static inline void
skip_ws(struct parser *ps)
{
	char *p = ps->p, *end = ps->end;

	while (p < end) {
		char c = *p;
		if (c == ' ' || c == '\t' || c == '\r')
			p++;
		else if (c == '\n') {
			ps->line++;
			ps->line_start = ++p;
		} else
			break;
	}
	ps->p = p;
}

/* peek(ps): the byte at the cursor, or -1 at the end of input. */
static inline int
peek(const struct parser *ps)
{
	return ps->p < ps->end ? (unsigned char)*ps->p : -1;
}

/*
 * utf8_seq(p, end): the length of the valid UTF-8 sequence starting at p
 * (p < end, *p >= 0x80), or 0 when it is not valid: overlong forms,
 * surrogates, code points above U+10FFFF and truncated sequences are not.
 */
static inline size_t
utf8_seq(const unsigned char *p, const unsigned char *end)
{
	size_t avail = (size_t)(end - p);
	unsigned c = p[0], c1;

	if (c < 0xc2)
		return 0;
	if (c < 0xe0)
		return avail >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (avail < 2)
		return 0;
	c1 = p[1];
	if (c < 0xf0) {
		if (avail < 3 || (p[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0)
			return c1 >= 0xa0 && c1 <= 0xbf ? 3 : 0;
		if (c == 0xed)
			return c1 >= 0x80 && c1 <= 0x9f ? 3 : 0;
		return (c1 & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c > 0xf4 || avail < 4 || (p[2] & 0xc0) != 0x80 ||
	    (p[3] & 0xc0) != 0x80)
		return 0;
	if (c == 0xf0)
		return c1 >= 0x90 && c1 <= 0xbf ? 4 : 0;
	if (c == 0xf4)
		return c1 >= 0x80 && c1 <= 0x8f ? 4 : 0;
	return (c1 & 0xc0) == 0x80 ? 4 : 0;
}

static int
hex4(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *
put_utf8(char *w, uint32_t cp)
{
	if (cp < 0x80) {
		*w++ = (char)cp;
	} else if (cp < 0x800) {
		*w++ = (char)(0xc0 | (cp >> 6));
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*w++ = (char)(0xe0 | (cp >> 12));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*w++ = (char)(0xf0 | (cp >> 18));
		*w++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*w++ = (char)(0x80 | (cp & 0x3f));
	}
	return w;
}

/* A string as parsed: unescaped text in the buffer. */
struct span {
	char *s;
	size_t len;
	int has_nul;		/* a \u0000 was decoded into it */
};

/*
 * parse_string(ps, out): read the string at the cursor (which is at '"'),
 * validating escapes and UTF-8 and unescaping in place.  On success the
 * cursor is after the closing quote and out->s[out->len] is still inside the
 * buffer (at most the closing quote), so the caller may write a NUL there.
 */
static int
parse_string(struct parser *ps, struct span *out)
{
	char *start = ps->p + 1, *r = start, *w;
	const char *end = ps->end;
	size_t n;
	uint32_t cp, lo;

	out->has_nul = 0;
	/* Fast path: no escapes, so nothing moves. */
	for (;;) {
		while (r < end && !str_stop[(unsigned char)*r])
			r++;
		if (r >= end)
			return fail(ps, ps->p, "unterminated string");
		if (*r == '"') {
			out->s = start;
			out->len = (size_t)(r - start);
			ps->p = r + 1;
			return 0;
		}
		if ((unsigned char)*r >= 0x80) {
			n = utf8_seq((const unsigned char *)r, (const unsigned char *)end);
			if (n == 0)
				return fail(ps, r, "invalid UTF-8 at byte %zu",
				    (size_t)(r - ps->buf));
			r += n;
			continue;
		}
		if (*r == '\\')
			break;
		return fail(ps, r, "control character 0x%02x in a string "
		    "(it must be escaped)", (unsigned)(unsigned char)*r);
	}
	/* Slow path: from the first escape on, copy down to w. */
	w = r;
	for (;;) {
		unsigned char c;

		if (r >= end)
			return fail(ps, ps->p, "unterminated string");
		c = (unsigned char)*r;
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(ps, r, "control character 0x%02x in a string "
			    "(it must be escaped)", (unsigned)c);
		if (c >= 0x80) {
			n = utf8_seq((const unsigned char *)r, (const unsigned char *)end);
			if (n == 0)
				return fail(ps, r, "invalid UTF-8 at byte %zu",
				    (size_t)(r - ps->buf));
			memmove(w, r, n);
			w += n;
			r += n;
			continue;
		}
		if (c != '\\') {
			*w++ = *r++;
			continue;
		}
		if (end - r < 2)
			return fail(ps, ps->p, "unterminated string");
		switch (r[1]) {
		case '"': *w++ = '"'; r += 2; continue;
		case '\\': *w++ = '\\'; r += 2; continue;
		case '/': *w++ = '/'; r += 2; continue;
		case 'b': *w++ = '\b'; r += 2; continue;
		case 'f': *w++ = '\f'; r += 2; continue;
		case 'n': *w++ = '\n'; r += 2; continue;
		case 'r': *w++ = '\r'; r += 2; continue;
		case 't': *w++ = '\t'; r += 2; continue;
		case 'u': break;
		default:
			if ((unsigned char)r[1] >= 0x21 && (unsigned char)r[1] < 0x7f)
				return fail(ps, r, "invalid escape '\\%c' in a string", r[1]);
			return fail(ps, r, "invalid escape in a string");
		}
		if (end - r < 6 || hex4(r + 2, &cp) < 0)
			return fail(ps, r, "invalid \\u escape (four hex digits needed)");
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return fail(ps, r, "unpaired low surrogate \\u%04X", (unsigned)cp);
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (end - r < 12 || r[6] != '\\' || r[7] != 'u' ||
			    hex4(r + 8, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
				return fail(ps, r, "unpaired high surrogate \\u%04X",
				    (unsigned)cp);
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			r += 12;
		} else
			r += 6;
		if (cp == 0)
			out->has_nul = 1;
		w = put_utf8(w, cp);
	}
	out->s = start;
	out->len = (size_t)(w - start);
	ps->p = r + 1;
	return 0;
}

/* utf8_chars(s, len): code points in valid UTF-8 text. */
static size_t
utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/*
 * parse_text(ps, out, what): a string the view keeps (a cell, a title, an
 * id): no NUL, at most SHEETJSON_MAX_CELL_CHARS code points.
 */
static int
parse_text(struct parser *ps, struct span *out, const char *what)
{
	const char *at = ps->p;
	size_t chars;

	if (parse_string(ps, out) < 0)
		return -1;
	if (out->has_nul)
		return fail(ps, at, "%s holds \\u0000", what);
	/* Code points never outnumber bytes: count only when it matters. */
	if (out->len > SHEETJSON_MAX_CELL_CHARS) {
		chars = utf8_chars(out->s, out->len);
		if (chars > SHEETJSON_MAX_CELL_CHARS)
			return fail(ps, at, "%s too long (%zu characters, at most %u)",
			    what, chars, SHEETJSON_MAX_CELL_CHARS);
	}
	return 0;
}

/*
 * keep(ps, sp, nul): move the text of sp (already unescaped, at or after
 * ps->w) down to ps->w, NUL-terminated when nul, and point sp at it.  It
 * fits: sp came from a token that started at or after ps->w and spans at
 * least sp->len + 1 bytes (a closing quote or the byte after a number).
 */
static void
keep(struct parser *ps, struct span *sp, int nul)
{
	if (ps->w != sp->s)
		memmove(ps->w, sp->s, sp->len);
	sp->s = ps->w;
	if (nul)
		sp->s[sp->len] = '\0';
	ps->w += sp->len + (nul != 0);
}

/* parse_title(ps, out): a kept string, NUL-terminated. */
static int
parse_title(struct parser *ps, const char **out, const char *what)
{
	struct span sp;

	if (peek(ps) != '"')
		return expected(ps, "a string");
	if (parse_text(ps, &sp, what) < 0)
		return -1;
	keep(ps, &sp, 1);
	*out = sp.s;
	return 0;
}

static inline int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* parse_number(ps, out): a JSON number at the cursor, kept as written. */
static int
parse_number(struct parser *ps, struct span *out)
{
	char *s = ps->p, *p = ps->p;
	const char *end = ps->end;

	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0') {
		p++;
		if (p < end && is_digit(*p))
			return fail(ps, s, "invalid number (leading zero)");
	} else if (p < end && is_digit(*p)) {
		while (p < end && is_digit(*p))
			p++;
	} else {
		ps->p = p;
		return fail(ps, s, "invalid number (a digit must follow '-')");
	}
	if (p < end && *p == '.') {
		p++;
		if (p >= end || !is_digit(*p))
			return fail(ps, s, "invalid number (a digit must follow '.')");
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !is_digit(*p))
			return fail(ps, s, "invalid number (a digit must follow the exponent)");
		while (p < end && is_digit(*p))
			p++;
	}
	if (p - s > SHEETJSON_MAX_NUMBER)
		return fail(ps, s, "number too long (%zu bytes, at most %d)",
		    (size_t)(p - s), SHEETJSON_MAX_NUMBER);
	out->s = s;
	out->len = (size_t)(p - s);
	out->has_nul = 0;
	ps->p = p;
	return 0;
}

/* parse_literal(ps, word): the literal word (true/false/null) at the cursor. */
static int
parse_literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return expected(ps, "a JSON value");
	ps->p += n;
	return 0;
}

/*
 * skip_value(ps, depth): validate and skip the value at the cursor.  depth
 * is the nesting depth of the container holding it (the root object is 1).
 * Iterative: the open containers are bits of `stack` (1: object).
 */
static int
skip_value(struct parser *ps, unsigned depth)
{
	uint64_t stack = 0;
	unsigned n = 0;		/* open containers */
	struct span sp;
	int c;

	for (;;) {
		/* A value is at the cursor. */
		skip_ws(ps);
		c = peek(ps);
		if (c == '{' || c == '[') {
			if (depth + n + 1 > SHEETJSON_MAX_DEPTH)
				return fail(ps, ps->p, "nesting deeper than %d",
				    SHEETJSON_MAX_DEPTH);
			stack = (stack << 1) | (c == '{');
			n++;
			ps->p++;
			skip_ws(ps);
			if (peek(ps) == (c == '{' ? '}' : ']')) {
				ps->p++;
				stack >>= 1;
				n--;
				goto after;
			}
			if (c == '[')
				continue;
			goto member;
		}
		if (c == '"') {
			if (parse_string(ps, &sp) < 0)
				return -1;
		} else if (c == '-' || is_digit(c)) {
			if (parse_number(ps, &sp) < 0)
				return -1;
		} else if (c == 't') {
			if (parse_literal(ps, "true") < 0)
				return -1;
		} else if (c == 'f') {
			if (parse_literal(ps, "false") < 0)
				return -1;
		} else if (c == 'n') {
			if (parse_literal(ps, "null") < 0)
				return -1;
		} else
			return expected(ps, "a JSON value");
after:
		/* A value ended: close containers or go on to the next one. */
		for (;;) {
			if (n == 0)
				return 0;
			skip_ws(ps);
			c = peek(ps);
			if (c == ',') {
				ps->p++;
				if (stack & 1)
					goto member;
				break;
			}
			if (c == ((stack & 1) ? '}' : ']')) {
				ps->p++;
				stack >>= 1;
				n--;
				continue;
			}
			return expected(ps, (stack & 1) ? "',' or '}'" : "',' or ']'");
		}
		continue;
member:
		skip_ws(ps);
		if (peek(ps) != '"')
			return expected(ps, "a member name");
		if (parse_string(ps, &sp) < 0)
			return -1;
		skip_ws(ps);
		if (peek(ps) != ':')
			return expected(ps, "':'");
		ps->p++;
	}
}

/*
 * Walking objects and arrays of a known shape.  member_next(ps, first, key)
 * is called with the cursor just inside '{' (first = 1 on the first call);
 * it returns 1 with the cursor at the member's value and key set, 0 after
 * the closing '}', -1 on error.  element_next is the same for arrays.
 */
static int
member_next(struct parser *ps, int *first, struct span *key)
{
	skip_ws(ps);
	if (peek(ps) == '}') {
		ps->p++;
		return 0;
	}
	if (!*first) {
		if (peek(ps) != ',')
			return expected(ps, "',' or '}'");
		ps->p++;
		skip_ws(ps);
	}
	*first = 0;
	if (peek(ps) != '"')
		return expected(ps, "a member name");
	if (parse_string(ps, key) < 0)
		return -1;
	skip_ws(ps);
	if (peek(ps) != ':')
		return expected(ps, "':'");
	ps->p++;
	skip_ws(ps);
	return 1;
}

static int
element_next(struct parser *ps, int *first)
{
	skip_ws(ps);
	if (peek(ps) == ']') {
		ps->p++;
		return 0;
	}
	if (!*first) {
		if (peek(ps) != ',')
			return expected(ps, "',' or ']'");
		ps->p++;
		skip_ws(ps);
		if (peek(ps) == ']')
			return fail(ps, ps->p, "expected a value after ','");
	}
	*first = 0;
	return 1;
}

static int
key_is(const struct span *k, const char *name)
{
	size_t n = strlen(name);

	return k->len == n && memcmp(k->s, name, n) == 0;
}

/* expect_open(ps, c, what): the cursor must be at c ('{' or '['). */
static int
expect_open(struct parser *ps, int c, const char *what)
{
	if (peek(ps) != c)
		return fail(ps, ps->p, "%s must be %s", what,
		    c == '{' ? "an object" : "an array");
	ps->p++;
	return 0;
}

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
			nomem(ps);
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
 * parse_cell(ps, c): the cell value at the cursor.  Strings and numbers
 * point into the buffer; true/false become "TRUE"/"FALSE"; null is empty.
 */
static int
parse_cell(struct parser *ps, struct workbook_cell *c)
{
	struct span sp;

	switch (peek(ps)) {
	case '"':
		if (parse_text(ps, &sp, "cell") < 0)
			return -1;
		c->type = WORKBOOK_STRING;
		break;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		if (parse_number(ps, &sp) < 0)
			return -1;
		c->type = WORKBOOK_NUMBER;
		break;
	case 't':
		if (parse_literal(ps, "true") < 0)
			return -1;
		c->text = "TRUE";
		c->len = 4;
		c->type = WORKBOOK_BOOL;
		return 0;
	case 'f':
		if (parse_literal(ps, "false") < 0)
			return -1;
		c->text = "FALSE";
		c->len = 5;
		c->type = WORKBOOK_BOOL;
		return 0;
	case 'n':
		if (parse_literal(ps, "null") < 0)
			return -1;
		c->text = NULL;
		c->len = 0;
		c->type = WORKBOOK_EMPTY;
		return 0;
	case '{':
		return fail(ps, ps->p, "an object where a cell should be");
	case '[':
		return fail(ps, ps->p, "an array where a cell should be");
	default:
		return expected(ps, "a cell (string, number, true, false or null)");
	}
	keep(ps, &sp, 0);
	c->text = sp.s;
	c->len = (uint32_t)sp.len;
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

	skip_ws(ps);
	if (peek(ps) == ']') {
		ps->p++;
		r->cells = NULL;
		r->ncells = 0;
		return 0;
	}
	for (;;) {
		if (n == ps->scratch_cap) {
			if (n >= SHEETJSON_MAX_COLUMNS) {
				ps->ctx_col = 0;
				return fail(ps, ps->p, "more than %u cells in a row",
				    SHEETJSON_MAX_COLUMNS);
			}
			if (grow((void **)&ps->scratch, &ps->scratch_cap, n + 1,
			    sizeof(struct workbook_cell), SHEETJSON_MAX_COLUMNS) < 0)
				return nomem(ps);
		}
		if (ps->total_cells >= SHEETJSON_MAX_CELLS)
			return fail(ps, ps->p, "more than %u cells in the workbook",
			    SHEETJSON_MAX_CELLS);
		ps->ctx_col = (uint32_t)n + 1;
		if (parse_cell(ps, &ps->scratch[n]) < 0)
			return -1;
		n++;
		ps->total_cells++;
		skip_ws(ps);
		c = peek(ps);
		if (c == ',') {
			ps->p++;
			skip_ws(ps);
			continue;
		}
		if (c == ']') {
			ps->p++;
			break;
		}
		return expected(ps, "',' or ']'");
	}
	ps->ctx_col = 0;
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

	if (expect_open(ps, '[', "\"values\"") < 0)
		return -1;
	for (;;) {
		rc = element_next(ps, &first);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		if (n >= SHEETJSON_MAX_ROWS || ps->total_rows >= SHEETJSON_MAX_ROWS)
			return fail(ps, ps->p, "more than %u rows", SHEETJSON_MAX_ROWS);
		ps->ctx_row = (uint32_t)n + 1;
		ps->ctx_after = 0;
		if (peek(ps) != '[') {
			if (peek(ps) == -1)
				return expected(ps, "a row");
			return fail(ps, ps->p, "a row must be an array");
		}
		ps->p++;
		if (n == ps->rowbuf_cap &&
		    grow((void **)&ps->rowbuf, &ps->rowbuf_cap, n + 1,
		    sizeof(struct workbook_row), SHEETJSON_MAX_ROWS) < 0)
			return nomem(ps);
		if (parse_row(ps, &ps->rowbuf[n]) < 0)
			return -1;
		n++;
		ps->total_rows++;
		ps->ctx_after = 1;
	}
	ps->ctx_row = 0;
	ps->ctx_after = 0;
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
	const char *at = ps->p;
	struct span sp;
	int64_t v = 0;
	size_t i;

	if (peek(ps) != '-' && !is_digit(peek(ps)))
		return fail(ps, at, "sheetId must be a number");
	if (parse_number(ps, &sp) < 0)
		return -1;
	for (i = 0; i < sp.len; i++) {
		if (!is_digit(sp.s[i]) || v > (INT64_MAX - 9) / 10)
			return fail(ps, at, "sheetId must be a non-negative integer");
		v = v * 10 + (sp.s[i] - '0');
	}
	t->sheet_id = v;
	return 0;
}

/* parse_sheet_props(ps, t): a sheet's "properties" object. */
static int
parse_sheet_props(struct parser *ps, struct workbook_tab *t)
{
	struct span key;
	int first = 1, rc, seen_title = 0, seen_id = 0;

	if (expect_open(ps, '{', "\"properties\"") < 0)
		return -1;
	while ((rc = member_next(ps, &first, &key)) > 0) {
		if (key_is(&key, "title")) {
			if (seen_title++)
				return fail(ps, ps->p, "duplicate \"title\"");
			if (parse_title(ps, &t->title, "title") < 0)
				return -1;
			ps->ctx_title = t->title;
		} else if (key_is(&key, "sheetId")) {
			if (seen_id++)
				return fail(ps, ps->p, "duplicate \"sheetId\"");
			if (parse_sheet_id(ps, t) < 0)
				return -1;
		} else if (skip_value(ps, 4) < 0)
			return -1;
	}
	return rc;
}

/* parse_sheet(ps, t): one element of "sheets". */
static int
parse_sheet(struct parser *ps, struct workbook_tab *t)
{
	struct span key;
	int first = 1, rc, seen_props = 0, seen_values = 0;
	if (expect_open(ps, '{', "a sheet") < 0)
		return -1;
	while ((rc = member_next(ps, &first, &key)) > 0) {
		if (key_is(&key, "properties")) {
			if (seen_props++)
				return fail(ps, ps->p, "duplicate \"properties\"");
			rc = parse_sheet_props(ps, t);
		} else if (key_is(&key, "values")) {
			if (seen_values++)
				return fail(ps, ps->p, "duplicate \"values\"");
			rc = parse_values(ps, t);
		} else
			rc = skip_value(ps, 3);
		if (rc < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (t->title == NULL)
		return fail(ps, ps->p - 1, "a sheet without properties.title");
	if (t->title[0] == '\0')
		return fail(ps, ps->p - 1, "a sheet with an empty tab title");
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
	struct span key, k2;
	int first = 1, f2, f3, rc;
	size_t n = 0;

	if (expect_open(ps, '[', "\"dataFilters\"") < 0)
		return -1;
	while ((rc = element_next(ps, &first)) > 0) {
		if (n++ > 0 || peek(ps) != '{') {
			if (skip_value(ps, 5) < 0)
				return -1;
			continue;
		}
		ps->p++;
		f2 = 1;
		while ((rc = member_next(ps, &f2, &key)) > 0) {
			if (!key_is(&key, "gridRange") || peek(ps) != '{') {
				if (skip_value(ps, 6) < 0)
					return -1;
				continue;
			}
			ps->p++;
			f3 = 1;
			while ((rc = member_next(ps, &f3, &k2)) > 0) {
				if (key_is(&k2, "sheetId"))
					rc = parse_sheet_id(ps, t);
				else
					rc = skip_value(ps, 7);
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
	struct span key, sp;
	int first = 1, rc, seen_range = 0, seen_values = 0, seen_dim = 0;
	int seen_vr = 0, seen_df = 0;
	const char *at;
	size_t tl, cells_at;
	struct err re;

	if (expect_open(ps, '{', "a valueRange") < 0)
		return -1;
	while ((rc = member_next(ps, &first, &key)) > 0) {
		if (key_is(&key, "valueRange") && ps->vr_depth == 0) {
			/* A MatchedValueRange: the ValueRange inside it. */
			if (seen_vr++)
				return fail(ps, ps->p, "duplicate \"valueRange\"");
			ps->vr_depth++;
			rc = parse_value_range(ps, t, i);
			ps->vr_depth--;
		} else if (key_is(&key, "dataFilters") && ps->vr_depth == 0) {
			if (seen_df++)
				return fail(ps, ps->p, "duplicate \"dataFilters\"");
			rc = parse_matched_filters(ps, t);
			/* proto3 omits a sheetId of 0. */
			if (rc == 0 && t->sheet_id < 0)
				t->sheet_id = 0;
		} else if (key_is(&key, "range")) {
			if (seen_range++)
				return fail(ps, ps->p, "duplicate \"range\"");
			at = ps->p;
			if (peek(ps) != '"')
				return expected(ps, "a string");
			if (parse_text(ps, &sp, "range") < 0)
				return -1;
			err_init(&re);
			if (range_parse(sp.s, sp.len, &tl, &cells_at, &re) == -1)
				return fail(ps, at, "range \"%.*s\" has a badly quoted "
				    "tab title: %s",
				    (int)(sp.len > 100 ? 100 : sp.len), sp.s, re.msg);
			if (tl < sp.len)
				sp.s[tl] = '\0';	/* at the '!' or a quote */
			sp.len = tl;
			keep(ps, &sp, 1);
			t->title = sp.s;
			if (req != NULL && req->titles != NULL &&
			    strcmp(t->title, req->titles[i]) != 0)
				return fail(ps, at, "range is on tab \"%s\" but \"%s\" "
				    "was requested", t->title, req->titles[i]);
			ps->ctx_title = t->title;
		} else if (key_is(&key, "majorDimension")) {
			if (seen_dim++)
				return fail(ps, ps->p, "duplicate \"majorDimension\"");
			at = ps->p;
			if (peek(ps) != '"')
				return expected(ps, "a string");
			if (parse_string(ps, &sp) < 0)
				return -1;
			if (!key_is(&sp, "ROWS"))
				return fail(ps, at, "majorDimension \"%.*s\": only "
				    "ROWS is read", (int)(sp.len > 40 ? 40 : sp.len), sp.s);
		} else if (key_is(&key, "values")) {
			if (seen_values++)
				return fail(ps, ps->p, "duplicate \"values\"");
			rc = parse_values(ps, t);
		} else
			rc = skip_value(ps, 3);
		if (rc < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	if (t->title == NULL)
		return fail(ps, ps->p - 1, "a valueRange without \"range\"");
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

	if (expect_open(ps, '[', kind) < 0)
		return -1;
	for (i = 0;; i++) {
		rc = element_next(ps, &first);
		if (rc <= 0)
			break;
		ps->ctx_kind = kind;
		ps->ctx_tab = i;
		ps->ctx_title = NULL;
		if (i >= SHEETJSON_MAX_TABS)
			return fail(ps, ps->p, "more than %d tabs", SHEETJSON_MAX_TABS);
		if (batch && req != NULL && req->titles != NULL) {
			if (i >= req->ntitles)
				return fail(ps, ps->p, "more valueRanges than the %zu "
				    "ranges requested", req->ntitles);
			ps->ctx_title = req->titles[i];
		}
		if (i == ps->tabs_cap &&
		    grow((void **)&wf->tabs, &ps->tabs_cap, i + 1, sizeof(struct workbook_tab),
		    SHEETJSON_MAX_TABS) < 0)
			return nomem(ps);
		t = &wf->tabs[i];
		memset(t, 0, sizeof(*t));
		t->sheet_id = -1;
		rc = batch ? parse_value_range(ps, t, i) : parse_sheet(ps, t);
		if (rc < 0)
			return -1;
		wf->wb.ntabs = i + 1;
		wf->wb.tabs = wf->tabs;
	}
	ps->ctx_kind = NULL;
	ps->ctx_title = NULL;
	return rc;
}

/* parse_book_props(ps): the spreadsheet's "properties" object. */
static int
parse_book_props(struct parser *ps)
{
	struct span key;
	int first = 1, rc, seen_title = 0;

	if (expect_open(ps, '{', "\"properties\"") < 0)
		return -1;
	while ((rc = member_next(ps, &first, &key)) > 0) {
		if (key_is(&key, "title")) {
			if (seen_title++)
				return fail(ps, ps->p, "duplicate \"title\"");
			rc = parse_title(ps, &ps->wf->wb.title, "title");
		} else
			rc = skip_value(ps, 2);
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
				return fail(ps, ps->end, "two tabs are titled \"%s\"",
				    wb->tabs[i].title);
	return 0;
}

/* parse_root(ps): the whole document. */
static int
parse_root(struct parser *ps)
{
	const struct sheetjson_request *req = ps->req;
	struct span key;
	int first = 1, rc, seen_id = 0, seen_props = 0, seen_tabs = 0;
	int sheets = 0;

	/* RFC 8259 8.1: a parser may ignore a byte order mark. */
	if (ps->end - ps->p >= 3 && memcmp(ps->p, "\xef\xbb\xbf", 3) == 0)
		ps->p += 3;
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, ps->p, "empty input, expected a JSON object");
	if (peek(ps) != '{')
		return expected(ps, "a JSON object");
	ps->p++;
	while ((rc = member_next(ps, &first, &key)) > 0) {
		if (key_is(&key, "spreadsheetId")) {
			if (seen_id++)
				return fail(ps, ps->p, "duplicate \"spreadsheetId\"");
			rc = parse_title(ps, &ps->wf->wb.spreadsheet_id, "spreadsheetId");
		} else if (key_is(&key, "properties")) {
			if (seen_props++)
				return fail(ps, ps->p, "duplicate \"properties\"");
			rc = parse_book_props(ps);
		} else if (key_is(&key, "sheets") || key_is(&key, "valueRanges")) {
			if (seen_tabs++)
				return fail(ps, ps->p, "both or twice \"sheets\" and "
				    "\"valueRanges\"");
			if (ps->shape == SHAPE_BATCHGET && key.s[0] == 's')
				return fail(ps, ps->p, "\"sheets\" in a values.batchGet "
				    "response");
			sheets = key.s[0] == 's';
			rc = parse_tabs(ps, sheets ? "sheets" : "valueRanges");
		} else
			rc = skip_value(ps, 1);
		if (rc < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	skip_ws(ps);
	if (ps->p < ps->end)
		return fail(ps, ps->p, "trailing characters after the JSON document");
	if (!seen_tabs && ps->shape != SHAPE_BATCHGET)
		return fail(ps, ps->p, "no \"sheets\" or \"valueRanges\": "
		    "not a workbook");
	if (req != NULL && req->titles != NULL && ps->wf->wb.ntabs != req->ntitles)
		return fail(ps, ps->p, "%zu valueRanges for %zu requested ranges",
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
 */
static const char *
rebase(const char *p, uintptr_t old, size_t used, char *nb)
{
	uintptr_t a = (uintptr_t)p;

	if (p == NULL || a < old || a - old >= used)
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
	ps.buf = buf;
	ps.p = buf;
	ps.w = buf;
	ps.end = buf + len;
	ps.line = 1;
	ps.line_start = buf;
	ps.name = name;
	ps.e = e;
	ps.wf = wf;
	ps.shape = shape;
	ps.req = req;
	if (parse_root(&ps) < 0) {
		sheetjson_free(wf);
		wf = NULL;
	} else
		shrink(wf, base, (size_t)(ps.w - buf), len);
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
