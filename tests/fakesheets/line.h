/*
 * line: the emulator's LINE Messaging API (API_NOTES_REACH.md section 1),
 * the part the daily report uses: push (with the X-Line-Retry-Key rule: a
 * key accepted once gives 409 and x-line-accepted-request-id after), the
 * quota, the consumption, a group's member count, Bearer checking and the
 * 5,000 UTF-16 unit limit of a text, with LINE's error shape
 * {"message", "details": [{"message", "property"}]}.  A push to a group
 * counts once per member against the month's quota; a push past it is 429.
 *
 * Control (/_fake/line): GET {"pushes": [{"to", "retry_key", "messages",
 * "request_id"}...], "attempts": [{"retry_key", "status"}...], "quota",
 * "used", "members", "webhooks": [...]}; DELETE clears the pushes, attempts
 * and webhooks; POST sets
 * {"quota": N (-1: none), "used": N, "members": N, "token": "..." (only this
 * Bearer token is accepted; "" or absent: any), "push_faults": [...] (as
 * /_fake/faults, for the next pushes only)}.  POST /_fake/webhook stands
 * for a chat webhook (report.webhook_url): its JSON bodies are kept in
 * "webhooks".  Not thread-safe: the server
 * calls it under its lock.
 */
#ifndef FAKESHEETS_LINE_H
#define FAKESHEETS_LINE_H

#include <stddef.h>

#include <jansson.h>

#define FLINE_ID_MAX	48

struct fline;

/* What one LINE request is answered with. */
struct fline_reply {
	int status;
	json_t *body;				/* owned by the caller after the call */
	char request_id[FLINE_ID_MAX];		/* x-line-request-id */
	char accepted_id[FLINE_ID_MAX];		/* x-line-accepted-request-id ("" none) */
	json_t *fault;				/* a push fault to apply (owned), or NULL */
};

struct fline *fline_new(void);
void fline_free(struct fline *l);

/* fline_is_api(path): non-zero for a LINE API path (/v2/bot/...). */
int fline_is_api(const char *path);

/* fline_error(message): LINE's error body {"message": message}. */
json_t *fline_error(const char *message);

/*
 * fline_api(l, method, path, auth, retry_key, body, len, out): answer one
 * API request; auth and retry_key are the header values (NULL: absent).
 */
void fline_api(struct fline *l, const char *method, const char *path, const char *auth,
    const char *retry_key, const char *body, size_t len, struct fline_reply *out);

/* fline_control(l, method, body, len, status): /_fake/line; returns the body. */
json_t *fline_control(struct fline *l, const char *method, const char *body, size_t len,
    int *status);

/* fline_webhook(l, method, body, len, status): POST /_fake/webhook. */
json_t *fline_webhook(struct fline *l, const char *method, const char *body, size_t len,
    int *status);

#endif
