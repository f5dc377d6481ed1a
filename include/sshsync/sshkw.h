/* Keyword values as OpenSSH 9.2p1 (Debian 12) checks them: every keyword of
 * ssh_config (readconf.c, plus the checks `ssh -G` makes on the values it
 * then uses) and of sshd_config (servconf.c), with the message ssh or sshd
 * gives, at file:line:col. And the advice for a keyword neither knows: the
 * closest known keyword, or the other program's configuration.
 *
 * The tables are sorted (binary search): loading a 10,000-host file looks
 * every line up once. */
#ifndef SSHSYNC_SSHKW_H
#define SSHSYNC_SSHKW_H

#include "sshsync/diag.h"
#include "sshsync/sshconf.h"
#include "sshsync/text.h"

/* Checks the value of one ssh_config directive (keyword known to ssh;
 * Host, Match and Include are the loader's). 0, or -1 with `d` set. */
int ss_sshkw_client_check(const ss_text *t, const ss_sshconf_item *it, ss_diag *d);
/* The same in two steps, for a reader that checks the same few keywords
 * thousands of times: the keyword's entry (NULL: none to check), then the
 * check of a line with that keyword. */
typedef struct ck_keyword ss_sshkw_client_kw;
const ss_sshkw_client_kw *ss_sshkw_client_find(const char *keyword);
int ss_sshkw_client_check_kw(const ss_sshkw_client_kw *k, const ss_text *t,
			     const ss_sshconf_item *it, ss_diag *d);

/* The same for one sshd_config directive (keyword known to sshd; Match and
 * Include are the loader's). */
int ss_sshkw_server_check(const ss_text *t, const ss_sshconf_item *it, ss_diag *d);

/* The checks sshd makes across lines once it has read its files (sshd.c
 * main() on the settings of the first pass): AuthorizedKeysCommand and
 * AuthorizedPrincipalsCommand need their User, one list of
 * AuthenticationMethods must use only enabled methods, and no Subsystem
 * may be defined twice. Feed it every line
 * that is active in the first pass, in order. */
typedef struct ss_sshkw_sshd_globals {
	const ss_text *text[3];
	const ss_sshconf_item *item[3]; /* the first keys command, principals
					   command and AuthenticationMethods */
	int keys_user, principals_user;
	int enabled[5];		 /* publickey, password, keyboard-interactive, hostbased,
				    gssapi-with-mic: -1 while unset */
	const char **subsystems; /* names defined so far */
	size_t nsubsystems;
	const ss_text *dup_text; /* the first Subsystem defined twice */
	const ss_sshconf_item *dup_item;
} ss_sshkw_sshd_globals;

void ss_sshkw_sshd_globals_init(ss_sshkw_sshd_globals *g);
/* -1 when memory runs out. */
int ss_sshkw_sshd_globals_note(ss_sshkw_sshd_globals *g, const ss_text *t,
			       const ss_sshconf_item *it);
int ss_sshkw_sshd_globals_check(const ss_sshkw_sshd_globals *g, ss_diag *d);
void ss_sshkw_sshd_globals_free(ss_sshkw_sshd_globals *g);

/* The keyword as the manual spells it ("ServerAliveInterval"), or NULL
 * when ssh (client) or sshd (server) does not know `lower`. */
const char *ss_sshkw_client_name(const char *lower);
const char *ss_sshkw_server_name(const char *lower);

/* Advice for an unknown keyword, in buf (never NULL, "" when there is
 * none): "ClientAliveInterval is an sshd_config keyword: this looks like an
 * sshd_config, name it sshd:PATH" (and the reverse for `server`), or "did
 * you mean ServerAliveInterval?" when a known keyword is close. */
const char *ss_sshkw_unknown_advice(const char *lower, int server, char *buf, size_t size);

#endif
