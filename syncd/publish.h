/*
 * publish: the steps of a cycle that render our two tabs (the summary and
 * the discrepancy tab) and publish them: compare them with what the sheet
 * holds, and write both in ONE atomic spreadsheets.batchUpdate (adding a
 * missing tab), only when their values differ, and only after the cycle's
 * audit lines are durable.  The summary's footer names the audit head that
 * holds when it is written.
 */
#ifndef SYNCD_PUBLISH_H
#define SYNCD_PUBLISH_H

#include "auth/err.h"

struct run;

/*
 * publish_compare(r, e): while the workbook is here, compare our tabs with
 * the sheet's: the summary whole, the discrepancy tab a slice at a time,
 * its first-seen column set aside (publish_render finishes it).  Sets
 * r->mismatch.  Returns 0, or -1 with e set.
 */
int publish_compare(struct run *r, struct err *e);

/*
 * publish_overtime(r, e): while the workbook is here, the reports over time
 * (syncd/overtime): today's history row (read from the history tab itself,
 * so never twice a day), its chart when the tab has none, today's snapshot
 * when today is a snapshot day and the ledger has none, and the month's
 * e-mail prepared when it is due.  They ride in publish_write's request.
 * Returns 0, or -1 with e set.
 */
int publish_overtime(struct run *r, struct err *e);

/*
 * publish_summary(r, head, e): render the summary tab into r->sum, its
 * footer naming the audit head (the time is r->now).  Returns 0, or -1 with
 * e set.
 */
int publish_summary(struct run *r, const char *head, struct err *e);

/*
 * publish_render(r, e): render the discrepancy tab with the first-seen
 * times (after findings_run), decide r->need_write, hash both tabs into
 * r->hash and fill r->res's households, errors and warnings.  Returns 0, or
 * -1 with e set.
 */
int publish_render(struct run *r, struct err *e);

/*
 * publish_write(r, e): when r->need_write, render the summary with the
 * audit head and send the one batchUpdate (r->res->wrote); a write refused
 * for a stale tab list or cut half-way is tried once more after a fresh
 * tab list.  Returns 0, or -1 with e set.
 */
int publish_write(struct run *r, struct err *e);

#endif
