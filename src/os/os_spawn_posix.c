/* POSIX processes for probe: posix_spawnp with three pipes, poll(2) over
 * them, waitpid. See include/sshsync/os_spawn.h. */
#include "os_spawn_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sshsync/buf.h"

extern char **environ;

struct ss_os_proc {
	ss_os_proc_seen seen; /* first: os_spawn.c reads it */
	pid_t pid;
	int in, out, err; /* our ends; -1 once closed */
};

int64_t ss_os_now_ms(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int make_pipe(int fds[2])
{
	if (pipe(fds) != 0)
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		errno = e;
		return -1;
	}
	return 0;
}

static int spawn(const char *const *argv, int child_in, int child_out, int child_err, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	int r = posix_spawn_file_actions_init(&fa);
	if (r != 0) {
		errno = r;
		return -1;
	}
	/* dup2 clears FD_CLOEXEC on the copies 0, 1 and 2. */
	r = posix_spawn_file_actions_adddup2(&fa, child_in, 0);
	if (r == 0)
		r = posix_spawn_file_actions_adddup2(&fa, child_out, 1);
	if (r == 0)
		r = posix_spawn_file_actions_adddup2(&fa, child_err, 2);
	if (r == 0)
		r = posix_spawnp(pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		errno = r;
		return -1;
	}
	return 0;
}

int ss_os_proc_start(const char *const *argv, ss_os_proc **out)
{
	*out = NULL;
	/* A write to a process that has gone must be an error, not SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	ss_os_proc *p = calloc(1, sizeof(*p));
	if (!p)
		return -1;
	p->in = p->out = p->err = -1;
	int in[2] = {-1, -1}, o[2] = {-1, -1}, e[2] = {-1, -1};
	int r = -1;
	if (make_pipe(in) == 0 && make_pipe(o) == 0 && make_pipe(e) == 0 &&
	    spawn(argv, in[0], o[1], e[1], &p->pid) == 0)
		r = 0;
	int saved = errno;
	close_fd(&in[0]);
	close_fd(&o[1]);
	close_fd(&e[1]);
	p->in = in[1];
	p->out = o[0];
	p->err = e[0];
	if (r < 0) {
		close_fd(&p->in);
		close_fd(&p->out);
		close_fd(&p->err);
		free(p);
		errno = saved;
		return -1;
	}
	if (fcntl(p->out, F_SETFL, O_NONBLOCK) != 0 || fcntl(p->err, F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(p->in, F_SETFL, O_NONBLOCK) != 0) {
		saved = errno;
		ss_os_proc_free(p);
		errno = saved;
		return -1;
	}
	*out = p;
	return 0;
}

/* Reads what is there; closes the pipe at its end. */
static int drain(int *fd, ss_buf *b)
{
	char chunk[4096];
	while (*fd >= 0) {
		ssize_t n = read(*fd, chunk, sizeof(chunk));
		if (n > 0) {
			if (ss_buf_add(b, chunk, (size_t)n) < 0)
				return -1;
			continue;
		}
		if (n == 0)
			close_fd(fd);
		else if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		else if (errno != EINTR)
			close_fd(fd);
	}
	return 0;
}

static int collect(ss_os_proc *p)
{
	if (drain(&p->out, &p->seen.out) < 0 || drain(&p->err, &p->seen.err) < 0)
		return -1;
	if (!p->seen.ended) {
		int st;
		pid_t w = waitpid(p->pid, &st, WNOHANG);
		if (w == p->pid) {
			p->seen.ended = 1;
			p->seen.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			/* What it wrote before it ended is in the pipes; a
			 * child of its own that keeps them open is not waited for. */
			if (drain(&p->out, &p->seen.out) < 0 || drain(&p->err, &p->seen.err) < 0)
				return -1;
			close_fd(&p->out);
			close_fd(&p->err);
			close_fd(&p->in);
		}
	}
	return 0;
}

int ss_os_proc_poll(ss_os_proc *const *procs, size_t n, int64_t timeout_ms)
{
	struct pollfd *fds = calloc(2 * n + 1, sizeof(*fds));
	if (!fds)
		return -1;
	size_t nfds = 0;
	int unreaped_closed = 0;
	for (size_t i = 0; i < n; i++) {
		if (!procs[i])
			continue;
		if (procs[i]->out >= 0)
			fds[nfds++] = (struct pollfd){procs[i]->out, POLLIN, 0};
		if (procs[i]->err >= 0)
			fds[nfds++] = (struct pollfd){procs[i]->err, POLLIN, 0};
		if (!procs[i]->seen.ended && procs[i]->out < 0 && procs[i]->err < 0)
			unreaped_closed = 1;
	}
	/* An end without output is seen only by asking: look again soon. */
	int64_t wait = timeout_ms < 0 ? 0 : timeout_ms;
	if (unreaped_closed && wait > 50)
		wait = 50;
	if (wait > 1000)
		wait = 1000;
	int r = poll(fds, nfds, (int)wait);
	free(fds);
	if (r < 0 && errno != EINTR)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (procs[i] && collect(procs[i]) < 0)
			return -1;
	return 0;
}

int ss_os_proc_send(ss_os_proc *p, const void *data, size_t len)
{
	const char *s = data;
	while (len > 0) {
		if (p->in < 0)
			return -1;
		ssize_t n = write(p->in, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

void ss_os_proc_close_input(ss_os_proc *p)
{
	close_fd(&p->in);
}

void ss_os_proc_free(ss_os_proc *p)
{
	if (!p)
		return;
	close_fd(&p->in);
	close_fd(&p->out);
	close_fd(&p->err);
	if (!p->seen.ended) {
		kill(p->pid, SIGTERM);
		int st;
		int64_t until = ss_os_now_ms() + 2000;
		while (waitpid(p->pid, &st, WNOHANG) == 0) {
			if (ss_os_now_ms() > until) {
				kill(p->pid, SIGKILL);
				waitpid(p->pid, &st, 0);
				break;
			}
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	ss_buf_release(&p->seen.out);
	ss_buf_release(&p->seen.err);
	free(p);
}
