/*
 * report: a rules report (rules/rules.h) rendered for the outside world:
 * the JSON document of DESIGN.md (`syncd check --format json`, and whatever
 * the daemon publishes as JSON), and the text form for people: an aligned
 * summary table, then the discrepancies grouped by district, errors first.
 * It only formats; it never evaluates, logs or exits.
 */
#ifndef SYNCD_REPORT_H
#define SYNCD_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "auth/err.h"
#include "rules/rules.h"

/*
 * report_status_key(name): the JSON key of a status field's count: the
 * field name after "status." ("status.self_reliant" -> "self_reliant"), or
 * the whole name when it has no such prefix.  Borrowed from name.
 */
const char *report_status_key(const char *name);

/*
 * report_json(r, e): the document {"today", "summary", "discrepancies"} of
 * DESIGN.md for r (borrowed for the call).  Keys keep DESIGN.md's order;
 * row, key, column and tab are null where they do not apply.  Returns a new
 * reference the caller json_decref()s, or NULL with e set (ERR_NOMEM).
 */
json_t *report_json(const struct rules_report *r, struct err *e);

/*
 * report_write_json(f, r, e): report_json(r) written to f, Thai unescaped,
 * indented, with a final newline, byte for byte as jansson would print it,
 * but streamed: no tree of the findings is built.  Returns 0, or -1 with e
 * set (ERR_IO when f cannot be written, ERR_DATA for a percent that is not
 * a finite number).
 */
int report_write_json(FILE *f, const struct rules_report *r, struct err *e);

/*
 * report_write_text(f, r, cfg, e): the text form for people.  cfg (the
 * configuration r was evaluated under, borrowed) supplies the summary
 * column labels.  Returns 0, or -1 with e set (ERR_IO, ERR_NOMEM).
 */
int report_write_text(FILE *f, const struct rules_report *r,
    const struct rules_config *cfg, struct err *e);

/*
 * report_write_summary_text(f, r, cfg, e): only the aligned summary table of
 * the text form (what the monthly e-mail's body shows).  Returns 0, or -1
 * with e set (ERR_IO).
 */
int report_write_summary_text(FILE *f, const struct rules_report *r,
    const struct rules_config *cfg, struct err *e);

/* report_count(r, severity): how many findings of r have this severity. */
size_t report_count(const struct rules_report *r, enum rules_severity severity);

#endif
