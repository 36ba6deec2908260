/*
 * mail: one message over libcurl's SMTP (see mail.h).  The MIME tree is
 * libcurl's: multipart/mixed with a text/plain part (UTF-8, base64) and the
 * attachment (base64, its Content-Disposition set by curl_mime_filedata).
 * Headers are ours: From, To, Subject (RFC 2047 when not ASCII), Date and a
 * Message-ID the caller keeps the same for a re-send, so a receiving system
 * that removes duplicates by Message-ID can.
 */
#include "syncd/mail.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define MAIL_MAX_HEADER	2048	/* bytes of one header line */

int
mail_encode_header(const char *text, char *out, size_t outsize)
{
	const unsigned char *p;
	size_t len = strlen(text), need;
	int ascii = 1, n;

	for (p = (const unsigned char *)text; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			ascii = 0;
	if (ascii) {
		if (len + 1 > outsize)
			return -1;
		memcpy(out, text, len + 1);
		return (int)len;
	}
	need = 10 + 4 * ((len + 2) / 3) + 3;
	if (need > outsize)
		return -1;
	memcpy(out, "=?UTF-8?B?", 10);
	n = EVP_EncodeBlock((unsigned char *)out + 10, (const unsigned char *)text, (int)len);
	memcpy(out + 10 + n, "?=", 3);
	return 10 + n + 2;
}

/* read_password(path, buf, size, e): the first line of password_file. */
static int
read_password(const char *path, char *buf, size_t size, struct err *e)
{
	struct stat st;
	ssize_t r;
	size_t len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		err_set(e, errno == ENOENT ? ERR_NOINPUT : ERR_CONFIG,
		    "mail.password_file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		err_set(e, ERR_CONFIG, "mail.password_file %s: not a regular file", path);
		close(fd);
		return -1;
	}
	if ((st.st_mode & 077) != 0) {
		err_set(e, ERR_CONFIG, "mail.password_file %s has mode %04o, so group or "
		    "others can read it; fix with: chmod 600 %s", path,
		    (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return -1;
	}
	while (len + 1 < size) {
		r = read(fd, buf + len, size - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (len + 1 >= size) {
		OPENSSL_cleanse(buf, size);
		err_set(e, ERR_CONFIG, "mail.password_file %s: longer than %zu bytes", path,
		    size - 2);
		return -1;
	}
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

int
mail_check_password_file(const char *path, struct err *e)
{
	char buf[MAIL_MAX_PASSWORD + 2];
	int rc = read_password(path, buf, sizeof(buf), e);

	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

/* header(list, fmt...): append one formatted header line; NULL on failure. */
static struct curl_slist *
header(struct curl_slist *list, int *bad, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct curl_slist *
header(struct curl_slist *list, int *bad, const char *fmt, ...)
{
	char line[MAIL_MAX_HEADER];
	struct curl_slist *n;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(line)) {
		*bad = 1;
		return list;
	}
	if ((n = curl_slist_append(list, line)) == NULL) {
		*bad = 1;
		return list;
	}
	return n;
}

/* outcome_of(rc, code): what a failed exchange tells about delivery. */
static enum mail_outcome
outcome_of(CURLcode rc, long code)
{
	if (code >= 500)
		return MAIL_REFUSED;
	if (code >= 400)
		return MAIL_NOT_SENT;
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_USE_SSL_FAILED:
	case CURLE_LOGIN_DENIED:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_REMOTE_ACCESS_DENIED:
	case CURLE_READ_ERROR:
		return MAIL_NOT_SENT;
	default:
		return MAIL_UNKNOWN;
	}
}

/* One message on its way: what mail_send builds and frees. */
struct sending {
	CURL *c;			/* owned */
	curl_mime *mime;		/* owned */
	struct curl_slist *rcpt, *hdr;	/* owned */
	char subject[4 * MAIL_MAX_SUBJECT];	/* encoded */
	char from[CONFIG_MAX_ADDRESS + 3];
	char password[MAIL_MAX_PASSWORD + 2];	/* wiped by sending_fini */
	int have_password;
	char errbuf[CURL_ERROR_SIZE];
};

/* sending_fini(s): wipe the password, free the rest. */
static void
sending_fini(struct sending *s)
{
	OPENSSL_cleanse(s->password, sizeof(s->password));
	curl_easy_cleanup(s->c);
	curl_mime_free(s->mime);
	curl_slist_free_all(s->rcpt);
	curl_slist_free_all(s->hdr);
}

/*
 * envelope(s, m, msg): the recipients (s->rcpt) and the header lines
 * (s->hdr: Date, From, To, Subject, Message-ID).  Returns 0, or -1 when a
 * line would not fit (too many recipients) or memory ran out.
 */
static int
envelope(struct sending *s, const struct config_mail *m, const struct mail_message *msg)
{
	char date[64], to[MAIL_MAX_HEADER];
	struct curl_slist *n;
	size_t i, tolen = 0;
	struct tm tm;
	int bad = 0;

	gmtime_r(&msg->date, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	snprintf(s->from, sizeof(s->from), "<%s>", m->from);
	to[0] = '\0';
	for (i = 0; i < m->nto; i++) {
		int w = snprintf(to + tolen, sizeof(to) - tolen, "%s<%s>", i > 0 ? ", " : "",
		    m->to[i]);

		if (w < 0 || (size_t)w >= sizeof(to) - tolen) {
			bad = 1;
			break;
		}
		tolen += (size_t)w;
		if ((n = curl_slist_append(s->rcpt, m->to[i])) == NULL)
			bad = 1;
		else
			s->rcpt = n;
	}
	s->hdr = header(s->hdr, &bad, "Date: %s", date);
	s->hdr = header(s->hdr, &bad, "From: %s", s->from);
	s->hdr = header(s->hdr, &bad, "To: %s", to);
	s->hdr = header(s->hdr, &bad, "Subject: %s", s->subject);
	if (msg->message_id != NULL)
		s->hdr = header(s->hdr, &bad, "Message-ID: %s", msg->message_id);
	return bad ? -1 : 0;
}

/* body(s, msg, e): the text part and the attachment, into s->mime (made
 * on s->c).  Returns 0 or -1 with e set. */
static int
body(struct sending *s, const struct mail_message *msg, struct err *e)
{
	curl_mimepart *part;

	if ((part = curl_mime_addpart(s->mime)) == NULL ||
	    curl_mime_data(part, msg->body, CURL_ZERO_TERMINATED) != CURLE_OK ||
	    curl_mime_type(part, "text/plain; charset=utf-8") != CURLE_OK ||
	    curl_mime_encoder(part, "base64") != CURLE_OK) {
		err_set(e, ERR_NOMEM, "mail: out of memory");
		return -1;
	}
	if (msg->attach_path == NULL)
		return 0;
	if ((part = curl_mime_addpart(s->mime)) == NULL ||
	    curl_mime_filedata(part, msg->attach_path) != CURLE_OK ||
	    (msg->attach_name != NULL &&
	    curl_mime_filename(part, msg->attach_name) != CURLE_OK) ||
	    curl_mime_type(part, "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet") != CURLE_OK ||
	    curl_mime_encoder(part, "base64") != CURLE_OK) {
		err_set(e, ERR_IO, "mail: cannot attach %s", msg->attach_path);
		return -1;
	}
	return 0;
}

/* options(s, srv): the SMTP exchange: TLS always, peer verified, timeouts,
 * the envelope and the message of s. */
static void
options(struct sending *s, const struct mail_server *srv)
{
	const struct config_mail *m = srv->mail;
	CURL *c = s->c;

	s->errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, m->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (srv->ca_file != NULL && srv->ca_file[0] != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, srv->ca_file);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, srv->connect_timeout);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, srv->timeout);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, s->from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, s->rcpt);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, s->hdr);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, s->mime);
	if (m->user != NULL && m->user[0] != '\0')
		curl_easy_setopt(c, CURLOPT_USERNAME, m->user);
	if (s->have_password)
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
}

int
mail_send(const struct mail_server *srv, const struct mail_message *msg,
    enum mail_outcome *outcome, struct err *e)
{
	const struct config_mail *m = srv->mail;
	struct sending s;
	CURLcode rc;
	long code = 0;
	int ret = -1;

	*outcome = MAIL_NOT_SENT;
	memset(&s, 0, sizeof(s));
	if (m->password_file != NULL && m->password_file[0] != '\0') {
		if (read_password(m->password_file, s.password, sizeof(s.password), e) == -1)
			goto out;
		s.have_password = 1;
	}
	if (strlen(msg->subject) > MAIL_MAX_SUBJECT ||
	    mail_encode_header(msg->subject, s.subject, sizeof(s.subject)) < 0) {
		err_set(e, ERR_DATA, "mail: the subject is longer than %d bytes",
		    MAIL_MAX_SUBJECT);
		goto out;
	}
	if (envelope(&s, m, msg) == -1 || (s.c = curl_easy_init()) == NULL ||
	    (s.mime = curl_mime_init(s.c)) == NULL) {
		err_set(e, ERR_NOMEM, "mail: out of memory (or too many recipients)");
		goto out;
	}
	if (body(&s, msg, e) == -1)
		goto out;
	options(&s, srv);
	rc = curl_easy_perform(s.c);
	curl_easy_getinfo(s.c, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK) {
		*outcome = outcome_of(rc, code);
		/* curl's texts name the host and the step, never the password. */
		if (code > 0)
			err_set(e, ERR_HTTP, "mail to %s: the server answered %ld (%s)", m->url,
			    code, s.errbuf[0] != '\0' ? s.errbuf : curl_easy_strerror(rc));
		else
			err_set(e, ERR_HTTP, "mail to %s: %s", m->url,
			    s.errbuf[0] != '\0' ? s.errbuf : curl_easy_strerror(rc));
		goto out;
	}
	*outcome = MAIL_SENT;
	ret = 0;
out:
	sending_fini(&s);
	return ret;
}
