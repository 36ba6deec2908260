/*
 * line: the emulator's LINE Messaging API (see line.h).  State lives here;
 * the server does the HTTP, the request log and the generic faults.
 */
#include "tests/fakesheets/line.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "syncd/linemsg.h"

#define FLINE_MAX_TEXT	5000	/* UTF-16 units of one text */
#define FLINE_MAX_LOG	10000	/* pushes and attempts remembered */

struct fline {
	json_t *pushes;		/* accepted pushes, in order */
	json_t *attempts;	/* every push request: retry_key, status */
	json_t *keys;		/* retry key -> request id of the accepted push */
	json_t *push_faults;	/* queue for the next pushes */
	json_t *webhooks;	/* bodies POSTed to /_fake/webhook, in order */
	long long quota;	/* -1: type "none" */
	long long used;
	long long members;
	char *token;		/* NULL: any Bearer token */
	unsigned long next_id;
};

struct fline *
fline_new(void)
{
	struct fline *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->pushes = json_array();
	l->attempts = json_array();
	l->keys = json_object();
	l->push_faults = json_array();
	l->webhooks = json_array();
	l->quota = 1000;
	l->used = 0;
	l->members = 3;
	return l;
}

void
fline_free(struct fline *l)
{
	if (l == NULL)
		return;
	json_decref(l->pushes);
	json_decref(l->attempts);
	json_decref(l->keys);
	json_decref(l->push_faults);
	json_decref(l->webhooks);
	free(l->token);
	free(l);
}

int
fline_is_api(const char *path)
{
	return strncmp(path, "/v2/bot/", 8) == 0;
}

json_t *
fline_error(const char *message)
{
	return json_pack("{s:s}", "message", message);
}

static json_t *
detail_error(const char *message, const char *property)
{
	return json_pack("{s:s, s:[{s:s, s:s}]}", "message",
	    "The request body has 1 error(s)", "details", "message", message,
	    "property", property);
}

/* uuid_ok(s): the hex UUID form LINE wants for X-Line-Retry-Key. */
static int
uuid_ok(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	}
	return 1;
}

