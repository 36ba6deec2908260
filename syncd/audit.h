/*
 * audit: the tamper-evident audit log (DESIGN.md "Audit log").
 *
 * JSON Lines, one event a line, each line written with ONE write() to a file
 * opened O_APPEND.  Every line starts with "seq" (1, 2, ...), "ts" (RFC 3339,
 * UTC), "event" and "prev": the lower-case hex SHA-256 of the previous line's
 * exact bytes without its newline (64 zeros on the first line), followed by
 * the event's fields in the order the caller built them.  Hashing the bytes
 * written, never a re-serialisation, lets anyone verify the chain with
 * sha256sum and jq.
 *
 * Write-ahead: the daemon appends a cycle's lines, then calls audit_sync()
 * before anything reaches the sheet.  A failed write or fdatasync is fatal
 * (-1 with the error marked fatal, err_is_fatal; see auth/err.h): the
 * kernel may have dropped the data, so the daemon must exit and let systemd
 * restart it, never carry on.
 *
 * Opening verifies the whole chain, streaming in constant memory.  A torn last
 * line (a crash mid-write) is cut off and re-recorded as a "recovery" event
 * holding its bytes and their SHA-256, never silently dropped; any other
 * defect makes audit_open refuse, naming the line, so evidence is never
 * overwritten.  This module never rewrites or deletes a complete line.
 */
#ifndef SYNCD_AUDIT_H
#define SYNCD_AUDIT_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include "auth/err.h"

/* Longest line audit_append writes, newline included. */
#define AUDIT_EVENT_MAX (1024 * 1024)
/*
 * Longest line the verifier reads.  Larger than AUDIT_EVENT_MAX because a
 * recovery event carries up to AUDIT_EVENT_MAX torn bytes in base64.
 */
#define AUDIT_LINE_MAX (2 * 1024 * 1024)
/*
 * The log format this syncd writes and reads: a line's optional "format"
 * member (absent means 1).  A line of a newer format is a defect: its
 * meaning cannot be known, and appending after it would mix formats.
 */
#define AUDIT_FORMAT 1

struct audit;

struct audit_head {
	uint64_t seq;		/* seq of the last line, 0 for an empty log */
	char hash[65];		/* hex SHA-256 of that line; 64 zeros if empty */
};

enum audit_defect {
	AUDIT_OK = 0,
	AUDIT_TORN,		/* last line has no newline or is not JSON */
	AUDIT_NOT_JSON,		/* a line in the middle is not a JSON object */
	AUDIT_BAD_RECORD,	/* JSON, but seq/ts/event/prev missing or malformed */
	AUDIT_SEQ_GAP,		/* seq is not the previous seq + 1 */
	AUDIT_BAD_PREV,		/* prev is not the hash of the previous line */
	AUDIT_TOO_LONG,		/* a line longer than AUDIT_LINE_MAX */
	AUDIT_HEAD_MISMATCH,	/* line with the expected seq has another hash */
	AUDIT_HEAD_MISSING,	/* the log ends before the expected seq */
};

struct audit_verify_result {
	uint64_t lines;		/* good lines, from the start */
	struct audit_head head;	/* of the last good line */
	/* The head this file continues: seq 0 and 64 zeros for a log that
	 * starts the chain, else the previous segment's (see "Segments"). */
	struct audit_head start;
	off_t good_end;		/* offset just past the last good line */
	off_t last_start;	/* offset where the last good line starts */
	enum audit_defect defect;
	uint64_t bad_line;	/* 1-based line number of the defect, 0 if none */
	uint64_t bad_seq;	/* seq read on that line, 0 when unknown */
	off_t bad_off;		/* offset where that line starts */
	char what[256];		/* one line: what is wrong, "" when AUDIT_OK */
};

/* Test and fault-injection hooks for the two calls whose failure is fatal. */
struct audit_io {
	ssize_t (*write)(void *ctx, int fd, const void *buf, size_t len);
	int (*fdatasync)(void *ctx, int fd);
	void *ctx;		/* borrowed, passed back to both */
};

