/*
 * seal: forward-secure seals on the audit log (see seal.h for the scheme
 * and why).  OpenSSL does the cryptography (RAND_bytes, HKDF, HMAC); this
 * file only chooses what goes in.  The key file is a fixed-length text line
 * overwritten in place when the key evolves, so the old key's bytes are
 * replaced on disk, not left behind in a freed block by a rename; a
 * checksum catches a torn overwrite.  Every key buffer is wiped with
 * OPENSSL_cleanse before it goes out of scope.  It never logs a key.
 */
#include "syncd/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "syncd/auditscan.h"
#include "syncd/fsutil.h"
#include "syncd/today.h"

#define SEAL_PATH_MAX	4096
#define SEAL_KEY_LEN	32
/* "syncd-seal 1 epoch0=NNNNNNNN epoch=NNNNNNNN key=<64 hex> sum=<16 hex>\n" */
#define SEAL_LINE_LEN	134
#define SEAL_SALT	"syncd audit seal"

static const char hexd[] = "0123456789abcdef";

static void
to_hex(const unsigned char *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hexd[b[i] >> 4];
		out[2 * i + 1] = hexd[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
from_hex(const char *s, size_t n, unsigned char *out)
{
	size_t i;

	for (i = 0; i < 2 * n; i++) {
		char c = s[i];
		int v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return -1;
		if (i % 2 == 0)
			out[i / 2] = (unsigned char)(v << 4);
		else
			out[i / 2] |= (unsigned char)v;
	}
	return 0;
}

/* hkdf(in, info, out): HKDF-SHA-256 of a 32-byte secret; 0 or -1. */
static int
hkdf(const unsigned char in[SEAL_KEY_LEN], const char *info,
    unsigned char out[SEAL_KEY_LEN])
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	size_t outlen = SEAL_KEY_LEN;
	int ok;

	ok = pc != NULL && EVP_PKEY_derive_init(pc) > 0 &&
	    EVP_PKEY_CTX_set_hkdf_md(pc, EVP_sha256()) > 0 &&
	    EVP_PKEY_CTX_set1_hkdf_salt(pc, (const unsigned char *)SEAL_SALT,
	    (int)strlen(SEAL_SALT)) > 0 &&
	    EVP_PKEY_CTX_set1_hkdf_key(pc, in, SEAL_KEY_LEN) > 0 &&
	    EVP_PKEY_CTX_add1_hkdf_info(pc, (const unsigned char *)info,
	    (int)strlen(info)) > 0 &&
	    EVP_PKEY_derive(pc, out, &outlen) > 0 && outlen == SEAL_KEY_LEN;
	EVP_PKEY_CTX_free(pc);
	return ok ? 0 : -1;
}

/* The first epoch's key from the seed, and the next epoch's from a key. */
static int
key_first(const unsigned char seed[SEAL_SEED_LEN], unsigned char k[SEAL_KEY_LEN])
{
	return hkdf(seed, "epoch key 0", k);
}

static int
key_next(unsigned char k[SEAL_KEY_LEN])
{
	unsigned char n[SEAL_KEY_LEN];
	int rc = hkdf(k, "next epoch key", n);

	memcpy(k, n, SEAL_KEY_LEN);
	OPENSSL_cleanse(n, sizeof(n));
	return rc;
}

/* mac_hex(k, seq, epoch, prev, out): the seal's HMAC-SHA-256, hex. */
static int
mac_hex(const unsigned char k[SEAL_KEY_LEN], uint64_t seq, int32_t epoch,
    const char *prev, char out[65])
{
	char msg[160];
	unsigned char md[32];
	unsigned int mdlen = 0;
	int n;

	n = snprintf(msg, sizeof(msg), "syncd-seal-1 seq=%" PRIu64 " epoch=%" PRId32
	    " prev=%s", seq, epoch, prev);
	if (n < 0 || (size_t)n >= sizeof(msg) ||
	    HMAC(EVP_sha256(), k, SEAL_KEY_LEN, (const unsigned char *)msg,
	    (size_t)n, md, &mdlen) == NULL || mdlen != sizeof(md))
		return -1;
	to_hex(md, sizeof(md), out);
	return 0;
}

/* ---- the key file ----------------------------------------------------- */

struct keyfile {
	int32_t epoch0, epoch;
	unsigned char key[SEAL_KEY_LEN];
};

static void
key_path(const char *state_dir, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", state_dir, SEAL_KEY_FILE);
}

/* render(kf, line): the key file's one fixed-length line. */
static void
render(const struct keyfile *kf, char line[SEAL_LINE_LEN + 1])
{
	char hex[2 * SEAL_KEY_LEN + 1], sum[65];
	unsigned char md[32];
	unsigned int mdlen = 0;
	int n;

	to_hex(kf->key, SEAL_KEY_LEN, hex);
	n = snprintf(line, SEAL_LINE_LEN + 1, "syncd-seal 1 epoch0=%08" PRId32
	    " epoch=%08" PRId32 " key=%s sum=", kf->epoch0, kf->epoch, hex);
	OPENSSL_cleanse(hex, sizeof(hex));
	if (EVP_Digest(line, (size_t)n, md, &mdlen, EVP_sha256(), NULL) != 1)
		abort();
	to_hex(md, 8, sum);
	snprintf(line + n, (size_t)(SEAL_LINE_LEN + 1 - n), "%s\n", sum);
}

/* parse(line, len, kf): 0 when line is a whole, intact key file. */
static int
parse(const char *line, size_t len, struct keyfile *kf)
{
	char check[SEAL_LINE_LEN + 1];
	long e0, e1;
	char *end;
	int rc;

	if (len != SEAL_LINE_LEN || strncmp(line, "syncd-seal 1 epoch0=", 20) != 0)
		return -1;
	e0 = strtol(line + 20, &end, 10);
	if (end != line + 28 || strncmp(end, " epoch=", 7) != 0)
		return -1;
	e1 = strtol(end + 7, &end, 10);
	if (end != line + 43 || strncmp(end, " key=", 5) != 0 || e0 < 0 || e1 < e0)
		return -1;
	if (from_hex(line + 48, SEAL_KEY_LEN, kf->key) == -1)
		return -1;
	kf->epoch0 = (int32_t)e0;
	kf->epoch = (int32_t)e1;
	render(kf, check);
	rc = memcmp(check, line, SEAL_LINE_LEN) == 0 ? 0 : -1;
	OPENSSL_cleanse(check, sizeof(check));
	return rc;
}

/* overwrite(fd, kf, e): write kf over the file's bytes in place, durably. */
static int
overwrite(int fd, const char *path, const struct keyfile *kf, struct err *e)
{
	char line[SEAL_LINE_LEN + 1];
	ssize_t n;

	render(kf, line);
	n = pwrite(fd, line, SEAL_LINE_LEN, 0);
	OPENSSL_cleanse(line, sizeof(line));
	if (n != SEAL_LINE_LEN || fdatasync(fd) == -1) {
		err_set(e, ERR_IO, "%s: write: %s", path,
		    n == -1 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

int
seal_init(const char *state_dir, time_t now, char *vkey, size_t vkeysize,
    struct err *e)
{
	unsigned char seed[SEAL_SEED_LEN];
	char path[SEAL_PATH_MAX], hex[2 * SEAL_SEED_LEN + 1], day[16];
	struct keyfile kf;
	struct stat st;
	int fd, rc = -1;

	key_path(state_dir, path, sizeof(path));
	memset(&kf, 0, sizeof(kf));
	kf.epoch0 = kf.epoch = today_bangkok(now);
	if (RAND_bytes(seed, sizeof(seed)) != 1 || key_first(seed, kf.key) == -1) {
		err_set(e, ERR_IO, "seal-init: the random generator or HKDF failed");
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1) {
		if (errno == EEXIST)
			err_set(e, ERR_DATA, "%s exists: the log is already sealed "
			    "(seal-init is done once; remove the file to start a "
			    "new key, which the old verification key will not "
			    "accept)", path);
		else
			err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* Run by root for a daemon with its own user: the key is the state
	 * directory owner's, or the daemon could not read it. */
	if (geteuid() == 0 && stat(state_dir, &st) == 0 && st.st_uid != 0 &&
	    fchown(fd, st.st_uid, st.st_gid) == -1) {
		err_set(e, ERR_IO, "%s: chown to uid %ld: %s", path,
		    (long)st.st_uid, strerror(errno));
		close(fd);
		unlink(path);
		goto out;
	}
	if (overwrite(fd, path, &kf, e) == -1) {
		close(fd);
		unlink(path);
		goto out;
	}
	close(fd);
	if (fsutil_fsync_dir(path, e) == -1)
		goto out;
	to_hex(seed, sizeof(seed), hex);
	today_format(kf.epoch0, day, sizeof(day));
	if ((size_t)snprintf(vkey, vkeysize, "%s/%s", hex, day) >= vkeysize) {
		err_set(e, ERR_DATA, "seal-init: no room for the key");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(seed, sizeof(seed));
	OPENSSL_cleanse(hex, sizeof(hex));
	OPENSSL_cleanse(&kf, sizeof(kf));
	return rc;
}

int
seal_parse_vkey(const char *text, struct seal_vkey *out, struct err *e)
{
	size_t n = strlen(text);

	if (n != 2 * SEAL_SEED_LEN + 11 || text[2 * SEAL_SEED_LEN] != '/' ||
	    from_hex(text, SEAL_SEED_LEN, out->seed) == -1 ||
	    today_parse(text + 2 * SEAL_SEED_LEN + 1, &out->epoch0) == -1) {
		OPENSSL_cleanse(out, sizeof(*out));
		err_set(e, ERR_USAGE, "the verification key must be 64 hex digits, "
		    "'/' and the first epoch's date YYYY-MM-DD, as seal-init "
		    "printed it (the key given is not repeated here)");
		return -1;
	}
	return 0;
}

/* ---- sealing (the daemon) --------------------------------------------- */

struct sealer {
	char *state_dir;	/* owned */
};

static int
append_seal(struct audit *a, const unsigned char k[SEAL_KEY_LEN], int32_t epoch,
    struct err *e)
{
	char prev[65], mac[65], day[16];
	uint64_t seq;

	audit_head(a, &seq, prev);
	if (mac_hex(k, seq + 1, epoch, prev, mac) == -1) {
		err_set(e, ERR_IO, "seal: HMAC failed");
		return -1;
	}
	today_format(epoch, day, sizeof(day));
	return audit_append_pack(a, e, "seal", "{s:i, s:i, s:s, s:s}",
	    "format", AUDIT_FORMAT, "epoch", (int)epoch, "day", day, "mac", mac);
}

/*
 * seal_now(ctx, a, now, tick, e): the audit_sealer.  Reads the key file
 * (none: not sealed, nothing to do), closes each past epoch with a seal
 * under its key, syncs, evolves the key on disk; then, unless this is a
 * tick with nothing to close, seals under the current epoch's key.
 */
static int
seal_now(void *ctx, struct audit *a, time_t now, int tick, struct err *e)
{
	struct sealer *s = ctx;
	char path[SEAL_PATH_MAX], line[SEAL_LINE_LEN + 2];
	struct keyfile kf;
	int32_t today = today_bangkok(now);
	int fd, rc = -1, closed = 0;
	ssize_t n;

	key_path(s->state_dir, path, sizeof(path));
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1 && errno == ENOENT)
		return 0;
	if (fd == -1) {
		err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
		return -1;
	}
	memset(&kf, 0, sizeof(kf));
	n = pread(fd, line, sizeof(line), 0);
	if (n < 0 || parse(line, (size_t)n, &kf) == -1) {
		err_set(e, ERR_DATA, "%s: not an intact sealing key file", path);
		goto out;
	}
	while (kf.epoch < today) {
		/* Close the epoch under its own key, make that durable, and
		 * only then replace the key: a crash in between leaves the
		 * old key, and the next sync closes the epoch again. */
		if ((rc = append_seal(a, kf.key, kf.epoch, e)) != 0 ||
		    (rc = audit_sync(a, e)) != 0)
			goto out;
		rc = -1;
		if (key_next(kf.key) == -1) {
			err_set(e, ERR_IO, "seal: HKDF failed");
			goto out;
		}
		kf.epoch++;
		if (overwrite(fd, path, &kf, e) == -1)
			goto out;
		closed = 1;
	}
	rc = 0;
	if (!tick || closed)
		rc = append_seal(a, kf.key, kf.epoch, e);
out:
	OPENSSL_cleanse(line, sizeof(line));
	OPENSSL_cleanse(&kf, sizeof(kf));
	close(fd);
	return rc;
}

static void
sealer_free(void *ctx)
{
	struct sealer *s = ctx;

	if (s == NULL)
		return;
	free(s->state_dir);
	free(s);
}

int
seal_attach(struct audit *a, const char *state_dir, struct err *e)
{
	struct sealer *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->state_dir = strdup(state_dir)) == NULL) {
		free(s);
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	audit_set_sealer(a, seal_now, s, sealer_free);
	return 0;
}

/* ---- verification ----------------------------------------------------- */

struct verify {
	const struct seal_vkey *vk;
	unsigned char key[SEAL_KEY_LEN];
	int32_t key_epoch;
	int have_key;
	struct seal_result *res;
	uint64_t after_last;	/* lines after the last seal */
	int failed;
	const char *file;	/* borrowed: the file of the line being read */
	const char *bad_file;	/* the file of the first failure */
};

static void
vfail(struct verify *v, int32_t epoch, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
vfail(struct verify *v, int32_t epoch, uint64_t line, const char *fmt, ...)
{
	va_list ap;

	if (v->failed)
		return;
	v->failed = 1;
	v->bad_file = v->file;
	v->res->bad_epoch = epoch;
	v->res->bad_line = line;
	va_start(ap, fmt);
	vsnprintf(v->res->what, sizeof(v->res->what), fmt, ap);
	va_end(ap);
}

static int
verify_line(void *ctx, const struct auditscan_line *l, struct err *e)
{
	struct verify *v = ctx;
	struct seal_result *res = v->res;
	json_t *ep, *mac;
	char want[65], day[16];
	int32_t epoch;

	(void)e;
	v->file = l->file;
	if (v->failed || strcmp(l->event, "seal") != 0) {
		v->after_last++;
		return 0;
	}
	ep = json_object_get(l->obj, "epoch");
	mac = json_object_get(l->obj, "mac");
	if (!json_is_integer(ep) || !json_is_string(mac)) {
		vfail(v, -1, l->lineno, "line %" PRIu64 ": a seal without epoch "
		    "or mac", l->lineno);
		return 0;
	}
	epoch = (int32_t)json_integer_value(ep);
	today_format(epoch, day, sizeof(day));
	if (res->last_epoch == -1 && epoch != v->vk->epoch0) {
		vfail(v, v->vk->epoch0, l->lineno, "the first seal (line %" PRIu64
		    ") is of epoch %s, but sealing began on %s: the seals "
		    "of the first epochs are missing", l->lineno, day,
		    (today_format(v->vk->epoch0, want, sizeof(want)), want));
		return 0;
	}
	if (res->last_epoch != -1 && epoch != res->last_epoch &&
	    epoch != res->last_epoch + 1) {
		char d2[16];

		today_format(res->last_epoch + 1, d2, sizeof(d2));
		vfail(v, res->last_epoch + 1, l->lineno, "no seal closes epoch %s "
		    "(line %" PRIu64 " is sealed in epoch %s)", d2, l->lineno, day);
		return 0;
	}
	if (!v->have_key) {
		if (key_first(v->vk->seed, v->key) == -1)
			goto crypto;
		v->key_epoch = v->vk->epoch0;
		v->have_key = 1;
	}
	while (v->key_epoch < epoch) {
		if (key_next(v->key) == -1)
			goto crypto;
		v->key_epoch++;
	}
	if (mac_hex(v->key, l->seq, epoch, l->prev, want) == -1)
		goto crypto;
	if (!l->chained || CRYPTO_memcmp(want, json_string_value(mac), 64) != 0 ||
	    json_string_length(mac) != 64) {
		vfail(v, epoch, l->lineno, "the seal of epoch %s at line %" PRIu64
		    " (seq %" PRIu64 ") does not verify: a line before it was "
		    "changed, or the seal was not made with this key", day,
		    l->lineno, l->seq);
		return 0;
	}
	if (res->first_epoch == -1)
		res->first_epoch = epoch;
	res->last_epoch = epoch;
	res->seals++;
	v->after_last = 0;
	return 0;
crypto:
	vfail(v, epoch, l->lineno, "HKDF or HMAC failed");
	return 0;
}

int
seal_verify_files(const char *const *paths, size_t npaths,
    const struct seal_vkey *vk, time_t now, struct seal_result *res,
    struct err *e)
{
	struct auditscan_result sr;
	struct verify v;
	struct err sub;
	int32_t today = today_bangkok(now);
	char d1[16], d2[16];
	int rc;

	memset(res, 0, sizeof(*res));
	res->first_epoch = res->last_epoch = res->bad_epoch = -1;
	memset(&v, 0, sizeof(v));
	v.vk = vk;
	v.file = npaths > 0 ? paths[npaths - 1] : "";
	v.res = res;
	err_init(&sub);
	rc = auditscan_files(paths, npaths, verify_line, &v, &sr, &sub);
	OPENSSL_cleanse(v.key, sizeof(v.key));
	if (rc == -1 && sub.code != ERR_DATA) {
		err_set(e, sub.code, "%s", sub.msg);
		return -1;
	}
	if (!v.failed && res->seals == 0)
		vfail(&v, vk->epoch0, 0, "the log holds no seal: it was never "
		    "sealed, or not with this key");
	if (!v.failed && v.after_last > 0)
		vfail(&v, res->last_epoch, sr.lines, "the last %" PRIu64 " line(s) "
		    "come after the last seal: not sealed", v.after_last);
	if (!v.failed && res->last_epoch < today) {
		today_format(res->last_epoch, d1, sizeof(d1));
		today_format(today, d2, sizeof(d2));
		vfail(&v, res->last_epoch + 1, sr.lines, "the last seal is of epoch "
		    "%s but the current epoch is %s: the log was cut back (or "
		    "syncd has not sealed since)", d1, d2);
	}
	if (!v.failed && rc == -1)
		vfail(&v, -1, sr.bad_line, "%s", sub.msg);
	if (v.failed) {
		if (res->bad_epoch >= 0) {
			today_format(res->bad_epoch, d1, sizeof(d1));
			err_set(e, ERR_DATA, "%s: first bad epoch %s: %s", v.bad_file, d1,
			    res->what);
		} else
			err_set(e, ERR_DATA, "%s: %s", v.bad_file, res->what);
		return -1;
	}
	return 0;
}
