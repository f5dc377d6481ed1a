/* Recognising targets. */
#include "sshsync/target.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sshsync/buf.h"
#include "sshsync/text.h"
#include "sshsync/os_file.h"

enum { SNIFF_BYTES = 65536 };

static const char *const known_kinds[] = {"ssh", "sshd",    "putty", "kitty", "winscp",
					  "gpp", "winereg", "reg",   NULL};

int ss_kind_is_known(const char *kind)
{
	for (const char *const *k = known_kinds; *k; k++)
		if (strcmp(*k, kind) == 0)
			return 1;
	return 0;
}

static int set_target(ss_target *out, const ss_client *c, const char *path, ss_diag *d)
{
	out->client = c;
	out->system = 0;
	out->path = ss_strdup(path);
	return out->path ? 0 : ss_diag_oom(d);
}

/* The first bytes of a file, decoded like the whole file would be. */
static int read_head(const char *path, ss_text *head, int *is_dir, int *cut, ss_diag *d)
{
	ss_stat st;
	if (ss_os_stat(path, &st) < 0)
		return ss_diag_errno(d, path, "cannot open");
	*is_dir = S_ISDIR(st.st_mode);
	if (*is_dir)
		return ss_text_from_bytes(head, path, "", 0, d);
	/* A FIFO would wait for a writer, /dev/zero never end. */
	if (!S_ISREG(st.st_mode))
		return ss_diag_set(d, path, 0, 0,
				   "is not a regular file (a FIFO, socket or device): settings "
				   "are read from regular files only");
	int fd;
	if (ss_os_open_path_read(path, &fd) < 0)
		return ss_diag_errno(d, path, "cannot open");
	char *buf = malloc(SNIFF_BYTES);
	if (!buf) {
		ss_os_close(fd);
		return ss_diag_oom(d);
	}
	ssize_t n = ss_os_read_full(fd, buf, SNIFF_BYTES);
	ss_os_close(fd);
	if (n < 0) {
		free(buf);
		return ss_diag_errno(d, path, "cannot read");
	}
	size_t len = (size_t)n;
	*cut = len == SNIFF_BYTES;
	if (ss_text_starts_utf16(buf, n))
		len &= ~(size_t)1; /* a cut in the middle of a UTF-16 unit */
	int r = ss_text_from_bytes(head, path, buf, len, d);
	free(buf);
	return r;
}

static int recognise(const char *path, ss_target *out, ss_diag *d)
{
	ss_text head;
	int is_dir = 0, cut = 0;
	if (read_head(path, &head, &is_dir, &cut, d) < 0)
		return -1;
	const ss_client *best = NULL, *tie = NULL;
	int best_score = 0;
	for (const ss_client *const *c = ss_clients(); *c; c++) {
		if (!(*c)->sniff)
			continue;
		int s = (*c)->sniff(path, is_dir ? NULL : head.data, is_dir ? 0 : head.len);
		if (s > best_score) {
			best = *c;
			best_score = s;
			tie = NULL;
		} else if (s == best_score && s > 0) {
			tie = *c;
		}
	}
	ss_text_free(&head);
	if (!best)
		return ss_diag_set(
		    d, path, 0, 0,
		    "cannot tell which client's settings this is; name it as "
		    "KIND:%s (KIND one of ssh, sshd, putty, kitty, winscp, gpp, winereg, reg)",
		    path);
	if (tie)
		return ss_diag_set(d, path, 0, 0,
				   "could be %s or %s settings; name it as %s:%s or %s:%s",
				   best->kind, tie->kind, best->kind, path, tie->kind, path);
	return set_target(out, best, path, d);
}

/* --- a KIND: the file must be of that kind --- */

/* The first bytes of one file, cut after its last whole line when the file
 * goes on (so that a line cut in two is never judged). */
