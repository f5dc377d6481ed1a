/* Is a wineserver running for a Wine prefix? (POSIX; see os_wine.h) */
#include "sshsync/os_wine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sshsync/buf.h"

/* 1 when a process holds the server lock in `dir`, 0 when none does or
 * there is no such directory, -1 on an error. */
static int lock_held(const char *dir)
{
	char *lock = ss_asprintf("%s/lock", dir);
	if (!lock)
		return -1;
	int fd = open(lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	free(lock);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? 0 : -1;
	struct flock fl;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = 0;
	fl.l_len = 1;
	int r = fcntl(fd, F_GETLK, &fl);
	int err = errno;
	close(fd);
	if (r == 0)
		return fl.l_type != F_UNLCK;
	if (err != ENOLCK && err != EINVAL) {
		errno = err;
		return -1;
	}
	/* No locks on this file system: wineserver uses its socket as the lock. */
	char *sock = ss_asprintf("%s/socket", dir);
	if (!sock)
		return -1;
	struct stat st;
	r = lstat(sock, &st) == 0 && S_ISSOCK(st.st_mode);
	free(sock);
	return r;
}

/* The name Debian's wine keeps in PREFIX/wineserver ("wine-XXXXXX"), or
 * NULL when there is none. */
static char *debian_dir_name(const char *prefix)
{
	char *path = ss_asprintf("%s/wineserver", prefix);
	if (!path)
		return NULL;
	FILE *f = fopen(path, "rb");
	free(path);
	if (!f)
		return NULL;
	char buf[256];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	/* One path component, as mkdtemp made it. */
	if (!buf[0] || strchr(buf, '/') || strcmp(buf, ".") == 0 || strcmp(buf, "..") == 0)
		return NULL;
	return ss_strdup(buf);
}

static int check_dir(char *dir, char **evidence)
{
	if (!dir)
		return -1;
	int r = lock_held(dir);
	if (r == 1 && evidence)
		*evidence = ss_asprintf("%s/lock", dir);
	free(dir);
	return r;
}

/* Linux: a wineserver's working directory is its server directory. */
static int by_cwd(const char *leaf, char **evidence)
{
	DIR *proc = opendir("/proc");
	if (!proc)
		return 0;
	size_t ll = strlen(leaf);
	int found = 0;
	struct dirent *e;
	while (!found && (e = readdir(proc))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		char link[64], target[4096];
		snprintf(link, sizeof(link), "/proc/%.20s/cwd", e->d_name);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if ((size_t)n > ll && target[n - (ssize_t)ll - 1] == '/' &&
		    strcmp(target + n - ll, leaf) == 0) {
			found = 1;
			if (evidence)
				*evidence =
				    ss_asprintf("process %s works in %s", e->d_name, target);
		}
	}
	closedir(proc);
	return found;
}

int ss_os_wineserver_running(const char *prefix, char **evidence)
{
	if (evidence)
		*evidence = NULL;
	struct stat st;
	if (stat(prefix, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	char leaf[64];
	snprintf(leaf, sizeof(leaf), "server-%llx-%llx", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	int r = check_dir(ss_asprintf("/tmp/.wine-%u/%s", (unsigned)getuid(), leaf), evidence);
	char *name = r == 0 ? debian_dir_name(prefix) : NULL;
	if (name) {
		const char *tmpdir = getenv("TMPDIR");
		if (tmpdir && *tmpdir && strcmp(tmpdir, "/tmp") != 0)
			r = check_dir(ss_asprintf("%s/%s/%s", tmpdir, name, leaf), evidence);
		if (r == 0)
			r = check_dir(ss_asprintf("/tmp/%s/%s", name, leaf), evidence);
		free(name);
	}
	if (r == 0)
		r = by_cwd(leaf, evidence);
	return r;
}
