/* Windows .reg files: a line index, typed values, and edits that keep
 * every other byte (see include/sshsync/regfile.h for the accepted syntax). */
#include "sshsync/regfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/keyindex.h"
#include "sshsync/os_sys.h"

static const char HEADER_V5[] = "Windows Registry Editor Version 5.00";
static const char HEADER_V4[] = "REGEDIT4";

static const char *const ROOTS[] = {"HKEY_LOCAL_MACHINE",
				    "HKEY_CURRENT_USER",
				    "HKEY_CLASSES_ROOT",
				    "HKEY_USERS",
				    "HKEY_CURRENT_CONFIG",
				    "HKEY_DYN_DATA",
				    NULL};

/* A lone CR is content for the text layer; for .reg syntax it is a blank. */
static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* The value of each byte as a hex digit, -1 for others: a table, as a
 * 10,000-session export has a million dword: values to check. */
static const signed char HEX[256] = {
    ['0'] = 1,	['1'] = 2,  ['2'] = 3,	['3'] = 4,  ['4'] = 5,	['5'] = 6,  ['6'] = 7,	['7'] = 8,
    ['8'] = 9,	['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16};

static int hexval(char c)
{
	return HEX[(unsigned char)c] - 1; /* the table holds value + 1: 0 is "no digit" */
}

/* Whether s[q, end) starts with exactly 8 hex digits (regedit writes
 * every dword so), then their number in *x: the digits without a loop. */
static int eight_hex(const char *s, size_t q, size_t end, uint32_t *x)
{
	if (end - q < 8)
		return 0;
	const unsigned char *u = (const unsigned char *)s + q;
	int h[8];
	for (int k = 0; k < 8; k++)
		h[k] = HEX[u[k]];
	if (!h[0] || !h[1] || !h[2] || !h[3] || !h[4] || !h[5] || !h[6] || !h[7] ||
	    (end - q > 8 && HEX[u[8]]))
		return 0;
	uint32_t v = 0;
	for (int k = 0; k < 8; k++)
		v = (v << 4) | (uint32_t)(h[k] - 1);
	*x = v;
	return 1;
}

/* [*pos, end) of line `li`, with leading blanks skipped. */
static void line_span(const ss_text *t, size_t li, size_t *pos, size_t *end)
{
	size_t p = t->lines[li], e = ss_text_line_end(t, li);
	while (p < e && is_blank(t->data[p]))
		p++;
	*pos = p;
	*end = e;
}

static size_t skip_blanks(const char *s, size_t p, size_t end)
{
	while (p < end && is_blank(s[p]))
		p++;
	return p;
}

static const char *eol_str(ss_eol e)
{
	return e == SS_EOL_CRLF ? "\r\n" : "\n";
}

/* --- values --- */

/* After the data: only blanks, or a ';' comment. */
static int check_trailing(const ss_text *t, size_t p, size_t end, ss_diag *d)
{
	p = skip_blanks(t->data, p, end);
	if (p < end && t->data[p] != ';')
		return ss_text_error(t, d, p,
				     "unexpected text after the value: expected the end "
				     "of the line or a ';' comment");
	return 0;
}

/* A quoted token starting at the '"' at p: returns the offset of the
 * closing quote, or end when there is none. `\x` escapes any x. */
static size_t scan_quoted(const char *s, size_t p, size_t end)
{
	for (size_t i = ss_text_find3(s, p + 1, end, '\\', '"', '"'); i < end;
	     i = ss_text_find3(s, i + 2, end, '\\', '"', '"'))
		if (s[i] == '"')
			return i;
	return end;
}

/* The bytes that end a run of plain name bytes: '"', '\\' and NUL. */
static const unsigned char NAME_STOP[256] = {['"'] = 1, ['\\'] = 1, [0] = 1};

/* scan_quoted for a value name, which also tells where its first NUL
 * byte is (escaped or not; SIZE_MAX: none). Names are short (a few
 * bytes): a byte loop over a table. */
static size_t scan_name(const char *s, size_t p, size_t end, size_t *nul)
{
	const unsigned char *u = (const unsigned char *)s;
	*nul = SIZE_MAX;
	for (size_t i = p + 1; i < end; i++) {
		while (i < end && !NAME_STOP[u[i]])
			i++;
		if (i == end)
			break;
		if (u[i] == '"')
			return i;
		if (u[i] == '\\' && ++i == end)
			break;
		/* A NUL, or the byte an escape stands for. */
		if (u[i] == '\0' && *nul == SIZE_MAX)
			*nul = i;
	}
	return end;
}

/* Comma-separated hex bytes from `p` on line `li`, continuing over lines
 * that end with '\'. Sets data_end and nlines. */
static int parse_hex_bytes(const ss_text *t, size_t li, size_t p, ss_regvalue *v, ss_diag *d)
{
	const char *s = t->data;
	size_t end = ss_text_line_end(t, li);
	v->data_end = p;
	for (;;) {
		p = skip_blanks(s, p, end);
		if (p == end || s[p] == ';')
			break;
		if (s[p] == '\\') {
			if (check_trailing(t, p + 1, end, d) < 0)
				return -1;
			/* The data goes on after the next lines that are not comments. */
			size_t bs = p;
			do {
				if (++li >= t->nlines)
					return ss_text_error(t, d, bs,
							     "hex data continues with '\\' but "
							     "the file ends: expected "
							     "more hex bytes");
				line_span(t, li, &p, &end);
			} while (p < end && s[p] == ';');
			continue;
		}
		if (hexval(s[p]) < 0)
			return ss_text_error(t, d, p, "expected a hex byte (such as 0a) or '\\'");
		size_t digits = 0;
		while (p < end && hexval(s[p]) >= 0) {
			p++;
			digits++;
		}
		if (digits > 2)
			return ss_text_error(
			    t, d, p - digits,
			    "expected a hex byte of 1 or 2 digits, found %zu digits", digits);
		v->data_end = p;
		p = skip_blanks(s, p, end);
		if (p < end && s[p] == ',') {
			v->data_end = ++p;
			continue;
		}
		if (p < end && s[p] != '\\' && s[p] != ';')
			return ss_text_error(t, d, p, "expected ',' between hex bytes");
	}
	v->nlines = li - v->line + 1;
	return 0;
}

/* The data after '=' at p. */
static int parse_data(const ss_text *t, size_t p, size_t end, ss_regvalue *v, ss_diag *d)
{
	const char *s = t->data;
	v->data_start = p;
	v->nlines = 1;
	if (p == end)
		return ss_text_error(t, d, p, "expected the value's data after '='");
	if (s[p] == '"') {
		size_t q = scan_quoted(s, p, end);
		if (q == end)
			return ss_text_error(t, d, p,
					     "unterminated string: expected a closing '\"'");
		v->type = SS_REG_SZ;
		v->data_end = q + 1;
		return check_trailing(t, q + 1, end, d);
	}
	if (s[p] == '-') {
		v->type = SS_REG_DELETE;
		v->data_end = p + 1;
		return check_trailing(t, p + 1, end, d);
	}
	if (end - p >= 6 && memcmp(s + p, "dword:", 6) == 0) {
		size_t q = p + 6, n = 0;
		uint32_t x = 0;
		int eight = eight_hex(s, q, end, &x);
		if (eight) {
			q += 8;
			n = 8;
		}
		while (!eight && q < end && hexval(s[q]) >= 0 && n < 9) {
			x = (x << 4) | (uint32_t)hexval(s[q]);
			q++;
			n++;
		}
		if (n == 0 || n > 8 || (q < end && !is_blank(s[q]) && s[q] != ';'))
			return ss_text_error(t, d, p + 6,
					     "bad dword: expected 1 to 8 hex digits "
					     "after 'dword:'");
		v->type = SS_REG_DWORD;
		v->dword = x;
		v->data_end = q;
		return check_trailing(t, q, end, d);
	}
	if (end - p >= 4 && memcmp(s + p, "hex:", 4) == 0) {
		v->type = SS_REG_HEX;
		v->hextype = 3;
		return parse_hex_bytes(t, v->line, p + 4, v, d);
	}
	if (end - p >= 4 && memcmp(s + p, "hex(", 4) == 0) {
		size_t q = p + 4, n = 0;
		unsigned long x = 0;
		while (q < end && hexval(s[q]) >= 0 && n < 9) {
			x = (x << 4) | (unsigned long)hexval(s[q]);
			q++;
			n++;
		}
		if (n == 0 || n > 8 || end - q < 2 || s[q] != ')' || s[q + 1] != ':')
			return ss_text_error(t, d, p, "expected hex(N): with N in hex digits");
		v->type = SS_REG_HEXN;
		v->hextype = x;
		return parse_hex_bytes(t, v->line, q + 2, v, d);
	}
	return ss_text_error(t, d, p, "expected \"string\", dword:, hex:, hex(N): or - after '='");
}

/* The value whose line `li` starts (after blanks) at p with '"' or '@'. */
static int parse_value(const ss_text *t, size_t li, size_t p, size_t end, ss_regvalue *v,
		       ss_diag *d)
{
	const char *s = t->data;
	memset(v, 0, sizeof(*v));
	v->line = li;
	if (s[p] == '@') {
		v->is_default = 1;
		v->name_start = v->name_end = p + 1;
		p++;
	} else {
		size_t nul, q = scan_name(s, p, end, &nul);
		if (q == end)
			return ss_text_error(t, d, p,
					     "unterminated value name: expected a "
					     "closing '\"'");
		v->name_start = p + 1;
		v->name_end = q;
		if (nul != SIZE_MAX)
			return ss_text_error(t, d, nul,
					     "a NUL character (U+0000) in a value name: the "
					     "registry cannot hold such a value");
		p = q + 1;
	}
	p = skip_blanks(s, p, end);
	if (p == end || s[p] != '=')
		return ss_text_error(t, d, p, "expected '=' after the value name");
	p = skip_blanks(s, p + 1, end);
	return parse_data(t, p, end, v, d);
}

/* The high bit of each byte of w that is >= n (bytes and n below 0x80):
 * no byte borrows from the next, as each has its high bit set first. */
static uint64_t bytes_from(uint64_t w, unsigned n)
{
	const uint64_t high = 0x8080808080808080ULL;
	return ((w | high) - 0x0101010101010101ULL * n) & high;
}

/* Whether the 8 bytes at p are hex digits, all at once: the dword check
 * of the common line, which needs no number. */
static int all_hex8(const char *s, size_t p)
{
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t w = ss_word_le64((const unsigned char *)s + p);
	uint64_t l = w | 0x2020202020202020ULL; /* 'A'-'F' as 'a'-'f' */
	uint64_t digit = bytes_from(w, '0') & ~bytes_from(w, '9' + 1);
	uint64_t letter = bytes_from(l, 'a') & ~bytes_from(l, 'f' + 1);
	return !(w & high) && (digit | letter) == high;
}

/* The high bit of each byte of w that ends a plain name: '"', '\\' or NUL. */
static uint64_t name_stops(uint64_t w)
{
	return ss_word_bytes_eq(w, '"') | ss_word_bytes_eq(w, '\\') | ss_word_bytes_eq(w, '\0');
}

/* Whether s[a, b) holds no '"', '\\' or NUL, reading whole words: the 8
 * bytes from the last word's start are readable (what follows b is masked
 * out), so a short name is one word and no loop. */
static int name_plain(const char *s, size_t a, size_t b)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = a;
	for (; b - i >= 8; i += 8)
		if (name_stops(ss_word_le64(u + i)))
			return 0;
	return i == b || !(name_stops(ss_word_le64(u + i)) & ((1ULL << (8 * (b - i))) - 1));
}

/* `"=dword:` as a little-endian word. */
#define DWORD_TAG                                                                                  \
	((uint64_t)'"' | (uint64_t)'=' << 8 | (uint64_t)'d' << 16 | (uint64_t)'w' << 24 |          \
	 (uint64_t)'o' << 32 | (uint64_t)'r' << 40 | (uint64_t)'d' << 48 | (uint64_t)':' << 56)

/* The two lines nearly every value of an export is, exactly as regedit
 * writes them: `"name"=dword:hhhhhhhh` and `"name"="text"`, a name without
 * escapes or NUL, nothing after the data. 1 when line [p, end) (p at its
 * '"') is one of them, which parse_value would accept as one line: the
 * check of a whole file, 1.4 million lines in an 80 MB export, asks no
 * more; 0 for any other line, which parse_value then reads in full. A
 * dword line is read from its end (its last 16 bytes are fixed but for
 * the digits), so that nothing waits for where the name ends. */
static int plain_value(const char *s, size_t p, size_t end)
{
	const unsigned char *u = (const unsigned char *)s;
	if (end - p >= 17 && ss_word_le64(u + end - 16) == DWORD_TAG && all_hex8(s, end - 8))
		return name_plain(s, p + 1, end - 16);
	/* Eight bytes at a time: names differ in length, and a byte loop
	 * guesses wrong where each one ends. */
	size_t q = ss_text_find3(s, p + 1, end, '"', '\\', '\0');
	/* q at the closing quote, then `="` and at least the closing one. */
	if (end - q < 4 || u[q] != '"' || u[q + 1] != '=' || u[q + 2] != '"')
		return 0;
	return scan_quoted(s, q + 2, end) == end - 1;
}

/* --- keys --- */

static int root_ok(const char *name, size_t len)
{
	size_t n = 0;
	while (n < len && name[n] != '\\')
		n++;
	for (const char *const *r = ROOTS; *r; r++) {
		if (strlen(*r) != n)
			continue;
		size_t i = 0;
		while (i < n && lower((unsigned char)name[i]) == lower((unsigned char)(*r)[i]))
			i++;
		if (i == n)
			return 1;
	}
	return 0;
}

static int add_block(ss_regfile *rf, const ss_regblock *b, ss_diag *d)
{
	if (rf->nblocks == rf->bcap) {
		size_t cap = rf->bcap ? rf->bcap * 2 : 64;
		ss_regblock *v = realloc(rf->blocks, cap * sizeof(*v));
		if (!v)
			return ss_diag_oom(d);
		rf->blocks = v;
		rf->bcap = cap;
	}
	rf->blocks[rf->nblocks++] = *b;
	return 0;
}

/* The line `li` starts with '[' at p. */
static int parse_key(ss_regfile *rf, size_t li, size_t p, size_t end, ss_diag *d)
{
	const ss_text *t = rf->text;
	const char *s = t->data;
	/* The name runs to the last ']': regedit reads `[a]b]` as key "a]b". */
	size_t q = end;
	while (q > p && s[q - 1] != ']')
		q--;
	if (q == p)
		return ss_text_error(t, d, end, "expected ']' to close the key name");
	q--; /* at the ']' */
	size_t after = skip_blanks(s, q + 1, end);
	if (after < end && s[after] != ';')
		return ss_text_error(t, d, after,
				     "unexpected text after the key name: expected "
				     "the end of the line or a ';' comment");
	ss_regblock b = {0};
	size_t n = p + 1;
	if (n < q && s[n] == '-') {
		b.deleted = 1;
		n++;
	}
	if (!root_ok(s + n, q - n))
		return ss_text_error(t, d, n,
				     "expected a key name that starts with a root key "
				     "such as HKEY_CURRENT_USER");
	/* Windows cuts a name at U+0000: two keys would become one. */
	const char *nul = memchr(s + n, '\0', q - n);
	if (nul)
		return ss_text_error(t, d, (size_t)(nul - s),
				     "a NUL character (U+0000) in a key name: the registry "
				     "cannot hold such a key");
	b.path = s + n;
	b.path_len = q - n;
	b.line = li;
	b.end_line = t->nlines;
	b.last_value_line = li;
	b.next_same = SS_REGFILE_NONE;
	if (rf->nblocks)
		rf->blocks[rf->nblocks - 1].end_line = li;
	return add_block(rf, &b, d);
}

/* --- the index of paths --- */

static int build_table(ss_regfile *rf, ss_diag *d)
{
	ss_keyrecs r = SS_KEYRECS(rf->blocks, rf->nblocks, ss_regblock);
	return ss_keyindex_build(&r, &rf->table, &rf->tsize) < 0 ? ss_diag_oom(d) : 0;
}

size_t ss_regfile_find_key(const ss_regfile *rf, const char *path, size_t len)
{
	ss_keyrecs r = SS_KEYRECS(rf->blocks, rf->nblocks, ss_regblock);
	return ss_keyindex_find(&r, rf->table, rf->tsize, path, len);
}

/* --- the whole file --- */

static int parse_header(ss_regfile *rf, size_t *li, ss_diag *d)
{
	const ss_text *t = rf->text;
	if (t->enc == SS_ENC_BYTES && t->len >= 3 && memcmp(t->data, "\xEF\xBB\xBF", 3) == 0)
		return ss_diag_set(d, t->path, 1, 1,
				   "the file starts with a UTF-8 byte order mark, "
				   "which regedit rejects: expected UTF-16LE or ANSI text");
	size_t p = 0, end = 0;
	while (*li < t->nlines) {
		line_span(t, *li, &p, &end);
		if (p < end)
			break;
		(*li)++;
	}
	if (*li == t->nlines)
		return ss_diag_set(d, t->path, 1, 1,
				   "empty file: expected the header "
				   "'%s' or '%s'",
				   HEADER_V5, HEADER_V4);
	while (end > p && is_blank(t->data[end - 1]))
		end--;
	if (end - p == sizeof(HEADER_V5) - 1 && memcmp(t->data + p, HEADER_V5, end - p) == 0)
		rf->version = SS_REG_V5;
	else if (end - p == sizeof(HEADER_V4) - 1 && memcmp(t->data + p, HEADER_V4, end - p) == 0)
		rf->version = SS_REG_V4;
	else
		return ss_text_error(t, d, p, "expected the header '%s' or '%s'", HEADER_V5,
				     HEADER_V4);
	rf->header_line = (*li)++;
	return 0;
}

/* Lines [li, stop) into rf's blocks. A value never runs past `stop` when
 * that line starts with '[' (its data cannot go on there), which makes
 * such a line a place where the work can be cut in two. */
static int parse_lines(ss_regfile *rf, size_t li, size_t stop, ss_diag *d)
{
	const ss_text *t = rf->text;
	const char *s = t->data;
	/* The current block's last value line (NULL before the first key). */
	size_t *last = rf->nblocks ? &rf->blocks[rf->nblocks - 1].last_value_line : NULL;
	while (li < stop) {
		/* Most lines are a plain value right at their start (one after
		 * blanks is read in full below). */
		size_t p = t->lines[li], end = ss_text_line_end(t, li);
		if (s[p] == '"' && last && plain_value(s, p, end)) {
			*last = li++;
			continue;
		}
		line_span(t, li, &p, &end);
		char c = p < end ? s[p] : ';';
		if (c == ';') {
			li++;
		} else if (c == '[') {
			if (parse_key(rf, li, p, end, d) < 0)
				return -1;
			last = &rf->blocks[rf->nblocks - 1].last_value_line;
			li++;
		} else if (c == '"' || c == '@') {
			if (!last)
				return ss_text_error(t, d, p,
						     "value before the first key: expected "
						     "a [KEY] line");
			ss_regvalue v;
			if (parse_value(t, li, p, end, &v, d) < 0)
				return -1;
			li += v.nlines;
			*last = li - 1;
		} else {
			return ss_text_error(t, d, p,
					     "expected a [KEY] line, a \"value\"=, @= or "
					     "a ';' comment");
		}
	}
	return 0;
}

/* A large file is checked in two halves at once, the second by another
 * thread into blocks of its own: the check of every line is most of the
 * time an audit of an 80 MB export takes, and the machine has a second
 * core. Below this many lines a thread costs more than it saves. */
#define PARSE_SPLIT_MIN ((size_t)1 << 16)

typedef struct parse_half {
	ss_regfile rf; /* the second half's blocks */
	size_t from;   /* its first line, a key */
	ss_diag diag;
	int r;
} parse_half;

static void parse_half_run(void *arg)
{
	parse_half *h = arg;
	h->r = parse_lines(&h->rf, h->from, h->rf.text->nlines, &h->diag);
}

/* Where the second half starts: the first line from the middle on that
 * starts with '[' at once (no value of the first half can go on there),
 * or `li` when the file is too small or has none. */
static size_t split_line(const ss_text *t, size_t li)
{
	if (t->nlines - li < PARSE_SPLIT_MIN)
		return li;
	for (size_t m = li + (t->nlines - li) / 2; m < t->nlines; m++)
		if (t->data[t->lines[m]] == '[')
			return m;
	return li;
}

/* The second half's blocks after the first's: the first half's last
 * block ends where the second half begins. */
static int join_halves(ss_regfile *rf, parse_half *h, ss_diag *d)
{
	if (rf->nblocks)
		rf->blocks[rf->nblocks - 1].end_line = h->from;
	for (size_t i = 0; i < h->rf.nblocks; i++)
		if (add_block(rf, &h->rf.blocks[i], d) < 0)
			return -1;
	return 0;
}

/* Lines from li to the end, in two halves at once when there are many;
 * the first error in file order is the one reported, as a check of one
 * line after the other would. */
static int parse_body(ss_regfile *rf, size_t li, ss_diag *d)
{
	const ss_text *t = rf->text;
	size_t mid = split_line(t, li);
	if (mid == li)
		return parse_lines(rf, li, t->nlines, d);
	parse_half h = {SS_REGFILE_INIT, mid, SS_DIAG_INIT, 0};
	h.rf.text = t;
	ss_os_thread *thread = NULL;
	if (ss_os_thread_start(&thread, parse_half_run, &h) < 0)
		thread = NULL; /* then one after the other */
	int r = parse_lines(rf, li, mid, d);
	if (thread)
		ss_os_thread_join(thread);
	else if (r == 0)
		parse_half_run(&h);
	if (r == 0 && h.r < 0 && d && !d->message) {
		*d = h.diag;
		h.diag = (ss_diag)SS_DIAG_INIT;
	}
	if (r == 0)
		r = h.r < 0 ? -1 : join_halves(rf, &h, d);
	ss_diag_clear(&h.diag);
	free(h.rf.blocks);
	return r;
}

int ss_regfile_parse(ss_regfile *rf, const ss_text *t, ss_diag *d)
{
	memset(rf, 0, sizeof(*rf));
	rf->text = t;
	size_t li = 0;
	if (parse_header(rf, &li, d) < 0 || parse_body(rf, li, d) < 0 || build_table(rf, d) < 0) {
		ss_regfile_free(rf);
		rf->text = t;
		return -1;
	}
	return 0;
}

int ss_regfile_parse_piece(ss_regfile *rf, const ss_text *t, int first, ss_diag *d)
{
	memset(rf, 0, sizeof(*rf));
	rf->text = t;
	size_t li = 0;
	if ((first && parse_header(rf, &li, d) < 0) || parse_body(rf, li, d) < 0 ||
	    build_table(rf, d) < 0) {
		ss_regfile_free(rf);
		rf->text = t;
		return -1;
	}
	return 0;
}

void ss_regfile_free(ss_regfile *rf)
{
	free(rf->blocks);
	free(rf->table);
	memset(rf, 0, sizeof(*rf));
}

/* --- reading values --- */

/* The first line from li on (below the block's end) that starts a value:
 * its offset in *p (after blanks), or `stop` when there is none. A value's
 * data lines never start with '"' or '@'. */
static size_t next_value_line(const ss_text *t, size_t li, size_t stop, size_t *p, size_t *end)
{
	const char *s = t->data;
	for (; li < stop; li++) {
		/* Most lines start at once with what they are; the byte at an
		 * empty line's start is its ending (or the text's NUL). */
		const ss_line l = ss_text_line(t, li);
		char c = s[l.start];
		if (c == '"' || c == '@') {
			*p = l.start;
			*end = l.start + l.len;
			return li;
		}
		if (!is_blank(c))
			continue;
		line_span(t, li, p, end);
		if (*p < *end && (s[*p] == '"' || s[*p] == '@'))
			return li;
	}
	return stop;
}

/* Value line li (p: its '"' or '@') with its name located in *v. */
static void value_name_at(const ss_text *t, size_t li, size_t p, size_t end, ss_regvalue *v)
{
	memset(v, 0, sizeof(*v));
	v->line = li;
	v->nlines = 1;
	v->is_default = t->data[p] == '@';
	v->name_start = p + 1;
	/* Checked by ss_regfile_parse: the quote is closed. */
	v->name_end = v->is_default ? p + 1 : scan_quoted(t->data, p, end);
}

int ss_regfile_next_value(const ss_regfile *rf, size_t b, size_t *cursor, ss_regvalue *v)
{
	const ss_text *t = rf->text;
	const ss_regblock *k = &rf->blocks[b];
	size_t p, end;
	size_t li = next_value_line(t, *cursor ? *cursor : k->line + 1, k->end_line, &p, &end);
	if (li == k->end_line) {
		*cursor = k->end_line;
		return 0;
	}
	/* Checked by ss_regfile_parse: cannot fail. */
	if (parse_value(t, li, p, end, v, NULL) < 0)
		return 0;
	*cursor = li + v->nlines;
	return 1;
}

int ss_regfile_next_name(const ss_regfile *rf, size_t b, size_t *cursor, ss_regvalue *v)
{
	const ss_text *t = rf->text;
	const ss_regblock *k = &rf->blocks[b];
	size_t p, end;
	size_t li = next_value_line(t, *cursor ? *cursor : k->line + 1, k->end_line, &p, &end);
	if (li == k->end_line) {
		*cursor = k->end_line;
		return 0;
	}
	value_name_at(t, li, p, end, v);
	*cursor = li + 1;
	return 1;
}

void ss_regfile_value_data(const ss_regfile *rf, ss_regvalue *v)
{
	const ss_text *t = rf->text;
	size_t end = ss_text_line_end(t, v->line);
	size_t p = v->is_default ? v->name_end : v->name_end + 1;
	p = skip_blanks(t->data, p, end);
	/* At the '=' (checked by ss_regfile_parse, which cannot fail here). */
	p = skip_blanks(t->data, p + 1, end);
	parse_data(t, p, end, v, NULL);
}

int ss_regfile_value_name_is(const ss_regfile *rf, const ss_regvalue *v, const char *name)
{
	const char *s = rf->text->data;
	if (!name)
		name = "";
	/* Without an escape the lengths must agree: the names of a session
	 * that start alike ("PingInterval", "PingIntervalSecs") differ there. */
	size_t raw = v->name_end - v->name_start;
	if (!memchr(s + v->name_start, '\\', raw) && strlen(name) != raw)
		return 0;
	size_t i = v->name_start, j = 0;
	while (i < v->name_end) {
		if (s[i] == '\\' && i + 1 < v->name_end)
			i++;
		if (!name[j] || lower((unsigned char)s[i]) != lower((unsigned char)name[j]))
			return 0;
		i++;
		j++;
	}
	return name[j] == '\0';
}

/* The first byte of the unescaped name of the value line starting at p
 * ('"' or '@'), lowered: 0 for an empty name or @. */
static unsigned char name_first(const char *s, size_t p)
{
	if (s[p] == '@' || s[p + 1] == '"')
		return 0;
	/* Checked by ss_regfile_parse: an escape in a name has a byte after it,
	 * and that byte is no closing quote. */
	size_t i = s[p + 1] == '\\' ? p + 2 : p + 1;
	return (unsigned char)lower((unsigned char)s[i]);
}

/* Which names a walk looks for, by the first byte of a value line's
 * name: `first` as name_first gives it; `after` the bytes right after the
 * opening quote that need a closer look (either case of a first byte, an
 * escape, the quote of ""), so that the common line, whose name starts
 * with another byte, is passed by with one look at its first two bytes. */
typedef struct name_filter {
	unsigned char first[256];
	unsigned char after[256];
} name_filter;

static void filter_add(name_filter *f, const char *name)
{
	unsigned char c = name ? (unsigned char)name[0] : 0;
	f->first[lower(c)] = 1;
	f->after[c] = f->after[lower(c)] = 1;
	if (c >= 'a' && c <= 'z')
		f->after[c - ('a' - 'A')] = 1;
	f->after['"'] = f->after['\\'] = 1;
}

/* The first value line from li on (below stop) whose name may be one of
 * the filter's, at p (after blanks) to end; stop when there is none. */
static size_t next_candidate(const ss_text *t, size_t li, size_t stop, const name_filter *f,
			     size_t *p, size_t *end)
{
	const unsigned char *u = (const unsigned char *)t->data;
	for (; li < stop; li++) {
		/* Line li's second byte is there: the text ends with a NUL. */
		size_t at = t->lines[li];
		if (u[at] == '"' && !f->after[u[at + 1]])
			continue;
		if (next_value_line(t, li, li + 1, p, end) == li &&
		    f->first[name_first(t->data, *p)])
			return li;
	}
	return stop;
}

/* The byte a name is filed under by its first: lowered, 0 for none. */
static unsigned char name_key(const char *name)
{
	return (unsigned char)lower(name ? (unsigned char)name[0] : 0);
}

/* Up to this many names asked of a block are told apart by their first
 * bytes, without an index (see ss_regfile_block_values). */
enum { FEW_NAMES = 16 };

/* names[0, n) indexed by name_key (a counting sort): those filed under
 * c are by_first[at[c], at[c + 1]), in their order. */
static void index_by_first(const char *const *names, size_t n, size_t at[257], size_t *by_first)
{
	memset(at, 0, 257 * sizeof(at[0]));
	for (size_t i = 0; i < n; i++)
		at[name_key(names[i]) + 1]++;
	for (int c = 0; c < 256; c++)
		at[c + 1] += at[c];
	size_t next[256];
	memcpy(next, at, sizeof(next));
	for (size_t i = 0; i < n; i++)
		by_first[next[name_key(names[i])]++] = i;
}

void ss_regfile_block_values(const ss_regfile *rf, size_t b, const char *const *names, size_t n,
			     ss_regvalue *out, unsigned char *found)
{
	const ss_text *t = rf->text;
	const ss_regblock *k = &rf->blocks[b];
	name_filter f;
	memset(&f, 0, sizeof(f));
	for (size_t i = 0; i < n; i++) {
		found[i] = 0;
		filter_add(&f, names[i]);
	}
	/* The names by their first byte (lowered), so that a value line is
	 * compared with those that start as its name does: migrate asks 37
	 * names of every value of a session. A few names (an audit's) have
	 * their first bytes kept instead: the index's 257 counts cost more
	 * than comparing them. Without the room for either, every name is
	 * compared whole. */
	size_t at[257], *by_first = NULL;
	unsigned char firsts[FEW_NAMES];
	if (n > FEW_NAMES) {
		if ((by_first = malloc(n * sizeof(*by_first))))
			index_by_first(names, n, at, by_first);
	} else {
		for (size_t i = 0; i < n; i++)
			firsts[i] = name_key(names[i]);
	}
	size_t p, end;
	for (size_t li = next_candidate(t, k->line + 1, k->end_line, &f, &p, &end);
	     li < k->end_line; li = next_candidate(t, li + 1, k->end_line, &f, &p, &end)) {
		ss_regvalue v;
		value_name_at(t, li, p, end, &v);
		int parsed = 0;
		unsigned char first = name_first(t->data, p);
		size_t from = by_first ? at[first] : 0, to = by_first ? at[first + 1] : n;
		for (size_t j = from; j < to; j++) {
			size_t i = by_first ? by_first[j] : j;
			if ((n <= FEW_NAMES && firsts[i] != first) ||
			    !ss_regfile_value_name_is(rf, &v, names[i]))
				continue;
			if (!parsed++)
				ss_regfile_value_data(rf, &v);
			out[i] = v;
			found[i] = 1;
		}
	}
	free(by_first);
}

int ss_regfile_next_named(const ss_regfile *rf, size_t b, size_t *cursor, const char *name,
			  ss_regvalue *v)
{
	const ss_text *t = rf->text;
	const ss_regblock *k = &rf->blocks[b];
	name_filter f;
	memset(&f, 0, sizeof(f));
	filter_add(&f, name);
	size_t p, end;
	for (size_t li =
		 next_candidate(t, *cursor ? *cursor : k->line + 1, k->end_line, &f, &p, &end);
	     li < k->end_line; li = next_candidate(t, li + 1, k->end_line, &f, &p, &end)) {
		value_name_at(t, li, p, end, v);
		if (!ss_regfile_value_name_is(rf, v, name))
			continue;
		ss_regfile_value_data(rf, v);
		*cursor = li + v->nlines;
		return 1;
	}
	*cursor = k->end_line;
	return 0;
}

static int unescape(const char *s, size_t from, size_t to, ss_buf *out)
{
	/* The runs between escapes at once: most names and strings have none. */
	while (from < to) {
		const char *bs = memchr(s + from, '\\', to - from);
		size_t run = bs ? (size_t)(bs - s) - from : to - from;
		if (ss_buf_add(out, s + from, run) < 0)
			return -1;
		from += run;
		if (from == to)
			break;
		if (from + 1 < to)
			from++; /* the byte the escape stands for (a last '\\' stays) */
		if (ss_buf_addc(out, s[from++]) < 0)
			return -1;
	}
	return 0;
}

int ss_regfile_value_name(const ss_regfile *rf, const ss_regvalue *v, ss_buf *out)
{
	if (ss_buf_grow(out, v->name_end - v->name_start) < 0)
		return -1;
	return unescape(rf->text->data, v->name_start, v->name_end, out);
}

int ss_regfile_value_string(const ss_regfile *rf, const ss_regvalue *v, ss_buf *out)
{
	if (v->type != SS_REG_SZ)
		return -1;
	if (ss_buf_grow(out, v->data_end - v->data_start) < 0)
		return -1;
	return unescape(rf->text->data, v->data_start + 1, v->data_end - 1, out);
}

int ss_regfile_find_value(const ss_regfile *rf, size_t b, const char *name, ss_regvalue *v)
{
	size_t cur = 0;
	ss_regvalue x;
	int found = 0;
	while (ss_regfile_next_name(rf, b, &cur, &x)) {
		if (ss_regfile_value_name_is(rf, &x, name)) {
			*v = x;
			found = 1;
		}
	}
	if (found)
		ss_regfile_value_data(rf, v);
	return found;
}

int ss_regfile_lookup(const ss_regfile *rf, const char *path, const char *name, ss_regvalue *v)
{
	int found = 0;
	for (size_t b = ss_regfile_find_key(rf, path, strlen(path)); b != SS_REGFILE_NONE;
	     b = rf->blocks[b].next_same) {
		if (rf->blocks[b].deleted) {
			found = 0;
			continue;
		}
		ss_regvalue x;
		if (ss_regfile_find_value(rf, b, name, &x)) {
			found = x.type != SS_REG_DELETE;
			if (found)
				*v = x;
		}
	}
	return found;
}

const char *ss_regtype_name(ss_regtype t)
{
	switch (t) {
	case SS_REG_SZ:
		return "string";
	case SS_REG_DWORD:
		return "dword";
	case SS_REG_HEX:
		return "hex";
	case SS_REG_HEXN:
		return "hex(N)";
	case SS_REG_DELETE:
		return "deletion";
	}
	return "unknown";
}

/* --- formatting --- */

/* A REGEDIT4 file is in the ANSI code page, Windows-1252: text (UTF-8
 * inside sshsync) is converted, and what it cannot hold is refused. */
static int to_ansi(const char *s, const char *cp, const char *what, ss_buf *out, ss_diag *d)
{
	int r = ss_utf8_to_ansi(cp, s, strlen(s), out);
	if (r == -2)
		return ss_diag_set(d, NULL, 0, 0,
				   "%s \"%s\" holds a character that a REGEDIT4 file (ANSI, %s%s) "
				   "cannot carry: use the v5 format",
				   what, s, cp && *cp ? "code page " : "Windows-1252",
				   cp ? cp : "");
	return r < 0 ? ss_diag_oom(d) : 0;
}

/* A v5 file is UTF-16: text must be UTF-8 (WTF-8: an unpaired surrogate
 * read from a UTF-16 file goes back as it came). */
/* UTF-8, where unpaired surrogates (WTF-8, as a UTF-16 file gives them)
 * may stand; but a high surrogate written right before a low one would be
 * joined with it into one character in UTF-16 and read back different. */
static int check_unicode(const char *s, const char *what, ss_diag *d)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	uint32_t cp, prev = 0;
	for (size_t i = 0, n; i < len; i += n, prev = cp)
		if (!(n = ss_utf8_decode(p + i, len - i, &cp, 1)) ||
		    (prev >= 0xD800 && prev <= 0xDBFF && cp >= 0xDC00 && cp <= 0xDFFF))
			return ss_diag_set(d, NULL, 0, 0,
					   "%s \"%s\" is not UTF-8, which a v5 (UTF-16) file "
					   "cannot carry",
					   what, s);
	return 0;
}

