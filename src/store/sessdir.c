/* Session files of PuTTY on Unix and KiTTY's portable mode (see sessdir.h). */
#include "sshsync/sessdir.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sshsync/safewrite.h"
#include "sshsync/os_file.h"

static const char HEX[] = "0123456789ABCDEF";

static int add_pct(ss_buf *out, unsigned char c)
{
	char s[3] = {'%', HEX[c >> 4], HEX[c & 15]};
	return ss_buf_add(out, s, 3);
}

/* A file has at most one entry a line: the first room is its lines (a
 * folder of 2,000 nine-line sessions took 10 MiB with room for 64 each),
 * up to ENTRIES_FIRST (a file of empty lines has none). */
enum { ENTRIES_FIRST = 4096 };

static int add_entry(ss_sessfile *sf, const ss_sessentry *e, ss_diag *d)
{
	if (sf->n == sf->cap) {
		size_t lines = sf->text->nlines < ENTRIES_FIRST ? sf->text->nlines : ENTRIES_FIRST;
		size_t cap = sf->cap ? sf->cap * 2 : lines ? lines : 1;
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
		const ss_line l = ss_text_line(t, li);
		const char *s = t->data + l.start;
		const char *eq = memchr(s, '=', l.len);
		if (!eq)
			continue;
		const char *cr = memchr(eq, '\r', l.len - (size_t)(eq - s));
		size_t vs = l.start + (size_t)(eq - s) + 1;
		size_t ve = cr ? l.start + (size_t)(cr - s) : l.start + l.len;
		ss_sessentry e = {li, 1, l.start, vs - 1, vs, ve, vs, ve, 0, 0, 0};
		if (add_entry(sf, &e, d) < 0)
			return -1;
	}
	sf->data = t->data;
	return 0;
}

/* Line li as KiTTY keeps it: up to a NUL (then *nul is set: the line's end
 * is lost and the next line follows), else without its trailing CRs. */
static size_t kitty_len(const ss_text *t, size_t li, int *nul)
{
	const ss_line l = ss_text_line(t, li);
	const char *s = t->data + l.start;
	const char *z = memchr(s, '\0', l.len);
	*nul = z != NULL;
	if (z)
		return (size_t)(z - s);
	size_t n = l.len;
	while (n && s[n - 1] == '\r')
		n--;
	return n;
}

/* One KiTTY record being read: where its parts are in sf->joined and in
 * the file. */
typedef struct krec {
	size_t first, rec;    /* first line; start in joined */
	size_t sep, sep_file; /* the first '\': in joined (SIZE_MAX: none), in the file */
	size_t content_end;   /* file offset after the last character read */
	int after_sep, nul;   /* content on a line after the separator's; a NUL */
} krec;

/* Joins lines from *li to the end of the record (a line that leaves the
 * record ending with '\', or the end of the file). */
static int kitty_join(ss_sessfile *sf, size_t *li, krec *k)
{
	const ss_text *t = sf->text;
	ss_buf *j = &sf->joined;
	*k = (krec){*li, j->len, SIZE_MAX, 0, 0, 0, 0};
	for (;;) {
		int nul;
		size_t n = kitty_len(t, *li, &nul);
		const char *s = t->data + t->lines[*li];
		const char *bs = k->sep == SIZE_MAX ? memchr(s, '\\', n) : NULL;
		if (bs) {
			k->sep = j->len + (size_t)(bs - s);
			k->sep_file = t->lines[*li] + (size_t)(bs - s);
		} else if (k->sep != SIZE_MAX && n) {
			k->after_sep = 1;
		}
		if (ss_buf_add(j, s, n) < 0)
			return -1;
		if (n)
			k->content_end = t->lines[*li] + n;
		k->nul |= nul;
		(*li)++;
		if (*li == t->nlines || (!nul && j->len > k->rec && j->data[j->len - 1] == '\\'))
			return 0;
	}
}

static int kitty_entry(ss_sessfile *sf, const krec *k, size_t li, ss_diag *d)
{
	size_t len = sf->joined.len;
	int closed = sf->joined.data[len - 1] == '\\';
	if (!closed)
		sf->open_end = k->content_end; /* only the last record can be open */
	ss_sessentry e = {k->first, li - k->first, k->rec, len, len, len, 0, 0, 0, 0, 0};
	e.split = k->nul;
	if (k->sep == SIZE_MAX) {
		/* No '\' at all: KiTTY adds one, the value is empty. */
		e.bare = 1;
		e.edit_start = e.edit_end = k->content_end;
		return add_entry(sf, &e, d);
	}
	if (k->sep == k->rec)
		return 0; /* no name: KiTTY skips it */
	e.key_end = k->sep;
	e.val_start = k->sep + 1;
	if (closed && k->sep == len - 1)
		e.add_close = 1; /* "Name\": the one '\' ends the record */
	else
		e.val_end = closed ? len - 1 : len;
	e.split |= k->after_sep;
	e.edit_start = k->sep_file + 1;
	e.edit_end = e.edit_start + (e.val_end - e.val_start);
	return add_entry(sf, &e, d);
}

