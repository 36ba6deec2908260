/*
 * key: load and check a Google service-account key.
 *
 * The key file is the JSON Google's console issues.  This file reads it from
 * disk or from a systemd credential, refuses a file that group or others can
 * read, checks the fields syncd needs and turns the PEM into an EVP_PKEY.  It
 * must never print key material: messages name the file and the field only,
 * and jansson's parse error text (which quotes the input) is not used.  Every
 * buffer that held the JSON or the PEM is wiped before it is freed.
 */
#include "auth/key.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#define KEY_MAX_BITS	16384	/* larger keys are refused: slow to use, not Google's */

struct auth_key {
	EVP_PKEY *pkey;		/* owned */
	char *client_email;	/* owned */
	char *private_key_id;	/* owned */
	char *token_uri;	/* owned */
};

/* key_strdup(s): an owned copy of s, or NULL. */
static char *
key_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

/*
 * key_wipe_json_string(v): wipe the bytes of jansson string v in place, so the
 * PEM does not linger in freed heap.  jansson hands out const pointers; the
 * string is ours to destroy since the document is about to be freed.
 */
static void
key_wipe_json_string(json_t *v)
{
	const char *s;

	if (!json_is_string(v))
		return;
	s = json_string_value(v);
	OPENSSL_cleanse((char *)(uintptr_t)s, json_string_length(v));
}

/* key_printable(s): non-zero when s is non-empty printable ASCII without spaces. */
static int
key_printable(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s > '~')
			return 0;
	return 1;
}

/*
 * key_uri_ok(uri): non-zero when uri is https://HOST..., or http:// to a
 * loopback host (127.0.0.0/8, [::1], localhost), which is how tests point the
 * daemon at the emulator.  Anything else would send the assertion in clear.
 */
static int
key_uri_ok(const char *uri)
{
	static const char *const loop[] = { "127.", "[::1]", "localhost" };
	const char *host, *end;
	size_t i, n;

	if (strncmp(uri, "https://", 8) == 0)
		return uri[8] != '\0' && uri[8] != '/';
	if (strncmp(uri, "http://", 7) != 0)
		return 0;
	host = uri + 7;
	end = host + strcspn(host, ":/?#");
	if (*host == '[')
		end = host + strcspn(host, "]") + (strchr(host, ']') != NULL);
	for (i = 0; i < sizeof(loop) / sizeof(loop[0]); i++) {
		n = strlen(loop[i]);
		if ((size_t)(end - host) < n || strncmp(host, loop[i], n) != 0)
			continue;
		if (i == 0) {
			/* 127.a.b.c: digits and dots only. */
			const char *p;

			for (p = host + n; p < end; p++)
				if ((*p < '0' || *p > '9') && *p != '.')
					return 0;
			return 1;
		}
		return (size_t)(end - host) == n;
	}
	return 0;
}

/*
 * key_string_field(root, field, name, e): the value of string field in root,
 * borrowed from root; NULL with e set if absent, not a string, empty, too long
 * or not printable.
 */
static const char *
key_string_field(json_t *root, const char *field, const char *name, struct err *e)
{
	json_t *v = json_object_get(root, field);
	const char *s;

	if (v == NULL) {
		err_set(e, ERR_CONFIG, "%s: service-account key has no \"%s\"", name,
		    field);
		return NULL;
	}
	if (!json_is_string(v) || json_string_length(v) == 0) {
		err_set(e, ERR_CONFIG, "%s: \"%s\" must be a non-empty string", name,
		    field);
		return NULL;
	}
	s = json_string_value(v);
	if (json_string_length(v) > AUTH_KEY_MAX_FIELD ||
	    strlen(s) != json_string_length(v) || !key_printable(s)) {
		err_set(e, ERR_CONFIG, "%s: \"%s\" is not a plausible value "
		    "(printable ASCII, at most %d bytes)", name, field,
		    AUTH_KEY_MAX_FIELD);
		return NULL;
	}
	return s;
}

/* key_no_password(...): PEM password callback that refuses: keys must not be encrypted. */
static int
key_no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/*
 * key_read_pem(v, name, e): the RSA private key in the PEM string v.
 * Returns an owned EVP_PKEY or NULL with e set.
 */
