/* storage backend: WinSCP.ini (Delphi's TMemIniFile) over store/winini.
 *
 * A session is the section "<root->section><raw>"; a name that occurs
 * again later is the same session (TMemIniFile reads the first section and
 * the first key of a name; writes go to every section of the name, so
 * that whichever one a reader takes holds the value). Values are untyped
 * text; the integer read is Delphi's ReadInteger. Keys a session lacks go
 * into its first section, after its last line; created sessions are
 * appended as new sections at commit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend.h"
#include "sshsync/keyindex.h"
#include "sshsync/os_sys.h"
#include "sshsync/winini.h"
#include "winini_sessions.h"

#define NONE ((size_t)-1)
/* How many sections ahead ini_open asks for a name. */
#define PREFETCH 4
/* How many inserted lines are kept formatted (inipriv.made). */
#define MADE_LINES 8

/* A key of a created session, written at commit. */
typedef struct pend {
	char *name;
	char *value;
	size_t next; /* the session's next pending key, or NONE */
} pend;

/* A key of a session, with the section it is in. */
typedef struct ckey {
	ss_winini_key k;
	size_t section;
} ckey;

typedef struct inipriv {
	ss_winini ini;
	/* The keys of the last session asked about: each call on a session
	 * then reads its lines once. Only the keys whose first byte is in
	 * cache_first (as ss_storage_asked's `first`) unless cache_all: an
	 * apply reads and writes a few names of each site, and the lines of
	 * the others are passed over on their first byte. */
	size_t cache_s;
	ckey *ck;
	size_t cn, ccap;
	uint64_t cache_first[4];
	int cache_all;
	/* Keys to add to the first section of cache_s, as the lines to
	 * insert, inserted as one edit when another session is asked about,
	 * or at commit (one buffer for every site: no allocation each). */
	ss_buf ins;
	/* Lines that add_insert formatted, "name=value" and the file's line
	 * break: an apply adds the same few lines to most sites (a ring of
	 * them, the oldest reused). */
	ss_buf made[MADE_LINES];
	size_t made_next;
	size_t *next_dup; /* per section: the next section of the same name */
	pend *p;
	size_t np, pcap;
	size_t *head, *tail; /* per session: its pending keys (created sessions only) */
	size_t nsess;	     /* length of head and tail */
} inipriv;

static inipriv *P(ss_storage *st)
{
	return st->priv;
}

static int ini_accepts(const ss_storage_root *root)
{
	return root->section != NULL;
}

static int ini_probe(const char *path, int is_dir, const char *data, size_t len)
{
	(void)path;
	(void)len;
	return !is_dir && data ? 1 : 0; /* TMemIniFile reads anything */
}

static const char *ini_misfit(const ss_storage_root *root, const char *head, size_t len,
			      int session_file, size_t *offset)
{
	(void)root;
	(void)session_file;
	return ss_winini_misfit(head, len, offset);
}

/* The sessions among the sections from `from` to the last, made ahead by
 * another thread while ini_open adds those before `from`: unescaping
 * 100,000 site names and adding them was a tenth of an audit's work, all
 * on one thread. The thread stops at a name it cannot make (a NUL in it,
 * memory): ini_open adds the sessions from there itself, and says what
 * fails, in order. */
typedef struct sessions_ahead {
	const ss_storage *st;
	size_t from;
	size_t stop; /* the sections before it were done */
	/* Where they go: the storage's arrays from index `from` on (room for
	 * every section was reserved, and ini_open adds at most `from`
	 * sessions before them), moved down to follow those at the end;
	 * fresh memory is touched once, by this thread. */
	ss_storage_session *v;
	size_t *handle;
	size_t n;
	storage_names_ahead named;
	ss_os_thread *thread;
} sessions_ahead;

/* From this many sections on: a thread costs some 50 microseconds. The
 * thread takes the last half of them. */
enum { AHEAD_MIN = 4096 };

