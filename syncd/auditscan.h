/*
 * auditscan: read an audit log line by line for the tools that show it
 * (`syncd audit show`, `audit report`, `audit verify --seal`), checking the
 * hash chain as it goes, and keep reading past a break so that a reader can
 * still be shown what is there.  Read-only; it never repairs anything.
 *
 * Each line is handed to a callback with its parsed JSON object (or NULL),
 * its SHA-256 and whether every line up to and including it verifies.  The
 * first defect is remembered (line, seq, what) and the scan goes on.  A line
 * whose "format" member is a version newer than AUDIT_FORMAT stops the scan:
 * its meaning cannot be known, so nothing after it is shown.
 */
#ifndef SYNCD_AUDITSCAN_H
#define SYNCD_AUDITSCAN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "auth/err.h"
#include "syncd/audit.h"

/* Files one command reads as one log. */
#define AUDITSCAN_FILES_MAX 1024

struct auditscan_line {
	const char *file;	/* borrowed: the file the line is in */
	uint64_t lineno;	/* 1-based, in its file */
	const char *text;	/* borrowed until the callback returns; no newline */
	size_t len;
	json_t *obj;		/* borrowed; NULL when the line is not a JSON object */
	uint64_t seq;		/* 0 when absent */
	const char *event;	/* borrowed; "" when absent */
	time_t ts;		/* -1 when absent or malformed */
	char hash[65];		/* SHA-256 of text, lower-case hex */
	char prev[65];		/* the previous line's hash (64 zeros first) */
	int chained;		/* 1 while every line so far, this one too, verifies */
};

/* A callback: 0 to go on, -1 (e filled) to stop the scan. */
typedef int (*auditscan_fn)(void *ctx, const struct auditscan_line *l,
    struct err *e);

struct auditscan_result {
	uint64_t lines;		/* lines read */
	uint64_t good;		/* lines that verify, from the start */
	uint64_t head_seq;	/* seq and hash of the last good line */
	char head_hash[65];
	const char *bad_file;	/* borrowed: the file it is in */
	uint64_t bad_line;	/* first line that breaks the chain, 0 if none */
	uint64_t bad_seq;	/* its seq, 0 when unknown */
	char what[256];		/* what is wrong with it, "" if nothing */
	int newer;		/* stopped at a line of a newer format */
};

/*
 * auditscan_file(path, fn, ctx, res, e): read the log at path, calling fn
 * (may be NULL) for every line.  res (caller storage) is always filled.
 * Returns 0 when the chain is intact; -1 with e filled otherwise:
 * ERR_NOINPUT (cannot open), ERR_IO (read error), ERR_NOMEM, ERR_DATA (the
 * chain is broken, a line of a newer format, or a line over
 * AUDIT_LINE_MAX; e names the first bad line), or fn's own error.
 */
int auditscan_file(const char *path, auditscan_fn fn, void *ctx,
    struct auditscan_result *res, struct err *e);

/*
 * auditscan_files(paths, npaths, fn, ctx, res, e): the same over a log
 * rotated into several files, given oldest first: the chain runs on from
 * one file into the next (audit.h "Segments"), and the first file may
 * itself be a segment that starts inside the chain.  A bad line is named
 * with its file.
 */
int auditscan_files(const char *const *paths, size_t npaths, auditscan_fn fn,
    void *ctx, struct auditscan_result *res, struct err *e);

/* auditscan_parse_ts(s, &t): "YYYY-MM-DDTHH:MM:SSZ" to seconds; 0 or -1. */
int auditscan_parse_ts(const char *s, time_t *t);

/*
 * auditscan_bangkok(t, out, outsize): "YYYY-MM-DD HH:MM" in Asia/Bangkok;
 * "-" when t is -1.
 */
void auditscan_bangkok(time_t t, char *out, size_t outsize);

/*
 * auditscan_parse_when(s, end, &t): a --since/--until value, in
 * Asia/Bangkok: "YYYY-MM-DD" (the day's first second, or with end set its
 * last) or "YYYY-MM-DDTHH:MM" (that minute's first, or last, second).
 * Returns 0 or -1.
 */
int auditscan_parse_when(const char *s, int end, time_t *t);

#endif
