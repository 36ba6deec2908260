/*
 * textwidth: how many terminal columns a UTF-8 string takes, so that tables
 * of Thai text line up.  Thai above and below vowels and tone marks (U+0E31,
 * U+0E34-U+0E3A, U+0E47-U+0E4E) and other combining marks take no column,
 * East Asian wide characters take two, everything else one.  Pure: no locale
 * (wcwidth() depends on one being set, and the daemon sets none).
 */
#ifndef SYNCD_TEXTWIDTH_H
#define SYNCD_TEXTWIDTH_H

#include <stddef.h>

/*
 * textwidth_n(s, len): the display width of len bytes of UTF-8 at s
 * (borrowed).  A malformed byte counts as one column, so nothing is lost.
 */
size_t textwidth_n(const char *s, size_t len);

/* textwidth(s): textwidth_n of the NUL-terminated s; NULL is 0. */
size_t textwidth(const char *s);

#endif
