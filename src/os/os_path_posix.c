/* POSIX paths: `/` separates, `/` starts an absolute path.
 * See include/sshsync/os_path.h. */
#include "sshsync/os_path.h"

#include <string.h>

int ss_os_is_sep(int c)
{
	return c == '/';
}

char ss_os_sep(void)
{
	return '/';
}

const char *ss_os_last_sep(const char *path)
{
	return strrchr(path, '/');
}

const char *ss_os_first_sep(const char *path)
{
	return strchr(path, '/');
}

const char *ss_os_base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

size_t ss_os_dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return 0;
	return slash == path ? 1 : (size_t)(slash - path);
}

int ss_os_is_absolute(const char *path)
{
	return path[0] == '/';
}

void ss_os_native_seps(char *path)
{
	(void)path;
}
