/* Wine's own registry files (a prefix's user.reg, system.reg and
 * userdef.reg: "WINE REGISTRY Version 2"), read and edited without losing
 * a byte.
 *
 * What wineserver (server/registry.c, load_keys) reads, and so what is
 * accepted here:
 *  - the first line is exactly `WINE REGISTRY Version 2` (a CR before the
 *    LF is dropped, as everywhere);
 *  - then, after leading blanks, each line is a key `[...]`, a value `"`
 *    or `@`, an option `#...`, a `;` comment or blank. Before the first
 *    key only `#arch=win32` or `#arch=win64` and other `#` options, which
 *    Wine ignores; `;; All keys relative to ROOT` names the hive;
 *  - `[NAME] SECONDS`: NAME runs to the first `]` that is not escaped and
 *    is relative to the hive root (user.reg: HKEY_CURRENT_USER), elements
 *    separated by `\\`; SECONDS (optional) is the last write time in Unix
 *    seconds, and anything after it is ignored;
 *  - `#time=HEX` (the same time as a FILETIME), `#class="..."`, `#link`
 *    inside a key; other options are ignored;
 *  - `"name"=DATA` or `@=DATA`, blanks allowed around `=`; DATA is
 *    `"text"`, `str:"text"` (REG_SZ), `str(2):"text"` (REG_EXPAND_SZ),
 *    `str(7):"text"` (REG_MULTI_SZ, `\0` between the strings), `dword:` and
 *    1 to 8 hex digits, `hex:` (REG_BINARY) or `hex(N):` (type N) with
 *    hex bytes separated by commas, continued on the next line after a
 *    trailing `\`. Text after a closing quote is ignored, as Wine does.
 *  - In names and strings Wine writes \\ \" \[ \] for those characters,
 *    \a \b \t \n \v \f \r \e, octal \NNN for other controls, and \xHHHH
 *    (1 to 4 hex digits, 4 when a hex digit follows) for each UTF-16 unit
 *    above 127; raw UTF-8 is read too. Any other escaped character stands
 *    for itself.
 * Anything else (Wine would log "Malformed value", "Unrecognized input"
 * and skip or lose the line) is an error "file:line:col: ...", and a file
 * that is not Wine's (a .reg export, UTF-16) is refused.
 *
 * Names and strings come out as UTF-8; a lone surrogate as its 3-byte
 * form (WTF-8), so that writing it back gives the same UTF-16. Key paths
 * and value names compare case-insensitively (ASCII letters; Wine folds
 * every letter, and names written by PuTTY and WinSCP are escaped ASCII).
 *
 * Values keep their registry type: a client that needs a REG_DWORD and
 * finds a string must treat it as absent, as PuTTY and WinSCP do.
 *
 * Editing only adds edits to a text edit list (include/sshsync/edit.h);
 * new lines are written the way wineserver writes them (save_subkeys,
 * dump_value, dump_strW), so that Wine reading the file back sees exactly
 * the values set, and its next save changes nothing else. */
#ifndef SSHSYNC_WINEREG_H
#define SSHSYNC_WINEREG_H

#include <stddef.h>
#include <stdint.h>

#include "sshsync/buf.h"
#include "sshsync/diag.h"
#include "sshsync/edit.h"
#include "sshsync/regplan.h"
#include "sshsync/text.h"

#define SS_WINEREG_NONE ((size_t)-1)

/* Registry value types (winnt.h). */
#define SS_REGT_NONE 0u
#define SS_REGT_SZ 1u
#define SS_REGT_EXPAND_SZ 2u
#define SS_REGT_BINARY 3u
#define SS_REGT_DWORD 4u
#define SS_REGT_MULTI_SZ 7u
#define SS_REGT_QWORD 11u

/* How a value is written in the file. */
typedef enum ss_wreg_form {
	SS_WREG_STRING, /* "..." or str(N):"..." */
	SS_WREG_DWORD,	/* dword:hhhhhhhh */
	SS_WREG_HEX	/* hex:... or hex(N):... */
} ss_wreg_form;

