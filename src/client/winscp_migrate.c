/* Migration, WinSCP side (WinSCP.ini and .reg, through storage). What
 * WinSCP's TSessionData::DoLoad/DoSave do (MIGRATION.md Table 1): a site
 * loads on the factory defaults (never Default Settings); DoSave writes
 * only values that differ from the factory defaults, and so does this
 * writer (a value equal to the default is removed); one jump hop goes into
 * the Tunnel* fields; what WinSCP has no setting for is a loss. */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sshsync/algs.h"
#include "sshsync/session.h"
#include "sshsync/storage.h"
#include "sshsync/winscp.h"

enum {
	W_FSPROTO,
	W_HOST,
	W_PORT,
	W_USER,
	W_KEY,
	W_CERT,
	W_AGENT,
	W_AGENTFWD,
	W_COMPRESSION,
	W_PINGTYPE,
	W_PINGMIN,
	W_PINGSEC,
	W_PINGSEC_OLD,
	W_AF,
	W_LOGHOST,
	W_GSSAPI,
	W_GSSKEX,
	W_GSSFWD,
	W_TUNNEL,
	W_THOST,
	W_TPORT,
	W_TUSER,
	W_PROXYMETHOD,
	W_PROXYCMD,
	W_PASSWORD,
	W_TPASSWORD,
	WN
};

static const char *const WKEYS[WN] = {"FSProtocol",	 "HostName",	   "PortNumber",
				      "UserName",	 "PublicKeyFile",  "DetachedCertificate",
				      "TryAgent",	 "AgentFwd",	   "Compression",
				      "PingType",	 "PingInterval",   "PingIntervalSecs",
				      "PingIntervalSec", "AddressFamily",  "LogicalHostName",
				      "AuthGSSAPI",	 "AuthGSSAPIKEX",  "GSSAPIFwdTGT",
				      "Tunnel",		 "TunnelHostName", "TunnelPortNumber",
				      "TunnelUserName",	 "ProxyMethod",	   "ProxyTelnetCommand",
				      "Password",	 "TunnelPassword"};

typedef struct wvals {
	ss_svalue v[WN];
} wvals;

/* WinSCP's ReadInteger/ReadBool: a value it cannot read is the default. */
static long long wi(const wvals *p, int k, long long def)
{
	return p->v[k].present && p->v[k].is_int ? p->v[k].ival : def;
}

static const char *ws(const wvals *p, int k)
{
	return p->v[k].present && p->v[k].text ? p->v[k].text : "";
}

static int num(ss_session *s, ss_sfield f, const wvals *p, int k, long long def, int boolean)
{
	long long v = wi(p, k, def);
	int has = p->v[k].present && p->v[k].is_int;
	return ss_session_set_num(s, f, boolean ? v != 0 : v,
				  has ? SS_ORIGIN_EXPLICIT : SS_ORIGIN_DEFAULT,
				  has ? p->v[k].where : NULL);
}

static int path_field(ss_session *s, ss_sfield f, const wvals *p, int k)
{
	if (!*ws(p, k))
		return 0;
	char *t = ss_session_tokens(ws(p, k));
	int r = t && ss_session_set_origin(s, f, SS_ORIGIN_EXPLICIT, p->v[k].where) == 0 &&
			ss_session_list_add(s, f, t) == 0
		    ? 0
		    : -1;
	free(t);
	return r;
}

