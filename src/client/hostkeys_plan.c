/* `migrate --host-keys`: the host keys of the migrated sessions planned
 * into the target's store through the changeset (hostkeys.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/changeset.h"
#include "sshsync/edit.h"
#include "sshsync/hostkeys.h"
#include "sshsync/os_proc.h"
#include "sshsync/putty.h"
#include "sshsync/regfile.h"
#include "sshsync/session.h"
#include "sshsync/storage.h"
#include "sshsync/text.h"

/* The change of `path`: the one the changeset has, or the file read (or a
 * new empty one when there is none). */
static ss_change *change_of(ss_changeset *cs, const char *path, ss_diag *d)
{
	ss_change *c = ss_changeset_find(cs, path);
	if (c)
		return c;
	ss_text *t = calloc(1, sizeof *t);
	if (!t) {
		ss_diag_oom(d);
		return NULL;
	}
	int exists = ss_os_path_present(path);
	int rc = exists == 1   ? ss_text_load(t, path, 0, d)
		 : exists == 0 ? ss_text_new_empty(t, path, SS_ENC_BYTES, SS_EOL_LF, d)
			       : ss_diag_errno(d, path, "cannot tell whether the file exists");
	if (rc < 0) {
		free(t);
		return NULL;
	}
	c = ss_changeset_add(cs, t);
	if (!c)
		ss_diag_oom(d);
	return c;
}

static int notef(ss_strlist *notes, const char *fmt, ...) SS_PRINTF(2, 3);
static int notef(ss_strlist *notes, const char *fmt, ...)
{
	ss_buf b = SS_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int rc = ss_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (rc == 0)
		rc = ss_strlist_push(notes, ss_buf_str(&b));
	ss_buf_release(&b);
	return rc;
}

static int copy_notes(const ss_hk_putty *p, ss_strlist *notes)
{
	for (size_t i = 0; i < p->n_notes; i++)
		if (notef(notes, "%s: %s", p->notes[i].where, p->notes[i].message))
			return -1;
	return 0;
}

/* "NAME VALUE" lines of a PuTTY sshhostkeys text. */
static int read_cache(const ss_text *t, ss_hk_pair **v, size_t *n)
{
	*v = calloc(t->nlines + 1, sizeof **v);
	*n = 0;
	if (!*v)
		return -1;
	for (size_t i = 0; i < t->nlines; i++) {
		const char *s = t->data + t->lines[i];
		size_t len = ss_text_line(t, i).len;
		const char *sp = memchr(s, ' ', len);
		if (!sp)
			continue;
		ss_hk_pair *e = &(*v)[*n];
		e->name = ss_strndup(s, (size_t)(sp - s));
		e->value = ss_strndup(sp + 1, len - (size_t)(sp + 1 - s));
		if (!e->name || !e->value) {
			free(e->name);
			free(e->value);
			return -1;
		}
		(*n)++;
	}
	return 0;
}

