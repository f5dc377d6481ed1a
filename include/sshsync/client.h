/* The client layer's face: one table of operations per kind of store.
 *
 * A client turns a store into scopes with the effective keepalive, and a
 * policy into edits. It never prints, never writes files and never knows
 * output formats (see DESIGN.md). */
#ifndef SSHSYNC_CLIENT_H
#define SSHSYNC_CLIENT_H

#include <stddef.h>

#include "sshsync/buf.h"
#include "sshsync/changeset.h"
#include "sshsync/diag.h"
#include "sshsync/regplan.h"
#include "sshsync/scope.h"
#include "sshsync/session.h"

typedef struct ss_query {
	const ss_strlist *hosts;       /* --host NAME (ssh); may be empty */
	const ss_strlist *connections; /* --connection SPEC (sshd); may be empty */
} ss_query;

typedef struct ss_client {
	const char *kind;	 /* "ssh", "sshd", "putty", "kitty", "winscp", "gpp" */
	const char *description; /* one line for --help */
	/* Appends one scope per host, block, session or site of PATH. */
	int (*audit)(const char *path, const ss_query *q, ss_scopes *out, ss_diag *d);
	/* Adds the edits that give every scope of PATH the policy (NULL when
	 * the kind is audited only). */
	int (*apply)(const char *path, const ss_policy *p, ss_changeset *cs, ss_diag *d);
	/* The registry values that set the policy for the sessions named in
	 * `sessions`, or for every session of `from` (plus Default Settings)
	 * when `sessions` is empty. NULL for kinds that cannot be exported. */
	int (*export_plan)(const char *from, const ss_strlist *sessions, const ss_policy *p,
			   ss_regplan *out, ss_diag *d);
	/* How sure it is that a file of unknown kind is this client's, from
	 * its name and first bytes: 0 no, 1 maybe, 2 certainly. May be NULL. */
	int (*sniff)(const char *path, const char *head, size_t len);
	/* Why the first bytes of one file cannot be this kind's (a phrase,
	 * and in *offset where), or NULL when they can. `session_file`: the
	 * file is one session of a directory store. NULL when the reader
	 * itself refuses whatever is not its syntax (ssh, sshd, gpp). */
	const char *(*misfit)(const char *head, size_t len, int session_file, size_t *offset);
	/* The files a directory store reads, relative to it (PuTTY's and
	 * KiTTY's session folders); NULL for kinds whose stores are files. */
	int (*dir_files)(const char *dir, ss_strlist *out, ss_diag *d);
	/* How the interval written becomes keepalives on the wire (sshd: every
	 * 2 x ClientAliveInterval); NULL: one every interval. */
	const ss_period_rule *period_rule;
	/* 1 when PATH is the system-wide file this client reads after the
	 * user's own (audit then reads the two as one chain). May be NULL. */
	int (*is_system)(const char *path);
	/* audit for PATH and the system-wide file read after it as one chain
	 * (ssh without -F: ~/.ssh/config, then /etc/ssh/ssh_config). NULL
	 * when is_system is. */
	int (*audit_chain)(const char *path, const char *system, const ss_query *q, ss_scopes *out,
			   ss_diag *d);
	/* The files PATH includes (every file it reads but itself); NULL for
	 * kinds without includes. */
	int (*includes)(const char *path, ss_strlist *out, ss_diag *d);
	/* Migration (session.h). Appends the sessions of PATH: all of them,
	 * or those named in `names` (a name PATH lacks is an error), plus the
	 * sessions their jump hops stand for. NULL where the kind has none. */
	int (*sessions_read)(const char *path, const ss_strlist *names, ss_sessions *out,
			     ss_diag *d);
	/* The edits that write the sessions into PATH (a missing PATH is
	 * created): a session PATH has by name is updated in place, others are
	 * added; sets each target_name and adds what PATH cannot express to
	 * the session's losses. */
	int (*sessions_plan)(const char *path, ss_sessions *in, ss_changeset *cs, ss_diag *d);
	/* 1: no session sessions_read gives looks up another (a jump hop
	 * never stands for a session), so each may be planned alone. */
	int sessions_alone;
	/* sessions_plan of every session `read` gives from FROM, each planned
	 * as it is read (the reader's kind is sessions_alone); 1 (nothing
	 * done that counts: drop `in` and `cs`) when two of them go into the
	 * same target session, which only sessions_plan can do; NULL: none. */
	int (*sessions_read_plan)(const char *path, ss_sessions_reader read, const char *from,
				  ss_sessions *in, ss_changeset *cs, ss_diag *d);
} ss_client;

/* Every client, NULL-terminated. */
const ss_client *const *ss_clients(void);
const ss_client *ss_client_find(const char *kind);

#endif
