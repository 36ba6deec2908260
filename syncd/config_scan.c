/*
 * config_scan: a tiny lexer over the configuration file's text (see
 * config_scan.h for what it refuses and why).  It knows just enough of
 * libconfig's grammar to tell a comment (#, //, / * * /) and a string from
 * the rest, so that their text is never taken for a directive or a number,
 * and to know where a string may stand: after '=', ':', '(', '[', another
 * string (concatenation), or ',' inside a list or an array.  It never
 * parses values; libconfig does that next.
 */
#include "syncd/config_scan.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "syncd/config.h"

/* The scan in progress. */
struct scan {
	const char *name;	/* borrowed: the file's name in messages */
	struct err *e;		/* borrowed: where the error goes */
	const char *t;		/* borrowed: the text */
	size_t n;		/* its length */
	size_t i;		/* the position */
	unsigned line;		/* the position's line, from 1 */
	int bol;		/* nothing but blanks since the line began */
	char prev;		/* last token: its punctuation, 's' string, 'o' other */
	char stack[CONFIG_MAX_DEPTH];	/* the open brackets */
	size_t depth;
};

static int scan_fail(struct scan *, const char *, ...) __attribute__((format(printf, 2, 3)));

/* scan_fail(sc, fmt, ...): "NAME:LINE: message" (ERR_CONFIG); returns -1. */
static int
scan_fail(struct scan *sc, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_set(sc->e, ERR_CONFIG, "%s:%u: %s", sc->name, sc->line, msg);
	return -1;
}

/*
 * skip_comment(sc): step over the comment at the position, if one starts
 * there.  Returns 1 when one did, else 0.
 */
static int
skip_comment(struct scan *sc)
{
	const char *t = sc->t;
	size_t n = sc->n;

	if (t[sc->i] == '#' || (t[sc->i] == '/' && sc->i + 1 < n && t[sc->i + 1] == '/')) {
		while (sc->i < n && t[sc->i] != '\n')
			sc->i++;
		return 1;
	}
	if (t[sc->i] == '/' && sc->i + 1 < n && t[sc->i + 1] == '*') {
		for (sc->i += 2; sc->i < n && !(t[sc->i] == '*' && sc->i + 1 < n &&
		    t[sc->i + 1] == '/'); sc->i++)
			if (t[sc->i] == '\n')
				sc->line++;
		sc->i += 2;
		sc->bol = 0;
		return 1;
	}
	return 0;
}

/* scan_string(sc): the string at the position, where a value may stand. */
static int
scan_string(struct scan *sc)
{
	const char *t = sc->t;
	char p = sc->prev;

	if (!(p == '=' || p == ':' || p == '(' || p == '[' || p == 's' ||
	    (p == ',' && sc->depth > 0 && sc->stack[sc->depth - 1] != '{')))
		return scan_fail(sc, "syntax error: a string where no value belongs");
	sc->prev = 's';
	for (sc->i++; sc->i < sc->n && t[sc->i] != '"'; sc->i++) {
		if (t[sc->i] == '\\' && sc->i + 1 < sc->n)
			sc->i++;
		if (t[sc->i] == '\n')
			sc->line++;
	}
	sc->i++;
	sc->bol = 0;
	return 0;
}

/* scan_at(sc): '@' at the position; @include at a line's start is refused. */
static int
scan_at(struct scan *sc)
{
	if (sc->bol && sc->n - sc->i >= 8 && memcmp(sc->t + sc->i, "@include", 8) == 0)
		return scan_fail(sc, "@include is not allowed: keep the whole "
		    "configuration in one file");
	sc->i++;
	sc->bol = 0;
	sc->prev = 'o';
	return 0;
}

/*
 * number_end(t, i, n): where the number starting at t[i] ends: digits,
 * letters (hex, L), '.', and a sign after e or E in a decimal one.
 */
static size_t
number_end(const char *t, size_t i, size_t n, int hex)
{
	size_t j;

	for (j = i; j < n; j++) {
		char d = t[j];

		if ((d >= '0' && d <= '9') || (d >= 'a' && d <= 'z') ||
		    (d >= 'A' && d <= 'Z') || d == '.')
			continue;
		if ((d == '+' || d == '-') && !hex && j > i &&
		    (t[j - 1] == 'e' || t[j - 1] == 'E'))
			continue;
		break;
	}
	return j;
}

