/* WinSCP: the keepalive of each site, from WinSCP.ini or a registry export.
 *
 * The rules are WinSCP's own (see include/sshsync/winscp.h): the same
 * evaluation serves both stores, which only differ in how a value is found
 * and whether WinSCP can read it. */
#include "sshsync/winscp.h"

#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sshsync/buf.h"
#include "sshsync/clients.h"
#include "sshsync/regfile.h"
#include "sshsync/text.h"
#include "sshsync/winini.h"
#include "sshsync/os_path.h"

/* The SCP/SFTP keys, the FTP keys, and the protocol that chooses. */
enum { K_TYPE, K_MIN, K_SECS, K_SEC, K_FTYPE, K_FINT, K_PROTO, K_N };

static const char *const key_names[K_N] = {"PingType",	      "PingInterval", "PingIntervalSecs",
					   "PingIntervalSec", "FtpPingType",  "FtpPingInterval",
					   "FSProtocol"};

/* Factory values (TSessionData::DefaultSettings: PingType ptOff,
 * PingInterval 30 s, so 0 minutes and 30 seconds; FtpPingType
 * fptDummyCommand, FtpPingInterval 30; FSProtocol fsSFTP). */
static const long factory[K_N] = {0, 0, 30, 30, 2, 30, 1};

/* --- the rules: which protocol, and what keeps it alive --- */

typedef enum wproto { PROTO_SSH, PROTO_FTP, PROTO_NONE } wproto;

/* TTerminal::InternalTryOpen (Terminal.cpp): FSProtocol 5 opens FTP (FTPS
 * too: that is the Ftps key), 6 WebDAV, 7 S3; any other value SCP/SFTP. */
static wproto protocol_of(long fsprotocol)
{
	if (fsprotocol == 5)
		return PROTO_FTP;
	if (fsprotocol == 6 || fsprotocol == 7)
		return PROTO_NONE;
	return PROTO_SSH;
}

/* FTP (FtpFileSystem.cpp GetOptionVal, FileZilla's CFtpControlSocket::
 * OnTimer): every FtpPingType but 0 turns the engine's keepalive on, a
 * dummy command (PWD, REST 0, TYPE A or TYPE I) once FtpPingInterval whole
 * seconds have passed since the last command, checked by a one-second
 * timer, so that 0 or less means every second. FtpPingType 3 also lists
 * the current directory after more than 4 x FtpPingInterval without a
 * WinSCP operation (TFTPFileSystem::Idle), on top of those commands. */
static long ftp_interval(long type, long seconds)
{
	if (type == 0)
		return 0;
	return seconds > 0 ? seconds : 1;
}

/* The FtpPingType apply leaves: 1, 2 and 3 stay; 0 (off), a value WinSCP
 * cannot read, or one it never writes becomes 2, a dummy command, as
 * WinSCP's own dialog writes it. */
static long ftp_target_type(long current, int readable)
{
	return readable && current >= 1 && current <= 3 ? current : 2;
}

#define INI_SESSIONS "Sessions\\"
#define INI_SESSIONS_LEN (sizeof(INI_SESSIONS) - 1)
#define MUNGED_DEFAULT "Default%20Settings"

/* One keepalive value of a site as the store holds it. */
typedef struct wval {
	int present;  /* the value is there */
	int readable; /* WinSCP reads it as an integer */
	long v;
	char *where;	 /* "file:line" */
	char *shown;	 /* how it looks, for messages: PingType=fast */
	const char *why; /* why WinSCP cannot read it */
} wval;

typedef struct wsite {
	char *name;   /* as WinSCP shows it */
	char *munged; /* as stored: the key or section name after Sessions\ */
	wval k[K_N];
} wsite;

typedef struct wsites {
	wsite *v;
	size_t n;
	size_t cap;
} wsites;

static void wsites_free(wsites *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].munged);
		for (int k = 0; k < K_N; k++) {
			free(s->v[i].k[k].where);
			free(s->v[i].k[k].shown);
		}
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static wsite *wsites_add(wsites *s, const char *munged, size_t len)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		wsite *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	wsite *w = &s->v[s->n];
	memset(w, 0, sizeof(*w));
	w->munged = ss_strndup(munged, len);
	w->name = ss_winscp_unmunge(munged, len);
	if (!w->munged || !w->name) {
		free(w->munged);
		free(w->name);
		return NULL;
	}
	s->n++;
	return w;
}

static int is_default(const wsite *w)
{
	/* TStoredSessionList::Load compares the unmunged name exactly. */
	return strcmp(w->name, SS_WINSCP_DEFAULT_SETTINGS) == 0;
}

/* --- names --- */

static int hexval(char c)
{
	/* PuTTY's unescape_registry_key: c - '0', minus 7 above 9. It is right
	 * for 0-9 and A-F only; lowercase hex decodes to other bytes, and WinSCP
	 * shows those, so sshsync does too. */
	int i = c - '0';
	return i > 9 ? i - 7 : i;
}

