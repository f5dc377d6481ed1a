/* Targets: which client reads which file ("KIND:PATH", or recognised). */
#ifndef SSHSYNC_TARGET_H
#define SSHSYNC_TARGET_H

#include <stddef.h>

#include "sshsync/client.h"
#include "sshsync/diag.h"

typedef struct ss_target {
	const ss_client *client;
	char *path;
	int system;  /* a machine-wide file (/etc/ssh/...): applied only with --system */
	char *error; /* why the target cannot be read (audit reports it as an
		      * error scope); NULL for a good target. `client` may
		      * then be NULL (a file of unknown kind) */
} ss_target;

typedef struct ss_targets {
	ss_target *v;
	size_t n;
	size_t cap;
} ss_targets;

#define SS_TARGETS_INIT                                                                            \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* The kinds DESIGN.md names, whether or not this build has their client. */
int ss_kind_is_known(const char *kind);

/* Parses "KIND:PATH" or a bare PATH, whose kind is then recognised from its
 * name and content; an ambiguous or unrecognised file is an error that
 * asks for KIND:. Returns -2 for a usage error (an unknown KIND, no PATH),
 * -1 when the file cannot be used (out->client then says the KIND named,
 * or is NULL). */
int ss_target_parse(const char *arg, ss_target *out, ss_diag *d);
/* For a target named with KIND: whether the file (or each session file of
 * a directory) is of that kind: not a file that another kind's sniffer is
 * certain of, and nothing its reader would take although it is not its
 * syntax (a WinSCP.ini line that is not a key, binary data). A path that
 * does not exist passes (the client says what it does with it). */
int ss_target_check_kind(const ss_target *t, ss_diag *d);
int ss_targets_add(ss_targets *t, const ss_client *client, const char *path, int system);
/* A target that cannot be read, with the message that says why. */
int ss_targets_add_error(ss_targets *t, const ss_client *client, const char *path,
			 const char *error);
/* Drops every target that names the same file as an earlier one (device
 * and inode, symbolic links followed), adding a note per dropped target. */
int ss_targets_dedupe(ss_targets *t, ss_strlist *notes);
/* Drops every target that another target includes (an ssh_config that an
 * Include of another one reads): it is audited as part of the includer.
 * A note per dropped target. */
int ss_targets_drop_included(ss_targets *t, ss_strlist *notes, ss_diag *d);
void ss_target_free(ss_target *t);
void ss_targets_free(ss_targets *t);

#endif
