/* The live Windows registry as .reg texts (see include/sshsync/winreg.h). */
#include "sshsync/winreg.h"

#include <stdlib.h>
#include <string.h>

#include "sshsync/os_registry.h"
#include "sshsync/regfile.h"

/* --- states --- */

static void key_free(ss_winreg_key *k)
{
	for (size_t i = 0; i < k->n; i++) {
		free(k->v[i].name);
		ss_buf_release(&k->v[i].data);
	}
	free(k->v);
	free(k->path);
}

void ss_winreg_state_free(ss_winreg_state *s)
{
	for (size_t i = 0; i < s->n; i++)
		key_free(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

ss_winreg_key *ss_winreg_add_key(ss_winreg_state *s, const char *path, int exists)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		ss_winreg_key *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	ss_winreg_key *k = &s->v[s->n];
	memset(k, 0, sizeof(*k));
	if (!(k->path = ss_strdup(path)))
		return NULL;
	k->exists = exists;
	s->n++;
	return k;
}

int ss_winreg_add_value(ss_winreg_key *k, const char *name, int present, uint32_t type,
			const void *data, size_t len)
{
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 8;
		ss_winreg_value *v = realloc(k->v, cap * sizeof(*v));
		if (!v)
			return -1;
		k->v = v;
		k->cap = cap;
	}
	ss_winreg_value *x = &k->v[k->n];
	memset(x, 0, sizeof(*x));
	if (!(x->name = ss_strdup(name)))
		return -1;
	x->present = present;
	x->type = present ? type : 0;
	if (present && ss_buf_add(&x->data, data ? data : "", len) < 0) {
		free(x->name);
		return -1;
	}
	k->n++;
	return 0;
}

int ss_winreg_sz_data(const char *utf8, ss_buf *out)
{
	ss_buf_reset(out);
	if (ss_utf8_to_utf16le(utf8, strlen(utf8), out) < 0)
		return -1;
	return ss_buf_add(out, "\0\0", 2);
}

/* --- rendering --- */

/* A REG_SZ that a "string" line gives back exactly: even length, one NUL
 * at the end, no CR or LF, valid UTF-16. Its text goes to `out`. */
static int clean_string(const ss_buf *data, ss_buf *out)
{
	const unsigned char *b = (const unsigned char *)data->data;
	size_t n = data->len;
	if (n < 2 || n % 2 || b[n - 1] || b[n - 2])
		return 0;
	for (size_t i = 0; i + 2 < n; i += 2) {
		unsigned c = b[i] | (unsigned)b[i + 1] << 8;
		if (c == 0 || c == '\r' || c == '\n')
			return 0;
		if (c >= 0xD800 && c <= 0xDBFF) {
			unsigned lo = i + 4 < n ? (b[i + 2] | (unsigned)b[i + 3] << 8) : 0;
			if (lo < 0xDC00 || lo > 0xDFFF)
				return 0;
			i += 2;
		} else if (c >= 0xDC00 && c <= 0xDFFF) {
			return 0;
		}
	}
	ss_buf_reset(out);
	return ss_utf16le_to_utf8(b, n - 2, out) < 0 ? -1 : 1;
}

static int add_quoted(ss_buf *out, const char *s, size_t len)
{
	int r = ss_buf_addc(out, '"');
	for (size_t i = 0; i < len && r == 0; i++) {
		if (s[i] == '\\' || s[i] == '"')
			r = ss_buf_addc(out, '\\');
		if (r == 0)
			r = ss_buf_addc(out, s[i]);
	}
	return r < 0 ? -1 : ss_buf_addc(out, '"');
}

