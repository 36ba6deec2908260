/*
 * date: the calendar and every activity-date spelling of DOMAIN.md.
 *
 * District staff type dates the Thai way: day first, Buddhist Era years
 * (2567 or just 67), Thai digits, Thai month names with or without their
 * dots; Sheets turns some of them into serial numbers and reads a typed
 * 15/02/2567 as the year 2567 CE.  This file accepts exactly those spellings
 * and nothing else: an unreadable date must be reported, never guessed.
 * Pure: no clock, no time zone, no locale, no allocation.
 */
#include "rules/date.h"

#include <stdio.h>
#include <string.h>

#include "rules/cell.h"

/* Howard Hinnant's days_from_civil, proleptic Gregorian. */
int32_t
date_days_from_civil(int y, int m, int d)
{
	long yy = y - (m <= 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t)(era * 146097 + doe - 719468);
}

void
date_civil_from_days(int32_t days, int *y, int *m, int *d)
{
	long z = (long)days + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	long dd = doy - (153 * mp + 2) / 5 + 1;
	long mm = mp < 10 ? mp + 3 : mp - 9;

	*y = (int)(yoe + era * 400 + (mm <= 2));
	*m = (int)mm;
	*d = (int)dd;
}

int
date_days_in_month(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12)
		return 0;
	return dim[m - 1] + (m == 2 && leap);
}

/* A CE or BE year as written (ndigits 2 or 4) to a CE year, or -1. */
static int
ce_year(int y, int ndigits)
{
	if (ndigits == 2)
		return 2500 + y - DATE_BE_OFFSET;
	if (ndigits == 4)
		return y > DATE_BE_ABOVE ? y - DATE_BE_OFFSET : y;
	return -1;
}

static int
make_date(int y, int m, int d, int32_t *days)
{
	if (y < 1 || y > 9999 || d < 1 || d > date_days_in_month(y, m))
		return -1;
	*days = date_days_from_civil(y, m, d);
	return 0;
}

/* A Sheets serial number (JSON number text). */
static int
parse_serial(const char *text, size_t len, int32_t *days)
{
	double v;
	int32_t day;
	int y, m, d;

	if (!cell_number(text, len, &v) || !(v >= 1 && v < 4000000))
		return -1;
	day = (int32_t)v - DATE_SERIAL_EPOCH;	/* v > 0: truncation is floor */
	date_civil_from_days(day, &y, &m, &d);
	if (y > DATE_BE_ABOVE)
		y -= DATE_BE_OFFSET;
	return make_date(y, m, d, days);
}

/* Thai month names after removing dots and spaces, and their month. */
static const struct {
	const char *name;
	int month;
} thai_months[] = {
	{ "มกราคม", 1 }, { "กุมภาพันธ์", 2 }, { "มีนาคม", 3 },
	{ "เมษายน", 4 }, { "พฤษภาคม", 5 }, { "มิถุนายน", 6 },
	{ "กรกฎาคม", 7 }, { "สิงหาคม", 8 }, { "กันยายน", 9 },
	{ "ตุลาคม", 10 }, { "พฤศจิกายน", 11 }, { "ธันวาคม", 12 },
	{ "มค", 1 }, { "กพ", 2 }, { "มีค", 3 }, { "เมย", 4 }, { "พค", 5 },
	{ "มิย", 6 }, { "กค", 7 }, { "สค", 8 }, { "กย", 9 }, { "ตค", 10 },
	{ "พย", 11 }, { "ธค", 12 },
	/* The short forms people say and type. */
	{ "มกรา", 1 }, { "กุมภา", 2 }, { "มีนา", 3 }, { "เมษา", 4 },
	{ "พฤษภา", 5 }, { "มิถุนา", 6 }, { "กรกฎา", 7 }, { "สิงหา", 8 },
	{ "กันยา", 9 }, { "ตุลา", 10 }, { "พฤศจิกา", 11 }, { "ธันวา", 12 },
	/* The usual misspelling of July (ฏ for ฎ). */
	{ "กรกฏาคม", 7 }, { "กรกฏา", 7 },
};

#define ERA_SUFFIX "พศ"	/* "พ.ศ." before the year, dots removed */

