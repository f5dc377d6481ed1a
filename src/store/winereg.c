/* Wine's registry files: a line index, typed values, and edits that keep
 * every other byte (see include/sshsync/winereg.h for the syntax, taken
 * from wineserver's load_keys, parse_strW and dump_strW). */
#include "sshsync/winereg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/keyindex.h"
#include "sshsync/os_wine.h"

static const char HEADER[] = "WINE REGISTRY Version 2";
static const char RELATIVE[] = ";; All keys relative to ";

/* 100-ns ticks between 1601-01-01 and 1970-01-01 (FILETIME epoch). */
#define TICKS_PER_SEC 10000000ULL
#define TICKS_1601_TO_1970 (TICKS_PER_SEC * 86400ULL * (369ULL * 365 + 89))

/* isspace() of the C locale, which wineserver uses. */
static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t skip_space(const char *s, size_t p, size_t end)
{
	while (p < end && is_space(s[p]))
		p++;
	return p;
}

static void line_span(const ss_text *t, size_t li, size_t *pos, size_t *end)
{
	*pos = t->lines[li];
	*end = ss_text_line_end(t, li);
}

/* The offset of the first `endc` from p that no backslash escapes, or
 * `end` when the line has none (parse_strW then fails). */
static size_t scan_to(const char *s, size_t p, size_t end, char endc)
{
	for (size_t i = p; i < end; i++) {
		if (s[i] == '\\') {
			if (i + 1 == end)
				return end;
			i++;
		} else if (s[i] == endc) {
			return i;
		}
	}
	return end;
}

/* --- decoding escaped text (parse_strW) into UTF-16LE bytes --- */

static int put_unit(ss_buf *out, unsigned u)
{
	char b[2] = {(char)(u & 0xFF), (char)((u >> 8) & 0xFF)};
	return ss_buf_add(out, b, 2);
}

/* Wine's UTF-8 reader: the number of continuation bytes after a lead
 * byte (0 for bytes that cannot lead), and the smallest value of each
 * length. */
static int utf8_more(unsigned char c)
{
	if (c >= 0xC2 && c <= 0xDF)
		return 1;
	if (c >= 0xE0 && c <= 0xEF)
		return 2;
	if (c >= 0xF0 && c <= 0xF4)
		return 3;
	return 0;
}

/* One raw character at s[*i] (a byte of 0x80 or more): appends its UTF-16
 * units, or nothing for an invalid sequence, as Wine does. */
static int decode_utf8_char(const char *s, size_t *i, size_t to, ss_buf *out)
{
	static const unsigned MINVAL[4] = {0, 0x80, 0x800, 0x10000};
	static const unsigned MASK[4] = {0x7F, 0x1F, 0x0F, 0x07};
	unsigned char c = (unsigned char)s[(*i)++];
	int n = utf8_more(c);
	if (n == 0)
		return 0; /* ignored */
	unsigned res = c & MASK[n];
	for (int k = 0; k < n; k++) {
		if (*i >= to || (((unsigned char)s[*i]) ^ 0x80) >= 0x40)
			return 0; /* ignored; the byte that broke it is read next */
		res = (res << 6) | (((unsigned char)s[(*i)++]) ^ 0x80);
	}
	if (res < MINVAL[n] || res > 0x10FFFF)
		return 0;
	if (res <= 0xFFFF)
		return put_unit(out, res);
	res -= 0x10000;
	if (put_unit(out, 0xD800 | (res >> 10)) < 0)
		return -1;
	return put_unit(out, 0xDC00 | (res & 0x3FF));
}

/* An escape at s[*i] == '\\' (not the last byte): appends its unit and
 * returns 1, or returns 0 when the next character stands for itself. */
static int decode_escape(const char *s, size_t *i, size_t to, ss_buf *out)
{
	static const char LETTERS[] = "abefnrtv";
	static const unsigned char CODES[] = {7, 8, 27, 12, 10, 13, 9, 11};
	char c = s[*i + 1];
	const char *l = c ? strchr(LETTERS, c) : NULL;
	if (l) {
		*i += 2;
		return put_unit(out, CODES[l - LETTERS]) < 0 ? -1 : 1;
	}
	if (c == 'x') {
		*i += 2;
		if (*i >= to || hexval(s[*i]) < 0)
			return put_unit(out, 'x') < 0 ? -1 : 1;
		unsigned u = 0;
		for (int k = 0; k < 4 && *i < to && hexval(s[*i]) >= 0; k++)
			u = u * 16 + (unsigned)hexval(s[(*i)++]);
		return put_unit(out, u) < 0 ? -1 : 1;
	}
	if (c >= '0' && c <= '7') {
		*i += 1;
		unsigned u = 0;
		for (int k = 0; k < 3 && *i < to && s[*i] >= '0' && s[*i] <= '7'; k++)
			u = u * 8 + (unsigned)(s[(*i)++] - '0');
		return put_unit(out, u) < 0 ? -1 : 1;
	}
	*i += 1; /* the backslash; the character is read as it is */
	return 0;
}

