/*
 * rules: the pure rules engine of DOMAIN.md.
 *
 * rules_evaluate() reads every district tab of a workbook, finds the
 * configured columns by their normalised headings, classifies each household
 * (status marks, activity fields, the date window), counts the summary and
 * collects every discrepancy with its stable rule id, then sorts them:
 * errors first, then warnings; within each, tab findings in tab order
 * (sheet-level ones last), then row, then column (the order of cfg->fields),
 * then the order of DOMAIN.md's table of rules.
 *
 * It must stay pure: libc only, no I/O, no clock, no globals, no logging.
 * Work is linear in the cells: duplicate keys go through a hash table.
 *
 * Choices where DOMAIN.md leaves room (tests in tests/check_rules.c):
 * - Every row-level finding names a column: "the first offending one":
 *   status.missing the first status column, activity.missing the first
 *   activity column, activity.incomplete the first empty activity column,
 *   activity.not_developable the first filled one, key rules the key column.
 * - Tab-level findings have row 0 and no key; tab.header_missing's column is
 *   the configured heading (normalised); tab.missing has no column.
 * - Every configured heading that is not found is a tab.header_missing; only
 *   a missing required one stops the tab's rows from being read.  Such a tab
 *   counts zero households but its rows were not evaluated, so
 *   district.no_developable ("tab-level rules apply to evaluated tabs only")
 *   does not fire on it: its tab.header_missing findings say what to fix.
 *   A missing tab is not evaluated either.
 * - A row is content when a mapped column is not blank; a status cell
 *   holding an empty mark (0, FALSE: DOMAIN.md calls it "empty") is not
 *   content, so rows of unticked checkboxes below the households are
 *   skipped, not household.key_missing.
 * - A missing tab's summary row has zero counts, errors = 1 (its
 *   tab.missing), missing = 1.
 * - status.multiple counts an invalid mark as a mark (DOMAIN.md: "an
 *   invalid mark and a second mark gets both"): two or more status cells
 *   that are not empty.
 * - A duplicate household is counted and classified where it stands.
 * - Activity rules apply to developable households; activity.not_developable
 *   to households classified otherwise; an unclassified household's
 *   activity fields are not checked.
 * - A cell holding only white space is empty.
 * - Tab titles are compared exactly; a district configured twice is
 *   evaluated once.  heading_row 0 means the default, 2.
 * - Under an empty district list, a tab with none of the required headings
 *   (those given as column letters aside) is not a district
 *   (rules_tab_is_district): no summary row, one tab.not_district warning
 *   that names it in its tab field but sorts and counts as sheet-level (the
 *   total row only).  A configuration whose required fields are all column
 *   letters cannot tell: every tab is then a district.
 */
#include "rules/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cell.h"
#include "rules/date.h"
#include "rules/hash.h"

#define HEADING_MAX 2048	/* longest heading we compare */
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

static const char *const rule_ids[] = {
	"status.missing", "status.multiple", "status.invalid_mark",
	"activity.missing", "activity.incomplete", "activity.not_developable",
	"activity.date_invalid", "activity.date_out_of_window",
	"household.key_missing", "household.duplicate", "tab.missing",
	"tab.not_district", "tab.header_missing", "district.no_developable",
	"province.below_minimum",
};

size_t
rules_id_count(void)
{
	return sizeof(rule_ids) / sizeof(rule_ids[0]);
}

const char *
rules_id_at(size_t i)
{
	return i < rules_id_count() ? rule_ids[i] : NULL;
}

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

struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

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

static char *
dupstr(struct eval *ev, const char *s)
{
	char *p;
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	if ((p = malloc(n + 1)) == NULL) {
		ev->oom = 1;
		return NULL;
	}
	memcpy(p, s, n + 1);
	return p;
}

static char *
arena_dup(struct eval *ev, const char *s, size_t n)
{
	struct chunk *c = ev->arena;
	size_t size;
	char *p;

	if (c == NULL || c->size - c->used < n + 1) {
		size = n + 1 > 65536 ? n + 1 : 65536;
		if ((c = malloc(sizeof(*c) + size)) == NULL) {
			ev->oom = 1;
			return NULL;
		}
		c->next = ev->arena;
		c->used = 0;
		c->size = size;
		ev->arena = c;
	}
	p = c->data + c->used;
	memcpy(p, s, n);
	p[n] = '\0';
	c->used += n + 1;
	return p;
}

static enum rules_severity
by_deadline(const struct eval *ev, int32_t deadline)
{
	return ev->today <= deadline ? RULES_WARNING : RULES_ERROR;
}

/*
 * Record a finding.  tab NULL: sheet-level.  col: field index or -1; its
 * column text is the tab's heading (colname) unless column is given.
 */