/* The month of a Thai month token (dots and spaces allowed), or 0. */
static int
thai_month(const char *s, size_t len)
{
	char buf[64];
	size_t i, o = 0, el = strlen(ERA_SUFFIX);

	for (i = 0; i < len; i++) {
		if (s[i] == '.' || s[i] == ' ')
			continue;
		if (o + 1 >= sizeof(buf))
			return 0;
		buf[o++] = s[i];
	}
	if (o > el && memcmp(buf + o - el, ERA_SUFFIX, el) == 0)
		o -= el;
	for (i = 0; i < sizeof(thai_months) / sizeof(thai_months[0]); i++)
		if (strlen(thai_months[i].name) == o &&
		    memcmp(thai_months[i].name, buf, o) == 0)
			return thai_months[i].month;
	return 0;
}

/* Reads up to 4 digits at s[*p]; returns the value, *nd the count. */
static int
digits(const char *s, size_t len, size_t *p, int *nd)
{
	int v = 0;

	*nd = 0;
	while (*p < len && s[*p] >= '0' && s[*p] <= '9') {
		if (++*nd > 4)
			return -1;
		v = v * 10 + (s[(*p)++] - '0');
	}
	return v;
}

static void
skip_spaces(const char *s, size_t len, size_t *p)
{
	while (*p < len && s[*p] == ' ')
		(*p)++;
}

int
date_parse(const char *text, size_t len, int is_number, int32_t *days)
{
	char raw[DATE_TEXT_MAX], s[DATE_TEXT_MAX];
	size_t p = 0, n, start;
	int a, b, c, na, nb, nc, m;
	char sep;

	if (text == NULL || len == 0)
		return -1;
	if (is_number)
		return parse_serial(text, len, days);
	/* Thai digits to ASCII, then white space to single spaces. */
	if (cell_ascii_digits(text, len, raw, sizeof(raw)) < 0)
		return -1;
	if (cell_heading_normalise(raw, strlen(raw), s, sizeof(s)) < 0)
		return -1;
	n = strlen(s);

	a = digits(s, n, &p, &na);
	if (a < 0 || na == 0)
		return -1;
	skip_spaces(s, n, &p);
	if (p >= n)
		return -1;
	if (na == 4) {	/* ISO: YYYY-MM-DD */
		if (s[p++] != '-')
			return -1;
		skip_spaces(s, n, &p);
		b = digits(s, n, &p, &nb);
		skip_spaces(s, n, &p);
		if (b < 0 || nb < 1 || nb > 2 || p >= n || s[p++] != '-')
			return -1;
		skip_spaces(s, n, &p);
		c = digits(s, n, &p, &nc);
		if (c < 0 || nc < 1 || nc > 2 || p != n)
			return -1;
		return make_date(ce_year(a, 4), b, c, days);
	}
	if (na > 2)
		return -1;
	if (s[p] == '/' || s[p] == '-' || s[p] == '.') {	/* D/M/Y */
		sep = s[p++];
		skip_spaces(s, n, &p);
		b = digits(s, n, &p, &nb);
		skip_spaces(s, n, &p);
		if (b < 0 || nb < 1 || nb > 2 || p >= n || s[p++] != sep)
			return -1;
		skip_spaces(s, n, &p);
		c = digits(s, n, &p, &nc);
		if (c < 0 || (nc != 2 && nc != 4) || p != n)
			return -1;
		return make_date(ce_year(c, nc), b, a, days);
	}
	/* D <Thai month> Y: the month runs up to the year's first digit. */
	for (start = p; p < n && !(s[p] >= '0' && s[p] <= '9'); p++)
		;
	if ((m = thai_month(s + start, p - start)) == 0)
		return -1;
	c = digits(s, n, &p, &nc);
	if (c < 0 || (nc != 2 && nc != 4) || p != n)
		return -1;
	return make_date(ce_year(c, nc), m, a, days);
}

int
date_parse_ymd(const char *s, int32_t *days)
{
	int y, m, d, i;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !(s[i] >= '0' && s[i] <= '9'))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	return make_date(y, m, d, days);
}

int
date_format_be(int32_t days, char *out, size_t outsize)
{
	int y, m, d, n;

	date_civil_from_days(days, &y, &m, &d);
	n = snprintf(out, outsize, "%d/%d/%d", d, m, y + DATE_BE_OFFSET);
	if (n < 0 || (size_t)n >= outsize)
		return -1;
	return n;
}
