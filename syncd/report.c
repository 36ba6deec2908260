/*
 * report: render a rules report as DESIGN.md's JSON document or as text
 * for people.  JSON is streamed in jansson's layout (UTF-8 kept readable,
 * keys in DESIGN.md's order, percent printed as the two decimals it holds);
 * report_json() builds the same document as a jansson tree.  Text
 * pads by display width (syncd/textwidth.h), because Thai vowel and tone
 * marks take no column and byte or code-point counts would skew the table.
 * Formatting only: no evaluation, no logging.
 */
#include "syncd/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/jsonout.h"
#include "syncd/textwidth.h"
#include "syncd/today.h"

#define SUMMARY_COLS	(RULES_MAX_STATUSES + 8)	/* district + counts */
#define NUM_MAX		32				/* bytes of a printed number */

const char *
report_status_key(const char *name)
{
	if (strncmp(name, "status.", 7) == 0 && name[7] != '\0')
		return name + 7;
	return name;
}

size_t
report_count(const struct rules_report *r, enum rules_severity severity)
{
	size_t i, n = 0;

	for (i = 0; i < r->nfindings; i++)
		n += r->findings[i].severity == severity;
	return n;
}

/* put(o, k, v): o[k] = v, taking v; -1 when v is NULL or the set fails. */
static int
put(json_t *o, const char *k, json_t *v)
{
	if (v == NULL)
		return -1;
	return json_object_set_new(o, k, v);
}

/* str_or_null(s): a JSON string of s, or null when s is NULL. */
static json_t *
str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static double
two_decimals(double x)
{
	return round(x * 100.0) / 100.0;
}

