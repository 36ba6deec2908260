/*
 * token: the cached OAuth2 access token of the service account.
 *
 * A refresh signs a fresh assertion, POSTs it to the key's token_uri through
 * the caller's callback, and parses Google's answer.  The token is kept until
 * fewer than AUTH_TOKEN_REFRESH_MARGIN seconds remain (google-auth's
 * threshold), so a request never starts with a token about to die.  This file
 * never logs and never does I/O itself; tokens, assertions and response
 * bodies are wiped before they are freed, and no error message carries one.
 */
#include "auth/token.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "auth/jwt.h"

#define TOKEN_DESC_MAX	200	/* bytes of Google's error text quoted in a message */

struct auth_token {
	const struct auth_key *key;	/* borrowed */
	char *scope;			/* owned */
	auth_now_fn now;
	void *now_ctx;
	auth_post_fn post;
	void *post_ctx;
	char *token;			/* owned, wiped; NULL when none */
	time_t expiry;			/* when token dies; 0 when none */
};

/* token_wipe_free(s): wipe and free NUL-terminated s.  NULL is a no-op. */
static void
token_wipe_free(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

/* token_wipe_json_string(v): wipe jansson string v in place before the document is freed. */
static void
token_wipe_json_string(json_t *v)
{
	if (json_is_string(v))
		OPENSSL_cleanse((char *)(uintptr_t)json_string_value(v),
		    json_string_length(v));
}

static time_t
token_default_now(void *ctx)
{
	(void)ctx;
	return time(NULL);
}

struct auth_token *
auth_token_new(const struct auth_token_opts *o, struct err *e)
{
	struct auth_token *t;
	const char *scope = o->scope != NULL ? o->scope : AUTH_JWT_SCOPE;
	size_t n = strlen(scope) + 1;

	if (o->key == NULL || o->post == NULL) {
		err_set(e, ERR_USAGE, "token cache needs a key and a POST function");
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL || (t->scope = malloc(n)) == NULL) {
		free(t);
		err_set(e, ERR_NOMEM, "token cache: out of memory");
		return NULL;
	}
	memcpy(t->scope, scope, n);
	t->key = o->key;
	t->now = o->now != NULL ? o->now : token_default_now;
	t->now_ctx = o->now_ctx;
	t->post = o->post;
	t->post_ctx = o->post_ctx;
	return t;
}

void
auth_token_free(struct auth_token *t)
{
	if (t == NULL)
		return;
	token_wipe_free(t->token);
	free(t->scope);
	free(t);
}

time_t
auth_token_expiry(const struct auth_token *t)
{
	return t->token != NULL ? t->expiry : 0;
}

void
auth_token_response_fini(struct auth_token_response *r)
{
	token_wipe_free(r->access_token);
	r->access_token = NULL;
	r->expires_in = 0;
}

/*
 * token_quote(dst, n, s): copy s into dst (n bytes) as printable ASCII,
 * other bytes as '?', truncated: Google's text goes into a one-line message.
 */
static void
token_quote(char *dst, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i + 1 < n && s != NULL && s[i] != '\0'; i++)
		dst[i] = (s[i] >= ' ' && s[i] <= '~') ? s[i] : '?';
	dst[i] = '\0';
}

/* token_hint(error, desc): what the operator should do about an OAuth error. */
static const char *
token_hint(const char *error, const char *desc)
{
	if (strcmp(error, "invalid_grant") == 0) {
		if (strstr(desc, "Signature") != NULL)
			return "the key was deleted or rotated, or belongs to another "
			    "account: create a new key for the service account and "
			    "install it";
		if (strstr(desc, "short-lived") != NULL ||
		    strstr(desc, "timeframe") != NULL)
			return "the host clock is probably wrong: check that it is "
			    "synchronised (timedatectl)";
		if (strstr(desc, "account not found") != NULL ||
		    strstr(desc, "deleted") != NULL)
			return "the service account was deleted or disabled: check "
			    "it in the Cloud console";
		return "check that the key file is current and the host clock is "
		    "right";
	}
	if (strcmp(error, "invalid_scope") == 0)
		return "the requested scopes were refused";
	if (strcmp(error, "unauthorized_client") == 0 ||
	    strcmp(error, "invalid_client") == 0)
		return "the service account or its client is disabled or not "
		    "allowed these scopes";
	return "check the key file and the service account";
}

