/*
 * cmd_audit: `syncd audit verify FILE... [--head SEQ:HASH]`, the offline
 * check of an audit log's hash chain (DESIGN.md "Audit log"), and the
 * dispatch of `syncd audit rotate` (cmd_rotate).  verify is read-only: it
 * never repairs, truncates or appends, so it is safe on evidence.
 *
 * Several files are the segments of one chain, oldest first (audit.jsonl-*
 * then audit.jsonl): each file after the first must begin where the one
 * before it ended (its first line's seq and prev continue that head).  A
 * single file that begins a segment (audit.rotated, or recovery with
 * last_head) verifies on its own, and the head it continues is printed.
 *
 * Exit status: 0 the chain is intact (and holds the published head, when
 * given); 1 the chain is broken, the last line is torn, a file does not
 * continue the one before it, or the files do not hold the published head;
 * 64 usage; 66 a file cannot be opened; 74 a read error.  On success it
 * prints "ok: N lines, head SEQ:HASH"; on failure it names the first line
 * that breaks the chain and the last good head.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "syncd/audit.h"
#include "syncd/audit_report.h"
#include "syncd/audit_show.h"
#include "syncd/cmd_audit.h"
#include "syncd/cmd_rotate.h"
#include "syncd/cmd_seal.h"

#define CMD_AUDIT_FILES_MAX 100000	/* files one verify takes */

static const char usage_text[] =
    "usage: syncd audit verify FILE [--head SEQ:HASH]   (a rotated log: its FILEs in order)\n"
    "       syncd audit rotate [-c FILE]\n"
    "       syncd audit show FILE... [--key K] [--tab T] [--rule R] [--since DATE]\n"
    "                            [--until DATE] [--format text|json|csv]\n"
    "       syncd audit report FILE... [-c CONF] --html OUT\n"
    "       syncd audit seal-init [-c FILE]\n"
    "       syncd audit verify FILE... --seal VKEY [--now YYYY-MM-DDTHH:MM]\n";

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

static int
same_head(const struct audit_head *a, const struct audit_head *b)
{
	return a->seq == b->seq && strcmp(a->hash, b->hash) == 0;
}

/* broken(file, res): the report of a chain that breaks in file. */
static int
broken(const char *file, const struct audit_verify_result *res, uint64_t lines,
    int several)
{
	printf("broken: %s%sline %" PRIu64, several ? file : "", several ? ": " : "",
	    res->bad_line);
	if (res->bad_seq > 0)
		printf(" (seq %" PRIu64 ")", res->bad_seq);
	printf(": %s: %s\n", audit_defect_name(res->defect), res->what);
	printf("last good: %" PRIu64 " lines, head %" PRIu64 ":%s\n", lines,
	    res->head.seq, res->head.hash);
	return 1;
}

/*
 * verify(files, n, expected): verify the chain through files[0..n-1], in
 * order.  Returns the exit status.
 */
