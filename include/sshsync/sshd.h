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
#include "sshsync/diag.h"

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

#define SS_SSHD_CONN_INIT {NULL, NULL, NULL, NULL, NULL, 0}

/* Parses "user=U,host=H,addr=A,laddr=L,rdomain=R,lport=P" (any subset, any
 * order), with sshd's messages for a bad port or an unknown field. */
int ss_sshd_conn_parse(ss_sshd_conn *c, const char *spec, ss_diag *d);
void ss_sshd_conn_free(ss_sshd_conn *c);

/* sshd's strdelim(): the next token of *s, splitting at whitespace or one
 * '=', a '"' quoting a token. Modifies the string; returns NULL at the end
 * (and on an unclosed quote, as sshd does), sets *s to NULL when the rest
 * is used up. */
char *ss_sshd_strdelim(char **s);

/* OpenSSH's match_pattern(): `*` and `?` wildcards, case-sensitive. */
int ss_sshd_pattern(const char *s, const char *pattern);
/* match_pattern_list(): a comma list with `!` negation. 1 a positive match,
 * -1 a negated one (which wins), 0 none. `dolower` lowercases the patterns
 * (host names are compared in lower case). */
int ss_sshd_pattern_list(const char *s, const char *list, int dolower);
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
ss_sshd_match_result ss_sshd_match(const char *criteria, const ss_sshd_conn *c,
				   ss_buf *err);

#endif
