/*
 * audit_report: `syncd audit report FILE [-c CONF] --html OUT`.
 *
 * One self-contained HTML page in Thai (no script, no style or font fetched
 * from anywhere; print CSS for A4) that a reviewer from the Department can
 * read and print: at the top the chain's verdict, the head and the period
 * the log covers; then per district the households developed (the activity
 * date as typed, and when syncd first saw the record complete), the
 * findings opened and resolved with how long each stayed open, the records
 * changed after they were complete, and what only a log can show:
 * activities typed with a date before the activity deadline but first seen
 * after it ("บันทึกหลังกำหนด"), and activity dates edited after it.
 *
 * The configuration (-c, else the built-in defaults) gives the activity
 * deadline, the activity date's heading and the district order.  Read-only
 * on the log; the page is written atomically.  This file gathers the
 * evidence from the log (struct audit_page_log); syncd/audit_page.c writes
 * the page.
 */
#include "syncd/audit_report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "rules/rules.h"
#include "syncd/audit_page.h"
#include "syncd/auditscan.h"
#include "syncd/config.h"
#include "syncd/fsutil.h"
#include "syncd/today.h"

static char *
dup0(const char *s)
{
	return strdup(s != NULL ? s : "");
}

static const char *
str(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static long
num(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (long)json_integer_value(v) : 0;
}

/* grow(&p, &cap, n, size): room for one more; 0 or -1. */
static int
grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *np;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 64;
	if ((np = realloc(*p, nc * size)) == NULL)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}

static void
note_tab(struct audit_page_log *r, const char *tab)
{
	size_t i;

	if (tab == NULL || *tab == '\0')
		return;
	for (i = 0; i < r->ntabs; i++)
		if (strcmp(r->tabs[i], tab) == 0)
			return;
	if (grow((void **)&r->tabs, &r->tabcap, r->ntabs, sizeof(*r->tabs)) == -1 ||
	    (r->tabs[r->ntabs] = strdup(tab)) == NULL) {
		r->nomem = 1;
		return;
	}
	r->ntabs++;
}

/* who(o, buf): the household: its key, else "#ROW". */
static const char *
who(const json_t *o, char *buf, size_t n)
{
	const char *k = str(o, "key");

	if (k != NULL)
		return k;
	snprintf(buf, n, "#%ld", num(o, "row"));
	return buf;
}

static void
map_key(const char *tab, const char *key, char *buf, size_t n)
{
	snprintf(buf, n, "%s\x1f%s", tab, key);
}

static void
on_complete(struct audit_page_log *r, const struct auditscan_line *l)
{
	char kb[64], mk[1024];
	const char *tab = str(l->obj, "tab"), *key = who(l->obj, kb, sizeof(kb));
	struct audit_page_dev *d;

	if (tab == NULL)
		return;
	map_key(tab, key, mk, sizeof(mk));
	if (json_object_get(r->devmap, mk) != NULL)
		return;		/* first seen complete only */
	if (grow((void **)&r->devs, &r->devcap, r->ndevs, sizeof(*r->devs)) == -1) {
		r->nomem = 1;
		return;
	}
	d = &r->devs[r->ndevs];
	d->tab = dup0(tab);
	d->key = dup0(key);
	d->date = dup0(str(l->obj, "date"));
	d->row = num(l->obj, "row");
	d->seen = l->ts;
	if (d->tab == NULL || d->key == NULL || d->date == NULL ||
	    json_object_set_new(r->devmap, mk, json_integer((json_int_t)r->ndevs)) == -1) {
		r->nomem = 1;
		return;
	}
	r->ndevs++;
}

static void
on_opened(struct audit_page_log *r, const struct auditscan_line *l, time_t opened)
{
	const char *id = str(l->obj, "id");
	struct audit_page_find *f;

	if (grow((void **)&r->finds, &r->findcap, r->nfinds, sizeof(*r->finds)) == -1) {
		r->nomem = 1;
		return;
	}
	f = &r->finds[r->nfinds];
	memset(f, 0, sizeof(*f));
	f->tab = dup0(str(l->obj, "tab"));
	f->rule = dup0(str(l->obj, "rule"));
	f->severity = dup0(str(l->obj, "severity"));
	f->key = dup0(str(l->obj, "key"));
	f->column = dup0(str(l->obj, "column"));
	f->message = dup0(str(l->obj, "message"));
	f->row = num(l->obj, "row");
	f->opened = opened;
	f->resolved = (time_t)-1;
	if (f->tab == NULL || f->rule == NULL || f->severity == NULL ||
	    f->key == NULL || f->column == NULL || f->message == NULL ||
	    (id != NULL && json_object_set_new(r->openmap, id,
	    json_integer((json_int_t)r->nfinds)) == -1)) {
		r->nomem = 1;
		return;
	}
	r->nfinds++;
}

