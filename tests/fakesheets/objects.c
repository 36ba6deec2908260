/*
 * objects: notes, links, protected ranges, filter views and charts of the
 * emulator's sheets (see objects.h).  The requests are checked as Google
 * checks them before any is applied: known fields only (the schema tables
 * below follow the Sheets v4 discovery document), ids that exist, a field
 * mask where one is required.  A failed check fails the whole batch in
 * sheets.c, so nothing here has to undo anything.
 */
#include "tests/fakesheets/objects.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/fakesheets/a1.h"

#define PATH_MAX_LEN 512

/* ---- copy-on-write (as sheets.c: make a child private before changing it) ---- */

static json_t *
own_member(json_t *parent, const char *key)
{
	json_t *c = json_object_get(parent, key), *c2;

	if (c != NULL && c->refcount > 1) {
		c2 = json_copy(c);
		json_object_set_new(parent, key, c2);
		c = c2;
	}
	return c;
}

static json_t *
own_item(json_t *arr, size_t i)
{
	json_t *c = json_array_get(arr, i), *c2;

	if (c != NULL && c->refcount > 1) {
		c2 = json_copy(c);
		json_array_set_new(arr, i, c2);
		c = c2;
	}
	return c;
}

/* A private list or object member of sheet (private), created when absent. */
static json_t *
own_container(json_t *sheet, const char *key, int list)
{
	json_t *c = own_member(sheet, key);

	if (c == NULL) {
		c = list ? json_array() : json_object();
		json_object_set_new(sheet, key, c);
	}
	return c;
}

static json_int_t
sheet_id(json_t *sheet)
{
	return json_integer_value(json_object_get(json_object_get(sheet,
	    "properties"), "sheetId"));
}

static json_t *
sheet_by_id(json_t *work, json_int_t id, size_t *index)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(work, "sheets"), i, s)
		if (sheet_id(s) == id) {
			*index = i;
			return s;
		}
	return NULL;
}

/* The private copy of sheets[index] of work. */
static json_t *
own_sheet(json_t *work, size_t index)
{
	return own_item(own_member(work, "sheets"), index);
}

/* ---- the schema: which fields each object may have ---- */

struct field {
	const char *name;
	const struct field *sub;	/* NULL: a leaf, not looked into */
};

