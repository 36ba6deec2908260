/*
 * xlsx: the Department's file, written with libxlsxwriter (see xlsx.h for
 * the contract).  It only reads the workbook and the report it is given; it
 * never logs, never exits, and leaves nothing behind on failure.
 *
 * Choices worth knowing:
 *   - Data as typed: a string cell stays a string (a house code typed as
 *     text keeps its leading zeros), a number stays a number (whole numbers
 *     shown without decimals), a boolean stays a boolean.  Only the activity
 *     date column is converted, when its cell parses as a date by DOMAIN.md's
 *     rules; then it is an Excel date shown yyyy-mm-dd.
 *   - A finding's cell is the cell of its row and its column (the column is
 *     matched by normalised heading); findings without a row or a column are
 *     listed on the discrepancy sheet only.  An error wins over a warning.
 *   - libxlsxwriter writes the file at workbook_close; it goes to
 *     "OUT.tmp.XXXXXX" beside OUT and is renamed over it, so "cannot create"
 *     is known (and named) before any work, and a failure leaves OUT as it was.
 */
#include "syncd/xlsx.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "syncd/fsutil.h"
#include "syncd/textwidth.h"
#include "syncd/writer.h"

#define XLSX_NAME_MAX	128	/* bytes of a sheet name (31 characters) */
#define XLSX_HEAD_MAX	1024	/* bytes of a normalised heading */

enum mark { MARK_NONE = 0, MARK_WARNING, MARK_ERROR, MARK_N };
enum kind { KIND_PLAIN = 0, KIND_HEAD, KIND_DATE, KIND_INT, KIND_N };

struct xw {
	lxw_workbook *wb;
	lxw_format *fmt[KIND_N][MARK_N];
	lxw_format *bold, *bold_pct, *pct, *taken;
	char (*names)[XLSX_NAME_MAX];	/* owned: sheet names used so far */
	size_t nnames;
};

int
xlsx_sheet_name(const char *title, char *out, size_t outsize)
{
	size_t n = 0, chars = 0;
	const unsigned char *p = (const unsigned char *)title;

	while (*p != '\0' && chars < 31) {
		size_t len = 1;

		if (*p >= 0xf0)
			len = 4;
		else if (*p >= 0xe0)
			len = 3;
		else if (*p >= 0xc0)
			len = 2;
		if (n + len + 1 > outsize)
			return -1;
		if (len == 1 && strchr("[]:*?/\\", *p) != NULL)
			out[n++] = '_';
		else {
			size_t k;

			for (k = 0; k < len && p[k] != '\0'; k++)
				out[n++] = (char)p[k];
			len = k;
		}
		p += len;
		chars++;
	}
	if (outsize == 0)
		return -1;
	out[n] = '\0';
	if (n > 0 && out[0] == '\'')
		out[0] = '_';
	if (n > 0 && out[n - 1] == '\'')
		out[n - 1] = '_';
	if (n == 0) {
		if (outsize < 6)
			return -1;
		memcpy(out, "sheet", 6);
	}
	return 0;
}

