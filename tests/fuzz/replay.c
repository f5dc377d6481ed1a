#define _GNU_SOURCE
/* Runs harnesses on files without fuzzing:
 *
 *     fuzz_replay HARNESS PATH...
 *
 * Each PATH is a file or a folder (every regular file under it, in sorted
 * order; a missing PATH is skipped with a note, so that optional seed
 * folders such as ../shared/corpus may be absent). Prints how many inputs
 * ran; an invariant that breaks aborts with the input's name printed. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static size_t run_file(const fuzz_harness *h, const char *path)
{
	ss_buf b = fuzz_read(path);
	fprintf(stderr, "%s: %s\n", h->name, path);
	h->fn((const uint8_t *)(b.data ? b.data : ""), b.len);
	ss_buf_release(&b);
	return 1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static size_t run_path(const fuzz_harness *h, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		fprintf(stderr, "%s: %s absent, skipped\n", h->name, path);
		return 0;
	}
	if (S_ISREG(st.st_mode))
		return run_file(h, path);
	if (!S_ISDIR(st.st_mode))
		return 0;
	struct dirent **list;
	int n = scandir(path, &list, NULL, by_name);
	FUZZ_CHECK(n >= 0, "cannot list %s", path);
	size_t count = 0;
	for (int i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.') {
			char *sub = ss_asprintf("%s/%s", path, list[i]->d_name);
			FUZZ_CHECK(sub, "out of memory");
			count += run_path(h, sub);
			free(sub);
		}
		free(list[i]);
	}
	free(list);
	return count;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: fuzz_replay HARNESS PATH...\nharnesses:");
		for (const fuzz_harness *h = fuzz_harnesses; h->name; h++)
			fprintf(stderr, " %s", h->name);
		fputc('\n', stderr);
		return 2;
	}
	const fuzz_harness *h = fuzz_find(argv[1]);
	if (!h) {
		fprintf(stderr, "fuzz_replay: no harness '%s'\n", argv[1]);
		return 2;
	}
	size_t n = 0;
	for (int i = 2; i < argc; i++)
		n += run_path(h, argv[i]);
	printf("%s: %zu inputs replayed, every invariant held\n", h->name, n);
	return 0;
}
