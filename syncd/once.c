/*
 * once: the at-most-once ledger (see once.h).  The file is a JSON object
 * {"KEY": {"status": "done", "tries": 1, "order": N}, ...}; "order" says
 * which entries are oldest when there are too many.
 */
#include "syncd/once.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "syncd/fsutil.h"

static const char *const names[] = { "none", "trying", "retry", "done", "failed" };

const char *
once_status_name(enum once_status s)
{
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "none";
}

static enum once_status
status_of(const char *s)
{
	size_t i;

	for (i = 1; s != NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (enum once_status)i;
	return ONCE_NONE;
}

/* load(path, e): the ledger as a JSON object (new reference), or NULL. */
static json_t *
load(const char *path, struct err *e)
{
	json_error_t je;
	json_t *root;
	char *buf = NULL;
	size_t len = 0;
	struct err re;

	err_init(&re);
	if (fsutil_read_file(path, ONCE_MAX_FILE, &buf, &len, &re) == -1) {
		if (re.code == ERR_NOINPUT && errno == ENOENT) {
			if ((root = json_object()) == NULL)
				err_set(e, ERR_NOMEM, "out of memory");
			return root;
		}
		err_set(e, re.code == ERR_NOINPUT ? ERR_IO : re.code, "%s", re.msg);
		return NULL;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (root == NULL || !json_is_object(root)) {
		json_decref(root);
		err_set(e, ERR_DATA, "%s: not a ledger of deliveries (%s); move it aside to "
		    "start again", path, root == NULL ? je.text : "not an object");
		return NULL;
	}
	return root;
}

int
once_get(const char *path, const char *key, struct once_entry *out, struct err *e)
{
	json_t *root, *ent;

	memset(out, 0, sizeof(*out));
	if ((root = load(path, e)) == NULL)
		return -1;
	ent = json_object_get(root, key);
	if (json_is_object(ent)) {
		out->status = status_of(json_string_value(json_object_get(ent, "status")));
		out->tries = (int)json_integer_value(json_object_get(ent, "tries"));
	}
	json_decref(root);
	return 0;
}

int
once_set(const char *path, const char *key, const struct once_entry *in, struct err *e)
{
	json_t *root, *ent, *v;
	json_int_t order = 0, oldest;
	const char *k, *drop;
	char *text;
	int rc;

	if (strlen(key) > ONCE_MAX_KEY) {
		err_set(e, ERR_DATA, "ledger key longer than %d bytes", ONCE_MAX_KEY);
		return -1;
	}
	if ((root = load(path, e)) == NULL)
		return -1;
	json_object_foreach(root, k, v)
		if (json_integer_value(json_object_get(v, "order")) >= order)
			order = json_integer_value(json_object_get(v, "order")) + 1;
	ent = json_pack("{s:s, s:i, s:I}", "status", once_status_name(in->status),
	    "tries", in->tries, "order", order);
	if (ent == NULL || json_object_set_new(root, key, ent) == -1) {
		json_decref(root);
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	while (json_object_size(root) > ONCE_MAX_ENTRIES) {
		drop = NULL;
		oldest = order + 1;
		json_object_foreach(root, k, v)
			if (json_integer_value(json_object_get(v, "order")) < oldest) {
				oldest = json_integer_value(json_object_get(v, "order"));
				drop = k;
			}
		if (drop == NULL || json_object_del(root, drop) == -1)
			break;
	}
	text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(root);
	if (text == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	rc = fsutil_write_atomic_buf(path, 0600, text, strlen(text), e);
	free(text);
	return rc;
}
