/* storage: the contract of include/sshsync/storage.h, the same tests run
 * against every backend (each with a store written in its own syntax:
 * .reg v5 UTF-16 and REGEDIT4, WinSCP.ini, PuTTY and KiTTY session
 * folders). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/putty.h"
#include "sshsync/storage.h"
#include "testutil.h"
#include "sshsync/os_file.h"

#define KEY "Software\\Test\\Sessions"
#define HKCU "HKEY_CURRENT_USER\\"

/* One value of the sample store. */
typedef struct sval {
	const char *name;
	int dword; /* 1: an integer (.reg dword:), 0: a string */
	uint32_t n;
	const char *s;
} sval;

typedef struct ssess {
	const char *raw;
	sval v[4];
	size_t nv;
} ssess;

/* The sample: sessions in store order; a string where a DWORD belongs. */
static const ssess SAMPLE[] = {
    {"web%201", {{"PingInterval", 1, 1, NULL}, {"HostName", 0, 0, "web.example"}}, 2},
    {"Default%20Settings", {{"PingIntervalSecs", 1, 30, NULL}}, 1},
    {"bad", {{"PingInterval", 0, 0, "fast"}, {"PingIntervalSecs", 1, 5, NULL}}, 2},
};
#define NSAMPLE (sizeof(SAMPLE) / sizeof(SAMPLE[0]))

typedef enum kind { REG5, REG4, INI, PUTTYDIR, KITTYDIR } kind;

typedef struct backend {
	const char *name; /* expected ss_storage_backend_name */
	kind k;
	ss_storage_root root;
} backend;

static int unescape(const char *raw, size_t len, ss_buf *out)
{
	return ss_putty_unescape_name(raw, len, out);
}

static const backend B_REG5 = {"regfile", REG5, {KEY, 1, NULL, SS_FILES_NONE, "regfile", unescape}};
static const backend B_REG4 = {"regfile", REG4, {KEY, 1, NULL, SS_FILES_NONE, "regfile", unescape}};
static const backend B_INI = {
    "winini", INI, {KEY, 0, "Sessions\\", SS_FILES_NONE, "winini", unescape}};
static const backend B_PUTTYDIR = {
    "sessdir", PUTTYDIR, {KEY, 1, NULL, SS_FILES_PUTTY, "regfile", unescape}};
static const backend B_KITTYDIR = {
    "sessdir", KITTYDIR, {KEY, 1, NULL, SS_FILES_KITTY, "regfile", unescape}};

typedef struct fixture {
	const backend *be;
	char *dir;
	char *path; /* the store */
	/* Where each sample value is: file and 1-based line. */
	char *file[NSAMPLE][4];
	size_t line[NSAMPLE][4];
	ss_changeset cs;
	ss_storage *st;
	ss_diag d;
} fixture;

static void add_line(ss_buf *b, size_t *line, const char *s)
{
	assert_int_equal(ss_buf_adds(b, s), 0);
	assert_int_equal(ss_buf_adds(b, "\r\n"), 0);
	(*line)++;
}

static void value_line(const fixture *f, const sval *v, ss_buf *out)
{
	ss_buf_reset(out);
	int r;
	switch (f->be->k) {
	case REG5:
	case REG4:
		r = v->dword ? ss_buf_addf(out, "\"%s\"=dword:%08x", v->name, v->n)
			     : ss_buf_addf(out, "\"%s\"=\"%s\"", v->name, v->s);
		break;
	case KITTYDIR:
		r = v->dword ? ss_buf_addf(out, "%s\\%u\\", v->name, v->n)
			     : ss_buf_addf(out, "%s\\%s\\", v->name, v->s);
		break;
	default:
		r = v->dword ? ss_buf_addf(out, "%s=%u", v->name, v->n)
			     : ss_buf_addf(out, "%s=%s", v->name, v->s);
	}
	assert_int_equal(r, 0);
}

/* Writes the sample store in the backend's syntax, noting where each
 * value is. */
static void write_sample(fixture *f)
{
	ss_buf b = SS_BUF_INIT, l = SS_BUF_INIT;
	size_t line = 0;
	int dir = f->be->k == PUTTYDIR || f->be->k == KITTYDIR;
	if (dir) {
		f->path = tu_path(f->dir, "sessions");
		assert_int_equal(ss_os_mkdir_p(f->path), 0);
	} else {
		f->path = tu_path(f->dir, f->be->k == INI ? "WinSCP.ini" : "s.reg");
		add_line(&b, &line,
			 f->be->k == REG4  ? "REGEDIT4"
			 : f->be->k == INI ? "[Configuration]"
					   : "Windows Registry Editor Version 5.00");
		add_line(&b, &line, "");
		if (f->be->k != INI) {
			add_line(&b, &line, "[" HKCU "Software\\Other]");
			add_line(&b, &line, "\"PingInterval\"=dword:00000007");
			add_line(&b, &line, "");
		}
	}
	for (size_t i = 0; i < NSAMPLE; i++) {
		if (dir) {
			ss_buf_reset(&b);
			line = 0;
		} else {
			ss_buf_reset(&l);
			assert_int_equal(
			    ss_buf_addf(&l,
					f->be->k == INI ? "[Sessions\\%s]" : "[" HKCU KEY "\\%s]",
					SAMPLE[i].raw),
			    0);
			add_line(&b, &line, ss_buf_str(&l));
		}
		for (size_t j = 0; j < SAMPLE[i].nv; j++) {
			value_line(f, &SAMPLE[i].v[j], &l);
			add_line(&b, &line, ss_buf_str(&l));
			f->line[i][j] = line;
			f->file[i][j] = dir ? tu_path(f->path, SAMPLE[i].raw) : strdup(f->path);
		}
		if (dir) {
			char *p = tu_path(f->path, SAMPLE[i].raw);
			tu_write(p, b.data, b.len);
			free(p);
		} else {
			add_line(&b, &line, "");
		}
	}
	if (f->be->k == REG5) {
		ss_text t;
		ss_buf w = SS_BUF_INIT;
		assert_int_equal(ss_text_new_empty(&t, "x", SS_ENC_UTF16LE, SS_EOL_CRLF, &f->d), 0);
		assert_int_equal(ss_text_encode(&t, b.data, b.len, &w, &f->d), 0);
		ss_text_free(&t);
		tu_write(f->path, w.data, w.len);
		ss_buf_release(&w);
	} else if (!dir) {
		tu_write(f->path, b.data, b.len);
	}
	ss_buf_release(&b);
	ss_buf_release(&l);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->be = *state;
	f->dir = tu_tempdir();
	f->cs = (ss_changeset)SS_CHANGESET_INIT;
	write_sample(f);
	*state = f;
	return 0;
}

static void close_store(fixture *f)
{
	ss_storage_close(f->st);
	f->st = NULL;
	ss_changeset_free(&f->cs);
	f->cs = (ss_changeset)SS_CHANGESET_INIT;
}

static int teardown(void **state)
{
	fixture *f = *state;
	close_store(f);
	tu_rmtree(f->dir);
	for (size_t i = 0; i < NSAMPLE; i++)
		for (size_t j = 0; j < 4; j++)
			free(f->file[i][j]);
	free(f->dir);
	free(f->path);
	ss_diag_clear(&f->d);
	free(f);
	return 0;
}

