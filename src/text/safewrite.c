/* Replacing a file atomically: temp file, fsync, rename, fsync directory. */
#define _GNU_SOURCE
#include "sshsync/safewrite.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sshsync/buf.h"

/* The real file behind the path (following symbolic links), which is what
 * gets replaced; for a file still to be created, its real directory. */
static char *real_target(const ss_text *orig, ss_diag *d)
{
	char *real = realpath(orig->path, NULL);
	if (real)
		return real;
	if (errno != ENOENT || orig->id.known) {
		ss_diag_errno(d, orig->path, "cannot resolve");
		return NULL;
	}
	char *copy1 = ss_strdup(orig->path), *copy2 = ss_strdup(orig->path);
	char *dir = NULL, *out = NULL;
	if (copy1 && copy2) {
		dir = realpath(dirname(copy1), NULL);
		if (!dir)
			ss_diag_errno(d, orig->path, "cannot resolve the directory of");
		else if (!(out = ss_asprintf("%s/%s", dir, basename(copy2))))
			ss_diag_oom(d);
	} else {
		ss_diag_oom(d);
	}
	free(dir);
	free(copy1);
	free(copy2);
	return out;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return ss_strdup(".");
	if (slash == path)
		return ss_strdup("/");
	return ss_strndup(path, (size_t)(slash - path));
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* FNV-1a of a whole file, read in chunks (never a second copy in memory). */
static int hash_fd(int fd, uint64_t *hash, off_t *size)
{
	enum { CHUNK = 1 << 16 };
	unsigned char *buf = malloc(CHUNK);
	if (!buf)
		return -1;
	uint64_t h = SS_HASH_INIT;
	off_t total = 0;
	for (;;) {
		/* Whole chunks only: the hash is cut at multiples of 8. */
		size_t got = 0;
		ssize_t n = 1;
		while (got < CHUNK && n > 0) {
			n = read(fd, buf + got, CHUNK - got);
			if (n < 0 && errno == EINTR)
				n = 1;
			else if (n > 0)
				got += (size_t)n;
		}
		h = ss_hash_update(h, buf, got);
		total += (off_t)got;
		if (n <= 0) {
			free(buf);
			*hash = h;
			*size = total;
			return n < 0 ? -1 : 0;
		}
	}
}

/* Refuses when the file is not what was read (or exists when it should not). */
static int check_unchanged(const ss_text *orig, const char *real, struct stat *st, ss_diag *d)
{
	int fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !orig->id.known)
			return 0;
		return ss_diag_errno(d, orig->path, "cannot open");
	}
	if (!orig->id.known) {
		close(fd);
		return ss_diag_set(d, orig->path, 0, 0,
				   "appeared while sshsync was working; nothing written");
	}
	uint64_t hash = 0;
	off_t size = 0;
	int r = fstat(fd, st) < 0 ? -1 : hash_fd(fd, &hash, &size);
	close(fd);
	if (r < 0)
		return ss_diag_errno(d, orig->path, "cannot read again");
	if (size != orig->id.size || hash != orig->id.hash)
		return ss_diag_set(d, orig->path, 0, 0,
				   "changed since sshsync read it; nothing written (run again)");
	return 0;
}

static int check_writable(const ss_text *orig, const char *real, const struct stat *st, ss_diag *d)
{
	char *dir = dir_of(real);
	if (!dir)
		return ss_diag_oom(d);
	int r = 0;
	if (orig->id.known && (access(real, W_OK) < 0 || !(st->st_mode & S_IWUSR)))
		r = ss_diag_set(d, orig->path, 0, 0,
				"is read-only; make it writable (or run as its owner) to apply");
	else if (access(dir, W_OK | X_OK) < 0)
		r = ss_diag_set(d, orig->path, 0, 0,
				"cannot be replaced: directory %s is not writable%s", dir,
				geteuid() ? " (run with the rights to write it, e.g. sudo)" : "");
	free(dir);
	return r;
}

int ss_safe_write_check(const ss_text *orig, ss_diag *d)
{
	char *real = real_target(orig, d);
	if (!real)
		return -1;
	struct stat st;
	memset(&st, 0, sizeof(st));
	int r = check_unchanged(orig, real, &st, d);
	if (r == 0)
		r = check_writable(orig, real, &st, d);
	free(real);
	return r;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = fsync(fd);
	close(fd);
	return r;
}

