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
#include "syncd/sha256.h"

#define AUDIT_READ_CHUNK (64 * 1024)
#define AUDIT_PATH_MAX 4096
#define AUDIT_SIDE_TAG ".torn-"

/*
 * notice_fmt(buf, n, fmt, ...): snprintf for the texts of recovery events and
 * journal notices, which may be cut at n - 1 bytes (a path can be PATH_MAX
 * long): a cut message is still the message, and the event still says what
 * was found.  Through vsnprintf so that -Wformat-truncation, which cannot
 * know that cutting is fine here, does not fail the build at -O1.
 */
static void notice_fmt(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
notice_fmt(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, n, fmt, ap);
	va_end(ap);
}

static const char audit_zero_hash[65] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* The events of DESIGN.md; a name outside this list is a caller's typo. */
static const char *const audit_events[] = {
	"cycle", "discrepancy.opened", "discrepancy.resolved", "cell.changed",
	"summary.written", "api.error", "config.loaded", "recovery",
	"tab.renamed", "tab.removed", "writer.conflict",	/* issue 12 */
	"audit.rotated",
	"report.started", "report.sent", "report.failed", "report.skipped",
	"seal", "record.complete",
	/* Reports over time (issue 15). */
	"snapshot.written", "mail.sent", "mail.failed",
	"source.changed",					/* issue 18 */
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
	/* Segments (see audit.h "Segments"). */
	dev_t dev;		/* of the file fd is open on */
	ino_t ino;
	char *head_file;	/* owned: where the head is kept, NULL: nowhere */
	off_t rotate_bytes;	/* rotate after a sync past this size, 0: never */
	int segmenting;		/* inside new_segment/rotate: no check, no rotation */
	int opening;		/* inside audit_open: the head is kept at its end */
	int notice_level;	/* 0 none, AUDIT_NOTICE_WARNING, AUDIT_NOTICE_INFO */
	char notice[512];	/* the last new segment, for the daemon's log */
	uint64_t head_saved;	/* seq last written to head_file */
	audit_sealer sealer;	/* NULL: the log is not sealed */
	void *seal_ctx;		/* owned through seal_free */
	void (*seal_free)(void *);
	uint64_t sealed_seq;	/* head seq when the last seal was added */
	int sealing;		/* inside the sealer: sync only */
};

/* ---- hashing ---------------------------------------------------------- */

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
    int *seg_start, const char **why)
{
	json_error_t jerr;
	json_t *o, *v;
	int rc = 2;

	*seq = 0;
	*seg_start = 0;
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
	/* The events that may open a file continuing another's chain. */
	*seg_start = strcmp(json_string_value(v), "audit.rotated") == 0 ||
	    (strcmp(json_string_value(v), "recovery") == 0 &&
	    json_is_string(json_object_get(o, "last_head")));
	v = json_object_get(o, "prev");
	if (!json_is_string(v) ||
	    !is_hash_hex(json_string_value(v), json_string_length(v))) {
		*why = "prev missing or not 64 lower-case hex digits";
		goto out;
	}
	memcpy(prev, json_string_value(v), 65);
	v = json_object_get(o, "format");
	if (v != NULL && (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > AUDIT_FORMAT)) {
		*why = "written in a newer log format than this syncd reads: "
		    "use a newer syncd";
		goto out;
	}
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
	int nl, rc, rc2, seg, matched = 0, ret = -1;

	memset(out, 0, sizeof(*out));
	memcpy(out->head.hash, audit_zero_hash, 65);
	memcpy(out->start.hash, audit_zero_hash, 65);
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
		rc = check_line(r->line, r->llen, &seq, prev, &seg, &why);
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
		if (lineno == 1 && seq > 1 && seg) {
			/* A segment: it continues the chain whose head its
			 * first line's seq - 1 and prev name. */
			out->start.seq = seq - 1;
			memcpy(out->start.hash, prev, 65);
			out->head = out->start;
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

/* ---- segments: the file under syncd's feet ------------------------------ */

/* What the head file says: the last head synced, and the file it is in. */
struct audit_known {
	struct audit_head head;
	uintmax_t dev, ino;
	off_t size;
	char file[AUDIT_PATH_MAX];
};

static int audit_append_raw(struct audit *a, const char *event, json_t *fields,
    struct err *e);
static int sync_only(struct audit *a, struct err *e);

static void
head_text(const struct audit_head *h, char out[96])
{
	snprintf(out, 96, "%" PRIu64 ":%s", h->seq, h->hash);
}

/*
 * head_write(a, e): keep a's head, file and size in a->head_file, replaced
 * by rename but not fsync'd: it is always written after the log's
 * fdatasync, so a crash can only leave it behind the log (an older head the
 * log still holds: no false alarm) or unreadable (said in a recovery event).
 * Two fsyncs a cycle would buy nothing more.
 */
static int
head_write(struct audit *a, struct err *e)
{
	char tmp[AUDIT_PATH_MAX + 8];
	size_t len;
	json_t *o;
	char *text;
	int fd, rc = -1;

	if (a->head_file == NULL)
		return 0;
	o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:s}", "file", a->path,
	    "dev", (json_int_t)a->dev, "ino", (json_int_t)a->ino,
	    "size", (json_int_t)a->size, "seq", (json_int_t)a->head.seq,
	    "hash", a->head.hash);
	text = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (text == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	len = strlen(text);
	text[len++] = '\n';	/* replaces the NUL */
	snprintf(tmp, sizeof(tmp), "%s.tmp", a->head_file);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd != -1 && write(fd, text, len) == (ssize_t)len) {
		rc = close(fd);
		fd = -1;
	}
	if (rc == 0 && rename(tmp, a->head_file) == -1)
		rc = -1;
	if (rc == 0) {
		a->head_saved = a->head.seq;
	} else {
		err_set(e, ERR_IO, "%s: %s", a->head_file, strerror(errno));
		if (fd != -1)
			close(fd);
		(void)unlink(tmp);
	}
	free(text);
	return rc;
}

