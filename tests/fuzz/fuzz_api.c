/*
 * fuzz_api: the parsers of Google's API answers on arbitrary bytes: the error
 * envelope (any status), the spreadsheets.get tab list, Drive's version, and
 * the Retry-After header.
 *
 * The first byte picks the parser and the status; the rest is the body.  An
 * error must always come back as one line of ERR_API with the status; a
 * parsed tab list must hold non-empty titles without NUL; a parse failure
 * must leave nothing allocated and say why.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/retry.h"
#include "syncd/sheets.h"
#include "syncd/sheets_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 400, 401, 403, 404, 408, 429, 500, 503 };
	const char *body = (const char *)data + 1;
	size_t len, i;
	struct sheets_tabs tabs;
	struct err e;
	char *v, *z;
	double secs;

	if (size < 1)
		return 0;
	len = size - 1;
	err_init(&e);
	switch (data[0] % 4) {
	case 0:
		sheets_parse_error(body, len, statuses[(data[0] >> 2) % 8],
		    (data[0] & 0x80) ? "sa@x.iam.gserviceaccount.com" : NULL, &e);
		if (e.code != ERR_API || e.status != statuses[(data[0] >> 2) % 8] ||
		    strchr(e.msg, '\n') != NULL || strlen(e.msg) >= ERR_MSG_MAX)
			__builtin_trap();
		break;
	case 1:
		if (sheets_parse_tabs(body, len, &tabs, &e) == 0) {
			if (err_is_set(&e) || tabs.n > SHEETS_MAX_TABS)
				__builtin_trap();
			for (i = 0; i < tabs.n; i++)
				if (tabs.tabs[i].title == NULL || tabs.tabs[i].title[0] == '\0')
					__builtin_trap();
			sheets_tabs_fini(&tabs);
		} else if (e.code == ERR_NONE || tabs.n != 0 || tabs.tabs != NULL) {
			__builtin_trap();
		}
		break;
	case 2:
		if (sheets_parse_version(body, len, &v, &e) == 0) {
			if (v == NULL || v[0] == '\0' || strlen(v) > SHEETS_MAX_VERSION)
				__builtin_trap();
			free(v);
		} else if (e.code == ERR_NONE || v != NULL) {
			__builtin_trap();
		}
		break;
	default:
		z = malloc(len + 1);
		if (z == NULL)
			return 0;
		memcpy(z, body, len);
		z[len] = '\0';
		if (retry_after_parse(z, 1700000000, &secs) == 0 &&
		    !(secs >= 0 && secs <= RETRY_AFTER_MAX_S))
			__builtin_trap();
		free(z);
		break;
	}
	return 0;
}
