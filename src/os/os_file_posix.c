/* POSIX (Linux) file operations: directory descriptors, locks, metadata,
 * atomic replacement. See include/sshsync/os_file.h. */
#define _GNU_SOURCE
#include "sshsync/os_file.h"
#include "os_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <glob.h>
#include <pwd.h>

static void from_stat(const struct stat *in, ss_stat *out)
{
	memset(out, 0, sizeof(*out));
	out->st_dev = (uint64_t)in->st_dev;
	out->st_ino = (uint64_t)in->st_ino;
	out->st_mode = (uint32_t)in->st_mode;
	out->st_nlink = (uint64_t)in->st_nlink;
	out->st_uid = (ss_os_id)in->st_uid;
	out->st_gid = (ss_os_id)in->st_gid;
	out->st_size = (int64_t)in->st_size;
	out->mtime_ns = (int64_t)in->st_mtim.tv_sec * 1000000000 + in->st_mtim.tv_nsec;
	out->ctime_ns = (int64_t)in->st_ctim.tv_sec * 1000000000 + in->st_ctim.tv_nsec;
}

static int stat_with(int r, const struct stat *in, ss_stat *out)
{
	if (r == 0)
		from_stat(in, out);
	return r;
}

int ss_os_stat(const char *path, ss_stat *st)
{
	struct stat s;
	return stat_with(stat(path, &s), &s, st);
}

int ss_os_fstat(int fd, ss_stat *st)
{
	struct stat s;
	return stat_with(fstat(fd, &s), &s, st);
}

int ss_os_open_dir(const char *path, int *fd)
{
	*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return *fd < 0 ? -1 : 0;
}

static int side_dir_acceptable(const struct stat *st, ss_os_id uid)
{
	if (!S_ISDIR(st->st_mode)) {
		errno = ENOTDIR;
		return 0;
	}
	if ((st->st_uid != uid && st->st_uid != 0) || (st->st_mode & 022)) {
		errno = EPERM;
		return 0;
	}
	return 1;
}