static const struct field grid_range[] = {
	{"sheetId", NULL}, {"startRowIndex", NULL}, {"endRowIndex", NULL},
	{"startColumnIndex", NULL}, {"endColumnIndex", NULL}, {NULL, NULL}
};
static const struct field grid_coordinate[] = {
	{"sheetId", NULL}, {"rowIndex", NULL}, {"columnIndex", NULL},
	{NULL, NULL}
};
static const struct field editors[] = {
	{"users", NULL}, {"groups", NULL}, {"domainUsersCanEdit", NULL},
	{NULL, NULL}
};
static const struct field protected_range[] = {
	{"protectedRangeId", NULL}, {"range", grid_range},
	{"namedRangeId", NULL}, {"tableId", NULL}, {"description", NULL},
	{"warningOnly", NULL}, {"requestingUserCanEdit", NULL},
	{"unprotectedRanges", grid_range}, {"editors", editors}, {NULL, NULL}
};
static const struct field condition_value[] = {
	{"relativeDate", NULL}, {"userEnteredValue", NULL}, {NULL, NULL}
};
static const struct field boolean_condition[] = {
	{"type", NULL}, {"values", condition_value}, {NULL, NULL}
};
static const struct field filter_criteria[] = {
	{"hiddenValues", NULL}, {"condition", boolean_condition},
	{"visibleBackgroundColor", NULL}, {"visibleForegroundColor", NULL},
	{"visibleBackgroundColorStyle", NULL},
	{"visibleForegroundColorStyle", NULL}, {NULL, NULL}
};
static const struct field filter_spec[] = {
	{"columnIndex", NULL}, {"dataSourceColumnReference", NULL},
	{"filterCriteria", filter_criteria}, {NULL, NULL}
};
static const struct field filter_view[] = {
	{"filterViewId", NULL}, {"title", NULL}, {"range", grid_range},
	{"namedRangeId", NULL}, {"tableId", NULL}, {"sortSpecs", NULL},
	{"criteria", NULL}, {"filterSpecs", filter_spec}, {NULL, NULL}
};
static const struct field chart_source_range[] = {
	{"sources", grid_range}, {NULL, NULL}
};
static const struct field chart_data[] = {
	{"sourceRange", chart_source_range}, {"groupRule", NULL},
	{"aggregateType", NULL}, {"columnReference", NULL}, {NULL, NULL}
};
static const struct field basic_domain[] = {
	{"domain", chart_data}, {"reversed", NULL}, {NULL, NULL}
};
static const struct field basic_series[] = {
	{"series", chart_data}, {"targetAxis", NULL}, {"type", NULL},
	{"lineStyle", NULL}, {"dataLabel", NULL}, {"color", NULL},
	{"colorStyle", NULL}, {"pointStyle", NULL}, {"styleOverrides", NULL},
	{NULL, NULL}
};
static const struct field basic_axis[] = {
	{"position", NULL}, {"title", NULL}, {"format", NULL},
	{"titleTextPosition", NULL}, {"viewWindowOptions", NULL}, {NULL, NULL}
};
static const struct field basic_chart[] = {
	{"chartType", NULL}, {"legendPosition", NULL}, {"axis", basic_axis},
	{"domains", basic_domain}, {"series", basic_series},
	{"headerCount", NULL}, {"threeDimensional", NULL},
	{"interpolateNulls", NULL}, {"stackedType", NULL},
	{"lineSmoothing", NULL}, {"compareMode", NULL},
	{"totalDataLabel", NULL}, {NULL, NULL}
};
static const struct field chart_spec[] = {
	{"title", NULL}, {"altText", NULL}, {"titleTextFormat", NULL},
	{"titleTextPosition", NULL}, {"subtitle", NULL},
	{"subtitleTextFormat", NULL}, {"subtitleTextPosition", NULL},
	{"fontName", NULL}, {"maximized", NULL}, {"backgroundColor", NULL},
	{"backgroundColorStyle", NULL}, {"dataSourceChartProperties", NULL},
	{"filterSpecs", NULL}, {"sortSpecs", NULL},
	{"hiddenDimensionStrategy", NULL}, {"basicChart", basic_chart},
	{"pieChart", NULL}, {"bubbleChart", NULL}, {"candlestickChart", NULL},
	{"orgChart", NULL}, {"histogramChart", NULL}, {"waterfallChart", NULL},
	{"treemapChart", NULL}, {"scorecardChart", NULL}, {NULL, NULL}
};
static const struct field overlay_position[] = {
	{"anchorCell", grid_coordinate}, {"offsetXPixels", NULL},
	{"offsetYPixels", NULL}, {"widthPixels", NULL}, {"heightPixels", NULL},
	{NULL, NULL}
};
static const struct field object_position[] = {
	{"sheetId", NULL}, {"overlayPosition", overlay_position},
	{"newSheet", NULL}, {NULL, NULL}
};
static const struct field embedded_chart[] = {
	{"chartId", NULL}, {"spec", chart_spec}, {"position", object_position},
	{"border", NULL}, {NULL, NULL}
};
static const struct field cell_data[] = {
	{"userEnteredValue", NULL}, {"effectiveValue", NULL},
	{"formattedValue", NULL}, {"userEnteredFormat", NULL},
	{"effectiveFormat", NULL}, {"hyperlink", NULL}, {"note", NULL},
	{"textFormatRuns", NULL}, {"dataValidation", NULL},
	{"pivotTable", NULL}, {"dataSourceTable", NULL},
	{"dataSourceFormula", NULL}, {"chipRuns", NULL}, {NULL, NULL}
};
static const struct field row_data[] = {
	{"values", cell_data}, {NULL, NULL}
};
static const struct field update_cells[] = {
	{"rows", row_data}, {"fields", NULL}, {"start", grid_coordinate},
	{"range", grid_range}, {NULL, NULL}
};

/* The requests objects serves, with their body's fields. */
static const struct field add_protected_range[] = {
	{"protectedRange", protected_range}, {NULL, NULL}
};
static const struct field update_protected_range[] = {
	{"protectedRange", protected_range}, {"fields", NULL}, {NULL, NULL}
};
static const struct field delete_protected_range[] = {
	{"protectedRangeId", NULL}, {NULL, NULL}
};
static const struct field add_filter_view[] = {
	{"filter", filter_view}, {NULL, NULL}
};
static const struct field update_filter_view[] = {
	{"filter", filter_view}, {"fields", NULL}, {NULL, NULL}
};
static const struct field delete_filter_view[] = {
	{"filterId", NULL}, {NULL, NULL}
};
static const struct field add_chart[] = {
	{"chart", embedded_chart}, {NULL, NULL}
};
static const struct field update_chart_spec[] = {
	{"chartId", NULL}, {"spec", chart_spec}, {NULL, NULL}
};
static const struct field delete_embedded_object[] = {
	{"objectId", NULL}, {NULL, NULL}
};

