/*
 * rules: the pure rules engine of DOMAIN.md.
 *
 * rules_evaluate() reads every district tab of a workbook, finds the
 * configured columns by their normalised headings, classifies each household
 * (status marks, activity fields, the date window), counts the summary and
 * collects every discrepancy with its stable rule id, then sorts them:
 * errors first, then warnings; within each, tab findings in tab order
 * (sheet-level ones last), then row, then column (the order of cfg->fields),
 * then the order of DOMAIN.md's table of rules.
 *
 * It must stay pure: libc only, no I/O, no clock, no globals, no logging.
 * Work is linear in the cells: duplicate keys go through a hash table.
 *
 * This file holds rules_evaluate, which reads as DOMAIN.md's rule groups
 * in the order they apply, the tab- and sheet-level rules, and the column
 * mapping the shell uses too; the row-level rules are in household.c, and
 * the bookkeeping both share (findings, keys, message text) in eval.c.
 *
 * Choices where DOMAIN.md leaves room (tests in tests/check_rules.c):
 * - Every row-level finding names a column: "the first offending one":
 *   status.missing the first status column, activity.missing the first
 *   activity column, activity.incomplete the first empty activity column,
 *   activity.not_developable the first filled one, key rules the key column.
 * - Tab-level findings have row 0 and no key; tab.header_missing's column is
 *   the configured heading (normalised); tab.missing has no column.
 * - Every configured heading that is not found is a tab.header_missing; only
 *   a missing required one stops the tab's rows from being read.  Such a tab
 *   counts zero households but its rows were not evaluated, so
 *   district.no_developable ("tab-level rules apply to evaluated tabs only")
 *   does not fire on it: its tab.header_missing findings say what to fix.
 *   A missing tab is not evaluated either.
 * - A row is content when a mapped column is not blank; a status cell
 *   holding an empty mark (0, FALSE: DOMAIN.md calls it "empty") is not
 *   content, so rows of unticked checkboxes below the households are
 *   skipped, not household.key_missing.
 * - A missing tab's summary row has zero counts, errors = 1 (its
 *   tab.missing), missing = 1.
 * - status.multiple counts an invalid mark as a mark (DOMAIN.md: "an
 *   invalid mark and a second mark gets both"): two or more status cells
 *   that are not empty.
 * - A duplicate household is counted and classified where it stands.
 * - Activity rules apply to developable households; activity.not_developable
 *   to households classified otherwise; an unclassified household's
 *   activity fields are not checked.
 * - A cell holding only white space is empty.
 * - Tab titles are compared exactly; a district configured twice is
 *   evaluated once.  heading_row 0 means the default, 2.
 * - Under an empty district list, a tab with none of the required headings
 *   (those given as column letters aside) is not a district
 *   (rules_tab_is_district): no summary row, one tab.not_district warning
 *   that names it in its tab field but sorts and counts as sheet-level (the
 *   total row only).  A configuration whose required fields are all column
 *   letters cannot tell: every tab is then a district.
 */
#include "rules/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cell.h"
#include "rules/date.h"
#include "rules/eval.h"
#include "rules/household.h"

#define HEADING_MAX 2048	/* longest heading we compare */

/* The ids of eval.h's enum rule, in its order (DOMAIN.md's table). */
static const char *const rule_ids[] = {
	"status.missing", "status.multiple", "status.invalid_mark",
	"activity.missing", "activity.incomplete", "activity.not_developable",
	"activity.date_invalid", "activity.date_out_of_window",
	"household.key_missing", "household.duplicate", "tab.missing",
	"tab.not_district", "tab.header_missing", "district.no_developable",
	"province.below_minimum",
};

size_t
rules_id_count(void)
{
	return sizeof(rule_ids) / sizeof(rule_ids[0]);
}

const char *
rules_id_at(size_t i)
{
	return i < rules_id_count() ? rule_ids[i] : NULL;
}

