/* `migrate --host-keys`: the host keys of the migrated sessions planned
 * into the target's store through the changeset (hostkeys.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/changeset.h"
#include "sshsync/edit.h"
#include "sshsync/hostkeys.h"
#include "sshsync/os_proc.h"
#include "sshsync/putty.h"
#include "sshsync/regfile.h"
#include "sshsync/session.h"
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
		const char *s = t->data + t->lines[i].start;
		size_t len = t->lines[i].len;
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

static int to_putty(const char *known_hosts, const char *store, int reg, const ss_hk_host *hosts,
		    size_t nhosts, ss_changeset *cs, ss_strlist *notes, ss_diag *d)
{
	int exists = ss_os_path_present(known_hosts);
	if (exists == 0)
		return notef(notes, "%s: no such file: no host keys to carry", known_hosts)
			   ? ss_diag_oom(d)
			   : 0;
	ss_text t;
	if (ss_text_load(&t, known_hosts, 0, d) < 0)
		return -1;
	ss_hk_putty p = SS_HK_PUTTY_INIT;
	char *cache = reg ? ss_strdup(store) : ss_asprintf("%s/sshhostkeys", store);
	int rc = cache ? ss_hk_from_known_hosts(t.data, t.len, known_hosts, hosts, nhosts, &p, d)
		       : ss_diag_oom(d);
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
		const char *s = t->data + t->lines[i].start, *e = s + t->lines[i].len;
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
	ss_hk_pair *all = NULL, *mine = NULL;
	size_t nall = 0, nmine = 0;
	ss_buf lines = SS_BUF_INIT, add = SS_BUF_INIT;
	ss_hk_putty p = SS_HK_PUTTY_INIT;
	rc = reg			   ? read_reg_cache(&t, &all, &nall, d)
	     : read_cache(&t, &all, &nall) ? ss_diag_oom(d)
					   : 0;
	if (rc == 0 && !(mine = calloc(nall + 1, sizeof *mine)))
		rc = ss_diag_oom(d);
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
	free_pairs(all, nall);
	ss_buf_release(&lines);
	ss_buf_release(&add);
	ss_hk_putty_release(&p);
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
