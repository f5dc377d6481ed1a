/* storage backend: a .reg file read piece by piece for the values an
 * audit asks for (ss_storage_open_asked), never held whole.
 *
 * The file is read (a UTF-16 export decoded as it arrives) into pieces of
 * at least st->pieces.piece bytes of text, each cut before a [KEY] line
 * that follows a blank line, where no value of the piece before can go
 * on, and checked and indexed by store/regfile as a text of its own: every
 * rule of the format stays in one place, and each error is the one a
 * whole read gives, at the same line and column. Of each session key
 * only what its blocks leave of the values asked for is kept, block after
 * block as an import applies them (a [-KEY] forgetting what came before, a
 * "name"=- deleting); the piece is then dropped. A large file is read in
 * two halves at once, the second from such a [KEY] line past its middle,
 * and joined: the second half's blocks applied after the first's, its
 * lines counted on from the first's.
 *
 * An 80 MB export read whole took 40 MiB of text, the zeroing of that
 * fresh memory most of its audit's time, and a third of a second at
 * worst on this kind of machine; pieces of 64 KiB are the same memory
 * over and over (below the 128 KiB from which glibc maps and unmaps
 * memory of its own for each, which makes both processors flush their
 * address caches). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "regfile_sessions.h"
#include "sshsync/keyindex.h"
#include "sshsync/regfile.h"

/* Bytes read at a time, and a piece's text: with a UTF-16 read's room
 * for its decoding, a piece stays below 128 KiB. */
enum { READ = 32 * 1024 };
#define PIECE ((size_t)64 << 10)
#define SPLIT ((uint64_t)4 << 20)
/* Bytes of a value's data kept for messages (storage_shown shows 40). */
enum { SHOWN = 40 };

/* What a key's blocks so far leave of a value asked for. */
enum { UNTOUCHED, HAS, HASNOT };

typedef struct rval {
	unsigned char state;
	ss_regtype type;
	uint32_t dword;
	const char *name; /* unescaped, in the arena */
	const char *text; /* a string's text, unescaped; else NULL */
	const char *data; /* as written: its first SHOWN bytes */
	size_t dlen;	  /* its whole length */
	uint64_t line;	  /* the file's 0-based line */
} rval;

/* A session key, with its blocks' values. */
typedef struct rkey {
	const char *path; /* as its first block writes it, in the arena */
	size_t plen;
	size_t name_at; /* where its session name starts in path */
	uint32_t hash;
	int last_deleted; /* its last block so far is a [-KEY] */
	rval *v;	  /* one per name asked */
} rkey;

typedef struct half {
	const ss_storage *st;
	const ss_text_file *f;
	ss_encoding enc;
	uint64_t from, to; /* the bytes read: [from, to), to UINT64_MAX: to the end */
	int first;	   /* it starts the file: its first piece has the header */
	rkey *keys;	   /* in the order of their first blocks */
	size_t n, cap;
	uint64_t *slot; /* keys by path: hash << 32 | index, EMPTY */
	size_t nslot;
	ss_arena arena;	   /* paths, values' names, texts and data */
	uint64_t lf_lines; /* lines before the piece being read */
	unsigned char *chunk;
	size_t kept;	/* UTF-16: bytes of chunk kept back (half a pair) */
	ss_regvalue *x; /* a block's values (per name asked) */
	unsigned char *found;
	ss_buf scratch;
	ss_diag d;
	int failed;
} half;

typedef struct askpriv {
	rkey *keys;
	size_t n;
	ss_arena arena;
} askpriv;

/* --- keys by path --- */

#define EMPTY STORAGE_SLOT_EMPTY

static uint32_t path_hash(const char *path, size_t len)
{
	return (uint32_t)(ss_key_hash(path, len) >> 32);
}

static size_t slot_of(const half *h, const char *path, size_t len, uint32_t hash)
{
	size_t mask = h->nslot - 1, i = hash & mask;
	for (; h->slot[i] != EMPTY; i = (i + 1) & mask) {
		const rkey *k = &h->keys[(uint32_t)h->slot[i]];
		if ((uint32_t)(h->slot[i] >> 32) == hash && ss_key_eq(k->path, k->plen, path, len))
			break;
	}
	return i;
}

/* Room in the table for one more key. */
static int slots_room(half *h)
{
	return 2 * (h->n + 1) <= h->nslot
		   ? 0
		   : storage_slots_resize(&h->slot, &h->nslot, h->nslot ? 2 * h->nslot : 256);
}

