/*
 * check_rules: the rules engine against DOMAIN.md, rule by rule: for every
 * rule id a case where it fires (with its severity, row, key and column) and
 * one where it must not; the summary counts; finding order; the ways
 * districts shape their tabs (reordered and extra columns, line breaks and
 * NBSP in headings, column letters, short and empty rows, keys typed with
 * Thai digits, hyphens or as numbers).  Workbooks are built in C below.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

/* ---- a small workbook builder ---- */

#define T_TABS 8
#define T_ROWS 64
#define T_COLS 24

/*
 * Cell specs: NULL is an absent cell, "#45337" a JSON number, "?TRUE" a
 * boolean, anything else a string.  Trailing NULLs make a short row.
 */
static struct workbook wb;
static struct workbook_tab tabs[T_TABS];
static struct workbook_row rows[T_TABS][T_ROWS];
static struct workbook_cell cells[T_TABS][T_ROWS][T_COLS];

/* The demo layout of DOMAIN.md, columns A..Q. */
static const char *const demo_headings[17] = {
	"ลำดับ", "รหัสบ้าน", "ชื่อ - สกุล หัวหน้าครัวเรือน", "บ้านเลขที่",
	"หมู่ที่", "ตำบล", "รายได้เฉลี่ย (บาท/คน/ปี)", "คร. ที่พัฒนาได้",
	"คร. ที่ขอรับการสงเคราะห์",
	"คร. ที่พึ่งตนเองได้ (ไม่ขอรับความช่วยเหลือ)",
	"คร. อื่น ๆ (เช่น เสียชีวิต/ย้าย)", "ชื่อกิจกรรมพัฒนา",
	"วิธีการ/ขั้นตอนการดำเนินการกิจกรรมการพัฒนา", "วันที่ดำเนินการ",
	"สถานที่ดำเนินการ", "หน่วยดำเนินการ (หลัก/ร่วม)",
	"ผลที่ได้รับ/ความสำเร็จของการดำเนินงาน",
};
#define H_KEY demo_headings[1]
#define H_DEV demo_headings[7]
#define H_WELFARE demo_headings[8]
#define H_OTHER demo_headings[10]
#define H_ACT_NAME demo_headings[11]
#define H_ACT_METHOD demo_headings[12]
#define H_ACT_DATE demo_headings[13]
#define H_ACT_PLACE demo_headings[14]

static void
wb_reset(void)
{
	memset(&wb, 0, sizeof(wb));
	memset(tabs, 0, sizeof(tabs));
	memset(rows, 0, sizeof(rows));
	memset(cells, 0, sizeof(cells));
	wb.tabs = tabs;
}

static struct workbook_tab *
tab_new(const char *title)
{
	struct workbook_tab *t = &tabs[wb.ntabs];

	ck_assert_int_lt((int)wb.ntabs, T_TABS);
	t->title = title;
	t->sheet_id = (int64_t)wb.ntabs;
	t->rows = rows[wb.ntabs];
	wb.ntabs++;
	return t;
}

static void
set_cell(struct workbook_cell *c, const char *spec)
{
	if (spec == NULL) {
		c->type = WORKBOOK_EMPTY;
		c->text = NULL;
		c->len = 0;
	} else if (spec[0] == '#' && spec[1] != '\0') {
		c->type = WORKBOOK_NUMBER;
		c->text = spec + 1;
	} else if (spec[0] == '?' && spec[1] != '\0') {
		c->type = WORKBOOK_BOOL;
		c->text = spec + 1;
	} else {
		c->type = WORKBOOK_STRING;
		c->text = spec;
	}
	if (c->text != NULL)
		c->len = (uint32_t)strlen(c->text);
}

/* Append a row of n cell specs (trailing absent cells dropped). */
static uint32_t
row_add(struct workbook_tab *t, const char *const *spec, size_t n)
{
	size_t ti = (size_t)(t - tabs), i;
	struct workbook_row *r;

	ck_assert_int_lt((int)t->nrows, T_ROWS);
	ck_assert_int_le((int)n, T_COLS);
	r = &t->rows[t->nrows];
	r->cells = cells[ti][t->nrows];
	while (n > 0 && spec[n - 1] == NULL)
		n--;
	for (i = 0; i < n; i++)
		set_cell(&r->cells[i], spec[i]);
	r->ncells = (uint32_t)n;
	return ++t->nrows;	/* its sheet row number */
}

#define ROW(t, ...) row_add((t), (const char *const[]){ __VA_ARGS__ }, \
	sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

/* A tab with the demo group row and heading row. */
static struct workbook_tab *
demo_tab(const char *title)
{
	struct workbook_tab *t = tab_new(title);

	ROW(t, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    "การจำแนกสถานะครัวเรือน (ใส่เลข 1 ในช่องที่เลือก)", NULL, NULL, NULL,
	    "การดำเนินงานเพื่อการพัฒนาครัวเรือนเป้าหมาย (กรณีที่เป็น คร. ที่พัฒนาได้)");
	row_add(t, demo_headings, 17);
	return t;
}

/* A household of the demo layout. */
struct hh {
	const char *key;
	const char *st[4];	/* developable, welfare, self_reliant, other */
	const char *act[6];	/* name, method, date, place, agency, result */
};

static uint32_t
hh_add(struct workbook_tab *t, const struct hh *h)
{
	const char *spec[17] = { "1", h->key, "นาย ก", "12", "3", "บางคล้า",
	    "#35000" };
	size_t i;

	for (i = 0; i < 4; i++)
		spec[7 + i] = h->st[i];
	for (i = 0; i < 6; i++)
		spec[11 + i] = h->act[i];
	return row_add(t, spec, 17);
}

#define DONE { "ฝึกอาชีพ", "อบรม", "15/01/2567", "ศาลาหมู่บ้าน", "พช.", "มีรายได้เพิ่ม" }
#define DEV { "1", NULL, NULL, NULL }
#define WELFARE { NULL, "1", NULL, NULL }
#define SELF { NULL, NULL, "1", NULL }
#define OTHER { NULL, NULL, NULL, "1" }

/* n developed households with keys base, base+1, ... */
static void
add_done(struct workbook_tab *t, long base, int n)
{
	static char keys[T_TABS * T_ROWS][16];
	static size_t nkeys;
	struct hh h = { NULL, DEV, DONE };
	int i;

	for (i = 0; i < n; i++) {
		if (nkeys == sizeof(keys) / sizeof(keys[0]))
			nkeys = 0;
		snprintf(keys[nkeys], sizeof(keys[0]), "%ld", base + i);
		h.key = keys[nkeys++];
		hh_add(t, &h);
	}
}

