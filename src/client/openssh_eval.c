/* Evaluating a loaded ssh_config for one host, as `ssh -G` does: first
 * value wins, Host and Match blocks, the second pass. Only the blocks that
 * can apply to the host are visited: every block whose activity does not
 * hang on a literal Host line, plus those whose literal Host line names the
 * host (the index).
 *
 * What depends on the running system (the exit status of a `Match exec`
 * command, the name DNS canonicalisation finds) is a runtime condition.
 * One evaluation ("run") takes a fixed outcome for every condition it
 * reaches; the runs enumerate the outcomes depth first (the conditions a
 * run reaches depend on the outcomes before them), up to MAX_RUNS. A value
 * on which every run agrees is known; otherwise it is unknown, with the
 * values it can take and the conditions it hangs on. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "openssh_int.h"
#include "sshsync/sshkw.h"
#include "sshsync/os_net.h"

enum { MAX_RUNS = 64, NOPS = OP_SETTING + 1 };

/* A runtime condition a run reached. */
typedef struct rt_point {
	const char *what; /* "Match exec", "CanonicalizeHostname" */
	uint32_t file, item;
	size_t sub; /* which criterion of the line */
	unsigned arity;
	unsigned outcome;
} rt_point;

typedef struct evstate {
	ss_openssh *c;
	long val[NOPS]; /* -1 unset */
	const char *str[NOPS];
	long at[NOPS];	  /* dir index that set it, -1 */
	char *final_host; /* the second pass's host name */
	const char *host; /* as typed, without user@ */
	ss_diag *d;
	/* this run's outcomes, in the order the conditions are reached */
	const unsigned *choice;
	size_t nchoice;
	rt_point *pts;
	size_t npts, ptscap;
	int open; /* CNAME following: the second pass's name can be anything */
	long open_at;
	long watch; /* a block whose activity is asked for, or -1 */
	int watched;
	ss_openssh_settings *col; /* ss_openssh_settings_eval: collects here */
} evstate;

/* Everything but the values, which run_once sets (zeroing the whole state
 * for every host cost more than the rest of setting it up). */
static void evstate_init(evstate *st, ss_openssh *c, long watch)
{
	st->c = c;
	st->final_host = NULL;
	st->host = NULL;
	st->d = NULL;
	st->choice = NULL;
	st->nchoice = 0;
	st->pts = NULL;
	st->npts = st->ptscap = 0;
	st->open = 0;
	st->open_at = 0;
	st->watch = watch;
	st->watched = 0;
	st->col = NULL;
}

static int active(const ss_openssh *c, int b)
{
	return b < 0 || c->act_stamp[b] == c->stamp;
}

/* A line wanted again (for an error's column, CanonicalDomains' list):
 * lexed again, as a lean tree keeps none. */
static int relex(evstate *st, uint32_t file, uint32_t item, ss_sshconf_item *it)
{
	return oss_relex(st->c, file, item, it, st->d);
}

/* The outcome of the next runtime condition (0 .. arity-1). The same line
 * reached again in a run (the second pass) gives the same outcome: the
 * same command for the same connection. */
static int choose(evstate *st, const char *what, uint32_t file, uint32_t item, size_t sub,
		  unsigned arity, unsigned *out)
{
	for (size_t k = 0; k < st->npts; k++) {
		if (st->pts[k].file == file && st->pts[k].item == item && st->pts[k].sub == sub &&
		    st->pts[k].what == what) {
			*out = st->pts[k].outcome;
			return 0;
		}
	}
	if (st->npts == st->ptscap) {
		size_t cap = st->ptscap ? st->ptscap * 2 : 8;
		rt_point *v = realloc(st->pts, cap * sizeof(*v));
		if (!v)
			return ss_diag_oom(st->d);
		st->pts = v;
		st->ptscap = cap;
	}
	size_t k = st->npts;
	*out = k < st->nchoice ? st->choice[k] : 0;
	st->pts[st->npts++] = (rt_point){what, file, item, sub, arity, *out};
	return 0;
}

/* readconf.c: Host patterns match the name case-sensitively; a negated
 * match switches the whole line off. */
