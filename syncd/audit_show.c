/*
 * audit_show: `syncd audit show FILE... [--key K] [--tab T] [--rule R]
 * [--since DATE] [--until DATE] [--format text|json|csv]`; several FILEs
 * are a log rotated into segments, oldest first.
 *
 * The events that match, oldest first (the log's own order): text in Thai
 * with times in Asia/Bangkok for a reviewer, JSON as logged (the exact
 * bytes, one event a line) for tools, CSV with a header row for a
 * spreadsheet.  The chain is verified while reading; on a break the lines
 * that can still be read are shown, text marks them unverified, and the
 * first bad line is named on standard error with exit 65.  Read-only.
 */
#include "syncd/audit_show.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "rules/rules.h"
#include "syncd/auditscan.h"

#define SHOW_KEY_MAX 256

enum show_format { SHOW_TEXT, SHOW_JSON, SHOW_CSV };

struct show {
	const char *key;	/* normalised, or NULL */
	const char *tab, *rule;	/* borrowed from argv, or NULL */
	time_t since, until;	/* (time_t)-1 when not given */
	enum show_format format;
	uint64_t shown;
	int unverified_noted;
	FILE *out;
};

static const char usage_text[] =
    "usage: syncd audit show FILE... [--key K] [--tab T] [--rule R] "
    "[--since DATE] [--until DATE]\n"
    "                        [--format text|json|csv]\n"
    "       DATE is YYYY-MM-DD or YYYY-MM-DDTHH:MM, Asia/Bangkok\n";

static const char *
str(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* sstr(o, k): the string member k, or "". */
static const char *
sstr(const json_t *o, const char *k)
{
	const char *v = str(o, k);

	return v != NULL ? v : "";
}

/* Field text for CSV and text: strings as they are, numbers printed. */
static void
field(const json_t *o, const char *k, char *buf, size_t n)
{
	json_t *v = json_object_get(o, k);

	if (json_is_string(v))
		snprintf(buf, n, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_true(v))
		snprintf(buf, n, "true");
	else if (json_is_false(v))
		snprintf(buf, n, "false");
	else
		buf[0] = '\0';
}

/*
 * The household key of an event: "key", else the key inside a resolved
 * finding's old-style id "rule|tab|key|column" (logs written before
 * discrepancy.resolved carried its fields), read from the right so a tab
 * title holding '|' does not matter.
 */
static int
event_key(const json_t *o, char *buf, size_t n)
{
	const char *k = str(o, "key"), *id, *end, *start;

	if (k != NULL) {
		snprintf(buf, n, "%s", k);
		return 1;
	}
	if (json_object_get(o, "tab") != NULL || (id = str(o, "id")) == NULL)
		return 0;
	if ((end = strrchr(id, '|')) == NULL)
		return 0;
	for (start = end; start > id && start[-1] != '|'; start--)
		;
	if (start == id || *start == '#' || (size_t)(end - start) >= n)
		return 0;
	memcpy(buf, start, (size_t)(end - start));
	buf[end - start] = '\0';
	return 1;
}

static int
matches(const struct show *s, const struct auditscan_line *l)
{
	char key[SHOW_KEY_MAX];
	const char *v;

	if (s->since != (time_t)-1 && (l->ts == (time_t)-1 || l->ts < s->since))
		return 0;
	if (s->until != (time_t)-1 && (l->ts == (time_t)-1 || l->ts > s->until))
		return 0;
	if (s->key != NULL && (!event_key(l->obj, key, sizeof(key)) ||
	    strcmp(key, s->key) != 0))
		return 0;
	v = str(l->obj, "tab");
	if (s->tab != NULL && (v == NULL || strcmp(v, s->tab) != 0))
		return 0;
	v = str(l->obj, "rule");
	if (s->rule != NULL && (v == NULL || strcmp(v, s->rule) != 0))
		return 0;
	return 1;
}

static void
csv_cell(FILE *f, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n") != NULL) {
		putc('"', f);
		for (; *s != '\0'; s++) {
			if (*s == '"')
				putc('"', f);
			putc(*s, f);
		}
		putc('"', f);
	} else
		fputs(s, f);
	fputs(last ? "\r\n" : ",", f);
}

