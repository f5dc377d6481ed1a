/* The neutral session model: defaults, setters, comparison, formatting. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/session.h"

typedef struct sfield_desc {
	const char *name;
	const char *openssh;
	ss_sftype type;
} sfield_desc;

static const sfield_desc FIELDS[SS_F_COUNT] = {
    [SS_F_HOST] = {"host", "HostName", SS_FT_STR},
    [SS_F_PORT] = {"port", "Port", SS_FT_NUM},
    [SS_F_USER] = {"user", "User", SS_FT_STR},
    [SS_F_IDENTITY] = {"identity_file", "IdentityFile", SS_FT_LIST},
    [SS_F_CERTIFICATE] = {"certificate", "CertificateFile", SS_FT_LIST},
    [SS_F_AGENT] = {"agent", "IdentityAgent", SS_FT_BOOL},
    [SS_F_AGENT_FWD] = {"agent_forwarding", "ForwardAgent", SS_FT_BOOL},
    [SS_F_X11] = {"x11_forwarding", "ForwardX11", SS_FT_BOOL},
    [SS_F_COMPRESSION] = {"compression", "Compression", SS_FT_BOOL},
    [SS_F_KEEPALIVE] = {"keepalive", "ServerAliveInterval", SS_FT_NUM},
    [SS_F_KEEPALIVE_COUNT] = {"keepalive_count", "ServerAliveCountMax", SS_FT_NUM},
    [SS_F_TCP_KEEPALIVE] = {"tcp_keepalive", "TCPKeepAlive", SS_FT_BOOL},
    [SS_F_ADDRESS_FAMILY] = {"address_family", "AddressFamily", SS_FT_NUM},
    [SS_F_HOST_KEY_ALIAS] = {"host_key_alias", "HostKeyAlias", SS_FT_STR},
    [SS_F_REMOTE_COMMAND] = {"remote_command", "RemoteCommand", SS_FT_STR},
    [SS_F_PTY] = {"pty", "RequestTTY", SS_FT_NUM},
    [SS_F_NO_SHELL] = {"no_shell", "SessionType", SS_FT_BOOL},
    [SS_F_ENV] = {"environment", "SetEnv", SS_FT_LIST},
    [SS_F_FORWARDS] = {"forwards", "LocalForward", SS_FT_FORWARDS},
    [SS_F_PROXY_COMMAND] = {"proxy_command", "ProxyCommand", SS_FT_STR},
    [SS_F_JUMP] = {"jump", "ProxyJump", SS_FT_HOPS},
    [SS_F_CIPHERS] = {"ciphers", "Ciphers", SS_FT_LIST},
    [SS_F_KEX] = {"kex", "KexAlgorithms", SS_FT_LIST},
    [SS_F_HOST_KEY_ALGS] = {"host_key_algorithms", "HostKeyAlgorithms", SS_FT_LIST},
    [SS_F_GSSAPI] = {"gssapi", "GSSAPIAuthentication", SS_FT_BOOL},
    [SS_F_GSSAPI_DELEGATE] = {"gssapi_delegate", "GSSAPIDelegateCredentials", SS_FT_BOOL},
    [SS_F_GSSAPI_KEX] = {"gssapi_kex", "GSSAPIKeyExchange", SS_FT_BOOL},
};

const char *ss_sfield_name(ss_sfield f)
{
	return f < SS_F_COUNT ? FIELDS[f].name : "?";
}

const char *ss_sfield_openssh(ss_sfield f)
{
	return f < SS_F_COUNT ? FIELDS[f].openssh : "?";
}

ss_sftype ss_sfield_type(ss_sfield f)
{
	return f < SS_F_COUNT ? FIELDS[f].type : SS_FT_NUM;
}

const char *ss_sorigin_name(ss_sorigin o)
{
	switch (o) {
	case SS_ORIGIN_EXPLICIT:
		return "explicit";
	case SS_ORIGIN_PATTERN:
		return "pattern";
	case SS_ORIGIN_DEFAULT_SETTINGS:
		return "default-settings";
	default:
		return "default";
	}
}

static void forward_free(ss_forward *fw)
{
	free(fw->bind);
	free(fw->listen);
	free(fw->host);
	free(fw->port);
}

static void hop_free(ss_hop *h)
{
	free(h->user);
	free(h->host);
	free(h->session);
}

_Static_assert(sizeof(ss_strlist) >= sizeof(ss_forward *) + sizeof(size_t) &&
		   sizeof(ss_strlist) >= sizeof(ss_hop *) + sizeof(size_t),
	       "the list is the largest of the values that share their room");

void ss_session_clear(ss_session *s, ss_sfield f)
{
	ss_sval *v = &s->f[f];
	free(v->str);
	v->str = NULL;
	/* The field's type says which of list, fwd and hops it holds. */
	switch (ss_sfield_type(f)) {
	case SS_FT_LIST:
		ss_strlist_release(&v->list);
		break;
	case SS_FT_FORWARDS:
		for (size_t i = 0; i < v->nfwd; i++)
			forward_free(&v->fwd[i]);
		free(v->fwd);
		break;
	case SS_FT_HOPS:
		for (size_t i = 0; i < v->nhops; i++)
			hop_free(&v->hops[i]);
		free(v->hops);
		break;
	default:
		break;
	}
	memset(&v->list, 0, sizeof(v->list)); /* the largest of the three */
	v->num = 0;
}

