/*
 * findings: discrepancy identities and first-seen times (see findings.h).
 * The identity of a finding is "rule|tab|key-or-#row|column"; when two
 * findings of one cycle would share it, the second and later add "@ROW".
 * discrepancy.opened and discrepancy.resolved both carry the identity and
 * the finding's fields (rule, severity, tab, row, key, column; the state
 * keeps them beside the first-seen time); resolved adds the first-seen time
 * (epoch seconds) and its row is where the finding was last seen.  Never
 * logs.
 */
#include "syncd/findings.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/run.h"

static char *
finding_id(const struct rules_finding *f)
{
	char rowbuf[32];
	const char *who;
	size_t n;
	char *s;

	snprintf(rowbuf, sizeof(rowbuf), "#%" PRIu32, f->row);
	who = f->key != NULL ? f->key : rowbuf;
	n = strlen(f->rule) + (f->tab ? strlen(f->tab) : 0) + strlen(who) +
	    (f->column ? strlen(f->column) : 0) + 4 + 32;
	if ((s = malloc(n)) == NULL)
		return NULL;
	snprintf(s, n, "%s|%s|%s|%s", f->rule, f->tab ? f->tab : "", who,
	    f->column ? f->column : "");
	return s;
}

/* Is the old identity id still open under its tab's new title? */
static int
open_after_rename(const struct run *r, const char *id)
{
	time_t dummy;
	size_t i;
	char *id2;
	int open = 0;

	for (i = 0; i < r->changes.n && !open; i++) {
		if (r->changes.c[i].kind != TAB_RENAMED ||
		    (id2 = tabwatch_retab(id, r->changes.c[i].old, r->changes.c[i].now)) == NULL)
			continue;
		open = state_first_seen_get(r->next, id2, &dummy);
		free(id2);
	}
	return open;
}

/* A removed tab's open findings close as "tab_removed", not as fixes. */
static int
on_removed_tab(const struct run *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->changes.n; i++)
		if (r->changes.c[i].kind == TAB_REMOVED &&
		    tabwatch_id_tab(id, r->changes.c[i].old))
			return 1;
	return 0;
}

static int
resolved_keep(const char *id, time_t t, void *ctx)
{
	struct run *r = ctx;
	time_t dummy;
	const char *detail;
	json_t *f, *d;

	if (r->audit_rc != 0 || state_first_seen_get(r->next, id, &dummy) ||
	    open_after_rename(r, id))
		return 1;
	/* The finding's own fields, as discrepancy.opened gave them, so a
	 * reader need not take the id apart (a tab title may hold '|').  A
	 * finding opened before the state kept them has the id only. */
	detail = state_first_seen_detail(run_saved_state(r), id);
	d = detail != NULL ? json_loads(detail, 0, NULL) : NULL;
	f = json_pack("{s:s}", "id", id);
	if (f == NULL || (d != NULL && json_object_update(f, d) == -1) ||
	    json_object_set_new(f, "first_seen", json_integer((json_int_t)t)) == -1 ||
	    /* A removed tab's findings close as tab_removed, not as fixes. */
	    (on_removed_tab(r, id) &&
	    json_object_set_new(f, "reason", json_string("tab_removed")) == -1)) {
		err_set(r->e, ERR_NOMEM, "out of memory");
		if (r->audit_rc == 0)
			r->audit_rc = -1;
	} else
		run_audit_ok(r, audit_append(r->c->audit, "discrepancy.resolved", f, r->e));
	json_decref(d);
	json_decref(f);
	return 1;	/* keep: this only walks the old state */
}

/*
 * finding_detail(f): the fields discrepancy.opened and .resolved carry,
 * as compact JSON (caller frees), or NULL when out of memory.
 */
static char *
finding_detail(const struct rules_finding *f)
{
	json_t *o;
	char *s;

	o = json_pack("{s:s, s:s, s:s?, s:I, s:s?, s:s?}", "rule", f->rule,
	    "severity", f->severity == RULES_ERROR ? "error" : "warning",
	    "tab", f->tab, "row", (json_int_t)f->row, "key", f->key,
	    "column", f->column);
	if (o == NULL)
		return NULL;
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

/* first_seen_saved(r, f, id, t): the saved first-seen of id, also under
 * the old title of a renamed tab. */
static int
first_seen_saved(const struct run *r, const struct rules_finding *f, const char *id,
    time_t *t)
{
	const char *old;
	char *id2;
	int found;

	if (state_first_seen_get(run_saved_state(r), id, t))
		return 1;
	if (f->tab == NULL || (old = tabwatch_renamed_from(&r->changes, f->tab)) == NULL ||
	    (id2 = tabwatch_retab(id, f->tab, old)) == NULL)
		return 0;
	found = state_first_seen_get(run_saved_state(r), id2, t);
	free(id2);
	return found;
}

int
findings_run(struct run *r, struct err *e)
{
	const struct rules_report *rep = &r->report;
	size_t i;

	r->ids = calloc(rep->nfindings + 1, sizeof(*r->ids));
	if (r->ids == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	for (i = 0; i < rep->nfindings; i++) {
		const struct rules_finding *f = &rep->findings[i];
		char *id, *detail;
		time_t t;
		int rc;

		if ((id = finding_id(f)) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			return -1;
		}
		if (state_first_seen_get(r->next, id, &t)) {
			/* Two findings with one identity: tell them apart by row. */
			size_t n = strlen(id) + 32;
			char *id2 = malloc(n);

			if (id2 == NULL) {
				free(id);
				err_set(e, ERR_NOMEM, "out of memory");
				return -1;
			}
			snprintf(id2, n, "%s@%" PRIu32, id, f->row);
			free(id);
			id = id2;
		}
		r->ids[r->nids++] = id;
		if (strlen(id) > STATE_TEXT_MAX) {
			err_set(e, ERR_DATA, "a discrepancy identity longer than %d bytes",
			    STATE_TEXT_MAX);
			return -1;
		}
		if (!first_seen_saved(r, f, id, &t)) {
			t = r->now;
			if (!run_audit_ok(r, audit_append_pack(r->c->audit, e,
			    "discrepancy.opened", "{s:s, s:s, s:s, s:s?, s:I, s:s?, s:s?, s:s}",
			    "id", id, "rule", f->rule,
			    "severity", f->severity == RULES_ERROR ? "error" : "warning",
			    "tab", f->tab, "row", (json_int_t)f->row, "key", f->key,
			    "column", f->column, "message", f->message)))
				return r->audit_rc;
		}
		if (state_first_seen_set(r->next, id, t, e) == -1)
			return -1;
		if ((detail = finding_detail(f)) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			return -1;
		}
		rc = state_first_seen_set_detail(r->next, id, detail, e);
		free(detail);
		if (rc == -1)
			return -1;
	}
	r->e = e;
	/* Only walks: nothing is pruned (resolved_keep keeps all). */
	state_first_seen_prune(run_saved_state(r), resolved_keep, r);
	return r->audit_rc;
}

const char *
findings_first_seen_text(void *ctx, const struct rules_finding *f)
{
	struct run *r = ctx;
	size_t i = (size_t)(f - r->report.findings);
	time_t t;

	if (i >= r->nids || !state_first_seen_get(r->next, r->ids[i], &t))
		return "";
	today_stamp(t, 0, r->fs_buf, sizeof(r->fs_buf));
	return r->fs_buf;
}

