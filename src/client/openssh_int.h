/* Inside the OpenSSH client: the loaded tree, shared by load, eval and
 * plan (openssh_load.c, openssh_eval.c, openssh_plan.c). */
#ifndef SSHSYNC_OPENSSH_INT_H
#define SSHSYNC_OPENSSH_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sshsync/edit.h"
#include "sshsync/openssh.h"
#include "sshsync/sshconf.h"
#include "sshsync/text.h"

/* How ssh checks a keyword's value. */
typedef enum oss_kind {
	OSS_K_ANY,    /* not checked here */
	OSS_K_MULTI,  /* one word from a list, case-insensitive */
	OSS_K_TIME,   /* convtime or "none" */
	OSS_K_INT,    /* 0..INT_MAX */
	OSS_K_STRING, /* one non-empty word */
	OSS_K_HOST,
	OSS_K_MATCH,
	OSS_K_INCLUDE
} oss_kind;

/* The settings evaluation follows; everything else only gets checked. */
typedef enum oss_op {
	OP_NONE,
	OP_INTERVAL,
	OP_COUNTMAX,
	OP_TCPKA,
	OP_BATCH,
	OP_HOSTNAME,
	OP_USER,
	OP_CANON,
	OP_CANONDOMAINS,
	OP_CNAMES, /* CanonicalizePermittedCNAMEs: 1 unless "none" */
	OP_IGNUNK,
	OP_UNKNOWN_CHECK, /* an unknown keyword that only some IgnoreUnknown lines cover */
	OP_SETTING	  /* any setting line (trees loaded with all_settings) */
} oss_op;

typedef struct oss_keyword {
	const char *name;
	oss_kind kind;
	oss_op op;
	const char *const *values; /* OSS_K_MULTI */
} oss_keyword;

const oss_keyword *oss_keyword_find(const char *kw);
const char *oss_atoi_err(const char *s, long *out);
void oss_lowercase(char *s);

typedef struct oss_file {
	char *path; /* as ssh opens it (the glob result) */
	ss_text text;
	ss_sshconf conf; /* empty in a lean tree (see ss_openssh.lean) */
	int moved;	 /* the text went into a changeset */
} oss_file;

/* A setting line that evaluation looks at. 12 bytes: a fleet has several
 * a host. A line of a string op (oss_op_has_str) keeps its first argument
 * (or keyword), any other its number: never both. */
typedef struct oss_dir {
	unsigned op : 8;    /* oss_op */
	unsigned file : 24; /* files are fewer than blocks (OSS_MAX_FILES) */
	uint32_t item;
	union {
		int32_t value; /* numbers and yes/no (1/0); -1 for "none" (ssh's are int) */
		uint32_t str;  /* the first argument's value or the keyword, in
				  dir_strs (see oss_dir_str); 0 for none */
	};
} oss_dir;

enum { OSS_MAX_FILES = 1 << 24 }; /* what oss_dir.file holds */

/* The ops whose lines evaluation reads as strings. */
static inline int oss_op_has_str(unsigned op)
{
	return op == OP_HOSTNAME || op == OP_USER || op == OP_IGNUNK || op == OP_UNKNOWN_CHECK ||
	       op == OP_SETTING;
}
static inline long oss_dir_value(const oss_dir *d)
{
	return oss_op_has_str(d->op) ? 0 : d->value;
}

typedef enum oss_crit_kind {
	MC_ALL,
	MC_CANONICAL,
	MC_FINAL,
	MC_HOST,
	MC_ORIGINALHOST,
	MC_USER,
	MC_LOCALUSER,
	MC_EXEC
} oss_crit_kind;

typedef struct oss_crit {
	oss_crit_kind kind;
	int negate;
	char *arg;
} oss_crit;

typedef enum oss_block_kind {
	BK_CONT, /* lines that inherit the activity of `parent` (-1: always on) */
	BK_HOST,
	BK_MATCH,
	BK_CHECK /* an unknown keyword checked against IgnoreUnknown for every host */
} oss_block_kind;

