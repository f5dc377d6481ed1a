/* The journal of applies and undos (see include/sshsync/journal.h). */
#include "sshsync/journal.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sshsync/os_file.h"
#include "sshsync/os_path.h"
#include "sshsync/os_sys.h"
#include "sshsync/os_user.h"
#include "sshsync/safewrite.h"

#define JOURNAL_NAME "journal"
#define OBJECTS_NAME "objects"
/* In objects/: the files on their way to becoming objects (and those a
 * killed run left). Not among the objects themselves, which every run
 * would otherwise read through to find them. */
#define TEMPS_NAME OBJECTS_NAME "/.tmp"

char *ss_journal_default_dir(void)
{
	const char *state = getenv("XDG_STATE_HOME");
	/* The XDG spec: a relative path is invalid and ignored. */
	if (state && ss_os_is_absolute(state))
		return ss_asprintf("%s/sshsync", state);
	char *base = ss_os_folder_path(SS_OS_STATE);
	char *dir = base ? ss_asprintf("%s/sshsync", base) : NULL;
	free(base);
	return dir;
}

int ss_sha256_hex(const void *data, size_t len, char out[SS_SHA256_HEX])
{
	unsigned char md[32];
	if (ss_os_sha256(data, len, md) < 0)
		return -1;
	ss_hex_lower(md, sizeof(md), out);
	return 0;
}

static int put_sha(void *ctx, const void *data, size_t len, ss_diag *d)
{
	if (ss_os_sha256_update(ctx, data, len) < 0)
		return ss_diag_set(d, NULL, 0, 0, "cannot compute a SHA-256");
	return 0;
}

int ss_sha256_sink_begin(ss_sha256_sink *s, ss_diag *d)
{
	s->sink.put = put_sha;
	s->sink.ctx = ss_os_sha256_begin();
	return s->sink.ctx ? 0 : ss_diag_set(d, NULL, 0, 0, "cannot compute a SHA-256");
}

int ss_sha256_sink_end(ss_sha256_sink *s, char out[SS_SHA256_HEX], ss_diag *d)
{
	unsigned char md[32];
	int r = ss_os_sha256_end(s->sink.ctx, md);
	s->sink.ctx = NULL;
	if (!out)
		return 0;
	if (r < 0)
		return ss_diag_set(d, NULL, 0, 0, "cannot compute a SHA-256");
	ss_hex_lower(md, sizeof(md), out);
	return 0;
}

int ss_sha256_source(const ss_source *src, char out[SS_SHA256_HEX], ss_diag *d)
{
	ss_sha256_sink s;
	if (ss_sha256_sink_begin(&s, d) < 0)
		return -1;
	int r = ss_source_emit(src, &s.sink, d);
	if (ss_sha256_sink_end(&s, r == 0 ? out : NULL, d) < 0)
		r = -1;
	return r;
}

void ss_journal_file_free(ss_journal_file *f)
{
	free(f->path);
	free(f->backup);
	free(f->backup_dir);
	memset(f, 0, sizeof(*f));
}

static void entry_free(ss_journal_entry *e)
{
	for (size_t i = 0; i < e->nfiles; i++)
		ss_journal_file_free(&e->files[i]);
	free(e->files);
	free(e->op);
	free(e->time);
	memset(e, 0, sizeof(*e));
}

/* The entries read, forgotten (the journal stays open). */
static void free_entries(ss_journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		entry_free(&j->v[i]);
	free(j->v);
	j->v = NULL;
	j->n = j->cap = 0;
	j->last_id = 0;
}

void ss_journal_close(ss_journal *j)
{
	free_entries(j);
	free(j->dir);
	ss_os_close(j->fd);
	*j = (ss_journal)SS_JOURNAL_INIT;
}

/* --- reading --- */

static char *opt_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? ss_strdup(s) : NULL;
}

/* Whether s is a SHA-256 as the journal writes it (never a path). */
static int is_sha256_hex(const char *s)
{
	return ss_is_hex_lower(s, SS_SHA256_HEX - 1);
}

/* A digest of `digits` hex digits (`out` holds them and the NUL): "" for
 * null or no `key`. */