static int render_value(const ss_winreg_key *k, const ss_winreg_value *v, ss_buf *out, ss_diag *d)
{
	if (strpbrk(v->name, "\r\n"))
		return ss_diag_set(d, k->path, 0, 0,
				   "the value name \"%s\" holds a line break: no .reg line can "
				   "carry it",
				   v->name);
	int r = *v->name ? add_quoted(out, v->name, strlen(v->name)) : ss_buf_addc(out, '@');
	r |= ss_buf_addc(out, '=');
	const unsigned char *b = (const unsigned char *)v->data.data;
	if (r == 0 && !v->present)
		r = ss_buf_addc(out, '-');
	else if (r == 0 && v->type == SS_WINREG_DWORD && v->data.len == 4)
		r = ss_buf_addf(out, "dword:%02x%02x%02x%02x", b[3], b[2], b[1], b[0]);
	else if (r == 0) {
		ss_buf text = SS_BUF_INIT;
		int c = v->type == SS_WINREG_SZ ? clean_string(&v->data, &text) : 0;
		if (c > 0)
			r = add_quoted(out, text.data ? text.data : "", text.len);
		else if (c == 0 && v->type == SS_WINREG_BINARY)
			r = ss_buf_adds(out, "hex:");
		else if (c == 0)
			r = ss_buf_addf(out, "hex(%x):", (unsigned)v->type);
		for (size_t i = 0; c == 0 && r == 0 && i < v->data.len; i++)
			r = ss_buf_addf(out, i ? ",%02x" : "%02x", b[i]);
		ss_buf_release(&text);
		r |= c < 0 ? -1 : 0;
	}
	if (r == 0)
		r = ss_buf_adds(out, "\r\n");
	return r < 0 ? ss_diag_oom(d) : 0;
}

int ss_winreg_render(const ss_winreg_state *s, ss_buf *out, size_t *key_at, ss_diag *d)
{
	if (ss_buf_adds(out, "Windows Registry Editor Version 5.00\r\n") < 0)
		return ss_diag_oom(d);
	for (size_t i = 0; i < s->n; i++) {
		const ss_winreg_key *k = &s->v[i];
		if (strpbrk(k->path, "\r\n"))
			return ss_diag_set(d, k->path, 0, 0, "a key name holds a line break");
		if (ss_buf_adds(out, "\r\n") < 0)
			return ss_diag_oom(d);
		if (key_at)
			key_at[i] = out->len;
		if (ss_buf_addf(out, "[%s%s]\r\n", k->exists ? "" : "-", k->path) < 0)
			return ss_diag_oom(d);
		for (size_t j = 0; k->exists && j < k->n; j++)
			if (render_value(k, &k->v[j], out, d) < 0)
				return -1;
	}
	return 0;
}

int ss_winreg_render_file(const ss_winreg_state *s, ss_buf *out, ss_diag *d)
{
	ss_buf text = SS_BUF_INIT;
	int r = ss_winreg_render(s, &text, NULL, d);
	if (r == 0 && (ss_buf_add(out, "\xff\xfe", 2) < 0 ||
		       ss_utf8_to_utf16le(text.data, text.len, out) < 0))
		r = ss_diag_oom(d);
	ss_buf_release(&text);
	return r;
}

int ss_winreg_same(const ss_winreg_state *a, const ss_winreg_state *b, ss_diag *d)
{
	ss_buf x = SS_BUF_INIT, y = SS_BUF_INIT;
	int r = ss_winreg_render(a, &x, NULL, d);
	if (r == 0)
		r = ss_winreg_render(b, &y, NULL, d);
	if (r == 0)
		r = x.len == y.len && memcmp(x.data, y.data, x.len) == 0;
	ss_buf_release(&x);
	ss_buf_release(&y);
	return r;
}

/* --- parsing --- */

