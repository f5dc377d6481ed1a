/* storage: choosing a backend, the session list, and the checks every
 * call shares. The backends are in be_*.c (see backend.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend.h"
#include "sshsync/keyindex.h"
#include "sshsync/os_file.h"
#include "sshsync/os_sys.h"
#include "sshsync/sessdir.h"

/* Every backend, in the order they are asked whether a path is theirs. */
static const ss_storage_backend *const BACKENDS[] = {
    &ss_storage_sessdir, &ss_storage_regfile, &ss_storage_winini,
    &ss_storage_winereg, &ss_storage_winreg,
};
#define NBACKENDS (sizeof(BACKENDS) / sizeof(BACKENDS[0]))

void ss_svalue_free(ss_svalue *v)
{
	if (!v)
		return;
	free(v->name);
	free(v->text);
	free(v->where);
	free(v->shown);
	memset(v, 0, sizeof(*v));
}

int storage_value_init(ss_svalue *v, const char *name, size_t len, char *where, size_t order)
{
	memset(v, 0, sizeof(*v));
	v->where = where;
	v->name = ss_strndup(name, len);
	v->order = order;
	v->present = 1;
	if (!v->where || !v->name) {
		ss_svalue_free(v);
		return -1;
	}
	return 0;
}

int storage_value_in_text(ss_svalue *v, const ss_text *t, size_t line, const char *name,
			  size_t nlen, const char *asked, const char *data, size_t dlen)
{
	if (storage_value_init(v, name, nlen, storage_where_line(t, line), line) < 0)
		return -1;
	const char *shown = asked ? asked : v->name;
	v->shown = storage_shown(1, shown, strlen(shown), data, dlen);
	if (!v->shown) {
		ss_svalue_free(v);
		return -1;
	}
	return 0;
}

/* The value line for messages (see storage_shown) written at p, which has
 * room for shown_size bytes; formatting without printf, as a large store
 * formats one for every value it reads. */
static size_t shown_size(size_t nlen, size_t len)
{
	return nlen + (len > 40 ? 43 : len) + 4;
}

static void shown_write(char *p, int quoted, const char *name, size_t nlen, const char *data,
			size_t len)
{
	size_t cut = len > 40 ? 40 : len, dots = len > 40 ? 3 : 0;
	if (quoted)
		*p++ = '"';
	memcpy(p, name, nlen);
	p += nlen;
	if (quoted)
		*p++ = '"';
	*p++ = '=';
	memcpy(p, data, cut);
	p += cut;
	memcpy(p, "...", dots);
	p[dots] = '\0';
}

/* In one allocation of the exact size. */
char *storage_shown(int quoted, const char *name, size_t nlen, const char *data, size_t len)
{
	char *s = malloc(shown_size(nlen, len));
	if (s)
		shown_write(s, quoted, name, nlen, data, len);
	return s;
}

char *storage_where(const ss_text *t, size_t offset)
{
	return storage_where_line(t, ss_text_line_at(t, offset));
}

/* "path:LINE" of the 0-based line `index`: its size with the NUL, and the
 * text written at p. */
static size_t where_size(const char *path, size_t index)
{
	size_t n = 2;
	for (size_t line = index + 1; line >= 10; line /= 10)
		n++;
	return strlen(path) + 1 + n;
}

/* Returns the length written (the NUL after it not counted). */
static size_t where_write(char *p, const char *path, size_t index)
{
	size_t plen = strlen(path);
	memcpy(p, path, plen);
	p[plen] = ':';
	char digits[25];
	digits[24] = '\0';
	size_t at = ss_format_lld(digits, (long long)index + 1);
	memcpy(p + plen + 1, digits + at, sizeof(digits) - at);
	return plen + 1 + (sizeof(digits) - 1 - at);
}

char *storage_where_path(const char *path, size_t index)
{
	char *s = malloc(where_size(path, index));
	if (s)
		where_write(s, path, index);
	return s;
}

char *storage_where_line(const ss_text *t, size_t index)
{
	return storage_where_path(t->path, index);
}

const char *storage_display(const ss_storage *st)
{
	return st->text ? st->text->path : st->path;
}

void storage_int_text(uint32_t value, char out[16])
{
	snprintf(out, 16, "%ld", (long)(int32_t)value);
}

int ss_storage_unescape(const char *raw, size_t len, ss_buf *out)
{
	return ss_sessname_from_file(raw, len, out);
}

int storage_grow(void *v, size_t *cap, size_t n, size_t size, size_t first)
{
	void **pv = v;
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : first;
	void *nv = realloc(*pv, c * size);
	if (!nv)
		return -1;
	*pv = nv;
	*cap = c;
	return 0;
}

int storage_reserve_sessions(ss_storage *st, size_t n, ss_diag *d)
{
	if (n <= st->cap)
		return 0;
	size_t *handle = realloc(st->handle, n * sizeof(*handle));
	if (!handle)
		return ss_diag_oom(d);
	st->handle = handle;
	ss_storage_session *s = realloc(st->sessions, n * sizeof(*s));
	if (!s)
		return ss_diag_oom(d);
	st->sessions = s;
	st->cap = n;
	return 0;
}

static void drop_session(ss_storage *st, size_t i)
{
	/* Its names stay in st->names until the storage is closed. */
	if (st->sessions[i].file != st->path)
		free(st->sessions[i].file);
}

/* The values the last view of a backend without views borrowed from. */
static void drop_kept(ss_storage *st)
{
	if (!st->kept)
		return; /* nothing written: threads may view values at once */
	for (size_t i = 0; i < st->nkept; i++)
		ss_svalue_free(&st->kept[i]);
	free(st->kept);
	st->kept = NULL;
	st->nkept = 0;
}

