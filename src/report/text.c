/* The audit as a text table that fits the terminal: the scopes grouped
 * under their file (named once, as a heading: ~ for $HOME, relative to the
 * current directory where that is shorter), the columns aligned across
 * groups, the explanation wrapped to the width beside the row or under it
 * (unless verbose, each reason's gist and at most two lines), then a
 * one-line summary.
 *
 * A column is a line of `columns` and a cell in row_cells: the layout,
 * the squeezing and the wrapping need nothing else. */
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/report.h"
#include "sshsync/arena.h"
#include "sshsync/os_path.h"
#include "sshsync/os_sys.h"
#include "sshsync/text.h"

enum { C_SCOPE, C_INTERVAL, C_COUNT, C_TCP, C_SETAT, C_STATUS, C_WHY, NCOLS };

typedef struct column {
	const char *heading;
	size_t beside; /* squeezed to this (wrapping) to keep WHY beside the row */
	size_t min;    /* squeezed to this when WHY is below the row; 0: never */
	int words;     /* wrapped at blanks, else anywhere */
} column;

static const column columns[NCOLS] = {
    [C_SCOPE] = {"SCOPE", 24, 12, 0},  [C_INTERVAL] = {"INTERVAL", 12, 8, 1},
    [C_COUNT] = {"COUNT", 0, 0, 0},    [C_TCP] = {"TCP", 0, 0, 0},
    [C_SETAT] = {"SET AT", 16, 10, 0}, [C_STATUS] = {"STATUS", 0, 0, 0},
    [C_WHY] = {"WHY", 30, 20, 1},
};

enum {
	INDENT = 2,   /* rows under their file's heading */
	GAP = 2,      /* between columns */
	BELOW = 4,    /* the explanation on lines of its own, when too narrow */
	WHY_LINES = 2 /* lines of explanation without --verbose */
};

/* The UTF-8 continuation bytes (10xxxxxx) among the 8 bytes of x: bit 7
 * set, bit 6 (shifted into bit 7) clear. A bit carried into the next byte
 * lands on its bit 0, which the mask drops: any byte order gives the same. */
static size_t continuations(uint64_t x)
{
	size_t n = 0;
	for (uint64_t cont = x & ~(x << 1) & 0x8080808080808080ULL; cont; cont &= cont - 1)
		n++;
	return n;
}

/* The n < 8 bytes at s, each in a byte of its own of a word padded with
 * NULs (in no particular order: what is asked of them is per byte). Loads
 * of fixed size, where a memcpy of n bytes would be a call. */
static uint64_t tail_word(const char *s, size_t n)
{
	uint64_t x = 0;
	uint32_t v4;
	uint16_t v2;
	if (n & 4) {
		memcpy(&v4, s, 4);
		x = v4;
		s += 4;
	}
	if (n & 2) {
		memcpy(&v2, s, 2);
		x |= (uint64_t)v2 << 32;
		s += 2;
	}
	if (n & 1)
		x |= (uint64_t)(unsigned char)*s << 48;
	return x;
}

/* Characters on screen in s[0..n): UTF-8 continuation bytes take no
 * column. Eight bytes at a time, the last few as one more word: most text
 * is ASCII and most cells are shorter than eight bytes. */
static size_t width_of(const char *s, size_t n)
{
	size_t w = n, i = 0;
	uint64_t x;
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, s + i, 8);
		w -= continuations(x);
	}
	return i < n ? w - continuations(tail_word(s + i, n - i)) : w;
}

/* Whether s[0..n) is all ASCII: a byte is a character there. */
static int all_ascii(const char *s, size_t n)
{
	uint64_t any = 0, x;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, s + i, 8);
		any |= x;
	}
	if (i < n)
		any |= tail_word(s + i, n - i);
	return !(any & 0x8080808080808080ULL);
}

static size_t display_width(const char *s)
{
	return width_of(s, strlen(s));
}

/* The next character of a UTF-8 string. */
static const char *next_char(const char *p)
{
	for (p++; ((unsigned char)*p & 0xC0) == 0x80; p++)
		;
	return p;
}

/* The rest of `path` after "DIR/", or NULL when it is not under DIR. */
static const char *under(const char *path, const char *dir)
{
	if (!dir || !ss_os_is_absolute(dir))
		return NULL;
	size_t n = strlen(dir);
	while (n > 1 && ss_os_is_sep(dir[n - 1]))
		n--;
	if (n <= 1 || strncmp(path, dir, n) != 0 || !ss_os_is_sep(path[n]) || !path[n + 1])
		return NULL;
	return path + n + 1;
}

char *ss_report_short_path(const char *path, const char *home, const char *cwd)
{
	int relative = !ss_os_is_absolute(path);
	char *abs = relative && cwd ? ss_asprintf("%s/%s", cwd, path) : NULL;
	if (relative && cwd && !abs)
		return NULL;
	const char *full = abs ? abs : path;
	const char *rel = abs ? path : under(full, cwd), *in_home = under(full, home);
	char *shown;
	if (in_home && (!rel || strlen(in_home) + 2 < strlen(rel)))
		shown = ss_asprintf("~/%s", in_home);
	else
		shown = ss_strdup(rel ? rel : path);
	free(abs);
	return shown;
}

/* A path as the table shows it: short, and printable. */
static int add_display_path(ss_buf *b, const char *path, const ss_report_opts *o)
{
	char *shown = ss_report_short_path(path, o->home, o->cwd);
	int r = shown ? ss_report_add_printable(b, shown) : -1;
	free(shown);
	return r;
}

/* The setting, and the period on the wire where the two differ. */
static int add_interval(ss_buf *b, const ss_scope *sc)
{
	long long v = sc->interval, period = ss_scope_period(sc);
	if (sc->not_applicable)
		return ss_buf_adds(b, "-");
	if (v == SS_UNKNOWN)
		return ss_buf_adds(b, "?");
	if (v == 0)
		return ss_buf_adds(b, "off");
	if (period != v)
		return ss_buf_addf(b, "%llds (probes every %llds)", v, period);
	return ss_buf_add_lld(b, v) < 0 ? -1 : ss_buf_addc(b, 's');
}

