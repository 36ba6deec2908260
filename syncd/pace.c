/*
 * pace: a sliding one-minute window of requests.  Google counts Sheets'
 * quotas per minute (60 reads and 60 writes a minute per service account);
 * a client that keeps the times of its last calls and waits for the oldest
 * to age a minute never meets a 429 from its own traffic.  The rollup paces
 * its reads and its writes with one window each.  This file only waits and
 * counts: it never sends a request, and knows nothing of what else uses the
 * same service account.
 */
#include "syncd/pace.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "syncd/monotime.h"

#define PACE_MINUTE_S	60.0
#define PACE_MARGIN_S	0.05	/* past the minute: the quota runs on Google's clock */
#define PACE_SLICE_S	0.5	/* longest single sleep */

int
pace_init(struct pace *p, size_t limit, struct err *e)
{
	memset(p, 0, sizeof(*p));
	if ((p->t = calloc(limit, sizeof(*p->t))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	p->limit = limit;
	return 0;
}

void
pace_fini(struct pace *p)
{
	free(p->t);
	p->t = NULL;
	p->limit = p->head = p->n = 0;
}

void
pace_carry(struct pace *dst, const struct pace *src)
{
	size_t keep = src->n < dst->limit ? src->n : dst->limit, i;

	for (i = 0; i < keep; i++)
		dst->t[i] = src->t[(src->head + src->n - keep + i) % src->limit];
	dst->head = 0;
	dst->n = keep;
}

int
pace_take(struct pace *p, const volatile sig_atomic_t *stop, void (*tick)(void))
{
	double now = monotime_now(), w;
	struct timespec ts;

	for (;;) {
		while (p->n > 0 && now - p->t[p->head] >= PACE_MINUTE_S) {
			p->head = (p->head + 1) % p->limit;
			p->n--;
		}
		if (p->n < p->limit)
			break;
		w = PACE_MINUTE_S - (now - p->t[p->head]) + PACE_MARGIN_S;
		if (w > PACE_SLICE_S)
			w = PACE_SLICE_S;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(w * 1e9);
		nanosleep(&ts, NULL);
		if (tick != NULL)
			tick();
		p->waited += w;
		if (*stop)
			return -1;
		now = monotime_now();
	}
	p->t[(p->head + p->n) % p->limit] = now;
	p->n++;
	return 0;
}

void
pace_done(struct pace *p)
{
	if (p->n > 0)
		p->t[(p->head + p->n - 1) % p->limit] = monotime_now();
}
