/*
 * range: A1 notation for tab titles, the way Google writes it, and the
 * percent-encoding that carries it in a URL.
 *
 * A title goes into a range as '<title>' with every inner ' doubled; Google
 * leaves plain identifiers (Sheet1) bare in its echoes and quotes the rest
 * (titles with spaces, non-ASCII, or that look like a cell such as "D3").
 * Query values and path segments are percent-encoded byte by byte as UTF-8,
 * everything but the unreserved A-Z a-z 0-9 - . _ ~, so '+', '#', '&', '!'
 * and ''' never change meaning on the way (API_NOTES 2.2).
 * Pure: no I/O, no globals.  Never trusts its input: every length is bounded.
 */
#ifndef SYNCD_RANGE_H
#define SYNCD_RANGE_H

#include <stddef.h>

#include "auth/err.h"

/* Longest A1 text (title plus cells) accepted or produced, in bytes. */
#define RANGE_MAX_LEN	4096

/* range_quote flags. */
#define RANGE_QUOTE_ALWAYS	1	/* quote even a plain identifier (what we send) */

/*
 * range_needs_quote(title): non-zero when Google would quote this title in an
 * A1 echo: anything that is not ^[A-Za-z_][A-Za-z0-9_]*$, or that looks like
 * a cell or column reference (1 to 3 letters and optional digits: "D3", "AB",
 * "ZZZ999") or an R1C1 reference ("R1C1", "R2", "C3").  title is a
 * NUL-terminated UTF-8 string; the empty title needs quotes.
 */
int range_needs_quote(const char *title);

/*
 * range_quote(title, cells, flags, e): the A1 range for title (NUL-terminated
 * UTF-8) and cells (e.g. "A1:Z1000"; NULL or "" for the whole tab): the title
 * bare or in single quotes with inner quotes doubled (quoted when
 * range_needs_quote says so, or always with RANGE_QUOTE_ALWAYS), then "!" and
 * the cells when given.  Returns an owned string (free()) or NULL with e set
 * (ERR_DATA: empty title or result longer than RANGE_MAX_LEN; ERR_NOMEM).
 */
char *range_quote(const char *title, const char *cells, int flags, struct err *e);

/*
 * range_escape(s, len, e): s (len bytes) percent-encoded for a URL query
 * value or path segment: every byte outside A-Z a-z 0-9 - . _ ~ becomes %XX
 * (upper-case hex), so a space is %20 and a '+' is %2B.  Returns an owned,
 * NUL-terminated string (free()) or NULL with e set (ERR_NOMEM, or ERR_DATA
 * when len exceeds RANGE_MAX_LEN * 3).
 */
char *range_escape(const char *s, size_t len, struct err *e);

/*
 * range_split(a1, len, title, cells, e): split an A1 range (len bytes, as a
 * request or Google's echo writes it: "'Jon''s Data'!A1:Z1000", "Sheet1!A1",
 * "'D3'", "Sheet1") into the tab title, unquoted with '' made ', and the
 * cells after the '!' ("" when there is none).  A bare title ends at the
 * first '!'; without any '!' the whole text is the title.  So
 * range_split(range_quote(t, c)) gives back t and c for every title t and
 * cells c.
 * Returns 0 with *title and *cells owned (free()), or -1 with e set
 * (ERR_DATA: empty, longer than RANGE_MAX_LEN, holds a NUL byte, unbalanced
 * quotes or text between the closing quote and '!'; ERR_NOMEM); then both are NULL.
 */
int range_split(const char *a1, size_t len, char **title, char **cells, struct err *e);

/*
 * range_parse(a1, len, title_len, cells_at, e): range_split's parser, in
 * place: the one A1 parser for requests, cassettes and the batchGet answers
 * the workbook reader takes.  On 0 the unquoted title is a1[0, *title_len)
 * (not NUL-terminated) and the cells begin at a1 + *cells_at (== len when
 * there are none); the bytes between may be overwritten.  -1 with e set on
 * the errors range_split names.
 */
int range_parse(char *a1, size_t len, size_t *title_len, size_t *cells_at, struct err *e);

#endif
