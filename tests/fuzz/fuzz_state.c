/*
 * fuzz_state: libFuzzer target for the state-file loader.  state.json is our
 * own file, but a disk error or an operator's edit can corrupt it, and the
 * contract is "a clear error, never a crash".  The input becomes
 * DIR/state.json; a load that succeeds must also survive a save and a second
 * load with the same counts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syncd/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64];
	char path[128];
	struct state *s, *t;
	struct err e;
	FILE *f;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/fuzz_state.XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	snprintf(path, sizeof(path), "%s/state.json", dir);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	err_init(&e);
	s = state_load(dir, &e);
	if (s == NULL) {
		if (e.code == 0)
			abort();	/* a failure must say why */
		return 0;
	}
	if (state_save(s, dir, &e) != 0)
		abort();
	t = state_load(dir, &e);
	if (t == NULL || state_sheets_count(t) != state_sheets_count(s) ||
	    state_objects_count(t) != state_objects_count(s) ||
	    state_noted_count(t) != state_noted_count(s) ||
	    state_first_seen_count(t) != state_first_seen_count(s) ||
	    state_cycle(t) != state_cycle(s))
		abort();
	state_free(t);
	state_free(s);
	return 0;
}