/* The key of `path` (len bytes, its session name from name_at on),
 * added after the others when new; NULL when memory runs out. */
static rkey *key_of(half *h, const char *path, size_t len, size_t name_at)
{
	uint32_t hash = path_hash(path, len);
	if (h->nslot) {
		size_t i = slot_of(h, path, len, hash);
		if (h->slot[i] != EMPTY)
			return &h->keys[(uint32_t)h->slot[i]];
	}
	size_t n = h->st->asked->n;
	if (h->n >= UINT32_MAX - 1 || slots_room(h) < 0 ||
	    storage_grow(&h->keys, &h->cap, h->n, sizeof(*h->keys), 64) < 0)
		return NULL;
	rkey *k = &h->keys[h->n];
	*k = (rkey){ss_arena_strndup(&h->arena, path, len),
		    len,
		    name_at,
		    hash,
		    0,
		    ss_arena_alloc(&h->arena, (n ? n : 1) * sizeof(rval))};
	if (!k->path || !k->v)
		return NULL;
	memset(k->v, 0, (n ? n : 1) * sizeof(rval));
	h->slot[slot_of(h, path, len, hash)] = (uint64_t)hash << 32 | (uint32_t)h->n;
	h->n++;
	return k;
}

/* --- one piece --- */

static char *arena_copy(half *h, const char *s, size_t len)
{
	return ss_arena_strndup(&h->arena, s ? s : "", s ? len : 0);
}

/* Value v of piece rf into *out, its line the file's. */
static int keep_value(half *h, const ss_regfile *rf, const ss_regvalue *v, rval *out)
{
	const char *data = rf->text->data + v->data_start;
	size_t dlen = v->data_end - v->data_start;
	ss_buf *b = &h->scratch;
	ss_buf_reset(b);
	rval r = {HAS, v->type, v->dword, NULL, NULL, NULL, dlen, h->lf_lines + v->line};
	if (ss_regfile_value_name(rf, v, b) < 0 || !(r.name = arena_copy(h, b->data, b->len)) ||
	    !(r.data = arena_copy(h, data, dlen < SHOWN ? dlen : SHOWN)))
		return ss_diag_oom(&h->d);
	ss_buf_reset(b);
	if (v->type == SS_REG_SZ &&
	    (ss_regfile_value_string(rf, v, b) < 0 || !(r.text = arena_copy(h, b->data, b->len))))
		return ss_diag_oom(&h->d);
	*out = r;
	return 0;
}

/* Block b of piece rf, applied to its key's values as an import applies
 * it, when it is a session's. */
static int take_block(half *h, const ss_regfile *rf, size_t b)
{
	const ss_regblock *blk = &rf->blocks[b];
	const char *name;
	size_t len;
	if (!regfile_session_part(h->st->root, blk, &name, &len))
		return 0;
	rkey *k = key_of(h, blk->path, blk->path_len, (size_t)(name - blk->path));
	if (!k)
		return ss_diag_oom(&h->d);
	const ss_storage_asked *a = h->st->asked;
	k->last_deleted = blk->deleted;
	if (blk->deleted) { /* forgets what came before */
		for (size_t i = 0; i < a->n; i++)
			k->v[i].state = HASNOT;
		return 0;
	}
	ss_regfile_block_values(rf, b, a->names, a->n, h->x, h->found);
	for (size_t i = 0; i < a->n; i++) {
		if (!h->found[i])
			continue;
		if (h->x[i].type == SS_REG_DELETE)
			k->v[i].state = HASNOT;
		else if (keep_value(h, rf, &h->x[i], &k->v[i]) < 0)
			return -1;
	}
	return 0;
}

/* buf[0, cut) as a piece: checked, its sessions' blocks applied; what
 * follows stays in buf, in room for the next piece. */
static int take_bytes(half *h, ss_buf *buf, size_t cut, size_t piece, int first)
{
	ss_buf rest = SS_BUF_INIT;
	if (ss_buf_reserve_exact(&rest, piece) < 0 ||
	    ss_buf_add(&rest, buf->data + cut, buf->len - cut) < 0) {
		ss_buf_release(&rest);
		return ss_diag_oom(&h->d);
	}
	buf->len = cut;
	ss_text t;
	int r = ss_text_take_bytes(&t, h->f->path, h->enc, buf, &h->d);
	if (r == 0) {
		t.first_line = (size_t)h->lf_lines;
		ss_regfile rf;
		r = ss_regfile_parse_piece(&rf, &t, first, &h->d);
		for (size_t b = 0; r == 0 && b < rf.nblocks; b++)
			r = take_block(h, &rf, b);
		h->lf_lines += t.nlines;
		ss_regfile_free(&rf);
		ss_text_free(&t);
	}
	ss_buf_release(buf);
	*buf = rest;
	return r;
}

