/*
 * check_worker: the worker process the daemon runs each cycle in: its
 * messages (every read bounds-checked) and how the parent sees a child that
 * answers, crashes, overruns its deadline or is asked to stop.
 */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "syncd/worker.h"

/* ---- messages ---- */

START_TEST(test_msg_round_trip)
{
	struct worker_msg m;
	unsigned char raw[5] = { 1, 2, 3, 4, 5 }, back[5];
	int null = -1;

	worker_msg_init(&m);
	worker_put_u64(&m, UINT64_MAX - 1);
	worker_put_i64(&m, -5);
	worker_put_double(&m, 1.5);
	worker_put_str(&m, "ฉะเชิงเทรา");
	worker_put_str(&m, NULL);
	worker_put_str(&m, "");
	worker_put_bytes(&m, raw, sizeof(raw));
	ck_assert_int_eq(m.bad, 0);
	ck_assert_uint_eq(worker_get_u64(&m), UINT64_MAX - 1);
	ck_assert_int_eq(worker_get_i64(&m), -5);
	ck_assert_double_eq(worker_get_double(&m), 1.5);
	ck_assert_str_eq(worker_get_str(&m, &null), "ฉะเชิงเทรา");
	ck_assert_int_eq(null, 0);
	ck_assert_ptr_null(worker_get_str(&m, &null));
	ck_assert_int_eq(null, 1);
	ck_assert_str_eq(worker_get_str(&m, NULL), "");
	worker_get_bytes(&m, back, sizeof(back));
	ck_assert_mem_eq(back, raw, sizeof(raw));
	ck_assert_int_eq(m.bad, 0);
	ck_assert_uint_eq(m.pos, m.len);
	/* One read too many: bad, and zero. */
	ck_assert_uint_eq(worker_get_u64(&m), 0);
	ck_assert_int_eq(m.bad, 1);
	worker_msg_fini(&m);
	ck_assert_ptr_null(m.buf);
}
END_TEST

/* Strings that are not: each must set bad and read as NULL. */
static const struct {
	const char *name;
	uint64_t len;		/* the length written before the bytes */
	const char *bytes;
	size_t nbytes;
} bad_strings[] = {
	{ "length past the end", 10, "abc", 4 },
	{ "zero length", 0, "", 0 },
	{ "no NUL at the end", 3, "abc", 3 },
	{ "NUL inside", 4, "a\0b", 4 },
	{ "length alone", 7, "", 0 },
};

START_TEST(test_msg_bad_strings)
{
	struct worker_msg m;
	int null = -1;

	worker_msg_init(&m);
	worker_put_u64(&m, bad_strings[_i].len);
	worker_put_bytes(&m, bad_strings[_i].bytes, bad_strings[_i].nbytes);
	ck_assert_msg(worker_get_str(&m, &null) == NULL, "%s", bad_strings[_i].name);
	ck_assert_msg(m.bad == 1 && null == 0, "%s", bad_strings[_i].name);
	/* Everything after a bad read is bad too. */
	ck_assert_uint_eq(worker_get_u64(&m), 0);
	worker_msg_fini(&m);
}
END_TEST

START_TEST(test_msg_limit)
{
	struct worker_msg m;
	char *big = calloc(1, WORKER_MSG_MAX);

	ck_assert_ptr_nonnull(big);
	worker_msg_init(&m);
	worker_put_bytes(&m, big, WORKER_MSG_MAX);
	ck_assert_int_eq(m.bad, 0);
	worker_put_u64(&m, 1);		/* one past the limit */
	ck_assert_int_eq(m.bad, 1);
	ck_assert_uint_eq(m.len, WORKER_MSG_MAX);
	worker_msg_fini(&m);
	free(big);
}
END_TEST

/* ---- the process ---- */

static pid_t parent_pid;

static void
job_answer(void *ctx, struct worker_msg *m)
{
	worker_put_i64(m, (int64_t)getpid());
	worker_put_str(m, ctx);
}

static void
job_abort(void *ctx, struct worker_msg *m)
{
	(void)ctx;
	(void)m;
	abort();
}

static void
job_exit(void *ctx, struct worker_msg *m)
{
	(void)ctx;
	worker_put_u64(m, 1);
	_exit(3);
}

static void
job_sleep(void *ctx, struct worker_msg *m)
{
	const struct timespec *ts = ctx;

	nanosleep(ts, NULL);
	worker_put_u64(m, 42);
}