char *ss_winscp_unmunge(const char *s, size_t len)
{
	ss_buf raw = SS_BUF_INIT, out = SS_BUF_INIT;
	int r = ss_buf_grow(&raw, len + 1);
	for (size_t i = 0; i < len && r == 0; i++) {
		if (s[i] == '%' && i + 2 < len && s[i + 1] && s[i + 2]) {
			/* Unsigned: a character below '0' gives a negative digit. */
			unsigned byte =
			    ((unsigned)hexval(s[i + 1]) << 4) + (unsigned)hexval(s[i + 2]);
			r = ss_buf_addc(&raw, (char)(unsigned char)byte);
			i += 2;
		} else {
			r = ss_buf_addc(&raw, s[i]);
		}
	}
	const unsigned char *p = (const unsigned char *)ss_buf_str(&raw);
	size_t n = raw.len, i = 0;
	int utf8 = n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF;
	if (utf8)
		i = 3;
	for (; i < n && r == 0;) {
		uint32_t cp;
		size_t l =
		    (utf8 && p[i] >= 0x80) ? ss_utf8_decode(p + i, n - i, &cp, 0) : (p[i] < 0x80);
		if (l && p[i] >= 0x20 && p[i] != 0x7F) {
			r = ss_buf_add(&out, p + i, l);
			i += l;
		} else {
			r = ss_buf_addf(&out, "%%%02X", p[i]);
			i++;
		}
	}
	ss_buf_release(&raw);
	if (r < 0) {
		ss_buf_release(&out);
		return NULL;
	}
	return ss_buf_detach(&out, NULL);
}

char *ss_winscp_munge(const char *name)
{
	ss_buf out = SS_BUF_INIT;
	int r = 0, wide = 0;
	for (const char *c = name; *c; c++)
		wide |= (unsigned char)*c >= 0x80;
	if (wide)
		r = ss_buf_adds(&out, "%EF%BB%BF");
	for (const unsigned char *c = (const unsigned char *)name; *c && r == 0; c++) {
		int esc = *c == ' ' || *c == '\\' || *c == '*' || *c == '?' || *c == '%' ||
			  *c < ' ' || *c > '~' || (*c == '.' && c == (const unsigned char *)name);
		r = esc ? ss_buf_addf(&out, "%%%02X", *c) : ss_buf_addc(&out, (char)*c);
	}
	if (r < 0) {
		ss_buf_release(&out);
		return NULL;
	}
	return ss_buf_detach(&out, NULL);
}

/* --- evaluation, common to both stores --- */

/* The value WinSCP ends up with for key k. */
static long read_value(const wsite *w, int k)
{
	return w->k[k].present && w->k[k].readable ? w->k[k].v : factory[k];
}

static int reason_unreadable(ss_scope *sc, const wval *v, int k)
{
	return ss_scope_reason(sc, "%s at %s %s: WinSCP ignores it and uses the default %ld",
			       v->shown, v->where, v->why, factory[k]);
}

/* Reasons for the keys from..to (inclusive) that WinSCP cannot read. */
static int reasons_unreadable(const wsite *w, ss_scope *sc, int from, int to)
{
	int r = 0;
	for (int k = from; k <= to; k++)
		if (w->k[k].present && !w->k[k].readable)
			r |= reason_unreadable(sc, &w->k[k], k);
	return r;
}

/* SCP/SFTP: PingType, and the interval in minutes and seconds. */
static int evaluate_ssh(const wsite *w, ss_scope *sc)
{
	int r = reasons_unreadable(w, sc, K_TYPE, K_SEC);
	const wval *secs_from = &w->k[K_SECS];
	long secs = -1;
	if (w->k[K_SECS].present && w->k[K_SECS].readable)
		secs = w->k[K_SECS].v;
	if (secs < 0) {
		/* ReadInteger("PingIntervalSecs", -1) < 0: the obsolete key, or 30. */
		secs_from = &w->k[K_SEC];
		secs = read_value(w, K_SEC);
	}
	/* 64 bits wherever long has 32 (Windows): INT_MAX minutes fit. */
	long long interval = (long long)read_value(w, K_MIN) * 60 + secs;
	if (interval == 0)
		interval = 30;
	long type = read_value(w, K_TYPE);

	const wval *set_at = NULL;
	if (w->k[K_MIN].present && w->k[K_MIN].readable)
		set_at = &w->k[K_MIN];
	else if (secs_from->present && secs_from->readable)
		set_at = secs_from;

	if (type == 0) {
		sc->interval = 0;
		const wval *t = &w->k[K_TYPE];
		if (set_at)
			r |= ss_scope_reason(sc,
					     "%s at %s sets an interval, but PingType is 0%s%s: "
					     "WinSCP sends no keepalives",
					     set_at->shown, set_at->where,
					     t->present && t->readable ? " at " : " (the default)",
					     t->present && t->readable ? t->where : "");
		set_at = t->present && t->readable ? t : NULL;
	} else {
		sc->interval = interval;
		if (type != 1 && type != 2)
			r |= ss_scope_reason(sc,
					     "%s at %s is not 0, 1 or 2: WinSCP sends null "
					     "packets, but writes no such value",
					     w->k[K_TYPE].shown, w->k[K_TYPE].where);
		if (interval < 0)
			r |= ss_scope_reason(sc,
					     "interval %llds (PingInterval*60 + "
					     "PingIntervalSecs) is negative",
					     interval);
		if (!set_at)
			set_at = &w->k[K_TYPE];
	}
	if (set_at && ss_scope_set_at(sc, set_at->where) < 0)
		return -1;
	return r;
}

