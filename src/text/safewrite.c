/* Replacing a file atomically: lock, temporary file, fsync, metadata,
 * backup, last check, rename, fsync of the directory. The platform's part
 * is in src/os/ (include/sshsync/os_file.h). */
#include "sshsync/safewrite.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sshsync/buf.h"
#include "sshsync/os_file.h"
#include "sshsync/os_path.h"
#include "sshsync/os_sys.h"
#include "sshsync/os_user.h"

/* The locked file's bytes as read again for the last check (see
 * reread_start): the part from `from` on by a second thread, the part
 * before it by the first. */
typedef struct reread {
	int fd;
	uint64_t from;	      /* a block's start of the content hash */
	ss_content_hash part; /* the second thread's */
	int64_t part_size;
	int part_ok;
	uint64_t hash; /* of the whole */
	int64_t size;
	int ok;	  /* hash and size are the file's */
	int done; /* two threads read them */
} reread;

/* One write in progress. */
typedef struct wctx {
	const ss_text *orig;
	const ss_write_opts *opts; /* &own_opts once prepared (outlives the caller's) */
	ss_write_opts own_opts;
	const ss_sink *observe;	     /* sees the new bytes as they are written, or NULL */
	const ss_producer *producer; /* makes the new bytes (NULL: the source does) */
	int no_hash;		     /* SS_SAFE_NO_HASH: `hash` is not computed */
	ss_diag *d;
	char *real, *dir, *name; /* the real file: its directory and name */
	int dirfd, lockfd;	 /* lockfd: the locked file (-1 for a new file) */
	ss_stat st;		 /* of the locked file (or of dirfd for a new one) */
	char *side_parent, *side_name;
	int sidefd, side_created;
	int keep_side; /* a side directory this write made stays (ss_safe_replace_shared) */
	int tmpdir;    /* sidefd or dirfd: where the temporary file is */
	char *tmpname;
	int tmpfd;
	ss_stat tmpst;
	int64_t write_ns;     /* the clock when the temporary file was begun */
	size_t written;	      /* its length */
	size_t flushed;	      /* the bytes before this on their way to the disk */
	ss_content_hash hash; /* and hash */
	int64_t link_ctime;   /* the file's ctime after our last link (0: none) */
	char *bakname;	      /* in bakdir */
	int bakdir;
	int backed_up; /* a backup was made by this write */
	int synced;    /* the temporary file is on disk (ss_safe_sync) */
	reread again;  /* the locked file's bytes, read while the temporary file was synced */
	/* ss_keep_link: its folders, the link's name there until it is
	 * named, and the name */
	int keep_temps, keep_dir;
	char *keep_tmp, *keep_name;
} wctx;

/* The real file behind the path (following symbolic links), which is what
 * gets replaced; for a file still to be created, its real directory. */
static char *real_target(const ss_text *orig, ss_diag *d)
{
	char *real = ss_os_realpath(orig->path);
	if (real)
		return real;
	if (errno != ENOENT || orig->id.known) {
		ss_diag_errno(d, orig->path, "cannot resolve");
		return NULL;
	}
	size_t dlen = ss_os_dir_len(orig->path);
	char *copy = dlen ? ss_strndup(orig->path, dlen) : ss_strdup(".");
	char *dir = NULL, *out = NULL;
	if (copy) {
		dir = ss_os_realpath(copy);
		if (!dir)
			ss_diag_errno(d, orig->path, "cannot resolve the directory of");
		else if (!(out = ss_asprintf("%s%s%s", dir,
					     ss_os_is_sep(dir[strlen(dir) - 1]) ? "" : "/",
					     ss_os_base_name(orig->path))))
			ss_diag_oom(d);
	} else {
		ss_diag_oom(d);
	}
	free(dir);
	free(copy);
	return out;
}

/* Splits "/a/b/c" into "/a/b" and "c" (both newly allocated). */
static int split_path(const char *path, char **dir, char **name)
{
	size_t dlen = ss_os_dir_len(path);
	*dir = dlen ? ss_strndup(path, dlen) : ss_strdup(".");
	*name = ss_strdup(ss_os_base_name(path));
	return *dir && *name ? 0 : -1;
}

static void wctx_init(wctx *w, const ss_text *orig, const ss_write_opts *opts, ss_diag *d)
{
	memset(w, 0, sizeof(*w));
	w->orig = orig;
	w->opts = opts;
	w->d = d;
	w->dirfd = w->lockfd = w->sidefd = w->tmpfd = -1;
	w->tmpdir = w->bakdir = -1;
	w->keep_temps = w->keep_dir = -1;
}

