/*
 * check_auth: the service-account key loader, the RS256 assertion and the
 * token cache.
 *
 * Keys are generated at run time (no credential lives in the tree) and
 * written into a mkdtemp directory.  The token cache runs on a fake clock and
 * a fake POST function, so refresh timing is exact and nothing touches the
 * network.
 */
#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "auth/b64.h"
#include "auth/jwt.h"
#include "auth/key.h"
#include "auth/token.h"

#define TOKEN_URI "https://oauth2.googleapis.com/token"
#define EMAIL "syncd-test@example-project.iam.gserviceaccount.com"
#define KID "0123456789abcdef0123456789abcdef01234567"

/* Made once in main(), inherited by each forked test. */
static EVP_PKEY *rsa_key, *rsa_other, *rsa_small, *ec_key;
static char *pem_pkcs8, *pem_pkcs1, *pem_other, *pem_small, *pem_ec;
static char tmpdir[] = "/tmp/check_auth.XXXXXX";

/* pem_of(k, traditional): k's private key as an owned PEM string. */
static char *
pem_of(EVP_PKEY *k, int traditional)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;
	int ok;

	ok = traditional ?
	    PEM_write_bio_PrivateKey_traditional(b, k, NULL, NULL, 0, NULL, NULL) :
	    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
	if (!ok)
		abort();
	n = BIO_get_mem_data(b, &data);
	out = strndup(data, (size_t)n);
	BIO_free(b);
	return out;
}

/* key_json(pem): the JSON object of a service-account key with every field. */
static json_t *
key_json(const char *pem)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "type", "service_account", "project_id", "example-project",
	    "private_key_id", KID, "private_key", pem, "client_email", EMAIL,
	    "client_id", "123456789012345678901", "auth_uri",
	    "https://accounts.google.com/o/oauth2/auth", "token_uri", TOKEN_URI);
}

