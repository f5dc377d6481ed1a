/* storage backend: a WinSCP.ini read piece by piece for the values an
 * audit asks for (ss_storage_open_asked), never held whole.
 *
 * The file is read into pieces of at least st->pieces.piece bytes, each
 * cut where a line opens a section, and indexed by store/winini as a text
 * of its own: every rule of TMemIniFile stays in one place. Of each
 * session (the first section of its name) only the keys asked for are
 * kept (the first key of each name), packed, and the piece is dropped. A
 * large file is read in two halves at once, the second from a section
 * near its middle; the second half's sessions of names the first half
 * has are later sections of those, and dropped.
 *
 * A 100,000-site WinSCP.ini read whole takes 47 MiB, 1.6 x its size (its
 * text, a line table, the index), and the page faults and zeroing of
 * that fresh memory were a third of its audit's time. What is kept here
 * is a few bytes a key: a site's name, and its three or four keepalive
 * keys. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "sshsync/keyindex.h"
#include "sshsync/winini.h"
#include "winini_sessions.h"

/* Bytes read at a time, and a piece: a piece, its line table and its
 * index stay below glibc's 128 KiB, from which it maps memory of its own
 * for each and unmaps it when freed (both processors then flush their
 * address caches, and the memory is fresh again every time). */
enum { READ = 32 * 1024 };
#define PIECE ((size_t)64 << 10)
#define SPLIT ((uint64_t)4 << 20)

/* A key kept, packed in its half's `kept` bytes after its session's
 * others: this head (HEAD bytes, no padding), then the name as stored
 * when it differs from the one asked for (the asked name's length), then
 * the value. A session's keys follow how many bytes they take (BLOCK
 * bytes). */
typedef struct kept_head {
	uint32_t line;	/* the text's 0-based line (split at LF) in its half */
	uint32_t order; /* its 0-based line as TStringList splits it, in its half */
	uint32_t value_len;
	uint8_t asked;	  /* which name of st->asked */
	uint8_t own_name; /* the stored name follows */
} kept_head;
enum { HEAD = 14, BLOCK = 4 };

static void head_put(char *p, const kept_head *h)
{
	memcpy(p, &h->line, 4);
	memcpy(p + 4, &h->order, 4);
	memcpy(p + 8, &h->value_len, 4);
	p[12] = (char)h->asked;
	p[13] = (char)h->own_name;
}

static void head_get(const char *p, kept_head *h)
{
	memcpy(&h->line, p, 4);
	memcpy(&h->order, p + 4, 4);
	memcpy(&h->value_len, p + 8, 4);
	h->asked = (uint8_t)p[12];
	h->own_name = (uint8_t)p[13];
}

/* One half of the file (or all of it), read on a thread of its own. */
typedef struct half {
	const ss_storage *st;
	const ss_text_file *f;
	uint64_t from, to; /* the bytes it reads: [from, to); UINT64_MAX: to the end */
	/* Its sessions in file order, each with where its keys start in `kept`. */
	ss_storage_session *ses;
	size_t *first;
	uint32_t *hash; /* of each raw name */
	size_t n, cap, fcap, hcap;
	ss_buf kept;
	storage_names_ahead named; /* the sessions' raw names and names */
	/* Its sessions by raw name (ss_key_eq): the name's hash in the high
	 * half, the session's index in the low half; EMPTY: a free slot. */
	uint64_t *slot;
	size_t nslot;
	/* A bit for each session's hash (SEEN_BITS of them), in the first
	 * of two halves: the second half's names that it cannot have are
	 * told without a probe of its table (a cache miss each). NULL: none
	 * made. */
	uint64_t *seen;
	ss_winini_found found; /* the piece's sections and keys asked for */
	uint32_t *piece_hash;  /* of the piece's sections' names (take_piece) */
	size_t piece_hcap;
	uint64_t lf_lines, lines; /* lines before the piece: split at LF, and as TStringList */
	ss_diag d;
	int failed;
} half;

/* What the storage keeps: both halves' keys, the second's sessions from
 * index `second` on, its lines counted on by the first's. */
