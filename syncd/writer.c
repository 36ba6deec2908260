/*
 * writer: renders the two tabs syncd owns and the request that writes them.
 * Pure apart from memory: no I/O, no clock (the caller passes the footer's
 * time).  See writer.h for the contracts.
 */
#include "syncd/writer.h"

#include "rules/catalog.h"
#include "rules/hash.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUMMARY_FIXED_COLS 7	/* district, households, unclassified, developed, %, errors, warnings */
#define FOOTER_HEAD_LABEL "บันทึกตรวจสอบ (audit log head)"
#define FOOTER_INSTANCE_LABEL "เขียนโดย syncd (instance)"

static const char *const discrepancy_headings[] = {
	"อำเภอ (แท็บ)", "แถว", "รหัสบ้าน", "คอลัมน์", "รหัสกฎ", "ชื่อกฎ", "ระดับ",
	"รายละเอียด", "วิธีแก้ไข", "พบครั้งแรก",
};
/* Beside what to do when a person's note kept syncd's note off the cell. */
#define NOTE_HELD_WORDS "(ช่องนี้มีบันทึกของผู้ใช้อยู่ syncd จึงไม่ใส่บันทึกทับ)"
#define DISCREPANCY_COLS (sizeof(discrepancy_headings) / sizeof(discrepancy_headings[0]))
_Static_assert(DISCREPANCY_COLS == WRITER_DISCREPANCY_COLS, "WRITER_DISCREPANCY_COLS");

static int
grid_init(struct writer_grid *g, size_t nrows, size_t ncols, struct err *e)
{
	memset(g, 0, sizeof(*g));
	if (nrows > WRITER_MAX_ROWS) {
		err_set(e, ERR_DATA, "%zu rows exceed the limit of %d rows of a tab",
		    nrows, WRITER_MAX_ROWS);
		return -1;
	}
	g->cells = calloc(nrows * ncols == 0 ? 1 : nrows * ncols, sizeof(*g->cells));
	if (g->cells == NULL) {
		err_set(e, ERR_NOMEM, "out of memory rendering a tab");
		return -1;
	}
	g->nrows = nrows;
	g->ncols = ncols;
	return 0;
}

static struct writer_cell *
at(struct writer_grid *g, size_t row, size_t col)
{
	return &g->cells[row * g->ncols + col];
}

/*
 * set_text(g, row, col, s): the cell holds a copy of s, or shares the copy
 * an earlier cell of the grid holds of the same text.  The discrepancy tab
 * repeats a few hundred texts (rule names, levels, messages, what to do)
 * over its rows: at 100,000 households 8.9 MB of them in 147,000 cells, a
 * malloc each, for the whole of the write.  A direct-mapped table of
 * WRITER_SHARE_SLOTS texts finds most repeats; the text is compared before
 * it is shared, and a cell that shares never frees it (the grid's cells go
 * together, writer_grid_fini).  Without the table (out of memory) every
 * cell keeps its own copy.  Returns 0, or -1 out of memory.
 */
static int
set_text(struct writer_grid *g, size_t row, size_t col, const char *s)
{
	struct writer_cell *c = at(g, row, col);
	size_t k = 0;

	if (s == NULL || *s == '\0') {
		c->type = WRITER_EMPTY;
		return 0;
	}
	if (g->share == NULL)
		g->share = calloc(WRITER_SHARE_SLOTS, sizeof(*g->share));
	if (g->share != NULL) {
		k = (size_t)hash_seeded(0, s, strlen(s)) & (WRITER_SHARE_SLOTS - 1);
		if (g->share[k] != NULL && strcmp(g->share[k], s) == 0) {
			c->text = g->share[k];
			c->shared = 1;
			c->type = WRITER_TEXT;
			return 0;
		}
	}
	c->text = strdup(s);
	if (c->text == NULL)
		return -1;
	if (g->share != NULL)
		g->share[k] = c->text;
	c->type = WRITER_TEXT;
	return 0;
}

static void
set_number(struct writer_grid *g, size_t row, size_t col, double v)
{
	struct writer_cell *c = at(g, row, col);

	c->type = WRITER_NUMBER;
	c->number = v;
}

