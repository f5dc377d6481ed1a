/* storage backend: session folders (PuTTY on Unix, KiTTY portable) over
 * store/sessdir.
 *
 * A session is one file of the folder (KiTTY: also in sub-folders, raw
 * "folder/name"); its raw name is the file name. Values are untyped text:
 * PuTTY reads a key's first line, KiTTY its last record, and integers with
 * atoi. A set value replaces that line unless it is already exactly the
 * text PuTTY writes, or is appended to the file. At commit, created
 * sessions become new files and the files that really change join the
 * changeset, with their backups beside the folder (PuTTY would list a
 * backup inside it as a session). */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "sshsync/safewrite.h"
#include "sshsync/sessdir.h"

typedef struct sessfile {
	ss_text *t; /* owned until commit hands it to the changeset */
	ss_sessfile sf;
	int parsed;
	ss_edits e;
} sessfile;

typedef struct dirpriv {
	sessfile *f; /* per session (handle == index) */
	size_t cap;
} dirpriv;

static dirpriv *P(ss_storage *st)
{
	return st->priv;
}

static ss_sessfmt fmt_of(const ss_storage_root *root)
{
	return root->files == SS_FILES_KITTY ? SS_SESS_KITTY : SS_SESS_PUTTY;
}

static int dir_accepts(const ss_storage_root *root)
{
	return root->files != SS_FILES_NONE;
}

static int dir_probe(const char *path, int is_dir, const char *data, size_t len)
{
	(void)path;
	(void)data;
	(void)len;
	return is_dir ? 2 : 0;
}

static const char *dir_misfit(const ss_storage_root *root, const char *head, size_t len,
			      int session_file, size_t *offset)
{
	return session_file ? ss_sessfile_misfit(head, len, fmt_of(root), offset) : NULL;
}

static int dir_folder_files(const ss_storage_root *root, const char *dir, ss_strlist *out,
			    ss_diag *d)
{
	return ss_sessdir_list(dir, fmt_of(root), out, d);
}

/* Room for session s's file. */
static int reserve(dirpriv *p, size_t s)
{
	if (s < p->cap)
		return 0;
	size_t cap = p->cap ? p->cap * 2 : 16;
	while (cap <= s)
		cap *= 2;
	sessfile *f = realloc(p->f, cap * sizeof(*f));
	if (!f)
		return -1;
	memset(f + p->cap, 0, (cap - p->cap) * sizeof(*f));
	p->f = f;
	p->cap = cap;
	return 0;
}

static int load(ss_storage *st, sessfile *f, const char *path, ss_diag *d)
{
	if (!(f->t = calloc(1, sizeof(*f->t))))
		return ss_diag_oom(d);
	if (ss_text_load(f->t, path, 0, d) < 0) {
		free(f->t);
		f->t = NULL;
		return -1;
	}
	if (ss_sessfile_parse(&f->sf, f->t, fmt_of(st->root), d) < 0)
		return -1;
	f->parsed = 1;
	return 0;
}

static char *dir_file_of(const ss_storage *st, const char *raw)
{
	return ss_asprintf("%s/%s", st->path, raw);
}

static int dir_open(ss_storage *st, ss_diag *d)
{
	dirpriv *p = calloc(1, sizeof(*p));
	if (!p)
		return ss_diag_oom(d);
	st->priv = p;
	if (st->fresh)
		return 0; /* a folder migrate creates: no sessions yet */
	ss_strlist files = SS_STRLIST_INIT;
	if (ss_sessdir_list(st->path, fmt_of(st->root), &files, d) < 0)
		return -1;
	int r = 0;
	for (size_t i = 0; i < files.n && r == 0; i++) {
		char *path = dir_file_of(st, files.v[i]);
		if (!path || reserve(p, st->n) < 0)
			r = ss_diag_oom(d);
		else if ((r = load(st, &p->f[st->n], path, d)) == 0)
			r = storage_add_session(st, files.v[i], strlen(files.v[i]), path, st->n, d);
		free(path);
	}
	ss_strlist_release(&files);
	return r;
}

static void drop(sessfile *f)
{
	if (f->parsed)
		ss_sessfile_free(&f->sf);
	if (f->t) {
		ss_text_free(f->t);
		free(f->t);
	}
	ss_edits_free(&f->e);
	memset(f, 0, sizeof(*f));
}

static void dir_close(ss_storage *st)
{
	dirpriv *p = P(st);
	if (!p)
		return;
	for (size_t i = 0; i < p->cap; i++)
		drop(&p->f[i]);
	free(p->f);
	free(p);
	st->priv = NULL;
}

/* atoi, without its undefined overflow; *plain when the text is nothing
 * but an optional '-' and digits. */
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

static int fill(const sessfile *f, const ss_sessentry *e, ss_svalue *out)
{
	const ss_sessfile *sf = &f->sf;
	const ss_text *t = f->t;
	ss_buf val = SS_BUF_INIT;
	if (storage_value_init(out, sf->data + e->key_start, e->key_end - e->key_start,
			       storage_where_line(t, e->line), e->line) < 0)
		return -1;
	out->type = SS_STYPE_TEXT;
	out->shown = storage_shown(0, sf->data + e->key_start, e->key_end - e->key_start,
				   sf->data + e->val_start, e->val_end - e->val_start);
	if (!out->shown || ss_sessfile_value(sf, e, &val) < 0 ||
	    !(out->text = ss_buf_detach(&val, NULL))) {
		ss_buf_release(&val);
		return -1;
	}
	out->is_int = 1; /* atoi takes anything */
	out->ival = c_atoi(out->text, &out->plain);
	return 0;
}

