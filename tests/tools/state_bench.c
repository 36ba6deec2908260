/*
 * state_bench: measures state_save and state_load at the design size
 * (100,000 households x 16 mapped values by default).  A measurement tool,
 * not a test: it asserts nothing about time.
 *
 * usage: state_bench DIR [ROWS [COLS]]
 *        state_bench DIR load       (only load DIR/state.json: peak memory)
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "syncd/state.h"

static double
secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	char tab[32], key[32], col[64], val[32];
	struct err e;
	struct state *s, *t;
	long rows = 100000, cols = 16, r, c;
	double t0, t1, t2, t3;

	if (argc < 2) {
		fputs("usage: state_bench DIR [ROWS [COLS]]\n", stderr);
		return 64;
	}
	err_init(&e);
	if (argc > 2 && strcmp(argv[2], "load") == 0) {
		t0 = secs();
		t = state_load(argv[1], &e);
		if (t == NULL) {
			fprintf(stderr, "state_bench: %s\n", e.msg);
			return 1;
		}
		printf("cells %zu: load %.3f s, %zu MB allocated after load\n",
		    state_cell_count(t), secs() - t0,
		    mallinfo2().uordblks / (1024 * 1024));
		state_free(t);
		return 0;
	}
	if (argc > 2)
		rows = strtol(argv[2], NULL, 10);
	if (argc > 3)
		cols = strtol(argv[3], NULL, 10);
	err_init(&e);
	s = state_new();
	t0 = secs();
	for (r = 0; r < rows; r++) {
		snprintf(tab, sizeof(tab), "อำเภอ%ld", r % 11);
		snprintf(key, sizeof(key), "2401%07ld", r);
		for (c = 0; c < cols; c++) {
			snprintf(col, sizeof(col), "คอลัมน์ที่ %ld", c);
			snprintf(val, sizeof(val), "%ld", (r * 31 + c) % 1000);
			if (state_cell_set(s, tab, key, col, val, &e) != 0) {
				fprintf(stderr, "state_bench: %s\n", e.msg);
				return 1;
			}
		}
	}
	t1 = secs();
	if (state_save(s, argv[1], &e) != 0) {
		fprintf(stderr, "state_bench: %s\n", e.msg);
		return 1;
	}
	t2 = secs();
	t = state_load(argv[1], &e);
	t3 = secs();
	if (t == NULL) {
		fprintf(stderr, "state_bench: %s\n", e.msg);
		return 1;
	}
	printf("cells %zu: fill %.3f s, save %.3f s, load %.3f s\n",
	    state_cell_count(t), t1 - t0, t2 - t1, t3 - t2);
	state_free(t);
	state_free(s);
	return 0;
}
