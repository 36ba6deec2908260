/*
 * config: read syncd's libconfig file into a validated struct config.
 *
 * The file is read into memory by us (size-capped, NUL bytes refused), then
 * pre-scanned for what libconfig 1.5 would accept silently but we must not:
 * an @include directive (it would pull in a file we never vetted) and an
 * integer too large for 32 bits (libconfig truncates it without a word, so
 * 4294967356 would become 60).  Then libconfig parses it, and every setting
 * is walked in file order through a table of known keys: an unknown key is
 * an error with its line (a typo must not pass silently), as is a wrong type
 * or a value out of range.  Cross-key checks (deadline order, credentials,
 * tab names) come last.  Nothing here logs or exits: the first error is put
 * in the caller's struct err as "FILE:LINE: message".
 */
#include "syncd/config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>

#define FIELD_NAME_MAX	64	/* bytes of a logical field name */
#define ID_MAX		256	/* bytes of a spreadsheet id */
#define MARK_MAX	32	/* bytes of one accepted mark spelling */

/* What one load needs to report an error and fill the result. */
struct loader {
	const char *name;	/* borrowed: the file's name in messages */
	struct config *cfg;	/* borrowed: the configuration being filled */
	struct err *e;		/* borrowed: where the first error goes */
};

struct key;
typedef int (*key_fn)(struct loader *, const config_setting_t *, const struct key *);

/* One known top-level key: its handler and where its value goes. */
struct key {
	const char *name;
	key_fn fn;
	size_t off;		/* offset of the value in struct config */
	size_t off2;		/* second offset (a count), where needed */
	long lo, hi;		/* range of an integer */
};

static int fail(struct loader *, const config_setting_t *, const char *, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * fail(ld, s, fmt, ...): record "NAME:LINE: message" (or "NAME: message"
 * when s is NULL) as ERR_CONFIG.  Returns -1 so callers can return it.
 */
static int
fail(struct loader *ld, const config_setting_t *s, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s != NULL && config_setting_source_line(s) > 0)
		err_set(ld->e, ERR_CONFIG, "%s:%u: %s", ld->name,
		    (unsigned)config_setting_source_line(s), msg);
	else
		err_set(ld->e, ERR_CONFIG, "%s: %s", ld->name, msg);
	return -1;
}

static int
nomem(struct loader *ld)
{
	err_set(ld->e, ERR_NOMEM, "%s: out of memory", ld->name);
	return -1;
}

/* A setting's name for messages: list elements have none. */
static const char *
sname(const config_setting_t *s)
{
	const char *n = config_setting_name(s);

	return n != NULL ? n : "element";
}

/*
 * utf8_ok(s): non-zero when s is well-formed UTF-8 with no control
 * character other than tab, line feed and carriage return.
 */
static int
utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	int n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') ||
			    *p == 0x7f)
				return 0;
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

/*
 * get_string(ld, s, nonempty, out): s must be a string of valid UTF-8 no
 * longer than CONFIG_MAX_STRING (and not empty when nonempty).  *out is
 * borrowed from libconfig until config_destroy.
 */
static int
get_string(struct loader *ld, const config_setting_t *s, int nonempty, const char **out)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(ld, s, "%s: expected a string in double quotes", sname(s));
	v = config_setting_get_string(s);
	if (strlen(v) > CONFIG_MAX_STRING)
		return fail(ld, s, "%s: longer than %d bytes", sname(s), CONFIG_MAX_STRING);
	if (!utf8_ok(v))
		return fail(ld, s, "%s: not valid UTF-8 text (or holds a control character)",
		    sname(s));
	if (nonempty && v[0] == '\0')
		return fail(ld, s, "%s: must not be empty", sname(s));
	*out = v;
	return 0;
}

/* set_owned(ld, slot, v): replace the owned string *slot with a copy of v. */
static int
set_owned(struct loader *ld, char **slot, const char *v)
{
	char *c = strdup(v);

	if (c == NULL)
		return nomem(ld);
	free(*slot);
	*slot = c;
	return 0;
}

/* pool_add(ld, v, out): a copy of v owned by the configuration's pool. */
static int
pool_add(struct loader *ld, const char *v, const char **out)
{
	struct config *cfg = ld->cfg;
	char **np;
	size_t ncap;

	if (cfg->npool == cfg->pool_cap) {
		ncap = cfg->pool_cap ? cfg->pool_cap * 2 : 32;
		np = realloc(cfg->pool, ncap * sizeof(*np));
		if (np == NULL)
			return nomem(ld);
		cfg->pool = np;
		cfg->pool_cap = ncap;
	}
	if ((cfg->pool[cfg->npool] = strdup(v)) == NULL)
		return nomem(ld);
	*out = cfg->pool[cfg->npool++];
	return 0;
}

static char **
slot_str(struct loader *ld, const struct key *k)
{
	return (char **)(void *)((char *)ld->cfg + k->off);
}

/*
 * spreadsheet_id: it goes into URL paths, so only URL's unreserved alphabet
 * (letters, digits, - . _ ~: DESIGN.md's own example is "1AbC..."), and not
 * "." or "..", which a URL path would read as a dot-segment.
 */
static int
key_spreadsheet_id(struct loader *ld, const config_setting_t *s, const struct key *k)
{
	const char *v, *p;

	if (get_string(ld, s, 1, &v) == -1)
		return -1;
	if (strlen(v) > ID_MAX)
		return fail(ld, s, "spreadsheet_id: longer than %d characters", ID_MAX);
	for (p = v; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.' || *p == '~'))
			return fail(ld, s, "spreadsheet_id: \"%s\" holds a character other "
			    "than letters, digits, '-', '.', '_' and '~'", v);
	if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
		return fail(ld, s, "spreadsheet_id: \"%s\" is not an id", v);
	return set_owned(ld, slot_str(ld, k), v);
}

/*
 * URLs: https:// always; http:// only to this host (the emulator in tests),
 * because a bearer token must never cross a network in the clear.  No user
 * information, no white space; a trailing slash is dropped.  A query is
 * refused unless k->lo is 1 (a webhook's URL carries its key there).
 */
static int
key_url(struct loader *ld, const config_setting_t *s, const struct key *k)
{
	static const char *const local[] = { "127.0.0.1", "localhost", "[::1]" };
	const char *v, *host, *p;
	size_t hlen, i, n;
	char *c;
	int ok;

	if (get_string(ld, s, 1, &v) == -1)
		return -1;
	if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else
		return fail(ld, s, "%s: \"%s\" is not an https:// URL", k->name, v);
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (*p == '?' && k->lo == 0) || *p == '#')
			return fail(ld, s, "%s: \"%s\" holds white space, '?' or '#'",
			    k->name, v);
	hlen = strcspn(host, "/");
	if (memchr(host, '@', hlen) != NULL)
		return fail(ld, s, "%s: user information in a URL is not allowed", k->name);
	if (hlen == 0 || host[0] == ':')
		return fail(ld, s, "%s: \"%s\" has no host", k->name, v);
	if (host == v + 7) {
		ok = 0;
		for (i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
			n = strlen(local[i]);
			if (strncmp(host, local[i], n) == 0 &&
			    (host[n] == '\0' || host[n] == ':' || host[n] == '/'))
				ok = 1;
		}
		if (!ok)
			return fail(ld, s, "%s: \"%s\": plain http:// is allowed only to "
			    "127.0.0.1, localhost or [::1]; use https://", k->name, v);
	}
	if (set_owned(ld, slot_str(ld, k), v) == -1)
		return -1;
	c = *slot_str(ld, k);
	n = strlen(c);
	while (n > (size_t)(host - v) + hlen && c[n - 1] == '/')
		c[--n] = '\0';
	return 0;
}

