/* Migration, OpenSSH side, reading: one session per literal Host name,
 * every Table 1 field as `ssh -G ALIAS` resolves it (the evaluation of
 * openssh_eval.c over every setting line), with where it came from. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "openssh_int.h"
#include "openssh_migrate.h"
#include "sshsync/sshkw.h"

/* Keywords that the model carries (lowercase): everything else set for an
 * alias goes into the session's extra settings. */
static const char *const MODELLED[] = {"hostname",
				       "port",
				       "user",
				       "identityfile",
				       "certificatefile",
				       "identityagent",
				       "forwardagent",
				       "forwardx11",
				       "compression",
				       "serveraliveinterval",
				       "serveralivecountmax",
				       "tcpkeepalive",
				       "addressfamily",
				       "hostkeyalias",
				       "remotecommand",
				       "requesttty",
				       "sessiontype",
				       "setenv",
				       "localforward",
				       "remoteforward",
				       "dynamicforward",
				       "proxycommand",
				       "proxyjump",
				       "ciphers",
				       "kexalgorithms",
				       "hostkeyalgorithms",
				       "gssapiauthentication",
				       "gssapidelegatecredentials",
				       "gssapikeyexchange",
				       "batchmode",
				       "protocolkeepalives",
				       "setuptimeout",
				       NULL};

static int modelled(const char *kw)
{
	for (size_t i = 0; MODELLED[i]; i++)
		if (strcmp(kw, MODELLED[i]) == 0)
			return 1;
	return 0;
}

static ss_sorigin origin_of(const ss_openssh_setting *s)
{
	return s->literal ? SS_ORIGIN_EXPLICIT : SS_ORIGIN_PATTERN;
}

/* readconf.c: yes/true 1, no/false 0. */
static int flag_value(const char *v)
{
	return strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0;
}

static const ss_openssh_setting *get(const ss_openssh_settings *st, const char *kw)
{
	return ss_openssh_settings_get(st, kw);
}

static int set_flag(ss_session *s, ss_sfield f, const ss_openssh_settings *st, const char *kw)
{
	const ss_openssh_setting *x = get(st, kw);
	if (!x || x->args.n == 0)
		return 0;
	return ss_session_set_num(s, f, flag_value(x->args.v[0]), origin_of(x), x->where);
}

/* Splits "[bind:]port" (bind may be bracketed) as parse_fwd_field does. */
int oss_split_listen(const char *spec, char **bind, char **port)
{
	*bind = *port = NULL;
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':')
			return 1;
		*bind = ss_strndup(spec + 1, (size_t)(close - spec - 1));
		*port = ss_strdup(close + 2);
	} else {
		const char *colon = strchr(spec, ':');
		if (colon && strchr(colon + 1, ':'))
			return 1; /* an unbracketed IPv6 address: ssh refuses it */
		if (colon) {
			*bind = ss_strndup(spec, (size_t)(colon - spec));
			*port = ss_strdup(colon + 1);
		} else {
			*port = ss_strdup(spec);
		}
	}
	if (!*port || (spec[0] == '[' && !*bind) || (strchr(spec, ':') && !*bind)) {
		free(*bind);
		free(*port);
		*bind = *port = NULL;
		return -1;
	}
	return 0;
}

/* "host:port", "[v6]:port". */
static int split_dest(const char *spec, char **host, char **port)
{
	const char *colon;
	*host = *port = NULL;
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (!close || close[1] != ':')
			return 1;
		*host = ss_strndup(spec + 1, (size_t)(close - spec - 1));
		colon = close + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon)
			return 1;
		*host = ss_strndup(spec, (size_t)(colon - spec));
	}
	*port = ss_strdup(colon + 1);
	if (!*host || !*port) {
		free(*host);
		free(*port);
		*host = *port = NULL;
		return -1;
	}
	return 0;
}

