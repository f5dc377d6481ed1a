/* Inside the sshd client: the loaded configuration, shared by sshd.c
 * (reading and evaluating), sshd_apply.c (edits and validation) and
 * sshd_client.c (audit and the client table). Not a public header. */
#ifndef SSHSYNC_SSHD_IMPL_H
#define SSHSYNC_SSHD_IMPL_H

#include <stddef.h>

#include "sshsync/sshconf.h"
#include "sshsync/sshd.h"
#include "sshsync/text.h"

/* One file of the configuration, read once however often it is included. */
typedef struct sd_file {
	char *path;
	ss_text *text; /* owned, unless handed to a changeset */
	int text_owned;
	ss_sshconf_item *items; /* one per line; [0, nlexed) are lexed */
	size_t nlexed;
	ss_diag lex_error; /* why line `nlexed` did not lex (if set) */
	long *match_of;	   /* by item: the Match line's index in `matches`, or -1 */
} sd_file;

/* The files one Include argument globbed to, in glob's (lexical) order.
 * sshd globs each selector once and reuses the list (its include cache). */
typedef struct sd_glob {
	char *selector;
	size_t *files;
	size_t n;
} sd_glob;

typedef enum sd_kind { SD_INTERVAL, SD_COUNT_MAX, SD_TCP_KEEPALIVE } sd_kind;

/* A keepalive line as sshd's first pass met it. */
typedef struct sd_line {
	size_t file;
	size_t item;
	sd_kind kind;
	long value;
	long block; /* the Match block it is in, -1 when global */
} sd_line;

/* An Include line, with the globs of its arguments (for validation, which
 * rewrites it to name temporary copies). */
typedef struct sd_include {
	size_t file;
	size_t item;
	size_t *globs; /* one per argument */
	size_t nglobs;
} sd_include;

/* A Match block as the walk meets it: a file included twice holds its
 * blocks twice, one sd_block for each copy. */
typedef struct sd_block {
	size_t file;
	size_t item;
	size_t match; /* its Match line: an index in `matches` */
} sd_block;

/* A Match line as written, however many times the walk meets it: the
 * copies share their criteria, so a connection that one selects the
 * others select too (unless they lie where Match never matches). */
typedef struct sd_match {
	size_t file;
	size_t item;
	char *name;
} sd_match;

/* A place a value was set: the file and the byte offset of its line. */
typedef struct sd_where {
	long file; /* -1: sshd's default */
	size_t offset;
} sd_where;

typedef struct sd_values {
	long v[3]; /* by sd_kind; SS_UNSET while not set */
	sd_where at[3];
} sd_values;

struct ss_sshd_config {
	char *base_dir;
	char *sshd_path;
	sd_file **files; /* files[0] is the main file */
	size_t nfiles, files_cap;
	sd_glob *globs;
	size_t nglobs, globs_cap;
	sd_line *lines;
	size_t nlines, lines_cap;
	sd_include *includes;
	size_t nincludes, includes_cap;
	sd_block *blocks;
	size_t nblocks, blocks_cap;
	sd_match *matches; /* in the order the walk first meets them */
	size_t nmatches, matches_cap;
	sd_values global; /* the first pass */
};

/* Grows an array of `size`-byte elements to hold one more; -1 when out of
 * memory. */
int sd_grow(void **v, size_t *cap, size_t n, size_t size);

#endif