static void free_pairs(ss_hk_pair *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

/* --- PuTTY's SshHostKeys key in a .reg file ------------------------------ */

#define HOSTKEYS_KEY "HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\SshHostKeys"

/* The cached keys a .reg gives PuTTY (names unescaped to TYPE@PORT:HOST). An
 * empty text (a file the migration creates) has none. */
static int read_reg_cache(const ss_text *t, ss_hk_pair **v, size_t *n, ss_diag *d)
{
	*v = NULL;
	*n = 0;
	if (t->len == 0)
		return 0;
	ss_regfile rf = SS_REGFILE_INIT;
	if (ss_regfile_parse(&rf, t, d) < 0)
		return -1;
	size_t cap = 0, b = ss_regfile_find_key(&rf, HOSTKEYS_KEY, strlen(HOSTKEYS_KEY));
	int rc = 0;
	for (; rc == 0 && b != SS_REGFILE_NONE; b = rf.blocks[b].next_same) {
		if (rf.blocks[b].deleted) {
			free_pairs(*v, *n);
			*v = NULL;
			*n = cap = 0;
			continue;
		}
		size_t cursor = 0;
		ss_regvalue val;
		while (rc == 0 && ss_regfile_next_value(&rf, b, &cursor, &val)) {
			ss_buf name = SS_BUF_INIT, raw = SS_BUF_INIT, value = SS_BUF_INIT;
			if (val.type != SS_REG_SZ)
				continue;
			rc = ss_regfile_value_name(&rf, &val, &raw) ||
			     ss_regfile_value_string(&rf, &val, &value);
			const char *colon = rc ? NULL : strchr(raw.data ? raw.data : "", ':');
			if (rc == 0 && colon &&
			    (ss_buf_add(&name, raw.data, (size_t)(colon + 1 - raw.data)) ||
			     ss_putty_unescape_name(colon + 1, strlen(colon + 1), &name)))
				rc = -1;
			if (rc == 0 && colon && *n == cap) {
				ss_hk_pair *nv =
				    realloc(*v, (cap = cap ? cap * 2 : 8) * sizeof *nv);
				if (!nv)
					rc = -1;
				else
					*v = nv;
			}
			if (rc == 0 && colon) {
				(*v)[*n].name = ss_buf_detach(&name, NULL);
				(*v)[*n].value = ss_buf_detach(&value, NULL);
				if (!(*v)[*n].name || !(*v)[*n].value)
					rc = -1;
				else
					(*n)++;
			}
			ss_buf_release(&name);
			ss_buf_release(&raw);
			ss_buf_release(&value);
		}
	}
	ss_regfile_free(&rf);
	return rc ? ss_diag_oom(d) : 0;
}

/* "TYPE@PORT:HOST" as PuTTY names the registry value: HOST through
 * escape_registry_key, then quoted for a .reg line. */
static int reg_line(ss_buf *out, const char *name, const char *value, const char *eol)
{
	const char *colon = strchr(name, ':');
	ss_buf esc = SS_BUF_INIT;
	int rc = !colon || ss_putty_escape_name(colon + 1, &esc) ? -1 : 0;
	if (rc == 0)
		rc = ss_buf_addc(out, '"') || ss_buf_add(out, name, (size_t)(colon + 1 - name));
	for (const char *p = ss_buf_str(&esc); rc == 0 && *p; p++)
		rc = ((*p == '"' || *p == '\\') && ss_buf_addc(out, '\\')) || ss_buf_addc(out, *p);
	if (rc == 0)
		rc = ss_buf_adds(out, "\"=\"");
	for (const char *p = value; rc == 0 && *p; p++)
		rc = ((*p == '"' || *p == '\\') && ss_buf_addc(out, '\\')) || ss_buf_addc(out, *p);
	if (rc == 0)
		rc = ss_buf_addf(out, "\"%s", eol);
	ss_buf_release(&esc);
	return rc ? -1 : 0;
}

/* --- OpenSSH -> PuTTY -------------------------------------------------------- */

static int wanted(const char *entry_name, const ss_hk_host *hosts, size_t nhosts);

/* Only the migrated hosts' keys go into a cache: known_hosts may know many
 * more hosts than the sessions being migrated. */
static void keep_wanted(ss_hk_putty *p, const ss_hk_host *hosts, size_t nhosts)
{
	size_t k = 0;
	for (size_t i = 0; i < p->n_keys; i++) {
		if (wanted(p->keys[i].name, hosts, nhosts)) {
			p->keys[k++] = p->keys[i];
			continue;
		}
		free(p->keys[i].name);
		free(p->keys[i].value);
	}
	p->n_keys = k;
}

/* New cache entries into the Unix sshhostkeys file `store`, or with `reg`
 * into the SshHostKeys key of the .reg file `store`. */
static int plan_putty_cache(const ss_hk_putty *p, const char *store, int reg, ss_changeset *cs,
			    ss_strlist *notes, ss_diag *d)
{
	ss_change *c = change_of(cs, store, d);
	ss_hk_pair *have = NULL;
	size_t nhave = 0;
	ss_buf add = SS_BUF_INIT;
	int rc = c ? 0 : -1;
	if (rc == 0 && reg)
		rc = read_reg_cache(c->text, &have, &nhave, d);
	else if (rc == 0 && read_cache(c->text, &have, &nhave))
		rc = ss_diag_oom(d);
	const char *eol = rc == 0 && reg ? "\r\n" : "\n";
	if (rc == 0 && reg && c->text->len)
		eol = ss_text_eol_string(c->text);
	for (size_t i = 0; rc == 0 && i < p->n_keys; i++) {
		const ss_hk_pair *k = &p->keys[i];
		int skip = 0;
		for (size_t j = 0; j < nhave && !skip; j++) {
			if (strcmp(have[j].name, k->name) != 0)
				continue;
			skip = 1;
			if (strcmp(have[j].value, k->value) != 0 &&
			    notef(notes, "%s: PuTTY has another key cached for %s: kept", store,
				  k->name))
				rc = ss_diag_oom(d);
		}
		if (skip || rc)
			continue;
		if (reg && add.len == 0 && ss_buf_addf(&add, "%s[%s]%s", eol, HOSTKEYS_KEY, eol))
			rc = ss_diag_oom(d);
		else if (reg ? reg_line(&add, k->name, k->value, eol) != 0
			     : ss_buf_addf(&add, "%s %s\n", k->name, k->value) != 0)
			rc = ss_diag_oom(d);
	}
	if (rc == 0 && add.len && ss_edits_append(&c->edits, c->text, add.data, add.len))
		rc = ss_diag_oom(d);
	free_pairs(have, nhave);
	ss_buf_release(&add);
	return rc;
}

/* Host CAs as new files of <putty dir>/sshhostcas/ (an existing one of
 * that name is left as it is). */
static int plan_putty_cas(const ss_hk_putty *p, const char *putty_dir, ss_changeset *cs,
			  ss_strlist *notes, ss_diag *d)
{
	for (size_t i = 0; i < p->n_cas; i++) {
		char *path = ss_asprintf("%s/sshhostcas/%s", putty_dir, p->cas[i].name);
		if (!path)
			return ss_diag_oom(d);
		ss_change *c = change_of(cs, path, d);
		ss_buf body = SS_BUF_INIT;
		int rc = c ? 0 : -1;
		if (rc == 0 && c->text->len)
			rc = notef(notes, "%s exists: the host CA is not written", path)
				 ? ss_diag_oom(d)
				 : 0;
		else if (rc == 0 && (ss_hk_render_putty_ca(&p->cas[i], &body) ||
				     ss_edits_append(&c->edits, c->text, body.data, body.len)))
			rc = ss_diag_oom(d);
		ss_buf_release(&body);
		free(path);
		if (rc)
			return rc;
	}
	return 0;
}

/* Loads known_hosts into t: 1 loaded, 0 absent (a note says so), -1. */
static int load_known_hosts(const char *known_hosts, ss_text *t, ss_strlist *notes, ss_diag *d)
{
	if (ss_os_path_present(known_hosts) == 0)
		return notef(notes, "%s: no such file: no host keys to carry", known_hosts)
			   ? ss_diag_oom(d)
			   : 0;
	return ss_text_load(t, known_hosts, 0, d) < 0 ? -1 : 1;
}

static int to_putty(const char *known_hosts, const char *store, int reg, const ss_hk_host *hosts,
		    size_t nhosts, ss_changeset *cs, ss_strlist *notes, ss_diag *d)
{
	ss_text t;
	int got = load_known_hosts(known_hosts, &t, notes, d);
	if (got <= 0)
		return got;
	ss_hk_putty p = SS_HK_PUTTY_INIT;
	char *cache = reg ? ss_strdup(store) : ss_asprintf("%s/sshhostkeys", store);
	int rc = cache ? ss_hk_from_known_hosts(t.data, t.len, known_hosts, hosts, nhosts, &p, d)
		       : ss_diag_oom(d);
	if (rc == 0)
		keep_wanted(&p, hosts, nhosts);
	if (rc == 0)
		rc = plan_putty_cache(&p, cache, reg, cs, notes, d);
	if (rc == 0 && !reg)
		rc = plan_putty_cas(&p, store, cs, notes, d);
	for (size_t i = 0; rc == 0 && reg && i < p.n_cas; i++)
		rc = notef(notes, "%s: host CA %s: only written for PuTTY's Unix folder so far",
			   store, p.cas[i].name)
			 ? ss_diag_oom(d)
			 : 0;
	for (size_t i = 0; rc == 0 && i < p.n_manual; i++) {
		ss_buf m = SS_BUF_INIT;
		rc = ss_hk_render_manual(&p.manual[i], &m) ||
			     notef(notes,
				   "session %s: its key comes from a wildcard or several keys; "
				   "pin it with SSHManualHostKeys=%s",
				   p.manual[i].session, ss_buf_str(&m))
			 ? ss_diag_oom(d)
			 : 0;
		ss_buf_release(&m);
	}
	if (rc == 0 && copy_notes(&p, notes))
		rc = ss_diag_oom(d);
	free(cache);
	ss_hk_putty_release(&p);
	ss_text_free(&t);
	return rc;
}

/* --- PuTTY -> OpenSSH -------------------------------------------------------- */

/* Whether known_hosts text `t` has key `b64` of `type` for `name`: 1, or 2
 * when it has another key of that type for it, else 0. */
static int kh_has(const ss_text *t, const char *name, const char *type, const char *b64)
{
	int other = 0;
	size_t tl = strlen(type), bl = strlen(b64);
	for (size_t i = 0; i < t->nlines; i++) {
		const char *s = t->data + t->lines[i], *e = t->data + ss_text_line_end(t, i);
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if (s == e || *s == '#' || *s == '@')
			continue;
		const char *h = s;
		while (s < e && *s != ' ' && *s != '\t')
			s++;
		size_t hl = (size_t)(s - h);
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if ((size_t)(e - s) < tl + 1 || memcmp(s, type, tl) != 0 ||
		    (s[tl] != ' ' && s[tl] != '\t'))
			continue;
		int match = ss_hk_hashed_is(h, hl, name);
		if (match < 0) { /* a plain list */
			match = 0;
			for (const char *p = h; p < h + hl;) {
				const char *comma = memchr(p, ',', (size_t)(h + hl - p));
				size_t n = (size_t)((comma ? comma : h + hl) - p);
				if (n == strlen(name) && strncmp(p, name, n) == 0)
					match = 1;
				p += n + 1;
			}
		}
		if (!match)
			continue;
		s += tl;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if ((size_t)(e - s) >= bl && memcmp(s, b64, bl) == 0 &&
		    (s + bl == e || s[bl] == ' ' || s[bl] == '\t' || s[bl] == '\r'))
			return 1;
		other = 1;
	}
	return other ? 2 : 0;
}

static int wanted(const char *entry_name, const ss_hk_host *hosts, size_t nhosts)
{
	const char *at = strchr(entry_name, '@'), *colon = at ? strchr(at, ':') : NULL;
	if (!colon)
		return 0;
	int port = atoi(at + 1);
	for (size_t i = 0; i < nhosts; i++)
		if (hosts[i].port == port && strcmp(hosts[i].name, colon + 1) == 0)
			return 1;
	return 0;
}

/* The cache entries `all` of the migrated hosts as known_hosts lines that
 * `known_hosts` lacks, appended to it. */
static int plan_known_hosts(const ss_hk_pair *all, size_t nall, const char *known_hosts,
			    const ss_hk_host *hosts, size_t nhosts, ss_changeset *cs,
			    ss_strlist *notes, ss_diag *d)
{
	ss_hk_pair *mine = calloc(nall + 1, sizeof *mine);
	size_t nmine = 0;
	ss_buf lines = SS_BUF_INIT, add = SS_BUF_INIT;
	ss_hk_putty p = SS_HK_PUTTY_INIT;
	int rc = mine ? 0 : ss_diag_oom(d);
	for (size_t i = 0; rc == 0 && i < nall; i++)
		if (wanted(all[i].name, hosts, nhosts))
			mine[nmine++] = all[i];
	if (rc == 0)
		rc = ss_hk_to_known_hosts(mine, nmine, &lines, &p, d);
	ss_change *c = rc == 0 ? change_of(cs, known_hosts, d) : NULL;
	if (rc == 0 && !c)
		rc = -1;
	/* Only lines known_hosts does not have yet. */
	for (char *s = lines.data; rc == 0 && s && *s;) {
		char *nl = strchr(s, '\n');
		char *l = ss_strndup(s, nl ? (size_t)(nl - s) : strlen(s));
		char *sp1 = l ? strchr(l, ' ') : NULL, *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
		if (!sp2) {
			free(l);
			rc = ss_diag_oom(d);
			break;
		}
		*sp1 = *sp2 = '\0';
		int has = kh_has(c->text, l, sp1 + 1, sp2 + 1);
		if (has == 2)
			rc = notef(notes, "%s has another %s key for %s: not added", known_hosts,
				   sp1 + 1, l);
		else if (has == 0)
			rc = ss_buf_addf(&add, "%s %s %s\n", l, sp1 + 1, sp2 + 1);
		if (rc)
			rc = ss_diag_oom(d);
		free(l);
		s = nl ? nl + 1 : NULL;
	}
	if (rc == 0 && add.len && ss_edits_append(&c->edits, c->text, add.data, add.len))
		rc = ss_diag_oom(d);
	if (rc == 0 && copy_notes(&p, notes))
		rc = ss_diag_oom(d);
	free(mine);
	ss_buf_release(&lines);
	ss_buf_release(&add);
	ss_hk_putty_release(&p);
	return rc;
}

static int to_known_hosts(const char *store, int reg, const char *known_hosts,
			  const ss_hk_host *hosts, size_t nhosts, ss_changeset *cs,
			  ss_strlist *notes, ss_diag *d)
{
	char *cache = reg ? ss_strdup(store) : ss_asprintf("%s/sshhostkeys", store);
	if (!cache)
		return ss_diag_oom(d);
	int exists = ss_os_path_present(cache), rc = 0;
	if (exists != 1) {
		rc = notef(notes, "%s: no such file: no host keys to carry", cache) ? ss_diag_oom(d)
										    : 0;
		free(cache);
		return rc;
	}
	ss_text t;
	if (ss_text_load(&t, cache, 0, d) < 0) {
		free(cache);
		return -1;
	}
	ss_hk_pair *all = NULL;
	size_t nall = 0;
	rc = reg			   ? read_reg_cache(&t, &all, &nall, d)
	     : read_cache(&t, &all, &nall) ? ss_diag_oom(d)
					   : 0;
	if (rc == 0)
		rc = plan_known_hosts(all, nall, known_hosts, hosts, nhosts, cs, notes, d);
	free_pairs(all, nall);
	ss_text_free(&t);
	free(cache);
	return rc;
}

int ss_hk_plan(int to_putty_side, const char *known_hosts, const char *putty_store, int reg,
	       const ss_sessions *l, ss_changeset *cs, ss_strlist *notes, ss_diag *d)
{
	ss_hk_host *hosts = NULL;
	size_t n = 0;
	ss_strlist keep = SS_STRLIST_INIT;
	if (ss_hk_hosts_of_sessions(l, &hosts, &n, &keep))
		return ss_diag_oom(d);
	int rc = to_putty_side
		     ? to_putty(known_hosts, putty_store, reg, hosts, n, cs, notes, d)
		     : to_known_hosts(putty_store, reg, known_hosts, hosts, n, cs, notes, d);
	free(hosts);
	ss_strlist_release(&keep);
	return rc;
}

/* --- WinSCP's cache -------------------------------------------------------- */

/* WinSCP keeps PuTTY's host key cache in its own configuration: its PuTTY
 * code opens the subkey "SshHostKeys" of the configuration storage
 * (PuttyIntf.cpp open_regkey_fn_winscp, Configuration.cpp
 * GetSshHostKeysSubKey) and writes each value raw under PuTTY's name
 * (storage.c hostkey_regname: "TYPE@PORT:" and the host through
 * escape_registry_key): the key "Software\Martin Prikryl\WinSCP 2\SshHostKeys"
 * of the registry, the section [SshHostKeys] of WinSCP.ini. Through the
 * storage layer, every other key and section stays as it is. */
static const ss_storage_root winscp_cache_root = {
    .regkey = "Software\\Martin Prikryl\\WinSCP 2", .section = "", .fallback = "winini"};
/* KiTTY (registry mode) keeps PuTTY's cache under its own key, with
 * PuTTY's names (K76 windows/storage.c); its portable mode's one file per
 * key is not written here. */
static const ss_storage_root kitty_cache_root = {.regkey = "Software\\9bis.com\\KiTTY",
						 .fallback = "regfile"};
#define WINSCP_CACHE "SshHostKeys"

/* PuTTY's value name of "TYPE@PORT:HOST". */
static int putty_value_name(const char *name, ss_buf *out)
{
	const char *colon = strchr(name, ':');
	if (!colon)
		return -1;
	return ss_buf_add(out, name, (size_t)(colon + 1 - name)) ||
		       ss_putty_escape_name(colon + 1, out)
		   ? -1
		   : 0;
}

/* Whether WinSCP's value (a key string, or several separated by ';')
 * holds `key`. */
static int winscp_has(const char *value, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = value; p && *p;) {
		const char *semi = strchr(p, ';');
		size_t len = semi ? (size_t)(semi - p) : strlen(p);
		if (len == n && memcmp(p, key, n) == 0)
			return 1;
		p = semi ? semi + 1 : NULL;
	}
	return 0;
}