/* add_sheet(x, title, e): a new worksheet under a valid, unused name. */
static lxw_worksheet *
add_sheet(struct xw *x, const char *title, struct err *e)
{
	char name[XLSX_NAME_MAX], base[XLSX_NAME_MAX];
	size_t i;
	int k, used;
	void *p;
	lxw_worksheet *ws;

	if (xlsx_sheet_name(title, base, sizeof(base)) == -1) {
		err_set(e, ERR_DATA, "tab \"%s\": no sheet name fits", title);
		return NULL;
	}
	memcpy(name, base, sizeof(name));
	for (k = 2;; k++) {
		used = 0;
		for (i = 0; i < x->nnames && !used; i++)
			used = strcasecmp(x->names[i], name) == 0;
		if (!used && workbook_validate_sheet_name(x->wb, name) == LXW_NO_ERROR)
			break;
		if (k > 999) {
			err_set(e, ERR_DATA, "tab \"%s\": no unused sheet name", title);
			return NULL;
		}
		/* "name (k)" within 31 characters (Excel counts characters,
		 * not display width: a Thai vowel or tone mark above or below
		 * its consonant is one more): cut the base to 31 less the
		 * suffix's length, at a character's start. */
		{
			char tmp[XLSX_NAME_MAX], suffix[16];
			size_t cut = 0, chars = 0;
			int slen = snprintf(suffix, sizeof(suffix), " (%d)", k);

			while (base[cut] != '\0' && chars < (size_t)(31 - slen)) {
				cut++;
				while (((unsigned char)base[cut] & 0xc0) == 0x80)
					cut++;
				chars++;
			}
			snprintf(tmp, sizeof(tmp), "%.*s%s", (int)cut, base, suffix);
			memcpy(name, tmp, sizeof(name));
		}
	}
	if ((p = realloc(x->names, (x->nnames + 1) * sizeof(*x->names))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	x->names = p;
	memcpy(x->names[x->nnames++], name, sizeof(name));
	if ((ws = workbook_add_worksheet(x->wb, name)) == NULL)
		err_set(e, ERR_DATA, "tab \"%s\": cannot add the sheet \"%s\"", title, name);
	return ws;
}

static lxw_format *
new_format(struct xw *x, enum kind k, enum mark m)
{
	lxw_format *f = workbook_add_format(x->wb);

	if (f == NULL)
		return NULL;
	switch (k) {
	case KIND_HEAD:
		format_set_bold(f);
		format_set_text_wrap(f);
		format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
		format_set_bg_color(f, 0xDDEBF7);
		break;
	case KIND_DATE:
		format_set_num_format(f, "yyyy-mm-dd");
		break;
	case KIND_INT:
		format_set_num_format(f, "0");
		break;
	default:
		break;
	}
	if (m == MARK_ERROR)
		format_set_bg_color(f, 0xFFC7CE);
	else if (m == MARK_WARNING)
		format_set_bg_color(f, 0xFFEB9C);
	return f;
}

static int
formats_init(struct xw *x, struct err *e)
{
	int k, m;

	for (k = 0; k < KIND_N; k++)
		for (m = 0; m < MARK_N; m++)
			if ((x->fmt[k][m] = new_format(x, (enum kind)k, (enum mark)m)) == NULL)
				goto nomem;
	if ((x->bold = workbook_add_format(x->wb)) == NULL ||
	    (x->bold_pct = workbook_add_format(x->wb)) == NULL ||
	    (x->pct = workbook_add_format(x->wb)) == NULL ||
	    (x->taken = workbook_add_format(x->wb)) == NULL)
		goto nomem;
	format_set_bold(x->bold);
	format_set_top(x->bold, LXW_BORDER_THIN);
	format_set_bold(x->bold_pct);
	format_set_top(x->bold_pct, LXW_BORDER_THIN);
	format_set_num_format(x->bold_pct, "0.00");
	format_set_num_format(x->pct, "0.00");
	format_set_italic(x->taken);
	return 0;
nomem:
	err_set(e, ERR_NOMEM, "out of memory");
	return -1;
}

/* Column widths: the widest text of a column, within reason. */
struct widths {
	double *w;	/* owned, ncols */
	size_t ncols;
};

static int
widths_init(struct widths *w, size_t ncols, struct err *e)
{
	size_t i;

	w->ncols = ncols;
	if ((w->w = calloc(ncols > 0 ? ncols : 1, sizeof(double))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	for (i = 0; i < ncols; i++)
		w->w[i] = 6;
	return 0;
}

static void
widths_see(struct widths *w, size_t col, const char *s, size_t len)
{
	double n;

	if (col >= w->ncols)
		return;
	n = (double)textwidth_n(s, len) + 2;
	if (n > XLSX_MAX_WIDTH)
		n = XLSX_MAX_WIDTH;
	if (n > w->w[col])
		w->w[col] = n;
}

static void
widths_apply(const struct widths *w, lxw_worksheet *ws)
{
	size_t i;

	for (i = 0; i < w->ncols; i++)
		worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, w->w[i], NULL);
	free(w->w);
}

static int
lxw_fail(lxw_error rc, const char *what, struct err *e)
{
	if (rc == LXW_NO_ERROR)
		return 0;
	err_set(e, rc == LXW_ERROR_MEMORY_MALLOC_FAILED ? ERR_NOMEM : ERR_DATA,
	    "%s: %s", what, lxw_strerror(rc));
	return -1;
}

/* ---- a grid of writer.h (summary, discrepancies) ---- */

/* write_grid(x, ws, g, nrows, pct_col, what, e): g's first nrows rows;
 * numbers in column pct_col (SIZE_MAX: none) with two decimals. */
static int
write_grid(struct xw *x, lxw_worksheet *ws, const struct writer_grid *g, size_t nrows,
    size_t pct_col, const char *what, struct err *e)
{
	struct widths w;
	size_t r, c;
	lxw_error rc = LXW_NO_ERROR;

	if (widths_init(&w, g->ncols, e) == -1)
		return -1;
	for (r = 0; r < nrows && r < g->nrows && rc == LXW_NO_ERROR; r++)
		for (c = 0; c < g->ncols && rc == LXW_NO_ERROR; c++) {
			const struct writer_cell *cell = &g->cells[r * g->ncols + c];

			if (cell->type == WRITER_TEXT) {
				rc = worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c,
				    cell->text, r == 0 ? x->fmt[KIND_HEAD][MARK_NONE] : NULL);
				if (r < XLSX_WIDTH_ROWS)
					widths_see(&w, c, cell->text, strlen(cell->text));
			} else if (cell->type == WRITER_NUMBER)
				rc = worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c,
				    cell->number, c == pct_col ? x->pct : NULL);
		}
	widths_apply(&w, ws);
	worksheet_freeze_panes(ws, 1, 0);
	return lxw_fail(rc, what, e);
}

/* The summary sheet: headings, districts, the total in bold, a chart. */
static int
write_summary(struct xw *x, const struct xlsx_input *in, struct err *e)
{
	const struct rules_report *r = in->report;
	struct writer_footer foot = { in->taken, "" };
	struct writer_grid g;
	lxw_worksheet *ws;
	lxw_chart *ch;
	lxw_chart_series *s;
	size_t c, last, pct_col;
	lxw_error rc = LXW_NO_ERROR;
	char name[XLSX_NAME_MAX];

	memset(&g, 0, sizeof(g));
	if ((ws = add_sheet(x, in->cfg->summary_tab, e)) == NULL)
		return -1;
	snprintf(name, sizeof(name), "%s", x->names[x->nnames - 1]);
	if (writer_summary(r, in->cfg, &foot, &g, e) == -1)
		return -1;
	/* Headings and the districts; the total and the footer below. */
	last = r->nsummary;	/* grid row of the total */
	pct_col = g.ncols - 3;	/* ..., percent, errors, warnings */
	if (write_grid(x, ws, &g, last, pct_col, "summary sheet", e) == -1)
		goto fail;
	for (c = 0; c < g.ncols && rc == LXW_NO_ERROR && last < g.nrows; c++) {
		const struct writer_cell *cell = &g.cells[last * g.ncols + c];

		if (cell->type == WRITER_TEXT)
			rc = worksheet_write_string(ws, (lxw_row_t)last, (lxw_col_t)c,
			    cell->text, x->bold);
		else if (cell->type == WRITER_NUMBER)
			rc = worksheet_write_number(ws, (lxw_row_t)last, (lxw_col_t)c,
			    cell->number, c == pct_col ? x->bold_pct : x->bold);
	}
	if (rc == LXW_NO_ERROR && in->taken != NULL && g.nrows > last + 2)
		rc = worksheet_write_string(ws, (lxw_row_t)(last + 2), 0,
		    g.cells[(last + 2) * g.ncols].text, x->taken);
	if (rc == LXW_NO_ERROR && in->taken != NULL && g.nrows > last + 2)
		rc = worksheet_write_string(ws, (lxw_row_t)(last + 2), 1, in->taken, x->taken);
	if (lxw_fail(rc, "summary sheet", e) == -1)
		goto fail;
	/* The chart: percent developed per district (the total left out). */
	if (last >= 2) {
		if ((ch = workbook_add_chart(x->wb, LXW_CHART_COLUMN)) == NULL ||
		    (s = chart_add_series(ch, NULL, NULL)) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto fail;
		}
		chart_series_set_categories(s, name, 1, 0, (lxw_row_t)(last - 1), 0);
		chart_series_set_values(s, name, 1, (lxw_col_t)pct_col, (lxw_row_t)(last - 1),
		    (lxw_col_t)pct_col);
		chart_series_set_name(s, "ร้อยละที่ได้รับการพัฒนา");
		chart_title_set_name(ch, "ร้อยละครัวเรือนที่ได้รับการพัฒนา รายอำเภอ");
		chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
		chart_axis_set_name(ch->y_axis, "ร้อยละ");
		if (lxw_fail(worksheet_insert_chart(ws, (lxw_row_t)(last + 4), 0, ch),
		    "summary chart", e) == -1)
			goto fail;
	}
	writer_grid_fini(&g);
	return 0;
fail:
	writer_grid_fini(&g);
	return -1;
}

static int
write_discrepancies(struct xw *x, const struct xlsx_input *in, struct err *e)
{
	struct writer_grid g;
	lxw_worksheet *ws;
	int rc;

	memset(&g, 0, sizeof(g));
	if ((ws = add_sheet(x, in->cfg->discrepancy_tab, e)) == NULL)
		return -1;
	if (writer_discrepancies(in->report, NULL, NULL, &g, e) == -1)
		return -1;
	rc = write_grid(x, ws, &g, g.nrows, SIZE_MAX, "discrepancy sheet", e);
	if (rc == 0 && g.nrows > 1)
		worksheet_autofilter(ws, 0, 0, (lxw_row_t)(g.nrows - 1),
		    (lxw_col_t)(g.ncols - 1));
	writer_grid_fini(&g);
	return rc;
}

/* ---- a district sheet ---- */

static size_t
max_cols(const struct workbook_tab *t)
{
	size_t n = 0;
	uint32_t i;

	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].ncells > n)
			n = t->rows[i].ncells;
	return n;
}

