/*
 * a1: A1 notation for the Sheets emulator: parse a range the way the Sheets
 * API accepts it, and write the normalised echo the way it answers.
 *
 * Parsing is lenient like Google's: quoted titles with '' escapes (an
 * undoubled ' inside quotes is accepted too), unquoted titles (spaces and
 * UTF-8 allowed), a title alone (the whole sheet), and the references A1,
 * A1:B2, A:Q, A1:Q, 1:5, reversed ends.  The echo quotes a title unless it
 * matches [A-Za-z_][A-Za-z0-9_]* and does not look like a cell reference
 * (D3, R1C1).  Pure: no I/O, no globals.
 */
#ifndef FAKESHEETS_A1_H
#define FAKESHEETS_A1_H

#include <stddef.h>

#define A1_MAX_COL	18278	/* ZZZ */
#define A1_MAX_ROW	10000000
#define A1_MAX_RANGE	4096	/* bytes of a range string we accept */
#define A1_OPEN		(-1)	/* an end that is not given: the grid's edge */

/* A parsed range.  Indexes are 0-based and inclusive; A1_OPEN when absent. */
struct a1_range {
	char *title;		/* owned; NULL: no title given (first visible sheet) */
	int whole;		/* 1: no cell reference at all (title only) */
	int bare;		/* 1: no '!' and no quotes: title or reference */
	int single;		/* 1: one cell, e.g. A1 (an anchor for writes) */
	int r0, c0, r1, c1;	/* A1_OPEN where not given */
};

/*
 * a1_parse(s, out): parse range s (NUL-terminated, already percent-decoded).
 * When s has no '!' it is returned as a title with whole = 1 AND, if it also
 * parses as a reference, with the reference filled in and whole = 0; the
 * caller decides (a title that exists wins only when s is not a reference).
 * Returns 0, or -1 when s cannot be parsed (out is then freed).  out->title
 * is owned by out: release with a1_range_fini.
 */
int a1_parse(const char *s, struct a1_range *out);

/* a1_range_fini(r): free r's title.  Safe on a zeroed or finished range. */
void a1_range_fini(struct a1_range *r);

/*
 * a1_parse_ref(s, r): parse a bare reference (A1, A1:B2, A:B, 1:2, A1:B)
 * into r's r0..c1 and single.  Returns 0 or -1.
 */
int a1_parse_ref(const char *s, struct a1_range *r);

/* a1_title_needs_quotes(t): 1 when the echo must quote title t. */
int a1_title_needs_quotes(const char *t);

/*
 * a1_format(buf, size, title, r0, c0, r1, c1): write "Title!A1:B2" (or
 * "Title!A1" when the range is one cell) with Google's quoting into buf.
 * Returns the length written, or -1 when size is too small.
 */
int a1_format(char *buf, size_t size, const char *title, int r0, int c0,
    int r1, int c1);

/* a1_col_name(buf, size, c): the column letters of 0-based column c. */
int a1_col_name(char *buf, size_t size, int c);

#endif
