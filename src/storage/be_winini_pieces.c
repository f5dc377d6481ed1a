/* storage backend: a WinSCP.ini read piece by piece for the values an
 * audit asks for (ss_storage_open_asked), never held whole.
 *
 * The file is read into pieces of at least st->pieces.piece bytes, each
 * cut where a line opens a section, and indexed by store/winini as a text
 * of its own: every rule of TMemIniFile stays in one place. Of each
 * session (the first section of its name) only the keys asked for are
 * kept (the first key of each name), packed, and the piece is dropped. A
 * large file is cut into parts of about a megabyte, each starting where
 * a line opens a section, which two threads read as they come; the later
 * sections of a name are dropped when the parts are joined.
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
#include "sshsync/hashbits.h"
#include "sshsync/keyindex.h"
#include "sshsync/os_sys.h"
#include "sshsync/winini.h"
#include "winini_sessions.h"

/* Bytes read at a time, and a piece: a piece, its line table and its
 * index stay below glibc's 128 KiB, from which it maps memory of its own
 * for each and unmaps it when freed (both processors then flush their
 * address caches, and the memory is fresh again every time). */
enum { READ = 32 * 1024 };
#define PIECE ((size_t)64 << 10)
#define SPLIT ((uint64_t)4 << 20)
/* A part of a large file: small enough that the thread that ends last
 * ends soon after the other (a part takes about 0.7 ms here), large
 * enough that its arrays and the join of them stay few. */
#define PART ((uint64_t)1 << 20)
/* A session's handle: where its keys start in its part's `kept`, shifted
 * left by PART_BITS, and its part's index in those bits. */
enum { PART_BITS = 8 };
#define MAX_PARTS ((size_t)1 << PART_BITS)

/* A handle's part, and where its keys start in that part's `kept`. */
static size_t part_of(size_t handle)
{
	return handle & (MAX_PARTS - 1);
}

static size_t kept_at(size_t handle)
{
	return handle >> PART_BITS;
}

/* A key kept, packed in its part's `kept` bytes after its session's
 * others: a head, then the name as stored when it differs from the one
 * asked for (the asked name's length), then the value. A session's keys
 * follow how many they are, in a byte (one of each name asked for at
 * most).
 *
 * The head is a byte (which name of st->asked, KEPT_OWN_NAME: the stored
 * name follows, KEPT_WIDE), the line in 4; then, where the key's order
 * is its line and its value has at most 255 bytes, the value's length in
 * a byte (HEAD_NARROW: nearly every key), else (KEPT_WIDE) the order and
 * the value's length in 4 each. With every head wide, a 100,000-site
 * file kept 2 MB more: 500 more pages of fresh memory. */
typedef struct kept_head {
	uint32_t line;	/* the text's 0-based line (split at LF) in its part */
	uint32_t order; /* its 0-based line as TStringList splits it, in its part */
	uint32_t value_len;
	uint8_t asked; /* which name of st->asked */
	int own_name;  /* the stored name follows */
} kept_head;
enum { KEPT_ASKED = 0x1f, KEPT_OWN_NAME = 0x40, KEPT_WIDE = 0x80 };
enum { HEAD_NARROW = 6, HEAD_WIDE = 13, HEAD_MAX = HEAD_WIDE };
_Static_assert(SS_STORAGE_ASKED_MAX - 1 <= KEPT_ASKED, "a name asked for fits the head's byte");

/* The head at p; how many bytes it took. */
static size_t head_put(char *p, const kept_head *h)
{
	int wide = h->order != h->line || h->value_len > UINT8_MAX;
	p[0] = (char)(h->asked | (h->own_name ? KEPT_OWN_NAME : 0) | (wide ? KEPT_WIDE : 0));
	memcpy(p + 1, &h->line, 4);
	if (!wide) {
		p[5] = (char)h->value_len;
		return HEAD_NARROW;
	}
	memcpy(p + 5, &h->order, 4);
	memcpy(p + 9, &h->value_len, 4);
	return HEAD_WIDE;
}