static int add_optional(ss_buf *b, long long v, int boolean)
{
	if (v == SS_UNSET)
		return ss_buf_adds(b, "-");
	if (v == SS_UNKNOWN)
		return ss_buf_adds(b, "?");
	if (boolean)
		return ss_buf_adds(b, v ? "yes" : "no");
	return ss_buf_add_lld(b, v);
}

/* "FILE:N" of the scope's own file as "line N", the others as paths. */
static int add_set_at(ss_buf *b, const ss_scope *sc, const ss_report_opts *o)
{
	if (sc->error)
		return ss_buf_adds(b, "-"); /* no value, so no place it was set */
	if (!sc->set_at)
		return ss_buf_adds(b, "default");
	size_t n = strlen(sc->file);
	if (strncmp(sc->set_at, sc->file, n) == 0 && sc->set_at[n] == ':')
		return ss_buf_adds(b, "line ") < 0 ? -1
						   : ss_report_add_printable(b, sc->set_at + n + 1);
	/* Another file: beside the scope's file (an Include, a drop-in), the
	 * path from that file's directory; else as the heading shows paths. */
	size_t dir = (size_t)(ss_os_base_name(sc->file) - sc->file);
	if (dir && strncmp(sc->set_at, sc->file, dir) == 0)
		return ss_report_add_printable(b, sc->set_at + dir);
	return add_display_path(b, sc->set_at, o);
}

/* The scope's name, and the host it is judged on when it has one. */
static int add_scope_name(ss_buf *b, const ss_scope *sc)
{
	if (ss_report_add_printable(b, sc->name) < 0)
		return -1;
	if (!sc->witness)
		return 0;
	return ss_buf_adds(b, " (witness ") < 0 || ss_report_add_printable(b, sc->witness) < 0
		   ? -1
		   : ss_buf_addc(b, ')');
}

/* The first "FILE:N" in [p, end) whose FILE is `file` (n bytes), or NULL.
 * Only [p, end) is looked through: a reason's explanation after its gist
 * is often long, and each row's reasons are searched. */
static const char *file_line_in(const char *p, const char *end, const char *file, size_t n)
{
	/* A hit needs room for ':' and a digit before end. */
	while (n && end - p > (ptrdiff_t)(n + 1)) {
		const char *hit = memchr(p, file[0], (size_t)(end - p) - n - 1);
		if (!hit)
			return NULL;
		if (memcmp(hit, file, n) == 0 && hit[n] == ':' &&
		    isdigit((unsigned char)hit[n + 1]))
			return hit;
		p = hit + 1;
	}
	return NULL;
}

/* A reason's first `len` bytes, with "FILE:N" of the scope's own file said
 * "line N": the file is the heading already. */
static int add_reason(ss_buf *b, const char *reason, size_t len, const char *file)
{
	size_t n = strlen(file);
	const char *p = reason, *end = reason + len;
	while (p < end) {
		const char *hit = file_line_in(p, end, file, n);
		if (!hit)
			return ss_text_add_printable(b, p, (size_t)(end - p), 0);
		if (ss_text_add_printable(b, p, (size_t)(hit - p), 0) < 0 ||
		    ss_buf_adds(b, "line ") < 0)
			return -1;
		p = hit + n + 1;
	}
	return 0;
}

/* The reasons, "; " between them. Unless `whole`, each is said by what
 * comes before its first ": " (the explanation that follows is for
 * --verbose). */
static int add_reasons(ss_buf *b, const ss_scope *sc, int whole)
{
	for (size_t i = 0; i < sc->reasons.n; i++) {
		const char *why = sc->reasons.v[i], *colon = whole ? NULL : strstr(why, ": ");
		size_t len = colon ? (size_t)(colon - why) : strlen(why);
		if ((i && ss_buf_adds(b, "; ") < 0) ||
		    add_reason(b, why, len, sc->error ? "" : sc->file) < 0)
			return -1;
	}
	return 0;
}

static const char *status_text(const ss_scope *sc)
{
	return sc->error	     ? "ERROR"
	       : sc->not_applicable  ? "n/a"
	       : ss_scope_failed(sc) ? "FAIL"
				     : "pass";
}

/* Ends cell c of `row` with its NUL, where `ends` keeps it. */
static int end_cell(ss_buf *row, size_t *ends, int c)
{
	ends[c] = row->len;
	return ss_buf_addc(row, '\0');
}

/* The cells of one row added to `row`, a NUL after each (at ends[c]); -1
 * when memory runs out. */
static int row_cells(const ss_scope *sc, const ss_report_opts *o, ss_buf *row, size_t *ends)
{
	return add_scope_name(row, sc) < 0 || end_cell(row, ends, C_SCOPE) < 0 ||
		       add_interval(row, sc) < 0 || end_cell(row, ends, C_INTERVAL) < 0 ||
		       add_optional(row, sc->count_max, 0) < 0 ||
		       end_cell(row, ends, C_COUNT) < 0 ||
		       add_optional(row, sc->tcp_keepalive, 1) < 0 ||
		       end_cell(row, ends, C_TCP) < 0 || add_set_at(row, sc, o) < 0 ||
		       end_cell(row, ends, C_SETAT) < 0 || ss_buf_adds(row, status_text(sc)) < 0 ||
		       end_cell(row, ends, C_STATUS) < 0 ||
		       add_reasons(row, sc, o->verbose || sc->error) < 0 ||
		       end_cell(row, ends, C_WHY) < 0
		   ? -1
		   : 0;
}

/* A line of a wrapped cell: `len` bytes of the cell's text, then "..."
 * when text was left out after it. Lines point into the cell: wrapping a
 * fleet's rows copies nothing. */
