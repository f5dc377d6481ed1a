/* migrate's key files (--keys) and host keys (--host-keys), internal to
 * src/engine: planned before the sessions are, written with them. */
#ifndef SSHSYNC_ENGINE_MIGRATE_KEYS_H
#define SSHSYNC_ENGINE_MIGRATE_KEYS_H

#include <stddef.h>

#include "sshsync/changeset.h"
#include "sshsync/engine.h"
#include "writeset.h"

/* Points each session's key at its converted twin in o->keys_dir and
 * lists the conversions in res (nothing is written). An existing file of
 * that name holding another key, or two keys that would take one name,
 * is an error. */
int ss_migrate_plan_keys(const ss_target *to, const ss_migrate_opts *o, ss_migrate_result *res,
			 ss_diag *d);

/* The new key files, converted now: write items of files that do not exist
 * (they are created, mode 0600, journaled with the sessions, so that a
 * failure or `undo` removes them again). */
typedef struct ss_key_files {
	ss_text *texts; /* per file: new and empty (it must not exist) */
	ss_buf *bytes;
	size_t n;
} ss_key_files;

#define SS_KEY_FILES_INIT                                                                          \
	{                                                                                          \
		NULL, NULL, 0                                                                      \
	}

int ss_migrate_convert_keys(const ss_migrate_opts *o, const ss_migrate_result *res,
			    ss_key_files *out, ss_diag *d);
/* Appends out's files to items (room for out->n more). */
size_t ss_key_files_items(const ss_key_files *f, ss_write_item *items);
void ss_key_files_free(ss_key_files *f);

/* --host-keys: the host keys of the migrated sessions into `cs`, between
 * known_hosts and the PuTTY or WinSCP store of `from` or `to`. */
int ss_migrate_plan_host_keys(const ss_target *from, const ss_target *to, const ss_migrate_opts *o,
			      ss_migrate_result *res, ss_changeset *cs, ss_diag *d);

#endif
