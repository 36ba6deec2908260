/*
 * annotate: notes on district cells, filter views, protections and the
 * chart (see annotate.h).  Notes are matched cell by cell: what should be
 * there (the findings, several on one cell joined under one mark) against
 * what the read found, both sorted by (sheetId, row, column).  Objects are
 * matched by the ids kept in the state against the ids the read found, so a
 * view, protection or chart a person deleted is made again.
 */
#include "syncd/annotate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/catalog.h"
#include "syncd/writer.h"

#define PROTECT_WORDS "syncd เขียนแท็บนี้เอง: สิ่งที่พิมพ์ในแท็บนี้จะถูกเขียนทับในรอบถัดไป"
#define CHART_TITLE "ร้อยละครัวเรือนที่ได้รับการพัฒนา รายอำเภอ"

/* ---- the cells that matter ---- */

/* A cell that should carry a note: the finding i on it. */
struct want {
	int64_t sheet_id;
	uint32_t row, col;
	size_t finding;
};

static int
cell_cmp(int64_t sa, uint32_t ra, uint32_t ca, int64_t sb, uint32_t rb, uint32_t cb)
{
	if (sa != sb)
		return sa < sb ? -1 : 1;
	if (ra != rb)
		return ra < rb ? -1 : 1;
	if (ca != cb)
		return ca < cb ? -1 : 1;
	return 0;
}

static int
want_cmp(const void *a, const void *b)
{
	const struct want *x = a, *y = b;
	int c = cell_cmp(x->sheet_id, x->row, x->col, y->sheet_id, y->row, y->col);

	if (c != 0)
		return c;
	return x->finding < y->finding ? -1 : x->finding > y->finding;
}

static const struct annotate_tab *
find_tab(const struct annotate_in *in, const char *title, const struct annotate_tab **last)
{
	size_t i;

	if (title == NULL)
		return NULL;
	if (*last != NULL && strcmp((*last)->title, title) == 0)
		return *last;
	for (i = 0; i < in->ntabs; i++)
		if (strcmp(in->tabs[i].title, title) == 0)
			return *last = &in->tabs[i];
	return NULL;
}

/* The findings' cells in district tabs, sorted; *n set.  NULL: out of memory. */
static struct want *
wanted(const struct annotate_in *in, size_t *n)
{
	const struct rules_report *r = in->report;
	const struct annotate_tab *last = NULL, *t;
	struct want *w = calloc(r->nfindings + 1, sizeof(*w));
	size_t i, k, nw = 0;

	if (w == NULL)
		return NULL;
	for (i = 0; i < r->nfindings; i++) {
		const struct rules_finding *f = &r->findings[i];

		if (f->row == 0 || in->cols[i] < 0 ||
		    (t = find_tab(in, f->tab, &last)) == NULL || !t->district)
			continue;
		w[nw].sheet_id = t->sheet_id;
		w[nw].row = f->row - 1;
		w[nw].col = (uint32_t)in->cols[i];
		w[nw].finding = i;
		nw++;
	}
	if (nw > 1)
		qsort(w, nw, sizeof(*w), want_cmp);
	/* Past ANNOTATE_MAX_CELLS cells the findings are in the discrepancy
	 * tab only, so the one batchUpdate stays bounded. */
	for (i = 0, k = 0; i < nw; i++) {
		if (i > 0 && cell_cmp(w[i].sheet_id, w[i].row, w[i].col, w[i - 1].sheet_id,
		    w[i - 1].row, w[i - 1].col) != 0)
			k++;
		if (k == ANNOTATE_MAX_CELLS) {
			nw = i;
			break;
		}
	}
	*n = nw;
	return w;
}

/* ---- where findings sit ---- */

