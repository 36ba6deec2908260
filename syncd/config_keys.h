/*
 * config_keys: the table of top-level keys a configuration file may hold,
 * and the handlers of its plain values (ids, URLs, paths, numbers, dates,
 * tab names, string lists, marks).  The groups (report, rollup, mail, ...)
 * are in config_groups, the column list in config_columns.  Part of the
 * configuration loader: only its files include this header.
 */
#ifndef SYNCD_CONFIG_KEYS_H
#define SYNCD_CONFIG_KEYS_H

#include <libconfig.h>

#include "syncd/config_value.h"

/*
 * config_keys_read(ld, root): every setting of root (the file's top level)
 * in file order, each through its key's handler: an unknown key is an error
 * with its line, as is anything a handler refuses.  Returns 0 or -1 (ld->e).
 */
int config_keys_read(struct config_loader *ld, const config_setting_t *root);

/*
 * config_keys_spreadsheet_id(ld, s, k): a spreadsheet id (URL's unreserved
 * alphabet, not "." or "..") into the owned string at k->off.  0 or -1.
 */
int config_keys_spreadsheet_id(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k);

/*
 * config_keys_url(ld, s, k): an https:// URL (http:// only to this host)
 * into the owned string at k->off, without its trailing slash; a query is
 * allowed only when k->lo is 1.  Messages name k->name.  0 or -1.
 */
int config_keys_url(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k);

/* config_keys_path(ld, s, k): an absolute path into the owned string at k->off. */
int config_keys_path(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k);

/*
 * config_keys_marks_same(a, b): would the rules engine read the marks a and
 * b as the same?  It trims, ignores case and compares numbers by value.
 */
int config_keys_marks_same(const char *a, const char *b);

#endif
