/* Writing several files as one journaled, all-or-nothing step. */
#include "writeset.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/fingerprint.h"
#include "sshsync/os_file.h"
#include "sshsync/os_path.h"
#include "sshsync/os_sys.h"
#include "sshsync/safewrite.h"

/* One file written by this run: what to put back if a later one fails. */
typedef struct written {
	const ss_write_item *item;
	ss_file_identity id; /* as written (unknown: removed) */
	int unhashed;	     /* id.hash still to be computed (SS_SAFE_NO_HASH) */
	int done;	     /* written: a rollback puts it back */
	char *warning;	     /* what the write said, or NULL */
} written;

/* The new contents of an item. */
static ss_source item_source(const ss_write_item *it)
{
	ss_source s = {NULL, NULL, it->bytes, it->len, it->reader};
	if (it->edits) {
		s.text = it->text;
		s.edits = it->edits;
	}
	return s;
}

/* The item's previous contents: its text as read. */
static ss_source old_source(const ss_write_item *it)
{
	return (ss_source){it->text, NULL, NULL, 0, NULL};
}

ss_write_item ss_change_item(const ss_change *c)
{
	ss_write_item it = {.text = c->text,
			    .edits = &c->edits,
			    .backup_dir = c->backup_dir,
			    .sink = c->sink,
			    .sink_ctx = c->sink_ctx,
			    .private_new = c->private_new};
	return it;
}

int ss_change_check(const ss_change *c, int backup, ss_diag *d)
{
	if (c->sink)
		return c->sink->check(c->sink_ctx, d);
	ss_write_opts wo = {backup, c->backup_dir, 0, NULL, NULL, NULL};
	return ss_safe_replace_check(c->text, &wo, d);
}

/* The backup .reg of a sink, named by the hash of its bytes. */
static char *sink_backup_path(const ss_text *t, const char *dir)
{
	ss_source src = {t, NULL, NULL, 0, NULL};
	char hex[SS_SHA256_HEX];
	ss_diag ignored = SS_DIAG_INIT;
	int r = ss_sha256_source(&src, hex, &ignored);
	ss_diag_clear(&ignored);
	return r < 0 ? NULL : ss_asprintf("%s/reg-backup-%.16s.reg", dir, hex);
}

char *ss_change_backup_path(const ss_change *c, int backup, const char *journal_dir)
{
	if (!backup)
		return ss_strdup("");
	if (!c->sink)
		return c->text->id.known ? ss_backup_path(c->text->path, c->backup_dir)
					 : ss_strdup("");
	char *dir = journal_dir ? ss_strdup(journal_dir) : ss_journal_default_dir();
	char *path = dir ? sink_backup_path(c->text, dir) : NULL;
	free(dir);
	return path;
}

/* Writes the backup .reg of a sink (once: a file of that name holds those
 * bytes already). */
static int write_sink_backup(const ss_text *t, const char *path, ss_diag *d)
{
	if (ss_os_path_exists(path))
		return 0;
	ss_buf bytes = SS_BUF_INIT;
	ss_text file;
	int r = ss_text_encode(t, t->data, t->len, &bytes, d);
	if (r == 0)
		r = ss_text_new_empty(&file, path, SS_ENC_BYTES, SS_EOL_CRLF, d);
	if (r == 0) {
		ss_write_opts wo = {0, NULL, 0, NULL, NULL, NULL};
		r = ss_safe_write(&file, bytes.data ? bytes.data : "", bytes.len, &wo, d);
		ss_text_free(&file);
	}
	ss_buf_release(&bytes);
	return r;
}

/* Writes one item into its log entry `w` (its warning kept there).
 * keep_side: one of several written at once (ss_safe_replace_shared). */
static int write_one(const ss_write_item *it, int backup, int keep_side, ss_safe_prepared *prepared,
		     ss_os_stale_temps *stale, written *w, ss_diag *d)
{
	w->item = it;
	memset(&w->id, 0, sizeof(w->id));
	int r;
	if (it->sink) {
		r = it->sink->write(it->sink_ctx, d);
	} else if (it->remove) {
		r = ss_safe_remove(it->text, d);
	} else {
		ss_write_opts wo = {backup, it->backup_dir, it->private_new, NULL, stale, NULL};
		ss_write_result wr = SS_WRITE_RESULT_INIT;
		ss_source src = item_source(it);
		r = prepared	? ss_safe_commit(prepared, &wr, d)
		    : keep_side ? ss_safe_replace_shared(it->text, &src, &wo, &wr, d)
				: ss_safe_replace_from(it->text, &src, &wo, &wr, d);
		if (r == 0)
			w->id = wr.id;
		w->unhashed = prepared != NULL;
		w->warning = wr.warning; /* taken */
		wr.warning = NULL;
		ss_write_result_free(&wr);
	}
	w->done = r == 0;
	return r;
}

/* --- many files written at once --- */

/* Threads that write a run's files at once, each a whole file at a time:
 * its sync and its folder's are most of a small file's time, and a file
 * system commits syncs that wait together in one go. (2,000 session
 * files: 1.3 s one after the other.) */
enum { WRITE_THREADS = 8 };

