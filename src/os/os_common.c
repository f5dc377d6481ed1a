/* The parts of src/os that are the same on every system. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os_int.h"
#include "sshsync/buf.h"

/* Room left in a 255-byte name for ".", the tag and the random part. */
#define TEMP_NAME_MAX 200

void ss_os_paths_free(ss_os_paths *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

char *ss_os_temp_prefix(const char *name)
{
	size_t n = strlen(name);
	if (n > TEMP_NAME_MAX)
		n = TEMP_NAME_MAX;
	char *p = malloc(n + sizeof(SS_OS_TEMP_TAG) + 1);
	if (p)
		snprintf(p, n + sizeof(SS_OS_TEMP_TAG) + 1, ".%.*s%s", (int)n, name,
			 SS_OS_TEMP_TAG);
	return p;
}

int ss_os_is_temp_of(const char *entry, const char *prefix, size_t plen)
{
	if (strncmp(entry, prefix, plen) != 0 || strlen(entry + plen) != SS_OS_TEMP_RANDOM)
		return 0;
	for (const char *c = entry + plen; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= '0' && *c <= '9')))
			return 0;
	return 1;
}

int ss_os_is_temp(const char *entry)
{
	size_t n = strlen(entry), tag = strlen(SS_OS_TEMP_TAG);
	if (entry[0] != '.' || n < 2 + tag + SS_OS_TEMP_RANDOM)
		return 0;
	const char *random = entry + n - SS_OS_TEMP_RANDOM;
	return memcmp(random - tag, SS_OS_TEMP_TAG, tag) == 0 && ss_os_is_temp_of(random, "", 0);
}

int ss_os_paths_push(ss_os_paths *p, size_t *cap, const char *s)
{
	if (ss_array_room(&p->v, cap, p->n, sizeof(*p->v)) < 0 || !(p->v[p->n] = strdup(s))) {
		errno = ENOMEM;
		return -1;
	}
	p->n++;
	return 0;
}

int ss_os_remove_stale_temps(int dir, const char *name)
{
	char *prefix = ss_os_temp_prefix(name);
	ss_os_paths temps = {NULL, 0};
	if (!prefix || ss_os_list_temps(dir, &temps) < 0) {
		free(prefix);
		return -1;
	}
	size_t plen = strlen(prefix);
	int removed = 0;
	for (size_t i = 0; i < temps.n; i++)
		if (ss_os_is_temp_of(temps.v[i], prefix, plen))
			removed += ss_os_remove_unheld_temp(dir, temps.v[i]);
	ss_os_paths_free(&temps);
	free(prefix);
	return removed;
}

int ss_os_link_temp(int from_dir, const char *from, int to_dir, const char *name, char **tmpname)
{
	*tmpname = NULL;
	char *prefix = ss_os_temp_prefix(name);
	size_t size = prefix ? strlen(prefix) + SS_OS_TEMP_RANDOM + 1 : 0;
	char *tmp = prefix ? malloc(size) : NULL;
	if (!tmp) {
		free(prefix);
		errno = ENOMEM;
		return -1;
	}
	/* A name taken already is tried again with other random letters. */
	int existed = 1;
	for (int tries = 0; tries < 100 && existed; tries++) {
		char suffix[SS_OS_TEMP_RANDOM + 1];
		ss_os_random_suffix(suffix);
		snprintf(tmp, size, "%s%s", prefix, suffix);
		if (ss_os_link_if_absent(from_dir, from, to_dir, tmp, &existed) < 0) {
			int e = errno;
			free(prefix);
			free(tmp);
			errno = e;
			return -1;
		}
	}
	free(prefix);
	if (existed) {
		free(tmp);
		errno = EEXIST;
		return -1;
	}
	*tmpname = tmp;
	return 0;
}

int ss_os_keep_output(char **out, size_t *len, size_t *cap, const char *chunk, size_t n,
		      size_t limit)
{
	if (*len >= limit)
		return 0;
	if (n > limit - *len)
		n = limit - *len;
	if (*len + n + 1 > *cap) {
		size_t ncap = (*len + n + 1) * 2;
		char *p = realloc(*out, ncap);
		if (!p)
			return -1;
		*out = p;
		*cap = ncap;
	}
	memcpy(*out + *len, chunk, n);
	*len += n;
	(*out)[*len] = '\0';
	return 0;
}

int ss_os_lock_file(int dir, const char *name, int *fd, ss_stat *st)
{
	*fd = -1;
	memset(st, 0, sizeof(*st));
	for (int tries = 0; tries < 1000; tries++) {
		int r = ss_os_lock_once(dir, name, fd, st);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	errno = EAGAIN;
	return -1;
}
