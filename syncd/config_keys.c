/*
 * config_keys: the top-level keys of syncd's configuration file (the table
 * at the end) and the handlers of their plain values.  Each handler checks
 * one setting and stores it where its table row says; a key not in the
 * table is an error with its line, so a typo never passes silently.
 * Nothing here logs or exits.
 */
#include "syncd/config_keys.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "syncd/config_columns.h"
#include "syncd/config_groups.h"

#define ID_MAX		256	/* bytes of a spreadsheet id */
#define MARK_MAX	32	/* bytes of one accepted mark spelling */

/* slot(ld, off): where the value at offset off of the configuration goes. */
static void *
slot(struct config_loader *ld, size_t off)
{
	return (char *)ld->cfg + off;
}

/* slot_str(ld, k): k's value, an owned string of struct config. */
static char **
slot_str(struct config_loader *ld, const struct config_key *k)
{
	return slot(ld, k->off);
}

/*
 * spreadsheet_id: it goes into URL paths, so only URL's unreserved alphabet
 * (letters, digits, - . _ ~: DESIGN.md's own example is "1AbC..."), and not
 * "." or "..", which a URL path would read as a dot-segment.
 */
int
config_keys_spreadsheet_id(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k)
{
	const char *v, *p;

	if (config_value_string(ld, s, 1, &v) == -1)
		return -1;
	if (strlen(v) > ID_MAX)
		return config_value_fail(ld, s, "spreadsheet_id: longer than %d characters",
		    ID_MAX);
	for (p = v; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.' || *p == '~'))
			return config_value_fail(ld, s, "spreadsheet_id: \"%s\" holds a "
			    "character other than letters, digits, '-', '.', '_' and '~'", v);
	if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
		return config_value_fail(ld, s, "spreadsheet_id: \"%s\" is not an id", v);
	return config_value_own(ld, slot_str(ld, k), v);
}

/*
 * URLs: https:// always; http:// only to this host (the emulator in tests),
 * because a bearer token must never cross a network in the clear.  No user
 * information, no white space; a trailing slash is dropped.  A query is
 * refused unless k->lo is 1 (a webhook's URL carries its key there).
 */
int
config_keys_url(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k)
{
	static const char *const local[] = { "127.0.0.1", "localhost", "[::1]" };
	const char *v, *host, *p;
	size_t hlen, i, n;
	char *c;
	int ok;

	if (config_value_string(ld, s, 1, &v) == -1)
		return -1;
	if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else
		return config_value_fail(ld, s, "%s: \"%s\" is not an https:// URL", k->name,
		    v);
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (*p == '?' && k->lo == 0) || *p == '#')
			return config_value_fail(ld, s, "%s: \"%s\" holds white space, '?' or "
			    "'#'", k->name, v);
	hlen = strcspn(host, "/");
	if (memchr(host, '@', hlen) != NULL)
		return config_value_fail(ld, s, "%s: user information in a URL is not allowed",
		    k->name);
	if (hlen == 0 || host[0] == ':')
		return config_value_fail(ld, s, "%s: \"%s\" has no host", k->name, v);
	if (host == v + 7) {
		ok = 0;
		for (i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
			n = strlen(local[i]);
			if (strncmp(host, local[i], n) == 0 &&
			    (host[n] == '\0' || host[n] == ':' || host[n] == '/'))
				ok = 1;
		}
		if (!ok)
			return config_value_fail(ld, s, "%s: \"%s\": plain http:// is allowed "
			    "only to 127.0.0.1, localhost or [::1]; use https://", k->name, v);
	}
	if (config_value_own(ld, slot_str(ld, k), v) == -1)
		return -1;
	c = *slot_str(ld, k);
	n = strlen(c);
	while (n > (size_t)(host - v) + hlen && c[n - 1] == '/')
		c[--n] = '\0';
	return 0;
}

/* An absolute path (required); key_path_opt also takes "" (unset). */
static int
path_common(struct config_loader *ld, const config_setting_t *s, const struct config_key *k,
    int opt)
{
	const char *v;

	if (config_value_string(ld, s, !opt, &v) == -1)
		return -1;
	if (v[0] != '\0' && v[0] != '/')
		return config_value_fail(ld, s, "%s: \"%s\" is not an absolute path", k->name,
		    v);
	if (strpbrk(v, "\t\r\n") != NULL)
		return config_value_fail(ld, s, "%s: a path must not hold a tab or line break",
		    k->name);
	return config_value_own(ld, slot_str(ld, k), v);
}

int
config_keys_path(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k)
{
	return path_common(ld, s, k, 0);
}

