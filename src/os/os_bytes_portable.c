/* Line endings as bits in portable C, for processors without
 * os_bytes_sse2.c: 16 bytes compared at once (GCC's vector extension),
 * each match kept as bit k%8 of byte k, and the bytes of each 8 added up
 * by a multiplication into their 8 bits (a sum, so the machine's byte
 * order does not matter). */
#include <string.h>

#include "sshsync/os_bytes.h"

typedef signed char bytes16 __attribute__((vector_size(16)));

static uint64_t bits16(const char *p, char c)
{
	const bytes16 weight = {1, 2, 4, 8, 16, 32, 64, (signed char)128,
				1, 2, 4, 8, 16, 32, 64, (signed char)128};
	bytes16 v;
	memcpy(&v, p, 16);
	bytes16 bits = (bytes16)(v == c) & weight;
	uint64_t half[2];
	memcpy(half, &bits, 16);
	const uint64_t sum = 0x0101010101010101ULL;
	return (half[0] * sum) >> 56 | (half[1] * sum) >> 56 << 8;
}

static uint64_t bits64(const char *p, char c)
{
	return bits16(p, c) | bits16(p + 16, c) << 16 | bits16(p + 32, c) << 32 |
	       bits16(p + 48, c) << 48;
}

void ss_os_eol_bits(const char *p, size_t n, uint64_t *lf, uint64_t *cr)
{
	for (size_t i = 0; i < n; i++, p += SS_OS_EOL_BLOCK) {
		lf[i] = bits64(p, '\n');
		if (cr)
			cr[i] = bits64(p, '\r');
	}
}