/* One cache entry into WinSCP's SshHostKeys (*idx: its index, SIZE_MAX
 * until created). */
static int winscp_put(ss_storage *st, size_t *idx, const ss_hk_pair *k, const char *store,
		      const char *client, ss_strlist *notes, ss_diag *d)
{
	ss_buf name = SS_BUF_INIT;
	ss_svalue v;
	memset(&v, 0, sizeof v);
	int rc = putty_value_name(k->name, &name) ? ss_diag_oom(d) : 0;
	if (rc == 0 && strchr(ss_buf_str(&name), '=')) {
		/* WinSCP.ini re-encodes such a name (MungeIniName): not guessed */
		rc = notef(notes, "%s: %s: a host name with '=' is not carried", store, k->name)
			 ? ss_diag_oom(d)
			 : 0;
		ss_buf_release(&name);
		return rc;
	}
	int have = rc == 0 && *idx != SIZE_MAX ? ss_storage_get(st, *idx, name.data, &v, d) : 0;
	if (have < 0)
		rc = -1;
	else if (have == 1 && !winscp_has(v.text ? v.text : "", k->value))
		rc = notef(notes, "%s: %s has another key cached for %s: kept", store, client,
			   k->name)
			 ? ss_diag_oom(d)
			 : 0;
	else if (have == 0 && rc == 0) {
		if (*idx == SIZE_MAX)
			rc = ss_storage_create(st, WINSCP_CACHE, idx, d);
		if (rc == 0)
			rc = ss_storage_set_string(st, *idx, name.data, k->value, d);
	}
	ss_svalue_free(&v);
	ss_buf_release(&name);
	return rc;
}