/* FTP and FTPS: FtpPingType and FtpPingInterval (seconds). */
static int evaluate_ftp(const wsite *w, ss_scope *sc)
{
	int r = reasons_unreadable(w, sc, K_FTYPE, K_FINT);
	const wval *t = &w->k[K_FTYPE], *iv = &w->k[K_FINT];
	long type = read_value(w, K_FTYPE);
	sc->interval = ftp_interval(type, read_value(w, K_FINT));
	const wval *set_at = iv->present && iv->readable ? iv : NULL;
	if (type == 0) {
		if (set_at)
			r |= ss_scope_reason(
			    sc,
			    "%s at %s sets an interval, but FtpPingType is 0 at %s: "
			    "WinSCP sends no keepalives",
			    iv->shown, iv->where, t->where);
		set_at = t;
	} else if (type < 1 || type > 3) {
		r |=
		    ss_scope_reason(sc,
				    "%s at %s is not 0, 1, 2 or 3: WinSCP's FTP engine sends dummy "
				    "commands, but WinSCP writes no such value",
				    t->shown, t->where);
	}
	if (!set_at && t->present && t->readable)
		set_at = t;
	if (set_at && ss_scope_set_at(sc, set_at->where) < 0)
		return -1;
	return r;
}

/* WebDAV and S3: WinSCP has no keepalive for them. */
static int evaluate_none(const wsite *w, ss_scope *sc)
{
	long proto = read_value(w, K_PROTO);
	sc->not_applicable = 1;
	sc->interval = SS_UNSET;
	return ss_scope_reason(sc, "%s at %s: WinSCP has no keepalive for %s sites",
			       w->k[K_PROTO].shown, w->k[K_PROTO].where,
			       proto == 6 ? "WebDAV" : "S3");
}

/* Fills the scope's interval and set_at, and the reasons that come from
 * the values themselves (the policy's are added by ss_scope_judge), by the
 * site's protocol. */
static int evaluate(const wsite *w, ss_scope *sc)
{
	int r = reasons_unreadable(w, sc, K_PROTO, K_PROTO);
	switch (protocol_of(read_value(w, K_PROTO))) {
	case PROTO_FTP:
		return r | evaluate_ftp(w, sc);
	case PROTO_NONE:
		return r | evaluate_none(w, sc);
	default:
		return r | evaluate_ssh(w, sc);
	}
}

/* A site stored as Default%20Settings in another case: WinSCP loads it as
 * a site (TStoredSessionList::Load compares names exactly), but both
 * TMemIniFile and the registry compare section and key names ignoring case,
 * so Default Settings saved by WinSCP or sshsync would land in that site's
 * section. NULL when there is none. */
static const wsite *shadowing_default(const wsites *s)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (!is_default(&s->v[i]) && strcasecmp(s->v[i].munged, MUNGED_DEFAULT) == 0)
			return &s->v[i];
	return NULL;
}

static int audit_sites(const char *path, const wsites *s, int have_default, ss_scopes *out,
		       ss_diag *d)
{
	if (!have_default) {
		/* No Default Settings stored: new sites get the factory values. */
		ss_scope *sc = ss_scopes_add(out, "winscp", path, SS_WINSCP_DEFAULT_SETTINGS);
		if (!sc)
			return ss_diag_oom(d);
		const wsite *shadow = shadowing_default(s);
		if (shadow && ss_scope_reason(sc,
					      "the site \"%s\" is stored where Default Settings "
					      "would be (names of sections and keys ignore case): "
					      "WinSCP cannot keep Default Settings apart from it, "
					      "and sshsync writes none; rename that site",
					      shadow->name) < 0)
			return ss_diag_oom(d);
	}
	for (size_t i = 0; i < s->n; i++) {
		ss_scope *sc = ss_scopes_add(out, "winscp", path, s->v[i].name);
		if (!sc || evaluate(&s->v[i], sc) < 0)
			return ss_diag_oom(d);
	}
	return 0;
}

/* The PingType a site gets: 1, an existing 2 kept, or what policy says. */
static long target_type(const ss_policy *p, long current)
{
	if (p->winscp_ping == SS_PING_NULL)
		return 1;
	if (p->winscp_ping == SS_PING_DUMMY)
		return 2;
	return current == 2 ? 2 : 1;
}

static int check_interval(const char *path, const ss_policy *p, ss_diag *d)
{
	if (p->interval == SS_UNSET || p->interval < 1 || p->interval > 86400L * 24)
		return ss_diag_set(d, path, 0, 0,
				   "WinSCP needs an interval from 1 second to "
				   "24 days (PingInterval is in minutes)");
	return 0;
}

/* --- WinSCP.ini --- */

static int ini_is_site(const ss_winini *ini, size_t i, const char **munged, size_t *len)
{
	const ss_winini_section *s = &ini->sections[i];
	const char *name = ss_winini_section_name(ini, i);
	if (s->name_len <= INI_SESSIONS_LEN || strncasecmp(name, INI_SESSIONS, INI_SESSIONS_LEN))
		return 0;
	/* Deeper sections are subkeys of a site, not sites. */
	if (memchr(name + INI_SESSIONS_LEN, '\\', s->name_len - INI_SESSIONS_LEN))
		return 0;
	*munged = name + INI_SESSIONS_LEN;
	*len = s->name_len - INI_SESSIONS_LEN;
	return 1;
}

static int ini_key_index(const ss_winini *ini, const ss_winini_key *k)
{
	/* Cheap test first: every key of the table starts with P or F. */
	char c = (char)(ss_winini_key_name(ini, k)[0] | 0x20);
	if (k->name_len < 8 || (c != 'p' && c != 'f'))
		return -1;
	for (int i = 0; i < K_N; i++)
		if (ss_winini_key_is(ini, k, key_names[i]))
			return i;
	return -1;
}

