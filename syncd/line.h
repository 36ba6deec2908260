/*
 * line: the LINE Messaging API as the daily report uses it
 * (API_NOTES_REACH.md section 1): a push message with an X-Line-Retry-Key,
 * the month's quota and consumption, a group's member count, and the
 * channel access token read from its file.  One request a call: retrying is
 * the caller's (syncd/linereport), which knows the key's rules.  The token
 * is sent only in the Authorization header and never appears in an error
 * message; it is wiped when freed.  It never logs.
 */
#ifndef SYNCD_LINE_H
#define SYNCD_LINE_H

#include <stddef.h>

#include "auth/err.h"
#include "syncd/http.h"

#define LINE_CREDENTIAL		"line-token"	/* systemd credential name of the token */
#define LINE_MAX_TOKEN		2048		/* bytes of a channel access token */
#define LINE_MAX_MESSAGE	256		/* bytes kept of LINE's error message */
#define LINE_RETRY_KEY_LEN	36		/* a UUID: 8-4-4-4-12 hex digits */

/*
 * line_token_load(path, e): the channel access token: from the systemd
 * credential $CREDENTIALS_DIRECTORY/LINE_CREDENTIAL when it exists, else
 * from path, which must be a regular file that neither group nor others can
 * read (the key file's rule; the message gives the mode and the fix).  One
 * line of printable ASCII without spaces (a final newline is dropped).
 * Returns the owned token (release with line_token_free), or NULL with e
 * set: ERR_NOINPUT (missing, unreadable), ERR_CONFIG (mode, size, content),
 * ERR_NOMEM.  Messages name report.line_token_file and never the token.
 */
char *line_token_load(const char *path, struct err *e);

/* line_token_free(t): wipe and free a token; NULL is a no-op. */
void line_token_free(char *t);

/* line_retry_key(out): a new random UUID (version 4), lower-case hex. */
void line_retry_key(char out[LINE_RETRY_KEY_LEN + 1]);

/*
 * line_parse_error(body, len, out, size): LINE's error answer
 * {"message", "details": [{"message", "property"}]} as one line in out
 * ("" when body holds none).  Never fails.
 */
void line_parse_error(const char *body, size_t len, char *out, size_t size);

/*
 * line_parse_number(body, len, member, out): the non-negative integer
 * member of a LINE answer ({"totalUsage": N}, {"count": N}); member "type"
 * reads the quota ({"type": "limited", "value": N} -> N; "none" -> -1).
 * Returns 0, or -1 when the answer does not hold it.
 */
int line_parse_number(const char *body, size_t len, const char *member, long long *out);

/* Where requests go; all borrowed. */
struct line_client {
	struct http *http;
	const char *url;	/* https://api.line.me (config report.line_url) */
	const char *token;	/* the channel access token */
};

/* LINE's answer to one request. */
struct line_answer {
	long status;		/* HTTP status; 0: no answer (transport failure) */
	int transient;		/* no answer, and trying again may help */
	/* x-line-request-id; on a 409, x-line-accepted-request-id (the push
	 * that was accepted with this key) */
	char request_id[HTTP_MAX_HEADER_VALUE];
	char message[LINE_MAX_MESSAGE];	/* LINE's "message" on an error, else "" */
};

/*
 * line_push(lc, to, retry_key, text, a, e): POST /v2/bot/message/push with
 * one text message and X-Line-Retry-Key: retry_key.  Returns 0 when LINE
 * answered (whatever the status: a is filled), or -1 with e set when no
 * answer came (a->status 0, a->transient) or the request could not be built.
 */
int line_push(const struct line_client *lc, const char *to, const char *retry_key,
    const char *text, struct line_answer *a, struct err *e);

/* The month's numbers for a push to a group. */
struct line_quota {
	int limited;		/* quota type "limited"; 0: "none" (no limit) */
	long long quota;	/* messages a month, when limited */
	long long used;		/* messages sent this month (totalUsage) */
	long long members;	/* members of the group (the account excluded) */
};

/*
 * line_quota_get(lc, to, q, a, e): GET the quota, the consumption and the
 * member count of group to (a user id, starting with 'U', counts as 1).
 * Returns 0 with q filled (a: the last answer), or -1 with e set and a the
 * answer that failed (a->status 0: none; else its status and message).
 */
int line_quota_get(const struct line_client *lc, const char *to, struct line_quota *q,
    struct line_answer *a, struct err *e);

/*
 * line_webhook(h, url, text, a, e): POST {"text": text} to url (Google
 * Chat, Slack).  Returns 0 when answered (a->status), or -1 with e set.
 */
int line_webhook(struct http *h, const char *url, const char *text,
    struct line_answer *a, struct err *e);

#endif
