/* Evaluating a loaded ssh_config for one host, as `ssh -G` does: first
 * value wins, Host and Match blocks, the second pass. Only the blocks that
 * can apply to the host are visited: every block whose activity does not
 * hang on a literal Host line, plus those whose literal Host line names the
 * host (the index). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "openssh_int.h"

enum { ACT_OFF = 0, ACT_ON = 1, ACT_UNKNOWN = 2 };

typedef struct evstate {
	ss_openssh *c;
	long val[OP_UNKNOWN_CHECK + 1]; /* -1 unset */
	const char *str[OP_UNKNOWN_CHECK + 1];
	long at[OP_UNKNOWN_CHECK + 1];	   /* dir index that set it, -1 */
	int unknown[OP_UNKNOWN_CHECK + 1]; /* an unknown block might have set it */
	char *reason;			   /* the first reason for an unknown */
	char *final_host;		   /* the second pass's host name */
	const char *host;		   /* as typed, without user@ */
	const char *cmdline_user;	   /* user@ from the command line */
	ss_diag *d;
} evstate;

static int act_of(const ss_openssh *c, int b)
{
	if (b < 0)
		return ACT_ON;
	if (c->act_stamp[b] == c->stamp)
		return ACT_ON;
	if (c->unk_stamp[b] == c->stamp)
		return ACT_UNKNOWN;
	return ACT_OFF;
}

static const ss_sshconf_item *item_of(const ss_openssh *c, uint32_t file, uint32_t item)
{
	return &c->files[file].conf.items[item];
}

static int set_reason(evstate *st, uint32_t file, uint32_t item, const char *why)
{
	if (st->reason)
		return 0;
	char *where = oss_where(st->c, file, item);
	if (!where)
		return ss_diag_oom(st->d);
	st->reason = ss_asprintf("depends on %s at %s, which sshsync cannot evaluate", why, where);
	free(where);
	return st->reason ? 0 : ss_diag_oom(st->d);
}

/* readconf.c: Host patterns match the name case-sensitively; a negated
 * match switches the whole line off. */
