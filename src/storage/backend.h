/* The storage backends' side of include/sshsync/storage.h.
 *
 * A backend is one file of src/storage/ over one store, and one entry in
 * the table of storage.c. It fills st->sessions at open (storage_add_session)
 * and answers the calls below for a session index; storage.c checks the
 * arguments (index in range, storage writable) before calling. To add one:
 * write be_NAME.c with a `const ss_storage_backend ss_storage_NAME`, declare
 * it here and list it in storage.c's table. */
#ifndef SSHSYNC_STORAGE_BACKEND_H
#define SSHSYNC_STORAGE_BACKEND_H

#include "sshsync/arena.h"
#include "sshsync/storage.h"
#include "sshsync/text.h"

typedef struct ss_storage_backend {
	const char *name;
	int keyed;     /* raw names are registry key names */
	int dedicated; /* the whole store is the client's */
	/* Two raw names name the same session when they are equal ASCII
	 * case-insensitively (strcasecmp, whose C locale folds A-Z only:
	 * registry keys, INI sections); 0: exactly (strcmp: file names). */
	int fold_case;
	/* Whether this backend can hold `root`'s sessions at all. */
	int (*accepts)(const ss_storage_root *root);
	/* Whether `path` is this backend's: 2 surely, 1 maybe, 0 not. `data`
	 * is the file's (decoded) text, NULL for a folder (is_dir) or before
	 * the file is read. Called only for backends that accept the root. */
	int (*probe)(const char *path, int is_dir, const char *data, size_t len);
	/* Why a text is none of this backend's files (see ss_storage_misfit),
	 * or NULL; `session_file`: one file of a session folder. NULL when the
	 * backend has no files. */
	const char *(*misfit)(const ss_storage_root *root, const char *head, size_t len,
			      int session_file, size_t *offset);
	/* The session files of a folder (folder backends only, else NULL). */
	int (*folder_files)(const ss_storage_root *root, const char *dir, ss_strlist *out,
			    ss_diag *d);
	/* Parses and lists the sessions. st->text is the loaded file (NULL for
	 * a folder); st->priv is the backend's. */
	int (*open)(ss_storage *st, ss_diag *d);
	/* Optional (ss_storage_open_asked): the backend that reads this one's
	 * files piece by piece from `f`, its open_asked listing the sessions
	 * with what they hold of the values st->asked names (st->text stays
	 * NULL). The storage is that backend's from then on. 1: a file it
	 * does not read so, read whole (nothing was kept, st->priv is NULL). */
	const struct ss_storage_backend *asked;
	int (*open_asked)(ss_storage *st, const ss_text_file *f, ss_diag *d);
	void (*close)(ss_storage *st);
	/* The file of session `raw` (a folder's file); NULL: the store's path. */
	char *(*file_of)(const ss_storage *st, const char *raw);
	int (*get_many)(ss_storage *st, size_t s, const char *const *names, size_t n,
			ss_svalue *out, ss_diag *d);
	/* Optional: get_many's values as views (ss_storage_view_many and
	 * ss_storage_view_asked), with where and shown left to the view's
	 * line, name, data and quoted; out[] comes zeroed. NULL: the views
	 * are read through get_many. Without a changeset it changes nothing:
	 * two threads may call it at once (ss_storage_reads_shared). */
	int (*view_asked)(ss_storage *st, size_t s, const ss_storage_asked *a, ss_sview *out,
			  ss_diag *d);
	int (*next)(ss_storage *st, size_t s, ss_storage_cursor *c, ss_svalue *out, ss_diag *d);
	/* Optional (ss_storage_release_before): lets go of what it keeps of
	 * sessions [0, s) only, their names included. */
	void (*release_before)(ss_storage *st, size_t s);
	/* v->type is SS_STYPE_DWORD (v->dword) or SS_STYPE_STRING (v->text). */
	int (*set)(ss_storage *st, size_t s, const char *name, const ss_svalue *v, ss_diag *d);
	int (*del)(ss_storage *st, size_t s, const char *name, ss_diag *d);
	/* Session `s` was just added with created = 1: prepare it. */
	int (*create)(ss_storage *st, size_t s, ss_diag *d);
	int (*commit)(ss_storage *st, ss_diag *d);
	/* Optional (ss_storage_seal): created session `s` is complete. */
	int (*seal)(ss_storage *st, size_t s, ss_diag *d);
	/* Optional (ss_storage_part): the backend's side of a part, made
	 * with `part` a copy of `whole` and part->priv NULL; join makes both
	 * hand their pending edits to their edit lists, the whole's first;
	 * part_close frees the part's side. */
	int (*part)(ss_storage *whole, ss_storage *part, ss_diag *d);
	int (*join)(ss_storage *whole, ss_storage *part, ss_diag *d);
	void (*part_close)(ss_storage *part);
} ss_storage_backend;

