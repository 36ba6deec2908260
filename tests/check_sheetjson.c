/*
 * check_sheetjson: the JSON reader, as the check command and the daemon rely
 * on it: both shapes read into the right tabs, rows and cells; every kind of
 * bad input refused with ERR_DATA and a message saying where; no input makes
 * it read out of bounds, recurse without bound or leak (run under
 * `make sanitize` and `make valgrind`).
 *
 * Inputs are copied into buffers of exactly their length, so AddressSanitizer
 * catches any read past the end.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "syncd/range.h"
#include "syncd/sheetjson.h"

enum mode { FILE_SHAPE, BATCHGET };

/* parse(s, n, mode, req, e): parse a copy of n bytes of s. */
static struct sheetjson_doc *
parse(const char *s, size_t n, enum mode mode, const struct sheetjson_request *req,
    struct err *e)
{
	char *buf = malloc(n ? n : 1);

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, s, n);
	err_init(e);
	if (mode == BATCHGET)
		return sheetjson_parse_batchget(buf, n, req, e);
	return sheetjson_parse(buf, n, "t.json", e);
}

/*
 * dump(wb): the view as text, one line per tab and per row:
 *   id=<id> title=<title>
 *   T <title> <sheet_id>
 *   R s"text" n1.5 bTRUE e
 * Returns an owned string.
 */
static char *
dump(const struct workbook *wb)
{
	char *out = NULL;
	size_t outlen = 0, i, j, k;
	FILE *f = open_memstream(&out, &outlen);

	ck_assert_ptr_nonnull(f);
	fprintf(f, "id=%s title=%s\n", wb->spreadsheet_id ? wb->spreadsheet_id : "-",
	    wb->title ? wb->title : "-");
	for (i = 0; i < wb->ntabs; i++) {
		const struct workbook_tab *t = &wb->tabs[i];

		fprintf(f, "T %s %lld\n", t->title, (long long)t->sheet_id);
		for (j = 0; j < t->nrows; j++) {
			const struct workbook_row *r = &t->rows[j];

			fputc('R', f);
			for (k = 0; k < r->ncells; k++) {
				const struct workbook_cell *c = &r->cells[k];

				switch (c->type) {
				case WORKBOOK_EMPTY:
					ck_assert_ptr_null(c->text);
					fputs(" e", f);
					break;
				case WORKBOOK_STRING:
					fputs(" s\"", f);
					fwrite(c->text, 1, c->len, f);
					fputc('"', f);
					break;
				case WORKBOOK_NUMBER:
					fputs(" n", f);
					fwrite(c->text, 1, c->len, f);
					break;
				case WORKBOOK_BOOL:
					fprintf(f, " b%.*s", (int)c->len, c->text);
					break;
				default:
					ck_abort_msg("bad cell type %d", c->type);
				}
			}
			fputc('\n', f);
		}
	}
	fclose(f);
	return out;
}

/* ---- valid documents ------------------------------------------------ */

struct good {
	const char *name;
	const char *in;
	const char *want;
};