static size_t head_get(const char *p, kept_head *h)
{
	unsigned char flags = (unsigned char)p[0];
	h->asked = flags & KEPT_ASKED;
	h->own_name = (flags & KEPT_OWN_NAME) != 0;
	memcpy(&h->line, p + 1, 4);
	if (!(flags & KEPT_WIDE)) {
		h->order = h->line;
		h->value_len = (unsigned char)p[5];
		return HEAD_NARROW;
	}
	memcpy(&h->order, p + 5, 4);
	memcpy(&h->value_len, p + 9, 4);
	return HEAD_WIDE;
}

/* Sessions in file order, each with its handle (where its keys start
 * in its part's `kept`, and the part) and its raw name's hash: a part's,
 * or the parts' joined. */
typedef struct listed {
	ss_storage_session *ses;
	size_t *first;
	uint32_t *hash;
	size_t n, cap;
} listed;

/* Room for `cap` sessions in each array. -1: no memory (the arrays hold
 * what they held, in room for l->cap). */
static int listed_reserve(listed *l, size_t cap)
{
	if (cap <= l->cap)
		return 0;
	if (cap > SIZE_MAX / sizeof(*l->ses))
		return -1;
	ss_storage_session *ses = realloc(l->ses, cap * sizeof(*ses));
	if (ses)
		l->ses = ses;
	size_t *first = ses ? realloc(l->first, cap * sizeof(*first)) : NULL;
	if (first)
		l->first = first;
	uint32_t *hash = first ? realloc(l->hash, cap * sizeof(*hash)) : NULL;
	if (!hash)
		return -1;
	l->hash = hash;
	l->cap = cap;
	return 0;
}

static void listed_free(listed *l)
{
	free(l->ses);
	free(l->first);
	free(l->hash);
	*l = (listed){0};
}

/* What a thread reading parts keeps from one part to the next: the
 * bytes read and not yet taken, and what store/winini found in a piece. */
typedef struct reader {
	const ss_storage *st;
	const ss_text_file *f;
	struct parts *all;
	ss_buf buf;
	ss_winini_found found; /* the piece's sections and keys asked for */
	uint32_t *piece_hash;  /* of the piece's sections' names (take_piece) */
	size_t piece_hcap;
} reader;

/* A part of the file (or all of it), read by one thread. Its sessions
 * are every section that is a session of the root, a later section of
 * a name included: those are dropped when the parts are joined
 * (drop_later_sections). */
typedef struct part {
	reader *r;	   /* the thread reading it, while it does */
	size_t index;	   /* of the part in the file */
	uint64_t from, to; /* the bytes it reads: [from, to) */
	listed l;
	ss_buf kept;
	storage_names_ahead named; /* the sessions' raw names and names */
	uint64_t lf_lines, lines;  /* its lines (so far): split at LF, and as TStringList */
	ss_diag d;
	int failed, done;
} part;

/* The sessions of the parts joined so far, in file order: a part's are
 * copied here by whichever thread finds it next in line, while the
 * other reads on, and its own arrays are freed for the next part. */
typedef struct joined {
	listed l;
	size_t parts;	/* how many are joined */
	uint64_t bytes; /* of the parts joined */
	/* A bit of each hash joined: drop_later_sections looks up only the
	 * names whose bit came again. */
	ss_hashbits bits;
} joined;

/* Arrays of parts joined, kept for the parts claimed next: a part's
 * arrays freed and made again were fresh pages nearly every time, as the
 * part's keys and names, which stay, are made between them (a 100,000-site
 * file: 6,374 -> 6,123 page faults). Parts waiting to be joined hold
 * theirs meanwhile: with two threads, two or three parts at a time. */
enum { SPARES = 4 };

/* The parts, claimed in order by the threads that read them: a thread
 * that is done takes the next, so that neither waits long for the other
 * at the end (two fixed halves ended up to 6 ms apart). */
typedef struct parts {
	part *v;
	size_t n;
	uint64_t size;	  /* of the file */
	ss_os_monitor *m; /* NULL: read on one thread */
	size_t next;	  /* the next part to claim */
	int stop;	  /* a part failed: the later ones are not read */
	joined j;
	int joining; /* a thread is joining parts */
	int join_failed;
	listed spare[SPARES]; /* emptied, their memory kept */
	size_t nspare;
} parts;