int ss_session_set_origin(ss_session *s, ss_sfield f, ss_sorigin o, const char *where)
{
	char *w = NULL;
	if (where && !(w = ss_strdup(where)))
		return -1;
	free(s->f[f].where);
	s->f[f].where = w;
	s->f[f].origin = o;
	return 0;
}

int ss_session_set_num(ss_session *s, ss_sfield f, long long v, ss_sorigin o, const char *where)
{
	if (ss_session_set_origin(s, f, o, where) < 0)
		return -1;
	ss_session_clear(s, f);
	s->f[f].num = v;
	return 0;
}

int ss_session_set_str(ss_session *s, ss_sfield f, const char *v, ss_sorigin o, const char *where)
{
	char *copy = NULL;
	if (v && !(copy = ss_strdup(v)))
		return -1;
	if (ss_session_set_origin(s, f, o, where) < 0) {
		free(copy);
		return -1;
	}
	ss_session_clear(s, f);
	s->f[f].str = copy;
	return 0;
}

int ss_session_list_add(ss_session *s, ss_sfield f, const char *v)
{
	return ss_strlist_push(&s->f[f].list, v);
}

static char *dup_or_null(const char *s, int *err)
{
	if (!s)
		return NULL;
	char *c = ss_strdup(s);
	if (!c)
		*err = 1;
	return c;
}

int ss_session_add_forward(ss_session *s, const ss_forward *fw)
{
	ss_sval *v = &s->f[SS_F_FORWARDS];
	ss_forward *n = realloc(v->fwd, (v->nfwd + 1) * sizeof(*n));
	if (!n)
		return -1;
	v->fwd = n;
	int err = 0;
	ss_forward c = {fw->kind,
			fw->family,
			dup_or_null(fw->bind, &err),
			dup_or_null(fw->listen, &err),
			dup_or_null(fw->host, &err),
			dup_or_null(fw->port, &err)};
	if (err) {
		forward_free(&c);
		return -1;
	}
	v->fwd[v->nfwd++] = c;
	return 0;
}

int ss_session_add_hop(ss_session *s, const ss_hop *h)
{
	ss_sval *v = &s->f[SS_F_JUMP];
	ss_hop *n = realloc(v->hops, (v->nhops + 1) * sizeof(*n));
	if (!n)
		return -1;
	v->hops = n;
	int err = 0;
	ss_hop c = {dup_or_null(h->user, &err), dup_or_null(h->host, &err), h->port,
		    dup_or_null(h->session, &err)};
	if (err) {
		hop_free(&c);
		return -1;
	}
	v->hops[v->nhops++] = c;
	return 0;
}

int ss_session_default(ss_session *s, ss_sfield f)
{
	long long num = 0;
	const char *str = NULL;
	switch (f) {
	case SS_F_HOST:
		str = s->name;
		break;
	case SS_F_PORT:
		num = 22;
		break;
	case SS_F_AGENT:
	case SS_F_TCP_KEEPALIVE:
		num = 1;
		break;
	case SS_F_KEEPALIVE_COUNT:
		num = 3;
		break;
	case SS_F_PTY:
		num = SS_PTY_AUTO;
		break;
	default:
		break;
	}
	if (ss_sfield_type(f) == SS_FT_STR)
		return ss_session_set_str(s, f, str, SS_ORIGIN_DEFAULT, NULL);
	return ss_session_set_num(s, f, num, SS_ORIGIN_DEFAULT, NULL);
}

