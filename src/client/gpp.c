/* gpp: what a Group Policy Preferences Registry.xml deploys to PuTTY,
 * KiTTY and WinSCP sessions. Audited only.
 *
 * Group Policy applies the items in document order, so for each value the
 * last enabled item wins: Update, Replace and Create set it (Create only
 * where the value does not exist yet), Delete removes it. A value that no
 * item deploys is taken as the client's compiled-in default, as the other
 * clients do for a missing value; where that leaves the user's own value
 * in play (one half of PuTTY's interval), the scope says so. */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sshsync/clients.h"
#include "sshsync/gppxml.h"

typedef enum family { FAM_PUTTY, FAM_WINSCP } family;

typedef struct root {
	const char *label;  /* prefix of the scope name */
	const char *prefix; /* the key up to and with "Sessions\" */
	family fam;
} root;

static const root roots[] = {
    {"putty", "Software\\SimonTatham\\PuTTY\\Sessions\\", FAM_PUTTY},
    {"kitty", "Software\\9bis.com\\KiTTY\\Sessions\\", FAM_PUTTY},
    {"winscp", "Software\\Martin Prikryl\\WinSCP 2\\Sessions\\", FAM_WINSCP},
};

/* The values that make the keepalive, per family. */
enum { V_PING_INTERVAL, V_PING_SECS, V_TCP, V_PING_TYPE, V_PING_SEC_OLD, NVALS };
static const char *const value_names[NVALS] = {"PingInterval", "PingIntervalSecs", "TCPKeepalives",
					       "PingType", "PingIntervalSec"};

typedef struct value_state {
	int deployed; /* an enabled item names it */
	int present;  /* it exists after the items are applied, with a usable DWORD */
	unsigned long v;
	size_t line; /* the last item that named it */
} value_state;

typedef struct session {
	const root *root;
	char *escaped;	  /* the key's last component as written */
	char *scope_name; /* "putty:web 1" */
	int in_other_hive;
	value_state val[NVALS];
	ss_strlist notes; /* problems found while applying the items */
} session;

/* The sessions in order of first appearance, with a hash index on
 * (root, case-folded name) so that a file of 10,000 sessions is read in
 * linear time. */
typedef struct sessions {
	session *v;
	size_t n;
	size_t cap;
	size_t *slot;  /* index + 1 into v; 0 is empty */
	size_t nslots; /* a power of two, at least twice n */
} sessions;

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* PuTTY's and WinSCP's unescape: %XX with upper-case hex (what both write);
 * anything else stays as it is. */
static char *unescape(const char *s)
{
	ss_buf b = SS_BUF_INIT;
	int r = 0;
	for (const char *p = s; *p && !r; p++) {
		int hi, lo;
		if (p[0] == '%' && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0) {
			r = ss_buf_addc(&b, (char)(hi * 16 + lo));
			p += 2;
		} else {
			r = ss_buf_addc(&b, *p);
		}
	}
	if (r || ss_buf_addc(&b, '\0') < 0) {
		ss_buf_release(&b);
		return NULL;
	}
	return ss_buf_detach(&b, NULL);
}

/* The root and session of a key, or NULL for keys that are not a session. */
static const root *session_of(const char *key, const char **name)
{
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		size_t n = strlen(roots[i].prefix);
		if (strncasecmp(key, roots[i].prefix, n) == 0 && key[n] && !strchr(key + n, '\\')) {
			*name = key + n;
			return &roots[i];
		}
	}
	return NULL;
}

static uint64_t session_hash(const root *rt, const char *escaped)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(rt - roots);
	for (const unsigned char *p = (const unsigned char *)escaped; *p; p++)
		h = (h ^ (uint64_t)tolower(*p)) * 1099511628211ULL;
	return h;
}

/* The slot for this session: where it is, or the empty one it would take. */
static size_t *find_slot(const sessions *ss, const root *rt, const char *escaped)
{
	size_t mask = ss->nslots - 1, i = (size_t)session_hash(rt, escaped) & mask;
	for (;; i = (i + 1) & mask) {
		size_t *slot = &ss->slot[i];
		if (!*slot)
			return slot;
		const session *s = &ss->v[*slot - 1];
		if (s->root == rt && strcasecmp(s->escaped, escaped) == 0)
			return slot;
	}
}

static int grow_index(sessions *ss)
{
	size_t nslots = ss->nslots ? ss->nslots * 2 : 64;
	size_t *slot = calloc(nslots, sizeof(*slot));
	if (!slot)
		return -1;
	free(ss->slot);
	ss->slot = slot;
	ss->nslots = nslots;
	for (size_t i = 0; i < ss->n; i++)
		*find_slot(ss, ss->v[i].root, ss->v[i].escaped) = i + 1;
	return 0;
}