/* What the storage keeps: each part's keys and its sessions' names,
 * where its lines start, and where its sessions end: the parts whose
 * sessions an audit has made into scopes are freed as it goes
 * (asked_release_before), and the report's rows then take their memory,
 * not fresh pages (a 100,000-site table's rows were 1,600 pages). */
typedef struct askpriv {
	ss_buf *kept;
	ss_arena *names;
	uint64_t *lf_lines, *lines;
	size_t *ends; /* the session after part k's last */
	size_t nparts, released;
} askpriv;

/* A piece's section that is no session, in piece_hash: no name's hash. */
#define NOT_SESSION UINT32_MAX

static uint32_t name_hash(const char *raw, size_t len)
{
	uint32_t hash = (uint32_t)(ss_key_hash(raw, len) >> 32);
	return hash == NOT_SESSION ? hash - 1 : hash;
}

/* Room for what the whole part holds when it goes on as its first
 * `done` bytes went (the arrays are only reserved: memory not written
 * costs nothing): 1 when made (or not, where memory is short: they grow
 * as they go then) or not needed, 0 when too few sessions came yet to
 * tell. A section takes 4 bytes at least ("[x]" and its line break). */
static int part_ahead(part *h, uint64_t done)
{
	uint64_t all = h->to - h->from;
	if (all <= 2 * done)
		return 1;
	if (h->l.n < 16)
		return 0;
	double more = (double)all / (double)done * 1.125;
	size_t n = (size_t)((double)h->l.n * more), bytes = (size_t)((double)h->kept.len * more);
	if (n > all / 4)
		n = (size_t)(all / 4);
	if (bytes > h->kept.len && bytes - h->kept.len < all)
		(void)ss_buf_reserve_exact(&h->kept, bytes - h->kept.len);
	(void)listed_reserve(&h->l, n);
	return 1;
}

/* --- a piece's sessions --- */

/* A piece being taken: its bytes (the front of the reader's buffer) and
 * what store/winini found in them. */
typedef struct taken_piece {
	ss_buf *buf;
	size_t len;
	const ss_winini_found *found;
} taken_piece;

/* The piece buf[0, len) made a text of its own, for a message: it takes
 * the reader's buffer (the part ends with it). -1 with h->d set when it
 * cannot be one (larger than a text can be). */
static int piece_text(part *h, ss_buf *buf, size_t len, ss_text *t)
{
	buf->len = len;
	if (ss_text_take_bytes(t, h->r->f->path, SS_ENC_BYTES, buf, &h->d) < 0)
		return -1;
	t->first_line = (size_t)h->lf_lines;
	return 0;
}

/* The error at the piece's byte `offset`, with its line and column. */
static int piece_error(part *h, const taken_piece *pc, size_t offset, const char *what)
{
	ss_text t;
	if (piece_text(h, pc->buf, pc->len, &t) < 0)
		return -1;
	ss_text_error(&t, &h->d, offset, "%s", what);
	ss_text_free(&t);
	return -1;
}

/* Key k of a piece as names[i] asked for: packed after the others. */
static int keep_key(part *h, const char *data, const ss_winini_found_key *k, size_t i)
{
	const ss_storage_asked *a = h->r->st->asked;
	const char *name = data + k->name_start;
	uint64_t line = h->lf_lines + k->line, order = h->lines + k->order;
	if (line > UINT32_MAX || order > UINT32_MAX)
		return ss_diag_oom(&h->d); /* a text of SS_TEXT_LIMIT bytes has fewer */
	kept_head head = {(uint32_t)line, (uint32_t)order, k->value_len, (uint8_t)i,
			  memcmp(name, a->names[i], k->name_len) != 0};
	size_t len = HEAD_MAX + (head.own_name ? k->name_len : 0) + k->value_len;
	if (ss_buf_grow(&h->kept, len) < 0)
		return ss_diag_oom(&h->d);
	char *start = h->kept.data + h->kept.len, *p = start + head_put(start, &head);
	if (head.own_name) {
		memcpy(p, name, k->name_len);
		p += k->name_len;
	}
	memcpy(p, data + k->value_start, k->value_len);
	h->kept.len += (size_t)(p + k->value_len - start);
	return 0;
}

/* Section i's keys asked for, the first of each name (as be_winini's
 * take_key finds them); how many, or -1. */
