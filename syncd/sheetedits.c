/*
 * sheetedits: what a cycle does about edits to the sheet's structure and
 * to our own tabs (issue 12; see sheetedits.h): tabs renamed or removed
 * since the last cycle, the summary footer's audit head typed over, and
 * another syncd writing the same sheet.  Never logs.
 */
#include "syncd/sheetedits.h"

#include <stdio.h>
#include <string.h>

#include "syncd/run.h"

/* One tab.renamed or tab.removed event per change, before the cells. */
int
sheetedits_audit(struct run *r, struct err *e)
{
	const struct tab_change *ch;
	size_t i;
	int rc = 0;

	for (i = 0; i < r->changes.n && rc == 0; i++) {
		ch = &r->changes.c[i];
		if (ch->kind == TAB_RENAMED)
			rc = audit_append_pack(r->c->audit, e, "tab.renamed",
			    "{s:I, s:s, s:s}", "sheetId", (json_int_t)ch->sheet_id,
			    "old", ch->old, "new", ch->now);
		else if (ch->households >= 0)
			rc = audit_append_pack(r->c->audit, e, "tab.removed",
			    "{s:s, s:I, s:I}", "tab", ch->old, "sheetId",
			    (json_int_t)ch->sheet_id, "households", (json_int_t)ch->households);
		else
			rc = audit_append_pack(r->c->audit, e, "tab.removed", "{s:s, s:I}",
			    "tab", ch->old, "sheetId", (json_int_t)ch->sheet_id);
	}
	return rc;
}

/* Each district tab's household count, for a tab.removed later. */
void
sheetedits_households(struct run *r)
{
	size_t i, j, nd = r->report.nsummary > 0 ? r->report.nsummary - 1 : 0;

	for (i = 0; i < state_sheets_count(r->next); i++)
		for (j = 0; j < nd; j++)
			if (!r->report.summary[j].missing &&
			    strcmp(r->report.summary[j].district,
			    state_sheet(r->next, i)->title) == 0) {
				state_sheet_set_households(r->next, i,
				    r->report.summary[j].households);
				break;
			}
}

/*
 * sheetedits_footer(r, need_write): the audit head the summary's footer shows
 * against the one we published last.  Not ours any more: either an editor
 * typed over it (not a head, or an older head of our log: write it again,
 * it is the log's anchor outside the host), or another syncd wrote the
 * sheet (a head our log does not hold: foreign_head, see sheetedits_conflict).
 */
void
sheetedits_footer(struct run *r, int *need_write)
{
	const char *pub = state_published_head(r->c->state);
	struct audit_head h;
	struct audit_verify_result vr;
	struct err pe;

	r->foreign_head = 0;
	if (pub == NULL || strcmp(r->sheet_head, pub) == 0)
		return;
	err_init(&pe);
	if (audit_parse_head(r->sheet_head, &h, &pe) == 0) {
		err_init(&pe);
		/* Reads the log: only when the footer moved under us. */
		r->foreign_head = audit_verify_file(r->cfg->audit_log, &h, &vr, &pe) != 0;
	}
	if (!r->foreign_head)
		*need_write = 1;
}

#define CONFLICT_QUIET_CYCLES 3	/* the other's silence that ends a conflict */

/*
 * sheetedits_conflict(r, need_write, e): another syncd writing this sheet and
 * evaluating it differently: the summary changed under us after our own
 * write (we have published a head, and the footer now shows a head our log
 * does not hold) and we would write.  The two would fight: record
 * writer.conflict once, write nothing, and read again each cycle.  It
 * clears when the footer shows our head or none, when the sheet holds what
 * we would write, or when the sheet changed and the other then did not
 * write for CONFLICT_QUIET_CYCLES of our cycles (it no longer runs).  A
 * syncd that never wrote the sheet (no published head) takes over; the one
 * it replaced then stops.  Returns 0, or the audit failure.
 */
int
sheetedits_conflict(struct run *r, int *need_write, struct err *e)
{
	struct cycle *c = r->c;
	const char *other, *footer, *ver;
	long quiet;
	int rc, cand;

	cand = *need_write && r->foreign_head;
	other = state_conflict(c->state, &footer, &ver, &quiet);
	if (!cand)
		return other != NULL ? state_set_conflict(r->next, NULL, NULL, NULL, 0, e) : 0;
	r->conflict = 1;
	*need_write = 0;
	if (other == NULL) {
		rc = audit_append_pack(c->audit, e, "writer.conflict", "{s:s, s:s, s:s?, s:s}",
		    "other_head", r->sheet_head, "published_head", state_published_head(c->state),
		    "other", r->sheet_inst[0] != '\0' ? r->sheet_inst : NULL,
		    "action", "stopped writing");
		if (rc != 0)
			return rc;
		r->conflict_new = 1;
		return state_set_conflict(r->next, "syncd", r->sheet_head, r->version, 0, e);
	}
	if (strcmp(footer, r->sheet_head) != 0)	/* it wrote again: it is running */
		return state_set_conflict(r->next, other, r->sheet_head, r->version, 0, e);
	if (quiet == 0 && strcmp(ver, r->version) == 0)
		return 0;		/* nothing changed: nothing to tell */
	if (quiet < CONFLICT_QUIET_CYCLES)
		return state_set_conflict(r->next, other, r->sheet_head, ver, quiet + 1, e);
	/* The sheet changed and the other did not answer: it no longer runs. */
	r->conflict = 0;
	*need_write = 1;
	r->conflict_cleared = 1;
	return state_set_conflict(r->next, NULL, NULL, NULL, 0, e);
}