static int host_matches(const ss_sshconf_item *it, const char *host)
{
	int active = 0;
	for (size_t i = 0; i < it->nargs; i++) {
		const char *p = it->args[i].value;
		int neg = p[0] == '!';
		if (ss_match_pattern(host, p + neg)) {
			if (neg)
				return 0;
			active = 1;
		}
	}
	return active;
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
			const ss_sshconf_item *it = item_of(st->c, file, item);
			ss_text_error(&st->c->files[file].text, st->d, it->args[0].start,
				      "HostName %s: unknown escape %%%c: expected %%h or %%%% (ssh "
				      "stops here for host %s)",
				      hostname, p[1] ? p[1] : ' ', st->host);
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

/* match_cfg_line(): criteria ANDed; 0, 1 or unknown. */
static int match_block(evstate *st, const oss_block *b, int final_pass, int *out)
{
	ss_openssh *c = st->c;
	int result = ACT_ON;
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
	const char *ruser = st->str[OP_USER] ? st->str[OP_USER] : c->local_user;
	for (size_t i = 0; i < b->ncrit; i++) {
		const oss_crit *k = &b->crit[i];
		int r = 0, unknown = 0;
		switch (k->kind) {
		case MC_ALL:
			if (result != ACT_OFF)
				result = k->negate ? ACT_OFF : result;
			i = b->ncrit; /* "all" ends the line */
			continue;
		case MC_CANONICAL:
		case MC_FINAL:
			r = final_pass;
			break;
		case MC_HOST:
			if (match_hostname(host, k->arg, st->d, &r) < 0) {
				free(host);
				return -1;
			}
			unknown = st->unknown[OP_HOSTNAME] && !final_pass;
			break;
		case MC_ORIGINALHOST:
			if (match_hostname(st->host, k->arg, st->d, &r) < 0) {
				free(host);
				return -1;
			}
			break;
		case MC_USER:
			r = ss_match_pattern_list(ruser, k->arg, 0) == 1;
			unknown = st->unknown[OP_USER];
			break;
		case MC_LOCALUSER:
			r = ss_match_pattern_list(c->local_user, k->arg, 0) == 1;
			break;
		case MC_EXEC:
			/* ssh skips the command once an earlier criterion failed. */
			if (result == ACT_OFF)
				continue;
			unknown = 1;
			if (set_reason(st, b->file, b->item, "Match exec (a command ssh runs)") <
			    0) {
				free(host);
				return -1;
			}
			break;
		}
		if (unknown) {
			if (result == ACT_ON)
				result = ACT_UNKNOWN;
		} else if (r == k->negate) {
			result = ACT_OFF;
		}
	}
	free(host);
	*out = result;
	return 0;
}

static int block_activity(evstate *st, const oss_block *b, const char *host, int final_pass,
			  int *act)
{
	ss_openssh *c = st->c;
	int outer;
	switch (b->kind) {
	case BK_CONT:
		*act = act_of(c, b->parent);
		return 0;
	case BK_HOST:
		outer = act_of(c, b->inc);
		*act = outer != ACT_OFF && host_matches(item_of(c, b->file, b->item), host)
			   ? outer
			   : ACT_OFF;
		return 0;
	case BK_MATCH: {
		outer = act_of(c, b->inc);
		*act = ACT_OFF;
		if (outer == ACT_OFF)
			return 0; /* SSHCONF_NEVERMATCH: forced off */
		int m = ACT_OFF;
		if (match_block(st, b, final_pass, &m) < 0)
			return -1;
		*act = m == ACT_OFF				    ? ACT_OFF
		       : (m == ACT_UNKNOWN || outer == ACT_UNKNOWN) ? ACT_UNKNOWN
								    : ACT_ON;
		return 0;
	}
	default:
		*act = ACT_OFF;
		return 0;
	}
}

/* An unknown keyword: an error unless the IgnoreUnknown in force names it. */
static int check_unknown(evstate *st, const oss_dir *dir)
{
	const char *ign = st->str[OP_IGNUNK];
	if (ign && ss_match_pattern_list(dir->str, ign, 1) == 1)
		return 0;
	if (st->unknown[OP_IGNUNK])
		return set_reason(st, dir->file, dir->item, "IgnoreUnknown in a Match block");
	const ss_sshconf_item *it = item_of(st->c, dir->file, dir->item);
	return ss_text_error(&st->c->files[dir->file].text, st->d, it->kw_start,
			     "Bad configuration option: %s: ssh 9.2 does not know this keyword "
			     "and no IgnoreUnknown in force for host %s names it",
			     dir->str, st->host);
}

static int apply_dirs(evstate *st, const oss_block *b, int act)
{
	ss_openssh *c = st->c;
	for (size_t i = b->dir_first; i < b->dir_first + b->dir_n; i++) {
		const oss_dir *dir = &c->dirs[i];
		if (dir->op == OP_UNKNOWN_CHECK) {
			if (check_unknown(st, dir) < 0)
				return -1;
			continue;
		}
		if (st->at[dir->op] != -1 || st->unknown[dir->op])
			continue; /* first value wins */
		if (act == ACT_UNKNOWN) {
			st->unknown[dir->op] = 1;
			continue;
		}
		/* "ServerAliveInterval none" leaves it unset: a later line wins. */
		if (dir->op == OP_INTERVAL && dir->value < 0)
			continue;
		st->val[dir->op] = dir->value;
		st->str[dir->op] = dir->str;
		st->at[dir->op] = (long)i;
	}
	return 0;
}

static int run_pass(evstate *st, const char *host, int final_pass)
{
	ss_openssh *c = st->c;
	c->stamp++;
	const oss_index_entry *e = oss_index_find(c, host);
	size_t wi = 0, ei = 0, en = e ? e->n : 0;
	while (wi < c->nwild || ei < en) {
		size_t b;
		if (ei >= en || (wi < c->nwild && c->wild[wi] < e->blocks[ei]))
			b = c->wild[wi++];
		else
			b = e->blocks[ei++];
		const oss_block *blk = &c->blocks[b];
		if (blk->kind == BK_CHECK) {
			if (apply_dirs(st, blk, ACT_ON) < 0)
				return -1;
			continue;
		}
		int act;
		if (block_activity(st, blk, host, final_pass, &act) < 0)
			return -1;
		if (act == ACT_ON)
			c->act_stamp[b] = c->stamp;
		else if (act == ACT_UNKNOWN)
			c->unk_stamp[b] = c->stamp;
		if (act != ACT_OFF && apply_dirs(st, blk, act) < 0)
			return -1;
	}
	return 0;
}

static int is_addr(const char *h)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, h, buf) == 1 || inet_pton(AF_INET6, h, buf) == 1;
}

/* ssh.c between the passes: HostName applied, lowercased, canonicalised. */
static int prepare_final(evstate *st)
{
	ss_openssh *c = st->c;
	if (st->unknown[OP_HOSTNAME] || st->unknown[OP_CANON]) {
		const oss_dir *any = &c->dirs[0];
		return set_reason(st, any->file, any->item,
				  "a HostName or CanonicalizeHostname "
				  "set in a Match exec block");
	}
	if (st->str[OP_HOSTNAME]) {
		const oss_dir *dir = &c->dirs[st->at[OP_HOSTNAME]];
		st->final_host = expand_hostname(st, st->str[OP_HOSTNAME], dir->file, dir->item);
		if (!st->final_host)
			return -1;
	} else if (!(st->final_host = ss_strdup(st->host))) {
		return ss_diag_oom(st->d);
	}
	if (!is_addr(st->final_host))
		oss_lowercase(st->final_host);
	if (st->val[OP_CANON] > 0 && st->at[OP_CANONDOMAINS] >= 0 && st->val[OP_CANONDOMAINS] > 0) {
		const oss_dir *dir = &c->dirs[st->at[OP_CANON]];
		return set_reason(st, dir->file, dir->item,
				  "CanonicalizeHostname (the name ssh finds in DNS)");
	}
	return 0;
}

