/*
 * jwt: sign and verify the RS256 assertion of the service-account flow.
 *
 * The signer builds the header and claims Google's libraries send
 * (google-auth service_account.py, golang.org/x/oauth2 jws) and signs them
 * with RSASSA-PKCS1-v1_5 / SHA-256.  The verifier is for the emulator: it
 * checks an assertion in the order Google's token endpoint must (find the
 * account, check the signature, then the claims) and names the verdict whose
 * Google text the emulator sends back.  An assertion is a bearer credential
 * for an hour: buffers holding one are wiped, and none reaches a message.
 */
#include "auth/jwt.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "auth/b64.h"

#define JWT_MAX_PART	AUTH_JWT_MAX_LEN	/* decoded bytes of one part */

const char *
auth_jwt_error(enum auth_jwt_verdict v)
{
	switch (v) {
	case AUTH_JWT_OK:
		return NULL;
	case AUTH_JWT_NO_SCOPE:
		return "invalid_scope";
	case AUTH_JWT_MALFORMED:
	case AUTH_JWT_BAD_SIGNATURE:
	case AUTH_JWT_BAD_TIMEFRAME:
	case AUTH_JWT_BAD_AUDIENCE:
	case AUTH_JWT_BAD_ISSUER:
		break;
	}
	return "invalid_grant";
}

const char *
auth_jwt_error_description(enum auth_jwt_verdict v)
{
	switch (v) {
	case AUTH_JWT_OK:
		return NULL;
	case AUTH_JWT_MALFORMED:
		return AUTH_JWT_DESC_MALFORMED;
	case AUTH_JWT_BAD_SIGNATURE:
		return AUTH_JWT_DESC_SIGNATURE;
	case AUTH_JWT_BAD_TIMEFRAME:
		return AUTH_JWT_DESC_TIMEFRAME;
	case AUTH_JWT_BAD_AUDIENCE:
		return AUTH_JWT_DESC_AUDIENCE;
	case AUTH_JWT_BAD_ISSUER:
		return AUTH_JWT_DESC_ISSUER;
	case AUTH_JWT_NO_SCOPE:
		return AUTH_JWT_DESC_NO_SCOPE;
	}
	return AUTH_JWT_DESC_MALFORMED;
}

/*
 * jwt_append_b64(out, pos, json): append the base64url form of json's
 * compact, order-preserving serialisation at out + pos.  Returns the new
 * position, or 0 if it would not fit in AUTH_JWT_MAX_LEN or memory ran out.
 */
static size_t
jwt_append_b64(char *out, size_t pos, json_t *json)
{
	char *text = json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
	size_t n;

	if (text == NULL)
		return 0;
	n = strlen(text);
	if (pos + auth_b64_encoded_len(n) + 2 > AUTH_JWT_MAX_LEN) {
		free(text);
		return 0;
	}
	pos += auth_b64_encode((const unsigned char *)text, n, out + pos);
	free(text);
	return pos;
}

char *
auth_jwt_sign(const struct auth_key *k, const char *scope, time_t now,
    struct err *e)
{
	json_t *header = NULL, *claims = NULL;
	EVP_MD_CTX *md = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0, pos;
	char *out;
	long long iat = (long long)now - AUTH_JWT_BACKDATE;

