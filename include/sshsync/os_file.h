/* The platform's file operations (src/os/): everything that names a file
 * relative to an open directory, locks, copies a file's metadata, or
 * replaces a file atomically. The only module with platform #ifdefs.
 *
 * Every name given to these functions is one path component, resolved in
 * a directory the caller opened: a symbolic link planted between two calls
 * can redirect nothing. Functions return 0 or -1 with errno set (the
 * caller words the message), unless they take an ss_diag. */
#ifndef SSHSYNC_OS_FILE_H
#define SSHSYNC_OS_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>  /* S_ISDIR, S_ISREG */
#include <sys/types.h> /* ssize_t */

/* A user or group id (POSIX uid_t/gid_t; 0 on Windows, which has SIDs). */
typedef uint32_t ss_os_id;

/* What sshsync needs of a file's status, the same on every system. The
 * type bits of st_mode are POSIX's (S_IFREG, S_IFDIR; SS_S_ISLNK below),
 * the permission bits are POSIX's (Windows: 0444 for a read-only file,
 * 0666 otherwise, 0111 added for a directory). st_dev and st_ino tell one
 * file from another (Windows: volume serial number and file index). */
typedef struct ss_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint32_t st_mode;
	uint64_t st_nlink;
	ss_os_id st_uid, st_gid;
	int64_t st_size;
	int64_t mtime_ns; /* nanoseconds since 1970 */
	int64_t ctime_ns; /* the last status change (Windows: ChangeTime) */
} ss_stat;

#define SS_S_ISLNK(m) (((m)&0170000) == 0120000)

/* The status of a path (following links), of an open file, of a path
 * itself (not following a last link). */
int ss_os_stat(const char *path, ss_stat *st);
int ss_os_fstat(int fd, ss_stat *st);

/* Opens a directory by path (following links) for *at() operations. */
int ss_os_open_dir(const char *path, int *fd);

/* Opens the hidden side directory `name` in `parent` (the directory that
 * holds backups and temporary files): never through a symbolic link, and
 * only a directory owned by `uid` or by root that group and others cannot
 * write. With `create`, a missing one is made (0700) and given uid:gid;
 * *created says so. Fails with ELOOP (a link), ENOTDIR, EPERM (wrong owner
 * or writable by others) or the system's error. */
int ss_os_open_side_dir(int parent, const char *name, ss_os_id uid, ss_os_id gid, int create,
			int *fd, int *created);

/* Opens `name` in `dir` and takes an exclusive advisory lock on it that
 * every sshsync honours, retrying until the locked file is the one the
 * name refers to (another sshsync may replace it meanwhile). *fd is -1
 * when the file does not exist (not an error). Fails with ELOOP for a
 * symbolic link, EINVAL for anything but a regular file. */
int ss_os_lock_file(int dir, const char *name, int *fd, ss_stat *st);
/* Just before the locked file is renamed over: Windows cannot replace a
 * file that is open, so there the descriptor is closed (*fd becomes -1)
 * while the lock, held by the file's identity, stays until sshsync exits;
 * on POSIX nothing happens (the lock is on the open file). */
int ss_os_release_for_replace(int *fd);
/* Locks a whole directory (for a file that does not exist yet). */
int ss_os_lock_dir(int dir);
/* 1 when a lock belongs to the thread that took it (Windows: a named
 * mutex, kept until sshsync exits, so the checks before writing keep
 * every file's), 0 when it belongs to the open file (POSIX: released
 * when it is closed, whichever thread then takes it). Files are written
 * by several threads only where it is 0. */
int ss_os_locks_are_per_thread(void);

/* Reads until `len` bytes or the end of the file: how many, or -1. */
ssize_t ss_os_read_full(int fd, void *buf, size_t len);
/* The same from `offset` on, where another thread may read the same file
 * at another offset meanwhile: a read at an offset does not move the
 * position that ss_os_read_full reads from on POSIX, but does on Windows,
 * so a file read so is read at offsets only. */
