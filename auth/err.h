/*
 * err: the error a fallible function fills for its caller.
 *
 * Every fallible function in syncd returns 0 or -1 (or a pointer or NULL) and
 * takes a caller-supplied struct err.  The first error wins: err_set() on an
 * err that already holds one does nothing, so the deepest, most precise
 * message survives the unwinding.  Messages are one line, never hold a secret.
 * No I/O, no globals, and it includes nothing of the project: a leaf.
 *
 * Why it lives in auth/.  Its kinds include the transport's (ERR_HTTP,
 * ERR_API, ERR_AUTH, ERR_TEMP) and it carries an HTTP status, so it cannot
 * live in rules/: the pure engine knows no transport, and auth/ must not
 * depend on rules/.  syncd/ cannot hold it either, since auth/ never uses
 * syncd/.  auth/ is the lowest layer that fails in these ways (its token
 * exchange is the first HTTP the daemon makes, and it fills ERR_AUTH and
 * the status itself), and syncd/ already builds on it, so the type is
 * declared by the transport side and every user sees it through the
 * dependencies it already has; no new top-level folder.  rules/ does not
 * use it at all: the engine's only failure is running out of memory, which
 * rules_evaluate reports as -1 and the caller names (rules/rules.h).
 *
 * Fatal errors.  Some failures mean the process must stop rather than go
 * on (syncd: the audit log or the state lost durability, fsyncgate).  That
 * is a fact of the error, not a third return value: the function returns
 * -1 like any other and err_fatal() marks the error.  "First error wins"
 * would lose such a failure behind an ordinary one recorded earlier (a
 * step's HTTP error, then the log failing while recording it), so a fatal
 * error outranks an ordinary one: err_fatal() replaces an ordinary error e
 * holds, and only an earlier fatal error keeps its place.  The message a
 * fatal exit reports is therefore always the failure that caused it.
 */
#ifndef AUTH_ERR_H
#define AUTH_ERR_H

#include <stddef.h>

#define ERR_MSG_MAX 512

enum err_code {
	ERR_NONE = 0,
	ERR_USAGE,	/* bad command line */
	ERR_DATA,	/* bad input data (unreadable workbook, bad JSON, limit) */
	ERR_NOINPUT,	/* missing or unreadable file */
	ERR_CONFIG,	/* bad configuration or key file */
	ERR_NOMEM,	/* out of memory */
	ERR_IO,		/* system call failed */
	ERR_HTTP,	/* transport failure (connect, TLS, timeout, cut body) */
	ERR_API,	/* the API answered with an error status */
	ERR_AUTH,	/* token endpoint refused us */
	ERR_TEMP,	/* temporary: retry budget exhausted and the like */
};

struct err {
	enum err_code code;
	int fatal;		/* the process must stop (see err_fatal) */
	int status;		/* HTTP status when code is ERR_API/ERR_AUTH, else 0 */
	char msg[ERR_MSG_MAX];
};

/* err_init(e): make e hold no error. */
void err_init(struct err *e);

/*
 * err_set(e, code, fmt, ...): record an error in e unless it already holds
 * one (the first error wins).  e may be NULL.  The message is truncated to
 * ERR_MSG_MAX - 1 bytes and made one line (newlines become spaces).
 */
void err_set(struct err *e, enum err_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* err_is_set(e): non-zero when e holds an error. */
int err_is_set(const struct err *e);

/*
 * err_fatal(e, code, fmt, ...): record a fatal error in e: one after which
 * the process must not go on.  It replaces an ordinary error e holds (its
 * status is cleared); an earlier fatal error wins.  e may be NULL.  The
 * arguments may name e's own message (err_fatal(e, e->code, "%s", e->msg)
 * makes the error e holds fatal).
 */
void err_fatal(struct err *e, enum err_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* err_is_fatal(e): non-zero when e holds a fatal error. */
int err_is_fatal(const struct err *e);

#endif
