/*
 * check_audit: the audit log's contract (syncd/audit.h): the exact line
 * format and chain, verification that catches every single-bit flip, deleted,
 * reordered, duplicated and truncated lines, recovery of a torn last line
 * into a recovery event (including after a crash in the middle of recovery),
 * refusal to append to a broken chain, and fatal write/fsync failures.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "syncd/audit.h"
#include "syncd/run.h"
#include "tests/harness.h"

static char dir[64];
static char logpath[128];

static time_t
fixed_now(void *ctx)
{
	(void)ctx;
	return 1795619401;	/* 2026-11-25T15:10:01Z */
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_audit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(logpath, sizeof(logpath), "%s/audit.jsonl", dir);
}

static void
teardown(void)
{
	harness_rmtree(dir);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
spit(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static void
sha_hex(const void *buf, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n;
	int i;

	EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Writes a small log of n lines (Thai text, every event kind) and closes. */
static void
write_log(int n)
{
	struct err e;
	struct audit *a;
	int i, rc;

	err_init(&e);
	a = audit_open(logpath, fixed_now, NULL, &e);
	ck_assert_msg(a != NULL, "%s", e.msg);
	for (i = 0; i < n; i++) {
		if (i % 2 == 0)
			rc = audit_append_pack(a, &e, "cell.changed",
			    "{s:s, s:i, s:s, s:s, s:s, s:s}", "tab", "บางคล้า",
			    "row", 7 + i, "key", "24010012345", "column",
			    "คร. ที่พัฒนาได้", "old", "", "new", "1");
		else
			rc = audit_append_pack(a, &e, "cycle",
			    "{s:s, s:i, s:i, s:i}", "version", "42", "errors", i,
			    "api_requests", 2, "duration_ms", 130);
		ck_assert_msg(rc == 0, "%s", e.msg);
	}
	ck_assert_int_eq(audit_sync(a, &e), 0);
	audit_close(a);
}

START_TEST(test_format_and_roundtrip)
{
	struct audit_verify_result res;
	struct err e;
	struct audit *a;
	char head[65], h1[65], *buf, *nl;
	uint64_t seq;
	size_t len;
	struct stat st;

	write_log(4);
	buf = slurp(logpath, &len);
	/* Key order and compact form are part of the contract. */
	ck_assert_msg(strncmp(buf, "{\"seq\":1,\"ts\":\"2026-11-25T15:10:01Z\","
	    "\"event\":\"cell.changed\",\"prev\":\"0000000000000000000000000000"
	    "000000000000000000000000000000000000\",\"tab\":\"บางคล้า\",", 150) == 0,
	    "line 1 is %.160s", buf);
	nl = strchr(buf, '\n');
	ck_assert_ptr_nonnull(nl);
	sha_hex(buf, (size_t)(nl - buf), h1);
	ck_assert_ptr_nonnull(strstr(nl + 1, h1));	/* line 2's prev */
	ck_assert_int_eq(buf[len - 1], '\n');
	free(buf);
	ck_assert_int_eq(stat(logpath, &st), 0);
	ck_assert_int_eq(st.st_mode & 0137, 0);	/* 0640 at most */

	err_init(&e);
	ck_assert_msg(audit_verify_file(logpath, NULL, &res, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(res.lines, 4);
	ck_assert_uint_eq(res.head.seq, 4);

	/* Reopening continues the chain. */
	a = audit_open(logpath, fixed_now, NULL, &e);
	ck_assert_msg(a != NULL, "%s", e.msg);
	audit_head(a, &seq, head);
	ck_assert_uint_eq(seq, 4);
	ck_assert_str_eq(head, res.head.hash);
	ck_assert_int_eq(audit_append(a, "summary.written", NULL, &e), 0);
	ck_assert_int_eq(audit_sync(a, &e), 0);
	audit_head(a, &seq, head);
	ck_assert_uint_eq(seq, 5);
	audit_close(a);
	ck_assert_msg(audit_verify_file(logpath, NULL, &res, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(res.head.seq, 5);
	ck_assert_str_eq(res.head.hash, head);
}
END_TEST

START_TEST(test_empty_log)
{
	struct audit_verify_result res;
	struct err e;
	struct audit *a;
	uint64_t seq = 9;
	char head[65];

	err_init(&e);
	a = audit_open(logpath, NULL, NULL, &e);
	ck_assert_ptr_nonnull(a);
	audit_head(a, &seq, head);
	ck_assert_uint_eq(seq, 0);
	ck_assert_str_eq(head, "0000000000000000000000000000000000000000000000000000000000000000");
	audit_close(a);
	ck_assert_int_eq(audit_verify_file(logpath, NULL, &res, &e), 0);
	ck_assert_uint_eq(res.lines, 0);
}
END_TEST

START_TEST(test_bad_appends_write_nothing)
{
	struct err e;
	struct audit *a;
	json_t *f;
	char *big;
	size_t len;
	uint64_t seq;

	err_init(&e);
	a = audit_open(logpath, fixed_now, NULL, &e);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(audit_append(a, "no.such.event", NULL, &e), -1);
	ck_assert_int_eq(e.code, ERR_DATA);
	ck_assert(!err_is_fatal(&e));
	err_init(&e);
	f = json_pack("{s:i}", "seq", 99);
	ck_assert_int_eq(audit_append(a, "cycle", f, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "reserved"));
	json_decref(f);
	err_init(&e);
	big = malloc(AUDIT_EVENT_MAX + 1);
	memset(big, 'x', AUDIT_EVENT_MAX);
	big[AUDIT_EVENT_MAX] = '\0';
	f = json_pack("{s:s}", "message", big);
	ck_assert_int_eq(audit_append(a, "api.error", f, &e), -1);
	ck_assert_int_eq(e.code, ERR_DATA);
	json_decref(f);
	free(big);
	/* None of that was fatal: a good append still works. */
	err_init(&e);
	ck_assert_int_eq(audit_append(a, "config.loaded", NULL, &e), 0);
	audit_head(a, &seq, NULL);
	ck_assert_uint_eq(seq, 1);
	audit_close(a);
	free(slurp(logpath, &len));
	ck_assert_uint_gt(len, 0);
}
END_TEST

/* Line number (1-based) holding byte off; a newline belongs to its line. */
static uint64_t
line_of(const char *buf, size_t off)
{
	uint64_t n = 1;
	size_t i;

	for (i = 0; i < off; i++)
		if (buf[i] == '\n')
			n++;
	return n;
}

START_TEST(test_every_bit_flip_detected)
{
	struct audit_verify_result res, good;
	struct err e;
	char *buf;
	size_t len, off;
	uint64_t k, nlines;
	int fd, bit;
	unsigned char orig;

	write_log(3);
	buf = slurp(logpath, &len);
	err_init(&e);
	ck_assert_int_eq(audit_verify_file(logpath, NULL, &good, &e), 0);
	nlines = good.lines;
	fd = memfd_create("flip", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	for (off = 0; off < len; off++) {
		k = line_of(buf, off);
		orig = (unsigned char)buf[off];
		for (bit = 0; bit < 8; bit++) {
			unsigned char c = orig ^ (unsigned char)(1u << bit);

			ck_assert_int_eq(pwrite(fd, &c, 1, (off_t)off), 1);
			/* With the published head, every flip fails... */
			err_init(&e);
			ck_assert_msg(audit_verify_fd(fd, &good.head, &res, &e) == -1,
			    "flip of bit %d at %zu accepted", bit, off);
			/* ...and names the flipped line or the one after it. */
			ck_assert_msg(res.bad_line == k || res.bad_line == k + 1,
			    "flip at %zu (line %llu) reported at line %llu: %s",
			    off, (unsigned long long)k,
			    (unsigned long long)res.bad_line, e.msg);
			/* Without it, every flip before the last line fails. */
			if (k < nlines) {
				err_init(&e);
				ck_assert_msg(audit_verify_fd(fd, NULL, &res, &e) == -1,
				    "flip of bit %d at %zu (line %llu) accepted "
				    "without head", bit, off, (unsigned long long)k);
			}
		}
		ck_assert_int_eq(pwrite(fd, &orig, 1, (off_t)off), 1);
	}
	close(fd);
	free(buf);
}
END_TEST

/* Splits buf into lines (pointers into a copy); returns the count. */
static int
split_lines(char *buf, char **lines, int max)
{
	int n = 0;
	char *p = buf, *nl;

	while (n < max && (nl = strchr(p, '\n')) != NULL) {
		*nl = '\0';
		lines[n++] = p;
		p = nl + 1;
	}
	return n;
}

static void
write_lines(char **lines, const int *order, int n)
{
	FILE *f = fopen(logpath, "wb");
	int i;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s\n", lines[order[i]]);
	fclose(f);
}

START_TEST(test_line_edits_detected)
{
	static const struct {
		const char *name;
		int order[6];
		int n;
		uint64_t bad_line;
		enum audit_defect defect;
	} cases[] = {
		{ "deleted line 2", { 0, 2, 3, 4 }, 4, 2, AUDIT_SEQ_GAP },
		{ "deleted line 1", { 1, 2, 3, 4 }, 4, 1, AUDIT_SEQ_GAP },
		{ "swapped 2 and 3", { 0, 2, 1, 3, 4 }, 5, 2, AUDIT_SEQ_GAP },
		{ "duplicated line 3", { 0, 1, 2, 2, 3, 4 }, 6, 4, AUDIT_SEQ_GAP },
		{ "last two swapped", { 0, 1, 2, 4, 3 }, 5, 4, AUDIT_SEQ_GAP },
	};
	struct audit_verify_result res;
	struct err e;
	char *buf, *lines[8];
	size_t len, i;

	write_log(5);
	buf = slurp(logpath, &len);
	ck_assert_int_eq(split_lines(buf, lines, 8), 5);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_lines(lines, cases[i].order, cases[i].n);
		err_init(&e);
		ck_assert_msg(audit_verify_file(logpath, NULL, &res, &e) == -1,
		    "%s accepted", cases[i].name);
		ck_assert_int_eq(e.code, ERR_DATA);
		ck_assert_msg(res.bad_line == cases[i].bad_line &&
		    res.defect == cases[i].defect, "%s: got line %llu (%s)",
		    cases[i].name, (unsigned long long)res.bad_line, e.msg);
	}
	free(buf);
}
END_TEST

START_TEST(test_truncation_behind_published_head)
{
	struct audit_verify_result good, res;
	struct audit_head h;
	struct err e;
	char *buf, *lines[8];
	size_t len;
	int keep;
	static const int order[] = { 0, 1, 2, 3, 4 };

	write_log(5);
	err_init(&e);
	ck_assert_int_eq(audit_verify_file(logpath, NULL, &good, &e), 0);
	buf = slurp(logpath, &len);
	ck_assert_int_eq(split_lines(buf, lines, 8), 5);
	for (keep = 0; keep < 5; keep++) {
		write_lines(lines, order, keep);
		/* A cut on a line boundary looks fine on its own... */
		err_init(&e);
		ck_assert_int_eq(audit_verify_file(logpath, NULL, &res, &e), 0);
		/* ...but not against the head published earlier. */
		err_init(&e);
		ck_assert_int_eq(audit_verify_file(logpath, &good.head, &res, &e), -1);
		ck_assert_int_eq(res.defect, AUDIT_HEAD_MISSING);
	}
	/* An earlier head still verifies against the full log. */
	write_lines(lines, order, 5);
	err_init(&e);
	ck_assert_int_eq(audit_verify_file(logpath, NULL, &res, &e), 0);
	write_lines(lines, order, 3);
	ck_assert_int_eq(audit_verify_file(logpath, NULL, &res, &e), 0);
	h = res.head;
	write_lines(lines, order, 5);
	ck_assert_int_eq(audit_verify_file(logpath, &h, &res, &e), 0);
	ck_assert_uint_eq(res.head.seq, 5);
	/* A wrong hash for an existing seq is caught at that line. */
	h.hash[0] = h.hash[0] == 'a' ? 'b' : 'a';
	ck_assert_int_eq(audit_verify_file(logpath, &h, &res, &e), -1);
	ck_assert_int_eq(res.defect, AUDIT_HEAD_MISMATCH);
	ck_assert_uint_eq(res.bad_line, 3);
	free(buf);
}
END_TEST

/* Opens the log after appending tail to it and checks the recovery event. */
static void
check_recovery(const char *tail, size_t tlen, int expect_base64)
{
	struct audit_verify_result res;
	struct err e;
	struct audit *a;
	char sha[65], *buf, *last, *before;
	size_t len, blen;
	json_t *o;
	int fd;
	uint64_t seq;

	write_log(3);
	before = slurp(logpath, &blen);
	fd = open(logpath, O_WRONLY | O_APPEND);
	ck_assert_int_eq(write(fd, tail, tlen), (ssize_t)tlen);
	close(fd);
	err_init(&e);
	ck_assert_int_eq(audit_verify_file(logpath, NULL, &res, &e), -1);
	ck_assert_int_eq(res.defect, AUDIT_TORN);
	ck_assert_uint_eq(res.bad_line, 4);

	a = audit_open(logpath, fixed_now, NULL, &e);
	ck_assert_msg(a != NULL, "%s", e.msg);
	audit_head(a, &seq, NULL);
	ck_assert_uint_eq(seq, 4);
	audit_close(a);
	ck_assert_msg(audit_verify_file(logpath, NULL, &res, &e) == 0, "%s", e.msg);
	buf = slurp(logpath, &len);
	/* The good lines are untouched, byte for byte. */
	ck_assert_int_eq(memcmp(buf, before, blen), 0);
	last = buf + blen;
	o = json_loadb(last, len - blen - 1, 0, NULL);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(o, "event")), "recovery");
	sha_hex(tail, tlen, sha);
	ck_assert_str_eq(json_string_value(json_object_get(o, "sha256")), sha);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "length")), (json_int_t)tlen);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "offset")), (json_int_t)blen);
	if (expect_base64) {
		const char *b = json_string_value(json_object_get(o, "bytes_base64"));
		unsigned char dec[256];
		int n;

		ck_assert_ptr_nonnull(b);
		n = EVP_DecodeBlock(dec, (const unsigned char *)b, (int)strlen(b));
		ck_assert_int_ge(n, (int)tlen);	/* padding adds up to 2 zeros */
		ck_assert_int_eq(memcmp(dec, tail, tlen), 0);
	} else {
		json_t *b = json_object_get(o, "bytes");

		ck_assert_uint_eq(json_string_length(b), tlen);
		ck_assert_int_eq(memcmp(json_string_value(b), tail, tlen), 0);
	}
	json_decref(o);
	free(buf);
	free(before);
	/* No side file is left behind. */
	{
		char pat[256];
		glob_t g;

		snprintf(pat, sizeof(pat), "%s/audit.jsonl.torn-*", dir);
		ck_assert_int_eq(glob(pat, 0, NULL, &g), GLOB_NOMATCH);
		globfree(&g);
	}
}

