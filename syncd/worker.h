/*
 * worker: run a piece of work in a child process and bring its result back.
 *
 * The daemon runs each cycle this way (daemon.c).  The child does the work,
 * with libcurl loaded and, on a large sheet, tens of megabytes of workbook
 * in memory; it packs what the parent must remember into a message, writes
 * it to a pipe and exits, and all of that memory goes with it.  The process
 * that sleeps between cycles stays small, and a crash inside a cycle costs a
 * cycle, not the daemon.
 *
 * The child is killed when the parent dies (PR_SET_PDEATHSIG), so no
 * orphan ever writes beside a restarted daemon.  The parent waits with a
 * deadline: it calls tick about every second (the
 * watchdog), passes SIGTERM on to the child once, and kills a child that
 * overruns or sends more than the limit.  Messages are built and read with
 * the worker_msg functions: fixed-width numbers and length-prefixed strings,
 * every read bounds-checked, because the parent trusts nothing that arrives
 * from another process.  This module never logs.
 */
#ifndef SYNCD_WORKER_H
#define SYNCD_WORKER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/err.h"

#define WORKER_MSG_MAX	(4u * 1024 * 1024)	/* bytes of one message */

/* A message being built (worker_put_*) or read (worker_get_*). */
struct worker_msg {
	unsigned char *buf;	/* owned, wiped when freed (it may hold a token) */
	size_t len, cap;
	size_t pos;		/* read position */
	int bad;		/* out of memory while building, or a read past the end */
};

/* worker_msg_init(m): an empty message. */
void worker_msg_init(struct worker_msg *m);

/* worker_msg_fini(m): wipe and free m's buffer; m becomes empty. */
void worker_msg_fini(struct worker_msg *m);

/* Appending; out of memory sets m->bad and the rest is ignored. */
void worker_put_u64(struct worker_msg *m, uint64_t v);
void worker_put_i64(struct worker_msg *m, int64_t v);
void worker_put_double(struct worker_msg *m, double v);
void worker_put_bytes(struct worker_msg *m, const void *p, size_t n);
/* A string, or NULL (read back as NULL). */
void worker_put_str(struct worker_msg *m, const char *s);

/*
 * Reading, in the order written.  A read past the end, or a string that is
 * not one (no NUL where its length says, a NUL inside), sets m->bad and
 * gives 0 or NULL.  worker_get_str's answer points into m (borrowed until
 * worker_msg_fini); *is_null (may be NULL) tells a NULL string from a bad
 * read.
 */
uint64_t worker_get_u64(struct worker_msg *m);
int64_t worker_get_i64(struct worker_msg *m);
double worker_get_double(struct worker_msg *m);
void worker_get_bytes(struct worker_msg *m, void *out, size_t n);
const char *worker_get_str(struct worker_msg *m, int *is_null);

struct worker_opts {
	double deadline_s;	/* the child is killed this long after the fork; > 0 */
	/* Called about every second while the parent waits (may be NULL). */
	void (*tick)(void *ctx);
	void *tick_ctx;		/* borrowed */
	/* Borrowed, may be NULL: once *term is non-zero, the child is sent
	 * SIGTERM (once), so that it abandons its retry waits. */
	volatile sig_atomic_t *term;
	long peak_kb;		/* out: the child's peak resident memory, kB (0: unknown) */
};

/*
 * worker_run(job, ctx, o, out, e): fork.  The child calls job(ctx, msg) with
 * an empty message, sends the message whatever job returned, and exits with
 * _exit (no atexit handler, no stdio flush: they belong to the parent).  In
 * the parent, out (initialised by the caller) receives the message once the
 * child has exited 0.  Returns 0; or -1 with e set: ERR_IO when no child
 * could be started, ERR_TEMP when the child died (the message names the
 * signal or exit status), overran the deadline and was killed, or sent a
 * malformed or too long message (out is then empty).  o->peak_kb is set
 * whenever a child ran.
 */
int worker_run(void (*job)(void *ctx, struct worker_msg *msg), void *ctx,
    struct worker_opts *o, struct worker_msg *out, struct err *e);

#endif