static int read_fields(ss_session *s, const wvals *p)
{
	int r = 0;
	const char *host = ws(p, W_HOST);
	const char *at = strrchr(host, '@');
	const char *user = ws(p, W_USER);
	/* DoLoad reads UserName first: user@host in HostName wins. */
	char *u = at ? ss_strndup(host, (size_t)(at - host)) : ss_strdup(user);
	r |= !u ||
	     ss_session_set_str(s, SS_F_USER, u,
				p->v[W_USER].present || at ? SS_ORIGIN_EXPLICIT : SS_ORIGIN_DEFAULT,
				at ? p->v[W_HOST].where : p->v[W_USER].where) < 0;
	free(u);
	r |= ss_session_set_str(s, SS_F_HOST, at ? at + 1 : host, SS_ORIGIN_EXPLICIT,
				p->v[W_HOST].where) < 0;
	r |= num(s, SS_F_PORT, p, W_PORT, 22, 0) < 0;
	r |= path_field(s, SS_F_IDENTITY, p, W_KEY) < 0;
	r |= path_field(s, SS_F_CERTIFICATE, p, W_CERT) < 0;
	r |= num(s, SS_F_AGENT, p, W_AGENT, 1, 1) < 0;
	r |= num(s, SS_F_AGENT_FWD, p, W_AGENTFWD, 0, 1) < 0;
	r |= num(s, SS_F_COMPRESSION, p, W_COMPRESSION, 0, 1) < 0;
	r |= ss_session_set_num(s, SS_F_X11, 0, SS_ORIGIN_DEFAULT, NULL) < 0;
	r |= ss_session_set_num(s, SS_F_TCP_KEEPALIVE, 0, SS_ORIGIN_DEFAULT, NULL) < 0;
	/* The keepalive as the existing WinSCP model reads it. */
	long long secs = wi(p, W_PINGSEC, -1);
	if (secs < 0)
		secs = wi(p, W_PINGSEC_OLD, 30);
	long long ival = wi(p, W_PINGMIN, 0) * 60 + secs;
	if (ival == 0)
		ival = 30;
	long long type = wi(p, W_PINGTYPE, 0);
	r |= ss_session_set_num(s, SS_F_KEEPALIVE, type ? ival : 0,
				p->v[W_PINGTYPE].present ? SS_ORIGIN_EXPLICIT : SS_ORIGIN_DEFAULT,
				p->v[W_PINGTYPE].where) < 0;
	if (type == 2)
		r |= ss_session_loss(s, "keepalive", 1,
				     "%s: PingType 2 (dummy protocol commands) has no OpenSSH "
				     "form; null packets are migrated",
				     p->v[W_PINGTYPE].where) < 0;
	long long af = wi(p, W_AF, 0);
	r |= ss_session_set_num(s, SS_F_ADDRESS_FAMILY, af >= 0 && af <= 2 ? af : 0,
				p->v[W_AF].present ? SS_ORIGIN_EXPLICIT : SS_ORIGIN_DEFAULT,
				p->v[W_AF].where) < 0;
	if (*ws(p, W_LOGHOST))
		r |= ss_session_set_str(s, SS_F_HOST_KEY_ALIAS, ws(p, W_LOGHOST),
					SS_ORIGIN_EXPLICIT, p->v[W_LOGHOST].where) < 0;
	r |= num(s, SS_F_GSSAPI, p, W_GSSAPI, 1, 1) < 0;
	r |= num(s, SS_F_GSSAPI_KEX, p, W_GSSKEX, 0, 1) < 0;
	r |= num(s, SS_F_GSSAPI_DELEGATE, p, W_GSSFWD, 0, 1) < 0;
	if (wi(p, W_TUNNEL, 0)) {
		const char *tu = ws(p, W_TUSER);
		/* No TunnelPortNumber: 22, which is also what a jump to a plain
		 * host name gets in OpenSSH. */
		ss_hop h = {*tu ? (char *)tu : NULL, (char *)ws(p, W_THOST), wi(p, W_TPORT, 0),
			    NULL};
		r |= ss_session_set_origin(s, SS_F_JUMP, SS_ORIGIN_EXPLICIT, p->v[W_TUNNEL].where) <
			 0 ||
		     ss_session_add_hop(s, &h) < 0;
	} else if (wi(p, W_PROXYMETHOD, 0) == 5) {
		ss_buf b = SS_BUF_INIT;
		const char *c = ws(p, W_PROXYCMD);
		for (const char *q = c; *q && r == 0; q++) {
			if (strncmp(q, "%host", 5) == 0) {
				r |= ss_buf_adds(&b, "%h") < 0;
				q += 4;
			} else if (strncmp(q, "%port", 5) == 0) {
				r |= ss_buf_adds(&b, "%p") < 0;
				q += 4;
			} else if (q[0] == '%' && q[1] == '%') {
				r |= ss_buf_adds(&b, "%%") < 0;
				q++;
			} else if (*q == '%') {
				r |= ss_buf_adds(&b, "%%") < 0;
			} else {
				r |= ss_buf_addc(&b, *q) < 0;
			}
		}
		r |= ss_session_set_str(s, SS_F_PROXY_COMMAND, ss_buf_str(&b), SS_ORIGIN_EXPLICIT,
					p->v[W_PROXYMETHOD].where) < 0;
		ss_buf_release(&b);
	} else if (wi(p, W_PROXYMETHOD, 0) != 0) {
		r |= ss_session_loss(s, "proxy", 0,
				     "%s: a SOCKS/HTTP/Telnet proxy has no OpenSSH keyword; not "
				     "carried",
				     p->v[W_PROXYMETHOD].where) < 0;
	}
	if (*ws(p, W_PASSWORD) || *ws(p, W_TPASSWORD))
		r |= ss_session_loss(s, "Password", 0, "a saved password is never copied") < 0;
	return r ? -1 : 0;
}

