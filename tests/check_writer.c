/*
 * check_writer: the two tabs syncd writes, their comparison with the sheet
 * (an unchanged cycle must write nothing) and the batchUpdate body (raw
 * values, whole-tab range, tabs added in the same atomic request).
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/writer.h"

static struct rules_report
sample_report(void)
{
	static struct rules_summary sum[2];
	static struct rules_finding fnd[2];
	struct rules_report r;

	memset(&r, 0, sizeof(r));
	memset(sum, 0, sizeof(sum));
	sum[0].district = "บางคล้า";
	sum[0].households = 40;
	sum[0].status[0] = 12;
	sum[0].status[1] = 9;
	sum[0].status[2] = 10;
	sum[0].status[3] = 3;
	sum[0].unclassified = 6;
	sum[0].developed = 7;
	sum[0].percent = 58.33;
	sum[0].errors = 1;
	sum[0].warnings = 1;
	sum[1] = sum[0];
	sum[1].district = "รวมทั้งจังหวัด";
	memset(fnd, 0, sizeof(fnd));
	fnd[0].rule = "status.multiple";
	fnd[0].severity = RULES_ERROR;
	fnd[0].tab = "บางคล้า";
	fnd[0].row = 7;
	fnd[0].key = "24010012345";
	fnd[0].column = "คร. ที่พัฒนาได้";
	fnd[0].message = "=HYPERLINK(\"http://x\")";
	fnd[1].rule = "province.below_minimum";
	fnd[1].severity = RULES_WARNING;
	fnd[1].message = "น้อยกว่า 10";
	r.summary = sum;
	r.nsummary = 2;
	r.findings = fnd;
	r.nfindings = 2;
	r.nstatus = 4;
	r.status_names[0] = "status.developable";
	r.status_names[1] = "status.welfare";
	r.status_names[2] = "status.self_reliant";
	r.status_names[3] = "status.other";
	return r;
}

static struct rules_config
sample_config(void)
{
	struct rules_config c;
	static const char *names[4] = { "status.developable", "status.welfare",
	    "status.self_reliant", "status.other" };
	static const char *labels[4] = { "พัฒนาได้", "ขอรับการสงเคราะห์", "พึ่งตนเองได้", "อื่น ๆ" };
	int i;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < 4; i++) {
		c.fields[i].name = names[i];
		c.fields[i].label = labels[i];
		c.fields[i].role = RULES_ROLE_STATUS;
	}
	c.nfields = 4;
	return c;
}

/* Turn a grid into the tab the API would read back (numbers as JSON text). */
static struct workbook_tab
as_tab(const struct writer_grid *g, char *store)
{
	struct workbook_tab t;
	size_t r, c;
	char *p = store;

	memset(&t, 0, sizeof(t));
	t.title = "t";
	t.nrows = (uint32_t)g->nrows;
	t.rows = calloc(g->nrows, sizeof(*t.rows));
	for (r = 0; r < g->nrows; r++) {
		t.rows[r].cells = calloc(g->ncols, sizeof(struct workbook_cell));
		t.rows[r].ncells = (uint32_t)g->ncols;
		for (c = 0; c < g->ncols; c++) {
			const struct writer_cell *w = &g->cells[r * g->ncols + c];
			struct workbook_cell *x = &t.rows[r].cells[c];

			if (w->type == WRITER_TEXT) {
				x->type = WORKBOOK_STRING;
				x->text = w->text;
				x->len = (uint32_t)strlen(w->text);
			} else if (w->type == WRITER_NUMBER) {
				int n = snprintf(p, 32, "%.10g", w->number);
				x->type = WORKBOOK_NUMBER;
				x->text = p;
				x->len = (uint32_t)n;
				p += n + 1;
			}
		}
	}
	return t;
}

static void
free_tab(struct workbook_tab *t)
{
	uint32_t r;

	for (r = 0; r < t->nrows; r++)
		free(t->rows[r].cells);
	free(t->rows);
}

