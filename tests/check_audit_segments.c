/*
 * check_audit_segments: the audit log under an operator's hands
 * (syncd/audit.h "Segments"): rotation by syncd (on demand and by size)
 * continues the chain in a new file that names the old one; a log
 * truncated, deleted, replaced behind syncd's back, or found missing,
 * emptied, cut short or under a new inode at open, goes on in a new segment
 * whose first line is a recovery event naming the last head, never
 * silently and never over another file; each segment verifies on its own
 * and continues the one before it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glob.h>
#include <jansson.h>

#include "syncd/audit.h"
#include "tests/harness.h"

static char dir[64];
static char logpath[128];
static char headpath[128];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_audit_seg.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(logpath, sizeof(logpath), "%s/audit.jsonl", dir);
	snprintf(headpath, sizeof(headpath), "%s/%s", dir, AUDIT_HEAD_FILE);
}

static void
teardown(void)
{
	harness_rmtree(dir);
}

static struct audit *
open_log(off_t rotate_bytes)
{
	struct audit_opts o;
	struct audit *a;
	struct err e;

	memset(&o, 0, sizeof(o));
	o.head_file = headpath;
	o.rotate_bytes = rotate_bytes;
	err_init(&e);
	a = audit_open_with(logpath, &o, &e);
	ck_assert_msg(a != NULL, "%s", e.msg);
	return a;
}

static void
append(struct audit *a, int n)
{
	struct err e;
	int i;

	for (i = 0; i < n; i++) {
		err_init(&e);
		ck_assert_msg(audit_append_pack(a, &e, "cycle", "{s:s, s:i}", "version",
		    "7", "i", i) == 0, "%s", e.msg);
	}
	err_init(&e);
	ck_assert_msg(audit_sync(a, &e) == 0, "%s", e.msg);
}

/* line(path, n): line n (1-based) of path as JSON (new reference). */
static json_t *
line(const char *path, int n)
{
	char buf[8192];
	json_t *o = NULL;
	FILE *f = fopen(path, "r");
	int i;

	ck_assert_msg(f != NULL, "%s", path);
	for (i = 1; fgets(buf, sizeof(buf), f) != NULL; i++)
		if (i == n) {
			o = json_loads(buf, 0, NULL);
			break;
		}
	fclose(f);
	ck_assert_msg(o != NULL, "%s has no line %d", path, n);
	return o;
}

static const char *
str(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v != NULL ? v : "";
}

static void
head_of(struct audit *a, char out[96])
{
	uint64_t seq;
	char h[65];

	audit_head(a, &seq, h);
	snprintf(out, 96, "%llu:%s", (unsigned long long)seq, h);
}

/* verify(path): the file verifies; its start and head are returned. */
static struct audit_verify_result
verify(const char *path)
{
	struct audit_verify_result res;
	struct err e;

	err_init(&e);
	ck_assert_msg(audit_verify_file(path, NULL, &res, &e) == 0, "%s: %s", path, e.msg);
	return res;
}

/* One file (other than the log) whose name starts with prefix: its path. */
static void
only_file(const char *prefix, char *out, size_t size)
{
	char pat[256];
	glob_t g;

	snprintf(pat, sizeof(pat), "%s/%s*", dir, prefix);
	ck_assert_int_eq(glob(pat, 0, NULL, &g), 0);
	ck_assert_uint_eq(g.gl_pathc, 1);
	snprintf(out, size, "%s", g.gl_pathv[0]);
	globfree(&g);
}

/* The chain goes on: a segment starts at the head before it. */
static void
continues(const char *older, const char *newer)
{
	struct audit_verify_result a = verify(older), b = verify(newer);

	ck_assert_uint_eq(b.start.seq, a.head.seq);
	ck_assert_str_eq(b.start.hash, a.head.hash);
	ck_assert_uint_gt(b.start.seq, 0);
}

