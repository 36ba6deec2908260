/*
 * audit: the hash-chained JSON Lines audit log (see audit.h for the format
 * and the contract).
 *
 * Three jobs: append (build the whole line in memory, one write(), hash it
 * into the head), sync (fdatasync; a failure is fatal), and verify (stream
 * the file line by line with a bounded line buffer, so a 1 GB log needs the
 * same memory as a 1 KB one).  Recovery of a torn last line goes through a
 * side file "<log>.torn-<offset>-<hash16>" written atomically BEFORE the log
 * is truncated, so a crash at any point of the recovery loses no byte: the
 * next open finds the side file and records it.  It must never rewrite or
 * delete a complete line of the log.
 */
#include "syncd/audit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "syncd/fsutil.h"

#define AUDIT_READ_CHUNK (64 * 1024)
#define AUDIT_PATH_MAX 4096
#define AUDIT_SIDE_TAG ".torn-"

static const char audit_zero_hash[65] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* The events of DESIGN.md; a name outside this list is a caller's typo. */
static const char *const audit_events[] = {
	"cycle", "discrepancy.opened", "discrepancy.resolved", "cell.changed",
	"summary.written", "api.error", "config.loaded", "recovery",
	"tab.renamed", "tab.removed", "writer.conflict",	/* issue 12 */
};

struct audit {
	int fd;
	char *path;		/* owned */
	off_t size;		/* bytes of the log we vouch for */
	off_t last_start;	/* where the last line starts */
	struct audit_head head;
	int broken;		/* a write or sync failed: refuse everything */
	time_t (*now)(void *);
	void *ctx;		/* borrowed, for now() */
	struct audit_io io;
};

/* ---- hashing ---------------------------------------------------------- */

