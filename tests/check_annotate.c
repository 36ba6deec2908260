/*
 * check_annotate: the plan of notes, filter views, protections and the
 * chart (syncd/annotate): notes on the right cells, replaced only when
 * marked, a person's note kept (and the finding marked held), our notes
 * removed when resolved; objects kept by id, made again when a person
 * deleted them, a view renamed with its district; the ids of new objects
 * taken from the batchUpdate reply into the state.
 */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/annotate.h"
#include "syncd/writer.h"

static struct rules_finding fnd[4];
static struct rules_summary sum[3];
static struct rules_report rep;
static int32_t cols[4] = { 3, 3, 5, -1 };
static struct annotate_tab tabs[] = {
	{ "บางคล้า", 11, 1, 40 },
	{ "พนมสารคาม", 12, 1, 40 },
	{ "สรุปข้อมูล", 21, 0, 5 },
	{ "ตรวจสอบข้อมูล", 22, 0, 5 },
};

static void
setup(void)
{
	memset(fnd, 0, sizeof(fnd));
	memset(sum, 0, sizeof(sum));
	fnd[0] = (struct rules_finding){ "status.invalid_mark", RULES_ERROR, "บางคล้า", 4,
	    "24010012345", "คร. ที่พัฒนาได้", "ค่าในช่องสถานะไม่ถูกต้อง" };
	fnd[1] = (struct rules_finding){ "status.multiple", RULES_ERROR, "บางคล้า", 4,
	    "24010012345", "คร. ที่พัฒนาได้", "มีสถานะมากกว่าหนึ่ง" };
	fnd[2] = (struct rules_finding){ "activity.missing", RULES_WARNING, "พนมสารคาม", 9,
	    "24020000001", "ชื่อกิจกรรมพัฒนา", "ยังไม่มีกิจกรรม" };
	fnd[3] = (struct rules_finding){ "province.below_minimum", RULES_WARNING, NULL, 0,
	    NULL, NULL, "น้อยกว่า 10" };
	sum[0].district = "บางคล้า";
	sum[1].district = "พนมสารคาม";
	sum[2].district = "รวมทั้งจังหวัด";
	memset(&rep, 0, sizeof(rep));
	rep.findings = fnd;
	rep.nfindings = 4;
	rep.summary = sum;
	rep.nsummary = 3;
}

static struct annotate_in
input(const struct annotate_seen *seen, const struct state *old)
{
	struct annotate_in in;

	memset(&in, 0, sizeof(in));
	in.report = &rep;
	in.cols = cols;
	in.tabs = tabs;
	in.ntabs = 4;
	in.seen = seen;
	in.old = old;
	in.summary_title = "สรุปข้อมูล";
	in.disc_title = "ตรวจสอบข้อมูล";
	in.summary_id = 21;
	in.disc_id = 22;
	in.disc_cols = 10;
	in.summary_cols = 11;
	in.percent_col = 8;
	return in;
}

/* The requests of kind k in the plan. */
static size_t
count(const struct annotate_plan *p, const char *k)
{
	size_t i, n = 0;

	for (i = 0; i < json_array_size(p->requests); i++)
		n += json_object_get(json_array_get(p->requests, i), k) != NULL;
	return n;
}

static const char *
note_at(const struct annotate_plan *p, int64_t sheet, int row, int col)
{
	size_t i;

	for (i = 0; i < json_array_size(p->requests); i++) {
		json_t *u = json_object_get(json_array_get(p->requests, i), "updateCells");
		json_t *st = json_object_get(u, "start");

		if (u != NULL && json_integer_value(json_object_get(st, "sheetId")) == sheet &&
		    json_integer_value(json_object_get(st, "rowIndex")) == row &&
		    json_integer_value(json_object_get(st, "columnIndex")) == col) {
			ck_assert_str_eq(json_string_value(json_object_get(u, "fields")), "note");
			return json_string_value(json_object_get(json_array_get(json_object_get(
			    json_array_get(json_object_get(u, "rows"), 0), "values"), 0), "note"));
		}
	}
	return "(none)";
}

