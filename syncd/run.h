/*
 * run: what the steps of a cycle share.  struct cycle is what lives from
 * cycle to cycle; struct run is what one cycle builds, from its first step
 * to run_fini.  Private to the cycle and the files of its concerns
 * (cycle.c: the steps in order; sheetread.c: the reads of the sheet;
 * runstate.c: the saved state, light between cycles; celldiff.c:
 * cell.changed; findings.c: discrepancy identities and first-seen times;
 * notes.c: flags in the district tabs; sheetedits.c: tabs renamed or
 * removed, another writer; publish.c: rendering and writing our two tabs),
 * which is why this header has no .c of its own; nothing else includes it.
 */
#ifndef SYNCD_RUN_H
#define SYNCD_RUN_H

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "rules/rules.h"
#include "syncd/annotate.h"
#include "syncd/audit.h"
#include "syncd/cellfile.h"
#include "syncd/overtime.h"
#include "syncd/cycle.h"
#include "syncd/retry.h"
#include "syncd/session.h"
#include "syncd/state.h"
#include "syncd/tabcache.h"
#include "syncd/tabwatch.h"
#include "syncd/today.h"
#include "syncd/sheetjson.h"
#include "syncd/writer.h"

#define RUN_FS_MAX	32	/* bytes of a first-seen text, with its NUL */

/* What lives from cycle to cycle. */
struct cycle {
	const struct config *cfg;	/* borrowed */
	struct cycle_opts opts;
	struct session ss;		/* rebuilt on reload */
	struct retry retry;		/* daemon-wide: the 429 slow-down survives cycles */
	struct audit *audit;		/* owned */
	struct state *state;		/* owned: light between cycles (see state_light) */
	struct tabcache tabs;
	int state_light;		/* state holds no first-seen table: load it */
	uint64_t cycle_no;		/* cycles counted, carried on from the state */
	struct metrics metrics;
};

/* What one cycle builds; released by run_fini (cycle.c). */
struct run {
	struct cycle *c;
	const struct config *cfg;	/* c->cfg */
	struct cycle_result *res;	/* the caller's, filled as the steps go */
	const char *step;		/* the step running (its name if it fails) */
	int full;			/* a full_read_every-th cycle: discover, read */
	double t0;			/* monotonic start */
	uint64_t req0, in0, out0;	/* the HTTP counters at the start */
	time_t now;			/* the clock's instant (--now moves it) */
	struct today_now clock;		/* read once a cycle: date and minute, Bangkok */
	int32_t today;			/* clock.day: the rules' date */
	char *version;			/* owned: Drive's version */
	char basis[256];
	struct sheetjson_doc *wf;	/* owned: the batchGet answer */
	const struct workbook *view;	/* borrowed from wf, or &empty */
	struct workbook empty;
	struct rules_report report;
	struct state *next;		/* owned: the state this cycle leads to */
	struct state *old;		/* owned: the saved state, whole (c->state is light) */
	char (*fs_sheet)[RUN_FS_MAX];	/* owned: the sheet's first-seen cell of each finding */
	int fs_col;			/* first-seen column of the discrepancy tab, or -1 */
	int mismatch;			/* our tabs differ from the sheet's */
	struct cellfile *cf;		/* owned: last mapped values, old and new */
	const char *headings[RULES_MAX_FIELDS];	/* borrowed from cfg: cf's columns */
	char **ids;			/* owned: identity of each finding */
	size_t nids;
	int baseline;			/* first cycle: record cells, no cell.changed */
	size_t cells_recorded;
	int discovered;			/* tabs discovered in this cycle */
	int need_write;			/* our tabs differ: write them */
	int synced;			/* the cycle's audit lines are durable */
	int fatal_logged;		/* a fatal error already recorded (api.error) */
	char hash[SHA256_HEX_SIZE];	/* of the rendered tabs' compared values */
	struct writer_grid sum, disc;
	/* Reports over time (syncd/overtime): the history tab with today's
	 * row, its chart when missing, today's snapshot tab. */
	struct writer_grid hist, snap;
	int hist_write, hist_chart, snap_write;
	int hist_seen, hist_has;	/* the tab list also saw the history tab's charts */
	int sheet_reads;		/* Sheets read requests so far (tab list, batchGet) */
	char snap_title[OVERTIME_TITLE_MAX];
	char snap_sha[SHA256_HEX_SIZE];
	char fs_buf[RUN_FS_MAX];	/* findings_first_seen_text's answer */
	int audit_rc;			/* -1: an append failed inside a callback
					 * (its error, fatal or not, is in e) */
	double parse_s;			/* seconds parsing the batchGet answer */
	/* Flags where district staff look (syncd/annotate), when configured. */
	int linking;			/* ain is filled: row numbers link to cells */
	int annotating;			/* the plan below is made */
	int32_t *fcols;			/* owned: each finding's cell column */
	struct annotate_tab *atabs;	/* owned; titles borrowed from c->tabs */
	struct annotate_in ain;		/* what the plan was made from */
	int notes_read;			/* the tab list read the notes too (seen) */
	struct annotate_seen seen;	/* owned: the notes and objects the tab list read */
	struct annotate_plan plan;	/* owned */
	char link[512];			/* link_text's answer */
	struct err *e;
	/* Sheet edits (issue 12, syncd/sheetedits). */
	struct tab_changes changes;	/* tabs renamed or removed since the last cycle */
	char sheet_head[128];		/* the audit head the sheet's footer shows */
	char sheet_inst[64];		/* an instance id beside it ("" none) */
	char inst[TABWATCH_INSTANCE_LEN + 1];	/* ours (the state directory's) */
	int foreign_head;		/* the footer's head is not in our log */
	int conflict;			/* another writer: write nothing */
	int conflict_new;		/* ... seen for the first time */
	int conflict_cleared;		/* a conflict of an earlier cycle is over */
};

