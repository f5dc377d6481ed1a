/* PuTTY and KiTTY: sessions in .reg exports and session directories.
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
#include <sys/stat.h>

#include "sshsync/clients.h"
#include "sshsync/regfile.h"
#include "sshsync/safewrite.h"
#include "sshsync/sessdir.h"
#include "sshsync/os_file.h"
#include "sshsync/os_path.h"

typedef struct flavour {
	const char *kind;
	const char *key; /* sessions key below the hive root */
	ss_sessfmt fmt;
} flavour;

static const flavour PUTTY = {"putty", SS_PUTTY_SESSIONS_KEY, SS_SESS_PUTTY};
static const flavour KITTY = {"kitty", SS_KITTY_SESSIONS_KEY, SS_SESS_KITTY};

enum { V_MIN, V_SECS, V_TCP, NVALS };
static const char *const VALUE_NAMES[NVALS] = {"PingInterval", "PingIntervalSecs", "TCPKeepalives"};

static const char HEX[] = "0123456789ABCDEF";

/* --- names --- */

int ss_putty_escape_name(const char *name, ss_buf *out)
{
	int candot = 0;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		int r;
		if (*c == ' ' || *c == '\\' || *c == '*' || *c == '?' || *c == '%' || *c < ' ' ||
		    *c > '~' || (*c == '.' && !candot)) {
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
	return ss_sessname_from_file(s, len, out);
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
	/* 64 bits wherever long has 32 (Windows): INT_MAX minutes fit. */
	long long interval = f[V_MIN].value * 60 + f[V_SECS].value;
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

/* --- .reg exports --- */

/* When `path` is a session key of this flavour, its name part. Accepts
 * HKEY_CURRENT_USER\KEY\NAME and HKEY_USERS\SID\KEY\NAME. */
static int reg_session_name(const flavour *fl, const ss_regblock *b, const char **name, size_t *len)
{
	const char *p = b->path, *end = b->path + b->path_len;
	static const char hkcu[] = "HKEY_CURRENT_USER\\", hku[] = "HKEY_USERS\\";
	if ((size_t)(end - p) > sizeof(hkcu) - 1 && strncasecmp(p, hkcu, sizeof(hkcu) - 1) == 0) {
		p += sizeof(hkcu) - 1;
	} else if ((size_t)(end - p) > sizeof(hku) - 1 &&
		   strncasecmp(p, hku, sizeof(hku) - 1) == 0) {
		p += sizeof(hku) - 1;
		const char *bs = memchr(p, '\\', (size_t)(end - p));
		if (!bs)
			return 0;
		p = bs + 1;
	} else {
		return 0;
	}
	size_t klen = strlen(fl->key);
	if ((size_t)(end - p) <= klen + 1 || strncasecmp(p, fl->key, klen) != 0 || p[klen] != '\\')
		return 0;
	p += klen + 1;
	if (memchr(p, '\\', (size_t)(end - p)))
		return 0; /* a key below a session is no session */
	*name = p;
	*len = (size_t)(end - p);
	return 1;
}

/* The first block of each distinct session key, and whether the file
 * leaves the key in place (a last [-KEY] deletes it). */
static int reg_is_session_head(const flavour *fl, const ss_regfile *rf, size_t b, const char **name,
			       size_t *len)
{
	const ss_regblock *k = &rf->blocks[b];
	if (!reg_session_name(fl, k, name, len))
		return 0;
	if (ss_regfile_find_key(rf, k->path, k->path_len) != b)
		return 0;
	size_t last = b;
	while (rf->blocks[last].next_same != SS_REGFILE_NONE)
		last = rf->blocks[last].next_same;
	return !rf->blocks[last].deleted;
}

/* A session key's name as UTF-8: regedit reads a file without the UTF-16
 * byte order mark (REGEDIT4, or a v5 header saved as ANSI) in the ANSI code
 * page `cp` (NULL: Windows-1252); a UTF-16 file is already decoded. Bytes
 * that are nothing in that code page stay as they are. */
static int reg_key_utf8(const ss_regfile *rf, const char *cp, const char *raw, size_t len,
			ss_buf *out)
{
	if (rf->text->enc != SS_ENC_BYTES)
		return ss_buf_add(out, raw, len);
	ss_buf u = SS_BUF_INIT;
	int r = ss_ansi_to_utf8(cp, raw, len, &u);
	r = r == -2 ? ss_buf_add(out, raw, len) : r == 0 ? ss_buf_add(out, u.data, u.len) : r;
	ss_buf_release(&u);
	return r;
}

/* The session name of a key, as audit shows it and --session names it. */
static int reg_session_display(const ss_regfile *rf, const char *cp, const char *raw, size_t len,
			       ss_buf *out)
{
	ss_buf key = SS_BUF_INIT;
	int r = reg_key_utf8(rf, cp, raw, len, &key);
	if (r == 0)
		r = ss_putty_unescape_name(ss_buf_str(&key), key.len, out);
	ss_buf_release(&key);
	return r;
}

/* Default Settings is PuTTY's template for new sessions: where a store
 * has sessions but no Default Settings, new sessions get the compiled-in
 * defaults. It is a scope all the same, and apply and export write it. */
#define DEFAULT_KEY "Default%20Settings"

typedef struct reginfo {
	int any; /* the file holds sessions of this flavour */
	int has_default;
	size_t first; /* the first session block */
} reginfo;

static void reg_info(const flavour *fl, const ss_regfile *rf, reginfo *ri)
{
	memset(ri, 0, sizeof(*ri));
	for (size_t b = 0; b < rf->nblocks; b++) {
		const char *raw;
		size_t len;
		if (!reg_is_session_head(fl, rf, b, &raw, &len))
			continue;
		if (!ri->any)
			ri->first = b;
		ri->any = 1;
		if (len == strlen(DEFAULT_KEY) && strncasecmp(raw, DEFAULT_KEY, len) == 0)
			ri->has_default = 1;
	}
}

/* A Default Settings scope for a store that has none: all defaults. */
static int add_default_scope(const flavour *fl, const char *file, ss_scopes *out, ss_diag *d)
{
	ss_scope *sc = ss_scopes_add(out, fl->kind, file, "Default Settings");
	if (!sc)
		return ss_diag_oom(d);
	sc->tcp_keepalive = 0;
	return 0;
}

static int value_index(const ss_regfile *rf, const ss_regvalue *v)
{
	for (int i = 0; i < NVALS; i++)
		if (ss_regfile_value_name_is(rf, v, VALUE_NAMES[i]))
			return i;
	return -1;
}

/* What importing the file leaves in the session's three values. */
static int reg_found(const ss_regfile *rf, size_t b, found f[NVALS])
{
	memset(f, 0, NVALS * sizeof(*f));
	ss_regvalue v[NVALS];
	int has[NVALS] = {0};
	for (; b != SS_REGFILE_NONE; b = rf->blocks[b].next_same) {
		if (rf->blocks[b].deleted) {
			memset(has, 0, sizeof(has));
			continue;
		}
		size_t cur = 0;
		ss_regvalue x;
		while (ss_regfile_next_value(rf, b, &cur, &x)) {
			int i = value_index(rf, &x);
			if (i < 0)
				continue;
			has[i] = x.type != SS_REG_DELETE;
			v[i] = x;
		}
	}
	for (int i = 0; i < NVALS; i++) {
		if (!has[i])
			continue;
		f[i].present = 1;
		f[i].line = v[i].line;
		f[i].where = ss_text_where(rf->text, rf->text->lines[v[i].line].start);
		if (!f[i].where)
			return -1;
		if (v[i].type == SS_REG_DWORD) {
			f[i].usable = f[i].counts = 1;
			/* PuTTY keeps the DWORD in an int. */
			f[i].value = (int32_t)v[i].dword;
		} else {
			f[i].why =
			    v[i].type == SS_REG_SZ ? "is a string, not a dword" : "is not a dword";
		}
	}
	return 0;
}

static ss_text *load(const char *path, ss_diag *d)
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
	return t;
}

static void unload(ss_text *t)
{
	if (t) {
		ss_text_free(t);
		free(t);
	}
}

static int reg_audit(const flavour *fl, const ss_text *t, ss_scopes *out, ss_diag *d)
{
	ss_regfile rf;
	if (ss_regfile_parse(&rf, t, d) < 0)
		return -1;
	reginfo ri;
	reg_info(fl, &rf, &ri);
	int r = ri.any && !ri.has_default ? add_default_scope(fl, t->path, out, d) : 0;
	ss_buf name = SS_BUF_INIT;
	for (size_t b = 0; b < rf.nblocks && r == 0; b++) {
		const char *raw;
		size_t len;
		if (!reg_is_session_head(fl, &rf, b, &raw, &len))
			continue;
		found f[NVALS];
		ss_buf_reset(&name);
		ss_scope *sc = NULL;
		r = reg_found(&rf, b, f);
		if (r == 0 && reg_session_display(&rf, NULL, raw, len, &name) < 0)
			r = -1;
		if (r == 0 && !(sc = ss_scopes_add(out, fl->kind, t->path, ss_buf_str(&name))))
			r = -1;
		if (r == 0 && fill_scope(sc, f) < 0)
			r = -1;
		found_free(f);
		if (r < 0)
			ss_diag_oom(d);
	}
	ss_buf_release(&name);
	ss_regfile_free(&rf);
	return r;
}

/* Gives one session key the wanted values: every line of them that the
 * import still sees (after the last [-KEY]) is replaced when it differs;
 * a value with no line is inserted in the key's last block. */
static int reg_apply_session(const ss_regfile *rf, size_t b, const uint32_t want[NVALS],
			     size_t nwant, ss_edits *e)
{
	size_t live = b, last = b;
	for (size_t x = b; x != SS_REGFILE_NONE; x = rf->blocks[x].next_same) {
		if (rf->blocks[x].deleted)
			live = rf->blocks[x].next_same;
		last = x;
	}
	int seen[NVALS] = {0};
	for (size_t x = live; x != SS_REGFILE_NONE; x = rf->blocks[x].next_same) {
		size_t cur = 0;
		ss_regvalue v;
		while (ss_regfile_next_value(rf, x, &cur, &v)) {
			int i = value_index(rf, &v);
			if (i < 0 || (size_t)i >= nwant)
				continue;
			seen[i] = 1;
			if (v.type == SS_REG_DWORD && v.dword == want[i])
				continue;
			if (ss_regfile_set_dword(rf, e, &v, want[i]) < 0)
				return -1;
		}
	}
	for (size_t i = 0; i < nwant; i++)
		if (!seen[i] && ss_regfile_insert_dword(rf, e, last, VALUE_NAMES[i], want[i]) < 0)
			return -1;
	return 0;
}

/* A new Default Settings key at the end of the file, beside the first
 * session (same hive root: HKEY_CURRENT_USER or HKEY_USERS\SID). */
static int reg_append_default(const ss_regfile *rf, size_t first, const uint32_t want[NVALS],
			      size_t nwant, ss_edits *e, ss_diag *d)
{
	const ss_regblock *k = &rf->blocks[first];
	size_t parent = k->path_len;
	while (parent && k->path[parent - 1] != '\\')
		parent--;
	ss_regplan plan = SS_REGPLAN_INIT;
	char *path = ss_asprintf("%.*s%s", (int)parent, k->path, DEFAULT_KEY);
	ss_regkey *key = path ? ss_regplan_key(&plan, path) : NULL;
	free(path);
	for (size_t i = 0; key && i < nwant; i++)
		if (ss_regkey_set_dword(key, VALUE_NAMES[i], want[i]) < 0)
			key = NULL;
	int r = key ? ss_regfile_append_key(rf, e, key, d) : ss_diag_oom(d);
	ss_regplan_free(&plan);
	return r;
}

static int reg_apply(const flavour *fl, ss_change *c, const ss_policy *p, ss_diag *d)
{
	ss_regfile rf;
	if (ss_regfile_parse(&rf, c->text, d) < 0)
		return -1;
	uint32_t want[NVALS];
	size_t nwant = wanted(p, want);
	int r = 0;
	for (size_t b = 0; b < rf.nblocks && r == 0; b++) {
		const char *raw;
		size_t len;
		if (reg_is_session_head(fl, &rf, b, &raw, &len))
			r = reg_apply_session(&rf, b, want, nwant, &c->edits);
	}
	if (r < 0) {
		ss_regfile_free(&rf);
		return ss_diag_oom(d);
	}
	reginfo ri;
	reg_info(fl, &rf, &ri);
	if (ri.any && !ri.has_default)
		r = reg_append_default(&rf, ri.first, want, nwant, &c->edits, d);
	ss_regfile_free(&rf);
	return r;
}

/* --- session directories --- */

/* atoi, without its undefined overflow. */
static long long c_atoi(const char *s, int *plain)
{
	const char *p = s;
	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	int neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	const char *digits = p;
	long long v = 0;
	while (*p >= '0' && *p <= '9') {
		if (v < (long long)INT_MAX + 1)
			v = v * 10 + (*p - '0');
		p++;
	}
	*plain = p > digits && *p == '\0' && digits == s + neg;
	if (v > (long long)INT_MAX + 1)
		v = (long long)INT_MAX + 1;
	v = neg ? -v : v;
	return v > INT_MAX ? INT_MAX : v;
}

static int dir_found(const ss_sessfile *sf, found f[NVALS])
{
	memset(f, 0, NVALS * sizeof(*f));
	ss_buf val = SS_BUF_INIT;
	for (int i = 0; i < NVALS; i++) {
		const ss_sessentry *e = ss_sessfile_get(sf, VALUE_NAMES[i]);
		if (!e)
			continue;
		ss_buf_reset(&val);
		f[i].where = ss_text_where(sf->text, sf->text->lines[e->line].start);
		if (!f[i].where || ss_sessfile_value(sf, e, &val) < 0) {
			ss_buf_release(&val);
			return -1;
		}
		f[i].present = f[i].counts = 1; /* atoi takes anything */
		f[i].line = e->line;
		f[i].value = c_atoi(ss_buf_str(&val), &f[i].usable);
		f[i].why = "is not a plain decimal number";
	}
	ss_buf_release(&val);
	return 0;
}

/* The display name of a session file ("folder/name" in KiTTY folders). */
static int dir_session_name(const char *rel, ss_buf *out)
{
	return ss_sessname_from_file(rel, strlen(rel), out);
}

static int dir_load(const flavour *fl, const char *dir, const char *rel, ss_text **t,
		    ss_sessfile *sf, ss_diag *d)
{
	char *path = ss_asprintf("%s/%s", dir, rel);
	if (!path)
		return ss_diag_oom(d);
	*t = load(path, d);
	free(path);
	if (!*t)
		return -1;
	if (ss_sessfile_parse(sf, *t, fl->fmt, d) < 0) {
		unload(*t);
		*t = NULL;
		return -1;
	}
	return 0;
}

/* The path of the Default Settings file when the directory has none,
 * else NULL (also when out of memory: *err says which). */
static char *dir_missing_default(const flavour *fl, const char *dir, const ss_strlist *files,
				 int *err)
{
	ss_buf name = SS_BUF_INIT;
	*err = ss_sessname_to_file("", fl->fmt, &name) < 0;
	for (size_t i = 0; i < files->n && !*err; i++) {
		if (strcmp(files->v[i], ss_buf_str(&name)) == 0) {
			ss_buf_release(&name);
			return NULL;
		}
	}
	char *path = *err ? NULL : ss_asprintf("%s/%s", dir, ss_buf_str(&name));
	*err = *err || !path;
	ss_buf_release(&name);
	return path;
}

static int dir_audit(const flavour *fl, const char *dir, ss_scopes *out, ss_diag *d)
{
	ss_strlist files = SS_STRLIST_INIT;
	if (ss_sessdir_list(dir, fl->fmt, &files, d) < 0)
		return -1;
	int err;
	char *def = dir_missing_default(fl, dir, &files, &err);
	int r = err ? ss_diag_oom(d) : def ? add_default_scope(fl, def, out, d) : 0;
	free(def);
	ss_buf name = SS_BUF_INIT;
	for (size_t i = 0; i < files.n && r == 0; i++) {
		ss_text *t;
		ss_sessfile sf;
		if (dir_load(fl, dir, files.v[i], &t, &sf, d) < 0) {
			r = -1;
			break;
		}
		found f[NVALS];
		ss_scope *sc = NULL;
		ss_buf_reset(&name);
		r = dir_found(&sf, f);
		if (r == 0 && dir_session_name(files.v[i], &name) < 0)
			r = -1;
		if (r == 0 && !(sc = ss_scopes_add(out, fl->kind, t->path, ss_buf_str(&name))))
			r = -1;
		if (r == 0 && fill_scope(sc, f) < 0)
			r = -1;
		if (r < 0)
			ss_diag_oom(d);
		found_free(f);
		ss_sessfile_free(&sf);
		unload(t);
	}
	ss_buf_release(&name);
	ss_strlist_release(&files);
	return r;
}

static int dir_apply_file(const ss_sessfile *sf, const uint32_t want[NVALS], size_t nwant,
			  ss_edits *e, ss_diag *d)
{
	ss_buf val = SS_BUF_INIT;
	int r = 0;
	for (size_t i = 0; i < nwant && r == 0; i++) {
		char s[16];
		snprintf(s, sizeof(s), "%u", (unsigned)want[i]);
		const ss_sessentry *en = ss_sessfile_get(sf, VALUE_NAMES[i]);
		if (!en) {
			r = ss_sessfile_append(sf, e, VALUE_NAMES[i], s, d);
			continue;
		}
		ss_buf_reset(&val);
		r = ss_sessfile_value(sf, en, &val) < 0 ? ss_diag_oom(d) : 0;
		if (r == 0 && strcmp(ss_buf_str(&val), s) != 0)
			r = ss_sessfile_set(sf, e, en, s, d);
	}
	ss_buf_release(&val);
	return r;
}

/* A new Default Settings file holding only the keepalive values: PuTTY
 * takes its compiled-in defaults for everything else. */
static int dir_create_default(const flavour *fl, const char *path, const uint32_t want[NVALS],
			      size_t nwant, ss_changeset *cs, ss_diag *d)
{
	ss_text *t = calloc(1, sizeof(*t));
	if (!t)
		return ss_diag_oom(d);
	if (ss_text_new_empty(t, path, SS_ENC_BYTES, SS_EOL_LF, d) < 0) {
		free(t);
		return -1;
	}
	ss_change *c = ss_changeset_add(cs, t); /* owns t, also on failure */
	if (!c)
		return ss_diag_oom(d);
	ss_sessfile sf;
	if (ss_sessfile_parse(&sf, t, fl->fmt, d) < 0)
		return -1;
	int r = dir_apply_file(&sf, want, nwant, &c->edits, d);
	ss_sessfile_free(&sf);
	return r;
}

static char *backup_dir_for(const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && ss_os_is_sep(dir[n - 1]))
		n--;
	return ss_asprintf("%.*s%s", (int)n, dir, SS_BACKUP_SUFFIX);
}