int32_t *
annotate_locate(const struct rules_report *r, const struct workbook *wb,
    const struct rules_config *cfg, struct err *e)
{
	uint32_t hrow = cfg->heading_row ? cfg->heading_row : 2;
	int32_t *cols = malloc((r->nfindings + 1) * sizeof(*cols));
	int32_t map[RULES_MAX_FIELDS];
	char names[RULES_MAX_FIELDS][256], conf[RULES_MAX_FIELDS][256];
	const struct workbook_tab *t = NULL;
	size_t i, k, j;

	if (cols == NULL) {
		err_set(e, ERR_NOMEM, "out of memory locating findings");
		return NULL;
	}
	for (i = 0; i < r->nfindings; i++) {
		const struct rules_finding *f = &r->findings[i];

		cols[i] = -1;
		if (f->row == 0 || f->tab == NULL || f->column == NULL)
			continue;
		if (t == NULL || strcmp(t->title, f->tab) != 0) {
			/* A new tab: its mapped columns and their headings. */
			for (t = NULL, j = 0; j < wb->ntabs && t == NULL; j++)
				if (strcmp(wb->tabs[j].title, f->tab) == 0)
					t = &wb->tabs[j];
			if (t == NULL)
				continue;
			rules_map_columns(t, cfg, map);
			for (k = 0; k < cfg->nfields; k++) {
				const struct workbook_cell *c = NULL;

				names[k][0] = conf[k][0] = '\0';
				if (cfg->fields[k].heading != NULL &&
				    rules_heading_normalise(cfg->fields[k].heading,
				    strlen(cfg->fields[k].heading), conf[k], sizeof(conf[k])) < 0)
					conf[k][0] = '\0';
				if (map[k] >= 0 && hrow <= t->nrows &&
				    (uint32_t)map[k] < t->rows[hrow - 1].ncells)
					c = &t->rows[hrow - 1].cells[map[k]];
				if (c != NULL && c->text != NULL &&
				    rules_heading_normalise(c->text, c->len, names[k],
				    sizeof(names[k])) < 0)
					names[k][0] = '\0';
			}
		}
		for (k = 0; k < cfg->nfields; k++)
			if (map[k] >= 0 && ((names[k][0] != '\0' && strcmp(names[k], f->column) == 0) ||
			    (names[k][0] == '\0' && strcmp(conf[k], f->column) == 0))) {
				cols[i] = map[k];
				break;
			}
	}
	return cols;
}

const char *
annotate_link(const struct annotate_in *in, size_t i, const char *spreadsheet_id, char *buf,
    size_t size)
{
	const struct rules_finding *f = &in->report->findings[i];
	const struct annotate_tab *last = NULL, *t = find_tab(in, f->tab, &last);

	buf[0] = '\0';
	if (t == NULL || f->row == 0)
		return buf;
	return writer_cell_url(buf, size, spreadsheet_id, t->sheet_id, f->row,
	    in->cols != NULL && in->cols[i] >= 0 ? in->cols[i] : 0);
}

/* ---- what the tab list read back (syncd/tabnotes) ---- */

void
annotate_seen_fini(struct annotate_seen *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nnotes; i++)
		free(s->notes[i].text);
	free(s->notes);
	free(s->ids);
	free(s->read);
	free(s->charted);
	memset(s, 0, sizeof(*s));
}

/* Room for one more in *v (n used): doubled from 16.  -1: out of memory. */
static int
grow(void **v, size_t n, size_t size)
{
	void *p;

	if (n != 0 && (n < 16 || (n & (n - 1)) != 0))
		return 0;
	if ((p = realloc(*v, (n ? n * 2 : 16) * size)) == NULL)
		return -1;
	*v = p;
	return 0;
}

int
annotate_seen_has(const int64_t *list, size_t n, int64_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == id)
			return 1;
	return 0;
}

int
annotate_seen_add_id(struct annotate_seen *s, int list, int64_t id, struct err *e)
{
	int64_t **v = list == 0 ? &s->ids : list == 1 ? &s->read : &s->charted;
	size_t *n = list == 0 ? &s->nids : list == 1 ? &s->nread : &s->ncharted;

	if (*n == ANNOTATE_MAX_OBJECTS) {
		err_set(e, ERR_DATA, "notes read: more than %d objects or tabs",
		    ANNOTATE_MAX_OBJECTS);
		return -1;
	}
	if (grow((void **)v, *n, sizeof(**v)) == -1) {
		err_set(e, ERR_NOMEM, "out of memory reading notes");
		return -1;
	}
	(*v)[(*n)++] = id;
	return 0;
}

/* A note syncd wrote: its first line is the mark. */
static int
is_ours(const char *text)
{
	size_t n = strlen(WRITER_NOTE_MARK);

	return text != NULL && strncmp(text, WRITER_NOTE_MARK, n) == 0 &&
	    (text[n] == '\n' || text[n] == '\0');
}

