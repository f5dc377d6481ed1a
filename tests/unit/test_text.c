/* The text layer: decoding, line table, positions, round trips. */
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "sshsync/arena.h"
#include "sshsync/edit.h"
#include "sshsync/safewrite.h"
#include "sshsync/text.h"
#include "testutil.h"

static void load_bytes(ss_text *t, const char *bytes, size_t len)
{
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_text_from_bytes(t, "mem", bytes, len, &d), 0);
}

static void assert_roundtrip(const char *bytes, size_t len)
{
	ss_text t;
	load_bytes(&t, bytes, len);
	ss_edits e = SS_EDITS_INIT;
	ss_buf out = SS_BUF_INIT;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_edits_render_file(&t, &e, &out, &d), 0);
	assert_int_equal(out.len, len);
	assert_memory_equal(out.data, bytes, len);
	ss_buf_release(&out);
	ss_text_free(&t);
}

static void test_lines_and_endings(void **state)
{
	(void)state;
	const char s[] = "a\nbb\r\nccc\rx\nlast";
	ss_text t;
	load_bytes(&t, s, sizeof(s) - 1);
	assert_int_equal(t.nlines, 4);
	assert_int_equal(ss_text_line(&t, 0).eol, SS_EOL_LF);
	assert_int_equal(ss_text_line(&t, 1).len, 2);
	assert_int_equal(ss_text_line(&t, 1).eol, SS_EOL_CRLF);
	/* A lone CR is content, not a line end. */
	assert_int_equal(ss_text_line(&t, 2).len, 5);
	assert_int_equal(ss_text_line(&t, 3).eol, SS_EOL_NONE);
	assert_int_equal(ss_text_line_at(&t, 0), 0);
	assert_int_equal(ss_text_line_at(&t, 3), 1);
	assert_int_equal(ss_text_line_at(&t, sizeof(s) - 1), 3);
	ss_text_free(&t);
}

/* The lines (the table of where they start, and the ends and endings
 * ss_text_line makes of it) against a byte by byte reading of the rules,
 * on texts of every length up to 1,200 (many of the 64-byte blocks the
 * scan reads at once, then a tail; the table's room, 1 line per 16 bytes
 * at first, makes it take some blocks line by line) drawn from bytes that
 * matter (LF, CR, a high byte, NUL): dense with LFs in one sweep of the
 * lengths, with a rare one in the next (blocks without any). */
static void test_lines_match_a_plain_scan(void **state)
{
	(void)state;
	static const char alphabet[] = {'a', '\n', '\r', '\x80', '\0', '\n', 'b', (char)0xFF};
	unsigned seed = 7;
	char buf[1200];
	for (int round = 0; round < 9600; round++) {
		size_t len = (size_t)round % sizeof(buf);
		int sparse = round / (int)sizeof(buf) % 2;
		for (size_t i = 0; i < len; i++) {
			tu_lcg(&seed);
			size_t pick =
			    (seed >> 16) % (sparse ? 40 * sizeof(alphabet) : sizeof(alphabet));
			buf[i] = pick < sizeof(alphabet) ? alphabet[pick] : 'c';
		}
		ss_text t;
		load_bytes(&t, buf, len);
		size_t n = 0, start = 0, lf = 0, crlf = 0;
		for (size_t i = 0; i <= len; i++) {
			if (i < len && buf[i] != '\n')
				continue;
			if (i == len && start == len)
				break;
			assert_true(n < t.nlines);
			const ss_line l = ss_text_line(&t, n++);
			assert_int_equal(l.start, start);
			int cr = i < len && i > start && buf[i - 1] == '\r';
			assert_int_equal(l.len, i - start - (size_t)cr);
			assert_int_equal(l.eol, i == len ? SS_EOL_NONE
						: cr	 ? SS_EOL_CRLF
							 : SS_EOL_LF);
			lf += i < len && !cr;
			crlf += (size_t)cr;
			start = i + 1;
		}
		assert_int_equal(t.nlines, n);
		assert_int_equal(t.ncrlf, crlf);
		assert_int_equal(t.style, crlf > lf ? SS_EOL_CRLF : SS_EOL_LF);
		ss_text_free(&t);
	}
}

/* ss_text_find3 finds what a byte loop finds, from every offset, also
 * past the end. */
static void test_find3(void **state)
{
	(void)state;
	static const char alphabet[] = {'x', '"', '\\', '\0', (char)0xA2, '\n'};
	unsigned seed = 11;
	char buf[64];
	for (int round = 0; round < 300; round++) {
		size_t len = (size_t)round % sizeof(buf);
		for (size_t i = 0; i < len; i++) {
			tu_lcg(&seed);
			/* Mostly 'x': long runs without a byte looked for. */
			buf[i] = (seed >> 16) % 5 ? 'x' : alphabet[(seed >> 20) % sizeof(alphabet)];
		}
		for (size_t from = 0; from <= len + 2; from++) {
			size_t want = from < len ? from : len;
			while (want < len && buf[want] != '"' && buf[want] != '\\' &&
			       buf[want] != '\0')
				want++;
			assert_int_equal(ss_text_find3(buf, from, len, '"', '\\', '\0'), want);
			size_t w2 = from < len ? from : len;
			while (w2 < len && buf[w2] != '\n')
				w2++;
			assert_int_equal(ss_text_find3(buf, from, len, '\n', '\n', '\n'), w2);
		}
	}
}

/* ss_text_contains_ci agrees with a search at every offset, on random
 * texts of a few bytes (both cases of letters, a backslash, a bracket, a
 * byte above 0x7F) and needles taken from them, or made up. */
static int contains_ci_naive(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++) {
		size_t k = 0;
		while (k < n &&
		       tolower((unsigned char)s[i + k]) == tolower((unsigned char)needle[k]))
			k++;
		if (k == n)
			return 1;
	}
	return 0;
}

static void test_contains_ci(void **state)
{
	(void)state;
	static const char alphabet[] = {'a', 'A', 'b', 'B', '\\', '[', (char)0xC3, 'z'};
	unsigned seed = 7;
	char buf[48], needle[8];
	int found = 0, missed = 0;
	for (int round = 0; round < 4000; round++) {
		size_t len = (size_t)round % sizeof(buf);
		for (size_t i = 0; i < len; i++) {
			tu_lcg(&seed);
			buf[i] = alphabet[(seed >> 16) % sizeof(alphabet)];
		}
		tu_lcg(&seed);
		size_t n = (seed >> 16) % 5;
		for (size_t i = 0; i < n; i++) {
			tu_lcg(&seed);
			/* Half the needles are cut out of the text itself. */
			needle[i] = len > n && round % 2
					? buf[(seed >> 16) % (len - n) + i]
					: alphabet[(seed >> 16) % sizeof(alphabet)];
		}
		needle[n] = '\0';
		int want = contains_ci_naive(buf, len, needle);
		assert_int_equal(ss_text_contains_ci(buf, len, needle), want);
		found += want;
		missed += !want;
	}
	/* Both answers were asked for many times. */
	assert_true(found > 500 && missed > 500);
	static const char key[] = "x\\simontatham\\PUTTY\\sessions";
	const char *needle_key = "\\SimonTatham\\PuTTY\\Sessions";
	assert_true(ss_text_contains_ci(key, strlen(key), needle_key));
	/* The last byte of the text is not looked past. */
	assert_false(ss_text_contains_ci(key, strlen(key) - 1, needle_key));
}

static void test_style_is_majority(void **state)
{
	(void)state;
	ss_text t;
	load_bytes(&t, "a\r\nb\r\nc\n", 8);
	assert_string_equal(ss_text_eol_string(&t), "\r\n");
	ss_text_free(&t);
	load_bytes(&t, "", 0);
	assert_int_equal(t.nlines, 0);
	assert_string_equal(ss_text_eol_string(&t), "\n");
	ss_text_free(&t);
}