static session *find_session(sessions *ss, const root *rt, const char *escaped, ss_diag *d)
{
	if ((ss->n + 1) * 2 > ss->nslots && grow_index(ss) < 0) {
		ss_diag_oom(d);
		return NULL;
	}
	size_t *slot = find_slot(ss, rt, escaped);
	if (*slot)
		return &ss->v[*slot - 1];
	if (ss->n == ss->cap) {
		size_t cap = ss->cap ? ss->cap * 2 : 8;
		session *v = realloc(ss->v, cap * sizeof(*v));
		if (!v) {
			ss_diag_oom(d);
			return NULL;
		}
		ss->v = v;
		ss->cap = cap;
	}
	session *s = &ss->v[ss->n];
	memset(s, 0, sizeof(*s));
	s->root = rt;
	char *plain = unescape(escaped);
	s->escaped = ss_strdup(escaped);
	s->scope_name = plain ? ss_asprintf("%s:%s", rt->label, plain) : NULL;
	free(plain);
	if (!s->escaped || !s->scope_name) {
		free(s->escaped);
		free(s->scope_name);
		ss_diag_oom(d);
		return NULL;
	}
	*slot = ++ss->n;
	return s;
}

static void sessions_free(sessions *ss)
{
	for (size_t i = 0; i < ss->n; i++) {
		free(ss->v[i].escaped);
		free(ss->v[i].scope_name);
		ss_strlist_release(&ss->v[i].notes);
	}
	free(ss->v);
	free(ss->slot);
}

static int note(session *s, const char *fmt, ...) SS_PRINTF(2, 3);

static int note(session *s, const char *fmt, ...)
{
	ss_buf b = SS_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int r = ss_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (r < 0) {
		ss_buf_release(&b);
		return -1;
	}
	return ss_strlist_push_owned(&s->notes, ss_buf_detach(&b, NULL));
}

/* A DWORD as GPMC writes it: 1 to 8 hex digits. */
static int parse_dword(const char *s, unsigned long *out)
{
	size_t n = strlen(s);
	if (n == 0 || n > 8)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return -1;
	*out = strtoul(s, NULL, 16);
	return 0;
}

static int which_value(const char *name)
{
	for (int i = 0; i < NVALS; i++)
		if (strcasecmp(name, value_names[i]) == 0)
			return i;
	return -1;
}

static void clear_values(session *s, size_t line)
{
	for (int i = 0; i < NVALS; i++) {
		s->val[i].present = 0;
		if (s->val[i].deployed)
			s->val[i].line = line;
	}
}

/* Applies one enabled item to its session's values. */
static int apply_item(session *s, const ss_gpp_item *it, const char *client)
{
	if (it->name[0] == '\0' && !it->is_default) {
		/* A key-only item: Delete and Replace empty the key. */
		if (it->action == 'D' || it->action == 'R')
			clear_values(s, it->line);
		return 0;
	}
	int k = which_value(it->name);
	if (k < 0 || it->is_default)
		return 0;
	value_state *v = &s->val[k];
	v->deployed = 1;
	v->line = it->line;
	if (it->action == 'D') {
		v->present = 0;
		return 0;
	}
	int r = 0;
	if (it->action == 'C')
		r |= note(s,
			  "%s at line %zu uses action Create, which leaves a value the user "
			  "already has as it is",
			  value_names[k], it->line);
	unsigned long val;
	if (strcmp(it->type, "REG_DWORD") != 0) {
		v->present = 0;
		return r | note(s, "%s at line %zu is not a REG_DWORD: %s ignores it",
				value_names[k], it->line, client);
	}
	if (parse_dword(it->value, &val) < 0) {
		v->present = 0;
		return r | note(s, "%s at line %zu: the value is not 1 to 8 hex digits",
				value_names[k], it->line);
	}
	v->present = 1;
	v->v = val;
	return r;
}

static int read_items(const ss_gppxml *x, sessions *ss, ss_diag *d)
{
	for (size_t i = 0; i < x->n; i++) {
		const ss_gpp_item *it = &x->v[i];
		const char *escaped;
		const root *rt = session_of(it->key, &escaped);
		if (!rt || it->disabled)
			continue;
		session *s = find_session(ss, rt, escaped, d);
		if (!s)
			return -1;
		if (strcasecmp(it->hive, "HKEY_CURRENT_USER") != 0) {
			s->in_other_hive = 1;
			continue; /* the clients read HKEY_CURRENT_USER only */
		}
		if (apply_item(s, it, rt->fam == FAM_PUTTY ? "PuTTY" : "WinSCP") < 0)
			return ss_diag_oom(d);
	}
	return 0;
}

/* "Registry.xml:LINE" of the latest item among `which`, or NULL. */
static int set_at(ss_scope *sc, const char *path, const session *s, const int *which, int n)
{
	size_t line = 0;
	for (int i = 0; i < n; i++)
		if (s->val[which[i]].deployed && s->val[which[i]].line > line)
			line = s->val[which[i]].line;
	if (!line)
		return 0;
	char *where = ss_asprintf("%s:%zu", path, line);
	int r = where ? ss_scope_set_at(sc, where) : -1;
	free(where);
	return r;
}

static unsigned long value_or(const value_state *v, unsigned long dflt)
{
	return v->present ? v->v : dflt;
}

