/* Session files: one file per saved session, as PuTTY on Unix and KiTTY in
 * portable mode keep them.
 *
 * PuTTY (unix/storage.c): `key=value` lines, LF. The key is everything
 * before the first '=' (compared exactly, case-sensitively), the value
 * everything after it up to the first CR or LF; lines without '=' are
 * ignored; the FIRST line of a key wins; integers are read with atoi.
 * File names escape every byte but `A-Z a-z 0-9 + - . @ _` as `%XX` with
 * uppercase hex ("Default Settings" is `Default%20Settings`).
 *
 * KiTTY (kitty_store.c SettingsLoad, portable mode): `Name\Value\` lines.
 * Each line loses its trailing CRs and LF; a line whose content so far does
 * not end with '\' is joined to the next one with nothing between (so a
 * blank line adds nothing, and "A\5", "", "B\x\" is ONE record: A is
 * "5B\x"); the end of the file ends the last record as if it had its '\'.
 * The name runs to the first '\' of the record, the value from there to
 * the record's last character (a closing '\'): "Name\" alone has an empty
 * value. The value is escaped like a Windows PuTTY session name plus
 * `: / " < > |`; records with an empty name are ignored; the LAST record of
 * a name wins. A NUL byte ends a line's content and joins it to the next
 * line. Session files may sit in sub-folders of the Sessions folder.
 *
 * Both readers take anything, so parsing never fails; what the client would
 * misread (a number that is not plain decimal) is for the client to flag.
 * Like every store, this one only locates items and asks the edit list for
 * changes: an unchanged file renders back byte for byte. */
#ifndef SSHSYNC_SESSDIR_H
#define SSHSYNC_SESSDIR_H

#include <stddef.h>
#include <stdint.h>

#include "sshsync/buf.h"
#include "sshsync/diag.h"
#include "sshsync/edit.h"
#include "sshsync/text.h"

typedef enum ss_sessfmt {
	SS_SESS_PUTTY, /* key=value, first wins */
	SS_SESS_KITTY  /* Name\Value\, last wins */
} ss_sessfmt;

/* One setting line (or KiTTY record). Offsets and line numbers in 32 bits
 * (a text is at most SS_TEXT_MAX bytes): a folder of thousands of session
 * files keeps an entry for every line of each. */
typedef struct ss_sessentry {
	uint32_t line;	 /* 0-based first line */
	uint32_t nlines; /* 1, or more for a KiTTY record that continues */
	/* Into the file's content as the client reads it (sf->data): */
	uint32_t key_start, key_end;
	uint32_t val_start, val_end; /* raw value: escaped for KiTTY */
	/* Into text->data: the bytes a new value replaces. */
	uint32_t edit_start, edit_end;
	unsigned char split;	 /* KiTTY: the value continues on other lines; not edited */
	unsigned char bare;	 /* KiTTY: no '\\' at all ("Name" at the end): add one first */
	unsigned char add_close; /* KiTTY: "Name\\" (one '\\' for both): close after the value */
} ss_sessentry;

typedef struct ss_sessfile {
	const ss_text *text; /* not owned */
	ss_sessfmt fmt;
	ss_sessentry *v; /* in file order */
	size_t n;
	size_t cap;
	const char *data; /* text->data for PuTTY, `joined` for KiTTY */
	ss_buf joined;	  /* KiTTY: every record's lines as one string */
	size_t open_end;  /* KiTTY: where the last record lacks its closing '\\', or SIZE_MAX */
} ss_sessfile;

int ss_sessfile_parse(ss_sessfile *sf, const ss_text *t, ss_sessfmt fmt, ss_diag *d);
void ss_sessfile_free(ss_sessfile *sf);

/* Where a text cannot be a session file of this format although the
 * reader takes it: the offset of a NUL byte, or of a line (a KiTTY record)
 * that is not `Key=value` (`Key\Value\`) with a plain key of letters,
 * digits and '_' as PuTTY and KiTTY write them; NULL when there is none,
 * else a phrase saying what was expected. It tells a session folder from a
 * folder of other files (ssh_config snippets). */
const char *ss_sessfile_misfit(const char *data, size_t len, ss_sessfmt fmt, size_t *offset);

/* The entry the client reads for `key` (first for PuTTY, last for KiTTY),
 * or NULL when the file has none. */
const ss_sessentry *ss_sessfile_get(const ss_sessfile *sf, const char *key);
/* Appends the value as the client reads it (unescaped for KiTTY). */
int ss_sessfile_value(const ss_sessfile *sf, const ss_sessentry *e, ss_buf *out);

/* Replaces the value of entry `e` by `value` (escaped for KiTTY). Refuses
 * (file:line:col) a KiTTY value that runs over several lines and a value
 * that the format cannot hold. */
int ss_sessfile_set(const ss_sessfile *sf, ss_edits *ed, const ss_sessentry *e, const char *value,
		    ss_diag *d);
/* Appends a `key=value` (or `key\value\`) line at the end of the file; a
 * file without a final newline keeps ending without one, and a last KiTTY
 * record without its closing '\\' gets it first. */
int ss_sessfile_append(const ss_sessfile *sf, ss_edits *ed, const char *key, const char *value,
		       ss_diag *d);

/* Session names and file names. PuTTY on Unix: every byte but
 * `A-Z a-z 0-9 + - . @ _` becomes %XX. KiTTY: as Windows PuTTY names plus
 * `: / " < > |` (see ss_putty_escape_name in putty.h). The empty name is
 * "Default Settings" for both. */
int ss_sessname_to_file(const char *name, ss_sessfmt fmt, ss_buf *out);
/* PuTTY's and KiTTY's unescape: `%XY` becomes one byte computed as they
 * do (only uppercase hex digits give the intended byte). */
int ss_sessname_from_file(const char *file, size_t len, ss_buf *out);

/* The session files of a directory, as paths relative to it, sorted
 * (bytewise): regular files only, no dot files; for KiTTY also those in
 * sub-folders ("folder/name"). */
int ss_sessdir_list(const char *dir, ss_sessfmt fmt, ss_strlist *out, ss_diag *d);

#endif