static const struct good goods[] = {
	{"no tabs", "{\"sheets\":[]}", "id=- title=-\n"},
	{"workbook file, Thai, every cell kind",
	 "{\"spreadsheetId\":\"demo\",\"properties\":{\"title\":\"ครัวเรือน\","
	 "\"locale\":\"th_TH\"},\"sheets\":[{\"properties\":{\"sheetId\":7,"
	 "\"title\":\"บางคล้า\",\"index\":0},\"values\":[[\"ลำดับ\",\"รหัสบ้าน\"],"
	 "[1,\"24010012345\",true,false,null,\"\"]]}]}",
	 "id=demo title=ครัวเรือน\nT บางคล้า 7\nR s\"ลำดับ\" s\"รหัสบ้าน\"\n"
	 "R n1 s\"24010012345\" bTRUE bFALSE e s\"\"\n"},
	{"missing values, empty values, empty and short rows",
	 "{\"sheets\":[{\"properties\":{\"title\":\"A\"}},{\"properties\":"
	 "{\"title\":\"B\"},\"values\":[]},{\"properties\":{\"title\":\"C\"},"
	 "\"values\":[[],[\"x\"],[],[1,2,3]]}]}",
	 "id=- title=-\nT A -1\nT B -1\nT C -1\nR\nR s\"x\"\nR\nR n1 n2 n3\n"},
	{"values before properties",
	 "{\"sheets\":[{\"values\":[[\"v\"]],\"properties\":{\"title\":\"Z\","
	 "\"sheetId\":0}}]}",
	 "id=- title=-\nT Z 0\nR s\"v\"\n"},
	{"escapes",
	 "{\"sheets\":[{\"properties\":{\"title\":\"\\u0e1a\\\"q\\\"\"},\"values\":"
	 "[[\"\\u0e01\\u0041\\n\\t\\\"\\\\\\/\\b\\f\\r\\ud83c\\udf35\\u00e9\\u20AC\","
	 "\"a\\u0e01b\"]]}]}",
	 "id=- title=-\nT บ\"q\" -1\nR s\"กA\n\t\"\\/\b\f\r🌵é€\" s\"aกb\"\n"},
	{"numbers in every JSON form",
	 "{\"sheets\":[{\"properties\":{\"title\":\"N\"},\"values\":[[0,-0,1.5,"
	 "-1.5e10,2.4010012345E10,1e-7,1E+2,0.0,123456789012345678901234567890,"
	 "1e400,-1e-400]]}]}",
	 "id=- title=-\nT N -1\nR n0 n-0 n1.5 n-1.5e10 n2.4010012345E10 n1e-7 "
	 "n1E+2 n0.0 n123456789012345678901234567890 n1e400 n-1e-400\n"},
	{"white space everywhere, CRLF, byte order mark",
	 "\xef\xbb\xbf \r\n{ \"sheets\" :\t[ { \"properties\" : { \"title\" : \"A\" } ,"
	 "\r\n \"values\" : [ [ 1 , \"x\" ] , [ ] ] } ] } \r\n\t ",
	 "id=- title=-\nT A -1\nR n1 s\"x\"\nR\n"},
	{"unknown members skipped",
	 "{\"x\":{\"a\":[1,{\"b\":null},[[],{}]],\"c\":\"\\u00e9\",\"d\":true},"
	 "\"sheets\":[{\"data\":[{\"rowData\":[]}],\"properties\":{\"gridProperties\":"
	 "{\"rowCount\":1000},\"title\":\"A\",\"hidden\":false},\"z\":-1.5e3}],"
	 "\"spreadsheetUrl\":\"https://x/\",\"n\":null,\"e\":[]}",
	 "id=- title=-\nT A -1\n"},
	{"escaped member names",
	 "{\"sheet\\u0073\":[{\"properties\":{\"t\\u0069tle\":\"A\"}}]}",
	 "id=- title=-\nT A -1\n"},
	{"large sheetId",
	 "{\"sheets\":[{\"properties\":{\"title\":\"A\",\"sheetId\":9007199254740993}}]}",
	 "id=- title=-\nT A 9007199254740993\n"},
	{"batchGet shape read by sheetjson_parse",
	 "{\"spreadsheetId\":\"s\",\"valueRanges\":[{\"range\":\"'บางคล้า'!A1:Q60\","
	 "\"majorDimension\":\"ROWS\",\"values\":[[\"a\"],[],[1]]},{\"range\":"
	 "\"Sheet1!A1:Z1000\",\"majorDimension\":\"ROWS\"},{\"range\":"
	 "\"'Jon''s Data'!A1\"},{\"range\":\"บางปะกง!A1:Q2\",\"values\":[[true]]},"
	 "{\"range\":\"'D3'\"},{\"range\":\"'Hi!'!A1\"},{\"range\":\"'a!b'!A1:B2\"}]}",
	 "id=s title=-\nT บางคล้า -1\nR s\"a\"\nR\nR n1\nT Sheet1 -1\n"
	 "T Jon's Data -1\nT บางปะกง -1\nR bTRUE\nT D3 -1\nT Hi! -1\nT a!b -1\n"},
	{"batchGet as Google prints it (gspread cassette), two ranges of one tab",
	 "{\n  \"spreadsheetId\": \"1yXHRaUTFlGV\",\n  \"valueRanges\": [\n"
	 "    {\n      \"range\": \"'🌵 test_values_batch_get 1'!A1:A10\",\n"
	 "      \"majorDimension\": \"ROWS\",\n      \"values\": [\n        [\n"
	 "          \"🍇\"\n        ],\n        [\n          \"🍐\"\n        ]\n"
	 "      ]\n    },\n    {\n      \"range\": \"'🌵 test_values_batch_get 1'"
	 "!B1:B10\",\n      \"majorDimension\": \"ROWS\",\n      \"values\": "
	 "[\n        [\n          \"🍉\"\n        ]\n      ]\n    }\n  ]\n}\n",
	 "id=1yXHRaUTFlGV title=-\nT 🌵 test_values_batch_get 1 -1\nR s\"🍇\"\n"
	 "R s\"🍐\"\nT 🌵 test_values_batch_get 1 -1\nR s\"🍉\"\n"},
};

START_TEST(test_good)
{
	const struct good *g = &goods[_i];
	struct sheetjson_doc *wf;
	struct err e;
	char *got;

	wf = parse(g->in, strlen(g->in), FILE_SHAPE, NULL, &e);
	ck_assert_msg(wf != NULL, "%s: %s", g->name, e.msg);
	got = dump(sheetjson_view(wf));
	ck_assert_msg(strcmp(got, g->want) == 0, "%s:\ngot:\n%s\nwant:\n%s",
	    g->name, got, g->want);
	free(got);
	sheetjson_free(wf);
}
END_TEST

/* ---- bad documents -------------------------------------------------- */

#define TAB_A	"{\"sheets\":[{\"properties\":{\"title\":\"A\"},\"values\":"

struct bad {
	const char *in;
	const char *want;	/* a substring of the message */
};

