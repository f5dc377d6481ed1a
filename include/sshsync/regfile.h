/* Windows .reg files (regedit exports and merge files), read and edited
 * without losing a byte.
 *
 * A regfile is an index over an ss_text (which owns the bytes and has
 * already decoded a UTF-16LE file to UTF-8): the header, one block per
 * `[KEY]` or `[-KEY]` line, and a hash of key paths. Values are not stored:
 * ss_regfile_parse checks every line once (so a file that loads is known to
 * be well formed), and the value functions re-read a block's lines on
 * demand. That keeps a 10,000-session, 80 MB export at a few bytes of index
 * per key, and every lookup linear in the size of the key's block.
 *
 * What is accepted is what regedit and Wine's regedit accept:
 *  - the header `Windows Registry Editor Version 5.00` or `REGEDIT4`, after
 *    optional blank lines, with leading and trailing blanks;
 *  - blank lines and `;` comments anywhere, also inside a key's values;
 *  - `[ROOT\path]` opens a key, `[-ROOT\path]` deletes a tree; the name runs
 *    to the LAST `]` of the line (so `]` may occur inside it) and ROOT is one
 *    of HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER, HKEY_CLASSES_ROOT, HKEY_USERS,
 *    HKEY_CURRENT_CONFIG, HKEY_DYN_DATA; paths compare case-insensitively
 *    (ASCII letters; other bytes exactly);
 *  - `"name"=DATA` or `@=DATA` (the default value), blanks allowed around
 *    `=`; in names and strings `\x` stands for x (`\\`, `\"`), Wine's `\n`
 *    and `\r` are kept as written;
 *  - DATA is `"string"`, `dword:` and 1 to 8 hex digits, `hex:` or
 *    `hex(N):` and comma-separated bytes (which may continue on the next
 *    lines after a trailing `\`), or `-` (delete the value); blanks and a
 *    `;` comment may follow it. Type tags are case-sensitive.
 * Anything else is an error "file:line:col: ..." saying what was expected
 * (lines and columns as an editor shows them, also in UTF-16 files). A
 * UTF-8 byte order mark is an error too: Windows rejects such a file.
 *
 * Types are reported, never coerced: a client that needs a DWORD and finds
 * `"PingInterval"="60"` sees SS_REG_SZ and must treat the value as absent
 * (that is what PuTTY and WinSCP do) and say so.
 *
 * Editing goes through the text layer's edit list (include/sshsync/edit.h):
 * the functions below only add edits; ss_edits_render_file gives the new
 * bytes in the file's own encoding. */
#ifndef SSHSYNC_REGFILE_H
#define SSHSYNC_REGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "sshsync/buf.h"
#include "sshsync/diag.h"
#include "sshsync/edit.h"
#include "sshsync/regplan.h"
#include "sshsync/text.h"

/* "No such block" for functions that return a block index. */
#define SS_REGFILE_NONE ((size_t)-1)

typedef enum ss_regversion {
	SS_REG_V5, /* Windows Registry Editor Version 5.00 */
	SS_REG_V4  /* REGEDIT4 */
} ss_regversion;

typedef enum ss_regtype {
	SS_REG_SZ,    /* "string" (REG_SZ) */
	SS_REG_DWORD, /* dword:hhhhhhhh (REG_DWORD) */
	SS_REG_HEX,   /* hex:bb,... (REG_BINARY) */
	SS_REG_HEXN,  /* hex(N):bb,... (type N: 2 expand string, 7 multi-string, b qword...) */
	SS_REG_DELETE /* "name"=- */
} ss_regtype;

/* One `[KEY]` or `[-KEY]` line and the lines up to the next one. Line
 * numbers are 0-based indexes into text->lines. */
typedef struct ss_regblock {
	const char *path; /* points into text->data: the name between [ and ] (no '-') */
	size_t path_len;
	int deleted;		/* [-KEY] */
	size_t line;		/* the [KEY] line */
	size_t end_line;	/* exclusive: the next key line, or text->nlines */
	size_t last_value_line; /* last line of the last value (== line when it has none) */
	size_t next_same;	/* next block with the same path (any case), or SS_REGFILE_NONE */
} ss_regblock;

