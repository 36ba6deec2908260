/*
 * tabnotes: the tab list with the notes and objects (see tabnotes.h).
 *
 * The answer is walked in place by a small scanner that knows the shape it
 * asked for: sheets[] of {properties, data[] of {startRow, startColumn,
 * rowData[] of {values[] of {note}}}, protectedRanges, filterViews,
 * charts}.  Anything else is skipped (with nesting bounded by
 * SHEETS_MAX_JSON_DEPTH).  A sheet's members are first located (their
 * spans), then read once its title says what to keep, so the order Google
 * gives them in does not matter.  Only the properties, the object lists
 * and each note string go through jansson (json_loadb of their span: its
 * UTF-8 and escape checks); the {} of each empty row and cell costs
 * nothing.  The scanner accepts numbers and literals loosely where it skips
 * them; what it keeps it checks.
 */
#include "syncd/tabnotes.h"

#include <stdlib.h>
#include <string.h>

struct scan {
	const char *start, *p, *end;
	struct err *e;
};

/* A value's span in the answer. */
struct span {
	const char *b, *end;
};

static int
bad(struct scan *s, const char *what)
{
	err_set(s->e, ERR_DATA, "tab list with notes: %s at byte %zu", what,
	    (size_t)(s->p - s->start));
	return -1;
}

static void
blanks(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' ||
	    *s->p == '\t'))
		s->p++;
}

/* Consume c after blanks: 1 when it was there. */
static int
eat(struct scan *s, char c)
{
	blanks(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return 1;
	}
	return 0;
}

/* A string: *b and *n its raw bytes between the quotes (escapes kept). */
static int
string(struct scan *s, const char **b, size_t *n)
{
	blanks(s);
	if (s->p >= s->end || *s->p != '"')
		return bad(s, "a string expected");
	*b = ++s->p;
	while (s->p < s->end && *s->p != '"') {
		if ((unsigned char)*s->p < 0x20)
			return bad(s, "a control character in a string");
		if (*s->p == '\\' && ++s->p == s->end)
			break;
		s->p++;
	}
	if (s->p >= s->end)
		return bad(s, "a string without its end");
	*n = (size_t)(s->p - *b);
	s->p++;
	return 0;
}

/*
 * next_member(s, n, k, kn): after '{' (n members read so far): 1 with the
 * next key in *k, *kn and its ':' consumed, 0 at the closing '}', -1.
 */
static int
next_member(struct scan *s, size_t *n, const char **k, size_t *kn)
{
	if (eat(s, '}'))
		return 0;
	if (*n > 0 && !eat(s, ','))
		return bad(s, "',' or '}' expected");
	(*n)++;
	if (string(s, k, kn) == -1)
		return -1;
	if (!eat(s, ':'))
		return bad(s, "':' expected");
	return 1;
}

/* next_item(s, n): after '[': 1 at the next element, 0 at ']', -1. */
static int
next_item(struct scan *s, size_t *n)
{
	if (eat(s, ']'))
		return 0;
	if (*n > 0 && !eat(s, ','))
		return bad(s, "',' or ']' expected");
	(*n)++;
	return 1;
}

static int
key_is(const char *k, size_t kn, const char *name)
{
	return kn == strlen(name) && memcmp(k, name, kn) == 0;
}

/* Skip one value of any kind, nested depth deep already. */
static int
skip(struct scan *s, int depth)
{
	const char *k;
	size_t n = 0, kn;
	int rc;

	blanks(s);
	if (s->p >= s->end)
		return bad(s, "a value expected");
	if (*s->p == '"')
		return string(s, &k, &kn);
	if (*s->p == '{' || *s->p == '[') {
		int obj = *s->p == '{';

		if (depth >= SHEETS_MAX_JSON_DEPTH)
			return bad(s, "nested too deep");
		s->p++;
		while ((rc = obj ? next_member(s, &n, &k, &kn) : next_item(s, &n)) == 1)
			if (skip(s, depth + 1) == -1)
				return -1;
		return rc;
	}
	k = s->p;
	while (s->p < s->end && (strchr("+-.0123456789eE", *s->p) != NULL ||
	    (*s->p >= 'a' && *s->p <= 'z')))
		s->p++;
	if (s->p == k)
		return bad(s, "a value expected");
	return 0;
}

/* Skip one value, its span in *sp. */
static int
locate(struct scan *s, int depth, struct span *sp)
{
	blanks(s);
	sp->b = s->p;
	if (skip(s, depth) == -1)
		return -1;
	sp->end = s->p;
	return 0;
}

/* A non-negative integer of at most 32 bits (startRow, startColumn). */
static int
index_value(struct scan *s, int64_t *v)
{
	blanks(s);
	*v = 0;
	if (s->p >= s->end || *s->p < '0' || *s->p > '9')
		return bad(s, "a row or column index expected");
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
		*v = *v * 10 + (*s->p++ - '0');
		if (*v > UINT32_MAX)
			return bad(s, "an index outside the grid");
	}
	if (s->p < s->end && strchr(".eE", *s->p) != NULL)
		return bad(s, "an index that is not an integer");
	return 0;
}