/*
 * head_read(file, k, why, size): 1 when file holds a head (k filled), 0 when
 * there is no such file or it holds seq 0, -1 when it is unreadable or not a
 * head (why says what).
 */
static int
head_read(const char *file, struct audit_known *k, char *why, size_t size)
{
	json_error_t je;
	json_t *o, *f, *h;
	struct err sub;
	char *buf = NULL;
	size_t len;
	int rc = -1;

	memset(k, 0, sizeof(*k));
	err_init(&sub);
	if (fsutil_read_file(file, 4096, &buf, &len, &sub) == -1) {
		if (sub.code == ERR_NOINPUT && errno == ENOENT)
			return 0;
		snprintf(why, size, "%s", sub.msg);
		return -1;
	}
	o = json_loadb(buf, len, 0, &je);
	f = json_object_get(o, "file");
	h = json_object_get(o, "hash");
	if (!json_is_string(f) || json_string_length(f) >= sizeof(k->file) ||
	    !json_is_string(h) || !is_hash_hex(json_string_value(h), json_string_length(h)) ||
	    !json_is_integer(json_object_get(o, "seq")) ||
	    json_integer_value(json_object_get(o, "seq")) < 0 ||
	    !json_is_integer(json_object_get(o, "size")) ||
	    !json_is_integer(json_object_get(o, "ino")) ||
	    !json_is_integer(json_object_get(o, "dev"))) {
		snprintf(why, size, "%s: not a head record", file);
		goto out;
	}
	snprintf(k->file, sizeof(k->file), "%s", json_string_value(f));
	memcpy(k->head.hash, json_string_value(h), 65);
	k->head.seq = (uint64_t)json_integer_value(json_object_get(o, "seq"));
	k->size = (off_t)json_integer_value(json_object_get(o, "size"));
	k->ino = (uintmax_t)json_integer_value(json_object_get(o, "ino"));
	k->dev = (uintmax_t)json_integer_value(json_object_get(o, "dev"));
	rc = k->head.seq > 0 ? 1 : 0;
out:
	json_decref(o);
	free(buf);
	return rc;
}

/* find_inode(path, dev, ino, name, size): 1 when the directory of path holds
 * a name for the file (dev, ino) (its file name put in name), else 0. */
