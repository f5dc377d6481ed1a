/* apply for ssh_config: every keepalive line of the tree gets the value,
 * and a missing default goes at the end (the last `Host *` block, or a new
 * one) so that every host gets it and per-host lines keep working.
 * Only argument bytes are replaced; one line per missing setting is
 * inserted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openssh_int.h"
#include "sshsync/edit.h"
#include "sshsync/safewrite.h"

typedef struct want {
	oss_op op;
	const char *keyword; /* for an inserted line */
	char value[32];
	long number; /* the asked value as evaluation stores it */
	int asked;
	int global; /* a line active for every host exists */
} want;

/* The value of setting line `item` replaced (the line lexed again: a lean
 * tree keeps none). -1 with `d` set. */
static int replace_arg(const ss_openssh *c, uint32_t file, uint32_t item, ss_edits *e,
		       const char *v, ss_diag *d)
{
	ss_sshconf_item it;
	if (oss_relex(c, file, item, &it, d) < 0)
		return -1;
	const ss_sshconf_arg *a = &it.args[0];
	int r = ss_edits_replace(e, a->start, a->end, v, strlen(v));
	ss_sshconf_item_free(&it);
	return r < 0 ? ss_diag_oom(d) : 0;
}

/* 1 when a line's arguments are all "*". */
static int host_star(const ss_sshconf_item *it)
{
	if (it->nargs == 0)
		return 0;
	for (size_t i = 0; i < it->nargs; i++)
		if (strcmp(it->args[i].value, "*") != 0)
			return 0;
	return 1;
}

/* host_star for a Host block. */
static int block_star(const oss_block *b)
{
	if (b->npat == 0 || b->literal)
		return 0; /* a literal block keeps no patterns: it has no `*` */
	for (size_t i = 0; i < b->npat; i++)
		if (strcmp(b->pat[i], "*") != 0)
			return 0;
	return 1;
}

/* Blocks active for every host: lines outside any Host/Match, `Host *`,
 * `Match all`, and what is included from there. */
static int *global_blocks(const ss_openssh *c)
{
	int *g = calloc(c->nblocks ? c->nblocks : 1, sizeof(*g));
	if (!g)
		return NULL;
	for (size_t b = 0; b < c->nblocks; b++) {
		const oss_block *blk = &c->blocks[b];
		int outer = blk->inc < 0 || g[blk->inc];
		switch (blk->kind) {
		case BK_CONT:
			g[b] = blk->parent < 0 || g[blk->parent];
			break;
		case BK_HOST:
			g[b] = outer && block_star(blk);
			break;
		case BK_MATCH:
			g[b] = outer && blk->ncrit == 1 && blk->crit[0].kind == MC_ALL &&
			       !blk->crit[0].negate;
			break;
		default:
			g[b] = 0;
		}
	}
	return g;
}

static want *want_for(want *w, size_t n, oss_op op)
{
	for (size_t i = 0; i < n; i++)
		if (w[i].op == op && w[i].asked)
			return &w[i];
	return NULL;
}

/* Whether a line's value already means what is asked ("1m" is 60, "Yes"
 * is yes): such a line is left as it is. */
static int already(const oss_dir *dir, const want *x)
{
	if (dir->op == OP_TCPKA)
		return oss_dir_value(dir) == x->number;
	return oss_dir_value(dir) >= 0 && oss_dir_value(dir) == x->number;
}

/* Where missing defaults go in the main file (ssh_config(5): specific
 * declarations first, general defaults at the end): the end of the file
 * when it has no Host or Match line; the end of its last block when that
 * block is `Host *`; else a new `Host *` block appended at the end. */
typedef struct spot {
	size_t line;	    /* insert before this line */
	int new_block;	    /* a `Host *` header goes first */
	int blank_before;   /* and a blank line before it */
	const char *indent; /* of the inserted setting lines */
	size_t indent_len;
} spot;

/* The file's lines are lexed again, one at a time (a lean tree keeps
 * none). -1 with `d` set. */
