/* WinSCP's INI dialect (Delphi TMemIniFile), read losslessly.
 *
 * Lines are split as TStringList.SetTextStr splits them: at CR LF, at LF
 * and at a CR alone ("a=1\rb=2" is two keys for WinSCP).
 *
 * What TMemIniFile does, and so what this reader does: every line is
 * trimmed of characters <= ' '; an empty line or one starting with ';' is a
 * comment; "[name]" opens a section (its name trimmed); any other line is
 * "key=value" split at the FIRST '=', key and value trimmed. There are no
 * inline comments, no quoting, no escapes, no continuation lines and no
 * line-length limit; bytes of any code page pass through. Section and key
 * names compare case-insensitively (ASCII) and the first duplicate wins.
 * Lines before the first section are ignored by WinSCP and kept here.
 *
 * Why not iniparser (Debian's 4.1, used for the policy file): it cuts lines
 * at 1,024 bytes and fails to load 9 of 13 real WinSCP.ini files, treats ';'
 * and '#' after a value as a comment, strips quotes and lowercases section
 * names. None of that is what WinSCP reads, and it cannot write back.
 *
 * The reader records byte spans into the text's decoded data; edits go
 * through the text layer's edit list, so unchanged bytes stay as they are. */
#ifndef SSHSYNC_WININI_H
#define SSHSYNC_WININI_H

#include <stddef.h>
#include <stdint.h>

#include "sshsync/buf.h"
#include "sshsync/diag.h"
#include "sshsync/edit.h"
#include "sshsync/text.h"

/* One "key=value" line, located. Keys are not stored: they are read from
 * a section's lines when asked for, which keeps the index at a few words
 * per section (a 100,000-site file has over a million keys). */
typedef struct ss_winini_key {
	size_t line;	   /* 0-based line of the text */
	size_t name_start; /* trimmed key name */
	size_t name_len;
	size_t value_start; /* trimmed value; for an empty value, just after '=' */
	size_t value_len;
} ss_winini_key;

/* 32-bit fields (a text is at most SS_TEXT_MAX bytes, so it has fewer
 * lines and sections than that): 24 bytes a section, 2.4 MB less for a
 * 100,000-site file than with size_t. */
typedef struct ss_winini_section {
	uint32_t line;	     /* 0-based line of the "[name]" header */
	uint32_t name_start; /* trimmed name inside the brackets */
	uint32_t name_len;
	uint32_t end_line;  /* exclusive: the next header, or the number of lines */
	uint32_t last_line; /* last non-blank line of the section (the header if none) */
	uint32_t first_of;  /* index of the first section with the same name (itself if first) */
} ss_winini_section;

/* A line as TStringList sees it: [start, start + len), then its break. */
typedef struct ss_winini_line {
	size_t start, len;
	size_t end; /* after the line break */
} ss_winini_line;

typedef struct ss_winini {
	const ss_text *text; /* not owned: must outlive the index */
	ss_winini_section *sections;
	size_t nsections;
	/* Line numbers in keys and sections count these lines: the text's own
	 * (split at LF) unless the text holds a CR alone, then `lines`. */
	ss_winini_line *lines;
	size_t nlines;
} ss_winini;

#define SS_WININI_INIT                                                                             \
	{                                                                                          \
		NULL, NULL, 0, NULL, 0                                                             \
	}

/* Indexes a text. Never fails on content (TMemIniFile accepts anything);
 * -1 only when memory runs out. Linear in the size of the text. */
int ss_winini_parse(ss_winini *ini, const ss_text *t, ss_diag *d);
/* The same, with the lines from `at` on parsed by a second thread while
 * this one parses those before (0 or nlines: on this thread alone); a
 * text with a lone CR is parsed again whole. ss_winini_parse splits a
 * large text in the middle. */
int ss_winini_parse_at(ss_winini *ini, const ss_text *t, size_t at, ss_diag *d);
void ss_winini_free(ss_winini *ini);

/* Where a text cannot be a WinSCP.ini although TMemIniFile would read it:
 * the offset of a control byte (binary data), of a line before the first
 * section that is no comment, or of a line that is neither "[section]",
 * "key=value" nor a comment; NULL when there is none (with *offset
 * untouched), else a phrase saying what was found. WinSCP itself only
 * writes sections and keys, so such a file is another program's. */
const char *ss_winini_misfit(const char *data, size_t len, size_t *offset);

/* Pointers into the text for a section's or key's name and a key's value
 * (not NUL-terminated: use the lengths). Inline: a large store's reader
 * asks for them for every key it looks at. */
static inline const char *ss_winini_section_name(const ss_winini *ini, size_t section)
{
	return ini->text->data + ini->sections[section].name_start;
}

static inline const char *ss_winini_key_name(const ss_winini *ini, const ss_winini_key *k)
{
	return ini->text->data + k->name_start;
}

static inline const char *ss_winini_key_value(const ss_winini *ini, const ss_winini_key *k)
{
	return ini->text->data + k->value_start;
}
/* 1 when the key's name is `name` (case-insensitive). */
int ss_winini_key_is(const ss_winini *ini, const ss_winini_key *k, const char *name);

/* The first section named `name` (case-insensitive), or -1. Linear. */
long ss_winini_find_section(const ss_winini *ini, const char *name, size_t len);
/* Iterates over the keys of a section in file order: set *cursor = 0, then
 * call until it returns 0; returns 1 with *k filled per key. */
