/*
 * sheetedits: the steps of a cycle about edits to the sheet's structure and
 * to our own tabs: one tab.renamed or tab.removed event per change (their
 * cells and findings follow the tab: see celldiff and findings), each
 * district tab's household count kept for a later tab.removed, the summary
 * footer's audit head written again when typed over, and writer.conflict
 * when another syncd writes the same sheet (then nothing is written).
 */
#ifndef SYNCD_SHEETEDITS_H
#define SYNCD_SHEETEDITS_H

#include "auth/err.h"

struct run;

/* sheetedits_audit(r, e): one tab.renamed or tab.removed per change in
 * r->changes.  Returns 0, or -1 with e set (fatal when the audit log lost
 * durability). */
int sheetedits_audit(struct run *r, struct err *e);

/* sheetedits_households(r): each district tab's household count, from the
 * report, into r->next's tab list. */
void sheetedits_households(struct run *r);

/*
 * sheetedits_footer(r, need_write): the audit head the summary's footer
 * shows (r->sheet_head) against the one we published last: typed over (not
 * a head, or an older head of our log) sets *need_write; a head our log does
 * not hold sets r->foreign_head.
 */
void sheetedits_footer(struct run *r, int *need_write);

/*
 * sheetedits_conflict(r, need_write, e): another syncd writing this sheet:
 * writer.conflict once, *need_write cleared, r->conflict*; cleared when
 * the other stops.  Returns 0, or -1 with e set (the audit failure, fatal
 * or not).
 */
int sheetedits_conflict(struct run *r, int *need_write, struct err *e);

#endif