ssize_t ss_os_pread_full(int fd, void *buf, size_t len, uint64_t offset);

/* Creates a temporary file ".NAME.sshsync-XXXXXX" in `dir` (mode 0600),
 * locked for as long as it is open, so that ss_os_remove_stale_temps of
 * another run leaves it alone. *tmpname is newly allocated. */
int ss_os_create_temp(int dir, const char *name, int *fd, char **tmpname);
/* Removes the temporary files of `name` in `dir` that no running sshsync
 * holds (left by a killed run). Returns how many were removed. */
int ss_os_remove_stale_temps(int dir, const char *name);
/* The same for a run that writes many files: each directory is listed
 * once, the first time, not once a file (a folder of 10,000 sessions was
 * listed 10,000 times). What a killed run leaves meanwhile waits for the
 * next run. Safe to call from several threads; s NULL: as
 * ss_os_remove_stale_temps. new: NULL when there is no memory. */
typedef struct ss_os_stale_temps ss_os_stale_temps;
ss_os_stale_temps *ss_os_stale_temps_new(void);
int ss_os_stale_temps_remove(ss_os_stale_temps *s, int dir, const char *name);
void ss_os_stale_temps_free(ss_os_stale_temps *s);

int ss_os_write_all(int fd, const void *data, size_t len);

/* Gives `to` what `from` had: owner and group (first, so that the set-user-
 * and set-group-ID bits survive), mode with its special bits, extended
 * attributes and POSIX ACLs (last: the ACL sets the group class). *what
 * names the step that failed. */
int ss_os_copy_metadata(int from, const ss_stat *st, int to, const char **what);
/* The mode a new file gets: 0666 less the umask. */
int ss_os_set_new_file_mode(int fd);
/* The mode of a new file only its owner may read: 0600 (what OpenSSH wants
 * of ~/.ssh/config). Windows: the folder's inherited ACL, as above. */
int ss_os_set_private_file_mode(int fd);

/* Makes `name` in `to_dir` a hard link of `name` in `from_dir` unless it
 * exists already (then nothing is done and *existed is 1). Fails with
 * EXDEV, EPERM, EMLINK... where the file system has no hard links. */
int ss_os_link_if_absent(int from_dir, const char *from, int to_dir, const char *to, int *existed);
/* Makes a hard link of `from` in `from_dir` under a new temporary name of
 * `name` in `to_dir` (as ss_os_create_temp names it: a killed run's is
 * removed by ss_os_remove_stale_temps once no one holds the file's lock);
 * *tmpname is newly allocated. Fails as ss_os_link_if_absent. */
int ss_os_link_temp(int from_dir, const char *from, int to_dir, const char *name, char **tmpname);
/* Renames `from` in `from_dir` to `to` in `to_dir`; with `noreplace`, fails
 * with EEXIST when `to` exists (atomically where the system can). */
int ss_os_rename(int from_dir, const char *from, int to_dir, const char *to, int noreplace);
int ss_os_unlink(int dir, const char *name);
int ss_os_rmdir(int dir, const char *name);
int ss_os_fsync(int fd);
/* Starts writing an open file's data to disk without waiting for it
 * (Linux: sync_file_range), so that work done before the ss_os_fsync that
 * must follow overlaps with the disk's. A hint: errors show at the fsync.
 * Elsewhere nothing happens. */
void ss_os_start_writeback(int fd);
/* The same for the bytes [off, off + len) only, while more are written
 * after them: the disk works on them while the rest is produced. */
