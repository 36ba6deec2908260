/*
 * state_bench: measures state_save and state_load at the design size, its
 * bulk being the open discrepancies (100,000 by default, one for each
 * household of the design size), each with its first-seen time and fields.
 * A measurement tool, not a test: it asserts nothing about time.
 *
 * usage: state_bench DIR [IDS]
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
	char id[96], detail[256];
	struct err e;
	struct state *s, *t;
	long ids = 100000, i;
	double t0, t1, t2, t3;

	if (argc < 2) {
		fputs("usage: state_bench DIR [IDS]\n", stderr);
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
		printf("first-seen %zu: load %.3f s, %zu MB allocated after load\n",
		    state_first_seen_count(t), secs() - t0,
		    mallinfo2().uordblks / (1024 * 1024));
		state_free(t);
		return 0;
	}
	if (argc > 2)
		ids = strtol(argv[2], NULL, 10);
	s = state_new();
	if (s == NULL) {
		fputs("state_bench: out of memory\n", stderr);
		return 1;
	}
	t0 = secs();
	for (i = 0; i < ids; i++) {
		snprintf(id, sizeof(id), "status.missing|อำเภอ%ld|2401%07ld", i % 11, i);
		snprintf(detail, sizeof(detail), "{\"tab\":\"อำเภอ%ld\",\"row\":%ld,"
		    "\"key\":\"2401%07ld\",\"column\":\"ยากจน\"}", i % 11, i / 11 + 3, i);
		if (state_first_seen_set(s, id, (time_t)1700000000 + i, &e) != 0 ||
		    state_first_seen_set_detail(s, id, detail, &e) != 0) {
			fprintf(stderr, "state_bench: %s\n", e.msg);
			return 1;
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
	printf("first-seen %zu: fill %.3f s, save %.3f s, load %.3f s\n",
	    state_first_seen_count(t), t1 - t0, t2 - t1, t3 - t2);
	state_free(t);
	state_free(s);
	return 0;
}
