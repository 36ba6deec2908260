/*
 * audit_verify: reading an audit log's chain back (see audit.h for the
 * format): stream the file line by line with a bounded line buffer, so a
 * 1 GB log needs the same memory as a 1 KB one, and say where the first
 * defect is.  It only reads: it never writes to, truncates or locks the log.
 */
#include "syncd/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syncd/audit_handle.h"
#include "syncd/sha256.h"

#define AUDIT_READ_CHUNK (64 * 1024)

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

/* line_add(r, p, n, e): append n bytes at p to r->line, which the caller
 * keeps within AUDIT_LINE_MAX.  Returns 0, or -1 with e set (no memory). */
static int
line_add(struct reader *r, const char *p, size_t n, struct err *e)
{
	char *nl;
	size_t ncap;

	if (r->llen + n > r->lcap) {
		ncap = r->lcap ? r->lcap : 4096;
		while (ncap < r->llen + n)
			ncap *= 2;
		nl = realloc(r->line, ncap);
		if (nl == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			return -1;
		}
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
		if (r->llen + take > AUDIT_LINE_MAX - 1)
			return RD_LONG;
		if (line_add(r, p, take, e) == -1)
			return RD_ERR;
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
	    !audit_is_hash_hex(json_string_value(v), json_string_length(v))) {
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

/* What audit_verify_fd carries from line to line. */
struct verify {
	struct reader *r;		/* owned by audit_verify_fd */
	struct audit_verify_result *out;	/* the caller's */
	const struct audit_head *expected;	/* may be NULL */
	uint64_t lineno;		/* of the line just read, 1-based */
	int matched;			/* a line had expected's seq */
	struct err *e;
};

/*
 * chain_next(v, seq, prev, seg): the record just read (r->line, well
 * formed: seq, prev, seg as check_line gave them) against the chain so far
 * and the published head; it becomes the head.  Returns 0, or -1 with the
 * defect in v->out and v->e.
 */
static int
chain_next(struct verify *v, uint64_t seq, const char prev[65], int seg)
{
	struct audit_verify_result *out = v->out;
	const struct reader *r = v->r;
	char hash[65];

	if (v->lineno == 1 && seq > 1 && seg) {
		/* A segment: it continues the chain whose head its first
		 * line's seq - 1 and prev name. */
		out->start.seq = seq - 1;
		memcpy(out->start.hash, prev, 65);
		out->head = out->start;
	}
	if (seq != out->head.seq + 1)
		return defect(out, r, v->lineno, seq, AUDIT_SEQ_GAP, v->e,
		    "expected seq %" PRIu64, out->head.seq + 1);
	if (strcmp(prev, out->head.hash) != 0) {
		if (v->lineno == 1)
			return defect(out, r, v->lineno, seq, AUDIT_BAD_PREV, v->e,
			    "prev of the first line is not 64 zeros");
		return defect(out, r, v->lineno, seq, AUDIT_BAD_PREV, v->e,
		    "prev does not match the SHA-256 of line %" PRIu64, v->lineno - 1);
	}
	sha256_hex(r->line, r->llen, hash);
	if (v->expected != NULL && seq == v->expected->seq) {
		v->matched = 1;
		if (strcmp(hash, v->expected->hash) != 0)
			return defect(out, r, v->lineno, seq, AUDIT_HEAD_MISMATCH, v->e,
			    "line hashes to %s, published head says %s", hash,
			    v->expected->hash);
	}
	out->lines++;
	out->head.seq = seq;
	memcpy(out->head.hash, hash, 65);
	out->last_start = r->line_start;
	out->good_end = r->consumed;
	return 0;
}

/*
 * verify_line(v, rd, nl): the line reader_next just read (rd: RD_LINE or
 * RD_LONG; nl: it had a newline): a whole, well-formed record, then a link
 * of the chain.  A line that is not JSON is a torn write when nothing
 * follows it (read ahead to know).  Returns 0, or -1 with v->e set (the
 * defect in v->out).
 */
static int
verify_line(struct verify *v, int rd, int nl)
{
	struct reader *r = v->r;
	const char *why = "";
	char prev[65];
	uint64_t seq;
	off_t start;
	size_t len;
	int rc, seg;

	if (rd == RD_LONG)
		return defect(v->out, r, v->lineno, 0, AUDIT_TOO_LONG, v->e,
		    "longer than %d bytes", AUDIT_LINE_MAX);
	if (!nl)
		return defect(v->out, r, v->lineno, 0, AUDIT_TORN, v->e,
		    "%zu bytes without a newline at the end", r->llen);
	rc = check_line(r->line, r->llen, &seq, prev, &seg, &why);
	if (rc == 2)
		return defect(v->out, r, v->lineno, seq, AUDIT_BAD_RECORD, v->e, "%s", why);
	if (rc == 0)
		return chain_next(v, seq, prev, seg);
	start = r->line_start;
	len = r->llen;
	rd = reader_next(r, &nl, v->e);
	if (rd == RD_ERR)
		return -1;
	r->line_start = start;
	if (rd == RD_EOF)
		return defect(v->out, r, v->lineno, 0, AUDIT_TORN, v->e,
		    "last line (%zu bytes) is not JSON", len);
	return defect(v->out, r, v->lineno, 0, AUDIT_NOT_JSON, v->e, "%s", why);
}

int
audit_verify_fd(int fd, const struct audit_head *expected,
    struct audit_verify_result *out, struct err *e)
{
	struct verify v;
	int nl, rd, ret = -1;

	memset(out, 0, sizeof(*out));
	memcpy(out->head.hash, AUDIT_ZERO_HASH, 65);
	memcpy(out->start.hash, AUDIT_ZERO_HASH, 65);
	memset(&v, 0, sizeof(v));
	v.out = out;
	v.expected = expected;
	v.e = e;
	v.r = calloc(1, sizeof(*v.r));
	if (v.r == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	v.r->fd = fd;
	for (;;) {
		rd = reader_next(v.r, &nl, e);
		if (rd == RD_EOF)
			break;
		if (rd == RD_ERR)
			goto done;
		v.lineno++;
		if (verify_line(&v, rd, nl) == -1)
			goto done;
	}
	if (expected != NULL && !v.matched) {
		defect(out, NULL, v.lineno + 1, 0, AUDIT_HEAD_MISSING, e,
		    "log ends at seq %" PRIu64 ", before the published head "
		    "seq %" PRIu64, out->head.seq, expected->seq);
		goto done;
	}
	ret = 0;
done:
	free(v.r->line);
	free(v.r);
	return ret;
}

int
audit_verify_file(const char *path, const struct audit_head *expected,
    struct audit_verify_result *out, struct err *e)
{
	struct err sub;
	int fd, rc;

	memset(out, 0, sizeof(*out));
	memcpy(out->head.hash, AUDIT_ZERO_HASH, 65);
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
