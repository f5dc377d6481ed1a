/* The journal of every apply and undo, for `sshsync undo`.
 *
 * $XDG_STATE_HOME/sshsync/ (default ~/.local/state/sshsync/) holds
 * `journal`, one JSON object a line, appended and fsynced, and `objects/`,
 * the contents files had before sshsync changed them: each named by its
 * SHA-256 (objects/HEX), or, when a run keeps more than one, all of them
 * one after the other in one pack named by the SHA-256 of its bytes
 * (objects/HEX.pack: a file a run, not one a file). A run begins an
 * entry (its files, their backups, the SHA-256 of each file before and
 * after) before the first file is replaced, and ends it ("done", or
 * "rolled-back" when a failure put everything back). An
 * entry without an end was interrupted: some of its files may be replaced.
 *
 *   {"id":1,"op":"apply","time":"2026-12-02T06:00:00Z","files":[{"path":
 *    "/home/me/.ssh/config","backup":"/home/me/.ssh/config.sshsync-bak",
 *    "backup_dir":null,"before":"9f86...","after":"2c26..."}]}
 *   {"id":1,"end":"done"}
 *   {"id":2,"op":"undo","of":1,"time":"...","files":[...]}
 *   {"id":2,"end":"done"}
 *
 * "before" is null for a file the run created, "after" null for a file it
 * removed. A file whose previous contents went into a pack also has
 * "pack" (its name), "at" and "size" (where they are in it). The journal
 * file stays locked while a run writes, so that two runs never
 * interleave. */
#ifndef SSHSYNC_JOURNAL_H
#define SSHSYNC_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "sshsync/buf.h"
#include "sshsync/diag.h"
#include "sshsync/edit.h"
#include "sshsync/fingerprint.h"

#define SS_SHA256_HEX 65 /* 64 hex digits and the NUL */

/* Where kept contents are: objects/HEX when `pack` is "", else `size`
 * bytes from `at` in objects/PACK.pack. */
typedef struct ss_journal_place {
	char pack[SS_SHA256_HEX];
	uint64_t at, size;
} ss_journal_place;

typedef struct ss_journal_file {
	char *path;		    /* absolute, links resolved */
	char *backup;		    /* the backup path, or NULL */
	char *backup_dir;	    /* the backup directory used (NULL: beside) */
	char before[SS_SHA256_HEX]; /* "" when the file did not exist */
	/* The contents after: a file's fingerprint ("after_xxh128"), or the
	 * SHA-256 of the .reg kept of a registry (and of a file, in an entry
	 * made before fingerprints); both "" when the run removed the file. */
	char after[SS_SHA256_HEX];
	char after_xxh[SS_FINGERPRINT_HEX];
	ss_journal_place kept; /* where `before` is kept */
} ss_journal_file;

/* Whether the run left the file with contents (either form of "after"). */
int ss_journal_file_has_after(const ss_journal_file *f);

typedef enum ss_journal_state {
	SS_JOURNAL_BEGUN, /* no end recorded: interrupted */
	SS_JOURNAL_DONE,
	SS_JOURNAL_ROLLED_BACK
} ss_journal_state;

typedef struct ss_journal_entry {
	long id;
	char *op;   /* "apply", "migrate", "undo" */
	char *time; /* UTC, ISO 8601 */
	long of;    /* undo: the entry it reverts; else 0 */
	ss_journal_state state;
	long undone_by; /* the undo that reverted it (done), or 0 */
	ss_journal_file *files;
	size_t nfiles;
} ss_journal_entry;

typedef struct ss_journal {
	char *dir;	     /* .../sshsync */
	int fd;		     /* the journal file, locked; -1 when closed */
	ss_journal_entry *v; /* the entries read */
	size_t n, cap;
	long last_id; /* the largest id read (0: none) */
} ss_journal;

#define SS_JOURNAL_INIT                                                                            \
	{                                                                                          \
		NULL, -1, NULL, 0, 0, 0                                                            \
	}

/* The journal directory from the environment, newly allocated. */
char *ss_journal_default_dir(void);

/* Opens (creating) the journal in `dir` (NULL: the default), locks it and
 * reads its entries. */
int ss_journal_open(ss_journal *j, const char *dir, ss_diag *d);
/* The same for a run that only adds an entry (apply, migrate): reads the
 * journal's last records alone, enough for the id the entry takes (j->v
 * holds their entries). The journal keeps every run ever made, and
 * reading all of it made each run slower than the one before. */
int ss_journal_open_append(ss_journal *j, const char *dir, ss_diag *d);
/* The same for undo: reads the journal's last records, enough that
 * ss_journal_last_undoable finds what it would find in the whole
 * journal. */
