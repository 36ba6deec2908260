/*
 * audit_page: the HTML page of `syncd audit report` (syncd/audit_report.c
 * gathers the evidence from the log; this writes it): the chain's verdict,
 * then per district its figures and the four tables behind them.  Thai, no
 * script, nothing fetched from anywhere, print CSS for A4.  Writes only to
 * the stream it is given.
 */
#ifndef SYNCD_AUDIT_PAGE_H
#define SYNCD_AUDIT_PAGE_H

#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "auth/err.h"
#include "syncd/auditscan.h"
#include "syncd/config.h"

/* A developed household: first seen complete. */
struct audit_page_dev {
	char *tab, *key, *date;		/* owned */
	long row;
	time_t seen;
};

/* A finding, from opened to resolved (-1 while open). */
struct audit_page_find {
	char *tab, *rule, *severity, *key, *column, *message;	/* owned */
	long row;
	time_t opened, resolved;
};

/* A cell change worth reporting. */
struct audit_page_chg {
	char *tab, *key, *column, *old, *new;	/* owned */
	long row;
	time_t ts;
	int after_complete;	/* of a record already complete */
	int date_late;		/* the activity date, edited after the deadline */
};

/* The evidence the report gathers from the log, for the page. */
struct audit_page_log {
	const struct config *cfg;	/* borrowed */
	const char *date_heading;	/* borrowed from cfg, may be NULL */
	time_t deadline_end;		/* last second of the activity deadline */
	struct audit_page_dev *devs;
	size_t ndevs, devcap;
	struct audit_page_find *finds;
	size_t nfinds, findcap;
	struct audit_page_chg *chgs;
	size_t nchgs, chgcap;
	char **tabs;			/* owned: districts in order of appearance */
	size_t ntabs, tabcap;
	json_t *devmap;			/* "tab\x1fkey" -> index in devs */
	json_t *openmap;		/* finding id -> index in finds */
	time_t first_ts, last_ts;
	int nomem;
};

/* What audit_page_write writes: the evidence and the verdict on the chain. */
struct audit_page {
	struct audit_page_log *r;
	const char *const *log;		/* the files, oldest first */
	size_t nlog;
	const struct auditscan_result *res;
	int intact;
	const char *why;		/* when not intact */
};

/*
 * audit_page_write(f, ctx, e): the page for ctx (a struct audit_page,
 * borrowed) to f, as fsutil_write_atomic's writer.  Returns 0 (a write
 * error shows in f's error flag).
 */
int audit_page_write(FILE *f, void *ctx, struct err *e);

#endif
