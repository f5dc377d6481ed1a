/* WinSCP's INI dialect: a byte-span index over a text, and edits.
 *
 * Deliberately not iniparser: see include/sshsync/winini.h for what it gets
 * wrong on real WinSCP.ini files (1,024-byte line limit, inline comments,
 * quote stripping, lowercased sections, no writing back). */
#include "sshsync/winini.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sshsync/buf.h"
#include "sshsync/hashbits.h"
#include "sshsync/keyindex.h"
#include "sshsync/os_bytes.h"
#include "sshsync/os_sys.h"

/* Delphi's Trim drops every character <= ' ' at both ends. */
static int is_trim(char c)
{
	return (unsigned char)c <= ' ';
}

static void trim(const char *base, size_t *start, size_t *len)
{
	while (*len && is_trim(base[*start])) {
		(*start)++;
		(*len)--;
	}
	while (*len && is_trim(base[*start + *len - 1]))
		(*len)--;
}

/* A hash of a section name that agrees with ss_key_eq (ASCII letters
 * folded). */
static uint32_t section_hash(const char *s, size_t len)
{
	return (uint32_t)ss_key_hash(s, len);
}

/* Links the sections whose hash's bit came again (ss_hashbits) to the
 * first one of the same name, with a table of those alone. A slot holds
 * a section's index and its hash: a probe that meets another name is
 * told apart without reading that section or its name (random reads
 * that miss the cache; and most site names have the same length). */
static int link_shared(ss_winini *ini, const uint32_t *hashes, const ss_hashbits *bits)
{
	size_t size = 16;
	while (size < 2 * ss_hashbits_suspects(bits))
		size *= 2;
	uint64_t *slots = malloc(size * sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < size; i++)
		slots[i] = UINT64_MAX;
	const char *data = ini->text->data;
	for (size_t i = 0; i < ini->nsections; i++) {
		if (!ss_hashbits_shared(bits, hashes[i]))
			continue;
		ss_winini_section *s = &ini->sections[i];
		uint64_t tag = hashes[i];
		size_t at = (size_t)tag & (size - 1);
		for (; slots[at] != UINT64_MAX; at = (at + 1) & (size - 1)) {
			if (slots[at] >> 32 != tag)
				continue;
			const ss_winini_section *o = &ini->sections[(uint32_t)slots[at]];
			if (ss_key_eq(data + o->name_start, o->name_len, data + s->name_start,
				      s->name_len)) {
				s->first_of = (uint32_t)slots[at];
				break;
			}
		}
		if (slots[at] == UINT64_MAX)
			slots[at] = tag << 32 | i;
	}
	free(slots);
	return 0;
}

/* Links every section to the first one of the same name (the parser
 * linked each to itself). hashes[i]: section_hash of section i's name,
 * taken by the parser while the name was in the cache. Only names whose
 * hash's bit came again are looked up: a table of every name, probed at
 * random, took 2-3 ms on one thread for 100,000 sites. */
static int link_duplicates(ss_winini *ini, const uint32_t *hashes)
{
	ss_hashbits bits;
	if (ss_hashbits_init(&bits, ini->nsections) < 0)
		return -1;
	int r = 0;
	for (size_t i = 0; i < ini->nsections && r == 0; i++)
		r = ss_hashbits_add(&bits, hashes[i]);
	if (r == 0 && bits.again)
		r = link_shared(ini, hashes, &bits);
	ss_hashbits_free(&bits);
	return r;
}

/* Line ln as TStringList splits the text. */
static ss_winini_line line_of(const ss_winini *ini, size_t ln)
{
	if (ini->lines)
		return ini->lines[ln];
	const ss_line l = ss_text_line(ini->text, ln);
	return (ss_winini_line){l.start, l.len, ss_text_line_stop(ini->text, ln)};
}

/* Sixteen bytes as one vector (GCC's and Clang's vector extension: SSE2
 * or NEON code where there is one, portable C elsewhere). */
