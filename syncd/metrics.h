/*
 * metrics: the daemon's counters, for people (the STATUS= line) and for
 * monitors (a Prometheus text file for node_exporter's textfile collector).
 */
#ifndef SYNCD_METRICS_H
#define SYNCD_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "auth/err.h"

#define METRICS_MAX_SERIES 64	/* distinct (kind, status) request pairs */
#define METRICS_KIND_MAX 32

struct metrics_series {
	char kind[METRICS_KIND_MAX];	/* "token", "drive", "batch_get"... */
	long status;			/* HTTP status, 0 for a transport error */
	uint64_t count;
};

struct metrics {
	uint64_t cycles;		/* cycles run */
	uint64_t failures;		/* cycles that failed */
	uint64_t writes;		/* cycles that wrote the sheet */
	time_t last_success;		/* end of the last good cycle, 0 = never */
	double last_duration;		/* seconds of the last cycle */
	long households;		/* from the last evaluation */
	long errors;			/* open discrepancies of severity error */
	long warnings;			/* ... of severity warning */
	struct metrics_series series[METRICS_MAX_SERIES];
	size_t nseries;
	/* The daily LINE report (syncd/linereport). */
	uint64_t reports_sent, reports_failed, reports_skipped;
	int report_failing;		/* the last report ended failed, none sent since */
	char report_last[96];		/* "2024-02-15 sent" ("": none yet), for STATUS= */
};

/*
 * metrics_report(m, day, outcome, why): a report step ended with outcome
 * ("sent", "failed", "skipped" or "pending") for day (YYYY-MM-DD); why
 * (may be NULL) is cut into STATUS= for a failure.
 */
void metrics_report(struct metrics *m, const char *day, const char *outcome,
    const char *why);

/* metrics_init(m): all counters zero. */
void metrics_init(struct metrics *m);

/*
 * metrics_count_request(m, kind, status): one API request of this kind
 * ended with this HTTP status (0: no response).  Pairs past
 * METRICS_MAX_SERIES are counted under kind "other".
 */
void metrics_count_request(struct metrics *m, const char *kind, long status);

/*
 * metrics_write(m, dir, e): write dir/syncd.prom atomically (temporary file,
 * rename) in the Prometheus text format.  Returns 0 or -1 with e set.
 */
int metrics_write(const struct metrics *m, const char *dir, struct err *e);

/*
 * metrics_status_line(m, buf, size): the one-line STATUS= text, e.g.
 * "cycle 42 ok at 15:10:01 UTC; 423 households; 12 errors, 5 warnings".
 */
void metrics_status_line(const struct metrics *m, char *buf, size_t size);

#endif