static void open_store(fixture *f, int writable)
{
	close_store(f);
	int r =
	    ss_storage_open(&f->st, f->path, &f->be->root, NULL, writable ? &f->cs : NULL, &f->d);
	if (r < 0)
		fail_msg("%s: %s", f->d.file ? f->d.file : "", f->d.message);
	assert_string_equal(ss_storage_backend_name(f->st), f->be->name);
}

/* Commits, writes every changed file as the engine would, and reopens. */
static size_t write_and_reopen(fixture *f)
{
	assert_int_equal(ss_storage_commit(f->st, &f->d), 0);
	assert_int_equal(ss_changeset_render(&f->cs, &f->d), 0);
	size_t changed = 0;
	for (size_t i = 0; i < f->cs.n; i++) {
		ss_change *c = &f->cs.v[i];
		if (!c->changed)
			continue;
		tu_write(c->text->path, c->rendered.data, c->rendered.len);
		changed++;
	}
	open_store(f, 1);
	return changed;
}

static size_t find(fixture *f, const char *raw)
{
	size_t s = ss_storage_find(f->st, raw);
	assert_true(s != SIZE_MAX);
	return s;
}

/* The sessions are listed once each, raw and unescaped, in store order
 * (folders: sorted file names). */
static void test_list(void **state)
{
	fixture *f = *state;
	open_store(f, 0);
	assert_int_equal(ss_storage_count(f->st), NSAMPLE);
	int dir = f->be->k == PUTTYDIR || f->be->k == KITTYDIR;
	/* Sorted bytewise: "Default%20Settings" < "bad" < "web%201". */
	static const size_t sorted[NSAMPLE] = {1, 2, 0};
	for (size_t i = 0; i < NSAMPLE; i++) {
		const ss_storage_session *s = ss_storage_at(f->st, i);
		size_t k = dir ? sorted[i] : i;
		assert_string_equal(s->raw, SAMPLE[k].raw);
		assert_false(s->created);
		char *file = dir ? tu_path(f->path, SAMPLE[k].raw) : strdup(f->path);
		assert_string_equal(s->file, file);
		free(file);
	}
	assert_string_equal(ss_storage_at(f->st, find(f, "web%201"))->name, "web 1");
	assert_string_equal(ss_storage_at(f->st, find(f, "Default%20Settings"))->name,
			    "Default Settings");
	assert_true(ss_storage_find(f->st, "nothere") == SIZE_MAX);
	assert_null(ss_storage_at(f->st, NSAMPLE));
	/* The first few questions are answered by a scan, the later ones by
	 * the index: the same answers. */
	for (int round = 0; round < 4; round++) {
		for (size_t i = 0; i < NSAMPLE; i++) {
			size_t k = dir ? sorted[i] : i;
			assert_int_equal(ss_storage_find(f->st, SAMPLE[k].raw), i);
		}
		assert_true(ss_storage_find(f->st, "nothere") == SIZE_MAX);
	}
}

static void assert_where(fixture *f, size_t i, size_t j, const ss_svalue *v)
{
	char *want = ss_asprintf("%s:%zu", f->file[i][j], f->line[i][j]);
	assert_string_equal(v->where, want);
	free(want);
}

/* Reading: the value, its stored type, what the integer read gives and
 * where it is; absent is absent. */
static void test_get(void **state)
{
	fixture *f = *state;
	open_store(f, 0);
	int typed = f->be->k == REG5 || f->be->k == REG4;
	ss_svalue v;
	size_t web = find(f, "web%201");
	assert_int_equal(ss_storage_get(f->st, web, "PingInterval", &v, &f->d), 1);
	assert_string_equal(v.name, "PingInterval");
	assert_int_equal(v.type, typed ? SS_STYPE_DWORD : SS_STYPE_TEXT);
	assert_true(v.is_int && v.plain);
	assert_int_equal(v.ival, 1);
	if (typed)
		assert_int_equal(v.dword, 1);
	else
		assert_string_equal(v.text, "1");
	assert_where(f, 0, 0, &v);
	assert_non_null(strstr(v.shown, "PingInterval"));
	ss_svalue_free(&v);

	assert_int_equal(ss_storage_get(f->st, web, "HostName", &v, &f->d), 1);
	assert_int_equal(v.type, typed ? SS_STYPE_STRING : SS_STYPE_TEXT);
	assert_string_equal(v.text, "web.example");
	assert_where(f, 0, 1, &v);
	ss_svalue_free(&v);

	/* A string where a DWORD belongs is reported as what it is. */
	size_t bad = find(f, "bad");
	assert_int_equal(ss_storage_get(f->st, bad, "PingInterval", &v, &f->d), 1);
	assert_true(v.type != SS_STYPE_DWORD);
	assert_false(v.plain);
	assert_string_equal(v.text, "fast");
	ss_svalue_free(&v);

	/* Absent: the caller's default. */
	assert_int_equal(ss_storage_get(f->st, web, "TCPKeepalives", &v, &f->d), 0);
	assert_false(v.present);
	assert_null(v.where);

	/* Several at once, in the order asked. */
	const char *names[] = {"PingIntervalSecs", "Nothing", "PingInterval"};
	ss_svalue m[3];
	assert_int_equal(ss_storage_get_many(f->st, bad, names, 3, m, &f->d), 0);
	assert_true(m[0].present && !m[1].present && m[2].present);
	assert_int_equal(m[0].ival, 5);
	assert_where(f, 2, 1, &m[0]);
	assert_where(f, 2, 0, &m[2]);
	assert_true(m[2].order < m[0].order);
	for (int i = 0; i < 3; i++)
		ss_svalue_free(&m[i]);
}

/* Views tell what the owned values tell, field by field, the place and
 * the shown line included; absent stays absent. Read-only and writable
 * (a backend may read through its write cache), and a second read over
 * the first. */