static EVP_PKEY *
key_read_pem(json_t *v, const char *name, struct err *e)
{
	const char *pem;
	size_t len;
	BIO *bio;
	EVP_PKEY *pkey = NULL;
	int bits;

	if (v == NULL) {
		err_set(e, ERR_CONFIG, "%s: service-account key has no \"private_key\"",
		    name);
		return NULL;
	}
	if (!json_is_string(v) || json_string_length(v) == 0) {
		err_set(e, ERR_CONFIG, "%s: \"private_key\" must be a non-empty string",
		    name);
		return NULL;
	}
	pem = json_string_value(v);
	len = json_string_length(v);
	if (strstr(pem, "-----BEGIN PRIVATE KEY-----") == NULL &&
	    strstr(pem, "-----BEGIN RSA PRIVATE KEY-----") == NULL) {
		err_set(e, ERR_CONFIG, "%s: \"private_key\" is not a PEM private key "
		    "(expected BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)", name);
		return NULL;
	}
	if (len > (size_t)INT32_MAX || (bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory reading \"private_key\"", name);
		return NULL;
	}
	pkey = PEM_read_bio_PrivateKey(bio, NULL, key_no_password, NULL);
	BIO_free(bio);
	ERR_clear_error();
	if (pkey == NULL) {
		err_set(e, ERR_CONFIG, "%s: \"private_key\" is not a readable PEM "
		    "private key (damaged, or encrypted)", name);
		return NULL;
	}
	if (!EVP_PKEY_is_a(pkey, "RSA")) {
		err_set(e, ERR_CONFIG, "%s: \"private_key\" is a %s key; syncd needs "
		    "an RSA key (RS256)", name, EVP_PKEY_get0_type_name(pkey) ?
		    EVP_PKEY_get0_type_name(pkey) : "non-RSA");
		goto fail;
	}
	bits = EVP_PKEY_get_bits(pkey);
	if (bits < AUTH_KEY_MIN_BITS || bits > KEY_MAX_BITS) {
		err_set(e, ERR_CONFIG, "%s: \"private_key\" has %d bits; syncd "
		    "accepts RSA keys of %d to %d bits", name, bits,
		    AUTH_KEY_MIN_BITS, KEY_MAX_BITS);
		goto fail;
	}
	return pkey;
fail:
	EVP_PKEY_free(pkey);
	return NULL;
}

struct auth_key *
auth_key_parse(const char *buf, size_t len, const char *name, struct err *e)
{
	struct auth_key *k = NULL;
	json_t *root = NULL, *v;
	json_error_t jerr;
	const char *email, *kid, *uri, *type;

	if (name == NULL)
		name = "service-account key";
	if (len > AUTH_KEY_MAX_FILE) {
		err_set(e, ERR_CONFIG, "%s: key file is larger than %d bytes", name,
		    AUTH_KEY_MAX_FILE);
		return NULL;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		/* jerr.text quotes the input near the error: never show it. */
		err_set(e, ERR_CONFIG, "%s: not valid JSON (line %d, column %d)",
		    name, jerr.line, jerr.column);
		goto fail;
	}
	if (!json_is_object(root)) {
		err_set(e, ERR_CONFIG, "%s: a service-account key is a JSON object",
		    name);
		goto fail;
	}
	if ((type = key_string_field(root, "type", name, e)) == NULL)
		goto fail;
	if (strcmp(type, "service_account") != 0) {
		err_set(e, ERR_CONFIG, "%s: \"type\" is \"%s\", not \"service_account\" "
		    "(create a key for a service account in the Cloud console)",
		    name, type);
		goto fail;
	}
	if ((email = key_string_field(root, "client_email", name, e)) == NULL ||
	    (kid = key_string_field(root, "private_key_id", name, e)) == NULL ||
	    (uri = key_string_field(root, "token_uri", name, e)) == NULL)
		goto fail;
	if (!key_uri_ok(uri)) {
		err_set(e, ERR_CONFIG, "%s: \"token_uri\" must be an https:// URL "
		    "(or http:// to loopback), not \"%s\"", name, uri);
		goto fail;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL ||
	    (k->client_email = key_strdup(email)) == NULL ||
	    (k->private_key_id = key_strdup(kid)) == NULL ||
	    (k->token_uri = key_strdup(uri)) == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", name);
		goto fail;
	}
	if ((k->pkey = key_read_pem(json_object_get(root, "private_key"), name, e))
	    == NULL)
		goto fail;
	key_wipe_json_string(json_object_get(root, "private_key"));
	json_decref(root);
	return k;
fail:
	if (root != NULL) {
		v = json_object_get(root, "private_key");
		key_wipe_json_string(v);
		json_decref(root);
	}
	auth_key_free(k);
	return NULL;
}

