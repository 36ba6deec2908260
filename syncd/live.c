/*
 * live: one read of the live spreadsheet (see live.h), through the
 * daemon's session (syncd/session: the same key, clients and credential),
 * without its metrics or its daemon-wide retry policy.  Requests: the
 * token, spreadsheets.get of the tab list, one values:batchGetByDataFilter
 * of the district tabs by sheetId, as the daemon reads them (no URL limit:
 * a province of 200 long Thai tab titles reads in one request, where
 * values:batchGet by title would pass the URL's length near 60); each
 * retried by the ordinary policy of syncd/retry.  Nothing is written
 * anywhere.
 */
#include "syncd/live.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "syncd/session.h"
#include "syncd/sheets.h"

struct sheetjson_doc *
live_read(const struct config *cfg, struct err *e)
{
	static const struct session_hooks hooks = { NULL, NULL };
	struct session ss;
	struct sheets_tabs tabs;
	struct sheets_reply reply;
	struct sheetjson_request req;
	struct sheetjson_doc *wf = NULL;
	int64_t *ids = NULL;
	size_t i, n = 0;

	memset(&tabs, 0, sizeof(tabs));
	memset(&reply, 0, sizeof(reply));
	if (session_open(&ss, cfg, &hooks, e) == -1)
		return NULL;
	if (sheets_get_tabs(ss.sheets, &tabs, e) == -1)
		goto done;
	if ((ids = calloc(tabs.n + 1, sizeof(*ids))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < tabs.n; i++)
		if (rules_is_district(&cfg->rules, tabs.tabs[i].title))
			ids[n++] = tabs.tabs[i].sheet_id;
	if (n == 0) {
		/* No district tab: an empty workbook, evaluated as such. */
		char *empty = strdup("{\"valueRanges\": []}");

		if (empty == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto done;
		}
		wf = sheetjson_parse_batchget(empty, strlen(empty), NULL, e);
		goto done;
	}
	if (sheets_batch_get_by_ids(ss.sheets, ids, n, &reply, e) == -1)
		goto done;
	memset(&req, 0, sizeof(req));
	req.name = "values:batchGetByDataFilter";
	wf = sheetjson_parse_batchget(reply.body, reply.len, &req, e);
	reply.body = NULL;
done:
	sheets_reply_fini(&reply);
	free(ids);
	sheets_tabs_fini(&tabs);
	session_fini(&ss);
	return wf;
}
