/* storage: one interface over the hierarchical stores (PuTTY's storage.h,
 * WinSCP's THierarchicalStorage), between the clients and the stores.
 *
 * The contract, for every backend (tests/unit/test_storage.c checks it
 * against each one):
 *  - A storage is one PATH (a file, a folder, or for the live registry a
 *    key) opened for one client's ROOT: where that client keeps its
 *    sessions in each kind of store. The backend is chosen from the path
 *    and the content among those the root can live in.
 *  - Sessions are listed once each, in store order (first key or section;
 *    session folders: file names sorted bytewise), with the RAW name as
 *    stored (key, section or file name; a .reg file without a byte order
 *    mark is read in the ANSI code page given to open) and the NAME as the
 *    client shows it (root->unescape). A session that the store deletes
 *    (a last [-KEY]) is not listed.
 *  - Reading answers what the client reads after loading the store: the
 *    value a .reg import leaves, the first key of the first INI section of
 *    that name, PuTTY's first or KiTTY's last line of a session file. Each
 *    value comes with its TYPE as stored (so "a string where a DWORD
 *    belongs" is reported, never coerced), where it is ("file:line", or
 *    the registry path) and what the client's integer read makes of it
 *    (PuTTY's read_setting_i, WinSCP's ReadInteger). Absent is absent: the
 *    caller supplies its default, as PuTTY's gppi does.
 *  - Writing only plans: set, delete and create add edits; commit hands
 *    them to the changeset given to open, which the engine renders, diffs
 *    and writes. Nothing is written here. Setting a value changes every
 *    line of it that the client could read (every block after a .reg
 *    key's last [-KEY], every INI section of the session's name) unless
 *    it already holds that value in the store's own form, and adds one
 *    (.reg: to the key's last block; INI: to the first section; session
 *    file: at its end) when there is none. Unchanged bytes stay.
 *  - Backends know nothing of SSH: which values matter, defaults and
 *    messages belong to the client.
 *
 * Every function returning int gives -1 with `d` set on failure (out of
 * memory, or what the store refuses), 0 on success; the readers' 1 means
 * found. */
#ifndef SSHSYNC_STORAGE_H
#define SSHSYNC_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "sshsync/buf.h"
#include "sshsync/changeset.h"
#include "sshsync/diag.h"

/* The session-file dialect of a root's folders. */
typedef enum ss_storage_files {
	SS_FILES_NONE,	/* the client keeps no session folders */
	SS_FILES_PUTTY, /* ~/.putty/sessions: key=value, first wins */
	SS_FILES_KITTY	/* KiTTY's portable Sessions: Name\Value\, last wins */
} ss_storage_files;

/* Where a client keeps its sessions, per kind of store. */
typedef struct ss_storage_root {
	const char *regkey;  /* the sessions key below HKEY_CURRENT_USER */
	int any_user;	     /* also HKEY_USERS\<SID>\regkey (a user hive's export) */
	const char *section; /* INI: sections "<section><raw>" (WinSCP: "Sessions\\"); NULL: none */
	ss_storage_files files;
	const char *fallback; /* the backend for a file no backend recognises ("regfile") */
	/* The name the client shows for a raw name; NULL: ss_storage_unescape. */
	int (*unescape)(const char *raw, size_t len, ss_buf *out);
} ss_storage_root;

typedef struct ss_storage ss_storage;

/* PuTTY's unescape of key and file names (%XY is one byte, computed as
 * PuTTY does: only uppercase hex gives the byte meant), which Windows and
 * Unix PuTTY and KiTTY share. */
int ss_storage_unescape(const char *raw, size_t len, ss_buf *out);

typedef struct ss_storage_session {
	char *raw;   /* as stored, UTF-8 */
	char *name;  /* as the client shows it */
	char *file;  /* the file that holds it (or will: a created session) */
	int created; /* added by ss_storage_create */
} ss_storage_session;

typedef enum ss_stype {
	SS_STYPE_DWORD,	 /* REG_DWORD */
	SS_STYPE_STRING, /* REG_SZ */
	SS_STYPE_TEXT,	 /* a line of an untyped store (INI, session file) */
	SS_STYPE_OTHER	 /* any other registry type: hex:, hex(N):, ... */
} ss_stype;

