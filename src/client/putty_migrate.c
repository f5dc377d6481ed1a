/* Migration, PuTTY and KiTTY side (session folders and .reg files, through
 * storage): reading saved sessions into the neutral model and writing the
 * model as saved sessions, exactly as PuTTY 0.78's settings.c reads them
 * (MIGRATION.md Table 1 and 2, pitfalls 1.2). A session never inherits
 * Default Settings: a missing key is the compiled-in default. Every value
 * the model carries is written explicitly, so the result does not depend on
 * a client version's defaults (TCPKeepalives, AuthGSSAPI differ from
 * OpenSSH's). */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sshsync/algs.h"
#include "sshsync/putty.h"
#include "sshsync/session.h"
#include "sshsync/storage.h"
#include "putty_migrate.h"

/* --- roots --- */

static const ss_storage_root *root_of(int kitty)
{
	return kitty ? &ss_kitty_root : &ss_putty_root;
}

/* A session's name as PuTTY shows it (its raw key or file name unescaped). */
static char *name_of(const ss_storage *st, size_t idx)
{
	const ss_storage_session *ss = ss_storage_at(st, idx);
	ss_buf b = SS_BUF_INIT;
	if (ss_putty_unescape_name(ss->raw, strlen(ss->raw), &b) < 0 || ss_buf_grow(&b, 0) < 0) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

/* The raw name a new session gets: the registry key as Windows PuTTY
 * escapes it, or the file name as Unix PuTTY (every byte but
 * A-Z a-z 0-9 + - . @ _) and KiTTY (the registry escaping plus : / " < >
 * |) write it. */
static int raw_name(const ss_storage *st, int kitty, const char *name, ss_buf *out)
{
	if (ss_storage_keyed(st))
		return ss_putty_escape_name(name, out);
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		int keep;
		if (kitty)
			keep = c > 0x20 && c < 0x7f && !strchr(" \\*?%:/\"<>|", c) &&
			       !(p == name && c == '.');
		else
			keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			       (c >= '0' && c <= '9') || strchr("+-.@_", c);
		if ((keep ? ss_buf_addc(out, (char)c) : ss_buf_addf(out, "%%%02X", c)) < 0)
			return -1;
	}
	return 0;
}

/* --- reading --- */

/* The keys the model reads; everything else is an extra setting. */
static const char *const KEYS[] = {"Protocol",
				   "HostName",
				   "PortNumber",
				   "UserName",
				   "UserNameFromEnvironment",
				   "PublicKeyFile",
				   "DetachedCertificate",
				   "TryAgent",
				   "AgentFwd",
				   "X11Forward",
				   "Compression",
				   "PingInterval",
				   "PingIntervalSecs",
				   "TCPKeepalives",
				   "AddressFamily",
				   "LogHost",
				   "RemoteCommand",
				   "NoPTY",
				   "SshNoShell",
				   "Environment",
				   "PortForwardings",
				   "ProxyMethod",
				   "ProxyHost",
				   "ProxyPort",
				   "ProxyUsername",
				   "ProxyTelnetCommand",
				   "ProxyLocalhost",
				   "AuthGSSAPI",
				   "AuthGSSAPIKEX",
				   "GssapiFwd",
				   "Cipher",
				   "KEX",
				   "HostKey",
				   "Password",
				   "ProxyPassword",
				   "Present",
				   "ProxyType",
				   NULL};

enum {
	K_PROTOCOL,
	K_HOSTNAME,
	K_PORT,
	K_USER,
	K_USERENV,
	K_KEY,
	K_CERT,
	K_AGENT,
	K_AGENTFWD,
	K_X11,
	K_COMPRESSION,
	K_PINGMIN,
	K_PINGSEC,
	K_TCPKA,
	K_AF,
	K_LOGHOST,
	K_CMD,
	K_NOPTY,
	K_NOSHELL,
	K_ENV,
	K_FWD,
	K_PROXYMETHOD,
	K_PROXYHOST,
	K_PROXYPORT,
	K_PROXYUSER,
	K_PROXYCMD,
	K_PROXYLOCAL,
	K_GSSAPI,
	K_GSSKEX,
	K_GSSFWD,
	K_CIPHER,
	K_KEX,
	K_HOSTKEY,
	K_PASSWORD,
	K_PROXYPASSWORD,
	K_PRESENT,
	K_PROXYTYPE,
	NKEYS
};

typedef struct pvals {
	ss_svalue v[NKEYS];
} pvals;

/* read_setting_i: a missing (or, in the registry, non-DWORD) value is
 * the default. */
static long long geti(const pvals *p, int k, long long def)
{
	const ss_svalue *v = &p->v[k];
	return v->present && v->is_int ? v->ival : def;
}

static const char *gets_(const pvals *p, int k, const char *def)
{
	const ss_svalue *v = &p->v[k];
	return v->present && v->text ? v->text : def;
}

static int set_i(ss_session *s, ss_sfield f, const pvals *p, int k, long long def, int boolean)
{
	const ss_svalue *v = &p->v[k];
	long long n = geti(p, k, def);
	if (boolean)
		n = n != 0;
	int has = v->present && v->is_int;
	return ss_session_set_num(s, f, n, has ? SS_ORIGIN_EXPLICIT : SS_ORIGIN_DEFAULT,
				  has ? v->where : NULL);
}

/* utils/sessprep.c: blanks trimmed, user@ split off, brackets of an IPv6
 * literal removed, a :port suffix dropped (but not from an unbracketed
 * IPv6 address). */
static int read_host(ss_session *s, const pvals *p)
{
	const ss_svalue *v = &p->v[K_HOSTNAME];
	const char *h = gets_(p, K_HOSTNAME, "");
	while (*h == ' ' || *h == '\t')
		h++;
	char *host = ss_strdup(h);
	if (!host)
		return -1;
	size_t n = strlen(host);
	while (n && (host[n - 1] == ' ' || host[n - 1] == '\t'))
		host[--n] = '\0';
	int r = 0;
	char *at = strrchr(host, '@');
	char *name = host;
	if (at) {
		*at = '\0';
		r = ss_session_set_str(s, SS_F_USER, host, SS_ORIGIN_EXPLICIT, v->where);
		name = at + 1;
	}
	if (name[0] == '[' && strchr(name, ']')) {
		name++;
		*strchr(name, ']') = '\0';
	} else {
		char *colon = strchr(name, ':');
		if (colon && !strchr(colon + 1, ':')) {
			*colon = '\0';
			if (r == 0)
				r = ss_session_loss(s, "host", 1,
						    "HostName \"%s\": PuTTY drops the \":%s\" "
						    "suffix, it is not the port",
						    h, colon + 1);
		}
	}
	if (r == 0)
		r = ss_session_set_str(s, SS_F_HOST, name,
				       v->present ? SS_ORIGIN_EXPLICIT : SS_ORIGIN_DEFAULT,
				       v->present ? v->where : NULL);
	free(host);
	return r;
}

static int read_user(ss_session *s, const pvals *p)
{
	if (s->f[SS_F_USER].origin == SS_ORIGIN_EXPLICIT)
		return 0; /* user@host in HostName wins */
	const char *u = gets_(p, K_USER, "");
	if (*u)
		return ss_session_set_str(s, SS_F_USER, u, SS_ORIGIN_EXPLICIT, p->v[K_USER].where);
	if (geti(p, K_USERENV, 0))
		return ss_session_set_str(s, SS_F_USER, NULL, SS_ORIGIN_EXPLICIT,
					  p->v[K_USERENV].where);
	return ss_session_set_str(s, SS_F_USER, "",
				  p->v[K_USER].present ? SS_ORIGIN_EXPLICIT : SS_ORIGIN_DEFAULT,
				  p->v[K_USER].where);
}

