/*
 * fuzz_sheetjson: the JSON reader on arbitrary bytes, through both entry
 * points.
 *
 * sheetjson_parse reads workbook files a user hands to `syncd check`, and
 * sheetjson_parse_batchget reads what comes back from the network; both must
 * refuse junk with ERR_DATA and a message, never crash, leak, recurse without
 * bound or read outside the buffer.  The input is copied into a buffer of
 * exactly its size so AddressSanitizer sees any read past the end.  Every
 * input goes through both, so plain JSON seeds serve both; the batchGet
 * parse gets 0-3 requested titles (or none at all) from the input's size.
 * Whatever is accepted must be a well-formed view: every string readable
 * (kept text is packed into the buffer, which then shrinks and may move, so
 * each string's bytes are read here for AddressSanitizer to check) and no
 * longer than the input, valid types, bounded counts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/sheetjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_text(const char *text, size_t len, size_t size)
{
	volatile unsigned char sink = 0;
	size_t i;

	/* Unescaped text is never longer than its JSON (booleans: "TRUE"). */
	if (len > size)
		__builtin_trap();
	for (i = 0; i < len; i++)
		sink ^= (unsigned char)text[i];
	(void)sink;
}

static void
check_view(const struct workbook *wb, size_t size)
{
	size_t i, j, k, cells = 0;

	if (wb->ntabs > SHEETJSON_MAX_TABS)
		__builtin_trap();
	if (wb->spreadsheet_id != NULL)
		check_text(wb->spreadsheet_id, strlen(wb->spreadsheet_id), size);
	if (wb->title != NULL)
		check_text(wb->title, strlen(wb->title), size);
	for (i = 0; i < wb->ntabs; i++) {
		const struct workbook_tab *t = &wb->tabs[i];

		if (t->title == NULL || t->title[0] == '\0')
			__builtin_trap();
		check_text(t->title, strlen(t->title), size);
		for (j = 0; j < t->nrows; j++) {
			const struct workbook_row *r = &t->rows[j];

			if (r->ncells > SHEETJSON_MAX_COLUMNS)
				__builtin_trap();
			for (k = 0; k < r->ncells; k++) {
				const struct workbook_cell *c = &r->cells[k];

				cells++;
				if (c->type == WORKBOOK_EMPTY) {
					if (c->text != NULL || c->len != 0)
						__builtin_trap();
					continue;
				}
				if (c->type > WORKBOOK_BOOL || c->text == NULL)
					__builtin_trap();
				check_text(c->text, c->len, size);
				if (memchr(c->text, '\0', c->len) != NULL)
					__builtin_trap();
			}
		}
	}
	if (cells > SHEETJSON_MAX_CELLS)
		__builtin_trap();
}

/* run(data, size, req): one parse of a private copy; traps on a broken contract. */
static void
run(const uint8_t *data, size_t size, int batch, const struct sheetjson_request *req)
{
	struct sheetjson_doc *wf;
	struct err e;
	char *buf = malloc(size ? size : 1);

	if (buf == NULL)
		return;
	memcpy(buf, data, size);
	err_init(&e);
	if (batch)
		wf = sheetjson_parse_batchget(buf, size, req, &e);
	else
		wf = sheetjson_parse(buf, size, "fuzz", &e);
	if (wf == NULL) {
		if (e.code != ERR_DATA || e.msg[0] == '\0')
			__builtin_trap();
		return;
	}
	if (err_is_set(&e))
		__builtin_trap();
	check_view(sheetjson_view(wf), size);
	sheetjson_free(wf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const titles[] = { "Sheet1", "บางคล้า", "Jon's Data" };
	struct sheetjson_request req = { "fuzz", titles, size % 4 };

	run(data, size, 0, NULL);
	/* 0 to 3 requested titles, or (size % 4 == 3) no request at all. */
	run(data, size, 1, req.ntitles == 3 ? NULL : &req);
	return 0;
}
