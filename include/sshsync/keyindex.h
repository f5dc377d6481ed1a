/* An index of registry key paths for the stores that hold blocks of keys
 * (store/regfile, store/winereg): paths compare ASCII case-insensitively,
 * as Windows and Wine compare the key names sshsync meets; each distinct
 * path maps to its first block, and the blocks of one path are chained in
 * file order through their `next_same` field. */
#ifndef SSHSYNC_KEYINDEX_H
#define SSHSYNC_KEYINDEX_H

#include <stddef.h>
#include <stdint.h>

#define SS_KEYINDEX_NONE ((size_t)-1)

/* The blocks: an array of records with fields `path` (const char * or
 * char *), `path_len` and `next_same` (size_t). */
typedef struct ss_keyrecs {
	void *v;
	size_t n;
	size_t stride;
	size_t path;
	size_t len;
	size_t next;
} ss_keyrecs;

#define SS_KEYRECS(arr, count, type)                                                               \
	{                                                                                          \
		(arr), (count), sizeof(type), offsetof(type, path), offsetof(type, path_len),      \
		    offsetof(type, next_same)                                                      \
	}

/* Builds the table (*table of *size slots, to be freed) and sets every
 * record's next_same. -1 when memory runs out. */
int ss_keyindex_build(const ss_keyrecs *r, size_t **table, size_t *size);
/* The first record of `path`, or SS_KEYINDEX_NONE. */
size_t ss_keyindex_find(const ss_keyrecs *r, const size_t *table, size_t size, const char *path,
			size_t len);

/* The comparison and hash the index uses. */
int ss_key_eq(const char *a, size_t alen, const char *b, size_t blen);
uint64_t ss_key_hash(const char *s, size_t len);

#endif
