/* What the POSIX and the Windows files of src/os share (private to
 * src/os; src/os/os_common.c builds on both). */
#ifndef SSHSYNC_OS_INT_H
#define SSHSYNC_OS_INT_H

#include <stddef.h>

#include "sshsync/os_file.h"

#define SS_OS_TEMP_TAG ".sshsync-"
#define SS_OS_TEMP_RANDOM 6

/* ".NAME.sshsync-" (NAME cut to 200 bytes): what a temporary file of NAME
 * starts with, before SS_OS_TEMP_RANDOM letters or digits. NULL: memory. */
char *ss_os_temp_prefix(const char *name);
/* Whether a directory entry is a temporary file of that prefix. */
int ss_os_is_temp_of(const char *entry, const char *prefix, size_t plen);
/* Appends a chunk of a child's output to *out (NUL-terminated), keeping
 * at most `limit` bytes: 0, or -1 (no memory). */
int ss_os_keep_output(char **out, size_t *len, size_t *cap, const char *chunk, size_t n,
		      size_t limit);
/* One attempt of ss_os_lock_file, each system's own: 1 locked the file the
 * name refers to (or there is none: *fd -1), 0 try again, -1 error. */
int ss_os_lock_once(int dir, const char *name, int *fd, ss_stat *st);

#endif
