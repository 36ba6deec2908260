/*
 * fakesheets: a Google Sheets API v4 emulator for syncd's tests, benchmarks
 * and demo (DESIGN.md, "The emulator tests/fakesheets").
 *
 *   fakesheets [--workbook FILE]... [--service-account KEY.json]
 *              [--tls-cert FILE --tls-key FILE] [--port N]
 *
 * It loads the workbooks, listens on 127.0.0.1, prints "listening on URL"
 * as its first line of standard output, and serves until SIGTERM or SIGINT.
 * It is a test tool: it must never be pointed at, or hold, a real credential.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "auth/key.h"
#include "tests/fakesheets/server.h"
#include "tests/fakesheets/sheets.h"

#define MAX_WORKBOOKS	SHEETS_MAX_BOOKS
#define MAX_PEM		(1024 * 1024)

static void
usage(void)
{
	fprintf(stderr, "usage: fakesheets [--workbook FILE]... "
	    "[--service-account KEY.json] [--tls-cert FILE --tls-key FILE] "
	    "[--port N]\n");
	exit(64);
}

/* Read a whole small file; owned NUL-terminated string or NULL. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;
	long len;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    len <= MAX_PEM && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)len + 1)) != NULL) {
		n = fread(buf, 1, (size_t)len, f);
		buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

int
main(int argc, char **argv)
{
	const char *workbooks[MAX_WORKBOOKS], *sa = NULL, *cert = NULL;
	const char *tkey = NULL;
	struct server_opts o;
	struct sheets_state *st;
	struct auth_key *key = NULL;
	struct server *srv;
	struct err e;
	json_error_t je;
	json_t *doc;
	char url[128], msg[512], *cert_pem = NULL, *key_pem = NULL, *end;
	int nwb = 0, i, sig;
	long port = 0;
	sigset_t set;

	for (i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--workbook") == 0 && nwb < MAX_WORKBOOKS)
			workbooks[nwb++] = argv[++i];
		else if (strcmp(argv[i], "--service-account") == 0)
			sa = argv[++i];
		else if (strcmp(argv[i], "--tls-cert") == 0)
			cert = argv[++i];
		else if (strcmp(argv[i], "--tls-key") == 0)
			tkey = argv[++i];
		else if (strcmp(argv[i], "--port") == 0) {
			errno = 0;
			port = strtol(argv[++i], &end, 10);
			if (errno != 0 || *end != '\0' || port < 0 || port > 65535)
				usage();
		} else
			usage();
	}
	if ((cert == NULL) != (tkey == NULL))
		usage();
	st = sheets_new();
	if (st == NULL)
		return 71;
	for (i = 0; i < nwb; i++) {
		doc = json_load_file(workbooks[i], 0, &je);
		if (doc == NULL) {
			fprintf(stderr, "fakesheets: %s:%d: %s\n", workbooks[i],
			    je.line, je.text);
			return 65;
		}
		if (sheets_put(st, doc, msg, sizeof(msg)) == -1) {
			fprintf(stderr, "fakesheets: %s: %s\n", workbooks[i], msg);
			return 65;
		}
		json_decref(doc);
	}
	err_init(&e);
	if (sa != NULL && (key = auth_key_load(sa, &e)) == NULL) {
		fprintf(stderr, "fakesheets: %s\n", e.msg);
		return 78;
	}
	if (cert != NULL) {
		cert_pem = slurp(cert);
		key_pem = slurp(tkey);
		if (cert_pem == NULL || key_pem == NULL) {
			fprintf(stderr, "fakesheets: cannot read %s or %s\n", cert,
			    tkey);
			return 66;
		}
	}
	/* Block the signals in every thread; main waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	memset(&o, 0, sizeof(o));
	o.sheets = st;
	o.key = key;
	o.tls_cert_pem = cert_pem;
	o.tls_key_pem = key_pem;
	o.port = (unsigned short)port;
	srv = server_start(&o, url, sizeof(url), msg, sizeof(msg));
	if (srv == NULL) {
		fprintf(stderr, "fakesheets: %s\n", msg);
		return 69;
	}
	printf("listening on %s\n", url);
	fflush(stdout);
	for (;;) {
		if (sigwait(&set, &sig) != 0 || sig != SIGHUP)
			break;
	}
	server_stop(srv);
	sheets_free(st);
	auth_key_free(key);
	if (key_pem != NULL)
		OPENSSL_cleanse(key_pem, strlen(key_pem));
	free(key_pem);
	free(cert_pem);
	return 0;
}