/* Append name to path in Google's snake_case ("protectedRange" -> "protected_range"). */
static void
path_add(char *path, size_t size, const char *name)
{
	size_t n = strlen(path);

	if (n > 0 && n + 1 < size)
		path[n++] = '.';
	for (; *name != '\0' && n + 2 < size; name++) {
		if (isupper((unsigned char)*name)) {
			path[n++] = '_';
			path[n++] = (char)tolower((unsigned char)*name);
		} else
			path[n++] = *name;
	}
	path[n] = '\0';
}

static int check(json_t *v, const struct field *schema, const char *path,
    char *msg, size_t msgsize);

static int
check_object(json_t *v, const struct field *schema, const char *path,
    char *msg, size_t msgsize)
{
	const char *key;
	json_t *x;
	size_t k;

	if (!json_is_object(v)) {
		snprintf(msg, msgsize, "Invalid JSON payload received. Expected "
		    "an object at '%s'.", path);
		return -1;
	}
	json_object_foreach(v, key, x) {
		char sub[PATH_MAX_LEN];

		for (k = 0; schema[k].name != NULL; k++)
			if (strcmp(schema[k].name, key) == 0)
				break;
		if (schema[k].name == NULL) {
			snprintf(msg, msgsize, "Invalid JSON payload received. "
			    "Unknown name \"%s\" at '%s': Cannot find field.", key,
			    path);
			return -1;
		}
		if (schema[k].sub == NULL)
			continue;
		snprintf(sub, sizeof(sub), "%s", path);
		path_add(sub, sizeof(sub), key);
		if (check(x, schema[k].sub, sub, msg, msgsize) == -1)
			return -1;
	}
	return 0;
}

/* A value of a schema: an object, or a list of them. */
static int
check(json_t *v, const struct field *schema, const char *path, char *msg,
    size_t msgsize)
{
	json_t *x;
	size_t i;

	if (!json_is_array(v))
		return check_object(v, schema, path, msg, msgsize);
	json_array_foreach(v, i, x) {
		char sub[PATH_MAX_LEN];

		snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
		if (check_object(x, schema, sub, msg, msgsize) == -1)
			return -1;
	}
	return 0;
}

int
objects_check_cells(json_t *rq, size_t n, char *msg, size_t msgsize)
{
	char path[PATH_MAX_LEN];

	snprintf(path, sizeof(path), "requests[%zu].update_cells", n);
	return check_object(rq, update_cells, path, msg, msgsize);
}

/* ---- field masks ---- */

/* Does the comma-separated mask name field, a parent of it, or "*"? */
static int
mask_names(const char *mask, const char *field)
{
	const char *p = mask;

	while (p != NULL && *p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		while (len > 0 && *p == ' ') {
			p++;
			len--;
		}
		if (len == 1 && *p == '*')
			return 1;
		/* the mask names the field or one of its parents */
		if (strncmp(field, p, len) == 0 && (field[len] == '\0' ||
		    field[len] == '.'))
			return 1;
		p = end != NULL ? end + 1 : NULL;
	}
	return 0;
}

/* ---- ids ---- */

static int
id_used(json_t *work, json_int_t id)
{
	static const char *const lists[] = {"protectedRanges", "filterViews",
	    "charts"};
	static const char *const keys[] = {"protectedRangeId", "filterViewId",
	    "chartId"};
	json_t *s, *o;
	size_t i, k, j;

	json_array_foreach(json_object_get(work, "sheets"), i, s) {
		if (sheet_id(s) == id)
			return 1;
		for (k = 0; k < 3; k++)
			json_array_foreach(json_object_get(s, lists[k]), j, o)
				if (json_integer_value(json_object_get(o,
				    keys[k])) == id)
					return 1;
	}
	return 0;
}

