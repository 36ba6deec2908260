/*
 * cmd_audit: `syncd audit verify FILE [--head SEQ:HASH]`, the offline check
 * of an audit log's hash chain (DESIGN.md "Audit log").  Read-only: it never
 * repairs, truncates or appends, so it is safe on evidence.
 *
 * Exit status: 0 the chain is intact (and holds the published head, when
 * given); 1 the chain is broken, the last line is torn, or the log does not
 * hold the published head; 64 usage; 66 the file cannot be opened; 74 a read
 * error.  On success it prints "ok: N lines, head SEQ:HASH"; on failure it
 * names the first line that breaks the chain and the last good head.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "syncd/audit.h"
#include "syncd/cmd_audit.h"

static const char usage_text[] = "usage: syncd audit verify FILE [--head SEQ:HASH]\n";

static int
usage(void)
{
	fputs(usage_text, stderr);
	return EX_USAGE;
}

/* help(): --help answers on standard output and succeeds. */
static int
help(void)
{
	fputs(usage_text, stdout);
	return 0;
}

int
cmd_audit_main(int argc, char **argv)
{
	struct audit_verify_result res;
	struct audit_head head, *expected = NULL;
	const char *file = NULL;
	struct err e;
	int i;

	err_init(&e);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return help();
	if (argc < 2 || strcmp(argv[1], "verify") != 0)
		return usage();
	for (i = 2; i < argc; i++) {
		const char *hv = NULL;

		if (strcmp(argv[i], "--head") == 0 && i + 1 < argc)
			hv = argv[++i];
		else if (strncmp(argv[i], "--head=", 7) == 0)
			hv = argv[i] + 7;
		if (hv != NULL) {
			if (audit_parse_head(hv, &head, &e) == -1) {
				fprintf(stderr, "syncd: audit verify: %s\n", e.msg);
				return EX_USAGE;
			}
			expected = &head;
		} else if (strcmp(argv[i], "--help") == 0) {
			return help();
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			return usage();
		} else if (file == NULL) {
			file = argv[i];
		} else {
			return usage();
		}
	}
	if (file == NULL)
		return usage();
	if (audit_verify_file(file, expected, &res, &e) == 0) {
		printf("ok: %" PRIu64 " lines, head %" PRIu64 ":%s\n", res.lines,
		    res.head.seq, res.head.hash);
		return 0;
	}
	fprintf(stderr, "syncd: audit verify: %s\n", e.msg);
	if (e.code == ERR_NOINPUT)
		return EX_NOINPUT;
	if (e.code != ERR_DATA)
		return EX_IOERR;
	if (res.bad_seq > 0)
		printf("broken: line %" PRIu64 " (seq %" PRIu64 "): %s: %s\n",
		    res.bad_line, res.bad_seq, audit_defect_name(res.defect),
		    res.what);
	else
		printf("broken: line %" PRIu64 ": %s: %s\n", res.bad_line,
		    audit_defect_name(res.defect), res.what);
	printf("last good: %" PRIu64 " lines, head %" PRIu64 ":%s\n", res.lines,
	    res.head.seq, res.head.hash);
	return 1;
}
