/*
 * hash: the one string hash of the tree: FNV-1a over the bytes, finished
 * with MurmurHash3's 64-bit mix (fmix64) so that every bit of the result
 * depends on every bit of the input (FNV's low bits are weak, and the
 * tables here index by the low bits).
 *
 * Where outside input picks the keys of a table (a household key or a
 * finding's id out of a district's cells, a tab title), the caller passes a
 * secret random seed, so that someone typing into the sheet cannot aim many
 * keys at one bucket and make each lookup walk them all (hash flooding).
 * The seed is drawn by the shell (syncd/hashseed.h): this file is pure (no
 * I/O, no globals) and serves rules/ and syncd/ alike.
 *
 * The values are part of a file format: STATE_DIR/cells.dat stores them
 * (syncd/cellfile.c), so neither the FNV constants nor the mix may change.
 * Not a cryptographic hash: a secret seed makes collisions hard to aim,
 * not impossible to find.
 */
#ifndef RULES_HASH_H
#define RULES_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV_BASIS	0xcbf29ce484222325ULL	/* FNV-1a 64 offset basis */

/*
 * hash_bytes(h, p, n): h advanced by FNV-1a over the n bytes at p
 * (borrowed for the call).  Start from HASH_FNV_BASIS ^ seed; chain calls
 * to hash several strings as one.
 */
uint64_t hash_bytes(uint64_t h, const void *p, size_t n);

/* hash_mix(h): MurmurHash3's fmix64 of h (a bijection; 0 stays 0). */
uint64_t hash_mix(uint64_t h);

/*
 * hash_seeded(seed, p, n): the hash of the n bytes at p under seed:
 * hash_mix(hash_bytes(HASH_FNV_BASIS ^ seed, p, n)).  What a hash table
 * keyed by text uses.
 */
uint64_t hash_seeded(uint64_t seed, const void *p, size_t n);

#endif
