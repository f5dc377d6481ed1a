/* The bytes of one settings file, decoded once, with a line table.
 *
 * Stores parse `data`, the decoded text: for byte files (ANSI, UTF-8, any
 * code page) it is the file itself, byte for byte, a UTF-8 BOM included;
 * for UTF-16LE files (which must start with FF FE) it is the text after the
 * BOM converted to UTF-8. Unpaired surrogates are kept as 3-byte sequences
 * (WTF-8) so that re-encoding gives back the same bytes. Encoding the
 * unchanged `data` always reproduces the file exactly. */
#ifndef SSHSYNC_TEXT_H
#define SSHSYNC_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sshsync/buf.h"
#include "sshsync/diag.h"

typedef enum ss_encoding {
	SS_ENC_BYTES,  /* passed through untouched */
	SS_ENC_UTF16LE /* BOM FF FE, decoded to UTF-8 in `data` */
} ss_encoding;

typedef enum ss_eol {
	SS_EOL_NONE = 0, /* last line without an ending */
	SS_EOL_LF,
	SS_EOL_CRLF
} ss_eol;

/* One line: `len` bytes of content from `start`, then its own ending
 * (an ss_eol). Lines are split at LF only; a CR not followed by LF is
 * content. A text keeps only where each line starts (ss_text_line gives
 * the rest). */
typedef struct ss_line {
	size_t start;
	size_t len;
	ss_eol eol;
} ss_line;

/* The largest decoded text (a loaded file is limited to SS_TEXT_LIMIT
 * bytes, 1.5 times that decoded: well below). */
#define SS_TEXT_MAX (((size_t)1 << 30) - 1)

/* What the file was when it was read, to refuse writing over a file that
 * somebody changed in the meantime. */
typedef struct ss_file_identity {
	int known;
	uint64_t dev; /* ss_stat's: 64 bits on every system (Windows' */
	uint64_t ino; /* ino_t has 16, its dev_t 32) */
	int64_t size;
	uint64_t hash;		    /* FNV-1a over the raw bytes (only when racy) */
	int64_t mtime_ns, ctime_ns; /* the file's times when it was read (ns since 1970) */
	int64_t read_ns;	    /* the clock when the reading began */
} ss_file_identity;

/* A ctime that could not be seen (after a rename): not compared. */
#define SS_CTIME_UNKNOWN INT64_MIN

/* How far apart two changes of a file may be and still get the same time:
 * file systems count in ticks (a few ms on Linux, 2 s on FAT). */
#define SS_RACY_NS (3LL * 1000000000LL)
/* 1 when the file changed so shortly before it was read that a change
 * after the read could have kept its times, size and inode: then only its
 * bytes (the hash) tell whether it is still the file that was read.
 * Otherwise equal times, size and inode mean the same file. */
int ss_file_racy(const ss_file_identity *id);

typedef struct ss_text {
	char *path; /* as given by the user, used in messages */
	ss_encoding enc;
	char *data; /* decoded text, NUL-terminated after len */
	size_t len;
	/* Where each line starts, in 32 bits (a text is at most SS_TEXT_MAX
	 * bytes): 4 bytes a line, where a 10,000-session export has 1.4
	 * million lines and a 100,000-site WinSCP.ini 1.05 million. Its end
	 * and ending follow from the next one's start. */
	uint32_t *lines;
	size_t nlines; /* a final line without content after the last LF is not counted */
	size_t ncrlf;  /* lines that end in CR LF */
	ss_eol style;  /* ending for inserted lines: the file's most common one (LF if none) */
	ss_file_identity id;
	/* Lines of the file before the text's first (a piece of a file read
	 * piece by piece): positions in messages count them. */
	size_t first_line;
} ss_text;

/* Where line i (below nlines) ends with its ending: where the next one
 * starts, or the text's end. */
static inline size_t ss_text_line_stop(const ss_text *t, size_t i)
{
	return i + 1 < t->nlines ? t->lines[i + 1] : t->len;
}

/* Line i (below nlines) of a text with its table: each line but the last
 * ends with its LF right before the next one starts; the last one ends
 * with the text, with an LF or without. */
static inline ss_line ss_text_line(const ss_text *t, size_t i)
{
	size_t start = t->lines[i], end = ss_text_line_stop(t, i);
	ss_line l = {start, end - start, SS_EOL_NONE};
	if (end > start && t->data[end - 1] == '\n') {
		int cr = end - 1 > start && t->data[end - 2] == '\r';
		l.len -= cr ? 2 : 1;
		l.eol = cr ? SS_EOL_CRLF : SS_EOL_LF;
	}
	return l;
}