static void
sha256_hex(const void *buf, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int mdlen = 0;
	size_t i;

	if (EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != sizeof(md))
		abort();	/* SHA-256 cannot fail short of a broken libcrypto */
	for (i = 0; i < sizeof(md); i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

static int
is_hash_hex(const char *s, size_t len)
{
	size_t i;

	if (len != 64)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* ---- streaming line reader -------------------------------------------- */

struct reader {
	int fd;
	off_t file_off;		/* next offset to pread */
	off_t consumed;		/* offset of buf[pos] in the file */
	size_t pos, len;
	char *line;		/* owned, grows up to AUDIT_LINE_MAX */
	size_t llen, lcap;
	off_t line_start;
	char buf[AUDIT_READ_CHUNK];
};

enum { RD_EOF = 0, RD_LINE = 1, RD_ERR = -1, RD_LONG = -2 };

static int
line_add(struct reader *r, const char *p, size_t n)
{
	char *nl;
	size_t ncap;

	if (r->llen + n > AUDIT_LINE_MAX - 1)
		return -1;
	if (r->llen + n > r->lcap) {
		ncap = r->lcap ? r->lcap : 4096;
		while (ncap < r->llen + n)
			ncap *= 2;
		nl = realloc(r->line, ncap);
		if (nl == NULL)
			return -2;
		r->line = nl;
		r->lcap = ncap;
	}
	memcpy(r->line + r->llen, p, n);
	r->llen += n;
	return 0;
}

/*
 * reader_next(r, &nl, e): read the next line into r->line/r->llen (without
 * its newline; *nl says whether it had one).  Returns RD_LINE, RD_EOF (no
 * more bytes), RD_LONG (line over AUDIT_LINE_MAX) or RD_ERR (e filled).
 */
static int
reader_next(struct reader *r, int *nl, struct err *e)
{
	const char *p, *q;
	ssize_t n;
	size_t take;
	int rc;

	r->llen = 0;
	r->line_start = r->consumed;
	*nl = 0;
	for (;;) {
		if (r->pos == r->len) {
			n = pread(r->fd, r->buf, sizeof(r->buf), r->file_off);
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1) {
				err_set(e, ERR_IO, "read: %s", strerror(errno));
				return RD_ERR;
			}
			if (n == 0)
				return r->llen > 0 ? RD_LINE : RD_EOF;
			r->file_off += n;
			r->pos = 0;
			r->len = (size_t)n;
		}
		p = r->buf + r->pos;
		q = memchr(p, '\n', r->len - r->pos);
		take = q != NULL ? (size_t)(q - p) : r->len - r->pos;
		rc = line_add(r, p, take);
		if (rc == -2) {
			err_set(e, ERR_NOMEM, "out of memory");
			return RD_ERR;
		}
		if (rc == -1)
			return RD_LONG;
		r->pos += take;
		r->consumed += (off_t)take;
		if (q != NULL) {
			r->pos++;
			r->consumed++;
			*nl = 1;
			return RD_LINE;
		}
	}
}

/* ---- verification ----------------------------------------------------- */

const char *
audit_defect_name(enum audit_defect d)
{
	switch (d) {
	case AUDIT_OK:			return "ok";
	case AUDIT_TORN:		return "torn last line";
	case AUDIT_NOT_JSON:		return "not JSON";
	case AUDIT_BAD_RECORD:		return "bad record";
	case AUDIT_SEQ_GAP:		return "seq gap";
	case AUDIT_BAD_PREV:		return "bad prev hash";
	case AUDIT_TOO_LONG:		return "line too long";
	case AUDIT_HEAD_MISMATCH:	return "head mismatch";
	case AUDIT_HEAD_MISSING:	return "log cut before published head";
	}
	return "unknown";
}

/*
 * check_line(line, len, &seq, prev, why): 0 when the line is a record with
 * integer seq >= 1, string ts and event, and a 64-hex prev (copied to prev);
 * 1 when it is not a JSON object; 2 when a member is missing or malformed
 * (why says which).
 */
static int
check_line(const char *line, size_t len, uint64_t *seq, char prev[65],
    const char **why)
{
	json_error_t jerr;
	json_t *o, *v;
	int rc = 2;

	*seq = 0;
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL || !json_is_object(o)) {
		json_decref(o);
		*why = "not a JSON object";
		return 1;
	}
	v = json_object_get(o, "seq");
	if (!json_is_integer(v) || json_integer_value(v) < 1) {
		*why = "seq missing or not a positive integer";
		goto out;
	}
	*seq = (uint64_t)json_integer_value(v);
	v = json_object_get(o, "ts");
	if (!json_is_string(v)) {
		*why = "ts missing or not a string";
		goto out;
	}
	v = json_object_get(o, "event");
	if (!json_is_string(v) || json_string_length(v) == 0) {
		*why = "event missing or not a string";
		goto out;
	}
	v = json_object_get(o, "prev");
	if (!json_is_string(v) ||
	    !is_hash_hex(json_string_value(v), json_string_length(v))) {
		*why = "prev missing or not 64 lower-case hex digits";
		goto out;
	}
	memcpy(prev, json_string_value(v), 65);
	rc = 0;
out:
	json_decref(o);
	return rc;
}

static int
defect(struct audit_verify_result *out, const struct reader *r,
    uint64_t lineno, uint64_t seq, enum audit_defect d, struct err *e,
    const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static int
defect(struct audit_verify_result *out, const struct reader *r,
    uint64_t lineno, uint64_t seq, enum audit_defect d, struct err *e,
    const char *fmt, ...)
{
	va_list ap;

	out->defect = d;
	out->bad_line = lineno;
	out->bad_seq = seq;
	out->bad_off = r != NULL ? r->line_start : out->good_end;
	va_start(ap, fmt);
	vsnprintf(out->what, sizeof(out->what), fmt, ap);
	va_end(ap);
	if (seq > 0)
		err_set(e, ERR_DATA, "line %" PRIu64 " (seq %" PRIu64 "): %s: %s",
		    lineno, seq, audit_defect_name(d), out->what);
	else
		err_set(e, ERR_DATA, "line %" PRIu64 ": %s: %s", lineno,
		    audit_defect_name(d), out->what);
	return -1;
}

int
audit_verify_fd(int fd, const struct audit_head *expected,
    struct audit_verify_result *out, struct err *e)
{
	struct reader *r;
	char prev[65], hash[65];
	const char *why = "";
	uint64_t lineno = 0, seq;
	int nl, rc, rc2, matched = 0, ret = -1;

	memset(out, 0, sizeof(*out));
	memcpy(out->head.hash, audit_zero_hash, 65);
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	r->fd = fd;
	for (;;) {
		rc = reader_next(r, &nl, e);
		if (rc == RD_EOF)
			break;
		if (rc == RD_ERR)
			goto done;
		lineno++;
		if (rc == RD_LONG) {
			defect(out, r, lineno, 0, AUDIT_TOO_LONG, e,
			    "longer than %d bytes", AUDIT_LINE_MAX);
			goto done;
		}
		if (!nl) {
			defect(out, r, lineno, 0, AUDIT_TORN, e,
			    "%zu bytes without a newline at the end", r->llen);
			goto done;
		}
		rc = check_line(r->line, r->llen, &seq, prev, &why);
		if (rc == 1) {
			/* Not JSON: a torn write if nothing follows it. */
			off_t start = r->line_start;
			size_t len = r->llen;

			rc2 = reader_next(r, &nl, e);
			if (rc2 == RD_ERR)
				goto done;
			r->line_start = start;
			if (rc2 == RD_EOF)
				defect(out, r, lineno, 0, AUDIT_TORN, e,
				    "last line (%zu bytes) is not JSON", len);
			else
				defect(out, r, lineno, 0, AUDIT_NOT_JSON, e,
				    "%s", why);
			goto done;
		}
		if (rc == 2) {
			defect(out, r, lineno, seq, AUDIT_BAD_RECORD, e, "%s", why);
			goto done;
		}
		if (seq != out->head.seq + 1) {
			defect(out, r, lineno, seq, AUDIT_SEQ_GAP, e,
			    "expected seq %" PRIu64, out->head.seq + 1);
			goto done;
		}
		if (strcmp(prev, out->head.hash) != 0) {
			if (lineno == 1)
				defect(out, r, lineno, seq, AUDIT_BAD_PREV, e,
				    "prev of the first line is not 64 zeros");
			else
				defect(out, r, lineno, seq, AUDIT_BAD_PREV, e,
				    "prev does not match the SHA-256 of line %"
				    PRIu64, lineno - 1);
			goto done;
		}
		sha256_hex(r->line, r->llen, hash);
		if (expected != NULL && seq == expected->seq) {
			matched = 1;
			if (strcmp(hash, expected->hash) != 0) {
				defect(out, r, lineno, seq, AUDIT_HEAD_MISMATCH, e,
				    "line hashes to %s, published head says %s",
				    hash, expected->hash);
				goto done;
			}
		}
		out->lines++;
		out->head.seq = seq;
		memcpy(out->head.hash, hash, 65);
		out->last_start = r->line_start;
		out->good_end = r->consumed;
	}
	if (expected != NULL && !matched) {
		defect(out, NULL, lineno + 1, 0, AUDIT_HEAD_MISSING, e,
		    "log ends at seq %" PRIu64 ", before the published head "
		    "seq %" PRIu64, out->head.seq, expected->seq);
		goto done;
	}
	ret = 0;
done:
	free(r->line);
	free(r);
	return ret;
}

int
audit_verify_file(const char *path, const struct audit_head *expected,
    struct audit_verify_result *out, struct err *e)
{
	struct err sub;
	int fd, rc;

	memset(out, 0, sizeof(*out));
	memcpy(out->head.hash, audit_zero_hash, 65);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		err_set(e, ERR_NOINPUT, "%s: %s", path, strerror(errno));
		return -1;
	}
	err_init(&sub);
	rc = audit_verify_fd(fd, expected, out, &sub);
	close(fd);
	if (rc == -1)
		err_set(e, sub.code, "%s: %s", path, sub.msg);
	return rc;
}

int
audit_parse_head(const char *text, struct audit_head *out, struct err *e)
{
	const char *colon = strchr(text, ':');
	uint64_t seq = 0;
	const char *p;
	size_t i;

	if (colon == NULL || colon == text || colon - text > 20)
		goto bad;
	for (p = text; p < colon; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		if (seq > (UINT64_MAX - 9) / 10)
			goto bad;
		seq = seq * 10 + (uint64_t)(*p - '0');
	}
	if (seq == 0 || strlen(colon + 1) != 64)
		goto bad;
	for (i = 0; i < 64; i++) {
		char c = colon[1 + i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			goto bad;
		out->hash[i] = c;
	}
	out->hash[64] = '\0';
	out->seq = seq;
	return 0;
bad:
	err_set(e, ERR_USAGE, "head must be SEQ:HASH (seq >= 1, 64 hex digits)");
	return -1;
}

/* ---- appending -------------------------------------------------------- */

static ssize_t
real_write(void *ctx, int fd, const void *buf, size_t len)
{
	(void)ctx;
	return write(fd, buf, len);
}

static int
real_fdatasync(void *ctx, int fd)
{
	(void)ctx;
	return fdatasync(fd);
}

static int
known_event(const char *event)
{
	size_t i;

	for (i = 0; i < sizeof(audit_events) / sizeof(audit_events[0]); i++)
		if (strcmp(event, audit_events[i]) == 0)
			return 1;
	return 0;
}

static void
format_ts(time_t t, char out[32])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

int
audit_append(struct audit *a, const char *event, json_t *fields, struct err *e)
{
	char ts[32], hash[65];
	const char *key;
	json_t *o = NULL, *v;
	char *text = NULL;
	size_t len;
	ssize_t n;
	int ret = -1;

	if (a->broken) {
		err_set(e, ERR_IO, "%s: an earlier write failed; the log is "
		    "closed for appends", a->path);
		return AUDIT_FATAL;
	}
	if (event == NULL || !known_event(event)) {
		err_set(e, ERR_DATA, "audit: unknown event \"%s\"",
		    event != NULL ? event : "(null)");
		return -1;
	}
	if (fields != NULL && !json_is_object(fields)) {
		err_set(e, ERR_DATA, "audit: %s: fields are not an object", event);
		return -1;
	}
	format_ts(a->now != NULL ? a->now(a->ctx) : time(NULL), ts);
	o = json_pack("{s:I, s:s, s:s, s:s}", "seq", (json_int_t)(a->head.seq + 1),
	    "ts", ts, "event", event, "prev", a->head.hash);
	if (o == NULL)
		goto nomem;
	if (fields != NULL) {
		json_object_foreach(fields, key, v) {
			if (json_object_get(o, key) != NULL) {
				err_set(e, ERR_DATA, "audit: %s: field \"%s\" is "
				    "reserved", event, key);
				goto out;
			}
			if (json_object_set(o, key, v) == -1)
				goto nomem;
		}
	}
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text == NULL)
		goto nomem;
	len = strlen(text);
	if (len + 1 > AUDIT_EVENT_MAX) {
		err_set(e, ERR_DATA, "audit: %s: line of %zu bytes exceeds %d",
		    event, len + 1, AUDIT_EVENT_MAX);
		goto out;
	}
	sha256_hex(text, len, hash);
	text[len] = '\n';	/* replaces the NUL: one write() with newline */
	do
		n = a->io.write(a->io.ctx, a->fd, text, len + 1);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)(len + 1)) {
		err_set(e, ERR_IO, "%s: write: %s", a->path,
		    n == -1 ? strerror(errno) : "short write");
		/* Cut a partial line back off; if that fails, the next open
		 * will find it torn and record it. */
		if (n > 0 && ftruncate(a->fd, a->size) == 0)
			(void)a->io.fdatasync(a->io.ctx, a->fd);
		a->broken = 1;
		ret = AUDIT_FATAL;
		goto out;
	}
	a->last_start = a->size;
	a->size += (off_t)(len + 1);
	a->head.seq++;
	memcpy(a->head.hash, hash, 65);
	ret = 0;
	goto out;