/* mark_findings(in, t, ncols, marks): the mark of each finding's cell. */
static void
mark_findings(const struct xlsx_input *in, const struct workbook_tab *t, size_t ncols,
    unsigned char *marks)
{
	uint32_t hr = in->cfg->heading_row;
	const struct workbook_row *head = hr >= 1 && hr <= t->nrows ? &t->rows[hr - 1] : NULL;
	char norm[XLSX_HEAD_MAX];
	size_t i;
	uint32_t c;

	if (head == NULL)
		return;
	for (i = 0; i < in->report->nfindings; i++) {
		const struct rules_finding *f = &in->report->findings[i];
		enum mark m = f->severity == RULES_ERROR ? MARK_ERROR : MARK_WARNING;

		if (f->tab == NULL || strcmp(f->tab, t->title) != 0 || f->row == 0 ||
		    f->row > t->nrows || f->column == NULL)
			continue;
		for (c = 0; c < head->ncells && c < ncols; c++) {
			const struct workbook_cell *h = &head->cells[c];

			if (h->type != WORKBOOK_STRING ||
			    rules_heading_normalise(h->text, h->len, norm, sizeof(norm)) < 0 ||
			    strcmp(norm, f->column) != 0)
				continue;
			if (marks[(size_t)(f->row - 1) * ncols + c] < m)
				marks[(size_t)(f->row - 1) * ncols + c] = (unsigned char)m;
			break;
		}
	}
}