static void wctx_close(wctx *w)
{
	if (w->tmpname && w->tmpdir >= 0)
		ss_os_unlink(w->tmpdir, w->tmpname);
	ss_os_close(w->tmpfd);
	if (w->keep_tmp)
		ss_os_unlink(w->keep_temps, w->keep_tmp);
	ss_os_close(w->keep_temps);
	ss_os_close(w->keep_dir);
	free(w->keep_tmp);
	free(w->keep_name);
	if (w->side_created && !w->backed_up && w->side_parent && !w->keep_side) {
		/* Made for this write only: leave nothing behind. */
		int parent;
		if (ss_os_open_dir(w->side_parent, &parent) == 0) {
			ss_os_rmdir(parent, w->side_name);
			ss_os_close(parent);
		}
	}
	ss_os_close(w->sidefd);
	ss_os_close(w->lockfd);
	ss_os_close(w->dirfd);
	free(w->real);
	free(w->dir);
	free(w->name);
	free(w->side_parent);
	free(w->side_name);
	free(w->tmpname);
	free(w->bakname);
}

/* Opens the file's directory and locks the file (or, for a new file, the
 * directory), so that no other sshsync writes it meanwhile. */
static int open_and_lock(wctx *w)
{
	const ss_text *o = w->orig;
	if (!(w->real = real_target(o, w->d)))
		return -1;
	if (split_path(w->real, &w->dir, &w->name) < 0)
		return ss_diag_oom(w->d);
	if (ss_os_open_dir(w->dir, &w->dirfd) < 0)
		return ss_diag_errno(w->d, o->path, "cannot open the directory of");
	if (ss_os_lock_file(w->dirfd, w->name, &w->lockfd, &w->st) < 0) {
		if (errno == EINVAL)
			return ss_diag_set(w->d, o->path, 0, 0,
					   "is not a regular file; nothing written");
		return ss_diag_errno(w->d, o->path, "cannot open and lock");
	}
	if (w->lockfd < 0 && o->id.known)
		return ss_diag_set(w->d, o->path, 0, 0,
				   "was removed while sshsync was working; nothing written");
	if (w->lockfd >= 0 && !o->id.known)
		return ss_diag_set(w->d, o->path, 0, 0,
				   "appeared while sshsync was working; nothing written");
	if (w->lockfd < 0) {
		if (ss_os_lock_dir(w->dirfd) < 0 || ss_os_fstat(w->dirfd, &w->st) < 0)
			return ss_diag_errno(w->d, o->path, "cannot lock the directory of");
		/* A new file belongs to whoever owns its directory. */
	}
	return 0;
}

/* Hashes the open file's bytes from `from` on (read at offsets) into h,
 * up to `upto` or its end: how many there were in *size; -1 when they
 * could not be read. */
static int hash_file_part(int fd, uint64_t from, uint64_t upto, ss_content_hash *h, int64_t *size)
{
	enum { CHUNK = 1 << 16 };
	unsigned char *buf = malloc(CHUNK);
	if (!buf)
		return -1;
	int64_t total = 0;
	ssize_t n = 0;
	while (from + (uint64_t)total < upto) {
		uint64_t left = upto - from - (uint64_t)total;
		size_t want = left < CHUNK ? (size_t)left : CHUNK;
		if ((n = ss_os_pread_full(fd, buf, want, from + (uint64_t)total)) <= 0)
			break;
		ss_content_hash_update(h, buf, (size_t)n);
		total += n;
		if ((size_t)n < want)
			break;
	}
	free(buf);
	*size = total;
	return n < 0 ? -1 : 0;
}

static int hash_open_file(int fd, uint64_t *hash, int64_t *size)
{
	ss_content_hash h;
	ss_content_hash_init(&h);
	if (hash_file_part(fd, 0, UINT64_MAX, &h, size) < 0)
		return -1;
	*hash = ss_content_hash_final(&h);
	return 0;
}

static int changed_since(wctx *w)
{
	return ss_diag_set(w->d, w->orig->path, 0, 0,
			   "changed since sshsync read it; nothing written (run again)");
}

/* The open file `st` is still the one that was read: the same inode, size
 * and times (its ctime may be the one our own last link gave it: a backup, ss_keep_link), and,
 * with `bytes` when its times cannot tell (ss_file_racy), the same bytes. */
static int verify_unchanged(wctx *w, int fd, const ss_stat *st, int bytes)
{
	const ss_file_identity *id = &w->orig->id;
	int64_t mtime, ctime;
	ss_os_stat_times(st, &mtime, &ctime);
	if (st->st_dev != id->dev || st->st_ino != id->ino || st->st_size != id->size ||
	    mtime != id->mtime_ns ||
	    (ctime != id->ctime_ns && ctime != w->link_ctime && id->ctime_ns != SS_CTIME_UNKNOWN))
		return changed_since(w);
	if (!bytes || !ss_file_racy(id))
		return 0;
	uint64_t hash = 0;
	int64_t size = 0;
	/* Read by a second thread during the fsync (reread_start), before these times. */
	if (w->again.done && w->again.ok && fd == w->again.fd) {
		hash = w->again.hash;
		size = w->again.size;
	} else if (hash_open_file(fd, &hash, &size) < 0) {
		return ss_diag_errno(w->d, w->orig->path, "cannot read again");
	}
	return size != id->size || hash != id->hash ? changed_since(w) : 0;
}

/* A file with several names would be split by the rename: the other
 * names would keep the old settings. Our own backup link is no other name. */