static int parse_kitty(ss_sessfile *sf, ss_diag *d)
{
	const ss_text *t = sf->text;
	sf->open_end = SIZE_MAX;
	if (ss_buf_add(&sf->joined, "", 0) < 0)
		return ss_diag_oom(d);
	for (size_t li = 0; li < t->nlines;) {
		krec k;
		if (kitty_join(sf, &li, &k) < 0)
			return ss_diag_oom(d);
		if (sf->joined.len == k.rec)
			continue; /* blank lines only */
		if (kitty_entry(sf, &k, li, d) < 0)
			return -1;
	}
	sf->data = sf->joined.data;
	return 0;
}

int ss_sessfile_parse(ss_sessfile *sf, const ss_text *t, ss_sessfmt fmt, ss_diag *d)
{
	memset(sf, 0, sizeof(*sf));
	sf->text = t;
	sf->fmt = fmt;
	sf->open_end = SIZE_MAX;
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
	ss_buf_release(&sf->joined);
	memset(sf, 0, sizeof(*sf));
}

static int key_is(const ss_sessfile *sf, const ss_sessentry *e, const char *key)
{
	size_t n = strlen(key);
	return e->key_end - e->key_start == n && memcmp(sf->data + e->key_start, key, n) == 0;
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
	const char *s = sf->data + e->val_start;
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

int ss_sessfile_set(const ss_sessfile *sf, ss_edits *ed, const ss_sessentry *e, const char *value,
		    ss_diag *d)
{
	const ss_text *t = sf->text;
	if (e->split && e->nlines > 1)
		return ss_text_error(
		    t, d, t->lines[e->line],
		    "KiTTY reads lines %zu to %zu as one setting (a line that does "
		    "not end with '\\' goes on with the next one): end each setting "
		    "with '\\' on its own line, then run sshsync again",
		    (size_t)e->line + 1, (size_t)e->line + e->nlines);
	if (e->split)
		return ss_text_error(
		    t, d, t->lines[e->line],
		    "this KiTTY setting holds a NUL byte, which KiTTY reads as the "
		    "end of the line: remove it, then run sshsync again");
	ss_buf b = SS_BUF_INIT;
	int r = e->bare ? ss_buf_addc(&b, '\\') : 0;
	if (r == 0 && format_value(sf, value, &b) < 0)
		r = strpbrk(value, "\r\n") ? -2 : -1;
	if (r == 0 && e->add_close)
		r = ss_buf_addc(&b, '\\');
	if (r == 0)
		r = ss_edits_replace(ed, e->edit_start, e->edit_end, ss_buf_str(&b), b.len);
	ss_buf_release(&b);
	if (r == -2)
		return ss_text_error(t, d, e->edit_start,
				     "a value with a line break cannot be written");
	return r < 0 ? ss_diag_oom(d) : 0;
}

/* 1 when the edits already close the last KiTTY record. */
static int closed_already(const ss_sessfile *sf, const ss_edits *ed)
{
	for (size_t i = 0; i < ed->n; i++) {
		const ss_edit *x = ss_edits_at(ed, i);
		if (x->start == sf->open_end && x->end == sf->open_end &&
		    x->order == SS_EDIT_LATE && x->repl_len == 1 && x->repl[0] == '\\')
			return 1;
	}
	return 0;
}

static int last_line_has_nul(const ss_text *t)
{
	if (t->nlines == 0)
		return 0;
	const ss_line l = ss_text_line(t, t->nlines - 1);
	return memchr(t->data + l.start, '\0', l.len) != NULL;
}

int ss_sessfile_append(const ss_sessfile *sf, ss_edits *ed, const char *key, const char *value,
		       ss_diag *d)
{
	ss_buf b = SS_BUF_INIT;
	int kitty = sf->fmt == SS_SESS_KITTY;
	if (strpbrk(key, kitty ? "\\\r\n" : "=\r\n") || (!kitty && strpbrk(value, "\r\n")))
		return ss_diag_set(d, sf->text->path, 0, 0, "cannot write the setting '%s'", key);
	int r = ss_buf_adds(&b, key);
	if (r == 0)
		r = ss_buf_addc(&b, kitty ? '\\' : '=');
	if (r == 0)
		r = format_value(sf, value, &b);
	if (r == 0 && kitty)
		r = ss_buf_addc(&b, '\\');
	/* A last record without its '\' would swallow the new line. A last
	 * line with a NUL byte loses its end to KiTTY, so the next line always
	 * joins it, '\' or not: refused. */
	if (r == 0 && kitty && last_line_has_nul(sf->text)) {
		ss_buf_release(&b);
		return ss_diag_set(d, sf->text->path, sf->text->nlines, 0,
				   "the last record holds a NUL byte, so KiTTY would read the "
				   "settings added after it as part of it: nothing was changed");
	}
	if (r == 0 && kitty && sf->open_end != SIZE_MAX && !closed_already(sf, ed))
		r = ss_edits_insert_late(ed, sf->open_end, "\\", 1);
	if (r == 0)
		r = ss_edits_insert_line(ed, sf->text, sf->text->nlines, ss_buf_str(&b));
	ss_buf_release(&b);
	return r < 0 ? ss_diag_oom(d) : 0;
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

/* The folders from the Sessions folder down to the one being listed: a
 * folder met again below itself (a link "loop -> .") is a loop. */
typedef struct ancestor {
	uint64_t dev;
	uint64_t ino;
	const struct ancestor *up;
} ancestor;

static int is_ancestor(const ancestor *a, const ss_stat *st)
{
	for (; a; a = a->up)
		if (a->dev == st->st_dev && a->ino == st->st_ino)
			return 1;
	return 0;
}

static int list_into(const char *dir, const char *rel, int recurse, const ancestor *up,
		     ss_strlist *out, ss_diag *d)
{
	char *path = rel ? ss_asprintf("%s/%s", dir, rel) : ss_strdup(dir);
	if (!path)
		return ss_diag_oom(d);
	ss_os_paths names;
	ss_stat self;
	if (ss_os_list_dir(path, &names, &self) < 0) {
		int r = ss_diag_errno(d, path, "cannot read the session directory");
		free(path);
		return r;
	}
	int r = 0;
	ancestor here = {self.st_dev, self.st_ino, up};
	for (size_t i = 0; r == 0 && i < names.n; i++) {
		const char *entry = names.v[i];
		if (is_ours(entry))
			continue;
		char *sub = rel ? ss_asprintf("%s/%s", rel, entry) : ss_strdup(entry);
		char *full = sub ? ss_asprintf("%s/%s", dir, sub) : NULL;
		ss_stat st;
		if (!full) {
			r = ss_diag_oom(d);
		} else if (ss_os_stat(full, &st) < 0) {
			/* A dangling (or looping) link is no session, as for PuTTY;
			 * a file that cannot be looked at is an error, not "none". */
			if (errno != ENOENT && errno != ELOOP)
				r = ss_diag_errno(d, full, "cannot look at the session file");
		} else if (S_ISREG(st.st_mode)) {
			r = ss_strlist_push(out, sub) < 0 ? ss_diag_oom(d) : 0;
		} else if (S_ISDIR(st.st_mode) && recurse && !is_ancestor(&here, &st)) {
			r = list_into(dir, sub, recurse, &here, out, d);
		}
		free(sub);
		free(full);
	}
	ss_os_paths_free(&names);
	free(path);
	return r;
}

int ss_sessdir_list(const char *dir, ss_sessfmt fmt, ss_strlist *out, ss_diag *d)
{
	size_t first = out->n;
	if (list_into(dir, NULL, fmt == SS_SESS_KITTY, NULL, out, d) < 0)
		return -1;
	if (out->n > first) /* an empty folder: no array to sort */
		qsort(out->v + first, out->n - first, sizeof(*out->v), cmp_str);
	return 0;
}

/* --- telling session files from other files --- */

static int plain_key(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return 0;
	}
	return 1;
}

/* The first line (or record) that is not `Key=value` / `Key\Value\`. */
static const char *misfit_lines(const char *data, size_t len, ss_sessfmt fmt, size_t *offset)
{
	const char sep = fmt == SS_SESS_KITTY ? '\\' : '=';
	int continued = 0; /* inside a KiTTY record that goes on */
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(data + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - data) : len, start = i;
		i = nl ? end + 1 : len;
		size_t n = end - start;
		while (n && data[start + n - 1] == '\r')
			n--;
		const char *s = data + start;
		if (continued) {
			continued = n && s[n - 1] != '\\';
			continue;
		}
		if (n == 0)
			continue;
		const char *at = memchr(s, sep, n);
		if (!at || !plain_key(s, (size_t)(at - s))) {
			*offset = start;
			return fmt == SS_SESS_KITTY
				   ? "a line that is not a KiTTY setting (Name\\value\\)"
				   : "a line that is not a PuTTY setting (Name=value)";
		}
		continued = fmt == SS_SESS_KITTY && s[n - 1] != '\\';
	}
	return NULL;
}

const char *ss_sessfile_misfit(const char *data, size_t len, ss_sessfmt fmt, size_t *offset)
{
	const char *nul = memchr(data, '\0', len);
	if (nul) {
		*offset = (size_t)(nul - data);
		return "binary data, not a session file";
	}
	return misfit_lines(data, len, fmt, offset);
}