nomem:
	err_set(e, ERR_NOMEM, "audit: %s: out of memory", event);
out:
	free(text);
	json_decref(o);
	return ret;
}

int
audit_append_pack(struct audit *a, struct err *e, const char *event,
    const char *fmt, ...)
{
	json_error_t jerr;
	va_list ap;
	json_t *f;
	int rc;

	va_start(ap, fmt);
	f = json_vpack_ex(&jerr, 0, fmt, ap);
	va_end(ap);
	if (f == NULL) {
		err_set(e, ERR_DATA, "audit: %s: %s", event, jerr.text);
		return -1;
	}
	rc = audit_append(a, event, f, e);
	json_decref(f);
	return rc;
}

int
audit_sync(struct audit *a, struct err *e)
{
	if (a->broken) {
		err_set(e, ERR_IO, "%s: an earlier write failed", a->path);
		return AUDIT_FATAL;
	}
	if (a->io.fdatasync(a->io.ctx, a->fd) == -1) {
		/* Never retry: the kernel may have dropped the dirty pages and
		 * a second fdatasync could lie (PostgreSQL "fsyncgate"). */
		err_set(e, ERR_IO, "%s: fdatasync: %s", a->path, strerror(errno));
		a->broken = 1;
		return AUDIT_FATAL;
	}
	return 0;
}

