/* The OpenSSH server: what sshd_config gives one connection.
 *
 * sshd reads its configuration twice. The first pass takes the global
 * lines (first value wins) and checks the syntax of everything, Match
 * blocks included. For each connection a second pass reads the file again
 * with the global lines inactive; every Match block whose criteria hold is
 * active, first value wins among them, and what they set is copied over
 * the global values (servconf.c, parse_server_match_config). So a keyword
 * comes from the first matching block that sets it, not from the first
 * matching block as a whole.
 *
 * This module evaluates a config as `sshd -T -C user=U,host=H,addr=A,lport=P`
 * does, for the keepalive keywords, and reports sshd's own errors. */
#ifndef SSHSYNC_SSHD_H
#define SSHSYNC_SSHD_H

#include <stddef.h>

#include "sshsync/buf.h"
#include "sshsync/changeset.h"
#include "sshsync/client.h"
#include "sshsync/diag.h"
#include "sshsync/scope.h"
#include "sshsync/sshmatch.h"

/* A connection as `sshd -C` describes it. Fields not given are NULL (lport
 * 0): a Match criterion on them does not match, except LocalPort, which
 * sshd refuses to evaluate without lport (as sshd -T does). */
typedef struct ss_sshd_conn {
	char *user;
	char *host;
	char *addr;
	char *laddr;
	char *rdomain;
	int lport;
} ss_sshd_conn;

#define SS_SSHD_CONN_INIT                                                                          \
	{                                                                                          \
		NULL, NULL, NULL, NULL, NULL, 0                                                    \
	}

/* Parses "user=U,host=H,addr=A,laddr=L,rdomain=R,lport=P" (any subset, any
 * order), with sshd's messages for a bad port or an unknown field. */
int ss_sshd_conn_parse(ss_sshd_conn *c, const char *spec, ss_diag *d);
void ss_sshd_conn_free(ss_sshd_conn *c);

/* sshd's strdelim(): the next token of *s, splitting at whitespace or one
 * '=', a '"' quoting a token. Modifies the string; returns NULL at the end
 * (and on an unclosed quote, as sshd does), sets *s to NULL when the rest
 * is used up. */
char *ss_sshd_strdelim(char **s);

/* addr_match_list(): addresses and CIDR networks or wildcards, `!`
 * negation. With addr NULL only checks the list. 1 match, 0 none, -1
 * negated match, -2 an invalid entry (a network with host bits set, a
 * mask too long for its family, an empty entry). */
int ss_sshd_addr_match_list(const char *addr, const char *list);
/* Whether `user` (looked up with getpwnam) is in a group of the list: 1
 * yes, 0 no (also for an unknown user or a negated match). */
int ss_sshd_group_match(const char *user, const char *list);

/* The result of one Match line. */
typedef enum ss_sshd_match_result {
	SS_SSHD_MATCH_ERROR = -1, /* `err` says why, as sshd does */
	SS_SSHD_MATCH_NO = 0,
	SS_SSHD_MATCH_YES = 1
} ss_sshd_match_result;

/* Evaluates the criteria of a Match line, `criteria` being the text after
 * the keyword and its separator (a copy is made). With c NULL it does what
 * sshd's first pass does: checks the syntax, matches only `All`. On error
 * `err` gets sshd's message (text left over after the criteria is sshd's
 * "extra arguments" error). */
ss_sshd_match_result ss_sshd_match(const char *criteria, const ss_sshd_conn *c, ss_buf *err);

/* Keywords: 0 for one sshd does not know, else where it is allowed. */
#define SS_SSHD_KW_GLOBAL 1
#define SS_SSHD_KW_MATCH 2
int ss_sshd_keyword_flags(const char *lowercase_keyword);

/* ---- whole configurations ---- */

typedef struct ss_sshd_opts {
	/* Where relative Include paths start; NULL for /etc/ssh, as sshd's
	 * compiled-in SSHDIR. Tests point it at a copy of /etc/ssh. */
	const char *base_dir;
	/* The sshd binary for validation; NULL for /usr/sbin/sshd. Validation
	 * is skipped when it does not exist. */
	const char *sshd_path;
} ss_sshd_opts;

/* What one connection (or scope) gets. `*_at` is "file:line" of the line
 * that set the value, NULL for sshd's default. */
typedef struct ss_sshd_values {
	long interval;	    /* ClientAliveInterval, seconds (default 0: off) */
	long count_max;	    /* ClientAliveCountMax (default 3) */
	long tcp_keepalive; /* TCPKeepAlive 0/1 (default 1); global only */
	char *interval_at;
	char *count_max_at;
	char *tcp_keepalive_at;
} ss_sshd_values;

void ss_sshd_values_free(ss_sshd_values *v);

typedef struct ss_sshd_config ss_sshd_config;

/* Reads a config and every file it includes, and runs sshd's first pass:
 * every error sshd reports on startup is reported here, with file:line:col. */
int ss_sshd_load(ss_sshd_config **out, const char *path, const ss_sshd_opts *o, ss_diag *d);
void ss_sshd_free(ss_sshd_config *c);

/* What `sshd -T -C SPEC` shows for the keepalive keywords. */
int ss_sshd_eval(const ss_sshd_config *c, const ss_sshd_conn *conn, ss_sshd_values *out,
		 ss_diag *d);
/* The global values: what a connection gets that no Match block (other
 * than `Match All`) selects. */
int ss_sshd_eval_global(const ss_sshd_config *c, ss_sshd_values *out, ss_diag *d);

/* The Match blocks in reading order (also those in included files), one
 * per Match line: a file included several times gives one block for all
 * its copies, as a connection its criteria select is selected by every
 * copy (sshd -T -C shows the first value any of them sets). */
size_t ss_sshd_nblocks(const ss_sshd_config *c);
/* The criteria as written ("User bob Address 10.0.0.0/8"). */
const char *ss_sshd_block_name(const ss_sshd_config *c, size_t i);
/* The file the block's Match line is in. */
const char *ss_sshd_block_file(const ss_sshd_config *c, size_t i);
/* What a connection gets that this block (every copy of it) selects, and
 * no other block but `Match All` ones. */
int ss_sshd_eval_block(const ss_sshd_config *c, size_t i, ss_sshd_values *out, ss_diag *d);

/* The client operations with explicit options (ss_client_sshd uses the
 * defaults). Audit scopes: each connection of q, named as given, or else
 * "global" and each Match block as written. */
int ss_sshd_audit(const char *path, const ss_query *q, const ss_sshd_opts *o, ss_scopes *out,
		  ss_diag *d);
/* Adds every file of the config to `cs` (unchanged ones without edits),
 * with the edits that give every connection the policy, and sets
 * cs->validate to run `sshd -t` on the rendered result. */
int ss_sshd_apply(const char *path, const ss_policy *p, const ss_sshd_opts *o, ss_changeset *cs,
		  ss_diag *d);

#endif
