/*
 * fuzz_cellfile: libFuzzer target for the last-values file (cells.dat).  It
 * is our own file, but a disk error or an operator's edit can corrupt it,
 * and the contract is "a clear error, never a crash": the input becomes
 * DIR/cells.dat; when it is accepted, a cycle of two rows (one matching a
 * likely identity) compares, reports the gone rows (reading each back) and
 * commits; the committed file must then be accepted again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syncd/cellfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t calls;

static void
changed(const char *column, const char *old, const char *now, void *ctx)
{
	(void)ctx;
	calls += strlen(column) + strlen(old) + strlen(now) > 0;
}

static void
gone(const char *tab, const char *id, const char *column, const char *old, void *ctx)
{
	(void)ctx;
	calls += strlen(tab) + strlen(id) + strlen(column) + strlen(old) > 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const cols[] = { "k", "v" };
	static const char *const v1[] = { "1", "a" }, *const v2[] = { "", "" };
	static char dir[64];
	char path[128];
	struct cellfile *cf;
	struct err e;
	FILE *f;
	int ok;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/fuzz_cellfile.XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	snprintf(path, sizeof(path), "%s/%s", dir, CELLFILE_NAME);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	err_init(&e);
	cf = cellfile_begin(dir, cols, 2, &e);
	if (cf == NULL) {
		if (e.code == 0)
			abort();	/* a failure must say why */
		return 0;
	}
	ok = cellfile_row(cf, "T", "1", v1, changed, NULL, &e) == 0 &&
	    cellfile_row(cf, "T", "#2", v2, changed, NULL, &e) == 0 &&
	    cellfile_gone(cf, gone, NULL, &e) == 0;
	if (ok && cellfile_commit(cf, &e) != 0)
		abort();
	if (!ok && e.code != ERR_DATA)
		abort();	/* only a damaged old row may stop the cycle */
	cellfile_free(cf);
	err_init(&e);
	cf = cellfile_begin(dir, cols, 2, &e);
	if (ok ? cf == NULL : (cf == NULL && e.code != ERR_DATA))
		abort();	/* what we committed reads back */
	cellfile_free(cf);
	return 0;
}
