/*
 * fsutil: atomic, durable file replacement and bounded whole-file reads (see
 * fsutil.h).  It never leaves a temporary file behind and never replaces a
 * good file with one whose write failed.
 */
#include "syncd/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FSUTIL_PATH_MAX 4096

int
fsutil_fsync_dir(const char *path, struct err *e)
{
	char copy[FSUTIL_PATH_MAX];
	const char *dir;
	int fd, rc;

	if (strlen(path) >= sizeof(copy)) {
		err_set(e, ERR_IO, "%s: path too long", path);
		return -1;
	}
	memcpy(copy, path, strlen(path) + 1);
	dir = dirname(copy);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1) {
		err_set(e, ERR_IO, "%s: open directory: %s", dir, strerror(errno));
		return -1;
	}
	rc = fsync(fd);
	if (rc == -1)
		err_set(e, ERR_IO, "%s: fsync directory: %s", dir, strerror(errno));
	close(fd);
	return rc == -1 ? -1 : 0;
}

int
fsutil_write_atomic(const char *path, mode_t mode, fsutil_writer write,
    void *ctx, struct err *e)
{
	char tmp[FSUTIL_PATH_MAX];
	FILE *f = NULL;
	int fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		err_set(e, ERR_IO, "%s: path too long", path);
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd == -1) {
		err_set(e, ERR_IO, "%s: create temporary file: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode) == -1) {
		err_set(e, ERR_IO, "%s: chmod: %s", tmp, strerror(errno));
		close(fd);
		goto err;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		err_set(e, ERR_IO, "%s: fdopen: %s", tmp, strerror(errno));
		close(fd);
		goto err;
	}
	if (write(f, ctx, e) == -1)
		goto err;
	if (fflush(f) == EOF || ferror(f)) {
		err_set(e, ERR_IO, "%s: write: %s", tmp, strerror(errno));
		goto err;
	}
	if (fsync(fileno(f)) == -1) {
		err_set(e, ERR_IO, "%s: fsync: %s", tmp, strerror(errno));
		goto err;
	}
	if (fclose(f) == EOF) {
		f = NULL;
		err_set(e, ERR_IO, "%s: close: %s", tmp, strerror(errno));
		goto err;
	}
	f = NULL;
	if (rename(tmp, path) == -1) {
		err_set(e, ERR_IO, "%s: rename: %s", path, strerror(errno));
		goto err;
	}
	/* The new content is in place; only its durability is in doubt now. */
	return fsutil_fsync_dir(path, e);
err:
	if (f != NULL)
		fclose(f);
	unlink(tmp);
	return -1;
}

struct buf_ctx {
	const void *buf;
	size_t len;
};

static int
write_buf(FILE *f, void *ctx, struct err *e)
{
	const struct buf_ctx *b = ctx;

	(void)e;
	if (b->len > 0 && fwrite(b->buf, 1, b->len, f) != b->len)
		return 0;	/* reported by the stream check in the caller */
	return 0;
}

int
fsutil_write_atomic_buf(const char *path, mode_t mode, const void *buf,
    size_t len, struct err *e)
{
	struct buf_ctx b = { buf, len };

	return fsutil_write_atomic(path, mode, write_buf, &b, e);
}

int
fsutil_read_file(const char *path, size_t max, char **bufp, size_t *lenp,
    struct err *e)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap;
	ssize_t n;
	int fd, saved;

	*bufp = NULL;
	*lenp = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		saved = errno;
		err_set(e, ERR_NOINPUT, "%s: %s", path, strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		err_set(e, ERR_IO, "%s: stat: %s", path, strerror(errno));
		goto err;
	}
	if (st.st_size < 0 || (uint64_t)st.st_size > max) {
		err_set(e, ERR_DATA, "%s: larger than %zu bytes", path, max);
		goto err;
	}
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (buf == NULL) {
		err_set(e, ERR_NOMEM, "%s: out of memory", path);
		goto err;
	}
	for (;;) {
		if (len + 1 == cap) {
			/* The file grew while we read it: allow up to max. */
			char *nb;
			size_t ncap = cap * 2 > max + 1 ? max + 2 : cap * 2;

			if (cap >= max + 2) {
				err_set(e, ERR_DATA, "%s: larger than %zu bytes",
				    path, max);
				goto err;
			}
			nb = realloc(buf, ncap);
			if (nb == NULL) {
				err_set(e, ERR_NOMEM, "%s: out of memory", path);
				goto err;
			}
			buf = nb;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err_set(e, ERR_IO, "%s: read: %s", path, strerror(errno));
			goto err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		err_set(e, ERR_DATA, "%s: larger than %zu bytes", path, max);
		goto err;
	}
	close(fd);
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
err:
	free(buf);
	close(fd);
	return -1;
}