/* One value as the client reads it. */
typedef struct ss_svalue {
	int present;	/* 0: the store does not set it (every other field empty) */
	char *name;	/* as stored (unescaped; may differ in case from the one asked for) */
	ss_stype type;	/* as stored */
	uint32_t dword; /* SS_STYPE_DWORD */
	char *text;	/* SS_STYPE_STRING and _TEXT: the string read; else NULL */
	int is_int;	/* the client's integer read takes it (a DWORD; INI text
			 * ReadInteger reads; any session-file text, atoi takes all) */
	int plain;	/* ...and it is written as a plain number */
	long long ival; /* what that integer read gives, when is_int */
	char *where;	/* "file:line", or the registry path of the value */
	char *shown;	/* the line as the store writes it, for messages, data cut
			 * after 40 bytes: "PingType"=dword:00000001, PingType=1 */
	size_t order;	/* position in the store: a later value has a larger one */
} ss_svalue;

void ss_svalue_free(ss_svalue *v);

/* Opens PATH for ROOT. `codepage` is the ANSI code page of .reg files
 * without a byte order mark (NULL: Windows-1252). With `cs`, the storage
 * can plan edits for it (the store's text joins `cs` at once, owned by it
 * also on failure); without, it is read-only. */
int ss_storage_open(ss_storage **out, const char *path, const ss_storage_root *root,
		    const char *codepage, ss_changeset *cs, ss_diag *d);
/* ss_storage_open for a store that may not exist yet: a missing PATH is
 * opened as a new, empty store whose kind its name says (a name ending in
 * .reg: a registry export as regedit writes it, UTF-16LE with its byte
 * order mark, CRLF, the "Windows Registry Editor Version 5.00" header; else
 * a session folder where the root has them; else an INI file, CRLF). Its
 * files are created when the changeset is written; a folder must be made
 * by the caller before that. */
int ss_storage_open_or_create(ss_storage **out, const char *path, const ss_storage_root *root,
			      ss_changeset *cs, ss_diag *d);
/* How ss_storage_open_asked reads a store piece by piece; tests make
 * them small, so that sessions fall across pieces, halves and parts. */
typedef struct ss_storage_pieces {
	size_t piece; /* bytes of text parsed at a time, at least (0: 64 KiB) */
	size_t split; /* a file of this many bytes or more is read on two
		       * threads at once (0: 4 MiB): a .reg in two halves, a
		       * WinSCP.ini in parts */
	size_t part;  /* a WinSCP.ini's part, about (0: 1 MiB) */
} ss_storage_pieces;

struct ss_storage_asked;
/* ss_storage_open without a changeset, for reading the values that `a`
 * measured and nothing else (an audit): ss_storage_get_many and
 * ss_storage_view_asked of those names, and what lists and finds
 * sessions. A .reg file or a WinSCP.ini (but a UTF-16 one) is read piece
 * by piece, and what each session holds of those values is kept as it
 * passes: the file is never held whole (an 80 MB export took 40 MiB of
 * text so, a 100,000-site WinSCP.ini 47 MiB with its index, and the
 * fresh memory was most of their audits). Such a storage refuses to read
 * other values (-1). Other stores are opened as ss_storage_open opens
 * them. `a` and its names must outlive the storage; `pieces` may be
 * NULL. */
int ss_storage_open_asked(ss_storage **out, const char *path, const ss_storage_root *root,
			  const char *codepage, const struct ss_storage_asked *a,
			  const ss_storage_pieces *pieces, ss_diag *d);
/* Frees the storage; planned edits not committed are dropped. */
void ss_storage_close(ss_storage *st);

/* For targets named by kind, before a store is opened: why `head` (the
 * start of a file) is no store of `root` as far as its reader cannot tell
 * (with *offset where), or NULL; `session_file`: a file of a session
 * folder. */
const char *ss_storage_misfit(const ss_storage_root *root, const char *head, size_t len,
			      int session_file, size_t *offset);
/* The session files of a folder, relative to it, sorted (no store is
 * opened); -1 when the root keeps no session folders. */
