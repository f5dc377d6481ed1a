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

static char *optional_text(long v, int boolean)
{
	if (v == SS_UNSET)
		return ss_strdup("-");
	if (v == SS_UNKNOWN)
		return ss_strdup("?");
	if (boolean)
		return ss_strdup(v ? "yes" : "no");
	return ss_asprintf("%ld", v);
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

/* Natural widths; then, to fit o->width: WHY wrapped beside the row, with
 * the columns before it squeezed as far as `beside` allows, or else WHY on
 * lines of its own under the row. */
static void fit(char **cells, size_t nrows, const ss_report_opts *o, layout *l, const ss_scopes *s,
		const size_t *order)
{
	for (size_t i = 0; i < nrows * NCOLS; i++) {
		size_t row = i / NCOLS;
		if (i % NCOLS == C_WHY && row && s->v[order[row - 1]].error)
			continue; /* a diagnostic has a line of its own */
		size_t w = display_width(cells[i]);
		if (w > l->width[i % NCOLS])
			l->width[i % NCOLS] = w;
	}
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
 * tallest cell; no line ends in blanks. */
static int add_row(ss_buf *out, char *const *cell, const layout *l, const ss_report_opts *o,
		   const ss_scope *sc)
{
	ss_strlist lines[NCOLS];
	size_t height = 0;
	/* A scope that could not be read: its diagnostic (file:line:col:
	 * message) whole, on one line of its own, as an editor reads it. */
	int diag = sc && sc->error, below = l->why_below || diag, color = sc && o->color;
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

/* The file of a group of rows, with its kind. */
static int add_heading(ss_buf *out, const ss_scope *sc, const ss_report_opts *o)
{
	char *path = display_path(sc->file, o);
	if (!path)
		return -1;
	int r = ss_buf_addf(out, "%s%s (%s)%s\n", o->color ? "\033[1m" : "", path, sc->kind,
			    o->color ? "\033[0m" : "") < 0;
	free(path);
	return r ? -1 : 0;
}

static int same_file(const ss_scope *a, const ss_scope *b)
{
	return strcmp(a->file, b->file) == 0 && strcmp(a->kind, b->kind) == 0;
}

/* The order rows are shown in: grouped by file, files in the order they
 * first appear, scopes in their order within a file. *n_out rows. */
static size_t *row_order(const ss_scopes *s, const ss_report_opts *o, size_t *n_out)
{
	size_t *order = calloc(s->n ? s->n : 1, sizeof(*order));
	char *placed = calloc(s->n ? s->n : 1, 1);
	size_t n = 0;
	if (!order || !placed) {
		free(order);
		free(placed);
		return NULL;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (placed[i])
			continue;
		for (size_t j = i; j < s->n; j++) {
			if (placed[j] || !same_file(&s->v[i], &s->v[j]))
				continue;
			placed[j] = 1;
			if (!o->failures || ss_scope_failed(&s->v[j]) || s->v[j].error)
				order[n++] = j;
		}
	}
	free(placed);
	*n_out = n;
	return order;
}

static int add_summary(ss_buf *out, const ss_scopes *s, const ss_report_opts *o)
{
	size_t failed = 0, errors = 0, na = 0;
	for (size_t i = 0; i < s->n; i++) {
		failed += ss_scope_failed(&s->v[i]) && !s->v[i].error;
		errors += s->v[i].error != 0;
		na += s->v[i].not_applicable && !s->v[i].error;
	}
	if (ss_buf_addf(out, "%zu scope%s, %zu passed, %zu failed", s->n, s->n == 1 ? "" : "s",
			s->n - failed - errors - na, failed) < 0 ||
	    (errors && ss_buf_addf(out, ", %zu error%s", errors, errors == 1 ? "" : "s") < 0) ||
	    (na && ss_buf_addf(out, ", %zu not applicable", na) < 0) ||
	    ss_buf_addf(out, " (NAT timeout %lds)\n", o->nat_timeout) < 0)
		return -1;
	return 0;
}

static void free_cells(char **cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cells[i]);
	free(cells);
}

/* The heading row and the rows (in `order`), grouped under their files. */
static int add_table(ss_buf *out, const ss_scopes *s, const size_t *order, size_t n,
		     const ss_report_opts *o)
{
	size_t ncells = (n + 1) * NCOLS;
	char **cells = calloc(ncells, sizeof(*cells));
	layout l;
	memset(&l, 0, sizeof(l));
	int r = cells ? 0 : -1;
	for (int c = 0; c < NCOLS && !r; c++)
		r = (cells[c] = ss_strdup(columns[c].heading)) ? 0 : -1;
	for (size_t i = 0; i < n && !r; i++)
		r = row_cells(&s->v[order[i]], o, cells + (i + 1) * NCOLS);
	if (!r) {
		fit(cells, n + 1, o, &l, s, order);
		if (l.why_below)
			cells[C_WHY][0] = '\0';
		r = add_row(out, cells, &l, o, NULL);
	}
	for (size_t i = 0; i < n && !r; i++) {
		const ss_scope *sc = &s->v[order[i]];
		if (i == 0 || !same_file(sc, &s->v[order[i - 1]]))
			r = add_heading(out, sc, o);
		r = r ? r : add_row(out, cells + (i + 1) * NCOLS, &l, o, sc);
	}
	if (cells)
		free_cells(cells, ncells);
	return r;
}

int ss_report_text(const ss_scopes *s, const ss_report_opts *o, ss_buf *out, ss_diag *d)
{
	size_t n = 0;
	int r = 0;
	if (!o->quiet) {
		size_t *order = row_order(s, o, &n);
		r = order ? 0 : -1;
		if (!r && n)
			r = add_table(out, s, order, n, o);
		free(order);
	}
	if (!r)
		r = add_summary(out, s, o);
	return r ? ss_diag_oom(d) : 0;
}
