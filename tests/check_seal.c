/*
 * check_seal: the sealing key and its file (syncd/seal.c), and the time
 * arguments of the audit tools (syncd/auditscan.c).
 *   - seal-init writes a key file that is not the seed; each day's change
 *     overwrites it in place with the next key (the old key's text is gone
 *     from the file) and closes the old day with a seal;
 *   - a key file changed by one byte (torn, edited) is refused, and nothing
 *     is appended;
 *   - a verification key of the wrong length, alphabet or date is refused
 *     with a message that does not repeat it;
 *   - --since/--until spellings, in Asia/Bangkok.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules/rules.h"
#include "syncd/audit.h"
#include "syncd/auditscan.h"
#include "syncd/fsutil.h"
#include "syncd/seal.h"
#include "syncd/today.h"

static time_t clock_now;

static time_t
pretend(void *ctx)
{
	(void)ctx;
	return clock_now;
}

static time_t
at(int y, int m, int d, int hh)
{
	return (time_t)rules_days_from_civil(y, m, d) * 86400 - TODAY_BANGKOK_OFFSET +
	    hh * 3600;
}

static char *
slurp(const char *path)
{
	struct err e;
	char *buf = NULL, *s;
	size_t len = 0;

	err_init(&e);
	ck_assert_int_eq(fsutil_read_file(path, 1 << 20, &buf, &len, &e), 0);
	s = realloc(buf, len + 1);
	ck_assert_ptr_nonnull(s);
	s[len] = '\0';
	return s;
}

static int
count(const char *text, const char *needle)
{
	int n = 0;

	for (; (text = strstr(text, needle)) != NULL; text++)
		n++;
	return n;
}

START_TEST(test_key_evolves)
{
	char dir[] = "/tmp/check_seal.XXXXXX", log[128], key[160], vkey[SEAL_VKEY_MAX];
	char *k1, *k2, *text;
	struct audit *a;
	struct err e;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(log, sizeof(log), "%s/audit.jsonl", dir);
	snprintf(key, sizeof(key), "%s/%s", dir, SEAL_KEY_FILE);
	err_init(&e);
	clock_now = at(2024, 2, 1, 9);
	ck_assert_int_eq(seal_init(dir, clock_now, vkey, sizeof(vkey), &e), 0);
	ck_assert_int_eq((int)strlen(vkey), 64 + 11);
	ck_assert_str_eq(vkey + 65, "2024-02-01");
	k1 = slurp(key);
	vkey[64] = '\0';
	ck_assert_msg(strstr(k1, vkey) == NULL, "the seed is in the key file");
	/* A second seal-init is refused. */
	ck_assert_int_eq(seal_init(dir, clock_now, vkey, sizeof(vkey), &e), -1);
	ck_assert_int_eq(e.code, ERR_DATA);

	err_init(&e);
	a = audit_open(log, pretend, NULL, &e);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(seal_attach(a, dir, &e), 0);
	ck_assert_int_eq(audit_append_pack(a, &e, "cycle", "{s:s}", "version", "1"), 0);
	ck_assert_int_eq(audit_sync(a, &e), 0);
	/* A tick the same day adds nothing; the next day closes the first. */
	ck_assert_int_eq(audit_seal_tick(a, &e), 0);
	clock_now = at(2024, 2, 2, 0) + 60;
	ck_assert_int_eq(audit_seal_tick(a, &e), 0);
	audit_close(a);
	text = slurp(log);
	ck_assert_int_eq(count(text, "\"event\":\"seal\""), 3);
	ck_assert_int_eq(count(text, "\"day\":\"2024-02-01\""), 2);
	ck_assert_int_eq(count(text, "\"day\":\"2024-02-02\""), 1);
	k2 = slurp(key);
	ck_assert_uint_eq(strlen(k1), strlen(k2));	/* overwritten in place */
	/* The old key's hex is gone from the file. */
	ck_assert_msg(strstr(k2, strstr(k1, "key=")) == NULL, "old key still there");
	ck_assert_ptr_nonnull(strstr(k2, "epoch=00019755 "));
	free(k1);
	free(k2);
	free(text);
	unlink(log);
	unlink(key);
	snprintf(log, sizeof(log), "%s/audit.head", dir);
	unlink(log);
	rmdir(dir);
}
END_TEST