/* Which part of the registry a file holds (from its ";; All keys relative
 * to" line). */
typedef enum ss_wreg_hive {
	SS_WREG_HIVE_UNKNOWN,
	SS_WREG_HIVE_USER,	   /* REGISTRY\User\S-...: HKEY_CURRENT_USER (user.reg) */
	SS_WREG_HIVE_USER_DEFAULT, /* REGISTRY\User\.Default (userdef.reg) */
	SS_WREG_HIVE_MACHINE	   /* REGISTRY\Machine: HKEY_LOCAL_MACHINE (system.reg) */
} ss_wreg_hive;

/* One `[KEY]` line and the lines up to the next one (0-based lines). */
typedef struct ss_wregkey {
	char *path; /* unescaped, UTF-8; "" for the hive root itself */
	size_t path_len;
	size_t line;		/* the [KEY] line */
	size_t end_line;	/* exclusive */
	size_t last_value_line; /* last line of the last value or option (== line when none) */
	size_t stamp_start;	/* the seconds after ']': [stamp_start, stamp_end), */
	size_t stamp_end;	/* both at the end of the name when there are none */
	size_t time_line;	/* the #time= line, or SS_WINEREG_NONE */
	size_t next_same;	/* next block of the same key, or SS_WINEREG_NONE */
} ss_wregkey;

/* One value, located; offsets are into text->data. */
typedef struct ss_wregvalue {
	size_t line;   /* its first line */
	size_t nlines; /* 1 + continuation lines */
	int is_default;
	size_t name_start; /* the escaped name between the quotes (empty for @) */
	size_t name_end;
	size_t data_start; /* `dword:0000003c`, `"text"`, `str(2):"..."`, `hex:01,\ ...,02` */
	size_t data_end;   /* (exclusive; nothing after the data) */
	ss_wreg_form form;
	uint32_t type;	  /* SS_REGT_... (any number for hex(N)) */
	size_t str_start; /* SS_WREG_STRING: the escaped text between the quotes */
	size_t str_end;
	int has_dword;	/* a REG_DWORD of 4 bytes (dword: or hex(4): of 4 bytes) */
	uint32_t dword; /* its number */
} ss_wregvalue;

typedef struct ss_winereg {
	const ss_text *text; /* not owned; must outlive the winereg */
	ss_wreg_hive hive;
	char *relative_to; /* the root as the file names it (unescaped), or NULL */
	ss_wregkey *keys;  /* in file order */
	size_t nkeys;
	size_t kcap;
	size_t *table; /* hash of distinct paths -> first block; internal */
	size_t tsize;
} ss_winereg;

/* Indexes the text and checks every line. On error fills `d` with
 * file:line:col and what was expected, and leaves wr empty. */
int ss_winereg_parse(ss_winereg *wr, const ss_text *t, ss_diag *d);
void ss_winereg_free(ss_winereg *wr);

/* 1 when the first line of `head` (the whole file, or its first bytes)
 * is Wine's registry header, exactly as ss_winereg_parse checks it. */
int ss_winereg_sniff(const char *head, size_t len);

/* The first block of key `path` (unescaped, case-insensitive), or
 * SS_WINEREG_NONE; more blocks of it follow through next_same. */
size_t ss_winereg_find_key(const ss_winereg *wr, const char *path, size_t len);
/* Whether key `path` exists: it has a block, or a key below it has one
 * (Wine does not write a key whose only content is its subkeys). */
int ss_winereg_key_exists(const ss_winereg *wr, const char *path);
/* Appends the names of the direct subkeys of `parent` ("" for the root),
 * each once (case-insensitively), in the order the file first names them. */
int ss_winereg_subkeys(const ss_winereg *wr, const char *parent, ss_strlist *out);

/* Iterates over the values of block `b` in file order: *cursor = 0 first;
 * returns 1 with *v per value, 0 at the end. */
