/*
 * seal_gen: writes a sealed audit log through the real audit and seal
 * modules over several days of a pretend clock, for t_audit_seal.sh.
 * Never used by the daemon.
 *
 * usage: seal_gen STATE_DIR LOG YYYY-MM-DD DAYS [SKIP]
 *   seal-init at 09:00 (Asia/Bangkok) of the first day (the verification
 *   key goes to standard output), then each day at 10:00 and 15:00 two
 *   events and a sync (each sync seals), and at 23:59 an idle tick; day
 *   SKIP (1-based, optional) has no activity and no tick at all, as if the
 *   daemon were down: the next day's first sync closes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/audit.h"
#include "syncd/seal.h"
#include "syncd/today.h"

static time_t clock_now;

static time_t
pretend(void *ctx)
{
	(void)ctx;
	return clock_now;
}

static time_t
at(int32_t day, int hh, int mm)
{
	return (time_t)day * 86400 - TODAY_BANGKOK_OFFSET + hh * 3600 + mm * 60;
}

int
main(int argc, char **argv)
{
	char vkey[SEAL_VKEY_MAX];
	struct audit *a;
	struct err e;
	int32_t day0;
	long days, skip = 0, d;
	int h, rc = 0;

	if (argc < 5 || today_parse(argv[3], &day0) == -1) {
		fputs("usage: seal_gen STATE_DIR LOG YYYY-MM-DD DAYS [SKIP]\n", stderr);
		return 64;
	}
	days = strtol(argv[4], NULL, 10);
	if (argc > 5)
		skip = strtol(argv[5], NULL, 10);
	err_init(&e);
	clock_now = at(day0, 9, 0);
	if (seal_init(argv[1], clock_now, vkey, sizeof(vkey), &e) == -1) {
		fprintf(stderr, "seal_gen: %s\n", e.msg);
		return 1;
	}
	printf("%s\n", vkey);
	if ((a = audit_open(argv[2], pretend, NULL, &e)) == NULL ||
	    seal_attach(a, argv[1], &e) == -1) {
		fprintf(stderr, "seal_gen: %s\n", e.msg);
		return 1;
	}
	for (d = 0; d < days && rc == 0; d++) {
		if (d + 1 == skip)
			continue;
		for (h = 10; h <= 15 && rc == 0; h += 5) {
			clock_now = at(day0 + (int32_t)d, h, 0);
			rc = audit_append_pack(a, &e, "cell.changed",
			    "{s:s, s:I, s:s, s:s, s:s, s:s}", "tab", "บางคล้า",
			    "row", (json_int_t)(d + 3), "key", "24010012345",
			    "column", "วันที่ดำเนินการ", "old", "", "new", "15/02/2567");
			if (rc == 0)
				rc = audit_append_pack(a, &e, "cycle", "{s:s, s:I}",
				    "version", "7", "errors", (json_int_t)d);
			if (rc == 0)
				rc = audit_sync(a, &e);
		}
		clock_now = at(day0 + (int32_t)d, 23, 59);
		if (rc == 0)
			rc = audit_seal_tick(a, &e);
	}
	if (rc != 0)
		fprintf(stderr, "seal_gen: %s\n", e.msg);
	audit_close(a);
	return rc == 0 ? 0 : 1;
}
