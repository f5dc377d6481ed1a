/* Migration, OpenSSH side, writing: each session becomes a `Host TOKEN`
 * block of the target ssh_config. An existing block of that one name is
 * updated in place (only the lines whose value changes, lines added at its
 * end, lines of the model the session no longer has removed); a new block
 * goes before the first pattern or Match block of the main file, so that
 * its values come before the general defaults (first value wins). A line
 * is written where the value differs from ssh's default or from what the
 * target file would otherwise give the alias. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "openssh_migrate.h"
#include "sshsync/edit.h"
#include "sshsync/sshkw.h"

/* One line to write: "Keyword" and its value text. */
typedef struct mline {
	const char *kw; /* as the manual spells it */
	char *value;
} mline;

typedef struct mlines {
	mline *v;
	size_t n, cap;
} mlines;

static void mlines_free(mlines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].value);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int mlines_add(mlines *l, const char *kw, char *value)
{
	if (!value)
		return -1;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		mline *v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			free(value);
			return -1;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (mline){kw, value};
	return 0;
}

static char *quoted(const char *v)
{
	ss_buf b = SS_BUF_INIT;
	if (ss_sshconf_quote(v, &b) < 0 || ss_buf_grow(&b, 0) < 0) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

static int add_hostport(ss_buf *b, const char *host, const char *port)
{
	if (strchr(host, ':'))
		return ss_buf_addf(b, "[%s]:%s", host, port);
	return ss_buf_addf(b, "%s:%s", host, port);
}

static char *forward_text(const ss_forward *fw)
{
	ss_buf b = SS_BUF_INIT;
	int r = 0;
	if (fw->bind)
		r = add_hostport(&b, fw->bind, fw->listen);
	else
		r = ss_buf_adds(&b, fw->listen);
	if (r == 0 && fw->kind != 'D' && fw->host)
		r = ss_buf_addc(&b, ' ') < 0 || add_hostport(&b, fw->host, fw->port) < 0 ? -1 : 0;
	if (r < 0 || ss_buf_grow(&b, 0) < 0) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

static char *token_of(const char *name)
{
	ss_buf b = SS_BUF_INIT;
	if (ss_session_host_token(name, &b) < 0 || ss_buf_grow(&b, 0) < 0) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

static char *jump_text(const ss_sval *v)
{
	ss_buf b = SS_BUF_INIT;
	int r = ss_buf_grow(&b, 0);
	for (size_t i = 0; i < v->nhops && r == 0; i++) {
		const ss_hop *h = &v->hops[i];
		char *host = h->session ? token_of(h->session) : ss_strdup(h->host);
		if (!host)
			r = -1;
		if (r == 0 && i)
			r = ss_buf_addc(&b, ',');
		if (r == 0 && h->user)
			r = ss_buf_addf(&b, "%s@", h->user);
		if (r == 0)
			r = strchr(host, ':') ? ss_buf_addf(&b, "[%s]", host)
					      : ss_buf_adds(&b, host);
		if (r == 0 && h->port)
			r = ss_buf_addf(&b, ":%lld", h->port);
		free(host);
	}
	if (r < 0) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

static char *env_text(const ss_strlist *l)
{
	ss_buf b = SS_BUF_INIT;
	int r = ss_buf_grow(&b, 0);
	for (size_t i = 0; i < l->n && r == 0; i++)
		r = (i ? ss_buf_addc(&b, ' ') : 0) < 0 || ss_sshconf_quote(l->v[i], &b) < 0 ? -1
											    : 0;
	if (r < 0) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

static const char *yesno(long long v)
{
	return v ? "yes" : "no";
}

/* The lines of one field (none for a list that is empty). */
static int field_lines(const ss_session *s, ss_sfield f, mlines *out)
{
	const ss_sval *v = &s->f[f];
	static const char *const pty[] = {"auto", "yes", "no", "force"};
	static const char *const af[] = {"any", "inet", "inet6"};
	int r = 0;
	switch (f) {
	case SS_F_HOST:
		return v->str && *v->str ? mlines_add(out, "HostName", quoted(v->str)) : 0;
	case SS_F_PORT:
		return mlines_add(out, "Port", ss_asprintf("%lld", v->num));
	case SS_F_USER:
		return v->str && *v->str ? mlines_add(out, "User", quoted(v->str)) : 0;
	case SS_F_IDENTITY:
	case SS_F_CERTIFICATE:
		for (size_t i = 0; i < v->list.n && r == 0; i++)
			r = mlines_add(out, f == SS_F_IDENTITY ? "IdentityFile" : "CertificateFile",
				       quoted(v->list.v[i]));
		return r;
	case SS_F_AGENT:
		return v->num ? mlines_add(out, "IdentityAgent", ss_strdup("SSH_AUTH_SOCK"))
			      : mlines_add(out, "IdentityAgent", ss_strdup("none"));
	case SS_F_AGENT_FWD:
		return mlines_add(out, "ForwardAgent", ss_strdup(yesno(v->num)));
	case SS_F_X11:
		return mlines_add(out, "ForwardX11", ss_strdup(yesno(v->num)));
	case SS_F_COMPRESSION:
		return mlines_add(out, "Compression", ss_strdup(yesno(v->num)));
	case SS_F_KEEPALIVE:
		return mlines_add(out, "ServerAliveInterval", ss_asprintf("%lld", v->num));
	case SS_F_KEEPALIVE_COUNT:
		return mlines_add(out, "ServerAliveCountMax", ss_asprintf("%lld", v->num));
	case SS_F_TCP_KEEPALIVE:
		return mlines_add(out, "TCPKeepAlive", ss_strdup(yesno(v->num)));
	case SS_F_ADDRESS_FAMILY:
		return mlines_add(out, "AddressFamily",
				  ss_strdup(af[v->num >= 0 && v->num <= 2 ? v->num : 0]));
	case SS_F_HOST_KEY_ALIAS:
		return v->str ? mlines_add(out, "HostKeyAlias", quoted(v->str)) : 0;
	case SS_F_REMOTE_COMMAND:
		return v->str ? mlines_add(out, "RemoteCommand", ss_session_tokens(v->str)) : 0;
	case SS_F_PTY:
		return mlines_add(out, "RequestTTY",
				  ss_strdup(pty[v->num >= 0 && v->num <= 3 ? v->num : 0]));
	case SS_F_NO_SHELL:
		return mlines_add(out, "SessionType", ss_strdup(v->num ? "none" : "default"));
	case SS_F_ENV:
		return v->list.n ? mlines_add(out, "SetEnv", env_text(&v->list)) : 0;
	case SS_F_FORWARDS:
		for (size_t i = 0; i < v->nfwd && r == 0; i++) {
			const ss_forward *fw = &v->fwd[i];
			r = mlines_add(out,
				       fw->kind == 'L'	 ? "LocalForward"
				       : fw->kind == 'R' ? "RemoteForward"
							 : "DynamicForward",
				       forward_text(fw));
		}
		return r;
	case SS_F_PROXY_COMMAND:
		return v->str ? mlines_add(out, "ProxyCommand", ss_strdup(v->str)) : 0;
	case SS_F_JUMP:
		return v->nhops ? mlines_add(out, "ProxyJump", jump_text(v)) : 0;
	case SS_F_CIPHERS:
		return v->list.n ? mlines_add(out, "Ciphers", ss_strdup(v->list.v[0])) : 0;
	case SS_F_KEX:
		return v->list.n ? mlines_add(out, "KexAlgorithms", ss_strdup(v->list.v[0])) : 0;
	case SS_F_HOST_KEY_ALGS:
		return v->list.n ? mlines_add(out, "HostKeyAlgorithms", ss_strdup(v->list.v[0]))
				 : 0;
	case SS_F_GSSAPI:
		return mlines_add(out, "GSSAPIAuthentication", ss_strdup(yesno(v->num)));
	case SS_F_GSSAPI_DELEGATE:
		return mlines_add(out, "GSSAPIDelegateCredentials", ss_strdup(yesno(v->num)));
	case SS_F_GSSAPI_KEX:
		return mlines_add(out, "GSSAPIKeyExchange", ss_strdup(yesno(v->num)));
	default:
		return 0;
	}
}

/* Losses an OpenSSH target has whatever the source. */
static int target_losses(ss_session *s)
{
	int r = 0;
	if (s->f[SS_F_HOST].str && !*s->f[SS_F_HOST].str)
		r |= ss_session_loss(s, "host", 0,
				     "the session has no host name; ssh takes the alias as one");
	if (s->f[SS_F_USER].str && !*s->f[SS_F_USER].str)
		r |= ss_session_loss(s, "user", 1,
				     "the session asks for the user name; OpenSSH cannot ask and "
				     "uses the local user name");
	for (size_t i = 0; i < s->f[SS_F_FORWARDS].nfwd; i++)
		if (s->f[SS_F_FORWARDS].fwd[i].family != SS_AF_ANY)
			r |= ss_session_loss(
			    s, "forwards", 1,
			    "forward %s: OpenSSH has no per-forward address family (IPv%c only); "
			    "it follows AddressFamily",
			    s->f[SS_F_FORWARDS].fwd[i].listen,
			    s->f[SS_F_FORWARDS].fwd[i].family == SS_AF_INET ? '4' : '6');
	for (size_t i = 0; i < s->f[SS_F_IDENTITY].list.n; i++) {
		const char *k = s->f[SS_F_IDENTITY].list.v[i];
		size_t n = strlen(k);
		if (n > 4 && strcasecmp(k + n - 4, ".ppk") == 0)
			r |= ss_session_loss(s, "identity_file", 1,
					     "%s is a PuTTY key: OpenSSH needs it converted "
					     "(puttygen KEY -O private-openssh-new, or --keys DIR)",
					     k);
	}
	if (s->kind && strcmp(s->kind, "ssh") != 0)
		r |= ss_session_extras_lost(s, "OpenSSH");
	if (s->kind && strcmp(s->kind, "ssh") != 0 && s->f[SS_F_KEEPALIVE].num > 0)
		r |= ss_session_loss(s, "keepalive_count", 1,
				     "%s never disconnects a silent server; OpenSSH does after "
				     "ServerAliveCountMax (%lld) unanswered keepalives",
				     s->kind, s->f[SS_F_KEEPALIVE_COUNT].num);
	return r ? -1 : 0;
}

/* Lines of one keyword inside the session's block. */
static int same_kw(const ss_sshconf_item *it, const char *kw)
{
	return it->kind == SS_SSHCONF_DIRECTIVE && it->keyword && strcasecmp(it->keyword, kw) == 0;
}

static int is_header(const ss_sshconf_item *it)
{
	return it->kind == SS_SSHCONF_DIRECTIVE &&
	       (ss_sshconf_is(it, "host") || ss_sshconf_is(it, "match"));
}

/* The value bytes of a line: commands run to the end of the content, other
 * values to the end of their last argument. */
static void value_span(const ss_sshconf_item *it, size_t *start, size_t *end)
{
	*start = it->args[0].start;
	if (ss_sshconf_is(it, "proxycommand") || ss_sshconf_is(it, "remotecommand"))
		*end = it->end;
	else
		*end = it->args[it->nargs - 1].end;
}

typedef struct block {
	size_t header;	   /* item of the Host line, or SIZE_MAX for a new block */
	size_t first, end; /* items (header+1 .. end) */
} block;

static int find_block(const ss_sshconf *conf, const char *token, block *b)
{
	for (size_t i = 0; i < conf->nitems; i++) {
		const ss_sshconf_item *it = &conf->items[i];
		if (!same_kw(it, "host") || it->nargs != 1 || strcmp(it->args[0].value, token) != 0)
			continue;
		b->header = i;
		b->first = i + 1;
		b->end = i + 1;
		while (b->end < conf->nitems && !is_header(&conf->items[b->end]))
			b->end++;
		return 1;
	}
	return 0;
}

/* Where new blocks go: before the first Host line with a pattern or '!',
 * or the first Match line; else the end. */
static size_t new_block_spot(const ss_sshconf *conf)
{
	for (size_t i = 0; i < conf->nitems; i++) {
		const ss_sshconf_item *it = &conf->items[i];
		if (!is_header(it))
			continue;
		if (ss_sshconf_is(it, "match"))
			return i;
		for (size_t a = 0; a < it->nargs; a++)
			if (it->args[a].value[0] == '!' || strpbrk(it->args[a].value, "*?"))
				return i;
	}
	return conf->nitems;
}

/* Updates an existing block: keyword by keyword. */
static int update_block(const oss_file *f, const block *b, const mlines *want, ss_edits *e)
{
	const ss_sshconf *conf = &f->conf;
	const ss_text *t = &f->text;
	size_t last = b->header, ind_len = 4;
	const char *ind = "    ";
	for (size_t i = b->first; i < b->end; i++)
		if (conf->items[i].kind == SS_SSHCONF_DIRECTIVE) {
			if (last == b->header) {
				ind = t->data + t->lines[i];
				ind_len = conf->items[i].kw_start - t->lines[i];
			}
			last = i;
		}
	ss_buf add = SS_BUF_INIT;
	int r = 0;
	size_t *idx = malloc((want->n ? want->n : 1) * sizeof(*idx));
	if (!idx)
		return -1;
	for (size_t w = 0; w < want->n && r == 0; w++) {
		int seen = 0;
		for (size_t x = 0; x < w && !seen; x++)
			seen = strcmp(want->v[x].kw, want->v[w].kw) == 0;
		if (seen)
			continue; /* a keyword's lines are handled at once */
		size_t n = 0;
		for (size_t x = w; x < want->n; x++)
			if (strcmp(want->v[x].kw, want->v[w].kw) == 0)
				idx[n++] = x;
		/* the block's lines of this keyword */
		size_t k = 0, same = 1;
		for (size_t i = b->first; i < b->end; i++) {
			const ss_sshconf_item *it = &conf->items[i];
			if (!same_kw(it, want->v[w].kw) || it->nargs == 0)
				continue;
			size_t s0, s1;
			value_span(it, &s0, &s1);
			const char *v = k < n ? want->v[idx[k]].value : NULL;
			if (!v || strlen(v) != s1 - s0 || memcmp(t->data + s0, v, s1 - s0) != 0)
				same = 0;
			k++;
		}
		if (k == n && same)
			continue;
		k = 0;
		for (size_t i = b->first; i < b->end && r == 0; i++) {
			const ss_sshconf_item *it = &conf->items[i];
			if (!same_kw(it, want->v[w].kw) || it->nargs == 0)
				continue;
			if (k < n) {
				size_t s0, s1;
				value_span(it, &s0, &s1);
				const char *v = want->v[idx[k]].value;
				r = ss_edits_replace(e, s0, s1, v, strlen(v));
			} else {
				r = ss_edits_delete_line(e, t, i);
			}
			k++;
		}
		for (; k < n && r == 0; k++)
			r = ss_buf_addf(&add, "%s%.*s%s %s", add.len ? ss_text_eol_string(t) : "",
					(int)ind_len, ind, want->v[idx[k]].kw,
					want->v[idx[k]].value);
	}
	free(idx);
	if (r == 0 && add.len)
		r = ss_edits_insert_line(e, t, last + 1, ss_buf_str(&add));
	ss_buf_release(&add);
	return r;
}

/* Removes the block's lines of modelled keywords the session no longer
 * writes (a forward that is gone, a User now the default). */
static int canonical(const oss_file *f, const ss_sshconf_item *it, const mlines *all)
{
	if (it->nargs == 0)
		return 0;
	size_t s0, s1;
	value_span(it, &s0, &s1);
	for (size_t i = 0; i < all->n; i++)
		if (strcasecmp(all->v[i].kw, it->keyword) == 0 &&
		    strlen(all->v[i].value) == s1 - s0 &&
		    memcmp(f->text.data + s0, all->v[i].value, s1 - s0) == 0)
			return 1;
	return 0;
}

static int drop_stale(const oss_file *f, const block *b, const mlines *want, const mlines *all,
		      ss_edits *e)
{
	static const char *const kws[] = {"HostName",
					  "Port",
					  "User",
					  "IdentityFile",
					  "CertificateFile",
					  "IdentityAgent",
					  "ForwardAgent",
					  "ForwardX11",
					  "Compression",
					  "ServerAliveInterval",
					  "ServerAliveCountMax",
					  "TCPKeepAlive",
					  "AddressFamily",
					  "HostKeyAlias",
					  "RemoteCommand",
					  "RequestTTY",
					  "SessionType",
					  "SetEnv",
					  "LocalForward",
					  "RemoteForward",
					  "DynamicForward",
					  "ProxyCommand",
					  "ProxyJump",
					  "Ciphers",
					  "KexAlgorithms",
					  "HostKeyAlgorithms",
					  "GSSAPIAuthentication",
					  "GSSAPIDelegateCredentials",
					  "GSSAPIKeyExchange",
					  NULL};
	for (size_t k = 0; kws[k]; k++) {
		int wanted = 0;
		for (size_t w = 0; w < want->n && !wanted; w++)
			wanted = strcmp(want->v[w].kw, kws[k]) == 0;
		if (wanted)
			continue;
		for (size_t i = b->first; i < b->end; i++)
			if (same_kw(&f->conf.items[i], kws[k]) &&
			    !canonical(f, &f->conf.items[i], all) &&
			    ss_edits_delete_line(e, &f->text, i) < 0)
				return -1;
	}
	return 0;
}

static int new_block(const oss_file *f, const char *token, const mlines *want, ss_buf *out)
{
	const char *eol = ss_text_eol_string(&f->text);
	int r = out->len ? ss_buf_addf(out, "%s%s", eol, eol) : 0; /* a blank line between */
	if (r == 0)
		r = ss_buf_addf(out, "Host %s", token);
	for (size_t w = 0; w < want->n && r == 0; w++)
		r = ss_buf_addf(out, "%s    %s %s", eol, want->v[w].kw, want->v[w].value);
	return r;
}

/* A field the session leaves unset but the target sets for the alias:
 * the forms ssh has for "none". */
static int unset_line(const ss_session *s, ss_sfield f, const ss_session *now, mlines *out)
{
	switch (f) {
	case SS_F_JUMP:
		return now->f[f].nhops ? mlines_add(out, "ProxyJump", ss_strdup("none")) : 0;
	case SS_F_PROXY_COMMAND:
		return now->f[f].str ? mlines_add(out, "ProxyCommand", ss_strdup("none")) : 0;
	case SS_F_REMOTE_COMMAND:
		return now->f[f].str ? mlines_add(out, "RemoteCommand", ss_strdup("none")) : 0;
	case SS_F_FORWARDS:
		return s->f[f].nfwd == 0 && now->f[f].nfwd
			   ? mlines_add(out, "ClearAllForwardings", ss_strdup("yes"))
			   : 0;
	default:
		return 0;
	}
}

/* The lines the session needs: every field that differs from ssh's
 * default for the alias or from what the target would give it now. */
static int wanted_lines(const ss_session *s, const char *token, const ss_session *now, mlines *out)
{
	ss_sessions tmp = SS_SESSIONS_INIT;
	ss_session *def = ss_sessions_add(&tmp, token, NULL);
	int r = def ? 0 : -1;
	for (int f = 0; f < SS_F_COUNT && r == 0; f++) {
		const ss_sval *v = &s->f[f];
		int differs = !ss_sval_equal((ss_sfield)f, v, &def->f[f]) ||
			      (now && !ss_sval_equal((ss_sfield)f, v, &now->f[f]));
		if (!differs)
			continue;
		size_t before = out->n;
		r = field_lines(s, (ss_sfield)f, out);
		if (r == 0 && out->n == before && now)
			r = unset_line(s, (ss_sfield)f, now, out);
	}
	if (r == 0 && s->kind && strcmp(s->kind, "ssh") == 0)
		for (const char *x = NULL; r == 0 && (x = ss_session_extra_next(s, x)) != NULL;) {
			/* "Keyword value", the keyword as the manual spells it */
			const char *sp = strchr(x, ' ');
			char *lower = sp ? ss_strndup(x, (size_t)(sp - x)) : NULL;
			for (char *q = lower; q && *q; q++)
				*q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
			const char *canon = lower ? ss_sshkw_client_name(lower) : NULL;
			r = canon ? mlines_add(out, canon, ss_strdup(sp + 1)) : 0;
			free(lower);
		}
	ss_sessions_free(&tmp);
	return r;
}

int oss_plan_sessions(ss_openssh *c, ss_sessions *in, ss_edits *e, ss_diag *d)
{
	const oss_file *f = &c->files[0];
	size_t spot = new_block_spot(&f->conf);
	ss_buf fresh = SS_BUF_INIT;
	int r = 0;
	for (size_t i = 0; i < in->n && r == 0; i++) {
		ss_session *s = &in->v[i];
		if (s->skip)
			continue;
		char *token = token_of(s->name);
		if (!token)
			return ss_diag_oom(d);
		free(s->target_name);
		s->target_name = token;
		if (target_losses(s) < 0)
			return ss_diag_oom(d);
		ss_sessions now = SS_SESSIONS_INIT;
		if (oss_read_session(c, token, f->path, &now, d) < 0) {
			ss_buf_release(&fresh);
			return -1;
		}
		mlines want = {0}, all = {0};
		r = wanted_lines(s, token, &now.v[0], &want);
		for (int fi = 0; fi < SS_F_COUNT && r == 0; fi++)
			r = field_lines(s, (ss_sfield)fi, &all);
		block b;
		if (r == 0 && find_block(&f->conf, token, &b)) {
			r = update_block(f, &b, &want, e);
			if (r == 0)
				r = drop_stale(f, &b, &want, &all, e);
		} else if (r == 0) {
			r = new_block(f, token, &want, &fresh);
		}
		mlines_free(&want);
		mlines_free(&all);
		ss_sessions_free(&now);
	}
	if (r == 0 && fresh.len) {
		const char *eol = ss_text_eol_string(&f->text);
		if (spot < f->conf.nitems)
			r = ss_buf_adds(&fresh, eol); /* a blank line before the next block */
		if (spot == f->conf.nitems && f->conf.nitems > 0 &&
		    f->conf.items[f->conf.nitems - 1].kind != SS_SSHCONF_BLANK) {
			/* a blank line between the last line and the new blocks */
			ss_buf b = SS_BUF_INIT;
			r = r ? r : ss_buf_addf(&b, "%s%s", eol, ss_buf_str(&fresh));
			if (r == 0)
				r = ss_edits_insert_line(e, &f->text, spot, ss_buf_str(&b));
			ss_buf_release(&b);
		} else if (r == 0) {
			r = ss_edits_insert_line(e, &f->text, spot, ss_buf_str(&fresh));
		}
	}
	ss_buf_release(&fresh);
	return r < 0 ? ss_diag_oom(d) : 0;
}

/* Hops compare by the names they are written with. */
static int same_jump(const ss_sval *want, const ss_sval *got)
{
	if (want->nhops != got->nhops)
		return 0;
	for (size_t i = 0; i < want->nhops; i++) {
		const ss_hop *a = &want->hops[i], *b = &got->hops[i];
		char *host = a->session ? token_of(a->session) : ss_strdup(a->host);
		int same =
		    host && b->host && strcmp(host, b->host) == 0 && a->port == b->port &&
		    ((!a->user && !b->user) || (a->user && b->user && !strcmp(a->user, b->user)));
		free(host);
		if (!same)
			return 0;
	}
	return 1;
}

/* Evaluates the planned main file as ssh will: every field a session does
 * not get as migrated is a loss that names the line that wins instead. */
static int verify(const char *path, const ss_text *t, const ss_edits *e, ss_sessions *in,
		  ss_diag *d)
{
	ss_buf bytes = SS_BUF_INIT;
	if (ss_edits_render(t, e, &bytes, d) < 0)
		return -1;
	ss_openssh_opts o = SS_OPENSSH_OPTS_INIT;
	o.all_settings = 1;
	o.main_bytes = bytes.data ? bytes.data : "";
	o.main_len = bytes.len;
	ss_openssh *c;
	int r = ss_openssh_load(&c, path, &o, d);
	for (size_t i = 0; i < in->n && r == 0; i++) {
		ss_session *s = &in->v[i];
		if (s->skip)
			continue;
		ss_sessions got = SS_SESSIONS_INIT;
		r = oss_read_session(c, s->target_name, path, &got, d);
		for (int f = 0; f < SS_F_COUNT && r == 0; f++) {
			const ss_sval *g = &got.v[0].f[f];
			int same = f == SS_F_JUMP ? same_jump(&s->f[f], g)
						  : ss_sval_equal((ss_sfield)f, &s->f[f], g);
			if (same)
				continue;
			ss_buf v = SS_BUF_INIT;
			r = ss_sval_format((ss_sfield)f, g, &v);
			if (r == 0)
				r = ss_session_loss(s, ss_sfield_name((ss_sfield)f), 0,
						    "the target gives %s (%s) and a Host block "
						    "cannot change that",
						    ss_buf_str(&v),
						    g->where ? g->where : "default");
			ss_buf_release(&v);
			if (r < 0)
				r = ss_diag_oom(d);
		}
		ss_sessions_free(&got);
	}
	ss_openssh_free(c);
	ss_buf_release(&bytes);
	return r;
}

int ss_openssh_sessions_plan(const char *path, ss_sessions *in, ss_changeset *cs, ss_diag *d)
{
	ss_openssh_opts o = SS_OPENSSH_OPTS_INIT;
	o.all_settings = 1;
	o.missing_empty = 1; /* migrating into a new file creates it */
	ss_openssh *c;
	if (ss_openssh_load(&c, path, &o, d) < 0)
		return -1;
	ss_edits *edits = calloc(c->nfiles, sizeof(*edits));
	int r = edits ? oss_plan_sessions(c, in, &edits[0], d) : ss_diag_oom(d);
	if (r == 0)
		r = verify(path, &c->files[0].text, &edits[0], in, d);
	if (r == 0)
		r = oss_move_to_changeset(c, edits, cs, d);
	for (size_t i = 0; edits && i < c->nfiles; i++)
		ss_edits_free(&edits[i]);
	free(edits);
	ss_openssh_free(c);
	return r;
}
