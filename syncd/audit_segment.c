/*
 * audit_segment: the audit log's file under syncd's feet (see audit.h
 * "Segments").  The head last synced is kept in the head file; before every
 * append the log at its path must still be the file syncd opened, at the
 * size it left it, and at open it must hold that head.  When it does not
 * (truncated, replaced, moved, deleted behind syncd's back), the chain goes
 * on from the head in a new file whose first line says what was found, and
 * a file found in the way is moved aside, never overwritten.  Rotation is a
 * new segment too.  It never rewrites or deletes a complete line.
 */
#include "syncd/audit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "syncd/audit_handle.h"
#include "syncd/fsutil.h"

static void
head_text(const struct audit_head *h, char out[96])
{
	snprintf(out, 96, "%" PRIu64 ":%s", h->seq, h->hash);
}

/*
 * audit_segment_head_write(a, e): keep a's head, file and size in
 * a->head_file, replaced by rename but not fsync'd: it is always written
 * after the log's fdatasync, so a crash can only leave it behind the log
 * (an older head the log still holds: no false alarm) or unreadable (said
 * in a recovery event).  Two fsyncs a cycle would buy nothing more.
 */
int
audit_segment_head_write(struct audit *a, struct err *e)
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
 * audit_segment_head_read(file, k, why, size): 1 when file holds a head (k
 * filled), 0 when there is no such file or it holds seq 0, -1 when it is
 * unreadable or not a head (why says what).
 */
int
audit_segment_head_read(const char *file, struct audit_known *k, char *why, size_t size)
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
	    !json_is_string(h) ||
	    !audit_is_hash_hex(json_string_value(h), json_string_length(h)) ||
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
 * audit_segment_lost(a, e, sub): the log cannot go on (a write or fdatasync
 * failed, or no new segment could be made): a refuses all further appends,
 * and e gets sub's error as a fatal one (auth/err.h): the daemon must exit.
 * sub may be e itself.  Returns -1.
 */
int
audit_segment_lost(struct audit *a, struct err *e, const struct err *sub)
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
 * (taken).  Synced before return.  Returns 0, or -1 with e fatal (see
 * audit_segment_lost).
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
		rc = audit_sync_only(a, &sub);
	a->segmenting = 0;
	if (rc == 0)
		set_notice(a, event, fields);
out:
	json_decref(fields);
	return rc == 0 ? 0 : audit_segment_lost(a, e, &sub);
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
 * audit_segment_check(a, e): before an append, is a->path still the file syncd
 * opened, at the size it left it?  When it is not (truncated, replaced,
 * moved, deleted behind syncd's back), the chain goes on in a new segment
 * whose first line is a recovery event naming the last head and what was
 * found.  Returns 0, or -1 with e fatal when no segment could be made.
 */
int
audit_segment_check(struct audit *a, struct err *e)
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
		audit_notice_fmt(found + strlen(found), sizeof(found) - strlen(found),
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
	if (audit_segment_check(a, e) != 0)
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
		return audit_segment_lost(a, e, &sub);
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
		rc = audit_sync_only(a, &sub);
	a->segmenting = 0;
	if (rc == 0)
		set_notice(a, "audit.rotated", f);
	json_decref(f);
	if (rc != 0)
		return audit_segment_lost(a, e, &sub);
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
 * audit_segment_reconcile(a, k, start, existed, e): at open, hold the log
 * found (which continues the head start) against the head last synced (k).
 * The log holds it: go on (a recovery event when its inode changed).  It
 * does not (missing, emptied, cut, replaced): a new segment
 * continuing from k, whose recovery event says what was found.
 */
int
audit_segment_reconcile(struct audit *a, const struct audit_known *k,
    const struct audit_head *start, int existed, struct err *e)
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
		return audit_sync_only(a, e);
	}
	moved[0] = '\0';
	if (!existed && find_inode(a->path, k->dev, k->ino, moved, sizeof(moved)) &&
	    holds_head(a->path, moved, &k->head)) {
		a->head = k->head;
		return moved_on(a, moved, e) == 0 ? 0 : -1;
	}
	if (!existed) {
		reason = "log missing";
		audit_notice_fmt(found, sizeof(found), "no file at %s%s%s", a->path,
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
