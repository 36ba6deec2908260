/*
 * textwidth: display width of UTF-8 text, for aligned tables of Thai.
 * A small table of zero-width and wide ranges instead of wcwidth(), which
 * needs a UTF-8 locale the daemon never sets.  Pure.
 */
#include "syncd/textwidth.h"

#include <stdint.h>
#include <string.h>

struct range {
	uint32_t lo, hi;
};

/* Code points that take no column: combining marks and invisible formats. */
static const struct range zero[] = {
	{ 0x0300, 0x036f },	/* combining diacritical marks */
	{ 0x0e31, 0x0e31 },	/* Thai MAI HAN-AKAT */
	{ 0x0e34, 0x0e3a },	/* Thai above/below vowels, PHINTHU */
	{ 0x0e47, 0x0e4e },	/* Thai MAITAIKHU .. YAMAKKAN (tone marks) */
	{ 0x0eb1, 0x0eb1 },	/* Lao, the same shapes */
	{ 0x0eb4, 0x0ebc },
	{ 0x0ec8, 0x0ecd },
	{ 0x1ab0, 0x1aff },
	{ 0x1dc0, 0x1dff },
	{ 0x200b, 0x200f },	/* zero-width space, joiners, marks */
	{ 0x202a, 0x202e },
	{ 0x2060, 0x2064 },
	{ 0x20d0, 0x20ff },
	{ 0xfe00, 0xfe0f },	/* variation selectors */
	{ 0xfe20, 0xfe2f },
	{ 0xfeff, 0xfeff },	/* byte order mark */
};

/* Code points that take two columns (East Asian Wide and Fullwidth). */
static const struct range wide[] = {
	{ 0x1100, 0x115f },
	{ 0x2e80, 0x303e },
	{ 0x3041, 0x33ff },
	{ 0x3400, 0x4dbf },
	{ 0x4e00, 0x9fff },
	{ 0xa000, 0xa4cf },
	{ 0xac00, 0xd7a3 },
	{ 0xf900, 0xfaff },
	{ 0xfe30, 0xfe4f },
	{ 0xff00, 0xff60 },
	{ 0xffe0, 0xffe6 },
	{ 0x1f300, 0x1f64f },
	{ 0x1f900, 0x1f9ff },
	{ 0x20000, 0x3fffd },
};

static int
in(const struct range *r, size_t n, uint32_t cp)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cp >= r[i].lo && cp <= r[i].hi)
			return 1;
	return 0;
}

/* decode(p, len, cp): the length of the UTF-8 sequence at p, 0 if malformed. */
static size_t
decode(const unsigned char *p, size_t len, uint32_t *cp)
{
	size_t n, i;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0)
		n = 2, *cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 3, *cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		n = 4, *cp = p[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (p[i] & 0x3f);
	}
	return n;
}

size_t
textwidth_n(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0, i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = decode(p + i, len - i, &cp);
		if (n == 0) {
			w++;
			i++;
			continue;
		}
		i += n;
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			continue;
		if (in(zero, sizeof(zero) / sizeof(zero[0]), cp))
			continue;
		w += in(wide, sizeof(wide) / sizeof(wide[0]), cp) ? 2 : 1;
	}
	return w;
}

size_t
textwidth(const char *s)
{
	return s != NULL ? textwidth_n(s, strlen(s)) : 0;
}