static int digest_field(json_t *o, const char *key, size_t digits, char *out)
{
	json_t *v = json_object_get(o, key);
	const char *s = json_string_value(v);
	out[0] = '\0';
	if (!s)
		return !v || json_is_null(v) ? 0 : -1;
	if (!ss_is_hex_lower(s, digits))
		return -1;
	memcpy(out, s, digits + 1);
	return 0;
}

/* "before" and "after": in every entry, null for none. */
static int hex_field(json_t *o, const char *key, char out[SS_SHA256_HEX])
{
	return json_object_get(o, key) ? digest_field(o, key, SS_SHA256_HEX - 1, out) : -1;
}

/* A count of bytes: `key`'s integer, from 0 on. */
static int size_field(json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* Where a file's previous contents are kept: in a pack when the record
 * names one (both counts then within what a file can hold). */
static int parse_place(json_t *f, ss_journal_place *p)
{
	if (!json_object_get(f, "pack"))
		return 0;
	if (hex_field(f, "pack", p->pack) < 0 || !p->pack[0] || size_field(f, "at", &p->at) < 0 ||
	    size_field(f, "size", &p->size) < 0 || p->size > (uint64_t)INT64_MAX - p->at)
		return -1;
	return 0;
}

static int parse_files(json_t *arr, ss_journal_entry *e)
{
	size_t n = json_array_size(arr);
	if (!json_is_array(arr))
		return -1;
	e->files = calloc(n ? n : 1, sizeof(*e->files));
	if (!e->files)
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_t *f = json_array_get(arr, i);
		ss_journal_file *jf = &e->files[e->nfiles++];
		jf->path = opt_str(f, "path");
		jf->backup = opt_str(f, "backup");
		jf->backup_dir = opt_str(f, "backup_dir");
		if (!jf->path || hex_field(f, "before", jf->before) < 0 ||
		    hex_field(f, "after", jf->after) < 0 ||
		    digest_field(f, "after_xxh128", SS_FINGERPRINT_HEX - 1, jf->after_xxh) < 0 ||
		    parse_place(f, &jf->kept) < 0)
			return -1;
	}
	return 0;
}

/* A record's "id": 0 when it has none, or one that no long holds (a
 * record sshsync never wrote). */
static long record_id(json_t *o)
{
	json_int_t id = json_integer_value(json_object_get(o, "id"));
	return id > 0 && id <= LONG_MAX ? (long)id : 0;
}

static ss_journal_entry *find_entry(ss_journal *j, long id)
{
	for (size_t i = j->n; i-- > 0;)
		if (j->v[i].id == id)
			return &j->v[i];
	return NULL;
}

static int add_entry(ss_journal *j, json_t *o, long id)
{
	if (ss_array_room(&j->v, &j->cap, j->n, sizeof(*j->v)) < 0)
		return -1;
	ss_journal_entry *e = &j->v[j->n++];
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->of = (long)json_integer_value(json_object_get(o, "of"));
	e->op = opt_str(o, "op");
	e->time = opt_str(o, "time");
	e->state = SS_JOURNAL_BEGUN;
	if (e->id > 0 && e->op && e->time && parse_files(json_object_get(o, "files"), e) == 0)
		return 0;
	/* No entry sshsync wrote (edited, or memory ran out): not one to
	 * undo, but its id stays taken. */
	entry_free(e);
	j->n--;
	return -1;
}

static int end_entry(ss_journal *j, json_t *o, long id)
{
	ss_journal_entry *e = find_entry(j, id);
	const char *end = json_string_value(json_object_get(o, "end"));
	if (!e || !end)
		return -1;
	if (strcmp(end, "done") == 0)
		e->state = SS_JOURNAL_DONE;
	else if (strcmp(end, "rolled-back") == 0)
		e->state = SS_JOURNAL_ROLLED_BACK;
	else
		return -1;
	ss_journal_entry *of = e->state == SS_JOURNAL_DONE && e->of ? find_entry(j, e->of) : NULL;
	if (of)
		of->undone_by = e->id;
	return 0;
}

static int parse_line(ss_journal *j, const char *line, size_t len)
{
	json_error_t err;
	json_t *o = json_loadb(line, len, 0, &err);
	if (!json_is_object(o)) {
		json_decref(o);
		return -1;
	}
	/* Every record's id is taken, also an end's whose entry lies before
	 * what was read, and a record's that is no entry. */
	long id = record_id(o);
	if (id > j->last_id)
		j->last_id = id;
	int r = json_object_get(o, "end") ? end_entry(j, o, id) : add_entry(j, o, id);
	json_decref(o);
	return r;
}