static void test_utf16_decodes_and_roundtrips(void **state)
{
	(void)state;
	/* BOM, "é\r\n", a surrogate pair (U+1F600), a lone high surrogate, "x" */
	const char s[] = "\xFF\xFE\xE9\x00\r\x00\n\x00\x3D\xD8\x00\xDE\x00\xD8x\x00";
	size_t len = sizeof(s) - 1;
	ss_text t;
	load_bytes(&t, s, len);
	assert_int_equal(t.enc, SS_ENC_UTF16LE);
	assert_memory_equal(t.data, "\xC3\xA9\r\n\xF0\x9F\x98\x80\xED\xA0\x80x", 13);
	assert_int_equal(t.nlines, 2);
	size_t line, col;
	ss_text_position(&t, 11, &line, &col); /* the x: after two characters */
	assert_int_equal(line, 2);
	assert_int_equal(col, 3);
	ss_text_free(&t);
	assert_roundtrip(s, len);
}

static void put_unit(unsigned char *p, size_t at, unsigned u)
{
	p[at] = (unsigned char)(u & 0xFF);
	p[at + 1] = (unsigned char)(u >> 8);
}

/* UTF-8 (WTF-8 for a lone surrogate) of code point c, written out here
 * as the standard says it, for the decoder's check below. */
static void ref_utf8(ss_buf *out, uint32_t c)
{
	if (c < 0x80) {
		assert_int_equal(ss_buf_addc(out, (char)c), 0);
		return;
	}
	int n = c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
	static const unsigned lead[5] = {0, 0, 0xC0, 0xE0, 0xF0};
	assert_int_equal(ss_buf_addc(out, (char)(lead[n] | c >> (6 * (n - 1)))), 0);
	for (int k = n - 2; k >= 0; k--)
		assert_int_equal(ss_buf_addc(out, (char)(0x80 | ((c >> (6 * k)) & 0x3F))), 0);
}

/* The decoder against a unit by unit reading: ASCII texts of every length
 * up to 160 units (its 32-unit blocks and what is left) with, at every
 * position, a unit that ends a block's fast path (a high bit in either
 * byte, a surrogate pair, a lone one of each half). */
static void test_utf16_decode_matches_unit_by_unit(void **state)
{
	(void)state;
	static const unsigned odd_ones[][2] = {{0x0080, 0},	 {0x00FF, 0}, {0x0100, 0},
					       {0x7F41, 0},	 {0x8000, 0}, {0xD83D, 0xDE00},
					       {0xD83D, 0x0041}, {0xDE00, 0}, {0x000A, 0}};
	unsigned char p[2 * 164];
	unsigned seed = 11;
	for (size_t units = 0; units <= 160; units++)
		for (size_t at = 0; at <= units; at++)
			for (size_t k = 0; k < sizeof(odd_ones) / sizeof(odd_ones[0]); k++) {
				size_t n = 0;
				for (size_t i = 0; i < units; i++) {
					tu_lcg(&seed);
					unsigned u = 0x20 + (seed >> 16) % 0x5F;
					if (i == at) {
						put_unit(p, 2 * n++, odd_ones[k][0]);
						if (odd_ones[k][1])
							u = odd_ones[k][1];
					}
					put_unit(p, 2 * n++, u);
				}
				ss_buf got = SS_BUF_INIT, want = SS_BUF_INIT;
				assert_int_equal(ss_utf16le_to_utf8(p, 2 * n, &got), 0);
				for (size_t i = 0; i < n; i++) {
					uint32_t u = p[2 * i] | (uint32_t)p[2 * i + 1] << 8;
					uint32_t lo =
					    i + 1 < n ? p[2 * i + 2] | (uint32_t)p[2 * i + 3] << 8
						      : 0;
					if (u >= 0xD800 && u < 0xDC00 && lo >= 0xDC00 &&
					    lo < 0xE000) {
						u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
						i++;
					}
					ref_utf8(&want, u);
				}
				assert_int_equal(got.len, want.len);
				assert_memory_equal(ss_buf_str(&got), ss_buf_str(&want), want.len);
				ss_buf_release(&got);
				ss_buf_release(&want);
			}
}

static void test_utf16_odd_length_is_an_error(void **state)
{
	(void)state;
	ss_text t;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_text_from_bytes(&t, "odd.reg",
					    "\xFF\xFE"
					    "a\x00"
					    "b",
					    5, &d),
			 -1);
	assert_non_null(strstr(d.message, "odd number of bytes"));
	ss_diag_clear(&d);
}

static void test_bytes_roundtrip(void **state)
{
	(void)state;
	assert_roundtrip("", 0);
	assert_roundtrip("\xEF\xBB\xBFHost x\r\n", 10);
	assert_roundtrip("caf\xE9 latin-1\n\x01\x02\xFF", 16);
	assert_roundtrip("no newline", 10);
}

static void test_corpus_roundtrip(void **state)
{
	(void)state;
	const char *subs[] = {"ssh", "putty", "winscp"};
	size_t files = 0;
	for (size_t s = 0; s < 3; s++) {
		char *dir = tu_corpus_dir(subs[s]);
		assert_non_null(dir); /* the corpus is part of the test suite */
		ss_strlist names = tu_list_dir(dir);
		for (size_t i = 0; i < names.n; i++) {
			char *p = tu_path(dir, names.v[i]);
			ss_buf raw = tu_read(p);
			assert_roundtrip(raw.data, raw.len);
			ss_buf_release(&raw);
			free(p);
			files++;
		}
		ss_strlist_release(&names);
		free(dir);
	}
	assert_true(files >= 10); /* fixtures/corpus has 10 files, the shared one 31 */
}

static void test_error_position(void **state)
{
	(void)state;
	ss_text t;
	load_bytes(&t, "one\ntwo three\n", 14);
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_text_error(&t, &d, 8, "bad %s", "thing"), -1);
	char *msg = ss_diag_format(&d);
	assert_string_equal(msg, "mem:2:5: bad thing");
	free(msg);
	ss_diag_clear(&d);
	ss_text_free(&t);
}

/* buf.h: a buffer is always NUL-terminated, also right after a first
 * ss_buf_grow() that added nothing. */
static void test_buf_grow_keeps_it_a_string(void **state)
{
	(void)state;
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_buf_grow(&b, 100), 0);
	assert_non_null(b.data);
	assert_int_equal(b.data[0], '\0');
	assert_string_equal(ss_buf_str(&b), "");
	assert_int_equal(ss_buf_add(&b, "ab", 2), 0);
	assert_int_equal(ss_buf_grow(&b, 1000), 0);
	assert_string_equal(b.data, "ab");
	ss_buf_release(&b);
}

/* ss_buf_reserve_exact: room for exactly what is asked (a file read
 * whole takes its size, not the next power of two), a string throughout,
 * never less room than there was, and no overflow. */
static void test_buf_reserve_exact(void **state)
{
	(void)state;
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_buf_reserve_exact(&b, 1000), 0);
	assert_int_equal(b.cap, 1001);
	assert_string_equal(ss_buf_str(&b), "");
	assert_int_equal(ss_buf_add(&b, "ab", 2), 0);
	assert_int_equal(ss_buf_reserve_exact(&b, 5000), 0);
	assert_int_equal(b.cap, 5003);
	assert_string_equal(b.data, "ab");
	assert_int_equal(ss_buf_reserve_exact(&b, 10), 0);
	assert_int_equal(b.cap, 5003);
	assert_int_equal(ss_buf_reserve_exact(&b, (size_t)-1), -1);
	assert_string_equal(b.data, "ab");
	ss_buf_release(&b);
}

/* ss_buf_detach gives the string back whole, also after the buffer grew
 * far past it (it then gives the room back) and when it is empty. */
