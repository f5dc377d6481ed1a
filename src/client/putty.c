/* PuTTY and KiTTY: sessions in .reg exports and session directories, read
 * and written through the storage layer (include/sshsync/storage.h).
 *
 * What PuTTY does, from its settings.c and storage back ends: it loads
 * PingInterval and PingIntervalSecs (REG_DWORD, default 0) and uses
 * PingInterval*60 + PingIntervalSecs seconds; it saves s/60 and s%60.
 * TCPKeepalives is a boolean, default off. A value of another type reads
 * as the default. */
#include "sshsync/putty.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sshsync/clients.h"
#include "sshsync/os_path.h"
#include "sshsync/os_sys.h"
#include "sshsync/scope_pipe.h"
#include "sshsync/storage.h"

/* Where each keeps its sessions: the registry key (also in a user hive's
 * export), or a session folder; a file that is neither is read as a .reg
 * file (whose reader says what is wrong). */
const ss_storage_root ss_putty_root = {
    .regkey = SS_PUTTY_SESSIONS_KEY, .any_user = 1, .files = SS_FILES_PUTTY, .fallback = "regfile"};
const ss_storage_root ss_kitty_root = {
    .regkey = SS_KITTY_SESSIONS_KEY, .any_user = 1, .files = SS_FILES_KITTY, .fallback = "regfile"};

typedef struct flavour {
	const char *kind;
	const ss_storage_root *root;
} flavour;

static const flavour PUTTY = {"putty", &ss_putty_root};
static const flavour KITTY = {"kitty", &ss_kitty_root};

enum { V_MIN, V_SECS, V_TCP, NVALS };
static const char *const VALUE_NAMES[NVALS] = {"PingInterval", "PingIntervalSecs", "TCPKeepalives"};

/* Default Settings is PuTTY's template for new sessions: where a store
 * has sessions but no Default Settings, new sessions get the compiled-in
 * defaults. It is a scope all the same, and apply and export write it. */
#define DEFAULT_KEY "Default%20Settings"

static const char HEX[] = "0123456789ABCDEF";

/* --- names --- */

/* Whether PuTTY writes byte c of a key name as %XX (`first`: the name's first). */
static int escaped(unsigned char c, int first)
{
	return c == ' ' || c == '\\' || c == '*' || c == '?' || c == '%' || c < ' ' || c > '~' ||
	       (c == '.' && first);
}

int ss_putty_escape_name(const char *name, ss_buf *out)
{
	int candot = 0;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		int r;
		if (escaped(*c, !candot)) {
			char s[3] = {'%', HEX[*c >> 4], HEX[*c & 15]};
			r = ss_buf_add(out, s, 3);
		} else {
			r = ss_buf_addc(out, (char)*c);
		}
		if (r < 0)
			return -1;
		candot = 1;
	}
	return 0;
}

int ss_putty_unescape_name(const char *s, size_t len, ss_buf *out)
{
	/* Windows and Unix PuTTY and KiTTY decode names the same way. */
	return ss_storage_unescape(s, len, out);
}

/* --- policy --- */

static int check_policy(const char *what, const ss_policy *p, ss_diag *d)
{
	if (p->interval == SS_UNSET)
		return ss_diag_set(d, what, 0, 0, "no interval given: expected --interval N");
	if (p->interval < 0 || p->interval > INT_MAX)
		return ss_diag_set(d, what, 0, 0,
				   "interval %ld is out of range: expected 0 to %d "
				   "seconds",
				   p->interval, INT_MAX);
	return 0;
}

/* The values a policy wants, and how many of them (TCPKeepalives only
 * when asked for). */
static size_t wanted(const ss_policy *p, uint32_t want[NVALS])
{
	want[V_MIN] = (uint32_t)(p->interval / 60);
	want[V_SECS] = (uint32_t)(p->interval % 60);
	want[V_TCP] = p->tcp_keepalive > 0;
	return p->tcp_keepalive == SS_UNSET ? 2 : 3;
}

/* --- the values of one session, whatever the store --- */

typedef struct found {
	int present;	 /* the client reads a line for it */
	int usable;	 /* ...and it is a number the client takes as meant */
	int counts;	 /* the client uses the value read (not the default) */
	long long value; /* what the client gets (the default when !usable) */
	char *where;	 /* "file:line" */
	size_t line;	 /* to tell which was set last */
	const char *why; /* why it is not usable */
} found;