/* Whether s is all ASCII (then it is UTF-8 and needs no conversion). */
static int all_ascii(const char *s)
{
	while (*s && !((unsigned char)*s & 0x80))
		s++;
	return !*s;
}

/* Whether REGEDIT4 text goes out in Windows-1252, where ASCII stays as it
 * is (another code page may not keep it: UTF-7, EBCDIC). */
static int cp1252(const char *cp)
{
	return !cp || !*cp;
}

/* s in quotes, with \ before each \ and " (the runs between them at once). */
static int add_quoted(ss_buf *out, const char *s)
{
	int r = ss_buf_addc(out, '"');
	while (r == 0 && *s) {
		size_t n = strcspn(s, "\\\"");
		r = ss_buf_add(out, s, n);
		s += n;
		if (r == 0 && *s)
			r = ss_buf_addc(out, '\\') | ss_buf_addc(out, *s++);
	}
	return r < 0 ? -1 : ss_buf_addc(out, '"');
}

static int add_escaped(ss_buf *out, const char *s, ss_regversion ver, const char *cp,
		       const char *what, ss_diag *d)
{
	if (strpbrk(s, "\r\n"))
		return ss_diag_set(d, NULL, 0, 0,
				   "%s \"%s\" holds a line break, which no "
				   ".reg line can carry",
				   what, s);
	if (ver == SS_REG_V5 && !all_ascii(s) && check_unicode(s, what, d) < 0)
		return -1;
	ss_buf ansi = SS_BUF_INIT;
	if (ver == SS_REG_V4 && !(all_ascii(s) && cp1252(cp))) {
		if (to_ansi(s, cp, what, &ansi, d) < 0) {
			ss_buf_release(&ansi);
			return -1;
		}
		s = ss_buf_str(&ansi);
	}
	int r = add_quoted(out, s);
	ss_buf_release(&ansi);
	return r < 0 ? ss_diag_oom(d) : 0;
}

