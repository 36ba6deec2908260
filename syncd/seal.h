/*
 * seal: forward-secure sealing of the audit log, so that root on the host
 * cannot rewrite the past unseen (the idea of Schneier and Kelsey's secure
 * audit logs, as in journald's Forward Secure Sealing, with a hash chain of
 * keys instead of FSPRG).
 *
 * `syncd audit seal-init` draws a 32-byte seed, prints it ONCE as the
 * verification key "HEX64/YYYY-MM-DD" (the first epoch's date) for a
 * reviewer to keep off the host, and stores only the first epoch's key
 * K0 = HKDF-SHA-256(seed) in STATE_DIR/seal.key: the seed is never written.
 * An epoch is a day in Asia/Bangkok.  Each time syncd syncs the log it first
 * appends a "seal" line: HMAC-SHA-256 under the current epoch's key over the
 * seal's seq, its epoch and the SHA-256 chain head before it (which covers
 * every line before).  When the day changes it closes each past epoch with a
 * seal under that epoch's key, syncs the log, then evolves the key one way,
 * K(e+1) = HKDF-SHA-256(K(e)), overwriting the key file in place and wiping
 * the old key from memory.  Root who takes the host on day d holds K(d) only:
 * the seals of earlier days cannot be recomputed.
 *
 * Why per sync (one seal a writing cycle) rather than per line: a cycle's
 * lines become durable together, so nothing a reader can see is unsealed
 * for longer than a cycle; one MAC over the chain head authenticates every
 * line before it; and an idle log gains one line a day, not one a line.
 *
 * The verifier derives every epoch's key from the seed and requires: a
 * seal for every epoch from the first to the last without a gap, each MAC
 * valid, no line after the last seal, and the last seal in the current
 * epoch (a log cut back to an earlier day is caught).
 */
#ifndef SYNCD_SEAL_H
#define SYNCD_SEAL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "auth/err.h"
#include "syncd/audit.h"

#define SEAL_KEY_FILE	"seal.key"	/* in state_dir */
#define SEAL_SEED_LEN	32
#define SEAL_VKEY_MAX	128		/* bytes of a verification key's text */

struct seal_vkey {
	unsigned char seed[SEAL_SEED_LEN];
	int32_t epoch0;			/* day number of the first epoch */
};

/*
 * seal_init(state_dir, now, vkey, vkeysize, e): create STATE_DIR/seal.key
 * (mode 0600, owned like the state directory when run by root; refused
 * when it exists) for the epoch of now and write the verification key's
 * text into vkey.  0, or -1 with e set.
 */
int seal_init(const char *state_dir, time_t now, char *vkey, size_t vkeysize,
    struct err *e);

/*
 * seal_parse_vkey(text, out, e): parse "HEX64/YYYY-MM-DD".  On error e is
 * ERR_USAGE and never holds the text (it is a secret).  0 or -1.
 */
int seal_parse_vkey(const char *text, struct seal_vkey *out, struct err *e);

/*
 * seal_attach(a, state_dir, e): seal a's log from now on when
 * STATE_DIR/seal.key exists (it is read at each sync, so a key created
 * while the daemon runs is used from the next sync).  state_dir is copied.
 * 0, or -1 with e set (out of memory).
 */
int seal_attach(struct audit *a, const char *state_dir, struct err *e);

struct seal_result {
	uint64_t seals;			/* seals that verified */
	int32_t first_epoch, last_epoch;	/* -1 when none */
	int32_t bad_epoch;		/* first epoch that fails, -1 if none */
	uint64_t bad_line;		/* the line that shows it, 0 if none */
	char what[320];
};

/*
 * seal_verify_files(paths, npaths, vk, now, res, e): check the chain and
 * every seal of the log in paths (a rotated log's files, oldest first)
 * with the verification key vk; the current epoch is now's.  0 when all holds; -1 with e set otherwise (ERR_DATA: res says
 * which epoch and line; ERR_NOINPUT, ERR_IO).
 */
int seal_verify_files(const char *const *paths, size_t npaths,
    const struct seal_vkey *vk, time_t now, struct seal_result *res,
    struct err *e);

#endif
