/* WinSCP: the keepalive of each site, from WinSCP.ini or a registry export.
 *
 * The rules are WinSCP's own (see include/sshsync/winscp.h), written once
 * over the storage layer (include/sshsync/storage.h): the stores only
 * differ in how a value is found and whether WinSCP can read it, which
 * the storage reports. */
#include "sshsync/winscp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sshsync/buf.h"
#include "sshsync/clients.h"
#include "sshsync/keyindex.h"
#include "sshsync/os_sys.h"
#include "sshsync/scope_pipe.h"
#include "sshsync/storage.h"
#include "sshsync/text.h"

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

#define MUNGED_DEFAULT "Default%20Settings"

static int unmunge_into(const char *raw, size_t len, ss_buf *out);

/* Where WinSCP keeps its sites: the registry key below HKEY_CURRENT_USER
 * (TRegistryStorage), or the INI sections (TIniFileStorage); a file that
 * is no .reg file is read as WinSCP.ini (TMemIniFile reads anything). */
const ss_storage_root ss_winscp_root = {.regkey = "Software\\Martin Prikryl\\WinSCP 2\\Sessions",
					.section = "Sessions\\",
					.fallback = "winini",
					.unescape = unmunge_into};
#define ROOT ss_winscp_root

/* One keepalive value of a site as the store holds it. */
typedef struct wval {
	int present;  /* the value is there */
	int readable; /* WinSCP reads it as an integer */
	long v;
	const char *why; /* why WinSCP cannot read it */
	/* "file:line" and how it looks (PingType=fast), made from the
	 * site's view of it when a message needs them: most sites need one place or none. The
	 * buffers are kept from one site to the next. */
	ss_buf where, shown;
	int has_where, has_shown;
} wval;

typedef struct wsite {
	wval k[K_N];
	ss_sview views[K_N];  /* as read (no copy); valid until the storage reads again */
	int unreadable;	      /* a value is there that WinSCP cannot read */
	const ss_storage *st; /* read from */
	int oom;	      /* a place or a shown value could not be made */
} wsite;

static void wsite_free(wsite *w)
{
	for (int k = 0; k < K_N; k++) {
		ss_buf_release(&w->k[k].where);
		ss_buf_release(&w->k[k].shown);
	}
}

/* Where value x was read, NULL when it is absent (which a reason shows as
 * "(null)", as printf did). */
static const char *where_of(wsite *w, wval *x)
{
	if (!x->present)
		return NULL;
	if (!x->has_where) {
		ss_buf_reset(&x->where);
		w->oom |= ss_storage_view_where(w->st, &w->views[x - w->k], &x->where) < 0;
		x->has_where = 1;
	}
	return ss_buf_str(&x->where);
}