void
audit_head(const struct audit *a, uint64_t *seq, char hash_hex[65])
{
	if (seq != NULL)
		*seq = a->head.seq;
	if (hash_hex != NULL)
		memcpy(hash_hex, a->head.hash, 65);
}

void
audit_set_io(struct audit *a, const struct audit_io *io)
{
	a->io = *io;
	if (a->io.write == NULL)
		a->io.write = real_write;
	if (a->io.fdatasync == NULL)
		a->io.fdatasync = real_fdatasync;
}

void
audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	if (a->fd != -1)
		close(a->fd);
	free(a->path);
	free(a);
}

/* ---- recovery of a torn last line ------------------------------------- */

/*
 * last_is_recovery_of(a, sha): does the log's last line record the bytes
 * whose SHA-256 is sha?  (A crash between syncing a recovery event and
 * removing its side file leaves exactly that.)
 */
static int
last_is_recovery_of(struct audit *a, const char *sha)
{
	size_t len = (size_t)(a->size - a->last_start);
	json_t *o, *ev, *h;
	char *buf;
	int yes = 0;

	if (a->head.seq == 0 || len == 0 || len > AUDIT_LINE_MAX)
		return 0;
	buf = malloc(len);
	if (buf == NULL)
		return 0;
	if (pread(a->fd, buf, len, a->last_start) == (ssize_t)len) {
		o = json_loadb(buf, len - 1, 0, NULL);
		ev = json_object_get(o, "event");
		h = json_object_get(o, "sha256");
		yes = json_is_string(ev) && strcmp(json_string_value(ev),
		    "recovery") == 0 && json_is_string(h) &&
		    strcmp(json_string_value(h), sha) == 0;
		json_decref(o);
	}
	free(buf);
	return yes;
}

