/* The edit list: byte-range replacements, rendering and unified diffs. */
#include "sshsync/edit.h"

#include <stdlib.h>
#include <string.h>

/* A block of replacement texts. */
typedef struct ss_edit_block {
	struct ss_edit_block *next;
	size_t used, size;
	char data[];
} ss_edit_block;

/* Blocks double from BLOCK_FIRST to BLOCK_SIZE: a list of a few edits
 * stays small (a folder of 2,000 session files, each with its own list,
 * took 32 MiB of blocks of BLOCK_SIZE). */
enum { BLOCK_FIRST = 64, BLOCK_SIZE = 16384 };

/* A copy of s[0..len) (NUL-terminated) among the edit list's texts. */
static char *keep_text(ss_edits *e, const char *s, size_t len)
{
	ss_edit_block *b = e->blocks;
	if (!b || b->size - b->used < len + 1) {
		size_t step = !b			 ? BLOCK_FIRST
			      : b->size < BLOCK_SIZE / 2 ? b->size * 2
							 : BLOCK_SIZE;
		size_t size = len + 1 > step ? len + 1 : step;
		ss_edit_block *nb = malloc(sizeof(*nb) + size);
		if (!nb)
			return NULL;
		nb->used = 0;
		nb->size = size;
		if (b && size > BLOCK_SIZE) {
			/* A long text has a block of its own, after the current one. */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			e->blocks = nb;
		}
		b = nb;
	}
	char *p = b->data + b->used;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	b->used += len + 1;
	return p;
}

/* The text of one of the last few edits when it is the same: an apply
 * adds the same lines to 100,000 sessions, and they are kept once (the
 * texts are never changed once added). */
static char *same_text(const ss_edits *e, const char *s, size_t len)
{
	for (size_t i = e->n, k = 0; i > 0 && k < 4; i--, k++) {
		const ss_edit *x = ss_edits_at(e, i - 1);
		if (x->repl_len == len && memcmp(x->repl, s, len) == 0)
			return x->repl;
	}
	return NULL;
}

/* Room for one more edit: the first segment doubles from 4 up to
 * SS_EDITS_SEG edits (a list of a few edits stays small: a session file's
 * has two or three, and a folder of thousands has as many lists), then
 * whole segments come. */
static int grow_edits(ss_edits *e)
{
	if (e->nseg == e->segcap) {
		size_t segcap = e->segcap ? e->segcap * 2 : 4;
		ss_edit **seg = realloc(e->seg, segcap * sizeof(*seg));
		if (!seg)
			return -1;
		e->seg = seg;
		e->segcap = segcap;
	}
	if (e->cap < SS_EDITS_SEG) {
		size_t cap = e->cap ? e->cap * 2 : 4;
		ss_edit *first = realloc(e->nseg ? e->seg[0] : NULL, cap * sizeof(*first));
		if (!first)
			return -1;
		e->seg[0] = first;
		e->nseg = 1;
		e->cap = cap;
		return 0;
	}
	ss_edit *seg = malloc(SS_EDITS_SEG * sizeof(*seg));
	if (!seg)
		return -1;
	e->seg[e->nseg++] = seg;
	e->cap += SS_EDITS_SEG;
	return 0;
}

/* ss_edits_at, writable (e is the caller's own list). */
static ss_edit *edit_slot(ss_edits *e, size_t i)
{
	return (ss_edit *)ss_edits_at(e, i);
}

static int add_edit_at(ss_edits *e, size_t start, size_t end, const char *s, size_t len, int order)
{
	if (end < start || end > SS_TEXT_MAX || len > UINT32_MAX || e->n >= SS_EDITS_MAX)
		return -1;
	if (e->n == e->cap && grow_edits(e) < 0)
		return -1;
	char *copy = same_text(e, s ? s : "", len);
	if (!copy && !(copy = keep_text(e, s ? s : "", len)))
		return -1;
	*edit_slot(e, e->n) = (ss_edit){(uint32_t)start, (uint32_t)end,	 copy,
					(uint32_t)len,	 (uint32_t)e->n, (uint32_t)order};
	e->n++;
	return 0;
}

static int add_edit(ss_edits *e, size_t start, size_t end, const char *s, size_t len)
{
	return add_edit_at(e, start, end, s, len, SS_EDIT_USUAL);
}

int ss_edits_replace(ss_edits *e, size_t start, size_t end, const char *s, size_t len)
{
	return add_edit(e, start, end, s, len);
}