static int read_file_head(const char *path, ss_text *head, ss_diag *d)
{
	int is_dir = 0, cut = 0;
	if (read_head(path, head, &is_dir, &cut, d) < 0)
		return -1;
	if (cut && head->nlines > 1) {
		const ss_line last = ss_text_line(head, head->nlines - 1);
		head->len = last.start;
		head->data[head->len] = '\0';
		head->nlines--;
	}
	return 0;
}

/* The other client most sure that the file is its own, and how sure. */
static const ss_client *claimant(const ss_client *named, const char *path, const char *head,
				 size_t len, int *score)
{
	const ss_client *best = NULL;
	*score = 0;
	for (const ss_client *const *c = ss_clients(); *c; c++) {
		if (*c == named || !(*c)->sniff)
			continue;
		int s = (*c)->sniff(path, head, len);
		if (s > *score) {
			best = *c;
			*score = s;
		}
	}
	return best;
}

/* One file of a KIND: target: not certainly another kind's, and of this
 * kind's syntax as far as its reader cannot tell. */
static int check_file(const ss_client *c, const char *path, int session_file, ss_diag *d)
{
	ss_text head;
	if (read_file_head(path, &head, d) < 0)
		return -1;
	int own = c->sniff && !session_file ? c->sniff(path, head.data, head.len) : 0, other;
	const ss_client *o = claimant(c, path, head.data, head.len, &other);
	size_t offset = 0;
	const char *why = c->misfit ? c->misfit(head.data, head.len, session_file, &offset) : NULL;
	int r = 0;
	/* A session file whose syntax is its kind's stays its kind's: PuTTY
	 * writes HostKey=... into every session, an sshd keyword. */
	if (o && other == 2 && own < 2 && !(session_file && !why))
		r = ss_diag_set(d, path, 0, 0,
				"this looks like %s settings, not %s: nothing was read or "
				"written (name it as %s:%s if that is what it is)",
				o->kind, c->kind, o->kind, path);
	else if (why && o)
		r = ss_text_error(&head, d, offset,
				  "%s, so not %s settings (it looks like %s settings); nothing "
				  "was read or written",
				  why, c->kind, o->kind);
	else if (why)
		r = ss_text_error(&head, d, offset,
				  "%s, so not %s settings; nothing was read or written", why,
				  c->kind);
	ss_text_free(&head);
	return r;
}

/* Every file of a session folder must be a session file. */
static int check_dir(const ss_client *c, const char *dir, ss_diag *d)
{
	if (!c->dir_files)
		return ss_diag_set(d, dir, 0, 0,
				   "is a directory; %s settings are a file (name the file "
				   "itself)",
				   c->kind);
	ss_strlist files = SS_STRLIST_INIT;
	int r = c->dir_files(dir, &files, d);
	for (size_t i = 0; i < files.n && r == 0; i++) {
		char *path = ss_asprintf("%s/%s", dir, files.v[i]);
		r = path ? check_file(c, path, 1, d) : ss_diag_oom(d);
		free(path);
	}
	ss_strlist_release(&files);
	return r;
}

int ss_target_check_kind(const ss_target *t, ss_diag *d)
{
	ss_stat st;
	if (ss_os_stat(t->path, &st) < 0)
		return errno == ENOENT ? 0 : ss_diag_errno(d, t->path, "cannot open");
	if (S_ISDIR(st.st_mode))
		return check_dir(t->client, t->path, d);
	/* A pipe or a device is read once, by the client: not sniffed. */
	if (!S_ISREG(st.st_mode))
		return 0;
	return check_file(t->client, t->path, 0, d);
}

