/* Replacing a settings file without ever leaving it half written.
 *
 * Follows a symbolic link and replaces its target; writes a temporary file
 * in the same directory, fsyncs it, keeps mode and owner, renames it over
 * the original and fsyncs the directory. Refuses when the file changed
 * since `orig` was read. Keeps the previous contents as PATH.sshsync-bak
 * unless told not to. On any failure the original is as it was and no
 * temporary file is left. */
#ifndef SSHSYNC_SAFEWRITE_H
#define SSHSYNC_SAFEWRITE_H

#include <stddef.h>

#include "sshsync/diag.h"
#include "sshsync/text.h"

#define SS_BACKUP_SUFFIX ".sshsync-bak"
/* The backup directory for files that a glob may read (see engine/apply.c). */
#define SS_HIDDEN_BACKUP_DIR ".sshsync-bak"

typedef struct ss_write_opts {
	int backup;		/* keep a backup */
	const char *backup_dir; /* NULL: PATH.sshsync-bak beside the file; else
				 * DIR/NAME (DIR is made, mode 0700, if missing) */
} ss_write_opts;

/* Where the backup of `path` goes, newly allocated (NULL: out of memory). */
char *ss_backup_path(const char *path, const char *backup_dir);

/* Replaces the file `orig` was read from with `bytes`. When orig->id is not
 * known (a new file), the file must not exist yet. */
int ss_safe_write(const ss_text *orig, const void *bytes, size_t len, const ss_write_opts *opts,
		  ss_diag *d);

/* Checks, without writing, that the file could be replaced: its directory
 * is writable and it is unchanged. Used to refuse a whole apply before the
 * first file is written. */
int ss_safe_write_check(const ss_text *orig, ss_diag *d);

#endif
