/*
 * audit_page: the HTML page of `syncd audit report` (see audit_page.h):
 * the verdict on the chain, then per district the households developed
 * (the activity date as typed, and when syncd first saw the record
 * complete), what was entered or edited after the activity deadline, the
 * findings opened and resolved with how long each stayed open, and the
 * records changed after they were complete.
 */
#include "syncd/audit_page.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "syncd/today.h"

static int typed_days(const char *date, int32_t *days);

static void
esc(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: putc(*s, f);
		}
	}
}

static void
when(FILE *f, time_t t)
{
	char buf[32];

	auditscan_bangkok(t, buf, sizeof(buf));
	fputs(buf, f);
}

/* typed(f, date): the date as typed, and what it means when it is a date. */
static void
typed(FILE *f, const char *date)
{
	char buf[16];
	int32_t days;

	esc(f, date);
	if (typed_days(date, &days) == 0 && today_format(days, buf, sizeof(buf)) > 0 &&
	    strcmp(buf, date) != 0)
		fprintf(f, " (%s)", buf);
}

static void
duration(FILE *f, long long secs)
{
	long long d, h, m;

	if (secs < 0)
		secs = 0;
	d = secs / 86400;
	h = secs % 86400 / 3600;
	m = secs % 3600 / 60;
	if (d > 0)
		fprintf(f, "%lld วัน ", d);
	if (d > 0 || h > 0)
		fprintf(f, "%lld ชม. ", h);
	fprintf(f, "%lld นาที", m);
}

/*
 * typed_days(date, &days): the typed activity date as a day number; 0 or
 * -1.  The log keeps the cell's text: all digits was a Sheets serial.
 */
static int
typed_days(const char *date, int32_t *days)
{
	size_t n = strlen(date);

	if (rules_date_parse(date, n, 0, days) == 0)
		return 0;
	if (n == 0 || strspn(date, "0123456789") != n)
		return -1;
	return rules_date_parse(date, n, 1, days);
}

/*
 * developed(r, d): the activity date inside the window DOMAIN.md gives
 * (fiscal year start to the deadline), and not after the day syncd saw it.
 */
static int
developed(const struct audit_page_log *r, const struct audit_page_dev *d)
{
	int32_t days;

	return typed_days(d->date, &days) == 0 &&
	    days >= r->cfg->rules.fiscal_year_start &&
	    days <= r->cfg->rules.activity_deadline &&
	    days <= today_bangkok(d->seen);
}

/* A typed activity date at or before the deadline? */
static int
typed_in_time(const struct audit_page_log *r, const char *date)
{
	int32_t days;

	if (typed_days(date, &days) == -1)
		return 0;
	return days <= r->cfg->rules.activity_deadline;
}

static int
entered_late(const struct audit_page_log *r, const struct audit_page_dev *d)
{
	return d->seen > r->deadline_end && typed_in_time(r, d->date);
}

static const char page_css[] =
    "@page { size: A4; margin: 14mm 12mm; }\n"
    "body { font-family: 'Sarabun', 'TH Sarabun New', 'Garuda', 'Loma', "
    "'Noto Sans Thai', sans-serif; font-size: 11pt; color: #000; margin: 0 auto; "
    "max-width: 190mm; }\n"
    "h1 { font-size: 17pt; margin: 0 0 4pt; }\n"
    "h2 { font-size: 14pt; margin: 14pt 0 4pt; border-bottom: 1.5pt solid #000; "
    "break-after: avoid; }\n"
    "h3 { font-size: 12pt; margin: 10pt 0 3pt; break-after: avoid; }\n"
    "table { border-collapse: collapse; width: 100%; margin: 2pt 0 6pt; }\n"
    "th, td { border: 0.5pt solid #555; padding: 2pt 4pt; text-align: left; "
    "vertical-align: top; font-size: 9.5pt; }\n"
    "th { background: #eee; }\n"
    "thead { display: table-header-group; }\n"
    "tr { break-inside: avoid; }\n"
    ".ok { font-weight: bold; }\n"
    ".bad { font-weight: bold; color: #a00; }\n"
    ".late { color: #a00; font-weight: bold; }\n"
    ".head { font-family: monospace; font-size: 8.5pt; word-break: break-all; }\n"
    ".none { color: #555; font-style: italic; }\n"
    "section.district { break-before: page; }\n"
    "@media print { body { max-width: none; } a { color: #000; } }\n";

