/*
 * lockfile: the single-instance lock of a state directory (see lockfile.h).
 * It must never block: a second syncd is told at once who is running.
 */
#include "syncd/lockfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCKFILE_PATH_MAX 4096
#define LOCKFILE_TEXT_MAX 64

static int
lock_path(const char *dir, char *out, size_t size, struct err *e)
{
	if ((size_t)snprintf(out, size, "%s/%s", dir, LOCKFILE_NAME) >= size) {
		err_set(e, ERR_IO, "%s: path too long", dir);
		return -1;
	}
	return 0;
}

/* parse "PID ROLE\n" from fd into h; unknown parts stay 0 and "". */
static void
read_holder(int fd, struct lockfile_holder *h)
{
	char buf[LOCKFILE_TEXT_MAX];
	char *end, *r;
	ssize_t n;
	long pid;
	size_t i;

	memset(h, 0, sizeof(*h));
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return;
	buf[n] = '\0';
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || pid <= 0)
		return;
	h->pid = (pid_t)pid;
	r = end;
	while (*r == ' ')
		r++;
	for (i = 0; i + 1 < sizeof(h->role) && r[i] >= 'a' && r[i] <= 'z'; i++)
		h->role[i] = r[i];
	h->role[i] = '\0';
}

int
lockfile_take(const char *dir, const char *role, struct lockfile_holder *holder,
    struct err *e)
{
	char path[LOCKFILE_PATH_MAX], text[LOCKFILE_TEXT_MAX];
	int fd, n;

	memset(holder, 0, sizeof(*holder));
	if (lock_path(dir, path, sizeof(path), e) == -1)
		return -1;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		err_set(e, ERR_IO, "%s: cannot create the state directory: %s", dir,
		    strerror(errno));
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		err_set(e, ERR_IO, "%s: open: %s", path, strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK) {
			read_holder(fd, holder);
			holder->held = 1;
			if (holder->pid > 0)
				err_set(e, ERR_IO, "another syncd (PID %ld, %s) holds %s: "
				    "one syncd per state directory", (long)holder->pid,
				    holder->role[0] != '\0' ? holder->role : "?", path);
			else
				err_set(e, ERR_IO, "another syncd holds %s: one syncd per "
				    "state directory", path);
			close(fd);
			return -1;
		}
		err_set(e, ERR_IO, "%s: lock: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	n = snprintf(text, sizeof(text), "%ld %s\n", (long)getpid(), role);
	if (n < 0 || (size_t)n >= sizeof(text) || ftruncate(fd, 0) == -1 ||
	    pwrite(fd, text, (size_t)n, 0) != n) {
		err_set(e, ERR_IO, "%s: write: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
lockfile_read(const char *dir, struct lockfile_holder *holder)
{
	char path[LOCKFILE_PATH_MAX];
	int fd, held;

	memset(holder, 0, sizeof(*holder));
	if (lock_path(dir, path, sizeof(path), NULL) == -1)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	/* A shared lock we can take means no exclusive holder. */
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		held = 0;
	} else if (errno == EWOULDBLOCK) {
		read_holder(fd, holder);
		holder->held = 1;
		held = 1;
	} else {
		held = -1;
	}
	close(fd);
	return held;
}