/* An absolute path (required); key_path_opt also takes "" (unset). */
static int
path_common(struct loader *ld, const config_setting_t *s, const struct key *k, int opt)
{
	const char *v;

	if (get_string(ld, s, !opt, &v) == -1)
		return -1;
	if (v[0] != '\0' && v[0] != '/')
		return fail(ld, s, "%s: \"%s\" is not an absolute path", k->name, v);
	if (strpbrk(v, "\t\r\n") != NULL)
		return fail(ld, s, "%s: a path must not hold a tab or line break", k->name);
	return set_owned(ld, slot_str(ld, k), v);
}

static int
key_path(struct loader *ld, const config_setting_t *s, const struct key *k)
{
	return path_common(ld, s, k, 0);
}

static int
key_path_opt(struct loader *ld, const config_setting_t *s, const struct key *k)
{
	return path_common(ld, s, k, 1);
}

/* get_int(ld, s, lo, hi, out): an integer within lo..hi. */
static int
get_int(struct loader *ld, const config_setting_t *s, long lo, long hi, long long *out)
{
	long long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return fail(ld, s, "%s: expected a whole number", sname(s));
	v = config_setting_get_int64(s);
	if (v < lo || v > hi)
		return fail(ld, s, "%s: %lld is out of range (%ld to %ld)", sname(s), v, lo, hi);
	*out = v;
	return 0;
}

static int
key_long(struct loader *ld, const config_setting_t *s, const struct key *k)
{
	long long v = 0;

	if (get_int(ld, s, k->lo, k->hi, &v) == -1)
		return -1;
	*(long *)(void *)((char *)ld->cfg + k->off) = (long)v;
	return 0;
}

static int get_bool(struct loader *ld, const config_setting_t *s, int *out);

static int
key_bool(struct loader *ld, const config_setting_t *s, const struct key *k)
{
	return get_bool(ld, s, (int *)(void *)((char *)ld->cfg + k->off));
}

static int
key_u32(struct loader *ld, const config_setting_t *s, const struct key *k)
{
	long long v = 0;

	if (get_int(ld, s, k->lo, k->hi, &v) == -1)
		return -1;
	*(uint32_t *)(void *)((char *)ld->cfg + k->off) = (uint32_t)v;
	return 0;
}

static int
key_double(struct loader *ld, const config_setting_t *s, const struct key *k)
{
	double v;

	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64)
		v = (double)config_setting_get_int64(s);
	else if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else
		return fail(ld, s, "%s: expected a number", k->name);
	if (!(v >= (double)k->lo && v <= (double)k->hi))
		return fail(ld, s, "%s: %g is out of range (%ld to %ld)", k->name, v,
		    k->lo, k->hi);
	*(double *)(void *)((char *)ld->cfg + k->off) = v;
	return 0;
}

/* A date "YYYY-MM-DD" (CE) into an int32_t day number. */
static int
key_date(struct loader *ld, const config_setting_t *s, const struct key *k)
{
	const char *v;
	int32_t d;

	if (get_string(ld, s, 1, &v) == -1)
		return -1;
	if (strlen(v) != 10 || rules_parse_ymd(v, &d) == -1)
		return fail(ld, s, "%s: \"%s\" is not a date written YYYY-MM-DD "
		    "(Common Era year)", k->name, v);
	*(int32_t *)(void *)((char *)ld->cfg + k->off) = d;
	return 0;
}

/* A rules string (tab names, labels): non-empty, pooled. */
static int
key_rstring(struct loader *ld, const config_setting_t *s, const struct key *k)
{
	const char *v;

	if (get_string(ld, s, 1, &v) == -1)
		return -1;
	return pool_add(ld, v, (const char **)(void *)((char *)ld->cfg + k->off));
}

/*
 * get_strlist(ld, s, max, out, n): an array or list of up to max non-empty,
 * distinct strings, pooled into out[0..*n).
 */
static int
get_strlist(struct loader *ld, const config_setting_t *s, size_t max,
    const char **out, size_t *n)
{
	const config_setting_t *el;
	const char *v;
	size_t i, j, len;

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return fail(ld, s, "%s: expected a list of strings: [ \"...\", ... ]", sname(s));
	len = (size_t)config_setting_length(s);
	if (len > max)
		return fail(ld, s, "%s: more than %zu entries", sname(s), max);
	for (i = 0; i < len; i++) {
		el = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(el) != CONFIG_TYPE_STRING)
			return fail(ld, el, "%s: entry %zu is not a string", sname(s), i + 1);
		if (get_string(ld, el, 1, &v) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (strcmp(out[j], v) == 0)
				return fail(ld, el, "%s: \"%s\" is listed twice", sname(s), v);
		if (pool_add(ld, v, &out[i]) == -1)
			return -1;
		*n = i + 1;
	}
	*n = len;
	return 0;
}

static int
key_strlist(struct loader *ld, const config_setting_t *s, const struct key *k)
{
	const char **out = (const char **)(void *)((char *)ld->cfg + k->off);
	size_t *n = (size_t *)(void *)((char *)ld->cfg + k->off2);

	if (get_strlist(ld, s, (size_t)k->hi, out, n) == -1)
		return -1;
	if (k->lo > 0 && *n < (size_t)k->lo)
		return fail(ld, s, "%s: needs at least %ld entry", k->name, k->lo);
	return 0;
}

static int
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/*
 * marks_same(a, b): would the rules engine read a and b as the same mark?
 * It trims, ignores case and compares numbers by value ("1" is "1.0").
 */
