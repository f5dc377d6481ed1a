/* Helpers for cmocka tests: real files in a fresh temporary directory. */
#ifndef SSHSYNC_TESTUTIL_H
#define SSHSYNC_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sshsync/buf.h"
#include "sshsync/edit.h"
#include "sshsync/scope.h"
#include "sshsync/storage.h"

/* A new empty directory under $TMPDIR; the caller frees the name. */
char *tu_tempdir(void);
/* Removes a directory tree made by tu_tempdir. */
void tu_rmtree(const char *dir);
/* "dir/name", newly allocated. */
char *tu_path(const char *dir, const char *name);
void tu_write(const char *path, const void *data, size_t len);
void tu_write_str(const char *path, const char *s);
/* The whole file; the caller releases the buffer. */
ss_buf tu_read(const char *path);
/* $SSHSYNC_CORPUS/SUB: fixtures/corpus/SUB, or the shared corpus in a
 * [shared] test (tests/CMakeLists.txt). Fails the test when it is absent. */
char *tu_corpus_dir(const char *sub);
/* The names in a directory, sorted, without dot files. */
ss_strlist tu_list_dir(const char *dir);

/* The next number of a tiny deterministic generator (no libc rand: the
 * same cases everywhere, run after run): the seed, stepped. */
static inline unsigned tu_lcg(unsigned *seed)
{
	return *seed = *seed * 1103515245u + 12345u;
}

/* A number below n (n > 0) from the generator's high bits: its low bits
 * repeat within a few steps. */
static inline unsigned tu_pick(unsigned *seed, unsigned n)
{
	return (tu_lcg(seed) >> 16) % n;
}

/* A sink (tu_put_piece) that keeps every piece in `all`, and counts the
 * pieces and those not SS_CHUNK_SIZE long before the last one. Start it
 * as {SS_BUF_INIT, 0, 0, 0}. */
typedef struct tu_pieces {
	ss_buf all;
	size_t n, short_ones, last;
} tu_pieces;
int tu_put_piece(void *ctx, const void *data, size_t len, ss_diag *d);

/* What tu_pieces_agree compared: refusals, sessions, values present. */
typedef struct tu_tally {
	size_t refused, sessions, values;
} tu_tally;
/* Whether `path` reads the same whole (ss_storage_open) and piece by
 * piece for the n `names` (ss_storage_open_asked, in these pieces): the
 * same sessions (raw name, name, file, names_once) and values (owned, and
 * as views with where and shown), or the same error at the same place.
 * What differs is printed; `t` (may be NULL) counts what was read. */
int tu_pieces_agree(const char *path, const ss_storage_root *root, const char *const *names,
		    size_t n, const ss_storage_pieces *pieces, tu_tally *t);
/* A store of one session opened with ss_storage_open_asked for the n
 * `names`: its `name` (one of them) is the number `want`, and reading
 * `other` (not asked for) fails. */
void tu_asked_refuses_other(const char *path, const ss_storage_root *root, const char *const *names,
			    size_t n, const char *name, long long want, const char *other);
/* A scope as the streaming tests compare them, a line appended to b:
 * every field a report shows. */
void tu_scope_line(const ss_scope *sc, ss_buf *b);
/* A sink (tu_collect, its ctx a tu_collected) that writes each scope down
 * with tu_scope_line, judged by `p` first when it is not NULL (as kept
 * scopes are), and fails at scope `fail_at` (from 1; 0: never). */
typedef struct tu_collected {
	const ss_policy *p;
	ss_buf lines;
	size_t n, fail_at;
} tu_collected;
int tu_collect(void *ctx, ss_scope *sc, ss_diag *d);
#endif
