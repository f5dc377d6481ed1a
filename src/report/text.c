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
#include <stdlib.h>
#include <string.h>

#include "sshsync/report.h"
#include "sshsync/arena.h"
#include "sshsync/os_path.h"

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

/* Characters on screen (UTF-8 continuation bytes take no column). */
static size_t display_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

/* The next character of a UTF-8 string. */
static const char *next_char(const char *p)
{
	for (p++; ((unsigned char)*p & 0xC0) == 0x80; p++)
		;
	return p;
}

static char *printable(const char *s)
{
	ss_buf b = SS_BUF_INIT;
	if (ss_report_add_printable(&b, s) < 0) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
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
static char *display_path(const char *path, const ss_report_opts *o)
{
	char *shown = ss_report_short_path(path, o->home, o->cwd);
	if (!shown)
		return NULL;
	char *p = printable(shown);
	free(shown);
	return p;
}

/* The setting, and the period on the wire where the two differ. */
static char *interval_text(const ss_scope *sc)
{
	long long v = sc->interval, period = ss_scope_period(sc);
	if (sc->not_applicable)
		return ss_strdup("-");
	if (v == SS_UNKNOWN)
		return ss_strdup("?");
	if (v == 0)
		return ss_strdup("off");
	if (period != v)
		return ss_asprintf("%llds (probes every %llds)", v, period);
	return ss_asprintf("%llds", v);
}

static char *optional_text(long long v, int boolean)
{
	if (v == SS_UNSET)
		return ss_strdup("-");
	if (v == SS_UNKNOWN)
		return ss_strdup("?");
	if (boolean)
		return ss_strdup(v ? "yes" : "no");
	return ss_asprintf("%lld", v);
}

/* "FILE:N" of the scope's own file as "line N", the others as paths. */
static char *set_at_text(const ss_scope *sc, const ss_report_opts *o)
{
	if (sc->error)
		return ss_strdup("-"); /* no value, so no place it was set */
	if (!sc->set_at)
		return ss_strdup("default");
	size_t n = strlen(sc->file);
	if (strncmp(sc->set_at, sc->file, n) == 0 && sc->set_at[n] == ':') {
		ss_buf b = SS_BUF_INIT;
		if (ss_buf_adds(&b, "line ") < 0 ||
		    ss_report_add_printable(&b, sc->set_at + n + 1) < 0) {
			ss_buf_release(&b);
			return NULL;
		}
		return ss_buf_detach(&b, NULL);
	}
	/* Another file: beside the scope's file (an Include, a drop-in), the
	 * path from that file's directory; else as the heading shows paths. */
	size_t dir = (size_t)(ss_os_base_name(sc->file) - sc->file);
	if (dir && strncmp(sc->set_at, sc->file, dir) == 0)
		return printable(sc->set_at + dir);
	return display_path(sc->set_at, o);
}

/* The scope's name, and the host it is judged on when it has one. */
static char *scope_text(const ss_scope *sc)
{
	ss_buf b = SS_BUF_INIT;
	int r = ss_report_add_printable(&b, sc->name);
	if (sc->witness)
		r |= ss_buf_adds(&b, " (witness ") | ss_report_add_printable(&b, sc->witness) |
		     ss_buf_addc(&b, ')');
	if (r) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

/* n bytes of s, printable. */
static int add_printable_n(ss_buf *b, const char *s, size_t n)
{
	char *part = ss_strndup(s, n);
	int r = part ? ss_report_add_printable(b, part) : -1;
	free(part);
	return r;
}

/* A reason, with "FILE:N" of the scope's own file said "line N": the file
 * is the heading already. */
static int add_reason(ss_buf *b, const char *reason, const char *file)
{
	size_t n = strlen(file);
	const char *p = reason;
	while (*p) {
		const char *hit = n ? strstr(p, file) : NULL;
		while (hit && !(hit[n] == ':' && isdigit((unsigned char)hit[n + 1])))
			hit = strstr(hit + 1, file);
		if (!hit)
			return ss_report_add_printable(b, p);
		if (add_printable_n(b, p, (size_t)(hit - p)) < 0 || ss_buf_adds(b, "line ") < 0)
			return -1;
		p = hit + n + 1;
	}
	return 0;
}

/* The reasons, "; " between them. Unless `whole`, each is said by what
 * comes before its first ": " (the explanation that follows is for
 * --verbose). */
static char *reasons_text(const ss_scope *sc, int whole)
{
	ss_buf b = SS_BUF_INIT;
	int r = 0;
	for (size_t i = 0; i < sc->reasons.n && !r; i++) {
		const char *why = sc->reasons.v[i], *colon = whole ? NULL : strstr(why, ": ");
		char *gist = colon ? ss_strndup(why, (size_t)(colon - why)) : NULL;
		if (i)
			r = ss_buf_adds(&b, "; ");
		r = r || (colon && !gist)
			? -1
			: add_reason(&b, gist ? gist : why, sc->error ? "" : sc->file);
		free(gist);
	}
	if (r) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

static const char *status_text(const ss_scope *sc)
{
	return sc->error	     ? "ERROR"
	       : sc->not_applicable  ? "n/a"
	       : ss_scope_failed(sc) ? "FAIL"
				     : "pass";
}

/* The cells of one row, each newly allocated; -1 when memory runs out. */
static int row_cells(const ss_scope *sc, const ss_report_opts *o, char **cell)
{
	cell[C_SCOPE] = scope_text(sc);
	cell[C_INTERVAL] = interval_text(sc);
	cell[C_COUNT] = optional_text(sc->count_max, 0);
	cell[C_TCP] = optional_text(sc->tcp_keepalive, 1);
	cell[C_SETAT] = set_at_text(sc, o);
	cell[C_STATUS] = ss_strdup(status_text(sc));
	cell[C_WHY] = reasons_text(sc, o->verbose || sc->error);
	for (int i = 0; i < NCOLS; i++)
		if (!cell[i])
			return -1;
	return 0;
}

/* Cuts `text` into lines of at most `width` characters (0: one line), at
 * blanks when `words`. With `max` lines at most (0: all), the last one
 * ends in "..." when text was left out. */
static int wrap(const char *text, size_t width, int words, size_t max, ss_strlist *lines)
{
	const char *p = text;
	if (!width)
		return ss_strlist_push(lines, text);
	while (*p) {
		if (max && lines->n == max) {
			char *last = lines->v[lines->n - 1];
			size_t keep = 0, w = 0;
			for (const char *q = last; *q && w + 3 < width; q = next_char(q), w++)
				keep = (size_t)(next_char(q) - last);
			while (keep && last[keep - 1] == ' ')
				keep--;
			char *cut = ss_asprintf("%.*s...", (int)keep, last);
			if (!cut)
				return -1;
			free(last);
			lines->v[lines->n - 1] = cut;
			return 0;
		}
		const char *end = p, *blank = NULL;
		for (size_t w = 0; *end && w < width; end = next_char(end), w++)
			if (*end == ' ')
				blank = end;
		const char *cut = end;
		if (words && *end && *end != ' ' && blank && blank > p)
			cut = blank;
		size_t len = (size_t)(cut - p);
		while (len && p[len - 1] == ' ')
			len--;
		char *line = ss_strndup(p, len);
		if (!line || ss_strlist_push_owned(lines, line) < 0)
			return -1;
		for (p = cut; *p == ' '; p++)
			;
	}
	return lines->n ? 0 : ss_strlist_push(lines, "");
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
	int r = 0;
	while (n-- && !r)
		r = ss_buf_addc(out, ' ');
	return r;
}

/* One row, its cells wrapped to their columns, as many lines as the
 * tallest cell; no line ends in blanks. `diag`: the row of a scope that
 * could not be read; `color`: its status painted (never the headings). */
static int add_row(ss_buf *out, const char *const *cell, const layout *l, const ss_report_opts *o,
		   int diag, int color)
{
	ss_strlist lines[NCOLS];
	size_t height = 0;
	/* A scope that could not be read: its diagnostic (file:line:col:
	 * message) whole, on one line of its own, as an editor reads it. */
	int below = l->why_below || diag;
	int r = 0, last = below ? C_WHY - 1 : C_WHY;
	for (int c = 0; c < NCOLS; c++)
		lines[c] = (ss_strlist)SS_STRLIST_INIT;
	for (int c = 0; c < NCOLS && !r; c++) {
		size_t w = columns[c].min ? (c == C_WHY ? l->why_width : l->width[c]) : 0;
		size_t max = c == C_WHY && !o->verbose ? WHY_LINES : 0;
		if (c == C_WHY && diag)
			w = max = 0;
		r = wrap(cell[c], w, columns[c].words, max, &lines[c]);
		if (c <= last && lines[c].n > height)
			height = lines[c].n;
	}
	for (size_t k = 0; k < height && !r; k++) {
		int end = last;
		while (end > 0 && (k >= lines[end].n || !lines[end].v[k][0]))
			end--;
		r = add_spaces(out, INDENT);
		for (int c = 0; c <= end && !r; c++) {
			const char *t = k < lines[c].n ? lines[c].v[k] : "";
			const char *paint = color && c == C_STATUS && *t
						? (strcmp(t, "pass") == 0  ? "\033[32m"
						   : strcmp(t, "n/a") == 0 ? NULL
									   : "\033[31m")
						: NULL;
			r = (paint ? ss_buf_adds(out, paint) : 0) | ss_buf_adds(out, t) |
			    (paint ? ss_buf_adds(out, "\033[0m") : 0);
			size_t tw = display_width(t);
			if (c < end)
				r |= add_spaces(out, l->width[c] + GAP > tw ? l->width[c] + GAP - tw
									    : 1);
		}
		r |= ss_buf_addc(out, '\n');
	}
	for (size_t k = 0; below && k < lines[C_WHY].n && !r; k++)
		if (lines[C_WHY].v[k][0])
			r = add_spaces(out, BELOW) | ss_buf_adds(out, lines[C_WHY].v[k]) |
			    ss_buf_addc(out, '\n');
	for (int c = 0; c < NCOLS; c++)
		ss_strlist_release(&lines[c]);
	return r;
}

/* --- the table, a scope at a time ---
 *
 * Each scope shown is kept as its row's cells (not the scope: a fleet's
 * scopes are never all held), the columns' natural widths and the
 * summary's counts are kept up to date, and the table is laid out and
 * written at the end, its rows grouped under their files. */

/* A kept row: its NCOLS cells one after another (a NUL after each). */
typedef struct text_row {
	const char *cells;
	size_t group;
	int error;
} text_row;

/* The rows of one file (of one kind), in the order files first appear. */
typedef struct text_group {
	char *file;
	const char *kind; /* static */
	size_t nrows;
} text_group;

struct ss_text_report {
	const ss_report_opts *o;
	ss_buf *out;
	ss_arena cells;
	text_row *rows;
	size_t nrows, rowcap;
	text_group *groups;
	size_t ngroups, groupcap, last_group;
	size_t width[NCOLS]; /* natural widths so far, the headings' included */
	size_t n, failed, errors, na;
};

int ss_report_text_begin(ss_text_report **out_tr, const ss_report_opts *o, ss_buf *out, ss_diag *d)
{
	ss_text_report *tr = calloc(1, sizeof(*tr));
	if (!tr)
		return ss_diag_oom(d);
	tr->o = o;
	tr->out = out;
	for (int c = 0; c < NCOLS; c++)
		tr->width[c] = display_width(columns[c].heading);
	*out_tr = tr;
	return 0;
}

/* The group of (file, kind): the one before, else found or added. */
static int group_of(ss_text_report *tr, const ss_scope *sc, size_t *out)
{
	for (size_t k = 0; k < tr->ngroups; k++) {
		size_t g = (tr->last_group + k) % tr->ngroups;
		if (tr->groups[g].kind == sc->kind || strcmp(tr->groups[g].kind, sc->kind) == 0) {
			if (strcmp(tr->groups[g].file, sc->file) == 0) {
				*out = tr->last_group = g;
				return 0;
			}
		}
	}
	if (ss_array_room(&tr->groups, &tr->groupcap, tr->ngroups, sizeof(*tr->groups)) < 0)
		return -1;
	char *file = ss_strdup(sc->file);
	if (!file)
		return -1;
	tr->groups[tr->ngroups] = (text_group){file, sc->kind, 0};
	*out = tr->last_group = tr->ngroups++;
	return 0;
}

/* The row's cells into the arena, one after another; the natural widths
 * grow to them (not to a diagnostic's WHY, which has a line of its own). */
static const char *keep_cells(ss_text_report *tr, char **cell, int error)
{
	size_t len[NCOLS], total = 0;
	for (int c = 0; c < NCOLS; c++)
		total += (len[c] = strlen(cell[c])) + 1;
	char *kept = ss_arena_alloc(&tr->cells, total);
	if (!kept)
		return NULL;
	char *p = kept;
	for (int c = 0; c < NCOLS; c++) {
		memcpy(p, cell[c], len[c] + 1);
		p += len[c] + 1;
		if (c == C_WHY && error)
			continue;
		size_t w = display_width(cell[c]);
		if (w > tr->width[c])
			tr->width[c] = w;
	}
	return kept;
}

static int keep_row(ss_text_report *tr, const ss_scope *sc)
{
	if (ss_array_room(&tr->rows, &tr->rowcap, tr->nrows, sizeof(*tr->rows)) < 0)
		return -1;
	char *cell[NCOLS];
	text_row *row = &tr->rows[tr->nrows];
	int r = row_cells(sc, tr->o, cell) < 0 || group_of(tr, sc, &row->group) < 0 ||
		!(row->cells = keep_cells(tr, cell, sc->error != 0));
	for (int c = 0; c < NCOLS; c++)
		free(cell[c]);
	if (r)
		return -1;
	row->error = sc->error != 0;
	tr->groups[row->group].nrows++;
	tr->nrows++;
	return 0;
}

int ss_report_text_scope(ss_text_report *tr, const ss_scope *sc, ss_diag *d)
{
	tr->n++;
	tr->failed += ss_scope_failed(sc) && !sc->error;
	tr->errors += sc->error != 0;
	tr->na += sc->not_applicable && !sc->error;
	if (tr->o->quiet || (tr->o->failures && !ss_scope_failed(sc) && !sc->error))
		return 0;
	return keep_row(tr, sc) < 0 ? ss_diag_oom(d) : 0;
}

/* The file of a group of rows, with its kind. */
static int add_heading(ss_buf *out, const text_group *g, const ss_report_opts *o)
{
	char *path = display_path(g->file, o);
	if (!path)
		return -1;
	int r = ss_buf_addf(out, "%s%s (%s)%s\n", o->color ? "\033[1m" : "", path, g->kind,
			    o->color ? "\033[0m" : "") < 0;
	free(path);
	return r ? -1 : 0;
}

/* The rows grouped under their files, files in the order they first
 * appear, rows in their order within a file (a counting sort). */
static size_t *row_order(const ss_text_report *tr)
{
	size_t *order = malloc((tr->nrows ? tr->nrows : 1) * sizeof(*order));
	size_t *next = malloc((tr->ngroups ? tr->ngroups : 1) * sizeof(*next));
	if (order && next) {
		size_t at = 0;
		for (size_t g = 0; g < tr->ngroups; g++) {
			next[g] = at;
			at += tr->groups[g].nrows;
		}
		for (size_t i = 0; i < tr->nrows; i++)
			order[next[tr->rows[i].group]++] = i;
	} else {
		free(order);
		order = NULL;
	}
	free(next);
	return order;
}

static void split_cells(const char *p, const char **cell)
{
	for (int c = 0; c < NCOLS; c++) {
		cell[c] = p;
		p += strlen(p) + 1;
	}
}

/* The heading row and the rows, grouped under their files. */
static int add_table(ss_text_report *tr, ss_diag *d)
{
	const ss_report_opts *o = tr->o;
	layout l;
	memset(&l, 0, sizeof(l));
	memcpy(l.width, tr->width, sizeof(l.width));
	fit(o, &l);
	const char *heading[NCOLS];
	for (int c = 0; c < NCOLS; c++)
		heading[c] = columns[c].heading;
	if (l.why_below)
		heading[C_WHY] = "";
	size_t *order = row_order(tr);
	int r = !order || add_row(tr->out, heading, &l, o, 0, 0) < 0 ? ss_diag_oom(d) : 0;
	for (size_t i = 0; i < tr->nrows && r == 0; i++) {
		const text_row *row = &tr->rows[order[i]];
		const char *cell[NCOLS];
		split_cells(row->cells, cell);
		if ((i == 0 || row->group != tr->rows[order[i - 1]].group) &&
		    add_heading(tr->out, &tr->groups[row->group], o) < 0)
			r = ss_diag_oom(d);
		else if (add_row(tr->out, cell, &l, o, row->error, o->color) < 0)
			r = ss_diag_oom(d);
		else
			r = ss_report_flush_if_full(o, tr->out, d);
	}
	free(order);
	return r;
}

static int add_summary(ss_buf *out, const ss_text_report *tr, const ss_report_opts *o)
{
	size_t n = tr->n, failed = tr->failed, errors = tr->errors, na = tr->na;
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
	int r = tr->nrows ? add_table(tr, d) : 0;
	if (r == 0 && add_summary(tr->out, tr, tr->o) < 0)
		r = ss_diag_oom(d);
	ss_report_text_free(tr);
	return r;
}

void ss_report_text_free(ss_text_report *tr)
{
	if (!tr)
		return;
	for (size_t g = 0; g < tr->ngroups; g++)
		free(tr->groups[g].file);
	free(tr->groups);
	free(tr->rows);
	ss_arena_release(&tr->cells);
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
