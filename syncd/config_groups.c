/*
 * config_groups: the keys of syncd's configuration file that hold more than
 * one value or feed a feature of their own: reports over time (history_tab,
 * snapshot_days), the monthly e-mail (mail), the daily LINE report (report)
 * and the national rollup (rollup).  Each group is checked member by member
 * (an unknown member is an error with its line), then for what it requires.
 * Nothing here logs or exits, and no file a group names is opened here.
 */
#include "syncd/config_groups.h"

#include <stdlib.h>
#include <string.h>

#include "syncd/config_keys.h"

/* history_tab: a tab title, or "" for no progress history. */
int
config_groups_history_tab(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k)
{
	const char *v;

	(void)k;
	if (config_value_string(ld, s, 0, &v) == -1)
		return -1;
	return config_value_pool(ld, v, &ld->cfg->history_tab);
}

/* snapshot_days: distinct days of the month, 1..31; [] for none. */
int
config_groups_snapshot_days(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k)
{
	const config_setting_t *el;
	size_t i, j, n;
	long long v;

	(void)k;
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return config_value_fail(ld, s, "snapshot_days: expected a list of days of the "
		    "month: [10, 20]");
	n = (size_t)config_setting_length(s);
	if (n > CONFIG_MAX_SNAPSHOT_DAYS)
		return config_value_fail(ld, s, "snapshot_days: more than %d entries",
		    CONFIG_MAX_SNAPSHOT_DAYS);
	for (i = 0; i < n; i++) {
		el = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(el) != CONFIG_TYPE_INT &&
		    config_setting_type(el) != CONFIG_TYPE_INT64)
			return config_value_fail(ld, el, "snapshot_days: entry %zu is not a whole "
			    "number", i + 1);
		v = config_setting_get_int64(el);
		if (v < 1 || v > 31)
			return config_value_fail(ld, el, "snapshot_days: %lld is not a day of the "
			    "month (1 to 31)", v);
		for (j = 0; j < i; j++)
			if (ld->cfg->snapshot_days[j] == (int)v)
				return config_value_fail(ld, el, "snapshot_days: %lld is listed "
				    "twice", v);
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
mail_url(struct config_loader *ld, const config_setting_t *s, const char **out)
{
	const char *v, *host, *p;

	if (config_value_string(ld, s, 1, &v) == -1)
		return -1;
	if (strncmp(v, "smtps://", 8) == 0)
		host = v + 8;
	else if (strncmp(v, "smtp://", 7) == 0)
		host = v + 7;
	else
		return config_value_fail(ld, s, "mail.url: \"%s\" is not an smtps:// or smtp:// "
		    "URL", v);
	for (p = v; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == '?' || *p == '#')
			return config_value_fail(ld, s, "mail.url: \"%s\" holds white space, '?' "
			    "or '#'", v);
	if (memchr(host, '@', strcspn(host, "/")) != NULL)
		return config_value_fail(ld, s, "mail.url: put the login in mail.user and "
		    "mail.password_file, not in the URL");
	if (host[0] == '\0' || host[0] == '/' || host[0] == ':')
		return config_value_fail(ld, s, "mail.url: \"%s\" has no host", v);
	return config_value_pool(ld, v, out);
}

static int
mail_address(struct config_loader *ld, const config_setting_t *s, const char *what,
    const char **out)
{
	const char *v;

	if (config_value_string(ld, s, 1, &v) == -1)
		return -1;
	if (!config_mail_address_ok(v))
		return config_value_fail(ld, s, "mail.%s: \"%s\" is not an e-mail address "
		    "(write it as name@example.org)", what, v);
	return config_value_pool(ld, v, out);
}

/* The `mail` group: url, from, to required; user, password_file, day optional. */
int
config_groups_mail(struct config_loader *ld, const config_setting_t *g,
    const struct config_key *k)
{
	struct config_mail *m = &ld->cfg->mail;
	const config_setting_t *s, *el;
	const char *v;
	long long day = 20;
	size_t i, j, n;
	int cnt;

	(void)k;
	if (!config_setting_is_group(g))
		return config_value_fail(ld, g, "mail: expected a group: mail = { url = "
		    "\"smtps://...\"; from = \"...\"; to = [ \"...\" ]; };");
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
					return config_value_fail(ld, s, "mail.to: expected a list "
					    "of addresses: [ \"a@example.org\", ... ]");
				if (mail_address(ld, s, "to", &m->to[0]) == -1)
					return -1;
				m->nto = 1;
				continue;
			}
			n = (size_t)config_setting_length(s);
			if (n > CONFIG_MAX_MAIL_TO)
				return config_value_fail(ld, s, "mail.to: more than %d addresses",
				    CONFIG_MAX_MAIL_TO);
			for (j = 0; j < n; j++) {
				el = config_setting_get_elem(s, (unsigned)j);
				if (mail_address(ld, el, "to", &m->to[j]) == -1)
					return -1;
			}
			m->nto = n;
		} else if (strcmp(v, "user") == 0) {
			const char *u;

			if (config_value_string(ld, s, 0, &u) == -1)
				return -1;
			if (strpbrk(u, "\r\n") != NULL)
				return config_value_fail(ld, s, "mail.user: must not hold a line "
				    "break");
			if (config_value_pool(ld, u, &m->user) == -1)
				return -1;
		} else if (strcmp(v, "password_file") == 0) {
			const char *pf;

			if (config_value_string(ld, s, 0, &pf) == -1)
				return -1;
			if (pf[0] != '\0' && pf[0] != '/')
				return config_value_fail(ld, s, "mail.password_file: \"%s\" is "
				    "not an absolute path", pf);
			if (config_value_pool(ld, pf, &m->password_file) == -1)
				return -1;
		} else if (strcmp(v, "day") == 0) {
			if (config_value_int(ld, s, 1, 31, &day) == -1)
				return -1;
			m->day = (long)day;
		} else
			return config_value_fail(ld, s, "mail: unknown key '%s' (url, from, to, "
			    "user, password_file, day)", v);
	}
	if (m->url[0] == '\0')
		return config_value_fail(ld, g, "mail: url is required");
	if (m->from[0] == '\0')
		return config_value_fail(ld, g, "mail: from is required");
	if (m->nto == 0)
		return config_value_fail(ld, g, "mail: to needs at least one address");
	if (m->password_file[0] != '\0' && m->user[0] == '\0')
		return config_value_fail(ld, g, "mail: password_file is set but user is not");
	m->enabled = 1;
	return 0;
}


