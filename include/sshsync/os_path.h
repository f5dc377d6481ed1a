/* The platform's paths (src/os/): what separates the parts of a path and
 * what makes one absolute. POSIX: `/` only. Windows: `\` and `/`, drive
 * letters (C:\x, C:x), UNC paths (\\server\share\x). */
#ifndef SSHSYNC_OS_PATH_H
#define SSHSYNC_OS_PATH_H

#include <stddef.h>

/* Whether c separates the parts of a path. */
int ss_os_is_sep(int c);
/* The separator sshsync writes between the parts of a path it makes. */
char ss_os_sep(void);
/* The last separator of `path` (NULL: none). */
const char *ss_os_last_sep(const char *path);
/* The first separator of `path` (NULL: none). */
const char *ss_os_first_sep(const char *path);
/* The last part of a path: what follows its last separator (Windows: or
 * its drive, "C:x"). */
const char *ss_os_base_name(const char *path);
/* How long the directory part of `path` is: 0 when there is none (a bare
 * name), up to and without the last separator otherwise, but keeping a
 * root whole ("/" is 1; Windows: "C:\" is 3, "\\server\share\" kept). */
size_t ss_os_dir_len(const char *path);
/* Writes a path sshsync made (joined with '/') as the system spells it:
 * Windows turns every '/' into '\\'; POSIX leaves it. In place. */
void ss_os_native_seps(char *path);
/* Whether `path` names the same place from any current directory. */
int ss_os_is_absolute(const char *path);

#endif
