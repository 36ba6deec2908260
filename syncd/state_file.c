/*
 * state_file: state.json's members, written and read (see state_file.h).
 *
 * Writing streams the JSON through stdio with our own escaper; reading
 * takes the jansson tree state.c parsed (JSON_REJECT_DUPLICATES) and checks
 * every member's type before it sets anything, so a corrupt file is a clear
 * error, never a crash.  Members this syncd does not know are ignored.
 */
#include "syncd/state_file.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "syncd/jsonout.h"

#define STATE_FORMAT 1

/* ---- writing ---------------------------------------------------------- */

/* The scalar members, and the conflict with another writer if any. */
static void
write_scalars(FILE *f, const struct state *s)
{
	const char *other, *footer, *version;
	long quiet;

	fprintf(f, "{\"format\":%d,\"version\":", STATE_FORMAT);
	jsonout_string(f, state_version(s));
	fprintf(f, ",\"cycle\":%" PRIu64 ",\"rendered_hash\":", state_cycle(s));
	jsonout_string(f, state_rendered_hash(s));
	fputs(",\"basis\":", f);
	jsonout_string(f, state_basis(s));
	if (state_published_head(s) != NULL) {
		fputs(",\"published_head\":", f);
		jsonout_string(f, state_published_head(s));
	}
	if (state_instance(s) != NULL) {
		fputs(",\"instance\":", f);
		jsonout_string(f, state_instance(s));
	}
	if ((other = state_conflict(s, &footer, &version, &quiet)) != NULL) {
		fputs(",\n\"conflict\":{\"other\":", f);
		jsonout_string(f, other);
		fputs(",\"footer\":", f);
		jsonout_string(f, footer);
		fputs(",\"version\":", f);
		jsonout_string(f, version);
		fprintf(f, ",\"quiet\":%ld}", quiet);
	}
}

/* The tab list, syncd's objects and the noted cells. */
static void
write_lists(FILE *f, const struct state *s)
{
	size_t i;

	fputs(",\n\"sheets\":[", f);
	for (i = 0; i < state_sheets_count(s); i++) {
		const struct state_sheet *sh = state_sheet(s, i);

		if (i > 0)
			putc(',', f);
		fputs("{\"title\":", f);
		jsonout_string(f, sh->title);
		fprintf(f, ",\"sheetId\":%" PRId64 ",\"index\":%ld", sh->sheet_id, sh->index);
		if (sh->households >= 0)
			fprintf(f, ",\"households\":%ld", sh->households);
		putc('}', f);
	}
	putc(']', f);
	fputs(",\n\"objects\":[", f);
	for (i = 0; i < state_objects_count(s); i++) {
		const struct state_object *o = state_object(s, i);

		if (i > 0)
			putc(',', f);
		fputs("{\"kind\":", f);
		jsonout_string(f, o->kind);
		fputs(",\"name\":", f);
		jsonout_string(f, o->name);
		fprintf(f, ",\"id\":%" PRId64 "}", o->id);
	}
	putc(']', f);
	fputs(",\n\"noted\":[", f);
	for (i = 0; i < state_noted_count(s); i++) {
		const struct state_cell *c = state_noted(s, i);

		fprintf(f, "%s[%" PRId64 ",%" PRIu32 ",%" PRIu32 "]", i > 0 ? "," : "",
		    c->sheet_id, c->row, c->col);
	}
	putc(']', f);
}

struct seen_writer {
	FILE *f;
	int details;	/* 0: "first_seen" (id: time); 1: "findings" (id: fields) */
	int first;
};

static void
write_seen(const char *id, time_t t, const char *detail, void *ctx)
{
	struct seen_writer *w = ctx;

	if (w->details && detail == NULL)
		return;
	if (!w->first)
		putc(',', w->f);
	w->first = 0;
	jsonout_string(w->f, id);
	if (w->details) {
		putc(':', w->f);
		fputs(detail, w->f);
	} else {
		fprintf(w->f, ":%lld", (long long)t);
	}
}

