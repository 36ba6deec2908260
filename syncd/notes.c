/*
 * notes: the steps of a cycle that flag findings where district staff look
 * (syncd/annotate does the work; see notes.h).  Never logs; what it plans
 * rides in the cycle's one batchUpdate (publish_write).
 */
#include "syncd/notes.h"

#include <stdlib.h>
#include <string.h>

#include "syncd/publish.h"
#include "syncd/run.h"
#include "syncd/tabnotes.h"

/* What the combined read keeps of a tab: our tabs' objects (the history
 * tab's chart among them), the districts' notes. */
static unsigned
keep_what(const void *ctx, const char *title)
{
	const struct config *cfg = ctx;
	const struct rules_config *rc = &cfg->rules;

	if (strcmp(title, rc->summary_tab) == 0 || strcmp(title, rc->discrepancy_tab) == 0 ||
	    (cfg->history_tab[0] != '\0' && strcmp(title, cfg->history_tab) == 0))
		return TABNOTES_OBJECTS;
	return rules_is_district(rc, title) ? TABNOTES_NOTES : 0;
}

/*
 * notes_tab_list(r, e): the changed cycle's tab list.  With
 * annotate_districts it is the ONE spreadsheets.get that brings the notes
 * and our tabs' objects too (syncd/tabnotes), into r->seen (r->notes_read),
 * and tells whether the history tab has its chart.  That read refused as
 * invalid (400) or an answer we cannot read must never keep the two tabs
 * from being written: it is recorded (api.error, step "notes") and the
 * plain list read instead; the cycle then goes on without notes.  Anything
 * that may pass fails the cycle as a read does.  Returns 0, or -1 with e
 * set.
 */
int
notes_tab_list(struct run *r, struct err *e)
{
	struct tabnotes_keep keep = { keep_what, r->cfg };
	const struct sheets_tab *ht;
	struct sheets_tabs tabs;
	struct err be;
	if (!r->cfg->annotate_districts)
		return run_discover(r, e);
	err_init(&be);
	r->sheet_reads++;
	if (tabnotes_read(r->c->ss.sheets, &keep, &tabs, &r->seen, NULL, &be) == 0) {
		tabcache_take(&r->c->tabs, &tabs);
		r->discovered = 1;
		r->notes_read = 1;
		ht = r->cfg->history_tab[0] != '\0' ?
		    tabcache_find(&r->c->tabs, r->cfg->history_tab) : NULL;
		if (ht != NULL) {
			r->hist_seen = 1;
			r->hist_has = annotate_seen_has(r->seen.charted, r->seen.ncharted,
			    ht->sheet_id);
		}
		return 0;
	}
	if (!((be.code == ERR_API && be.status == 400) || be.code == ERR_DATA)) {
		err_set(e, be.code, "%s", be.msg);
		e->status = be.status;
		return -1;
	}
	if (run_audit_failure(r->c, "notes", &be) == -1) {
		/* The log lost durability: be holds that, fatal. */
		err_fatal(e, be.code, "%s", be.msg);
		return -1;
	}
	return run_discover(r, e);
}

/*
 * notes_plan(r, e): with annotate_districts, while the workbook is here:
 * where each finding sits, then the plan whose requests ride in the
 * cycle's one batchUpdate, from what the tab list read (r->seen): no read
 * of its own.  Only tabs whose notes were read are noted (a person's note
 * is never written over unseen).  Our tabs that do not exist yet get the
 * sheetIds write_tabs will give them, so their protections, views and
 * chart come in the same request that adds them.  Returns 0 or -1 with e
 * set.
 */
int
notes_plan(struct run *r, struct err *e)
{
	const struct rules_config *rc = &r->cfg->rules;
	const struct sheets_tab *st = tabcache_find(&r->c->tabs, rc->summary_tab);
	const struct sheets_tab *dt = tabcache_find(&r->c->tabs, rc->discrepancy_tab);
	struct annotate_in *in = &r->ain;
	size_t i;

	if (!r->cfg->annotate_districts)
		return 0;
	if ((r->fcols = annotate_locate(&r->report, r->view, rc, e)) == NULL)
		return -1;
	if ((r->atabs = calloc(r->c->tabs.tabs.n + 1, sizeof(*r->atabs))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	for (i = 0; i < r->c->tabs.tabs.n; i++) {
		const char *t = r->c->tabs.tabs.tabs[i].title;
		const struct workbook_tab *vt = run_view_tab(r->view, t);
		int64_t id = r->c->tabs.tabs.tabs[i].sheet_id;

		r->atabs[i].title = t;
		r->atabs[i].sheet_id = id;
		r->atabs[i].district = rules_is_district(rc, t) &&
		    strcmp(t, rc->summary_tab) != 0 && strcmp(t, rc->discrepancy_tab) != 0 &&
		    annotate_seen_has(r->seen.read, r->seen.nread, id);
		r->atabs[i].nrows = vt != NULL ? vt->nrows : 0;
	}
	if (publish_summary(r, "", e) == -1)
		return -1;
	memset(in, 0, sizeof(*in));
	in->report = &r->report;
	in->cols = r->fcols;
	in->tabs = r->atabs;
	in->ntabs = r->c->tabs.tabs.n;
	in->seen = &r->seen;
	in->old = run_saved_state(r);
	in->summary_title = rc->summary_tab;
	in->disc_title = rc->discrepancy_tab;
	in->summary_id = st != NULL ? st->sheet_id : -1;
	in->disc_id = dt != NULL ? dt->sheet_id : -1;
	in->disc_cols = WRITER_DISCREPANCY_COLS;
	in->summary_cols = r->sum.ncols;
	in->percent_col = 0;
	for (i = 0; i < r->sum.ncols; i++)
		if (r->sum.cells[i].type == WRITER_TEXT &&
		    strcmp(r->sum.cells[i].text, "ร้อยละ") == 0)
			in->percent_col = (int)i;
	r->linking = 1;
	/* The combined read failed (recorded): no plan, the tabs are written. */
	if (!r->notes_read)
		return 0;
	if (st == NULL)
		in->summary_id = tabcache_new_sheet_id(&r->c->tabs, rc->summary_tab, -1);
	if (dt == NULL)
		in->disc_id = tabcache_new_sheet_id(&r->c->tabs, rc->discrepancy_tab, in->summary_id);
	if (annotate_plan(in, &r->plan, e) == -1)
		return -1;
	r->annotating = 1;
	return 0;
}

/*
 * notes_state(r, e): what the next state keeps of syncd's notes and
 * objects: the plan's outcome when it had nothing to send, else the old
 * state's until write_tabs has sent it (it then commits the plan).
 */
int
notes_state(struct run *r, struct err *e)
{
	if (r->annotating && json_array_size(r->plan.requests) == 0)
		return annotate_commit(&r->plan, NULL, 0, 0, r->next, e);
	return annotate_keep_old(run_saved_state(r), r->next, e);
}