static int to_winscp(const char *known_hosts, const char *store, const ss_storage_root *root,
		     const char *client, const ss_hk_host *hosts, size_t nhosts, ss_changeset *cs,
		     ss_strlist *notes, ss_diag *d)
{
	ss_text t;
	int got = load_known_hosts(known_hosts, &t, notes, d);
	if (got <= 0)
		return got;
	ss_hk_putty p = SS_HK_PUTTY_INIT;
	ss_storage *st = NULL;
	int rc = ss_hk_from_known_hosts(t.data, t.len, known_hosts, hosts, nhosts, &p, d);
	if (rc == 0)
		keep_wanted(&p, hosts, nhosts);
	if (rc == 0)
		rc = ss_storage_open(&st, store, root, NULL, cs, d);
	size_t idx = rc == 0 ? ss_storage_find(st, WINSCP_CACHE) : SIZE_MAX;
	for (size_t i = 0; rc == 0 && i < p.n_keys; i++)
		rc = winscp_put(st, &idx, &p.keys[i], store, client, notes, d);
	if (rc == 0)
		rc = ss_storage_commit(st, d);
	for (size_t i = 0; rc == 0 && i < p.n_cas; i++)
		rc =
		    notef(notes, "%s: host CA %s: not written for %s", store, p.cas[i].name, client)
			? ss_diag_oom(d)
			: 0;
	for (size_t i = 0; rc == 0 && i < p.n_manual; i++)
		rc = notef(notes,
			   "session %s: its key comes from a wildcard or several keys: %s's "
			   "cache keeps one per host; not carried",
			   p.manual[i].session, client)
			 ? ss_diag_oom(d)
			 : 0;
	if (rc == 0 && copy_notes(&p, notes))
		rc = ss_diag_oom(d);
	ss_storage_close(st);
	ss_hk_putty_release(&p);
	ss_text_free(&t);
	return rc;
}

