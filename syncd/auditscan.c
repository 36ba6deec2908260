/*
 * auditscan: the audit log read line by line for the tools that show it
 * (see auditscan.h).  The same chain rules as audit_verify_fd (seq rises by
 * one, prev is the SHA-256 of the previous line's bytes), but the scan goes
 * on after a break so that a reader still sees the rest, marked unverified.
 * It never writes.
 */
#include "syncd/auditscan.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "syncd/audit.h"
#include "syncd/today.h"

static const char zero_hash[65] =
    "0000000000000000000000000000000000000000000000000000000000000000";

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

int
auditscan_parse_ts(const char *s, time_t *t)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	*t = timegm(&tm);
	return 0;
}

void
auditscan_bangkok(time_t t, char *out, size_t outsize)
{
	struct tm tm;
	time_t local = t + TODAY_BANGKOK_OFFSET;

	if (t == (time_t)-1 || gmtime_r(&local, &tm) == NULL ||
	    strftime(out, outsize, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(out, outsize, "-");
}

int
auditscan_parse_when(const char *s, int end, time_t *t)
{
	char day[11];
	int32_t days;
	unsigned hh, mm;
	size_t n = strlen(s);

	if (n != 10 && n != 16)
		return -1;
	memcpy(day, s, 10);
	day[10] = '\0';
	if (today_parse(day, &days) == -1)
		return -1;
	if (n == 10) {
		*t = (time_t)days * 86400 - TODAY_BANGKOK_OFFSET +
		    (end ? 86399 : 0);
		return 0;
	}
	if (s[10] != 'T' || s[11] < '0' || s[11] > '9' || s[12] < '0' ||
	    s[12] > '9' || s[13] != ':' || s[14] < '0' || s[14] > '9' ||
	    s[15] < '0' || s[15] > '9')
		return -1;
	hh = (unsigned)(s[11] - '0') * 10 + (unsigned)(s[12] - '0');
	mm = (unsigned)(s[14] - '0') * 10 + (unsigned)(s[15] - '0');
	if (hh > 23 || mm > 59)
		return -1;
	*t = (time_t)days * 86400 - TODAY_BANGKOK_OFFSET + (time_t)hh * 3600 +
	    (time_t)mm * 60 + (end ? 59 : 0);
	return 0;
}

/* first_defect(res, l, what...): remember the first line that breaks. */
static void
first_defect(struct auditscan_result *res, const struct auditscan_line *l,
    const char *what)
{
	if (res->bad_line != 0)
		return;
	res->bad_line = l->lineno;
	res->bad_seq = l->seq;
	res->bad_file = l->file;
	snprintf(res->what, sizeof(res->what), "%s", what);
}

/*
 * segment_start(l): the first line of a file that continues a chain begun
 * in another (audit.h "Segments"): seq > 1 and audit.rotated, or a
 * recovery naming the last head.
 */
static int
segment_start(const struct auditscan_line *l)
{
	return l->seq > 1 && (strcmp(l->event, "audit.rotated") == 0 ||
	    (strcmp(l->event, "recovery") == 0 &&
	    json_object_get(l->obj, "last_head") != NULL));
}

struct scan {
	auditscan_fn fn;
	void *ctx;
	struct auditscan_result *res;
	struct auditscan_line l;
	int ok;			/* every line so far verifies */
	int first_file;
	int stop;		/* a line too long or of a newer format: read no more */
};

/*
 * parse_line(s, buf, len): fill s->l from the line of len bytes (newline
 * left out) at buf: its object, seq, event, time and hash.  Non-zero when
 * the scan must stop there (a line too long, a newer log format: the first
 * defect recorded).
 */
static int
parse_line(struct scan *s, char *buf, size_t len)
{
	struct auditscan_line *l = &s->l;
	char why[200];
	json_t *v;

	l->len = len;
	l->text = buf;
	if (l->len + 1 > AUDIT_LINE_MAX) {
		snprintf(why, sizeof(why), "line too long: over %d bytes", AUDIT_LINE_MAX);
		first_defect(s->res, l, why);
		return 1;
	}
	l->obj = json_loadb(buf, l->len, JSON_REJECT_DUPLICATES, NULL);
	if (l->obj != NULL && !json_is_object(l->obj)) {
		json_decref(l->obj);
		l->obj = NULL;
	}
	v = json_object_get(l->obj, "seq");
	l->seq = json_is_integer(v) && json_integer_value(v) > 0 ?
	    (uint64_t)json_integer_value(v) : 0;
	v = json_object_get(l->obj, "event");
	l->event = json_is_string(v) ? json_string_value(v) : "";
	v = json_object_get(l->obj, "ts");
	if (!json_is_string(v) || auditscan_parse_ts(json_string_value(v), &l->ts) == -1)
		l->ts = (time_t)-1;
	sha256_hex(buf, l->len, l->hash);
	v = json_object_get(l->obj, "format");
	if (v == NULL || (json_is_integer(v) && json_integer_value(v) >= 1 &&
	    json_integer_value(v) <= AUDIT_FORMAT))
		return 0;
	if (json_is_integer(v))
		snprintf(why, sizeof(why), "written in log format %" JSON_INTEGER_FORMAT
		    ", newer than this syncd reads (%d): use a newer syncd",
		    json_integer_value(v), AUDIT_FORMAT);
	else
		snprintf(why, sizeof(why), "written in an unknown log format: use a "
		    "newer syncd");
	first_defect(s->res, l, why);
	s->res->newer = 1;
	json_decref(l->obj);
	l->obj = NULL;
	return 1;
}

/*
 * chain_line(s, nl): hold s->l (nl: it ended in a newline) against the
 * chain so far; the first line that does not continue it is the first
 * defect, and no later line is chained.
 */
static void
chain_line(struct scan *s, int nl)
{
	struct auditscan_result *res = s->res;
	struct auditscan_line *l = &s->l;
	const char *bad = NULL;
	json_t *p = json_object_get(l->obj, "prev");

	/* The first file may begin inside the chain: a segment. */
	if (s->first_file && l->lineno == 1 && l->obj != NULL && segment_start(l) &&
	    json_is_string(p)) {
		res->head_seq = l->seq - 1;
		snprintf(res->head_hash, sizeof(res->head_hash), "%s", json_string_value(p));
		memcpy(l->prev, res->head_hash, 65);
	}
	if (s->ok) {
		if (!nl)
			bad = "torn last line: no newline at the end";
		else if (l->obj == NULL)
			bad = "not a JSON object";
		else if (l->seq == 0 || l->ts == (time_t)-1 || *l->event == '\0' ||
		    !json_is_string(p))
			bad = "bad record: seq, ts, event or prev missing or malformed";
		else if (l->seq != res->head_seq + 1)
			bad = "seq gap";
		else if (strcmp(json_string_value(p), res->head_hash) != 0)
			bad = "bad prev hash: prev does not match the SHA-256 of the line "
			    "before";
		if (bad != NULL) {
			first_defect(res, l, bad);
			s->ok = 0;
		} else {
			res->good++;
			res->head_seq = l->seq;
			memcpy(res->head_hash, l->hash, 65);
		}
	}
	l->chained = s->ok;
}

/* scan_one(s, path, e): one file of the log.  Returns 0 (s->stop set when
 * a line too long or of a newer format ends the scan), or -1 with e set
 * (cannot read, or the callback stopped). */
static int
scan_one(struct scan *s, const char *path, struct err *e)
{
	struct auditscan_line *l = &s->l;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int nl, ret = 0;

	if ((f = fopen(path, "re")) == NULL) {
		err_set(e, ERR_NOINPUT, "%s: %s", path, strerror(errno));
		return -1;
	}
	l->file = path;
	l->lineno = 0;
	while (ret == 0 && (n = getline(&buf, &cap, f)) != -1) {
		nl = n > 0 && buf[n - 1] == '\n';
		l->lineno++;
		s->res->lines++;
		if (parse_line(s, buf, (size_t)n - (nl ? 1 : 0))) {
			s->stop = 1;
			break;
		}
		chain_line(s, nl);
		if (s->fn != NULL && s->fn(s->ctx, l, e) == -1)
			ret = -1;
		memcpy(l->prev, l->hash, 65);
		json_decref(l->obj);
		l->obj = NULL;
	}
	if (ret == 0 && ferror(f)) {
		err_set(e, ERR_IO, "%s: read: %s", path, strerror(errno));
		ret = -1;
	}
	free(buf);
	fclose(f);
	s->first_file = 0;
	return ret;
}

int
auditscan_files(const char *const *paths, size_t npaths, auditscan_fn fn,
    void *ctx, struct auditscan_result *res, struct err *e)
{
	struct scan s;
	size_t i;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	memcpy(res->head_hash, zero_hash, 65);
	memset(&s, 0, sizeof(s));
	memcpy(s.l.prev, zero_hash, 65);
	s.fn = fn;
	s.ctx = ctx;
	s.res = res;
	s.ok = 1;
	s.first_file = 1;
	for (i = 0; i < npaths && rc == 0 && !s.stop; i++)
		rc = scan_one(&s, paths[i], e);
	if (rc == -1)
		return -1;
	if (res->bad_line != 0) {
		if (res->bad_seq > 0)
			err_set(e, ERR_DATA, "%s: line %" PRIu64 " (seq %" PRIu64
			    "): %s", res->bad_file, res->bad_line, res->bad_seq,
			    res->what);
		else
			err_set(e, ERR_DATA, "%s: line %" PRIu64 ": %s",
			    res->bad_file, res->bad_line, res->what);
		return -1;
	}
	return 0;
}

int
auditscan_file(const char *path, auditscan_fn fn, void *ctx,
    struct auditscan_result *res, struct err *e)
{
	return auditscan_files(&path, 1, fn, ctx, res, e);
}