/* write_file(name, text, len, mode): write a file in tmpdir; returns its owned path. */
static char *
write_file(const char *name, const char *text, size_t len, mode_t mode)
{
	char *path;
	FILE *f;

	if (asprintf(&path, "%s/%s", tmpdir, name) < 0)
		abort();
	unlink(path);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

/* write_key(name, j, mode): dump j into a file; returns its owned path. */
static char *
write_key(const char *name, json_t *j, mode_t mode)
{
	char *text = json_dumps(j, JSON_INDENT(2));
	char *path = write_file(name, text, strlen(text), mode);

	free(text);
	return path;
}

/* parse_json(j, e): auth_key_parse on j's serialisation. */
static struct auth_key *
parse_json(json_t *j, struct err *e)
{
	char *text = json_dumps(j, 0);
	struct auth_key *k = auth_key_parse(text, strlen(text), "test.json", e);

	free(text);
	return k;
}

/* ------------------------------------------------------------------ keys */

START_TEST(load_pkcs8_0600)
{
	struct err e;
	json_t *j = key_json(pem_pkcs8);
	char *path = write_key("k8.json", j, 0600);
	struct auth_key *k;

	err_init(&e);
	k = auth_key_load(path, &e);
	ck_assert_msg(k != NULL, "%s", e.msg);
	ck_assert_str_eq(auth_key_client_email(k), EMAIL);
	ck_assert_str_eq(auth_key_id(k), KID);
	ck_assert_str_eq(auth_key_token_uri(k), TOKEN_URI);
	ck_assert_int_eq(EVP_PKEY_eq(auth_key_pkey(k), rsa_key), 1);
	auth_key_free(k);
	auth_key_free(NULL);
	json_decref(j);
	free(path);
}
END_TEST

START_TEST(load_pkcs1_0400)
{
	struct err e;
	json_t *j = key_json(pem_pkcs1);
	char *path = write_key("k1.json", j, 0400);
	struct auth_key *k;

	ck_assert_ptr_nonnull(strstr(pem_pkcs1, "BEGIN RSA PRIVATE KEY"));
	err_init(&e);
	k = auth_key_load(path, &e);
	ck_assert_msg(k != NULL, "%s", e.msg);
	ck_assert_int_eq(EVP_PKEY_eq(auth_key_pkey(k), rsa_key), 1);
	auth_key_free(k);
	json_decref(j);
	free(path);
}
END_TEST

static const mode_t bad_modes[] = { 0644, 0640, 0604, 0660, 0606 };

/* mode_refused_case(_i): case _i of bad_modes. */
static void
mode_refused_case(int _i)
{
	struct err e;
	json_t *j = key_json(pem_pkcs8);
	char *path = write_key("open.json", j, bad_modes[_i]), want[16];

	err_init(&e);
	ck_assert_ptr_null(auth_key_load(path, &e));
	ck_assert_int_eq(e.code, ERR_CONFIG);
	snprintf(want, sizeof(want), "%04o", (unsigned)bad_modes[_i]);
	ck_assert_msg(strstr(e.msg, want) != NULL, "%s", e.msg);
	ck_assert_msg(strstr(e.msg, "chmod 600") != NULL, "%s", e.msg);
	ck_assert_msg(strstr(e.msg, path) != NULL, "%s", e.msg);
	json_decref(j);
	free(path);
}

START_TEST(mode_refused)
{
	int i;

	for (i = 0; i < (int)(sizeof(bad_modes) / sizeof(bad_modes[0])); i++)
		mode_refused_case(i);
}
END_TEST

START_TEST(missing_file)
{
	struct err e;
	char *path;

	if (asprintf(&path, "%s/nonexistent.json", tmpdir) < 0)
		abort();
	err_init(&e);
	ck_assert_ptr_null(auth_key_load(path, &e));
	ck_assert_int_eq(e.code, ERR_NOINPUT);
	ck_assert_msg(strstr(e.msg, path) != NULL, "%s", e.msg);
	free(path);
}
END_TEST

START_TEST(oversize_file)
{
	struct err e;
	size_t n = AUTH_KEY_MAX_FILE + 10;
	char *big = malloc(n), *path;

	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	path = write_file("big.json", big, n, 0600);
	err_init(&e);
	ck_assert_ptr_null(auth_key_load(path, &e));
	ck_assert_int_eq(e.code, ERR_CONFIG);
	ck_assert_msg(strstr(e.msg, "larger") != NULL, "%s", e.msg);
	err_init(&e);
	ck_assert_ptr_null(auth_key_parse(big, n, "big", &e));
	ck_assert_int_eq(e.code, ERR_CONFIG);
	free(big);
	free(path);
}
END_TEST

/* How a bad key is made from a good one, and what the message must name. */
struct bad_key {
	const char *field;	/* field to change; NULL: raw text */
	const char *value;	/* new string value; NULL: delete the field */
	const char *raw;	/* raw text, when field is NULL */
	const char *pem;	/* "small", "ec", "junk": replace private_key */
	const char *want;	/* substring of the message */
};

static const struct bad_key bad_keys[] = {
	{ NULL, NULL, "{\"type\": \"service_account\",", NULL, "not valid JSON" },
	{ NULL, NULL, "[1, 2, 3]", NULL, "JSON object" },
	{ NULL, NULL, "", NULL, "not valid JSON" },
	{ NULL, NULL, "{\"type\":\"service_account\",\"type\":\"x\"}", NULL,
	  "not valid JSON" },
	{ "type", NULL, NULL, NULL, "\"type\"" },
	{ "type", "authorized_user", NULL, NULL, "service_account" },
	{ "client_email", NULL, NULL, NULL, "\"client_email\"" },
	{ "client_email", "", NULL, NULL, "\"client_email\"" },
	{ "client_email", "a b@c", NULL, NULL, "\"client_email\"" },
	{ "private_key_id", NULL, NULL, NULL, "\"private_key_id\"" },
	{ "token_uri", NULL, NULL, NULL, "\"token_uri\"" },
	{ "token_uri", "http://oauth2.googleapis.com/token", NULL, NULL, "\"token_uri\"" },
	{ "token_uri", "ftp://127.0.0.1/token", NULL, NULL, "\"token_uri\"" },
	{ "token_uri", "http://127.0.0.1.evil.example/token", NULL, NULL, "\"token_uri\"" },
	{ "token_uri", "http://localhost.evil.example/token", NULL, NULL, "\"token_uri\"" },
	{ "private_key", NULL, NULL, NULL, "\"private_key\"" },
	{ "private_key", "", NULL, NULL, "\"private_key\"" },
	{ "private_key", "not a pem at all", NULL, NULL, "\"private_key\"" },
	{ "private_key", NULL, NULL, "junk", "\"private_key\"" },
	{ "private_key", NULL, NULL, "small", "1024 bits" },
	{ "private_key", NULL, NULL, "ec", "RSA" },
};

/* bad_key_refused_case(_i): case _i of bad_keys. */
static void
bad_key_refused_case(int _i)
{
	const struct bad_key *b = &bad_keys[_i];
	struct err e;
	json_t *j = key_json(pem_pkcs8);
	struct auth_key *k;
	char *junk = NULL;

	err_init(&e);
	if (b->field == NULL) {
		k = auth_key_parse(b->raw, strlen(b->raw), "test.json", &e);
	} else {
		if (b->pem != NULL && strcmp(b->pem, "small") == 0)
			json_object_set_new(j, "private_key", json_string(pem_small));
		else if (b->pem != NULL && strcmp(b->pem, "ec") == 0)
			json_object_set_new(j, "private_key", json_string(pem_ec));
		else if (b->pem != NULL) {
			/* A PEM frame around a damaged body. */
			junk = strdup(pem_pkcs8);
			junk[40] ^= 0x11;
			junk[200] = '!';
			json_object_set_new(j, "private_key", json_string(junk));
		} else if (b->value == NULL)
			json_object_del(j, b->field);
		else
			json_object_set_new(j, b->field, json_string(b->value));
		k = parse_json(j, &e);
	}
	ck_assert_ptr_null(k);
	ck_assert_int_eq(e.code, ERR_CONFIG);
	ck_assert_msg(strstr(e.msg, b->want) != NULL, "case %d: %s", _i, e.msg);
	ck_assert_msg(strstr(e.msg, "test.json") != NULL, "case %d: %s", _i, e.msg);
	/* Never a piece of the key: the base64 body starts with MII. */
	ck_assert_msg(strstr(e.msg, "MII") == NULL, "case %d: %s", _i, e.msg);
	ck_assert_msg(strstr(e.msg, "BEGIN") == NULL ||
	    strstr(e.msg, "expected BEGIN") != NULL, "case %d: %s", _i, e.msg);
	free(junk);
	json_decref(j);
}

START_TEST(bad_key_refused)
{
	int i;

	for (i = 0; i < (int)(sizeof(bad_keys) / sizeof(bad_keys[0])); i++)
		bad_key_refused_case(i);
}
END_TEST

START_TEST(loopback_token_uri)
{
	static const char *const ok[] = { "http://127.0.0.1:8080/token",
	    "http://localhost/token", "http://[::1]:99/token", "https://x.example/t" };
	struct err e;
	json_t *j = key_json(pem_pkcs8);
	struct auth_key *k;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		json_object_set_new(j, "token_uri", json_string(ok[i]));
		err_init(&e);
		k = parse_json(j, &e);
		ck_assert_msg(k != NULL, "%s: %s", ok[i], e.msg);
		ck_assert_str_eq(auth_key_token_uri(k), ok[i]);
		auth_key_free(k);
	}
	json_decref(j);
}
END_TEST