typedef signed char bytes16 __attribute__((vector_size(16)));
typedef unsigned char ubytes16 __attribute__((vector_size(16)));

/* The CRs of data[0..len): 16 bytes at a time into 16 byte-sized
 * counters (a compare gives 0xFF for a CR, subtracted), added up every 255
 * blocks, before one can wrap. */
static size_t count_cr(const char *data, size_t len)
{
	size_t n = 0, i = 0;
	while (len - i >= 16) {
		size_t blocks = (len - i) / 16 < 255 ? (len - i) / 16 : 255;
		ubytes16 sum = {0};
		for (const char *p = data + i, *end = p + blocks * 16; p != end; p += 16) {
			bytes16 v;
			memcpy(&v, p, 16);
			sum -= (ubytes16)(v == '\r'); /* unsigned: wraps as meant */
		}
		i += blocks * 16;
		unsigned char c[16];
		memcpy(c, &sum, 16);
		for (size_t j = 0; j < 16; j++)
			n += c[j];
	}
	for (; i < len; i++)
		n += data[i] == '\r';
	return n;
}

/* The text's lines split again at every CR that no LF follows; nothing
 * is allocated when there is none. */
static int split_lone_cr(ss_winini *ini)
{
	const ss_text *t = ini->text;
	ini->nlines = t->nlines;
	/* Lone CRs: all CRs less those of the CR LF endings (a memchr per CR
	 * would be a call per line of a Windows file). */
	size_t extra = count_cr(t->data, t->len) - t->ncrlf;
	if (extra == 0)
		return 0;
	ini->lines = malloc((t->nlines + extra) * sizeof(*ini->lines));
	if (!ini->lines)
		return -1;
	size_t n = 0;
	for (size_t ln = 0; ln < t->nlines; ln++) {
		ss_winini_line l = line_of(&(ss_winini){.text = t}, ln);
		size_t start = l.start, content_end = l.start + l.len;
		for (size_t i = start; i < content_end; i++) {
			if (t->data[i] != '\r')
				continue;
			ini->lines[n++] = (ss_winini_line){start, i - start, i + 1};
			start = i + 1;
		}
		ini->lines[n++] = (ss_winini_line){start, content_end - start, l.end};
	}
	ini->nlines = n;
	return 0;
}

/* Whether byte c is set in the bitmap `first` (NULL: every byte). */
static int first_byte_in(const uint64_t *first, unsigned char c)
{
	return !first || (first[c / 64] >> (c % 64) & 1);
}

/* The key of line ln, whose content with its leading blanks passed over
 * is [start, end), end > start: a line that holds '=' is a key. The line
 * is trimmed first, so the name needs no trimming on its left nor the
 * value on its right (locals, not *k: the compiler keeps them in
 * registers). */
static int key_in(const char *data, size_t ln, size_t start, size_t end, ss_winini_key *k)
{
	while (is_trim(data[end - 1]))
		end--;
	const char *eq = memchr(data + start, '=', end - start);
	if (!eq)
		return 0; /* TMemIniFile keeps it as a nameless line nobody reads */
	size_t at = (size_t)(eq - data), name_end = at, value = at + 1;
	while (name_end > start && is_trim(data[name_end - 1]))
		name_end--;
	while (value < end && is_trim(data[value]))
		value++;
	k->line = ln;
	k->name_start = start;
	k->name_len = name_end - start;
	k->value_start = value;
	k->value_len = end - value;
	return 1;
}

/* The sections of lines [from, to) of an index, with their names' hashes:
 * a whole text, or one of two halves parsed at once. */
typedef struct part {
	const ss_winini *ini;
	size_t from, to;
	ss_winini_section *v;
	uint32_t *hashes;
	size_t n, cap;
	/* The last line with content before the part's first header:
	 * NO_LINE, or the previous part's last section's last line. */
	uint32_t lead_last;
	size_t cr; /* its bytes' CRs (the text counts its CR LF endings) */
	int oom;
} part;