START_TEST(test_summary_layout)
{
	struct rules_report r = sample_report();
	struct rules_config c = sample_config();
	struct writer_footer f = { "2024-02-01 08:30:00 (Asia/Bangkok)", "3:abc" };
	struct writer_grid g;
	struct err e;

	err_init(&e);
	ck_assert_int_eq(writer_summary(&r, &c, &f, &g, &e), 0);
	ck_assert_uint_eq(g.ncols, 11);
	ck_assert_uint_eq(g.nrows, 6);
	ck_assert_str_eq(g.cells[0].text, "อำเภอ");
	ck_assert_str_eq(g.cells[2].text, "พัฒนาได้");
	ck_assert_str_eq(g.cells[5].text, "อื่น ๆ");
	ck_assert_str_eq(g.cells[8].text, "ร้อยละ");
	ck_assert_str_eq(g.cells[11].text, "บางคล้า");
	ck_assert_int_eq(g.cells[12].type, WRITER_NUMBER);
	ck_assert(g.cells[12].number == 40);
	ck_assert(g.cells[19].number == 58.33);
	ck_assert_str_eq(g.cells[2 * 11].text, "รวมทั้งจังหวัด");
	ck_assert_int_eq(g.cells[3 * 11].type, WRITER_EMPTY);	/* the empty row */
	ck_assert_str_eq(g.cells[4 * 11].text, "ปรับปรุงล่าสุด");
	ck_assert_str_eq(g.cells[4 * 11 + 1].text, f.updated);
	ck_assert_str_eq(g.cells[5 * 11 + 1].text, "3:abc");
	writer_grid_fini(&g);
	writer_grid_fini(&g);	/* twice is harmless */
}
END_TEST

START_TEST(test_matches_ignores_footer_only)
{
	struct rules_report r = sample_report();
	struct rules_config c = sample_config();
	struct writer_footer f1 = { "2024-02-01 08:30:00", "3:abc" };
	struct writer_footer f2 = { "2024-02-02 09:00:00", "9:def" };
	struct writer_grid g1, g2;
	struct err e;
	char store[4096];
	struct workbook_tab t;

	err_init(&e);
	ck_assert_int_eq(writer_summary(&r, &c, &f1, &g1, &e), 0);
	t = as_tab(&g1, store);
	ck_assert_int_eq(writer_summary(&r, &c, &f2, &g2, &e), 0);
	/* Same data, another time and head: nothing to write. */
	ck_assert(writer_grid_matches(&g2, &t));
	/* A count changed: write. */
	g2.cells[12].number = 41;
	ck_assert(!writer_grid_matches(&g2, &t));
	g2.cells[12].number = 40;
	/* A stale extra row in the sheet: write. */
	t.rows = realloc(t.rows, (t.nrows + 1) * sizeof(*t.rows));
	t.rows[t.nrows].cells = calloc(1, sizeof(struct workbook_cell));
	t.rows[t.nrows].ncells = 1;
	t.rows[t.nrows].cells[0].type = WORKBOOK_STRING;
	t.rows[t.nrows].cells[0].text = "stale";
	t.rows[t.nrows].cells[0].len = 5;
	t.nrows++;
	ck_assert(!writer_grid_matches(&g2, &t));
	/* An empty trailing row is no difference. */
	t.rows[t.nrows - 1].cells[0].type = WORKBOOK_EMPTY;
	ck_assert(writer_grid_matches(&g2, &t));
	/* A tab that does not exist never matches. */
	ck_assert(!writer_grid_matches(&g2, NULL));
	free_tab(&t);
	writer_grid_fini(&g1);
	writer_grid_fini(&g2);
}
END_TEST