typedef struct oss_block {
	unsigned kind : 4;    /* oss_block_kind; 32 bytes a block: a fleet has one a host */
	unsigned literal : 1; /* BK_HOST whose patterns are all literal */
	unsigned direct : 1;  /* literal, its names' entries lit_first + i */
	unsigned : 2;
	unsigned file : 24; /* see OSS_MAX_FILES */
	uint32_t item;	    /* the header line (BK_HOST/BK_MATCH/BK_CHECK) */
	union {
		int parent; /* BK_CONT: whose activity it inherits */
		int inc;    /* BK_HOST, BK_MATCH: the block holding the Include line
			       of this file (-1 in the main file); inactive forces
			       inactive. -1 in a BK_CHECK. */
	};
	int key; /* the literal Host block it depends on, or -1 */
	union {
		uint32_t npat;	/* BK_HOST */
		uint32_t ncrit; /* BK_MATCH */
	};
	uint32_t dir_first; /* its setting lines: dirs[dir_first, the next block's
			       dir_first or ndirs) (at most MAX_EXPANDED) */
	union {
		const char *const *pat; /* BK_HOST not literal: the Host line's
					   arguments (values) */
		uint32_t lit_first;	/* literal: see oss_lit_entry */
		oss_crit *crit;		/* BK_MATCH */
	};
} oss_block;

/* The block whose activity a block's own hangs on: the parent of a
 * BK_CONT, the including block of a header; -1 for none. */
static inline int oss_block_up(const oss_block *b)
{
	return b->kind == BK_CHECK ? -1 : b->kind == BK_CONT ? b->parent : b->inc;
}

/* name -> blocks that can only be active for that host name. The names
 * are not copied: most point into the text (not NUL-terminated there). */
typedef struct oss_index_entry {
	const char *name; /* a literal Host line's argument, `len` bytes */
	unsigned len : 31;
	/* A name of one block (a fleet's each) keeps it in `first`: no list,
	 * 0.8 MB less for 100,000 hosts. Else its blocks are listed at
	 * index_blocks[first ..], how many at index_blocks[first - 1]. */
	unsigned one : 1;
	uint32_t first;
} oss_index_entry;
enum { OSS_NAME_MAX = 0x7fffffff }; /* what oss_index_entry.len holds */

struct ss_openssh {
	oss_file *files;
	size_t nfiles, files_cap;
	oss_dir *dirs;
	size_t ndirs, dirs_cap;
	oss_block *blocks;
	size_t nblocks, blocks_cap;
	uint32_t *wild; /* blocks with key -1, in order */
	size_t nwild;
	oss_index_entry *index; /* index_n entries, in order of first appearance;
				   index_room allocated */
	size_t index_room;
	uint32_t *index_slots; /* open addressing over them, index_cap slots (a
				  power of two): see slot_of in openssh_load.c */
	uint32_t index_mask;   /* a slot's entry bits (the rest: its hash's) */
	size_t index_cap, index_n;
	uint32_t *index_blocks; /* the lists of the entries of more than one
				   block, each after how many */
	uint32_t *lit_entry;	/* the entries of literal Host lines' names, in order */
	size_t lit_n, lit_cap;
	/* The entry of a name of the tree, as oss_names_next found it, and
	 * that ss_openssh_valid_hostname accepted (audit_all sets it):
	 * evaluating that name (the same pointer) needs neither again. */
	const char *hint_name;
	const oss_index_entry *hint_entry;
	int want_final; /* some Match line has a `final` criterion */
	char *local_user;
	/* eval scratch: act_stamp[b] == stamp when block b is active in the
	 * running pass */
	uint32_t *act_stamp;
	uint32_t stamp;
	int system;
	int all_settings; /* every setting line has an OP_SETTING dir */
	char *base;	  /* relative Include base */
	char *home;
	/* Lean (audit): the files' lines are lexed while the tree is built and
	 * not kept; what evaluation needs of them (Host patterns, setting
	 * values) is copied into `strs`, and a line wanted again (an error's
	 * column) is lexed again (oss_relex). Otherwise conf holds every line
	 * (plan and migration edit them) and the strings point into it. */
	int lean;
	size_t lex_ahead; /* ss_openssh_opts' (the default made explicit) */
	int no_lines;	  /* lean, and the line tables are dropped after loading:
			     oss_relex builds one again for a line it wants */
	ss_arena strs;
	ss_buf dir_strs;   /* the setting lines' strings, NUL-terminated, at the
			      offsets the lines hold; its first byte stands for none */
	ss_buf at_text[3]; /* the last result's "file:line" strings */
	long at_dir[3];	   /* the setting line each is of, + 1 (0: none) */
};