START_TEST(credential)
{
	struct err e;
	json_t *j = key_json(pem_pkcs8);
	/* systemd's credential files need no mode check: 0644 is accepted here. */
	char *path = write_key("sa-key.json", j, 0644);
	struct auth_key *k;

	ck_assert_int_eq(setenv("CREDENTIALS_DIRECTORY", tmpdir, 1), 0);
	err_init(&e);
	k = auth_key_load("sa-key.json", &e);
	ck_assert_msg(k != NULL, "%s", e.msg);
	auth_key_free(k);
	err_init(&e);
	k = auth_key_load_credential("sa-key.json", &e);
	ck_assert_msg(k != NULL, "%s", e.msg);
	auth_key_free(k);
	/* A path with a slash is a file, checked as such. */
	err_init(&e);
	ck_assert_ptr_null(auth_key_load(path, &e));
	ck_assert_msg(strstr(e.msg, "0644") != NULL, "%s", e.msg);
	err_init(&e);
	ck_assert_ptr_null(auth_key_load_credential("../sa-key.json", &e));
	ck_assert_int_eq(e.code, ERR_CONFIG);
	err_init(&e);
	ck_assert_ptr_null(auth_key_load("absent.json", &e));
	ck_assert_int_eq(e.code, ERR_NOINPUT);
	ck_assert_int_eq(unsetenv("CREDENTIALS_DIRECTORY"), 0);
	err_init(&e);
	ck_assert_ptr_null(auth_key_load_credential("sa-key.json", &e));
	ck_assert_msg(strstr(e.msg, "CREDENTIALS_DIRECTORY") != NULL, "%s", e.msg);
	json_decref(j);
	free(path);
}
END_TEST

/* ------------------------------------------------------------------- JWT */

/* load_test_key(): the key of the tests, parsed from memory. */
static struct auth_key *
load_test_key(void)
{
	struct err e;
	json_t *j = key_json(pem_pkcs8);
	struct auth_key *k;

	err_init(&e);
	k = parse_json(j, &e);
	ck_assert_msg(k != NULL, "%s", e.msg);
	json_decref(j);
	return k;
}

/* decode_part(jwt, idx): JWT part idx (0 header, 1 claims) as JSON. */
static json_t *
decode_part(const char *jwt, int idx)
{
	unsigned char buf[8192];
	const char *p = jwt, *end;
	size_t len;
	json_t *j;

	while (idx-- > 0)
		p = strchr(p, '.') + 1;
	end = strchr(p, '.');
	ck_assert_ptr_nonnull(end);
	ck_assert_int_eq(auth_b64_decode(p, (size_t)(end - p), buf, sizeof(buf),
	    &len), 0);
	j = json_loadb((const char *)buf, len, 0, NULL);
	ck_assert_ptr_nonnull(j);
	return j;
}

/* sign_custom(k, header, claims): an RS256 token over arbitrary JSON text. */
static char *
sign_custom(EVP_PKEY *k, const char *header, const char *claims)
{
	size_t hl = strlen(header), cl = strlen(claims), siglen = 0, pos;
	char *out = malloc(8192);
	unsigned char sig[1024];
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	pos = auth_b64_encode((const unsigned char *)header, hl, out);
	out[pos++] = '.';
	pos += auth_b64_encode((const unsigned char *)claims, cl, out + pos);
	siglen = sizeof(sig);
	ck_assert_int_eq(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k), 1);
	ck_assert_int_eq(EVP_DigestSign(md, sig, &siglen,
	    (const unsigned char *)out, pos), 1);
	out[pos++] = '.';
	auth_b64_encode(sig, siglen, out + pos);
	EVP_MD_CTX_free(md);
	return out;
}

static struct auth_jwt_verify_opts
opts_at(time_t now)
{
	struct auth_jwt_verify_opts o = { rsa_key, TOKEN_URI, EMAIL, now, 0 };

	return o;
}

