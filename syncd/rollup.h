/*
 * rollup: the national rollup (issue 18): with a `rollup` group, syncd reads
 * the provinces' summary tabs and writes the national spreadsheet.  See
 * rollup.c.
 */
#ifndef SYNCD_ROLLUP_H
#define SYNCD_ROLLUP_H

#include "syncd/config.h"

/* The national spreadsheet's other two tabs (the summary is summary_tab). */
#define ROLLUP_DISTRICT_TAB	"ทุกอำเภอ"
#define ROLLUP_UNREADABLE_TAB	"จังหวัดที่อ่านไม่ได้"

/*
 * rollup_run(cfg, once): run rollup cycles under cfg (borrowed) every
 * poll_interval until SIGTERM, or one with once.  Returns the exit status:
 * 0; 75 (temporary), 78 (configuration, key, 401/403/404 of the national
 * sheet) as cycle_exit_status; 74 when the audit log or state failed.
 */
int rollup_run(const struct config *cfg, int once);

#endif