/*
 * key_read_fd(fd, name, check_mode, e): read the whole key file open on fd and
 * parse it.  With check_mode, refuse a file group or others can access.
 */
static struct auth_key *
key_read_fd(int fd, const char *name, int check_mode, struct err *e)
{
	struct auth_key *k = NULL;
	struct stat st;
	char *buf;
	size_t len = 0, cap = AUTH_KEY_MAX_FILE + 1;
	ssize_t r;

	if (fstat(fd, &st) != 0) {
		err_set(e, ERR_NOINPUT, "%s: %s", name, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(e, ERR_CONFIG, "%s: key file is not a regular file", name);
		return NULL;
	}
	if (check_mode && (st.st_mode & 077) != 0) {
		err_set(e, ERR_CONFIG, "%s: key file has mode %04o, so group or "
		    "others can read it; fix with: chmod 600 %s", name,
		    (unsigned)(st.st_mode & 07777), name);
		return NULL;
	}
	if (st.st_size > AUTH_KEY_MAX_FILE) {
		err_set(e, ERR_CONFIG, "%s: key file is larger than %d bytes", name,
		    AUTH_KEY_MAX_FILE);
		return NULL;
	}
	if ((buf = malloc(cap)) == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", name);
		return NULL;
	}
	for (;;) {
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err_set(e, ERR_NOINPUT, "%s: %s", name, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == cap) {
			err_set(e, ERR_CONFIG, "%s: key file is larger than %d bytes",
			    name, AUTH_KEY_MAX_FILE);
			goto out;
		}
	}
	k = auth_key_parse(buf, len, name, e);
out:
	OPENSSL_cleanse(buf, cap);
	free(buf);
	return k;
}

/* key_load_path(path, check_mode, e): open path and load the key in it. */
static struct auth_key *
key_load_path(const char *path, const char *name, int check_mode, struct err *e)
{
	struct auth_key *k;
	int fd;

	/* O_NONBLOCK: a FIFO named as the key must be refused, not waited on
	 * forever (it changes nothing for a regular file). */
	do
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		err_set(e, ERR_NOINPUT, "%s: cannot open key file: %s", name,
		    strerror(errno));
		return NULL;
	}
	k = key_read_fd(fd, name, check_mode, e);
	close(fd);
	return k;
}

struct auth_key *
auth_key_load_credential(const char *name, struct err *e)
{
	const char *dir = secure_getenv("CREDENTIALS_DIRECTORY");
	struct auth_key *k;
	char *path;
	size_t n;

	if (dir == NULL || *dir == '\0') {
		err_set(e, ERR_CONFIG, "credential %s: $CREDENTIALS_DIRECTORY is not "
		    "set (use LoadCredential= in the unit)", name);
		return NULL;
	}
	if (*name == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		err_set(e, ERR_CONFIG, "credential \"%s\": not a credential name",
		    name);
		return NULL;
	}
	n = strlen(dir) + 1 + strlen(name) + 1;
	if ((path = malloc(n)) == NULL) {
		err_set(e, ERR_NOMEM, "credential %s: out of memory", name);
		return NULL;
	}
	memcpy(path, dir, strlen(dir));
	path[strlen(dir)] = '/';
	memcpy(path + strlen(dir) + 1, name, strlen(name) + 1);
	/*
	 * No mode check: systemd creates the credential 0400 (0440 with a
	 * group), owned by the unit's user, on a private read-only mount.
	 */
	k = key_load_path(path, path, 0, e);
	free(path);
	return k;
}

struct auth_key *
auth_key_load(const char *path, struct err *e)
{
	const char *dir = secure_getenv("CREDENTIALS_DIRECTORY");

	if (strchr(path, '/') == NULL && dir != NULL && *dir != '\0')
		return auth_key_load_credential(path, e);
	return key_load_path(path, path, 1, e);
}

void
auth_key_free(struct auth_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k->client_email);
	free(k->private_key_id);
	free(k->token_uri);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

const char *
auth_key_client_email(const struct auth_key *k)
{
	return k->client_email;
}

const char *
auth_key_id(const struct auth_key *k)
{
	return k->private_key_id;
}

const char *
auth_key_token_uri(const struct auth_key *k)
{
	return k->token_uri;
}

EVP_PKEY *
auth_key_pkey(const struct auth_key *k)
{
	return k->pkey;
}