START_TEST(test_notes_fresh)
{
	struct annotate_seen seen = { 0 };
	struct state *old = state_new();
	struct annotate_in in = input(&seen, old);
	struct annotate_plan p;
	struct err e;
	const char *n;

	setup();
	err_init(&e);
	ck_assert_int_eq(annotate_plan(&in, &p, &e), 0);
	/* Two findings on one cell share one note; a sheet-level one has none. */
	ck_assert_uint_eq(p.notes_set, 2);
	ck_assert_uint_eq(p.nnoted, 2);
	ck_assert_uint_eq(count(&p, "updateCells"), 2);
	n = note_at(&p, 11, 3, 3);
	ck_assert_msg(strncmp(n, WRITER_NOTE_MARK "\n", strlen(WRITER_NOTE_MARK) + 1) == 0, "%s", n);
	ck_assert_ptr_nonnull(strstr(n, "ค่าในช่องสถานะไม่ถูกต้อง"));
	ck_assert_ptr_nonnull(strstr(n, "มีสถานะมากกว่าหนึ่ง"));
	ck_assert_ptr_nonnull(strstr(n, "วิธีแก้ไข"));
	ck_assert_ptr_null(strstr(n + 1, WRITER_NOTE_MARK));	/* one mark */
	ck_assert_ptr_nonnull(strstr(note_at(&p, 12, 8, 5), "ยังไม่มีกิจกรรม"));
	/* Objects: two protections, one view per district, one chart. */
	ck_assert_uint_eq(count(&p, "addProtectedRange"), 2);
	ck_assert_uint_eq(count(&p, "addFilterView"), 2);
	ck_assert_uint_eq(count(&p, "addChart"), 1);
	ck_assert_uint_eq(p.nadds, 5);
	annotate_plan_fini(&p);
	state_free(old);
}
END_TEST

START_TEST(test_notes_against_the_sheet)
{
	struct annotate_note notes[4];
	struct annotate_seen seen = { notes, 4, NULL, 0 };
	struct state *old = state_new();
	struct annotate_in in = input(&seen, old);
	struct annotate_plan p;
	char same[WRITER_MAX_NOTE];
	struct err e;

	setup();
	err_init(&e);
	writer_note_text(&fnd[2], same, sizeof(same));
	/* A person's note on B's cell; ours (unchanged) on the other; ours on a
	 * fixed cell; a person's on a cell with no finding. */
	notes[0] = (struct annotate_note){ 11, 3, 3, (char *)"ตรวจแล้ว (สมชาย)" };
	notes[1] = (struct annotate_note){ 12, 8, 5, same };
	notes[2] = (struct annotate_note){ 12, 20, 2, (char *)WRITER_NOTE_MARK "\nเก่า" };
	notes[3] = (struct annotate_note){ 11, 30, 1, (char *)"โทรหาผู้ใหญ่บ้าน" };
	ck_assert_int_eq(annotate_plan(&in, &p, &e), 0);
	ck_assert_uint_eq(p.notes_set, 0);
	ck_assert_uint_eq(p.nnoted, 1);		/* ours, unchanged, stays noted */
	ck_assert_int_eq(p.noted[0].sheet_id, 12);
	ck_assert_uint_eq(p.notes_held, 1);
	ck_assert_uint_eq(p.notes_cleared, 1);
	ck_assert_int_eq(p.held[0], 1);
	ck_assert_int_eq(p.held[1], 1);
	ck_assert_int_eq(p.held[2], 0);
	ck_assert_uint_eq(count(&p, "updateCells"), 1);
	ck_assert_str_eq(note_at(&p, 11, 3, 3), "(none)");	/* the person's stays */
	ck_assert_str_eq(note_at(&p, 11, 30, 1), "(none)");
	/* Ours on the fixed cell goes: an empty CellData under mask "note". */
	ck_assert_ptr_null(note_at(&p, 12, 20, 2));
	annotate_plan_fini(&p);
	state_free(old);
}
END_TEST