int ss_winini_next_key(const ss_winini *ini, size_t section, size_t *cursor, ss_winini_key *k);
/* ss_winini_next_key for the keys whose name starts with a byte c set in
 * `first` (bit c % 64 of first[c / 64]; NULL: every key). Other lines are
 * passed over on their first byte, without looking for '=': a reader that
 * wants a few names of a site skips most of its lines. */
int ss_winini_next_key_of(const ss_winini *ini, size_t section, size_t *cursor,
			  const uint64_t *first, ss_winini_key *k);
/* The key TMemIniFile reads for `name` in this section (the first one,
 * case-insensitive): 1 found, 0 not. */
int ss_winini_find_key(const ss_winini *ini, size_t section, const char *name, ss_winini_key *k);

/* --- a few keys of every section, found in one pass ---
 *
 * A reader that wants only a few keys of each section (an audit of a
 * 100,000-site file, read piece by piece) needs no index of every line:
 * the sections and the keys whose names start with a byte of a set are
 * found as the bytes go by, the other lines passed over on their first
 * byte. The result is what the index gives (ss_winini_found_of). */

/* A section's header: its trimmed name (offsets into the data), and where
 * its keys start in `keys` (they end where the next section's start). */
typedef struct ss_winini_found_section {
	uint32_t name_start, name_len;
	uint32_t first_key;
} ss_winini_found_section;

/* A key found: as ss_winini_key, with both of its line numbers. */
typedef struct ss_winini_found_key {
	uint32_t line;	/* 0-based line of the data split at LF (ss_text's) */
	uint32_t order; /* 0-based line as TStringList splits it (a CR alone too) */
	uint32_t name_start, name_len, value_start, value_len;
} ss_winini_found_key;

/* Every section of the data in order (later ones of a name too, as
 * headers only: TMemIniFile reads the first), the keys found in each, and
 * how many lines the data has both ways. Kept from one use to the next. */
typedef struct ss_winini_found {
	ss_winini_found_section *sections;
	size_t nsections, section_cap;
	ss_winini_found_key *keys;
	size_t nkeys, key_cap;
	size_t lf_lines; /* ss_text's nlines of the data */
	size_t lines;	 /* TStringList's */
} ss_winini_found;

#define SS_WININI_FOUND_INIT                                                                       \
	{                                                                                          \
		NULL, 0, 0, NULL, 0, 0, 0, 0                                                       \
	}

/* The sections of data[0, len) (at most SS_TEXT_MAX bytes, read as they
 * are: no UTF-16) and the keys of each whose name starts with a byte of
 * `first` (as ss_winini_next_key_of; NULL: every key), in file order,
 * into `f` (emptied first). A text with a CR alone, or a UTF-8 byte order
 * mark, is indexed whole (ss_winini_parse) instead: the same result,
 * slower. -1 when memory runs out. */
int ss_winini_find_keys(ss_winini_found *f, const char *data, size_t len, const uint64_t *first);
/* The same from an index (the result ss_winini_find_keys must give). */
int ss_winini_found_of(ss_winini_found *f, const ss_winini *ini, const uint64_t *first);
void ss_winini_found_free(ss_winini_found *f);

/* Edits. They only add to the edit list; the index keeps describing the
 * original text. */
/* Replaces the value's bytes (the key and everything around stay). */
int ss_winini_set_value(const ss_winini *ini, ss_edits *e, const ss_winini_key *k,
			const char *value, ss_diag *d);

/* A key and value to insert. */
typedef struct ss_winini_kv {
	const char *name;
	const char *value;
} ss_winini_kv;

/* Adds "name=value" lines after the last non-blank line of the section,
 * with the file's line ending, in the order given (one edit). */
int ss_winini_insert_keys(const ss_winini *ini, ss_edits *e, size_t section, const ss_winini_kv *kv,
			  size_t n, ss_diag *d);
/* The same in two steps, for a caller that gathers the keys one by one:
 * appends the "name=value" lines with the file's ending to `b` (-1: no
 * memory), then inserts such lines (nothing when len is 0). */
int ss_winini_kv_lines(const ss_winini *ini, ss_buf *b, const ss_winini_kv *kv, size_t n);
int ss_winini_insert_lines(const ss_winini *ini, ss_edits *e, size_t section, const char *lines,
			   size_t len, ss_diag *d);
/* Deletes the key's whole line with its ending. */
int ss_winini_delete_key(const ss_winini *ini, ss_edits *e, const ss_winini_key *k, ss_diag *d);
/* Appends a new section "[name]" with these keys at the end of the file,
 * preceded by a blank line when the file does not end with one. */
int ss_winini_append_section(const ss_winini *ini, ss_edits *e, const char *name,
			     const ss_winini_kv *kv, size_t n, ss_diag *d);

/* Reads an integer as Delphi's TCustomIniFile.ReadInteger does (StrToIntDef
 * after mapping "0x" to '$'): optional sign, decimal digits or '$'/'x'/'0x'
 * and hex digits, nothing else, within 32 bits. Returns 0 and sets *out,
 * or -1 when WinSCP would fall back to the default. */
int ss_winini_parse_int(const char *s, size_t len, long *out);

#endif
