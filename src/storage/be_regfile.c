/* storage backend: .reg files (regedit exports and merge files, v5 UTF-16
 * or REGEDIT4/ANSI) over store/regfile.
 *
 * A session is a key ROOT\NAME (ROOT: HKEY_CURRENT_USER\root->regkey, or
 * HKEY_USERS\SID\root->regkey when root->any_user); its blocks add up in
 * file order as an import applies them, a [-KEY] forgetting what came
 * before. Reads give what the import leaves; writes edit every line after
 * the key's last [-KEY] and add missing values to its last block. Created
 * keys are appended at commit, beside the first session (same hive). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend.h"
#include "regfile_sessions.h"
#include "sshsync/keyindex.h"
#include "sshsync/os_sys.h"
#include "sshsync/regfile.h"

/* The lines of one session's values that its walk (reg_next) passes
 * over: a name that comes again later, and deletions. */
typedef struct passed_over {
	size_t *line; /* ascending */
	size_t n, cap;
} passed_over;

/* An audit asks every session for the same few values, one session
 * after the other, and finding them (a walk of each session's 140 lines
 * in an export) and making them values was a fifth of its main thread.
 * From the second session asked for the same names on, the sessions after
 * it are shared with a second thread in chunks: the caller reads from the
 * front, the thread from the back, each chunk by one of them, until they
 * meet; the caller takes what the thread read, waiting only for a chunk
 * that the thread is reading. Below AHEAD_MIN sessions to go a thread
 * costs more than it saves. */
enum { AHEAD_MIN = 256, AHEAD_NAMES = 8, AHEAD_CHUNK = 32 };

/* A chunk's state: free, the caller's, being read by the thread, read. */
enum { CHUNK_FREE, CHUNK_MINE, CHUNK_READING, CHUNK_READ };

typedef struct ahead {
	ss_os_thread *thread; /* NULL: none runs (never started, or joined) */
	ss_os_monitor *m;
	const ss_regfile *rf;
	size_t from, n; /* the sessions [from, n) shared */
	size_t *first;	/* per session: its first block (SS_REGFILE_NONE: created) */
	char *names[AHEAD_NAMES];
	size_t nn;
	ss_svalue *v;	      /* per session nn values */
	unsigned char *ready; /* per session: v holds them, read and not taken */
	unsigned char *state; /* per chunk (under m) */
	size_t nchunks;
	int stop; /* the caller wants no more (under m) */
	int tried;
	size_t known;		       /* a chunk whose state the caller knows final (+ 1) */
	int known_state;	       /* and that state */
	const char *const *last_names; /* the names of the caller's last call */
	size_t last_s;		       /* and its session */
} ahead;

typedef struct regpriv {
	ss_regfile rf;
	ss_regplan created; /* created sessions' keys, appended at commit */
	size_t appended;    /* of those, how many are edits already (ss_storage_seal) */
	passed_over walk;   /* of the session reg_next walks */
	ahead ahead;
	size_t leading_created; /* sessions known created from the first on */
} regpriv;

static regpriv *P(ss_storage *st)
{
	return st->priv;
}

static size_t last_block(const ss_regfile *rf, size_t b)
{
	while (rf->blocks[b].next_same != SS_REGFILE_NONE)
		b = rf->blocks[b].next_same;
	return b;
}

/* The first block after the key's last [-KEY] (or its first block). */
static size_t live_block(const ss_regfile *rf, size_t b)
{
	size_t live = b;
	for (; b != SS_REGFILE_NONE; b = rf->blocks[b].next_same)
		if (rf->blocks[b].deleted)
			live = rf->blocks[b].next_same;
	return live;
}

static int reg_accepts(const ss_storage_root *root)
{
	return root->regkey != NULL;
}

static int reg_probe(const char *path, int is_dir, const char *data, size_t len)
{
	(void)path;
	if (is_dir || !data)
		return 0;
	size_t i = 0;
	/* A UTF-8 byte order mark is still a .reg file (one that regfile
	 * rejects, as Windows does). */
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (unsigned char)data[i] <= ' ')
		i++;
	static const char v5[] = "Windows Registry Editor Version 5.00", v4[] = "REGEDIT4";
	return (len - i >= sizeof(v5) - 1 && memcmp(data + i, v5, sizeof(v5) - 1) == 0) ||
		       (len - i >= sizeof(v4) - 1 && memcmp(data + i, v4, sizeof(v4) - 1) == 0)
		   ? 2
		   : 0;
}