START_TEST(test_rotate)
{
	char before[96], archive[256], path[512];
	struct audit *a = open_log(0);
	struct err e;
	json_t *o;

	append(a, 3);
	head_of(a, before);
	err_init(&e);
	ck_assert_int_eq(audit_rotate(a, "command", archive, sizeof(archive), &e), 0);
	ck_assert_ptr_nonnull(strstr(archive, "audit.jsonl-"));
	append(a, 2);
	audit_close(a);
	snprintf(path, sizeof(path), "%s/%s", dir, archive);
	o = line(logpath, 1);
	ck_assert_str_eq(str(o, "event"), "audit.rotated");
	ck_assert_str_eq(str(o, "previous_file"), archive);
	ck_assert_str_eq(str(o, "previous_head"), before);
	json_decref(o);
	continues(path, logpath);
	ck_assert_uint_eq(verify(logpath).head.seq, 6);
	/* Reopened: the head kept matches, nothing is added. */
	a = open_log(0);
	head_of(a, before);
	audit_close(a);
	ck_assert_ptr_nonnull(strstr(before, "6:") == before ? before : NULL);
}
END_TEST

START_TEST(test_rotate_by_size)
{
	char path[256];
	struct audit *a = open_log(600);
	json_t *o;

	append(a, 2);
	ck_assert_int_eq(access(logpath, F_OK), 0);
	append(a, 6);	/* past 600 bytes at this sync */
	audit_close(a);
	only_file("audit.jsonl-", path, sizeof(path));
	continues(path, logpath);
	o = line(logpath, 1);
	ck_assert_str_eq(str(o, "event"), "audit.rotated");
	ck_assert_str_eq(str(o, "reason"), "size");
	json_decref(o);
}
END_TEST

/* Behind syncd's back, while it runs. */
START_TEST(test_truncated_running)
{
	char before[96], copy[256];
	struct audit *a = open_log(0);
	json_t *o;

	append(a, 3);
	head_of(a, before);
	/* logrotate's copytruncate: copy, then truncate in place. */
	snprintf(copy, sizeof(copy), "%s/audit.jsonl.1", dir);
	ck_assert_int_eq(link(logpath, copy), 0);	/* the "copy" */
	{
		char buf[65536];
		FILE *in = fopen(logpath, "r"), *out;
		size_t n;

		unlink(copy);
		out = fopen(copy, "w");
		n = fread(buf, 1, sizeof(buf), in);
		fwrite(buf, 1, n, out);
		fclose(in);
		fclose(out);
	}
	ck_assert_int_eq(truncate(logpath, 0), 0);
	append(a, 1);
	audit_close(a);
	o = line(logpath, 1);
	ck_assert_str_eq(str(o, "event"), "recovery");
	ck_assert_str_eq(str(o, "reason"), "log truncated");
	ck_assert_str_eq(str(o, "last_head"), before);
	json_decref(o);
	continues(copy, logpath);
}
END_TEST

START_TEST(test_deleted_running)
{
	char before[96];
	struct audit *a = open_log(0);
	json_t *o;

	append(a, 2);
	head_of(a, before);
	ck_assert_int_eq(unlink(logpath), 0);
	append(a, 1);
	audit_close(a);
	o = line(logpath, 1);
	ck_assert_str_eq(str(o, "event"), "recovery");
	ck_assert_str_eq(str(o, "reason"), "log deleted");
	ck_assert_str_eq(str(o, "last_head"), before);
	json_decref(o);
	ck_assert_uint_eq(verify(logpath).start.seq, 2);
	ck_assert_uint_eq(verify(logpath).head.seq, 4);
}
END_TEST

START_TEST(test_moved_running)
{
	char moved[256];
	struct audit *a = open_log(0);
	json_t *o;

	append(a, 2);
	snprintf(moved, sizeof(moved), "%s/old.jsonl", dir);
	ck_assert_int_eq(rename(logpath, moved), 0);
	append(a, 1);
	audit_close(a);
	/* Whole under another name: a rotation, nothing lost. */
	o = line(logpath, 1);
	ck_assert_str_eq(str(o, "event"), "audit.rotated");
	ck_assert_str_eq(str(o, "reason"), "moved");
	ck_assert_str_eq(str(o, "previous_file"), "old.jsonl");
	json_decref(o);
	continues(moved, logpath);
}
END_TEST