/*
 * scan_number(sc): the number at the position.  An integer must fit its
 * type: 32 bits (INT_MAX, or 0xffffffff in hex) without L, 64 with it;
 * a float (a '.', e or E in a decimal number) is libconfig's to judge.
 */
static int
scan_number(struct scan *sc)
{
	const char *t = sc->t;
	size_t i = sc->i, j, k, digits = 0;
	int hex, flt = 0, ell = 0;
	unsigned long long v = 0;

	hex = t[i] == '0' && i + 1 < sc->n && (t[i + 1] == 'x' || t[i + 1] == 'X');
	j = number_end(t, i, sc->n, hex);
	for (k = i + (hex ? 2 : 0); k < j; k++) {
		char d = t[k];

		if (d == 'L')
			ell = 1;
		else if (!hex && (d == '.' || d == 'e' || d == 'E'))
			flt = 1;
		else if (!ell) {
			digits++;
			if (v <= ULLONG_MAX / 16)
				v = v * (hex ? 16 : 10) + (unsigned)(d <= '9' ? d - '0' :
				    (d | 0x20) - 'a' + 10);
			else
				v = ULLONG_MAX;
		}
	}
	if (!flt && !ell && (digits > 10 || v > (hex ? 0xffffffffULL :
	    (unsigned long long)INT_MAX)))
		return scan_fail(sc, "the number %.*s is too large", (int)(j - i), t + i);
	if (!flt && ell && (digits > (hex ? 16u : 19u) || v > LLONG_MAX))
		return scan_fail(sc, "the number %.*s is too large", (int)(j - i), t + i);
	sc->i = j;
	sc->bol = 0;
	sc->prev = 'o';
	return 0;
}

static int
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '-' || c == '*';
}

/* scan_punct(sc): any other character; brackets are counted. */
static int
scan_punct(struct scan *sc)
{
	char c = sc->t[sc->i];

	if (c == '{' || c == '(' || c == '[') {
		if (sc->depth == CONFIG_MAX_DEPTH)
			return scan_fail(sc, "nested more than %d deep", CONFIG_MAX_DEPTH);
		sc->stack[sc->depth++] = c;
	} else if ((c == '}' || c == ')' || c == ']') && sc->depth > 0)
		sc->depth--;
	sc->prev = strchr("=:([,;{})]", c) != NULL ? c : 'o';
	sc->i++;
	sc->bol = 0;
	return 0;
}

/* scan_token(sc): whatever starts at the position (never at its end). */
static int
scan_token(struct scan *sc)
{
	char c = sc->t[sc->i];

	if (c == '\n') {
		sc->line++;
		sc->bol = 1;
		sc->i++;
	} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
		sc->i++;
	} else if (skip_comment(sc)) {
		;
	} else if (c == '"') {
		return scan_string(sc);
	} else if (c == '@') {
		return scan_at(sc);
	} else if (c >= '0' && c <= '9') {
		return scan_number(sc);
	} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '*') {
		while (sc->i < sc->n && word_char(sc->t[sc->i]))
			sc->i++;
		sc->bol = 0;
		sc->prev = 'o';
	} else
		return scan_punct(sc);
	return 0;
}

int
config_scan(const char *name, const char *text, size_t len, struct err *e)
{
	struct scan sc;
	const char *nul;
	size_t i;

	memset(&sc, 0, sizeof(sc));
	sc.name = name;
	sc.e = e;
	sc.t = text;
	sc.n = len;
	sc.line = 1;
	sc.bol = 1;
	if ((nul = memchr(text, '\0', len)) != NULL) {
		for (i = 0; text + i < nul; i++)
			sc.line += text[i] == '\n';
		return scan_fail(&sc, "a NUL byte: this is not a text file");
	}
	while (sc.i < sc.n)
		if (scan_token(&sc) == -1)
			return -1;
	return 0;
}