/* token_temporary(status, error): non-zero when a retry later may succeed. */
static int
token_temporary(long status, const char *error)
{
	return status == 408 || status == 429 || status >= 500 ||
	    strcmp(error, "internal_failure") == 0 ||
	    strcmp(error, "server_error") == 0 ||
	    strcmp(error, "temporarily_unavailable") == 0;
}

/* token_fail(e, code, status, msg): err_set, and the HTTP status if this error won. */
static void
token_fail(struct err *e, enum err_code code, long status, const char *msg)
{
	if (e == NULL || err_is_set(e))
		return;
	err_set(e, code, "%s", msg);
	e->status = (int)status;
}

/* token_parse_error(body, len, status, e): turn a refusal into e.  Always -1. */
static int
token_parse_error(const char *body, size_t len, long status, struct err *e)
{
	char error[64] = "", desc[TOKEN_DESC_MAX + 1] = "", msg[ERR_MSG_MAX];
	json_t *root, *v;

	root = json_loadb(body, len, 0, NULL);
	if (json_is_object(root)) {
		v = json_object_get(root, "error");
		/* Some servers nest {"error":{"message":...}} (Google API style). */
		if (json_is_object(v)) {
			token_quote(desc, sizeof(desc), json_string_value(
			    json_object_get(v, "message")));
			token_quote(error, sizeof(error), json_string_value(
			    json_object_get(v, "status")));
		} else {
			token_quote(error, sizeof(error), json_string_value(v));
			token_quote(desc, sizeof(desc), json_string_value(
			    json_object_get(root, "error_description")));
		}
	}
	json_decref(root);
	if (token_temporary(status, error)) {
		snprintf(msg, sizeof(msg), "token endpoint failed (HTTP %ld%s%s%s%s); "
		    "will retry", status, error[0] ? " " : "", error,
		    desc[0] ? ": " : "", desc);
		token_fail(e, ERR_TEMP, status, msg);
	} else if (error[0] != '\0') {
		snprintf(msg, sizeof(msg), "token endpoint refused the key (HTTP %ld "
		    "%s%s%s): %s", status, error, desc[0] ? ": " : "", desc,
		    token_hint(error, desc));
		token_fail(e, ERR_AUTH, status, msg);
	} else {
		snprintf(msg, sizeof(msg), "token endpoint answered HTTP %ld without "
		    "an OAuth error; check token_uri in the key file", status);
		token_fail(e, ERR_AUTH, status, msg);
	}
	return -1;
}

/* token_expires_in(v, out): 0 with *out set if v is a usable expires_in. */
static int
token_expires_in(json_t *v, long *out)
{
	long long n;
	const char *s;
	char *end;

	if (json_is_integer(v)) {
		n = json_integer_value(v);
	} else if (json_is_real(v)) {
		if (!(json_real_value(v) >= 1.0 &&
		    json_real_value(v) <= AUTH_TOKEN_MAX_EXPIRES_IN))
			return -1;
		n = (long long)json_real_value(v);
	} else if (json_is_string(v)) {
		/* Non-Google servers send "3599"; google-auth accepts it too. */
		s = json_string_value(v);
		if (!isdigit((unsigned char)s[0]))
			return -1;
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno != 0 || *end != '\0')
			return -1;
	} else {
		return -1;
	}
	if (n < 1 || n > AUTH_TOKEN_MAX_EXPIRES_IN)
		return -1;
	*out = (long)n;
	return 0;
}

int
auth_token_parse_response(const char *body, size_t len, long status,
    struct auth_token_response *r, struct err *e)
{
	json_t *root = NULL, *tok, *type;
	const char *s;
	size_t i, n;
	int rc = -1;