/* "dword:%08x" without printf (most of an export's time went to it). */
static int add_dword(ss_buf *out, uint32_t x)
{
	char s[14] = "dword:";
	for (int i = 0; i < 8; i++)
		s[6 + i] = "0123456789abcdef"[(x >> (28 - 4 * i)) & 15];
	return ss_buf_add(out, s, sizeof(s));
}

static int format_value(ss_buf *out, const ss_regval *v, ss_regversion ver, const char *cp,
			ss_diag *d)
{
	if (!v->name || !*v->name) {
		if (ss_buf_addc(out, '@') < 0)
			return ss_diag_oom(d);
	} else if (add_escaped(out, v->name, ver, cp, "value name", d) < 0) {
		return -1;
	}
	if (ss_buf_addc(out, '=') < 0)
		return ss_diag_oom(d);
	switch (v->kind) {
	case SS_REGVAL_DWORD:
		return add_dword(out, v->dword) < 0 ? ss_diag_oom(d) : 0;
	case SS_REGVAL_SZ:
		return add_escaped(out, v->sz ? v->sz : "", ver, cp, "string", d);
	case SS_REGVAL_DELETE:
		return ss_buf_addc(out, '-') < 0 ? ss_diag_oom(d) : 0;
	}
	return ss_diag_set(d, NULL, 0, 0, "internal error: unknown registry value kind");
}