/* How value x looks, NULL when it is absent. */
static const char *shown_of(wsite *w, wval *x)
{
	if (!x->present)
		return NULL;
	if (!x->has_shown) {
		ss_buf_reset(&x->shown);
		w->oom |= ss_storage_view_shown(&w->views[x - w->k], &x->shown) < 0;
		x->has_shown = 1;
	}
	return ss_buf_str(&x->shown);
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

/* Whether byte c is printable ASCII (' ' to '~'). */
static int printable(unsigned char c)
{
	return (unsigned)(c - 0x20) < 0x7F - 0x20;
}

/* The high bit of each byte of w that is below ' ' or past '~', maybe
 * also of bytes above such a byte (a borrow or carry goes up): 0 exactly
 * when all 8 are printable. */
static uint64_t unprintable(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	return (((w - ones * 0x20) & ~w) | (w + ones) | w) & high;
}

/* The %XY escapes of raw[0..len) decoded into `out`, as the first step of
 * ss_winscp_unmunge does, when the result is printable ASCII (then it is
 * also the name WinSCP shows): *plain = 1. Else *plain = 0, with `out`
 * holding part of it: the caller takes the whole unmunge. Eight bytes at
 * a time up to each '%' (100,000 names: a byte at a time was 5 % of an
 * audit). */
static int unescape_plain(const char *raw, size_t len, ss_buf *out, int *plain)
{
	if (ss_buf_grow(out, len + 1) < 0)
		return -1;
	const unsigned char *p = (const unsigned char *)raw;
	unsigned char *o = (unsigned char *)out->data + out->len, *start = o;
	*plain = 0;
	for (size_t i = 0; i < len;) {
		if (len - i >= 8) {
			uint64_t w = ss_word_le64(p + i);
			if (unprintable(w))
				return 0;
			uint64_t pct = ss_word_bytes_eq(w, '%');
			size_t run = pct ? ss_word_lowest(pct) : 8;
			memcpy(o, p + i, 8); /* room: len + 1 bytes, and o is behind */
			o += run;
			i += run;
			if (run == 8)
				continue;
		} else if (len >= 8) {
			/* The last bytes, as the word that ends with them: the
			 * bytes before them in it were printable or an escape's */
			uint64_t w = ss_word_le64(p + len - 8);
			if (!unprintable(w) && !ss_word_bytes_eq(w, '%')) {
				memcpy(o, p + i, len - i);
				o += len - i;
				break;
			}
		}
		unsigned char c = p[i];
		if (c == '%' && i + 2 < len && raw[i + 1] && raw[i + 2]) {
			/* Unsigned: a character below '0' gives a negative digit. */
			c = (unsigned char)(((unsigned)hexval(raw[i + 1]) << 4) +
					    (unsigned)hexval(raw[i + 2]));
			i += 2;
		}
		if (!printable(c))
			return 0;
		*o++ = c;
		i++;
	}
	out->len += (size_t)(o - start);
	out->data[out->len] = '\0';
	*plain = 1;
	return 0;
}

static int unmunge_into(const char *raw, size_t len, ss_buf *out)
{
	/* Most site names decode to printable ASCII ("Team%2000/host%2001"),
	 * which WinSCP shows as it is: one pass, no copy (a 100,000-site
	 * file lists every one of them). Anything else, a byte order mark
	 * (UTF-8 names start with one) included, takes the whole unmunge. */
	size_t base = out->len;
	int plain;
	if (unescape_plain(raw, len, out, &plain) < 0)
		return -1;
	if (plain)
		return 0;
	out->len = base;
	char *s = ss_winscp_unmunge(raw, len);
	int r = s ? ss_buf_adds(out, s) : -1;
	free(s);
	return r;
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

/* A reason made of these pieces, one after the other: what
 * ss_scope_reason makes of "%s%s..." with them ("(null)" for a NULL, as
 * glibc prints it), without printf: a 100,000-site file gives tens of
 * thousands of reasons. -1 when memory runs out. */
static int reason_of(ss_scope *sc, const char *const *parts, size_t n)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += strlen(parts[i] ? parts[i] : "(null)");
	char *at = ss_scope_reason_room(sc, len);
	if (!at)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *piece = parts[i] ? parts[i] : "(null)";
		size_t l = strlen(piece);
		memcpy(at, piece, l);
		at += l;
	}
	return 0;
}