START_TEST(jwt_sign_shape)
{
	struct auth_key *k = load_test_key();
	struct err e;
	struct auth_jwt_claims c;
	struct auth_jwt_verify_opts o = opts_at(1700000000);
	char *jwt;
	json_t *h, *cl;
	const char *p;

	err_init(&e);
	jwt = auth_jwt_sign(k, NULL, 1700000000, &e);
	ck_assert_msg(jwt != NULL, "%s", e.msg);
	for (p = jwt; *p != '\0'; p++)
		ck_assert_msg(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_.", *p) != NULL, "bad char %c", *p);
	h = decode_part(jwt, 0);
	ck_assert_str_eq(json_string_value(json_object_get(h, "alg")), "RS256");
	ck_assert_str_eq(json_string_value(json_object_get(h, "typ")), "JWT");
	ck_assert_str_eq(json_string_value(json_object_get(h, "kid")), KID);
	ck_assert_int_eq(json_object_size(h), 3);
	cl = decode_part(jwt, 1);
	ck_assert_str_eq(json_string_value(json_object_get(cl, "iss")), EMAIL);
	ck_assert_str_eq(json_string_value(json_object_get(cl, "aud")), TOKEN_URI);
	ck_assert_str_eq(json_string_value(json_object_get(cl, "scope")),
	    "https://www.googleapis.com/auth/spreadsheets "
	    "https://www.googleapis.com/auth/drive.metadata.readonly");
	ck_assert_int_eq(json_integer_value(json_object_get(cl, "iat")),
	    1700000000 - 10);
	ck_assert_int_eq(json_integer_value(json_object_get(cl, "exp")),
	    1700000000 - 10 + 3600);
	ck_assert_int_eq(json_object_size(cl), 5);
	ck_assert_int_eq(auth_jwt_verify(jwt, strlen(jwt), &o, &c), AUTH_JWT_OK);
	ck_assert_str_eq(c.kid, KID);
	ck_assert_str_eq(c.iss, EMAIL);
	ck_assert_int_eq(c.exp - c.iat, 3600);
	/* The public half alone verifies too. */
	{
		BIO *b = BIO_new(BIO_s_mem());
		EVP_PKEY *pub;

		PEM_write_bio_PUBKEY(b, rsa_key);
		pub = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
		o.pub = pub;
		ck_assert_int_eq(auth_jwt_verify(jwt, strlen(jwt), &o, NULL),
		    AUTH_JWT_OK);
		EVP_PKEY_free(pub);
		BIO_free(b);
	}
	json_decref(h);
	json_decref(cl);
	auth_jwt_free(jwt);
	auth_jwt_free(NULL);
	auth_key_free(k);
}
END_TEST

START_TEST(jwt_tampered)
{
	struct auth_key *k = load_test_key();
	struct err e;
	struct auth_jwt_verify_opts o = opts_at(1700000000);
	char *jwt, *dot, *forged;
	size_t n;

	err_init(&e);
	jwt = auth_jwt_sign(k, NULL, 1700000000, &e);
	n = strlen(jwt);
	/* A changed signature byte. */
	dot = strrchr(jwt, '.');
	dot[10] = dot[10] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(auth_jwt_verify(jwt, n, &o, NULL), AUTH_JWT_BAD_SIGNATURE);
	dot[10] = '\0';
	ck_assert_int_eq(auth_jwt_verify(jwt, strlen(jwt), &o, NULL),
	    AUTH_JWT_BAD_SIGNATURE);
	auth_jwt_free(jwt);
	/* Signed by another key. */
	jwt = auth_jwt_sign(k, NULL, 1700000000, &e);
	o.pub = rsa_other;
	ck_assert_int_eq(auth_jwt_verify(jwt, strlen(jwt), &o, NULL),
	    AUTH_JWT_BAD_SIGNATURE);
	/* An EC key never verifies RS256. */
	o.pub = ec_key;
	ck_assert_int_eq(auth_jwt_verify(jwt, strlen(jwt), &o, NULL),
	    AUTH_JWT_BAD_SIGNATURE);
	o.pub = rsa_key;
	/* Claims changed after signing. */
	forged = sign_custom(rsa_other, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
	    "{\"iss\":\"" EMAIL "\",\"aud\":\"" TOKEN_URI "\",\"scope\":\"x\","
	    "\"iat\":1700000000,\"exp\":1700003600}");
	ck_assert_int_eq(auth_jwt_verify(forged, strlen(forged), &o, NULL),
	    AUTH_JWT_BAD_SIGNATURE);
	ck_assert_str_eq(auth_jwt_error(AUTH_JWT_BAD_SIGNATURE), "invalid_grant");
	ck_assert_str_eq(auth_jwt_error_description(AUTH_JWT_BAD_SIGNATURE),
	    "Invalid JWT Signature.");
	free(forged);
	auth_jwt_free(jwt);
	auth_key_free(k);
}
END_TEST

START_TEST(jwt_wrong_aud_iss)
{
	struct auth_key *k = load_test_key();
	struct err e;
	struct auth_jwt_verify_opts o = opts_at(1700000000);
	char *jwt;

	err_init(&e);
	jwt = auth_jwt_sign(k, NULL, 1700000000, &e);
	o.aud = "https://oauth2.googleapis.com/token2";
	ck_assert_int_eq(auth_jwt_verify(jwt, strlen(jwt), &o, NULL),
	    AUTH_JWT_BAD_AUDIENCE);
	o.aud = TOKEN_URI;
	o.iss = "someone-else@example.iam.gserviceaccount.com";
	ck_assert_int_eq(auth_jwt_verify(jwt, strlen(jwt), &o, NULL),
	    AUTH_JWT_BAD_ISSUER);
	ck_assert_str_eq(auth_jwt_error_description(AUTH_JWT_BAD_ISSUER),
	    "Invalid grant: account not found");
	o.iss = NULL;
	ck_assert_int_eq(auth_jwt_verify(jwt, strlen(jwt), &o, NULL), AUTH_JWT_OK);
	auth_jwt_free(jwt);
	auth_key_free(k);
}
END_TEST

/* Assertions with chosen claims, signed by the right key. */
struct jwt_case {
	const char *header;
	const char *claims;
	long long now;
	enum auth_jwt_verdict want;
};

#define HDR "{\"alg\":\"RS256\",\"typ\":\"JWT\"}"
#define CL(iat, exp) "{\"iss\":\"" EMAIL "\",\"aud\":\"" TOKEN_URI \
	"\",\"scope\":\"s\",\"iat\":" #iat ",\"exp\":" #exp "}"

static const struct jwt_case jwt_cases[] = {
	{ HDR, CL(1000000, 1003600), 1000000, AUTH_JWT_OK },
	{ HDR, CL(1000000, 1003601), 1000000, AUTH_JWT_BAD_TIMEFRAME },
	{ HDR, CL(1000000, 1000000), 1000000, AUTH_JWT_BAD_TIMEFRAME },
	{ HDR, CL(1000000, 999999), 1000000, AUTH_JWT_BAD_TIMEFRAME },
	{ HDR, CL(1000000, 1086400), 1000000, AUTH_JWT_BAD_TIMEFRAME },
	/* Host clock an hour ahead of the server, and an hour behind. */
	{ HDR, CL(1003600, 1007200), 1000000, AUTH_JWT_BAD_TIMEFRAME },
	{ HDR, CL(1000000, 1003600), 1007200, AUTH_JWT_BAD_TIMEFRAME },
	/* Within the skew tolerance. */
	{ HDR, CL(1000200, 1003800), 1000000, AUTH_JWT_OK },
	{ HDR, CL(-5, 100), 1000000, AUTH_JWT_BAD_TIMEFRAME },
	{ HDR, "{\"iss\":\"" EMAIL "\",\"aud\":\"" TOKEN_URI
	  "\",\"iat\":1000000,\"exp\":1003600}", 1000000, AUTH_JWT_NO_SCOPE },
	{ HDR, "{\"iss\":\"" EMAIL "\",\"aud\":[\"" TOKEN_URI
	  "\"],\"scope\":\"s\",\"iat\":1000000,\"exp\":1003600}", 1000000,
	  AUTH_JWT_BAD_AUDIENCE },
	{ HDR, "{\"iss\":\"" EMAIL "\",\"aud\":\"" TOKEN_URI
	  "\",\"scope\":\"s\",\"iat\":\"1000000\",\"exp\":1003600}", 1000000,
	  AUTH_JWT_MALFORMED },
	{ "{\"alg\":\"none\",\"typ\":\"JWT\"}", CL(1000000, 1003600), 1000000,
	  AUTH_JWT_MALFORMED },
	{ "{\"alg\":\"HS256\"}", CL(1000000, 1003600), 1000000, AUTH_JWT_MALFORMED },
	{ "{\"typ\":\"JWT\"}", CL(1000000, 1003600), 1000000, AUTH_JWT_MALFORMED },
	{ "[1]", CL(1000000, 1003600), 1000000, AUTH_JWT_MALFORMED },
	{ HDR, "not json", 1000000, AUTH_JWT_MALFORMED },
};

/* jwt_claims_checked_case(_i): case _i of jwt_cases. */
static void
jwt_claims_checked_case(int _i)
{
	const struct jwt_case *c = &jwt_cases[_i];
	struct auth_jwt_verify_opts o = opts_at((time_t)c->now);
	char *jwt = sign_custom(rsa_key, c->header, c->claims);

	ck_assert_msg(auth_jwt_verify(jwt, strlen(jwt), &o, NULL) == c->want,
	    "case %d: got %d want %d", _i, auth_jwt_verify(jwt, strlen(jwt), &o,
	    NULL), c->want);
	free(jwt);
}

START_TEST(jwt_claims_checked)
{
	int i;

	for (i = 0; i < (int)(sizeof(jwt_cases) / sizeof(jwt_cases[0])); i++)
		jwt_claims_checked_case(i);
}
END_TEST

START_TEST(jwt_texts)
{
	ck_assert_str_eq(auth_jwt_error_description(AUTH_JWT_BAD_TIMEFRAME),
	    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
	    "reasonable timeframe. Check your iat and exp values in the JWT claim.");
	ck_assert_str_eq(auth_jwt_error(AUTH_JWT_BAD_TIMEFRAME), "invalid_grant");
	ck_assert_str_eq(auth_jwt_error(AUTH_JWT_NO_SCOPE), "invalid_scope");
	ck_assert_str_eq(auth_jwt_error_description(AUTH_JWT_NO_SCOPE),
	    "Empty or missing scope not allowed.");
	ck_assert_ptr_null(auth_jwt_error(AUTH_JWT_OK));
	ck_assert_ptr_null(auth_jwt_error_description(AUTH_JWT_OK));
}
END_TEST

static const char *const junk_jwts[] = {
	"", ".", "..", "...", "a.b", "a.b.c.d", "eyJhbGciOiJSUzI1NiJ9.e30.",
	"eyJhbGciOiJSUzI1NiJ9=.e30.AAAA", "e30.e30.AAAA", "!!!.e30.AAAA",
};

/* jwt_junk_case(_i): case _i of junk_jwts. */
static void
jwt_junk_case(int _i)
{
	struct auth_jwt_verify_opts o = opts_at(1000000);
	struct auth_jwt_claims c;
	enum auth_jwt_verdict v = auth_jwt_verify(junk_jwts[_i],
	    strlen(junk_jwts[_i]), &o, &c);

	ck_assert_msg(v == AUTH_JWT_MALFORMED || v == AUTH_JWT_BAD_SIGNATURE ||
	    v == AUTH_JWT_BAD_ISSUER, "case %d: %d", _i, v);
	ck_assert_int_ne(v, AUTH_JWT_OK);
}

START_TEST(jwt_junk)
{
	int i;

	for (i = 0; i < (int)(sizeof(junk_jwts) / sizeof(junk_jwts[0])); i++)
		jwt_junk_case(i);
}
END_TEST

START_TEST(b64_roundtrip)
{
	unsigned char in[64], out[64];
	char enc[100];
	size_t n, len, i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 250);
	for (n = 0; n <= sizeof(in); n++) {
		ck_assert_uint_eq(auth_b64_encode(in, n, enc), auth_b64_encoded_len(n));
		ck_assert_ptr_null(strchr(enc, '='));
		ck_assert_int_eq(auth_b64_decode(enc, strlen(enc), out, sizeof(out),
		    &len), 0);
		ck_assert_uint_eq(len, n);
		ck_assert_int_eq(memcmp(in, out, n), 0);
	}
	ck_assert_int_eq(auth_b64_decode("-_8", 3, out, sizeof(out), &len), 0);
	ck_assert_uint_eq(len, 2);
	ck_assert_uint_eq(out[0], 0xfb);
	ck_assert_uint_eq(out[1], 0xff);
	/* Padding, the + / alphabet, a lone char and non-zero spare bits. */
	ck_assert_int_eq(auth_b64_decode("QQ==", 4, out, sizeof(out), &len), -1);
	ck_assert_int_eq(auth_b64_decode("+/8", 3, out, sizeof(out), &len), -1);
	ck_assert_int_eq(auth_b64_decode("QUJDR", 5, out, sizeof(out), &len), -1);
	ck_assert_int_eq(auth_b64_decode("QR", 2, out, sizeof(out), &len), -1);
	ck_assert_int_eq(auth_b64_decode("QUJD", 4, out, 2, &len), -1);
}
END_TEST