int ss_winereg_next_value(const ss_winereg *wr, size_t b, size_t *cursor, ss_wregvalue *v);
/* The last value named `name` ("" or NULL: @) in block `b`: 1 found, 0 not. */
int ss_winereg_find_value(const ss_winereg *wr, size_t b, const char *name, ss_wregvalue *v);
/* What Wine loads for `path`\`name`: the last line that sets it over every
 * block of the key (1), or 0 when no line does. */
int ss_winereg_lookup(const ss_winereg *wr, const char *path, const char *name, ss_wregvalue *v);

int ss_winereg_value_name_is(const ss_winereg *wr, const ss_wregvalue *v, const char *name);
/* Appends the unescaped name ("" for @). -1: out of memory. */
int ss_winereg_value_name(const ss_winereg *wr, const ss_wregvalue *v, ss_buf *out);
/* Appends the unescaped text of a SS_WREG_STRING value (without the final
 * NUL; a REG_MULTI_SZ keeps its inner NULs). -1 for other forms. */
int ss_winereg_value_string(const ss_winereg *wr, const ss_wregvalue *v, ss_buf *out);
/* Appends the value's bytes as the registry holds them (strings in
 * UTF-16LE with their final NUL, as RegQueryValueEx returns them). */
int ss_winereg_value_data(const ss_winereg *wr, const ss_wregvalue *v, ss_buf *out);
/* "REG_SZ", "REG_DWORD", ... or "type 0x%x" written into buf. */
const char *ss_winereg_type_name(uint32_t type, char buf[16]);

/* --- writing, as wineserver writes --- */

/* dump_strW: UTF-8 (WTF-8) text escaped for a name or a string; `specials`
 * are the two characters that also get a backslash ("[]" in key names,
 * "\"\"" in value names and strings). -2 when the text is not WTF-8. */
int ss_winereg_escape(ss_buf *out, const char *s, size_t len, const char specials[2]);

/* Replaces the data of `v` (all its lines) by `dword:%08x`. */
int ss_winereg_set_dword(const ss_winereg *wr, ss_edits *e, const ss_wregvalue *v, uint32_t value);
/* The same with a REG_SZ "string" (UTF-8). -2: not UTF-8 text. */
int ss_winereg_set_string(const ss_winereg *wr, ss_edits *e, const ss_wregvalue *v,
			  const char *value);
/* Inserts a value line into block `b` where Wine keeps it: before the
 * first value whose name sorts after it (case-insensitively), else after
 * the block's last value or option line. */
int ss_winereg_insert_dword(const ss_winereg *wr, ss_edits *e, size_t b, const char *name,
			    uint32_t value);
int ss_winereg_insert_string(const ss_winereg *wr, ss_edits *e, size_t b, const char *name,
			     const char *value);
/* Deletes the value's lines (continuations included). */
int ss_winereg_delete_value(const ss_winereg *wr, ss_edits *e, const ss_wregvalue *v);
/* Sets the key's last write time (the seconds after ']' and #time=) to
 * `unix_seconds`, as Wine does when a value changes. Once per block. */
int ss_winereg_touch_key(const ss_winereg *wr, ss_edits *e, size_t b, int64_t unix_seconds);
/* Appends a new key block for `k` (path relative to the hive root, no
 * HKEY_ prefix; SZ and DWORD values; deletions are skipped) at the end
 * of the file, after a blank line, with time `unix_seconds`. */
int ss_winereg_append_key(const ss_winereg *wr, ss_edits *e, const ss_regkey *k,
			  int64_t unix_seconds, ss_diag *d);

/* Before a Wine registry file is written (apply, undo): -1 with `d` set
 * when `t` is one (ss_winereg_sniff) and a wineserver runs for its prefix
 * (the file's directory), which would write its own copy over the
 * change; 0 when it may be written (or is no Wine registry file). */
int ss_winereg_no_server(const ss_text *t, ss_diag *d);

#endif
