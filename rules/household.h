/*
 * household: the row-level rules (household.c says which), internal to
 * rules/.
 */
#ifndef RULES_HOUSEHOLD_H
#define RULES_HOUSEHOLD_H

#include <stdint.h>

#include "rules/eval.h"

/*
 * household_rows(ev, lo, tab, cols): evaluate the household rows of tab,
 * the district being read (ev->title, ev->sum), whose required columns all
 * exist: cols[i] is field i's column, -1 when absent.  Findings go to ev,
 * counts to ev->sum; a failed allocation sets ev->oom and stops.
 */
void household_rows(struct eval *ev, const struct layout *lo,
    const struct workbook_tab *tab, const int32_t *cols);

#endif
