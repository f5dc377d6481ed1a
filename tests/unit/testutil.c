#define _GNU_SOURCE
#include "testutil.h"

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *tu_tempdir(void)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = ss_asprintf("%s/sshsync-test-XXXXXX", base && *base ? base : "/tmp");
	assert_non_null(tmpl);
	assert_non_null(mkdtemp(tmpl));
	return tmpl;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void tu_rmtree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
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
	if (access(p, R_OK) != 0)
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
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			assert_int_equal(ss_strlist_push(&l, e->d_name), 0);
	closedir(d);
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), cmp_str);
	return l;
}
