/*
 * retry: the backoff policy for API requests (see retry.h for the contract).
 *
 * Why full jitter: it spreads retries best for the least total wait (Brooker,
 * 2015), and Google's own Python core library uses it.  Why a budget: a cycle
 * that cannot reach the API must end, be logged, and leave the next cycle to
 * try again, rather than sleep for ever.  The only side effect is the sleep,
 * and that is injectable.
 */
#include "syncd/retry.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "syncd/monotime.h"

static double
default_now(void *ctx)
{
	(void)ctx;
	return monotime_now();
}

static int
default_sleep(void *ctx, double seconds)
{
	struct timespec ts, rem;

	(void)ctx;
	if (!(seconds > 0))
		return 0;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	/* A signal handler only sets a flag; the daemon injects its own sleep to stop early. */
	while (nanosleep(&ts, &rem) == -1 && errno == EINTR)
		ts = rem;
	return 0;
}

static uint32_t
default_random(void *ctx)
{
	uint32_t v = 0;

	(void)ctx;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v)) {
		/* Jitter needs no secrecy: fall back to the clock's nanoseconds. */
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		v = (uint32_t)ts.tv_nsec * 2654435761u;
	}
	return v;
}

static time_t
default_wall(void *ctx)
{
	(void)ctx;
	return time(NULL);
}

void
retry_init(struct retry *r, const struct retry_env *env)
{
	memset(r, 0, sizeof(*r));
	if (env != NULL)
		r->env = *env;
	if (r->env.now == NULL)
		r->env.now = default_now;
	if (r->env.sleep == NULL)
		r->env.sleep = default_sleep;
	if (r->env.random == NULL)
		r->env.random = default_random;
	if (r->env.wall == NULL)
		r->env.wall = default_wall;
	r->base_s = RETRY_BASE_S;
	r->cap_s = RETRY_CAP_S;
	r->budget_s = RETRY_BUDGET_S;
}

void
retry_cycle_begin(struct retry *r, double seconds)
{
	r->deadline = r->env.now(r->env.ctx) + seconds;
}

void
retry_cycle_end(struct retry *r)
{
	r->deadline = 0;
}

int
retry_status_retryable(long status, int idempotent)
{
	switch (status) {
	case 429:
		return 1;
	case 0:
	case 408:
	case 500:
	case 502:
	case 503:
	case 504:
		return idempotent != 0;
	default:
		return 0;
	}
}

double
retry_backoff(struct retry *r, unsigned attempt)
{
	double ceiling = r->base_s * ldexp(1.0, attempt > 30 ? 30 : (int)attempt);

	if (ceiling > r->cap_s)
		ceiling = r->cap_s;
	/* random / 2^32 is in [0, 1). */
	return ceiling * ((double)r->env.random(r->env.ctx) / 4294967296.0);
}

static int
month_index(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	for (i = 0; i < 12; i++)
		if (strncmp(s, months + 3 * i, 3) == 0)
			return i;
	return -1;
}

/* n decimal digits at s into *v; -1 when any is not a digit. */
static int
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

int
retry_after_parse(const char *value, time_t now, double *seconds)
{
	const char *p = value;
	double secs;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p >= '0' && *p <= '9') {
		secs = 0;
		for (; *p >= '0' && *p <= '9'; p++)
			if (secs < RETRY_AFTER_MAX_S)
				secs = secs * 10 + (*p - '0');
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '\0')
			return -1;
	} else {
		/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (29 bytes). */
		struct tm tm;
		int mday, year, hh, mm, ss, mon;
		time_t t;

		if (strlen(p) < 29 || p[3] != ',' || p[4] != ' ' || p[7] != ' ' ||
		    p[11] != ' ' || p[16] != ' ' || p[19] != ':' || p[22] != ':' ||
		    strncmp(p + 25, " GMT", 4) != 0)
			return -1;
		mon = month_index(p + 8);
		if (mon < 0 || digits(p + 5, 2, &mday) < 0 || digits(p + 12, 4, &year) < 0 ||
		    digits(p + 17, 2, &hh) < 0 || digits(p + 20, 2, &mm) < 0 ||
		    digits(p + 23, 2, &ss) < 0)
			return -1;
		if (mday < 1 || mday > 31 || hh > 23 || mm > 59 || ss > 60 || year < 1970)
			return -1;
		for (p += 29; *p == ' ' || *p == '\t'; p++)
			;
		if (*p != '\0')
			return -1;
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = year - 1900;
		tm.tm_mon = mon;
		tm.tm_mday = mday;
		tm.tm_hour = hh;
		tm.tm_min = mm;
		tm.tm_sec = ss;
		t = timegm(&tm);
		if (t == (time_t)-1)
			return -1;
		secs = t > now ? (double)(t - now) : 0;
	}
	*seconds = secs > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : secs;
	return 0;
}

void
retry_op_begin(struct retry *r, struct retry_op *op)
{
	op->attempt = 0;
	op->start = r->env.now(r->env.ctx);
}

/* The earlier of the operation's budget and the cycle deadline. */
static double
op_deadline(const struct retry *r, const struct retry_op *op)
{
	double d = op->start + r->budget_s;

	if (r->deadline > 0 && r->deadline < d)
		d = r->deadline;
	return d;
}

int
retry_pace(struct retry *r, const struct retry_op *op, struct err *e)
{
	double now = r->env.now(r->env.ctx), wait;

	if (r->slow_until <= now)
		return 0;
	wait = r->slow_until - now;
	if (now + wait > op_deadline(r, op)) {
		err_set(e, ERR_TEMP, "API quota exhausted (429): next request allowed in %.0f s, "
		    "past this cycle's time budget; will retry next cycle", ceil(wait));
		return -1;
	}
	if (r->env.sleep(r->env.ctx, wait) != 0) {
		err_set(e, ERR_TEMP, "interrupted while waiting for the API quota");
		return -1;
	}
	return 0;
}

int
retry_next(struct retry *r, struct retry_op *op, const struct retry_why *why,
    struct err *e)
{
	double now = r->env.now(r->env.ctx), wait;
	const char *what = why->what != NULL ? why->what : "request failed";

	if (why->status == 429)
		r->throttled++;
	if (op->attempt >= RETRY_MAX_ATTEMPTS) {
		err_set(e, ERR_TEMP, "gave up after %u attempts in %.0f s: %s",
		    op->attempt + 1, now - op->start, what);
		return -1;
	}
	wait = retry_backoff(r, op->attempt);
	if (why->retry_after >= 0 && why->retry_after > wait)
		wait = why->retry_after;
	if (why->status == 429 && now + wait > r->slow_until)
		r->slow_until = now + wait;
	if (now + wait > op_deadline(r, op)) {
		err_set(e, ERR_TEMP, "gave up after %u attempts in %.0f s (next wait %.0f s "
		    "would pass the %.0f s budget): %s", op->attempt + 1, now - op->start,
		    ceil(wait), r->budget_s, what);
		return -1;
	}
	if (r->env.sleep(r->env.ctx, wait) != 0) {
		err_set(e, ERR_TEMP, "interrupted while waiting to retry: %s", what);
		return -1;
	}
	op->attempt++;
	r->retries++;
	return 0;
}
