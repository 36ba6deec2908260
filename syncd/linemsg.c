/*
 * linemsg: the daily LINE report's text (see linemsg.h).  The lists are
 * rendered whole first; when the text passes the limit, districts are
 * dropped one at a time from the end of the longer of the two lists (the
 * error list ends with the fewest errors), and a line under each cut list
 * says how many were left out.  The totals, the deadline, the link and the audit head always stay.
 */
#include "syncd/linemsg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINEMSG_MAX_BYTES	(256 * 1024)	/* a rendering before cutting */

static const char *const thai_months[12] = {
	"ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
	"ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
};

/* A growing string; bad: out of memory, toolong: past LINEMSG_MAX_BYTES. */
struct buf {
	char *p;
	size_t len, cap;
	int bad, toolong;
};

static void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *np;
	size_t need, cap;

	if (b->bad || b->toolong)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p != NULL ? b->p + b->len : NULL, b->p != NULL ? b->cap - b->len : 0,
	    fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->bad = 1;
		return;
	}
	need = b->len + (size_t)n + 1;
	if (b->p == NULL || need > b->cap) {
		if (need > LINEMSG_MAX_BYTES) {
			b->toolong = 1;
			return;
		}
		cap = b->cap == 0 ? 1024 : b->cap;
		while (cap < need)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->bad = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

size_t
linemsg_utf16_units(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	for (; *p != '\0'; p++) {
		if ((*p & 0xC0) == 0x80)
			continue;	/* continuation byte */
		n += *p >= 0xF0 ? 2 : 1;	/* 4-byte sequences are surrogate pairs */
	}
	return n;
}

int
linemsg_thai_date(int32_t days, char *out, size_t size)
{
	int y, m, d, n;

	rules_civil_from_days(days, &y, &m, &d);
	n = snprintf(out, size, "%d %s %d", d, thai_months[m - 1], y + 543);
	return n < 0 || (size_t)n >= size ? -1 : n;
}

/* group(v, out): v with thousands separators ("1,234", "-5"). */
static const char *
group(long v, char out[32])
{
	char digits[24];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	size_t n, i, o = 0;

	n = (size_t)snprintf(digits, sizeof(digits), "%llu", u);
	if (v < 0)
		out[o++] = '-';
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return out;
}

long
linemsg_developed(const struct rules_report *r)
{
	if (r == NULL || r->nsummary == 0)
		return -1;
	return r->summary[r->nsummary - 1].developed;
}

/* developable(in, s): s's count of the developable status. */
static long
developable(const struct linemsg_in *in, const struct rules_summary *s)
{
	const struct rules_config *rc = in->rules;
	size_t i, k = 0;

	for (i = 0; i < rc->nfields; i++) {
		if (rc->fields[i].role != RULES_ROLE_STATUS)
			continue;
		if (rc->fields[i].developable)
			return k < RULES_MAX_STATUSES ? s->status[k] : 0;
		k++;
	}
	return 0;
}

/* The lists a message shows, before cutting. */
struct lists {
	const struct rules_summary **err;	/* districts with errors, most first */
	size_t nerr;
	const char **below;			/* districts below their minimum */
	size_t nbelow;
	int province_below;
};

static int
by_errors(const void *a, const void *b)
{
	const struct rules_summary *x = *(const struct rules_summary *const *)a;
	const struct rules_summary *y = *(const struct rules_summary *const *)b;

	if (x->errors != y->errors)
		return x->errors > y->errors ? -1 : 1;
	return x < y ? -1 : x > y;	/* the sheet's order among equals */
}

/* render(in, l, kerr, kbelow, b): the whole text with the first kerr and kbelow entries. */
static void
render(const struct linemsg_in *in, const struct lists *l, size_t kerr, size_t kbelow,
    struct buf *b)
{
	const struct rules_report *r = in->report;
	const struct rules_summary *tot = &r->summary[r->nsummary - 1];
	char date[64], dl[64], n1[32], n2[32], n3[32];
	long dev = developable(in, tot), days;
	size_t i, left;

	linemsg_thai_date(in->today, date, sizeof(date));
	buf_printf(b, "รายงานครัวเรือนยากจนเป้าหมาย ประจำวันที่ %s\n\n", date);
	buf_printf(b, "ทั้งจังหวัด: %s ครัวเรือน, พัฒนาได้ %s, ได้รับการพัฒนาแล้ว %s (%.2f%%)\n",
	    group(tot->households, n1), group(dev, n2), group(tot->developed, n3),
	    tot->percent);
	if (in->has_prev)
		buf_printf(b, "เทียบกับรายงานครั้งก่อน: %s%s ครัวเรือนได้รับการพัฒนา\n",
		    tot->developed - in->prev_developed >= 0 ? "+" : "",
		    group(tot->developed - in->prev_developed, n1));
	else
		buf_printf(b, "เทียบกับรายงานครั้งก่อน: (รายงานครั้งแรก)\n");

	if (l->nerr == 0)
		buf_printf(b, "\nไม่มีอำเภอที่มีข้อผิดพลาด\n");
	else {
		buf_printf(b, "\nอำเภอที่มีข้อผิดพลาด %zu อำเภอ (มากไปน้อย):\n", l->nerr);
		for (i = 0; i < kerr && i < l->nerr; i++)
			buf_printf(b, "- %s %s รายการ\n", l->err[i]->district,
			    group(l->err[i]->errors, n1));
		if ((left = l->nerr - (kerr < l->nerr ? kerr : l->nerr)) > 0)
			buf_printf(b, "- และอีก %zu อำเภอ (ไม่แสดง: ข้อความยาวเกินกำหนดของ LINE)\n",
			    left);
	}

	if (l->nbelow > 0 || l->province_below) {
		buf_printf(b, "\nต่ำกว่าเกณฑ์ขั้นต่ำ (พัฒนาได้):\n");
		if (l->province_below)
			buf_printf(b, "- %s (%s ครัวเรือน, ขั้นต่ำ %ld)\n", tot->district,
			    group(dev, n1), in->rules->province_minimum);
		for (i = 0; i < kbelow && i < l->nbelow; i++)
			buf_printf(b, "- %s\n", l->below[i]);
		if ((left = l->nbelow - (kbelow < l->nbelow ? kbelow : l->nbelow)) > 0)
			buf_printf(b, "- และอีก %zu อำเภอ (ไม่แสดง: ข้อความยาวเกินกำหนดของ LINE)\n",
			    left);
	} else
		buf_printf(b, "\nทุกอำเภอและจังหวัดถึงเกณฑ์ขั้นต่ำ\n");

	linemsg_thai_date(in->rules->activity_deadline, dl, sizeof(dl));
	days = (long)in->rules->activity_deadline - (long)in->today;
	if (days > 0)
		buf_printf(b, "\nเหลืออีก %ld วัน ถึงกำหนดบันทึกกิจกรรม (%s)\n", days, dl);
	else if (days == 0)
		buf_printf(b, "\nวันนี้เป็นวันสุดท้ายของการบันทึกกิจกรรม (%s)\n", dl);
	else
		buf_printf(b, "\nเลยกำหนดบันทึกกิจกรรม (%s) มาแล้ว %ld วัน\n", dl, -days);
	buf_printf(b, "ชีต: https://docs.google.com/spreadsheets/d/%s/edit\n",
	    in->spreadsheet_id != NULL ? in->spreadsheet_id : "");
	if (in->head_seq > 0 && in->head_hash != NULL)
		buf_printf(b, "บันทึกตรวจสอบ (audit): seq %llu %.12s",
		    (unsigned long long)in->head_seq, in->head_hash);
	else
		buf_printf(b, "บันทึกตรวจสอบ (audit): ว่าง");
}

char *
linemsg_build(const struct linemsg_in *in, struct err *e)
{
	const struct rules_report *r = in->report;
	size_t max = in->max_units != 0 ? in->max_units : LINEMSG_MAX_UTF16;
	struct lists l;
	struct buf b;
	size_t i, kerr, kbelow;

	if (r == NULL || r->nsummary == 0) {
		err_set(e, ERR_DATA, "report: no province total to report");
		return NULL;
	}
	memset(&l, 0, sizeof(l));
	memset(&b, 0, sizeof(b));
	l.err = calloc(r->nsummary, sizeof(*l.err));
	l.below = calloc(r->nfindings + 1, sizeof(*l.below));
	if (l.err == NULL || l.below == NULL)
		goto nomem;
	for (i = 0; i + 1 < r->nsummary; i++)
		if (r->summary[i].errors > 0)
			l.err[l.nerr++] = &r->summary[i];
	if (l.nerr > 1)
		qsort(l.err, l.nerr, sizeof(*l.err), by_errors);
	for (i = 0; i < r->nfindings; i++) {
		if (strcmp(r->findings[i].rule, "district.no_developable") == 0 &&
		    r->findings[i].tab != NULL)
			l.below[l.nbelow++] = r->findings[i].tab;
		else if (strcmp(r->findings[i].rule, "province.below_minimum") == 0)
			l.province_below = 1;
	}

	kerr = l.nerr;
	kbelow = l.nbelow;
	for (;;) {
		b.len = 0;
		b.toolong = 0;
		render(in, &l, kerr, kbelow, &b);
		if (b.bad)
			goto nomem;
		if (!b.toolong && linemsg_utf16_units(b.p) <= max)
			break;
		/* Cut the longer list first, so both keep their head. */
		if (kerr > 0 && kerr >= kbelow)
			kerr--;
		else if (kbelow > 0)
			kbelow--;
		else {
			err_set(e, ERR_DATA, "report: the message does not fit in %zu UTF-16 "
			    "units even without the district lists", max);
			goto fail;
		}
	}
	free(l.err);
	free(l.below);
	return b.p;
nomem:
	err_set(e, ERR_NOMEM, "report: out of memory building the message");
fail:
	free(l.err);
	free(l.below);
	free(b.p);
	return NULL;
}