START_TEST(test_torn_no_newline)
{
	static const char tail[] = "{\"seq\":4,\"ts\":\"2026-11-25T15:1";

	check_recovery(tail, sizeof(tail) - 1, 0);
}
END_TEST

START_TEST(test_torn_not_json)
{
	static const char tail[] = "{\"seq\":4,\"ts\":\"บาง\n";

	check_recovery(tail, sizeof(tail) - 1, 0);
}
END_TEST

START_TEST(test_torn_binary)
{
	static const char tail[] = "{\"seq\":4\0\0\0\xff\xfe";

	check_recovery(tail, sizeof(tail) - 1, 1);
}
END_TEST

START_TEST(test_torn_at_many_offsets)
{
	struct audit_verify_result res;
	struct err e;
	struct audit *a;
	char *full, *buf, sha[65], *nl;
	size_t flen, len, start, cut;
	json_t *o;

	/* A crash can cut the last line anywhere: every cut is recovered
	 * with exactly the bytes that were there. */
	write_log(3);
	full = slurp(logpath, &flen);
	start = flen - 1;
	while (start > 0 && full[start - 1] != '\n')
		start--;
	for (cut = start + 1; cut < flen; cut += 13) {
		spit(logpath, full, cut);
		err_init(&e);
		a = audit_open(logpath, fixed_now, NULL, &e);
		ck_assert_msg(a != NULL, "cut at %zu: %s", cut, e.msg);
		audit_close(a);
		ck_assert_msg(audit_verify_file(logpath, NULL, &res, &e) == 0,
		    "cut at %zu: %s", cut, e.msg);
		ck_assert_uint_eq(res.lines, 3);
		buf = slurp(logpath, &len);
		ck_assert_int_eq(memcmp(buf, full, start), 0);
		nl = strchr(buf + start, '\n');
		ck_assert_ptr_nonnull(nl);
		o = json_loadb(buf + start, (size_t)(nl - buf) - start, 0, NULL);
		sha_hex(full + start, cut - start, sha);
		ck_assert_str_eq(json_string_value(json_object_get(o, "sha256")), sha);
		json_decref(o);
		free(buf);
	}
	free(full);
}
END_TEST