#define NO_LINE UINT32_MAX

/* Room for `cap` sections and their names' hashes. */
static int part_room(part *p, size_t cap)
{
	ss_winini_section *v = realloc(p->v, cap * sizeof(*v));
	if (!v)
		return -1;
	p->v = v;
	uint32_t *h = realloc(p->hashes, cap * sizeof(*h));
	if (!h)
		return -1;
	p->hashes = h;
	p->cap = cap;
	return 0;
}

/* A new section, and room for its name's hash. */
static int push_section(part *p)
{
	if (p->n == p->cap && part_room(p, p->cap ? p->cap * 2 : 16) < 0)
		return -1;
	p->n++;
	return 0;
}

static void part_free(part *p)
{
	free(p->v);
	free(p->hashes);
}

/* Whether the line data[start, end), its left blanks trimmed (start <
 * end), is a section header as TMemIniFile tells one: '[' to ']' once its
 * right is trimmed too; then its name, trimmed, in *name_start and
 * *name_len. */
static int header_in(const char *data, size_t start, size_t end, size_t *name_start,
		     size_t *name_len)
{
	if (data[start] != '[')
		return 0;
	while (is_trim(data[end - 1]))
		end--;
	if (end - start < 2 || data[end - 1] != ']')
		return 0;
	*name_start = start + 1;
	*name_len = end - start - 2;
	trim(data, name_start, name_len);
	return 1;
}

/* The sections of p's lines. -1 when memory runs out. */
static int parse_part(part *p)
{
	const ss_winini *ini = p->ini;
	const ss_text *t = ini->text;
	const char *data = t->data;
	ss_winini_section *cur = NULL;
	p->lead_last = NO_LINE;
	for (size_t ln = p->from; ln < p->to; ln++) {
		size_t start, len;
		if (ini->lines) {
			start = ini->lines[ln].start;
			len = ini->lines[ln].len;
		} else {
			start = t->lines[ln];
			len = ss_text_line(t, ln).len;
		}
		/* TMemIniFile's loader drops a UTF-8 byte order mark (Notepad
		 * writes one); the bytes stay in the file. */
		if (ln == 0 && len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
			start += 3;
			len -= 3;
		}
		/* Only the leading blanks matter to tell a key line from a
		 * blank one: the end is trimmed for headers alone. */
		while (len && is_trim(data[start])) {
			start++;
			len--;
		}
		if (len == 0)
			continue;
		size_t name_start, name_len;
		if (!header_in(data, start, start + len, &name_start, &name_len)) {
			/* Before the first section: WinSCP ignores it. */
			*(cur ? &cur->last_line : &p->lead_last) = (uint32_t)ln;
			continue;
		}
		if (cur)
			cur->end_line = (uint32_t)ln;
		if (push_section(p) < 0)
			return -1;
		cur = &p->v[p->n - 1];
		cur->line = (uint32_t)ln;
		cur->last_line = (uint32_t)ln;
		cur->name_start = (uint32_t)name_start;
		cur->name_len = (uint32_t)name_len;
		cur->first_of = (uint32_t)(p->n - 1); /* the part's index: join_halves */
		p->hashes[p->n - 1] = section_hash(data + name_start, name_len);
	}
	if (cur)
		cur->end_line = (uint32_t)p->to;
	return 0;
}

/* The index from its sections, taken over from p. */
static int finish(ss_winini *ini, part *p)
{
	ini->sections = p->v;
	ini->nsections = p->n;
	p->v = NULL;
	return link_duplicates(ini, p->hashes);
}

/* --- a large text in two halves at once --- */

/* From this many lines on: a thread costs some 50 microseconds, 65,536
 * lines about 2 ms to parse. */
enum { SPLIT_LINES = 1 << 16 };

/* Half of a text without its lone CRs known: its CRs counted (a lone one
 * is a CR more than the text's CR LF endings), then its sections as if
 * there were none. */
