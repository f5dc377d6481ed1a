/* Algorithm preference lists between OpenSSH and PuTTY (MIGRATION.md
 * Table 1 and 2: "PuTTY cipher groups -> SSH names").
 *
 * OpenSSH names single algorithms and can leave any out; PuTTY 0.78 (and
 * WinSCP, which uses its names) orders *groups* (`aes` is six ciphers) and
 * cannot leave a group out: everything after the WARN marker is still
 * offered, after a warning (an abort under plink -batch). So a translation
 * is often approximate, and says so.
 *
 * The OpenSSH side is ssh 9.2p1 as Debian 12 builds it: its defaults and
 * what `ssh -Q cipher|kex|HostKeyAlgorithms` lists, and kex_assemble_names'
 * rules for a value (a list, or "+LIST" appended to the default, "-LIST"
 * removed from it, "^LIST" put before it; patterns with * and ?). The
 * PuTTY side is settings.c's group tables and gprefs_from_str (a group
 * the stored list lacks is put back at its default place). */
#ifndef SSHSYNC_ALGS_H
#define SSHSYNC_ALGS_H

#include "sshsync/buf.h"

typedef enum ss_alg_kind {
	SS_ALG_CIPHER, /* Ciphers / Cipher */
	SS_ALG_KEX,    /* KexAlgorithms / KEX */
	SS_ALG_HOSTKEY /* HostKeyAlgorithms / HostKey */
} ss_alg_kind;

/* The comma list ssh 9.2 uses for a value as written (names it does not
 * know are dropped, as ssh would refuse them). -1: out of memory. */
int ss_algs_openssh_resolve(ss_alg_kind k, const char *value, ss_buf *out);

/* The PuTTY setting (every group named, WARN after the groups the OpenSSH
 * list asks for, in the order of their first algorithm) for a resolved
 * OpenSSH list. `approx` gets one sentence per way PuTTY differs (a group
 * offers more than was asked; what was left out is still offered after
 * WARN; an algorithm PuTTY lacks). -1: out of memory. */
int ss_algs_putty_from_openssh(ss_alg_kind k, const char *list, ss_buf *out, ss_buf *approx);

/* The OpenSSH list for a PuTTY setting as PuTTY 0.78 reads it: the groups
 * before WARN, each as the algorithms ssh 9.2 has of it, in PuTTY's order.
 * `approx` as above (what comes after WARN is excluded; algorithms ssh
 * lacks). *empty is 1 when nothing is left. -1: out of memory. */
int ss_algs_openssh_from_putty(ss_alg_kind k, const char *setting, ss_buf *out, ss_buf *approx,
			       int *empty);

/* The stored setting PuTTY 0.78 reads when the key is absent. */
const char *ss_algs_putty_default(ss_alg_kind k);

/* The whole group order PuTTY 0.78 reads from a setting, every group
 * named (WinSCP, which puts a group it lacks at the end instead, then
 * reads the same order). -1: out of memory. */
int ss_algs_putty_full(ss_alg_kind k, const char *setting, ss_buf *out);

/* 1 when two PuTTY settings give the same preference order. */
int ss_algs_putty_same(ss_alg_kind k, const char *a, const char *b);

#endif