int
annotate_seen_add_note(struct annotate_seen *s, int64_t sheet, int64_t row, int64_t col,
    const char *text, struct err *e)
{
	struct annotate_note *n;

	if (row < 0 || col < 0 || row > UINT32_MAX || col > UINT32_MAX) {
		err_set(e, ERR_DATA, "notes read: a cell outside the grid");
		return -1;
	}
	if (s->nnotes == ANNOTATE_MAX_NOTES) {
		err_set(e, ERR_DATA, "notes read: more than %d notes", ANNOTATE_MAX_NOTES);
		return -1;
	}
	if (grow((void **)&s->notes, s->nnotes, sizeof(*s->notes)) == -1)
		goto nomem;
	n = &s->notes[s->nnotes];
	n->text = NULL;
	if (is_ours(text) && (n->text = strdup(text)) == NULL)
		goto nomem;
	n->sheet_id = sheet;
	n->row = (uint32_t)row;
	n->col = (uint32_t)col;
	s->nnotes++;
	return 0;
nomem:
	err_set(e, ERR_NOMEM, "out of memory reading notes");
	return -1;
}

/* ---- notes ---- */

static int
note_cmp(const void *a, const void *b)
{
	const struct annotate_note *x = a, *y = b;

	return cell_cmp(x->sheet_id, x->row, x->col, y->sheet_id, y->row, y->col);
}

/* The note for findings w[0..n) (one cell): the mark once, then each. */
static void
note_for(const struct rules_report *r, const struct want *w, size_t n, char *buf, size_t size)
{
	char one[WRITER_MAX_NOTE];
	size_t i, len;

	writer_note_text(&r->findings[w[0].finding], buf, size);
	for (i = 1; i < n; i++) {
		writer_note_text(&r->findings[w[i].finding], one, sizeof(one));
		len = strlen(buf);
		/* Without its mark line; cut where it no longer fits. */
		if (len + strlen(one) - strlen(WRITER_NOTE_MARK) + 1 < size)
			snprintf(buf + len, size - len, "\n%s", one + strlen(WRITER_NOTE_MARK) + 1);
	}
}

static json_t *
note_request(int64_t sheet, uint32_t row, uint32_t col, const char *text)
{
	json_t *cell = text != NULL ? json_pack("{s:s}", "note", text) : json_object();

	if (cell == NULL)
		return NULL;
	return json_pack("{s:{s:{s:I,s:I,s:I},s:[{s:[o]}],s:s}}", "updateCells", "start",
	    "sheetId", (json_int_t)sheet, "rowIndex", (json_int_t)row,
	    "columnIndex", (json_int_t)col, "rows", "values", cell, "fields", "note");
}

/* Record cell (sheet, row, col) as holding syncd's note. */
static int
noted(struct annotate_plan *p, int64_t sheet, uint32_t row, uint32_t col)
{
	struct state_cell *n;

	if (p->nnoted == 0 || (p->nnoted >= 64 && (p->nnoted & (p->nnoted - 1)) == 0)) {
		n = realloc(p->noted, (p->nnoted ? p->nnoted * 2 : 64) * sizeof(*n));
		if (n == NULL)
			return -1;
		p->noted = n;
	}
	p->noted[p->nnoted].sheet_id = sheet;
	p->noted[p->nnoted].row = row;
	p->noted[p->nnoted].col = col;
	p->nnoted++;
	return 0;
}