/* Renamed while syncd was stopped: the same at open. */
START_TEST(test_moved_at_open)
{
	char moved[256];
	struct audit *a = open_log(0);
	json_t *o;

	append(a, 2);
	audit_close(a);
	snprintf(moved, sizeof(moved), "%s/audit.jsonl.1", dir);
	ck_assert_int_eq(rename(logpath, moved), 0);
	a = open_log(0);
	audit_close(a);
	o = line(logpath, 1);
	ck_assert_str_eq(str(o, "event"), "audit.rotated");
	ck_assert_str_eq(str(o, "previous_file"), "audit.jsonl.1");
	json_decref(o);
	continues(moved, logpath);
}
END_TEST

START_TEST(test_replaced_running)
{
	char aside[256];
	struct audit *a = open_log(0);
	FILE *f;
	json_t *o;

	append(a, 2);
	ck_assert_int_eq(unlink(logpath), 0);
	f = fopen(logpath, "w");
	fputs("someone else's text\n", f);
	fclose(f);
	append(a, 1);
	audit_close(a);
	o = line(logpath, 1);
	ck_assert_str_eq(str(o, "reason"), "log replaced");
	ck_assert_ptr_nonnull(strstr(str(o, "moved_aside"), "audit.jsonl.found-"));
	json_decref(o);
	only_file("audit.jsonl.found-", aside, sizeof(aside));
	/* The other file is kept as found. */
	o = NULL;
	{
		char buf[64];
		FILE *g = fopen(aside, "r");

		ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), g));
		fclose(g);
		ck_assert_str_eq(buf, "someone else's text\n");
	}
}
END_TEST

/* At open, against the head kept in the state directory. */
START_TEST(test_missing_at_open)
{
	char before[96];
	struct audit *a = open_log(0);
	json_t *o;

	append(a, 3);
	head_of(a, before);
	audit_close(a);
	ck_assert_int_eq(unlink(logpath), 0);
	a = open_log(0);
	audit_close(a);
	o = line(logpath, 1);
	ck_assert_str_eq(str(o, "event"), "recovery");
	ck_assert_str_eq(str(o, "reason"), "log missing");
	ck_assert_str_eq(str(o, "last_head"), before);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "seq")), 4);
	json_decref(o);
}
END_TEST

START_TEST(test_shorter_at_open)
{
	char before[96], aside[256];
	struct audit *a = open_log(0);
	json_t *o;

	append(a, 3);
	head_of(a, before);
	audit_close(a);
	/* Keep the first line only: an older copy put back. */
	{
		char buf[8192];
		FILE *f = fopen(logpath, "r");

		ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
		fclose(f);
		f = fopen(logpath, "w");
		fputs(buf, f);
		fclose(f);
	}
	a = open_log(0);
	audit_close(a);
	o = line(logpath, 1);
	ck_assert_str_eq(str(o, "reason"), "log shorter than the last head");
	ck_assert_str_eq(str(o, "last_head"), before);
	json_decref(o);
	only_file("audit.jsonl.found-", aside, sizeof(aside));
	ck_assert_uint_eq(verify(aside).head.seq, 1);
	ck_assert_uint_eq(verify(logpath).start.seq, 3);
}
END_TEST

START_TEST(test_emptied_at_open)
{
	struct audit *a = open_log(0);
	json_t *o;

	append(a, 2);
	audit_close(a);
	ck_assert_int_eq(truncate(logpath, 0), 0);
	a = open_log(0);
	append(a, 1);
	audit_close(a);
	o = line(logpath, 1);
	ck_assert_str_eq(str(o, "reason"), "log truncated");
	json_decref(o);
	ck_assert_uint_eq(verify(logpath).head.seq, 4);
}
END_TEST