START_TEST(test_side_file_after_crash)
{
	struct audit_verify_result res;
	char side[256], *buf;
	struct err e;
	struct audit *a;
	uint64_t seq;
	size_t len;
	static const char torn[] = "{\"seq\":4,\"t";

	/* Crash after the torn bytes were saved and the log cut: the next
	 * open records them from the side file. */
	write_log(3);
	snprintf(side, sizeof(side), "%s.torn-%020d-0123456789abcdef", logpath, 77);
	spit(side, torn, sizeof(torn) - 1);
	err_init(&e);
	a = audit_open(logpath, fixed_now, NULL, &e);
	ck_assert_msg(a != NULL, "%s", e.msg);
	audit_head(a, &seq, NULL);
	ck_assert_uint_eq(seq, 4);
	audit_close(a);
	ck_assert_int_eq(access(side, F_OK), -1);
	buf = slurp(logpath, &len);
	ck_assert_ptr_nonnull(strstr(buf, "\"event\":\"recovery\""));
	ck_assert_ptr_nonnull(strstr(buf, "\"offset\":77"));
	free(buf);

	/* Crash after the recovery event was synced but before the side file
	 * was removed: no second recovery event. */
	spit(side, torn, sizeof(torn) - 1);
	a = audit_open(logpath, fixed_now, NULL, &e);
	ck_assert_msg(a != NULL, "%s", e.msg);
	audit_head(a, &seq, NULL);
	ck_assert_uint_eq(seq, 4);
	audit_close(a);
	ck_assert_int_eq(access(side, F_OK), -1);
	ck_assert_int_eq(audit_verify_file(logpath, NULL, &res, &e), 0);
	ck_assert_uint_eq(res.lines, 4);
}
END_TEST