static const char *const csv_cols[] = {
	"seq", "ts", "time_bangkok", "event", "tab", "row", "key", "column",
	"rule", "severity", "old", "new", "date", "message", "verified",
};
#define NCSV (sizeof(csv_cols) / sizeof(csv_cols[0]))

static void
show_csv(struct show *s, const struct auditscan_line *l)
{
	char buf[4096];
	size_t i;

	for (i = 0; i < NCSV; i++) {
		const char *c = csv_cols[i];

		if (strcmp(c, "time_bangkok") == 0)
			auditscan_bangkok(l->ts, buf, sizeof(buf));
		else if (strcmp(c, "key") == 0) {
			if (!event_key(l->obj, buf, sizeof(buf)))
				buf[0] = '\0';
		} else if (strcmp(c, "message") == 0 &&
		    json_object_get(l->obj, "message") == NULL &&
		    json_object_get(l->obj, "reason") != NULL)
			field(l->obj, "reason", buf, sizeof(buf));
		else if (strcmp(c, "verified") == 0)
			snprintf(buf, sizeof(buf), "%s", l->chained ? "yes" : "no");
		else
			field(l->obj, c, buf, sizeof(buf));
		csv_cell(s->out, buf, i + 1 == NCSV);
	}
}

static const char *
severity_th(const char *sev)
{
	if (sev == NULL)
		return "";
	if (strcmp(sev, "error") == 0)
		return "ข้อผิดพลาด";
	if (strcmp(sev, "warning") == 0)
		return "คำเตือน";
	return sev;
}

/* where(o): " แท็บ T แถว R รหัสบ้าน K คอลัมน์ C", the parts there are. */
static void
where(FILE *f, const json_t *o)
{
	char buf[SHOW_KEY_MAX];
	json_t *row = json_object_get(o, "row");

	if (str(o, "tab") != NULL)
		fprintf(f, " แท็บ %s", sstr(o, "tab"));
	if (json_is_integer(row))
		fprintf(f, " แถว %" JSON_INTEGER_FORMAT, json_integer_value(row));
	if (event_key(o, buf, sizeof(buf)))
		fprintf(f, " รหัสบ้าน %s", buf);
	if (*sstr(o, "column") != '\0')
		fprintf(f, " คอลัมน์ \"%s\"", sstr(o, "column"));
}

/* duration_th(secs): "2 วัน 3 ชั่วโมง 5 นาที". */
static void
duration_th(FILE *f, long long secs)
{
	long long d = secs / 86400, h = secs % 86400 / 3600, m = secs % 3600 / 60;

	if (secs < 0)
		secs = 0;
	if (d > 0)
		fprintf(f, "%lld วัน ", d);
	if (d > 0 || h > 0)
		fprintf(f, "%lld ชั่วโมง ", h);
	fprintf(f, "%lld นาที", m);
}