static int same_inode(const char *path, const ss_stat *st)
{
	ss_stat bst;
	return path && ss_os_lstat(path, &bst) == 0 && bst.st_dev == st->st_dev &&
	       bst.st_ino == st->st_ino;
}

/* Whether the file's second name is one of its backups (a run killed after
 * making the backup, before the rename, leaves that), wherever apply keeps
 * them: NAME.sshsync-bak, .sshsync-bak/NAME, DIR.sshsync-bak/NAME. */
static int second_name_is_backup(wctx *w, const ss_stat *st, int bakdir)
{
	ss_stat bst;
	if (bakdir >= 0 && w->bakname && ss_os_stat_at(bakdir, w->bakname, &bst) == 0 &&
	    bst.st_dev == st->st_dev && bst.st_ino == st->st_ino)
		return 1;
	char *c[3] = {ss_asprintf("%s%s", w->real, SS_BACKUP_SUFFIX),
		      ss_asprintf("%s/%s/%s", w->dir, SS_HIDDEN_BACKUP_DIR, w->name),
		      ss_asprintf("%s%s/%s", w->dir, SS_BACKUP_SUFFIX, w->name)};
	int ours = same_inode(c[0], st) || same_inode(c[1], st) || same_inode(c[2], st);
	for (int i = 0; i < 3; i++)
		free(c[i]);
	return ours;
}

static int check_links(wctx *w, const ss_stat *st, int bakdir)
{
	if (st->st_nlink <= 1 || (st->st_nlink == 2 && second_name_is_backup(w, st, bakdir)))
		return 0;
	return ss_diag_set(w->d, w->orig->path, 0, 0,
			   "has %lu hard links: replacing it would leave the other names with the "
			   "old settings; nothing written (make it a single file, or apply to it "
			   "by its other names too after removing the extra links)",
			   (unsigned long)st->st_nlink);
}

static int refuse_not_writable(wctx *w, const char *what)
{
	int e = errno;
	if (e == EROFS)
		return ss_diag_set(w->d, w->orig->path, 0, 0,
				   "is on a read-only file system; nothing written");
	if (e != EACCES && e != EPERM)
		return ss_diag_errno(w->d, w->orig->path,
				     "cannot tell whether sshsync may write %s", what);
	if (strcmp(what, "it") == 0)
		return ss_diag_set(w->d, w->orig->path, 0, 0,
				   "is read-only; make it writable (or run as its owner) to apply");
	return ss_diag_set(
	    w->d, w->orig->path, 0, 0, "cannot be replaced: directory %s is not writable%s", w->dir,
	    !ss_os_is_admin() ? " (run with the rights to write it, e.g. sudo)" : "");
}

static int check_writable(wctx *w, const ss_stat *st, int exists)
{
	if (exists && !(st->st_mode & S_IWUSR)) {
		errno = EACCES;
		return refuse_not_writable(w, "it");
	}
	if (exists && ss_os_can_write(w->dirfd, w->name) < 0)
		return refuse_not_writable(w, "it");
	if (ss_os_can_write(w->dirfd, ".") < 0)
		return refuse_not_writable(w, "its directory");
	return 0;
}

static int side_error(wctx *w)
{
	const char *dir = w->opts->backup_dir;
	if (errno == ELOOP)
		return ss_diag_set(
		    w->d, w->orig->path, 0, 0,
		    "backup directory %s is a symbolic link; sshsync does not follow "
		    "it (remove it); nothing written",
		    dir);
	if (errno == EPERM || errno == ENOTDIR)
		return ss_diag_set(
		    w->d, w->orig->path, 0, 0,
		    "backup directory %s is not a directory owned by the file's owner "
		    "or root and closed to others; nothing written",
		    dir);
	return ss_diag_errno(w->d, w->orig->path, "cannot open the backup directory %s for", dir);
}

/* Opens (with `create`, makes) the hidden directory for the backup and the
 * temporary file. No side directory: *fd stays -1. */
static int open_side(wctx *w, const ss_stat *owner, int create)
{
	if (!w->opts || !w->opts->backup_dir)
		return 0;
	if (split_path(w->opts->backup_dir, &w->side_parent, &w->side_name) < 0)
		return ss_diag_oom(w->d);
	int parent;
	if (ss_os_open_dir(w->side_parent, &parent) < 0)
		return ss_diag_errno(w->d, w->orig->path, "cannot open the directory of %s for",
				     w->opts->backup_dir);
	int r = ss_os_open_side_dir(parent, w->side_name, owner->st_uid, owner->st_gid, create,
				    &w->sidefd, &w->side_created);
	if (r < 0 && !(errno == ENOENT && !create))
		r = side_error(w);
	else
		r = 0;
	ss_os_close(parent);
	return r;
}

