/* A bump allocator: many small pieces that live and die together (the
 * tokens of a parsed file), in large chunks, freed at once. */
#ifndef SSHSYNC_ARENA_H
#define SSHSYNC_ARENA_H

#include <stddef.h>

typedef struct ss_arena_chunk ss_arena_chunk;

typedef struct ss_arena {
	ss_arena_chunk *chunks; /* the newest first */
	char *next;		/* free room in the newest chunk */
	size_t left;
} ss_arena;

#define SS_ARENA_INIT                                                                              \
	{                                                                                          \
		NULL, NULL, 0                                                                      \
	}

/* `n` bytes aligned for any object (not zeroed); NULL when memory runs
 * out. A request larger than a chunk gets a chunk of its own. */
void *ss_arena_alloc(ss_arena *a, size_t n);
/* `n` bytes with no alignment (for bytes read with memcpy): packed one
 * after the other, where aligning each wasted 8 bytes on average. */
void *ss_arena_alloc_packed(ss_arena *a, size_t n);
/* s[0..n) and a NUL, in the arena. */
char *ss_arena_strndup(ss_arena *a, const char *s, size_t n);
/* Drops every piece but keeps the newest chunk for the next ones (an
 * arena emptied again and again allocates nothing new). */
void ss_arena_reset(ss_arena *a);
/* Moves every piece of `from` into `to` (from is empty then): pieces
 * made apart, on another thread, that live as long as `to`. */
void ss_arena_adopt(ss_arena *to, ss_arena *from);
/* Frees every piece; the arena is empty and usable again. */
void ss_arena_release(ss_arena *a);

#endif
