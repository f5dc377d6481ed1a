/* storage backend: the live Windows registry (a reg: target such as
 * HKCU\Software\SimonTatham\PuTTY\Sessions) over os/registry.
 *
 * The path is the sessions key itself; its sessions are its subkeys in the
 * order RegEnumKeyEx gives them, with their names as Windows holds them
 * (UTF-16, carried as UTF-8 without loss: a key listed is the key read and
 * written). Each value is read as RegQueryValueEx returns it, with its
 * type: a REG_DWORD of four bytes is a DWORD, a REG_SZ a string, anything
 * else is reported as such. Where a value is: its registry path.
 *
 * Why the W functions and not PuTTY's A ones: PuTTY (windows/storage.c)
 * opens "Sessions\\" + escape_registry_key(name) with RegOpenKey and
 * RegCreateKey in the ANSI code page, and its escaping turns every byte
 * outside '!'..'~' (and space, \\ * ? %, a leading .) into %XX: a key that
 * PuTTY made is ASCII, which the A and W functions name alike. A key made
 * by anything else (a .reg import, another tool) may hold characters the
 * ANSI code page has not; RegEnumKeyA would give '?' for them and the name
 * read back would open another key or none. Through the W functions the
 * name enumerated is the name written, byte for byte in UTF-16, so that a
 * session PuTTY lists as cafÃ© (the key caf%C3%A9, or the key cafÃ© made by
 * an import) keeps its key: nothing here renames or re-escapes a key.
 *
 * Writing (a storage opened with a changeset): set, delete and create are
 * planned against the values read; commit adds one change to the
 * changeset whose text is the .reg form of the values before (the backup)
 * and whose edits make it the .reg form after (see store/winreg.h), and
 * whose sink writes it through the registry API after reading again every
 * session the plan read (any difference: nothing is written). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend.h"
#include "sshsync/os_registry.h"
#include "sshsync/winreg.h"

typedef struct rpriv {
	ss_osreg_values *values; /* per session, read on first use */
	unsigned char *read;
	char *full;	       /* the key's path as HKEY_CURRENT_USER\... */
	ss_winreg_state after; /* planned: per session changed, its key */
	size_t *planned;       /* per session: its key in `after`, or SIZE_MAX */
	size_t nplanned;       /* entries of `planned` (sessions may be created) */
} rpriv;

static rpriv *P(ss_storage *st)
{
	return st->priv;
}

static int is_reg_path(const char *path)
{
	static const char *const ROOTS[] = {"HKCU\\", "HKEY_CURRENT_USER\\", "HKLM\\",
					    "HKEY_LOCAL_MACHINE\\"};
	for (size_t i = 0; i < sizeof(ROOTS) / sizeof(ROOTS[0]); i++)
		if (strncasecmp(path, ROOTS[i], strlen(ROOTS[i])) == 0)
			return 1;
	return 0;
}

static int winreg_accepts(const ss_storage_root *root)
{
	return root->regkey != NULL;
}

static int winreg_probe(const char *path, int is_dir, const char *data, size_t len)
{
	(void)len;
	return path && !is_dir && !data && is_reg_path(path) ? 2 : 0;
}

static int winreg_open(ss_storage *st, ss_diag *d)
{
	rpriv *p = calloc(1, sizeof(*p));
	if (!p)
		return ss_diag_oom(d);
	st->priv = p;
	ss_osreg_key *key = NULL;
	int r = ss_osreg_open(st->path, 0, &key, d);
	if (r == 0)
		return ss_diag_set(d, st->path, 0, 0, "no such registry key");
	if (r < 0)
		return -1;
	ss_strlist names = SS_STRLIST_INIT;
	r = ss_osreg_subkeys(key, &names, d);
	if (r == 0 && !(p->full = ss_strdup(ss_osreg_path(key))))
		r = ss_diag_oom(d);
	ss_osreg_close(key);
	for (size_t i = 0; i < names.n && r == 0; i++)
		r = storage_add_session(st, names.v[i], strlen(names.v[i]), st->path, i, d);
	ss_strlist_release(&names);
	if (r == 0) {
		p->values = calloc(st->n ? st->n : 1, sizeof(*p->values));
		p->read = calloc(st->n ? st->n : 1, 1);
		if (!p->values || !p->read)
			r = ss_diag_oom(d);
	}
	return r;
}