/* The temporary file's sink: written as it comes, hashed on the way. */
static int put_temp(void *ctx, const void *data, size_t len, ss_diag *d)
{
	wctx *w = ctx;
	if (w->observe && w->observe->put(w->observe->ctx, data, len, d) < 0)
		return -1;
	if (ss_os_write_all(w->tmpfd, data, len) < 0)
		return -1;
	if (!w->no_hash)
		ss_content_hash_update(&w->hash, data, len);
	/* A large file goes to the disk as it is written, not all at the fsync. */
	if ((w->written + len) / SS_WRITEBACK_STEP > w->written / SS_WRITEBACK_STEP) {
		size_t upto = (w->written + len) / SS_WRITEBACK_STEP * SS_WRITEBACK_STEP;
		ss_os_start_writeback_range(w->tmpfd, (int64_t)w->flushed,
					    (int64_t)(upto - w->flushed));
		w->flushed = upto;
	}
	w->written += len;
	return 0;
}

static int write_temp(wctx *w, const ss_source *src)
{
	ss_stat side;
	/* The rename must stay on one file system. */
	w->tmpdir =
	    w->sidefd >= 0 && ss_os_fstat(w->sidefd, &side) == 0 && side.st_dev == w->st.st_dev
		? w->sidefd
		: w->dirfd;
	ss_os_stale_temps_remove(w->opts ? w->opts->stale_temps : NULL, w->tmpdir, w->name);
	if (ss_os_create_temp(w->tmpdir, w->name, &w->tmpfd, &w->tmpname) < 0)
		return ss_diag_errno(w->d, w->orig->path, "cannot create a temporary file for");
	const char *what = "cannot write a temporary file for";
	w->write_ns = ss_os_now_ns();
	ss_content_hash_init(&w->hash);
	ss_sink sink = {put_temp, w};
	ss_diag why = SS_DIAG_INIT;
	int ok = (w->producer ? w->producer->produce(w->producer->ctx, &sink, &why)
			      : ss_source_emit(src, &sink, &why)) == 0;
	if (!ok && why.message && w->producer) {
		/* The producer's own error (a file it read...), as it said it. */
		if (ss_diag_is_set(w->d))
			ss_diag_clear(&why);
		else
			*w->d = why;
		return -1;
	}
	if (!ok && why.message) {
		/* Not the file system: the rendering itself (no memory...). */
		int r = ss_diag_set(w->d, w->orig->path, 0, 0, "%s", why.message);
		ss_diag_clear(&why);
		return r;
	}
	if (ok && w->lockfd >= 0)
		ok = ss_os_copy_metadata(w->lockfd, &w->st, w->tmpfd, &what) == 0;
	else if (ok &&
		 !(ok = (w->opts && w->opts->private_new ? ss_os_set_private_file_mode(w->tmpfd)
							 : ss_os_set_new_file_mode(w->tmpfd)) == 0))
		what = "cannot set the mode of";
	if (!ok)
		return ss_diag_errno(w->d, w->orig->path, "%s", what);
	/* The disk works while the caller does (sync_temp waits for it). */
	ss_os_start_writeback(w->tmpfd);
	return 0;
}

static void reread_run(void *arg)
{
	reread *a = arg;
	ss_content_hash_init_at(&a->part, a->from);
	a->part_ok = hash_file_part(a->fd, a->from, UINT64_MAX, &a->part, &a->part_size) == 0;
}

/* A large file whose times cannot tell a change (ss_file_racy) is read
 * again by the last check; that read is longer than the temporary file's
 * fsync (8 ms against 1 ms for a 28 MB WinSCP.ini), so a second thread
 * reads the second half meanwhile and this one the first after the fsync.
 * The last check still looks at the times afterwards: a change after this
 * read that the times show is refused as before. NULL: no thread (the
 * check reads itself). */
static ss_os_thread *reread_start(wctx *w)
{
	ss_os_thread *t = NULL;
	const ss_file_identity *id = &w->orig->id;
	if (w->lockfd < 0 || !id->known || id->size < SS_REREAD_MIN || !ss_file_racy(id))
		return NULL;
	w->again.fd = w->lockfd;
	/* The halves meet where a block of the hash starts (0: the thread reads all). */
	w->again.from = ss_content_hash_middle((uint64_t)id->size);
	return ss_os_thread_start(&t, reread_run, &w->again) == 0 ? t : NULL;
}

/* The first half, on this thread, then both halves as one. */
static void reread_finish(reread *a, ss_os_thread *t)
{
	ss_content_hash h;
	ss_content_hash_init(&h);
	int64_t size = 0;
	int ok = hash_file_part(a->fd, 0, a->from, &h, &size) == 0 && (uint64_t)size == a->from;
	ss_os_thread_join(t);
	/* A file that shrank below the half is read again whole by the check. */
	a->ok = ok && a->part_ok && ss_content_hash_join(&h, &a->part) == 0;
	a->hash = ss_content_hash_final(&h);
	a->size = size + a->part_size;
	a->done = 1;
}

/* The temporary file on disk, before it may take the file's name. */
static int sync_temp(wctx *w)
{
	ss_os_thread *t = reread_start(w);
	int r = 0;
	if (ss_os_fsync(w->tmpfd) < 0)
		r = ss_diag_errno(w->d, w->orig->path, "cannot fsync a temporary file for");
	else if (ss_os_fstat(w->tmpfd, &w->tmpst) < 0)
		r = ss_diag_errno(w->d, w->orig->path, "cannot read back a temporary file for");
	int e = errno;
	if (t)
		reread_finish(&w->again, t);
	errno = e;
	return r;
}

