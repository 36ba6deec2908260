/*
 * eval: the bookkeeping of one rules_evaluate call, which both halves of
 * the engine share (rules.c: the tabs and the sheet; household.c: the
 * rows): the findings as they are found, then sorted into the report; the
 * table of household keys seen; the ways a message quotes a cell or names
 * columns.  Internal to rules/ (the shell sees rules.h only), and pure:
 * everything here dies with the call.
 */
#ifndef RULES_EVAL_H
#define RULES_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "rules/cell.h"
#include "rules/rules.h"

#define ECHO_MAX 60		/* bytes of a cell value quoted in a message */
#define NAME_MAX_BYTES 200	/* bytes of one heading named in a message */
#define MSG_MAX 2048		/* bytes of a message */
#define KEYBUF_MIN 128		/* key buffer beyond the cell's own length */

/* Rule ids, in the order of DOMAIN.md's table (it breaks sorting ties). */
enum rule {
	R_STATUS_MISSING,
	R_STATUS_MULTIPLE,
	R_STATUS_INVALID_MARK,
	R_ACTIVITY_MISSING,
	R_ACTIVITY_INCOMPLETE,
	R_ACTIVITY_NOT_DEVELOPABLE,
	R_ACTIVITY_DATE_INVALID,
	R_ACTIVITY_DATE_OUT_OF_WINDOW,
	R_HOUSEHOLD_KEY_MISSING,
	R_HOUSEHOLD_DUPLICATE,
	R_TAB_MISSING,
	R_TAB_NOT_DISTRICT,
	R_TAB_HEADER_MISSING,
	R_DISTRICT_NO_DEVELOPABLE,
	R_PROVINCE_BELOW_MINIMUM,
};

/* A finding with what it sorts by. */
struct item {
	struct rules_finding f;
	size_t tabix;		/* evaluation order; SIZE_MAX: sheet-level */
	int col;		/* field index, -1 for none */
	enum rule rule;
	size_t seq;		/* insertion order */
};

/* One key seen: where it was first. */
struct seen {
	char *key;		/* in the arena */
	uint32_t hash;
	uint32_t row;
	const char *tab;	/* borrowed from the workbook */
};

struct chunk;

/* Per-evaluation state; everything here dies with the call. */
struct eval {
	const struct rules_config *cfg;
	int32_t today;
	struct cell_markset set, empty;
	struct item *items;
	size_t nitems, capitems;
	/*
	 * Keys seen, densely in first-seen order, and an open-addressing
	 * index of them: slot[j] is 1 + an index into seen, 0 when free.
	 * Sized once from the rows to read (rules_evaluate), so a 100,000-
	 * household workbook costs 3.4 MB here with no doubling on the way.
	 */
	struct seen *seen;
	size_t nseen, capseen;
	uint32_t *slot;
	size_t capslot;		/* a power of two, at least 2 * capseen */
	struct chunk *arena;
	char *keybuf;
	size_t keybufsize;
	int oom;
	/* The tab being read. */
	size_t tabix;
	const char *title;
	char *colname[RULES_MAX_FIELDS];	/* normalised heading per field */
	struct rules_summary *sum;
};

/* Fields by role, found once per evaluation. */
struct layout {
	int key;				/* field index, -1 */
	int status[RULES_MAX_FIELDS];
	size_t nstatus;
	int developable;			/* index into status[], -1 */
	int activity[RULES_MAX_FIELDS];
	size_t nactivity;
};

/* eval_init(ev, cfg, today): an evaluation of cfg (borrowed) as of today. */
void eval_init(struct eval *ev, const struct rules_config *cfg, int32_t today);

/* eval_fini(ev): free what ev holds, the findings not handed over too. */
void eval_fini(struct eval *ev);

/* eval_dupstr(ev, s): a malloc'd copy of s (NULL stays NULL); NULL and
 * ev->oom set when memory ran out. */
char *eval_dupstr(struct eval *ev, const char *s);

/* eval_severity(ev, deadline): a warning until deadline, an error after. */
enum rules_severity eval_severity(const struct eval *ev, int32_t deadline);

/*
 * eval_add(ev, rule, sev, row, key, col, column, msg): record a finding in
 * the tab being read (ev->title NULL: sheet-level) and count it in its
 * summary row.  col: field index or -1; column: its text, NULL for the
 * tab's heading (ev->colname[col]).  Strings are copied.
 */
void eval_add(struct eval *ev, enum rule rule, enum rules_severity sev, uint32_t row,
    const char *key, int col, const char *column, const char *msg);

/* eval_append(buf, len, size, s, max): append at most max bytes of s to
 * buf[*len] (size bytes in all), cut at UTF-8 bounds. */
void eval_append(char *buf, size_t *len, size_t size, const char *s, size_t max);

/* eval_echo(c, out, size): c's text for a message: one line, at most
 * ECHO_MAX bytes and "…" when cut; "" for an empty cell. */
void eval_echo(const struct workbook_cell *c, char *out, size_t size);

/* eval_join_names(ev, idx, flag, n, buf, len, size): append the names of
 * the fields idx[0..n) whose flag is set, joined by ", ". */
void eval_join_names(struct eval *ev, const int *idx, const int *flag, size_t n,
    char *buf, size_t *len, size_t size);

/*
 * eval_reserve_keys(ev, n): room for n household keys.  0, or -1 when
 * memory ran out.  eval_key_seen(ev, key, n, row): remember key (n bytes)
 * at row of the tab being read; the earlier occurrence when it was seen
 * before, else NULL (also when memory ran out: ev->oom).
 */
int eval_reserve_keys(struct eval *ev, size_t n);
const struct seen *eval_key_seen(struct eval *ev, const char *key, size_t n,
    uint32_t row);

/*
 * eval_report(ev, out): sort the findings (errors first, then tab order,
 * row, column, DOMAIN.md's order of rules) and hand them to out.  0, or -1
 * when memory ran out.
 */
int eval_report(struct eval *ev, struct rules_report *out);

#endif
