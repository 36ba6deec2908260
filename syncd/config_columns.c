/*
 * config_columns: the `columns` list of syncd's configuration file, which
 * replaces DOMAIN.md's layout whole: each entry a group naming a logical
 * field, its heading and what it is (key, info, status, activity), checked
 * alone and then together (one key, one developable status, one date, no
 * field or heading twice).  Nothing here logs or exits.
 */
#include "syncd/config_columns.h"

#include <string.h>

#include "rules/rules.h"

#define FIELD_NAME_MAX	64	/* bytes of a logical field name */

/* The members a column group may have. */
static const char *const column_keys[] = {
	"field", "heading", "label", "role", "required", "date", "developable",
};

static int
has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* column_members(ld, g): g is a group holding only column_keys. */
static int
column_members(struct config_loader *ld, const config_setting_t *g)
{
	const config_setting_t *m;
	int i, j, n;

	if (!config_setting_is_group(g))
		return config_value_fail(ld, g, "columns: each entry must be a group "
		    "{ field = \"...\"; heading = \"...\"; }");
	n = config_setting_length(g);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(g, (unsigned)i);
		for (j = 0; j < (int)(sizeof(column_keys) / sizeof(column_keys[0])); j++)
			if (strcmp(config_setting_name(m), column_keys[j]) == 0)
				break;
		if (j == (int)(sizeof(column_keys) / sizeof(column_keys[0])))
			return config_value_fail(ld, m, "columns: unknown key '%s' (known: field, "
			    "heading, label, role, required, date, developable)",
			    config_setting_name(m));
	}
	return 0;
}

/*
 * column_field(ld, g, f): g's field name into f->name, and what the name
 * implies (key, status.*, activity.*, else info; activity.date is the date,
 * status.developable the developable status) until other members say more.
 */
