/*
 * cell: reading one spreadsheet cell the way DOMAIN.md "Cell values" says.
 *
 * District staff type into the sheet by hand, with Thai digits, pasted
 * non-breaking and zero-width spaces, line breaks inside headings and keys
 * typed as numbers that Sheets turns into 2.4010012345E10.  This file turns
 * those spellings into something the rules can compare.  It is pure: it reads
 * borrowed bytes, writes into caller buffers, never allocates, never looks at
 * the locale.
 */
#include "rules/cell.h"

#include <stdint.h>
#include <string.h>

#define KEY_EXP_MAX 4096	/* a key's exponent beyond this is kept as text */

size_t
cell_space_len(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (len == 0)
		return 0;
	if (u[0] == ' ' || (u[0] >= 0x09 && u[0] <= 0x0d))
		return 1;
	if (u[0] < 0x80)
		return 0;
	if (len >= 2 && u[0] == 0xc2 && (u[1] == 0xa0 || u[1] == 0x85))
		return 2;	/* U+00A0 NBSP, U+0085 NEL */
	if (len < 3)
		return 0;
	if (u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80)
		return 3;	/* U+1680 */
	if (u[0] == 0xe2 && u[1] == 0x80 &&
	    ((u[2] >= 0x80 && u[2] <= 0x8b) ||	/* U+2000-200B */
	    u[2] == 0xa8 || u[2] == 0xa9 || u[2] == 0xaf))	/* U+2028/2029/202F */
		return 3;
	if (u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f)
		return 3;	/* U+205F */
	if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)
		return 3;	/* U+3000 */
	if (u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
		return 3;	/* U+FEFF */
	return 0;
}

/* Length of the white space that ends s[0..len), scanning back. */
static size_t
trailing_space(const char *s, size_t len)
{
	size_t end = len, k;

	for (;;) {
		/* Every space character is 1, 2 or 3 bytes long. */
		for (k = 1; k <= 3 && k <= end; k++)
			if (cell_space_len(s + end - k, k) == k)
				break;
		if (k > 3 || k > end)
			break;
		end -= k;
	}
	return len - end;
}

const char *
cell_trim(const char *s, size_t len, size_t *out_len)
{
	size_t n;

	if (s == NULL) {
		*out_len = 0;
		return "";
	}
	while (len > 0 && (n = cell_space_len(s, len)) > 0) {
		s += n;
		len -= n;
	}
	len -= trailing_space(s, len);
	*out_len = len;
	return s;
}

int
cell_is_blank(const struct workbook_cell *c)
{
	size_t n;

	if (c == NULL || c->type == WORKBOOK_EMPTY || c->text == NULL)
		return 1;
	if (c->type != WORKBOOK_STRING)
		return c->len == 0;
	if (c->len > 0 && cell_space_len(c->text, c->len) == 0)
		return 0;	/* the usual case: text starts at once */
	cell_trim(c->text, c->len, &n);
	return n == 0;
}

/* The value 0-9 of a Thai digit at s (3 bytes), or -1. */
static int
thai_digit(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (len >= 3 && u[0] == 0xe0 && u[1] == 0xb9 && u[2] >= 0x90 &&
	    u[2] <= 0x99)
		return u[2] - 0x90;
	return -1;
}

/* The code point U+0E00-0E7F of a Thai character at s (3 bytes), or -1. */
static int
thai_cp(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (len < 3 || u[0] != 0xe0 || (u[1] != 0xb8 && u[1] != 0xb9) ||
	    u[2] < 0x80 || u[2] > 0xbf)
		return -1;
	return 0x0e00 + (u[1] == 0xb9 ? 0x40 : 0) + (u[2] - 0x80);
}

static void
thai_put(char *out, int cp)
{
	out[0] = (char)0xe0;
	out[1] = (char)(cp >= 0x0e40 ? 0xb9 : 0xb8);
	out[2] = (char)(0x80 + (cp & 0x3f));
}

static int
thai_tone(int cp)
{
	return cp >= 0x0e48 && cp <= 0x0e4c;	/* mai ek .. thanthakhat */
}

/* Vowels and marks written above or below the consonant (not NIKHAHIT). */
static int
thai_vowel_mark(int cp)
{
	return cp == 0x0e31 || (cp >= 0x0e34 && cp <= 0x0e3a) || cp == 0x0e47;
}

