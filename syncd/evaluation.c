/*
 * evaluation: see evaluation.h.  The order is the commands' contract: a
 * bad configuration is reported before the workbook is opened, and the
 * live spreadsheet is only read with a configuration that holds the
 * credentials.
 */
#include "syncd/evaluation.h"

#include <string.h>

#include "syncd/live.h"

int
evaluation_run(struct evaluation *ev, const char *config, const char *workbook,
    int32_t day, struct err *e)
{
	memset(ev, 0, sizeof(*ev));
	if ((ev->cfg = config_load_cli(config, workbook != NULL ? CONFIG_NO_CREDENTIALS : 0,
	    e)) == NULL)
		return -1;
	if (workbook != NULL)
		ev->doc = sheetjson_load_file(workbook, e);
	else
		ev->doc = live_read(ev->cfg, e);
	if (ev->doc == NULL)
		return -1;
	if (rules_evaluate(sheetjson_view(ev->doc), &ev->cfg->rules, day, &ev->report) == -1) {
		err_set(e, ERR_NOMEM, "rules: out of memory");
		return -1;
	}
	return 0;
}

void
evaluation_fini(struct evaluation *ev)
{
	rules_report_fini(&ev->report);
	sheetjson_free(ev->doc);
	config_free(ev->cfg);
	memset(ev, 0, sizeof(*ev));
}