/* A new object id: positive, 31 bits, not used in the spreadsheet. */
static json_int_t
new_id(json_t *work)
{
	static unsigned int x;
	json_int_t id;

	if (x == 0)
		x = (unsigned int)time(NULL) | 1u;
	do {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		id = (json_int_t)(x & 0x7fffffff);
	} while (id == 0 || id_used(work, id));
	return id;
}

/* Find the object with key == id in list name of any sheet. */
static json_t *
find_object(json_t *work, const char *list, const char *key, json_int_t id,
    size_t *sheet, size_t *index)
{
	json_t *s, *o;
	size_t i, j;

	json_array_foreach(json_object_get(work, "sheets"), i, s)
		json_array_foreach(json_object_get(s, list), j, o)
			if (json_integer_value(json_object_get(o, key)) == id) {
				*sheet = i;
				*index = j;
				return o;
			}
	return NULL;
}

/* ---- normalising and exporting ---- */

static int
cell_key(const char *key, int *r, int *c)
{
	struct a1_range a;

	memset(&a, 0, sizeof(a));
	if (a1_parse_ref(key, &a) == -1 || !a.single)
		return -1;
	*r = a.r0;
	*c = a.c0;
	return 0;
}

static void
cell_name(char *buf, size_t size, int r, int c)
{
	char col[16];

	a1_col_name(col, sizeof(col), c);
	snprintf(buf, size, "%s%d", col, r + 1);
}

static const char *const list_names[] = {"protectedRanges", "filterViews",
    "charts"};

int
objects_norm(json_t *in, json_t *out, size_t i, char *msg, size_t msgsize)
{
	static const char *const maps[] = {"notes", "links"};
	static const struct field *const schemas[] = {protected_range,
	    filter_view, embedded_chart};
	const char *key;
	json_t *m, *x, *copy;
	size_t k, j;
	int r, c;

	for (k = 0; k < 2; k++) {
		m = json_object_get(in, maps[k]);
		if (m == NULL)
			continue;
		if (!json_is_object(m)) {
			snprintf(msg, msgsize, "sheets[%zu].%s: not an object from "
			    "A1 cell to text", i, maps[k]);
			return -1;
		}
		copy = json_object();
		json_object_foreach(m, key, x) {
			char name[32];

			if (cell_key(key, &r, &c) == -1 || !json_is_string(x) ||
			    json_string_length(x) > OBJECTS_MAX_NOTE) {
				snprintf(msg, msgsize, "sheets[%zu].%s.%s: not one "
				    "A1 cell and a string", i, maps[k], key);
				json_decref(copy);
				return -1;
			}
			cell_name(name, sizeof(name), r, c);	/* "c5" -> "C5" */
			if (json_string_length(x) > 0)
				json_object_set(copy, name, x);
		}
		if (json_object_size(copy) > 0)
			json_object_set_new(out, maps[k], copy);
		else
			json_decref(copy);
	}
	for (k = 0; k < 3; k++) {
		char path[64];

		m = json_object_get(in, list_names[k]);
		if (m == NULL)
			continue;
		snprintf(path, sizeof(path), "sheets[%zu].%s", i, list_names[k]);
		if (!json_is_array(m) || json_array_size(m) > OBJECTS_MAX_LIST) {
			snprintf(msg, msgsize, "%s: not a list", path);
			return -1;
		}
		if (check(m, schemas[k], path, msg, msgsize) == -1)
			return -1;
		json_array_foreach(m, j, x)
			if (!json_is_integer(json_object_get(x, k == 0 ?
			    "protectedRangeId" : k == 1 ? "filterViewId" :
			    "chartId"))) {
				snprintf(msg, msgsize, "%s[%zu]: no integer id", path,
				    j);
				return -1;
			}
		if (json_array_size(m) > 0)
			json_object_set_new(out, list_names[k], json_deep_copy(m));
	}
	return 0;
}

void
objects_export(json_t *stored, json_t *out)
{
	static const char *const all[] = {"notes", "links", "protectedRanges",
	    "filterViews", "charts"};
	json_t *x;
	size_t k;

	for (k = 0; k < 5; k++) {
		x = json_object_get(stored, all[k]);
		if (x != NULL && (json_object_size(x) > 0 ||
		    json_array_size(x) > 0))
			json_object_set(out, all[k], x);
	}
}

