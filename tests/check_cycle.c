/*
 * check_cycle: cycles run one after another on one struct cycle, in this
 * process, against the emulator, as the daemon and --once run them: the
 * second cycle needs no token and no tab list, an idle one sends the Drive
 * request only, idle cycles reuse one connection, a reload's config.loaded
 * chains to the cycles' lines, and a cycle that follows a torn log line (a
 * crash) recovers it and goes on.
 */
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "syncd/audit.h"
#include "syncd/config.h"
#include "syncd/cycle.h"
#include "syncd/http.h"

#define WORKBOOK "tests/data/demo-chachoengsao.json"

static char dir[256];
static char log_path[HARNESS_PATH];
static struct harness_fake fake;
static struct config *cfg;
static struct cycle *cyc;

/* The key pki.sh made, pointed at the emulator, as a mode-0600 file. */
static void
write_key(const char *path)
{
	char sa[HARNESS_PATH], turl[HARNESS_PATH];
	json_error_t je;
	json_t *j;
	int fd;

	snprintf(sa, sizeof(sa), "%s/service-account.json", dir);
	snprintf(turl, sizeof(turl), "%s/token", fake.url);
	ck_assert_ptr_nonnull(j = json_load_file(sa, 0, &je));
	json_object_set_new(j, "token_uri", json_string(turl));
	ck_assert_int_ge(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), 0);
	ck_assert_int_eq(json_dumpfd(j, fd, 0), 0);
	close(fd);
	json_decref(j);
}

static void
setup(void)
{
	char conf[HARNESS_PATH], key[HARNESS_PATH], text[4 * HARNESS_PATH];
	struct cycle_opts o;
	json_error_t je;
	json_t *wb;
	struct err e;

	ck_assert_int_eq(harness_dir(dir, sizeof(dir), "check_cycle"), 0);
	ck_assert_int_eq(harness_fake_start(&fake, dir, "server", WORKBOOK), 0);
	ck_assert_ptr_nonnull(wb = json_load_file(WORKBOOK, 0, &je));
	snprintf(key, sizeof(key), "%s/sa.json", dir);
	write_key(key);
	snprintf(log_path, sizeof(log_path), "%s/state/audit.jsonl", dir);
	snprintf(text, sizeof(text),
	    "spreadsheet_id = \"%s\";\nkey_file = \"%s\";\nsheets_url = \"%s\";\n"
	    "drive_url = \"%s\";\nca_file = \"%s/ca.pem\";\nstate_dir = \"%s/state\";\n"
	    /* Annotating (the default): the notes come with the tab list, so
	     * the counts below are those of a plain cycle. */
	    "audit_log = \"%s\";\n",
	    json_string_value(json_object_get(wb, "spreadsheetId")), key, fake.url,
	    fake.url, dir, dir, log_path);
	json_decref(wb);
	snprintf(conf, sizeof(conf), "%s/syncd.conf", dir);
	ck_assert_int_eq(harness_write_file(conf, text), 0);
	err_init(&e);
	cfg = config_load(conf, 0, &e);
	ck_assert_msg(cfg != NULL, "%s", e.msg);
	memset(&o, 0, sizeof(o));
	o.clock.fixed_day = 1;
	o.clock.day = 19754;	/* 2024-02-01 */
	cyc = cycle_new(cfg, &o, &e);
	ck_assert_msg(cyc != NULL, "%s", e.msg);
}

static void
teardown(void)
{
	cycle_free(cyc);
	cyc = NULL;
	config_free(cfg);
	cfg = NULL;
	harness_fake_stop(&fake);
	harness_rmtree(dir);
}

/* One cycle_run; returns its rc. */
static int
run_cycle(struct cycle_result *res)
{
	struct err e;
	int rc;

	memset(res, 0, sizeof(*res));
	err_init(&e);
	rc = cycle_run(cyc, res, &e);
	ck_assert_msg(rc == 0, "%s at %s", e.msg, res->step != NULL ? res->step : "?");
	return rc;
}

/*
 * The emulator's count of connections that carried an API request since the
 * last reset (reset: then start counting again).
 */
