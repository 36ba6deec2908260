/*
 * live: read the live spreadsheet once, for commands that need its data
 * but are not the daemon (`syncd export` and `syncd report` without
 * --workbook): the key (as the daemon loads it), a token, the tab list
 * (spreadsheets.get) and ONE values:batchGetByDataFilter of every district tab by sheetId.  It
 * writes nothing: not to the sheet, not to the audit log, not to the state.
 * It never logs and never exits.
 */
#ifndef SYNCD_LIVE_H
#define SYNCD_LIVE_H

#include "auth/err.h"
#include "syncd/config.h"
#include "syncd/sheetjson.h"

/*
 * live_read(cfg, e): the district tabs of cfg's spreadsheet (cfg borrowed
 * for the call).  Returns a new sheetjson_doc (sheetjson_free), or NULL with
 * e set (ERR_CONFIG/ERR_NOINPUT for the key, ERR_AUTH, ERR_API, ERR_HTTP,
 * ERR_TEMP, ERR_DATA, ERR_NOMEM).
 */
struct sheetjson_doc *live_read(const struct config *cfg, struct err *e);

#endif
