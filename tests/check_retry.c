/*
 * check_retry: the backoff policy with a fake clock, a fake sleep and a fixed
 * random source: the bounds of full jitter, the cap, Retry-After (seconds and
 * HTTP-date), which statuses are retried for reads and writes, the time
 * budget and cycle deadline, and the daemon-wide slow-down after a 429.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/retry.h"

struct fake {
	double now;
	uint32_t rnd;
	double slept[64];
	int nsleep;
	int refuse_sleep;
};

static double
fake_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static int
fake_sleep(void *ctx, double s)
{
	struct fake *f = ctx;

	if (f->refuse_sleep)
		return -1;
	if (f->nsleep < 64)
		f->slept[f->nsleep++] = s;
	f->now += s;
	return 0;
}

static uint32_t
fake_random(void *ctx)
{
	return ((struct fake *)ctx)->rnd;
}

static time_t
fake_wall(void *ctx)
{
	(void)ctx;
	return 784111777;	/* Sun, 06 Nov 1994 08:49:37 GMT */
}

static void
setup(struct retry *r, struct fake *f, uint32_t rnd)
{
	struct retry_env env;

	memset(f, 0, sizeof(*f));
	f->now = 1000;
	f->rnd = rnd;
	memset(&env, 0, sizeof(env));
	env.now = fake_now;
	env.sleep = fake_sleep;
	env.random = fake_random;
	env.wall = fake_wall;
	env.ctx = f;
	retry_init(r, &env);
}

START_TEST(test_backoff_bounds)
{
	struct retry r;
	struct fake f;
	unsigned n;

	/* Largest random value: just under the ceiling min(64, 2^n). */
	setup(&r, &f, UINT32_MAX);
	for (n = 0; n < 40; n++) {
		double ceiling = n < 6 ? (double)(1u << n) : RETRY_CAP_S;
		double d = retry_backoff(&r, n);

		ck_assert_msg(d < ceiling && d > ceiling * 0.999, "attempt %u: %f", n, d);
	}
	/* Zero random: no wait at all (full jitter starts at 0). */
	setup(&r, &f, 0);
	for (n = 0; n < 40; n++)
		ck_assert(retry_backoff(&r, n) == 0.0);
	/* Half: half the ceiling. */
	setup(&r, &f, 1u << 31);
	ck_assert(retry_backoff(&r, 3) == 4.0);
	ck_assert(retry_backoff(&r, 20) == RETRY_CAP_S / 2);
}
END_TEST