static int
verify(char **files, size_t n, const struct audit_head *expected)
{
	struct audit_verify_result res;
	struct audit_head first, last;
	size_t i, at = n;
	uint64_t lines = 0;
	struct err e;

	memset(&first, 0, sizeof(first));
	memset(&last, 0, sizeof(last));
	for (i = 0; i < n; i++) {
		err_init(&e);
		if (audit_verify_file(files[i], NULL, &res, &e) == -1) {
			fprintf(stderr, "syncd: audit verify: %s\n", e.msg);
			if (e.code == ERR_NOINPUT)
				return EX_NOINPUT;
			if (e.code != ERR_DATA)
				return EX_IOERR;
			return broken(files[i], &res, lines + res.lines, n > 1);
		}
		if (i == 0) {
			first = res.start;
		} else if (!same_head(&res.start, &last)) {
			fprintf(stderr, "syncd: audit verify: %s does not continue %s\n",
			    files[i], files[i - 1]);
			printf("broken: %s: line 1 continues head %" PRIu64 ":%s, but %s "
			    "ends at %" PRIu64 ":%s\n", files[i], res.start.seq,
			    res.start.hash, files[i - 1], last.seq, last.hash);
			printf("last good: %" PRIu64 " lines, head %" PRIu64 ":%s\n", lines,
			    last.seq, last.hash);
			return 1;
		}
		if (n > 1)
			printf("%s: %" PRIu64 " lines, seq %" PRIu64 "..%" PRIu64 "\n", files[i],
			    res.lines, res.start.seq + 1, res.head.seq);
		if (expected != NULL && expected->seq > res.start.seq &&
		    expected->seq <= res.head.seq)
			at = i;
		lines += res.lines;
		last = res.head;
	}
	if (expected != NULL) {
		if (at == n) {
			if (expected->seq > last.seq)
				printf("broken: log cut before the published head: it ends "
				    "at seq %" PRIu64 ", the head is seq %" PRIu64 "\n",
				    last.seq, expected->seq);
			else
				printf("broken: the published head seq %" PRIu64 " is in a "
				    "file before %s (which begins at seq %" PRIu64 ")\n",
				    expected->seq, files[0], first.seq + 1);
			printf("last good: %" PRIu64 " lines, head %" PRIu64 ":%s\n", lines,
			    last.seq, last.hash);
			fprintf(stderr, "syncd: audit verify: %s\n", expected->seq > last.seq ?
			    "log cut before the published head" :
			    "the published head is in an earlier file");
			return 1;
		}
		err_init(&e);
		if (audit_verify_file(files[at], expected, &res, &e) == -1) {
			fprintf(stderr, "syncd: audit verify: %s\n", e.msg);
			return broken(files[at], &res, res.lines, n > 1);
		}
	}
	if (first.seq > 0)
		printf("note: %s continues the chain of head %" PRIu64 ":%s "
		    "(an earlier file)\n", files[0], first.seq, first.hash);
	printf("ok: %" PRIu64 " lines, head %" PRIu64 ":%s\n", lines, last.seq, last.hash);
	return 0;
}

int
cmd_audit_main(int argc, char **argv)
{
	struct audit_head head, *expected = NULL;
	char **files;
	size_t n = 0;
	struct err e;
	int i, rc;

	err_init(&e);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return help();
	if (argc >= 2 && strcmp(argv[1], "rotate") == 0)
		return cmd_rotate_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return audit_show_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "report") == 0)
		return audit_report_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "seal-init") == 0)
		return cmd_seal_init_main(argc - 1, argv + 1);
	for (i = 2; argc >= 2 && strcmp(argv[1], "verify") == 0 && i < argc; i++)
		if (strcmp(argv[i], "--seal") == 0 || strncmp(argv[i], "--seal=", 7) == 0)
			return cmd_seal_verify_main(argc - 1, argv + 1);
	if (argc < 2 || strcmp(argv[1], "verify") != 0)
		return usage();
	if ((files = calloc((size_t)argc, sizeof(*files))) == NULL) {
		fprintf(stderr, "syncd: audit verify: out of memory\n");
		return EX_OSERR;
	}
	for (i = 2; i < argc; i++) {
		const char *hv = NULL;

		if (strcmp(argv[i], "--head") == 0 && i + 1 < argc)
			hv = argv[++i];
		else if (strncmp(argv[i], "--head=", 7) == 0)
			hv = argv[i] + 7;
		if (hv != NULL) {
			if (audit_parse_head(hv, &head, &e) == -1) {
				fprintf(stderr, "syncd: audit verify: %s\n", e.msg);
				free(files);
				return EX_USAGE;
			}
			expected = &head;
		} else if (strcmp(argv[i], "--help") == 0) {
			free(files);
			return help();
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			free(files);
			return usage();
		} else if (n < CMD_AUDIT_FILES_MAX) {
			files[n++] = argv[i];
		} else {
			fprintf(stderr, "syncd: audit verify: more than %d files\n",
			    CMD_AUDIT_FILES_MAX);
			free(files);
			return EX_USAGE;
		}
	}
	if (n == 0) {
		free(files);
		return usage();
	}
	rc = verify(files, n, expected);
	free(files);
	return rc;
}
