/* The key path index of the block stores (see keyindex.h). */
#include "sshsync/keyindex.h"
#include "sshsync/text.h"

#include <stdlib.h>
#include <string.h>

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* FNV-1a over the lowered bytes, then the project's final mix: FNV alone
 * leaves the bucket (the low bits) to the last bytes of the name, and key
 * paths that differ only early ("...\Sessions\a1", "...\b1") crowd. */
uint64_t ss_key_hash(const char *s, size_t len)
{
	uint64_t h = SS_HASH_INIT;
	for (size_t i = 0; i < len; i++) {
		h ^= (uint64_t)lower((unsigned char)s[i]);
		h *= 1099511628211ULL;
	}
	return ss_hash_mix(h);
}

int ss_key_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return 0;
	for (size_t i = 0; i < alen; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

static char *rec(const ss_keyrecs *r, size_t i)
{
	return (char *)r->v + i * r->stride;
}

static void path_of(const ss_keyrecs *r, size_t i, const char **p, size_t *len)
{
	memcpy(p, rec(r, i) + r->path, sizeof(*p));
	memcpy(len, rec(r, i) + r->len, sizeof(*len));
}

static void set_next(const ss_keyrecs *r, size_t i, size_t next)
{
	memcpy(rec(r, i) + r->next, &next, sizeof(next));
}

int ss_keyindex_build(const ss_keyrecs *r, size_t **table, size_t *size)
{
	size_t n = 16;
	while (n < 2 * r->n)
		n *= 2;
	size_t *t = malloc(n * sizeof(*t));
	size_t *tail = malloc(n * sizeof(*tail)); /* last record of each chain */
	if (!t || !tail) {
		free(t);
		free(tail);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		t[i] = SS_KEYINDEX_NONE;
	for (size_t b = 0; b < r->n; b++) {
		const char *p, *q;
		size_t len, qlen;
		path_of(r, b, &p, &len);
		set_next(r, b, SS_KEYINDEX_NONE);
		size_t i = (size_t)ss_key_hash(p, len) & (n - 1);
		while (t[i] != SS_KEYINDEX_NONE) {
			path_of(r, t[i], &q, &qlen);
			if (ss_key_eq(q, qlen, p, len))
				break;
			i = (i + 1) & (n - 1);
		}
		if (t[i] == SS_KEYINDEX_NONE)
			t[i] = b;
		else
			set_next(r, tail[i], b);
		tail[i] = b;
	}
	free(tail);
	*table = t;
	*size = n;
	return 0;
}

size_t ss_keyindex_find(const ss_keyrecs *r, const size_t *table, size_t size, const char *path,
			size_t len)
{
	if (!size)
		return SS_KEYINDEX_NONE;
	size_t i = (size_t)ss_key_hash(path, len) & (size - 1);
	while (table[i] != SS_KEYINDEX_NONE) {
		const char *q;
		size_t qlen;
		path_of(r, table[i], &q, &qlen);
		if (ss_key_eq(q, qlen, path, len))
			return table[i];
		i = (i + 1) & (size - 1);
	}
	return SS_KEYINDEX_NONE;
}
