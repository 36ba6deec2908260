/*
 * celldiff: one step of a cycle: the cell diff that makes cell.changed.
 * A row's identity is its household key, or "#ROW" when it has none or
 * repeats one already seen in its tab; a value longer than half of
 * STATE_TEXT_MAX is kept (and audited) as "sha256:HEX".  Cells of rows the
 * sheet no longer has change to "".
 */
#ifndef SYNCD_CELLDIFF_H
#define SYNCD_CELLDIFF_H

#include "auth/err.h"

struct run;

/*
 * celldiff_run(r, e): walk r's district tabs against the previous cells
 * file (opened here into r->cf, committed with the state) and append a
 * cell.changed for each mapped cell that differs.  The first cycle (no
 * cells file, no saved version) records a baseline and appends none
 * (r->baseline, r->cells_recorded).  Returns 0, or -1 with e set (fatal
 * when the audit log lost durability).
 */
int celldiff_run(struct run *r, struct err *e);

#endif
