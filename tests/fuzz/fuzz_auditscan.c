/*
 * fuzz_auditscan: libFuzzer target for the reader behind `syncd audit show`,
 * `audit report` and `audit verify --seal` (syncd/auditscan.c), which reads
 * logs an attacker may have touched, and for the verification key and
 * --since/--until parsers.  The input is the log's bytes in a memfd, read
 * through /proc/self/fd.  Beyond "no crash, no leak": a log the reader
 * finds intact is intact for audit_verify_fd too, with the same head.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "syncd/audit.h"
#include "syncd/auditscan.h"
#include "syncd/seal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct auditscan_result res;
	struct audit_verify_result vres;
	struct seal_vkey vk;
	struct err e;
	char text[128];
	time_t t;
	size_t n;

	if (fd == -1) {
		fd = memfd_create("fuzz_auditscan", MFD_CLOEXEC);
		if (fd == -1)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) == -1 ||
	    (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();

	n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
	memcpy(text, data, n);
	text[n] = '\0';
	err_init(&e);
	(void)seal_parse_vkey(text, &vk, &e);
	(void)auditscan_parse_when(text, 0, &t);
	(void)auditscan_parse_when(text, 1, &t);
	(void)auditscan_parse_ts(text, &t);

	err_init(&e);
	if (auditscan_file(path, NULL, NULL, &res, &e) == 0) {
		err_init(&e);
		if (audit_verify_fd(fd, NULL, &vres, &e) != 0)
			abort();	/* intact for one reader, broken for the other */
		if (vres.head.seq != res.head_seq ||
		    strcmp(vres.head.hash, res.head_hash) != 0)
			abort();
	}
	return 0;
}