typedef struct askpriv {
	ss_buf kept[2];
	size_t second;
	uint64_t lf_lines, lines;
} askpriv;

/* --- a half's sessions by raw name --- */

#define EMPTY STORAGE_SLOT_EMPTY

/* A piece's section that is no session, in piece_hash: no name's hash. */
#define NOT_SESSION UINT32_MAX

static uint32_t name_hash(const char *raw, size_t len)
{
	uint32_t hash = (uint32_t)(ss_key_hash(raw, len) >> 32);
	return hash == NOT_SESSION ? hash - 1 : hash;
}

/* The slot of raw name `raw`: its session's, or the free one where it
 * would go. */
static size_t slot_of(const half *h, const char *raw, size_t len, uint32_t hash)
{
	size_t mask = h->nslot - 1, i = hash & mask;
	for (; h->slot[i] != EMPTY; i = (i + 1) & mask) {
		if ((uint32_t)(h->slot[i] >> 32) != hash)
			continue;
		const char *other = h->ses[(uint32_t)h->slot[i]].raw;
		if (strlen(other) == len && ss_key_eq(other, len, raw, len))
			break;
	}
	return i;
}

/* Room in the table for one more session. */
static int slots_room(half *h)
{
	return 2 * (h->n + 1) <= h->nslot
		   ? 0
		   : storage_slots_resize(&h->slot, &h->nslot, h->nslot ? 2 * h->nslot : 1024);
}

/* The table sized for the sessions the first piece tells of, at most
 * SLOTS_AHEAD slots: a large half's table is not grown a dozen times,
 * each time in fresh memory. */
#define SLOTS_AHEAD ((size_t)1 << 18)
static int slots_ahead(half *h, size_t sessions)
{
	size_t size = h->nslot ? h->nslot : 1024;
	while (size < 2 * sessions && size < SLOTS_AHEAD)
		size *= 2;
	return size > h->nslot ? storage_slots_resize(&h->slot, &h->nslot, size) : 0;
}

/* Room for what the whole half holds when it goes on as its first
 * `done` bytes went (the arrays are only reserved: memory not written
 * costs nothing): 1 when made (or not, where memory is short: they grow
 * as they go then) or not needed, 0 when too few sessions came yet to
 * tell. A section takes 4 bytes at least ("[x]" and its line break). */
static int half_ahead(half *h, uint64_t done)
{
	uint64_t all = (h->to == UINT64_MAX ? h->f->size : h->to) - h->from;
	if (all <= 2 * done)
		return 1;
	if (h->n < 16)
		return 0;
	double more = (double)all / (double)done * 1.125;
	size_t n = (size_t)((double)h->n * more), bytes = (size_t)((double)h->kept.len * more);
	if (n > all / 4)
		n = (size_t)(all / 4);
	if (bytes > h->kept.len && bytes - h->kept.len < all)
		(void)ss_buf_reserve_exact(&h->kept, bytes - h->kept.len);
	(void)slots_ahead(h, n);
	ss_storage_session *ses = n > h->cap ? realloc(h->ses, n * sizeof(*ses)) : NULL;
	if (ses)
		h->ses = ses, h->cap = n;
	size_t *first = n > h->fcap ? realloc(h->first, n * sizeof(*first)) : NULL;
	if (first)
		h->first = first, h->fcap = n;
	uint32_t *hash = n > h->hcap ? realloc(h->hash, n * sizeof(*hash)) : NULL;
	if (hash)
		h->hash = hash, h->hcap = n;
	return 1;
}

#define SEEN_BITS ((uint32_t)1 << 20)

static void mark_seen(half *h, uint32_t hash)
{
	if (!h->seen)
		h->seen = calloc(SEEN_BITS / 64, sizeof(*h->seen)); /* a hint: NULL is fine */
	uint32_t bit = hash & (SEEN_BITS - 1);
	if (h->seen)
		h->seen[bit / 64] |= (uint64_t)1 << (bit % 64);
}