START_TEST(test_broken_chain_refused)
{
	struct err e;
	struct audit *a;
	char *buf, *after, *p;
	size_t len, alen;

	write_log(4);
	buf = slurp(logpath, &len);
	/* Change a value in line 2: line 3's prev no longer matches. */
	p = strchr(buf, '\n') + 1;
	p = strstr(p, "\"errors\":1");
	ck_assert_ptr_nonnull(p);
	p[9] = '7';
	spit(logpath, buf, len);
	err_init(&e);
	a = audit_open(logpath, fixed_now, NULL, &e);
	ck_assert_ptr_null(a);
	ck_assert_int_eq(e.code, ERR_DATA);
	ck_assert_msg(strstr(e.msg, "line 3 (seq 3): bad prev hash") != NULL, "%s", e.msg);
	/* Evidence untouched. */
	after = slurp(logpath, &alen);
	ck_assert_uint_eq(alen, len);
	ck_assert_int_eq(memcmp(after, buf, len), 0);
	free(after);
	free(buf);
}
END_TEST

START_TEST(test_locked)
{
	struct err e;
	struct audit *a, *b;

	err_init(&e);
	a = audit_open(logpath, NULL, NULL, &e);
	ck_assert_ptr_nonnull(a);
	b = audit_open(logpath, NULL, NULL, &e);
	ck_assert_ptr_null(b);
	ck_assert_ptr_nonnull(strstr(e.msg, "locked"));
	audit_close(a);
}
END_TEST

