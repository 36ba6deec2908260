/*
 * today: the Bangkok calendar date from the clock, and its spelling.
 * Fixed UTC+7 arithmetic (Thailand has no daylight saving), so no TZ,
 * no localtime_r and no dependence on the host's zone.
 */
#include "syncd/today.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rules/rules.h"

int32_t
today_bangkok(time_t now)
{
	long long s = (long long)now + TODAY_BANGKOK_OFFSET;
	long long d = s / 86400;

	if (s % 86400 < 0)	/* floor, for instants before 1970 */
		d--;
	return (int32_t)d;
}

int
today_parse(const char *s, int32_t *days)
{
	if (s == NULL || strlen(s) != 10)
		return -1;
	return rules_parse_ymd(s, days);
}

int
today_format(int32_t days, char *out, size_t outsize)
{
	int y, m, d, n;

	rules_civil_from_days(days, &y, &m, &d);
	n = snprintf(out, outsize, "%04d-%02d-%02d", y, m, d);
	if (n < 0 || (size_t)n >= outsize)
		return -1;
	return n;
}

void
today_now_of(time_t t, struct today_now *n)
{
	long long s = (long long)t + TODAY_BANGKOK_OFFSET;
	long long r = s % 86400;

	if (r < 0)
		r += 86400;
	n->t = t;
	n->day = today_bangkok(t);
	n->minute = (int)(r / 60);
}

void
today_clock_read(const struct today_clock *ck, time_t real, struct today_now *n)
{
	if (ck != NULL && ck->set)
		real = (time_t)((long long)real + ck->offset);
	today_now_of(real, n);
	if (ck != NULL && ck->fixed_day)
		n->day = ck->day;
}

int
today_parse_now(const char *s, time_t *t)
{
	char date[11];
	int32_t days;
	int h, m, sec;

	if (s == NULL || (strlen(s) != 16 && strlen(s) != 19) || s[10] != 'T' ||
	    s[13] != ':')
		return -1;
	sec = 0;
	if (strlen(s) == 19) {
		if (s[16] != ':' || s[17] < '0' || s[17] > '5' || s[18] < '0' || s[18] > '9')
			return -1;
		sec = (s[17] - '0') * 10 + (s[18] - '0');
	}
	memcpy(date, s, 10);	/* s is at least 16 bytes long here */
	date[10] = '\0';
	if (today_parse(date, &days) == -1)
		return -1;
	if (s[11] < '0' || s[11] > '9' || s[12] < '0' || s[12] > '9' ||
	    s[14] < '0' || s[14] > '9' || s[15] < '0' || s[15] > '9')
		return -1;
	h = (s[11] - '0') * 10 + (s[12] - '0');
	m = (s[14] - '0') * 10 + (s[15] - '0');
	if (h > 23 || m > 59)
		return -1;
	*t = (time_t)((long long)days * 86400 + h * 3600 + m * 60 + sec -
	    TODAY_BANGKOK_OFFSET);
	return 0;
}

int
today_clock_set_now(struct today_clock *ck, const char *s, time_t real)
{
	time_t t;

	if (today_parse_now(s, &t) == -1)
		return -1;
	ck->set = 1;
	ck->offset = (long long)t - (long long)real;
	return 0;
}

void
today_stamp(time_t t, int seconds, char *buf, size_t n)
{
	time_t b = t + TODAY_BANGKOK_OFFSET;
	struct tm tm;
	size_t len = 0;

	if (gmtime_r(&b, &tm) != NULL)
		len = seconds ? strftime(buf, n, "%Y-%m-%d %H:%M:%S (Asia/Bangkok)", &tm) :
		    strftime(buf, n, "%Y-%m-%d %H:%M", &tm);
	if (len == 0)
		snprintf(buf, n, "?");
}