int ss_edits_insert(ss_edits *e, size_t at, const char *s, size_t len)
{
	return add_edit(e, at, at, s, len);
}

int ss_edits_insert_late(ss_edits *e, size_t at, const char *s, size_t len)
{
	return add_edit_at(e, at, at, s, len, SS_EDIT_LATE);
}

int ss_edits_insert_early(ss_edits *e, size_t at, const char *s, size_t len)
{
	return add_edit_at(e, at, at, s, len, SS_EDIT_EARLY);
}

int ss_edits_delete(ss_edits *e, size_t start, size_t end)
{
	return add_edit(e, start, end, "", 0);
}

int ss_edits_delete_line(ss_edits *e, const ss_text *t, size_t line)
{
	if (line >= t->nlines)
		return -1;
	return ss_edits_delete(e, t->lines[line], ss_text_line_stop(t, line));
}

int ss_edits_append(ss_edits *e, const ss_text *t, const char *lines, size_t len)
{
	if (!(t->nlines && ss_text_line(t, t->nlines - 1).eol == SS_EOL_NONE))
		return add_edit_at(e, t->len, t->len, lines, len, SS_EDIT_APPENDED);
	/* "last" becomes "last\nnew" rather than "last\nnew\n". */
	size_t n = len;
	if (n && lines[n - 1] == '\n')
		n -= n >= 2 && lines[n - 2] == '\r' ? 2 : 1;
	ss_buf b = SS_BUF_INIT;
	int r = ss_buf_adds(&b, ss_text_eol_string(t));
	r |= ss_buf_add(&b, lines, n);
	if (r == 0)
		r = add_edit_at(e, t->len, t->len, ss_buf_str(&b), b.len, SS_EDIT_APPENDED);
	ss_buf_release(&b);
	return r;
}

int ss_edits_insert_line(ss_edits *e, const ss_text *t, size_t line, const char *content)
{
	ss_buf b = SS_BUF_INIT;
	int r = ss_buf_adds(&b, content);
	r |= ss_buf_adds(&b, ss_text_eol_string(t));
	if (r == 0)
		r = line < t->nlines ? ss_edits_insert(e, t->lines[line], ss_buf_str(&b), b.len)
				     : ss_edits_append(e, t, ss_buf_str(&b), b.len);
	ss_buf_release(&b);
	return r;
}

void ss_edits_free(ss_edits *e)
{
	while (e->blocks) {
		ss_edit_block *next = e->blocks->next;
		free(e->blocks);
		e->blocks = next;
	}
	for (size_t i = 0; i < e->nseg; i++)
		free(e->seg[i]);
	free(e->seg);
	*e = (ss_edits)SS_EDITS_INIT;
}

/* A list's only segment, when smaller, made the size of a whole one. */
static int whole_first(ss_edits *e)
{
	if (e->nseg == 0 || e->cap >= SS_EDITS_SEG)
		return 0;
	ss_edit *first = realloc(e->seg[0], SS_EDITS_SEG * sizeof(*first));
	if (!first)
		return -1;
	e->seg[0] = first;
	e->cap = SS_EDITS_SEG;
	return 0;
}

int ss_edits_take(ss_edits *to, ss_edits *from)
{
	if (from->n > SS_EDITS_MAX - to->n)
		return -1;
	size_t nseg = to->nseg + from->nseg;
	if (whole_first(to) < 0 || whole_first(from) < 0)
		return -1;
	if (nseg > to->segcap) {
		ss_edit **seg = realloc(to->seg, nseg * sizeof(*seg));
		if (!seg)
			return -1;
		to->seg = seg;
		to->segcap = nseg;
	}
	/* The segments of `from` follow those of `to`, and each edit moves
	 * back to right after the one before: onto one already moved, never
	 * onto one still to move. No edit list is held twice. */
	if (from->nseg)
		memcpy(to->seg + to->nseg, from->seg, from->nseg * sizeof(*to->seg));
	size_t first = to->nseg * SS_EDITS_SEG, gap = first - to->n;
	for (size_t i = 0; i < from->n; i++) {
		ss_edit *x = edit_slot(to, to->n + i);
		if (gap)
			*x = *edit_slot(to, first + i);
		x->seq = (uint32_t)(to->n + i);
	}
	to->n += from->n;
	size_t keep = (to->n + SS_EDITS_SEG - 1) >> SS_EDITS_SEG_SHIFT;
	for (size_t k = keep; k < nseg; k++)
		free(to->seg[k]);
	to->nseg = keep;
	to->cap = keep << SS_EDITS_SEG_SHIFT;
	/* The texts' blocks go behind the current one of `to`, which goes on
	 * taking the texts of later edits. */
	if (from->blocks) {
		ss_edit_block *last = from->blocks;
		while (last->next)
			last = last->next;
		if (to->blocks) {
			last->next = to->blocks->next;
			to->blocks->next = from->blocks;
		} else {
			to->blocks = from->blocks;
		}
		from->blocks = NULL;
	}
	free(from->seg);
	*from = (ss_edits)SS_EDITS_INIT;
	return 0;
}