START_TEST(test_objects_kept_remade_renamed)
{
	int64_t ids[] = { 501, 502, 601, 701 };
	struct annotate_seen seen = { NULL, 0, ids, 4 };
	struct state *old = state_new(), *s = state_new();
	struct annotate_in in;
	struct annotate_plan p;
	struct err e;
	json_t *u;
	const char *reply;
	size_t i;

	setup();
	err_init(&e);
	/* The summary's protection (502 gone: a person removed it), the
	 * discrepancy tab's, a view of a district since renamed, the chart
	 * drawn for one district. */
	ck_assert_int_eq(state_objects_add(old, "protected_range", "สรุปข้อมูล", 500, &e), 0);
	ck_assert_int_eq(state_objects_add(old, "protected_range", "ตรวจสอบข้อมูล", 501, &e), 0);
	ck_assert_int_eq(state_objects_add(old, "filter_view", "บางคล้าเก่า", 601, &e), 0);
	ck_assert_int_eq(state_objects_add(old, "chart", "1", 701, &e), 0);
	in = input(&seen, old);
	ck_assert_int_eq(annotate_plan(&in, &p, &e), 0);
	ck_assert_uint_eq(count(&p, "addProtectedRange"), 1);
	ck_assert_uint_eq(count(&p, "updateFilterView"), 1);
	ck_assert_uint_eq(count(&p, "addFilterView"), 1);
	ck_assert_uint_eq(count(&p, "deleteFilterView"), 0);
	ck_assert_uint_eq(count(&p, "updateChartSpec"), 1);	/* 1 -> 2 districts */
	ck_assert_uint_eq(count(&p, "addChart"), 0);
	for (i = 0; i < json_array_size(p.requests); i++)
		if ((u = json_object_get(json_array_get(p.requests, i), "updateFilterView")) != NULL) {
			ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(u,
			    "filter"), "filterViewId")), 601);
			ck_assert_str_eq(json_string_value(json_object_get(json_object_get(u,
			    "filter"), "title")), "บางคล้า");
		}
	ck_assert_uint_eq(p.nadds, 2);
	/* The reply, as the write's: 4 requests of the tabs, then ours. */
	reply = "{\"replies\":[{},{},{},{},{},{},{},"
	    "{\"addProtectedRange\":{\"protectedRange\":{\"protectedRangeId\":900}}},"
	    "{},{\"addFilterView\":{\"filter\":{\"filterViewId\":901}}}]}";
	ck_assert_uint_eq(p.adds[0].request, 3);
	ck_assert_uint_eq(p.adds[1].request, 5);
	ck_assert_int_eq(annotate_commit(&p, reply, strlen(reply), 4, s, &e), 0);
	ck_assert_uint_eq(state_objects_count(s), 5);
	ck_assert_str_eq(state_object(s, 0)->name, "ตรวจสอบข้อมูล");
	ck_assert_int_eq(state_object(s, 1)->id, 701);
	ck_assert_str_eq(state_object(s, 1)->name, "2");
	ck_assert_int_eq(state_object(s, 2)->id, 601);
	ck_assert_str_eq(state_object(s, 2)->name, "บางคล้า");
	ck_assert_int_eq(state_object(s, 3)->id, 900);
	ck_assert_str_eq(state_object(s, 3)->name, "สรุปข้อมูล");
	ck_assert_int_eq(state_object(s, 4)->id, 901);
	ck_assert_str_eq(state_object(s, 4)->name, "พนมสารคาม");
	ck_assert_uint_eq(state_noted_count(s), 2);
	annotate_plan_fini(&p);
	state_free(old);
	state_free(s);
}
END_TEST

/* Nothing to change: no request at all. */
START_TEST(test_nothing_to_do)
{
	int64_t ids[] = { 1, 2, 3, 4, 5 };
	struct annotate_seen seen = { NULL, 0, ids, 5 };
	struct state *old = state_new();
	struct annotate_in in;
	struct annotate_plan p;
	struct err e;

	setup();
	rep.nfindings = 1;
	fnd[0] = fnd[3];
	err_init(&e);
	ck_assert_int_eq(state_objects_add(old, "protected_range", "สรุปข้อมูล", 1, &e), 0);
	ck_assert_int_eq(state_objects_add(old, "protected_range", "ตรวจสอบข้อมูล", 2, &e), 0);
	ck_assert_int_eq(state_objects_add(old, "filter_view", "บางคล้า", 3, &e), 0);
	ck_assert_int_eq(state_objects_add(old, "filter_view", "พนมสารคาม", 4, &e), 0);
	ck_assert_int_eq(state_objects_add(old, "chart", "2", 5, &e), 0);
	in = input(&seen, old);
	ck_assert_int_eq(annotate_plan(&in, &p, &e), 0);
	ck_assert_uint_eq(json_array_size(p.requests), 0);
	ck_assert_uint_eq(p.nkeep, 5);
	annotate_plan_fini(&p);
	state_free(old);
}
END_TEST

/* The annotations ride in the tabs' one batchUpdate. */
START_TEST(test_request_append)
{
	struct writer_cell cells[2] = { { .type = WRITER_TEXT, .text = (char *)"a" },
	    { .type = WRITER_NUMBER, .number = 3 } };
	struct writer_grid g = { cells, 1, 2, 0, 0 };
	struct writer_target t = { "สรุป", &g, 5, 1 };
	json_t *more = json_pack("[{s:{s:I}},{s:{s:I}}]", "deleteFilterView", "filterId",
	    (json_int_t)3, "deleteEmbeddedObject", "objectId", (json_int_t)4), *doc;
	struct err e;
	size_t len;
	char *body;

	err_init(&e);
	body = writer_request_text(&t, 1, NULL, &e);
	body = writer_request_append(body, &len, more, &e);
	ck_assert_ptr_nonnull(body);
	ck_assert_uint_eq(len, strlen(body));
	doc = json_loads(body, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "requests")), 4);
	ck_assert_ptr_nonnull(json_object_get(json_array_get(json_object_get(doc, "requests"), 3),
	    "deleteEmbeddedObject"));
	json_decref(doc);
	free(body);
	body = writer_request_text(&t, 0, NULL, &e);
	body = writer_request_append(body, &len, more, &e);
	doc = json_loads(body, 0, NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "requests")), 2);
	json_decref(doc);
	free(body);
	json_decref(more);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("annotate");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_notes_fresh);
	tcase_add_test(tc, test_notes_against_the_sheet);
	tcase_add_test(tc, test_objects_kept_remade_renamed);
	tcase_add_test(tc, test_nothing_to_do);
	tcase_add_test(tc, test_request_append);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
