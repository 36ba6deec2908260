/*
 * live: one read of the live spreadsheet (see live.h), through the
 * daemon's session (syncd/session: the same key, clients and credential),
 * without its metrics or its daemon-wide retry policy.  Requests: the
 * token, spreadsheets.get of the tab list, one values:batchGet; each
 * retried by the ordinary policy of syncd/retry.  Nothing is written
 * anywhere.
 */
#include "syncd/live.h"

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
	const char **titles = NULL;
	size_t i, n = 0;

	memset(&tabs, 0, sizeof(tabs));
	memset(&reply, 0, sizeof(reply));
	if (session_open(&ss, cfg, &hooks, e) == -1)
		return NULL;
	if (sheets_get_tabs(ss.sheets, &tabs, e) == -1)
		goto done;
	if ((titles = calloc(tabs.n + 1, sizeof(*titles))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto done;
	}
	for (i = 0; i < tabs.n; i++)
		if (rules_is_district(&cfg->rules, tabs.tabs[i].title))
			titles[n++] = tabs.tabs[i].title;
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
	if (sheets_batch_get(ss.sheets, titles, n, &reply, e) == -1)
		goto done;
	memset(&req, 0, sizeof(req));
	req.name = "values:batchGet";
	req.titles = titles;
	req.ntitles = n;
	wf = sheetjson_parse_batchget(reply.body, reply.len, &req, e);
	reply.body = NULL;
done:
	sheets_reply_fini(&reply);
	free(titles);
	sheets_tabs_fini(&tabs);
	session_fini(&ss);
	return wf;
}