/* PuTTY and KiTTY: PingInterval*60 + PingIntervalSecs, both default 0. */
static int judge_putty(ss_scope *sc, const char *path, const session *s)
{
	const value_state *mins = &s->val[V_PING_INTERVAL], *secs = &s->val[V_PING_SECS];
	unsigned long long total = value_or(mins, 0) * 60ULL + value_or(secs, 0);
	int r = 0;
	if (total > INT_MAX) {
		r |= ss_scope_reason(sc, "PingInterval*60 + PingIntervalSecs is out of range");
		total = 0;
	}
	sc->interval = (long)total;
	sc->tcp_keepalive = value_or(&s->val[V_TCP], 0) != 0;
	if (mins->deployed != secs->deployed)
		r |= ss_scope_reason(sc, "only %s is deployed: the user's own %s adds to it",
				     value_names[mins->deployed ? V_PING_INTERVAL : V_PING_SECS],
				     value_names[mins->deployed ? V_PING_SECS : V_PING_INTERVAL]);
	static const int which[] = {V_PING_INTERVAL, V_PING_SECS};
	return r | set_at(sc, path, s, which, 2);
}

/* WinSCP: PingType 0 is off whatever the interval; the interval is
 * PingInterval*60 + PingIntervalSecs (or the obsolete PingIntervalSec),
 * minutes default 0, seconds 30, and 0 becomes 30. */
static int judge_winscp(ss_scope *sc, const char *path, const session *s)
{
	const value_state *type = &s->val[V_PING_TYPE];
	unsigned long secs = s->val[V_PING_SECS].present ? s->val[V_PING_SECS].v
							 : value_or(&s->val[V_PING_SEC_OLD], 30);
	unsigned long long total = value_or(&s->val[V_PING_INTERVAL], 0) * 60ULL + secs;
	int r = 0;
	if (total > INT_MAX) {
		r |= ss_scope_reason(sc, "PingInterval*60 + PingIntervalSecs is out of range");
		total = 0;
	}
	if (total == 0)
		total = 30;
	unsigned long ping_type = value_or(type, 0);
	if (ping_type > 2)
		r |= ss_scope_reason(sc, "PingType %lu is not 0, 1 or 2", ping_type);
	int interval_deployed = s->val[V_PING_INTERVAL].deployed || s->val[V_PING_SECS].deployed;
	if (ping_type == 0 && interval_deployed)
		r |= ss_scope_reason(sc, "an interval is deployed but PingType is 0 (off): WinSCP "
					 "sends no keepalive");
	sc->interval = ping_type == 0 ? 0 : (long)total;
	static const int which[] = {V_PING_TYPE, V_PING_INTERVAL, V_PING_SECS, V_PING_SEC_OLD};
	return r | set_at(sc, path, s, which, ping_type == 0 ? 1 : 4);
}

static int add_scope(const char *path, const session *s, ss_scopes *out, ss_diag *d)
{
	ss_scope *sc = ss_scopes_add(out, ss_client_gpp.kind, path, s->scope_name);
	if (!sc)
		return ss_diag_oom(d);
	int r = s->root->fam == FAM_PUTTY ? judge_putty(sc, path, s) : judge_winscp(sc, path, s);
	for (size_t i = 0; i < s->notes.n; i++)
		r |= ss_scope_reason(sc, "%s", s->notes.v[i]);
	if (s->in_other_hive)
		r |= ss_scope_reason(sc,
				     "items outside HKEY_CURRENT_USER are ignored: %s reads "
				     "its sessions from HKEY_CURRENT_USER only",
				     s->root->fam == FAM_PUTTY ? "PuTTY" : "WinSCP");
	return r ? ss_diag_oom(d) : 0;
}

static int gpp_audit(const char *path, const ss_query *q, ss_scopes *out, ss_diag *d)
{
	(void)q;
	ss_gppxml x;
	sessions ss = {NULL, 0, 0, NULL, 0};
	int r = ss_gppxml_load(&x, path, d);
	if (r == 0)
		r = read_items(&x, &ss, d);
	for (size_t i = 0; i < ss.n && r == 0; i++)
		r = add_scope(path, &ss.v[i], out, d);
	sessions_free(&ss);
	ss_gppxml_free(&x);
	return r;
}

static int gpp_sniff(const char *path, const char *head, size_t len)
{
	(void)path;
	if (!head || !len)
		return 0;
	/* The root element, or the registry extension's clsid. */
	size_t n = len < 4096 ? len : 4096;
	for (size_t i = 0; i < n; i++) {
		if (head[i] == '<' && n - i >= 17 && memcmp(head + i, "<RegistrySettings", 17) == 0)
			return 2;
	}
	return 0;
}

const ss_client ss_client_gpp = {
    .kind = "gpp",
    .description = "Group Policy Preferences Registry.xml (PuTTY, KiTTY, WinSCP; audit only)",
    .audit = gpp_audit,
    .apply = NULL,
    .export_plan = NULL,
    .sniff = gpp_sniff,
};