/* record_side(a, side, offset, e): append a recovery event holding the bytes
 * of the side file, sync, then remove the side file. */
static int
record_side(struct audit *a, const char *side, long long offset, struct err *e)
{
	char sha[65];
	char *buf = NULL, *b64 = NULL;
	size_t len;
	json_t *f = NULL, *text;
	int rc = -1;

	if (fsutil_read_file(side, AUDIT_EVENT_MAX, &buf, &len, e) == -1)
		return -1;
	sha256_hex(buf, len, sha);
	if (!last_is_recovery_of(a, sha)) {
		/* Text when it is valid UTF-8 without NUL, else base64. */
		text = memchr(buf, '\0', len) == NULL ? json_stringn(buf, len) : NULL;
		if (text == NULL) {
			b64 = malloc(4 * ((len + 2) / 3) + 1);
			if (b64 == NULL) {
				err_set(e, ERR_NOMEM, "out of memory");
				goto out;
			}
			EVP_EncodeBlock((unsigned char *)b64,
			    (const unsigned char *)buf, (int)len);
		}
		f = json_pack("{s:s, s:I, s:I, s:s}", "reason", "torn last line",
		    "offset", (json_int_t)offset, "length", (json_int_t)len,
		    "sha256", sha);
		if (f == NULL || (text != NULL ? json_object_set_new(f, "bytes", text)
		    : json_object_set_new(f, "bytes_base64", json_string(b64))) == -1) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		rc = audit_append(a, "recovery", f, e);
		if (rc == 0)
			rc = audit_sync(a, e);
		if (rc != 0)
			goto out;
	}
	if (unlink(side) == -1 && errno != ENOENT) {
		err_set(e, ERR_IO, "%s: unlink: %s", side, strerror(errno));
		rc = -1;
		goto out;
	}
	rc = fsutil_fsync_dir(side, e);
out:
	json_decref(f);
	free(b64);
	free(buf);
	return rc;
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* record_sides(a, e): record and remove every pending side file, oldest
 * offset first. */
static int
record_sides(struct audit *a, struct err *e)
{
	char dirbuf[AUDIT_PATH_MAX], basebuf[AUDIT_PATH_MAX], side[AUDIT_PATH_MAX];
	const char *dir, *base;
	char **names = NULL, **nn;
	size_t n = 0, cap = 0, i, blen;
	struct dirent *d;
	DIR *dp;
	int rc = 0;

	snprintf(dirbuf, sizeof(dirbuf), "%s", a->path);
	snprintf(basebuf, sizeof(basebuf), "%s", a->path);
	dir = dirname(dirbuf);
	base = basename(basebuf);
	blen = strlen(base);
	dp = opendir(dir);
	if (dp == NULL) {
		err_set(e, ERR_IO, "%s: opendir: %s", dir, strerror(errno));
		return -1;
	}
	while ((d = readdir(dp)) != NULL) {
		if (strncmp(d->d_name, base, blen) != 0 ||
		    strncmp(d->d_name + blen, AUDIT_SIDE_TAG,
		    strlen(AUDIT_SIDE_TAG)) != 0 ||
		    strstr(d->d_name, ".tmp.") != NULL)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 4;
			nn = realloc(names, cap * sizeof(*names));
			if (nn == NULL)
				goto nomem;
			names = nn;
		}
		names[n] = strdup(d->d_name);
		if (names[n] == NULL)
			goto nomem;
		n++;
	}
	/* Names carry a zero-padded offset, so name order is offset order. */
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n && rc == 0; i++) {
		long long off = strtoll(names[i] + blen + strlen(AUDIT_SIDE_TAG),
		    NULL, 10);

		snprintf(side, sizeof(side), "%s/%s", dir, names[i]);
		rc = record_side(a, side, off, e);
	}
	goto out;