/* The escaped text s[from, to) as UTF-16LE bytes. */
static int decode_units(const char *s, size_t from, size_t to, ss_buf *out)
{
	size_t i = from;
	while (i < to) {
		if (s[i] == '\\' && i + 1 < to) {
			int r = decode_escape(s, &i, to, out);
			if (r < 0)
				return -1;
			if (r == 1)
				continue;
		}
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			i++;
			if (put_unit(out, c) < 0)
				return -1;
		} else if (decode_utf8_char(s, &i, to, out) < 0) {
			return -1;
		}
	}
	return 0;
}

static int unescape_utf8(const char *s, size_t from, size_t to, ss_buf *out)
{
	ss_buf u = SS_BUF_INIT;
	int r = decode_units(s, from, to, &u);
	if (r == 0)
		r = ss_utf16le_to_utf8(u.data, u.len, out);
	ss_buf_release(&u);
	return r;
}

/* --- encoding (dump_strW) --- */

static int is_xdigit_unit(unsigned u)
{
	return u < 128 && hexval((char)u) >= 0;
}

static int escape_unit(ss_buf *out, unsigned u, int has_next, unsigned next, const char sp[2])
{
	static const char ESCAPES[33] = ".......abtnvfr.............e....";
	if (u > 127)
		return ss_buf_addf(out, has_next && is_xdigit_unit(next) ? "\\x%04x" : "\\x%x", u);
	if (u < 32) {
		if (ESCAPES[u] != '.')
			return ss_buf_addf(out, "\\%c", ESCAPES[u]);
		return ss_buf_addf(out, has_next && next >= '0' && next <= '7' ? "\\%03o" : "\\%o",
				   u);
	}
	if ((u == '\\' || u == (unsigned char)sp[0] || u == (unsigned char)sp[1]) &&
	    ss_buf_addc(out, '\\') < 0)
		return -1;
	return ss_buf_addc(out, (char)u);
}

int ss_winereg_escape(ss_buf *out, const char *s, size_t len, const char specials[2])
{
	ss_buf u = SS_BUF_INIT;
	int r = ss_utf8_to_utf16le(s, len, &u);
	const unsigned char *p = (const unsigned char *)u.data;
	size_t n = u.len / 2;
	for (size_t i = 0; i < n && r == 0; i++) {
		unsigned c = p[2 * i] | ((unsigned)p[2 * i + 1] << 8);
		unsigned next = i + 1 < n ? (p[2 * i + 2] | ((unsigned)p[2 * i + 3] << 8)) : 0;
		r = escape_unit(out, c, i + 1 < n, next, specials);
	}
	ss_buf_release(&u);
	return r;
}

/* --- values --- */

/* parse_hex and its continuation lines, from p on line li. Collects the
 * bytes into `bytes` when given; counts them into *count and keeps the
 * first four. */
static int parse_hex(const ss_text *t, size_t li, size_t p, ss_wregvalue *v, ss_buf *bytes,
		     size_t *count, unsigned char first[4], ss_diag *d)
{
	const char *s = t->data;
	size_t pos, end;
	line_span(t, li, &pos, &end);
	v->data_end = p;
	for (;;) {
		while (p < end && hexval(s[p]) >= 0) {
			size_t q = p;
			unsigned val = 0;
			while (q < end && hexval(s[q]) >= 0 && val <= 0xFF)
				val = val * 16 + (unsigned)hexval(s[q++]);
			if (val > 0xFF)
				return ss_text_error(t, d, p,
						     "a hex byte above ff: expected two hex "
						     "digits per byte");
			if (*count < 4)
				first[*count] = (unsigned char)val;
			(*count)++;
			if (bytes && ss_buf_addc(bytes, (char)val) < 0)
				return ss_diag_oom(d);
			p = v->data_end = q;
			p = skip_space(s, p, end);
			if (p < end && s[p] == ',')
				v->data_end = ++p;
			p = skip_space(s, p, end);
		}
		p = skip_space(s, p, end);
		if (p == end)
			break;
		if (s[p] != '\\')
			return ss_text_error(t, d, p,
					     "expected a hex byte, ',' or a '\\' that continues "
					     "the data on the next line");
		v->data_end = p + 1;
		if (++li >= t->nlines)
			return ss_text_error(t, d, p,
					     "the hex data continues with '\\' but the file "
					     "ends: expected more hex bytes");
		line_span(t, li, &p, &end);
		p = skip_space(s, p, end);
	}
	v->nlines = li - v->line + 1;
	return 0;
}

typedef struct tag {
	const char *text;
	ss_wreg_form form;
	uint32_t type;
} tag;

static const tag TAGS[] = {{"\"", SS_WREG_STRING, SS_REGT_SZ},
			   {"str:\"", SS_WREG_STRING, SS_REGT_SZ},
			   {"str(2):\"", SS_WREG_STRING, SS_REGT_EXPAND_SZ},
			   {"str(7):\"", SS_WREG_STRING, SS_REGT_MULTI_SZ},
			   {"hex:", SS_WREG_HEX, SS_REGT_BINARY},
			   {"dword:", SS_WREG_DWORD, SS_REGT_DWORD},
			   {NULL, SS_WREG_HEX, 0}};