int storage_check_name(const ss_storage *st, const char *raw, size_t len, ss_diag *d)
{
	const char *nul = memchr(raw, '\0', len);
	if (!nul)
		return 0;
	const ss_text *t = st->text;
	if (t && t->data && nul >= t->data && nul < t->data + t->len)
		return ss_text_error(t, d, (size_t)(nul - t->data), "%s", STORAGE_NUL_NAME);
	return ss_diag_set(d, st->path, 0, 0, "%s", STORAGE_NUL_NAME);
}

/* --- the session index: ss_storage_find without a scan (10,000 .reg
 * sessions each looked up once by PuTTY's reading rule) --- */

/* Open addressing, linear probing; only the first of names that same_raw
 * takes as one is there, as a scan finds it first. It is made at the
 * FIRST_SCANS + 1st question and from then on takes the sessions listed
 * since at each one: a scan costs less than the table for a few questions
 * (an audit of 100,000 WinSCP sites asks none, an apply two), whose names
 * it hashes and puts in random places of a table of megabytes. */
#define FIRST_SCANS 4
typedef struct storage_index {
	storage_slot *slot;
	size_t cap;   /* a power of two, at least twice n; 0: none yet */
	size_t n;     /* the sessions [0, n) are in it */
	size_t asked; /* questions answered by a scan */
} storage_index;

/* Whether two raw names name the same session in this store. */
static int same_raw(const ss_storage *st, const char *a, const char *b)
{
	return (st->be->fold_case ? strcasecmp(a, b) : strcmp(a, b)) == 0;
}

/* The table key of a raw name: folded as same_raw compares. */
static uint64_t raw_hash(const ss_storage *st, const char *raw)
{
	size_t len = strlen(raw);
	return st->be->fold_case ? ss_key_hash(raw, len) : ss_hash_key(raw, len);
}

/* The slot that holds the first session same_raw takes as `raw` (whose
 * raw_hash is h), or the empty slot where it would go. */
static size_t index_slot(const ss_storage *st, const char *raw, uint32_t h)
{
	const storage_index *ix = st->index;
	size_t mask = ix->cap - 1, i = h & mask;
	for (const storage_slot *x = &ix->slot[i]; x->s1; x = &ix->slot[i]) {
		if (x->hash == h && same_raw(st, st->sessions[x->s1 - 1].raw, raw))
			break;
		i = (i + 1) & mask;
	}
	return i;
}

/* A table of `cap` slots with the entries of the present one. */
static int index_rehash(storage_index *ix, size_t cap)
{
	storage_slot *t = calloc(cap, sizeof(*t));
	if (!t)
		return -1;
	for (size_t j = 0; j < ix->cap; j++) {
		const storage_slot *x = &ix->slot[j];
		if (!x->s1)
			continue;
		/* Names in the table are distinct: each goes to the first
		 * empty slot of its probe. */
		size_t i = x->hash & (cap - 1);
		while (t[i].s1)
			i = (i + 1) & (cap - 1);
		t[i] = *x;
	}
	free(ix->slot);
	ix->slot = t;
	ix->cap = cap;
	return 0;
}

/* The sessions listed since the last question join the table, which
 * doubles to stay at most half full. */
static int index_catch_up(const ss_storage *st)
{
	storage_index *ix = st->index;
	for (; ix->n < st->n; ix->n++) {
		if ((ix->n + 1) * 2 > ix->cap && index_rehash(ix, ix->cap ? ix->cap * 2 : 32) < 0)
			return -1;
		const char *raw = st->sessions[ix->n].raw;
		uint32_t h = (uint32_t)raw_hash(st, raw);
		size_t i = index_slot(st, raw, h);
		/* A later session of a name already there stays out: the
		 * first wins. */
		if (!ix->slot[i].s1) {
			ix->slot[i].hash = h;
			ix->slot[i].s1 = (uint32_t)ix->n + 1;
		}
	}
	return 0;
}

/* The last session, just dropped (st->n is one less), leaves the index. */
static void index_drop_last(ss_storage *st)
{
	free(st->sorted);
	st->sorted = NULL;
	/* A rare path (a session that could not be created): the table is
	 * made again at the next question, so that no probe chain is cut. */
	storage_index *ix = st->index;
	if (ix->n > st->n) {
		free(ix->slot);
		ix->slot = NULL;
		ix->cap = ix->n = 0;
	}
}

/* Room for one more session: its entry zeroed, or NULL with `d` set. */
static ss_storage_session *next_session(ss_storage *st, ss_diag *d)
{
	size_t hcap = st->cap;
	if (storage_grow(&st->handle, &hcap, st->n, sizeof(*st->handle), 16) < 0 ||
	    storage_grow(&st->sessions, &st->cap, st->n, sizeof(*st->sessions), 16) < 0) {
		ss_diag_oom(d);
		return NULL;
	}
	if (st->n >= UINT32_MAX - 1) { /* the index numbers them in 32 bits */
		ss_diag_oom(d);
		return NULL;
	}
	ss_storage_session *s = &st->sessions[st->n];
	memset(s, 0, sizeof(*s));
	return s;
}

/* The session at st->n (next_session) counted in, with its handle. */
static void count_session(ss_storage *st, size_t handle)
{
	st->handle[st->n++] = handle;
	free(st->sorted);
	st->sorted = NULL;
}

/* The raw name raw[0..len) and the name `unescaped` made of it, side by
 * side in `a`: the raw name, the name after its NUL. */
