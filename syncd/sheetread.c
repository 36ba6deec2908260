/*
 * sheetread: the steps of a changed cycle that read the sheet (see
 * sheetread.h): Drive's version, the tab list (with the notes when
 * annotating: syncd/notes), ONE values read by sheetId, and the footer the
 * summary shows.  Two Sheets reads in a changed cycle; a tab renamed
 * between them costs one more list.  Never logs, never writes.
 */
#include "syncd/sheetread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/linereport.h"
#include "syncd/monotime.h"
#include "syncd/notes.h"
#include "syncd/run.h"

/*
 * sheetread_drive (step drive): Drive's version; the cycle is idle
 * (r->res->idle: only the steps marked STEP_IDLE run on) when it and the
 * basis are the saved ones and the daily report needs no read of the sheet.
 */
int
sheetread_drive(struct run *r, struct err *e)
{
	const struct state *s = r->c->state;

	if (sheets_drive_version(r->c->ss.sheets, &r->version, e) == -1)
		return -1;
	if (!r->full && state_version(s) != NULL && state_basis(s) != NULL &&
	    strcmp(state_version(s), r->version) == 0 && strcmp(state_basis(s), r->basis) == 0 &&
	    !linereport_needs_sheet(r->cfg, r->cfg->state_dir, &r->clock))
		r->res->idle = 1;
	return 0;
}

/*
 * sheetread_tabs (step tabs): the tab list, read again whenever the version
 * moved (a tab added, removed or renamed shows within one cycle), compared
 * with the saved one by sheetId (r->changes); and this state directory's
 * instance id.  With annotate_districts the same read brings the notes and
 * our tabs' objects (syncd/notes), so a changed cycle makes two reads: this
 * and the values.
 */
int
sheetread_tabs(struct run *r, struct err *e)
{
	struct cycle *c = r->c;
	int prev_ok = tabcache_state_trusted(c->state, r->basis);

	if (notes_tab_list(r, e) == -1)
		return -1;
	if (prev_ok && tabwatch_diff(c->state, &c->tabs.tabs, &r->changes, e) == -1)
		return -1;
	/* With a saved list this is a re-list, not a discovery: a tab renamed
	 * before the values read sends sheetread_values to list them once more. */
	if (prev_ok)
		r->discovered = 0;
	if (state_instance(c->state) != NULL)
		snprintf(r->inst, sizeof(r->inst), "%s", state_instance(c->state));
	else if (tabwatch_new_instance(r->inst, e) == -1)
		return -1;
	return 0;
}

/*
 * sheetread_values (step batchGet): one values:batchGetByDataFilter, by
 * sheetId, of every tab that may be a district plus our own tabs that exist:
 * no URL limit (200 long Thai titles), and a tab renamed since the list was
 * read is read all the same.
 */
int
sheetread_values(struct run *r, struct err *e)
{
	const struct rules_config *rc = &r->cfg->rules;
	struct sheetjson_request req;
	struct sheets_reply reply;
	int64_t *ids = NULL;
	size_t i, n;
	struct err ge;
	double t0;

	for (;;) {
		free(ids);
		ids = calloc(r->c->tabs.tabs.n + 1, sizeof(*ids));
		if (ids == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			return -1;
		}
		n = 0;
		for (i = 0; i < r->c->tabs.tabs.n; i++) {
			const char *t = r->c->tabs.tabs.tabs[i].title;

			if (rules_is_district(rc, t) || strcmp(t, rc->summary_tab) == 0 ||
			    strcmp(t, rc->discrepancy_tab) == 0 ||
			    (r->cfg->history_tab[0] != '\0' &&
			    strcmp(t, r->cfg->history_tab) == 0))
				ids[n++] = r->c->tabs.tabs.tabs[i].sheet_id;
		}
		if (n == 0) {
			free(ids);
			r->view = &r->empty;
			r->sheet_reads++;	/* counted as the read it stands for */
			return 0;
		}
		err_init(&ge);
		if (sheets_batch_get_by_ids(r->c->ss.sheets, ids, n, &reply, &ge) == 0)
			break;
		sheets_reply_fini(&reply);
		/* A tab renamed or removed since the tab list was read: 400. */
		if (ge.code == ERR_API && ge.status == 400 && !r->discovered) {
			if (run_discover(r, e) == -1) {
				free(ids);
				return -1;
			}
			continue;
		}
		err_set(e, ge.code, "%s", ge.msg);
		if (e != NULL)
			e->status = ge.status;
		free(ids);
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.name = "values:batchGetByDataFilter";
	t0 = monotime_now();
	r->wf = sheetjson_parse_batchget(reply.body, reply.len, &req, e);
	r->parse_s = monotime_now() - t0;
	reply.body = NULL;
	sheets_reply_fini(&reply);
	free(ids);
	if (r->wf == NULL)
		return -1;
	r->view = sheetjson_view(r->wf);
	r->sheet_reads++;
	return 0;
}

/*
 * sheetread_footer (step render): the audit head and instance id the
 * sheet's summary footer shows.
 */
int
sheetread_footer(struct run *r, struct err *e)
{
	(void)e;
	writer_footer_read(run_view_tab(r->view, r->cfg->rules.summary_tab), r->sheet_head,
	    sizeof(r->sheet_head), r->sheet_inst, sizeof(r->sheet_inst));
	return 0;
}
