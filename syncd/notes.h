/*
 * notes: with annotate_districts, the cycle's flags in the district tabs:
 * notes on the cells of findings, filter views, protections of our tabs and
 * the summary's chart (syncd/annotate).  The notes come with the changed
 * cycle's tab list (syncd/tabnotes: no read of their own); the requests
 * ride in the cycle's one batchUpdate.
 */
#ifndef SYNCD_NOTES_H
#define SYNCD_NOTES_H

#include "auth/err.h"

struct run;

/*
 * notes_tab_list(r, e): the tab list of a changed cycle: with
 * annotate_districts ONE spreadsheets.get that also reads the notes and our
 * tabs' objects (r->seen, r->notes_read), else the plain list; the
 * combined read refused (400) or unreadable is recorded (api.error, step
 * "notes") and the plain list read instead.  Returns 0, or -1 with e set.
 */
int notes_tab_list(struct run *r, struct err *e);

/*
 * notes_plan(r, e): while the workbook is here: where each finding sits,
 * then the plan from what the tab list read (r->plan, r->annotating; r->linking
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
