/*
 * today: the Bangkok calendar date from the clock, and its spelling.
 * Fixed UTC+7 arithmetic (Thailand has no daylight saving), so no TZ,
 * no localtime_r and no dependence on the host's zone.
 */
#include "syncd/today.h"

#include <stdio.h>
#include <string.h>

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