static void
on_resolved(struct audit_page_log *r, const struct auditscan_line *l)
{
	const char *id = str(l->obj, "id");
	json_t *ix = id != NULL ? json_object_get(r->openmap, id) : NULL;

	if (ix == NULL) {
		/* Opened before the log began (or by an older syncd). */
		on_opened(r, l, (time_t)num(l->obj, "first_seen"));
		if (r->nomem || r->nfinds == 0)
			return;
		r->finds[r->nfinds - 1].resolved = l->ts;
		json_object_del(r->openmap, id != NULL ? id : "");
		return;
	}
	r->finds[json_integer_value(ix)].resolved = l->ts;
	json_object_del(r->openmap, id);
}

static void
on_changed(struct audit_page_log *r, const struct auditscan_line *l)
{
	char kb[64], mk[1024];
	const char *tab = str(l->obj, "tab"), *key = who(l->obj, kb, sizeof(kb));
	const char *col = str(l->obj, "column"), *old = str(l->obj, "old");
	json_t *ix;
	struct audit_page_chg *c;
	int after = 0, late = 0;

	if (tab == NULL)
		return;
	map_key(tab, key, mk, sizeof(mk));
	ix = json_object_get(r->devmap, mk);
	after = ix != NULL && r->devs[json_integer_value(ix)].seen <= l->ts;
	/* A date typed for the first time after the deadline is "entered
	 * late" (record.complete); an edited one is listed here. */
	late = r->date_heading != NULL && col != NULL &&
	    strcmp(col, r->date_heading) == 0 && l->ts > r->deadline_end &&
	    old != NULL && *old != '\0';
	if (!after && !late)
		return;
	if (grow((void **)&r->chgs, &r->chgcap, r->nchgs, sizeof(*r->chgs)) == -1) {
		r->nomem = 1;
		return;
	}
	c = &r->chgs[r->nchgs];
	c->tab = dup0(tab);
	c->key = dup0(key);
	c->column = dup0(col);
	c->old = dup0(str(l->obj, "old"));
	c->new = dup0(str(l->obj, "new"));
	c->row = num(l->obj, "row");
	c->ts = l->ts;
	c->after_complete = after;
	c->date_late = late;
	if (c->tab == NULL || c->key == NULL || c->column == NULL ||
	    c->old == NULL || c->new == NULL) {
		r->nomem = 1;
		return;
	}
	r->nchgs++;
}

static int
on_line(void *ctx, const struct auditscan_line *l, struct err *e)
{
	struct audit_page_log *r = ctx;

	if (l->obj == NULL)
		return 0;
	if (l->ts != (time_t)-1) {
		if (r->first_ts == (time_t)-1)
			r->first_ts = l->ts;
		r->last_ts = l->ts;
	}
	note_tab(r, str(l->obj, "tab"));
	if (strcmp(l->event, "record.complete") == 0)
		on_complete(r, l);
	else if (strcmp(l->event, "discrepancy.opened") == 0)
		on_opened(r, l, l->ts);
	else if (strcmp(l->event, "discrepancy.resolved") == 0)
		on_resolved(r, l);
	else if (strcmp(l->event, "cell.changed") == 0)
		on_changed(r, l);
	if (r->nomem) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	return 0;
}

static void
rep_fini(struct audit_page_log *r)
{
	size_t i;

	for (i = 0; i < r->ndevs; i++) {
		free(r->devs[i].tab);
		free(r->devs[i].key);
		free(r->devs[i].date);
	}
	for (i = 0; i < r->nfinds; i++) {
		free(r->finds[i].tab);
		free(r->finds[i].rule);
		free(r->finds[i].severity);
		free(r->finds[i].key);
		free(r->finds[i].column);
		free(r->finds[i].message);
	}
	for (i = 0; i < r->nchgs; i++) {
		free(r->chgs[i].tab);
		free(r->chgs[i].key);
		free(r->chgs[i].column);
		free(r->chgs[i].old);
		free(r->chgs[i].new);
	}
	for (i = 0; i < r->ntabs; i++)
		free(r->tabs[i]);
	free(r->devs);
	free(r->finds);
	free(r->chgs);
	free(r->tabs);
	json_decref(r->devmap);
	json_decref(r->openmap);
}

