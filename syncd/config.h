/*
 * config: syncd's configuration, read from a libconfig file and validated.
 *
 * One struct config holds everything the daemon and `syncd check` need: where
 * the spreadsheet is and how to reach it, where state and the audit log live,
 * the loop's timings, and the rule configuration (layout, marks, deadlines)
 * handed to rules/.  Every key has a default (the layout of DOMAIN.md) except
 * spreadsheet_id and key_file, which the daemon needs and `check` does not.
 * A bad file is refused whole with "FILE:LINE: what is wrong" (ERR_CONFIG):
 * syntax errors, wrong types, unknown keys, numbers out of range, bad dates,
 * deadlines out of order, duplicate fields, non-https URLs.  It never logs and
 * never exits; the caller reports the error.
 */
#ifndef SYNCD_CONFIG_H
#define SYNCD_CONFIG_H

#include <stddef.h>

#include "auth/err.h"
#include "rules/rules.h"

#define CONFIG_DEFAULT_PATH	"/etc/syncd/syncd.conf"
#define CONFIG_MAX_FILE		(1024 * 1024)	/* bytes of a configuration file */
#define CONFIG_MAX_STRING	4096		/* bytes of one string value */
#define CONFIG_MAX_DEPTH	16		/* nesting of groups, lists, arrays */
#define CONFIG_AUDIT_ROTATE_BYTES	(100L * 1024 * 1024)	/* audit_rotate_bytes' default */

#define CONFIG_MAX_SOURCES	200		/* spreadsheets a rollup reads */

/* One spreadsheet the national rollup reads (rollup.sources).  Strings are
 * owned by the struct config (its pool). */
struct config_source {
	const char *spreadsheet_id;
	const char *province;		/* its name, Thai: a row of the national tab */
	const char *summary_tab;	/* default "สรุปข้อมูล" */
};

/* config_load flags. */
#define CONFIG_NO_CREDENTIALS	0x1	/* spreadsheet_id, key_file optional (`check`) */

#define CONFIG_MAX_SNAPSHOT_DAYS	31	/* entries of snapshot_days */
#define CONFIG_MAX_MAIL_TO	32	/* addresses in mail.to */
#define CONFIG_MAX_ADDRESS	254	/* bytes of one e-mail address (RFC 5321) */

/* The `mail` group: the Department's e-mail (issue 15).  Strings pooled. */
struct config_mail {
	int enabled;			/* the group is present */
	const char *url;		/* smtps://host[:port] or smtp://host[:port] (STARTTLS required) */
	const char *from;		/* an address */
	const char *to[CONFIG_MAX_MAIL_TO];	/* addresses, at least one */
	size_t nto;
	const char *user;		/* "" = no login */
	const char *password_file;	/* absolute path, "" = none; the key file's rules */
	long day;			/* day of the month, 1..31, default 20 */
};

/*
 * config_mail_address_ok(s): non-zero when s is a plain e-mail address
 * (local@domain, no white space, no angle brackets, no control character,
 * at most CONFIG_MAX_ADDRESS bytes, a domain with a dot or "localhost").
 */
int config_mail_address_ok(const char *s);

