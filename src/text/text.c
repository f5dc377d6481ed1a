/* Loading a settings file: bytes, encoding, line table. */
#include "sshsync/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "sshsync/os_bytes.h"
#include "sshsync/os_file.h"
#include "sshsync/os_sys.h"

uint64_t ss_hash_update(uint64_t h, const void *data, size_t len)
{
	/* FNV-1a over 8-byte words, then the tail byte by byte: 8 times fewer
	 * multiplications on an 80 MB export. Callers that hash piece by piece
	 * must cut at multiples of 8. */
	const unsigned char *p = data;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h ^= w;
		h *= 1099511628211ULL;
		h ^= h >> 32;
	}
	for (; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

uint64_t ss_hash_bytes(const void *data, size_t len)
{
	return ss_hash_update(SS_HASH_INIT, data, len);
}

uint64_t ss_hash_mix(uint64_t h)
{
	/* MurmurHash3's fmix64: an invertible avalanche of all 64 bits. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t ss_hash_key(const char *s, size_t len)
{
	return ss_hash_mix(ss_hash_bytes(s, len));
}

static void lanes_begin(uint64_t lane[4])
{
	for (int i = 0; i < 4; i++)
		lane[i] = SS_HASH_INIT + (uint64_t)i;
}

/* n bytes, a multiple of 32, into the lanes. The lanes do not wait for
 * each other: four multiplications in flight. */
static void lanes_units(uint64_t lane[4], const unsigned char *p, size_t n)
{
	uint64_t a = lane[0], b = lane[1], c = lane[2], e = lane[3];
	for (size_t i = 0; i < n; i += 32) {
		uint64_t w[4];
		memcpy(w, p + i, 32);
		a = (a ^ w[0]) * 1099511628211ULL;
		b = (b ^ w[1]) * 1099511628211ULL;
		c = (c ^ w[2]) * 1099511628211ULL;
		e = (e ^ w[3]) * 1099511628211ULL;
		a ^= a >> 32;
		b ^= b >> 32;
		c ^= c >> 32;
		e ^= e >> 32;
	}
	lane[0] = a, lane[1] = b, lane[2] = c, lane[3] = e;
}

/* The block under way as it stands (the bytes held included), mixed with
 * its index and length: what it adds to the sum. */
static uint64_t block_value(const ss_content_hash *h)
{
	uint64_t lane[4] = {h->lane[0], h->lane[1], h->lane[2], h->lane[3]};
	for (size_t i = 0; i < h->held; i++) {
		lane[i % 4] ^= h->unit[i];
		lane[i % 4] *= 1099511628211ULL;
	}
	uint64_t x = lane[0];
	for (int i = 1; i < 4; i++) {
		x ^= lane[i] + 0x9E3779B97F4A7C15ULL + (x << 6) + (x >> 2);
		x *= 1099511628211ULL;
	}
	uint64_t len = h->fill + h->held;
	return ss_hash_mix(x ^ ss_hash_mix(h->block * 0x9E3779B97F4A7C15ULL + len));
}

void ss_content_hash_init_at(ss_content_hash *h, uint64_t offset)
{
	memset(h, 0, sizeof(*h));
	lanes_begin(h->lane);
	h->first = h->block = offset / SS_CONTENT_BLOCK;
}

void ss_content_hash_init(ss_content_hash *h)
{
	ss_content_hash_init_at(h, 0);
}

void ss_content_hash_update(ss_content_hash *h, const void *data, size_t len)
{
	const unsigned char *p = data;
	while (len) {
		if (h->held || len < 32) {
			/* A unit cut between pieces waits for its other bytes. */
			size_t n = 32 - h->held < len ? 32 - h->held : len;
			memcpy(h->unit + h->held, p, n);
			h->held += n;
			p += n;
			len -= n;
			if (h->held < 32)
				return;
			lanes_units(h->lane, h->unit, 32);
			h->held = 0;
			h->fill += 32;
		} else {
			size_t room = SS_CONTENT_BLOCK - h->fill;
			size_t n = (len < room ? len : room) & ~(size_t)31;
			lanes_units(h->lane, p, n);
			h->fill += n;
			p += n;
			len -= n;
		}
		if (h->fill == SS_CONTENT_BLOCK) {
			h->sum += block_value(h);
			lanes_begin(h->lane);
			h->block++;
			h->fill = 0;
		}
	}
}

int ss_content_hash_join(ss_content_hash *h, const ss_content_hash *next)
{
	if (h->held || h->fill || h->block != next->first)
		return -1;
	uint64_t first = h->first, sum = h->sum + next->sum;
	*h = *next;
	h->first = first;
	h->sum = sum;
	return 0;
}

uint64_t ss_content_hash_middle(uint64_t size)
{
	return size / 2 / SS_CONTENT_BLOCK * SS_CONTENT_BLOCK;
}

uint64_t ss_content_hash_final(const ss_content_hash *h)
{
	return ss_hash_mix(h->sum + block_value(h));
}

uint64_t ss_content_hash_bytes(const void *data, size_t len)
{
	ss_content_hash h;
	ss_content_hash_init(&h);
	ss_content_hash_update(&h, data, len);
	return ss_content_hash_final(&h);
}

/* --- UTF-16LE <-> UTF-8 (WTF-8 for lone surrogates, so nothing is lost) --- */

static int put_utf8(ss_buf *out, uint32_t cp)
{
	unsigned char s[4];
	size_t n;
	if (cp < 0x80) {
		s[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		s[0] = (unsigned char)(0xC0 | (cp >> 6));
		s[1] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		s[0] = (unsigned char)(0xE0 | (cp >> 12));
		s[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		s[2] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		s[0] = (unsigned char)(0xF0 | (cp >> 18));
		s[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		s[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		s[3] = (unsigned char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return ss_buf_add(out, s, n);
}

/* Sixteen bytes as one vector (GCC's and Clang's vector extension: SSE2
 * or NEON code where there is one, portable C otherwise). */
typedef unsigned char bytes16 __attribute__((vector_size(16)));

/* The even bytes of a and b, in order: the low bytes of 16 UTF-16LE units. */
static inline bytes16 low_bytes(bytes16 a, bytes16 b)
{
	return __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28,
				       30);
}

/* Whether the 64 bytes at p are 32 ASCII units (each below 0x80), then
 * their 32 bytes to o: a mask and two packs for what was a loop. */
static inline int ascii_units32(const unsigned char *p, char *o)
{
	/* Bits that a unit below 0x80 has clear, low byte first. */
	const bytes16 non_ascii = {0x80, 0xFF, 0x80, 0xFF, 0x80, 0xFF, 0x80, 0xFF,
				   0x80, 0xFF, 0x80, 0xFF, 0x80, 0xFF, 0x80, 0xFF};
	bytes16 a, b, c, d;
	memcpy(&a, p, 16);
	memcpy(&b, p + 16, 16);
	memcpy(&c, p + 32, 16);
	memcpy(&d, p + 48, 16);
	bytes16 high = (a | b | c | d) & non_ascii;
	uint64_t half[2];
	memcpy(half, &high, 16);
	if (half[0] | half[1])
		return 0;
	bytes16 x = low_bytes(a, b), y = low_bytes(c, d);
	memcpy(o, &x, 16);
	memcpy(o + 16, &y, 16);
	return 1;
}

static int decode_utf16le(const unsigned char *p, size_t len, ss_buf *out)
{
	if (ss_buf_grow(out, len + len / 2) < 0)
		return -1;
	/* Room for the worst case (3 bytes per unit) is reserved above, so the
	 * ASCII run that makes up most of a registry export needs no checks. */
	char *o = out->data + out->len;
	for (size_t i = 0; i + 1 < len; i += 2) {
		/* 32 ASCII units at a time while they last (the load of an
		 * 80 MB export took 15 ms of CPU here, a byte loop over them
		 * that the compiler made vector code, 3 ms now). */
		for (; i + 64 <= len && ascii_units32(p + i, o); i += 64, o += 32)
			;
		while (i + 1 < len && p[i + 1] == 0 && p[i] < 0x80) {
			*o++ = (char)p[i];
			i += 2;
		}
		out->len = (size_t)(o - out->data);
		if (i + 1 >= len)
			break;
		uint32_t u = (uint32_t)p[i] | ((uint32_t)p[i + 1] << 8);
		if (u >= 0xD800 && u <= 0xDBFF && i + 3 < len) {
			uint32_t lo = (uint32_t)p[i + 2] | ((uint32_t)p[i + 3] << 8);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
				i += 2;
			}
		}
		if (put_utf8(out, u) < 0)
			return -1;
		o = out->data + out->len;
	}
	out->data[out->len] = '\0';
	return 0;
}

static int put_utf16(ss_buf *out, uint32_t cp)
{
	unsigned char s[4];
	if (cp >= 0x10000) {
		uint32_t v = cp - 0x10000;
		uint32_t hi = 0xD800 + (v >> 10), lo = 0xDC00 + (v & 0x3FF);
		s[0] = (unsigned char)(hi & 0xFF);
		s[1] = (unsigned char)(hi >> 8);
		s[2] = (unsigned char)(lo & 0xFF);
		s[3] = (unsigned char)(lo >> 8);
		return ss_buf_add(out, s, 4);
	}
	s[0] = (unsigned char)(cp & 0xFF);
	s[1] = (unsigned char)(cp >> 8);
	return ss_buf_add(out, s, 2);
}

size_t ss_utf8_decode(const unsigned char *p, size_t len, uint32_t *cp, int allow_surrogates)
{
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	size_t n;
	uint32_t v;
	if ((p[0] & 0xE0) == 0xC0) {
		n = 2;
		v = p[0] & 0x1F;
	} else if ((p[0] & 0xF0) == 0xE0) {
		n = 3;
		v = p[0] & 0x0F;
	} else if ((p[0] & 0xF8) == 0xF0) {
		n = 4;
		v = p[0] & 0x07;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3F);
	}
	static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
	if (v < min[n] || v > 0x10FFFF || (!allow_surrogates && v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

/* U+xxxx of the bytes 0x80-0x9F of Windows-1252 (0: unused, kept as C1). */
static const uint16_t CP1252_HIGH[32] = {
    0x20AC, 0,	    0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,	    0x017D, 0,	    0,	    0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,	    0x017E, 0x0178};

static uint32_t cp1252_char(unsigned char c)
{
	if (c >= 0x80 && c <= 0x9F && CP1252_HIGH[c - 0x80])
		return CP1252_HIGH[c - 0x80];
	return c;
}

int ss_cp1252_to_utf8(const char *s, size_t len, ss_buf *out)
{
	int r = ss_buf_grow(out, len);
	for (size_t i = 0; i < len && r == 0; i++)
		r = put_utf8(out, cp1252_char((unsigned char)s[i]));
	return r;
}

int ss_utf8_to_cp1252(const char *s, size_t len, ss_buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0, n; i < len; i += n) {
		uint32_t cp;
		if (!(n = ss_utf8_decode(p + i, len - i, &cp, 0)))
			return -2;
		int byte = cp < 0x100 && cp1252_char((unsigned char)cp) == cp ? (int)cp : -1;
		for (int c = 0x80; byte < 0 && c <= 0x9F; c++)
			if (CP1252_HIGH[c - 0x80] == cp)
				byte = c;
		if (byte < 0)
			return -2;
		if (ss_buf_addc(out, (char)byte) < 0)
			return -1;
	}
	return 0;
}

static int is_cp1252(const char *cp)
{
	return !cp || !*cp || strcasecmp(cp, "1252") == 0 || strcasecmp(cp, "cp1252") == 0 ||
	       strcasecmp(cp, "windows-1252") == 0;
}

/* s[0..len) from one encoding to the other; -2 for a byte sequence or a
 * character the other cannot hold, or an encoding the system does not know. */
static int convert_all(const char *to, const char *from, const char *s, size_t len, ss_buf *out)
{
	char *conv = NULL;
	size_t n = 0;
	int r = ss_os_convert(to, from, s, len, &conv, &n);
	if (r == 0)
		r = ss_buf_add(out, conv, n) < 0 ? -1 : 0;
	free(conv);
	return r;
}

int ss_ansi_known(const char *codepage)
{
	if (is_cp1252(codepage))
		return 1;
	ss_buf b = SS_BUF_INIT;
	int r = convert_all("UTF-8", codepage, "", 0, &b);
	ss_buf_release(&b);
	return r == 0;
}

int ss_ansi_to_utf8(const char *codepage, const char *s, size_t len, ss_buf *out)
{
	if (is_cp1252(codepage))
		return ss_cp1252_to_utf8(s, len, out);
	return convert_all("UTF-8", codepage, s, len, out);
}

int ss_utf8_to_ansi(const char *codepage, const char *s, size_t len, ss_buf *out)
{
	if (is_cp1252(codepage))
		return ss_utf8_to_cp1252(s, len, out);
	if (!ss_utf8_valid(s, len))
		return -2;
	return convert_all(codepage, "UTF-8", s, len, out);
}

int ss_utf16le_to_utf8(const void *bytes, size_t len, ss_buf *out)
{
	return decode_utf16le(bytes, len & ~(size_t)1, out);
}

int ss_utf8_to_utf16le(const char *s, size_t len, ss_buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0, n; i < len; i += n) {
		uint32_t cp;
		if (!(n = ss_utf8_decode(p + i, len - i, &cp, 1)))
			return -2;
		if (put_utf16(out, cp) < 0)
			return -1;
	}
	return 0;
}

int ss_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	for (size_t i = 0, n; i < len; i += n) {
		/* ASCII eight bytes at a time (a diff of a big file is nearly
		 * all ASCII), a sequence at a time where a byte is not. */
		if (i + 8 <= len && !(ss_word_le64(p + i) & 0x8080808080808080ULL)) {
			n = 8;
			continue;
		}
		if (!(n = ss_utf8_decode(p + i, len - i, &cp, 0)))
			return 0;
	}
	return 1;
}

/* A code point that must not reach a terminal or a report as it is. */
static int unprintable(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E ||
	       cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0xFFFE || cp == 0xFFFF;
}

/* Where the run of printable ASCII (0x20-0x7E) from p[i] ends, below len:
 * eight bytes at a time while all are, then a byte at a time. */
static size_t printable_run(const unsigned char *p, size_t i, size_t len)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	for (; i + 8 <= len; i += 8) {
		uint64_t w = ss_word_le64(p + i);
		/* A byte below 0x20 borrows into its high bit; one above 0x7E
		 * (the high bit set, or 0x7F) carries into it. The word test is
		 * exact; which byte it was is left to the loop below. */
		uint64_t below = (w - ones * 0x20) & ~w & high;
		uint64_t above = (((w & ~high) + ones * (0x80 - 0x7F)) | w) & high;
		if (below | above)
			break;
	}
	while (i < len && p[i] >= 0x20 && p[i] < 0x7F)
		i++;
	return i;
}

int ss_text_add_printable(ss_buf *out, const char *s, size_t len, int flags)
{
	const unsigned char *p = (const unsigned char *)s;
	int r = 0;
	for (size_t i = 0; i < len && r == 0;) {
		/* A run of printable ASCII (most of any report) goes in at once. */
		size_t run = printable_run(p, i, len);
		if (run > i) {
			r = ss_buf_add(out, p + i, run - i);
			i = run;
			continue;
		}
		uint32_t cp;
		size_t n = ss_utf8_decode(p + i, len - i, &cp, 0);
		int keep = n && (!unprintable(cp) || (cp == '\n' && (flags & SS_PRINT_KEEP_LF)) ||
				 (cp == '\t' && (flags & SS_PRINT_KEEP_TAB)));
		if (!keep) {
			/* Every byte of a bad sequence, so that none is lost. */
			size_t k = n ? n : 1;
			for (size_t j = 0; j < k && r == 0; j++)
				r = ss_buf_addf(out, "\\x%02X", p[i + j]);
			i += k;
			continue;
		}
		r = ss_buf_add(out, p + i, n);
		i += n;
	}
	return r;
}

int ss_text_encode_append(const ss_text *t, const char *data, size_t len, ss_buf *out, ss_diag *d)
{
	if (t->enc == SS_ENC_BYTES)
		return ss_buf_add(out, data, len) < 0 ? ss_diag_oom(d) : 0;
	const unsigned char *p = (const unsigned char *)data;
	if (ss_buf_grow(out, 2 * len) < 0)
		return ss_diag_oom(d);
	for (size_t i = 0; i < len;) {
		if (p[i] < 0x80) {
			/* 2 bytes per input byte are reserved above: no checks. */
			char *o = out->data + out->len;
			/* 32 ASCII bytes at a time while they last: a fixed-size
			 * block the compiler turns into vector unpacks (twice the
			 * speed of 8 at a time, and an apply encodes a file 3 times). */
			for (; i + 32 <= len; i += 32, o += 64) {
				uint64_t w[4];
				memcpy(w, p + i, 32);
				if ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080ULL)
					break;
				for (int k = 0; k < 32; k++) {
					o[2 * k] = (char)p[i + k];
					o[2 * k + 1] = '\0';
				}
			}
			while (i < len && p[i] < 0x80) {
				*o++ = (char)p[i++];
				*o++ = '\0';
			}
			out->len = (size_t)(o - out->data);
			continue;
		}
		uint32_t cp;
		size_t n = ss_utf8_decode(p + i, len - i, &cp, 1);
		if (!n)
			return ss_diag_set(d, t->path, 0, 0,
					   "internal error: text to encode as UTF-16 is not UTF-8");
		if (put_utf16(out, cp) < 0)
			return ss_diag_oom(d);
		i += n;
	}
	out->data[out->len] = '\0';
	return 0;
}

int ss_text_encode(const ss_text *t, const char *data, size_t len, ss_buf *out, ss_diag *d)
{
	if (t->enc == SS_ENC_UTF16LE && ss_buf_add(out, "\xFF\xFE", 2) < 0)
		return ss_diag_oom(d);
	return ss_text_encode_append(t, data, len, out, d);
}

/* --- case-insensitive search --- */

/* The first byte of [p, end) that is a or b, or NULL. */
static const char *find_either(const char *p, const char *end, unsigned char a, unsigned char b)
{
	if (a == b)
		return memchr(p, a, (size_t)(end - p));
	for (; p < end; p++)
		if ((unsigned char)*p == a || (unsigned char)*p == b)
			return p;
	return NULL;
}

int ss_text_contains_ci(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	if (n > len)
		return 0;
	if (n == 0)
		return 1;
	/* strncasecmp only where the first byte matches: most needles start
	 * with a backslash or a bracket, which memchr finds. */
	unsigned char a = (unsigned char)needle[0], b = a;
	if (a >= 'a' && a <= 'z')
		b = (unsigned char)(a - ('a' - 'A'));
	else if (a >= 'A' && a <= 'Z')
		b = (unsigned char)(a + ('a' - 'A'));
	const char *end = s + (len - n) + 1; /* past the last place a match may start */
	for (const char *p = find_either(s, end, a, b); p; p = find_either(p + 1, end, a, b))
		if (strncasecmp(p + 1, needle + 1, n - 1) == 0)
			return 1;
	return 0;
}

/* --- line table --- */

/* The line table is built while the text arrives: each piece is scanned
 * right after it was decoded or read, while it is still in the cache (a
 * second pass over an 80 MB export's 40 MB of text read it back from
 * memory). */

typedef struct line_builder {
	uint32_t *lines;
	size_t cap, n, lf, crlf;
	size_t start;	/* where the line being scanned starts */
	size_t scanned; /* bytes of the text looked at */
	int fixed;	/* its room is part of a larger table: never grown */
	int full;	/* fixed, and a line found no room: the table is incomplete */
} line_builder;

/* Room for lines of 16 bytes of `expect` bytes of text, doubled when they
 * are shorter: settings lines are longer (an export's average 28), and
 * pages of the table that are never written cost nothing, while growing
 * it copies it into fresh memory. */
static int lines_begin(line_builder *b, size_t expect)
{
	memset(b, 0, sizeof(*b));
	b->cap = expect / 16 + 16;
	if (!(b->lines = malloc(b->cap * sizeof(*b->lines))))
		return -1;
	return 0;
}

static int lines_grow(line_builder *b)
{
	uint32_t *v = realloc(b->lines, 2 * b->cap * sizeof(*v));
	if (!v)
		return -1;
	b->lines = v;
	b->cap *= 2;
	return 0;
}

/* The line from b->start up to the LF at `lf` of data. */
static int add_line(line_builder *b, const char *data, size_t lf)
{
	if (b->n == b->cap && b->fixed) {
		b->full = 1;
		return 0;
	}
	if (b->n == b->cap && lines_grow(b) < 0)
		return -1;
	b->lines[b->n++] = (uint32_t)b->start;
	if (lf > b->start && data[lf - 1] == '\r')
		b->crlf++;
	else
		b->lf++;
	b->start = lf + 1;
	return 0;
}

/* The lines of the LFs `m` marks in the 64 bytes at data[at], when the
 * table has room for 64 more (else 0: add_line takes them, one by one). */
static int lines_of_block(line_builder *b, const char *data, size_t at, uint64_t m)
{
	if (b->cap - b->n < 64)
		return 0;
	uint32_t *o = b->lines + b->n, *first = o;
	size_t start = b->start, crlf = 0;
	for (; m; m &= m - 1) {
		size_t lf = at + (size_t)__builtin_ctzll(m);
		*o++ = (uint32_t)start;
		/* A CR before the LF ends this line with it, unless the LF
		 * starts the line (the byte before is then not the line's):
		 * then the LF itself is looked at, without a branch. */
		crlf += data[lf - (lf > start)] == '\r';
		start = lf + 1;
	}
	size_t count = (size_t)(o - first);
	b->n += count;
	b->crlf += crlf;
	b->lf += count - crlf;
	b->start = start;
	return 1;
}

/* The lines the LFs `m` of the 64 bytes at data[at] end: 1 when the
 * table is full, -1 when memory runs out. */
static int lines_of_mask(line_builder *b, const char *data, size_t at, uint64_t m)
{
	if (!m || lines_of_block(b, data, at, m))
		return 0;
	for (; m; m &= m - 1) {
		if (add_line(b, data, at + (size_t)__builtin_ctzll(m)) < 0)
			return -1;
		if (b->full)
			return 1;
	}
	return 0;
}

/* Adds the lines ended in data[b->scanned, len) (none to a builder
 * never begun: a load without the table). 64 bytes at a time, each LF a
 * bit of a mask (ss_os_eol_next, for a batch of blocks at once), without
 * a call or a branch per line: the 1.4 million lines of an 80 MB export
 * (28 bytes each) took 50 instructions each through memchr, one call per
 * line. */
static int lines_scan(line_builder *b, const char *data, size_t len)
{
	if (!b->lines || b->full)
		return 0;
	size_t i = b->scanned;
	uint64_t bits[SS_OS_EOL_BATCH];
	for (size_t n; (n = ss_os_eol_next(data, len, i, bits, NULL)) != 0;) {
		for (size_t k = 0; k < n; k++, i += SS_OS_EOL_BLOCK) {
			int r = lines_of_mask(b, data, i, bits[k]);
			if (r != 0)
				return r < 0 ? -1 : 0;
		}
	}
	const char *s = data + i, *e = data + len, *lf;
	while ((lf = memchr(s, '\n', (size_t)(e - s))) != NULL) {
		if (add_line(b, data, (size_t)(lf - data)) < 0)
			return -1;
		if (b->full)
			return 0;
		s = lf + 1;
	}
	b->scanned = len;
	return 0;
}

/* Offsets are 32 bits in a line. */
static int check_size(const ss_text *t, ss_diag *d)
{
	if (t->len > SS_TEXT_MAX)
		return ss_diag_set(d, t->path, 0, 0, "text is larger than %zu bytes", SS_TEXT_MAX);
	return 0;
}

/* The last line (without an ending) and the table into t, once all of
 * t->data was scanned. */
static int lines_end(line_builder *b, ss_text *t, ss_diag *d)
{
	if (check_size(t, d) < 0)
		return -1;
	if (b->start < t->len) {
		if (b->n == b->cap && lines_grow(b) < 0)
			return ss_diag_oom(d);
		b->lines[b->n++] = (uint32_t)b->start; /* without an ending */
	}
	uint32_t *fit = b->n ? realloc(b->lines, b->n * sizeof(*fit)) : NULL;
	if (fit)
		b->lines = fit; /* else the larger table stays */
	t->lines = b->lines;
	b->lines = NULL;
	t->nlines = b->n;
	t->ncrlf = b->crlf;
	t->style = b->crlf > b->lf ? SS_EOL_CRLF : SS_EOL_LF;
	return 0;
}

/* The table of a whole text at once. */
static int build_lines(ss_text *t, ss_diag *d)
{
	line_builder b = {0};
	int r = check_size(t, d);
	if (r == 0 && (lines_begin(&b, t->len) < 0 || lines_scan(&b, t->data, t->len) < 0))
		r = ss_diag_oom(d);
	if (r == 0)
		r = lines_end(&b, t, d);
	free(b.lines);
	return r;
}

/* Fills the text around its decoded data (taken over from `data`): path,
 * line table when `lines`: `lb`, begun and fed while the data arrived, or
 * NULL: built here. The identity's hash and size are the caller's. */
static int init_text(ss_text *t, const char *display, ss_encoding enc, ss_buf *data, int lines,
		     line_builder *lb, ss_diag *d)
{
	t->enc = enc;
	t->path = ss_strdup(display);
	int r = t->path ? 0 : ss_diag_oom(d);
	if (r == 0 && ss_buf_grow(data, 0) < 0)
		r = ss_diag_oom(d);
	if (r == 0 && !(t->data = ss_buf_detach(data, &t->len)))
		r = ss_diag_oom(d);
	if (r == 0 && !lines)
		r = check_size(t, d);
	else if (r == 0)
		r = lb ? lines_end(lb, t, d) : build_lines(t, d);
	ss_buf_release(data);
	if (r < 0)
		ss_text_free(t);
	return r;
}

static int init_from_data(ss_text *t, const char *display, ss_encoding enc, ss_buf *data,
			  ss_diag *d)
{
	return init_text(t, display, enc, data, 1, NULL, d);
}

static int odd_utf16(const char *display, size_t len, ss_diag *d)
{
	return ss_diag_set(d, display, 0, 0,
			   "truncated UTF-16 file: it has an odd number of bytes (%zu)", len);
}

int ss_text_odd_utf16(const char *display, uint64_t len, ss_diag *d)
{
	return odd_utf16(display, (size_t)len, d);
}

/* Builds the text from the file's bytes, taking `raw` over: a byte file's
 * text is its buffer itself (no second copy of a large file). */
static int init_from_raw(ss_text *t, const char *display, ss_buf *raw, ss_diag *d)
{
	memset(t, 0, sizeof(*t));
	const unsigned char *p = (const unsigned char *)ss_buf_str(raw);
	size_t len = raw->len;
	t->id.hash = ss_content_hash_bytes(p, len);
	t->id.size = (int64_t)len;
	if (ss_text_starts_utf16(p, (long long)len)) {
		ss_buf b = SS_BUF_INIT;
		int r = len % 2					 ? odd_utf16(display, len, d)
			: decode_utf16le(p + 2, len - 2, &b) < 0 ? ss_diag_oom(d)
								 : 0;
		ss_buf_release(raw);
		if (r < 0) {
			ss_buf_release(&b);
			return -1;
		}
		return init_from_data(t, display, SS_ENC_UTF16LE, &b, d);
	}
	return init_from_data(t, display, SS_ENC_BYTES, raw, d);
}

int ss_text_starts_utf16(const void *head, long long len)
{
	const unsigned char *p = head;
	return len >= 2 && p[0] == 0xFF && p[1] == 0xFE;
}

int ss_text_from_bytes(ss_text *t, const char *display, const void *bytes, size_t len, ss_diag *d)
{
	ss_buf raw = SS_BUF_INIT;
	if (ss_buf_add(&raw, bytes, len) < 0 || ss_buf_grow(&raw, 0) < 0) {
		ss_buf_release(&raw);
		memset(t, 0, sizeof(*t));
		return ss_diag_oom(d);
	}
	return init_from_raw(t, display, &raw, d);
}

int ss_text_new_empty(ss_text *t, const char *display, ss_encoding enc, ss_eol style, ss_diag *d)
{
	if (ss_text_from_bytes(t, display, "", 0, d) < 0)
		return -1;
	t->enc = enc;
	t->style = style;
	t->id.known = 0;
	return 0;
}

/* Reading a file once, in chunks: each chunk is hashed as it arrives and,
 * in a UTF-16 file, decoded into the text right away, so that the file's
 * bytes are never held whole beside their UTF-8 text. */
enum { LOAD_CHUNK = SS_TEXT_CHUNK };

typedef struct loader {
	int fd;
	const char *path;
	size_t limit;
	size_t raw;	      /* bytes read */
	int hashing;	      /* whether the file's times cannot tell it (ss_file_racy) */
	ss_content_hash hash; /* of those bytes, when hashing */
	ss_buf text;	      /* the bytes (byte files) or their UTF-8 (UTF-16 files) */
	int want_lines;	      /* whether the text gets its line table */
	line_builder lines;   /* of text, scanned as it grows */
	unsigned char *chunk; /* UTF-16: 2 bytes kept back, then one chunk */
	size_t kept;	      /* a high surrogate that may pair with the next chunk */
	int64_t at;	      /* the file offset of its first byte read at offsets; -1: reads on */
	size_t stop;	      /* bytes it reads at most */
	size_t bound;	      /* text up to here only (SIZE_MAX: any): another thread writes on */
	int fixed;	      /* text is a view into another loader's: never reallocated */
} loader;

/* Reads up to one chunk to `to`: how many bytes (0 at the end), or -1. */
static ssize_t load_read(loader *l, void *to, ss_diag *d)
{
	size_t want = l->stop - l->raw < LOAD_CHUNK ? l->stop - l->raw : LOAD_CHUNK;
	ssize_t n = l->at < 0 ? ss_os_read_full(l->fd, to, want)
			      : ss_os_pread_full(l->fd, to, want, (uint64_t)l->at + l->raw);
	if (n < 0)
		return ss_diag_errno(d, l->path, "cannot read");
	l->raw += (size_t)n;
	if (l->raw > l->limit)
		return ss_diag_set(d, l->path, 0, 0, "file is larger than %zu bytes", l->limit);
	if (l->hashing)
		ss_content_hash_update(&l->hash, to, (size_t)n);
	return n;
}

/* A loader's text that was a view into another's buffer, copied into a
 * buffer of its own (which grows). */
static int own_text(loader *l)
{
	ss_buf own = SS_BUF_INIT;
	if (ss_buf_add(&own, l->text.data, l->text.len) < 0)
		return -1;
	l->text = own;
	l->fixed = 0;
	return 0;
}

/* Whether the n bytes of UTF-16 at p are all ASCII units. */
static int ascii_units(const unsigned char *p, size_t n)
{
	unsigned acc = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		acc |= (unsigned)(p[i] & 0x80) | p[i + 1];
	return acc == 0;
}

/* Whether decoding the n bytes of UTF-16 at p stays below l->bound, its
 * final NUL included: at most 3 bytes a unit, 1 when all are ASCII (the
 * exact count, needed only for the last chunks before the bound). */
static int decode_fits(const loader *l, const unsigned char *p, size_t n)
{
	if (l->bound == SIZE_MAX)
		return 1;
	size_t room = l->bound - l->text.len;
	return n / 2 * 3 < room || (ascii_units(p, n) && n / 2 < room);
}

/* Decodes the UTF-16 units in chunk[0, len) (after `skip` bytes), keeping
 * back a high surrogate at the end unless the file ends there. */
static int load_decode(loader *l, size_t skip, size_t len, int last, ss_diag *d)
{
	const unsigned char *p = l->chunk + skip;
	size_t n = len - skip;
	n -= n % 2;
	/* A view cannot grow (decode_utf16le reserves 3 bytes a unit); the
	 * file's size leaves room for 3 bytes a unit of the second half, so
	 * only a file that grew while read goes on in a buffer of its own. */
	if (l->fixed && n / 2 * 3 + 2 > l->text.cap - l->text.len && own_text(l) < 0)
		return ss_diag_oom(d);
	size_t keep = 0;
	if (!last && n >= 2 && p[n - 1] >= 0xD8 && p[n - 1] <= 0xDB)
		keep = 2;
	if (decode_utf16le(p, n - keep, &l->text) < 0 ||
	    lines_scan(&l->lines, l->text.data, l->text.len) < 0)
		return ss_diag_oom(d);
	if (keep)
		memcpy(l->chunk, p + n - keep, keep);
	l->kept = keep;
	return 0;
}

/* The chunks of a UTF-16 file from l->raw to its end. */
static int load_rest(loader *l, ss_diag *d)
{
	for (int last = 0; !last;) {
		ssize_t n = load_read(l, l->chunk + l->kept, d);
		if (n < 0)
			return -1;
		last = (size_t)n < LOAD_CHUNK;
		if (load_decode(l, 0, l->kept + (size_t)n, last, d) < 0)
			return -1;
	}
	return 0;
}

/* The loader of a file's second half, from byte `half` on, reading at
 * offsets up to `stop` bytes into `text` (`fixed`: a view that cannot
 * grow). */
static loader second_loader(const loader *l, size_t half, ss_buf text, size_t stop, int fixed)
{
	loader second = {.fd = l->fd,
			 .path = l->path,
			 .limit = l->limit > half ? l->limit - half : 0,
			 .hashing = l->hashing,
			 .text = text,
			 .want_lines = l->want_lines,
			 .at = (int64_t)half,
			 .stop = stop,
			 .bound = SIZE_MAX,
			 .fixed = fixed};
	/* Hashed from its offset on: a block's start (load_byte_halves). */
	ss_content_hash_init_at(&second.hash, half);
	return second;
}

/* A large UTF-16 file whose bytes need no hash is read and decoded in two
 * halves at once, the second by another thread with a line table of its
 * own, appended to the first's: decoding and finding the lines are a third
 * of the time an audit of an 80 MB export takes, and the machine has a
 * second core. Both read at offsets (ss_os_pread_full). From 1 MiB on: a
 * thread costs some 50 microseconds, a 1 MiB file 1 ms to decode.
 *
 * The second half decodes into the first's buffer, where the first half's
 * text ends when all of it is ASCII (one byte a unit), as nearly all of a
 * registry export is: then the two are one text without copying the
 * second (20 MB of an 80 MB export, and as much fresh memory). The first
 * half never writes past that place while the other thread runs; when it
 * would (a character that is not ASCII), it waits for it and copies the
 * second half's text out, to be appended as a text of its own. Its lines
 * go into the upper half of the first's line table (lines_split), as a
 * byte file's do: not into a table of their own in fresh memory (5 MB
 * for an 80 MB export, whose page faults were the second thread's). */
enum { SPLIT_MIN = 1 << 20 };

typedef struct second_half {
	loader l;	     /* from its first line on; text: a view (l.fixed) or its own */
	unsigned char *head; /* its bytes up to and with its first LF: the first half's */
	size_t nhead;
	size_t nfirst;	      /* bytes of its first chunk, read before its thread starts */
	size_t base;	      /* where its text is in the first half's buffer, when a view */
	ss_os_thread *thread; /* until joined */
	int ok;		      /* 0: nothing of it is used (an error, the file grew): the
			       * first half's thread reads on */
} second_half;

/* The offset after the first LF unit of p[0, n), or 0 when there is none. */
static size_t after_first_lf(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		if (p[i] == '\n' && p[i + 1] == 0)
			return i + 2;
	return 0;
}

static void second_half_run(void *arg)
{
	second_half *h = arg;
	loader *l = &h->l;
	ss_diag d = SS_DIAG_INIT;
	int last = h->nfirst < LOAD_CHUNK;
	h->ok =
	    load_decode(l, h->nhead, h->nfirst, last, &d) == 0 && (last || load_rest(l, &d) == 0);
	ss_diag_clear(&d);
}

/* Waits for the second half's thread (once). */
static void second_join(second_half *h)
{
	if (h->thread)
		ss_os_thread_join(h->thread);
	h->thread = NULL;
}

/* The table `b` (room for the whole text) lent in two: b keeps the
 * lower half of its room (or what it holds already, when more), `o` gets
 * the rest, both fixed, so that another thread finds the lines of the
 * text's second half into it (no second table in fresh memory, then
 * copied). A half with more lines than its room ends up full:
 * lines_unsplit then says to find them all again. */
static void lines_split(line_builder *b, line_builder *o)
{
	size_t room = b->cap, split = room / 2 > b->n ? room / 2 : b->n;
	*o = (line_builder){.lines = b->lines + split, .cap = room - split, .fixed = 1};
	b->cap = split;
	b->fixed = 1;
}

/* The table whole again (o's lines stay where they are, for lines_append
 * to move down): 1 when a half ran out of room. */
static int lines_unsplit(line_builder *b, line_builder *o)
{
	int full = b->full || o->full;
	b->cap += o->cap;
	b->fixed = b->full = 0;
	o->cap = 0;
	return full;
}

/* The table emptied, to find all of the lines again from the text's
 * start (after a half ran out of room). */
static void lines_restart(line_builder *b)
{
	*b = (line_builder){.lines = b->lines, .cap = b->cap};
}

/* The second half's text as one of its own, out of the first's buffer
 * (after second_join): the first half's text goes on over it. */
static int second_own(loader *l, second_half *h)
{
	l->bound = SIZE_MAX;
	return h->l.fixed && h->ok ? own_text(&h->l) : 0;
}

/* The second half's first chunk and where its first line starts: 0 when
 * it has no LF there (or cannot be read), else the thread may start, the
 * line table lent in two (lines_split: the caller makes it whole again). */
static int second_begin(loader *l, second_half *h, size_t half)
{
	if (!(h->l.chunk = malloc(LOAD_CHUNK + 2)))
		return 0;
	ss_diag d = SS_DIAG_INIT;
	ssize_t n = load_read(&h->l, h->l.chunk, &d);
	ss_diag_clear(&d);
	size_t cut = n > 0 ? after_first_lf(h->l.chunk, (size_t)n) : 0;
	if (!cut || !(h->head = malloc(cut)))
		return 0;
	memcpy(h->head, h->l.chunk, cut);
	h->nhead = cut;
	h->nfirst = (size_t)n;
	/* All ASCII from after the BOM to its first line: a byte a unit. */
	h->base = (half + cut - 2) / 2;
	/* The buffer as the file's size made it (growing it would move it:
	 * 18 MiB more and twice the time for the 80 MB export). */
	if (l->text.cap <= h->base)
		return 0;
	h->l.text = (ss_buf){l->text.data + h->base, 0, l->text.cap - h->base};
	h->l.fixed = 1;
	l->bound = h->base;
	if (l->lines.lines)
		lines_split(&l->lines, &h->l.lines);
	return 1;
}

static void second_free(second_half *h)
{
	free(h->head);
	free(h->l.chunk);
	if (!h->l.fixed)
		ss_buf_release(&h->l.text);
}

/* The file's bytes from l->raw up to `half` at offsets: 1 when the file
 * ends before (it shrank since fstat), 0, or -1. */
static int load_first_half(loader *l, second_half *h, size_t half, ss_diag *d)
{
	l->at = 0;
	l->stop = half;
	while (l->raw < half) {
		size_t want = half - l->raw < LOAD_CHUNK ? half - l->raw : LOAD_CHUNK;
		ssize_t n = load_read(l, l->chunk + l->kept, d);
		if (n < 0)
			return -1;
		int ended = (size_t)n < want;
		if (!decode_fits(l, l->chunk, l->kept + (size_t)n)) {
			second_join(h);
			if (second_own(l, h) < 0)
				return ss_diag_oom(d);
		}
		if (load_decode(l, 0, l->kept + (size_t)n, ended, d) < 0)
			return -1;
		if (ended)
			return 1;
	}
	l->stop = SIZE_MAX;
	return 0;
}

/* The lines of `o`, a table of text that now starts at `base` of b's
 * text, after b's (whose last line ended right before `base`). */
static int lines_append(line_builder *b, const line_builder *o, size_t base)
{
	if (!b->lines)
		return 0;
	while (b->cap - b->n < o->n)
		if (lines_grow(b) < 0)
			return -1;
	/* A loop without a branch, which the compiler makes vector code. */
	uint32_t *to = b->lines + b->n;
	for (size_t i = 0; i < o->n; i++)
		to[i] = o->lines[i] + (uint32_t)base;
	b->n += o->n;
	b->start = base + o->start;
	b->scanned = base + o->scanned;
	b->lf += o->lf;
	b->crlf += o->crlf;
	return 0;
}

/* The second half after the first (whose thread has ended): its head,
 * then its text, where it is already when the first half ends at its
 * place (the head's final NUL is written over its first byte: kept),
 * else appended; then its lines, moved down after the first half's (the
 * head's line is found while the table is still lent in two, so that it
 * cannot overwrite them). *rescan: a half ran out of room. */
static int join_second(loader *l, second_half *h, int *rescan, ss_diag *d)
{
	int in_place = h->l.fixed && l->kept == 0 && l->text.len + h->nhead / 2 == h->base &&
		       ascii_units(h->head, h->nhead);
	if (!in_place && second_own(l, h) < 0)
		return ss_diag_oom(d);
	char first = in_place ? l->text.data[h->base] : 0;
	memcpy(l->chunk + l->kept, h->head, h->nhead);
	if (load_decode(l, 0, l->kept + h->nhead, 0, d) < 0)
		return -1;
	size_t base = l->text.len;
	if (in_place) {
		l->text.data[base] = first;
		l->text.len += h->l.text.len;
	} else if (ss_buf_add(&l->text, h->l.text.data, h->l.text.len) < 0) {
		return ss_diag_oom(d);
	}
	*rescan = lines_unsplit(&l->lines, &h->l.lines);
	if (!*rescan && lines_append(&l->lines, &h->l.lines, base) < 0)
		return ss_diag_oom(d);
	l->raw += h->l.raw;
	if (l->raw > l->limit)
		return ss_diag_set(d, l->path, 0, 0, "file is larger than %zu bytes", l->limit);
	return 0;
}

/* The rest of a UTF-16 file of `size` bytes (fstat) from l->raw on, in two
 * halves at once, or one after the other when no thread can be had. */
static int load_halves(loader *l, size_t size, ss_diag *d)
{
	size_t half = size / 2 & ~(size_t)1;
	second_half h;
	memset(&h, 0, sizeof(h));
	h.l = second_loader(l, half, (ss_buf)SS_BUF_INIT, SIZE_MAX, 0);
	int r, rescan = 0, began = half > l->raw && second_begin(l, &h, half);
	if (!began || ss_os_thread_start(&h.thread, second_half_run, &h) < 0) {
		l->bound = SIZE_MAX;
		h.thread = NULL;
		if (began)
			lines_unsplit(&l->lines, &h.l.lines);
		r = load_rest(l, d);
	} else {
		r = load_first_half(l, &h, half, d);
		second_join(&h);
		l->bound = SIZE_MAX;
		if (r == 0 && h.ok) {
			r = join_second(l, &h, &rescan, d);
		} else {
			/* the second half is not used: the first reads on */
			rescan = lines_unsplit(&l->lines, &h.l.lines);
			r = r == 0 ? load_rest(l, d) : r == 1 ? 0 /* the file ended before */ : r;
		}
		if (r == 0 && rescan) {
			lines_restart(&l->lines);
			if (lines_scan(&l->lines, l->text.data, l->text.len) < 0)
				r = ss_diag_oom(d);
		}
	}
	second_free(&h);
	return r;
}

/* The rest of a UTF-16 file (`size` bytes by fstat) whose first `first`
 * bytes are in text.data. */
static int load_utf16(loader *l, size_t first, size_t size, ss_diag *d)
{
	if (!(l->chunk = malloc(LOAD_CHUNK + 2)))
		return ss_diag_oom(d);
	memcpy(l->chunk, l->text.data, first);
	l->text.len = 0;
	int last = first < LOAD_CHUNK;
	if (load_decode(l, 2, first, last, d) < 0)
		return -1;
	int r = last				   ? 0
		: !l->hashing && size >= SPLIT_MIN ? load_halves(l, size, d)
						   : load_rest(l, d);
	if (r < 0)
		return -1;
	return l->raw % 2 ? odd_utf16(l->path, l->raw, d) : 0;
}

/* The rest of a byte file, from l->raw on, each chunk's lines found as
 * it arrives. */
static int load_bytes_rest(loader *l, ssize_t n, ss_diag *d)
{
	for (;;) {
		if (lines_scan(&l->lines, l->text.data, l->text.len) < 0)
			return ss_diag_oom(d);
		if ((size_t)n < LOAD_CHUNK)
			return 0;
		if (ss_buf_grow(&l->text, LOAD_CHUNK) < 0)
			return ss_diag_oom(d);
		if ((n = load_read(l, l->text.data + l->text.len, d)) < 0)
			return -1;
		l->text.len += (size_t)n;
	}
}

/* A large byte file is read in two halves at once, as a UTF-16 file
 * whose bytes need no hash is (see load_halves): another thread reads the
 * second half at offsets straight into its place in the buffer, which
 * the file's size made large enough, and finds its lines into the upper
 * half of the line table (room for lines of 16 bytes), moved down after
 * the first half's once both are done: no table is held twice (a second
 * one was 2.3 MB more at the peak of apply --format json). When a half
 * has more lines than its room, the lines are found again, on one
 * thread. Reading into fresh memory and finding the lines were a third
 * of a 100,000-site WinSCP.ini's audit. A file just written (ss_file_racy)
 * is hashed too, each half its own blocks of the hash, joined with the
 * lines: a file that apply is given right after it was copied was read
 * on one thread, 30 ms of a 100,000-site WinSCP.ini's 110. */
typedef struct byte_half {
	loader l; /* text: a view of the buffer from the half on; lines relative to it */
	ss_os_thread *thread;
	int ok;
} byte_half;

static void byte_half_run(void *arg)
{
	byte_half *h = arg;
	loader *l = &h->l;
	ss_diag d = SS_DIAG_INIT;
	ssize_t n;
	h->ok = 1;
	do {
		n = load_read(l, l->text.data + l->text.len, &d);
		if (n < 0) {
			h->ok = 0;
			break;
		}
		l->text.len += (size_t)n;
		if (lines_scan(&l->lines, l->text.data, l->text.len) < 0)
			h->ok = 0;
	} while (h->ok && (size_t)n == LOAD_CHUNK);
	ss_diag_clear(&d);
}

/* The second half's lines after the first's: its first line began in
 * the first half (where b->start says), and when its LF is the half's
 * first byte, whether a CR ended the first half. */
static int join_byte_half(loader *l, byte_half *h, size_t half, ss_diag *d)
{
	line_builder *b = &l->lines, *o = &h->l.lines;
	size_t start = b->start;
	if (b->lines && o->n) {
		size_t first_lf = (o->n > 1 ? o->lines[1] : o->start) - 1;
		if (first_lf == 0 && start < half && l->text.data[half - 1] == '\r') {
			o->lf--;
			o->crlf++;
		}
	}
	size_t at = b->n;
	if (lines_append(b, o, half) < 0)
		return ss_diag_oom(d);
	if (b->lines && o->n)
		b->lines[at] = (uint32_t)start;
	else
		b->start = start;
	l->text.len = half + h->l.text.len;
	l->raw += h->l.raw;
	if (l->raw > l->limit)
		return ss_diag_set(d, l->path, 0, 0, "file is larger than %zu bytes", l->limit);
	return 0;
}

/* The first half of a byte file of `size` bytes (fstat), after its first
 * chunk (n bytes), here and the second on another thread; then what is
 * left when the file grew since (or all of it on this thread when no
 * thread can be had). */
static int load_byte_halves(loader *l, ssize_t n, size_t size, ss_diag *d)
{
	/* Hashed, the halves meet where a block of the hash starts. */
	size_t half = l->hashing ? (size_t)ss_content_hash_middle(size) : size / 2;
	byte_half h;
	memset(&h, 0, sizeof(h));
	/* The view leaves room for the final NUL. */
	h.l = second_loader(l, half, (ss_buf){l->text.data + half, 0, l->text.cap - half},
			    l->text.cap - half - 1, 1);
	line_builder *b = &l->lines;
	if (b->lines)
		lines_split(b, &h.l.lines);
	if (ss_os_thread_start(&h.thread, byte_half_run, &h) < 0) {
		lines_unsplit(b, &h.l.lines);
		return load_bytes_rest(l, n, d);
	}
	/* The first half as the rest of any byte file, up to `half`: the
	 * buffer's room (the size and a chunk) never makes it move while the
	 * other thread writes into it. */
	l->at = 0;
	l->stop = half;
	int r = load_bytes_rest(l, n, d);
	ss_os_thread_join(h.thread);
	l->stop = SIZE_MAX;
	int rescan = lines_unsplit(b, &h.l.lines);
	/* Whether to read on: the file grew to fill the buffer, or the second
	 * half failed (read here then); not when the file ends before the half. */
	int more = 0;
	if (r == 0 && l->text.len == half && h.ok &&
	    (!l->hashing || ss_content_hash_join(&l->hash, &h.l.hash) == 0)) {
		r = join_byte_half(l, &h, half, d);
		more = h.l.raw == h.l.stop;
	} else if (r == 0) {
		more = l->text.len == half;
	}
	if (r == 0 && rescan) /* a half's lines did not fit: all of them again */
		lines_restart(b);
	return r < 0 ? -1 : load_bytes_rest(l, more ? (ssize_t)LOAD_CHUNK : 0, d);
}

/* Reads the whole file into l->text; `size` is what fstat said. */
static int load_all(loader *l, size_t size, ss_diag *d)
{
	/* One chunk more than the size, so reaching the end never reallocates;
	 * exactly that (a 17 MB file does not take 32 MiB). */
	if (ss_buf_reserve_exact(&l->text, size + LOAD_CHUNK) < 0)
		return ss_diag_oom(d);
	ssize_t n = load_read(l, l->text.data, d);
	if (n < 0)
		return -1;
	l->text.len = (size_t)n;
	const unsigned char *p = (const unsigned char *)l->text.data;
	int utf16 = ss_text_starts_utf16(p, n);
	/* A UTF-16 export is mostly ASCII: half its size in UTF-8. */
	if (l->want_lines && lines_begin(&l->lines, utf16 ? size / 2 : size) < 0)
		return ss_diag_oom(d);
	if (utf16)
		return load_utf16(l, (size_t)n, size, d);
	if (size >= SPLIT_MIN && (size_t)n == LOAD_CHUNK &&
	    (!l->hashing || ss_content_hash_middle(size) > 0))
		return load_byte_halves(l, n, size, d);
	return load_bytes_rest(l, n, d);
}

/* What load_path keeps of a file: its text with or without the line
 * table, or (LOAD_SKIM) no text at all. */
enum { LOAD_LINELESS, LOAD_LINES, LOAD_SKIM };

/* A file read through one chunk, for what a replace checks (its length,
 * and its hash when hashing) and what ss_text_load refuses (an odd
 * UTF-16 file); *enc gets its encoding. */
static int skim_all(loader *l, ss_encoding *enc, ss_diag *d)
{
	unsigned char *buf = malloc(LOAD_CHUNK);
	if (!buf)
		return ss_diag_oom(d);
	ssize_t n = load_read(l, buf, d);
	*enc = ss_text_starts_utf16(buf, n) ? SS_ENC_UTF16LE : SS_ENC_BYTES;
	while (n == (ssize_t)LOAD_CHUNK)
		n = load_read(l, buf, d);
	free(buf);
	if (n < 0)
		return -1;
	return *enc == SS_ENC_UTF16LE && l->raw % 2 ? odd_utf16(l->path, l->raw, d) : 0;
}

static int load_fd(ss_text *t, int fd, const char *path, size_t size, size_t limit, int hashing,
		   int mode, ss_diag *d)
{
	int lines = mode == LOAD_LINES;
	loader l = {.fd = fd,
		    .path = path,
		    .limit = limit,
		    .hashing = hashing,
		    .text = SS_BUF_INIT,
		    .want_lines = lines,
		    .at = -1,
		    .stop = SIZE_MAX,
		    .bound = SIZE_MAX};
	ss_content_hash_init(&l.hash);
	ss_encoding enc = SS_ENC_BYTES;
	int r = mode == LOAD_SKIM ? skim_all(&l, &enc, d) : load_all(&l, size, d);
	free(l.chunk);
	if (r == 0) {
		memset(t, 0, sizeof(*t));
		t->id.hash = hashing ? ss_content_hash_final(&l.hash) : 0;
		t->id.size = (int64_t)l.raw;
		if (l.chunk)
			enc = SS_ENC_UTF16LE;
		r = init_text(t, path, enc, &l.text, lines, &l.lines, d);
	}
	ss_buf_release(&l.text);
	free(l.lines.lines);
	return r;
}

/* Opens a file to read it, with its status: refused when it is not a
 * regular file or is larger than `limit` bytes. A FIFO opens without
 * waiting for a writer, and is refused by its type. */
static int open_regular(const char *path, size_t limit, int *fd, ss_stat *st, ss_diag *d)
{
	if (ss_os_open_path_read(path, fd) < 0)
		return ss_diag_errno(d, path, "cannot open");
	const char *why = NULL;
	if (ss_os_fstat(*fd, st) < 0)
		ss_diag_errno(d, path, "cannot stat");
	else if (S_ISDIR(st->st_mode))
		why = "is a directory, expected a file";
	else if (!S_ISREG(st->st_mode))
		why = "is not a regular file (a FIFO, socket or device): settings are read from "
		      "regular files only";
	else if ((uintmax_t)st->st_size > limit)
		ss_diag_set(d, path, 0, 0, "file is larger than %zu bytes", limit);
	else
		return 0;
	if (why)
		ss_diag_set(d, path, 0, 0, "%s", why);
	ss_os_close(*fd);
	*fd = -1;
	return -1;
}

/* `hash`: whether a racy read hashes the bytes (else the identity is unknown). */
static int load_path(ss_text *t, const char *path, size_t limit, int mode, int hash, ss_diag *d)
{
	memset(t, 0, sizeof(*t));
	/* Before fstat: a change after this moment has a later time. */
	int64_t read_ns = ss_os_now_ns();
	int fd;
	ss_stat st;
	if (limit == 0)
		limit = SS_TEXT_LIMIT;
	if (open_regular(path, limit, &fd, &st, d) < 0)
		return -1;
	/* The bytes are hashed only when the times cannot tell the file. */
	ss_file_identity id = {.known = 1, .dev = st.st_dev, .ino = st.st_ino, .read_ns = read_ns};
	ss_os_stat_times(&st, &id.mtime_ns, &id.ctime_ns);
	int r = load_fd(t, fd, path, (size_t)st.st_size, limit, hash && ss_file_racy(&id), mode, d);
	ss_os_close(fd);
	if (r < 0)
		return -1;
	id.hash = t->id.hash;
	id.size = t->id.size;
	id.known = hash;
	t->id = id;
	return 0;
}

int ss_text_load(ss_text *t, const char *path, size_t limit, ss_diag *d)
{
	return load_path(t, path, limit, LOAD_LINES, 1, d);
}

int ss_text_load_unhashed(ss_text *t, const char *path, size_t limit, ss_diag *d)
{
	return load_path(t, path, limit, LOAD_LINES, 0, d);
}

int ss_text_load_lineless(ss_text *t, const char *path, size_t limit, ss_diag *d)
{
	return load_path(t, path, limit, LOAD_LINELESS, 1, d);
}

int ss_text_load_identity(ss_text *t, const char *path, size_t limit, ss_diag *d)
{
	return load_path(t, path, limit, LOAD_SKIM, 1, d);
}

int ss_text_file_open(ss_text_file *f, const char *path, size_t limit, ss_diag *d)
{
	memset(f, 0, sizeof(*f));
	f->limit = limit ? limit : SS_TEXT_LIMIT;
	ss_stat st;
	if (open_regular(path, f->limit, &f->fd, &st, d) < 0)
		return -1;
	f->size = (uint64_t)st.st_size;
	if (!(f->path = ss_strdup(path))) {
		ss_os_close(f->fd);
		f->fd = -1;
		return ss_diag_oom(d);
	}
	return 0;
}

long long ss_text_file_read(const ss_text_file *f, void *buf, size_t len, uint64_t offset,
			    ss_diag *d)
{
	ssize_t n = ss_os_pread_full(f->fd, buf, len, offset);
	if (n < 0)
		return ss_diag_errno(d, f->path, "cannot read");
	if (offset + (uint64_t)n > f->limit)
		return ss_diag_set(d, f->path, 0, 0, "file is larger than %zu bytes", f->limit);
	return n;
}

void ss_text_file_close(ss_text_file *f)
{
	if (f->path)
		ss_os_close(f->fd);
	free(f->path);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

int ss_text_take_bytes(ss_text *t, const char *display, ss_encoding enc, ss_buf *bytes, ss_diag *d)
{
	memset(t, 0, sizeof(*t));
	t->id.size = (int64_t)bytes->len;
	return init_from_data(t, display, enc, bytes, d);
}

int ss_file_racy(const ss_file_identity *id)
{
	int64_t changed = id->mtime_ns > id->ctime_ns ? id->mtime_ns : id->ctime_ns;
	return changed >= id->read_ns - SS_RACY_NS;
}

void ss_text_free(ss_text *t)
{
	free(t->path);
	free(t->data);
	free(t->lines);
	memset(t, 0, sizeof(*t));
}

void ss_text_drop_lines(ss_text *t)
{
	free(t->lines);
	t->lines = NULL;
	t->nlines = t->ncrlf = 0;
}

int ss_text_index_lines(ss_text *t, ss_diag *d)
{
	return t->lines ? 0 : build_lines(t, d);
}

/* A text without its table (ss_text_drop_lines): the line of `offset` and
 * where it starts, by counting LFs (for a message, now and then). */
static size_t line_by_scan(const ss_text *t, size_t offset, size_t *start)
{
	size_t end = offset < t->len ? offset : t->len, line = 0;
	*start = 0;
	for (const char *p = t->data, *lf; (lf = memchr(p, '\n', end - (size_t)(p - t->data)));
	     p = lf + 1) {
		line++;
		*start = (size_t)(lf - t->data) + 1;
	}
	return line;
}

/* The last line of [lo, hi] that starts at or before offset (lines[lo]
 * does). */
static size_t last_line_from(const ss_text *t, size_t offset, size_t lo, size_t hi)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		if (t->lines[mid] <= offset)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

size_t ss_text_line_at(const ss_text *t, size_t offset)
{
	size_t start;
	if (!t->lines && t->len)
		return line_by_scan(t, offset, &start);
	if (t->nlines == 0)
		return 0;
	if (offset >= t->len)
		return ss_text_line(t, t->nlines - 1).eol == SS_EOL_NONE ? t->nlines - 1
									 : t->nlines;
	return last_line_from(t, offset, 0, t->nlines - 1);
}

size_t ss_text_line_at_from(const ss_text *t, size_t offset, size_t from)
{
	if (!t->lines || offset >= t->len || from >= t->nlines || t->lines[from] > offset)
		return ss_text_line_at(t, offset);
	/* lines[lo] <= offset throughout; then lines[lo + step] > offset (or
	 * past the last line), so the line is in [lo, hi]. */
	size_t lo = from, step = 1;
	while (step < t->nlines - lo && t->lines[lo + step] <= offset) {
		lo += step;
		step *= 2;
	}
	return last_line_from(t, offset, lo, step < t->nlines - lo ? lo + step - 1 : t->nlines - 1);
}

static int valid_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = ss_utf8_decode(p + i, len - i, &cp, 1);
		if (!n)
			return 0;
		i += n;
	}
	return 1;
}

void ss_text_position(const ss_text *t, size_t offset, size_t *line, size_t *col)
{
	size_t start;
	size_t l =
	    !t->lines && t->len ? line_by_scan(t, offset, &start) : ss_text_line_at(t, offset);
	if (t->lines || !t->len)
		start = l < t->nlines ? t->lines[l] : t->len;
	if (offset > t->len)
		offset = t->len;
	size_t c = offset - start;
	const char *p = t->data + start;
	if (valid_utf8(p, offset - start)) {
		c = 0;
		for (size_t i = 0; i < offset - start; i++)
			if (((unsigned char)p[i] & 0xC0) != 0x80)
				c++;
	}
	*line = t->first_line + l + 1;
	*col = c + 1;
}

int ss_text_error(const ss_text *t, ss_diag *d, size_t offset, const char *fmt, ...)
{
	if (!d || d->message)
		return -1;
	size_t line, col;
	ss_text_position(t, offset, &line, &col);
	ss_buf b = SS_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int r = ss_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (r < 0) {
		ss_buf_release(&b);
		return ss_diag_oom(d);
	}
	r = ss_diag_set(d, t->path, line, col, "%s", ss_buf_str(&b));
	ss_buf_release(&b);
	return r;
}

const char *ss_text_eol_string(const ss_text *t)
{
	return t->style == SS_EOL_CRLF ? "\r\n" : "\n";
}

char *ss_text_where(const ss_text *t, size_t offset)
{
	return ss_asprintf("%s:%zu", t->path, t->first_line + ss_text_line_at(t, offset) + 1);
}