/* Whether a session of this hash may be in h (no: certainly not). */
static int maybe_seen(const half *h, uint32_t hash)
{
	uint32_t bit = hash & (SEEN_BITS - 1);
	return !h->seen || (h->seen[bit / 64] >> (bit % 64) & 1);
}

static int known(const half *h, const char *raw, size_t len, uint32_t hash)
{
	return h->nslot && h->slot[slot_of(h, raw, len, hash)] != EMPTY;
}

/* --- a piece's sessions --- */

/* A piece being taken: its bytes (the front of a half's buffer) and what
 * store/winini found in them. */
typedef struct taken_piece {
	ss_buf *buf;
	size_t len;
	const ss_winini_found *found;
} taken_piece;

/* The piece buf[0, len) made a text of its own, for a message: it takes
 * the half's buffer (the half ends with it). -1 with h->d set when it
 * cannot be one (larger than a text can be). */
static int piece_text(half *h, ss_buf *buf, size_t len, ss_text *t)
{
	buf->len = len;
	if (ss_text_take_bytes(t, h->f->path, SS_ENC_BYTES, buf, &h->d) < 0)
		return -1;
	t->first_line = (size_t)h->lf_lines;
	return 0;
}

/* The error at the piece's byte `offset`, with its line and column. */
static int piece_error(half *h, const taken_piece *pc, size_t offset, const char *what)
{
	ss_text t;
	if (piece_text(h, pc->buf, pc->len, &t) < 0)
		return -1;
	ss_text_error(&t, &h->d, offset, "%s", what);
	ss_text_free(&t);
	return -1;
}

/* Key k of a piece as names[i] asked for: packed after the others. */
static int keep_key(half *h, const char *data, const ss_winini_found_key *k, size_t i)
{
	const ss_storage_asked *a = h->st->asked;
	const char *name = data + k->name_start;
	uint64_t line = h->lf_lines + k->line, order = h->lines + k->order;
	if (line > UINT32_MAX || order > UINT32_MAX)
		return ss_diag_oom(&h->d); /* a text of SS_TEXT_LIMIT bytes has fewer */
	kept_head head = {(uint32_t)line, (uint32_t)order, k->value_len, (uint8_t)i,
			  memcmp(name, a->names[i], k->name_len) != 0};
	size_t len = HEAD + (head.own_name ? k->name_len : 0) + k->value_len;
	if (ss_buf_grow(&h->kept, len) < 0)
		return ss_diag_oom(&h->d);
	char *p = h->kept.data + h->kept.len;
	head_put(p, &head);
	p += HEAD;
	if (head.own_name) {
		memcpy(p, name, k->name_len);
		p += k->name_len;
	}
	memcpy(p, data + k->value_start, k->value_len);
	h->kept.len += len;
	return 0;
}

/* Section i's keys asked for, the first of each name (as be_winini's
 * take_key finds them). */
static int keep_keys(half *h, const char *data, const ss_winini_found *f, size_t i)
{
	const ss_storage_asked *a = h->st->asked;
	uint32_t found = 0;
	size_t end = i + 1 < f->nsections ? f->sections[i + 1].first_key : f->nkeys;
	for (size_t at = f->sections[i].first_key; at < end; at++) {
		const ss_winini_found_key *k = &f->keys[at];
		const char *name = data + k->name_start;
		for (uint32_t bits = a->bucket[k->name_len % 16] & ~found; bits; bits &= bits - 1) {
			size_t j = (size_t)__builtin_ctz(bits);
			if (k->name_len != a->len[j] ||
			    !winini_same_name(name, a->names[j], k->name_len))
				continue;
			found |= (uint32_t)1 << j;
			if (keep_key(h, data, k, j) < 0)
				return -1;
		}
	}
	return 0;
}

/* Section i, a session unless a section of its name came before (in this
 * piece or an earlier one of the half): listed, with its keys asked for. */