static const struct bad bads[] = {
	{"", "empty input"},
	{" \n\t", "empty input"},
	{"not json", "expected a JSON object, found 'n'"},
	{"[]", "expected a JSON object"},
	{"\"x\"", "expected a JSON object"},
	{"{}", "not a workbook"},
	{"{\"spreadsheetId\":\"x\"}", "not a workbook"},
	{"{\"sheets\":[]} x", "trailing characters"},
	{"{\"sheets\":[]}{}", "trailing characters"},
	{"{\"sheets\":[]}\0", "trailing characters"},
	{"{\"sheets\":[],}", "expected a member name"},
	{"{\"sheets\":[] \"x\":1}", "expected ',' or '}'"},
	{"{\"sheets\" []}", "expected ':'"},
	{"{sheets:[]}", "expected a member name"},
	{"{'sheets':[]}", "expected a member name"},
	{"{\"sheets\":{}}", "sheets must be an array"},
	{"{\"sheets\":[1]}", "a sheet must be an object"},
	{"{\"sheets\":[{}]}", "a sheet without properties.title"},
	{"{\"sheets\":[{\"properties\":[]}]}", "\"properties\" must be an object"},
	{"{\"sheets\":[{\"properties\":{\"title\":1}}]}", "expected a string, found '1'"},
	{"{\"sheets\":[{\"properties\":{\"title\":\"\"}}]}", "empty tab title"},
	{TAB_A "{}}]}", "\"values\" must be an array in tab \"A\""},
	{TAB_A "[[1],]}]}", "expected a value after ','"},
	{TAB_A "[[1,]]}]}", "expected a cell"},
	{TAB_A "[[\"a\",{\"x\":1}]]}]}",
	 "an object where a cell should be in row 1 column B of tab \"A\""},
	{TAB_A "[[\"a\"],[\"b\",\"c\",[\"d\"]]]}]}",
	 "an array where a cell should be in row 2 column C of tab \"A\""},
	{TAB_A "[\"a\"]}]}", "a row must be an array in row 1 of tab \"A\""},
	{TAB_A "[[\"a\"] [\"b\"]]}]}",
	 "expected ',' or ']', found '[' after row 1 of tab \"A\""},
	{TAB_A "[[\"a\" \"b\"]]}]}", "expected ',' or ']', found '\"' in row 1"},
	{TAB_A "[[1]],\"values\":[]}]}", "duplicate \"values\" in tab \"A\""},
	{"{\"sheets\":[{\"properties\":{\"title\":\"A\"}},{\"properties\":"
	 "{\"title\":\"A\"}}]}", "two tabs are titled \"A\""},
	{"{\"sheets\":[],\"sheets\":[]}", "twice"},
	{"{\"sheets\":[],\"valueRanges\":[]}", "both"},
	{"{\"spreadsheetId\":\"a\",\"spreadsheetId\":\"a\",\"sheets\":[]}", "duplicate"},
	{"{\"spreadsheetId\":1,\"sheets\":[]}", "expected a string"},
	/* strings */
	{TAB_A "[[\"\\x\"]]}]}", "invalid escape '\\x'"},
	{TAB_A "[[\"\\u12\"]]}]}", "invalid \\u escape"},
	{TAB_A "[[\"\\u12G4\"]]}]}", "invalid \\u escape"},
	{TAB_A "[[\"\\ud800\"]]}]}", "unpaired high surrogate \\uD800"},
	{TAB_A "[[\"\\ud800\\u0041\"]]}]}", "unpaired high surrogate"},
	{TAB_A "[[\"\\ud800x\"]]}]}", "unpaired high surrogate"},
	{TAB_A "[[\"\\ud800\\ud800\"]]}]}", "unpaired high surrogate"},
	{TAB_A "[[\"\\udc00\"]]}]}", "unpaired low surrogate \\uDC00"},
	{TAB_A "[[\"a\\u0000b\"]]}]}", "cell holds \\u0000 in row 1 column A"},
	{"{\"sheets\":[{\"properties\":{\"title\":\"\\u0000\"}}]}", "title holds \\u0000"},
	{TAB_A "[[\"a\tb\"]]}]}", "control character 0x09"},
	{TAB_A "[[\"a\nb\"]]}]}", "control character 0x0a"},
	{TAB_A "[[\"\\n\x01\"]]}]}", "control character 0x01"},
	{TAB_A "[[\"\x7f\"]]}]}", NULL},	/* DEL is allowed by RFC 8259 */
	{TAB_A "[[\"\xff\"]]}]}", "invalid UTF-8 at byte 51"},
	{TAB_A "[[\"\xc0\x80\"]]}]}", "invalid UTF-8"},
	{TAB_A "[[\"\xc1\xbf\"]]}]}", "invalid UTF-8"},
	{TAB_A "[[\"\xe0\x80\xaf\"]]}]}", "invalid UTF-8"},
	{TAB_A "[[\"\xed\xa0\x80\"]]}]}", "invalid UTF-8"},
	{TAB_A "[[\"\xf0\x80\x80\xaf\"]]}]}", "invalid UTF-8"},
	{TAB_A "[[\"\xf4\x90\x80\x80\"]]}]}", "invalid UTF-8"},
	{TAB_A "[[\"\xf5\x80\x80\x80\"]]}]}", "invalid UTF-8"},
	{TAB_A "[[\"\xe0\xb8\"]]}]}", "invalid UTF-8"},
	{TAB_A "[[\"\x80\"]]}]}", "invalid UTF-8"},
	{TAB_A "[[\"\\n\xe0\xb8\"]]}]}", "invalid UTF-8"},
	{"{\"\xff\":1,\"sheets\":[]}", "invalid UTF-8 at byte 2"},
	{"{\"x\":[\"\xff\"],\"sheets\":[]}", "invalid UTF-8"},
	{"{\"x\":[\"\\q\"],\"sheets\":[]}", "invalid escape"},
	{"\xff{\"sheets\":[]}", "expected a JSON object, found byte 0xff"},
	/* numbers and literals */
	{TAB_A "[[01]]}]}", "leading zero"},
	{TAB_A "[[-01]]}]}", "leading zero"},
	{TAB_A "[[-]]}]}", "a digit must follow '-'"},
	{TAB_A "[[-a]]}]}", "a digit must follow '-'"},
	{TAB_A "[[1.]]}]}", "a digit must follow '.'"},
	{TAB_A "[[1.e5]]}]}", "a digit must follow '.'"},
	{TAB_A "[[1e]]}]}", "a digit must follow the exponent"},
	{TAB_A "[[1e+]]}]}", "a digit must follow the exponent"},
	{TAB_A "[[.5]]}]}", "expected a cell"},
	{TAB_A "[[+1]]}]}", "expected a cell"},
	{TAB_A "[[NaN]]}]}", "expected a cell"},
	{TAB_A "[[Infinity]]}]}", "expected a cell"},
	{TAB_A "[[0x10]]}]}", "expected ',' or ']'"},
	{TAB_A "[[1 2]]}]}", "expected ',' or ']', found '2'"},
	{TAB_A "[[tru]]}]}", "expected a JSON value"},
	{TAB_A "[[True]]}]}", "expected a cell"},
	{TAB_A "[[nul]]}]}", "expected a JSON value"},
	{TAB_A "[[nulll]]}]}", "expected ',' or ']'"},
	{TAB_A "[[falsey]]}]}", "expected ',' or ']'"},
	{"{\"sheets\":[{\"properties\":{\"title\":\"A\",\"sheetId\":\"7\"}}]}",
	 "sheetId must be a number"},
	{"{\"sheets\":[{\"properties\":{\"title\":\"A\",\"sheetId\":1.5}}]}",
	 "non-negative integer"},
	{"{\"sheets\":[{\"properties\":{\"title\":\"A\",\"sheetId\":-1}}]}",
	 "non-negative integer"},
	{"{\"sheets\":[{\"properties\":{\"title\":\"A\",\"sheetId\":"
	 "99999999999999999999}}]}", "non-negative integer"},
	{"{\"x\":[1,2,],\"sheets\":[]}", "expected a JSON value"},
	{"{\"x\":{\"a\":1,},\"sheets\":[]}", "expected a member name"},
	{"{\"x\":{\"a\" 1},\"sheets\":[]}", "expected ':'"},
	{"{\"x\":[1 2],\"sheets\":[]}", "expected ',' or ']'"},
	{"{\"x\":{\"a\":1 \"b\":2},\"sheets\":[]}", "expected ',' or '}'"},
	{"{\"x\":[1}],\"sheets\":[]}", "expected ',' or ']'"},
	{"{\"x\":{\"a\":1]},\"sheets\":[]}", "expected ',' or '}'"},
	{"{\"x\":,\"sheets\":[]}", "expected a JSON value"},
	{"{\"x\":-,\"sheets\":[]}", "a digit must follow '-'"},
	/* valueRanges */
	{"{\"valueRanges\":[{\"range\":\"'abc!A1\"}]}", "badly quoted"},
	{"{\"valueRanges\":[{\"range\":\"'a'b!A1\"}]}", "badly quoted"},
	{"{\"valueRanges\":[{\"range\":\"!A1\"}]}", "empty tab title"},
	{"{\"valueRanges\":[{\"range\":\"''!A1\"}]}", "empty tab title"},
	{"{\"valueRanges\":[{\"values\":[]}]}", "a valueRange without \"range\""},
	{"{\"valueRanges\":[{\"range\":\"A!A1\",\"majorDimension\":\"COLUMNS\"}]}",
	 "majorDimension \"COLUMNS\": only ROWS is read in tab \"A\""},
	{"{\"valueRanges\":[{\"range\":\"A!A1\",\"values\":[[{}]]}]}",
	 "an object where a cell should be in row 1 column A of tab \"A\""},
	{"{\"valueRanges\":[{\"values\":[[{}]],\"range\":\"A!A1\"}]}",
	 "an object where a cell should be in row 1 column A of valueRanges[0]"},
	{"{\"valueRanges\":[{\"range\":\"A!A1\"},{\"range\":\"'A'!B1\"}]}", NULL},
};