int ss_reg_format_value(ss_buf *out, const ss_regval *v, ss_regversion ver, ss_diag *d)
{
	return format_value(out, v, ver, NULL, d);
}

/* A key path that can only ever read back as itself inside [ ]. */
static int check_path(const char *path, ss_diag *d)
{
	size_t len = strlen(path);
	if (!root_ok(path, len) || (len && path[len - 1] == '\\'))
		return ss_diag_set(d, NULL, 0, 0,
				   "key \"%s\" does not start with a root key such "
				   "as HKEY_CURRENT_USER",
				   path);
	for (const char *c = path; *c; c++) {
		unsigned char u = (unsigned char)*c;
		if (u < 0x20 || u == 0x7F)
			return ss_diag_set(d, NULL, 0, 0,
					   "key \"%s\" holds a control character: "
					   "it must be escaped first",
					   path);
	}
	return 0;
}

static int format_key(ss_buf *out, const ss_regkey *k, ss_regversion ver, const char *cp,
		      const char *eol, ss_diag *d)
{
	int ascii = all_ascii(k->path);
	if (check_path(k->path, d) < 0 ||
	    (ver == SS_REG_V5 && !ascii && check_unicode(k->path, "key", d) < 0))
		return -1;
	ss_buf ansi = SS_BUF_INIT;
	const char *path = k->path;
	if (ver == SS_REG_V4 && !(ascii && cp1252(cp))) {
		if (to_ansi(k->path, cp, "key", &ansi, d) < 0) {
			ss_buf_release(&ansi);
			return -1;
		}
		path = ss_buf_str(&ansi);
	}
	int r = ss_buf_addc(out, '[') | ss_buf_adds(out, path) | ss_buf_addc(out, ']') |
		ss_buf_adds(out, eol);
	ss_buf_release(&ansi);
	if (r < 0)
		return ss_diag_oom(d);
	for (size_t i = 0; i < k->n; i++) {
		if (format_value(out, &k->v[i], ver, cp, d) < 0)
			return -1;
		if (ss_buf_adds(out, eol) < 0)
			return ss_diag_oom(d);
	}
	return 0;
}