/* --- cutting the text into pieces --- */

/* Whether a piece may start at p[c] (c >= 1): a line that starts with '['
 * right after a blank line, which ends any value before it. */
static int starts_piece(const char *p, size_t c)
{
	if (p[c] != '[' || p[c - 1] != '\n')
		return 0;
	size_t q = c - 1; /* the LF of the line before */
	if (q > 0 && p[q - 1] == '\r')
		q--;
	return q == 0 || p[q - 1] == '\n';
}

/* Where the last piece start of p[0, len) at *floor or after is, or 0
 * when there is none (*floor then moves on to len: those were looked
 * at). */
static size_t last_start(const char *p, size_t len, size_t *floor)
{
	for (size_t c = len; c-- > *floor;)
		if (starts_piece(p, c))
			return c;
	*floor = len > 1 ? len : 1;
	return 0;
}

/* After the file's first line that holds anything but blanks (the
 * header's, or what stands in its place): the first piece goes at least
 * that far. 0 when no such line ends in p[0, len). */
static size_t after_first_content(const char *p, size_t len)
{
	int content = 0;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n' && content)
			return i + 1;
		content |= p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n';
	}
	return 0;
}

/* UTF-16: whether the unit at p starts a surrogate pair. */
static int high_surrogate(const unsigned char *p)
{
	return (p[1] & 0xFC) == 0xD8;
}

/* Reads on until `buf` holds `want` bytes of text or the half ends
 * (*end): UTF-16 decoded as it arrives, a unit that starts a surrogate
 * pair kept back for the next read. */
static int fill(half *h, ss_buf *buf, uint64_t *at, size_t want, int *end)
{
	while (!*end && buf->len < want) {
		size_t n = READ;
		if (h->to != UINT64_MAX && h->to - *at < n)
			n = (size_t)(h->to - *at);
		int bytes = h->enc == SS_ENC_BYTES;
		if (bytes && ss_buf_grow(buf, n) < 0)
			return ss_diag_oom(&h->d);
		unsigned char *to =
		    bytes ? (unsigned char *)buf->data + buf->len : h->chunk + h->kept;
		long long got = n ? ss_text_file_read(h->f, to, n, *at, &h->d) : 0;
		if (got < 0)
			return -1;
		*at += (uint64_t)got;
		*end = (size_t)got < n || n == 0;
		if (bytes) {
			buf->len += (size_t)got;
			continue;
		}
		size_t total = h->kept + (size_t)got, use = total & ~(size_t)1;
		if (!*end && use >= 2 && high_surrogate(h->chunk + use - 2))
			use -= 2;
		if (ss_utf16le_to_utf8(h->chunk, use, buf) < 0)
			return ss_diag_oom(&h->d);
		h->kept = total - use;
		memmove(h->chunk, h->chunk + use, h->kept);
	}
	return 0;
}

static int read_half(half *h)
{
	size_t piece = h->st->pieces.piece ? h->st->pieces.piece : PIECE;
	size_t want = piece, floor = 1;
	int first = h->first, end = 0, r = 0;
	ss_buf buf = SS_BUF_INIT;
	uint64_t at = h->from;
	while (r == 0) {
		if ((r = fill(h, &buf, &at, want, &end)) < 0 || (end && buf.len == 0 && !first))
			break;
		size_t cut = buf.len;
		if (!end) {
			/* The first piece holds at least the header's line
			 * (0: no such line yet, read on). */
			size_t head =
			    first && floor == 1 ? after_first_content(buf.data, buf.len) : 1;
			if (head > floor)
				floor = head;
			cut = head ? last_start(buf.data, buf.len, &floor) : 0;
		}
		if (cut == 0 && !end) {
			want = buf.len + piece;
			continue;
		}
		r = take_bytes(h, &buf, cut, piece, first);
		first = 0;
		want = piece;
		floor = 1;
		if (end && buf.len == 0)
			break;
	}
	ss_buf_release(&buf);
	return r;
}

