/* Writing several files as one step (internal to src/engine): journaled,
 * and all or nothing. Used by apply and undo. */
#ifndef SSHSYNC_ENGINE_WRITESET_H
#define SSHSYNC_ENGINE_WRITESET_H

#include <stddef.h>

#include "sshsync/buf.h"
#include "sshsync/diag.h"
#include "sshsync/edit.h"
#include "sshsync/journal.h"
#include "sshsync/text.h"

typedef struct ss_write_item {
	const ss_text *text; /* the file as read (id.known 0: it does not exist) */
	const void *bytes;   /* the new contents */
	size_t len;
	const ss_edits *edits;	/* when set (bytes unused): the contents are the
				 * text with these edits, rendered piece by piece */
	int remove;		/* remove the file instead */
	const char *backup_dir; /* as in ss_write_opts */
	int private_new;	/* as in ss_write_opts: a new private key file */
} ss_write_item;

typedef struct ss_write_run {
	const char *op; /* the journal's "op" */
	long of;	/* undo: the entry it reverts */
	int backup;	/* keep backups */
} ss_write_run;

/* Writes every item in order. With a journal (open, hence locked), an
 * entry is begun first (the previous contents kept as objects) and ended
 * afterwards. When a write fails, the items already written are put back
 * as they were read, the entry is ended as rolled back, and the error
 * lists what was put back. Warnings (written, but...) go to `warnings`. */
int ss_write_items(const ss_write_item *v, size_t n, const ss_write_run *run, ss_journal *j,
		   ss_strlist *warnings, ss_diag *d);

#endif