START_TEST(test_inode_changed_at_open)
{
	char copy[256], cmd[1200];
	struct audit *a = open_log(0);
	json_t *o;

	append(a, 2);
	audit_close(a);
	snprintf(copy, sizeof(copy), "%s/copy", dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s && mv %s %s", logpath, copy, copy, logpath);
	ck_assert_int_eq(system(cmd), 0);
	a = open_log(0);
	audit_close(a);
	/* In place: the chain is whole, one line says what happened. */
	o = line(logpath, 3);
	ck_assert_str_eq(str(o, "event"), "recovery");
	ck_assert_str_eq(str(o, "reason"), "log inode changed");
	json_decref(o);
	ck_assert_uint_eq(verify(logpath).start.seq, 0);
	ck_assert_uint_eq(verify(logpath).head.seq, 3);
	/* Said once: the next open finds the head it kept. */
	a = open_log(0);
	audit_close(a);
	ck_assert_uint_eq(verify(logpath).head.seq, 3);
}
END_TEST

/* A crash after a rotation, before its head was kept: the new file begins at
 * the head kept, and that is no loss. */
START_TEST(test_head_behind_rotation)
{
	char keep[256], archive[256];
	struct audit *a = open_log(0);
	struct err e;
	FILE *in, *out;
	json_t *o;
	int c;

	append(a, 2);
	audit_close(a);
	/* The head file as it was before the rotation. */
	snprintf(keep, sizeof(keep), "%s/head.before", dir);
	in = fopen(headpath, "r");
	out = fopen(keep, "w");
	while ((c = getc(in)) != EOF)
		putc(c, out);
	fclose(in);
	fclose(out);
	a = open_log(0);
	err_init(&e);
	ck_assert_int_eq(audit_rotate(a, "command", archive, sizeof(archive), &e), 0);
	audit_close(a);
	ck_assert_int_eq(rename(keep, headpath), 0);
	a = open_log(0);
	audit_close(a);
	/* No recovery, nothing moved aside: one line, the rotation. */
	ck_assert_uint_eq(verify(logpath).lines, 1);
	ck_assert_uint_eq(verify(logpath).start.seq, 2);
	o = line(logpath, 1);
	ck_assert_str_eq(str(o, "event"), "audit.rotated");
	json_decref(o);
	{
		char pat[256];
		glob_t g;

		snprintf(pat, sizeof(pat), "%s/audit.jsonl.found-*", dir);
		ck_assert_int_eq(glob(pat, 0, NULL, &g), GLOB_NOMATCH);
	}
}
END_TEST

/* A segment's first line is only accepted as such: seq 2 elsewhere is a gap. */
START_TEST(test_segment_needs_its_event)
{
	struct audit_verify_result res;
	struct err e;
	FILE *f = fopen(logpath, "w");

	fputs("{\"seq\":2,\"ts\":\"2026-01-01T00:00:00Z\",\"event\":\"cycle\",\"prev\":"
	    "\"0000000000000000000000000000000000000000000000000000000000000001\"}\n", f);
	fclose(f);
	err_init(&e);
	ck_assert_int_eq(audit_verify_file(logpath, NULL, &res, &e), -1);
	ck_assert_int_eq(res.defect, AUDIT_SEQ_GAP);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("audit_segments");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rotate);
	tcase_add_test(tc, test_rotate_by_size);
	tcase_add_test(tc, test_truncated_running);
	tcase_add_test(tc, test_deleted_running);
	tcase_add_test(tc, test_moved_running);
	tcase_add_test(tc, test_moved_at_open);
	tcase_add_test(tc, test_replaced_running);
	tcase_add_test(tc, test_missing_at_open);
	tcase_add_test(tc, test_shorter_at_open);
	tcase_add_test(tc, test_emptied_at_open);
	tcase_add_test(tc, test_inode_changed_at_open);
	tcase_add_test(tc, test_head_behind_rotation);
	tcase_add_test(tc, test_segment_needs_its_event);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