static void
add(struct eval *ev, enum rule rule, enum rules_severity sev, uint32_t row,
    const char *key, int col, const char *column, const char *msg)
{
	struct item *it, *n;
	size_t cap;
	char *p;

	if (ev->oom)
		return;
	if (ev->nitems == ev->capitems) {
		cap = ev->capitems ? ev->capitems * 2 : 64;
		if ((n = realloc(ev->items, cap * sizeof(*n))) == NULL) {
			ev->oom = 1;
			return;
		}
		ev->items = n;
		ev->capitems = cap;
	}
	it = &ev->items[ev->nitems];
	memset(it, 0, sizeof(*it));
	it->f.rule = rule_ids[rule];
	it->f.severity = sev;
	it->f.row = row;
	it->tabix = ev->title != NULL ? ev->tabix : SIZE_MAX;
	it->col = col;
	it->rule = rule;
	it->seq = ev->nitems;
	if (column == NULL && col >= 0)
		column = ev->colname[col];
	it->f.tab = dupstr(ev, ev->title);
	it->f.key = dupstr(ev, key);
	it->f.column = dupstr(ev, column);
	it->f.message = dupstr(ev, msg);
	/* One line, whatever a tab title or configured name holds. */
	for (p = it->f.message; p != NULL && *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	/* Count it even if a copy failed: the item is released either way. */
	ev->nitems++;
	if (ev->sum != NULL && ev->title != NULL) {
		if (sev == RULES_ERROR)
			ev->sum->errors++;
		else
			ev->sum->warnings++;
	}
}

/* Length of s truncated to at most max bytes at a UTF-8 boundary. */
static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/* Append s (at most max bytes of it) to buf[*len], cut at UTF-8 bounds. */
static void
append(char *buf, size_t *len, size_t size, const char *s, size_t max)
{
	size_t n = strlen(s);

	n = utf8_cut(s, n, max);
	n = utf8_cut(s, n, size - 1 - *len);
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

/* A cell's text for a message: one line, at most ECHO_MAX bytes + "…". */
static void
echo(const struct workbook_cell *c, char *out, size_t size)
{
	char tmp[4 * ECHO_MAX];
	size_t in, n;
	int k;

	out[0] = '\0';
	if (c == NULL || c->text == NULL)
		return;
	in = utf8_cut(c->text, c->len, sizeof(tmp) - 1);
	if ((k = cell_heading_normalise(c->text, in, tmp, sizeof(tmp))) < 0)
		return;
	n = utf8_cut(tmp, (size_t)k, ECHO_MAX);
	if (n + sizeof("…") > size)
		return;
	memcpy(out, tmp, n);
	out[n] = '\0';
	if (n < (size_t)k || in < c->len)
		memcpy(out + n, "…", sizeof("…"));
}

static int
field_column_letter(const struct rules_field *f)
{
	return cell_column_letters(f->heading);
}

/*
 * merged_above(above, hr, heading, want, size): the column whose cell in the
 * row above the headings holds heading (normalised) while its heading-row
 * cell is empty, or -1.  want is scratch space.
 */
static int32_t
merged_above(const struct workbook_row *above, const struct workbook_row *hr, const char *heading,
    char *want, size_t size)
{
	const struct workbook_cell *c;
	uint32_t j;
	int k, pass;

	if (heading == NULL)
		return -1;
	/* As in the heading row: exact normalised match, then white space removed. */
	for (pass = 0; pass < 2; pass++) {
		k = (pass ? cell_heading_fold : cell_heading_normalise)(heading,
		    strlen(heading), want, size);
		if (k <= 0)
			return -1;
		for (j = 0; j < above->ncells; j++) {
			c = &above->cells[j];
			if (c->type == WORKBOOK_EMPTY || c->text == NULL)
				continue;
			if (hr != NULL && j < hr->ncells && !cell_is_blank(&hr->cells[j]))
				continue;
			if (cell_heading_equals(c->text, c->len, want, (size_t)k, pass))
				return (int32_t)j;
		}
	}
	return -1;
}

int
rules_map_columns(const struct workbook_tab *tab, const struct rules_config *cfg,
    int32_t cols[RULES_MAX_FIELDS])
{
	char want[HEADING_MAX];
	const struct workbook_row *hr = NULL;
	const struct workbook_cell *c;
	uint32_t hrow = cfg->heading_row ? cfg->heading_row : 2;
	size_t i, nf = cfg->nfields < RULES_MAX_FIELDS ? cfg->nfields :
	    RULES_MAX_FIELDS;
	uint32_t j;
	int pass, missing = 0, letter, k;

	if (tab != NULL && hrow <= tab->nrows)
		hr = &tab->rows[hrow - 1];
	for (i = 0; i < RULES_MAX_FIELDS; i++)
		cols[i] = -1;
	for (i = 0; i < nf; i++) {
		const struct rules_field *f = &cfg->fields[i];

		if ((letter = field_column_letter(f)) >= 0) {
			cols[i] = letter;
			continue;
		}
		/* Exact normalised match first, then with white space removed. */
		for (pass = 0; pass < 2 && cols[i] < 0 && hr != NULL; pass++) {
			k = (pass ? cell_heading_fold : cell_heading_normalise)(
			    f->heading, f->heading ? strlen(f->heading) : 0,
			    want, sizeof(want));
			if (k <= 0)
				break;
			for (j = 0; j < hr->ncells; j++) {
				c = &hr->cells[j];
				if (c->type == WORKBOOK_EMPTY || c->text == NULL)
					continue;
				if (cell_heading_equals(c->text, c->len, want,
				    (size_t)k, pass)) {
					cols[i] = (int32_t)j;
					break;
				}
			}
		}
		/*
		 * A heading merged down over the row above (ลำดับ, รหัสบ้าน
		 * often are) leaves the heading row's cell empty: Sheets returns
		 * the text in the merge's first cell only.  Take the row above's
		 * text, but only over an empty heading cell.
		 */
		if (cols[i] < 0 && tab != NULL && hrow >= 2 && hrow - 1 <= tab->nrows)
			cols[i] = merged_above(&tab->rows[hrow - 2], hr, f->heading, want,
			    sizeof(want));
		if (cols[i] < 0 && f->required)
			missing++;
	}
	return missing;
}

int
rules_is_snapshot_title(const char *title)
{
	size_t n = strlen(RULES_SNAPSHOT_PREFIX);
	int32_t d;

	return title != NULL && strncmp(title, RULES_SNAPSHOT_PREFIX, n) == 0 &&
	    date_parse(title + n, strlen(title + n), 0, &d) == 0;
}

int
rules_is_district(const struct rules_config *cfg, const char *title)
{
	size_t i;

	if (title == NULL)
		return 0;
	if (cfg->ndistricts == 0)
		return !(cfg->history_tab != NULL && cfg->history_tab[0] != '\0' &&
		    strcmp(title, cfg->history_tab) == 0) &&
		    !rules_is_snapshot_title(title) &&
		    !(cfg->summary_tab != NULL &&
		    strcmp(title, cfg->summary_tab) == 0) &&
		    !(cfg->discrepancy_tab != NULL &&
		    strcmp(title, cfg->discrepancy_tab) == 0);
	for (i = 0; i < cfg->ndistricts && i < RULES_MAX_DISTRICTS; i++)
		if (cfg->districts[i] != NULL &&
		    strcmp(title, cfg->districts[i]) == 0)
			return 1;
	return 0;
}

int
rules_tab_is_district(const struct rules_config *cfg, const struct workbook_tab *tab)
{
	int32_t cols[RULES_MAX_FIELDS];
	size_t i, nf = cfg->nfields < RULES_MAX_FIELDS ? cfg->nfields :
	    RULES_MAX_FIELDS;
	int by_heading = 0;

	if (tab == NULL || !rules_is_district(cfg, tab->title))
		return 0;
	if (cfg->ndistricts > 0)
		return 1;
	rules_map_columns(tab, cfg, cols);
	for (i = 0; i < nf; i++) {
		const struct rules_field *f = &cfg->fields[i];

		if (!f->required || field_column_letter(f) >= 0)
			continue;
		by_heading++;
		if (cols[i] >= 0)
			return 1;
	}
	return by_heading == 0;
}

/* The text naming column col of tab for field i: its heading, else letters. */
static char *
column_name(struct eval *ev, const struct workbook_tab *tab, const struct rules_field *f,
    int32_t col)
{
	uint32_t hrow = ev->cfg->heading_row ? ev->cfg->heading_row : 2;
	const struct workbook_cell *c = NULL;
	char *out;
	int n;

	if (col >= 0 && hrow <= tab->nrows &&
	    (uint32_t)col < tab->rows[hrow - 1].ncells)
		c = &tab->rows[hrow - 1].cells[col];
	if (c == NULL || cell_is_blank(c))
		return dupstr(ev, f->heading);
	if ((out = malloc((size_t)c->len + 1)) == NULL) {
		ev->oom = 1;
		return NULL;
	}
	n = cell_heading_normalise(c->text, c->len, out, (size_t)c->len + 1);
	if (n < 0)
		out[0] = '\0';
	return out;
}

/*
 * seen_reserve(ev, n): room for n keys (rules_evaluate passes the rows it
 * will read, an upper bound), the index at most half full.  Also the growth
 * path should a bound ever be short.  Returns 0, or -1 out of memory.
 */
static int
seen_reserve(struct eval *ev, size_t n)
{
	struct seen *ns;
	uint32_t *nslot;
	size_t cap = 1024, i, j;

	if (n <= ev->capseen)
		return 0;
	while (cap < 2 * n)
		cap *= 2;
	if (n > UINT32_MAX - 1 || (ns = realloc(ev->seen, n * sizeof(*ns))) == NULL) {
		ev->oom = 1;
		return -1;
	}
	ev->seen = ns;
	ev->capseen = n;
	if (cap <= ev->capslot)
		return 0;
	if ((nslot = calloc(cap, sizeof(*nslot))) == NULL) {
		ev->oom = 1;
		return -1;
	}
	for (i = 0; i < ev->nseen; i++) {
		for (j = ev->seen[i].hash & (cap - 1); nslot[j] != 0; j = (j + 1) & (cap - 1))
			;
		nslot[j] = (uint32_t)i + 1;
	}
	free(ev->slot);
	ev->slot = nslot;
	ev->capslot = cap;
	return 0;
}

/*
 * Remember key at row of the current tab.  Returns the earlier occurrence
 * when the key was seen before, NULL otherwise (or out of memory).
 */
static const struct seen *
seen_add(struct eval *ev, const char *key, size_t n, uint32_t row)
{
	/* The table masks the low bits, and hash_seeded's are mixed. */
	uint32_t h = (uint32_t)hash_seeded(ev->cfg->hash_seed, key, n);
	struct seen *s;
	size_t j, mask;

	if (ev->nseen == ev->capseen &&
	    seen_reserve(ev, ev->capseen ? ev->capseen * 2 : 1024) < 0)
		return NULL;
	mask = ev->capslot - 1;
	for (j = h & mask; ev->slot[j] != 0; j = (j + 1) & mask) {
		s = &ev->seen[ev->slot[j] - 1];
		if (s->hash == h && strcmp(s->key, key) == 0)
			return s;
	}
	s = &ev->seen[ev->nseen];
	if ((s->key = arena_dup(ev, key, n)) == NULL)
		return NULL;
	s->hash = h;
	s->row = row;
	s->tab = ev->title;
	ev->slot[j] = (uint32_t)++ev->nseen;
	return NULL;
}

static void
layout_of(const struct rules_config *cfg, struct layout *lo)
{
	size_t i, nf = cfg->nfields < RULES_MAX_FIELDS ? cfg->nfields :
	    RULES_MAX_FIELDS;

	memset(lo, 0, sizeof(*lo));
	lo->key = -1;
	lo->developable = -1;
	for (i = 0; i < nf; i++) {
		switch (cfg->fields[i].role) {
		case RULES_ROLE_KEY:
			if (lo->key < 0)
				lo->key = (int)i;
			break;
		case RULES_ROLE_STATUS:
			if (cfg->fields[i].developable && lo->developable < 0)
				lo->developable = (int)lo->nstatus;
			lo->status[lo->nstatus++] = (int)i;
			break;
		case RULES_ROLE_ACTIVITY:
			lo->activity[lo->nactivity++] = (int)i;
			break;
		case RULES_ROLE_INFO:
		default:
			break;
		}
	}
}

static const struct workbook_cell *
cell_at(const struct workbook_row *r, int32_t col)
{
	if (col < 0 || (uint32_t)col >= r->ncells)
		return NULL;
	return &r->cells[col];
}

/* Names of the fields idx[0..n) whose flag is set, joined by ", ". */
static void
join_names(struct eval *ev, const int *idx, const int *flag, size_t n,
    char *buf, size_t *len, size_t size)
{
	size_t i;
	int first = 1;

	for (i = 0; i < n; i++) {
		if (!flag[i])
			continue;
		if (!first)
			append(buf, len, size, ", ", 2);
		append(buf, len, size, ev->colname[idx[i]] ?
		    ev->colname[idx[i]] : "", NAME_MAX_BYTES);
		first = 0;
	}
}

/* The status and activity rules of one household. */
static void
household(struct eval *ev, const struct layout *lo, const struct workbook_row *r,
    const int32_t *cols, uint32_t rownum, const char *key)
{
	const struct rules_config *cfg = ev->cfg;
	int mark[RULES_MAX_FIELDS], filled[RULES_MAX_FIELDS];
	int nset = 0, ninvalid = 0, first_set = -1, first_invalid = -1;
	int first_written = -1;
	int first_filled = -1, first_empty = -1, nfilled = 0, k, is;
	int datefield = -1;
	const struct workbook_cell *dc = NULL;
	char msg[MSG_MAX], val[ECHO_MAX + 16], d1[32], d2[32], d3[32];
	size_t i, len = 0;
	int32_t day, end;

	for (i = 0; i < lo->nstatus; i++) {
		k = lo->status[i];
		mark[i] = cell_mark_read(cell_at(r, cols[k]), &ev->set,
		    &ev->empty);
		if (mark[i] == CELL_MARK_SET) {
			if (nset++ == 0)
				first_set = (int)i;
		} else if (mark[i] == CELL_MARK_INVALID) {
			if (ninvalid++ == 0)
				first_invalid = (int)i;
		}
		if (mark[i] != CELL_MARK_EMPTY && first_written < 0)
			first_written = (int)i;
	}
	if (ninvalid > 0) {
		k = lo->status[first_invalid];
		echo(cell_at(r, cols[k]), val, sizeof(val));
		snprintf(msg, sizeof(msg), "ค่าในช่องสถานะไม่ถูกต้อง: \"%s\" "
		    "(ใส่เลข 1 ในช่องที่เลือก หรือเว้นว่าง)", val);
		add(ev, R_STATUS_INVALID_MARK, RULES_ERROR, rownum, key, k, NULL,
		    msg);
	}
	/*
	 * "A household with an invalid mark and a second mark gets both": an
	 * invalid mark counts as a column marked for status.multiple.
	 */
	if (nset + ninvalid >= 2) {
		int isset[RULES_MAX_FIELDS];

		for (i = 0; i < lo->nstatus; i++)
			isset[i] = mark[i] != CELL_MARK_EMPTY;
		append(msg, &len, sizeof(msg), "จำแนกสถานะมากกว่า 1 ช่อง: ",
		    sizeof(msg));
		join_names(ev, lo->status, isset, lo->nstatus, msg, &len,
		    sizeof(msg));
		add(ev, R_STATUS_MULTIPLE, RULES_ERROR, rownum, key,
		    lo->status[first_written], NULL, msg);
	}
	if (nset == 0 && ninvalid == 0 && lo->nstatus > 0)
		add(ev, R_STATUS_MISSING,
		    by_deadline(ev, cfg->classification_deadline), rownum, key,
		    lo->status[0], NULL, "ยังไม่ได้จำแนกสถานะครัวเรือน "
		    "(ไม่มีช่องสถานะที่ใส่เลข 1)");
	is = nset == 1 && ninvalid == 0 ? first_set : -1;
	if (is < 0)
		ev->sum->unclassified++;
	else if (is < RULES_MAX_STATUSES)
		ev->sum->status[is]++;

	for (i = 0; i < lo->nactivity; i++) {
		k = lo->activity[i];
		filled[i] = !cell_is_blank(cell_at(r, cols[k]));
		if (filled[i]) {
			nfilled++;
			if (first_filled < 0)
				first_filled = k;
		} else if (first_empty < 0)
			first_empty = k;
		if (cfg->fields[k].is_date && datefield < 0) {
			datefield = k;
			dc = cell_at(r, cols[k]);
		}
	}
	if (is < 0 || lo->nactivity == 0)
		return;	/* unclassified: activity not checked */
	if (is != lo->developable) {
		if (nfilled > 0) {
			const struct rules_field *sf = &cfg->fields[lo->status[is]];

			snprintf(msg, sizeof(msg), "มีข้อมูลกิจกรรมพัฒนาในครัวเรือนที่"
			    "ไม่ใช่ครัวเรือนที่พัฒนาได้ (สถานะ: %s)",
			    sf->label ? sf->label : ev->colname[lo->status[is]]);
			add(ev, R_ACTIVITY_NOT_DEVELOPABLE, RULES_WARNING, rownum,
			    key, first_filled, NULL, msg);
		}
		return;
	}
	if (nfilled == 0) {
		add(ev, R_ACTIVITY_MISSING,
		    by_deadline(ev, cfg->activity_deadline), rownum, key,
		    lo->activity[0], NULL,
		    "ครัวเรือนที่พัฒนาได้ยังไม่มีข้อมูลกิจกรรมพัฒนา");
		return;
	}
	if ((size_t)nfilled < lo->nactivity) {
		int isempty[RULES_MAX_FIELDS];

		for (i = 0; i < lo->nactivity; i++)
			isempty[i] = !filled[i];
		len = 0;
		append(msg, &len, sizeof(msg),
		    "ข้อมูลกิจกรรมพัฒนาไม่ครบ: ยังไม่ได้กรอก ", sizeof(msg));
		join_names(ev, lo->activity, isempty, lo->nactivity, msg, &len,
		    sizeof(msg));
		add(ev, R_ACTIVITY_INCOMPLETE, RULES_ERROR, rownum, key,
		    first_empty, NULL, msg);
	}
	if (datefield >= 0 && !cell_is_blank(dc)) {
		if (date_parse(dc->text, dc->len, dc->type == WORKBOOK_NUMBER,
		    &day) < 0) {
			echo(dc, val, sizeof(val));
			snprintf(msg, sizeof(msg), "วันที่ไม่ถูกต้อง: \"%s\" "
			    "(เช่น 15/02/2567)", val);
			add(ev, R_ACTIVITY_DATE_INVALID, RULES_ERROR, rownum, key,
			    datefield, NULL, msg);
			return;
		}
		end = ev->today < cfg->activity_deadline ? ev->today :
		    cfg->activity_deadline;
		if (day < cfg->fiscal_year_start || day > end) {
			date_format_be(day, d1, sizeof(d1));
			date_format_be(cfg->fiscal_year_start, d2, sizeof(d2));
			date_format_be(end, d3, sizeof(d3));
			snprintf(msg, sizeof(msg), "วันที่ %s อยู่นอกช่วง %s ถึง %s "
			    "(%s)", d1, d2, d3,
			    day < cfg->fiscal_year_start ? "ก่อนเริ่มปีงบประมาณ" :
			    day > cfg->activity_deadline ? "หลังกำหนดส่งกิจกรรม" :
			    "หลังวันนี้");
			add(ev, R_ACTIVITY_DATE_OUT_OF_WINDOW, RULES_ERROR, rownum,
			    key, datefield, NULL, msg);
			return;
		}
		if ((size_t)nfilled == lo->nactivity)
			ev->sum->developed++;
	} else if (datefield < 0 && (size_t)nfilled == lo->nactivity)
		ev->sum->developed++;	/* a configuration without a date */
}

/* Read the household rows of a tab whose required columns all exist. */
static void
read_rows(struct eval *ev, const struct layout *lo, const struct workbook_tab *tab,
    const int32_t *cols)
{
	const struct rules_config *cfg = ev->cfg;
	uint32_t hrow = cfg->heading_row ? cfg->heading_row : 2, r;
	size_t i, nf = cfg->nfields < RULES_MAX_FIELDS ? cfg->nfields :
	    RULES_MAX_FIELDS, need;
	const struct seen *prev;
	const struct workbook_cell *kc;
	char msg[MSG_MAX], *nb;
	int content, n;

	for (r = hrow; r < tab->nrows && !ev->oom; r++) {
		const struct workbook_row *row = &tab->rows[r];

		content = 0;
		for (i = 0; i < nf && !content; i++) {
			if (cols[i] < 0)
				continue;
			if (cfg->fields[i].role == RULES_ROLE_STATUS)
				content = cell_mark_read(cell_at(row, cols[i]),
				    &ev->set, &ev->empty) != CELL_MARK_EMPTY;
			else
				content = !cell_is_blank(cell_at(row, cols[i]));
		}
		if (!content)
			continue;
		kc = lo->key >= 0 ? cell_at(row, cols[lo->key]) : NULL;
		n = 0;
		if (kc != NULL && !cell_is_blank(kc)) {
			need = (size_t)kc->len + KEYBUF_MIN;
			if (need > ev->keybufsize) {
				if ((nb = realloc(ev->keybuf, need)) == NULL) {
					ev->oom = 1;
					return;
				}
				ev->keybuf = nb;
				ev->keybufsize = need;
			}
			n = rules_key_normalise(kc->text, kc->len,
			    kc->type == WORKBOOK_NUMBER, ev->keybuf,
			    ev->keybufsize);
		}
		if (n <= 0) {
			add(ev, R_HOUSEHOLD_KEY_MISSING, RULES_ERROR, r + 1, NULL,
			    lo->key, NULL, "แถวมีข้อมูลแต่ไม่มีรหัสบ้าน "
			    "จึงไม่นับเป็นครัวเรือน");
			continue;
		}
		ev->sum->households++;
		prev = seen_add(ev, ev->keybuf, (size_t)n, r + 1);
		if (prev != NULL) {
			snprintf(msg, sizeof(msg), "รหัสบ้าน %s ซ้ำกับแถวที่ %u "
			    "ของแท็บ %s", ev->keybuf, prev->row, prev->tab);
			add(ev, R_HOUSEHOLD_DUPLICATE, RULES_ERROR, r + 1,
			    ev->keybuf, lo->key, NULL, msg);
		}
		household(ev, lo, row, cols, r + 1, ev->keybuf);
	}
}

/* Evaluate one district tab (tab NULL: configured but absent). */
static void
district(struct eval *ev, const struct layout *lo, const struct workbook_tab *tab)
{
	const struct rules_config *cfg = ev->cfg;
	int32_t cols[RULES_MAX_FIELDS];
	char msg[MSG_MAX], want[HEADING_MAX], tail[256];
	size_t i, len, nf = cfg->nfields < RULES_MAX_FIELDS ? cfg->nfields :
	    RULES_MAX_FIELDS;
	uint32_t hrow = cfg->heading_row ? cfg->heading_row : 2;
	int missing, dev;

	if (tab == NULL) {
		ev->sum->missing = 1;
		snprintf(msg, sizeof(msg), "ไม่พบแท็บของอำเภอ %s", ev->title);
		add(ev, R_TAB_MISSING, RULES_ERROR, 0, NULL, -1, NULL, msg);
		return;
	}
	missing = rules_map_columns(tab, cfg, cols);
	for (i = 0; i < nf; i++)
		ev->colname[i] = cols[i] >= 0 ?
		    column_name(ev, tab, &cfg->fields[i], cols[i]) : NULL;
	for (i = 0; i < nf; i++) {
		const struct rules_field *f = &cfg->fields[i];

		if (cols[i] >= 0)
			continue;
		if (cell_heading_normalise(f->heading, f->heading ?
		    strlen(f->heading) : 0, want, sizeof(want)) < 0)
			want[0] = '\0';
		len = 0;
		append(msg, &len, sizeof(msg), "ไม่พบหัวคอลัมน์ \"", sizeof(msg));
		append(msg, &len, sizeof(msg), want, NAME_MAX_BYTES);
		snprintf(tail, sizeof(tail), "\" ในแถวที่ %u%s", hrow,
		    f->required ? " จึงไม่ได้ตรวจข้อมูลครัวเรือนในแท็บนี้" : "");
		append(msg, &len, sizeof(msg), tail, sizeof(msg));
		add(ev, R_TAB_HEADER_MISSING, RULES_ERROR, 0, NULL, (int)i, want,
		    msg);
	}
	if (missing == 0)
		read_rows(ev, lo, tab, cols);
	if (missing == 0 && lo->developable >= 0) {
		dev = lo->developable < RULES_MAX_STATUSES ?
		    (int)ev->sum->status[lo->developable] : 0;
		if (dev < cfg->district_minimum) {
			snprintf(msg, sizeof(msg), "อำเภอ %s มีครัวเรือนที่พัฒนาได้ "
			    "%d ครัวเรือน ต้องมีอย่างน้อย %ld ครัวเรือน",
			    ev->title, dev, cfg->district_minimum);
			add(ev, R_DISTRICT_NO_DEVELOPABLE,
			    by_deadline(ev, cfg->classification_deadline), 0, NULL,
			    -1, NULL, msg);
		}
	}
	for (i = 0; i < nf; i++) {
		free(ev->colname[i]);
		ev->colname[i] = NULL;
	}
}

static int
item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->f.severity != y->f.severity)
		return x->f.severity < y->f.severity ? -1 : 1;
	if (x->tabix != y->tabix)
		return x->tabix < y->tabix ? -1 : 1;
	if (x->f.row != y->f.row)
		return x->f.row < y->f.row ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Round half up of developed * 100 / developable, two decimals. */
static double
percent(long developed, long developable)
{
	long long num, den;

	if (developable <= 0)
		return 0;
	num = (long long)developed * 10000 * 2 + developable;
	den = (long long)developable * 2;
	return (double)(num / den) / 100.0;
}

/* "40,000" from 40000: the income floor in a message. */
static void
thousands(double v, char *out, size_t size)
{
	char digits[64];
	size_t n, i, o = 0;
	long long x = v < 0 ? 0 : v > 1e15 ? (long long)1e15 : (long long)v;

	snprintf(digits, sizeof(digits), "%lld", x);
	n = strlen(digits);
	for (i = 0; i < n && o + 2 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

static void
eval_fini(struct eval *ev)
{
	struct chunk *c, *next;
	size_t i;

	for (c = ev->arena; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(ev->seen);
	free(ev->slot);
	free(ev->keybuf);
	for (i = 0; i < RULES_MAX_FIELDS; i++)
		free(ev->colname[i]);
	if (ev->items != NULL) {
		for (i = 0; i < ev->nitems; i++) {
			free(ev->items[i].f.tab);
			free(ev->items[i].f.key);
			free(ev->items[i].f.column);
			free(ev->items[i].f.message);
		}
		free(ev->items);
	}
}

int
rules_evaluate(const struct workbook *wb, const struct rules_config *cfg,
    int32_t today, struct rules_report *out)
{
	struct eval ev;
	struct layout lo;
	const struct workbook_tab **tabs = NULL, **others = NULL;
	const char **titles = NULL;
	size_t nothers = 0;
	struct rules_summary *tot;
	size_t nd = 0, i, j, cap, len;
	long developable;
	char msg[MSG_MAX], floorbuf[64];
	enum rules_severity sev;

	memset(out, 0, sizeof(*out));
	memset(&ev, 0, sizeof(ev));
	ev.cfg = cfg;
	ev.today = today;
	cell_markset_init(&ev.set, cfg->marks_set, cfg->nmarks_set);
	cell_markset_init(&ev.empty, cfg->marks_empty, cfg->nmarks_empty);
	layout_of(cfg, &lo);
	out->today = today;
	for (i = 0; i < lo.nstatus && i < RULES_MAX_STATUSES; i++)
		out->status_names[i] = cfg->fields[lo.status[i]].name;
	out->nstatus = i;

	/* The districts, in evaluation order. */
	cap = cfg->ndistricts ? cfg->ndistricts : wb->ntabs;
	if (cap > RULES_MAX_DISTRICTS && cfg->ndistricts)
		cap = RULES_MAX_DISTRICTS;
	tabs = calloc(cap + 1, sizeof(*tabs));
	titles = calloc(cap + 1, sizeof(*titles));
	others = calloc(wb->ntabs + 1, sizeof(*others));
	if (tabs == NULL || titles == NULL || others == NULL)
		goto oom;
	if (cfg->ndistricts == 0) {
		for (i = 0; i < wb->ntabs; i++)
			if (rules_tab_is_district(cfg, &wb->tabs[i])) {
				tabs[nd] = &wb->tabs[i];
				titles[nd++] = wb->tabs[i].title;
			} else if (rules_is_district(cfg, wb->tabs[i].title))
				others[nothers++] = &wb->tabs[i];
	} else {
		for (i = 0; i < cap; i++) {
			const char *name = cfg->districts[i];

			if (name == NULL)
				continue;
			for (j = 0; j < nd && strcmp(titles[j], name) != 0; j++)
				;
			if (j < nd)
				continue;	/* configured twice */
			titles[nd] = name;
			for (j = 0; j < wb->ntabs; j++)
				if (wb->tabs[j].title != NULL &&
				    strcmp(wb->tabs[j].title, name) == 0) {
					tabs[nd] = &wb->tabs[j];
					break;
				}
			nd++;
		}
	}
	if ((out->summary = calloc(nd + 1, sizeof(*out->summary))) == NULL)
		goto oom;
	out->nsummary = nd + 1;
	/* Every household is a row of some district tab: size the keys once. */
	for (i = 0, j = 0; i < nd; i++)
		j += tabs[i] != NULL ? tabs[i]->nrows : 0;
	if (j > 0 && seen_reserve(&ev, j) < 0)
		goto oom;
	for (i = 0; i < nd && !ev.oom; i++) {
		ev.tabix = i;
		ev.title = titles[i];
		ev.sum = &out->summary[i];
		ev.sum->district = dupstr(&ev, titles[i]);
		district(&ev, &lo, tabs[i]);
	}
	tot = &out->summary[nd];
	tot->district = dupstr(&ev, cfg->total_label ? cfg->total_label :
	    "รวมทั้งจังหวัด");
	for (i = 0; i < nd; i++) {
		struct rules_summary *s = &out->summary[i];

		s->percent = lo.developable >= 0 &&
		    lo.developable < RULES_MAX_STATUSES ?
		    percent(s->developed, s->status[lo.developable]) : 0;
		tot->households += s->households;
		for (j = 0; j < RULES_MAX_STATUSES; j++)
			tot->status[j] += s->status[j];
		tot->unclassified += s->unclassified;
		tot->developed += s->developed;
		tot->errors += s->errors;
		tot->warnings += s->warnings;
	}
	developable = lo.developable >= 0 && lo.developable < RULES_MAX_STATUSES ?
	    tot->status[lo.developable] : 0;
	tot->percent = percent(tot->developed, developable);
	ev.title = NULL;
	ev.sum = NULL;
	/* Tabs that are not districts: named once, counted in the total. */
	for (i = 0; i < nothers && !ev.oom; i++) {
		len = 0;
		append(msg, &len, sizeof(msg), "แท็บ \"", sizeof(msg));
		append(msg, &len, sizeof(msg), others[i]->title, NAME_MAX_BYTES);
		append(msg, &len, sizeof(msg), "\" ไม่มีหัวคอลัมน์ที่ต้องมี (เช่น ",
		    sizeof(msg));
		for (j = 0; j < cfg->nfields && j < RULES_MAX_FIELDS; j++)
			if (cfg->fields[j].required && cfg->fields[j].heading != NULL &&
			    field_column_letter(&cfg->fields[j]) < 0)
				break;
		append(msg, &len, sizeof(msg), j < cfg->nfields && j < RULES_MAX_FIELDS ?
		    cfg->fields[j].heading : "?", NAME_MAX_BYTES);
		append(msg, &len, sizeof(msg), ") จึงไม่นับเป็นอำเภอและไม่มีแถวในสรุป",
		    sizeof(msg));
		ev.title = others[i]->title;
		ev.tabix = SIZE_MAX;	/* sorted with the sheet-level findings */
		add(&ev, R_TAB_NOT_DISTRICT, RULES_WARNING, 0, NULL, -1, NULL, msg);
		tot->warnings++;
	}
	ev.title = NULL;
	if (lo.developable >= 0 && developable < cfg->province_minimum) {
		thousands(cfg->income_floor, floorbuf, sizeof(floorbuf));
		snprintf(msg, sizeof(msg), "ทั้งจังหวัดมีครัวเรือนที่พัฒนาได้ %ld "
		    "ครัวเรือน น้อยกว่า %ld ครัวเรือน: ต้องเพิ่มครัวเรือนที่มีรายได้ "
		    "%s บาท/คน/ปีขึ้นไป และ/หรือมีปัญหาในมิติอื่น", developable,
		    cfg->province_minimum, floorbuf);
		sev = by_deadline(&ev, cfg->classification_deadline);
		add(&ev, R_PROVINCE_BELOW_MINIMUM, sev, 0, NULL, -1, NULL, msg);
		if (sev == RULES_ERROR)
			tot->errors++;
		else
			tot->warnings++;
	}
	if (ev.oom)
		goto oom;

	if (ev.nitems > 0) {
		qsort(ev.items, ev.nitems, sizeof(*ev.items), item_cmp);
		out->findings = malloc(ev.nitems * sizeof(*out->findings));
		if (out->findings == NULL)
			goto oom;
		for (i = 0; i < ev.nitems; i++)
			out->findings[i] = ev.items[i].f;
		out->nfindings = ev.nitems;
		ev.nitems = 0;	/* the strings now belong to the report */
	}
	eval_fini(&ev);
	free(tabs);
	free(titles);
	free(others);
	return 0;
oom:
	eval_fini(&ev);
	free(tabs);
	free(titles);
	free(others);
	rules_report_fini(out);
	return -1;
}

void
rules_report_fini(struct rules_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nsummary; i++)
		free(r->summary[i].district);
	free(r->summary);
	for (i = 0; i < r->nfindings; i++) {
		free(r->findings[i].tab);
		free(r->findings[i].key);
		free(r->findings[i].column);
		free(r->findings[i].message);
	}
	free(r->findings);
	memset(r, 0, sizeof(*r));
}

void
rules_config_default(struct rules_config *cfg)
{
	static const struct rules_field fields[] = {
		{ "key", "รหัสบ้าน", NULL, RULES_ROLE_KEY, 1, 0, 0 },
		{ "name", "ชื่อ - สกุล หัวหน้าครัวเรือน", NULL, RULES_ROLE_INFO,
		    0, 0, 0 },
		{ "house_no", "บ้านเลขที่", NULL, RULES_ROLE_INFO, 0, 0, 0 },
		{ "moo", "หมู่ที่", NULL, RULES_ROLE_INFO, 0, 0, 0 },
		{ "tambon", "ตำบล", NULL, RULES_ROLE_INFO, 0, 0, 0 },
		{ "income", "รายได้เฉลี่ย (บาท/คน/ปี)", NULL, RULES_ROLE_INFO,
		    0, 0, 0 },
		{ "status.developable", "คร. ที่พัฒนาได้", "พัฒนาได้",
		    RULES_ROLE_STATUS, 1, 0, 1 },
		{ "status.welfare", "คร. ที่ขอรับการสงเคราะห์",
		    "ขอรับการสงเคราะห์", RULES_ROLE_STATUS, 1, 0, 0 },
		{ "status.self_reliant",
		    "คร. ที่พึ่งตนเองได้ (ไม่ขอรับความช่วยเหลือ)", "พึ่งตนเองได้",
		    RULES_ROLE_STATUS, 1, 0, 0 },
		{ "status.other", "คร. อื่น ๆ (เช่น เสียชีวิต/ย้าย)", "อื่น ๆ",
		    RULES_ROLE_STATUS, 1, 0, 0 },
		{ "activity.name", "ชื่อกิจกรรมพัฒนา", NULL, RULES_ROLE_ACTIVITY,
		    1, 0, 0 },
		{ "activity.method",
		    "วิธีการ/ขั้นตอนการดำเนินการกิจกรรมการพัฒนา", NULL,
		    RULES_ROLE_ACTIVITY, 1, 0, 0 },
		{ "activity.date", "วันที่ดำเนินการ", NULL, RULES_ROLE_ACTIVITY,
		    1, 1, 0 },
		{ "activity.place", "สถานที่ดำเนินการ", NULL,
		    RULES_ROLE_ACTIVITY, 1, 0, 0 },
		{ "activity.agency", "หน่วยดำเนินการ (หลัก/ร่วม)", NULL,
		    RULES_ROLE_ACTIVITY, 1, 0, 0 },
		{ "activity.result", "ผลที่ได้รับ/ความสำเร็จของการดำเนินงาน",
		    NULL, RULES_ROLE_ACTIVITY, 1, 0, 0 },
	};
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		cfg->fields[i] = fields[i];
	cfg->nfields = i;
	cfg->marks_set[0] = "1";
	cfg->marks_set[1] = "TRUE";
	cfg->nmarks_set = 2;
	cfg->marks_empty[0] = "0";
	cfg->marks_empty[1] = "FALSE";
	cfg->nmarks_empty = 2;
	cfg->fiscal_year_start = date_days_from_civil(2023, 10, 1);
	cfg->classification_deadline = date_days_from_civil(2024, 1, 31);
	cfg->activity_deadline = date_days_from_civil(2024, 3, 20);
	cfg->district_minimum = 1;
	cfg->province_minimum = 10;
	cfg->income_floor = 40000;
	cfg->heading_row = 2;
	cfg->summary_tab = "สรุปข้อมูล";
	cfg->discrepancy_tab = "ตรวจสอบข้อมูล";
	cfg->total_label = "รวมทั้งจังหวัด";
}

int32_t
rules_days_from_civil(int y, int m, int d)
{
	return date_days_from_civil(y, m, d);
}

void
rules_civil_from_days(int32_t days, int *y, int *m, int *d)
{
	date_civil_from_days(days, y, m, d);
}

int
rules_date_parse(const char *text, size_t len, int is_number, int32_t *days)
{
	return date_parse(text, len, is_number, days);
}

int
rules_parse_ymd(const char *s, int32_t *days)
{
	return date_parse_ymd(s, days);
}

int
rules_key_normalise(const char *text, size_t len, int is_number, char *out,
    size_t outsize)
{
	return cell_key_normalise(text, len, is_number, out, outsize);
}

int
rules_heading_normalise(const char *text, size_t len, char *out,
    size_t outsize)
{
	return cell_heading_normalise(text, len, out, outsize);
}