/*
 * Segments.  The chain may run through several files: a file whose first
 * line has seq N > 1 and whose event is "audit.rotated" (syncd rotated the
 * log: previous_file, previous_head) or "recovery" with a "last_head" (the
 * file at path was truncated, replaced, moved or deleted behind syncd's
 * back) continues the chain of head N-1 (its prev), in another file.
 *
 * With a head file (audit_opts.head_file, in the state directory), the head
 * last synced is kept there with the log's inode and size (rewritten
 * atomically at each sync that moved it).  Before every append the log at
 * path must still be the file syncd opened, at the size it left it; at open
 * it must hold the head kept.  When it does not (missing, emptied, cut,
 * replaced, moved, deleted), the chain goes on from that head in a new
 * file at path, whose first line is a recovery event: "reason", "last_head"
 * ("SEQ:HASH"), "last_file", "found" (what was there), "previous_file" (the
 * name the last head's file now has, when it was only moved) and
 * "moved_aside" (a non-empty file found at path is renamed
 * "<path>.found-<UTC time>", never overwritten).  The log holding the head
 * under a new inode is one recovery event in place.
 */
/* The head file's name in the state directory. */
#define AUDIT_HEAD_FILE "audit.head"

struct audit_opts {
	const char *head_file;	/* borrowed for the call; NULL: none */
	off_t rotate_bytes;	/* rotate after a sync leaves the log this big; 0: never */
	time_t (*now)(void *);	/* may be NULL: time(NULL) */
	void *ctx;		/* borrowed, for now() */
};

/*
 * audit_open_with(path, o, e): audit_open with segments: the head kept in
 * o->head_file is held against the log (see "Segments"), and the log is
 * rotated after a sync that leaves it at o->rotate_bytes or more.
 */
struct audit *audit_open_with(const char *path, const struct audit_opts *o,
    struct err *e);

/*
 * audit_rotate(a, reason, archive, size, e): sync the log, rename it to
 * "<path>-<UTC time, YYYYMMDDTHHMMSSZ>" (".1"... when taken), and go on in a
 * new file at path whose first line is "audit.rotated" with reason,
 * previous_file (the new name) and previous_head, synced.  archive (may be
 * NULL) receives the new name (file name only; "" when nothing was rotated:
 * an empty log, or a new segment just begun because the file had changed).
 * Returns 0; -1 with e set when the rename failed (the log goes on where it
 * is); -1 with e fatal as audit_append.
 */
int audit_rotate(struct audit *a, const char *reason, char *archive, size_t size,
    struct err *e);

/*
 * audit_open(path, now, ctx, e): open (creating, mode 0640) the log at path,
 * take an exclusive lock on it, verify its chain and recover its head.  now
 * (may be NULL: time(NULL)) gives the timestamps, called with ctx.  A torn
 * last line is truncated away and recorded as a "recovery" event (synced
 * before return).  Returns a new handle (free with audit_close), or NULL with
 * e filled: ERR_DATA when the chain is broken (the message names the line),
 * ERR_IO on a system error or when another process holds the log.
 */
struct audit *audit_open(const char *path, time_t (*now)(void *), void *ctx,
    struct err *e);

/*
 * audit_append(a, event, fields, e): append one line for event (one of
 * "cycle", "discrepancy.opened", "discrepancy.resolved", "cell.changed",
 * "summary.written", "api.error", "config.loaded", "recovery",
 * "audit.rotated", "seal") with the
 * members of fields (borrowed; a JSON object or NULL; keys seq, ts, event and
 * prev are refused) after seq, ts, event and prev.  The line is not durable
 * until audit_sync.  Returns 0; -1 with e filled when nothing was written
 * (unknown event, bad fields, line over AUDIT_EVENT_MAX); -1 with e fatal
 * (err_is_fatal) when the write failed: the handle refuses all further
 * appends and the caller must exit.
 */
int audit_append(struct audit *a, const char *event, json_t *fields,
    struct err *e);

/*
 * audit_append_pack(a, e, event, fmt, ...): audit_append with the fields built
 * by json_pack(fmt, ...) (e.g. "{s:s, s:I}"); same returns.
 */