static int
key_path_opt(struct config_loader *ld, const config_setting_t *s, const struct config_key *k)
{
	return path_common(ld, s, k, 1);
}

static int
key_long(struct config_loader *ld, const config_setting_t *s, const struct config_key *k)
{
	long long v = 0;

	if (config_value_int(ld, s, k->lo, k->hi, &v) == -1)
		return -1;
	*(long *)slot(ld, k->off) = (long)v;
	return 0;
}

static int
key_bool(struct config_loader *ld, const config_setting_t *s, const struct config_key *k)
{
	return config_value_bool(ld, s, (int *)slot(ld, k->off));
}

static int
key_u32(struct config_loader *ld, const config_setting_t *s, const struct config_key *k)
{
	long long v = 0;

	if (config_value_int(ld, s, k->lo, k->hi, &v) == -1)
		return -1;
	*(uint32_t *)slot(ld, k->off) = (uint32_t)v;
	return 0;
}

static int
key_double(struct config_loader *ld, const config_setting_t *s, const struct config_key *k)
{
	double v;

	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64)
		v = (double)config_setting_get_int64(s);
	else if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else
		return config_value_fail(ld, s, "%s: expected a number", k->name);
	if (!(v >= (double)k->lo && v <= (double)k->hi))
		return config_value_fail(ld, s, "%s: %g is out of range (%ld to %ld)", k->name,
		    v, k->lo, k->hi);
	*(double *)slot(ld, k->off) = v;
	return 0;
}

/* A date "YYYY-MM-DD" (CE) into an int32_t day number. */
static int
key_date(struct config_loader *ld, const config_setting_t *s, const struct config_key *k)
{
	const char *v;
	int32_t d;

	if (config_value_string(ld, s, 1, &v) == -1)
		return -1;
	if (strlen(v) != 10 || rules_parse_ymd(v, &d) == -1)
		return config_value_fail(ld, s, "%s: \"%s\" is not a date written "
		    "YYYY-MM-DD (Common Era year)", k->name, v);
	*(int32_t *)slot(ld, k->off) = d;
	return 0;
}

/* A rules string (tab names, labels): non-empty, pooled. */
static int
key_rstring(struct config_loader *ld, const config_setting_t *s, const struct config_key *k)
{
	const char *v;

	if (config_value_string(ld, s, 1, &v) == -1)
		return -1;
	return config_value_pool(ld, v, slot(ld, k->off));
}

static int
key_strlist(struct config_loader *ld, const config_setting_t *s, const struct config_key *k)
{
	const char **out = slot(ld, k->off);
	size_t *n = slot(ld, k->off2);

	if (config_value_strlist(ld, s, (size_t)k->hi, out, n) == -1)
		return -1;
	if (k->lo > 0 && *n < (size_t)k->lo)
		return config_value_fail(ld, s, "%s: needs at least %ld entry", k->name,
		    k->lo);
	return 0;
}

static int
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/*
 * config_keys_marks_same(a, b): would the rules engine read a and b as the
 * same mark?  It trims, ignores case and compares numbers by value ("1" is
 * "1.0").
 */
int
config_keys_marks_same(const char *a, const char *b)
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
key_marks(struct config_loader *ld, const config_setting_t *s, const struct config_key *k)
{
	const char **out = slot(ld, k->off);
	size_t *n = slot(ld, k->off2);
	size_t i, j;

	if (key_strlist(ld, s, k) == -1)
		return -1;
	for (i = 0; i < *n; i++) {
		if (strlen(out[i]) > MARK_MAX)
			return config_value_fail(ld, config_setting_get_elem(s, (unsigned)i),
			    "%s: \"%s\" is longer than %d bytes", k->name, out[i], MARK_MAX);
		if (strspn(out[i], " \t\r\n") == strlen(out[i]))
			return config_value_fail(ld, config_setting_get_elem(s, (unsigned)i),
			    "%s: a mark must not be blank", k->name);
		for (j = 0; j < i; j++)
			if (config_keys_marks_same(out[i], out[j]))
				return config_value_fail(ld,
				    config_setting_get_elem(s, (unsigned)i),
				    "%s: \"%s\" is the same mark as \"%s\" (case and "
				    "number spelling do not count)", k->name, out[i], out[j]);
	}
	return 0;
}

