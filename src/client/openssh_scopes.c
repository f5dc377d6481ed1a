/* The scopes of an ssh_config tree beyond its literal host names: each Host
 * pattern block and each Match block that can set a keepalive value, with
 * the witness it is judged on (a host name the block's patterns match and
 * its negations do not, as `ssh -G WITNESS` takes it), and a witness for
 * "any other host" that matches no other pattern. */
#include <stdlib.h>
#include <string.h>

#include "openssh_int.h"

static const char *const fills[] = {"sshsync-any", "sshsync-other", "x", "sshsync-any-2", NULL};
static const char *const others[] = {"sshsync-other-host", "sshsync-other-host.invalid",
				     "zz-sshsync-other", "sshsync-unlisted-9", NULL};

static int sets_keepalive(oss_op op)
{
	return op == OP_INTERVAL || op == OP_COUNTMAX || op == OP_TCPKA || op == OP_BATCH;
}

/* Blocks that can set a keepalive value: their own lines, or lines whose
 * activity hangs on them (what follows a header, what it Includes). */
static unsigned char *settable(const ss_openssh *c)
{
	unsigned char *m = calloc(c->nblocks ? c->nblocks : 1, 1);
	if (!m)
		return NULL;
	for (size_t b = c->nblocks; b-- > 0;) {
		const oss_block *blk = &c->blocks[b];
		for (size_t i = blk->dir_first, end = oss_block_dir_end(c, blk); i < end && !m[b];
		     i++)
			m[b] = sets_keepalive(c->dirs[i].op);
		if (!m[b])
			continue;
		int up = blk->kind == BK_CONT ? blk->parent : blk->kind == BK_CHECK ? -1 : blk->inc;
		if (up >= 0)
			m[up] = 1;
	}
	return m;
}

static int alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* A pattern made a name: the first '*' becomes `word` (set off by '-'
 * from letters around it: "web*" is "web-sshsync-any"), other '*' nothing,
 * '?' an 'x'. */