static int read_one(ss_storage *st, size_t idx, ss_sessions *out, ss_diag *d)
{
	wvals p;
	if (ss_storage_get_many(st, idx, WKEYS, WN, p.v, d) < 0)
		return -1;
	const ss_storage_session *ss = ss_storage_at(st, idx);
	ss_session *s = ss_sessions_add(out, ss->name, ss->file);
	int r = s ? 0 : ss_diag_oom(d);
	if (r == 0) {
		s->kind = "winscp";
		long long fs = wi(&p, W_FSPROTO, 1);
		if (fs != 0 && fs != 1 && fs != 2) {
			s->skip = 1;
			r = ss_session_loss(s, "FSProtocol", 0,
					    "not an SSH site (FSProtocol %lld: FTP, WebDAV or S3)",
					    fs) < 0
				? ss_diag_oom(d)
				: 0;
		} else if (read_fields(s, &p) < 0) {
			r = ss_diag_oom(d);
		}
	}
	for (int k = 0; k < WN; k++)
		ss_svalue_free(&p.v[k]);
	return r == 0 ? ss_sessions_read_one(out, d) : r;
}

int ss_winscp_sessions_read(const char *path, const ss_strlist *names, ss_sessions *out, ss_diag *d)
{
	ss_storage *st;
	if (ss_storage_open(&st, path, &ss_winscp_root, NULL, NULL, d) < 0)
		return -1;
	int r = 0;
	for (size_t i = 0; names && i < names->n && r == 0; i++) {
		size_t k = 0;
		while (k < ss_storage_count(st) && strcmp(ss_storage_at(st, k)->name, names->v[i]))
			k++;
		r = k == ss_storage_count(st)
			? ss_diag_set(d, path, 0, 0, "no site \"%s\"", names->v[i])
			: read_one(st, k, out, d);
	}
	if (r == 0 && (!names || !names->n) && ss_sessions_reserve(out, ss_storage_count(st)) < 0)
		r = ss_diag_oom(d);
	for (size_t i = 0; (!names || !names->n) && i < ss_storage_count(st) && r == 0; i++)
		if (strcmp(ss_storage_at(st, i)->name, SS_WINSCP_DEFAULT_SETTINGS) != 0)
			r = read_one(st, i, out, d);
	ss_storage_close(st);
	return r;
}

/* --- writing: only what differs from the factory defaults --- */

typedef struct wwriter {
	ss_storage *st;
	size_t idx;
	ss_session *s;
	ss_diag *d;
} wwriter;

static int wput_i(wwriter *W, const char *key, long long v, long long def)
{
	ss_svalue cur;
	int has = ss_storage_get(W->st, W->idx, key, &cur, W->d);
	if (has < 0)
		return -1;
	int same = has == 1 && cur.is_int && cur.plain && cur.ival == v;
	ss_svalue_free(&cur);
	if (v == def)
		return has == 1 ? ss_storage_delete(W->st, W->idx, key, W->d) : 0;
	return same ? 0 : ss_storage_set_dword(W->st, W->idx, key, (uint32_t)v, W->d);
}

static int wput_s(wwriter *W, const char *key, const char *v)
{
	ss_svalue cur;
	int has = ss_storage_get(W->st, W->idx, key, &cur, W->d);
	if (has < 0)
		return -1;
	int same = has == 1 && cur.text && strcmp(cur.text, v) == 0;
	ss_svalue_free(&cur);
	if (!*v)
		return has == 1 ? ss_storage_delete(W->st, W->idx, key, W->d) : 0;
	return same ? 0 : ss_storage_set_string(W->st, W->idx, key, v, W->d);
}

static int wloss(wwriter *W, const char *field, int approx, const char *fmt, ...) SS_PRINTF(4, 5);

static int wloss(wwriter *W, const char *field, int approx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = ss_session_lossv(W->s, field, approx, fmt, ap);
	va_end(ap);
	return r < 0 ? ss_diag_oom(W->d) : 0;
}

