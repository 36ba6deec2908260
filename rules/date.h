/*
 * date: the calendar and the activity-date spellings of DOMAIN.md.
 *
 * Dates are days since 1970-01-01 in the proleptic Gregorian calendar (CE),
 * as int32_t.  Pure: no clock, no time zone, no locale.  rules.h re-exports
 * these as rules_days_from_civil() and friends for the shell.
 */
#ifndef RULES_DATE_H
#define RULES_DATE_H

#include <stddef.h>
#include <stdint.h>

#define DATE_TEXT_MAX 128	/* longer date cells are invalid dates */
#define DATE_BE_OFFSET 543	/* Buddhist Era year = CE year + 543 */
#define DATE_BE_ABOVE 2400	/* a 4-digit year above this is Buddhist Era */
#define DATE_SERIAL_EPOCH 25569	/* Sheets serial of 1970-01-01 (epoch 1899-12-30) */

/* date_days_from_civil(y, m, d): days since 1970-01-01 of a CE date. */
int32_t date_days_from_civil(int y, int m, int d);

/* date_civil_from_days(days, y, m, d): the CE date of a day number. */
void date_civil_from_days(int32_t days, int *y, int *m, int *d);

/* date_days_in_month(y, m): 28-31, or 0 when m is not 1-12. */
int date_days_in_month(int y, int m);

/*
 * date_parse(text, len, is_number, days): an activity date cell.
 * is_number: text is a JSON number, a Sheets serial (days since 1899-12-30,
 * a fraction is the time of day and is dropped; a year above 2400 is
 * Buddhist Era).  Otherwise text is one of, with Thai or ASCII digits and
 * any white space around the parts:
 *   YYYY-MM-DD (ISO);
 *   D/M/Y, D-M-Y, D.M.Y (one separator throughout);
 *   D <Thai month> Y, the month full ("กุมภาพันธ์"), abbreviated with or
 *   without dots ("ก.พ.", "กพ") or in the common short form ("กุมภา"),
 *   optionally followed by "พ.ศ.".
 * Y: four digits (above 2400: Buddhist Era) or two (Buddhist Era 25YY).
 * The day must exist (31/02 and 29/02 of a common year are invalid).
 * A string of digits ("45337") is NOT taken as a serial: a person sees a
 * number there, not a date, so it is reported as an invalid date.
 * Returns 0 and sets *days, or -1.
 */
int date_parse(const char *text, size_t len, int is_number, int32_t *days);

/* date_parse_ymd(s, days): exactly "YYYY-MM-DD" (CE).  Returns 0 or -1. */
int date_parse_ymd(const char *s, int32_t *days);

/*
 * date_format_be(days, out, outsize): "D/M/YYYY" with the Buddhist Era year,
 * as Thai offices write dates in messages.  Returns the length or -1.
 */
int date_format_be(int32_t days, char *out, size_t outsize);

#endif
