/*
 * mail: one e-mail through libcurl's SMTP: a text body and one attached
 * file (the Department's .xlsx), sent to the `mail` group's addresses.
 *
 * TLS is always required: smtps:// starts with it, smtp:// must upgrade
 * with STARTTLS (CURLUSESSL_ALL) or nothing is sent; the certificate is
 * verified against the system's CAs or the configuration's ca_file, as for
 * Google.  The password is read from password_file under the key file's
 * rules (a regular file neither group nor others can read), wiped after
 * use, and never reaches a message, a log or curl's verbose output.  It
 * sends at most once per call and never retries by itself: whether to try
 * again is the caller's (see once.h), and the outcome says what is known.
 * It never logs and never exits.
 */
#ifndef SYNCD_MAIL_H
#define SYNCD_MAIL_H

#include <time.h>

#include "auth/err.h"
#include "syncd/config.h"

#define MAIL_MAX_PASSWORD	1024	/* bytes of password_file */
#define MAIL_MAX_SUBJECT	512	/* bytes of a subject before encoding */

/* What one message holds; everything borrowed for the call. */
struct mail_message {
	const char *subject;		/* UTF-8, one line */
	const char *body;		/* UTF-8 text, lines ending "\n" */
	const char *attach_path;	/* the file to attach; NULL: none */
	const char *attach_name;	/* the name it is shown under */
	const char *message_id;		/* "<...@...>": the same on a re-send */
	time_t date;			/* the Date header */
};

/* The connection's settings; borrowed for the call. */
struct mail_server {
	const struct config_mail *mail;
	const char *ca_file;		/* "" or NULL: the system's CAs */
	long connect_timeout;		/* seconds */
	long timeout;			/* seconds for the whole exchange */
};

enum mail_outcome {
	MAIL_SENT = 0,		/* the server took the message (250 after DATA) */
	MAIL_NOT_SENT,		/* refused or failed before the message was taken */
	MAIL_REFUSED,		/* the server refused it for good (5xx) */
	MAIL_UNKNOWN,		/* cut off mid-exchange: it may have been taken */
};

/*
 * mail_send(srv, msg, outcome, e): send msg.  Returns 0 (MAIL_SENT), or -1
 * with *outcome saying what is known and e a one-line reason (ERR_CONFIG:
 * password_file unreadable or readable by others; ERR_HTTP: the exchange
 * failed; ERR_NOMEM).
 */
int mail_send(const struct mail_server *srv, const struct mail_message *msg,
    enum mail_outcome *outcome, struct err *e);

/*
 * mail_encode_header(text, out, outsize): text as an RFC 2047 encoded-word
 * ("=?UTF-8?B?...?="), or unchanged when it is printable ASCII.  Returns the
 * length, or -1 when out is too small.
 */
int mail_encode_header(const char *text, char *out, size_t outsize);

/*
 * mail_check_password_file(path, e): -t's check of password_file: a regular
 * file, neither group nor others can read it.  A missing file is ERR_NOINPUT.
 * Returns 0 or -1 with e set.
 */
int mail_check_password_file(const char *path, struct err *e);

#endif