START_TEST(test_bad)
{
	const struct bad *b = &bads[_i];
	size_t n = strlen(b->in);
	struct sheetjson_doc *wf;
	struct err e;

	/* The one case with an embedded NUL. */
	if (strcmp(b->in, "{\"sheets\":[]}") == 0)
		n++;
	wf = parse(b->in, n, FILE_SHAPE, NULL, &e);
	if (b->want == NULL) {
		/* Edge cases that are valid after all. */
		ck_assert_msg(wf != NULL, "case %d: %s", _i, e.msg);
		sheetjson_free(wf);
		return;
	}
	ck_assert_msg(wf == NULL, "case %d accepted: %s", _i, b->in);
	ck_assert_int_eq(e.code, ERR_DATA);
	ck_assert_msg(strncmp(e.msg, "t.json:", 7) == 0, "case %d: %s", _i, e.msg);
	ck_assert_msg(strstr(e.msg, b->want) != NULL, "case %d: want \"%s\" in \"%s\"",
	    _i, b->want, e.msg);
}
END_TEST

START_TEST(test_error_position)
{
	static const char in[] =
	    "{\n  \"sheets\": [\n    {\"properties\": {\"title\": \"บางคล้า\"}, "
	    "\"values\": [[1], [1 2]]}\n  ]\n}";
	struct sheetjson_doc *wf;
	struct err e;

	wf = parse(in, sizeof(in) - 1, FILE_SHAPE, NULL, &e);
	ck_assert_ptr_null(wf);
	/* Column in bytes: the Thai title is 21 bytes for 7 characters. */
	ck_assert_str_eq(e.msg, "t.json:3:75: expected ',' or ']', found '2' "
	    "in row 2 column A of tab \"บางคล้า\"");
}
END_TEST

/* ---- limits --------------------------------------------------------- */

/* big(prefix, fill, count, suffix, n): prefix + fill*count + suffix. */
static char *
big(const char *prefix, const char *fill, size_t count, const char *suffix,
    size_t *n)
{
	size_t lp = strlen(prefix), lf = strlen(fill), ls = strlen(suffix), i;
	char *s = malloc(lp + lf * count + ls + 1), *p;

	ck_assert_ptr_nonnull(s);
	memcpy(s, prefix, lp);
	p = s + lp;
	for (i = 0; i < count; i++, p += lf)
		memcpy(p, fill, lf);
	memcpy(p, suffix, ls);
	*n = lp + lf * count + ls;
	s[*n] = '\0';
	return s;
}

struct limit {
	const char *prefix, *fill;
	size_t count;
	const char *suffix;
	const char *want;	/* NULL: must be accepted */
};

static const struct limit limits[] = {
	/* 100,000 deep: refused without recursion. */
	{"{\"x\":", "[", 100000, "", "nesting deeper than 64"},
	{"{\"x\":", "{\"a\":", 100000, "", "nesting deeper than 64"},
	{"", "[", 100000, "", "expected a JSON object, found '['"},
	{TAB_A, "[", 100000, "", "an array where a cell should be in row 1 column A"},
	{"{\"x\":", "[", 63, "", "unexpected end of input"},	/* depth 64: fine */
	{"{\"x\":", "[", 64, "", "nesting deeper than 64"},
	/* A 1 MB cell and the 50,000-character boundary (in characters). */
	{TAB_A "[[\"", "a", 1000000, "\"]]}]}",
	 "cell too long (1000000 characters, at most 50000) in row 1 column A "
	 "of tab \"A\""},
	{TAB_A "[[\"", "ก", 50000, "\"]]}]}", NULL},
	{TAB_A "[[\"", "ก", 50001, "\"]]}]}", "cell too long (50001 characters"},
	{TAB_A "[[\"", "\\u0e01", 50001, "\"]]}]}", "cell too long (50001 characters"},
	{TAB_A "[[\"x\",", "1,", 18276, "2]]}]}", NULL},
	{TAB_A "[[\"x\",", "1,", 18277, "2]]}]}", "more than 18278 cells in a row"},
	{TAB_A "[[", "1", 256, "]]}]}", NULL},
	{TAB_A "[[", "1", 257, "]]}]}", "number too long (257 bytes"},
	{TAB_A "[[1e", "9", 200, "]]}]}", NULL},
	{"{\"valueRanges\":[", "{\"range\":\"A!A1\"},", 1000, "{}]}", "more than 1000 tabs"},
};