static const char *reg_misfit(const ss_storage_root *root, const char *head, size_t len,
			      int session_file, size_t *offset)
{
	(void)session_file;
	if (reg_probe(NULL, 0, head, len))
		return NULL; /* the .reg reader refuses the rest */
	*offset = 0;
	return root->files != SS_FILES_NONE
		   ? "not a registry export (its first line is not 'Windows Registry Editor "
		     "Version 5.00' or 'REGEDIT4') nor a session folder"
		   : "not a registry export (its first line is not 'Windows Registry Editor "
		     "Version 5.00' or 'REGEDIT4')";
}

/* A key name as UTF-8 (see regfile_key_utf8). */
static int key_utf8(ss_storage *st, const char *raw, size_t len, ss_buf *out)
{
	return regfile_key_utf8(st->text->enc, st->codepage, raw, len, out);
}

static int reg_open(ss_storage *st, ss_diag *d)
{
	regpriv *p = calloc(1, sizeof(*p));
	if (!p)
		return ss_diag_oom(d);
	st->priv = p;
	p->created = (ss_regplan)SS_REGPLAN_INIT;
	if (ss_regfile_parse(&p->rf, st->text, d) < 0)
		return -1;
	const ss_regfile *rf = &p->rf;
	/* Which blocks repeat a key of an earlier one: the key is listed at
	 * its first (no lookup of every key by name). */
	unsigned char *later = calloc(rf->nblocks ? rf->nblocks : 1, 1);
	if (!later)
		return ss_diag_oom(d);
	for (size_t b = 0; b < rf->nblocks; b++)
		if (rf->blocks[b].next_same != SS_REGFILE_NONE)
			later[rf->blocks[b].next_same] = 1;
	ss_buf name = SS_BUF_INIT;
	int r = 0;
	/* Each name once when every session's key is below one parent (one
	 * hive): keys are one session when they are the same key. */
	const char *parent = NULL;
	size_t parent_len = 0;
	int one_parent = 1;
	for (size_t b = 0; b < rf->nblocks && r == 0; b++) {
		const char *raw;
		size_t len;
		const ss_regblock *k = &rf->blocks[b];
		if (!regfile_session_part(st->root, k, &raw, &len) || later[b] ||
		    rf->blocks[last_block(rf, b)].deleted)
			continue;
		size_t plen = (size_t)(raw - k->path);
		if (!parent) {
			parent = k->path;
			parent_len = plen;
		} else if (one_parent) {
			one_parent = ss_key_eq(parent, parent_len, k->path, plen);
		}
		ss_buf_reset(&name);
		if (storage_check_name(st, raw, len, d) < 0)
			r = -1;
		else if (key_utf8(st, raw, len, &name) < 0)
			r = ss_diag_oom(d);
		else
			r = storage_add_session(st, ss_buf_str(&name), name.len, st->path, b, d);
	}
	ss_buf_release(&name);
	free(later);
	st->names_once = r == 0 && one_parent;
	return r;
}

static void ahead_free(ahead *a);

static void reg_close(ss_storage *st)
{
	regpriv *p = P(st);
	if (!p)
		return;
	ahead_free(&p->ahead);
	ss_regfile_free(&p->rf);
	ss_regplan_free(&p->created);
	free(p->walk.line);
	free(p);
	st->priv = NULL;
}

static int fill(const ss_regfile *rf, const ss_regvalue *v, const char *asked, ss_svalue *out)
{
	const ss_text *t = rf->text;
	ss_buf name = SS_BUF_INIT;
	int r = ss_regfile_value_name(rf, v, &name) < 0
		    ? -1
		    : storage_value_in_text(out, t, v->line, ss_buf_str(&name), name.len, asked,
					    t->data + v->data_start, v->data_end - v->data_start);
	ss_buf_release(&name);
	if (r < 0)
		return -1;
	regfile_value_type(out, v->type, v->dword);
	if (v->type != SS_REG_SZ)
		return 0;
	ss_buf s = SS_BUF_INIT;
	if (ss_regfile_value_string(rf, v, &s) < 0 || !(out->text = ss_buf_detach(&s, NULL))) {
		ss_buf_release(&s);
		return -1;
	}
	return 0;
}