static int
marks_same(const char *a, const char *b)
{
	char *ea, *eb;
	double va, vb;
	size_t la, lb, i;

	a += strspn(a, " \t");
	b += strspn(b, " \t");
	for (la = strlen(a); la > 0 && (a[la - 1] == ' ' || a[la - 1] == '\t'); la--)
		;
	for (lb = strlen(b); lb > 0 && (b[lb - 1] == ' ' || b[lb - 1] == '\t'); lb--)
		;
	va = strtod(a, &ea);
	vb = strtod(b, &eb);
	if (ea == a + la && eb == b + lb && la > 0 && lb > 0)
		return va == vb;
	if (la != lb)
		return 0;
	for (i = 0; i < la; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return 0;
	return 1;
}

/* Marks: a string list whose entries the engine can tell apart. */
static int
key_marks(struct loader *ld, const config_setting_t *s, const struct key *k)
{
	const char **out = (const char **)(void *)((char *)ld->cfg + k->off);
	size_t *n = (size_t *)(void *)((char *)ld->cfg + k->off2);
	size_t i, j;

	if (key_strlist(ld, s, k) == -1)
		return -1;
	for (i = 0; i < *n; i++) {
		if (strlen(out[i]) > MARK_MAX)
			return fail(ld, config_setting_get_elem(s, (unsigned)i),
			    "%s: \"%s\" is longer than %d bytes", k->name, out[i], MARK_MAX);
		if (strspn(out[i], " \t\r\n") == strlen(out[i]))
			return fail(ld, config_setting_get_elem(s, (unsigned)i),
			    "%s: a mark must not be blank", k->name);
		for (j = 0; j < i; j++)
			if (marks_same(out[i], out[j]))
				return fail(ld, config_setting_get_elem(s, (unsigned)i),
				    "%s: \"%s\" is the same mark as \"%s\" (case and "
				    "number spelling do not count)", k->name, out[i], out[j]);
	}
	return 0;
}

/* The members a column group may have. */
static const char *const column_keys[] = {
	"field", "heading", "label", "role", "required", "date", "developable",
};

static int
get_bool(struct loader *ld, const config_setting_t *s, int *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return fail(ld, s, "%s: expected true or false", sname(s));
	*out = config_setting_get_bool(s);
	return 0;
}

static int
has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* column(ld, g, f): read one group of the columns list into f. */
static int
column(struct loader *ld, const config_setting_t *g, struct rules_field *f)
{
	const config_setting_t *m, *label_s = NULL, *date_s = NULL, *dev_s = NULL;
	const char *v, *p;
	int i, j, n, b = 0;
	int have_req = 0;

	if (!config_setting_is_group(g))
		return fail(ld, g, "columns: each entry must be a group "
		    "{ field = \"...\"; heading = \"...\"; }");
	n = config_setting_length(g);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(g, (unsigned)i);
		for (j = 0; j < (int)(sizeof(column_keys) / sizeof(column_keys[0])); j++)
			if (strcmp(config_setting_name(m), column_keys[j]) == 0)
				break;
		if (j == (int)(sizeof(column_keys) / sizeof(column_keys[0])))
			return fail(ld, m, "columns: unknown key '%s' (known: field, heading, "
			    "label, role, required, date, developable)", config_setting_name(m));
	}
	if ((m = config_setting_get_member(g, "field")) == NULL)
		return fail(ld, g, "columns: entry without field = \"...\"");
	if (get_string(ld, m, 1, &v) == -1)
		return -1;
	if (strlen(v) > FIELD_NAME_MAX)
		return fail(ld, m, "field: longer than %d bytes", FIELD_NAME_MAX);
	for (p = v; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_' || *p == '.'))
			return fail(ld, m, "field: \"%s\": use lower-case letters, digits, "
			    "'_' and '.'", v);
	if (pool_add(ld, v, &f->name) == -1)
		return -1;
	if (strcmp(v, "key") == 0)
		f->role = RULES_ROLE_KEY;
	else if (has_prefix(v, "status."))
		f->role = RULES_ROLE_STATUS;
	else if (has_prefix(v, "activity."))
		f->role = RULES_ROLE_ACTIVITY;
	else
		f->role = RULES_ROLE_INFO;
	f->is_date = strcmp(v, "activity.date") == 0;
	f->developable = strcmp(v, "status.developable") == 0;

	if ((m = config_setting_get_member(g, "heading")) == NULL)
		return fail(ld, g, "columns: field \"%s\" has no heading = \"...\"", f->name);
	if (get_string(ld, m, 1, &v) == -1 || pool_add(ld, v, &f->heading) == -1)
		return -1;
	if ((m = config_setting_get_member(g, "role")) != NULL) {
		if (get_string(ld, m, 1, &v) == -1)
			return -1;
		if (strcmp(v, "key") == 0)
			f->role = RULES_ROLE_KEY;
		else if (strcmp(v, "info") == 0)
			f->role = RULES_ROLE_INFO;
		else if (strcmp(v, "status") == 0)
			f->role = RULES_ROLE_STATUS;
		else if (strcmp(v, "activity") == 0)
			f->role = RULES_ROLE_ACTIVITY;
		else
			return fail(ld, m, "role: \"%s\" is not one of key, info, status, "
			    "activity", v);
	}
	f->required = f->role != RULES_ROLE_INFO;
	if ((m = config_setting_get_member(g, "required")) != NULL) {
		if (get_bool(ld, m, &b) == -1)
			return -1;
		f->required = b;
		have_req = 1;
	}
	if (f->role == RULES_ROLE_KEY && have_req && !f->required)
		return fail(ld, m, "required: the key field is always required");
	if ((date_s = config_setting_get_member(g, "date")) != NULL) {
		if (get_bool(ld, date_s, &b) == -1)
			return -1;
		f->is_date = b;
	}
	if ((dev_s = config_setting_get_member(g, "developable")) != NULL) {
		if (get_bool(ld, dev_s, &b) == -1)
			return -1;
		f->developable = b;
	}
	f->label = NULL;
	if ((label_s = config_setting_get_member(g, "label")) != NULL)
		if (get_string(ld, label_s, 1, &v) == -1 || pool_add(ld, v, &f->label) == -1)
			return -1;
	if (f->role != RULES_ROLE_ACTIVITY && f->is_date)
		return fail(ld, date_s != NULL ? date_s : g,
		    "columns: \"%s\": only an activity field can be the date", f->name);
	if (f->role != RULES_ROLE_STATUS && f->developable)
		return fail(ld, dev_s != NULL ? dev_s : g,
		    "columns: \"%s\": only a status field can be developable", f->name);
	if (f->role != RULES_ROLE_STATUS && label_s != NULL)
		return fail(ld, label_s, "columns: \"%s\": only a status field has a label "
		    "(its summary column)", f->name);
	if (f->role == RULES_ROLE_STATUS && f->label == NULL)
		return fail(ld, g, "columns: status field \"%s\" needs label = \"...\" "
		    "(its summary column heading)", f->name);
	return 0;
}

/*
 * key_columns: the whole column list replaces the default one.  Exactly one
 * key field, one to RULES_MAX_STATUSES status fields of which exactly one is
 * developable, exactly one date field when there are activity fields, no
 * field or heading twice.
 */
static int
key_columns(struct loader *ld, const config_setting_t *s, const struct key *k)
{
	struct rules_config *rc = &ld->cfg->rules;
	const config_setting_t *g;
	char a[CONFIG_MAX_STRING + 1], b[CONFIG_MAX_STRING + 1];
	size_t n, i, j, nkey = 0, nstatus = 0, ndev = 0, ndate = 0, nact = 0;
	const struct rules_field *f;

	(void)k;
	if (!config_setting_is_list(s))
		return fail(ld, s, "columns: expected a list of groups: "
		    "( { field = \"key\"; heading = \"...\"; }, ... )");
	n = (size_t)config_setting_length(s);
	if (n == 0)
		return fail(ld, s, "columns: the list is empty");
	if (n > RULES_MAX_FIELDS)
		return fail(ld, s, "columns: more than %d fields", RULES_MAX_FIELDS);
	memset(rc->fields, 0, sizeof(rc->fields));
	rc->nfields = 0;
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(s, (unsigned)i);
		if (column(ld, g, &rc->fields[i]) == -1)
			return -1;
		rc->nfields = i + 1;
		f = &rc->fields[i];
		for (j = 0; j < i; j++) {
			if (strcmp(rc->fields[j].name, f->name) == 0)
				return fail(ld, g, "columns: field \"%s\" appears twice", f->name);
			if (rules_heading_normalise(f->heading, strlen(f->heading), a,
			    sizeof(a)) >= 0 && rules_heading_normalise(rc->fields[j].heading,
			    strlen(rc->fields[j].heading), b, sizeof(b)) >= 0 &&
			    strcmp(a, b) == 0)
				return fail(ld, g, "columns: \"%s\" and \"%s\" have the same "
				    "heading", rc->fields[j].name, f->name);
		}
		switch (f->role) {
		case RULES_ROLE_KEY:
			if (++nkey > 1)
				return fail(ld, g, "columns: a second key field (\"%s\"); "
				    "there must be exactly one", f->name);
			break;
		case RULES_ROLE_STATUS:
			if (++nstatus > RULES_MAX_STATUSES)
				return fail(ld, g, "columns: more than %d status fields",
				    RULES_MAX_STATUSES);
			if (f->developable && ++ndev > 1)
				return fail(ld, g, "columns: a second developable status "
				    "(\"%s\"); there must be exactly one", f->name);
			break;
		case RULES_ROLE_ACTIVITY:
			nact++;
			if (f->is_date && ++ndate > 1)
				return fail(ld, g, "columns: a second date field (\"%s\"); "
				    "there must be at most one", f->name);
			break;
		case RULES_ROLE_INFO:
			break;
		}
	}
	if (nkey == 0)
		return fail(ld, s, "columns: no key field (field = \"key\")");
	if (nstatus == 0)
		return fail(ld, s, "columns: no status field (field = \"status....\")");
	if (ndev == 0)
		return fail(ld, s, "columns: no status field is developable "
		    "(developable = true)");
	if (nact > 0 && ndate == 0)
		return fail(ld, s, "columns: no activity field is the date "
		    "(field = \"activity.date\" or date = true)");
	return 0;
}

