/*
 * config_value: the load in progress and the readers of one libconfig
 * setting, shared by the parts of the configuration loader (config,
 * config_keys, config_columns, config_groups).  Each reader checks the
 * setting's type and limits and says what is wrong as "FILE:LINE: message"
 * (ERR_CONFIG) in the load's struct err; none logs or exits.  Only the
 * loader's files include this header: the rest of syncd sees syncd/config.h.
 */
#ifndef SYNCD_CONFIG_VALUE_H
#define SYNCD_CONFIG_VALUE_H

#include <stddef.h>

#include <libconfig.h>

#include "auth/err.h"
#include "syncd/config.h"

/* What one load needs to report an error and fill the result. */
struct config_loader {
	const char *name;	/* borrowed: the file's name in messages */
	struct config *cfg;	/* borrowed: the configuration being filled */
	struct err *e;		/* borrowed: where the first error goes */
};

struct config_key;

/* A key's handler: read s into ld->cfg as k says; 0, or -1 with ld->e set. */
typedef int (*config_key_fn)(struct config_loader *ld, const config_setting_t *s,
    const struct config_key *k);

/* One known key: its handler and where its value goes. */
struct config_key {
	const char *name;
	config_key_fn fn;
	size_t off;		/* offset of the value in struct config */
	size_t off2;		/* second offset (a count), where needed */
	long lo, hi;		/* range of an integer */
};

/* Where a member of struct config (or of its rules) is, for struct config_key. */
#define CONFIG_OFF(m)	offsetof(struct config, m)
#define CONFIG_ROFF(m)	offsetof(struct config, rules.m)

/*
 * config_value_fail(ld, s, fmt, ...): record "NAME:LINE: message" (or
 * "NAME: message" when s is NULL or has no line) as ERR_CONFIG.  Returns -1
 * so callers can return it.
 */
int config_value_fail(struct config_loader *ld, const config_setting_t *s,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* config_value_nomem(ld): record "NAME: out of memory" (ERR_NOMEM); -1. */
int config_value_nomem(struct config_loader *ld);

/* config_value_name(s): a setting's name for messages ("element" in a list). */
const char *config_value_name(const config_setting_t *s);

/*
 * config_value_string(ld, s, nonempty, out): s must be a string of valid
 * UTF-8 (no control character but tab, CR, LF) no longer than
 * CONFIG_MAX_STRING, and not empty when nonempty.  *out is borrowed from
 * libconfig until config_destroy.  Returns 0 or -1.
 */
int config_value_string(struct config_loader *ld, const config_setting_t *s, int nonempty,
    const char **out);

/* config_value_int(ld, s, lo, hi, out): a whole number within lo..hi; 0 or -1. */
int config_value_int(struct config_loader *ld, const config_setting_t *s, long lo,
    long hi, long long *out);

/* config_value_bool(ld, s, out): true or false into *out; 0 or -1. */
int config_value_bool(struct config_loader *ld, const config_setting_t *s, int *out);

/*
 * config_value_strlist(ld, s, max, out, n): an array or list of up to max
 * non-empty, distinct strings, pooled into out[0..*n).  Returns 0 or -1.
 */
int config_value_strlist(struct config_loader *ld, const config_setting_t *s, size_t max,
    const char **out, size_t *n);

/*
 * config_value_own(ld, slot, v): replace the owned string *slot (freed) with
 * a copy of v.  Returns 0, or -1 (ERR_NOMEM; *slot unchanged).
 */
int config_value_own(struct config_loader *ld, char **slot, const char *v);

/*
 * config_value_pool(ld, v, out): *out becomes a copy of v owned by the
 * configuration's pool (valid until config_free).  Returns 0 or -1 (ERR_NOMEM).
 */
int config_value_pool(struct config_loader *ld, const char *v, const char **out);

#endif