int ss_storage_folder_files(const ss_storage_root *root, const char *dir, ss_strlist *out,
			    ss_diag *d);

/* "regfile", "winini", "sessdir", ... */
const char *ss_storage_backend_name(const ss_storage *st);
/* 1 when two threads may view values of this storage at once (each with
 * ss_storage_view_asked, nothing else meanwhile): a store with views that
 * will not be written, whose views point into its text or what it kept. */
int ss_storage_reads_shared(const ss_storage *st);
/* 1 when raw names are registry key names (export can use them as they
 * are); 0 when they are file names. */
int ss_storage_keyed(const ss_storage *st);
/* 1 when the whole store is the client's (a session folder, WinSCP.ini), so
 * that it exists even without sessions; 0 for a store that may hold other
 * programs' keys (a .reg export), where the client shows only through its
 * sessions. */
int ss_storage_dedicated(const ss_storage *st);

size_t ss_storage_count(const ss_storage *st);
const ss_storage_session *ss_storage_at(const ss_storage *st, size_t s);
/* The file that holds, or would hold, the session `raw` (newly allocated;
 * NULL when out of memory). */
char *ss_storage_file_of(const ss_storage *st, const char *raw);
/* The session whose raw name is `raw` as the store compares names (ASCII
 * case-insensitively for registry keys and INI sections, exactly for
 * files), or SIZE_MAX. */
size_t ss_storage_find(const ss_storage *st, const char *raw);
/* 1 when the store is known to list each raw name once, as it compares
 * names, so that ss_storage_find(st, ss_storage_at(st, s)->raw) is s: a
 * .reg whose sessions are all under one hive (the blocks of one key are
 * one session; ss_storage_create refuses a name it has). 0 when a name may
 * come twice (the same session under HKEY_CURRENT_USER and HKEY_USERS\SID)
 * or the backend does not say. */
int ss_storage_names_once(const ss_storage *st);
/* *any: whether a session other than `skip` has a raw name that starts
 * with `prefix`, as the store compares names. 0, or -1 out of memory. */
int ss_storage_has_prefix(ss_storage *st, const char *prefix, size_t skip, int *any);

/* Sessions [0, s) will not be read again (an audit reads each session
 * once, in order): a store read for an audit lets go of what it keeps of
 * them, so that a 100,000-site file's names and values make room for the
 * report. From then on nothing of those sessions may be asked for
 * (ss_storage_at, ss_storage_find, their values) until ss_storage_close.
 * It may be called while another thread reads sessions from s on; a store
 * that writes keeps everything. */
void ss_storage_release_before(ss_storage *st, size_t s);

/* The values named names[0..n) of session `s`, in one pass: out[i] is
 * filled (present or not) for each; free each with ss_svalue_free. */
int ss_storage_get_many(ss_storage *st, size_t s, const char *const *names, size_t n,
			ss_svalue *out, ss_diag *d);
/* One value: 1 present, 0 absent, -1 error. */
int ss_storage_get(ss_storage *st, size_t s, const char *name, ss_svalue *out, ss_diag *d);

/* A value as ss_storage_get_many reads it, but borrowed instead of owned:
 * its strings lie in the store's text or in the storage, and stay valid
 * until the next ss_storage_view_many on the storage or its close. A
 * large store is read this way without four allocations per value; the
 * place and the shown line are formatted only when a message needs them.
 * Every field but the private ones means what ss_svalue's does. */
typedef struct ss_sview {
	int present;
	ss_stype type;
	uint32_t dword;
	const char *text; /* SS_STYPE_STRING and _TEXT: text_len bytes, no NUL */
	size_t text_len;
	int is_int;
	int plain;
	long long ival;
	size_t order;
	/* Private to the storage: what where and shown are made of. */
	const char *name_; /* as stored */
	size_t name_len_;
	const char *data_; /* the data as the store writes it */
	size_t data_len_;
	int quoted_;		/* the name is shown in quotes */
	size_t line_;		/* 0-based line of the storage's text */
	const ss_svalue *full_; /* a backend without views: the owned value read */
} ss_sview;

/* ss_storage_get_many without allocating per value; out[i] is filled,
 * present or not, for each name; nothing to free. */
