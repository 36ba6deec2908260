/*
 * rollup_tabs: the rollup's tabs as JSON: a province's summary tab parsed,
 * the national sheet's three tabs built, an unreadable province's reason.
 * See rollup_tabs.c.
 */
#ifndef SYNCD_ROLLUP_TABS_H
#define SYNCD_ROLLUP_TABS_H

#include <stddef.h>

#include <jansson.h>

#include "syncd/config.h"
#include "auth/err.h"

/*
 * rollup_tabs_parse_summary(body, len, out, why, n): a province's summary
 * tab (a values:batchGet answer of that one tab, body[0..len), borrowed) into
 * *out (owned by the caller): {"headers": [...], "districts": [[district,
 * counts...]...], "total": [label, counts...], "updated": "...", "head":
 * "..."}.  Returns 0, or -1 with why (n bytes, Thai) saying what shape was
 * expected.
 */
int rollup_tabs_parse_summary(const char *body, size_t len, json_t **out, char *why,
    size_t n);

/*
 * rollup_tabs_unreadable(e, src, email, entry): why src could not be read
 * (e, the failed read's error), and what to do, in Thai, into entry
 * (borrowed): "status": "error", "reason", "todo", and "temporary" (true: read
 * again next cycle).  email: the service account's, for the remedy.
 */
void rollup_tabs_unreadable(const struct err *e, const struct config_source *src,
    const char *email, json_t *entry);

/*
 * rollup_tabs_national(cfg, sources, head_text): the national sheet's three
 * tabs, {"summary": [...], "districts": [...], "unreadable": [...]} (owned by
 * the caller), from the sources' state entries (borrowed: spreadsheet id ->
 * entry) in cfg->rollup's order; head_text: the rollup's audit head, for the
 * summary's last row.
 */
json_t *rollup_tabs_national(const struct config *cfg, json_t *sources,
    const char *head_text);

#endif
