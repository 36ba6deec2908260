/*
 * runstate: the state a cycle starts from and the one it leaves (syncd/cycle
 * runs runstate_drop and runstate_save among its steps).  Memory at 100,000
 * households is why it is its own concern: between cycles only a light copy
 * is held, and the whole state is loaded only after the workbook is freed.
 * Each function takes the cycle or the run (syncd/run.h).  Never logs.
 */
#ifndef SYNCD_RUNSTATE_H
#define SYNCD_RUNSTATE_H

#include "auth/err.h"

struct cycle;
struct run;
struct state;

/*
 * runstate_keep(c, s): s (just loaded or saved; taken) is c's state from
 * now on, as a light copy without the first-seen table when it has one
 * (c->state_light), or whole when memory for the copy ran out.
 */
void runstate_keep(struct cycle *c, struct state *s);

/*
 * runstate_drop(r, e): the step that frees the workbook once the cells are
 * diffed and our tabs compared, then loads the whole saved state (r->old)
 * when c's is light.  Returns 0, or -1 with e set.
 */
int runstate_drop(struct run *r, struct err *e);

/*
 * runstate_save(r, e): the step that saves r->next (version, basis,
 * rendered hash, tab list, households) with cells.dat, atomically, and
 * keeps it.  A state that cannot be made durable is recorded (api.error)
 * and e made fatal: the daemon exits and starts again from the disk.
 * Returns 0, or -1 with e set.
 */
int runstate_save(struct run *r, struct err *e);

/*
 * runstate_save_cleared(r): after a failed step, once the cycle's events
 * are durable: save r->next with the Drive version cleared (the next cycle
 * reads and writes again, the events are not repeated); after a failed
 * write the tab list is forgotten too.  Best effort: a failure here leaves
 * the previous state in place.
 */
void runstate_save_cleared(struct run *r);

#endif
