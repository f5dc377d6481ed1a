/* Session files of PuTTY on Unix and KiTTY's portable mode (see sessdir.h). */
#include "sshsync/sessdir.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sshsync/safewrite.h"

static const char HEX[] = "0123456789ABCDEF";

static int add_pct(ss_buf *out, unsigned char c)
{
	char s[3] = {'%', HEX[c >> 4], HEX[c & 15]};
	return ss_buf_add(out, s, 3);
}

static int add_entry(ss_sessfile *sf, const ss_sessentry *e, ss_diag *d)
{
	if (sf->n == sf->cap) {
		size_t cap = sf->cap ? sf->cap * 2 : 64;
		ss_sessentry *v = realloc(sf->v, cap * sizeof(*v));
		if (!v)
			return ss_diag_oom(d);
		sf->v = v;
		sf->cap = cap;
	}
	sf->v[sf->n++] = *e;
	return 0;
}

/* PuTTY: key before the first '=', value to the first CR or LF. */
static int parse_putty(ss_sessfile *sf, ss_diag *d)
{
	const ss_text *t = sf->text;
	for (size_t li = 0; li < t->nlines; li++) {
		const ss_line *l = &t->lines[li];
		const char *s = t->data + l->start;
		const char *eq = memchr(s, '=', l->len);
		if (!eq)
			continue;
		const char *cr = memchr(eq, '\r', l->len - (size_t)(eq - s));
		ss_sessentry e = {li,
				  1,
				  l->start,
				  l->start + (size_t)(eq - s),
				  l->start + (size_t)(eq - s) + 1,
				  cr ? l->start + (size_t)(cr - s) : l->start + l->len};
		if (add_entry(sf, &e, d) < 0)
			return -1;
	}
	return 0;
}

/* Content of line li without trailing CRs (KiTTY strips them). */
static size_t kitty_len(const ss_text *t, size_t li)
{
	const ss_line *l = &t->lines[li];
	size_t n = l->len;
	while (n && t->data[l->start + n - 1] == '\r')
		n--;
	return n;
}

/* KiTTY: a record ends with a line whose content ends with '\'. */
static int parse_kitty(ss_sessfile *sf, ss_diag *d)
{
	const ss_text *t = sf->text;
	for (size_t li = 0; li < t->nlines;) {
		size_t first = li, n = kitty_len(t, li);
		if (n == 0) {
			li++;
			continue;
		}
		/* A blank line ends a record too; it is not part of it. */
		while (li + 1 < t->nlines && t->data[t->lines[li].start + n - 1] != '\\' &&
		       kitty_len(t, li + 1) != 0) {
			li++;
			n = kitty_len(t, li);
		}
		size_t start = t->lines[first].start;
		size_t end = t->lines[li].start + n; /* record end */
		li++;
		const char *s = t->data;
		const char *bs = memchr(s + start, '\\', end - start);
		if (!bs || bs == s + start)
			continue; /* no name: KiTTY skips it */
		size_t vs = (size_t)(bs - s) + 1;
		size_t ve = end > vs && s[end - 1] == '\\' ? end - 1 : end;
		ss_sessentry e = {first, li - first, start, (size_t)(bs - s), vs, ve};
		if (add_entry(sf, &e, d) < 0)
			return -1;
	}
	return 0;
}

int ss_sessfile_parse(ss_sessfile *sf, const ss_text *t, ss_sessfmt fmt, ss_diag *d)
{
	memset(sf, 0, sizeof(*sf));
	sf->text = t;
	sf->fmt = fmt;
	int r = fmt == SS_SESS_KITTY ? parse_kitty(sf, d) : parse_putty(sf, d);
	if (r < 0) {
		ss_sessfile_free(sf);
		sf->text = t;
	}
	return r;
}

void ss_sessfile_free(ss_sessfile *sf)
{
	free(sf->v);
	memset(sf, 0, sizeof(*sf));
}

static int key_is(const ss_sessfile *sf, const ss_sessentry *e, const char *key)
{
	size_t n = strlen(key);
	return e->key_end - e->key_start == n && memcmp(sf->text->data + e->key_start, key, n) == 0;
}

