/* The platform's processes (src/os/): start a program with pipes to its
 * standard input, output and error, watch several at once, end them; and a
 * monotonic clock. Used by `probe`, which runs the user's own ssh. */
#ifndef SSHSYNC_OS_SPAWN_H
#define SSHSYNC_OS_SPAWN_H

#include <stddef.h>
#include <stdint.h>

typedef struct ss_os_proc ss_os_proc;

/* Milliseconds of a clock that never goes back (its origin is arbitrary). */
int64_t ss_os_now_ms(void);

/* Starts argv[0] (looked up in PATH when it has no directory part) with
 * arguments argv[0..] (NULL-terminated); its standard input, output and
 * error are pipes to this process. Returns 0, or -1 with errno set (ENOENT
 * when there is no such program). Writing to a process that has ended
 * never kills this one. */
int ss_os_proc_start(const char *const *argv, ss_os_proc **out);

/* Waits at most timeout_ms (0: not at all) until one of the n processes
 * writes something or ends, and collects what each has written so far.
 * Returns 0, or -1 with errno set. */
int ss_os_proc_poll(ss_os_proc *const *procs, size_t n, int64_t timeout_ms);

/* What the process wrote to its standard output / error so far (always
 * NUL-terminated; the length in *len when len is not NULL). */
const char *ss_os_proc_stdout(const ss_os_proc *p, size_t *len);
const char *ss_os_proc_stderr(const ss_os_proc *p, size_t *len);

/* Whether the process has ended and both of its outputs are closed; then
 * *status is its exit status, or 128 + the signal that ended it. */
int ss_os_proc_ended(const ss_os_proc *p, int *status);

/* Writes to the process's standard input. Returns 0, or -1 (it has ended,
 * or closed its input). */
int ss_os_proc_send(ss_os_proc *p, const void *data, size_t len);

/* Ends the process (if still running), waits for it and frees everything;
 * NULL is allowed. */
void ss_os_proc_free(ss_os_proc *p);

#endif