void
writer_grid_fini(struct writer_grid *g)
{
	size_t i;

	if (g == NULL || g->cells == NULL)
		return;
	for (i = 0; i < g->nrows * g->ncols; i++) {
		if (!g->cells[i].shared)
			free(g->cells[i].text);
		free(g->cells[i].link);
	}
	free(g->cells);
	free(g->share);
	memset(g, 0, sizeof(*g));
}

/* The summary label of a status, from the configuration (fallback: its name). */
static const char *
status_label(const struct rules_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nfields; i++)
		if (cfg->fields[i].role == RULES_ROLE_STATUS &&
		    strcmp(cfg->fields[i].name, name) == 0)
			return cfg->fields[i].label != NULL ? cfg->fields[i].label : name;
	return name;
}

int
writer_summary(const struct rules_report *r, const struct rules_config *cfg,
    const struct writer_footer *footer, struct writer_grid *g, struct err *e)
{
	size_t ncols = SUMMARY_FIXED_COLS + r->nstatus;
	/* headings, rows, empty, updated, audit head, instance */
	size_t nrows = 1 + r->nsummary + 3 +
	    (footer->instance != NULL && footer->instance[0] != '\0');
	size_t i, k, col, row;
	int bad = 0;

	if (grid_init(g, nrows, ncols, e) != 0)
		return -1;
	g->frozen_rows = 1;
	col = 0;
	bad |= set_text(g, 0, col++, "อำเภอ");
	bad |= set_text(g, 0, col++, "ครัวเรือนเป้าหมาย");
	for (k = 0; k < r->nstatus; k++)
		bad |= set_text(g, 0, col++, status_label(cfg, r->status_names[k]));
	bad |= set_text(g, 0, col++, "ยังไม่จำแนก");
	bad |= set_text(g, 0, col++, "ได้รับการพัฒนา");
	bad |= set_text(g, 0, col++, "ร้อยละ");
	bad |= set_text(g, 0, col++, catalog_severity_word(RULES_ERROR));
	bad |= set_text(g, 0, col++, catalog_severity_word(RULES_WARNING));
	for (i = 0; i < r->nsummary; i++) {
		const struct rules_summary *s = &r->summary[i];

		row = 1 + i;
		col = 0;
		bad |= set_text(g, row, col++, s->district);
		set_number(g, row, col++, (double)s->households);
		for (k = 0; k < r->nstatus; k++)
			set_number(g, row, col++, (double)s->status[k]);
		set_number(g, row, col++, (double)s->unclassified);
		set_number(g, row, col++, (double)s->developed);
		set_number(g, row, col++, s->percent);
		set_number(g, row, col++, (double)s->errors);
		set_number(g, row, col++, (double)s->warnings);
	}
	row = 1 + r->nsummary + 1;
	bad |= set_text(g, row, 0, "ปรับปรุงล่าสุด");
	bad |= set_text(g, row, 1, footer->updated);
	at(g, row, 1)->volatile_ = 1;
	bad |= set_text(g, row + 1, 0, FOOTER_HEAD_LABEL);
	bad |= set_text(g, row + 1, 1, footer->audit_head);
	at(g, row + 1, 1)->volatile_ = 1;
	if (footer->instance != NULL && footer->instance[0] != '\0') {
		bad |= set_text(g, row + 2, 0, FOOTER_INSTANCE_LABEL);
		bad |= set_text(g, row + 2, 1, footer->instance);
		at(g, row + 2, 1)->volatile_ = 1;
	}
	if (bad) {
		writer_grid_fini(g);
		err_set(e, ERR_NOMEM, "out of memory rendering the summary tab");
		return -1;
	}
	return 0;
}

/* The text of a string cell, or NULL. */
static const char *
cell_str(const struct workbook_row *r, uint32_t c, size_t *len)
{
	if (r == NULL || c >= r->ncells || r->cells[c].type != WORKBOOK_STRING ||
	    r->cells[c].text == NULL)
		return NULL;
	*len = r->cells[c].len;
	return r->cells[c].text;
}