static int put_fd(void *ctx, const void *data, size_t len, ss_diag *d)
{
	(void)d;
	return ss_os_write_all(*(int *)ctx, data, len);
}

/* No hard links here: a copy of the bytes that were read, made complete
 * under a temporary name before it takes the backup's name. */
static int backup_by_copy(wctx *w)
{
	int fd = -1;
	char *tmp = NULL;
	const char *what = "cannot keep a backup of";
	ss_source orig = {w->orig, NULL, NULL, 0, NULL};
	ss_sink sink = {put_fd, &fd};
	ss_diag ignored = SS_DIAG_INIT;
	int ok = ss_os_create_temp(w->bakdir, w->bakname, &fd, &tmp) == 0;
	ok = ok && ss_source_emit(&orig, &sink, &ignored) == 0 &&
	     ss_os_copy_metadata(w->lockfd, &w->st, fd, &what) == 0 && ss_os_fsync(fd) == 0;
	if (ignored.message)
		errno = ENOMEM;
	ss_diag_clear(&ignored);
	if (ok && ss_os_rename(w->bakdir, tmp, w->bakdir, w->bakname, 1) < 0)
		ok = errno == EEXIST; /* a backup appeared: it is older, keep it */
	int e = errno;
	if (tmp)
		ss_os_unlink(w->bakdir, tmp);
	ss_os_close(fd);
	free(tmp);
	errno = e;
	return ok ? 0 : ss_diag_errno(w->d, w->orig->path, "%s", what);
}

/* On an overlayfs whose upper layer is another file system (a tmpfs over
 * a read-only root), linking a file of the lower layer copies it up, and
 * the new link shows the upper file's device and inode while the name keeps
 * the lower one's. The backup is still right if the name is still the file
 * we locked and the link holds the same bytes as the name. */
static int backup_is_copy_up(wctx *w)
{
	ss_stat now;
	int fd = -1;
	uint64_t hash = 0, bhash = 0;
	int64_t size = 0, bsize = 0;
	int same = ss_os_stat_at(w->dirfd, w->name, &now) == 0 && now.st_dev == w->st.st_dev &&
		   now.st_ino == w->st.st_ino && ss_os_open_read(w->bakdir, w->bakname, &fd) == 0 &&
		   hash_open_file(fd, &bhash, &bsize) == 0 &&
		   hash_open_file(w->lockfd, &hash, &size) == 0 && bsize == size && bhash == hash;
	ss_os_close(fd);
	return same;
}

/* Keeps the file as it was, unless a backup exists already: the first
 * backup of a file is the pristine original and is never replaced. */
static int make_backup(wctx *w)
{
	int existed = 0;
	if (ss_os_link_if_absent(w->dirfd, w->name, w->bakdir, w->bakname, &existed) == 0) {
		ss_stat bst;
		if (existed)
			return 0;
		w->backed_up = 1;
		if (ss_os_stat_at(w->bakdir, w->bakname, &bst) < 0)
			return ss_diag_errno(w->d, w->orig->path, "cannot check the backup of");
		if ((bst.st_dev != w->st.st_dev || bst.st_ino != w->st.st_ino) &&
		    !backup_is_copy_up(w)) {
			/* The name moved to another file between lock and link. */
			ss_os_unlink(w->bakdir, w->bakname);
			return changed_since(w);
		}
		/* The link changed the file's ctime, and only that. */
		int64_t mtime;
		ss_os_stat_times(&bst, &mtime, &w->link_ctime);
	} else if (backup_by_copy(w) < 0) {
		return -1;
	} else {
		w->backed_up = 1;
	}
	if (ss_os_fsync(w->bakdir) < 0)
		return ss_diag_errno(w->d, w->orig->path, "cannot fsync the backup of");
	return 0;
}

static int backup_target(wctx *w)
{
	w->bakdir = w->sidefd >= 0 ? w->sidefd : w->dirfd;
	w->bakname =
	    w->sidefd >= 0 ? ss_strdup(w->name) : ss_asprintf("%s%s", w->name, SS_BACKUP_SUFFIX);
	return w->bakname ? 0 : ss_diag_oom(w->d);
}

/* The file as read, linked for the caller (ss_keep_link) where it may
 * be: synced first, as the caller keeps it for a crash too. */