static void
layout_of(const struct rules_config *cfg, struct layout *lo)
{
	size_t i, nf = cfg->nfields < RULES_MAX_FIELDS ? cfg->nfields :
	    RULES_MAX_FIELDS;

	memset(lo, 0, sizeof(*lo));
	lo->key = -1;
	lo->developable = -1;
	for (i = 0; i < nf; i++) {
		switch (cfg->fields[i].role) {
		case RULES_ROLE_KEY:
			if (lo->key < 0)
				lo->key = (int)i;
			break;
		case RULES_ROLE_STATUS:
			if (cfg->fields[i].developable && lo->developable < 0)
				lo->developable = (int)lo->nstatus;
			lo->status[lo->nstatus++] = (int)i;
			break;
		case RULES_ROLE_ACTIVITY:
			lo->activity[lo->nactivity++] = (int)i;
			break;
		case RULES_ROLE_INFO:
		default:
			break;
		}
	}
}

static int
field_column_letter(const struct rules_field *f)
{
	return cell_column_letters(f->heading);
}

/*
 * merged_above(above, hr, heading, want, size): the column whose cell in the
 * row above the headings holds heading (normalised) while its heading-row
 * cell is empty, or -1.  want is scratch space.
 */
static int32_t
merged_above(const struct workbook_row *above, const struct workbook_row *hr, const char *heading,
    char *want, size_t size)
{
	const struct workbook_cell *c;
	uint32_t j;
	int k, pass;

	if (heading == NULL)
		return -1;
	/* As in the heading row: exact normalised match, then white space removed. */
	for (pass = 0; pass < 2; pass++) {
		k = (pass ? cell_heading_fold : cell_heading_normalise)(heading,
		    strlen(heading), want, size);
		if (k <= 0)
			return -1;
		for (j = 0; j < above->ncells; j++) {
			c = &above->cells[j];
			if (c->type == WORKBOOK_EMPTY || c->text == NULL)
				continue;
			if (hr != NULL && j < hr->ncells && !cell_is_blank(&hr->cells[j]))
				continue;
			if (cell_heading_equals(c->text, c->len, want, (size_t)k, pass))
				return (int32_t)j;
		}
	}
	return -1;
}

int
rules_map_columns(const struct workbook_tab *tab, const struct rules_config *cfg,
    int32_t cols[RULES_MAX_FIELDS])
{
	char want[HEADING_MAX];
	const struct workbook_row *hr = NULL;
	const struct workbook_cell *c;
	uint32_t hrow = cfg->heading_row ? cfg->heading_row : 2;
	size_t i, nf = cfg->nfields < RULES_MAX_FIELDS ? cfg->nfields :
	    RULES_MAX_FIELDS;
	uint32_t j;
	int pass, missing = 0, letter, k;

	if (tab != NULL && hrow <= tab->nrows)
		hr = &tab->rows[hrow - 1];
	for (i = 0; i < RULES_MAX_FIELDS; i++)
		cols[i] = -1;
	for (i = 0; i < nf; i++) {
		const struct rules_field *f = &cfg->fields[i];

		if ((letter = field_column_letter(f)) >= 0) {
			cols[i] = letter;
			continue;
		}
		/* Exact normalised match first, then with white space removed. */
		for (pass = 0; pass < 2 && cols[i] < 0 && hr != NULL; pass++) {
			k = (pass ? cell_heading_fold : cell_heading_normalise)(
			    f->heading, f->heading ? strlen(f->heading) : 0,
			    want, sizeof(want));
			if (k <= 0)
				break;
			for (j = 0; j < hr->ncells; j++) {
				c = &hr->cells[j];
				if (c->type == WORKBOOK_EMPTY || c->text == NULL)
					continue;
				if (cell_heading_equals(c->text, c->len, want,
				    (size_t)k, pass)) {
					cols[i] = (int32_t)j;
					break;
				}
			}
		}
		/*
		 * A heading merged down over the row above (ลำดับ, รหัสบ้าน
		 * often are) leaves the heading row's cell empty: Sheets returns
		 * the text in the merge's first cell only.  Take the row above's
		 * text, but only over an empty heading cell.
		 */
		if (cols[i] < 0 && tab != NULL && hrow >= 2 && hrow - 1 <= tab->nrows)
			cols[i] = merged_above(&tab->rows[hrow - 2], hr, f->heading, want,
			    sizeof(want));
		if (cols[i] < 0 && f->required)
			missing++;
	}
	return missing;
}