typedef struct cell_line {
	const char *p;
	size_t len;
	int dots;
} cell_line;

typedef struct cell_lines {
	cell_line *v;
	size_t n, cap;
} cell_lines;

static int push_line(cell_lines *l, const char *p, size_t len)
{
	if (l->n == l->cap && ss_array_room(&l->v, &l->cap, l->n, sizeof(*l->v)) < 0)
		return -1;
	l->v[l->n++] = (cell_line){p, len, 0};
	return 0;
}

/* Where the line from p of at most `width` characters ends (`*end`), and
 * the last blank before that (`*blank`, NULL when none); `stop` is the
 * end of the text. A run of ASCII is measured by its bytes. */
static void line_reach(const char *p, const char *stop, size_t width, const char **end,
		       const char **blank)
{
	const char *e = p, *b = NULL;
	size_t rest = (size_t)(stop - p);
	if (all_ascii(p, rest < width ? rest : width)) {
		e = p + (rest < width ? rest : width);
		for (const char *q = e; q > p && !b; q--)
			if (q[-1] == ' ')
				b = q - 1;
	} else {
		for (size_t w = 0; *e && w < width; e = next_char(e), w++)
			if (*e == ' ')
				b = e;
	}
	*end = e;
	*blank = b;
}

/* The next character of a line, never past its end. */
static const char *next_in(const char *q, const char *end)
{
	q = next_char(q);
	return q < end ? q : end;
}

/* Ends the last line in "..." in at most `width` characters. */
static void cut_last(cell_lines *lines, size_t width)
{
	cell_line *last = &lines->v[lines->n - 1];
	const char *end = last->p + last->len;
	size_t keep = 0, w = 0;
	for (const char *q = last->p; q < end && w + 3 < width; q = next_in(q, end), w++)
		keep = (size_t)(next_in(q, end) - last->p);
	while (keep && last->p[keep - 1] == ' ')
		keep--;
	last->len = keep;
	last->dots = 1;
}

/* Cuts `text` (`all` bytes, then a NUL) into `lines` (emptied first) of
 * at most `width` characters (0: one line), at blanks when `words`. With
 * `max` lines at most (0: all), the last one ends in "..." when text was
 * left out. */
static int wrap(const char *text, size_t all, size_t width, int words, size_t max,
		cell_lines *lines)
{
	const char *p = text, *stop = text + all;
	lines->n = 0;
	if (!width)
		return push_line(lines, text, all);
	if (all <= width) { /* fits (a character takes a byte at least) */
		while (all && text[all - 1] == ' ')
			all--;
		return push_line(lines, text, all);
	}
	while (*p) {
		if (max && lines->n == max) {
			cut_last(lines, width);
			return 0;
		}
		const char *end, *blank;
		line_reach(p, stop, width, &end, &blank);
		const char *cut = end;
		if (words && *end && *end != ' ' && blank && blank > p)
			cut = blank;
		size_t len = (size_t)(cut - p);
		while (len && p[len - 1] == ' ')
			len--;
		if (push_line(lines, p, len) < 0)
			return -1;
		for (p = cut; *p == ' '; p++)
			;
	}
	return lines->n ? 0 : push_line(lines, "", 0);
}

/* `ascii`: the row's cells are all ASCII, so a byte is a column. */
static size_t line_width(const cell_line *t, int ascii)
{
	return (ascii ? t->len : width_of(t->p, t->len)) + (t->dots ? 3 : 0);
}

static int line_is(const cell_line *t, const char *s)
{
	return !t->dots && t->len == strlen(s) && memcmp(t->p, s, t->len) == 0;
}

static int add_line(ss_buf *out, const cell_line *t)
{
	return ss_buf_add(out, t->p, t->len) < 0 || (t->dots && ss_buf_adds(out, "...") < 0) ? -1
											     : 0;
}

/* Appending to a buffer whose room was made (ss_buf_grow) beforehand: a
 * row's line is measured once, then written without a check per piece. */
static void put(ss_buf *out, const char *p, size_t n)
{
	memcpy(out->data + out->len, p, n);
	out->len += n;
}

static void put_spaces(ss_buf *out, size_t n)
{
	memset(out->data + out->len, ' ', n);
	out->len += n;
}

typedef struct layout {
	size_t width[NCOLS];
	int why_below; /* the explanation on lines of its own under the row */
	size_t why_width;
} layout;

/* The width of the columns before WHY, with the indent and the gaps. */
static size_t fixed_width(const layout *l)
{
	size_t w = INDENT;
	for (int c = 0; c < C_WHY; c++)
		w += l->width[c] + GAP;
	return w;
}

/* Squeezes the columns before WHY, the widest first, down to their
 * `beside` or `min` widths, until `room` columns are left of `width` for
 * WHY (or nothing more gives). */
static void squeeze(layout *l, size_t width, size_t room, int below)
{
	while (fixed_width(l) + room > width) {
		int widest = -1;
		for (int c = 0; c < C_WHY; c++) {
			size_t floor = below ? columns[c].min : columns[c].beside;
			if (floor && l->width[c] > floor &&
			    (widest < 0 || l->width[c] > l->width[widest]))
				widest = c;
		}
		if (widest < 0)
			return;
		l->width[widest]--;
	}
}

/* Natural widths (`l->width` on entry); then, to fit o->width: WHY
 * wrapped beside the row, with the columns before it squeezed as far as
 * `beside` allows, or else WHY on lines of its own under the row. */
static void fit(const ss_report_opts *o, layout *l)
{
	size_t natural[NCOLS];
	memcpy(natural, l->width, sizeof(natural));
	l->why_width = l->width[C_WHY];
	if (!o->width || fixed_width(l) + l->width[C_WHY] <= o->width)
		return;
	squeeze(l, o->width, columns[C_WHY].beside, 0);
	size_t fixed = fixed_width(l);
	if (fixed + columns[C_WHY].beside <= o->width) {
		l->why_width = o->width - fixed;
		if (l->why_width > natural[C_WHY])
			l->why_width = natural[C_WHY];
		l->width[C_WHY] = l->why_width;
		return;
	}
	memcpy(l->width, natural, sizeof(natural));
	squeeze(l, o->width, 0, 1);
	l->why_below = 1;
	l->why_width =
	    o->width > BELOW + columns[C_WHY].min ? o->width - BELOW : columns[C_WHY].min;
}