/* copy_cell(r, c, out, size): column c of row r as text into out, if it fits. */
static void
copy_cell(const struct workbook_row *r, uint32_t c, char *out, size_t size)
{
	const char *s;
	size_t len;

	if ((s = cell_str(r, c, &len)) != NULL && len < size && memchr(s, '\0', len) == NULL) {
		memcpy(out, s, len);
		out[len] = '\0';
	}
}

void
writer_footer_read(const struct workbook_tab *t, char *head, size_t headsize, char *instance,
    size_t instsize)
{
	const char *s;
	size_t len;
	uint32_t r;

	if (headsize > 0)
		head[0] = '\0';
	if (instsize > 0)
		instance[0] = '\0';
	for (r = 0; t != NULL && r < t->nrows; r++) {
		if ((s = cell_str(&t->rows[r], 0, &len)) == NULL)
			continue;
		if (len == sizeof(FOOTER_HEAD_LABEL) - 1 &&
		    memcmp(s, FOOTER_HEAD_LABEL, len) == 0)
			copy_cell(&t->rows[r], 1, head, headsize);
		else if (len == sizeof(FOOTER_INSTANCE_LABEL) - 1 &&
		    memcmp(s, FOOTER_INSTANCE_LABEL, len) == 0)
			copy_cell(&t->rows[r], 1, instance, instsize);
	}
}

int
writer_discrepancies(const struct rules_report *r, writer_first_seen_fn first_seen,
    void *ctx, struct writer_grid *g, struct err *e)
{
	struct writer_disc_opts o = { first_seen, NULL, NULL, ctx };

	return writer_discrepancies_with(r, &o, g, e);
}

int
writer_discrepancies_with(const struct rules_report *r, const struct writer_disc_opts *o,
    struct writer_grid *g, struct err *e)
{
	size_t i, col;
	int bad = 0;

	if (grid_init(g, 1 + r->nfindings, DISCREPANCY_COLS, e) != 0)
		return -1;
	g->frozen_rows = 1;
	g->links = o->link != NULL;
	for (col = 0; col < DISCREPANCY_COLS; col++)
		bad |= set_text(g, 0, col, discrepancy_headings[col]);
	for (i = 0; i < r->nfindings && !bad; i++) {
		const struct rules_finding *f = &r->findings[i];
		const struct catalog_rule *cr = catalog_find(f->rule);
		size_t row = 1 + i;
		const char *link;

		bad |= set_text(g, row, 0, f->tab);
		if (f->row > 0) {
			set_number(g, row, 1, (double)f->row);
			link = o->link != NULL ? o->link(o->ctx, f) : NULL;
			if (link != NULL && *link != '\0' &&
			    (at(g, row, 1)->link = strdup(link)) == NULL)
				bad = 1;
		}
		bad |= set_text(g, row, 2, f->key);
		bad |= set_text(g, row, 3, f->column);
		bad |= set_text(g, row, 4, f->rule);
		bad |= set_text(g, row, 5, cr != NULL ? cr->name : "");
		bad |= set_text(g, row, 6, catalog_severity_word(f->severity));
		bad |= set_text(g, row, 7, f->message);
		if (o->note_held != NULL && o->note_held(o->ctx, f)) {
			char held[1024];

			snprintf(held, sizeof(held), "%s %s", cr != NULL ? cr->fix : "",
			    NOTE_HELD_WORDS);
			bad |= set_text(g, row, 8, held);
		} else
			bad |= set_text(g, row, 8, cr != NULL ? cr->fix : "");
		bad |= set_text(g, row, 9, o->first_seen != NULL ?
		    o->first_seen(o->ctx, f) : "");
	}
	if (bad) {
		writer_grid_fini(g);
		err_set(e, ERR_NOMEM, "out of memory rendering the discrepancy tab");
		return -1;
	}
	return 0;
}