static int default_spot(const oss_file *f, spot *s, ss_diag *d)
{
	const ss_text *t = &f->text;
	size_t nitems = t->nlines;
	size_t last_header = nitems, last_dir = nitems;
	int last_header_star = 0, last_blank = 0;
	const char *block_indent = NULL;
	size_t block_indent_len = 0;
	memset(s, 0, sizeof(*s));
	s->indent = "";
	ss_sshconf_lexer lx = SS_SSHCONF_LEXER_INIT;
	for (size_t i = 0; i < nitems; i++) {
		ss_sshconf_item line, *it = &line;
		if (ss_sshconf_lexer_line(&lx, t, i, &line, d) < 0) {
			ss_sshconf_lexer_free(&lx);
			return -1;
		}
		last_blank = it->kind == SS_SSHCONF_BLANK;
		if (it->kind != SS_SSHCONF_DIRECTIVE)
			continue;
		if (ss_sshconf_is(it, "host") || ss_sshconf_is(it, "match")) {
			last_header = i;
			last_header_star = host_star(it);
			continue;
		}
		last_dir = i;
		size_t ind = it->kw_start - f->text.lines[i];
		if (last_header < nitems && ind > 0 && !block_indent) {
			block_indent = f->text.data + f->text.lines[i];
			block_indent_len = ind;
		}
		if (last_header == nitems || last_dir > last_header) {
			s->indent = f->text.data + f->text.lines[i];
			s->indent_len = ind;
		}
	}
	ss_sshconf_lexer_free(&lx);
	if (last_header == nitems) {
		/* No blocks: after the last setting line, else at the end. */
		s->line = last_dir < nitems ? last_dir + 1 : nitems;
		return 0;
	}
	if (last_header_star) {
		s->line =
		    (last_dir > last_header && last_dir < nitems ? last_dir : last_header) + 1;
		if (last_dir <= last_header || last_dir == nitems) {
			s->indent = block_indent ? block_indent : "    ";
			s->indent_len = block_indent ? block_indent_len : 4;
		}
		return 0;
	}
	s->line = nitems;
	s->new_block = 1;
	s->blank_before = nitems > 0 && !last_blank;
	s->indent = block_indent ? block_indent : "    ";
	s->indent_len = block_indent ? block_indent_len : 4;
	return 0;
}

/* The missing lines go in as one insertion (one block of lines). */
static int insert_defaults(const oss_file *main, want *w, size_t nw, ss_edits *e, ss_diag *d)
{
	int missing = 0;
	for (size_t i = 0; i < nw; i++)
		missing |= w[i].asked && !w[i].global;
	spot s;
	if (!missing)
		return 0;
	if (default_spot(main, &s, d) < 0)
		return -1;
	const char *eol = ss_text_eol_string(&main->text);
	ss_buf b = SS_BUF_INIT;
	int r = 0, any = 0;
	for (size_t i = 0; i < nw; i++) {
		if (!w[i].asked || w[i].global)
			continue;
		if (!any && s.new_block)
			r |= ss_buf_addf(&b, "%sHost *%s", s.blank_before ? eol : "", eol);
		else if (any)
			r |= ss_buf_adds(&b, eol);
		any = 1;
		r |= ss_buf_addf(&b, "%.*s%s %s", (int)s.indent_len, s.indent, w[i].keyword,
				 w[i].value);
	}
	if (r == 0 && any)
		r = ss_edits_insert_line(e, &main->text, s.line, ss_buf_str(&b));
	ss_buf_release(&b);
	return r < 0 ? ss_diag_oom(d) : 0;
}