/* hex(N): at p; returns the offset after the ':' or 0. */
static size_t parse_hex_type(const char *s, size_t p, size_t end, uint32_t *type)
{
	size_t q = p + 4, n = 0;
	uint32_t x = 0;
	while (q < end && hexval(s[q]) >= 0 && n < 9) {
		x = (x << 4) | (uint32_t)hexval(s[q++]);
		n++;
	}
	if (n > 8 || end - q < 2 || s[q] != ')' || s[q + 1] != ':')
		return 0;
	*type = x;
	return q + 2;
}

static int parse_data(const ss_text *t, size_t p, size_t end, ss_wregvalue *v, ss_buf *bytes,
		      ss_diag *d)
{
	const char *s = t->data;
	v->data_start = p;
	v->nlines = 1;
	const tag *tg = TAGS;
	while (tg->text &&
	       !(end - p >= strlen(tg->text) && !memcmp(s + p, tg->text, strlen(tg->text))))
		tg++;
	size_t q;
	if (tg->text) {
		v->form = tg->form;
		v->type = tg->type;
		q = p + strlen(tg->text);
	} else if (end - p >= 4 && memcmp(s + p, "hex(", 4) == 0) {
		q = parse_hex_type(s, p, end, &v->type);
		if (!q)
			return ss_text_error(t, d, p, "expected hex(N): with N in hex digits");
		v->form = SS_WREG_HEX;
	} else {
		return ss_text_error(t, d, p,
				     "expected \"string\", str(N):\"string\", dword:, hex: or "
				     "hex(N): after '='");
	}
	if (v->form == SS_WREG_STRING) {
		size_t close = scan_to(s, q, end, '"');
		if (close == end)
			return ss_text_error(t, d, q - 1,
					     "unterminated string: expected a closing '\"'");
		v->str_start = q;
		v->str_end = close;
		v->data_end = close + 1;
		return 0; /* Wine ignores what follows */
	}
	if (v->form == SS_WREG_DWORD) {
		size_t r = q, n = 0;
		uint32_t x = 0;
		while (r < end && hexval(s[r]) >= 0 && n < 9) {
			x = (x << 4) | (uint32_t)hexval(s[r++]);
			n++;
		}
		if (n == 0 || n > 8 || skip_space(s, r, end) != end)
			return ss_text_error(t, d, q,
					     "bad dword: expected 1 to 8 hex digits after "
					     "'dword:' and nothing else");
		v->has_dword = 1;
		v->dword = x;
		v->data_end = r;
		return 0;
	}
	size_t count = 0;
	unsigned char first[4] = {0, 0, 0, 0};
	if (parse_hex(t, v->line, q, v, bytes, &count, first, d) < 0)
		return -1;
	if (v->data_end < q)
		v->data_end = q;
	if (v->type == SS_REGT_DWORD && count == 4) {
		v->has_dword = 1;
		v->dword = (uint32_t)first[0] | ((uint32_t)first[1] << 8) |
			   ((uint32_t)first[2] << 16) | ((uint32_t)first[3] << 24);
	}
	return 0;
}

/* The value whose line `li` starts (after blanks) at p with '"' or '@'. */
static int parse_value(const ss_text *t, size_t li, size_t p, size_t end, ss_wregvalue *v,
		       ss_buf *bytes, ss_diag *d)
{
	const char *s = t->data;
	memset(v, 0, sizeof(*v));
	v->line = li;
	if (s[p] == '@') {
		v->is_default = 1;
		v->name_start = v->name_end = ++p;
	} else {
		size_t q = scan_to(s, p + 1, end, '"');
		if (q == end)
			return ss_text_error(t, d, p,
					     "unterminated value name: expected a closing '\"'");
		v->name_start = p + 1;
		v->name_end = q;
		p = q + 1;
	}
	p = skip_space(s, p, end);
	if (p == end || s[p] != '=')
		return ss_text_error(t, d, p, "expected '=' after the value name");
	p = skip_space(s, p + 1, end);
	return parse_data(t, p, end, v, bytes, d);
}

/* --- keys --- */

static int add_key(ss_winereg *wr, const ss_wregkey *k, ss_diag *d)
{
	if (wr->nkeys == wr->kcap) {
		size_t cap = wr->kcap ? wr->kcap * 2 : 64;
		ss_wregkey *v = realloc(wr->keys, cap * sizeof(*v));
		if (!v)
			return ss_diag_oom(d);
		wr->keys = v;
		wr->kcap = cap;
	}
	wr->keys[wr->nkeys++] = *k;
	return 0;
}

