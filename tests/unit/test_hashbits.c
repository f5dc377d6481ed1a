/* The filter of names that may come again (ss_hashbits) against a count
 * of every bit, on generated hashes: a name added twice is always among
 * those it tells, and it tells no bit added once. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/hashbits.h"
#include "testutil.h"

/* A 32-bit hash from two draws of the generator. */
static uint32_t draw(unsigned *seed)
{
	return (uint32_t)tu_lcg(seed) << 16 ^ (uint32_t)tu_lcg(seed) >> 8;
}

/* The bit of a hash, worked out here from the filter's size: its high
 * bits. */
static size_t model_bit(const ss_hashbits *b, uint32_t hash)
{
	return hash >> (32 - __builtin_ctzll(b->nbits));
}

/* n hashes, a repeat of an earlier one now and then, added to a filter
 * made for `room` names; each is then compared with a count of its bit.
 * Returns how many agree. */
static size_t check_filter(unsigned *seed, size_t n, size_t room, size_t *shared)
{
	ss_hashbits b;
	assert_int_equal(ss_hashbits_init(&b, room), 0);
	uint32_t *h = malloc((n ? n : 1) * sizeof(*h));
	uint8_t *count = calloc(b.nbits, 1);
	assert_non_null(h);
	assert_non_null(count);
	for (size_t i = 0; i < n; i++) {
		h[i] = i && tu_pick(seed, 8) == 0 ? h[tu_pick(seed, (unsigned)i)] : draw(seed);
		assert_int_equal(ss_hashbits_add(&b, h[i]), 0);
		size_t bit = model_bit(&b, h[i]);
		if (count[bit] < 2)
			count[bit]++;
	}
	size_t agree = 0, suspects = 0;
	for (size_t i = 0; i < n; i++) {
		size_t bit = model_bit(&b, h[i]);
		int model = count[bit] == 2;
		agree += ss_hashbits_shared(&b, h[i]) == model;
		suspects += model;
	}
	/* The bound a table of the suspects is made for. */
	assert_true(suspects <= ss_hashbits_suspects(&b));
	*shared += suspects;
	free(count);
	free(h);
	ss_hashbits_free(&b);
	return agree;
}

static void test_against_counts(void **state)
{
	(void)state;
	unsigned seed = 11;
	size_t cases = 0, agree = 0, hashes = 0, shared = 0;
	for (int c = 0; c < 300; c++) {
		size_t n = tu_pick(&seed, 3000);
		/* Made for as many names as come, or for far fewer (the bits
		 * then fill up and most are shared). */
		size_t room = tu_pick(&seed, 4) ? n : n / 50;
		agree += check_filter(&seed, n, room, &shared);
		hashes += n;
		cases++;
	}
	print_message("hash bits: %zu/%zu generated hashes agree with a count of their bit "
		      "(%zu cases, %zu shared)\n",
		      agree, hashes, cases, shared);
	assert_int_equal(agree, hashes);
	assert_true(shared > hashes / 50);
}

static void test_sizes(void **state)
{
	(void)state;
	ss_hashbits b;
	assert_int_equal(ss_hashbits_init(&b, 0), 0);
	assert_int_equal(b.nbits, 64); /* a word at least */
	assert_false(ss_hashbits_shared(&b, 0));
	assert_int_equal(ss_hashbits_add(&b, 0), 0);
	assert_false(ss_hashbits_shared(&b, 0));
	assert_int_equal(ss_hashbits_add(&b, 0), 0);
	assert_true(ss_hashbits_shared(&b, 0));
	assert_int_equal(ss_hashbits_suspects(&b), 2);
	ss_hashbits_free(&b);
	assert_int_equal(ss_hashbits_init(&b, 100000), 0);
	assert_int_equal(b.nbits, (size_t)1 << 21); /* 16 bits a name or more */
	ss_hashbits_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_against_counts),
	    cmocka_unit_test(test_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
