/*
 * publish: rendering and publishing our two tabs (see publish.h).
 *
 * Memory decides the order (100,000 households: a ~56 MB workbook): our
 * tabs are compared with the sheet's right after the evaluation, while the
 * workbook is here, the discrepancy tab in slices of PUBLISH_SLICE
 * findings with the first-seen column set aside (its times are known only
 * after the findings step); so the workbook can be freed before the rest
 * is built.  The write request is built as text.  Never logs; never writes
 * a district tab.
 */
#include "syncd/publish.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "syncd/findings.h"
#include "syncd/once.h"
#include "syncd/report.h"
#include "syncd/run.h"
#include "syncd/sha256.h"

#define PUBLISH_SLICE	1024	/* findings rendered at once for the early comparison */

/* SHA-256 of the grids' compared (non-volatile) values. */
static void
grids_hash(const struct writer_grid *a, const struct writer_grid *b, char out[65])
{
	const struct writer_grid *g[2] = { a, b };
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char d[32];
	unsigned int dlen = 0;
	char num[64];
	size_t k, i;
	int ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;

	for (k = 0; k < 2 && ok; k++) {
		for (i = 0; i < g[k]->nrows * g[k]->ncols && ok; i++) {
			const struct writer_cell *w = &g[k]->cells[i];

			if (w->volatile_ || w->type == WRITER_EMPTY)
				ok = EVP_DigestUpdate(md, "\0", 1) == 1;
			else if (w->type == WRITER_TEXT)
				ok = EVP_DigestUpdate(md, "t", 1) == 1 &&
				    EVP_DigestUpdate(md, w->text, strlen(w->text) + 1) == 1;
			else {
				snprintf(num, sizeof(num), "n%.17g", w->number);
				ok = EVP_DigestUpdate(md, num, strlen(num) + 1) == 1;
			}
		}
		ok = ok && EVP_DigestUpdate(md, "\n", 1) == 1;
	}
	if (ok && EVP_DigestFinal_ex(md, d, &dlen) == 1 && dlen == 32)
		sha256_to_hex(d, out);
	else
		snprintf(out, 65, "unknown");
	EVP_MD_CTX_free(md);
}

int
publish_summary(struct run *r, const char *head, struct err *e)
{
	struct writer_footer ft;
	char updated[64];

	memset(&ft, 0, sizeof(ft));
	today_stamp(r->now, 1, updated, sizeof(updated));
	ft.updated = updated;
	ft.audit_head = head;
	writer_grid_fini(&r->sum);
	return writer_summary(&r->report, &r->cfg->rules, &ft, &r->sum, e);
}

/*
 * The early comparison of the discrepancy tab (before the first-seen times
 * are known): the first-seen callback gives the sheet's own cell back when
 * it could equal one of ours (a short text), and keeps it in fs_sheet, so
 * that only that column is left to compare (fs_column_matches).  Anything
 * else gives "", which can only match an empty cell, as ours would.
 */
static const char *
sheet_first_seen(void *ctx, const struct rules_finding *f)
{
	const struct run *r = ctx;
	size_t i = (size_t)(f - r->report.findings);
	const struct workbook_tab *t = run_view_tab(r->view, r->cfg->rules.discrepancy_tab);
	const struct workbook_cell *cl;
	char *out = r->fs_sheet[i];

	out[0] = '\0';
	if (r->fs_col < 0 || t == NULL || 1 + i >= t->nrows ||
	    (uint32_t)r->fs_col >= t->rows[1 + i].ncells)
		return out;
	cl = &t->rows[1 + i].cells[r->fs_col];
	if (cl->type == WORKBOOK_STRING && cl->len > 0 && cl->len < RUN_FS_MAX &&
	    memchr(cl->text, '\0', cl->len) == NULL) {
		memcpy(out, cl->text, cl->len);
		out[cl->len] = '\0';
	}
	return out;
}

/* The link of finding f's row number: its cell in its district tab. */
static const char *
link_text(void *ctx, const struct rules_finding *f)
{
	struct run *r = ctx;

	return annotate_link(&r->ain, (size_t)(f - r->report.findings),
	    r->cfg->spreadsheet_id, r->link, sizeof(r->link));
}