static void found_free(found f[NVALS])
{
	for (int i = 0; i < NVALS; i++)
		free(f[i].where);
}

/* Why PuTTY does not take a value as meant. */
static const char *why_unusable(const ss_svalue *v)
{
	switch (v->type) {
	case SS_STYPE_STRING:
		return "is a string, not a dword";
	case SS_STYPE_TEXT:
		return "is not a plain decimal number";
	default:
		return "is not a dword";
	}
}

/* Unix PuTTY's atoi: glibc's is (int)strtol(s, NULL, 10), and long has
 * 64 bits there: "4294967296" is 0, "99999999999" 1215752191 (KiTTY's,
 * on Windows, stops at LONG_MAX: the storage's value). */
static long long unix_atoi(const char *text)
{
	uint32_t u = (uint32_t)(unsigned long long)strtoll(text, NULL, 10);
	return u > INT32_MAX ? (long long)u - 0x100000000LL : (long long)u;
}

/* What PuTTY reads for the three values of session s: a DWORD in the
 * registry, atoi of the text in a session file (`unix_text`: Unix PuTTY's). */
static int read_found(ss_storage *st, size_t s, int unix_text, found f[NVALS], ss_diag *d)
{
	ss_svalue v[NVALS];
	memset(f, 0, NVALS * sizeof(*f));
	if (ss_storage_get_many(st, s, VALUE_NAMES, NVALS, v, d) < 0)
		return -1;
	for (int i = 0; i < NVALS; i++) {
		if (!v[i].present)
			continue;
		f[i].present = 1;
		f[i].line = v[i].order;
		f[i].where = v[i].where;
		v[i].where = NULL;
		f[i].counts = v[i].is_int;
		f[i].usable = v[i].is_int && v[i].plain;
		/* PuTTY keeps the value in an int. */
		f[i].value = !v[i].is_int ? 0
			     : unix_text && v[i].type == SS_STYPE_TEXT && v[i].text
				 ? unix_atoi(v[i].text)
				 : v[i].ival;
		f[i].why = why_unusable(&v[i]);
		ss_svalue_free(&v[i]);
	}
	return 0;
}

/* settings.c: `pingmin * 60 + pingsec` in an int. It wraps as PuTTY's
 * compilers build it (two's complement, 32 bits): PingInterval=35791395
 * is -2147483596 s and 0x7FFFFFFF minutes -60 s, which putty-settings-
 * oracle.exe (PuTTY's own load_settings) prints. */
static long long ping_interval(long long minutes, long long seconds)
{
	uint32_t sum = (uint32_t)minutes * 60u + (uint32_t)seconds;
	return sum > INT32_MAX ? (long long)sum - 0x100000000LL : (long long)sum;
}

/* Fills a scope from what was found: interval, TCP keepalive, set_at and
 * the reasons that come from the values' types (the engine adds the
 * policy's with ss_scope_judge). */
static int fill_scope(ss_scope *sc, const found f[NVALS])
{
	int r = 0;
	for (int i = 0; i < NVALS; i++)
		if (f[i].present && !f[i].usable)
			r |= ss_scope_reason(sc, "%s at %s %s; PuTTY reads it as %lld",
					     VALUE_NAMES[i], f[i].where, f[i].why, f[i].value);
	long long interval = ping_interval(f[V_MIN].value, f[V_SECS].value);
	if (interval < 0) {
		r |= ss_scope_reason(sc,
				     "PingInterval*60 + PingIntervalSecs is negative (%lld): "
				     "PuTTY sends no keepalives",
				     interval);
		interval = 0;
	}
	sc->interval = interval;
	sc->tcp_keepalive = f[V_TCP].value != 0;
	const found *at = NULL;
	for (int i = V_MIN; i <= V_SECS; i++)
		if (f[i].counts && (!at || f[i].line > at->line))
			at = &f[i];
	if (ss_scope_set_at(sc, at ? at->where : NULL) < 0)
		return -1;
	return r;
}

/* Whether the store lacks the Default Settings that PuTTY would have: a
 * session folder always has one, a .reg export when it holds sessions. */
static int missing_default(const ss_storage *st)
{
	return (ss_storage_dedicated(st) || ss_storage_count(st) > 0) &&
	       ss_storage_find(st, DEFAULT_KEY) == SIZE_MAX;
}