static void test_view(void **state)
{
	fixture *f = *state;
	const char *names[] = {"PingIntervalSecs", "Nothing", "PingInterval", "HostName",
			       "pinginterval"};
	enum { N = sizeof(names) / sizeof(names[0]) };
	for (int writable = 0; writable < 2; writable++) {
		open_store(f, writable);
		for (int round = 0; round < 2; round++) {
			for (size_t i = 0; i < NSAMPLE; i++) {
				size_t s = find(f, SAMPLE[i].raw);
				ss_svalue m[N];
				ss_sview v[N];
				assert_int_equal(ss_storage_get_many(f->st, s, names, N, m, &f->d),
						 0);
				assert_int_equal(ss_storage_view_many(f->st, s, names, N, v, &f->d),
						 0);
				for (size_t k = 0; k < N; k++) {
					assert_int_equal(v[k].present, m[k].present);
					if (!m[k].present) {
						ss_svalue_free(&m[k]);
						continue;
					}
					assert_int_equal(v[k].type, m[k].type);
					assert_int_equal(v[k].dword, m[k].dword);
					assert_int_equal(v[k].is_int, m[k].is_int);
					assert_int_equal(v[k].plain, m[k].plain);
					assert_int_equal(v[k].ival, m[k].ival);
					assert_int_equal(v[k].order, m[k].order);
					if (m[k].text) {
						assert_int_equal(v[k].text_len, strlen(m[k].text));
						assert_memory_equal(v[k].text, m[k].text,
								    v[k].text_len);
					} else {
						assert_null(v[k].text);
					}
					ss_buf b = SS_BUF_INIT;
					assert_int_equal(ss_storage_view_where(f->st, &v[k], &b),
							 0);
					assert_string_equal(ss_buf_str(&b), m[k].where);
					ss_buf_reset(&b);
					assert_int_equal(ss_storage_view_shown(&v[k], &b), 0);
					assert_string_equal(ss_buf_str(&b), m[k].shown);
					ss_buf_release(&b);
					ss_svalue_free(&m[k]);
				}
				/* The sample's values are there, at their lines. */
				for (size_t j = 0; j < SAMPLE[i].nv; j++) {
					size_t k = 0;
					while (strcmp(names[k], SAMPLE[i].v[j].name) != 0)
						k++;
					assert_true(v[k].present);
					char *want =
					    ss_asprintf("%s:%zu", f->file[i][j], f->line[i][j]);
					ss_buf b = SS_BUF_INIT;
					assert_int_equal(ss_storage_view_where(f->st, &v[k], &b),
							 0);
					assert_string_equal(ss_buf_str(&b), want);
					ss_buf_release(&b);
					free(want);
				}
			}
		}
	}
	/* A session number out of range is refused. */
	ss_sview v;
	assert_int_equal(
	    ss_storage_view_many(f->st, NSAMPLE + 5, (const char *[]){"x"}, 1, &v, &f->d), -1);
	assert_false(v.present);
	ss_diag_clear(&f->d);
}

/* Names measured once (ss_storage_ask) read as ss_storage_view_many
 * reads them; more than SS_STORAGE_ASKED_MAX names are refused there and
 * still read by get_many (a backend may take them in parts): the values
 * at names[1] and names[37] of 40 are found in their places. */
static void test_view_asked(void **state)
{
	fixture *f = *state;
	const char *many[40];
	char filler[40][8];
	for (size_t i = 0; i < 40; i++) {
		snprintf(filler[i], sizeof(filler[i]), "x%zu", i);
		many[i] = filler[i];
	}
	many[1] = "PingInterval";
	many[37] = "PingIntervalSecs";
	ss_storage_asked a;
	assert_int_equal(ss_storage_ask(&a, many, SS_STORAGE_ASKED_MAX + 1), -1);
	assert_int_equal(ss_storage_ask(&a, many, 3), 0);
	assert_int_equal(a.len[1], 12);
	assert_true(a.bucket[12] & 2);
	assert_true(a.first['P' / 64] >> ('P' % 64) & 1); /* both cases of a letter */
	assert_true(a.first['p' / 64] >> ('p' % 64) & 1);
	for (int writable = 0; writable < 2; writable++) {
		open_store(f, writable);
		size_t s = find(f, "bad");
		ss_sview v[3], w[3];
		assert_int_equal(ss_storage_view_asked(f->st, s, &a, v, &f->d), 0);
		assert_true(v[1].present);
		assert_int_equal(v[1].ival, 0);
		assert_false(v[1].plain);
		ss_svalue m[40];
		assert_int_equal(ss_storage_get_many(f->st, s, many, 40, m, &f->d), 0);
		for (size_t i = 0; i < 40; i++) {
			assert_int_equal(m[i].present, i == 1 || i == 37);
			ss_svalue_free(&m[i]);
		}
		assert_int_equal(ss_storage_view_many(f->st, s, many, 3, w, &f->d), 0);
		for (size_t i = 0; i < 3; i++) {
			assert_int_equal(w[i].present, v[i].present);
			assert_int_equal(w[i].order, v[i].order);
		}
	}
}

/* Two threads may view values at once only where viewing writes nothing:
 * a store that views without keeping values (WinSCP.ini) opened without a
 * changeset; the views of a read-only store after views through kept
 * values are still right. */
static void test_reads_shared(void **state)
{
	fixture *f = *state;
	open_store(f, 0);
	int views = strcmp(f->be->name, "winini") == 0;
	assert_int_equal(ss_storage_reads_shared(f->st), views);
	ss_sview v[1];
	const char *name[] = {"PingIntervalSecs"};
	ss_storage_asked a;
	assert_int_equal(ss_storage_ask(&a, name, 1), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(ss_storage_view_asked(f->st, find(f, "bad"), &a, v, &f->d), 0);
		assert_true(v[0].present);
		assert_int_equal(v[0].ival, 5);
	}
	open_store(f, 1);
	assert_int_equal(ss_storage_reads_shared(f->st), 0);
}

/* Enumeration: every value once, in store order. */
static void test_next(void **state)
{
	fixture *f = *state;
	open_store(f, 0);
	for (size_t i = 0; i < NSAMPLE; i++) {
		size_t s = find(f, SAMPLE[i].raw);
		ss_storage_cursor c = {0, 0};
		ss_svalue v;
		size_t j = 0;
		int r;
		while ((r = ss_storage_next(f->st, s, &c, &v, &f->d)) == 1) {
			assert_true(j < SAMPLE[i].nv);
			assert_string_equal(v.name, SAMPLE[i].v[j].name);
			assert_where(f, i, j, &v);
			ss_svalue_free(&v);
			j++;
		}
		assert_int_equal(r, 0);
		assert_int_equal(j, SAMPLE[i].nv);
		/* Finished stays finished. */
		assert_int_equal(ss_storage_next(f->st, s, &c, &v, &f->d), 0);
	}
}

/* Nothing changes what nobody asked to change; a read-only storage plans
 * nothing. */
static void test_unchanged(void **state)
{
	fixture *f = *state;
	open_store(f, 0);
	assert_int_equal(ss_storage_set_dword(f->st, 0, "PingInterval", 9, &f->d), -1);
	assert_int_equal(ss_storage_commit(f->st, &f->d), -1);
	ss_diag_clear(&f->d);
	open_store(f, 1);
	/* Setting what is there already changes no byte. */
	size_t web = find(f, "web%201");
	assert_int_equal(ss_storage_set_dword(f->st, web, "PingInterval", 1, &f->d), 0);
	assert_int_equal(ss_storage_set_string(f->st, web, "HostName", "web.example", &f->d), 0);
	assert_int_equal(write_and_reopen(f), 0);
}

/* Set, delete and add: planned, then written by the "engine", then read
 * back; every other value stays. */