/* The first occurrence of each keepalive key in a section (what
 * TMemIniFile reads), in one pass. */
static void ini_first_keys(const ss_winini *ini, size_t section, ss_winini_key *found, int *have)
{
	size_t cursor = 0;
	ss_winini_key k;
	memset(have, 0, K_N * sizeof(*have));
	while (ss_winini_next_key(ini, section, &cursor, &k)) {
		int i = ini_key_index(ini, &k);
		if (i >= 0 && !have[i]) {
			have[i] = 1;
			found[i] = k;
		}
	}
}

static int ini_fill_value(const ss_winini *ini, const ss_winini_key *k, wval *v)
{
	const char *val = ss_winini_key_value(ini, k);
	v->present = 1;
	v->readable = ss_winini_parse_int(val, k->value_len, &v->v) == 0;
	v->why = k->value_len ? "is not an integer" : "is empty";
	v->where = ss_text_where(ini->text, k->name_start);
	/* Messages quote at most a screenful of a value. */
	int shown = k->value_len > 40 ? 40 : (int)k->value_len;
	v->shown = ss_asprintf("%.*s=%.*s%s", (int)k->name_len, ss_winini_key_name(ini, k), shown,
			       val, k->value_len > 40 ? "..." : "");
	return v->where && v->shown ? 0 : -1;
}

static int ini_sites(const ss_winini *ini, wsites *out, int *have_default, ss_diag *d)
{
	*have_default = 0;
	for (size_t i = 0; i < ini->nsections; i++) {
		const char *munged;
		size_t len;
		if (ini->sections[i].first_of != i || !ini_is_site(ini, i, &munged, &len))
			continue;
		wsite *w = wsites_add(out, munged, len);
		if (!w)
			return ss_diag_oom(d);
		*have_default |= is_default(w);
		ss_winini_key found[K_N];
		int have[K_N];
		ini_first_keys(ini, i, found, have);
		for (int k = 0; k < K_N; k++)
			if (have[k] && ini_fill_value(ini, &found[k], &w->k[k]) < 0)
				return ss_diag_oom(d);
	}
	return 0;
}

/* The value WinSCP reads for key k from a site's first section. */
static long ini_read(const ss_winini *ini, size_t first, int k)
{
	ss_winini_key key;
	long v;
	if (!ss_winini_find_key(ini, first, key_names[k], &key) ||
	    ss_winini_parse_int(ss_winini_key_value(ini, &key), key.value_len, &v) < 0)
		return factory[k];
	return v;
}

typedef struct targets {
	char text[3][24];
	long value[3];
} targets;

static void set_targets(targets *tg, long type, long interval)
{
	tg->value[K_TYPE] = type;
	tg->value[K_MIN] = interval / 60;
	tg->value[K_SECS] = interval % 60;
	for (int k = 0; k < 3; k++)
		snprintf(tg->text[k], sizeof(tg->text[k]), "%ld", tg->value[k]);
}

/* Edits one SCP/SFTP section (the site's first, or a later duplicate that
 * WinSCP may read instead): every keepalive value gets the target, the
 * obsolete key goes, and the first section gets the keys it lacks. */
static int ini_fix_ssh(const ss_winini *ini, ss_edits *e, size_t i, const ss_policy *p, ss_diag *d)
{
	const ss_winini_section *s = &ini->sections[i];
	ss_winini_key found[K_N], k;
	int have[K_N];
	ini_first_keys(ini, i, found, have);
	long current = factory[K_TYPE];
	if (s->first_of != i)
		current = ini_read(ini, s->first_of, K_TYPE);
	else if (have[K_TYPE] && ss_winini_parse_int(ss_winini_key_value(ini, &found[K_TYPE]),
						     found[K_TYPE].value_len, &current) < 0)
		current = factory[K_TYPE];
	targets tg;
	set_targets(&tg, target_type(p, current), p->interval);

	size_t cursor = 0;
	while (ss_winini_next_key(ini, i, &cursor, &k)) {
		int ki = ini_key_index(ini, &k);
		if (ki < 0 || ki > K_SEC)
			continue;
		if (ki == K_SEC) {
			if (ss_winini_delete_key(ini, e, &k, d) < 0)
				return -1;
			continue;
		}
		long v;
		/* A value WinSCP already reads as the target stays as written. */
		if (ss_winini_parse_int(ss_winini_key_value(ini, &k), k.value_len, &v) == 0 &&
		    v == tg.value[ki])
			continue;
		if (ss_winini_set_value(ini, e, &k, tg.text[ki], d) < 0)
			return -1;
	}
	if (s->first_of != i)
		return 0;
	ss_winini_kv add[3];
	size_t n = 0;
	for (int ki = 0; ki < 3; ki++)
		if (!have[ki])
			add[n++] = (ss_winini_kv){key_names[ki], tg.text[ki]};
	return n ? ss_winini_insert_keys(ini, e, i, add, n, d) : 0;
}

/* Edits one FTP section: FtpPingInterval gets the interval (added to the
 * first section when missing), an FtpPingType that is off or unreadable
 * becomes 2. */