	if ((out = calloc(1, AUTH_JWT_MAX_LEN)) == NULL) {
		err_set(e, ERR_NOMEM, "signing the token request: out of memory");
		return NULL;
	}
	header = json_pack("{s:s, s:s, s:s}", "alg", "RS256", "typ", "JWT",
	    "kid", auth_key_id(k));
	claims = json_pack("{s:s, s:s, s:s, s:I, s:I}",
	    "iss", auth_key_client_email(k),
	    "scope", scope != NULL ? scope : AUTH_JWT_SCOPE,
	    "aud", auth_key_token_uri(k),
	    "iat", (json_int_t)iat,
	    "exp", (json_int_t)(iat + AUTH_JWT_LIFETIME));
	if (header == NULL || claims == NULL ||
	    (pos = jwt_append_b64(out, 0, header)) == 0) {
		err_set(e, ERR_NOMEM, "signing the token request: out of memory");
		goto fail;
	}
	out[pos++] = '.';
	if ((pos = jwt_append_b64(out, pos, claims)) == 0) {
		err_set(e, ERR_NOMEM, "signing the token request: claims too long");
		goto fail;
	}
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL,
	    auth_key_pkey(k)) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)out,
	    pos) != 1 ||
	    (sig = malloc(siglen)) == NULL ||
	    EVP_DigestSign(md, sig, &siglen, (const unsigned char *)out,
	    pos) != 1) {
		ERR_clear_error();
		err_set(e, ERR_CONFIG, "signing the token request: OpenSSL refused "
		    "to sign with the key");
		goto fail;
	}
	if (pos + 1 + auth_b64_encoded_len(siglen) + 1 > AUTH_JWT_MAX_LEN) {
		err_set(e, ERR_CONFIG, "signing the token request: signature too long");
		goto fail;
	}
	out[pos++] = '.';
	auth_b64_encode(sig, siglen, out + pos);
	free(sig);
	EVP_MD_CTX_free(md);
	json_decref(header);
	json_decref(claims);
	return out;
fail:
	free(sig);
	EVP_MD_CTX_free(md);
	json_decref(header);
	json_decref(claims);
	auth_jwt_free(out);
	return NULL;
}

void
auth_jwt_free(char *jwt)
{
	if (jwt == NULL)
		return;
	OPENSSL_cleanse(jwt, strlen(jwt));
	free(jwt);
}

/*
 * jwt_decode_json(part, n): the JSON object encoded in base64url part (n
 * characters), or NULL if either layer is malformed.  The caller decrefs.
 */
static json_t *
jwt_decode_json(const char *part, size_t n)
{
	unsigned char buf[JWT_MAX_PART];
	size_t len;
	json_t *j;

	if (auth_b64_decode(part, n, buf, sizeof(buf), &len) != 0)
		return NULL;
	j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/*
 * jwt_copy_claim(obj, field, dst): copy string member field of obj into dst
 * (AUTH_JWT_CLAIM_MAX bytes).  Returns 1 if copied, 0 if absent, -1 if not a
 * string, too long or holding a NUL.
 */
static int
jwt_copy_claim(json_t *obj, const char *field, char *dst)
{
	json_t *v = json_object_get(obj, field);
	size_t n;

	dst[0] = '\0';
	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return -1;
	n = json_string_length(v);
	if (n >= AUTH_JWT_CLAIM_MAX || memchr(json_string_value(v), '\0', n) != NULL)
		return -1;
	memcpy(dst, json_string_value(v), n + 1);
	return 1;
}

/* jwt_int_claim(obj, field, out): 0 with *out set if field is an integer, else -1. */
static int
jwt_int_claim(json_t *obj, const char *field, long long *out)
{
	json_t *v = json_object_get(obj, field);

	if (!json_is_integer(v))
		return -1;
	*out = (long long)json_integer_value(v);
	return 0;
}

/*
 * jwt_parse(hdr, nh, body, nb, c): decode header and claims into c.  Returns
 * AUTH_JWT_OK or AUTH_JWT_MALFORMED.
 */
static enum auth_jwt_verdict
jwt_parse(const char *hdr, size_t nh, const char *body, size_t nb,
    struct auth_jwt_claims *c)
{
	enum auth_jwt_verdict v = AUTH_JWT_MALFORMED;
	json_t *h, *cl = NULL, *alg;

	memset(c, 0, sizeof(*c));
	if ((h = jwt_decode_json(hdr, nh)) == NULL)
		return AUTH_JWT_MALFORMED;
	/* Only RS256: "none" or an HMAC alg must never be honoured. */
	alg = json_object_get(h, "alg");
	if (!json_is_string(alg) || strcmp(json_string_value(alg), "RS256") != 0 ||
	    jwt_copy_claim(h, "kid", c->kid) < 0)
		goto out;
	if ((cl = jwt_decode_json(body, nb)) == NULL)
		goto out;
	if (jwt_copy_claim(cl, "iss", c->iss) < 0 ||
	    jwt_copy_claim(cl, "sub", c->sub) < 0 ||
	    jwt_copy_claim(cl, "scope", c->scope) < 0 ||
	    jwt_int_claim(cl, "iat", &c->iat) != 0 ||
	    jwt_int_claim(cl, "exp", &c->exp) != 0)
		goto out;
	/* A non-string aud (e.g. an array) is a failed audience check, not junk. */
	if (jwt_copy_claim(cl, "aud", c->aud) < 0)
		c->aud[0] = '\0';
	v = AUTH_JWT_OK;
out:
	json_decref(h);
	json_decref(cl);
	return v;
}

/* jwt_signature_ok(input, n, sig, nsig, pub): 1 if the RS256 signature holds. */
static int
jwt_signature_ok(const char *input, size_t n, const char *sig64, size_t nsig,
    EVP_PKEY *pub)
{
	unsigned char sig[JWT_MAX_PART];
	size_t siglen;
	EVP_MD_CTX *md;
	int ok = 0;

	/* An EC or other key would make this a different algorithm. */
	if (pub == NULL || !EVP_PKEY_is_a(pub, "RSA"))
		return 0;
	if (auth_b64_decode(sig64, nsig, sig, sizeof(sig), &siglen) != 0)
		return 0;
	if ((md = EVP_MD_CTX_new()) == NULL)
		return 0;
	if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) == 1 &&
	    EVP_DigestVerify(md, sig, siglen, (const unsigned char *)input, n) == 1)
		ok = 1;
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return ok;
}

