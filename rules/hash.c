/*
 * hash: FNV-1a and fmix64 (see hash.h).  Pure; the constants are a file
 * format (cells.dat) and must never change.
 */
#include "rules/hash.h"

#define FNV_PRIME 0x100000001b3ULL

uint64_t
hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= FNV_PRIME;
	}
	return h;
}

uint64_t
hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t
hash_seeded(uint64_t seed, const void *p, size_t n)
{
	return hash_mix(hash_bytes(HASH_FNV_BASIS ^ seed, p, n));
}
