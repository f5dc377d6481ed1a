/* undo: puts back the files of the most recent apply that is not undone,
 * from the journal (include/sshsync/journal.h). */
#ifndef SSHSYNC_UNDO_H
#define SSHSYNC_UNDO_H

#include "sshsync/buf.h"
#include "sshsync/diag.h"
#include "sshsync/journal.h"

typedef struct ss_undo_opts {
	int force;		 /* also put back files changed since that apply */
	const char *journal_dir; /* NULL: the default */
} ss_undo_opts;

typedef struct ss_undo_result {
	long id;	      /* the apply that was undone */
	char *time;	      /* when it ran */
	ss_strlist restored;  /* files given back their contents */
	ss_strlist removed;   /* files that apply had created */
	ss_strlist unchanged; /* files already as they were before */
	ss_strlist warnings;
} ss_undo_result;

#define SS_UNDO_RESULT_INIT                                                                        \
	{                                                                                          \
		0, NULL, SS_STRLIST_INIT, SS_STRLIST_INIT, SS_STRLIST_INIT, SS_STRLIST_INIT        \
	}

/* Reverts the most recent apply that is neither rolled back nor undone.
 * Every file must still be as that apply left it (or as it was before),
 * unless opts->force; otherwise nothing is written. The files are written
 * through the safe path, as one journaled, all-or-nothing step. */
int ss_engine_undo(const ss_undo_opts *o, ss_undo_result *res, ss_diag *d);
void ss_undo_result_free(ss_undo_result *res);

/* Reads the journal (for `undo --list`); close it with ss_journal_close. */
int ss_engine_journal(const char *journal_dir, ss_journal *out, ss_diag *d);

#endif
