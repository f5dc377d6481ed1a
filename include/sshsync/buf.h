/* Growable byte buffer, always NUL-terminated (after data[len]).
 * Modelled on git's strbuf: every function returns 0 on success and -1
 * when memory runs out, leaving the buffer valid. */
#ifndef SSHSYNC_BUF_H
#define SSHSYNC_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

/* printf-style checking as this build's printf reads formats (CMake sets
 * gnu_printf for MinGW's C99 stdio, where plain printf means msvcrt's). */
#ifndef SSHSYNC_PRINTF_FORMAT
#define SSHSYNC_PRINTF_FORMAT printf
#endif
#define SS_PRINTF(fmt, first) __attribute__((format(SSHSYNC_PRINTF_FORMAT, fmt, first)))

typedef struct ss_buf {
	char *data; /* NULL until the first addition */
	size_t len;
	size_t cap;
} ss_buf;

#define SS_BUF_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* Room for `extra` more bytes and the NUL; the capacity doubles. */
int ss_buf_grow(ss_buf *b, size_t extra);
/* The same with exactly that room, not the next power of two: for a
 * buffer whose final size is known (a file read whole). */
int ss_buf_reserve_exact(ss_buf *b, size_t extra);
/* Gives back the room beyond len (and its NUL); kept when realloc fails. */
void ss_buf_fit(ss_buf *b);
/* Room for `need` elements in all, the room doubled (from 8) as often as
 * that takes, in one realloc. */
int ss_array_reserve(void *arrayp, size_t *cap, size_t need, size_t size);
/* Room for one more element in the array *arrayp points to (elements of
 * `size` bytes, `n` in use, room for *cap): the room doubles, from 8. -1
 * when memory runs out (the array is then as it was). Inline: it is
 * asked for every key, section and row of a large file, and almost
 * always has room. */
static inline int ss_array_room(void *arrayp, size_t *cap, size_t n, size_t size)
{
	return n < *cap ? 0 : ss_array_reserve(arrayp, cap, n + 1, size);
}
/* Adds len bytes after making room (ss_buf_grow): the rare path of
 * ss_buf_add, out of line. */
int ss_buf_add_grown(ss_buf *b, const void *data, size_t len);

/* Inline: reports add millions of short pieces, most of them constants
 * whose length and copy the compiler then settles (a call each was a
 * fifth of a 100,000-row text table). */
static inline int ss_buf_add(ss_buf *b, const void *data, size_t len)
{
	if (!b->data || len >= b->cap - b->len)
		return ss_buf_add_grown(b, data, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

static inline int ss_buf_adds(ss_buf *b, const char *s)
{
	return ss_buf_add(b, s, strlen(s));
}

static inline int ss_buf_addc(ss_buf *b, char c)
{
	return ss_buf_add(b, &c, 1);
}
int ss_buf_addf(ss_buf *b, const char *fmt, ...) SS_PRINTF(2, 3);
/* "%lld" without printf (reports write millions of numbers) into the end
 * of `digits`: returns where the number starts. */
size_t ss_format_lld(char digits[24], long long v);
/* `n` bytes as 2n lower-case hex digits and a NUL (digests as sha256sum
 * and xxhsum print them). */
void ss_hex_lower(const unsigned char *bytes, size_t n, char *out);
/* Whether s is exactly `digits` lower-case hex digits, as ss_hex_lower
 * writes them. */
int ss_is_hex_lower(const char *s, size_t digits);
/* Appends v as "%lld" does (ss_format_lld). */
int ss_buf_add_lld(ss_buf *b, long long v);
int ss_buf_vaddf(ss_buf *b, const char *fmt, va_list ap);
/* Keeps the allocation, sets len to 0. */
void ss_buf_reset(ss_buf *b);
void ss_buf_release(ss_buf *b);
/* Hands over the data (never NULL on success; "" for an empty buffer). */
char *ss_buf_detach(ss_buf *b, size_t *len);
/* The contents as a C string ("" when empty); valid until the next change. */
const char *ss_buf_str(const ss_buf *b);

/* Checked allocation helpers: NULL only when memory runs out. */
char *ss_strdup(const char *s);
char *ss_strndup(const char *s, size_t n);
char *ss_asprintf(const char *fmt, ...) SS_PRINTF(1, 2);

/* A growable array of owned C strings. */
typedef struct ss_strlist {
	char **v;
	size_t n;
	size_t cap;
} ss_strlist;

#define SS_STRLIST_INIT                                                                            \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

int ss_strlist_push(ss_strlist *l, const char *s); /* copies s */
int ss_strlist_push_owned(ss_strlist *l, char *s); /* takes s; frees it on failure */
/* Whether the list holds a string equal to s. */
int ss_strlist_has(const ss_strlist *l, const char *s);
void ss_strlist_release(ss_strlist *l);

#endif
