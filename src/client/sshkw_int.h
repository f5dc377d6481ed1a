/* Inside the keyword value checks: what ssh_keywords.c (ssh_config) and
 * sshd_values.c (sshd_config) share, each piece as OpenSSH 9.2p1 has it
 * (misc.c, cipher.c, mac.c, kex.c, sshkey.c, log.c, fmt_scaled.c). */
#ifndef SSHSYNC_SSHKW_INT_H
#define SSHSYNC_SSHKW_INT_H

#include <stddef.h>

#include "sshsync/buf.h"
#include "sshsync/sshkw.h"

/* One directive being checked. `name` is the keyword as the manual spells
 * it, used in messages. */
typedef struct kw_ctx {
	const ss_text *t;
	const ss_sshconf_item *it;
	const char *name;
	ss_diag *d;
} kw_ctx;

/* Argument i's value, or NULL past the last one. */
const char *kw_arg(const kw_ctx *x, size_t i);
/* "keyword NAME: MESSAGE" at argument i (or where arguments begin). */
int kw_fail(const kw_ctx *x, size_t i, const char *fmt, ...) SS_PRINTF(3, 4);
/* The "extra arguments at end of line" check after `used` arguments. */
int kw_extra(const kw_ctx *x, size_t used);
/* An argument that must be present and non-empty. */
int kw_need(const kw_ctx *x, size_t i, const char *what);

/* misc.c tilde_expand() on argument i's value `s`: "~user" must name a
 * user of this machine (ssh applies it to ControlPath, IdentityAgent, the
 * ForwardAgent socket and UserKnownHostsFile, sshd to AuthorizedKeysFile
 * and AuthorizedPrincipalsFile). */
int kw_tilde(const kw_ctx *x, size_t i, const char *s);

/* strcasecmp position of `arg` in the NULL-ended `values`, or -1. */
int kw_multi(const char *arg, const char *const *values);
/* "a, b or c" into buf. */
const char *kw_join(const char *const *values, char *buf, size_t size);

/* strsep(3), which not every C library has: the next field of *sp up to a
 * character of delim (cut there), *sp moved past it or set to NULL. */
char *kw_strsep(char **sp, const char *delim);
long kw_convtime(const char *s);		   /* misc.c convtime(): -1 when bad */
const char *kw_atoi_err(const char *s, long *out); /* misc.c atoi_err() */
int kw_strtonum(const char *s, long long lo, long long hi, long long *out); /* 0 ok */
int kw_a2port(const char *s);			   /* misc.c a2port(): -1 when bad */
int kw_scan_scaled(const char *s, long long *out); /* fmt_scaled.c: 0 ok, -1 bad */
const char *kw_scan_scaled_error(const char *s);   /* strerror of the failure */
int kw_loglevel(const char *s);			   /* 1 known */
int kw_facility(const char *s);			   /* 1 known */
int kw_valid_env_name(const char *s);
/* valid_domain(name, 0): NULL or why not (into buf). */
const char *kw_valid_domain(const char *name, char *buf, size_t size);

/* Algorithm lists: 1 when ssh 9.2 takes the list (after a leading + or ^;
 * a leading - takes anything). Each stops at the first empty element, as
 * ssh's strsep loops do. */
int kw_ciphers_valid(const char *names);
int kw_macs_valid(const char *names);
int kw_kex_valid(const char *names, int gss_only);
int kw_keytypes_valid(const char *names);
/* kex_assemble_names() of a value against everything the program knows
 * (`all`), as sshd makes it for every list and ssh for HostKeyAlgorithms:
 * 1 when it gives a non-empty list without a negation. */
int kw_assemble(const char *value, const char *const *all);

/* hpdelim2()/hpdelim() and cleanhostname() on a modifiable string. */
char *kw_hpdelim2(char **cp, char *delim);
char *kw_hpdelim(char **cp);
char *kw_cleanhostname(char *host);

/* The names ssh 9.2 knows, for messages ("ssh -Q cipher"). */
extern const char *const kw_cipher_names[];
extern const char *const kw_mac_names[];
extern const char *const kw_kex_names[];
extern const char *const kw_key_names[];
extern const char *const kw_sig_names[]; /* `ssh -Q sig`: no certificates */

/* The known ssh_config keyword closest to `lower` (NULL when none is
 * close), and its distance. */
const char *ss_sshkw_client_suggest(const char *lower, size_t *dist);

/* Levenshtein distance (case-insensitive), capped at cap + 1. */
size_t kw_distance(const char *a, const char *b, size_t cap);

#endif