/* --- audit and apply --- */

/* A Default Settings scope for a store that has none: all defaults. */
static int add_default_scope(const flavour *fl, const ss_storage *st, ss_scopes *out, ss_diag *d)
{
	char *file = ss_storage_file_of(st, DEFAULT_KEY);
	ss_scope *sc = file ? ss_scopes_add(out, fl->kind, file, "Default Settings") : NULL;
	free(file);
	if (!sc)
		return ss_diag_oom(d);
	sc->tcp_keepalive = 0;
	return 0;
}

static int has_non_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s > 0x7F)
			return 1;
	return 0;
}

/* The value of an upper-case hex digit as PuTTY writes it, or -1. */
static int upper_hex(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Whether raw[0, len) is a key name as PuTTY writes one: each byte that
 * it escapes as %XX (upper case, no NUL, which would end the name), every
 * other byte as it is. Unescaping and escaping it again gives it back. */
static int written_by_putty(const char *raw, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];
		if (c == '%') {
			int hi = i + 2 < len ? upper_hex(raw[i + 1]) : -1;
			int lo = hi < 0 ? -1 : upper_hex(raw[i + 2]);
			if (lo < 0)
				return 0;
			c = (unsigned char)(hi << 4 | lo);
			if (c == 0 || !escaped(c, i == 0))
				return 0;
			i += 2;
		} else if (escaped(c, i == 0)) {
			return 0;
		}
	}
	return 1;
}

/* unescape then escape, as PuTTY lists a key and then opens the session:
 * *out newly allocated (a copy of a name PuTTY wrote, which is most). */
static int reescape(const char *raw, size_t len, char **out)
{
	if (written_by_putty(raw, len))
		return (*out = ss_strndup(raw, len)) ? 0 : -1;
	ss_buf name = SS_BUF_INIT, esc = SS_BUF_INIT;
	int r = ss_storage_unescape(raw, len, &name) < 0 || ss_buf_grow(&name, 0) < 0 ||
			ss_putty_escape_name(name.data, &esc) < 0 || ss_buf_grow(&esc, 0) < 0
		    ? -1
		    : 0;
	ss_buf_release(&name);
	if (r == 0)
		*out = esc.data;
	else
		ss_buf_release(&esc);
	return r;
}

/* Whether another session of the store could be the key PuTTY opens for
 * a non-ASCII key name read in an unknown ANSI code page: that key starts
 * with the re-escaped ASCII before the first non-ASCII byte (each
 * character maps to its own bytes; an escape cut there is left out). */
static int could_be_read(ss_storage *st, size_t s, const char *raw, int *any)
{
	size_t n = 0;
	while ((unsigned char)raw[n] <= 0x7F)
		n++;
	for (size_t k = n >= 2 ? n - 2 : 0; k < n; k++)
		if (raw[k] == '%')
			n = k;
	char *prefix = NULL;
	if (reescape(raw, n, &prefix) < 0)
		return -1;
	/* Registry keys: ASCII case-insensitive, as PuTTY's key names. */
	int r = ss_storage_has_prefix(st, prefix, s, any);
	free(prefix);
	return r;
}

/* The key PuTTY reads for the session listed from key `raw`: it lists
 * the unescaped name (RegEnumKeyA: in the system's ANSI code page) and
 * loads the key that name escapes to (windows/storage.c, open_settings_r).
 * A key PuTTY did not write ("My Server", ".x", "a%2ab", "café") is
 * another key, or none. 0 with *canon that key; 1 when no key of this
 * store can be it; -2 when it depends on an ANSI code page this store
 * does not have (a non-ASCII name in a file, with a candidate). */
static int putty_reads(ss_storage *st, size_t s, char **canon)
{
	const char *raw = ss_storage_at(st, s)->raw;
	*canon = NULL;
	if (!has_non_ascii(raw))
		return reescape(raw, strlen(raw), canon);
	if (strcmp(ss_storage_backend_name(st), "winreg") == 0) {
		char *ansi = NULL;
		int r = ss_os_ansi_name(raw, &ansi);
		if (r == 0)
			r = reescape(ansi, strlen(ansi), canon);
		free(ansi);
		if (r != -2)
			return r;
	}
	int any = 0;
	if (could_be_read(st, s, raw, &any) < 0)
		return -1;
	return any ? -2 : 1;
}