size_t
cell_thai_fold(const char *s, size_t len, char out[CELL_THAI_FOLD_OUT], size_t *outlen)
{
	int a = thai_cp(s, len), b, c;

	if (a < 0)
		return 0;
	b = thai_cp(s + 3, len - 3);
	/* NIKHAHIT SARA AA: SARA AM's compatibility decomposition. */
	if (a == 0x0e4d && b == 0x0e32) {
		thai_put(out, 0x0e33);
		*outlen = 3;
		return 6;
	}
	/* NIKHAHIT, a tone mark, SARA AA: the tone mark, SARA AM (น้ำ). */
	if (a == 0x0e4d && b >= 0x0e48 && b <= 0x0e4b &&
	    (c = thai_cp(s + 6, len - 6)) == 0x0e32) {
		thai_put(out, b);
		thai_put(out + 3, 0x0e33);
		*outlen = 6;
		return 9;
	}
	/* A tone mark typed before the vowel above or below it. */
	if (thai_tone(a) && b >= 0 && thai_vowel_mark(b)) {
		thai_put(out, b);
		thai_put(out + 3, a);
		*outlen = 6;
		return 6;
	}
	/* SARA E typed twice for SARA AE. */
	if (a == 0x0e40 && b == 0x0e40) {
		thai_put(out, 0x0e41);
		*outlen = 3;
		return 6;
	}
	return 0;
}

int
cell_ascii_digits(const char *s, size_t len, char *out, size_t outsize)
{
	char fold[CELL_THAI_FOLD_OUT];
	size_t i = 0, o = 0, k, n;
	int d;

	while (i < len) {
		if (o + 1 >= outsize)
			return -1;
		if ((d = thai_digit(s + i, len - i)) >= 0) {
			out[o++] = (char)('0' + d);
			i += 3;
		} else if ((n = cell_thai_fold(s + i, len - i, fold, &k)) > 0) {
			if (o + k + 1 > outsize)
				return -1;
			memcpy(out + o, fold, k);
			o += k;
			i += n;
		} else
			out[o++] = s[i++];
	}
	if (outsize == 0)
		return -1;
	out[o] = '\0';
	return (int)o;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int
cell_number(const char *s, size_t len, double *value)
{
	size_t i = 0;
	double mant = 0, scale = 1;
	long exp = 0, frac = 0, k;
	int neg = 0, eneg = 0, ndig = 0;

	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	for (; i < len && is_digit(s[i]); i++, ndig++)
		mant = mant * 10 + (s[i] - '0');
	if (i < len && s[i] == '.') {
		for (i++; i < len && is_digit(s[i]); i++, ndig++, frac++)
			mant = mant * 10 + (s[i] - '0');
	}
	if (ndig == 0)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		if (i == len || !is_digit(s[i]))
			return 0;
		for (; i < len && is_digit(s[i]); i++)
			if (exp < 100000)
				exp = exp * 10 + (s[i] - '0');
	}
	if (i != len)
		return 0;
	exp = (eneg ? -exp : exp) - frac;
	for (k = exp < 0 ? -exp : exp; k > 0 && k < 1000; k--)
		scale *= 10;
	if (exp < 0)
		mant /= scale;
	else
		mant *= scale;
	*value = neg ? -mant : mant;
	return 1;
}

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

void
cell_markset_init(struct cell_markset *ms, const char *const *marks, size_t n)
{
	const char *t;
	size_t i, tlen;
	int k;

	ms->n = 0;
	for (i = 0; i < n && ms->n < CELL_MARKSET_MAX; i++) {
		if (marks[i] == NULL)
			continue;
		t = cell_trim(marks[i], strlen(marks[i]), &tlen);
		k = cell_ascii_digits(t, tlen, ms->m[ms->n].text, CELL_MARK_MAX);
		if (k <= 0)
			continue;
		ms->m[ms->n].len = (size_t)k;
		ms->m[ms->n].is_number = cell_number(ms->m[ms->n].text,
		    (size_t)k, &ms->m[ms->n].number);
		ms->n++;
	}
}