static int dir_apply(const flavour *fl, const char *dir, const ss_policy *p, ss_changeset *cs,
		     ss_diag *d)
{
	ss_strlist files = SS_STRLIST_INIT;
	size_t first = cs->n;
	if (ss_sessdir_list(dir, fl->fmt, &files, d) < 0)
		return -1;
	uint32_t want[NVALS];
	size_t nwant = wanted(p, want);
	int err;
	char *def = dir_missing_default(fl, dir, &files, &err);
	int r = err ? ss_diag_oom(d) : def ? dir_create_default(fl, def, want, nwant, cs, d) : 0;
	free(def);
	for (size_t i = 0; i < files.n && r == 0; i++) {
		ss_text *t = NULL;
		ss_sessfile sf;
		if (dir_load(fl, dir, files.v[i], &t, &sf, d) < 0) {
			r = -1;
			break;
		}
		ss_edits e = SS_EDITS_INIT;
		r = dir_apply_file(&sf, want, nwant, &e, d);
		ss_sessfile_free(&sf);
		if (r == 0 && ss_edits_change_anything(t, &e)) {
			ss_change *c = ss_changeset_add(cs, t); /* owns t, also on failure */
			t = NULL;
			if (!c) {
				r = ss_diag_oom(d);
			} else {
				ss_edits_free(&c->edits);
				c->edits = e;
				e = (ss_edits)SS_EDITS_INIT;
			}
		}
		ss_edits_free(&e);
		unload(t);
	}
	ss_strlist_release(&files);
	/* PuTTY lists every file of the directory as a session: backups go
	 * beside the directory instead (sessions.sshsync-bak/). */
	for (size_t i = first; i < cs->n && r == 0; i++)
		if (!(cs->v[i].backup_dir = backup_dir_for(dir)))
			r = ss_diag_oom(d);
	return r;
}