static void half_run(void *arg)
{
	part *p = arg;
	const ss_text *t = p->ini->text;
	size_t from = t->lines[p->from];
	size_t to = p->to < t->nlines ? t->lines[p->to] : t->len;
	p->cr = count_cr(t->data + from, to - from);
	p->oom = parse_part(p) < 0;
}

/* b's sections after a's; a's last section goes on into b's first lines. */
static int join_halves(part *a, part *b)
{
	if (a->n) {
		ss_winini_section *last = &a->v[a->n - 1];
		last->end_line = b->n ? b->v[0].line : (uint32_t)b->to;
		if (b->lead_last != NO_LINE)
			last->last_line = b->lead_last;
	}
	size_t n = a->n + b->n;
	if (n > a->cap && part_room(a, n) < 0)
		return -1;
	for (size_t i = 0; i < b->n; i++) {
		a->v[a->n + i] = b->v[i];
		a->v[a->n + i].first_of += (uint32_t)a->n;
	}
	if (b->n)
		memcpy(a->hashes + a->n, b->hashes, b->n * sizeof(*b->hashes));
	a->n = n;
	return 0;
}

/* Lines [0, at) here and [at, nlines) on another thread, each counting its
 * CRs: 1 when the text holds a lone CR, or no thread could be had (nothing
 * is kept: the caller parses it whole); 0 with the sections in *a; -1. */
static int parse_halves(ss_winini *ini, size_t at, part *a)
{
	const ss_text *t = ini->text;
	part b = {.ini = ini, .from = at, .to = t->nlines};
	*a = (part){.ini = ini, .from = 0, .to = at};
	ss_os_thread *thread;
	if (ss_os_thread_start(&thread, half_run, &b) < 0)
		return 1;
	half_run(a);
	ss_os_thread_join(thread);
	int r = a->oom || b.oom ? -1 : a->cr + b.cr != t->ncrlf ? 1 : 0;
	if (r == 0 && join_halves(a, &b) < 0)
		r = -1;
	part_free(&b);
	if (r != 0)
		part_free(a);
	return r;
}

int ss_winini_parse_at(ss_winini *ini, const ss_text *t, size_t at, ss_diag *d)
{
	memset(ini, 0, sizeof(*ini));
	ini->text = t;
	ini->nlines = t->nlines;
	part p = {.ini = ini, .from = 0, .to = t->nlines};
	int r = at > 0 && at < t->nlines ? parse_halves(ini, at, &p) : 1;
	if (r == 1) {
		r = split_lone_cr(ini) < 0 ? -1 : 0;
		p = (part){.ini = ini, .from = 0, .to = ini->nlines};
		if (r == 0)
			r = parse_part(&p);
	}
	if (r == 0)
		r = finish(ini, &p);
	part_free(&p);
	if (r < 0) {
		ss_winini_free(ini);
		return ss_diag_oom(d);
	}
	return 0;
}

int ss_winini_parse(ss_winini *ini, const ss_text *t, ss_diag *d)
{
	return ss_winini_parse_at(ini, t, t->nlines >= SPLIT_LINES ? t->nlines / 2 : 0, d);
}

void ss_winini_free(ss_winini *ini)
{
	free(ini->sections);
	free(ini->lines);
	memset(ini, 0, sizeof(*ini));
}

int ss_winini_key_is(const ss_winini *ini, const ss_winini_key *k, const char *name)
{
	return ss_key_eq(ini->text->data + k->name_start, k->name_len, name, strlen(name));
}

long ss_winini_find_section(const ss_winini *ini, const char *name, size_t len)
{
	for (size_t i = 0; i < ini->nsections; i++) {
		const ss_winini_section *s = &ini->sections[i];
		if (ss_key_eq(ini->text->data + s->name_start, s->name_len, name, len))
			return (long)s->first_of;
	}
	return -1;
}

