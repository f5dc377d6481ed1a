/* The edit list: the only thing in sshsync that changes bytes.
 *
 * Edits are byte-range replacements on a text's decoded data. Rendering
 * applies them in order of position; edits never overlap (an overlap is a
 * programming error, reported as such). Inserts at the same position keep
 * the order in which they were added. The unified diff comes straight from
 * the edits: no diff algorithm, the changed lines are known. */
#ifndef SSHSYNC_EDIT_H
#define SSHSYNC_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "sshsync/buf.h"
#include "sshsync/diag.h"
#include "sshsync/text.h"

/* The order of inserts at one position: early (ss_edits_insert_early),
 * usual, late (ss_edits_insert_late), then appended lines. */
typedef enum ss_edit_order {
	SS_EDIT_EARLY,
	SS_EDIT_USUAL,
	SS_EDIT_LATE,
	SS_EDIT_APPENDED
} ss_edit_order;

/* 32-bit offsets and lengths (a text is at most SS_TEXT_MAX bytes): 24
 * bytes an edit, and 150,000 of them for a 100,000-site WinSCP.ini. */
typedef struct ss_edit {
	uint32_t start;
	uint32_t end; /* exclusive; start == end for an insertion */
	char *repl;
	uint32_t repl_len;
	/* Order of addition, to keep inserts stable; among inserts at one
	 * position, an ss_edit_order. One word for both: 24 bytes an edit
	 * (a 100,000-site apply makes 150,000). */
	uint32_t seq : 30;
	uint32_t order : 2;
} ss_edit;

/* At most this many edits in a list (seq fits). */
#define SS_EDITS_MAX (((size_t)1 << 30) - 1)

struct ss_edit_block;

/* The edits sit in segments of SS_EDITS_SEG that never move (the first
 * one grows up to that size): a list grows without copying and without
 * room for twice its edits. Two halves of a 100,000-site apply held
 * 9.4 MB in arrays that doubled for 3.6 MB of edits. */
#define SS_EDITS_SEG_SHIFT 11
#define SS_EDITS_SEG ((size_t)1 << SS_EDITS_SEG_SHIFT)

typedef struct ss_edits {
	ss_edit **seg;
	size_t nseg, segcap;
	size_t n;
	size_t cap; /* edits the segments hold */
	/* The replacement texts, packed in blocks that never move (100,000
	 * sites are 150,000 short texts: no allocation each). */
	struct ss_edit_block *blocks;
} ss_edits;

#define SS_EDITS_INIT                                                                              \
	{                                                                                          \
		NULL, 0, 0, 0, 0, NULL                                                             \
	}

/* Edit i (< e->n), in order of addition. */
static inline const ss_edit *ss_edits_at(const ss_edits *e, size_t i)
{
	return &e->seg[i >> SS_EDITS_SEG_SHIFT][i & (SS_EDITS_SEG - 1)];
}

int ss_edits_replace(ss_edits *e, size_t start, size_t end, const char *s, size_t len);
int ss_edits_insert(ss_edits *e, size_t at, const char *s, size_t len);
/* An insert that comes after every other insert at `at` but before lines
 * appended there (a KiTTY record's closing '\\' after its new value). */
int ss_edits_insert_late(ss_edits *e, size_t at, const char *s, size_t len);
/* An insert that comes before every other insert at `at`: the end of the
 * line it is at (a Wine key's time after its ']' when that line ends the
 * file without a line break, where the key's new lines go too). */
int ss_edits_insert_early(ss_edits *e, size_t at, const char *s, size_t len);
int ss_edits_delete(ss_edits *e, size_t start, size_t end);
/* Deletes whole line `line` (0-based) with its ending. */
int ss_edits_delete_line(ss_edits *e, const ss_text *t, size_t line);
/* Inserts `content` as a new line before line `line` (line == nlines
 * appends, as ss_edits_append does), with the text's line-ending style. */
int ss_edits_insert_line(ss_edits *e, const ss_text *t, size_t line, const char *content);
/* Appends `lines` (whole lines, each with its ending) at the end of the
 * text, after every other edit at that position (a value that ends the
 * file is changed before the new lines come). A text that does not end
 * with a line ending keeps not ending with one: its last line is ended
 * first and the ending of the last new line is left out. */