/* The file Unix PuTTY opens for session `name` (unix/storage.c,
 * make_session_filename: letters, digits and + - . @ _ as they are, any
 * other byte %XX): it lists "a b" and opens a%20b. */
static int unix_file_of(const char *name, char **out)
{
	ss_buf b = SS_BUF_INIT;
	int r = 0;
	for (const unsigned char *c = (const unsigned char *)name; *c && r == 0; c++) {
		if (strchr("+-.@_", *c) || (*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= 'a' && *c <= 'z')) {
			r = ss_buf_addc(&b, (char)*c);
		} else {
			char e[3] = {'%', HEX[*c >> 4], HEX[*c & 15]};
			r = ss_buf_add(&b, e, 3);
		}
	}
	if (r < 0 || ss_buf_grow(&b, 0) < 0) {
		ss_buf_release(&b);
		return -1;
	}
	*out = b.data;
	return 0;
}

/* Which session's values PuTTY gets for session s of a registry store,
 * or of Unix PuTTY's session folder:
 * *from is s for a key PuTTY wrote, another session, or SIZE_MAX for no
 * key (every value its default). 0, -2 when it cannot be told here (with
 * *canon NULL), -1 out of memory. *canon: the key PuTTY opens, if known
 * (NULL also when that is plainly s's own). */
static int reading_from(const flavour *fl, ss_storage *st, size_t s, size_t *from, char **canon)
{
	*from = s;
	*canon = NULL;
	if (!ss_storage_keyed(st)) {
		if (fl != &PUTTY || strcmp(ss_storage_backend_name(st), "sessdir") != 0)
			return 0;
		if (unix_file_of(ss_storage_at(st, s)->name, canon) < 0)
			return -1;
		*from = ss_storage_find(st, *canon);
		return 0;
	}
	/* A key PuTTY wrote is read as it is named: where the store lists
	 * each name once, that is s itself, told without a copy of its name
	 * (10,000 sessions). */
	const char *raw = ss_storage_at(st, s)->raw;
	if (ss_storage_names_once(st) && !has_non_ascii(raw) && written_by_putty(raw, strlen(raw)))
		return 0;
	int r = putty_reads(st, s, canon);
	if (r < 0)
		return r;
	/* Elsewhere a lookup (one for each of 10,000 sessions was a fifth of
	 * an audit's main thread). */
	if (r == 1)
		*from = SIZE_MAX;
	else if (!ss_storage_names_once(st) || strcmp(*canon, ss_storage_at(st, s)->raw) != 0)
		*from = ss_storage_find(st, *canon);
	return 0;
}

/* A session PuTTY lists but reads from no key, or from a key unknown
 * here: never judged or written (the key PuTTY would read is not there). */
static int unread_session(ss_scope *sc, const ss_storage_session *ses, const char *canon,
			  int unknown)
{
	sc->tcp_keepalive = unknown ? SS_UNSET : 0;
	if (unknown) {
		sc->interval = SS_UNKNOWN;
		return ss_scope_reason(
		    sc,
		    "PuTTY lists key %s by its name in the Windows ANSI code "
		    "page and loads the key that name escapes to, never this one; "
		    "which key depends on the code page",
		    ses->raw);
	}
	sc->not_applicable = 1;
	if (canon)
		return ss_scope_reason(
		    sc,
		    "PuTTY lists %s as session \"%s\" but loads that session "
		    "from %s, which does not exist: every setting is its default",
		    ses->raw, ses->name, canon);
	return ss_scope_reason(sc,
			       "PuTTY lists key %s by its name in the Windows ANSI code page "
			       "and loads the key that name escapes to, which this store does "
			       "not have: every setting is its default",
			       ses->raw);
}

static int audit_session(const flavour *fl, ss_storage *st, size_t s, ss_scopes *out, ss_diag *d)
{
	const ss_storage_session *ses = ss_storage_at(st, s);
	ss_scope *sc = ss_scopes_add(out, fl->kind, ses->file, ses->name);
	if (!sc)
		return ss_diag_oom(d);
	size_t from;
	char *canon = NULL;
	int r = reading_from(fl, st, s, &from, &canon);
	if (r == -1)
		return ss_diag_oom(d);
	if (r == -2 || from == SIZE_MAX) {
		r = unread_session(sc, ses, canon, r == -2);
		free(canon);
		return r < 0 ? ss_diag_oom(d) : 0;
	}
	free(canon);
	found f[NVALS];
	int unix_text = fl == &PUTTY && strcmp(ss_storage_backend_name(st), "sessdir") == 0;
	if (read_found(st, from, unix_text, f, d) < 0)
		return -1;
	r = fill_scope(sc, f) < 0 ? ss_diag_oom(d) : 0;
	found_free(f);
	return r;
}

