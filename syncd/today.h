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

/*
 * The clock of a run, as the command line set it.  --today fixes the date
 * (the time of day stays the real one); --now sets the whole clock, which
 * then runs on from there (a daemon started with --now 08:29 reaches 08:30
 * a minute later).  Zeroed: the real clock.
 */
struct today_clock {
	int fixed_day;		/* --today: the date is day below */
	int32_t day;		/* days since 1970-01-01, when fixed_day */
	int set;		/* --now: offset below is added to the real clock */
	long long offset;	/* seconds */
};

/*
 * A moment as the rules and the schedules see it (the daily report, the
 * history rows, the monthly mail): the instant, and its Bangkok date and
 * minute of the day.
 */
struct today_now {
	time_t t;		/* seconds since the epoch (UTC), the clock's */
	int32_t day;		/* Bangkok date: days since 1970-01-01 */
	int minute;		/* minute of the Bangkok day, 0..1439 */
};

/* today_now_of(t, n): n for the instant t (no --today). */
void today_now_of(time_t t, struct today_now *n);

/*
 * today_clock_read(ck, real, n): what the clock ck (borrowed; NULL: the
 * real clock) says when the real clock says real.
 */
void today_clock_read(const struct today_clock *ck, time_t real, struct today_now *n);

/*
 * today_parse_now(s, t): exactly "YYYY-MM-DDTHH:MM", a Bangkok date and
 * time (HH 00-23, MM 00-59), or "YYYY-MM-DDTHH:MM:SS" (tests that must
 * cross a minute soon).  Returns 0 and sets *t (UTC seconds), or -1.
 */
int today_parse_now(const char *s, time_t *t);

/*
 * today_clock_set_now(ck, s, real): --now s on the clock ck, taken when the
 * real clock says real.  Returns 0, or -1 (s malformed; ck unchanged).
 */
int today_clock_set_now(struct today_clock *ck, const char *s, time_t real);

/*
 * today_stamp(t, seconds, buf, n): the instant t in Bangkok, as
 * "YYYY-MM-DD HH:MM" (a first-seen time) or, with seconds,
 * "YYYY-MM-DD HH:MM:SS (Asia/Bangkok)" (the summary's "updated"), into buf
 * of n bytes; "?" when it does not fit.
 */
void today_stamp(time_t t, int seconds, char *buf, size_t n);

#endif