static int cmp_edit(const void *a, const void *b)
{
	const ss_edit *x = *(const ss_edit *const *)a, *y = *(const ss_edit *const *)b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* At one position, inserts come before a replacement that starts there,
	 * and new lines at the end come last. */
	if ((x->end == x->start) != (y->end == y->start))
		return x->end == x->start ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts v[0..n) by cmp_edit. Edits come nearly in order (a store plans
 * them front to back, a few out of order within one session: a 100,000-
 * site apply makes 300,000), so insertion sort, which costs their number
 * plus how far each one moves; past a budget of moves (a list in no
 * particular order) qsort takes the rest. */
static void sort_edits(const ss_edit **v, size_t n)
{
	size_t moves = 0, budget = 8 * n + 64;
	for (size_t i = 1; i < n; i++) {
		const ss_edit *x = v[i];
		size_t j = i;
		for (; j > 0 && cmp_edit(&v[j - 1], &x) > 0 && moves < budget; j--, moves++)
			v[j] = v[j - 1];
		v[j] = x;
		if (moves == budget) {
			qsort(v, n, sizeof(*v), cmp_edit);
			return;
		}
	}
}

/* The edits in order of position (pointers: a large edit list is not
 * copied), checked for overlaps. */
static const ss_edit **sorted_edits(const ss_text *t, const ss_edits *e, ss_diag *d)
{
	const ss_edit **v = malloc((e->n ? e->n : 1) * sizeof(*v));
	if (!v) {
		ss_diag_oom(d);
		return NULL;
	}
	for (size_t i = 0; i < e->n; i++)
		v[i] = ss_edits_at(e, i);
	sort_edits(v, e->n);
	for (size_t i = 0; i < e->n; i++) {
		if (v[i]->end > t->len || (i && v[i]->start < v[i - 1]->end)) {
			free(v);
			ss_diag_set(d, t->path, 0, 0, "internal error: overlapping edits");
			return NULL;
		}
	}
	return v;
}

/* Applies the sorted edits that lie within [from, to) to that range. */
static int render_range(const ss_text *t, const ss_edit *const *v, size_t n, size_t from, size_t to,
			ss_buf *out)
{
	size_t pos = from;
	for (size_t i = 0; i < n; i++) {
		if (v[i]->start < from || v[i]->start > to || (v[i]->start == to && v[i]->end > to))
			continue;
		if (ss_buf_add(out, t->data + pos, v[i]->start - pos) < 0 ||
		    ss_buf_add(out, v[i]->repl, v[i]->repl_len) < 0)
			return -1;
		pos = v[i]->end;
	}
	return ss_buf_add(out, t->data + pos, to - pos);
}

int ss_edits_render(const ss_text *t, const ss_edits *e, ss_buf *out, ss_diag *d)
{
	const ss_edit **v = sorted_edits(t, e, d);
	if (!v)
		return -1;
	int r = render_range(t, v, e->n, 0, t->len, out);
	free(v);
	return r < 0 ? ss_diag_oom(d) : 0;
}

/* --- rendering in pieces --- */

typedef ss_chunker chunker;

/* Passes on every whole piece (with `all`, the rest too). */
static int chunk_flush(chunker *c, int all)
{
	size_t done = 0;
	while (c->buf.len - done >= SS_CHUNK_SIZE || (all && done < c->buf.len)) {
		size_t n = c->buf.len - done < SS_CHUNK_SIZE ? c->buf.len - done : SS_CHUNK_SIZE;
		if (c->out->put(c->out->ctx, c->buf.data + done, n, c->d) < 0)
			return -1;
		done += n;
	}
	if (done) {
		memmove(c->buf.data, c->buf.data + done, c->buf.len - done);
		c->buf.len -= done;
	}
	return 0;
}

/* Bytes as they are: straight from `data` when whole pieces can go. */
static int chunk_bytes(chunker *c, const char *data, size_t len)
{
	while (len) {
		if (c->buf.len == 0 && len >= SS_CHUNK_SIZE) {
			if (c->out->put(c->out->ctx, data, SS_CHUNK_SIZE, c->d) < 0)
				return -1;
			data += SS_CHUNK_SIZE;
			len -= SS_CHUNK_SIZE;
			continue;
		}
		size_t n = SS_CHUNK_SIZE - c->buf.len;
		n = n < len ? n : len;
		if (ss_buf_add(&c->buf, data, n) < 0)
			return ss_diag_oom(c->d);
		data += n;
		len -= n;
		if (chunk_flush(c, 0) < 0)
			return -1;
	}
	return 0;
}

/* Decoded text, encoded as the file is, half a piece of text at a time
 * (never cut inside a UTF-8 sequence). */
static int chunk_text(chunker *c, const ss_text *t, const char *data, size_t len)
{
	if (t->enc == SS_ENC_BYTES)
		return chunk_bytes(c, data, len);
	while (len) {
		size_t n = len;
		if (n > SS_CHUNK_SIZE / 2) {
			n = SS_CHUNK_SIZE / 2;
			while (n > 1 && ((unsigned char)data[n] & 0xC0) == 0x80)
				n--;
		}
		if (ss_text_encode_append(t, data, n, &c->buf, c->d) < 0 || chunk_flush(c, 0) < 0)
			return -1;
		data += n;
		len -= n;
	}
	return 0;
}

int ss_chunker_text(ss_chunker *c, const ss_text *t, const char *data, size_t len)
{
	return chunk_text(c, t, data, len);
}

int ss_chunker_flush(ss_chunker *c, int all)
{
	return chunk_flush(c, all);
}

static int emit_text(chunker *c, const ss_text *t, const ss_edits *e)
{
	const ss_edit **v = NULL;
	size_t n = e ? e->n : 0;
	if (e && !(v = sorted_edits(t, e, c->d)))
		return -1;
	int r = 0;
	if (t->enc == SS_ENC_UTF16LE && ss_buf_add(&c->buf, "\xFF\xFE", 2) < 0)
		r = ss_diag_oom(c->d);
	size_t pos = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		r = chunk_text(c, t, t->data + pos, v[i]->start - pos);
		if (r == 0)
			r = chunk_text(c, t, v[i]->repl, v[i]->repl_len);
		pos = v[i]->end;
	}
	if (r == 0)
		r = chunk_text(c, t, t->data + pos, t->len - pos);
	free(v);
	return r;
}

