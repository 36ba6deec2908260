/*
 * cell: reading one spreadsheet cell the way DOMAIN.md "Cell values" says:
 * Unicode white space, Thai digits, status marks, household keys and column
 * headings.  Pure string work on borrowed bytes: no allocation, no I/O, no
 * locale.  Every output goes to a caller-supplied buffer of a given size.
 */
#ifndef RULES_CELL_H
#define RULES_CELL_H

#include <stddef.h>

#include "rules/workbook.h"

/* Longest cell text we copy into a scratch buffer when reading a mark. */
#define CELL_MARK_MAX 64

enum cell_mark {
	CELL_MARK_EMPTY = 0,	/* blank, or one of the "empty" marks (0, FALSE) */
	CELL_MARK_SET,		/* one of the "set" marks (1, TRUE) */
	CELL_MARK_INVALID,	/* anything else */
};

/*
 * cell_space_len(s, len): the byte length of the white-space character at
 * s[0..len), or 0 when s does not start with one.  White space is Unicode
 * White_Space (tab, line breaks, space, NBSP U+00A0, U+1680, U+2000-200A,
 * U+2028/2029, U+202F, U+205F, U+3000, U+0085) plus the invisible U+200B and
 * U+FEFF that people paste from the web.
 */
size_t cell_space_len(const char *s, size_t len);

/*
 * cell_trim(s, len, out_len): skip leading and trailing white space.
 * Returns the first non-space byte of s and sets *out_len.
 */
const char *cell_trim(const char *s, size_t len, size_t *out_len);

/* cell_is_blank(c): non-zero when c is empty or only white space. */
int cell_is_blank(const struct workbook_cell *c);

/* Bytes cell_thai_fold may write. */
#define CELL_THAI_FOLD_OUT 6

/*
 * cell_thai_fold(s, len, out, outlen): when s starts with a Thai spelling
 * that renders like another (DOMAIN.md "Thai spellings that render alike"),
 * write the usual one to out (*outlen bytes, never more than it read) and
 * return the bytes of s it replaces; else return 0.  The spellings:
 *   - NIKHAHIT SARA AA (U+0E4D U+0E32, from PDF files) is SARA AM (U+0E33),
 *     its Unicode compatibility decomposition; with a tone mark between
 *     them (U+0E4D U+0E49 U+0E32) it is the tone mark, then SARA AM;
 *   - a tone mark or THANTHAKHAT typed before the vowel above or below the
 *     same consonant (U+0E31, U+0E34-0E3A, U+0E47) goes after it;
 *   - SARA E twice (U+0E40 U+0E40) is SARA AE (U+0E41).
 * Comparisons use it (headings, marks, keys, dates); values are never
 * rewritten.
 */
size_t cell_thai_fold(const char *s, size_t len, char out[CELL_THAI_FOLD_OUT],
    size_t *outlen);

/*
 * cell_ascii_digits(s, len, out, outsize): copy s into out with Thai digits
 * (U+0E50-0E59) converted to ASCII '0'-'9' and Thai spellings folded
 * (cell_thai_fold).  Returns the length written
 * (NUL terminated) or -1 when it does not fit.
 */
int cell_ascii_digits(const char *s, size_t len, char *out, size_t outsize);

/*
 * cell_number(s, len, value): non-zero when s (ASCII, no white space) is a
 * decimal number: [+-]digits[.digits][(e|E)[+-]digits] (also ".5", "5.");
 * sets *value.  Locale-independent.
 */
int cell_number(const char *s, size_t len, double *value);

/* Accepted spellings of one kind of mark, prepared once per evaluation. */
#define CELL_MARKSET_MAX 16
struct cell_markset {
	size_t n;
	struct {
		char text[CELL_MARK_MAX];	/* trimmed, ASCII digits */
		size_t len;
		int is_number;
		double number;
	} m[CELL_MARKSET_MAX];
};

/*
 * cell_markset_init(ms, marks, n): prepare up to CELL_MARKSET_MAX spellings
 * (borrowed only for the call; NULL, blank and over-long ones are skipped).
 */
void cell_markset_init(struct cell_markset *ms, const char *const *marks,
    size_t n);

/*
 * cell_mark_read(c, set, empty): classify a status cell.  The text is
 * trimmed and its Thai digits converted; then it is compared with each
 * accepted spelling: numerically when both are numbers (the mark "1" matches
 * "1", "1.0", "01", "+1", "1e0", "๑", the JSON number 1), else ASCII
 * case-insensitively ("TRUE" matches "true" and a checkbox).  A blank cell
 * is always empty.  The set spellings are tried before the empty ones.
 */
enum cell_mark cell_mark_read(const struct workbook_cell *c,
    const struct cell_markset *set, const struct cell_markset *empty);

/*
 * cell_key_normalise(text, len, is_number, out, outsize): a household key
 * with Thai digits converted, Thai spellings folded (cell_thai_fold), and white space and hyphens (ASCII and Unicode
 * dashes) removed.  When is_number, text is a JSON number literal and an
 * integral one is written as plain digits ("2.4010012345E10" ->
 * "24010012345"); a non-integral one is kept as written.  Returns the length
 * written (NUL terminated), 0 when the key is empty, -1 when it does not fit.
 */
int cell_key_normalise(const char *text, size_t len, int is_number,
    char *out, size_t outsize);

/*
 * cell_heading_normalise(text, len, out, outsize): white space runs (see
 * cell_space_len) collapsed to one ASCII space, leading and trailing ones
 * removed, Thai spellings folded (cell_thai_fold).  Returns the length written (NUL terminated) or -1 when it does
 * not fit (outsize >= len + 1 always fits).
 */
int cell_heading_normalise(const char *text, size_t len, char *out, size_t outsize);

/*
 * cell_heading_fold(text, len, out, outsize): text with every white-space
 * character (see cell_space_len) deleted.  A second chance when a
 * configured heading matches no normalised heading: district staff break
 * Thai headings with Alt+Enter inside a word ("ความสำเร็จ\nของ") or paste a
 * zero-width space into one, which normalising turns into a space.
 * Returns the length written (NUL terminated) or -1 when it does not fit.
 */
int cell_heading_fold(const char *text, size_t len, char *out, size_t outsize);

/*
 * cell_heading_equals(text, len, want, wantlen, fold): non-zero when text,
 * normalised (fold 0: cell_heading_normalise; fold 1: cell_heading_fold),
 * is exactly want[0..wantlen).  Streams and stops at the first difference,
 * so a long heading cell costs no more than its common prefix with want.
 */
int cell_heading_equals(const char *text, size_t len, const char *want,
    size_t wantlen, int fold);

/*
 * cell_column_letters(s): the 0-based column of a heading written as 1-3
 * ASCII upper-case letters ("A" -> 0, "AA" -> 26), or -1 when s is not one.
 */
int cell_column_letters(const char *s);

#endif