/* run_audit_ok(r, rc): note an append's rc (r->audit_rc is -1 from the
 * first failure on); non-zero when it succeeded. */
static inline int
run_audit_ok(struct run *r, int rc)
{
	if (rc != 0)
		r->audit_rc = -1;
	return rc == 0;
}

/*
 * run_audit_failure(c, step, e): an api.error for the failed step whose
 * error e holds, synced.  Returns 0; or -1 when the audit log lost
 * durability: that failure is then in e, fatal (it outranks the step's
 * error, auth/err.h).  An api.error the log refuses without losing
 * durability is not the step's failure: 0.
 */
static inline int
run_audit_failure(struct cycle *c, const char *step, struct err *e)
{
	struct err ae;

	err_init(&ae);
	if (audit_append_pack(c->audit, &ae, "api.error", "{s:s, s:i, s:s}",
	    "step", step, "status", e->status, "message", e->msg) == 0 &&
	    audit_sync(c->audit, &ae) == 0)
		return 0;
	if (!err_is_fatal(&ae))
		return 0;
	err_fatal(e, ae.code, "%s", ae.msg);
	return -1;
}

/* run_discover(r, e): read the plain tab list again (once a cycle is
 * enough); counted as a Sheets read. */
static inline int
run_discover(struct run *r, struct err *e)
{
	r->sheet_reads++;
	if (tabcache_discover(&r->c->tabs, r->c->ss.sheets, e) == -1)
		return -1;
	r->discovered = 1;
	return 0;
}

/* run_saved_state(r): the state as the previous cycle saved it, first-seen
 * table included (r->old when c->state is light). */
static inline struct state *
run_saved_state(const struct run *r)
{
	return r->old != NULL ? r->old : r->c->state;
}

/* run_view_tab(wb, title): the workbook's tab of that title, or NULL. */
static inline const struct workbook_tab *
run_view_tab(const struct workbook *wb, const char *title)
{
	size_t i;

	for (i = 0; i < wb->ntabs; i++)
		if (strcmp(wb->tabs[i].title, title) == 0)
			return &wb->tabs[i];
	return NULL;
}

#endif