static int keep_by_link(wctx *w)
{
	ss_keep_link *k = w->opts ? w->opts->keep_link : NULL;
	if (!k || w->lockfd < 0 || w->backed_up || w->st.st_nlink != 1)
		return 0;
	if (ss_os_open_dir(k->temps, &w->keep_temps) < 0 ||
	    ss_os_open_dir(k->dir, &w->keep_dir) < 0 || ss_os_fsync(w->lockfd) < 0)
		return 0;
	/* A killed run's link, unless its run (holding the file's lock) still runs. */
	ss_os_remove_stale_temps(w->keep_temps, SS_KEPT_LINK_TEMP);
	if (ss_os_link_temp(w->dirfd, w->name, w->keep_temps, SS_KEPT_LINK_TEMP, &w->keep_tmp) < 0)
		return 0;
	ss_stat st;
	if (ss_os_stat_at(w->keep_temps, w->keep_tmp, &st) < 0)
		return ss_diag_errno(w->d, w->orig->path, "cannot look at the link kept of");
	/* The name moved to another file between lock and link. */
	if (st.st_dev != w->st.st_dev || st.st_ino != w->st.st_ino)
		return changed_since(w);
	/* The link changed the file's ctime, and only that. */
	int64_t mtime;
	ss_os_stat_times(&st, &mtime, &w->link_ctime);
	k->made = 1;
	return 0;
}

/* The link of keep_by_link named, once the file is found unchanged (an
 * object of that name is kept already: the same bytes, the link goes). */
static int name_kept_link(wctx *w)
{
	if (!w->keep_tmp)
		return 0;
	if (!w->keep_name)
		return ss_diag_set(w->d, w->orig->path, 0, 0,
				   "the previous contents of the file were kept under no name");
	if (ss_os_rename(w->keep_temps, w->keep_tmp, w->keep_dir, w->keep_name, 1) == 0) {
		free(w->keep_tmp);
		w->keep_tmp = NULL;
	} else if (errno != EEXIST) {
		return ss_diag_errno(w->d, w->orig->path, "cannot keep the previous contents of");
	}
	return ss_os_fsync(w->keep_dir) < 0
		   ? ss_diag_errno(w->d, w->orig->path, "cannot sync what keeps the contents of")
		   : 0;
}

/* The last step before the rename: the file is still what was read. */
static int last_check(wctx *w)
{
	if (w->lockfd < 0)
		return 0;
	ss_stat now, open;
	if (ss_os_stat_at(w->dirfd, w->name, &now) < 0 || now.st_dev != w->st.st_dev ||
	    now.st_ino != w->st.st_ino)
		return changed_since(w);
	if (ss_os_fstat(w->lockfd, &open) < 0)
		return ss_diag_errno(w->d, w->orig->path, "cannot look again at");
	return verify_unchanged(w, w->lockfd, &open, 1);
}

/* The file as written, for a rollback: its times after the rename, and
 * "racy" (read at the start of the write), so that its bytes are checked. */
static void set_result(wctx *w, ss_write_result *res)
{
	if (!res)
		return;
	/* The rename gave it a new ctime; when that cannot be seen, the ctime
	 * is left out of the comparison (the bytes still are compared). */
	ss_stat st;
	int seen = ss_os_fstat(w->tmpfd, &st) == 0;
	if (!seen)
		st = w->tmpst;
	res->id.known = 1;
	res->id.dev = st.st_dev;
	res->id.ino = st.st_ino;
	res->id.size = (int64_t)w->written;
	res->id.hash = w->no_hash ? 0 : ss_content_hash_final(&w->hash);
	ss_os_stat_times(&st, &res->id.mtime_ns, &res->id.ctime_ns);
	if (!seen)
		res->id.ctime_ns = SS_CTIME_UNKNOWN;
	res->id.read_ns = w->write_ns;
}

static int commit(wctx *w, ss_write_result *res)
{
	int is_new = w->lockfd < 0;
	if (!is_new && ss_os_release_for_replace(&w->lockfd) < 0)
		return ss_diag_errno(w->d, w->orig->path, "cannot replace");
	if (ss_os_rename(w->tmpdir, w->tmpname, w->dirfd, w->name, is_new) < 0) {
		if (errno == EEXIST)
			return ss_diag_set(w->d, w->orig->path, 0, 0,
					   "appeared while sshsync was working; nothing written");
		return ss_diag_errno(w->d, w->orig->path, "cannot replace");
	}
	free(w->tmpname);
	w->tmpname = NULL;
	set_result(w, res);
	if (ss_os_fsync(w->dirfd) < 0 && res) {
		/* The file is replaced; only its durability across a crash is in
		 * doubt. A warning, not a failure (documented in sshsync(1)). */
		res->warning = ss_asprintf("%s: written, but the directory %s could not be synced "
					   "to disk (%s): a crash now may undo the change",
					   w->orig->path, w->dir, strerror(errno));
	}
	return 0;
}

/* Everything up to the fsync of the temporary file: its bytes written and
 * on their way to the disk, the backup kept. */
static int prepare(wctx *w, const ss_source *src)
{
	int backup = w->opts && w->opts->backup && w->orig->id.known;
	int r = open_and_lock(w);
	/* Refused before anything is made when the times already tell. */
	if (r == 0 && w->lockfd >= 0)
		r = verify_unchanged(w, w->lockfd, &w->st, 0);
	if (r == 0)
		r = open_side(w, &w->st, 1);
	if (r == 0)
		r = backup_target(w);
	if (r == 0 && w->lockfd >= 0)
		r = check_links(w, &w->st, w->bakdir);
	if (r == 0)
		r = check_writable(w, &w->st, w->lockfd >= 0);
	if (r == 0)
		r = write_temp(w, src);
	if (r == 0 && backup)
		r = make_backup(w);
	if (r == 0)
		r = keep_by_link(w);
	return r;
}