static void test_set_delete(void **state)
{
	fixture *f = *state;
	open_store(f, 1);
	size_t web = find(f, "web%201"), bad = find(f, "bad");
	assert_int_equal(ss_storage_set_dword(f->st, web, "PingInterval", 2, &f->d), 0);
	assert_int_equal(ss_storage_set_dword(f->st, web, "PingIntervalSecs", 15, &f->d), 0);
	assert_int_equal(ss_storage_set_dword(f->st, bad, "PingInterval", 4, &f->d), 0);
	assert_int_equal(ss_storage_set_string(f->st, web, "HostName", "new host", &f->d), 0);
	assert_int_equal(ss_storage_delete(f->st, bad, "PingIntervalSecs", &f->d), 0);
	assert_int_equal(ss_storage_delete(f->st, bad, "Nothing", &f->d), 0);
	/* Nothing is written before the engine writes. */
	ss_svalue v;
	assert_int_equal(ss_storage_get(f->st, web, "PingIntervalSecs", &v, &f->d), 0);
	size_t files = write_and_reopen(f);
	int dir = f->be->k == PUTTYDIR || f->be->k == KITTYDIR;
	assert_int_equal(files, dir ? 2 : 1);

	web = find(f, "web%201");
	bad = find(f, "bad");
	assert_int_equal(ss_storage_get(f->st, web, "PingInterval", &v, &f->d), 1);
	assert_int_equal(v.ival, 2);
	assert_true(v.plain);
	ss_svalue_free(&v);
	assert_int_equal(ss_storage_get(f->st, web, "PingIntervalSecs", &v, &f->d), 1);
	assert_int_equal(v.ival, 15);
	/* Added after the session's last value. */
	assert_true(v.order > 0);
	ss_svalue_free(&v);
	assert_int_equal(ss_storage_get(f->st, web, "HostName", &v, &f->d), 1);
	assert_string_equal(v.text, "new host");
	ss_svalue_free(&v);
	assert_int_equal(ss_storage_get(f->st, bad, "PingInterval", &v, &f->d), 1);
	assert_true(v.is_int && v.plain);
	assert_int_equal(v.ival, 4);
	ss_svalue_free(&v);
	assert_int_equal(ss_storage_get(f->st, bad, "PingIntervalSecs", &v, &f->d), 0);
	size_t def = find(f, "Default%20Settings");
	assert_int_equal(ss_storage_get(f->st, def, "PingIntervalSecs", &v, &f->d), 1);
	assert_int_equal(v.ival, 30);
	ss_svalue_free(&v);
	assert_int_equal(ss_storage_count(f->st), NSAMPLE);
	/* And a second time, nothing more changes. */
	assert_int_equal(ss_storage_set_dword(f->st, web, "PingIntervalSecs", 15, &f->d), 0);
	assert_int_equal(write_and_reopen(f), 0);
}

/* A write after a read of other names of the session (a backend may have
 * kept only the keys that read asked for): the value set or deleted is the
 * one in the store, wherever the read left off; in WinSCP.ini a name in
 * another case is the same key. */
static void test_write_after_view(void **state)
{
	fixture *f = *state;
	open_store(f, 1);
	size_t web = find(f, "web%201"), bad = find(f, "bad");
	const char *names[] = {"PingInterval"};
	ss_storage_asked a;
	assert_int_equal(ss_storage_ask(&a, names, 1), 0);
	ss_sview v[1];
	assert_int_equal(ss_storage_view_asked(f->st, web, &a, v, &f->d), 0);
	assert_true(v[0].present);
	int ini = f->be->k == INI;
	assert_int_equal(
	    ss_storage_set_string(f->st, web, ini ? "hostName" : "HostName", "new host", &f->d), 0);
	assert_int_equal(ss_storage_view_asked(f->st, bad, &a, v, &f->d), 0);
	assert_int_equal(ss_storage_delete(f->st, bad, "PingIntervalSecs", &f->d), 0);
	assert_int_equal(write_and_reopen(f), 1 + (f->be->k == PUTTYDIR || f->be->k == KITTYDIR));
	ss_svalue got;
	assert_int_equal(ss_storage_get(f->st, find(f, "web%201"), "HostName", &got, &f->d), 1);
	assert_string_equal(got.text, "new host");
	assert_where(f, 0, 1, &got); /* in place, not added */
	ss_svalue_free(&got);
	assert_int_equal(ss_storage_get(f->st, find(f, "bad"), "PingIntervalSecs", &got, &f->d), 0);
}

/* Values added to several sessions: each gets its own, whichever were
 * added before (more lines than a backend may keep formatted, values
 * that begin like others). */
static void test_added_values(void **state)
{
	fixture *f = *state;
	open_store(f, 1);
	static const uint32_t want[] = {1, 10, 1, 100, 2, 3, 4, 5, 6, 7, 8, 9, 1};
	enum { N = sizeof(want) / sizeof(want[0]) };
	char names[N][16];
	for (size_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), i < NSAMPLE ? "PingType" : "X%zu", i);
		assert_int_equal(ss_storage_set_dword(f->st, i % NSAMPLE, names[i], want[i], &f->d),
				 0);
	}
	write_and_reopen(f);
	for (size_t i = 0; i < N; i++) {
		ss_svalue got;
		assert_int_equal(ss_storage_get(f->st, i % NSAMPLE, names[i], &got, &f->d), 1);
		assert_int_equal(got.ival, want[i]);
		ss_svalue_free(&got);
	}
}

/* What test_part plans on session s of the store: a value set (added
 * where the session lacks it), another replaced, one deleted. */
static void plan_part(ss_storage *st, size_t s, ss_diag *d)
{
	assert_int_equal(ss_storage_set_dword(st, s, "PingType", 1, d), 0);
	assert_int_equal(ss_storage_set_string(st, s, "HostName", "h", d), 0);
	assert_int_equal(ss_storage_delete(st, s, "PingIntervalSec", d), 0);
}

/* The bytes planned for the sessions [0, k) by the storage and [k, n) by
 * a part of it (k == n: no part), as the engine would write them. */
static char *planned_in_parts(fixture *f, size_t k)
{
	open_store(f, 1);
	size_t n = ss_storage_count(f->st);
	ss_storage *part = NULL;
	if (k < n)
		assert_int_equal(ss_storage_part(f->st, &part, &f->d), 0);
	for (size_t s = 0; s < n; s++)
		plan_part(s < k ? f->st : part, s, &f->d);
	/* What only the storage does. */
	size_t made;
	if (part) {
		assert_int_equal(ss_storage_create(part, "new", &made, &f->d), -1);
		assert_int_equal(ss_storage_commit(part, &f->d), -1);
		ss_diag_clear(&f->d);
		assert_int_equal(ss_storage_part_join(f->st, part, &f->d), 0);
	}
	assert_int_equal(ss_storage_create(f->st, "new", &made, &f->d), 0);
	assert_int_equal(ss_storage_set_dword(f->st, made, "PingType", 1, &f->d), 0);
	assert_int_equal(ss_storage_commit(f->st, &f->d), 0);
	assert_int_equal(ss_changeset_render(&f->cs, &f->d), 0);
	assert_int_equal(f->cs.n, 1);
	return strdup(ss_buf_str(&f->cs.v[0].rendered));
}

/* A part plans sessions on another thread as the storage would have, its
 * edits after the storage's: the same bytes at every point of the split
 * (sessions that lack a value or have it, a later section of a session
 * in the other part, the last one at the end of a file without a final
 * line break). A backend without parts plans on one thread; a part
 * writes no session made after the split. */