/* ----------------------------------------------------------- token cache */

struct fake_resp {
	long status;
	const char *body;
	int fail;		/* transport failure */
};

struct fake {
	time_t now;
	int calls;
	const struct fake_resp *script;
	int nscript;
	char url[256];
	char form[8192];
};

static time_t
fake_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

/* fake_post: answers from the script; the last entry repeats. */
static int
fake_post(void *ctx, const char *url, const char *form, char **body, size_t *len,
    long *status, struct err *e)
{
	struct fake *f = ctx;
	const struct fake_resp *r = &f->script[f->calls < f->nscript ? f->calls :
	    f->nscript - 1];

	f->calls++;
	snprintf(f->url, sizeof(f->url), "%s", url);
	snprintf(f->form, sizeof(f->form), "%s", form);
	if (r->fail) {
		err_set(e, ERR_HTTP, "connection refused");
		return -1;
	}
	*body = strdup(r->body);
	*len = strlen(r->body);
	*status = r->status;
	return 0;
}

#define OK_BODY(tok) "{\"access_token\":\"" tok "\",\"expires_in\":3599," \
	"\"token_type\":\"Bearer\"}"

static struct auth_token *
fake_token(struct fake *f, const struct auth_key *k)
{
	struct auth_token_opts o = { k, NULL, fake_now, f, fake_post, f };
	struct err e;
	struct auth_token *t;

	err_init(&e);
	t = auth_token_new(&o, &e);
	ck_assert_msg(t != NULL, "%s", e.msg);
	return t;
}