/* Where line i's content ends (before its ending). */
static inline size_t ss_text_line_end(const ss_text *t, size_t i)
{
	ss_line l = ss_text_line(t, i);
	return l.start + l.len;
}

/* Reads a regular file. Errors: I/O, a UTF-16 file of odd length, anything
 * that is not a regular file (a FIFO is refused without waiting for a
 * writer, a device without reading it). Files larger than `limit` bytes
 * are refused (0 means SS_TEXT_LIMIT). */
#define SS_TEXT_LIMIT ((size_t)256 << 20) /* 256 MiB */
/* Files are read in pieces of this size (a multiple of 32, as the content
 * hash wants): 64 KiB stays in the processor's cache, and on Linux 6.x
 * larger reads and writes cost up to ten times more system time. */
#define SS_TEXT_CHUNK ((size_t)1 << 16)
int ss_text_load(ss_text *t, const char *path, size_t limit, ss_diag *d);
/* The same without the line table (see ss_text_drop_lines): a large file
 * read line by line once never holds both. */
int ss_text_load_lineless(ss_text *t, const char *path, size_t limit, ss_diag *d);
/* The same for a file that will not be written (an audit, a source to
 * copy from): its bytes are never hashed, also when its times cannot
 * tell it (ss_file_racy), and its identity is unknown (id.known = 0), so
 * that ss_file_same_read never takes it for what a write checks against. */
int ss_text_load_unhashed(ss_text *t, const char *path, size_t limit, ss_diag *d);
/* For a file that will only be replaced, never read (an output file):
 * its identity as ss_text_load gives it, the same refusals, and no text
 * (len 0, no lines; enc as the file's): read through one small buffer. */
int ss_text_load_identity(ss_text *t, const char *path, size_t limit, ss_diag *d);
/* A file read piece by piece, never held whole (a store that is read once
 * from start to end, such as the .reg export of an audit): opened with the
 * refusals of ss_text_load (anything but a regular file; larger than
 * `limit` bytes, 0 meaning SS_TEXT_LIMIT), then read at any offsets, on
 * several threads at once. */
typedef struct ss_text_file {
	int fd;
	char *path;    /* as given, for messages */
	uint64_t size; /* what fstat said when it was opened */
	size_t limit;
} ss_text_file;
int ss_text_file_open(ss_text_file *f, const char *path, size_t limit, ss_diag *d);
/* Up to `len` bytes from `offset` on: how many (fewer only at the end of
 * the file), or -1 with `d` set. Bytes past `limit` fail as ss_text_load
 * fails for a file that grew too large. */
long long ss_text_file_read(const ss_text_file *f, void *buf, size_t len, uint64_t offset,
			    ss_diag *d);
void ss_text_file_close(ss_text_file *f);

/* A text of decoded bytes (UTF-8 for SS_ENC_UTF16LE, as a UTF-16 file
 * decodes) taking `bytes` over (left empty), with its line table: one
 * piece of a file read piece by piece, whose first line is the file's
 * line first_line + 1 (set it after: positions count from there). */
int ss_text_take_bytes(ss_text *t, const char *display, ss_encoding enc, ss_buf *bytes, ss_diag *d);
/* The error of a UTF-16 file of an odd number of bytes (len), as
 * ss_text_load gives it. */
int ss_text_odd_utf16(const char *display, uint64_t len, ss_diag *d);
/* Builds a text from bytes in memory; `display` names it in messages. */
int ss_text_from_bytes(ss_text *t, const char *display, const void *bytes, size_t len, ss_diag *d);
/* Whether a file whose first `len` bytes are `head` is read as UTF-16
 * (SS_ENC_UTF16LE): it starts with the BOM FF FE. */
int ss_text_starts_utf16(const void *head, long long len);
/* A new empty text (used for files that sshsync creates). */
int ss_text_new_empty(ss_text *t, const char *display, ss_encoding enc, ss_eol style, ss_diag *d);
void ss_text_free(ss_text *t);
/* A text that is read line by line once can give up its line table
 * (lines NULL, nlines 0) and build it again when a line is wanted: a
 * 100,000-host ssh_config's table is 3.5 MiB. In between, positions
 * (ss_text_line_at, ss_text_position, ss_text_error) are found by counting
 * line endings; nothing else may read lines. */
