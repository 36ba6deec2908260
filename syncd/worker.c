/*
 * worker: a job in a forked child, its message back over a pipe (see
 * worker.h for the contract).
 *
 * On the wire: the message's length as 8 bytes, then the message.  The
 * parent reads until end of file, so a child that dies half-way leaves a
 * short read, never a message taken for whole.  Numbers are in the host's
 * byte order: both ends are the same binary on the same machine.
 */
#include "syncd/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "syncd/monotime.h"

#define WORKER_TICK_MS	1000	/* longest wait between two ticks */
#define WORKER_READ	65536	/* bytes read at once */
#define WORKER_STUCK_S	30	/* seconds a killed child may take to die */

/* ---- messages ---- */

void
worker_msg_init(struct worker_msg *m)
{
	memset(m, 0, sizeof(*m));
}

void
worker_msg_fini(struct worker_msg *m)
{
	if (m->buf != NULL) {
		OPENSSL_cleanse(m->buf, m->cap);
		free(m->buf);
	}
	worker_msg_init(m);
}

/* Room for n more bytes; 0, or -1 (m->bad set). */
static int
reserve(struct worker_msg *m, size_t n)
{
	unsigned char *p;
	size_t cap;

	if (m->bad)
		return -1;
	if (n <= m->cap - m->len)
		return 0;
	if (n > WORKER_MSG_MAX - m->len) {
		m->bad = 1;
		return -1;
	}
	cap = m->cap != 0 ? m->cap : 1024;
	while (cap - m->len < n)
		cap *= 2;
	/* Not realloc: the old buffer may hold a token and is wiped first. */
	if ((p = malloc(cap)) == NULL) {
		m->bad = 1;
		return -1;
	}
	if (m->buf != NULL) {
		memcpy(p, m->buf, m->len);
		OPENSSL_cleanse(m->buf, m->cap);
		free(m->buf);
	}
	m->buf = p;
	m->cap = cap;
	return 0;
}

void
worker_put_bytes(struct worker_msg *m, const void *p, size_t n)
{
	if (n == 0 || reserve(m, n) == -1)
		return;
	memcpy(m->buf + m->len, p, n);
	m->len += n;
}

void
worker_put_u64(struct worker_msg *m, uint64_t v)
{
	worker_put_bytes(m, &v, sizeof(v));
}

void
worker_put_i64(struct worker_msg *m, int64_t v)
{
	worker_put_bytes(m, &v, sizeof(v));
}

void
worker_put_double(struct worker_msg *m, double v)
{
	worker_put_bytes(m, &v, sizeof(v));
}

#define WORKER_NULL_STR	UINT64_MAX

void
worker_put_str(struct worker_msg *m, const char *s)
{
	size_t n;

	if (s == NULL) {
		worker_put_u64(m, WORKER_NULL_STR);
		return;
	}
	n = strlen(s) + 1;
	worker_put_u64(m, (uint64_t)n);
	worker_put_bytes(m, s, n);
}

void
worker_get_bytes(struct worker_msg *m, void *out, size_t n)
{
	if (m->bad || n > m->len - m->pos) {
		m->bad = 1;
		memset(out, 0, n);
		return;
	}
	memcpy(out, m->buf + m->pos, n);
	m->pos += n;
}

uint64_t
worker_get_u64(struct worker_msg *m)
{
	uint64_t v;

	worker_get_bytes(m, &v, sizeof(v));
	return v;
}

int64_t
worker_get_i64(struct worker_msg *m)
{
	int64_t v;

	worker_get_bytes(m, &v, sizeof(v));
	return v;
}

double
worker_get_double(struct worker_msg *m)
{
	double v;

	worker_get_bytes(m, &v, sizeof(v));
	return v;
}

const char *
worker_get_str(struct worker_msg *m, int *is_null)
{
	uint64_t n = worker_get_u64(m);
	const char *s;

	if (is_null != NULL)
		*is_null = 0;
	if (m->bad)
		return NULL;
	if (n == WORKER_NULL_STR) {
		if (is_null != NULL)
			*is_null = 1;
		return NULL;
	}
	if (n == 0 || n > m->len - m->pos) {
		m->bad = 1;
		return NULL;
	}
	s = (const char *)m->buf + m->pos;
	if (s[n - 1] != '\0' || strlen(s) != n - 1) {
		m->bad = 1;
		return NULL;
	}
	m->pos += (size_t)n;
	return s;
}

/* ---- the child ---- */