static int
plan_notes(const struct annotate_in *in, struct annotate_plan *p, struct err *e)
{
	const struct rules_report *r = in->report;
	struct annotate_note *seen = NULL;
	struct want *w;
	size_t i, nw = 0, a = 0, b = 0, ns = in->seen->nnotes, g;
	char text[WRITER_MAX_NOTE];
	int rc = -1;

	if ((w = wanted(in, &nw)) == NULL ||
	    (ns > 0 && (seen = malloc(ns * sizeof(*seen))) == NULL))
		goto nomem;
	if (ns > 0)
		memcpy(seen, in->seen->notes, ns * sizeof(*seen));
	if (ns > 1)
		qsort(seen, ns, sizeof(*seen), note_cmp);
	while (a < nw || b < ns) {
		int c = a == nw ? 1 : b == ns ? -1 : cell_cmp(w[a].sheet_id, w[a].row, w[a].col,
		    seen[b].sheet_id, seen[b].row, seen[b].col);
		json_t *rq = NULL;

		if (c > 0) {
			/* A note with no finding: ours goes, a person's stays. */
			if (is_ours(seen[b].text)) {
				if ((rq = note_request(seen[b].sheet_id, seen[b].row,
				    seen[b].col, NULL)) == NULL)
					goto nomem;
				p->notes_cleared++;
			}
			b++;
		} else {
			for (g = a; g < nw && cell_cmp(w[g].sheet_id, w[g].row, w[g].col,
			    w[a].sheet_id, w[a].row, w[a].col) == 0; g++)
				;
			note_for(r, &w[a], g - a, text, sizeof(text));
			if (c == 0 && !is_ours(seen[b].text)) {
				for (i = a; i < g; i++)
					p->held[w[i].finding] = 1;
				p->notes_held++;
			} else {
				if ((c != 0 || strcmp(seen[b].text, text) != 0) &&
				    (rq = note_request(w[a].sheet_id, w[a].row, w[a].col,
				    text)) == NULL)
					goto nomem;
				p->notes_set += rq != NULL;
				if (noted(p, w[a].sheet_id, w[a].row, w[a].col) == -1) {
					json_decref(rq);
					goto nomem;
				}
			}
			if (c == 0)
				b++;
			a = g;
		}
		if (rq != NULL && json_array_append_new(p->requests, rq) != 0)
			goto nomem;
	}
	rc = 0;
	goto done;
nomem:
	err_set(e, ERR_NOMEM, "out of memory planning notes");
done:
	free(w);
	free(seen);
	return rc;
}

/* ---- objects ---- */

static int
keep(struct annotate_plan *p, const char *kind, const char *name, int64_t id)
{
	struct state_object *n = realloc(p->keep, (p->nkeep + 1) * sizeof(*n));

	if (n == NULL)
		return -1;
	p->keep = n;
	n[p->nkeep].kind = strdup(kind);
	n[p->nkeep].name = strdup(name);
	n[p->nkeep].id = id;
	if (n[p->nkeep].kind == NULL || n[p->nkeep].name == NULL) {
		free(n[p->nkeep].kind);
		free(n[p->nkeep].name);
		return -1;
	}
	p->nkeep++;
	return 0;
}

/* Append request rq (taken); when kind is set, remember it as an add. */
static int
request(struct annotate_plan *p, json_t *rq, const char *kind, const char *name)
{
	struct annotate_add *n;

	if (rq == NULL || json_array_append_new(p->requests, rq) != 0)
		return -1;
	if (kind == NULL)
		return 0;
	n = realloc(p->adds, (p->nadds + 1) * sizeof(*n));
	if (n == NULL)
		return -1;
	p->adds = n;
	if ((n[p->nadds].name = strdup(name)) == NULL)
		return -1;
	n[p->nadds].kind = kind;
	n[p->nadds].request = json_array_size(p->requests) - 1;
	p->nadds++;
	return 0;
}

static json_t *
view_filter(const struct annotate_in *in, const char *district, json_int_t id)
{
	json_t *f = json_pack("{s:s,s:{s:I,s:i,s:i,s:I},s:[{s:i,s:{s:{s:s,s:[{s:s}]}}}]}",
	    "title", district, "range", "sheetId", (json_int_t)in->disc_id, "startRowIndex", 0,
	    "startColumnIndex", 0, "endColumnIndex", (json_int_t)in->disc_cols,
	    "filterSpecs", "columnIndex", 0, "filterCriteria", "condition", "type", "TEXT_EQ",
	    "values", "userEnteredValue", district);

	if (f != NULL && id >= 0 && json_object_set_new(f, "filterViewId", json_integer(id)) != 0) {
		json_decref(f);
		return NULL;
	}
	return f;
}

static json_t *
chart_spec(const struct annotate_in *in, size_t ndistricts)
{
	json_int_t end = (json_int_t)ndistricts + 1;	/* headings and the districts */

	return json_pack("{s:s,s:{s:s,s:s,s:i,s:[{s:s,s:s},{s:s,s:s}],"
	    "s:[{s:{s:{s:[{s:I,s:i,s:I,s:i,s:i}]}}}],"
	    "s:[{s:{s:{s:[{s:I,s:i,s:I,s:i,s:i}]}},s:s}]}}",
	    "title", CHART_TITLE, "basicChart", "chartType", "COLUMN",
	    "legendPosition", "NO_LEGEND", "headerCount", 1,
	    "axis", "position", "BOTTOM_AXIS", "title", "อำเภอ",
	    "position", "LEFT_AXIS", "title", "ร้อยละ",
	    "domains", "domain", "sourceRange", "sources", "sheetId", (json_int_t)in->summary_id,
	    "startRowIndex", 0, "endRowIndex", end, "startColumnIndex", 0, "endColumnIndex", 1,
	    "series", "series", "sourceRange", "sources", "sheetId", (json_int_t)in->summary_id,
	    "startRowIndex", 0, "endRowIndex", end, "startColumnIndex", in->percent_col,
	    "endColumnIndex", in->percent_col + 1, "targetAxis", "LEFT_AXIS");
}