static void fields_free(ss_session *s)
{
	for (int f = 0; s->f && f < SS_F_COUNT; f++) {
		ss_session_clear(s, (ss_sfield)f);
		free(s->f[f].where);
	}
	free(s->f);
	s->f = NULL;
}

void ss_sessions_planned(ss_sessions *l, size_t i)
{
	if (!l->release || i >= l->n)
		return;
	ss_session *s = &l->v[i];
	fields_free(s);
	ss_buf_release(&s->extra);
	s->nextra = 0;
	ss_strlist_release(&s->extra_where);
	free(s->file);
	s->file = NULL;
}

int ss_sessions_read_one(ss_sessions *l, ss_diag *d)
{
	return l->each && l->n ? l->each(l->each_ctx, l, l->n - 1, d) : 0;
}

static void session_free(ss_session *s)
{
	fields_free(s);
	for (size_t i = 0; i < s->nloss; i++) {
		free(s->loss[i].field);
		free(s->loss[i].reason);
	}
	free(s->loss);
	ss_buf_release(&s->extra);
	ss_strlist_release(&s->extra_where);
	free(s->name);
	free(s->file);
	free(s->target_name);
	memset(s, 0, sizeof(*s));
}

int ss_sessions_reserve(ss_sessions *l, size_t more)
{
	if (more > ((size_t)-1) / sizeof(*l->v) - l->n)
		return -1;
	if (l->n + more <= l->cap)
		return 0;
	ss_session *v = realloc(l->v, (l->n + more) * sizeof(*v));
	if (!v)
		return -1;
	l->v = v;
	l->cap = l->n + more;
	return 0;
}

ss_session *ss_sessions_add(ss_sessions *l, const char *name, const char *file)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		ss_session *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	ss_session *s = &l->v[l->n];
	memset(s, 0, sizeof(*s));
	s->name = ss_strdup(name);
	s->file = file ? ss_strdup(file) : NULL;
	s->f = calloc(SS_F_COUNT, sizeof(*s->f));
	int bad = !s->name || (file && !s->file) || !s->f;
	for (int f = 0; f < SS_F_COUNT && !bad; f++)
		bad = ss_session_default(s, (ss_sfield)f) < 0;
	if (bad) {
		session_free(s);
		return NULL;
	}
	l->n++;
	return s;
}

