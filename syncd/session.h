/*
 * session: what a cycle needs from its configuration to talk to Google: the
 * service-account key, the HTTP client (libcurl's handles, kept from cycle
 * to cycle so connections are reused), the token cache and the Sheets
 * client, and the configuration file's SHA-256.  Built by cycle_new, built
 * again by a reload (cycle_reconfigure) and swapped in only when it is
 * good.  Never logs.
 */
#ifndef SYNCD_SESSION_H
#define SYNCD_SESSION_H

#include "auth/err.h"
#include "auth/key.h"
#include "auth/token.h"
#include "syncd/config.h"
#include "syncd/http.h"
#include "syncd/metrics.h"
#include "syncd/retry.h"
#include "syncd/sha256.h"
#include "syncd/sheets.h"

/* The systemd credential name the key is read from, when present. */
#define SESSION_CREDENTIAL	"service-account.json"

struct session {
	struct auth_key *key;		/* owned */
	struct http *http;		/* owned */
	struct auth_token *token;	/* owned */
	struct sheets *sheets;		/* owned */
	char cfg_sha[SHA256_HEX_SIZE];	/* SHA-256 of the configuration file */
};

/* What the session's clients report to, and wait with: borrowed, and they
 * must outlive the session. */
struct session_hooks {
	struct metrics *metrics;	/* every request is counted here; NULL: none */
	struct retry *retry;		/* the daemon-wide retry policy; NULL: a
					 * private default (syncd/sheets) */
};

/*
 * session_open(ss, cfg, h, e): load the key ($CREDENTIALS_DIRECTORY/
 * SESSION_CREDENTIAL when it exists, else cfg->key_file) and build the
 * clients for cfg (borrowed for the life of ss).  Returns 0, or -1 with e
 * set (ERR_CONFIG/ERR_NOINPUT for the key, ERR_NOMEM) and ss empty.
 */
int session_open(struct session *ss, const struct config *cfg,
    const struct session_hooks *h, struct err *e);

/*
 * session_load_key(cfg, e): the key the daemon uses: the systemd credential
 * SESSION_CREDENTIAL when $CREDENTIALS_DIRECTORY holds it, else
 * cfg->key_file.  Returns an owned key, or NULL with e set (ERR_NOINPUT: not
 * there or not readable; ERR_CONFIG: not a private service-account key).
 */
struct auth_key *session_load_key(const struct config *cfg, struct err *e);

/* session_fini(ss): free what ss holds (the key wiped); ss becomes empty. */
void session_fini(struct session *ss);

#endif
