/*
 * err: the error a fallible function fills for its caller.
 *
 * Every fallible function in syncd returns 0 or -1 (or a pointer or NULL) and
 * takes a caller-supplied struct err.  The first error wins: err_set() on an
 * err that already holds one does nothing, so the deepest, most precise
 * message survives the unwinding.  Messages are one line, never hold a secret.
 * Pure: no I/O, no globals, so rules/ and auth/ can use it too.
 */
#ifndef RULES_ERR_H
#define RULES_ERR_H

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

#endif