static int
find_inode(const char *path, uintmax_t dev, uintmax_t ino, char *name, size_t size)
{
	char dirbuf[AUDIT_PATH_MAX];
	const char *dir;
	struct dirent *d;
	struct stat st;
	int found = 0;
	DIR *dp;

	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	dir = dirname(dirbuf);
	if ((dp = opendir(dir)) == NULL)
		return 0;
	while (!found && (d = readdir(dp)) != NULL) {
		if ((uintmax_t)d->d_ino != ino ||
		    fstatat(dirfd(dp), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    (uintmax_t)st.st_dev != dev || (uintmax_t)st.st_ino != ino)
			continue;
		snprintf(name, size, "%s", d->d_name);
		found = 1;
	}
	closedir(dp);
	return found;
}

/*
 * move_aside(a, tag, out, size, e): rename a->path to "<path><tag><UTC
 * time>" (".1", ".2"... added rather than ever replacing a file) and put the
 * new file name (without its directory) in out.  Returns 0 or -1 (e set).
 */
static int
move_aside(struct audit *a, const char *tag, char *out, size_t size, struct err *e)
{
	char stamp[32], to[AUDIT_PATH_MAX], base[AUDIT_PATH_MAX];
	time_t t = a->now != NULL ? a->now(a->ctx) : time(NULL);
	struct tm tm;
	int i;

	if (gmtime_r(&t, &tm) == NULL || strftime(stamp, sizeof(stamp),
	    "%Y%m%dT%H%M%SZ", &tm) == 0)
		snprintf(stamp, sizeof(stamp), "%lld", (long long)t);
	for (i = 0; i < 1000; i++) {
		if (i == 0)
			snprintf(to, sizeof(to), "%s%s%s", a->path, tag, stamp);
		else
			snprintf(to, sizeof(to), "%s%s%s.%d", a->path, tag, stamp, i);
		if (renameat2(AT_FDCWD, a->path, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
			break;
		if (errno == EINVAL || errno == ENOSYS) {
			/* No RENAME_NOREPLACE here: link never replaces either. */
			if (link(a->path, to) == 0) {
				if (unlink(a->path) == -1) {
					err_set(e, ERR_IO, "%s: unlink: %s", a->path,
					    strerror(errno));
					return -1;
				}
				break;
			}
		}
		if (errno != EEXIST) {
			err_set(e, ERR_IO, "%s: rename to %s: %s", a->path, to,
			    strerror(errno));
			return -1;
		}
	}
	if (i == 1000) {
		err_set(e, ERR_IO, "%s: no free name to move it to", a->path);
		return -1;
	}
	snprintf(base, sizeof(base), "%s", to);
	snprintf(out, size, "%s", basename(base));
	return 0;
}

/*
 * adopt_fd(a, fd): make fd (open on a's path, empty) the file appended to:
 * locked, its identity noted, the old descriptor closed.
 */
static void
adopt_fd(struct audit *a, int fd)
{
	struct stat st;

	if (fd != a->fd) {
		(void)flock(fd, LOCK_EX | LOCK_NB);	/* best effort: syncd.lock rules */
		if (a->fd != -1)
			close(a->fd);
		a->fd = fd;
	}
	if (fstat(fd, &st) == 0) {
		a->dev = st.st_dev;
		a->ino = st.st_ino;
	}
	a->size = 0;
	a->last_start = 0;
}

/*
 * create_log(a, owner, e): create a->path (it must not exist), mode 0640,
 * durably (the directory synced), owned like owner (when root runs this, as
 * logrotate does, the file stays the daemon's).  Returns the new fd or -1.
 */
static int
create_log(struct audit *a, const struct stat *owner, struct err *e)
{
	int fd;

	fd = open(a->path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd == -1) {
		err_set(e, ERR_IO, "%s: create: %s", a->path, strerror(errno));
		return -1;
	}
	if (owner != NULL && geteuid() == 0 &&
	    (owner->st_uid != 0 || owner->st_gid != 0) &&
	    fchown(fd, owner->st_uid, owner->st_gid) == -1) {
		err_set(e, ERR_IO, "%s: chown: %s", a->path, strerror(errno));
		close(fd);
		(void)unlink(a->path);
		return -1;
	}
	if (fsutil_fsync_dir(a->path, e) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* set_notice(a, event, fields): say in a->notice what began a->head.seq. */
static void
set_notice(struct audit *a, const char *event, json_t *fields)
{
	const char *reason = json_string_value(json_object_get(fields, "reason"));
	const char *found = json_string_value(json_object_get(fields, "found"));
	const char *prev = json_string_value(json_object_get(fields, "previous_file"));
	int rec = strcmp(event, "recovery") == 0;

	a->notice_level = rec ? AUDIT_NOTICE_WARNING : AUDIT_NOTICE_INFO;
	if (rec)
		snprintf(a->notice, sizeof(a->notice), "%s: %s: %s; seq %" PRIu64
		    " (recovery) begins a new segment", a->path,
		    reason != NULL ? reason : "?", found != NULL ? found : "?", a->head.seq);
	else
		snprintf(a->notice, sizeof(a->notice), "%s: rotated (%s): the log so far "
		    "is now %s; seq %" PRIu64 " (audit.rotated) begins the new file",
		    a->path, reason != NULL ? reason : "?", prev != NULL ? prev : "?",
		    a->head.seq);
}

/*
 * lost(a, e, sub): the log cannot go on (a write or fdatasync failed, or no
 * new segment could be made): a refuses all further appends, and e gets
 * sub's error as a fatal one (rules/err.h), the daemon must exit.  sub may
 * be e itself.  Returns -1.
 */
static int
lost(struct audit *a, struct err *e, const struct err *sub)
{
	a->broken = 1;
	err_fatal(e, sub->code, "%s", sub->msg);
	return -1;
}

/*
 * new_segment(a, fields, e): continue the chain from a->head in a fresh
 * file at a->path: the empty file found there (truncated, or created by
 * someone), else a new one, after moving any other file there aside
 * ("<path>.found-<time>", named in fields as "moved_aside").  Its first line
 * is event (recovery, or audit.rotated for a log only renamed) with fields
 * (taken).  Synced before return.  Returns 0, or -1 with e fatal (see lost).
 */
static int
new_segment(struct audit *a, const char *event, json_t *fields, struct err *e)
{
	char aside[AUDIT_PATH_MAX];
	struct stat sp, sf;
	struct err sub;
	int fd = -1, rc = -1, have_owner;

	err_init(&sub);
	have_owner = fstat(a->fd, &sf) == 0;
	if (stat(a->path, &sp) == 0 && sp.st_size == 0 && S_ISREG(sp.st_mode)) {
		if (have_owner && sp.st_dev == sf.st_dev && sp.st_ino == sf.st_ino)
			fd = a->fd;
		else if ((fd = open(a->path, O_RDWR | O_APPEND | O_CLOEXEC)) == -1)
			err_set(&sub, ERR_IO, "%s: open: %s", a->path, strerror(errno));
	} else if (lstat(a->path, &sp) == 0) {
		if (move_aside(a, ".found-", aside, sizeof(aside), &sub) == -1)
			goto out;
		json_object_set_new(fields, "moved_aside", json_string(aside));
		fd = create_log(a, have_owner ? &sf : NULL, &sub);
	} else if (errno == ENOENT) {
		fd = create_log(a, have_owner ? &sf : NULL, &sub);
	} else {
		err_set(&sub, ERR_IO, "%s: stat: %s", a->path, strerror(errno));
	}
	if (fd == -1)
		goto out;
	adopt_fd(a, fd);
	a->segmenting = 1;
	rc = audit_append_raw(a, event, fields, &sub);
	if (rc == 0)
		rc = sync_only(a, &sub);
	a->segmenting = 0;
	if (rc == 0)
		set_notice(a, event, fields);
out:
	json_decref(fields);
	return rc == 0 ? 0 : lost(a, e, &sub);
}

/* segment_fields(a, reason, found): the recovery event of a new segment. */
static json_t *
segment_fields(const struct audit *a, const char *reason, const char *found,
    const char *last_file)
{
	char head[96];

	head_text(&a->head, head);
	return json_pack("{s:s, s:s, s:s, s:s}", "reason", reason, "last_head", head,
	    "last_file", last_file, "found", found);
}

/*
 * moved_on(a, name, e): the log was renamed to name, whole (logrotate
 * without copytruncate, an operator's mv): nothing is lost, so the new file
 * at path opens with audit.rotated (reason "moved"), as syncd's own
 * rotation does.
 */
static int
moved_on(struct audit *a, const char *name, struct err *e)
{
	char head[96];
	json_t *f;

	head_text(&a->head, head);
	f = json_pack("{s:s, s:s, s:s}", "reason", "moved", "previous_file", name,
	    "previous_head", head);
	if (f == NULL) {
		err_fatal(e, ERR_NOMEM, "out of memory");
		a->broken = 1;
		return -1;
	}
	return new_segment(a, "audit.rotated", f, e);
}

/*
 * check_file(a, e): before an append, is a->path still the file syncd
 * opened, at the size it left it?  When it is not (truncated, replaced,
 * moved, deleted behind syncd's back), the chain goes on in a new segment
 * whose first line is a recovery event naming the last head and what was
 * found.  Returns 0, or -1 with e fatal when no segment could be made.
 */
static int
check_file(struct audit *a, struct err *e)
{
	char found[1024], moved[AUDIT_PATH_MAX];
	const char *reason;
	struct stat sf, sp;
	json_t *f;
	int have;

	if (a->segmenting || a->fd == -1)
		return 0;
	if (fstat(a->fd, &sf) == -1) {
		err_fatal(e, ERR_IO, "%s: fstat: %s", a->path, strerror(errno));
		a->broken = 1;
		return -1;
	}
	have = stat(a->path, &sp) == 0;
	if (have && sp.st_dev == a->dev && sp.st_ino == a->ino && sf.st_size == a->size)
		return 0;
	moved[0] = '\0';
	if (!have || sp.st_dev != a->dev || sp.st_ino != a->ino) {
		if (sf.st_nlink > 0)
			find_inode(a->path, (uintmax_t)a->dev, (uintmax_t)a->ino, moved,
			    sizeof(moved));
		if (moved[0] != '\0' && sf.st_size == a->size && (!have || sp.st_size == 0))
			return moved_on(a, moved, e);
		if (!have)
			reason = sf.st_nlink == 0 ? "log deleted" : "log moved";
		else
			reason = "log replaced";
		if (have)
			snprintf(found, sizeof(found), "another file at %s (inode %ju, %jd "
			    "bytes)", a->path, (uintmax_t)sp.st_ino, (intmax_t)sp.st_size);
		else
			snprintf(found, sizeof(found), "no file at %s", a->path);
		notice_fmt(found + strlen(found), sizeof(found) - strlen(found),
		    "; the file syncd wrote (inode %ju, %jd bytes, syncd left it at %jd) %s%s",
		    (uintmax_t)a->ino, (intmax_t)sf.st_size, (intmax_t)a->size,
		    sf.st_nlink == 0 ? "was deleted" : moved[0] != '\0' ?
		    "is now " : "is not in that directory", moved);
	} else {
		reason = sf.st_size < a->size ? "log truncated" : "log changed";
		snprintf(found, sizeof(found), "%s is %jd bytes; syncd left it at %jd",
		    a->path, (intmax_t)sf.st_size, (intmax_t)a->size);
	}
	f = segment_fields(a, reason, found, a->path);
	if (f == NULL) {
		err_fatal(e, ERR_NOMEM, "out of memory");
		a->broken = 1;
		return -1;
	}
	if (moved[0] != '\0')
		json_object_set_new(f, "previous_file", json_string(moved));
	return new_segment(a, "recovery", f, e);
}

int
audit_rotate(struct audit *a, const char *reason, char *archive, size_t size,
    struct err *e)
{
	char name[AUDIT_PATH_MAX], head[96];
	struct audit_head prev;
	struct stat sf;
	struct err sub;
	json_t *f;
	int fd, rc;

	if (archive != NULL && size > 0)
		archive[0] = '\0';
	if (a->broken) {
		err_fatal(e, ERR_IO, "%s: an earlier write failed", a->path);
		return -1;
	}
	if (check_file(a, e) != 0)
		return -1;
	if (a->size == 0 || a->last_start == 0)
		return 0;	/* one line at most (a new segment): nothing to rotate */
	if (fstat(a->fd, &sf) == -1 || a->io.fdatasync(a->io.ctx, a->fd) == -1) {
		err_fatal(e, ERR_IO, "%s: fdatasync: %s", a->path, strerror(errno));
		a->broken = 1;
		return -1;
	}
	if (move_aside(a, "-", name, sizeof(name), e) == -1)
		return -1;	/* nothing changed: the log goes on where it is */
	err_init(&sub);
	if ((fd = create_log(a, &sf, &sub)) == -1)
		return lost(a, e, &sub);
	prev = a->head;
	adopt_fd(a, fd);
	head_text(&prev, head);
	f = json_pack("{s:s, s:s, s:s}", "reason", reason, "previous_file", name,
	    "previous_head", head);
	if (f == NULL)
		err_set(&sub, ERR_NOMEM, "out of memory");
	a->segmenting = 1;
	rc = f != NULL ? audit_append_raw(a, "audit.rotated", f, &sub) : -1;
	if (rc == 0)
		rc = sync_only(a, &sub);
	a->segmenting = 0;
	if (rc == 0)
		set_notice(a, "audit.rotated", f);
	json_decref(f);
	if (rc != 0)
		return lost(a, e, &sub);
	if (archive != NULL && size > 0)
		snprintf(archive, size, "%s", name);
	return 0;
}

/* holds_head(path, name, h): does the file name, beside path, end at h? */
static int
holds_head(const char *path, const char *name, const struct audit_head *h)
{
	char dirbuf[AUDIT_PATH_MAX], file[2 * AUDIT_PATH_MAX];
	struct audit_verify_result res;
	struct err sub;

	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	snprintf(file, sizeof(file), "%s/%s", dirname(dirbuf), name);
	err_init(&sub);
	return audit_verify_file(file, NULL, &res, &sub) == 0 && res.head.seq == h->seq &&
	    strcmp(res.head.hash, h->hash) == 0;
}

/*
 * reconcile(a, k, start, existed, e): at open, hold the log found (which
 * continues the head start) against the head last synced (k).  The log holds it: go on (a recovery event when its inode
 * changed).  It does not (missing, emptied, cut, replaced): a new segment
 * continuing from k, whose recovery event says what was found.
 */
static int
reconcile(struct audit *a, const struct audit_known *k, const struct audit_head *start,
    int existed, struct err *e)
{
	struct audit_verify_result res;
	char found[1024], moved[AUDIT_PATH_MAX];
	const char *reason;
	struct err sub;
	json_t *f;
	int holds = 0;

	err_init(&sub);
	/* A segment that begins at k (a rotation, or a new segment, synced
	 * before a crash kept its head): the chain is whole. */
	if (start->seq == k->head.seq && strcmp(start->hash, k->head.hash) == 0)
		return 0;
	if (a->head.seq == k->head.seq)
		holds = strcmp(a->head.hash, k->head.hash) == 0;
	else if (a->head.seq > k->head.seq)
		holds = audit_verify_fd(a->fd, &k->head, &res, &sub) == 0;
	if (holds) {
		if ((uintmax_t)a->dev == k->dev && (uintmax_t)a->ino == k->ino)
			return 0;
		snprintf(found, sizeof(found), "%s holds the last head, under another "
		    "inode (%ju, was %ju)", a->path, (uintmax_t)a->ino, k->ino);
		f = segment_fields(a, "log inode changed", found, k->file);
		if (f == NULL)
			goto nomem;
		json_object_del(f, "last_head");	/* not a segment start */
		head_text(&k->head, found);
		json_object_set_new(f, "head", json_string(found));
		if (audit_append_raw(a, "recovery", f, e) != 0) {
			json_decref(f);
			return -1;
		}
		a->notice_level = AUDIT_NOTICE_WARNING;
		snprintf(a->notice, sizeof(a->notice), "%s: log inode changed: %s", a->path,
		    json_string_value(json_object_get(f, "found")));
		json_decref(f);
		return sync_only(a, e);
	}
	moved[0] = '\0';
	if (!existed && find_inode(a->path, k->dev, k->ino, moved, sizeof(moved)) &&
	    holds_head(a->path, moved, &k->head)) {
		a->head = k->head;
		return moved_on(a, moved, e) == 0 ? 0 : -1;
	}
	if (!existed) {
		reason = "log missing";
		notice_fmt(found, sizeof(found), "no file at %s%s%s", a->path,
		    moved[0] != '\0' ? "; the last head's file is now " : "", moved);
	} else if (a->size == 0) {
		reason = "log truncated";
		snprintf(found, sizeof(found), "%s is empty", a->path);
	} else {
		reason = a->head.seq < k->head.seq ? "log shorter than the last head" :
		    "log does not hold the last head";
		snprintf(found, sizeof(found), "%s ends at seq %" PRIu64 " (%jd bytes, "
		    "inode %ju); the last head was seq %" PRIu64 " in inode %ju",
		    a->path, a->head.seq, (intmax_t)a->size, (uintmax_t)a->ino,
		    k->head.seq, k->ino);
	}
	a->head = k->head;	/* the chain goes on from what syncd last synced */
	f = segment_fields(a, reason, found, k->file);
	if (f == NULL)
		goto nomem;
	if (moved[0] != '\0')
		json_object_set_new(f, "previous_file", json_string(moved));
	return new_segment(a, "recovery", f, e) == 0 ? 0 : -1;
nomem:
	err_set(e, ERR_NOMEM, "out of memory");
	return -1;
}

int
audit_append(struct audit *a, const char *event, json_t *fields, struct err *e)
{
	int rc;

	if (!a->broken && (rc = check_file(a, e)) != 0)
		return rc;
	return audit_append_raw(a, event, fields, e);
}

/* audit_append_raw: audit_append without looking at the file first. */
static int
audit_append_raw(struct audit *a, const char *event, json_t *fields, struct err *e)
{
	char ts[32], hash[65];
	const char *key;
	json_t *o = NULL, *v;
	char *text = NULL;
	size_t len;
	ssize_t n;
	int ret = -1;

	if (a->broken) {
		err_fatal(e, ERR_IO, "%s: an earlier write failed; the log is "
		    "closed for appends", a->path);
		return -1;
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
		err_fatal(e, ERR_IO, "%s: write: %s", a->path,
		    n == -1 ? strerror(errno) : "short write");
		/* Cut a partial line back off; if that fails, the next open
		 * will find it torn and record it. */
		if (n > 0 && ftruncate(a->fd, a->size) == 0)
			(void)a->io.fdatasync(a->io.ctx, a->fd);
		a->broken = 1;
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

/* run_sealer(a, tick, e): let the sealer add its lines before a sync. */
static int
run_sealer(struct audit *a, int tick, struct err *e)
{
	int rc;

	if (a->sealer == NULL || a->sealing || a->broken)
		return 0;
	if (!tick && a->head.seq == a->sealed_seq)
		return 0;
	a->sealing = 1;
	rc = a->sealer(a->seal_ctx, a, a->now != NULL ? a->now(a->ctx) : time(NULL),
	    tick, e);
	a->sealing = 0;
	if (rc == 0)
		a->sealed_seq = a->head.seq;
	return rc;
}

int
audit_seal_tick(struct audit *a, struct err *e)
{
	uint64_t before = a->head.seq;
	int rc = run_sealer(a, 1, e);

	if (rc != 0 || a->head.seq == before)
		return rc;
	return audit_sync(a, e);
}

void
audit_set_sealer(struct audit *a, audit_sealer fn, void *ctx,
    void (*ctx_free)(void *))
{
	if (a->seal_free != NULL)
		a->seal_free(a->seal_ctx);
	a->sealer = fn;
	a->seal_ctx = ctx;
	a->seal_free = ctx_free;
	a->sealed_seq = a->head.seq;
}

int
audit_sync(struct audit *a, struct err *e)
{
	struct err re;
	int rc, sealed;

	/* A seal that cannot be made (a damaged key file) fails the sync,
	 * but the lines already appended are still made durable. */
	if ((sealed = run_sealer(a, 0, e)) != 0 && err_is_fatal(e))
		return -1;
	if ((rc = sync_only(a, e)) != 0)
		return rc;
	if (sealed != 0)
		return sealed;
	if (a->rotate_bytes > 0 && a->size >= a->rotate_bytes && !a->segmenting &&
	    !a->sealing) {
		/* A rotation that cannot rename leaves the log where it is;
		 * only a fatal failure of it is the sync's. */
		err_init(&re);
		if (audit_rotate(a, "size", NULL, 0, &re) != 0 && err_is_fatal(&re)) {
			err_fatal(e, re.code, "%s", re.msg);
			return -1;
		}
	}
	return 0;
}

/* sync_only(a, e): fdatasync, then keep the head in a->head_file. */
static int
sync_only(struct audit *a, struct err *e)
{
	struct err he;

	if (a->broken) {
		err_fatal(e, ERR_IO, "%s: an earlier write failed", a->path);
		return -1;
	}
	if (a->io.fdatasync(a->io.ctx, a->fd) == -1) {
		/* Never retry: the kernel may have dropped the dirty pages and
		 * a second fdatasync could lie (PostgreSQL "fsyncgate"). */
		err_fatal(e, ERR_IO, "%s: fdatasync: %s", a->path, strerror(errno));
		a->broken = 1;
		return -1;
	}
	/* A head that cannot be kept: the state directory lost durability,
	 * as for state.json. */
	err_init(&he);
	if (a->head_file != NULL && a->head_saved != a->head.seq && !a->opening &&
	    head_write(a, &he) == -1)
		return lost(a, e, &he);
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

int
audit_notice(struct audit *a, char *buf, size_t size)
{
	int level = a->notice_level;

	if (level != 0 && size > 0)
		snprintf(buf, size, "%s", a->notice);
	a->notice_level = 0;
	return level;
}

void
audit_set_rotate_bytes(struct audit *a, off_t n)
{
	a->rotate_bytes = n;
}

void
audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	if (a->fd != -1)
		close(a->fd);
	if (a->seal_free != NULL)
		a->seal_free(a->seal_ctx);
	free(a->path);
	free(a->head_file);
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
	struct audit_opts o;

	memset(&o, 0, sizeof(o));
	o.now = now;
	o.ctx = ctx;
	return audit_open_with(path, &o, e);
}

struct audit *
audit_open_with(const char *path, const struct audit_opts *o, struct err *e)
{
	struct audit_verify_result res;
	struct audit_known known;
	char why[ERR_MSG_MAX];
	struct audit *a;
	struct stat st;
	struct err sub;
	int created = 0, kh = 0;

	if (strlen(path) + 64 > AUDIT_PATH_MAX) {
		err_set(e, ERR_IO, "%s: path too long", path);
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL || (a->path = strdup(path)) == NULL ||
	    (o->head_file != NULL && (a->head_file = strdup(o->head_file)) == NULL)) {
		if (a != NULL)
			free(a->path);
		free(a);
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	a->fd = -1;
	a->opening = 1;
	a->now = o->now;
	a->ctx = o->ctx;
	a->rotate_bytes = o->rotate_bytes;
	a->io.write = real_write;
	a->io.fdatasync = real_fdatasync;
	why[0] = '\0';
	if (a->head_file != NULL)
		kh = head_read(a->head_file, &known, why, sizeof(why));
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
	if (fstat(a->fd, &st) == -1) {
		err_set(e, ERR_IO, "%s: stat: %s", path, strerror(errno));
		goto err;
	}
	a->dev = st.st_dev;
	a->ino = st.st_ino;
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
	if (kh == 1 && reconcile(a, &known, &res.start, !created, e) != 0)
		goto err;
	if (kh == -1) {
		/* Say so, then keep the head anew. */
		if (audit_append_pack(a, e, "recovery", "{s:s, s:s}", "reason",
		    "head record unreadable", "found", why) != 0 || sync_only(a, e) != 0)
			goto err;
		a->notice_level = AUDIT_NOTICE_WARNING;
		notice_fmt(a->notice, sizeof(a->notice), "head record unreadable: %s", why);
	}
	a->opening = 0;
	if (a->head_file != NULL && head_write(a, e) == -1)
		goto err;
	return a;
err:
	audit_close(a);
	return NULL;
}
