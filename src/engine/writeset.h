/* Writing several files as one step (internal to src/engine): journaled,
 * and all or nothing. Used by apply and undo. */
#ifndef SSHSYNC_ENGINE_WRITESET_H
#define SSHSYNC_ENGINE_WRITESET_H

#include <stddef.h>

#include "sshsync/buf.h"
#include "sshsync/changeset.h"
#include "sshsync/diag.h"
#include "sshsync/edit.h"
#include "sshsync/journal.h"
#include "sshsync/safewrite.h"
#include "sshsync/text.h"

typedef struct ss_write_item {
	const ss_text *text; /* the file as read (id.known 0: it does not exist) */
	const void *bytes;   /* the new contents */
	size_t len;
	const ss_reader *reader;    /* when set (bytes unused): the new contents
				     * read as they are written (undo's, kept in
				     * the journal) */
	const ss_edits *edits;	    /* when set (bytes unused): the contents are the
				     * text with these edits, rendered piece by piece */
	int remove;		    /* remove the file instead */
	const char *backup_dir;	    /* as in ss_write_opts */
	const ss_change_sink *sink; /* no file: `text` is its .reg form before, and
				     * the sink writes it (see changeset.h) */
	void *sink_ctx;
	int private_new; /* as in ss_write_opts: a new private key file or ssh_config */
	/* Known already (NULL: made on the way), 64 hex digits: the SHA-256
	 * of the file as read, and of the new contents. undo has both: the
	 * first from the check it made, the second the name its contents are
	 * kept by (their reader checks it: the write fails when they differ).
	 * The journal records that SHA-256 "after"; else the fingerprint of
	 * the new contents (ss_fingerprint), made on the way. */
	const char *sha_before, *sha_after;
} ss_write_item;

/* The SHA-256 of a large file's bytes for the journal's "before", made
 * by a second thread: for a byte file, from its text (text_read, a
 * changeset's on_read hook, notes the first text of a file of at least
 * 1 MiB) while the new contents are written, when the journal keeps the
 * file by a link (while the file was planned, both processors were busy
 * already: the apply of a 30 MB WinSCP.ini took 99 ms, now 77); for a
 * UTF-16 file, from the file read again from the start while the caller
 * reads and plans it, used when it is still what the plan read
 * (ss_file_same_read). NULL from ss_prehash_start when the file is small
 * or not a regular file, or no thread can be made. */
typedef struct ss_prehash ss_prehash;
ss_prehash *ss_prehash_start(const char *path);
void ss_prehash_text_read(void *ctx, const ss_text *t);
/* Stops the thread if it still runs, and frees. */
void ss_prehash_free(ss_prehash *p);

typedef struct ss_write_run {
	const char *op;	       /* the journal's "op" */
	long of;	       /* undo: the entry it reverts */
	int backup;	       /* keep backups */
	ss_prehash *prehash;   /* NULL, or a file's SHA-256 on its way */
	ss_closings *closings; /* where a single large file replaced is closed
				* (NULL: at once) */
} ss_write_run;

/* The write item of a planned change. */
ss_write_item ss_change_item(const ss_change *c);
/* Checks, without writing, that a planned change can be written: a file
 * as ss_safe_replace_check; a sink's values as they were read. */
int ss_change_check(const ss_change *c, int backup, ss_diag *d);
/* Where the backup of a change goes ("" when none), newly allocated: for
 * a file as ss_backup_path; for a sink (the live registry) the .reg file
 * reg-backup-HASH.reg in the journal's directory (`journal_dir`, NULL:
 * the default), which `reg import` restores. */
char *ss_change_backup_path(const ss_change *c, int backup, const char *journal_dir);

/* Writes every item in order. With a journal (open, hence locked), an
 * entry is begun first (the previous contents kept as objects) and ended
 * afterwards. Sinks are checked before anything is written (and the
 * journal begun); the backup of a sink, its .reg file, is written with the
 * journal's begin, before the first change. When a write fails, the items already written are put
 * back as they were read, the entry is ended as rolled back, and the error lists what was put back.
 * Warnings (written, but...) go to `warnings`. */
int ss_write_items(const ss_write_item *v, size_t n, const ss_write_run *run, ss_journal *j,
		   ss_strlist *warnings, ss_diag *d);

/* --- what apply and migrate do around ss_write_items --- */

/* The diff label of a path: without its leading separators, so that the
 * diff reads "a/etc/ssh/...". */
const char *ss_diff_label(const char *path);

/* Lists one changed file: its path in `changed`, its backup path
 * (ss_change_backup_path: "" when it gets none) in `backups`, and, when
 * `diff` is set, its unified diff; a file sshsync creates from a seed (a
 * .reg header) shows every line as added. */
int ss_change_describe(const ss_change *c, int backup, const char *journal_dir, ss_strlist *changed,
		       ss_strlist *backups, ss_buf *diff, ss_diag *d);

/* The unified diff of one changed file into `out`, handed to `flush` (when
 * not NULL) in whole lines as it grows (ss_edits_diff_to). */
int ss_change_diff(const ss_change *c, ss_buf *out, const ss_sink *flush, ss_diag *d);
/* 1 when that diff is known to be strict UTF-8 without a NUL
 * (ss_edits_diff_plain). */
int ss_change_diff_plain(const ss_change *c);

/* Whether every change of `cs` can be written (ss_change_check), then the
 * changeset's own validation. */
int ss_changeset_check(const ss_changeset *cs, int backup, ss_diag *d);

/* first[0..nfirst) (files of no changeset: migrate's converted keys), then
 * the changed files of sets[0..n), in order, as one journaled run (the
 * journal in `journal_dir`, NULL: the default). Nothing to write: 0. */
int ss_changesets_write(const ss_write_item *first, size_t nfirst, const ss_changeset *sets,
			size_t n, const ss_write_run *run, const char *journal_dir,
			ss_strlist *warnings, ss_diag *d);

#endif
