/* The platform's odds and ends (src/os/): random bytes, time, host name,
 * SHA-256, code pages. */
#ifndef SSHSYNC_OS_SYS_H
#define SSHSYNC_OS_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Fills buf with random bytes from the system: 0 or -1. */
int ss_os_random(void *buf, size_t len);
/* gmtime_r: 0, or -1 when t cannot be told in UTC. */
int ss_os_gmtime(time_t t, struct tm *tm);
/* The machine's name (NUL-terminated, cut to len - 1): 0 or -1. */
int ss_os_hostname(char *buf, size_t len);
/* SHA-256 of data: 0 or -1. */
int ss_os_sha256(const void *data, size_t len, unsigned char out[32]);
/* SHA-256 piece by piece: begin (NULL: no memory or no SHA-256), update
 * (0 or -1), end (0 or -1; frees the context, which may be NULL). */
typedef struct ss_os_sha256_ctx ss_os_sha256_ctx;
ss_os_sha256_ctx *ss_os_sha256_begin(void);
int ss_os_sha256_update(ss_os_sha256_ctx *c, const void *data, size_t len);
int ss_os_sha256_end(ss_os_sha256_ctx *c, unsigned char out[32]);
/* Whether SHA-256 is there: 0 when the first SHA-256 call would end
 * sshsync (POSIX: libcrypto, loaded on first use, cannot be loaded), so
 * that work which can do without it (a hash made ahead of need) leaves
 * the error to the call that needs it, where sshsync always reported it. */
int ss_os_sha256_ready(void);
/* Converts `len` bytes from code page `from` to `to` (names such as
 * "UTF-8", "CP1251" or "1251"): 0 with *out newly allocated (NUL-
 * terminated, *outlen long); -1 no memory; -2 when the text has a
 * character the other cannot hold, bytes that are not `from`, or the
 * system does not know one of the code pages (*out is then NULL). */
int ss_os_convert(const char *to, const char *from, const char *s, size_t len, char **out,
		  size_t *outlen);

/* A UTF-8 name as a program of the Windows "A" API gets it from the
 * system (RegEnumKeyA: the system's ANSI code page, best fit, '?' for
 * the rest):
 * 0 with *out newly allocated; -1 no memory; -2 not UTF-8, or no ANSI
 * code page (not Windows: *out is then NULL). */
int ss_os_ansi_name(const char *utf8, char **out);

/* A second thread, for work that can overlap with the caller's (hashing
 * while writing): runs fn(arg) until ss_os_thread_join waits for it and
 * frees it. 0, or -1 (errno set) when no thread could be made: the caller
 * then runs fn itself. fn must touch nothing the caller changes meanwhile. */
typedef struct ss_os_thread ss_os_thread;
int ss_os_thread_start(ss_os_thread **t, void (*fn)(void *arg), void *arg);
void ss_os_thread_join(ss_os_thread *t);

/* A lock with one condition to wait on, for two threads that hand each
 * other work (pieces of a file being written, to be hashed). new: NULL
 * when there is no memory. wait: the caller holds the lock; it is let go
 * until some thread calls wake (or spuriously: wait in a loop on the
 * condition), then held again. wake: every waiting thread wakes. */
typedef struct ss_os_monitor ss_os_monitor;
ss_os_monitor *ss_os_monitor_new(void);
void ss_os_monitor_free(ss_os_monitor *m);
void ss_os_monitor_enter(ss_os_monitor *m);
void ss_os_monitor_leave(ss_os_monitor *m);
void ss_os_monitor_wait(ss_os_monitor *m);
void ss_os_monitor_wake(ss_os_monitor *m);

#endif
