/*
 * fuzz_line: what syncd reads that LINE or the disk hands it for the daily
 * report, on arbitrary bytes: LINE's error answer (line_parse_error), its
 * quota, consumption and member-count answers (line_parse_number), and the
 * report state file report.json (linereport_state_parse).  An error line is
 * always NUL-terminated within its buffer; a number read is never negative
 * (but the quota's "none", -1); a parsed state that is "started" always has
 * its key and text, and a refused one leaves nothing allocated.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "syncd/line.h"
#include "syncd/linereport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const members[] = { "type", "totalUsage", "count" };
	const char *buf = (const char *)data;
	struct linereport_state st;
	char msg[LINE_MAX_MESSAGE];
	long long v;
	struct err e;
	size_t i;

	memset(msg, 'x', sizeof(msg));
	line_parse_error(buf, size, msg, sizeof(msg));
	if (memchr(msg, '\0', sizeof(msg)) == NULL)
		__builtin_trap();
	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		if (line_parse_number(buf, size, members[i], &v) == 0 &&
		    (v < 0 && !(i == 0 && v == -1)))
			__builtin_trap();
	err_init(&e);
	if (linereport_state_parse(buf, size, "report.json", &st, &e) == 0) {
		if (st.status == LINEREPORT_STARTED &&
		    (st.text == NULL || strlen(st.retry_key) != LINE_RETRY_KEY_LEN))
			__builtin_trap();
		linereport_state_fini(&st);
	} else if (e.code == ERR_NONE || st.text != NULL || st.day != -1) {
		__builtin_trap();
	}
	return 0;
}
