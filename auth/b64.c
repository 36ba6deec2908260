/*
 * b64: base64url without padding, strict on input.
 *
 * Used for the three parts of a JWT.  Strictness matters to the verifier: a
 * signature must have one spelling, and junk around it must not be ignored.
 * Pure: no allocation, no I/O.
 */
#include "auth/b64.h"

#include <string.h>

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* b64_value(c): the 6-bit value of c, or -1 outside the URL alphabet. */
static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

size_t
auth_b64_encoded_len(size_t n)
{
	return (n / 3) * 4 + ((n % 3) == 0 ? 0 : (n % 3) + 1);
}

size_t
auth_b64_encode(const unsigned char *in, size_t n, char *out)
{
	size_t i, o = 0;
	unsigned long v;

	for (i = 0; i + 3 <= n; i += 3) {
		v = ((unsigned long)in[i] << 16) | ((unsigned long)in[i + 1] << 8) |
		    in[i + 2];
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned long)in[i] << 16;
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
	} else if (n - i == 2) {
		v = ((unsigned long)in[i] << 16) | ((unsigned long)in[i + 1] << 8);
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
	}
	out[o] = '\0';
	return o;
}

int
auth_b64_decode(const char *in, size_t n, unsigned char *out, size_t out_max,
    size_t *out_len)
{
	size_t i, o = 0, rem = n % 4;
	unsigned long v = 0;
	int d, k = 0;

	/* One leftover character cannot carry a byte. */
	if (rem == 1 || (n / 4) * 3 + (rem ? rem - 1 : 0) > out_max)
		goto fail;
	for (i = 0; i < n; i++) {
		d = b64_value((unsigned char)in[i]);
		if (d < 0)
			goto fail;
		v = (v << 6) | (unsigned long)d;
		if (++k == 4) {
			out[o++] = (unsigned char)(v >> 16);
			out[o++] = (unsigned char)(v >> 8);
			out[o++] = (unsigned char)v;
			v = 0;
			k = 0;
		}
	}
	if (k == 2) {
		if ((v & 0xf) != 0)
			goto fail;
		out[o++] = (unsigned char)(v >> 4);
	} else if (k == 3) {
		if ((v & 0x3) != 0)
			goto fail;
		out[o++] = (unsigned char)(v >> 10);
		out[o++] = (unsigned char)(v >> 2);
	}
	*out_len = o;
	return 0;
fail:
	if (out_max > 0)
		memset(out, 0, out_max);
	return -1;
}