START_TEST(test_retryable_statuses)
{
	static const struct {
		long status;
		int read, write;
	} c[] = {
		{ 0, 1, 0 }, { 408, 1, 0 }, { 429, 1, 1 }, { 500, 1, 0 }, { 502, 1, 0 },
		{ 503, 1, 0 }, { 504, 1, 0 }, { 400, 0, 0 }, { 401, 0, 0 }, { 403, 0, 0 },
		{ 404, 0, 0 }, { 409, 0, 0 }, { 501, 0, 0 }, { 200, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		ck_assert_msg(retry_status_retryable(c[i].status, 1) == c[i].read,
		    "read %ld", c[i].status);
		ck_assert_msg(retry_status_retryable(c[i].status, 0) == c[i].write,
		    "write %ld", c[i].status);
	}
}
END_TEST

START_TEST(test_retry_after_parse)
{
	double s;

	ck_assert_int_eq(retry_after_parse("120", 0, &s), 0);
	ck_assert(s == 120);
	ck_assert_int_eq(retry_after_parse(" 0 ", 0, &s), 0);
	ck_assert(s == 0);
	ck_assert_int_eq(retry_after_parse("99999999999999999999", 0, &s), 0);
	ck_assert(s == RETRY_AFTER_MAX_S);
	/* The RFC 9110 example date, 30 s after "now". */
	ck_assert_int_eq(retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", 784111747, &s), 0);
	ck_assert(s == 30);
	/* A date in the past: no wait. */
	ck_assert_int_eq(retry_after_parse("Sun, 06 Nov 1994 08:49:37 GMT", 784111800, &s), 0);
	ck_assert(s == 0);
	ck_assert_int_eq(retry_after_parse("", 0, &s), -1);
	ck_assert_int_eq(retry_after_parse("12x", 0, &s), -1);
	ck_assert_int_eq(retry_after_parse("-5", 0, &s), -1);
	ck_assert_int_eq(retry_after_parse("Sun, 06 Foo 1994 08:49:37 GMT", 0, &s), -1);
	ck_assert_int_eq(retry_after_parse("Sunday, 06-Nov-94 08:49:37 GMT", 0, &s), -1);
	ck_assert_int_eq(retry_after_parse("Sun, 06 Nov 1994 08:49:37 UTC", 0, &s), -1);
}
END_TEST

START_TEST(test_next_sleeps_and_honours_retry_after)
{
	struct retry r;
	struct retry_op op;
	struct retry_why why = { 503, -1, "HTTP 503" };
	struct fake f;
	struct err e;

	setup(&r, &f, 1u << 31);	/* half the ceiling */
	retry_op_begin(&r, &op);
	err_init(&e);
	ck_assert_int_eq(retry_next(&r, &op, &why, &e), 0);
	ck_assert_int_eq(retry_next(&r, &op, &why, &e), 0);
	ck_assert_int_eq(retry_next(&r, &op, &why, &e), 0);
	ck_assert_int_eq(f.nsleep, 3);
	ck_assert(f.slept[0] == 0.5 && f.slept[1] == 1.0 && f.slept[2] == 2.0);
	ck_assert_uint_eq(op.attempt, 3);
	/* Retry-After longer than the backoff wins. */
	why.retry_after = 7;
	ck_assert_int_eq(retry_next(&r, &op, &why, &e), 0);
	ck_assert(f.slept[3] == 7);
	/* Shorter than the backoff (4 s): the backoff wins. */
	why.retry_after = 1;
	ck_assert_int_eq(retry_next(&r, &op, &why, &e), 0);
	ck_assert(f.slept[4] == 8);
	ck_assert(!err_is_set(&e));
	ck_assert(r.slow_until == 0);	/* no 429: no slow-down */
}
END_TEST

START_TEST(test_budget_exhausted)
{
	struct retry r;
	struct retry_op op;
	struct retry_why why = { 0, -1, "connect to 127.0.0.1:4431 timed out after 10 s" };
	struct fake f;
	struct err e;
	int rc, n = 0;

	setup(&r, &f, UINT32_MAX);	/* always the full ceiling */
	retry_op_begin(&r, &op);
	err_init(&e);
	while ((rc = retry_next(&r, &op, &why, &e)) == 0)
		n++;
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(e.code, ERR_TEMP);
	ck_assert_ptr_nonnull(strstr(e.msg, "timed out after 10 s"));
	ck_assert_ptr_nonnull(strstr(e.msg, "gave up"));
	/* 1+2+4+8+16+32 = 63 s fits in 120 s; the next 64 s does not. */
	ck_assert_int_eq(n, 6);
	ck_assert(f.now - 1000 <= RETRY_BUDGET_S);
}
END_TEST

START_TEST(test_cycle_deadline_and_max_attempts)
{
	struct retry r;
	struct retry_op op;
	struct retry_why why = { 500, 30, "HTTP 500" };
	struct fake f;
	struct err e;

	setup(&r, &f, 0);
	retry_cycle_begin(&r, 20);
	retry_op_begin(&r, &op);
	err_init(&e);
	/* Retry-After 30 s would pass the 20 s cycle deadline: give up at once. */
	ck_assert_int_eq(retry_next(&r, &op, &why, &e), -1);
	ck_assert_int_eq(e.code, ERR_TEMP);
	ck_assert_int_eq(f.nsleep, 0);
	retry_cycle_end(&r);
	/* Zero waits: the attempt cap still ends the loop. */
	why.retry_after = -1;
	retry_op_begin(&r, &op);
	err_init(&e);
	{
		int n = 0;

		while (retry_next(&r, &op, &why, &e) == 0)
			n++;
		ck_assert_int_eq(n, RETRY_MAX_ATTEMPTS);
	}
	ck_assert_int_eq(e.code, ERR_TEMP);
	/* An abandoned sleep (SIGTERM) stops at once. */
	f.refuse_sleep = 1;
	retry_op_begin(&r, &op);
	err_init(&e);
	ck_assert_int_eq(retry_next(&r, &op, &why, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "interrupted"));
}
END_TEST

START_TEST(test_slow_down_after_429)
{
	struct retry r;
	struct retry_op op;
	struct retry_why why = { 429, 5, "HTTP 429 RESOURCE_EXHAUSTED" };
	struct fake f;
	struct err e;

	setup(&r, &f, 0);
	retry_op_begin(&r, &op);
	err_init(&e);
	ck_assert_int_eq(retry_next(&r, &op, &why, &e), 0);
	ck_assert(r.slow_until == 1005);
	ck_assert_uint_eq(r.throttled, 1);
	/* Already waited: pacing does not wait again. */
	ck_assert_int_eq(retry_pace(&r, &op, &e), 0);
	ck_assert_int_eq(f.nsleep, 1);
	/* A later operation started inside the slow-down waits it out. */
	r.slow_until = f.now + 10;
	retry_op_begin(&r, &op);
	ck_assert_int_eq(retry_pace(&r, &op, &e), 0);
	ck_assert_int_eq(f.nsleep, 2);
	ck_assert(f.slept[1] == 10);
	/* A slow-down past the cycle deadline ends the operation with ERR_TEMP. */
	r.slow_until = f.now + 100;
	retry_cycle_begin(&r, 30);
	retry_op_begin(&r, &op);
	ck_assert_int_eq(retry_pace(&r, &op, &e), -1);
	ck_assert_int_eq(e.code, ERR_TEMP);
	ck_assert_ptr_nonnull(strstr(e.msg, "quota"));
}
END_TEST

START_TEST(test_default_env)
{
	struct retry r;
	unsigned n;

	retry_init(&r, NULL);
	for (n = 0; n < 200; n++) {
		double d = retry_backoff(&r, 2);

		ck_assert(d >= 0 && d < 4);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("retry");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_backoff_bounds);
	tcase_add_test(tc, test_retryable_statuses);
	tcase_add_test(tc, test_retry_after_parse);
	tcase_add_test(tc, test_next_sleeps_and_honours_retry_after);
	tcase_add_test(tc, test_budget_exhausted);
	tcase_add_test(tc, test_cycle_deadline_and_max_attempts);
	tcase_add_test(tc, test_slow_down_after_429);
	tcase_add_test(tc, test_default_env);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
