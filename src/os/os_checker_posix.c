/* POSIX checkers (sshd -t): fork, exec, a pipe. See include/sshsync/os_proc.h. */
#define _GNU_SOURCE
#include "sshsync/os_proc.h"
#include "os_int.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int ss_os_run_capture(char *const argv[], int as_user, ss_os_id uid, ss_os_id gid, size_t limit,
		      char **out, size_t *outlen)
{
	*out = calloc(1, 1);
	*outlen = 0;
	if (!*out)
		return -1;
	size_t cap = 1;
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(pfd[0]);
		close(pfd[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		if (as_user &&
		    (setgroups(0, NULL) < 0 || setgid((gid_t)gid) < 0 || setuid((uid_t)uid) < 0))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	char chunk[4096];
	ssize_t n;
	while ((n = read(pfd[0], chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (ss_os_keep_output(out, outlen, &cap, chunk, (size_t)n, limit) < 0)
			break;
	}
	close(pfd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int ss_os_checker_user(ss_os_id *uid, ss_os_id *gid)
{
	*uid = 0;
	*gid = 0;
	if (geteuid() != 0)
		return 0;
	struct passwd *pw = getpwnam("nobody");
	if (!pw)
		return -1;
	*uid = (ss_os_id)pw->pw_uid;
	*gid = (ss_os_id)pw->pw_gid;
	return 1;
}

char *ss_os_openssh_program(const char *name)
{
	const char *dir = strcmp(name, "sshd") == 0 ? "/usr/sbin" : "/usr/bin";
	size_t n = strlen(dir) + strlen(name) + 2;
	char *path = malloc(n);
	if (path)
		snprintf(path, n, "%s/%s", dir, name);
	return path;
}
