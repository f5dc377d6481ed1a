/* Registry merge plans for export. */
#include "sshsync/regplan.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sshsync/buf.h"
#include "sshsync/keyindex.h"

/* The slot of the key `path` (hash h) in the index, or the empty slot
 * where it would go. */
static size_t key_slot(const ss_regplan *p, const char *path, size_t len, uint64_t h)
{
	size_t mask = p->index_cap - 1, i = (size_t)h & mask;
	while (p->index[i] && !ss_key_eq(p->v[p->index[i] - 1].path,
					 strlen(p->v[p->index[i] - 1].path), path, len))
		i = (i + 1) & mask;
	return i;
}

/* Room in the index for one more key: doubled (every key placed again)
 * when it would be more than half full. */
static int index_room(ss_regplan *p)
{
	if ((p->n + 1) * 2 <= p->index_cap)
		return 0;
	size_t cap = p->index_cap ? p->index_cap * 2 : 16;
	size_t *t = calloc(cap, sizeof(*t));
	if (!t)
		return -1;
	free(p->index);
	p->index = t;
	p->index_cap = cap;
	for (size_t k = 0; k < p->n; k++) {
		const char *path = p->v[k].path;
		size_t len = strlen(path);
		p->index[key_slot(p, path, len, ss_key_hash(path, len))] = k + 1;
	}
	return 0;
}

/* Paths compare as strcasecmp in the C locale does (ASCII letters),
 * which is what ss_key_eq and ss_key_hash do: an export of 10,000
 * sessions looks up each once. */
ss_regkey *ss_regplan_key(ss_regplan *p, const char *path)
{
	if (index_room(p) < 0)
		return NULL;
	size_t len = strlen(path), i = key_slot(p, path, len, ss_key_hash(path, len));
	if (p->index[i])
		return &p->v[p->index[i] - 1];
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		ss_regkey *v = realloc(p->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		p->v = v;
		p->cap = cap;
	}
	ss_regkey *k = &p->v[p->n];
	memset(k, 0, sizeof(*k));
	if (!(k->path = ss_strdup(path)))
		return NULL;
	p->index[i] = ++p->n;
	return k;
}

/* Whether a and b may be equal as strcasecmp compares them (no locale
 * is set: ASCII letters only), by their first bytes: a look before the
 * call, as a migrated session sets some 40 values, each looked for among
 * those before it. */
static int may_be_same(const char *a, const char *b)
{
	return (a[0] | 0x20) == (b[0] | 0x20);
}

/* The value slot for `name`: an existing one (replaced) or a new one. */
static ss_regval *value_slot(ss_regkey *k, const char *name)
{
	for (size_t i = 0; i < k->n; i++) {
		if (may_be_same(k->v[i].name, name) && strcasecmp(k->v[i].name, name) == 0) {
			free(k->v[i].sz);
			k->v[i].sz = NULL;
			return &k->v[i];
		}
	}
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 4;
		ss_regval *v = realloc(k->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		k->v = v;
		k->cap = cap;
	}
	ss_regval *val = &k->v[k->n];
	memset(val, 0, sizeof(*val));
	if (!(val->name = ss_strdup(name)))
		return NULL;
	k->n++;
	return val;
}

int ss_regkey_set_dword(ss_regkey *k, const char *name, uint32_t value)
{
	ss_regval *v = value_slot(k, name);
	if (!v)
		return -1;
	v->kind = SS_REGVAL_DWORD;
	v->dword = value;
	return 0;
}

int ss_regkey_set_sz(ss_regkey *k, const char *name, const char *value)
{
	ss_regval *v = value_slot(k, name);
	if (!v)
		return -1;
	v->kind = SS_REGVAL_SZ;
	return (v->sz = ss_strdup(value)) ? 0 : -1;
}

int ss_regkey_delete_value(ss_regkey *k, const char *name)
{
	ss_regval *v = value_slot(k, name);
	if (!v)
		return -1;
	v->kind = SS_REGVAL_DELETE;
	return 0;
}

void ss_regkey_unset(ss_regkey *k, const char *name)
{
	for (size_t i = 0; i < k->n; i++) {
		if (strcasecmp(k->v[i].name, name) != 0)
			continue;
		free(k->v[i].name);
		free(k->v[i].sz);
		memmove(&k->v[i], &k->v[i + 1], (k->n - i - 1) * sizeof(k->v[i]));
		k->n--;
		return;
	}
}

void ss_regkey_drop_values(ss_regkey *k)
{
	for (size_t j = 0; j < k->n; j++) {
		free(k->v[j].name);
		free(k->v[j].sz);
	}
	free(k->v);
	k->v = NULL;
	k->n = k->cap = 0;
}

static void free_keys(ss_regplan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		ss_regkey_drop_values(&p->v[i]);
		free(p->v[i].path);
	}
	p->n = 0;
}

int ss_regplan_settle(ss_regplan *p, ss_diag *d)
{
	if (!p->settle || p->n == 0)
		return 0;
	int r = p->settle->keys(p->settle->ctx, p, d);
	free_keys(p);
	if (p->index)
		memset(p->index, 0, p->index_cap * sizeof(*p->index));
	return r;
}

void ss_regplan_free(ss_regplan *p)
{
	free_keys(p);
	free(p->v);
	free(p->index);
	memset(p, 0, sizeof(*p));
}