static void test_buf_detach_keeps_the_string(void **state)
{
	(void)state;
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_buf_grow(&b, 1 << 20), 0);
	assert_int_equal(ss_buf_adds(&b, "web.example"), 0);
	size_t len = 0;
	char *s = ss_buf_detach(&b, &len);
	assert_string_equal(s, "web.example");
	assert_int_equal(len, 11);
	assert_null(b.data);
	assert_int_equal(b.cap, 0);
	free(s);
	s = ss_buf_detach(&b, &len);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
}

/* ss_array_room: room for one more, doubling from 8, the elements kept;
 * a size that would overflow is refused and leaves the array as it was. */
static void test_array_room(void **state)
{
	(void)state;
	uint64_t *v = NULL;
	size_t cap = 0;
	for (size_t n = 0; n < 100; n++) {
		assert_int_equal(ss_array_room(&v, &cap, n, sizeof(*v)), 0);
		assert_true(cap > n);
		v[n] = n * n;
	}
	assert_int_equal(cap, 128);
	for (size_t n = 0; n < 100; n++)
		assert_int_equal(v[n], n * n);
	uint64_t *before = v;
	size_t huge = (size_t)-1 / 2 + 1;
	assert_int_equal(ss_array_room(&v, &huge, huge, 2), -1);
	assert_ptr_equal(v, before);
	free(v);
}

/* ss_array_reserve: room for `need` in all, doubled as often as that
 * takes, the elements kept; room enough changes nothing; an overflow is
 * refused and leaves the array as it was. */
static void test_array_reserve(void **state)
{
	(void)state;
	uint32_t *v = NULL;
	size_t cap = 0;
	assert_int_equal(ss_array_reserve(&v, &cap, 0, sizeof(*v)), 0);
	assert_null(v);
	assert_int_equal(ss_array_reserve(&v, &cap, 3, sizeof(*v)), 0);
	assert_int_equal(cap, 8);
	for (uint32_t i = 0; i < 8; i++)
		v[i] = i + 1;
	assert_int_equal(ss_array_reserve(&v, &cap, 65, sizeof(*v)), 0);
	assert_int_equal(cap, 128);
	for (uint32_t i = 0; i < 8; i++)
		assert_int_equal(v[i], i + 1);
	uint32_t *before = v;
	assert_int_equal(ss_array_reserve(&v, &cap, 128, sizeof(*v)), 0);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, 128);
	assert_int_equal(ss_array_reserve(&v, &cap, (size_t)-1, sizeof(*v)), -1);
	assert_int_equal(ss_array_reserve(&v, &cap, (size_t)-1 / 2 + 2, 1), -1);
	assert_ptr_equal(v, before);
	assert_int_equal(cap, 128);
	free(v);
}

static void test_utf8_valid_is_strict(void **state)
{
	(void)state;
	assert_true(ss_utf8_valid("caf\xC3\xA9 \xF0\x9F\x98\x80", 10));
	assert_true(ss_utf8_valid("", 0));
	assert_false(ss_utf8_valid("\xED\xA0\x80", 3));	    /* a surrogate */
	assert_false(ss_utf8_valid("\xC0\x85", 2));	    /* overlong */
	assert_false(ss_utf8_valid("\xE0\x80\x80", 3));	    /* overlong */
	assert_false(ss_utf8_valid("\xF4\x90\x80\x80", 4)); /* above U+10FFFF */
	assert_false(ss_utf8_valid("\xC3", 1));		    /* cut short */
	assert_false(ss_utf8_valid("\xFF", 1));
}

static const char *printable(ss_buf *b, const char *s, size_t len, int flags)
{
	ss_buf_reset(b);
	assert_int_equal(ss_text_add_printable(b, s, len, flags), 0);
	return ss_buf_str(b);
}

static void test_printable_escapes_what_acts_on_a_terminal(void **state)
{
	(void)state;
	ss_buf b = SS_BUF_INIT;
	assert_string_equal(printable(&b, "a\x1B]0;T\x07\r\n\t\x7F", 11, 0),
			    "a\\x1B]0;T\\x07\\x0D\\x0A\\x09\\x7F");
	assert_string_equal(printable(&b, "a\nb\tc\r", 6, SS_PRINT_KEEP_LF | SS_PRINT_KEEP_TAB),
			    "a\nb\tc\\x0D");
	/* C1 (NEL), bidi override and isolate, line separator, noncharacter. */
	assert_string_equal(
	    printable(&b, "\xC2\x85|\xE2\x80\xAE|\xE2\x81\xA6|\xE2\x80\xA8|\xEF\xBF\xBF", 18, 0),
	    "\\xC2\\x85|\\xE2\\x80\\xAE|\\xE2\\x81\\xA6|\\xE2\\x80\\xA8|\\xEF\\xBF\\xBF");
	/* Bad sequences byte by byte; good text as it is; NUL too. */
	assert_string_equal(printable(&b, "\xED\xA0\x80\xC3\xA9\0z", 7, 0),
			    "\\xED\\xA0\\x80\xC3\xA9\\x00z");
	assert_true(ss_utf8_valid(b.data, b.len));
	ss_buf_release(&b);
}

/* Every byte value at every place of a run of printable ASCII (whole
 * words of eight and their tails): kept when it is printable ASCII, else
 * escaped, alone (a byte from 0x80 on alone is no UTF-8). */
static void test_printable_every_byte_everywhere(void **state)
{
	(void)state;
	ss_buf b = SS_BUF_INIT;
	char in[21], want[32];
	for (unsigned c = 0; c < 256; c++) {
		for (size_t at = 0; at < sizeof(in); at++) {
			memset(in, '~', sizeof(in));
			in[0] = ' ';
			in[at] = (char)c;
			int kept = c >= 0x20 && c < 0x7F;
			size_t n = 0;
			for (size_t i = 0; i < sizeof(in); i++) {
				if (i == at && !kept)
					n += (size_t)snprintf(want + n, sizeof(want) - n, "\\x%02X",
							      c);
				else
					want[n++] = in[i];
			}
			want[n] = '\0';
			assert_string_equal(printable(&b, in, sizeof(in), 0), want);
		}
	}
	ss_buf_release(&b);
}

static void test_diag_format_is_printable(void **state)
{
	(void)state;
	ss_diag d = SS_DIAG_INIT;
	ss_diag_set(&d, "dir/\x1B[2Jf", 3, 1, "bad keyword 'x\x1B]0;OWNED\x07\xC2\x9B'");
	char *msg = ss_diag_format(&d);
	assert_string_equal(msg, "dir/\\x1B[2Jf:3:1: bad keyword 'x\\x1B]0;OWNED\\x07\\xC2\\x9B'");
	free(msg);
	ss_diag_clear(&d);
}

/* A FIFO is refused without waiting for a writer, a device without reading
 * it, and a file over the limit without reading it. */
static void test_load_refuses_what_is_not_a_regular_file(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *fifo = tu_path(dir, "fifo"), *big = tu_path(dir, "big");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	ss_text t;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_text_load(&t, fifo, 0, &d), -1);
	assert_non_null(strstr(d.message, "not a regular file"));
	ss_diag_clear(&d);
	assert_int_equal(ss_text_load(&t, "/dev/zero", 0, &d), -1);
	assert_non_null(strstr(d.message, "not a regular file"));
	ss_diag_clear(&d);
	tu_write_str(big, "0123456789");
	assert_int_equal(ss_text_load(&t, big, 9, &d), -1);
	assert_non_null(strstr(d.message, "larger than 9 bytes"));
	ss_diag_clear(&d);
	assert_int_equal(ss_text_load(&t, big, 10, &d), 0);
	ss_text_free(&t);
	free(fifo);
	free(big);
	tu_rmtree(dir);
	free(dir);
}