static json_t *
summary_json(const struct rules_report *r, const struct rules_summary *s)
{
	json_t *o = json_object();
	size_t i;
	int bad = o == NULL;

	bad = bad || put(o, "district", str_or_null(s->district)) == -1;
	bad = bad || put(o, "households", json_integer(s->households)) == -1;
	for (i = 0; i < r->nstatus && !bad; i++)
		bad = put(o, report_status_key(r->status_names[i]),
		    json_integer(s->status[i])) == -1;
	bad = bad || put(o, "unclassified", json_integer(s->unclassified)) == -1;
	bad = bad || put(o, "developed", json_integer(s->developed)) == -1;
	bad = bad || put(o, "percent", json_real(two_decimals(s->percent))) == -1;
	bad = bad || put(o, "errors", json_integer(s->errors)) == -1;
	bad = bad || put(o, "warnings", json_integer(s->warnings)) == -1;
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
finding_json(const struct rules_finding *f)
{
	json_t *o = json_object();
	int bad = o == NULL;

	bad = bad || put(o, "rule", json_string(f->rule)) == -1;
	bad = bad || put(o, "severity", json_string(f->severity == RULES_ERROR ?
	    "error" : "warning")) == -1;
	bad = bad || put(o, "tab", str_or_null(f->tab)) == -1;
	bad = bad || put(o, "row", f->row > 0 ? json_integer(f->row) : json_null()) == -1;
	bad = bad || put(o, "key", str_or_null(f->key)) == -1;
	bad = bad || put(o, "column", str_or_null(f->column)) == -1;
	bad = bad || put(o, "message", str_or_null(f->message)) == -1;
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
report_json(const struct rules_report *r, struct err *e)
{
	json_t *doc = json_object(), *sum = json_array(), *dis = json_array();
	char day[16];
	size_t i;
	int bad = doc == NULL || sum == NULL || dis == NULL;

	if (!bad && today_format(r->today, day, sizeof(day)) == -1)
		bad = 1;
	bad = bad || put(doc, "today", json_string(day)) == -1;
	for (i = 0; i < r->nsummary && !bad; i++)
		bad = json_array_append_new(sum, summary_json(r, &r->summary[i])) == -1;
	for (i = 0; i < r->nfindings && !bad; i++)
		bad = json_array_append_new(dis, finding_json(&r->findings[i])) == -1;
	if (!bad) {
		bad = put(doc, "summary", sum) == -1;
		sum = NULL;
	}
	if (!bad) {
		bad = put(doc, "discrepancies", dis) == -1;
		dis = NULL;
	}
	json_decref(sum);
	json_decref(dis);
	if (bad) {
		/* json_string() also refuses invalid UTF-8, which the workbook
		 * reader never lets through; memory is the only real cause. */
		json_decref(doc);
		err_set(e, ERR_NOMEM, "report: cannot build the JSON document "
		    "(out of memory or invalid UTF-8)");
		return NULL;
	}
	return doc;
}

/*
 * The JSON document is streamed, not built: a jansson tree of 100,000
 * households' findings costs some 20 MB more than the report it renders
 * (check_report compares the two byte for byte).  The writers below print
 * exactly what json_dumpf(report_json(r), JSON_INDENT(2) |
 * JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) prints.
 */


/*
 * put_json_real(f, x): x as jansson prints a real at precision 15: %.15g,
 * ".0" when that reads as an integer, no '+' or leading zeros in the
 * exponent.  Returns -1 for NaN and infinities, which JSON cannot hold.
 */
static int
put_json_real(FILE *f, double x)
{
	char buf[NUM_MAX + 4], *ex, *from;
	int n;

	if (!isfinite(x))
		return -1;
	n = snprintf(buf, NUM_MAX, "%.15g", x);
	if (n < 0 || n >= NUM_MAX)
		return -1;
	if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL)
		memcpy(buf + n, ".0", 3);
	if ((ex = strchr(buf, 'e')) != NULL) {
		ex++;
		if (*ex == '-')
			ex++;
		for (from = ex; *from == '+' || *from == '0'; from++)
			;
		if (*from == '\0')
			from--;		/* keep one digit of "e+00" */
		memmove(ex, from, strlen(from) + 1);
	}
	fputs(buf, f);
	return 0;
}

/* put_key(f, first, indent, key): the separator, indentation and "key": . */
static void
put_key(FILE *f, int first, const char *indent, const char *key)
{
	fprintf(f, "%s\n%s", first ? "" : ",", indent);
	jsonout_string(f, key);
	fputs(": ", f);
}

static int
write_summary_json(FILE *f, const struct rules_report *r, const struct rules_summary *s)
{
	static const char in[] = "      ";
	size_t i;

	fputs("{", f);
	put_key(f, 1, in, "district");
	jsonout_string(f, s->district);
	put_key(f, 0, in, "households");
	fprintf(f, "%ld", s->households);
	for (i = 0; i < r->nstatus; i++) {
		put_key(f, 0, in, report_status_key(r->status_names[i]));
		fprintf(f, "%ld", s->status[i]);
	}
	put_key(f, 0, in, "unclassified");
	fprintf(f, "%ld", s->unclassified);
	put_key(f, 0, in, "developed");
	fprintf(f, "%ld", s->developed);
	put_key(f, 0, in, "percent");
	if (put_json_real(f, two_decimals(s->percent)) == -1)
		return -1;
	put_key(f, 0, in, "errors");
	fprintf(f, "%ld", s->errors);
	put_key(f, 0, in, "warnings");
	fprintf(f, "%ld", s->warnings);
	fputs("\n    }", f);
	return 0;
}

static void
write_finding_json(FILE *f, const struct rules_finding *fd)
{
	static const char in[] = "      ";

	fputs("{", f);
	put_key(f, 1, in, "rule");
	jsonout_string(f, fd->rule);
	put_key(f, 0, in, "severity");
	fputs(fd->severity == RULES_ERROR ? "\"error\"" : "\"warning\"", f);
	put_key(f, 0, in, "tab");
	jsonout_string(f, fd->tab);
	put_key(f, 0, in, "row");
	if (fd->row > 0)
		fprintf(f, "%u", (unsigned)fd->row);
	else
		fputs("null", f);
	put_key(f, 0, in, "key");
	jsonout_string(f, fd->key);
	put_key(f, 0, in, "column");
	jsonout_string(f, fd->column);
	put_key(f, 0, in, "message");
	jsonout_string(f, fd->message);
	fputs("\n    }", f);
}

int
report_write_json(FILE *f, const struct rules_report *r, struct err *e)
{
	char day[16];
	size_t i;

	if (today_format(r->today, day, sizeof(day)) == -1) {
		err_set(e, ERR_DATA, "report: today is not a date");
		return -1;
	}
	fputs("{", f);
	put_key(f, 1, "  ", "today");
	jsonout_string(f, day);
	put_key(f, 0, "  ", "summary");
	fputs(r->nsummary > 0 ? "[" : "[]", f);
	for (i = 0; i < r->nsummary; i++) {
		fputs(i > 0 ? ",\n    " : "\n    ", f);
		if (write_summary_json(f, r, &r->summary[i]) == -1) {
			err_set(e, ERR_DATA, "report: a percent that is not a number");
			return -1;
		}
	}
	if (r->nsummary > 0)
		fputs("\n  ]", f);
	put_key(f, 0, "  ", "discrepancies");
	fputs(r->nfindings > 0 ? "[" : "[]", f);
	for (i = 0; i < r->nfindings; i++) {
		fputs(i > 0 ? ",\n    " : "\n    ", f);
		write_finding_json(f, &r->findings[i]);
	}
	if (r->nfindings > 0)
		fputs("\n  ]", f);
	fputs("\n}\n", f);
	if (ferror(f)) {
		err_set(e, ERR_IO, "cannot write the report");
		return -1;
	}
	return 0;
}

/* pad(f, s, width, right): s padded with spaces to width display columns. */
static void
pad(FILE *f, const char *s, size_t width, int right)
{
	size_t w = textwidth(s);

	if (right)
		for (; w < width; w++)
			fputc(' ', f);
	fputs(s, f);
	if (!right)
		for (; w < width; w++)
			fputc(' ', f);
}

/* The summary table: cells[row][col] for the heading row and each summary. */
struct table {
	size_t ncols;
	const char *head[SUMMARY_COLS];
	size_t width[SUMMARY_COLS];
};

/* summary_cells(r, s, cells): row s's cells as text, after the district. */
static void
summary_cells(const struct rules_report *r, const struct rules_summary *s,
    char cells[SUMMARY_COLS][NUM_MAX])
{
	size_t i, c = 0;

	snprintf(cells[c++], NUM_MAX, "%ld", s->households);
	for (i = 0; i < r->nstatus; i++)
		snprintf(cells[c++], NUM_MAX, "%ld", s->status[i]);
	snprintf(cells[c++], NUM_MAX, "%ld", s->unclassified);
	snprintf(cells[c++], NUM_MAX, "%ld", s->developed);
	snprintf(cells[c++], NUM_MAX, "%.2f", two_decimals(s->percent));
	snprintf(cells[c++], NUM_MAX, "%ld", s->errors);
	snprintf(cells[c++], NUM_MAX, "%ld", s->warnings);
}

/* label_of(cfg, name): the summary label of the status field name. */
static const char *
label_of(const struct rules_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nfields; i++)
		if (cfg->fields[i].role == RULES_ROLE_STATUS &&
		    strcmp(cfg->fields[i].name, name) == 0 && cfg->fields[i].label != NULL)
			return cfg->fields[i].label;
	return report_status_key(name);
}