static void test_part(void **state)
{
	fixture *f = *state;
	ss_storage *part = NULL;
	if (f->be->k != INI) {
		open_store(f, 1);
		assert_int_equal(ss_storage_part(f->st, &part, &f->d), 1);
		assert_null(part);
		return;
	}
	open_store(f, 0);
	assert_int_equal(ss_storage_part(f->st, &part, &f->d), -1);
	ss_diag_clear(&f->d);
	tu_write_str(f->path, "[Configuration]\r\nPingType=0\r\n\r\n"
			      "[Sessions\\a]\r\nHostName=x\r\n\r\n"
			      "[Sessions\\b]\r\nPingType=2\r\nPingIntervalSec=5\r\n"
			      "[Sessions\\c]\r\n; nothing\r\n\r\n"
			      "[Sessions\\d]\r\npingtype=0\r\nHostName=d\r\n"
			      "[Sessions\\B]\r\nPingIntervalSec=7\r\nHostName=y\r\n"
			      "[Sessions\\e]\r\nPortNumber=22");
	open_store(f, 1);
	size_t n = ss_storage_count(f->st);
	assert_int_equal(n, 5);
	char *whole = planned_in_parts(f, n);
	for (size_t k = 0; k < n; k++) {
		char *split = planned_in_parts(f, k);
		assert_string_equal(split, whole);
		free(split);
	}
	/* A session made before the split is not the part's to write. */
	open_store(f, 1);
	size_t made;
	assert_int_equal(ss_storage_create(f->st, "new", &made, &f->d), 0);
	assert_int_equal(ss_storage_part(f->st, &part, &f->d), 0);
	assert_int_equal(ss_storage_set_dword(part, made, "PingType", 1, &f->d), -1);
	ss_diag_clear(&f->d);
	ss_storage_part_free(part);
	free(whole);
}

/* A new session (here with a name that needs escaping) is written at
 * commit with what was set on it, after the others. */
static void test_create(void **state)
{
	fixture *f = *state;
	open_store(f, 1);
	size_t s;
	assert_int_equal(ss_storage_create(f->st, "Default%20Settings", &s, &f->d), -1);
	ss_diag_clear(&f->d);
	assert_int_equal(ss_storage_create(f->st, "new%20one", &s, &f->d), 0);
	assert_int_equal(s, NSAMPLE);
	assert_true(ss_storage_at(f->st, s)->created);
	assert_string_equal(ss_storage_at(f->st, s)->name, "new one");
	assert_int_equal(ss_storage_set_dword(f->st, s, "PingInterval", 4, &f->d), 0);
	assert_int_equal(ss_storage_set_string(f->st, s, "HostName", "h", &f->d), 0);
	assert_int_equal(write_and_reopen(f), 1);
	assert_int_equal(ss_storage_count(f->st), NSAMPLE + 1);
	s = find(f, "new%20one");
	assert_string_equal(ss_storage_at(f->st, s)->name, "new one");
	ss_storage_cursor c = {0, 0};
	ss_svalue v;
	assert_int_equal(ss_storage_next(f->st, s, &c, &v, &f->d), 1);
	assert_string_equal(v.name, "PingInterval");
	assert_int_equal(v.ival, 4);
	ss_svalue_free(&v);
	assert_int_equal(ss_storage_next(f->st, s, &c, &v, &f->d), 1);
	assert_string_equal(v.name, "HostName");
	assert_string_equal(v.text, "h");
	ss_svalue_free(&v);
	assert_int_equal(ss_storage_next(f->st, s, &c, &v, &f->d), 0);
	/* After commit, nothing more can be planned. */
	assert_int_equal(ss_storage_commit(f->st, &f->d), 0);
	assert_int_equal(ss_storage_set_dword(f->st, 0, "X", 1, &f->d), -1);
	ss_diag_clear(&f->d);
}

/* Finding by raw name as the store compares names (ASCII case folded
 * for keys and sections, exactly for files) through the session index,
 * also past its growth, for long names (folded piece by piece) and for
 * sessions created after open. */
static void test_find_many(void **state)
{
	fixture *f = *state;
	open_store(f, 1);
	int exact = f->be->k == PUTTYDIR || f->be->k == KITTYDIR;
	ss_buf raw = SS_BUF_INIT, other = SS_BUF_INIT;
	enum { N = 300 };
	for (size_t i = 0; i < N; i++) {
		ss_buf_reset(&raw);
		/* Every tenth name longer than a fold piece, its case only
		 * different at its end. */
		assert_int_equal(ss_buf_addf(&raw, "%sHost-%zu",
					     i % 10 ? ""
						    : "x%20long%20name%20"
						      "padding%20past%20sixty-four%20bytes%20",
					     i),
				 0);
		size_t s;
		assert_int_equal(ss_storage_create(f->st, ss_buf_str(&raw), &s, &f->d), 0);
		assert_int_equal(s, NSAMPLE + i);
	}
	for (size_t i = 0; i < N; i++) {
		const char *r = ss_storage_at(f->st, NSAMPLE + i)->raw;
		assert_int_equal(ss_storage_find(f->st, r), NSAMPLE + i);
		ss_buf_reset(&other);
		assert_int_equal(ss_buf_adds(&other, r), 0);
		/* "HOST-12": the same session for keys and sections only. */
		for (size_t k = 0; k < other.len; k++)
			if (other.data[k] >= 'a' && other.data[k] <= 'z')
				other.data[k] = (char)(other.data[k] - 'a' + 'A');
		assert_int_equal(ss_storage_find(f->st, ss_buf_str(&other)),
				 exact ? SIZE_MAX : NSAMPLE + i);
		/* A name that differs in more than case is another. */
		assert_int_equal(ss_buf_adds(&other, "~"), 0);
		assert_true(ss_storage_find(f->st, ss_buf_str(&other)) == SIZE_MAX);
		/* A name that is there in another case cannot be created. */
		size_t s;
		if (!exact) {
			other.data[--other.len] = '\0';
			assert_int_equal(ss_storage_create(f->st, ss_buf_str(&other), &s, &f->d),
					 -1);
			ss_diag_clear(&f->d);
		}
	}
	assert_int_equal(ss_storage_find(f->st, "WEB%201"), exact ? SIZE_MAX : find(f, "web%201"));
	assert_int_equal(ss_storage_count(f->st), NSAMPLE + N);
	ss_buf_release(&raw);
	ss_buf_release(&other);
}

/* ss_storage_has_prefix agrees with a scan of every name (strncasecmp for
 * keys and sections, strncmp for files), before and after sessions join:
 * 200 generated names of few letters, so that many share prefixes, and
 * each name's prefixes in both cases, with and without a session left out. */
static void test_has_prefix(void **state)
{
	fixture *f = *state;
	open_store(f, 1);
	int exact = f->be->k == PUTTYDIR || f->be->k == KITTYDIR;
	static const char letters[] = "aAbBzZ0-_";
	uint32_t seed = 16;
	ss_buf name = SS_BUF_INIT, p = SS_BUF_INIT;
	for (size_t i = 0; i < 200; i++) {
		ss_buf_reset(&name);
		size_t len = 1 + tu_lcg(&seed) % 6;
		for (size_t k = 0; k < len; k++) {
			tu_lcg(&seed);
			assert_int_equal(ss_buf_addc(&name, letters[(seed >> 16) % 9]), 0);
		}
		if (ss_storage_find(f->st, ss_buf_str(&name)) != SIZE_MAX)
			continue;
		size_t s;
		assert_int_equal(ss_storage_create(f->st, ss_buf_str(&name), &s, &f->d), 0);
		size_t n = ss_storage_count(f->st);
		for (size_t t = 0; t < n; t += 7) {
			const char *raw = ss_storage_at(f->st, t)->raw;
			for (size_t plen = 0; plen <= strlen(raw); plen++) {
				ss_buf_reset(&p);
				assert_int_equal(ss_buf_add(&p, raw, plen), 0);
				for (size_t k = 0; k < plen && i % 2; k++)
					if (p.data[k] >= 'a' && p.data[k] <= 'z')
						p.data[k] = (char)(p.data[k] - 'a' + 'A');
				size_t skip = plen % 2 ? t : SIZE_MAX;
				int want = 0, got = -1;
				for (size_t u = 0; u < n && !want; u++) {
					const char *o = ss_storage_at(f->st, u)->raw;
					want = u != skip &&
					       (exact ? strncmp(o, p.data, plen)
						      : strncasecmp(o, p.data, plen)) == 0;
				}
				assert_int_equal(
				    ss_storage_has_prefix(f->st, ss_buf_str(&p), skip, &got), 0);
				assert_int_equal(got, want);
			}
		}
	}
	ss_buf_release(&name);
	ss_buf_release(&p);
}

