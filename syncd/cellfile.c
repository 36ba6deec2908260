/*
 * cellfile: last mapped values on disk, compared row by row (see cellfile.h).
 *
 * Memory while a cycle runs: the previous file's index, 32 bytes a row in
 * one array plus a 4-byte slot table; the set of rows recorded in this
 * cycle, 8 bytes a slot; stdio's buffer for the new file.  No value text is
 * held beyond the row being compared.  Must never log, never leave a torn
 * cells.dat in place (the new file is renamed over the old only once synced).
 */
#include "syncd/cellfile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "rules/hash.h"
#include "syncd/fsutil.h"
#include "syncd/hashseed.h"
#include "syncd/jsonout.h"

#define CELLFILE_FORMAT	1
#define PATH_MAX_LEN	4096
#define HASH_PREFIX	34	/* "<16 hex> <16 hex> " */

/* One row of the previous file. */
struct prev {
	uint64_t kh;		/* hash of tab and id */
	uint64_t vh;		/* hash of the values, in the old column order */
	uint64_t off;		/* byte offset of the line */
	uint32_t len;		/* bytes of the line, without '\n' */
	uint32_t matched;	/* recorded again in this cycle */
};

struct cellfile {
	char path[PATH_MAX_LEN];	/* dir/cells.dat */
	char tmp[PATH_MAX_LEN];		/* dir/cells.dat.tmp */
	const char *const *cols;	/* borrowed: this cycle's headings */
	size_t ncols;
	uint64_t seed;
	int oldfd;			/* the previous file, or -1 */
	struct prev *prev;		/* owned, nprev rows */
	size_t nprev;
	uint32_t *slot;			/* owned: 1 + index into prev, 0 free */
	size_t capslot;			/* power of two */
	int same_cols;			/* old columns == cols, in order */
	int *oldidx;			/* owned: column of cols[i] in the old file, -1 */
	uint64_t *now;			/* owned: key hashes recorded; 0 free */
	size_t nnow, capnow;
	FILE *out;			/* the new file, NULL once committed */
	int created;			/* cf->tmp was created by us */
	int committed;
	const char **renames;		/* owned array of borrowed (old, new) title pairs */
	size_t nrenames;
	int missing;			/* there was no previous file */
	char lost[ERR_MSG_MAX];		/* why the previous file was unusable, "" */
};

/*
 * The row hashes are stored in the file, under the file's seed: they must
 * keep their values (rules/hash.h's FNV-1a and fmix64 never change), or
 * every row of an existing cells.dat would read as new.
 */

/* hash_add(h, s): FNV-1a over s and a 0xff separator (never in UTF-8). */
static uint64_t
hash_add(uint64_t h, const char *s)
{
	return hash_bytes(hash_bytes(h, s, strlen(s)), "\xff", 1);
}

static uint64_t
key_hash(const struct cellfile *cf, const char *tab, const char *id)
{
	uint64_t h = hash_mix(hash_add(hash_add(HASH_FNV_BASIS ^ cf->seed, tab), id));

	return h != 0 ? h : 1;		/* 0 marks a free slot of cf->now */
}

/* The values start from another basis (FNV's, its halves swapped). */
#define VALUES_BASIS 0x84222325cbf29ce4ULL

static uint64_t
values_hash(const struct cellfile *cf, const char *const *values)
{
	uint64_t h = VALUES_BASIS ^ cf->seed;
	size_t i;

	for (i = 0; i < cf->ncols; i++)
		h = hash_add(h, values[i]);
	return hash_mix(h);
}

static int
nomem(struct err *e)
{
	err_set(e, ERR_NOMEM, "cells: out of memory");
	return -1;
}

/* ---- the rows recorded in this cycle ---------------------------------- */

static int
now_grow(struct cellfile *cf)
{
	size_t cap = cf->capnow ? cf->capnow * 2 : 4096, i, j;
	uint64_t *n = calloc(cap, sizeof(*n));

	if (n == NULL)
		return -1;
	for (i = 0; i < cf->capnow; i++) {
		if (cf->now[i] == 0)
			continue;
		for (j = cf->now[i] & (cap - 1); n[j] != 0; j = (j + 1) & (cap - 1))
			;
		n[j] = cf->now[i];
	}
	free(cf->now);
	cf->now = n;
	cf->capnow = cap;
	return 0;
}