START_TEST(test_discrepancies_and_request)
{
	struct rules_report r = sample_report();
	struct writer_grid g;
	struct writer_target t;
	struct err e;
	json_t *body, *reqs, *v;

	err_init(&e);
	ck_assert_int_eq(writer_discrepancies(&r, NULL, NULL, &g, &e), 0);
	ck_assert_uint_eq(g.nrows, 3);
	ck_assert_uint_eq(g.ncols, 10);
	ck_assert_int_eq(g.frozen_rows, 1);
	ck_assert_str_eq(g.cells[0 + 5].text, "ชื่อกฎ");
	ck_assert_str_eq(g.cells[10 + 0].text, "บางคล้า");
	ck_assert(g.cells[10 + 1].number == 7);
	ck_assert_ptr_null(g.cells[10 + 1].link);
	/* The id stays for filters and scripts; the Thai name sits beside it. */
	ck_assert_str_eq(g.cells[10 + 4].text, "status.multiple");
	ck_assert_str_eq(g.cells[10 + 5].text, "ระบุสถานะมากกว่าหนึ่ง");
	ck_assert_str_eq(g.cells[10 + 6].text, "ต้องแก้ไข");
	ck_assert_str_eq(g.cells[10 + 8].text,
	    "เหลือเครื่องหมายไว้เพียงช่องเดียว แล้วลบเครื่องหมายในช่องสถานะอื่นออก");
	/* A sheet-level finding has no tab, row, key or column. */
	ck_assert_int_eq(g.cells[20 + 0].type, WRITER_EMPTY);
	ck_assert_int_eq(g.cells[20 + 1].type, WRITER_EMPTY);
	ck_assert_str_eq(g.cells[20 + 6].text, "ข้อสังเกต");

	t.title = "ตรวจสอบข้อมูล";
	t.grid = &g;
	t.sheet_id = 777;
	t.exists = 0;
	body = writer_request(&t, 1, &e);
	ck_assert_ptr_nonnull(body);
	reqs = json_object_get(body, "requests");
	ck_assert_uint_eq(json_array_size(reqs), 2);
	v = json_object_get(json_object_get(json_array_get(reqs, 0), "addSheet"), "properties");
	ck_assert_int_eq(json_integer_value(json_object_get(v, "sheetId")), 777);
	ck_assert_str_eq(json_string_value(json_object_get(v, "title")), "ตรวจสอบข้อมูล");
	v = json_object_get(json_array_get(reqs, 1), "updateCells");
	ck_assert_str_eq(json_string_value(json_object_get(v, "fields")), "userEnteredValue");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(v, "range"), "sheetId")), 777);
	/* The formula-looking message goes in as a string value, never a formula. */
	v = json_array_get(json_object_get(json_array_get(json_object_get(v, "rows"), 1), "values"), 7);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(v, "userEnteredValue"),
	    "stringValue")), "=HYPERLINK(\"http://x\")");
	ck_assert_ptr_null(json_object_get(json_object_get(v, "userEnteredValue"), "formulaValue"));
	json_decref(body);

	t.exists = 1;
	body = writer_request(&t, 1, &e);
	reqs = json_object_get(body, "requests");
	v = json_object_get(json_array_get(reqs, 0), "updateSheetProperties");
	ck_assert_ptr_nonnull(v);
	/* Headings stay in row 1, frozen. */
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(v,
	    "properties"), "gridProperties"), "frozenRowCount")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(v, "fields")),
	    "gridProperties.rowCount,gridProperties.columnCount,gridProperties.frozenRowCount");
	json_decref(body);
	writer_grid_fini(&g);
}
END_TEST

static const char *
link_of(void *ctx, const struct rules_finding *f)
{
	static char buf[256];

	(void)ctx;
	return writer_cell_url(buf, sizeof(buf), "1AbC", 42, f->row, 27);
}

static int
held(void *ctx, const struct rules_finding *f)
{
	(void)ctx;
	return f->row == 7;
}

