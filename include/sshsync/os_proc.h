/* The platform's processes and secrets (src/os/): running a checker such
 * as sshd -t and keeping what it says; running another program (puttygen,
 * for `migrate --keys`) and handing it a passphrase in a file only the
 * user can read, never on its command line. */
#ifndef SSHSYNC_OS_PROC_H
#define SSHSYNC_OS_PROC_H

#include <stddef.h>

#include "sshsync/buf.h"
#include "sshsync/os_file.h"

typedef struct ss_os_run_result {
	int exit_code; /* the program's exit status; -1 when a signal ended it */
	ss_buf out;    /* what it wrote to its standard output */
	ss_buf err;    /* and to its standard error */
} ss_os_run_result;

/* Runs argv[0] (looked up in PATH as a shell would) with the arguments
 * argv[1..] (NULL-terminated), standard input empty, both outputs
 * captured. 0 when it ran and ended (whatever its exit status, in r);
 * -1 with errno when it could not be started: ENOENT when there is no
 * such program. r is to be released in both cases. */
int ss_os_run(const char *const *argv, ss_os_run_result *r);
void ss_os_run_result_release(ss_os_run_result *r);

/* A new file that only the user can read or write (mode 0600) in the
 * system's temporary folder, holding `len` bytes of `data`; *path is newly
 * allocated. -1 with errno on failure (nothing is left behind). */
int ss_os_secret_file(const void *data, size_t len, char **path);
/* Removes a file named by its path (a secret file, a temporary key). */
int ss_os_remove_path(const char *path);
/* Whether something exists at `path` (not following a final symbolic
 * link): 1, 0, or -1 with errno when it cannot be told. */
int ss_os_path_present(const char *path);
/* The absolute, canonical path of an existing file or folder (so that a
 * key written into a folder given as "keys" is named from anywhere). */
int ss_os_absolute_path(const char *path, char **out);
/* Reads one line from the terminal (not from standard input) with echo
 * off, after writing `prompt` to it, without the line ending. 0, or -1
 * with errno: ENXIO when there is no terminal. */
int ss_os_read_secret(const char *prompt, ss_buf *out);

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
