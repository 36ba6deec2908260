/*
 * today: "today" as DOMAIN.md means it, the date in Asia/Bangkok, and the
 * YYYY-MM-DD spelling of --today.  Thailand keeps UTC+7 all year (no
 * daylight saving), so a fixed offset is exact and needs neither TZ nor
 * the time zone database; nothing here touches the process's time zone.
 */
#ifndef SYNCD_TODAY_H
#define SYNCD_TODAY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TODAY_BANGKOK_OFFSET	(7 * 3600)	/* seconds east of UTC */

/* today_bangkok(now): the day number (days since 1970-01-01) of now in Bangkok. */
int32_t today_bangkok(time_t now);

/*
 * today_parse(s, days): exactly "YYYY-MM-DD", a real Common Era date.
 * Returns 0 and sets *days, or -1.
 */
int today_parse(const char *s, int32_t *days);

/* today_format(days, out, outsize): "YYYY-MM-DD"; returns its length or -1. */
int today_format(int32_t days, char *out, size_t outsize);

#endif