/* An item that may be written beside others: a file that exists, is
 * replaced and is no other item's file. Each write then holds one lock,
 * its file's, which no other holds: no thread waits for another. New
 * files lock their folder, which others may share: they are written
 * after. (Where a lock belongs to the thread that took it, the checks
 * before writing hold every file's: see ss_os_locks_are_per_thread.) */
typedef struct candidate {
	uint64_t dev, ino;
	size_t i;
} candidate;

static int by_identity(const void *a, const void *b)
{
	const candidate *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int by_index(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

/* The items apart, in the run's order, into which[] (room for n): how
 * many, or SIZE_MAX when memory ran out. */
static size_t find_apart(const ss_write_item *v, size_t n, size_t *which)
{
	candidate *c = calloc(n, sizeof(*c));
	if (!c)
		return SIZE_MAX;
	size_t m = 0, k = 0;
	for (size_t i = 0; i < n; i++)
		if (!v[i].sink && !v[i].remove && v[i].text->id.known)
			c[m++] = (candidate){(uint64_t)v[i].text->id.dev,
					     (uint64_t)v[i].text->id.ino, i};
	qsort(c, m, sizeof(*c), by_identity);
	for (size_t x = 0; x < m; x++) {
		int twin = (x > 0 && c[x - 1].dev == c[x].dev && c[x - 1].ino == c[x].ino) ||
			   (x + 1 < m && c[x + 1].dev == c[x].dev && c[x + 1].ino == c[x].ino);
		if (!twin)
			which[k++] = c[x].i;
	}
	free(c);
	qsort(which, k, sizeof(*which), by_index);
	return k;
}

typedef struct together {
	const ss_write_item *v;
	const size_t *which; /* the items written together */
	size_t n;
	int backup;
	ss_os_stale_temps *stale;
	written *log;
	ss_diag *why; /* per item of the run */
	atomic_size_t next;
	atomic_int stop; /* one failed: no more are begun */
} together;

static void write_some(void *arg)
{
	together *t = arg;
	while (!atomic_load(&t->stop)) {
		size_t k = atomic_fetch_add(&t->next, 1);
		if (k >= t->n)
			break;
		size_t i = t->which[k];
		if (write_one(&t->v[i], t->backup, 1, NULL, t->stale, &t->log[i], &t->why[i]) < 0)
			atomic_store(&t->stop, 1);
	}
}

/* The items in `which` written by up to WRITE_THREADS threads; 0, or -1
 * with why[i] set for the items that failed. */
static int write_together(together *t)
{
	ss_os_thread *thread[WRITE_THREADS] = {NULL};
	size_t k = t->n < WRITE_THREADS ? t->n : WRITE_THREADS;
	for (size_t i = 1; i < k; i++)
		if (ss_os_thread_start(&thread[i], write_some, t) < 0)
			break; /* fewer threads */
	write_some(t);
	for (size_t i = 1; i < k; i++)
		ss_os_thread_join(thread[i]);
	return atomic_load(&t->stop) ? -1 : 0;
}

/* The backup directories of the items written together that do not exist
 * yet, into `made`: they share them (a folder's sessions, an Include
 * directory's files), so no write removes one it made; this run does,
 * after them all, when it is empty. -1 when memory ran out. */
static int missing_side_dirs(const together *t, ss_strlist *made)
{
	for (size_t k = 0; k < t->n; k++) {
		const char *dir = t->v[t->which[k]].backup_dir;
		ss_stat st;
		if (!dir || ss_strlist_has(made, dir) || ss_os_stat(dir, &st) == 0)
			continue;
		if (ss_strlist_push(made, dir) < 0)
			return -1;
	}
	return 0;
}

/* Writes every item: those apart (see find_apart) together, then the
 * others in turn. 0, or -1 with `d` set from the first item (in the run's
 * order) that failed. */
static int write_all(const ss_write_item *v, size_t n, int backup, written *log, ss_diag *d)
{
	size_t *which = calloc(n, sizeof(*which));
	ss_diag *why = calloc(n, sizeof(*why));
	/* Each folder listed once for what killed runs left, not once a file. */
	together t = {.v = v,
		      .which = which,
		      .backup = backup,
		      .stale = n > 1 ? ss_os_stale_temps_new() : NULL,
		      .log = log,
		      .why = why};
	atomic_init(&t.next, 0);
	atomic_init(&t.stop, 0);
	t.n = !which || !why		     ? SIZE_MAX
	      : ss_os_locks_are_per_thread() ? 0 /* see there */
					     : find_apart(v, n, which);
	ss_strlist made = SS_STRLIST_INIT;
	int r = t.n == SIZE_MAX ? ss_diag_oom(d) : 0;
	if (r == 0 && t.n > 1) {
		r = missing_side_dirs(&t, &made) < 0 ? ss_diag_oom(d) : write_together(&t);
		for (size_t i = 0; i < made.n; i++)
			ss_os_remove_dir(made.v[i]); /* when empty: no backup went there */
	}
	ss_strlist_release(&made);
	for (size_t i = 0; r == 0 && i < n; i++)
		if (!log[i].done)
			r = write_one(&v[i], backup, 0, NULL, t.stale, &log[i], &why[i]);
	for (size_t i = 0; why && i < n; i++) {
		if (r < 0 && why[i].message && !d->message)
			ss_diag_set(d, why[i].file, why[i].line, why[i].col, "%s", why[i].message);
		ss_diag_clear(&why[i]);
	}
	free(which);
	free(why);
	ss_os_stale_temps_free(t.stale);
	return r;
}

/* The hashes of the first item that the journal entry records, when they
 * were made on the way, and where its old contents were kept when they
 * were kept on the way. */
typedef struct first_hashes {
	char before[SS_SHA256_HEX];
	char after[SS_FINGERPRINT_HEX];
	int have_before, have_after;
	int kept;
	ss_journal_place where;
} first_hashes;

/* Smaller files are hashed when they are written: a thread would not pay. */
#define PREHASH_MIN ((int64_t)1 << 20)

/* A byte file is hashed from its text, once it is read: the file is read
 * once. A UTF-16 file is read again by the thread from the start, while
 * the caller reads and decodes it: its text is its bytes decoded, and
 * encoding it again cost more than reading the file (an 80 MB .reg's
 * apply was 14 ms slower, the hash waited for). */
struct ss_prehash {
	char *path;	     /* set: the file is read again (UTF-16) */
	const ss_text *text; /* else the text hashed, once read: never changed
			      * while it is planned, only read by both threads */
	ss_sha256_sink sha;
	ss_os_thread *thread;
	atomic_int stop;     /* set: the thread gives up at its next piece */
	ss_file_identity id; /* path: the file as the thread read it */
	unsigned char *buf;  /* path: SS_TEXT_CHUNK bytes, allocated by the caller
			      * (the thread allocates nothing) */
	char hex[SS_SHA256_HEX];
	int ok; /* hex is the hash of the text's bytes (path: and id the file's) */
};

/* libcrypto is loaded by the caller, before the thread starts: loaded by
 * the thread, its mappings raced the caller's page faults (8 ms slower
 * for an 80 MB .reg, 2 ms for a WinSCP.ini, 41 and 21 alternating runs).
 * The thread allocates nothing. Without libcrypto, the journal's own
 * hashing says so, where it always did (after the plan: nothing to
 * change needs none). */
static int prehash_begin(ss_prehash *p)
{
	ss_diag ignored = SS_DIAG_INIT;
	int r = ss_os_sha256_ready() && ss_sha256_sink_begin(&p->sha, &ignored) == 0;
	ss_diag_clear(&ignored);
	return r;
}

/* Whether the file was left as it was while it was read: the same file,
 * size and times at the end as at the start. */
static int unchanged_while_read(const ss_stat *a, const ss_stat *b)
{
	int64_t am, ac, bm, bc;
	ss_os_stat_times(a, &am, &ac);
	ss_os_stat_times(b, &bm, &bc);
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       am == bm && ac == bc;
}

/* Reads the open file to its end: its SHA-256, and its content hash into
 * `h` when that is not NULL; 1 when it was read whole (*size bytes) and
 * stayed as `st` says meanwhile. */
static int prehash_read(ss_prehash *p, int fd, const ss_stat *st, ss_content_hash *h, int64_t *size)
{
	unsigned char *buf = p->buf;
	ss_diag ignored = SS_DIAG_INIT;
	int done = 0;
	*size = 0;
	while (!done && !atomic_load(&p->stop)) {
		ssize_t n = ss_os_read_full(fd, buf, SS_TEXT_CHUNK);
		if (n < 0 || p->sha.sink.put(p->sha.sink.ctx, buf, (size_t)n, &ignored) < 0)
			break;
		if (h)
			ss_content_hash_update(h, buf, (size_t)n);
		*size += n;
		done = (size_t)n < SS_TEXT_CHUNK;
	}
	ss_diag_clear(&ignored);
	ss_stat end;
	return done && *size == st->st_size && ss_os_fstat(fd, &end) == 0 &&
	       unchanged_while_read(st, &end);
}

/* The file read again, with what ss_file_same_read compares. */
static void prehash_file_run(void *arg)
{
	ss_prehash *p = arg;
	ss_file_identity *id = &p->id;
	id->read_ns = ss_os_now_ns(); /* before fstat, as ss_text_load */
	int fd;
	ss_stat st;
	if (ss_os_open_path_read(p->path, &fd) < 0)
		return;
	if (ss_os_fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		ss_os_stat_times(&st, &id->mtime_ns, &id->ctime_ns);
		/* The content hash only where ss_file_same_read compares it. */
		ss_content_hash h;
		ss_content_hash_init(&h);
		int racy = ss_file_racy(id);
		p->ok = prehash_read(p, fd, &st, racy ? &h : NULL, &id->size);
		id->known = 1;
		id->dev = st.st_dev;
		id->ino = st.st_ino;
		id->hash = racy ? ss_content_hash_final(&h) : 0;
	}
	ss_os_close(fd);
}

/* A byte text's bytes are the file's, as ss_source_emit gives them:
 * hashed where they are, a piece at a time, until the caller gives up. */
static void prehash_text_run(void *arg)
{
	ss_prehash *p = arg;
	const ss_text *t = p->text;
	ss_diag ignored = SS_DIAG_INIT;
	size_t at = 0;
	int ok = 1;
	while (ok && at < t->len && !atomic_load(&p->stop)) {
		size_t n = t->len - at < SS_TEXT_CHUNK ? t->len - at : SS_TEXT_CHUNK;
		ok = p->sha.sink.put(p->sha.sink.ctx, t->data + at, n, &ignored) == 0;
		at += n;
	}
	ss_diag_clear(&ignored);
	p->ok = ok && at == t->len;
}

/* Whether the file is read as UTF-16 (a guess: each mode checks what it
 * hashed). */
static int starts_utf16(const char *path)
{
	int fd;
	unsigned char bom[2];
	if (ss_os_open_path_read(path, &fd) < 0)
		return 0;
	int r = ss_text_starts_utf16(bom, ss_os_read_full(fd, bom, 2));
	ss_os_close(fd);
	return r;
}

ss_prehash *ss_prehash_start(const char *path)
{
	ss_stat st;
	if (ss_os_stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < PREHASH_MIN)
		return NULL;
	ss_prehash *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	atomic_init(&p->stop, 0);
	if (!starts_utf16(path))
		return p; /* hashed once read: ss_prehash_text_read */
	if (!(p->path = ss_strdup(path)) || !(p->buf = malloc(SS_TEXT_CHUNK)) ||
	    !prehash_begin(p) || ss_os_thread_start(&p->thread, prehash_file_run, p) < 0) {
		ss_prehash_free(p);
		return NULL;
	}
	return p;
}

void ss_prehash_text_read(void *ctx, const ss_text *t)
{
	ss_prehash *p = ctx;
	if (p->path || p->text || !t->id.known || t->id.size < PREHASH_MIN ||
	    t->enc != SS_ENC_BYTES)
		return;
	p->text = t; /* hashed while it is written (prehash_text_start) */
}

/* The thread that hashes `t`, the text noted, started: 1 when it runs. */
static int prehash_text_start(ss_prehash *p, const ss_text *t)
{
	if (!p || p->path || p->text != t || p->thread || !prehash_begin(p))
		return 0;
	if (ss_os_thread_start(&p->thread, prehash_text_run, p) == 0)
		return 1;
	p->thread = NULL; /* the hash begun is ended by prehash_finish */
	return 0;
}

/* Waits for the thread (or what is left of it) and ends its hash. */
static void prehash_finish(ss_prehash *p)
{
	ss_os_thread_join(p->thread);
	p->thread = NULL;
	if (p->sha.sink.ctx) {
		ss_diag ignored = SS_DIAG_INIT;
		p->ok = ss_sha256_sink_end(&p->sha, p->ok ? p->hex : NULL, &ignored) == 0 && p->ok;
		ss_diag_clear(&ignored);
	}
}

/* Whether the thread hashed the bytes that `t` holds; then the hash in `hex`. */
static int prehash_take(ss_prehash *p, const ss_text *t, char hex[SS_SHA256_HEX])
{
	prehash_finish(p);
	if (!p->ok || (p->path ? !t->id.known || !ss_file_same_read(&p->id, &t->id) : p->text != t))
		return 0;
	memcpy(hex, p->hex, SS_SHA256_HEX);
	return 1;
}

void ss_prehash_free(ss_prehash *p)
{
	if (!p)
		return;
	atomic_store(&p->stop, 1);
	prehash_finish(p);
	free(p->path);
	free(p->buf);
	free(p);
}

/* The old contents of a run's one file kept in the journal by a thread
 * of its own, while this one writes the new contents: kept after them,
 * their copy and its fsync took a fifth of a 30 MB apply (23 ms). They
 * are hashed first when their hash is not known yet. Where their hash is
 * known and the file has no other name, the write links the file into
 * the journal instead (ss_keep_link): nothing to copy, and the replaced
 * file is not freed (on this disk, freeing 30 MB waits 7-8 ms for its
 * blocks to be discarded). What fails here fails the run as journal_begin
 * would have; a run that fails otherwise removes what it kept, unless the
 * journal held it already. */
typedef struct early_keep {
	ss_journal *j;
	ss_source src;
	char hex[SS_SHA256_HEX];
	int have_hex; /* else hashed first */
	ss_journal_place where;
	int fresh; /* not kept before */
	int kept, failed;
	ss_diag d;
	ss_os_thread *thread; /* NULL: not under way */
	/* The write is asked for a link (keep) while link is open (its
	 * folders set). */
	ss_keep_link keep;
	ss_journal_linking link;
} early_keep;

static void early_keep_run(void *arg)
{
	early_keep *k = arg;
	if (!k->have_hex) {
		ss_diag ignored = SS_DIAG_INIT; /* hashed again later, and reported */
		k->have_hex = ss_sha256_source(&k->src, k->hex, &ignored) == 0;
		ss_diag_clear(&ignored);
		if (!k->have_hex)
			return;
	}
	const char *hex = k->hex;
	k->fresh = ss_journal_has(k->j, hex) == 0;
	k->failed = ss_journal_keep_all(k->j, &k->src, &hex, 1, &k->where, &k->d) < 0;
	k->kept = !k->failed;
}

/* Whether this write will make the file's first backup, a second name of
 * the file (a guess: when it is wrong, the write makes no link and the
 * contents are copied after it). */
static int first_backup(const ss_write_item *v, const ss_write_opts *wo)
{
	if (!wo->backup)
		return 0;
	ss_diag ignored = SS_DIAG_INIT;
	char *real = ss_safe_real_path(v->text, &ignored);
	char *bak = real ? ss_backup_path(real, v->backup_dir) : NULL;
	ss_stat st;
	int first = !bak || ss_os_lstat(bak, &st) < 0;
	ss_diag_clear(&ignored);
	free(real);
	free(bak);
	return first;
}

/* Asks the write for a link to the file where the journal may not hold
 * its contents yet (when their hash is known: does not) and is on the
 * file's device: 1 asked. */
static int ask_link(early_keep *k, const ss_write_item *v, ss_write_opts *wo)
{
	if ((k->have_hex && ss_journal_has(k->j, k->hex) != 0) || first_backup(v, wo))
		return 0;
	ss_diag ignored = SS_DIAG_INIT;
	int open = ss_journal_link_open(k->j, &k->link, &ignored) == 0;
	ss_diag_clear(&ignored);
	if (!open)
		return 0;
	if (k->link.dev != v->text->id.dev) {
		ss_journal_link_close(&k->link);
		return 0;
	}
	k->keep = (ss_keep_link){k->link.temps, k->link.objects, 0};
	wo->keep_link = &k->keep;
	return 1;
}

/* Started for an item that has old contents (else nothing is kept); `hex`
 * their hash, or NULL: then a link is asked for only when `hash_later`
 * (the caller hashes them while the write is prepared, and tells
 * early_keep_hashed). Without a link or a thread, journal_begin keeps
 * them. */
static void early_keep_start(early_keep *k, ss_journal *j, const ss_write_item *v, const char *hex,
			     int hash_later, ss_write_opts *wo)
{
	memset(k, 0, sizeof(*k));
	k->j = j;
	k->src = old_source(v);
	k->have_hex = hex != NULL;
	if (hex)
		memcpy(k->hex, hex, SS_SHA256_HEX);
	if (!v->text->id.known || ((hex || hash_later) && ask_link(k, v, wo)))
		return;
	if (ss_os_thread_start(&k->thread, early_keep_run, k) < 0)
		k->thread = NULL;
}

/* The old contents' hash, made while the write was prepared (NULL: it
 * could not be), given to the keeping and to the link the write made. */
static int early_keep_hashed(early_keep *k, const char *hex, int r, ss_safe_prepared **out,
			     ss_diag *d)
{
	if (hex) {
		memcpy(k->hex, hex, SS_SHA256_HEX);
		k->have_hex = 1;
	}
	if (r < 0 || !k->keep.made)
		return r;
	if (hex && ss_safe_name_kept(*out, hex, d) == 0)
		return 0;
	if (!hex)
		ss_diag_set(d, NULL, 0, 0, "cannot compute a SHA-256");
	ss_safe_abort(*out);
	*out = NULL;
	return -1;
}

/* The link the write made is kept (it is new in the journal unless an
 * object of its name is there already); else (r == 0: the write is
 * prepared) the contents are copied now. */
static void early_keep_link_end(early_keep *k, int r)
{
	if (k->keep.made && k->have_hex) {
		k->kept = 1;
		k->fresh = ss_journal_has(k->j, k->hex) == 0;
	} else if (r == 0) {
		early_keep_run(k);
	}
	ss_journal_link_close(&k->link);
}

/* Waits for the keeping; its hash and place into h. A prepared write
 * (r == 0) is given up when the keeping failed, with its error. */
static int early_keep_end(early_keep *k, int r, ss_safe_prepared **out, first_hashes *h, ss_diag *d)
{
	if (k->link.temps)
		early_keep_link_end(k, r);
	else if (!k->thread)
		return r;
	ss_os_thread_join(k->thread);
	k->thread = NULL;
	if (k->have_hex && !h->have_before) {
		memcpy(h->before, k->hex, SS_SHA256_HEX);
		h->have_before = 1;
	}
	h->kept = k->kept;
	h->where = k->where;
	if (r == 0 && k->failed) {
		ss_safe_abort(*out);
		*out = NULL;
		*d = k->d;
		return -1;
	}
	if (r < 0 && k->kept && k->fresh)
		(void)ss_journal_unkeep(k->j, k->hex); /* else left unrecorded */
	ss_diag_clear(&k->d);
	return r;
}

/* The write prepared, the new contents fingerprinted on their way to the
 * temporary file (h->after) unless their SHA-256 is known (undo's). */
static int prepare_fingerprinted(const ss_write_item *v, const ss_write_opts *wo,
				 ss_safe_prepared **out, first_hashes *h, ss_diag *d)
{
	ss_source src = item_source(v);
	if (v->sha_after)
		return ss_safe_prepare(v->text, &src, wo, NULL, SS_SAFE_NO_HASH, out, d);
	ss_fingerprint_sink fp;
	if (ss_fingerprint_sink_begin(&fp, d) < 0)
		return -1;
	int r = ss_safe_prepare(v->text, &src, wo, &fp.sink, SS_SAFE_NO_HASH, out, d);
	ss_fingerprint_sink_end(&fp, r == 0 ? h->after : NULL);
	h->have_after = r == 0;
	return r;
}

/* The old contents' SHA-256, made by the thread that started with the
 * write, once the temporary file is on its way to the disk (its fsync
 * while the thread ends); made here if the thread could not. NULL: r < 0,
 * or no hash. */
static const char *hash_after_write(ss_prehash *p, const ss_write_item *v, int *r,
				    ss_safe_prepared **out, first_hashes *h, ss_diag *d)
{
	if (*r == 0 && ss_safe_sync(*out, d) < 0) {
		ss_safe_abort(*out);
		*out = NULL;
		*r = -1;
	}
	if (p && prehash_take(p, v->text, h->before))
		return *r == 0 ? h->before : NULL;
	ss_source old = old_source(v);
	if (*r == 0 && ss_sha256_source(&old, h->before, d) == 0)
		return h->before;
	return NULL;
}

/* A run that writes one file (the usual apply of a large .reg or
 * WinSCP.ini) writes its temporary file before the journal entry is
 * begun, and the entry records the hashes of the bytes on their way to
 * it: the new contents are produced once. The old contents are kept in
 * the journal meanwhile (early_keep): linked by the write where the file
 * may be, with their SHA-256 made by a second thread meanwhile when it
 * is not known yet (ss_prehash); else copied by a second thread (that
 * hashes them first). journal_begin then only records them. The prepared
 * write holds the file's lock; with more files, locking one while holding
 * another could wait on itself (a path that came to name the held file),
 * so they are written as before. */
static int prepare_single(const ss_write_item *v, size_t n, const ss_write_run *run, ss_journal *j,
			  ss_safe_prepared **out, first_hashes *h, ss_diag *d)
{
	*out = NULL;
	if (n != 1 || v->sink || v->remove)
		return 0;
	ss_write_opts wo = {run->backup, v->backup_dir, v->private_new, run->closings, NULL, NULL};
	/* undo's check made it, or the thread while the file was planned. */
	const char *hex = v->sha_before;
	if (!hex && run->prehash && prehash_take(run->prehash, v->text, h->before))
		hex = h->before;
	early_keep k;
	early_keep_start(&k, j, v, hex, run->prehash != NULL, &wo);
	int later = !hex && k.link.temps && prehash_text_start(run->prehash, v->text);
	int r = prepare_fingerprinted(v, &wo, out, h, d);
	if (!hex && k.link.temps)
		hex = hash_after_write(later ? run->prehash : NULL, v, &r, out, h, d);
	r = early_keep_hashed(&k, hex, r, out, d);
	return early_keep_end(&k, r, out, h, d);
}

static int put_hash(void *ctx, const void *data, size_t len, ss_diag *d)
{
	(void)d;
	ss_content_hash_update(ctx, data, len);
	return 0;
}

/* The content hash of what an item wrote (in the pieces it was written
 * in, as the hash wants). */
static int written_hash(const ss_write_item *it, uint64_t *hash, ss_diag *d)
{
	ss_content_hash h;
	ss_content_hash_init(&h);
	ss_sink sink = {put_hash, &h};
	ss_source src = item_source(it);
	if (ss_source_emit(&src, &sink, d) < 0)
		return -1;
	*hash = ss_content_hash_final(&h);
	return 0;
}

/* Puts one file back as it was read: rewritten, recreated or removed. */
static int restore_one(const written *w, ss_diag *d)
{
	if (w->item->sink)
		return w->item->sink->restore(w->item->sink_ctx, d);
	const ss_text *orig = w->item->text;
	ss_text now = *orig; /* shallow: the bytes read, the identity now */
	now.id = w->id;
	if (w->unhashed && written_hash(w->item, &now.id.hash, d) < 0)
		return -1;
	if (!orig->id.known)
		return ss_safe_remove(&now, d);
	ss_source src = {orig, NULL, NULL, 0, NULL};
	ss_write_opts wo = {0, w->item->backup_dir, 0, NULL, NULL, NULL};
	ss_write_result res = SS_WRITE_RESULT_INIT;
	int r = ss_safe_replace_from(&now, &src, &wo, &res, d);
	ss_write_result_free(&res);
	return r;
}

/* After a failed write: every file already written is put back, the
 * run's last first, and the error says which were (and which could not
 * be). */
static int roll_back(const written *log, size_t n, ss_diag *d)
{
	ss_buf back = SS_BUF_INIT, lost = SS_BUF_INIT;
	int oom = 0;
	for (size_t i = n; i-- > 0;) {
		if (!log[i].done)
			continue;
		ss_diag why = SS_DIAG_INIT;
		int r = restore_one(&log[i], &why);
		char *msg = r < 0 ? ss_diag_format(&why) : NULL;
		ss_buf *to = r < 0 ? &lost : &back;
		oom |= ss_buf_addf(to, "%s%s", to->len ? ", " : "",
				   r < 0 && msg ? msg : log[i].item->text->path) < 0;
		free(msg);
		ss_diag_clear(&why);
	}
	char *first = ss_diag_format(d);
	ss_diag_clear(d);
	if (!first || oom)
		ss_diag_oom(d);
	else if (lost.len)
		ss_diag_set(d, NULL, 0, 0,
			    "%s; put back as they were: %s; NOT put back (restore from the "
			    "backup or with 'sshsync undo'): %s",
			    first, back.len ? ss_buf_str(&back) : "none", ss_buf_str(&lost));
	else
		ss_diag_set(d, NULL, 0, 0,
			    "%s; the files already replaced were put back as they were: %s", first,
			    ss_buf_str(&back));
	free(first);
	int complete = lost.len == 0;
	ss_buf_release(&back);
	ss_buf_release(&lost);
	return complete;
}

/* A sink's record: its name, its backup .reg (written now, before the
 * first change), and both .reg forms kept as objects (undo reads them). */
static int describe_sink(const ss_write_item *it, int backup, ss_journal *j, ss_journal_file *f,
			 ss_diag *d)
{
	if (!(f->path = ss_strdup(it->text->path)))
		return ss_diag_oom(d);
	ss_source before = {it->text, NULL, NULL, 0, NULL}, after = item_source(it);
	if (ss_journal_store_from(j, &before, f->before, d) < 0 ||
	    ss_journal_store_from(j, &after, f->after, d) < 0)
		return -1;
	if (!backup)
		return 0;
	if (!(f->backup = sink_backup_path(it->text, j->dir)))
		return ss_diag_oom(d);
	return write_sink_backup(it->text, f->backup, d);
}

/* The journal's record of one item; its previous contents are kept
 * later, with all of the run's (keep_items). */
static int describe_item(const ss_write_item *it, int backup, const first_hashes *h, ss_journal *j,
			 ss_journal_file *f, ss_diag *d)
{
	memset(f, 0, sizeof(*f));
	if (it->sink)
		return describe_sink(it, backup, j, f, d);
	if (!(f->path = ss_safe_real_path(it->text, d)))
		return -1;
	if (backup && it->text->id.known && !it->remove &&
	    !(f->backup = ss_backup_path(it->text->path, it->backup_dir)))
		return ss_diag_oom(d);
	if (it->backup_dir && !(f->backup_dir = ss_strdup(it->backup_dir)))
		return ss_diag_oom(d);
	ss_source before = {it->text, NULL, NULL, 0, NULL}, new_bytes = item_source(it);
	const char *known = h && h->have_before ? h->before : it->sha_before;
	if (it->text->id.known && known)
		memcpy(f->before, known, SS_SHA256_HEX);
	else if (it->text->id.known && ss_sha256_source(&before, f->before, d) < 0)
		return -1;
	if (!it->remove && h && h->have_after)
		memcpy(f->after_xxh, h->after, SS_FINGERPRINT_HEX);
	else if (!it->remove && it->sha_after)
		memcpy(f->after, it->sha_after, SS_SHA256_HEX);
	else if (!it->remove && ss_fingerprint_source(&new_bytes, f->after_xxh, d) < 0)
		return -1;
	return 0;
}

/* The previous contents of every file that existed, kept at once (the
 * first file's unless they were kept on the way). */
static int keep_items(const ss_write_item *v, size_t n, const first_hashes *first,
		      ss_journal_file *files, ss_journal *j, ss_diag *d)
{
	ss_source *src = calloc(n, sizeof(*src));
	const char **hex = calloc(n, sizeof(*hex));
	size_t *of = calloc(n, sizeof(*of));
	ss_journal_place *where = calloc(n, sizeof(*where));
	size_t k = 0;
	int r = src && hex && of && where ? 0 : ss_diag_oom(d);
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (v[i].sink || !v[i].text->id.known)
			continue;
		if (i == 0 && first && first->kept) {
			files[0].kept = first->where;
			continue;
		}
		src[k] = old_source(&v[i]);
		of[k] = i;
		hex[k++] = files[i].before;
	}
	if (r == 0)
		r = ss_journal_keep_all(j, src, hex, k, where, d);
	for (size_t x = 0; r == 0 && x < k; x++)
		files[of[x]].kept = where[x];
	free(src);
	free(hex);
	free(of);
	free(where);
	return r;
}

/* `first`: the hashes of the first item made on the way (NULL: none). */
static int journal_begin(const ss_write_item *v, size_t n, const ss_write_run *run,
			 const first_hashes *first, ss_journal *j, long *id, ss_diag *d)
{
	ss_journal_file *files = calloc(n ? n : 1, sizeof(*files));
	if (!files)
		return ss_diag_oom(d);
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++)
		r = describe_item(&v[i], run->backup, i == 0 ? first : NULL, j, &files[i], d);
	if (r == 0)
		r = keep_items(v, n, first, files, j, d);
	if (r == 0)
		r = ss_journal_begin(j, run->op, run->of, files, n, id, d);
	for (size_t i = 0; i < n; i++)
		ss_journal_file_free(&files[i]);
	free(files);
	return r;
}