static void
new_id(struct fline *l, char out[FLINE_ID_MAX])
{
	unsigned char r[8];

	if (RAND_bytes(r, sizeof(r)) != 1)
		memset(r, 0, sizeof(r));
	snprintf(out, FLINE_ID_MAX, "%08lx-%02x%02x%02x%02x-%02x%02x%02x%02x", ++l->next_id,
	    r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
}

static void
log_append(json_t *a, json_t *v)
{
	if (json_array_size(a) >= FLINE_MAX_LOG)
		json_array_remove(a, 0);
	json_array_append_new(a, v);
}

/* check_push(body, len, to, messages): 0, or an error body (400). */
static json_t *
check_push(const char *body, size_t len, json_t **doc_out)
{
	json_t *doc = json_loadb(body != NULL ? body : "", len, 0, NULL), *ms, *m;
	char prop[64];
	size_t i;

	*doc_out = NULL;
	if (!json_is_object(doc)) {
		json_decref(doc);
		return fline_error("The request body could not be parsed as JSON");
	}
	if (!json_is_string(json_object_get(doc, "to"))) {
		json_decref(doc);
		return detail_error("Must not be null", "to");
	}
	ms = json_object_get(doc, "messages");
	if (!json_is_array(ms) || json_array_size(ms) == 0 || json_array_size(ms) > 5) {
		json_decref(doc);
		return detail_error("Size must be between 1 and 5", "messages");
	}
	json_array_foreach(ms, i, m) {
		const char *type = json_string_value(json_object_get(m, "type"));
		const char *text = json_string_value(json_object_get(m, "text"));

		snprintf(prop, sizeof(prop), "messages[%zu].text", i);
		if (type == NULL || strcmp(type, "text") != 0) {
			snprintf(prop, sizeof(prop), "messages[%zu].type", i);
			json_decref(doc);
			return detail_error("Must be one of the following values: [text]", prop);
		}
		if (text == NULL || text[0] == '\0') {
			json_decref(doc);
			return detail_error("Must not be empty", prop);
		}
		if (linemsg_utf16_units(text) > FLINE_MAX_TEXT) {
			json_decref(doc);
			return detail_error("Length must be between 0 and 5000", prop);
		}
	}
	*doc_out = doc;
	return NULL;
}

static void
push(struct fline *l, const char *retry_key, const char *body, size_t len,
    struct fline_reply *out)
{
	json_t *doc, *err, *rec;
	const char *to, *prev;
	long long cost;

	if (json_array_size(l->push_faults) > 0) {
		out->fault = json_incref(json_array_get(l->push_faults, 0));
		json_array_remove(l->push_faults, 0);
		if (json_integer_value(json_object_get(out->fault, "status")) >= 400 ||
		    json_is_true(json_object_get(out->fault, "drop"))) {
			out->status = (int)json_integer_value(json_object_get(out->fault,
			    "status"));
			out->body = fline_error("An error occurred in the backend");
			goto done;
		}
	}
	if (retry_key != NULL && !uuid_ok(retry_key)) {
		out->status = 400;
		out->body = fline_error("The value for the 'X-Line-Retry-Key' header is "
		    "invalid");
		goto done;
	}
	if ((err = check_push(body, len, &doc)) != NULL) {
		out->status = 400;
		out->body = err;
		goto done;
	}
	if (retry_key != NULL && (prev = json_string_value(json_object_get(l->keys,
	    retry_key))) != NULL) {
		out->status = 409;
		snprintf(out->accepted_id, sizeof(out->accepted_id), "%s", prev);
		out->body = json_pack("{s:s, s:[{s:s}]}", "message",
		    "The retry key is already accepted", "sentMessages", "id", prev);
		json_decref(doc);
		goto done;
	}
	to = json_string_value(json_object_get(doc, "to"));
	cost = to[0] == 'C' || to[0] == 'R' ? l->members : 1;
	if (l->quota >= 0 && l->used + cost > l->quota) {
		out->status = 429;
		out->body = fline_error("You have reached your monthly limit.");
		json_decref(doc);
		goto done;
	}
	l->used += cost;
	out->status = 200;
	rec = json_pack("{s:s, s:o, s:O, s:s}", "to", to, "retry_key",
	    retry_key != NULL ? json_string(retry_key) : json_null(), "messages",
	    json_object_get(doc, "messages"), "request_id", out->request_id);
	log_append(l->pushes, rec);
	if (retry_key != NULL)
		json_object_set_new(l->keys, retry_key, json_string(out->request_id));
	out->body = json_pack("{s:[{s:s, s:s}]}", "sentMessages", "id", out->request_id,
	    "quoteToken", "q");
	json_decref(doc);
done:
	log_append(l->attempts, json_pack("{s:o, s:i}", "retry_key",
	    retry_key != NULL ? json_string(retry_key) : json_null(), "status",
	    out->status));
}

void
fline_api(struct fline *l, const char *method, const char *path, const char *auth,
    const char *retry_key, const char *body, size_t len, struct fline_reply *out)
{
	memset(out, 0, sizeof(*out));
	new_id(l, out->request_id);
	if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0 || auth[7] == '\0' ||
	    (l->token != NULL && strcmp(auth + 7, l->token) != 0)) {
		out->status = 401;
		out->body = fline_error("Authentication failed. Confirm that the access "
		    "token in the authorization header is valid.");
		if (strcmp(path, "/v2/bot/message/push") == 0)
			log_append(l->attempts, json_pack("{s:o, s:i}", "retry_key",
			    retry_key != NULL ? json_string(retry_key) : json_null(),
			    "status", 401));
		return;
	}
	if (strcmp(path, "/v2/bot/message/push") == 0) {
		if (strcmp(method, "POST") != 0)
			goto method;
		push(l, retry_key, body, len, out);
		return;
	}
	if (retry_key != NULL) {
		/* The key is for push, multicast, narrowcast, broadcast only. */
		out->status = 400;
		out->body = fline_error("The X-Line-Retry-Key header is not supported by "
		    "this API");
		return;
	}
	if (strcmp(path, "/v2/bot/message/quota") == 0) {
		if (strcmp(method, "GET") != 0)
			goto method;
		out->status = 200;
		out->body = l->quota < 0 ? json_pack("{s:s}", "type", "none") :
		    json_pack("{s:s, s:I}", "type", "limited", "value", (json_int_t)l->quota);
		return;
	}
	if (strcmp(path, "/v2/bot/message/quota/consumption") == 0) {
		if (strcmp(method, "GET") != 0)
			goto method;
		out->status = 200;
		out->body = json_pack("{s:I}", "totalUsage", (json_int_t)l->used);
		return;
	}
	if ((strncmp(path, "/v2/bot/group/", 14) == 0 || strncmp(path, "/v2/bot/room/", 13)
	    == 0) && strlen(path) > 14 &&
	    strcmp(path + strlen(path) - 14, "/members/count") == 0) {
		if (strcmp(method, "GET") != 0)
			goto method;
		out->status = 200;
		out->body = json_pack("{s:I}", "count", (json_int_t)l->members);
		return;
	}
	out->status = 404;
	out->body = fline_error("Not found");
	return;
method:
	out->status = 405;
	out->body = fline_error("Method not allowed");
}

