/*
 * household: the row-level rules of DOMAIN.md, household by household:
 * household.key_missing and household.duplicate for each row with content,
 * then its status (status.invalid_mark, status.multiple, status.missing)
 * and, once it is classified, its activity (activity.not_developable,
 * activity.missing, activity.incomplete, activity.date_invalid,
 * activity.date_out_of_window), and its counts in the district's summary
 * row.  rules.c's header says how the engine reads DOMAIN.md where it
 * leaves room.  Pure: libc only.
 */
#include "rules/household.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cell.h"
#include "rules/date.h"

static const struct workbook_cell *
cell_at(const struct workbook_row *r, int32_t col)
{
	if (col < 0 || (uint32_t)col >= r->ncells)
		return NULL;
	return &r->cells[col];
}

/*
 * status_rules(ev, lo, r, cols, rownum, key): status.invalid_mark,
 * status.multiple and status.missing of the household in row r, and its
 * count in the summary.  Returns the index into lo->status of its one
 * status, or -1 when it is unclassified (none, several, or an invalid mark).
 */
static int
status_rules(struct eval *ev, const struct layout *lo, const struct workbook_row *r,
    const int32_t *cols, uint32_t rownum, const char *key)
{
	int mark[RULES_MAX_FIELDS];
	int nset = 0, ninvalid = 0, first_set = -1, first_invalid = -1;
	int first_written = -1, k, is;
	char msg[MSG_MAX], val[ECHO_MAX + 16];
	size_t i, len = 0;

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
		eval_echo(cell_at(r, cols[k]), val, sizeof(val));
		snprintf(msg, sizeof(msg), "ค่าในช่องสถานะไม่ถูกต้อง: \"%s\" "
		    "(ใส่เลข 1 ในช่องที่เลือก หรือเว้นว่าง)", val);
		eval_add(ev, R_STATUS_INVALID_MARK, RULES_ERROR, rownum, key, k, NULL,
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
		eval_append(msg, &len, sizeof(msg), "จำแนกสถานะมากกว่า 1 ช่อง: ",
		    sizeof(msg));
		eval_join_names(ev, lo->status, isset, lo->nstatus, msg, &len,
		    sizeof(msg));
		eval_add(ev, R_STATUS_MULTIPLE, RULES_ERROR, rownum, key,
		    lo->status[first_written], NULL, msg);
	}
	if (nset == 0 && ninvalid == 0 && lo->nstatus > 0)
		eval_add(ev, R_STATUS_MISSING,
		    eval_severity(ev, ev->cfg->classification_deadline), rownum, key,
		    lo->status[0], NULL, "ยังไม่ได้จำแนกสถานะครัวเรือน "
		    "(ไม่มีช่องสถานะที่ใส่เลข 1)");
	is = nset == 1 && ninvalid == 0 ? first_set : -1;
	if (is < 0)
		ev->sum->unclassified++;
	else if (is < RULES_MAX_STATUSES)
		ev->sum->status[is]++;
	return is;
}

/*
 * date_rules(ev, rownum, key, datefield, dc, complete): activity.date_invalid
 * and activity.date_out_of_window of a developable household with activity
 * filled in, whose date (field datefield, -1 in a configuration without
 * one) is in cell dc; it is developed when complete (every activity field
 * filled) and its date, if any, is good.
 */