static void sessions_ahead_run(void *arg)
{
	sessions_ahead *a = arg;
	const ss_winini *ini = &P((ss_storage *)a->st)->ini;
	const char *prefix = a->st->root->section;
	size_t plen = strlen(prefix), to = ini->nsections, i;
	for (i = a->from; i < to; i++) {
		if (i + PREFETCH < to)
			__builtin_prefetch(ss_winini_section_name(ini, i + PREFETCH));
		if (!winini_is_session(ini, i, prefix, plen))
			continue;
		char *raw =
		    storage_name_ahead(a->st, &a->named, ss_winini_section_name(ini, i) + plen,
				       ini->sections[i].name_len - plen);
		if (!raw)
			break;
		a->v[a->n] = (ss_storage_session){raw, raw + strlen(raw) + 1, a->st->path, 0};
		a->handle[a->n++] = i;
	}
	a->stop = i;
}

/* Starts the thread for the last sections; 0 when there is none (too few
 * sections, or no thread to be had). */
static int sessions_ahead_start(ss_storage *st, sessions_ahead *a)
{
	size_t n = P(st)->ini.nsections;
	memset(a, 0, sizeof(*a));
	if (n < AHEAD_MIN || st->cap < n || st->n != 0)
		return 0;
	a->st = st;
	a->from = n / 2;
	a->stop = n;
	a->v = st->sessions + a->from;
	a->handle = st->handle + a->from;
	if (ss_os_thread_start(&a->thread, sessions_ahead_run, a) < 0) {
		memset(a, 0, sizeof(*a));
		return 0;
	}
	return 1;
}

/* Waits for the thread, then adds its sessions: the names are the
 * storage's from then on. */
static int sessions_ahead_end(ss_storage *st, sessions_ahead *a, ss_diag *d)
{
	if (!a->thread)
		return 0;
	ss_os_thread_join(a->thread);
	a->thread = NULL;
	storage_adopt_names(st, &a->named);
	return storage_add_block(st, a->v, a->handle, a->n, d);
}

static void sessions_ahead_free(sessions_ahead *a)
{
	if (a->thread)
		ss_os_thread_join(a->thread);
	storage_names_ahead_free(&a->named);
}

/* The sections [from, to) that are sessions, added here. */
static int add_sessions(ss_storage *st, size_t from, size_t to, ss_diag *d)
{
	const ss_winini *ini = &P(st)->ini;
	const char *prefix = st->root->section;
	size_t plen = strlen(prefix);
	int r = 0;
	for (size_t i = from; i < to && r == 0; i++) {
		/* The names lie far apart in a text the parse left the cache
		 * long ago: each one read here would wait for memory (5% of
		 * a 100,000-site audit) unless asked for a few sections
		 * ahead. */
		if (i + PREFETCH < to)
			__builtin_prefetch(ss_winini_section_name(ini, i + PREFETCH));
		if (winini_is_session(ini, i, prefix, plen))
			r = storage_add_session(st, ss_winini_section_name(ini, i) + plen,
						ini->sections[i].name_len - plen, st->path, i, d);
	}
	return r;
}

/* Each section's next of the same name (p->next_dup). */
static int link_same_names(inipriv *p, ss_diag *d)
{
	const ss_winini *ini = &p->ini;
	size_t n = ini->nsections;
	size_t *last = malloc((n ? n : 1) * sizeof(*last));
	p->next_dup = malloc((n ? n : 1) * sizeof(*p->next_dup));
	if (!last || !p->next_dup) {
		free(last);
		return ss_diag_oom(d);
	}
	for (size_t i = 0; i < n; i++) {
		size_t first = ini->sections[i].first_of;
		p->next_dup[i] = NONE;
		if (first != i)
			p->next_dup[last[first]] = i;
		last[first] = i;
	}
	free(last);
	return 0;
}

static int ini_open(ss_storage *st, ss_diag *d)
{
	inipriv *p = calloc(1, sizeof(*p));
	if (!p)
		return ss_diag_oom(d);
	st->priv = p;
	p->cache_s = NONE;
	if (ss_winini_parse(&p->ini, st->text, d) < 0)
		return -1;
	size_t n = p->ini.nsections;
	/* At most a session a section, and Default Settings that apply may
	 * add: not room for twice 100,000 sites. */
	if (storage_reserve_sessions(st, n + 1, d) < 0)
		return -1;
	sessions_ahead ahead;
	size_t mine = sessions_ahead_start(st, &ahead) ? ahead.from : n;
	int r = link_same_names(p, d);
	if (r == 0)
		r = add_sessions(st, 0, mine, d);
	if (r == 0)
		r = sessions_ahead_end(st, &ahead, d);
	if (r == 0 && mine < n)
		r = add_sessions(st, ahead.stop, n, d);
	sessions_ahead_free(&ahead);
	return r;
}

