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

/*
 * notes_plan(r, e): with annotate_districts, in a cycle that did not list
 * the tabs (2 reads at most), while the workbook is here:
 * where each finding sits, then the ONE notes read (the cells that matter
 * and syncd's tabs' objects), then the plan whose requests ride in the
 * cycle's one batchUpdate.  Our tabs that do not exist yet get the sheetIds
 * write_tabs will give them, so their protections, views and chart come in
 * the same request that adds them.  Returns 0 or -1 with e set.
 */
int
notes_plan(struct run *r, struct err *e)
{
	const struct rules_config *rc = &r->cfg->rules;
	const struct sheets_tab *st = tabcache_find(&r->c->tabs, rc->summary_tab);
	const struct sheets_tab *dt = tabcache_find(&r->c->tabs, rc->discrepancy_tab);
	struct annotate_in *in = &r->ain;
	struct sheets_reply reply;
	struct err be;
	json_t *body;
	size_t i;
	int rv;

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

		r->atabs[i].title = t;
		r->atabs[i].sheet_id = r->c->tabs.tabs.tabs[i].sheet_id;
		r->atabs[i].district = rules_is_district(rc, t) &&
		    strcmp(t, rc->summary_tab) != 0 && strcmp(t, rc->discrepancy_tab) != 0;
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
	/* A cycle that listed the tabs has spent its second read: the notes
	 * wait for the next changed cycle (ours, after the tabs are written). */
	if (r->discovered)
		return 0;
	err_init(&be);
	body = annotate_read_body(in, &be);
	if (body == NULL && be.code != 0) {
		err_set(e, be.code, "%s", be.msg);
		return -1;
	}
	if (body != NULL) {
		const struct sheets_tab *ht = r->cfg->history_tab[0] != '\0' ?
		    tabcache_find(&r->c->tabs, r->cfg->history_tab) : NULL;

		/* The history tab's charts come with this read (its cell A1),
		 * so the day's row needs no read of its own (syncd/overtime). */
		if (ht != NULL)
			(void)json_array_append_new(json_object_get(body, "dataFilters"),
			    json_pack("{s:{s:I, s:i, s:i, s:i, s:i}}", "gridRange",
			    "sheetId", (json_int_t)ht->sheet_id, "startRowIndex", 0,
			    "endRowIndex", 1, "startColumnIndex", 0, "endColumnIndex", 1));
		err_init(&be);
		rv = sheets_get_by_data_filter(r->c->ss.sheets, ANNOTATE_FIELDS, body, &reply, &be);
		json_decref(body);
		r->sheet_reads++;
		if (rv == 0 && ht != NULL)
			r->hist_seen = overtime_sheet_has_chart(reply.body, reply.len, ht->sheet_id,
			    &r->hist_has) == 0;
		if (rv == 0)
			rv = annotate_parse(reply.body, reply.len, &r->seen, &be);
		sheets_reply_fini(&reply);
		/* Refused as invalid (or an answer we cannot read): the notes
		 * must never keep the two tabs from being written.  Record it
		 * and go on without them; anything that may pass fails the
		 * cycle as a read does. */
		if (rv == -1 && ((be.code == ERR_API && be.status == 400) || be.code == ERR_DATA)) {
			annotate_seen_fini(&r->seen);
			if (run_audit_failure(r->c, "notes", &be) == -1) {
				/* The log lost durability: be holds that, fatal. */
				err_fatal(e, be.code, "%s", be.msg);
				return -1;
			}
			return 0;
		}
		if (rv == -1) {
			err_set(e, be.code, "%s", be.msg);
			e->status = be.status;
			return -1;
		}
	}
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

