/*
 * hashseed: a secret seed for rules/hash.h, drawn from the kernel, for the
 * hash tables whose keys outside input picks (a household key, a finding's
 * id, a tab title out of a district's sheet): with the seed unknown, nobody
 * typing into the sheet can aim many keys at one bucket (hash flooding).
 *
 * It lives in syncd/ because it asks the kernel (getrandom); rules/ takes
 * the seed it is given (struct rules_config's hash_seed).
 */
#ifndef SYNCD_HASHSEED_H
#define SYNCD_HASHSEED_H

#include <stdint.h>

/*
 * hashseed_draw(): a new seed, from getrandom without blocking.  Before the
 * kernel's pool is ready (very early boot) it falls back to the clock, the
 * process id and an address, mixed: weaker, but syncd starts at boot
 * rather than wait for entropy, and a table works with any seed.
 * Never fails; never 0.
 */
uint64_t hashseed_draw(void);

#endif