/* "KIND:" that names no kind: a word (lowercase kinds) before the colon. */
static int looks_like_kind(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

static int unknown_kind(const char *arg, const char *kind, ss_diag *d)
{
	char *lower = ss_strdup(kind);
	if (!lower)
		return ss_diag_oom(d);
	for (char *p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	int r;
	if (ss_kind_is_known(lower))
		r = ss_diag_set(d, NULL, 0, 0,
				"target '%s': unknown kind '%s' (kinds are lowercase: %s:%s)", arg,
				kind, lower, strchr(arg, ':') + 1);
	else
		r = ss_diag_set(d, NULL, 0, 0,
				"target '%s': unknown kind '%s' (KIND is one of ssh, sshd, putty, "
				"kitty, winscp, gpp)",
				arg, kind);
	free(lower);
	return r;
}

static int named_target(ss_target *out, const ss_client *c, const char *path, ss_diag *d)
{
	if (set_target(out, c, path, d) < 0)
		return -1;
	if (ss_target_check_kind(out, d) == 0)
		return 0;
	ss_target_free(out); /* out->client stays: the kind that was named */
	return -1;
}

int ss_target_parse(const char *arg, ss_target *out, ss_diag *d)
{
	memset(out, 0, sizeof(*out));
	const char *colon = strchr(arg, ':');
	if (colon && colon != arg) {
		char *kind = ss_strndup(arg, (size_t)(colon - arg));
		if (!kind)
			return ss_diag_oom(d);
		const ss_client *c = ss_client_find(kind);
		int known = ss_kind_is_known(kind), r = 1;
		ss_stat st;
		if (c && !colon[1])
			r = ss_diag_set(d, NULL, 0, 0, "target '%s' names no file", arg) - 1;
		else if (c)
			r = named_target(out, c, colon + 1, d);
		else if (known)
			r = ss_diag_set(d, NULL, 0, 0,
					"target '%s': this build of sshsync "
					"cannot read that kind of file",
					arg) -
			    1;
		else if (looks_like_kind(kind, (size_t)(colon - arg)) && ss_os_stat(arg, &st) < 0)
			r = unknown_kind(arg, kind, d) - 1;
		free(kind);
		if (r <= 0)
			return r;
		/* Otherwise the colon is part of the file name. */
	}
	return recognise(arg, out, d);
}

int ss_targets_add(ss_targets *t, const ss_client *client, const char *path, int system)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		ss_target *v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	char *copy = ss_strdup(path);
	if (!copy)
		return -1;
	t->v[t->n++] = (ss_target){client, copy, system, NULL};
	return 0;
}

int ss_targets_add_error(ss_targets *t, const ss_client *client, const char *path,
			 const char *error)
{
	char *copy = ss_strdup(error);
	if (!copy || ss_targets_add(t, client, path, 0) < 0) {
		free(copy);
		return -1;
	}
	t->v[t->n - 1].error = copy;
	return 0;
}

/* Whether two targets name the same file (device and inode, links
 * followed); paths that cannot be stat'ed compare as strings. */
static int same_file(const ss_target *a, const ss_stat *sa, int oka, const ss_target *b,
		     const ss_stat *sb, int okb)
{
	if (oka && okb)
		return sa->st_dev == sb->st_dev && sa->st_ino == sb->st_ino;
	return !oka && !okb && strcmp(a->path, b->path) == 0;
}

int ss_targets_dedupe(ss_targets *t, ss_strlist *notes)
{
	ss_stat *st = calloc(t->n ? t->n : 1, sizeof(*st));
	int *ok = calloc(t->n ? t->n : 1, sizeof(*ok));
	int r = st && ok ? 0 : -1;
	for (size_t i = 0; i < t->n && r == 0; i++)
		ok[i] = !t->v[i].error && ss_os_stat(t->v[i].path, &st[i]) == 0;
	size_t kept = 0;
	for (size_t i = 0; i < t->n && r == 0; i++) {
		size_t j = 0;
		while (j < kept && !(t->v[i].error == NULL && t->v[j].error == NULL &&
				     same_file(&t->v[j], &st[j], ok[j], &t->v[i], &st[i], ok[i])))
			j++;
		if (j < kept) {
			char *note = ss_asprintf("%s is the same file as %s: it is read once",
						 t->v[i].path, t->v[j].path);
			if (!note || ss_strlist_push_owned(notes, note) < 0)
				r = -1;
			ss_target_free(&t->v[i]);
			continue;
		}
		st[kept] = st[i];
		ok[kept] = ok[i];
		t->v[kept++] = t->v[i];
	}
	if (r == 0)
		t->n = kept;
	free(st);
	free(ok);
	return r;
}

typedef struct file_ids {
	ss_stat *v;
	size_t n;
} file_ids;

/* The identities of the files a target includes; none when it cannot be
 * read (audit says why). */
static int included_ids(const ss_target *t, file_ids *out, ss_diag *d)
{
	ss_strlist files = SS_STRLIST_INIT;
	ss_diag ignored = SS_DIAG_INIT;
	int r = 0;
	if (!t->error && t->client->includes &&
	    t->client->includes(t->path, &files, &ignored) < 0 && ss_diag_is_oom(&ignored))
		r = ss_diag_oom(d);
	out->v = r == 0 && files.n ? calloc(files.n, sizeof(*out->v)) : NULL;
	if (r == 0 && files.n && !out->v)
		r = ss_diag_oom(d);
	for (size_t k = 0; k < files.n && r == 0; k++)
		if (ss_os_stat(files.v[k], &out->v[out->n]) == 0)
			out->n++;
	ss_diag_clear(&ignored);
	ss_strlist_release(&files);
	return r;
}

/* The first target (not j) that includes target j's file, or -1. */
static long includer(const ss_targets *t, const file_ids *ids, size_t j)
{
	ss_stat sj;
	if (t->v[j].error || ss_os_stat(t->v[j].path, &sj) < 0)
		return -1;
	for (size_t i = 0; i < t->n; i++)
		for (size_t k = 0; i != j && k < ids[i].n; k++)
			if (ids[i].v[k].st_dev == sj.st_dev && ids[i].v[k].st_ino == sj.st_ino)
				return (long)i;
	return -1;
}

int ss_targets_drop_included(ss_targets *t, ss_strlist *notes, ss_diag *d)
{
	if (t->n < 2)
		return 0;
	size_t n = t->n;
	file_ids *ids = calloc(n, sizeof(*ids));
	long *by = calloc(n, sizeof(*by));
	int r = ids && by ? 0 : ss_diag_oom(d);
	for (size_t i = 0; i < n && r == 0; i++)
		r = included_ids(&t->v[i], &ids[i], d);
	for (size_t j = 0; j < n && r == 0; j++)
		by[j] = includer(t, ids, j);
	/* Two files that include each other (ssh refuses that anyway): the
	 * first stays. */
	for (size_t j = 0; j < n && r == 0; j++)
		if (by[j] >= 0 && by[by[j]] == (long)j && (size_t)by[j] > j)
			by[j] = -1;
	for (size_t j = 0; j < n && r == 0; j++)
		if (by[j] >= 0 &&
		    ss_strlist_push_owned(notes, ss_asprintf("%s is included by %s: it is audited "
							     "with it",
							     t->v[j].path, t->v[by[j]].path)) < 0)
			r = ss_diag_oom(d);
	size_t kept = 0;
	for (size_t j = 0; j < n && r == 0; j++) {
		if (by[j] >= 0)
			ss_target_free(&t->v[j]);
		else
			t->v[kept++] = t->v[j];
	}
	if (r == 0)
		t->n = kept;
	for (size_t i = 0; ids && i < n; i++)
		free(ids[i].v);
	free(ids);
	free(by);
	return r;
}

void ss_target_free(ss_target *t)
{
	free(t->path);
	free(t->error);
	t->path = NULL;
	t->error = NULL;
}

void ss_targets_free(ss_targets *t)
{
	for (size_t i = 0; i < t->n; i++)
		ss_target_free(&t->v[i]);
	free(t->v);
	memset(t, 0, sizeof(*t));
}