static int add_spaces(ss_buf *out, size_t n)
{
	if (ss_buf_grow(out, n) < 0)
		return -1;
	memset(out->data + out->len, ' ', n);
	out->len += n;
	out->data[out->len] = '\0';
	return 0;
}

/* The paint of a STATUS cell. */
static const char *status_paint(const cell_line *t)
{
	if (!t->len && !t->dots)
		return NULL;
	return line_is(t, "pass") ? "\033[32m" : line_is(t, "n/a") ? NULL : "\033[31m";
}

/* The bytes line k of a row takes at most, columns [0, end]. */
static size_t line_room(const cell_lines *lines, size_t k, int end, const layout *l)
{
	size_t room = INDENT + 1;
	for (int c = 0; c <= end; c++) {
		size_t len = k < lines[c].n ? lines[c].v[k].len + 3 : 0;
		/* the cell, its paint, and the blanks after it */
		room += len + sizeof("\033[32m") + sizeof("\033[0m") + l->width[c] + GAP + 1;
	}
	return room;
}

/* Line k of a row: columns [0, end] aligned. */
static int add_row_line(ss_buf *out, const cell_lines *lines, size_t k, int end, const layout *l,
			int color, int ascii)
{
	static const cell_line none = {"", 0, 0};
	if (ss_buf_grow(out, line_room(lines, k, end, l)) < 0)
		return -1;
	put_spaces(out, INDENT);
	for (int c = 0; c <= end; c++) {
		const cell_line *t = k < lines[c].n ? &lines[c].v[k] : &none;
		const char *paint = color && c == C_STATUS ? status_paint(t) : NULL;
		if (paint)
			put(out, paint, strlen(paint));
		put(out, t->p, t->len);
		if (t->dots)
			put(out, "...", 3);
		if (paint)
			put(out, "\033[0m", 4);
		size_t tw = line_width(t, ascii);
		if (c < end)
			put_spaces(out, l->width[c] + GAP > tw ? l->width[c] + GAP - tw : 1);
	}
	put(out, "\n", 1);
	out->data[out->len] = '\0';
	return 0;
}

/* The width cell c is wrapped to (0: never wrapped): WHY's is the
 * layout's, and a diagnostic's WHY is whole. */
static size_t wrap_width(const layout *l, int c, int diag)
{
	if (!columns[c].min || (c == C_WHY && diag))
		return 0;
	return c == C_WHY ? l->why_width : l->width[c];
}

/* Cell c wrapped into `lines`: WHY in WHY_LINES lines at most unless
 * verbose (a diagnostic whole). */
static int wrap_cell(const char *const *cell, const size_t *len, int c, const layout *l,
		     const ss_report_opts *o, int diag, cell_lines *lines)
{
	size_t max = c == C_WHY && !o->verbose && !diag ? WHY_LINES : 0;
	return wrap(cell[c], len[c], wrap_width(l, c, diag), columns[c].words, max, &lines[c]);
}

/* WHY on lines of its own under the row, each indented. */
static int add_why_below(ss_buf *out, const cell_lines *why)
{
	int r = 0;
	for (size_t k = 0; k < why->n && !r; k++) {
		const cell_line *t = &why->v[k];
		if (t->len || t->dots)
			r = add_spaces(out, BELOW) | add_line(out, t) | ss_buf_addc(out, '\n');
	}
	return r;
}

/* Whether every cell of columns [0, last] fits its column, so that it is
 * one line: what wrap makes of it then is the cell without its trailing
 * blanks (whole where the column is never wrapped). Most rows of a fleet
 * are, and are written without wrapping (add_row's instructions per row
 * of a 10,000-site table: 1,134 wrapped, 636 so). */
static int one_line_cells(const char *const *cell, const size_t *len, const layout *l, int last,
			  cell_line *one)
{
	for (int c = 0; c <= last; c++) {
		size_t w = wrap_width(l, c, 0), n = len[c];
		if (w && n > w)
			return 0;
		while (w && n && cell[c][n - 1] == ' ')
			n--;
		one[c] = (cell_line){cell[c], n, 0};
	}
	return 1;
}

/* The line of one-line cells one[0..end] of an ASCII row (a byte is a
 * column), unpainted, as add_row_line writes it: blanks up to the last
 * cell, each cell copied in where its column starts. Each cell is
 * narrower than its column and gap, so it ends before the next column:
 * a wrapped column's cell fits its width (one_line_cells), another's
 * width is the widest of its cells, never squeezed. */
static int add_aligned_line(ss_buf *out, const cell_line *one, int end, const layout *l)
{
	size_t at = INDENT;
	for (int c = 0; c < end; c++)
		at += l->width[c] + GAP;
	size_t len = at + one[end].len;
	if (ss_buf_grow(out, len + 1) < 0)
		return -1;
	char *o = out->data + out->len;
	memset(o, ' ', at);
	size_t x = INDENT;
	for (int c = 0; c <= end; c++) {
		memcpy(o + x, one[c].p, one[c].len);
		x += l->width[c] + GAP;
	}
	o[len] = '\n';
	out->len += len + 1;
	out->data[out->len] = '\0';
	return 0;
}

/* One row, its cells (cell[c], len[c] bytes; `ascii` when all are
 * ASCII) wrapped to their columns (into `lines`, NCOLS of them, kept from
 * row to row), as many lines as the tallest cell; no line ends in blanks.
 * `diag`: the row of a scope that could not be read; `color`: its status
 * painted (never the headings). */