/* The sessions' scopes, made by ss_scopes_make. */
typedef struct session_maker {
	const flavour *fl;
	ss_storage *st;
} session_maker;

static int make_session(void *ctx, void *state, size_t s, ss_scopes *out, ss_diag *d)
{
	(void)state;
	const session_maker *m = ctx;
	return audit_session(m->fl, m->st, s, out, d);
}

static int audit_store(const flavour *fl, ss_storage *st, ss_scopes *out, ss_diag *d)
{
	/* Each scope to the report as it comes (JSON): 10,000 sessions'
	 * scopes never held, their memory the same few pages for each. Not
	 * from the live registry, where a key that vanishes meanwhile fails
	 * the target and its scopes wait for the engine (as WinSCP's). */
	int stream = strcmp(ss_storage_backend_name(st), "winreg") != 0;
	if (missing_default(st) && add_default_scope(fl, st, out, d) < 0)
		return -1;
	/* Many sessions are read on a second thread while this one hands
	 * their scopes on (the report); only that thread reads the store (its
	 * indexes are made when first asked). */
	session_maker sm = {fl, st};
	ss_scope_maker m = {&sm, 0, make_session, NULL, 0, NULL};
	return ss_scopes_make(&m, ss_storage_count(st), stream, out, d);
}

static int audit(const flavour *fl, const char *path, ss_scopes *out, ss_diag *d)
{
	ss_storage *st;
	/* Only the keepalive values are read: a .reg is never held whole. */
	ss_storage_asked a;
	ss_storage_ask(&a, VALUE_NAMES, NVALS); /* NVALS names fit */
	if (ss_storage_open_asked(&st, path, fl->root, NULL, &a, NULL, d) < 0)
		return -1;
	int r = audit_store(fl, st, out, d);
	ss_storage_close(st);
	return r;
}

/* Every session, and a new Default Settings where the store lacks one,
 * gets the wanted values, as PuTTY writes them. */
static int apply_store(const flavour *fl, ss_storage *st, const ss_policy *p, ss_diag *d)
{
	uint32_t want[NVALS];
	size_t nwant = wanted(p, want), def;
	int r = missing_default(st) ? ss_storage_create(st, DEFAULT_KEY, &def, d) : 0;
	for (size_t s = 0; s < ss_storage_count(st) && r == 0; s++) {
		/* Only keys PuTTY reads: another is written as itself (or is not
		 * there, and PuTTY opens that session with its defaults). */
		size_t from;
		char *canon = NULL;
		r = reading_from(fl, st, s, &from, &canon);
		free(canon);
		if (r == -1)
			return ss_diag_oom(d);
		if (r == -2 || from != s) {
			r = 0;
			continue;
		}
		for (size_t i = 0; i < nwant && r == 0; i++)
			r = ss_storage_set_dword(st, s, VALUE_NAMES[i], want[i], d);
	}
	return r == 0 ? ss_storage_commit(st, d) : -1;
}

static int apply(const flavour *fl, const char *path, const ss_policy *p, ss_changeset *cs,
		 ss_diag *d)
{
	if (check_policy(path, p, d) < 0)
		return -1;
	ss_storage *st;
	if (ss_storage_open(&st, path, fl->root, NULL, cs, d) < 0)
		return -1;
	int r = apply_store(fl, st, p, d);
	ss_storage_close(st);
	return r;
}

/* --- export --- */

static int plan_session(const flavour *fl, const char *escaped, size_t len, const ss_policy *p,
			ss_regplan *out, ss_diag *d)
{
	char *path =
	    ss_asprintf("HKEY_CURRENT_USER\\%s\\%.*s", fl->root->regkey, (int)len, escaped);
	if (!path)
		return ss_diag_oom(d);
	ss_regkey *k = ss_regplan_key(out, path);
	free(path);
	uint32_t want[NVALS];
	size_t nwant = wanted(p, want);
	for (size_t i = 0; k && i < nwant; i++)
		if (ss_regkey_set_dword(k, VALUE_NAMES[i], want[i]) < 0)
			k = NULL;
	return k ? 0 : ss_diag_oom(d);
}

