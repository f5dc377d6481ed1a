/* Windows: running another program with both outputs kept, and secret
 * files (os_proc.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/os_proc.h"
#include "win32.h"

void ss_os_run_result_release(ss_os_run_result *r)
{
	ss_buf_release(&r->out);
	ss_buf_release(&r->err);
}

int ss_os_run(const char *const *argv, ss_os_run_result *r)
{
	/* Not yet on Windows (migrate --keys runs puttygen): said plainly. */
	(void)argv;
	memset(r, 0, sizeof(*r));
	r->exit_code = -1;
	errno = ENOSYS;
	return -1;
}

int ss_os_secret_file(const void *data, size_t len, char **path)
{
	*path = ss_os_make_temp_dir("sshsync-secret");
	if (!*path)
		return -1;
	char *dir = *path;
	size_t n = strlen(dir) + sizeof("\\secret");
	*path = malloc(n);
	if (!*path) {
		ss_os_remove_dir(dir);
		free(dir);
		errno = ENOMEM;
		return -1;
	}
	snprintf(*path, n, "%s\\secret", dir);
	free(dir);
	/* In the user's own temporary folder, whose ACL admits only the user. */
	if (ss_os_write_new_file(*path, data, len, 0600, 0, 0, 0) < 0) {
		int e = errno;
		free(*path);
		*path = NULL;
		errno = e;
		return -1;
	}
	return 0;
}

int ss_os_remove_path(const char *path)
{
	if (ss_os_remove_file(path) < 0)
		return -1;
	/* The secret file's own folder goes with it (ignored for any other). */
	size_t n = strlen(path);
	if (n > 7 && strcmp(path + n - 7, "\\secret") == 0) {
		char *dir = malloc(n - 6);
		if (dir) {
			memcpy(dir, path, n - 7);
			dir[n - 7] = '\0';
			ss_os_remove_dir(dir);
			free(dir);
		}
	}
	return 0;
}

int ss_os_path_present(const char *path)
{
	ss_stat st;
	if (ss_os_lstat(path, &st) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

int ss_os_absolute_path(const char *path, char **out)
{
	*out = ss_os_realpath(path);
	return *out ? 0 : -1;
}

int ss_os_read_secret(const char *prompt, ss_buf *out)
{
	(void)prompt;
	(void)out;
	errno = ENXIO; /* no console read without echo yet on Windows */
	return -1;
}