static int add_row(ss_buf *out, const char *const *cell, const size_t *len, int ascii,
		   const layout *l, const ss_report_opts *o, int diag, int color, cell_lines *lines)
{
	/* A scope that could not be read: its diagnostic (file:line:col:
	 * message) whole, on one line of its own, as an editor reads it. */
	int below = l->why_below || diag;
	int r = 0, last = below ? C_WHY - 1 : C_WHY;
	cell_line one[NCOLS];
	if (!o->general_rows && !diag && one_line_cells(cell, len, l, last, one)) {
		int end = last;
		while (end > 0 && !one[end].len)
			end--;
		if (ascii && !color) {
			r = add_aligned_line(out, one, end, l);
		} else {
			cell_lines single[NCOLS];
			for (int c = 0; c <= last; c++)
				single[c] = (cell_lines){&one[c], 1, 1};
			r = add_row_line(out, single, 0, end, l, color, ascii);
		}
		/* (an empty WHY is no line) */
		if (r == 0 && below && len[C_WHY])
			r = wrap_cell(cell, len, C_WHY, l, o, 0, lines) < 0
				? -1
				: add_why_below(out, &lines[C_WHY]);
		return r;
	}
	size_t height = 0;
	for (int c = 0; c < NCOLS && !r; c++) {
		r = wrap_cell(cell, len, c, l, o, diag, lines);
		if (c <= last && lines[c].n > height)
			height = lines[c].n;
	}
	for (size_t k = 0; k < height && !r; k++) {
		int end = last;
		while (end > 0 &&
		       (k >= lines[end].n || (!lines[end].v[k].len && !lines[end].v[k].dots)))
			end--;
		r = add_row_line(out, lines, k, end, l, color, ascii);
	}
	return r || !below ? r : add_why_below(out, &lines[C_WHY]);
}

/* --- the table, a scope at a time ---
 *
 * Each scope shown is kept as its row's cells (not the scope: a fleet's
 * scopes are never all held), the columns' natural widths and the
 * summary's counts are kept up to date, and the table is laid out and
 * written at the end, its rows grouped under their files. */

/* A kept row: its NCOLS cells one after another (a NUL after each),
 * after the offset where each ends (its NUL): the table measures no cell
 * again (strlen was a third of writing a fleet's). The offsets take a
 * byte each when the row is shorter than 256 bytes (a fleet's rows are),
 * else a uint32_t each (`wide`); rows are packed in the arena, unaligned.
 * A row of a 100,000-site table went from 104 bytes (24 here, 80 kept)
 * to 65, and the table's fresh memory with it: its page faults were a
 * fifth of its time. */
typedef struct text_row {
	const char *cells;
	uint32_t group;
	unsigned char error;
	unsigned char ascii; /* every cell is ASCII: a byte is a column */
	unsigned char wide;  /* the offsets are uint32_t */
} text_row;

/* The rows of one file (of one kind), in the order files first appear. */
typedef struct text_group {
	char *file;
	const char *kind; /* static */
	size_t nrows;
} text_group;

/* Rows kept, with what the layout needs of them: the whole table's, or a
 * part's (a run of scopes kept on another thread, merged in order). */
typedef struct text_rows {
	ss_arena cells;
	ss_buf row; /* the cells of the row being kept */
	text_row *rows;
	size_t nrows, rowcap;
	text_group *groups;
	size_t ngroups, groupcap, last_group;
	size_t width[NCOLS]; /* natural widths so far */
	size_t n, failed, errors, na;
} text_rows;

struct ss_text_report {
	const ss_report_opts *o;
	ss_buf *out;
	text_rows all; /* its widths start at the headings' */
};

struct ss_text_part {
	text_rows kept;
};

int ss_report_text_begin(ss_text_report **out_tr, const ss_report_opts *o, ss_buf *out, ss_diag *d)
{
	ss_text_report *tr = calloc(1, sizeof(*tr));
	if (!tr)
		return ss_diag_oom(d);
	tr->o = o;
	tr->out = out;
	for (int c = 0; c < NCOLS; c++)
		tr->all.width[c] = display_width(columns[c].heading);
	*out_tr = tr;
	return 0;
}

/* The group of (file, kind): the one before, else found or added; *out
 * its index. `file` is copied when added. */
static int group_of(text_rows *k, const char *file, const char *kind, uint32_t *out)
{
	for (size_t i = 0; i < k->ngroups; i++) {
		size_t g = (k->last_group + i) % k->ngroups;
		if (k->groups[g].kind == kind || strcmp(k->groups[g].kind, kind) == 0) {
			if (strcmp(k->groups[g].file, file) == 0) {
				k->last_group = g;
				*out = (uint32_t)g;
				return 0;
			}
		}
	}
	if (k->ngroups == UINT32_MAX ||
	    ss_array_room(&k->groups, &k->groupcap, k->ngroups, sizeof(*k->groups)) < 0)
		return -1;
	char *copy = ss_strdup(file);
	if (!copy)
		return -1;
	k->groups[k->ngroups] = (text_group){copy, kind, 0};
	k->last_group = k->ngroups++;
	*out = (uint32_t)k->last_group;
	return 0;
}

/* The offsets where a row's cells end, before its cells: a byte each
 * (narrow), else a uint32_t each. */
enum { NARROW_ENDS = NCOLS, WIDE_ENDS = NCOLS * sizeof(uint32_t) };

/* The row's cells (k->row, each ending at ends[c]) into the arena after
 * their offsets, with whether all are ASCII and whether the offsets are
 * wide; the natural widths grow to them (not to a diagnostic's WHY,
 * which has a line of its own). */
