/*
 * jsonlex: the strict JSON lexer under the workbook reader (sheetjson.c):
 * white space with line counting, strings validated (UTF-8, escapes,
 * controls) and unescaped in place, numbers checked against RFC 8259's
 * grammar and kept as written, the literals, and any value skipped with an
 * explicit stack (never the C stack).  Errors are ERR_DATA with the input's
 * name, line and byte column and where the reader says it is (the tab, row
 * and column of struct jsonlex's ctx fields).  It never reads outside
 * [buf, end), never logs and never exits.
 */
#include "syncd/jsonlex.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "syncd/sheetjson.h"

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
 * jsonlex_fail(lx, at, fmt, ...): record an ERR_DATA error at byte `at` of the input
 * with where-we-are context.  Always returns -1 so callers can return it.
 */
int
jsonlex_fail(struct jsonlex *lx, const char *at, const char *fmt, ...)
{
	char msg[320], where[256], tabname[200], col[8];
	size_t column;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	where[0] = '\0';
	if (lx->ctx_kind != NULL) {
		if (lx->ctx_title != NULL)
			snprintf(tabname, sizeof(tabname), "tab \"%s\"", lx->ctx_title);
		else
			snprintf(tabname, sizeof(tabname), "%s[%zu]", lx->ctx_kind,
			    lx->ctx_tab);
		if (lx->ctx_row > 0 && lx->ctx_after)
			snprintf(where, sizeof(where), " after row %u of %s",
			    lx->ctx_row, tabname);
		else if (lx->ctx_row > 0 && lx->ctx_col > 0) {
			column_name(lx->ctx_col, col);
			snprintf(where, sizeof(where), " in row %u column %s of %s",
			    lx->ctx_row, col, tabname);
		} else if (lx->ctx_row > 0)
			snprintf(where, sizeof(where), " in row %u of %s",
			    lx->ctx_row, tabname);
		else
			snprintf(where, sizeof(where), " in %s", tabname);
	}
	/* at is never before line_start: newlines only occur in white space. */
	if (at < lx->line_start)
		at = lx->line_start;
	column = (size_t)(at - lx->line_start) + 1;
	err_set(lx->e, ERR_DATA, "%s:%zu:%zu: %s%s", lx->name, lx->line, column,
	    msg, where);
	return -1;
}

/* jsonlex_expected(lx, what): the error for finding something else than `what`. */
int
jsonlex_expected(struct jsonlex *lx, const char *what)
{
	unsigned char c;

	if (lx->p >= lx->end)
		return jsonlex_fail(lx, lx->p, "unexpected end of input, expected %s", what);
	c = (unsigned char)*lx->p;
	if (c >= 0x21 && c < 0x7f)
		return jsonlex_fail(lx, lx->p, "expected %s, found '%c'", what, c);
	return jsonlex_fail(lx, lx->p, "expected %s, found byte 0x%02x", what, c);
}