struct config {
	char *path;		/* owned: the file read, "(built-in defaults)" for none */
	/* Strings below are owned (freed by config_free); "" means unset. */
	char *spreadsheet_id;	/* required unless CONFIG_NO_CREDENTIALS */
	char *key_file;		/* service-account JSON, absolute path; required likewise */
	char *sheets_url;	/* https://sheets.googleapis.com, no trailing slash */
	char *drive_url;	/* https://www.googleapis.com, no trailing slash */
	char *ca_file;		/* extra CA bundle; "" = the system's */
	char *state_dir;	/* /var/lib/syncd */
	char *audit_log;	/* /var/lib/syncd/audit.jsonl */
	char *metrics_dir;	/* "" = no metrics file */
	long poll_interval;	/* seconds between cycles, 5..86400, default 60 */
	long full_read_every;	/* cycles between forced full reads, 1..1000000, default 60 */
	long connect_timeout;	/* seconds, 1..300, default 10 */
	long request_timeout;	/* seconds for a whole request, 1..3600, default 60 */
	long retry_budget;	/* seconds of retrying per cycle, 0..86400, default 120 */
	long audit_rotate_bytes;	/* rotate the audit log past this size, 0 = never;
				 * 0..2147483647, default CONFIG_AUDIT_ROTATE_BYTES */
	int annotate_districts;	/* notes on district cells, views, protections, chart; default 1 */
	/* The daily report to LINE (the `report` group; issue 14).  Without the
	 * group report_on is 0 and the strings are "". */
	int report_on;
	int report_at;		/* minute of the Bangkok day, from at = "HH:MM" (08:30) */
	char *report_line_to;	/* LINE group (or user) id: letters and digits */
	char *report_line_token_file;	/* channel access token file, absolute path */
	char *report_line_url;	/* https://api.line.me, no trailing slash */
	char *report_webhook_url;	/* also POST {"text": ...} here; "" = none */
	/* Reports over time (issue 15).  Strings pooled (valid until config_free). */
	const char *history_tab;	/* "ความก้าวหน้า"; "" = no progress history */
	int snapshot_days[CONFIG_MAX_SNAPSHOT_DAYS];	/* days of the month, 1..31 */
	size_t nsnapshot_days;		/* default 2: [10, 20]; 0 = no snapshots */
	struct config_mail mail;
	/* The national rollup (the `rollup` group; issue 18): with sources,
	 * syncd reads these spreadsheets' summary tabs and writes the national
	 * sheet spreadsheet_id instead of running a province's cycle. */
	struct config_source rollup[CONFIG_MAX_SOURCES];
	size_t nrollup;
	long read_quota_per_minute;	/* Sheets reads a minute, 1..10000, default 60 */
	long write_quota_per_minute;	/* Sheets writes a minute, 1..10000, default 60 */
	/* The rule configuration.  Its strings are either static defaults or
	 * owned by this struct config (pool below): valid until config_free. */
	struct rules_config rules;
	char **pool;		/* owned: every string the rules point to that we allocated */
	size_t npool;
	size_t pool_cap;
};

/*
 * config_load(path, flags, e): read and validate the libconfig file at path.
 * flags: 0, or CONFIG_NO_CREDENTIALS.  Returns a new struct config (owned by
 * the caller, release with config_free), or NULL with e set: ERR_CONFIG
 * ("PATH:LINE: message", or "PATH: message" when no line applies, including
 * a missing or unreadable file), or ERR_NOMEM.
 */
struct config *config_load(const char *path, int flags, struct err *e);

/*
 * config_load_string(text, len, name, flags, e): as config_load, from len
 * bytes of text (borrowed for the call; need not be NUL-terminated); name is
 * what messages call the file.
 */
struct config *config_load_string(const char *text, size_t len, const char *name,
    int flags, struct err *e);

/*
 * config_new_default(e): the built-in defaults (DOMAIN.md's layout, no
 * spreadsheet_id or key_file): what `check` uses when no file exists.
 * Returns a new struct config (release with config_free) or NULL (ERR_NOMEM).
 */
struct config *config_new_default(struct err *e);

/*
 * config_load_cli(path, flags, e): a command's configuration: path (-c),
 * else CONFIG_DEFAULT_PATH; with CONFIG_NO_CREDENTIALS (check, rules, an
 * export of a workbook file) the built-in defaults when the default file
 * does not exist.  A -c path that does not exist is a missing input
 * (ERR_NOINPUT, exit 66); a file that exists but is bad is ERR_CONFIG.
 * Returns a new struct config (config_free) or NULL with e set.
 */
struct config *config_load_cli(const char *path, int flags, struct err *e);

/* config_free(cfg): release cfg and every string it owns; NULL is a no-op. */
void config_free(struct config *cfg);

#endif