void ss_os_start_writeback_range(int fd, int64_t off, int64_t len);
/* Whether `name` in `dir` exists (1), does not (0), or cannot be told (-1). */
int ss_os_exists(int dir, const char *name);
/* lstat of a path. */
int ss_os_lstat(const char *path, ss_stat *st);
/* 1 when `path` names something (after following links), else 0. */
int ss_os_path_exists(const char *path);
/* 1 when `path` is a directory (after following links), else 0. */
int ss_os_is_dir(const char *path);
/* lstat of `name` relative to `dir`. */
int ss_os_stat_at(int dir, const char *name, ss_stat *st);
/* Whether the caller may write the file or the directory; errno explains
 * a refusal (EACCES/EPERM/EROFS) or an error (EIO...). */
int ss_os_can_write(int dir, const char *name);
int ss_os_close(int fd);

/* Opens (creating, mode 0600) a file for appending, never through a
 * symbolic link, and locks it exclusively until it is closed. */
int ss_os_open_append_locked(const char *path, int *fd);
/* Whether an open file ends with a newline (1), does not (0: a cut last
 * line), or is empty (1). -1: cannot tell. */
int ss_os_ends_in_newline(int fd);
/* Opens `name` in `dir` for reading (never through a symbolic link). */
int ss_os_open_read(int dir, const char *name, int *fd);

/* A list of paths or names, each newly allocated. */
typedef struct ss_os_paths {
	char **v;
	size_t n;
} ss_os_paths;
void ss_os_paths_free(ss_os_paths *p);

/* glob: `~` and `~USER` expanded with SS_OS_GLOB_TILDE; case-insensitive
 * on Windows (as Win32-OpenSSH matches Include), where `\` and `/` both
 * separate. Tells a directory it could not read (EIO, EACCES...) from one
 * that does not exist: 0 (matches in *out, sorted), SS_OS_GLOB_NOMATCH, or
 * -1 with errno set (an error, never taken as "no file"). With
 * SS_OS_GLOB_LENIENT an unreadable directory is skipped (glob(3) without
 * GLOB_ERR); -1 is then ENOMEM only. */
#define SS_OS_GLOB_TILDE 1
#define SS_OS_GLOB_LENIENT 2
#define SS_OS_GLOB_NOMATCH 1
int ss_os_glob(const char *pattern, int flags, ss_os_paths *out);

/* The names in a directory (not "." and ".."), in the system's order;
 * *self (when not NULL) is the directory's own status. */
int ss_os_list_dir(const char *path, ss_os_paths *names, ss_stat *self);

/* Opens a file by path for reading (following links; a FIFO is opened
 * without waiting for a writer, then refused by its type). */
int ss_os_open_path_read(const char *path, int *fd);

/* The absolute path with every link resolved (NULL with errno set). */
char *ss_os_realpath(const char *path);
/* Whether the caller may read / run a file by path (0 or -1 with errno). */
int ss_os_can_read(const char *path);
int ss_os_can_exec(const char *path);

/* Makes a new private (0700) directory "PREFIX-XXXXXX" in the temporary
 * folder ($TMPDIR or /tmp; Windows: GetTempPath). NULL with errno set. */
char *ss_os_make_temp_dir(const char *prefix);
/* Writes a new file by path (never through a link, failing if it exists),
 * then gives it `mode` (whatever the umask) and, with `chown`, uid:gid. */
int ss_os_write_new_file(const char *path, const void *data, size_t len, unsigned mode, int chown,
			 ss_os_id uid, ss_os_id gid);
/* Gives a path to uid:gid. */
int ss_os_chown(const char *path, ss_os_id uid, ss_os_id gid);
/* Removes a file / an empty directory by path. */
int ss_os_remove_file(const char *path);
int ss_os_remove_dir(const char *path);

/* Makes a directory and its missing parents (mode 0700 for the new ones). */
int ss_os_mkdir_p(const char *path);

/* A file's last modification and last status change, in nanoseconds since
 * 1970 (what tells a file changed without reading it). */
void ss_os_stat_times(const ss_stat *st, int64_t *mtime_ns, int64_t *ctime_ns);
/* The wall clock (the one file times come from), nanoseconds since 1970. */
int64_t ss_os_now_ns(void);

#endif