static int parse_key(ss_winereg *wr, size_t li, size_t p, size_t end, ss_diag *d)
{
	const ss_text *t = wr->text;
	const char *s = t->data;
	size_t q = scan_to(s, p + 1, end, ']');
	if (q == end)
		return ss_text_error(t, d, p,
				     "malformed key: expected a ']' that ends the key name");
	ss_wregkey k;
	memset(&k, 0, sizeof(k));
	ss_buf path = SS_BUF_INIT;
	if (unescape_utf8(s, p + 1, q, &path) < 0 ||
	    !(k.path = ss_buf_detach(&path, &k.path_len))) {
		ss_buf_release(&path);
		return ss_diag_oom(d);
	}
	if (memchr(k.path, '\0', k.path_len)) {
		free(k.path);
		return ss_text_error(t, d, p + 1,
				     "a NUL character in a key name: the registry cannot "
				     "hold such a key");
	}
	size_t st = skip_space(s, q + 1, end), se = st;
	while (se < end && s[se] >= '0' && s[se] <= '9')
		se++;
	if (se == st)
		st = se = q + 1;
	k.stamp_start = st;
	k.stamp_end = se;
	k.line = li;
	k.end_line = t->nlines;
	k.last_value_line = li;
	k.time_line = SS_WINEREG_NONE;
	k.next_same = SS_WINEREG_NONE;
	if (wr->nkeys)
		wr->keys[wr->nkeys - 1].end_line = li;
	if (add_key(wr, &k, d) < 0) {
		free(k.path);
		return -1;
	}
	return 0;
}

/* --- the index of paths --- */

static int path_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	return ss_key_eq(a, alen, b, blen);
}

static int build_table(ss_winereg *wr, ss_diag *d)
{
	ss_keyrecs r = SS_KEYRECS(wr->keys, wr->nkeys, ss_wregkey);
	return ss_keyindex_build(&r, &wr->table, &wr->tsize) < 0 ? ss_diag_oom(d) : 0;
}

size_t ss_winereg_find_key(const ss_winereg *wr, const char *path, size_t len)
{
	ss_keyrecs r = SS_KEYRECS(wr->keys, wr->nkeys, ss_wregkey);
	return ss_keyindex_find(&r, wr->table, wr->tsize, path, len);
}

/* Whether key `k` lies below `parent` (of length plen): 1 with *at the
 * offset of its name's first element below it. */
static int below(const ss_wregkey *k, const char *parent, size_t plen, size_t *at)
{
	if (plen == 0) {
		*at = 0;
		return k->path_len > 0;
	}
	if (k->path_len <= plen + 1 || k->path[plen] != '\\' ||
	    !path_eq(k->path, plen, parent, plen))
		return 0;
	*at = plen + 1;
	return 1;
}

int ss_winereg_key_exists(const ss_winereg *wr, const char *path)
{
	size_t plen = strlen(path);
	if (plen == 0 || ss_winereg_find_key(wr, path, plen) != SS_WINEREG_NONE)
		return 1;
	size_t at;
	for (size_t b = 0; b < wr->nkeys; b++)
		if (below(&wr->keys[b], path, plen, &at))
			return 1;
	return 0;
}

int ss_winereg_subkeys(const ss_winereg *wr, const char *parent, ss_strlist *out)
{
	size_t plen = strlen(parent);
	/* A set of the names taken (indexes into out), hashed case-insensitively. */
	size_t size = 16;
	while (size < 2 * wr->nkeys)
		size *= 2;
	size_t *set = malloc(size * sizeof(*set));
	if (!set)
		return -1;
	for (size_t i = 0; i < size; i++)
		set[i] = SS_WINEREG_NONE;
	int r = 0;
	for (size_t b = 0; b < wr->nkeys && r == 0; b++) {
		const ss_wregkey *k = &wr->keys[b];
		size_t at;
		if (!below(k, parent, plen, &at))
			continue;
		const char *name = k->path + at;
		const char *sep = memchr(name, '\\', k->path_len - at);
		size_t nlen = sep ? (size_t)(sep - name) : k->path_len - at;
		size_t i = (size_t)ss_key_hash(name, nlen) & (size - 1);
		while (set[i] != SS_WINEREG_NONE &&
		       !path_eq(out->v[set[i]], strlen(out->v[set[i]]), name, nlen))
			i = (i + 1) & (size - 1);
		if (set[i] != SS_WINEREG_NONE)
			continue;
		char *copy = ss_strndup(name, nlen);
		if (!copy || ss_strlist_push_owned(out, copy) < 0)
			r = -1;
		else
			set[i] = out->n - 1;
	}
	free(set);
	return r;
}

/* --- the whole file --- */

static ss_wreg_hive hive_of(const char *root)
{
	size_t n = strlen(root);
	const char *user_default = "User\\.Default";
	size_t ud = strlen(user_default);
	if (n >= ud && path_eq(root + n - ud, ud, user_default, ud))
		return SS_WREG_HIVE_USER_DEFAULT;
	if (n >= 7 && path_eq(root + n - 7, 7, "Machine", 7))
		return SS_WREG_HIVE_MACHINE;
	for (size_t i = 0; i + 7 <= n; i++)
		if (path_eq(root + i, 7, "User\\S-", 7))
			return SS_WREG_HIVE_USER;
	return SS_WREG_HIVE_UNKNOWN;
}