static int ini_fix_ftp(const ss_winini *ini, ss_edits *e, size_t i, const ss_policy *p, ss_diag *d)
{
	char text[24];
	int have_interval = 0;
	size_t cursor = 0;
	ss_winini_key k;
	while (ss_winini_next_key(ini, i, &cursor, &k)) {
		int ki = ini_key_index(ini, &k);
		if (ki != K_FTYPE && ki != K_FINT)
			continue;
		long v;
		int ok = ss_winini_parse_int(ss_winini_key_value(ini, &k), k.value_len, &v) == 0;
		long want = ki == K_FINT ? p->interval : ftp_target_type(v, ok);
		have_interval |= ki == K_FINT;
		if (ok && v == want)
			continue;
		snprintf(text, sizeof(text), "%ld", want);
		if (ss_winini_set_value(ini, e, &k, text, d) < 0)
			return -1;
	}
	if (ini->sections[i].first_of != i || have_interval)
		return 0;
	snprintf(text, sizeof(text), "%ld", p->interval);
	ss_winini_kv add = {key_names[K_FINT], text};
	return ss_winini_insert_keys(ini, e, i, &add, 1, d);
}

/* One section of a site, by the protocol its first section names. */
static int ini_fix_section(const ss_winini *ini, ss_edits *e, size_t i, const ss_policy *p,
			   ss_diag *d)
{
	switch (protocol_of(ini_read(ini, ini->sections[i].first_of, K_PROTO))) {
	case PROTO_FTP:
		return ini_fix_ftp(ini, e, i, p, d);
	case PROTO_NONE:
		return 0;
	default:
		return ini_fix_ssh(ini, e, i, p, d);
	}
}

static int ini_apply(ss_change *c, const ss_policy *p, ss_diag *d)
{
	ss_winini ini;
	if (ss_winini_parse(&ini, c->text, d) < 0)
		return -1;
	int have_default = 0, r = 0;
	for (size_t i = 0; i < ini.nsections && r == 0; i++) {
		const char *munged;
		size_t len;
		if (!ini_is_site(&ini, i, &munged, &len))
			continue;
		/* Only a name as long as Default%20Settings (or longer, with
		 * more escapes) can unmunge to it. */
		if (ini.sections[i].first_of == i && !have_default && len >= 16) {
			char *name = ss_winscp_unmunge(munged, len);
			if (!name) {
				r = ss_diag_oom(d);
				break;
			}
			have_default = strcmp(name, SS_WINSCP_DEFAULT_SETTINGS) == 0;
			free(name);
		}
		r = ini_fix_section(&ini, &c->edits, i, p, d);
	}
	/* TMemIniFile finds sections ignoring case: a new
	 * [Sessions\Default%20Settings] would be read as part of a site's
	 * [Sessions\Default%20settings], so there is nowhere to add it. */
	if (!have_default && ss_winini_find_section(&ini, INI_SESSIONS MUNGED_DEFAULT,
						    sizeof(INI_SESSIONS MUNGED_DEFAULT) - 1) >= 0)
		have_default = 1;
	if (r == 0 && !have_default) {
		targets tg;
		set_targets(&tg, target_type(p, factory[K_TYPE]), p->interval);
		ss_winini_kv add[3];
		for (int k = 0; k < 3; k++)
			add[k] = (ss_winini_kv){key_names[k], tg.text[k]};
		r = ss_winini_append_section(&ini, &c->edits, INI_SESSIONS MUNGED_DEFAULT, add, 3,
					     d);
	}
	ss_winini_free(&ini);
	return r;
}

/* --- export --- */

/* The values of one site's key; `obsolete` adds the deletion of
 * PingIntervalSec (pointless in a key that sshsync creates). */
static int plan_key(ss_regplan *out, const char *munged, long current_type, const ss_policy *p,
		    int obsolete, ss_diag *d)
{
	char *path = ss_asprintf("%s\\%s", SS_WINSCP_SESSIONS, munged);
	if (!path)
		return ss_diag_oom(d);
	ss_regkey *k = ss_regplan_key(out, path);
	free(path);
	targets tg;
	set_targets(&tg, target_type(p, current_type), p->interval);
	if (!k || ss_regkey_set_dword(k, key_names[K_TYPE], (uint32_t)tg.value[K_TYPE]) < 0 ||
	    ss_regkey_set_dword(k, key_names[K_MIN], (uint32_t)tg.value[K_MIN]) < 0 ||
	    ss_regkey_set_dword(k, key_names[K_SECS], (uint32_t)tg.value[K_SECS]) < 0 ||
	    (obsolete && ss_regkey_delete_value(k, key_names[K_SEC]) < 0))
		return ss_diag_oom(d);
	return 0;
}

/* An FTP site's key: FtpPingInterval, and FtpPingType where it is off. */
static int plan_ftp(ss_regplan *out, const char *munged, const wsite *w, const ss_policy *p,
		    ss_diag *d)
{
	char *path = ss_asprintf("%s\\%s", SS_WINSCP_SESSIONS, munged);
	if (!path)
		return ss_diag_oom(d);
	ss_regkey *k = ss_regplan_key(out, path);
	free(path);
	const wval *t = &w->k[K_FTYPE];
	long type = read_value(w, K_FTYPE);
	long want = ftp_target_type(type, !t->present || t->readable);
	if (!k || ss_regkey_set_dword(k, key_names[K_FINT], (uint32_t)p->interval) < 0 ||
	    ((want != type || (t->present && !t->readable)) &&
	     ss_regkey_set_dword(k, key_names[K_FTYPE], (uint32_t)want) < 0))
		return ss_diag_oom(d);
	return 0;
}

