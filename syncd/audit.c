/*
 * audit: the hash-chained JSON Lines audit log (see audit.h for the format
 * and the contract): the handle.
 *
 * Open (verify the chain, recover a torn last line, hold the log against
 * the head last kept), append (build the whole line in memory, one write(),
 * hash it into the head), seal and sync (fdatasync; a failure is fatal),
 * close.  Recovery of a torn last line goes through a side file
 * "<log>.torn-<offset>-<hash16>" written atomically BEFORE the log is
 * truncated, so a crash at any point of the recovery loses no byte: the
 * next open finds the side file and records it.  It must never rewrite or
 * delete a complete line of the log.  The file under syncd's feet (segments,
 * rotation, the head file) is audit_segment.c; reading a chain back is
 * audit_verify.c.
 */
#include "syncd/audit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "syncd/audit_handle.h"
#include "syncd/fsutil.h"
#include "syncd/sha256.h"

#define AUDIT_SIDE_TAG ".torn-"

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
	int rc;

	if (!a->broken && (rc = audit_segment_check(a, e)) != 0)
		return rc;
	return audit_append_raw(a, event, fields, e);
}

/* audit_append_raw: audit_append without looking at the file first. */
int
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
	if ((rc = audit_sync_only(a, e)) != 0)
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

/* audit_sync_only(a, e): fdatasync, then keep the head in a->head_file. */
int
audit_sync_only(struct audit *a, struct err *e)
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
	    audit_segment_head_write(a, &he) == -1)
		return audit_segment_lost(a, e, &he);
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
		kh = audit_segment_head_read(a->head_file, &known, why, sizeof(why));
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
	if (kh == 1 && audit_segment_reconcile(a, &known, &res.start, !created, e) != 0)
		goto err;
	if (kh == -1) {
		/* Say so, then keep the head anew. */
		if (audit_append_pack(a, e, "recovery", "{s:s, s:s}", "reason",
		    "head record unreadable", "found", why) != 0 || audit_sync_only(a, e) != 0)
			goto err;
		a->notice_level = AUDIT_NOTICE_WARNING;
		audit_notice_fmt(a->notice, sizeof(a->notice), "head record unreadable: %s", why);
	}
	a->opening = 0;
	if (a->head_file != NULL && audit_segment_head_write(a, e) == -1)
		goto err;
	return a;
err:
	audit_close(a);
	return NULL;
}

