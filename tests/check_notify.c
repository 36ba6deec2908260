/*
 * check_notify: the sd_notify datagrams and the metrics file, as systemd and
 * node_exporter see them.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "syncd/metrics.h"
#include "syncd/notify.h"

static char dir[] = "/tmp/check_notify.XXXXXX";

static int
listen_at(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa,
	    path[0] == '@' ? (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path))
	    : (socklen_t)sizeof(sa)), 0);
	return fd;
}

static void
recv_expect(int fd, const char *want)
{
	char buf[1024];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_str_eq(buf, want);
}

START_TEST(test_no_socket_is_noop)
{
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(notify_send("READY=1"), 0);
}
END_TEST

START_TEST(test_path_socket)
{
	char path[256];
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = listen_at(path);
	setenv("NOTIFY_SOCKET", path, 1);
	ck_assert_int_eq(notify_send("READY=1"), 0);
	recv_expect(fd, "READY=1");
	ck_assert_int_eq(notify_status("cycle 1\nok"), 0);
	recv_expect(fd, "STATUS=cycle 1 ok");
	close(fd);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_abstract_socket)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "@syncd-test-%ld", (long)getpid());
	fd = listen_at(name);
	setenv("NOTIFY_SOCKET", name, 1);
	ck_assert_int_eq(notify_send("WATCHDOG=1"), 0);
	recv_expect(fd, "WATCHDOG=1");
	close(fd);
}
END_TEST

START_TEST(test_bad_socket_fails)
{
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	ck_assert_int_eq(notify_send("READY=1"), -1);
	setenv("NOTIFY_SOCKET", "/nonexistent/dir/sock", 1);
	ck_assert_int_eq(notify_send("READY=1"), -1);
}
END_TEST

START_TEST(test_watchdog_env)
{
	char pid[32];

	unsetenv("WATCHDOG_USEC");
	ck_assert_uint_eq(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "120000000", 1);
	unsetenv("WATCHDOG_PID");
	ck_assert_uint_eq(notify_watchdog_usec(), 120000000);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	ck_assert_uint_eq(notify_watchdog_usec(), 120000000);
	setenv("WATCHDOG_PID", "1", 1);	/* meant for another process */
	ck_assert_uint_eq(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_PID", pid, 1);
	setenv("WATCHDOG_USEC", "12x", 1);
	ck_assert_uint_eq(notify_watchdog_usec(), 0);
}
END_TEST

START_TEST(test_metrics_file)
{
	char mdir[] = "/tmp/check_metrics.XXXXXX", path[256], text[8192];
	struct metrics m;
	struct err e;
	struct stat st;
	FILE *f;
	size_t n;

	err_init(&e);
	ck_assert_ptr_nonnull(mkdtemp(mdir));
	metrics_init(&m);
	m.cycles = 3;
	m.failures = 1;
	m.errors = 7;
	m.warnings = 2;
	m.last_success = 1700000000;
	metrics_count_request(&m, "drive", 200);
	metrics_count_request(&m, "drive", 200);
	metrics_count_request(&m, "batch_get", 429);
	ck_assert_int_eq(metrics_write(&m, mdir, &e), 0);
	snprintf(path, sizeof(path), "%s/syncd.prom", mdir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	ck_assert_ptr_nonnull(strstr(text, "syncd_cycles_total 3\n"));
	ck_assert_ptr_nonnull(strstr(text, "syncd_cycle_failures_total 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "syncd_discrepancies{severity=\"error\"} 7\n"));
	ck_assert_ptr_nonnull(strstr(text,
	    "syncd_api_requests_total{kind=\"drive\",status=\"200\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(text,
	    "syncd_api_requests_total{kind=\"batch_get\",status=\"429\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(text, "syncd_last_success_timestamp_seconds 1700000000\n"));
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	unlink(path);
	rmdir(mdir);
	/* A directory that does not exist is an error, not a crash. */
	ck_assert_int_eq(metrics_write(&m, "/nonexistent/metrics", &e), -1);
	ck_assert_int_eq(e.code, ERR_IO);
}
END_TEST

START_TEST(test_metrics_series_full)
{
	struct metrics m;
	char kind[16];
	int i;

	metrics_init(&m);
	for (i = 0; i < METRICS_MAX_SERIES + 10; i++) {
		snprintf(kind, sizeof(kind), "k%d", i);
		metrics_count_request(&m, kind, 200);
	}
	ck_assert_uint_eq(m.nseries, METRICS_MAX_SERIES);
	ck_assert_str_eq(m.series[METRICS_MAX_SERIES - 1].kind, "other");
	ck_assert_uint_eq(m.series[METRICS_MAX_SERIES - 1].count, 11);
}
END_TEST

START_TEST(test_status_line)
{
	struct metrics m;
	char buf[256];

	metrics_init(&m);
	metrics_status_line(&m, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "last success never"));
	m.cycles = 42;
	m.households = 423;
	m.errors = 12;
	m.warnings = 5;
	m.last_success = 0;
	metrics_status_line(&m, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "cycle 42"));
	ck_assert_ptr_nonnull(strstr(buf, "423 households"));
	ck_assert_ptr_nonnull(strstr(buf, "12 errors, 5 warnings"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_no_socket_is_noop);
	tcase_add_test(tc, test_path_socket);
	tcase_add_test(tc, test_abstract_socket);
	tcase_add_test(tc, test_bad_socket_fails);
	tcase_add_test(tc, test_watchdog_env);
	tcase_add_test(tc, test_metrics_file);
	tcase_add_test(tc, test_metrics_series_full);
	tcase_add_test(tc, test_status_line);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
