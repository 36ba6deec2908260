/*
 * token: the OAuth2 access token for the service account, cached until near
 * expiry.
 *
 * It signs an assertion (auth/jwt), exchanges it at the key's token_uri
 * through an HTTP POST callback the caller provides (the daemon's curl
 * client), parses Google's answer and hands out the bearer token until fewer
 * than AUTH_TOKEN_REFRESH_MARGIN seconds of validity remain.  It does no I/O
 * of its own, never logs, and never puts a token or an assertion in an error
 * message; tokens are wiped when replaced or freed.
 */
#ifndef AUTH_TOKEN_H
#define AUTH_TOKEN_H

#include <stddef.h>
#include <time.h>

#include "auth/err.h"
#include "auth/key.h"

/* Refresh when this few seconds remain: google-auth's REFRESH_THRESHOLD (3 min 45 s). */
#define AUTH_TOKEN_REFRESH_MARGIN	225
#define AUTH_TOKEN_MAX_LEN		4096	/* bytes of access_token (Google's: 1024) */
#define AUTH_TOKEN_MAX_BODY		(64 * 1024)	/* bytes of token response */
#define AUTH_TOKEN_MAX_EXPIRES_IN	86400	/* larger expires_in is refused */

/* The token endpoint's grant type, form-encoded, as the body starts. */
#define AUTH_TOKEN_FORM_PREFIX \
	"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="

/* The wall clock: seconds since the epoch.  ctx is the caller's. */
typedef time_t (*auth_now_fn)(void *ctx);

/*
 * The HTTP POST the token exchange needs: POST form_body (NUL-terminated,
 * Content-Type application/x-www-form-urlencoded) to url.  On a completed
 * exchange (any HTTP status) return 0 with *status set and *resp_body a
 * malloc'd body of *resp_len bytes (the caller frees it; it need not be
 * NUL-terminated).  On a transport failure return -1 with e set (ERR_HTTP,
 * ERR_TEMP, ...).  form_body holds the assertion: it must never be logged or
 * shown in curl's verbose output.
 */
typedef int (*auth_post_fn)(void *ctx, const char *url, const char *form_body,
    char **resp_body, size_t *resp_len, long *status, struct err *e);

/* What auth_token_new needs.  Pointers are borrowed for the token's lifetime. */
struct auth_token_opts {
	const struct auth_key *key;	/* must outlive the token */
	const char *scope;		/* NULL: AUTH_JWT_SCOPE; copied */
	auth_now_fn now;		/* NULL: time(NULL) */
	void *now_ctx;
	auth_post_fn post;		/* required */
	void *post_ctx;
};

struct auth_token;	/* opaque */

/* auth_token_new(o, e): an empty cache.  Returns an owned object or NULL (ERR_NOMEM / ERR_USAGE). */
struct auth_token *auth_token_new(const struct auth_token_opts *o, struct err *e);

/* auth_token_free(t): wipe the cached token and free t.  NULL is a no-op. */
void auth_token_free(struct auth_token *t);

/*
 * auth_token_get(t, force_refresh, bearer, e): set *bearer to a valid access
 * token (the bare token, without "Bearer "), fetching a new one when none is
 * cached, when fewer than AUTH_TOKEN_REFRESH_MARGIN seconds remain, or when
 * force_refresh is non-zero (what the client does once after a 401).
 * *bearer is borrowed from t until the next auth_token_get or auth_token_free.
 * If a refresh that was not forced fails for a temporary reason (ERR_HTTP,
 * ERR_TEMP) while the cached token is still valid, the cached token is handed
 * out and 0 returned; the next call tries again.
 * Returns 0, or -1 with e set: ERR_AUTH (status = HTTP status; the message
 * carries Google's error and error_description and what to do), ERR_TEMP
 * (408/429/5xx from the endpoint), ERR_DATA (unusable response), or whatever
 * the post callback set.
 */
int auth_token_get(struct auth_token *t, int force_refresh, const char **bearer,
    struct err *e);

/* auth_token_expiry(t): when the cached token expires (0: none cached). */
time_t auth_token_expiry(const struct auth_token *t);

/* A parsed token-endpoint answer.  access_token is owned: free with auth_token_response_fini. */
struct auth_token_response {
	char *access_token;
	long expires_in;	/* seconds */
};

/*
 * auth_token_parse_response(body, len, status, r, e): parse the token
 * endpoint's answer (len bytes, need not be NUL-terminated) given its HTTP
 * status.  On 200: a JSON object with a string access_token (printable ASCII,
 * at most AUTH_TOKEN_MAX_LEN), expires_in (number, or numeric string) in
 * [1, AUTH_TOKEN_MAX_EXPIRES_IN] and token_type "Bearer" (any case; absent is
 * accepted).  Otherwise the OAuth error/error_description become the error.
 * Returns 0 with r filled, or -1 with e set (see auth_token_get); r is then
 * empty.  Exposed for the fuzz target and tests.
 */
int auth_token_parse_response(const char *body, size_t len, long status,
    struct auth_token_response *r, struct err *e);

/* auth_token_response_fini(r): wipe and free r's token; r becomes empty. */
void auth_token_response_fini(struct auth_token_response *r);

#endif