static void
show_text(struct show *s, const struct auditscan_line *l)
{
	FILE *f = s->out;
	const json_t *o = l->obj;
	const char *ev = l->event;
	char when[32], buf[64];
	json_t *fs;

	auditscan_bangkok(l->ts, when, sizeof(when));
	fprintf(f, "%s  #%" PRIu64 "  ", when, l->seq);
	if (strcmp(ev, "discrepancy.opened") == 0) {
		fprintf(f, "พบ%s %s:", severity_th(str(o, "severity")),
		    sstr(o, "rule"));
		where(f, o);
		if (str(o, "message") != NULL)
			fprintf(f, " — %s", sstr(o, "message"));
	} else if (strcmp(ev, "discrepancy.resolved") == 0) {
		fprintf(f, "แก้ไขแล้ว %s %s:", severity_th(str(o, "severity")),
		    sstr(o, "rule"));
		if (json_object_get(o, "tab") == NULL && str(o, "id") != NULL)
			fprintf(f, " %s", sstr(o, "id"));
		where(f, o);
		fs = json_object_get(o, "first_seen");
		if (json_is_integer(fs) && l->ts != (time_t)-1) {
			auditscan_bangkok((time_t)json_integer_value(fs), buf, sizeof(buf));
			fprintf(f, " (พบครั้งแรก %s, ค้างอยู่ ", buf);
			duration_th(f, (long long)(l->ts - (time_t)json_integer_value(fs)));
			fputs(")", f);
		}
	} else if (strcmp(ev, "cell.changed") == 0) {
		fputs("ข้อมูลเปลี่ยน:", f);
		where(f, o);
		fprintf(f, " จาก \"%s\" เป็น \"%s\"",
		    sstr(o, "old"),
		    sstr(o, "new"));
	} else if (strcmp(ev, "cycle") == 0) {
		field(o, "households", buf, sizeof(buf));
		fprintf(f, "รอบการตรวจ: ครัวเรือน %s", buf);
		field(o, "errors", buf, sizeof(buf));
		fprintf(f, " ข้อผิดพลาด %s", buf);
		field(o, "warnings", buf, sizeof(buf));
		fprintf(f, " คำเตือน %s", buf);
		if (json_is_integer(json_object_get(o, "baseline"))) {
			field(o, "baseline", buf, sizeof(buf));
			fprintf(f, " (บันทึกข้อมูลตั้งต้น %s ช่อง)", buf);
		}
	} else if (strcmp(ev, "record.complete") == 0) {
		fputs("บันทึกกิจกรรมพัฒนาครบถ้วน (ระบบเห็นครั้งแรก):", f);
		where(f, o);
		fprintf(f, " วันที่ดำเนินการตามที่กรอก \"%s\"", sstr(o, "date"));
	} else if (strcmp(ev, "summary.written") == 0) {
		field(o, "discrepancies", buf, sizeof(buf));
		fprintf(f, "เขียนแท็บสรุปและแท็บข้อผิดพลาด (%s รายการ)", buf);
	} else if (strcmp(ev, "config.loaded") == 0) {
		fprintf(f, "อ่านการตั้งค่า %s", sstr(o, "path"));
	} else if (strcmp(ev, "api.error") == 0) {
		fprintf(f, "การเรียก API ล้มเหลว (%s): %s",
		    sstr(o, "step"),
		    sstr(o, "message"));
	} else if (strcmp(ev, "recovery") == 0) {
		field(o, "length", buf, sizeof(buf));
		fprintf(f, "กู้คืนบรรทัดที่เขียนไม่ครบ (%s ไบต์)", buf);
	} else if (strcmp(ev, "seal") == 0) {
		field(o, "epoch", buf, sizeof(buf));
		fprintf(f, "ผนึกบันทึก (ช่วงกุญแจ %s)", buf);
	} else {
		char *dump = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

		fprintf(f, "%s %s", ev, dump != NULL ? dump : "");
		free(dump);
	}
	if (!l->chained)
		fputs("  [ยังไม่ผ่านการตรวจสอบ]", f);
	putc('\n', f);
}

static int
show_line(void *ctx, const struct auditscan_line *l, struct err *e)
{
	struct show *s = ctx;

	(void)e;
	if (l->obj == NULL || !matches(s, l))
		return 0;
	s->shown++;
	switch (s->format) {
	case SHOW_JSON:
		fwrite(l->text, 1, l->len, s->out);
		putc('\n', s->out);
		break;
	case SHOW_CSV:
		show_csv(s, l);
		break;
	case SHOW_TEXT:
		show_text(s, l);
		break;
	}
	return 0;
}

/* The command line, as given (borrowed from argv) until checked. */
struct show_args {
	const char *since, *until, *fmt;
	const char *files[AUDITSCAN_FILES_MAX];
	size_t nfiles;
	char key[SHOW_KEY_MAX];		/* the --key normalised; s->key points here */
};

/*
 * parse_args(argc, argv, s, a): the options into s (--key, --tab, --rule)
 * and a (the rest, the files).  Returns -1 to go on, or the exit status
 * (0 after --help, EX_USAGE).
 */
static int
parse_args(int argc, char **argv, struct show *s, struct show_args *a)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char **dst = NULL;

		if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
			fputs(usage_text, stdout);
			return 0;
		}
		if (strcmp(o, "--key") == 0)
			dst = &s->key;
		else if (strcmp(o, "--tab") == 0)
			dst = &s->tab;
		else if (strcmp(o, "--rule") == 0)
			dst = &s->rule;
		else if (strcmp(o, "--since") == 0)
			dst = &a->since;
		else if (strcmp(o, "--until") == 0)
			dst = &a->until;
		else if (strcmp(o, "--format") == 0)
			dst = &a->fmt;
		if (dst != NULL) {
			if (i + 1 >= argc) {
				fprintf(stderr, "syncd: audit show: %s needs a value\n", o);
				fputs(usage_text, stderr);
				return EX_USAGE;
			}
			*dst = argv[++i];
		} else if (o[0] == '-' && o[1] != '\0') {
			fprintf(stderr, "syncd: audit show: unknown option %s\n", o);
			fputs(usage_text, stderr);
			return EX_USAGE;
		} else if (a->nfiles < AUDITSCAN_FILES_MAX)
			a->files[a->nfiles++] = o;
		else {
			fprintf(stderr, "syncd: audit show: more than %d files\n",
			    AUDITSCAN_FILES_MAX);
			return EX_USAGE;
		}
	}
	if (a->nfiles == 0) {
		fputs(usage_text, stderr);
		return EX_USAGE;
	}
	return -1;
}

