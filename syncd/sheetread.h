/*
 * sheetread: the steps of a cycle that read the sheet (syncd/cycle runs
 * them in its list of steps): Drive's version, the tab list, the values of
 * the tabs, the summary's footer.  Each takes the run (syncd/run.h) and
 * returns 0, or -1 with e set.  Never logs, never writes.
 */
#ifndef SYNCD_SHEETREAD_H
#define SYNCD_SHEETREAD_H

#include "auth/err.h"

struct run;

/*
 * sheetread_drive(r, e): Drive's version (r->version); the cycle is idle
 * (r->res->idle) when it and the basis are the saved ones, it is not a
 * full_read_every-th cycle, and the daily report needs no read.
 */
int sheetread_drive(struct run *r, struct err *e);

/*
 * sheetread_tabs(r, e): the tab list, read again (with the notes and our
 * tabs' objects when annotating: notes_tab_list), compared with the saved
 * one by sheetId (r->changes); this state directory's instance id (r->inst).
 */
int sheetread_tabs(struct run *r, struct err *e);

/*
 * sheetread_values(r, e): ONE values:batchGetByDataFilter by sheetId of
 * every tab that may be a district and our tabs (r->wf, r->view); a 400
 * after a re-list (a tab renamed or removed since) lists the tabs once
 * more and reads again.
 */
int sheetread_values(struct run *r, struct err *e);

/* sheetread_footer(r, e): the audit head and instance id the sheet's
 * summary footer shows (r->sheet_head, r->sheet_inst).  Never fails. */
int sheetread_footer(struct run *r, struct err *e);

#endif