enum auth_jwt_verdict
auth_jwt_verify(const char *jwt, size_t len, const struct auth_jwt_verify_opts *o,
    struct auth_jwt_claims *claims)
{
	struct auth_jwt_claims local, *c = claims != NULL ? claims : &local;
	const char *d1, *d2;
	enum auth_jwt_verdict v;
	long long skew = o->skew > 0 ? o->skew : AUTH_JWT_DEFAULT_SKEW;
	long long now = (long long)o->now;

	memset(c, 0, sizeof(*c));
	if (len > AUTH_JWT_MAX_LEN || (d1 = memchr(jwt, '.', len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - jwt))) == NULL ||
	    memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - jwt)) != NULL)
		return AUTH_JWT_MALFORMED;
	v = jwt_parse(jwt, (size_t)(d1 - jwt), d1 + 1, (size_t)(d2 - d1 - 1), c);
	if (v != AUTH_JWT_OK)
		return v;
	/* Google finds the account by iss before it can check the signature. */
	if (o->iss != NULL && strcmp(c->iss, o->iss) != 0)
		return AUTH_JWT_BAD_ISSUER;
	if (!jwt_signature_ok(jwt, (size_t)(d2 - jwt), d2 + 1,
	    len - (size_t)(d2 + 1 - jwt), o->pub))
		return AUTH_JWT_BAD_SIGNATURE;
	/* Both non-negative, so exp - iat cannot overflow. */
	if (c->iat < 0 || c->exp < 0 || c->exp - c->iat <= 0 ||
	    c->exp - c->iat > AUTH_JWT_LIFETIME || c->iat > now + skew ||
	    c->exp <= now - skew)
		return AUTH_JWT_BAD_TIMEFRAME;
	if (o->aud == NULL || strcmp(c->aud, o->aud) != 0)
		return AUTH_JWT_BAD_AUDIENCE;
	if (c->scope[0] == '\0')
		return AUTH_JWT_NO_SCOPE;
	return AUTH_JWT_OK;
}
