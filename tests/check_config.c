/*
 * check_config: the configuration loader (syncd/config.c).
 *
 * What a user relies on: the defaults are DOMAIN.md's layout; the shipped
 * etc/syncd.conf says exactly the defaults (but the two placeholders); a
 * file that sets every key is read as written; and every kind of mistake is
 * refused with the file and the line of the mistake.  Run from the top of
 * the tree (make check does), so etc/syncd.conf is found.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "syncd/config.h"

#define NAME "t.conf"
#define CREDS "spreadsheet_id = \"abc-DEF_123\";\nkey_file = \"/k.json\";\n"

static struct config *
load(const char *text, int flags, struct err *e)
{
	err_init(e);
	return config_load_string(text, strlen(text), NAME, flags, e);
}

static int32_t
ymd(int y, int m, int d)
{
	return rules_days_from_civil(y, m, d);
}

START_TEST(test_defaults)
{
	struct err e;
	struct config *c;
	const struct rules_config *r;

	err_init(&e);
	c = config_new_default(&e);
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->spreadsheet_id, "");
	ck_assert_str_eq(c->key_file, "");
	ck_assert_str_eq(c->sheets_url, "https://sheets.googleapis.com");
	ck_assert_str_eq(c->drive_url, "https://www.googleapis.com");
	ck_assert_str_eq(c->ca_file, "");
	ck_assert_str_eq(c->state_dir, "/var/lib/syncd");
	ck_assert_str_eq(c->audit_log, "/var/lib/syncd/audit.jsonl");
	ck_assert_str_eq(c->metrics_dir, "");
	ck_assert_int_eq(c->poll_interval, 60);
	ck_assert_int_eq(c->full_read_every, 60);
	ck_assert_int_eq(c->connect_timeout, 10);
	ck_assert_int_eq(c->request_timeout, 60);
	ck_assert_int_eq(c->retry_budget, 120);
	ck_assert_int_eq(c->annotate_districts, 1);
	r = &c->rules;
	ck_assert_int_eq(r->fiscal_year_start, ymd(2023, 10, 1));
	ck_assert_int_eq(r->classification_deadline, ymd(2024, 1, 31));
	ck_assert_int_eq(r->activity_deadline, ymd(2024, 3, 20));
	ck_assert_int_eq(r->district_minimum, 1);
	ck_assert_int_eq(r->province_minimum, 10);
	ck_assert(r->income_floor == 40000.0);
	ck_assert_uint_eq(r->heading_row, 2);
	ck_assert_uint_eq(r->ndistricts, 0);
	ck_assert_str_eq(r->summary_tab, "สรุปข้อมูล");
	ck_assert_str_eq(r->discrepancy_tab, "ตรวจสอบข้อมูล");
	ck_assert_str_eq(r->total_label, "รวมทั้งจังหวัด");
	ck_assert_uint_eq(r->nfields, 16);
	ck_assert_str_eq(r->fields[0].name, "key");
	ck_assert_int_eq(r->fields[0].role, RULES_ROLE_KEY);
	config_free(c);
	config_free(NULL);
}
END_TEST

/* The two configurations hold the same rule configuration. */
static void
assert_same_rules(const struct rules_config *a, const struct rules_config *b)
{
	size_t i;

	ck_assert_uint_eq(a->nfields, b->nfields);
	for (i = 0; i < a->nfields; i++) {
		ck_assert_str_eq(a->fields[i].name, b->fields[i].name);
		ck_assert_str_eq(a->fields[i].heading, b->fields[i].heading);
		ck_assert_int_eq(a->fields[i].role, b->fields[i].role);
		ck_assert_int_eq(!!a->fields[i].required, !!b->fields[i].required);
		ck_assert_int_eq(!!a->fields[i].is_date, !!b->fields[i].is_date);
		ck_assert_int_eq(!!a->fields[i].developable, !!b->fields[i].developable);
		if (a->fields[i].role == RULES_ROLE_STATUS)
			ck_assert_str_eq(a->fields[i].label, b->fields[i].label);
	}
	ck_assert_uint_eq(a->nmarks_set, b->nmarks_set);
	for (i = 0; i < a->nmarks_set; i++)
		ck_assert_str_eq(a->marks_set[i], b->marks_set[i]);
	ck_assert_uint_eq(a->nmarks_empty, b->nmarks_empty);
	for (i = 0; i < a->nmarks_empty; i++)
		ck_assert_str_eq(a->marks_empty[i], b->marks_empty[i]);
	ck_assert_int_eq(a->fiscal_year_start, b->fiscal_year_start);
	ck_assert_int_eq(a->classification_deadline, b->classification_deadline);
	ck_assert_int_eq(a->activity_deadline, b->activity_deadline);
	ck_assert_int_eq(a->district_minimum, b->district_minimum);
	ck_assert_int_eq(a->province_minimum, b->province_minimum);
	ck_assert(a->income_floor == b->income_floor);
	ck_assert_uint_eq(a->heading_row, b->heading_row);
	ck_assert_uint_eq(a->ndistricts, b->ndistricts);
	ck_assert_str_eq(a->summary_tab, b->summary_tab);
	ck_assert_str_eq(a->discrepancy_tab, b->discrepancy_tab);
	ck_assert_str_eq(a->total_label, b->total_label);
}