static void test_cp1252_round_trip(void **state)
{
	(void)state;
	char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	ss_buf u = SS_BUF_INIT, back = SS_BUF_INIT;
	assert_int_equal(ss_cp1252_to_utf8(all, 256, &u), 0);
	assert_true(ss_utf8_valid(u.data, u.len));
	assert_int_equal(ss_utf8_to_cp1252(u.data, u.len, &back), 0);
	assert_int_equal(back.len, 256);
	assert_memory_equal(back.data, all, 256);
	ss_buf_reset(&u);
	assert_int_equal(ss_cp1252_to_utf8("caf\xE9 \x80\x9F", 7, &u), 0);
	assert_string_equal(ss_buf_str(&u), "caf\xC3\xA9 \xE2\x82\xAC\xC5\xB8");
	ss_buf_reset(&back);
	assert_int_equal(ss_utf8_to_cp1252("\xCE\xA9", 2, &back), -2); /* Omega */
	assert_int_equal(ss_utf8_to_cp1252("\xC3", 1, &back), -2);     /* not UTF-8 */
	/* Other code pages through iconv; Windows-1252 by any of its names. */
	ss_buf_reset(&u);
	assert_int_equal(ss_ansi_to_utf8("1251", "\xF1\xE5\xF0", 3, &u), 0);
	assert_string_equal(ss_buf_str(&u), "\xD1\x81\xD0\xB5\xD1\x80"); /* сер */
	ss_buf_reset(&back);
	assert_int_equal(ss_utf8_to_ansi("CP1251", u.data, u.len, &back), 0);
	assert_string_equal(ss_buf_str(&back), "\xF1\xE5\xF0");
	ss_buf_reset(&back);
	assert_int_equal(ss_utf8_to_ansi("1251", "\xC3\xA9", 2, &back), -2); /* é */
	ss_buf_reset(&u);
	assert_int_equal(ss_ansi_to_utf8("windows-1252", "\x80", 1, &u), 0);
	assert_string_equal(ss_buf_str(&u), "\xE2\x82\xAC");
	assert_true(ss_ansi_known(NULL) && ss_ansi_known("1252") && ss_ansi_known("932"));
	assert_false(ss_ansi_known("nosuch"));
	ss_buf_release(&u);
	ss_buf_release(&back);
}

/* The fleet's Host names (web00000 ... web19999 and web00000.fleet.example)
 * spread over a table of 32,768 buckets as random keys would: FNV without
 * the final mix put 20,000 of them in 7,328 buckets. */
static void test_hash_key_spreads_similar_names(void **state)
{
	(void)state;
	enum { BUCKETS = 32768, NAMES = 20000 };
	unsigned char *used = calloc(BUCKETS, 1);
	assert_non_null(used);
	size_t distinct = 0;
	for (int i = 0; i < NAMES; i++) {
		char name[64];
		int n = snprintf(name, sizeof(name), i % 2 ? "web%05d.fleet.example" : "web%05d",
				 i / 2);
		uint64_t h = ss_hash_key(name, (size_t)n);
		distinct += !used[h & (BUCKETS - 1)];
		used[h & (BUCKETS - 1)] = 1;
	}
	/* Random keys fill 32768 * (1 - e^(-20000/32768)) = 14,957 buckets. */
	assert_true(distinct > 14500);
	free(used);
	/* The mix is a function of the whole hash, and the key one of the bytes. */
	assert_true(ss_hash_key("web1", 4) == ss_hash_mix(ss_hash_bytes("web1", 4)));
	assert_true(ss_hash_key("web1", 4) != ss_hash_key("web2", 4));
}

/* The arena: strings and objects side by side, aligned, a piece bigger
 * than a chunk, everything freed at once and the arena used again. */
static void test_arena_keeps_every_piece(void **state)
{
	(void)state;
	ss_arena a = SS_ARENA_INIT;
	for (int round = 0; round < 2; round++) {
		char *s[3000];
		long *n[3000];
		for (int i = 0; i < 3000; i++) {
			char name[32];
			int len = snprintf(name, sizeof(name), "web%05d", i);
			s[i] = ss_arena_strndup(&a, name, (size_t)len);
			n[i] = ss_arena_alloc(&a, sizeof(long) * 3);
			assert_non_null(s[i]);
			assert_non_null(n[i]);
			assert_int_equal((uintptr_t)n[i] % _Alignof(max_align_t), 0);
			n[i][0] = n[i][2] = i;
		}
		char *big = ss_arena_alloc(&a, 200 * 1024);
		assert_non_null(big);
		memset(big, 'x', 200 * 1024);
		char *after = ss_arena_strndup(&a, "after", 5);
		for (int i = 0; i < 3000; i++) {
			char name[32];
			snprintf(name, sizeof(name), "web%05d", i);
			assert_string_equal(s[i], name);
			assert_true(n[i][0] == i && n[i][2] == i);
		}
		assert_string_equal(after, "after");
		assert_string_equal(ss_arena_strndup(&a, "", 0), "");
		ss_arena_release(&a);
		assert_null(a.chunks);
	}
}

/* Packed pieces lie one right after another in a chunk (no padding
 * between them: the text table's rows), keep their bytes, and a piece
 * larger than a chunk gets its own. */
static void test_arena_packs_pieces(void **state)
{
	(void)state;
	ss_arena a = SS_ARENA_INIT;
	unsigned char *prev = NULL;
	size_t prev_len = 0, adjacent = 0;
	unsigned char *p[2000];
	for (size_t i = 0; i < 2000; i++) {
		size_t len = 1 + i % 13;
		p[i] = ss_arena_alloc_packed(&a, len);
		assert_non_null(p[i]);
		memset(p[i], (int)(i & 0xff), len);
		adjacent += prev && p[i] == prev + prev_len;
		prev = p[i];
		prev_len = len;
	}
	/* Only a new chunk (64 KiB: about 13,000 bytes asked here) breaks the run. */
	assert_true(adjacent >= 1998);
	for (size_t i = 0; i < 2000; i++)
		for (size_t k = 0; k < 1 + i % 13; k++)
			assert_int_equal(p[i][k], (unsigned char)(i & 0xff));
	unsigned char *big = ss_arena_alloc_packed(&a, 100 * 1024);
	assert_non_null(big);
	memset(big, 7, 100 * 1024);
	unsigned char *next = ss_arena_alloc_packed(&a, 3);
	assert_ptr_equal(next, prev + prev_len); /* the newest chunk kept its room */
	assert_int_equal(p[1999][0], 1999 & 0xff);
	ss_arena_release(&a);
}

/* Text, lines and their endings alike. */
static void assert_same_text(const ss_text *a, const ss_text *b)
{
	assert_int_equal(a->enc, b->enc);
	assert_int_equal(a->len, b->len);
	assert_memory_equal(a->data, b->data, a->len);
	assert_int_equal(a->nlines, b->nlines);
	for (size_t i = 0; i < a->nlines; i++)
		assert_int_equal(a->lines[i], b->lines[i]);
	assert_int_equal(a->style, b->style);
}

/* A file read in chunks (SS_TEXT_CHUNK) gives what its bytes give at once: the
 * same text, lines and hash, also when a surrogate pair, a lone surrogate,
 * a CR LF or the end of the file falls on a chunk boundary (the line table
 * is built piece by piece as the file is read). */
static void assert_load_is_from_bytes(const char *dir, const unsigned char *bytes, size_t len)
{
	char *path = tu_path(dir, "f");
	tu_write(path, bytes, len);
	ss_text a, b;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_text_load(&a, path, 0, &d), 0);
	load_bytes(&b, (const char *)bytes, len);
	assert_same_text(&a, &b);
	assert_true(a.id.hash == b.id.hash);
	assert_int_equal(a.id.size, (off_t)len);
	assert_roundtrip((const char *)bytes, len); /* the same text, the same file */
	ss_text_free(&a);
	ss_text_free(&b);
	free(path);
}