static long
api_connections(int reset)
{
	struct http_opts ho;
	struct http *h;
	char ca[HARNESS_PATH], *body = NULL;
	json_t *j;
	struct err e;
	long n;

	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	memset(&ho, 0, sizeof(ho));
	ho.ca_file = ca;
	err_init(&e);
	ck_assert_msg((h = http_new(&ho, &e)) != NULL, "%s", e.msg);
	ck_assert_int_eq(harness_control(h, fake.url, reset ? "DELETE" : "GET",
	    "/_fake/connections", NULL, &body), 200);
	ck_assert_ptr_nonnull(j = json_loads(body, 0, NULL));
	n = (long)json_integer_value(json_object_get(j, "connections"));
	json_decref(j);
	free(body);
	http_free(h);
	return n;
}

static void
verify_log(void)
{
	struct audit_verify_result vr;
	struct err e;

	err_init(&e);
	ck_assert_msg(audit_verify_file(log_path, NULL, &vr, &e) == 0, "%s", e.msg);
}

START_TEST(test_cycles_carry_on)
{
	struct cycle_result res;
	struct err e;
	int i;

	/* First: token, Drive, tab list (with the notes), the read, write. */
	ck_assert_int_eq(run_cycle(&res), 0);
	ck_assert_int_eq(res.wrote, 1);
	ck_assert_uint_eq(res.requests, 5);
	/* Sees its own write: no token (kept); the version moved, so Drive,
	 * the tab list (with the notes) and the read: two Sheets reads. */
	ck_assert_int_eq(run_cycle(&res), 0);
	ck_assert_int_eq(res.idle, 0);
	ck_assert_int_eq(res.wrote, 0);
	ck_assert_uint_eq(res.requests, 3);
	/* Nothing moved: the Drive request only, five times over, all on one
	 * kept connection (the write had a fresh one of its own, so that curl
	 * never resends it: the count starts here). */
	api_connections(1);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(run_cycle(&res), 0);
		ck_assert_int_eq(res.idle, 1);
		ck_assert_uint_eq(res.requests, 1);
	}
	ck_assert_uint_eq(cycle_metrics(cyc)->cycles, 7);
	ck_assert_uint_eq(cycle_metrics(cyc)->writes, 1);
	ck_assert_int_eq(api_connections(0), 1);
	verify_log();
	/* A reload's config.loaded chains to the cycles' lines. */
	err_init(&e);
	ck_assert_msg(cycle_reconfigure(cyc, cfg, &e) == 0, "%s", e.msg);
	verify_log();
}
END_TEST

/* The last line of the log, parsed. */
static json_t *
line_from_end(int back)
{
	char *lines[64], buf[8192];
	FILE *f = fopen(log_path, "r");
	json_t *j;
	int n = 0, i;

	ck_assert_ptr_nonnull(f);
	while (fgets(buf, sizeof(buf), f) != NULL) {
		if (n == 64) {
			free(lines[0]);
			memmove(lines, lines + 1, sizeof(lines[0]) * 63);
			n--;
		}
		lines[n++] = strdup(buf);
	}
	fclose(f);
	ck_assert_int_gt(n, back);
	j = json_loads(lines[n - 1 - back], 0, NULL);
	for (i = 0; i < n; i++)
		free(lines[i]);
	ck_assert_ptr_nonnull(j);
	return j;
}

START_TEST(test_restart_after_a_torn_line)
{
	struct cycle_result res;
	struct cycle_opts o;
	struct err e;
	json_t *j;
	FILE *f;

	ck_assert_int_eq(run_cycle(&res), 0);
	cycle_free(cyc);
	/* A process killed half-way through a line, then restarted. */
	ck_assert_ptr_nonnull(f = fopen(log_path, "a"));
	fputs("{\"seq\":99,\"ts\":\"2024-", f);
	fclose(f);
	memset(&o, 0, sizeof(o));
	o.clock.fixed_day = 1;
	o.clock.day = 19754;
	err_init(&e);
	cyc = cycle_new(cfg, &o, &e);
	ck_assert_msg(cyc != NULL, "%s", e.msg);
	verify_log();
	j = line_from_end(1);
	ck_assert_str_eq(json_string_value(json_object_get(j, "event")), "recovery");
	json_decref(j);
	j = line_from_end(0);
	ck_assert_str_eq(json_string_value(json_object_get(j, "event")), "config.loaded");
	json_decref(j);
	/* And the next cycle runs on, chained to the recovered log. */
	ck_assert_int_eq(run_cycle(&res), 0);
	verify_log();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cycle");
	TCase *tc = tcase_create("one_process");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_cycles_carry_on);
	tcase_add_test(tc, test_restart_after_a_torn_line);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
