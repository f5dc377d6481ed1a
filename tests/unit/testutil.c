#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/os_file.h"

char *tu_tempdir(void)
{
	char *dir = ss_os_make_temp_dir("sshsync-test");
	assert_non_null(dir);
	return dir;
}

/* Removes a tree without following links (a link is removed itself). */
void tu_rmtree(const char *dir)
{
	ss_stat st;
	if (ss_os_lstat(dir, &st) < 0)
		return;
	ss_os_paths names;
	if (S_ISDIR(st.st_mode) && ss_os_list_dir(dir, &names, NULL) == 0) {
		for (size_t i = 0; i < names.n; i++) {
			char *p = ss_asprintf("%s/%s", dir, names.v[i]);
			if (p)
				tu_rmtree(p);
			free(p);
		}
		ss_os_paths_free(&names);
	}
	if (S_ISDIR(st.st_mode))
		ss_os_remove_dir(dir);
	else
		ss_os_remove_file(dir);
}

char *tu_path(const char *dir, const char *name)
{
	char *p = ss_asprintf("%s/%s", dir, name);
	assert_non_null(p);
	return p;
}

void tu_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

void tu_write_str(const char *path, const char *s)
{
	tu_write(path, s, strlen(s));
}

ss_buf tu_read(const char *path)
{
	ss_buf b = SS_BUF_INIT;
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(ss_buf_add(&b, chunk, n), 0);
	fclose(f);
	assert_int_equal(ss_buf_grow(&b, 0), 0);
	return b;
}

char *tu_corpus_dir(const char *sub)
{
	const char *corpus = getenv("SSHSYNC_CORPUS");
	if (!corpus)
		fail_msg("SSHSYNC_CORPUS is not set (ctest sets it)");
	char *p = ss_asprintf("%s/%s", corpus, sub);
	assert_non_null(p);
	if (ss_os_can_read(p) != 0)
		fail_msg("no corpus at %s", p);
	return p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

ss_strlist tu_list_dir(const char *dir)
{
	ss_strlist l = SS_STRLIST_INIT;
	ss_os_paths names;
	assert_int_equal(ss_os_list_dir(dir, &names, NULL), 0);
	for (size_t i = 0; i < names.n; i++)
		if (names.v[i][0] != '.')
			assert_int_equal(ss_strlist_push(&l, names.v[i]), 0);
	ss_os_paths_free(&names);
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), cmp_str);
	return l;
}

int tu_put_piece(void *ctx, const void *data, size_t len, ss_diag *d)
{
	(void)d;
	tu_pieces *p = ctx;
	if (p->n && p->last != SS_CHUNK_SIZE)
		p->short_ones++;
	p->n++;
	p->last = len;
	return ss_buf_add(&p->all, data, len);
}

/* --- a store read whole and piece by piece --- */

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int same_value(const ss_svalue *a, const ss_svalue *b)
{
	if (a->present != b->present)
		return 0;
	return !a->present ||
	       (same_str(a->name, b->name) && a->type == b->type && a->dword == b->dword &&
		same_str(a->text, b->text) && a->is_int == b->is_int && a->plain == b->plain &&
		a->ival == b->ival && same_str(a->where, b->where) &&
		same_str(a->shown, b->shown) && a->order == b->order);
}

/* Whether a[0..alen) and b[0..blen) hold the same bytes (a pointer may be
 * NULL for no bytes). */