static int read_path(ss_session *s, ss_sfield f, const pvals *p, int k)
{
	const char *v = gets_(p, k, "");
	if (!*v)
		return 0;
	char *t = ss_session_tokens(v);
	int r = t && ss_session_set_origin(s, f, SS_ORIGIN_EXPLICIT, p->v[k].where) == 0 &&
			ss_session_list_add(s, f, t) == 0
		    ? 0
		    : -1;
	free(t);
	return r;
}

/* gppmap: NAME=VALUE,NAME=VALUE with '=' ',' '\' backslash-escaped; an
 * unescaped '=' ends the key, the value runs from the last one. Calls
 * `fn` per pair. */
typedef int (*pair_fn)(ss_session *s, const char *key, const char *val, const char *where);

static int read_map(ss_session *s, const char *map, const char *where, pair_fn fn)
{
	size_t n = strlen(map);
	char *buf = malloc(n + 1);
	if (!buf)
		return -1;
	int r = 0;
	const char *p = map;
	while (*p && r == 0) {
		char *q = buf;
		char *val = NULL;
		while (*p && *p != ',') {
			char c = *p++;
			if (c == '=')
				c = '\0';
			if (c == '\\' && *p)
				c = *p++;
			*q++ = c;
			if (!c)
				val = q;
		}
		if (*p == ',')
			p++;
		*q = '\0';
		r = fn(s, buf, val ? val : q, where);
	}
	free(buf);
	return r;
}

static int env_pair(ss_session *s, const char *key, const char *val, const char *where)
{
	(void)where;
	if (!*key)
		return 0;
	char *pair = ss_asprintf("%s=%s", key, val);
	int r = pair ? ss_session_list_add(s, SS_F_ENV, pair) : -1;
	free(pair);
	return r;
}

/* "[bind:]port" with a bracketed IPv6 bind address, or "host:port". */
static int split_last(const char *spec, char **a, char **b)
{
	*a = *b = NULL;
	const char *colon;
	if (spec[0] == '[' && strchr(spec, ']')) {
		const char *close = strchr(spec, ']');
		if (close[1] != ':')
			return 1;
		*a = ss_strndup(spec + 1, (size_t)(close - spec - 1));
		colon = close + 1;
	} else {
		colon = strrchr(spec, ':');
		if (!colon) {
			*b = ss_strdup(spec);
			return *b ? 0 : -1;
		}
		*a = ss_strndup(spec, (size_t)(colon - spec));
	}
	*b = ss_strdup(colon + 1);
	return *a && *b ? 0 : -1;
}

/* ssh/portfwd.c: KEY = [A|4|6] L|R|D [bind:]port, VALUE = host:port. */
static int fwd_pair(ss_session *s, const char *key, const char *val, const char *where)
{
	ss_forward fw = {0, SS_AF_ANY, NULL, NULL, NULL, NULL};
	const char *k = key;
	if (*k == 'A' || *k == '4' || *k == '6') {
		fw.family = *k == '4' ? SS_AF_INET : *k == '6' ? SS_AF_INET6 : SS_AF_ANY;
		k++;
	}
	if (*k != 'L' && *k != 'R' && *k != 'D')
		return ss_session_loss(s, "forwards", 0,
				       "%s: PortForwardings entry \"%s\" is not "
				       "[A|4|6]L|R|D[bind:]port",
				       where, key);
	fw.kind = *k++;
	int r = split_last(k, &fw.bind, &fw.listen);
	if (r == 0 && fw.kind != 'D') {
		if (!*val)
			fw.kind = 'D'; /* how PuTTY's loader reads a D entry */
		else
			r = split_last(val, &fw.host, &fw.port);
		if (r == 0 && fw.kind != 'D' && !fw.host)
			r = 1;
	}
	if (r == 1)
		r = ss_session_loss(s, "forwards", 0,
				    "%s: PortForwardings entry \"%s=%s\" has no destination "
				    "host:port",
				    where, key, val);
	else if (r == 0)
		r = ss_session_add_forward(s, &fw);
	free(fw.bind);
	free(fw.listen);
	free(fw.host);
	free(fw.port);
	return r;
}

/* ProxyTelnetCommand (proxy/telnet.c format_telnet_command) into
 * ssh_config's tokens: %host %h, %port %p, %% %%, a literal % doubled,
 * backslash escapes decoded; %user %pass %proxyhost %proxyport have no
 * OpenSSH form. */