static void
date_rules(struct eval *ev, uint32_t rownum, const char *key, int datefield,
    const struct workbook_cell *dc, int complete)
{
	const struct rules_config *cfg = ev->cfg;
	char msg[MSG_MAX], val[ECHO_MAX + 16], d1[32], d2[32], d3[32];
	int32_t day, end;

	if (datefield < 0) {
		if (complete)
			ev->sum->developed++;	/* a configuration without a date */
		return;
	}
	if (cell_is_blank(dc))
		return;
	if (date_parse(dc->text, dc->len, dc->type == WORKBOOK_NUMBER, &day) < 0) {
		eval_echo(dc, val, sizeof(val));
		snprintf(msg, sizeof(msg), "วันที่ไม่ถูกต้อง: \"%s\" "
		    "(เช่น 15/02/2567)", val);
		eval_add(ev, R_ACTIVITY_DATE_INVALID, RULES_ERROR, rownum, key,
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
		eval_add(ev, R_ACTIVITY_DATE_OUT_OF_WINDOW, RULES_ERROR, rownum,
		    key, datefield, NULL, msg);
		return;
	}
	if (complete)
		ev->sum->developed++;
}

/*
 * activity_rules(ev, lo, r, cols, rownum, key, is): the activity rules of a
 * household classified as lo->status[is]: activity.not_developable on one
 * that is not developable; activity.missing, activity.incomplete and the
 * date's rules on one that is.
 */
static void
activity_rules(struct eval *ev, const struct layout *lo, const struct workbook_row *r,
    const int32_t *cols, uint32_t rownum, const char *key, int is)
{
	const struct rules_config *cfg = ev->cfg;
	int filled[RULES_MAX_FIELDS];
	int first_filled = -1, first_empty = -1, nfilled = 0, k, datefield = -1;
	const struct workbook_cell *dc = NULL;
	char msg[MSG_MAX];
	size_t i, len = 0;

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
	if (is != lo->developable) {
		if (nfilled > 0) {
			const struct rules_field *sf = &cfg->fields[lo->status[is]];

			snprintf(msg, sizeof(msg), "มีข้อมูลกิจกรรมพัฒนาในครัวเรือนที่"
			    "ไม่ใช่ครัวเรือนที่พัฒนาได้ (สถานะ: %s)",
			    sf->label ? sf->label : ev->colname[lo->status[is]]);
			eval_add(ev, R_ACTIVITY_NOT_DEVELOPABLE, RULES_WARNING, rownum,
			    key, first_filled, NULL, msg);
		}
		return;
	}
	if (nfilled == 0) {
		eval_add(ev, R_ACTIVITY_MISSING,
		    eval_severity(ev, cfg->activity_deadline), rownum, key,
		    lo->activity[0], NULL,
		    "ครัวเรือนที่พัฒนาได้ยังไม่มีข้อมูลกิจกรรมพัฒนา");
		return;
	}
	if ((size_t)nfilled < lo->nactivity) {
		int isempty[RULES_MAX_FIELDS];

		for (i = 0; i < lo->nactivity; i++)
			isempty[i] = !filled[i];
		eval_append(msg, &len, sizeof(msg),
		    "ข้อมูลกิจกรรมพัฒนาไม่ครบ: ยังไม่ได้กรอก ", sizeof(msg));
		eval_join_names(ev, lo->activity, isempty, lo->nactivity, msg, &len,
		    sizeof(msg));
		eval_add(ev, R_ACTIVITY_INCOMPLETE, RULES_ERROR, rownum, key,
		    first_empty, NULL, msg);
	}
	date_rules(ev, rownum, key, datefield, dc, (size_t)nfilled == lo->nactivity);
}

/* The status and activity rules of one household. */
static void
household(struct eval *ev, const struct layout *lo, const struct workbook_row *r,
    const int32_t *cols, uint32_t rownum, const char *key)
{
	int is = status_rules(ev, lo, r, cols, rownum, key);

	if (is < 0 || lo->nactivity == 0)
		return;	/* unclassified: activity not checked */
	activity_rules(ev, lo, r, cols, rownum, key, is);
}

void
household_rows(struct eval *ev, const struct layout *lo, const struct workbook_tab *tab,
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
			eval_add(ev, R_HOUSEHOLD_KEY_MISSING, RULES_ERROR, r + 1, NULL,
			    lo->key, NULL, "แถวมีข้อมูลแต่ไม่มีรหัสบ้าน "
			    "จึงไม่นับเป็นครัวเรือน");
			continue;
		}
		ev->sum->households++;
		prev = eval_key_seen(ev, ev->keybuf, (size_t)n, r + 1);
		if (prev != NULL) {
			snprintf(msg, sizeof(msg), "รหัสบ้าน %s ซ้ำกับแถวที่ %u "
			    "ของแท็บ %s", ev->keybuf, prev->row, prev->tab);
			eval_add(ev, R_HOUSEHOLD_DUPLICATE, RULES_ERROR, r + 1,
			    ev->keybuf, lo->key, NULL, msg);
		}
		household(ev, lo, row, cols, r + 1, ev->keybuf);
	}
}