/* What the district's figures count, from the whole log. */
struct figures {
	long dev;		/* households developed */
	long late;		/* ... of them entered after the deadline */
	long opened, resolved;	/* findings */
	long changed;		/* edits after a record was complete */
	long dates;		/* activity dates edited after the deadline */
};

/* count_district(r, tab, n): the figures of one district tab. */
static void
count_district(struct audit_page_log *r, const char *tab, struct figures *n)
{
	size_t i;

	memset(n, 0, sizeof(*n));
	for (i = 0; i < r->ndevs; i++)
		if (strcmp(r->devs[i].tab, tab) == 0 && developed(r, &r->devs[i])) {
			n->dev++;
			n->late += entered_late(r, &r->devs[i]);
		}
	for (i = 0; i < r->nfinds; i++)
		if (strcmp(r->finds[i].tab, tab) == 0) {
			n->opened++;
			n->resolved += r->finds[i].resolved != (time_t)-1;
		}
	for (i = 0; i < r->nchgs; i++)
		if (strcmp(r->chgs[i].tab, tab) == 0) {
			n->changed += r->chgs[i].after_complete;
			n->dates += r->chgs[i].date_late;
		}
}

/* figures_table(f, n): the district's figures, one row each. */
static void
figures_table(FILE *f, const struct figures *n)
{
	fputs("<table class=\"figures\"><tbody>\n", f);
	fprintf(f, "<tr><th>ครัวเรือนที่ได้รับการพัฒนา</th><td>%ld ครัวเรือน</td></tr>\n", n->dev);
	fprintf(f, "<tr><th>บันทึกหลังกำหนด</th><td>%ld ครัวเรือน</td></tr>\n", n->late);
	fprintf(f, "<tr><th>แก้ไขวันที่ดำเนินการหลังกำหนด</th><td>%ld ครั้ง</td></tr>\n", n->dates);
	fprintf(f, "<tr><th>ข้อผิดพลาดที่พบ / แก้ไขแล้ว / ยังค้าง</th><td>%ld / %ld / %ld รายการ</td></tr>\n",
	    n->opened, n->resolved, n->opened - n->resolved);
	fprintf(f, "<tr><th>แก้ไขข้อมูลหลังบันทึกครบ</th><td>%ld ครั้ง</td></tr>\n", n->changed);
	fputs("</tbody></table>\n", f);
}

/*
 * table_open(f, title, n, head): a table's title, then "none" when it has
 * no row (n is 0; returns 0), else its head row, head being its <th>
 * cells (returns 1: the caller writes the rows, then table_close).
 */
static int
table_open(FILE *f, const char *title, long n, const char *head)
{
	fprintf(f, "<h3>%s</h3>\n", title);
	if (n == 0) {
		fputs("<p class=\"none\">ไม่มี</p>\n", f);
		return 0;
	}
	fprintf(f, "<table><thead><tr>%s</tr></thead><tbody>\n", head);
	return 1;
}

static void
table_close(FILE *f)
{
	fputs("</tbody></table>\n", f);
}

/* row_start(f, key, row): a household's row, its key and sheet row cells. */
static void
row_start(FILE *f, const char *key, long row)
{
	fputs("<tr><td>", f);
	esc(f, key);
	fprintf(f, "</td><td>%ld</td>", row);
}

