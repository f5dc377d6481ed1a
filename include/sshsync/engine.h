/* The engine: audit, apply and export over a list of targets. */
#ifndef SSHSYNC_ENGINE_H
#define SSHSYNC_ENGINE_H

#include <stddef.h>

#include "sshsync/buf.h"
#include "sshsync/client.h"
#include "sshsync/diag.h"
#include "sshsync/edit.h"
#include "sshsync/regplan.h"
#include "sshsync/safewrite.h"
#include "sshsync/scope.h"
#include "sshsync/session.h"
#include "sshsync/target.h"

/* Appends the scopes of every target, judged against the policy; or,
 * when `out` has a sink, hands each judged scope to it as soon as it is
 * made (and `out` stays empty). */
int ss_engine_audit(const ss_targets *targets, const ss_query *q, const ss_policy *p,
		    ss_scopes *out, ss_diag *d);

typedef struct ss_apply_opts {
	int dry_run;		 /* write nothing */
	int want_diff;		 /* keep the plans for ss_apply_result_diff */
	int backup;		 /* keep PATH.sshsync-bak */
	int want_scopes;	 /* fill `before` (and `after` when written) */
	const char *journal_dir; /* NULL: $XDG_STATE_HOME/sshsync (journal.h) */
} ss_apply_opts;

/* What an apply's diff is made from: its plans, kept until it is shown. */
typedef struct ss_apply_plans ss_apply_plans;

typedef struct ss_apply_result {
	ss_apply_plans *plans; /* with want_diff (ss_apply_result_diff) */
	ss_strlist changed;    /* paths written (or that would be, on a dry run) */
	ss_strlist unchanged;  /* targets that already had the policy */
	ss_strlist backups;    /* the backup of changed.v[i], or "" for none */
	ss_strlist warnings;   /* written, but something after failed (an fsync) */
	ss_strlist kinds;      /* the kind of the target that changes changed.v[i] */
	ss_strlist notes;      /* a file planned once although several targets reach it */
	ss_briefs before;      /* with want_scopes: every scope before apply */
	ss_pairing after;      /* ... paired with the scopes read back once written */
	ss_closings *closings; /* the replaced file's last close, which may still go
				* on (ss_apply_result_free waits for it) */
} ss_apply_result;

#define SS_APPLY_RESULT_INIT                                                                       \
	{                                                                                          \
		NULL, SS_STRLIST_INIT, SS_STRLIST_INIT, SS_STRLIST_INIT, SS_STRLIST_INIT,          \
		    SS_STRLIST_INIT, SS_STRLIST_INIT, SS_BRIEFS_INIT, SS_PAIRING_INIT, NULL        \
	}

/* Plans every target first, checks that each changed file can be written
 * and validates the result; only then writes. On error nothing has been
 * written: when a write fails after earlier files were replaced, those are
 * put back from the bytes read (the error lists them, and any that could
 * not be). */
int ss_engine_apply(const ss_targets *targets, const ss_policy *p, const ss_apply_opts *o,
		    ss_apply_result *res, ss_diag *d);
void ss_apply_result_free(ss_apply_result *res);
/* The unified diff of every changed file (want_diff), made from the plans
 * kept: into `out`, handed to `flush` (when not NULL) in whole lines as it
 * grows, so that the diff of a 100,000-site file is never held whole; what
 * is left in `out` at the end is the caller's. Nothing without plans. */
int ss_apply_result_diff(const ss_apply_result *res, ss_buf *out, const ss_sink *flush, ss_diag *d);
/* 1 when that diff is known to be strict UTF-8 without a NUL, without
 * making it (ss_edits_diff_plain of every file's). */
int ss_apply_result_diff_plain(const ss_apply_result *res);

/* migrate: whole sessions from one target into another (session.h). */
typedef struct ss_migrate_opts {
	const ss_strlist *sessions; /* --session NAME...; NULL or empty: all */
	int dry_run;		    /* write nothing */
	int want_diff;
	int backup;
	int strict;		 /* a loss writes nothing (the caller exits 2) */
	const char *journal_dir; /* NULL: $XDG_STATE_HOME/sshsync */
	/* --keys DIR: each session's key file converted into DIR for the
	 * target (keyconv.h), written with the sessions; NULL: not. */
	const char *keys_dir;
	int ppk_version;	     /* of new .ppk files: 2 or 3 (0: 3) */
	const char *passphrase_file; /* of encrypted keys; NULL: ask() */
	int (*ask)(void *ctx, const char *key, const char **file, ss_diag *d);
	void *ask_ctx;
	const char *puttygen; /* NULL: "puttygen" from PATH */
	/* --host-keys: the migrated hosts' keys between known_hosts and the
	 * PuTTY/WinSCP cache (hostkeys.h). */
	int host_keys;
	const char *known_hosts; /* NULL: ~/.ssh/known_hosts */
	/* 1: the caller reads no session's fields in the result (the text
	 * report shows the losses alone), so they may go as each session is
	 * planned; 0: every session is kept whole. */
	int fields_unread;
} ss_migrate_opts;

typedef struct ss_migrate_result {
	ss_sessions sessions; /* as read, with target_name and losses */
	size_t losses;	      /* over every session */
	ss_buf diff;
	ss_strlist changed; /* paths written (or that would be) */
	ss_strlist backups; /* the backup of changed.v[i], or "" */
	ss_strlist warnings;
	int written; /* 1 when files were written */
	/* --keys: per key file, where from, where to, and "convert" or
	 * "reused" (an existing file holding the same key). */
	ss_strlist key_from, key_to, key_action;
	ss_strlist host_key_notes; /* --host-keys: what was not carried */
} ss_migrate_result;

#define SS_MIGRATE_RESULT_INIT                                                                     \
	{                                                                                          \
		SS_SESSIONS_INIT, 0, SS_BUF_INIT, SS_STRLIST_INIT, SS_STRLIST_INIT,                \
		    SS_STRLIST_INIT, 0, SS_STRLIST_INIT, SS_STRLIST_INIT, SS_STRLIST_INIT,         \
		    SS_STRLIST_INIT                                                                \
	}

/* Reads the sessions of `from`, plans them into `to` through the edit
 * list, and (unless a dry run, or strict with a loss) writes the changed
 * files as one journaled, all-or-nothing step that `undo` reverts. */
int ss_engine_migrate(const ss_target *from, const ss_target *to, const ss_migrate_opts *o,
		      ss_migrate_result *res, ss_diag *d);
void ss_migrate_result_free(ss_migrate_result *res);

/* The registry plan that gives the sessions the policy. */
int ss_engine_export(const ss_client *client, const char *from, const ss_strlist *sessions,
		     const ss_policy *p, ss_regplan *out, ss_diag *d);

/* The same export rendered as .reg (v5, or REGEDIT4 with reg4) while it
 * is planned, into `out`: a large plan is never held whole. The errors
 * and their order are those of ss_engine_export and then
 * ss_regplan_render; -1 with `d` unset (errno kept) when a put failed. */
int ss_engine_export_to(const ss_client *client, const char *from, const ss_strlist *sessions,
			const ss_policy *p, int reg4, const ss_sink *out, ss_diag *d);

/* Writes a whole output file (a report, an export) safely; "-" is stdout. */
int ss_engine_write_output(const char *path, const void *bytes, size_t len, ss_diag *d);
/* The same with the contents made while the file is written (standard
 * output gets them once they are complete). An error of making them
 * wins over one of the output file, as when they are made first. */
int ss_engine_write_output_from(const char *path, const ss_producer *make, ss_diag *d);

#endif