int oss_host_matches(const oss_block *b, const char *host)
{
	int on = 0;
	for (size_t i = 0; i < b->npat; i++) {
		const char *p = b->pat[i];
		int neg = p[0] == '!';
		if (ss_match_pattern(host, p + neg)) {
			if (neg)
				return 0;
			on = 1;
		}
	}
	return on;
}

/* match_hostname(): the host lowercased against a lowercased list. */
static int match_hostname(const char *host, const char *list, ss_diag *d, int *r)
{
	char *h = ss_strdup(host);
	if (!h)
		return ss_diag_oom(d);
	oss_lowercase(h);
	*r = ss_match_pattern_list(h, list, 1) == 1;
	free(h);
	return 0;
}

/* percent_expand(hostname, "h", host): %h and %% only; ssh stops at any
 * other escape. */
static char *expand_hostname(evstate *st, const char *hostname, uint32_t file, uint32_t item)
{
	ss_buf b = SS_BUF_INIT;
	int r = 0;
	for (const char *p = hostname; *p && r == 0; p++) {
		if (*p != '%') {
			r = ss_buf_addc(&b, *p);
			continue;
		}
		if (p[1] == 'h') {
			r = ss_buf_adds(&b, st->host);
		} else if (p[1] == '%') {
			r = ss_buf_addc(&b, '%');
		} else {
			ss_buf_release(&b);
			ss_sshconf_item it;
			if (relex(st, file, item, &it) < 0)
				return NULL;
			ss_text_error(&st->c->files[file].text, st->d, it.args[0].start,
				      "HostName %s: unknown escape %%%c: expected %%h or %%%% (ssh "
				      "stops here for host %s)",
				      hostname, p[1] ? p[1] : ' ', st->host);
			ss_sshconf_item_free(&it);
			return NULL;
		}
		p++;
	}
	if (r < 0 || ss_buf_grow(&b, 0) < 0) {
		ss_buf_release(&b);
		ss_diag_oom(st->d);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

/* One criterion of match_cfg_line(); *r 1 when it matches as written
 * (before negation). */
static int criterion(evstate *st, const oss_block *b, const oss_crit *k, const char *host,
		     int final_pass, int *r)
{
	ss_openssh *c = st->c;
	const char *ruser = st->str[OP_USER] ? st->str[OP_USER] : c->local_user;
	unsigned o;
	switch (k->kind) {
	case MC_CANONICAL:
	case MC_FINAL:
		*r = final_pass;
		return 0;
	case MC_HOST:
		return match_hostname(host, k->arg, st->d, r);
	case MC_ORIGINALHOST:
		return match_hostname(st->host, k->arg, st->d, r);
	case MC_USER:
		*r = ss_match_pattern_list(ruser, k->arg, 0) == 1;
		return 0;
	case MC_LOCALUSER:
		*r = ss_match_pattern_list(c->local_user, k->arg, 0) == 1;
		return 0;
	case MC_EXEC:
		if (choose(st, "Match exec", b->file, b->item, (size_t)(k - b->crit), 2, &o) < 0)
			return -1;
		*r = o == 1;
		return 0;
	default:
		*r = 1;
		return 0;
	}
}

/* match_cfg_line(): criteria ANDed. */
static int match_block(evstate *st, const oss_block *b, int final_pass, int *out)
{
	ss_openssh *c = st->c;
	int result = 1;
	char *host;
	if (final_pass) {
		host = ss_strdup(st->final_host);
	} else if (st->str[OP_HOSTNAME]) {
		const oss_dir *dir = &c->dirs[st->at[OP_HOSTNAME]];
		host = expand_hostname(st, st->str[OP_HOSTNAME], dir->file, dir->item);
		if (!host)
			return -1;
	} else {
		host = ss_strdup(st->host);
	}
	if (!host)
		return ss_diag_oom(st->d);
	for (size_t i = 0; i < b->ncrit; i++) {
		const oss_crit *k = &b->crit[i];
		if (k->kind == MC_ALL) {
			if (k->negate)
				result = 0;
			break; /* "all" ends the line */
		}
		/* ssh skips the command once an earlier criterion failed. */
		if (k->kind == MC_EXEC && !result)
			continue;
		int r = 0;
		if (criterion(st, b, k, host, final_pass, &r) < 0) {
			free(host);
			return -1;
		}
		if (r == k->negate)
			result = 0;
	}
	free(host);
	*out = result;
	return 0;
}

static int block_activity(evstate *st, const oss_block *b, const char *host, int final_pass,
			  int *act)
{
	ss_openssh *c = st->c;
	switch (b->kind) {
	case BK_CONT:
		*act = active(c, b->parent);
		return 0;
	case BK_HOST:
		/* A literal line is only reached through the index, under the
		 * name it holds: it matches. */
		*act = active(c, b->inc) && (b->literal || oss_host_matches(b, host));
		return 0;
	case BK_MATCH:
		*act = 0;
		if (!active(c, b->inc))
			return 0; /* SSHCONF_NEVERMATCH: forced off */
		return match_block(st, b, final_pass, act);
	default:
		*act = 0;
		return 0;
	}
}

/* An unknown keyword: an error unless the IgnoreUnknown in force names it. */
static int check_unknown(evstate *st, const oss_dir *dir)
{
	const char *ign = st->str[OP_IGNUNK];
	const char *kw = oss_dir_str(st->c, dir);
	if (ign && ss_match_pattern_list(kw, ign, 1) == 1)
		return 0;
	ss_sshconf_item it;
	if (relex(st, dir->file, dir->item, &it) < 0)
		return -1;
	char advice[256];
	ss_sshkw_unknown_advice(kw, 0, advice, sizeof(advice));
	ss_text_error(&st->c->files[dir->file].text, st->d, it.kw_start,
		      "Bad configuration option: %s: ssh 9.2 does not know this keyword "
		      "and no IgnoreUnknown in force for host %s names it%s%s",
		      kw, st->host, advice[0] ? "; " : "", advice);
	ss_sshconf_item_free(&it);
	return -1;
}

static int collect(evstate *st, const oss_block *b, const oss_dir *dir);

static int apply_dirs(evstate *st, const oss_block *b)
{
	ss_openssh *c = st->c;
	for (size_t i = b->dir_first, end = oss_block_dir_end(c, b); i < end; i++) {
		const oss_dir *dir = &c->dirs[i];
		if (dir->op == OP_SETTING) {
			if (st->col && collect(st, b, dir) < 0)
				return -1;
			continue;
		}
		if (dir->op == OP_UNKNOWN_CHECK) {
			if (check_unknown(st, dir) < 0)
				return -1;
			continue;
		}
		if (st->at[dir->op] != -1)
			continue; /* first value wins */
		/* "ServerAliveInterval none" leaves it unset: a later line wins. */
		long value = oss_dir_value(dir);
		if (dir->op == OP_INTERVAL && value < 0)
			continue;
		st->val[dir->op] = value;
		st->str[dir->op] = oss_dir_str(c, dir);
		st->at[dir->op] = (long)i;
	}
	return 0;
}

static int run_pass(evstate *st, const char *host, int final_pass)
{
	ss_openssh *c = st->c;
	if (++c->stamp == 0) {
		/* 32-bit stamps (a fleet's tree has one a block) wrapped: no
		 * block may look active from four billion passes ago. */
		memset(c->act_stamp, 0, (c->nblocks ? c->nblocks : 1) * sizeof(*c->act_stamp));
		c->stamp = 1;
	}
	const oss_index_entry *e = host == c->hint_name ? c->hint_entry : oss_index_find(c, host);
	size_t wi = 0, ei = 0, en = e ? oss_entry_n(c, e) : 0;
	const uint32_t *eb = e ? oss_entry_blocks(c, e) : NULL;
	while (wi < c->nwild || ei < en) {
		size_t b;
		if (ei >= en || (wi < c->nwild && c->wild[wi] < eb[ei]))
			b = c->wild[wi++];
		else
			b = eb[ei++];
		const oss_block *blk = &c->blocks[b];
		if (blk->kind == BK_CHECK) {
			if (apply_dirs(st, blk) < 0)
				return -1;
			continue;
		}
		int act;
		if (block_activity(st, blk, host, final_pass, &act) < 0)
			return -1;
		if (!act)
			continue;
		c->act_stamp[b] = c->stamp;
		if ((long)b == st->watch)
			st->watched = 1;
		if (apply_dirs(st, blk) < 0)
			return -1;
	}
	return 0;
}

static int is_addr(const char *h)
{
	return ss_os_is_inet_addr(h);
}

/* ssh.c between the passes: HostName applied, lowercased, canonicalised.
 * Canonicalisation (CanonicalizeHostname with CanonicalDomains) gives the
 * name unchanged, or the name in one of the domains: a runtime condition.
 * With CanonicalizePermittedCNAMEs it can be any name DNS answers. */
static int prepare_final(evstate *st)
{
	ss_openssh *c = st->c;
	if (st->str[OP_HOSTNAME]) {
		const oss_dir *dir = &c->dirs[st->at[OP_HOSTNAME]];
		st->final_host = expand_hostname(st, st->str[OP_HOSTNAME], dir->file, dir->item);
		if (!st->final_host)
			return -1;
	} else if (!(st->final_host = ss_strdup(st->host))) {
		return ss_diag_oom(st->d);
	}
	if (is_addr(st->final_host))
		return 0;
	oss_lowercase(st->final_host);
	if (st->val[OP_CANON] <= 0)
		return 0;
	if (st->at[OP_CNAMES] >= 0 && st->val[OP_CNAMES] > 0) {
		st->open = 1;
		st->open_at = st->at[OP_CNAMES];
	}
	if (st->at[OP_CANONDOMAINS] < 0 || st->val[OP_CANONDOMAINS] <= 0)
		return 0;
	const oss_dir *dom = &c->dirs[st->at[OP_CANONDOMAINS]];
	ss_sshconf_item it;
	if (relex(st, dom->file, dom->item, &it) < 0)
		return -1;
	const oss_dir *canon = &c->dirs[st->at[OP_CANON]];
	unsigned o;
	if (choose(st, "CanonicalizeHostname", canon->file, canon->item, 0, 1 + (unsigned)it.nargs,
		   &o) < 0) {
		ss_sshconf_item_free(&it);
		return -1;
	}
	if (o == 0) {
		ss_sshconf_item_free(&it);
		return 0;
	}
	size_t len = strlen(st->final_host);
	char *name = len && st->final_host[len - 1] == '.'
			 ? ss_strndup(st->final_host, len - 1)
			 : ss_asprintf("%s.%s", st->final_host, it.args[o - 1].value);
	ss_sshconf_item_free(&it);
	if (!name)
		return ss_diag_oom(st->d);
	oss_lowercase(name);
	free(st->final_host);
	st->final_host = name;
	return 0;
}

/* What one run gives. */
typedef struct run_out {
	int error;   /* ssh stops (st.d holds why) */
	long v[3];   /* interval, count max, TCP keepalive */
	long at[3];  /* dir index, or -1 for the default */
	int open[3]; /* unset before a second pass on an arbitrary name */
	int watched; /* the watched block was active */
} run_out;

static void run_values(const evstate *st, int before_final[3], run_out *o)
{
	long iat = st->at[OP_INTERVAL];
	o->v[0] = st->val[OP_INTERVAL];
	if (iat < 0 && st->val[OP_BATCH] == 1) {
		/* Debian: BatchMode without an interval means 300 s. */
		o->v[0] = 300;
		iat = st->at[OP_BATCH];
	} else if (iat < 0) {
		o->v[0] = 0;
	}
	o->at[0] = iat;
	o->v[1] = st->at[OP_COUNTMAX] >= 0 ? st->val[OP_COUNTMAX] : 3;
	o->at[1] = st->at[OP_COUNTMAX];
	o->v[2] = st->at[OP_TCPKA] >= 0 ? st->val[OP_TCPKA] : 1;
	o->at[2] = st->at[OP_TCPKA];
	for (int k = 0; k < 3; k++)
		o->open[k] = st->open && !before_final[k];
}

/* ssh.c valid_hostname()/valid_ruser() as Debian 12 has them (the
 * CVE-2023-51385 fix, with ',' added): names typed on the command line
 * with shell metacharacters are refused before any config is read. */
int ss_openssh_valid_hostname(const char *s)
{
	if (*s == '-')
		return 0;
	for (; *s; s++) {
		char ch = *s;
		/* Letters, digits, '.', '-' and '_' (nearly every byte of a host
		 * name) are allowed in every locale: no look-ups for them. */
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' ||
		    ch == '-' || ch == '_' || (ch >= 'A' && ch <= 'Z'))
			continue;
		if (strchr("'`\"$\\;&<>|(){},", ch) || isspace((unsigned char)ch) ||
		    iscntrl((unsigned char)ch))
			return 0;
	}
	return 1;
}

static int valid_ruser(const char *s)
{
	if (*s == '-')
		return 0;
	for (; *s; s++) {
		if (strchr("'`\";&<>|(){}", *s))
			return 0;
		if (isspace((unsigned char)*s) && s[1] == '-')
			return 0;
		if (*s == '\\' && s[1] == '\0')
			return 0;
	}
	return 1;
}

/* One run with the given outcomes. */
static int run_once(evstate *st, const char *host, const char *user, run_out *o)
{
	for (size_t i = 0; i < NOPS; i++) {
		st->val[i] = -1;
		st->at[i] = -1;
		st->str[i] = NULL;
	}
	if (user) {
		/* ssh USER@HOST: the user is set before any config line. */
		st->str[OP_USER] = user;
		st->at[OP_USER] = -2; /* set, but by no line */
	}
	st->host = host;
	st->npts = 0;
	st->open = 0;
	st->watched = 0;
	free(st->final_host);
	st->final_host = NULL;
	memset(o, 0, sizeof(*o));
	ss_openssh *c = st->c;
	int before[3] = {1, 1, 1};
	int rc = run_pass(st, host, 0);
	int second = c->want_final || st->val[OP_CANON] > 0;
	if (rc == 0 && second) {
		before[0] = st->at[OP_INTERVAL] >= 0;
		before[1] = st->at[OP_COUNTMAX] >= 0;
		before[2] = st->at[OP_TCPKA] >= 0;
		rc = prepare_final(st);
		if (rc == 0)
			rc = run_pass(st, st->final_host, 1);
	}
	if (rc < 0) {
		o->error = 1; /* what ssh stops with is in st->d */
		return 0;
	}
	run_values(st, before, o);
	o->watched = st->watched;
	return 0;
}

/* The next outcomes depth first: the last condition reached that has an
 * outcome left takes it; the ones after it start again. 0 when done. */
static int next_choice(const evstate *st, unsigned *choice, size_t *nchoice)
{
	for (size_t k = st->npts; k-- > 0;) {
		unsigned cur = k < *nchoice ? choice[k] : 0;
		if (cur + 1 < st->pts[k].arity) {
			for (size_t j = *nchoice; j < k; j++)
				choice[j] = 0;
			choice[k] = cur + 1;
			*nchoice = k + 1;
			return 1;
		}
	}
	return 0;
}

typedef struct runs {
	run_out *v;
	size_t n;
	int capped;
	ss_strlist where; /* the conditions reached, "Match exec at f:12", each once */
	ss_diag first_error;
	size_t errors;
} runs;

static int note_points(evstate *st, runs *R)
{
	for (size_t k = 0; k < st->npts; k++) {
		char *w = oss_where(st->c, st->pts[k].file, st->pts[k].item);
		char *s = w ? ss_asprintf("%s at %s", st->pts[k].what, w) : NULL;
		free(w);
		if (!s)
			return ss_diag_oom(st->d);
		int seen = 0;
		for (size_t i = 0; i < R->where.n && !seen; i++)
			seen = strcmp(R->where.v[i], s) == 0;
		if (seen)
			free(s);
		else if (ss_strlist_push_owned(&R->where, s) < 0)
			return ss_diag_oom(st->d);
	}
	return 0;
}

static int enumerate(evstate *st, const char *host, const char *user, runs *R)
{
	unsigned *choice = NULL;
	size_t nchoice = 0, cap = 0;
	int rc = 0;
	for (;;) {
		if (R->n == MAX_RUNS) {
			R->capped = 1;
			break;
		}
		ss_diag d = SS_DIAG_INIT;
		st->d = &d;
		st->choice = choice;
		st->nchoice = nchoice;
		rc = run_once(st, host, user, &R->v[R->n]);
		if (rc == 0 && R->v[R->n].error) {
			if (R->errors++ == 0) {
				R->first_error = d;
				memset(&d, 0, sizeof(d));
			}
		}
		if (rc < 0) {
			ss_diag_clear(&d);
			break;
		}
		ss_diag_clear(&d);
		R->n++;
		if (R->v[R->n - 1].error == 0 && note_points(st, R) < 0) {
			rc = -1;
			break;
		}
		if (st->npts > cap) {
			unsigned *v = realloc(choice, st->npts * sizeof(*v));
			if (!v) {
				rc = -1;
				break;
			}
			choice = v;
			cap = st->npts;
		}
		if (!next_choice(st, choice, &nchoice))
			break;
	}
	free(choice);
	return rc;
}

static char *where_dir(const ss_openssh *c, long at)
{
	return at < 0 ? NULL : oss_where(c, c->dirs[at].file, c->dirs[at].item);
}

/* "file:line" of setting line `at` in the tree's scratch string k. */
static const char *where_into(ss_openssh *c, long at, int k)
{
	const oss_dir *dir = &c->dirs[at];
	ss_buf *b = &c->at_text[k];
	if (c->at_dir[k] == at + 1 && b->data)
		return b->data; /* the same line as the last result's (`Host *`) */
	c->at_dir[k] = 0;
	char digits[24];
	size_t n = ss_format_lld(digits, (long long)dir->item + 1);
	ss_buf_reset(b);
	if (ss_buf_adds(b, c->files[dir->file].path) < 0 || ss_buf_addc(b, ':') < 0 ||
	    ss_buf_add(b, digits + n, sizeof(digits) - n) < 0)
		return NULL;
	c->at_dir[k] = at + 1;
	return b->data;
}

static int add_value_text(ss_buf *b, int k, long v)
{
	if (k == 2)
		return ss_buf_adds(b, v ? "yes" : "no");
	return ss_buf_addf(b, "%ld", v);
}

/* The values one setting takes over the runs, "60 or 300", in *b (NULL:
 * only count them). Returns the number of distinct values; *err is set
 * when memory runs out. */
static size_t distinct(const runs *R, int k, ss_buf *b, int *err)
{
	long seen[MAX_RUNS];
	size_t n = 0;
	for (size_t i = 0; i < R->n; i++) {
		if (R->v[i].error)
			continue;
		size_t j = 0;
		while (j < n && seen[j] != R->v[i].v[k])
			j++;
		if (j == n)
			seen[n++] = R->v[i].v[k];
	}
	for (size_t i = 0; i < n && b; i++) {
		if (i && ss_buf_adds(b, i + 1 == n ? " or " : ", ") < 0)
			*err = -1;
		if (add_value_text(b, k, seen[i]) < 0)
			*err = -1;
	}
	return n;
}

static int fill_result(evstate *st, const runs *R, ss_openssh_result *r)
{
	static const char *const names[3] = {"interval", "count max", "TCP keepalive"};
	ss_openssh *c = st->c;
	ss_buf why = SS_BUF_INIT;
	ss_buf conds = SS_BUF_INIT;
	int err = 0;
	for (size_t i = 0; i < R->where.n; i++)
		err |= ss_buf_addf(&conds, "%s%s", i ? ", " : "", R->where.v[i]);
	long *out[3] = {&r->interval, &r->count_max, &r->tcp_keepalive};
	const char **at[3] = {&r->interval_at, &r->count_max_at, &r->tcp_keepalive_at};
	const run_out *first = NULL;
	for (size_t i = 0; i < R->n && !first; i++)
		if (!R->v[i].error)
			first = &R->v[i];
	for (int k = 0; k < 3 && !err; k++) {
		int open = 0;
		for (size_t i = 0; i < R->n; i++)
			open |= !R->v[i].error && R->v[i].open[k];
		ss_buf vals = SS_BUF_INIT;
		size_t n = distinct(R, k, NULL, &err);
		if (n == 1 && !open && !R->capped && !R->errors) {
			*out[k] = first->v[k];
			if (first->at[k] >= 0 && !(*at[k] = where_into(c, first->at[k], k)))
				err = -1;
			continue;
		}
		distinct(R, k, &vals, &err);
		*out[k] = SS_UNKNOWN;
		err |= ss_buf_addf(&why, "%s%s %s", why.len ? "; " : "", names[k],
				   n ? ss_buf_str(&vals) : "unknown");
		if (open) {
			char *w = where_dir(c, st->open_at);
			err |= !w || ss_buf_addf(&why,
						 " or whatever a name DNS gives through "
						 "CanonicalizePermittedCNAMEs at %s sets",
						 w) < 0;
			free(w);
		}
		ss_buf_release(&vals);
	}
	if (!err && why.len) {
		if (R->where.n)
			err |= ss_buf_addf(&why, ", depending on %s", ss_buf_str(&conds));
		if (R->capped)
			err |= ss_buf_addf(&why,
					   " (more than %d combinations of these "
					   "conditions: sshsync stopped counting there)",
					   MAX_RUNS);
		if (R->errors) {
			char *m = ss_diag_format(&R->first_error);
			err |= !m || ss_buf_addf(&why, "; for some outcomes ssh stops: %s", m) < 0;
			free(m);
		}
		err |= ss_buf_adds(&why, " (sshsync never runs Match exec commands or DNS "
					 "lookups)");
		if (!err)
			r->unknown_reason = ss_buf_detach(&why, NULL);
	}
	ss_buf_release(&why);
	ss_buf_release(&conds);
	return err ? ss_diag_oom(st->d) : 0;
}

int ss_openssh_eval_watch(ss_openssh *c, const char *host, long watch, ss_openssh_result *r,
			  int *watched, ss_diag *d)
{
	memset(r, 0, sizeof(*r));
	if (watched)
		*watched = 0;
	/* USER@HOST is split in a copy; a plain name is used as it is. */
	const char *at_sign = strrchr(host, '@');
	char *copy = at_sign ? ss_strdup(host) : NULL;
	if (at_sign && !copy)
		return ss_diag_oom(d);
	const char *name = host, *user = NULL;
	if (copy) {
		char *at = copy + (at_sign - host);
		*at = '\0';
		user = copy;
		name = at + 1;
	}
	/* The hint is a name checked so already. */
	if ((name != c->hint_name && !ss_openssh_valid_hostname(name)) ||
	    (user && !valid_ruser(user))) {
		int bad_user = user && !valid_ruser(user);
		ss_diag_set(d, NULL, 0, 0,
			    "ssh refuses the %s \"%s\": it contains characters ssh does not "
			    "allow on its command line (expected none of '`\"$\\;&<>|(){}, "
			    "blanks or control characters, and no leading '-')",
			    bad_user ? "user name" : "host name", bad_user ? user : name);
		free(copy);
		return -1;
	}
	evstate st;
	evstate_init(&st, c, watch);
	/* Room for every run on the stack: each run_once fills its own. */
	run_out v[MAX_RUNS];
	runs R = {v, 0, 0, SS_STRLIST_INIT, SS_DIAG_INIT, 0};
	int rc = enumerate(&st, name, user, &R);
	st.d = d;
	if (rc == 0 && R.errors == R.n && R.n > 0) {
		/* ssh stops whatever the outcomes: that error. */
		ss_diag_set(d, R.first_error.file, R.first_error.line, R.first_error.col, "%s",
			    R.first_error.message);
		rc = -1;
	} else if (rc < 0) {
		ss_diag_oom(d);
	}
	if (rc == 0)
		rc = fill_result(&st, &R, r);
	for (size_t i = 0; rc == 0 && watched && i < R.n; i++)
		*watched |= R.v[i].watched;
	free(st.pts);
	free(st.final_host);
	ss_strlist_release(&R.where);
	ss_diag_clear(&R.first_error);
	free(copy);
	if (rc < 0)
		ss_openssh_result_free(r);
	return rc;
}

int ss_openssh_eval(ss_openssh *c, const char *host, ss_openssh_result *r, ss_diag *d)
{
	return ss_openssh_eval_watch(c, host, -1, r, NULL, d);
}

void ss_openssh_result_free(ss_openssh_result *r)
{
	free(r->unknown_reason);
	memset(r, 0, sizeof(*r));
}

/* --- every setting, for migration --- */

static int accumulates(const char *kw)
{
	static const char *const many[] = {"identityfile",
					   "certificatefile",
					   "localforward",
					   "remoteforward",
					   "dynamicforward",
					   "sendenv",
					   NULL};
	for (size_t i = 0; many[i]; i++)
		if (strcmp(kw, many[i]) == 0)
			return 1;
	return 0;
}

static int collect(evstate *st, const oss_block *b, const oss_dir *dir)
{
	ss_openssh_settings *col = st->col;
	const char *kw = oss_dir_str(st->c, dir);
	if (!accumulates(kw) && ss_openssh_settings_get(col, kw))
		return 0; /* first value wins */
	if (col->n == col->cap) {
		size_t cap = col->cap ? col->cap * 2 : 32;
		ss_openssh_setting *v = realloc(col->v, cap * sizeof(*v));
		if (!v)
			return ss_diag_oom(st->d);
		col->v = v;
		col->cap = cap;
	}
	ss_openssh_setting *s = &col->v[col->n];
	memset(s, 0, sizeof(*s));
	s->keyword = kw;
	s->literal = b->key >= 0;
	ss_sshconf_item line, *it = &line;
	if (relex(st, dir->file, dir->item, &line) < 0)
		return -1;
	const ss_text *t = &st->c->files[dir->file].text;
	size_t rest = it->rest, end = it->end;
	while (rest < end &&
	       (t->data[rest] == ' ' || t->data[rest] == '\t' || t->data[rest] == '='))
		rest++;
	int err = !(s->where = oss_where(st->c, dir->file, dir->item)) ||
		  !(s->raw = ss_strndup(t->data + rest, end > rest ? end - rest : 0));
	for (size_t a = 0; a < it->nargs && !err; a++)
		err = ss_strlist_push(&s->args, it->args[a].value) < 0;
	ss_sshconf_item_free(&line);
	col->n++;
	return err ? ss_diag_oom(st->d) : 0;
}

const ss_openssh_setting *ss_openssh_settings_get(const ss_openssh_settings *s, const char *keyword)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].keyword, keyword) == 0)
			return &s->v[i];
	return NULL;
}

