/*
 * hashseed: a random seed for the tables outside input keys (hashseed.h).
 */
#include "syncd/hashseed.h"

#include <stdint.h>
#include <sys/random.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "rules/hash.h"

uint64_t
hashseed_draw(void)
{
	struct timespec ts = { 0, 0 };
	uint64_t seed = 0;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed)) {
		(void)clock_gettime(CLOCK_MONOTONIC, &ts);
		seed = hash_mix((uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^
		    (uint64_t)getpid() << 48 ^ (uint64_t)(uintptr_t)&ts);
	}
	return seed != 0 ? seed : 1;
}
