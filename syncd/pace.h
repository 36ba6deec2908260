/*
 * pace: a sliding one-minute window of requests, the way Google counts its
 * per-minute quotas.  See pace.c.
 */
#ifndef SYNCD_PACE_H
#define SYNCD_PACE_H

#include <signal.h>
#include <stddef.h>

#include "auth/err.h"

/* At most limit calls of pace_take in any 60 seconds. */
struct pace {
	double *t;		/* owned: limit slots, the calls' times (monotime), oldest at head */
	size_t limit, head, n;
	double waited;		/* seconds spent waiting; the caller zeroes it */
};

/* pace_init(p, limit): an empty window of limit (>= 1) calls a minute.
 * Returns 0, or -1 with e set (ERR_NOMEM). */
int pace_init(struct pace *p, size_t limit, struct err *e);

/* pace_fini(p): free p's slots; p may be zeroed or already finished. */
void pace_fini(struct pace *p);

/*
 * pace_carry(dst, src): the newest of src's calls (as many as dst holds)
 * counted in dst, an empty window just made by pace_init: a new quota
 * still counts what the last minute sent.  src is unchanged.
 */
void pace_carry(struct pace *dst, const struct pace *src);

/*
 * pace_take(p, stop, tick): wait until one more call fits the window, then
 * count it.  While waiting it sleeps at most half a second at a time, calls
 * tick (may be NULL; the caller's watchdog) after each sleep, and gives up
 * when *stop (a signal flag, borrowed) is set.  Returns 0, or -1 when
 * stopped.
 */
int pace_take(struct pace *p, const volatile sig_atomic_t *stop, void (*tick)(void));

/*
 * pace_done(p): the call last counted by pace_take has had its answer:
 * its time becomes now.  Google counts a request when it arrives, which
 * is after pace_take (a connection, a TLS handshake) and before the
 * answer: timed from the answer, the window never runs ahead of Google's.
 */
void pace_done(struct pace *p);

#endif