/* Does the cell text t (trimmed, ASCII digits) spell one of ms's marks? */
static int
mark_in(const char *t, size_t tlen, int is_number, double number,
    const struct cell_markset *ms)
{
	size_t i, j;

	for (i = 0; i < ms->n; i++) {
		if (ms->m[i].is_number && is_number) {
			if (ms->m[i].number == number)
				return 1;
			continue;
		}
		if (ms->m[i].len != tlen)
			continue;
		for (j = 0; j < tlen; j++)
			if (ascii_lower((unsigned char)ms->m[i].text[j]) !=
			    ascii_lower((unsigned char)t[j]))
				break;
		if (j == tlen)
			return 1;
	}
	return 0;
}

enum cell_mark
cell_mark_read(const struct workbook_cell *c, const struct cell_markset *set,
    const struct cell_markset *empty)
{
	char buf[CELL_MARK_MAX];
	const char *t;
	size_t tlen;
	double number = 0;
	int n, is_number;

	if (cell_is_blank(c))
		return CELL_MARK_EMPTY;
	t = cell_trim(c->text, c->len, &tlen);
	if ((n = cell_ascii_digits(t, tlen, buf, sizeof(buf))) < 0)
		return CELL_MARK_INVALID;
	is_number = cell_number(buf, (size_t)n, &number);
	if (mark_in(buf, (size_t)n, is_number, number, set))
		return CELL_MARK_SET;
	if (mark_in(buf, (size_t)n, is_number, number, empty))
		return CELL_MARK_EMPTY;
	return CELL_MARK_INVALID;
}

/* Byte length of a dash (ASCII or Unicode) at s, or 0. */
static size_t
dash_len(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (len >= 1 && u[0] == '-')
		return 1;
	if (len < 3)
		return 0;
	if (u[0] == 0xe2 && u[1] == 0x80 && u[2] >= 0x90 && u[2] <= 0x95)
		return 3;	/* U+2010-2015 */
	if (u[0] == 0xe2 && u[1] == 0x88 && u[2] == 0x92)
		return 3;	/* U+2212 minus */
	if (u[0] == 0xef && u[1] == 0xb9 && u[2] == 0xa3)
		return 3;	/* U+FE63 */
	if (u[0] == 0xef && u[1] == 0xbc && u[2] == 0x8d)
		return 3;	/* U+FF0D */
	return 0;
}

/*
 * An integral JSON number literal as plain digits.  Returns the length (at
 * least 1: zero is "0"), -1 when it does not fit, or 0 when s is not an
 * integral number literal (the caller then keys the text as written).
 */
static int
key_from_number(const char *s, size_t len, char *out, size_t outsize)
{
	size_t i = 0, ndig = 0, start, o = 0;
	long point, exp = 0, p, k;
	int eneg = 0;
	const char *dig[2];
	size_t dlen[2];

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	dig[0] = s + i;
	for (start = i; i < len && is_digit(s[i]); i++)
		;
	dlen[0] = i - start;
	dig[1] = s + i;
	dlen[1] = 0;
	if (i < len && s[i] == '.') {
		dig[1] = s + ++i;
		for (start = i; i < len && is_digit(s[i]); i++)
			;
		dlen[1] = i - start;
	}
	ndig = dlen[0] + dlen[1];
	if (ndig == 0)
		return 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		if (i == len || !is_digit(s[i]))
			return 0;
		for (; i < len && is_digit(s[i]); i++) {
			exp = exp * 10 + (s[i] - '0');
			if (exp > KEY_EXP_MAX)
				return 0;
		}
	}
	if (i != len)
		return 0;
	point = (long)dlen[0] + (eneg ? -exp : exp);
	/* Digit p of the mantissa (0-based), '0' beyond its end. */
#define DIGIT(p) ((size_t)(p) < dlen[0] ? dig[0][(p)] : \
	(size_t)(p) - dlen[0] < dlen[1] ? dig[1][(size_t)(p) - dlen[0]] : '0')
	for (p = point < 0 ? 0 : point; (size_t)p < ndig; p++)
		if (DIGIT(p) != '0')
			return 0;	/* a fraction: not an integer */
	for (p = 0; p < point && DIGIT(p) == '0'; p++)
		;	/* leading zeros */
	for (k = p; k < point; k++) {
		if (o + 1 >= outsize)
			return -1;
		out[o++] = DIGIT(k);
	}
#undef DIGIT
	if (o == 0) {
		if (outsize < 2)
			return -1;
		out[o++] = '0';
	}
	out[o] = '\0';
	return (int)o;
}

