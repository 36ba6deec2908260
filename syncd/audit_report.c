/*
 * audit_report: `syncd audit report FILE [-c CONF] --html OUT`.
 *
 * One self-contained HTML page in Thai (no script, no style or font fetched
 * from anywhere; print CSS for A4) that a reviewer from the Department can
 * read and print: at the top the chain's verdict, the head and the period
 * the log covers; then per district the households developed (the activity
 * date as typed, and when syncd first saw the record complete), the
 * findings opened and resolved with how long each stayed open, the records
 * changed after they were complete, and what only a log can show:
 * activities typed with a date before the activity deadline but first seen
 * after it ("บันทึกหลังกำหนด"), and activity dates edited after it.
 *
 * The configuration (-c, else the built-in defaults) gives the activity
 * deadline, the activity date's heading and the district order.  Read-only
 * on the log; the page is written atomically.
 */
#include "syncd/audit_report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "rules/rules.h"
#include "syncd/auditscan.h"
#include "syncd/config.h"
#include "syncd/fsutil.h"
#include "syncd/today.h"

/* A developed household: first seen complete. */
struct dev {
	char *tab, *key, *date;		/* owned */
	long row;
	time_t seen;
};

/* A finding, from opened to resolved (-1 while open). */
struct find {
	char *tab, *rule, *severity, *key, *column, *message;	/* owned */
	long row;
	time_t opened, resolved;
};

/* A cell change worth reporting. */
struct chg {
	char *tab, *key, *column, *old, *new;	/* owned */
	long row;
	time_t ts;
	int after_complete;	/* of a record already complete */
	int date_late;		/* the activity date, edited after the deadline */
};

struct rep {
	const struct config *cfg;	/* borrowed */
	const char *date_heading;	/* borrowed from cfg, may be NULL */
	time_t deadline_end;		/* last second of the activity deadline */
	struct dev *devs;
	size_t ndevs, devcap;
	struct find *finds;
	size_t nfinds, findcap;
	struct chg *chgs;
	size_t nchgs, chgcap;
	char **tabs;			/* owned: districts in order of appearance */
	size_t ntabs, tabcap;
	json_t *devmap;			/* "tab\x1fkey" -> index in devs */
	json_t *openmap;		/* finding id -> index in finds */
	time_t first_ts, last_ts;
	int nomem;
};