int ss_write_items(const ss_write_item *v, size_t n, const ss_write_run *run, ss_journal *j,
		   ss_strlist *warnings, ss_diag *d)
{
	long id = 0;
	if (n == 0)
		return 0;
	/* The live registry has no transactions: what the plan read is read
	 * again, and any difference stops the run before anything is written. */
	for (size_t i = 0; i < n; i++)
		if (v[i].sink && v[i].sink->check(v[i].sink_ctx, d) < 0)
			return -1;
	ss_safe_prepared *prepared = NULL;
	first_hashes first = {{0}, {0}, 0, 0, 0, {{0}, 0, 0}};
	if (j && prepare_single(v, n, run, j, &prepared, &first, d) < 0)
		return -1;
	if (j && journal_begin(v, n, run, &first, j, &id, d) < 0) {
		ss_safe_abort(prepared);
		return -1;
	}
	written *log = calloc(n, sizeof(*log));
	if (!log) {
		ss_safe_abort(prepared);
		return ss_diag_oom(d);
	}
	int r = prepared ? write_one(v, run->backup, 0, prepared, NULL, log, d)
			 : write_all(v, n, run->backup, log, d);
	for (size_t i = 0; r == 0 && i < n; i++)
		if (log[i].warning && ss_strlist_push(warnings, log[i].warning) < 0)
			r = ss_diag_oom(d);
	/* The run counts once the journal says so; else it is undone. */
	if (r == 0 && j && ss_journal_end(j, id, SS_JOURNAL_DONE, d) < 0)
		r = -1;
	size_t written_n = 0;
	for (size_t i = 0; i < n; i++)
		written_n += log[i].done;
	int complete = r < 0 && written_n ? roll_back(log, n, d) : 1;
	if (r < 0 && complete && j) {
		ss_diag ignored = SS_DIAG_INIT;
		ss_journal_end(j, id, SS_JOURNAL_ROLLED_BACK, &ignored);
		ss_diag_clear(&ignored);
	}
	for (size_t i = 0; i < n; i++)
		free(log[i].warning);
	free(log);
	return r;
}

