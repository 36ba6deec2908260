/*
 * sha256: SHA-256 digests spelled as 64 lowercase hex digits, the one way
 * syncd writes a hash (the audit chain, the configuration's digest, the
 * rendered tabs, long cell values).  OpenSSL's libcrypto does the hashing.
 */
#ifndef SYNCD_SHA256_H
#define SYNCD_SHA256_H

#include <stddef.h>

#define SHA256_HEX_SIZE	65	/* 64 hex digits and the NUL */

/* sha256_to_hex(d, out): the 32 bytes of a digest d as hex in out. */
void sha256_to_hex(const unsigned char d[32], char out[SHA256_HEX_SIZE]);

/*
 * sha256_hex(buf, len, out): the digest of len bytes at buf, as hex.  It
 * cannot fail short of a broken libcrypto, which aborts.
 */
void sha256_hex(const void *buf, size_t len, char out[SHA256_HEX_SIZE]);

/*
 * sha256_file_hex(path, out): the digest of the file's bytes, as hex.
 * Returns 0, or -1 when the file cannot be read (out then holds
 * "unreadable").
 */
int sha256_file_hex(const char *path, char out[SHA256_HEX_SIZE]);

#endif