void ss_text_drop_lines(ss_text *t);
int ss_text_index_lines(ss_text *t, ss_diag *d); /* no-op when it has its table */

/* The 0-based line holding byte `offset` of data (offset == len gives the
 * last line, or nlines when the text ends with a line ending). */
size_t ss_text_line_at(const ss_text *t, size_t offset);
/* The same for an offset whose line is `from` or after: looked for from
 * there, in steps that double (offsets in order, such as a diff's edits,
 * find their lines one after another). */
size_t ss_text_line_at_from(const ss_text *t, size_t offset, size_t from);
/* 1-based line (of the file: first_line counted) and column (in
 * characters, as a text editor counts them) of a byte offset. */
void ss_text_position(const ss_text *t, size_t offset, size_t *line, size_t *col);
/* Sets an error at a byte offset of the text: "path:line:col: ...". */
int ss_text_error(const ss_text *t, ss_diag *d, size_t offset, const char *fmt, ...)
    SS_PRINTF(4, 5);
/* The ending string for inserted lines ("\n" or "\r\n"). */
const char *ss_text_eol_string(const ss_text *t);
/* "path:LINE" for a byte offset (first_line counted), newly allocated
 * (NULL when out of memory). */
char *ss_text_where(const ss_text *t, size_t offset);

/* Encodes decoded text into the file's encoding (adding the BOM back). */
int ss_text_encode(const ss_text *t, const char *data, size_t len, ss_buf *out, ss_diag *d);
/* The same without the BOM, to encode a file piece by piece. */
int ss_text_encode_append(const ss_text *t, const char *data, size_t len, ss_buf *out, ss_diag *d);

/* Decodes the UTF-8 sequence at p (at most len bytes): its length (1-4) and
 * code point, or 0 when invalid or overlong. Surrogates are accepted only
 * with allow_surrogates (WTF-8, which keeps unpaired UTF-16 surrogates). */
size_t ss_utf8_decode(const unsigned char *p, size_t len, uint32_t *cp, int allow_surrogates);
/* 1 when s[0..len) is strict UTF-8 (ss_utf8_decode without surrogates):
 * what every output that must be UTF-8 (JSON, XML) checks names with. */
int ss_utf8_valid(const char *s, size_t len);

/* UTF-16LE bytes (an odd last byte ignored) to UTF-8, an unpaired
 * surrogate as its 3-byte form (WTF-8); and back (-2: not WTF-8). */
int ss_utf16le_to_utf8(const void *bytes, size_t len, ss_buf *out);
int ss_utf8_to_utf16le(const char *s, size_t len, ss_buf *out);

/* Windows-1252, the ANSI code page of REGEDIT4 files (and of western
 * Windows): bytes to UTF-8 as MultiByteToWideChar does (the five unused
 * bytes 81 8D 8F 90 9D become U+0081...), and back. ss_utf8_to_cp1252
 * gives -2 for text that is not strict UTF-8 or holds a character
 * Windows-1252 cannot hold, -1 when memory runs out. */
int ss_cp1252_to_utf8(const char *s, size_t len, ss_buf *out);
int ss_utf8_to_cp1252(const char *s, size_t len, ss_buf *out);
/* The same for any ANSI code page iconv knows, named as Windows does
 * ("1251", "CP1251", "windows-1251", "CP932"...); NULL, "" or a name of
 * Windows-1252 takes the two functions above. -2 also for a name that is
 * no code page; ss_ansi_known says which names are. */
int ss_ansi_known(const char *codepage);
int ss_ansi_to_utf8(const char *codepage, const char *s, size_t len, ss_buf *out);
int ss_utf8_to_ansi(const char *codepage, const char *s, size_t len, ss_buf *out);

/* Flags of ss_text_add_printable. */
#define SS_PRINT_KEEP_LF 1  /* LF stays a line break (a diff) */
#define SS_PRINT_KEEP_TAB 2 /* tab stays a tab */
/* Appends s[0..len) so that nothing in it acts on a terminal or forges a
 * line: printable ASCII and strict UTF-8 of printable characters as they
 * are, and as \xNN every byte of: C0 controls and DEL, C1 controls
 * (U+0080-U+009F, U+0085 included), bidirectional controls (U+061C,
 * U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), U+2028, U+2029, the
 * noncharacters U+FFFE and U+FFFF, and whatever is not strict UTF-8. The
 * result is always strict UTF-8 that XML 1.0 can carry. */
int ss_text_add_printable(ss_buf *out, const char *s, size_t len, int flags);