START_TEST(token_cache_and_refresh)
{
	static const struct fake_resp script[] = {
		{ 200, OK_BODY("ya29.one"), 0 }, { 200, OK_BODY("ya29.two"), 0 },
		{ 200, OK_BODY("ya29.three"), 0 }, { 200, OK_BODY("ya29.four"), 0 },
	};
	struct fake f = { 1700000000, 0, script, 4, "", "" };
	struct auth_key *k = load_test_key();
	struct auth_token *t = fake_token(&f, k);
	struct auth_jwt_verify_opts o = opts_at(1700000000);
	const char *bearer;
	struct err e;
	time_t t0 = f.now;

	err_init(&e);
	ck_assert_int_eq(auth_token_expiry(t), 0);
	ck_assert_int_eq(auth_token_get(t, 0, &bearer, &e), 0);
	ck_assert_int_eq(f.calls, 1);
	ck_assert_str_eq(bearer, "ya29.one");
	ck_assert_int_eq(auth_token_expiry(t), t0 + 3599);
	/* What went over the wire: the form and a valid assertion. */
	ck_assert_str_eq(f.url, TOKEN_URI);
	ck_assert_int_eq(strncmp(f.form, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3A"
	    "grant-type%3Ajwt-bearer&assertion=", strlen(AUTH_TOKEN_FORM_PREFIX)), 0);
	ck_assert_int_eq(auth_jwt_verify(f.form + strlen(AUTH_TOKEN_FORM_PREFIX),
	    strlen(f.form + strlen(AUTH_TOKEN_FORM_PREFIX)), &o, NULL), AUTH_JWT_OK);
	/* Cached while more than 225 s remain. */
	f.now = t0 + 100;
	ck_assert_int_eq(auth_token_get(t, 0, &bearer, &e), 0);
	ck_assert_int_eq(f.calls, 1);
	ck_assert_str_eq(bearer, "ya29.one");
	f.now = t0 + 3599 - 225 - 1;
	ck_assert_int_eq(auth_token_get(t, 0, &bearer, &e), 0);
	ck_assert_int_eq(f.calls, 1);
	/* At expires_in - 225: refreshed. */
	f.now = t0 + 3599 - 225;
	ck_assert_int_eq(auth_token_get(t, 0, &bearer, &e), 0);
	ck_assert_int_eq(f.calls, 2);
	ck_assert_str_eq(bearer, "ya29.two");
	ck_assert_int_eq(auth_token_expiry(t), f.now + 3599);
	/* A forced refresh (after a 401) fetches exactly once. */
	ck_assert_int_eq(auth_token_get(t, 1, &bearer, &e), 0);
	ck_assert_int_eq(f.calls, 3);
	ck_assert_str_eq(bearer, "ya29.three");
	ck_assert_int_eq(auth_token_get(t, 0, &bearer, &e), 0);
	ck_assert_int_eq(f.calls, 3);
	ck_assert_str_eq(bearer, "ya29.three");
	ck_assert_int_eq(e.code, ERR_NONE);
	auth_token_free(t);
	auth_token_free(NULL);
	auth_key_free(k);
}
END_TEST

/* A refusal from the token endpoint and what the error must say. */
struct token_err_case {
	long status;
	const char *body;
	enum err_code code;
	const char *want1;
	const char *want2;
};

static const struct token_err_case token_errs[] = {
	{ 400, "{\"error\":\"invalid_grant\",\"error_description\":"
	  "\"Invalid JWT Signature.\"}", ERR_AUTH, "Invalid JWT Signature.",
	  "new key" },
	{ 400, "{\"error\":\"invalid_grant\",\"error_description\":\""
	  AUTH_JWT_DESC_TIMEFRAME "\"}", ERR_AUTH, "short-lived token", "clock" },
	{ 400, "{\"error\":\"invalid_grant\",\"error_description\":"
	  "\"Invalid grant: account not found\"}", ERR_AUTH, "account not found",
	  "deleted or disabled" },
	{ 400, "{\"error\":\"invalid_scope\",\"error_description\":"
	  "\"Empty or missing scope not allowed.\"}", ERR_AUTH, "invalid_scope",
	  "scopes" },
	{ 401, "{\"error\":\"unauthorized_client\",\"error_description\":"
	  "\"Unauthorized client or scope in request.\"}", ERR_AUTH,
	  "unauthorized_client", "HTTP 401" },
	{ 400, "{\"error\":\"invalid_grant\"}", ERR_AUTH, "invalid_grant", "clock" },
	{ 400, "<html>Bad Request</html>", ERR_AUTH, "HTTP 400", "token_uri" },
	{ 503, "{\"error\":{\"code\":503,\"message\":\"The service is currently "
	  "unavailable.\",\"status\":\"UNAVAILABLE\"}}", ERR_TEMP, "HTTP 503",
	  "currently unavailable" },
	{ 429, "", ERR_TEMP, "HTTP 429", "retry" },
	{ 400, "{\"error\":\"temporarily_unavailable\"}", ERR_TEMP,
	  "temporarily_unavailable", "retry" },
	{ 200, "{\"expires_in\":3599,\"token_type\":\"Bearer\"}", ERR_DATA,
	  "access_token", "access_token" },
	{ 200, "{\"access_token\":\"a b\",\"expires_in\":3599}", ERR_DATA,
	  "header", "access_token" },
	{ 200, "{\"access_token\":\"ya29.x\",\"expires_in\":0}", ERR_DATA,
	  "expires_in", "expires_in" },
	{ 200, "{\"access_token\":\"ya29.x\",\"expires_in\":\"12x\"}", ERR_DATA,
	  "expires_in", "expires_in" },
	{ 200, "{\"access_token\":\"ya29.x\",\"expires_in\":99999999}", ERR_DATA,
	  "expires_in", "expires_in" },
	{ 200, "{\"access_token\":\"ya29.x\",\"expires_in\":3599,"
	  "\"token_type\":\"MAC\"}", ERR_DATA, "Bearer", "token_type" },
	{ 200, "[]", ERR_DATA, "JSON object", "JSON" },
	{ 200, "", ERR_DATA, "JSON object", "JSON" },
};