void
objects_get_sheet(json_t *stored, json_t *out)
{
	json_t *x;
	size_t k;

	for (k = 0; k < 3; k++) {
		x = json_object_get(stored, list_names[k]);
		if (json_array_size(x) > 0)
			json_object_set(out, list_names[k], x);
	}
}

void
objects_cell(json_t *stored, int r, int c, json_t *cd)
{
	char name[32];
	json_t *x;

	cell_name(name, sizeof(name), r, c);
	if ((x = json_object_get(json_object_get(stored, "notes"), name)) != NULL)
		json_object_set(cd, "note", x);
	if ((x = json_object_get(json_object_get(stored, "links"), name)) != NULL)
		json_object_set(cd, "hyperlink", x);
}

/* ---- notes and links of updateCells ---- */

/* The link a CellData sets: its text format's, or a run's at index 0. */
static const char *
cell_link(json_t *cd)
{
	json_t *runs = json_object_get(cd, "textFormatRuns"), *run;
	const char *uri;
	size_t i;

	uri = json_string_value(json_object_get(json_object_get(json_object_get(
	    json_object_get(cd, "userEnteredFormat"), "textFormat"), "link"),
	    "uri"));
	if (uri != NULL)
		return uri;
	json_array_foreach(runs, i, run)
		if (json_integer_value(json_object_get(run, "startIndex")) == 0)
			return json_string_value(json_object_get(json_object_get(
			    json_object_get(run, "format"), "link"), "uri"));
	return NULL;
}

static void
set_or_clear(json_t *sheet, const char *map, int r, int c, const char *text)
{
	char name[32];
	json_t *m;

	cell_name(name, sizeof(name), r, c);
	if (text == NULL || text[0] == '\0') {
		if (json_object_get(json_object_get(sheet, map), name) == NULL)
			return;
		m = own_container(sheet, map, 0);
		json_object_del(m, name);
		if (json_object_size(m) == 0)
			json_object_del(sheet, map);
		return;
	}
	m = own_container(sheet, map, 0);
	json_object_set_new(m, name, json_string(text));
}

void
objects_update_cells(json_t *sheet, const char *fields, json_t *rows,
    const struct objects_span *sp)
{
	int notes = mask_names(fields, "note");
	int links = mask_names(fields, "textFormatRuns") ||
	    mask_names(fields, "userEnteredFormat.textFormat.link");
	int r, c;

	if (!notes && !links)
		return;
	for (r = sp->r0; r <= sp->r1; r++)
		for (c = sp->c0; c <= sp->c1; c++) {
			json_t *cd = json_array_get(json_object_get(json_array_get(
			    rows, (size_t)(r - sp->r0)), "values"),
			    (size_t)(c - sp->c0));

			if (cd == NULL && !sp->range)
				continue;	/* not covered, not cleared */
			if (notes)
				set_or_clear(sheet, "notes", r, c,
				    json_string_value(json_object_get(cd, "note")));
			if (links)
				set_or_clear(sheet, "links", r, c, cd != NULL ?
				    cell_link(cd) : NULL);
		}
}

/* ---- the requests ---- */

/* Fail with Google's "Invalid requests[n].kind: ..." text. */
static int
bad(char *msg, size_t msgsize, size_t n, const char *kind, const char *what)
{
	snprintf(msg, msgsize, "Invalid requests[%zu].%s: %s", n, kind, what);
	return -1;
}

/* The sheet a GridRange names, made private, or NULL. */
static json_t *
range_sheet(json_t *work, json_t *range)
{
	size_t idx;

	if (!json_is_integer(json_object_get(range, "sheetId")) &&
	    json_object_get(range, "sheetId") != NULL)
		return NULL;
	/* A missing sheetId is 0 (proto3). */
	if (sheet_by_id(work, json_integer_value(json_object_get(range,
	    "sheetId")), &idx) == NULL)
		return NULL;
	return own_sheet(work, idx);
}

/* Put object o (taken) with id key in list of sheet (private). */
static void
list_add(json_t *sheet, const char *list, json_t *o)
{
	json_array_append_new(own_container(sheet, list, 1), o);
}

static void
list_remove(json_t *work, size_t sheet, const char *list, size_t index)
{
	json_t *s = own_sheet(work, sheet), *l = own_container(s, list, 1);

	json_array_remove(l, index);
	if (json_array_size(l) == 0)
		json_object_del(s, list);
}

