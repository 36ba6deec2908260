/*
 * err: the first-error-wins error record shared by every module.
 * Pure: formats into the caller's struct, nothing else.
 */
#include "rules/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
err_init(struct err *e)
{
	memset(e, 0, sizeof(*e));
}

void
err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (e == NULL || e->code != ERR_NONE)
		return;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	for (p = e->msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

int
err_is_set(const struct err *e)
{
	return e != NULL && e->code != ERR_NONE;
}
