/* The live Windows registry as .reg texts (store layer, over os_registry).
 *
 * A change of the live registry is described by two states of the same
 * keys and values: before (what is there now) and after (what sshsync
 * writes). Each renders as a .reg file exactly as regedit writes one
 * (UTF-16LE with BOM, `Windows Registry Editor Version 5.00`, CRLF), with
 * one line per value in the same order, so that:
 *  - the before file is the backup: `reg import` of it restores every value
 *    (a value that was absent is `"name"=-`, a key that did not exist is
 *    `[-KEY]`);
 *  - the after file is the change: `reg import` of it applies it;
 *  - the unified diff between them is the dry run's diff in .reg form;
 *  - reading the same keys and values from the live registry and rendering
 *    them again tells, byte for byte, whether anything changed since.
 * Writing goes through the registry API one value at a time (there are no
 * transactions under Wine, and regedit has none): the state found just
 * before writing is kept, and a failure half way puts it back.
 *
 * Key paths are full (`HKEY_CURRENT_USER\...`); names and string data are
 * UTF-8 (WTF-8), as os_registry carries them. */
#ifndef SSHSYNC_WINREG_H
#define SSHSYNC_WINREG_H

#include <stddef.h>
#include <stdint.h>

#include "sshsync/buf.h"
#include "sshsync/changeset.h"
#include "sshsync/diag.h"
#include "sshsync/text.h"

#define SS_WINREG_SZ 1u
#define SS_WINREG_BINARY 3u
#define SS_WINREG_DWORD 4u

typedef struct ss_winreg_value {
	char *name;
	int present; /* 0: absent (rendered "name"=-) */
	uint32_t type;
	ss_buf data; /* as RegQueryValueEx gives it (REG_SZ: UTF-16LE with its NUL) */
} ss_winreg_value;

typedef struct ss_winreg_key {
	char *path;
	int exists; /* 0: the key is not there (rendered [-KEY], no values) */
	int all;    /* reading: every value of the key, not only those listed */
	ss_winreg_value *v;
	size_t n, cap;
} ss_winreg_key;

typedef struct ss_winreg_state {
	ss_winreg_key *v;
	size_t n, cap;
} ss_winreg_state;

#define SS_WINREG_STATE_INIT                                                                       \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void ss_winreg_state_free(ss_winreg_state *s);
/* Adds a key (copied path); NULL when out of memory. */
ss_winreg_key *ss_winreg_add_key(ss_winreg_state *s, const char *path, int exists);
/* Adds a value to a key: present with type and bytes, or absent (data
 * NULL, type ignored). -1: out of memory. */
int ss_winreg_add_value(ss_winreg_key *k, const char *name, int present, uint32_t type,
			const void *data, size_t len);
/* The same data as RegSetValueExW stores a string: UTF-16LE with a NUL. */
int ss_winreg_sz_data(const char *utf8, ss_buf *out);

/* The state as a .reg text, decoded (UTF-8, CRLF lines): the header, then
 * per key a blank line, `[KEY]` or `[-KEY]` and its value lines. Each line
 * of a key starts at an offset recorded in `key_at[k]` (when not NULL:
 * s->n entries). A string holding CR or LF, or any value that is no clean
 * REG_SZ or REG_DWORD, is written as hex(N):; a name holding CR or LF
 * cannot be written and is refused. */
int ss_winreg_render(const ss_winreg_state *s, ss_buf *out, size_t *key_at, ss_diag *d);
/* The same as the bytes of a .reg file (UTF-16LE with BOM). */
int ss_winreg_render_file(const ss_winreg_state *s, ss_buf *out, ss_diag *d);

/* A .reg text (as ss_winreg_render writes them, or any merge file whose
 * keys hold only values) as a state; `[-KEY]` blocks have exists = 0. */
int ss_winreg_parse(const ss_text *t, ss_winreg_state *out, ss_diag *d);

/* The live registry's state of the keys and values of `shape`: the same
 * keys in the same order, each with the values named in shape (absent
 * ones too), or all its values where shape->all or shape's key is absent. */
int ss_winreg_read(const ss_winreg_state *shape, ss_winreg_state *now, ss_diag *d);
/* 1 when the two states render the same, 0 when not, -1 on error. */
int ss_winreg_same(const ss_winreg_state *a, const ss_winreg_state *b, ss_diag *d);
/* The keys `want` describes, read again from the registry: 1 when they
 * hold what it says, 0 when they changed, -1 on error. */
int ss_winreg_unchanged(const ss_winreg_state *want, ss_diag *d);

/* Writes `target` through the registry API: a key that must not exist is
 * deleted, any other is created if missing and its values set or deleted.
 * Just before, reads the same keys and values into *old (freed first) and,
 * when `expect` is given, refuses with "changed since it was read" and
 * writes nothing unless they render as `expect`. A failure half way puts
 * back *old and says so. */
int ss_winreg_write(const ss_winreg_state *target, const ss_winreg_state *expect,
		    ss_winreg_state *old, ss_diag *d);

/* The changeset sink of a live-registry change (see changeset.h): its
 * check reads `expect` and `deps` again (deps: the keys the plan read,
 * each whole) and refuses when either differs; its write is
 * ss_winreg_write(target, expect); its restore writes back the values
 * found just before. ss_winreg_sink_new takes the three states (also on
 * failure; deps may be NULL). */
extern const ss_change_sink ss_winreg_sink;
void *ss_winreg_sink_new(ss_winreg_state *target, ss_winreg_state *expect, ss_winreg_state *deps);

/* The journal name of a live-registry change: "reg:" and the key path. */
#define SS_WINREG_JOURNAL_PREFIX "reg:"

#endif