/* Unknown paths fail with a message; a store of another kind is not read
 * as this one. */
static void test_errors(void **state)
{
	fixture *f = *state;
	char *missing = tu_path(f->dir, "missing");
	ss_storage *st = NULL;
	assert_int_equal(ss_storage_open(&st, missing, &f->be->root, NULL, NULL, &f->d), -1);
	assert_null(st);
	assert_non_null(f->d.file ? strstr(f->d.file, "missing") : strstr(f->d.message, "missing"));
	ss_diag_clear(&f->d);
	free(missing);
}

/* A session name with a NUL byte is refused where it is, never read as
 * the name cut at the NUL (a fuzz run found "Default%20Settings<NUL>s"
 * taken for Default Settings by apply and not by audit). Folders cannot
 * hold such a name. */
static void test_nul_name(void **state)
{
	fixture *f = *state;
	if (f->be->k == PUTTYDIR || f->be->k == KITTYDIR)
		skip();
	ss_buf b = tu_read(f->path);
	size_t lines = 0;
	for (size_t i = 0; i < b.len; i++)
		lines += b.data[i] == '\n';
	static const char ini[] = "[Sessions\\a\0b]\r\n", reg[] = "[" HKCU KEY "\\a\0b]\r\n";
	const char *add = f->be->k == INI ? ini : reg;
	size_t n = (f->be->k == INI ? sizeof(ini) : sizeof(reg)) - 1;
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(ss_buf_add(&b, add + i, 1), 0);
		if (f->be->k == REG5)
			assert_int_equal(ss_buf_add(&b, "", 1), 0);
	}
	tu_write(f->path, b.data, b.len);
	ss_buf_release(&b);
	ss_storage *st = NULL;
	assert_int_equal(ss_storage_open(&st, f->path, &f->be->root, NULL, NULL, &f->d), -1);
	assert_null(st);
	assert_int_equal(f->d.line, lines + 1);
	assert_true(f->d.col > 1);
	assert_non_null(strstr(f->d.message, "NUL"));
	ss_diag_clear(&f->d);
}

/* A .reg lists each name once, as it compares names: a key that comes
 * again in another case is the same session, so the session found for a
 * listed name is that session itself (ss_storage_names_once; putty.c then
 * reads a key PuTTY wrote without a lookup). The same names under a second
 * hive (HKEY_USERS\SID) are sessions too, listed again: then the store
 * says so, and each name finds its first session. Folders name files
 * exactly; WinSCP.ini does not say. */
static void listed_once(void **state, int hive)
{
	fixture *f = *state;
	if (f->be->k == PUTTYDIR || f->be->k == KITTYDIR)
		skip();
	ss_buf b = tu_read(f->path);
	for (size_t k = 0; k < NSAMPLE; k++) {
		char upper[64];
		size_t n = strlen(SAMPLE[k].raw);
		assert_true(n < sizeof(upper));
		for (size_t i = 0; i <= n; i++)
			upper[i] = (char)toupper((unsigned char)SAMPLE[k].raw[i]);
		char *add = f->be->k == INI ? ss_asprintf("[Sessions\\%s]\r\n", upper)
			    : hive ? ss_asprintf("[HKEY_USERS\\S-1-5-21\\" KEY "\\%s]\r\n", upper)
				   : ss_asprintf("[" HKCU KEY "\\%s]\r\n", upper);
		assert_non_null(add);
		for (size_t i = 0; add[i]; i++) {
			assert_int_equal(ss_buf_add(&b, add + i, 1), 0);
			if (f->be->k == REG5)
				assert_int_equal(ss_buf_add(&b, "", 1), 0);
		}
		free(add);
	}
	tu_write(f->path, b.data, b.len);
	ss_buf_release(&b);
	open_store(f, 0);
	size_t n = ss_storage_count(f->st);
	assert_int_equal(n, hive ? 2 * NSAMPLE : NSAMPLE);
	assert_int_equal(ss_storage_names_once(f->st), !hive && f->be->k != INI);
	for (size_t s = 0; s < n; s++)
		assert_int_equal(ss_storage_find(f->st, ss_storage_at(f->st, s)->raw), s % NSAMPLE);
}

static void test_listed_once(void **state)
{
	listed_once(state, 0);
}

static void test_listed_again_under_a_hive(void **state)
{
	fixture *f = *state;
	if (f->be->k != REG5 && f->be->k != REG4)
		skip();
	listed_once(state, 1);
}

/* Recognition before opening: a file of the store is no misfit, binary
 * data is; folders list their session files. */
static void test_recognise(void **state)
{
	fixture *f = *state;
	int dir = f->be->k == PUTTYDIR || f->be->k == KITTYDIR;
	const ss_storage_root *root = &f->be->root;
	size_t off = 99;
	ss_strlist files = SS_STRLIST_INIT;
	if (dir) {
		assert_int_equal(ss_storage_folder_files(root, f->path, &files, &f->d), 0);
		assert_int_equal(files.n, NSAMPLE);
		assert_string_equal(files.v[0], "Default%20Settings");
		ss_buf b = tu_read(f->file[0][0]);
		assert_null(ss_storage_misfit(root, b.data, b.len, 1, &off));
		ss_buf_release(&b);
		assert_non_null(ss_storage_misfit(root, "\x01\x02", 2, 1, &off));
	} else {
		assert_int_equal(ss_storage_folder_files(root, f->path, &files, &f->d), -1);
		ss_diag_clear(&f->d);
		const char *head = f->be->k == INI ? "[Sessions\\a]\nk=v\n" : "REGEDIT4\n";
		assert_null(ss_storage_misfit(root, head, strlen(head), 0, &off));
		assert_non_null(ss_storage_misfit(root, "\x01\x02", 2, 0, &off));
	}
	assert_int_equal(off, 0);
	ss_strlist_release(&files);
}

/* A .reg session in several blocks: its walk gives each name once, where
 * an import leaves it (names compared as the registry does: unescaped,
 * case folded), never a deleted value, nothing before a [-KEY]. */
