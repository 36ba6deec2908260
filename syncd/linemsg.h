/*
 * linemsg: the text of the daily report to the province's LINE group
 * (issue 14), built from a rules report.  Thai, short enough to read on a
 * phone: the date with the Buddhist Era year, the province's totals, the
 * change since the last report, the districts with open errors (most
 * first), the districts and the province below their minimums, the days
 * left to the activity deadline, the spreadsheet's link and the audit log's
 * head.  A LINE text holds at most LINEMSG_MAX_UTF16 UTF-16 code units: past
 * that, the district lists are cut (never the totals) and the text says how
 * many districts were left out.  Pure: no I/O, no clock.
 */
#ifndef SYNCD_LINEMSG_H
#define SYNCD_LINEMSG_H

#include <stddef.h>
#include <stdint.h>

#include "auth/err.h"
#include "rules/rules.h"

#define LINEMSG_MAX_UTF16	5000	/* LINE's limit on one text message */

/* What the message is made of; everything borrowed for the call. */
struct linemsg_in {
	const struct rules_report *report;	/* the day's evaluation */
	const struct rules_config *rules;	/* its configuration (deadline, labels) */
	int32_t today;				/* the report's date (days since 1970-01-01) */
	int has_prev;				/* a previous report's figure is known */
	long prev_developed;			/* developed households at the last report */
	const char *spreadsheet_id;
	uint64_t head_seq;			/* the audit log's head: 0 when empty */
	const char *head_hash;			/* its 64 hex digits (NULL: none) */
	size_t max_units;			/* 0: LINEMSG_MAX_UTF16 (tests lower it) */
};

/*
 * linemsg_build(in, e): the message.  Returns an owned NUL-terminated UTF-8
 * string (free()), or NULL with e set (ERR_NOMEM; ERR_DATA when even the
 * text without any district does not fit, or the report has no total row).
 */
char *linemsg_build(const struct linemsg_in *in, struct err *e);

/* linemsg_utf16_units(s): the length of UTF-8 s in UTF-16 code units. */
size_t linemsg_utf16_units(const char *s);

/* linemsg_thai_date(days, out, size): "15 ก.พ. 2567"; its length or -1. */
int linemsg_thai_date(int32_t days, char *out, size_t size);

/* linemsg_developed(r): the province's developed households (the total row), or -1. */
long linemsg_developed(const struct rules_report *r);

#endif