/* Room for what reg_get_many finds of n names: one allocation. */
typedef struct asked {
	ss_regvalue *v;	      /* the value the import leaves, where has[i] */
	ss_regvalue *x;	      /* one block's */
	char *has;	      /* set and not deleted */
	unsigned char *found; /* in that block */
} asked;

static int asked_alloc(asked *a, size_t n)
{
	size_t k = n ? n : 1;
	char *m = calloc(k, 2 * sizeof(ss_regvalue) + 2);
	if (!m)
		return -1;
	a->v = (ss_regvalue *)(void *)m;
	a->x = a->v + k;
	a->has = (char *)(a->x + k);
	a->found = (unsigned char *)a->has + k;
	return 0;
}

/* The values names[0..n) of the session whose first block is `first` in
 * the order an import applies them: block by block, a [-KEY] forgetting
 * what came before, a "name"=- line deleting. */
static void get_values(const ss_regfile *rf, size_t first, const char *const *names, size_t n,
		       asked *a)
{
	for (size_t b = first; b != SS_REGFILE_NONE; b = rf->blocks[b].next_same) {
		if (rf->blocks[b].deleted) {
			memset(a->has, 0, n);
			continue;
		}
		ss_regfile_block_values(rf, b, names, n, a->x, a->found);
		for (size_t i = 0; i < n; i++) {
			if (!a->found[i])
				continue;
			a->has[i] = a->x[i].type != SS_REG_DELETE;
			a->v[i] = a->x[i];
		}
	}
}

/* Session s's values into a->v: -1 when memory ran out (none kept). */
static int ahead_read(ahead *a, size_t s, asked *at)
{
	ss_svalue *out = a->v + (s - a->from) * a->nn;
	memset(at->has, 0, a->nn);
	get_values(a->rf, a->first[s - a->from], (const char *const *)a->names, a->nn, at);
	for (size_t i = 0; i < a->nn; i++) {
		if (at->has[i] && fill(a->rf, &at->v[i], a->names[i], &out[i]) < 0) {
			while (i > 0)
				ss_svalue_free(&out[--i]);
			return -1;
		}
	}
	return 0;
}

/* Chunk k of the sessions for the thread: 1 when it is free (now the
 * thread's), 0 when the caller has it or wants no more. */
static int ahead_claim(ahead *a, size_t k)
{
	ss_os_monitor_enter(a->m);
	int mine = !a->stop && a->state[k] == CHUNK_FREE;
	if (mine)
		a->state[k] = CHUNK_READING;
	ss_os_monitor_leave(a->m);
	return mine;
}

static void ahead_run(void *arg)
{
	ahead *a = arg;
	asked at;
	if (asked_alloc(&at, a->nn) < 0)
		return; /* the caller reads them all */
	int ok = 1;
	for (size_t k = a->nchunks; ok && k-- > 0 && ahead_claim(a, k);) {
		size_t s = a->from + k * AHEAD_CHUNK;
		size_t end = a->n - s > AHEAD_CHUNK ? s + AHEAD_CHUNK : a->n;
		for (; ok && s < end; s++)
			if ((ok = ahead_read(a, s, &at) == 0))
				a->ready[s - a->from] = 1;
		ss_os_monitor_enter(a->m);
		a->state[k] = CHUNK_READ;
		ss_os_monitor_wake(a->m);
		ss_os_monitor_leave(a->m);
	}
	free(at.v);
}

/* Waits for the thread, which reads no more. */
static void ahead_stop(ahead *a)
{
	if (!a->thread)
		return;
	ss_os_monitor_enter(a->m);
	a->stop = 1;
	ss_os_monitor_leave(a->m);
	ss_os_thread_join(a->thread);
	a->thread = NULL;
}