static const char *
fs_probe(void *ctx, const struct rules_finding *f)
{
	(void)ctx;
	(void)f;
	return "\x7f" "first seen" "\x7f";
}

/* find_fs_col(r, e): which column writer_discrepancies gives the first-seen
 * time (-1: none). */
static int
find_fs_col(struct run *r, struct err *e)
{
	struct rules_report one = r->report;
	struct writer_grid g;
	size_t c;

	r->fs_col = -1;
	if (r->report.nfindings == 0)
		return 0;
	one.nfindings = 1;
	if (writer_discrepancies(&one, fs_probe, NULL, &g, e) == -1)
		return -1;
	for (c = 0; c < g.ncols && g.nrows > 1; c++)
		if (g.cells[g.ncols + c].type == WRITER_TEXT &&
		    strcmp(g.cells[g.ncols + c].text, fs_probe(NULL, NULL)) == 0)
			r->fs_col = (int)c;
	writer_grid_fini(&g);
	return 0;
}

/*
 * slice_matches(r, t, off, k, e): do findings [off, off + k) (none: the rows
 * past the last finding, from sheet row off + 1 on) match the sheet's
 * discrepancy tab t?  The tab is cut the same way: its heading row, then
 * the rows of the slice.  Returns 1, 0, or -1 with e set.
 */
static int
slice_matches(struct run *r, const struct workbook_tab *t, size_t off, size_t k, struct err *e)
{
	static const struct workbook_row none;
	struct rules_report sub = r->report;
	struct writer_grid g;
	struct workbook_row rows[PUBLISH_SLICE + 1];
	struct workbook_tab cut;
	size_t j, n = k;
	int ok;

	sub.findings = r->report.findings + off;
	sub.nfindings = k;
	{
		struct writer_disc_opts o = { sheet_first_seen, NULL, NULL, r };

		if (writer_discrepancies_with(&sub, &o, &g, e) == -1)
			return -1;
	}
	if (k == 0)	/* past the findings: up to PUBLISH_SLICE sheet rows */
		n = t->nrows > 1 + off ? t->nrows - 1 - off : 0;
	if (n > PUBLISH_SLICE)
		n = PUBLISH_SLICE;
	rows[0] = t->nrows > 0 ? t->rows[0] : none;
	for (j = 0; j < n; j++)
		rows[1 + j] = 1 + off + j < t->nrows ? t->rows[1 + off + j] : none;
	cut = *t;
	cut.rows = rows;
	cut.nrows = (uint32_t)(1 + n);
	ok = writer_grid_matches(&g, &cut);
	writer_grid_fini(&g);
	return ok;
}

/*
 * publish_compare(r, e): compare our two tabs with the sheet's while the
 * workbook is here: the summary whole (it does not depend on the state),
 * the discrepancy tab a slice at a time, its first-seen column set aside
 * (fs_column_matches finishes it).  Sets r->mismatch.  Returns 0, or -1
 * with e set.
 */
