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