/* developed_table(f, r, tab, dev): the households developed (dev of them). */
static void
developed_table(FILE *f, struct audit_page_log *r, const char *tab, long dev)
{
	size_t i;

	if (!table_open(f, "ครัวเรือนที่ได้รับการพัฒนา", dev, "<th>รหัสบ้าน</th><th>แถว</th>"
	    "<th>วันที่ดำเนินการ (ตามที่กรอก)</th><th>ระบบเห็นครบถ้วนครั้งแรก</th>"
	    "<th>หมายเหตุ</th>"))
		return;
	for (i = 0; i < r->ndevs; i++) {
		const struct audit_page_dev *d = &r->devs[i];

		if (strcmp(d->tab, tab) != 0 || !developed(r, d))
			continue;
		row_start(f, d->key, d->row);
		fputs("<td>", f);
		typed(f, d->date);
		fputs("</td><td>", f);
		when(f, d->seen);
		fprintf(f, "</td><td>%s</td></tr>\n", entered_late(r, d) ?
		    "<span class=\"late\">บันทึกหลังกำหนด</span>" : "");
	}
	table_close(f);
}

/* late_table(f, r, tab, late, dates): what was entered or edited after the
 * deadline (late households, dates edits). */
static void
late_table(FILE *f, struct audit_page_log *r, const char *tab, long late, long dates)
{
	size_t i;

	if (!table_open(f, "บันทึกหลังกำหนด", late + dates, "<th>รหัสบ้าน</th><th>แถว</th>"
	    "<th>รายการ</th><th>วันที่ตามที่กรอก</th><th>ระบบเห็นเมื่อ</th>"))
		return;
	for (i = 0; i < r->ndevs; i++) {
		const struct audit_page_dev *d = &r->devs[i];

		if (strcmp(d->tab, tab) != 0 || !developed(r, d) || !entered_late(r, d))
			continue;
		row_start(f, d->key, d->row);
		fputs("<td class=\"late\">บันทึกหลังกำหนด: วันที่ก่อนกำหนด "
		    "แต่ระบบเห็นครั้งแรกหลังกำหนด</td><td>", f);
		typed(f, d->date);
		fputs("</td><td>", f);
		when(f, d->seen);
		fputs("</td></tr>\n", f);
	}
	for (i = 0; i < r->nchgs; i++) {
		const struct audit_page_chg *c = &r->chgs[i];

		if (strcmp(c->tab, tab) != 0 || !c->date_late)
			continue;
		row_start(f, c->key, c->row);
		fputs("<td class=\"late\">แก้ไขวันที่ดำเนินการหลังกำหนด (เดิม \"", f);
		esc(f, c->old);
		fputs("\")</td><td>", f);
		esc(f, c->new);
		fputs("</td><td>", f);
		when(f, c->ts);
		fputs("</td></tr>\n", f);
	}
	table_close(f);
}

/* findings_table(f, r, tab, opened): the findings and their fixes. */
static void
findings_table(FILE *f, const struct audit_page_log *r, const char *tab, long opened)
{
	size_t i;

	if (!table_open(f, "ข้อผิดพลาดที่พบและการแก้ไข", opened, "<th>กฎ</th><th>ระดับ</th>"
	    "<th>แถว</th><th>รหัสบ้าน</th><th>คอลัมน์</th><th>พบ</th><th>แก้ไข</th>"
	    "<th>ค้างอยู่</th>"))
		return;
	for (i = 0; i < r->nfinds; i++) {
		const struct audit_page_find *x = &r->finds[i];

		if (strcmp(x->tab, tab) != 0)
			continue;
		fputs("<tr><td>", f);
		esc(f, x->rule);
		fprintf(f, "</td><td>%s</td><td>%ld</td><td>",
		    strcmp(x->severity, "error") == 0 ? "ข้อผิดพลาด" :
		    strcmp(x->severity, "warning") == 0 ? "คำเตือน" : "",
		    x->row);
		esc(f, x->key);
		fputs("</td><td>", f);
		esc(f, x->column);
		fputs("</td><td>", f);
		when(f, x->opened);
		fputs("</td><td>", f);
		if (x->resolved != (time_t)-1) {
			when(f, x->resolved);
			fputs("</td><td>", f);
			duration(f, (long long)(x->resolved - x->opened));
		} else {
			fputs("ยังไม่แก้ไข</td><td>", f);
			duration(f, (long long)(r->last_ts - x->opened));
			fputs(" ขึ้นไป", f);
		}
		fputs("</td></tr>\n", f);
	}
	table_close(f);
}

