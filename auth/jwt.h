/*
 * jwt: the RS256 JSON Web Token assertion of Google's service-account flow.
 *
 * auth_jwt_sign builds and signs the assertion the daemon sends to the token
 * endpoint; auth_jwt_verify checks one the way Google's endpoint does, so the
 * emulator (tests/fakesheets) answers with Google's own invalid_grant texts.
 * An assertion is a credential for an hour: it is wiped when freed and never
 * goes into an error message.
 */
#ifndef AUTH_JWT_H
#define AUTH_JWT_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>

#include "auth/err.h"
#include "auth/key.h"

/* The scopes syncd asks for: write the sheet, read Drive's version number. */
#define AUTH_JWT_SCOPE \
	"https://www.googleapis.com/auth/spreadsheets " \
	"https://www.googleapis.com/auth/drive.metadata.readonly"
/* Longest lifetime Google accepts (exp - iat), and what we ask for. */
#define AUTH_JWT_LIFETIME	3600
/*
 * iat is set this many seconds in the past, as golang.org/x/oauth2 does
 * (jws.ClaimSet: iat = now - 10 s): a host clock slightly ahead of Google's
 * would otherwise get "Token must be a short-lived token".  google-auth
 * (Python) uses iat = now.
 */
#define AUTH_JWT_BACKDATE	10
#define AUTH_JWT_MAX_LEN	8192	/* bytes of an assertion we sign or verify */
/* Clock skew auth_jwt_verify tolerates by default (Google's: undocumented). */
#define AUTH_JWT_DEFAULT_SKEW	300

/* What auth_jwt_verify found.  AUTH_JWT_OK is 0. */
enum auth_jwt_verdict {
	AUTH_JWT_OK = 0,
	AUTH_JWT_MALFORMED,	/* not three base64url parts of JSON, alg not RS256 */
	AUTH_JWT_BAD_SIGNATURE,	/* signature does not verify with the key */
	AUTH_JWT_BAD_TIMEFRAME,	/* exp - iat > 3600, iat in the future, expired */
	AUTH_JWT_BAD_AUDIENCE,	/* aud is not the token endpoint's URL */
	AUTH_JWT_BAD_ISSUER,	/* iss is not the key's client_email */
	AUTH_JWT_NO_SCOPE,	/* scope claim missing or empty */
};

/* Google's token-endpoint texts (API_NOTES.md 1.3). */
#define AUTH_JWT_DESC_MALFORMED	"Invalid JWT: Failed to parse."	/* UNCONFIRMED wording */
#define AUTH_JWT_DESC_SIGNATURE	"Invalid JWT Signature."
#define AUTH_JWT_DESC_TIMEFRAME \
	"Invalid JWT: Token must be a short-lived token (60 minutes) and in a " \
	"reasonable timeframe. Check your iat and exp values in the JWT claim."
/* google/oauth2l#130 (title of the issue) */
#define AUTH_JWT_DESC_AUDIENCE	"Invalid JWT: Failed audience check."
/* google-cloud-php#3622, google-auth-library-java#1515: unknown/deleted account */
#define AUTH_JWT_DESC_ISSUER	"Invalid grant: account not found"
/* google-auth-library-python#217 (error code invalid_scope) */
#define AUTH_JWT_DESC_NO_SCOPE	"Empty or missing scope not allowed."

/*
 * auth_jwt_error(v): the OAuth "error" code Google sends for verdict v
 * ("invalid_grant", or "invalid_scope" for AUTH_JWT_NO_SCOPE; NULL for OK).
 * auth_jwt_error_description(v): the matching error_description (the
 * AUTH_JWT_DESC_* strings; NULL for OK).  Both static strings.
 */
const char *auth_jwt_error(enum auth_jwt_verdict v);
const char *auth_jwt_error_description(enum auth_jwt_verdict v);

/*
 * auth_jwt_sign(k, scope, now, e): the signed assertion for key k (borrowed):
 * header {"alg":"RS256","typ":"JWT","kid":<private_key_id>}, claims iss =
 * client_email, scope (NULL: AUTH_JWT_SCOPE), aud = token_uri,
 * iat = now - AUTH_JWT_BACKDATE, exp = iat + AUTH_JWT_LIFETIME; unpadded
 * base64url, RSASSA-PKCS1-v1_5 with SHA-256.
 * Returns an owned NUL-terminated string (free with auth_jwt_free), or NULL
 * with e set (ERR_NOMEM, ERR_CONFIG when OpenSSL refuses to sign).
 */
char *auth_jwt_sign(const struct auth_key *k, const char *scope, time_t now,
    struct err *e);

/* auth_jwt_free(jwt): wipe and free an assertion.  NULL is a no-op. */
void auth_jwt_free(char *jwt);

/* The claims auth_jwt_verify hands back.  Strings are NUL-terminated copies. */
#define AUTH_JWT_CLAIM_MAX 512
struct auth_jwt_claims {
	char kid[AUTH_JWT_CLAIM_MAX];	/* "" when the header has none */
	char iss[AUTH_JWT_CLAIM_MAX];
	char sub[AUTH_JWT_CLAIM_MAX];	/* "" when absent */
	char aud[AUTH_JWT_CLAIM_MAX];
	char scope[AUTH_JWT_CLAIM_MAX];
	long long iat;
	long long exp;
};

/* What to check an assertion against.  All pointers borrowed for the call. */
struct auth_jwt_verify_opts {
	EVP_PKEY *pub;		/* the key whose signature is accepted */
	const char *aud;	/* the expected audience (token endpoint URL) */
	const char *iss;	/* the expected issuer, or NULL: not checked */
	time_t now;
	long skew;		/* clock skew tolerated, s; 0: AUTH_JWT_DEFAULT_SKEW */
};

/*
 * auth_jwt_verify(jwt, len, o, claims): check assertion jwt (len bytes, need
 * not be NUL-terminated) as Google's token endpoint does, in this order:
 * shape and alg RS256 (MALFORMED), iss when o->iss is set (BAD_ISSUER: Google
 * looks the account up by iss first), signature (BAD_SIGNATURE), lifetime
 * (BAD_TIMEFRAME unless 0 < exp - iat <= 3600, iat <= now + skew and
 * exp > now - skew), aud (BAD_AUDIENCE), scope (NO_SCOPE).
 * claims (may be NULL) receives the decoded claims whenever the assertion
 * parses, whatever the verdict: trust them only with AUTH_JWT_OK.
 * Returns the verdict; turn it into Google's answer with auth_jwt_error() and
 * auth_jwt_error_description().
 */
enum auth_jwt_verdict auth_jwt_verify(const char *jwt, size_t len,
    const struct auth_jwt_verify_opts *o, struct auth_jwt_claims *claims);

#endif
