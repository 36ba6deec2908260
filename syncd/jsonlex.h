/*
 * jsonlex: the strict JSON lexer under the workbook reader (see jsonlex.c),
 * internal to syncd/sheetjson.c.  The cursor moves through one buffer whose
 * strings are unescaped in place; text to keep is packed at w, which never
 * overtakes the cursor.
 */
#ifndef SYNCD_JSONLEX_H
#define SYNCD_JSONLEX_H

#include <stddef.h>
#include <stdint.h>

#include "auth/err.h"

struct jsonlex {
	char *p;		/* cursor into buf */
	char *end;		/* one past the last input byte */
	char *buf;
	char *w;		/* where the next kept text goes; never after p */
	size_t line;		/* 1-based line of p */
	const char *line_start;	/* first byte of that line */
	const char *name;	/* borrowed: the input's name for messages */
	struct err *e;		/* borrowed: where errors go */

	/* Where the reader is, for messages. */
	const char *ctx_kind;	/* "sheets", "valueRanges" or NULL */
	size_t ctx_tab;		/* index in that array */
	const char *ctx_title;	/* the tab's title when known */
	uint32_t ctx_row;	/* 1-based sheet row, 0 when not in a row */
	uint32_t ctx_col;	/* 1-based column, 0 when not at a cell */
	int ctx_after;		/* 1: between rows (after ctx_row) */
};

/* A string as parsed: unescaped text in the buffer. */
struct jsonlex_span {
	char *s;
	size_t len;
	int has_nul;		/* a \u0000 was decoded into it */
};

/*
 * jsonlex_fail(lx, at, fmt, ...): record an ERR_DATA error at byte `at` of
 * the input with where-we-are context.  Always returns -1 so callers can
 * return it.  jsonlex_expected(lx, what): the error for finding something
 * else than what.  jsonlex_nomem(lx): ERR_NOMEM, -1.
 */
int jsonlex_fail(struct jsonlex *lx, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int jsonlex_expected(struct jsonlex *lx, const char *what);
int jsonlex_nomem(struct jsonlex *lx);

static inline void
jsonlex_skip_ws(struct jsonlex *lx)
{
	char *p = lx->p, *end = lx->end;

	while (p < end) {
		char c = *p;
		if (c == ' ' || c == '\t' || c == '\r')
			p++;
		else if (c == '\n') {
			lx->line++;
			lx->line_start = ++p;
		} else
			break;
	}
	lx->p = p;
}

/* jsonlex_peek(lx): the byte at the cursor, or -1 at the end of input. */
static inline int
jsonlex_peek(const struct jsonlex *lx)
{
	return lx->p < lx->end ? (unsigned char)*lx->p : -1;
}

static inline int
jsonlex_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/*
 * jsonlex_string(lx, out): the string at the cursor (at '"'), validated and
 * unescaped in place; out->s[out->len] is still inside the buffer.
 * jsonlex_text(lx, out, what): the same, refusing \u0000 and text over
 * SHEETJSON_MAX_CELL_CHARS (what names it in messages).
 * jsonlex_keep(lx, sp, nul): move sp's text down to lx->w (NUL-terminated
 * when nul) and point sp at it.  jsonlex_title(lx, out, what): a kept,
 * NUL-terminated text.  Each returns 0, or -1 with the error recorded.
 */
int jsonlex_string(struct jsonlex *lx, struct jsonlex_span *out);
int jsonlex_text(struct jsonlex *lx, struct jsonlex_span *out, const char *what);
void jsonlex_keep(struct jsonlex *lx, struct jsonlex_span *sp, int nul);
int jsonlex_title(struct jsonlex *lx, const char **out, const char *what);

/*
 * jsonlex_number(lx, out): a JSON number at the cursor, kept as written
 * (at most SHEETJSON_MAX_NUMBER bytes).  jsonlex_literal(lx, word): the
 * literal word (true, false, null).  jsonlex_skip_value(lx, depth):
 * validate and skip the value at the cursor, depth being its container's
 * (the root object is 1; at most SHEETJSON_MAX_DEPTH).  0 or -1.
 */
int jsonlex_number(struct jsonlex *lx, struct jsonlex_span *out);
int jsonlex_literal(struct jsonlex *lx, const char *word);
int jsonlex_skip_value(struct jsonlex *lx, unsigned depth);

/*
 * Walking objects and arrays of a known shape: jsonlex_member(lx, first,
 * key), with the cursor just inside '{' (*first = 1 on the first call),
 * returns 1 with the cursor at the member's value and key set, 0 after the
 * closing '}', -1 on error; jsonlex_element(lx, first) is the same for
 * arrays.  jsonlex_key_is(k, name): k is name.  jsonlex_open(lx, c, what):
 * the cursor must be at c ('{' or '['), named what in the error.
 */
int jsonlex_member(struct jsonlex *lx, int *first, struct jsonlex_span *key);
int jsonlex_element(struct jsonlex *lx, int *first);
int jsonlex_key_is(const struct jsonlex_span *k, const char *name);
int jsonlex_open(struct jsonlex *lx, int c, const char *what);

#endif