/* A UTF-16 file of an odd size is refused. */
static void assert_refused_as_odd(const char *path)
{
	ss_text t;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_text_load(&t, path, 0, &d), -1);
	assert_non_null(strstr(d.message, "odd number of bytes"));
	ss_diag_clear(&d);
}

static void test_load_in_chunks(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	const size_t chunk = SS_TEXT_CHUNK;
	size_t max = 2 * chunk + 16;
	unsigned char *p = malloc(max);
	assert_non_null(p);
	/* UTF-16: "ab\r\n" lines, then what falls on the first boundary. */
	const unsigned boundary[][2] = {
	    {0xD83D, 0xDE00}, /* a pair cut in two */
	    {0xD83D, 0x0041}, /* a lone high surrogate, then A */
	    {0x00E9, 0xDE00}, /* a lone low surrogate after the cut */
	    {0x000D, 0x000A}, /* CR LF cut in two */
	};
	for (size_t k = 0; k < 4; k++) {
		size_t sizes[] = {chunk, chunk + 2, chunk + 4, 2 * chunk, 2 * chunk + 16};
		for (size_t s = 0; s < 5; s++) {
			p[0] = 0xFF;
			p[1] = 0xFE;
			for (size_t i = 2; i + 1 < sizes[s]; i += 2)
				put_unit(p, i, "ab\r\n"[(i / 2) % 4]);
			put_unit(p, chunk - 2, boundary[k][0]);
			if (sizes[s] > chunk)
				put_unit(p, chunk, boundary[k][1]);
			if (sizes[s] > 2 * chunk)
				put_unit(p, 2 * chunk - 2, 0xD800);
			assert_load_is_from_bytes(dir, p, sizes[s]);
		}
	}
	/* A byte file over several chunks, and one of exactly one. */
	for (size_t i = 0; i < max; i++)
		p[i] = (unsigned char)(i % 7 == 6 ? '\n' : 'a' + i % 26);
	assert_load_is_from_bytes(dir, p, max);
	assert_load_is_from_bytes(dir, p, chunk);
	/* CR LF cut in two, then a line longer than a chunk. */
	p[chunk - 1] = '\r';
	p[chunk] = '\n';
	memset(p + chunk + 1, 'x', max - chunk - 1);
	assert_load_is_from_bytes(dir, p, max);
	p[max - 1] = '\n';
	assert_load_is_from_bytes(dir, p, max);
	/* An odd UTF-16 file longer than a chunk is refused. */
	p[0] = 0xFF;
	p[1] = 0xFE;
	char *path = tu_path(dir, "odd");
	tu_write(path, p, chunk + 3);
	assert_refused_as_odd(path);
	free(path);
	free(p);
	tu_rmtree(dir);
	free(dir);
}

static void add_unit(ss_buf *b, unsigned u)
{
	unsigned char two[2] = {(unsigned char)(u & 0xFF), (unsigned char)(u >> 8)};
	assert_int_equal(ss_buf_add(b, two, 2), 0);
}

/* UTF-16 units up to byte `upto` of b (even): lines of ASCII, 2-, 3- and
 * 4-byte characters, ending in CR LF or LF, the last cut where it falls. */
static void fill_utf16(ss_buf *b, size_t upto)
{
	static const unsigned line[] = {'k', 'e', 'y', 0xE9, '=', 0x20AC, 0xD83D, 0xDE00, '"', 'v'};
	assert_int_equal(ss_buf_grow(b, upto - b->len), 0);
	for (size_t i = 0; b->len < upto; i++) {
		unsigned u = i % 40 == 39 ? '\n' : i % 80 == 38 ? '\r' : line[i % 10];
		put_unit((unsigned char *)b->data, b->len, u);
		b->len += 2;
	}
}

/* A UTF-16 file of `size` bytes whose middle (where a large file is read
 * in two halves at once) is `at_half` units from `before` bytes before it. */
static ss_buf utf16_around_half(size_t size, size_t before, const unsigned *at_half, size_t n)
{
	ss_buf b = SS_BUF_INIT;
	add_unit(&b, 0xFEFF);
	fill_utf16(&b, (size / 2 & ~(size_t)1) - before);
	for (size_t i = 0; i < n; i++)
		add_unit(&b, at_half[i]);
	fill_utf16(&b, size);
	return b;
}

/* The file at path, whose bytes are `file` (released here), loads as its
 * bytes read at once; `hashed`: by ss_text_load, whose times tell it. */
static void assert_loads_as_read_at_once(const char *path, ss_buf *file, int hashed)
{
	ss_text a, b;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(
	    hashed ? ss_text_load(&a, path, 0, &d) : ss_text_load_unhashed(&a, path, 0, &d), 0);
	if (hashed)
		assert_false(ss_file_racy(&a.id));
	load_bytes(&b, file->data, file->len);
	assert_same_text(&a, &b);
	assert_int_equal(a.id.size, (off_t)file->len);
	ss_text_free(&a);
	ss_text_free(&b);
	ss_buf_release(file);
}

/* A UTF-16 file of `size` bytes as fill_utf16 writes it, but with only
 * LFs (empty lines) in its first half (`first`), its second, or both. */
static ss_buf utf16_empty_lines(size_t size, int first, int second)
{
	ss_buf b = SS_BUF_INIT;
	add_unit(&b, 0xFEFF);
	fill_utf16(&b, size);
	size_t half = size / 2 & ~(size_t)1;
	for (size_t at = 2; at + 1 < size; at += 2)
		if (at < half ? first : second)
			put_unit((unsigned char *)b.data, at, '\n');
	return b;
}

/* A large UTF-16 file whose times tell it (no hash needed) is read in two
 * halves at once: the text and lines are those of its bytes read at once
 * when a surrogate pair, an LF or CR LF falls on the middle, when the
 * second half has no LF in its first chunk (the first half reads on), when
 * it ends without a line ending, when either half or both have more lines
 * than their half of the line table (room for lines of 16 bytes: they are
 * all found again); an odd size is refused as before. */
static void test_large_utf16_read_in_two_halves(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	const size_t size = ((size_t)1 << 20) + 14;
	const unsigned pair[] = {0xD83D, 0xDE00}, lf[] = {'\n'}, crlf[] = {'\r', '\n'};
	unsigned *lone = malloc(40000 * sizeof(unsigned));
	assert_non_null(lone);
	for (size_t i = 0; i < 40000; i++)
		lone[i] = 'a' + i % 26; /* 80,000 bytes without an LF */
	ss_buf files[] = {
	    utf16_around_half(size, 2, pair, 2),
	    utf16_around_half(size, 2, lf, 1),
	    utf16_around_half(size, 0, lf, 1),
	    utf16_around_half(size, 2, crlf, 2),
	    utf16_around_half(size, 4000, lone, 40000),
	    utf16_around_half(size - 2, 2, pair, 2),
	    utf16_empty_lines(size, 1, 0),
	    utf16_empty_lines(size, 0, 1),
	    utf16_empty_lines(size, 1, 1),
	};
	free(lone);
	size_t nfiles = sizeof(files) / sizeof(files[0]);
	char name[16];
	for (size_t i = 0; i < nfiles; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		char *path = tu_path(dir, name);
		tu_write(path, files[i].data, files[i].len);
		free(path);
	}
	char *odd = tu_path(dir, "odd");
	tu_write(odd, files[0].data, files[0].len - 1);
	/* Past the time in which a change would leave the file's times alone. */
	struct timespec wait = {(time_t)(SS_RACY_NS / 1000000000) + 1, 0};
	assert_int_equal(nanosleep(&wait, NULL), 0);
	for (size_t i = 0; i < nfiles; i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		char *path = tu_path(dir, name);
		assert_loads_as_read_at_once(path, &files[i], 1);
		free(path);
	}
	assert_refused_as_odd(odd);
	free(odd);
	tu_rmtree(dir);
	free(dir);
}

