/*
 * err: the first-error-wins error record shared by auth/ and syncd/ (see
 * err.h for why it lives here).  Formats into the caller's struct, nothing
 * else: no I/O, no globals.
 */
#include "auth/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
err_init(struct err *e)
{
	memset(e, 0, sizeof(*e));
}

/* one_line(s): newlines become spaces. */
static void
one_line(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

void
err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL || e->code != ERR_NONE)
		return;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	one_line(e->msg);
}

void
err_fatal(struct err *e, enum err_code code, const char *fmt, ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	if (e == NULL || e->fatal)
		return;
	/* Formatted aside first: the arguments may be e's own message. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e->code = code;
	e->fatal = 1;
	e->status = 0;
	memcpy(e->msg, msg, sizeof(e->msg));
	one_line(e->msg);
}

int
err_is_set(const struct err *e)
{
	return e != NULL && e->code != ERR_NONE;
}

int
err_is_fatal(const struct err *e)
{
	return e != NULL && e->fatal;
}
