/* storage backend: Wine's registry file user.reg (a Wine prefix's
 * HKEY_CURRENT_USER) over store/winereg.
 *
 * A session is the key root->regkey\NAME, as user.reg holds it (relative
 * to HKEY_CURRENT_USER); the sessions are the subkeys Wine's RegEnumKey
 * gives, in the file's order (Wine writes keys sorted). Reads give what
 * wineserver loads (the last line of a name wins); writes edit every line
 * of the value, add a missing one to the key's last block where Wine
 * keeps it (values sorted by name), and set the key's write time as Wine
 * does. Created keys are appended at commit. The plan may be written only
 * while no wineserver runs for the prefix (it would write its own copy of
 * the registry over the file): the changeset's check says so. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "backend.h"
#include "sshsync/os_wine.h"
#include "sshsync/winereg.h"

typedef struct wpriv {
	ss_winereg wr;
	ss_regplan created;	/* created sessions' keys (and session keys with no
				 * block of their own), appended at commit */
	unsigned char *touched; /* per block: its write time is set */
	int64_t now;
} wpriv;

static wpriv *P(ss_storage *st)
{
	return st->priv;
}

static int wine_accepts(const ss_storage_root *root)
{
	return root->regkey != NULL;
}

static int wine_probe(const char *path, int is_dir, const char *data, size_t len)
{
	(void)path;
	return !is_dir && data && ss_winereg_sniff(data, len) ? 2 : 0;
}

static const char *wine_misfit(const ss_storage_root *root, const char *head, size_t len,
			       int session_file, size_t *offset)
{
	(void)root;
	(void)session_file;
	*offset = 0;
	return ss_winereg_sniff(head, len) ? NULL
					   : "not Wine's registry file (its first line is not "
					     "'WINE REGISTRY Version 2')";
}

/* A block index for "no block yet" sessions: SS_WINEREG_NONE. */
static int wine_open(ss_storage *st, ss_diag *d)
{
	wpriv *p = calloc(1, sizeof(*p));
	if (!p)
		return ss_diag_oom(d);
	st->priv = p;
	p->created = (ss_regplan)SS_REGPLAN_INIT;
	p->now = (int64_t)time(NULL);
	if (ss_winereg_parse(&p->wr, st->text, d) < 0)
		return -1;
	if (p->wr.hive == SS_WREG_HIVE_MACHINE || p->wr.hive == SS_WREG_HIVE_USER_DEFAULT)
		return ss_diag_set(d, st->path, 0, 0,
				   "this file holds %s, not a user's HKEY_CURRENT_USER, where "
				   "the sessions are: name the prefix's user.reg",
				   p->wr.hive == SS_WREG_HIVE_MACHINE
				       ? "HKEY_LOCAL_MACHINE (system.reg)"
				       : "the template of new users (userdef.reg)");
	p->touched = calloc(p->wr.nkeys ? p->wr.nkeys : 1, 1);
	if (!p->touched)
		return ss_diag_oom(d);
	ss_strlist names = SS_STRLIST_INIT;
	if (ss_winereg_subkeys(&p->wr, st->root->regkey, &names) < 0)
		return ss_diag_oom(d);
	int r = 0;
	ss_buf path = SS_BUF_INIT;
	for (size_t i = 0; i < names.n && r == 0; i++) {
		ss_buf_reset(&path);
		if (ss_buf_addf(&path, "%s\\%s", st->root->regkey, names.v[i]) < 0) {
			r = ss_diag_oom(d);
			break;
		}
		size_t b = ss_winereg_find_key(&p->wr, path.data, path.len);
		r = storage_add_session(st, names.v[i], strlen(names.v[i]), st->path, b, d);
	}
	ss_buf_release(&path);
	ss_strlist_release(&names);
	return r;
}

static void wine_close(ss_storage *st)
{
	wpriv *p = P(st);
	if (!p)
		return;
	ss_winereg_free(&p->wr);
	ss_regplan_free(&p->created);
	free(p->touched);
	free(p);
	st->priv = NULL;
}

static int fill(ss_storage *st, const ss_wregvalue *v, const char *asked, ss_svalue *out)
{
	const ss_winereg *wr = &P(st)->wr;
	const ss_text *t = wr->text;
	ss_buf name = SS_BUF_INIT;
	int r = ss_winereg_value_name(wr, v, &name) < 0
		    ? -1
		    : storage_value_in_text(out, t, v->line, ss_buf_str(&name), name.len, asked,
					    t->data + v->data_start, v->data_end - v->data_start);
	ss_buf_release(&name);
	if (r < 0)
		return -1;
	if (v->has_dword) {
		/* dword:, or hex(4): of four bytes: a REG_DWORD either way. */
		out->type = SS_STYPE_DWORD;
		out->dword = v->dword;
		out->is_int = 1;
		out->plain = v->form == SS_WREG_DWORD;
		out->ival = (int32_t)v->dword;
		return 0;
	}
	if (v->form == SS_WREG_STRING && v->type == SS_REGT_SZ) {
		ss_buf s = SS_BUF_INIT;
		out->type = SS_STYPE_STRING;
		if (ss_winereg_value_string(wr, v, &s) < 0 ||
		    !(out->text = ss_buf_detach(&s, NULL))) {
			ss_buf_release(&s);
			return -1;
		}
		return 0;
	}
	out->type = SS_STYPE_OTHER;
	return 0;
}

