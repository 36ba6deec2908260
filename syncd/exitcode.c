/* exitcode: see exitcode.h.  No I/O, no state. */
#include "syncd/exitcode.h"

#include <sysexits.h>

int
exitcode_for(const struct err *e)
{
	switch (e->code) {
	case ERR_NOINPUT:
		return EX_NOINPUT;
	case ERR_DATA:
		return EX_DATAERR;
	case ERR_CONFIG:
	case ERR_AUTH:
		return EX_CONFIG;
	case ERR_NOMEM:
		return EX_OSERR;
	case ERR_IO:
		return EX_IOERR;
	case ERR_HTTP:
	case ERR_TEMP:
		return EX_TEMPFAIL;
	case ERR_API:
		if (e->status == 408 || e->status == 429 || e->status >= 500)
			return EX_TEMPFAIL;
		return EX_CONFIG;
	default:
		return EX_SOFTWARE;
	}
}