static int keep_keys(part *h, const char *data, const ss_winini_found *f, size_t i)
{
	int n = 0;
	const ss_storage_asked *a = h->r->st->asked;
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
			n++;
		}
	}
	return n;
}

/* Section i, a session of the root: listed with its keys asked for. */
static int take_section(part *h, const taken_piece *pc, size_t i, size_t plen, uint32_t hash)
{
	const ss_winini_found_section *sec = &pc->found->sections[i];
	const char *raw = pc->buf->data + sec->name_start + plen;
	size_t len = sec->name_len - plen;
	listed *l = &h->l;
	if (l->n == l->cap && listed_reserve(l, l->cap ? 2 * l->cap : 64) < 0)
		return ss_diag_oom(&h->d);
	char *named = storage_name_ahead(h->r->st, &h->named, raw, len);
	if (!named) {
		const char *nul = memchr(raw, '\0', len);
		return nul ? piece_error(h, pc, (size_t)(nul - pc->buf->data), STORAGE_NUL_NAME)
			   : ss_diag_oom(&h->d);
	}
	if (h->kept.len > SIZE_MAX >> PART_BITS)
		return ss_diag_oom(&h->d);
	l->ses[l->n] = (ss_storage_session){named, named + len + 1, h->r->st->path, 0};
	l->first[l->n] = h->kept.len << PART_BITS | h->index;
	l->hash[l->n] = hash;
	l->n++;
	/* How many keys it has, then the keys. */
	size_t at = h->kept.len;
	if (ss_buf_addc(&h->kept, '\0') < 0)
		return ss_diag_oom(&h->d);
	int n = keep_keys(h, pc->buf->data, pc->found, i);
	if (n < 0)
		return -1;
	h->kept.data[at] = (char)n;
	return 0;
}

/* The hash of each section's name of the piece (NOT_SESSION for those
 * that are no session). */
static int hash_sessions(part *h, const taken_piece *pc, const char *prefix, size_t plen)
{
	reader *r = h->r;
	const ss_winini_found *f = pc->found;
	size_t n = f->nsections;
	if (n > r->piece_hcap) {
		uint32_t *v = realloc(r->piece_hash, n * sizeof(*v));
		if (!v)
			return ss_diag_oom(&h->d);
		r->piece_hash = v;
		r->piece_hcap = n;
	}
	for (size_t i = 0; i < n; i++) {
		const char *name = pc->buf->data + f->sections[i].name_start;
		size_t len = f->sections[i].name_len;
		r->piece_hash[i] = NOT_SESSION;
		if (winini_session_name(name, len, prefix, plen))
			r->piece_hash[i] = name_hash(name + plen, len - plen);
	}
	return 0;
}

/* The sessions of the piece buf[0, len) (at most SS_TEXT_MAX bytes); its
 * lines counted. */