/* One LocalForward/RemoteForward/DynamicForward line. */
static int add_forward(ss_session *s, char kind, const ss_openssh_setting *x)
{
	ss_forward fw = {kind, SS_AF_ANY, NULL, NULL, NULL, NULL};
	int r;
	if (x->args.n == 0)
		return 0;
	if (kind == 'D' || (kind == 'R' && x->args.n == 1)) {
		r = oss_split_listen(x->args.v[0], &fw.bind, &fw.listen);
		if (r == 0 && kind == 'R')
			r = ss_session_loss(s, "RemoteForward", 0,
					    "%s: a remote dynamic (SOCKS) forward (%s) has no "
					    "form outside OpenSSH",
					    x->where, x->args.v[0]) < 0
				? -1
				: 2;
	} else {
		r = oss_split_listen(x->args.v[0], &fw.bind, &fw.listen);
		if (r == 0 && x->args.n > 1)
			r = split_dest(x->args.v[1], &fw.host, &fw.port);
		else if (r == 0)
			r = 1;
	}
	if (r == 1)
		r = ss_session_loss(
			s, kind == 'L' ? "LocalForward" : "RemoteForward", 0,
			"%s: forward \"%s\" is not a [bind:]port host:port form sshsync "
			"can carry (a Unix socket?)",
			x->where, x->raw) < 0
			? -1
			: 2;
	if (r == 0)
		r = ss_session_add_forward(s, &fw);
	free(fw.bind);
	free(fw.listen);
	free(fw.host);
	free(fw.port);
	return r < 0 ? -1 : 0;
}

static int read_forwards(ss_session *s, const ss_openssh_settings *st)
{
	int first = 1;
	if (get(st, "clearallforwardings"))
		return 0;
	for (size_t i = 0; i < st->n; i++) {
		const ss_openssh_setting *x = &st->v[i];
		char kind = strcmp(x->keyword, "localforward") == 0	? 'L'
			    : strcmp(x->keyword, "remoteforward") == 0	? 'R'
			    : strcmp(x->keyword, "dynamicforward") == 0 ? 'D'
									: 0;
		if (!kind)
			continue;
		if (first && ss_session_set_origin(s, SS_F_FORWARDS, origin_of(x), x->where) < 0)
			return -1;
		first = 0;
		if (add_forward(s, kind, x) < 0)
			return -1;
	}
	return 0;
}

/* One ProxyJump hop: "[user@]host[:port]" or "ssh://[user@]host[:port]". */
static int parse_hop(const char *spec, ss_hop *h)
{
	memset(h, 0, sizeof(*h));
	if (strncmp(spec, "ssh://", 6) == 0)
		spec += 6;
	const char *at = strrchr(spec, '@');
	if (at && !(h->user = ss_strndup(spec, (size_t)(at - spec))))
		return -1;
	const char *hp = at ? at + 1 : spec;
	const char *colon = NULL, *end;
	if (hp[0] == '[') {
		const char *close = strchr(hp, ']');
		if (!close)
			return 1;
		h->host = ss_strndup(hp + 1, (size_t)(close - hp - 1));
		colon = close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = strrchr(hp, ':');
		end = colon ? colon : hp + strlen(hp);
		h->host = ss_strndup(hp, (size_t)(end - hp));
	}
	if (!h->host)
		return -1;
	if (colon) {
		char *e;
		long long p = strtoll(colon + 1, &e, 10);
		if (*e || p <= 0 || p > 65535)
			return 1;
		h->port = p;
	}
	return 0;
}

static int read_jump(ss_session *s, const ss_openssh_setting *x)
{
	if (x->args.n == 0 || strcasecmp(x->args.v[0], "none") == 0)
		return ss_session_set_origin(s, SS_F_JUMP, origin_of(x), x->where);
	if (ss_session_set_origin(s, SS_F_JUMP, origin_of(x), x->where) < 0)
		return -1;
	char *list = ss_strdup(x->args.v[0]);
	if (!list)
		return -1;
	int r = 0;
	for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok && r == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		ss_hop h;
		r = parse_hop(tok, &h);
		if (r == 0) {
			/* The hop is itself looked up in ssh_config (ssh runs
			 * ssh -W ... HOP): it stands for a session of its own. */
			if (!(h.session = ss_strdup(h.host)))
				r = -1;
			if (r == 0)
				r = ss_session_add_hop(s, &h);
		} else if (r == 1) {
			r = ss_session_loss(s, "jump", 0,
					    "%s: ProxyJump hop \"%s\" is not "
					    "[user@]host[:port]",
					    x->where, tok);
		}
		free(h.user);
		free(h.host);
		free(h.session);
	}
	free(list);
	return r < 0 ? -1 : 0;
}