/* A district's sheet while it is written. */
struct district_sheet {
	struct xw *x;
	lxw_worksheet *ws;
	struct widths w;
	int32_t date_col, key_col;	/* the date's and the key's column, -1 */
	uint32_t heading_row;		/* rows up to it are headings */
	char *tmp;			/* owned: the last string, NUL-terminated */
};

/* write_date(ds, r, c, days, m): a valid activity date, as a date. */
static lxw_error
write_date(struct district_sheet *ds, size_t r, size_t c, int32_t days, enum mark m)
{
	lxw_datetime d;
	int y, mo, dd;

	rules_civil_from_days(days, &y, &mo, &dd);
	memset(&d, 0, sizeof(d));
	d.year = y;
	d.month = mo;
	d.day = dd;
	if (r < XLSX_WIDTH_ROWS)
		widths_see(&ds->w, c, "2024-01-31", 10);
	return worksheet_write_datetime(ds->ws, (lxw_row_t)r, (lxw_col_t)c, &d,
	    ds->x->fmt[KIND_DATE][m]);
}

/*
 * write_cell(ds, r, c, cell, m): one cell as typed (text, number, boolean;
 * a valid date in the date column as a date; the key as a whole number),
 * filled by its finding's mark m.
 */
static lxw_error
write_cell(struct district_sheet *ds, size_t r, size_t c,
    const struct workbook_cell *cell, enum mark m)
{
	int heading = r < ds->heading_row;
	enum kind k = heading ? KIND_HEAD : KIND_PLAIN;
	lxw_error rc = LXW_NO_ERROR;
	lxw_format *f;
	int32_t days;
	char num[64];

	if (!heading && (int32_t)c == ds->date_col && cell->type != WORKBOOK_EMPTY &&
	    cell->type != WORKBOOK_BOOL &&
	    rules_date_parse(cell->text, cell->len, cell->type == WORKBOOK_NUMBER,
	    &days) == 0)
		return write_date(ds, r, c, days, m);
	if (!heading && (int32_t)c == ds->key_col && cell->type == WORKBOOK_NUMBER)
		k = KIND_INT;
	f = (k == KIND_PLAIN && m == MARK_NONE) ? NULL : ds->x->fmt[k][m];
	switch (cell->type) {
	case WORKBOOK_STRING:
		free(ds->tmp);
		if ((ds->tmp = strndup(cell->text, cell->len)) == NULL)
			return LXW_ERROR_MEMORY_MALLOC_FAILED;
		rc = worksheet_write_string(ds->ws, (lxw_row_t)r, (lxw_col_t)c, ds->tmp, f);
		if (r < XLSX_WIDTH_ROWS && !heading)
			widths_see(&ds->w, c, cell->text, cell->len);
		break;
	case WORKBOOK_NUMBER:
		snprintf(num, sizeof(num), "%.*s",
		    (int)(cell->len < 63 ? cell->len : 63), cell->text);
		rc = worksheet_write_number(ds->ws, (lxw_row_t)r, (lxw_col_t)c,
		    strtod(num, NULL), f);
		if (r < XLSX_WIDTH_ROWS)
			widths_see(&ds->w, c, cell->text, cell->len);
		break;
	case WORKBOOK_BOOL:
		rc = worksheet_write_boolean(ds->ws, (lxw_row_t)r, (lxw_col_t)c,
		    cell->len == 4, f);
		break;
	default:
		if (m != MARK_NONE)
			rc = worksheet_write_blank(ds->ws, (lxw_row_t)r, (lxw_col_t)c,
			    ds->x->fmt[k][m]);
		break;
	}
	return rc;
}