static const char *keep_cells(text_rows *k, int error, const size_t *ends, text_row *row)
{
	if (k->row.len > UINT32_MAX)
		return NULL; /* no report has such a row */
	int wide = k->row.len > UCHAR_MAX;
	size_t head = wide ? WIDE_ENDS : NARROW_ENDS;
	char *kept = ss_arena_alloc_packed(&k->cells, head + k->row.len);
	if (!kept)
		return NULL;
	for (int c = 0; c < NCOLS; c++) {
		if (wide) {
			uint32_t at = (uint32_t)ends[c];
			memcpy(kept + c * sizeof(at), &at, sizeof(at));
		} else {
			kept[c] = (char)(unsigned char)ends[c];
		}
	}
	kept += head;
	memcpy(kept, k->row.data, k->row.len);
	int ascii = all_ascii(kept, k->row.len);
	row->ascii = (unsigned char)ascii;
	row->wide = (unsigned char)wide;
	size_t from = 0;
	for (int c = 0; c < NCOLS; c++) {
		size_t w = ascii ? ends[c] - from : width_of(kept + from, ends[c] - from);
		from = ends[c] + 1;
		if (c == C_WHY && error)
			continue;
		if (w > k->width[c])
			k->width[c] = w;
	}
	return kept;
}

static int keep_row(text_rows *k, const ss_report_opts *o, const ss_scope *sc)
{
	if (ss_array_room(&k->rows, &k->rowcap, k->nrows, sizeof(*k->rows)) < 0)
		return -1;
	text_row *row = &k->rows[k->nrows];
	size_t ends[NCOLS];
	ss_buf_reset(&k->row);
	if (row_cells(sc, o, &k->row, ends) < 0 ||
	    group_of(k, sc->file, sc->kind, &row->group) < 0 ||
	    !(row->cells = keep_cells(k, sc->error != 0, ends, row)))
		return -1;
	row->error = sc->error != 0;
	k->groups[row->group].nrows++;
	k->nrows++;
	return 0;
}

static int keep_scope(text_rows *k, const ss_report_opts *o, const ss_scope *sc, ss_diag *d)
{
	k->n++;
	k->failed += ss_scope_failed(sc) && !sc->error;
	k->errors += sc->error != 0;
	k->na += sc->not_applicable && !sc->error;
	if (o->quiet || (o->failures && !ss_scope_failed(sc) && !sc->error))
		return 0;
	return keep_row(k, o, sc) < 0 ? ss_diag_oom(d) : 0;
}

int ss_report_text_scope(ss_text_report *tr, const ss_scope *sc, ss_diag *d)
{
	return keep_scope(&tr->all, tr->o, sc, d);
}

static void rows_free(text_rows *k)
{
	for (size_t g = 0; g < k->ngroups; g++)
		free(k->groups[g].file);
	free(k->groups);
	free(k->rows);
	ss_buf_release(&k->row);
	ss_arena_release(&k->cells);
}

ss_text_part *ss_report_text_part_new(void)
{
	return calloc(1, sizeof(ss_text_part));
}

int ss_report_text_part_scope(const ss_text_report *tr, ss_text_part *p, const ss_scope *sc,
			      ss_diag *d)
{
	return keep_scope(&p->kept, tr->o, sc, d);
}

/* Part k's rows after the table's, each of its groups the table's group
 * of that file and kind. */
static int merge_rows(text_rows *all, const text_rows *k)
{
	uint32_t *map = malloc((k->ngroups ? k->ngroups : 1) * sizeof(*map));
	if (!map)
		return -1;
	int r = 0;
	for (size_t g = 0; g < k->ngroups && r == 0; g++) {
		r = group_of(all, k->groups[g].file, k->groups[g].kind, &map[g]);
		if (r == 0)
			all->groups[map[g]].nrows += k->groups[g].nrows;
	}
	size_t need = all->nrows + k->nrows;
	if (r == 0)
		r = ss_array_reserve(&all->rows, &all->rowcap, need, sizeof(*all->rows));
	for (size_t i = 0; i < k->nrows && r == 0; i++) {
		all->rows[all->nrows + i] = k->rows[i];
		all->rows[all->nrows + i].group = map[k->rows[i].group];
	}
	if (r == 0)
		all->nrows = need;
	free(map);
	return r;
}

int ss_report_text_part_merge(ss_text_report *tr, ss_text_part *p, ss_diag *d)
{
	text_rows *all = &tr->all, *k = &p->kept;
	if (merge_rows(all, k) < 0)
		return ss_diag_oom(d);
	for (int c = 0; c < NCOLS; c++)
		if (k->width[c] > all->width[c])
			all->width[c] = k->width[c];
	all->n += k->n;
	all->failed += k->failed;
	all->errors += k->errors;
	all->na += k->na;
	/* The part starts again; the cells stay where they are (the merged
	 * rows point into them) until the part is freed. */
	for (size_t g = 0; g < k->ngroups; g++)
		free(k->groups[g].file);
	k->ngroups = k->last_group = k->nrows = 0;
	k->n = k->failed = k->errors = k->na = 0;
	memset(k->width, 0, sizeof(k->width));
	return 0;
}

void ss_report_text_part_free(ss_text_report *tr, ss_text_part *p)
{
	if (!p)
		return;
	ss_arena_adopt(&tr->all.cells, &p->kept.cells);
	rows_free(&p->kept);
	free(p);
}

/* The file of a group of rows, with its kind. */
static int add_heading(ss_buf *out, const text_group *g, const ss_report_opts *o)
{
	return (o->color && ss_buf_adds(out, "\033[1m") < 0) ||
		       add_display_path(out, g->file, o) < 0 ||
		       ss_buf_addf(out, " (%s)%s\n", g->kind, o->color ? "\033[0m" : "") < 0
		   ? -1
		   : 0;
}

/* Whether the rows are grouped already: each group's rows together, the
 * groups in the order they first appear (one file, or files one after
 * another: the usual table). */
static int rows_grouped(const text_rows *k)
{
	for (size_t i = 1; i < k->nrows; i++)
		if (k->rows[i].group < k->rows[i - 1].group)
			return 0;
	return 1;
}

/* The rows grouped under their files, files in the order they first
 * appear, rows in their order within a file (a counting sort); *out NULL
 * when they are grouped already (the order is theirs). -1: no memory. */