/* RemoteCommand as ssh -G prints it: %-tokens expanded with what is known
 * (ssh.c: %C %d %h %i %k %L %l %n %p %r %u). Tokens that depend on the
 * machine running ssh are left as written and reported. */
static int expand_command(ss_session *s, const char *cmd, const char *where, ss_buf *out)
{
	const char *host = s->f[SS_F_HOST].str ? s->f[SS_F_HOST].str : s->name;
	const char *user = s->f[SS_F_USER].str;
	for (const char *p = cmd; *p; p++) {
		int r = 0;
		if (*p != '%' || !p[1]) {
			r = ss_buf_addc(out, *p);
		} else {
			p++;
			switch (*p) {
			case '%':
				r = ss_buf_addc(out, '%');
				break;
			case 'h':
				r = ss_buf_adds(out, host);
				break;
			case 'n':
				r = ss_buf_adds(out, s->name);
				break;
			case 'p':
				r = ss_buf_addf(out, "%lld", s->f[SS_F_PORT].num);
				break;
			case 'k':
				r = ss_buf_adds(out, s->f[SS_F_HOST_KEY_ALIAS].str
							 ? s->f[SS_F_HOST_KEY_ALIAS].str
							 : host);
				break;
			case 'r':
				if (user) {
					r = ss_buf_adds(out, user);
					break;
				}
				r = ss_buf_adds(out, "%r");
				if (r == 0)
					r = ss_session_loss(s, "remote_command", 1,
							    "%s: RemoteCommand token %%r is the "
							    "local user name here; kept as written",
							    where);
				break;
			default:
				r = ss_buf_addc(out, '%') < 0 || ss_buf_addc(out, *p) < 0 ? -1 : 0;
				if (r == 0)
					r = ss_session_loss(
					    s, "remote_command", 1,
					    "%s: RemoteCommand token %%%c depends on "
					    "the machine running ssh; kept as written",
					    where, *p);
			}
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

static int read_command(ss_session *s, const ss_openssh_setting *x)
{
	if (strcasecmp(x->raw, "none") == 0)
		return ss_session_set_str(s, SS_F_REMOTE_COMMAND, NULL, origin_of(x), x->where);
	ss_buf b = SS_BUF_INIT;
	int r = expand_command(s, x->raw, x->where, &b);
	if (r == 0)
		r = ss_session_set_str(s, SS_F_REMOTE_COMMAND, ss_buf_str(&b), origin_of(x),
				       x->where);
	ss_buf_release(&b);
	return r;
}

/* HostName with %h and %% expanded, lowercased as ssh does. */
static int read_host(ss_session *s, const ss_openssh_setting *x)
{
	ss_buf b = SS_BUF_INIT;
	int r = 0;
	for (const char *p = x->args.v[0]; *p && r == 0; p++) {
		if (p[0] == '%' && p[1] == 'h') {
			r = ss_buf_adds(&b, s->name);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			r = ss_buf_addc(&b, '%');
			p++;
		} else {
			r = ss_buf_addc(&b, (char)tolower((unsigned char)*p));
		}
	}
	if (r == 0 && ss_buf_grow(&b, 0) == 0) {
		char *v = ss_buf_detach(&b, NULL);
		for (char *q = v; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		r = ss_session_set_str(s, SS_F_HOST, v, origin_of(x), x->where);
		free(v);
	}
	ss_buf_release(&b);
	return r;
}

static int read_list(ss_session *s, ss_sfield f, const ss_openssh_settings *st, const char *kw)
{
	int first = 1;
	for (size_t i = 0; i < st->n; i++) {
		const ss_openssh_setting *x = &st->v[i];
		if (strcmp(x->keyword, kw) != 0 || x->args.n == 0)
			continue;
		if (first && ss_session_set_origin(s, f, origin_of(x), x->where) < 0)
			return -1;
		first = 0;
		if (ss_session_list_add(s, f, x->args.v[0]) < 0)
			return -1;
	}
	return 0;
}

static int read_simple(ss_session *s, const ss_openssh_settings *st)
{
	const ss_openssh_setting *x;
	int r = 0;
	if ((x = get(st, "hostname")) && x->args.n)
		r |= read_host(s, x);
	else
		r |= ss_session_set_str(s, SS_F_HOST, s->name, SS_ORIGIN_DEFAULT, NULL);
	if ((x = get(st, "port")) && x->args.n)
		r |= ss_session_set_num(s, SS_F_PORT, atoll(x->args.v[0]), origin_of(x), x->where);
	if ((x = get(st, "user")) && x->args.n)
		r |= ss_session_set_str(s, SS_F_USER, x->args.v[0], origin_of(x), x->where);
	r |= read_list(s, SS_F_IDENTITY, st, "identityfile");
	r |= read_list(s, SS_F_CERTIFICATE, st, "certificatefile");
	if ((x = get(st, "identityagent")) && x->args.n) {
		int none = strcasecmp(x->args.v[0], "none") == 0;
		r |= ss_session_set_num(s, SS_F_AGENT, !none, origin_of(x), x->where);
		if (!none && strcasecmp(x->args.v[0], "SSH_AUTH_SOCK") != 0)
			r |= ss_session_loss(s, "IdentityAgent", 1,
					     "%s: the agent socket \"%s\" has no form outside "
					     "OpenSSH; the default agent is used",
					     x->where, x->args.v[0]);
	}
	if ((x = get(st, "forwardagent")) && x->args.n) {
		const char *v = x->args.v[0];
		int on = strcasecmp(v, "no") != 0 && strcasecmp(v, "false") != 0;
		r |= ss_session_set_num(s, SS_F_AGENT_FWD, on, origin_of(x), x->where);
		if (on && !flag_value(v))
			r |= ss_session_loss(s, "ForwardAgent", 1,
					     "%s: forwarding the named socket \"%s\" has no form "
					     "outside OpenSSH; the agent is forwarded",
					     x->where, v);
	}
	r |= set_flag(s, SS_F_X11, st, "forwardx11");
	r |= set_flag(s, SS_F_COMPRESSION, st, "compression");
	if ((x = get(st, "addressfamily")) && x->args.n) {
		const char *v = x->args.v[0];
		long long af = strcasecmp(v, "inet") == 0    ? SS_AF_INET
			       : strcasecmp(v, "inet6") == 0 ? SS_AF_INET6
							     : SS_AF_ANY;
		r |= ss_session_set_num(s, SS_F_ADDRESS_FAMILY, af, origin_of(x), x->where);
	}
	if ((x = get(st, "hostkeyalias")) && x->args.n)
		r |= ss_session_set_str(s, SS_F_HOST_KEY_ALIAS, x->args.v[0], origin_of(x),
					x->where);
	if ((x = get(st, "requesttty")) && x->args.n) {
		const char *v = x->args.v[0];
		long long p = strcasecmp(v, "force") == 0  ? SS_PTY_FORCE
			      : flag_value(v)		   ? SS_PTY_YES
			      : strcasecmp(v, "auto") == 0 ? SS_PTY_AUTO
							   : SS_PTY_NO;
		r |= ss_session_set_num(s, SS_F_PTY, p, origin_of(x), x->where);
	}
	if ((x = get(st, "sessiontype")) && x->args.n) {
		const char *v = x->args.v[0];
		r |= ss_session_set_num(s, SS_F_NO_SHELL, strcasecmp(v, "none") == 0, origin_of(x),
					x->where);
		if (strcasecmp(v, "subsystem") == 0)
			r |= ss_session_loss(s, "SessionType", 0,
					     "%s: a subsystem session is not saved by PuTTY",
					     x->where);
	}
	if ((x = get(st, "setenv"))) {
		r |= ss_session_set_origin(s, SS_F_ENV, origin_of(x), x->where);
		for (size_t i = 0; i < x->args.n; i++)
			r |= ss_session_list_add(s, SS_F_ENV, x->args.v[i]);
	}
	r |= set_flag(s, SS_F_GSSAPI, st, "gssapiauthentication");
	r |= set_flag(s, SS_F_GSSAPI_DELEGATE, st, "gssapidelegatecredentials");
	r |= set_flag(s, SS_F_GSSAPI_KEX, st, "gssapikeyexchange");
	return r ? -1 : 0;
}

/* Algorithm lists: carried as written ("+aes128-ctr" edits included);
 * writers translate what they can. */
static int read_algs(ss_session *s, const ss_openssh_settings *st)
{
	static const struct {
		const char *kw;
		ss_sfield f;
	} algs[] = {{"ciphers", SS_F_CIPHERS},
		    {"kexalgorithms", SS_F_KEX},
		    {"hostkeyalgorithms", SS_F_HOST_KEY_ALGS}};
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		const ss_openssh_setting *x = get(st, algs[i].kw);
		if (!x || x->args.n == 0)
			continue;
		if (ss_session_set_origin(s, algs[i].f, origin_of(x), x->where) < 0 ||
		    ss_session_list_add(s, algs[i].f, x->args.v[0]) < 0)
			return -1;
	}
	return 0;
}

/* ProxyCommand and ProxyJump: whichever line ssh reads first wins. */
static int read_proxy(ss_session *s, const ss_openssh_settings *st)
{
	const ss_openssh_setting *pc = get(st, "proxycommand"), *pj = get(st, "proxyjump");
	if (pc && pj) {
		if (pc < pj)
			pj = NULL;
		else
			pc = NULL;
	}
	if (pj)
		return read_jump(s, pj);
	if (pc && strcasecmp(pc->raw, "none") != 0)
		return ss_session_set_str(s, SS_F_PROXY_COMMAND, pc->raw, origin_of(pc), pc->where);
	return 0;
}

/* The keepalive fields from the keepalive evaluation itself (it knows
 * Debian's BatchMode default and the ProtocolKeepAlives aliases). */
static int read_keepalive(ss_session *s, ss_openssh *c, const ss_openssh_settings *st, ss_diag *d)
{
	ss_openssh_result res = SS_OPENSSH_RESULT_INIT;
	if (ss_openssh_eval(c, s->name, &res, d) < 0)
		return -1;
	long v[3] = {res.interval, res.count_max, res.tcp_keepalive};
	const char *at[3] = {res.interval_at, res.count_max_at, res.tcp_keepalive_at};
	ss_sfield f[3] = {SS_F_KEEPALIVE, SS_F_KEEPALIVE_COUNT, SS_F_TCP_KEEPALIVE};
	int r = 0;
	for (int k = 0; k < 3 && r == 0; k++) {
		if (v[k] == SS_UNKNOWN) {
			r = ss_session_loss(s, ss_sfield_name(f[k]), 0, "%s",
					    res.unknown_reason ? res.unknown_reason : "unknown");
			continue;
		}
		ss_sorigin o = SS_ORIGIN_DEFAULT;
		for (size_t i = 0; at[k] && i < st->n; i++)
			if (strcmp(st->v[i].where, at[k]) == 0)
				o = origin_of(&st->v[i]);
		if (at[k] && o == SS_ORIGIN_DEFAULT)
			o = SS_ORIGIN_PATTERN;
		r = ss_session_set_num(s, f[k], v[k], o, at[k]);
	}
	ss_openssh_result_free(&res);
	return r < 0 ? ss_diag_oom(d) : 0;
}

static int read_extra(ss_session *s, const ss_openssh_settings *st)
{
	for (size_t i = 0; i < st->n; i++) {
		const ss_openssh_setting *x = &st->v[i];
		if (modelled(x->keyword))
			continue;
		const char *name = ss_sshkw_client_name(x->keyword);
		char *line = ss_asprintf("%s %s", name ? name : x->keyword, x->raw);
		int bad = !line || ss_session_extra_add(s, line, x->where ? x->where : "") < 0;
		free(line);
		if (bad)
			return -1;
	}
	return 0;
}

int oss_read_session(ss_openssh *c, const char *alias, const char *file, ss_sessions *out,
		     ss_diag *d)
{
	ss_openssh_settings st = SS_OPENSSH_SETTINGS_INIT;
	if (ss_openssh_settings_eval(c, alias, &st, d) < 0)
		return -1;
	ss_session *s = ss_sessions_add(out, alias, file);
	int r = s ? 0 : -1;
	if (r == 0)
		r = read_simple(s, &st);
	const ss_openssh_setting *x = get(&st, "remotecommand");
	if (r == 0 && x)
		r = read_command(s, x);
	if (r == 0)
		r = read_forwards(s, &st);
	if (r == 0)
		r = read_proxy(s, &st);
	if (r == 0)
		r = read_algs(s, &st);
	if (r == 0)
		r = read_extra(s, &st);
	for (size_t i = 0; r == 0 && i < st.runtime.n; i++)
		r = ss_session_loss(s, "Match", 1,
				    "%s is a runtime condition sshsync does not run; the values "
				    "assume it does not match",
				    st.runtime.v[i]);
	if (r < 0) {
		ss_openssh_settings_free(&st);
		return ss_diag_oom(d);
	}
	r = read_keepalive(s, c, &st, d);
	ss_openssh_settings_free(&st);
	return r;
}

/* The session name an alias stands for (Host tokens decoded, see
 * ss_session_name_from_token), newly allocated. */
static char *name_of(const char *alias)
{
	ss_buf b = SS_BUF_INIT;
	if (ss_session_name_from_token(alias, &b) < 0 || ss_buf_grow(&b, 0) < 0) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

/* Names the session and its hops' sessions as session names, not tokens. */
static int decode_names(ss_session *s)
{
	char *n = name_of(s->name);
	if (!n)
		return -1;
	free(s->name);
	s->name = n;
	for (size_t i = 0; i < s->f[SS_F_JUMP].nhops; i++) {
		ss_hop *h = &s->f[SS_F_JUMP].hops[i];
		if (!h->session)
			continue;
		if (!(n = name_of(h->session)))
			return -1;
		free(h->session);
		h->session = n;
	}
	return 0;
}

static int add_one(ss_openssh *c, const char *name, const char *path, ss_sessions *out, ss_diag *d)
{
	char *decoded = name_of(name);
	if (!decoded)
		return ss_diag_oom(d);
	int seen = ss_sessions_find(out, decoded) != NULL;
	free(decoded);
	if (seen)
		return 0;
	if (!ss_openssh_valid_hostname(name)) {
		ss_session *s = ss_sessions_add(out, name, path);
		if (!s)
			return ss_diag_oom(d);
		s->kind = "ssh";
		s->skip = 1;
		return ss_session_loss(s, "name", 0,
				       "ssh refuses \"%s\" as a host name on its command line: "
				       "not a session",
				       name) < 0
			   ? ss_diag_oom(d)
			   : 0;
	}
	if (oss_read_session(c, name, path, out, d) < 0)
		return -1;
	out->v[out->n - 1].kind = "ssh";
	return decode_names(&out->v[out->n - 1]) < 0 ? ss_diag_oom(d) : 0;
}

int ss_openssh_sessions_read(const char *path, const ss_strlist *names, ss_sessions *out,
			     ss_diag *d)
{
	ss_openssh_opts o = SS_OPENSSH_OPTS_INIT;
	o.all_settings = 1;
	ss_openssh *c;
	if (ss_openssh_load(&c, path, &o, d) < 0)
		return -1;
	ss_strlist all = SS_STRLIST_INIT;
	int r = 0;
	if (names && names->n) {
		/* An alias, or a session name whose Host token it is. */
		for (size_t i = 0; i < names->n && r == 0; i++) {
			ss_buf tok = SS_BUF_INIT;
			const char *alias = names->v[i];
			if (!oss_index_find(c, alias)) {
				if (ss_session_host_token(alias, &tok) < 0)
					r = ss_diag_oom(d);
				alias = ss_buf_str(&tok);
			}
			if (r == 0 && !oss_index_find(c, alias))
				r = ss_diag_set(d, path, 0, 0,
						"no Host line names \"%s\": expected one of the "
						"file's literal host names",
						names->v[i]);
			if (r == 0 && ss_strlist_push(&all, alias) < 0)
				r = ss_diag_oom(d);
			ss_buf_release(&tok);
		}
	} else if (ss_openssh_host_names(c, &all) < 0) {
		r = ss_diag_oom(d);
	}
	const ss_strlist *want = &all;
	size_t first = out->n;
	for (size_t i = 0; i < want->n && r == 0; i++)
		r = add_one(c, want->v[i], path, out, d);
	/* Hops, and their hops: sessions of their own. */
	for (size_t i = first; i < out->n && r == 0; i++)
		for (size_t h = 0; h < out->v[i].f[SS_F_JUMP].nhops && r == 0; h++) {
			char *hop = ss_strdup(out->v[i].f[SS_F_JUMP].hops[h].host);
			r = hop ? add_one(c, hop, path, out, d) : ss_diag_oom(d);
			free(hop);
		}
	ss_strlist_release(&all);
	ss_openssh_free(c);
	return r;
}
