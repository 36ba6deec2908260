/*
 * sheets_parse: reading what Google answers (see sheets_parse.h): its error
 * envelope turned into one line that says what to do, Drive's version, the
 * tab list.  Answers are parsed with json_loadb (never assuming a NUL),
 * duplicate keys rejected and nesting bounded before jansson sees them.
 * Pure: no I/O, never logs.
 */
#include "syncd/sheets_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/range.h"

/*
 * Nesting of buf, strings skipped, at most max: jansson's own limit (2048)
 * is far above what any answer we read needs (RELIABILITY_NOTES 6).
 */
static int
depth_ok(const char *buf, size_t len, int max)
{
	int depth = 0, in_str = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				return 0;
		} else if (c == ']' || c == '}') {
			depth--;
		}
	}
	return 1;
}

json_t *
sheets_parse_json(const char *body, size_t len, const char *what, struct err *e)
{
	json_error_t je;
	json_t *j;

	if (body == NULL || len == 0) {
		err_set(e, ERR_DATA, "%s: empty answer", what);
		return NULL;
	}
	if (!depth_ok(body, len, SHEETS_MAX_JSON_DEPTH)) {
		err_set(e, ERR_DATA, "%s: answer nested deeper than %d levels", what,
		    SHEETS_MAX_JSON_DEPTH);
		return NULL;
	}
	j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL) {
		err_set(e, ERR_DATA, "%s: answer is not JSON (line %d: %s)", what, je.line, je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		err_set(e, ERR_DATA, "%s: answer is not a JSON object", what);
		return NULL;
	}
	return j;
}

/* Copy up to max bytes of printable text from s (len bytes) into out. */
static void
excerpt(const char *s, size_t len, char *out, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < len && n + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
		if (c < 0x20 || c == 0x7f)
			continue;
		if (c == ' ' && n > 0 && out[n - 1] == ' ')
			continue;
		out[n++] = (char)c;
	}
	/* Do not end inside a UTF-8 sequence. */
	if (n > 0 && i < len) {
		size_t k = n;

		while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
			k--;
		if (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0xC0)
			n = k - 1;
	}
	out[n] = '\0';
}

int
sheets_parse_rate_limit(const char *body, size_t len)
{
	json_t *j, *errs, *x;
	const char *reason;
	size_t i;
	int hit = 0;
	struct err ignore;

	err_init(&ignore);
	if (body == NULL || len == 0)
		return 0;
	j = sheets_parse_json(body, len, "error", &ignore);
	if (j == NULL)
		return 0;
	errs = json_object_get(json_object_get(j, "error"), "errors");
	json_array_foreach(errs, i, x) {
		reason = json_string_value(json_object_get(x, "reason"));
		if (reason != NULL && (strcmp(reason, "rateLimitExceeded") == 0 ||
		    strcmp(reason, "userRateLimitExceeded") == 0))
			hit = 1;
	}
	json_decref(j);
	return hit;
}

static const char *
advice(long status, const char *gstatus, const char *gmsg, const char *client_email,
    char *buf, size_t size)
{
	switch (status) {
	case 400:
		return "the request was refused as invalid (a tab title or range that no "
		    "longer exists?)";
	case 401:
		return "the token was refused even after a refresh: was the service-account "
		    "key revoked or deleted?";
	case 403:
		if (gmsg != NULL && strstr(gmsg, "scope") != NULL)
			return "the token lacks a scope (spreadsheets and drive.metadata.readonly "
			    "are needed)";
		snprintf(buf, size, "share the spreadsheet with %s as Editor",
		    client_email != NULL ? client_email : "the service account's client_email");
		return buf;
	case 404:
		return "check spreadsheet_id in the configuration";
	case 429:
		return "API quota exceeded (60 requests per minute per user): slowing down";
	case 408:
	case 500:
	case 502:
	case 503:
	case 504:
		return "a temporary failure on Google's side";
	default:
		break;
	}
	(void)gstatus;
	return NULL;
}