static char *
dup0(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static const char *
str(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static long
num(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (long)json_integer_value(v) : 0;
}

/* grow(&p, &cap, n, size): room for one more; 0 or -1. */
static int
grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *np;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 64;
	if ((np = realloc(*p, nc * size)) == NULL)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}

static void
note_tab(struct rep *r, const char *tab)
{
	size_t i;

	if (tab == NULL || *tab == '\0')
		return;
	for (i = 0; i < r->ntabs; i++)
		if (strcmp(r->tabs[i], tab) == 0)
			return;
	if (grow((void **)&r->tabs, &r->tabcap, r->ntabs, sizeof(*r->tabs)) == -1 ||
	    (r->tabs[r->ntabs] = strdup(tab)) == NULL) {
		r->nomem = 1;
		return;
	}
	r->ntabs++;
}

/* who(o, buf): the household: its key, else "#ROW". */
static const char *
who(const json_t *o, char *buf, size_t n)
{
	const char *k = str(o, "key");

	if (k != NULL)
		return k;
	snprintf(buf, n, "#%ld", num(o, "row"));
	return buf;
}

static void
map_key(const char *tab, const char *key, char *buf, size_t n)
{
	snprintf(buf, n, "%s\x1f%s", tab, key);
}

static void
on_complete(struct rep *r, const struct auditscan_line *l)
{
	char kb[64], mk[1024];
	const char *tab = str(l->obj, "tab"), *key = who(l->obj, kb, sizeof(kb));
	struct dev *d;

	if (tab == NULL)
		return;
	map_key(tab, key, mk, sizeof(mk));
	if (json_object_get(r->devmap, mk) != NULL)
		return;		/* first seen complete only */
	if (grow((void **)&r->devs, &r->devcap, r->ndevs, sizeof(*r->devs)) == -1) {
		r->nomem = 1;
		return;
	}
	d = &r->devs[r->ndevs];
	d->tab = dup0(tab);
	d->key = dup0(key);
	d->date = dup0(str(l->obj, "date"));
	d->row = num(l->obj, "row");
	d->seen = l->ts;
	if (d->tab == NULL || d->key == NULL || d->date == NULL ||
	    json_object_set_new(r->devmap, mk, json_integer((json_int_t)r->ndevs)) == -1) {
		r->nomem = 1;
		return;
	}
	r->ndevs++;
}

static void
on_opened(struct rep *r, const struct auditscan_line *l, time_t opened)
{
	const char *id = str(l->obj, "id");
	struct find *f;

	if (grow((void **)&r->finds, &r->findcap, r->nfinds, sizeof(*r->finds)) == -1) {
		r->nomem = 1;
		return;
	}
	f = &r->finds[r->nfinds];
	memset(f, 0, sizeof(*f));
	f->tab = dup0(str(l->obj, "tab"));
	f->rule = dup0(str(l->obj, "rule"));
	f->severity = dup0(str(l->obj, "severity"));
	f->key = dup0(str(l->obj, "key"));
	f->column = dup0(str(l->obj, "column"));
	f->message = dup0(str(l->obj, "message"));
	f->row = num(l->obj, "row");
	f->opened = opened;
	f->resolved = (time_t)-1;
	if (f->tab == NULL || f->rule == NULL || f->severity == NULL ||
	    f->key == NULL || f->column == NULL || f->message == NULL ||
	    (id != NULL && json_object_set_new(r->openmap, id,
	    json_integer((json_int_t)r->nfinds)) == -1)) {
		r->nomem = 1;
		return;
	}
	r->nfinds++;
}

static void
on_resolved(struct rep *r, const struct auditscan_line *l)
{
	const char *id = str(l->obj, "id");
	json_t *ix = id != NULL ? json_object_get(r->openmap, id) : NULL;

	if (ix == NULL) {
		/* Opened before the log began (or by an older syncd). */
		on_opened(r, l, (time_t)num(l->obj, "first_seen"));
		if (r->nomem || r->nfinds == 0)
			return;
		r->finds[r->nfinds - 1].resolved = l->ts;
		json_object_del(r->openmap, id != NULL ? id : "");
		return;
	}
	r->finds[json_integer_value(ix)].resolved = l->ts;
	json_object_del(r->openmap, id);
}

static void
on_changed(struct rep *r, const struct auditscan_line *l)
{
	char kb[64], mk[1024];
	const char *tab = str(l->obj, "tab"), *key = who(l->obj, kb, sizeof(kb));
	const char *col = str(l->obj, "column"), *old = str(l->obj, "old");
	json_t *ix;
	struct chg *c;
	int after = 0, late = 0;

	if (tab == NULL)
		return;
	map_key(tab, key, mk, sizeof(mk));
	ix = json_object_get(r->devmap, mk);
	after = ix != NULL && r->devs[json_integer_value(ix)].seen <= l->ts;
	/* A date typed for the first time after the deadline is "entered
	 * late" (record.complete); an edited one is listed here. */
	late = r->date_heading != NULL && col != NULL &&
	    strcmp(col, r->date_heading) == 0 && l->ts > r->deadline_end &&
	    old != NULL && *old != '\0';
	if (!after && !late)
		return;
	if (grow((void **)&r->chgs, &r->chgcap, r->nchgs, sizeof(*r->chgs)) == -1) {
		r->nomem = 1;
		return;
	}
	c = &r->chgs[r->nchgs];
	c->tab = dup0(tab);
	c->key = dup0(key);
	c->column = dup0(col);
	c->old = dup0(str(l->obj, "old"));
	c->new = dup0(str(l->obj, "new"));
	c->row = num(l->obj, "row");
	c->ts = l->ts;
	c->after_complete = after;
	c->date_late = late;
	if (c->tab == NULL || c->key == NULL || c->column == NULL ||
	    c->old == NULL || c->new == NULL) {
		r->nomem = 1;
		return;
	}
	r->nchgs++;
}

static int
on_line(void *ctx, const struct auditscan_line *l, struct err *e)
{
	struct rep *r = ctx;

	if (l->obj == NULL)
		return 0;
	if (l->ts != (time_t)-1) {
		if (r->first_ts == (time_t)-1)
			r->first_ts = l->ts;
		r->last_ts = l->ts;
	}
	note_tab(r, str(l->obj, "tab"));
	if (strcmp(l->event, "record.complete") == 0)
		on_complete(r, l);
	else if (strcmp(l->event, "discrepancy.opened") == 0)
		on_opened(r, l, l->ts);
	else if (strcmp(l->event, "discrepancy.resolved") == 0)
		on_resolved(r, l);
	else if (strcmp(l->event, "cell.changed") == 0)
		on_changed(r, l);
	if (r->nomem) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	return 0;
}

/* ---- the page --------------------------------------------------------- */

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
developed(const struct rep *r, const struct dev *d)
{
	int32_t days;

	return typed_days(d->date, &days) == 0 &&
	    days >= r->cfg->rules.fiscal_year_start &&
	    days <= r->cfg->rules.activity_deadline &&
	    days <= today_bangkok(d->seen);
}

/* A typed activity date at or before the deadline? */
static int
typed_in_time(const struct rep *r, const char *date)
{
	int32_t days;

	if (typed_days(date, &days) == -1)
		return 0;
	return days <= r->cfg->rules.activity_deadline;
}

static int
entered_late(const struct rep *r, const struct dev *d)
{
	return d->seen > r->deadline_end && typed_in_time(r, d->date);
}

struct page {
	struct rep *r;
	const char *const *log;		/* the files, oldest first */
	size_t nlog;
	const struct auditscan_result *res;
	int intact;
	const char *why;		/* when not intact */
};

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

static void
district(FILE *f, struct rep *r, const char *tab)
{
	size_t i, n;
	long dev = 0, late = 0, opened = 0, resolved = 0, changed = 0, dates = 0;

	for (i = 0; i < r->ndevs; i++)
		if (strcmp(r->devs[i].tab, tab) == 0 && developed(r, &r->devs[i])) {
			dev++;
			late += entered_late(r, &r->devs[i]);
		}
	for (i = 0; i < r->nfinds; i++)
		if (strcmp(r->finds[i].tab, tab) == 0) {
			opened++;
			resolved += r->finds[i].resolved != (time_t)-1;
		}
	for (i = 0; i < r->nchgs; i++)
		if (strcmp(r->chgs[i].tab, tab) == 0) {
			changed += r->chgs[i].after_complete;
			dates += r->chgs[i].date_late;
		}
	fputs("<section class=\"district\">\n<h2>อำเภอ", f);
	esc(f, tab);
	fputs("</h2>\n<table class=\"figures\"><tbody>\n", f);
	fprintf(f, "<tr><th>ครัวเรือนที่ได้รับการพัฒนา</th><td>%ld ครัวเรือน</td></tr>\n", dev);
	fprintf(f, "<tr><th>บันทึกหลังกำหนด</th><td>%ld ครัวเรือน</td></tr>\n", late);
	fprintf(f, "<tr><th>แก้ไขวันที่ดำเนินการหลังกำหนด</th><td>%ld ครั้ง</td></tr>\n", dates);
	fprintf(f, "<tr><th>ข้อผิดพลาดที่พบ / แก้ไขแล้ว / ยังค้าง</th><td>%ld / %ld / %ld รายการ</td></tr>\n",
	    opened, resolved, opened - resolved);
	fprintf(f, "<tr><th>แก้ไขข้อมูลหลังบันทึกครบ</th><td>%ld ครั้ง</td></tr>\n", changed);
	fputs("</tbody></table>\n", f);

	fputs("<h3>ครัวเรือนที่ได้รับการพัฒนา</h3>\n", f);
	if (dev == 0)
		fputs("<p class=\"none\">ไม่มี</p>\n", f);
	else {
		fputs("<table><thead><tr><th>รหัสบ้าน</th><th>แถว</th>"
		    "<th>วันที่ดำเนินการ (ตามที่กรอก)</th><th>ระบบเห็นครบถ้วนครั้งแรก</th>"
		    "<th>หมายเหตุ</th></tr></thead><tbody>\n", f);
		for (i = 0, n = 0; i < r->ndevs; i++) {
			const struct dev *d = &r->devs[i];

			if (strcmp(d->tab, tab) != 0 || !developed(r, d))
				continue;
			fputs("<tr><td>", f);
			esc(f, d->key);
			fprintf(f, "</td><td>%ld</td><td>", d->row);
			typed(f, d->date);
			fputs("</td><td>", f);
			when(f, d->seen);
			fprintf(f, "</td><td>%s</td></tr>\n", entered_late(r, d) ?
			    "<span class=\"late\">บันทึกหลังกำหนด</span>" : "");
			n++;
		}
		fputs("</tbody></table>\n", f);
	}

	fputs("<h3>บันทึกหลังกำหนด</h3>\n", f);
	if (late == 0 && dates == 0)
		fputs("<p class=\"none\">ไม่มี</p>\n", f);
	else {
		fputs("<table><thead><tr><th>รหัสบ้าน</th><th>แถว</th><th>รายการ</th>"
		    "<th>วันที่ตามที่กรอก</th><th>ระบบเห็นเมื่อ</th></tr></thead><tbody>\n", f);
		for (i = 0; i < r->ndevs; i++) {
			const struct dev *d = &r->devs[i];

			if (strcmp(d->tab, tab) != 0 || !developed(r, d) ||
			    !entered_late(r, d))
				continue;
			fputs("<tr><td>", f);
			esc(f, d->key);
			fprintf(f, "</td><td>%ld</td><td class=\"late\">บันทึกหลังกำหนด: "
			    "วันที่ก่อนกำหนด แต่ระบบเห็นครั้งแรกหลังกำหนด</td><td>", d->row);
			typed(f, d->date);
			fputs("</td><td>", f);
			when(f, d->seen);
			fputs("</td></tr>\n", f);
		}
		for (i = 0; i < r->nchgs; i++) {
			const struct chg *c = &r->chgs[i];

			if (strcmp(c->tab, tab) != 0 || !c->date_late)
				continue;
			fputs("<tr><td>", f);
			esc(f, c->key);
			fprintf(f, "</td><td>%ld</td><td class=\"late\">แก้ไขวันที่ดำเนินการหลังกำหนด "
			    "(เดิม \"", c->row);
			esc(f, c->old);
			fputs("\")</td><td>", f);
			esc(f, c->new);
			fputs("</td><td>", f);
			when(f, c->ts);
			fputs("</td></tr>\n", f);
		}
		fputs("</tbody></table>\n", f);
	}

	fputs("<h3>ข้อผิดพลาดที่พบและการแก้ไข</h3>\n", f);
	if (opened == 0)
		fputs("<p class=\"none\">ไม่มี</p>\n", f);
	else {
		fputs("<table><thead><tr><th>กฎ</th><th>ระดับ</th><th>แถว</th>"
		    "<th>รหัสบ้าน</th><th>คอลัมน์</th><th>พบ</th><th>แก้ไข</th>"
		    "<th>ค้างอยู่</th></tr></thead><tbody>\n", f);
		for (i = 0; i < r->nfinds; i++) {
			const struct find *x = &r->finds[i];

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
		fputs("</tbody></table>\n", f);
	}

	fputs("<h3>แก้ไขข้อมูลหลังบันทึกครบถ้วน</h3>\n", f);
	if (changed == 0)
		fputs("<p class=\"none\">ไม่มี</p>\n", f);
	else {
		fputs("<table><thead><tr><th>รหัสบ้าน</th><th>แถว</th><th>คอลัมน์</th>"
		    "<th>เดิม</th><th>ใหม่</th><th>เมื่อ</th></tr></thead><tbody>\n", f);
		for (i = 0; i < r->nchgs; i++) {
			const struct chg *c = &r->chgs[i];

			if (strcmp(c->tab, tab) != 0 || !c->after_complete)
				continue;
			fputs("<tr><td>", f);
			esc(f, c->key);
			fprintf(f, "</td><td>%ld</td><td>", c->row);
			esc(f, c->column);
			fputs("</td><td>", f);
			esc(f, c->old);
			fputs("</td><td>", f);
			esc(f, c->new);
			fputs("</td><td>", f);
			when(f, c->ts);
			fputs("</td></tr>\n", f);
		}
		fputs("</tbody></table>\n", f);
	}
	fputs("</section>\n", f);
}

static int
write_page(FILE *f, void *ctx, struct err *e)
{
	struct page *p = ctx;
	struct rep *r = p->r;
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

static void
rep_fini(struct rep *r)
{
	size_t i;

	for (i = 0; i < r->ndevs; i++) {
		free(r->devs[i].tab);
		free(r->devs[i].key);
		free(r->devs[i].date);
	}
	for (i = 0; i < r->nfinds; i++) {
		free(r->finds[i].tab);
		free(r->finds[i].rule);
		free(r->finds[i].severity);
		free(r->finds[i].key);
		free(r->finds[i].column);
		free(r->finds[i].message);
	}
	for (i = 0; i < r->nchgs; i++) {
		free(r->chgs[i].tab);
		free(r->chgs[i].key);
		free(r->chgs[i].column);
		free(r->chgs[i].old);
		free(r->chgs[i].new);
	}
	for (i = 0; i < r->ntabs; i++)
		free(r->tabs[i]);
	free(r->devs);
	free(r->finds);
	free(r->chgs);
	free(r->tabs);
	json_decref(r->devmap);
	json_decref(r->openmap);
}

static const char usage_text[] =
    "usage: syncd audit report FILE... [-c CONF] --html OUT\n";

int
audit_report_main(int argc, char **argv)
{
	struct auditscan_result res;
	struct config *cfg = NULL;
	struct rep r;
	struct page p;
	const char *files[AUDITSCAN_FILES_MAX], *conf = NULL, *out = NULL;
	size_t nfiles = 0;
	struct stat st;
	struct err e, se;
	size_t i;
	int a, rc, status;

	err_init(&e);
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "-c") == 0 && a + 1 < argc)
			conf = argv[++a];
		else if (strcmp(argv[a], "--html") == 0 && a + 1 < argc)
			out = argv[++a];
		else if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
			fputs(usage_text, stdout);
			return 0;
		} else if (argv[a][0] == '-' && argv[a][1] != '\0') {
			fprintf(stderr, "syncd: audit report: unknown option or missing "
			    "value: %s\n%s", argv[a], usage_text);
			return EX_USAGE;
		} else if (nfiles < AUDITSCAN_FILES_MAX)
			files[nfiles++] = argv[a];
		else {
			fprintf(stderr, "syncd: audit report: more than %d files\n",
			    AUDITSCAN_FILES_MAX);
			return EX_USAGE;
		}
	}
	if (nfiles == 0 || out == NULL) {
		fputs(usage_text, stderr);
		return EX_USAGE;
	}
	if (conf != NULL && stat(conf, &st) == -1) {
		fprintf(stderr, "syncd: audit report: %s: %s\n", conf, strerror(errno));
		return EX_NOINPUT;
	}
	cfg = conf != NULL ? config_load(conf, CONFIG_NO_CREDENTIALS, &e) :
	    config_new_default(&e);
	if (cfg == NULL) {
		fprintf(stderr, "syncd: audit report: %s\n", e.msg);
		return e.code == ERR_NOMEM ? EX_OSERR : EX_CONFIG;
	}
	memset(&r, 0, sizeof(r));
	r.cfg = cfg;
	r.first_ts = r.last_ts = (time_t)-1;
	r.deadline_end = ((time_t)cfg->rules.activity_deadline + 1) * 86400 -
	    TODAY_BANGKOK_OFFSET - 1;
	for (i = 0; i < cfg->rules.nfields; i++)
		if (cfg->rules.fields[i].role == RULES_ROLE_ACTIVITY &&
		    cfg->rules.fields[i].is_date)
			r.date_heading = cfg->rules.fields[i].heading;
	r.devmap = json_object();
	r.openmap = json_object();
	for (i = 0; i < cfg->rules.ndistricts; i++)
		note_tab(&r, cfg->rules.districts[i]);
	if (r.devmap == NULL || r.openmap == NULL || r.nomem) {
		fprintf(stderr, "syncd: audit report: out of memory\n");
		status = EX_OSERR;
		goto out;
	}
	err_init(&se);
	rc = auditscan_files(files, nfiles, on_line, &r, &res, &se);
	if (rc == -1 && se.code != ERR_DATA) {
		fprintf(stderr, "syncd: audit report: %s\n", se.msg);
		status = se.code == ERR_NOINPUT ? EX_NOINPUT :
		    se.code == ERR_NOMEM ? EX_OSERR : EX_IOERR;
		goto out;
	}
	memset(&p, 0, sizeof(p));
	p.r = &r;
	p.log = files;
	p.nlog = nfiles;
	p.res = &res;
	p.intact = rc == 0;
	p.why = se.msg;
	if (fsutil_write_atomic(out, 0644, write_page, &p, &e) == -1) {
		fprintf(stderr, "syncd: audit report: cannot write the page %s: %s\n",
		    out, e.msg);
		status = EX_CANTCREAT;
		goto out;
	}
	if (rc == -1) {
		fprintf(stderr, "syncd: audit report: %s; the page says so\n", se.msg);
		status = EX_DATAERR;
	} else
		status = 0;
out:
	rep_fini(&r);
	config_free(cfg);
	return status;
}