static char *names_in(ss_arena *a, const char *raw, size_t len, const ss_buf *unescaped)
{
	char *at = ss_arena_alloc(a, len + unescaped->len + 2);
	if (at) {
		memcpy(at, raw, len);
		at[len] = '\0';
		memcpy(at + len + 1, unescaped->data, unescaped->len + 1);
	}
	return at;
}

static int (*unescape_of(const ss_storage *st))(const char *, size_t, ss_buf *)
{
	return st->root->unescape ? st->root->unescape : ss_storage_unescape;
}

int storage_add_session(ss_storage *st, const char *raw, size_t len, const char *file,
			size_t handle, ss_diag *d)
{
	if (storage_check_name(st, raw, len, d) < 0)
		return -1;
	ss_storage_session *s = next_session(st, d);
	if (!s)
		return -1;
	/* One buffer for every name: no allocation per session. */
	ss_buf *name = &st->unescaped;
	ss_buf_reset(name);
	/* Sessions of one file share its name. */
	s->file = strcmp(file, st->path) == 0 ? st->path : ss_strdup(file);
	/* Raw name and name side by side in the storage's arena. */
	if (s->file && unescape_of(st)(raw, len, name) == 0 && ss_buf_grow(name, 0) == 0 &&
	    (s->raw = names_in(&st->names, raw, len, name)))
		s->name = s->raw + len + 1;
	if (!s->raw) {
		if (s->file != st->path)
			free(s->file);
		return ss_diag_oom(d);
	}
	count_session(st, handle);
	return 0;
}

char *storage_name_ahead(const ss_storage *st, storage_names_ahead *n, const char *raw, size_t len)
{
	if (memchr(raw, '\0', len))
		return NULL; /* refused, with its place, by storage_add_session */
	ss_buf_reset(&n->scratch);
	if (unescape_of(st)(raw, len, &n->scratch) < 0 || ss_buf_grow(&n->scratch, 0) < 0)
		return NULL;
	return names_in(&n->arena, raw, len, &n->scratch);
}

int storage_add_block(ss_storage *st, const ss_storage_session *v, const size_t *handles, size_t n,
		      ss_diag *d)
{
	if (n > SIZE_MAX - st->n || st->n + n >= UINT32_MAX - 1) /* numbered in 32 bits */
		return ss_diag_oom(d);
	if (storage_reserve_sessions(st, st->n + n, d) < 0)
		return -1;
	if (n) { /* they may be there already, or further on in the arrays */
		memmove(st->sessions + st->n, v, n * sizeof(*v));
		memmove(st->handle + st->n, handles, n * sizeof(*handles));
	}
	st->n += n;
	free(st->sorted);
	st->sorted = NULL;
	return 0;
}

int storage_adopt_block(ss_storage *st, ss_storage_session **v, size_t **handles, size_t n,
			size_t room, ss_diag *d)
{
	size_t cap = room > n ? room : n;
	if (st->n != 0 || cap >= UINT32_MAX - 1 || cap > SIZE_MAX / sizeof(**v))
		return ss_diag_oom(d); /* numbered in 32 bits */
	/* Grown in place where it can: a block of megabytes moves without a
	 * copy. */
	ss_storage_session *s = realloc(*v, (cap ? cap : 1) * sizeof(*s));
	if (!s)
		return ss_diag_oom(d);
	*v = s;
	size_t *h = realloc(*handles, (cap ? cap : 1) * sizeof(*h));
	if (!h)
		return ss_diag_oom(d);
	*handles = h;
	free(st->sessions);
	free(st->handle);
	st->sessions = s;
	st->handle = h;
	st->cap = cap;
	st->n = n;
	*v = NULL;
	*handles = NULL;
	free(st->sorted);
	st->sorted = NULL;
	return 0;
}

void storage_adopt_names(ss_storage *st, storage_names_ahead *n)
{
	ss_arena_adopt(&st->names, &n->arena);
	ss_buf_release(&n->scratch);
}

void storage_keep_names(storage_names_ahead *n, ss_arena *into)
{
	ss_arena_adopt(into, &n->arena);
	ss_buf_release(&n->scratch);
}

void storage_names_ahead_free(storage_names_ahead *n)
{
	ss_arena_release(&n->arena);
	ss_buf_release(&n->scratch);
}

static const ss_storage_backend *fallback(const ss_storage_root *root)
{
	for (size_t i = 0; root->fallback && i < NBACKENDS; i++)
		if (strcmp(BACKENDS[i]->name, root->fallback) == 0)
			return BACKENDS[i];
	return NULL;
}

/* Of the backends that accept `root`, the one whose probe of `path` (and
 * `data`, its text or first bytes) is surest; NULL when none takes it. */
static const ss_storage_backend *best_probe(const ss_storage_root *root, const char *path,
					    int is_dir, const char *data, size_t len)
{
	const ss_storage_backend *best = NULL;
	int score = 0;
	for (size_t i = 0; i < NBACKENDS; i++) {
		const ss_storage_backend *be = BACKENDS[i];
		int s = be->accepts(root) ? be->probe(path, is_dir, data, len) : 0;
		if (s > score) {
			best = be;
			score = s;
		}
	}
	return best;
}

/* The backend for `path`: the surest of those that accept the root, else
 * the root's fallback. Loads the file (into st->text) unless a backend
 * takes the path as it is. */