/* What a reader reads, from its start, a piece at a time. */
static int emit_read(chunker *c, const ss_reader *rd)
{
	char *piece = malloc(SS_CHUNK_SIZE);
	if (!piece)
		return ss_diag_oom(c->d);
	int r = rd->rewind(rd->ctx, c->d);
	while (r == 0) {
		long long n = rd->read(rd->ctx, piece, SS_CHUNK_SIZE, c->d);
		if (n <= 0) {
			r = n < 0 ? -1 : 0;
			break;
		}
		r = chunk_bytes(c, piece, (size_t)n);
	}
	free(piece);
	return r;
}

int ss_source_emit(const ss_source *src, const ss_sink *out, ss_diag *d)
{
	chunker c = {SS_BUF_INIT, out, d};
	int r = src->text     ? emit_text(&c, src->text, src->edits)
		: src->reader ? emit_read(&c, src->reader)
			      : chunk_bytes(&c, src->bytes, src->len);
	if (r == 0)
		r = chunk_flush(&c, 1);
	ss_buf_release(&c.buf);
	return r;
}

int ss_sink_buf_put(void *ctx, const void *data, size_t len, ss_diag *d)
{
	return ss_buf_add(ctx, data, len) < 0 ? ss_diag_oom(d) : 0;
}

int ss_edits_render_file(const ss_text *t, const ss_edits *e, ss_buf *out, ss_diag *d)
{
	/* The exact size for byte files, and for ASCII in UTF-16: the output
	 * is never reallocated (and never held twice) on the way. */
	size_t n = t->len;
	for (size_t i = 0; i < e->n; i++) {
		const ss_edit *x = ss_edits_at(e, i);
		n = n - (x->end - x->start) + x->repl_len;
	}
	if (ss_buf_grow(out, t->enc == SS_ENC_UTF16LE ? 2 * n + 2 : n) < 0)
		return ss_diag_oom(d);
	ss_source src = {t, e, NULL, 0, NULL};
	ss_sink sink = {ss_sink_buf_put, out};
	return ss_source_emit(&src, &sink, d);
}

