/*
 * fuzz_key: the service-account key loader on arbitrary bytes.
 *
 * auth_key_parse reads a file an operator installs (JSON around a PEM); it
 * must refuse junk with a message, never crash, leak or read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "auth/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	struct auth_key *k;

	err_init(&e);
	k = auth_key_parse((const char *)data, size, "fuzz", &e);
	if (k == NULL && !err_is_set(&e))
		__builtin_trap();
	if (k != NULL && (strlen(auth_key_client_email(k)) == 0 ||
	    auth_key_pkey(k) == NULL))
		__builtin_trap();
	auth_key_free(k);
	return 0;
}
