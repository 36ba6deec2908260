/*
 * monotime: seconds on the monotonic clock, for deadlines and durations
 * (never the wall clock, which an administrator or NTP may step).
 */
#ifndef SYNCD_MONOTIME_H
#define SYNCD_MONOTIME_H

/* monotime_now(): CLOCK_MONOTONIC in seconds, with nanosecond fraction. */
double monotime_now(void);

#endif
