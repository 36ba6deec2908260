/*
 * fuzz_audit: libFuzzer target for the audit-log verifier, which reads files
 * an attacker may have touched.  The input is the log's bytes, held in a
 * memfd.  Beyond "no crash, no leak", it checks two properties: a log that
 * verifies also verifies against its own head, and fails against a head one
 * line further on.  The first line of the input also goes to the --head
 * parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "syncd/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct audit_verify_result res, res2;
	struct audit_head h;
	struct err e;
	char text[128];
	size_t n;

	if (fd == -1) {
		fd = memfd_create("fuzz_audit", MFD_CLOEXEC);
		if (fd == -1)
			abort();
	}
	if (ftruncate(fd, 0) == -1 ||
	    (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();

	n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	err_init(&e);
	(void)audit_parse_head(text, &h, &e);

	err_init(&e);
	if (audit_verify_fd(fd, NULL, &res, &e) == 0 && res.lines > 0) {
		err_init(&e);
		if (audit_verify_fd(fd, &res.head, &res2, &e) != 0)
			abort();	/* its own head must match */
		h = res.head;
		h.seq++;
		err_init(&e);
		if (audit_verify_fd(fd, &h, &res2, &e) == 0 ||
		    res2.defect != AUDIT_HEAD_MISSING)
			abort();	/* a head past the end must not */
	}
	return 0;
}