/* One value, located. Offsets are into text->data. */
typedef struct ss_regvalue {
	size_t line;	   /* its first line */
	size_t nlines;	   /* 1 + continuation lines */
	int is_default;	   /* @= */
	size_t name_start; /* the escaped name between the quotes (empty for @) */
	size_t name_end;
	size_t data_start; /* the value text after '=' and blanks: `dword:0000003c`, */
	size_t data_end;   /* `"text"`, `hex(2):41,00,\ ... 00` (exclusive; no comment) */
	ss_regtype type;
	unsigned long hextype; /* N of hex(N):, 3 for hex: */
	uint32_t dword;	       /* the number, when type == SS_REG_DWORD */
} ss_regvalue;

typedef struct ss_regfile {
	const ss_text *text; /* not owned; must outlive the regfile */
	ss_regversion version;
	size_t header_line;
	ss_regblock *blocks; /* in file order */
	size_t nblocks;
	size_t bcap;
	size_t *table; /* hash of distinct paths -> first block; internal */
	size_t tsize;
} ss_regfile;

#define SS_REGFILE_INIT                                                                            \
	{                                                                                          \
		NULL, SS_REG_V5, 0, NULL, 0, 0, NULL, 0                                            \
	}

/* Indexes a .reg text and checks every line. On error fills `d` with
 * file:line:col and what was expected, and leaves rf empty. */
int ss_regfile_parse(ss_regfile *rf, const ss_text *t, ss_diag *d);
/* The same for one piece of a file read piece by piece (a text whose
 * first_line says where it lies): the `first` piece with the header,
 * the others from a [KEY] line after a blank line on, where no value of
 * the piece before can go on. Lines are checked as ss_regfile_parse
 * checks them; the blocks' next_same link the piece's blocks only. */
int ss_regfile_parse_piece(ss_regfile *rf, const ss_text *t, int first, ss_diag *d);
void ss_regfile_free(ss_regfile *rf);

/* The first block whose path equals `path` (case-insensitively), or
 * SS_REGFILE_NONE. Further blocks of the same key follow through
 * blocks[i].next_same, in file order. Constant time on average. */
size_t ss_regfile_find_key(const ss_regfile *rf, const char *path, size_t len);

/* Iterates over the values of block `b` in file order: set *cursor = 0,
 * then call until it returns 0. Returns 1 with *v filled per value. */
int ss_regfile_next_value(const ss_regfile *rf, size_t b, size_t *cursor, ss_regvalue *v);

/* The same walk, locating only each value's name (line, is_default,
 * name_start, name_end; nlines is 1 and the rest is unset): what a caller
 * looking for a few names needs. A value's data lines never start with
 * '"' or '@', so skipping them unread finds the same values. Complete a
 * value whose name is wanted with ss_regfile_value_data. */
int ss_regfile_next_name(const ss_regfile *rf, size_t b, size_t *cursor, ss_regvalue *v);
/* Fills the data fields of a value located by ss_regfile_next_name, as
 * ss_regfile_next_value gives them. */
void ss_regfile_value_data(const ss_regfile *rf, ss_regvalue *v);

/* For each i, the last value of block `b` named names[i] (as
 * ss_regfile_value_name_is compares; NULL or "" is @): found[i] = 1 and
 * out[i] as ss_regfile_next_value gives it, or found[i] = 0 (out[i]
 * untouched). One walk of the block that passes by, unread, every line
 * whose name starts with another byte than the names asked for: a client
 * asks for three of the 140 values of an exported PuTTY session. */
void ss_regfile_block_values(const ss_regfile *rf, size_t b, const char *const *names, size_t n,
			     ss_regvalue *out, unsigned char *found);

/* The values of block `b` named `name` (as ss_regfile_value_name_is
 * compares), each filled as ss_regfile_next_value gives it, in file
 * order: set *cursor = 0, then call until it returns 0. Lines whose name
 * starts with another byte are passed by unread. */
int ss_regfile_next_named(const ss_regfile *rf, size_t b, size_t *cursor, const char *name,
			  ss_regvalue *v);

/* The last value named `name` (case-insensitively, after unescaping; ""
 * or NULL means @) in block `b`: 1 found, 0 not. A later line of the same
 * name wins on import, so the last one is what the registry gets. */
int ss_regfile_find_value(const ss_regfile *rf, size_t b, const char *name, ss_regvalue *v);

/* What importing the whole file leaves in `path`\`name`: walks every
 * block of the key in order (a [-KEY] block forgets what came before) and
 * returns 1 with the last line that set it (never SS_REG_DELETE), 0 when
 * the file leaves it unset or deleted. Deletions of a parent key are not
 * considered. */
