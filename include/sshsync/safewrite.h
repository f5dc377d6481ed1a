/* Replacing a settings file without ever leaving it half written.
 *
 * Follows a symbolic link and replaces its target. Takes an advisory lock
 * on the file (every sshsync honours it) for the whole write; writes a
 * temporary file (".NAME.sshsync-XXXXXX", where no client reads it: in the
 * backup directory when there is one), keeps owner, mode with its special
 * bits, extended attributes and ACLs; keeps a backup; fsyncs it; checks as
 * the very last step that the file is still the one that was read
 * (inode, size and times; and its bytes, read again, when the file had
 * changed so shortly before it was read that its times cannot tell: see
 * ss_file_racy); renames the temporary file over it and fsyncs
 * the directory. A file with several hard links is refused. On any failure
 * the original is as it was and no temporary file is left; temporary
 * files that a killed run left are removed by the next write.
 *
 * Backups: PATH.sshsync-bak beside the file, or DIR/NAME in a backup
 * directory that is never a symbolic link and belongs to the file's owner
 * or root. The first backup of a file is never replaced: it stays the
 * pristine original however often sshsync writes. */
#ifndef SSHSYNC_SAFEWRITE_H
#define SSHSYNC_SAFEWRITE_H

#include <stddef.h>

#include "sshsync/diag.h"
#include "sshsync/edit.h"
#include "sshsync/os_file.h"
#include "sshsync/text.h"

#define SS_BACKUP_SUFFIX ".sshsync-bak"
/* From this size on, the bytes that the last check reads again (a file
 * whose times cannot tell: ss_file_racy) are read by a second thread
 * while the temporary file is synced. */
#define SS_REREAD_MIN ((int64_t)1 << 20)
/* The temporary file is sent to the disk in steps of this many bytes as
 * it is written (ss_os_start_writeback_range), so that the fsync before
 * the rename waits for the last step only (100,000-site WinSCP.ini: the
 * writer's time in fsync 41 -> 14 ms, median of 8). */
#define SS_WRITEBACK_STEP ((size_t)4 << 20)
/* The backup directory for files that a glob may read (see engine/apply.c). */
#define SS_HIDDEN_BACKUP_DIR ".sshsync-bak"

/* The last close of replaced files, each on a thread of its own while
 * the caller goes on. That close frees the old contents' blocks, and a
 * file system that discards blocks as it frees them (ext4 without a
 * journal, mounted with discard) waits for the disk meanwhile: 7 ms for
 * a 28 MB WinSCP.ini here, at the very end of an apply. Only files from
 * SS_CLOSE_LATER_MIN bytes on: a thread costs some 50 microseconds.
 * One thread at a time hands files over (writes made at once close their
 * own). new: NULL when there is no memory (files are closed at once then).
 * finish: waits for every close and frees; NULL is fine. */
#define SS_CLOSE_LATER_MIN ((int64_t)1 << 20)
typedef struct ss_closings ss_closings;
ss_closings *ss_closings_new(void);
void ss_closings_finish(ss_closings *c);

/* A hard link to the file as it was read, for the caller to keep (the
 * journal: a large file's previous contents then cost no copy to write,
 * and no space). It is made under a temporary name (of SS_KEPT_LINK_TEMP)
 * in the folder `temps` as the last step of the preparation, and only
 * where the file has no other name (not when this write made its first
 * backup, a link to the same file that an editor may later write in
 * place). Its name is given once the caller knows it (the SHA-256 of the
 * contents, made while the new ones were written): ss_safe_name_kept,
 * before the commit. Once the last check has found the file unchanged,
 * just before it is replaced, the link takes that name in the folder
 * `dir`, and `dir` is synced; a commit that cannot do that fails. Where no
 * link can be made (another file system, no hard links) `made` stays 0
 * and the caller copies the file instead. */
typedef struct ss_keep_link {
	const char *temps, *dir;
	int made; /* out: the commit names the link (or fails) */
} ss_keep_link;
#define SS_KEPT_LINK_TEMP "kept"

typedef struct ss_write_opts {
	int backup;		/* keep a backup */
	const char *backup_dir; /* NULL: PATH.sshsync-bak beside the file; else
				 * DIR/NAME (DIR is made, mode 0700, owned by the
				 * file's owner, if missing); the temporary file
				 * goes there too */
	int private_new;	/* a new file is made readable by its owner only
				 * (0600: a private key, a new ~/.ssh/config)
				 * instead of 0666 less the umask */
	ss_closings *closings;	/* where a large replaced file is closed
				 * (NULL: before the write returns) */
	/* The run's, when it writes many files (NULL: the directory is
	 * listed for this file). */
	ss_os_stale_temps *stale_temps;
	ss_keep_link *keep_link; /* NULL: none */
} ss_write_opts;

typedef struct ss_write_result {
	ss_file_identity id; /* the file as written: a rollback checks it */
	char *warning;	     /* set when the file was replaced but a later
			      * step failed (the directory's fsync) */
} ss_write_result;

#define SS_WRITE_RESULT_INIT                                                                       \
	{                                                                                          \
		{0}, NULL                                                                          \
	}

