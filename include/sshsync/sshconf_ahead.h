/* The lines of an OpenSSH configuration lexed ahead by a second thread,
 * while the caller walks the lines before them: lexing is a third of
 * loading a fleet's config, and the walk (Host blocks, Include, first
 * value wins) must go in order on one thread. The items are those that
 * ss_sshconf_lexer_span gives, in order, a few batches ahead at most. */
#ifndef SSHSYNC_SSHCONF_AHEAD_H
#define SSHSYNC_SSHCONF_AHEAD_H

#include "sshsync/diag.h"
#include "sshsync/sshconf.h"
#include "sshsync/text.h"

typedef struct ss_sshconf_ahead ss_sshconf_ahead;

/* Starts lexing `t` from its first line. Its bytes (and path) must stay
 * as they are until the end; `t` itself is copied, and may move. NULL
 * when no thread or memory could be had: lex on this thread. */
ss_sshconf_ahead *ss_sshconf_ahead_begin(const ss_text *t);
/* The next line's item (it->line its 0-based index), valid until the next
 * call: 1; 0 after the last line; -1 when that line does not lex, with
 * the error ss_sshconf_lexer_span gives in `d`. Not called again after 0
 * or -1. */
int ss_sshconf_ahead_next(ss_sshconf_ahead *a, const ss_sshconf_item **it, ss_diag *d);
/* Stops the thread (wherever it is) and frees; NULL is nothing. */
void ss_sshconf_ahead_end(ss_sshconf_ahead *a);

#endif