/* Headings wrap; their width counts less than the data's. */
static void
heading_widths(struct district_sheet *ds, const struct workbook_tab *t, size_t ncols)
{
	const struct workbook_row *h;
	size_t c, hw;

	if (ds->heading_row < 1 || ds->heading_row > t->nrows)
		return;
	h = &t->rows[ds->heading_row - 1];
	for (c = 0; c < ncols; c++) {
		if (c < h->ncells && h->cells[c].type == WORKBOOK_STRING) {
			hw = textwidth_n(h->cells[c].text, h->cells[c].len);
			if (ds->w.w[c] < 8 && hw > 6)
				ds->w.w[c] = hw > 14 ? 14 : (double)hw + 2;
		}
	}
}

/*
 * write_district(x, in, t, e): t's sheet as typed, each finding's cell
 * filled, sized columns, the headings frozen.  0, or -1 with e set.
 */
static int
write_district(struct xw *x, const struct xlsx_input *in, const struct workbook_tab *t,
    struct err *e)
{
	static const struct workbook_cell none = { NULL, 0, WORKBOOK_EMPTY };
	const struct rules_config *cfg = in->cfg;
	struct district_sheet ds = { x, NULL, { 0 }, -1, -1, cfg->heading_row, NULL };
	size_t ncols = max_cols(t), r, c, i;
	int32_t cols[RULES_MAX_FIELDS];
	unsigned char *marks = NULL;
	lxw_error rc = LXW_NO_ERROR;