void
state_file_write(FILE *f, const struct state *s)
{
	struct seen_writer w = { f, 0, 1 };

	write_scalars(f, s);
	write_lists(f, s);
	fputs(",\n\"first_seen\":{", f);
	state_first_seen_foreach(s, write_seen, &w);
	/* The finding's fields, so that its discrepancy.resolved can repeat
	 * them: compact JSON objects built by the cycle, written as they are. */
	fputs("},\n\"findings\":{", f);
	w.details = 1;
	w.first = 1;
	state_first_seen_foreach(s, write_seen, &w);
	fputs("}}\n", f);
}

/* ---- reading ---------------------------------------------------------- */

static int
badtype(const char *path, struct err *e)
{
	err_set(e, ERR_DATA, "%s: a top-level member has the wrong type", path);
	return -1;
}

/* read_string(s, doc, name, set, path, e): an optional string member. */
static int
read_string(struct state *s, json_t *doc, const char *name,
    int (*set)(struct state *, const char *, struct err *), const char *path,
    struct err *e)
{
	json_t *v = json_object_get(doc, name);

	if (v != NULL && !json_is_null(v) && !json_is_string(v))
		return badtype(path, e);
	if (json_is_string(v) && set(s, json_string_value(v), e) == -1)
		return -1;
	return 0;
}

/* The conflict with another writer, when one was recorded. */
static int
read_conflict(struct state *s, json_t *doc, const char *path, struct err *e)
{
	json_t *v = json_object_get(doc, "conflict");

	if (v != NULL && !json_is_null(v) && !json_is_object(v))
		return badtype(path, e);
	if (json_is_object(v) && json_is_string(json_object_get(v, "other")) &&
	    state_set_conflict(s, json_string_value(json_object_get(v, "other")),
	    json_string_value(json_object_get(v, "footer")),
	    json_string_value(json_object_get(v, "version")),
	    (long)json_integer_value(json_object_get(v, "quiet")), e) == -1)
		return -1;
	return 0;
}

/* "sheets": the tab list, each with a title, a sheetId and an index. */
static int
read_sheets(struct state *s, json_t *v, const char *path, struct err *e)
{
	size_t k;

	if (v != NULL && !json_is_array(v))
		return badtype(path, e);
	for (k = 0; k < json_array_size(v); k++) {
		json_t *sh = json_array_get(v, k);
		json_t *ti = json_object_get(sh, "title");
		json_t *sid = json_object_get(sh, "sheetId");
		json_t *ix = json_object_get(sh, "index");
		json_t *hh = json_object_get(sh, "households");

		if (!json_is_string(ti) || !json_is_integer(sid) || !json_is_integer(ix)) {
			err_set(e, ERR_DATA, "%s: sheets[%zu] needs a title, a sheetId "
			    "and an index", path, k);
			return -1;
		}
		if (state_sheets_add(s, json_string_value(ti), json_integer_value(sid),
		    (long)json_integer_value(ix), e) == -1)
			return -1;
		if (json_is_integer(hh))
			state_sheet_set_households(s, state_sheets_count(s) - 1,
			    (long)json_integer_value(hh));
	}
	return 0;
}

/* "objects": syncd's filter views, protected ranges and chart. */
static int
read_objects(struct state *s, json_t *v, const char *path, struct err *e)
{
	size_t k;

	if (v != NULL && !json_is_array(v))
		return badtype(path, e);
	for (k = 0; k < json_array_size(v); k++) {
		json_t *o = json_array_get(v, k);
		json_t *kd = json_object_get(o, "kind");
		json_t *nm = json_object_get(o, "name");
		json_t *oid = json_object_get(o, "id");

		if (!json_is_string(kd) || !json_is_string(nm) || !json_is_integer(oid)) {
			err_set(e, ERR_DATA, "%s: objects[%zu] needs a kind, a name "
			    "and an id", path, k);
			return -1;
		}
		if (state_objects_add(s, json_string_value(kd), json_string_value(nm),
		    json_integer_value(oid), e) == -1)
			return -1;
	}
	return 0;
}