/* ASCII units up to byte `upto` of b (even), in lines of 37 ending in CR LF. */
static void fill_ascii16(ss_buf *b, size_t upto)
{
	assert_int_equal(ss_buf_grow(b, upto - b->len), 0);
	for (size_t i = 0; b->len < upto; i++) {
		unsigned u = i % 37 == 36 ? '\n' : i % 37 == 35 ? '\r' : 'a' + i % 26;
		put_unit((unsigned char *)b->data, b->len, u);
		b->len += 2;
	}
}

/* An ASCII UTF-16 file of `size` bytes with units `at` (n of them) put
 * `from` bytes after the middle (before it when negative). */
static ss_buf ascii16_with(size_t size, long from, const unsigned *at, size_t n)
{
	ss_buf b = SS_BUF_INIT;
	add_unit(&b, 0xFEFF);
	fill_ascii16(&b, size);
	size_t where = (size_t)((long)(size / 2 & ~(size_t)1) + from);
	for (size_t i = 0; i < n; i++)
		put_unit((unsigned char *)b.data, where + 2 * i, at[i]);
	return b;
}

/* The second half of a large file read without a hash is decoded where
 * the first half's text ends when that is all ASCII: the text is the same
 * as read at once when it is (in the middle of a line, right after an LF,
 * with its last line cut), and when a character that is not ASCII falls in
 * the first half (early, or in its last chunk), in the first line of the
 * second half (read by the first), in the second half only, or in all of
 * the second half. */
static void test_large_ascii_utf16_in_place(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	const size_t size = ((size_t)1 << 20) + 2 * 37 * 5;
	const unsigned e_acute[] = {0xE9}, euro[] = {0x20AC}, pair[] = {0xD83D, 0xDE00};
	const unsigned lf[] = {'\n'}, x[] = {'x'};
	const long early = -(long)(size / 2) + 10;
	ss_buf files[] = {
	    ascii16_with(size, 0, x, 1),
	    ascii16_with(size - 40, 0, x, 1),
	    ascii16_with(size, 0, lf, 1),
	    ascii16_with(size, -2, lf, 1),
	    ascii16_with(size, 4, e_acute, 1),
	    ascii16_with(size, 0, pair, 2),
	    ascii16_with(size, -20, euro, 1),
	    ascii16_with(size, early, e_acute, 1),
	    ascii16_with(size, early, pair, 2),
	    ascii16_with(size, 50000, euro, 1),
	    ascii16_with(size, -200000, e_acute, 1),
	    ascii16_with(size, 0, x, 1),
	};
	/* The last: a second half of 3-byte characters, which fill the room
	 * that the file's size left after the first half's text. */
	ss_buf *euros = &files[sizeof(files) / sizeof(files[0]) - 1];
	for (size_t i = size / 2 + 200; i + 1 < euros->len; i += 2)
		if (euros->data[i] != '\n' && euros->data[i] != '\r')
			put_unit((unsigned char *)euros->data, i, 0x20AC);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = tu_path(dir, "f");
		tu_write(path, files[i].data, files[i].len);
		assert_loads_as_read_at_once(path, &files[i], 0);
		free(path);
	}
	tu_rmtree(dir);
	free(dir);
}

/* A byte file of `size` bytes: lines of `line` bytes (CR LF or LF ending
 * them by turns, one more CR LF than LF) with `at` (n bytes) put `from`
 * bytes after the middle, where a large file is read in two halves. */
static ss_buf bytes_with(size_t size, long from, const char *at, size_t n)
{
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_buf_grow(&b, size), 0);
	size_t line = 41;
	for (size_t i = 0; i < size; i++)
		b.data[i] = i % line == line - 1			? '\n'
			    : i % line == line - 2 && i / line % 2 == 0 ? '\r'
									: (char)('a' + i % 26);
	b.len = size;
	memcpy(b.data + (size_t)((long)(size / 2) + from), at, n);
	return b;
}

/* A large byte file read without a hash is read in two halves at once:
 * its text, lines and line ending are those of its bytes read at once
 * when an LF, a CR LF cut in two, or an empty line falls on the middle,
 * when the second half has no LF, or only its last byte is one, when the
 * line cut by the middle decides the ending that most lines have, and
 * when a half has more lines than its room in the table. */
static void test_large_byte_file_read_in_two_halves(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	const size_t size = ((size_t)1 << 20) + 123;
	ss_buf files[] = {
	    bytes_with(size, 0, "\n", 1),	 bytes_with(size, -1, "\r\n", 2),
	    bytes_with(size, -1, "\n\n", 2),	 bytes_with(size, -1, "\n", 1),
	    bytes_with(size, 1, "\r\n", 2),	 bytes_with(size, 0, "x", 1),
	    bytes_with(size - 1, -1, "\r\n", 2),
	};
	/* No LF in the second half; then only at its end. */
	ss_buf *none = &files[5];
	memset(none->data + size / 2, 'y', size - size / 2);
	ss_buf last = SS_BUF_INIT;
	assert_int_equal(ss_buf_add(&last, none->data, none->len), 0);
	last.data[last.len - 1] = '\n';
	/* Lines by turns CR LF and LF but for the one cut by the middle: a CR
	 * LF there makes CR LF the most (found apart, it would be LF). */
	ss_buf even = SS_BUF_INIT;
	for (size_t half = size / 2; even.len < size;) {
		if (even.len + 18 <= half - 1 || (even.len > half && even.len + 18 <= size))
			assert_int_equal(ss_buf_adds(&even, "abcdefg\r\nabcdefgh\n"), 0);
		else if (even.len == half - 1)
			assert_int_equal(ss_buf_adds(&even, "\r\n"), 0);
		else
			assert_int_equal(ss_buf_addc(&even, 'z'), 0);
	}
	/* Lines of 2 bytes in the first half, then in the second: more lines
	 * than a half's room in the table (lines of 16 bytes). */
	ss_buf shortfirst = SS_BUF_INIT, shortsecond = SS_BUF_INIT;
	for (size_t i = 0; i < size; i++) {
		int first = i < size / 2;
		assert_int_equal(
		    ss_buf_addc(&shortfirst, first ? "x\n"[i % 2] : (char)('a' + i % 26)), 0);
		assert_int_equal(
		    ss_buf_addc(&shortsecond, !first ? "\r\n"[i % 2] : (char)('a' + i % 26)), 0);
	}
	ss_buf more[] = {last, even, shortfirst, shortsecond};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) + 4; i++) {
		ss_buf *f = i < sizeof(files) / sizeof(files[0])
				? &files[i]
				: &more[i - sizeof(files) / sizeof(files[0])];
		char *path = tu_path(dir, "f");
		tu_write(path, f->data, f->len);
		assert_loads_as_read_at_once(path, f, 0);
		free(path);
	}
	tu_rmtree(dir);
	free(dir);
}

/* A large byte file whose times cannot tell it (just written) is read in
 * two halves that meet where a block of the hash starts, each hashed on
 * its thread: its text, lines and hash are those of its bytes, at sizes
 * about the ones from which the halves start and move by a block. */
static void test_large_racy_byte_file_read_hashed(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	const size_t mib = (size_t)1 << 20;
	const size_t sizes[] = {2 * mib - 1,
				2 * mib,
				3 * mib + 5,
				4 * mib - 1,
				4 * mib,
				6 * mib + 123,
				6 * mib + SS_TEXT_CHUNK};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		ss_buf f = bytes_with(sizes[i], 0, "\r\n", 2);
		char *path = tu_path(dir, "f");
		tu_write(path, f.data, f.len);
		ss_text a, b;
		ss_diag d = SS_DIAG_INIT;
		assert_int_equal(ss_text_load(&a, path, 0, &d), 0);
		assert_true(ss_file_racy(&a.id) && a.id.known);
		assert_true(a.id.hash == ss_content_hash_bytes(f.data, f.len));
		load_bytes(&b, f.data, f.len);
		assert_same_text(&a, &b);
		ss_text_free(&a);
		ss_text_free(&b);
		ss_buf_release(&f);
		free(path);
	}
	tu_rmtree(dir);
	free(dir);
}