static int fake_calls;

static int
failing_fdatasync(void *ctx, int fd)
{
	(void)ctx;
	(void)fd;
	fake_calls++;
	errno = EIO;
	return -1;
}

static ssize_t
half_write(void *ctx, int fd, const void *buf, size_t len)
{
	(void)ctx;
	fake_calls++;
	return write(fd, buf, len / 2);
}

static ssize_t
pass_write(void *ctx, int fd, const void *buf, size_t len)
{
	(void)ctx;
	return write(fd, buf, len);
}

START_TEST(test_sync_failure_fatal)
{
	struct audit_io io = { pass_write, failing_fdatasync, NULL };
	struct err e;
	struct audit *a;

	err_init(&e);
	a = audit_open(logpath, fixed_now, NULL, &e);
	ck_assert_ptr_nonnull(a);
	audit_set_io(a, &io);
	fake_calls = 0;
	ck_assert_int_eq(audit_append(a, "cycle", NULL, &e), 0);
	ck_assert_int_eq(audit_sync(a, &e), -1);
	ck_assert(err_is_fatal(&e));
	ck_assert_int_eq(e.code, ERR_IO);
	ck_assert_ptr_nonnull(strstr(e.msg, "fdatasync"));
	ck_assert_int_eq(fake_calls, 1);
	/* Never retried, and the handle refuses further work. */
	err_init(&e);
	ck_assert_int_eq(audit_sync(a, &e), -1);
	ck_assert(err_is_fatal(&e));
	err_init(&e);
	ck_assert_int_eq(audit_append(a, "cycle", NULL, &e), -1);
	ck_assert(err_is_fatal(&e));
	ck_assert_int_eq(fake_calls, 1);
	audit_close(a);
}
END_TEST