/* Row numbers link to the cell; a held note shows in the row instead. */
START_TEST(test_links_and_held_notes)
{
	struct rules_report r = sample_report();
	struct writer_disc_opts o = { NULL, link_of, held, NULL };
	struct writer_grid g;
	struct writer_target t;
	struct err e;
	json_t *body, *v;
	char buf[256], *text, *want;

	err_init(&e);
	ck_assert_str_eq(writer_cell_url(buf, sizeof(buf), "1AbC", 1234, 5, 0),
	    "https://docs.google.com/spreadsheets/d/1AbC/edit#gid=1234&range=A5");
	ck_assert_str_eq(writer_cell_url(buf, sizeof(buf), "x", 0, 12, 701),
	    "https://docs.google.com/spreadsheets/d/x/edit#gid=0&range=ZZ12");
	ck_assert_str_eq(writer_cell_url(buf, 10, "1AbC", 1234, 5, 0), "");
	ck_assert_int_eq(writer_discrepancies_with(&r, &o, &g, &e), 0);
	ck_assert_int_eq(g.links, 1);
	ck_assert_str_eq(g.cells[10 + 1].link,
	    "https://docs.google.com/spreadsheets/d/1AbC/edit#gid=42&range=AB7");
	ck_assert_ptr_null(g.cells[20 + 1].link);	/* no row: no link */
	ck_assert_ptr_nonnull(strstr(g.cells[10 + 8].text, "บันทึกของผู้ใช้"));
	t.title = "ตรวจสอบข้อมูล";
	t.grid = &g;
	t.sheet_id = 777;
	t.exists = 1;
	body = writer_request(&t, 1, &e);
	v = json_object_get(json_array_get(json_object_get(body, "requests"), 1), "updateCells");
	ck_assert_str_eq(json_string_value(json_object_get(v, "fields")),
	    "userEnteredValue,userEnteredFormat.textFormat.link");
	v = json_array_get(json_object_get(json_array_get(json_object_get(v, "rows"), 1), "values"), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(
	    json_object_get(v, "userEnteredFormat"), "textFormat"), "link"), "uri")),
	    "https://docs.google.com/spreadsheets/d/1AbC/edit#gid=42&range=AB7");
	ck_assert(json_number_value(json_object_get(json_object_get(v, "userEnteredValue"),
	    "numberValue")) == 7);
	want = json_dumps(body, JSON_COMPACT);
	text = writer_request_text(&t, 1, NULL, &e);
	ck_assert_str_eq(text, want);
	free(text);
	free(want);
	json_decref(body);
	writer_grid_fini(&g);
}
END_TEST

/* syncd's note: the mark, the rule's Thai name and message, what to do. */
START_TEST(test_note_text)
{
	struct rules_report r = sample_report();
	char buf[WRITER_MAX_NOTE], small[12];

	ck_assert_str_eq(writer_note_text(&r.findings[0], buf, sizeof(buf)),
	    "⚠ syncd\nระบุสถานะมากกว่าหนึ่ง: =HYPERLINK(\"http://x\")\n"
	    "วิธีแก้ไข: เหลือเครื่องหมายไว้เพียงช่องเดียว แล้วลบเครื่องหมายในช่องสถานะอื่นออก");
	ck_assert_int_eq(strncmp(buf, WRITER_NOTE_MARK "\n", strlen(WRITER_NOTE_MARK) + 1), 0);
	/* Cut short at a character boundary: "⚠ syncd\n" is 11 bytes. */
	writer_note_text(&r.findings[0], small, sizeof(small));
	ck_assert_str_eq(small, "⚠ syncd\n");
}
END_TEST

/*
 * The request as text is exactly json_dumps() of the tree, for both kinds
 * of target, texts with quotes, controls and Thai, numbers of every shape,
 * empty cells and an empty grid.
 */