/* Copy the fields that mask names from src into dst (both objects). */
static void
copy_masked(json_t *dst, json_t *src, const char *mask, const char *skip)
{
	const char *key;
	json_t *x;
	void *tmp;

	json_object_foreach_safe(dst, tmp, key, x)
		if (strcmp(key, skip) != 0 && mask_names(mask, key) &&
		    json_object_get(src, key) == NULL)
			json_object_del(dst, key);
	json_object_foreach(src, key, x)
		if (strcmp(key, skip) != 0 && mask_names(mask, key))
			json_object_set(dst, key, x);
}

static int
req_add_protected_range(json_t *work, json_t *rq, size_t n, json_t **reply,
    char *msg, size_t msgsize)
{
	static const char kind[] = "addProtectedRange";
	json_t *pr = json_object_get(rq, "protectedRange"), *sheet, *copy;
	json_t *ed;

	if (!json_is_object(pr))
		return bad(msg, msgsize, n, kind, "protectedRange is required.");
	if ((sheet = range_sheet(work, json_object_get(pr, "range"))) == NULL)
		return bad(msg, msgsize, n, kind, "No grid with the id given in "
		    "protectedRange.range.sheetId.");
	ed = json_object_get(pr, "editors");
	if (json_is_true(json_object_get(pr, "warningOnly")) && ed != NULL &&
	    (json_array_size(json_object_get(ed, "users")) > 0 ||
	    json_array_size(json_object_get(ed, "groups")) > 0))
		return bad(msg, msgsize, n, kind, "Editors are not supported with "
		    "warning_only protection.");
	if (json_array_size(json_object_get(sheet, "protectedRanges")) >=
	    OBJECTS_MAX_LIST)
		return bad(msg, msgsize, n, kind, "too many protected ranges.");
	copy = json_deep_copy(pr);
	if (json_is_integer(json_object_get(pr, "protectedRangeId"))) {
		if (id_used(work, json_integer_value(json_object_get(pr,
		    "protectedRangeId")))) {
			json_decref(copy);
			return bad(msg, msgsize, n, kind, "The id is already in "
			    "use.");
		}
	} else
		json_object_set_new(copy, "protectedRangeId",
		    json_integer(new_id(work)));
	if (json_object_get(copy, "warningOnly") == NULL &&
	    json_object_get(copy, "editors") == NULL)
		/* The requesting user (the service account) edits. */
		json_object_set_new(copy, "editors", json_pack("{s:[s]}", "users",
		    "syncd@fakesheets.iam.gserviceaccount.com"));
	json_object_set_new(copy, "requestingUserCanEdit", json_true());
	list_add(sheet, "protectedRanges", json_incref(copy));
	*reply = json_pack("{s:{s:o}}", kind, "protectedRange", copy);
	return 1;
}

static int
req_update_protected_range(json_t *work, json_t *rq, size_t n, char *msg,
    size_t msgsize)
{
	static const char kind[] = "updateProtectedRange";
	json_t *pr = json_object_get(rq, "protectedRange"), *o, *s, *l;
	const char *fields = json_string_value(json_object_get(rq, "fields"));
	size_t si, oi;

	if (fields == NULL || fields[0] == '\0')
		return bad(msg, msgsize, n, kind, "At least one field must be "
		    "updated, but none were specified.");
	if (find_object(work, "protectedRanges", "protectedRangeId",
	    json_integer_value(json_object_get(pr, "protectedRangeId")), &si,
	    &oi) == NULL)
		return bad(msg, msgsize, n, kind, "No protected range with the "
		    "given id.");
	if (mask_names(fields, "range") && range_sheet(work,
	    json_object_get(pr, "range")) == NULL)
		return bad(msg, msgsize, n, kind, "No grid with the given id.");
	s = own_sheet(work, si);
	l = own_container(s, "protectedRanges", 1);
	o = own_item(l, oi);
	copy_masked(o, pr, fields, "protectedRangeId");
	return 1;
}

static int
req_delete_by_id(json_t *work, json_t *rq, size_t n, const char *kind,
    const char *idkey, const char *list, const char *objkey, char *msg,
    size_t msgsize)
{
	json_int_t id = json_integer_value(json_object_get(rq, idkey));
	size_t si, oi;
	char what[96];

	if (find_object(work, list, objkey, id, &si, &oi) == NULL) {
		snprintf(what, sizeof(what), "No %s with id: %" JSON_INTEGER_FORMAT,
		    strcmp(list, "charts") == 0 ? "embedded object" :
		    strcmp(list, "filterViews") == 0 ? "filter view" :
		    "protected range", id);
		return bad(msg, msgsize, n, kind, what);
	}
	list_remove(work, si, list, oi);
	return 1;
}

