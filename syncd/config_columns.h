/*
 * config_columns: the `columns` key of the configuration file (the sheet's
 * layout).  Part of the configuration loader: only its files include this
 * header.
 */
#ifndef SYNCD_CONFIG_COLUMNS_H
#define SYNCD_CONFIG_COLUMNS_H

#include <libconfig.h>

#include "syncd/config_value.h"

/*
 * config_columns_read(ld, s, k): the list s replaces ld->cfg->rules' fields
 * whole.  Exactly one key field, one to RULES_MAX_STATUSES status fields of
 * which exactly one is developable, exactly one date field when there are
 * activity fields, no field or heading twice.  k is unused (the key table's
 * handler type).  Returns 0, or -1 with ld->e set ("FILE:LINE: columns: ...").
 */
int config_columns_read(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k);

#endif