static int take_section(half *h, const taken_piece *pc, size_t i, size_t plen, uint32_t hash)
{
	const ss_winini_found_section *sec = &pc->found->sections[i];
	const char *raw = pc->buf->data + sec->name_start + plen;
	size_t len = sec->name_len - plen;
	if (known(h, raw, len, hash))
		return 0;
	if (storage_grow(&h->ses, &h->cap, h->n, sizeof(*h->ses), 64) < 0 ||
	    storage_grow(&h->first, &h->fcap, h->n, sizeof(*h->first), 64) < 0 ||
	    storage_grow(&h->hash, &h->hcap, h->n, sizeof(*h->hash), 64) < 0 || slots_room(h) < 0)
		return ss_diag_oom(&h->d);
	char *named = storage_name_ahead(h->st, &h->named, raw, len);
	if (!named) {
		const char *nul = memchr(raw, '\0', len);
		return nul ? piece_error(h, pc, (size_t)(nul - pc->buf->data), STORAGE_NUL_NAME)
			   : ss_diag_oom(&h->d);
	}
	h->ses[h->n] = (ss_storage_session){named, named + len + 1, h->st->path, 0};
	h->first[h->n] = h->kept.len;
	h->hash[h->n] = hash;
	h->slot[slot_of(h, raw, len, hash)] = (uint64_t)hash << 32 | (uint32_t)h->n;
	h->n++;
	if (h->to != UINT64_MAX) /* the first of two halves: drop_known reads it */
		mark_seen(h, hash);
	/* How many bytes its keys take, then the keys: a session of the
	 * second half that the first has is dropped, its keys stay. */
	size_t at = h->kept.len;
	if (ss_buf_add(&h->kept, "\0\0\0\0", BLOCK) < 0)
		return ss_diag_oom(&h->d);
	if (keep_keys(h, pc->buf->data, pc->found, i) < 0)
		return -1;
	if (h->kept.len - at - BLOCK > UINT32_MAX)
		return ss_diag_oom(&h->d);
	uint32_t bytes = (uint32_t)(h->kept.len - at - BLOCK);
	memcpy(h->kept.data + at, &bytes, BLOCK);
	return 0;
}

/* The hash of each section's name of the piece (NOT_SESSION for those
 * that are no session), and the slot where each would be fetched into
 * the cache: 50,000 sessions of a half probe a table of a megabyte at
 * random, and waiting for each probe was a third of its reading. A later
 * section of a name is hashed too: take_section finds it known. */
static int hash_sessions(half *h, const taken_piece *pc, const char *prefix, size_t plen)
{
	const ss_winini_found *f = pc->found;
	size_t n = f->nsections;
	if (n > h->piece_hcap) {
		uint32_t *v = realloc(h->piece_hash, n * sizeof(*v));
		if (!v)
			return ss_diag_oom(&h->d);
		h->piece_hash = v;
		h->piece_hcap = n;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = pc->buf->data + f->sections[i].name_start;
		size_t len = f->sections[i].name_len;
		h->piece_hash[i] = NOT_SESSION;
		if (!winini_session_name(name, len, prefix, plen))
			continue;
		uint32_t hash = name_hash(name + plen, len - plen);
		h->piece_hash[i] = hash;
		if (h->nslot)
			__builtin_prefetch(&h->slot[hash & (h->nslot - 1)]);
	}
	return 0;
}

/* The sessions of the piece buf[0, len) (at most SS_TEXT_MAX bytes); its
 * lines counted. */
static int take_piece(half *h, ss_buf *buf, size_t len)
{
	const ss_storage_asked *a = h->st->asked;
	if (ss_winini_find_keys(&h->found, buf->data, len, a->any_empty ? NULL : a->first) < 0)
		return ss_diag_oom(&h->d);
	taken_piece pc = {buf, len, &h->found};
	const char *prefix = h->st->root->section;
	size_t plen = strlen(prefix);
	int r = hash_sessions(h, &pc, prefix, plen);
	for (size_t i = 0; r == 0 && i < h->found.nsections; i++)
		if (h->piece_hash[i] != NOT_SESSION)
			r = take_section(h, &pc, i, plen, h->piece_hash[i]);
	h->lf_lines += h->found.lf_lines;
	h->lines += h->found.lines;
	return r;
}