static int hexdigit(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* The bytes after hex: or hex(N): (the parser has checked their form):
 * pairs of digits, commas, continuations with `\` and comments. */
static int hex_bytes(const char *s, size_t from, size_t to, ss_buf *out)
{
	while (from < to && s[from] != ':')
		from++;
	int have = 0;
	unsigned byte = 0;
	for (size_t i = from + 1; i < to; i++) {
		int h = hexdigit(s[i]);
		if (h >= 0) {
			byte = byte << 4 | (unsigned)h;
			have = 1;
			continue;
		}
		if (s[i] == ';')
			while (i < to && s[i] != '\n')
				i++;
		if (have && ss_buf_addc(out, (char)byte) < 0)
			return -1;
		have = 0;
		byte = 0;
	}
	return have ? ss_buf_addc(out, (char)byte) : 0;
}

static int parse_value(const ss_regfile *rf, const ss_regvalue *rv, ss_winreg_key *k)
{
	ss_buf name = SS_BUF_INIT, data = SS_BUF_INIT, text = SS_BUF_INIT;
	int r = ss_regfile_value_name(rf, rv, &name);
	uint32_t type = 0;
	if (r == 0 && rv->type == SS_REG_DWORD) {
		unsigned char b[4] = {(unsigned char)rv->dword, (unsigned char)(rv->dword >> 8),
				      (unsigned char)(rv->dword >> 16),
				      (unsigned char)(rv->dword >> 24)};
		type = SS_WINREG_DWORD;
		r = ss_buf_add(&data, b, 4);
	} else if (r == 0 && rv->type == SS_REG_SZ) {
		type = SS_WINREG_SZ;
		r = ss_regfile_value_string(rf, rv, &text);
		if (r == 0)
			r = ss_winreg_sz_data(ss_buf_str(&text), &data);
	} else if (r == 0 && rv->type != SS_REG_DELETE) {
		type = (uint32_t)rv->hextype;
		r = hex_bytes(rf->text->data, rv->data_start, rv->data_end, &data);
	}
	if (r == 0)
		r = ss_winreg_add_value(k, ss_buf_str(&name), rv->type != SS_REG_DELETE, type,
					data.data, data.len);
	ss_buf_release(&name);
	ss_buf_release(&data);
	ss_buf_release(&text);
	return r;
}

int ss_winreg_parse(const ss_text *t, ss_winreg_state *out, ss_diag *d)
{
	ss_regfile rf = SS_REGFILE_INIT;
	if (ss_regfile_parse(&rf, t, d) < 0)
		return -1;
	int r = 0;
	for (size_t b = 0; b < rf.nblocks && r == 0; b++) {
		const ss_regblock *blk = &rf.blocks[b];
		char *path = ss_strndup(blk->path, blk->path_len);
		ss_winreg_key *k = path ? ss_winreg_add_key(out, path, !blk->deleted) : NULL;
		free(path);
		if (!k) {
			r = ss_diag_oom(d);
			break;
		}
		size_t cur = 0;
		ss_regvalue rv;
		while (r == 0 && ss_regfile_next_value(&rf, b, &cur, &rv) == 1)
			if (parse_value(&rf, &rv, k) < 0)
				r = ss_diag_oom(d);
	}
	ss_regfile_free(&rf);
	return r;
}

/* --- reading the live registry --- */

static int read_key(const ss_winreg_key *shape, ss_winreg_state *now, ss_diag *d)
{
	ss_osreg_key *h = NULL;
	int r = ss_osreg_open(shape->path, 0, &h, d);
	if (r < 0)
		return -1;
	ss_winreg_key *k = ss_winreg_add_key(now, shape->path, r == 1);
	if (!k) {
		ss_osreg_close(h);
		return ss_diag_oom(d);
	}
	k->all = shape->all;
	if (r == 0)
		return 0;
	r = 0;
	if (shape->all || !shape->exists) {
		ss_osreg_values vals = SS_OSREG_VALUES_INIT;
		r = ss_osreg_values_read(h, &vals, d);
		for (size_t i = 0; i < vals.n && r == 0; i++)
			if (ss_winreg_add_value(k, vals.v[i].name, 1, vals.v[i].type,
						vals.v[i].data.data, vals.v[i].data.len) < 0)
				r = ss_diag_oom(d);
		ss_osreg_values_free(&vals);
	} else {
		ss_buf data = SS_BUF_INIT;
		for (size_t i = 0; i < shape->n && r == 0; i++) {
			uint32_t type = 0;
			int q = ss_osreg_query(h, shape->v[i].name, &type, &data, d);
			if (q < 0 || ss_winreg_add_value(k, shape->v[i].name, q, type, data.data,
							 data.len) < 0)
				r = q < 0 ? -1 : ss_diag_oom(d);
		}
		ss_buf_release(&data);
	}
	ss_osreg_close(h);
	return r;
}

int ss_winreg_read(const ss_winreg_state *shape, ss_winreg_state *now, ss_diag *d)
{
	for (size_t i = 0; i < shape->n; i++)
		if (read_key(&shape->v[i], now, d) < 0)
			return -1;
	return 0;
}

/* --- writing --- */

/* The parent path and the last name of a key path. */
static char *parent_of(const char *path, const char **last)
{
	const char *sep = strrchr(path, '\\');
	if (!sep)
		return NULL;
	*last = sep + 1;
	return ss_strndup(path, (size_t)(sep - path));
}

static int delete_key(const ss_winreg_key *k, ss_diag *d)
{
	const char *last;
	char *parent = parent_of(k->path, &last);
	if (!parent)
		return ss_diag_set(d, k->path, 0, 0, "cannot delete a root key");
	ss_osreg_key *h = NULL;
	int r = ss_osreg_open(parent, 1, &h, d);
	free(parent);
	if (r == 1)
		r = ss_osreg_delete_key(h, last, d);
	ss_osreg_close(h);
	return r < 0 ? -1 : 0;
}

/* Opens the key for writing, creating it (and its parents) if missing. */
static int open_or_create(const char *path, ss_osreg_key **h, ss_diag *d)
{
	int r = ss_osreg_open(path, 1, h, d);
	if (r != 0)
		return r < 0 ? -1 : 0;
	const char *sep = strchr(path, '\\');
	if (!sep)
		return ss_diag_set(d, path, 0, 0, "no such registry key");
	char *root = ss_strndup(path, (size_t)(sep - path));
	ss_osreg_key *rk = NULL;
	r = root ? ss_osreg_open(root, 1, &rk, d) : ss_diag_oom(d);
	free(root);
	if (r == 1)
		r = ss_osreg_create(rk, sep + 1, h, d);
	else if (r == 0)
		r = ss_diag_set(d, path, 0, 0, "no such registry root");
	ss_osreg_close(rk);
	return r < 0 ? -1 : 0;
}

static int write_key(const ss_winreg_key *k, ss_diag *d)
{
	if (!k->exists)
		return delete_key(k, d);
	ss_osreg_key *h = NULL;
	if (open_or_create(k->path, &h, d) < 0)
		return -1;
	int r = 0;
	for (size_t i = 0; i < k->n && r == 0; i++) {
		const ss_winreg_value *v = &k->v[i];
		r = v->present ? ss_osreg_set(h, v->name, v->type, v->data.data ? v->data.data : "",
					      v->data.len, d)
			       : ss_osreg_delete_value(h, v->name, d);
	}
	ss_osreg_close(h);
	return r;
}

/* A key that is to be deleted must hold values only: its subkeys could not
 * be put back. */
static int check_deletions(const ss_winreg_state *target, ss_diag *d)
{
	for (size_t i = 0; i < target->n; i++) {
		if (target->v[i].exists)
			continue;
		ss_osreg_key *h = NULL;
		int r = ss_osreg_open(target->v[i].path, 0, &h, d);
		if (r <= 0) {
			if (r < 0)
				return -1;
			continue;
		}
		ss_strlist sub = SS_STRLIST_INIT;
		r = ss_osreg_subkeys(h, &sub, d);
		ss_osreg_close(h);
		size_t n = sub.n;
		ss_strlist_release(&sub);
		if (r < 0)
			return -1;
		if (n)
			return ss_diag_set(d, target->v[i].path, 0, 0,
					   "the key has subkeys now: it is not deleted (nothing "
					   "written)");
	}
	return 0;
}

/* Puts back `old` after keys [0, done) of a write failed (or were written:
 * done = n); the message of `d` gains what happened. */
static void roll_back(const ss_winreg_state *old, size_t done, ss_diag *d)
{
	ss_diag why = SS_DIAG_INIT;
	int r = 0;
	for (size_t i = done; i-- > 0 && r == 0;)
		r = write_key(&old->v[i], &why);
	char *first = ss_diag_format(d), *second = r < 0 ? ss_diag_format(&why) : NULL;
	ss_diag_clear(d);
	if (!first || (r < 0 && !second))
		ss_diag_oom(d);
	else if (r < 0)
		ss_diag_set(d, NULL, 0, 0,
			    "%s; putting back the values already written failed too (%s): "
			    "restore with 'sshsync undo' or 'reg import' of the backup",
			    first, second);
	else
		ss_diag_set(d, NULL, 0, 0,
			    "%s; the values already written were put back as they were", first);
	free(first);
	free(second);
	ss_diag_clear(&why);
}

int ss_winreg_write(const ss_winreg_state *target, const ss_winreg_state *expect,
		    ss_winreg_state *old, ss_diag *d)
{
	ss_winreg_state_free(old);
	if (expect) {
		ss_winreg_state now = SS_WINREG_STATE_INIT;
		int r = ss_winreg_read(expect, &now, d);
		if (r == 0)
			r = ss_winreg_same(&now, expect, d);
		ss_winreg_state_free(&now);
		if (r < 0)
			return -1;
		if (r == 0)
			return ss_diag_set(d, target->n ? target->v[0].path : NULL, 0, 0,
					   "the registry changed since it was read: nothing "
					   "written (run again to plan on what is there now)");
	}
	if (check_deletions(target, d) < 0 || ss_winreg_read(target, old, d) < 0)
		return -1;
	for (size_t i = 0; i < target->n; i++)
		if (write_key(&target->v[i], d) < 0) {
			/* A key half written is put back too. */
			roll_back(old, i + 1, d);
			return -1;
		}
	return 0;
}

/* --- the changeset sink --- */

typedef struct sink_ctx {
	ss_winreg_state target, expect, deps, old;
	int has_expect, written;
} sink_ctx;

static void take(ss_winreg_state *to, ss_winreg_state *from)
{
	if (from) {
		*to = *from;
		memset(from, 0, sizeof(*from));
	}
}

static void sink_free(void *ctx)
{
	sink_ctx *c = ctx;
	if (!c)
		return;
	ss_winreg_state_free(&c->target);
	ss_winreg_state_free(&c->expect);
	ss_winreg_state_free(&c->deps);
	ss_winreg_state_free(&c->old);
	free(c);
}

void *ss_winreg_sink_new(ss_winreg_state *target, ss_winreg_state *expect, ss_winreg_state *deps)
{
	sink_ctx *c = calloc(1, sizeof(*c));
	ss_winreg_state none = SS_WINREG_STATE_INIT;
	if (!c) {
		ss_winreg_state_free(target);
		ss_winreg_state_free(expect ? expect : &none);
		ss_winreg_state_free(deps ? deps : &none);
		return NULL;
	}
	take(&c->target, target);
	take(&c->expect, expect);
	take(&c->deps, deps);
	c->has_expect = expect != NULL;
	return c;
}

int ss_winreg_unchanged(const ss_winreg_state *want, ss_diag *d)
{
	ss_winreg_state now = SS_WINREG_STATE_INIT;
	int r = ss_winreg_read(want, &now, d);
	if (r == 0)
		r = ss_winreg_same(&now, want, d);
	ss_winreg_state_free(&now);
	return r;
}

static int sink_check(void *ctx, ss_diag *d)
{
	sink_ctx *c = ctx;
	int r = ss_winreg_unchanged(&c->deps, d);
	if (r == 1 && c->has_expect)
		r = ss_winreg_unchanged(&c->expect, d);
	if (r < 0)
		return -1;
	if (r == 0)
		return ss_diag_set(d, c->target.n ? c->target.v[0].path : NULL, 0, 0,
				   "the registry changed since it was read: nothing written "
				   "(run again to plan on what is there now)");
	return 0;
}

static int sink_write(void *ctx, ss_diag *d)
{
	sink_ctx *c = ctx;
	if (sink_check(ctx, d) < 0)
		return -1;
	if (ss_winreg_write(&c->target, c->has_expect ? &c->expect : NULL, &c->old, d) < 0)
		return -1;
	c->written = 1;
	return 0;
}

static int sink_restore(void *ctx, ss_diag *d)
{
	sink_ctx *c = ctx;
	if (!c->written)
		return 0;
	ss_winreg_state scratch = SS_WINREG_STATE_INIT;
	int r = ss_winreg_write(&c->old, &c->target, &scratch, d);
	ss_winreg_state_free(&scratch);
	return r;
}

const ss_change_sink ss_winreg_sink = {sink_check, sink_write, sink_restore, sink_free};
