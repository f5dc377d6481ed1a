/* The processor's side of scanning text (src/os/): where the line
 * endings are in a run of bytes, 64 bytes a mask. os_bytes_sse2.c uses
 * the vector compares every x86-64 has; os_bytes_portable.c does the same
 * in plain C elsewhere. Finding the lines was the largest single cost of
 * loading a large file, and a byte compare's bits gathered by multiplying
 * (the portable way) took three times the instructions of SSE2's. */
#ifndef SSHSYNC_OS_BYTES_H
#define SSHSYNC_OS_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* Bytes a mask covers. */
enum { SS_OS_EOL_BLOCK = 64 };

/* For block i of the `n` blocks of 64 bytes at p: bit k of lf[i] is set
 * when p[64 i + k] is an LF, and of cr[i] (when cr is not NULL) when it
 * is a CR. */
void ss_os_eol_bits(const char *p, size_t n, uint64_t *lf, uint64_t *cr);

#endif