static int
write_all(int fd, const void *p, size_t n)
{
	const unsigned char *b = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, b, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static void __attribute__((noreturn))
child(int fd, pid_t parent, void (*job)(void *, struct worker_msg *), void *ctx)
{
	struct worker_msg m;
	uint64_t len;
	int ok;

	/*
	 * A worker must never outlive the daemon: killed with it (SIGKILL,
	 * the OOM killer), an orphan would go on writing the sheet, the log
	 * and the state beside the restarted daemon, and keep the log's lock.
	 * Dying with the parent is the same as being killed mid-cycle with
	 * it, which the write-ahead log and the atomic state file survive.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		_exit(1);
	worker_msg_init(&m);
	job(ctx, &m);
	len = m.len;
	ok = !m.bad && m.len <= WORKER_MSG_MAX - sizeof(len) &&
	    write_all(fd, &len, sizeof(len)) == 0 &&
	    write_all(fd, m.buf, m.len) == 0;
	worker_msg_fini(&m);
	_exit(ok ? 0 : 1);
}

/* ---- the parent ---- */

/* How the child ended, as one line, into e. */
static void
ended(int status, int killed, struct err *e)
{
	if (killed)
		err_set(e, ERR_TEMP, "the cycle's worker process did not finish in time "
		    "and was killed");
	else if (WIFSIGNALED(status))
		err_set(e, ERR_TEMP, "the cycle's worker process died of signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		err_set(e, ERR_TEMP, "the cycle's worker process exited with status %d "
		    "without its result", WEXITSTATUS(status));
	else
		err_set(e, ERR_TEMP, "the cycle's worker process sent a malformed result");
}

int
worker_run(void (*job)(void *ctx, struct worker_msg *msg), void *ctx,
    struct worker_opts *o, struct worker_msg *out, struct err *e)
{
	unsigned char chunk[WORKER_READ];
	struct rusage ru;
	struct worker_msg in;
	struct pollfd pfd;
	double start, killed_at = 0, left;
	uint64_t len;
	int fds[2], status = 0, termed = 0, killed = 0, overflow = 0, eof = 0, ms;
	ssize_t n;
	pid_t pid, self;

	o->peak_kb = 0;
	if (pipe2(fds, O_CLOEXEC) == -1) {
		err_set(e, ERR_IO, "cannot start the cycle's worker process: pipe: %s",
		    strerror(errno));
		return -1;
	}
	self = getpid();
	if ((pid = fork()) == -1) {
		err_set(e, ERR_IO, "cannot start the cycle's worker process: fork: %s",
		    strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child(fds[1], self, job, ctx);
	}
	close(fds[1]);
	worker_msg_init(&in);
	start = monotime_now();
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	while (!eof) {
		left = start + o->deadline_s - monotime_now();
		ms = killed || left * 1000 >= WORKER_TICK_MS ? WORKER_TICK_MS :
		    left <= 0 ? 0 : (int)(left * 1000) + 1;
		if (poll(&pfd, 1, ms) > 0) {
			n = read(fds[0], chunk, sizeof(chunk));
			if (n == 0) {
				eof = 1;
			} else if (n > 0 && !overflow) {
				worker_put_bytes(&in, chunk, (size_t)n);
				if (in.bad) {	/* longer than any message */
					overflow = 1;
					worker_msg_fini(&in);
				}
			}
		}
		if (o->term != NULL && *o->term && !termed) {
			kill(pid, SIGTERM);
			termed = 1;
		}
		if (!killed && (overflow || monotime_now() - start >= o->deadline_s)) {
			kill(pid, SIGKILL);
			killed = 1;
			killed_at = monotime_now();
		}
		/*
		 * A child that SIGKILL does not end is stuck in the kernel (a
		 * hung disk): stop vouching for the daemon, and let systemd's
		 * watchdog restart it.
		 */
		if (o->tick != NULL && !(killed && monotime_now() - killed_at > WORKER_STUCK_S))
			o->tick(o->tick_ctx);
	}
	close(fds[0]);
	memset(&ru, 0, sizeof(ru));
	while (wait4(pid, &status, 0, &ru) == -1 && errno == EINTR)
		;
	o->peak_kb = ru.ru_maxrss;	/* kilobytes on Linux */
	if (overflow) {
		err_set(e, ERR_TEMP, "the cycle's worker process sent more than %u bytes "
		    "and was killed", WORKER_MSG_MAX);
		return -1;
	}
	if (killed || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    in.len < sizeof(len)) {
		ended(status, killed, e);
		worker_msg_fini(&in);
		return -1;
	}
	memcpy(&len, in.buf, sizeof(len));
	if (len != in.len - sizeof(len)) {
		ended(status, 0, e);
		worker_msg_fini(&in);
		return -1;
	}
	/* The message is what follows its length. */
	in.pos = sizeof(len);
	*out = in;
	return 0;
}