static int take_piece(part *h, ss_buf *buf, size_t len)
{
	reader *r = h->r;
	const ss_storage_asked *a = r->st->asked;
	if (ss_winini_find_keys(&r->found, buf->data, len, a->any_empty ? NULL : a->first) < 0)
		return ss_diag_oom(&h->d);
	taken_piece pc = {buf, len, &r->found};
	const char *prefix = r->st->root->section;
	size_t plen = strlen(prefix);
	int rc = hash_sessions(h, &pc, prefix, plen);
	for (size_t i = 0; rc == 0 && i < r->found.nsections; i++)
		if (r->piece_hash[i] != NOT_SESSION)
			rc = take_section(h, &pc, i, plen, r->piece_hash[i]);
	h->lf_lines += r->found.lf_lines;
	h->lines += r->found.lines;
	return rc;
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

/* Reads on until `buf` holds `want` bytes or the part ends (*end). */
static int fill(part *h, ss_buf *buf, uint64_t *at, size_t want, int *end)
{
	while (!*end && buf->len < want) {
		size_t n = READ;
		if (h->to - *at < n)
			n = (size_t)(h->to - *at);
		if (ss_buf_grow(buf, n) < 0)
			return ss_diag_oom(&h->d);
		long long got =
		    n ? ss_text_file_read(h->r->f, buf->data + buf->len, n, *at, &h->d) : 0;
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
static int take_bytes(part *h, ss_buf *buf, size_t cut)
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

static int read_part(part *h)
{
	size_t piece = h->r->st->pieces.piece ? h->r->st->pieces.piece : PIECE;
	size_t want = piece, floor = 1;
	ss_buf *buf = &h->r->buf;
	uint64_t at = h->from;
	int end = 0, r = 0, ahead = 0;
	ss_buf_reset(buf);
	while (r == 0) {
		if ((r = fill(h, buf, &at, want, &end)) < 0 || (end && buf->len == 0))
			break;
		size_t cut = end ? buf->len : last_section(buf->data, buf->len, &floor);
		if (cut == 0) { /* one section so far: read on */
			want = buf->len + piece;
			continue;
		}
		r = take_bytes(h, buf, cut);
		if (r == 0 && !ahead)
			ahead = part_ahead(h, at - h->from - buf->len);
		want = piece;
		floor = 1;
	}
	return r;
}

static void lock(parts *ps)
{
	if (ps->m)
		ss_os_monitor_enter(ps->m);
}

static void unlock(parts *ps)
{
	if (ps->m)
		ss_os_monitor_leave(ps->m);
}

/* The next part to read, or NULL when none is left (or one failed);
 * it lists into arrays of a part joined before when there are some. */
static part *claim(parts *ps)
{
	lock(ps);
	part *p = !ps->stop && ps->next < ps->n ? &ps->v[ps->next++] : NULL;
	if (p && ps->nspare)
		p->l = ps->spare[--ps->nspare];
	unlock(ps);
	return p;
}

/* A joined part's arrays, emptied for a part claimed later (or freed
 * when enough are kept). Called locked. */
static void spare_put(parts *ps, listed *l)
{
	if (ps->nspare < SPARES) {
		l->n = 0;
		ps->spare[ps->nspare++] = *l;
		*l = (listed){0};
	} else {
		listed_free(l);
	}
}

/* Room in ps->j for `more` sessions, reserved for the whole file at
 * once as the parts joined so far tell (a section takes 4 bytes at
 * least). */
static int join_room(parts *ps, size_t more, uint64_t bytes)
{
	joined *j = &ps->j;
	if (more <= j->l.cap - j->l.n)
		return 0;
	double all = (double)(j->l.n + more) * (double)ps->size / (double)(j->bytes + bytes);
	size_t cap = (size_t)(all * 1.125) + 16, most = (size_t)(ps->size / 4) + 1;
	if (cap > most)
		cap = most;
	if (cap < j->l.n + more)
		cap = j->l.n + more;
	return listed_reserve(&j->l, cap);
}

/* Part p's hashes in j->bits, made at the first part for as many as
 * the room j reserved for the whole file. */
static int mark_hashes(joined *j, const part *p)
{
	if (!j->bits.seen && ss_hashbits_init(&j->bits, j->l.cap) < 0)
		return -1;
	for (size_t s = 0; s < p->l.n; s++)
		if (ss_hashbits_add(&j->bits, p->l.hash[s]) < 0)
			return -1;
	return 0;
}

/* Part k's sessions after the parts before it (its arrays are then
 * spare_put's). */
static int join_part(parts *ps, size_t k)
{
	part *p = &ps->v[k];
	joined *j = &ps->j;
	const listed *in = &p->l;
	listed *all = &j->l;
	if (join_room(ps, in->n, p->to - p->from) < 0 || mark_hashes(j, p) < 0)
		return -1;
	if (in->n) {
		memcpy(all->ses + all->n, in->ses, in->n * sizeof(*in->ses));
		memcpy(all->first + all->n, in->first, in->n * sizeof(*in->first));
		memcpy(all->hash + all->n, in->hash, in->n * sizeof(*in->hash));
	}
	all->n += in->n;
	j->bytes += p->to - p->from;
	return 0;
}

/* Part p is read (or failed): the parts next in line that are read are
 * joined, unless the other thread is joining them. */
static void part_done(parts *ps, part *p)
{
	lock(ps);
	p->done = 1;
	ps->stop |= p->failed;
	if (!ps->joining) {
		ps->joining = 1;
		for (size_t k; !ps->join_failed && (k = ps->j.parts) < ps->n && ps->v[k].done &&
			       !ps->v[k].failed;) {
			unlock(ps);
			int r = join_part(ps, k);
			lock(ps);
			if (r < 0) {
				ps->join_failed = ps->stop = 1;
			} else {
				spare_put(ps, &ps->v[k].l);
				ps->j.parts++;
			}
		}
		ps->joining = 0;
	}
	unlock(ps);
}

static void reader_run(void *arg)
{
	reader *r = arg;
	for (part *p; (p = claim(r->all));) {
		p->r = r;
		p->failed = read_part(p) < 0;
		p->r = NULL;
		part_done(r->all, p);
	}
}

static void reader_free(reader *r)
{
	ss_buf_release(&r->buf);
	ss_winini_found_free(&r->found);
	free(r->piece_hash);
}

/* Reads every part, on this thread and a second one where there are two
 * parts or more (on this one alone when no thread can be had). */
static void read_parts(const ss_storage *st, const ss_text_file *f, parts *ps)
{
	reader mine = {.st = st, .f = f, .all = ps}, other = mine;
	ss_os_thread *t = NULL;
	if (ps->n > 1 && (ps->m = ss_os_monitor_new()) &&
	    ss_os_thread_start(&t, reader_run, &other) < 0)
		t = NULL;
	reader_run(&mine);
	if (t)
		ss_os_thread_join(t);
	ss_os_monitor_free(ps->m);
	ps->m = NULL;
	reader_free(&mine);
	reader_free(&other);
}

static void part_free(part *h)
{
	listed_free(&h->l);
	ss_buf_release(&h->kept);
	storage_names_ahead_free(&h->named);
	ss_diag_clear(&h->d);
}

static void parts_free(parts *ps)
{
	for (size_t k = 0; k < ps->n; k++)
		part_free(&ps->v[k]);
	free(ps->v);
	for (size_t k = 0; k < ps->nspare; k++)
		listed_free(&ps->spare[k]);
	listed_free(&ps->j.l);
	ss_hashbits_free(&ps->j.bits);
}

/* Where a line that opens a section starts after `from`, looked for in
 * the next SEEK bytes (a file of few sections is read in one part, not
 * read twice to the end here): *at, or UINT64_MAX when none does. */
#define SEEK ((uint64_t)4 << 20)
enum { SEEK_READ = 4096 }; /* a site's section is a few hundred bytes */
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
		long long n =
		    ss_buf_grow(&b, SEEK_READ) < 0
			? ss_diag_oom(d)
			: ss_text_file_read(f, b.data + b.len, SEEK_READ, base + b.len, d);
		if (n < 0)
			r = -1;
		else
			b.len += (size_t)n;
		end = n < (long long)SEEK_READ;
	}
	ss_buf_release(&b);
	return r;
}

/* The file cut into parts of about `size` bytes (one when it is smaller
 * than `split`), each starting where a line opens a section. */
static int cut_parts(const ss_text_file *f, uint64_t split, uint64_t size, parts *ps, ss_diag *d)
{
	uint64_t want = f->size >= split && size ? f->size / size : 1;
	if (want > MAX_PARTS)
		want = MAX_PARTS;
	if (want < 1)
		want = 1;
	if (!(ps->v = calloc((size_t)want, sizeof(*ps->v))))
		return ss_diag_oom(d);
	ps->size = f->size;
	uint64_t from = 0;
	for (uint64_t k = 1; k <= want; k++) {
		uint64_t cut = f->size;
		if (k < want && section_after(f, f->size / want * k, &cut, d) < 0)
			return -1;
		if (k < want && (cut == UINT64_MAX || cut <= from))
			continue; /* no section there, or the part before reaches past */
		ps->v[ps->n] = (part){.index = ps->n, .from = from, .to = cut};
		ps->n++;
		from = cut;
	}
	return 0;
}

/* --- the parts joined into the storage --- */

/* The first part that failed, its error's line counted on by those of
 * the parts before it (or no memory to join them): -1 with *d set; 0
 * when none did. */
static int first_failure(parts *ps, ss_diag *d)
{
	uint64_t lines = 0;
	for (size_t k = 0; k < ps->n; k++) {
		part *p = &ps->v[k];
		if (p->failed)
			return storage_part_error(&p->d, lines, d);
		lines += p->lf_lines;
	}
	return ps->join_failed || ps->j.parts < ps->n ? ss_diag_oom(d) : 0;
}

/* The sessions whose hash's bit is shared (ss_hashbits), by raw name (ss_key_eq):
 * the name's hash in a slot's high half, its index in `raw` in the low
 * (the names stay where they are, the sessions move up as some drop). */
typedef struct raw_name {
	const char *p;
	size_t len;
} raw_name;

typedef struct named_once {
	uint64_t *slot;
	size_t nslot;
	raw_name *raw;
	size_t n, cap;
} named_once;

/* The length of a session's raw name: its name follows it. */
static size_t raw_len(const ss_storage_session *s)
{
	return (size_t)(s->name - s->raw) - 1;
}

/* Whether a session of s's raw name came before: if not, s is added.
 * -1: no memory. Names are read only where the whole hashes are equal. */
static int came_before(named_once *t, const ss_storage_session *s, uint32_t hash)
{
	if (2 * (t->n + 1) > t->nslot &&
	    storage_slots_resize(&t->slot, &t->nslot, t->nslot ? 2 * t->nslot : 256) < 0)
		return -1;
	if (storage_grow(&t->raw, &t->cap, t->n, sizeof(*t->raw), 64) < 0)
		return -1;
	size_t mask = t->nslot - 1, i = hash & mask;
	for (; t->slot[i] != STORAGE_SLOT_EMPTY; i = (i + 1) & mask) {
		if ((uint32_t)(t->slot[i] >> 32) != hash)
			continue;
		const raw_name *other = &t->raw[(uint32_t)t->slot[i]];
		size_t len = raw_len(s);
		if (other->len == len && ss_key_eq(other->p, len, s->raw, len))
			return 1;
	}
	t->slot[i] = (uint64_t)hash << 32 | (uint32_t)t->n;
	t->raw[t->n++] = (raw_name){s->raw, raw_len(s)};
	return 0;
}

/* Drops the sessions of a name that came before (later sections of a
 * session: TMemIniFile reads the first), the arrays compacted in place.
 * Most names are told apart by a bit of their hash (mark_hashes: about
 * 5 in 100 share one with another name); only those that share are
 * looked up by name. The parts list every section, as a table of a
 * part's names probed at random while it was read cost 10 ms of CPU for
 * 100,000 sites. */
static int drop_later_sections(parts *ps, ss_diag *d)
{
	joined *j = &ps->j;
	listed *l = &j->l;
	if (!j->bits.again)
		return 0;
	named_once t = {0};
	size_t kept = 0;
	int r = 0;
	for (size_t s = 0; s < l->n; s++) {
		int before = ss_hashbits_shared(&j->bits, l->hash[s])
				 ? came_before(&t, &l->ses[s], l->hash[s])
				 : 0;
		if (before < 0) {
			r = ss_diag_oom(d);
			break;
		}
		if (before)
			continue;
		if (kept != s) {
			l->ses[kept] = l->ses[s];
			l->first[kept] = l->first[s];
		}
		kept++;
	}
	if (r == 0)
		l->n = kept;
	free(t.slot);
	free(t.raw);
	return r;
}

/* Where each part's sessions end: they follow each other in file order,
 * a part's together (the handles' low bits say whose). */
static void mark_ends(askpriv *p, const size_t *handle, size_t n)
{
	size_t s = 0;
	for (size_t k = 0; k < p->nparts; k++) {
		while (s < n && part_of(handle[s]) <= k)
			s++;
		p->ends[k] = s;
	}
}

/* The parts' sessions listed in the storage, each part's keys and names
 * taken over. */
static int join_parts(ss_storage *st, parts *ps, ss_diag *d)
{
	askpriv *p = st->priv;
	if (first_failure(ps, d) < 0 || drop_later_sections(ps, d) < 0)
		return -1;
	size_t n = ps->n;
	if (!(p->kept = calloc(n, sizeof(*p->kept))) ||
	    !(p->names = calloc(n, sizeof(*p->names))) ||
	    !(p->lf_lines = calloc(n, sizeof(*p->lf_lines))) ||
	    !(p->lines = calloc(n, sizeof(*p->lines))) || !(p->ends = calloc(n, sizeof(*p->ends))))
		return ss_diag_oom(d);
	p->nparts = n;
	uint64_t lf_lines = 0, lines = 0;
	for (size_t k = 0; k < n; k++) {
		part *h = &ps->v[k];
		p->lf_lines[k] = lf_lines;
		p->lines[k] = lines;
		lf_lines += h->lf_lines;
		lines += h->lines;
		storage_keep_names(&h->named, &p->names[k]);
		p->kept[k] = h->kept;
		h->kept = (ss_buf)SS_BUF_INIT;
	}
	listed *l = &ps->j.l;
	if (storage_adopt_block(st, &l->ses, &l->first, l->n, l->n, d) < 0)
		return -1;
	mark_ends(p, st->handle, st->n);
	return 0;
}

static int asked_open(ss_storage *st, const ss_text_file *f, ss_diag *d)
{
	unsigned char bom[2];
	long long nb = ss_text_file_read(f, bom, 2, 0, d);
	if (nb < 0)
		return -1;
	if (ss_text_starts_utf16(bom, nb))
		return 1; /* UTF-16, which WinSCP never writes: read whole */
	if (!(st->priv = calloc(1, sizeof(askpriv))))
		return ss_diag_oom(d);
	uint64_t split = st->pieces.split ? st->pieces.split : SPLIT;
	uint64_t size = st->pieces.part ? st->pieces.part : PART;
	parts ps = {0};
	int r = cut_parts(f, split, size, &ps, d);
	if (r == 0) {
		read_parts(st, f, &ps);
		r = join_parts(st, &ps, d);
	}
	parts_free(&ps);
	return r;
}

static void asked_close(ss_storage *st)
{
	askpriv *p = st->priv;
	if (!p)
		return;
	for (size_t k = 0; p->kept && k < p->nparts; k++)
		ss_buf_release(&p->kept[k]);
	for (size_t k = 0; p->names && k < p->nparts; k++)
		ss_arena_release(&p->names[k]);
	free(p->kept);
	free(p->names);
	free(p->lf_lines);
	free(p->lines);
	free(p->ends);
	free(p);
	st->priv = NULL;
}

/* The parts whose sessions all come before s, freed: their keys and
 * names. Another thread may meanwhile view sessions from s on, which lie
 * in later parts. */
static void asked_release_before(ss_storage *st, size_t s)
{
	askpriv *p = st->priv;
	for (; p && p->released < p->nparts && p->ends[p->released] <= s; p->released++) {
		ss_buf_release(&p->kept[p->released]);
		ss_arena_release(&p->names[p->released]);
	}
}

/* --- reading --- */

/* The view of a key kept (head h, what follows it at `at`; of name
 * `asked`), its lines counted on by `lf_lines` and `lines`, into `out`
 * (zeroed). Each field is written in place: a view made on the stack and
 * copied cost a stall on every copy. */
static void view_of(const kept_head *h, const char *at, const char *asked, size_t alen,
		    uint64_t lf_lines, uint64_t lines, ss_sview *out)
{
	out->present = 1;
	out->type = SS_STYPE_TEXT;
	out->name_ = h->own_name ? at : asked;
	out->name_len_ = alen;
	at += h->own_name ? alen : 0;
	out->text = out->data_ = at;
	out->text_len = out->data_len_ = h->value_len;
	out->order = (size_t)(lines + h->order);
	out->line_ = (size_t)(lf_lines + h->line);
	long v;
	out->is_int = out->plain = ss_winini_parse_int(at, h->value_len, &v) == 0;
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
	size_t k = part_of(st->handle[s]);
	const char *at = p->kept[k].data + kept_at(st->handle[s]);
	for (unsigned char n = (unsigned char)*at++; n; n--) {
		kept_head h;
		at += head_get(at, &h);
		size_t alen = st->asked->len[h.asked], i = 0;
		while (i < a->n && map[i] != (int)h.asked)
			i++;
		if (i < a->n)
			view_of(&h, at, st->asked->names[h.asked], alen, p->lf_lines[k],
				p->lines[k], &out[i]);
		at += (h.own_name ? alen : 0) + h.value_len;
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
    .release_before = asked_release_before,
};