/* A file that will not be written is read without a hash, even when its
 * times cannot tell it (just written), and its identity is unknown: no
 * write takes it for the file it checks against. */
static void test_load_unhashed(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "f");
	tu_write_str(path, "a\r\nb\n");
	ss_text a, b;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_text_load(&a, path, 0, &d), 0);
	assert_int_equal(ss_text_load_unhashed(&b, path, 0, &d), 0);
	assert_true(ss_file_racy(&a.id) && a.id.known && a.id.hash != 0);
	assert_int_equal(b.id.known, 0);
	assert_true(b.id.hash == 0);
	assert_false(ss_file_same_read(&a.id, &b.id));
	assert_same_text(&a, &b);
	ss_text_free(&a);
	ss_text_free(&b);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* The identity of a file to be replaced, read without its text: what
 * ss_text_load gives (the same file, size, times, hash and encoding) for
 * a byte file and a UTF-16 file of several chunks, and the same refusals. */
static void test_load_identity(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "f");
	size_t big = 3 * SS_TEXT_CHUNK + 34;
	unsigned char *bytes = malloc(big + 1);
	assert_non_null(bytes);
	for (size_t i = 0; i < big; i++)
		bytes[i] = (unsigned char)(i % 2 ? 0 : 'a' + i % 26);
	bytes[0] = 0xFF, bytes[1] = 0xFE;
	const size_t sizes[] = {5, big};
	for (int i = 0; i < 2; i++) {
		if (i == 0)
			tu_write_str(path, "a\r\nb\n");
		else
			tu_write(path, bytes, sizes[i]);
		ss_text a, b;
		ss_diag d = SS_DIAG_INIT;
		assert_int_equal(ss_text_load(&a, path, 0, &d), 0);
		assert_int_equal(ss_text_load_identity(&b, path, 0, &d), 0);
		assert_true(ss_file_racy(&a.id) && a.id.known && a.id.hash != 0);
		assert_true(ss_file_same_read(&a.id, &b.id));
		assert_true(a.id.hash == b.id.hash);
		assert_int_equal(b.id.size, (int64_t)sizes[i]);
		assert_int_equal(a.enc, b.enc);
		assert_int_equal(b.enc, i ? SS_ENC_UTF16LE : SS_ENC_BYTES);
		assert_int_equal(b.len, 0);
		assert_string_equal(b.path, path);
		ss_text_free(&a);
		ss_text_free(&b);
	}
	tu_write(path, bytes, big + 1 - 2); /* odd */
	ss_text t;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_text_load_identity(&t, path, 0, &d), -1);
	assert_non_null(strstr(d.message, "odd number of bytes"));
	ss_diag_clear(&d);
	assert_int_equal(ss_text_load_identity(&t, path, 100, &d), -1);
	assert_non_null(strstr(d.message, "larger than 100 bytes"));
	ss_diag_clear(&d);
	free(bytes);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* A source goes out in pieces of exactly SS_CHUNK_SIZE (the last one
 * shorter), and they make the file that rendering whole makes. */
static void test_source_emits_whole_pieces(void **state)
{
	(void)state;
	ss_buf text = SS_BUF_INIT, file = SS_BUF_INIT, want = SS_BUF_INIT, whole = SS_BUF_INIT;
	for (size_t i = 0; text.len < 3 * SS_CHUNK_SIZE; i++)
		assert_int_equal(ss_buf_addf(&text, "line %zu \xC3\xA9\xF0\x9F\x98\x80\r\n", i), 0);
	ss_text t;
	ss_diag d = SS_DIAG_INIT;
	for (int enc = 0; enc < 2; enc++) {
		ss_buf_reset(&file);
		ss_buf_reset(&want);
		ss_buf_reset(&whole);
		assert_int_equal(ss_text_new_empty(&t, "mem", enc ? SS_ENC_UTF16LE : SS_ENC_BYTES,
						   SS_EOL_CRLF, &d),
				 0);
		assert_int_equal(ss_text_encode(&t, text.data, text.len, &file, &d), 0);
		ss_text_free(&t);
		load_bytes(&t, file.data, file.len);
		ss_edits e = SS_EDITS_INIT;
		assert_int_equal(ss_edits_replace(&e, 5, 6, "X", 1), 0);
		/* At a line start near the middle of a piece; the last line. */
		const char *nl =
		    memchr(t.data + SS_CHUNK_SIZE / 2, '\n', t.len - SS_CHUNK_SIZE / 2);
		assert_non_null(nl);
		assert_int_equal(ss_edits_insert(&e, (size_t)(nl + 1 - t.data), "\xC3\xA9", 2), 0);
		assert_int_equal(ss_edits_delete(&e, t.len - 8, t.len), 0);
		assert_int_equal(ss_edits_render(&t, &e, &whole, &d), 0);
		assert_int_equal(ss_text_encode(&t, whole.data, whole.len, &want, &d), 0);
		tu_pieces p = {SS_BUF_INIT, 0, 0, 0};
		ss_source src = {&t, &e, NULL, 0, NULL};
		ss_sink sink = {tu_put_piece, &p};
		assert_int_equal(ss_source_emit(&src, &sink, &d), 0);
		assert_true(p.n >= 3);
		assert_int_equal(p.short_ones, 0);
		assert_int_equal(p.all.len, want.len);
		assert_memory_equal(p.all.data, want.data, want.len);
		ss_buf_release(&p.all);
		ss_edits_free(&e);
		ss_text_free(&t);
	}
	ss_buf_release(&text);
	ss_buf_release(&file);
	ss_buf_release(&want);
	ss_buf_release(&whole);
}

/* The content hash piece by piece, cut anywhere, is the hash of the
 * whole, and a change of one byte anywhere changes it. */
static void test_content_hash(void **state)
{
	(void)state;
	unsigned char b[1000];
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (unsigned char)(i * 7 + i / 13);
	for (size_t len = 0; len <= sizeof(b); len += 37) {
		uint64_t whole = ss_content_hash_bytes(b, len);
		for (size_t cut = 0; cut <= len; cut += 5) {
			ss_content_hash h;
			ss_content_hash_init(&h);
			ss_content_hash_update(&h, b, cut);
			for (size_t at = cut; at < len; at += 3)
				ss_content_hash_update(&h, b + at, len - at < 3 ? len - at : 3);
			assert_true(ss_content_hash_final(&h) == whole);
		}
		for (size_t i = 0; i < len; i += 11) {
			b[i] ^= 1;
			assert_true(ss_content_hash_bytes(b, len) != whole);
			b[i] ^= 1;
		}
	}
	assert_true(ss_content_hash_bytes("a", 1) != ss_content_hash_bytes("a\0", 2));
}

/* Two parts of a file hashed apart and joined where a block starts give
 * the hash of the whole; a join anywhere else is refused, and blocks that
 * trade places change the hash. */