static int row_order(const ss_text_report *tr, size_t **out)
{
	*out = NULL;
	if (rows_grouped(&tr->all))
		return 0;
	size_t *order = malloc((tr->all.nrows ? tr->all.nrows : 1) * sizeof(*order));
	size_t *next = malloc((tr->all.ngroups ? tr->all.ngroups : 1) * sizeof(*next));
	if (order && next) {
		size_t at = 0;
		for (size_t g = 0; g < tr->all.ngroups; g++) {
			next[g] = at;
			at += tr->all.groups[g].nrows;
		}
		for (size_t i = 0; i < tr->all.nrows; i++)
			order[next[tr->all.rows[i].group]++] = i;
		*out = order;
	} else {
		free(order);
	}
	free(next);
	return *out ? 0 : -1;
}

/* Row i of the table as it is shown. */
static const text_row *shown_row(const ss_text_report *tr, const size_t *order, size_t i)
{
	return &tr->all.rows[order ? order[i] : i];
}

/* A kept row's cells and their lengths. */
static void split_cells(const text_row *row, const char **cell, size_t *len)
{
	const char *p = row->cells;
	size_t end[NCOLS];
	for (int c = 0; c < NCOLS; c++) {
		if (row->wide) {
			uint32_t at;
			memcpy(&at, p - WIDE_ENDS + c * sizeof(at), sizeof(at));
			end[c] = at;
		} else {
			end[c] = (unsigned char)p[c - NARROW_ENDS];
		}
	}
	for (size_t c = 0, from = 0; c < NCOLS; c++) {
		cell[c] = p + from;
		len[c] = end[c] - from;
		from = end[c] + 1;
	}
}

/* Rows order[from, to) of the table (rows [from, to) when `order` is
 * NULL) into `out`, each after its file's heading where the file
 * changes; `flush`: passed on when full (the caller's buffer). -1 when
 * memory runs out, with `d` set by a flush. */
static int add_rows(const ss_text_report *tr, const layout *l, const size_t *order, size_t from,
		    size_t to, ss_buf *out, int flush, ss_diag *d)
{
	const ss_report_opts *o = tr->o;
	cell_lines lines[NCOLS];
	memset(lines, 0, sizeof(lines));
	int r = 0;
	for (size_t i = from; i < to && r == 0; i++) {
		const text_row *row = shown_row(tr, order, i);
		const char *cell[NCOLS];
		size_t len[NCOLS];
		split_cells(row, cell, len);
		if ((i == 0 || row->group != shown_row(tr, order, i - 1)->group) &&
		    add_heading(out, &tr->all.groups[row->group], o) < 0)
			r = ss_diag_oom(d);
		else if (add_row(out, cell, len, row->ascii, l, o, row->error, o->color, lines) < 0)
			r = ss_diag_oom(d);
		else if (flush)
			r = ss_report_flush_if_full(o, out, d);
	}
	for (int c = 0; c < NCOLS; c++)
		free(lines[c].v);
	return r;
}

/* A large table is laid out in chunks of rows on two threads, and the
 * caller writes the chunks in order as they are done, laying out chunks
 * itself while it waits: the rows are laid out only once all are known
 * (the widths), which was a serial fifth of a 100,000-site audit; in two
 * fixed halves, the caller wrote the second half's copy after laying out
 * and writing its own, and that half's buffer was fresh memory. A chunk's
 * buffer is used again by the chunks after it. */
#define TABLE_SLOTS 4

typedef enum { TABLE_FREE, TABLE_FILLING, TABLE_FULL } table_slot_state;

/* Slots are two cache lines apart: the two chunks laid out at once are
 * in neighbouring slots, and with their buffers' lengths in one line each
 * append waited for the other processor (a 100,000-site table: 1.8% of
 * the samples in ss_buf_grow's length check, 0.5% apart; 1 ms of 40).
 * Padding, not alignas: MinGW does not align the stack beyond 16 bytes. */
typedef struct table_slot {
	ss_buf out;
	table_slot_state state;
	int ok; /* laid out (else memory ran out there: laid out again when written) */
	char apart[128 - sizeof(ss_buf) - sizeof(table_slot_state) - sizeof(int)];
} table_slot;

typedef struct table_pipe {
	const ss_text_report *tr;
	const layout *l;
	const size_t *order;
	size_t rows, chunks, next; /* rows a chunk; chunks; the next to claim */
	int stop;		   /* writing failed: nothing more is claimed */
	ss_os_monitor *mon;
	table_slot slot[TABLE_SLOTS];
} table_pipe;

static size_t chunk_end(const table_pipe *p, size_t c)
{
	size_t n = p->tr->all.nrows;
	return n / p->rows > c ? (c + 1) * p->rows : n;
}

/* Chunk c's rows into its slot (claimed). */
static void lay_out_chunk(table_pipe *p, size_t c)
{
	table_slot *s = &p->slot[c % TABLE_SLOTS];
	ss_diag ignored = SS_DIAG_INIT; /* no flush: only memory can fail */
	ss_buf_reset(&s->out);
	int ok = add_rows(p->tr, p->l, p->order, c * p->rows, chunk_end(p, c), &s->out, 0,
			  &ignored) == 0;
	ss_diag_clear(&ignored);
	ss_os_monitor_enter(p->mon);
	s->ok = ok;
	s->state = TABLE_FULL;
	ss_os_monitor_wake(p->mon);
	ss_os_monitor_leave(p->mon);
}

/* With the lock held: the next chunk, claimed when its slot is free;
 * SIZE_MAX when there is none to claim now. */
static size_t claim_chunk(table_pipe *p)
{
	if (p->stop || p->next == p->chunks || p->slot[p->next % TABLE_SLOTS].state != TABLE_FREE)
		return SIZE_MAX;
	p->slot[p->next % TABLE_SLOTS].state = TABLE_FILLING;
	return p->next++;
}

