/*
 * audit_handle: what the files of the audit module share, and nothing else
 * includes: the handle (struct audit) and the few functions one file of the
 * module calls in another.  The module's contract is audit.h; its files are
 * audit.c (the handle: open, the torn-line recovery at open, append, seal,
 * sync, close), audit_segment.c (the file under syncd's feet: the head
 * file, a log truncated, replaced, moved or deleted, rotation) and
 * audit_verify.c (reading a chain back: verify, head parsing), which needs
 * only the two helpers below.  Like syncd/run.h, it has no .c of its own.
 */
#ifndef SYNCD_AUDIT_HANDLE_H
#define SYNCD_AUDIT_HANDLE_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include "auth/err.h"
#include "syncd/audit.h"

#define AUDIT_PATH_MAX 4096
/* The prev of a chain's first line. */
#define AUDIT_ZERO_HASH \
    "0000000000000000000000000000000000000000000000000000000000000000"

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

/* What the head file says: the last head synced, and the file it is in. */
struct audit_known {
	struct audit_head head;
	uintmax_t dev, ino;
	off_t size;
	char file[AUDIT_PATH_MAX];
};

/* audit_is_hash_hex(s, len): s is 64 lower-case hex digits. */
static inline int
audit_is_hash_hex(const char *s, size_t len)
{
	size_t i;

	if (len != 64)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * audit_notice_fmt(buf, n, fmt, ...): snprintf for the texts of recovery
 * events and journal notices, which may be cut at n - 1 bytes (a path can be
 * PATH_MAX long): a cut message is still the message, and the event still
 * says what was found.  Through vsnprintf so that -Wformat-truncation, which
 * cannot know that cutting is fine here, does not fail the build at -O1.
 */
static inline void audit_notice_fmt(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline void
audit_notice_fmt(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, n, fmt, ap);
	va_end(ap);
}

/* ---- audit.c ---- */

/* audit_append_raw(a, event, fields, e): audit_append without looking at
 * the file first (a new segment's first line).  Returns as audit_append. */
int audit_append_raw(struct audit *a, const char *event, json_t *fields,
    struct err *e);

/* audit_sync_only(a, e): fdatasync, then keep the head in a->head_file;
 * no seal, no rotation.  Returns 0, or -1 with e fatal. */
int audit_sync_only(struct audit *a, struct err *e);

/* ---- audit_segment.c ---- */

/* audit_segment_head_write(a, e): keep a's head, file and size in
 * a->head_file (none: nothing to do).  Returns 0 or -1 with e set. */
int audit_segment_head_write(struct audit *a, struct err *e);

/* audit_segment_head_read(file, k, why, size): 1 when file holds a head (k
 * filled), 0 when there is none, -1 when it is unreadable (why says what). */
int audit_segment_head_read(const char *file, struct audit_known *k, char *why,
    size_t size);

/* audit_segment_lost(a, e, sub): a refuses all further appends; e gets
 * sub's error, fatal.  Returns -1. */
int audit_segment_lost(struct audit *a, struct err *e, const struct err *sub);

/* audit_segment_check(a, e): before an append, is the file at a->path still
 * the one syncd opened, at its size?  If not, a new segment.  Returns 0, or
 * -1 with e fatal. */
int audit_segment_check(struct audit *a, struct err *e);

/* audit_segment_reconcile(a, k, start, existed, e): at open, hold the log
 * found against the head last synced (k).  Returns 0 or -1 with e set. */
int audit_segment_reconcile(struct audit *a, const struct audit_known *k,
    const struct audit_head *start, int existed, struct err *e);

#endif
