/* Windows glob and directory listing (FindFirstFileW). Names match
 * case-insensitively, as Win32-OpenSSH matches Include patterns, and both
 * `\` and `/` separate. See include/sshsync/os_file.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "sshsync/os_file.h"
#include "sshsync/os_path.h"
#include "sshsync/os_user.h"
#include "win32.h"

/* Takes ownership of s. */
static int push_owned(ss_os_paths *out, char *s)
{
	if (!s)
		return -1;
	char **v = realloc(out->v, (out->n + 1) * sizeof(*v));
	if (!v) {
		free(s);
		errno = ENOMEM;
		return -1;
	}
	out->v = v;
	v[out->n++] = s;
	return 0;
}

/* The entries of a folder (UTF-16 names, "." and ".." left out), with
 * whether each is a directory. */
typedef struct entries {
	wchar_t **name;
	unsigned char *is_dir;
	size_t n;
} entries;

static void entries_free(entries *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->name[i]);
	free(e->name);
	free(e->is_dir);
	memset(e, 0, sizeof(*e));
}

static int read_entries(const char *dir, entries *out)
{
	memset(out, 0, sizeof(*out));
	size_t dl = strlen(dir);
	char *pat = malloc(dl + 3);
	if (!pat) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(pat, dir, dl);
	size_t k = dl;
	if (dl && !ss_os_is_sep(dir[dl - 1]) && !(dl == 2 && dir[1] == ':'))
		pat[k++] = '\\';
	pat[k++] = '*';
	pat[k] = '\0';
	wchar_t *w = ss_w32_wide(pat);
	free(pat);
	if (!w)
		return -1;
	WIN32_FIND_DATAW fd;
	HANDLE h = FindFirstFileExW(w, FindExInfoBasic, &fd, FindExSearchNameMatch, NULL, 0);
	free(w);
	if (h == INVALID_HANDLE_VALUE) {
		if (GetLastError() == ERROR_FILE_NOT_FOUND)
			return 0; /* an empty folder (not even "." on some drives) */
		return ss_w32_fail();
	}
	int r = 0;
	size_t cap = 0;
	do {
		if (wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0)
			continue;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			wchar_t **nv = realloc(out->name, cap * sizeof(*nv));
			unsigned char *nd = nv ? realloc(out->is_dir, cap) : NULL;
			if (nv)
				out->name = nv;
			if (!nd) {
				errno = ENOMEM;
				r = -1;
				break;
			}
			out->is_dir = nd;
		}
		out->name[out->n] = _wcsdup(fd.cFileName);
		if (!out->name[out->n]) {
			errno = ENOMEM;
			r = -1;
			break;
		}
		out->is_dir[out->n++] = (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
	} while (FindNextFileW(h, &fd));
	if (r == 0 && GetLastError() != ERROR_NO_MORE_FILES)
		r = ss_w32_fail();
	int e = errno;
	FindClose(h);
	if (r < 0) {
		entries_free(out);
		errno = e;
	}
	return r;
}