/* The JSON value of span sp, decoded by jansson (NULL with e set). */
static json_t *
decode(struct scan *s, const struct span *sp)
{
	json_error_t je;
	json_t *j = json_loadb(sp->b, (size_t)(sp->end - sp->b),
	    JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);

	if (j == NULL) {
		s->p = sp->b;
		bad(s, je.text[0] != '\0' ? je.text : "not JSON");
	}
	return j;
}

/* The notes of one GridData (the scanner at its '{') of sheet sid. */
static int
grid_notes(struct scan *s, int64_t sid, struct annotate_seen *seen)
{
	int64_t r0 = 0, c0 = 0;
	struct span rows = { NULL, NULL };
	struct scan rs;
	const char *k;
	size_t n = 0, kn, r = 0, c;
	int rc;

	if (!eat(s, '{'))
		return bad(s, "a grid range expected");
	while ((rc = next_member(s, &n, &k, &kn)) == 1) {
		if (key_is(k, kn, "startRow"))
			rc = index_value(s, &r0);
		else if (key_is(k, kn, "startColumn"))
			rc = index_value(s, &c0);
		else if (key_is(k, kn, "rowData"))
			rc = locate(s, 4, &rows);
		else
			rc = skip(s, 4);
		if (rc == -1)
			return -1;
	}
	if (rc == -1 || rows.b == NULL)
		return rc;
	rs = *s;
	rs.p = rows.b;
	rs.end = rows.end;
	if (!eat(&rs, '['))
		return bad(&rs, "rowData is not a list");
	while ((rc = next_item(&rs, &r)) == 1) {
		size_t rn = 0, cn;

		if (!eat(&rs, '{'))
			return bad(&rs, "a row expected");
		while ((rc = next_member(&rs, &rn, &k, &kn)) == 1) {
			if (!key_is(k, kn, "values")) {
				if (skip(&rs, 6) == -1)
					return -1;
				continue;
			}
			if (!eat(&rs, '['))
				return bad(&rs, "values is not a list");
			for (c = 0; (rc = next_item(&rs, &c)) == 1;) {
				if (!eat(&rs, '{'))
					return bad(&rs, "a cell expected");
				for (cn = 0; (rc = next_member(&rs, &cn, &k, &kn)) == 1;) {
					struct span ns;
					json_t *note;
					int ok;

					if (!key_is(k, kn, "note")) {
						if (skip(&rs, 8) == -1)
							return -1;
						continue;
					}
					if (locate(&rs, 8, &ns) == -1 ||
					    (note = decode(&rs, &ns)) == NULL)
						return -1;
					if (!json_is_string(note) || strlen(json_string_value(note)) !=
					    json_string_length(note)) {
						json_decref(note);
						return bad(&rs, "a note that is not text");
					}
					ok = json_string_length(note) == 0 ||
					    annotate_seen_add_note(seen, sid, r0 + (int64_t)r - 1,
					    c0 + (int64_t)c - 1, json_string_value(note), s->e) == 0;
					json_decref(note);
					if (!ok)
						return -1;
				}
				if (rc == -1)
					return -1;
			}
			if (rc == -1)
				return -1;
		}
		if (rc == -1)
			return -1;
	}
	return rc;
}

/* The ids of one object list (span sp: [{"<key>": id}, ...]) of sheet sid. */
static int
object_ids(struct scan *s, const struct span *sp, const char *key, int64_t sid,
    struct annotate_seen *seen)
{
	json_t *l = decode(s, sp), *x, *id;
	size_t i;
	int rc = 0;

	if (l == NULL)
		return -1;
	if (!json_is_array(l)) {
		json_decref(l);
		s->p = sp->b;
		return bad(s, "an object list that is not a list");
	}
	json_array_foreach(l, i, x)
		if ((id = json_object_get(x, key)) != NULL && json_is_integer(id) &&
		    (rc = annotate_seen_add_id(seen, 0, (int64_t)json_integer_value(id),
		    s->e)) == -1)
			break;
	if (rc == 0 && strcmp(key, "chartId") == 0 && json_array_size(l) > 0 &&
	    !annotate_seen_has(seen->charted, seen->ncharted, sid))
		rc = annotate_seen_add_id(seen, 2, sid, s->e);
	json_decref(l);
	return rc;
}

/* One sheet (the scanner at its '{'): tab number i. */
static int
sheet(struct scan *s, size_t i, const struct tabnotes_keep *keep, struct sheets_tab *t,
    struct annotate_seen *seen)
{
	static const char *const lists[] = { "protectedRanges", "filterViews", "charts" };
	static const char *const ids[] = { "protectedRangeId", "filterViewId", "chartId" };
	struct span props = { NULL, NULL }, data = { NULL, NULL }, obj[3];
	const char *k, *after;
	size_t n = 0, kn, g = 0;
	unsigned what;
	json_t *p;
	int rc, j;