static int32_t
day(int y, int m, int d)
{
	return rules_days_from_civil(y, m, d);
}

/* Evaluate wb under cfg as of today; the report must be released. */
static void
eval(const struct rules_config *cfg, int32_t today, struct rules_report *r)
{
	ck_assert_int_eq(rules_evaluate(&wb, cfg, today, r), 0);
}

static void
eval_default(int32_t today, struct rules_report *r)
{
	struct rules_config cfg;

	rules_config_default(&cfg);
	eval(&cfg, today, r);
}

static int
count(const struct rules_report *r, const char *rule)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r->nfindings; i++)
		n += strcmp(r->findings[i].rule, rule) == 0;
	return n;
}

/* The finding of rule on row of tab (row 0: tab-level), or NULL. */
static const struct rules_finding *
find(const struct rules_report *r, const char *rule, const char *tab,
    uint32_t row)
{
	size_t i;

	for (i = 0; i < r->nfindings; i++) {
		const struct rules_finding *f = &r->findings[i];

		if (strcmp(f->rule, rule) != 0 || f->row != row)
			continue;
		if ((tab == NULL) != (f->tab == NULL))
			continue;
		if (tab != NULL && strcmp(tab, f->tab) != 0)
			continue;
		return f;
	}
	return NULL;
}

static void
dump(const struct rules_report *r)
{
	size_t i;

	for (i = 0; i < r->nfindings; i++)
		fprintf(stderr, "  %s %s %s row %u key %s col %s: %s\n",
		    r->findings[i].rule,
		    r->findings[i].severity == RULES_ERROR ? "error" : "warning",
		    r->findings[i].tab ? r->findings[i].tab : "-",
		    r->findings[i].row,
		    r->findings[i].key ? r->findings[i].key : "-",
		    r->findings[i].column ? r->findings[i].column : "-",
		    r->findings[i].message);
}

/* Assert exactly one finding of rule at tab/row and return it. */
static const struct rules_finding *
one(const struct rules_report *r, const char *rule, const char *tab,
    uint32_t row, enum rules_severity sev)
{
	const struct rules_finding *f = find(r, rule, tab, row);

	if (f == NULL)
		dump(r);
	ck_assert_msg(f != NULL, "no %s at %s row %u", rule, tab ? tab : "-",
	    row);
	ck_assert_msg(f->severity == sev, "%s: severity %d, want %d", rule,
	    f->severity, sev);
	ck_assert(f->message != NULL && f->message[0] != '\0');
	ck_assert(strchr(f->message, '\n') == NULL);
	return f;
}

static void
none(const struct rules_report *r, const char *rule)
{
	if (count(r, rule) != 0)
		dump(r);
	ck_assert_msg(count(r, rule) == 0, "%s fired", rule);
}

#define TODAY day(2024, 2, 1)	/* after classification, before activity deadline */

/* A clean province: two districts, 10 developed households. */
START_TEST(test_clean)
{
	struct rules_report r;
	struct workbook_tab *a, *b;

	wb_reset();
	a = demo_tab("บางคล้า");
	add_done(a, 24010000001, 6);
	b = demo_tab("บางปะกง");
	add_done(b, 24020000001, 4);
	tab_new("สรุปข้อมูล");
	tab_new("ตรวจสอบข้อมูล");
	eval_default(TODAY, &r);
	if (r.nfindings)
		dump(&r);
	ck_assert_int_eq((int)r.nfindings, 0);
	ck_assert_int_eq((int)r.nsummary, 3);
	ck_assert_str_eq(r.summary[0].district, "บางคล้า");
	ck_assert_str_eq(r.summary[1].district, "บางปะกง");
	ck_assert_str_eq(r.summary[2].district, "รวมทั้งจังหวัด");
	ck_assert_int_eq(r.summary[0].households, 6);
	ck_assert_int_eq(r.summary[0].status[0], 6);
	ck_assert_int_eq(r.summary[0].developed, 6);
	ck_assert(r.summary[0].percent == 100.0);
	ck_assert_int_eq(r.summary[2].households, 10);
	ck_assert_int_eq(r.summary[2].developed, 10);
	ck_assert_int_eq((int)r.nstatus, 4);
	ck_assert_str_eq(r.status_names[0], "status.developable");
	ck_assert_str_eq(r.status_names[3], "status.other");
	ck_assert_int_eq(r.today, TODAY);
	rules_report_fini(&r);
	rules_report_fini(&r);	/* twice is harmless */
}
END_TEST

/* Builds: tab "ก" with 10 developed households, then the row under test. */
static struct workbook_tab *
base_tab(void)
{
	struct workbook_tab *t;

	wb_reset();
	t = demo_tab("ก");
	add_done(t, 24010000001, 10);
	return t;
}

START_TEST(test_status_missing)
{
	struct rules_report r;
	struct hh h = { "24019999999", { NULL }, { NULL } };
	const struct rules_finding *f;
	uint32_t row;

	row = hh_add(base_tab(), &h);
	eval_default(day(2024, 1, 31), &r);	/* on the deadline: warning */
	f = one(&r, "status.missing", "ก", row, RULES_WARNING);
	ck_assert_str_eq(f->key, "24019999999");
	ck_assert_str_eq(f->column, H_DEV);
	ck_assert_int_eq(r.summary[0].unclassified, 1);
	ck_assert_int_eq(r.summary[0].warnings, 1);
	none(&r, "activity.missing");
	rules_report_fini(&r);
	eval_default(day(2024, 2, 1), &r);	/* the day after: error */
	one(&r, "status.missing", "ก", row, RULES_ERROR);
	ck_assert_int_eq(r.summary[0].errors, 1);
	ck_assert_int_eq(r.summary[1].errors, 1);
	rules_report_fini(&r);

	/* Marked with "0" and FALSE only: still missing, not invalid. */
	{
		struct hh z = { "24019999998", { "0", "?FALSE", "FALSE", "๐" },
		    { NULL } };

		row = hh_add(&tabs[0], &z);
		eval_default(TODAY, &r);
		one(&r, "status.missing", "ก", row, RULES_ERROR);
		none(&r, "status.invalid_mark");
		rules_report_fini(&r);
	}
}
END_TEST

