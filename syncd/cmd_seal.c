/*
 * cmd_seal: `syncd audit seal-init [-c CONF]` and `syncd audit verify FILE
 * --seal VKEY [--now YYYY-MM-DDTHH:MM]` (see seal.h for the scheme).
 *
 * seal-init prints the verification key once, on standard output, and
 * nothing else there; it is never stored.  verify --seal never repeats a
 * key it was given, not even a malformed one.
 *
 * Exit status: 0 sealed and intact; 1 a seal or the chain does not verify;
 * 64 usage (a verification key of the wrong length or format); 65 the key
 * file exists already; 66 no such log or configuration; 73 the key file
 * cannot be created; 74 I/O; 78 bad configuration.
 */
#include "syncd/cmd_seal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>

#include <openssl/crypto.h>

#include "syncd/auditscan.h"
#include "syncd/config.h"
#include "syncd/seal.h"
#include "syncd/today.h"

static int
usage_init(FILE *f)
{
	fputs("usage: syncd audit seal-init [-c FILE]\n", f);
	return f == stdout ? 0 : EX_USAGE;
}

static int
usage_verify(FILE *f)
{
	fputs("usage: syncd audit verify FILE... --seal VKEY [--now YYYY-MM-DDTHH:MM]\n", f);
	return f == stdout ? 0 : EX_USAGE;
}

int
cmd_seal_init_main(int argc, char **argv)
{
	const char *conf = CONFIG_DEFAULT_PATH;
	char vkey[SEAL_VKEY_MAX];
	struct config *cfg;
	struct stat st;
	struct err e;
	int i, rc;

	err_init(&e);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			conf = argv[++i];
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return usage_init(stdout);
		else
			return usage_init(stderr);
	}
	if (stat(conf, &st) == -1) {
		fprintf(stderr, "syncd: audit seal-init: %s: %s\n", conf, strerror(errno));
		return EX_NOINPUT;
	}
	if ((cfg = config_load(conf, CONFIG_NO_CREDENTIALS, &e)) == NULL) {
		fprintf(stderr, "syncd: audit seal-init: %s\n", e.msg);
		return e.code == ERR_NOINPUT ? EX_NOINPUT : EX_CONFIG;
	}
	rc = seal_init(cfg->state_dir, time(NULL), vkey, sizeof(vkey), &e);
	config_free(cfg);
	if (rc == -1) {
		fprintf(stderr, "syncd: audit seal-init: %s\n", e.msg);
		return e.code == ERR_DATA ? EX_DATAERR : EX_CANTCREAT;
	}
	printf("%s\n", vkey);
	fflush(stdout);
	OPENSSL_cleanse(vkey, sizeof(vkey));
	fputs("syncd: audit seal-init: the line above is the verification key: "
	    "keep it away from this host (it is shown once and never stored); "
	    "check the log with: syncd audit verify LOG --seal KEY\n", stderr);
	return 0;
}

int
cmd_seal_verify_main(int argc, char **argv)
{
	const char *files[AUDITSCAN_FILES_MAX], *key = NULL, *now_s = NULL;
	size_t nfiles = 0;
	struct seal_result res;
	struct seal_vkey vk;
	struct err e;
	time_t now = time(NULL);
	int i, rc;

	err_init(&e);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seal") == 0 && i + 1 < argc)
			key = argv[++i];
		else if (strncmp(argv[i], "--seal=", 7) == 0)
			key = argv[i] + 7;
		else if (strcmp(argv[i], "--now") == 0 && i + 1 < argc)
			now_s = argv[++i];
		else if (strcmp(argv[i], "--help") == 0)
			return usage_verify(stdout);
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return usage_verify(stderr);
		else if (nfiles < AUDITSCAN_FILES_MAX)
			files[nfiles++] = argv[i];
		else
			return usage_verify(stderr);
	}
	if (nfiles == 0 || key == NULL)
		return usage_verify(stderr);
	if (now_s != NULL && (strlen(now_s) != 16 ||
	    auditscan_parse_when(now_s, 0, &now) == -1)) {
		fprintf(stderr, "syncd: audit verify: --now \"%s\": want "
		    "YYYY-MM-DDTHH:MM (Asia/Bangkok)\n", now_s);
		return EX_USAGE;
	}
	if (seal_parse_vkey(key, &vk, &e) == -1) {
		fprintf(stderr, "syncd: audit verify: --seal: %s\n", e.msg);
		return EX_USAGE;
	}
	rc = seal_verify_files(files, nfiles, &vk, now, &res, &e);
	OPENSSL_cleanse(&vk, sizeof(vk));
	if (rc == 0) {
		char d1[16], d2[16];

		today_format(res.first_epoch, d1, sizeof(d1));
		today_format(res.last_epoch, d2, sizeof(d2));
		printf("ok: sealed, %" PRIu64 " seals verify, epochs %s to %s\n",
		    res.seals, d1, d2);
		return 0;
	}
	fprintf(stderr, "syncd: audit verify: %s\n", e.msg);
	if (e.code == ERR_NOINPUT)
		return EX_NOINPUT;
	if (e.code != ERR_DATA)
		return EX_IOERR;
	printf("broken: %s\n", e.msg);
	return 1;
}