/* --- cutting the file into pieces --- */

/* Whether the line p[0, len) (its LF not included) opens a section all
 * by itself: "[name]" once trimmed, and no CR in it but its CR LF
 * ending's, so that TStringList takes it as one line. */
static int opens_section(const char *p, size_t len)
{
	if (len && p[len - 1] == '\r')
		len--;
	if (memchr(p, '\r', len))
		return 0;
	size_t start = 0;
	while (start < len && (unsigned char)p[start] <= ' ')
		start++;
	while (len > start && (unsigned char)p[len - 1] <= ' ')
		len--;
	return len - start >= 2 && p[start] == '[' && p[len - 1] == ']';
}

/* Where the last line of p[0, len) that ends in an LF there and opens a
 * section starts, from *floor on (at least 1); 0 when there is none, and
 * *floor is then where the lines not looked at begin. */
static size_t last_section(const char *p, size_t len, size_t *floor)
{
	size_t end = len;
	while (end > 0 && p[end - 1] != '\n')
		end--;
	size_t after = end;
	while (end > 0) {
		size_t lf = end - 1, start = lf;
		while (start > 0 && p[start - 1] != '\n')
			start--;
		if (start < *floor)
			break;
		if (opens_section(p + start, lf - start))
			return start;
		end = start;
	}
	*floor = after > 1 ? after : 1;
	return 0;
}

/* Reads on until `buf` holds `want` bytes or the half ends (*end). */
static int fill(half *h, ss_buf *buf, uint64_t *at, size_t want, int *end)
{
	while (!*end && buf->len < want) {
		size_t n = READ;
		if (h->to != UINT64_MAX && h->to - *at < n)
			n = (size_t)(h->to - *at);
		if (ss_buf_grow(buf, n) < 0)
			return ss_diag_oom(&h->d);
		long long got =
		    n ? ss_text_file_read(h->f, buf->data + buf->len, n, *at, &h->d) : 0;
		if (got < 0)
			return -1;
		buf->len += (size_t)got;
		*at += (uint64_t)got;
		*end = (size_t)got < n || n == 0;
	}
	return 0;
}

/* buf[0, cut) as a piece; what follows moves to the front of buf, for
 * the next piece. */
static int take_bytes(half *h, ss_buf *buf, size_t cut)
{
	if (cut > SS_TEXT_MAX) { /* no text: its own message says why */
		ss_text t;
		if (piece_text(h, buf, cut, &t) == 0)
			ss_text_free(&t);
		return -1;
	}
	if (take_piece(h, buf, cut) < 0)
		return -1;
	memmove(buf->data, buf->data + cut, buf->len - cut);
	buf->len -= cut;
	return 0;
}

static int read_half(half *h)
{
	size_t piece = h->st->pieces.piece ? h->st->pieces.piece : PIECE;
	size_t want = piece, floor = 1;
	ss_buf buf = SS_BUF_INIT;
	uint64_t at = h->from;
	int end = 0, r = 0, ahead = 0;
	while (r == 0) {
		if ((r = fill(h, &buf, &at, want, &end)) < 0 || (end && buf.len == 0))
			break;
		size_t cut = end ? buf.len : last_section(buf.data, buf.len, &floor);
		if (cut == 0) { /* one section so far: read on */
			want = buf.len + piece;
			continue;
		}
		r = take_bytes(h, &buf, cut);
		if (r == 0 && !ahead)
			ahead = half_ahead(h, at - h->from - buf.len);
		want = piece;
		floor = 1;
	}
	ss_buf_release(&buf);
	return r;
}

static void half_run(void *arg)
{
	half *h = arg;
	h->failed = read_half(h) < 0;
}

static void half_free(half *h)
{
	free(h->ses);
	free(h->first);
	free(h->hash);
	free(h->slot);
	free(h->piece_hash);
	ss_winini_found_free(&h->found);
	free(h->seen);
	ss_buf_release(&h->kept);
	storage_names_ahead_free(&h->named);
	ss_diag_clear(&h->d);
}