/*
 * A step fails (an HTTP error in e), then the api.error recording it cannot
 * be synced: the cycle must stop, and what it reports is the log's failure,
 * not the step's (auth/err.h: a fatal error outranks an ordinary one).
 */
START_TEST(test_step_then_log_failure)
{
	struct audit_io io = { pass_write, failing_fdatasync, NULL };
	struct cycle c;
	struct err e;

	memset(&c, 0, sizeof(c));
	err_init(&e);
	c.audit = audit_open(logpath, fixed_now, NULL, &e);
	ck_assert_ptr_nonnull(c.audit);
	/* The log takes it: the step's error stays as it was. */
	err_set(&e, ERR_API, "sheets: HTTP 503");
	e.status = 503;
	ck_assert_int_eq(run_audit_failure(&c, "write", &e), 0);
	ck_assert(!err_is_fatal(&e));
	ck_assert_str_eq(e.msg, "sheets: HTTP 503");
	ck_assert_int_eq(e.status, 503);
	/* The log cannot sync it: fatal, and the message says why. */
	audit_set_io(c.audit, &io);
	ck_assert_int_eq(run_audit_failure(&c, "write", &e), -1);
	ck_assert(err_is_fatal(&e));
	ck_assert_int_eq(e.code, ERR_IO);
	ck_assert_ptr_nonnull(strstr(e.msg, "fdatasync"));
	audit_close(c.audit);
}
END_TEST

static int
real_sync(void *ctx, int fd)
{
	(void)ctx;
	return fdatasync(fd);
}