int ss_edits_change_anything(const ss_text *t, const ss_edits *e)
{
	for (size_t i = 0; i < e->n; i++) {
		const ss_edit *x = ss_edits_at(e, i);
		if (x->end - x->start != x->repl_len ||
		    memcmp(t->data + x->start, x->repl, x->repl_len) != 0)
			return 1;
	}
	return 0;
}

/* --- unified diff --- */

enum { CONTEXT = 3 };

/* A run of whole old lines [first, last) that the edits in [ei, ej) change. */
typedef struct region {
	size_t first, last;
	size_t ei, ej;
} region;

static size_t line_start(const ss_text *t, size_t line)
{
	return line < t->nlines ? t->lines[line] : t->len;
}

/* The old lines [first, last) that edit x changes; its line is `from` or
 * after (the line of the edit before: they come in order). */
static void edit_lines(const ss_text *t, const ss_edit *x, size_t from, size_t *first, size_t *last)
{
	size_t l = ss_text_line_at_from(t, x->start, from);
	int pure_insert = x->start == x->end && x->start == line_start(t, l) && x->repl_len &&
			  x->repl[x->repl_len - 1] == '\n';
	if (pure_insert) {
		*first = *last = l;
		return;
	}
	*first = l;
	*last = (x->end > x->start ? ss_text_line_at_from(t, x->end - 1, l) : l) + 1;
	if (*last > t->nlines)
		*last = t->nlines;
	if (*first > *last)
		*first = *last;
}

static int emit_lines(ss_buf *out, char mark, const char *s, size_t len)
{
	size_t pos = 0;
	int r = 0;
	while (pos < len) {
		const char *nl = memchr(s + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - s) + 1 : len;
		r |= ss_buf_addc(out, mark);
		r |= ss_buf_add(out, s + pos, end - pos);
		if (!nl)
			r |= ss_buf_adds(out, "\n\\ No newline at end of file\n");
		pos = end;
	}
	return r;
}

static size_t count_lines(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n + (len && s[len - 1] != '\n');
}

/* The buffers a diff's hunks are made in, reused from hunk to hunk (a
 * 100,000-site apply has as many hunks). */
typedef struct hunk_bufs {
	ss_buf body, newtext;
} hunk_bufs;

/* " -START,COUNT" or " +START,COUNT" of a hunk's header, without printf
 * (two calls of vsnprintf a hunk were half of making such a diff). */
static int add_hunk_range(ss_buf *out, char sign, long long start, size_t count)
{
	return ss_buf_addc(out, ' ') < 0 || ss_buf_addc(out, sign) < 0 ||
		       ss_buf_add_lld(out, start) < 0 || ss_buf_addc(out, ',') < 0 ||
		       ss_buf_add_lld(out, (long long)count) < 0
		   ? -1
		   : 0;
}

/* One hunk of regions rg[0, nr), its new lines numbered `delta` from the
 * old; `*grown` gets what its regions add to that (new lines minus old). */
static int emit_hunk(const ss_text *t, const ss_edit *const *v, const region *rg, size_t nr,
		     long delta, hunk_bufs *h, ss_buf *out, long *grown)
{
	size_t from = rg[0].first >= CONTEXT ? rg[0].first - CONTEXT : 0;
	size_t to = rg[nr - 1].last + CONTEXT < t->nlines ? rg[nr - 1].last + CONTEXT : t->nlines;
	ss_buf *body = &h->body, *newtext = &h->newtext;
	size_t old_count = to - from, new_count = 0, pos = from;
	int r = 0;
	ss_buf_reset(body);
	*grown = 0;
	for (size_t i = 0; i < nr && !r; i++) {
		size_t a = line_start(t, pos), b = line_start(t, rg[i].first);
		r |= emit_lines(body, ' ', t->data + a, b - a);
		new_count += rg[i].first - pos;
		size_t c = line_start(t, rg[i].last);
		r |= emit_lines(body, '-', t->data + b, c - b);
		ss_buf_reset(newtext);
		r |= render_range(t, v + rg[i].ei, rg[i].ej - rg[i].ei, b, c, newtext);
		r |= emit_lines(body, '+', ss_buf_str(newtext), newtext->len);
		size_t added = count_lines(ss_buf_str(newtext), newtext->len);
		new_count += added;
		*grown += (long)added - (long)(rg[i].last - rg[i].first);
		pos = rg[i].last;
	}
	size_t a = line_start(t, pos), b = line_start(t, to);
	r |= emit_lines(body, ' ', t->data + a, b - a);
	new_count += to - pos;
	long new_from = (long)from + delta;
	r |= ss_buf_adds(out, "@@");
	r |= add_hunk_range(out, '-', (long long)(old_count ? from + 1 : from), old_count);
	r |= add_hunk_range(out, '+', (long long)(new_count ? new_from + 1 : new_from), new_count);
	r |= ss_buf_adds(out, " @@\n");
	r |= ss_buf_add(out, ss_buf_str(body), body->len);
	return r;
}

