/*
 * fsutil: small file-system helpers that must be done the same careful way
 * everywhere: replacing a file atomically and durably, and reading a whole
 * file under a named limit.
 *
 * An atomic write never leaves a half-written file in place of a good one: the
 * new content goes to a temporary file in the same directory, is fsync'd, is
 * renamed over the target, and then the directory itself is fsync'd so the
 * rename survives a crash.  On any failure the temporary file is removed and
 * the old file is untouched.
 */
#ifndef SYNCD_FSUTIL_H
#define SYNCD_FSUTIL_H

#include <stdio.h>
#include <sys/types.h>

#include "auth/err.h"

/*
 * fsutil_writer: writes the new content of a file to f (borrowed, open for
 * writing).  Returns 0, or -1 after filling e.  Stream errors (ENOSPC and the
 * like) need not be reported here: fsutil checks the stream afterwards.
 */
typedef int (*fsutil_writer)(FILE *f, void *ctx, struct err *e);

/*
 * fsutil_write_atomic(path, mode, write, ctx, e): replace path with what
 * write(f, ctx, e) produces, atomically and durably (temporary file
 * "path.tmp.XXXXXX" in the same directory, fflush, fsync, rename, fsync of
 * the directory).  mode is the new file's permission bits.  Returns 0, or -1
 * with e filled; on failure path is unchanged and no temporary file remains.
 */
int fsutil_write_atomic(const char *path, mode_t mode, fsutil_writer write,
    void *ctx, struct err *e);

/* fsutil_write_atomic_buf(path, mode, buf, len, e): the same for a buffer. */
int fsutil_write_atomic_buf(const char *path, mode_t mode, const void *buf,
    size_t len, struct err *e);

/*
 * fsutil_fsync_dir(path, e): fsync the directory that holds path (path names
 * a file in it), so a create, rename or unlink there is durable.  Returns 0 or
 * -1 with e filled.
 */
int fsutil_fsync_dir(const char *path, struct err *e);

/*
 * fsutil_read_file(path, max, &buf, &len, e): read the whole file into a new
 * buffer (owned by the caller, free() it; NUL-terminated for convenience, the
 * NUL not counted in len).  A file larger than max bytes is refused (ERR_DATA).
 * A missing file gives ERR_NOINPUT with errno left as ENOENT.  Returns 0 or -1.
 */
int fsutil_read_file(const char *path, size_t max, char **buf, size_t *len,
    struct err *e);

#endif