START_TEST(test_short_write)
{
	struct audit_io io = { half_write, real_sync, NULL };
	struct audit_verify_result res;
	struct err e;
	struct audit *a;
	uint64_t seq;

	write_log(2);
	err_init(&e);
	a = audit_open(logpath, fixed_now, NULL, &e);
	ck_assert_ptr_nonnull(a);
	audit_set_io(a, &io);
	ck_assert_int_eq(audit_append(a, "cycle", NULL, &e), -1);
	ck_assert(err_is_fatal(&e));
	ck_assert_ptr_nonnull(strstr(e.msg, "short write"));
	audit_head(a, &seq, NULL);
	ck_assert_uint_eq(seq, 2);
	audit_close(a);
	/* The partial line was cut back off: the chain is intact. */
	err_init(&e);
	ck_assert_msg(audit_verify_file(logpath, NULL, &res, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(res.lines, 2);
}
END_TEST

START_TEST(test_real_efbig)
{
	struct audit_verify_result res;
	struct rlimit old, lim;
	struct stat st;
	struct err e;
	struct audit *a;
	char *big;
	int rc;

	/* A real failing write: the file-size limit stops it part-way
	 * (Check runs each test in its own process). */
	write_log(2);
	err_init(&e);
	a = audit_open(logpath, fixed_now, NULL, &e);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(stat(logpath, &st), 0);
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)st.st_size + 100;
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	big = malloc(5000);
	memset(big, 'y', 4999);
	big[4999] = '\0';
	rc = audit_append_pack(a, &e, "api.error", "{s:s}", "message", big);
	ck_assert_int_eq(rc, -1);
	ck_assert(err_is_fatal(&e));
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	audit_close(a);
	free(big);
	err_init(&e);
	ck_assert_msg(audit_verify_file(logpath, NULL, &res, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(res.lines, 2);
}
END_TEST

START_TEST(test_parse_head)
{
	static const struct {
		const char *in;
		int ok;
	} cases[] = {
		{ "3:ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789", 1 },
		{ "0:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", 0 },
		{ ":abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", 0 },
		{ "3:abcdef", 0 },
		{ "3abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", 0 },
		{ "3:gbcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", 0 },
		{ "99999999999999999999999:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", 0 },
	};
	struct audit_head h;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_init(&e);
		ck_assert_msg((audit_parse_head(cases[i].in, &h, &e) == 0) ==
		    cases[i].ok, "case %zu", i);
	}
	err_init(&e);
	ck_assert_int_eq(audit_parse_head(cases[0].in, &h, &e), 0);
	ck_assert_uint_eq(h.seq, 3);
	ck_assert_str_eq(h.hash, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
}
END_TEST

START_TEST(test_missing_file)
{
	struct audit_verify_result res;
	struct err e;

	err_init(&e);
	ck_assert_int_eq(audit_verify_file("/nonexistent/audit.jsonl", NULL, &res, &e), -1);
	ck_assert_int_eq(e.code, ERR_NOINPUT);
}
END_TEST

static Suite *
audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_format_and_roundtrip);
	tcase_add_test(tc, test_empty_log);
	tcase_add_test(tc, test_bad_appends_write_nothing);
	tcase_add_test(tc, test_every_bit_flip_detected);
	tcase_add_test(tc, test_line_edits_detected);
	tcase_add_test(tc, test_truncation_behind_published_head);
	tcase_add_test(tc, test_torn_no_newline);
	tcase_add_test(tc, test_torn_not_json);
	tcase_add_test(tc, test_torn_binary);
	tcase_add_test(tc, test_torn_at_many_offsets);
	tcase_add_test(tc, test_side_file_after_crash);
	tcase_add_test(tc, test_broken_chain_refused);
	tcase_add_test(tc, test_locked);
	tcase_add_test(tc, test_sync_failure_fatal);
	tcase_add_test(tc, test_step_then_log_failure);
	tcase_add_test(tc, test_short_write);
	tcase_add_test(tc, test_real_efbig);
	tcase_add_test(tc, test_parse_head);
	tcase_add_test(tc, test_missing_file);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(audit_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