static void build_regions(const ss_text *t, const ss_edit *const *v, size_t n, region *rg,
			  size_t *nr)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		size_t first, last;
		edit_lines(t, v[i], k ? rg[k - 1].first : 0, &first, &last);
		/* Edits sharing or touching an old line form one region, so that
		 * neighbouring changed lines read as one block of - and +. */
		if (k && first <= rg[k - 1].last) {
			if (last > rg[k - 1].last)
				rg[k - 1].last = last;
			rg[k - 1].ej = i + 1;
			continue;
		}
		rg[k++] = (region){first, last, i, i + 1};
	}
	*nr = k;
}

/* Whether offset `at` of the text starts a character (or is its end). */
static int at_character(const ss_text *t, size_t at)
{
	return at >= t->len || ((unsigned char)t->data[at] & 0xC0) != 0x80;
}

/* Strict UTF-8 without a NUL. */
static int plain_utf8(const char *s, size_t len)
{
	return !len || (!memchr(s, '\0', len) && ss_utf8_valid(s, len));
}

int ss_edits_diff_plain(const ss_text *t, const ss_edits *e, const char *label)
{
	if (!plain_utf8(label, strlen(label)) || !plain_utf8(t->data, t->len))
		return 0;
	for (size_t i = 0; i < e->n; i++) {
		const ss_edit *x = ss_edits_at(e, i);
		if (!at_character(t, x->start) || !at_character(t, x->end) ||
		    !plain_utf8(x->repl, x->repl_len))
			return 0;
	}
	return 1;
}

int ss_sink_put_if_full(ss_buf *out, const ss_sink *to, ss_diag *d)
{
	if (!to || out->len < SS_CHUNK_SIZE)
		return 0;
	if (to->put(to->ctx, out->data, out->len, d) < 0)
		return -1;
	ss_buf_reset(out);
	return 0;
}

int ss_edits_diff(const ss_text *t, const ss_edits *e, const char *label, ss_buf *out, ss_diag *d)
{
	return ss_edits_diff_to(t, e, label, out, NULL, d);
}

int ss_edits_diff_to(const ss_text *t, const ss_edits *e, const char *label, ss_buf *out,
		     const ss_sink *flush, ss_diag *d)
{
	if (e->n == 0)
		return 0;
	const ss_edit **v = sorted_edits(t, e, d);
	if (!v)
		return -1;
	region *rg = malloc(e->n * sizeof(*rg));
	hunk_bufs h = {SS_BUF_INIT, SS_BUF_INIT};
	size_t nr = 0;
	int r = 0;
	if (!rg) {
		r = ss_diag_oom(d);
		goto done;
	}
	build_regions(t, v, e->n, rg, &nr);
	if (ss_buf_addf(out, "--- a/%s\n+++ b/%s\n", label, label) < 0) {
		r = ss_diag_oom(d);
		goto done;
	}
	long delta = 0;
	for (size_t i = 0; i < nr;) {
		size_t j = i + 1;
		while (j < nr && rg[j].first <= rg[j - 1].last + 2 * CONTEXT)
			j++;
		long grown = 0;
		if (emit_hunk(t, v, rg + i, j - i, delta, &h, out, &grown) < 0) {
			r = ss_diag_oom(d);
			goto done;
		}
		delta += grown;
		/* A hunk ends a line: what goes out is whole lines. */
		if (ss_sink_put_if_full(out, flush, d) < 0) {
			r = -1;
			goto done;
		}
		i = j;
	}
done:
	ss_buf_release(&h.body);
	ss_buf_release(&h.newtext);
	free(rg);
	free(v);
	return r;
}