/* One slot of the session index. */
typedef struct storage_slot {
	uint32_t hash; /* the low half of the raw name's table key (compared
			* before the names, and where the slot goes when the
			* table grows) */
	uint32_t s1;   /* the session number + 1; 0: an empty slot */
} storage_slot;

struct ss_storage {
	const ss_storage_backend *be;
	const ss_storage_root *root;
	char *path;
	const char *codepage;
	ss_changeset *cs; /* NULL: read-only */
	ss_text *text;	  /* the loaded file (NULL: read piece by piece, or a folder) */
	int own_text;	  /* 0 when cs owns it */
	size_t change;	  /* the text's change in cs */
	/* What an ss_storage_open_asked storage reads, and how. */
	const ss_storage_asked *asked;
	ss_storage_pieces pieces;
	ss_storage_session *sessions;
	ss_arena names; /* the sessions' raw names and names (100,000 sites:
			 * no allocation each) */
	size_t *handle; /* per session: the backend's block, section or file */
	size_t n, cap;
	/* The sessions by raw name (see storage.c), made when names are
	 * asked for; never NULL once the storage is allocated. */
	struct storage_index *index;
	ss_buf unescaped; /* a session's name on its way into `names` */
	/* The sessions in the order of their raw names as the store compares
	 * them, for ss_storage_has_prefix; NULL until asked, and again when
	 * a session joins or leaves the list. */
	struct storage_named *sorted;
	/* The values that the last view of a backend without view_asked
	 * read, which its views borrow from. */
	ss_svalue *kept;
	size_t nkept;
	int committed;
	int fresh; /* a store that does not exist yet: the backend lists nothing */
	/* Set by the backend's open when it knows that no raw name is listed
	 * twice (ss_storage_names_once). */
	int names_once;
	void *priv;
	/* A part (ss_storage_part): the storage it is part of, and its edits
	 * until the join; NULL for a storage. */
	struct ss_storage *whole;
	ss_edits part_edits;
};

extern const ss_storage_backend ss_storage_regfile;
extern const ss_storage_backend ss_storage_regfile_asked;
extern const ss_storage_backend ss_storage_winini;
extern const ss_storage_backend ss_storage_winini_asked;
extern const ss_storage_backend ss_storage_sessdir;
extern const ss_storage_backend ss_storage_winereg;
extern const ss_storage_backend ss_storage_winreg;

/* Refuses a session name with a NUL byte (at file:line:col when `raw`
 * lies in the store's text): no client writes one, and the name could not
 * be told from the same name cut there. */
int storage_check_name(const ss_storage *st, const char *raw, size_t len, ss_diag *d);
#define STORAGE_NUL_NAME "a session name with a NUL byte, which no client writes"

/* Adds a session (raw as given, name through the root's unescape, file
 * copied) with the backend's handle; checks the name first. */
int storage_add_session(ss_storage *st, const char *raw, size_t len, const char *file,
			size_t handle, ss_diag *d);

/* Session names made ahead, on another thread than the one that adds
 * the sessions: each raw name with its name beside it, in an arena of
 * their own that the storage then takes over. */
typedef struct storage_names_ahead {
	ss_arena arena;
	ss_buf scratch;
} storage_names_ahead;

/* The raw name raw[0..len), its name after its NUL (the root's unescape),
 * in n's arena; NULL when the name has a NUL or memory runs out: then
 * storage_add_session adds it, or says why not. Reads nothing of st but
 * its root. */
char *storage_name_ahead(const ss_storage *st, storage_names_ahead *n, const char *raw, size_t len);
/* Appends n sessions of the storage's file made ahead (their names from
 * storage_name_ahead, once storage_adopt_names took them), with their
 * handles; v and handles may lie in the storage's own arrays, at or after
 * the end of the sessions (room reserved with storage_reserve_sessions). */
int storage_add_block(ss_storage *st, const ss_storage_session *v, const size_t *handles, size_t n,
		      ss_diag *d);
/* A storage that lists no session yet takes the n sessions of *v, with
 * their handles, arrays and all (from malloc), grown to hold `room`:
 * *v and *handles are NULL then. A half's 50,000 sessions are not copied
 * into fresh memory. -1 with `d` set when memory runs out (the arrays
 * stay the caller's). */
int storage_adopt_block(ss_storage *st, ss_storage_session **v, size_t **handles, size_t n,
			size_t room, ss_diag *d);
