/*
 * rollup_tabs: what the rollup reads from a province's summary tab and what
 * it writes in the national sheet's three tabs, as JSON: the parser of a
 * summary tab's values, the national tabs' rows built from the sources'
 * state entries, and the Thai reason and remedy of a province that could not
 * be read.  No I/O, no clock and no log: rollup.c reads, paces and writes.
 */
#include "syncd/rollup_tabs.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define ROLLUP_TOTAL		"รวมทั้งประเทศ"
#define ROLLUP_UPDATED		"ปรับปรุงล่าสุด"
#define ROLLUP_HEAD		"บันทึกตรวจสอบ (audit log head)"
#define ROLLUP_MAX_ROWS		1000	/* rows of a province's summary tab read */

static const char *
cell_str(json_t *row, size_t i)
{
	json_t *c = json_array_get(row, i);

	return json_is_string(c) ? json_string_value(c) : "";
}

/*
 * rollup_tabs_parse_summary(body, len, out, why, n): a province's summary tab (a
 * values:batchGet answer of that one tab) into out: {"headers": [...],
 * "districts": [[district, counts...]...], "total": [label, counts...],
 * "updated": "...", "head": "..."}.  Returns 0, or -1 with why (Thai) saying
 * what shape was expected.
 */
int
rollup_tabs_parse_summary(const char *body, size_t len, json_t **out, char *why,
    size_t n)
{
	json_t *j, *rows, *row, *hdr, *districts, *total = NULL;
	json_error_t je;
	size_t i, k, ncol;
	const char *updated = "", *head = "";

	*out = NULL;
	j = json_loadb(body, len, 0, &je);
	rows = json_object_get(json_array_get(json_object_get(j, "valueRanges"), 0),
	    "values");
	if (!json_is_array(rows) || json_array_size(rows) < 2) {
		snprintf(why, n, "แท็บสรุปมีรูปแบบไม่ตรงที่คาด: ว่างหรือไม่มีแถวข้อมูล");
		json_decref(j);
		return -1;
	}
	hdr = json_array_get(rows, 0);
	ncol = json_array_size(hdr);
	if (ncol < 2 || strcmp(cell_str(hdr, 0), "อำเภอ") != 0) {
		snprintf(why, n, "แถวแรกของแท็บสรุปไม่ได้ขึ้นต้นด้วยหัวคอลัมน์ "
		    "\"อำเภอ\"");
		json_decref(j);
		return -1;
	}
	districts = json_array();
	for (i = 1; i < json_array_size(rows) && i < ROLLUP_MAX_ROWS; i++) {
		row = json_array_get(rows, i);
		if (total == NULL) {
			json_t *nrow = json_array();

			json_array_append_new(nrow, json_string(cell_str(row, 0)));
			for (k = 1; k < ncol; k++) {
				json_t *c = json_array_get(row, k);

				if (!json_is_number(c)) {
					snprintf(why, n, "แถว %zu คอลัมน์ \"%s\" ไม่ใช่ตัวเลข",
					    i + 1, cell_str(hdr, k));
					json_decref(nrow);
					json_decref(districts);
					json_decref(j);
					return -1;
				}
				json_array_append(nrow, c);
			}
			if (strncmp(cell_str(row, 0), "รวม", strlen("รวม")) == 0)
				total = nrow;
			else
				json_array_append_new(districts, nrow);
		} else if (strcmp(cell_str(row, 0), ROLLUP_UPDATED) == 0) {
			updated = cell_str(row, 1);
		} else if (strcmp(cell_str(row, 0), ROLLUP_HEAD) == 0) {
			head = cell_str(row, 1);
		}
	}
	if (total == NULL) {
		snprintf(why, n, "แท็บสรุปไม่มีแถวรวม (แถวที่ขึ้นต้นด้วย \"รวม\")");
		json_decref(districts);
		json_decref(j);
		return -1;
	}
	*out = json_pack("{s:O, s:o, s:o, s:s, s:s}", "headers", hdr, "districts",
	    districts, "total", total, "updated", updated, "head", head);
	json_decref(j);
	return 0;
}