/* --- what apply and migrate do around ss_write_items --- */

const char *ss_diff_label(const char *path)
{
	while (ss_os_is_sep(*path))
		path++;
	return path;
}

/* A created file's whole text as added lines: the edits alone would show a
 * seed the file starts from (a .reg header) as if it were there already. */
static int created_diff(const ss_change *c, const char *label, ss_buf *out, const ss_sink *flush,
			ss_diag *d)
{
	ss_buf all = SS_BUF_INIT;
	int r = ss_edits_render(c->text, &c->edits, &all, d);
	size_t lines = 0;
	for (size_t i = 0; r == 0 && i < all.len; i++)
		lines += all.data[i] == '\n';
	if (r == 0 && all.len && all.data[all.len - 1] != '\n')
		lines++;
	if (r == 0 &&
	    ss_buf_addf(out, "--- a/%s\n+++ b/%s\n@@ -0,0 +1,%zu @@\n", label, label, lines) < 0)
		r = ss_diag_oom(d);
	for (size_t pos = 0; r == 0 && pos < all.len;) {
		const char *nl = memchr(all.data + pos, '\n', all.len - pos);
		size_t end = nl ? (size_t)(nl - all.data) + 1 : all.len;
		if (ss_buf_addc(out, '+') < 0 || ss_buf_add(out, all.data + pos, end - pos) < 0 ||
		    (!nl && ss_buf_adds(out, "\n\\ No newline at end of file\n") < 0))
			r = ss_diag_oom(d);
		else
			r = ss_sink_put_if_full(out, flush, d);
		pos = end;
	}
	ss_buf_release(&all);
	return r;
}