nomem:
	err_set(e, ERR_NOMEM, "out of memory");
	rc = -1;
out:
	closedir(dp);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/*
 * save_torn(a, off, e): copy the bytes from off to the end of the log into a
 * side file, durably, then cut the log back to off.
 */
static int
save_torn(struct audit *a, off_t off, struct err *e)
{
	char side[AUDIT_PATH_MAX], sha[65];
	struct stat st;
	size_t len;
	char *buf;
	int rc = -1;

	if (fstat(a->fd, &st) == -1) {
		err_set(e, ERR_IO, "%s: stat: %s", a->path, strerror(errno));
		return -1;
	}
	if (st.st_size - off > AUDIT_EVENT_MAX) {
		err_set(e, ERR_DATA, "%s: %lld bytes after the last good line at "
		    "offset %lld are more than syncd ever writes in one line: "
		    "not a torn write; refusing to append", a->path,
		    (long long)(st.st_size - off), (long long)off);
		return -1;
	}
	len = (size_t)(st.st_size - off);
	buf = malloc(len + 1);
	if (buf == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	if (pread(a->fd, buf, len, off) != (ssize_t)len) {
		err_set(e, ERR_IO, "%s: read torn line: %s", a->path,
		    strerror(errno));
		goto out;
	}
	sha256_hex(buf, len, sha);
	snprintf(side, sizeof(side), "%s%s%020lld-%.16s", a->path,
	    AUDIT_SIDE_TAG, (long long)off, sha);
	if (fsutil_write_atomic_buf(side, 0640, buf, len, e) == -1)
		goto out;
	if (ftruncate(a->fd, off) == -1 || fdatasync(a->fd) == -1) {
		err_set(e, ERR_IO, "%s: truncate torn line: %s", a->path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

struct audit *
audit_open(const char *path, time_t (*now)(void *), void *ctx, struct err *e)
{
	struct audit_verify_result res;
	struct audit *a;
	struct err sub;
	int created = 0;

	if (strlen(path) + 64 > AUDIT_PATH_MAX) {
		err_set(e, ERR_IO, "%s: path too long", path);
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL || (a->path = strdup(path)) == NULL) {
		free(a);
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	a->now = now;
	a->ctx = ctx;
	a->io.write = real_write;
	a->io.fdatasync = real_fdatasync;
	a->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (a->fd != -1)
		created = 1;
	else if (errno == EEXIST)
		a->fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (a->fd == -1) {
		err_set(e, ERR_IO, "%s: open: %s", path, strerror(errno));
		goto err;
	}
	if (created && fsutil_fsync_dir(path, e) == -1)
		goto err;
	if (flock(a->fd, LOCK_EX | LOCK_NB) == -1) {
		err_set(e, ERR_IO, "%s: locked by another process (%s)", path,
		    strerror(errno));
		goto err;
	}
	err_init(&sub);
	if (audit_verify_fd(a->fd, NULL, &res, &sub) == -1) {
		if (sub.code != ERR_DATA || res.defect != AUDIT_TORN) {
			err_set(e, sub.code, "%s: %s%s", path, sub.msg,
			    sub.code == ERR_DATA ? "; refusing to append" : "");
			goto err;
		}
		if (save_torn(a, res.good_end, e) == -1)
			goto err;
	}
	a->size = res.good_end;
	a->last_start = res.last_start;
	a->head = res.head;
	if (record_sides(a, e) != 0)
		goto err;
	return a;
err:
	audit_close(a);
	return NULL;
}