/* report.at: "HH:MM", Asia/Bangkok. */
static int
report_at(struct config_loader *ld, const config_setting_t *s)
{
	const char *v;
	int h, m;

	if (config_value_string(ld, s, 1, &v) == -1)
		return -1;
	if (strlen(v) != 5 || v[2] != ':' || v[0] < '0' || v[0] > '9' || v[1] < '0' ||
	    v[1] > '9' || v[3] < '0' || v[3] > '9' || v[4] < '0' || v[4] > '9')
		return config_value_fail(ld, s, "report.at: \"%s\" is not a time written HH:MM "
		    "(Asia/Bangkok)", v);
	h = (v[0] - '0') * 10 + (v[1] - '0');
	m = (v[3] - '0') * 10 + (v[4] - '0');
	if (h > 23 || m > 59)
		return config_value_fail(ld, s, "report.at: \"%s\" is not a time of day", v);
	ld->cfg->report_at = h * 60 + m;
	return 0;
}

/* report.line_to: a LINE id goes into a URL path: letters and digits only. */
static int
report_line_to(struct config_loader *ld, const config_setting_t *s)
{
	const char *v, *p;

	if (config_value_string(ld, s, 1, &v) == -1)
		return -1;
	if (strlen(v) > 64)
		return config_value_fail(ld, s, "report.line_to: longer than 64 characters");
	for (p = v; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9')))
			return config_value_fail(ld, s, "report.line_to: \"%s\" is not a LINE "
			    "group id (letters and digits, like "
			    "C0123456789abcdef0123456789abcdef)", v);
	return config_value_own(ld, &ld->cfg->report_line_to, v);
}

/*
 * config_groups_report: the `report` group (issue 14).  at defaults to "08:30",
 * line_url to https://api.line.me, webhook_url to none; line_to and
 * line_token_file are required.  The token file itself is read by the
 * daemon and by -t (syncd/line), never here.
 */
int
config_groups_report(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k)
{
	static const struct config_key line_url = { "report.line_url", config_keys_url,
	    CONFIG_OFF(report_line_url), 0, 0, 0 };
	static const struct config_key webhook_url = { "report.webhook_url", config_keys_url,
	    CONFIG_OFF(report_webhook_url), 0, 1, 0 };
	static const struct config_key token_file = { "report.line_token_file", config_keys_path,
	    CONFIG_OFF(report_line_token_file), 0, 0, 0 };
	const config_setting_t *m;
	const char *name, *v;
	unsigned i, n;
	int rc;

	(void)k;
	if (!config_setting_is_group(s))
		return config_value_fail(ld, s, "report: expected a group: report = { at = "
		    "\"08:30\"; line_to = \"C...\"; "
		    "line_token_file = \"/etc/syncd/line-token\"; };");
	n = (unsigned)config_setting_length(s);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(s, i);
		name = config_setting_name(m);
		if (strcmp(name, "at") == 0)
			rc = report_at(ld, m);
		else if (strcmp(name, "line_to") == 0)
			rc = report_line_to(ld, m);
		else if (strcmp(name, "line_token_file") == 0)
			rc = config_keys_path(ld, m, &token_file);
		else if (strcmp(name, "line_url") == 0)
			rc = config_keys_url(ld, m, &line_url);
		else if (strcmp(name, "webhook_url") == 0) {
			if (config_value_string(ld, m, 0, &v) == -1)
				return -1;
			rc = v[0] == '\0' ?
			    config_value_own(ld, &ld->cfg->report_webhook_url, "") :
			    config_keys_url(ld, m, &webhook_url);
		} else
			return config_value_fail(ld, m, "unknown key 'report.%s' (report has at, "
			    "line_to, line_token_file, line_url, webhook_url)", name);
		if (rc == -1)
			return -1;
	}
	if (ld->cfg->report_line_to[0] == '\0')
		return config_value_fail(ld, s, "report.line_to is required (the LINE group's "
		    "id)");
	if (ld->cfg->report_line_token_file[0] == '\0')
		return config_value_fail(ld, s, "report.line_token_file is required (the channel "
		    "access token's file)");
	ld->cfg->report_on = 1;
	return 0;
}