/* ---- reports over time (issue 15): history_tab, snapshot_days, mail ---- */

/* history_tab: a tab title, or "" for no progress history. */
static int
key_history_tab(struct loader *ld, const config_setting_t *s, const struct key *k)
{
	const char *v;

	(void)k;
	if (get_string(ld, s, 0, &v) == -1)
		return -1;
	return pool_add(ld, v, &ld->cfg->history_tab);
}

/* snapshot_days: distinct days of the month, 1..31; [] for none. */
static int
key_snapshot_days(struct loader *ld, const config_setting_t *s, const struct key *k)
{
	const config_setting_t *el;
	size_t i, j, n;
	long long v;

	(void)k;
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return fail(ld, s, "snapshot_days: expected a list of days of the month: "
		    "[10, 20]");
	n = (size_t)config_setting_length(s);
	if (n > CONFIG_MAX_SNAPSHOT_DAYS)
		return fail(ld, s, "snapshot_days: more than %d entries",
		    CONFIG_MAX_SNAPSHOT_DAYS);
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(el) != CONFIG_TYPE_INT &&
		    config_setting_type(el) != CONFIG_TYPE_INT64)
			return fail(ld, el, "snapshot_days: entry %zu is not a whole number",
			    i + 1);
		v = config_setting_get_int64(el);
		if (v < 1 || v > 31)
			return fail(ld, el, "snapshot_days: %lld is not a day of the month "
			    "(1 to 31)", v);
		for (j = 0; j < i; j++)
			if (ld->cfg->snapshot_days[j] == (int)v)
				return fail(ld, el, "snapshot_days: %lld is listed twice", v);
		ld->cfg->snapshot_days[i] = (int)v;
	}
	ld->cfg->nsnapshot_days = n;
	return 0;
}

int
config_mail_address_ok(const char *s)
{
	const char *at, *p;

	if (s == NULL || strlen(s) > CONFIG_MAX_ADDRESS || (at = strrchr(s, '@')) == NULL ||
	    at == s || at[1] == '\0')
		return 0;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '<' || *p == '>' ||
		    *p == '(' || *p == ')' || *p == ',' || *p == ';' || *p == '"' ||
		    *p == '\\' || (*p == '@' && p != at))
			return 0;
	if (at[1] == '.' || p[-1] == '.' || strstr(at, "..") != NULL)
		return 0;
	return strchr(at + 1, '.') != NULL || strcmp(at + 1, "localhost") == 0;
}

/* mail.url: smtps:// (TLS from the start) or smtp:// (STARTTLS required). */
static int
mail_url(struct loader *ld, const config_setting_t *s, const char **out)
{
	const char *v, *host, *p;

	if (get_string(ld, s, 1, &v) == -1)
		return -1;
	if (strncmp(v, "smtps://", 8) == 0)
		host = v + 8;
	else if (strncmp(v, "smtp://", 7) == 0)
		host = v + 7;
	else
		return fail(ld, s, "mail.url: \"%s\" is not an smtps:// or smtp:// URL", v);
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == '?' || *p == '#')
			return fail(ld, s, "mail.url: \"%s\" holds white space, '?' or '#'", v);
	if (memchr(host, '@', strcspn(host, "/")) != NULL)
		return fail(ld, s, "mail.url: put the login in mail.user and "
		    "mail.password_file, not in the URL");
	if (host[0] == '\0' || host[0] == '/' || host[0] == ':')
		return fail(ld, s, "mail.url: \"%s\" has no host", v);
	return pool_add(ld, v, out);
}

static int
mail_address(struct loader *ld, const config_setting_t *s, const char *what,
    const char **out)
{
	const char *v;

	if (get_string(ld, s, 1, &v) == -1)
		return -1;
	if (!config_mail_address_ok(v))
		return fail(ld, s, "mail.%s: \"%s\" is not an e-mail address "
		    "(write it as name@example.org)", what, v);
	return pool_add(ld, v, out);
}

