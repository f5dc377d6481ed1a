/* Which of many names may come again, told by a bit of each name's hash:
 * the stores that keep the first section of a name (a WinSCP.ini read
 * whole or in pieces) look up by name only the few whose bit was met
 * before, instead of a table of every name probed at random (a 100,000-
 * site file: a table of 2 MB, its fresh pages and cache misses 2-3 ms on
 * one thread). */
#ifndef SSHSYNC_HASHBITS_H
#define SSHSYNC_HASHBITS_H

#include <stddef.h>
#include <stdint.h>

typedef struct ss_hashbits {
	uint64_t *seen;	 /* a bit for each hash added */
	uint64_t *again; /* the bits added more than once (NULL: none was) */
	size_t nbits;	 /* a power of two */
	unsigned shift;	 /* a hash's bit: its high bits, so that tables of its
			    low bits do not gather the names that share one */
	size_t repeats;	 /* hashes added whose bit was set already */
} ss_hashbits;

/* Room for about `names` hashes: 16 to 32 bits each (3 to 6 names in 100
 * share a bit with another), at most 2^30. -1 when memory runs out. */
int ss_hashbits_init(ss_hashbits *b, size_t names);
/* A bit met again (ss_hashbits_add's rare path). -1 when memory runs out. */
int ss_hashbits_again(ss_hashbits *b, size_t bit);

/* Inline: called once or twice for every name of a file. */
static inline size_t ss_hashbits_bit(const ss_hashbits *b, uint32_t hash)
{
	return (size_t)(hash >> b->shift);
}

/* -1 when memory runs out. */
static inline int ss_hashbits_add(ss_hashbits *b, uint32_t hash)
{
	size_t bit = ss_hashbits_bit(b, hash);
	uint64_t word = b->seen[bit / 64], mask = (uint64_t)1 << (bit % 64);
	if (word & mask)
		return ss_hashbits_again(b, bit);
	b->seen[bit / 64] = word | mask;
	return 0;
}

/* Whether a hash added may be a name added more than once: its bit was
 * added twice or more. */
static inline int ss_hashbits_shared(const ss_hashbits *b, uint32_t hash)
{
	size_t bit = ss_hashbits_bit(b, hash);
	return b->again && (b->again[bit / 64] >> (bit % 64) & 1);
}
/* How many of the hashes added may be such names: at most twice the
 * repeats (each shared bit has one more name than it has repeats). */
size_t ss_hashbits_suspects(const ss_hashbits *b);
void ss_hashbits_free(ss_hashbits *b);

#endif
