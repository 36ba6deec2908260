/*
 * config_groups: the configuration file's groups and feature keys
 * (history_tab, snapshot_days, mail, report, rollup).  Each is a key
 * table handler (k is unused): it reads the setting s into ld->cfg and
 * returns 0, or -1 with ld->e set ("FILE:LINE: message", ERR_CONFIG, or
 * ERR_NOMEM).  Part of the configuration loader: only its files include
 * this header.
 */
#ifndef SYNCD_CONFIG_GROUPS_H
#define SYNCD_CONFIG_GROUPS_H

#include <libconfig.h>

#include "syncd/config_value.h"

/* history_tab: a tab title, or "" for no progress history (pooled). */
int config_groups_history_tab(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k);

/* snapshot_days: distinct days of the month, 1..31; [] for none. */
int config_groups_snapshot_days(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k);

/* mail: url, from, to required; user, password_file, day optional. */
int config_groups_mail(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k);

/* report: line_to and line_token_file required; at, line_url, webhook_url optional. */
int config_groups_report(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k);

/* rollup: sources, one to CONFIG_MAX_SOURCES spreadsheets, none twice. */
int config_groups_rollup(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k);

#endif
