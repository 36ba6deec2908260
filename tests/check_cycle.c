/*
 * check_cycle: a cycle run in a worker process, against the emulator: what
 * the worker packs reaches the daemon (cycle_unpack), so the next worker
 * needs no token, no tab list and, when nothing moved, no read; the daemon's
 * audit position follows the worker's appends; a malformed or truncated
 * message changes nothing; and cycle_resync takes a log with a torn line
 * back up, as a restart would.
 */
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "syncd/audit.h"
#include "syncd/config.h"
#include "syncd/cycle.h"
#include "syncd/worker.h"

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

/* The daemon's job (daemon.c): one cycle_run on the worker's copy, packed. */
static void
job(void *ctx, struct worker_msg *m)
{
	struct cycle_result res;
	struct err e;
	int rc;

	memset(&res, 0, sizeof(res));
	err_init(&e);
	rc = cycle_run(ctx, &res, &e);
	cycle_pack(ctx, rc, &res, &e, m);
}

/* One cycle in a worker, taken over; returns its rc. */
static int
worker_cycle(struct cycle_result *res)
{
	struct worker_opts o;
	struct worker_msg m;
	struct err e;
	int rc = -2;

	memset(&o, 0, sizeof(o));
	o.deadline_s = 60;
	worker_msg_init(&m);
	err_init(&e);
	ck_assert_msg(worker_run(job, cyc, &o, &m, &e) == 0, "%s", e.msg);
	ck_assert_msg(cycle_unpack(cyc, &m, &rc, res, &e) == 0, "%s", e.msg);
	worker_msg_fini(&m);
	return rc;
}

static void
verify_log(void)
{
	struct audit_verify_result vr;
	struct err e;

	err_init(&e);
	ck_assert_msg(audit_verify_file(log_path, NULL, &vr, &e) == 0, "%s", e.msg);
}

START_TEST(test_workers_carry_on)
{
	struct cycle_result res;
	struct err e;

	/* First: token, Drive, tab list, batchGet, write. */
	ck_assert_int_eq(worker_cycle(&res), 0);
	ck_assert_int_eq(res.wrote, 1);
	ck_assert_uint_eq(res.requests, 5);
	/* Sees its own write: no token, no tab list (both carried over). */
	ck_assert_int_eq(worker_cycle(&res), 0);
	ck_assert_int_eq(res.idle, 0);
	ck_assert_int_eq(res.wrote, 0);
	ck_assert_uint_eq(res.requests, 2);
	/* Nothing moved: the Drive request only (the version carried over). */
	ck_assert_int_eq(worker_cycle(&res), 0);
	ck_assert_int_eq(res.idle, 1);
	ck_assert_uint_eq(res.requests, 1);
	ck_assert_uint_eq(cycle_metrics(cyc)->cycles, 3);
	ck_assert_uint_eq(cycle_metrics(cyc)->writes, 1);
	verify_log();
	/* The daemon appends after the workers (a reload's config.loaded):
	 * with a stale position its line would break the chain. */
	err_init(&e);
	ck_assert_msg(cycle_reconfigure(cyc, cfg, &e) == 0, "%s", e.msg);
	verify_log();
}
END_TEST

/* m's bytes as a new message, cut to len. */
static void
copy_msg(struct worker_msg *dst, const struct worker_msg *src, size_t len)
{
	worker_msg_init(dst);
	worker_put_bytes(dst, src->buf, len);
}