int ss_regfile_lookup(const ss_regfile *rf, const char *path, const char *name, ss_regvalue *v);

/* 1 when the value's unescaped name equals `name` case-insensitively
 * (NULL or "" matches @). No allocation. */
int ss_regfile_value_name_is(const ss_regfile *rf, const ss_regvalue *v, const char *name);
/* Appends the unescaped name ("" for @). */
int ss_regfile_value_name(const ss_regfile *rf, const ss_regvalue *v, ss_buf *out);
/* Appends the unescaped text of a SS_REG_SZ value (-1 for other types). */
int ss_regfile_value_string(const ss_regfile *rf, const ss_regvalue *v, ss_buf *out);
/* "string", "dword", "hex", "hex(N)" or "deletion", for messages. */
const char *ss_regtype_name(ss_regtype t);

/* --- edits (only ever added to `e`; nothing is written here) --- */

/* Replaces the value text of `v`, whatever its type (continuation lines
 * included), by `dword:%08x`. The name, blanks and comment stay. */
int ss_regfile_set_dword(const ss_regfile *rf, ss_edits *e, const ss_regvalue *v, uint32_t value);
/* The same with a "string" (escaped as regedit does). */
int ss_regfile_set_string(const ss_regfile *rf, ss_edits *e, const ss_regvalue *v,
			  const char *value);
/* Inserts `"name"=dword:%08x` inside block `b`: right after the line of its
 * last value (or after the [KEY] line when it has none), with the line
 * ending of that line (the file's most common one at the end of a file
 * without a final newline, which stays without one). Inserts into one
 * block keep the order of the calls. */
int ss_regfile_insert_dword(const ss_regfile *rf, ss_edits *e, size_t b, const char *name,
			    uint32_t value);
int ss_regfile_insert_string(const ss_regfile *rf, ss_edits *e, size_t b, const char *name,
			     const char *value);
/* Deletes the value's lines (continuations included) with their endings. */
int ss_regfile_delete_value(const ss_regfile *rf, ss_edits *e, const ss_regvalue *v);
/* Appends a new block for plan key `k` (its [KEY] line and its values) at
 * the end of the file, after a blank line, in the file's line ending
 * (`follows_key`: another key appended by the same plan precedes it). */
int ss_regfile_append_key(const ss_regfile *rf, ss_edits *e, const ss_regkey *k, int follows_key,
			  ss_diag *d);

/* --- writing new files --- */

/* One value line as regedit writes it, without a line ending:
 * `"name"=dword:0000003c`, `"name"="a \"b\""`, `"name"=-`, `@=...` for the
 * name "". Fails on a name or string holding CR or LF (no .reg line could
 * carry it) and, for SS_REG_V4, on non-ASCII text (REGEDIT4 is ANSI). */
int ss_reg_format_value(ss_buf *out, const ss_regval *v, ss_regversion ver, ss_diag *d);

/* A whole merge file for `p`, exactly as regedit writes one: the header, a
 * blank line, then per key `[path]`, its values and a blank line, CRLF
 * everywhere. SS_REG_V5 is UTF-16LE with the FF FE byte order mark;
 * SS_REG_V4 is ANSI (ASCII only, see above). Key paths must start with a
 * root name and hold no control character: whatever they hold is escaped
 * by the client before (PuTTY's %XX), and a path that could read as
 * anything but one key is refused. */
int ss_regplan_render(const ss_regplan *p, ss_regversion ver, ss_buf *out, ss_diag *d);

/* The same file made piece by piece into a sink, never held whole: begin
 * (the header), keys (each call the keys a plan holds then: a plan can be
 * rendered as it is made, see ss_regplan_settle), end (what is left).
 * Each fails as ss_regplan_render does, or with `d` unset when a put
 * failed; free in any case after begin. */
typedef struct ss_regstream {
	ss_regversion ver;
	ss_text enc;	/* an empty text of the file's encoding */
	ss_chunker out; /* the encoded bytes on their way */
	ss_buf piece;	/* the text being encoded */
} ss_regstream;
int ss_regstream_begin(ss_regstream *s, ss_regversion ver, const ss_sink *out, ss_diag *d);
int ss_regstream_keys(ss_regstream *s, const ss_regplan *p, ss_diag *d);
int ss_regstream_end(ss_regstream *s, ss_diag *d);
void ss_regstream_free(ss_regstream *s);

#endif