static int plan_named(const flavour *fl, const char *name, const ss_policy *p, ss_regplan *out,
		      ss_diag *d)
{
	ss_buf esc = SS_BUF_INIT;
	int r = ss_putty_escape_name(name, &esc) < 0 ? ss_diag_oom(d) : 0;
	if (r == 0)
		r = plan_session(fl, ss_buf_str(&esc), esc.len, p, out, d);
	ss_buf_release(&esc);
	return r;
}

/* The names of the sessions of `from`, escaped as registry key names:
 * from a registry store as they are written there, from a folder
 * re-escaped the Windows way. */
static int source_sessions(const flavour *fl, const char *from, const char *cp, ss_strlist *keys,
			   ss_strlist *names, int *want_default, ss_diag *d)
{
	ss_storage *st;
	if (ss_storage_open(&st, from, fl->root, cp, NULL, d) < 0)
		return -1;
	*want_default = missing_default(st);
	ss_buf b = SS_BUF_INIT;
	int r = 0;
	for (size_t s = 0; s < ss_storage_count(st) && r == 0; s++) {
		const ss_storage_session *ses = ss_storage_at(st, s);
		ss_buf_reset(&b);
		if (ss_strlist_push(names, ses->name) < 0 ||
		    (ss_storage_keyed(st) ? ss_buf_adds(&b, ses->raw)
					  : ss_putty_escape_name(ses->name, &b)) < 0 ||
		    ss_strlist_push(keys, ss_buf_str(&b)) < 0)
			r = ss_diag_oom(d);
	}
	ss_buf_release(&b);
	ss_storage_close(st);
	return r;
}

static int export_plan(const flavour *fl, const char *from, const ss_strlist *sessions,
		       const ss_policy *p, ss_regplan *out, ss_diag *d)
{
	if (check_policy(from ? from : "export", p, d) < 0)
		return -1;
	ss_strlist keys = SS_STRLIST_INIT, names = SS_STRLIST_INIT;
	int want_default = 0;
	int r =
	    from ? source_sessions(fl, from, p->ansi_codepage, &keys, &names, &want_default, d) : 0;
	if (r == 0 && sessions && sessions->n) {
		for (size_t i = 0; i < sessions->n && r == 0; i++) {
			size_t j = 0;
			while (from && j < names.n && strcmp(names.v[j], sessions->v[i]) != 0)
				j++;
			if (from && j == names.n)
				r = ss_diag_set(d, from, 0, 0, "no session named \"%s\"",
						sessions->v[i]);
			else if (from)
				r = plan_session(fl, keys.v[j], strlen(keys.v[j]), p, out, d);
			else
				r = plan_named(fl, sessions->v[i], p, out, d);
		}
	} else if (r == 0) {
		/* Every session of the source, and Default Settings (the template
		 * for new sessions) also where the source has none: the scopes
		 * that audit shows. */
		if (want_default)
			r = plan_named(fl, "Default Settings", p, out, d);
		for (size_t i = 0; i < keys.n && r == 0; i++)
			r = plan_session(fl, keys.v[i], strlen(keys.v[i]), p, out, d);
	}
	ss_strlist_release(&keys);
	ss_strlist_release(&names);
	return r;
}

/* --- the clients --- */

static int looks_like_reg(const char *head, size_t len)
{
	size_t i = 0;
	while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	static const char v5[] = "Windows Registry Editor Version 5.00", v4[] = "REGEDIT4";
	return (len - i >= sizeof(v5) - 1 && memcmp(head + i, v5, sizeof(v5) - 1) == 0) ||
	       (len - i >= sizeof(v4) - 1 && memcmp(head + i, v4, sizeof(v4) - 1) == 0);
}