/* The `mail` group: url, from, to required; user, password_file, day optional. */
static int
key_mail(struct loader *ld, const config_setting_t *g, const struct key *k)
{
	struct config_mail *m = &ld->cfg->mail;
	const config_setting_t *s, *el;
	const char *v;
	long long day = 20;
	size_t i, j, n;
	int cnt;

	(void)k;
	if (!config_setting_is_group(g))
		return fail(ld, g, "mail: expected a group: mail = { url = \"smtps://...\"; "
		    "from = \"...\"; to = [ \"...\" ]; };");
	cnt = config_setting_length(g);
	for (i = 0; i < (size_t)cnt; i++) {
		s = config_setting_get_elem(g, (unsigned)i);
		v = config_setting_name(s);
		if (strcmp(v, "url") == 0) {
			if (mail_url(ld, s, &m->url) == -1)
				return -1;
		} else if (strcmp(v, "from") == 0) {
			if (mail_address(ld, s, "from", &m->from) == -1)
				return -1;
		} else if (strcmp(v, "to") == 0) {
			if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
				if (config_setting_type(s) != CONFIG_TYPE_STRING)
					return fail(ld, s, "mail.to: expected a list of "
					    "addresses: [ \"a@example.org\", ... ]");
				if (mail_address(ld, s, "to", &m->to[0]) == -1)
					return -1;
				m->nto = 1;
				continue;
			}
			n = (size_t)config_setting_length(s);
			if (n > CONFIG_MAX_MAIL_TO)
				return fail(ld, s, "mail.to: more than %d addresses",
				    CONFIG_MAX_MAIL_TO);
			for (j = 0; j < n; j++) {
				el = config_setting_get_elem(s, (unsigned)j);
				if (mail_address(ld, el, "to", &m->to[j]) == -1)
					return -1;
			}
			m->nto = n;
		} else if (strcmp(v, "user") == 0) {
			const char *u;

			if (get_string(ld, s, 0, &u) == -1)
				return -1;
			if (strpbrk(u, "\r\n") != NULL)
				return fail(ld, s, "mail.user: must not hold a line break");
			if (pool_add(ld, u, &m->user) == -1)
				return -1;
		} else if (strcmp(v, "password_file") == 0) {
			const char *pf;

			if (get_string(ld, s, 0, &pf) == -1)
				return -1;
			if (pf[0] != '\0' && pf[0] != '/')
				return fail(ld, s, "mail.password_file: \"%s\" is not an "
				    "absolute path", pf);
			if (pool_add(ld, pf, &m->password_file) == -1)
				return -1;
		} else if (strcmp(v, "day") == 0) {
			if (get_int(ld, s, 1, 31, &day) == -1)
				return -1;
			m->day = (long)day;
		} else
			return fail(ld, s, "mail: unknown key '%s' (url, from, to, user, "
			    "password_file, day)", v);
	}
	if (m->url[0] == '\0')
		return fail(ld, g, "mail: url is required");
	if (m->from[0] == '\0')
		return fail(ld, g, "mail: from is required");
	if (m->nto == 0)
		return fail(ld, g, "mail: to needs at least one address");
	if (m->password_file[0] != '\0' && m->user[0] == '\0')
		return fail(ld, g, "mail: password_file is set but user is not");
	m->enabled = 1;
	return 0;
}

#define OFF(m)	offsetof(struct config, m)
#define ROFF(m)	offsetof(struct config, rules.m)

/* report.at: "HH:MM", Asia/Bangkok. */
static int
report_at(struct loader *ld, const config_setting_t *s)
{
	const char *v;
	int h, m;

	if (get_string(ld, s, 1, &v) == -1)
		return -1;
	if (strlen(v) != 5 || v[2] != ':' || v[0] < '0' || v[0] > '9' || v[1] < '0' ||
	    v[1] > '9' || v[3] < '0' || v[3] > '9' || v[4] < '0' || v[4] > '9')
		return fail(ld, s, "report.at: \"%s\" is not a time written HH:MM "
		    "(Asia/Bangkok)", v);
	h = (v[0] - '0') * 10 + (v[1] - '0');
	m = (v[3] - '0') * 10 + (v[4] - '0');
	if (h > 23 || m > 59)
		return fail(ld, s, "report.at: \"%s\" is not a time of day", v);
	ld->cfg->report_at = h * 60 + m;
	return 0;
}

/* report.line_to: a LINE id goes into a URL path: letters and digits only. */
static int
report_line_to(struct loader *ld, const config_setting_t *s)
{
	const char *v, *p;

	if (get_string(ld, s, 1, &v) == -1)
		return -1;
	if (strlen(v) > 64)
		return fail(ld, s, "report.line_to: longer than 64 characters");
	for (p = v; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9')))
			return fail(ld, s, "report.line_to: \"%s\" is not a LINE group id "
			    "(letters and digits, like C0123456789abcdef0123456789abcdef)", v);
	return set_owned(ld, &ld->cfg->report_line_to, v);
}

/*
 * key_report: the `report` group (issue 14).  at defaults to "08:30",
 * line_url to https://api.line.me, webhook_url to none; line_to and
 * line_token_file are required.  The token file itself is read by the
 * daemon and by -t (syncd/line), never here.
 */
static int
key_report(struct loader *ld, const config_setting_t *s, const struct key *k)
{
	static const struct key line_url = { "report.line_url", key_url,
	    OFF(report_line_url), 0, 0, 0 };
	static const struct key webhook_url = { "report.webhook_url", key_url,
	    OFF(report_webhook_url), 0, 1, 0 };
	static const struct key token_file = { "report.line_token_file", key_path,
	    OFF(report_line_token_file), 0, 0, 0 };
	const config_setting_t *m;
	const char *name, *v;
	unsigned i, n;
	int rc;

	(void)k;
	if (!config_setting_is_group(s))
		return fail(ld, s, "report: expected a group: report = { at = \"08:30\"; "
		    "line_to = \"C...\"; line_token_file = \"/etc/syncd/line-token\"; };");
	n = (unsigned)config_setting_length(s);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(s, i);
		name = config_setting_name(m);
		if (strcmp(name, "at") == 0)
			rc = report_at(ld, m);
		else if (strcmp(name, "line_to") == 0)
			rc = report_line_to(ld, m);
		else if (strcmp(name, "line_token_file") == 0)
			rc = key_path(ld, m, &token_file);
		else if (strcmp(name, "line_url") == 0)
			rc = key_url(ld, m, &line_url);
		else if (strcmp(name, "webhook_url") == 0) {
			if (get_string(ld, m, 0, &v) == -1)
				return -1;
			rc = v[0] == '\0' ? set_owned(ld, &ld->cfg->report_webhook_url, "") :
			    key_url(ld, m, &webhook_url);
		} else
			return fail(ld, m, "unknown key 'report.%s' (report has at, line_to, "
			    "line_token_file, line_url, webhook_url)", name);
		if (rc == -1)
			return -1;
	}
	if (ld->cfg->report_line_to[0] == '\0')
		return fail(ld, s, "report.line_to is required (the LINE group's id)");
	if (ld->cfg->report_line_token_file[0] == '\0')
		return fail(ld, s, "report.line_token_file is required (the channel "
		    "access token's file)");
	ld->cfg->report_on = 1;
	return 0;
}

/*
 * key_rollup: rollup = { sources = ( { spreadsheet_id = "..."; province =
 * "..."; summary_tab = "..."; }, ... ); };  At least one source, at most
 * CONFIG_MAX_SOURCES, no spreadsheet twice; summary_tab defaults to
 * "สรุปข้อมูล".
 */