int
rules_is_snapshot_title(const char *title)
{
	size_t n = strlen(RULES_SNAPSHOT_PREFIX);
	int32_t d;

	return title != NULL && strncmp(title, RULES_SNAPSHOT_PREFIX, n) == 0 &&
	    date_parse(title + n, strlen(title + n), 0, &d) == 0;
}

int
rules_is_district(const struct rules_config *cfg, const char *title)
{
	size_t i;

	if (title == NULL)
		return 0;
	if (cfg->ndistricts == 0)
		return !(cfg->history_tab != NULL && cfg->history_tab[0] != '\0' &&
		    strcmp(title, cfg->history_tab) == 0) &&
		    !rules_is_snapshot_title(title) &&
		    !(cfg->summary_tab != NULL &&
		    strcmp(title, cfg->summary_tab) == 0) &&
		    !(cfg->discrepancy_tab != NULL &&
		    strcmp(title, cfg->discrepancy_tab) == 0);
	for (i = 0; i < cfg->ndistricts && i < RULES_MAX_DISTRICTS; i++)
		if (cfg->districts[i] != NULL &&
		    strcmp(title, cfg->districts[i]) == 0)
			return 1;
	return 0;
}

int
rules_tab_is_district(const struct rules_config *cfg, const struct workbook_tab *tab)
{
	int32_t cols[RULES_MAX_FIELDS];
	size_t i, nf = cfg->nfields < RULES_MAX_FIELDS ? cfg->nfields :
	    RULES_MAX_FIELDS;
	int by_heading = 0;

	if (tab == NULL || !rules_is_district(cfg, tab->title))
		return 0;
	if (cfg->ndistricts > 0)
		return 1;
	rules_map_columns(tab, cfg, cols);
	for (i = 0; i < nf; i++) {
		const struct rules_field *f = &cfg->fields[i];

		if (!f->required || field_column_letter(f) >= 0)
			continue;
		by_heading++;
		if (cols[i] >= 0)
			return 1;
	}
	return by_heading == 0;
}

/* The text naming column col of tab for field i: its heading, else letters. */
static char *
column_name(struct eval *ev, const struct workbook_tab *tab, const struct rules_field *f,
    int32_t col)
{
	uint32_t hrow = ev->cfg->heading_row ? ev->cfg->heading_row : 2;
	const struct workbook_cell *c = NULL;
	char *out;
	int n;

	if (col >= 0 && hrow <= tab->nrows &&
	    (uint32_t)col < tab->rows[hrow - 1].ncells)
		c = &tab->rows[hrow - 1].cells[col];
	if (c == NULL || cell_is_blank(c))
		return eval_dupstr(ev, f->heading);
	if ((out = malloc((size_t)c->len + 1)) == NULL) {
		ev->oom = 1;
		return NULL;
	}
	n = cell_heading_normalise(c->text, c->len, out, (size_t)c->len + 1);
	if (n < 0)
		out[0] = '\0';
	return out;
}

/*
 * tab_rules(ev, lo, tab): the rules of one district tab (tab NULL:
 * configured but absent): tab.missing, tab.header_missing, the households'
 * (household.c), district.no_developable.
 */
