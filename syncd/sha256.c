/*
 * sha256: SHA-256 as hex (see sha256.h).  Never logs.
 */
#include "syncd/sha256.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

void
sha256_to_hex(const unsigned char d[32], char out[SHA256_HEX_SIZE])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 15];
	}
	out[64] = '\0';
}

void
sha256_hex(const void *buf, size_t len, char out[SHA256_HEX_SIZE])
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != sizeof(md))
		abort();	/* SHA-256 cannot fail short of a broken libcrypto */
	sha256_to_hex(md, out);
}

int
sha256_file_hex(const char *path, char out[SHA256_HEX_SIZE])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char buf[8192], d[32];
	unsigned int dlen = 0;
	ssize_t n;
	int fd = -1, ok = 0;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		goto done;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		goto done;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (EVP_DigestUpdate(md, buf, (size_t)n) != 1)
			goto done;
	if (n == 0 && EVP_DigestFinal_ex(md, d, &dlen) == 1 && dlen == 32)
		ok = 1;
done:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(md);
	if (ok)
		sha256_to_hex(d, out);
	else
		snprintf(out, SHA256_HEX_SIZE, "unreadable");
	return ok ? 0 : -1;
}
