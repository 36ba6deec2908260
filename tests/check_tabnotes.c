/*
 * check_tabnotes: the tab list that reads the notes and our tabs' objects
 * too (syncd/tabnotes): Google's shape for such a field mask ("data":[{}]
 * for a tab without a note, {} padding before a noted row or cell, zero
 * ints omitted), members in any order, only the tabs the caller keeps, a
 * person's note kept without its text, and the answers it refuses.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/tabnotes.h"
#include "syncd/writer.h"

/* Our two tabs' objects; the districts' notes; nothing of "อื่น". */
static unsigned
what(const void *ctx, const char *title)
{
	(void)ctx;
	if (strcmp(title, "สรุป") == 0 || strcmp(title, "ตรวจสอบ") == 0)
		return TABNOTES_OBJECTS;
	if (strcmp(title, "อื่น") == 0)
		return 0;
	return TABNOTES_NOTES;
}

static const struct tabnotes_keep keep = { what, NULL };

START_TEST(test_google_shape)
{
	static const char body[] = "{\"sheets\":["
	    "{\"properties\":{\"title\":\"สรุป\",\"index\":0},"
	    "\"data\":[{}],\"protectedRanges\":[{\"protectedRangeId\":7}],"
	    "\"charts\":[{\"chartId\":9}]},"
	    "{\"properties\":{\"sheetId\":11,\"title\":\"บางคล้า\",\"index\":1},"
	    "\"data\":[{\"rowData\":[{},{},{\"values\":[{},{},{\"note\":\"โทรแล้ว\"}]},{},"
	    "{\"values\":[{\"note\":\"\\u26a0 syncd\\nผิด\"},{\"note\":\"\"}]}]}]},"
	    "{\"data\":[{}],\"properties\":{\"sheetId\":12,\"title\":\"พนมสารคาม\",\"index\":2}},"
	    "{\"properties\":{\"sheetId\":13,\"title\":\"อื่น\",\"index\":3},"
	    "\"data\":[{\"rowData\":[{\"values\":[{\"note\":\"x\"}]}]}],"
	    "\"charts\":[{\"chartId\":5}]},"
	    "{\"properties\":{\"sheetId\":22,\"title\":\"ตรวจสอบ\",\"index\":4},"
	    "\"filterViews\":[{\"filterViewId\":8},{\"filterViewId\":10}],"
	    "\"data\":[{\"rowData\":[{\"values\":[{\"note\":\"y\"}]}]}]}]}";
	struct sheets_tabs t;
	struct annotate_seen s;
	struct err e;

	err_init(&e);
	ck_assert_int_eq(tabnotes_parse(body, strlen(body), &keep, &t, &s, &e), 0);
	ck_assert_uint_eq(t.n, 5);
	ck_assert_str_eq(t.tabs[0].title, "สรุป");
	ck_assert_int_eq(t.tabs[0].sheet_id, 0);	/* omitted: proto3's zero */
	ck_assert_int_eq(t.tabs[2].sheet_id, 12);
	ck_assert_int_eq(t.tabs[4].index, 4);
	/* Notes of the districts only, at their cells; a person's without text. */
	ck_assert_uint_eq(s.nnotes, 2);
	ck_assert_int_eq(s.notes[0].sheet_id, 11);
	ck_assert_uint_eq(s.notes[0].row, 2);
	ck_assert_uint_eq(s.notes[0].col, 2);
	ck_assert_ptr_null(s.notes[0].text);
	ck_assert_uint_eq(s.notes[1].row, 4);
	ck_assert_uint_eq(s.notes[1].col, 0);
	ck_assert_str_eq(s.notes[1].text, WRITER_NOTE_MARK "\nผิด");
	ck_assert_uint_eq(s.nread, 2);
	ck_assert_int_eq(s.read[0], 11);
	ck_assert_int_eq(s.read[1], 12);
	/* Objects of our two tabs only; the summary holds a chart. */
	ck_assert_uint_eq(s.nids, 4);
	ck_assert(annotate_seen_has(s.ids, s.nids, 7) && annotate_seen_has(s.ids, s.nids, 9) &&
	    annotate_seen_has(s.ids, s.nids, 8) && annotate_seen_has(s.ids, s.nids, 10));
	ck_assert(!annotate_seen_has(s.ids, s.nids, 5));
	ck_assert_uint_eq(s.ncharted, 1);
	ck_assert_int_eq(s.charted[0], 0);
	sheets_tabs_fini(&t);
	annotate_seen_fini(&s);
	annotate_seen_fini(&s);
}
END_TEST