static void
job_too_long(void *ctx, struct worker_msg *m)
{
	static char big[WORKER_MSG_MAX];

	(void)ctx;
	worker_put_bytes(m, big, sizeof(big));	/* the length makes it one too many */
}

static void
count_tick(void *ctx)
{
	(*(int *)ctx)++;
}

static struct worker_opts
opts(double deadline)
{
	struct worker_opts o;

	memset(&o, 0, sizeof(o));
	o.deadline_s = deadline;
	return o;
}

START_TEST(test_run_answers)
{
	struct worker_opts o = opts(30);
	struct worker_msg m;
	struct err e;
	char text[] = "from the child";

	parent_pid = getpid();
	err_init(&e);
	worker_msg_init(&m);
	ck_assert_int_eq(worker_run(job_answer, text, &o, &m, &e), 0);
	ck_assert_int_ne(worker_get_i64(&m), (int64_t)parent_pid);
	ck_assert_str_eq(worker_get_str(&m, NULL), "from the child");
	ck_assert_int_eq(m.bad, 0);
	ck_assert_uint_eq(m.pos, m.len);
	ck_assert_int_gt(o.peak_kb, 0);
	worker_msg_fini(&m);
}
END_TEST

/* How a child ends, as the parent sees it: one row a case. */
static struct timespec sleep_long = { 20, 0 };	/* answers, but far too late */
static struct timespec sleep_short = { 2, 200000000 };

static const struct {
	const char *name;
	void (*job)(void *, struct worker_msg *);
	void *ctx;
	double deadline;
	int term;		/* *o.term is set: SIGTERM passed on */
	int want_rc;
	const char *want_msg;	/* in e.msg when want_rc is -1 */
	int min_ticks;
} endings[] = {
	{ "abort", job_abort, NULL, 30, 0, -1, "died of signal 6", 0 },
	{ "exit 3", job_exit, NULL, 30, 0, -1, "exited with status 3", 0 },
	/* Without the deadline the child would answer 20 s later. */
	{ "deadline", job_sleep, &sleep_long, 0.3, 0, -1, "did not finish in time", 1 },
	/* A tick at least every second: two during 2.2 s. */
	{ "ticks", job_sleep, &sleep_short, 30, 0, 0, NULL, 2 },
	/* The child keeps SIGTERM's default action and dies of it. */
	{ "term", job_sleep, &sleep_long, 60, 1, -1, "died of signal 15", 0 },
	/* The child refuses to send a message over the limit. */
	{ "too long", job_too_long, NULL, 30, 0, -1, "exited with status 1", 0 },
};

START_TEST(test_run_endings)
{
	struct worker_opts o = opts(endings[_i].deadline);
	volatile sig_atomic_t term = endings[_i].term;
	struct worker_msg m;
	struct err e;
	int ticks = 0;

	o.tick = count_tick;
	o.tick_ctx = &ticks;
	o.term = &term;
	/* The child inherits SIGTERM's action; Check's own handler would
	 * kill the whole process group. */
	signal(SIGTERM, SIG_DFL);
	err_init(&e);
	worker_msg_init(&m);
	ck_assert_msg(worker_run(endings[_i].job, endings[_i].ctx, &o, &m, &e) ==
	    endings[_i].want_rc, "%s: %s", endings[_i].name, e.msg);
	if (endings[_i].want_rc == 0) {
		ck_assert_uint_eq(worker_get_u64(&m), 42);
	} else {
		ck_assert_int_eq(e.code, ERR_TEMP);
		ck_assert_msg(strstr(e.msg, endings[_i].want_msg) != NULL, "%s: %s",
		    endings[_i].name, e.msg);
		ck_assert_ptr_null(m.buf);
	}
	ck_assert_msg(ticks >= endings[_i].min_ticks, "%s: %d ticks", endings[_i].name, ticks);
	worker_msg_fini(&m);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("worker");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_msg_round_trip);
	tcase_add_loop_test(tc, test_msg_bad_strings, 0,
	    (int)(sizeof(bad_strings) / sizeof(bad_strings[0])));
	tcase_add_test(tc, test_msg_limit);
	tcase_add_test(tc, test_run_answers);
	tcase_add_loop_test(tc, test_run_endings, 0,
	    (int)(sizeof(endings) / sizeof(endings[0])));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