/*
 * rollup_id(ld, m, out): a source's spreadsheet id, checked as the
 * top-level one is (config_keys_spreadsheet_id writes an owned field of
 * struct config, lent for the call and put back), then pooled into *out.
 */
static int
rollup_id(struct config_loader *ld, const config_setting_t *m, const char **out)
{
	static const struct config_key id_key = { "rollup.sources.spreadsheet_id",
	    config_keys_spreadsheet_id, CONFIG_OFF(spreadsheet_id), 0, 0, 0 };
	char *saved = ld->cfg->spreadsheet_id;
	int rc;

	ld->cfg->spreadsheet_id = NULL;
	rc = config_keys_spreadsheet_id(ld, m, &id_key);
	if (rc == 0)
		rc = config_value_pool(ld, ld->cfg->spreadsheet_id, out);
	free(ld->cfg->spreadsheet_id);
	ld->cfg->spreadsheet_id = saved;
	return rc;
}

/* rollup_source(ld, g, cs): one group of rollup.sources into cs (zeroed). */
static int
rollup_source(struct config_loader *ld, const config_setting_t *g, struct config_source *cs)
{
	const config_setting_t *m;
	const char *name, *v;
	unsigned j;

	memset(cs, 0, sizeof(*cs));
	if (!config_setting_is_group(g))
		return config_value_fail(ld, g, "rollup.sources: each source is a group "
		    "{ spreadsheet_id = \"...\"; province = \"...\"; }");
	for (j = 0; j < (unsigned)config_setting_length(g); j++) {
		m = config_setting_get_elem(g, j);
		name = config_setting_name(m);
		if (strcmp(name, "spreadsheet_id") == 0) {
			if (rollup_id(ld, m, &cs->spreadsheet_id) == -1)
				return -1;
		} else if (strcmp(name, "province") == 0) {
			if (config_value_string(ld, m, 1, &v) == -1 ||
			    config_value_pool(ld, v, &cs->province) == -1)
				return -1;
		} else if (strcmp(name, "summary_tab") == 0) {
			if (config_value_string(ld, m, 1, &v) == -1 ||
			    config_value_pool(ld, v, &cs->summary_tab) == -1)
				return -1;
		} else
			return config_value_fail(ld, m, "unknown key 'rollup.sources.%s' "
			    "(a source has spreadsheet_id, province, summary_tab)", name);
	}
	if (cs->spreadsheet_id == NULL)
		return config_value_fail(ld, g, "rollup.sources: a source without "
		    "spreadsheet_id");
	if (cs->province == NULL)
		return config_value_fail(ld, g, "rollup.sources: source \"%s\" has no "
		    "province = \"...\"", cs->spreadsheet_id);
	if (cs->summary_tab == NULL)
		cs->summary_tab = "สรุปข้อมูล";
	return 0;
}