START_TEST(test_status_classified)
{
	struct rules_report r;
	struct hh w = { "24019999991", WELFARE, { NULL } };
	struct hh s = { "24019999992", SELF, { NULL } };
	struct hh o = { "24019999993", OTHER, { NULL } };
	struct hh b = { "24019999994", { NULL, "?TRUE", NULL, NULL }, { NULL } };
	struct hh n = { "24019999995", { NULL, "#1", NULL, NULL }, { NULL } };
	struct hh d = { "24019999996", { " ๑ ", NULL, NULL, NULL }, DONE };
	struct hh t = { "24019999997", { NULL, NULL, "true", NULL }, { NULL } };
	struct workbook_tab *tb = base_tab();

	hh_add(tb, &w);
	hh_add(tb, &s);
	hh_add(tb, &o);
	hh_add(tb, &b);
	hh_add(tb, &n);
	hh_add(tb, &d);
	hh_add(tb, &t);
	eval_default(TODAY, &r);
	if (r.nfindings)
		dump(&r);
	ck_assert_int_eq((int)r.nfindings, 0);
	ck_assert_int_eq(r.summary[0].households, 17);
	ck_assert_int_eq(r.summary[0].status[0], 11);
	ck_assert_int_eq(r.summary[0].status[1], 3);
	ck_assert_int_eq(r.summary[0].status[2], 2);
	ck_assert_int_eq(r.summary[0].status[3], 1);
	ck_assert_int_eq(r.summary[0].unclassified, 0);
	ck_assert_int_eq(r.summary[0].developed, 11);
	rules_report_fini(&r);
}
END_TEST

START_TEST(test_status_multiple_and_invalid)
{
	struct rules_report r;
	struct hh m = { "24019999991", { "1", NULL, "1", NULL }, { NULL } };
	struct hh i = { "24019999992", { NULL, "2", NULL, NULL }, { NULL } };
	struct hh im = { "24019999993", { "/", NULL, NULL, "1" }, { NULL } };
	struct hh ok = { "24019999994", { NULL, "1", "0", "FALSE" }, { NULL } };
	const struct rules_finding *f;
	uint32_t rm, ri, rim;
	struct workbook_tab *t = base_tab();

	rm = hh_add(t, &m);
	ri = hh_add(t, &i);
	rim = hh_add(t, &im);
	hh_add(t, &ok);
	eval_default(day(2024, 1, 20), &r);
	f = one(&r, "status.multiple", "ก", rm, RULES_ERROR);
	ck_assert_str_eq(f->column, H_DEV);
	ck_assert_str_eq(f->key, "24019999991");
	f = one(&r, "status.invalid_mark", "ก", ri, RULES_ERROR);
	ck_assert_str_eq(f->column, H_WELFARE);
	ck_assert_ptr_nonnull(strstr(f->message, "2"));
	/* "an invalid mark and a second mark gets both" */
	one(&r, "status.invalid_mark", "ก", rim, RULES_ERROR);
	one(&r, "status.multiple", "ก", rim, RULES_ERROR);
	ck_assert_int_eq(count(&r, "status.multiple"), 2);
	ck_assert_int_eq(count(&r, "status.invalid_mark"), 2);
	none(&r, "status.missing");
	ck_assert_int_eq(r.summary[0].unclassified, 3);
	ck_assert_int_eq(r.summary[0].status[1], 1);
	ck_assert_int_eq(r.summary[0].errors, 4);
	rules_report_fini(&r);
}
END_TEST

START_TEST(test_activity_missing)
{
	struct rules_report r;
	struct hh d = { "24019999991", DEV, { NULL } };
	struct hh d2 = { "24019999992", DEV, { " ", "\xc2\xa0", "", NULL } };
	struct hh w = { "24019999993", WELFARE, { NULL } };
	const struct rules_finding *f;
	uint32_t row, row2;
	struct workbook_tab *t = base_tab();

	row = hh_add(t, &d);
	row2 = hh_add(t, &d2);
	hh_add(t, &w);
	eval_default(day(2024, 3, 20), &r);	/* on the deadline */
	f = one(&r, "activity.missing", "ก", row, RULES_WARNING);
	ck_assert_str_eq(f->column, H_ACT_NAME);
	one(&r, "activity.missing", "ก", row2, RULES_WARNING);
	ck_assert_int_eq(count(&r, "activity.missing"), 2);
	none(&r, "activity.incomplete");
	ck_assert_int_eq(r.summary[0].developed, 10);
	ck_assert_int_eq(r.summary[0].status[0], 12);
	ck_assert(r.summary[0].percent == 83.33);
	rules_report_fini(&r);
	eval_default(day(2024, 3, 21), &r);
	one(&r, "activity.missing", "ก", row, RULES_ERROR);
	rules_report_fini(&r);
}
END_TEST

START_TEST(test_activity_incomplete)
{
	struct rules_report r;
	struct hh d = { "24019999991", DEV,
	    { "ฝึกอาชีพ", NULL, "15/02/2567", NULL, "พช.", "ดี" } };
	struct hh d2 = { "24019999992", DEV,
	    { "ฝึกอาชีพ", "อบรม", "15/02/2567", "วัด", "พช.", NULL } };
	const struct rules_finding *f;
	uint32_t row, row2;
	struct workbook_tab *t = base_tab();

	row = hh_add(t, &d);
	row2 = hh_add(t, &d2);	/* short row: result cell absent */
	eval_default(TODAY, &r);
	f = one(&r, "activity.incomplete", "ก", row, RULES_ERROR);
	ck_assert_str_eq(f->column, H_ACT_METHOD);
	ck_assert_ptr_nonnull(strstr(f->message, H_ACT_METHOD));
	ck_assert_ptr_nonnull(strstr(f->message, H_ACT_PLACE));
	ck_assert_ptr_null(strstr(f->message, H_ACT_NAME));
	f = one(&r, "activity.incomplete", "ก", row2, RULES_ERROR);
	ck_assert_str_eq(f->column, demo_headings[16]);
	none(&r, "activity.missing");
	ck_assert_int_eq(r.summary[0].developed, 10);
	rules_report_fini(&r);
}
END_TEST

START_TEST(test_activity_not_developable)
{
	struct rules_report r;
	struct hh w = { "24019999991", WELFARE, { NULL, "อบรม" } };
	struct hh s = { "24019999992", SELF, DONE };
	struct hh o = { "24019999993", OTHER, { NULL } };
	struct hh u = { "24019999994", { NULL }, DONE };	/* unclassified */
	struct hh m = { "24019999995", { "1", "1" }, DONE };	/* unclassified */
	const struct rules_finding *f;
	uint32_t rw, rs;
	struct workbook_tab *t = base_tab();

	rw = hh_add(t, &w);
	rs = hh_add(t, &s);
	hh_add(t, &o);
	hh_add(t, &u);
	hh_add(t, &m);
	eval_default(day(2024, 6, 1), &r);
	f = one(&r, "activity.not_developable", "ก", rw, RULES_WARNING);
	ck_assert_str_eq(f->column, H_ACT_METHOD);
	f = one(&r, "activity.not_developable", "ก", rs, RULES_WARNING);
	ck_assert_str_eq(f->column, H_ACT_NAME);
	ck_assert_int_eq(count(&r, "activity.not_developable"), 2);
	none(&r, "activity.missing");
	none(&r, "activity.incomplete");
	ck_assert_int_eq(r.summary[0].developed, 10);
	rules_report_fini(&r);
}
END_TEST