/*
 * token_errors_case(_i, k): case _i of token_errs.  Every fourth case goes
 * through auth_token_get and the fake POST (signing is slow under valgrind),
 * the others straight to the parser.
 */
static void
token_errors_case(int _i, const struct auth_key *k)
{
	const struct token_err_case *c = &token_errs[_i];
	const struct fake_resp script[] = { { c->status, c->body, 0 } };
	struct fake f = { 1700000000, 0, script, 1, "", "" };
	struct auth_token_response r;
	struct auth_token *t;
	const char *bearer = "x", *assertion;
	struct err e;

	err_init(&e);
	if (_i % 4 != 0) {
		ck_assert_int_eq(auth_token_parse_response(c->body, strlen(c->body),
		    c->status, &r, &e), -1);
		ck_assert_ptr_null(r.access_token);
	} else {
		t = fake_token(&f, k);
		ck_assert_int_eq(auth_token_get(t, 0, &bearer, &e), -1);
		ck_assert_ptr_null(bearer);
		ck_assert_int_eq(f.calls, 1);
		/* Never the assertion, nor any piece of it. */
		assertion = f.form + strlen(AUTH_TOKEN_FORM_PREFIX);
		ck_assert_ptr_null(strstr(e.msg, "eyJ"));
		ck_assert_ptr_null(strstr(e.msg, strrchr(assertion, '.') + 1));
		auth_token_free(t);
	}
	ck_assert_msg(e.code == c->code, "case %d: code %d: %s", _i, e.code, e.msg);
	ck_assert_msg(strstr(e.msg, c->want1) != NULL, "case %d: %s", _i, e.msg);
	ck_assert_msg(strstr(e.msg, c->want2) != NULL, "case %d: %s", _i, e.msg);
	if (c->code == ERR_AUTH || c->code == ERR_TEMP)
		ck_assert_int_eq(e.status, c->status);
}

START_TEST(token_errors)
{
	struct auth_key *k = load_test_key();
	int i;

	for (i = 0; i < (int)(sizeof(token_errs) / sizeof(token_errs[0])); i++)
		token_errors_case(i, k);
	auth_key_free(k);
}
END_TEST

START_TEST(token_stale_fallback)
{
	static const struct fake_resp script[] = {
		{ 200, OK_BODY("ya29.one"), 0 }, { 503, "", 0 }, { 0, "", 1 },
	};
	struct fake f = { 1700000000, 0, script, 3, "", "" };
	struct auth_key *k = load_test_key();
	struct auth_token *t = fake_token(&f, k);
	const char *bearer;
	struct err e;
	time_t t0 = f.now;

	err_init(&e);
	ck_assert_int_eq(auth_token_get(t, 0, &bearer, &e), 0);
	/* Inside the margin, the endpoint down: the live token is still used. */
	f.now = t0 + 3500;
	ck_assert_int_eq(auth_token_get(t, 0, &bearer, &e), 0);
	ck_assert_str_eq(bearer, "ya29.one");
	ck_assert_int_eq(f.calls, 2);
	ck_assert_int_eq(auth_token_get(t, 0, &bearer, &e), 0);
	ck_assert_int_eq(f.calls, 3);
	ck_assert_int_eq(e.code, ERR_NONE);
	/* But not when forced (the server refused it) ... */
	ck_assert_int_eq(auth_token_get(t, 1, &bearer, &e), -1);
	ck_assert_int_eq(e.code, ERR_HTTP);
	ck_assert_str_eq(e.msg, "connection refused");
	/* ... nor once it is dead. */
	f.now = t0 + 3599;
	err_init(&e);
	ck_assert_int_eq(auth_token_get(t, 0, &bearer, &e), -1);
	ck_assert_int_eq(e.code, ERR_HTTP);
	auth_token_free(t);
	auth_key_free(k);
}
END_TEST

START_TEST(token_parse_variants)
{
	struct auth_token_response r;
	struct err e;
	char body[2048], tok[1025];

	/* Google's 1024-character token, padded with dots. */
	memset(tok, '.', 1024);
	memcpy(tok, "ya29.c.b0AXv", 12);
	tok[1024] = '\0';
	snprintf(body, sizeof(body), "{\"access_token\":\"%s\",\"expires_in\":3599,"
	    "\"token_type\":\"Bearer\"}", tok);
	err_init(&e);
	ck_assert_int_eq(auth_token_parse_response(body, strlen(body), 200, &r, &e), 0);
	ck_assert_str_eq(r.access_token, tok);
	ck_assert_int_eq(r.expires_in, 3599);
	auth_token_response_fini(&r);
	ck_assert_ptr_null(r.access_token);
	/* expires_in as a string, token_type in lower case or absent. */
	snprintf(body, sizeof(body), "{\"access_token\":\"t\",\"expires_in\":\"3600\","
	    "\"token_type\":\"bearer\"}");
	ck_assert_int_eq(auth_token_parse_response(body, strlen(body), 200, &r, &e), 0);
	ck_assert_int_eq(r.expires_in, 3600);
	auth_token_response_fini(&r);
	snprintf(body, sizeof(body), "{\"access_token\":\"t\",\"expires_in\":60}");
	/* Not NUL-terminated: the length rules. */
	ck_assert_int_eq(auth_token_parse_response(body, strlen(body), 200, &r, &e), 0);
	auth_token_response_fini(&r);
	ck_assert_int_eq(e.code, ERR_NONE);
	ck_assert_int_eq(auth_token_parse_response(body, strlen(body) - 1, 200, &r,
	    &e), -1);
	ck_assert_ptr_null(r.access_token);
}
END_TEST