static void half_run(void *arg)
{
	half *h = arg;
	size_t n = h->st->asked->n ? h->st->asked->n : 1;
	h->chunk = malloc(READ + 2);
	h->x = calloc(n, sizeof(*h->x));
	h->found = calloc(n, 1);
	if (!h->chunk || !h->x || !h->found)
		h->failed = ss_diag_oom(&h->d) < 0;
	else
		h->failed = read_half(h) < 0;
}

static void half_free(half *h)
{
	free(h->keys);
	free(h->slot);
	free(h->chunk);
	free(h->x);
	free(h->found);
	ss_buf_release(&h->scratch);
	ss_arena_release(&h->arena);
	ss_diag_clear(&h->d);
}

/* --- two halves --- */

/* Where the second half starts: a piece start (starts_piece, in units
 * of the file's encoding) at `from` or after, looked for in the next
 * SEEK bytes (a file without blank lines between its keys is read in one
 * part, not read twice to the end here); UINT64_MAX when none. */
#define SEEK ((uint64_t)4 << 20)
static int second_start(const ss_text_file *f, ss_encoding enc, uint64_t from, uint64_t *out,
			ss_diag *d)
{
	size_t unit = enc == SS_ENC_BYTES ? 1 : 2;
	unsigned char *b = malloc(READ);
	if (!b)
		return ss_diag_oom(d);
	/* The last units before the one looked at, as ASCII ('.' for others). */
	char last[4] = {'.', '.', '.', '.'};
	uint64_t at = from - from % unit;
	long long n = 0;
	*out = UINT64_MAX;
	while (*out == UINT64_MAX && at < from + SEEK &&
	       (n = ss_text_file_read(f, b, READ, at, d)) >= (long long)unit) {
		for (size_t i = 0; i + unit <= (size_t)n; i += unit) {
			char c = unit == 2 && b[i + 1] ? '.' : (char)b[i];
			memmove(last, last + 1, 3);
			last[3] = c;
			if (starts_piece(last, 3)) {
				*out = at + i;
				break;
			}
		}
		at += (uint64_t)n - (uint64_t)n % unit;
	}
	free(b);
	return n < 0 ? -1 : 0;
}

/* Room in a's keys and table for `more` keys at once. */
static int keys_room(half *a, size_t more)
{
	if (more >= UINT32_MAX - a->n) /* numbered in 32 bits in the table */
		return -1;
	size_t size = a->nslot ? a->nslot : 256;
	while (2 * (a->n + more) > size)
		size *= 2;
	if (size != a->nslot && storage_slots_resize(&a->slot, &a->nslot, size) < 0)
		return -1;
	if (a->n + more <= a->cap)
		return 0;
	rkey *v = realloc(a->keys, (a->n + more) * sizeof(*v));
	if (!v)
		return -1;
	a->keys = v;
	a->cap = a->n + more;
	return 0;
}

/* Half b's keys after half a's (whose arena will hold b's strings too):
 * the blocks of a key that a has applied to its values after a's, the
 * other keys taken over as they are, after a's; lines counted on from
 * a's. */
static int join_second(half *a, half *b, ss_diag *d)
{
	size_t n = a->st->asked->n;
	if (keys_room(a, b->n) < 0)
		return ss_diag_oom(d);
	for (size_t i = 0; i < b->n; i++) {
		rkey *kb = &b->keys[i];
		for (size_t j = 0; j < n; j++)
			kb->v[j].line += a->lf_lines;
		size_t at = slot_of(a, kb->path, kb->plen, kb->hash);
		if (a->slot[at] == EMPTY) {
			a->slot[at] = (uint64_t)kb->hash << 32 | (uint32_t)a->n;
			a->keys[a->n++] = *kb;
			continue;
		}
		rkey *ka = &a->keys[(uint32_t)a->slot[at]];
		ka->last_deleted = kb->last_deleted;
		for (size_t j = 0; j < n; j++)
			if (kb->v[j].state != UNTOUCHED)
				ka->v[j] = kb->v[j];
	}
	return 0;
}

