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