int ss_change_describe(const ss_change *c, int backup, const char *journal_dir, ss_strlist *changed,
		       ss_strlist *backups, ss_buf *diff, ss_diag *d)
{
	/* A new file has nothing to back up. */
	char *bak = ss_change_backup_path(c, backup, journal_dir);
	if (ss_strlist_push(changed, c->text->path) < 0 || ss_strlist_push_owned(backups, bak) < 0)
		return ss_diag_oom(d);
	return diff ? ss_change_diff(c, diff, NULL, d) : 0;
}

int ss_change_diff(const ss_change *c, ss_buf *out, const ss_sink *flush, ss_diag *d)
{
	const char *label = ss_diff_label(c->text->path);
	/* A sink's text (the registry's values before, as .reg) is no file:
	 * its diff is the edits' even though no file identity is known. */
	if (!c->sink && !c->text->id.known && c->text->len)
		return created_diff(c, label, out, flush, d);
	return ss_edits_diff_to(c->text, &c->edits, label, out, flush, d);
}

int ss_change_diff_plain(const ss_change *c)
{
	return ss_edits_diff_plain(c->text, &c->edits, ss_diff_label(c->text->path));
}

int ss_changeset_check(const ss_changeset *cs, int backup, ss_diag *d)
{
	for (size_t i = 0; i < cs->n; i++) {
		const ss_change *c = &cs->v[i];
		if (c->changed && ss_change_check(c, backup, d) < 0)
			return -1;
	}
	if (cs->validate && ss_changeset_count_changed(cs) &&
	    cs->validate(cs, cs->validate_ctx, d) < 0)
		return -1;
	return 0;
}

int ss_changesets_write(const ss_write_item *first, size_t nfirst, const ss_changeset *sets,
			size_t n, const ss_write_run *run, const char *journal_dir,
			ss_strlist *warnings, ss_diag *d)
{
	size_t total = nfirst;
	for (size_t i = 0; i < n; i++)
		total += ss_changeset_count_changed(&sets[i]);
	if (total == 0)
		return 0;
	ss_write_item *items = calloc(total, sizeof(*items));
	if (!items)
		return ss_diag_oom(d);
	size_t k = 0;
	for (; k < nfirst; k++)
		items[k] = first[k];
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < sets[i].n; c++) {
			const ss_change *ch = &sets[i].v[c];
			/* Rendered piece by piece as it is written. */
			if (ch->changed)
				items[k++] = ss_change_item(ch);
		}
	ss_journal j = SS_JOURNAL_INIT;
	int r = ss_journal_open_append(&j, journal_dir, d);
	if (r == 0)
		r = ss_write_items(items, k, run, &j, warnings, d);
	ss_journal_close(&j);
	free(items);
	return r;
}
