/*
 * runstate: the saved state across a cycle (see runstate.h).  Between
 * cycles only a light copy is held (version, basis, tab list, objects,
 * noted cells; not the first-seen table, ~2 MB at 100,000 households); a
 * cycle that reads loads state.json again once the workbook is freed, and
 * saves the next state atomically (cells.dat, then state.json).  Never
 * logs (api.error for a state that cannot be made durable excepted, through
 * the cycle's audit log), never talks to Google.
 */
#include "syncd/runstate.h"

#include <malloc.h>
#include <string.h>

#include "syncd/run.h"
#include "syncd/sheetedits.h"

/*
 * state_light(s, e): what a cycle needs of s before it reads the sheet (the
 * Drive version, the basis, the counter, the tab list, the rendered hash),
 * without the first-seen table: held between cycles.  A state without
 * first-seen times is light already: returned as is (then s is taken).
 * Returns NULL with e set when out of memory; s is then left to the caller.
 */
static struct state *
state_light(struct state *s, struct err *e)
{
	struct state *l;
	size_t i;

	if (state_first_seen_count(s) == 0)
		return s;
	if ((l = state_new()) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	state_set_cycle(l, state_cycle(s));
	if (state_set_version(l, state_version(s), e) == -1 ||
	    state_set_basis(l, state_basis(s), e) == -1 ||
	    state_set_rendered_hash(l, state_rendered_hash(s), e) == -1 ||
	    state_copy_sheet_edits(l, s, e) == -1)
		goto fail;
	for (i = 0; i < state_sheets_count(s); i++) {
		const struct state_sheet *sh = state_sheet(s, i);

		if (state_sheets_add(l, sh->title, sh->sheet_id, sh->index, e) == -1)
			goto fail;
		state_sheet_set_households(l, i, sh->households);
	}
	for (i = 0; i < state_objects_count(s); i++) {
		const struct state_object *o = state_object(s, i);

		if (state_objects_add(l, o->kind, o->name, o->id, e) == -1)
			goto fail;
	}
	for (i = 0; i < state_noted_count(s); i++) {
		const struct state_cell *nc = state_noted(s, i);

		if (state_noted_add(l, nc->sheet_id, nc->row, nc->col, e) == -1)
			goto fail;
	}
	state_free(s);
	return l;
fail:
	state_free(l);
	return NULL;
}

/* runstate_keep: see runstate.h. */
void
runstate_keep(struct cycle *c, struct state *s)
{
	struct state *l;
	struct err e;

	err_init(&e);
	state_free(c->state);
	/* Out of memory for the light copy: keep the whole one. */
	c->state = (l = state_light(s, &e)) != NULL ? l : s;
	c->state_light = c->state != s;
	malloc_trim(0);		/* the first-seen table's pages */
}

/*
 * runstate_save (step state): the cells file and state.json, atomically;
 * c->state from now on.
 */
int
runstate_save(struct run *r, struct err *e)
{
	struct state *next = r->next;

	/* In a conflict the version is not kept: read again next cycle. */
	if (state_set_version(next, r->conflict ? NULL : r->version, e) == -1 ||
	    state_set_basis(next, r->basis, e) == -1 ||
	    state_set_rendered_hash(next, r->hash, e) == -1 ||
	    tabcache_to_state(&r->c->tabs, next, e) == -1)
		return -1;
	sheetedits_households(r);
	state_set_cycle(next, r->c->cycle_no);
	if (cellfile_commit(r->cf, e) == -1 || state_save(next, r->cfg->state_dir, e) == -1) {
		/*
		 * The state could not be made durable (a failed fsync, a full
		 * disk).  After a failed fsync the kernel may have dropped the
		 * data and a later fsync may lie (fsyncgate), so carrying on
		 * from a state the disk may not hold is not safe: record it,
		 * exit, and the restart starts again from the state on disk.
		 */
		if (e->code == ERR_IO) {
			(void)run_audit_failure(r->c, r->step, e);
			r->fatal_logged = 1;
			err_fatal(e, e->code, "%s", e->msg);
		}
		return -1;
	}
	runstate_keep(r->c, next);
	r->next = NULL;
	return 0;
}

/*
 * runstate_drop (step state): the sheet's values are no longer needed once
 * the cells are diffed and our tabs compared: free them before the saved
 * first-seen table is loaded and the rest is built (the report owns its
 * strings).
 */
int
runstate_drop(struct run *r, struct err *e)
{
	sheetjson_free(r->wf);
	r->wf = NULL;
	r->view = &r->empty;
	malloc_trim(0);
	if (r->c->state_light && (r->old = state_load(r->cfg->state_dir, e)) == NULL)
		return -1;
	return 0;
}

/* runstate_save_cleared: see runstate.h. */
void
runstate_save_cleared(struct run *r)
{
	struct cycle *c = r->c;
	struct err se;

	err_init(&se);
	state_set_cycle(r->next, c->cycle_no);
	/* A refused write may mean a stale tab list: discover it again. */
	if (strcmp(r->step, "write") == 0)
		c->tabs.valid = 0;
	if (tabcache_to_state(&c->tabs, r->next, &se) == 0 &&
	    state_set_version(r->next, NULL, &se) == 0 &&
	    (r->cf == NULL || cellfile_commit(r->cf, &se) == 0) &&
	    state_save(r->next, r->cfg->state_dir, &se) == 0) {
		runstate_keep(c, r->next);
		r->next = NULL;
	}
}
