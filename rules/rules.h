/*
 * rules: the pure rules engine of DOMAIN.md.
 *
 * In: a workbook (rules/workbook.h), the rule configuration below and today's
 * date.  Out: a report: one summary row per district, the province total, and
 * every discrepancy with its stable rule id.  No I/O, no clock, no logging, no
 * globals: the same input gives the same output.  The only failure is running
 * out of memory; a rule broken by a row is a finding, never an error.
 *
 * Dates are days since 1970-01-01 (proleptic Gregorian, CE) as int32_t.
 */
#ifndef RULES_RULES_H
#define RULES_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "rules/workbook.h"

#define RULES_MAX_FIELDS	32	/* mapped columns of a tab */
#define RULES_MAX_STATUSES	8	/* status.* fields */
#define RULES_MAX_MARKS		16	/* accepted spellings of a mark */
#define RULES_MAX_DISTRICTS	512	/* configured district tabs */

enum rules_role {
	RULES_ROLE_KEY = 0,	/* the household id: exactly one field */
	RULES_ROLE_INFO,	/* name, house_no, moo, tambon, income... */
	RULES_ROLE_STATUS,	/* one of the mutually exclusive status marks */
	RULES_ROLE_ACTIVITY,	/* one of the activity fields */
};

/*
 * One mapped column.  All strings are borrowed from whoever filled the
 * configuration (syncd/config.c) and must outlive every use of it.
 */
struct rules_field {
	const char *name;	/* logical name: "key", "status.developable", ... */
	const char *heading;	/* heading text (compared normalised) or column letters ("B", "AA") */
	const char *label;	/* STATUS: its summary column heading ("พัฒนาได้") */
	enum rules_role role;
	int required;		/* missing heading -> tab.header_missing, tab not evaluated */
	int is_date;		/* ACTIVITY: this is the activity date */
	int developable;	/* STATUS: this status is the developable one */
};

struct rules_config {
	/* In the order of DOMAIN.md's table of headings (it orders findings). */
	struct rules_field fields[RULES_MAX_FIELDS];
	size_t nfields;
	const char *marks_set[RULES_MAX_MARKS];	/* marked: default "1", "TRUE" */
	size_t nmarks_set;
	const char *marks_empty[RULES_MAX_MARKS]; /* empty: default "0", "FALSE" */
	size_t nmarks_empty;
	int32_t fiscal_year_start;		/* default 2023-10-01 */
	int32_t classification_deadline;	/* default 2024-01-31 */
	int32_t activity_deadline;		/* default 2024-03-20 */
	long district_minimum;			/* default 1 */
	long province_minimum;			/* default 10 */
	double income_floor;			/* default 40000 (message text only) */
	uint32_t heading_row;			/* 1-based row of column headings, default 2 */
	/* Empty: every tab but summary_tab and discrepancy_tab, in tab order.
	 * Otherwise exactly these, in this order (a missing one: tab.missing). */
	const char *districts[RULES_MAX_DISTRICTS];
	size_t ndistricts;
	const char *summary_tab;		/* default "สรุปข้อมูล" */
	const char *discrepancy_tab;		/* default "ตรวจสอบข้อมูล" */
	const char *total_label;		/* default "รวมทั้งจังหวัด" */
	/* The progress history tab syncd owns (NULL or "": none): never a
	 * district, like the summary and discrepancy tabs and every snapshot
	 * tab (rules_is_snapshot_title). */
	const char *history_tab;
	/*
	 * Seeds the table of household keys (rules/hash.h), which the sheet's
	 * cells pick: the shell draws it at random (syncd/hashseed.h) so that
	 * keys cannot be aimed at one bucket.  Any value gives the same
	 * report; rules_config_default leaves 0.
	 */
	uint64_t hash_seed;
};

/* What a snapshot tab's title starts with: "สรุป 20 ก.พ. 2567". */
#define RULES_SNAPSHOT_PREFIX	"สรุป "

/*
 * rules_is_snapshot_title(title): non-zero when title is RULES_SNAPSHOT_PREFIX
 * followed by a date in a spelling rules_date_parse takes (a snapshot tab
 * syncd wrote on a reporting day, never a district).
 */
int rules_is_snapshot_title(const char *title);

enum rules_severity {
	RULES_ERROR = 0,
	RULES_WARNING = 1,
};

/*
 * One discrepancy.  Strings are owned by the report.
 * Conventions (rules/rules.c says why): row-level findings always carry the
 * row, the key (except household.key_missing) and the column of "the first
 * offending" cell: status.missing the first status column, activity.missing
 * the first activity column, activity.incomplete the first empty one,
 * activity.not_developable the first filled one.  Tab-level findings have
 * row 0 and key NULL; tab.header_missing's column is the configured heading
 * (normalised), the others' NULL.  Sheet-level findings also have tab NULL.
 */