int ss_winini_next_key_of(const ss_winini *ini, size_t section, size_t *cursor,
			  const uint64_t *first, ss_winini_key *k)
{
	const ss_winini_section *s = &ini->sections[section];
	const char *data = ini->text->data;
	size_t ln = *cursor ? *cursor : s->line + 1;
	/* Blank lines, comments and names of other first bytes are passed
	 * over here, without a call: most lines of a site, for a reader that
	 * wants a few names. */
	for (; ln <= s->last_line && ln < s->end_line; ln++) {
		ss_winini_line l = line_of(ini, ln);
		size_t start = l.start, end = l.start + l.len;
		while (start < end && is_trim(data[start]))
			start++;
		if (start == end || data[start] == ';' ||
		    !first_byte_in(first, (unsigned char)data[start]))
			continue;
		if (key_in(data, ln, start, end, k)) {
			*cursor = ln + 1;
			return 1;
		}
	}
	*cursor = ln;
	return 0;
}

int ss_winini_next_key(const ss_winini *ini, size_t section, size_t *cursor, ss_winini_key *k)
{
	return ss_winini_next_key_of(ini, section, cursor, NULL, k);
}

int ss_winini_find_key(const ss_winini *ini, size_t section, const char *name, ss_winini_key *k)
{
	size_t cursor = 0;
	while (ss_winini_next_key(ini, section, &cursor, k))
		if (ss_winini_key_is(ini, k, name))
			return 1;
	return 0;
}

/* --- a few keys of every section, found in one pass --- */

static int found_section(ss_winini_found *f, size_t name_start, size_t name_len)
{
	if (ss_array_room(&f->sections, &f->section_cap, f->nsections, sizeof(*f->sections)) < 0)
		return -1;
	f->sections[f->nsections++] =
	    (ss_winini_found_section){(uint32_t)name_start, (uint32_t)name_len, (uint32_t)f->nkeys};
	return 0;
}

static int found_key(ss_winini_found *f, const ss_winini_key *k, size_t line)
{
	if (ss_array_room(&f->keys, &f->key_cap, f->nkeys, sizeof(*f->keys)) < 0)
		return -1;
	f->keys[f->nkeys++] = (ss_winini_found_key){
	    (uint32_t)line,	   (uint32_t)k->line,	     (uint32_t)k->name_start,
	    (uint32_t)k->name_len, (uint32_t)k->value_start, (uint32_t)k->value_len};
	return 0;
}

static void found_empty(ss_winini_found *f)
{
	f->nsections = f->nkeys = f->lf_lines = f->lines = 0;
}

int ss_winini_found_of(ss_winini_found *f, const ss_winini *ini, const uint64_t *first)
{
	const ss_text *t = ini->text;
	found_empty(f);
	for (size_t i = 0; i < ini->nsections; i++) {
		const ss_winini_section *s = &ini->sections[i];
		if (found_section(f, s->name_start, s->name_len) < 0)
			return -1;
		size_t cursor = 0;
		ss_winini_key k;
		while (ss_winini_next_key_of(ini, i, &cursor, first, &k))
			if (found_key(f, &k,
				      ini->lines ? ss_text_line_at(t, k.name_start) : k.line) < 0)
				return -1;
	}
	f->lf_lines = t->nlines;
	f->lines = ini->nlines;
	return 0;
}

/* Line ln, its content data[start, end) (its ending not included), as
 * parse_part and ss_winini_next_key_of see it: a header opens a section,
 * a key of a first byte asked for is kept. */
static int find_in_line(ss_winini_found *f, const char *data, size_t start, size_t end, size_t ln,
			const uint64_t *first)
{
	while (start < end && is_trim(data[start]))
		start++;
	if (start == end)
		return 0;
	size_t name_start, name_len;
	if (header_in(data, start, end, &name_start, &name_len))
		return found_section(f, name_start, name_len);
	ss_winini_key k;
	if (!f->nsections || data[start] == ';' ||
	    !first_byte_in(first, (unsigned char)data[start]) || !key_in(data, ln, start, end, &k))
		return 0;
	return found_key(f, &k, ln);
}