const ss_sessentry *ss_sessfile_get(const ss_sessfile *sf, const char *key)
{
	if (sf->fmt == SS_SESS_PUTTY) {
		for (size_t i = 0; i < sf->n; i++)
			if (key_is(sf, &sf->v[i], key))
				return &sf->v[i];
	} else {
		for (size_t i = sf->n; i-- > 0;)
			if (key_is(sf, &sf->v[i], key))
				return &sf->v[i];
	}
	return NULL;
}

/* PuTTY's unescape: '%' and two more characters make one byte, computed
 * the way PuTTY does it (so "%2a" does not give '*'). */
static int unmunge(const char *s, size_t len, ss_buf *out)
{
	for (size_t i = 0; i < len;) {
		if (s[i] == '%' && i + 2 < len && s[i + 1] && s[i + 2]) {
			int hi = s[i + 1] - '0', lo = s[i + 2] - '0';
			hi -= hi > 9 ? 7 : 0;
			lo -= lo > 9 ? 7 : 0;
			/* Unsigned: "%%2" gives a negative digit, which PuTTY shifts anyway. */
			unsigned byte = ((unsigned)hi << 4) + (unsigned)lo;
			if (ss_buf_addc(out, (char)(unsigned char)byte) < 0)
				return -1;
			i += 3;
		} else {
			if (ss_buf_addc(out, s[i++]) < 0)
				return -1;
		}
	}
	return 0;
}

int ss_sessfile_value(const ss_sessfile *sf, const ss_sessentry *e, ss_buf *out)
{
	const char *s = sf->text->data + e->val_start;
	size_t len = e->val_end - e->val_start;
	if (sf->fmt == SS_SESS_KITTY)
		return unmunge(s, len, out);
	return ss_buf_add(out, s, len);
}

/* KiTTY's value escaping (kitty_commun.c mungestr). */
static int kitty_munge(const char *in, ss_buf *out)
{
	int candot = 0;
	for (const unsigned char *c = (const unsigned char *)in; *c; c++) {
		int esc = *c == ' ' || *c == '\\' || *c == '*' || *c == '?' || *c == ':' ||
			  *c == '/' || *c == '"' || *c == '<' || *c == '>' || *c == '|' ||
			  *c == '%' || *c < ' ' || *c > '~' || (*c == '.' && !candot);
		int r = esc ? add_pct(out, *c) : ss_buf_addc(out, (char)*c);
		if (r < 0)
			return -1;
		candot = 1;
	}
	return 0;
}

static int format_value(const ss_sessfile *sf, const char *value, ss_buf *out)
{
	if (sf->fmt == SS_SESS_KITTY)
		return kitty_munge(value, out);
	/* PuTTY writes values raw; a line break would start a new setting. */
	if (strpbrk(value, "\r\n"))
		return -1;
	return ss_buf_adds(out, value);
}

/* The end of a KiTTY record's content (after its closing '\', if any). */
static size_t kitty_record_end(const ss_sessfile *sf, const ss_sessentry *e)
{
	size_t last = e->line + e->nlines - 1;
	return sf->text->lines[last].start + kitty_len(sf->text, last);
}

/* The edit rewrites the key and separator too: an empty value at the very
 * end of the file is then no insertion at the end, which appended lines
 * would precede. A KiTTY record without its closing '\' gets one, or the
 * next record would be read as part of its value. */
int ss_sessfile_set(const ss_sessfile *sf, ss_edits *ed, const ss_sessentry *e, const char *value)
{
	ss_buf b = SS_BUF_INIT;
	int r = ss_buf_add(&b, sf->text->data + e->key_start, e->val_start - e->key_start);
	if (r == 0)
		r = format_value(sf, value, &b);
	if (r == 0 && sf->fmt == SS_SESS_KITTY && e->val_end == kitty_record_end(sf, e))
		r = ss_buf_addc(&b, '\\');
	if (r == 0)
		r = ss_edits_replace(ed, e->key_start, e->val_end, ss_buf_str(&b), b.len);
	ss_buf_release(&b);
	return r;
}

/* 1 when the file's last line is part of a KiTTY record still open (its
 * content does not end with '\'), which a line appended after it would
 * continue. */
static int kitty_open_at_end(const ss_text *t)
{
	if (t->nlines == 0)
		return 0;
	size_t n = kitty_len(t, t->nlines - 1);
	return n && t->data[t->lines[t->nlines - 1].start + n - 1] != '\\';
}