static void winreg_close(ss_storage *st)
{
	rpriv *p = P(st);
	if (!p)
		return;
	for (size_t i = 0; p->values && i < st->n; i++)
		ss_osreg_values_free(&p->values[i]);
	free(p->values);
	free(p->read);
	free(p->full);
	free(p->planned);
	ss_winreg_state_free(&p->after);
	free(p);
	st->priv = NULL;
}

/* The values of session s, read once. */
static const ss_osreg_values *session_values(ss_storage *st, size_t s, ss_diag *d)
{
	rpriv *p = P(st);
	if (p->read[s] || st->sessions[s].created)
		return &p->values[s];
	char *path = ss_asprintf("%s\\%s", st->path, st->sessions[s].raw);
	if (!path) {
		ss_diag_oom(d);
		return NULL;
	}
	ss_osreg_key *key = NULL;
	int r = ss_osreg_open(path, 0, &key, d);
	free(path);
	if (r == 1) {
		r = ss_osreg_values_read(key, &p->values[s], d);
		ss_osreg_close(key);
	}
	if (r < 0)
		return NULL;
	p->read[s] = 1; /* a key deleted meanwhile has no values */
	return &p->values[s];
}

/* The value as a .reg line shows it, for messages. */
static int shown_data(const ss_osreg_value *v, ss_buf *out)
{
	const unsigned char *b = (const unsigned char *)v->data.data;
	if (v->type == 4 && v->data.len == 4)
		return ss_buf_addf(out, "dword:%02x%02x%02x%02x", b[3], b[2], b[1], b[0]);
	if (v->type == 1) {
		ss_buf u = SS_BUF_INIT;
		int r = ss_utf16le_to_utf8(b, v->data.len, &u);
		size_t n = u.len;
		while (n && u.data[n - 1] == '\0')
			n--;
		if (r == 0)
			r = ss_buf_addf(out, "\"%.*s\"", (int)n, u.data ? u.data : "");
		ss_buf_release(&u);
		return r;
	}
	int r = ss_buf_addf(out, "hex(%x):", (unsigned)v->type);
	for (size_t i = 0; i < v->data.len && r == 0; i++)
		r = ss_buf_addf(out, i ? ",%02x" : "%02x", b[i]);
	return r;
}

static int fill(ss_storage *st, size_t s, const ss_osreg_value *v, size_t order, ss_svalue *out)
{
	char *where = ss_asprintf("%s\\%s\\%s", st->path, st->sessions[s].raw, v->name);
	if (storage_value_init(out, v->name, strlen(v->name), where, order) < 0)
		return -1;
	ss_buf data = SS_BUF_INIT;
	int r = shown_data(v, &data);
	if (r == 0)
		out->shown =
		    storage_shown(1, v->name, strlen(v->name), ss_buf_str(&data), data.len);
	ss_buf_release(&data);
	if (r < 0 || !out->shown)
		return -1;
	const unsigned char *b = (const unsigned char *)v->data.data;
	if (v->type == 4 && v->data.len == 4) {
		out->type = SS_STYPE_DWORD;
		out->dword = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
			     ((uint32_t)b[3] << 24);
		out->is_int = out->plain = 1;
		out->ival = (int32_t)out->dword;
		return 0;
	}
	if (v->type == 1) {
		ss_buf u = SS_BUF_INIT;
		if (ss_utf16le_to_utf8(b, v->data.len, &u) < 0) {
			ss_buf_release(&u);
			return -1;
		}
		while (u.len && u.data[u.len - 1] == '\0') /* the final NUL */
			u.len--;
		out->type = SS_STYPE_STRING;
		out->text = ss_buf_detach(&u, NULL);
		return out->text ? 0 : -1;
	}
	out->type = SS_STYPE_OTHER;
	return 0;
}

