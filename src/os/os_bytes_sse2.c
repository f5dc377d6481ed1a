/* Line endings as bits with SSE2 (every x86-64 has it): a compare of 16
 * bytes and its movemask, 4 to a block. CMakeLists.txt builds this file
 * for x86-64, os_bytes_portable.c elsewhere. */
#include <emmintrin.h>

#include "sshsync/os_bytes.h"

static uint64_t bits16(__m128i v, __m128i c)
{
	return (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, c));
}

/* The bytes equal to c among a block's 4 loads, bit k for byte k. */
static uint64_t bits64(const __m128i *v, __m128i c)
{
	return bits16(v[0], c) | bits16(v[1], c) << 16 | bits16(v[2], c) << 32 |
	       bits16(v[3], c) << 48;
}

void ss_os_eol_bits(const char *p, size_t n, uint64_t *lf, uint64_t *cr)
{
	const __m128i nl = _mm_set1_epi8('\n'), ret = _mm_set1_epi8('\r');
	for (size_t i = 0; i < n; i++, p += SS_OS_EOL_BLOCK) {
		__m128i v[4];
		for (int k = 0; k < 4; k++)
			v[k] = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
		lf[i] = bits64(v, nl);
		if (cr)
			cr[i] = bits64(v, ret);
	}
}