/* Where a line that opens a section starts after `from`, looked for in
 * the next SEEK bytes (a file of few sections is read in one part, not
 * read twice to the end here): *at, or UINT64_MAX when none does. */
#define SEEK ((uint64_t)4 << 20)
static int section_after(const ss_text_file *f, uint64_t from, uint64_t *at, ss_diag *d)
{
	ss_buf b = SS_BUF_INIT;
	uint64_t base = from; /* the file offset of b's first byte */
	size_t pos = 0;	      /* where the next line starts in b */
	int past_first = 0, end = 0, r = 0;
	*at = UINT64_MAX;
	while (r == 0 && base + pos < from + SEEK) {
		const char *lf = b.len > pos ? memchr(b.data + pos, '\n', b.len - pos) : NULL;
		if (lf) {
			size_t len = (size_t)(lf - b.data) - pos;
			if (past_first && opens_section(b.data + pos, len)) {
				*at = base + pos;
				break;
			}
			past_first = 1; /* the line `from` falls into may have begun before */
			pos += len + 1;
			continue;
		}
		if (end)
			break;
		/* Drop the lines looked at, then read on. */
		if (pos) {
			memmove(b.data, b.data + pos, b.len - pos);
			b.len -= pos;
			base += pos;
			pos = 0;
		}
		long long n = ss_buf_grow(&b, READ) < 0
				  ? ss_diag_oom(d)
				  : ss_text_file_read(f, b.data + b.len, READ, base + b.len, d);
		if (n < 0)
			r = -1;
		else
			b.len += (size_t)n;
		end = n < (long long)READ;
	}
	ss_buf_release(&b);
	return r;
}

/* --- the halves joined into the storage --- */

/* Drops from b the sessions of a name that a has (later sections of a
 * session), b's arrays compacted in place: how many stay. */
static size_t drop_known(const half *a, half *b)
{
	size_t kept = 0;
	for (size_t s = 0; s < b->n; s++) {
		const char *raw = b->ses[s].raw;
		if (maybe_seen(a, b->hash[s]) && known(a, raw, strlen(raw), b->hash[s]))
			continue;
		b->ses[kept] = b->ses[s];
		b->first[kept++] = b->first[s];
	}
	return kept;
}

static int join_halves(ss_storage *st, half *a, half *b, ss_diag *d)
{
	askpriv *p = st->priv;
	if (storage_halves_error(a->failed, &a->d, b && b->failed, b ? &b->d : NULL, a->lf_lines,
				 d) < 0)
		return -1;
	size_t second = b ? drop_known(a, b) : 0; /* while a's table has its sessions */
	storage_adopt_names(st, &a->named);
	/* a's arrays become the storage's, with room for b's sessions. */
	if (storage_adopt_block(st, &a->ses, &a->first, a->n, a->n + second, d) < 0)
		return -1;
	p->kept[0] = a->kept;
	a->kept = (ss_buf)SS_BUF_INIT;
	p->second = st->n;
	if (!b)
		return 0;
	p->lf_lines = a->lf_lines;
	p->lines = a->lines;
	storage_adopt_names(st, &b->named);
	if (storage_add_block(st, b->ses, b->first, second, d) < 0)
		return -1;
	p->kept[1] = b->kept;
	b->kept = (ss_buf)SS_BUF_INIT;
	return 0;
}

static int asked_open(ss_storage *st, const ss_text_file *f, ss_diag *d)
{
	unsigned char bom[2];
	long long nb = ss_text_file_read(f, bom, 2, 0, d);
	if (nb < 0)
		return -1;
	if (nb == 2 && bom[0] == 0xFF && bom[1] == 0xFE)
		return 1; /* UTF-16, which WinSCP never writes: read whole */
	if (!(st->priv = calloc(1, sizeof(askpriv))))
		return ss_diag_oom(d);
	half a = {.st = st, .f = f, .from = 0, .to = UINT64_MAX}, b = a;
	uint64_t split = st->pieces.split ? st->pieces.split : SPLIT, cut = UINT64_MAX;
	if (f->size >= split && section_after(f, f->size / 2, &cut, d) < 0)
		return -1;
	if (cut != UINT64_MAX)
		a.to = b.from = cut;
	storage_run_halves(half_run, &a, cut != UINT64_MAX ? &b : NULL, &a.failed);
	int r = join_halves(st, &a, cut != UINT64_MAX ? &b : NULL, d);
	half_free(&a);
	half_free(&b);
	return r;
}

