/*
 * session: the key and the clients of one configuration (see session.h).
 * The token cache posts through the same HTTP client as the Sheets and
 * Drive calls, so all of them share its kept connections.
 */
#include "syncd/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int
token_cb(void *ctx, int force, const char **bearer, struct err *e)
{
	return auth_token_get(ctx, force, bearer, e);
}

static void
count_request(void *ctx, const char *op, long status)
{
	metrics_count_request(ctx, op, status);
}

void
session_fini(struct session *ss)
{
	sheets_client_free(ss->sheets);
	auth_token_free(ss->token);
	http_free(ss->http);
	auth_key_free(ss->key);
	memset(ss, 0, sizeof(*ss));
}

struct auth_key *
session_load_key(const struct config *cfg, struct err *e)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char path[4096];
	struct stat st;

	if (dir != NULL && *dir != '\0' &&
	    snprintf(path, sizeof(path), "%s/%s", dir, SESSION_CREDENTIAL) <
	    (int)sizeof(path) && stat(path, &st) == 0)
		return auth_key_load_credential(SESSION_CREDENTIAL, e);
	return auth_key_load(cfg->key_file, e);
}

int
session_open(struct session *ss, const struct config *cfg, const struct session_hooks *h,
    struct err *e)
{
	struct http_opts ho;
	struct auth_token_opts to;
	struct sheets_opts so;

	memset(ss, 0, sizeof(*ss));
	if ((ss->key = session_load_key(cfg, e)) == NULL)
		goto fail;
	memset(&ho, 0, sizeof(ho));
	ho.ca_file = cfg->ca_file;
	ho.connect_timeout_s = cfg->connect_timeout;
	ho.timeout_s = cfg->request_timeout;
	if (h->metrics != NULL) {
		ho.on_request = count_request;
		ho.on_request_ctx = h->metrics;
	}
	if ((ss->http = http_new(&ho, e)) == NULL)
		goto fail;
	memset(&to, 0, sizeof(to));
	to.key = ss->key;
	to.post = http_auth_post;
	to.post_ctx = ss->http;
	if ((ss->token = auth_token_new(&to, e)) == NULL)
		goto fail;
	memset(&so, 0, sizeof(so));
	so.http = ss->http;
	so.retry = h->retry;
	so.sheets_url = cfg->sheets_url;
	so.drive_url = cfg->drive_url;
	so.spreadsheet_id = cfg->spreadsheet_id;
	so.client_email = auth_key_client_email(ss->key);
	so.token = token_cb;
	so.token_ctx = ss->token;
	if ((ss->sheets = sheets_client_new(&so, e)) == NULL)
		goto fail;
	(void)sha256_file_hex(cfg->path, ss->cfg_sha);	/* "unreadable" is recorded as such */
	return 0;
fail:
	session_fini(ss);
	return -1;
}