#define MISSING_MARK " (ไม่มีแท็บนี้)"

static void
write_summary(FILE *f, const struct rules_report *r, const struct rules_config *cfg)
{
	struct table t;
	char cells[SUMMARY_COLS][NUM_MAX], name[1024];
	size_t i, c, w;

	memset(&t, 0, sizeof(t));
	t.head[t.ncols++] = "อำเภอ";
	t.head[t.ncols++] = "ครัวเรือนเป้าหมาย";
	for (i = 0; i < r->nstatus; i++)
		t.head[t.ncols++] = label_of(cfg, r->status_names[i]);
	t.head[t.ncols++] = "ยังไม่จำแนก";
	t.head[t.ncols++] = "ได้รับการพัฒนา";
	t.head[t.ncols++] = "ร้อยละ";
	t.head[t.ncols++] = "ต้องแก้ไข";
	t.head[t.ncols++] = "ข้อสังเกต";
	for (c = 0; c < t.ncols; c++)
		t.width[c] = textwidth(t.head[c]);
	for (i = 0; i < r->nsummary; i++) {
		w = textwidth(r->summary[i].district) +
		    (r->summary[i].missing ? textwidth(MISSING_MARK) : 0);
		if (w > t.width[0])
			t.width[0] = w;
		summary_cells(r, &r->summary[i], cells);
		for (c = 1; c < t.ncols; c++)
			if (strlen(cells[c - 1]) > t.width[c])
				t.width[c] = strlen(cells[c - 1]);
	}
	for (c = 0; c < t.ncols; c++) {
		if (c > 0)
			fputs("  ", f);
		pad(f, t.head[c], t.width[c], c > 0);
	}
	fputc('\n', f);
	for (i = 0; i < r->nsummary; i++) {
		snprintf(name, sizeof(name), "%s%s", r->summary[i].district != NULL ?
		    r->summary[i].district : "", r->summary[i].missing ? MISSING_MARK : "");
		pad(f, name, t.width[0], 0);
		summary_cells(r, &r->summary[i], cells);
		for (c = 1; c < t.ncols; c++) {
			fputs("  ", f);
			pad(f, cells[c - 1], t.width[c], 1);
		}
		fputc('\n', f);
	}
}

/* The widths of the finding columns, over every finding (one alignment). */
struct fwidth {
	size_t sev, row, key, col, rule;
};

static void
row_text(const struct rules_finding *fd, char *out, size_t n)
{
	if (fd->row > 0)
		snprintf(out, n, "row %u", (unsigned)fd->row);
	else
		snprintf(out, n, "-");
}