/* 1 when something was already inserted at the end of the text. */
static int appended(const ss_edits *ed, const ss_text *t)
{
	for (size_t i = 0; i < ed->n; i++)
		if (ed->v[i].start == t->len && ed->v[i].end == t->len)
			return 1;
	return 0;
}

int ss_sessfile_append(const ss_sessfile *sf, ss_edits *ed, const char *key, const char *value)
{
	ss_buf b = SS_BUF_INIT;
	int kitty = sf->fmt == SS_SESS_KITTY;
	int r = strpbrk(key, kitty ? "\\\r\n" : "=\r\n") ? -1 : ss_buf_adds(&b, key);
	if (r == 0)
		r = ss_buf_addc(&b, kitty ? '\\' : '=');
	if (r == 0)
		r = format_value(sf, value, &b);
	if (r == 0 && kitty)
		r = ss_buf_addc(&b, '\\');
	/* A blank line first closes a record left open at the end (it is
	 * added once, before the first appended line). */
	if (r == 0 && kitty && kitty_open_at_end(sf->text) && !appended(ed, sf->text))
		r = ss_edits_insert_line(ed, sf->text, sf->text->nlines, "");
	if (r == 0)
		r = ss_edits_insert_line(ed, sf->text, sf->text->nlines, ss_buf_str(&b));
	ss_buf_release(&b);
	return r;
}

int ss_sessname_to_file(const char *name, ss_sessfmt fmt, ss_buf *out)
{
	if (!name || !*name)
		name = "Default Settings";
	if (fmt == SS_SESS_KITTY)
		return kitty_munge(name, out);
	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		int safe = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
			   (*c >= '0' && *c <= '9') || *c == '+' || *c == '-' || *c == '.' ||
			   *c == '@' || *c == '_';
		int r = safe ? ss_buf_addc(out, (char)*c) : add_pct(out, *c);
		if (r < 0)
			return -1;
	}
	return 0;
}

int ss_sessname_from_file(const char *file, size_t len, ss_buf *out)
{
	return unmunge(file, len, out);
}

/* --- directories --- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files that sshsync itself leaves beside the sessions are not sessions. */
static int is_ours(const char *name)
{
	size_t n = strlen(name), s = strlen(SS_BACKUP_SUFFIX);
	return (n > s && strcmp(name + n - s, SS_BACKUP_SUFFIX) == 0) ||
	       strstr(name, ".sshsync-") != NULL;
}

static int list_into(const char *dir, const char *rel, int recurse, ss_strlist *out, ss_diag *d)
{
	char *path = rel ? ss_asprintf("%s/%s", dir, rel) : ss_strdup(dir);
	if (!path)
		return ss_diag_oom(d);
	DIR *dp = opendir(path);
	if (!dp) {
		int r = ss_diag_errno(d, path, "cannot read the session directory");
		free(path);
		return r;
	}
	int r = 0;
	struct dirent *de;
	while (r == 0 && (errno = 0, de = readdir(dp))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    is_ours(de->d_name))
			continue;
		char *sub = rel ? ss_asprintf("%s/%s", rel, de->d_name) : ss_strdup(de->d_name);
		char *full = sub ? ss_asprintf("%s/%s", dir, sub) : NULL;
		struct stat st;
		if (!full) {
			r = ss_diag_oom(d);
		} else if (stat(full, &st) < 0) {
			/* A dangling link is no session, as for PuTTY. */
		} else if (S_ISREG(st.st_mode)) {
			r = ss_strlist_push(out, sub) < 0 ? ss_diag_oom(d) : 0;
		} else if (S_ISDIR(st.st_mode) && recurse) {
			r = list_into(dir, sub, recurse, out, d);
		}
		free(sub);
		free(full);
	}
	if (r == 0 && errno)
		r = ss_diag_errno(d, path, "cannot read the session directory");
	closedir(dp);
	free(path);
	return r;
}

int ss_sessdir_list(const char *dir, ss_sessfmt fmt, ss_strlist *out, ss_diag *d)
{
	size_t first = out->n;
	if (list_into(dir, NULL, fmt == SS_SESS_KITTY, out, d) < 0)
		return -1;
	qsort(out->v + first, out->n - first, sizeof(*out->v), cmp_str);
	return 0;
}