static int
req_add_filter_view(json_t *work, json_t *rq, size_t n, json_t **reply,
    char *msg, size_t msgsize)
{
	static const char kind[] = "addFilterView";
	json_t *fv = json_object_get(rq, "filter"), *sheet, *copy;

	if (!json_is_object(fv))
		return bad(msg, msgsize, n, kind, "filter is required.");
	if ((sheet = range_sheet(work, json_object_get(fv, "range"))) == NULL)
		return bad(msg, msgsize, n, kind, "No grid with the id given in "
		    "filter.range.sheetId.");
	if (json_array_size(json_object_get(sheet, "filterViews")) >=
	    OBJECTS_MAX_LIST)
		return bad(msg, msgsize, n, kind, "too many filter views.");
	copy = json_deep_copy(fv);
	if (json_is_integer(json_object_get(fv, "filterViewId"))) {
		if (id_used(work, json_integer_value(json_object_get(fv,
		    "filterViewId")))) {
			json_decref(copy);
			return bad(msg, msgsize, n, kind, "The id is already in "
			    "use.");
		}
	} else
		json_object_set_new(copy, "filterViewId",
		    json_integer(new_id(work)));
	if (json_object_get(copy, "title") == NULL)
		json_object_set_new(copy, "title", json_string("Filter 1"));
	list_add(sheet, "filterViews", json_incref(copy));
	*reply = json_pack("{s:{s:o}}", kind, "filter", copy);
	return 1;
}

static int
req_update_filter_view(json_t *work, json_t *rq, size_t n, char *msg,
    size_t msgsize)
{
	static const char kind[] = "updateFilterView";
	json_t *fv = json_object_get(rq, "filter"), *o, *s, *l;
	const char *fields = json_string_value(json_object_get(rq, "fields"));
	size_t si, oi;

	if (fields == NULL || fields[0] == '\0')
		return bad(msg, msgsize, n, kind, "At least one field must be "
		    "updated, but none were specified.");
	if (find_object(work, "filterViews", "filterViewId",
	    json_integer_value(json_object_get(fv, "filterViewId")), &si,
	    &oi) == NULL)
		return bad(msg, msgsize, n, kind, "No filter view with the given "
		    "id.");
	if (mask_names(fields, "range") && range_sheet(work,
	    json_object_get(fv, "range")) == NULL)
		return bad(msg, msgsize, n, kind, "No grid with the given id.");
	s = own_sheet(work, si);
	l = own_container(s, "filterViews", 1);
	o = own_item(l, oi);
	copy_masked(o, fv, fields, "filterViewId");
	return 1;
}

/* Every GridRange a chart spec reads from names an existing sheet. */
static int
chart_sources_ok(json_t *work, json_t *spec)
{
	json_t *bc = json_object_get(spec, "basicChart"), *x, *src;
	static const char *const parts[] = {"domains", "series"};
	static const char *const inner[] = {"domain", "series"};
	size_t k, i, j, idx;

	for (k = 0; k < 2; k++)
		json_array_foreach(json_object_get(bc, parts[k]), i, x)
			json_array_foreach(json_object_get(json_object_get(
			    json_object_get(x, inner[k]), "sourceRange"),
			    "sources"), j, src)
				if (sheet_by_id(work, json_integer_value(
				    json_object_get(src, "sheetId")), &idx) == NULL)
					return 0;
	return 1;
}

