/* The audit as an aligned text table with a one-line summary. */
#include <stdlib.h>
#include <string.h>

#include "sshsync/report.h"

enum { NCOLS = 9 };

static const char *const headings[NCOLS] = {"KIND", "FILE",   "SCOPE",	"INTERVAL", "COUNT",
					    "TCP",  "SET AT", "STATUS", "WHY"};

/* Characters on screen (UTF-8 continuation bytes take no column). */
static size_t display_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

/* The setting, and the period on the wire where the two differ. */
static char *interval_text(const ss_scope *sc)
{
	long v = sc->interval, period = ss_scope_period(sc);
	if (sc->not_applicable)
		return ss_strdup("-");
	if (v == SS_UNKNOWN)
		return ss_strdup("?");
	if (v == 0)
		return ss_strdup("off");
	if (period != v)
		return ss_asprintf("%lds (probes every %lds)", v, period);
	return ss_asprintf("%lds", v);
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

static char *printable(const char *s)
{
	ss_buf b = SS_BUF_INIT;
	if (ss_report_add_printable(&b, s) < 0) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

/* "line 12" when the value was set in the scope's own file. */
static char *set_at_text(const ss_scope *sc)
{
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
	return printable(sc->set_at);
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

static char *reasons_text(const ss_scope *sc)
{
	ss_buf b = SS_BUF_INIT;
	int r = 0;
	for (size_t i = 0; i < sc->reasons.n; i++) {
		if (i)
			r |= ss_buf_adds(&b, "; ");
		r |= ss_report_add_printable(&b, sc->reasons.v[i]);
	}
	if (r) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

/* The cells of one row, each newly allocated; -1 when memory runs out. */
static int row_cells(const ss_scope *sc, char **cell)
{
	cell[0] = ss_strdup(sc->kind);
	cell[1] = printable(sc->file);
	cell[2] = scope_text(sc);
	cell[3] = interval_text(sc);
	cell[4] = optional_text(sc->count_max, 0);
	cell[5] = optional_text(sc->tcp_keepalive, 1);
	cell[6] = sc->set_at ? set_at_text(sc) : ss_strdup("default");
	cell[7] = ss_strdup(sc->error		  ? "ERROR"
			    : sc->not_applicable  ? "n/a"
			    : ss_scope_failed(sc) ? "FAIL"
						  : "pass");
	cell[8] = reasons_text(sc);
	for (int i = 0; i < NCOLS; i++)
		if (!cell[i])
			return -1;
	return 0;
}

static void free_cells(char **cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cells[i]);
	free(cells);
}

static int add_cell(ss_buf *out, const char *text, size_t width, int last, const char *color)
{
	int r = 0;
	if (color)
		r |= ss_buf_adds(out, color);
	r |= ss_buf_adds(out, text);
	if (color)
		r |= ss_buf_adds(out, "\033[0m");
	if (!last)
		for (size_t w = display_width(text); w < width + 2; w++)
			r |= ss_buf_addc(out, ' ');
	return r;
}

static int add_row(ss_buf *out, char *const *cell, const size_t *width, int color)
{
	int r = 0;
	int last_col = cell[NCOLS - 1][0] ? NCOLS - 1 : NCOLS - 2;
	for (int i = 0; i <= last_col; i++) {
		const char *c = NULL;
		if (color && i == 7)
			c = strcmp(cell[7], "pass") != 0 ? "\033[31m" : "\033[32m";
		r |= add_cell(out, cell[i], width[i], i == last_col, c);
	}
	return r | ss_buf_addc(out, '\n');
}

int ss_report_text(const ss_scopes *s, const ss_report_opts *o, ss_buf *out, ss_diag *d)
{
	size_t ncells = (s->n + 1) * NCOLS;
	char **cells = calloc(ncells, sizeof(*cells));
	if (!cells)
		return ss_diag_oom(d);
	size_t width[NCOLS] = {0}, failed = 0, errors = 0, na = 0;
	int r = 0;
	for (int i = 0; i < NCOLS && !r; i++)
		r = (cells[i] = ss_strdup(headings[i])) ? 0 : -1;
	for (size_t i = 0; i < s->n && !r; i++) {
		r = row_cells(&s->v[i], cells + (i + 1) * NCOLS);
		failed += ss_scope_failed(&s->v[i]) && !s->v[i].error;
		errors += s->v[i].error != 0;
		na += s->v[i].not_applicable && !s->v[i].error;
	}
	for (size_t i = 0; i < ncells && !r; i++) {
		size_t w = display_width(cells[i]);
		if (w > width[i % NCOLS])
			width[i % NCOLS] = w;
	}
	for (size_t i = 0; i <= s->n && !r; i++)
		r = add_row(out, cells + i * NCOLS, width, o->color && i > 0);
	if (!r)
		r = ss_buf_addf(out, "%zu scope%s, %zu passed, %zu failed", s->n,
				s->n == 1 ? "" : "s", s->n - failed - errors - na, failed) < 0 ||
		    (errors &&
		     ss_buf_addf(out, ", %zu error%s", errors, errors == 1 ? "" : "s") < 0) ||
		    (na && ss_buf_addf(out, ", %zu not applicable", na) < 0) ||
		    ss_buf_addf(out, " (NAT timeout %lds)\n", o->nat_timeout) < 0;
	free_cells(cells, ncells);
	return r ? ss_diag_oom(d) : 0;
}