/* The records of the journal's last `len` bytes (all of them: its size),
 * each line a record; the first line there may have begun before them
 * and is passed over. -1 when they cannot be read. */
static int parse_tail(ss_journal *j, uint64_t size, size_t len)
{
	char *buf = malloc(len ? len : 1);
	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	uint64_t from = size - len;
	ssize_t got = ss_os_pread_full(j->fd, buf, len, from);
	if (got < 0) {
		free(buf);
		return -1;
	}
	const char *p = buf, *end = buf + got;
	if (from)
		p = (p = memchr(p, '\n', (size_t)(end - p))) ? p + 1 : end;
	/* A record cut by a crash or a full disk (no line end) is no record:
	 * its run was never done (and never began, when its entry is cut). */
	for (const char *nl; p < end && (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1)
		if (nl > p)
			parse_line(j, p, (size_t)(nl - p));
	free(buf);
	return 0;
}

/* What a run needs of the journal: all of it (undo --list), the largest
 * id (a run that adds an entry), or the last entry to undo. */
typedef enum want { WANT_ALL, WANT_LAST_ID, WANT_TO_UNDO } want;

static int has_enough(const ss_journal *j, want w)
{
	return w == WANT_LAST_ID   ? j->last_id > 0
	       : w == WANT_TO_UNDO ? ss_journal_last_undoable(j) != NULL
				   : 0;
}

/* Reads the journal from its end, 4 KiB and then four times as much each
 * time, until what is read holds what is wanted (or the journal was read
 * whole). The journal keeps every run ever made, and reading all of it
 * made each run slower than the one before. The last records say what
 * the whole journal says: each run takes the id after the largest (under
 * the lock), so ids grow along the file, and what tells of an entry (its
 * end, an undo of it) comes after it. */
enum { TAIL_FIRST = 4096 };

static int read_journal(ss_journal *j, want w)
{
	ss_stat st;
	if (ss_os_fstat(j->fd, &st) < 0)
		return -1;
	uint64_t size = (uint64_t)st.st_size;
	for (uint64_t len = w == WANT_ALL ? size : TAIL_FIRST;; len *= 4) {
		if (len > size)
			len = size;
		if (len >= SIZE_MAX) {
			errno = EFBIG;
			return -1;
		}
		free_entries(j);
		if (parse_tail(j, size, (size_t)len) < 0)
			return -1;
		if (len == size || has_enough(j, w))
			return 0;
	}
}

/* Opens and locks the journal, and reads what `w` says of it. */
static int open_journal(ss_journal *j, const char *dir, want w, ss_diag *d)
{
	*j = (ss_journal)SS_JOURNAL_INIT;
	j->dir = dir ? ss_strdup(dir) : ss_journal_default_dir();
	if (!j->dir)
		return dir ? ss_diag_oom(d)
			   : ss_diag_set(d, NULL, 0, 0,
					 "no place for the journal: set HOME or XDG_STATE_HOME");
	char *objects = ss_asprintf("%s/%s", j->dir, TEMPS_NAME);
	char *path = ss_asprintf("%s/%s", j->dir, JOURNAL_NAME);
	int r = objects && path ? 0 : ss_diag_oom(d);
	if (r == 0 && ss_os_mkdir_p(objects) < 0)
		r = ss_diag_errno(d, j->dir, "cannot make the journal directory");
	if (r == 0 && ss_os_open_append_locked(path, &j->fd) < 0)
		r = ss_diag_errno(d, path, "cannot open the journal");
	if (r == 0 && read_journal(j, w) < 0)
		r = errno == ENOMEM ? ss_diag_oom(d)
				    : ss_diag_errno(d, path, "cannot read the journal");
	free(objects);
	free(path);
	if (r < 0)
		ss_journal_close(j);
	return r;
}

int ss_journal_open(ss_journal *j, const char *dir, ss_diag *d)
{
	return open_journal(j, dir, WANT_ALL, d);
}

int ss_journal_open_append(ss_journal *j, const char *dir, ss_diag *d)
{
	return open_journal(j, dir, WANT_LAST_ID, d);
}

int ss_journal_open_to_undo(ss_journal *j, const char *dir, ss_diag *d)
{
	return open_journal(j, dir, WANT_TO_UNDO, d);
}

/* --- objects --- */

/* The folder `name` of the journal's, opened into *fd. */
static int open_folder(const ss_journal *j, const char *name, int *fd, ss_diag *d)
{
	char *path = ss_asprintf("%s/%s", j->dir, name);
	if (!path)
		return ss_diag_oom(d);
	int r = ss_os_open_dir(path, fd) < 0
		    ? ss_diag_errno(d, path, "cannot open the journal's objects")
		    : 0;
	free(path);
	return r;
}

static int open_objects(const ss_journal *j, int *fd, ss_diag *d)
{
	return open_folder(j, OBJECTS_NAME, fd, d);
}

/* A file on its way into objects/: written under a temporary name in
 * objects/.tmp, synced, then named. */
typedef struct keeping {
	int dir, temps;
	int fd;
	char *tmp;
	uint64_t written, flushed; /* flushed: handed to the disk so far */
	ss_sha256_sink *sha;	   /* NULL, or what hashes the file's bytes */
} keeping;

static int put_kept(void *ctx, const void *data, size_t len, ss_diag *d)
{
	keeping *k = ctx;
	if (ss_os_write_all(k->fd, data, len) < 0)
		return -1;
	if (k->sha && k->sha->sink.put(k->sha->sink.ctx, data, len, d) < 0)
		return -1;
	k->written += len;
	/* A large file goes to the disk as it is written, as the safe write's
	 * temporary file does: its fsync found 30 MB still to write (15 ms). */
	if (k->written - k->flushed >= SS_WRITEBACK_STEP) {
		uint64_t upto = k->written / SS_WRITEBACK_STEP * SS_WRITEBACK_STEP;
		ss_os_start_writeback_range(k->fd, (int64_t)k->flushed,
					    (int64_t)(upto - k->flushed));
		k->flushed = upto;
	}
	return 0;
}

/* The file begun, for the name `name` (what a killed run left on its way
 * to that name removed first). */
static int keep_begin(keeping *k, const char *name)
{
	ss_os_remove_stale_temps(k->temps, name);
	return ss_os_create_temp(k->temps, name, &k->fd, &k->tmp);
}

/* `src`'s bytes appended to the file. */
static int keep_put(keeping *k, const ss_source *src)
{
	ss_sink sink = {put_kept, k};
	ss_diag ignored = SS_DIAG_INIT;
	int r = ss_source_emit(src, &sink, &ignored);
	if (ignored.message)
		errno = ENOMEM; /* not the file system: the rendering or the hash */
	ss_diag_clear(&ignored);
	return r;
}

/* The file synced and named `name` (one of that name appearing meanwhile
 * has the same bytes), then the folder synced. */
static int keep_end(keeping *k, const char *name)
{
	if (ss_os_fsync(k->fd) < 0)
		return -1;
	if (ss_os_rename(k->temps, k->tmp, k->dir, name, 1) < 0) {
		if (errno != EEXIST)
			return -1;
	} else {
		free(k->tmp); /* named: no longer its to remove */
		k->tmp = NULL;
	}
	return ss_os_fsync(k->dir);
}

/* The temporary file, when it is still there, removed; errno kept. */
static void keep_drop(keeping *k)
{
	int e = errno;
	if (k->tmp)
		ss_os_unlink(k->temps, k->tmp);
	free(k->tmp);
	k->tmp = NULL;
	ss_os_close(k->fd);
	k->fd = -1;
	errno = e;
}

/* A run's source, sorted by its hash: the same bytes are kept once. */
typedef struct named_source {
	const ss_source *src;
	const char *hex;
	size_t index; /* in the run's order */
	int fresh;    /* the first of its bytes, and not kept yet */
	int in_pack;  /* kept in the pack this run writes */
} named_source;

static int by_hex(const void *a, const void *b)
{
	return strcmp(((const named_source *)a)->hex, ((const named_source *)b)->hex);
}

/* Marks the sources to keep: how many. */
static size_t mark_fresh(const keeping *k, named_source *v, size_t n)
{
	size_t fresh = 0;
	for (size_t i = 0; i < n; i++) {
		int again = i && strcmp(v[i].hex, v[i - 1].hex) == 0;
		v[i].fresh = !again && ss_os_exists(k->dir, v[i].hex) != 1;
		fresh += (size_t)v[i].fresh;
	}
	return fresh;
}

/* More than one source to keep: all of them written into the file that
 * becomes objects/HEX.pack, and where[] says where each one is. */
static int keep_pack(keeping *k, named_source *v, size_t n, ss_journal_place *where)
{
	ss_sha256_sink sha;
	ss_diag ignored = SS_DIAG_INIT;
	if (ss_sha256_sink_begin(&sha, &ignored) < 0) {
		ss_diag_clear(&ignored);
		errno = ENOMEM;
		return -1;
	}
	k->sha = &sha;
	int ok = keep_begin(k, "pack") == 0;
	ss_journal_place here = {{0}, 0, 0};
	for (size_t i = 0; ok && i < n; i++) {
		v[i].in_pack =
		    v[i].fresh || (i && v[i - 1].in_pack && !strcmp(v[i].hex, v[i - 1].hex));
		if (v[i].fresh) {
			here.at = k->written;
			ok = keep_put(k, v[i].src) == 0;
			here.size = k->written - here.at;
		}
		if (v[i].in_pack)
			where[v[i].index] = here;
	}
	k->sha = NULL;
	char hex[SS_SHA256_HEX];
	int e = errno; /* why a write failed, if one did */
	if (ss_sha256_sink_end(&sha, ok ? hex : NULL, &ignored) < 0)
		ok = 0, e = ENOMEM;
	ss_diag_clear(&ignored);
	errno = e;
	char *name = ok ? ss_asprintf("%s.pack", hex) : NULL;
	if (ok && !name)
		ok = 0, errno = ENOMEM;
	ok = ok && keep_end(k, name) == 0;
	free(name);
	for (size_t i = 0; ok && i < n; i++)
		if (v[i].in_pack)
			memcpy(where[v[i].index].pack, hex, SS_SHA256_HEX);
	return ok ? 0 : -1;
}

/* The one source to keep, as objects/HEX. */
static int keep_alone(keeping *k, const named_source *v, size_t n)
{
	size_t i = 0;
	while (i < n && !v[i].fresh)
		i++;
	return keep_begin(k, v[i].hex) == 0 && keep_put(k, v[i].src) == 0 &&
		       keep_end(k, v[i].hex) == 0
		   ? 0
		   : -1;
}

static int keep_sorted(keeping *k, named_source *v, size_t n, ss_journal_place *where)
{
	size_t fresh = mark_fresh(k, v, n);
	int r = fresh > 1 ? keep_pack(k, v, n, where) : fresh ? keep_alone(k, v, n) : 0;
	keep_drop(k); /* a failed one: nothing is named */
	return r;
}

/* Every place objects/HEX (before a run, and after one that failed). */
static void places_loose(ss_journal_place *where, size_t n)
{
	for (size_t i = 0; i < n; i++)
		where[i] = (ss_journal_place){{0}, 0, 0};
}

int ss_journal_keep_all(ss_journal *j, const ss_source *src, const char *const *hex, size_t n,
			ss_journal_place *where, ss_diag *d)
{
	places_loose(where, n);
	if (n == 0)
		return 0;
	named_source *v = calloc(n, sizeof(*v));
	if (!v)
		return ss_diag_oom(d);
	for (size_t i = 0; i < n; i++)
		v[i] = (named_source){&src[i], hex[i], i, 0, 0};
	qsort(v, n, sizeof(*v), by_hex);
	keeping k = {.dir = -1, .temps = -1, .fd = -1};
	int r = open_objects(j, &k.dir, d);
	if (r == 0)
		r = open_folder(j, TEMPS_NAME, &k.temps, d); /* made by open_journal */
	if (r == 0 && keep_sorted(&k, v, n, where) < 0)
		r = ss_diag_errno(d, j->dir, "cannot keep the previous contents in the journal");
	if (r < 0)
		places_loose(where, n);
	if (k.temps >= 0)
		ss_os_close(k.temps);
	if (k.dir >= 0)
		ss_os_close(k.dir);
	free(v);
	return r;
}

int ss_journal_link_open(const ss_journal *j, ss_journal_linking *l, ss_diag *d)
{
	l->temps = ss_asprintf("%s/%s", j->dir, TEMPS_NAME);
	l->objects = ss_asprintf("%s/%s", j->dir, OBJECTS_NAME);
	ss_stat st;
	int r = l->temps && l->objects ? 0 : ss_diag_oom(d);
	if (r == 0 && ss_os_stat(l->temps, &st) < 0) /* made by open_journal */
		r = ss_diag_errno(d, l->temps, "cannot look at the journal's folder");
	if (r < 0)
		ss_journal_link_close(l);
	else
		l->dev = st.st_dev;
	return r;
}

void ss_journal_link_close(ss_journal_linking *l)
{
	free(l->temps);
	free(l->objects);
	l->temps = l->objects = NULL;
}

int ss_journal_store(ss_journal *j, const void *data, size_t len, char hex[SS_SHA256_HEX],
		     ss_diag *d)
{
	ss_source src = {NULL, NULL, data, len, NULL};
	return ss_journal_store_from(j, &src, hex, d);
}

int ss_journal_store_from(ss_journal *j, const ss_source *src, char hex[SS_SHA256_HEX], ss_diag *d)
{
	if (ss_sha256_source(src, hex, d) < 0)
		return -1;
	return ss_journal_keep_from(j, src, hex, d);
}

int ss_journal_keep_from(ss_journal *j, const ss_source *src, const char *hex, ss_diag *d)
{
	ss_journal_place alone; /* one source: objects/HEX */
	return ss_journal_keep_all(j, src, &hex, 1, &alone, d);
}

/* fn on objects/HEX, with the objects' folder open; -1 (errno) when that
 * cannot be, or `hex` is no SHA-256 (never a path). */
static int on_object(const ss_journal *j, const char *hex, int (*fn)(int dir, const char *name))
{
	if (!is_sha256_hex(hex)) {
		errno = EINVAL;
		return -1;
	}
	int dir;
	ss_diag ignored = SS_DIAG_INIT;
	int r = open_objects(j, &dir, &ignored);
	ss_diag_clear(&ignored);
	if (r < 0)
		return -1;
	r = fn(dir, hex);
	int e = errno;
	ss_os_close(dir);
	errno = e;
	return r;
}

int ss_journal_has(const ss_journal *j, const char *hex)
{
	return on_object(j, hex, ss_os_exists);
}

int ss_journal_unkeep(ss_journal *j, const char *hex)
{
	return on_object(j, hex, ss_os_unlink);
}

static int object_error(ss_journal_object *o, ss_diag *d)
{
	return ss_diag_errno(d, o->dir, "cannot read the kept contents %s from", o->hex);
}

/* A reading under way is dropped: its hash is never looked at. */
static void object_drop_hash(ss_journal_object *o)
{
	if (o->sha.sink.ctx)
		ss_sha256_sink_end(&o->sha, NULL, NULL);
}

static int object_rewind(void *ctx, ss_diag *d)
{
	ss_journal_object *o = ctx;
	object_drop_hash(o);
	o->pos = 0;
	return ss_sha256_sink_begin(&o->sha, d);
}

static long long object_read(void *ctx, void *buf, size_t cap, ss_diag *d)
{
	ss_journal_object *o = ctx;
	if (!o->sha.sink.ctx)
		return ss_diag_set(d, o->dir, 0, 0, "kept contents %s read without a rewind",
				   o->hex);
	if (cap > o->size - o->pos)
		cap = (size_t)(o->size - o->pos);
	ssize_t n = cap ? ss_os_pread_full(o->fd, buf, cap, o->at + o->pos) : 0;
	if (n < 0)
		return object_error(o, d);
	o->pos += (uint64_t)n;
	if (n > 0)
		return o->sha.sink.put(o->sha.sink.ctx, buf, (size_t)n, d) < 0 ? -1 : n;
	char got[SS_SHA256_HEX];
	if (ss_sha256_sink_end(&o->sha, got, d) < 0)
		return -1;
	if (strcmp(got, o->hex) != 0)
		return ss_diag_set(d, o->dir, 0, 0, "the kept contents %s are damaged", o->hex);
	return 0;
}

int ss_journal_object_open(const ss_journal *j, const char *hex, const ss_journal_place *where,
			   ss_journal_object *o, ss_diag *d)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->dir = j->dir;
	memcpy(o->hex, hex, SS_SHA256_HEX);
	o->hex[SS_SHA256_HEX - 1] = '\0';
	o->reader = (ss_reader){object_rewind, object_read, o};
	int packed = where && where->pack[0];
	o->at = packed ? where->at : 0;
	o->size = packed ? where->size : UINT64_MAX;
	char *pack = packed ? ss_asprintf("%.64s.pack", where->pack) : NULL;
	if (packed && !pack)
		return ss_diag_oom(d);
	int dir;
	int r = open_objects(j, &dir, d);
	if (r == 0) {
		r = ss_os_open_read(dir, packed ? pack : o->hex, &o->fd) < 0 ? object_error(o, d)
									     : 0;
		ss_os_close(dir);
	}
	free(pack);
	return r;
}

