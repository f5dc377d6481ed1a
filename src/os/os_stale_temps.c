/* The temporary files killed runs left, each directory listed once a run
 * (see ss_os_stale_temps in os_file.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "os_int.h"
#include "sshsync/buf.h"
#include "sshsync/os_sys.h"

/* A directory as the run first listed it: its temporary files, sorted,
 * those of one name side by side. */
typedef struct listed_dir {
	uint64_t dev, ino;
	ss_os_paths temps;
} listed_dir;

struct ss_os_stale_temps {
	ss_os_monitor *lock; /* writes run on several threads */
	listed_dir *v;
	size_t n, cap;
};

ss_os_stale_temps *ss_os_stale_temps_new(void)
{
	ss_os_stale_temps *s = calloc(1, sizeof(*s));
	if (s && !(s->lock = ss_os_monitor_new())) {
		free(s);
		s = NULL;
	}
	return s;
}

void ss_os_stale_temps_free(ss_os_stale_temps *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		ss_os_paths_free(&s->v[i].temps);
	free(s->v);
	ss_os_monitor_free(s->lock);
	free(s);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The directory's listing, made the first time: NULL when it cannot be. */
static listed_dir *listed(ss_os_stale_temps *s, int dir, const ss_stat *st)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].dev == (uint64_t)st->st_dev && s->v[i].ino == (uint64_t)st->st_ino)
			return &s->v[i];
	if (ss_array_room(&s->v, &s->cap, s->n, sizeof(*s->v)) < 0)
		return NULL;
	listed_dir *d = &s->v[s->n];
	if (ss_os_list_temps(dir, &d->temps) < 0)
		return NULL;
	if (d->temps.n > 1)
		qsort(d->temps.v, d->temps.n, sizeof(*d->temps.v), by_name);
	d->dev = (uint64_t)st->st_dev;
	d->ino = (uint64_t)st->st_ino;
	s->n++;
	return d;
}

/* The first of the sorted names not before `prefix`. */
static size_t first_from(const ss_os_paths *p, const char *prefix)
{
	size_t lo = 0, hi = p->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(p->v[mid], prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The listed temporary files of `prefix`, copied into `out`. */
static int take_temps_of(listed_dir *d, const char *prefix, ss_os_paths *out)
{
	size_t plen = strlen(prefix), cap = 0;
	for (size_t i = first_from(&d->temps, prefix);
	     i < d->temps.n && strncmp(d->temps.v[i], prefix, plen) == 0; i++) {
		if (ss_os_is_temp_of(d->temps.v[i], prefix, plen) &&
		    ss_os_paths_push(out, &cap, d->temps.v[i]) < 0)
			return -1;
	}
	return 0;
}

int ss_os_stale_temps_remove(ss_os_stale_temps *s, int dir, const char *name)
{
	ss_stat st;
	if (!s || ss_os_fstat(dir, &st) < 0)
		return ss_os_remove_stale_temps(dir, name);
	char *prefix = ss_os_temp_prefix(name);
	if (!prefix)
		return -1;
	ss_os_paths mine = {NULL, 0};
	ss_os_monitor_enter(s->lock);
	listed_dir *d = listed(s, dir, &st);
	int r = d ? take_temps_of(d, prefix, &mine) : -1;
	ss_os_monitor_leave(s->lock);
	free(prefix);
	if (!d)
		return ss_os_remove_stale_temps(dir, name);
	int removed = 0;
	for (size_t i = 0; i < mine.n; i++)
		removed += ss_os_remove_unheld_temp(dir, mine.v[i]);
	ss_os_paths_free(&mine);
	return r < 0 ? -1 : removed;
}