static const ss_storage_backend *choose(ss_storage *st, ss_diag *d)
{
	/* First without reading: folders, and paths that are no file. */
	const ss_storage_backend *best =
	    best_probe(st->root, st->path, ss_os_is_dir(st->path), NULL, 0);
	if (best)
		return best;
	ss_text *t = st->text; /* a file the changeset holds already */
	if (!t) {
		if (!(t = calloc(1, sizeof(*t)))) {
			ss_diag_oom(d);
			return NULL;
		}
		/* Without a changeset nothing of it is written: no hash. */
		int r = st->cs ? ss_text_load(t, st->path, 0, d)
			       : ss_text_load_unhashed(t, st->path, 0, d);
		if (r < 0) {
			free(t);
			return NULL;
		}
		st->text = t;
		st->own_text = 1;
	}
	best = best_probe(st->root, st->path, 0, t->data, t->len);
	if (!best)
		best = fallback(st->root);
	if (!best)
		ss_text_error(t, d, 0, "not a store of this client");
	return best;
}

static ss_storage *storage_alloc(const char *path, const ss_storage_root *root,
				 const char *codepage, ss_changeset *cs, ss_diag *d)
{
	ss_storage *st = calloc(1, sizeof(*st));
	if (!st || !(st->path = ss_strdup(path)) || !(st->index = calloc(1, sizeof(*st->index)))) {
		if (st)
			free(st->path);
		free(st);
		ss_diag_oom(d);
		return NULL;
	}
	st->root = root;
	st->codepage = codepage;
	st->cs = cs;
	return st;
}

/* Hands st->text to the changeset (unless it holds it already: `held`)
 * and lets the backend list the sessions. Closes st on failure. */
