/*
 * config_value: the readers of one libconfig setting (see config_value.h):
 * type, length, UTF-8 and range checks, and the two ways a string is kept
 * (an owned field of struct config, or the configuration's pool).  The
 * first error is put in the load's struct err as "FILE:LINE: message";
 * nothing here logs or exits.
 */
#include "syncd/config_value.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* config_value_fail: see config_value.h. */
int
config_value_fail(struct config_loader *ld, const config_setting_t *s, const char *fmt,
    ...)
{
	char msg[ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s != NULL && config_setting_source_line(s) > 0)
		err_set(ld->e, ERR_CONFIG, "%s:%u: %s", ld->name,
		    (unsigned)config_setting_source_line(s), msg);
	else
		err_set(ld->e, ERR_CONFIG, "%s: %s", ld->name, msg);
	return -1;
}

int
config_value_nomem(struct config_loader *ld)
{
	err_set(ld->e, ERR_NOMEM, "%s: out of memory", ld->name);
	return -1;
}

/* sname(s): a setting's name for messages: list elements have none. */
static const char *
sname(const config_setting_t *s)
{
	const char *n = config_setting_name(s);

	return n != NULL ? n : "element";
}

/*
 * utf8_ok(s): non-zero when s is well-formed UTF-8 with no control
 * character other than tab, line feed and carriage return.
 */
static int
utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	int n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') ||
			    *p == 0x7f)
				return 0;
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

/*
 * config_value_string(ld, s, nonempty, out): s must be a string of valid
 * UTF-8 no longer than CONFIG_MAX_STRING (and not empty when nonempty).
 * *out is borrowed from libconfig until config_destroy.
 */
int
config_value_string(struct config_loader *ld, const config_setting_t *s, int nonempty,
    const char **out)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return config_value_fail(ld, s, "%s: expected a string in double quotes",
		    sname(s));
	v = config_setting_get_string(s);
	if (strlen(v) > CONFIG_MAX_STRING)
		return config_value_fail(ld, s, "%s: longer than %d bytes", sname(s),
		    CONFIG_MAX_STRING);
	if (!utf8_ok(v))
		return config_value_fail(ld, s, "%s: not valid UTF-8 text (or holds a "
		    "control character)", sname(s));
	if (nonempty && v[0] == '\0')
		return config_value_fail(ld, s, "%s: must not be empty", sname(s));
	*out = v;
	return 0;
}

/* config_value_own(ld, slot, v): *slot (owned) becomes a copy of v. */
int
config_value_own(struct config_loader *ld, char **slot, const char *v)
{
	char *c = strdup(v);

	if (c == NULL)
		return config_value_nomem(ld);
	free(*slot);
	*slot = c;
	return 0;
}

/* config_value_pool(ld, v, out): a copy of v owned by the configuration's pool. */
int
config_value_pool(struct config_loader *ld, const char *v, const char **out)
{
	struct config *cfg = ld->cfg;
	char **np;
	size_t ncap;

	if (cfg->npool == cfg->pool_cap) {
		ncap = cfg->pool_cap ? cfg->pool_cap * 2 : 32;
		np = realloc(cfg->pool, ncap * sizeof(*np));
		if (np == NULL)
			return config_value_nomem(ld);
		cfg->pool = np;
		cfg->pool_cap = ncap;
	}
	if ((cfg->pool[cfg->npool] = strdup(v)) == NULL)
		return config_value_nomem(ld);
	*out = cfg->pool[cfg->npool++];
	return 0;
}

/* config_value_int(ld, s, lo, hi, out): an integer within lo..hi. */
int
config_value_int(struct config_loader *ld, const config_setting_t *s, long lo, long hi,
    long long *out)
{
	long long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return config_value_fail(ld, s, "%s: expected a whole number", sname(s));
	v = config_setting_get_int64(s);
	if (v < lo || v > hi)
		return config_value_fail(ld, s, "%s: %lld is out of range (%ld to %ld)",
		    sname(s), v, lo, hi);
	*out = v;
	return 0;
}

int
config_value_bool(struct config_loader *ld, const config_setting_t *s, int *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return config_value_fail(ld, s, "%s: expected true or false", sname(s));
	*out = config_setting_get_bool(s);
	return 0;
}

/*
 * config_value_strlist(ld, s, max, out, n): an array or list of up to max
 * non-empty, distinct strings, pooled into out[0..*n).
 */
int
config_value_strlist(struct config_loader *ld, const config_setting_t *s, size_t max,
    const char **out, size_t *n)
{
	const config_setting_t *el;
	const char *v;
	size_t i, j, len;

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return config_value_fail(ld, s, "%s: expected a list of strings: "
		    "[ \"...\", ... ]", sname(s));
	len = (size_t)config_setting_length(s);
	if (len > max)
		return config_value_fail(ld, s, "%s: more than %zu entries", sname(s),
		    max);
	for (i = 0; i < len; i++) {
		el = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(el) != CONFIG_TYPE_STRING)
			return config_value_fail(ld, el, "%s: entry %zu is not a string",
			    sname(s), i + 1);
		if (config_value_string(ld, el, 1, &v) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (strcmp(out[j], v) == 0)
				return config_value_fail(ld, el, "%s: \"%s\" is listed twice",
				    sname(s), v);
		if (config_value_pool(ld, v, &out[i]) == -1)
			return -1;
		*n = i + 1;
	}
	*n = len;
	return 0;
}