START_TEST(test_key_file_damaged)
{
	char dir[] = "/tmp/check_seal.XXXXXX", log[128], key[160], vkey[SEAL_VKEY_MAX];
	struct audit *a;
	struct err e;
	uint64_t seq;
	char c;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(log, sizeof(log), "%s/audit.jsonl", dir);
	snprintf(key, sizeof(key), "%s/%s", dir, SEAL_KEY_FILE);
	err_init(&e);
	clock_now = at(2024, 2, 1, 9);
	ck_assert_int_eq(seal_init(dir, clock_now, vkey, sizeof(vkey), &e), 0);
	/* One hex digit of the key changed. */
	fd = open(key, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &c, 1, 60), 1);
	c = c == '0' ? '1' : '0';
	ck_assert_int_eq(pwrite(fd, &c, 1, 60), 1);
	close(fd);
	a = audit_open(log, pretend, NULL, &e);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(seal_attach(a, dir, &e), 0);
	ck_assert_int_eq(audit_append_pack(a, &e, "cycle", "{s:s}", "version", "1"), 0);
	ck_assert_int_eq(audit_sync(a, &e), -1);
	ck_assert_int_eq(e.code, ERR_DATA);
	ck_assert_ptr_nonnull(strstr(e.msg, "not an intact sealing key file"));
	audit_head(a, &seq, NULL);
	ck_assert_uint_eq(seq, 1);	/* no seal line */
	audit_close(a);
	unlink(log);
	unlink(key);
	rmdir(dir);
}
END_TEST

START_TEST(test_vkey_parse)
{
	static const char good[] =
	    "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF/2024-02-01";
	static const char *const bad[] = {
	    "", "short",
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeef/2024-02-01",
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeffa/2024-02-01",
	    "g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff/2024-02-01",
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff:2024-02-01",
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff/2024-02-30",
	};
	struct seal_vkey vk;
	struct err e;
	size_t i;

	err_init(&e);
	ck_assert_int_eq(seal_parse_vkey(good, &vk, &e), 0);
	ck_assert_int_eq(vk.seed[0], 0x00);
	ck_assert_int_eq(vk.seed[31], 0xff);
	ck_assert_int_eq(vk.epoch0, rules_days_from_civil(2024, 2, 1));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_init(&e);
		ck_assert_msg(seal_parse_vkey(bad[i], &vk, &e) == -1, "accepted %s", bad[i]);
		ck_assert_int_eq(e.code, ERR_USAGE);
		ck_assert_msg(bad[i][0] == '\0' || strstr(e.msg, bad[i]) == NULL,
		    "echoed the key");
	}
}
END_TEST

START_TEST(test_when)
{
	time_t t;

	ck_assert_int_eq(auditscan_parse_when("2024-02-01", 0, &t), 0);
	ck_assert_int_eq((long long)t, (long long)at(2024, 2, 1, 0));
	ck_assert_int_eq(auditscan_parse_when("2024-02-01", 1, &t), 0);
	ck_assert_int_eq((long long)t, (long long)at(2024, 2, 2, 0) - 1);
	ck_assert_int_eq(auditscan_parse_when("2024-02-01T09:30", 0, &t), 0);
	ck_assert_int_eq((long long)t, (long long)at(2024, 2, 1, 9) + 1800);
	ck_assert_int_eq(auditscan_parse_when("2024-02-01T09:30", 1, &t), 0);
	ck_assert_int_eq((long long)t, (long long)at(2024, 2, 1, 9) + 1859);
	ck_assert_int_eq(auditscan_parse_when("2024-02-30", 0, &t), -1);
	ck_assert_int_eq(auditscan_parse_when("2024-02-01T24:00", 0, &t), -1);
	ck_assert_int_eq(auditscan_parse_when("2024-02-01 09:30", 0, &t), -1);
	ck_assert_int_eq(auditscan_parse_when("yesterday", 0, &t), -1);
	ck_assert_int_eq(auditscan_parse_when("", 0, &t), -1);
	ck_assert_int_eq(auditscan_parse_ts("2024-02-01T02:30:00Z", &t), 0);
	ck_assert_int_eq((long long)t, (long long)at(2024, 2, 1, 9) + 1800);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("seal");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_key_evolves);
	tcase_add_test(tc, test_key_file_damaged);
	tcase_add_test(tc, test_vkey_parse);
	tcase_add_test(tc, test_when);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