int
jsonlex_nomem(struct jsonlex *lx)
{
	err_set(lx->e, ERR_NOMEM, "%s: out of memory", lx->name);
	return -1;
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

/*
 * jsonlex_string(lx, out): read the string at the cursor (which is at '"'),
 * validating escapes and UTF-8 and unescaping in place.  On success the
 * cursor is after the closing quote and out->s[out->len] is still inside the
 * buffer (at most the closing quote), so the caller may write a NUL there.
 */
int
jsonlex_string(struct jsonlex *lx, struct jsonlex_span *out)
{
	char *start = lx->p + 1, *r = start, *w;
	const char *end = lx->end;
	size_t n;
	uint32_t cp, lo;

	out->has_nul = 0;
	/* Fast path: no escapes, so nothing moves. */
	for (;;) {
		while (r < end && !str_stop[(unsigned char)*r])
			r++;
		if (r >= end)
			return jsonlex_fail(lx, lx->p, "unterminated string");
		if (*r == '"') {
			out->s = start;
			out->len = (size_t)(r - start);
			lx->p = r + 1;
			return 0;
		}
		if ((unsigned char)*r >= 0x80) {
			n = utf8_seq((const unsigned char *)r, (const unsigned char *)end);
			if (n == 0)
				return jsonlex_fail(lx, r, "invalid UTF-8 at byte %zu",
				    (size_t)(r - lx->buf));
			r += n;
			continue;
		}
		if (*r == '\\')
			break;
		return jsonlex_fail(lx, r, "control character 0x%02x in a string "
		    "(it must be escaped)", (unsigned)(unsigned char)*r);
	}
	/* Slow path: from the first escape on, copy down to w. */
	w = r;
	for (;;) {
		unsigned char c;

		if (r >= end)
			return jsonlex_fail(lx, lx->p, "unterminated string");
		c = (unsigned char)*r;
		if (c == '"')
			break;
		if (c < 0x20)
			return jsonlex_fail(lx, r, "control character 0x%02x in a string "
			    "(it must be escaped)", (unsigned)c);
		if (c >= 0x80) {
			n = utf8_seq((const unsigned char *)r, (const unsigned char *)end);
			if (n == 0)
				return jsonlex_fail(lx, r, "invalid UTF-8 at byte %zu",
				    (size_t)(r - lx->buf));
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
			return jsonlex_fail(lx, lx->p, "unterminated string");
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
				return jsonlex_fail(lx, r, "invalid escape '\\%c' in a string", r[1]);
			return jsonlex_fail(lx, r, "invalid escape in a string");
		}
		if (end - r < 6 || hex4(r + 2, &cp) < 0)
			return jsonlex_fail(lx, r, "invalid \\u escape (four hex digits needed)");
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return jsonlex_fail(lx, r, "unpaired low surrogate \\u%04X", (unsigned)cp);
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (end - r < 12 || r[6] != '\\' || r[7] != 'u' ||
			    hex4(r + 8, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
				return jsonlex_fail(lx, r, "unpaired high surrogate \\u%04X",
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
	lx->p = r + 1;
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
 * jsonlex_text(lx, out, what): a string the view keeps (a cell, a title, an
 * id): no NUL, at most SHEETJSON_MAX_CELL_CHARS code points.
 */
int
jsonlex_text(struct jsonlex *lx, struct jsonlex_span *out, const char *what)
{
	const char *at = lx->p;
	size_t chars;

	if (jsonlex_string(lx, out) < 0)
		return -1;
	if (out->has_nul)
		return jsonlex_fail(lx, at, "%s holds \\u0000", what);
	/* Code points never outnumber bytes: count only when it matters. */
	if (out->len > SHEETJSON_MAX_CELL_CHARS) {
		chars = utf8_chars(out->s, out->len);
		if (chars > SHEETJSON_MAX_CELL_CHARS)
			return jsonlex_fail(lx, at, "%s too long (%zu characters, at most %u)",
			    what, chars, SHEETJSON_MAX_CELL_CHARS);
	}
	return 0;
}

/*
 * jsonlex_keep(lx, sp, nul): move the text of sp (already unescaped, at or after
 * lx->w) down to lx->w, NUL-terminated when nul, and point sp at it.  It
 * fits: sp came from a token that started at or after lx->w and spans at
 * least sp->len + 1 bytes (a closing quote or the byte after a number).
 */
void
jsonlex_keep(struct jsonlex *lx, struct jsonlex_span *sp, int nul)
{
	if (lx->w != sp->s)
		memmove(lx->w, sp->s, sp->len);
	sp->s = lx->w;
	if (nul)
		sp->s[sp->len] = '\0';
	lx->w += sp->len + (nul != 0);
}

/* jsonlex_title(lx, out): a kept string, NUL-terminated. */
int
jsonlex_title(struct jsonlex *lx, const char **out, const char *what)
{
	struct jsonlex_span sp;

	if (jsonlex_peek(lx) != '"')
		return jsonlex_expected(lx, "a string");
	if (jsonlex_text(lx, &sp, what) < 0)
		return -1;
	jsonlex_keep(lx, &sp, 1);
	*out = sp.s;
	return 0;
}

/* jsonlex_number(lx, out): a JSON number at the cursor, kept as written. */
int
jsonlex_number(struct jsonlex *lx, struct jsonlex_span *out)
{
	char *s = lx->p, *p = lx->p;
	const char *end = lx->end;

	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0') {
		p++;
		if (p < end && jsonlex_is_digit(*p))
			return jsonlex_fail(lx, s, "invalid number (leading zero)");
	} else if (p < end && jsonlex_is_digit(*p)) {
		while (p < end && jsonlex_is_digit(*p))
			p++;
	} else {
		lx->p = p;
		return jsonlex_fail(lx, s, "invalid number (a digit must follow '-')");
	}
	if (p < end && *p == '.') {
		p++;
		if (p >= end || !jsonlex_is_digit(*p))
			return jsonlex_fail(lx, s, "invalid number (a digit must follow '.')");
		while (p < end && jsonlex_is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !jsonlex_is_digit(*p))
			return jsonlex_fail(lx, s, "invalid number (a digit must follow the exponent)");
		while (p < end && jsonlex_is_digit(*p))
			p++;
	}
	if (p - s > SHEETJSON_MAX_NUMBER)
		return jsonlex_fail(lx, s, "number too long (%zu bytes, at most %d)",
		    (size_t)(p - s), SHEETJSON_MAX_NUMBER);
	out->s = s;
	out->len = (size_t)(p - s);
	out->has_nul = 0;
	lx->p = p;
	return 0;
}

/* jsonlex_literal(lx, word): the literal word (true/false/null) at the cursor. */
int
jsonlex_literal(struct jsonlex *lx, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(lx->end - lx->p) < n || memcmp(lx->p, word, n) != 0)
		return jsonlex_expected(lx, "a JSON value");
	lx->p += n;
	return 0;
}

/*
 * jsonlex_skip_value(lx, depth): validate and skip the value at the cursor.  depth
 * is the nesting depth of the container holding it (the root object is 1).
 * Iterative: the open containers are bits of `stack` (1: object).
 */
int
jsonlex_skip_value(struct jsonlex *lx, unsigned depth)
{
	uint64_t stack = 0;
	unsigned n = 0;		/* open containers */
	struct jsonlex_span sp;
	int c;

	for (;;) {
		/* A value is at the cursor. */
		jsonlex_skip_ws(lx);
		c = jsonlex_peek(lx);
		if (c == '{' || c == '[') {
			if (depth + n + 1 > SHEETJSON_MAX_DEPTH)
				return jsonlex_fail(lx, lx->p, "nesting deeper than %d",
				    SHEETJSON_MAX_DEPTH);
			stack = (stack << 1) | (c == '{');
			n++;
			lx->p++;
			jsonlex_skip_ws(lx);
			if (jsonlex_peek(lx) == (c == '{' ? '}' : ']')) {
				lx->p++;
				stack >>= 1;
				n--;
				goto after;
			}
			if (c == '[')
				continue;
			goto member;
		}
		if (c == '"') {
			if (jsonlex_string(lx, &sp) < 0)
				return -1;
		} else if (c == '-' || jsonlex_is_digit(c)) {
			if (jsonlex_number(lx, &sp) < 0)
				return -1;
		} else if (c == 't') {
			if (jsonlex_literal(lx, "true") < 0)
				return -1;
		} else if (c == 'f') {
			if (jsonlex_literal(lx, "false") < 0)
				return -1;
		} else if (c == 'n') {
			if (jsonlex_literal(lx, "null") < 0)
				return -1;
		} else
			return jsonlex_expected(lx, "a JSON value");
after:
		/* A value ended: close containers or go on to the next one. */
		for (;;) {
			if (n == 0)
				return 0;
			jsonlex_skip_ws(lx);
			c = jsonlex_peek(lx);
			if (c == ',') {
				lx->p++;
				if (stack & 1)
					goto member;
				break;
			}
			if (c == ((stack & 1) ? '}' : ']')) {
				lx->p++;
				stack >>= 1;
				n--;
				continue;
			}
			return jsonlex_expected(lx, (stack & 1) ? "',' or '}'" : "',' or ']'");
		}
		continue;
member:
		jsonlex_skip_ws(lx);
		if (jsonlex_peek(lx) != '"')
			return jsonlex_expected(lx, "a member name");
		if (jsonlex_string(lx, &sp) < 0)
			return -1;
		jsonlex_skip_ws(lx);
		if (jsonlex_peek(lx) != ':')
			return jsonlex_expected(lx, "':'");
		lx->p++;
	}
}

/*
 * Walking objects and arrays of a known shape.  jsonlex_member(lx, first, key)
 * is called with the cursor just inside '{' (first = 1 on the first call);
 * it returns 1 with the cursor at the member's value and key set, 0 after
 * the closing '}', -1 on error.  jsonlex_element is the same for arrays.
 */
int
jsonlex_member(struct jsonlex *lx, int *first, struct jsonlex_span *key)
{
	jsonlex_skip_ws(lx);
	if (jsonlex_peek(lx) == '}') {
		lx->p++;
		return 0;
	}
	if (!*first) {
		if (jsonlex_peek(lx) != ',')
			return jsonlex_expected(lx, "',' or '}'");
		lx->p++;
		jsonlex_skip_ws(lx);
	}
	*first = 0;
	if (jsonlex_peek(lx) != '"')
		return jsonlex_expected(lx, "a member name");
	if (jsonlex_string(lx, key) < 0)
		return -1;
	jsonlex_skip_ws(lx);
	if (jsonlex_peek(lx) != ':')
		return jsonlex_expected(lx, "':'");
	lx->p++;
	jsonlex_skip_ws(lx);
	return 1;
}

int
jsonlex_element(struct jsonlex *lx, int *first)
{
	jsonlex_skip_ws(lx);
	if (jsonlex_peek(lx) == ']') {
		lx->p++;
		return 0;
	}
	if (!*first) {
		if (jsonlex_peek(lx) != ',')
			return jsonlex_expected(lx, "',' or ']'");
		lx->p++;
		jsonlex_skip_ws(lx);
		if (jsonlex_peek(lx) == ']')
			return jsonlex_fail(lx, lx->p, "expected a value after ','");
	}
	*first = 0;
	return 1;
}

int
jsonlex_key_is(const struct jsonlex_span *k, const char *name)
{
	size_t n = strlen(name);

	return k->len == n && memcmp(k->s, name, n) == 0;
}

/* jsonlex_open(lx, c, what): the cursor must be at c ('{' or '['). */
int
jsonlex_open(struct jsonlex *lx, int c, const char *what)
{
	if (jsonlex_peek(lx) != c)
		return jsonlex_fail(lx, lx->p, "%s must be %s", what,
		    c == '{' ? "an object" : "an array");
	lx->p++;
	return 0;
}
