/* The files one apply changes: each text with its edit list.
 *
 * Clients fill a changeset; the engine renders it, shows the diff, checks
 * that every file can be written, runs the optional validation on the
 * rendered result, and only then writes. */
#ifndef SSHSYNC_CHANGESET_H
#define SSHSYNC_CHANGESET_H

#include <stddef.h>

#include "sshsync/buf.h"
#include "sshsync/diag.h"
#include "sshsync/edit.h"
#include "sshsync/text.h"

/* A change of something that is no file (the live registry): `text` is
 * then a description of what it was (its .reg form) and the edits what it
 * becomes, for the diff and the journal, and these write it instead of the
 * file functions. */
typedef struct ss_change_sink {
	/* Still as it was planned against? -1 (d set) when not. */
	int (*check)(void *ctx, ss_diag *d);
	/* Writes the change (checking once more first); a failure half way
	 * puts back what it wrote and says so. */
	int (*write)(void *ctx, ss_diag *d);
	/* Puts back what write wrote (a later change failed). */
	int (*restore)(void *ctx, ss_diag *d);
	void (*free)(void *ctx);
} ss_change_sink;

typedef struct ss_change {
	ss_text *text; /* owned */
	ss_edits edits;
	ss_buf rendered;	    /* filled by ss_changeset_render for texts of at most
				     * SS_RENDER_KEEP_MAX bytes (to look at; writing
				     * renders from the edits) */
	int changed;		    /* rendered bytes differ from the file */
	char *backup_dir;	    /* where the backup goes; NULL: beside the file. Set
				     * where a backup beside the file would be read as
				     * data (a PuTTY session directory lists every file) */
	const ss_change_sink *sink; /* NULL: a file */
	void *sink_ctx;		    /* owned (sink->free) */
	int private_new;	    /* created with mode 0600 (a new ~/.ssh/config) */
} ss_change;

#define SS_RENDER_KEEP_MAX ((size_t)1 << 20)

struct ss_changeset;
typedef int (*ss_validate_fn)(const struct ss_changeset *cs, void *ctx, ss_diag *d);

typedef struct ss_changeset {
	ss_change *v;
	size_t n;
	size_t cap;
	/* Optional: called on the rendered changeset before anything is
	 * written (sshd's client runs `sshd -t` here). */
	ss_validate_fn validate;
	void *validate_ctx;
	void (*free_ctx)(void *ctx);
	/* 1: nobody renders, diffs, checks or writes these texts, only asks
	 * which change (a dry run without a diff): a store may then plan a
	 * stand-in for the text it would append to a file. */
	int text_unread;
	/* Optional: told of each text added, once it is read and before it is
	 * planned (the engine hashes a large file for the journal meanwhile).
	 * The text is not changed from then on. */
	void (*on_read)(void *ctx, const ss_text *text);
	void *on_read_ctx;
} ss_changeset;

#define SS_CHANGESET_INIT                                                                          \
	{                                                                                          \
		NULL, 0, 0, NULL, NULL, NULL, 0, NULL, NULL                                        \
	}

/* Adds a text (taking ownership, also on failure) and returns its change,
 * or NULL when memory runs out. */
ss_change *ss_changeset_add(ss_changeset *cs, ss_text *text);
/* The change of the file read from `path`, or NULL. */
ss_change *ss_changeset_find(ss_changeset *cs, const char *path);
/* Sets `changed` of every change and renders the small ones. */
int ss_changeset_render(ss_changeset *cs, ss_diag *d);
/* Only sets `changed`: for a caller that never looks at `rendered` (the
 * diff and the writing work from the edits). */
void ss_changeset_mark_changed(ss_changeset *cs);
size_t ss_changeset_count_changed(const ss_changeset *cs);
void ss_changeset_free(ss_changeset *cs);

#endif