static void
tab_rules(struct eval *ev, const struct layout *lo, const struct workbook_tab *tab)
{
	const struct rules_config *cfg = ev->cfg;
	int32_t cols[RULES_MAX_FIELDS];
	char msg[MSG_MAX], want[HEADING_MAX], tail[256];
	size_t i, len, nf = cfg->nfields < RULES_MAX_FIELDS ? cfg->nfields :
	    RULES_MAX_FIELDS;
	uint32_t hrow = cfg->heading_row ? cfg->heading_row : 2;
	int missing, dev;

	if (tab == NULL) {
		ev->sum->missing = 1;
		snprintf(msg, sizeof(msg), "ไม่พบแท็บของอำเภอ %s", ev->title);
		eval_add(ev, R_TAB_MISSING, RULES_ERROR, 0, NULL, -1, NULL, msg);
		return;
	}
	missing = rules_map_columns(tab, cfg, cols);
	for (i = 0; i < nf; i++)
		ev->colname[i] = cols[i] >= 0 ?
		    column_name(ev, tab, &cfg->fields[i], cols[i]) : NULL;
	for (i = 0; i < nf; i++) {
		const struct rules_field *f = &cfg->fields[i];

		if (cols[i] >= 0)
			continue;
		if (cell_heading_normalise(f->heading, f->heading ?
		    strlen(f->heading) : 0, want, sizeof(want)) < 0)
			want[0] = '\0';
		len = 0;
		eval_append(msg, &len, sizeof(msg), "ไม่พบหัวคอลัมน์ \"", sizeof(msg));
		eval_append(msg, &len, sizeof(msg), want, NAME_MAX_BYTES);
		snprintf(tail, sizeof(tail), "\" ในแถวที่ %u%s", hrow,
		    f->required ? " จึงไม่ได้ตรวจข้อมูลครัวเรือนในแท็บนี้" : "");
		eval_append(msg, &len, sizeof(msg), tail, sizeof(msg));
		eval_add(ev, R_TAB_HEADER_MISSING, RULES_ERROR, 0, NULL, (int)i, want,
		    msg);
	}
	if (missing == 0)
		household_rows(ev, lo, tab, cols);
	if (missing == 0 && lo->developable >= 0) {
		dev = lo->developable < RULES_MAX_STATUSES ?
		    (int)ev->sum->status[lo->developable] : 0;
		if (dev < cfg->district_minimum) {
			snprintf(msg, sizeof(msg), "อำเภอ %s มีครัวเรือนที่พัฒนาได้ "
			    "%d ครัวเรือน ต้องมีอย่างน้อย %ld ครัวเรือน",
			    ev->title, dev, cfg->district_minimum);
			eval_add(ev, R_DISTRICT_NO_DEVELOPABLE,
			    eval_severity(ev, cfg->classification_deadline), 0, NULL,
			    -1, NULL, msg);
		}
	}
	for (i = 0; i < nf; i++) {
		free(ev->colname[i]);
		ev->colname[i] = NULL;
	}
}

/* Round half up of developed * 100 / developable, two decimals. */
static double
percent(long developed, long developable)
{
	long long num, den;

	if (developable <= 0)
		return 0;
	num = (long long)developed * 10000 * 2 + developable;
	den = (long long)developable * 2;
	return (double)(num / den) / 100.0;
}