/* The absolute path of the file that a write of `orig` replaces (links
 * resolved), newly allocated. */
char *ss_safe_real_path(const ss_text *orig, ss_diag *d);

/* Where the backup of `path` goes, newly allocated (NULL: out of memory). */
char *ss_backup_path(const char *path, const char *backup_dir);

/* Replaces the file `orig` was read from with `bytes`. When orig->id is not
 * known (a new file), the file must not exist yet. */
int ss_safe_replace(const ss_text *orig, const void *bytes, size_t len, const ss_write_opts *opts,
		    ss_write_result *res, ss_diag *d);
/* The same with contents produced piece by piece (a large file is written
 * in SS_CHUNK_SIZE writes, never held whole). */
int ss_safe_replace_from(const ss_text *orig, const ss_source *src, const ss_write_opts *opts,
			 ss_write_result *res, ss_diag *d);
/* The same for one of several writes made at once that share
 * opts->backup_dir: when this write makes that directory and keeps nothing
 * there, it stays (another write may be using it); the caller removes it
 * after them all, when it is empty. */
int ss_safe_replace_shared(const ss_text *orig, const ss_source *src, const ss_write_opts *opts,
			   ss_write_result *res, ss_diag *d);
/* New contents that a function makes as they are written (an export
 * rendered while its source is read): `produce` puts them to `out` in
 * pieces of SS_CHUNK_SIZE (the last may be shorter) and returns 0, or -1
 * with `d` set to its own error, or -1 with `d` unset (errno kept) when a
 * put of `out` failed. */
typedef struct ss_producer {
	int (*produce)(void *ctx, const ss_sink *out, ss_diag *d);
	void *ctx;
} ss_producer;
/* ss_safe_replace_from with the contents from `make`, which runs once the
 * file is locked and the temporary file made. Its error is passed on as
 * it set it (not as an error of writing `orig`). */
int ss_safe_replace_produce(const ss_text *orig, const ss_producer *make, const ss_write_opts *opts,
			    ss_write_result *res, ss_diag *d);
void ss_write_result_free(ss_write_result *res);

/* ss_safe_replace_from in two steps, so that a journal can record what
 * was written (the SHA-256 of the new bytes) before anything is replaced,
 * without producing the new contents twice. ss_safe_prepare does all but
 * the temporary file's fsync, the last check and the rename: the file
 * locked, the temporary file written and its writing to disk begun (what
 * the caller does meanwhile overlaps with the disk's work), the backup
 * kept; `observe` (NULL: none) sees every byte of the new contents as it
 * is written. Then exactly one of ss_safe_commit (the fsync, the last
 * check and the rename, as ss_safe_replace_from ends) and ss_safe_abort
 * (the temporary file and a backup made by this write removed, the lock
 * released) ends it and frees it. A prepared write holds the file's lock
 * and a few descriptors. */
typedef struct ss_safe_prepared ss_safe_prepared;
/* Flags of ss_safe_prepare: the written identity's hash (id.hash of the
 * result) is left 0, for a caller that computes it only when it needs it
 * (to put the file back after a later failure): one pass less. */
#define SS_SAFE_NO_HASH 1
int ss_safe_prepare(const ss_text *orig, const ss_source *src, const ss_write_opts *opts,
		    const ss_sink *observe, int flags, ss_safe_prepared **out, ss_diag *d);
/* The temporary file's fsync, which ss_safe_commit then skips: for a
 * caller with time to wait now (another thread still works). On failure
 * the caller aborts the write. */
int ss_safe_sync(ss_safe_prepared *p, ss_diag *d);
int ss_safe_commit(ss_safe_prepared *p, ss_write_result *res, ss_diag *d);
void ss_safe_abort(ss_safe_prepared *p);
/* The name the link of ss_keep_link takes (a prepared write that made
 * one: its commit fails without it). */
int ss_safe_name_kept(ss_safe_prepared *p, const char *name, ss_diag *d);
/* The same, for callers that need neither identity nor warning. */
int ss_safe_write(const ss_text *orig, const void *bytes, size_t len, const ss_write_opts *opts,
		  ss_diag *d);
/* Removes a file that is still exactly `orig` (a file sshsync created). */
int ss_safe_remove(const ss_text *orig, ss_diag *d);

/* Whether two reads of one file got the same bytes, by what each saw:
 * the same file, size and times; and, when a change could have kept the
 * times of either read (ss_file_racy), the same content hash (which a
 * racy read makes, as ss_text_load does). The rule the last check before
 * a replace follows. */
int ss_file_same_read(const ss_file_identity *a, const ss_file_identity *b);

/* Checks, without writing, that the file could be replaced: it is
 * unchanged, a regular file with one link, its directory is writable, and
 * its backup directory (when it exists) is acceptable. Used to refuse a
 * whole apply before the first file is written. */
int ss_safe_replace_check(const ss_text *orig, const ss_write_opts *opts, ss_diag *d);
int ss_safe_write_check(const ss_text *orig, ss_diag *d);

#endif