/*
 * rollup_tabs_unreadable(e, src, email, entry): why src could not be read
 * (e, the failed read's error), and what to do, in Thai, into entry (a
 * source's state entry, borrowed): "status": "error", "reason", "todo", and
 * "temporary" (true: read again next cycle).  email is the service
 * account's, for "share the spreadsheet with ...".
 */
void
rollup_tabs_unreadable(const struct err *e, const struct config_source *src,
    const char *email, json_t *entry)
{
	char why[512], todo[512];

	if (e->code == ERR_API && e->status == 403) {
		snprintf(why, sizeof(why), "ไม่ได้แชร์สเปรดชีตให้บัญชีบริการ (403)");
		snprintf(todo, sizeof(todo), "แชร์สเปรดชีตให้ %s เป็นผู้มีสิทธิ์อ่าน", email);
	} else if (e->code == ERR_API && e->status == 404) {
		snprintf(why, sizeof(why), "ไม่พบสเปรดชีต (404)");
		snprintf(todo, sizeof(todo), "ตรวจ spreadsheet_id ของจังหวัดนี้ใน rollup.sources");
	} else if (e->code == ERR_API && e->status == 400) {
		snprintf(why, sizeof(why), "ไม่มีแท็บสรุป \"%s\" (400)", src->summary_tab);
		snprintf(todo, sizeof(todo), "ให้ syncd ของจังหวัดเขียนแท็บสรุป หรือตั้ง "
		    "summary_tab ของจังหวัดนี้ใน rollup.sources");
	} else {
		snprintf(why, sizeof(why), "อ่านไม่ได้ชั่วคราว: %.300s", e->msg);
		snprintf(todo, sizeof(todo), "ไม่ต้องทำอะไร: จะอ่านใหม่ในรอบถัดไป");
	}
	json_object_set_new(entry, "status", json_string("error"));
	json_object_set_new(entry, "reason", json_string(why));
	json_object_set_new(entry, "todo", json_string(todo));
	json_object_set_new(entry, "temporary", json_boolean(!(e->code == ERR_API &&
	    (e->status == 403 || e->status == 404 || e->status == 400))));
}

/* ---- the national tabs ---- */

/* header_index(hdr, name, ncol): name's column among the first ncol of hdr
 * (those the national tabs keep and sum), or -1. */
static int
header_index(json_t *hdr, const char *name, size_t ncol)
{
	size_t i;

	for (i = 0; i < json_array_size(hdr) && i < ncol; i++)
		if (strcmp(cell_str(hdr, i), name) == 0)
			return (int)i;
	return -1;
}

/*
 * rollup_tabs_national(cfg, sources, head_text): the national sheet's three
 * tabs, {"summary": [...], "districts": [...], "unreadable": [...]} (rows
 * of values, owned by the caller), from the sources' state entries (sources,
 * borrowed: spreadsheet id -> entry) in cfg->rollup's order; head_text is the
 * rollup's own audit head for the summary's last row.
 */
