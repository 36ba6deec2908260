/*
 * metrics: counters of the daemon and their two renderings: the STATUS= line
 * that `systemctl status` shows, and a Prometheus text file that
 * node_exporter's textfile collector reads.  The file is written whole to a
 * temporary name and renamed, so a scrape never sees half of it.
 */
#include "syncd/metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void
metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof(*m));
}

void
metrics_count_request(struct metrics *m, const char *kind, long status)
{
	size_t i;

	for (i = 0; i < m->nseries; i++)
		if (m->series[i].status == status &&
		    strcmp(m->series[i].kind, kind) == 0) {
			m->series[i].count++;
			return;
		}
	if (m->nseries == METRICS_MAX_SERIES) {
		/* Full: fold into the last slot rather than lose the count. */
		i = METRICS_MAX_SERIES - 1;
		snprintf(m->series[i].kind, METRICS_KIND_MAX, "other");
		m->series[i].count++;
		return;
	}
	i = m->nseries++;
	snprintf(m->series[i].kind, METRICS_KIND_MAX, "%s", kind);
	m->series[i].status = status;
	m->series[i].count = 1;
}

static int
render(const struct metrics *m, FILE *f)
{
	size_t i;

	fprintf(f, "# HELP syncd_cycles_total Cycles run since the daemon started.\n"
	    "# TYPE syncd_cycles_total counter\nsyncd_cycles_total %llu\n",
	    (unsigned long long)m->cycles);
	fprintf(f, "# HELP syncd_cycle_failures_total Cycles that failed.\n"
	    "# TYPE syncd_cycle_failures_total counter\nsyncd_cycle_failures_total %llu\n",
	    (unsigned long long)m->failures);
	fprintf(f, "# HELP syncd_sheet_writes_total Cycles that wrote the sheet.\n"
	    "# TYPE syncd_sheet_writes_total counter\nsyncd_sheet_writes_total %llu\n",
	    (unsigned long long)m->writes);
	fprintf(f, "# HELP syncd_last_success_timestamp_seconds End of the last good cycle.\n"
	    "# TYPE syncd_last_success_timestamp_seconds gauge\n"
	    "syncd_last_success_timestamp_seconds %lld\n", (long long)m->last_success);
	fprintf(f, "# HELP syncd_cycle_duration_seconds Duration of the last cycle.\n"
	    "# TYPE syncd_cycle_duration_seconds gauge\nsyncd_cycle_duration_seconds %.3f\n",
	    m->last_duration);
	fprintf(f, "# HELP syncd_households Households in the last evaluation.\n"
	    "# TYPE syncd_households gauge\nsyncd_households %ld\n", m->households);
	fprintf(f, "# HELP syncd_discrepancies Open discrepancies by severity.\n"
	    "# TYPE syncd_discrepancies gauge\n"
	    "syncd_discrepancies{severity=\"error\"} %ld\n"
	    "syncd_discrepancies{severity=\"warning\"} %ld\n", m->errors, m->warnings);
	fprintf(f, "# HELP syncd_api_requests_total API requests by kind and HTTP status"
	    " (0: no response).\n# TYPE syncd_api_requests_total counter\n");
	for (i = 0; i < m->nseries; i++)
		fprintf(f, "syncd_api_requests_total{kind=\"%s\",status=\"%ld\"} %llu\n",
		    m->series[i].kind, m->series[i].status,
		    (unsigned long long)m->series[i].count);
	fprintf(f, "# HELP syncd_reports_total Daily LINE reports by outcome.\n"
	    "# TYPE syncd_reports_total counter\n"
	    "syncd_reports_total{outcome=\"sent\"} %llu\n"
	    "syncd_reports_total{outcome=\"failed\"} %llu\n"
	    "syncd_reports_total{outcome=\"skipped\"} %llu\n",
	    (unsigned long long)m->reports_sent, (unsigned long long)m->reports_failed,
	    (unsigned long long)m->reports_skipped);
	fprintf(f, "# HELP syncd_report_failed 1 when the last daily report failed.\n"
	    "# TYPE syncd_report_failed gauge\nsyncd_report_failed %d\n",
	    m->report_failing);
	return ferror(f) ? -1 : 0;
}

void
metrics_report(struct metrics *m, const char *day, const char *outcome, const char *why)
{
	if (strcmp(outcome, "sent") == 0) {
		m->reports_sent++;
		m->report_failing = 0;
	} else if (strcmp(outcome, "failed") == 0) {
		m->reports_failed++;
		m->report_failing = 1;
	} else if (strcmp(outcome, "skipped") == 0)
		m->reports_skipped++;
	if (strcmp(outcome, "failed") == 0 && why != NULL)
		snprintf(m->report_last, sizeof(m->report_last), "%s failed: %.60s", day, why);
	else
		snprintf(m->report_last, sizeof(m->report_last), "%s %s", day, outcome);
}

int
metrics_write(const struct metrics *m, const char *dir, struct err *e)
{
	char tmp[4096], dst[4096];
	FILE *f;
	int fd;

	if ((size_t)snprintf(dst, sizeof(dst), "%s/syncd.prom", dir) >= sizeof(dst) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.syncd.prom.XXXXXX", dir) >= sizeof(tmp)) {
		err_set(e, ERR_IO, "metrics directory name too long: %s", dir);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		err_set(e, ERR_IO, "metrics: cannot create a file in %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	(void)fchmod(fd, 0644);
	f = fdopen(fd, "w");
	if (f == NULL) {
		err_set(e, ERR_IO, "metrics: %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (render(m, f) != 0 || fclose(f) != 0) {
		err_set(e, ERR_IO, "metrics: cannot write %s: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, dst) != 0) {
		err_set(e, ERR_IO, "metrics: cannot rename %s to %s: %s", tmp, dst,
		    strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

void
metrics_status_line(const struct metrics *m, char *buf, size_t size)
{
	struct tm tm;
	char when[32] = "never";

	if (m->last_success != 0 && gmtime_r(&m->last_success, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	snprintf(buf, size, "cycle %llu %s; last success %s; %ld households; "
	    "%ld errors, %ld warnings open; %llu failed cycles",
	    (unsigned long long)m->cycles,
	    m->cycles == 0 ? "pending" : "done", when, m->households,
	    m->errors, m->warnings, (unsigned long long)m->failures);
	if (m->report_last[0] != '\0') {
		size_t n = strlen(buf);

		if (n < size)
			snprintf(buf + n, size - n, "; LINE report %s", m->report_last);
	}
}