/* Whether line [start, end) can hold what find_in_line looks for: a
 * header, or a key of a first byte asked for (a blank first: trimmed
 * there). Most lines of a site hold neither, and are passed over here
 * without the call (its entry and exit were a third of its cost). */
static int may_hold(const char *data, size_t start, size_t end, const uint64_t *first)
{
	unsigned char c = (unsigned char)data[start];
	return start < end && (c <= ' ' || c == '[' || first_byte_in(first, c));
}

/* Where find_by_lines is. */
typedef struct line_walk {
	size_t ln, start;
	int cr_last; /* the last byte looked at is a CR */
	int lone_cr; /* a CR no LF follows was seen */
} line_walk;

/* The lines ended by the LFs `lf` of the 64 bytes at data[at], whose CRs
 * are `cr`. A CR whose next byte is no LF is a lone one (the last
 * byte's next is the next block's first). */
static int lines_of_block(ss_winini_found *f, const char *data, size_t at, uint64_t lf, uint64_t cr,
			  const uint64_t *first, line_walk *w)
{
	w->lone_cr |= (w->cr_last && !(lf & 1)) || (cr & ~(lf >> 1) & ~(1ULL << 63)) != 0;
	w->cr_last = (int)(cr >> 63);
	for (; lf; lf &= lf - 1) {
		size_t end = at + (size_t)__builtin_ctzll(lf);
		if (may_hold(data, w->start, end, first) &&
		    find_in_line(f, data, w->start, end, w->ln, first) < 0)
			return -1;
		w->ln++;
		w->start = end + 1;
	}
	return 0;
}

/* The bytes after the blocks, data[i, len), one by one. */
static int lines_of_tail(ss_winini_found *f, const char *data, size_t i, size_t len,
			 const uint64_t *first, line_walk *w)
{
	for (; i < len; i++) {
		w->lone_cr |= w->cr_last && data[i] != '\n';
		w->cr_last = data[i] == '\r';
		if (data[i] != '\n')
			continue;
		if (find_in_line(f, data, w->start, i, w->ln++, first) < 0)
			return -1;
		w->start = i + 1;
	}
	w->lone_cr |= w->cr_last; /* a CR that ends the text */
	if (w->start < len && find_in_line(f, data, w->start, len, w->ln++, first) < 0)
		return -1;
	return 0;
}

/* The text's lines, split at LF (TStringList's too when it holds no CR
 * alone: *lone_cr says whether it does). 64 bytes at a time, each LF and
 * CR a bit of a mask (ss_os_eol_next). A CR LF's CR is left on its line:
 * trimmed as a blank, it changes nothing. */
static int find_by_lines(ss_winini_found *f, const char *data, size_t len, const uint64_t *first,
			 int *lone_cr)
{
	line_walk w = {0};
	size_t i = 0;
	uint64_t lf_bits[SS_OS_EOL_BATCH], cr_bits[SS_OS_EOL_BATCH];
	for (size_t n; (n = ss_os_eol_next(data, len, i, lf_bits, cr_bits)) != 0;)
		for (size_t k = 0; k < n; k++, i += SS_OS_EOL_BLOCK)
			if (lines_of_block(f, data, i, lf_bits[k], cr_bits[k], first, &w) < 0)
				return -1;
	if (lines_of_tail(f, data, i, len, first, &w) < 0)
		return -1;
	f->lf_lines = f->lines = w.ln;
	*lone_cr = w.lone_cr;
	return 0;
}

