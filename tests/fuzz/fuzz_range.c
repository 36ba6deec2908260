/*
 * fuzz_range: A1 splitting, quoting and URL encoding on arbitrary bytes.
 *
 * Whatever range_split accepts must quote back (plain or always quoted) to
 * text that splits into the same title and cells; range_escape's output must
 * hold only unreserved characters and %XX, and decode to the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
round_trip(const char *title, const char *cells, int flags)
{
	struct err e;
	char *q, *t, *c;

	err_init(&e);
	q = range_quote(title, cells, flags, &e);
	if (q == NULL) {
		if (e.code != ERR_DATA)	/* only a length limit may refuse */
			__builtin_trap();
		return;
	}
	if (range_split(q, strlen(q), &t, &c, &e) != 0)
		__builtin_trap();
	if (strcmp(t, title) != 0 || strcmp(c, cells) != 0)
		__builtin_trap();
	free(t);
	free(c);
	free(q);
}

static int
hexval(char h)
{
	if (h >= '0' && h <= '9')
		return h - '0';
	if (h >= 'A' && h <= 'F')
		return h - 'A' + 10;
	return -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct err e;
	char *t, *c, *enc;
	size_t i, n = 0;

	err_init(&e);
	if (range_split(s, size, &t, &c, &e) == 0) {
		if (t[0] == '\0' || err_is_set(&e))
			__builtin_trap();
		round_trip(t, c, 0);
		round_trip(t, c, RANGE_QUOTE_ALWAYS);
		free(t);
		free(c);
	} else if (!err_is_set(&e) || t != NULL || c != NULL) {
		__builtin_trap();
	}
	err_init(&e);
	enc = range_escape(s, size, &e);
	if (enc == NULL)
		return 0;
	for (i = 0; enc[i] != '\0'; i++, n++) {
		if (enc[i] == '%') {
			int hi = hexval(enc[i + 1]), lo = hi < 0 ? -1 : hexval(enc[i + 2]);

			if (hi < 0 || lo < 0 || (uint8_t)(hi * 16 + lo) != data[n])
				__builtin_trap();
			i += 2;
		} else if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~",
		    enc[i]) == NULL || (uint8_t)enc[i] != data[n]) {
			__builtin_trap();
		}
	}
	if (n != size)
		__builtin_trap();
	free(enc);
	return 0;
}