static int
req_add_chart(json_t *work, json_t *rq, size_t n, json_t **reply, char *msg,
    size_t msgsize)
{
	static const char kind[] = "addChart";
	json_t *ch = json_object_get(rq, "chart"), *pos, *sheet, *copy;
	json_t *anchor;
	size_t idx;

	if (!json_is_object(ch) || !json_is_object(json_object_get(ch, "spec")))
		return bad(msg, msgsize, n, kind, "chart.spec is required.");
	pos = json_object_get(ch, "position");
	anchor = json_object_get(json_object_get(pos, "overlayPosition"),
	    "anchorCell");
	if (anchor == NULL)
		return bad(msg, msgsize, n, kind, "chart.position."
		    "overlayPosition.anchorCell is required (the emulator "
		    "models charts placed on a grid).");
	if (sheet_by_id(work, json_integer_value(json_object_get(anchor,
	    "sheetId")), &idx) == NULL)
		return bad(msg, msgsize, n, kind, "No grid with the id given in "
		    "anchorCell.sheetId.");
	if (!chart_sources_ok(work, json_object_get(ch, "spec")))
		return bad(msg, msgsize, n, kind, "A chart source range names a "
		    "sheet that does not exist.");
	sheet = own_sheet(work, idx);
	if (json_array_size(json_object_get(sheet, "charts")) >= OBJECTS_MAX_LIST)
		return bad(msg, msgsize, n, kind, "too many charts.");
	copy = json_deep_copy(ch);
	if (json_is_integer(json_object_get(ch, "chartId"))) {
		if (id_used(work, json_integer_value(json_object_get(ch,
		    "chartId")))) {
			json_decref(copy);
			return bad(msg, msgsize, n, kind, "The id is already in "
			    "use.");
		}
	} else
		json_object_set_new(copy, "chartId", json_integer(new_id(work)));
	list_add(sheet, "charts", json_incref(copy));
	*reply = json_pack("{s:{s:o}}", kind, "chart", copy);
	return 1;
}

static int
req_update_chart_spec(json_t *work, json_t *rq, size_t n, char *msg,
    size_t msgsize)
{
	static const char kind[] = "updateChartSpec";
	json_t *spec = json_object_get(rq, "spec"), *s, *l, *o;
	size_t si, oi;

	if (!json_is_object(spec))
		return bad(msg, msgsize, n, kind, "spec is required.");
	if (find_object(work, "charts", "chartId", json_integer_value(
	    json_object_get(rq, "chartId")), &si, &oi) == NULL)
		return bad(msg, msgsize, n, kind, "No chart with the given id.");
	if (!chart_sources_ok(work, spec))
		return bad(msg, msgsize, n, kind, "A chart source range names a "
		    "sheet that does not exist.");
	s = own_sheet(work, si);
	l = own_container(s, "charts", 1);
	o = own_item(l, oi);
	json_object_set(o, "spec", spec);
	return 1;
}

int
objects_request(json_t *work, const char *kind, json_t *rq, size_t n,
    json_t **reply, char *msg, size_t msgsize)
{
	static const struct {
		const char *kind;
		const struct field *schema;
	} known[] = {
		{"addProtectedRange", add_protected_range},
		{"updateProtectedRange", update_protected_range},
		{"deleteProtectedRange", delete_protected_range},
		{"addFilterView", add_filter_view},
		{"updateFilterView", update_filter_view},
		{"deleteFilterView", delete_filter_view},
		{"addChart", add_chart},
		{"updateChartSpec", update_chart_spec},
		{"deleteEmbeddedObject", delete_embedded_object},
	};
	char path[PATH_MAX_LEN];
	size_t k;

	*reply = NULL;
	for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
		if (strcmp(known[k].kind, kind) == 0)
			break;
	if (k == sizeof(known) / sizeof(known[0]))
		return 0;
	snprintf(path, sizeof(path), "requests[%zu]", n);
	path_add(path, sizeof(path), kind);
	if (check_object(rq, known[k].schema, path, msg, msgsize) == -1)
		return -1;
	switch (k) {
	case 0:
		return req_add_protected_range(work, rq, n, reply, msg, msgsize);
	case 1:
		return req_update_protected_range(work, rq, n, msg, msgsize);
	case 2:
		return req_delete_by_id(work, rq, n, kind, "protectedRangeId",
		    "protectedRanges", "protectedRangeId", msg, msgsize);
	case 3:
		return req_add_filter_view(work, rq, n, reply, msg, msgsize);
	case 4:
		return req_update_filter_view(work, rq, n, msg, msgsize);
	case 5:
		return req_delete_by_id(work, rq, n, kind, "filterId",
		    "filterViews", "filterViewId", msg, msgsize);
	case 6:
		return req_add_chart(work, rq, n, reply, msg, msgsize);
	case 7:
		return req_update_chart_spec(work, rq, n, msg, msgsize);
	default:
		return req_delete_by_id(work, rq, n, kind, "objectId", "charts",
		    "chartId", msg, msgsize);
	}
}