/* --- export --- */

static int plan_session(const flavour *fl, const char *escaped, size_t len, const ss_policy *p,
			ss_regplan *out, ss_diag *d)
{
	char *path = ss_asprintf("HKEY_CURRENT_USER\\%s\\%.*s", fl->key, (int)len, escaped);
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
 * from a .reg as they are written there, from a directory re-escaped the
 * Windows way. */
static int source_sessions(const flavour *fl, const char *from, const char *cp, ss_strlist *keys,
			   ss_strlist *names, int *want_default, ss_diag *d)
{
	ss_stat st;
	if (ss_os_stat(from, &st) < 0)
		return ss_diag_errno(d, from, "cannot open");
	ss_buf b = SS_BUF_INIT;
	int r = 0;
	if (S_ISDIR(st.st_mode)) {
		ss_strlist files = SS_STRLIST_INIT;
		r = ss_sessdir_list(from, fl->fmt, &files, d);
		int err = 0;
		char *def = r == 0 ? dir_missing_default(fl, from, &files, &err) : NULL;
		*want_default = def != NULL;
		free(def);
		if (err)
			r = ss_diag_oom(d);
		for (size_t i = 0; i < files.n && r == 0; i++) {
			ss_buf_reset(&b);
			if (dir_session_name(files.v[i], &b) < 0 ||
			    ss_strlist_push(names, ss_buf_str(&b)) < 0)
				r = ss_diag_oom(d);
			ss_buf_reset(&b);
			if (r == 0 && (ss_putty_escape_name(names->v[names->n - 1], &b) < 0 ||
				       ss_strlist_push(keys, ss_buf_str(&b)) < 0))
				r = ss_diag_oom(d);
		}
		ss_strlist_release(&files);
		ss_buf_release(&b);
		return r;
	}
	ss_text *t = load(from, d);
	ss_regfile rf;
	if (!t)
		return -1;
	if (ss_regfile_parse(&rf, t, d) < 0) {
		unload(t);
		return -1;
	}
	reginfo ri;
	reg_info(fl, &rf, &ri);
	*want_default = ri.any && !ri.has_default;
	for (size_t i = 0; i < rf.nblocks && r == 0; i++) {
		const char *raw;
		size_t len;
		if (!reg_is_session_head(fl, &rf, i, &raw, &len))
			continue;
		ss_buf_reset(&b);
		if (reg_key_utf8(&rf, cp, raw, len, &b) < 0 ||
		    ss_strlist_push(keys, ss_buf_str(&b)) < 0)
			r = ss_diag_oom(d);
		ss_buf_reset(&b);
		if (r == 0 && (reg_session_display(&rf, cp, raw, len, &b) < 0 ||
			       ss_strlist_push(names, ss_buf_str(&b)) < 0))
			r = ss_diag_oom(d);
	}
	ss_buf_release(&b);
	ss_regfile_free(&rf);
	unload(t);
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

static int is_dir(const char *path)
{
	ss_stat st;
	return ss_os_stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int audit(const flavour *fl, const char *path, ss_scopes *out, ss_diag *d)
{
	if (is_dir(path))
		return dir_audit(fl, path, out, d);
	ss_text *t = load(path, d);
	if (!t)
		return -1;
	int r = reg_audit(fl, t, out, d);
	unload(t);
	return r;
}

static int apply(const flavour *fl, const char *path, const ss_policy *p, ss_changeset *cs,
		 ss_diag *d)
{
	if (check_policy(path, p, d) < 0)
		return -1;
	if (is_dir(path))
		return dir_apply(fl, path, p, cs, d);
	ss_text *t = load(path, d);
	if (!t)
		return -1;
	ss_change *c = ss_changeset_add(cs, t); /* owns t, also on failure */
	if (!c)
		return ss_diag_oom(d);
	return reg_apply(fl, c, p, d);
}

static int contains_ci(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (strncasecmp(s + i, needle, n) == 0)
			return 1;
	return 0;
}

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
		int kitty = contains_ci(path, strlen(path), "kitty");
		if (fl->fmt == SS_SESS_KITTY)
			return sessions && kitty ? 2 : 0;
		return sessions && !kitty ? (contains_ci(path, strlen(path), "putty") ? 2 : 1) : 0;
	}
	if (!looks_like_reg(head, len))
		return 0;
	/* The sessions key with its parent, as regedit spells it. */
	const char *needle = fl->fmt == SS_SESS_KITTY ? "\\9bis.com\\KiTTY\\Sessions"
						      : "\\SimonTatham\\PuTTY\\Sessions";
	if (!contains_ci(head, len, needle))
		return 0;
	/* An export that also holds another client's keys is only maybe ours. */
	const char *other = fl->fmt == SS_SESS_KITTY ? "\\SimonTatham\\PuTTY\\Sessions"
						     : "\\9bis.com\\KiTTY\\Sessions";
	return contains_ci(head, len, other) || contains_ci(head, len, "\\Martin Prikryl\\") ? 1
											     : 2;
}

static const char *misfit(const flavour *fl, const char *head, size_t len, int session_file,
			  size_t *offset)
{
	if (session_file)
		return ss_sessfile_misfit(head, len, fl->fmt, offset);
	if (looks_like_reg(head, len))
		return NULL; /* the .reg reader refuses the rest */
	*offset = 0;
	return "not a registry export (its first line is not 'Windows Registry Editor "
	       "Version 5.00' or 'REGEDIT4') nor a session folder";
}

static const char *putty_misfit(const char *head, size_t len, int session_file, size_t *offset)
{
	return misfit(&PUTTY, head, len, session_file, offset);
}

static const char *kitty_misfit(const char *head, size_t len, int session_file, size_t *offset)
{
	return misfit(&KITTY, head, len, session_file, offset);
}

static int putty_dir_files(const char *dir, ss_strlist *out, ss_diag *d)
{
	return ss_sessdir_list(dir, SS_SESS_PUTTY, out, d);
}

static int kitty_dir_files(const char *dir, ss_strlist *out, ss_diag *d)
{
	return ss_sessdir_list(dir, SS_SESS_KITTY, out, d);
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
};
