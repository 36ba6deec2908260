/*
 * config: read syncd's libconfig file into a validated struct config.
 *
 * The file is read into memory by us (size-capped), then scanned
 * (config_scan) for what libconfig 1.5 would accept silently but we must
 * not: a NUL byte, an @include directive, an integer too large for 32 bits,
 * nesting too deep, a string where no value belongs.  Then libconfig parses
 * it, and every setting is walked in file order through the table of known
 * keys (config_keys, with config_columns and config_groups for the larger
 * ones; config_value reads one setting): an unknown key is an error with
 * its line (a typo must not pass silently), as is a wrong type or a value
 * out of range.  This file holds the entry points, the defaults, and the
 * cross-key checks (deadline order, credentials, tab names) that come last.
 * Nothing here logs or exits: the first error is put in the caller's
 * struct err as "FILE:LINE: message".
 */
#include "syncd/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>

#include "syncd/config_keys.h"
#include "syncd/config_scan.h"
#include "syncd/config_value.h"
#include "syncd/hashseed.h"

/*
 * member(root, name, other): the setting name if the file holds it, else
 * other's (NULL when neither is there): where a cross-key error points.
 */
static const config_setting_t *
member(const config_setting_t *root, const char *name, const char *other)
{
	const config_setting_t *s = config_setting_get_member(root, name);

	return s != NULL || other == NULL ? s : config_setting_get_member(root, other);
}

/* cross_checks(ld, root, flags): what involves more than one key. */
static int
cross_checks(struct config_loader *ld, const config_setting_t *root, int flags)
{
	struct config *cfg = ld->cfg;
	struct rules_config *rc = &cfg->rules;
	const char *hist = cfg->history_tab;
	size_t i, j;

	if (!(flags & CONFIG_NO_CREDENTIALS)) {
		if (cfg->spreadsheet_id[0] == '\0')
			return config_value_fail(ld, NULL, "spreadsheet_id is required");
		if (cfg->key_file[0] == '\0')
			return config_value_fail(ld, NULL, "key_file is required");
	}
	if (rc->classification_deadline < rc->fiscal_year_start)
		return config_value_fail(ld, member(root, "classification_deadline",
		    "fiscal_year_start"), "classification_deadline is before fiscal_year_start");
	if (rc->activity_deadline < rc->classification_deadline)
		return config_value_fail(ld, member(root, "activity_deadline",
		    "classification_deadline"), "activity_deadline is before "
		    "classification_deadline");
	if (strcmp(rc->summary_tab, rc->discrepancy_tab) == 0)
		return config_value_fail(ld, member(root, "discrepancy_tab", "summary_tab"),
		    "summary_tab and discrepancy_tab are the same tab");
	for (i = 0; i < rc->ndistricts; i++)
		if (strcmp(rc->districts[i], rc->summary_tab) == 0 ||
		    strcmp(rc->districts[i], rc->discrepancy_tab) == 0)
			return config_value_fail(ld, member(root, "districts", NULL),
			    "districts: \"%s\" is the summary or discrepancy tab",
			    rc->districts[i]);
	for (i = 0; i < rc->nmarks_set; i++)
		for (j = 0; j < rc->nmarks_empty; j++)
			if (config_keys_marks_same(rc->marks_set[i], rc->marks_empty[j]))
				return config_value_fail(ld, member(root, "marks_empty",
				    "marks_set"), "\"%s\" is in both marks_set and marks_empty",
				    rc->marks_set[i]);
	if (hist[0] != '\0' && (strcmp(hist, rc->summary_tab) == 0 ||
	    strcmp(hist, rc->discrepancy_tab) == 0))
		return config_value_fail(ld, member(root, "history_tab", NULL), "history_tab: "
		    "\"%s\" is the summary or discrepancy tab", hist);
	for (i = 0; hist[0] != '\0' && i < rc->ndistricts; i++)
		if (strcmp(rc->districts[i], hist) == 0)
			return config_value_fail(ld, member(root, "history_tab", NULL),
			    "history_tab: \"%s\" is a district", hist);
	if (cfg->state_dir[0] == '\0' || cfg->audit_log[0] == '\0')
		return config_value_fail(ld, NULL, "state_dir and audit_log must be set");
	return 0;
}

/* defaults(ld): fill ld->cfg with every default (DOMAIN.md and DESIGN.md). */
static int
defaults(struct config_loader *ld)
{
	static const struct {
		size_t off;
		const char *v;
	} strs[] = {
		{ CONFIG_OFF(spreadsheet_id), "" },
		{ CONFIG_OFF(key_file), "" },
		{ CONFIG_OFF(sheets_url), "https://sheets.googleapis.com" },
		{ CONFIG_OFF(drive_url), "https://www.googleapis.com" },
		{ CONFIG_OFF(ca_file), "" },
		{ CONFIG_OFF(state_dir), "/var/lib/syncd" },
		{ CONFIG_OFF(audit_log), "/var/lib/syncd/audit.jsonl" },
		{ CONFIG_OFF(metrics_dir), "" },
		{ CONFIG_OFF(report_line_to), "" },
		{ CONFIG_OFF(report_line_token_file), "" },
		{ CONFIG_OFF(report_line_url), "https://api.line.me" },
		{ CONFIG_OFF(report_webhook_url), "" },
	};
	struct config *cfg = ld->cfg;
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (config_value_own(ld, (char **)(void *)((char *)cfg + strs[i].off),
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
	cfg->rules.hash_seed = hashseed_draw();
	return 0;
}

static struct config *
new_config(struct config_loader *ld, const char *name)
{
	struct config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL) {
		config_value_nomem(ld);
		return NULL;
	}
	ld->cfg = cfg;
	if ((cfg->path = strdup(name)) == NULL || defaults(ld) == -1) {
		config_value_nomem(ld);
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct config *
config_new_default(struct err *e)
{
	struct config_loader ld = { "(built-in defaults)", NULL, e };

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
	struct config_loader ld = { name, NULL, e };
	config_t lc;
	const config_setting_t *root;
	char *buf = NULL;
	struct config *cfg;

	if (len > CONFIG_MAX_FILE) {
		config_value_fail(&ld, NULL, "larger than %d bytes", CONFIG_MAX_FILE);
		return NULL;
	}
	if (config_scan(name, text, len, e) == -1)
		return NULL;
	if ((cfg = new_config(&ld, name)) == NULL)
		return NULL;
	if ((buf = malloc(len + 1)) == NULL) {
		config_value_nomem(&ld);
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
	if (config_keys_read(&ld, root) == -1)
		goto err;
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