const char *
writer_cell_url(char *buf, size_t size, const char *spreadsheet_id, int64_t sheet_id,
    uint32_t row, int col)
{
	char letters[8];
	size_t n = 0;
	int c = col;
	int len;

	/* Column letters, right to left: 0 -> A, 25 -> Z, 26 -> AA. */
	do {
		letters[sizeof(letters) - 1 - n++] = (char)('A' + c % 26);
		c = c / 26 - 1;
	} while (c >= 0 && n < sizeof(letters));
	if (col < 0 || c >= 0) {
		buf[0] = '\0';
		return buf;
	}
	len = snprintf(buf, size, "https://docs.google.com/spreadsheets/d/%s/edit"
	    "#gid=%lld&range=%.*s%u", spreadsheet_id, (long long)sheet_id, (int)n,
	    letters + sizeof(letters) - n, row);
	if (len < 0 || (size_t)len >= size)
		buf[0] = '\0';
	return buf;
}

/* Drop a UTF-8 character that snprintf cut short at the end of s. */
static void
cut_utf8(char *s)
{
	size_t n = strlen(s), i, need;
	unsigned char lead;

	if (n == 0)
		return;
	i = n - 1;
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	lead = (unsigned char)s[i];
	need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
	if (i + need > n)
		s[i] = '\0';
}

const char *
writer_note_text(const struct rules_finding *f, char *buf, size_t size)
{
	const struct catalog_rule *cr = catalog_find(f->rule);

	if (size == 0)
		return buf;
	snprintf(buf, size, "%s\n%s%s%s\n%s: %s", WRITER_NOTE_MARK,
	    cr != NULL ? cr->name : f->rule, cr != NULL ? ": " : "", f->message,
	    "วิธีแก้ไข", cr != NULL ? cr->fix : "");
	cut_utf8(buf);
	return buf;
}

/* Does the sheet's cell hold the value we would write? */
static int
cell_matches(const struct writer_cell *w, const struct workbook_cell *c)
{
	char num[64];
	char *end;
	double v;

	switch (w->type) {
	case WRITER_EMPTY:
		return c == NULL || c->type == WORKBOOK_EMPTY ||
		    (c->type == WORKBOOK_STRING && c->len == 0);
	case WRITER_TEXT:
		return c != NULL && c->type == WORKBOOK_STRING &&
		    c->len == strlen(w->text) && memcmp(c->text, w->text, c->len) == 0;
	case WRITER_NUMBER:
		if (c == NULL || c->type != WORKBOOK_NUMBER || c->len >= sizeof(num))
			return 0;
		memcpy(num, c->text, c->len);
		num[c->len] = '\0';
		v = strtod(num, &end);
		return *end == '\0' && fabs(v - w->number) < 1e-9;
	default:
		return 0;
	}
}

int
writer_grid_matches(const struct writer_grid *g, const struct workbook_tab *t)
{
	size_t r, c, nrows;

	if (t == NULL)
		return 0;
	nrows = t->nrows > g->nrows ? t->nrows : g->nrows;
	for (r = 0; r < nrows; r++) {
		const struct workbook_row *tr = r < t->nrows ? &t->rows[r] : NULL;
		size_t ncols = g->ncols;

		if (tr != NULL && tr->ncells > ncols)
			ncols = tr->ncells;
		for (c = 0; c < ncols; c++) {
			const struct workbook_cell *tc = (tr != NULL && c < tr->ncells) ? &tr->cells[c] : NULL;
			struct writer_cell empty = { 0 };
			const struct writer_cell *w = (r < g->nrows && c < g->ncols) ?
			    &g->cells[r * g->ncols + c] : &empty;

			if (w->volatile_)
				continue;
			if (!cell_matches(w, tc))
				return 0;
		}
	}
	return 1;
}

static json_t *
cell_json(const struct writer_cell *w)
{
	json_t *c;

	switch (w->type) {
	case WRITER_TEXT:
		c = json_pack("{s:{s:s}}", "userEnteredValue", "stringValue", w->text);
		break;
	case WRITER_NUMBER:
		c = json_pack("{s:{s:f}}", "userEnteredValue", "numberValue", w->number);
		break;
	default:
		c = json_object();	/* with fields=userEnteredValue: cleared */
	}
	if (c != NULL && w->link != NULL && json_object_set_new(c, "userEnteredFormat",
	    json_pack("{s:{s:{s:s}}}", "textFormat", "link", "uri", w->link)) != 0) {
		json_decref(c);
		return NULL;
	}
	return c;
}