static int winreg_get_many(ss_storage *st, size_t s, const char *const *names, size_t n,
			   ss_svalue *out, ss_diag *d)
{
	const ss_osreg_values *vals = session_values(st, s, d);
	if (!vals)
		return -1;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < vals->n; j++)
			if (strcasecmp(vals->v[j].name, names[i]) == 0) {
				if (fill(st, s, &vals->v[j], j, &out[i]) < 0)
					return ss_diag_oom(d);
				break;
			}
	return 0;
}

static int winreg_next(ss_storage *st, size_t s, ss_storage_cursor *c, ss_svalue *out, ss_diag *d)
{
	const ss_osreg_values *vals = session_values(st, s, d);
	if (!vals)
		return -1;
	if (c->a >= vals->n)
		return 0;
	size_t j = c->a++;
	return fill(st, s, &vals->v[j], j, out) < 0 ? ss_diag_oom(d) : 1;
}

/* The planned key of session s, added on first use. */
static ss_winreg_key *planned_key(ss_storage *st, size_t s, ss_diag *d)
{
	rpriv *p = P(st);
	if (s < p->nplanned && p->planned[s] != SIZE_MAX)
		return &p->after.v[p->planned[s]];
	if (s >= p->nplanned) {
		size_t n = st->n > s ? st->n : s + 1;
		size_t *v = realloc(p->planned, n * sizeof(*v));
		if (!v) {
			ss_diag_oom(d);
			return NULL;
		}
		for (size_t i = p->nplanned; i < n; i++)
			v[i] = SIZE_MAX;
		p->planned = v;
		p->nplanned = n;
	}
	char *path = ss_asprintf("%s\\%s", p->full, st->sessions[s].raw);
	ss_winreg_key *k = path ? ss_winreg_add_key(&p->after, path, 1) : NULL;
	free(path);
	if (!k) {
		ss_diag_oom(d);
		return NULL;
	}
	p->planned[s] = p->after.n - 1;
	return k;
}

/* The stored value of that name (names compare case-insensitively), or NULL. */
static const ss_osreg_value *stored(const ss_osreg_values *vals, const char *name)
{
	for (size_t j = 0; vals && j < vals->n; j++)
		if (strcasecmp(vals->v[j].name, name) == 0)
			return &vals->v[j];
	return NULL;
}

static int same_data(const ss_osreg_value *o, uint32_t type, const ss_buf *data)
{
	return o && o->type == type && o->data.len == data->len &&
	       (data->len == 0 || memcmp(o->data.data, data->data, data->len) == 0);
}

static int winreg_set(ss_storage *st, size_t s, const char *name, const ss_svalue *v, ss_diag *d)
{
	const ss_osreg_values *vals = session_values(st, s, d);
	if (!vals)
		return -1;
	ss_buf data = SS_BUF_INIT;
	uint32_t type = v->type == SS_STYPE_DWORD ? SS_WINREG_DWORD : SS_WINREG_SZ;
	int r = 0;
	if (v->type == SS_STYPE_DWORD) {
		unsigned char b[4] = {(unsigned char)v->dword, (unsigned char)(v->dword >> 8),
				      (unsigned char)(v->dword >> 16),
				      (unsigned char)(v->dword >> 24)};
		r = ss_buf_add(&data, b, 4);
	} else {
		r = ss_winreg_sz_data(v->text ? v->text : "", &data);
	}
	const ss_osreg_value *o = stored(vals, name);
	if (r < 0) {
		r = ss_diag_oom(d);
	} else if (!same_data(o, type, &data)) {
		/* The name as stored: RegSetValueEx keeps a value's spelling anyway. */
		ss_winreg_key *k = planned_key(st, s, d);
		if (!k)
			r = -1;
		else if (ss_winreg_add_value(k, o ? o->name : name, 1, type, data.data, data.len) <
			 0)
			r = ss_diag_oom(d);
	}
	ss_buf_release(&data);
	return r;
}

