/* The OpenSSH configuration lexer (ssh_config and sshd_config), as located
 * items: one item per line of an ss_text, with the byte spans of the keyword,
 * of every argument, of a trailing comment, and the unquoted values.
 *
 * It splits lines exactly as OpenSSH 9.2p1 does (readconf.c
 * process_config_line_depth, servconf.c process_server_config_line_depth,
 * misc.c strdelim and argv_split):
 *
 *  - Trailing " \t\r\n\f" are stripped first, but never the line's first
 *    byte (so a line of only "\f" is a keyword "\f" with no argument).
 *  - The keyword is taken with strdelim: it ends at " \t\r\n", '"' or '=';
 *    a '"' inside it starts a quoted part that runs to the next '"' (the
 *    quotes are removed); a keyword whose quote is never closed makes ssh
 *    ignore the whole line (SS_SSHCONF_IGNORED). One '=' (with blanks
 *    around it) may separate keyword and value. Leading blanks and one
 *    leading '=' are skipped. A keyword that starts with '#' is a comment
 *    line. Keywords are compared lowercased.
 *  - A keyword with nothing after it is an error ("no argument after
 *    keyword").
 *  - The rest is split with argv_split: tokens are separated by ' ' and
 *    '\t' only (a CR or form feed inside a line is part of a token); '"'
 *    and '\'' quote (they can open and close in the middle of a token);
 *    backslash escapes \\ \" \' and, outside quotes, "\ " (any other
 *    backslash is kept); '#' at the start of a token ends the line; an
 *    unclosed quote is an error ("invalid quotes").
 *  - "Keyword==value" is not a lexing error for OpenSSH: the value is
 *    "=value", which a number, time or yes/no keyword then rejects. Callers
 *    that validate values should say so (see ss_sshconf_value_hint).
 *
 * Differences between client and server handled here: none in how tokens
 * are split (sshd strips leading " \t\r" when it loads the file, which
 * strdelim skips anyway). Both modes refuse a NUL byte: ssh truncates the
 * line there and sshd even joins it with the next line, so a file with NUL
 * bytes is not one sshsync can edit faithfully.
 *
 * What the lexer does not know: which keywords exist, what their values
 * mean, Host/Match/Include. That is the client layer (client/openssh for
 * ssh_config, client/sshd for sshd_config). */
#ifndef SSHSYNC_SSHCONF_H
#define SSHSYNC_SSHCONF_H

#include <stddef.h>
#include <stdint.h>

#include "sshsync/arena.h"
#include "sshsync/buf.h"
#include "sshsync/diag.h"
#include "sshsync/text.h"

/* No such offset (no comment, no '='). Offsets are 32 bits in the items
 * (a text is at most SS_TEXT_MAX bytes), so NONE is the largest of them;
 * compared with size_t or uint32_t alike. */
#define SS_SSHCONF_NONE ((size_t)UINT32_MAX)

typedef enum ss_sshconf_mode {
	SS_SSHCONF_CLIENT, /* ssh_config, readconf.c */
	SS_SSHCONF_SERVER  /* sshd_config, servconf.c */
} ss_sshconf_mode;

typedef enum ss_sshconf_kind {
	SS_SSHCONF_BLANK,    /* nothing but blanks */
	SS_SSHCONF_COMMENT,  /* the keyword starts with '#' */
	SS_SSHCONF_IGNORED,  /* OpenSSH silently skips it: unclosed quote in the keyword */
	SS_SSHCONF_DIRECTIVE /* keyword and at least a rest of line */
} ss_sshconf_kind;

/* One argument: raw bytes [start, end) of the text's data, quotes and
 * backslashes included, and the value argv_split gives for it. Offsets
 * and lengths are 32 bits (a text is at most SS_TEXT_MAX bytes): a fleet's
 * config has hundreds of thousands of items and arguments. */
typedef struct ss_sshconf_arg {
	char *value;
	uint32_t start;
	uint32_t end;
	uint32_t value_len; /* values never hold NUL, so strlen(value) too */
} ss_sshconf_arg;

typedef struct ss_sshconf_item {
	char *keyword; /* unquoted and lowercased; NULL for BLANK/IGNORED */
	ss_sshconf_arg *args;
	uint32_t nargs;
	uint32_t line; /* 0-based index into text->lines */
	ss_sshconf_kind kind;
	uint32_t kw_start; /* raw keyword bytes [kw_start, kw_end); for a */
	uint32_t kw_end;   /* comment line the '#' token */
	uint32_t equals;   /* offset of the '=' after the keyword, or SS_SSHCONF_NONE */
	uint32_t rest;	   /* where the arguments begin (argv_split's input) */
	uint32_t comment;  /* offset of a '#' that ends the arguments, or NONE */
	uint32_t end;	   /* end of the content after trailing blanks are stripped */
} ss_sshconf_item;