struct rules_finding {
	const char *rule;	/* static rule id, e.g. "status.multiple" */
	enum rules_severity severity;
	char *tab;		/* NULL for sheet-level findings */
	uint32_t row;		/* 1-based sheet row; 0 when none */
	char *key;		/* normalised household key; NULL when none */
	char *column;		/* normalised heading of the cell's column; NULL when none */
	char *message;		/* Thai, one line */
};

/* One summary row (a district, or the total).  Strings owned by the report. */
struct rules_summary {
	char *district;		/* tab title, or cfg->total_label for the total */
	long households;
	long status[RULES_MAX_STATUSES];	/* per STATUS field, in cfg->fields order */
	long unclassified;
	long developed;
	double percent;		/* developed / developable * 100, rounded to 2 decimals */
	long errors;
	long warnings;
	int missing;		/* the tab does not exist */
};

struct rules_report {
	int32_t today;
	struct rules_summary *summary;	/* districts in order, then the total (last) */
	size_t nsummary;
	struct rules_finding *findings;	/* errors first, then tab order, row, column */
	size_t nfindings;
	size_t nstatus;			/* STATUS fields in the configuration */
	const char *status_names[RULES_MAX_STATUSES]; /* borrowed from cfg: "status.developable"... */
};

/*
 * rules_id_count(), rules_id_at(i): every rule id the engine can emit, in
 * DOMAIN.md's order (NULL past the end).  The catalogue's test walks it.
 */
size_t rules_id_count(void);
const char *rules_id_at(size_t i);

/* rules_config_default(cfg): fill cfg with DOMAIN.md's layout and defaults. */
void rules_config_default(struct rules_config *cfg);

/*
 * rules_evaluate(wb, cfg, today, out): evaluate every district tab of wb
 * (borrowed for the call) under cfg (borrowed) as of today.  Fills *out,
 * which the caller releases with rules_report_fini().  Returns 0, or -1 when
 * memory ran out, *out then empty.  That is the engine's only failure, so it
 * takes no error record: the shell's (auth/err.h) names transport failures
 * the pure engine knows nothing of, and the caller says "out of memory".
 */
int rules_evaluate(const struct workbook *wb, const struct rules_config *cfg,
    int32_t today, struct rules_report *out);

/* rules_report_fini(r): release what r owns; r may be NULL or empty. */
void rules_report_fini(struct rules_report *r);

/*
 * rules_map_columns(tab, cfg, cols): find each configured field's column in
 * tab's heading row: cols[i] is the 0-based column of cfg->fields[i], or -1
 * when not found.  Returns the number of required fields not found.
 */
int rules_map_columns(const struct workbook_tab *tab, const struct rules_config *cfg,
    int32_t cols[RULES_MAX_FIELDS]);

/*
 * rules_is_district(cfg, title): non-zero when a tab with this title is
 * evaluated as a district under cfg.
 */
int rules_is_district(const struct rules_config *cfg, const char *title);

/*
 * rules_tab_is_district(cfg, tab): non-zero when tab is evaluated as a
 * district: rules_is_district of its title and, under an empty district
 * list, at least one required heading found in its heading row (DOMAIN.md
 * "Which tabs are districts"; a tab without any is tab.not_district).
 */
int rules_tab_is_district(const struct rules_config *cfg, const struct workbook_tab *tab);

/* Calendar helpers (proleptic Gregorian, CE). */
int32_t rules_days_from_civil(int y, int m, int d);
void rules_civil_from_days(int32_t days, int *y, int *m, int *d);

/*
 * rules_date_parse(text, len, is_number, days): parse an activity date cell
 * (every spelling of DOMAIN.md, Thai digits, Buddhist Era years, serials).
 * is_number: the cell was a JSON number (a Sheets serial).  Returns 0 and
 * sets *days, or -1 when it is not a valid date.
 */
int rules_date_parse(const char *text, size_t len, int is_number, int32_t *days);

/*
 * rules_parse_ymd(s, days): parse "YYYY-MM-DD" (configuration, --today).
 * Returns 0, or -1 when s is not a valid date.
 */
int rules_parse_ymd(const char *s, int32_t *days);

/*
 * rules_key_normalise(text, len, out, outsize): a household key with Thai
 * digits converted, white space and hyphens removed, JSON number spellings
 * (2.4010012345E10) written as integers.  Returns the length written (NUL
 * terminated), 0 when the key is empty, -1 when it does not fit.
 */
int rules_key_normalise(const char *text, size_t len, int is_number,
    char *out, size_t outsize);

/*
 * rules_heading_normalise(text, len, out, outsize): Unicode white space
 * (including line breaks, NBSP, zero-width space) collapsed to one space,
 * trimmed.  Returns the length written (NUL terminated) or -1 when it does
 * not fit.
 */
int rules_heading_normalise(const char *text, size_t len, char *out, size_t outsize);

#endif