/* The updateCells field mask of a grid. */
static const char *
cells_fields(const struct writer_grid *g)
{
	return g->links ? "userEnteredValue,userEnteredFormat.textFormat.link" :
	    "userEnteredValue";
}

static json_t *
rows_json(const struct writer_grid *g)
{
	json_t *rows = json_array();
	size_t r, c;

	if (rows == NULL)
		return NULL;
	for (r = 0; r < g->nrows; r++) {
		json_t *values = json_array();

		if (values == NULL || json_array_append_new(rows,
		    json_pack("{s:o}", "values", values)) != 0) {
			json_decref(rows);
			return NULL;
		}
		for (c = 0; c < g->ncols; c++)
			if (json_array_append_new(values, cell_json(&g->cells[r * g->ncols + c])) != 0) {
				json_decref(rows);
				return NULL;
			}
	}
	return rows;
}

/*
 * The request as text.  At 100,000 households the discrepancy tab is some
 * 15,000 rows of 8 cells; as a jansson tree (three objects a cell) its
 * request costs ~90 MB before json_dumps copies it into 9 MB of text.  This
 * writes that text directly: the same bytes as json_dumps(writer_request(),
 * JSON_COMPACT), which check_writer compares.
 */
struct text {
	char *buf;	/* owned */
	size_t len, cap;
	int bad;	/* out of memory, or a number JSON cannot hold */
};