int ss_journal_open_to_undo(ss_journal *j, const char *dir, ss_diag *d);
void ss_journal_close(ss_journal *j);

/* SHA-256 of bytes, as 64 lowercase hex digits. */
int ss_sha256_hex(const void *data, size_t len, char out[SS_SHA256_HEX]);

/* The same of contents produced piece by piece. */
int ss_sha256_source(const ss_source *src, char out[SS_SHA256_HEX], ss_diag *d);

/* A sink that hashes what is put to it (to hash bytes on their way
 * elsewhere: see ss_safe_prepare). Every begun sink is ended; `out` NULL
 * only frees it. */
typedef struct ss_sha256_sink {
	ss_sink sink;
} ss_sha256_sink;
int ss_sha256_sink_begin(ss_sha256_sink *s, ss_diag *d);
int ss_sha256_sink_end(ss_sha256_sink *s, char out[SS_SHA256_HEX], ss_diag *d);

/* Keeps bytes as objects/HEX (once: an object that exists is kept) and
 * gives their hash. */
int ss_journal_store(ss_journal *j, const void *data, size_t len, char hex[SS_SHA256_HEX],
		     ss_diag *d);
/* The same of contents produced piece by piece (hashed first; written,
 * in pieces, only when no such object is kept yet). */
int ss_journal_store_from(ss_journal *j, const ss_source *src, char hex[SS_SHA256_HEX], ss_diag *d);
/* The same when `hex` is the source's SHA-256 already. */
int ss_journal_keep_from(ss_journal *j, const ss_source *src, const char *hex, ss_diag *d);
/* The same of n sources at once, hex[i] the SHA-256 of src[i] (sources of
 * the same hash are kept once), where[i] (room for n) where src[i] is
 * kept. Those not kept yet go into one pack when there are more than
 * one: a run over 2,000 session files made 2,000 files in the journal,
 * and on a file system that makes a file slowly (ext4 without its own
 * journal skips the inodes freed in the last seconds, and an apply frees
 * one a file it replaces) that doubled the run. */
int ss_journal_keep_all(ss_journal *j, const ss_source *src, const char *const *hex, size_t n,
			ss_journal_place *where, ss_diag *d);
/* Keeping a file by a hard link instead of a copy (ss_keep_link): the
 * journal's folders of objects and of temporary files, and the device
 * they are on (the link needs the file's). */
typedef struct ss_journal_linking {
	char *temps, *objects;
	uint64_t dev;
} ss_journal_linking;
int ss_journal_link_open(const ss_journal *j, ss_journal_linking *l, ss_diag *d);
void ss_journal_link_close(ss_journal_linking *l);
/* Whether objects/HEX is kept: 1, 0, or -1 (errno) when that cannot be
 * told. */
int ss_journal_has(const ss_journal *j, const char *hex);
/* objects/HEX removed: contents that this run kept, not there before it,
 * and that no record names since the run failed before its record (the
 * journal's lock is held: no other run can name them meanwhile). 0, or
 * -1 (errno). */
int ss_journal_unkeep(ss_journal *j, const char *hex);
/* Reads objects/HEX back, checking its hash. */
int ss_journal_load(const ss_journal *j, const char *hex, ss_buf *out, ss_diag *d);
/* Kept contents `hex` read piece by piece, never held whole: `reader` is a
 * source's (see edit.h). Each reading hashes what it reads, and the one
 * that reaches the end fails when the contents are not their name (they
 * were damaged). The object stays where ss_journal_object_open put it
 * while it is read; closing it is always safe. */
typedef struct ss_journal_object {
	ss_reader reader;
	int fd;
	ss_sha256_sink sha; /* sha.sink.ctx NULL: no reading under way */
	char hex[SS_SHA256_HEX];
	uint64_t at, size, pos; /* its bytes in fd; size UINT64_MAX: to the end */
	const char *dir;	/* the journal's, for messages */
} ss_journal_object;
/* `where` NULL: objects/HEX. */
int ss_journal_object_open(const ss_journal *j, const char *hex, const ss_journal_place *where,
			   ss_journal_object *o, ss_diag *d);
void ss_journal_object_close(ss_journal_object *o);

/* Appends the beginning of an entry; *id is its number. The entries read
 * (j->v) are left as they were. */
int ss_journal_begin(ss_journal *j, const char *op, long of, const ss_journal_file *files, size_t n,
		     long *id, ss_diag *d);
int ss_journal_end(ss_journal *j, long id, ss_journal_state state, ss_diag *d);

/* The most recent apply or migrate that is neither rolled back nor undone,
 * or NULL. */
const ss_journal_entry *ss_journal_last_undoable(const ss_journal *j);
const char *ss_journal_state_name(ss_journal_state s);

void ss_journal_file_free(ss_journal_file *f);

#endif