/* changes_table(f, r, tab, changed): the edits after a record was complete. */
static void
changes_table(FILE *f, const struct audit_page_log *r, const char *tab, long changed)
{
	size_t i;

	if (!table_open(f, "แก้ไขข้อมูลหลังบันทึกครบถ้วน", changed, "<th>รหัสบ้าน</th>"
	    "<th>แถว</th><th>คอลัมน์</th><th>เดิม</th><th>ใหม่</th><th>เมื่อ</th>"))
		return;
	for (i = 0; i < r->nchgs; i++) {
		const struct audit_page_chg *c = &r->chgs[i];

		if (strcmp(c->tab, tab) != 0 || !c->after_complete)
			continue;
		row_start(f, c->key, c->row);
		fputs("<td>", f);
		esc(f, c->column);
		fputs("</td><td>", f);
		esc(f, c->old);
		fputs("</td><td>", f);
		esc(f, c->new);
		fputs("</td><td>", f);
		when(f, c->ts);
		fputs("</td></tr>\n", f);
	}
	table_close(f);
}

/* district(f, r, tab): one district's section: its figures, then the four
 * tables behind them. */
static void
district(FILE *f, struct audit_page_log *r, const char *tab)
{
	struct figures n;

	count_district(r, tab, &n);
	fputs("<section class=\"district\">\n<h2>อำเภอ", f);
	esc(f, tab);
	fputs("</h2>\n", f);
	figures_table(f, &n);
	developed_table(f, r, tab, n.dev);
	late_table(f, r, tab, n.late, n.dates);
	findings_table(f, r, tab, n.opened);
	changes_table(f, r, tab, n.changed);
	fputs("</section>\n", f);
}

int
audit_page_write(FILE *f, void *ctx, struct err *e)
{
	struct audit_page *p = ctx;
	struct audit_page_log *r = p->r;
	char dl[16];
	size_t i;

	(void)e;
	today_format(r->cfg->rules.activity_deadline, dl, sizeof(dl));
	fputs("<!DOCTYPE html>\n<html lang=\"th\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<title>รายงานหลักฐานจากบันทึกการตรวจสอบ (audit log)</title>\n<style>\n", f);
	fputs(page_css, f);
	fputs("</style>\n</head>\n<body>\n<h1>รายงานหลักฐานจากบันทึกการตรวจสอบ</h1>\n", f);
	fputs("<table class=\"verdict\"><tbody>\n<tr><th>บันทึก</th><td>", f);
	for (i = 0; i < p->nlog; i++) {
		if (i > 0)
			fputs(", ", f);
		esc(f, p->log[i]);
	}
	fputs("</td></tr>\n<tr><th>ผลการตรวจสอบสายโซ่แฮช</th><td>", f);
	if (p->intact)
		fprintf(f, "<span class=\"ok\">ผ่าน: ครบถ้วน %" PRIu64 " บรรทัด ไม่มีการแก้ไข"
		    "</span>", p->res->lines);
	else {
		fputs("<span class=\"bad\">ไม่ผ่าน: ", f);
		esc(f, p->why);
		fputs("</span>", f);
	}
	fprintf(f, "</td></tr>\n<tr><th>หัวบันทึก (head)</th><td class=\"head\">%" PRIu64
	    ":%s</td></tr>\n", p->res->head_seq, p->res->head_hash);
	fputs("<tr><th>ช่วงเวลาที่บันทึก</th><td>", f);
	when(f, r->first_ts);
	fputs(" ถึง ", f);
	when(f, r->last_ts);
	fputs(" (เวลาประเทศไทย)</td></tr>\n", f);
	fprintf(f, "<tr><th>กำหนดบันทึกกิจกรรม</th><td>%s</td></tr>\n", dl);
	fputs("</tbody></table>\n<p>การตรวจสอบผนึก (seal) ทำด้วย "
	    "<code>syncd audit verify FILE --seal KEY</code> โดยผู้ถือกุญแจตรวจสอบ</p>\n", f);
	for (i = 0; i < r->ntabs; i++)
		district(f, r, r->tabs[i]);
	fputs("</body>\n</html>\n", f);
	return 0;
}