/*
 * check_args(s, a): the format, the times and the key, into s.  Returns -1
 * to go on, or EX_USAGE after a message.
 */
static int
check_args(struct show *s, struct show_args *a)
{
	if (strcmp(a->fmt, "text") == 0)
		s->format = SHOW_TEXT;
	else if (strcmp(a->fmt, "json") == 0)
		s->format = SHOW_JSON;
	else if (strcmp(a->fmt, "csv") == 0)
		s->format = SHOW_CSV;
	else {
		fprintf(stderr, "syncd: audit show: --format \"%s\": want text, "
		    "json or csv\n", a->fmt);
		return EX_USAGE;
	}
	if (a->since != NULL && auditscan_parse_when(a->since, 0, &s->since) == -1) {
		fprintf(stderr, "syncd: audit show: --since \"%s\": want YYYY-MM-DD "
		    "or YYYY-MM-DDTHH:MM (Asia/Bangkok)\n", a->since);
		return EX_USAGE;
	}
	if (a->until != NULL && auditscan_parse_when(a->until, 1, &s->until) == -1) {
		fprintf(stderr, "syncd: audit show: --until \"%s\": want YYYY-MM-DD "
		    "or YYYY-MM-DDTHH:MM (Asia/Bangkok)\n", a->until);
		return EX_USAGE;
	}
	if (s->key != NULL) {
		/* The key as the daemon records it: digits only, as typed otherwise. */
		int n = rules_key_normalise(s->key, strlen(s->key), 0, a->key,
		    sizeof(a->key));

		if (n <= 0) {
			fprintf(stderr, "syncd: audit show: --key: not a household key\n");
			return EX_USAGE;
		}
		s->key = a->key;
	}
	return -1;
}

/* scan_failed(res, e): the exit status of a scan that stopped (e says why),
 * after saying so. */
static int
scan_failed(const struct auditscan_result *res, const struct err *e)
{
	if (e->code == ERR_NOINPUT) {
		fprintf(stderr, "syncd: audit show: %s\n", e->msg);
		return EX_NOINPUT;
	}
	if (e->code != ERR_DATA) {
		fprintf(stderr, "syncd: audit show: %s\n", e->msg);
		return EX_IOERR;
	}
	if (res->newer)
		fprintf(stderr, "syncd: audit show: %s; nothing after it is shown\n",
		    e->msg);
	else
		fprintf(stderr, "syncd: audit show: chain broken at %s; the lines "
		    "from there on are shown but cannot be trusted\n", e->msg);
	return EX_DATAERR;
}

int
audit_show_main(int argc, char **argv)
{
	struct auditscan_result res;
	struct show_args args;
	struct show s;
	struct err e;
	size_t i;
	int rc;

	memset(&s, 0, sizeof(s));
	memset(&args, 0, sizeof(args));
	s.out = stdout;
	s.since = s.until = (time_t)-1;
	args.fmt = "text";
	rc = parse_args(argc, argv, &s, &args);
	if (rc == -1)
		rc = check_args(&s, &args);
	if (rc != -1)
		return rc;
	if (s.format == SHOW_CSV)
		for (i = 0; i < NCSV; i++)
			csv_cell(s.out, csv_cols[i], i + 1 == NCSV);
	err_init(&e);
	if (auditscan_files(args.files, args.nfiles, show_line, &s, &res, &e) != 0) {
		fflush(s.out);
		return scan_failed(&res, &e);
	}
	if (fflush(s.out) == EOF || ferror(s.out)) {
		fprintf(stderr, "syncd: audit show: standard output: write error\n");
		return EX_IOERR;
	}
	return 0;
}