/* The text in s->piece, encoded, on its way out. */
static int stream_piece(ss_regstream *s)
{
	int r = ss_chunker_text(&s->out, &s->enc, s->piece.data, s->piece.len);
	ss_buf_reset(&s->piece);
	return r;
}

int ss_regstream_begin(ss_regstream *s, ss_regversion ver, const ss_sink *out, ss_diag *d)
{
	memset(s, 0, sizeof(*s));
	s->ver = ver;
	s->out.out = out;
	s->out.d = d;
	if (ss_text_new_empty(&s->enc, "export", ver == SS_REG_V5 ? SS_ENC_UTF16LE : SS_ENC_BYTES,
			      SS_EOL_CRLF, d) < 0)
		return -1;
	if ((ver == SS_REG_V5 && ss_buf_add(&s->out.buf, "\xFF\xFE", 2) < 0) ||
	    ss_buf_addf(&s->piece, "%s\r\n\r\n", ver == SS_REG_V5 ? HEADER_V5 : HEADER_V4) < 0)
		return ss_diag_oom(d);
	return stream_piece(s);
}

int ss_regstream_keys(ss_regstream *s, const ss_regplan *p, ss_diag *d)
{
	s->out.d = d;
	for (size_t i = 0; i < p->n; i++) {
		if (format_key(&s->piece, &p->v[i], s->ver, p->codepage, "\r\n", d) < 0)
			return -1;
		if (ss_buf_adds(&s->piece, "\r\n") < 0)
			return ss_diag_oom(d);
		if (stream_piece(s) < 0)
			return -1;
	}
	return 0;
}