void
sheets_parse_api_error(const char *op, const char *body, size_t len, long status,
    const char *client_email, struct err *e)
{
	char gmsg[SHEETS_MSG_EXCERPT + 1], hint[300];
	const char *gstatus = NULL, *m, *what;
	json_t *j = NULL, *ej;
	struct err ignore;

	err_init(&ignore);
	gmsg[0] = '\0';
	if (body != NULL && len > 0)
		j = sheets_parse_json(body, len, "error", &ignore);
	ej = json_object_get(j, "error");
	if (json_is_object(ej)) {
		gstatus = json_string_value(json_object_get(ej, "status"));
		m = json_string_value(json_object_get(ej, "message"));
		if (m != NULL)
			excerpt(m, strlen(m), gmsg, sizeof(gmsg));
	} else if (json_is_string(ej)) {
		/* OAuth-style {"error": "...", "error_description": "..."} */
		m = json_string_value(ej);
		excerpt(m, strlen(m), gmsg, sizeof(gmsg));
	}
	what = advice(status, gstatus, gmsg, client_email, hint, sizeof(hint));
	if (gmsg[0] != '\0' || gstatus != NULL) {
		err_set(e, ERR_API, "%s%sHTTP %ld %s: %s%s%s", op != NULL ? op : "", op != NULL ? ": " : "",
		    status, gstatus != NULL ? gstatus : "", gmsg[0] != '\0' ? gmsg : "(no message)",
		    what != NULL ? "; " : "", what != NULL ? what : "");
	} else {
		char raw[81];

		excerpt(body != NULL ? body : "", len, raw, sizeof(raw));
		err_set(e, ERR_API, "%s%sHTTP %ld with a body that is not Google's JSON error "
		    "(a proxy in the way?): \"%s\"%s%s", op != NULL ? op : "", op != NULL ? ": " : "",
		    status, raw, what != NULL ? "; " : "", what != NULL ? what : "");
	}
	if (e != NULL && e->code == ERR_API && e->status == 0)
		e->status = (int)status;
	json_decref(j);
}

void
sheets_parse_error(const char *body, size_t len, long status,
    const char *client_email, struct err *e)
{
	sheets_parse_api_error(NULL, body, len, status, client_email, e);
}

int
sheets_parse_version(const char *body, size_t len, char **version, struct err *e)
{
	json_t *j, *v;
	char buf[SHEETS_MAX_VERSION + 1];
	const char *text = NULL;

	*version = NULL;
	j = sheets_parse_json(body, len, "Drive files.get", e);
	if (j == NULL)
		return -1;
	v = json_object_get(j, "version");
	if (json_is_string(v)) {
		text = json_string_value(v);
		if (json_string_length(v) == 0 || json_string_length(v) > SHEETS_MAX_VERSION ||
		    strlen(text) != json_string_length(v)) {
			json_decref(j);
			err_set(e, ERR_DATA, "Drive files.get: version is empty, too long or holds a NUL");
			return -1;
		}
	} else if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		text = buf;
	} else {
		json_decref(j);
		err_set(e, ERR_DATA, "Drive files.get: answer has no version");
		return -1;
	}
	*version = strdup(text);
	json_decref(j);
	if (*version == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	return 0;
}

int
sheets_parse_properties(const json_t *p, size_t i, struct sheets_tab *t, struct err *e)
{
	json_t *v = json_object_get(p, "title");

	t->title = NULL;
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v) ||
	    json_string_length(v) > RANGE_MAX_LEN) {
		err_set(e, ERR_DATA, "spreadsheets.get: tab %zu has no usable title", i + 1);
		return -1;
	}
	if ((t->title = strdup(json_string_value(v))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	v = json_object_get(p, "sheetId");
	t->sheet_id = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
	v = json_object_get(p, "index");
	t->index = json_is_integer(v) ? (long)json_integer_value(v) : (long)i;
	return 0;
}

int
sheets_parse_tabs(const char *body, size_t len, struct sheets_tabs *out, struct err *e)
{
	json_t *j, *sheets, *sh;
	size_t i, n;

	out->tabs = NULL;
	out->n = 0;
	j = sheets_parse_json(body, len, "spreadsheets.get", e);
	if (j == NULL)
		return -1;
	sheets = json_object_get(j, "sheets");
	n = json_array_size(sheets);
	if (sheets != NULL && !json_is_array(sheets)) {
		err_set(e, ERR_DATA, "spreadsheets.get: \"sheets\" is not an array");
		goto fail;
	}
	if (n > SHEETS_MAX_TABS) {
		err_set(e, ERR_DATA, "spreadsheets.get: more than %d tabs", SHEETS_MAX_TABS);
		goto fail;
	}
	if (n > 0) {
		out->tabs = calloc(n, sizeof(*out->tabs));
		if (out->tabs == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto fail;
		}
	}
	json_array_foreach(sheets, i, sh) {
		if (sheets_parse_properties(json_object_get(sh, "properties"), i,
		    &out->tabs[i], e) == -1)
			goto fail;
		out->n = i + 1;
	}
	json_decref(j);
	return 0;
fail:
	sheets_tabs_fini(out);
	json_decref(j);
	return -1;
}