START_TEST(test_activity_dates)
{
	static const struct {
		const char *date;
		const char *rule;	/* NULL: developed */
	} cases[] = {
		{ "15/02/2567", NULL },
		{ "#45337", NULL },
		{ "#243664", NULL },		/* 15/02/2567 read as 2567 CE */
		{ "#45337.5", NULL },
		{ "2024-02-15", NULL },
		{ "15 ก.พ. 67", NULL },
		{ "๑๕ กุมภาพันธ์ ๒๕๖๗", NULL },
		{ "1/10/2566", NULL },		/* fiscal year start */
		{ "1 มี.ค. 67", NULL },		/* today */
		{ "30/09/2566", "activity.date_out_of_window" },
		{ "2/3/2567", "activity.date_out_of_window" },	/* after today */
		{ "31/02/2567", "activity.date_invalid" },
		{ "ก.พ. 67", "activity.date_invalid" },
		{ "45337", "activity.date_invalid" },
		{ "?TRUE", "activity.date_invalid" },
	};
	struct rules_report r;
	struct hh d = { "24019999991", DEV, DONE };
	const struct rules_finding *f;
	uint32_t row;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d.act[2] = cases[i].date;
		row = hh_add(base_tab(), &d);
		eval_default(day(2024, 3, 1), &r);
		if (cases[i].rule == NULL) {
			ck_assert_msg(r.nfindings == 0, "date %s", cases[i].date);
			ck_assert_int_eq(r.summary[0].developed, 11);
		} else {
			f = one(&r, cases[i].rule, "ก", row, RULES_ERROR);
			ck_assert_str_eq(f->column, H_ACT_DATE);
			ck_assert_int_eq((int)r.nfindings, 1);
			ck_assert_int_eq(r.summary[0].developed, 10);
		}
		rules_report_fini(&r);
	}
}
END_TEST

START_TEST(test_activity_deadline_window)
{
	struct rules_report r;
	struct hh d = { "24019999991", DEV, DONE };
	uint32_t row;

	/* Today after the activity deadline: the deadline bounds the window. */
	d.act[2] = "20/03/2567";
	row = hh_add(base_tab(), &d);
	eval_default(day(2024, 5, 1), &r);
	ck_assert_int_eq((int)r.nfindings, 0);
	rules_report_fini(&r);
	d.act[2] = "21/03/2567";
	row = hh_add(base_tab(), &d);
	eval_default(day(2024, 5, 1), &r);
	one(&r, "activity.date_out_of_window", "ก", row, RULES_ERROR);
	rules_report_fini(&r);
	/* An invalid date on an incomplete activity: both fire. */
	d.act[2] = "ไม่ทราบ";
	d.act[5] = NULL;
	row = hh_add(base_tab(), &d);
	eval_default(day(2024, 3, 1), &r);
	one(&r, "activity.date_invalid", "ก", row, RULES_ERROR);
	one(&r, "activity.incomplete", "ก", row, RULES_ERROR);
	ck_assert_int_eq((int)r.nfindings, 2);
	/* Column order within the row: date (N) before result (Q). */
	ck_assert_str_eq(r.findings[0].rule, "activity.date_invalid");
	rules_report_fini(&r);
}
END_TEST

START_TEST(test_key_missing_and_empty_rows)
{
	struct rules_report r;
	struct hh k = { NULL, DEV, DONE };
	struct hh k2 = { " - ", WELFARE, { NULL } };
	const struct rules_finding *f;
	uint32_t row, row2;
	struct workbook_tab *t = base_tab();

	ROW(t, "11");			/* only the unmapped ลำดับ: skipped */
	ROW(t, NULL);			/* an empty row (no cells) */
	ROW(t, "12", " ", "\n", NULL, "\xc2\xa0");	/* blank cells only */
	row = hh_add(t, &k);
	row2 = hh_add(t, &k2);
	ROW(t, NULL, NULL, NULL, NULL, NULL, NULL, "50,000 บาท");
	/* Unticked checkboxes and typed 0s in the status columns are empty
	 * marks: no content, skipped (not household.key_missing). */
	ROW(t, "13", NULL, NULL, NULL, NULL, NULL, NULL, "?FALSE", "?FALSE",
	    "?FALSE", "?FALSE");
	ROW(t, "14", "", "", "", "", "", "", "0", "๐", "FALSE", " ");
	eval_default(TODAY, &r);
	f = one(&r, "household.key_missing", "ก", row, RULES_ERROR);
	ck_assert_ptr_null(f->key);
	ck_assert_str_eq(f->column, H_KEY);
	one(&r, "household.key_missing", "ก", row2, RULES_ERROR);
	one(&r, "household.key_missing", "ก", row2 + 1, RULES_ERROR);
	ck_assert_int_eq((int)r.nfindings, 3);
	ck_assert_int_eq(r.summary[0].households, 10);
	rules_report_fini(&r);
}
END_TEST

START_TEST(test_duplicates)
{
	struct rules_report r;
	struct hh a = { "24019999991", WELFARE, { NULL } };
	struct hh b = { "๒๔๐๑-๙๙๙-๙๙๙๑", WELFARE, { NULL } };
	struct hh c = { "#2.4019999991E10", WELFARE, { NULL } };
	struct hh d = { "#24019999992", WELFARE, { NULL } };
	struct hh e = { "2401 999 9992", SELF, { NULL } };
	const struct rules_finding *f;
	uint32_t ra, rb, rc, rd, re;
	struct workbook_tab *t = base_tab(), *t2;

	ra = hh_add(t, &a);
	rb = hh_add(t, &b);
	rd = hh_add(t, &d);
	t2 = demo_tab("ข");
	add_done(t2, 24020000001, 1);
	rc = hh_add(t2, &c);
	re = hh_add(t2, &e);
	eval_default(TODAY, &r);
	ck_assert_ptr_null(find(&r, "household.duplicate", "ก", ra));
	f = one(&r, "household.duplicate", "ก", rb, RULES_ERROR);
	ck_assert_str_eq(f->key, "24019999991");
	ck_assert_str_eq(f->column, H_KEY);
	f = one(&r, "household.duplicate", "ข", rc, RULES_ERROR);
	ck_assert_str_eq(f->key, "24019999991");
	ck_assert_ptr_nonnull(strstr(f->message, "ก"));
	f = one(&r, "household.duplicate", "ข", re, RULES_ERROR);
	ck_assert_str_eq(f->key, "24019999992");
	ck_assert_ptr_null(find(&r, "household.duplicate", "ก", rd));
	ck_assert_int_eq(count(&r, "household.duplicate"), 3);
	/* Duplicates are counted where they stand. */
	ck_assert_int_eq(r.summary[0].households, 13);
	ck_assert_int_eq(r.summary[1].households, 3);
	ck_assert_int_eq(r.summary[1].status[2], 1);
	ck_assert_int_eq(r.summary[2].households, 16);
	rules_report_fini(&r);
}
END_TEST