static int
plan_objects(const struct annotate_in *in, struct annotate_plan *p, struct err *e)
{
	const struct rules_report *r = in->report;
	size_t nd = r->nsummary > 0 ? r->nsummary - 1 : 0, i, k, n;
	const char *own[2] = { in->summary_title, in->disc_title };
	int64_t own_id[2] = { in->summary_id, in->disc_id };
	uint8_t *covered = calloc(nd + 1, 1), prot[2] = { 0, 0 };
	int64_t *spare = NULL;
	size_t nspare = 0;
	int chart = 0;
	char count[32];

	snprintf(count, sizeof(count), "%zu", nd);
	n = state_objects_count(in->old);
	if (covered == NULL || (spare = calloc(n + 1, sizeof(*spare))) == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		const struct state_object *o = state_object(in->old, i);

		if (!annotate_seen_has(in->seen->ids, in->seen->nids, o->id))
			continue;	/* deleted by a person: made again below */
		if (strcmp(o->kind, "protected_range") == 0) {
			for (k = 0; k < 2; k++)
				if (own[k] != NULL && !prot[k] && strcmp(o->name, own[k]) == 0)
					break;
			if (k < 2) {
				prot[k] = 1;
				if (keep(p, o->kind, o->name, o->id) == -1)
					goto nomem;
			}
		} else if (strcmp(o->kind, "filter_view") == 0) {
			for (k = 0; k < nd; k++)
				if (!covered[k] && strcmp(r->summary[k].district, o->name) == 0)
					break;
			if (k < nd) {
				covered[k] = 1;
				if (keep(p, o->kind, o->name, o->id) == -1)
					goto nomem;
			} else
				spare[nspare++] = o->id;	/* its district went */
		} else if (strcmp(o->kind, "chart") == 0 && !chart && in->summary_id >= 0) {
			chart = 1;
			if (strcmp(o->name, count) != 0 && request(p, json_pack("{s:{s:I,s:o}}",
			    "updateChartSpec", "chartId", (json_int_t)o->id, "spec",
			    chart_spec(in, nd)), NULL, NULL) == -1)
				goto nomem;
			if (keep(p, o->kind, count, o->id) == -1)
				goto nomem;
		}
	}
	for (k = 0; k < 2; k++)
		if (!prot[k] && own[k] != NULL && own_id[k] >= 0 &&
		    request(p, json_pack("{s:{s:{s:{s:I},s:s,s:b}}}", "addProtectedRange",
		    "protectedRange", "range", "sheetId", (json_int_t)own_id[k], "description",
		    PROTECT_WORDS, "warningOnly", 1), "protected_range", own[k]) == -1)
			goto nomem;
	if (in->disc_id >= 0)
		for (k = 0; k < nd; k++) {
			const char *d = r->summary[k].district;

			if (covered[k])
				continue;
			if (nspare > 0) {
				/* A district renamed (or replaced): its view follows. */
				int64_t id = spare[--nspare];

				if (request(p, json_pack("{s:{s:o,s:s}}", "updateFilterView",
				    "filter", view_filter(in, d, id), "fields",
				    "title,range,filterSpecs"), NULL, NULL) == -1 ||
				    keep(p, "filter_view", d, id) == -1)
					goto nomem;
			} else if (request(p, json_pack("{s:{s:o}}", "addFilterView", "filter",
			    view_filter(in, d, -1)), "filter_view", d) == -1)
				goto nomem;
		}
	while (nspare > 0)
		if (request(p, json_pack("{s:{s:I}}", "deleteFilterView", "filterId",
		    (json_int_t)spare[--nspare]), NULL, NULL) == -1)
			goto nomem;
	if (!chart && in->summary_id >= 0 && nd > 0 &&
	    request(p, json_pack("{s:{s:{s:o,s:{s:{s:{s:I,s:i,s:I},s:i,s:i}}}}}", "addChart",
	    "chart", "spec", chart_spec(in, nd), "position", "overlayPosition", "anchorCell",
	    "sheetId", (json_int_t)in->summary_id, "rowIndex", 0, "columnIndex",
	    (json_int_t)in->summary_cols + 1, "offsetXPixels", 10, "offsetYPixels", 10),
	    "chart", count) == -1)
		goto nomem;
	free(covered);
	free(spare);
	return 0;
nomem:
	free(covered);
	free(spare);
	err_set(e, ERR_NOMEM, "out of memory planning the views, protections and chart");
	return -1;
}