/* --- the replaced files' last close --- */

typedef struct closing {
	int fd;
	ss_os_thread *thread;
} closing;

/* A run hands over the file it replaced (writes made at once close
 * their own): a few are room enough. */
enum { CLOSINGS_MAX = 8 };

struct ss_closings {
	closing v[CLOSINGS_MAX]; /* each the argument of its thread: never moves */
	size_t n;
};

ss_closings *ss_closings_new(void)
{
	return calloc(1, sizeof(ss_closings));
}

static void close_run(void *arg)
{
	closing *c = arg;
	ss_os_close(c->fd); /* its lock goes with it */
}

/* Hands `fd` over to a thread of its own that closes it: 0, or -1 when
 * none can be had or the list is full (the caller closes it then). */
static int closings_add(ss_closings *c, int fd)
{
	if (c->n == CLOSINGS_MAX)
		return -1;
	closing *e = &c->v[c->n];
	e->fd = fd;
	if (ss_os_thread_start(&e->thread, close_run, e) < 0)
		return -1;
	c->n++;
	return 0;
}

void ss_closings_finish(ss_closings *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		ss_os_thread_join(c->v[i].thread);
	free(c);
}

/* After the rename: the replaced file's descriptor, when it is large and
 * the caller gave closings, is closed by a thread of its own. */
static void close_replaced_later(wctx *w)
{
	ss_closings *c = w->opts ? w->opts->closings : NULL;
	if (c && w->lockfd >= 0 && w->st.st_size >= SS_CLOSE_LATER_MIN &&
	    closings_add(c, w->lockfd) == 0)
		w->lockfd = -1;
}

/* Undoes what a write that is not committed made, and frees the rest. */
static void discard(wctx *w)
{
	if (w->backed_up)
		w->backed_up = 0, ss_os_unlink(w->bakdir, w->bakname);
	wctx_close(w);
}

/* The rest of a prepared write: the temporary file synced, the last check,
 * the replace; what was made is undone on failure. */
static int sync_check_commit(wctx *w, ss_write_result *res)
{
	int r = w->synced ? 0 : sync_temp(w);
	if (r == 0)
		r = last_check(w);
	if (r == 0)
		r = name_kept_link(w);
	if (r == 0)
		r = commit(w, res);
	if (r < 0) {
		discard(w);
	} else {
		close_replaced_later(w);
		wctx_close(w);
	}
	return r;
}

/* A whole replace, the new bytes from `src` or from w->producer. */
static int replace(wctx *w, const ss_source *src, ss_write_result *res)
{
	if (prepare(w, src) < 0) {
		discard(w);
		return -1;
	}
	return sync_check_commit(w, res);
}

int ss_safe_replace_from(const ss_text *orig, const ss_source *src, const ss_write_opts *opts,
			 ss_write_result *res, ss_diag *d)
{
	wctx w;
	wctx_init(&w, orig, opts, d);
	return replace(&w, src, res);
}

int ss_safe_replace_shared(const ss_text *orig, const ss_source *src, const ss_write_opts *opts,
			   ss_write_result *res, ss_diag *d)
{
	wctx w;
	wctx_init(&w, orig, opts, d);
	w.keep_side = 1;
	return replace(&w, src, res);
}

int ss_safe_replace_produce(const ss_text *orig, const ss_producer *make, const ss_write_opts *opts,
			    ss_write_result *res, ss_diag *d)
{
	wctx w;
	wctx_init(&w, orig, opts, d);
	w.producer = make;
	return replace(&w, NULL, res);
}

struct ss_safe_prepared {
	wctx w;
};

int ss_safe_prepare(const ss_text *orig, const ss_source *src, const ss_write_opts *opts,
		    const ss_sink *observe, int flags, ss_safe_prepared **out, ss_diag *d)
{
	*out = NULL;
	ss_safe_prepared *p = malloc(sizeof(*p));
	if (!p)
		return ss_diag_oom(d);
	wctx_init(&p->w, orig, NULL, d);
	if (opts) {
		p->w.own_opts = *opts;
		p->w.opts = &p->w.own_opts;
	}
	p->w.observe = observe;
	p->w.no_hash = (flags & SS_SAFE_NO_HASH) != 0;
	if (prepare(&p->w, src) < 0) {
		discard(&p->w);
		free(p);
		return -1;
	}
	p->w.observe = NULL;
	*out = p;
	return 0;
}

int ss_safe_sync(ss_safe_prepared *p, ss_diag *d)
{
	p->w.d = d;
	int r = sync_temp(&p->w);
	p->w.synced = r == 0;
	return r;
}

int ss_safe_name_kept(ss_safe_prepared *p, const char *name, ss_diag *d)
{
	free(p->w.keep_name);
	p->w.keep_name = ss_strdup(name);
	return p->w.keep_name ? 0 : ss_diag_oom(d);
}

