/*
 * range: A1 quoting of tab titles, percent-encoding for URLs, and splitting
 * Google's range echoes back into title and cells.
 *
 * Thai district titles hold spaces and sometimes an apostrophe; a title that
 * is sent unquoted or half-encoded names another range or none (Google
 * decodes '+' as a space even in the path, and '#' starts a fragment).  So
 * every request quotes the title and encodes every byte that is not
 * unreserved.  Pure: no I/O, no globals, bounded by RANGE_MAX_LEN.
 */
#include "syncd/range.h"

#include <stdlib.h>
#include <string.h>

static int
is_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Letters then digits, 1..3 letters (columns stop at ZZZ): "D3", "AB", "ZZZ9". */
static int
looks_like_a1(const char *s)
{
	size_t i = 0, letters;

	while (is_alpha((unsigned char)s[i]))
		i++;
	letters = i;
	while (is_digit((unsigned char)s[i]))
		i++;
	return s[i] == '\0' && letters >= 1 && letters <= 3;
}

/* R1C1 forms: "R1C1", "R2", "C3", "RC", "R", "C" in either case. */
static int
looks_like_r1c1(const char *s)
{
	size_t i = 0;

	if (s[i] == 'R' || s[i] == 'r') {
		i++;
		while (is_digit((unsigned char)s[i]))
			i++;
	}
	if (s[i] == 'C' || s[i] == 'c') {
		i++;
		while (is_digit((unsigned char)s[i]))
			i++;
	}
	return i > 0 && s[i] == '\0';
}

int
range_needs_quote(const char *title)
{
	const unsigned char *p = (const unsigned char *)title;

	if (p[0] == '\0' || !(is_alpha(p[0]) || p[0] == '_'))
		return 1;
	for (; *p != '\0'; p++)
		if (!(is_alpha(*p) || is_digit(*p) || *p == '_'))
			return 1;
	return looks_like_a1(title) || looks_like_r1c1(title);
}

char *
range_quote(const char *title, const char *cells, int flags, struct err *e)
{
	size_t tlen = strlen(title), clen = cells != NULL ? strlen(cells) : 0;
	size_t i, n, max;
	int quote;
	char *out;

	if (tlen == 0) {
		err_set(e, ERR_DATA, "empty tab title");
		return NULL;
	}
	if (tlen > RANGE_MAX_LEN || clen > RANGE_MAX_LEN) {
		err_set(e, ERR_DATA, "tab title or range longer than %d bytes", RANGE_MAX_LEN);
		return NULL;
	}
	quote = (flags & RANGE_QUOTE_ALWAYS) != 0 || range_needs_quote(title);
	/* Worst case: every byte a quote doubled, two quotes, '!', cells, NUL. */
	max = 2 * tlen + 2 + 1 + clen + 1;
	out = malloc(max);
	if (out == NULL) {
		err_set(e, ERR_NOMEM, "out of memory quoting a range");
		return NULL;
	}
	n = 0;
	if (quote)
		out[n++] = '\'';
	for (i = 0; i < tlen; i++) {
		if (quote && title[i] == '\'')
			out[n++] = '\'';
		out[n++] = title[i];
	}
	if (quote)
		out[n++] = '\'';
	if (clen > 0) {
		out[n++] = '!';
		memcpy(out + n, cells, clen);
		n += clen;
	}
	out[n] = '\0';
	if (n > RANGE_MAX_LEN) {
		free(out);
		err_set(e, ERR_DATA, "range longer than %d bytes", RANGE_MAX_LEN);
		return NULL;
	}
	return out;
}

static int
is_unreserved(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

char *
range_escape(const char *s, size_t len, struct err *e)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, n = 0;
	char *out;

	if (len > (size_t)RANGE_MAX_LEN * 3) {
		err_set(e, ERR_DATA, "value to URL-encode longer than %d bytes",
		    RANGE_MAX_LEN * 3);
		return NULL;
	}
	out = malloc(3 * len + 1);
	if (out == NULL) {
		err_set(e, ERR_NOMEM, "out of memory encoding a URL");
		return NULL;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_unreserved(c)) {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
	return out;
}

static char *
dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

int
range_parse(char *a1, size_t len, size_t *title_len, size_t *cells_at, struct err *e)
{
	size_t i, n, rest;

	if (len == 0 || len > RANGE_MAX_LEN) {
		err_set(e, ERR_DATA, "range is empty or longer than %d bytes", RANGE_MAX_LEN);
		return -1;
	}
	if (memchr(a1, '\0', len) != NULL) {
		err_set(e, ERR_DATA, "range holds a NUL byte");
		return -1;
	}
	if (a1[0] == '\'') {
		/* '...' with '' for an inner quote; n <= i, so in place is safe. */
		n = 0;
		for (i = 1; i < len; i++) {
			if (a1[i] == '\'') {
				if (i + 1 < len && a1[i + 1] == '\'') {
					a1[n++] = '\'';
					i++;
					continue;
				}
				break;
			}
			a1[n++] = a1[i];
		}
		if (i >= len) {
			err_set(e, ERR_DATA, "range has an unterminated quote");
			return -1;
		}
		rest = i + 1;	/* just past the closing quote */
		if (rest < len && a1[rest] != '!') {
			err_set(e, ERR_DATA, "range has text after the quoted tab title");
			return -1;
		}
		if (rest < len)
			rest++;
	} else {
		const char *bang;

		/* Google quotes any title holding a '!' or a quote, so a bare one
		 * ends at the first '!' and holds no quote. */
		bang = memchr(a1, '!', len);
		n = bang != NULL ? (size_t)(bang - a1) : len;
		for (i = 0; i < n; i++)
			if (a1[i] == '\'') {
				err_set(e, ERR_DATA, "range has a quote inside an unquoted tab title");
				return -1;
			}
		rest = bang != NULL ? n + 1 : len;
	}
	if (n == 0) {
		err_set(e, ERR_DATA, "range has an empty tab title");
		return -1;
	}
	*title_len = n;
	*cells_at = rest;
	return 0;
}

int
range_split(const char *a1, size_t len, char **title, char **cells, struct err *e)
{
	char *buf = NULL, *t = NULL, *c = NULL;
	size_t tl, at;

	*title = NULL;
	*cells = NULL;
	if (len > RANGE_MAX_LEN) {
		err_set(e, ERR_DATA, "range is empty or longer than %d bytes", RANGE_MAX_LEN);
		return -1;
	}
	if ((buf = dup_n(a1, len)) == NULL)
		goto nomem;
	if (range_parse(buf, len, &tl, &at, e) == -1) {
		free(buf);
		return -1;
	}
	if ((c = dup_n(buf + at, len - at)) == NULL || (t = dup_n(buf, tl)) == NULL)
		goto nomem;
	free(buf);
	*title = t;
	*cells = c;
	return 0;
nomem:
	err_set(e, ERR_NOMEM, "out of memory splitting a range");
	free(buf);
	free(t);
	free(c);
	return -1;
}