static int storage_start(ss_storage *st, int held, ss_storage **out, ss_diag *d)
{
	if (st->be && st->text && st->cs && !held) {
		/* The changeset owns the text from here, also on failure. */
		st->own_text = 0;
		st->change = st->cs->n;
		if (!ss_changeset_add(st->cs, st->text)) {
			st->text = NULL;
			st->be = NULL;
			ss_diag_oom(d);
		}
	}
	if (!st->be || st->be->open(st, d) < 0) {
		ss_storage_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

int ss_storage_open(ss_storage **out, const char *path, const ss_storage_root *root,
		    const char *codepage, ss_changeset *cs, ss_diag *d)
{
	*out = NULL;
	ss_storage *st = storage_alloc(path, root, codepage, cs, d);
	if (!st)
		return -1;
	/* A file that another storage of this changeset opened (Wine's
	 * user.reg holds PuTTY's, KiTTY's and WinSCP's sessions) is read and
	 * planned as one text with one edit list, so that no plan of it is
	 * lost to another. */
	ss_change *held = cs ? ss_changeset_find(cs, path) : NULL;
	if (held) {
		st->text = held->text;
		st->change = (size_t)(held - cs->v);
	}
	st->be = choose(st, d);
	return storage_start(st, held != NULL, out, d);
}

static int ends_with_reg(const char *path)
{
	size_t n = strlen(path);
	return n > 4 && strcasecmp(path + n - 4, ".reg") == 0;
}

/* The text a new .reg file starts from: what regedit's export starts with. */
static int seed_regfile(ss_text *t, const char *path, ss_diag *d)
{
	static const char head[] = "Windows Registry Editor Version 5.00\r\n\r\n";
	ss_buf b = SS_BUF_INIT;
	int r =
	    ss_buf_add(&b, "\xFF\xFE", 2) < 0 || ss_utf8_to_utf16le(head, sizeof(head) - 1, &b) < 0
		? ss_diag_oom(d)
		: ss_text_from_bytes(t, path, b.data, b.len, d);
	ss_buf_release(&b);
	return r;
}

/* A new store of the kind its name says: its backend and, for a file, the
 * text it starts from. */
static int start_new(ss_storage *st, ss_diag *d)
{
	const ss_storage_backend *be = NULL;
	for (size_t i = 0; i < NBACKENDS && !be; i++) {
		const ss_storage_backend *b = BACKENDS[i];
		if (!b->accepts(st->root))
			continue;
		if (ends_with_reg(st->path)	       ? strcmp(b->name, "regfile") == 0
		    : st->root->files != SS_FILES_NONE ? b->folder_files != NULL
						       : strcmp(b->name, "winini") == 0)
			be = b;
	}
	if (!be)
		return ss_diag_set(d, st->path, 0, 0,
				   "no such store, and this client keeps none of that name's kind");
	st->fresh = 1;
	if (be->folder_files) {
		st->be = be;
		return 0;
	}
	if (!(st->text = calloc(1, sizeof(*st->text))))
		return ss_diag_oom(d);
	st->own_text = 1;
	int r = strcmp(be->name, "regfile") == 0
		    ? seed_regfile(st->text, st->path, d)
		    : ss_text_new_empty(st->text, st->path, SS_ENC_BYTES, SS_EOL_CRLF, d);
	if (r < 0) {
		free(st->text);
		st->text = NULL;
		return -1;
	}
	st->be = be;
	return 0;
}

/* Whether a backend takes `path` as it is, without a file (the live
 * registry's key paths). */
static int claimed(const char *path, const ss_storage_root *root)
{
	return best_probe(root, path, 0, NULL, 0) != NULL;
}

int ss_storage_open_or_create(ss_storage **out, const char *path, const ss_storage_root *root,
			      ss_changeset *cs, ss_diag *d)
{
	if (ss_os_path_exists(path) || (cs && ss_changeset_find(cs, path)) || claimed(path, root))
		return ss_storage_open(out, path, root, NULL, cs, d);
	*out = NULL;
	ss_storage *st = storage_alloc(path, root, NULL, cs, d);
	if (!st)
		return -1;
	if (start_new(st, d) < 0) {
		ss_storage_close(st);
		return -1;
	}
	return storage_start(st, 0, out, d);
}

/* The backend that reads st piece by piece, when one can: the file's
 * first bytes (decoded, for a UTF-16 file) probed as choose probes the
 * whole text. NULL when none can; -1 in *failed on an error. */
static const ss_storage_backend *choose_asked(ss_storage *st, const ss_text_file *f, int *failed,
					      ss_diag *d)
{
	unsigned char head[SS_TEXT_CHUNK];
	long long n = ss_text_file_read(f, head, sizeof(head), 0, d);
	ss_buf text = SS_BUF_INIT;
	if (n < 0 || (ss_text_starts_utf16(head, n) &&
		      ss_utf16le_to_utf8(head + 2, (size_t)n - 2, &text) < 0)) {
		*failed = 1;
		if (n >= 0)
			ss_diag_oom(d);
		ss_buf_release(&text);
		return NULL;
	}
	const ss_storage_backend *best =
	    text.data ? best_probe(st->root, st->path, 0, text.data, text.len)
		      : best_probe(st->root, st->path, 0, (const char *)head, (size_t)n);
	ss_buf_release(&text);
	return best ? best->asked : NULL;
}

int ss_storage_open_asked(ss_storage **out, const char *path, const ss_storage_root *root,
			  const char *codepage, const ss_storage_asked *a,
			  const ss_storage_pieces *pieces, ss_diag *d)
{
	*out = NULL;
	ss_storage *st = storage_alloc(path, root, codepage, NULL, d);
	if (!st)
		return -1;
	st->asked = a;
	if (pieces)
		st->pieces = *pieces;
	/* What ss_storage_open decides without reading comes first; a file
	 * that cannot be opened fails here as its load would. */
	ss_text_file f;
	int failed = 0;
	const ss_storage_backend *be = NULL;
	if (!ss_os_is_dir(path) && !claimed(path, root)) {
		failed = ss_text_file_open(&f, path, 0, d) < 0;
		if (!failed) {
			be = choose_asked(st, &f, &failed, d);
			int r = 0;
			if (be) {
				st->be = be;
				r = be->open_asked(st, &f, d);
			}
			failed = r < 0;
			if (r > 0)
				be = NULL; /* the backend reads this file whole */
			ss_text_file_close(&f);
		}
	}
	if (failed) {
		ss_storage_close(st);
		return -1;
	}
	if (be) {
		*out = st;
		return 0;
	}
	st->be = choose(st, d);
	return storage_start(st, 0, out, d);
}

void ss_storage_close(ss_storage *st)
{
	if (!st)
		return;
	if (st->be && st->be->close)
		st->be->close(st);
	for (size_t i = 0; i < st->n; i++)
		drop_session(st, i);
	free(st->sessions);
	ss_arena_release(&st->names);
	free(st->handle);
	free(st->index->slot);
	free(st->index);
	ss_buf_release(&st->unescaped);
	free(st->sorted);
	drop_kept(st);
	if (st->text && st->own_text) {
		ss_text_free(st->text);
		free(st->text);
	}
	free(st->path);
	free(st);
}

ss_edits *storage_edits(ss_storage *st)
{
	return st->whole ? &st->part_edits : &st->cs->v[st->change].edits;
}

const char *ss_storage_misfit(const ss_storage_root *root, const char *head, size_t len,
			      int session_file, size_t *offset)
{
	for (size_t i = 0; i < NBACKENDS; i++) {
		const ss_storage_backend *be = BACKENDS[i];
		if (!be->accepts(root) || !be->misfit)
			continue;
		if (session_file ? be->folder_files != NULL : be->probe(NULL, 0, head, len) == 2)
			return be->misfit(root, head, len, session_file, offset);
	}
	const ss_storage_backend *be = fallback(root);
	return be && be->misfit && !session_file ? be->misfit(root, head, len, 0, offset) : NULL;
}

int ss_storage_folder_files(const ss_storage_root *root, const char *dir, ss_strlist *out,
			    ss_diag *d)
{
	for (size_t i = 0; i < NBACKENDS; i++)
		if (BACKENDS[i]->accepts(root) && BACKENDS[i]->folder_files)
			return BACKENDS[i]->folder_files(root, dir, out, d);
	return ss_diag_set(d, dir, 0, 0, "this client keeps no session folders");
}

const char *ss_storage_backend_name(const ss_storage *st)
{
	return st->be->name;
}

int ss_storage_reads_shared(const ss_storage *st)
{
	/* view_asked views without keeping values (drop_kept then writes
	 * nothing); a changeset caches a session's keys for its edits. */
	return st->be->view_asked && !st->cs;
}

int ss_storage_keyed(const ss_storage *st)
{
	return st->be->keyed;
}

int ss_storage_names_once(const ss_storage *st)
{
	return st->names_once;
}

int ss_storage_dedicated(const ss_storage *st)
{
	return st->be->dedicated;
}

size_t ss_storage_count(const ss_storage *st)
{
	return st->n;
}

const ss_storage_session *ss_storage_at(const ss_storage *st, size_t s)
{
	return s < st->n ? &st->sessions[s] : NULL;
}

char *ss_storage_file_of(const ss_storage *st, const char *raw)
{
	return st->be->file_of ? st->be->file_of(st, raw) : ss_strdup(st->path);
}

/* The first session same_raw takes as `raw`, by a scan. */
static size_t scan_find(const ss_storage *st, const char *raw)
{
	for (size_t i = 0; i < st->n; i++)
		if (same_raw(st, st->sessions[i].raw, raw))
			return i;
	return SIZE_MAX;
}

size_t ss_storage_find(const ss_storage *st, const char *raw)
{
	storage_index *ix = st->index;
	if (st->n == 0)
		return SIZE_MAX;
	if (!ix->cap && ix->asked < FIRST_SCANS) {
		ix->asked++;
		return scan_find(st, raw);
	}
	/* Out of memory for the table, a scan gives the same answer. */
	if (index_catch_up(st) < 0)
		return scan_find(st, raw);
	size_t i = index_slot(st, raw, (uint32_t)raw_hash(st, raw));
	return ix->slot[i].s1 ? ix->slot[i].s1 - 1 : SIZE_MAX;
}

/* --- names in order: ss_storage_has_prefix without a scan (PuTTY's
 * rule for a non-ASCII key name asks, for each, whether another key starts
 * with its escaped ASCII part) --- */

typedef struct storage_named {
	const char *raw;
	size_t s;
} storage_named;

/* At most n bytes of a and b compared as strcmp does, or, folding ASCII
 * letters, as strncasecmp does in the C locale (sshsync sets no locale). */
static int name_cmp(const char *a, const char *b, size_t n, int fold)
{
	for (size_t i = 0; i < n; i++) {
		int x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (fold) {
			x = x >= 'A' && x <= 'Z' ? x - 'A' + 'a' : x;
			y = y >= 'A' && y <= 'Z' ? y - 'A' + 'a' : y;
		}
		if (x != y || x == 0)
			return x - y;
	}
	return 0;
}

static int by_exact_name(const void *a, const void *b)
{
	return name_cmp(((const storage_named *)a)->raw, ((const storage_named *)b)->raw, SIZE_MAX,
			0);
}

static int by_folded_name(const void *a, const void *b)
{
	return name_cmp(((const storage_named *)a)->raw, ((const storage_named *)b)->raw, SIZE_MAX,
			1);
}

static int sorted_names(ss_storage *st)
{
	if (st->sorted || st->n == 0)
		return 0;
	storage_named *v = malloc(st->n * sizeof(*v));
	if (!v)
		return -1;
	for (size_t i = 0; i < st->n; i++)
		v[i] = (storage_named){st->sessions[i].raw, i};
	qsort(v, st->n, sizeof(*v), st->be->fold_case ? by_folded_name : by_exact_name);
	st->sorted = v;
	return 0;
}

int ss_storage_has_prefix(ss_storage *st, const char *prefix, size_t skip, int *any)
{
	*any = 0;
	if (sorted_names(st) < 0)
		return -1;
	int fold = st->be->fold_case;
	size_t lo = 0, hi = st->n, plen = strlen(prefix);
	/* The first name not before the prefix: every name that starts with
	 * it follows, together. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (name_cmp(st->sorted[mid].raw, prefix, SIZE_MAX, fold) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < st->n && !*any; i++) {
		if (name_cmp(st->sorted[i].raw, prefix, plen, fold) != 0)
			break;
		*any = st->sorted[i].s != skip;
	}
	return 0;
}

static int writable(const ss_storage *st, ss_diag *d)
{
	if (!st->cs)
		return ss_diag_set(d, st->path, 0, 0, "opened read-only");
	if (st->committed)
		return ss_diag_set(d, st->path, 0, 0, "edits are already committed");
	return 0;
}

static int check(const ss_storage *st, size_t s, int write, ss_diag *d)
{
	if (s >= st->n)
		return ss_diag_set(d, st->path, 0, 0, "no session number %zu", s);
	if (write && st->whole && st->sessions[s].created)
		return ss_diag_set(d, st->path, 0, 0, "a part cannot write a new session");
	if (write)
		return writable(st, d);
	return 0;
}

int ss_storage_get_many(ss_storage *st, size_t s, const char *const *names, size_t n,
			ss_svalue *out, ss_diag *d)
{
	memset(out, 0, n * sizeof(*out));
	if (check(st, s, 0, d) < 0)
		return -1;
	if (st->be->get_many(st, s, names, n, out, d) < 0) {
		for (size_t i = 0; i < n; i++)
			ss_svalue_free(&out[i]);
		return -1;
	}
	return 0;
}

/* A view of an owned value, which it borrows. */
static void view_of_value(const ss_svalue *v, ss_sview *out)
{
	memset(out, 0, sizeof(*out));
	if (!v->present)
		return;
	out->present = 1;
	out->type = v->type;
	out->dword = v->dword;
	out->text = v->text;
	out->text_len = v->text ? strlen(v->text) : 0;
	out->is_int = v->is_int;
	out->plain = v->plain;
	out->ival = v->ival;
	out->order = v->order;
	out->full_ = v;
}

int ss_storage_ask(ss_storage_asked *a, const char *const *names, size_t n)
{
	if (n > SS_STORAGE_ASKED_MAX)
		return -1;
	memset(a, 0, sizeof(*a));
	a->names = names;
	a->n = n;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		a->len[i] = len;
		a->bucket[len % 16] |= (uint32_t)1 << i;
		a->any_empty |= len == 0;
		unsigned char c = (unsigned char)names[i][0], other = c;
		if (c >= 'A' && c <= 'Z')
			other = (unsigned char)(c - 'A' + 'a');
		else if (c >= 'a' && c <= 'z')
			other = (unsigned char)(c - 'a' + 'A');
		a->first[c / 64] |= (uint64_t)1 << (c % 64);
		a->first[other / 64] |= (uint64_t)1 << (other % 64);
	}
	return 0;
}

/* Views through get_many: owned values, kept until the next call. */
static int view_owned(ss_storage *st, size_t s, const char *const *names, size_t n, ss_sview *out,
		      ss_diag *d)
{
	ss_svalue *kept = calloc(n ? n : 1, sizeof(*kept));
	if (!kept)
		return ss_diag_oom(d);
	if (ss_storage_get_many(st, s, names, n, kept, d) < 0) {
		free(kept);
		return -1;
	}
	st->kept = kept;
	st->nkept = n;
	for (size_t i = 0; i < n; i++)
		view_of_value(&kept[i], &out[i]);
	return 0;
}

void ss_storage_release_before(ss_storage *st, size_t s)
{
	if (st->be->release_before && !st->cs)
		st->be->release_before(st, s < st->n ? s : st->n);
}

int ss_storage_view_asked(ss_storage *st, size_t s, const ss_storage_asked *a, ss_sview *out,
			  ss_diag *d)
{
	drop_kept(st);
	memset(out, 0, a->n * sizeof(*out));
	if (check(st, s, 0, d) < 0)
		return -1;
	if (st->be->view_asked)
		return st->be->view_asked(st, s, a, out, d);
	return view_owned(st, s, a->names, a->n, out, d);
}

int ss_storage_view_many(ss_storage *st, size_t s, const char *const *names, size_t n,
			 ss_sview *out, ss_diag *d)
{
	ss_storage_asked a;
	if (st->be->view_asked && ss_storage_ask(&a, names, n) == 0)
		return ss_storage_view_asked(st, s, &a, out, d);
	drop_kept(st);
	memset(out, 0, n * sizeof(*out));
	if (check(st, s, 0, d) < 0)
		return -1;
	return view_owned(st, s, names, n, out, d);
}

int ss_storage_view_where(const ss_storage *st, const ss_sview *v, ss_buf *out)
{
	if (v->full_)
		return ss_buf_adds(out, v->full_->where);
	/* Room for the path, ':' and at most 20 digits: the exact size would
	 * measure the path once more (a large store makes this for one value
	 * of a session in two). */
	const char *path = storage_display(st);
	if (ss_buf_grow(out, strlen(path) + 21) < 0)
		return -1;
	out->len += where_write(out->data + out->len, path, v->line_);
	return 0;
}

int ss_storage_view_shown(const ss_sview *v, ss_buf *out)
{
	if (v->full_)
		return ss_buf_adds(out, v->full_->shown);
	if (ss_buf_grow(out, shown_size(v->name_len_, v->data_len_)) < 0)
		return -1;
	shown_write(out->data + out->len, v->quoted_, v->name_, v->name_len_, v->data_,
		    v->data_len_);
	out->len += strlen(out->data + out->len);
	return 0;
}

int storage_value_of_view(const ss_storage *st, const ss_sview *v, ss_svalue *out)
{
	if (storage_value_init(out, v->name_, v->name_len_,
			       storage_where_path(storage_display(st), v->line_), v->order) < 0)
		return -1;
	out->type = v->type;
	out->dword = v->dword;
	out->is_int = v->is_int;
	out->plain = v->plain;
	out->ival = v->ival;
	out->shown = storage_shown(v->quoted_, v->name_, v->name_len_, v->data_, v->data_len_);
	if (v->text)
		out->text = ss_strndup(v->text, v->text_len);
	if (!out->shown || (v->text && !out->text)) {
		ss_svalue_free(out);
		return -1;
	}
	return 0;
}

int ss_storage_get(ss_storage *st, size_t s, const char *name, ss_svalue *out, ss_diag *d)
{
	if (ss_storage_get_many(st, s, &name, 1, out, d) < 0)
		return -1;
	return out->present;
}

int ss_storage_next(ss_storage *st, size_t s, ss_storage_cursor *c, ss_svalue *out, ss_diag *d)
{
	memset(out, 0, sizeof(*out));
	if (check(st, s, 0, d) < 0)
		return -1;
	return st->be->next(st, s, c, out, d);
}

int ss_storage_set_dword(ss_storage *st, size_t s, const char *name, uint32_t value, ss_diag *d)
{
	if (check(st, s, 1, d) < 0)
		return -1;
	ss_svalue v = {0};
	v.type = SS_STYPE_DWORD;
	v.dword = value;
	return st->be->set(st, s, name, &v, d);
}

int ss_storage_set_string(ss_storage *st, size_t s, const char *name, const char *value, ss_diag *d)
{
	if (check(st, s, 1, d) < 0)
		return -1;
	ss_svalue v = {0};
	v.type = SS_STYPE_STRING;
	v.text = (char *)value;
	return st->be->set(st, s, name, &v, d);
}

int ss_storage_delete(ss_storage *st, size_t s, const char *name, ss_diag *d)
{
	if (check(st, s, 1, d) < 0)
		return -1;
	return st->be->del(st, s, name, d);
}

/* writable, and no part: what only the storage itself does. */
static int writable_whole(const ss_storage *st, ss_diag *d)
{
	if (st->whole)
		return ss_diag_set(d, st->path, 0, 0, "a part creates and commits nothing");
	return writable(st, d);
}

int ss_storage_create(ss_storage *st, const char *raw, size_t *index, ss_diag *d)
{
	if (writable_whole(st, d) < 0)
		return -1;
	if (ss_storage_find(st, raw) != SIZE_MAX)
		return ss_diag_set(d, st->path, 0, 0, "a session \"%s\" is already there", raw);
	char *file = ss_storage_file_of(st, raw);
	int r = file ? storage_add_session(st, raw, strlen(raw), file, 0, d) : ss_diag_oom(d);
	free(file);
	if (r < 0)
		return -1;
	size_t s = st->n - 1;
	st->sessions[s].created = 1;
	if (st->be->create(st, s, d) < 0) {
		/* Not listed when it cannot be made. */
		drop_session(st, --st->n);
		index_drop_last(st);
		return -1;
	}
	*index = s;
	return 0;
}

int ss_storage_commit(ss_storage *st, ss_diag *d)
{
	if (writable_whole(st, d) < 0)
		return -1;
	st->committed = 1;
	return st->be->commit(st, d);
}

int ss_storage_seal(ss_storage *st, size_t s, ss_diag *d)
{
	if (s >= st->n || !st->sessions[s].created || !st->be->seal || st->committed)
		return 0;
	return st->be->seal(st, s, d);
}

int ss_storage_part(ss_storage *st, ss_storage **part, ss_diag *d)
{
	*part = NULL;
	if (writable(st, d) < 0)
		return -1;
	if (!st->be->part || st->whole)
		return 1;
	ss_storage *p = malloc(sizeof(*p));
	if (!p)
		return ss_diag_oom(d);
	*p = *st;
	p->whole = st;
	p->part_edits = (ss_edits)SS_EDITS_INIT;
	p->kept = NULL;
	p->nkept = 0;
	p->priv = NULL;
	if (st->be->part(st, p, d) < 0) {
		ss_storage_part_free(p);
		return -1;
	}
	*part = p;
	return 0;
}

int ss_storage_part_join(ss_storage *st, ss_storage *part, ss_diag *d)
{
	int r = st->be->join(st, part, d);
	if (r == 0 && ss_edits_take(storage_edits(st), &part->part_edits) < 0)
		r = ss_diag_oom(d);
	ss_storage_part_free(part);
	return r;
}

void ss_storage_part_free(ss_storage *part)
{
	if (!part)
		return;
	if (part->priv)
		part->be->part_close(part);
	drop_kept(part);
	ss_edits_free(&part->part_edits);
	free(part);
}

int storage_asked_index(const ss_storage *st, const char *name, ss_diag *d)
{
	const ss_storage_asked *a = st->asked;
	for (size_t j = 0; j < a->n; j++)
		if (a->names[j] == name || strcmp(a->names[j], name) == 0)
			return (int)j;
	return ss_diag_set(d, st->path, 0, 0,
			   "internal error: the store was read for other values than \"%s\"", name);
}

int storage_asked_probe(const char *path, int is_dir, const char *data, size_t len)
{
	(void)path;
	(void)is_dir;
	(void)data;
	(void)len;
	return 0;
}

int storage_asked_next(ss_storage *st, size_t s, ss_storage_cursor *c, ss_svalue *out, ss_diag *d)
{
	(void)s;
	(void)c;
	(void)out;
	return ss_diag_set(d, st->path, 0, 0,
			   "internal error: the store was read for some values, not every one");
}

int storage_get_many_by_views(ss_storage *st, size_t s, const char *const *names, size_t n,
			      ss_svalue *out, ss_diag *d)
{
	ss_sview v[SS_STORAGE_ASKED_MAX];
	int r = 0;
	for (size_t at = 0; r == 0 && at < n; at += SS_STORAGE_ASKED_MAX) {
		size_t m = n - at < SS_STORAGE_ASKED_MAX ? n - at : SS_STORAGE_ASKED_MAX;
		ss_storage_asked a;
		ss_storage_ask(&a, names + at, m); /* m names fit */
		memset(v, 0, m * sizeof(*v));
		r = st->be->view_asked(st, s, &a, v, d);
		for (size_t i = 0; r == 0 && i < m; i++)
			if (v[i].present && storage_value_of_view(st, &v[i], &out[at + i]) < 0)
				r = ss_diag_oom(d);
	}
	return r;
}

int storage_slots_resize(uint64_t **slot, size_t *nslot, size_t size)
{
	uint64_t *v = size <= SIZE_MAX / sizeof(*v) ? malloc(size * sizeof(*v)) : NULL;
	if (!v)
		return -1;
	for (size_t i = 0; i < size; i++)
		v[i] = STORAGE_SLOT_EMPTY;
	for (size_t i = 0; i < *nslot; i++) {
		uint64_t e = (*slot)[i];
		if (e == STORAGE_SLOT_EMPTY)
			continue;
		size_t at = (size_t)(e >> 32) & (size - 1);
		while (v[at] != STORAGE_SLOT_EMPTY)
			at = (at + 1) & (size - 1);
		v[at] = e;
	}
	free(*slot);
	*slot = v;
	*nslot = size;
	return 0;
}

void storage_run_halves(void (*run)(void *half), void *a, void *b, const int *a_failed)
{
	ss_os_thread *t = NULL;
	if (b && ss_os_thread_start(&t, run, b) < 0)
		t = NULL; /* read after the first, on this thread */
	run(a);
	if (t)
		ss_os_thread_join(t);
	else if (b && !*a_failed)
		run(b);
}

int storage_part_error(ss_diag *failed, uint64_t lines_before, ss_diag *d)
{
	if (failed->line)
		failed->line += (size_t)lines_before;
	*d = *failed;
	memset(failed, 0, sizeof(*failed));
	return -1;
}

int storage_halves_error(int a_failed, ss_diag *da, int b_failed, ss_diag *db, uint64_t a_lines,
			 ss_diag *d)
{
	return a_failed	  ? storage_part_error(da, 0, d)
	       : b_failed ? storage_part_error(db, a_lines, d)
			  : 0;
}
