/* apply for ssh_config: every keepalive line of the tree gets the value,
 * and a global line before the first Host/Match makes sure every host does.
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
	int asked;
	int global; /* a line active for every host exists */
} want;

static int replace_arg(const ss_text *t, ss_edits *e, const ss_sshconf_item *it, const char *v)
{
	(void)t;
	const ss_sshconf_arg *a = &it->args[0];
	return ss_edits_replace(e, a->start, a->end, v, strlen(v));
}

/* Blocks active for every host: the main file's lines before its first
 * Host/Match, and what is included from there before its own. */
static int *global_blocks(const ss_openssh *c)
{
	int *g = calloc(c->nblocks ? c->nblocks : 1, sizeof(*g));
	if (!g)
		return NULL;
	for (size_t b = 0; b < c->nblocks; b++) {
		const oss_block *blk = &c->blocks[b];
		g[b] = blk->kind == BK_CONT && (blk->parent < 0 || g[blk->parent]);
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

/* Where the global lines go in the main file: right after the last line
 * of the global section (with its indentation), or, when there is none,
 * before the first Host or Match, above the comment lines on top of it. */
static size_t insert_point(const oss_file *f, const char **indent, size_t *indent_len)
{
	const ss_sshconf *conf = &f->conf;
	size_t first = conf->nitems, last_global = conf->nitems;
	*indent = "";
	*indent_len = 0;
	for (size_t i = 0; i < conf->nitems; i++) {
		const ss_sshconf_item *it = &conf->items[i];
		if (ss_sshconf_is(it, "host") || ss_sshconf_is(it, "match")) {
			first = i;
			break;
		}
		if (it->kind == SS_SSHCONF_DIRECTIVE) {
			*indent = f->text.data + f->text.lines[i].start;
			*indent_len = it->kw_start - f->text.lines[i].start;
			last_global = i;
		}
	}
	if (last_global < conf->nitems)
		return last_global + 1;
	if (first == conf->nitems)
		return first;
	while (first > 0 && conf->items[first - 1].kind == SS_SSHCONF_COMMENT)
		first--;
	return first;
}

static int plan_edits(ss_openssh *c, want *w, size_t nw, ss_edits *edits, ss_diag *d)
{
	int *g = global_blocks(c);
	unsigned char **done = calloc(c->nfiles, sizeof(*done));
	int r = g && done ? 0 : -1;
	for (size_t f = 0; f < c->nfiles && r == 0; f++)
		if (!(done[f] = calloc(c->files[f].conf.nitems + 1, 1)))
			r = -1;
	/* Every existing line, whatever block it is in. */
	for (size_t b = 0; b < c->nblocks && r == 0; b++) {
		const oss_block *blk = &c->blocks[b];
		for (size_t i = blk->dir_first; i < blk->dir_first + blk->dir_n && r == 0; i++) {
			const oss_dir *dir = &c->dirs[i];
			want *x = want_for(w, nw, dir->op);
			if (!x)
				continue;
			if (g[b])
				x->global = 1;
			const ss_sshconf_item *it = &c->files[dir->file].conf.items[dir->item];
			/* A file included twice is edited once. */
			if (done[dir->file][dir->item])
				continue;
			done[dir->file][dir->item] = 1;
			r = replace_arg(&c->files[dir->file].text, &edits[dir->file], it, x->value);
		}
	}
	for (size_t f = 0; done && f < c->nfiles; f++)
		free(done[f]);
	free(done);
	free(g);
	if (r < 0)
		return ss_diag_oom(d);
	const char *indent;
	size_t indent_len;
	const oss_file *main = &c->files[0];
	size_t at = insert_point(main, &indent, &indent_len);
	for (size_t i = 0; i < nw; i++) {
		if (!w[i].asked || w[i].global)
			continue;
		char *line =
		    ss_asprintf("%.*s%s %s", (int)indent_len, indent, w[i].keyword, w[i].value);
		int rl = line ? ss_edits_insert_line(&edits[0], &main->text, at, line) : -1;
		free(line);
		if (rl < 0)
			return ss_diag_oom(d);
	}
	return 0;
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

int ss_openssh_plan(ss_openssh *c, const ss_policy *p, ss_changeset *cs, ss_diag *d)
{
	if (p->interval == SS_UNSET || p->interval < 0)
		return ss_diag_set(d, c->files[0].path, 0, 0,
				   "apply needs an interval: expected --interval SECONDS");
	want w[3] = {
	    {OP_INTERVAL, "ServerAliveInterval", "", 1, 0},
	    {OP_COUNTMAX, "ServerAliveCountMax", "", p->count_max != SS_UNSET, 0},
	    {OP_TCPKA, "TCPKeepAlive", "", p->tcp_keepalive != SS_UNSET, 0},
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
	for (size_t i = 0; i < c->nfiles && r == 0; i++) {
		if (i > 0 && edits[i].n == 0)
			continue;
		ss_text *t = malloc(sizeof(*t));
		if (!t) {
			r = ss_diag_oom(d);
			break;
		}
		*t = c->files[i].text;
		memset(&c->files[i].text, 0, sizeof(c->files[i].text));
		c->files[i].moved = 1;
		ss_change *ch = ss_changeset_add(cs, t);
		if (!ch) {
			r = ss_diag_oom(d);
			break;
		}
		ch->edits = edits[i];
		memset(&edits[i], 0, sizeof(edits[i]));
	}
	for (size_t i = 0; i < c->nfiles; i++)
		ss_edits_free(&edits[i]);
	free(edits);
	return r;
}
