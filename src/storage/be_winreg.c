/* storage backend: the live Windows registry (a reg: target such as
 * HKCU\Software\SimonTatham\PuTTY\Sessions) over os/registry.
 *
 * The path is the sessions key itself; its sessions are its subkeys in the
 * order RegEnumKeyEx gives them, with their names as Windows holds them
 * (UTF-16, carried as UTF-8 without loss: a key listed is the key read).
 * Each value is read as RegQueryValueEx returns it, with its type: a
 * REG_DWORD of four bytes is a DWORD, a REG_SZ a string, anything else
 * is reported as such. Where a value is: its registry path.
 *
 * Reading only: this build plans no change to the live registry (set,
 * delete and create say so); `sshsync export` writes the .reg file that
 * `reg import` applies. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend.h"
#include "sshsync/os_registry.h"

typedef struct rpriv {
	ss_osreg_values *values; /* per session, read on first use */
	unsigned char *read;
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
	free(p);
	st->priv = NULL;
}

static int winreg_same_raw(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* The values of session s, read once. */
static const ss_osreg_values *session_values(ss_storage *st, size_t s, ss_diag *d)
{
	rpriv *p = P(st);
	if (p->read[s])
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

static int read_only(ss_storage *st, ss_diag *d)
{
	return ss_diag_set(d, st->path, 0, 0,
			   "this build reads the live registry but does not change it: "
			   "'sshsync export' writes a .reg file of the change, which 'reg "
			   "import FILE' applies");
}

static int winreg_set(ss_storage *st, size_t s, const char *name, const ss_svalue *v, ss_diag *d)
{
	(void)s;
	(void)name;
	(void)v;
	return read_only(st, d);
}

static int winreg_del(ss_storage *st, size_t s, const char *name, ss_diag *d)
{
	(void)s;
	(void)name;
	return read_only(st, d);
}

static int winreg_create(ss_storage *st, size_t s, ss_diag *d)
{
	(void)s;
	return read_only(st, d);
}

static int winreg_commit(ss_storage *st, ss_diag *d)
{
	(void)st;
	(void)d;
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
    .same_raw = winreg_same_raw,
    .get_many = winreg_get_many,
    .next = winreg_next,
    .set = winreg_set,
    .del = winreg_del,
    .create = winreg_create,
    .commit = winreg_commit,
};
