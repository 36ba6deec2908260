/*
 * retry: when to try an API request again and how long to wait first.
 *
 * Full-jitter truncated exponential backoff (AWS "Exponential Backoff and
 * Jitter"; google-api-core uses the same): before retry n (n = 0, 1, ...)
 * wait uniform(0, min(cap, base * 2^n)) seconds, or the server's Retry-After
 * when that is longer.  Every operation has a time budget, and a cycle may set
 * a deadline shared by all its operations: a wait that would end past either
 * gives up at once with ERR_TEMP, so a cycle never hangs on a dead API.  A 429
 * also sets a daemon-wide slow-down that delays the next requests (quota is
 * per minute and per user, so every request of this daemon counts).
 * The clock, the sleep and the random source are injected, so the policy is
 * tested without waiting.  No I/O of its own besides the default sleep.
 */
#ifndef SYNCD_RETRY_H
#define SYNCD_RETRY_H

#include <stdint.h>
#include <time.h>

#include "auth/err.h"

#define RETRY_BASE_S		1.0	/* first backoff ceiling, seconds */
#define RETRY_CAP_S		64.0	/* backoff ceiling, seconds (Workspace: 32 or 64) */
#define RETRY_BUDGET_S		120.0	/* per operation (google-api-core's deadline) */
#define RETRY_MAX_ATTEMPTS	12	/* retries per operation, whatever the clock says */
#define RETRY_AFTER_MAX_S	3600.0	/* a longer Retry-After is taken as this */

/* What the policy needs from the outside world; any NULL member gets the default. */
struct retry_env {
	double (*now)(void *ctx);		/* monotonic seconds (default CLOCK_MONOTONIC) */
	int (*sleep)(void *ctx, double seconds);	/* 0, or -1 to abandon (e.g. SIGTERM) */
	uint32_t (*random)(void *ctx);		/* uniform over [0, 2^32) (default getrandom) */
	time_t (*wall)(void *ctx);		/* epoch seconds, for Retry-After dates */
	void *ctx;				/* borrowed, passed to each */
};

/* The policy and its daemon-wide state.  Caller storage: retry_init, no fini. */
struct retry {
	struct retry_env env;
	double base_s, cap_s, budget_s;	/* RETRY_* unless the caller changes them */
	double deadline;	/* cycle deadline on env.now's clock; 0: none */
	double slow_until;	/* no request before this (set by a 429); 0: none */
	unsigned long retries;	/* retries done so far (for metrics) */
	unsigned long throttled;	/* 429s seen so far */
};

/* One operation's progress (one logical API call and its retries). */
struct retry_op {
	unsigned attempt;	/* retries done so far */
	double start;		/* env.now at retry_op_begin */
};

/* Why the last attempt failed, as retry_next needs it. */
struct retry_why {
	long status;		/* HTTP status, or 0 for a transient transport error */
	double retry_after;	/* seconds from Retry-After, or < 0 when absent */
	const char *what;	/* one line describing the failure, for the give-up message */
};

/* retry_init(r, env): the default policy with env (NULL: all defaults); env is copied. */
void retry_init(struct retry *r, const struct retry_env *env);

/* retry_cycle_begin(r, seconds): operations until retry_cycle_end must finish within seconds from now. */
void retry_cycle_begin(struct retry *r, double seconds);

/* retry_cycle_end(r): drop the cycle deadline (the slow-down stays). */
void retry_cycle_end(struct retry *r);

/*
 * retry_status_retryable(status, idempotent): non-zero when a request that
 * ended with status (0: a transient transport error) may be sent again.
 * 429 always (the request was refused, nothing applied); 408, 500, 502, 503,
 * 504 and transport errors only when idempotent is non-zero (reads, and
 * writes to fixed ranges), since a write that timed out or got a 5xx may have
 * been applied.  Everything else (400, 401, 403, 404, ...) never.
 */
int retry_status_retryable(long status, int idempotent);

/* retry_backoff(r, attempt): the full-jitter wait before retry number attempt (0-based), seconds. */
double retry_backoff(struct retry *r, unsigned attempt);

/*
 * retry_after_parse(value, now, seconds): parse a Retry-After header value,
 * either delay-seconds ("120") or an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37
 * GMT") taken relative to now (epoch seconds).  Sets *seconds (>= 0, at most
 * RETRY_AFTER_MAX_S) and returns 0, or returns -1 when value is neither.
 */
int retry_after_parse(const char *value, time_t now, double *seconds);

/* retry_op_begin(r, op): start an operation now. */
void retry_op_begin(struct retry *r, struct retry_op *op);

/*
 * retry_pace(r, op, e): wait out the slow-down left by an earlier 429 before
 * sending a request.  Returns 0, or -1 with e set (ERR_TEMP) when the wait
 * would end past the operation's budget or the cycle deadline, or the sleep
 * was abandoned.
 */
int retry_pace(struct retry *r, const struct retry_op *op, struct err *e);

/*
 * retry_next(r, op, why, e): after a failed attempt that the caller judged
 * retryable (retry_status_retryable), sleep the backoff (at least
 * why->retry_after) and return 0 so the caller tries again; a 429 also pushes
 * the daemon-wide slow-down to the end of that wait.  Returns -1 with e set
 * (ERR_TEMP, the message naming the attempts, the time spent and why->what)
 * when RETRY_MAX_ATTEMPTS retries were done, when the wait would end past the
 * operation's budget or the cycle deadline, or when the sleep was abandoned.
 */
int retry_next(struct retry *r, struct retry_op *op, const struct retry_why *why,
    struct err *e);

#endif