static int plan_edits(ss_openssh *c, want *w, size_t nw, ss_edits *edits, ss_diag *d)
{
	int *g = global_blocks(c);
	unsigned char **done = calloc(c->nfiles, sizeof(*done));
	int r = g && done ? 0 : -1;
	for (size_t f = 0; f < c->nfiles && r == 0; f++)
		if (!(done[f] = calloc(c->files[f].text.nlines + 1, 1)))
			r = -1;
	/* Every existing line, whatever block it is in. */
	for (size_t b = 0; b < c->nblocks && r == 0; b++) {
		const oss_block *blk = &c->blocks[b];
		for (size_t i = blk->dir_first, end = oss_block_dir_end(c, blk); i < end && r == 0;
		     i++) {
			const oss_dir *dir = &c->dirs[i];
			want *x = want_for(w, nw, dir->op);
			if (!x)
				continue;
			if (g[b])
				x->global = 1;
			/* A file included twice is edited once. */
			if (done[dir->file][dir->item] || already(dir, x))
				continue;
			done[dir->file][dir->item] = 1;
			r = replace_arg(c, dir->file, dir->item, &edits[dir->file], x->value, d);
		}
	}
	for (size_t f = 0; done && f < c->nfiles; f++)
		free(done[f]);
	free(done);
	free(g);
	if (r < 0)
		return ss_diag_is_set(d) ? -1 : ss_diag_oom(d);
	return insert_defaults(&c->files[0], w, nw, &edits[0], d);
}

/* An included file that must change has to be writable: say which. */
static int check_included(ss_openssh *c, ss_edits *edits, ss_diag *d)
{
	for (size_t i = 1; i < c->nfiles; i++) {
		if (!ss_edits_change_anything(&c->files[i].text, &edits[i]))
			continue;
		ss_diag why = SS_DIAG_INIT;
		if (ss_safe_write_check(&c->files[i].text, &why) == 0)
			continue;
		ss_diag_set(d, c->files[i].path, 0, 0,
			    "this file is included by %s and sets a keepalive, but it cannot be "
			    "written (%s): nothing was changed; make it writable or change it "
			    "by hand",
			    c->files[0].path, why.message ? why.message : "unknown reason");
		ss_diag_clear(&why);
		return -1;
	}
	return 0;
}

int oss_move_to_changeset(ss_openssh *c, ss_edits *edits, ss_changeset *cs, ss_diag *d)
{
	for (size_t i = 0; i < c->nfiles; i++) {
		ss_text *t = malloc(sizeof(*t));
		if (!t)
			return ss_diag_oom(d);
		*t = c->files[i].text;
		memset(&c->files[i].text, 0, sizeof(c->files[i].text));
		c->files[i].moved = 1;
		ss_change *ch = ss_changeset_add(cs, t);
		if (!ch)
			return ss_diag_oom(d);
		ch->edits = edits[i];
		memset(&edits[i], 0, sizeof(edits[i]));
	}
	return 0;
}

int ss_openssh_plan(ss_openssh *c, const ss_policy *p, ss_changeset *cs, ss_diag *d)
{
	if (p->interval == SS_UNSET || p->interval < 0)
		return ss_diag_set(d, c->files[0].path, 0, 0,
				   "apply needs an interval: expected --interval SECONDS");
	want w[3] = {
	    {OP_INTERVAL, "ServerAliveInterval", "", p->interval, 1, 0},
	    {OP_COUNTMAX, "ServerAliveCountMax", "", p->count_max, p->count_max != SS_UNSET, 0},
	    {OP_TCPKA, "TCPKeepAlive", "", p->tcp_keepalive != 0, p->tcp_keepalive != SS_UNSET, 0},
	};
	snprintf(w[0].value, sizeof(w[0].value), "%ld", p->interval);
	snprintf(w[1].value, sizeof(w[1].value), "%ld", p->count_max);
	snprintf(w[2].value, sizeof(w[2].value), "%s", p->tcp_keepalive ? "yes" : "no");
	ss_edits *edits = calloc(c->nfiles, sizeof(*edits));
	if (!edits)
		return ss_diag_oom(d);
	int r = plan_edits(c, w, 3, edits, d);
	if (r == 0)
		r = check_included(c, edits, d);
	/* Every file the config reaches, edited or not: the engine plans a
	 * file reached by several targets once. */
	if (r == 0)
		r = oss_move_to_changeset(c, edits, cs, d);
	for (size_t i = 0; i < c->nfiles; i++)
		ss_edits_free(&edits[i]);
	free(edits);
	return r;
}
