/*
 * overtime: the reports over time (issue 15), as pieces the cycle joins:
 * the progress history tab (a row a day and its line chart), the snapshot
 * tabs of the reporting days, and the monthly e-mail to the Department.
 *
 * The history and snapshot tabs are grids for syncd/writer, written in the
 * cycle's one batchUpdate beside the summary and discrepancy tabs (the
 * chart as one more request in it).  Whether a day's history row exists is
 * read from the history tab itself, so a restart never adds a second one;
 * whether a snapshot was taken is kept in the at-most-once ledger
 * (syncd/once, "snapshot YYYY-MM-DD"), so one a person deleted is not
 * brought back.  The e-mail is prepared while the cycle holds the data (the
 * .xlsx and the body are written to the state directory) and sent after
 * the cycle, under the ledger's "persist before the first try".  It never
 * logs and never exits.
 */
#ifndef SYNCD_OVERTIME_H
#define SYNCD_OVERTIME_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "auth/err.h"
#include "rules/rules.h"
#include "rules/workbook.h"
#include "syncd/audit.h"
#include "syncd/config.h"
#include "syncd/writer.h"

#define OVERTIME_LEDGER		"once.json"	/* in state_dir */
#define OVERTIME_TITLE_MAX	128		/* bytes of a snapshot title */
#define OVERTIME_HISTORY_COLS	8		/* columns of a history row */
#define OVERTIME_CHART_COL	9		/* the chart's anchor column (J) */
#define OVERTIME_MAIL_TRIES	2		/* sends of one month's e-mail, at most */

/*
 * overtime_thai_date(day, buf, size): "20 ก.พ. 2567": the day, the Thai
 * month abbreviation, the Buddhist Era year.  Returns buf.
 */
const char *overtime_thai_date(int32_t day, char *buf, size_t size);

/* overtime_snapshot_title(day, buf, size): "สรุป 20 ก.พ. 2567".  Returns buf. */
const char *overtime_snapshot_title(int32_t day, char *buf, size_t size);

/* overtime_snapshot_day(cfg, day): non-zero when day's day of the month is
 * one of cfg->snapshot_days. */
int overtime_snapshot_day(const struct config *cfg, int32_t day);

/*
 * overtime_snapshot_grid(r, cfg, taken, g, sha, e): the snapshot tab: the
 * summary's headings, district rows and total row, values only, then an
 * empty row and "ข้อมูล ณ" with taken (borrowed text).  sha receives the
 * SHA-256 (hex) of the values (overtime_grid_sha256).  Fills *g (release
 * with writer_grid_fini).  Returns 0, or -1 (ERR_NOMEM).
 */
int overtime_snapshot_grid(const struct rules_report *r, const struct rules_config *cfg,
    const char *taken, struct writer_grid *g, char sha[65], struct err *e);

/*
 * overtime_grid_sha256(g, sha): the SHA-256, in lower-case hex, of g's
 * values as values.get gives them back, in compact JSON: an array of rows
 * (trailing empty rows left out), each an array of cells (trailing empty
 * cells left out; a string, a number with at most 15 significant digits,
 * "" for an empty cell inside the row).  Returns 0, or -1 (out of memory).
 */
int overtime_grid_sha256(const struct writer_grid *g, char sha[65]);

/*
 * overtime_history_grid(r, cfg, day, old, g, added, e): the history tab as it
 * should be: the headings, every row of old (the tab as read; NULL: absent)
 * kept as it is, and a row for day (ISO date, Thai date, households,
 * developable, developed, percent, open errors, open warnings) unless a row
 * already starts with day's ISO date.  *added says whether one was added.
 * The grid is OVERTIME_CHART_COL + 1 columns wide, so the chart's anchor
 * is in it.  Returns 0, or -1 (ERR_NOMEM).
 */
int overtime_history_grid(const struct rules_report *r, const struct rules_config *cfg,
    int32_t day, const struct workbook_tab *old, struct writer_grid *g, int *added, struct err *e);

/*
 * overtime_history_chart(sheet_id, title): the addChart request (a new
 * reference) of the history's line chart: the percent over the ISO dates,
 * anchored at row 1, column OVERTIME_CHART_COL of the tab.  NULL when out
 * of memory.
 */
json_t *overtime_history_chart(int64_t sheet_id, const char *title);

/*
 * Mail: overtime_mail_month(cfg, day, month) says whether day is on or
 * after the month's mail day (cfg->mail.day, or the month's last day when
 * shorter) and gives the month "YYYY-MM".  Returns non-zero when due.
 */
int overtime_mail_month(const struct config *cfg, int32_t day, char month[16]);

/*
 * overtime_mail_prepare(cfg, wb, r, day, taken, e): when the month's e-mail
 * is due and not yet prepared, sent or given up, write its attachment
 * (state_dir/mail-YYYY-MM.xlsx, syncd/xlsx) and body (mail-YYYY-MM.txt)
 * from wb and r (borrowed).  Returns 0 (also when nothing was due), or -1
 * with e set.
 */
int overtime_mail_prepare(const struct config *cfg, const struct workbook *wb,
    const struct rules_report *r, int32_t day, const char *taken, struct err *e);

/*
 * overtime_mail_run(cfg, a, day, now, e): send the month's prepared e-mail
 * when it is due and the ledger allows: record the try (synced) first, then
 * send, then record and audit the outcome (mail.sent, or mail.failed with
 * whether it will be tried again).  After a crash mid-send (a try recorded,
 * no outcome) it sends at most once more.  Returns 0 (sent, nothing to do,
 * or a failure recorded), or -1 with e set: fatal when the audit log lost
 * durability, else the ledger could not be made durable (nothing was sent)
 * or the log refused the event.
 */
int overtime_mail_run(const struct config *cfg, struct audit *a, int32_t day, time_t now,
    struct err *e);

#endif