static int parse_global(ss_winereg *wr, size_t p, size_t end, ss_diag *d)
{
	const ss_text *t = wr->text;
	const char *s = t->data;
	if (s[p] == '#') {
		if (end - p >= 6 && memcmp(s + p, "#arch=", 6) == 0 &&
		    !(end - p == 11 &&
		      (memcmp(s + p + 6, "win32", 5) == 0 || memcmp(s + p + 6, "win64", 5) == 0)))
			return ss_text_error(t, d, p + 6,
					     "unknown architecture: expected #arch=win32 or "
					     "#arch=win64 (Wine stops reading the file here)");
		return 0;
	}
	size_t rl = sizeof(RELATIVE) - 1;
	if (s[p] == ';' && !wr->relative_to && end - p >= rl && memcmp(s + p, RELATIVE, rl) == 0) {
		ss_buf root = SS_BUF_INIT;
		if (unescape_utf8(s, p + rl, end, &root) < 0 ||
		    !(wr->relative_to = ss_buf_detach(&root, NULL))) {
			ss_buf_release(&root);
			return ss_diag_oom(d);
		}
		wr->hive = hive_of(wr->relative_to);
	}
	return 0;
}

static int parse_option(ss_winereg *wr, size_t li, size_t p, size_t end, ss_diag *d)
{
	const ss_text *t = wr->text;
	ss_wregkey *k = &wr->keys[wr->nkeys - 1];
	if (end - p >= 7 && memcmp(t->data + p, "#class=", 7) == 0) {
		if (end - p < 8 || t->data[p + 7] != '"' ||
		    scan_to(t->data, p + 8, end, '"') == end)
			return ss_text_error(t, d, p + 7,
					     "malformed key class: expected #class=\"...\"");
	}
	if (end - p >= 6 && memcmp(t->data + p, "#time=", 6) == 0)
		k->time_line = li;
	k->last_value_line = li;
	return 0;
}

static int parse_lines(ss_winereg *wr, ss_diag *d)
{
	const ss_text *t = wr->text;
	size_t li = 1;
	while (li < t->nlines) {
		size_t p, end;
		line_span(t, li, &p, &end);
		const char *nul = memchr(t->data + p, '\0', end - p);
		if (nul)
			return ss_text_error(t, d, (size_t)(nul - t->data),
					     "a NUL byte: Wine stops reading the line there");
		p = skip_space(t->data, p, end);
		char c = p < end ? t->data[p] : ';';
		int r = 0;
		size_t n = 1;
		if (c == '[') {
			r = parse_key(wr, li, p, end, d);
		} else if (!wr->nkeys && (c == '#' || c == ';')) {
			r = parse_global(wr, p, end, d);
		} else if (c == ';') {
			r = 0;
		} else if (c == '#') {
			r = parse_option(wr, li, p, end, d);
		} else if (c == '"' || c == '@') {
			if (!wr->nkeys)
				return ss_text_error(t, d, p,
						     "a value before the first key: expected "
						     "a [KEY] line");
			ss_wregvalue v;
			r = parse_value(t, li, p, end, &v, NULL, d);
			n = v.nlines;
			if (r == 0)
				wr->keys[wr->nkeys - 1].last_value_line = li + n - 1;
		} else {
			return ss_text_error(t, d, p,
					     "unrecognized input: expected a [KEY] line, a "
					     "\"value\"=, @=, a #option or a ';' comment");
		}
		if (r < 0)
			return -1;
		li += n;
	}
	return 0;
}

static int parse_header(ss_winereg *wr, ss_diag *d)
{
	const ss_text *t = wr->text;
	if (t->enc != SS_ENC_BYTES)
		return ss_diag_set(d, t->path, 1, 1,
				   "a UTF-16 file: Wine's registry files are 8-bit text "
				   "that starts with '%s'",
				   HEADER);
	if (!t->nlines || ss_text_line(t, 0).len != sizeof(HEADER) - 1 ||
	    memcmp(t->data, HEADER, sizeof(HEADER) - 1) != 0)
		return ss_diag_set(d, t->path, 1, 1,
				   "not a Wine registry file: expected the first line '%s'",
				   HEADER);
	return 0;
}

int ss_winereg_parse(ss_winereg *wr, const ss_text *t, ss_diag *d)
{
	memset(wr, 0, sizeof(*wr));
	wr->text = t;
	if (parse_header(wr, d) < 0 || parse_lines(wr, d) < 0 || build_table(wr, d) < 0) {
		ss_winereg_free(wr);
		wr->text = t;
		return -1;
	}
	return 0;
}

void ss_winereg_free(ss_winereg *wr)
{
	for (size_t i = 0; i < wr->nkeys; i++)
		free(wr->keys[i].path);
	free(wr->keys);
	free(wr->table);
	free(wr->relative_to);
	memset(wr, 0, sizeof(*wr));
}

/* The rule parse_header applies, on the first bytes: the first line (up
 * to LF, a CR before it dropped) is the header. A file that is only the
 * header, without an ending, is an empty registry to Wine (read_next_line
 * returns what it read at end of file); a CR without LF stays content. */