int audit_append_pack(struct audit *a, struct err *e, const char *event,
    const char *fmt, ...);

/*
 * audit_sync(a, e): fdatasync the lines appended so far.  Returns 0; -1 with
 * e fatal when the log lost durability: the daemon must exit, never retry
 * (fsyncgate); -1 with an ordinary error when only the seal failed (the
 * lines are synced).
 */
int audit_sync(struct audit *a, struct err *e);

/*
 * Sealing (syncd/seal.h).  A sealer is called by audit_sync, before the
 * fdatasync, when lines were appended since the last seal (tick 0), and by
 * audit_seal_tick (tick 1: the sealer adds lines only when its epoch has
 * changed).  It appends "seal" lines with audit_append and may call
 * audit_sync itself (which then only syncs).  Returns 0 or -1 (e fatal or
 * not) like audit_append.
 */
typedef int (*audit_sealer)(void *ctx, struct audit *a, time_t now, int tick,
    struct err *e);

/*
 * audit_set_sealer(a, fn, ctx, ctx_free): seal a's log with fn from now on
 * (fn NULL: stop).  ctx is taken: ctx_free (may be NULL) frees it when a is
 * closed or another sealer is set.
 */
void audit_set_sealer(struct audit *a, audit_sealer fn, void *ctx,
    void (*ctx_free)(void *));

/*
 * audit_seal_tick(a, e): give the sealer its chance to close a past epoch
 * on a log with nothing new to sync (an idle daemon); syncs when it added
 * lines.  Returns like audit_sync.
 */
int audit_seal_tick(struct audit *a, struct err *e);

/* audit_head(a, &seq, hash_hex): the last line's seq and hex hash. */
void audit_head(const struct audit *a, uint64_t *seq, char hash_hex[65]);

/* audit_set_io(a, io): replace write/fdatasync (tests); io is copied and a
 * NULL member keeps the real call. */
void audit_set_io(struct audit *a, const struct audit_io *io);

/*
 * audit_notice(a, buf, size): what began the last new segment or rotation
 * (or a recovery at open) since the last call, one line for the daemon's
 * log, put in buf.  Returns 0 (nothing; buf untouched), AUDIT_NOTICE_WARNING
 * (a recovery: something was lost or changed behind syncd's back) or
 * AUDIT_NOTICE_INFO (a rotation).
 */
#define AUDIT_NOTICE_WARNING 1
#define AUDIT_NOTICE_INFO 2
int audit_notice(struct audit *a, char *buf, size_t size);

/* audit_set_rotate_bytes(a, n): rotate past n bytes from now on (0: never). */
void audit_set_rotate_bytes(struct audit *a, off_t n);

/* audit_close(a): close the log (no implicit sync); NULL is a no-op. */
void audit_close(struct audit *a);

/*
 * audit_verify_file(path, expected, out, e): verify the chain of the log at
 * path, streaming (constant memory).  expected (may be NULL) is a head
 * published earlier: the log must hold a line with that seq and exactly that
 * hash.  out (caller storage) is always filled.  Returns 0 when the log is
 * intact; -1 with e filled otherwise: ERR_NOINPUT when the file cannot be
 * opened, ERR_IO on a read error, ERR_DATA when the chain is broken (details
 * in out: first defect, its line and seq).
 */
int audit_verify_file(const char *path, const struct audit_head *expected,
    struct audit_verify_result *out, struct err *e);

/* audit_verify_fd(fd, expected, out, e): the same on an open fd (read with
 * pread from offset 0; the fd's offset is not used). */
int audit_verify_fd(int fd, const struct audit_head *expected,
    struct audit_verify_result *out, struct err *e);

/* audit_defect_name(d): a short name for d, e.g. "bad prev hash". */
const char *audit_defect_name(enum audit_defect d);

/*
 * audit_parse_head(text, out, e): parse "SEQ:HASH" (decimal seq >= 1, 64 hex
 * digits, either case; stored lower-case).  Returns 0 or -1 with e filled.
 */
int audit_parse_head(const char *text, struct audit_head *out, struct err *e);

#endif