START_TEST(test_limits)
{
	const struct limit *l = &limits[_i];
	struct sheetjson_doc *wf;
	struct err e;
	size_t n;
	char *s = big(l->prefix, l->fill, l->count, l->suffix, &n);

	wf = parse(s, n, FILE_SHAPE, NULL, &e);
	free(s);
	if (l->want == NULL) {
		ck_assert_msg(wf != NULL, "limit case %d: %s", _i, e.msg);
		sheetjson_free(wf);
		return;
	}
	ck_assert_msg(wf == NULL, "limit case %d accepted", _i);
	ck_assert_int_eq(e.code, ERR_DATA);
	ck_assert_msg(strstr(e.msg, l->want) != NULL, "limit case %d: want \"%s\" in "
	    "\"%s\"", _i, l->want, e.msg);
}
END_TEST

/* ---- every truncation and byte flip --------------------------------- */

static const char rich[] =
    "{\"spreadsheetId\":\"x\",\"properties\":{\"title\":\"t\\u0e01\"},\"sheets\":"
    "[{\"properties\":{\"sheetId\":12,\"title\":\"บางคล้า\",\"index\":0},"
    "\"values\":[[\"ลำดับ\",\"a\\\"b\\\\\\ud83c\\udf35\"],[],[1,-2.5e-3,true,"
    "false,null,\"\"]],\"x\":{\"y\":[1,{\"z\":null}]}},{\"properties\":"
    "{\"title\":\"B\"}}]}";
static const char rich_batch[] =
    "{\"spreadsheetId\":\"x\",\"valueRanges\":[{\"range\":\"'Jon''s'!A1:Q60\","
    "\"majorDimension\":\"ROWS\",\"values\":[[\"ก\",1],[],[true]]},"
    "{\"range\":\"B!A1:Z1000\",\"majorDimension\":\"ROWS\"}]}";

START_TEST(test_truncated)
{
	const char *doc = _i == 0 ? rich : rich_batch;
	size_t len = strlen(doc), k;
	struct sheetjson_doc *wf;
	struct err e;

	wf = parse(doc, len, FILE_SHAPE, NULL, &e);
	ck_assert_msg(wf != NULL, "%s", e.msg);
	sheetjson_free(wf);
	for (k = 0; k < len; k++) {
		wf = parse(doc, k, FILE_SHAPE, NULL, &e);
		ck_assert_msg(wf == NULL, "prefix of %zu bytes accepted", k);
		ck_assert_int_eq(e.code, ERR_DATA);
	}
}
END_TEST

START_TEST(test_byte_flips)
{
	static const char flips[] = "\"\\[]{},:0-e\x80\xff\x01 n";
	const char *doc = _i == 0 ? rich : rich_batch;
	size_t len = strlen(doc), k, f;
	struct sheetjson_doc *wf;
	struct err e;
	char *s = malloc(len);

	ck_assert_ptr_nonnull(s);
	for (k = 0; k < len; k++)
		for (f = 0; f < sizeof(flips) - 1; f++) {
			memcpy(s, doc, len);
			s[k] = flips[f];
			wf = parse(s, len, FILE_SHAPE, NULL, &e);
			if (wf != NULL) {
				free(dump(sheetjson_view(wf)));
				sheetjson_free(wf);
			} else
				ck_assert_int_eq(e.code, ERR_DATA);
		}
	free(s);
}
END_TEST

/* ---- batchGet with the requested titles ----------------------------- */

START_TEST(test_batchget_titles)
{
	static const char in[] =
	    "{\"spreadsheetId\":\"s\",\"valueRanges\":["
	    "{\"range\":\"'บางคล้า'!A1:Q60\",\"majorDimension\":\"ROWS\","
	    "\"values\":[[\"a\"]]},"
	    "{\"range\":\"'Jon''s Data'!A1:Q1000\",\"majorDimension\":\"ROWS\"},"
	    "{\"range\":\"Sheet1!A1:Q1000\",\"values\":[[],[1]]}]}";
	const char *titles[] = {"บางคล้า", "Jon's Data", "Sheet1"};
	const char *wrong[] = {"บางคล้า", "Jon's", "Sheet1"};
	struct sheetjson_request req = {"batch.json", titles, 3};
	struct sheetjson_doc *wf;
	struct err e;
	char *got;

	wf = parse(in, sizeof(in) - 1, BATCHGET, &req, &e);
	ck_assert_msg(wf != NULL, "%s", e.msg);
	got = dump(sheetjson_view(wf));
	ck_assert_str_eq(got, "id=s title=-\nT บางคล้า -1\nR s\"a\"\n"
	    "T Jon's Data -1\nT Sheet1 -1\nR\nR n1\n");
	free(got);
	sheetjson_free(wf);

	/* No request: titles from the echoes. */
	wf = parse(in, sizeof(in) - 1, BATCHGET, NULL, &e);
	ck_assert_msg(wf != NULL, "%s", e.msg);
	ck_assert_uint_eq(sheetjson_view(wf)->ntabs, 3);
	sheetjson_free(wf);

	req.titles = wrong;
	wf = parse(in, sizeof(in) - 1, BATCHGET, &req, &e);
	ck_assert_ptr_null(wf);
	ck_assert_int_eq(e.code, ERR_DATA);
	ck_assert_msg(strstr(e.msg, "batch.json:1:") == e.msg, "%s", e.msg);
	ck_assert_msg(strstr(e.msg, "range is on tab \"Jon's Data\" but \"Jon's\" "
	    "was requested") != NULL, "%s", e.msg);

	req.titles = titles;
	req.ntitles = 2;
	wf = parse(in, sizeof(in) - 1, BATCHGET, &req, &e);
	ck_assert_ptr_null(wf);
	ck_assert_msg(strstr(e.msg, "more valueRanges than the 2 ranges requested")
	    != NULL, "%s", e.msg);

	{
		const char *four[] = {"บางคล้า", "Jon's Data", "Sheet1", "More"};

		req.titles = four;
		req.ntitles = 4;
		wf = parse(in, sizeof(in) - 1, BATCHGET, &req, &e);
		ck_assert_ptr_null(wf);
		ck_assert_msg(strstr(e.msg, "3 valueRanges for 4 requested ranges")
		    != NULL, "%s", e.msg);
	}

	/* A workbook file is not a batchGet response. */
	wf = parse("{\"sheets\":[]}", 13, BATCHGET, NULL, &e);
	ck_assert_ptr_null(wf);
	ck_assert_msg(strstr(e.msg, "batchGet:1:") == e.msg, "%s", e.msg);
	ck_assert_msg(strstr(e.msg, "\"sheets\" in a values.batchGet response")
	    != NULL, "%s", e.msg);

	/* Nothing requested, nothing returned. */
	req.titles = titles;
	req.ntitles = 0;
	wf = parse("{\"spreadsheetId\":\"s\"}", 21, BATCHGET, &req, &e);
	ck_assert_msg(wf != NULL, "%s", e.msg);
	ck_assert_uint_eq(sheetjson_view(wf)->ntabs, 0);
	sheetjson_free(wf);
}
END_TEST