int ss_storage_view_many(ss_storage *st, size_t s, const char *const *names, size_t n,
			 ss_sview *out, ss_diag *d);
/* Names asked of one session after another, measured once: their
 * lengths, which of them have each length (modulo 16) and their first
 * bytes, so that a backend passes most of a session's values over without
 * comparing names (a 100,000-site WinSCP.ini measured seven names for
 * every site: 5 % of its audit). At most SS_STORAGE_ASKED_MAX names; the
 * names must stay as they are while it is used. */
#define SS_STORAGE_ASKED_MAX 32
typedef struct ss_storage_asked {
	const char *const *names;
	size_t n;
	size_t len[SS_STORAGE_ASKED_MAX];
	uint32_t bucket[16]; /* bit i of bucket[L % 16]: names[i] is L bytes long */
	uint64_t first[4];   /* bit c: a name starts with byte c (both cases of a letter) */
	int any_empty;	     /* a name is "" */
} ss_storage_asked;

/* -1 when n > SS_STORAGE_ASKED_MAX. */
int ss_storage_ask(ss_storage_asked *a, const char *const *names, size_t n);
/* ss_storage_view_many of the names that `a` measured. */
int ss_storage_view_asked(ss_storage *st, size_t s, const ss_storage_asked *a, ss_sview *out,
			  ss_diag *d);

/* Append to `out` what ss_svalue's `where` and `shown` hold for a present
 * view (-1: no memory). */
int ss_storage_view_where(const ss_storage *st, const ss_sview *v, ss_buf *out);
int ss_storage_view_shown(const ss_sview *v, ss_buf *out);

/* Every value the client reads from session `s`, each name once, in store
 * order: zero the cursor, then call until it returns 0 (1: *out filled,
 * to be freed; -1 error). */
typedef struct ss_storage_cursor {
	size_t a, b;
} ss_storage_cursor;
int ss_storage_next(ss_storage *st, size_t s, ss_storage_cursor *c, ss_svalue *out, ss_diag *d);

/* Planned edits (nothing is written until the engine writes). Each value
 * of a session is set or deleted at most once before commit. */
int ss_storage_set_dword(ss_storage *st, size_t s, const char *name, uint32_t value, ss_diag *d);
int ss_storage_set_string(ss_storage *st, size_t s, const char *name, const char *value,
			  ss_diag *d);
/* Removes every line of the value that the client could read (a .reg
 * line `"name"=-` already deletes, and stays). */
int ss_storage_delete(ss_storage *st, size_t s, const char *name, ss_diag *d);
/* A new session with this raw name (Default Settings is "Default%20Settings"),
 * listed after the others; it is written, with what is set on it, at
 * commit (until then it reads as empty). *index receives its number;
 * a name the store already has is refused. */
int ss_storage_create(ss_storage *st, const char *raw, size_t *index, ss_diag *d);
/* Hands every planned edit to the changeset given to open (once: later
 * edits are refused). Files of a folder join the changeset only when
 * they change. */
int ss_storage_commit(ss_storage *st, ss_diag *d);
/* The caller sets, deletes and reads nothing more of session `s`, nor of
 * any session created before it: a backend may turn what is planned for
 * those it created into edits now rather than hold it to commit (a new
 * .reg's keys become their text one by one). The edits are those commit
 * would make. */
int ss_storage_seal(ss_storage *st, size_t s, ss_diag *d);

/* Planning on a second thread: a part of a writable storage reads its
 * sessions and sets and deletes their values as the storage would, on
 * another thread than the storage's own, each thread touching different
 * sessions. Its edits are kept apart until the join adds them after the
 * storage's own, as if planned there at that point. While a part lives,
 * the storage creates no session, commits nothing and is not closed; a
 * part creates, commits, finds and lists nothing. ss_storage_part: 0 with
 * *part set, 1 (*part NULL) when the backend plans on one thread only,
 * -1 on error. The join frees the part (its edits lost on -1), as
 * ss_storage_part_free does without taking them. */
int ss_storage_part(ss_storage *st, ss_storage **part, ss_diag *d);
int ss_storage_part_join(ss_storage *st, ss_storage *part, ss_diag *d);
void ss_storage_part_free(ss_storage *part);

#endif