static int dir_get_many(ss_storage *st, size_t s, const char *const *names, size_t n,
			ss_svalue *out, ss_diag *d)
{
	const sessfile *f = &P(st)->f[st->handle[s]];
	for (size_t i = 0; i < n; i++) {
		const ss_sessentry *e = ss_sessfile_get(&f->sf, names[i]);
		if (e && fill(f, e, &out[i]) < 0)
			return ss_diag_oom(d);
	}
	return 0;
}

static int dir_next(ss_storage *st, size_t s, ss_storage_cursor *c, ss_svalue *out, ss_diag *d)
{
	const sessfile *f = &P(st)->f[st->handle[s]];
	const ss_sessfile *sf = &f->sf;
	for (; c->a < sf->n; c->a++) {
		const ss_sessentry *e = &sf->v[c->a];
		char *key = ss_strndup(sf->data + e->key_start, e->key_end - e->key_start);
		if (!key)
			return ss_diag_oom(d);
		int read = ss_sessfile_get(sf, key) == e;
		free(key);
		if (read) {
			c->a++;
			return fill(f, e, out) < 0 ? ss_diag_oom(d) : 1;
		}
	}
	return 0;
}

static int dir_set(ss_storage *st, size_t s, const char *name, const ss_svalue *want, ss_diag *d)
{
	sessfile *f = &P(st)->f[st->handle[s]];
	char num[16];
	const char *text = want->text;
	if (want->type == SS_STYPE_DWORD) {
		storage_int_text(want->dword, num);
		text = num;
	}
	const ss_sessentry *e = ss_sessfile_get(&f->sf, name);
	if (!e)
		return ss_sessfile_append(&f->sf, &f->e, name, text, d);
	ss_buf val = SS_BUF_INIT;
	int r = ss_sessfile_value(&f->sf, e, &val) < 0 ? ss_diag_oom(d) : 0;
	if (r == 0 && strcmp(ss_buf_str(&val), text) != 0)
		r = ss_sessfile_set(&f->sf, &f->e, e, text, d);
	ss_buf_release(&val);
	return r;
}

static int dir_del(ss_storage *st, size_t s, const char *name, ss_diag *d)
{
	sessfile *f = &P(st)->f[st->handle[s]];
	const ss_sessfile *sf = &f->sf;
	size_t len = strlen(name);
	for (size_t i = 0; i < sf->n; i++) {
		const ss_sessentry *e = &sf->v[i];
		if (e->key_end - e->key_start != len || memcmp(sf->data + e->key_start, name, len))
			continue;
		for (size_t l = e->line; l < e->line + e->nlines; l++)
			if (ss_edits_delete_line(&f->e, f->t, l) < 0)
				return ss_diag_oom(d);
	}
	return 0;
}

static int dir_create(ss_storage *st, size_t s, ss_diag *d)
{
	dirpriv *p = P(st);
	const char *path = st->sessions[s].file;
	if (reserve(p, s) < 0)
		return ss_diag_oom(d);
	st->handle[s] = s;
	sessfile *f = &p->f[s];
	if (!(f->t = calloc(1, sizeof(*f->t))))
		return ss_diag_oom(d);
	if (ss_text_new_empty(f->t, path, SS_ENC_BYTES, SS_EOL_LF, d) < 0) {
		free(f->t);
		f->t = NULL;
		return -1;
	}
	if (ss_sessfile_parse(&f->sf, f->t, fmt_of(st->root), d) < 0) {
		drop(f);
		return -1;
	}
	f->parsed = 1;
	return 0;
}

/* Hands file f (text and edits) to the changeset. */
static int hand_over(ss_storage *st, sessfile *f, ss_diag *d)
{
	ss_change *c = ss_changeset_add(st->cs, f->t); /* owns the text, also on failure */
	f->t = NULL;
	if (!c)
		return ss_diag_oom(d);
	ss_edits_free(&c->edits);
	c->edits = f->e;
	f->e = (ss_edits)SS_EDITS_INIT;
	return 0;
}

static char *backup_dir_for(const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return ss_asprintf("%.*s%s", (int)n, dir, SS_BACKUP_SUFFIX);
}

static int dir_commit(ss_storage *st, ss_diag *d)
{
	dirpriv *p = P(st);
	size_t first = st->cs->n;
	int r = 0;
	/* New files first, then those that change. */
	for (int created = 1; created >= 0 && r == 0; created--) {
		for (size_t s = 0; s < st->n && r == 0; s++) {
			sessfile *f = &p->f[st->handle[s]];
			if (st->sessions[s].created != created)
				continue;
			if (created || ss_edits_change_anything(f->t, &f->e))
				r = hand_over(st, f, d);
		}
	}
	for (size_t i = first; i < st->cs->n && r == 0; i++)
		if (!(st->cs->v[i].backup_dir = backup_dir_for(st->path)))
			r = ss_diag_oom(d);
	return r;
}

const ss_storage_backend ss_storage_sessdir = {
    .name = "sessdir",
    .keyed = 0,
    .dedicated = 1,
    .accepts = dir_accepts,
    .probe = dir_probe,
    .misfit = dir_misfit,
    .folder_files = dir_folder_files,
    .open = dir_open,
    .close = dir_close,
    .file_of = dir_file_of,
    .fold_case = 0,
    .get_many = dir_get_many,
    .next = dir_next,
    .set = dir_set,
    .del = dir_del,
    .create = dir_create,
    .commit = dir_commit,
};