static int
now_has(const struct cellfile *cf, uint64_t kh)
{
	size_t j;

	if (cf->capnow == 0)
		return 0;
	for (j = kh & (cf->capnow - 1); cf->now[j] != 0; j = (j + 1) & (cf->capnow - 1))
		if (cf->now[j] == kh)
			return 1;
	return 0;
}

static int
now_add(struct cellfile *cf, uint64_t kh)
{
	size_t j;

	if ((cf->nnow + 1) * 2 > cf->capnow && now_grow(cf) == -1)
		return -1;
	for (j = kh & (cf->capnow - 1); cf->now[j] != 0; j = (j + 1) & (cf->capnow - 1))
		;
	cf->now[j] = kh;
	cf->nnow++;
	return 0;
}

/* ---- the previous file ------------------------------------------------ */

static struct prev *
prev_find(const struct cellfile *cf, uint64_t kh)
{
	size_t j, mask = cf->capslot - 1;

	if (cf->capslot == 0)
		return NULL;
	for (j = kh & mask; cf->slot[j] != 0; j = (j + 1) & mask)
		if (cf->prev[cf->slot[j] - 1].kh == kh)
			return &cf->prev[cf->slot[j] - 1];
	return NULL;
}

static int
index_prev(struct cellfile *cf, struct err *e)
{
	size_t cap = 1024, i, j;

	while (cap < 2 * cf->nprev)
		cap *= 2;
	cf->slot = calloc(cap, sizeof(*cf->slot));
	if (cf->slot == NULL)
		return nomem(e);
	cf->capslot = cap;
	for (i = 0; i < cf->nprev; i++) {
		for (j = cf->prev[i].kh & (cap - 1); cf->slot[j] != 0; j = (j + 1) & (cap - 1))
			if (cf->prev[cf->slot[j] - 1].kh == cf->prev[i].kh) {
				err_set(e, ERR_DATA, "%s: two rows with one identity "
				    "(key hash %016" PRIx64 ")", cf->path, cf->prev[i].kh);
				return -1;
			}
		cf->slot[j] = (uint32_t)i + 1;
	}
	return 0;
}