START_TEST(test_shipped_file_is_the_defaults)
{
	struct err e;
	struct config *c, *d;

	err_init(&e);
	c = config_load("etc/syncd.conf", 0, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	d = config_new_default(&e);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(c->spreadsheet_id, "REPLACE-WITH-SPREADSHEET-ID");
	ck_assert_str_eq(c->key_file, "/etc/syncd/service-account.json");
	ck_assert_str_eq(c->sheets_url, d->sheets_url);
	ck_assert_str_eq(c->drive_url, d->drive_url);
	ck_assert_str_eq(c->ca_file, d->ca_file);
	ck_assert_str_eq(c->state_dir, d->state_dir);
	ck_assert_str_eq(c->audit_log, d->audit_log);
	ck_assert_str_eq(c->metrics_dir, d->metrics_dir);
	ck_assert_int_eq(c->poll_interval, d->poll_interval);
	ck_assert_int_eq(c->full_read_every, d->full_read_every);
	ck_assert_int_eq(c->connect_timeout, d->connect_timeout);
	ck_assert_int_eq(c->request_timeout, d->request_timeout);
	ck_assert_int_eq(c->retry_budget, d->retry_budget);
	assert_same_rules(&c->rules, &d->rules);
	ck_assert_str_eq(c->path, "etc/syncd.conf");
	config_free(c);
	config_free(d);
}
END_TEST

/* A file setting every key, Indicator-4 style: other statuses and fields. */
static const char full[] =
    "spreadsheet_id = \"1AbC-x_9\";\n"
    "key_file = \"/etc/syncd/sa.json\";\n"
    "sheets_url = \"http://127.0.0.1:8443/\";\n"
    "drive_url = \"https://drive.example.org/base//\";\n"
    "ca_file = \"/tmp/ca.pem\";\n"
    "state_dir = \"/srv/state\";\n"
    "audit_log = \"/srv/state/a.jsonl\";\n"
    "metrics_dir = \"/var/lib/node_exporter\";\n"
    "poll_interval = 5;\n"
    "full_read_every = 1;\n"
    "connect_timeout = 300;\n"
    "request_timeout = 3600;\n"
    "retry_budget = 0;\n"
    "annotate_districts = false;\n"
    "columns = (\n"
    "  { field = \"key\"; heading = \"B\"; },\n"
    "  { field = \"status.helped\"; heading = \"ช่วยแล้ว\"; label = \"ช่วยแล้ว\";\n"
    "    developable = true; },\n"
    "  { field = \"status.exception\"; heading = \"ข้อยกเว้น\"; label = \"ยกเว้น\"; },\n"
    "  { field = \"dimension\"; heading = \"มิติ\"; required = true; },\n"
    "  { field = \"evidence.when\"; role = \"activity\"; heading = \"เมื่อ\"; date = true; },\n"
    "  { field = \"activity.what\"; heading = \"อะไร\"; required = false; }\n"
    ");\n"
    "marks_set = [ \"/\", \"✓\" ];\n"
    "marks_empty = [ ];\n"
    "fiscal_year_start = \"2024-10-01\";\n"
    "classification_deadline = \"2024-10-01\";\n"
    "activity_deadline = \"2025-09-30\";\n"
    "district_minimum = 0;\n"
    "province_minimum = 100000000;\n"
    "income_floor = 38000.5;\n"
    "heading_row = 1;\n"
    "districts = [ \"ก\", \"ข\" ];\n"
    "summary_tab = \"Summary\";\n"
    "discrepancy_tab = \"Issues\";\n"
    "total_label = \"Total\";\n";

START_TEST(test_full_file)
{
	struct err e;
	struct config *c = load(full, 0, &e);
	const struct rules_config *r;

	ck_assert_msg(c != NULL, "%s", e.msg);
	ck_assert_str_eq(c->spreadsheet_id, "1AbC-x_9");
	ck_assert_str_eq(c->sheets_url, "http://127.0.0.1:8443");
	ck_assert_str_eq(c->drive_url, "https://drive.example.org/base");
	ck_assert_str_eq(c->ca_file, "/tmp/ca.pem");
	ck_assert_str_eq(c->metrics_dir, "/var/lib/node_exporter");
	ck_assert_int_eq(c->poll_interval, 5);
	ck_assert_int_eq(c->full_read_every, 1);
	ck_assert_int_eq(c->connect_timeout, 300);
	ck_assert_int_eq(c->request_timeout, 3600);
	ck_assert_int_eq(c->retry_budget, 0);
	ck_assert_int_eq(c->annotate_districts, 0);
	r = &c->rules;
	ck_assert_uint_eq(r->nfields, 6);
	ck_assert_int_eq(r->fields[0].role, RULES_ROLE_KEY);
	ck_assert(r->fields[0].required);
	ck_assert_str_eq(r->fields[0].heading, "B");
	ck_assert_int_eq(r->fields[1].role, RULES_ROLE_STATUS);
	ck_assert(r->fields[1].developable);
	ck_assert_str_eq(r->fields[1].label, "ช่วยแล้ว");
	ck_assert(!r->fields[2].developable);
	ck_assert_int_eq(r->fields[3].role, RULES_ROLE_INFO);
	ck_assert(r->fields[3].required);
	ck_assert_int_eq(r->fields[4].role, RULES_ROLE_ACTIVITY);
	ck_assert(r->fields[4].is_date);
	ck_assert(!r->fields[5].required);
	ck_assert_uint_eq(r->nmarks_set, 2);
	ck_assert_str_eq(r->marks_set[1], "✓");
	ck_assert_uint_eq(r->nmarks_empty, 0);
	ck_assert_int_eq(r->fiscal_year_start, ymd(2024, 10, 1));
	ck_assert_int_eq(r->activity_deadline, ymd(2025, 9, 30));
	ck_assert_int_eq(r->district_minimum, 0);
	ck_assert_int_eq(r->province_minimum, 100000000);
	ck_assert(r->income_floor == 38000.5);
	ck_assert_uint_eq(r->heading_row, 1);
	ck_assert_uint_eq(r->ndistricts, 2);
	ck_assert_str_eq(r->districts[1], "ข");
	ck_assert_str_eq(r->summary_tab, "Summary");
	ck_assert_str_eq(r->total_label, "Total");
	config_free(c);
}
END_TEST

START_TEST(test_credentials)
{
	struct err e;
	struct config *c;

	c = load("poll_interval = 30;\n", 0, &e);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(e.code, ERR_CONFIG);
	ck_assert_str_eq(e.msg, "t.conf: spreadsheet_id is required");
	c = load("spreadsheet_id = \"x\";\n", 0, &e);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(e.msg, "t.conf: key_file is required");
	c = load("poll_interval = 30;\n", CONFIG_NO_CREDENTIALS, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	ck_assert_int_eq(c->poll_interval, 30);
	config_free(c);
	c = load("", CONFIG_NO_CREDENTIALS, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	config_free(c);
}
END_TEST

START_TEST(test_local_http)
{
	static const char *const ok[] = {
		"http://localhost", "http://[::1]:99/x", "http://127.0.0.1",
		"https://a", "https://sheets.googleapis.com/",
	};
	char buf[256];
	struct err e;
	struct config *c;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(buf, sizeof(buf), CREDS "sheets_url = \"%s\";\n", ok[i]);
		c = load(buf, 0, &e);
		ck_assert_msg(c != NULL, "%s: %s", ok[i], e.msg);
		config_free(c);
	}
}
END_TEST

/* Every kind of mistake, with the line it must be reported on. */
static const struct bad {
	const char *text;	/* after CREDS (two lines) */
	unsigned line;		/* 0: no line in the message */
	const char *what;	/* a part of the message */
} bad[] = {
	{ "poll_interval = 60;\nstate_dir = = \"/x\";\n", 4, "syntax error" },
	{ "\n\npol_interval = 60;\n", 5, "unknown key 'pol_interval'" },
	{ "poll_interval = \"60\";\n", 3, "expected a whole number" },
	{ "poll_interval = 4;\n", 3, "out of range" },
	{ "poll_interval = 86401;\n", 3, "out of range" },
	{ "poll_interval = 4294967356;\n", 3, "too large" },
	{ "poll_interval = 0x100000000;\n", 3, "too large" },
	{ "poll_interval = 60.0;\n", 3, "expected a whole number" },
	{ "retry_budget = -1;\n", 3, "out of range" },
	{ "annotate_districts = 1;\n", 3, "annotate_districts: expected true or false" },
	{ "heading_row = 0;\n", 3, "out of range" },
	{ "income_floor = \"4\";\n", 3, "expected a number" },
	{ "income_floor = -1.5;\n", 3, "out of range" },
	{ "state_dir = 5;\n", 3, "expected a string" },
	{ "state_dir = \"var/lib\";\n", 3, "not an absolute path" },
	{ "state_dir = \"\";\n", 3, "must not be empty" },
	{ "sheets_url = \"http://example.org\";\n", 3, "only to" },
	{ "sheets_url = \"http://127.0.0.1.evil.org\";\n", 3, "only to" },
	{ "drive_url = \"ftp://x\";\n", 3, "not an https:// URL" },
	{ "drive_url = \"https://u:p@x\";\n", 3, "user information" },
	{ "drive_url = \"https://\";\n", 3, "no host" },
	{ "fiscal_year_start = \"2023-13-01\";\n", 3, "not a date" },
	{ "fiscal_year_start = \"1/10/2566\";\n", 3, "not a date" },
	{ "activity_deadline = \"2024-02-30\";\n", 3, "not a date" },
	{ "fiscal_year_start = \"2023-10-01\";\nclassification_deadline = \"2023-09-30\";\n",
	    4, "before fiscal_year_start" },
	{ "\nactivity_deadline = \"2024-01-01\";\n", 4, "before classification_deadline" },
	{ "summary_tab = \"\";\n", 3, "must not be empty" },
	{ "discrepancy_tab = \"สรุปข้อมูล\";\n", 3, "the same tab" },
	{ "districts = [ \"a\", \"สรุปข้อมูล\" ];\n", 3, "summary or discrepancy" },
	{ "districts = [ \"a\",\n \"a\" ];\n", 4, "listed twice" },
	{ "districts = \"a\";\n", 3, "expected a list" },
	{ "marks_set = [ ];\n", 3, "at least" },
	{ "marks_set = [ \"1\" ];\nmarks_empty = [ \"1\" ];\n", 4, "both" },
	{ "marks_set = ( \"1\", 2 );\n", 3, "not a string" },
	{ "marks_set = [ \"1\", \"TRUE\" ];\nmarks_empty = [ \"true\" ];\n", 4, "both" },
	{ "marks_set = [ \"1\" ];\nmarks_empty = [ \" 1.0 \" ];\n", 4, "both" },
	{ "marks_set = [ \"x\",\n \"X\" ];\n", 4, "same mark" },
	{ "marks_set = [ \" \" ];\n", 3, "blank" },
	{ "marks_set = [ \"123456789012345678901234567890123\" ];\n", 3, "longer than" },
	{ "columns = ( );\n", 3, "empty" },
	{ "columns = { key = \"x\"; };\n", 3, "expected a list of groups" },
	{ "columns = ( { field = \"key\"; heading = \"a\"; },\n"
	    "  { field = \"key\"; heading = \"b\"; } );\n", 4, "appears twice" },
	{ "columns = ( { field = \"key\"; heading = \"a\"; },\n"
	    "  { field = \"kex\"; role = \"key\"; heading = \"b\"; } );\n", 4, "second key" },
	{ "columns = ( { field = \"key\"; heading = \"a\"; },\n"
	    "  { field = \"activity.a\"; heading = \"b\"; date = true; },\n"
	    "  { field = \"activity.b\"; heading = \"c\"; date = true; } );\n",
	    5, "second date" },
	{ "columns = ( { field = \"key\"; heading = \"a\"; },\n"
	    "  { field = \"name\"; heading = \"  a \"; } );\n", 4, "same heading" },
	{ "columns = ( { field = \"key\"; heading = \"a\"; },\n"
	    "  { field = \"name\"; heding = \"b\"; } );\n", 4, "unknown key 'heding'" },
	{ "columns = ( { field = \"key\"; heading = \"a\"; },\n"
	    "  { field = \"name\"; } );\n", 4, "no heading" },
	{ "columns = ( { field = \"Key\"; heading = \"a\"; } );\n", 3, "lower-case" },
	{ "columns = ( { field = \"key\"; heading = \"a\"; },\n"
	    "  { field = \"status.a\"; heading = \"b\"; } );\n", 4, "needs label" },
	{ "columns = ( { field = \"key\"; heading = \"a\"; },\n"
	    "  { field = \"status.a\"; heading = \"b\"; label = \"x\"; } );\n",
	    3, "no status field is developable" },
	{ "columns = ( { field = \"key\"; heading = \"a\"; } );\n", 3, "no status field" },
	{ "columns = ( { field = \"name\"; heading = \"a\"; } );\n", 3, "no key field" },
	{ "columns = ( { field = \"key\"; heading = \"a\"; },\n"
	    "  { field = \"status.a\"; heading = \"b\"; label = \"x\"; developable = 1; } );\n",
	    4, "expected true or false" },
	{ "columns = ( { field = \"key\"; heading = \"a\"; role = \"boss\"; } );\n",
	    3, "not one of" },
	{ "columns = ( { field = \"key\"; heading = \"a\"; date = true; } );\n",
	    3, "only an activity field" },
	{ "columns = ( { field = \"key\"; heading = \"a\"; required = false; } );\n",
	    3, "always required" },
	{ "\n@include \"/etc/passwd\"\n", 4, "@include is not allowed" },
	{ "total_label = \"a\\x01b\";\n", 3, "control character" },
	{ "total_label = \"a\xff\";\n", 3, "UTF-8" },
	{ "poll_interval = 60;\npoll_interval = 61;\n", 4, "duplicate" },
	{ "http = { x = 1; };\n", 3, "unknown key 'http'" },
	/* Reports over time (issue 15). */
	{ "snapshot_days = [ 10, 32 ];\n", 3, "not a day of the month (1 to 31)" },
	{ "snapshot_days = [ 0 ];\n", 3, "not a day of the month" },
	{ "snapshot_days = [ 10, 10 ];\n", 3, "listed twice" },
	{ "snapshot_days = 10;\n", 3, "expected a list" },
	{ "snapshot_days = [ \"10\" ];\n", 3, "not a whole number" },
	{ "history_tab = \"สรุปข้อมูล\";\n", 3, "summary or discrepancy" },
	{ "mail = { url = \"http://x\"; from = \"a@b.org\"; to = [ \"c@d.org\" ]; };\n", 3,
	    "not an smtps:// or smtp:// URL" },
	{ "mail = { url = \"smtps://u:p@x\"; from = \"a@b.org\"; to = [ \"c@d.org\" ]; };\n",
	    3, "not in the URL" },
	{ "mail = { url = \"smtps://x\"; from = \"a@b.org\";\n to = [ \"c@d.org\",\n"
	    " \"not an address\" ]; };\n", 5, "mail.to: \"not an address\" is not an e-mail" },
	{ "mail = { url = \"smtps://x\"; from = \"a@b.org\"; to = [ \"<c@d.org>\" ]; };\n",
	    3, "not an e-mail address" },
	{ "mail = { url = \"smtps://x\"; from = \"ab.org\"; to = [ \"c@d.org\" ]; };\n",
	    3, "mail.from" },
	{ "mail = { url = \"smtps://x\"; from = \"a@b.org\"; to = [ ]; };\n", 3,
	    "at least one" },
	{ "mail = { url = \"smtps://x\"; to = [ \"c@d.org\" ]; };\n", 3, "from is required" },
	{ "mail = { url = \"smtps://x\"; from = \"a@b.org\"; to = [ \"c@d.org\" ];\n"
	    " day = 32; };\n", 4, "out of range" },
	{ "mail = { url = \"smtps://x\"; from = \"a@b.org\"; to = [ \"c@d.org\" ];\n"
	    " password_file = \"pw\"; };\n", 4, "not an absolute path" },
	{ "mail = { url = \"smtps://x\"; from = \"a@b.org\"; to = [ \"c@d.org\" ];\n"
	    " password_file = \"/pw\"; };\n", 3, "user is not" },
	{ "mail = { url = \"smtps://x\"; from = \"a@b.org\"; to = [ \"c@d.org\" ];\n"
	    " cc = \"x\"; };\n", 4, "unknown key 'cc'" },
	/* Strings libconfig's parser would leak: refused before it sees them. */
	{ "\"x\" = 1;\n", 3, "syntax error" },
	{ "a = 1 \"x\";\n", 3, "syntax error" },
	{ "g = { a = 1,\n \"x\" };\n", 4, "syntax error" },
	{ "a = [[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]];\n", 3, "nested more than 16" },
	/* The report group (issue 14). */
	{ "report = 1;\n", 3, "expected a group" },
	{ "report = { line_to = \"C1\";\n at = \"8:30\"; };\n", 4, "report.at" },
	{ "report = { at = \"24:00\"; };\n", 3, "not a time of day" },
	{ "report = {\n line_to = \"C1/../x\"; };\n", 4, "report.line_to" },
	{ "report = { line_to = \"C1\"; };\n", 3, "report.line_token_file is required" },
	{ "report = { line_token_file = \"/t\"; };\n", 3, "report.line_to is required" },
	{ "report = { line_to = \"C1\";\n line_token_file = \"t\"; };\n", 4,
	    "not an absolute path" },
	{ "report = { line_to = \"C1\"; line_token_file = \"/t\";\n"
	    " line_url = \"http://api.line.me\"; };\n", 4, "report.line_url" },
	{ "report = { line_to = \"C1\"; line_token_file = \"/t\";\n"
	    " webhook_url = \"ftp://x\"; };\n", 4, "report.webhook_url" },
	{ "report = { line_to = \"C1\"; line_token_file = \"/t\";\n"
	    " line_token = \"abc\"; };\n", 4, "unknown key 'report.line_token'" },
};

START_TEST(test_report)
{
	struct err e;
	struct config *c;

	c = load(CREDS, 0, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	ck_assert_int_eq(c->report_on, 0);
	ck_assert_int_eq(c->report_at, 8 * 60 + 30);
	ck_assert_str_eq(c->report_line_url, "https://api.line.me");
	config_free(c);
	c = load(CREDS "report = {\n  at = \"08:30\";\n"
	    "  line_to = \"C0123456789abcdef0123456789abcdef\";\n"
	    "  line_token_file = \"/etc/syncd/line-token\";\n"
	    "  line_url = \"http://127.0.0.1:4431/\";\n  webhook_url = \"\";\n};\n", 0, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	ck_assert_int_eq(c->report_on, 1);
	ck_assert_int_eq(c->report_at, 8 * 60 + 30);
	ck_assert_str_eq(c->report_line_to, "C0123456789abcdef0123456789abcdef");
	ck_assert_str_eq(c->report_line_token_file, "/etc/syncd/line-token");
	ck_assert_str_eq(c->report_line_url, "http://127.0.0.1:4431");
	ck_assert_str_eq(c->report_webhook_url, "");
	config_free(c);
	c = load(CREDS "report = { at = \"23:59\"; line_to = \"U1\"; line_token_file = \"/t\";"
	    " webhook_url = \"https://chat.googleapis.com/v1/spaces/x?key=k\"; };\n", 0, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	ck_assert_int_eq(c->report_at, 23 * 60 + 59);
	ck_assert_str_eq(c->report_webhook_url, "https://chat.googleapis.com/v1/spaces/x?key=k");
	config_free(c);
}
END_TEST

START_TEST(test_bad)
{
	const struct bad *b = &bad[_i];
	char text[2048], want[64];
	struct err e;
	struct config *c;

	snprintf(text, sizeof(text), "%s%s", CREDS, b->text);
	c = load(text, 0, &e);
	ck_assert_msg(c == NULL, "accepted: %s", b->text);
	ck_assert_int_eq(e.code, ERR_CONFIG);
	if (b->line > 0)
		snprintf(want, sizeof(want), NAME ":%u: ", b->line);
	else
		snprintf(want, sizeof(want), NAME ": ");
	ck_assert_msg(strncmp(e.msg, want, strlen(want)) == 0,
	    "case %d: want prefix \"%s\", got \"%s\"", _i, want, e.msg);
	ck_assert_msg(strstr(e.msg, b->what) != NULL,
	    "case %d: want \"%s\" in \"%s\"", _i, b->what, e.msg);
}
END_TEST

START_TEST(test_over_time)
{
	struct err e;
	struct config *c;

	c = load(CREDS, 0, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	ck_assert_str_eq(c->history_tab, "ความก้าวหน้า");
	ck_assert_str_eq(c->rules.history_tab, "ความก้าวหน้า");
	ck_assert_uint_eq(c->nsnapshot_days, 2);
	ck_assert_int_eq(c->snapshot_days[0], 10);
	ck_assert_int_eq(c->snapshot_days[1], 20);
	ck_assert_int_eq(c->mail.enabled, 0);
	ck_assert(!rules_is_district(&c->rules, "ความก้าวหน้า"));
	ck_assert(!rules_is_district(&c->rules, "สรุป 20 ก.พ. 2567"));
	ck_assert(rules_is_district(&c->rules, "สรุป"));
	config_free(c);
	c = load(CREDS "history_tab = \"\";\nsnapshot_days = [ 31, 1 ];\n"
	    "mail = { url = \"smtp://mail.example.go.th:587\"; from = \"syncd@example.go.th\";\n"
	    "  to = [ \"a@example.go.th\", \"b.c+d@cdd.go.th\" ]; user = \"syncd\";\n"
	    "  password_file = \"/etc/syncd/mail-password\"; day = 25; };\n", 0, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	ck_assert_str_eq(c->history_tab, "");
	ck_assert(rules_is_district(&c->rules, "ความก้าวหน้า"));
	ck_assert_uint_eq(c->nsnapshot_days, 2);
	ck_assert_int_eq(c->snapshot_days[0], 31);
	ck_assert_int_eq(c->mail.enabled, 1);
	ck_assert_str_eq(c->mail.url, "smtp://mail.example.go.th:587");
	ck_assert_uint_eq(c->mail.nto, 2);
	ck_assert_str_eq(c->mail.to[1], "b.c+d@cdd.go.th");
	ck_assert_str_eq(c->mail.user, "syncd");
	ck_assert_int_eq(c->mail.day, 25);
	config_free(c);
}
END_TEST

START_TEST(test_spreadsheet_id)
{
	struct err e;
	struct config *c;

	c = load("\nspreadsheet_id = \"a/../b\";\n", CONFIG_NO_CREDENTIALS, &e);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(e.msg, "t.conf:2: spreadsheet_id: \"a/../b\" holds"));
	/* DESIGN.md's example: URL-unreserved characters are fine ... */
	c = load("spreadsheet_id = \"1AbC...\";\nkey_file = \"/k.json\";\n", 0, &e);
	ck_assert_msg(c != NULL, "%s", e.msg);
	ck_assert_str_eq(c->spreadsheet_id, "1AbC...");
	config_free(c);
	/* ... but not a bare dot-segment. */
	c = load("spreadsheet_id = \"..\";\n", CONFIG_NO_CREDENTIALS, &e);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(e.msg, "t.conf:1: spreadsheet_id: \"..\" is not an id");
	c = load("key_file = \"\";\n", CONFIG_NO_CREDENTIALS, &e);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(e.msg, "t.conf:1: key_file: must not be empty");
}
END_TEST

START_TEST(test_files)
{
	struct err e;
	struct config *c;
	char bin[] = "a = 1;\n\0b = 2;\n";

	err_init(&e);
	c = config_load("/nonexistent/syncd.conf", 0, &e);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(e.code, ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/syncd.conf: cannot open"));
	err_init(&e);
	c = config_load("/", 0, &e);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(strstr(e.msg, "not a regular file"));
	err_init(&e);
	c = config_load_string(bin, sizeof(bin) - 1, NAME, 0, &e);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(e.msg, "t.conf:2: a NUL byte: this is not a text file");
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_shipped_file_is_the_defaults);
	tcase_add_test(tc, test_full_file);
	tcase_add_test(tc, test_credentials);
	tcase_add_test(tc, test_local_http);
	tcase_add_test(tc, test_report);
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_spreadsheet_id);
	tcase_add_test(tc, test_over_time);
	tcase_add_test(tc, test_files);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