static int proxy_command(ss_session *s, const char *cmd, const char *where, ss_buf *out)
{
	static const struct {
		const char *pt, *os;
	} tok[] = {{"%host", "%h"}, {"%port", "%p"}, {"%%", "%%"}};
	for (const char *p = cmd; *p;) {
		int r = 0, done = 0;
		for (size_t i = 0; i < 3 && !done; i++)
			if (strncmp(p, tok[i].pt, strlen(tok[i].pt)) == 0) {
				r = ss_buf_adds(out, tok[i].os);
				p += strlen(tok[i].pt);
				done = 1;
			}
		if (!done && *p == '%') {
			static const char *const lost[] = {"%user", "%pass", "%proxyhost",
							   "%proxyport"};
			for (size_t i = 0; i < 4 && !done; i++)
				if (strncmp(p, lost[i], strlen(lost[i])) == 0) {
					r = ss_session_loss(s, "proxy_command", 0,
							    "%s: %s in the proxy command has no "
							    "OpenSSH form (PuTTY's proxy user and "
							    "password)",
							    where, lost[i]);
					if (r == 0)
						r = ss_buf_adds(out, lost[i]);
					p += strlen(lost[i]);
					done = 1;
				}
			if (!done) {
				r = ss_buf_adds(out, "%%");
				p++;
				done = 1;
			}
		}
		if (!done && *p == '\\' && p[1]) {
			char c = p[1];
			p += 2;
			if (c == 'n')
				c = '\n';
			else if (c == 'r')
				c = '\r';
			else if (c == 't')
				c = '\t';
			else if (c == 'x' && p[0] && p[1]) {
				char hex[3] = {p[0], p[1], 0};
				c = (char)strtol(hex, NULL, 16);
				p += 2;
			}
			r = ss_buf_addc(out, c);
			done = 1;
		}
		if (!done)
			r = ss_buf_addc(out, *p++);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* KiTTY's jump: `klink [-batch] -load NAME [-l USER] -nc %host:%port`. */
static int klink_hop(const char *cmd, ss_hop *h)
{
	memset(h, 0, sizeof(*h));
	if (strncmp(cmd, "klink ", 6) != 0 || !strstr(cmd, " -nc %host:%port"))
		return 0;
	const char *load = strstr(cmd, " -load ");
	if (!load)
		return 0;
	load += 7;
	const char *end = load;
	int quoted = *end == '"';
	if (quoted)
		end = strchr(++load, '"');
	else
		end = load + strcspn(load, " ");
	if (!end)
		return 0;
	h->session = ss_strndup(load, (size_t)(end - load));
	h->host = h->session ? ss_strdup(h->session) : NULL;
	const char *l = strstr(cmd, " -l ");
	if (l)
		h->user = ss_strndup(l + 4, strcspn(l + 4, " "));
	return h->session && h->host && (!l || h->user) ? 1 : -1;
}

static int is_loopback(const char *h)
{
	return strcasecmp(h, "localhost") == 0 || strncmp(h, "127.", 4) == 0 ||
	       strcmp(h, "::1") == 0;
}

typedef struct reader {
	ss_storage *st;
	int kitty;
	const char *path;
	ss_diag *d;
	ss_buf extra;		  /* a session's extra settings as they are read */
	const char *known[NKEYS]; /* KEYS sorted as strcasecmp orders them */
} reader;

static int by_key(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/* The model's keys in order, so that each value of a session (a hundred
 * and more) is looked up, not compared with all of them. */
static void sort_known(reader *R)
{
	memcpy(R->known, KEYS, sizeof(R->known));
	qsort(R->known, NKEYS, sizeof(R->known[0]), by_key);
}

static int is_known(const reader *R, const char *name)
{
	return bsearch(&name, R->known, NKEYS, sizeof(R->known[0]), by_key) != NULL;
}

/* "Key=dword:N" of an extra setting, without printf. */
static int add_extra_dword(ss_buf *x, const char *name, long long v)
{
	return ss_buf_adds(x, name) < 0 || ss_buf_add(x, "=dword:", 7) < 0 ||
		       ss_buf_add_lld(x, v) < 0
		   ? -1
		   : 0;
}

static int read_proxy(reader *R, ss_session *s, const pvals *p)
{
	long long method =
	    p->v[K_PROXYMETHOD].present ? geti(p, K_PROXYMETHOD, 0) : geti(p, K_PROXYTYPE, 0);
	const char *where = p->v[K_PROXYMETHOD].where;
	const char *phost = gets_(p, K_PROXYHOST, "proxy");
	const char *puser = gets_(p, K_PROXYUSER, "");
	int r = 0;
	if (method == 0)
		return 0;
	if (!geti(p, K_PROXYLOCAL, 0) && is_loopback(s->f[SS_F_HOST].str))
		return ss_session_loss(s, "jump", 1,
				       "%s: ProxyLocalhost=0: PuTTY connects to %s directly, not "
				       "through the proxy; migrated as a direct connection",
				       where, s->f[SS_F_HOST].str);
	if (method == 6 || (method == 5 && R->kitty)) {
		ss_hop h;
		int k = 0;
		if (method == 5) {
			k = klink_hop(gets_(p, K_PROXYCMD, ""), &h);
			if (k < 0)
				return -1;
			if (k == 0)
				goto command;
		} else {
			memset(&h, 0, sizeof(h));
			ss_buf raw = SS_BUF_INIT;
			if (raw_name(R->st, R->kitty, phost, &raw) < 0)
				return -1;
			int named = ss_storage_find(R->st, ss_buf_str(&raw)) != SIZE_MAX;
			ss_buf_release(&raw);
			h.host = ss_strdup(phost);
			h.user = *puser ? ss_strdup(puser) : NULL;
			if (named)
				h.session = ss_strdup(phost);
			else
				h.port = geti(p, K_PROXYPORT, 80);
			if (!h.host || (*puser && !h.user) || (named && !h.session))
				r = -1;
		}
		if (r == 0)
			r = ss_session_set_origin(s, SS_F_JUMP, SS_ORIGIN_EXPLICIT, where);
		if (r == 0)
			r = ss_session_add_hop(s, &h);
		free(h.user);
		free(h.host);
		free(h.session);
		return r;
	}
	if (method == 5) {
	command:;
		ss_buf b = SS_BUF_INIT;
		r = proxy_command(s, gets_(p, K_PROXYCMD, ""), p->v[K_PROXYCMD].where, &b);
		if (r == 0)
			r = ss_session_set_str(s, SS_F_PROXY_COMMAND, ss_buf_str(&b),
					       SS_ORIGIN_EXPLICIT, where);
		ss_buf_release(&b);
		return r;
	}
	static const char *const names[] = {"",	    "SOCKS 4",	     "SOCKS 5",
					    "HTTP", "Telnet",	     "",
					    "",	    "SSH with exec", "SSH with subsystem"};
	return ss_session_loss(s, "proxy", 0,
			       "%s: a %s proxy (%s:%lld) has no OpenSSH keyword (a ProxyCommand "
			       "such as nc -X would be needed); not carried",
			       where, method >= 0 && method <= 8 ? names[method] : "unknown", phost,
			       geti(p, K_PROXYPORT, 80));
}

static int read_pty(ss_session *s, const pvals *p)
{
	int cmd = s->f[SS_F_REMOTE_COMMAND].str != NULL;
	long long nopty = geti(p, K_NOPTY, 0);
	long long v = nopty ? (cmd ? SS_PTY_AUTO : SS_PTY_NO) : (cmd ? SS_PTY_FORCE : SS_PTY_AUTO);
	return ss_session_set_num(s, SS_F_PTY, v,
				  p->v[K_NOPTY].present ? SS_ORIGIN_EXPLICIT : SS_ORIGIN_DEFAULT,
				  p->v[K_NOPTY].where);
}

/* The preference lists, by key, field and kind (settings.c). */
static const struct {
	const char *key;
	ss_sfield field;
	ss_alg_kind kind;
} ALG_KEYS[3] = {{"Cipher", SS_F_CIPHERS, SS_ALG_CIPHER},
		 {"KEX", SS_F_KEX, SS_ALG_KEX},
		 {"HostKey", SS_F_HOST_KEY_ALGS, SS_ALG_HOSTKEY}};

/* A list other than PuTTY's default: the model gets the OpenSSH names of
 * the groups before WARN (what ssh 9.2 has of them), and the setting as
 * stored (str) for a PuTTY or KiTTY target to keep exactly. */
static int read_alg_list(ss_session *s, const ss_svalue *v, int i)
{
	ss_sfield f = ALG_KEYS[i].field;
	ss_buf list = SS_BUF_INIT, approx = SS_BUF_INIT;
	int empty = 0;
	int r = ss_algs_openssh_from_putty(ALG_KEYS[i].kind, v->text, &list, &approx, &empty);
	if (r == 0 && (ss_session_set_origin(s, f, SS_ORIGIN_EXPLICIT, v->where) < 0 ||
		       !(s->f[f].str = ss_strdup(v->text))))
		r = -1;
	if (r == 0 && !empty)
		r = ss_session_list_add(s, f, ss_buf_str(&list));
	if (r == 0 && empty)
		r = ss_session_loss(s, ALG_KEYS[i].key, 0,
				    "%s: %s=%s: nothing OpenSSH 9.2 has comes before WARN; "
				    "not carried",
				    v->where, ALG_KEYS[i].key, v->text);
	else if (r == 0 && approx.len)
		r = ss_session_loss(s, ALG_KEYS[i].key, 1, "%s: %s=%s: %s", v->where,
				    ALG_KEYS[i].key, v->text, ss_buf_str(&approx));
	ss_buf_release(&list);
	ss_buf_release(&approx);
	return r;
}

static int read_rest(ss_session *s, const pvals *p)
{
	int r = 0;
	for (int i = 0; i < 3 && r == 0; i++) {
		const ss_svalue *v = &p->v[K_CIPHER + i];
		if (v->present && v->text &&
		    !ss_algs_putty_same(ALG_KEYS[i].kind, v->text,
					ss_algs_putty_default(ALG_KEYS[i].kind)))
			r = read_alg_list(s, v, i);
	}
	if (r == 0 && gets_(p, K_PASSWORD, "")[0])
		r = ss_session_loss(s, "Password", 0, "%s: a saved password is never copied",
				    p->v[K_PASSWORD].where);
	if (r == 0 && gets_(p, K_PROXYPASSWORD, "")[0])
		r = ss_session_loss(s, "ProxyPassword", 0, "%s: a saved password is never copied",
				    p->v[K_PROXYPASSWORD].where);
	return r;
}

static int read_fields(reader *R, ss_session *s, const pvals *p)
{
	int r = read_host(s, p);
	if (r == 0 && p->v[K_PROTOCOL].present)
		r = set_i(s, SS_F_PORT, p, K_PORT, 22, 0);
	r |= read_user(s, p);
	r |= read_path(s, SS_F_IDENTITY, p, K_KEY);
	r |= read_path(s, SS_F_CERTIFICATE, p, K_CERT);
	r |= set_i(s, SS_F_AGENT, p, K_AGENT, 1, 1);
	r |= set_i(s, SS_F_AGENT_FWD, p, K_AGENTFWD, 0, 1);
	r |= set_i(s, SS_F_X11, p, K_X11, 0, 1);
	r |= set_i(s, SS_F_COMPRESSION, p, K_COMPRESSION, 0, 1);
	long long ka = geti(p, K_PINGMIN, 0) * 60 + geti(p, K_PINGSEC, 0);
	int ka_set = p->v[K_PINGMIN].present || p->v[K_PINGSEC].present;
	r |= ss_session_set_num(s, SS_F_KEEPALIVE, ka,
				ka_set ? SS_ORIGIN_EXPLICIT : SS_ORIGIN_DEFAULT,
				p->v[p->v[K_PINGMIN].present ? K_PINGMIN : K_PINGSEC].where);
	r |= set_i(s, SS_F_TCP_KEEPALIVE, p, K_TCPKA, 0, 1);
	long long af = geti(p, K_AF, 0);
	r |= ss_session_set_num(s, SS_F_ADDRESS_FAMILY, af >= 0 && af <= 2 ? af : 0,
				p->v[K_AF].present ? SS_ORIGIN_EXPLICIT : SS_ORIGIN_DEFAULT,
				p->v[K_AF].where);
	const char *lh = gets_(p, K_LOGHOST, "");
	if (*lh)
		r |= ss_session_set_str(s, SS_F_HOST_KEY_ALIAS, lh, SS_ORIGIN_EXPLICIT,
					p->v[K_LOGHOST].where);
	const char *cmd = gets_(p, K_CMD, "");
	if (*cmd)
		r |= ss_session_set_str(s, SS_F_REMOTE_COMMAND, cmd, SS_ORIGIN_EXPLICIT,
					p->v[K_CMD].where);
	r |= read_pty(s, p);
	r |= set_i(s, SS_F_NO_SHELL, p, K_NOSHELL, 0, 1);
	if (gets_(p, K_ENV, "")[0]) {
		r |= ss_session_set_origin(s, SS_F_ENV, SS_ORIGIN_EXPLICIT, p->v[K_ENV].where);
		r |= read_map(s, gets_(p, K_ENV, ""), p->v[K_ENV].where, env_pair);
	}
	if (gets_(p, K_FWD, "")[0]) {
		r |= ss_session_set_origin(s, SS_F_FORWARDS, SS_ORIGIN_EXPLICIT, p->v[K_FWD].where);
		r |= read_map(s, gets_(p, K_FWD, ""), p->v[K_FWD].where, fwd_pair);
	}
	r |= set_i(s, SS_F_GSSAPI, p, K_GSSAPI, 1, 1);
	r |= set_i(s, SS_F_GSSAPI_KEX, p, K_GSSKEX, 1, 1);
	r |= set_i(s, SS_F_GSSAPI_DELEGATE, p, K_GSSFWD, 0, 1);
	if (r == 0)
		r = read_proxy(R, s, p);
	if (r == 0)
		r = read_rest(s, p);
	return r ? -1 : 0;
}

/* Every value outside the model, "Key=value", for a target of the same
 * client (and the loss report of any other). */
static int read_extra(reader *R, size_t idx, ss_session *s)
{
	ss_storage_cursor cur = {0, 0};
	ss_svalue v;
	int r;
	ss_buf *x = &R->extra;
	size_t n = 0;
	ss_buf_reset(x);
	while ((r = ss_storage_next(R->st, idx, &cur, &v, R->d)) == 1) {
		int known = is_known(R, v.name);
		int bad = 0;
		/* Numbers as "Key=dword:N" (a DWORD, or a plain number in a
		 * session file, which PuTTY reads with atoi) so that a .reg
		 * target gets them as DWORDs, as PuTTY's read_setting_i needs. */
		if (!known && (v.type == SS_STYPE_DWORD || (v.type == SS_STYPE_TEXT && v.plain)))
			bad = add_extra_dword(
			    x, v.name, v.type == SS_STYPE_DWORD ? (long long)v.dword : v.ival);
		else if (!known)
			bad = ss_buf_adds(x, v.name) < 0 || ss_buf_addc(x, '=') < 0 ||
			      ss_buf_adds(x, v.text ? v.text : "") < 0;
		/* Each setting ends in its NUL (session.h); where it came from
		 * is never read for a PuTTY source, so it is not kept. */
		if (!known && !bad) {
			bad = ss_buf_addc(x, '\0');
			n++;
		}
		ss_svalue_free(&v);
		if (bad)
			return ss_diag_oom(R->d);
	}
	/* Exactly the room they need: 10,000 sessions hold them all. */
	if (r == 0 && x->len &&
	    (ss_buf_reserve_exact(&s->extra, x->len) < 0 ||
	     ss_buf_add(&s->extra, x->data, x->len) < 0))
		return ss_diag_oom(R->d);
	if (r == 0)
		s->nextra = n;
	return r;
}

static int read_one(reader *R, size_t idx, ss_sessions *out)
{
	const ss_storage_session *ss = ss_storage_at(R->st, idx);
	pvals p;
	if (ss_storage_get_many(R->st, idx, KEYS, NKEYS, p.v, R->d) < 0)
		return -1;
	char *name = name_of(R->st, idx);
	ss_session *s = name ? ss_sessions_add(out, name, ss->file) : NULL;
	free(name);
	int r = s ? 0 : ss_diag_oom(R->d);
	if (r == 0) {
		s->kind = R->kitty ? "kitty" : "putty";
		/* The session model starts at OpenSSH's defaults: PuTTY's
		 * are set by read_fields; the host is never the name. */
		const char *proto = gets_(&p, K_PROTOCOL, "ssh");
		if (strcmp(proto, "ssh") != 0) {
			s->skip = 1;
			r = ss_session_loss(s, "Protocol", 0,
					    "%s: not an SSH session (Protocol=%s)",
					    p.v[K_PROTOCOL].where, proto) < 0
				? ss_diag_oom(R->d)
				: 0;
		} else if (read_fields(R, s, &p) < 0 || read_extra(R, idx, s) < 0) {
			r = ss_diag_is_set(R->d) ? -1 : ss_diag_oom(R->d);
		}
	}
	for (int k = 0; k < NKEYS; k++)
		ss_svalue_free(&p.v[k]);
	return r;
}

/* The session named `name` (as PuTTY shows it), or SIZE_MAX. */
static size_t find_name(const ss_storage *st, const char *name, int *oom)
{
	for (size_t k = 0; k < ss_storage_count(st); k++) {
		char *n = name_of(st, k);
		if (!n) {
			*oom = 1;
			return SIZE_MAX;
		}
		int same = strcmp(n, name) == 0;
		free(n);
		if (same)
			return k;
	}
	return SIZE_MAX;
}

int ss_putty_sessions_read_kind(const char *path, int kitty, const ss_strlist *names,
				ss_sessions *out, ss_diag *d)
{
	ss_storage *st;
	if (ss_storage_open(&st, path, root_of(kitty), NULL, NULL, d) < 0)
		return -1;
	reader R = {st, kitty, path, d, SS_BUF_INIT, {NULL}};
	sort_known(&R);
	int r = 0;
	size_t first = out->n;
	for (size_t i = 0; names && i < names->n && r == 0; i++) {
		int oom = 0;
		size_t k = find_name(st, names->v[i], &oom);
		if (oom)
			r = ss_diag_oom(d);
		else if (k == SIZE_MAX)
			r = ss_diag_set(d, path, 0, 0, "no saved session \"%s\"", names->v[i]);
		else if (!ss_sessions_find(out, names->v[i]))
			r = read_one(&R, k, out);
	}
	int oom = 0;
	size_t dflt = find_name(st, "Default Settings", &oom);
	if (oom)
		r = ss_diag_oom(d);
	if (r == 0 && (!names || !names->n) &&
	    ss_sessions_reserve(out, ss_storage_count(st) - (dflt != SIZE_MAX)) < 0)
		r = ss_diag_oom(d);
	for (size_t i = 0; (!names || !names->n) && i < ss_storage_count(st) && r == 0; i++)
		if (i != dflt)
			r = read_one(&R, i, out);
	/* The sessions the jump hops name, and theirs. */
	for (size_t i = first; i < out->n && r == 0; i++)
		for (size_t h = 0; h < out->v[i].f[SS_F_JUMP].nhops && r == 0; h++) {
			const char *hs = out->v[i].f[SS_F_JUMP].hops[h].session;
			if (!hs || ss_sessions_find(out, hs))
				continue;
			size_t k = find_name(st, hs, &oom);
			if (oom)
				r = ss_diag_oom(d);
			else if (k != SIZE_MAX)
				r = read_one(&R, k, out);
		}
	ss_buf_release(&R.extra);
	ss_storage_close(st);
	return r;
}

/* --- writing --- */

typedef struct writer {
	ss_storage *st;
	int kitty;
	size_t idx;
	ss_session *s;
	ss_diag *d;
} writer;

/* Sets a value unless the store already holds it in that form. */
static int put_i(writer *W, const char *key, long long v)
{
	ss_svalue cur;
	int has = ss_storage_get(W->st, W->idx, key, &cur, W->d);
	if (has < 0)
		return -1;
	int same = has == 1 && cur.is_int && cur.plain && cur.ival == v &&
		   (cur.type == SS_STYPE_DWORD || cur.type == SS_STYPE_TEXT);
	ss_svalue_free(&cur);
	return same ? 0 : ss_storage_set_dword(W->st, W->idx, key, (uint32_t)v, W->d);
}

static int put_s(writer *W, const char *key, const char *v)
{
	ss_svalue cur;
	int has = ss_storage_get(W->st, W->idx, key, &cur, W->d);
	if (has < 0)
		return -1;
	int same = has == 1 && cur.text && strcmp(cur.text, v) == 0 &&
		   (cur.type == SS_STYPE_STRING || cur.type == SS_STYPE_TEXT);
	ss_svalue_free(&cur);
	return same ? 0 : ss_storage_set_string(W->st, W->idx, key, v, W->d);
}

static int loss(writer *W, const char *field, int approx, const char *fmt, ...) SS_PRINTF(4, 5);

static int loss(writer *W, const char *field, int approx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = ss_session_lossv(W->s, field, approx, fmt, ap);
	va_end(ap);
	return r < 0 ? ss_diag_oom(W->d) : 0;
}

/* wmap: '=' ',' '\' escaped. */
static int map_add(ss_buf *b, const char *key, const char *val)
{
	int r = b->len ? ss_buf_addc(b, ',') : 0;
	for (const char *q = key; *q && r == 0; q++)
		r = (strchr("=,\\", *q) ? ss_buf_addc(b, '\\') : 0) < 0 ? -1 : ss_buf_addc(b, *q);
	if (r == 0)
		r = ss_buf_addc(b, '=');
	for (const char *q = val; *q && r == 0; q++)
		r = (strchr("=,\\", *q) ? ss_buf_addc(b, '\\') : 0) < 0 ? -1 : ss_buf_addc(b, *q);
	return r;
}

static int env_value(writer *W, ss_buf *b)
{
	const ss_strlist *l = &W->s->f[SS_F_ENV].list;
	for (size_t i = 0; i < l->n; i++) {
		const char *eq = strchr(l->v[i], '=');
		char *name = eq ? ss_strndup(l->v[i], (size_t)(eq - l->v[i])) : ss_strdup(l->v[i]);
		int r = name ? map_add(b, name, eq ? eq + 1 : "") : -1;
		free(name);
		if (r < 0)
			return ss_diag_oom(W->d);
	}
	return 0;
}

static int addr_add(ss_buf *b, const char *host, const char *port)
{
	return strchr(host, ':') ? ss_buf_addf(b, "[%s]:%s", host, port)
				 : ss_buf_addf(b, "%s:%s", host, port);
}

static int numeric(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int fwd_value(writer *W, ss_buf *b)
{
	const ss_sval *v = &W->s->f[SS_F_FORWARDS];
	for (size_t i = 0; i < v->nfwd; i++) {
		const ss_forward *fw = &v->fwd[i];
		if (!numeric(fw->listen) || (fw->port && !numeric(fw->port))) {
			if (loss(W, "forwards", 0,
				 "forward %s: a Unix socket (or a port name) has no PuTTY form",
				 fw->listen) < 0)
				return -1;
			continue;
		}
		ss_buf key = SS_BUF_INIT, val = SS_BUF_INIT;
		int r = 0;
		if (fw->family != SS_AF_ANY)
			r = ss_buf_addc(&key, fw->family == SS_AF_INET ? '4' : '6');
		r |= ss_buf_addc(&key, fw->kind);
		if (fw->bind && *fw->bind && strcmp(fw->bind, "*") != 0)
			r |= addr_add(&key, fw->bind, fw->listen);
		else
			r |= ss_buf_adds(&key, fw->listen);
		if (fw->bind && (!*fw->bind || strcmp(fw->bind, "*") == 0))
			r |= loss(W, "forwards", 1,
				  "forward %s on every interface: PuTTY needs "
				  "LocalPortAcceptAll/RemotePortAcceptAll for that; bound as "
				  "PuTTY's default",
				  fw->listen);
		if (fw->kind != 'D')
			r |= addr_add(&val, fw->host, fw->port);
		r |= map_add(b, ss_buf_str(&key), ss_buf_str(&val));
		ss_buf_release(&key);
		ss_buf_release(&val);
		if (r)
			return ss_diag_is_set(W->d) ? -1 : ss_diag_oom(W->d);
	}
	return 0;
}

/* RemoteCommand and key paths: ssh_config tokens into PuTTY's literal
 * text where they are known. */
static int untokenize(writer *W, const char *field, const char *v, ss_buf *out)
{
	const ss_session *s = W->s;
	for (const char *p = v; *p; p++) {
		int r;
		if (*p != '%' || !p[1]) {
			r = ss_buf_addc(out, *p);
		} else if (p[1] == '%') {
			r = ss_buf_addc(out, '%');
			p++;
		} else if (p[1] == 'h') {
			r = ss_buf_adds(out, s->f[SS_F_HOST].str ? s->f[SS_F_HOST].str : s->name);
			p++;
		} else if (p[1] == 'n') {
			r = ss_buf_adds(out, s->name);
			p++;
		} else if (p[1] == 'p') {
			r = ss_buf_addf(out, "%lld", s->f[SS_F_PORT].num);
			p++;
		} else if (p[1] == 'r' && s->f[SS_F_USER].str && *s->f[SS_F_USER].str) {
			r = ss_buf_adds(out, s->f[SS_F_USER].str);
			p++;
		} else {
			char tok[3] = {'%', p[1], 0};
			r = loss(W, field, 1, "token %s has no PuTTY form; kept as written", tok);
			if (r == 0)
				r = ss_buf_add(out, p, 2);
			p++;
		}
		if (r < 0)
			return ss_diag_is_set(W->d) ? -1 : ss_diag_oom(W->d);
	}
	return 0;
}

/* ssh_config ProxyCommand tokens into PuTTY's: %h %host, %p %port, %% %%,
 * '\' doubled (PuTTY decodes backslash escapes). */
static int proxy_text(writer *W, const char *v, ss_buf *out)
{
	for (const char *p = v; *p; p++) {
		int r;
		if (*p == '\\') {
			r = ss_buf_adds(out, "\\\\");
		} else if (*p != '%' || !p[1]) {
			r = ss_buf_addc(out, *p);
		} else {
			p++;
			switch (*p) {
			case 'h':
				r = ss_buf_adds(out, "%host");
				break;
			case 'p':
				r = ss_buf_adds(out, "%port");
				break;
			case '%':
				r = ss_buf_adds(out, "%%");
				break;
			case 'n':
				r = ss_buf_adds(out, W->s->name);
				break;
			default: {
				char tok[3] = {'%', *p, 0};
				r = loss(W, "proxy_command", 0,
					 "token %s has no PuTTY form (PuTTY's %%user is the proxy "
					 "user); kept as written",
					 tok);
				if (r == 0)
					r = ss_buf_addf(out, "%%%%%c", *p);
			}
			}
		}
		if (r < 0)
			return ss_diag_is_set(W->d) ? -1 : ss_diag_oom(W->d);
	}
	return 0;
}

static int write_identity(writer *W)
{
	const ss_sval *v = &W->s->f[SS_F_IDENTITY];
	ss_buf b = SS_BUF_INIT;
	int r = 0;
	if (v->list.n) {
		r = untokenize(W, "identity_file", v->list.v[0], &b);
		const char *k = ss_buf_str(&b);
		size_t n = strlen(k);
		if (r == 0 && !(n > 4 && strcasecmp(k + n - 4, ".ppk") == 0))
			r = loss(W, "identity_file", 1,
				 "%s is an OpenSSH key: PuTTY needs a .ppk (puttygen KEY -o "
				 "KEY.ppk, or --keys DIR)",
				 k);
		if (r == 0 && k[0] == '~')
			r = loss(W, "identity_file", 1, "%s: PuTTY does not expand ~", k);
		for (size_t i = 1; i < v->list.n && r == 0; i++)
			r = loss(W, "identity_file", 0,
				 "PuTTY takes one key file; %s is not carried (the first is kept)",
				 v->list.v[i]);
	} else if (W->s->kind && strcmp(W->s->kind, "ssh") == 0) {
		r = loss(W, "identity_file", 1,
			 "no IdentityFile: OpenSSH tries ~/.ssh/id_* by default, PuTTY only the "
			 "agent");
	}
	if (r == 0)
		r = put_s(W, "PublicKeyFile", ss_buf_str(&b));
	ss_buf_reset(&b);
	const ss_sval *c = &W->s->f[SS_F_CERTIFICATE];
	if (r == 0 && c->list.n && W->kitty)
		r = loss(W, "certificate", 0, "KiTTY 0.76 has no detached certificate (%s)",
			 c->list.v[0]);
	else if (r == 0) {
		if (c->list.n)
			r = untokenize(W, "certificate", c->list.v[0], &b);
		for (size_t i = 1; i < c->list.n && r == 0; i++)
			r = loss(W, "certificate", 0,
				 "PuTTY takes one certificate; %s is not carried", c->list.v[i]);
		if (r == 0 && (c->list.n || !W->kitty))
			r = put_s(W, "DetachedCertificate", ss_buf_str(&b));
	}
	ss_buf_release(&b);
	return r;
}

/* 1 when hop session hs itself goes through exactly hops[0..n). */
static int reaches_through(const ss_session *hs, const ss_hop *hops, size_t n)
{
	const ss_sval *own = &hs->f[SS_F_JUMP];
	if (own->nhops != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const ss_hop *a = &own->hops[i], *b = &hops[i];
		if (!a->host || !b->host || strcmp(a->host, b->host) != 0 || a->port != b->port ||
		    (a->user == NULL) != (b->user == NULL) || (a->user && strcmp(a->user, b->user)))
			return 0;
	}
	return 1;
}

/* The saved session that stands for the last hop of a chain of two or
 * more: the hop's own session when it goes through the same hops (PuTTY
 * then chains ProxyMethod=6 sessions), else "HOP via A,B", made for it.
 * Newly allocated. */
static char *chain_name(const ss_sval *j, const ss_sessions *all)
{
	const ss_hop *h = &j->hops[j->nhops - 1];
	const char *base = h->session ? h->session : h->host;
	const ss_session *hs = ss_sessions_find(all, base);
	if (hs && reaches_through(hs, j->hops, j->nhops - 1))
		return ss_strdup(base);
	ss_buf b = SS_BUF_INIT;
	int r = ss_buf_addf(&b, "%s via ", base);
	for (size_t i = 0; i + 1 < j->nhops && r == 0; i++) {
		const ss_hop *x = &j->hops[i];
		r = ss_buf_addf(&b, "%s%s%s%s", i ? "," : "", x->user ? x->user : "",
				x->user ? "@" : "", x->host);
		if (r == 0 && x->port)
			r = ss_buf_addf(&b, ":%lld", x->port);
	}
	if (r < 0 || ss_buf_grow(&b, 0) < 0) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

static int copy_field(ss_session *to, const ss_session *from, ss_sfield f)
{
	const ss_sval *v = &from->f[f];
	int r = 0;
	switch (ss_sfield_type(f)) {
	case SS_FT_BOOL:
	case SS_FT_NUM:
		return ss_session_set_num(to, f, v->num, v->origin, v->where);
	case SS_FT_STR:
		return ss_session_set_str(to, f, v->str, v->origin, v->where);
	default:
		break;
	}
	ss_session_clear(to, f);
	r = ss_session_set_origin(to, f, v->origin, v->where);
	/* list, fwd and hops share their room: only the field's own is read. */
	ss_sftype t = ss_sfield_type(f);
	for (size_t i = 0; t == SS_FT_LIST && i < v->list.n && r == 0; i++)
		r = ss_session_list_add(to, f, v->list.v[i]);
	for (size_t i = 0; t == SS_FT_FORWARDS && i < v->nfwd && r == 0; i++)
		r = ss_session_add_forward(to, &v->fwd[i]);
	for (size_t i = 0; t == SS_FT_HOPS && i < v->nhops && r == 0; i++)
		r = ss_session_add_hop(to, &v->hops[i]);
	return r;
}

/* Every chain of two or more hops needs a saved session for its last hop
 * that goes through the hops before it: made here (a copy of the hop's
 * session with that jump) unless the hop's own session already does. */
static int add_chain_sessions(ss_sessions *in, ss_diag *d)
{
	for (size_t i = 0; i < in->n; i++) {
		if (in->v[i].skip || in->v[i].f[SS_F_JUMP].nhops < 2)
			continue;
		char *name = chain_name(&in->v[i].f[SS_F_JUMP], in);
		if (!name)
			return ss_diag_oom(d);
		const ss_hop *h = &in->v[i].f[SS_F_JUMP].hops[in->v[i].f[SS_F_JUMP].nhops - 1];
		ss_session *hs = ss_sessions_find(in, h->session ? h->session : h->host);
		if (ss_sessions_find(in, name) || !hs) {
			free(name);
			continue;
		}
		size_t from = (size_t)(hs - in->v);
		ss_session *n = ss_sessions_add(in, name, hs->file);
		free(name);
		if (!n)
			return ss_diag_oom(d);
		const ss_session *src = &in->v[from];
		const ss_sval *j = &in->v[i].f[SS_F_JUMP];
		n->kind = src->kind;
		int r = 0;
		for (int f = 0; f < SS_F_COUNT && r == 0; f++)
			if (f != SS_F_JUMP)
				r = copy_field(n, src, (ss_sfield)f);
		if (r == 0)
			r = ss_session_set_origin(n, SS_F_JUMP, j->origin, j->where);
		for (size_t k = 0; k + 1 < j->nhops && r == 0; k++)
			r = ss_session_add_hop(n, &j->hops[k]);
		if (r < 0)
			return ss_diag_oom(d);
	}
	return 0;
}

/* The session a hop stands for, by its name in the target. */
static int write_proxy(writer *W, const ss_sessions *all)
{
	ss_session *s = W->s;
	const ss_sval *j = &s->f[SS_F_JUMP];
	int r = 0;
	ss_buf b = SS_BUF_INIT;
	if (j->nhops) {
		const ss_hop *h = &j->hops[j->nhops - 1];
		const ss_session *hs = h->session ? ss_sessions_find(all, h->session) : NULL;
		char *chain = NULL;
		if (j->nhops > 1) {
			/* The session made for the chain (add_chain_sessions). */
			if (!(chain = chain_name(j, all))) {
				r = ss_diag_oom(W->d);
				goto out;
			}
			hs = ss_sessions_find(all, chain);
			r = loss(W, "jump", 1,
				 "the chain of %zu hops goes through the saved session \"%s\" "
				 "(PuTTY chains SSH proxies by session); read back as a jump to "
				 "that session",
				 j->nhops, chain);
			free(chain);
			if (r < 0)
				goto out;
		}
		if (hs && h->port && h->port != hs->f[SS_F_PORT].num &&
		    (r = loss(W, "jump", 1,
			      "hop %s: PuTTY uses the port of the hop's saved session, not the "
			      "one in ProxyJump",
			      h->host)) < 0)
			goto out;
		const char *user = h->user ? h->user : "";
		if (W->kitty) {
			r = ss_buf_addf(&b, "klink -batch -load \"%s\"%s%s -nc %%host:%%port",
					hs ? hs->name : h->host, *user ? " -l " : "", user) < 0;
			r = r ? ss_diag_oom(W->d) : 0;
			if (r == 0)
				r = put_i(W, "ProxyMethod", 5);
			if (r == 0)
				r = put_s(W, "ProxyTelnetCommand", ss_buf_str(&b));
		} else {
			r = put_i(W, "ProxyMethod", 6);
			if (r == 0)
				r = put_s(W, "ProxyHost", hs ? hs->name : h->host);
			if (r == 0)
				r = put_i(W, "ProxyPort",
					  h->port ? h->port
					  : hs	  ? hs->f[SS_F_PORT].num
						  : 22);
			if (r == 0)
				r = put_s(W, "ProxyUsername", user);
		}
		if (r == 0)
			r = put_i(W, "ProxyLocalhost", 1);
	} else if (s->f[SS_F_PROXY_COMMAND].str) {
		r = proxy_text(W, s->f[SS_F_PROXY_COMMAND].str, &b);
		if (r == 0)
			r = put_i(W, "ProxyMethod", 5);
		if (r == 0)
			r = put_s(W, "ProxyTelnetCommand", ss_buf_str(&b));
		if (r == 0)
			r = put_i(W, "ProxyLocalhost", 1);
	} else {
		r = put_i(W, "ProxyMethod", 0);
	}
out:
	ss_buf_release(&b);
	return r;
}

/* A PuTTY or KiTTY source: the same settings file format. */
static int same_family(const ss_session *s)
{
	return s->kind && (strcmp(s->kind, "putty") == 0 || strcmp(s->kind, "kitty") == 0);
}

/* An algorithm list: a PuTTY or KiTTY source's setting as it was; an
 * OpenSSH list as PuTTY's groups (approximately: reported). */
static int write_alg_list(writer *W, int i)
{
	const ss_sval *v = &W->s->f[ALG_KEYS[i].field];
	if (v->str && same_family(W->s))
		return put_s(W, ALG_KEYS[i].key, v->str);
	if (!v->list.n)
		return 0;
	ss_buf list = SS_BUF_INIT, out = SS_BUF_INIT, approx = SS_BUF_INIT;
	int r = ss_algs_openssh_resolve(ALG_KEYS[i].kind, v->list.v[0], &list);
	if (r == 0)
		r = ss_algs_putty_from_openssh(ALG_KEYS[i].kind, ss_buf_str(&list), &out, &approx);
	if (r < 0)
		r = ss_diag_oom(W->d);
	else if (!list.len)
		r = loss(W, ss_sfield_name(ALG_KEYS[i].field), 0,
			 "%s %s: no algorithm ssh 9.2 knows; not carried",
			 ss_sfield_openssh(ALG_KEYS[i].field), v->list.v[0]);
	else
		r = put_s(W, ALG_KEYS[i].key, ss_buf_str(&out));
	if (r == 0 && list.len && approx.len)
		r = loss(W, ss_sfield_name(ALG_KEYS[i].field), 1, "%s %s as %s=%s: %s",
			 ss_sfield_openssh(ALG_KEYS[i].field), v->list.v[0], ALG_KEYS[i].key,
			 ss_buf_str(&out), ss_buf_str(&approx));
	ss_buf_release(&list);
	ss_buf_release(&out);
	ss_buf_release(&approx);
	return r;
}

static int write_losses(writer *W)
{
	ss_session *s = W->s;
	int r = 0;
	if (s->f[SS_F_KEEPALIVE].num > 0 || s->f[SS_F_KEEPALIVE_COUNT].num != 3)
		r = ss_session_loss(s, "keepalive_count", 0,
				    "ServerAliveCountMax %lld has no PuTTY form: PuTTY sends "
				    "SSH_MSG_IGNORE and never disconnects a silent server",
				    s->f[SS_F_KEEPALIVE_COUNT].num);
	for (size_t i = 0; i < 3 && r == 0; i++)
		r = write_alg_list(W, (int)i);
	if (r == 0 && !same_family(s))
		r = ss_session_extras_lost(s, W->kitty ? "KiTTY" : "PuTTY");
	return r < 0 ? ss_diag_oom(W->d) : 0;
}

/* The settings outside the model of a PuTTY or KiTTY session, copied as
 * they were ("Key=dword:N" as a number). */
static int write_extras(writer *W)
{
	int r = 0;
	for (const char *x = NULL; r == 0 && (x = ss_session_extra_next(W->s, x)) != NULL;) {
		const char *eq = strchr(x, '=');
		char *key = eq ? ss_strndup(x, (size_t)(eq - x)) : NULL;
		if (!eq)
			continue;
		if (!key)
			return ss_diag_oom(W->d);
		if (strncmp(eq + 1, "dword:", 6) == 0)
			r = put_i(W, key, strtoll(eq + 7, NULL, 10));
		else
			r = put_s(W, key, eq + 1);
		free(key);
	}
	return r;
}

static int write_fields(writer *W, const ss_sessions *all)
{
	ss_session *s = W->s;
	int r = put_s(W, "Protocol", "ssh");
	if (r == 0)
		r = put_s(W, "HostName", s->f[SS_F_HOST].str ? s->f[SS_F_HOST].str : s->name);
	if (r == 0)
		r = put_i(W, "PortNumber", s->f[SS_F_PORT].num);
	const char *user = s->f[SS_F_USER].str;
	if (r == 0)
		r = put_s(W, "UserName", user ? user : "");
	if (r == 0)
		r = put_i(W, "UserNameFromEnvironment", user == NULL);
	if (r == 0)
		r = write_identity(W);
	struct {
		const char *key;
		ss_sfield f;
	} nums[] = {{"TryAgent", SS_F_AGENT},
		    {"AgentFwd", SS_F_AGENT_FWD},
		    {"X11Forward", SS_F_X11},
		    {"Compression", SS_F_COMPRESSION},
		    {"TCPKeepalives", SS_F_TCP_KEEPALIVE},
		    {"AddressFamily", SS_F_ADDRESS_FAMILY},
		    {"SshNoShell", SS_F_NO_SHELL},
		    {"AuthGSSAPI", SS_F_GSSAPI},
		    {"AuthGSSAPIKEX", SS_F_GSSAPI_KEX},
		    {"GssapiFwd", SS_F_GSSAPI_DELEGATE}};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]) && r == 0; i++)
		r = put_i(W, nums[i].key, s->f[nums[i].f].num);
	if (r == 0)
		r = put_i(W, "PingInterval", s->f[SS_F_KEEPALIVE].num / 60);
	if (r == 0)
		r = put_i(W, "PingIntervalSecs", s->f[SS_F_KEEPALIVE].num % 60);
	if (r == 0)
		r = put_s(W, "LogHost",
			  s->f[SS_F_HOST_KEY_ALIAS].str ? s->f[SS_F_HOST_KEY_ALIAS].str : "");
	ss_buf b = SS_BUF_INIT;
	const char *cmd = s->f[SS_F_REMOTE_COMMAND].str;
	if (r == 0)
		r = put_s(W, "RemoteCommand", cmd ? cmd : "");
	/* NoPTY 0 requests a pty always, also with a command (unix/plink.c). */
	long long pty = s->f[SS_F_PTY].num;
	int nopty = pty == SS_PTY_NO || (pty == SS_PTY_AUTO && cmd);
	if (r == 0 && pty == SS_PTY_YES)
		r = loss(W, "pty", 1,
			 "RequestTTY yes: PuTTY requests a pty whether or not the local side is "
			 "a terminal (as %s)",
			 "force");
	if (r == 0 && pty == SS_PTY_FORCE && !cmd)
		r = loss(W, "pty", 1,
			 "RequestTTY force without a command: PuTTY requests a pty as for any "
			 "interactive session (read back as %s)",
			 "auto");
	if (r == 0)
		r = put_i(W, "NoPTY", nopty);
	if (r == 0)
		r = env_value(W, &b);
	if (r == 0)
		r = put_s(W, "Environment", ss_buf_str(&b));
	ss_buf_reset(&b);
	if (r == 0)
		r = fwd_value(W, &b);
	if (r == 0)
		r = put_s(W, "PortForwardings", ss_buf_str(&b));
	ss_buf_release(&b);
	if (r == 0)
		r = write_proxy(W, all);
	if (r == 0)
		r = write_losses(W);
	if (r == 0 && same_family(s))
		r = write_extras(W);
	return r;
}

/* One session into the target's store `st`; `alone`: planned as it is
 * read, the store's part of it sealed once written (1: it would go into a
 * session created for an earlier one, which is sealed). */
static int plan_one(ss_storage *st, int kitty, int alone, ss_sessions *in, size_t i, ss_diag *d)
{
	ss_session *s = &in->v[i];
	if (s->skip) {
		ss_sessions_planned(in, i);
		return 0;
	}
	free(s->target_name);
	if (!(s->target_name = ss_strdup(s->name)))
		return ss_diag_oom(d);
	ss_buf raw = SS_BUF_INIT;
	if (raw_name(st, kitty, s->name, &raw) < 0)
		return ss_diag_oom(d);
	int r = 0;
	size_t idx = ss_storage_find(st, ss_buf_str(&raw));
	if (idx == SIZE_MAX)
		r = ss_storage_create(st, ss_buf_str(&raw), &idx, d);
	else if (alone && ss_storage_at(st, idx)->created)
		r = 1;
	ss_buf_release(&raw);
	writer W = {st, kitty, idx, s, d};
	if (r == 0)
		r = write_fields(&W, in);
	if (r == 0 && alone)
		r = ss_storage_seal(st, idx, d);
	if (r == 0)
		ss_sessions_planned(in, i);
	return r;
}

int ss_putty_sessions_plan_kind(const char *path, int kitty, ss_sessions *in, ss_changeset *cs,
				ss_diag *d)
{
	if (add_chain_sessions(in, d) < 0)
		return -1;
	ss_storage *st;
	if (ss_storage_open_or_create(&st, path, root_of(kitty), cs, d) < 0)
		return -1;
	int r = 0;
	for (size_t i = 0; i < in->n && r == 0; i++)
		r = plan_one(st, kitty, 0, in, i, d);
	if (r == 0)
		r = ss_storage_commit(st, d);
	ss_storage_close(st);
	return r;
}

/* Planning each session as the reader hands it on: the target's store,
 * opened at the first (as the whole plan opens it once all are read). */
typedef struct streamed {
	const char *path;
	int kitty;
	ss_changeset *cs;
	ss_storage *st;
} streamed;

static int open_target(streamed *p, ss_diag *d)
{
	if (p->st)
		return 0;
	return ss_storage_open_or_create(&p->st, p->path, root_of(p->kitty), p->cs, d);
}

static int plan_read(void *ctx, ss_sessions *in, size_t i, ss_diag *d)
{
	streamed *p = ctx;
	if (open_target(p, d) < 0)
		return -1;
	return plan_one(p->st, p->kitty, 1, in, i, d);
}

int ss_putty_sessions_read_plan_kind(const char *path, int kitty, ss_sessions_reader read,
				     const char *from, ss_sessions *in, ss_changeset *cs,
				     ss_diag *d)
{
	static const ss_strlist all = SS_STRLIST_INIT;
	streamed p = {path, kitty, cs, NULL};
	in->each = plan_read;
	in->each_ctx = &p;
	int r = read(from, &all, in, d);
	in->each = NULL;
	in->each_ctx = NULL;
	if (r == 0)
		r = open_target(&p, d);
	if (r == 0)
		r = ss_storage_commit(p.st, d);
	if (p.st)
		ss_storage_close(p.st);
	return r < 0 ? -1 : r;
}

int ss_putty_sessions_read(const char *path, const ss_strlist *names, ss_sessions *out, ss_diag *d)
{
	return ss_putty_sessions_read_kind(path, 0, names, out, d);
}

int ss_kitty_sessions_read(const char *path, const ss_strlist *names, ss_sessions *out, ss_diag *d)
{
	return ss_putty_sessions_read_kind(path, 1, names, out, d);
}

int ss_putty_sessions_plan(const char *path, ss_sessions *in, ss_changeset *cs, ss_diag *d)
{
	return ss_putty_sessions_plan_kind(path, 0, in, cs, d);
}

int ss_kitty_sessions_plan(const char *path, ss_sessions *in, ss_changeset *cs, ss_diag *d)
{
	return ss_putty_sessions_plan_kind(path, 1, in, cs, d);
}

int ss_putty_sessions_read_plan(const char *path, ss_sessions_reader read, const char *from,
				ss_sessions *in, ss_changeset *cs, ss_diag *d)
{
	return ss_putty_sessions_read_plan_kind(path, 0, read, from, in, cs, d);
}

int ss_kitty_sessions_read_plan(const char *path, ss_sessions_reader read, const char *from,
				ss_sessions *in, ss_changeset *cs, ss_diag *d)
{
	return ss_putty_sessions_read_plan_kind(path, 1, read, from, in, cs, d);
}