/* --- eight bytes at a time (inline: the bytes looked for are constants
 * where the scans of a large store call these a million times) --- */

/* The 8 bytes at p as a number whose lowest byte is p[0], on any
 * machine (compilers make this one load where that is the byte order). */
static inline uint64_t ss_word_le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	       (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

/* The high bit of every byte of w that is c, and no other bit (exact:
 * no carry crosses from one byte to the next). */
static inline uint64_t ss_word_bytes_eq(uint64_t w, unsigned char c)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t x = w ^ (ones * c);
	return ~(((x & ~high) + ~high) | x) & high;
}

/* The index of the lowest byte whose high bit is set in m (m != 0): one
 * instruction where the machine counts trailing zeros (a multiplication
 * in its place made every scan wait for it). */
static inline size_t ss_word_lowest(uint64_t m)
{
	return (size_t)__builtin_ctzll(m) >> 3;
}

/* The offset of the first byte of s[from, end) that is a, b or c, or end
 * (also when from >= end): for the scans of quoted names and strings. */
static inline size_t ss_text_find3(const char *s, size_t from, size_t end, char a, char b, char c)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = from;
	for (; i + 8 <= end; i += 8) {
		uint64_t w = ss_word_le64(p + i);
		uint64_t m = ss_word_bytes_eq(w, (unsigned char)a) |
			     ss_word_bytes_eq(w, (unsigned char)b) |
			     ss_word_bytes_eq(w, (unsigned char)c);
		if (m)
			return i + ss_word_lowest(m);
	}
	for (; i < end; i++)
		if (s[i] == a || s[i] == b || s[i] == c)
			return i;
	return end;
}

/* Whether needle occurs in s[0, len), ASCII letters in either case (the
 * sniffing of a file's head: 64 KiB looked through for each needle). */
int ss_text_contains_ci(const char *s, size_t len, const char *needle);

/* FNV-1a over 8-byte words, also piece by piece (cut at multiples of 8):
 * h = ss_hash_update(SS_HASH_INIT, ...). */
#define SS_HASH_INIT 1469598103934665603ULL
uint64_t ss_hash_update(uint64_t h, const void *data, size_t len);
uint64_t ss_hash_bytes(const void *data, size_t len);
/* The final mix of a hash for a table: every bit of `h` reaches every bit
 * of the result (the low bits that pick a bucket included; FNV alone
 * leaves them to the low bits of the input). Hash tables use
 * ss_hash_mix(ss_hash_update(...)) or ss_hash_key. */
uint64_t ss_hash_mix(uint64_t h);
/* A table key: ss_hash_mix(ss_hash_bytes(s, len)). */
uint64_t ss_hash_key(const char *s, size_t len);

/* The hash that tells a file's contents (ss_file_identity), not a table
 * key: four FNV-1a lanes over 32-byte units, four times the speed of one
 * on an 80 MB file. It is cut into blocks of SS_CONTENT_BLOCK bytes at
 * the file's offsets, each block's hash added in with its index, so that
 * two threads can hash two parts of a file that meet at a block's start
 * (ss_content_hash_init_at, ss_content_hash_join). Pieces may be cut
 * anywhere. */
#define SS_CONTENT_BLOCK ((size_t)1 << 20)
typedef struct ss_content_hash {
	uint64_t lane[4];	/* the block under way */
	uint64_t sum;		/* of the blocks before it, each mixed with its index */
	uint64_t first, block;	/* the indexes of the first block hashed, and of this one */
	size_t fill;		/* bytes of this block in the lanes */
	unsigned char unit[32]; /* and after them: less than a unit */
	size_t held;
} ss_content_hash;
void ss_content_hash_init(ss_content_hash *h);
/* Hashing from `offset` on, a multiple of SS_CONTENT_BLOCK. */
void ss_content_hash_init_at(ss_content_hash *h, uint64_t offset);
void ss_content_hash_update(ss_content_hash *h, const void *data, size_t len);
/* `h` goes on with what `next` hashed: `h` ended where `next` began (-1
 * when it did not: a block's start). */
int ss_content_hash_join(ss_content_hash *h, const ss_content_hash *next);
/* Where two threads that hash a file of `size` bytes meet: the last
 * block's start at or before its middle (0: too small to split so). */
uint64_t ss_content_hash_middle(uint64_t size);
uint64_t ss_content_hash_final(const ss_content_hash *h);
uint64_t ss_content_hash_bytes(const void *data, size_t len);

#endif