static const char usage_text[] =
    "usage: syncd audit report FILE... [-c CONF] --html OUT\n";

int
audit_report_main(int argc, char **argv)
{
	struct auditscan_result res;
	struct config *cfg = NULL;
	struct audit_page_log r;
	struct audit_page p;
	const char *files[AUDITSCAN_FILES_MAX], *conf = NULL, *out = NULL;
	size_t nfiles = 0;
	struct stat st;
	struct err e, se;
	size_t i;
	int a, rc, status;

	err_init(&e);
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "-c") == 0 && a + 1 < argc)
			conf = argv[++a];
		else if (strcmp(argv[a], "--html") == 0 && a + 1 < argc)
			out = argv[++a];
		else if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
			fputs(usage_text, stdout);
			return 0;
		} else if (argv[a][0] == '-' && argv[a][1] != '\0') {
			fprintf(stderr, "syncd: audit report: unknown option or missing "
			    "value: %s\n%s", argv[a], usage_text);
			return EX_USAGE;
		} else if (nfiles < AUDITSCAN_FILES_MAX)
			files[nfiles++] = argv[a];
		else {
			fprintf(stderr, "syncd: audit report: more than %d files\n",
			    AUDITSCAN_FILES_MAX);
			return EX_USAGE;
		}
	}
	if (nfiles == 0 || out == NULL) {
		fputs(usage_text, stderr);
		return EX_USAGE;
	}
	if (conf != NULL && stat(conf, &st) == -1) {
		fprintf(stderr, "syncd: audit report: %s: %s\n", conf, strerror(errno));
		return EX_NOINPUT;
	}
	cfg = conf != NULL ? config_load(conf, CONFIG_NO_CREDENTIALS, &e) :
	    config_new_default(&e);
	if (cfg == NULL) {
		fprintf(stderr, "syncd: audit report: %s\n", e.msg);
		return e.code == ERR_NOMEM ? EX_OSERR : EX_CONFIG;
	}
	memset(&r, 0, sizeof(r));
	r.cfg = cfg;
	r.first_ts = r.last_ts = (time_t)-1;
	r.deadline_end = ((time_t)cfg->rules.activity_deadline + 1) * 86400 -
	    TODAY_BANGKOK_OFFSET - 1;
	for (i = 0; i < cfg->rules.nfields; i++)
		if (cfg->rules.fields[i].role == RULES_ROLE_ACTIVITY &&
		    cfg->rules.fields[i].is_date)
			r.date_heading = cfg->rules.fields[i].heading;
	r.devmap = json_object();
	r.openmap = json_object();
	for (i = 0; i < cfg->rules.ndistricts; i++)
		note_tab(&r, cfg->rules.districts[i]);
	if (r.devmap == NULL || r.openmap == NULL || r.nomem) {
		fprintf(stderr, "syncd: audit report: out of memory\n");
		status = EX_OSERR;
		goto out;
	}
	err_init(&se);
	rc = auditscan_files(files, nfiles, on_line, &r, &res, &se);
	if (rc == -1 && se.code != ERR_DATA) {
		fprintf(stderr, "syncd: audit report: %s\n", se.msg);
		status = se.code == ERR_NOINPUT ? EX_NOINPUT :
		    se.code == ERR_NOMEM ? EX_OSERR : EX_IOERR;
		goto out;
	}
	memset(&p, 0, sizeof(p));
	p.r = &r;
	p.log = files;
	p.nlog = nfiles;
	p.res = &res;
	p.intact = rc == 0;
	p.why = se.msg;
	if (fsutil_write_atomic(out, 0644, audit_page_write, &p, &e) == -1) {
		fprintf(stderr, "syncd: audit report: cannot write the page %s: %s\n",
		    out, e.msg);
		status = EX_CANTCREAT;
		goto out;
	}
	if (rc == -1) {
		fprintf(stderr, "syncd: audit report: %s; the page says so\n", se.msg);
		status = EX_DATAERR;
	} else
		status = 0;
out:
	rep_fini(&r);
	config_free(cfg);
	return status;
}