int ss_safe_commit(ss_safe_prepared *p, ss_write_result *res, ss_diag *d)
{
	p->w.d = d;
	int r = sync_check_commit(&p->w, res);
	free(p);
	return r;
}

void ss_safe_abort(ss_safe_prepared *p)
{
	if (!p)
		return;
	discard(&p->w);
	free(p);
}

int ss_safe_replace(const ss_text *orig, const void *bytes, size_t len, const ss_write_opts *opts,
		    ss_write_result *res, ss_diag *d)
{
	ss_source src = {NULL, NULL, bytes, len, NULL};
	return ss_safe_replace_from(orig, &src, opts, res, d);
}

int ss_safe_write(const ss_text *orig, const void *bytes, size_t len, const ss_write_opts *opts,
		  ss_diag *d)
{
	ss_write_result res = SS_WRITE_RESULT_INIT;
	int r = ss_safe_replace(orig, bytes, len, opts, &res, d);
	ss_write_result_free(&res);
	return r;
}

int ss_safe_remove(const ss_text *orig, ss_diag *d)
{
	wctx w;
	wctx_init(&w, orig, NULL, d);
	int r = open_and_lock(&w);
	if (r == 0 && w.lockfd < 0)
		r = ss_diag_set(d, orig->path, 0, 0, "is already gone");
	if (r == 0)
		r = check_writable(&w, &w.st, 0);
	if (r == 0)
		r = last_check(&w);
	if (r == 0 && ss_os_unlink(w.dirfd, w.name) < 0)
		r = ss_diag_errno(d, orig->path, "cannot remove");
	if (r == 0)
		ss_os_fsync(w.dirfd);
	wctx_close(&w);
	return r;
}

int ss_safe_write_check(const ss_text *orig, ss_diag *d)
{
	return ss_safe_replace_check(orig, NULL, d);
}

int ss_safe_replace_check(const ss_text *orig, const ss_write_opts *opts, ss_diag *d)
{
	wctx w;
	wctx_init(&w, orig, opts, d);
	int r = (w.real = real_target(orig, d)) ? 0 : -1;
	if (r == 0 && split_path(w.real, &w.dir, &w.name) < 0)
		r = ss_diag_oom(d);
	if (r == 0 && ss_os_open_dir(w.dir, &w.dirfd) < 0)
		r = ss_diag_errno(d, orig->path, "cannot open the directory of");
	int fd = -1;
	ss_stat st;
	memset(&st, 0, sizeof(st));
	if (r == 0 && ss_os_lock_file(w.dirfd, w.name, &fd, &st) < 0)
		r = errno == EINVAL ? ss_diag_set(d, orig->path, 0, 0, "is not a regular file")
				    : ss_diag_errno(d, orig->path, "cannot open");
	if (r == 0 && fd >= 0 && !orig->id.known)
		r = ss_diag_set(d, orig->path, 0, 0,
				"appeared while sshsync was working; nothing written");
	if (r == 0 && fd < 0 && orig->id.known)
		r = ss_diag_set(d, orig->path, 0, 0,
				"was removed while sshsync was working; nothing written");
	/* The times only: the last check before the rename reads the bytes
	 * when they must be read. */
	if (r == 0 && fd >= 0)
		r = verify_unchanged(&w, fd, &st, 0);
	if (r == 0 && fd < 0 && ss_os_fstat(w.dirfd, &st) < 0)
		r = ss_diag_errno(d, orig->path, "cannot stat the directory of");
	if (r == 0)
		r = open_side(&w, &st, 0);
	if (r == 0)
		r = backup_target(&w);
	if (r == 0 && fd >= 0)
		r = check_links(&w, &st, w.sidefd >= 0 ? w.sidefd : w.dirfd);
	if (r == 0)
		r = check_writable(&w, &st, fd >= 0);
	ss_os_close(fd);
	wctx_close(&w);
	return r;
}

int ss_file_same_read(const ss_file_identity *a, const ss_file_identity *b)
{
	if (!a->known || !b->known || a->dev != b->dev || a->ino != b->ino || a->size != b->size ||
	    a->mtime_ns != b->mtime_ns || a->ctime_ns != b->ctime_ns)
		return 0;
	int racy_a = ss_file_racy(a), racy_b = ss_file_racy(b);
	if (!racy_a && !racy_b)
		return 1;
	/* Only a racy read hashed its bytes. */
	return racy_a && racy_b && a->hash == b->hash;
}

char *ss_safe_real_path(const ss_text *orig, ss_diag *d)
{
	return real_target(orig, d);
}

char *ss_backup_path(const char *path, const char *backup_dir)
{
	if (!backup_dir)
		return ss_asprintf("%s%s", path, SS_BACKUP_SUFFIX);
	return ss_asprintf("%s/%s", backup_dir, ss_os_base_name(path));
}

void ss_write_result_free(ss_write_result *res)
{
	free(res->warning);
	memset(res, 0, sizeof(*res));
}
