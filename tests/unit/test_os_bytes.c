/* ss_os_eol_bits against a byte-by-byte reading. This source is built
 * twice on x86-64: with the library's SSE2 code (test_os_bytes) and with
 * the portable code of other processors (test_os_bytes_portable). */
#include <stdlib.h>
#include <string.h>

#include "sshsync/os_bytes.h"
#include "testutil.h"

/* What the bits must be: byte k of each block, one by one. */
static void bits_by_bytes(const unsigned char *p, size_t n, uint64_t *lf, uint64_t *cr)
{
	for (size_t i = 0; i < n; i++) {
		lf[i] = cr[i] = 0;
		for (size_t k = 0; k < SS_OS_EOL_BLOCK; k++) {
			unsigned char c = p[i * SS_OS_EOL_BLOCK + k];
			lf[i] |= (uint64_t)(c == '\n') << k;
			cr[i] |= (uint64_t)(c == '\r') << k;
		}
	}
}

/* Generated blocks (LF and CR among bytes that share their low bits or
 * have the high bit set, so a sign or a mask gone wrong shows), at every
 * alignment, 0 to 9 blocks at a call, with and without the CRs asked. */
static void test_eol_bits_match_the_bytes(void **state)
{
	(void)state;
	static const unsigned char bytes[] = {'\n', '\r', 'a',	' ',  0x8A, 0x8D,
					      0xFF, 0x00, 0x0B, 0x2D, 0x7F};
	enum { MAX = 9 };
	unsigned char *buf = malloc(MAX * SS_OS_EOL_BLOCK + 16);
	assert_non_null(buf);
	unsigned seed = 20261207;
	size_t cases = 0, agree = 0, lfs = 0, crs = 0;
	for (int c = 0; c < 4000; c++) {
		size_t n = tu_pick(&seed, MAX + 1), align = tu_pick(&seed, 16);
		unsigned char *p = buf + align;
		/* Some blocks dense with line endings, some with none. */
		unsigned spread = tu_pick(&seed, 3) == 0 ? 2 : (unsigned)sizeof(bytes);
		for (size_t i = 0; i < n * SS_OS_EOL_BLOCK; i++)
			p[i] = bytes[tu_pick(&seed, spread)];
		uint64_t lf[MAX], cr[MAX], want_lf[MAX], want_cr[MAX], only_lf[MAX];
		bits_by_bytes(p, n, want_lf, want_cr);
		ss_os_eol_bits((const char *)p, n, lf, cr);
		ss_os_eol_bits((const char *)p, n, only_lf, NULL);
		int same = 1;
		for (size_t i = 0; i < n; i++) {
			same &=
			    lf[i] == want_lf[i] && cr[i] == want_cr[i] && only_lf[i] == want_lf[i];
			lfs += (size_t)__builtin_popcountll(want_lf[i]);
			crs += (size_t)__builtin_popcountll(want_cr[i]);
		}
		cases++;
		agree += same;
	}
	print_message("line endings as bits: %zu/%zu generated cases agree with the bytes "
		      "(%zu LFs, %zu CRs)\n",
		      agree, cases, lfs, crs);
	assert_int_equal(agree, cases);
	assert_true(lfs > 100000 && crs > 100000);
	free(buf);
}

/* The last bit of a block and the first of the next are each their own
 * byte's: a block of all LFs, then one with an LF only at each end. */
static void test_eol_bits_ends_of_blocks(void **state)
{
	(void)state;
	char p[2 * SS_OS_EOL_BLOCK];
	memset(p, '\n', SS_OS_EOL_BLOCK);
	memset(p + SS_OS_EOL_BLOCK, 'x', SS_OS_EOL_BLOCK);
	p[SS_OS_EOL_BLOCK] = '\r';
	p[2 * SS_OS_EOL_BLOCK - 1] = '\n';
	uint64_t lf[2], cr[2];
	ss_os_eol_bits(p, 2, lf, cr);
	assert_true(lf[0] == UINT64_MAX && cr[0] == 0);
	assert_true(lf[1] == (uint64_t)1 << 63 && cr[1] == 1);
}

/* A scanner's batches: at most SS_OS_EOL_BATCH blocks at a time, whole
 * blocks only, each block's masks where ss_os_eol_bits puts them. */
static void test_eol_next_batches(void **state)
{
	(void)state;
	enum { BLOCKS = SS_OS_EOL_BATCH + 6 };
	size_t len = BLOCKS * SS_OS_EOL_BLOCK + 10;
	char *data = malloc(len);
	assert_non_null(data);
	for (size_t i = 0; i < len; i++)
		data[i] = i % 65 == 0 ? '\n' : i % 67 == 0 ? '\r' : 'x';
	uint64_t lf[SS_OS_EOL_BATCH], cr[SS_OS_EOL_BATCH], want_lf[1], want_cr[1];
	size_t at = 0, calls = 0;
	for (size_t n; (n = ss_os_eol_next(data, len, at, lf, cr)) != 0; calls++) {
		assert_int_equal(n, calls == 0 ? SS_OS_EOL_BATCH : BLOCKS - SS_OS_EOL_BATCH);
		for (size_t k = 0; k < n; k++, at += SS_OS_EOL_BLOCK) {
			bits_by_bytes((const unsigned char *)data + at, 1, want_lf, want_cr);
			assert_true(lf[k] == want_lf[0] && cr[k] == want_cr[0]);
		}
	}
	assert_int_equal(calls, 2);
	assert_int_equal(at, BLOCKS * SS_OS_EOL_BLOCK); /* the last 10 bytes are the caller's */
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_eol_bits_match_the_bytes),
	    cmocka_unit_test(test_eol_bits_ends_of_blocks),
	    cmocka_unit_test(test_eol_next_batches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