	r->access_token = NULL;
	r->expires_in = 0;
	if (len > AUTH_TOKEN_MAX_BODY) {
		token_fail(e, ERR_DATA, status, "token endpoint answer is too large");
		return -1;
	}
	if (status != 200)
		return token_parse_error(body, len, status, e);
	root = json_loadb(body, len, 0, NULL);
	if (!json_is_object(root)) {
		token_fail(e, ERR_DATA, status, "token endpoint answer is not a JSON "
		    "object");
		goto out;
	}
	tok = json_object_get(root, "access_token");
	if (!json_is_string(tok) || (n = json_string_length(tok)) == 0 ||
	    n > AUTH_TOKEN_MAX_LEN) {
		token_fail(e, ERR_DATA, status, "token endpoint answer has no usable "
		    "access_token");
		goto out;
	}
	/* The token goes into an HTTP header: visible ASCII only. */
	s = json_string_value(tok);
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~') {
			token_fail(e, ERR_DATA, status, "token endpoint answer has an "
			    "access_token with characters a header cannot carry");
			goto out;
		}
	if (token_expires_in(json_object_get(root, "expires_in"),
	    &r->expires_in) != 0) {
		token_fail(e, ERR_DATA, status, "token endpoint answer has no usable "
		    "expires_in");
		goto out;
	}
	type = json_object_get(root, "token_type");
	if (type != NULL && (!json_is_string(type) ||
	    strcasecmp(json_string_value(type), "Bearer") != 0)) {
		token_fail(e, ERR_DATA, status, "token endpoint answer has a "
		    "token_type other than Bearer");
		goto out;
	}
	if ((r->access_token = malloc(n + 1)) == NULL) {
		token_fail(e, ERR_NOMEM, 0, "token: out of memory");
		goto out;
	}
	memcpy(r->access_token, s, n + 1);
	rc = 0;
out:
	if (root != NULL)
		token_wipe_json_string(json_object_get(root, "access_token"));
	json_decref(root);
	if (rc != 0)
		auth_token_response_fini(r);
	return rc;
}

/*
 * token_refresh(t, now, e): fetch a new token and cache it.  Returns 0 or -1
 * with e set; the cached token is untouched on failure.
 */
static int
token_refresh(struct auth_token *t, time_t now, struct err *e)
{
	struct auth_token_response r = { NULL, 0 };
	char *jwt, *form = NULL, *resp = NULL;
	size_t plen = strlen(AUTH_TOKEN_FORM_PREFIX), jlen, rlen = 0;
	long status = 0;
	int rc = -1;

	if ((jwt = auth_jwt_sign(t->key, t->scope, now, e)) == NULL)
		return -1;
	/* The assertion is base64url and dots: nothing to percent-encode. */
	jlen = strlen(jwt);
	if ((form = malloc(plen + jlen + 1)) == NULL) {
		err_set(e, ERR_NOMEM, "token: out of memory");
		goto out;
	}
	memcpy(form, AUTH_TOKEN_FORM_PREFIX, plen);
	memcpy(form + plen, jwt, jlen + 1);
	if (t->post(t->post_ctx, auth_key_token_uri(t->key), form, &resp, &rlen,
	    &status, e) != 0) {
		/* The callback should have said why; make sure something does. */
		err_set(e, ERR_HTTP, "token endpoint %s: request failed",
		    auth_key_token_uri(t->key));
		goto out;
	}
	if (resp == NULL)
		rlen = 0;
	if (auth_token_parse_response(resp != NULL ? resp : "", rlen, status, &r,
	    e) != 0)
		goto out;
	token_wipe_free(t->token);
	t->token = r.access_token;
	r.access_token = NULL;
	/* Count from before the request: the token may have been issued then. */
	t->expiry = now + r.expires_in;
	rc = 0;
out:
	if (resp != NULL) {
		OPENSSL_cleanse(resp, rlen);
		free(resp);
	}
	token_wipe_free(form);
	auth_jwt_free(jwt);
	return rc;
}

int
auth_token_get(struct auth_token *t, int force_refresh, const char **bearer,
    struct err *e)
{
	struct err local;
	time_t now = t->now(t->now_ctx);

	*bearer = NULL;
	if (!force_refresh && t->token != NULL &&
	    now < t->expiry - AUTH_TOKEN_REFRESH_MARGIN) {
		*bearer = t->token;
		return 0;
	}
	err_init(&local);
	if (token_refresh(t, now, &local) == 0) {
		*bearer = t->token;
		return 0;
	}
	/*
	 * A stale but live token beats none when the endpoint is briefly
	 * unreachable; after a 401 (forced) or a refusal it does not.
	 */
	if (!force_refresh && t->token != NULL && now < t->expiry &&
	    (local.code == ERR_HTTP || local.code == ERR_TEMP)) {
		*bearer = t->token;
		return 0;
	}
	if (e != NULL && !err_is_set(e))
		*e = local;
	return -1;
}