/* Writes bytes to a new temporary file beside `real`; returns its name. */
static char *write_temp(const char *real, const void *bytes, size_t len, const struct stat *st,
			int have_st, const char *display, ss_diag *d)
{
	char *tmp = ss_asprintf("%s.sshsync-XXXXXX", real);
	if (!tmp) {
		ss_diag_oom(d);
		return NULL;
	}
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ss_diag_errno(d, display, "cannot create a temporary file beside");
		free(tmp);
		return NULL;
	}
	int ok = write_all(fd, bytes, len) == 0;
	const char *what = "cannot write a temporary file for";
	if (ok && have_st) {
		struct stat now;
		ok = fchmod(fd, st->st_mode & 07777) == 0 && fstat(fd, &now) == 0;
		what = "cannot keep the mode of";
		if (ok && (now.st_uid != st->st_uid || now.st_gid != st->st_gid)) {
			ok = fchown(fd, st->st_uid, st->st_gid) == 0;
			what = "cannot keep the owner of";
		}
	}
	if (ok && !have_st) {
		/* A new file gets the usual mode, not mkstemp's 0600. */
		mode_t mask = umask(0);
		umask(mask);
		ok = fchmod(fd, 0666 & ~mask) == 0;
		what = "cannot set the mode of";
	}
	if (ok) {
		ok = fsync(fd) == 0;
		what = "cannot fsync a temporary file for";
	}
	if (close(fd) < 0 && ok) {
		ok = 0;
		what = "cannot close a temporary file for";
	}
	if (!ok) {
		ss_diag_errno(d, display, "%s", what);
		unlink(tmp);
		free(tmp);
		return NULL;
	}
	return tmp;
}

char *ss_backup_path(const char *path, const char *backup_dir)
{
	if (!backup_dir)
		return ss_asprintf("%s%s", path, SS_BACKUP_SUFFIX);
	const char *slash = strrchr(path, '/');
	return ss_asprintf("%s/%s", backup_dir, slash ? slash + 1 : path);
}

/* Keeps the current file as its backup (a hard link when possible). */
static int make_backup(const ss_text *orig, const char *real, const struct stat *st,
		       const char *backup_dir, ss_diag *d)
{
	if (backup_dir && mkdir(backup_dir, 0700) < 0 && errno != EEXIST)
		return ss_diag_errno(d, orig->path, "cannot make the backup directory %s for",
				     backup_dir);
	char *bak = ss_backup_path(real, backup_dir);
	if (!bak)
		return ss_diag_oom(d);
	int r = 0;
	if (unlink(bak) < 0 && errno != ENOENT) {
		r = ss_diag_errno(d, orig->path, "cannot replace the old backup of");
	} else if (link(real, bak) < 0) {
		/* No hard links here: copy the bytes that were read instead. */
		ss_buf bytes = SS_BUF_INIT;
		r = ss_text_encode(orig, orig->data, orig->len, &bytes, d);
		char *tmp =
		    r ? NULL : write_temp(real, bytes.data, bytes.len, st, 1, orig->path, d);
		if (!tmp)
			r = -1;
		else if (rename(tmp, bak) < 0) {
			r = ss_diag_errno(d, orig->path, "cannot keep a backup of");
			unlink(tmp);
		}
		free(tmp);
		ss_buf_release(&bytes);
	}
	free(bak);
	return r;
}

int ss_safe_write(const ss_text *orig, const void *bytes, size_t len, const ss_write_opts *opts,
		  ss_diag *d)
{
	char *real = real_target(orig, d);
	if (!real)
		return -1;
	struct stat st;
	memset(&st, 0, sizeof(st));
	char *tmp = NULL, *dir = NULL;
	int r = check_unchanged(orig, real, &st, d);
	if (r == 0)
		r = check_writable(orig, real, &st, d);
	if (r == 0 && !(tmp = write_temp(real, bytes, len, &st, orig->id.known, orig->path, d)))
		r = -1;
	if (r == 0 && orig->id.known && opts && opts->backup)
		r = make_backup(orig, real, &st, opts->backup_dir, d);
	if (r == 0 && rename(tmp, real) < 0)
		r = ss_diag_errno(d, orig->path, "cannot replace");
	if (r < 0 && tmp)
		unlink(tmp);
	if (r == 0) {
		dir = dir_of(real);
		if (!dir)
			r = ss_diag_oom(d);
		else if (fsync_dir(dir) < 0)
			r = ss_diag_errno(d, orig->path,
					  "written, but cannot fsync the directory of");
	}
	free(dir);
	free(tmp);
	free(real);
	return r;
}
