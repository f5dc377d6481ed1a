/* Growable buffers and checked string helpers. */
#include "sshsync/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ss_buf_grow(ss_buf *b, size_t extra)
{
	if (extra > (size_t)-1 - b->len - 1)
		return -1;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > (size_t)-1 / 2 ? need : cap * 2;
	char *p = realloc(b->data, cap);
	if (!p)
		return -1;
	b->data = p;
	b->cap = cap;
	b->data[b->len] = '\0'; /* a first allocation is a valid empty string */
	return 0;
}

int ss_buf_reserve_exact(ss_buf *b, size_t extra)
{
	if (extra > (size_t)-1 - b->len - 1)
		return -1;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	char *p = realloc(b->data, need);
	if (!p)
		return -1;
	b->data = p;
	b->cap = need;
	b->data[b->len] = '\0';
	return 0;
}

void ss_buf_fit(ss_buf *b)
{
	if (!b->data || b->cap == b->len + 1)
		return;
	char *p = realloc(b->data, b->len + 1);
	if (p) {
		b->data = p;
		b->cap = b->len + 1;
	}
}

int ss_array_reserve(void *arrayp, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > (size_t)-1 / 2)
			return -1;
		ncap *= 2;
	}
	if (ncap > (size_t)-1 / size)
		return -1;
	void *old, *v;
	memcpy(&old, arrayp, sizeof(old));
	if (!(v = realloc(old, ncap * size)))
		return -1;
	memcpy(arrayp, &v, sizeof(v));
	*cap = ncap;
	return 0;
}

int ss_buf_add_grown(ss_buf *b, const void *data, size_t len)
{
	if (ss_buf_grow(b, len) < 0)
		return -1;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

void ss_hex_lower(const unsigned char *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

int ss_is_hex_lower(const char *s, size_t digits)
{
	return strlen(s) == digits && strspn(s, "0123456789abcdef") == digits;
}

int ss_buf_add_lld(ss_buf *b, long long v)
{
	char digits[24];
	size_t at = ss_format_lld(digits, v);
	return ss_buf_add(b, digits + at, sizeof(digits) - at);
}

int ss_buf_vaddf(ss_buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0 || ss_buf_grow(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int ss_buf_addf(ss_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = ss_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

void ss_buf_reset(ss_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void ss_buf_release(ss_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *ss_buf_detach(ss_buf *b, size_t *len)
{
	if (!b->data && ss_buf_grow(b, 0) < 0)
		return NULL;
	b->data[b->len] = '\0';
	/* A string kept is no bigger than it is: the room a buffer grew (64
	 * bytes at least, then doubling) is given back, as a million kept
	 * strings (a migrate's settings) would otherwise hold twice their size. */
	if (b->cap - b->len > 32) {
		char *shrunk = realloc(b->data, b->len + 1);
		if (shrunk)
			b->data = shrunk;
	}
	char *p = b->data;
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

const char *ss_buf_str(const ss_buf *b)
{
	return b->data ? b->data : "";
}

char *ss_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *ss_strdup(const char *s)
{
	return ss_strndup(s, strlen(s));
}

char *ss_asprintf(const char *fmt, ...)
{
	ss_buf b = SS_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int r = ss_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (r < 0) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

int ss_strlist_push_owned(ss_strlist *l, char *s)
{
	if (!s)
		return -1;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			free(s);
			return -1;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;
}

int ss_strlist_push(ss_strlist *l, const char *s)
{
	char *copy = ss_strdup(s);
	return copy ? ss_strlist_push_owned(l, copy) : -1;
}

int ss_strlist_has(const ss_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

void ss_strlist_release(ss_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

size_t ss_format_lld(char digits[24], long long v)
{
	/* Two digits at a time: half the divisions (line numbers and
	 * intervals are written millions of times by a large report). */
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	size_t n = 24;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	while (u >= 100) {
		unsigned d = (unsigned)(u % 100);
		u /= 100;
		n -= 2;
		memcpy(digits + n, pairs + 2 * d, 2);
	}
	if (u >= 10) {
		n -= 2;
		memcpy(digits + n, pairs + 2 * u, 2);
	} else {
		digits[--n] = (char)('0' + u);
	}
	if (v < 0)
		digits[--n] = '-';
	return n;
}