/*
 * config_groups_rollup: rollup = { sources = ( { spreadsheet_id = "...";
 * province = "..."; summary_tab = "..."; }, ... ); };  At least one source,
 * at most CONFIG_MAX_SOURCES, no spreadsheet twice; summary_tab defaults to
 * "สรุปข้อมูล".
 */
int
config_groups_rollup(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k)
{
	const config_setting_t *src, *g, *m;
	struct config_source *cs;
	unsigned i, j, n;

	(void)k;
	if (!config_setting_is_group(s))
		return config_value_fail(ld, s, "rollup: expected a group: rollup = { sources = "
		    "( { spreadsheet_id = \"...\"; province = \"...\"; } ); };");
	n = (unsigned)config_setting_length(s);
	src = NULL;
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(s, i);
		if (strcmp(config_setting_name(m), "sources") != 0)
			return config_value_fail(ld, m, "unknown key 'rollup.%s' (rollup has "
			    "sources)", config_setting_name(m));
		src = m;
	}
	if (src == NULL)
		return config_value_fail(ld, s, "rollup.sources is required");
	if (!config_setting_is_list(src))
		return config_value_fail(ld, src, "rollup.sources: expected a list of groups: "
		    "( { spreadsheet_id = \"...\"; province = \"...\"; }, ... )");
	n = (unsigned)config_setting_length(src);
	if (n == 0)
		return config_value_fail(ld, src, "rollup.sources: the list is empty");
	if (n > CONFIG_MAX_SOURCES)
		return config_value_fail(ld, src, "rollup.sources: more than %d sources",
		    CONFIG_MAX_SOURCES);
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(src, i);
		cs = &ld->cfg->rollup[i];
		if (rollup_source(ld, g, cs) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (strcmp(ld->cfg->rollup[j].spreadsheet_id, cs->spreadsheet_id) == 0)
				return config_value_fail(ld, g, "rollup.sources: spreadsheet "
				    "\"%s\" appears twice", cs->spreadsheet_id);
		ld->cfg->nrollup = i + 1;
	}
	return 0;
}