/* ssh_config tokens in a path become literal text where known. */
static int literal_path(wwriter *W, const char *field, const ss_strlist *l, ss_buf *out)
{
	if (l->n == 0)
		return 0;
	for (const char *p = l->v[0]; *p; p++) {
		int r;
		if (p[0] == '%' && p[1] == '%') {
			r = ss_buf_addc(out, '%');
			p++;
		} else if (p[0] == '%' && p[1] == 'h') {
			r = ss_buf_adds(out, W->s->f[SS_F_HOST].str ? W->s->f[SS_F_HOST].str : "");
			p++;
		} else if (p[0] == '%' && p[1]) {
			r = wloss(W, field, 1, "token %%%c has no WinSCP form; kept as written",
				  p[1]);
			if (r == 0)
				r = ss_buf_add(out, p, 2);
			p++;
		} else {
			r = ss_buf_addc(out, *p);
		}
		if (r < 0)
			return ss_diag_is_set(W->d) ? -1 : ss_diag_oom(W->d);
	}
	for (size_t i = 1; i < l->n; i++)
		if (wloss(W, field, 0, "WinSCP takes one file; %s is not carried", l->v[i]) < 0)
			return -1;
	return 0;
}

/* An algorithm list in WinSCP's names (PuTTY's): every group written, in
 * the order PuTTY reads from a PuTTY or KiTTY source's setting, or as
 * PuTTY's groups for an OpenSSH list (approximately: reported). WinSCP
 * puts a group a list lacks at its end, PuTTY at its default place: a list
 * naming them all reads the same in both. */
static int write_alg_list(wwriter *W, int i)
{
	static const struct {
		const char *key;
		ss_sfield field;
		ss_alg_kind kind;
	} keys[3] = {{"Cipher", SS_F_CIPHERS, SS_ALG_CIPHER},
		     {"KEX", SS_F_KEX, SS_ALG_KEX},
		     {"HostKey", SS_F_HOST_KEY_ALGS, SS_ALG_HOSTKEY}};
	const ss_sval *v = &W->s->f[keys[i].field];
	if (!v->str && !v->list.n)
		return 0;
	ss_buf list = SS_BUF_INIT, out = SS_BUF_INIT, approx = SS_BUF_INIT;
	int r = v->str ? ss_algs_putty_full(keys[i].kind, v->str, &out)
		       : ss_algs_openssh_resolve(keys[i].kind, v->list.v[0], &list);
	if (r == 0 && !v->str)
		r = ss_algs_putty_from_openssh(keys[i].kind, ss_buf_str(&list), &out, &approx);
	if (r < 0)
		r = ss_diag_oom(W->d);
	else if (!v->str && !list.len)
		r = wloss(W, ss_sfield_name(keys[i].field), 0,
			  "%s %s: no algorithm ssh 9.2 knows; not carried",
			  ss_sfield_openssh(keys[i].field), v->list.v[0]);
	else
		r = wput_s(W, keys[i].key, ss_buf_str(&out));
	if (r == 0 && approx.len)
		r = wloss(W, ss_sfield_name(keys[i].field), 1, "%s %s as %s=%s: %s",
			  ss_sfield_openssh(keys[i].field), v->list.v[0], keys[i].key,
			  ss_buf_str(&out), ss_buf_str(&approx));
	ss_buf_release(&list);
	ss_buf_release(&out);
	ss_buf_release(&approx);
	return r;
}