static int winreg_del(ss_storage *st, size_t s, const char *name, ss_diag *d)
{
	const ss_osreg_values *vals = session_values(st, s, d);
	if (!vals)
		return -1;
	const ss_osreg_value *o = stored(vals, name);
	if (!o)
		return 0;
	ss_winreg_key *k = planned_key(st, s, d);
	if (!k)
		return -1;
	return ss_winreg_add_value(k, o->name, 0, 0, NULL, 0) < 0 ? ss_diag_oom(d) : 0;
}

static int winreg_create(ss_storage *st, size_t s, ss_diag *d)
{
	rpriv *p = P(st);
	/* Room for the new session's cached values (none). */
	ss_osreg_values *v = realloc(p->values, st->n * sizeof(*v));
	if (v)
		p->values = v;
	unsigned char *rd = v ? realloc(p->read, st->n) : NULL;
	if (rd)
		p->read = rd;
	if (!v || !rd)
		return ss_diag_oom(d);
	memset(&p->values[s], 0, sizeof(p->values[s]));
	p->read[s] = 1;
	return planned_key(st, s, d) ? 0 : -1;
}

/* The values before: per planned key, what the store held of each value
 * planned (a created session: no key). */
static int plan_before(ss_storage *st, ss_winreg_state *before, ss_diag *d)
{
	rpriv *p = P(st);
	for (size_t i = 0; i < p->after.n; i++) {
		size_t s = 0;
		while (s < p->nplanned && p->planned[s] != i)
			s++;
		int created = st->sessions[s].created;
		ss_winreg_key *k = ss_winreg_add_key(before, p->after.v[i].path, !created);
		if (!k)
			return ss_diag_oom(d);
		for (size_t j = 0; !created && j < p->after.v[i].n; j++) {
			const ss_osreg_value *o = stored(&p->values[s], p->after.v[i].v[j].name);
			if (ss_winreg_add_value(k, p->after.v[i].v[j].name, o != NULL,
						o ? o->type : 0, o ? o->data.data : NULL,
						o ? o->data.len : 0) < 0)
				return ss_diag_oom(d);
		}
	}
	return 0;
}

/* Every session the plan read, whole, as it was read. */
static int plan_deps(ss_storage *st, ss_winreg_state *deps, ss_diag *d)
{
	rpriv *p = P(st);
	for (size_t s = 0; s < st->n; s++) {
		if (!p->read[s] || st->sessions[s].created)
			continue;
		char *path = ss_asprintf("%s\\%s", p->full, st->sessions[s].raw);
		ss_winreg_key *k = path ? ss_winreg_add_key(deps, path, 1) : NULL;
		free(path);
		if (!k)
			return ss_diag_oom(d);
		k->all = 1;
		for (size_t j = 0; j < p->values[s].n; j++) {
			const ss_osreg_value *o = &p->values[s].v[j];
			if (ss_winreg_add_value(k, o->name, 1, o->type, o->data.data, o->data.len) <
			    0)
				return ss_diag_oom(d);
		}
	}
	return 0;
}

/* Where the lines of `text` from `from` end: the next blank line, or the end. */
static size_t chunk_end(const char *text, size_t len, size_t from)
{
	const char *e = from < len ? strstr(text + from, "\r\n\r\n") : NULL;
	return e ? (size_t)(e - text) + 2 : len;
}

/* Edits that turn the before text into the after text, key by key and,
 * where a key keeps its lines, line by line. */