static Suite *
auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tk = tcase_create("key"), *tj = tcase_create("jwt"),
	    *tt = tcase_create("token");

	/*
	 * RSA signing under valgrind on a busy machine outruns Check's 4 s
	 * default; a hang still fails.
	 */
	tcase_set_timeout(tk, 20);
	tcase_set_timeout(tj, 20);
	tcase_set_timeout(tt, 20);
	tcase_add_test(tk, load_pkcs8_0600);
	tcase_add_test(tk, load_pkcs1_0400);
	tcase_add_test(tk, mode_refused);
	tcase_add_test(tk, missing_file);
	tcase_add_test(tk, oversize_file);
	tcase_add_test(tk, bad_key_refused);
	tcase_add_test(tk, loopback_token_uri);
	tcase_add_test(tk, credential);
	suite_add_tcase(s, tk);
	tcase_add_test(tj, b64_roundtrip);
	tcase_add_test(tj, jwt_sign_shape);
	tcase_add_test(tj, jwt_tampered);
	tcase_add_test(tj, jwt_wrong_aud_iss);
	tcase_add_test(tj, jwt_claims_checked);
	tcase_add_test(tj, jwt_texts);
	tcase_add_test(tj, jwt_junk);
	suite_add_tcase(s, tj);
	tcase_add_test(tt, token_cache_and_refresh);
	tcase_add_test(tt, token_errors);
	tcase_add_test(tt, token_stale_fallback);
	tcase_add_test(tt, token_parse_variants);
	suite_add_tcase(s, tt);
	return s;
}

/*
 * gen_key(name, alg, opt): a fresh key pair.  The openssl command makes it
 * when it can, because key generation under valgrind (make valgrind runs this
 * binary under it) takes tens of seconds, and a spawned openssl runs natively;
 * otherwise EVP_*_gen does it in-process.
 */
static EVP_PKEY *
gen_key(const char *name, const char *alg, const char *opt, unsigned bits)
{
	extern char **environ;
	char path[512];
	char *argv[] = { "openssl", "genpkey", "-quiet", "-algorithm", (char *)(uintptr_t)alg,
	    "-pkeyopt", (char *)(uintptr_t)opt, "-out", path, NULL };
	EVP_PKEY *k = NULL;
	pid_t pid;
	int status;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if (posix_spawnp(&pid, "openssl", NULL, NULL, argv, environ) == 0 &&
	    waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0 && (f = fopen(path, "r")) != NULL) {
		k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
	}
	unlink(path);
	if (k != NULL)
		return k;
	return bits != 0 ? EVP_RSA_gen(bits) : EVP_EC_gen("P-256");
}

/* rm_tmpdir(): remove the files the tests wrote, then the directory. */
static void
rm_tmpdir(void)
{
	static const char *const names[] = { "k8.json", "k1.json", "open.json",
	    "big.json", "sa-key.json" };
	char path[512];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

/*
 * warm_up(): load, sign and verify once before the tests fork, so OpenSSL's
 * decoder and algorithm caches are filled once rather than in every child
 * (this makes the suite several times faster under valgrind).
 */
static void
warm_up(void)
{
	struct auth_jwt_verify_opts o = { NULL, TOKEN_URI, NULL, 1000, 0 };
	json_t *j = key_json(pem_pkcs8);
	char *text = json_dumps(j, 0), *jwt;
	struct auth_key *k;
	struct err e;

	err_init(&e);
	k = auth_key_parse(text, strlen(text), "warm-up", &e);
	if (k != NULL && (jwt = auth_jwt_sign(k, NULL, 1000, &e)) != NULL) {
		o.pub = rsa_key;
		(void)auth_jwt_verify(jwt, strlen(jwt), &o, NULL);
		auth_jwt_free(jwt);
	}
	auth_key_free(k);
	free(text);
	json_decref(j);
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (mkdtemp(tmpdir) == NULL)
		return 2;
	rsa_key = gen_key("rsa.pem", "RSA", "rsa_keygen_bits:2048", 2048);
	rsa_other = gen_key("other.pem", "RSA", "rsa_keygen_bits:2048", 2048);
	rsa_small = gen_key("small.pem", "RSA", "rsa_keygen_bits:1024", 1024);
	ec_key = gen_key("ec.pem", "EC", "ec_paramgen_curve:P-256", 0);
	if (rsa_key == NULL || rsa_other == NULL || rsa_small == NULL ||
	    ec_key == NULL)
		return 2;
	pem_pkcs8 = pem_of(rsa_key, 0);
	pem_pkcs1 = pem_of(rsa_key, 1);
	pem_other = pem_of(rsa_other, 0);
	pem_small = pem_of(rsa_small, 0);
	pem_ec = pem_of(ec_key, 0);
	warm_up();
	sr = srunner_create(auth_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rm_tmpdir();
	EVP_PKEY_free(rsa_key);
	EVP_PKEY_free(rsa_other);
	EVP_PKEY_free(rsa_small);
	EVP_PKEY_free(ec_key);
	free(pem_pkcs8);
	free(pem_pkcs1);
	free(pem_other);
	free(pem_small);
	free(pem_ec);
	return failed == 0 ? 0 : 1;
}