void ss_journal_object_close(ss_journal_object *o)
{
	object_drop_hash(o);
	ss_os_close(o->fd);
	o->fd = -1;
}

/* The object whole, read as undo copies it (one check of its name). */
int ss_journal_load(const ss_journal *j, const char *hex, ss_buf *out, ss_diag *d)
{
	ss_journal_object o;
	int r = ss_journal_object_open(j, hex, NULL, &o, d);
	/* Room for it all at once, not the next power of two (kept contents
	 * are as large as the biggest settings file). */
	ss_stat st;
	if (r == 0 && ss_os_fstat(o.fd, &st) == 0 && st.st_size > 0 &&
	    ss_buf_reserve_exact(out, (size_t)st.st_size + 1) < 0)
		r = ss_diag_oom(d);
	ss_source src = {NULL, NULL, NULL, 0, &o.reader};
	ss_sink sink = {ss_sink_buf_put, out};
	if (r == 0)
		r = ss_source_emit(&src, &sink, d);
	ss_journal_object_close(&o);
	return r;
}

int ss_journal_file_has_after(const ss_journal_file *f)
{
	return f->after[0] || f->after_xxh[0];
}

/* --- writing --- */

static json_t *hex_or_null(const char *hex)
{
	return *hex ? json_string(hex) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* One file of a record, appended to `b` as compact JSON. */
static int add_file_json(ss_buf *b, const ss_journal_file *f)
{
	json_t *o = json_pack("{s:o,s:o,s:o,s:o,s:o}", "path", str_or_null(f->path), "backup",
			      str_or_null(f->backup), "backup_dir", str_or_null(f->backup_dir),
			      "before", hex_or_null(f->before), "after", hex_or_null(f->after));
	if (o && f->after_xxh[0] &&
	    json_object_set_new(o, "after_xxh128", json_string(f->after_xxh)) < 0) {
		json_decref(o);
		o = NULL;
	}
	const ss_journal_place *p = &f->kept;
	if (o && p->pack[0] &&
	    (json_object_set_new(o, "pack", json_string(p->pack)) < 0 ||
	     json_object_set_new(o, "at", json_integer((json_int_t)p->at)) < 0 ||
	     json_object_set_new(o, "size", json_integer((json_int_t)p->size)) < 0)) {
		json_decref(o);
		o = NULL;
	}
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	int r = s ? ss_buf_adds(b, s) : -1;
	free(s);
	return r;
}

/* A record on its way to the journal, written RECORD_PIECE bytes at a
 * time: a run over thousands of files holds neither the tree of their
 * JSON objects nor the whole record (2,000 files: 2.2 and 1 MiB). A cut
 * record (the run killed while it is written) is one the journal's reader
 * passes over, as it does any. */
enum { RECORD_PIECE = 64 * 1024 };

typedef struct record_out {
	int fd;
	ss_buf b;
	int io; /* a write failed (errno says why), not memory */
} record_out;

static int record_put(record_out *o, int all)
{
	if (!all && o->b.len < RECORD_PIECE)
		return 0;
	if (ss_os_write_all(o->fd, o->b.data, o->b.len) < 0) {
		o->io = 1;
		return -1;
	}
	ss_buf_reset(&o->b);
	return 0;
}

/* The begin record: `head`'s members, the files, then "of" when set; the
 * bytes are those of the whole object dumped compact. */
static int begin_record(record_out *o, json_t *head, const ss_journal_file *files, size_t n,
			long of)
{
	char *h = head ? json_dumps(head, JSON_COMPACT) : NULL;
	size_t hlen = h ? strlen(h) : 0;
	/* The head's own closing brace comes last. */
	int r = hlen > 2 && h[hlen - 1] == '}' ? ss_buf_add(&o->b, h, hlen - 1) : -1;
	free(h);
	if (r == 0)
		r = ss_buf_adds(&o->b, ",\"files\":[");
	for (size_t i = 0; r == 0 && i < n; i++)
		if ((i && ss_buf_addc(&o->b, ',') < 0) || add_file_json(&o->b, &files[i]) < 0 ||
		    record_put(o, 0) < 0)
			r = -1;
	if (r == 0)
		r = of ? ss_buf_addf(&o->b, "],\"of\":%ld}\n", of) : ss_buf_adds(&o->b, "]}\n");
	return r;
}

/* A record begun: after a cut one, on a line of its own. */
static int record_start(record_out *o, const ss_journal *j)
{
	*o = (record_out){j->fd, SS_BUF_INIT, 0};
	return ss_os_ends_in_newline(j->fd) == 0 ? ss_buf_addc(&o->b, '\n') : 0;
}

/* The record's rest written and the journal synced, when r (how making
 * it went) is 0; the error told otherwise. */
static int record_end(record_out *o, const ss_journal *j, int r, ss_diag *d)
{
	if (r == 0 && (record_put(o, 1) < 0 || ss_os_fsync(j->fd) < 0))
		o->io = 1, r = -1;
	ss_buf_release(&o->b);
	if (r < 0)
		return o->io ? ss_diag_errno(d, j->dir, "cannot write to the journal in")
			     : ss_diag_oom(d);
	return 0;
}

static int append_begin(ss_journal *j, json_t *head, const ss_journal_file *files, size_t n,
			long of, ss_diag *d)
{
	record_out o;
	int r = record_start(&o, j);
	if (r == 0)
		r = begin_record(&o, head, files, n, of);
	json_decref(head);
	return record_end(&o, j, r, d);
}

static int append_record(ss_journal *j, json_t *rec, ss_diag *d)
{
	char *line = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
	json_decref(rec);
	record_out o;
	int r = record_start(&o, j);
	if (r == 0)
		r = line && ss_buf_adds(&o.b, line) == 0 ? ss_buf_addc(&o.b, '\n') : -1;
	free(line);
	return record_end(&o, j, r, d);
}

int ss_journal_begin(ss_journal *j, const char *op, long of, const ss_journal_file *files, size_t n,
		     long *id, ss_diag *d)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	if (ss_os_gmtime(now, &tm) < 0 || !strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(when, sizeof(when), "%lld", (long long)now);
	if (j->last_id == LONG_MAX)
		return ss_diag_set(d, j->dir, 0, 0,
				   "the journal's entry numbers are used up (its largest is %ld): "
				   "move the journal aside to start a new one",
				   j->last_id);
	*id = ++j->last_id;
	json_t *head = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)*id, "op", op, "time", when);
	/* Not added to j->v: pointers into it stay valid for the caller. */
	return append_begin(j, head, files, n, of, d);
}

int ss_journal_end(ss_journal *j, long id, ss_journal_state state, ss_diag *d)
{
	json_t *o = json_pack("{s:I,s:s}", "id", (json_int_t)id, "end",
			      state == SS_JOURNAL_DONE ? "done" : "rolled-back");
	return append_record(j, o, d);
}

const ss_journal_entry *ss_journal_last_undoable(const ss_journal *j)
{
	for (size_t i = j->n; i-- > 0;) {
		const ss_journal_entry *e = &j->v[i];
		if ((strcmp(e->op, "apply") == 0 || strcmp(e->op, "migrate") == 0) &&
		    e->state != SS_JOURNAL_ROLLED_BACK && !e->undone_by)
			return e;
	}
	return NULL;
}

const char *ss_journal_state_name(ss_journal_state s)
{
	switch (s) {
	case SS_JOURNAL_DONE:
		return "done";
	case SS_JOURNAL_ROLLED_BACK:
		return "rolled back";
	case SS_JOURNAL_BEGUN:
		break;
	}
	return "interrupted";
}