/* A site's key by its protocol (a site not in the source is SFTP's). */
static int plan_site(ss_regplan *out, const char *munged, const wsite *w, const ss_policy *p,
		     ss_diag *d)
{
	switch (protocol_of(w ? read_value(w, K_PROTO) : factory[K_PROTO])) {
	case PROTO_FTP:
		return plan_ftp(out, munged, w, p, d);
	case PROTO_NONE:
		return 0;
	default:
		return plan_key(out, munged, w ? read_value(w, K_TYPE) : factory[K_TYPE], p, 1, d);
	}
}

static const wsite *find_site(const wsites *s, const char *name)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

static int plan_sites(const wsites *s, int have_default, const ss_strlist *sessions,
		      const ss_policy *p, ss_regplan *out, ss_diag *d)
{
	if (sessions && sessions->n) {
		for (size_t i = 0; i < sessions->n; i++) {
			const wsite *w = find_site(s, sessions->v[i]);
			char *munged = ss_winscp_munge(sessions->v[i]);
			if (!munged)
				return ss_diag_oom(d);
			int r = plan_site(out, munged, w, p, d);
			free(munged);
			if (r < 0)
				return -1;
		}
		return 0;
	}
	if (!have_default && !shadowing_default(s) &&
	    plan_site(out, MUNGED_DEFAULT, NULL, p, d) < 0)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		if (plan_site(out, s->v[i].munged, &s->v[i], p, d) < 0)
			return -1;
	return 0;
}

/* --- registry exports --- */

#define REG_SESSIONS SS_WINSCP_SESSIONS "\\"
#define REG_SESSIONS_LEN (sizeof(REG_SESSIONS) - 1)

/* Whether block b is the first block of a site's key that the import
 * leaves standing (its last block is not a [-KEY]); *munged is the key
 * name after Sessions\. */
static int reg_is_site(const ss_regfile *rf, size_t b, const char **munged, size_t *len)
{
	const ss_regblock *k = &rf->blocks[b];
	if (k->path_len <= REG_SESSIONS_LEN ||
	    strncasecmp(k->path, REG_SESSIONS, REG_SESSIONS_LEN) != 0 ||
	    memchr(k->path + REG_SESSIONS_LEN, '\\', k->path_len - REG_SESSIONS_LEN) ||
	    ss_regfile_find_key(rf, k->path, k->path_len) != b)
		return 0;
	size_t last = b;
	while (rf->blocks[last].next_same != SS_REGFILE_NONE)
		last = rf->blocks[last].next_same;
	if (rf->blocks[last].deleted)
		return 0;
	*munged = k->path + REG_SESSIONS_LEN;
	*len = k->path_len - REG_SESSIONS_LEN;
	return 1;
}

static size_t reg_last_block(const ss_regfile *rf, size_t b)
{
	while (rf->blocks[b].next_same != SS_REGFILE_NONE)
		b = rf->blocks[b].next_same;
	return b;
}

static int reg_fill_value(const ss_regfile *rf, const ss_regvalue *v, int k, wval *w)
{
	const ss_text *t = rf->text;
	w->present = 1;
	w->readable = v->type == SS_REG_DWORD;
	w->v = (long)(int32_t)v->dword;
	/* TRegistry.ReadInteger wants REG_DWORD and raises on anything else;
	 * WinSCP catches that and keeps the default. */
	w->why = v->type == SS_REG_SZ ? "is a string, not a dword" : "is not a dword";
	w->where = ss_text_where(t, t->lines[v->line].start);
	size_t len = v->data_end - v->data_start;
	int shown = len > 40 ? 40 : (int)len;
	w->shown = ss_asprintf("\"%s\"=%.*s%s", key_names[k], shown, t->data + v->data_start,
			       len > 40 ? "..." : "");
	return w->where && w->shown ? 0 : -1;
}

static int reg_sites(const ss_regfile *rf, const char *codepage, wsites *out, int *have_default,
		     ss_diag *d)
{
	*have_default = 0;
	for (size_t b = 0; b < rf->nblocks; b++) {
		const char *munged;
		size_t len;
		if (!reg_is_site(rf, b, &munged, &len))
			continue;
		/* A .reg file without the UTF-16 byte order mark is ANSI
		 * (Windows-1252) for regedit: the name as UTF-8. */
		ss_buf utf8 = SS_BUF_INIT;
		if (rf->text->enc == SS_ENC_BYTES) {
			int c = ss_ansi_to_utf8(codepage, munged, len, &utf8);
			if (c == -1) {
				ss_buf_release(&utf8);
				return ss_diag_oom(d);
			}
			if (c == 0) { /* else nothing in that code page: as it is */
				munged = ss_buf_str(&utf8);
				len = utf8.len;
			}
		}
		wsite *w = wsites_add(out, munged, len);
		ss_buf_release(&utf8);
		char *path = ss_strndup(rf->blocks[b].path, rf->blocks[b].path_len);
		if (!w || !path) {
			free(path);
			return ss_diag_oom(d);
		}
		*have_default |= is_default(w);
		int r = 0;
		for (int k = 0; k < K_N && r == 0; k++) {
			ss_regvalue v;
			if (ss_regfile_lookup(rf, path, key_names[k], &v))
				r = reg_fill_value(rf, &v, k, &w->k[k]);
		}
		free(path);
		if (r < 0)
			return ss_diag_oom(d);
	}
	return 0;
}