static int plan_edits(ss_edits *e, const ss_buf *before, const size_t *bat, const ss_buf *after,
		      const size_t *aat, size_t nkeys)
{
	for (size_t i = 0; i < nkeys; i++) {
		size_t b0 = bat[i], b1 = chunk_end(before->data, before->len, b0);
		size_t a0 = aat[i], a1 = chunk_end(after->data, after->len, a0);
		size_t nb = 0, na = 0;
		for (size_t x = b0; x < b1; x++)
			nb += before->data[x] == '\n';
		for (size_t x = a0; x < a1; x++)
			na += after->data[x] == '\n';
		if (nb != na) {
			if (ss_edits_replace(e, b0, b1, after->data + a0, a1 - a0) < 0)
				return -1;
			continue;
		}
		while (b0 < b1) {
			size_t bl = (size_t)((char *)memchr(before->data + b0, '\n', b1 - b0) -
					     before->data) +
				    1;
			size_t al = (size_t)((char *)memchr(after->data + a0, '\n', a1 - a0) -
					     after->data) +
				    1;
			if ((bl - b0 != al - a0 ||
			     memcmp(before->data + b0, after->data + a0, bl - b0)) &&
			    ss_edits_replace(e, b0, bl, after->data + a0, al - a0) < 0)
				return -1;
			b0 = bl;
			a0 = al;
		}
	}
	return 0;
}

/* The change's text: the backup (.reg of the values before), named
 * reg:KEY, with the edits that make it the .reg of the values after. */
static int add_change(ss_storage *st, const ss_winreg_state *before, ss_change **out, ss_diag *d)
{
	rpriv *p = P(st);
	ss_buf bt = SS_BUF_INIT, at = SS_BUF_INIT, file = SS_BUF_INIT;
	size_t *bat = calloc(before->n + 1, sizeof(*bat)),
	       *aat = calloc(before->n + 1, sizeof(*aat));
	char *name = ss_asprintf("%s%s", SS_WINREG_JOURNAL_PREFIX, p->full);
	ss_text *t = calloc(1, sizeof(*t));
	int r = bat && aat && name && t ? 0 : ss_diag_oom(d);
	if (r == 0)
		r = ss_winreg_render(before, &bt, bat, d);
	if (r == 0)
		r = ss_winreg_render(&p->after, &at, aat, d);
	if (r == 0 && (ss_buf_add(&file, "\xff\xfe", 2) < 0 ||
		       ss_utf8_to_utf16le(bt.data, bt.len, &file) < 0))
		r = ss_diag_oom(d);
	if (r == 0)
		r = ss_text_from_bytes(t, name, file.data, file.len, d);
	ss_change *c = NULL;
	if (r == 0) {
		c = ss_changeset_add(st->cs, t); /* owns t from here */
		t = NULL;
		r = c ? 0 : ss_diag_oom(d);
	}
	if (r == 0 && plan_edits(&c->edits, &bt, bat, &at, aat, before->n) < 0)
		r = ss_diag_oom(d);
	free(t);
	free(bat);
	free(aat);
	free(name);
	ss_buf_release(&bt);
	ss_buf_release(&at);
	ss_buf_release(&file);
	*out = c;
	return r;
}

static int winreg_commit(ss_storage *st, ss_diag *d)
{
	rpriv *p = P(st);
	if (p->after.n == 0)
		return 0;
	ss_winreg_state before = SS_WINREG_STATE_INIT, deps = SS_WINREG_STATE_INIT;
	ss_change *c = NULL;
	int r = plan_before(st, &before, d);
	if (r == 0)
		r = plan_deps(st, &deps, d);
	if (r == 0)
		r = add_change(st, &before, &c, d);
	if (r < 0) {
		ss_winreg_state_free(&before);
		ss_winreg_state_free(&deps);
		return -1;
	}
	c->sink_ctx = ss_winreg_sink_new(&p->after, &before, &deps);
	if (!c->sink_ctx)
		return ss_diag_oom(d);
	c->sink = &ss_winreg_sink;
	return 0;
}

const ss_storage_backend ss_storage_winreg = {
    .name = "winreg",
    .keyed = 1,
    .dedicated = 1,
    .accepts = winreg_accepts,
    .probe = winreg_probe,
    .open = winreg_open,
    .close = winreg_close,
    .fold_case = 1,
    .get_many = winreg_get_many,
    .next = winreg_next,
    .set = winreg_set,
    .del = winreg_del,
    .create = winreg_create,
    .commit = winreg_commit,
};