static int
key_rollup(struct loader *ld, const config_setting_t *s, const struct key *k)
{
	static const struct key id_key = { "rollup.sources.spreadsheet_id",
	    key_spreadsheet_id, OFF(spreadsheet_id), 0, 0, 0 };
	const config_setting_t *src, *g, *m;
	struct config_source *cs;
	const char *name, *v;
	char *saved;
	unsigned i, j, n;

	(void)k;
	if (!config_setting_is_group(s))
		return fail(ld, s, "rollup: expected a group: rollup = { sources = "
		    "( { spreadsheet_id = \"...\"; province = \"...\"; } ); };");
	n = (unsigned)config_setting_length(s);
	src = NULL;
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(s, i);
		if (strcmp(config_setting_name(m), "sources") != 0)
			return fail(ld, m, "unknown key 'rollup.%s' (rollup has sources)",
			    config_setting_name(m));
		src = m;
	}
	if (src == NULL)
		return fail(ld, s, "rollup.sources is required");
	if (!config_setting_is_list(src))
		return fail(ld, src, "rollup.sources: expected a list of groups: "
		    "( { spreadsheet_id = \"...\"; province = \"...\"; }, ... )");
	n = (unsigned)config_setting_length(src);
	if (n == 0)
		return fail(ld, src, "rollup.sources: the list is empty");
	if (n > CONFIG_MAX_SOURCES)
		return fail(ld, src, "rollup.sources: more than %d sources", CONFIG_MAX_SOURCES);
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(src, i);
		cs = &ld->cfg->rollup[i];
		memset(cs, 0, sizeof(*cs));
		if (!config_setting_is_group(g))
			return fail(ld, g, "rollup.sources: each source is a group "
			    "{ spreadsheet_id = \"...\"; province = \"...\"; }");
		for (j = 0; j < (unsigned)config_setting_length(g); j++) {
			m = config_setting_get_elem(g, j);
			name = config_setting_name(m);
			if (strcmp(name, "spreadsheet_id") == 0) {
				/* Checked as the top-level id is, then pooled. */
				saved = ld->cfg->spreadsheet_id;
				ld->cfg->spreadsheet_id = NULL;
				if (key_spreadsheet_id(ld, m, &id_key) == -1) {
					free(ld->cfg->spreadsheet_id);
					ld->cfg->spreadsheet_id = saved;
					return -1;
				}
				v = ld->cfg->spreadsheet_id;
				if (pool_add(ld, v, &cs->spreadsheet_id) == -1) {
					free(ld->cfg->spreadsheet_id);
					ld->cfg->spreadsheet_id = saved;
					return -1;
				}
				free(ld->cfg->spreadsheet_id);
				ld->cfg->spreadsheet_id = saved;
			} else if (strcmp(name, "province") == 0) {
				if (get_string(ld, m, 1, &v) == -1 ||
				    pool_add(ld, v, &cs->province) == -1)
					return -1;
			} else if (strcmp(name, "summary_tab") == 0) {
				if (get_string(ld, m, 1, &v) == -1 ||
				    pool_add(ld, v, &cs->summary_tab) == -1)
					return -1;
			} else
				return fail(ld, m, "unknown key 'rollup.sources.%s' (a source "
				    "has spreadsheet_id, province, summary_tab)", name);
		}
		if (cs->spreadsheet_id == NULL)
			return fail(ld, g, "rollup.sources: a source without "
			    "spreadsheet_id");
		if (cs->province == NULL)
			return fail(ld, g, "rollup.sources: source \"%s\" has no "
			    "province = \"...\"", cs->spreadsheet_id);
		if (cs->summary_tab == NULL)
			cs->summary_tab = "สรุปข้อมูล";
		for (j = 0; j < i; j++)
			if (strcmp(ld->cfg->rollup[j].spreadsheet_id, cs->spreadsheet_id) == 0)
				return fail(ld, g, "rollup.sources: spreadsheet \"%s\" "
				    "appears twice", cs->spreadsheet_id);
		ld->cfg->nrollup = i + 1;
	}
	return 0;
}

/* Every top-level key the file may hold. */
static const struct key keys[] = {
	{ "spreadsheet_id", key_spreadsheet_id, OFF(spreadsheet_id), 0, 0, 0 },
	{ "key_file", key_path, OFF(key_file), 0, 0, 0 },
	{ "sheets_url", key_url, OFF(sheets_url), 0, 0, 0 },
	{ "drive_url", key_url, OFF(drive_url), 0, 0, 0 },
	{ "ca_file", key_path_opt, OFF(ca_file), 0, 0, 0 },
	{ "state_dir", key_path, OFF(state_dir), 0, 0, 0 },
	{ "audit_log", key_path, OFF(audit_log), 0, 0, 0 },
	{ "metrics_dir", key_path_opt, OFF(metrics_dir), 0, 0, 0 },
	{ "audit_rotate_bytes", key_long, OFF(audit_rotate_bytes), 0, 0, 2147483647 },
	{ "poll_interval", key_long, OFF(poll_interval), 0, 5, 86400 },
	{ "full_read_every", key_long, OFF(full_read_every), 0, 1, 1000000 },
	{ "connect_timeout", key_long, OFF(connect_timeout), 0, 1, 300 },
	{ "request_timeout", key_long, OFF(request_timeout), 0, 1, 3600 },
	{ "retry_budget", key_long, OFF(retry_budget), 0, 0, 86400 },
	{ "annotate_districts", key_bool, OFF(annotate_districts), 0, 0, 0 },
	{ "report", key_report, 0, 0, 0, 0 },
	{ "rollup", key_rollup, 0, 0, 0, 0 },
	{ "read_quota_per_minute", key_long, OFF(read_quota_per_minute), 0, 1, 10000 },
	{ "write_quota_per_minute", key_long, OFF(write_quota_per_minute), 0, 1, 10000 },
	{ "columns", key_columns, 0, 0, 0, 0 },
	{ "marks_set", key_marks, ROFF(marks_set), ROFF(nmarks_set), 1, RULES_MAX_MARKS },
	{ "marks_empty", key_marks, ROFF(marks_empty), ROFF(nmarks_empty), 0,
	    RULES_MAX_MARKS },
	{ "fiscal_year_start", key_date, ROFF(fiscal_year_start), 0, 0, 0 },
	{ "classification_deadline", key_date, ROFF(classification_deadline), 0, 0, 0 },
	{ "activity_deadline", key_date, ROFF(activity_deadline), 0, 0, 0 },
	{ "district_minimum", key_long, ROFF(district_minimum), 0, 0, 1000000 },
	{ "province_minimum", key_long, ROFF(province_minimum), 0, 0, 100000000 },
	{ "income_floor", key_double, ROFF(income_floor), 0, 0, 1000000000 },
	{ "heading_row", key_u32, ROFF(heading_row), 0, 1, 1000 },
	{ "districts", key_strlist, ROFF(districts), ROFF(ndistricts), 0, RULES_MAX_DISTRICTS },
	{ "summary_tab", key_rstring, ROFF(summary_tab), 0, 0, 0 },
	{ "discrepancy_tab", key_rstring, ROFF(discrepancy_tab), 0, 0, 0 },
	{ "total_label", key_rstring, ROFF(total_label), 0, 0, 0 },
	{ "history_tab", key_history_tab, 0, 0, 0, 0 },
	{ "snapshot_days", key_snapshot_days, 0, 0, 0, 0 },
	{ "mail", key_mail, 0, 0, 0, 0 },
};

/*
 * prescan(ld, t, n): refuse what libconfig 1.5 would mishandle: @include,
 * integers too large for 32 bits (silently truncated), nesting deeper than
 * CONFIG_MAX_DEPTH, and a string where the grammar cannot take one (its
 * parser then leaks the string: say `"x" = 1;` or `a = 1 "x";`).  A tiny
 * lexer: comments (#, //, / * * /) and strings are skipped so their text is
 * not mistaken for either.  A string may follow '=', ':', '(', '[', another
 * string (concatenation), or ',' inside a list or an array.
 */
