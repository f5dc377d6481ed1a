#define _GNU_SOURCE
/* Helpers shared by the harnesses: a private work folder, files, checks. */
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "sshsync/storage.h"
#include "sshsync/text.h"

static char *workdir;

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("invariant broken: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

int fuzz_terminal_safe(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = ss_utf8_decode((const unsigned char *)s + i, len - i, &cp, 0);
		if (!n || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E ||
		    cp == 0x200F || (cp >= 0x2028 && cp <= 0x202E) ||
		    (cp >= 0x2066 && cp <= 0x2069))
			return 0;
		i += n;
	}
	return 1;
}

void fuzz_show(const char *title, const void *data, size_t len)
{
	const unsigned char *p = data;
	fprintf(stderr, "--- %s (%zu bytes):\n", title, len);
	for (size_t i = 0; i < len && i < 4096; i++) {
		if (p[i] == '\n')
			fputs("\\n\n", stderr);
		else if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '\\')
			fprintf(stderr, "\\x%02x", p[i]);
		else
			fputc(p[i], stderr);
	}
	fputs("\n---\n", stderr);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	return ftw->level == 0 ? 0 : remove(path);
}

static void rm_workdir(void)
{
	if (!workdir)
		return;
	nftw(workdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	rmdir(workdir);
	free(workdir);
	workdir = NULL;
}

const char *fuzz_workdir(void)
{
	if (!workdir) {
		const char *base = getenv("TMPDIR");
		workdir = ss_asprintf("%s/sshsync-fuzz-XXXXXX", base && *base ? base : "/tmp");
		FUZZ_CHECK(workdir && mkdtemp(workdir), "cannot make a temporary folder");
		atexit(rm_workdir);
	} else {
		nftw(workdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	return workdir;
}

const char *fuzz_workdir_name(void)
{
	FUZZ_CHECK(workdir, "no work folder yet");
	return workdir;
}

char *fuzz_path(const char *name)
{
	FUZZ_CHECK(workdir, "fuzz_path before fuzz_workdir");
	char *p = ss_asprintf("%s/%s", workdir, name);
	FUZZ_CHECK(p, "out of memory");
	return p;
}

void fuzz_write(const char *name, const void *data, size_t len)
{
	char *p = fuzz_path(name);
	char *slash = strrchr(p, '/');
	if (slash > p + strlen(workdir)) {
		*slash = '\0';
		mkdir(p, 0700);
		*slash = '/';
	}
	FILE *f = fopen(p, "wb");
	FUZZ_CHECK(f, "cannot write %s", p);
	FUZZ_CHECK(fwrite(data, 1, len, f) == len && fclose(f) == 0, "cannot write %s", p);
	chmod(p, 0600);
	free(p);
}

ss_buf fuzz_read(const char *path)
{
	ss_buf b = SS_BUF_INIT;
	FILE *f = fopen(path, "rb");
	FUZZ_CHECK(f, "cannot read %s", path);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		FUZZ_CHECK(ss_buf_add(&b, chunk, n) == 0, "out of memory");
	fclose(f);
	return b;
}

void fuzz_check_roundtrip(const char *what, const void *data, size_t len, const void *rendered,
			  size_t rlen)
{
	FUZZ_CHECK(len == rlen && (len == 0 || memcmp(data, rendered, len) == 0),
		   "%s: parse-then-render is not byte-identical (%zu bytes in, %zu out)", what, len,
		   rlen);
}

void fuzz_policy_from(uint8_t seed, ss_policy *p)
{
	static const long intervals[] = {60, 1, 30, 45, 90, 119, 120, 239, 300, 3600};
	ss_policy_init(p);
	p->interval = intervals[seed % 10];
	p->count_max = (seed & 0x10) ? (long)(seed >> 5) : SS_UNSET;
	p->tcp_keepalive = (seed & 0x20) ? (long)((seed >> 6) & 1) : SS_UNSET;
	p->winscp_ping = (ss_winscp_ping)((seed >> 6) % 3);
}

void fuzz_diag_done(ss_diag *d)
{
	ss_diag_clear(d);
}

char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = ss_strndup((const char *)data, size);
	FUZZ_CHECK(s, "out of memory");
	return s;
}

/* Everything a storage says of its sessions and of the values `a` names,
 * one line each, into `out`; or its error. */
static void describe(ss_storage *st, int r, const ss_diag *d, const ss_storage_asked *a,
		     ss_buf *out)
{
	if (r < 0) {
		char *e = ss_diag_format(d);
		FUZZ_CHECK(e && ss_buf_adds(out, e) == 0, "out of memory");
		free(e);
		return;
	}
	ss_diag g = SS_DIAG_INIT;
	int err = ss_buf_addf(out, "%zu sessions, once %d\n", ss_storage_count(st),
			      ss_storage_names_once(st));
	for (size_t s = 0; s < ss_storage_count(st); s++) {
		const ss_storage_session *ses = ss_storage_at(st, s);
		ss_svalue v[SS_STORAGE_ASKED_MAX];
		FUZZ_CHECK(ss_storage_get_many(st, s, a->names, a->n, v, &g) == 0,
			   "get_many failed");
		err |= ss_buf_addf(out, "[%s|%s|%s]\n", ses->raw, ses->name, ses->file);
		for (size_t i = 0; i < a->n; i++) {
			if (v[i].present)
				err |= ss_buf_addf(out, " %s %d %u %s %d %d %lld %s %s %zu\n",
						   v[i].name, (int)v[i].type, v[i].dword,
						   v[i].text ? v[i].text : "-", v[i].is_int,
						   v[i].plain, v[i].ival, v[i].where, v[i].shown,
						   v[i].order);
			ss_svalue_free(&v[i]);
		}
	}
	FUZZ_CHECK(err == 0, "out of memory");
}

void fuzz_check_pieces(const char *path, const ss_storage_root *root, const char *const *names,
		       size_t n, uint8_t pick)
{
	static const size_t sizes[] = {1, 2, 5, 16, 100, 1000, 0};
	/* In one part, in two halves or parts of a WinSCP.ini: of 1 byte (as
	 * many as a file takes), of 64 or of 1 MiB. */
	static const size_t parts[] = {1, 64, 0, 1};
	ss_storage_pieces how = {sizes[pick % 7], pick & 0x40 ? 1 : 0,
				 parts[((pick >> 7) & 1) | ((pick >> 4) & 2)]};
	ss_storage_asked a;
	FUZZ_CHECK(ss_storage_ask(&a, names, n) == 0, "too many names");
	ss_storage *w = NULL, *q = NULL;
	ss_diag dw = SS_DIAG_INIT, dq = SS_DIAG_INIT;
	ss_buf x = SS_BUF_INIT, y = SS_BUF_INIT;
	int rw = ss_storage_open(&w, path, root, NULL, NULL, &dw);
	int rq = ss_storage_open_asked(&q, path, root, NULL, &a, &how, &dq);
	describe(w, rw, &dw, &a, &x);
	describe(q, rq, &dq, &a, &y);
	FUZZ_CHECK(x.len == y.len && memcmp(x.data, y.data, x.len) == 0,
		   "read in pieces (%zu, %zu), the store differs from its whole read:\n%s\n---\n%s",
		   how.piece, how.split, ss_buf_str(&x), ss_buf_str(&y));
	ss_storage_close(w);
	ss_storage_close(q);
	ss_diag_clear(&dw);
	ss_diag_clear(&dq);
	ss_buf_release(&x);
	ss_buf_release(&y);
}