static char *fill(const char *pat, const char *word)
{
	ss_buf b = SS_BUF_INIT;
	int r = 0, star = 0;
	for (const char *p = pat; *p && !r; p++) {
		if (*p == '*' && !star++)
			r = ss_buf_addf(&b, "%s%s%s", p > pat && alnum(p[-1]) ? "-" : "", word,
					alnum(p[1]) ? "-" : "");
		else if (*p == '*')
			continue;
		else
			r = ss_buf_addc(&b, *p == '?' ? 'x' : *p);
	}
	if (r || ss_buf_grow(&b, 0) < 0) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

static int all_star(const oss_block *b)
{
	int pos = 0;
	for (size_t i = 0; i < b->npat; i++) {
		const char *p = b->pat[i];
		if (p[0] == '!')
			continue;
		pos++;
		if (strcmp(p, "*") != 0)
			return 0;
	}
	return pos > 0;
}

enum { MAX_CANDIDATES = 16 };

/* The positive patterns of a header: a Host line's, or the host and
 * originalhost lists of a Match line (user == 0), or its user lists. */
static int patterns(const ss_openssh *c, const oss_block *b, int user, ss_strlist *out)
{
	if (b->kind == BK_HOST) {
		if (user)
			return 0;
		for (size_t i = 0; i < b->npat; i++) {
			size_t len;
			const char *p = oss_block_pat(c, b, i, &len);
			if (p[0] != '!' && ss_strlist_push_owned(out, ss_strndup(p, len)) < 0)
				return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < b->ncrit; i++) {
		const oss_crit *k = &b->crit[i];
		int mine =
		    user ? k->kind == MC_USER : k->kind == MC_HOST || k->kind == MC_ORIGINALHOST;
		if (!mine || k->negate)
			continue;
		char *list = ss_strdup(k->arg);
		if (!list)
			return -1;
		int r = 0;
		for (char *save = NULL, *p = strtok_r(list, ",", &save); p && !r;
		     p = strtok_r(NULL, ",", &save))
			if (*p != '!')
				r = ss_strlist_push(out, p);
		free(list);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int push_unique(ss_strlist *l, char *s)
{
	if (!s)
		return -1;
	if (ss_strlist_has(l, s) || l->n >= 4 * MAX_CANDIDATES || !*s ||
	    !ss_openssh_valid_hostname(s)) {
		free(s);
		return 0;
	}
	return ss_strlist_push_owned(l, s);
}

/* Names for the patterns (each filled with each word), or the words
 * themselves when there is no pattern. */
static int names_for(const ss_strlist *pats, const ss_strlist *words, ss_strlist *out)
{
	for (size_t w = 0; w < words->n; w++) {
		if (!pats->n && push_unique(out, ss_strdup(words->v[w])) < 0)
			return -1;
		for (size_t p = 0; p < pats->n; p++)
			if (push_unique(out, fill(pats->v[p], words->v[w])) < 0)
				return -1;
	}
	return 0;
}

/* The header blocks a block's activity hangs on: itself, then the blocks
 * holding the Include lines that lead to its file. */
static size_t chain_of(const ss_openssh *c, size_t b, size_t *out, size_t max)
{
	size_t n = 0;
	out[n++] = b;
	for (int x = c->blocks[b].inc; x >= 0 && n < max;) {
		const oss_block *blk = &c->blocks[x];
		if (blk->kind == BK_CONT) {
			x = blk->parent;
			continue;
		}
		if (blk->kind == BK_HOST || blk->kind == BK_MATCH)
			out[n++] = (size_t)x;
		x = blk->inc;
	}
	return n;
}

/* Host names likely to reach block b: its own patterns filled, then filled
 * again by the patterns of the blocks its Include lines hang on, so that
 * one name can meet them all. ssh -G on each decides (the caller). */
static int host_candidates(const ss_openssh *c, size_t b, ss_strlist *out)
{
	size_t chain[17];
	size_t n = chain_of(c, b, chain, 17);
	ss_strlist words = SS_STRLIST_INIT, next = SS_STRLIST_INIT, pats = SS_STRLIST_INIT;
	int r = 0;
	for (size_t f = 0; fills[f] && !r; f++)
		r = ss_strlist_push(&words, fills[f]);
	for (size_t i = 0; i < n && !r; i++) {
		ss_strlist_release(&pats);
		r = patterns(c, &c->blocks[chain[i]], 0, &pats);
		if (!r)
			r = names_for(&pats, &words, &next);
		/* The words from before stay candidates for what has no pattern. */
		for (size_t w = 0; w < words.n && !r && !pats.n; w++)
			r = push_unique(&next, ss_strdup(words.v[w]));
		ss_strlist_release(&words);
		words = next;
		memset(&next, 0, sizeof(next));
	}
	for (size_t i = 0; i < words.n && !r; i++)
		r = push_unique(out, ss_strdup(words.v[i]));
	ss_strlist_release(&words);
	ss_strlist_release(&pats);
	return r;
}

static int user_candidates(const ss_openssh *c, size_t b, ss_strlist *out)
{
	size_t chain[17];
	size_t n = chain_of(c, b, chain, 17);
	ss_strlist pats = SS_STRLIST_INIT, words = SS_STRLIST_INIT;
	int r = ss_strlist_push(&words, "sshsync");
	for (size_t i = 0; i < n && !r; i++)
		r = patterns(c, &c->blocks[chain[i]], 1, &pats);
	if (!r && pats.n)
		r = names_for(&pats, &words, out);
	ss_strlist_release(&pats);
	ss_strlist_release(&words);
	return r;
}

static int local_user_ok(const ss_openssh *c, const oss_block *b, int own, char **why)
{
	for (size_t i = 0; i < b->ncrit; i++) {
		const oss_crit *k = &b->crit[i];
		if (k->kind != MC_LOCALUSER ||
		    (ss_match_pattern_list(c->local_user, k->arg, 0) == 1) != k->negate)
			continue;
		*why = ss_asprintf("no witness: %s asks for %slocaluser %s and sshsync runs as "
				   "%s (judge it by running sshsync as such a user)",
				   own ? "the block" : "a Match block it is included under",
				   k->negate ? "!" : "", k->arg, c->local_user);
		return *why ? 0 : -1;
	}
	return 0;
}

/* Why no witness can be made for block b, if that is known beforehand. */
static int no_witness(const ss_openssh *c, size_t b, char **why)
{
	const oss_block *blk = &c->blocks[b];
	size_t chain[17];
	size_t n = chain_of(c, b, chain, 17);
	*why = NULL;
	for (size_t i = 0; i < n && !*why; i++)
		if (c->blocks[chain[i]].kind == BK_MATCH &&
		    local_user_ok(c, &c->blocks[chain[i]], i == 0, why) < 0)
			return -1;
	if (*why || blk->kind == BK_MATCH)
		return 0;
	size_t pos = 0;
	for (size_t i = 0; i < blk->npat; i++)
		pos += blk->pat[i][0] != '!';
	if (!pos) {
		*why = ss_strdup("no witness: the line has only negated patterns, so ssh "
				 "applies it to no host");
		return *why ? 0 : -1;
	}
	return 0;
}

static int fill_witnesses(const ss_openssh *c, size_t b, ss_strlist *out)
{
	const oss_block *blk = &c->blocks[b];
	ss_strlist hosts = SS_STRLIST_INIT, users = SS_STRLIST_INIT;
	int r = host_candidates(c, b, &hosts);
	if (!r)
		r = user_candidates(c, b, &users);
	for (size_t h = 0; h < hosts.n && !r && out->n < MAX_CANDIDATES; h++) {
		if (blk->kind == BK_HOST && !oss_host_matches(blk, hosts.v[h]))
			continue;
		for (size_t u = 0; u < (users.n ? users.n : 1) && !r && out->n < MAX_CANDIDATES;
		     u++)
			r = push_unique(out, users.n ? ss_asprintf("%s@%s", users.v[u], hosts.v[h])
						     : ss_strdup(hosts.v[h]));
	}
	ss_strlist_release(&hosts);
	ss_strlist_release(&users);
	return r;
}

static const char *crit_name(oss_crit_kind k)
{
	static const char *const names[] = {"all",	    "canonical", "final",     "host",
					    "originalhost", "user",	 "localuser", "exec"};
	return names[k];
}

static char *match_name(const oss_block *b)
{
	ss_buf s = SS_BUF_INIT;
	int r = ss_buf_adds(&s, "Match");
	for (size_t i = 0; i < b->ncrit && !r; i++) {
		const oss_crit *k = &b->crit[i];
		r = ss_buf_addf(&s, " %s%s", k->negate ? "!" : "", crit_name(k->kind));
		if (!r && k->arg)
			r = ss_buf_addc(&s, ' ') || ss_sshconf_quote(k->arg, &s);
	}
	if (r || ss_buf_grow(&s, 0) < 0) {
		ss_buf_release(&s);
		return NULL;
	}
	return ss_buf_detach(&s, NULL);
}

static char *host_name(const oss_block *b)
{
	ss_buf s = SS_BUF_INIT;
	int r = ss_buf_adds(&s, "Host");
	for (size_t i = 0; i < b->npat && !r; i++)
		r = ss_buf_addc(&s, ' ') || ss_sshconf_quote(b->pat[i], &s);
	if (r || ss_buf_grow(&s, 0) < 0) {
		ss_buf_release(&s);
		return NULL;
	}
	return ss_buf_detach(&s, NULL);
}

static int push_scope(ss_openssh_scopes *l, const ss_openssh *c, size_t b, char *name, char *why)
{
	int r = name ? 0 : -1;
	for (size_t i = 0; i < l->n && !r; i++) {
		if (strcmp(l->v[i].name, name) == 0) {
			/* The same line twice: the first block stands for both. */
			free(name);
			free(why);
			return 0;
		}
	}
	if (!r && l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		ss_openssh_scope *v = realloc(l->v, cap * sizeof(*v));
		if (v) {
			l->v = v;
			l->cap = cap;
		}
		r = v ? 0 : -1;
	}
	if (r) {
		free(name);
		free(why);
		return -1;
	}
	ss_openssh_scope *sc = &l->v[l->n++];
	memset(sc, 0, sizeof(*sc));
	sc->name = name;
	sc->no_witness = why;
	sc->file = c->files[c->blocks[b].file].path;
	sc->block = (long)b;
	return why ? 0 : fill_witnesses(c, b, &sc->witnesses);
}

int ss_openssh_block_scopes(const ss_openssh *c, ss_openssh_scopes *out, ss_diag *d)
{
	unsigned char *m = settable(c);
	if (!m)
		return ss_diag_oom(d);
	int r = 0;
	for (size_t b = 0; b < c->nblocks && r == 0; b++) {
		const oss_block *blk = &c->blocks[b];
		if (!m[b] || (blk->kind != BK_HOST && blk->kind != BK_MATCH))
			continue;
		if (blk->kind == BK_HOST && (blk->literal || all_star(blk)))
			continue; /* the literal names and `*` stand for it */
		char *why = NULL;
		if (no_witness(c, b, &why) < 0)
			r = -1;
		else
			r = push_scope(out, c, b,
				       blk->kind == BK_HOST ? host_name(blk) : match_name(blk),
				       why);
	}
	free(m);
	return r < 0 ? ss_diag_oom(d) : 0;
}

/* How many Host lines (other than `*` alone) and Match host criteria a
 * name meets. A literal Host line meets it only when it holds the name:
 * the index lists those. */
static size_t witness_hits(const ss_openssh *c, const char *name)
{
	size_t hits = 0;
	const oss_index_entry *e = oss_index_find(c, name);
	const uint32_t *eb = e ? oss_entry_blocks(c, e) : NULL;
	for (size_t k = 0; e && k < oss_entry_n(c, e); k++)
		hits += c->blocks[eb[k]].kind == BK_HOST && c->blocks[eb[k]].literal;
	for (size_t b = 0; b < c->nblocks; b++) {
		const oss_block *blk = &c->blocks[b];
		if (blk->kind == BK_HOST && !blk->literal) {
			hits += !all_star(blk) && oss_host_matches(blk, name);
		} else if (blk->kind == BK_MATCH) {
			for (size_t k = 0; k < blk->ncrit; k++) {
				const oss_crit *cr = &blk->crit[k];
				if ((cr->kind == MC_HOST || cr->kind == MC_ORIGINALHOST) &&
				    !cr->negate && strcmp(cr->arg, "*") != 0)
					hits += ss_match_pattern_list(name, cr->arg, 1) == 1;
			}
		}
	}
	return hits;
}

char *ss_openssh_other_witness(const ss_openssh *c)
{
	size_t best = 0, best_hits = (size_t)-1;
	for (size_t i = 0; others[i]; i++) {
		size_t hits = witness_hits(c, others[i]);
		if (hits < best_hits) {
			best = i;
			best_hits = hits;
		}
	}
	return ss_strdup(others[best]);
}

void ss_openssh_scopes_free(ss_openssh_scopes *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		ss_strlist_release(&l->v[i].witnesses);
		free(l->v[i].no_witness);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