static int same_bytes(const void *a, size_t alen, const void *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

/* A view as the audit uses it: what it holds, where and shown. */
static int same_view(const ss_storage *w, const ss_sview *a, const ss_storage *p, const ss_sview *b)
{
	if (a->present != b->present)
		return 0;
	if (!a->present)
		return 1;
	ss_buf wa = SS_BUF_INIT, wb = SS_BUF_INIT, sa = SS_BUF_INIT, sb = SS_BUF_INIT;
	assert_int_equal(ss_storage_view_where(w, a, &wa), 0);
	assert_int_equal(ss_storage_view_where(p, b, &wb), 0);
	assert_int_equal(ss_storage_view_shown(a, &sa), 0);
	assert_int_equal(ss_storage_view_shown(b, &sb), 0);
	int same = a->type == b->type && same_bytes(a->text, a->text_len, b->text, b->text_len) &&
		   a->is_int == b->is_int && a->plain == b->plain && a->ival == b->ival &&
		   a->order == b->order && same_bytes(wa.data, wa.len, wb.data, wb.len) &&
		   same_bytes(sa.data, sa.len, sb.data, sb.len);
	ss_buf_release(&wa);
	ss_buf_release(&wb);
	ss_buf_release(&sa);
	ss_buf_release(&sb);
	return same;
}

static int same_site(ss_storage *w, ss_storage *p, size_t s, const ss_storage_asked *asked)
{
	size_t n = asked->n;
	ss_svalue a[SS_STORAGE_ASKED_MAX], b[SS_STORAGE_ASKED_MAX];
	ss_sview va[SS_STORAGE_ASKED_MAX], vb[SS_STORAGE_ASKED_MAX];
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	memset(va, 0, sizeof(va));
	memset(vb, 0, sizeof(vb));
	ss_diag d = SS_DIAG_INIT;
	int ok = ss_storage_get_many(w, s, asked->names, n, a, &d) == 0 &&
		 ss_storage_get_many(p, s, asked->names, n, b, &d) == 0;
	for (size_t i = 0; ok && i < n; i++)
		if (!same_value(&a[i], &b[i])) {
			fprintf(stderr, "session %s, %s: %s / %s\n", ss_storage_at(w, s)->raw,
				asked->names[i], a[i].shown ? a[i].shown : "(absent)",
				b[i].shown ? b[i].shown : "(absent)");
			ok = 0;
		}
	for (size_t i = 0; i < n; i++) {
		ss_svalue_free(&a[i]);
		ss_svalue_free(&b[i]);
	}
	ok = ok && ss_storage_view_asked(w, s, asked, va, &d) == 0 &&
	     ss_storage_view_asked(p, s, asked, vb, &d) == 0;
	for (size_t i = 0; ok && i < n; i++)
		ok = same_view(w, &va[i], p, &vb[i]);
	ss_diag_clear(&d);
	return ok;
}

static int same_sessions(ss_storage *w, ss_storage *p, const char *path,
			 const ss_storage_asked *asked)
{
	if (ss_storage_count(w) != ss_storage_count(p) ||
	    ss_storage_names_once(w) != ss_storage_names_once(p)) {
		fprintf(stderr, "%s: %zu sessions whole, %zu in pieces\n", path,
			ss_storage_count(w), ss_storage_count(p));
		return 0;
	}
	for (size_t s = 0; s < ss_storage_count(w); s++) {
		/* As an audit reads them: each once, in order, the store told
		 * that those before are done (ASan: nothing of s freed). */
		ss_storage_release_before(p, s);
		const ss_storage_session *x = ss_storage_at(w, s), *y = ss_storage_at(p, s);
		if (strcmp(x->raw, y->raw) != 0 || strcmp(x->name, y->name) != 0 ||
		    strcmp(x->file, y->file) != 0 || !same_site(w, p, s, asked)) {
			fprintf(stderr, "%s: session %zu: %s / %s\n", path, s, x->raw, y->raw);
			return 0;
		}
	}
	return 1;
}

/* What a reading held: sessions, values present. */
static void count(tu_tally *t, ss_storage *w, const ss_storage_asked *asked)
{
	size_t n = ss_storage_count(w);
	t->sessions += n;
	for (size_t s = 0; s < n; s++) {
		ss_svalue v[SS_STORAGE_ASKED_MAX];
		ss_diag d = SS_DIAG_INIT;
		if (ss_storage_get_many(w, s, asked->names, asked->n, v, &d) == 0)
			for (size_t i = 0; i < asked->n; i++)
				t->values += (size_t)v[i].present;
		for (size_t i = 0; i < asked->n; i++)
			ss_svalue_free(&v[i]);
		ss_diag_clear(&d);
	}
}

int tu_pieces_agree(const char *path, const ss_storage_root *root, const char *const *names,
		    size_t n, const ss_storage_pieces *pieces, tu_tally *t)
{
	ss_storage_asked a;
	assert_int_equal(ss_storage_ask(&a, names, n), 0);
	ss_storage *w = NULL, *p = NULL;
	ss_diag dw = SS_DIAG_INIT, dp = SS_DIAG_INIT;
	int rw = ss_storage_open(&w, path, root, NULL, NULL, &dw);
	int rp = ss_storage_open_asked(&p, path, root, NULL, &a, pieces, &dp);
	int ok = rw == rp;
	if (ok && rw < 0) {
		char *x = ss_diag_format(&dw), *y = ss_diag_format(&dp);
		ok = x && y && strcmp(x, y) == 0;
		if (!ok)
			fprintf(stderr, "whole: %s\npieces (%zu, %zu): %s\n", x, pieces->piece,
				pieces->split, y);
		free(x);
		free(y);
	} else if (ok) {
		ok = same_sessions(w, p, path, &a);
		if (t)
			count(t, w, &a);
	} else {
		fprintf(stderr, "%s: whole %d (%s), pieces %d (%s)\n", path, rw,
			dw.message ? dw.message : "", rp, dp.message ? dp.message : "");
	}
	if (t && rw < 0)
		t->refused++;
	ss_storage_close(w);
	ss_storage_close(p);
	ss_diag_clear(&dw);
	ss_diag_clear(&dp);
	return ok;
}

void tu_asked_refuses_other(const char *path, const ss_storage_root *root, const char *const *names,
			    size_t n, const char *name, long long want, const char *other)
{
	ss_storage_asked a;
	assert_int_equal(ss_storage_ask(&a, names, n), 0);
	ss_storage *st;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_storage_open_asked(&st, path, root, NULL, &a, NULL, &d), 0);
	assert_int_equal(ss_storage_count(st), 1);
	ss_svalue v;
	assert_int_equal(ss_storage_get(st, 0, name, &v, &d), 1);
	assert_int_equal(v.ival, want);
	ss_svalue_free(&v);
	assert_int_equal(ss_storage_get(st, 0, other, &v, &d), -1);
	assert_non_null(strstr(d.message, "other values"));
	ss_diag_clear(&d);
	ss_storage_close(st);
}

void tu_scope_line(const ss_scope *sc, ss_buf *b)
{
	assert_int_equal(ss_buf_addf(b, "%s|%s|%s|%lld|%lld|%lld|%d|%d|%s", sc->file, sc->name,
				     sc->witness ? sc->witness : "-", (long long)sc->interval,
				     (long long)sc->count_max, (long long)sc->tcp_keepalive,
				     sc->not_applicable, sc->error, sc->set_at ? sc->set_at : "-"),
			 0);
	for (size_t i = 0; i < sc->reasons.n; i++)
		assert_int_equal(ss_buf_addf(b, "|%s", sc->reasons.v[i]), 0);
	assert_int_equal(ss_buf_addc(b, '\n'), 0);
}

int tu_collect(void *ctx, ss_scope *sc, ss_diag *d)
{
	tu_collected *c = ctx;
	if (++c->n == c->fail_at)
		return ss_diag_set(d, NULL, 0, 0, "the sink stops");
	if (c->p)
		assert_int_equal(ss_scope_judge(sc, c->p), 0);
	tu_scope_line(sc, &c->lines);
	return 0;
}
