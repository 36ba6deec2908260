/*
 * tabnotes: the tab list of a changed cycle that annotates, with the notes
 * and syncd's objects in the same read (issue 13): ONE spreadsheets.get
 * with no ranges whose field mask (TABNOTES_FIELDS) asks for each tab's
 * properties, the note of every cell (grid data: a field mask that selects
 * it makes includeGridData irrelevant), and the ids of its protected
 * ranges, filter views and charts.  Then the values read follows: two
 * reads in all, and the notes are known before the rules run.
 *
 * What Google sends for such a mask: a tab without a note is "data":[{}];
 * rows without a note before a noted row are {} and so are cells before a
 * noted cell; trailing empty ones are dropped; zero ints (startRow) are
 * omitted.  A 100,000-household province pads about 3 bytes a row, so the
 * answer is scanned in place (tabnotes_parse): no jansson object per {},
 * only the properties, the object lists and each note are decoded, and what
 * is kept is the compact set the annotate plan needs (struct
 * annotate_seen), the answer freed before the values read.  Never logs.
 */
#ifndef SYNCD_TABNOTES_H
#define SYNCD_TABNOTES_H

#include <stddef.h>

#include "auth/err.h"
#include "syncd/annotate.h"
#include "syncd/sheets.h"
#include "syncd/sheets_parse.h"

/* The combined read's field mask. */
#define TABNOTES_FIELDS "sheets(properties(sheetId,title,index)," \
	"data(startRow,startColumn,rowData.values.note)," \
	"protectedRanges.protectedRangeId,filterViews.filterViewId,charts.chartId)"

/* What to keep of a tab: its notes, its objects' ids (and whether it holds
 * a chart). */
#define TABNOTES_NOTES		1
#define TABNOTES_OBJECTS	2

struct tabnotes_keep {
	/* which of TABNOTES_* to keep of the tab of that title (borrowed for
	 * the call) */
	unsigned (*what)(const void *ctx, const char *title);
	const void *ctx;
};

/*
 * tabnotes_parse(body, len, keep, tabs, seen, e): the tabs of the answer
 * (as sheets_parse_tabs gives them) and, of the tabs keep names, the notes
 * (a person's note without its text: only syncd's marked notes keep theirs)
 * and the object ids.  seen->read lists the sheetIds whose notes were kept,
 * seen->charted those of object tabs holding a chart.  Returns 0 with *tabs
 * and *seen filled (sheets_tabs_fini, annotate_seen_fini), or -1 with e set
 * (ERR_DATA: not the expected JSON, nested past SHEETS_MAX_JSON_DEPTH, past
 * a limit; ERR_NOMEM) and both empty.
 */
int tabnotes_parse(const char *body, size_t len, const struct tabnotes_keep *keep,
    struct sheets_tabs *tabs, struct annotate_seen *seen, struct err *e);

/*
 * tabnotes_read(sh, keep, tabs, seen, bytes, e): the read itself
 * (sheets_get_fields with TABNOTES_FIELDS), parsed, its answer freed.
 * *bytes (when not NULL) is the answer's size.  Returns 0, or -1 with e set
 * (the client's errors, or tabnotes_parse's).
 */
int tabnotes_read(struct sheets *sh, const struct tabnotes_keep *keep,
    struct sheets_tabs *tabs, struct annotate_seen *seen, size_t *bytes, struct err *e);

#endif