/* The keys whose last block is no [-KEY], as sessions in file order. */
static int list_sessions(ss_storage *st, const half *a, ss_diag *d)
{
	ss_buf name = SS_BUF_INIT;
	const rkey *parent = NULL;
	int one_parent = 1, r = 0;
	for (size_t i = 0; r == 0 && i < a->n; i++) {
		const rkey *k = &a->keys[i];
		if (k->last_deleted)
			continue;
		/* Each name once when every session's key is below one parent. */
		if (!parent)
			parent = k;
		else if (one_parent)
			one_parent = ss_key_eq(parent->path, parent->name_at, k->path, k->name_at);
		ss_buf_reset(&name);
		if (regfile_key_utf8(a->enc, st->codepage, k->path + k->name_at,
				     k->plen - k->name_at, &name) < 0)
			r = ss_diag_oom(d);
		else
			r = storage_add_session(st, ss_buf_str(&name), name.len, st->path, i, d);
	}
	ss_buf_release(&name);
	st->names_once = r == 0 && one_parent;
	return r;
}

static int asked_open(ss_storage *st, const ss_text_file *f, ss_diag *d)
{
	askpriv *p = calloc(1, sizeof(*p));
	if (!(st->priv = p))
		return ss_diag_oom(d);
	unsigned char bom[2];
	long long nb = ss_text_file_read(f, bom, 2, 0, d);
	if (nb < 0)
		return -1;
	int utf16 = ss_text_starts_utf16(bom, nb);
	if (utf16 && f->size % 2)
		return ss_text_odd_utf16(f->path, f->size, d);
	half a = {.st = st,
		  .f = f,
		  .enc = utf16 ? SS_ENC_UTF16LE : SS_ENC_BYTES,
		  .from = utf16 ? 2 : 0,
		  .to = UINT64_MAX,
		  .first = 1};
	half b = a;
	b.first = 0;
	uint64_t split = st->pieces.split ? st->pieces.split : SPLIT, cut = UINT64_MAX;
	if (f->size >= split && second_start(f, a.enc, f->size / 2, &cut, d) < 0)
		return -1;
	int two = cut != UINT64_MAX;
	if (two)
		a.to = b.from = cut;
	storage_run_halves(half_run, &a, two ? &b : NULL, &a.failed);
	int r = storage_halves_error(a.failed, &a.d, two && b.failed, &b.d, a.lf_lines, d);
	if (r == 0 && two)
		r = join_second(&a, &b, d);
	if (r == 0)
		r = list_sessions(st, &a, d);
	if (r == 0) {
		p->keys = a.keys;
		p->n = a.n;
		a.keys = NULL;
		ss_arena_adopt(&p->arena, &a.arena);
		ss_arena_adopt(&p->arena, &b.arena);
	}
	half_free(&a);
	half_free(&b);
	return r < 0 ? -1 : 0;
}

static void asked_close(ss_storage *st)
{
	askpriv *p = st->priv;
	if (!p)
		return;
	free(p->keys);
	ss_arena_release(&p->arena);
	free(p);
	st->priv = NULL;
}

/* --- reading --- */

/* The value as a whole read of the file gives it (be_regfile's fill). */
static int value_of(const ss_storage *st, const rval *v, const char *asked, ss_svalue *out)
{
	if (storage_value_init(out, v->name, strlen(v->name),
			       storage_where_path(storage_display(st), (size_t)v->line),
			       (size_t)v->line) < 0)
		return -1;
	out->shown = storage_shown(1, asked, strlen(asked), v->data, v->dlen);
	if (!out->shown)
		return -1;
	regfile_value_type(out, v->type, v->dword);
	return v->type != SS_REG_SZ || (out->text = ss_strdup(v->text)) ? 0 : -1;
}

static int asked_get_many(ss_storage *st, size_t s, const char *const *names, size_t n,
			  ss_svalue *out, ss_diag *d)
{
	const askpriv *p = st->priv;
	const rkey *k = &p->keys[st->handle[s]];
	for (size_t i = 0; i < n; i++) {
		int j = storage_asked_index(st, names[i], d);
		if (j < 0)
			return -1;
		if (k->v[j].state == HAS && value_of(st, &k->v[j], names[i], &out[i]) < 0) {
			ss_svalue_free(&out[i]);
			return ss_diag_oom(d);
		}
	}
	return 0;
}

static int asked_accepts(const ss_storage_root *root)
{
	return root->regkey != NULL;
}

/* Not among the backends ss_storage_open chooses from: it reads only for
 * ss_storage_open_asked, through ss_storage_regfile.asked. */
const ss_storage_backend ss_storage_regfile_asked = {
    .name = "regfile",
    .keyed = 1,
    .accepts = asked_accepts,
    .probe = storage_asked_probe,
    .open_asked = asked_open,
    .close = asked_close,
    .fold_case = 1,
    .get_many = asked_get_many,
    .next = storage_asked_next,
};
