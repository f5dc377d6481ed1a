/* A bit of each name's hash, and the bits met again (see hashbits.h). */
#include "sshsync/hashbits.h"

#include <stdlib.h>
#include <string.h>

enum { PAGE_WORDS = 4096 / sizeof(uint64_t) }; /* larger pages are written more than once */

int ss_hashbits_init(ss_hashbits *b, size_t names)
{
	memset(b, 0, sizeof(*b));
	unsigned log = 6;
	while (log < 30 && ((size_t)1 << log) < 16 * names)
		log++;
	b->nbits = (size_t)1 << log;
	b->shift = 32 - log;
	size_t words = b->nbits / 64;
	if (!(b->seen = calloc(words, sizeof(*b->seen))))
		return -1;
	/* Each page written first: a page of fresh memory that is read first
	 * maps the shared zero page, and its first write then faults again
	 * and flushes the other processors' address caches (64 pages for
	 * 100,000 names). Volatile: a compiler may drop a store of zero into
	 * calloc's memory, and makes malloc and memset a calloc. */
	for (size_t i = 0; i < words; i += PAGE_WORDS)
		((volatile uint64_t *)b->seen)[i] = 0;
	return 0;
}

int ss_hashbits_again(ss_hashbits *b, size_t bit)
{
	/* Few bits come again: calloc's pages stay unmapped but theirs. */
	if (!b->again && !(b->again = calloc(b->nbits / 64, sizeof(*b->again))))
		return -1;
	b->again[bit / 64] |= (uint64_t)1 << (bit % 64);
	b->repeats++;
	return 0;
}

size_t ss_hashbits_suspects(const ss_hashbits *b)
{
	return 2 * b->repeats;
}

void ss_hashbits_free(ss_hashbits *b)
{
	free(b->seen);
	free(b->again);
	memset(b, 0, sizeof(*b));
}