/* The planned key of a session that has no block (created, or a key that
 * has only subkeys), or NULL. */
static ss_regkey *planned_key(ss_storage *st, size_t s)
{
	if (!st->sessions[s].created && st->handle[s] != SS_WINEREG_NONE)
		return NULL;
	ss_regplan *plan = &P(st)->created;
	for (size_t i = 0; i < plan->n; i++) {
		const char *raw = plan->v[i].path + strlen(st->root->regkey) + 1;
		if (strcasecmp(raw, st->sessions[s].raw) == 0)
			return &plan->v[i];
	}
	return NULL;
}

static int wine_get_many(ss_storage *st, size_t s, const char *const *names, size_t n,
			 ss_svalue *out, ss_diag *d)
{
	const ss_winereg *wr = &P(st)->wr;
	if (st->sessions[s].created || st->handle[s] == SS_WINEREG_NONE)
		return 0;
	ss_wregvalue *v = calloc(n ? n : 1, sizeof(*v));
	char *has = calloc(n ? n : 1, 1);
	if (!v || !has) {
		free(v);
		free(has);
		return ss_diag_oom(d);
	}
	for (size_t b = st->handle[s]; b != SS_WINEREG_NONE; b = wr->keys[b].next_same) {
		size_t cur = 0;
		ss_wregvalue x;
		while (ss_winereg_next_value(wr, b, &cur, &x))
			for (size_t i = 0; i < n; i++)
				if (ss_winereg_value_name_is(wr, &x, names[i])) {
					has[i] = 1;
					v[i] = x;
				}
	}
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++)
		if (has[i] && fill(st, &v[i], names[i], &out[i]) < 0)
			r = ss_diag_oom(d);
	free(v);
	free(has);
	return r;
}

static int wine_next(ss_storage *st, size_t s, ss_storage_cursor *c, ss_svalue *out, ss_diag *d)
{
	const ss_winereg *wr = &P(st)->wr;
	if (st->sessions[s].created || st->handle[s] == SS_WINEREG_NONE)
		return 0;
	/* c->a: the block + 1; (0, 0) not started, (0, SIZE_MAX) done. */
	if (c->a == 0 && c->b == 0)
		c->a = st->handle[s] + 1;
	const ss_wregkey *key = &wr->keys[st->handle[s]];
	ss_buf name = SS_BUF_INIT;
	int r = 0;
	while (r == 0 && c->a != 0 && c->a - 1 != SS_WINEREG_NONE) {
		size_t b = c->a - 1;
		ss_wregvalue v, last;
		if (!ss_winereg_next_value(wr, b, &c->b, &v)) {
			c->a = wr->keys[b].next_same + 1;
			c->b = c->a ? 0 : SIZE_MAX;
			continue;
		}
		/* Each name once: where Wine's loading leaves it. */
		ss_buf_reset(&name);
		if (ss_winereg_value_name(wr, &v, &name) < 0)
			r = -1;
		else if (ss_winereg_lookup(wr, key->path, ss_buf_str(&name), &last) &&
			 last.line == v.line)
			r = fill(st, &v, NULL, out) < 0 ? -1 : 1;
	}
	ss_buf_release(&name);
	return r < 0 ? ss_diag_oom(d) : r;
}

/* A block whose values change gets Wine's new write time, once. */
static int touch(ss_storage *st, size_t b)
{
	wpriv *p = P(st);
	if (p->touched[b])
		return 0;
	p->touched[b] = 1;
	return ss_winereg_touch_key(&p->wr, storage_edits(st), b, p->now);
}

/* The planned key for session s, added to the plan when it has none yet. */
static ss_regkey *plan_key(ss_storage *st, size_t s)
{
	ss_regkey *k = planned_key(st, s);
	if (k)
		return k;
	char *path = ss_asprintf("%s\\%s", st->root->regkey, st->sessions[s].raw);
	k = path ? ss_regplan_key(&P(st)->created, path) : NULL;
	free(path);
	return k;
}