/* WinSCP's cache entries, names unescaped to "TYPE@PORT:HOST". */
static int read_winscp_cache(ss_storage *st, size_t idx, ss_hk_pair **v, size_t *n, ss_diag *d)
{
	size_t cap = 0;
	ss_storage_cursor cur = {0, 0};
	ss_svalue sv;
	int r;
	while ((r = ss_storage_next(st, idx, &cur, &sv, d)) == 1) {
		const char *colon = strchr(sv.name, ':');
		ss_buf name = SS_BUF_INIT;
		int rc = 0;
		if (colon && sv.text &&
		    (ss_buf_add(&name, sv.name, (size_t)(colon + 1 - sv.name)) ||
		     ss_putty_unescape_name(colon + 1, strlen(colon + 1), &name)))
			rc = -1;
		if (rc == 0 && colon && sv.text && *n == cap) {
			ss_hk_pair *nv = realloc(*v, (cap = cap ? cap * 2 : 8) * sizeof *nv);
			if (nv)
				*v = nv;
			else
				rc = -1;
		}
		if (rc == 0 && colon && sv.text) {
			(*v)[*n].name = ss_buf_detach(&name, NULL);
			(*v)[*n].value = ss_strdup(sv.text);
			rc = (*v)[*n].name && (*v)[*n].value ? 0 : -1;
			if (rc) {
				free((*v)[*n].name);
				free((*v)[*n].value);
			} else {
				(*n)++;
			}
		}
		ss_buf_release(&name);
		ss_svalue_free(&sv);
		if (rc)
			return ss_diag_oom(d);
	}
	return r;
}