START_TEST(test_tab_missing_and_order)
{
	struct rules_report r;
	struct rules_config cfg;
	const struct rules_finding *f;

	wb_reset();
	add_done(demo_tab("ข"), 24020000001, 5);
	add_done(demo_tab("ก"), 24010000001, 5);
	demo_tab("ไม่ใช่อำเภอ");
	rules_config_default(&cfg);
	cfg.districts[0] = "ก";
	cfg.districts[1] = "ค";
	cfg.districts[2] = "ข";
	cfg.districts[3] = "ก";	/* twice: evaluated once */
	cfg.ndistricts = 4;
	eval(&cfg, TODAY, &r);
	ck_assert_int_eq((int)r.nsummary, 4);
	ck_assert_str_eq(r.summary[0].district, "ก");
	ck_assert_str_eq(r.summary[1].district, "ค");
	ck_assert_str_eq(r.summary[2].district, "ข");
	ck_assert_int_eq(r.summary[1].missing, 1);
	ck_assert_int_eq(r.summary[1].households, 0);
	ck_assert_int_eq(r.summary[1].errors, 1);
	ck_assert_int_eq(r.summary[0].missing, 0);
	f = one(&r, "tab.missing", "ค", 0, RULES_ERROR);
	ck_assert_ptr_null(f->column);
	ck_assert_ptr_null(f->key);
	none(&r, "district.no_developable");
	ck_assert_int_eq((int)r.nfindings, 1);
	ck_assert_int_eq(r.summary[3].households, 10);
	ck_assert_int_eq(r.summary[3].errors, 1);
	ck_assert(rules_is_district(&cfg, "ข"));
	ck_assert(!rules_is_district(&cfg, "ไม่ใช่อำเภอ"));
	rules_report_fini(&r);

	/* No configured districts: every tab but the two of syncd. */
	cfg.ndistricts = 0;
	tab_new("ตรวจสอบข้อมูล");
	tab_new("สรุปข้อมูล");
	eval(&cfg, TODAY, &r);
	ck_assert_int_eq((int)r.nsummary, 4);
	ck_assert_str_eq(r.summary[0].district, "ข");
	ck_assert_str_eq(r.summary[1].district, "ก");
	ck_assert_str_eq(r.summary[2].district, "ไม่ใช่อำเภอ");
	one(&r, "district.no_developable", "ไม่ใช่อำเภอ", 0, RULES_ERROR);
	ck_assert(rules_is_district(&cfg, "ไม่ใช่อำเภอ"));
	ck_assert(!rules_is_district(&cfg, "สรุปข้อมูล"));
	ck_assert(!rules_is_district(&cfg, "ตรวจสอบข้อมูล"));
	rules_report_fini(&r);
}
END_TEST

/* DOMAIN.md "Which tabs are districts": none of the required headings. */
START_TEST(test_not_district)
{
	struct rules_report r;
	struct rules_config cfg;
	const struct rules_finding *f;
	struct workbook_tab *t;

	wb_reset();
	t = tab_new("คำชี้แจง");
	ROW(t, "คำชี้แจงการกรอกข้อมูล");
	ROW(t, "1. กรอกรหัสบ้าน 11 หลัก", "ใส่เลข 1");
	add_done(demo_tab("ก"), 24010000001, 5);
	t = tab_new("สำเนาของ สรุปข้อมูล");
	ROW(t, "อำเภอ", "ครัวเรือนเป้าหมาย", "พัฒนาได้");
	ROW(t, "ก", "#5", "#5");
	t = tab_new("บางส่วน");	/* some required headings: a district */
	ROW(t, NULL);
	ROW(t, "ลำดับ", "รหัสบ้าน", "คร. ที่พัฒนาได้");
	tab_new("กราฟ");	/* no rows at all */
	rules_config_default(&cfg);
	eval(&cfg, TODAY, &r);
	ck_assert_int_eq((int)r.nsummary, 3);
	ck_assert_str_eq(r.summary[0].district, "ก");
	ck_assert_str_eq(r.summary[1].district, "บางส่วน");
	ck_assert_int_eq(r.summary[1].errors, 14);	/* its tab.header_missing */
	f = one(&r, "tab.not_district", "คำชี้แจง", 0, RULES_WARNING);
	ck_assert_ptr_null(f->column);
	ck_assert_ptr_nonnull(strstr(f->message, "คำชี้แจง"));
	one(&r, "tab.not_district", "สำเนาของ สรุปข้อมูล", 0, RULES_WARNING);
	one(&r, "tab.not_district", "กราฟ", 0, RULES_WARNING);
	ck_assert_int_eq(count(&r, "tab.not_district"), 3);
	/* Counted in the total only, listed after the district findings. */
	ck_assert_int_eq(r.summary[0].warnings, 0);
	ck_assert_int_eq(r.summary[2].warnings, 3);
	ck_assert_str_eq(r.findings[r.nfindings - 1].rule, "tab.not_district");
	ck_assert(!rules_tab_is_district(&cfg, &tabs[0]));
	ck_assert(rules_tab_is_district(&cfg, &tabs[1]));
	ck_assert(rules_tab_is_district(&cfg, &tabs[3]));
	rules_report_fini(&r);

	/* A configured list is taken as it is. */
	cfg.districts[0] = "คำชี้แจง";
	cfg.ndistricts = 1;
	ck_assert(rules_tab_is_district(&cfg, &tabs[0]));
	eval(&cfg, TODAY, &r);
	ck_assert_int_eq(count(&r, "tab.not_district"), 0);
	ck_assert_int_eq((int)r.nsummary, 2);
	rules_report_fini(&r);
}
END_TEST