/* "noted": the cells holding syncd's note, as [sheetId, row, column]. */
static int
read_noted(struct state *s, json_t *v, const char *path, struct err *e)
{
	size_t k;

	if (v != NULL && !json_is_array(v))
		return badtype(path, e);
	for (k = 0; k < json_array_size(v); k++) {
		json_t *c = json_array_get(v, k);
		json_int_t row = json_integer_value(json_array_get(c, 1));
		json_int_t col = json_integer_value(json_array_get(c, 2));

		if (json_array_size(c) != 3 || !json_is_integer(json_array_get(c, 0)) ||
		    !json_is_integer(json_array_get(c, 1)) ||
		    !json_is_integer(json_array_get(c, 2)) || row < 0 || col < 0 ||
		    row > UINT32_MAX || col > UINT32_MAX) {
			err_set(e, ERR_DATA, "%s: noted[%zu] is not [sheetId, row, column]",
			    path, k);
			return -1;
		}
		if (state_noted_add(s, json_integer_value(json_array_get(c, 0)),
		    (uint32_t)row, (uint32_t)col, e) == -1)
			return -1;
	}
	return 0;
}

/*
 * "first_seen" (id: time) and "findings" (id: the finding's fields, kept
 * only for an id still open and not given them already).
 */
static int
read_seen(struct state *s, json_t *doc, const char *path, struct err *e)
{
	json_t *seen = json_object_get(doc, "first_seen"), *v;
	const char *id;
	char *text;
	int rc;

	if (seen != NULL && !json_is_object(seen))
		return badtype(path, e);
	json_object_foreach(seen, id, v) {
		if (!json_is_integer(v)) {
			err_set(e, ERR_DATA, "%s: first_seen of \"%s\" is not an "
			    "integer", path, id);
			return -1;
		}
		if (state_first_seen_set(s, id, (time_t)json_integer_value(v), e) == -1)
			return -1;
	}
	seen = json_object_get(doc, "findings");
	if (seen != NULL && !json_is_object(seen))
		return badtype(path, e);
	json_object_foreach(seen, id, v) {
		if (!json_is_object(v)) {
			err_set(e, ERR_DATA, "%s: findings of \"%s\" is not an "
			    "object", path, id);
			return -1;
		}
		if (state_first_seen_detail(s, id) != NULL ||
		    !state_first_seen_get(s, id, &(time_t){0}))
			continue;	/* no longer open: nothing to repeat */
		text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (text == NULL) {
			err_set(e, ERR_NOMEM, "state: out of memory");
			return -1;
		}
		rc = state_first_seen_set_detail(s, id, text, e);
		free(text);
		if (rc == -1)
			return -1;
	}
	return 0;
}

int
state_file_read(struct state *s, json_t *doc, const char *path, struct err *e)
{
	json_t *v;

	if (!json_is_object(doc)) {
		err_set(e, ERR_DATA, "%s: not a JSON object", path);
		return -1;
	}
	v = json_object_get(doc, "format");
	if (!json_is_integer(v) || json_integer_value(v) != STATE_FORMAT) {
		err_set(e, ERR_DATA, "%s: \"format\" is not %d", path, STATE_FORMAT);
		return -1;
	}
	if (read_string(s, doc, "version", state_set_version, path, e) == -1 ||
	    read_string(s, doc, "rendered_hash", state_set_rendered_hash, path, e) == -1 ||
	    read_string(s, doc, "published_head", state_set_published_head, path, e) == -1 ||
	    read_string(s, doc, "instance", state_set_instance, path, e) == -1 ||
	    read_conflict(s, doc, path, e) == -1 ||
	    read_string(s, doc, "basis", state_set_basis, path, e) == -1 ||
	    read_sheets(s, json_object_get(doc, "sheets"), path, e) == -1 ||
	    read_objects(s, json_object_get(doc, "objects"), path, e) == -1 ||
	    read_noted(s, json_object_get(doc, "noted"), path, e) == -1)
		return -1;
	v = json_object_get(doc, "cycle");
	if (v != NULL && (!json_is_integer(v) || json_integer_value(v) < 0))
		return badtype(path, e);
	state_set_cycle(s, v != NULL ? (uint64_t)json_integer_value(v) : 0);
	return read_seen(s, doc, path, e);
}