static int
prescan(struct loader *ld, const char *t, size_t n)
{
	struct config_setting_t fake;
	char stack[CONFIG_MAX_DEPTH];
	size_t depth = 0;
	char prev = 0;		/* last token: its punctuation, 's' string, 'o' other */
	unsigned line = 1;
	int bol = 1;
	size_t i = 0, j, k, digits;
	int hex, flt, ell;
	unsigned long long v;

	memset(&fake, 0, sizeof(fake));
	while (i < n) {
		char c = t[i];

		if (c == '\n') {
			line++;
			bol = 1;
			i++;
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
			i++;
		} else if (c == '#' || (c == '/' && i + 1 < n && t[i + 1] == '/')) {
			while (i < n && t[i] != '\n')
				i++;
		} else if (c == '/' && i + 1 < n && t[i + 1] == '*') {
			for (i += 2; i < n && !(t[i] == '*' && i + 1 < n && t[i + 1] == '/'); i++)
				if (t[i] == '\n')
					line++;
			i += 2;
			bol = 0;
		} else if (c == '"') {
			fake.line = line;
			if (!(prev == '=' || prev == ':' || prev == '(' || prev == '[' ||
			    prev == 's' || (prev == ',' && depth > 0 &&
			    stack[depth - 1] != '{')))
				return fail(ld, &fake, "syntax error: a string where no "
				    "value belongs");
			prev = 's';
			for (i++; i < n && t[i] != '"'; i++) {
				if (t[i] == '\\' && i + 1 < n)
					i++;
				if (t[i] == '\n')
					line++;
			}
			i++;
			bol = 0;
		} else if (c == '@') {
			fake.line = line;
			if (bol && n - i >= 8 && memcmp(t + i, "@include", 8) == 0)
				return fail(ld, &fake, "@include is not allowed: keep the "
				    "whole configuration in one file");
			i++;
			bol = 0;
			prev = 'o';
		} else if (c >= '0' && c <= '9') {
			/* A number: digits, letters (hex, L), '.', and a sign after e/E. */
			hex = (c == '0' && i + 1 < n && (t[i + 1] == 'x' || t[i + 1] == 'X'));
			for (j = i; j < n; j++) {
				char d = t[j];

				if ((d >= '0' && d <= '9') || (d >= 'a' && d <= 'z') ||
				    (d >= 'A' && d <= 'Z') || d == '.')
					continue;
				if ((d == '+' || d == '-') && !hex && j > i &&
				    (t[j - 1] == 'e' || t[j - 1] == 'E'))
					continue;
				break;
			}
			flt = 0;
			ell = 0;
			digits = 0;
			v = 0;
			for (k = i + (hex ? 2 : 0); k < j; k++) {
				char d = t[k];

				if (d == 'L')
					ell = 1;
				else if (!hex && (d == '.' || d == 'e' || d == 'E'))
					flt = 1;
				else if (!ell) {
					digits++;
					if (v <= ULLONG_MAX / 16)
						v = v * (hex ? 16 : 10) + (unsigned)(d <= '9' ?
						    d - '0' : (d | 0x20) - 'a' + 10);
					else
						v = ULLONG_MAX;
				}
			}
			fake.line = line;
			if (!flt && !ell && (digits > 10 || v > (hex ? 0xffffffffULL :
			    (unsigned long long)INT_MAX)))
				return fail(ld, &fake, "the number %.*s is too large",
				    (int)(j - i), t + i);
			if (!flt && ell && (digits > (hex ? 16u : 19u) || v > LLONG_MAX))
				return fail(ld, &fake, "the number %.*s is too large",
				    (int)(j - i), t + i);
			i = j;
			bol = 0;
			prev = 'o';
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		    c == '*') {
			while (i < n && ((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' &&
			    t[i] <= 'Z') || (t[i] >= '0' && t[i] <= '9') || t[i] == '_' ||
			    t[i] == '-' || t[i] == '*'))
				i++;
			bol = 0;
			prev = 'o';
		} else {
			if (c == '{' || c == '(' || c == '[') {
				fake.line = line;
				if (depth == CONFIG_MAX_DEPTH)
					return fail(ld, &fake, "nested more than %d deep",
					    CONFIG_MAX_DEPTH);
				stack[depth++] = c;
			} else if ((c == '}' || c == ')' || c == ']') && depth > 0)
				depth--;
			prev = strchr("=:([,;{})]", c) != NULL ? c : 'o';
			i++;
			bol = 0;
		}
	}
	return 0;
}

/* setting_line(root, name): the setting if present (for cross-key errors). */
static const config_setting_t *
member(const config_setting_t *root, const char *name)
{
	return config_setting_get_member(root, name);
}

/* cross_checks(ld, root, flags): what involves more than one key. */
static int
cross_checks(struct loader *ld, const config_setting_t *root, int flags)
{
	struct config *cfg = ld->cfg;
	struct rules_config *rc = &cfg->rules;
	const config_setting_t *s;
	size_t i, j;

	if (!(flags & CONFIG_NO_CREDENTIALS)) {
		if (cfg->spreadsheet_id[0] == '\0')
			return fail(ld, NULL, "spreadsheet_id is required");
		if (cfg->key_file[0] == '\0')
			return fail(ld, NULL, "key_file is required");
	}
	if (rc->classification_deadline < rc->fiscal_year_start) {
		s = member(root, "classification_deadline");
		return fail(ld, s != NULL ? s : member(root, "fiscal_year_start"),
		    "classification_deadline is before fiscal_year_start");
	}
	if (rc->activity_deadline < rc->classification_deadline) {
		s = member(root, "activity_deadline");
		return fail(ld, s != NULL ? s : member(root, "classification_deadline"),
		    "activity_deadline is before classification_deadline");
	}
	if (strcmp(rc->summary_tab, rc->discrepancy_tab) == 0) {
		s = member(root, "discrepancy_tab");
		return fail(ld, s != NULL ? s : member(root, "summary_tab"),
		    "summary_tab and discrepancy_tab are the same tab");
	}
	for (i = 0; i < rc->ndistricts; i++)
		if (strcmp(rc->districts[i], rc->summary_tab) == 0 ||
		    strcmp(rc->districts[i], rc->discrepancy_tab) == 0)
			return fail(ld, member(root, "districts"), "districts: \"%s\" is "
			    "the summary or discrepancy tab", rc->districts[i]);
	for (i = 0; i < rc->nmarks_set; i++)
		for (j = 0; j < rc->nmarks_empty; j++)
			if (marks_same(rc->marks_set[i], rc->marks_empty[j])) {
				s = member(root, "marks_empty");
				return fail(ld, s != NULL ? s : member(root, "marks_set"),
				    "\"%s\" is in both marks_set and marks_empty",
				    rc->marks_set[i]);
			}
	if (cfg->history_tab[0] != '\0' && (strcmp(cfg->history_tab, rc->summary_tab) == 0 ||
	    strcmp(cfg->history_tab, rc->discrepancy_tab) == 0))
		return fail(ld, member(root, "history_tab"), "history_tab: \"%s\" is the "
		    "summary or discrepancy tab", cfg->history_tab);
	for (i = 0; cfg->history_tab[0] != '\0' && i < rc->ndistricts; i++)
		if (strcmp(rc->districts[i], cfg->history_tab) == 0)
			return fail(ld, member(root, "history_tab"), "history_tab: \"%s\" "
			    "is a district", cfg->history_tab);
	if (cfg->state_dir[0] == '\0' || cfg->audit_log[0] == '\0')
		return fail(ld, NULL, "state_dir and audit_log must be set");
	return 0;
}