static void test_next_reg_import(void **state)
{
	fixture *f = *state;
	if (f->be->k != REG4)
		skip();
	static const char reg[] =
	    "REGEDIT4\n\n"
	    "[" HKCU KEY "\\s]\n\"Gone\"=dword:00000001\n\n"
	    "[-" HKCU KEY "\\s]\n\n"
	    "[" HKCU KEY "\\s]\n"
	    "\"Ping\"=dword:00000001\n\"Host\"=\"a\"\n\"Q\\\"x\"=\"1\"\n\"Drop\"=\"d\"\n\n"
	    "[" HKCU KEY "\\other]\n\"Ping\"=dword:00000009\n\n"
	    "[" HKCU KEY "\\s]\n"
	    "\"PING\"=dword:00000002\n\"q\\\"X\"=\"2\"\n\"Drop\"=-\n\"User\"=\"u\"\n";
	tu_write(f->path, reg, sizeof(reg) - 1);
	open_store(f, 0);
	size_t s = find(f, "s");
	static const char *const want[][2] = {
	    {"Host", "a"}, {"PING", NULL}, {"q\"X", "2"}, {"User", "u"}};
	ss_storage_cursor c = {0, 0};
	ss_svalue v;
	size_t j = 0;
	int r;
	while ((r = ss_storage_next(f->st, s, &c, &v, &f->d)) == 1) {
		assert_true(j < 4);
		assert_string_equal(v.name, want[j][0]);
		if (want[j][1])
			assert_string_equal(v.text, want[j][1]);
		else
			assert_int_equal(v.ival, 2);
		ss_svalue_free(&v);
		j++;
	}
	assert_int_equal(r, 0);
	assert_int_equal(j, 4);
	/* Walked again from the start, and another session between. */
	size_t o = find(f, "other");
	c = (ss_storage_cursor){0, 0};
	assert_int_equal(ss_storage_next(f->st, o, &c, &v, &f->d), 1);
	assert_string_equal(v.name, "Ping");
	ss_svalue_free(&v);
	assert_int_equal(ss_storage_next(f->st, o, &c, &v, &f->d), 0);
	c = (ss_storage_cursor){0, 0};
	assert_int_equal(ss_storage_next(f->st, s, &c, &v, &f->d), 1);
	assert_string_equal(v.name, "Host");
	ss_svalue_free(&v);
}

/* The same walk where a session only deletes a value, or only sets one
 * twice (in one block: the two cases a walk tells without sorting). */
static void test_next_reg_deletion_or_repeat_alone(void **state)
{
	fixture *f = *state;
	if (f->be->k != REG4)
		skip();
	static const char reg[] = "REGEDIT4\n\n"
				  "[" HKCU KEY "\\del]\n\"Keep\"=\"k\"\n\"Del\"=-\n\n"
				  "[" HKCU KEY "\\twice]\n\"A\"=\"1\"\n\"B\"=\"b\"\n\"a\"=\"2\"\n";
	tu_write(f->path, reg, sizeof(reg) - 1);
	open_store(f, 0);
	static const char *const want[2][2][2] = {{{"Keep", "k"}, {NULL, NULL}},
						  {{"B", "b"}, {"a", "2"}}};
	const char *const sessions[] = {"del", "twice"};
	for (int k = 0; k < 2; k++) {
		size_t s = find(f, sessions[k]);
		ss_storage_cursor c = {0, 0};
		ss_svalue v;
		int r;
		size_t j = 0;
		while ((r = ss_storage_next(f->st, s, &c, &v, &f->d)) == 1) {
			assert_true(j < 2 && want[k][j][0]);
			assert_string_equal(v.name, want[k][j][0]);
			assert_string_equal(v.text, want[k][j][1]);
			ss_svalue_free(&v);
			j++;
		}
		assert_int_equal(r, 0);
		assert_int_equal(j, k ? 2 : 1);
	}
}

/* The values of session i of a .reg of many: "P"=dword:i, "H"="hi" in
 * its first block; a later block sets P again (i % 7 == 3), deletes H
 * (i % 11 == 5), or a [-KEY] forgets both before one more block sets P to
 * 7 (i % 13 == 6). */
static void many_sessions(ss_buf *b, size_t count)
{
	assert_int_equal(ss_buf_adds(b, "REGEDIT4\n\n"), 0);
	for (size_t i = 0; i < count; i++)
		assert_int_equal(ss_buf_addf(b,
					     "[" HKCU KEY
					     "\\s%zu]\n\"H\"=\"h%zu\"\n\"X\"=dword:00000001\n"
					     "\"P\"=dword:%08zx\n\n",
					     i, i, i),
				 0);
	for (size_t i = 0; i < count; i++) {
		int r = 0;
		if (i % 7 == 3)
			r |= ss_buf_addf(b, "[" HKCU KEY "\\s%zu]\n\"P\"=dword:%08zx\n", i,
					 i + 100000);
		if (i % 11 == 5)
			r |= ss_buf_addf(b, "[" HKCU KEY "\\s%zu]\n\"h\"=-\n", i);
		if (i % 13 == 6)
			r |= ss_buf_addf(
			    b, "[-" HKCU KEY "\\s%zu]\n[" HKCU KEY "\\s%zu]\n\"P\"=dword:7\n", i,
			    i);
		assert_int_equal(r, 0);
	}
}

/* Session i's values asked for in many_sessions' store, as it sets them. */
static void assert_many_values(fixture *f, size_t i)
{
	static const char *const names[] = {"P", "H", "Nothing"};
	char raw[32];
	snprintf(raw, sizeof(raw), "s%zu", i);
	ss_svalue m[3];
	assert_int_equal(ss_storage_get_many(f->st, find(f, raw), names, 3, m, &f->d), 0);
	size_t p = i % 13 == 6 ? 7 : i % 7 == 3 ? i + 100000 : i;
	assert_true(m[0].present && !m[2].present);
	assert_int_equal(m[0].ival, (long long)p);
	assert_int_equal(m[1].present, i % 11 != 5 && i % 13 != 6);
	if (m[1].present) {
		snprintf(raw, sizeof(raw), "h%zu", i);
		assert_string_equal(m[1].text, raw);
	}
	for (int k = 0; k < 3; k++)
		ss_svalue_free(&m[k]);
}

/* A store of more sessions than a second thread is worth (256 after the
 * second asked) shares them with it: each session gets its own values,
 * in order, with other names asked between, again after it was taken, and
 * at the edge (257 and 258 sessions); a store closed halfway frees what
 * was read and not taken. */
static void test_get_many_shared(void **state)
{
	fixture *f = *state;
	if (f->be->k != REG4)
		skip();
	static const size_t counts[] = {257, 258, 1000};
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		ss_buf b = SS_BUF_INIT;
		many_sessions(&b, counts[c]);
		tu_write(f->path, b.data, b.len);
		ss_buf_release(&b);
		open_store(f, 0);
		for (size_t i = 0; i < counts[c]; i++) {
			assert_many_values(f, i);
			if (i == 300) {
				ss_svalue v;
				assert_int_equal(
				    ss_storage_get(f->st, find(f, "s301"), "X", &v, &f->d), 1);
				assert_int_equal(v.ival, 1);
				ss_svalue_free(&v);
				assert_many_values(f, 900);
			}
		}
		assert_many_values(f, counts[c] - 1);
		assert_many_values(f, 2);
		open_store(f, 0);
		for (size_t i = 0; i < 3; i++)
			assert_many_values(f, i);
		close_store(f);
	}
}

/* A WinSCP.ini of many sections is listed the same when part of the
 * sessions are named on another thread: in order, each once (not a later
 * section of the same name in another case, not a subkey, not another
 * root's), raw and unescaped (escapes that make ASCII and those that do
 * not); a NUL in a name is refused at its place, the first one when there
 * are two, in the first half or the second. */
