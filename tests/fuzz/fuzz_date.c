/*
 * fuzz_date: the activity-date parser on arbitrary bytes.
 *
 * rules_date_parse reads whatever a district typed into a date cell (every
 * spelling of DOMAIN.md, Thai digits and month names, serial numbers).  It
 * must answer "valid date" or "invalid date" for any bytes, never crash or
 * read outside the cell: the input is copied into a buffer of exactly its
 * size.  The first byte says whether the cell was a JSON number (bit 0).
 * An accepted date must be a real calendar day: converting it to a civil
 * date and back gives the same day number.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int32_t days = 0;
	int is_number, y, m, d;
	char *buf;

	if (size < 1)
		return 0;
	is_number = data[0] & 1;
	data++;
	size--;
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	if (rules_date_parse(buf, size, is_number, &days) == 0) {
		rules_civil_from_days(days, &y, &m, &d);
		if (m < 1 || m > 12 || d < 1 || d > 31 ||
		    rules_days_from_civil(y, m, d) != days)
			__builtin_trap();
	}
	free(buf);
	return 0;
}