int ss_regstream_end(ss_regstream *s, ss_diag *d)
{
	s->out.d = d;
	return ss_chunker_flush(&s->out, 1);
}

void ss_regstream_free(ss_regstream *s)
{
	ss_buf_release(&s->out.buf);
	ss_buf_release(&s->piece);
	ss_text_free(&s->enc);
}

int ss_regplan_render(const ss_regplan *p, ss_regversion ver, ss_buf *out, ss_diag *d)
{
	ss_sink sink = {ss_sink_buf_put, out};
	ss_regstream s;
	int r = ss_regstream_begin(&s, ver, &sink, d);
	if (r == 0)
		r = ss_regstream_keys(&s, p, d);
	if (r == 0)
		r = ss_regstream_end(&s, d);
	ss_regstream_free(&s);
	return r;
}

/* --- edits --- */

int ss_regfile_set_dword(const ss_regfile *rf, ss_edits *e, const ss_regvalue *v, uint32_t value)
{
	(void)rf;
	char s[16];
	int n = snprintf(s, sizeof(s), "dword:%08x", (unsigned)value);
	return ss_edits_replace(e, v->data_start, v->data_end, s, (size_t)n);
}

int ss_regfile_set_string(const ss_regfile *rf, ss_edits *e, const ss_regvalue *v,
			  const char *value)
{
	(void)rf;
	ss_buf b = SS_BUF_INIT;
	ss_diag d = SS_DIAG_INIT;
	int r = add_escaped(&b, value, SS_REG_V5, NULL, "string", &d);
	if (r == 0)
		r = ss_edits_replace(e, v->data_start, v->data_end, ss_buf_str(&b), b.len);
	ss_buf_release(&b);
	ss_diag_clear(&d);
	return r;
}