/* defaults(ld): fill ld->cfg with every default (DOMAIN.md and DESIGN.md). */
static int
defaults(struct loader *ld)
{
	static const struct {
		size_t off;
		const char *v;
	} strs[] = {
		{ OFF(spreadsheet_id), "" },
		{ OFF(key_file), "" },
		{ OFF(sheets_url), "https://sheets.googleapis.com" },
		{ OFF(drive_url), "https://www.googleapis.com" },
		{ OFF(ca_file), "" },
		{ OFF(state_dir), "/var/lib/syncd" },
		{ OFF(audit_log), "/var/lib/syncd/audit.jsonl" },
		{ OFF(metrics_dir), "" },
		{ OFF(report_line_to), "" },
		{ OFF(report_line_token_file), "" },
		{ OFF(report_line_url), "https://api.line.me" },
		{ OFF(report_webhook_url), "" },
	};
	struct config *cfg = ld->cfg;
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (set_owned(ld, (char **)(void *)((char *)cfg + strs[i].off),
		    strs[i].v) == -1)
			return -1;
	cfg->poll_interval = 60;
	cfg->full_read_every = 60;
	cfg->annotate_districts = 1;
	cfg->read_quota_per_minute = 60;
	cfg->write_quota_per_minute = 60;
	cfg->connect_timeout = 10;
	cfg->request_timeout = 60;
	cfg->retry_budget = 120;
	cfg->audit_rotate_bytes = CONFIG_AUDIT_ROTATE_BYTES;
	cfg->report_at = 8 * 60 + 30;
	cfg->history_tab = "ความก้าวหน้า";
	cfg->snapshot_days[0] = 10;
	cfg->snapshot_days[1] = 20;
	cfg->nsnapshot_days = 2;
	cfg->mail.url = cfg->mail.from = cfg->mail.user = cfg->mail.password_file = "";
	cfg->mail.day = 20;
	rules_config_default(&cfg->rules);
	cfg->rules.history_tab = cfg->history_tab;
	return 0;
}

static struct config *
new_config(struct loader *ld, const char *name)
{
	struct config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL) {
		nomem(ld);
		return NULL;
	}
	ld->cfg = cfg;
	if ((cfg->path = strdup(name)) == NULL || defaults(ld) == -1) {
		nomem(ld);
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct config *
config_new_default(struct err *e)
{
	struct loader ld = { "(built-in defaults)", NULL, e };

	return new_config(&ld, ld.name);
}

struct config *
config_load_cli(const char *path, int flags, struct err *e)
{
	struct stat st;

	if (path != NULL && stat(path, &st) == -1 && errno == ENOENT) {
		err_set(e, ERR_NOINPUT, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (path != NULL)
		return config_load(path, flags, e);
	if ((flags & CONFIG_NO_CREDENTIALS) && stat(CONFIG_DEFAULT_PATH, &st) == -1 &&
	    errno == ENOENT)
		return config_new_default(e);
	return config_load(CONFIG_DEFAULT_PATH, flags, e);
}

struct config *
config_load_string(const char *text, size_t len, const char *name, int flags,
    struct err *e)
{
	struct loader ld = { name, NULL, e };
	config_t lc;
	const config_setting_t *root, *s;
	const char *nul;
	char *buf = NULL;
	struct config *cfg;
	size_t i, k;
	int n;

	if (len > CONFIG_MAX_FILE) {
		fail(&ld, NULL, "larger than %d bytes", CONFIG_MAX_FILE);
		return NULL;
	}
	if ((nul = memchr(text, '\0', len)) != NULL) {
		struct config_setting_t fake;

		memset(&fake, 0, sizeof(fake));
		fake.line = 1;
		for (i = 0; text + i < nul; i++)
			fake.line += text[i] == '\n';
		fail(&ld, &fake, "a NUL byte: this is not a text file");
		return NULL;
	}
	if (prescan(&ld, text, len) == -1)
		return NULL;
	if ((cfg = new_config(&ld, name)) == NULL)
		return NULL;
	if ((buf = malloc(len + 1)) == NULL) {
		nomem(&ld);
		config_free(cfg);
		return NULL;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	config_init(&lc);
	if (config_read_string(&lc, buf) != CONFIG_TRUE) {
		err_set(e, ERR_CONFIG, "%s:%d: %s", name, config_error_line(&lc),
		    config_error_text(&lc) != NULL ? config_error_text(&lc) : "syntax error");
		goto err;
	}
	root = config_root_setting(&lc);
	n = config_setting_length(root);
	for (i = 0; i < (size_t)n; i++) {
		s = config_setting_get_elem(root, (unsigned)i);
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strcmp(config_setting_name(s), keys[k].name) == 0)
				break;
		if (k == sizeof(keys) / sizeof(keys[0])) {
			fail(&ld, s, "unknown key '%s'", config_setting_name(s));
			goto err;
		}
		if (keys[k].fn(&ld, s, &keys[k]) == -1)
			goto err;
	}
	cfg->rules.history_tab = cfg->history_tab;
	if (cross_checks(&ld, root, flags) == -1)
		goto err;
	config_destroy(&lc);
	free(buf);
	return cfg;
err:
	config_destroy(&lc);
	free(buf);
	config_free(cfg);
	return NULL;
}

struct config *
config_load(const char *path, int flags, struct err *e)
{
	struct config *cfg;
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t r;
	int fd;

	/* O_NONBLOCK: a FIFO is refused below, not waited on (no effect on a regular file). */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) == -1) {
		err_set(e, ERR_CONFIG, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		err_set(e, ERR_CONFIG, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_size > CONFIG_MAX_FILE) {
		err_set(e, ERR_CONFIG, "%s: larger than %d bytes", path, CONFIG_MAX_FILE);
		close(fd);
		return NULL;
	}
	if ((buf = malloc(CONFIG_MAX_FILE + 1)) == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	/* Read to the end (up to the cap + 1, which proves the file grew). */
	while (len <= CONFIG_MAX_FILE) {
		r = read(fd, buf + len, CONFIG_MAX_FILE + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			err_set(e, ERR_CONFIG, "%s: cannot read: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	cfg = config_load_string(buf, len, path, flags, e);
	free(buf);
	return cfg;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->spreadsheet_id);
	free(cfg->key_file);
	free(cfg->sheets_url);
	free(cfg->drive_url);
	free(cfg->ca_file);
	free(cfg->state_dir);
	free(cfg->audit_log);
	free(cfg->metrics_dir);
	free(cfg->report_line_to);
	free(cfg->report_line_token_file);
	free(cfg->report_line_url);
	free(cfg->report_webhook_url);
	for (i = 0; i < cfg->npool; i++)
		free(cfg->pool[i]);
	free(cfg->pool);
	free(cfg);
}