/* What a part has of its own: the cache and the lines to insert. */
static void free_cache(inipriv *p)
{
	free(p->ck);
	ss_buf_release(&p->ins);
	for (size_t i = 0; i < MADE_LINES; i++)
		ss_buf_release(&p->made[i]);
}

static void ini_close(ss_storage *st)
{
	inipriv *p = P(st);
	if (!p)
		return;
	ss_winini_free(&p->ini);
	for (size_t i = 0; i < p->np; i++) {
		free(p->p[i].name);
		free(p->p[i].value);
	}
	free(p->p);
	free(p->head);
	free(p->tail);
	free(p->next_dup);
	free_cache(p);
	free(p);
	st->priv = NULL;
}

static int flush_inserts(ss_storage *st, ss_diag *d)
{
	inipriv *p = P(st);
	int r = p->ins.len
		    ? ss_winini_insert_lines(&p->ini, storage_edits(st), st->handle[p->cache_s],
					     p->ins.data, p->ins.len, d)
		    : 0;
	ss_buf_reset(&p->ins);
	return r;
}

/* Whether line b is "name=value" and a line break of eol bytes (the
 * file's: they were all made for this file). */
static int made_as(const ss_buf *b, const char *name, size_t nlen, const char *value, size_t vlen,
		   size_t eol)
{
	return b->len == nlen + 1 + vlen + eol && memcmp(b->data, name, nlen) == 0 &&
	       b->data[nlen] == '=' && memcmp(b->data + nlen + 1, value, vlen) == 0;
}

/* Adds the line "name=value" (len: the name's) to the lines to insert,
 * formatted once for all the sites that get it. */
static int add_insert(inipriv *p, const char *name, size_t len, const char *value)
{
	size_t vlen = strlen(value), eol = strlen(ss_text_eol_string(p->ini.text));
	for (size_t i = 0; i < MADE_LINES; i++)
		if (made_as(&p->made[i], name, len, value, vlen, eol))
			return ss_buf_add(&p->ins, p->made[i].data, p->made[i].len);
	ss_buf *b = &p->made[p->made_next];
	p->made_next = (p->made_next + 1) % MADE_LINES;
	ss_buf_reset(b);
	ss_winini_kv kv = {name, value};
	if (ss_winini_kv_lines(&p->ini, b, &kv, 1) < 0) {
		ss_buf_reset(b);
		return -1;
	}
	return ss_buf_add(&p->ins, b->data, b->len);
}

/* Whether the cache of session s holds every key whose first byte is in
 * `first` (NULL: every key). */
static int cached(const inipriv *p, size_t s, const uint64_t *first)
{
	if (p->cache_s != s || p->cache_all)
		return p->cache_s == s;
	if (!first)
		return 0;
	for (int i = 0; i < 4; i++)
		if (first[i] & ~p->cache_first[i])
			return 0;
	return 1;
}

/* The keys of session s whose first byte is in `first` (NULL: every key;
 * with those cached before for s), in every section of its name, in file
 * order. */
static int keys_of(ss_storage *st, size_t s, const uint64_t *first, ss_diag *d)
{
	inipriv *p = P(st);
	if (cached(p, s, first))
		return 0;
	uint64_t want[4] = {0};
	if (p->cache_s == s)
		memcpy(want, p->cache_first, sizeof(want));
	else if (flush_inserts(st, d) < 0)
		return -1;
	for (int i = 0; first && i < 4; i++)
		want[i] |= first[i];
	p->cache_s = NONE;
	p->cn = 0;
	for (size_t sec = st->handle[s]; sec != NONE; sec = p->next_dup[sec]) {
		size_t cursor = 0;
		/* Read into the cache's next slot: a key read into a local
		 * and copied over waited for its stores (a stall per key). */
		for (;;) {
			if (storage_grow(&p->ck, &p->ccap, p->cn, sizeof(*p->ck), 32) < 0)
				return ss_diag_oom(d);
			if (!ss_winini_next_key_of(&p->ini, sec, &cursor, first ? want : NULL,
						   &p->ck[p->cn].k))
				break;
			p->ck[p->cn++].section = sec;
		}
	}
	p->cache_s = s;
	p->cache_all = first == NULL;
	memcpy(p->cache_first, want, sizeof(want));
	return 0;
}