int
annotate_plan(const struct annotate_in *in, struct annotate_plan *p, struct err *e)
{
	memset(p, 0, sizeof(*p));
	p->requests = json_array();
	p->held = calloc(in->report->nfindings + 1, 1);
	if (p->requests == NULL || p->held == NULL) {
		annotate_plan_fini(p);
		err_set(e, ERR_NOMEM, "out of memory planning notes");
		return -1;
	}
	if (plan_notes(in, p, e) == -1 || plan_objects(in, p, e) == -1) {
		annotate_plan_fini(p);
		return -1;
	}
	return 0;
}

void
annotate_plan_fini(struct annotate_plan *p)
{
	size_t i;

	if (p == NULL)
		return;
	json_decref(p->requests);
	free(p->held);
	for (i = 0; i < p->nadds; i++)
		free(p->adds[i].name);
	free(p->adds);
	for (i = 0; i < p->nkeep; i++) {
		free(p->keep[i].kind);
		free(p->keep[i].name);
	}
	free(p->keep);
	free(p->noted);
	memset(p, 0, sizeof(*p));
}

int
annotate_commit(const struct annotate_plan *p, const char *reply, size_t len, size_t base,
    struct state *s, struct err *e)
{
	json_t *doc = NULL, *replies;
	json_error_t je;
	size_t i;
	int rc = -1;

	state_noted_clear(s);
	for (i = 0; i < p->nnoted; i++)
		if (state_noted_add(s, p->noted[i].sheet_id, p->noted[i].row, p->noted[i].col,
		    e) == -1)
			return -1;
	state_objects_clear(s);
	for (i = 0; i < p->nkeep; i++)
		if (state_objects_add(s, p->keep[i].kind, p->keep[i].name, p->keep[i].id, e) == -1)
			return -1;
	if (p->nadds == 0)
		return 0;
	doc = json_loadb(reply != NULL ? reply : "", len, 0, &je);
	replies = json_object_get(doc, "replies");
	for (i = 0; i < p->nadds; i++) {
		const struct annotate_add *a = &p->adds[i];
		json_t *rp = json_array_get(replies, base + a->request), *id;

		if (strcmp(a->kind, "filter_view") == 0)
			id = json_object_get(json_object_get(json_object_get(rp, "addFilterView"),
			    "filter"), "filterViewId");
		else if (strcmp(a->kind, "protected_range") == 0)
			id = json_object_get(json_object_get(json_object_get(rp,
			    "addProtectedRange"), "protectedRange"), "protectedRangeId");
		else
			id = json_object_get(json_object_get(json_object_get(rp, "addChart"),
			    "chart"), "chartId");
		/* Without an id it cannot be kept: the next changed cycle
		 * adds it again (and a stray copy may stay). */
		if (json_is_integer(id) && state_objects_add(s, a->kind, a->name,
		    (int64_t)json_integer_value(id), e) == -1)
			goto done;
	}
	rc = 0;
done:
	json_decref(doc);
	return rc;
}

int
annotate_keep_old(const struct state *old, struct state *s, struct err *e)
{
	size_t i;

	state_objects_clear(s);
	for (i = 0; old != NULL && i < state_objects_count(old); i++) {
		const struct state_object *o = state_object(old, i);

		if (state_objects_add(s, o->kind, o->name, o->id, e) == -1)
			return -1;
	}
	state_noted_clear(s);
	for (i = 0; old != NULL && i < state_noted_count(old); i++) {
		const struct state_cell *c = state_noted(old, i);

		if (state_noted_add(s, c->sheet_id, c->row, c->col, e) == -1)
			return -1;
	}
	return 0;
}
