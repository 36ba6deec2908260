/*
 * findings: one step of a cycle: each finding of the report gets its
 * identity and first-seen time; new identities are audited as
 * discrepancy.opened, vanished ones as discrepancy.resolved.
 */
#ifndef SYNCD_FINDINGS_H
#define SYNCD_FINDINGS_H

#include "auth/err.h"
#include "rules/rules.h"

struct run;

/*
 * findings_run(r, e): fill r->ids (one identity per finding of r->report)
 * and r->next's first-seen table (the saved time, or r->now for a new
 * one), appending discrepancy.opened and discrepancy.resolved.  The saved
 * first-seen table is r->old, or r->c->state when that is whole.  Returns
 * 0, or -1 with e set (fatal when the audit log lost durability).
 */
int findings_run(struct run *r, struct err *e);

/*
 * findings_first_seen_text(ctx, f): the first-seen time of finding f of
 * the run ctx, "YYYY-MM-DD HH:MM" in Bangkok ("" when unknown), for
 * writer_discrepancies.  Borrowed until the next call.
 */
const char *findings_first_seen_text(void *ctx, const struct rules_finding *f);

#endif