int
publish_compare(struct run *r, struct err *e)
{
	const struct rules_config *rc = &r->cfg->rules;
	const struct workbook_tab *t = run_view_tab(r->view, rc->discrepancy_tab);
	size_t n = r->report.nfindings, off;
	int ok = 1;

	if (publish_summary(r, "", e) == -1)
		return -1;
	if (!writer_grid_matches(&r->sum, run_view_tab(r->view, rc->summary_tab)) || t == NULL) {
		r->mismatch = 1;
		return 0;
	}
	if ((r->fs_sheet = calloc(n + 1, sizeof(*r->fs_sheet))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	if (find_fs_col(r, e) == -1)
		return -1;
	for (off = 0; off < n && ok == 1; off += PUBLISH_SLICE)
		ok = slice_matches(r, t, off, n - off < PUBLISH_SLICE ? n - off : PUBLISH_SLICE, e);
	for (off = n; off + 1 < t->nrows && ok == 1; off += PUBLISH_SLICE)
		ok = slice_matches(r, t, off, 0, e);
	if (ok == -1)
		return -1;
	r->mismatch = !ok;
	return 0;
}

/* fs_column_matches(r): the first-seen column set aside by publish_compare. */
static int
fs_column_matches(struct run *r)
{
	size_t i;

	if (r->mismatch)
		return 0;
	if (r->fs_col < 0)
		return 1;
	for (i = 0; i < r->report.nfindings; i++)
		if (strcmp(findings_first_seen_text(r, &r->report.findings[i]), r->fs_sheet[i]) != 0)
			return 0;
	return 1;
}

static const char *
ledger_file(const struct config *cfg, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", cfg->state_dir, OVERTIME_LEDGER);
	return buf;
}

/*
 * publish_overtime(r, e): while the workbook is here, the reports over time
 * (syncd/overtime): today's history row (read from the history tab itself,
 * so never twice a day), its chart when the tab has none, today's snapshot
 * when today is a snapshot day and the ledger has none, and the month's
 * e-mail prepared when it is due.  Returns 0, or -1 with e set.
 */
int
publish_overtime(struct run *r, struct err *e)
{
	const struct config *cfg = r->cfg;
	const struct sheets_tab *st;
	struct once_entry ent;
	char taken[64], key[64], path[4096];
	struct err me;

	today_stamp(r->now, 0, taken, sizeof(taken));
	snprintf(taken + strlen(taken), sizeof(taken) - strlen(taken), " (Asia/Bangkok)");
	if (cfg->history_tab[0] != '\0') {
		st = tabcache_find(&r->c->tabs, cfg->history_tab);
		if (overtime_history_grid(&r->report, &cfg->rules, r->today,
		    run_view_tab(r->view, cfg->history_tab), &r->hist, &r->hist_write, e) == -1)
			return -1;
		/* The chart: added with a new tab; else looked for on the
		 * day's row, in the tab list when it read our tabs' objects,
		 * else in a read of its own when the cycle has one to spare
		 * (2 at most). */
		if (st == NULL)
			r->hist_chart = 1;
		else if (r->hist_write && r->hist_seen)
			r->hist_chart = !r->hist_has;
		else if (r->hist_write && r->sheet_reads < 2) {
			int has = 0;

			if (sheets_has_chart(r->c->ss.sheets, st->sheet_id, &has, e) == -1)
				return -1;
			r->sheet_reads++;
			r->hist_chart = !has;
		}
		r->hist_write |= r->hist_chart;
	}
	if (overtime_snapshot_day(cfg, r->today)) {
		today_format(r->today, key + 9, sizeof(key) - 9);
		memcpy(key, "snapshot ", 9);
		overtime_snapshot_title(r->today, r->snap_title, sizeof(r->snap_title));
		if (once_get(ledger_file(cfg, path, sizeof(path)), key, &ent, e) == -1)
			return -1;
		if (ent.status != ONCE_DONE && tabcache_find(&r->c->tabs, r->snap_title) != NULL) {
			/* Written by an earlier cycle that stopped before noting it. */
			ent.status = ONCE_DONE;
			if (once_set(path, key, &ent, e) == -1)
				return -1;
		}
		if (ent.status != ONCE_DONE) {
			if (overtime_snapshot_grid(&r->report, &cfg->rules, taken, &r->snap,
			    r->snap_sha, e) == -1)
				return -1;
			r->snap_write = 1;
		}
	}
	/* The e-mail's attachment and body, from the data as read now.  A
	 * failure here is the e-mail's, not the cycle's: it is recorded and
	 * the next reading cycle prepares it again. */
	err_init(&me);
	if (overtime_mail_prepare(cfg, r->view, &r->report, r->today, taken, &me) == -1) {
		char month[16];

		(void)overtime_mail_month(cfg, r->today, month);
		if (audit_append_pack(r->c->audit, e, "mail.failed", "{s:s, s:i, s:b, s:s}",
		    "month", month, "tries", 0, "retry", 1, "error", me.msg) != 0)
			return -1;
	}
	return 0;
}

/* snapshot_noted(r, e): today's snapshot is in the sheet: never again. */
static int
snapshot_noted(struct run *r, struct err *e)
{
	struct once_entry ent = { ONCE_DONE, 1 };
	char key[64], path[4096];

	memcpy(key, "snapshot ", 9);
	today_format(r->today, key + 9, sizeof(key) - 9);
	return once_set(ledger_file(r->cfg, path, sizeof(path)), key, &ent, e);
}

/* pick_id(r, tg, n, title): a new sheetId used by no tab and no target. */
static int64_t
pick_id(const struct run *r, const struct writer_target *tg, size_t n, const char *title)
{
	int64_t id = tabcache_new_sheet_id(&r->c->tabs, title, -1);
	size_t i;

	for (i = 0; i < n; i++)
		if (tg[i].sheet_id == id) {
			id = tabcache_new_sheet_id(&r->c->tabs, title, id);
			i = (size_t)-1;	/* look again from the first */
		}
	return id;
}

/*
 * write_targets(r, tg, hist_id, e): the tabs this write sends, in tg (at
 * most 4): the summary and discrepancy tabs, the history tab when its row
 * is due, today's snapshot unless its tab exists (then it was written: the
 * ledger is told so).  A tab missing from the list gets a new sheetId.
 * Returns how many, or -1 with e set.
 */
static int
write_targets(struct run *r, struct writer_target tg[4], int64_t *hist_id, struct err *e)
{
	const struct rules_config *rc = &r->cfg->rules;
	const struct sheets_tab *st = tabcache_find(&r->c->tabs, rc->summary_tab);
	const struct sheets_tab *dt = tabcache_find(&r->c->tabs, rc->discrepancy_tab);
	int n = 2;

	memset(tg, 0, 4 * sizeof(*tg));
	tg[0].title = rc->summary_tab;
	tg[0].grid = &r->sum;
	tg[0].exists = st != NULL;
	tg[0].sheet_id = st != NULL ? st->sheet_id : tabcache_new_sheet_id(&r->c->tabs, rc->summary_tab, -1);
	tg[1].title = rc->discrepancy_tab;
	tg[1].grid = &r->disc;
	tg[1].exists = dt != NULL;
	tg[1].sheet_id = dt != NULL ? dt->sheet_id :
	    tabcache_new_sheet_id(&r->c->tabs, rc->discrepancy_tab, tg[0].sheet_id);
	*hist_id = -1;
	if (r->hist_write) {
		const struct sheets_tab *ht = tabcache_find(&r->c->tabs, r->cfg->history_tab);

		tg[n].title = r->cfg->history_tab;
		tg[n].grid = &r->hist;
		tg[n].exists = ht != NULL;
		tg[n].sheet_id = ht != NULL ? ht->sheet_id : pick_id(r, tg, (size_t)n, r->cfg->history_tab);
		*hist_id = tg[n].sheet_id;
		n++;
	}
	/* A snapshot is never rewritten: if its tab exists now, it was
	 * written (the ledger is told so) and stays as it is. */
	if (r->snap_write && tabcache_find(&r->c->tabs, r->snap_title) != NULL) {
		r->snap_write = 0;
		if (snapshot_noted(r, e) == -1)
			return -1;
	}
	if (r->snap_write) {
		tg[n].title = r->snap_title;
		tg[n].grid = &r->snap;
		tg[n].exists = 0;
		tg[n].sheet_id = pick_id(r, tg, (size_t)n, r->snap_title);
		n++;
	}
	return n;
}

/*
 * write_body(r, tg, n, hist_id, with_plan, e): the batchUpdate's body as
 * text (a tree of the discrepancy tab would be ~90 MB at 100,000
 * households): the tabs, then, with_plan, the notes, views, protections
 * and chart of the annotate plan, then the history chart when it is due.
 * Returns it (owned) or NULL with e set.
 */
static char *
write_body(struct run *r, const struct writer_target *tg, size_t n, int64_t hist_id,
    int with_plan, struct err *e)
{
	char *body;
	json_t *more, *ch;

	if ((body = writer_request_text(tg, n, NULL, e)) == NULL)
		return NULL;
	if (with_plan && (body = writer_request_append(body, NULL, r->plan.requests, e)) == NULL)
		return NULL;
	if (!(r->hist_write && r->hist_chart))
		return body;
	ch = overtime_history_chart(hist_id, "ร้อยละครัวเรือนที่ได้รับการพัฒนา");
	more = json_array();
	if (more == NULL || ch == NULL || json_array_append_new(more, ch) != 0) {
		if (more == NULL)
			json_decref(ch);
		json_decref(more);
		free(body);
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	body = writer_request_append(body, NULL, more, e);
	json_decref(more);
	return body;
}

/*
 * write_tabs(r, e): ONE batchUpdate of our tabs, adding the missing ones,
 * with the annotate plan's requests when the tabs keep the sheetIds the
 * plan assumed.  One retry, after listing the tabs again, when a write that
 * adds a tab failed in a way that may have added it (5xx, transport) or
 * found it added by someone else (400); a retry sends the tabs alone.
 */
static int
write_tabs(struct run *r, struct err *e)
{
	struct writer_target tg[4];
	struct sheets_reply reply;
	int attempt, adds, rv, sent_plan, n, i;
	int64_t hist_id;
	char *body;
	struct err we;

	for (attempt = 0;; attempt++) {
		if ((n = write_targets(r, tg, &hist_id, e)) == -1)
			return -1;
		for (adds = 0, i = 0; i < n; i++)
			adds |= !tg[i].exists;
		sent_plan = r->annotating && attempt == 0 && tg[0].sheet_id == r->ain.summary_id &&
		    tg[1].sheet_id == r->ain.disc_id;
		if ((body = write_body(r, tg, (size_t)n, hist_id, sent_plan, e)) == NULL)
			return -1;
		if (r->hist_write && r->hist_chart)
			adds = 1;	/* an addChart is not idempotent either */
		err_init(&we);
		/* Fixed ranges: idempotent, unless it adds a tab. */
		rv = sheets_batch_update_text(r->c->ss.sheets, body,
		    adds || sent_plan ? 0 : SHEETS_IDEMPOTENT, &reply, &we);
		free(body);
		if (rv == 0 && sent_plan &&
		    annotate_commit(&r->plan, reply.body, reply.len, 2 * (size_t)n, r->next, e) == -1) {
			sheets_reply_fini(&reply);
			return -1;
		}
		sheets_reply_fini(&reply);
		if (rv == 0)
			break;
		if (adds && attempt == 0 && (we.code == ERR_HTTP ||
		    (we.code == ERR_API && (we.status >= 500 || we.status == 400)))) {
			if (run_discover(r, e) == -1)
				return -1;
			continue;
		}
		err_set(e, we.code, "%s", we.msg);
		if (e != NULL)
			e->status = we.status;
		return -1;
	}
	/* Tabs we added are in the sheet now, with the sheetIds we chose. */
	for (i = 0; i < n; i++)
		if (!tg[i].exists && tabcache_add(&r->c->tabs, tg[i].title, tg[i].sheet_id) == -1)
			r->c->tabs.valid = 0;	/* out of memory: read the list next time */
	if (r->snap_write && snapshot_noted(r, e) == -1)
		return -1;
	return 0;
}

int
publish_render(struct run *r, struct err *e)
{
	const struct rules_summary *tot;
	struct cycle_result *res = r->res;

	struct writer_disc_opts o = { findings_first_seen_text, r->linking ? link_text : NULL,
	    NULL, r };

	if (writer_discrepancies_with(&r->report, &o, &r->disc, e) == -1)
		return -1;
	r->need_write = !fs_column_matches(r) || r->hist_write || r->snap_write ||
	    (r->annotating && json_array_size(r->plan.requests) > 0);
	grids_hash(&r->sum, &r->disc, r->hash);
	tot = r->report.nsummary > 0 ? &r->report.summary[r->report.nsummary - 1] : NULL;
	res->households = tot != NULL ? tot->households : 0;
	res->errors = (long)report_count(&r->report, RULES_ERROR);
	res->warnings = (long)report_count(&r->report, RULES_WARNING);
	return 0;
}

int
publish_write(struct run *r, struct err *e)
{
	char head[96], hhash[SHA256_HEX_SIZE];
	uint64_t seq;

	if (!r->need_write)
		return 0;
	audit_head(r->c->audit, &seq, hhash);
	snprintf(head, sizeof(head), "%" PRIu64 ":%s", seq, hhash);
	if (publish_summary(r, head, e) == -1 || write_tabs(r, e) == -1)
		return -1;
	r->res->wrote = 1;
	return state_set_published_head(r->next, head, e);
}