START_TEST(test_header_missing)
{
	struct rules_report r;
	struct workbook_tab *t;
	const struct rules_finding *f;

	/* A required heading missing: reported, rows not read. */
	wb_reset();
	add_done(demo_tab("ก"), 24010000001, 10);
	t = demo_tab("ข");
	cells[1][1][13].text = "วันที่";	/* activity.date's heading */
	cells[1][1][13].len = (uint32_t)strlen("วันที่");
	add_done(t, 24020000001, 3);
	eval_default(TODAY, &r);
	f = one(&r, "tab.header_missing", "ข", 0, RULES_ERROR);
	ck_assert_str_eq(f->column, "วันที่ดำเนินการ");
	ck_assert_int_eq(count(&r, "tab.header_missing"), 1);
	ck_assert_int_eq(r.summary[1].households, 0);
	ck_assert_int_eq(r.summary[1].missing, 0);
	/* Its rows were not evaluated: no district.no_developable (the lead's
	 * reading of "tab-level rules apply to evaluated tabs only"). */
	none(&r, "district.no_developable");
	ck_assert_int_eq(r.summary[1].errors, 1);
	ck_assert_int_eq(r.summary[2].households, 10);
	rules_report_fini(&r);

	/* An optional heading missing: reported, rows still read. */
	cells[1][1][13].text = "วันที่ดำเนินการ";
	cells[1][1][13].len = (uint32_t)strlen("วันที่ดำเนินการ");
	cells[1][1][4].text = "หมู่";
	cells[1][1][4].len = (uint32_t)strlen("หมู่");
	eval_default(TODAY, &r);
	f = one(&r, "tab.header_missing", "ข", 0, RULES_ERROR);
	ck_assert_str_eq(f->column, "หมู่ที่");
	ck_assert_int_eq(r.summary[1].households, 3);
	ck_assert_int_eq(r.summary[1].developed, 3);
	none(&r, "district.no_developable");
	rules_report_fini(&r);
}
END_TEST

START_TEST(test_heading_merged_down)
{
	struct rules_report r;
	struct workbook_tab *t;

	/* รหัสบ้าน merged down over rows 1-2: Sheets gives its text in row 1
	 * and nothing in row 2.  The column is still found. */
	wb_reset();
	t = demo_tab("ก");
	cells[0][0][1].type = WORKBOOK_STRING;
	cells[0][0][1].text = "รหัส\nบ้าน";
	cells[0][0][1].len = (uint32_t)strlen("รหัส\nบ้าน");
	cells[0][1][1].type = WORKBOOK_EMPTY;
	cells[0][1][1].text = NULL;
	cells[0][1][1].len = 0;
	add_done(t, 24010000001, 10);
	eval_default(TODAY, &r);
	none(&r, "tab.header_missing");
	ck_assert_int_eq(r.summary[0].households, 10);
	rules_report_fini(&r);

	/* Not over a heading cell that holds something else. */
	cells[0][1][1].type = WORKBOOK_STRING;
	cells[0][1][1].text = "เลขที่";
	cells[0][1][1].len = (uint32_t)strlen("เลขที่");
	eval_default(TODAY, &r);
	ck_assert_int_eq(count(&r, "tab.header_missing"), 1);
	ck_assert_int_eq(r.summary[0].households, 0);
	rules_report_fini(&r);
}
END_TEST

START_TEST(test_empty_tab)
{
	struct rules_report r;

	wb_reset();
	add_done(demo_tab("ก"), 24010000001, 10);
	tab_new("ว่าง");
	eval_default(TODAY, &r);
	/* No required heading at all: not a district (DOMAIN.md), one warning. */
	ck_assert_int_eq(count(&r, "tab.header_missing"), 0);
	one(&r, "tab.not_district", "ว่าง", 0, RULES_WARNING);
	none(&r, "district.no_developable");
	ck_assert_int_eq((int)r.nsummary, 2);
	ck_assert_int_eq(r.summary[1].warnings, 1);
	rules_report_fini(&r);
	/* With a heading row holding one required heading, it is a district
	 * and every other configured heading is missing. */
	ROW(&tabs[1], NULL);
	ROW(&tabs[1], "รหัสบ้าน");
	eval_default(TODAY, &r);
	ck_assert_int_eq(count(&r, "tab.header_missing"), 15);
	ck_assert_int_eq(r.summary[1].errors, 15);
	rules_report_fini(&r);
}
END_TEST

START_TEST(test_district_no_developable)
{
	struct rules_report r;
	struct hh w = { "24029999991", WELFARE, { NULL } };
	struct rules_config cfg;

	wb_reset();
	add_done(demo_tab("ก"), 24010000001, 10);
	hh_add(demo_tab("ข"), &w);
	eval_default(day(2024, 1, 31), &r);
	one(&r, "district.no_developable", "ข", 0, RULES_WARNING);
	ck_assert_ptr_null(find(&r, "district.no_developable", "ก", 0));
	ck_assert_int_eq(r.summary[1].warnings, 1);
	rules_report_fini(&r);
	eval_default(day(2024, 2, 1), &r);
	one(&r, "district.no_developable", "ข", 0, RULES_ERROR);
	rules_report_fini(&r);
	/* A district minimum of 11 catches "ก" too. */
	rules_config_default(&cfg);
	cfg.district_minimum = 11;
	eval(&cfg, TODAY, &r);
	one(&r, "district.no_developable", "ก", 0, RULES_ERROR);
	rules_report_fini(&r);
}
END_TEST

START_TEST(test_province_minimum)
{
	struct rules_report r;
	const struct rules_finding *f;
	struct hh w = { "24029999991", { "1", "1" }, { NULL } };

	wb_reset();
	add_done(demo_tab("ก"), 24010000001, 5);
	add_done(demo_tab("ข"), 24020000001, 4);
	hh_add(&tabs[1], &w);	/* unclassified: not developable */
	eval_default(day(2024, 1, 31), &r);
	f = one(&r, "province.below_minimum", NULL, 0, RULES_WARNING);
	ck_assert_ptr_null(f->tab);
	ck_assert_ptr_nonnull(strstr(f->message, "40,000"));
	/* Sheet-level: in the total row only, and sorted after the tabs. */
	ck_assert_int_eq(r.summary[0].warnings, 0);
	ck_assert_int_eq(r.summary[1].warnings, 0);
	ck_assert_int_eq(r.summary[2].warnings, 1);
	ck_assert_int_eq(r.summary[2].errors, 1);
	ck_assert_str_eq(r.findings[r.nfindings - 1].rule,
	    "province.below_minimum");
	rules_report_fini(&r);
	eval_default(day(2024, 2, 1), &r);
	one(&r, "province.below_minimum", NULL, 0, RULES_ERROR);
	/* Errors first, then tabs in order, sheet-level last. */
	ck_assert_str_eq(r.findings[0].rule, "status.multiple");
	ck_assert_str_eq(r.findings[1].rule, "province.below_minimum");
	ck_assert_int_eq((int)r.nfindings, 2);
	ck_assert_int_eq(r.summary[2].errors, 2);
	rules_report_fini(&r);
	add_done(&tabs[1], 24020000100, 1);	/* the tenth */
	eval_default(TODAY, &r);
	none(&r, "province.below_minimum");
	rules_report_fini(&r);
}
END_TEST