/* The data indexed whole (a CR alone, a byte order mark), in a copy. */
static int find_by_index(ss_winini_found *f, const char *data, size_t len, const uint64_t *first)
{
	ss_buf copy = SS_BUF_INIT;
	ss_text t;
	ss_diag d = SS_DIAG_INIT;
	if (ss_buf_add(&copy, data, len) < 0) {
		ss_buf_release(&copy);
		return -1;
	}
	if (ss_text_take_bytes(&t, "", SS_ENC_BYTES, &copy, &d) < 0) {
		ss_diag_clear(&d);
		return -1;
	}
	ss_winini ini;
	int r = ss_winini_parse_at(&ini, &t, 0, &d);
	if (r == 0) {
		r = ss_winini_found_of(f, &ini, first);
		ss_winini_free(&ini);
	}
	ss_diag_clear(&d);
	ss_text_free(&t);
	return r;
}

int ss_winini_find_keys(ss_winini_found *f, const char *data, size_t len, const uint64_t *first)
{
	found_empty(f);
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		return find_by_index(f, data, len, first);
	int lone_cr;
	if (find_by_lines(f, data, len, first, &lone_cr) < 0)
		return -1;
	/* A CR alone (as split_lone_cr tells: a CR more than the CR LF
	 * endings): TStringList's lines are not the text's. */
	if (!lone_cr)
		return 0;
	found_empty(f);
	return find_by_index(f, data, len, first);
}

void ss_winini_found_free(ss_winini_found *f)
{
	free(f->sections);
	free(f->keys);
	memset(f, 0, sizeof(*f));
}

int ss_winini_set_value(const ss_winini *ini, ss_edits *e, const ss_winini_key *k,
			const char *value, ss_diag *d)
{
	(void)ini;
	if (ss_edits_replace(e, k->value_start, k->value_start + k->value_len, value,
			     strlen(value)) < 0)
		return ss_diag_oom(d);
	return 0;
}

int ss_winini_kv_lines(const ss_winini *ini, ss_buf *b, const ss_winini_kv *kv, size_t n)
{
	const char *eol = ss_text_eol_string(ini->text);
	int r = 0;
	/* No printf: a 100,000-site apply adds these lines 100,000 times. */
	for (size_t i = 0; i < n; i++) {
		r |= ss_buf_adds(b, kv[i].name);
		r |= ss_buf_addc(b, '=');
		r |= ss_buf_adds(b, kv[i].value);
		r |= ss_buf_adds(b, eol);
	}
	return r;
}

/* Appends whole lines at the end of the file. A CR alone at its end ends
 * its last line to TStringList as an LF would, so the lines come right
 * after it: an LF put there would make it a CR LF, and a file that starts
 * 'WINE REGISTRY Version 2' and a CR Wine's registry file. */
static int append_lines(const ss_text *t, ss_edits *e, const char *lines, size_t len)
{
	if (t->len && t->data[t->len - 1] == '\r')
		return ss_edits_insert(e, t->len, lines, len);
	return ss_edits_append(e, t, lines, len);
}

int ss_winini_insert_lines(const ss_winini *ini, ss_edits *e, size_t section, const char *lines,
			   size_t len, ss_diag *d)
{
	if (len == 0)
		return 0;
	size_t next = ini->sections[section].last_line + 1;
	int r = next < ini->nlines ? ss_edits_insert(e, line_of(ini, next).start, lines, len)
				   : append_lines(ini->text, e, lines, len);
	return r < 0 ? ss_diag_oom(d) : 0;
}

int ss_winini_insert_keys(const ss_winini *ini, ss_edits *e, size_t section, const ss_winini_kv *kv,
			  size_t n, ss_diag *d)
{
	ss_buf b = SS_BUF_INIT;
	int r = ss_winini_kv_lines(ini, &b, kv, n) < 0
		    ? ss_diag_oom(d)
		    : ss_winini_insert_lines(ini, e, section, b.data, b.len, d);
	ss_buf_release(&b);
	return r;
}

int ss_winini_delete_key(const ss_winini *ini, ss_edits *e, const ss_winini_key *k, ss_diag *d)
{
	ss_winini_line l = line_of(ini, k->line);
	if (ss_edits_delete(e, l.start, l.end) < 0)
		return ss_diag_oom(d);
	return 0;
}