int
cell_key_normalise(const char *text, size_t len, int is_number, char *out,
    size_t outsize)
{
	char fold[CELL_THAI_FOLD_OUT];
	size_t i = 0, o = 0, n, k;
	int d, r;

	if (outsize == 0)
		return -1;
	if (text == NULL)
		len = 0;
	if (is_number && len > 0) {
		r = key_from_number(text, len, out, outsize);
		if (r != 0)
			return r;
	}
	while (i < len) {
		if ((n = cell_space_len(text + i, len - i)) > 0 ||
		    (n = dash_len(text + i, len - i)) > 0) {
			i += n;
			continue;
		}
		if (o + 1 >= outsize)
			return -1;
		if ((d = thai_digit(text + i, len - i)) >= 0) {
			out[o++] = (char)('0' + d);
			i += 3;
		} else if ((n = cell_thai_fold(text + i, len - i, fold, &k)) > 0) {
			if (o + k + 1 > outsize)
				return -1;
			memcpy(out + o, fold, k);
			o += k;
			i += n;
		} else
			out[o++] = text[i++];
	}
	out[o] = '\0';
	return (int)o;
}

/*
 * Where the normalising walk puts its output: into out (out != NULL, at most
 * size - 1 bytes, room kept for the NUL), or compared against want (out ==
 * NULL, size is want's length).  n counts the bytes put so far.
 */
struct heading_sink {
	char *out;
	const char *want;
	size_t size;
	size_t n;
};

/* sink_put(k, c): one output byte; -1 when it does not fit or differs. */
static int
sink_put(struct heading_sink *k, char c)
{
	if (k->out != NULL) {
		if (k->n + 1 >= k->size)
			return -1;
		k->out[k->n++] = c;
		return 0;
	}
	if (k->n >= k->size || k->want[k->n] != c)
		return -1;
	k->n++;
	return 0;
}

/*
 * heading_walk(text, len, fold, k): the one definition of a heading's
 * normal form, shared by writing it and comparing against it.  White-space
 * runs become one space between words (fold 0) or nothing (fold 1);
 * leading and trailing ones vanish; Thai spellings that render alike are
 * read as one (cell_thai_fold).  Returns 0, or -1 at the first byte
 * sink_put refuses.
 */
static int
heading_walk(const char *text, size_t len, int fold, struct heading_sink *k)
{
	char rep[CELL_THAI_FOLD_OUT];
	size_t i = 0, n, j, m;
	int pending = 0;

	if (text == NULL)
		len = 0;
	while (i < len) {
		n = cell_space_len(text + i, len - i);
		if (n > 0) {
			pending = k->n > 0 && !fold;
			i += n;
			continue;
		}
		if (pending && sink_put(k, ' ') < 0)
			return -1;
		pending = 0;
		if ((n = cell_thai_fold(text + i, len - i, rep, &m)) > 0) {
			for (j = 0; j < m; j++)
				if (sink_put(k, rep[j]) < 0)
					return -1;
			i += n;
			continue;
		}
		if (sink_put(k, text[i++]) < 0)
			return -1;
	}
	return 0;
}

static int
heading_normalise(const char *text, size_t len, char *out, size_t outsize,
    int fold)
{
	struct heading_sink k = { out, NULL, outsize, 0 };

	if (outsize == 0 || heading_walk(text, len, fold, &k) < 0)
		return -1;
	out[k.n] = '\0';
	return (int)k.n;
}

int
cell_heading_equals(const char *text, size_t len, const char *want,
    size_t wantlen, int fold)
{
	struct heading_sink k = { NULL, want, wantlen, 0 };

	return heading_walk(text, len, fold, &k) == 0 && k.n == wantlen;
}

int
cell_heading_normalise(const char *text, size_t len, char *out, size_t outsize)
{
	return heading_normalise(text, len, out, outsize, 0);
}

int
cell_heading_fold(const char *text, size_t len, char *out, size_t outsize)
{
	return heading_normalise(text, len, out, outsize, 1);
}

int
cell_column_letters(const char *s)
{
	size_t n, i;
	int col = 0;

	if (s == NULL)
		return -1;
	n = strlen(s);
	if (n < 1 || n > 3)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < 'A' || s[i] > 'Z')
			return -1;
		col = col * 26 + (s[i] - 'A' + 1);
	}
	return col - 1;
}
