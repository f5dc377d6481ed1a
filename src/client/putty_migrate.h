/* Inside the PuTTY/KiTTY client: migration (putty_migrate.c). */
#ifndef SSHSYNC_PUTTY_MIGRATE_H
#define SSHSYNC_PUTTY_MIGRATE_H

#include "sshsync/buf.h"
#include "sshsync/changeset.h"
#include "sshsync/diag.h"
#include "sshsync/session.h"

/* client.h sessions_read/sessions_plan for PuTTY (kitty 0) or KiTTY. */
int ss_putty_sessions_read_kind(const char *path, int kitty, const ss_strlist *names,
				ss_sessions *out, ss_diag *d);
int ss_putty_sessions_plan_kind(const char *path, int kitty, ss_sessions *in, ss_changeset *cs,
				ss_diag *d);
/* client.h sessions_read_plan: each session planned as `read` hands it on
 * (1: two of them share a target session). */
int ss_putty_sessions_read_plan_kind(const char *path, int kitty, ss_sessions_reader read,
				     const char *from, ss_sessions *in, ss_changeset *cs,
				     ss_diag *d);

#endif