static int from_winscp(const char *store, const ss_storage_root *root, const char *known_hosts,
		       const ss_hk_host *hosts, size_t nhosts, ss_changeset *cs, ss_strlist *notes,
		       ss_diag *d)
{
	ss_storage *st = NULL;
	if (ss_storage_open(&st, store, root, NULL, NULL, d) < 0)
		return -1;
	size_t idx = ss_storage_find(st, WINSCP_CACHE);
	ss_hk_pair *all = NULL;
	size_t nall = 0;
	int rc = 0;
	if (idx == SIZE_MAX)
		rc = notef(notes, "%s: no SshHostKeys: no host keys to carry", store)
			 ? ss_diag_oom(d)
			 : 0;
	else
		rc = read_winscp_cache(st, idx, &all, &nall, d);
	if (rc == 0 && idx != SIZE_MAX)
		rc = plan_known_hosts(all, nall, known_hosts, hosts, nhosts, cs, notes, d);
	free_pairs(all, nall);
	ss_storage_close(st);
	return rc;
}

int ss_hk_plan_winscp(int to_winscp_side, const char *known_hosts, const char *store,
		      const ss_sessions *l, ss_changeset *cs, ss_strlist *notes, ss_diag *d)
{
	return ss_hk_plan_store(to_winscp_side, "winscp", known_hosts, store, l, cs, notes, d);
}

int ss_hk_plan_store(int to_store, const char *client, const char *known_hosts, const char *store,
		     const ss_sessions *l, ss_changeset *cs, ss_strlist *notes, ss_diag *d)
{
	int kitty = strcmp(client, "kitty") == 0;
	const ss_storage_root *root = kitty ? &kitty_cache_root : &winscp_cache_root;
	const char *name = kitty ? "KiTTY" : "WinSCP";
	ss_hk_host *hosts = NULL;
	size_t n = 0;
	ss_strlist keep = SS_STRLIST_INIT;
	if (ss_hk_hosts_of_sessions(l, &hosts, &n, &keep))
		return ss_diag_oom(d);
	int rc = to_store ? to_winscp(known_hosts, store, root, name, hosts, n, cs, notes, d)
			  : from_winscp(store, root, known_hosts, hosts, n, cs, notes, d);
	free(hosts);
	ss_strlist_release(&keep);
	return rc;
}
