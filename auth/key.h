/*
 * key: the Google service-account key, loaded from the JSON file Google issues.
 *
 * It reads the key file (or the systemd credential that carries it), checks it
 * (type "service_account", client_email, private_key_id, an RSA private key of
 * at least 2048 bits in PKCS#8 or PKCS#1 PEM, a token_uri over https:// or
 * http:// to loopback) and keeps the parsed key.  It never prints key material:
 * error messages name the file and the field, never a value of private_key.
 * The JSON text and the PEM are wiped (OPENSSL_cleanse) as soon as parsed; the
 * key is freed with EVP_PKEY_free.
 */
#ifndef AUTH_KEY_H
#define AUTH_KEY_H

#include <stddef.h>

#include <openssl/evp.h>

#include "auth/err.h"

#define AUTH_KEY_MAX_FILE	(64 * 1024)	/* bytes of key JSON */
#define AUTH_KEY_MIN_BITS	2048		/* smallest RSA modulus accepted */
#define AUTH_KEY_MAX_FIELD	1024		/* bytes of client_email, key id, token_uri */

struct auth_key;	/* opaque */

/*
 * auth_key_parse(buf, len, name, e): parse a service-account key JSON held in
 * memory (len bytes, need not be NUL-terminated).  name (borrowed, may be
 * NULL) is how messages refer to the source, e.g. the file's path.
 * Returns an owned key (free with auth_key_free), or NULL with e set
 * (ERR_CONFIG) naming the bad field.  buf is not modified and not wiped: the
 * caller owns it and should OPENSSL_cleanse it.
 */
struct auth_key *auth_key_parse(const char *buf, size_t len, const char *name,
    struct err *e);

/*
 * auth_key_load(path, e): load the key file at path.
 * If path has no '/' and $CREDENTIALS_DIRECTORY is set, it is a systemd
 * credential name and the file read is $CREDENTIALS_DIRECTORY/path (see
 * auth_key_load_credential).  Otherwise the file must be a regular file of at
 * most AUTH_KEY_MAX_FILE bytes that neither group nor others can access
 * (mode & 077 == 0); else it is refused with a message giving the mode in
 * octal and the fix (chmod 600 FILE).
 * Returns an owned key or NULL with e set: ERR_NOINPUT (missing/unreadable),
 * ERR_CONFIG (permissions, size, content).
 */
struct auth_key *auth_key_load(const char *path, struct err *e);

/*
 * auth_key_load_credential(name, e): load the key from the systemd credential
 * $CREDENTIALS_DIRECTORY/name (LoadCredential= / LoadCredentialEncrypted=).
 * The mode is not checked: systemd makes the file 0400 (or 0440), owned by the
 * service's user, on a private read-only mount.  name must be a plain file
 * name (no '/', not "." or "..").  Returns an owned key or NULL with e set
 * (ERR_CONFIG if $CREDENTIALS_DIRECTORY is unset or name is bad).
 */
struct auth_key *auth_key_load_credential(const char *name, struct err *e);

/* auth_key_free(k): wipe and free k.  NULL is a no-op. */
void auth_key_free(struct auth_key *k);

/* Accessors.  Each returns a string borrowed from k, valid until auth_key_free. */
const char *auth_key_client_email(const struct auth_key *k);
const char *auth_key_id(const struct auth_key *k);	/* private_key_id */
const char *auth_key_token_uri(const struct auth_key *k);

/*
 * auth_key_pkey(k): the RSA key pair, borrowed from k (valid until
 * auth_key_free).  The emulator uses it as the public key that verifies
 * assertions (auth_jwt_verify).
 */
EVP_PKEY *auth_key_pkey(const struct auth_key *k);

#endif
