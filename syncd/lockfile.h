/*
 * lockfile: one syncd per state directory.
 *
 * The lock is an flock(2) on STATE_DIR/syncd.lock, a file that syncd never
 * renames or deletes, so moving or deleting the audit log (an operator's mv,
 * logrotate) cannot let a second daemon in beside the first.  The holder
 * writes "PID ROLE\n" into it ("daemon" or "once"), so a refused process can
 * name who holds it.  The kernel drops the lock when the holder's last file
 * descriptor closes, even after kill -9: a stale file never blocks a start.
 */
#ifndef SYNCD_LOCKFILE_H
#define SYNCD_LOCKFILE_H

#include <sys/types.h>

#include "auth/err.h"

#define LOCKFILE_NAME	"syncd.lock"

/* Who holds the lock, as its file says (pid 0 and role "" when unknown). */
struct lockfile_holder {
	int held;		/* another process holds the lock */
	pid_t pid;
	char role[16];
};

/*
 * lockfile_take(dir, role, holder, e): create dir (mode 0700) when missing,
 * then take the lock on dir/syncd.lock without waiting and write our pid and
 * role ("daemon", "once", "rotate") into it.  Returns the lock's file
 * descriptor (keep it open for as long as the lock must hold; close it to
 * release), or -1 with e filled (ERR_IO).  holder (caller storage) is
 * always cleared; when another process holds the lock, holder->held is 1
 * and the rest is filled from the file (e says who).
 */
int lockfile_take(const char *dir, const char *role, struct lockfile_holder *holder,
    struct err *e);

/*
 * lockfile_read(dir, holder): read who holds dir's lock without taking it.
 * Returns 1 when a process holds it (holder filled, held 1), 0 when nobody
 * does, -1 when the file cannot be read.
 */
int lockfile_read(const char *dir, struct lockfile_holder *holder);

#endif
