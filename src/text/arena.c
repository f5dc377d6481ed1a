/* The bump allocator (arena.h). */
#include "sshsync/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK = 64 * 1024 };

struct ss_arena_chunk {
	ss_arena_chunk *prev;
	size_t size; /* of data */
	alignas(max_align_t) char data[];
};

/* n bytes at a multiple of `align` (a power of two) in the newest chunk,
 * or in a new one. */
static void *take(ss_arena *a, size_t n, size_t align)
{
	size_t pad = (size_t)(-(uintptr_t)a->next & (align - 1));
	if (a->next && pad <= a->left && n <= a->left - pad) {
		void *p = a->next + pad;
		a->next += pad + n;
		a->left -= pad + n;
		return p;
	}
	size_t size = n > CHUNK / 4 ? n : CHUNK;
	if (size > SIZE_MAX - sizeof(ss_arena_chunk))
		return NULL;
	ss_arena_chunk *c = malloc(sizeof(*c) + size);
	if (!c)
		return NULL;
	c->size = size;
	if (size == n && a->chunks) {
		/* A big piece gets a chunk of its own; the newest keeps its room. */
		c->prev = a->chunks->prev;
		a->chunks->prev = c;
		return c->data;
	}
	c->prev = a->chunks;
	a->chunks = c;
	a->next = c->data + n;
	a->left = size - n;
	return c->data;
}

void *ss_arena_alloc(ss_arena *a, size_t n)
{
	return take(a, n ? n : 1, alignof(max_align_t));
}

void *ss_arena_alloc_packed(ss_arena *a, size_t n)
{
	return take(a, n ? n : 1, 1);
}

char *ss_arena_strndup(ss_arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return NULL;
	char *p = ss_arena_alloc_packed(a, n + 1);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void ss_arena_reset(ss_arena *a)
{
	ss_arena_chunk *keep = a->chunks;
	if (!keep)
		return;
	for (ss_arena_chunk *c = keep->prev; c;) {
		ss_arena_chunk *prev = c->prev;
		free(c);
		c = prev;
	}
	keep->prev = NULL;
	a->next = keep->data;
	a->left = keep->size;
}

void ss_arena_adopt(ss_arena *to, ss_arena *from)
{
	if (!from->chunks)
		return;
	if (!to->chunks) {
		*to = *from;
	} else {
		/* Behind the newest chunk of `to`, which keeps its room. */
		ss_arena_chunk *oldest = from->chunks;
		while (oldest->prev)
			oldest = oldest->prev;
		oldest->prev = to->chunks->prev;
		to->chunks->prev = from->chunks;
	}
	from->chunks = NULL;
	from->next = NULL;
	from->left = 0;
}

void ss_arena_release(ss_arena *a)
{
	for (ss_arena_chunk *c = a->chunks; c;) {
		ss_arena_chunk *prev = c->prev;
		free(c);
		c = prev;
	}
	a->chunks = NULL;
	a->next = NULL;
	a->left = 0;
}
