/*
 * cellfile: the last value of every mapped cell (tab, row identity, column
 * heading -> text), so that a cycle can audit cell.changed across cycles and
 * restarts, kept on disk and out of memory between cycles.
 *
 * Why not in state.json: at 100,000 households x 16 mapped columns the values
 * are 1.6 million strings; held in memory they kept the daemon at ~190 MB
 * between cycles and made every idle `syncd --once` parse 32 MB of JSON.
 * Here they live in STATE_DIR/cells.dat, one line a row, each line opening
 * with two 64-bit hashes (of the row's identity and of its values, keyed by
 * a random seed kept in the file):
 *   {"format":1,"seed":"<16 hex>","columns":["heading",...]}\n      (header)
 *   <key hash> <values hash> ["tab","id","value",...]\n              (a row)
 * A changed cycle reads the hashes and offsets only (24 bytes a row), writes
 * the new file as it walks the sheet, and reads back the few old rows whose
 * values hash differs (pread, one small JSON array each).  An idle cycle
 * does not open it.  The hashes are only a filter between two sets of
 * values the daemon wrote itself; a 64-bit collision with a secret seed
 * would hide one cell.changed, never corrupt anything.
 *
 * Never logs; errors go to the caller's struct err.  The file is a cache: a
 * missing one is no previous rows, and so is a damaged one (torn, garbage, a
 * bad header), which cellfile_previous_lost reports so that the caller can
 * record it and take a new baseline instead of failing every cycle.
 */
#ifndef SYNCD_CELLFILE_H
#define SYNCD_CELLFILE_H

#include <stddef.h>

#include "auth/err.h"

#define CELLFILE_NAME		"cells.dat"
#define CELLFILE_LINE_MAX	(1024 * 1024)	/* bytes of one line */
#define CELLFILE_COLUMNS_MAX	256		/* mapped columns */
#define CELLFILE_ROWS_MAX	20000000u	/* rows in one file */

struct cellfile;

/*
 * cellfile_begin(dir, columns, ncolumns, e): index dir/cells.dat (if any) and
 * start the new one (dir/cells.dat.tmp) for rows of these column headings
 * (borrowed for the life of the cellfile).  Returns a new cellfile to pass
 * to cellfile_row for each row of this cycle, then cellfile_gone and
 * cellfile_commit, and to free with cellfile_free; or NULL with e set
 * (ERR_IO, ERR_NOMEM).
 */
struct cellfile *cellfile_begin(const char *dir, const char *const *columns,
    size_t ncolumns, struct err *e);

/* cellfile_previous_rows(cf): rows of the previous file (0: first cycle). */
size_t cellfile_previous_rows(const struct cellfile *cf);

/*
 * cellfile_previous_lost(cf): NULL when the previous file was read;
 * "missing" when there was none; else why it was unusable (one line naming
 * the file and, where it applies, the line), its rows then forgotten.
 * Also set once a damaged row was found by cellfile_row or cellfile_gone.
 * Borrowed from cf.  cellfile_previous_damaged(cf): 1 in those last cases.
 */
const char *cellfile_previous_lost(const struct cellfile *cf);
int cellfile_previous_damaged(const struct cellfile *cf);

/* cellfile_has(cf, tab, id): 1 when (tab, id) was recorded in this cycle. */
int cellfile_has(const struct cellfile *cf, const char *tab, const char *id);

/*
 * cellfile_row(cf, tab, id, values, changed, ctx, e): record a row of this
 * cycle: values[i] (borrowed; "" when empty, never NULL) under columns[i].
 * (tab, id) must not have been recorded yet in this cycle.  For each column
 * whose value differs from the previous file's (absent: ""), calls
 * changed(column, old, new, ctx) before returning.  A previous row whose
 * bytes are damaged gives no call, and cellfile_previous_lost says so.
 * Returns 0, or -1 with e set (ERR_IO, ERR_NOMEM).
 */
int cellfile_row(struct cellfile *cf, const char *tab, const char *id,
    const char *const *values,
    void (*changed)(const char *column, const char *old, const char *now, void *ctx),
    void *ctx, struct err *e);

/*
 * cellfile_rename(cf, old, now, e): tab old was renamed now (the same
 * sheetId): a row of tab now that the previous file does not hold under now
 * is looked up under old, so a rename changes no cell.  Strings borrowed for
 * the life of cf.  Call before the rows.  Returns 0 or -1 (ERR_NOMEM).
 */
int cellfile_rename(struct cellfile *cf, const char *old, const char *now,
    struct err *e);

/*
 * cellfile_gone(cf, gone, ctx, e): for each row of the previous file not
 * recorded in this cycle, in file order, calls gone(tab, id, column, old,
 * ctx) for each of its non-empty values under a column still mapped.
 * Returns 0, or -1 with e set.
 */
int cellfile_gone(struct cellfile *cf,
    void (*gone)(const char *tab, const char *id, const char *column, const char *old,
    void *ctx), void *ctx, struct err *e);

/*
 * cellfile_commit(cf, e): make the new file durable and put it in place of
 * the previous one (fsync, rename, fsync of dir).  Returns 0 or -1 (e set;
 * the previous file is then untouched).  After it only cellfile_free.
 */
int cellfile_commit(struct cellfile *cf, struct err *e);

/* cellfile_free(cf): free cf; an uncommitted new file is removed.  NULL: no-op. */
void cellfile_free(struct cellfile *cf);

#endif