static int reg_parse(ss_regfile *rf, const ss_text *t, ss_diag *d)
{
	return ss_regfile_parse(rf, t, d);
}

static int reg_key_index(const ss_regfile *rf, const ss_regvalue *v)
{
	for (int k = 0; k < K_N; k++)
		if (ss_regfile_value_name_is(rf, v, key_names[k]))
			return k;
	return -1;
}

/* Every line of the site's blocks that names a keepalive value gets the
 * target (an import applies them in order; the last must be right, and
 * the others then are too); the obsolete value goes; what the import
 * would leave unset is added to the last block. */
static int reg_fix_ssh(const ss_regfile *rf, ss_edits *e, size_t first, const char *path,
		       const ss_policy *p)
{
	ss_regvalue v;
	long current = factory[K_TYPE];
	if (ss_regfile_lookup(rf, path, key_names[K_TYPE], &v) && v.type == SS_REG_DWORD)
		current = (long)(int32_t)v.dword;
	targets tg;
	set_targets(&tg, target_type(p, current), p->interval);
	int r = 0;
	for (size_t b = first; b != SS_REGFILE_NONE && r == 0; b = rf->blocks[b].next_same) {
		size_t cursor = 0;
		while (r == 0 && ss_regfile_next_value(rf, b, &cursor, &v)) {
			int k = reg_key_index(rf, &v);
			if (k < 0 || k > K_SEC)
				continue;
			if (k == K_SEC) {
				/* A "PingIntervalSec"=- line already deletes it. */
				if (v.type != SS_REG_DELETE)
					r = ss_regfile_delete_value(rf, e, &v);
			} else if (v.type != SS_REG_DWORD || v.dword != (uint32_t)tg.value[k]) {
				r = ss_regfile_set_dword(rf, e, &v, (uint32_t)tg.value[k]);
			}
		}
	}
	size_t last = reg_last_block(rf, first);
	for (int k = 0; k < 3 && r == 0; k++) {
		if (ss_regfile_lookup(rf, path, key_names[k], &v))
			continue;
		r = ss_regfile_insert_dword(rf, e, last, key_names[k], (uint32_t)tg.value[k]);
	}
	return r;
}

/* An FTP site: every FtpPingInterval line gets the interval (added to the
 * last block when the import would leave none), an FtpPingType that is off
 * or not a dword becomes 2. */
static int reg_fix_ftp(const ss_regfile *rf, ss_edits *e, size_t first, const char *path,
		       const ss_policy *p)
{
	ss_regvalue v;
	int r = 0;
	for (size_t b = first; b != SS_REGFILE_NONE && r == 0; b = rf->blocks[b].next_same) {
		size_t cursor = 0;
		while (r == 0 && ss_regfile_next_value(rf, b, &cursor, &v)) {
			int k = reg_key_index(rf, &v);
			if ((k != K_FTYPE && k != K_FINT) || v.type == SS_REG_DELETE)
				continue;
			int ok = v.type == SS_REG_DWORD;
			long current = (long)(int32_t)v.dword;
			long want = k == K_FINT ? p->interval : ftp_target_type(current, ok);
			if (!ok || current != want)
				r = ss_regfile_set_dword(rf, e, &v, (uint32_t)want);
		}
	}
	if (r == 0 && !ss_regfile_lookup(rf, path, key_names[K_FINT], &v))
		r = ss_regfile_insert_dword(rf, e, reg_last_block(rf, first), key_names[K_FINT],
					    (uint32_t)p->interval);
	return r;
}

/* One site, by the protocol the import leaves in its key. */
static int reg_fix_site(const ss_regfile *rf, ss_edits *e, size_t first, const ss_policy *p,
			ss_diag *d)
{
	char *path = ss_strndup(rf->blocks[first].path, rf->blocks[first].path_len);
	if (!path)
		return ss_diag_oom(d);
	ss_regvalue v;
	long proto = factory[K_PROTO];
	if (ss_regfile_lookup(rf, path, key_names[K_PROTO], &v) && v.type == SS_REG_DWORD)
		proto = (long)(int32_t)v.dword;
	int r = 0;
	switch (protocol_of(proto)) {
	case PROTO_FTP:
		r = reg_fix_ftp(rf, e, first, path, p);
		break;
	case PROTO_NONE:
		break;
	default:
		r = reg_fix_ssh(rf, e, first, path, p);
	}
	free(path);
	return r < 0 ? ss_diag_oom(d) : 0;
}

static int reg_apply(ss_change *c, const ss_policy *p, ss_diag *d)
{
	ss_regfile rf;
	if (reg_parse(&rf, c->text, d) < 0)
		return -1;
	int have_default = 0, r = 0;
	for (size_t b = 0; b < rf.nblocks && r == 0; b++) {
		const char *munged;
		size_t len;
		if (!reg_is_site(&rf, b, &munged, &len))
			continue;
		if (!have_default) {
			char *name = ss_winscp_unmunge(munged, len);
			if (!name) {
				r = ss_diag_oom(d);
				break;
			}
			have_default = strcmp(name, SS_WINSCP_DEFAULT_SETTINGS) == 0;
			free(name);
		}
		/* Registry key names ignore case: an import of
		 * ...\Default%20Settings would write into this site's key. */
		if (len == sizeof(MUNGED_DEFAULT) - 1 &&
		    strncasecmp(munged, MUNGED_DEFAULT, len) == 0)
			have_default = 1;
		r = reg_fix_site(&rf, &c->edits, b, p, d);
	}
	if (r == 0 && !have_default) {
		ss_regplan plan = SS_REGPLAN_INIT;
		r = plan_key(&plan, MUNGED_DEFAULT, factory[K_TYPE], p, 0, d);
		if (r == 0)
			r = ss_regfile_append_key(&rf, &c->edits, &plan.v[0], d);
		ss_regplan_free(&plan);
	}
	ss_regfile_free(&rf);
	return r;
}