static void ahead_free(ahead *a)
{
	ahead_stop(a);
	ss_os_monitor_free(a->m);
	free(a->first);
	for (size_t i = 0; i < a->nn; i++)
		free(a->names[i]);
	for (size_t i = 0; a->ready && i < a->n - a->from; i++)
		for (size_t j = 0; a->ready[i] && j < a->nn; j++)
			ss_svalue_free(&a->v[i * a->nn + j]); /* read, never taken */
	free(a->v);
	free(a->ready);
	free(a->state);
	memset(a, 0, sizeof(*a));
}

/* Starts the thread after the caller read session s's `names` itself,
 * when its last call asked another session for them too. */
static void ahead_start(ss_storage *st, size_t s, const char *const *names, size_t n)
{
	ahead *a = &P(st)->ahead;
	int again = names == a->last_names && s != a->last_s;
	a->last_names = names;
	a->last_s = s;
	if (a->tried || !again || n == 0 || n > AHEAD_NAMES || st->n - s <= AHEAD_MIN)
		return;
	a->tried = 1;
	a->rf = &P(st)->rf;
	a->from = s + 1;
	a->n = st->n;
	size_t count = a->n - a->from;
	a->nchunks = (count + AHEAD_CHUNK - 1) / AHEAD_CHUNK;
	int ok = (a->first = malloc(count * sizeof(*a->first))) &&
		 (a->v = calloc(count * n, sizeof(*a->v))) && (a->ready = calloc(count, 1)) &&
		 (a->state = calloc(a->nchunks, 1)) && (a->m = ss_os_monitor_new());
	for (a->nn = 0; ok && a->nn < n; a->nn++)
		ok = (a->names[a->nn] = ss_strdup(names[a->nn])) != NULL;
	for (size_t i = 0; ok && i < count; i++)
		a->first[i] =
		    st->sessions[a->from + i].created ? SS_REGFILE_NONE : st->handle[a->from + i];
	if (!ok || ss_os_thread_start(&a->thread, ahead_run, a) < 0) {
		a->thread = NULL;
		ahead_free(a);
		a->tried = 1;
	}
}

/* Session s's values as the thread read them, now the caller's: 1, or 0
 * when it has not (yet), or read others. */
static int ahead_take(ss_storage *st, size_t s, const char *const *names, size_t n, ss_svalue *out)
{
	ahead *a = &P(st)->ahead;
	if (!a->thread || s < a->from || s >= a->n || n != a->nn ||
	    st->handle[s] != a->first[s - a->from])
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], a->names[i]) != 0)
			return 0;
	size_t k = (s - a->from) / AHEAD_CHUNK;
	if (a->known != k + 1) {
		/* A free chunk becomes the caller's; one being read is waited for. */
		ss_os_monitor_enter(a->m);
		if (a->state[k] == CHUNK_FREE)
			a->state[k] = CHUNK_MINE;
		while (a->state[k] == CHUNK_READING)
			ss_os_monitor_wait(a->m);
		a->known_state = a->state[k];
		ss_os_monitor_leave(a->m);
		a->known = k + 1;
	}
	if (a->known_state != CHUNK_READ || !a->ready[s - a->from])
		return 0;
	ss_svalue *v = a->v + (s - a->from) * n;
	memcpy(out, v, n * sizeof(*out));
	memset(v, 0, n * sizeof(*v));
	a->ready[s - a->from] = 0;
	return 1;
}

static int reg_get_many(ss_storage *st, size_t s, const char *const *names, size_t n,
			ss_svalue *out, ss_diag *d)
{
	if (st->sessions[s].created)
		return 0; /* nothing of it is in the file yet */
	if (ahead_take(st, s, names, n, out))
		return 0;
	asked a;
	if (asked_alloc(&a, n) < 0)
		return ss_diag_oom(d);
	get_values(&P(st)->rf, st->handle[s], names, n, &a);
	ahead_start(st, s, names, n);
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++)
		if (a.has[i] && fill(&P(st)->rf, &a.v[i], names[i], &out[i]) < 0)
			r = ss_diag_oom(d);
	free(a.v);
	return r;
}

