/* The platform's processes (src/os/): running a checker such as sshd -t
 * and keeping what it says. */
#ifndef SSHSYNC_OS_PROC_H
#define SSHSYNC_OS_PROC_H

#include <stddef.h>

#include "sshsync/os_file.h"

/* Runs the program argv[0] (a full path, no shell) with argv, standard
 * input from nothing and standard output and error into *out (newly
 * allocated, NUL-terminated, at most `limit` bytes kept, *outlen its
 * length). With `as_user` the child runs as uid:gid with no supplementary
 * groups (POSIX; ignored on Windows, CreateProcessW). Returns the exit
 * status, or -1 (with errno set) when it could not run. */
int ss_os_run_capture(char *const argv[], int as_user, ss_os_id uid, ss_os_id gid, size_t limit,
		      char **out, size_t *outlen);

/* Who runs a checker such as sshd -t: 1 and the ids of `nobody` when
 * sshsync runs as root (POSIX: sshd refuses to read a config as root from
 * a folder others own), 0 the caller itself (always on Windows), -1 when
 * it should be nobody but there is no such user. */
int ss_os_checker_user(ss_os_id *uid, ss_os_id *gid);

/* The full path of an OpenSSH program ("sshd", "ssh-keygen"), newly
 * allocated: /usr/sbin/sshd and /usr/bin/NAME; Windows: the OpenSSH
 * feature's %SystemRoot%\System32\OpenSSH\NAME.exe. */
char *ss_os_openssh_program(const char *name);

#endif