ss_session *ss_sessions_find(const ss_sessions *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

void ss_sessions_free(ss_sessions *l)
{
	for (size_t i = 0; i < l->n; i++)
		session_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int ss_session_loss(ss_session *s, const char *field, int approx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = ss_session_lossv(s, field, approx, fmt, ap);
	va_end(ap);
	return r;
}

char *ss_session_tokens(const char *literal)
{
	ss_buf b = SS_BUF_INIT;
	int r = ss_buf_grow(&b, 0);
	for (const char *q = literal; *q && r == 0; q++)
		r = *q == '%' ? ss_buf_adds(&b, "%%") : ss_buf_addc(&b, *q);
	if (r < 0) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

int ss_session_lossv(ss_session *s, const char *field, int approx, const char *fmt, va_list ap)
{
	ss_buf b = SS_BUF_INIT;
	int r = ss_buf_vaddf(&b, fmt, ap);
	if (r == 0)
		r = ss_session_loss_text(s, field, approx, ss_buf_str(&b));
	ss_buf_release(&b);
	return r;
}

int ss_session_loss_text(ss_session *s, const char *field, int approx, const char *reason)
{
	for (size_t i = 0; i < s->nloss; i++)
		if (strcmp(s->loss[i].field, field) == 0 && strcmp(s->loss[i].reason, reason) == 0)
			return 0;
	if (s->nloss == s->losscap) {
		size_t cap = s->losscap ? s->losscap * 2 : 4;
		ss_loss *v = realloc(s->loss, cap * sizeof(*v));
		if (!v)
			return -1;
		s->loss = v;
		s->losscap = cap;
	}
	char *fc = ss_strdup(field);
	char *rc = ss_strdup(reason);
	if (!fc || !rc) {
		free(fc);
		free(rc);
		return -1;
	}
	s->loss[s->nloss++] = (ss_loss){fc, rc, approx};
	return 0;
}

static int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

int ss_sval_equal(ss_sfield f, const ss_sval *a, const ss_sval *b)
{
	switch (ss_sfield_type(f)) {
	case SS_FT_BOOL:
	case SS_FT_NUM:
		return a->num == b->num;
	case SS_FT_STR:
		return str_eq(a->str, b->str);
	case SS_FT_LIST:
		if (a->list.n != b->list.n)
			return 0;
		for (size_t i = 0; i < a->list.n; i++)
			if (strcmp(a->list.v[i], b->list.v[i]))
				return 0;
		return 1;
	case SS_FT_FORWARDS:
		if (a->nfwd != b->nfwd)
			return 0;
		for (size_t i = 0; i < a->nfwd; i++) {
			const ss_forward *x = &a->fwd[i], *y = &b->fwd[i];
			if (x->kind != y->kind || x->family != y->family ||
			    !str_eq(x->bind, y->bind) || !str_eq(x->listen, y->listen) ||
			    !str_eq(x->host, y->host) || !str_eq(x->port, y->port))
				return 0;
		}
		return 1;
	case SS_FT_HOPS:
		if (a->nhops != b->nhops)
			return 0;
		for (size_t i = 0; i < a->nhops; i++) {
			const ss_hop *x = &a->hops[i], *y = &b->hops[i];
			if (!str_eq(x->user, y->user) || !str_eq(x->host, y->host) ||
			    x->port != y->port)
				return 0;
		}
		return 1;
	}
	return 0;
}

static int format_forward(const ss_forward *fw, ss_buf *out)
{
	int r = ss_buf_addf(out, "%c%s ", fw->kind,
			    fw->family == SS_AF_INET	? "4"
			    : fw->family == SS_AF_INET6 ? "6"
							: "");
	if (fw->bind)
		r |= ss_buf_addf(out, "%s:", fw->bind);
	r |= ss_buf_adds(out, fw->listen ? fw->listen : "");
	if (fw->host)
		r |= ss_buf_addf(out, " %s:%s", fw->host, fw->port ? fw->port : "");
	return r;
}

int ss_sval_format(ss_sfield f, const ss_sval *v, ss_buf *out)
{
	int r = 0;
	switch (ss_sfield_type(f)) {
	case SS_FT_BOOL:
		return ss_buf_adds(out, v->num ? "yes" : "no");
	case SS_FT_NUM:
		if (f == SS_F_ADDRESS_FAMILY)
			return ss_buf_adds(out, v->num == SS_AF_INET	? "inet"
						: v->num == SS_AF_INET6 ? "inet6"
									: "any");
		if (f == SS_F_PTY) {
			static const char *const p[] = {"auto", "yes", "no", "force"};
			return ss_buf_adds(out, v->num >= 0 && v->num <= 3 ? p[v->num] : "?");
		}
		return ss_buf_addf(out, "%lld", v->num);
	case SS_FT_STR:
		if (!v->str)
			return ss_buf_adds(out, f == SS_F_USER ? "(local user)" : "(none)");
		return ss_buf_adds(out, v->str);
	case SS_FT_LIST:
		if (v->list.n == 0)
			return ss_buf_adds(out, "(none)");
		for (size_t i = 0; i < v->list.n; i++)
			r |= ss_buf_addf(out, "%s%s", i ? "," : "", v->list.v[i]);
		return r;
	case SS_FT_FORWARDS:
		if (v->nfwd == 0)
			return ss_buf_adds(out, "(none)");
		for (size_t i = 0; i < v->nfwd; i++) {
			if (i)
				r |= ss_buf_adds(out, "; ");
			r |= format_forward(&v->fwd[i], out);
		}
		return r;
	case SS_FT_HOPS:
		if (v->nhops == 0)
			return ss_buf_adds(out, "(none)");
		for (size_t i = 0; i < v->nhops; i++) {
			const ss_hop *h = &v->hops[i];
			r |= ss_buf_addf(out, "%s%s%s%s", i ? "," : "", h->user ? h->user : "",
					 h->user ? "@" : "", h->host ? h->host : "");
			if (h->port)
				r |= ss_buf_addf(out, ":%lld", h->port);
		}
		return r;
	}
	return r;
}

/* --- names --- */

static int token_special(unsigned char c)
{
	return c <= 0x20 || c == 0x7f || strchr("*?!,'`\"$\\;&<>|(){}@:[]#", c) != NULL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The byte a "%XX" at p stands for in a token, or -1 when it is kept. */
static int decodable(const char *p, int first)
{
	if (p[0] != '%' || hexval(p[1]) < 0 || hexval(p[2]) < 0)
		return -1;
	int c = hexval(p[1]) * 16 + hexval(p[2]);
	if (c == 0)
		return -1;
	return token_special((unsigned char)c) || (first && c == '-') ? c : -1;
}

int ss_session_host_token(const char *name, ss_buf *out)
{
	int changed = 0;
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		int r;
		if (token_special(c) || (p == name && c == '-')) {
			r = ss_buf_addf(out, "%%%02X", c);
			changed = 1;
		} else {
			r = ss_buf_addc(out, (char)c);
		}
		if (r < 0)
			return -1;
	}
	if (!*name) /* "Default Settings" is never migrated; an empty name neither */
		return ss_buf_adds(out, "%20") < 0 ? -1 : 1;
	return changed;
}

int ss_session_name_from_token(const char *token, ss_buf *out)
{
	int changed = 0;
	for (const char *p = token; *p; p++) {
		int c = decodable(p, p == token);
		int r;
		if (c >= 0) {
			r = ss_buf_addc(out, (char)c);
			p += 2;
			changed = 1;
		} else {
			r = ss_buf_addc(out, *p);
		}
		if (r < 0)
			return -1;
	}
	return changed;
}

int ss_session_name_reversible(const char *name)
{
	for (const char *p = name; *p; p++)
		if (decodable(p, p == name) >= 0)
			return 0;
	return *name != '\0';
}

int ss_session_extra_add(ss_session *s, const char *setting, const char *where)
{
	if (ss_buf_add(&s->extra, setting, strlen(setting) + 1) < 0 ||
	    (where && ss_strlist_push(&s->extra_where, where) < 0))
		return -1;
	s->nextra++;
	return 0;
}

const char *ss_session_extra_next(const ss_session *s, const char *prev)
{
	const char *next = prev ? prev + strlen(prev) + 1 : s->extra.data;
	return next && next < s->extra.data + s->extra.len ? next : NULL;
}

int ss_session_extras_lost(ss_session *s, const char *target)
{
	if (s->nextra == 0)
		return 0;
	if (s->kind && strcmp(s->kind, "ssh") == 0) {
		size_t i = 0;
		for (const char *x = NULL; (x = ss_session_extra_next(s, x)) != NULL; i++)
			if (ss_session_loss(s, x, 0, "%s: %s has no %s form; not carried",
					    s->extra_where.v[i], x, target) < 0)
				return -1;
		return 0;
	}
	/* The reason by hand: it names every key (a hundred and more a
	 * PuTTY session), and printf went over it twice. */
	ss_buf why = SS_BUF_INIT;
	int r = ss_buf_add_lld(&why, (long long)s->nextra) < 0 || ss_buf_addc(&why, ' ') < 0 ||
			ss_buf_adds(&why, s->kind ? s->kind : "source") < 0 ||
			ss_buf_adds(&why, " settings outside the session model have no ") < 0 ||
			ss_buf_adds(&why, target) < 0 ||
			ss_buf_adds(&why, " form (terminal, window, logging...): ") < 0
		    ? -1
		    : 0;
	size_t i = 0;
	for (const char *x = NULL; r == 0 && (x = ss_session_extra_next(s, x)) != NULL; i++) {
		const char *eq = strchr(x, '=');
		size_t n = eq ? (size_t)(eq - x) : strlen(x);
		r = (i && ss_buf_add(&why, ", ", 2) < 0) || ss_buf_add(&why, x, n) < 0 ? -1 : 0;
	}
	if (r == 0)
		r = ss_session_loss_text(s, "settings", 0, ss_buf_str(&why));
	ss_buf_release(&why);
	return r;
}