static int
parse_hex16(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 16; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint64_t)(c - 'a' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* read_header(cf, line, len, e): seed and columns of the previous file. */
static int
read_header(struct cellfile *cf, const char *line, size_t len, struct err *e)
{
	json_error_t je;
	json_t *h, *cols, *v;
	size_t i, j;
	uint64_t seed;

	h = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
	cols = json_object_get(h, "columns");
	v = json_object_get(h, "format");
	if (h == NULL || !json_is_integer(v) || json_integer_value(v) != CELLFILE_FORMAT ||
	    !json_is_string(json_object_get(h, "seed")) ||
	    json_string_length(json_object_get(h, "seed")) != 16 ||
	    parse_hex16(json_string_value(json_object_get(h, "seed")), &seed) == -1 ||
	    !json_is_array(cols) || json_array_size(cols) > CELLFILE_COLUMNS_MAX) {
		err_set(e, ERR_DATA, "%s:1: not a cells file header", cf->path);
		json_decref(h);
		return -1;
	}
	cf->seed = seed;
	cf->same_cols = json_array_size(cols) == cf->ncols;
	for (i = 0; i < cf->ncols; i++) {
		cf->oldidx[i] = -1;
		for (j = 0; j < json_array_size(cols); j++)
			if (json_is_string(json_array_get(cols, j)) &&
			    strcmp(json_string_value(json_array_get(cols, j)), cf->cols[i]) == 0) {
				cf->oldidx[i] = (int)j;
				break;
			}
		if (cf->oldidx[i] != (int)i)
			cf->same_cols = 0;
	}
	json_decref(h);
	return 0;
}

/* load_prev(cf, e): index dir/cells.dat; a missing file is no rows. */
static int
load_prev(struct cellfile *cf, struct err *e)
{
	char *line = NULL;
	size_t cap = 0, n = 0, capprev = 0, lineno = 0;
	uint64_t off = 0;
	ssize_t got;
	struct prev *np;
	FILE *f;
	int fd, rc = -1;

	fd = open(cf->path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT) {
			cf->missing = 1;
			return 0;
		}
		err_set(e, ERR_IO, "%s: %s", cf->path, strerror(errno));
		return -1;
	}
	if ((cf->oldfd = dup(fd)) == -1 || (f = fdopen(fd, "r")) == NULL) {
		err_set(e, ERR_IO, "%s: %s", cf->path, strerror(errno));
		close(fd);
		return -1;
	}
	while ((got = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (got == 0 || line[got - 1] != '\n' || (size_t)got > CELLFILE_LINE_MAX) {
			err_set(e, ERR_DATA, "%s:%zu: a torn or overlong line", cf->path,
			    lineno);
			goto out;
		}
		if (lineno == 1) {
			if (read_header(cf, line, (size_t)got - 1, e) == -1)
				goto out;
			off += (uint64_t)got;
			continue;
		}
		if (n == CELLFILE_ROWS_MAX) {
			err_set(e, ERR_DATA, "%s: more than %u rows", cf->path,
			    CELLFILE_ROWS_MAX);
			goto out;
		}
		if (n == capprev) {
			capprev = capprev ? capprev * 2 : 1024;
			if ((np = realloc(cf->prev, capprev * sizeof(*np))) == NULL) {
				nomem(e);
				goto out;
			}
			cf->prev = np;
		}
		if (got < HASH_PREFIX + 2 || line[16] != ' ' || line[33] != ' ' ||
		    parse_hex16(line, &cf->prev[n].kh) == -1 ||
		    parse_hex16(line + 17, &cf->prev[n].vh) == -1 || cf->prev[n].kh == 0) {
			err_set(e, ERR_DATA, "%s:%zu: a row without its hashes", cf->path,
			    lineno);
			goto out;
		}
		cf->prev[n].off = off;
		cf->prev[n].len = (uint32_t)got - 1;
		cf->prev[n].matched = 0;
		n++;
		off += (uint64_t)got;
	}
	if (ferror(f)) {
		err_set(e, ERR_IO, "%s: %s", cf->path, strerror(errno));
		goto out;
	}
	if (lineno == 0) {
		err_set(e, ERR_DATA, "%s: empty (no header)", cf->path);
		goto out;
	}
	cf->nprev = n;
	rc = index_prev(cf, e);
out:
	free(line);
	fclose(f);
	return rc;
}

/*
 * prev_row(cf, p, e): the previous row p as a JSON array ["tab", "id",
 * values...] (new reference), read back from the file.
 */
static json_t *
prev_row(struct cellfile *cf, const struct prev *p, struct err *e)
{
	json_error_t je;
	json_t *a;
	char *buf;
	ssize_t got;
	size_t i;

	if ((buf = malloc(p->len)) == NULL) {
		nomem(e);
		return NULL;
	}
	got = pread(cf->oldfd, buf, p->len, (off_t)p->off);
	if (got != (ssize_t)p->len) {
		err_set(e, ERR_IO, "%s: cannot read back a row at byte %" PRIu64, cf->path,
		    p->off);
		free(buf);
		return NULL;
	}
	a = json_loadb(buf + HASH_PREFIX, p->len - HASH_PREFIX, 0, &je);
	free(buf);
	if (!json_is_array(a) || json_array_size(a) < 2) {
		json_decref(a);
		a = NULL;
	}
	for (i = 0; a != NULL && i < json_array_size(a); i++)
		if (!json_is_string(json_array_get(a, i))) {
			json_decref(a);
			a = NULL;
		}
	if (a == NULL)
		err_set(e, ERR_DATA, "%s: the row at byte %" PRIu64 " is not an array "
		    "of strings", cf->path, p->off);
	return a;
}

/*
 * prev_row_kept(cf, p, &a, e): prev_row, but a row whose bytes are damaged
 * (ERR_DATA) is noted in cf->lost and given as *a == NULL with 0: its
 * changes cannot be told, and a cache must not fail the cycle.
 */
static int
prev_row_kept(struct cellfile *cf, const struct prev *p, json_t **a, struct err *e)
{
	struct err sub;

	err_init(&sub);
	if ((*a = prev_row(cf, p, &sub)) != NULL)
		return 0;
	if (sub.code != ERR_DATA) {
		err_set(e, sub.code, "%s", sub.msg);
		return -1;
	}
	if (cf->lost[0] == '\0')
		snprintf(cf->lost, sizeof(cf->lost), "%s", sub.msg);
	return 0;
}

/* old_value(cf, a, i): the old value of cols[i] in row a, "" when none. */
static const char *
old_value(const struct cellfile *cf, const json_t *a, size_t i)
{
	const char *v;

	if (cf->oldidx[i] < 0)
		return "";
	v = json_string_value(json_array_get(a, (size_t)cf->oldidx[i] + 2));
	return v != NULL ? v : "";
}

/* ---- the new file ----------------------------------------------------- */

static int
open_new(struct cellfile *cf, struct err *e)
{
	size_t i;
	int fd;

	fd = open(cf->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	cf->created = fd != -1;
	if (fd == -1 || (cf->out = fdopen(fd, "w")) == NULL) {
		err_set(e, ERR_IO, "%s: %s", cf->tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	fprintf(cf->out, "{\"format\":%d,\"seed\":\"%016" PRIx64 "\",\"columns\":[",
	    CELLFILE_FORMAT, cf->seed);
	for (i = 0; i < cf->ncols; i++) {
		if (i > 0)
			putc(',', cf->out);
		jsonout_string(cf->out, cf->cols[i]);
	}
	fputs("]}\n", cf->out);
	return 0;
}

/* forget_prev(cf): drop what load_prev read of a damaged previous file. */
static void
forget_prev(struct cellfile *cf)
{
	size_t i;

	if (cf->oldfd != -1)
		close(cf->oldfd);
	cf->oldfd = -1;
	free(cf->prev);
	cf->prev = NULL;
	cf->nprev = 0;
	free(cf->slot);
	cf->slot = NULL;
	cf->capslot = 0;
	cf->same_cols = 0;
	for (i = 0; i < cf->ncols; i++)
		cf->oldidx[i] = -1;
}

struct cellfile *
cellfile_begin(const char *dir, const char *const *columns, size_t ncolumns,
    struct err *e)
{
	struct cellfile *cf;
	struct err sub;

	if (ncolumns > CELLFILE_COLUMNS_MAX) {
		err_set(e, ERR_DATA, "cells: more than %d mapped columns",
		    CELLFILE_COLUMNS_MAX);
		return NULL;
	}
	if ((cf = calloc(1, sizeof(*cf))) == NULL) {
		nomem(e);
		return NULL;
	}
	cf->oldfd = -1;
	cf->cols = columns;
	cf->ncols = ncolumns;
	if (snprintf(cf->path, sizeof(cf->path), "%s/%s", dir, CELLFILE_NAME) >=
	    (int)sizeof(cf->path) ||
	    snprintf(cf->tmp, sizeof(cf->tmp), "%s/%s.tmp", dir, CELLFILE_NAME) >=
	    (int)sizeof(cf->tmp)) {
		err_set(e, ERR_IO, "%s: path too long", dir);
		goto fail;
	}
	if ((cf->oldidx = calloc(ncolumns + 1, sizeof(*cf->oldidx))) == NULL) {
		nomem(e);
		goto fail;
	}
	cf->seed = hashseed_draw();	/* a previous file's seed replaces it */
	err_init(&sub);
	if (load_prev(cf, &sub) == -1) {
		if (sub.code != ERR_DATA) {
			err_set(e, sub.code, "%s", sub.msg);
			goto fail;
		}
		/* A cache: a damaged one is forgotten, and the caller told. */
		snprintf(cf->lost, sizeof(cf->lost), "%s", sub.msg);
		forget_prev(cf);
	}
	if (open_new(cf, e) == -1)
		goto fail;
	return cf;
fail:
	cellfile_free(cf);
	return NULL;
}

size_t
cellfile_previous_rows(const struct cellfile *cf)
{
	return cf->nprev;
}

const char *
cellfile_previous_lost(const struct cellfile *cf)
{
	if (cf->lost[0] != '\0')
		return cf->lost;
	return cf->missing ? "missing" : NULL;
}

int
cellfile_previous_damaged(const struct cellfile *cf)
{
	return cf->lost[0] != '\0';
}

int
cellfile_has(const struct cellfile *cf, const char *tab, const char *id)
{
	return now_has(cf, key_hash(cf, tab, id));
}

int
cellfile_row(struct cellfile *cf, const char *tab, const char *id,
    const char *const *values,
    void (*changed)(const char *column, const char *old, const char *now, void *ctx),
    void *ctx, struct err *e)
{
	uint64_t kh = key_hash(cf, tab, id), vh = values_hash(cf, values);
	struct prev *p = prev_find(cf, kh);
	json_t *a;
	size_t i;

	/* A renamed tab: its rows were recorded under the old title. */
	for (i = 0; p == NULL && i < cf->nrenames; i++)
		if (strcmp(cf->renames[2 * i + 1], tab) == 0)
			p = prev_find(cf, key_hash(cf, cf->renames[2 * i], id));

	if (cf->out == NULL) {
		err_set(e, ERR_IO, "cells: row after commit");
		return -1;
	}
	if (now_add(cf, kh) == -1)
		return nomem(e);
	fprintf(cf->out, "%016" PRIx64 " %016" PRIx64 " [", kh, vh);
	jsonout_string(cf->out, tab);
	putc(',', cf->out);
	jsonout_string(cf->out, id);
	for (i = 0; i < cf->ncols; i++) {
		putc(',', cf->out);
		jsonout_string(cf->out, values[i]);
	}
	fputs("]\n", cf->out);
	if (p == NULL) {
		for (i = 0; i < cf->ncols; i++)
			if (values[i][0] != '\0')
				changed(cf->cols[i], "", values[i], ctx);
		return 0;
	}
	p->matched = 1;
	if (cf->same_cols && p->vh == vh)
		return 0;
	if (prev_row_kept(cf, p, &a, e) == -1)
		return -1;
	for (i = 0; a != NULL && i < cf->ncols; i++)
		if (strcmp(old_value(cf, a, i), values[i]) != 0)
			changed(cf->cols[i], old_value(cf, a, i), values[i], ctx);
	json_decref(a);
	return 0;
}

int
cellfile_rename(struct cellfile *cf, const char *old, const char *now, struct err *e)
{
	const char **n = realloc(cf->renames, (cf->nrenames + 1) * 2 * sizeof(*n));

	if (n == NULL)
		return nomem(e);
	cf->renames = n;
	n[2 * cf->nrenames] = old;
	n[2 * cf->nrenames + 1] = now;
	cf->nrenames++;
	return 0;
}

int
cellfile_gone(struct cellfile *cf,
    void (*gone)(const char *tab, const char *id, const char *column, const char *old,
    void *ctx), void *ctx, struct err *e)
{
	const char *tab, *id, *v;
	json_t *a;
	size_t k, i;

	for (k = 0; k < cf->nprev; k++) {
		if (cf->prev[k].matched)
			continue;
		if (prev_row_kept(cf, &cf->prev[k], &a, e) == -1)
			return -1;
		if (a == NULL)
			continue;
		tab = json_string_value(json_array_get(a, 0));
		id = json_string_value(json_array_get(a, 1));
		for (i = 0; i < cf->ncols; i++) {
			v = old_value(cf, a, i);
			if (*v != '\0')
				gone(tab, id, cf->cols[i], v, ctx);
		}
		json_decref(a);
	}
	return 0;
}

int
cellfile_commit(struct cellfile *cf, struct err *e)
{
	FILE *f = cf->out;
	int bad;

	if (f == NULL) {
		err_set(e, ERR_IO, "cells: committed twice");
		return -1;
	}
	cf->out = NULL;
	bad = fflush(f) == EOF || ferror(f);
	if (bad)
		err_set(e, ERR_IO, "%s: cannot write: %s", cf->tmp, strerror(errno));
	else if (fsync(fileno(f)) == -1) {
		/* Say so: a failed fsync is fatal to the daemon (fsyncgate). */
		err_set(e, ERR_IO, "%s: fsync: %s", cf->tmp, strerror(errno));
		bad = 1;
	}
	if (fclose(f) == EOF) {
		err_set(e, ERR_IO, "%s: cannot write: %s", cf->tmp, strerror(errno));
		bad = 1;
	}
	if (bad)
		return -1;
	if (rename(cf->tmp, cf->path) == -1) {
		err_set(e, ERR_IO, "%s: cannot rename to %s: %s", cf->tmp, CELLFILE_NAME,
		    strerror(errno));
		return -1;
	}
	cf->committed = 1;
	return fsutil_fsync_dir(cf->path, e);
}

void
cellfile_free(struct cellfile *cf)
{
	if (cf == NULL)
		return;
	if (cf->out != NULL)
		fclose(cf->out);
	if (cf->created && !cf->committed)
		unlink(cf->tmp);
	if (cf->oldfd != -1)
		close(cf->oldfd);
	free(cf->prev);
	free(cf->slot);
	free(cf->oldidx);
	free(cf->now);
	free(cf->renames);
	free(cf);
}