/* A value of a session's walk: its name as the registry compares names
 * (unescaped, ASCII letters lowered), and its place. */
typedef struct walk_value {
	const char *name;
	size_t line;
	int deletion;
} walk_value;

static int by_name_then_line(const void *a, const void *b)
{
	const walk_value *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int by_line(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

static int pass_over(passed_over *w, size_t line)
{
	if (ss_array_room(&w->line, &w->cap, w->n, sizeof(*w->line)) < 0)
		return -1;
	w->line[w->n++] = line;
	return 0;
}

/* The values of the blocks from `live` on, each with its name in `names`
 * (NUL after each; the pointers set once `names` is complete). */
static int collect_values(const ss_regfile *rf, size_t live, ss_buf *names, walk_value **out,
			  size_t *n_out)
{
	walk_value *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t b = live; b != SS_REGFILE_NONE; b = rf->blocks[b].next_same) {
		ss_regvalue x;
		for (size_t cur = 0; ss_regfile_next_value(rf, b, &cur, &x);) {
			if (ss_array_room(&v, &cap, n, sizeof(*v)) < 0) {
				free(v);
				return -1;
			}
			size_t at = names->len;
			if (ss_regfile_value_name(rf, &x, names) < 0 ||
			    ss_buf_addc(names, '\0') < 0) {
				free(v);
				return -1;
			}
			for (size_t i = at; i < names->len; i++)
				if (names->data[i] >= 'A' && names->data[i] <= 'Z')
					names->data[i] = (char)(names->data[i] - 'A' + 'a');
			v[n++] = (walk_value){(const char *)(uintptr_t)at, x.line,
					      x.type == SS_REG_DELETE};
		}
	}
	for (size_t i = 0; i < n; i++)
		v[i].name = names->data + (uintptr_t)v[i].name;
	*out = v;
	*n_out = n;
	return 0;
}

/* Whether a name comes twice among v[0, n), or a value is a deletion:
 * a table of the names' hashes. 1 also when there is no room for it (the
 * sort then tells which). */
static int names_repeat(const walk_value *v, size_t n)
{
	size_t size = 16;
	while (size < 2 * n)
		size *= 2;
	size_t *slot = calloc(size, sizeof(*slot)); /* a value's index + 1 */
	if (!slot)
		return 1;
	int repeat = 0;
	for (size_t i = 0; i < n && !repeat; i++) {
		repeat = v[i].deletion;
		uint64_t h = ss_hash_key(v[i].name, strlen(v[i].name));
		for (size_t j = (size_t)h & (size - 1); !repeat; j = (j + 1) & (size - 1)) {
			if (!slot[j]) {
				slot[j] = i + 1;
				break;
			}
			repeat = strcmp(v[slot[j] - 1].name, v[i].name) == 0;
		}
	}
	free(slot);
	return repeat;
}

/* Which values of the session whose blocks start at `live` an import
 * does not leave: each name but its last, and every deletion. Sorted by
 * name once per walk, instead of a lookup of every name (quadratic in a
 * session's values: a 10,000-session migrate took 35 s), and only when
 * a name comes twice or a value is deleted, which a table of hashes
 * tells first (most sessions: the sort was a quarter of a migrate). */
static int find_passed_over(const ss_regfile *rf, size_t live, passed_over *w)
{
	ss_buf names = SS_BUF_INIT;
	walk_value *v = NULL;
	size_t n = 0;
	w->n = 0;
	int r = collect_values(rf, live, &names, &v, &n);
	if (r == 0 && n && !names_repeat(v, n))
		n = 0; /* each name once, none deleted: nothing is passed over */
	if (r == 0 && n)
		qsort(v, n, sizeof(*v), by_name_then_line);
	for (size_t i = 0; i < n && r == 0; i++)
		if (v[i].deletion || (i + 1 < n && strcmp(v[i].name, v[i + 1].name) == 0))
			r = pass_over(w, v[i].line);
	if (r == 0 && w->n)
		qsort(w->line, w->n, sizeof(*w->line), by_line);
	free(v);
	ss_buf_release(&names);
	return r;
}

static int is_passed_over(const passed_over *w, size_t line)
{
	return w->n && bsearch(&line, w->line, w->n, sizeof(*w->line), by_line) != NULL;
}

static int reg_next(ss_storage *st, size_t s, ss_storage_cursor *c, ss_svalue *out, ss_diag *d)
{
	if (st->sessions[s].created)
		return 0;
	regpriv *p = P(st);
	const ss_regfile *rf = &p->rf;
	/* c->a: the block + 1; (0, 0) not started, (0, SIZE_MAX) done. */
	if (c->a == 0 && c->b == 0) {
		c->a = live_block(rf, st->handle[s]) + 1;
		if (c->a && find_passed_over(rf, c->a - 1, &p->walk) < 0)
			return ss_diag_oom(d);
	}
	while (c->a != 0 && c->a - 1 != SS_REGFILE_NONE) {
		size_t b = c->a - 1;
		ss_regvalue v;
		if (!ss_regfile_next_value(rf, b, &c->b, &v)) {
			c->a = rf->blocks[b].next_same + 1;
			c->b = c->a ? 0 : SIZE_MAX;
			continue;
		}
		/* Each name once: where the import leaves it. */
		if (!is_passed_over(&p->walk, v.line))
			return fill(&P(st)->rf, &v, NULL, out) < 0 ? ss_diag_oom(d) : 1;
	}
	return 0;
}

/* The created session's key in the plan; NULL once sealed (a caller
 * that plans more of it has broken ss_storage_seal's promise). */
static ss_regkey *created_key(ss_storage *st, size_t s, ss_diag *d)
{
	if (st->handle[s] < P(st)->appended) {
		ss_diag_set(d, st->path, 0, 0, "internal error: \"%s\" changed after it was sealed",
			    st->sessions[s].raw);
		return NULL;
	}
	return &P(st)->created.v[st->handle[s]];
}

static int reg_set(ss_storage *st, size_t s, const char *name, const ss_svalue *want, ss_diag *d)
{
	int dw = want->type == SS_STYPE_DWORD;
	if (st->sessions[s].created) {
		ss_regkey *k = created_key(st, s, d);
		if (!k)
			return -1;
		int r = dw ? ss_regkey_set_dword(k, name, want->dword)
			   : ss_regkey_set_sz(k, name, want->text);
		return r < 0 ? ss_diag_oom(d) : 0;
	}
	const ss_regfile *rf = &P(st)->rf;
	ss_edits *e = storage_edits(st);
	ss_buf cur = SS_BUF_INIT;
	int seen = 0, r = 0;
	/* Every line after the last [-KEY]; new values go to the last block. */
	size_t live = live_block(rf, st->handle[s]);
	size_t last = live == SS_REGFILE_NONE ? st->handle[s] : last_block(rf, live);
	for (size_t b = live; b != SS_REGFILE_NONE && r == 0; b = rf->blocks[b].next_same) {
		size_t c = 0;
		ss_regvalue v;
		while (r == 0 && ss_regfile_next_named(rf, b, &c, name, &v)) {
			seen = 1;
			if (dw) {
				if (v.type != SS_REG_DWORD || v.dword != want->dword)
					r = ss_regfile_set_dword(rf, e, &v, want->dword);
				continue;
			}
			ss_buf_reset(&cur);
			if (v.type != SS_REG_SZ || ss_regfile_value_string(rf, &v, &cur) < 0 ||
			    strcmp(ss_buf_str(&cur), want->text) != 0)
				r = ss_regfile_set_string(rf, e, &v, want->text);
		}
	}
	ss_buf_release(&cur);
	if (r == 0 && !seen)
		r = dw ? ss_regfile_insert_dword(rf, e, last, name, want->dword)
		       : ss_regfile_insert_string(rf, e, last, name, want->text);
	return r < 0 ? ss_diag_oom(d) : 0;
}

static int reg_del(ss_storage *st, size_t s, const char *name, ss_diag *d)
{
	if (st->sessions[s].created) {
		ss_regkey *k = created_key(st, s, d);
		if (!k)
			return -1;
		ss_regkey_unset(k, name);
		return 0;
	}
	const ss_regfile *rf = &P(st)->rf;
	ss_edits *e = storage_edits(st);
	int r = 0;
	for (size_t b = live_block(rf, st->handle[s]); b != SS_REGFILE_NONE && r == 0;
	     b = rf->blocks[b].next_same) {
		size_t c = 0;
		ss_regvalue v;
		while (r == 0 && ss_regfile_next_named(rf, b, &c, name, &v))
			if (v.type != SS_REG_DELETE)
				r = ss_regfile_delete_value(rf, e, &v);
	}
	return r < 0 ? ss_diag_oom(d) : 0;
}

/* The first session the file holds itself (not created), or st->n. The
 * scan goes on from where the last one stopped: sessions are created only
 * after the file's own, so into a new file a scan from the start made
 * 100,000 creations quadratic. */
static size_t first_listed(ss_storage *st)
{
	size_t first = P(st)->leading_created;
	if (first > st->n) /* a created session that failed was dropped */
		first = st->n;
	while (first < st->n && st->sessions[first].created)
		first++;
	P(st)->leading_created = first;
	return first;
}

static int reg_create(ss_storage *st, size_t s, ss_diag *d)
{
	const ss_regfile *rf = &P(st)->rf;
	char *path;
	size_t first = first_listed(st);
	if (first < st->n) {
		/* Beside the first session: its parent key as the file spells it. */
		const ss_regblock *k = &rf->blocks[st->handle[first]];
		size_t parent = k->path_len;
		while (parent && k->path[parent - 1] != '\\')
			parent--;
		path = ss_asprintf("%.*s%s", (int)parent, k->path, st->sessions[s].raw);
	} else {
		path =
		    ss_asprintf("HKEY_CURRENT_USER\\%s\\%s", st->root->regkey, st->sessions[s].raw);
	}
	ss_regplan *plan = &P(st)->created;
	size_t before = plan->n;
	ss_regkey *key = path ? ss_regplan_key(plan, path) : NULL;
	free(path);
	if (!key)
		return ss_diag_oom(d);
	if (plan->n == before)
		return ss_diag_set(d, st->path, 0, 0, "the key of \"%s\" is already planned",
				   st->sessions[s].raw);
	st->handle[s] = plan->n - 1;
	return 0;
}

/* The created keys up to `upto` (in the order they were created) as
 * text at the end of the file, their values then let go. When nobody
 * reads the text, one line stands for all: the file still changes. */
static int append_created(ss_storage *st, size_t upto, ss_diag *d)
{
	regpriv *p = P(st);
	int stand_in = st->cs && st->cs->text_unread;
	for (; p->appended < upto; p->appended++) {
		ss_regkey *k = &p->created.v[p->appended];
		if (stand_in && p->appended == 0 &&
		    ss_edits_append(storage_edits(st), p->rf.text, "\n", 1) < 0)
			return ss_diag_oom(d);
		if (!stand_in &&
		    ss_regfile_append_key(&p->rf, storage_edits(st), k, p->appended > 0, d) < 0)
			return -1;
		ss_regkey_drop_values(k);
	}
	return 0;
}

static int reg_commit(ss_storage *st, ss_diag *d)
{
	regpriv *p = P(st);
	ahead_stop(&p->ahead); /* what is written next no read needs */
	return append_created(st, p->created.n, d);
}

/* Only into a file without sessions of its own: no edit of another
 * session can then come at the end of the file between the keys. */
static int reg_seal(ss_storage *st, size_t s, ss_diag *d)
{
	if (first_listed(st) < st->n)
		return 0;
	return append_created(st, st->handle[s] + 1, d);
}

const ss_storage_backend ss_storage_regfile = {
    .name = "regfile",
    .keyed = 1,
    .dedicated = 0,
    .accepts = reg_accepts,
    .probe = reg_probe,
    .misfit = reg_misfit,
    .open = reg_open,
    .asked = &ss_storage_regfile_asked,
    .close = reg_close,
    .fold_case = 1,
    .get_many = reg_get_many,
    .next = reg_next,
    .set = reg_set,
    .del = reg_del,
    .create = reg_create,
    .commit = reg_commit,
    .seal = reg_seal,
};