static void
write_finding(FILE *f, const struct rules_finding *fd, const struct fwidth *w)
{
	char row[NUM_MAX];

	row_text(fd, row, sizeof(row));
	fputs("  ", f);
	pad(f, fd->severity == RULES_ERROR ? "error" : "warning", w->sev, 0);
	fputs("  ", f);
	pad(f, row, w->row, 0);
	fputs("  ", f);
	pad(f, fd->key != NULL ? fd->key : "-", w->key, 0);
	fputs("  ", f);
	pad(f, fd->column != NULL ? fd->column : "-", w->col, 0);
	fputs("  ", f);
	pad(f, fd->rule, w->rule, 0);
	fputs("  ", f);
	fputs(fd->message != NULL ? fd->message : "", f);
	fputc('\n', f);
}

/* same_tab(a, b): both NULL or equal. */
static int
same_tab(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/*
 * write_group(f, r, tab, title, w): the findings of one tab (NULL: the
 * sheet-level ones), errors first, under a heading; nothing when none.
 */
static void
write_group(FILE *f, const struct rules_report *r, const char *tab, const char *title,
    const struct fwidth *w)
{
	size_t i, ne = 0, nw = 0;
	int sev;

	for (i = 0; i < r->nfindings; i++)
		if (same_tab(r->findings[i].tab, tab)) {
			if (r->findings[i].severity == RULES_ERROR)
				ne++;
			else
				nw++;
		}
	if (ne + nw == 0)
		return;
	fprintf(f, "\n%s: %zu error%s, %zu warning%s\n", title, ne, ne == 1 ? "" : "s",
	    nw, nw == 1 ? "" : "s");
	for (sev = RULES_ERROR; sev <= RULES_WARNING; sev++)
		for (i = 0; i < r->nfindings; i++)
			if (same_tab(r->findings[i].tab, tab) &&
			    (int)r->findings[i].severity == sev)
				write_finding(f, &r->findings[i], w);
}

static void
widen(size_t *w, const char *s)
{
	size_t n = textwidth(s);

	if (n > *w)
		*w = n;
}

static void
write_findings(FILE *f, const struct rules_report *r, const struct rules_config *cfg)
{
	struct fwidth w = { 5, 1, 1, 1, 1 };
	const struct rules_finding *fd;
	char row[NUM_MAX];
	size_t i, j;
	int seen;

	for (i = 0; i < r->nfindings; i++) {
		fd = &r->findings[i];
		if (fd->severity == RULES_WARNING)
			w.sev = 7;
		row_text(fd, row, sizeof(row));
		widen(&w.row, row);
		widen(&w.key, fd->key != NULL ? fd->key : "-");
		widen(&w.col, fd->column != NULL ? fd->column : "-");
		widen(&w.rule, fd->rule);
	}
	fprintf(f, "\ndiscrepancies: %zu error%s, %zu warning%s\n",
	    report_count(r, RULES_ERROR), report_count(r, RULES_ERROR) == 1 ? "" : "s",
	    report_count(r, RULES_WARNING), report_count(r, RULES_WARNING) == 1 ? "" : "s");
	/* Districts in summary order (the last summary row is the total). */
	for (i = 0; i + 1 < r->nsummary; i++)
		write_group(f, r, r->summary[i].district, r->summary[i].district, &w);
	/* Tabs not in the summary (none today, but never drop a finding). */
	for (i = 0; i < r->nfindings; i++) {
		fd = &r->findings[i];
		if (fd->tab == NULL)
			continue;
		seen = 0;
		for (j = 0; j + 1 < r->nsummary && !seen; j++)
			seen = same_tab(fd->tab, r->summary[j].district);
		for (j = 0; j < i && !seen; j++)
			seen = same_tab(fd->tab, r->findings[j].tab);
		if (!seen)
			write_group(f, r, fd->tab, fd->tab, &w);
	}
	write_group(f, r, NULL, cfg->total_label != NULL ? cfg->total_label : "province", &w);
}

int
report_write_summary_text(FILE *f, const struct rules_report *r,
    const struct rules_config *cfg, struct err *e)
{
	write_summary(f, r, cfg);
	if (fflush(f) == EOF || ferror(f)) {
		err_set(e, ERR_IO, "cannot write the summary");
		return -1;
	}
	return 0;
}

int
report_write_text(FILE *f, const struct rules_report *r, const struct rules_config *cfg,
    struct err *e)
{
	char day[16];

	if (today_format(r->today, day, sizeof(day)) == -1)
		snprintf(day, sizeof(day), "?");
	fprintf(f, "as of %s\n\n", day);
	write_summary(f, r, cfg);
	write_findings(f, r, cfg);
	if (fflush(f) == EOF || ferror(f)) {
		err_set(e, ERR_IO, "cannot write the report");
		return -1;
	}
	return 0;
}
