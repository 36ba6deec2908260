/*
 * evaluation: what `syncd check`, `export` and `report` each start with:
 * their configuration, the workbook (a file, or the live spreadsheet read
 * once through syncd/live), and the rules' report on it as of a day.  It
 * never logs, never exits and writes nothing anywhere.
 */
#ifndef SYNCD_EVALUATION_H
#define SYNCD_EVALUATION_H

#include <stdint.h>

#include "auth/err.h"
#include "rules/rules.h"
#include "syncd/config.h"
#include "syncd/sheetjson.h"

/* One evaluation; everything in it is owned (evaluation_fini). */
struct evaluation {
	struct config *cfg;		/* the configuration */
	struct sheetjson_doc *doc;	/* the workbook; the caller may free it
					 * early (the report owns its strings)
					 * and set this to NULL */
	struct rules_report report;	/* the findings and figures */
};

/*
 * evaluation_run(ev, config, workbook, day, e): load the configuration at
 * config (config_load_cli: NULL for the default; no credentials needed with
 * a workbook file), the workbook file at workbook or, when NULL, the live
 * spreadsheet (live_read), and evaluate it as of day (days since
 * 1970-01-01).  Returns 0, or -1 with e set; either way ev holds what was
 * made, for evaluation_fini.
 */
int evaluation_run(struct evaluation *ev, const char *config, const char *workbook,
    int32_t day, struct err *e);

/* evaluation_fini(ev): release what ev holds; a zeroed ev is a no-op. */
void evaluation_fini(struct evaluation *ev);

#endif
