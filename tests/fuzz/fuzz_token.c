/*
 * fuzz_token: the token endpoint's answer, and an assertion as the emulator
 * verifies it, on arbitrary bytes.
 *
 * The first byte picks the HTTP status (or, when odd at 0xff, sends the rest
 * to auth_jwt_verify instead); the rest is the body.  A parsed token must be
 * visible ASCII (it goes into a header) and every failure must say why.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "auth/jwt.h"
#include "auth/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static EVP_PKEY *fuzz_key;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 401, 403, 408, 429, 500, 503 };
	struct auth_token_response r;
	struct auth_jwt_verify_opts o = { NULL, "https://oauth2.googleapis.com/token",
	    NULL, 1700000000, 0 };
	struct err e;
	const char *p;

	if (size < 1)
		return 0;
	if (data[0] == 0xff) {
		if (fuzz_key == NULL)
			fuzz_key = EVP_RSA_gen(2048);
		o.pub = fuzz_key;
		if (auth_jwt_verify((const char *)data + 1, size - 1, &o, NULL) ==
		    AUTH_JWT_OK)
			__builtin_trap();	/* nobody can forge our key */
		return 0;
	}
	err_init(&e);
	if (auth_token_parse_response((const char *)data + 1, size - 1,
	    statuses[data[0] % 8], &r, &e) == 0) {
		if (r.access_token == NULL || r.expires_in < 1 || err_is_set(&e))
			__builtin_trap();
		for (p = r.access_token; *p != '\0'; p++)
			if (*p <= ' ' || *p > '~')
				__builtin_trap();
		auth_token_response_fini(&r);
	} else if (!err_is_set(&e) || r.access_token != NULL) {
		__builtin_trap();
	}
	return 0;
}