static void
text_put(struct text *t, const char *s, size_t n)
{
	size_t cap;
	char *nb;

	if (t->bad)
		return;
	if (t->cap - t->len <= n) {
		cap = t->cap ? t->cap : 65536;
		while (cap - t->len <= n)
			cap *= 2;
		if ((nb = realloc(t->buf, cap)) == NULL) {
			t->bad = 1;
			return;
		}
		t->buf = nb;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void
text_puts(struct text *t, const char *s)
{
	text_put(t, s, strlen(s));
}

/* text_str(t, s): s as jansson writes a string: '"', '\\' and controls escaped. */
static void
text_str(struct text *t, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *run;
	char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
	unsigned char c;

	text_put(t, "\"", 1);
	for (;;) {
		run = s;
		for (c = (unsigned char)*s; c >= 0x20 && c != '"' && c != '\\'; c = (unsigned char)*s)
			s++;
		text_put(t, run, (size_t)(s - run));
		if (c == '\0')
			break;
		s++;
		switch (c) {
		case '"': text_put(t, "\\\"", 2); break;
		case '\\': text_put(t, "\\\\", 2); break;
		case '\b': text_put(t, "\\b", 2); break;
		case '\f': text_put(t, "\\f", 2); break;
		case '\n': text_put(t, "\\n", 2); break;
		case '\r': text_put(t, "\\r", 2); break;
		case '\t': text_put(t, "\\t", 2); break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			text_put(t, esc, 6);
		}
	}
	text_put(t, "\"", 1);
}

static void
text_int(struct text *t, long long v)
{
	char num[32];

	text_put(t, num, (size_t)snprintf(num, sizeof(num), "%lld", v));
}

/* text_real(t, x): jansson's real at its default precision (17). */
static void
text_real(struct text *t, double x)
{
	char num[40], *ex, *from;
	int n;

	if (!isfinite(x)) {
		t->bad = 1;
		return;
	}
	n = snprintf(num, sizeof(num) - 3, "%.17g", x);
	if (n < 0 || (size_t)n >= sizeof(num) - 3) {
		t->bad = 1;
		return;
	}
	if (strchr(num, '.') == NULL && strchr(num, 'e') == NULL)
		memcpy(num + n, ".0", 3);
	if ((ex = strchr(num, 'e')) != NULL) {
		ex++;
		if (*ex == '-')
			ex++;
		for (from = ex; *from == '+' || *from == '0'; from++)
			;
		memmove(ex, from, strlen(from) + 1);
	}
	text_puts(t, num);
}

static void
text_rows(struct text *t, const struct writer_grid *g)
{
	const struct writer_cell *w;
	size_t r, c;

	text_put(t, "[", 1);
	for (r = 0; r < g->nrows && !t->bad; r++) {
		text_puts(t, r > 0 ? ",{\"values\":[" : "{\"values\":[");
		for (c = 0; c < g->ncols; c++) {
			w = &g->cells[r * g->ncols + c];
			if (c > 0)
				text_put(t, ",", 1);
			if (w->type == WRITER_TEXT) {
				text_puts(t, "{\"userEnteredValue\":{\"stringValue\":");
				text_str(t, w->text);
				text_puts(t, "}}");
			} else if (w->type == WRITER_NUMBER) {
				text_puts(t, "{\"userEnteredValue\":{\"numberValue\":");
				text_real(t, w->number);
				text_puts(t, "}}");
			} else
				text_puts(t, "{}");
			if (w->link != NULL && !t->bad) {
				t->len--;	/* the closing brace */
				text_puts(t, w->type == WRITER_EMPTY ?
				    "\"userEnteredFormat\":{\"textFormat\":{\"link\":{\"uri\":" :
				    ",\"userEnteredFormat\":{\"textFormat\":{\"link\":{\"uri\":");
				text_str(t, w->link);
				text_puts(t, "}}}}");
			}
		}
		text_puts(t, "]}");
	}
	text_put(t, "]", 1);
}

char *
writer_request_text(const struct writer_target *targets, size_t n, size_t *len,
    struct err *e)
{
	struct text t = { NULL, 0, 0, 0 };
	size_t i;

	text_puts(&t, "{\"requests\":[");
	for (i = 0; i < n && !t.bad; i++) {
		const struct writer_target *tg = &targets[i];

		if (i > 0)
			text_put(&t, ",", 1);
		if (!tg->exists) {
			text_puts(&t, "{\"addSheet\":{\"properties\":{\"sheetId\":");
			text_int(&t, (long long)tg->sheet_id);
			text_puts(&t, ",\"title\":");
			text_str(&t, tg->title);
			text_puts(&t, ",\"gridProperties\":{\"rowCount\":");
		} else {
			text_puts(&t, "{\"updateSheetProperties\":{\"properties\":{\"sheetId\":");
			text_int(&t, (long long)tg->sheet_id);
			text_puts(&t, ",\"gridProperties\":{\"rowCount\":");
		}
		/* The grid is sized to fit exactly: a few rows spare, never zero. */
		text_int(&t, (long long)tg->grid->nrows + 1);
		text_puts(&t, ",\"columnCount\":");
		text_int(&t, (long long)tg->grid->ncols);
		if (tg->grid->frozen_rows > 0) {
			text_puts(&t, ",\"frozenRowCount\":");
			text_int(&t, (long long)tg->grid->frozen_rows);
		}
		text_puts(&t, !tg->exists ? "}}}}" : tg->grid->frozen_rows > 0 ?
		    "}},\"fields\":\"gridProperties.rowCount,gridProperties.columnCount,"
		    "gridProperties.frozenRowCount\"}}" :
		    "}},\"fields\":\"gridProperties.rowCount,"
		    "gridProperties.columnCount\"}}");
		/* range = the whole tab: cells the rows do not cover are cleared. */
		text_puts(&t, ",{\"updateCells\":{\"range\":{\"sheetId\":");
		text_int(&t, (long long)tg->sheet_id);
		text_puts(&t, "},\"rows\":");
		text_rows(&t, tg->grid);
		text_puts(&t, ",\"fields\":");
		text_str(&t, cells_fields(tg->grid));
		text_puts(&t, "}}");
	}
	text_puts(&t, "],\"includeSpreadsheetInResponse\":false}");
	if (t.bad) {
		free(t.buf);
		err_set(e, ERR_NOMEM, "out of memory building the write request");
		return NULL;
	}
	if (len != NULL)
		*len = t.len;
	return t.buf;
}

char *
writer_request_append(char *body, size_t *len, const json_t *requests, struct err *e)
{
	static const char tail[] = "],\"includeSpreadsheetInResponse\":false}";
	size_t blen = body != NULL ? strlen(body) : 0, rlen;
	char *more, *out;

	if (body == NULL || blen < sizeof(tail) - 1 ||
	    strcmp(body + blen - (sizeof(tail) - 1), tail) != 0) {
		free(body);
		err_set(e, ERR_USAGE, "not a write request to append to");
		return NULL;
	}
	if (json_array_size(requests) == 0) {
		if (len != NULL)
			*len = blen;
		return body;
	}
	more = json_dumps(requests, JSON_COMPACT);
	if (more == NULL) {
		free(body);
		err_set(e, ERR_NOMEM, "out of memory building the write request");
		return NULL;
	}
	rlen = strlen(more);	/* "[...]": its brackets give way to a comma */
	out = realloc(body, blen + rlen + 1);
	if (out == NULL) {
		free(more);
		free(body);
		err_set(e, ERR_NOMEM, "out of memory building the write request");
		return NULL;
	}
	blen -= sizeof(tail) - 1;
	/* The body had no request at all when it ends in "[": no comma. */
	if (out[blen - 1] == '[') {
		memcpy(out + blen, more + 1, rlen - 2);
		blen += rlen - 2;
	} else {
		out[blen++] = ',';
		memcpy(out + blen, more + 1, rlen - 2);
		blen += rlen - 2;
	}
	memcpy(out + blen, tail, sizeof(tail));
	free(more);
	if (len != NULL)
		*len = blen + sizeof(tail) - 1;
	return out;
}

json_t *
writer_request(const struct writer_target *targets, size_t n, struct err *e)
{
	json_t *req = json_array(), *body;
	size_t i;

	if (req == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		const struct writer_target *t = &targets[i];
		/* The grid is sized to fit exactly: a few rows spare, never zero. */
		json_int_t nrows = (json_int_t)t->grid->nrows + 1;
		json_int_t ncols = (json_int_t)t->grid->ncols;
		json_t *rows, *gp;

		gp = json_pack("{s:I,s:I}", "rowCount", nrows, "columnCount", ncols);
		if (gp == NULL || (t->grid->frozen_rows > 0 && json_object_set_new(gp,
		    "frozenRowCount", json_integer(t->grid->frozen_rows)) != 0)) {
			json_decref(gp);
			goto nomem;
		}
		if (!t->exists) {
			if (json_array_append_new(req, json_pack(
			    "{s:{s:{s:I,s:s,s:o}}}", "addSheet", "properties",
			    "sheetId", (json_int_t)t->sheet_id, "title", t->title,
			    "gridProperties", gp)) != 0)
				goto nomem;
		} else if (json_array_append_new(req, json_pack(
		    "{s:{s:{s:I,s:o},s:s}}", "updateSheetProperties",
		    "properties", "sheetId", (json_int_t)t->sheet_id,
		    "gridProperties", gp,
		    "fields", t->grid->frozen_rows > 0 ? "gridProperties.rowCount,"
		    "gridProperties.columnCount,gridProperties.frozenRowCount" :
		    "gridProperties.rowCount,gridProperties.columnCount")) != 0)
			goto nomem;
		rows = rows_json(t->grid);
		if (rows == NULL)
			goto nomem;
		/* range = the whole tab: cells the rows do not cover are cleared. */
		if (json_array_append_new(req, json_pack("{s:{s:{s:I},s:o,s:s}}",
		    "updateCells", "range", "sheetId", (json_int_t)t->sheet_id,
		    "rows", rows, "fields", cells_fields(t->grid))) != 0)
			goto nomem;
	}
	body = json_pack("{s:o,s:b}", "requests", req, "includeSpreadsheetInResponse", 0);
	if (body == NULL)
		goto nomem_body;
	return body;
nomem:
	json_decref(req);
nomem_body:
	err_set(e, ERR_NOMEM, "out of memory building the write request");
	return NULL;
}