/* Every top-level key the file may hold. */
static const struct config_key keys[] = {
	{ "spreadsheet_id", config_keys_spreadsheet_id, CONFIG_OFF(spreadsheet_id), 0, 0,
	    0 },
	{ "key_file", config_keys_path, CONFIG_OFF(key_file), 0, 0, 0 },
	{ "sheets_url", config_keys_url, CONFIG_OFF(sheets_url), 0, 0, 0 },
	{ "drive_url", config_keys_url, CONFIG_OFF(drive_url), 0, 0, 0 },
	{ "ca_file", key_path_opt, CONFIG_OFF(ca_file), 0, 0, 0 },
	{ "state_dir", config_keys_path, CONFIG_OFF(state_dir), 0, 0, 0 },
	{ "audit_log", config_keys_path, CONFIG_OFF(audit_log), 0, 0, 0 },
	{ "metrics_dir", key_path_opt, CONFIG_OFF(metrics_dir), 0, 0, 0 },
	{ "audit_rotate_bytes", key_long, CONFIG_OFF(audit_rotate_bytes), 0, 0,
	    2147483647 },
	{ "poll_interval", key_long, CONFIG_OFF(poll_interval), 0, 5, 86400 },
	{ "full_read_every", key_long, CONFIG_OFF(full_read_every), 0, 1, 1000000 },
	{ "connect_timeout", key_long, CONFIG_OFF(connect_timeout), 0, 1, 300 },
	{ "request_timeout", key_long, CONFIG_OFF(request_timeout), 0, 1, 3600 },
	{ "retry_budget", key_long, CONFIG_OFF(retry_budget), 0, 0, 86400 },
	{ "annotate_districts", key_bool, CONFIG_OFF(annotate_districts), 0, 0, 0 },
	{ "report", config_groups_report, 0, 0, 0, 0 },
	{ "rollup", config_groups_rollup, 0, 0, 0, 0 },
	{ "read_quota_per_minute", key_long, CONFIG_OFF(read_quota_per_minute), 0, 1,
	    10000 },
	{ "write_quota_per_minute", key_long, CONFIG_OFF(write_quota_per_minute), 0, 1,
	    10000 },
	{ "columns", config_columns_read, 0, 0, 0, 0 },
	{ "marks_set", key_marks, CONFIG_ROFF(marks_set), CONFIG_ROFF(nmarks_set), 1,
	    RULES_MAX_MARKS },
	{ "marks_empty", key_marks, CONFIG_ROFF(marks_empty), CONFIG_ROFF(nmarks_empty), 0,
	    RULES_MAX_MARKS },
	{ "fiscal_year_start", key_date, CONFIG_ROFF(fiscal_year_start), 0, 0, 0 },
	{ "classification_deadline", key_date, CONFIG_ROFF(classification_deadline), 0, 0,
	    0 },
	{ "activity_deadline", key_date, CONFIG_ROFF(activity_deadline), 0, 0, 0 },
	{ "district_minimum", key_long, CONFIG_ROFF(district_minimum), 0, 0, 1000000 },
	{ "province_minimum", key_long, CONFIG_ROFF(province_minimum), 0, 0, 100000000 },
	{ "income_floor", key_double, CONFIG_ROFF(income_floor), 0, 0, 1000000000 },
	{ "heading_row", key_u32, CONFIG_ROFF(heading_row), 0, 1, 1000 },
	{ "districts", key_strlist, CONFIG_ROFF(districts), CONFIG_ROFF(ndistricts), 0,
	    RULES_MAX_DISTRICTS },
	{ "summary_tab", key_rstring, CONFIG_ROFF(summary_tab), 0, 0, 0 },
	{ "discrepancy_tab", key_rstring, CONFIG_ROFF(discrepancy_tab), 0, 0, 0 },
	{ "total_label", key_rstring, CONFIG_ROFF(total_label), 0, 0, 0 },
	{ "history_tab", config_groups_history_tab, 0, 0, 0, 0 },
	{ "snapshot_days", config_groups_snapshot_days, 0, 0, 0, 0 },
	{ "mail", config_groups_mail, 0, 0, 0, 0 },
};

int
config_keys_read(struct config_loader *ld, const config_setting_t *root)
{
	const config_setting_t *s;
	size_t i, k;
	int n;

	n = config_setting_length(root);
	for (i = 0; i < (size_t)n; i++) {
		s = config_setting_get_elem(root, (unsigned)i);
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			if (strcmp(config_setting_name(s), keys[k].name) == 0)
				break;
		if (k == sizeof(keys) / sizeof(keys[0]))
			return config_value_fail(ld, s, "unknown key '%s'",
			    config_setting_name(s));
		if (keys[k].fn(ld, s, &keys[k]) == -1)
			return -1;
	}
	return 0;
}