static char *where_dir(const ss_openssh *c, long at)
{
	return at < 0 ? NULL : oss_where(c, c->dirs[at].file, c->dirs[at].item);
}

static int fill_result(evstate *st, ss_openssh_result *r)
{
	ss_openssh *c = st->c;
	int all = st->reason && (st->unknown[OP_HOSTNAME] || st->unknown[OP_CANON] ||
				 st->unknown[OP_USER] || st->unknown[OP_IGNUNK] ||
				 !(st->unknown[OP_INTERVAL] || st->unknown[OP_COUNTMAX] ||
				   st->unknown[OP_TCPKA] || st->unknown[OP_BATCH]));
	long interval = st->val[OP_INTERVAL];
	long iat = st->at[OP_INTERVAL];
	if (iat < 0 && st->val[OP_BATCH] == 1) {
		/* Debian: BatchMode without an interval means 300 s. */
		interval = 300;
		iat = st->at[OP_BATCH];
	} else if (iat < 0) {
		interval = 0;
	}
	int iunk = all || st->unknown[OP_INTERVAL] || (iat < 0 && st->unknown[OP_BATCH]) ||
		   (st->val[OP_INTERVAL] < 0 && st->unknown[OP_BATCH]);
	r->interval = iunk ? SS_UNKNOWN : interval;
	r->count_max = all || st->unknown[OP_COUNTMAX] ? SS_UNKNOWN
		       : st->at[OP_COUNTMAX] >= 0      ? st->val[OP_COUNTMAX]
						       : 3;
	r->tcp_keepalive = all || st->unknown[OP_TCPKA] ? SS_UNKNOWN
			   : st->at[OP_TCPKA] >= 0	? st->val[OP_TCPKA]
							: 1;
	if ((iat >= 0 && !(r->interval_at = where_dir(c, iat))) ||
	    (st->at[OP_COUNTMAX] >= 0 && !(r->count_max_at = where_dir(c, st->at[OP_COUNTMAX]))) ||
	    (st->at[OP_TCPKA] >= 0 && !(r->tcp_keepalive_at = where_dir(c, st->at[OP_TCPKA]))))
		return ss_diag_oom(st->d);
	if (r->interval == SS_UNKNOWN || r->count_max == SS_UNKNOWN ||
	    r->tcp_keepalive == SS_UNKNOWN) {
		r->unknown_reason = st->reason;
		st->reason = NULL;
	}
	return 0;
}

/* ssh.c valid_hostname()/valid_ruser() as Debian 12 has them (the
 * CVE-2023-51385 fix, with ',' added): names typed on the command line
 * with shell metacharacters are refused before any config is read. */
int ss_openssh_valid_hostname(const char *s)
{
	if (*s == '-')
		return 0;
	for (; *s; s++)
		if (strchr("'`\"$\\;&<>|(){},", *s) || isspace((unsigned char)*s) ||
		    iscntrl((unsigned char)*s))
			return 0;
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

int ss_openssh_eval(ss_openssh *c, const char *host, ss_openssh_result *r, ss_diag *d)
{
	memset(r, 0, sizeof(*r));
	evstate st;
	memset(&st, 0, sizeof(st));
	st.c = c;
	st.d = d;
	for (size_t i = 0; i <= OP_UNKNOWN_CHECK; i++) {
		st.val[i] = -1;
		st.at[i] = -1;
	}
	/* ssh USER@HOST: the user is set before any config line. */
	char *copy = ss_strdup(host);
	if (!copy)
		return ss_diag_oom(d);
	char *at = strrchr(copy, '@');
	st.host = copy;
	if (at) {
		*at = '\0';
		st.cmdline_user = copy;
		st.str[OP_USER] = copy;
		st.at[OP_USER] = -2; /* set, but by no line */
		st.host = at + 1;
	}
	if (!ss_openssh_valid_hostname(st.host) || (at && !valid_ruser(copy))) {
		ss_diag_set(d, NULL, 0, 0,
			    "ssh refuses the %s \"%s\": it contains characters ssh does not "
			    "allow on its command line (expected none of '`\"$\\;&<>|(){}, "
			    "blanks or control characters, and no leading '-')",
			    at && !valid_ruser(copy) ? "user name" : "host name",
			    at && !valid_ruser(copy) ? copy : st.host);
		free(copy);
		return -1;
	}
	int rc = run_pass(&st, st.host, 0);
	int second = c->want_final || st.val[OP_CANON] > 0 || st.unknown[OP_CANON];
	if (rc == 0 && second) {
		rc = prepare_final(&st);
		if (rc == 0 && st.final_host)
			rc = run_pass(&st, st.final_host, 1);
	}
	if (rc == 0)
		rc = fill_result(&st, r);
	free(st.reason);
	free(st.final_host);
	free(copy);
	if (rc < 0)
		ss_openssh_result_free(r);
	return rc;
}

void ss_openssh_result_free(ss_openssh_result *r)
{
	free(r->interval_at);
	free(r->count_max_at);
	free(r->tcp_keepalive_at);
	free(r->unknown_reason);
	memset(r, 0, sizeof(*r));
}