int ss_edits_append(ss_edits *e, const ss_text *t, const char *lines, size_t len);
void ss_edits_free(ss_edits *e);
/* Moves every edit of `from` after those of `to`, as if they had been
 * added to `to` in their order (their texts with them), and leaves `from`
 * empty: edits planned apart (on another thread) join the list. -1 (both
 * as they were) when memory runs out. */
int ss_edits_take(ss_edits *to, ss_edits *from);

/* Where bytes go, piece by piece: `put` returns 0, or -1 with `d` set. */
typedef struct ss_sink {
	int (*put)(void *ctx, const void *data, size_t len, ss_diag *d);
	void *ctx;
} ss_sink;

/* Bytes read as they are wanted (contents copied from a file rather than
 * held): `read` gives up to `cap` bytes, 0 at the end, -1 with `d` set;
 * `rewind` starts over, before each reading. */
typedef struct ss_reader {
	int (*rewind)(void *ctx, ss_diag *d);
	long long (*read)(void *ctx, void *buf, size_t cap, ss_diag *d);
	void *ctx;
} ss_reader;

/* The contents of a file to write, produced piece by piece so that a large
 * file is never held whole in memory: a text with its edits (edits NULL:
 * the text as it was read), or, when text is NULL, bytes in memory, or
 * what `reader` reads when that is set. */
typedef struct ss_source {
	const ss_text *text;
	const ss_edits *edits;
	const void *bytes;
	size_t len;
	const ss_reader *reader;
} ss_source;

/* A sink's put that appends to the ss_buf `ctx` (a whole file in memory). */
int ss_sink_buf_put(void *ctx, const void *data, size_t len, ss_diag *d);

/* Pieces are this long, but for the last one (see SS_TEXT_CHUNK). */
#define SS_CHUNK_SIZE SS_TEXT_CHUNK

/* Sends the source's bytes (in the file's encoding) to `out` in pieces of
 * SS_CHUNK_SIZE. Fails on overlapping edits, no memory, or a failed put. */
int ss_source_emit(const ss_source *src, const ss_sink *out, ss_diag *d);

/* What ss_source_emit does, for text that is made as it goes: collects
 * encoded bytes in `buf` (the caller puts a BOM there first) and passes
 * them on to `out` SS_CHUNK_SIZE at a time. Start it as
 * {SS_BUF_INIT, out, d}; release buf at the end. */
typedef struct ss_chunker {
	ss_buf buf;
	const ss_sink *out;
	ss_diag *d;
} ss_chunker;
/* Appends decoded text, encoded as `t` is (UTF-8 sequences whole). */
int ss_chunker_text(ss_chunker *c, const ss_text *t, const char *data, size_t len);
/* Passes on every whole piece (with `all`, the rest too). */
int ss_chunker_flush(ss_chunker *c, int all);

/* The new decoded text. Fails only on overlapping edits or no memory. */
int ss_edits_render(const ss_text *t, const ss_edits *e, ss_buf *out, ss_diag *d);
/* The new file bytes (render, then encode). */
int ss_edits_render_file(const ss_text *t, const ss_edits *e, ss_buf *out, ss_diag *d);
/* 1 when some edit really changes bytes (replacing "60" by "60" does not). */
int ss_edits_change_anything(const ss_text *t, const ss_edits *e);
/* Appends a unified diff (3 lines of context) from `a/label` to `b/label`;
 * appends nothing when there are no edits. */
int ss_edits_diff(const ss_text *t, const ss_edits *e, const char *label, ss_buf *out, ss_diag *d);
/* The same, handing what `out` holds to `flush` (when not NULL) whenever it
 * reaches SS_CHUNK_SIZE after a hunk: whole lines go out, and the diff of a
 * large file is never held whole. What is left in `out` is the caller's. */
int ss_edits_diff_to(const ss_text *t, const ss_edits *e, const char *label, ss_buf *out,
		     const ss_sink *flush, ss_diag *d);
/* 1 when the diff of these edits is strict UTF-8 without a NUL, as can be
 * told without making it: the label and the text are, and every edit
 * starts and ends on a character and puts in such text (the diff is then
 * pieces of those, cut at characters, and ASCII). 0: it may not be. */
int ss_edits_diff_plain(const ss_text *t, const ss_edits *e, const char *label);
/* Hands `out` to the sink `to` and empties it when it holds SS_CHUNK_SIZE
 * bytes or more (to NULL: keeps it); -1 when the put fails. */
int ss_sink_put_if_full(ss_buf *out, const ss_sink *to, ss_diag *d);

#endif