START_TEST(test_request_text_as_json_dumps)
{
	static char t1[] = "a\"b\\c/\x01\n\t ตรวจสอบ", t2[] = "";
	static const double nums[] = { 0, 7, 58.33, -3.5, 1e-5, 1e21, 0.1, 123456789012.0 };
	struct writer_cell cells[3 * 4];
	struct writer_grid g = { cells, 3, 4 }, empty = { cells, 0, 4 };
	struct writer_target tg[2];
	struct err e;
	json_t *tree;
	char *want, *got;
	size_t i, len, k;

	for (k = 0; k < sizeof(nums) / sizeof(nums[0]); k++) {
		memset(cells, 0, sizeof(cells));
		for (i = 0; i < 12; i++) {
			cells[i].type = (uint8_t)(i % 3);
			if (cells[i].type == WRITER_TEXT)
				cells[i].text = i % 2 ? t1 : t2;
			else if (cells[i].type == WRITER_NUMBER)
				cells[i].number = nums[(k + i) % (sizeof(nums) / sizeof(nums[0]))];
		}
		tg[0] = (struct writer_target){ "สรุป \"x\"", &g, 12, 1 };
		tg[1] = (struct writer_target){ "ตรวจสอบข้อมูล", k % 2 ? &empty : &g, 777, 0 };
		err_init(&e);
		tree = writer_request(tg, 2, &e);
		ck_assert_ptr_nonnull(tree);
		want = json_dumps(tree, JSON_COMPACT);
		json_decref(tree);
		got = writer_request_text(tg, 2, &len, &e);
		ck_assert_ptr_nonnull(got);
		ck_assert_str_eq(got, want);
		ck_assert_uint_eq(len, strlen(want));
		free(want);
		free(got);
	}
}
END_TEST

/*
 * A text repeated down the discrepancy tab is kept once and shared by the
 * cells that repeat it (the grid frees it once); texts that differ are each
 * their own, and the request reads the same either way.
 */
START_TEST(test_repeated_text_shared)
{
	struct rules_report r = sample_report();
	struct rules_finding fnd[600];
	char keys[600][16];
	struct writer_grid g;
	struct err e;
	size_t i;

	for (i = 0; i < 600; i++) {
		fnd[i] = r.findings[i % 2];
		fnd[i].row = (uint32_t)(10 + i);
		snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
		fnd[i].key = keys[i];
	}
	r.findings = fnd;
	r.nfindings = 600;
	err_init(&e);
	ck_assert_int_eq(writer_discrepancies(&r, NULL, NULL, &g, &e), 0);
	ck_assert_uint_eq(g.nrows, 601);
	for (i = 0; i < 600; i++) {
		const struct writer_cell *c = &g.cells[(1 + i) * g.ncols];

		ck_assert_str_eq(c[7].text, i % 2 ? "น้อยกว่า 10" : "=HYPERLINK(\"http://x\")");
		ck_assert_str_eq(c[2].text, keys[i]);
		if (i >= 2) {
			/* The same message, rule name and level as two rows up. */
			ck_assert_ptr_eq(c[7].text, c[7 - 2 * (long)g.ncols].text);
			ck_assert_ptr_eq(c[5].text, c[5 - 2 * (long)g.ncols].text);
			ck_assert_ptr_eq(c[6].text, c[6 - 2 * (long)g.ncols].text);
		}
		if (i >= 1) {
			ck_assert_ptr_ne(c[7].text, c[7 - (long)g.ncols].text);
			ck_assert_ptr_ne(c[2].text, c[2 - (long)g.ncols].text);
		}
	}
	writer_grid_fini(&g);
	ck_assert_ptr_null(g.cells);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("writer");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_summary_layout);
	tcase_add_test(tc, test_matches_ignores_footer_only);
	tcase_add_test(tc, test_discrepancies_and_request);
	tcase_add_test(tc, test_request_text_as_json_dumps);
	tcase_add_test(tc, test_links_and_held_notes);
	tcase_add_test(tc, test_note_text);
	tcase_add_test(tc, test_repeated_text_shared);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
