/* Windows paths: `\` and `/` separate; C:\x, C:x, \\server\share\x and
 * \\?\C:\x. See include/sshsync/os_path.h. */
#include "sshsync/os_path.h"

#include <ctype.h>
#include <string.h>

int ss_os_is_sep(int c)
{
	return c == '/' || c == '\\';
}

char ss_os_sep(void)
{
	return '\\';
}

static int has_drive(const char *path)
{
	return isalpha((unsigned char)path[0]) && path[1] == ':';
}

/* How long the root of a path is: "C:\" 3, "C:" 2, "\" 1, "\\server\share\" whole. */
static size_t root_len(const char *path)
{
	if (ss_os_is_sep(path[0]) && ss_os_is_sep(path[1])) {
		/* \\server\share\ or \\?\C:\ */
		size_t i = 2;
		int parts = 0;
		while (path[i] && parts < 2) {
			while (path[i] && !ss_os_is_sep(path[i]))
				i++;
			parts++;
			if (path[i])
				i++;
		}
		if (strncmp(path + 2, "?\\", 2) == 0 && has_drive(path + 4))
			return path[6] && ss_os_is_sep(path[6]) ? 7 : 6;
		return i;
	}
	if (has_drive(path))
		return ss_os_is_sep(path[2]) ? 3 : 2;
	return ss_os_is_sep(path[0]) ? 1 : 0;
}

const char *ss_os_last_sep(const char *path)
{
	const char *last = NULL;
	for (const char *p = path; *p; p++)
		if (ss_os_is_sep(*p))
			last = p;
	return last;
}

const char *ss_os_first_sep(const char *path)
{
	for (const char *p = path; *p; p++)
		if (ss_os_is_sep(*p))
			return p;
	return NULL;
}

const char *ss_os_base_name(const char *path)
{
	size_t root = root_len(path);
	const char *sep = ss_os_last_sep(path + root);
	return sep ? sep + 1 : path + root;
}

size_t ss_os_dir_len(const char *path)
{
	size_t root = root_len(path);
	const char *sep = ss_os_last_sep(path + root);
	if (!sep)
		return root;
	return (size_t)(sep - path);
}

int ss_os_is_absolute(const char *path)
{
	/* Win32-OpenSSH's path_absolute(): "C:\x", "C:/x", and a leading
	 * separator (the current drive's root, or \\server\share). */
	return ss_os_is_sep(path[0]) || (has_drive(path) && ss_os_is_sep(path[2]));
}

void ss_os_native_seps(char *path)
{
	for (; *path; path++)
		if (*path == '/')
			*path = '\\';
}