void ss_openssh_settings_free(ss_openssh_settings *s)
{
	for (size_t i = 0; i < s->n; i++) {
		ss_strlist_release(&s->v[i].args);
		free(s->v[i].where);
		free(s->v[i].raw);
	}
	free(s->v);
	ss_strlist_release(&s->runtime);
	memset(s, 0, sizeof(*s));
}

int ss_openssh_settings_eval(ss_openssh *c, const char *host, ss_openssh_settings *out, ss_diag *d)
{
	memset(out, 0, sizeof(*out));
	if (!c->all_settings)
		return ss_diag_set(d, NULL, 0, 0, "internal: tree loaded without all_settings");
	evstate st;
	evstate_init(&st, c, -1);
	st.col = out;
	st.d = d;
	run_out o;
	int rc = run_once(&st, host, NULL, &o);
	if (rc == 0 && o.error)
		rc = -1; /* ssh stops for this host: st.d says why */
	runs R;
	memset(&R, 0, sizeof(R));
	if (rc == 0)
		rc = note_points(&st, &R);
	if (rc == 0) {
		out->runtime = R.where;
		memset(&R.where, 0, sizeof(R.where));
	}
	ss_strlist_release(&R.where);
	free(st.pts);
	free(st.final_host);
	if (rc < 0)
		ss_openssh_settings_free(out);
	return rc;
}
