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

/* Blocks a scanner asks for at once (4 KiB): the call is paid once for
 * them, and their masks stay in the cache. */
enum { SS_OS_EOL_BATCH = 64 };

/* The masks of the next whole blocks of data[at, len), at most
 * SS_OS_EOL_BATCH of them, into lf and cr (as ss_os_eol_bits): how many
 * (0 when fewer than 64 bytes are left). */
static inline size_t ss_os_eol_next(const char *data, size_t len, size_t at, uint64_t *lf,
				    uint64_t *cr)
{
	size_t n = (len - at) / SS_OS_EOL_BLOCK;
	if (n > SS_OS_EOL_BATCH)
		n = SS_OS_EOL_BATCH;
	ss_os_eol_bits(data + at, n, lf, cr);
	return n;
}

#endif