	if ((ds.ws = add_sheet(x, t->title, e)) == NULL)
		return -1;
	if (ncols == 0)
		return 0;
	(void)rules_map_columns(t, cfg, cols);
	for (i = 0; i < cfg->nfields; i++) {
		if (cfg->fields[i].is_date)
			ds.date_col = cols[i];
		if (cfg->fields[i].role == RULES_ROLE_KEY)
			ds.key_col = cols[i];
	}
	if ((marks = calloc((size_t)t->nrows * ncols + 1, 1)) == NULL ||
	    widths_init(&ds.w, ncols, e) == -1) {
		free(marks);
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	mark_findings(in, t, ncols, marks);
	for (r = 0; r < t->nrows && rc == LXW_NO_ERROR; r++) {
		const struct workbook_row *row = &t->rows[r];

		for (c = 0; c < ncols && rc == LXW_NO_ERROR; c++)
			rc = write_cell(&ds, r, c, c < row->ncells ? &row->cells[c] : &none,
			    (enum mark)marks[r * ncols + c]);
	}
	heading_widths(&ds, t, ncols);
	free(ds.tmp);
	free(marks);
	widths_apply(&ds.w, ds.ws);
	worksheet_freeze_panes(ds.ws, (lxw_row_t)cfg->heading_row, 0);
	return lxw_fail(rc, t->title, e);
}

int
xlsx_export(const char *path, const struct xlsx_input *in, struct err *e)
{
	lxw_workbook_options opt;
	struct xw x;
	char *tmp = NULL, *dir = NULL, *slash;
	size_t i, j, len = strlen(path);
	lxw_error rc;
	int fd;

	memset(&x, 0, sizeof(x));
	/* The temporary file beside the target: creating it is the test of
	 * whether the target can be written. */
	if ((tmp = malloc(len + 16)) == NULL || (dir = strdup(path)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	snprintf(tmp, len + 16, "%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(tmp)) == -1) {
		err_set(e, ERR_IO, "%s: cannot create the file: %s", path, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto fail;
	}
	close(fd);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, len + 1, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	memset(&opt, 0, sizeof(opt));
	opt.tmpdir = dir;
	if ((x.wb = workbook_new_opt(tmp, &opt)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (formats_init(&x, e) == -1 || write_summary(&x, in, e) == -1)
		goto fail;
	/* The summary's rows are the districts in order, then the total. */
	for (i = 0; i + 1 < in->report->nsummary; i++) {
		const struct rules_summary *s = &in->report->summary[i];

		if (s->missing)
			continue;
		for (j = 0; j < in->wb->ntabs; j++)
			if (strcmp(in->wb->tabs[j].title, s->district) == 0)
				break;
		if (j < in->wb->ntabs && write_district(&x, in, &in->wb->tabs[j], e) == -1)
			goto fail;
	}
	if (write_discrepancies(&x, in, e) == -1)
		goto fail;
	rc = workbook_close(x.wb);
	x.wb = NULL;
	if (rc != LXW_NO_ERROR) {
		err_set(e, ERR_IO, "%s: cannot write the file: %s", path, lxw_strerror(rc));
		goto fail;
	}
	if (rename(tmp, path) == -1) {
		err_set(e, ERR_IO, "%s: cannot create the file: %s", path, strerror(errno));
		goto fail;
	}
	free(tmp);
	free(dir);
	free(x.names);
	return 0;
fail:
	if (x.wb != NULL) {
		/* Closing is the only way to free it; its file is removed below. */
		(void)workbook_close(x.wb);
	}
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(dir);
	free(x.names);
	return -1;
}