static void test_content_hash_join(void **state)
{
	(void)state;
	const size_t block = SS_CONTENT_BLOCK, size = 3 * block + 1234;
	unsigned char *b = malloc(size);
	assert_non_null(b);
	uint64_t x = 88172645463325252ULL;
	for (size_t i = 0; i < size; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		b[i] = (unsigned char)x;
	}
	const size_t lens[] = {block, 2 * block, 3 * block, size, 3 * block + 31, 3 * block + 32};
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		size_t len = lens[k];
		uint64_t whole = ss_content_hash_bytes(b, len);
		for (size_t at = block; at <= len; at += block) {
			ss_content_hash h, next;
			ss_content_hash_init(&h);
			ss_content_hash_update(&h, b, at);
			ss_content_hash_init_at(&next, at);
			ss_content_hash_update(&next, b + at, len - at);
			assert_int_equal(ss_content_hash_join(&h, &next), 0);
			assert_true(ss_content_hash_final(&h) == whole);
		}
	}
	/* Joined on and hashed on after the join, cut at odd places. */
	ss_content_hash h, next, mid;
	ss_content_hash_init(&h);
	ss_content_hash_update(&h, b, block);
	ss_content_hash_init_at(&next, block);
	ss_content_hash_update(&next, b + block, 7);
	ss_content_hash_update(&next, b + block + 7, block - 7);
	ss_content_hash_init_at(&mid, 2 * block);
	ss_content_hash_update(&mid, b + 2 * block, 100);
	assert_int_equal(ss_content_hash_join(&h, &next), 0);
	assert_int_equal(ss_content_hash_join(&h, &mid), 0);
	ss_content_hash_update(&h, b + 2 * block + 100, size - 2 * block - 100);
	assert_true(ss_content_hash_final(&h) == ss_content_hash_bytes(b, size));
	/* Not at a block's start, or not where the other began. */
	ss_content_hash_init(&h);
	ss_content_hash_update(&h, b, block - 32);
	ss_content_hash_init_at(&next, block);
	assert_int_equal(ss_content_hash_join(&h, &next), -1);
	ss_content_hash_init(&h);
	ss_content_hash_update(&h, b, block);
	ss_content_hash_init_at(&next, 2 * block);
	assert_int_equal(ss_content_hash_join(&h, &next), -1);
	/* The same blocks in another order. */
	uint64_t whole = ss_content_hash_bytes(b, 2 * block);
	unsigned char *swapped = malloc(2 * block);
	assert_non_null(swapped);
	memcpy(swapped, b + block, block);
	memcpy(swapped + block, b, block);
	assert_true(ss_content_hash_bytes(swapped, 2 * block) != whole);
	free(swapped);
	free(b);
}

/* ss_text_line_at_from finds the line ss_text_line_at does, for every
 * offset of generated texts (lines of 0 to 40 bytes, LF or CRLF, with or
 * without a last line ending) and every hint at or before that line, and
 * for hints past it too (it then looks from the start). */
static void test_line_at_from_is_line_at(void **state)
{
	(void)state;
	unsigned seed = 7;
	for (int round = 0; round < 60; round++) {
		ss_buf b = SS_BUF_INIT;
		for (unsigned k = 0, n = tu_pick(&seed, 50); k < n; k++) {
			for (unsigned j = 0, w = tu_pick(&seed, 41); j < w; j++)
				assert_int_equal(ss_buf_addc(&b, 'a'), 0);
			if (k + 1 < n || tu_pick(&seed, 2))
				assert_int_equal(ss_buf_adds(&b, tu_pick(&seed, 3) ? "\n" : "\r\n"),
						 0);
		}
		ss_text t;
		ss_diag d = SS_DIAG_INIT;
		assert_int_equal(ss_text_from_bytes(&t, "t", b.data ? b.data : "", b.len, &d), 0);
		for (size_t off = 0; off <= t.len; off++) {
			size_t want = ss_text_line_at(&t, off);
			for (size_t from = 0; from <= want + 2; from++)
				if (ss_text_line_at_from(&t, off, from) != want)
					fail_msg("round %d: offset %zu from line %zu", round, off,
						 from);
		}
		ss_text_free(&t);
		ss_buf_release(&b);
	}
}

/* ss_format_lld writes what printf's %lld does: both ends of the range,
 * every power of ten and its neighbours, and generated numbers. */
/* ss_strlist_has: whole strings, compared exactly. */
static void test_strlist_has(void **state)
{
	(void)state;
	ss_strlist l = SS_STRLIST_INIT;
	assert_false(ss_strlist_has(&l, ""));
	assert_int_equal(ss_strlist_push(&l, "web01"), 0);
	assert_int_equal(ss_strlist_push(&l, ""), 0);
	assert_true(ss_strlist_has(&l, "web01"));
	assert_true(ss_strlist_has(&l, ""));
	assert_false(ss_strlist_has(&l, "web0"));
	assert_false(ss_strlist_has(&l, "web012"));
	assert_false(ss_strlist_has(&l, "WEB01"));
	ss_strlist_release(&l);
}

static void test_format_lld_is_printf(void **state)
{
	(void)state;
	long long v[200];
	size_t n = 0;
	v[n++] = LLONG_MIN;
	v[n++] = LLONG_MAX;
	v[n++] = 0;
	for (long long p = 1; p <= LLONG_MAX / 10; p *= 10)
		for (int d = -1; d <= 1; d++) {
			v[n++] = p + d;
			v[n++] = -(p + d);
		}
	unsigned seed = 5;
	while (n < 200) {
		unsigned long long x = ((unsigned long long)tu_lcg(&seed) << 32) ^ tu_lcg(&seed);
		v[n++] = (long long)(x >> tu_pick(&seed, 64));
	}
	for (size_t i = 0; i < n; i++) {
		char digits[25], want[32];
		digits[24] = '\0';
		size_t at = ss_format_lld(digits, v[i]);
		snprintf(want, sizeof(want), "%lld", v[i]);
		assert_string_equal(digits + at, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lines_and_endings),
	    cmocka_unit_test(test_lines_match_a_plain_scan),
	    cmocka_unit_test(test_line_at_from_is_line_at),
	    cmocka_unit_test(test_strlist_has),
	    cmocka_unit_test(test_format_lld_is_printf),
	    cmocka_unit_test(test_find3),
	    cmocka_unit_test(test_contains_ci),
	    cmocka_unit_test(test_style_is_majority),
	    cmocka_unit_test(test_utf16_decodes_and_roundtrips),
	    cmocka_unit_test(test_utf16_decode_matches_unit_by_unit),
	    cmocka_unit_test(test_utf16_odd_length_is_an_error),
	    cmocka_unit_test(test_bytes_roundtrip),
	    cmocka_unit_test(test_corpus_roundtrip),
	    cmocka_unit_test(test_error_position),
	    cmocka_unit_test(test_buf_grow_keeps_it_a_string),
	    cmocka_unit_test(test_buf_reserve_exact),
	    cmocka_unit_test(test_array_room),
	    cmocka_unit_test(test_array_reserve),
	    cmocka_unit_test(test_buf_detach_keeps_the_string),
	    cmocka_unit_test(test_utf8_valid_is_strict),
	    cmocka_unit_test(test_printable_escapes_what_acts_on_a_terminal),
	    cmocka_unit_test(test_printable_every_byte_everywhere),
	    cmocka_unit_test(test_diag_format_is_printable),
	    cmocka_unit_test(test_cp1252_round_trip),
	    cmocka_unit_test(test_load_refuses_what_is_not_a_regular_file),
	    cmocka_unit_test(test_hash_key_spreads_similar_names),
	    cmocka_unit_test(test_arena_keeps_every_piece),
	    cmocka_unit_test(test_arena_packs_pieces),
	    cmocka_unit_test(test_load_in_chunks),
	    cmocka_unit_test(test_source_emits_whole_pieces),
	    cmocka_unit_test(test_content_hash),
	    cmocka_unit_test(test_content_hash_join),
	    cmocka_unit_test(test_large_utf16_read_in_two_halves),
	    cmocka_unit_test(test_large_byte_file_read_in_two_halves),
	    cmocka_unit_test(test_large_racy_byte_file_read_hashed),
	    cmocka_unit_test(test_large_ascii_utf16_in_place),
	    cmocka_unit_test(test_load_unhashed),
	    cmocka_unit_test(test_load_identity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
