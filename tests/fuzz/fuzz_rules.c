/*
 * fuzz_rules: the whole rules engine on arbitrary district rows.
 *
 * The input is cut into tabs ('\f'), rows ('\n') and cells ('\t'); a cell
 * starting with '#' is a JSON number, with '?' a boolean, else a string.
 * Every tab gets DOMAIN.md's two header rows first (so rows are evaluated),
 * unless its first row starts with '!', which replaces the heading row
 * (so column finding is fuzzed too).  rules_evaluate must never crash, and
 * its report must hold together: counts add up, findings are sorted with
 * errors first, every finding has a rule id and a one-line message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_TABS 4
#define MAX_ROWS 64
#define MAX_CELLS 24

static const char *const headings[17] = {
	"ลำดับ", "รหัสบ้าน", "ชื่อ - สกุล หัวหน้าครัวเรือน", "บ้านเลขที่",
	"หมู่ที่", "ตำบล", "รายได้เฉลี่ย (บาท/คน/ปี)", "คร. ที่พัฒนาได้",
	"คร. ที่ขอรับการสงเคราะห์",
	"คร. ที่พึ่งตนเองได้ (ไม่ขอรับความช่วยเหลือ)",
	"คร. อื่น ๆ (เช่น เสียชีวิต/ย้าย)", "ชื่อกิจกรรมพัฒนา",
	"วิธีการ/ขั้นตอนการดำเนินการกิจกรรมการพัฒนา", "วันที่ดำเนินการ",
	"สถานที่ดำเนินการ", "หน่วยดำเนินการ (หลัก/ร่วม)",
	"ผลที่ได้รับ/ความสำเร็จของการดำเนินงาน",
};
static const char *const titles[MAX_TABS] = { "ก", "ข", "สรุปข้อมูล", "ค" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct workbook_tab tabs[MAX_TABS];
	static struct workbook_row rows[MAX_TABS][MAX_ROWS + 2];
	static struct workbook_cell cells[MAX_TABS][MAX_ROWS + 2][MAX_CELLS];
	struct workbook wb;
	struct rules_config cfg;
	struct rules_report r;
	char *buf;
	size_t i, j, p = 0, t = 0, ri, ci;
	long sum;

	if ((buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	memset(tabs, 0, sizeof(tabs));
	memset(rows, 0, sizeof(rows));
	memset(&wb, 0, sizeof(wb));
	wb.tabs = tabs;
	for (t = 0; t < MAX_TABS && p <= size; t++) {
		tabs[t].title = titles[t];
		tabs[t].rows = rows[t];
		rows[t][0].ncells = 0;
		rows[t][1].cells = cells[t][1];
		for (ci = 0; ci < 17; ci++) {
			cells[t][1][ci].type = WORKBOOK_STRING;
			cells[t][1][ci].text = headings[ci];
			cells[t][1][ci].len = (uint32_t)strlen(headings[ci]);
		}
		rows[t][1].ncells = 17;
		ri = 2;
		while (p <= size && ri < MAX_ROWS + 2) {
			struct workbook_row *row = &rows[t][ri];
			int custom = p < size && buf[p] == '!' && ri == 2;

			if (custom) {
				p++;
				row = &rows[t][1];
			}
			row->cells = cells[t][custom ? 1 : ri];
			row->ncells = 0;
			for (ci = 0; ci < MAX_CELLS; ci++) {
				struct workbook_cell *c = &row->cells[ci];
				size_t s = p;

				while (p < size && buf[p] != '\t' && buf[p] != '\n' &&
				    buf[p] != '\f')
					p++;
				c->type = WORKBOOK_STRING;
				if (p > s && buf[s] == '#') {
					c->type = WORKBOOK_NUMBER;
					s++;
				} else if (p > s && buf[s] == '?') {
					c->type = WORKBOOK_BOOL;
					s++;
				}
				c->text = buf + s;
				c->len = (uint32_t)(p - s);
				if (c->len == 0 && c->type == WORKBOOK_STRING)
					c->type = WORKBOOK_EMPTY;
				row->ncells = (uint32_t)ci + 1;
				if (p >= size || buf[p] != '\t')
					break;
				p++;
			}
			if (!custom)
				ri++;
			if (p >= size || buf[p] == '\f')
				break;
			p++;	/* '\n' */
		}
		tabs[t].nrows = (uint32_t)ri;
		if (p < size && buf[p] == '\f')
			p++;
		else
			p = size + 1;
	}
	wb.ntabs = t;

	rules_config_default(&cfg);
	if (rules_evaluate(&wb, &cfg, rules_days_from_civil(2024, 2, 1), &r) != 0)
		__builtin_trap();
	if (r.nsummary == 0)
		__builtin_trap();
	for (i = 0; i + 1 < r.nsummary; i++) {
		for (sum = r.summary[i].unclassified, j = 0; j < r.nstatus; j++)
			sum += r.summary[i].status[j];
		if (sum != r.summary[i].households ||
		    r.summary[i].developed > r.summary[i].status[0] ||
		    r.summary[i].percent < 0 || r.summary[i].percent > 100)
			__builtin_trap();
	}
	for (i = 0; i < r.nfindings; i++) {
		if (r.findings[i].rule == NULL || r.findings[i].message == NULL ||
		    strchr(r.findings[i].message, '\n') != NULL)
			__builtin_trap();
		if (i > 0 && r.findings[i - 1].severity > r.findings[i].severity)
			__builtin_trap();
	}
	rules_report_fini(&r);
	free(buf);
	return 0;
}