/* The first bytes of `name` for keys_of: both cases of a letter; NULL
 * (every key) for "", which a line "=value" names. */
static const uint64_t *first_of_name(const char *name, uint64_t first[4])
{
	unsigned char c = (unsigned char)name[0];
	if (!c)
		return NULL;
	memset(first, 0, 4 * sizeof(*first));
	first[c / 64] |= (uint64_t)1 << (c % 64);
	c = (unsigned char)((c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? c ^ 0x20 : c);
	first[c / 64] |= (uint64_t)1 << (c % 64);
	return first;
}

/* Whether key k is `name` (len bytes). */
static int is_key(const ss_winini *ini, const ss_winini_key *k, const char *name, size_t len)
{
	return k->name_len == len && winini_same_name(ss_winini_key_name(ini, k), name, len);
}

/* The view of key k: borrowed from the text, nothing formatted. */
static void fill(const ss_winini *ini, const ss_winini_key *k, ss_sview *out)
{
	const char *name = ss_winini_key_name(ini, k), *val = ss_winini_key_value(ini, k);
	out->present = 1;
	out->type = SS_STYPE_TEXT;
	out->text = out->data_ = val;
	out->text_len = out->data_len_ = k->value_len;
	out->name_ = name;
	out->name_len_ = k->name_len;
	out->order = k->line;
	/* Without a lone CR the index counts the text's own lines. */
	out->line_ = ini->lines ? ss_text_line_at(ini->text, k->name_start) : k->line;
	long v;
	out->is_int = out->plain = ss_winini_parse_int(val, k->value_len, &v) == 0;
	out->ival = out->is_int ? v : 0;
}

/* Whether key k, named `name`, is names[i] and not yet found. */
static int wanted(const ss_winini_key *k, const char *name, const ss_storage_asked *a, size_t i,
		  const ss_sview *out)
{
	return k->name_len == a->len[i] && !out[i].present &&
	       winini_same_name(name, a->names[i], k->name_len);
}

/* Fills out[i] for every name asked that key k is (the first key wins):
 * most keys of a site are passed over on their length alone, the others
 * are tried against the few names of their length's bucket, lowest bit
 * first (in the order asked). */
static void take_key(const ss_winini *ini, const ss_winini_key *k, const ss_storage_asked *a,
		     ss_sview *out)
{
	uint32_t bits = a->bucket[k->name_len % 16];
	if (!bits)
		return;
	const char *name = ss_winini_key_name(ini, k);
	for (; bits; bits &= bits - 1) {
		size_t i = (size_t)__builtin_ctz(bits);
		if (wanted(k, name, a, i, out))
			fill(ini, k, &out[i]);
	}
}

static int ini_view_asked(ss_storage *st, size_t s, const ss_storage_asked *a, ss_sview *out,
			  ss_diag *d)
{
	if (st->sessions[s].created)
		return 0;
	inipriv *p = P(st);
	/* TMemIniFile reads the first key of a name in the first section.
	 * A storage that will be written reads the session's keys into the
	 * cache that the writes use; a read-only one (an audit: once per
	 * site) reads the section's lines where they are, only those whose
	 * first byte starts a name asked (a key line "=value" is the name
	 * "": then every line). */
	if (st->cs) {
		if (keys_of(st, s, a->any_empty ? NULL : a->first, d) < 0)
			return -1;
		const char *data = p->ini.text->data;
		for (size_t j = 0; j < p->cn && p->ck[j].section == st->handle[s]; j++) {
			const ss_winini_key *k = &p->ck[j].k;
			unsigned char c = (unsigned char)data[k->name_start];
			/* a name of another first byte is none of them */
			if (a->any_empty || (a->first[c / 64] >> (c % 64) & 1))
				take_key(&p->ini, k, a, out);
		}
		return 0;
	}
	size_t cursor = 0;
	ss_winini_key k;
	while (ss_winini_next_key_of(&p->ini, st->handle[s], &cursor,
				     a->any_empty ? NULL : a->first, &k))
		take_key(&p->ini, &k, a, out);
	return 0;
}

static int ini_next(ss_storage *st, size_t s, ss_storage_cursor *c, ss_svalue *out, ss_diag *d)
{
	if (st->sessions[s].created)
		return 0;
	inipriv *p = P(st);
	if (keys_of(st, s, NULL, d) < 0)
		return -1;
	for (; c->a < p->cn && p->ck[c->a].section == st->handle[s]; c->a++) {
		const ss_winini_key *k = &p->ck[c->a].k;
		const char *name = ss_winini_key_name(&p->ini, k);
		size_t j = 0;
		while (j < c->a && !(p->ck[j].k.name_len == k->name_len &&
				     strncasecmp(ss_winini_key_name(&p->ini, &p->ck[j].k), name,
						 k->name_len) == 0))
			j++;
		if (j == c->a) {
			c->a++;
			ss_sview v = {0};
			fill(&p->ini, k, &v);
			return storage_value_of_view(st, &v, out) < 0 ? ss_diag_oom(d) : 1;
		}
	}
	return 0;
}

/* The pending key `name` of session s, or NONE. */
static size_t pending(inipriv *p, size_t s, const char *name)
{
	for (size_t i = s < p->nsess ? p->head[s] : NONE; i != NONE; i = p->p[i].next)
		if (strcasecmp(p->p[i].name, name) == 0)
			return i;
	return NONE;
}

/* Sets (or adds) the pending key `name` of session s. */
static int add_pending(ss_storage *st, size_t s, const char *name, const char *value)
{
	inipriv *p = P(st);
	size_t i = pending(p, s, name);
	if (i != NONE) {
		char *v = ss_strdup(value);
		if (!v)
			return -1;
		free(p->p[i].value);
		p->p[i].value = v;
		return 0;
	}
	if (s >= p->nsess) {
		size_t n = st->cap > s ? st->cap : s + 1;
		size_t *h = realloc(p->head, n * sizeof(*h));
		if (!h)
			return -1;
		p->head = h;
		size_t *t = realloc(p->tail, n * sizeof(*t));
		if (!t)
			return -1;
		p->tail = t;
		for (size_t j = p->nsess; j < n; j++)
			p->head[j] = p->tail[j] = NONE;
		p->nsess = n;
	}
	if (storage_grow(&p->p, &p->pcap, p->np, sizeof(*p->p), 16) < 0)
		return -1;
	pend *e = &p->p[p->np];
	e->name = ss_strdup(name);
	e->value = ss_strdup(value);
	e->next = NONE;
	if (!e->name || !e->value) {
		free(e->name);
		free(e->value);
		return -1;
	}
	if (p->head[s] == NONE)
		p->head[s] = p->np;
	else
		p->p[p->tail[s]].next = p->np;
	p->tail[s] = p->np++;
	return 0;
}

/* Whether the text of key k already is `want` as WinSCP reads it. */
static int holds(const ss_winini *ini, const ss_winini_key *k, const ss_svalue *want)
{
	const char *val = ss_winini_key_value(ini, k);
	if (want->type == SS_STYPE_DWORD) {
		long v;
		return ss_winini_parse_int(val, k->value_len, &v) == 0 &&
		       v == (long)(int32_t)want->dword;
	}
	return k->value_len == strlen(want->text) && memcmp(val, want->text, k->value_len) == 0;
}

static int ini_set(ss_storage *st, size_t s, const char *name, const ss_svalue *want, ss_diag *d)
{
	/* The number as storage_int_text writes it ("%ld" of the signed
	 * value), without printf: an apply sets three of them per site. */
	char num[25];
	const char *text = want->text;
	if (want->type == SS_STYPE_DWORD) {
		num[24] = '\0';
		text = num + ss_format_lld(num, (int32_t)want->dword);
	}
	if (st->sessions[s].created)
		return add_pending(st, s, name, text) < 0 ? ss_diag_oom(d) : 0;
	inipriv *p = P(st);
	const ss_winini *ini = &p->ini;
	int in_first = 0;
	size_t len = strlen(name);
	uint64_t first[4];
	if (keys_of(st, s, first_of_name(name, first), d) < 0)
		return -1;
	for (size_t j = 0; j < p->cn; j++) {
		const ss_winini_key *k = &p->ck[j].k;
		if (!is_key(ini, k, name, len))
			continue;
		in_first |= p->ck[j].section == st->handle[s];
		if (!holds(ini, k, want) &&
		    ss_winini_set_value(ini, storage_edits(st), k, text, d) < 0)
			return -1;
	}
	/* Added after the first section's last line, in the order of the
	 * calls. */
	return in_first || add_insert(p, name, len, text) == 0 ? 0 : ss_diag_oom(d);
}

static void drop_pending(inipriv *p, size_t s, const char *name)
{
	size_t prev = NONE;
	for (size_t i = s < p->nsess ? p->head[s] : NONE; i != NONE; prev = i, i = p->p[i].next) {
		if (strcasecmp(p->p[i].name, name) != 0)
			continue;
		if (prev == NONE)
			p->head[s] = p->p[i].next;
		else
			p->p[prev].next = p->p[i].next;
		if (p->tail[s] == i)
			p->tail[s] = prev;
		return; /* its strings are freed with the others */
	}
}

static int ini_del(ss_storage *st, size_t s, const char *name, ss_diag *d)
{
	inipriv *p = P(st);
	if (st->sessions[s].created) {
		drop_pending(p, s, name);
		return 0;
	}
	uint64_t first[4];
	if (keys_of(st, s, first_of_name(name, first), d) < 0)
		return -1;
	size_t len = strlen(name);
	for (size_t j = 0; j < p->cn; j++)
		if (is_key(&p->ini, &p->ck[j].k, name, len) &&
		    ss_winini_delete_key(&p->ini, storage_edits(st), &p->ck[j].k, d) < 0)
			return -1;
	return 0;
}

static int ini_create(ss_storage *st, size_t s, ss_diag *d)
{
	(void)st;
	(void)s;
	(void)d;
	return 0; /* its section is written at commit */
}

/* The pending keys of session s, in the order they were set. */
static ss_winini_kv *pending_kv(inipriv *p, size_t s, size_t *n)
{
	*n = 0;
	for (size_t i = s < p->nsess ? p->head[s] : NONE; i != NONE; i = p->p[i].next)
		(*n)++;
	ss_winini_kv *kv = malloc((*n ? *n : 1) * sizeof(*kv));
	size_t j = 0;
	for (size_t i = s < p->nsess ? p->head[s] : NONE; kv && i != NONE; i = p->p[i].next)
		kv[j++] = (ss_winini_kv){p->p[i].name, p->p[i].value};
	return kv;
}

static int ini_commit(ss_storage *st, ss_diag *d)
{
	inipriv *p = P(st);
	if (flush_inserts(st, d) < 0)
		return -1;
	for (size_t s = 0; s < st->n; s++) {
		if (!st->sessions[s].created)
			continue;
		size_t n;
		ss_winini_kv *kv = pending_kv(p, s, &n);
		char *name = ss_asprintf("%s%s", st->root->section, st->sessions[s].raw);
		int r = kv && name
			    ? ss_winini_append_section(&p->ini, storage_edits(st), name, kv, n, d)
			    : ss_diag_oom(d);
		free(kv);
		free(name);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* A part reads the whole's index; it has a cache of its own. */
static int ini_part(ss_storage *whole, ss_storage *part, ss_diag *d)
{
	inipriv *w = P(whole), *p = calloc(1, sizeof(*p));
	if (!p)
		return ss_diag_oom(d);
	p->ini = w->ini;
	p->next_dup = w->next_dup;
	p->cache_s = NONE;
	part->priv = p;
	return 0;
}

static int ini_join(ss_storage *whole, ss_storage *part, ss_diag *d)
{
	return flush_inserts(whole, d) < 0 || flush_inserts(part, d) < 0 ? -1 : 0;
}

static void ini_part_close(ss_storage *part)
{
	free_cache(P(part));
	free(part->priv);
	part->priv = NULL;
}

const ss_storage_backend ss_storage_winini = {
    .name = "winini",
    .keyed = 1,
    .dedicated = 1,
    .asked = &ss_storage_winini_asked,
    .accepts = ini_accepts,
    .probe = ini_probe,
    .misfit = ini_misfit,
    .open = ini_open,
    .close = ini_close,
    .fold_case = 1,
    .get_many = storage_get_many_by_views,
    .view_asked = ini_view_asked,
    .next = ini_next,
    .set = ini_set,
    .del = ini_del,
    .create = ini_create,
    .commit = ini_commit,
    .part = ini_part,
    .join = ini_join,
    .part_close = ini_part_close,
};
