/*
 * jdump: json_dumps' output, written faster (see jdump.h).  The layout
 * rules copied from jansson 2.14 (dump.c, strconv.c): separators "," and
 * ":" when compact; with an indent, a newline and two spaces per level
 * before each element and ": " after each key; empty containers as "[]"
 * and "{}"; strings escape '"', '\\' and bytes below 0x20 (\b \f \n \r \t,
 * else \u00XX in upper case), nothing else; integers as %lld; reals as
 * %.17g, with ".0" added when that reads as an integer and the exponent
 * stripped of '+' and leading zeros.
 */
#include "tests/fakesheets/jdump.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct out {
	char *buf;	/* owned */
	size_t len, cap;
	int oom;
};

static int
reserve(struct out *o, size_t n)
{
	size_t cap;
	char *nb;

	if (o->oom)
		return -1;
	if (o->cap - o->len > n)
		return 0;
	cap = o->cap ? o->cap : 4096;
	while (cap - o->len <= n)
		cap *= 2;
	nb = realloc(o->buf, cap);
	if (nb == NULL) {
		o->oom = 1;
		return -1;
	}
	o->buf = nb;
	o->cap = cap;
	return 0;
}

static void
put(struct out *o, const char *s, size_t n)
{
	if (reserve(o, n) == -1)
		return;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void
put_indent(struct out *o, int pretty, size_t depth)
{
	if (!pretty || reserve(o, 1 + 2 * depth) == -1)
		return;
	o->buf[o->len++] = '\n';
	memset(o->buf + o->len, ' ', 2 * depth);
	o->len += 2 * depth;
}

static void
put_string(struct out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0, run;
	unsigned char c;
	char esc[6];

	put(o, "\"", 1);
	while (i < n) {
		run = i;
		while (i < n && (unsigned char)s[i] >= 0x20 && s[i] != '"' && s[i] != '\\')
			i++;
		put(o, s + run, i - run);
		if (i == n)
			break;
		c = (unsigned char)s[i++];
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			put(o, esc, 6);
			continue;
		}
		put(o, esc, 2);
	}
	put(o, "\"", 1);
}

/* put_real(o, x): jansson's jsonp_dtostr at precision 17. */
static int
put_real(struct out *o, double x)
{
	char buf[40], *ex, *from;
	int n;

	if (!isfinite(x))
		return -1;
	n = snprintf(buf, sizeof(buf) - 3, "%.17g", x);
	if (n < 0 || (size_t)n >= sizeof(buf) - 3)
		return -1;
	if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL)
		memcpy(buf + n, ".0", 3);
	ex = strchr(buf, 'e');
	if (ex != NULL) {
		ex++;
		if (*ex == '-')
			ex++;
		for (from = ex; *from == '+' || *from == '0'; from++)
			;
		memmove(ex, from, strlen(from) + 1);
	}
	put(o, buf, strlen(buf));
	return 0;
}

static int
dump(struct out *o, const json_t *j, int pretty, size_t depth)
{
	char num[32];
	const char *key;
	json_t *v;
	size_t i, n;
	int first;

	if (depth > JDUMP_MAX_DEPTH)
		return -1;
	switch (json_typeof(j)) {
	case JSON_NULL:
		put(o, "null", 4);
		return 0;
	case JSON_TRUE:
		put(o, "true", 4);
		return 0;
	case JSON_FALSE:
		put(o, "false", 5);
		return 0;
	case JSON_INTEGER:
		n = (size_t)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(j));
		put(o, num, n);
		return 0;
	case JSON_REAL:
		return put_real(o, json_real_value(j));
	case JSON_STRING:
		put_string(o, json_string_value(j), json_string_length(j));
		return 0;
	case JSON_ARRAY:
		n = json_array_size(j);
		if (n == 0) {
			put(o, "[]", 2);
			return 0;
		}
		put(o, "[", 1);
		for (i = 0; i < n; i++) {
			if (i > 0)
				put(o, ",", 1);
			put_indent(o, pretty, depth + 1);
			if (dump(o, json_array_get(j, i), pretty, depth + 1) == -1)
				return -1;
		}
		put_indent(o, pretty, depth);
		put(o, "]", 1);
		return 0;
	case JSON_OBJECT:
		if (json_object_size(j) == 0) {
			put(o, "{}", 2);
			return 0;
		}
		put(o, "{", 1);
		first = 1;
		/* json_object_foreach wants a non-const object; it only reads. */
		json_object_foreach((json_t *)(uintptr_t)j, key, v) {
			if (!first)
				put(o, ",", 1);
			first = 0;
			put_indent(o, pretty, depth + 1);
			put_string(o, key, strlen(key));
			put(o, pretty ? ": " : ":", pretty ? 2 : 1);
			if (dump(o, v, pretty, depth + 1) == -1)
				return -1;
		}
		put_indent(o, pretty, depth);
		put(o, "}", 1);
		return 0;
	}
	return -1;
}

char *
jdump(const json_t *j, int pretty, size_t *len)
{
	struct out o = { NULL, 0, 0, 0 };

	if (len != NULL)
		*len = 0;
	if (j == NULL || (!json_is_object(j) && !json_is_array(j)) ||
	    dump(&o, j, pretty, 0) == -1 || reserve(&o, 1) == -1) {
		free(o.buf);
		return NULL;
	}
	o.buf[o.len] = '\0';
	if (len != NULL)
		*len = o.len;
	return o.buf;
}