START_TEST(test_offsets_and_blanks)
{
	/* A grid range that does not start at A1, pretty-printed. */
	static const char body[] = "{ \"sheets\" : [ { \"properties\" : { \"sheetId\" : 3 ,"
	    " \"title\" : \"ก\" } , \"data\" : [ { \"startRow\" : 5000 , \"rowData\" : [ { } ,"
	    " { \"values\" : [ { } , { \"note\" : \"n\" } ] } ] , \"startColumn\" : 2 } ] } ] ,"
	    " \"spreadsheetId\" : \"x\" }\n";
	struct sheets_tabs t;
	struct annotate_seen s;
	struct err e;

	err_init(&e);
	ck_assert_int_eq(tabnotes_parse(body, strlen(body), &keep, &t, &s, &e), 0);
	ck_assert_uint_eq(s.nnotes, 1);
	ck_assert_uint_eq(s.notes[0].row, 5001);
	ck_assert_uint_eq(s.notes[0].col, 3);
	sheets_tabs_fini(&t);
	annotate_seen_fini(&s);
}
END_TEST

static const char *const refused[] = {
	"",
	"[]",
	"{\"sheets\":{}}",
	"{\"sheets\":[{\"data\":[{}]}]}",			/* no properties */
	"{\"sheets\":[{\"properties\":{\"title\":\"\"}}]}",	/* no title */
	"{\"sheets\":[{\"properties\":{\"title\":\"ก\"},\"data\":[{\"startRow\":-1}]}]}",
	"{\"sheets\":[{\"properties\":{\"title\":\"ก\"},\"data\":[{\"startRow\":1.5}]}]}",
	"{\"sheets\":[{\"properties\":{\"title\":\"ก\"},\"data\":[{\"startRow\":4294967296}]}]}",
	"{\"sheets\":[{\"properties\":{\"title\":\"ก\"},\"data\":[{\"rowData\":[{\"values\":"
	    "[{\"note\":5}]}]}]}]}",
	"{\"sheets\":[{\"properties\":{\"title\":\"ก\"},\"data\":[{\"rowData\":[{\"values\":"
	    "[{\"note\":\"a\\u0000b\"}]}]}]}]}",
	"{\"sheets\":[{\"properties\":{\"title\":\"ก\"},\"properties\":{\"title\":\"ข\"}}]}",
	"{\"sheets\":[{\"properties\":{\"title\":\"ก\"},\"data\":[{\"rowData\":[{},]}]}]}",
	"{\"sheets\":[{\"properties\":{\"title\":\"ก\"}}]} x",
	"{\"sheets\":[{\"properties\":{\"title\":\"ก\"}}]",
	"{\"sheets\":[{\"properties\":{\"title\":\"ก\"},\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]}",
	"{\"sheets\":[{\"properties\":{\"title\":\"สรุป\"},\"charts\":{\"chartId\":1}}]}",
};

START_TEST(test_refused)
{
	struct sheets_tabs t;
	struct annotate_seen s;
	struct err e;

	err_init(&e);
	ck_assert_msg(tabnotes_parse(refused[_i], strlen(refused[_i]), &keep, &t, &s, &e) == -1,
	    "accepted: %s", refused[_i]);
	ck_assert_int_eq(e.code, ERR_DATA);
	ck_assert_ptr_null(t.tabs);
	ck_assert_ptr_null(s.notes);
	ck_assert_ptr_null(s.ids);
	ck_assert_ptr_null(s.read);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tabnotes");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_google_shape);
	tcase_add_test(tc, test_offsets_and_blanks);
	tcase_add_loop_test(tc, test_refused, 0, (int)(sizeof(refused) / sizeof(refused[0])));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