int ss_os_open_side_dir(int parent, const char *name, ss_os_id uid, ss_os_id gid, int create,
			int *fd, int *created)
{
	*fd = -1;
	*created = 0;
	if (create) {
		if (mkdirat(parent, name, 0700) == 0)
			*created = 1;
		else if (errno != EEXIST)
			return -1;
	}
	int f = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (f < 0) {
		if (errno == ENOTDIR) {
			/* A symbolic link to a directory is refused as a link. */
			struct stat lst;
			if (fstatat(parent, name, &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(lst.st_mode))
				errno = ELOOP;
		}
		return -1;
	}
	struct stat st;
	int ok = fstat(f, &st) == 0;
	if (ok && *created && (st.st_uid != uid || st.st_gid != gid))
		ok = fchown(f, uid, gid) == 0;
	else if (ok && !*created)
		ok = side_dir_acceptable(&st, uid);
	if (!ok) {
		int e = errno;
		close(f);
		if (*created)
			unlinkat(parent, name, AT_REMOVEDIR);
		*created = 0;
		errno = e;
		return -1;
	}
	*fd = f;
	return 0;
}

static int flock_retry(int fd, int op)
{
	int r;
	do
		r = flock(fd, op);
	while (r < 0 && errno == EINTR);
	return r;
}

static int same_file(const ss_stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* One attempt: 1 locked the file the name refers to, 0 try again. */
int ss_os_lock_once(int dir, const char *name, int *fd, ss_stat *st)
{
	int f = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (f < 0)
		return errno == ENOENT ? 1 : -1;
	struct stat now;
	int r = ss_os_fstat(f, st);
	if (r == 0 && !S_ISREG(st->st_mode)) {
		errno = EINVAL;
		r = -1;
	}
	if (r == 0)
		r = flock_retry(f, LOCK_EX);
	if (r == 0 && fstatat(dir, name, &now, AT_SYMLINK_NOFOLLOW) < 0)
		r = errno == ENOENT ? 0 : -1;
	else if (r == 0)
		r = same_file(st, &now) ? 1 : 0;
	if (r == 1) {
		*fd = f;
		return 1;
	}
	int e = errno;
	ss_os_close(f);
	errno = e;
	return r;
}

int ss_os_release_for_replace(int *fd)
{
	(void)fd; /* the flock stays with the open file until it is closed */
	return 0;
}

int ss_os_lock_dir(int dir)
{
	return flock_retry(dir, LOCK_EX);
}

int ss_os_locks_are_per_thread(void)
{
	return 0;
}

/* Reads until `len` bytes or the end: at `offset` (pread), or where the
 * file is when offset < 0. */
static ssize_t read_loop(int fd, void *buf, size_t len, int64_t offset)
{
	size_t got = 0;
	while (got < len) {
		char *to = (char *)buf + got;
		ssize_t n = offset < 0 ? read(fd, to, len - got)
				       : pread(fd, to, len - got, (off_t)(offset + (int64_t)got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

ssize_t ss_os_read_full(int fd, void *buf, size_t len)
{
	return read_loop(fd, buf, len, -1);
}

ssize_t ss_os_pread_full(int fd, void *buf, size_t len, uint64_t offset)
{
	if (offset > (uint64_t)INT64_MAX) {
		errno = EINVAL;
		return -1;
	}
	return read_loop(fd, buf, len, (int64_t)offset);
}

void ss_os_random_suffix(char *out)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char raw[SS_OS_TEMP_RANDOM];
	if (getrandom(raw, sizeof(raw), GRND_NONBLOCK) != (ssize_t)sizeof(raw)) {
		/* No entropy yet: the clock and the process are unique enough,
		 * O_EXCL catches the rest. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned long v = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16);
		for (size_t i = 0; i < sizeof(raw); i++, v >>= 5)
			raw[i] = (unsigned char)(v + i * 7);
	}
	for (size_t i = 0; i < SS_OS_TEMP_RANDOM; i++)
		out[i] = alphabet[raw[i] % (sizeof(alphabet) - 1)];
	out[SS_OS_TEMP_RANDOM] = '\0';
}

int ss_os_create_temp(int dir, const char *name, int *fd, char **tmpname)
{
	*fd = -1;
	*tmpname = NULL;
	char *prefix = ss_os_temp_prefix(name);
	if (!prefix) {
		errno = ENOMEM;
		return -1;
	}
	for (int tries = 0; tries < 100; tries++) {
		char suffix[SS_OS_TEMP_RANDOM + 1];
		ss_os_random_suffix(suffix);
		size_t size = strlen(prefix) + sizeof(suffix);
		char *tmp = malloc(size);
		if (tmp)
			snprintf(tmp, size, "%s%s", prefix, suffix);
		if (!tmp) {
			free(prefix);
			errno = ENOMEM;
			return -1;
		}
		int f =
		    openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (f >= 0 && flock_retry(f, LOCK_EX | LOCK_NB) == 0) {
			free(prefix);
			*fd = f;
			*tmpname = tmp;
			return 0;
		}
		int e = errno;
		if (f >= 0) {
			unlinkat(dir, tmp, 0);
			ss_os_close(f);
		}
		free(tmp);
		if (f < 0 && e != EEXIST) {
			free(prefix);
			errno = e;
			return -1;
		}
	}
	free(prefix);
	errno = EEXIST;
	return -1;
}

int ss_os_remove_unheld_temp(int dir, const char *entry)
{
	int f = openat(dir, entry, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (f < 0)
		return 0;
	struct stat st;
	int removed = 0;
	if (fstat(f, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_uid == geteuid() || geteuid() == 0) && flock_retry(f, LOCK_EX | LOCK_NB) == 0)
		removed = unlinkat(dir, entry, 0) == 0;
	ss_os_close(f);
	return removed;
}

int ss_os_list_temps(int dir, ss_os_paths *out)
{
	*out = (ss_os_paths){NULL, 0};
	int f = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dp = f >= 0 ? fdopendir(f) : NULL;
	if (!dp) {
		if (f >= 0)
			close(f);
		return -1;
	}
	size_t cap = 0;
	int r = 0;
	struct dirent *de;
	while (r == 0 && (errno = 0, de = readdir(dp)))
		if (ss_os_is_temp(de->d_name))
			r = ss_os_paths_push(out, &cap, de->d_name);
	if (r == 0 && errno)
		r = -1;
	int e = errno;
	closedir(dp);
	if (r < 0) {
		ss_os_paths_free(out);
		errno = e;
	}
	return r;
}

int ss_os_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		/* Moderate chunks: a short write or an error comes early. */
		size_t chunk = len > (1u << 20) ? (1u << 20) : len;
		ssize_t n = write(fd, p, chunk);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A growable byte array for attribute names and values. */
typedef struct xbuf {
	char *data;
	size_t cap;
	size_t len;
} xbuf;

static int xbuf_fit(xbuf *b, size_t n)
{
	if (n <= b->cap)
		return 0;
	char *p = realloc(b->data, n);
	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	b->data = p;
	b->cap = n;
	return 0;
}

/* Reads one extended attribute into *b: 0, or -1 (ENODATA: none). */
static int get_xattr(int fd, const char *name, xbuf *b)
{
	for (;;) {
		ssize_t n = fgetxattr(fd, name, NULL, 0);
		if (n < 0 || xbuf_fit(b, (size_t)n + 1) < 0)
			return -1;
		ssize_t got = fgetxattr(fd, name, b->data, (size_t)n + 1);
		if (got >= 0) {
			b->len = (size_t)got;
			return 0;
		}
		if (errno != ERANGE)
			return -1;
	}
}

static int copy_one_xattr(int from, int to, const char *name, xbuf *a, xbuf *b)
{
	if (get_xattr(from, name, a) < 0)
		return errno == ENODATA ? 0 : -1;
	if (get_xattr(to, name, b) == 0 && a->len == b->len &&
	    memcmp(a->data, b->data, a->len) == 0)
		return 0; /* the new file has it already (an inherited ACL, a label) */
	return fsetxattr(to, name, a->data, a->len, 0);
}

static int list_xattrs(int fd, xbuf *names)
{
	for (;;) {
		ssize_t n = flistxattr(fd, NULL, 0);
		if (n < 0)
			return (errno == ENOTSUP) ? 0 : -1;
		if (xbuf_fit(names, (size_t)n + 1) < 0)
			return -1;
		ssize_t got = flistxattr(fd, names->data, (size_t)n + 1);
		if (got >= 0) {
			names->len = (size_t)got;
			return 0;
		}
		if (errno != ERANGE)
			return -1;
	}
}

static int copy_xattrs(int from, int to)
{
	static const char acl[] = "system.posix_acl_access";
	xbuf names = {NULL, 0, 0}, a = {NULL, 0, 0}, b = {NULL, 0, 0};
	int r = list_xattrs(from, &names), has_acl = 0;
	for (size_t off = 0; r == 0 && off < names.len; off += strlen(names.data + off) + 1) {
		const char *name = names.data + off;
		if (strcmp(name, acl) == 0)
			has_acl = 1; /* last: it sets the group class */
		else
			r = copy_one_xattr(from, to, name, &a, &b);
	}
	if (r == 0 && has_acl)
		r = copy_one_xattr(from, to, acl, &a, &b);
	int e = errno;
	free(names.data);
	free(a.data);
	free(b.data);
	errno = e;
	return r;
}

int ss_os_copy_metadata(int from, const ss_stat *st, int to, const char **what)
{
	struct stat now;
	*what = "cannot read the metadata of the new file for";
	if (fstat(to, &now) < 0)
		return -1;
	*what = "cannot keep the owner of";
	if ((now.st_uid != st->st_uid || now.st_gid != st->st_gid) &&
	    fchown(to, st->st_uid, st->st_gid) < 0)
		return -1;
	*what = "cannot keep the mode of";
	if (fchmod(to, st->st_mode & 07777) < 0)
		return -1;
	*what = "cannot keep the extended attributes (ACLs) of";
	return copy_xattrs(from, to);
}

int ss_os_set_new_file_mode(int fd)
{
	mode_t mask = umask(0);
	umask(mask);
	return fchmod(fd, 0666 & ~mask);
}

int ss_os_set_private_file_mode(int fd)
{
	return fchmod(fd, 0600);
}

int ss_os_link_if_absent(int from_dir, const char *from, int to_dir, const char *to, int *existed)
{
	*existed = 0;
	if (linkat(from_dir, from, to_dir, to, 0) == 0)
		return 0;
	if (errno == EEXIST) {
		*existed = 1;
		return 0;
	}
	return -1;
}

/* Without renameat2: a hard link fails atomically when `to` exists. */
static int rename_noreplace_fallback(int from_dir, const char *from, int to_dir, const char *to)
{
	if (linkat(from_dir, from, to_dir, to, 0) == 0)
		return unlinkat(from_dir, from, 0) < 0 && errno != ENOENT ? -1 : 0;
	if (errno == EEXIST)
		return -1;
	/* No hard links either: the caller holds the directory's lock. */
	struct stat st;
	if (fstatat(to_dir, to, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		errno = EEXIST;
		return -1;
	}
	return renameat(from_dir, from, to_dir, to);
}

int ss_os_rename(int from_dir, const char *from, int to_dir, const char *to, int noreplace)
{
	if (!noreplace)
		return renameat(from_dir, from, to_dir, to);
	if (renameat2(from_dir, from, to_dir, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	return rename_noreplace_fallback(from_dir, from, to_dir, to);
}

int ss_os_unlink(int dir, const char *name)
{
	return unlinkat(dir, name, 0);
}

int ss_os_rmdir(int dir, const char *name)
{
	return unlinkat(dir, name, AT_REMOVEDIR);
}

int ss_os_fsync(int fd)
{
	return fsync(fd);
}

void ss_os_start_writeback(int fd)
{
#if defined(__linux__)
	/* Only starts the writes: an error shows at the fsync. */
	(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
#endif
}

void ss_os_start_writeback_range(int fd, int64_t off, int64_t len)
{
#if defined(__linux__)
	(void)sync_file_range(fd, (off_t)off, (off_t)len, SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
	(void)off;
	(void)len;
#endif
}

int ss_os_exists(int dir, const char *name)
{
	struct stat st;
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

int ss_os_lstat(const char *path, ss_stat *st)
{
	struct stat s;
	return stat_with(lstat(path, &s), &s, st);
}

int ss_os_path_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

int ss_os_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int ss_os_stat_at(int dir, const char *name, ss_stat *st)
{
	struct stat s;
	return stat_with(fstatat(dir, name, &s, AT_SYMLINK_NOFOLLOW), &s, st);
}

int ss_os_can_write(int dir, const char *name)
{
	return faccessat(dir, name, W_OK | (strcmp(name, ".") == 0 ? X_OK : 0), AT_EACCESS);
}

int ss_os_close(int fd)
{
	if (fd < 0)
		return 0;
	/* Unlocked first: should close() fail and leave the descriptor open,
	 * its lock must not block this process's next write of the file. */
	flock(fd, LOCK_UN);
	return close(fd);
}

int ss_os_open_append_locked(const char *path, int *fd)
{
	*fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd < 0)
		return -1;
	if (flock_retry(*fd, LOCK_EX) < 0) {
		int e = errno;
		close(*fd);
		*fd = -1;
		errno = e;
		return -1;
	}
	return 0;
}

int ss_os_ends_in_newline(int fd)
{
	struct stat st;
	char c;
	if (fstat(fd, &st) < 0)
		return -1;
	if (st.st_size == 0)
		return 1;
	if (pread(fd, &c, 1, st.st_size - 1) != 1)
		return -1;
	return c == '\n';
}

int ss_os_open_read(int dir, const char *name, int *fd)
{
	*fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	return *fd < 0 ? -1 : 0;
}

/* A directory read whole when glob opens it, so that an error while
 * reading it (which glob(3) takes for its end) fails the open instead. */
typedef struct whole_dir {
	struct dirent *v;
	size_t n, next;
} whole_dir;

static void whole_dir_close(void *h)
{
	whole_dir *w = h;
	if (w)
		free(w->v);
	free(w);
}

static void *whole_dir_open(const char *path)
{
	DIR *dp = opendir(path);
	whole_dir *w = dp ? calloc(1, sizeof(*w)) : NULL;
	int e = dp ? ENOMEM : errno;
	size_t cap = 0;
	struct dirent *de = NULL;
	while (w && (errno = 0, de = readdir(dp))) {
		if (w->n == cap) {
			cap = cap ? cap * 2 : 16;
			struct dirent *v = realloc(w->v, cap * sizeof(*v));
			if (!v)
				break;
			w->v = v;
		}
		memcpy(&w->v[w->n++], de, sizeof(*de));
	}
	if (w && (de || errno)) {
		e = de ? ENOMEM : errno;
		whole_dir_close(w);
		w = NULL;
	}
	if (dp)
		closedir(dp);
	if (!w)
		errno = e;
	return w;
}

static struct dirent *whole_dir_read(void *h)
{
	whole_dir *w = h;
	return w->next < w->n ? &w->v[w->next++] : NULL;
}

static int glob_whole(const char *pattern, int flags, glob_t *gl)
{
	gl->gl_opendir = whole_dir_open;
	gl->gl_readdir = whole_dir_read;
	gl->gl_closedir = whole_dir_close;
	gl->gl_lstat = lstat;
	gl->gl_stat = stat;
	return glob(pattern, flags | GLOB_ALTDIRFUNC, NULL, gl);
}

/* Moves glob's matches into *out: 0, or -1 (ENOMEM). */
static int take_matches(glob_t *gl, ss_os_paths *out)
{
	int r = 0;
	if (gl->gl_pathc) {
		out->v = calloc(gl->gl_pathc, sizeof(*out->v));
		r = out->v ? 0 : -1;
	}
	for (size_t i = 0; r == 0 && i < gl->gl_pathc; i++) {
		if (!(out->v[i] = strdup(gl->gl_pathv[i])))
			r = -1;
		else
			out->n++;
	}
	globfree(gl);
	if (r < 0) {
		ss_os_paths_free(out);
		errno = ENOMEM;
	}
	return r;
}

static int glob_result(int r, glob_t *gl, ss_os_paths *out)
{
	if (r == GLOB_NOMATCH) {
		globfree(gl);
		return SS_OS_GLOB_NOMATCH;
	}
	if (r != 0) {
		int e = errno ? errno : ENOMEM;
		globfree(gl);
		errno = e;
		return -1;
	}
	return take_matches(gl, out);
}

int ss_os_glob(const char *pattern, int flags, ss_os_paths *out)
{
	out->v = NULL;
	out->n = 0;
	glob_t gl;
	memset(&gl, 0, sizeof(gl));
	int gflags = flags & SS_OS_GLOB_TILDE ? GLOB_TILDE : 0;
	if (flags & SS_OS_GLOB_LENIENT) {
		errno = 0;
		int r = glob(pattern, gflags, NULL, &gl);
		if (r == GLOB_ABORTED)
			r = GLOB_NOMATCH;
		if (r != 0 && r != GLOB_NOMATCH)
			errno = ENOMEM;
		return glob_result(r, &gl, out);
	}
	errno = 0;
	int r = glob_whole(pattern, gflags | GLOB_ERR, &gl);
	if (r != GLOB_ABORTED)
		return glob_result(r, &gl, out);
	int e = errno;
	globfree(&gl);
	memset(&gl, 0, sizeof(gl));
	if (e != ENOENT && e != ENOTDIR) {
		errno = e ? e : EIO;
		return -1;
	}
	/* A directory that is not there matches nothing; the rest may. */
	errno = 0;
	r = glob_whole(pattern, gflags, &gl);
	return glob_result(r, &gl, out);
}

int ss_os_list_dir(const char *path, ss_os_paths *names, ss_stat *self)
{
	names->v = NULL;
	names->n = 0;
	DIR *dp = opendir(path);
	if (!dp)
		return -1;
	int r = 0;
	size_t cap = 0;
	if (self && ss_os_fstat(dirfd(dp), self) < 0)
		r = -1;
	struct dirent *de;
	while (r == 0 && (errno = 0, de = readdir(dp))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = ss_os_paths_push(names, &cap, de->d_name);
	}
	if (r == 0 && errno)
		r = -1;
	int e = errno;
	closedir(dp);
	if (r < 0) {
		ss_os_paths_free(names);
		errno = e;
	}
	return r;
}

int ss_os_open_path_read(const char *path, int *fd)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; a regular
	 * file reads the same either way. */
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	return *fd < 0 ? -1 : 0;
}

char *ss_os_realpath(const char *path)
{
	return realpath(path, NULL);
}

int ss_os_can_read(const char *path)
{
	return access(path, R_OK);
}

int ss_os_can_exec(const char *path)
{
	return access(path, X_OK);
}

char *ss_os_make_temp_dir(const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	size_t n = strlen(tmp) + strlen(prefix) + 9;
	char *dir = malloc(n);
	if (!dir) {
		errno = ENOMEM;
		return NULL;
	}
	snprintf(dir, n, "%s/%s-XXXXXX", tmp, prefix);
	if (!mkdtemp(dir)) {
		int e = errno;
		free(dir);
		errno = e;
		return NULL;
	}
	return dir;
}

int ss_os_write_new_file(const char *path, const void *data, size_t len, unsigned mode,
			 int chown_it, ss_os_id uid, ss_os_id gid)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	int ok = ss_os_write_all(fd, data, len) == 0;
	if (ok && chown_it)
		ok = fchown(fd, (uid_t)uid, (gid_t)gid) == 0;
	if (ok)
		ok = fchmod(fd, (mode_t)mode) == 0; /* whatever the umask */
	int e = errno;
	if (close(fd) < 0 && ok) {
		e = errno;
		ok = 0;
	}
	errno = e;
	return ok ? 0 : -1;
}

int ss_os_chown(const char *path, ss_os_id uid, ss_os_id gid)
{
	return chown(path, (uid_t)uid, (gid_t)gid);
}

int ss_os_remove_file(const char *path)
{
	return unlink(path);
}

int ss_os_remove_dir(const char *path)
{
	return rmdir(path);
}

int ss_os_mkdir_p(const char *path)
{
	if (!*path) {
		errno = ENOENT;
		return -1;
	}
	char *p = strdup(path);
	if (!p) {
		errno = ENOMEM;
		return -1;
	}
	int r = 0;
	for (char *s = p + 1; r == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			r = -1;
		*s = c;
		if (!c)
			break;
	}
	if (r == 0) {
		struct stat st;
		if (stat(path, &st) < 0)
			r = -1;
		else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			r = -1;
		}
	}
	int e = errno;
	free(p);
	errno = e;
	return r;
}

static int64_t timespec_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + (int64_t)ts->tv_nsec;
}

void ss_os_stat_times(const ss_stat *st, int64_t *mtime_ns, int64_t *ctime_ns)
{
	*mtime_ns = st->mtime_ns;
	*ctime_ns = st->ctime_ns;
}

int64_t ss_os_now_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return 0;
	return timespec_ns(&ts);
}