int ss_os_list_dir(const char *path, ss_os_paths *names, ss_stat *self)
{
	names->v = NULL;
	names->n = 0;
	if (self && ss_os_stat(path, self) < 0)
		return -1;
	if (self && !S_ISDIR(self->st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	entries e;
	if (read_entries(path, &e) < 0)
		return -1;
	int r = 0;
	for (size_t i = 0; i < e.n && r == 0; i++)
		r = push_owned(names, ss_w32_utf8(e.name[i]));
	entries_free(&e);
	if (r < 0)
		ss_os_paths_free(names);
	return r;
}

/* --- matching --- */

static int is_magic(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* A bracket expression at p ("[...]"): whether c is in it; *end past it;
 * 0 for no bracket expression (a literal '['). */
static int bracket(const wchar_t *p, wchar_t c, const wchar_t **end, int *in)
{
	const wchar_t *q = p + 1;
	int neg = *q == L'!' || *q == L'^';
	if (neg)
		q++;
	int found = 0, first = 1;
	while (*q && (first || *q != L']')) {
		first = 0;
		wchar_t lo = (wchar_t)towlower(*q), hi = lo;
		if (q[1] == L'-' && q[2] && q[2] != L']') {
			hi = (wchar_t)towlower(q[2]);
			q += 3;
		} else {
			q++;
		}
		if (lo <= c && c <= hi)
			found = 1;
	}
	if (*q != L']')
		return 0;
	*end = q + 1;
	*in = found != neg;
	return 1;
}

static int wmatch(const wchar_t *p, const wchar_t *s)
{
	for (; *p; p++, s++) {
		if (*p == L'*') {
			while (p[1] == L'*')
				p++;
			if (!p[1])
				return 1;
			for (; *s; s++)
				if (wmatch(p + 1, s))
					return 1;
			return 0;
		}
		if (!*s)
			return 0;
		wchar_t c = (wchar_t)towlower(*s);
		if (*p == L'?')
			continue;
		const wchar_t *end;
		int in;
		if (*p == L'[' && bracket(p, c, &end, &in)) {
			if (!in)
				return 0;
			p = end - 1;
			continue;
		}
		if (*p == L'\\' && p[1])
			p++;
		if ((wchar_t)towlower(*p) != c)
			return 0;
	}
	return *s == L'\0';
}

/* --- glob --- */

typedef struct gstate {
	int lenient;
	ss_os_paths out;
} gstate;

static char *join(const char *dir, const char *name)
{
	size_t dl = strlen(dir), nl = strlen(name);
	int sep = dl && !ss_os_is_sep(dir[dl - 1]) && !(dl == 2 && dir[1] == ':');
	char *s = malloc(dl + sep + nl + 1);
	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(s, dir, dl);
	if (sep)
		s[dl] = '\\';
	memcpy(s + dl + sep, name, nl + 1);
	return s;
}

/* Expands the components comps[i..n) below `prefix`. */
static int expand(gstate *g, const char *prefix, char **comps, size_t i, size_t n)
{
	if (i == n) {
		wchar_t *w = ss_w32_wide(prefix);
		if (!w)
			return -1;
		DWORD a = GetFileAttributesW(w);
		free(w);
		if (a == INVALID_FILE_ATTRIBUTES)
			return 0;
		char *copy = strdup(prefix);
		if (!copy)
			errno = ENOMEM;
		return push_owned(&g->out, copy);
	}
	if (!is_magic(comps[i])) {
		char *next = join(prefix, comps[i]);
		if (!next)
			return -1;
		int r = expand(g, next, comps, i + 1, n);
		free(next);
		return r;
	}
	entries e;
	if (read_entries(*prefix ? prefix : ".", &e) < 0) {
		if (errno == ENOENT || errno == ENOTDIR || g->lenient)
			return errno == ENOMEM ? -1 : 0;
		return -1;
	}
	wchar_t *pat = ss_w32_wide(comps[i]);
	int r = pat ? 0 : -1;
	for (size_t k = 0; r == 0 && k < e.n; k++) {
		/* A wildcard does not match a leading dot (glob(3)). */
		if (e.name[k][0] == L'.' && comps[i][0] != '.')
			continue;
		if (i + 1 < n && !e.is_dir[k])
			continue;
		if (!wmatch(pat, e.name[k]))
			continue;
		char *name = ss_w32_utf8(e.name[k]);
		char *next = name ? (*prefix ? join(prefix, name) : strdup(name)) : NULL;
		free(name);
		r = next ? expand(g, next, comps, i + 1, n) : -1;
		free(next);
	}
	free(pat);
	entries_free(&e);
	return r;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* How long the root a pattern starts from is ("C:\", "\\server\share\", "\"). */
static size_t root_of(const char *p)
{
	size_t n = 0;
	if (ss_os_is_sep(p[0]) && ss_os_is_sep(p[1])) {
		n = 2;
		for (int parts = 0; p[n] && parts < 2; parts++) {
			while (p[n] && !ss_os_is_sep(p[n]))
				n++;
			if (p[n])
				n++;
		}
	} else if (((p[0] | 32) >= 'a' && (p[0] | 32) <= 'z') && p[1] == ':') {
		n = ss_os_is_sep(p[2]) ? 3 : 2;
	} else if (ss_os_is_sep(p[0])) {
		n = 1;
	}
	return n;
}

int ss_os_glob(const char *pattern, int flags, ss_os_paths *out)
{
	out->v = NULL;
	out->n = 0;
	char *pat = NULL;
	const char *home = flags & SS_OS_GLOB_TILDE ? ss_os_home_dir() : NULL;
	if (home && pattern[0] == '~' && (!pattern[1] || ss_os_is_sep(pattern[1]))) {
		size_t hl = strlen(home), pl = strlen(pattern + 1);
		pat = malloc(hl + pl + 1);
		if (pat) {
			memcpy(pat, home, hl);
			memcpy(pat + hl, pattern + 1, pl + 1);
		}
	} else {
		pat = strdup(pattern);
	}
	if (!pat) {
		errno = ENOMEM;
		return -1;
	}
	size_t root = root_of(pat);
	char *prefix = malloc(root + 1);
	char **comps = calloc(strlen(pat) / 2 + 2, sizeof(*comps));
	if (!prefix || !comps) {
		free(prefix);
		free(comps);
		free(pat);
		errno = ENOMEM;
		return -1;
	}
	memcpy(prefix, pat, root);
	prefix[root] = '\0';
	size_t n = 0;
	for (char *s = pat + root; *s;) {
		while (ss_os_is_sep(*s))
			*s++ = '\0';
		if (!*s)
			break;
		comps[n++] = s;
		while (*s && !ss_os_is_sep(*s))
			s++;
	}
	gstate g = {flags & SS_OS_GLOB_LENIENT ? 1 : 0, {NULL, 0}};
	int r = n ? expand(&g, prefix, comps, 0, n) : expand(&g, prefix, comps, 0, 0);
	int e = errno;
	free(prefix);
	free(comps);
	free(pat);
	if (r < 0) {
		ss_os_paths_free(&g.out);
		errno = e;
		return -1;
	}
	if (!g.out.n)
		return SS_OS_GLOB_NOMATCH;
	qsort(g.out.v, g.out.n, sizeof(*g.out.v), by_name);
	*out = g.out;
	return 0;
}