static int write_losses(wwriter *W)
{
	ss_session *s = W->s;
	int r = 0;
	if (!s->f[SS_F_USER].str)
		r |= wloss(W, "user", 1,
			   "WinSCP cannot use the local user name (it deletes "
			   "UserNameFromEnvironment); it will ask");
	if (s->f[SS_F_X11].num)
		r |= wloss(W, "x11_forwarding", 0, "WinSCP has no X11 forwarding");
	if (s->f[SS_F_TCP_KEEPALIVE].num)
		r |= wloss(W, "tcp_keepalive", 0, "WinSCP has no TCP keepalive setting");
	if (s->f[SS_F_KEEPALIVE].num > 0 || s->f[SS_F_KEEPALIVE_COUNT].num != 3)
		r |= wloss(W, "keepalive_count", 0,
			   "ServerAliveCountMax %lld has no WinSCP form: it never disconnects a "
			   "silent server",
			   s->f[SS_F_KEEPALIVE_COUNT].num);
	if (s->f[SS_F_REMOTE_COMMAND].str)
		r |= wloss(W, "remote_command", 0, "WinSCP runs no remote command: %s",
			   s->f[SS_F_REMOTE_COMMAND].str);
	if (s->f[SS_F_PTY].num != SS_PTY_AUTO)
		r |= wloss(W, "pty", 0, "WinSCP opens no terminal: RequestTTY is not carried");
	if (s->f[SS_F_NO_SHELL].num)
		r |= wloss(W, "no_shell", 0, "WinSCP always opens its file protocol");
	if (s->f[SS_F_ENV].list.n)
		r |= wloss(W, "environment", 0, "WinSCP sends no environment variables");
	if (s->f[SS_F_FORWARDS].nfwd)
		r |= wloss(W, "forwards", 0, "WinSCP has no port forwarding (%zu not carried)",
			   s->f[SS_F_FORWARDS].nfwd);
	if (s->f[SS_F_JUMP].nhops > 1)
		r |= wloss(W, "jump", 0,
			   "WinSCP tunnels through one host only; %zu hops cannot be carried",
			   s->f[SS_F_JUMP].nhops);
	for (int i = 0; i < 3; i++)
		r |= write_alg_list(W, i);
	if (ss_session_extras_lost(s, "WinSCP") < 0)
		r = ss_diag_oom(W->d);
	return r ? -1 : 0;
}

static int write_tunnel(wwriter *W, const ss_sessions *all)
{
	const ss_sval *j = &W->s->f[SS_F_JUMP];
	int r = 0;
	if (j->nhops == 1) {
		/* A hop that stands for a session: its resolved host, port and
		 * user (WinSCP's own PuTTY import takes the name as a host). */
		const ss_hop *h = &j->hops[0];
		const ss_session *hs = h->session ? ss_sessions_find(all, h->session) : NULL;
		const char *host = hs && hs->f[SS_F_HOST].str ? hs->f[SS_F_HOST].str : h->host;
		long long port = h->port ? h->port : hs ? hs->f[SS_F_PORT].num : 22;
		const char *user = h->user			? h->user
				   : hs && hs->f[SS_F_USER].str ? hs->f[SS_F_USER].str
								: "";
		if (hs)
			r = wloss(W, "jump", 1,
				  "the hop %s is written as its host name, port, user and key: a "
				  "WinSCP tunnel has no other settings",
				  h->host);
		if (r == 0)
			r = wput_i(W, "Tunnel", 1, 0);
		if (r == 0)
			r = wput_s(W, "TunnelHostName", host);
		if (r == 0)
			r = wput_i(W, "TunnelPortNumber", port, 22);
		if (r == 0)
			r = wput_s(W, "TunnelUserName", user);
		if (r == 0 && hs && hs->f[SS_F_IDENTITY].list.n) {
			ss_buf b = SS_BUF_INIT;
			r = literal_path(W, "jump", &hs->f[SS_F_IDENTITY].list, &b);
			if (r == 0)
				r = wput_s(W, "TunnelPublicKeyFile", ss_buf_str(&b));
			ss_buf_release(&b);
		}
		if (r == 0)
			r = wput_i(W, "ProxyMethod", 0, 0);
		return r;
	}
	r = wput_i(W, "Tunnel", 0, 0);
	if (r == 0 && W->s->f[SS_F_PROXY_COMMAND].str && !j->nhops) {
		ss_buf b = SS_BUF_INIT;
		for (const char *p = W->s->f[SS_F_PROXY_COMMAND].str; *p && r == 0; p++) {
			if (p[0] == '%' && p[1] == 'h') {
				r = ss_buf_adds(&b, "%host");
				p++;
			} else if (p[0] == '%' && p[1] == 'p') {
				r = ss_buf_adds(&b, "%port");
				p++;
			} else if (p[0] == '%' && p[1] == '%') {
				r = ss_buf_adds(&b, "%%");
				p++;
			} else if (p[0] == '\\') {
				r = ss_buf_adds(&b, "\\\\");
			} else {
				r = ss_buf_addc(&b, *p);
			}
		}
		if (r == 0)
			r = wput_i(W, "ProxyMethod", 5, 0);
		if (r == 0)
			r = wput_s(W, "ProxyTelnetCommand", ss_buf_str(&b));
		ss_buf_release(&b);
	} else if (r == 0) {
		r = wput_i(W, "ProxyMethod", 0, 0);
	}
	return r < 0 ? (ss_diag_is_set(W->d) ? -1 : ss_diag_oom(W->d)) : 0;
}