/* With the lock held: lays out the chunks it can claim, waiting when it
 * can claim none, until `until` is laid out (NULL: until none is left). */
static void lay_out_until(table_pipe *p, const table_slot *until)
{
	while (until ? until->state != TABLE_FULL : !p->stop && p->next < p->chunks) {
		size_t c = claim_chunk(p);
		if (c == SIZE_MAX) {
			ss_os_monitor_wait(p->mon);
			continue;
		}
		ss_os_monitor_leave(p->mon);
		lay_out_chunk(p, c);
		ss_os_monitor_enter(p->mon);
	}
}

/* The second thread: lays out chunks in order until none is left. */
static void table_helper_run(void *arg)
{
	table_pipe *p = arg;
	ss_os_monitor_enter(p->mon);
	lay_out_until(p, NULL);
	ss_os_monitor_leave(p->mon);
}

/* The caller's side: chunk c, laid out (here, or by the other thread
 * while this one lays out others), then written. */
static int write_chunk(table_pipe *p, size_t c, ss_diag *d)
{
	table_slot *s = &p->slot[c % TABLE_SLOTS];
	ss_os_monitor_enter(p->mon);
	lay_out_until(p, s);
	ss_os_monitor_leave(p->mon);
	const ss_report_opts *o = p->tr->o;
	int r =
	    s->ok ? ss_report_add_flushed(o, p->tr->out, s->out.data, s->out.len, d)
		  : add_rows(p->tr, p->l, p->order, c * p->rows, chunk_end(p, c), p->tr->out, 1, d);
	ss_os_monitor_enter(p->mon);
	s->state = TABLE_FREE;
	p->stop |= r < 0;
	ss_os_monitor_wake(p->mon);
	ss_os_monitor_leave(p->mon);
	return r;
}

/* The rows, in chunks of o->split_at rows, on two threads when there are
 * several: the same bytes as on one. */
static int add_all_rows(ss_text_report *tr, const layout *l, const size_t *order, ss_diag *d)
{
	table_pipe p;
	memset(&p, 0, sizeof(p));
	p.tr = tr;
	p.l = l;
	p.order = order;
	p.rows = tr->o->split_at ? tr->o->split_at : SS_REPORT_SPLIT_ROWS;
	p.chunks = tr->all.nrows / p.rows + (tr->all.nrows % p.rows != 0);
	ss_os_thread *t = NULL;
	if (p.chunks < 2 || !(p.mon = ss_os_monitor_new()) ||
	    ss_os_thread_start(&t, table_helper_run, &p) < 0) {
		if (p.mon)
			ss_os_monitor_free(p.mon);
		return add_rows(tr, l, order, 0, tr->all.nrows, tr->out, 1, d);
	}
	int r = 0;
	for (size_t c = 0; c < p.chunks && r == 0; c++)
		r = write_chunk(&p, c, d);
	ss_os_thread_join(t);
	ss_os_monitor_free(p.mon);
	for (int i = 0; i < TABLE_SLOTS; i++)
		ss_buf_release(&p.slot[i].out);
	return r;
}

/* The heading row and the rows, grouped under their files. */
static int add_table(ss_text_report *tr, ss_diag *d)
{
	const ss_report_opts *o = tr->o;
	layout l;
	memset(&l, 0, sizeof(l));
	memcpy(l.width, tr->all.width, sizeof(l.width));
	fit(o, &l);
	const char *heading[NCOLS];
	size_t len[NCOLS];
	for (int c = 0; c < NCOLS; c++)
		heading[c] = columns[c].heading;
	if (l.why_below)
		heading[C_WHY] = "";
	int ascii = 1;
	for (int c = 0; c < NCOLS; c++) {
		len[c] = strlen(heading[c]);
		ascii &= all_ascii(heading[c], len[c]);
	}
	cell_lines lines[NCOLS];
	memset(lines, 0, sizeof(lines));
	size_t *order;
	int r = row_order(tr, &order) < 0 ||
			add_row(tr->out, heading, len, ascii, &l, o, 0, 0, lines) < 0
		    ? ss_diag_oom(d)
		    : 0;
	for (int c = 0; c < NCOLS; c++)
		free(lines[c].v);
	if (r == 0)
		r = add_all_rows(tr, &l, order, d);
	free(order);
	return r;
}

static int add_summary(ss_buf *out, const ss_text_report *tr, const ss_report_opts *o)
{
	size_t n = tr->all.n, failed = tr->all.failed, errors = tr->all.errors, na = tr->all.na;
	if (ss_buf_addf(out, "%zu scope%s, %zu passed, %zu failed", n, n == 1 ? "" : "s",
			n - failed - errors - na, failed) < 0 ||
	    (errors && ss_buf_addf(out, ", %zu error%s", errors, errors == 1 ? "" : "s") < 0) ||
	    (na && ss_buf_addf(out, ", %zu not applicable", na) < 0) ||
	    ss_buf_addf(out, " (NAT timeout %lds)\n", o->nat_timeout) < 0)
		return -1;
	return 0;
}

int ss_report_text_end(ss_text_report *tr, ss_diag *d)
{
	int r = tr->all.nrows ? add_table(tr, d) : 0;
	if (r == 0 && add_summary(tr->out, tr, tr->o) < 0)
		r = ss_diag_oom(d);
	ss_report_text_free(tr);
	return r;
}

void ss_report_text_free(ss_text_report *tr)
{
	if (!tr)
		return;
	rows_free(&tr->all);
	free(tr);
}

int ss_report_text(const ss_scopes *s, const ss_report_opts *o, ss_buf *out, ss_diag *d)
{
	ss_text_report *tr = NULL;
	if (ss_report_text_begin(&tr, o, out, d) < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		if (ss_report_text_scope(tr, &s->v[i], d) < 0) {
			ss_report_text_free(tr);
			return -1;
		}
	return ss_report_text_end(tr, d);
}
