/* A client's scopes made on two threads: a second thread makes the scopes
 * of a store's items (sites, sessions) a chunk at a time, in order, while
 * the caller's thread hands them on to the sink (the report), and makes
 * chunks too while it has none to hand on, where the items can be read on
 * two threads at once. A 100,000-site audit's reading and its report then
 * share the machine's two processors. */
#ifndef SSHSYNC_SCOPE_PIPE_H
#define SSHSYNC_SCOPE_PIPE_H

#include <stddef.h>

#include "sshsync/diag.h"
#include "sshsync/scope.h"

typedef struct ss_scope_maker {
	void *ctx;
	/* Bytes of a thread's own state for make (a site's buffers), zeroed
	 * before its first item; 0 for none. */
	size_t state_size;
	/* The scopes of item i added to `out`; -1 with `d` set on failure
	 * (what it added then is dropped). */
	int (*make)(void *ctx, void *state, size_t i, ss_scopes *out, ss_diag *d);
	/* Frees what make kept in a state (NULL: nothing). */
	void (*state_free)(void *ctx, void *state);
	/* make may run on two threads at once. Else it is called for items
	 * 0, 1, ..., n - 1 in that order, one call at a time (from one thread
	 * or another): a maker may then take its items from an iterator. */
	int shared;
	/* Optional: items [0, end) are made and handed on, and make is not
	 * called for them again, so that the maker may let go of what it
	 * read for them. Called on the caller's thread, in order, while make
	 * may run for later items on another. */
	void (*done)(void *ctx, size_t end);
} ss_scope_maker;

/* Makes the scopes of items [0, n) with `m` into `out`. With `stream`
 * (out->sink set), they are handed to the sink as they are made, in item
 * order, after the scopes `out` holds already: from SS_SCOPES_PIPED_MIN
 * items on, on two threads (ss_scopes_piped) when a thread can be had.
 * Without, they stay in `out`. An item that fails ends it after the
 * scopes before it, with its error. */
int ss_scopes_make(const ss_scope_maker *m, size_t n, int stream, ss_scopes *out, ss_diag *d);

/* The two threads of ss_scopes_make: the scopes of items [0, n) made
 * with `m` and handed to out->sink (which must be set; out holds no
 * scope) in item order. A sink that takes parts takes each chunk's
 * scopes into a part on the thread that made them, and the caller's
 * thread merges the parts in order. At an item that fails, the scopes
 * before it go to the sink as they would have, then its error. 1 when no
 * thread could be had: nothing was done. */
/* Fewer items are made on the caller's thread alone: a thread costs some
 * 50 microseconds, and the items are handed on in chunks of this many. */
#define SS_SCOPES_PIPED_MIN 256
int ss_scopes_piped(const ss_scope_maker *m, size_t n, ss_scopes *out, ss_diag *d);

#endif
