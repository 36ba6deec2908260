/*
 * fuzz_annotate: the reader of the notes read's answer (annotate_parse, a
 * spreadsheets.getByDataFilter answer from Google) on arbitrary bytes.  A
 * parsed answer holds notes with text and cells inside 32 bits, within its
 * limits; a failure says why and leaves nothing allocated.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "syncd/annotate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct annotate_seen s;
	struct err e;
	size_t i;

	err_init(&e);
	if (annotate_parse((const char *)data, size, &s, &e) == 0) {
		if (err_is_set(&e) || s.nnotes > ANNOTATE_MAX_NOTES ||
		    s.nids > ANNOTATE_MAX_OBJECTS)
			__builtin_trap();
		for (i = 0; i < s.nnotes; i++)
			if (s.notes[i].text == NULL || s.notes[i].text[0] == '\0')
				__builtin_trap();
		annotate_seen_fini(&s);
	} else if (e.code == ERR_NONE || s.notes != NULL || s.ids != NULL) {
		__builtin_trap();
	}
	return 0;
}