#define REASON(sc, ...)                                                                            \
	reason_of((sc), (const char *const[]){__VA_ARGS__},                                        \
		  sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

/* "%lld" of v in digits[25] (NUL-terminated), without printf. */
static const char *number(long long v, char digits[25])
{
	digits[24] = '\0';
	return digits + ss_format_lld(digits, v);
}

static int reason_unreadable(wsite *w, ss_scope *sc, int k)
{
	char num[25];
	wval *v = &w->k[k];
	return REASON(sc, shown_of(w, v), " at ", where_of(w, v), " ", v->why,
		      ": WinSCP ignores it and uses the default ", number(factory[k], num));
}

/* Reasons for the keys from..to (inclusive) that WinSCP cannot read. */
static int reasons_unreadable(wsite *w, ss_scope *sc, int from, int to)
{
	int r = 0;
	if (!w->unreadable) /* most sites */
		return 0;
	for (int k = from; k <= to; k++)
		if (w->k[k].present && !w->k[k].readable)
			r |= reason_unreadable(w, sc, k);
	return r;
}

/* SCP/SFTP: PingType, and the interval in minutes and seconds. */
static int evaluate_ssh(wsite *w, ss_scope *sc)
{
	int r = reasons_unreadable(w, sc, K_TYPE, K_SEC);
	wval *secs_from = &w->k[K_SECS];
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

	wval *set_at = NULL;
	if (w->k[K_MIN].present && w->k[K_MIN].readable)
		set_at = &w->k[K_MIN];
	else if (secs_from->present && secs_from->readable)
		set_at = secs_from;

	if (type == 0) {
		sc->interval = 0;
		wval *t = &w->k[K_TYPE];
		if (set_at)
			r |= REASON(sc, shown_of(w, set_at), " at ", where_of(w, set_at),
				    " sets an interval, but PingType is 0",
				    t->present && t->readable ? " at " : " (the default)",
				    t->present && t->readable ? where_of(w, t) : "",
				    ": WinSCP sends no keepalives");
		set_at = t->present && t->readable ? t : NULL;
	} else {
		sc->interval = interval;
		if (type != 1 && type != 2)
			r |= REASON(sc, shown_of(w, &w->k[K_TYPE]), " at ",
				    where_of(w, &w->k[K_TYPE]),
				    " is not 0, 1 or 2: WinSCP sends null packets, but writes no "
				    "such value");
		if (interval < 0)
			r |= ss_scope_reason(sc,
					     "interval %llds (PingInterval*60 + "
					     "PingIntervalSecs) is negative",
					     interval);
		if (!set_at)
			set_at = &w->k[K_TYPE];
	}
	if (set_at && ss_scope_set_at(sc, where_of(w, set_at)) < 0)
		return -1;
	return r;
}

/* FTP and FTPS: FtpPingType and FtpPingInterval (seconds). */
static int evaluate_ftp(wsite *w, ss_scope *sc)
{
	int r = reasons_unreadable(w, sc, K_FTYPE, K_FINT);
	wval *t = &w->k[K_FTYPE], *iv = &w->k[K_FINT];
	long type = read_value(w, K_FTYPE);
	sc->interval = ftp_interval(type, read_value(w, K_FINT));
	wval *set_at = iv->present && iv->readable ? iv : NULL;
	if (type == 0) {
		if (set_at)
			r |= REASON(sc, shown_of(w, iv), " at ", where_of(w, iv),
				    " sets an interval, but FtpPingType is 0 at ", where_of(w, t),
				    ": WinSCP sends no keepalives");
		set_at = t;
	} else if (type < 1 || type > 3) {
		r |= REASON(sc, shown_of(w, t), " at ", where_of(w, t),
			    " is not 0, 1, 2 or 3: WinSCP's FTP engine sends dummy commands, but "
			    "WinSCP writes no such value");
	}
	if (!set_at && t->present && t->readable)
		set_at = t;
	if (set_at && ss_scope_set_at(sc, where_of(w, set_at)) < 0)
		return -1;
	return r;
}

/* WebDAV and S3: WinSCP has no keepalive for them. */
static int evaluate_none(wsite *w, ss_scope *sc)
{
	long proto = read_value(w, K_PROTO);
	sc->not_applicable = 1;
	sc->interval = SS_UNSET;
	return REASON(sc, shown_of(w, &w->k[K_PROTO]), " at ", where_of(w, &w->k[K_PROTO]),
		      ": WinSCP has no keepalive for ", proto == 6 ? "WebDAV" : "S3", " sites");
}

/* Fills the scope's interval and set_at, and the reasons that come from
 * the values themselves (the policy's are added by ss_scope_judge), by the
 * site's protocol. */
static int evaluate(wsite *w, ss_scope *sc)
{
	int r = reasons_unreadable(w, sc, K_PROTO, K_PROTO);
	switch (protocol_of(read_value(w, K_PROTO))) {
	case PROTO_FTP:
		r |= evaluate_ftp(w, sc);
		break;
	case PROTO_NONE:
		r |= evaluate_none(w, sc);
		break;
	default:
		r |= evaluate_ssh(w, sc);
		break;
	}
	return w->oom ? -1 : r;
}

/* Whether Default Settings is stored (TStoredSessionList::Load compares
 * the unmunged name exactly) and, when it is not, the name of a site
 * stored as Default%20Settings in another case: WinSCP loads that as a
 * site, but both TMemIniFile and the registry compare section and key
 * names ignoring case, so Default Settings saved by WinSCP or sshsync would
 * land in that site's section (NULL when there is none). The names alone
 * tell: no site is read. */
static void find_default(ss_storage *st, int *have_default, const char **shadow)
{
	size_t n = st ? ss_storage_count(st) : 0;
	*have_default = 0;
	*shadow = NULL;
	for (size_t s = 0; s < n; s++) {
		const ss_storage_session *ses = ss_storage_at(st, s);
		/* Told apart on the first byte first (the raw name's in any
		 * case): 100,000 names without a call each. */
		if (ses->name[0] == 'D' && strcmp(ses->name, SS_WINSCP_DEFAULT_SETTINGS) == 0)
			*have_default = 1;
		else if (!*shadow && (ses->raw[0] | 0x20) == 'd' &&
			 strcasecmp(ses->raw, MUNGED_DEFAULT) == 0)
			*shadow = ses->name;
	}
}

/* The scope of Default Settings where none is stored: new sites get the
 * factory values. `shadow`: the site stored in its place, or NULL. */
static int default_scope(const char *path, const char *shadow, ss_scopes *out, ss_diag *d)
{
	ss_scope *sc = ss_scopes_add(out, "winscp", path, SS_WINSCP_DEFAULT_SETTINGS);
	if (!sc)
		return ss_diag_oom(d);
	if (shadow && ss_scope_reason(sc,
				      "the site \"%s\" is stored where Default Settings "
				      "would be (names of sections and keys ignore case): "
				      "WinSCP cannot keep Default Settings apart from it, "
				      "and sshsync writes none; rename that site",
				      shadow) < 0)
		return ss_diag_oom(d);
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

/* --- reading sites from the storage --- */

/* Why WinSCP's ReadInteger does not take a value. */
static const char *why_unreadable(const ss_sview *v)
{
	switch (v->type) {
	case SS_STYPE_STRING:
		/* TRegistry.ReadInteger wants REG_DWORD and raises on anything
		 * else; WinSCP catches that and keeps the default. */
		return "is a string, not a dword";
	case SS_STYPE_TEXT:
		return v->text && v->text_len && *v->text ? "is not an integer" : "is empty";
	default:
		return "is not a dword";
	}
}

/* The keepalive values of session s as WinSCP reads them (into a site
 * read before or zeroed: the buffers stay); `a`: key_names, measured once
 * for every site (ask_keys). */
static int read_site(ss_storage *st, size_t s, const ss_storage_asked *a, wsite *w, ss_diag *d)
{
	const ss_sview *v = w->views;
	if (ss_storage_view_asked(st, s, a, w->views, d) < 0)
		return -1;
	w->st = st;
	w->unreadable = 0;
	for (int k = 0; k < K_N; k++) {
		wval *x = &w->k[k];
		x->present = v[k].present;
		x->readable = v[k].is_int;
		x->v = (long)v[k].ival;
		x->why = v[k].present ? why_unreadable(&v[k]) : NULL;
		x->has_where = x->has_shown = 0;
		w->unreadable |= x->present && !x->readable;
	}
	return 0;
}

/* The keepalive names, measured for read_site. */
static void ask_keys(ss_storage_asked *a)
{
	ss_storage_ask(a, key_names, K_N); /* K_N fit */
}

/* PingType, PingInterval and PingIntervalSecs for a site (the storage
 * writes them as numbers). */
typedef struct targets {
	long value[3];
} targets;

static void set_targets(targets *tg, long type, long interval)
{
	tg->value[K_TYPE] = type;
	tg->value[K_MIN] = interval / 60;
	tg->value[K_SECS] = interval % 60;
}

/* Edits one SCP/SFTP section (the site's first, or a later duplicate that
 * WinSCP may read instead): every keepalive value gets the target, the
 * obsolete key goes, and the first section gets the keys it lacks. */
/* --- apply --- */

/* The FtpPingType an FTP site must get, when it must get one: where it is
 * off, or a value WinSCP cannot read or never writes. */
static int ftp_type_change(const wsite *w, long *want)
{
	const wval *t = &w->k[K_FTYPE];
	long type = read_value(w, K_FTYPE);
	*want = ftp_target_type(type, !t->present || t->readable);
	return *want != type || (t->present && !t->readable);
}

/* One site, by its protocol: SCP/SFTP get PingType, PingInterval and
 * PingIntervalSecs and lose the obsolete PingIntervalSec; FTP gets
 * FtpPingInterval (and FtpPingType where it is off); WebDAV and S3 have no
 * keepalive. `w` NULL: a new site (Default Settings). */
static int apply_site(ss_storage *st, size_t s, const wsite *w, const ss_policy *p, ss_diag *d)
{
	long want;
	switch (protocol_of(w ? read_value(w, K_PROTO) : factory[K_PROTO])) {
	case PROTO_FTP:
		if (ss_storage_set_dword(st, s, key_names[K_FINT], (uint32_t)p->interval, d) < 0)
			return -1;
		return ftp_type_change(w, &want)
			   ? ss_storage_set_dword(st, s, key_names[K_FTYPE], (uint32_t)want, d)
			   : 0;
	case PROTO_NONE:
		return 0;
	default:
		break;
	}
	targets tg;
	set_targets(&tg, target_type(p, w ? read_value(w, K_TYPE) : factory[K_TYPE]), p->interval);
	for (int k = K_TYPE; k <= K_SECS; k++)
		if (ss_storage_set_dword(st, s, key_names[k], (uint32_t)tg.value[k], d) < 0)
			return -1;
	return w ? ss_storage_delete(st, s, key_names[K_SEC], d) : 0;
}

/* Sites [from, to) of a storage or of a part of it, and whether Default
 * Settings is among them. */
typedef struct site_range {
	ss_storage *st;
	size_t from, to;
	const ss_policy *p;
	int have_default;
	int r;
	ss_diag *d;
} site_range;

/* Works on a copy of its range, written back at the end: both threads'
 * ranges are on one cache line, and a write per site to it made each
 * thread wait for the other's core (a fifth of the planning's time). */
static void apply_range(void *arg)
{
	site_range g = *(site_range *)arg;
	wsite w;
	memset(&w, 0, sizeof(w));
	ss_storage_asked a;
	ask_keys(&a);
	g.r = 0;
	for (size_t s = g.from; s < g.to && g.r == 0; s++) {
		g.have_default |=
		    strcmp(ss_storage_at(g.st, s)->name, SS_WINSCP_DEFAULT_SETTINGS) == 0;
		g.r = read_site(g.st, s, &a, &w, g.d);
		if (g.r == 0)
			g.r = apply_site(g.st, s, &w, g.p, g.d);
	}
	wsite_free(&w);
	*(site_range *)arg = g;
}

/* From this many sites on, the second half is planned on a second thread
 * (a part of the storage) while this one plans the first: a 100,000-site
 * WinSCP.ini spends most of an apply's single-threaded time here. */
#define SPLIT_MIN 1024

/* Every site, in two halves at once when there are enough of them (or
 * one after the other when the storage cannot be split or no thread can
 * be had); the edits are as if planned in order, and so is the error: the
 * first half's before the second's. */
static int apply_sites(ss_storage *st, const ss_policy *p, int *have_default, ss_diag *d)
{
	size_t n = ss_storage_count(st);
	ss_diag d2 = SS_DIAG_INIT;
	site_range first = {st, 0, n, p, 0, 0, d}, second = {NULL, n / 2, n, p, 0, 0, &d2};
	ss_storage *part = NULL;
	ss_os_thread *t = NULL;
	if (n >= SPLIT_MIN && ss_storage_part(st, &part, d) < 0)
		return -1;
	second.st = part;
	if (part && ss_os_thread_start(&t, apply_range, &second) == 0)
		first.to = n / 2;
	apply_range(&first);
	ss_os_thread_join(t);
	int r = first.r;
	if (r == 0 && t && second.r < 0) {
		/* The first half's error would have come first; else this one. */
		ss_diag_clear(d);
		*d = d2;
		d2 = (ss_diag)SS_DIAG_INIT;
		r = -1;
	}
	if (r == 0 && t)
		r = ss_storage_part_join(st, part, d);
	else
		ss_storage_part_free(part);
	ss_diag_clear(&d2);
	*have_default |= first.have_default | (t && second.have_default);
	return r;
}

/* Every site, and a new Default Settings where none is stored (nor a
 * site in its place: names of sections and keys ignore case, so
 * Default%20settings would be overwritten). */
static int apply_store(ss_storage *st, const ss_policy *p, ss_diag *d)
{
	int have_default = ss_storage_find(st, MUNGED_DEFAULT) != SIZE_MAX;
	if (apply_sites(st, p, &have_default, d) < 0)
		return -1;
	size_t def;
	if (!have_default && (ss_storage_create(st, MUNGED_DEFAULT, &def, d) < 0 ||
			      apply_site(st, def, NULL, p, d) < 0))
		return -1;
	return ss_storage_commit(st, d);
}

/* --- export --- */

/* The registry path of a site's key, newly allocated (NULL: no memory):
 * joined by hand, as 100,000 sites' formatting was 13 % of an export. */
static char *key_path(const char *munged)
{
	static const char prefix[] = SS_WINSCP_SESSIONS "\\";
	size_t plen = sizeof(prefix) - 1, len = strlen(munged);
	char *path = malloc(plen + len + 1);
	if (path) {
		memcpy(path, prefix, plen);
		memcpy(path + plen, munged, len + 1);
	}
	return path;
}

/* The values of one site's key; `obsolete` adds the deletion of
 * PingIntervalSec (pointless in a key that sshsync creates). */
static int plan_key(ss_regplan *out, const char *munged, long current_type, const ss_policy *p,
		    int obsolete, ss_diag *d)
{
	char *path = key_path(munged);
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
	char *path = key_path(munged);
	if (!path)
		return ss_diag_oom(d);
	ss_regkey *k = ss_regplan_key(out, path);
	free(path);
	long want;
	if (!k || ss_regkey_set_dword(k, key_names[K_FINT], (uint32_t)p->interval) < 0 ||
	    (ftp_type_change(w, &want) &&
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

/* The first site stored under `name` (as WinSCP shows it); SIZE_MAX when
 * there is none (st NULL: no store). */
static size_t stored_site(ss_storage *st, const char *name)
{
	for (size_t s = 0; st && s < ss_storage_count(st); s++)
		if (strcmp(ss_storage_at(st, s)->name, name) == 0)
			return s;
	return SIZE_MAX;
}

/* The sessions named (--session): each the site stored under its name,
 * else a new site. Sites are read one at a time into the same buffers. */
static int plan_named(ss_storage *st, const ss_strlist *sessions, const ss_policy *p,
		      ss_regplan *out, ss_diag *d)
{
	ss_storage_asked a;
	ask_keys(&a);
	wsite w;
	memset(&w, 0, sizeof(w));
	int r = 0;
	for (size_t i = 0; i < sessions->n && r == 0; i++) {
		size_t s = stored_site(st, sessions->v[i]);
		char *munged = ss_winscp_munge(sessions->v[i]);
		if (!munged)
			r = ss_diag_oom(d);
		else if (s != SIZE_MAX)
			r = read_site(st, s, &a, &w, d);
		if (r == 0)
			r = plan_site(out, munged, s != SIZE_MAX ? &w : NULL, p, d);
		free(munged);
	}
	wsite_free(&w);
	return r;
}

/* Whether stored site `s` has the key `raw` (names of keys ignore case). */
static int key_is(ss_storage *st, size_t s, const char *raw, size_t len)
{
	const char *other = ss_storage_at(st, s)->raw;
	return ss_key_eq(other, strlen(other), raw, len);
}

/* For each stored site, the next one whose key is the same, or 0 for
 * none (no site is a later one of site 0); *next NULL when there are no
 * sites. 32-bit numbers, as the storage's index has: 100,000 sites take
 * 0.4 MB, and 1 MB more for a moment. */
static int twins(ss_storage *st, uint32_t **next, ss_diag *d)
{
	size_t n = st ? ss_storage_count(st) : 0, cap = 16;
	*next = NULL;
	if (n == 0)
		return 0;
	while (cap < 2 * n)
		cap *= 2;
	uint32_t *slot = calloc(cap, sizeof(*slot)); /* the last site of a key + 1 */
	uint32_t *v = calloc(n, sizeof(*v));
	if (!slot || !v) {
		free(slot);
		free(v);
		return ss_diag_oom(d);
	}
	for (size_t s = 0; s < n; s++) {
		const char *raw = ss_storage_at(st, s)->raw;
		size_t len = strlen(raw), i = (size_t)ss_key_hash(raw, len) & (cap - 1);
		while (slot[i] && !key_is(st, slot[i] - 1, raw, len))
			i = (i + 1) & (cap - 1);
		if (slot[i])
			v[slot[i] - 1] = (uint32_t)s;
		slot[i] = (uint32_t)s + 1;
	}
	free(slot);
	*next = v;
	return 0;
}

/* Every stored site, in store order, read one at a time (a 100,000-site
 * file is never held as sites), after Default Settings when none is
 * stored and no site shadows it. The keys are settled (ss_regplan_settle)
 * as soon as no later site can change them: no key planned so far has a
 * twin still to come (`hold`: the last such twin). Default Settings
 * planned here has none (find_default). */
static int plan_stored(ss_storage *st, const ss_policy *p, ss_regplan *out, ss_diag *d)
{
	int have_default;
	const char *shadow;
	find_default(st, &have_default, &shadow);
	if (!have_default && !shadow && plan_site(out, MUNGED_DEFAULT, NULL, p, d) < 0)
		return -1;
	uint32_t *next;
	if (twins(st, &next, d) < 0)
		return -1;
	ss_storage_asked a;
	ask_keys(&a);
	wsite w;
	memset(&w, 0, sizeof(w));
	int r = 0;
	size_t hold = 0;
	for (size_t s = 0; st && s < ss_storage_count(st) && r == 0; s++) {
		r = read_site(st, s, &a, &w, d);
		if (r == 0)
			r = plan_site(out, ss_storage_at(st, s)->raw, &w, p, d);
		if (next[s] > hold)
			hold = next[s];
		if (r == 0 && s >= hold)
			r = ss_regplan_settle(out, d);
	}
	wsite_free(&w);
	free(next);
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

/* The sites' scopes, made by ss_scopes_make. */
typedef struct site_maker {
	ss_storage *st;
	const char *path;
	ss_storage_asked a; /* key_names, measured once for every site */
} site_maker;

/* The scope of site s, made after the site is read into `state` (the
 * thread's wsite, its buffers kept from one site to the next). */
static int make_site(void *ctx, void *state, size_t s, ss_scopes *out, ss_diag *d)
{
	const site_maker *m = ctx;
	wsite *w = state;
	if (read_site(m->st, s, &m->a, w, d) < 0)
		return -1;
	ss_scope *sc = ss_scopes_add(out, "winscp", m->path, ss_storage_at(m->st, s)->name);
	return sc && evaluate(w, sc) == 0 ? 0 : ss_diag_oom(d);
}

static void free_site(void *ctx, void *state)
{
	(void)ctx;
	wsite_free(state);
}

/* Sites [0, end) are scopes handed on: the storage lets go of them. */
static void sites_done(void *ctx, size_t end)
{
	const site_maker *m = ctx;
	ss_storage_release_before(m->st, end);
}

/* Audits the sites as they are read, one site's values at a time: a
 * 100,000-site file is never held as sites besides its scopes. The scopes
 * come in this order: Default Settings (when none is stored) first, then
 * the sites in store order. */
static int audit_store(ss_storage *st, const char *path, ss_scopes *out, ss_diag *d)
{
	size_t n = ss_storage_count(st);
	int have_default;
	const char *shadow;
	find_default(st, &have_default, &shadow);
	if (!have_default && default_scope(path, shadow, out, d) < 0)
		return -1;
	/* A file is read when it is opened: what fails from here on is
	 * memory, which ends the audit, so a report that streams takes each
	 * scope as it comes, and 100,000 sites are never held as scopes
	 * beside the file. The live registry is read site by site: a key
	 * that vanishes meanwhile fails the target, whose scopes are then
	 * replaced by one error scope, so they wait for the engine. Many
	 * sites that stream are read on a second thread while this one hands
	 * their scopes on (the report), and reads them too when it has none
	 * to hand on and the store allows. */
	int stream = strcmp(ss_storage_backend_name(st), "winreg") != 0;
	site_maker sm = {st, path, {0}};
	ask_keys(&sm.a);
	ss_scope_maker m = {
	    &sm, sizeof(wsite), make_site, free_site, ss_storage_reads_shared(st), sites_done};
	return ss_scopes_make(&m, n, stream, out, d);
}

static int winscp_audit(const char *path, const ss_query *q, ss_scopes *out, ss_diag *d)
{
	(void)q; /* --host and --connection concern OpenSSH */
	/* Only the keepalive keys are read: a WinSCP.ini is never held whole. */
	ss_storage *st;
	ss_storage_asked a;
	ask_keys(&a);
	if (ss_storage_open_asked(&st, path, &ROOT, NULL, &a, NULL, d) < 0)
		return -1;
	int r = audit_store(st, path, out, d);
	ss_storage_close(st);
	return r;
}

static int winscp_apply(const char *path, const ss_policy *p, ss_changeset *cs, ss_diag *d)
{
	if (check_interval(path, p, d) < 0)
		return -1;
	ss_storage *st;
	if (ss_storage_open(&st, path, &ROOT, NULL, cs, d) < 0)
		return -1;
	int r = apply_store(st, p, d);
	ss_storage_close(st);
	return r;
}

static int winscp_export(const char *from, const ss_strlist *sessions, const ss_policy *p,
			 ss_regplan *out, ss_diag *d)
{
	if (check_interval(from ? from : "export", p, d) < 0)
		return -1;
	int named = sessions && sessions->n;
	if (!from)
		return named ? plan_named(NULL, sessions, p, out, d) : plan_stored(NULL, p, out, d);
	ss_storage *st;
	if (ss_storage_open(&st, from, &ROOT, p->ansi_codepage, NULL, d) < 0)
		return -1;
	int r = named ? plan_named(st, sessions, p, out, d) : plan_stored(st, p, out, d);
	ss_storage_close(st);
	return r;
}

static int winscp_sniff(const char *path, const char *head, size_t len)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!head)
		return 0; /* WinSCP keeps no settings in directories */
	if (strcasecmp(base, "WinSCP.ini") == 0)
		return 2;
	if (looks_like_reg(head, len))
		return ss_text_contains_ci(head, len, "\\Martin Prikryl\\WinSCP 2\\") ? 2 : 0;
	if (ss_text_contains_ci(head, len, "[Sessions\\") ||
	    ss_text_contains_ci(head, len, "[Configuration\\"))
		return 2;
	return 0;
}

static const char *winscp_misfit(const char *head, size_t len, int session_file, size_t *offset)
{
	(void)session_file;
	return ss_storage_misfit(&ROOT, head, len, 0, offset);
}

const ss_client ss_client_winscp = {
    .kind = "winscp",
    .description = "WinSCP sites (WinSCP.ini, registry exports)",
    .audit = winscp_audit,
    .apply = winscp_apply,
    .export_plan = winscp_export,
    .sniff = winscp_sniff,
    .misfit = winscp_misfit,
    .sessions_read = ss_winscp_sessions_read,
    .sessions_plan = ss_winscp_sessions_plan,
    .sessions_alone = 1,
};