/* --- the client --- */

/* Whether a file is a registry export rather than an INI file: its first
 * non-blank line is a .reg header. */
static int looks_like_reg(const char *head, size_t len)
{
	size_t i = 0;
	/* A UTF-8 byte order mark is still a .reg file (one that regfile
	 * rejects, as Windows does), not an INI file. */
	if (len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && ((unsigned char)head[i] <= ' '))
		i++;
	const char *v5 = "Windows Registry Editor Version 5.00", *v4 = "REGEDIT4";
	return (len - i >= strlen(v5) && strncmp(head + i, v5, strlen(v5)) == 0) ||
	       (len - i >= strlen(v4) && strncmp(head + i, v4, strlen(v4)) == 0);
}

/* Loads a store: a heap text, and whether it is a registry export. */
static ss_text *load_store(const char *path, int *is_reg, ss_diag *d)
{
	ss_text *t = calloc(1, sizeof(*t));
	if (!t) {
		ss_diag_oom(d);
		return NULL;
	}
	if (ss_text_load(t, path, 0, d) < 0) {
		free(t);
		return NULL;
	}
	*is_reg = looks_like_reg(t->data, t->len);
	return t;
}

/* The sites of either store; the parsed store is not kept, the sites own
 * their strings. */
static int read_sites(const ss_text *t, int reg, const char *codepage, wsites *s, int *have_default,
		      ss_diag *d)
{
	int r;
	if (reg) {
		ss_regfile rf;
		if (reg_parse(&rf, t, d) < 0)
			return -1;
		r = reg_sites(&rf, codepage, s, have_default, d);
		ss_regfile_free(&rf);
	} else {
		ss_winini ini;
		if (ss_winini_parse(&ini, t, d) < 0)
			return -1;
		r = ini_sites(&ini, s, have_default, d);
		ss_winini_free(&ini);
	}
	return r;
}

static void drop_store(ss_text *t)
{
	ss_text_free(t);
	free(t);
}

static int winscp_audit(const char *path, const ss_query *q, ss_scopes *out, ss_diag *d)
{
	(void)q; /* --host and --connection concern OpenSSH */
	int reg;
	ss_text *t = load_store(path, &reg, d);
	if (!t)
		return -1;
	wsites s = {0};
	int have_default;
	int r = read_sites(t, reg, NULL, &s, &have_default, d);
	if (r == 0)
		r = audit_sites(t->path, &s, have_default, out, d);
	wsites_free(&s);
	drop_store(t);
	return r;
}

static int winscp_apply(const char *path, const ss_policy *p, ss_changeset *cs, ss_diag *d)
{
	int reg;
	if (check_interval(path, p, d) < 0)
		return -1;
	ss_text *t = load_store(path, &reg, d);
	if (!t)
		return -1;
	ss_change *c = ss_changeset_add(cs, t); /* owns t from here, also on failure */
	if (!c)
		return ss_diag_oom(d);
	return reg ? reg_apply(c, p, d) : ini_apply(c, p, d);
}

static int winscp_export(const char *from, const ss_strlist *sessions, const ss_policy *p,
			 ss_regplan *out, ss_diag *d)
{
	if (check_interval(from ? from : "export", p, d) < 0)
		return -1;
	if (!from)
		return plan_sites(NULL, 0, sessions, p, out, d);
	int reg;
	ss_text *t = load_store(from, &reg, d);
	if (!t)
		return -1;
	wsites s = {0};
	int have_default;
	int r = read_sites(t, reg, p->ansi_codepage, &s, &have_default, d);
	if (r == 0)
		r = plan_sites(&s, have_default, sessions, p, out, d);
	wsites_free(&s);
	drop_store(t);
	return r;
}

static int contains_ci(const char *head, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (strncasecmp(head + i, needle, n) == 0)
			return 1;
	return 0;
}

static int winscp_sniff(const char *path, const char *head, size_t len)
{
	const char *base = ss_os_base_name(path);
	if (!head)
		return 0; /* WinSCP keeps no settings in directories */
	if (strcasecmp(base, "WinSCP.ini") == 0)
		return 2;
	if (looks_like_reg(head, len))
		return contains_ci(head, len, "\\Martin Prikryl\\WinSCP 2\\") ? 2 : 0;
	if (contains_ci(head, len, "[Sessions\\") || contains_ci(head, len, "[Configuration\\"))
		return 2;
	return 0;
}

static const char *winscp_misfit(const char *head, size_t len, int session_file, size_t *offset)
{
	(void)session_file;
	if (looks_like_reg(head, len))
		return NULL; /* the .reg reader refuses the rest */
	return ss_winini_misfit(head, len, offset);
}

const ss_client ss_client_winscp = {
    .kind = "winscp",
    .description = "WinSCP sites (WinSCP.ini, registry exports)",
    .audit = winscp_audit,
    .apply = winscp_apply,
    .export_plan = winscp_export,
    .sniff = winscp_sniff,
    .misfit = winscp_misfit,
};