START_TEST(test_finding_order)
{
	struct rules_report r;
	struct hh miss = { "24019999991", { NULL }, { NULL } };
	struct hh mult = { "24019999992", { "1", "1" }, { NULL } };
	struct hh nd = { "24019999993", WELFARE, DONE };
	struct hh inv = { "24029999991", { "x" }, { NULL } };
	struct workbook_tab *t = base_tab(), *t2;
	size_t i;

	hh_add(t, &miss);	/* warning (before the deadline) */
	hh_add(t, &nd);		/* warning */
	hh_add(t, &mult);	/* error */
	t2 = demo_tab("ข");
	hh_add(t2, &inv);	/* error */
	eval_default(day(2024, 1, 20), &r);
	ck_assert_int_eq((int)r.nfindings, 5);
	ck_assert_str_eq(r.findings[0].rule, "status.multiple");
	ck_assert_str_eq(r.findings[1].rule, "status.invalid_mark");
	ck_assert_str_eq(r.findings[1].tab, "ข");
	/* Warnings: tab order, then row. */
	ck_assert_str_eq(r.findings[2].rule, "status.missing");
	ck_assert_str_eq(r.findings[3].rule, "activity.not_developable");
	ck_assert_str_eq(r.findings[4].rule, "district.no_developable");
	ck_assert_str_eq(r.findings[4].tab, "ข");
	ck_assert_int_eq(r.findings[4].severity, RULES_WARNING);
	for (i = 1; i < r.nfindings; i++)
		ck_assert_int_le(r.findings[i - 1].severity,
		    r.findings[i].severity);
	ck_assert_int_eq(r.summary[0].errors, 1);
	ck_assert_int_eq(r.summary[0].warnings, 2);
	ck_assert_int_eq(r.summary[1].errors, 1);
	ck_assert_int_eq(r.summary[1].warnings, 1);
	rules_report_fini(&r);
}
END_TEST

/* Reordered and extra columns, messy headings, heading row 3. */
START_TEST(test_layout_variants)
{
	static const char *const messy[] = {
		"หมายเหตุ", "คร.\nที่ขอรับการสงเคราะห์", "ลำดับ",
		"  รหัสบ้าน ", "ชื่อ - สกุล\r\nหัวหน้าครัวเรือน",
		"บ้านเลขที่", "หมู่ที่", "ตำบล", "รายได้เฉลี่ย\n(บาท/คน/ปี)",
		"คร.\xc2\xa0ที่พัฒนาได้",
		"คร. ที่พึ่งตนเองได้\n(ไม่ขอรับความช่วยเหลือ)",
		"คร. อื่น ๆ\n(เช่น เสียชีวิต/ย้าย)",
		"ชื่อกิจกรรม\xe2\x80\x8bพัฒนา",
		"วิธีการ/ขั้นตอนการดำเนินการกิจกรรมการพัฒนา",
		"\xef\xbb\xbfวันที่ดำเนินการ", "สถานที่ดำเนินการ",
		"หน่วยดำเนินการ\xe2\x80\x82(หลัก/ร่วม)",
		"ผลที่ได้รับ/ความสำเร็จ\nของการดำเนินงาน",
	};
	struct rules_report r;
	struct rules_config cfg;
	struct workbook_tab *t;
	const struct rules_finding *f;
	int32_t cols[RULES_MAX_FIELDS];

	wb_reset();
	t = tab_new("ก");
	ROW(t, "หัวรายงาน");
	ROW(t, NULL);
	row_add(t, messy, 18);
	ROW(t, NULL, NULL, "1", "24010000001", "นาย ก", "1", "2", "ต",
	    "#30000", "1", NULL, NULL, "ฝึกอาชีพ", "อบรม", "#45300", "วัด",
	    "พช.", "ดี");
	ROW(t, "ย้ายออก", "1", "2", "24010000002");
	ROW(t, NULL, "1", "3", "24010000003", NULL, NULL, NULL, NULL, NULL,
	    "1");
	rules_config_default(&cfg);
	cfg.heading_row = 3;
	cfg.province_minimum = 1;
	ck_assert_int_eq(rules_map_columns(t, &cfg, cols), 0);
	ck_assert_int_eq(cols[0], 3);	/* key */
	ck_assert_int_eq(cols[6], 9);	/* developable */
	ck_assert_int_eq(cols[7], 1);	/* welfare */
	ck_assert_int_eq(cols[10], 12);	/* activity.name (zero-width space) */
	ck_assert_int_eq(cols[12], 14);	/* the date (BOM) */
	eval(&cfg, TODAY, &r);
	ck_assert_int_eq(r.summary[0].households, 3);
	ck_assert_int_eq(r.summary[0].status[0], 1);
	ck_assert_int_eq(r.summary[0].status[1], 1);
	ck_assert_int_eq(r.summary[0].developed, 1);
	f = one(&r, "status.multiple", "ก", 6, RULES_ERROR);
	/* The first marked column in field order, its heading normalised. */
	ck_assert_str_eq(f->column, "คร. ที่พัฒนาได้");
	ck_assert_int_eq((int)r.nfindings, 1);
	rules_report_fini(&r);

	/* The same with the default heading row: nothing found there, so the
	 * tab is not a district. */
	cfg.heading_row = 2;
	eval(&cfg, TODAY, &r);
	ck_assert_int_eq(count(&r, "tab.header_missing"), 0);
	ck_assert_int_eq(count(&r, "tab.not_district"), 1);
	ck_assert_int_eq((int)r.nsummary, 1);
	ck_assert_int_eq(r.summary[0].households, 0);
	rules_report_fini(&r);
}
END_TEST

