/* A registry merge plan: the keys and values an export sets or deletes.
 * Clients build it; store/regfile renders it as .reg (v5 or REGEDIT4) and
 * report/gpp as a Group Policy Registry.xml. */
#ifndef SSHSYNC_REGPLAN_H
#define SSHSYNC_REGPLAN_H

#include <stddef.h>
#include <stdint.h>

#include "sshsync/diag.h"

typedef enum ss_regkind { SS_REGVAL_DWORD, SS_REGVAL_SZ, SS_REGVAL_DELETE } ss_regkind;

typedef struct ss_regval {
	char *name;
	ss_regkind kind;
	uint32_t dword;
	char *sz;
} ss_regval;

typedef struct ss_regkey {
	char *path; /* full path, e.g. HKEY_CURRENT_USER\Software\SimonTatham\PuTTY\Sessions\web%201
		     */
	ss_regval *v;
	size_t n;
	size_t cap;
} ss_regkey;

struct ss_regplan;
/* Where the keys of a plan go once they are final (ss_regplan_settle):
 * `keys` gets the plan holding them, 0 or -1 (then `d` says why, or is
 * unset with errno kept when writing them failed). */
typedef struct ss_regplan_sink {
	int (*keys)(void *ctx, const struct ss_regplan *p, ss_diag *d);
	void *ctx;
} ss_regplan_sink;

typedef struct ss_regplan {
	ss_regkey *v;
	size_t n;
	size_t cap;
	const char *codepage; /* of a REGEDIT4 rendering (not owned); NULL: Windows-1252 */
	/* The keys by path (ASCII case-insensitively, open addressing): key
	 * number + 1, 0 empty; internal to ss_regplan_key. */
	size_t *index;
	size_t index_cap; /* a power of two, at least twice n; 0: none yet */
	/* NULL: every key is kept until the plan is freed; else where
	 * ss_regplan_settle sends them (a large export is rendered as it is
	 * planned, never held whole). Not owned. */
	const ss_regplan_sink *settle;
} ss_regplan;

#define SS_REGPLAN_INIT                                                                            \
	{                                                                                          \
		NULL, 0, 0, NULL, NULL, 0, NULL                                                    \
	}

/* Returns the key with this path, adding it when new; NULL when out of memory. */
ss_regkey *ss_regplan_key(ss_regplan *p, const char *path);
int ss_regkey_set_dword(ss_regkey *k, const char *name, uint32_t value);
int ss_regkey_set_sz(ss_regkey *k, const char *name, const char *value);
int ss_regkey_delete_value(ss_regkey *k, const char *name);
/* Forgets what the plan does with value `name` (case-insensitively). */
void ss_regkey_unset(ss_regkey *k, const char *name);
/* Frees every value of the key (its path stays). */
void ss_regkey_drop_values(ss_regkey *k);
/* Says that the keys planned so far are final. With a sink (settle), they
 * go to it and are forgotten: the plan is empty again, and the caller
 * must never plan a key of the same path later (it would be a second key,
 * not the first one changed). Without one, nothing happens (0). */
int ss_regplan_settle(ss_regplan *p, ss_diag *d);
void ss_regplan_free(ss_regplan *p);

#endif