START_TEST(test_bad_messages_change_nothing)
{
	struct worker_msg good, before, after, m;
	struct cycle_result res, scratch;
	struct err e;
	size_t len;
	int rc;

	err_init(&e);
	ck_assert_int_eq(cycle_run(cyc, &res, &e), 0);
	worker_msg_init(&good);
	worker_msg_init(&before);
	ck_assert_int_eq(cycle_pack(cyc, 0, &res, &e, &good), 0);
	ck_assert_int_eq(cycle_pack(cyc, 0, &res, &e, &before), 0);
	for (len = 0; len < good.len; len++) {
		copy_msg(&m, &good, len);
		err_init(&e);
		ck_assert_msg(cycle_unpack(cyc, &m, &rc, &scratch, &e) == -1, "cut at %zu", len);
		ck_assert_int_eq(e.code, ERR_TEMP);
		worker_msg_fini(&m);
	}
	/* A byte too many, and a wrong magic. */
	copy_msg(&m, &good, good.len);
	worker_put_bytes(&m, "x", 1);
	ck_assert_int_eq(cycle_unpack(cyc, &m, &rc, &scratch, &e), -1);
	worker_msg_fini(&m);
	copy_msg(&m, &good, good.len);
	m.buf[0] ^= 1;
	ck_assert_int_eq(cycle_unpack(cyc, &m, &rc, &scratch, &e), -1);
	worker_msg_fini(&m);
	/* Nothing moved. */
	worker_msg_init(&after);
	err_init(&e);
	ck_assert_int_eq(cycle_pack(cyc, 0, &res, &e, &after), 0);
	ck_assert_uint_eq(after.len, before.len);
	ck_assert_mem_eq(after.buf, before.buf, before.len);
	/* The whole message is taken. */
	err_init(&e);
	ck_assert_msg(cycle_unpack(cyc, &good, &rc, &scratch, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(rc, 0);
	worker_msg_fini(&good);
	worker_msg_fini(&before);
	worker_msg_fini(&after);
}
END_TEST

/* An audit position past the file's end is not taken. */
START_TEST(test_position_past_the_end)
{
	struct cycle_result res;
	struct worker_msg m;
	struct err e;
	int rc;

	err_init(&e);
	ck_assert_int_eq(cycle_run(cyc, &res, &e), 0);
	worker_msg_init(&m);
	ck_assert_int_eq(cycle_pack(cyc, 0, &res, &e, &m), 0);
	/* A worker that packed, then had its last line cut away (the file
	 * is shorter than the position it reports). */
	{
		struct stat st;

		ck_assert_int_eq(stat(log_path, &st), 0);
		ck_assert_int_eq(truncate(log_path, st.st_size - 1), 0);
	}
	ck_assert_int_eq(cycle_unpack(cyc, &m, &rc, &res, &e), -1);
	worker_msg_fini(&m);
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

START_TEST(test_resync_after_a_torn_line)
{
	struct cycle_result res;
	struct err e, why;
	json_t *j;
	FILE *f;

	err_init(&e);
	ck_assert_int_eq(cycle_run(cyc, &res, &e), 0);
	/* A worker killed half-way through a line. */
	ck_assert_ptr_nonnull(f = fopen(log_path, "a"));
	fputs("{\"seq\":99,\"ts\":\"2024-", f);
	fclose(f);
	err_init(&why);
	err_set(&why, ERR_TEMP, "the cycle's worker process died of signal 9 (Killed)");
	ck_assert_msg(cycle_resync(cyc, 1, &why, &e) == 0, "%s", e.msg);
	verify_log();
	j = line_from_end(1);
	ck_assert_str_eq(json_string_value(json_object_get(j, "event")), "recovery");
	json_decref(j);
	j = line_from_end(0);
	ck_assert_str_eq(json_string_value(json_object_get(j, "event")), "api.error");
	ck_assert_str_eq(json_string_value(json_object_get(j, "step")), "worker");
	json_decref(j);
	ck_assert_uint_eq(cycle_metrics(cyc)->cycles, 2);
	ck_assert_uint_eq(cycle_metrics(cyc)->failures, 1);
	/* And the next cycle runs on, chained to the recovered log. */
	err_init(&e);
	ck_assert_msg(cycle_run(cyc, &res, &e) == 0, "%s", e.msg);
	verify_log();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("cycle");
	TCase *tc = tcase_create("worker");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_workers_carry_on);
	tcase_add_test(tc, test_bad_messages_change_nothing);
	tcase_add_test(tc, test_position_past_the_end);
	tcase_add_test(tc, test_resync_after_a_torn_line);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
