/*
 * jsonout: one JSON string writer for every streamed document (see
 * jsonout.h).  Runs of plain bytes go out with one fwrite; only the bytes
 * JSON must escape are handled one by one.
 */
#include "syncd/jsonout.h"

void
jsonout_string(FILE *f, const char *s)
{
	const char *run;
	unsigned char c;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (;;) {
		run = s;
		for (c = (unsigned char)*s; c >= 0x20 && c != '"' && c != '\\';
		    c = (unsigned char)*s)
			s++;
		if (s > run)
			fwrite(run, 1, (size_t)(s - run), f);
		if (c == '\0')
			break;
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default: fprintf(f, "\\u%04X", (unsigned)c); break;
		}
		s++;
	}
	fputc('"', f);
}