static json_t *
state_json(const struct fline *l)
{
	return json_pack("{s:O, s:O, s:I, s:I, s:I, s:O}", "pushes", l->pushes, "attempts",
	    l->attempts, "quota", (json_int_t)l->quota, "used", (json_int_t)l->used,
	    "members", (json_int_t)l->members, "webhooks", l->webhooks);
}

json_t *
fline_webhook(struct fline *l, const char *method, const char *body, size_t len,
    int *status)
{
	json_t *doc;

	*status = 200;
	if (strcmp(method, "POST") != 0) {
		*status = 405;
		return fline_error("Method not allowed");
	}
	doc = json_loadb(body != NULL ? body : "", len, 0, NULL);
	if (!json_is_object(doc)) {
		json_decref(doc);
		*status = 400;
		return fline_error("expected a JSON object");
	}
	log_append(l->webhooks, doc);
	return json_object();
}

json_t *
fline_control(struct fline *l, const char *method, const char *body, size_t len,
    int *status)
{
	json_t *doc, *v;

	*status = 200;
	if (strcmp(method, "GET") == 0)
		return state_json(l);
	if (strcmp(method, "DELETE") == 0) {
		json_array_clear(l->pushes);
		json_array_clear(l->attempts);
		json_array_clear(l->push_faults);
		json_array_clear(l->webhooks);
		return json_object();
	}
	if (strcmp(method, "POST") != 0) {
		*status = 405;
		return fline_error("Method not allowed");
	}
	doc = json_loadb(body != NULL ? body : "", len, 0, NULL);
	if (!json_is_object(doc)) {
		json_decref(doc);
		*status = 400;
		return fline_error("expected {\"quota\": N, \"used\": N, \"members\": N}");
	}
	if (json_is_integer(v = json_object_get(doc, "quota")))
		l->quota = json_integer_value(v);
	if (json_is_integer(v = json_object_get(doc, "used")))
		l->used = json_integer_value(v);
	if (json_is_integer(v = json_object_get(doc, "members")))
		l->members = json_integer_value(v);
	if (json_is_string(v = json_object_get(doc, "token"))) {
		free(l->token);
		l->token = json_string_value(v)[0] != '\0' ? strdup(json_string_value(v)) :
		    NULL;
	}
	if (json_is_array(v = json_object_get(doc, "push_faults")))
		json_array_extend(l->push_faults, v);
	json_decref(doc);
	return state_json(l);
}