/* The names made ahead into the storage's arena (n is empty then). */
void storage_adopt_names(ss_storage *st, storage_names_ahead *n);
/* The names made ahead into `into`, an arena the backend keeps and frees
 * (n is empty then). */
void storage_keep_names(storage_names_ahead *n, ss_arena *into);
void storage_names_ahead_free(storage_names_ahead *n);

/* Fills the common fields of a found value; `name` is copied. The
 * caller fills type and data. */
int storage_value_init(ss_svalue *v, const char *name, size_t len, char *where, size_t order);

/* The owned value of a view that a backend's view_many filled. */
int storage_value_of_view(const ss_storage *st, const ss_sview *v, ss_svalue *out);

/* storage_value_init for a value of a text store, found at `line` (where
 * is "file:line"), shown as "asked"=data (the stored name when asked is
 * NULL). */
int storage_value_in_text(ss_svalue *v, const ss_text *t, size_t line, const char *name,
			  size_t nlen, const char *asked, const char *data, size_t dlen);

/* The value line for messages, data cut after 40 bytes: name=data, or
 * "name"=data when `quoted`. */
char *storage_shown(int quoted, const char *name, size_t nlen, const char *data, size_t len);

/* Room for one more element in the array *v of *cap elements of `size`
 * bytes holding n: doubles it (from `first`) when full. -1: no memory. */
int storage_grow(void *v, size_t *cap, size_t n, size_t size, size_t first);
/* Room for n sessions exactly, when a back end knows how many can come
 * (-1 with `d` set when memory runs out). */
int storage_reserve_sessions(ss_storage *st, size_t n, ss_diag *d);

/* For the backends of ss_storage_open_asked, which read only the values
 * st->asked names: which of them `name` is (its index), or -1 with `d`
 * set; their `next`, which fails: they do not list every value. */
int storage_asked_index(const ss_storage *st, const char *name, ss_diag *d);
int storage_asked_next(ss_storage *st, size_t s, ss_storage_cursor *c, ss_svalue *out, ss_diag *d);
/* Their probe, which takes no file: they are reached through the .asked
 * of the backend that ss_storage_open would choose. */
int storage_asked_probe(const char *path, int is_dir, const char *data, size_t len);

/* The two halves of a file that a piece reader reads at once: run(a),
 * and run(b) when there is a second half, on a second thread, or after a
 * (unless it failed: *a_failed) when no thread can be had. */
void storage_run_halves(void (*run)(void *half), void *a, void *b, const int *a_failed);
/* The error of a part that failed, read after `lines_before` lines of
 * the file (its line counted on by those), moved into `d`: -1. */
int storage_part_error(ss_diag *failed, uint64_t lines_before, ss_diag *d);
/* The error of a half that failed, the first's before the second's (as a
 * read in file order finds it), the second's line counted on by the
 * first's `a_lines`: moved into `d`, -1; 0 when neither failed. */
int storage_halves_error(int a_failed, ss_diag *da, int b_failed, ss_diag *db, uint64_t a_lines,
			 ss_diag *d);

/* get_many for a backend with view_asked: its views made owned values. */
int storage_get_many_by_views(ss_storage *st, size_t s, const char *const *names, size_t n,
			      ss_svalue *out, ss_diag *d);

/* The tables of names that the piece readers keep while they read: open
 * addressing, linear probing, each slot a name's hash (32 bits) above the
 * index of what it names, STORAGE_SLOT_EMPTY for none. Made again with
 * `size` slots (a power of two). Filled before it is read, and not with
 * zeros (which the compiler makes a calloc that leaves fresh memory
 * untouched): a page read first maps the system's zero page, and its
 * first write then flushes the address caches of both processors. */
#define STORAGE_SLOT_EMPTY UINT64_MAX
int storage_slots_resize(uint64_t **slot, size_t *nslot, size_t size);

/* The path that messages name the storage's file by. */
const char *storage_display(const ss_storage *st);
/* "path:LINE" of the 0-based line `index` of the file `path`. */
char *storage_where_path(const char *path, size_t index);

/* "path:LINE" of a byte offset, as ss_text_where gives it. */
char *storage_where(const ss_text *t, size_t offset);
/* The same for the 0-based line `index` of the text (no search). */
char *storage_where_line(const ss_text *t, size_t index);

/* The edit list of st->text (a writable storage). */
ss_edits *storage_edits(ss_storage *st);

/* A 32-bit value written as a signed decimal, as PuTTY and WinSCP write
 * integers into text stores. */
void storage_int_text(uint32_t value, char out[16]);

#endif
