/* The key path index of the block stores (see keyindex.h). */
#include "sshsync/keyindex.h"
#include "sshsync/text.h"

#include <stdlib.h>
#include <string.h>

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* The word w (8 bytes of a name) with its ASCII letters lowered: a byte
 * of 'A'..'Z' gets 0x20. Each byte's low 7 bits plus a constant set its
 * high bit from 'A' on and from past 'Z' on, with no carry into the next
 * byte; bytes from 0x80 on are left as they are. */
static uint64_t fold_word(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t low = w & ~high;
	uint64_t upper = (low + ones * (0x80 - 'A')) & ~(low + ones * (0x80 - 'Z' - 1)) & ~w & high;
	return w | upper >> 2;
}

/* FNV-1a over the lowered words (a byte at a time was 5 % of a 100,000-
 * site audit, and the key index of a 10,000-session export a serial 2 %),
 * then the project's final mix: FNV alone leaves the bucket (the low bits)
 * to the last bytes of the name, and key paths that differ only early
 * ("...\Sessions\a1", "...\b1") crowd. */
uint64_t ss_key_hash(const char *s, size_t len)
{
	uint64_t h = SS_HASH_INIT ^ len, w;
	size_t i = 0;
	for (; len - i >= 8; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ fold_word(w)) * 1099511628211ULL;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, s + i, len - i);
		h = (h ^ fold_word(w)) * 1099511628211ULL;
	}
	return ss_hash_mix(h);
}

int ss_key_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return 0;
	/* Eight bytes at a time: names of a store mostly share a long start
	 * ("HKEY_CURRENT_USER\Software\SimonTatham\PuTTY\Sessions\"). */
	size_t i = 0;
	uint64_t x, y;
	for (; alen - i >= 8; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y && fold_word(x) != fold_word(y))
			return 0;
	}
	for (; i < alen; i++)
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