static int
column_field(struct config_loader *ld, const config_setting_t *g, struct rules_field *f)
{
	const config_setting_t *m;
	const char *v, *p;

	if ((m = config_setting_get_member(g, "field")) == NULL)
		return config_value_fail(ld, g, "columns: entry without field = \"...\"");
	if (config_value_string(ld, m, 1, &v) == -1)
		return -1;
	if (strlen(v) > FIELD_NAME_MAX)
		return config_value_fail(ld, m, "field: longer than %d bytes", FIELD_NAME_MAX);
	for (p = v; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_' || *p == '.'))
			return config_value_fail(ld, m, "field: \"%s\": use lower-case letters, "
			    "digits, '_' and '.'", v);
	if (config_value_pool(ld, v, &f->name) == -1)
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
	return 0;
}

/* column(ld, g, f): read one group of the columns list into f. */
static int
column(struct config_loader *ld, const config_setting_t *g, struct rules_field *f)
{
	const config_setting_t *m, *label_s = NULL, *date_s = NULL, *dev_s = NULL;
	const char *v;
	int b = 0;
	int have_req = 0;

	if (column_members(ld, g) == -1 || column_field(ld, g, f) == -1)
		return -1;
	if ((m = config_setting_get_member(g, "heading")) == NULL)
		return config_value_fail(ld, g, "columns: field \"%s\" has no heading = \"...\"",
		    f->name);
	if (config_value_string(ld, m, 1, &v) == -1 ||
	    config_value_pool(ld, v, &f->heading) == -1)
		return -1;
	if ((m = config_setting_get_member(g, "role")) != NULL) {
		if (config_value_string(ld, m, 1, &v) == -1)
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
			return config_value_fail(ld, m, "role: \"%s\" is not one of key, info, "
			    "status, activity", v);
	}
	f->required = f->role != RULES_ROLE_INFO;
	if ((m = config_setting_get_member(g, "required")) != NULL) {
		if (config_value_bool(ld, m, &b) == -1)
			return -1;
		f->required = b;
		have_req = 1;
	}
	if (f->role == RULES_ROLE_KEY && have_req && !f->required)
		return config_value_fail(ld, m, "required: the key field is always required");
	if ((date_s = config_setting_get_member(g, "date")) != NULL) {
		if (config_value_bool(ld, date_s, &b) == -1)
			return -1;
		f->is_date = b;
	}
	if ((dev_s = config_setting_get_member(g, "developable")) != NULL) {
		if (config_value_bool(ld, dev_s, &b) == -1)
			return -1;
		f->developable = b;
	}
	f->label = NULL;
	if ((label_s = config_setting_get_member(g, "label")) != NULL)
		if (config_value_string(ld, label_s, 1, &v) == -1 ||
		    config_value_pool(ld, v, &f->label) == -1)
			return -1;
	if (f->role != RULES_ROLE_ACTIVITY && f->is_date)
		return config_value_fail(ld, date_s != NULL ? date_s : g,
		    "columns: \"%s\": only an activity field can be the date", f->name);
	if (f->role != RULES_ROLE_STATUS && f->developable)
		return config_value_fail(ld, dev_s != NULL ? dev_s : g,
		    "columns: \"%s\": only a status field can be developable", f->name);
	if (f->role != RULES_ROLE_STATUS && label_s != NULL)
		return config_value_fail(ld, label_s, "columns: \"%s\": only a status field has a "
		    "label (its summary column)", f->name);
	if (f->role == RULES_ROLE_STATUS && f->label == NULL)
		return config_value_fail(ld, g, "columns: status field \"%s\" needs label = "
		    "\"...\" (its summary column heading)", f->name);
	return 0;
}

/* config_columns_read: see config_columns.h. */
int
config_columns_read(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k)
{
	struct rules_config *rc = &ld->cfg->rules;
	const config_setting_t *g;
	char a[CONFIG_MAX_STRING + 1], b[CONFIG_MAX_STRING + 1];
	size_t n, i, j, nkey = 0, nstatus = 0, ndev = 0, ndate = 0, nact = 0;
	const struct rules_field *f;

	(void)k;
	if (!config_setting_is_list(s))
		return config_value_fail(ld, s, "columns: expected a list of groups: "
		    "( { field = \"key\"; heading = \"...\"; }, ... )");
	n = (size_t)config_setting_length(s);
	if (n == 0)
		return config_value_fail(ld, s, "columns: the list is empty");
	if (n > RULES_MAX_FIELDS)
		return config_value_fail(ld, s, "columns: more than %d fields", RULES_MAX_FIELDS);
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
				return config_value_fail(ld, g, "columns: field \"%s\" appears "
				    "twice", f->name);
			if (rules_heading_normalise(f->heading, strlen(f->heading), a,
			    sizeof(a)) >= 0 && rules_heading_normalise(rc->fields[j].heading,
			    strlen(rc->fields[j].heading), b, sizeof(b)) >= 0 &&
			    strcmp(a, b) == 0)
				return config_value_fail(ld, g, "columns: \"%s\" and \"%s\" have "
				    "the same heading", rc->fields[j].name, f->name);
		}
		switch (f->role) {
		case RULES_ROLE_KEY:
			if (++nkey > 1)
				return config_value_fail(ld, g, "columns: a second key field "
				    "(\"%s\"); there must be exactly one", f->name);
			break;
		case RULES_ROLE_STATUS:
			if (++nstatus > RULES_MAX_STATUSES)
				return config_value_fail(ld, g, "columns: more than %d status "
				    "fields", RULES_MAX_STATUSES);
			if (f->developable && ++ndev > 1)
				return config_value_fail(ld, g, "columns: a second developable "
				    "status (\"%s\"); there must be exactly one", f->name);
			break;
		case RULES_ROLE_ACTIVITY:
			nact++;
			if (f->is_date && ++ndate > 1)
				return config_value_fail(ld, g, "columns: a second date field "
				    "(\"%s\"); there must be at most one", f->name);
			break;
		case RULES_ROLE_INFO:
			break;
		}
	}
	if (nkey == 0)
		return config_value_fail(ld, s, "columns: no key field (field = \"key\")");
	if (nstatus == 0)
		return config_value_fail(ld, s, "columns: no status field (field = "
		    "\"status....\")");
	if (ndev == 0)
		return config_value_fail(ld, s, "columns: no status field is developable "
		    "(developable = true)");
	if (nact > 0 && ndate == 0)
		return config_value_fail(ld, s, "columns: no activity field is the date "
		    "(field = \"activity.date\" or date = true)");
	return 0;
}
