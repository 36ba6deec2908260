/*
 * fakesheets: a Google Sheets API v4 emulator for syncd's tests, benchmarks
 * and demo (DESIGN.md, "The emulator tests/fakesheets").
 *
 *   fakesheets [--workbook FILE]... [--service-account KEY.json]
 *              [--tls-cert FILE --tls-key FILE] [--port N]
 *              [--quota reads=N,writes=N,project=N]
 *
 * It loads the workbooks, listens on 127.0.0.1, prints "listening on URL"
 * as its first line of standard output, and serves until SIGTERM or SIGINT.
 * It is a test tool: it must never be pointed at, or hold, a real credential.
 */
#include <errno.h>
#include <getopt.h>
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

/* usage(status): print the synopsis (to stdout for --help) and exit. */
static void
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr, "usage: fakesheets [--workbook FILE]... "
	    "[--service-account KEY.json] [--tls-cert FILE --tls-key FILE] "
	    "[--port N] [--quota reads=N,writes=N,project=N]\n");
	exit(status);
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

/*
 * parse_quota(arg, q): "reads=N,writes=N,project=N" (any of them, any
 * order) into q[0..2].  Returns 0, or -1 on anything else.
 */
static int
parse_quota(const char *arg, int q[3])
{
	static const char *const names[] = { "reads", "writes", "project" };
	const char *p = arg, *eq;
	char *end;
	long v;
	size_t k, n;

	while (*p != '\0') {
		if ((eq = strchr(p, '=')) == NULL)
			return -1;
		n = (size_t)(eq - p);
		for (k = 0; k < 3; k++)
			if (strlen(names[k]) == n && strncmp(p, names[k], n) == 0)
				break;
		if (k == 3)
			return -1;
		errno = 0;
		v = strtol(eq + 1, &end, 10);
		if (errno != 0 || end == eq + 1 || v < 1 || v > 100000 ||
		    (*end != ',' && *end != '\0'))
			return -1;
		q[k] = (int)v;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
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
	enum { OPT_WORKBOOK = 256, OPT_SA, OPT_CERT, OPT_KEY, OPT_PORT, OPT_QUOTA };
	static const struct option longopts[] = {
		{ "workbook", required_argument, NULL, OPT_WORKBOOK },
		{ "service-account", required_argument, NULL, OPT_SA },
		{ "tls-cert", required_argument, NULL, OPT_CERT },
		{ "tls-key", required_argument, NULL, OPT_KEY },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "quota", required_argument, NULL, OPT_QUOTA },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char url[128], msg[512], *cert_pem = NULL, *key_pem = NULL, *end;
	int nwb = 0, i, sig, ch, quota[3] = {0, 0, 0};
	long port = 0;
	sigset_t set;

	/* getopt_long: "--flag value" and "--flag=value" alike. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_WORKBOOK:
			if (nwb >= MAX_WORKBOOKS) {
				fprintf(stderr, "fakesheets: more than %d workbooks\n",
				    MAX_WORKBOOKS);
				usage(64);
			}
			workbooks[nwb++] = optarg;
			break;
		case OPT_SA:
			sa = optarg;
			break;
		case OPT_CERT:
			cert = optarg;
			break;
		case OPT_KEY:
			tkey = optarg;
			break;
		case OPT_PORT:
			errno = 0;
			port = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || port < 0 ||
			    port > 65535)
				usage(64);
			break;
		case OPT_QUOTA:
			if (parse_quota(optarg, quota) == -1) {
				fprintf(stderr, "fakesheets: --quota %s: want "
				    "reads=N,writes=N,project=N (each optional, "
				    "N per minute, 1..100000)\n", optarg);
				usage(64);
			}
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(64);
		}
	}
	if (optind != argc)
		usage(64);
	if ((cert == NULL) != (tkey == NULL))
		usage(64);
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
	o.quota_reads = quota[0];
	o.quota_writes = quota[1];
	o.quota_project = quota[2];
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
