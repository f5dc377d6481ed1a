/* Inside the OpenSSH client: migration (openssh_migrate.c reads,
 * openssh_mwrite.c writes). */
#ifndef SSHSYNC_OPENSSH_MIGRATE_H
#define SSHSYNC_OPENSSH_MIGRATE_H

#include "openssh_int.h"
#include "sshsync/session.h"

/* Appends the session of one alias, as ssh -G ALIAS resolves it. */
int oss_read_session(ss_openssh *c, const char *alias, const char *file, ss_sessions *out,
		     ss_diag *d);
/* The edits of the main file that write the sessions (openssh_mwrite.c). */
int oss_plan_sessions(ss_openssh *c, ss_sessions *in, ss_edits *e, ss_diag *d);
/* "[bind:]port" as ssh splits it: 0, 1 when it is not of that form, -1
 * when memory runs out. */
int oss_split_listen(const char *spec, char **bind, char **port);

#endif
