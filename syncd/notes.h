/*
 * notes: with annotate_districts, the cycle's flags in the district tabs:
 * notes on the cells of findings, filter views, protections of our tabs and
 * the summary's chart (syncd/annotate).  One read of the notes at most, in
 * a cycle that did not list the tabs; the requests ride in the cycle's one
 * batchUpdate.
 */
#ifndef SYNCD_NOTES_H
#define SYNCD_NOTES_H

#include "auth/err.h"

struct run;

/*
 * notes_plan(r, e): while the workbook is here: where each finding sits,
 * the ONE notes read, then the plan (r->plan, r->annotating; r->linking
 * once row numbers can link to cells).  Does nothing without
 * annotate_districts.  Returns 0, or -1 with e set.
 */
int notes_plan(struct run *r, struct err *e);

/*
 * notes_state(r, e): what the next state (r->next) keeps of syncd's notes
 * and objects: the plan's outcome when it had nothing to send, else the
 * old state's until publish_write has sent it.  Returns 0, or -1 with e set.
 */
int notes_state(struct run *r, struct err *e);

#endif
