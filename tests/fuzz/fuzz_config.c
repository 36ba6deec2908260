/*
 * fuzz_config: the configuration loader on arbitrary bytes.
 *
 * config_load_string reads a file an operator writes; our pre-scan (NUL
 * bytes, @include, integer overflow) and every validator run on junk.  It
 * must refuse with a message, never crash, leak or read out of bounds, and
 * whatever it accepts must hold a usable rule configuration.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "syncd/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	struct config *c;
	size_t i, nkey = 0;

	err_init(&e);
	c = config_load_string((const char *)data, size, "fuzz",
	    size > 0 && (data[0] & 1) ? CONFIG_NO_CREDENTIALS : 0, &e);
	if (c == NULL && !err_is_set(&e))
		__builtin_trap();
	if (c != NULL) {
		if (c->rules.nfields == 0 || c->rules.nfields > RULES_MAX_FIELDS ||
		    c->poll_interval < 5 || strncmp(c->sheets_url, "http", 4) != 0)
			__builtin_trap();
		for (i = 0; i < c->rules.nfields; i++)
			nkey += c->rules.fields[i].role == RULES_ROLE_KEY;
		if (nkey != 1)
			__builtin_trap();
	}
	config_free(c);
	return 0;
}
