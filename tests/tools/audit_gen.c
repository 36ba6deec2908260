/*
 * audit_gen: writes an audit log through the real audit module, for the
 * end-to-end script and for measurements.  Never used by the daemon.
 *
 * usage: audit_gen FILE N [PAD]   append N events (cycle and cell.changed in
 *                                 turn, Thai text) to FILE, each with PAD
 *                                 extra bytes of message (default 0), fsync
 *                                 once at the end, print the head SEQ:HASH.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/audit.h"

int
main(int argc, char **argv)
{
	struct err e;
	struct audit *a;
	char hash[65], *pad;
	unsigned long long n, i, padlen = 0;
	uint64_t seq;
	int rc;

	if (argc < 3) {
		fputs("usage: audit_gen FILE N [PAD]\n", stderr);
		return 64;
	}
	n = strtoull(argv[2], NULL, 10);
	if (argc > 3)
		padlen = strtoull(argv[3], NULL, 10);
	if (padlen > AUDIT_EVENT_MAX / 2) {
		fputs("audit_gen: PAD too large\n", stderr);
		return 64;
	}
	pad = malloc(padlen + 1);
	if (pad == NULL)
		return 1;
	memset(pad, 'p', padlen);
	pad[padlen] = '\0';
	err_init(&e);
	a = audit_open(argv[1], NULL, NULL, &e);
	if (a == NULL) {
		fprintf(stderr, "audit_gen: %s\n", e.msg);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (i % 2 == 0)
			rc = audit_append_pack(a, &e, "cell.changed",
			    "{s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "tab", "บางคล้า",
			    "row", (json_int_t)(i + 3), "key", "24010012345",
			    "column", "คร. ที่พัฒนาได้", "old", "\"q\"\\", "new", "1",
			    "note", pad);
		else
			rc = audit_append_pack(a, &e, "cycle",
			    "{s:s, s:I, s:i, s:i, s:s}", "version", "42",
			    "errors", (json_int_t)i, "api_requests", 2,
			    "duration_ms", 130, "note", pad);
		if (rc != 0) {
			fprintf(stderr, "audit_gen: %s\n", e.msg);
			return 1;
		}
	}
	if (audit_sync(a, &e) != 0) {
		fprintf(stderr, "audit_gen: %s\n", e.msg);
		return 1;
	}
	audit_head(a, &seq, hash);
	printf("%" PRIu64 ":%s\n", seq, hash);
	audit_close(a);
	free(pad);
	return 0;
}