	memset(obj, 0, sizeof(obj));
	if (!eat(s, '{'))
		return bad(s, "a sheet expected");
	while ((rc = next_member(s, &n, &k, &kn)) == 1) {
		struct span *sp = key_is(k, kn, "properties") ? &props :
		    key_is(k, kn, "data") ? &data : NULL;

		for (j = 0; sp == NULL && j < 3; j++)
			if (key_is(k, kn, lists[j]))
				sp = &obj[j];
		if (sp != NULL && sp->b != NULL)
			return bad(s, "a member given twice");
		if ((sp != NULL ? locate(s, 3, sp) : skip(s, 3)) == -1)
			return -1;
	}
	if (rc == -1)
		return -1;
	after = s->p;
	if (props.b == NULL)
		return bad(s, "a sheet without properties");
	if ((p = decode(s, &props)) == NULL)
		return -1;
	rc = sheets_parse_properties(p, i, t, s->e);
	json_decref(p);
	if (rc == -1)
		return -1;
	what = keep != NULL && keep->what != NULL ? keep->what(keep->ctx, t->title) : 0;
	for (j = 0; (what & TABNOTES_OBJECTS) && j < 3; j++)
		if (obj[j].b != NULL && object_ids(s, &obj[j], ids[j], t->sheet_id, seen) == -1)
			return -1;
	if (!(what & TABNOTES_NOTES))
		return 0;
	if (annotate_seen_add_id(seen, 1, t->sheet_id, s->e) == -1)
		return -1;
	if (data.b == NULL)
		return 0;
	s->p = data.b;
	if (!eat(s, '['))
		return bad(s, "data is not a list");
	while ((rc = next_item(s, &g)) == 1)
		if (grid_notes(s, t->sheet_id, seen) == -1)
			return -1;
	s->p = after;		/* back where the sheet ended */
	return rc;
}

int
tabnotes_parse(const char *body, size_t len, const struct tabnotes_keep *keep,
    struct sheets_tabs *tabs, struct annotate_seen *seen, struct err *e)
{
	struct scan s = { body, body, body + len, e };
	struct sheets_tab *t;
	const char *k;
	size_t n = 0, kn, i = 0;
	int rc, found = 0;

	memset(tabs, 0, sizeof(*tabs));
	memset(seen, 0, sizeof(*seen));
	if (body == NULL || !eat(&s, '{')) {
		bad(&s, "not a spreadsheets.get answer");
		goto fail;
	}
	while ((rc = next_member(&s, &n, &k, &kn)) == 1) {
		if (!key_is(k, kn, "sheets")) {
			if (skip(&s, 1) == -1)
				goto fail;
			continue;
		}
		if (found++ || !eat(&s, '[')) {
			bad(&s, "\"sheets\" is not one list");
			goto fail;
		}
		while ((rc = next_item(&s, &i)) == 1) {
			if (tabs->n == SHEETS_MAX_TABS) {
				err_set(e, ERR_DATA, "tab list with notes: more than %d tabs",
				    SHEETS_MAX_TABS);
				goto fail;
			}
			if ((t = realloc(tabs->tabs, (tabs->n + 1) * sizeof(*t))) == NULL) {
				err_set(e, ERR_NOMEM, "out of memory");
				goto fail;
			}
			tabs->tabs = t;
			memset(&t[tabs->n], 0, sizeof(*t));
			if (sheet(&s, tabs->n, keep, &t[tabs->n], seen) == -1) {
				free(t[tabs->n].title);
				goto fail;
			}
			tabs->n++;
		}
		if (rc == -1)
			goto fail;
	}
	if (rc == -1)
		goto fail;
	blanks(&s);
	if (s.p != s.end) {
		bad(&s, "bytes after the answer");
		goto fail;
	}
	return 0;
fail:
	sheets_tabs_fini(tabs);
	annotate_seen_fini(seen);
	return -1;
}

int
tabnotes_read(struct sheets *sh, const struct tabnotes_keep *keep,
    struct sheets_tabs *tabs, struct annotate_seen *seen, size_t *bytes, struct err *e)
{
	struct sheets_reply r;
	int rc;

	memset(tabs, 0, sizeof(*tabs));
	memset(seen, 0, sizeof(*seen));
	if (bytes != NULL)
		*bytes = 0;
	if (sheets_get_fields(sh, TABNOTES_FIELDS, &r, e) == -1)
		return -1;
	if (bytes != NULL)
		*bytes = r.len;
	rc = tabnotes_parse(r.body, r.len, keep, tabs, seen, e);
	sheets_reply_fini(&r);
	return rc;
}
