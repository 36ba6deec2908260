/*
 * a1: A1 notation for the Sheets emulator (see a1.h).  Parse leniently, as
 * Google does; echo strictly, as Google does.  Pure: no I/O, no globals.
 */
#include "tests/fakesheets/a1.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Column letters at s (case-insensitive); *n gets how many were read. */
static int
parse_col(const char *s, int *col, size_t *n)
{
	long v = 0;
	size_t i = 0;

	while (isalpha((unsigned char)s[i]) && i < 4) {
		v = v * 26 + (toupper((unsigned char)s[i]) - 'A' + 1);
		i++;
	}
	if (i == 0 || isalpha((unsigned char)s[i]) || v > A1_MAX_COL)
		return -1;
	*col = (int)v - 1;
	*n = i;
	return 0;
}

static int
parse_row(const char *s, int *row, size_t *n)
{
	long v = 0;
	size_t i = 0;

	while (isdigit((unsigned char)s[i]) && i < 9) {
		v = v * 10 + (s[i] - '0');
		i++;
	}
	if (i == 0 || isdigit((unsigned char)s[i]) || v < 1 || v > A1_MAX_ROW)
		return -1;
	*row = (int)v - 1;
	*n = i;
	return 0;
}

/* One end of a reference: A1, A (column only) or 1 (row only). */
static int
parse_cell(const char *s, size_t len, int *row, int *col)
{
	size_t n = 0, m = 0;

	*row = A1_OPEN;
	*col = A1_OPEN;
	if (len == 0)
		return -1;
	if (isalpha((unsigned char)s[0])) {
		if (parse_col(s, col, &n) == -1)
			return -1;
	}
	if (n < len) {
		if (parse_row(s + n, row, &m) == -1)
			return -1;
	}
	return n + m == len ? 0 : -1;
}

int
a1_parse_ref(const char *s, struct a1_range *r)
{
	const char *colon = strchr(s, ':');
	int ra, ca, rb, cb, t;

	if (colon == NULL) {
		if (parse_cell(s, strlen(s), &ra, &ca) == -1 || ra == A1_OPEN ||
		    ca == A1_OPEN)
			return -1;
		r->r0 = r->r1 = ra;
		r->c0 = r->c1 = ca;
		r->single = 1;
		return 0;
	}
	if (parse_cell(s, (size_t)(colon - s), &ra, &ca) == -1 ||
	    parse_cell(colon + 1, strlen(colon + 1), &rb, &cb) == -1)
		return -1;
	/* A:B needs columns on both ends, 1:2 rows on both ends. */
	if ((ca == A1_OPEN) != (cb == A1_OPEN) && ca == A1_OPEN)
		return -1;
	if (ra == A1_OPEN && ca == A1_OPEN)
		return -1;
	if (ra == A1_OPEN && rb != A1_OPEN && cb != A1_OPEN)
		return -1;	/* A:B2 is not a range Sheets accepts */
	if (ca == A1_OPEN && cb != A1_OPEN)
		return -1;
	/* Reversed ends are put in order (D4:A1 -> A1:D4). */
	if (ra != A1_OPEN && rb != A1_OPEN && rb < ra) {
		t = ra; ra = rb; rb = t;
	}
	if (ca != A1_OPEN && cb != A1_OPEN && cb < ca) {
		t = ca; ca = cb; cb = t;
	}
	if (ra == A1_OPEN)
		ra = 0;		/* A:B starts at row 1 */
	if (ca == A1_OPEN)
		ca = 0;		/* 1:2 starts at column A */
	r->r0 = ra;
	r->c0 = ca;
	r->r1 = rb;
	r->c1 = cb;
	r->single = 0;	/* only a bare A1 is an anchor for writes */
	return 0;
}

void
a1_range_fini(struct a1_range *r)
{
	free(r->title);
	r->title = NULL;
}

/* Unquote 'It''s' (s points at the opening quote, end at the closing). */
static char *
unquote(const char *s, const char *end)
{
	char *out = malloc((size_t)(end - s) + 1), *o = out;
	const char *p;

	if (out == NULL)
		return NULL;
	for (p = s + 1; p < end; p++) {
		*o++ = *p;
		if (*p == '\'' && p + 1 < end && p[1] == '\'')
			p++;
	}
	*o = '\0';
	return out;
}