typedef struct ss_sshconf {
	const ss_text *text; /* not owned; must outlive the items */
	ss_sshconf_mode mode;
	ss_sshconf_item *items; /* exactly text->nlines items, one per line */
	size_t nitems;
	ss_arena arena; /* the items' keywords, arguments and values */
} ss_sshconf;

#define SS_SSHCONF_INIT                                                                            \
	{                                                                                          \
		NULL, SS_SSHCONF_CLIENT, NULL, 0, SS_ARENA_INIT                                    \
	}

/* Lexes every line of `t` (the items' strings live in `c->arena`: free
 * them only with ss_sshconf_free). On the first line OpenSSH rejects whatever the
 * keyword ("invalid quotes", "no argument after keyword") it returns -1
 * with file:line:col and what was expected; `c` is then freed. */
int ss_sshconf_parse(ss_sshconf *c, const ss_text *t, ss_sshconf_mode mode, ss_diag *d);
void ss_sshconf_free(ss_sshconf *c);

/* Lexes one line [start, end) of `t` (without its ending) into `it`. The
 * building block of ss_sshconf_parse; `it->line` is left to the caller. */
int ss_sshconf_lex_line(const ss_text *t, size_t start, size_t end, ss_sshconf_mode mode,
			ss_sshconf_item *it, ss_diag *d);
void ss_sshconf_item_free(ss_sshconf_item *it);

/* Lexes lines one at a time without keeping them: a reader that needs only
 * a few facts of each line (the ssh client's audit) holds no item per line.
 * The strings of `it` live in the lexer until its next line. */
typedef struct ss_sshconf_lexer {
	ss_arena arena; /* the line's strings, emptied for each line */
	ss_sshconf_arg *args;
	size_t cap;
	ss_buf value, kw; /* scratch, reused from line to line */
} ss_sshconf_lexer;

#define SS_SSHCONF_LEXER_INIT                                                                      \
	{                                                                                          \
		SS_ARENA_INIT, NULL, 0, SS_BUF_INIT, SS_BUF_INIT                                   \
	}

/* Line `line` of `t` as ss_sshconf_parse would lex it (same item, same
 * errors); -1 with the error set. */
int ss_sshconf_lexer_line(ss_sshconf_lexer *lx, const ss_text *t, size_t line, ss_sshconf_item *it,
			  ss_diag *d);
/* The same for line `line` found by the caller at data[start, end) (its
 * ending excluded): a text without its line table can be lexed so. */
int ss_sshconf_lexer_span(ss_sshconf_lexer *lx, const ss_text *t, size_t line, size_t start,
			  size_t end, ss_sshconf_item *it, ss_diag *d);
/* The same, but the strings of the lines lexed before stay in the lexer's
 * arena (until ss_arena_reset(&lx->arena)): lines lexed in a batch. */
int ss_sshconf_lexer_span_more(ss_sshconf_lexer *lx, const ss_text *t, size_t line, size_t start,
			       size_t end, ss_sshconf_item *it, ss_diag *d);
/* The line of `t` at *pos, found without its line table: [*start, *end),
 * its LF and a CR before it excluded (the line table's line); *pos moves
 * to the next. 0 after the last. */
int ss_sshconf_next_line(const ss_text *t, size_t *pos, size_t *start, size_t *end);
void ss_sshconf_lexer_free(ss_sshconf_lexer *lx);

/* One strdelim() step over data[*pos, end), for Match criteria, which
 * OpenSSH splits with strdelim (blanks, '"' quotes and one '=') rather
 * than argv_split. `*pos == SS_SSHCONF_NONE` is strdelim's NULL string.
 * Returns 1 and a token (its value allocated: the caller frees it), 0 where
 * strdelim returns NULL (NULL string or an unclosed '"'), -1 when memory
 * runs out. */
typedef struct ss_sshconf_token {
	size_t start, end; /* raw bytes */
	char *value;
} ss_sshconf_token;

int ss_sshconf_strdelim(const char *data, size_t *pos, size_t end, ss_sshconf_token *tok);

/* 1 when the item's keyword equals `kw` (lowercase ASCII). */
int ss_sshconf_is(const ss_sshconf_item *it, const char *kw);

/* Appends `value` written as one token that argv_split reads back as
 * exactly `value`: bare when it can be, else in double quotes with \" and
 * \\ escaped. Values with '#' at the start, blanks or quotes get quoted. */
int ss_sshconf_quote(const char *value, ss_buf *out);

/* Whether a line of head[0..len) starts, after blanks, with one of the
 * NULL-ended lowercase `words` in any case; with `separated`, followed by
 * a blank or '=' as a keyword is. What the ssh and sshd sniffers look for
 * in the 64 KiB of a file read before it: each line is compared only with
 * the words of its first letter. */
int ss_sshconf_head_has_word(const char *head, size_t len, const char *const *words, int separated);

/* A hint for a value that a number/time/yes-no keyword rejects: when the
 * value starts with '=' it was written "Keyword==value" and the hint says
 * only one '=' may stand between keyword and value; otherwise "". */
const char *ss_sshconf_value_hint(const char *value);

#endif
