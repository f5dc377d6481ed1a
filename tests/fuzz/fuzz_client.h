/* One audit-apply-audit-apply cycle through a client's table, for the
 * harnesses of single-file stores (.reg, WinSCP.ini, session files). */
#ifndef SSHSYNC_FUZZ_CLIENT_H
#define SSHSYNC_FUZZ_CLIENT_H

#include "sshsync/client.h"
#include "sshsync/scope.h"
#include "sshsync/text.h"

/* Marks (mask[i] = 1) the lines of `t` that hold a keepalive value, which
 * apply may change; returns -1 when the text does not parse. */
typedef int (*fuzz_mask_fn)(const ss_text *t, unsigned char *mask);
/* The items of `t` that apply must keep, in order (as strings); -1 when
 * the text does not parse. */
typedef int (*fuzz_items_fn)(const ss_text *t, ss_strlist *out);

/* fuzz_winereg.c: the items of Wine's user.reg (key times may change). */
int fuzz_winereg_items(const ss_text *t, ss_strlist *out);
/* `fallback`, unless the text is Wine's registry: every registry client
 * (PuTTY, KiTTY, WinSCP) reads that as Wine's, whatever the file's name. */
fuzz_items_fn fuzz_items_or_winereg(const void *data, size_t size, fuzz_items_fn fallback);

/* The unmarked lines of `t`, content without ending. */
int fuzz_unmasked_lines(const ss_text *t, fuzz_mask_fn mask, ss_strlist *out);
/* 1 when `b` is `a` with lines inserted that are blank or start with one
 * of `extra` (which may be NULL). */
int fuzz_is_insertion(const ss_strlist *a, const ss_strlist *b, const char *extra);

/* Audits TARGET (a path under the work folder); when that works, applies
 * the policy and checks: only files under the work folder change; in each,
 * the items that `items` lists are unchanged, in order, except that new
 * ones may come in that are blank or start with one of `extra` (new keys
 * or sections); the audit afterwards has every scope of before, and
 * every scope has the asked interval (and count max and TCP keepalive where
 * the client has them); a second apply changes nothing. */
void fuzz_client_cycle(const ss_client *cl, const char *target, const ss_policy *p,
		       fuzz_items_fn items, const char *extra);

#endif