int ss_winereg_sniff(const char *head, size_t len)
{
	size_t n = sizeof(HEADER) - 1;
	if (len < n || memcmp(head, HEADER, n) != 0)
		return 0;
	if (len == n || head[n] == '\n')
		return 1;
	return head[n] == '\r' && len > n + 1 && head[n + 1] == '\n';
}

/* --- reading values --- */

int ss_winereg_next_value(const ss_winereg *wr, size_t b, size_t *cursor, ss_wregvalue *v)
{
	const ss_text *t = wr->text;
	const ss_wregkey *k = &wr->keys[b];
	size_t li = *cursor ? *cursor : k->line + 1;
	for (; li < k->end_line; li++) {
		size_t p, end;
		line_span(t, li, &p, &end);
		p = skip_space(t->data, p, end);
		if (p == end || (t->data[p] != '"' && t->data[p] != '@'))
			continue;
		/* Checked by ss_winereg_parse: cannot fail. */
		if (parse_value(t, li, p, end, v, NULL, NULL) < 0)
			return 0;
		*cursor = li + v->nlines;
		return 1;
	}
	*cursor = k->end_line;
	return 0;
}

static int plain_name(const char *s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (s[i] == '\\' || (unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

int ss_winereg_value_name_is(const ss_winereg *wr, const ss_wregvalue *v, const char *name)
{
	if (!name)
		name = "";
	const char *s = wr->text->data;
	if (plain_name(s, v->name_start, v->name_end))
		return path_eq(s + v->name_start, v->name_end - v->name_start, name, strlen(name));
	ss_buf b = SS_BUF_INIT;
	int eq = unescape_utf8(s, v->name_start, v->name_end, &b) == 0 &&
		 path_eq(ss_buf_str(&b), b.len, name, strlen(name));
	ss_buf_release(&b);
	return eq;
}

int ss_winereg_value_name(const ss_winereg *wr, const ss_wregvalue *v, ss_buf *out)
{
	return unescape_utf8(wr->text->data, v->name_start, v->name_end, out);
}

int ss_winereg_value_string(const ss_winereg *wr, const ss_wregvalue *v, ss_buf *out)
{
	if (v->form != SS_WREG_STRING)
		return -1;
	return unescape_utf8(wr->text->data, v->str_start, v->str_end, out);
}

int ss_winereg_value_data(const ss_winereg *wr, const ss_wregvalue *v, ss_buf *out)
{
	if (v->form == SS_WREG_STRING) {
		if (decode_units(wr->text->data, v->str_start, v->str_end, out) < 0)
			return -1;
		return put_unit(out, 0);
	}
	if (v->form == SS_WREG_DWORD) {
		char b[4] = {(char)(v->dword & 0xFF), (char)((v->dword >> 8) & 0xFF),
			     (char)((v->dword >> 16) & 0xFF), (char)((v->dword >> 24) & 0xFF)};
		return ss_buf_add(out, b, 4);
	}
	ss_wregvalue x;
	size_t p, end;
	line_span(wr->text, v->line, &p, &end);
	p = skip_space(wr->text->data, p, end);
	ss_diag d = SS_DIAG_INIT;
	int r = parse_value(wr->text, v->line, p, end, &x, out, &d);
	ss_diag_clear(&d);
	return r;
}

int ss_winereg_find_value(const ss_winereg *wr, size_t b, const char *name, ss_wregvalue *v)
{
	size_t cur = 0;
	ss_wregvalue x;
	int found = 0;
	while (ss_winereg_next_value(wr, b, &cur, &x)) {
		if (ss_winereg_value_name_is(wr, &x, name)) {
			*v = x;
			found = 1;
		}
	}
	return found;
}

int ss_winereg_lookup(const ss_winereg *wr, const char *path, const char *name, ss_wregvalue *v)
{
	int found = 0;
	for (size_t b = ss_winereg_find_key(wr, path, strlen(path)); b != SS_WINEREG_NONE;
	     b = wr->keys[b].next_same) {
		ss_wregvalue x;
		if (ss_winereg_find_value(wr, b, name, &x)) {
			*v = x;
			found = 1;
		}
	}
	return found;
}

const char *ss_winereg_type_name(uint32_t type, char buf[16])
{
	switch (type) {
	case SS_REGT_NONE:
		return "REG_NONE";
	case SS_REGT_SZ:
		return "REG_SZ";
	case SS_REGT_EXPAND_SZ:
		return "REG_EXPAND_SZ";
	case SS_REGT_BINARY:
		return "REG_BINARY";
	case SS_REGT_DWORD:
		return "REG_DWORD";
	case SS_REGT_MULTI_SZ:
		return "REG_MULTI_SZ";
	case SS_REGT_QWORD:
		return "REG_QWORD";
	default:
		snprintf(buf, 16, "type 0x%x", (unsigned)type);
		return buf;
	}
}

/* --- edits --- */

/* A value line as dump_value writes it, without a line ending. */
static int format_value(ss_buf *out, const char *name, int is_dword, uint32_t dword, const char *sz)
{
	int r = 0;
	if (!name || !*name) {
		r = ss_buf_adds(out, "@=");
	} else {
		r = ss_buf_addc(out, '"');
		if (r == 0)
			r = ss_winereg_escape(out, name, strlen(name), "\"\"");
		if (r == 0)
			r = ss_buf_adds(out, "\"=");
	}
	if (r < 0)
		return r;
	if (is_dword)
		return ss_buf_addf(out, "dword:%08x", (unsigned)dword);
	r = ss_buf_addc(out, '"');
	if (r == 0)
		r = ss_winereg_escape(out, sz, strlen(sz), "\"\"");
	return r < 0 ? r : ss_buf_addc(out, '"');
}

int ss_winereg_set_dword(const ss_winereg *wr, ss_edits *e, const ss_wregvalue *v, uint32_t value)
{
	(void)wr;
	char s[16];
	int n = snprintf(s, sizeof(s), "dword:%08x", (unsigned)value);
	return ss_edits_replace(e, v->data_start, v->data_end, s, (size_t)n);
}

int ss_winereg_set_string(const ss_winereg *wr, ss_edits *e, const ss_wregvalue *v,
			  const char *value)
{
	(void)wr;
	ss_buf b = SS_BUF_INIT;
	int r = ss_buf_addc(&b, '"');
	if (r == 0)
		r = ss_winereg_escape(&b, value, strlen(value), "\"\"");
	if (r == 0)
		r = ss_buf_addc(&b, '"');
	if (r == 0)
		r = ss_edits_replace(e, v->data_start, v->data_end, ss_buf_str(&b), b.len);
	ss_buf_release(&b);
	return r;
}

/* Wine's order of value names: case-insensitive, then the shorter first. */
static int name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	for (size_t i = 0; i < n; i++) {
		int x = lower((unsigned char)a[i]), y = lower((unsigned char)b[i]);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* Inserts the line `content` (no ending) before line `li`, or after the
 * last line of a file without a final newline when li == nlines. */
static int insert_before_line(const ss_text *t, ss_edits *e, size_t li, const char *content)
{
	ss_buf s = SS_BUF_INIT;
	int r;
	size_t at;
	if (li >= t->nlines && t->nlines && ss_text_line(t, t->nlines - 1).eol == SS_EOL_NONE) {
		at = t->len;
		r = ss_buf_adds(&s, ss_text_eol_string(t));
		if (r == 0)
			r = ss_buf_adds(&s, content);
	} else {
		at = li < t->nlines ? t->lines[li] : t->len;
		r = ss_buf_adds(&s, content);
		if (r == 0)
			r = ss_buf_adds(&s, ss_text_eol_string(t));
	}
	if (r == 0)
		r = ss_edits_insert(e, at, ss_buf_str(&s), s.len);
	ss_buf_release(&s);
	return r;
}

static int insert_value(const ss_winereg *wr, ss_edits *e, size_t b, const char *name, int is_dword,
			uint32_t dword, const char *sz)
{
	ss_buf line = SS_BUF_INIT, other = SS_BUF_INIT;
	int r = format_value(&line, name, is_dword, dword, sz);
	size_t at = wr->keys[b].last_value_line + 1, cur = 0;
	ss_wregvalue v;
	while (r == 0 && ss_winereg_next_value(wr, b, &cur, &v)) {
		ss_buf_reset(&other);
		r = ss_winereg_value_name(wr, &v, &other);
		if (r == 0 && name_cmp(ss_buf_str(&other), other.len, name ? name : "",
				       name ? strlen(name) : 0) > 0) {
			at = v.line;
			break;
		}
	}
	if (r == 0)
		r = insert_before_line(wr->text, e, at, ss_buf_str(&line));
	ss_buf_release(&line);
	ss_buf_release(&other);
	return r;
}

int ss_winereg_insert_dword(const ss_winereg *wr, ss_edits *e, size_t b, const char *name,
			    uint32_t value)
{
	return insert_value(wr, e, b, name, 1, value, NULL);
}

int ss_winereg_insert_string(const ss_winereg *wr, ss_edits *e, size_t b, const char *name,
			     const char *value)
{
	return insert_value(wr, e, b, name, 0, 0, value);
}

int ss_winereg_delete_value(const ss_winereg *wr, ss_edits *e, const ss_wregvalue *v)
{
	const ss_text *t = wr->text;
	return ss_edits_delete(e, t->lines[v->line], ss_text_line_stop(t, v->line + v->nlines - 1));
}

static void filetime_hex(char out[24], int64_t unix_seconds)
{
	uint64_t ft =
	    (uint64_t)(unix_seconds < 0 ? 0 : unix_seconds) * TICKS_PER_SEC + TICKS_1601_TO_1970;
	snprintf(out, 24, "%x%08x", (unsigned)(ft >> 32), (unsigned)(ft & 0xFFFFFFFFu));
}

int ss_winereg_touch_key(const ss_winereg *wr, ss_edits *e, size_t b, int64_t unix_seconds)
{
	const ss_text *t = wr->text;
	const ss_wregkey *k = &wr->keys[b];
	unsigned secs = (unsigned)(unix_seconds < 0 ? 0 : unix_seconds);
	char s[32], ft[24];
	filetime_hex(ft, unix_seconds);
	int r;
	if (k->stamp_start == k->stamp_end) {
		/* Before the key's new lines when the key's line ends the file. */
		int n = snprintf(s, sizeof(s), " %u", secs);
		r = ss_edits_insert_early(e, k->stamp_start, s, (size_t)n);
	} else {
		int n = snprintf(s, sizeof(s), "%u", secs);
		r = ss_edits_replace(e, k->stamp_start, k->stamp_end, s, (size_t)n);
	}
	if (r < 0)
		return r;
	if (k->time_line == SS_WINEREG_NONE) {
		char line[32];
		snprintf(line, sizeof(line), "#time=%s", ft);
		return insert_before_line(t, e, k->line + 1, line);
	}
	size_t p, end;
	line_span(t, k->time_line, &p, &end);
	p = skip_space(t->data, p, end) + 6;
	size_t q = p;
	while (q < end && hexval(t->data[q]) >= 0)
		q++;
	return ss_edits_replace(e, p, q, ft, strlen(ft));
}

/* Indexes of k's values in Wine's order (skipping deletions). */
static size_t *sorted_values(const ss_regkey *k, size_t *n)
{
	size_t *ix = malloc((k->n ? k->n : 1) * sizeof(*ix));
	if (!ix)
		return NULL;
	*n = 0;
	for (size_t i = 0; i < k->n; i++) {
		if (k->v[i].kind == SS_REGVAL_DELETE)
			continue;
		const char *a = k->v[i].name ? k->v[i].name : "";
		size_t j = *n;
		while (j > 0) {
			const char *b = k->v[ix[j - 1]].name ? k->v[ix[j - 1]].name : "";
			if (name_cmp(b, strlen(b), a, strlen(a)) <= 0)
				break;
			ix[j] = ix[j - 1];
			j--;
		}
		ix[j] = i;
		(*n)++;
	}
	return ix;
}

int ss_winereg_append_key(const ss_winereg *wr, ss_edits *e, const ss_regkey *k,
			  int64_t unix_seconds, ss_diag *d)
{
	const ss_text *t = wr->text;
	const char *eol = ss_text_eol_string(t);
	ss_buf s = SS_BUF_INIT;
	char ft[24];
	filetime_hex(ft, unix_seconds);
	int r = 0;
	if (t->nlines) {
		const ss_line l = ss_text_line(t, t->nlines - 1);
		if (l.len != 0 || l.eol == SS_EOL_NONE)
			r = ss_buf_adds(&s, eol); /* the blank line Wine writes before a key */
	}
	if (r == 0)
		r = ss_buf_addc(&s, '[');
	if (r == 0)
		r = ss_winereg_escape(&s, k->path, strlen(k->path), "[]");
	if (r == 0)
		r = ss_buf_addf(&s, "] %u%s#time=%s%s",
				(unsigned)(unix_seconds < 0 ? 0 : unix_seconds), eol, ft, eol);
	size_t n = 0, *ix = r == 0 ? sorted_values(k, &n) : NULL;
	if (r == 0 && !ix)
		r = -1;
	for (size_t i = 0; i < n && r == 0; i++) {
		const ss_regval *v = &k->v[ix[i]];
		r = format_value(&s, v->name, v->kind == SS_REGVAL_DWORD, v->dword,
				 v->sz ? v->sz : "");
		if (r == 0)
			r = ss_buf_adds(&s, eol);
	}
	free(ix);
	if (r == -2)
		r = ss_diag_set(d, t->path, 0, 0,
				"key \"%s\": a name or string that is not UTF-8 text", k->path);
	else if (r < 0)
		r = ss_diag_oom(d);
	else if (ss_edits_append(e, t, ss_buf_str(&s), s.len) < 0)
		r = ss_diag_oom(d);
	ss_buf_release(&s);
	return r;
}

/* The directory of a file path (its prefix), newly allocated. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/'), *bs = strrchr(path, '\\');
	if (bs && (!slash || bs > slash))
		slash = bs;
	return slash ? ss_strndup(path, slash == path ? 1 : (size_t)(slash - path))
		     : ss_strdup(".");
}

int ss_winereg_no_server(const ss_text *t, ss_diag *d)
{
	if (!ss_winereg_sniff(t->data, t->len))
		return 0;
	char *prefix = dir_of(t->path), *why = NULL;
	if (!prefix)
		return ss_diag_oom(d);
	int r = ss_os_wineserver_running(prefix, &why);
	if (r != 0)
		r = r > 0 ? ss_diag_set(d, t->path, 0, 0,
					"a wineserver is running for the Wine prefix %s (%s): it "
					"keeps the registry in memory and would write it over "
					"this change; nothing was written. Close the Wine "
					"programs or run 'WINEPREFIX=%s wineserver -k', then run "
					"sshsync again",
					prefix, why ? why : "its lock is held", prefix)
			  : ss_diag_errno(d, t->path,
					  "cannot tell whether a wineserver runs for %s", prefix);
	free(why);
	free(prefix);
	return r < 0 ? -1 : 0;
}
