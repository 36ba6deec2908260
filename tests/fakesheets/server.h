/*
 * server: the emulator's HTTP/1.1 and HTTPS side (libmicrohttpd).
 *
 * It owns the lock around the spreadsheets, the OAuth token endpoint and its
 * access tokens, the log of API requests, the fault queue and the /_fake/
 * control endpoints; sheets.c answers the API itself.  It binds 127.0.0.1
 * only and never logs a token or an assertion.
 */
#ifndef FAKESHEETS_SERVER_H
#define FAKESHEETS_SERVER_H

#include <stddef.h>

#include "auth/key.h"
#include "tests/fakesheets/sheets.h"

#define SERVER_MAX_BODY		(256u * 1024 * 1024)	/* bytes of a request body */
#define SERVER_MAX_TOKENS	4096			/* live access tokens kept */
#define SERVER_MAX_LOG		100000			/* requests remembered */
#define SERVER_TOKEN_LIFETIME	3599			/* expires_in, seconds */

struct server;

/* What server_start needs.  Everything is borrowed until server_stop. */
struct server_opts {
	struct sheets_state *sheets;
	const struct auth_key *key;	/* whose assertions are accepted; NULL: none */
	const char *tls_cert_pem;	/* NULL: plain HTTP */
	const char *tls_key_pem;
	unsigned short port;		/* 0: any free port */
	/* --quota: Sheets read and write requests per minute per service
	 * account, and each per project; 0: no limit. */
	int quota_reads, quota_writes, quota_project;
};

/*
 * server_start(o, url, urlsize, msg, msgsize): listen on 127.0.0.1 and serve
 * in background threads.  url receives "https://127.0.0.1:PORT" (or http).
 * Returns the server, or NULL with a one-line reason in msg.
 */
struct server *server_start(const struct server_opts *o, char *url,
    size_t urlsize, char *msg, size_t msgsize);

/* server_stop(s): stop serving and free s.  NULL is a no-op. */
void server_stop(struct server *s);

#endif