const oss_index_entry *oss_index_find(const ss_openssh *c, const char *name);
static inline const char *oss_dir_str(const ss_openssh *c, const oss_dir *d)
{
	return oss_op_has_str(d->op) && d->str ? c->dir_strs.data + d->str : NULL;
}
/* Where the setting lines of block b end (the next block's begin). */
static inline size_t oss_block_dir_end(const ss_openssh *c, const oss_block *b)
{
	size_t next = (size_t)(b - c->blocks) + 1;
	return next < c->nblocks ? c->blocks[next].dir_first : c->ndirs;
}
static inline const uint32_t *oss_entry_blocks(const ss_openssh *c, const oss_index_entry *e)
{
	return e->one ? &e->first : c->index_blocks + e->first;
}
static inline size_t oss_entry_n(const ss_openssh *c, const oss_index_entry *e)
{
	return e->one ? 1 : c->index_blocks[e->first - 1];
}
/* The entry of name i of a literal block: lit_first + i when its names
 * were new, each once, as the line was read (`direct`: nearly always, and
 * then nothing is listed), else listed at lit_entry[lit_first + i]. */
static inline uint32_t oss_lit_entry(const ss_openssh *c, const oss_block *b, size_t i)
{
	return b->direct ? b->lit_first + (uint32_t)i : c->lit_entry[b->lit_first + i];
}
/* Pattern i of a Host block, `*len` bytes (not NUL-terminated for a
 * literal block's). */
static inline const char *oss_block_pat(const ss_openssh *c, const oss_block *b, size_t i,
					size_t *len)
{
	if (b->literal) {
		const oss_index_entry *e = &c->index[oss_lit_entry(c, b, i)];
		*len = e->len;
		return e->name;
	}
	*len = strlen(b->pat[i]);
	return b->pat[i];
}
/* ss_openssh_host_names one at a time and without copies (the names point
 * into the tree): a fleet's names are never listed at once. */
typedef struct oss_names {
	size_t b, a;		      /* the next block and pattern */
	const oss_index_entry *entry; /* the last name's, NULL when not indexed */
	ss_buf name;		      /* the last literal name, NUL-terminated */
	unsigned char *listed;	      /* index entries already given */
	const char **seen;	      /* the other names given (open addressing) */
	size_t cap;
} oss_names;
int oss_names_begin(const ss_openssh *c, oss_names *it);	/* -1: out of memory */
const char *oss_names_next(const ss_openssh *c, oss_names *it); /* NULL after the last */
void oss_names_end(oss_names *it);
/* 1 when a Host block applies to the host name (patterns, '!'). */
int oss_host_matches(const oss_block *b, const char *host);
/* Line `item` of a file lexed again into `it` (free it with
 * ss_sshconf_item_free); -1 with `d` set. */
int oss_relex(const ss_openssh *c, uint32_t file, uint32_t item, ss_sshconf_item *it, ss_diag *d);
/* Moves every file's text, with edits[i], into the changeset (the tree can
 * only be freed afterwards). */
int oss_move_to_changeset(ss_openssh *c, ss_edits *edits, ss_changeset *cs, ss_diag *d);
/* "file:line" of a file's item, newly allocated. */
char *oss_where(const ss_openssh *c, uint32_t file, uint32_t item);

#endif
