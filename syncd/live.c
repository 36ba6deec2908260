/*
 * live: one read of the live spreadsheet (see live.h).  Requests: the token,
 * spreadsheets.get of the tab list, one values:batchGet; each retried by
 * the ordinary policy of syncd/retry.  Nothing is written anywhere.
 */
#include "syncd/live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth/key.h"
#include "auth/token.h"
#include "rules/rules.h"
#include "syncd/http.h"
#include "syncd/sheets.h"

static int
token_cb(void *ctx, int force, const char **bearer, struct err *e)
{
	return auth_token_get(ctx, force, bearer, e);
}

static struct auth_key *
load_key(const struct config *cfg, struct err *e)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char path[4096];
	struct stat st;

	if (dir != NULL && *dir != '\0' &&
	    snprintf(path, sizeof(path), "%s/%s", dir, LIVE_CREDENTIAL) < (int)sizeof(path) &&
	    stat(path, &st) == 0)
		return auth_key_load_credential(LIVE_CREDENTIAL, e);
	return auth_key_load(cfg->key_file, e);
}

struct sheetjson_doc *
live_read(const struct config *cfg, struct err *e)
{
	struct auth_key *key = NULL;
	struct http *http = NULL;
	struct auth_token *token = NULL;
	struct sheets *sh = NULL;
	struct sheets_tabs tabs;
	struct sheets_reply reply;
	struct http_opts ho;
	struct auth_token_opts to;
	struct sheets_opts so;
	struct sheetjson_request req;
	struct sheetjson_doc *wf = NULL;
	const char **titles = NULL;
	size_t i, n = 0;

	memset(&tabs, 0, sizeof(tabs));
	memset(&reply, 0, sizeof(reply));
	if ((key = load_key(cfg, e)) == NULL)
		goto done;
	memset(&ho, 0, sizeof(ho));
	ho.ca_file = cfg->ca_file;
	ho.connect_timeout_s = cfg->connect_timeout;
	ho.timeout_s = cfg->request_timeout;
	if ((http = http_new(&ho, e)) == NULL)
		goto done;
	memset(&to, 0, sizeof(to));
	to.key = key;
	to.post = http_auth_post;
	to.post_ctx = http;
	if ((token = auth_token_new(&to, e)) == NULL)
		goto done;
	memset(&so, 0, sizeof(so));
	so.http = http;
	so.sheets_url = cfg->sheets_url;
	so.drive_url = cfg->drive_url;
	so.spreadsheet_id = cfg->spreadsheet_id;
	so.client_email = auth_key_client_email(key);
	so.token = token_cb;
	so.token_ctx = token;
	if ((sh = sheets_client_new(&so, e)) == NULL)
		goto done;
	if (sheets_get_tabs(sh, &tabs, e) == -1)
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
	if (sheets_batch_get(sh, titles, n, &reply, e) == -1)
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
	sheets_client_free(sh);
	auth_token_free(token);
	http_free(http);
	auth_key_free(key);
	return wf;
}