static int wine_set(ss_storage *st, size_t s, const char *name, const ss_svalue *want, ss_diag *d)
{
	int dw = want->type == SS_STYPE_DWORD;
	if (st->sessions[s].created || st->handle[s] == SS_WINEREG_NONE) {
		ss_regkey *k = plan_key(st, s);
		int r = !k   ? -1
			: dw ? ss_regkey_set_dword(k, name, want->dword)
			     : ss_regkey_set_sz(k, name, want->text);
		return r < 0 ? ss_diag_oom(d) : 0;
	}
	const ss_winereg *wr = &P(st)->wr;
	ss_edits *e = storage_edits(st);
	ss_buf cur = SS_BUF_INIT;
	int seen = 0, r = 0;
	size_t last = st->handle[s];
	for (size_t b = last; b != SS_WINEREG_NONE && r == 0; b = wr->keys[b].next_same) {
		last = b;
		size_t c = 0;
		ss_wregvalue v;
		while (r == 0 && ss_winereg_next_value(wr, b, &c, &v)) {
			if (!ss_winereg_value_name_is(wr, &v, name))
				continue;
			seen = 1;
			int same;
			if (dw) {
				same = v.form == SS_WREG_DWORD && v.dword == want->dword;
			} else {
				ss_buf_reset(&cur);
				same = v.form == SS_WREG_STRING && v.type == SS_REGT_SZ &&
				       ss_winereg_value_string(wr, &v, &cur) == 0 &&
				       cur.len == strlen(want->text) &&
				       memcmp(ss_buf_str(&cur), want->text, cur.len) == 0;
			}
			if (same)
				continue;
			r = dw ? ss_winereg_set_dword(wr, e, &v, want->dword)
			       : ss_winereg_set_string(wr, e, &v, want->text);
			if (r == 0)
				r = touch(st, b);
		}
	}
	ss_buf_release(&cur);
	if (r == 0 && !seen) {
		r = dw ? ss_winereg_insert_dword(wr, e, last, name, want->dword)
		       : ss_winereg_insert_string(wr, e, last, name, want->text);
		if (r == 0)
			r = touch(st, last);
	}
	if (r == -2)
		return ss_diag_set(d, st->path, 0, 0, "\"%s\": the text to write is not UTF-8",
				   name);
	return r < 0 ? ss_diag_oom(d) : 0;
}

static int wine_del(ss_storage *st, size_t s, const char *name, ss_diag *d)
{
	ss_regkey *k = planned_key(st, s);
	if (k) {
		ss_regkey_unset(k, name);
		return 0;
	}
	if (st->sessions[s].created || st->handle[s] == SS_WINEREG_NONE)
		return 0;
	const ss_winereg *wr = &P(st)->wr;
	ss_edits *e = storage_edits(st);
	int r = 0;
	for (size_t b = st->handle[s]; b != SS_WINEREG_NONE && r == 0; b = wr->keys[b].next_same) {
		size_t c = 0;
		ss_wregvalue v;
		while (r == 0 && ss_winereg_next_value(wr, b, &c, &v))
			if (ss_winereg_value_name_is(wr, &v, name)) {
				r = ss_winereg_delete_value(wr, e, &v);
				if (r == 0)
					r = touch(st, b);
			}
	}
	return r < 0 ? ss_diag_oom(d) : 0;
}

static int wine_create(ss_storage *st, size_t s, ss_diag *d)
{
	ss_regplan *plan = &P(st)->created;
	size_t before = plan->n;
	ss_regkey *key = plan_key(st, s);
	if (!key)
		return ss_diag_oom(d);
	if (plan->n == before)
		return ss_diag_set(d, st->path, 0, 0, "the key of \"%s\" is already planned",
				   st->sessions[s].raw);
	st->handle[s] = SS_WINEREG_NONE;
	return 0;
}

/* The changeset's last check before writing: no Wine registry file of it
 * may be written while a wineserver runs for its prefix. */
static int no_wineserver(const ss_changeset *cs, void *ctx, ss_diag *d)
{
	(void)ctx;
	for (size_t i = 0; i < cs->n; i++)
		if (cs->v[i].changed && ss_winereg_no_server(cs->v[i].text, d) < 0)
			return -1;
	return 0;
}

static int wine_commit(ss_storage *st, ss_diag *d)
{
	wpriv *p = P(st);
	for (size_t i = 0; i < p->created.n; i++)
		if (ss_winereg_append_key(&p->wr, storage_edits(st), &p->created.v[i], p->now, d) <
		    0)
			return -1;
	if (!st->cs->validate)
		st->cs->validate = no_wineserver;
	else if (st->cs->validate != no_wineserver)
		return ss_diag_set(d, st->path, 0, 0,
				   "internal error: this changeset already has another check");
	return 0;
}

const ss_storage_backend ss_storage_winereg = {
    .name = "winereg",
    .keyed = 1,
    .dedicated = 0,
    .accepts = wine_accepts,
    .probe = wine_probe,
    .misfit = wine_misfit,
    .open = wine_open,
    .close = wine_close,
    .fold_case = 1,
    .get_many = wine_get_many,
    .next = wine_next,
    .set = wine_set,
    .del = wine_del,
    .create = wine_create,
    .commit = wine_commit,
};
