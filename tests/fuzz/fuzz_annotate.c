/*
 * fuzz_annotate: the reader of the tab list that brings the notes and our
 * tabs' objects (tabnotes_parse, a spreadsheets.get answer from Google) on
 * arbitrary bytes.  A parsed answer holds titled tabs within
 * SHEETS_MAX_TABS, notes whose kept text is syncd's marked one, within its
 * limits; a failure says why and leaves nothing allocated.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "syncd/tabnotes.h"
#include "syncd/writer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every other tab's notes, every tab's objects. */
static unsigned
what(const void *ctx, const char *title)
{
	(void)ctx;
	return (title[0] & 1) ? TABNOTES_NOTES : TABNOTES_OBJECTS;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tabnotes_keep keep = { what, NULL };
	struct sheets_tabs t;
	struct annotate_seen s;
	struct err e;
	size_t i;

	err_init(&e);
	if (tabnotes_parse((const char *)data, size, &keep, &t, &s, &e) == 0) {
		if (err_is_set(&e) || t.n > SHEETS_MAX_TABS || s.nnotes > ANNOTATE_MAX_NOTES ||
		    s.nids > ANNOTATE_MAX_OBJECTS)
			__builtin_trap();
		for (i = 0; i < t.n; i++)
			if (t.tabs[i].title == NULL || t.tabs[i].title[0] == '\0')
				__builtin_trap();
		for (i = 0; i < s.nnotes; i++)
			if (s.notes[i].text != NULL &&
			    strncmp(s.notes[i].text, WRITER_NOTE_MARK, strlen(WRITER_NOTE_MARK)) != 0)
				__builtin_trap();
		sheets_tabs_fini(&t);
		annotate_seen_fini(&s);
	} else if (e.code == ERR_NONE || t.tabs != NULL || s.notes != NULL || s.ids != NULL) {
		__builtin_trap();
	}
	return 0;
}
