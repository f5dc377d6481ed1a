/* Recognising targets. */
#include "sshsync/target.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sshsync/buf.h"
#include "sshsync/text.h"

enum { SNIFF_BYTES = 65536 };

static const char *const known_kinds[] = {"ssh", "sshd", "putty", "kitty", "winscp", "gpp", NULL};

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
static int read_head(const char *path, ss_text *head, int *is_dir, ss_diag *d)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return ss_diag_errno(d, path, "cannot open");
	*is_dir = S_ISDIR(st.st_mode);
	if (*is_dir)
		return ss_text_from_bytes(head, path, "", 0, d);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ss_diag_errno(d, path, "cannot open");
	char *buf = malloc(SNIFF_BYTES);
	if (!buf) {
		close(fd);
		return ss_diag_oom(d);
	}
	ssize_t n;
	do
		n = read(fd, buf, SNIFF_BYTES);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0) {
		free(buf);
		return ss_diag_errno(d, path, "cannot read");
	}
	size_t len = (size_t)n;
	if (len >= 2 && (unsigned char)buf[0] == 0xFF && (unsigned char)buf[1] == 0xFE)
		len &= ~(size_t)1; /* a cut in the middle of a UTF-16 unit */
	int r = ss_text_from_bytes(head, path, buf, len, d);
	free(buf);
	return r;
}

static int recognise(const char *path, ss_target *out, ss_diag *d)
{
	ss_text head;
	int is_dir = 0;
	if (read_head(path, &head, &is_dir, d) < 0)
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
		return ss_diag_set(d, path, 0, 0,
				   "cannot tell which client's settings this is; name it as "
				   "KIND:%s (KIND one of ssh, sshd, putty, kitty, winscp, gpp)",
				   path);
	if (tie)
		return ss_diag_set(d, path, 0, 0,
				   "could be %s or %s settings; name it as %s:%s or %s:%s",
				   best->kind, tie->kind, best->kind, path, tie->kind, path);
	return set_target(out, best, path, d);
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
		int known = ss_kind_is_known(kind);
		free(kind);
		if (c) {
			if (!colon[1])
				return ss_diag_set(d, NULL, 0, 0, "target '%s' names no file", arg);
			return set_target(out, c, colon + 1, d);
		}
		if (known)
			return ss_diag_set(d, NULL, 0, 0,
					   "target '%s': this build of sshsync "
					   "cannot read that kind of file",
					   arg);
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
	t->v[t->n++] = (ss_target){client, copy, system};
	return 0;
}

void ss_target_free(ss_target *t)
{
	free(t->path);
	t->path = NULL;
}

void ss_targets_free(ss_targets *t)
{
	for (size_t i = 0; i < t->n; i++)
		ss_target_free(&t->v[i]);
	free(t->v);
	memset(t, 0, sizeof(*t));
}