static int sniff(const flavour *fl, const char *path, const char *head, size_t len)
{
	if (!head) {
		/* A directory: ~/.putty/sessions, ~/.config/putty/sessions,
		 * KiTTY's portable Sessions folder. */
		const char *base = ss_os_base_name(path);
		int sessions = strcasecmp(base, "sessions") == 0;
		int kitty = ss_text_contains_ci(path, strlen(path), "kitty");
		if (fl->root->files == SS_FILES_KITTY)
			return sessions && kitty ? 2 : 0;
		return sessions && !kitty
			   ? (ss_text_contains_ci(path, strlen(path), "putty") ? 2 : 1)
			   : 0;
	}
	if (!looks_like_reg(head, len))
		return 0;
	/* The sessions key with its parent, as regedit spells it. */
	const char *needle = fl->root->files == SS_FILES_KITTY ? "\\9bis.com\\KiTTY\\Sessions"
							       : "\\SimonTatham\\PuTTY\\Sessions";
	if (!ss_text_contains_ci(head, len, needle))
		return 0;
	/* An export that also holds another client's keys is only maybe ours. */
	const char *other = fl->root->files == SS_FILES_KITTY ? "\\SimonTatham\\PuTTY\\Sessions"
							      : "\\9bis.com\\KiTTY\\Sessions";
	return ss_text_contains_ci(head, len, other) ||
		       ss_text_contains_ci(head, len, "\\Martin Prikryl\\")
		   ? 1
		   : 2;
}

static const char *putty_misfit(const char *head, size_t len, int session_file, size_t *offset)
{
	return ss_storage_misfit(PUTTY.root, head, len, session_file, offset);
}

static const char *kitty_misfit(const char *head, size_t len, int session_file, size_t *offset)
{
	return ss_storage_misfit(KITTY.root, head, len, session_file, offset);
}

static int putty_dir_files(const char *dir, ss_strlist *out, ss_diag *d)
{
	return ss_storage_folder_files(PUTTY.root, dir, out, d);
}

static int kitty_dir_files(const char *dir, ss_strlist *out, ss_diag *d)
{
	return ss_storage_folder_files(KITTY.root, dir, out, d);
}

static int putty_audit(const char *path, const ss_query *q, ss_scopes *out, ss_diag *d)
{
	(void)q;
	return audit(&PUTTY, path, out, d);
}

static int kitty_audit(const char *path, const ss_query *q, ss_scopes *out, ss_diag *d)
{
	(void)q;
	return audit(&KITTY, path, out, d);
}

static int putty_apply(const char *path, const ss_policy *p, ss_changeset *cs, ss_diag *d)
{
	return apply(&PUTTY, path, p, cs, d);
}

static int kitty_apply(const char *path, const ss_policy *p, ss_changeset *cs, ss_diag *d)
{
	return apply(&KITTY, path, p, cs, d);
}

static int putty_export(const char *from, const ss_strlist *sessions, const ss_policy *p,
			ss_regplan *out, ss_diag *d)
{
	return export_plan(&PUTTY, from, sessions, p, out, d);
}

static int kitty_export(const char *from, const ss_strlist *sessions, const ss_policy *p,
			ss_regplan *out, ss_diag *d)
{
	return export_plan(&KITTY, from, sessions, p, out, d);
}

static int putty_sniff(const char *path, const char *head, size_t len)
{
	return sniff(&PUTTY, path, head, len);
}

static int kitty_sniff(const char *path, const char *head, size_t len)
{
	return sniff(&KITTY, path, head, len);
}

const ss_client ss_client_putty = {
    .kind = "putty",
    .description = "PuTTY sessions (.reg exports, Unix session directories)",
    .audit = putty_audit,
    .apply = putty_apply,
    .export_plan = putty_export,
    .sniff = putty_sniff,
    .misfit = putty_misfit,
    .dir_files = putty_dir_files,
    .sessions_read = ss_putty_sessions_read,
    .sessions_plan = ss_putty_sessions_plan,
    .sessions_read_plan = ss_putty_sessions_read_plan,
};

const ss_client ss_client_kitty = {
    .kind = "kitty",
    .description = "KiTTY sessions (.reg exports, portable Sessions folders)",
    .audit = kitty_audit,
    .apply = kitty_apply,
    .export_plan = kitty_export,
    .sniff = kitty_sniff,
    .misfit = kitty_misfit,
    .dir_files = kitty_dir_files,
    .sessions_read = ss_kitty_sessions_read,
    .sessions_plan = ss_kitty_sessions_plan,
    .sessions_read_plan = ss_kitty_sessions_read_plan,
};
