/*
 * b64: base64url without padding (RFC 4648 section 5, RFC 7515 section 2), the
 * encoding of each part of a JSON Web Token.
 *
 * Decoding is strict: only the URL alphabet, no '=' padding, no whitespace,
 * and the unused low bits of the last character must be zero, so every value
 * has exactly one encoding.  Pure: no I/O.
 */
#ifndef AUTH_B64_H
#define AUTH_B64_H

#include <stddef.h>

/* auth_b64_encoded_len(n): characters auth_b64_encode writes for n bytes (no NUL). */
size_t auth_b64_encoded_len(size_t n);

/*
 * auth_b64_encode(in, n, out): write the base64url form of n bytes at in to
 * out, which must hold auth_b64_encoded_len(n) + 1 bytes; NUL-terminates.
 * Returns the number of characters written (without the NUL).
 */
size_t auth_b64_encode(const unsigned char *in, size_t n, char *out);

/*
 * auth_b64_decode(in, n, out, out_max, out_len): decode n characters at in into
 * out (at most out_max bytes; (n * 3) / 4 always suffices).  Returns 0 with
 * *out_len set, or -1 if in is not canonical unpadded base64url or out is too
 * small.  out is wiped on failure.
 */
int auth_b64_decode(const char *in, size_t n, unsigned char *out, size_t out_max,
    size_t *out_len);

#endif
