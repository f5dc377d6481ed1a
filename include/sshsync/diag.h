/* Diagnostics: the one error that stopped an operation, with its place.
 * Errors read "file:line:col: message" as compilers print them; line and
 * column are 1-based and 0 when unknown. */
#ifndef SSHSYNC_DIAG_H
#define SSHSYNC_DIAG_H

#include <stddef.h>

#include "sshsync/buf.h"

typedef struct ss_diag {
	char *file;    /* NULL when the error has no file */
	size_t line;   /* 0 when the error concerns the whole file */
	size_t col;    /* 0 when unknown */
	char *message; /* NULL while no error is set */
} ss_diag;

#define SS_DIAG_INIT                                                                               \
	{                                                                                          \
		NULL, 0, 0, NULL                                                                   \
	}

/* Records an error unless one is already set (the first error is the one
 * that explains the failure). Always returns -1 so callers can write
 * `return ss_diag_set(...)`. */
int ss_diag_set(ss_diag *d, const char *file, size_t line, size_t col, const char *fmt, ...)
    SS_PRINTF(5, 6);
/* The same with errno's text appended: "message: strerror(errno)". */
int ss_diag_errno(ss_diag *d, const char *file, const char *fmt, ...) SS_PRINTF(3, 4);
int ss_diag_oom(ss_diag *d);
int ss_diag_is_set(const ss_diag *d);
/* Whether the error is running out of memory (never a file's fault). */
int ss_diag_is_oom(const ss_diag *d);
void ss_diag_clear(ss_diag *d);
/* Writes "file:line:col: message" (parts that are unknown are left out)
 * into a newly allocated string, or NULL when memory runs out. */
char *ss_diag_format(const ss_diag *d);

#endif