static int last_line_blank(const ss_winini *ini)
{
	const ss_text *t = ini->text;
	if (ini->nlines == 0)
		return 1;
	ss_winini_line l = line_of(ini, ini->nlines - 1);
	size_t start = l.start, len = l.len;
	trim(t->data, &start, &len);
	return len == 0;
}

int ss_winini_append_section(const ss_winini *ini, ss_edits *e, const char *name,
			     const ss_winini_kv *kv, size_t n, ss_diag *d)
{
	const ss_text *t = ini->text;
	const char *eol = ss_text_eol_string(t);
	ss_buf b = SS_BUF_INIT;
	int r = 0;
	/* WinSCP separates sections with a blank line. */
	if (!last_line_blank(ini))
		r |= ss_buf_adds(&b, eol);
	r |= ss_buf_addf(&b, "[%s]%s", name, eol);
	r |= ss_winini_kv_lines(ini, &b, kv, n);
	if (r == 0)
		r = append_lines(t, e, b.data, b.len);
	ss_buf_release(&b);
	return r < 0 ? ss_diag_oom(d) : 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ss_winini_parse_int(const char *s, size_t len, long *out)
{
	/* Most values: a few decimal digits, nothing else. */
	if (len && len <= 9) {
		long v = 0;
		size_t j = 0;
		while (j < len && s[j] >= '0' && s[j] <= '9')
			v = v * 10 + (s[j++] - '0');
		if (j == len) {
			*out = v;
			return 0;
		}
	}
	size_t i = 0;
	int neg = 0;
	/* Val skips leading blanks; a trimmed value has none, a registry
	 * string might. */
	while (i < len && s[i] == ' ')
		i++;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	int hex = 0;
	if (i < len && (s[i] == '$' || s[i] == 'x' || s[i] == 'X')) {
		hex = 1;
		i++;
	} else if (i + 1 < len && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		hex = 1;
		i += 2;
	}
	if (i == len)
		return -1;
	uint64_t v = 0;
	for (; i < len; i++) {
		int dg = hex ? hex_digit(s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
		if (dg < 0)
			return -1;
		v = v * (hex ? 16 : 10) + (uint64_t)dg;
		if (v > 0xFFFFFFFFULL)
			return -1;
	}
	long r;
	if (hex) {
		/* Hex fills 32 bits like a DWORD: $FFFFFFFF is -1. */
		r = (long)(int32_t)(uint32_t)v;
	} else {
		if (v > (neg ? 2147483648ULL : 2147483647ULL))
			return -1;
		r = (long)v;
	}
	*out = neg ? -r : r;
	return 0;
}

/* A byte no text file holds: C0 controls but tab, LF, CR and the SUB that
 * old editors leave at the end. */
static int binary_byte(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != 0x1A) || c == 0x7F;
}

const char *ss_winini_misfit(const char *data, size_t len, size_t *offset)
{
	for (size_t i = 0; i < len; i++) {
		if (binary_byte((unsigned char)data[i])) {
			*offset = i;
			return "binary data, not an INI file";
		}
	}
	int in_section = 0;
	size_t i = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	while (i < len) {
		/* Lines end at LF, CR LF or a CR alone (TStringList). */
		size_t end = i;
		while (end < len && data[end] != '\n' && data[end] != '\r')
			end++;
		size_t start = i, n = end - i;
		i = end < len && data[end] == '\r' && end + 1 < len && data[end + 1] == '\n'
			? end + 2
			: end + 1;
		trim(data, &start, &n);
		const char *s = data + start;
		if (n == 0 || s[0] == ';')
			continue;
		if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
			in_section = 1;
			continue;
		}
		if (in_section && memchr(s, '=', n))
			continue;
		*offset = start;
		return in_section ? "a line that is neither [section] nor key=value"
				  : "a line before the first [section]";
	}
	return NULL;
}