static void many_sections(ss_buf *b, size_t n, ss_strlist *raws, size_t nul_at, size_t nul_at2)
{
	char name[64];
	size_t plain = 0; /* the last session named "s<i>" */
	for (size_t i = 0; i < n; i++) {
		int session = 1;
		if (i % 7 == 3) {
			snprintf(name, sizeof(name), "Configuration\\x%zu", i);
			session = 0;
		} else if (i % 11 == 5) {
			snprintf(name, sizeof(name), "Sessions\\s%zu\\sub", i - 1);
			session = 0;
		} else if (i % 13 == 6 && plain) {
			snprintf(name, sizeof(name), "SESSIONS\\S%zu", plain);
			session = 0; /* that session's name, in another case */
		} else {
			plain = i % 5 ? i : plain;
			snprintf(name, sizeof(name), "Sessions\\%s%zu",
				 i % 5	 ? "s"
				 : i % 2 ? "%C3%A9 "
					 : "a%20b",
				 i);
		}
		assert_int_equal(ss_buf_addc(b, '['), 0);
		assert_int_equal(ss_buf_adds(b, name), 0);
		if (i == nul_at || i == nul_at2)
			assert_int_equal(ss_buf_add(b, "\0x", 2), 0);
		assert_int_equal(ss_buf_adds(b, "]\r\nHostName=h\r\n"), 0);
		if (session && raws && ss_strlist_push(raws, name + strlen("Sessions\\")) < 0)
			fail();
	}
}

static void test_winini_many_sections(void **state)
{
	fixture *f = *state;
	ss_buf b = SS_BUF_INIT;
	ss_strlist raws = SS_STRLIST_INIT;
	const size_t n = 9000;
	many_sections(&b, n, &raws, SIZE_MAX, SIZE_MAX);
	tu_write(f->path, b.data, b.len);
	open_store(f, 0);
	assert_int_equal(ss_storage_count(f->st), raws.n);
	ss_buf name = SS_BUF_INIT;
	for (size_t i = 0; i < raws.n; i++) {
		const ss_storage_session *ses = ss_storage_at(f->st, i);
		assert_string_equal(ses->raw, raws.v[i]);
		ss_buf_reset(&name);
		assert_int_equal(unescape(raws.v[i], strlen(raws.v[i]), &name), 0);
		assert_string_equal(ses->name, ss_buf_str(&name));
	}
	close_store(f);
	/* NULs: in the second half; in both (the first is said). */
	const size_t at[][2] = {{7004, SIZE_MAX}, {1001, 8003}, {8003, 8005}};
	for (size_t k = 0; k < 3; k++) {
		ss_buf_reset(&b);
		many_sections(&b, n, NULL, at[k][0], at[k][1]);
		tu_write(f->path, b.data, b.len);
		ss_storage *st = NULL;
		assert_int_equal(ss_storage_open(&st, f->path, &f->be->root, NULL, NULL, &f->d),
				 -1);
		assert_int_equal(f->d.line, 2 * at[k][0] + 1);
		assert_non_null(strstr(f->d.message, "NUL"));
		ss_diag_clear(&f->d);
	}
	ss_buf_release(&name);
	ss_buf_release(&b);
	ss_strlist_release(&raws);
}

#define CONTRACT(be)                                                                               \
	cmocka_unit_test_prestate_setup_teardown(test_list, setup, teardown, (void *)&be),         \
	    cmocka_unit_test_prestate_setup_teardown(test_get, setup, teardown, (void *)&be),      \
	    cmocka_unit_test_prestate_setup_teardown(test_next, setup, teardown, (void *)&be),     \
	    cmocka_unit_test_prestate_setup_teardown(test_next_reg_import, setup, teardown,        \
						     (void *)&be),                                 \
	    cmocka_unit_test_prestate_setup_teardown(test_next_reg_deletion_or_repeat_alone,       \
						     setup, teardown, (void *)&be),                \
	    cmocka_unit_test_prestate_setup_teardown(test_get_many_shared, setup, teardown,        \
						     (void *)&be),                                 \
	    cmocka_unit_test_prestate_setup_teardown(test_view, setup, teardown, (void *)&be),     \
	    cmocka_unit_test_prestate_setup_teardown(test_reads_shared, setup, teardown,           \
						     (void *)&be),                                 \
	    cmocka_unit_test_prestate_setup_teardown(test_view_asked, setup, teardown,             \
						     (void *)&be),                                 \
	    cmocka_unit_test_prestate_setup_teardown(test_unchanged, setup, teardown,              \
						     (void *)&be),                                 \
	    cmocka_unit_test_prestate_setup_teardown(test_set_delete, setup, teardown,             \
						     (void *)&be),                                 \
	    cmocka_unit_test_prestate_setup_teardown(test_create, setup, teardown, (void *)&be),   \
	    cmocka_unit_test_prestate_setup_teardown(test_write_after_view, setup, teardown,       \
						     (void *)&be),                                 \
	    cmocka_unit_test_prestate_setup_teardown(test_added_values, setup, teardown,           \
						     (void *)&be),                                 \
	    cmocka_unit_test_prestate_setup_teardown(test_part, setup, teardown, (void *)&be),     \
	    cmocka_unit_test_prestate_setup_teardown(test_find_many, setup, teardown,              \
						     (void *)&be),                                 \
	    cmocka_unit_test_prestate_setup_teardown(test_has_prefix, setup, teardown,             \
						     (void *)&be),                                 \
	    cmocka_unit_test_prestate_setup_teardown(test_errors, setup, teardown, (void *)&be),   \
	    cmocka_unit_test_prestate_setup_teardown(test_nul_name, setup, teardown, (void *)&be), \
	    cmocka_unit_test_prestate_setup_teardown(test_listed_once, setup, teardown,            \
						     (void *)&be),                                 \
	    cmocka_unit_test_prestate_setup_teardown(test_listed_again_under_a_hive, setup,        \
						     teardown, (void *)&be),                       \
	    cmocka_unit_test_prestate_setup_teardown(test_recognise, setup, teardown, (void *)&be)

int main(void)
{
	const struct CMUnitTest reg5[] = {CONTRACT(B_REG5)};
	const struct CMUnitTest reg4[] = {CONTRACT(B_REG4)};
	const struct CMUnitTest ini[] = {
	    CONTRACT(B_INI), cmocka_unit_test_prestate_setup_teardown(
				 test_winini_many_sections, setup, teardown, (void *)&B_INI)};
	const struct CMUnitTest puttydir[] = {CONTRACT(B_PUTTYDIR)};
	const struct CMUnitTest kittydir[] = {CONTRACT(B_KITTYDIR)};
	int r = cmocka_run_group_tests_name("regfile v5 (UTF-16)", reg5, NULL, NULL);
	r += cmocka_run_group_tests_name("regfile REGEDIT4", reg4, NULL, NULL);
	r += cmocka_run_group_tests_name("winini", ini, NULL, NULL);
	r += cmocka_run_group_tests_name("sessdir PuTTY", puttydir, NULL, NULL);
	r += cmocka_run_group_tests_name("sessdir KiTTY", kittydir, NULL, NULL);
	return r;
}