/* Inserts an already formatted value line into block b (see the header). */
static int insert_line(const ss_regfile *rf, ss_edits *e, size_t b, const char *content)
{
	const ss_text *t = rf->text;
	const ss_line l = ss_text_line(t, rf->blocks[b].last_value_line);
	ss_buf s = SS_BUF_INIT;
	int r;
	size_t at;
	if (l.eol == SS_EOL_NONE) {
		/* The last line of a file without a final newline: it stays so. */
		at = t->len;
		r = ss_buf_adds(&s, ss_text_eol_string(t));
		if (r == 0)
			r = ss_buf_adds(&s, content);
	} else {
		at = ss_text_line_stop(t, rf->blocks[b].last_value_line);
		r = ss_buf_adds(&s, content);
		if (r == 0)
			r = ss_buf_adds(&s, eol_str(l.eol));
	}
	if (r == 0)
		r = ss_edits_insert(e, at, ss_buf_str(&s), s.len);
	ss_buf_release(&s);
	return r;
}

static int insert_value(const ss_regfile *rf, ss_edits *e, size_t b, const ss_regval *v)
{
	ss_buf line = SS_BUF_INIT;
	ss_diag d = SS_DIAG_INIT;
	int r = ss_reg_format_value(&line, v, SS_REG_V5, &d);
	if (r == 0)
		r = insert_line(rf, e, b, ss_buf_str(&line));
	ss_buf_release(&line);
	ss_diag_clear(&d);
	return r;
}