json_t *
rollup_tabs_national(const struct config *cfg, json_t *sources, const char *head_text)
{
	json_t *hdr = NULL;
	json_t *summary = json_array(), *districts = json_array(), *bad = json_array();
	json_t *row, *e, *d, *title;
	double sums[64];
	size_t i, k, ncol = 0, nok = 0;
	int ipct, idev, idone;
	const char *latest = "";

	memset(sums, 0, sizeof(sums));
	for (i = 0; i < cfg->nrollup; i++) {
		e = json_object_get(sources, cfg->rollup[i].spreadsheet_id);
		if (e != NULL && strcmp(json_string_value(json_object_get(e, "status")), "ok") == 0) {
			hdr = json_object_get(e, "headers");
			break;
		}
	}
	ncol = hdr != NULL ? json_array_size(hdr) : 1;
	if (ncol > 64)
		ncol = 64;
	title = json_array();
	json_array_append_new(title, json_string("จังหวัด"));
	for (k = 1; k < ncol; k++)
		json_array_append_new(title, json_string(cell_str(hdr, k)));
	json_array_append_new(title, json_string(ROLLUP_UPDATED));
	json_array_append_new(title, json_string("audit head ของจังหวัด"));
	json_array_append(summary, title);
	json_array_append(districts, title);
	json_decref(title);
	json_array_append_new(bad, json_pack("[s, s, s, s]", "จังหวัด", "spreadsheet_id",
	    "เหตุผล", "สิ่งที่ต้องทำ"));
	for (i = 0; i < cfg->nrollup; i++) {
		const struct config_source *src = &cfg->rollup[i];

		e = json_object_get(sources, src->spreadsheet_id);
		row = json_array();
		json_array_append_new(row, json_string(src->province));
		if (e != NULL && strcmp(json_string_value(json_object_get(e, "status")), "ok") == 0 &&
		    json_equal(json_object_get(e, "headers"), hdr)) {
			json_t *t = json_object_get(e, "total");

			nok++;
			for (k = 1; k < ncol; k++) {
				json_array_append(row, json_array_get(t, k));
				sums[k] += json_number_value(json_array_get(t, k));
			}
			json_array_append(row, json_object_get(e, "updated"));
			json_array_append(row, json_object_get(e, "head"));
			if (strcmp(json_string_value(json_object_get(e, "updated")), latest) > 0)
				latest = json_string_value(json_object_get(e, "updated"));
			json_array_foreach(json_object_get(e, "districts"), k, d) {
				json_t *dr = json_copy(d);

				json_array_insert_new(dr, 0, json_string(src->province));
				json_array_append_new(districts, dr);
			}
		} else {
			const char *why = e == NULL ? "ยังไม่ได้อ่าน" :
			    json_string_value(json_object_get(e, "reason"));
			const char *todo = e == NULL ? "รอรอบถัดไป" :
			    json_string_value(json_object_get(e, "todo"));

			if (e != NULL && why == NULL) {
				why = "คอลัมน์ของแท็บสรุปไม่ตรงกับจังหวัดอื่น";
				todo = "ใช้ค่า columns เดียวกันกับจังหวัดอื่น";
			}
			json_array_append_new(bad, json_pack("[s, s, s, s]", src->province,
			    src->spreadsheet_id, why, todo != NULL ? todo : ""));
		}
		json_array_append_new(summary, row);
	}
	row = json_array();
	json_array_append_new(row, json_string(ROLLUP_TOTAL));
	ipct = hdr != NULL ? header_index(hdr, "ร้อยละ", ncol) : -1;
	idev = hdr != NULL ? header_index(hdr, "พัฒนาได้", ncol) : -1;
	idone = hdr != NULL ? header_index(hdr, "ได้รับการพัฒนา", ncol) : -1;
	for (k = 1; k < ncol; k++) {
		double v = sums[k];

		if ((int)k == ipct && idev > 0 && idone > 0)
			v = sums[idev] > 0 ? round(sums[idone] * 10000.0 / sums[idev]) / 100.0 : 0.0;
		json_array_append_new(row, json_real(v));
	}
	json_array_append_new(row, json_string(latest));
	json_array_append_new(row, json_string(""));
	json_array_append_new(summary, row);
	json_array_append_new(summary, json_array());
	json_array_append_new(summary, json_pack("[s, I]", "จังหวัดที่อ่านได้",
	    (json_int_t)nok));
	json_array_append_new(summary, json_pack("[s, s]", ROLLUP_HEAD, head_text));
	return json_pack("{s:o, s:o, s:o}", "summary", summary, "districts", districts,
	    "unreadable", bad);
}