/* batchGetByDataFilter's MatchedValueRange: the ValueRange and its sheetId. */
START_TEST(test_batchget_by_filter)
{
	static const char in[] =
	    "{\"spreadsheetId\":\"s\",\"valueRanges\":["
	    "{\"valueRange\":{\"range\":\"'บางคล้า'!A1:Q60\",\"majorDimension\":\"ROWS\","
	    "\"values\":[[\"a\"]]},\"dataFilters\":[{\"gridRange\":{\"sheetId\":123456789}}]},"
	    "{\"dataFilters\":[{\"gridRange\":{}}],"
	    "\"valueRange\":{\"range\":\"Sheet1!A1:Q1000\",\"values\":[[],[1]]}}]}";
	struct sheetjson_doc *wf;
	struct err e;
	char *got;

	wf = parse(in, sizeof(in) - 1, BATCHGET, NULL, &e);
	ck_assert_msg(wf != NULL, "%s", e.msg);
	got = dump(sheetjson_view(wf));
	ck_assert_str_eq(got, "id=s title=-\nT บางคล้า 123456789\nR s\"a\"\n"
	    "T Sheet1 0\nR\nR n1\n");
	free(got);
	sheetjson_free(wf);
	/* A matched range without its ValueRange, or with two. */
	wf = parse("{\"valueRanges\":[{\"dataFilters\":[]}]}", 36, BATCHGET, NULL, &e);
	ck_assert_ptr_null(wf);
	wf = parse("{\"valueRanges\":[{\"valueRange\":{\"range\":\"a\"},"
	    "\"valueRange\":{\"range\":\"a\"}}]}", 73, BATCHGET, NULL, &e);
	ck_assert_ptr_null(wf);
	ck_assert_msg(strstr(e.msg, "duplicate \"valueRange\"") != NULL, "%s", e.msg);
}
END_TEST

START_TEST(test_range_title)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"'Jon''s Data'!A1:Z1000", "Jon's Data"},
		{"Sheet1!A1", "Sheet1"},
		{"Sheet1", "Sheet1"},
		{"'D3'", "D3"},
		{"'🌵 test 1'!A1:A", "🌵 test 1"},
		{"บางคล้า!A1:Q60", "บางคล้า"},
		{"a!b!C1", "a"},		/* a bare title ends at the first '!' */
		{"''''!A1", "'"},
		{"'a'x", NULL},
		{"'a", NULL},
		{"'", NULL},
		{"it's!A1", NULL},		/* Google quotes a title with a quote */
		{"!A1", NULL},
	};
	size_t i, tl, at;
	char buf[64];
	struct err e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].in);

		memcpy(buf, cases[i].in, n + 1);
		err_init(&e);
		if (cases[i].want == NULL) {
			ck_assert_msg(range_parse(buf, n, &tl, &at, &e) == -1, "%s",
			    cases[i].in);
			continue;
		}
		ck_assert_int_eq(range_parse(buf, n, &tl, &at, &e), 0);
		ck_assert_uint_eq(tl, strlen(cases[i].want));
		ck_assert_msg(memcmp(buf, cases[i].want, tl) == 0, "%s", cases[i].in);
	}
}
END_TEST

/* ---- files ---------------------------------------------------------- */