static int write_site(wwriter *W, const ss_sessions *all)
{
	ss_session *s = W->s;
	int r = wput_s(W, "HostName", s->f[SS_F_HOST].str ? s->f[SS_F_HOST].str : "");
	if (r == 0)
		r = wput_i(W, "PortNumber", s->f[SS_F_PORT].num, 22);
	if (r == 0)
		r = wput_s(W, "UserName", s->f[SS_F_USER].str ? s->f[SS_F_USER].str : "");
	ss_buf b = SS_BUF_INIT;
	if (r == 0)
		r = literal_path(W, "identity_file", &s->f[SS_F_IDENTITY].list, &b);
	size_t klen = b.len;
	/* WinSCP reads .ppk files only (it offers to convert another key when
	 * the site is opened, never in a script). */
	if (r == 0 && klen && !(klen > 4 && strcasecmp(ss_buf_str(&b) + klen - 4, ".ppk") == 0))
		r = wloss(W, "identity_file", 1,
			  "%s is not a .ppk: WinSCP converts it only when asked in its window "
			  "(puttygen KEY -o KEY.ppk, or --keys DIR)",
			  ss_buf_str(&b));
	if (r == 0)
		r = wput_s(W, "PublicKeyFile", ss_buf_str(&b));
	ss_buf_reset(&b);
	if (r == 0)
		r = literal_path(W, "certificate", &s->f[SS_F_CERTIFICATE].list, &b);
	if (r == 0)
		r = wput_s(W, "DetachedCertificate", ss_buf_str(&b));
	ss_buf_release(&b);
	if (r == 0)
		r = wput_i(W, "TryAgent", s->f[SS_F_AGENT].num, 1);
	if (r == 0)
		r = wput_i(W, "AgentFwd", s->f[SS_F_AGENT_FWD].num, 0);
	if (r == 0)
		r = wput_i(W, "Compression", s->f[SS_F_COMPRESSION].num, 0);
	long long ka = s->f[SS_F_KEEPALIVE].num;
	if (r == 0)
		r = wput_i(W, "PingType", ka > 0, 0);
	if (r == 0)
		r = wput_i(W, "PingInterval", ka > 0 ? ka / 60 : 0, 0);
	if (r == 0)
		r = wput_i(W, "PingIntervalSecs", ka > 0 ? ka % 60 : 30, 30);
	if (r == 0)
		r = wput_i(W, "AddressFamily", s->f[SS_F_ADDRESS_FAMILY].num, 0);
	if (r == 0)
		r = wput_s(W, "LogicalHostName",
			   s->f[SS_F_HOST_KEY_ALIAS].str ? s->f[SS_F_HOST_KEY_ALIAS].str : "");
	if (r == 0)
		r = wput_i(W, "AuthGSSAPI", s->f[SS_F_GSSAPI].num, 1);
	if (r == 0)
		r = wput_i(W, "AuthGSSAPIKEX", s->f[SS_F_GSSAPI_KEX].num, 0);
	if (r == 0)
		r = wput_i(W, "GSSAPIFwdTGT", s->f[SS_F_GSSAPI_DELEGATE].num, 0);
	if (r == 0)
		r = write_tunnel(W, all);
	if (r == 0)
		r = write_losses(W);
	return r;
}

int ss_winscp_sessions_plan(const char *path, ss_sessions *in, ss_changeset *cs, ss_diag *d)
{
	ss_storage *st;
	if (ss_storage_open_or_create(&st, path, &ss_winscp_root, cs, d) < 0)
		return -1;
	int r = 0;
	for (size_t i = 0; i < in->n && r == 0; i++) {
		ss_session *s = &in->v[i];
		if (s->skip) {
			ss_sessions_planned(in, i);
			continue;
		}
		free(s->target_name);
		char *raw = ss_winscp_munge(s->name);
		if (!(s->target_name = ss_strdup(s->name)) || !raw) {
			free(raw);
			r = ss_diag_oom(d);
			break;
		}
		size_t idx = ss_storage_find(st, raw);
		if (idx == SIZE_MAX)
			r = ss_storage_create(st, raw, &idx, d);
		free(raw);
		wwriter W = {st, idx, s, d};
		if (r == 0)
			r = write_site(&W, in);
		if (r == 0)
			ss_sessions_planned(in, i);
	}
	if (r == 0)
		r = ss_storage_commit(st, d);
	ss_storage_close(st);
	return r;
}