int
a1_parse(const char *s, struct a1_range *out)
{
	size_t len = strlen(s);
	const char *bang, *ref = NULL;

	memset(out, 0, sizeof(*out));
	out->r0 = out->c0 = out->r1 = out->c1 = A1_OPEN;
	if (len == 0 || len > A1_MAX_RANGE)
		return -1;
	if (s[0] == '\'') {
		/* The closing quote is the last ' followed by '!' or the end. */
		const char *close = NULL, *p;

		for (p = s + 1; *p != '\0'; p++)
			if (*p == '\'' && (p[1] == '!' || p[1] == '\0'))
				close = p;
		if (close == NULL || close == s + 1)
			return -1;
		out->title = unquote(s, close);
		if (out->title == NULL)
			return -1;
		if (close[1] == '!')
			ref = close + 2;
	} else if ((bang = strrchr(s, '!')) != NULL) {
		if (bang == s)
			return -1;
		out->title = strndup(s, (size_t)(bang - s));
		if (out->title == NULL)
			return -1;
		ref = bang + 1;
	} else {
		out->title = strdup(s);
		if (out->title == NULL)
			return -1;
		out->whole = 1;
		out->bare = 1;
		/* Maybe also a reference on the first visible sheet. */
		if (a1_parse_ref(s, out) == 0)
			out->whole = 0;
		return 0;
	}
	if (ref == NULL) {
		out->whole = 1;
		return 0;
	}
	if (a1_parse_ref(ref, out) == -1) {
		a1_range_fini(out);
		return -1;
	}
	return 0;
}

/* Letters then digits (D3, AB12) or R1C1: Sheets would read it as a cell. */
static int
looks_like_ref(const char *t)
{
	size_t i = 0, n;

	while (isalpha((unsigned char)t[i]))
		i++;
	n = i;
	if (n >= 1 && n <= 3 && t[i] != '\0') {
		while (isdigit((unsigned char)t[i]))
			i++;
		if (t[i] == '\0')
			return 1;
	}
	i = 0;
	if (t[i] == 'R' || t[i] == 'r') {
		i++;
		while (isdigit((unsigned char)t[i]))
			i++;
		if (t[i] == 'C' || t[i] == 'c') {
			i++;
			while (isdigit((unsigned char)t[i]))
				i++;
			if (t[i] == '\0')
				return 1;
		}
	}
	return 0;
}

int
a1_title_needs_quotes(const char *t)
{
	const char *p;

	if (t[0] == '\0' || !(isalpha((unsigned char)t[0]) || t[0] == '_'))
		return 1;
	for (p = t; *p != '\0'; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_'))
			return 1;
	return looks_like_ref(t);
}

int
a1_col_name(char *buf, size_t size, int c)
{
	char tmp[8];
	int n = 0, i;

	c += 1;
	while (c > 0 && n < 7) {
		tmp[n++] = (char)('A' + (c - 1) % 26);
		c = (c - 1) / 26;
	}
	if ((size_t)n + 1 > size)
		return -1;
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

int
a1_format(char *buf, size_t size, const char *title, int r0, int c0, int r1,
    int c1)
{
	size_t o = 0;
	const char *p;
	char ca[8], cb[8];
	int n, q = a1_title_needs_quotes(title);

#define PUT(ch) do { if (o + 1 >= size) return -1; buf[o++] = (ch); } while (0)
	if (q)
		PUT('\'');
	for (p = title; *p != '\0'; p++) {
		PUT(*p);
		if (q && *p == '\'')
			PUT('\'');
	}
	if (q)
		PUT('\'');
	PUT('!');
#undef PUT
	a1_col_name(ca, sizeof(ca), c0);
	a1_col_name(cb, sizeof(cb), c1);
	if (r0 == r1 && c0 == c1)
		n = snprintf(buf + o, size - o, "%s%d", ca, r0 + 1);
	else
		n = snprintf(buf + o, size - o, "%s%d:%s%d", ca, r0 + 1, cb,
		    r1 + 1);
	if (n < 0 || (size_t)n >= size - o)
		return -1;
	return (int)(o + (size_t)n);
}