/* "40,000" from 40000: the income floor in a message. */
static void
thousands(double v, char *out, size_t size)
{
	char digits[64];
	size_t n, i, o = 0;
	long long x = v < 0 ? 0 : v > 1e15 ? (long long)1e15 : (long long)v;

	snprintf(digits, sizeof(digits), "%lld", x);
	n = strlen(digits);
	for (i = 0; i < n && o + 2 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

/* Which tabs are evaluated as districts, in order, and which are not. */
struct districts {
	const struct workbook_tab **tabs;	/* owned array; NULL: configured, absent */
	const char **titles;			/* owned array of borrowed titles */
	size_t n;
	const struct workbook_tab **others;	/* owned: tabs that are no district */
	size_t nothers;
	size_t rows;				/* rows of the district tabs in all */
};

/*
 * districts_find(d, wb, cfg): the district tabs of wb: under an empty
 * district list the tabs rules_tab_is_district takes, in tab order (the
 * others rules_is_district would take are d->others); else the configured
 * ones in their order, once each.  0, or -1 when memory ran out.
 */
static int
districts_find(struct districts *d, const struct workbook *wb,
    const struct rules_config *cfg)
{
	size_t i, j, cap;

	memset(d, 0, sizeof(*d));
	cap = cfg->ndistricts ? cfg->ndistricts : wb->ntabs;
	if (cap > RULES_MAX_DISTRICTS && cfg->ndistricts)
		cap = RULES_MAX_DISTRICTS;
	d->tabs = calloc(cap + 1, sizeof(*d->tabs));
	d->titles = calloc(cap + 1, sizeof(*d->titles));
	d->others = calloc(wb->ntabs + 1, sizeof(*d->others));
	if (d->tabs == NULL || d->titles == NULL || d->others == NULL)
		return -1;
	if (cfg->ndistricts == 0) {
		for (i = 0; i < wb->ntabs; i++)
			if (rules_tab_is_district(cfg, &wb->tabs[i])) {
				d->tabs[d->n] = &wb->tabs[i];
				d->titles[d->n++] = wb->tabs[i].title;
			} else if (rules_is_district(cfg, wb->tabs[i].title))
				d->others[d->nothers++] = &wb->tabs[i];
	} else {
		for (i = 0; i < cap; i++) {
			const char *name = cfg->districts[i];

			if (name == NULL)
				continue;
			for (j = 0; j < d->n && strcmp(d->titles[j], name) != 0; j++)
				;
			if (j < d->n)
				continue;	/* configured twice */
			d->titles[d->n] = name;
			for (j = 0; j < wb->ntabs; j++)
				if (wb->tabs[j].title != NULL &&
				    strcmp(wb->tabs[j].title, name) == 0) {
					d->tabs[d->n] = &wb->tabs[j];
					break;
				}
			d->n++;
		}
	}
	/* Every household is a row of some district tab: the keys' bound. */
	for (i = 0; i < d->n; i++)
		d->rows += d->tabs[i] != NULL ? d->tabs[i]->nrows : 0;
	return 0;
}

static void
districts_fini(struct districts *d)
{
	free(d->tabs);
	free(d->titles);
	free(d->others);
}

/* The district i of d, its rules into ev and its counts into sum. */
static void
district_rules(struct eval *ev, const struct layout *lo, const struct districts *d,
    size_t i, struct rules_summary *sum)
{
	ev->tabix = i;
	ev->title = d->titles[i];
	ev->sum = sum;
	sum->district = eval_dupstr(ev, d->titles[i]);
	tab_rules(ev, lo, d->tabs[i]);
	ev->title = NULL;
	ev->sum = NULL;
}

/* The developable households of s (0 without a developable status). */
static long
developable(const struct layout *lo, const struct rules_summary *s)
{
	return lo->developable >= 0 && lo->developable < RULES_MAX_STATUSES ?
	    s->status[lo->developable] : 0;
}

/*
 * summary_total(ev, lo, out): each district's percentage, and the total
 * row (the last of out->summary) summing them.  Returns the total row.
 */
static struct rules_summary *
summary_total(struct eval *ev, const struct layout *lo, struct rules_report *out)
{
	const struct rules_config *cfg = ev->cfg;
	struct rules_summary *tot = &out->summary[out->nsummary - 1];
	size_t i, j;

	tot->district = eval_dupstr(ev, cfg->total_label ? cfg->total_label :
	    "รวมทั้งจังหวัด");
	for (i = 0; i + 1 < out->nsummary; i++) {
		struct rules_summary *s = &out->summary[i];

		s->percent = lo->developable >= 0 &&
		    lo->developable < RULES_MAX_STATUSES ?
		    percent(s->developed, s->status[lo->developable]) : 0;
		tot->households += s->households;
		for (j = 0; j < RULES_MAX_STATUSES; j++)
			tot->status[j] += s->status[j];
		tot->unclassified += s->unclassified;
		tot->developed += s->developed;
		tot->errors += s->errors;
		tot->warnings += s->warnings;
	}
	tot->percent = percent(tot->developed, developable(lo, tot));
	return tot;
}

/*
 * not_district_rules(ev, d, tot): tab.not_district for each tab that is no
 * district: named once, sorted with the sheet-level findings, counted in
 * the total row only.
 */
static void
not_district_rules(struct eval *ev, const struct districts *d,
    struct rules_summary *tot)
{
	const struct rules_config *cfg = ev->cfg;
	char msg[MSG_MAX];
	size_t i, j, len;

	for (i = 0; i < d->nothers && !ev->oom; i++) {
		len = 0;
		eval_append(msg, &len, sizeof(msg), "แท็บ \"", sizeof(msg));
		eval_append(msg, &len, sizeof(msg), d->others[i]->title, NAME_MAX_BYTES);
		eval_append(msg, &len, sizeof(msg), "\" ไม่มีหัวคอลัมน์ที่ต้องมี (เช่น ",
		    sizeof(msg));
		for (j = 0; j < cfg->nfields && j < RULES_MAX_FIELDS; j++)
			if (cfg->fields[j].required && cfg->fields[j].heading != NULL &&
			    field_column_letter(&cfg->fields[j]) < 0)
				break;
		eval_append(msg, &len, sizeof(msg), j < cfg->nfields && j < RULES_MAX_FIELDS ?
		    cfg->fields[j].heading : "?", NAME_MAX_BYTES);
		eval_append(msg, &len, sizeof(msg), ") จึงไม่นับเป็นอำเภอและไม่มีแถวในสรุป",
		    sizeof(msg));
		ev->title = d->others[i]->title;
		ev->tabix = SIZE_MAX;	/* sorted with the sheet-level findings */
		eval_add(ev, R_TAB_NOT_DISTRICT, RULES_WARNING, 0, NULL, -1, NULL, msg);
		tot->warnings++;
	}
	ev->title = NULL;
}

/* province_rules(ev, lo, tot): province.below_minimum, counted in tot. */
static void
province_rules(struct eval *ev, const struct layout *lo, struct rules_summary *tot)
{
	const struct rules_config *cfg = ev->cfg;
	long dev = developable(lo, tot);
	char msg[MSG_MAX], floorbuf[64];
	enum rules_severity sev;

	if (lo->developable < 0 || dev >= cfg->province_minimum)
		return;
	thousands(cfg->income_floor, floorbuf, sizeof(floorbuf));
	snprintf(msg, sizeof(msg), "ทั้งจังหวัดมีครัวเรือนที่พัฒนาได้ %ld "
	    "ครัวเรือน น้อยกว่า %ld ครัวเรือน: ต้องเพิ่มครัวเรือนที่มีรายได้ "
	    "%s บาท/คน/ปีขึ้นไป และ/หรือมีปัญหาในมิติอื่น", dev,
	    cfg->province_minimum, floorbuf);
	sev = eval_severity(ev, cfg->classification_deadline);
	eval_add(ev, R_PROVINCE_BELOW_MINIMUM, sev, 0, NULL, -1, NULL, msg);
	if (sev == RULES_ERROR)
		tot->errors++;
	else
		tot->warnings++;
}

int
rules_evaluate(const struct workbook *wb, const struct rules_config *cfg,
    int32_t today, struct rules_report *out)
{
	struct eval ev;
	struct layout lo;
	struct districts d;
	struct rules_summary *tot;
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	eval_init(&ev, cfg, today);
	layout_of(cfg, &lo);
	out->today = today;
	for (i = 0; i < lo.nstatus && i < RULES_MAX_STATUSES; i++)
		out->status_names[i] = cfg->fields[lo.status[i]].name;
	out->nstatus = i;
	if (districts_find(&d, wb, cfg) == -1 ||
	    (out->summary = calloc(d.n + 1, sizeof(*out->summary))) == NULL ||
	    eval_reserve_keys(&ev, d.rows) == -1)
		goto done;
	out->nsummary = d.n + 1;

	/* Each district: its tab's rules, then its households' (row rules). */
	for (i = 0; i < d.n && !ev.oom; i++)
		district_rules(&ev, &lo, &d, i, &out->summary[i]);
	/* The total row; then the sheet-level rules, counted in it. */
	tot = summary_total(&ev, &lo, out);
	not_district_rules(&ev, &d, tot);
	province_rules(&ev, &lo, tot);
	/* The findings, sorted, into the report. */
	if (!ev.oom && eval_report(&ev, out) == 0)
		rc = 0;
done:
	eval_fini(&ev);
	districts_fini(&d);
	if (rc == -1)
		rules_report_fini(out);
	return rc;
}

void
rules_report_fini(struct rules_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nsummary; i++)
		free(r->summary[i].district);
	free(r->summary);
	for (i = 0; i < r->nfindings; i++) {
		free(r->findings[i].tab);
		free(r->findings[i].key);
		free(r->findings[i].column);
		free(r->findings[i].message);
	}
	free(r->findings);
	memset(r, 0, sizeof(*r));
}

void
rules_config_default(struct rules_config *cfg)
{
	static const struct rules_field fields[] = {
		{ "key", "รหัสบ้าน", NULL, RULES_ROLE_KEY, 1, 0, 0 },
		{ "name", "ชื่อ - สกุล หัวหน้าครัวเรือน", NULL, RULES_ROLE_INFO,
		    0, 0, 0 },
		{ "house_no", "บ้านเลขที่", NULL, RULES_ROLE_INFO, 0, 0, 0 },
		{ "moo", "หมู่ที่", NULL, RULES_ROLE_INFO, 0, 0, 0 },
		{ "tambon", "ตำบล", NULL, RULES_ROLE_INFO, 0, 0, 0 },
		{ "income", "รายได้เฉลี่ย (บาท/คน/ปี)", NULL, RULES_ROLE_INFO,
		    0, 0, 0 },
		{ "status.developable", "คร. ที่พัฒนาได้", "พัฒนาได้",
		    RULES_ROLE_STATUS, 1, 0, 1 },
		{ "status.welfare", "คร. ที่ขอรับการสงเคราะห์",
		    "ขอรับการสงเคราะห์", RULES_ROLE_STATUS, 1, 0, 0 },
		{ "status.self_reliant",
		    "คร. ที่พึ่งตนเองได้ (ไม่ขอรับความช่วยเหลือ)", "พึ่งตนเองได้",
		    RULES_ROLE_STATUS, 1, 0, 0 },
		{ "status.other", "คร. อื่น ๆ (เช่น เสียชีวิต/ย้าย)", "อื่น ๆ",
		    RULES_ROLE_STATUS, 1, 0, 0 },
		{ "activity.name", "ชื่อกิจกรรมพัฒนา", NULL, RULES_ROLE_ACTIVITY,
		    1, 0, 0 },
		{ "activity.method",
		    "วิธีการ/ขั้นตอนการดำเนินการกิจกรรมการพัฒนา", NULL,
		    RULES_ROLE_ACTIVITY, 1, 0, 0 },
		{ "activity.date", "วันที่ดำเนินการ", NULL, RULES_ROLE_ACTIVITY,
		    1, 1, 0 },
		{ "activity.place", "สถานที่ดำเนินการ", NULL,
		    RULES_ROLE_ACTIVITY, 1, 0, 0 },
		{ "activity.agency", "หน่วยดำเนินการ (หลัก/ร่วม)", NULL,
		    RULES_ROLE_ACTIVITY, 1, 0, 0 },
		{ "activity.result", "ผลที่ได้รับ/ความสำเร็จของการดำเนินงาน",
		    NULL, RULES_ROLE_ACTIVITY, 1, 0, 0 },
	};
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		cfg->fields[i] = fields[i];
	cfg->nfields = i;
	cfg->marks_set[0] = "1";
	cfg->marks_set[1] = "TRUE";
	cfg->nmarks_set = 2;
	cfg->marks_empty[0] = "0";
	cfg->marks_empty[1] = "FALSE";
	cfg->nmarks_empty = 2;
	cfg->fiscal_year_start = date_days_from_civil(2023, 10, 1);
	cfg->classification_deadline = date_days_from_civil(2024, 1, 31);
	cfg->activity_deadline = date_days_from_civil(2024, 3, 20);
	cfg->district_minimum = 1;
	cfg->province_minimum = 10;
	cfg->income_floor = 40000;
	cfg->heading_row = 2;
	cfg->summary_tab = "สรุปข้อมูล";
	cfg->discrepancy_tab = "ตรวจสอบข้อมูล";
	cfg->total_label = "รวมทั้งจังหวัด";
}

int32_t
rules_days_from_civil(int y, int m, int d)
{
	return date_days_from_civil(y, m, d);
}

void
rules_civil_from_days(int32_t days, int *y, int *m, int *d)
{
	date_civil_from_days(days, y, m, d);
}

int
rules_date_parse(const char *text, size_t len, int is_number, int32_t *days)
{
	return date_parse(text, len, is_number, days);
}

int
rules_parse_ymd(const char *s, int32_t *days)
{
	return date_parse_ymd(s, days);
}

int
rules_key_normalise(const char *text, size_t len, int is_number, char *out,
    size_t outsize)
{
	return cell_key_normalise(text, len, is_number, out, outsize);
}

int
rules_heading_normalise(const char *text, size_t len, char *out,
    size_t outsize)
{
	return cell_heading_normalise(text, len, out, outsize);
}