static void asked_close(ss_storage *st)
{
	askpriv *p = st->priv;
	if (!p)
		return;
	ss_buf_release(&p->kept[0]);
	ss_buf_release(&p->kept[1]);
	free(p);
	st->priv = NULL;
}

/* --- reading --- */

/* The view of a key kept at p (of name `asked`), its lines counted on by
 * `lf_lines` and `lines`, into `out` (zeroed; NULL: not wanted); *p
 * moves past it. Each field is written in place: a view made on the stack
 * and copied cost a stall on every copy. */
static void view_of(const char **p, const char *asked, size_t alen, uint64_t lf_lines,
		    uint64_t lines, ss_sview *out)
{
	kept_head h;
	head_get(*p, &h);
	const char *at = *p + HEAD;
	*p = at + (h.own_name ? alen : 0) + h.value_len;
	if (!out)
		return;
	out->present = 1;
	out->type = SS_STYPE_TEXT;
	out->name_ = h.own_name ? at : asked;
	out->name_len_ = alen;
	at += h.own_name ? alen : 0;
	out->text = out->data_ = at;
	out->text_len = out->data_len_ = h.value_len;
	out->order = (size_t)(lines + h.order);
	out->line_ = (size_t)(lf_lines + h.line);
	long v;
	out->is_int = out->plain = ss_winini_parse_int(at, h.value_len, &v) == 0;
	out->ival = out->is_int ? v : 0;
}

/* For each name `a` measured, which name of st->asked it is: 0, or -1
 * when one was not asked at open. */
static int map_names(const ss_storage *st, const ss_storage_asked *a, int *map, ss_diag *d)
{
	/* The audit asks with the very names it opened with. */
	int same = a->names == st->asked->names && a->n <= st->asked->n;
	for (size_t i = 0; i < a->n; i++)
		if ((map[i] = same ? (int)i : storage_asked_index(st, a->names[i], d)) < 0)
			return -1;
	return 0;
}

static int asked_view(ss_storage *st, size_t s, const ss_storage_asked *a, ss_sview *out,
		      ss_diag *d)
{
	const askpriv *p = st->priv;
	int map[SS_STORAGE_ASKED_MAX];
	if (map_names(st, a, map, d) < 0)
		return -1;
	int second = s >= p->second;
	const char *at = p->kept[second].data + st->handle[s];
	uint32_t bytes;
	memcpy(&bytes, at, BLOCK);
	at += BLOCK;
	for (const char *stop = at + bytes; at < stop;) {
		size_t j = (unsigned char)at[12]; /* kept_head.asked */
		const char *name = st->asked->names[j];
		size_t i = 0;
		while (i < a->n && map[i] != (int)j)
			i++;
		view_of(&at, name, st->asked->len[j], second ? p->lf_lines : 0,
			second ? p->lines : 0, i < a->n ? &out[i] : NULL);
	}
	return 0;
}

static int asked_accepts(const ss_storage_root *root)
{
	return root->section != NULL;
}

/* Not among the backends ss_storage_open chooses from: it reads only for
 * ss_storage_open_asked, through ss_storage_winini.asked. */
const ss_storage_backend ss_storage_winini_asked = {
    .name = "winini",
    .keyed = 1,
    .dedicated = 1,
    .accepts = asked_accepts,
    .probe = storage_asked_probe,
    .open_asked = asked_open,
    .close = asked_close,
    .fold_case = 1,
    .get_many = storage_get_many_by_views,
    .view_asked = asked_view,
    .next = storage_asked_next,
};