int ss_regfile_insert_dword(const ss_regfile *rf, ss_edits *e, size_t b, const char *name,
			    uint32_t value)
{
	ss_regval v = {(char *)name, SS_REGVAL_DWORD, value, NULL};
	return insert_value(rf, e, b, &v);
}

int ss_regfile_insert_string(const ss_regfile *rf, ss_edits *e, size_t b, const char *name,
			     const char *value)
{
	ss_regval v = {(char *)name, SS_REGVAL_SZ, 0, (char *)value};
	return insert_value(rf, e, b, &v);
}

int ss_regfile_delete_value(const ss_regfile *rf, ss_edits *e, const ss_regvalue *v)
{
	const ss_text *t = rf->text;
	return ss_edits_delete(e, t->lines[v->line], ss_text_line_stop(t, v->line + v->nlines - 1));
}

int ss_regfile_append_key(const ss_regfile *rf, ss_edits *e, const ss_regkey *k, int follows_key,
			  ss_diag *d)
{
	const ss_text *t = rf->text;
	const char *eol = ss_text_eol_string(t);
	ss_buf s = SS_BUF_INIT;
	int r = 0;
	if (follows_key) {
		r |= ss_buf_adds(&s, eol); /* the key appended before ends without one */
	} else if (t->nlines) {
		const ss_line l = ss_text_line(t, t->nlines - 1);
		if (l.len != 0 || l.eol == SS_EOL_NONE)
			r |= ss_buf_adds(&s, eol); /* a blank line before the new key */
	}
	if (r < 0) {
		ss_buf_release(&s);
		return ss_diag_oom(d);
	}
	r = format_key(&s, k, rf->version, NULL, eol, d);
	if (r == 0 && ss_edits_append(e, t, ss_buf_str(&s), s.len) < 0)
		r = ss_diag_oom(d);
	ss_buf_release(&s);
	return r;
}