START_TEST(test_column_letters)
{
	struct rules_report r;
	struct rules_config cfg;
	struct workbook_tab *t;
	int32_t cols[RULES_MAX_FIELDS];
	const struct rules_field *kf;

	wb_reset();
	t = demo_tab("ก");
	/* Blank out the key heading; map it by letter instead. */
	cells[0][1][1].type = WORKBOOK_EMPTY;
	cells[0][1][1].text = NULL;
	cells[0][1][1].len = 0;
	add_done(t, 24010000001, 9);
	ROW(t, "10", NULL, "นาย ข", NULL, NULL, NULL, NULL, "1");
	rules_config_default(&cfg);
	cfg.fields[0].heading = "B";
	cfg.fields[10].heading = "L";	/* activity.name, heading present */
	kf = &cfg.fields[0];
	ck_assert_str_eq(kf->name, "key");
	ck_assert_int_eq(rules_map_columns(t, &cfg, cols), 0);
	ck_assert_int_eq(cols[0], 1);
	ck_assert_int_eq(cols[10], 11);
	eval(&cfg, TODAY, &r);
	ck_assert_int_eq(r.summary[0].households, 9);
	/* Column named by its letter when its heading cell is blank. */
	ck_assert_str_eq(one(&r, "household.key_missing", "ก", 12,
	    RULES_ERROR)->column, "B");
	ck_assert_int_eq(count(&r, "tab.header_missing"), 0);
	rules_report_fini(&r);
	/* A heading "AB" is a column letter, beyond the row: all empty. */
	cfg.fields[1].heading = "AB";
	eval(&cfg, TODAY, &r);
	ck_assert_int_eq(count(&r, "tab.header_missing"), 0);
	rules_report_fini(&r);
}
END_TEST

START_TEST(test_marks_configured)
{
	struct rules_report r;
	struct rules_config cfg;
	struct hh s = { "24019999991", { NULL, "/" }, { NULL } };
	struct hh o = { "24019999992", { NULL, "1" }, { NULL } };
	uint32_t ro;
	struct workbook_tab *t = base_tab();

	hh_add(t, &s);
	ro = hh_add(t, &o);
	rules_config_default(&cfg);
	cfg.marks_set[2] = "/";
	cfg.nmarks_set = 3;
	eval(&cfg, TODAY, &r);
	ck_assert_int_eq(r.summary[0].status[1], 2);
	ck_assert_int_eq((int)r.nfindings, 0);
	rules_report_fini(&r);
	cfg.marks_set[0] = "/";
	cfg.nmarks_set = 1;
	eval(&cfg, TODAY, &r);
	/* "1" is no longer a mark: the ten developed rows are invalid too. */
	one(&r, "status.invalid_mark", "ก", ro, RULES_ERROR);
	ck_assert_int_eq(count(&r, "status.invalid_mark"), 11);
	rules_report_fini(&r);
}
END_TEST

START_TEST(test_percent)
{
	struct rules_report r;
	struct hh d = { NULL, DEV, { NULL } };
	char k[3][16] = { "24019999991", "24019999992", "24019999993" };
	struct workbook_tab *t;
	int i;

	wb_reset();
	t = demo_tab("ก");
	add_done(t, 24010000001, 2);
	for (i = 0; i < 1; i++) {
		d.key = k[i];
		hh_add(t, &d);
	}
	t = demo_tab("ข");
	add_done(t, 24020000001, 1);
	for (i = 1; i < 3; i++) {
		d.key = k[i];
		hh_add(t, &d);
	}
	demo_tab("ค");
	eval_default(TODAY, &r);
	ck_assert(r.summary[0].percent == 66.67);	/* 2/3 */
	ck_assert(r.summary[1].percent == 33.33);	/* 1/3 */
	ck_assert(r.summary[2].percent == 0.0);		/* 0/0 */
	ck_assert(r.summary[3].percent == 50.0);	/* 3/6 */
	rules_report_fini(&r);
}
END_TEST

/* 100,000 households: linear work (duplicates through a hash table). */
START_TEST(test_large)
{
	enum { N = 100000 };
	struct rules_report r;
	struct workbook big;
	struct workbook_tab bt;
	struct workbook_row *br = calloc(N + 2, sizeof(*br));
	struct workbook_cell *bc = calloc((size_t)(N + 2) * 17, sizeof(*bc));
	char *keys = calloc(N, 16);
	const char *spec[17] = { NULL };
	size_t i, j;

	ck_assert(br != NULL && bc != NULL && keys != NULL);
	for (i = 0; i < N + 2; i++) {
		br[i].cells = bc + i * 17;
		br[i].ncells = 17;
		if (i == 0) {
			br[i].ncells = 0;
			continue;
		}
		if (i == 1) {
			for (j = 0; j < 17; j++)
				set_cell(&br[i].cells[j], demo_headings[j]);
			continue;
		}
		snprintf(keys + (i - 2) * 16, 16, "%ld",
		    24000000000L + (long)(i % (N - 10)));
		spec[1] = keys + (i - 2) * 16;
		spec[7] = i % 3 ? "1" : NULL;
		spec[8] = i % 3 ? NULL : "1";
		spec[11] = "ก";
		spec[12] = "ข";
		spec[13] = "#45337";
		spec[14] = "ค";
		spec[15] = "ง";
		spec[16] = i % 5 ? "จ" : NULL;
		for (j = 0; j < 17; j++)
			set_cell(&br[i].cells[j], spec[j]);
	}
	memset(&big, 0, sizeof(big));
	memset(&bt, 0, sizeof(bt));
	bt.title = "ใหญ่";
	bt.rows = br;
	bt.nrows = N + 2;
	big.tabs = &bt;
	big.ntabs = 1;
	{
		struct rules_config cfg;

		rules_config_default(&cfg);
		ck_assert_int_eq(rules_evaluate(&big, &cfg, TODAY, &r), 0);
	}
	ck_assert_int_eq(r.summary[0].households, N);
	ck_assert_int_eq(count(&r, "household.duplicate"), 10);
	rules_report_fini(&r);
	free(br);
	free(bc);
	free(keys);
}
END_TEST

static Suite *
rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("rules");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_clean);
	tcase_add_test(tc, test_not_district);
	tcase_add_test(tc, test_status_missing);
	tcase_add_test(tc, test_status_classified);
	tcase_add_test(tc, test_status_multiple_and_invalid);
	tcase_add_test(tc, test_activity_missing);
	tcase_add_test(tc, test_activity_incomplete);
	tcase_add_test(tc, test_activity_not_developable);
	tcase_add_test(tc, test_activity_dates);
	tcase_add_test(tc, test_activity_deadline_window);
	tcase_add_test(tc, test_key_missing_and_empty_rows);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_tab_missing_and_order);
	tcase_add_test(tc, test_header_missing);
	tcase_add_test(tc, test_empty_tab);
	tcase_add_test(tc, test_heading_merged_down);
	tcase_add_test(tc, test_district_no_developable);
	tcase_add_test(tc, test_province_minimum);
	tcase_add_test(tc, test_finding_order);
	tcase_add_test(tc, test_layout_variants);
	tcase_add_test(tc, test_column_letters);
	tcase_add_test(tc, test_marks_configured);
	tcase_add_test(tc, test_percent);
	tcase_add_test(tc, test_large);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(rules_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