static void
write_file(const char *path, const char *s, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(s, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_files)
{
	char dir[] = "/tmp/check_sheetjson.XXXXXX", path[128];
	struct sheetjson_doc *wf;
	struct err e;

	ck_assert_ptr_nonnull(mkdtemp(dir));

	snprintf(path, sizeof(path), "%s/missing.json", dir);
	err_init(&e);
	ck_assert_ptr_null(sheetjson_load_file(path, &e));
	ck_assert_int_eq(e.code, ERR_NOINPUT);
	ck_assert_msg(strstr(e.msg, path) == e.msg, "%s", e.msg);

	err_init(&e);
	ck_assert_ptr_null(sheetjson_load_file(dir, &e));
	ck_assert_int_eq(e.code, ERR_NOINPUT);

	snprintf(path, sizeof(path), "%s/wb.json", dir);
	write_file(path, rich, sizeof(rich) - 1);
	err_init(&e);
	wf = sheetjson_load_file(path, &e);
	ck_assert_msg(wf != NULL, "%s", e.msg);
	ck_assert_uint_eq(sheetjson_view(wf)->ntabs, 2);
	ck_assert_str_eq(sheetjson_view(wf)->tabs[0].title, "บางคล้า");
	ck_assert_int_eq(sheetjson_view(wf)->tabs[0].sheet_id, 12);
	ck_assert_uint_eq(sheetjson_view(wf)->tabs[0].nrows, 3);
	sheetjson_free(wf);

	/* Not readable for an unprivileged user. */
	if (geteuid() != 0) {
		chmod(path, 0);
		err_init(&e);
		ck_assert_ptr_null(sheetjson_load_file(path, &e));
		ck_assert_int_eq(e.code, ERR_NOINPUT);
	}
	unlink(path);

	snprintf(path, sizeof(path), "%s/empty.json", dir);
	write_file(path, "", 0);
	err_init(&e);
	ck_assert_ptr_null(sheetjson_load_file(path, &e));
	ck_assert_int_eq(e.code, ERR_DATA);
	ck_assert_msg(strstr(e.msg, "empty input") != NULL, "%s", e.msg);
	unlink(path);

	snprintf(path, sizeof(path), "%s/bad.json", dir);
	write_file(path, "{\"sheets\":[}", 12);
	err_init(&e);
	ck_assert_ptr_null(sheetjson_load_file(path, &e));
	ck_assert_int_eq(e.code, ERR_DATA);
	ck_assert_msg(strstr(e.msg, path) == e.msg, "%s", e.msg);
	ck_assert_msg(strstr(e.msg, ":1:12: ") != NULL, "%s", e.msg);
	unlink(path);

	rmdir(dir);
	sheetjson_free(NULL);
}
END_TEST

/*
 * A 2,000-row, 17-column tab read back cell for cell; then 20,000 rows with
 * white space before each cell (an 11 MB input): the pages the parse has
 * consumed are handed back while the packed text (3 MB of it) is still to
 * be written over them, and every cell reads back all the same.
 */
static const struct {
	size_t rows;
	size_t cap;
	const char *pad;
} many[] = {
	{ 2000, 1 << 20, "" },
	{ 20000, 16 << 20, "\n                        " },
};

START_TEST(test_many_rows)
{
	size_t rows = many[_i].rows, cap = many[_i].cap, n = 0, i, j;
	const char *pad = many[_i].pad;
	char *s = malloc(cap);
	struct sheetjson_doc *wf;
	const struct workbook_tab *t;
	struct err e;

	ck_assert_ptr_nonnull(s);
	n += (size_t)snprintf(s + n, cap - n, "%s", TAB_A "[");
	for (i = 0; i < rows; i++) {
		n += (size_t)snprintf(s + n, cap - n, "%s[", i ? "," : "");
		for (j = 0; j < 17; j++)
			n += (size_t)snprintf(s + n, cap - n, j % 2 ? "%s%s\"r%zuc%zu\"" :
			    "%s%s%zu", j ? "," : "", pad, i * 17 + j, j);
		n += (size_t)snprintf(s + n, cap - n, "]");
		ck_assert_uint_lt(n, cap - 1000);
	}
	n += (size_t)snprintf(s + n, cap - n, "]}]}");
	wf = parse(s, n, FILE_SHAPE, NULL, &e);
	ck_assert_msg(wf != NULL, "%s", e.msg);
	t = &sheetjson_view(wf)->tabs[0];
	ck_assert_uint_eq(t->nrows, rows);
	for (i = 0; i < rows; i++) {
		ck_assert_uint_eq(t->rows[i].ncells, 17);
		for (j = 0; j < 17; j++) {
			const struct workbook_cell *c = &t->rows[i].cells[j];
			char want[64];

			snprintf(want, sizeof(want), j % 2 ? "r%zuc%zu" : "%zu",
			    i * 17 + j, j);
			ck_assert_int_eq(c->type, j % 2 ? WORKBOOK_STRING : WORKBOOK_NUMBER);
			ck_assert_uint_eq(c->len, strlen(want));
			ck_assert(memcmp(c->text, want, c->len) == 0);
		}
	}
	sheetjson_free(wf);
	free(s);
}
END_TEST

/*
 * Kept text is packed at the front of the buffer, which then shrinks (and
 * may move: under valgrind and ASan it always does).  A pretty-printed
 * document with escapes reads back exactly like its compact form.
 */
START_TEST(test_packed_text)
{
	static const char head[] = "{\"spreadsheetId\": \"id\\u0031\", \"properties\": "
	    "{\"title\": \"\\u0e1a\\\"b\\\\\"}, \"sheets\": [{\"properties\": "
	    "{\"title\": \"t\\/1\", \"sheetId\": 7}, \"values\": [";
	static const char cells[][24] = { "\"a\\u0e01\\\"b\"", "1.5e3", "true",
	    "null", "\"\"", "-0", "false", "\"\\ud83d\\ude00x\"" };
	const char *pad[2] = { "", "\n                                        " };
	char *s[2], *got[2];
	size_t n[2], cap = 2u << 20, i, j, k;
	struct sheetjson_doc *wf;
	struct err e;

	for (k = 0; k < 2; k++) {
		s[k] = malloc(cap);
		ck_assert_ptr_nonnull(s[k]);
		n[k] = (size_t)snprintf(s[k], cap, "%s", head);
		for (i = 0; i < 3000; i++) {
			n[k] += (size_t)snprintf(s[k] + n[k], cap - n[k], "%s%s[", i ? "," : "",
			    pad[k]);
			for (j = 0; j < 8; j++)
				n[k] += (size_t)snprintf(s[k] + n[k], cap - n[k], "%s%s%s",
				    j ? "," : "", pad[k], cells[(i + j) % 8]);
			n[k] += (size_t)snprintf(s[k] + n[k], cap - n[k], "%s]", pad[k]);
			ck_assert_uint_lt(n[k], cap - 200);
		}
		n[k] += (size_t)snprintf(s[k] + n[k], cap - n[k], "%s]}]}", pad[k]);
		wf = parse(s[k], n[k], FILE_SHAPE, NULL, &e);
		ck_assert_msg(wf != NULL, "%s", e.msg);
		got[k] = dump(sheetjson_view(wf));
		sheetjson_free(wf);
		free(s[k]);
	}
	ck_assert_uint_gt(n[1] - n[0], 64u << 10);	/* the padded one shrinks */
	ck_assert_str_eq(got[1], got[0]);
	ck_assert_ptr_nonnull(strstr(got[0], "id=id1 title=\xe0\xb8\x9a\"b\\\n"
	    "T t/1 7\nR s\"a\xe0\xb8\x81\"b\" n1.5e3 bTRUE e s\"\" n-0 bFALSE "
	    "s\"\xf0\x9f\x98\x80x\"\n"));
	free(got[0]);
	free(got[1]);
}
END_TEST

/*
 * The last text kept may be empty (a "" cell): it points at the end of the
 * packed text, one past the last byte the buffer keeps.  When the buffer
 * shrinks and moves (under valgrind and ASan it always does), that pointer
 * moves with the rest: it once stayed in the freed buffer.
 */
START_TEST(test_packed_empty_last)
{
	struct sheetjson_doc *wf;
	const struct workbook_row *r;
	struct err e;
	char *s;
	size_t n;

	s = big("{\"sheets\": [{\"properties\": {\"title\": \"T\"}, \"values\": "
	    "[[\"ab\", \"\"]]}]", " ", 70000, "}", &n);
	wf = parse(s, n, FILE_SHAPE, NULL, &e);
	ck_assert_msg(wf != NULL, "%s", e.msg);
	r = &sheetjson_view(wf)->tabs[0].rows[0];
	ck_assert_uint_eq(r->ncells, 2);
	ck_assert_uint_eq(r->cells[0].len, 2);
	ck_assert_uint_eq(r->cells[1].type, WORKBOOK_STRING);
	ck_assert_uint_eq(r->cells[1].len, 0);
	/* Packed in order: "T\0", "ab", then the empty text right after. */
	ck_assert_ptr_eq(r->cells[0].text, sheetjson_view(wf)->tabs[0].title + 2);
	ck_assert_ptr_eq(r->cells[1].text, r->cells[0].text + 2);
	sheetjson_free(wf);
	free(s);
}
END_TEST

/*
 * A cell text equal to one kept before points at that copy (the escaped
 * form too, and a number's digits equal to a string's), while texts that
 * differ only in their middle (the same length, first and last 16 bytes:
 * the same slot) stay apart; a text that lost its slot is kept again.
 */
START_TEST(test_shared_text)
{
	static const char in[] = TAB_A "["
	    "[\"abc\", \"ab\\u0063\", 17, \"17\", \"\", \"\"],"
	    "[\"0123456789abcdefXXXXXXXX0123456789abcdef\","
	    "\"0123456789abcdefYYYYYYYY0123456789abcdef\","
	    "\"0123456789abcdefXXXXXXXX0123456789abcdef\","
	    "\"0123456789abcdefYYYYYYYY0123456789abcdef\"],"
	    "[\"abc\", 17]]}]}";
	static const char x[] = "0123456789abcdefXXXXXXXX0123456789abcdef";
	static const char y[] = "0123456789abcdefYYYYYYYY0123456789abcdef";
	const struct workbook_row *r;
	struct sheetjson_doc *wf;
	struct err e;
	size_t i;

	wf = parse(in, sizeof(in) - 1, FILE_SHAPE, NULL, &e);
	ck_assert_msg(wf != NULL, "%s", e.msg);
	r = sheetjson_view(wf)->tabs[0].rows;
	ck_assert_uint_eq(r[0].ncells, 6);
	ck_assert_uint_eq(r[0].cells[0].len, 3);
	ck_assert(memcmp(r[0].cells[0].text, "abc", 3) == 0);
	ck_assert_ptr_eq(r[0].cells[1].text, r[0].cells[0].text);
	ck_assert_uint_eq(r[0].cells[1].len, 3);
	ck_assert_int_eq(r[0].cells[2].type, WORKBOOK_NUMBER);
	ck_assert_int_eq(r[0].cells[3].type, WORKBOOK_STRING);
	ck_assert_ptr_eq(r[0].cells[3].text, r[0].cells[2].text);
	ck_assert(memcmp(r[0].cells[3].text, "17", 2) == 0);
	ck_assert_uint_eq(r[0].cells[4].len, 0);
	ck_assert_uint_eq(r[0].cells[5].len, 0);
	/* x and y share a slot: each takes it from the other, none is shared. */
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(r[1].cells[i].len, sizeof(x) - 1);
		ck_assert(memcmp(r[1].cells[i].text, i % 2 ? y : x, sizeof(x) - 1) == 0);
		if (i > 0)
			ck_assert_ptr_ne(r[1].cells[i].text, r[1].cells[i - 1].text);
	}
	ck_assert_ptr_ne(r[1].cells[2].text, r[1].cells[0].text);
	ck_assert_ptr_eq(r[2].cells[0].text, r[0].cells[0].text);
	ck_assert_ptr_eq(r[2].cells[1].text, r[0].cells[2].text);
	sheetjson_free(wf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("workbook");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_good, 0, sizeof(goods) / sizeof(goods[0]));
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bads) / sizeof(bads[0]));
	tcase_add_test(tc, test_error_position);
	tcase_add_loop_test(tc, test_limits, 0, sizeof(limits) / sizeof(limits[0]));
	tcase_add_loop_test(tc, test_truncated, 0, 2);
	tcase_add_loop_test(tc, test_byte_flips, 0, 2);
	tcase_add_test(tc, test_batchget_titles);
	tcase_add_test(tc, test_batchget_by_filter);
	tcase_add_test(tc, test_range_title);
	tcase_add_test(tc, test_files);
	tcase_add_loop_test(tc, test_many_rows, 0, sizeof(many) / sizeof(many[0]));
	tcase_add_test(tc, test_packed_text);
	tcase_add_test(tc, test_packed_empty_last);
	tcase_add_test(tc, test_shared_text);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
