/* Processes and secret files on POSIX systems (os_proc.h). */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "sshsync/os_proc.h"

extern char **environ;

void ss_os_run_result_release(ss_os_run_result *r)
{
	ss_buf_release(&r->out);
	ss_buf_release(&r->err);
}

/* Reads both pipes until both are closed. */
static int drain(int out_fd, int err_fd, ss_os_run_result *r)
{
	struct pollfd p[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
	ss_buf *dst[2] = {&r->out, &r->err};
	int open_fds = 2;
	char chunk[4096];
	while (open_fds > 0) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(p[i].fd, chunk, sizeof chunk);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				p[i].fd = -1;
				open_fds--;
			} else if (ss_buf_add(dst[i], chunk, (size_t)n)) {
				errno = ENOMEM;
				return -1;
			}
		}
	}
	return 0;
}

static void close_pair(int *fds)
{
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	fds[0] = fds[1] = -1;
}

int ss_os_run(const char *const *argv, ss_os_run_result *r)
{
	int out[2] = {-1, -1}, err[2] = {-1, -1}, saved;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	memset(r, 0, sizeof *r);
	r->exit_code = -1;
	if (pipe(out) < 0 || pipe(err) < 0) {
		saved = errno;
		close_pair(out);
		close_pair(err);
		errno = saved;
		return -1;
	}
	int rc = posix_spawn_file_actions_init(&fa);
	if (rc == 0)
		rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	if (rc == 0)
		rc = posix_spawn_file_actions_addclose(&fa, out[0]);
	if (rc == 0)
		rc = posix_spawn_file_actions_addclose(&fa, err[0]);
	if (rc == 0)
		rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(err[1]);
	if (rc != 0) {
		close(out[0]);
		close(err[0]);
		errno = rc;
		return -1;
	}
	int drained = drain(out[0], err[0], r);
	saved = errno;
	close(out[0]);
	close(err[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	if (drained < 0) {
		errno = saved;
		return -1;
	}
	r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	return 0;
}

int ss_os_secret_file(const void *data, size_t len, char **path)
{
	const char *tmp = getenv("TMPDIR");
	char *p = NULL;
	size_t n = strlen(tmp && *tmp ? tmp : "/tmp") + 32;
	if (!(p = malloc(n))) {
		errno = ENOMEM;
		return -1;
	}
	snprintf(p, n, "%s/sshsync-secret-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	mode_t old = umask(077);
	int fd = mkstemp(p);
	umask(old);
	if (fd < 0) {
		free(p);
		return -1;
	}
	const char *s = data;
	while (len > 0) {
		ssize_t w = write(fd, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int saved = errno ? errno : EIO;
			close(fd);
			unlink(p);
			free(p);
			errno = saved;
			return -1;
		}
		s += w;
		len -= (size_t)w;
	}
	if (fchmod(fd, 0600) < 0 || close(fd) < 0) {
		int saved = errno;
		unlink(p);
		free(p);
		errno = saved;
		return -1;
	}
	*path = p;
	return 0;
}

int ss_os_remove_path(const char *path)
{
	return unlink(path);
}

int ss_os_path_present(const char *path)
{
	struct stat st;
	if (lstat(path, &st) == 0)
		return 1;
	return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
}

int ss_os_absolute_path(const char *path, char **out)
{
	char *p = realpath(path, NULL);
	if (!p)
		return -1;
	*out = p;
	return 0;
}

int ss_os_read_secret(const char *prompt, ss_buf *out)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		errno = ENXIO;
		return -1;
	}
	struct termios old, quiet;
	int have_tty = tcgetattr(fd, &old) == 0;
	if (have_tty) {
		quiet = old;
		quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHONL);
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	int rc = write(fd, prompt, strlen(prompt)) < 0 ? -1 : 0;
	char c;
	ssize_t n;
	while (rc == 0 && (n = read(fd, &c, 1)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
		} else if (c == '\n' || c == '\r') {
			break;
		} else if (ss_buf_addc(out, c)) {
			errno = ENOMEM;
			rc = -1;
		}
	}
	if (have_tty)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0 && rc == 0)
		rc = -1;
	close(fd);
	return rc == 0 ? ss_buf_add(out, "", 0) : rc;
}
