/* Loading an ssh_config tree: files, Include, checks ssh makes whatever
 * the host, and the blocks and index that evaluation walks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "openssh_int.h"
#include "sshsync/os_file.h"
#include "sshsync/os_path.h"
#include "sshsync/os_user.h"
#include "sshsync/sshconf_ahead.h"
#include "sshsync/sshkw.h"

enum { MAX_DEPTH = 16 }; /* readconf.c READCONF_MAX_DEPTH */
/* Every Include is read again where it appears, as ssh does: a file that
 * includes another twice, over 16 levels, means 65,536 copies. ssh reads
 * them one by one; sshsync keeps them, so it stops at this many blocks and
 * settings lines (about 100 MB) instead of running out of memory. */
enum { MAX_EXPANDED = 1000000 };
enum { KW_SLOTS = 64 }; /* a power of two */
/* A lean tree's file of this size or more is lexed ahead by a second
 * thread while its lines are walked. Below, the thread's start and the
 * items that cross between the processors' caches cost about what it
 * saves: the 875 KB of 10,000 hosts load as fast either way here, the
 * 8.8 MB of 100,000 in 50 ms instead of 62. */
#define LEX_AHEAD ((size_t)1 << 20)

typedef struct loader {
	ss_openssh *c;
	ss_diag *d;
	uint32_t *ignunk; /* IgnoreUnknown values seen so far (in c->dir_strs) */
	size_t nignunk;
	int missing_empty; /* the next top-level file may be missing */
	/* The last file included, from which block, and whether its copy held
	 * Host blocks and settings only (see do_include). */
	int prev_file, prev_cur, prev_plain;
	const char *main_bytes; /* ss_openssh_opts: the main file's contents */
	size_t main_len;
	/* The keywords looked up so far, by the keyword's hash: a file repeats
	 * a handful of keywords thousands of times (Host, HostName, User). */
	struct {
		const oss_keyword *k;
		const ss_sshkw_client_kw *check; /* its value check's entry */
	} kw_seen[KW_SLOTS];
	/* Lean trees: the line being walked at each Include depth (an Include
	 * line's arguments are read again after each file it names). */
	ss_sshconf_lexer lx[MAX_DEPTH + 1];
	/* The string each op kept last: a fleet's hosts mostly share a User. */
	uint32_t last_str[OP_SETTING + 1];
} loader;

/* oss_keyword_find through L->kw_seen (a slot holds the last keyword
 * that hashed there; the table of keywords is searched on a miss). */
static const oss_keyword *keyword_find(loader *L, const char *kw, const ss_sshkw_client_kw **check)
{
	size_t len = strlen(kw);
	size_t slot = ss_hash_key(kw, len) & (KW_SLOTS - 1);
	if (L->kw_seen[slot].k && strcmp(L->kw_seen[slot].k->name, kw) == 0) {
		*check = L->kw_seen[slot].check;
		return L->kw_seen[slot].k;
	}
	const oss_keyword *k = oss_keyword_find(kw);
	*check = k ? ss_sshkw_client_find(kw) : NULL;
	if (k) {
		L->kw_seen[slot].k = k;
		L->kw_seen[slot].check = *check;
	}
	return k;
}

char *oss_where(const ss_openssh *c, uint32_t file, uint32_t item)
{
	/* "%s:%zu" without printf: one for each value of each scope. */
	const char *path = c->files[file].path;
	size_t len = strlen(path);
	char digits[24];
	size_t n = sizeof(digits);
	for (size_t line = (size_t)item + 1; line; line /= 10)
		digits[--n] = (char)('0' + line % 10);
	char *s = malloc(len + 1 + (sizeof(digits) - n) + 1);
	if (!s)
		return NULL;
	memcpy(s, path, len);
	s[len] = ':';
	memcpy(s + len + 1, digits + n, sizeof(digits) - n);
	s[len + 1 + (sizeof(digits) - n)] = '\0';
	return s;
}

int oss_relex(const ss_openssh *c, uint32_t file, uint32_t item, ss_sshconf_item *it, ss_diag *d)
{
	ss_text *t = &c->files[file].text;
	if (ss_text_index_lines(t, d) < 0)
		return -1;
	const ss_line l = ss_text_line(t, item);
	it->line = item;
	return ss_sshconf_lex_line(t, l.start, l.start + l.len, SS_SSHCONF_CLIENT, it, d);
}

/* --- blocks and setting lines --- */

/* A setting line's string, copied into dir_strs: where it is, 0 when
 * memory runs out. Four bytes a line instead of a pointer's eight. */
static uint32_t keep_str(ss_openssh *c, const char *s)
{
	ss_buf *p = &c->dir_strs;
	if (!p->len && ss_buf_addc(p, '\0') < 0) /* offset 0: none */
		return 0;
	size_t at = p->len, n = strlen(s);
	if (n >= UINT32_MAX - at || ss_buf_add(p, s, n + 1) < 0)
		return 0;
	return (uint32_t)at;
}

static const char *pool_str(const ss_openssh *c, uint32_t at)
{
	return at ? c->dir_strs.data + at : NULL;
}

/* A Host block's patterns, as evaluation and the scopes read them. */
static int keep_patterns(loader *L, oss_block *b, const ss_sshconf_item *it)
{
	ss_openssh *c = L->c;
	if (!it->nargs)
		return 0;
	const char **v = ss_arena_alloc(&c->strs, it->nargs * sizeof(*v));
	if (!v)
		return ss_diag_oom(L->d);
	for (size_t a = 0; a < it->nargs; a++) {
		v[a] = c->lean
			   ? ss_arena_strndup(&c->strs, it->args[a].value, it->args[a].value_len)
			   : it->args[a].value;
		if (!v[a])
			return ss_diag_oom(L->d);
	}
	b->pat = v;
	b->npat = (uint32_t)it->nargs;
	return 0;
}

static int index_add(ss_openssh *c, const char *name, size_t len, uint32_t *entry);

/* A literal Host block's names go into the index as the line is read; the
 * block keeps where its entries are listed. A name is the text's own
 * bytes when it is written as it is (nearly always: a copy a name would
 * double what the index costs), else the value's. */
static int index_names(loader *L, oss_block *b, uint32_t file, const ss_sshconf_item *it)
{
	ss_openssh *c = L->c;
	const char *data = c->files[file].text.data;
	if (c->lit_n + it->nargs > c->lit_cap) {
		size_t cap = c->lit_cap ? c->lit_cap * 2 : 64;
		while (cap < c->lit_n + it->nargs)
			cap *= 2;
		uint32_t *v = cap <= UINT32_MAX ? realloc(c->lit_entry, cap * sizeof(*v)) : NULL;
		if (!v)
			return ss_diag_oom(L->d);
		c->lit_entry = v;
		c->lit_cap = cap;
	}
	b->lit_first = (uint32_t)c->lit_n;
	b->npat = (uint32_t)it->nargs;
	size_t first_new = c->index_n;
	int direct = 1;
	for (size_t a = 0; a < it->nargs; a++) {
		const ss_sshconf_arg *arg = &it->args[a];
		const char *name = arg->value;
		size_t len = arg->value_len;
		if (!c->lean)
			; /* the lexed lines stay */
		else if (arg->end - arg->start == len && memcmp(data + arg->start, name, len) == 0)
			name = data + arg->start;
		else if (!(name = ss_arena_strndup(&c->strs, name, len)))
			return ss_diag_oom(L->d);
		if (index_add(c, name, len, &c->lit_entry[c->lit_n]) < 0)
			return ss_diag_oom(L->d);
		direct &= c->lit_entry[c->lit_n++] == first_new + a;
	}
	if (direct) { /* no list needed */
		c->lit_n -= it->nargs;
		b->lit_first = (uint32_t)first_new;
		b->direct = 1;
	}
	return 0;
}

static int new_block(loader *L, oss_block_kind kind, uint32_t file, uint32_t item, int parent,
		     int inc)
{
	ss_openssh *c = L->c;
	if (c->nblocks == c->blocks_cap) {
		size_t cap = c->blocks_cap ? c->blocks_cap * 2 : 64;
		oss_block *v = realloc(c->blocks, cap * sizeof(*v));
		if (!v)
			return ss_diag_oom(L->d);
		c->blocks = v;
		c->blocks_cap = cap;
	}
	oss_block *b = &c->blocks[c->nblocks];
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->file = file;
	b->item = item;
	if (kind == BK_CONT)
		b->parent = parent;
	else
		b->inc = inc;
	b->dir_first = (uint32_t)c->ndirs;
	if (kind == BK_CONT)
		b->key = parent < 0 ? -1 : c->blocks[parent].key;
	else if (kind == BK_CHECK)
		b->key = -1;
	else
		b->key = inc < 0 ? -1 : c->blocks[inc].key;
	return (int)c->nblocks++;
}

static int add_dir(loader *L, oss_op op, uint32_t file, uint32_t item, long value, const char *str)
{
	ss_openssh *c = L->c;
	if (c->ndirs == c->dirs_cap) {
		size_t cap = c->dirs_cap ? c->dirs_cap * 2 : 64;
		oss_dir *v = realloc(c->dirs, cap * sizeof(*v));
		if (!v)
			return ss_diag_oom(L->d);
		c->dirs = v;
		c->dirs_cap = cap;
	}
	/* Evaluation reads the string of these only (the others' values are
	 * numbers). */
	oss_dir *dir = &c->dirs[c->ndirs];
	memset(dir, 0, sizeof(*dir));
	dir->op = op;
	dir->file = file;
	dir->item = item;
	if (!oss_op_has_str(op))
		dir->value = (int32_t)value;
	else if (!str)
		dir->str = 0;
	else if (L->last_str[op] && strcmp(c->dir_strs.data + L->last_str[op], str) == 0)
		dir->str = L->last_str[op];
	else if (!(dir->str = L->last_str[op] = keep_str(c, str)))
		return ss_diag_oom(L->d);
	c->ndirs++;
	return 0;
}

/* --- value checks, as process_config_line_depth makes them --- */

#define err_at(L, file, offset, ...)                                                               \
	ss_text_error(&(L)->c->files[file].text, (L)->d, offset, __VA_ARGS__)

static int check_extra(loader *L, uint32_t file, const ss_sshconf_item *it, size_t used)
{
	if (it->nargs <= used)
		return 0;
	return err_at(L, file, it->args[used].start,
		      "keyword %s: extra arguments at end of line: expected nothing after "
		      "the value, found \"%s\"",
		      it->keyword, it->args[used].value);
}

/* Checks a value-taking keyword and returns its parsed value in *value. */
static int check_value(loader *L, uint32_t file, const ss_sshconf_item *it, const oss_keyword *k,
		       long *value)
{
	const char *arg = it->nargs ? it->args[0].value : NULL;
	size_t at = it->nargs ? it->args[0].start : it->rest;
	*value = 0;
	switch (k->kind) {
	case OSS_K_MULTI:
		if (!arg || !*arg)
			return err_at(L, file, at, "keyword %s: missing argument%s", it->keyword,
				      "");
		for (size_t i = 0; k->values[i]; i++) {
			if (strcasecmp(arg, k->values[i]) == 0) {
				/* yes/true 1, no/false 0, anything else 2 */
				const char *v = k->values[i];
				*value = !strcmp(v, "yes") || !strcmp(v, "true")   ? 1
					 : !strcmp(v, "no") || !strcmp(v, "false") ? 0
										   : 2;
				return check_extra(L, file, it, 1);
			}
		}
		{
			ss_buf want = SS_BUF_INIT;
			int r = 0;
			for (size_t i = 0; k->values[i]; i++)
				r |= ss_buf_addf(&want, "%s%s", i ? ", " : "", k->values[i]);
			if (r < 0) {
				ss_buf_release(&want);
				return ss_diag_oom(L->d);
			}
			ss_text_error(&L->c->files[file].text, L->d, at,
				      "keyword %s: unsupported option \"%s\": expected one of %s%s",
				      it->keyword, arg, ss_buf_str(&want),
				      ss_sshconf_value_hint(arg));
			ss_buf_release(&want);
			return -1;
		}
	case OSS_K_TIME:
		if (!arg || !*arg)
			return err_at(L, file, at, "keyword %s: missing time value%s", it->keyword,
				      "");
		if (strcmp(arg, "none") == 0) {
			*value = -1;
		} else if ((*value = ss_openssh_convtime(arg)) < 0) {
			ss_text_error(&L->c->files[file].text, L->d, at,
				      "keyword %s: invalid time value \"%s\": expected seconds or "
				      "a time like 1m30s (units s, m, h, d, w)%s",
				      it->keyword, arg, ss_sshconf_value_hint(arg));
			return -1;
		}
		return check_extra(L, file, it, 1);
	case OSS_K_INT: {
		const char *e = oss_atoi_err(arg, value);
		if (e) {
			ss_text_error(&L->c->files[file].text, L->d, at,
				      "keyword %s: integer value %s: expected a whole number from "
				      "0 to 2147483647%s",
				      it->keyword, e, arg ? ss_sshconf_value_hint(arg) : "");
			return -1;
		}
		return check_extra(L, file, it, 1);
	}
	case OSS_K_STRING:
		if (!arg || !*arg)
			return err_at(L, file, at, "keyword %s: missing argument%s", it->keyword,
				      "");
		return check_extra(L, file, it, 1);
	default:
		return 0;
	}
}

/* --- Match --- */

static void free_crit(oss_crit *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].arg);
	free(v);
}

static int push_crit(loader *L, oss_block *b, oss_crit_kind kind, int negate, char *arg)
{
	oss_crit *v = realloc(b->crit, (b->ncrit + 1) * sizeof(*v));
	if (!v) {
		free(arg);
		return ss_diag_oom(L->d);
	}
	b->crit = v;
	b->crit[b->ncrit++] = (oss_crit){kind, negate, arg};
	return 0;
}

/* match_cfg_line(): the criteria are split with strdelim over the raw
 * rest of the line (so "host=a" works and '#' ends them). */
static int parse_match(loader *L, uint32_t file, const ss_sshconf_item *it, oss_block *b)
{
	const ss_text *t = &L->c->files[file].text;
	size_t pos = it->rest;
	int attributes = 0;
	ss_sshconf_token tok, arg;
	for (;;) {
		int r = ss_sshconf_strdelim(t->data, &pos, it->end, &tok);
		if (r < 0)
			return ss_diag_oom(L->d);
		if (r == 0 || !*tok.value) {
			free(tok.value);
			break;
		}
		if (tok.value[0] == '#') {
			free(tok.value);
			pos = SS_SSHCONF_NONE;
			break;
		}
		int negate = tok.value[0] == '!';
		const char *attr = tok.value + negate;
		if (strcasecmp(attr, "all") == 0) {
			r = ss_sshconf_strdelim(t->data, &pos, it->end, &arg);
			if (r < 0) {
				free(tok.value);
				return ss_diag_oom(L->d);
			}
			int extra = r == 1 && arg.value[0] != '\0' && arg.value[0] != '#';
			if (r == 1 && arg.value[0] == '#')
				pos = SS_SSHCONF_NONE;
			free(arg.value);
			if (attributes > 1 || extra) {
				ss_text_error(t, L->d, tok.start,
					      "Match: '%s' cannot be combined with other Match "
					      "attributes: expected it alone",
					      tok.value);
				free(tok.value);
				return -1;
			}
			free(tok.value);
			if (push_crit(L, b, MC_ALL, negate, NULL) < 0)
				return -1;
			attributes = 1; /* "all" satisfies the "one or more" rule */
			break;
		}
		attributes++;
		if (strcasecmp(attr, "canonical") == 0 || strcasecmp(attr, "final") == 0) {
			int fin = strcasecmp(attr, "final") == 0;
			/* Any `final`, even negated or in an inactive block, makes
			 * ssh read the configuration a second time. */
			if (fin)
				L->c->want_final = 1;
			free(tok.value);
			if (push_crit(L, b, fin ? MC_FINAL : MC_CANONICAL, negate, NULL) < 0)
				return -1;
			continue;
		}
		r = ss_sshconf_strdelim(t->data, &pos, it->end, &arg);
		if (r < 0) {
			free(tok.value);
			return ss_diag_oom(L->d);
		}
		if (r == 0 || !*arg.value || arg.value[0] == '#') {
			free(arg.value);
			ss_text_error(
			    t, L->d, tok.start,
			    "Match: missing criteria for %s: expected a pattern list after it",
			    attr);
			free(tok.value);
			return -1;
		}
		static const struct {
			const char *name;
			oss_crit_kind kind;
		} attrs[] = {{"host", MC_HOST},
			     {"originalhost", MC_ORIGINALHOST},
			     {"user", MC_USER},
			     {"localuser", MC_LOCALUSER},
			     {"exec", MC_EXEC}};
		size_t i = 0;
		while (i < sizeof(attrs) / sizeof(*attrs) && strcasecmp(attr, attrs[i].name) != 0)
			i++;
		if (i == sizeof(attrs) / sizeof(*attrs)) {
			free(arg.value);
			ss_text_error(
			    t, L->d, tok.start,
			    "Match: unsupported attribute %s: ssh 9.2 knows all, canonical, "
			    "final, exec, host, originalhost, user and localuser",
			    attr);
			free(tok.value);
			return -1;
		}
		free(tok.value);
		if (push_crit(L, b, attrs[i].kind, negate, arg.value) < 0)
			return -1;
	}
	if (attributes == 0)
		return ss_text_error(t, L->d, it->kw_end,
				     "Match: one or more attributes required: expected all, host, "
				     "user, ...");
	if (pos != SS_SSHCONF_NONE && pos < it->end)
		return ss_text_error(t, L->d, pos,
				     "keyword match: extra arguments at end of line: expected "
				     "nothing after 'all'");
	return 0;
}

/* --- files and Include --- */

static int load_one(loader *L, const char *path, int checkperm, int *index)
{
	ss_openssh *c = L->c;
	ss_stat st;
	int missing = 0;
	if (L->main_bytes && c->nfiles == 0) {
		memset(&st, 0, sizeof(st));
		st.st_mode = S_IFREG;
		checkperm = 0;
	} else if (ss_os_stat(path, &st) < 0) {
		if (!L->missing_empty || errno != ENOENT)
			return ss_diag_errno(L->d, path, "cannot open config file");
		missing = 1;
	}
	if (checkperm && !missing && !ss_os_secure_permissions(&st, ss_os_uid()))
		return ss_diag_set(L->d, path, 0, 0,
				   "bad owner or permissions: ssh refuses an included file that "
				   "is not owned by you or root, or that group or others can write "
				   "(expected e.g. chmod go-w)");
	if (c->nfiles + 1 >= OSS_MAX_FILES)
		return ss_diag_oom(L->d); /* never: MAX_EXPANDED blocks come first */
	if (c->nfiles == c->files_cap) {
		size_t cap = c->files_cap ? c->files_cap * 2 : 8;
		oss_file *v = realloc(c->files, cap * sizeof(*v));
		if (!v)
			return ss_diag_oom(L->d);
		c->files = v;
		c->files_cap = cap;
	}
	oss_file *f = &c->files[c->nfiles];
	memset(f, 0, sizeof(*f));
	f->path = ss_strdup(path);
	if (!f->path)
		return ss_diag_oom(L->d);
	int r;
	/* ssh reads a directory as an empty file (fopen succeeds, reading
	 * fails quietly). It exists: apply must never take it for a file to
	 * create and write one in its place. A missing ~/.ssh/config that
	 * apply may create is an empty new text. */
	if (L->main_bytes && c->nfiles == 0) {
		r = ss_text_from_bytes(&f->text, path, L->main_bytes, L->main_len, L->d);
	} else if (missing) {
		r = ss_text_new_empty(&f->text, path, SS_ENC_BYTES, SS_EOL_LF, L->d);
	} else if (S_ISDIR(st.st_mode)) {
		r = ss_text_from_bytes(&f->text, path, "", 0, L->d);
		f->text.id = (ss_file_identity){.known = 1,
						.dev = st.st_dev,
						.ino = st.st_ino,
						.hash = ss_content_hash_bytes("", 0)};
	} else if (c->no_lines) {
		r = ss_text_load_lineless(&f->text, path, 0, L->d);
	} else {
		r = ss_text_load(&f->text, path, 0, L->d);
	}
	/* A lean tree lexes the lines while walking them (walk_file), and
	 * finds them itself when it keeps no table. */
	if (r == 0 && !c->lean &&
	    ss_sshconf_parse(&f->conf, &f->text, SS_SSHCONF_CLIENT, L->d) < 0) {
		ss_text_free(&f->text);
		r = -1;
	}
	if (r == 0 && c->no_lines)
		ss_text_drop_lines(&f->text);
	if (r < 0) {
		free(f->path);
		return -1;
	}
	*index = (int)c->nfiles++;
	return 0;
}

static int find_file(const ss_openssh *c, const char *path)
{
	for (size_t i = 0; i < c->nfiles; i++)
		if (strcmp(c->files[i].path, path) == 0)
			return (int)i;
	return -1;
}

static int walk_file(loader *L, uint32_t file, int depth, int parent);

static int include_path(loader *L, uint32_t file, const ss_sshconf_arg *a, char **out)
{
	ss_openssh *c = L->c;
	const char *arg = a->value;
	*out = NULL;
	if (arg[0] == '~' && c->system)
		return err_at(L, file, a->start,
			      "bad include path %s: a system configuration may not use ~%s", arg,
			      "");
	if (arg[0] == '~' && (ss_os_is_sep(arg[1]) || arg[1] == '\0'))
		*out = ss_asprintf("%s%s", c->home, arg + 1);
	else if (!ss_os_is_absolute(arg) && arg[0] != '~')
		*out = ss_asprintf("%s/%s", c->base, arg);
	else
		*out = ss_strdup(arg);
	return *out ? 0 : ss_diag_oom(L->d);
}

/* The Include line `it` in block `cur` (file `file`, at depth `depth`). */
static int do_include(loader *L, uint32_t file, const ss_sshconf_item *it, int cur, int depth)
{
	for (size_t i = 0; i < it->nargs; i++) {
		const ss_sshconf_arg *a = &it->args[i];
		if (!*a->value)
			return err_at(L, file, a->start, "keyword %s: empty argument%s",
				      it->keyword, "");
		char *pattern;
		if (include_path(L, file, a, &pattern) < 0)
			return -1;
		ss_os_paths gl;
		int r = ss_os_glob(pattern, SS_OS_GLOB_TILDE, &gl);
		if (r == SS_OS_GLOB_NOMATCH) {
			free(pattern);
			continue; /* ssh: "matched no files", not an error */
		}
		if (r != 0) {
			/* An unreadable directory is no "no file": sshsync cannot
			 * tell what ssh reads there. */
			err_at(L, file, a->start, "cannot read what Include %s names: %s", pattern,
			       strerror(errno));
			free(pattern);
			return -1;
		}
		free(pattern);
		for (size_t k = 0; k < gl.n; k++) {
			const char *p = gl.v[k];
			if (depth + 1 > MAX_DEPTH) {
				err_at(L, file, a->start,
				       "too many recursive configuration includes: expected at "
				       "most 16 levels (including %s)",
				       p);
				ss_os_paths_free(&gl);
				return -1;
			}
			if (L->c->nblocks + L->c->ndirs > MAX_EXPANDED) {
				err_at(L, file, a->start,
				       "the Include lines expand to more than %d Host, Match and "
				       "setting lines (including %s again): sshsync stops there",
				       MAX_EXPANDED, p);
				ss_os_paths_free(&gl);
				return -1;
			}
			int idx = find_file(L->c, p);
			if (idx < 0 && load_one(L, p, 1, &idx) < 0) {
				ss_os_paths_free(&gl);
				return -1;
			}
			/* The same file again from a block as active as the last
			 * copy's, and that copy held only Host blocks and settings:
			 * every line of this copy is active exactly when its twin
			 * was, so it can never be first to set anything (first
			 * value wins), and its checks were made. Skipping it keeps
			 * "Include a a" over many levels linear, not 2^depth. A copy
			 * with Match or an unknown keyword is kept: those depend on
			 * what was set in between. */
			if (idx == L->prev_file && cur == L->prev_cur && L->prev_plain)
				continue;
			size_t first = L->c->nblocks;
			if (walk_file(L, (uint32_t)idx, depth + 1, cur) < 0) {
				ss_os_paths_free(&gl);
				return -1;
			}
			int plain = 1;
			for (size_t b = first; b < L->c->nblocks && plain; b++)
				plain = L->c->blocks[b].kind == BK_CONT ||
					L->c->blocks[b].kind == BK_HOST;
			L->prev_file = idx;
			L->prev_cur = cur;
			L->prev_plain = plain;
		}
		ss_os_paths_free(&gl);
	}
	return 0;
}

static int host_literal(const ss_sshconf_item *it)
{
	if (it->nargs == 0)
		return 0;
	for (size_t i = 0; i < it->nargs; i++)
		if (it->args[i].value[0] == '!' || strpbrk(it->args[i].value, "*?"))
			return 0;
	return 1;
}

static int unknown_keyword(loader *L, uint32_t file, uint32_t item, const ss_sshconf_item *it,
			   int *cur)
{
	int covered = 0;
	for (size_t i = 0; i < L->nignunk && !covered; i++)
		covered = ss_match_pattern_list(it->keyword, pool_str(L->c, L->ignunk[i]), 1) == 1;
	char advice[256];
	ss_sshkw_unknown_advice(it->keyword, 0, advice, sizeof(advice));
	if (!covered)
		return err_at(
		    L, file, it->kw_start,
		    "Bad configuration option: %s: ssh 9.2 does not know this keyword%s%s "
		    "(put \"IgnoreUnknown %s\" before it to make ssh skip it)",
		    it->keyword, advice[0] ? "; " : "", advice, it->keyword);
	/* Whether it is an error depends on the IgnoreUnknown that wins for
	 * each host: a block of its own that every evaluation visits. */
	int b = new_block(L, BK_CHECK, file, item, -1, -1);
	if (b < 0 || add_dir(L, OP_UNKNOWN_CHECK, file, item, 0, it->keyword) < 0)
		return -1;
	*cur = new_block(L, BK_CONT, file, item, *cur, -1);
	return *cur < 0 ? -1 : 0;
}

/* Where a walk takes a file's items from: the tree's (not lean), or lexed
 * as they come (lean), by this thread or ahead by another. */
typedef struct file_lines {
	const ss_openssh *c;
	uint32_t file;
	ss_sshconf_lexer *lx;
	ss_sshconf_ahead *ahead;
	size_t next, pos; /* the next line, where it starts */
	int failed;	  /* a line did not lex */
	ss_sshconf_item line;
} file_lines;

/* The next line's item: 1, 0 after the last, -1 (`failed` set) when it
 * does not lex, with why in `d`. */
static int lines_next(file_lines *fl, const ss_sshconf_item **it, ss_diag *d)
{
	const oss_file *f = &fl->c->files[fl->file];
	int r = 1;
	size_t start, end;
	if (!fl->c->lean) {
		if (fl->next >= f->conf.nitems)
			return 0;
		*it = &f->conf.items[fl->next];
	} else if (fl->ahead) {
		r = ss_sshconf_ahead_next(fl->ahead, it, d);
	} else if (!ss_sshconf_next_line(&f->text, &fl->pos, &start, &end)) {
		r = 0;
	} else {
		r = ss_sshconf_lexer_span(fl->lx, &f->text, fl->next, start, end, &fl->line, d) < 0
			? -1
			: 1;
		*it = &fl->line;
	}
	fl->failed = r < 0;
	fl->next += r > 0;
	return r;
}

static int walk_lines(loader *L, uint32_t file, int depth, int parent, file_lines *fl)
{
	ss_openssh *c = L->c;
	int inc = parent; /* Host/Match here are forced off when the Include's block is */
	int cur = new_block(L, BK_CONT, file, 0, parent, -1);
	if (cur < 0)
		return -1;
	const ss_sshconf_item *it;
	for (int more; (more = lines_next(fl, &it, L->d)) != 0;) {
		if (more < 0)
			return -1;
		uint32_t i = it->line;
		if (it->kind != SS_SSHCONF_DIRECTIVE)
			continue;
		const ss_sshkw_client_kw *ck;
		const oss_keyword *k = keyword_find(L, it->keyword, &ck);
		if (!k) {
			if (unknown_keyword(L, file, (uint32_t)i, it, &cur) < 0)
				return -1;
			continue;
		}
		long value = 0;
		switch (k->kind) {
		case OSS_K_HOST:
			for (size_t a = 0; a < it->nargs; a++)
				if (!*it->args[a].value)
					return err_at(L, file, it->args[a].start,
						      "keyword %s: empty argument: expected a host "
						      "pattern%s",
						      it->keyword, "");
			cur = new_block(L, BK_HOST, file, (uint32_t)i, -1, inc);
			if (cur < 0)
				return -1;
			if (host_literal(it)) {
				c->blocks[cur].literal = 1;
				c->blocks[cur].key = cur;
				if (index_names(L, &c->blocks[cur], file, it) < 0)
					return -1;
			} else if (keep_patterns(L, &c->blocks[cur], it) < 0) {
				return -1;
			}
			continue;
		case OSS_K_MATCH:
			cur = new_block(L, BK_MATCH, file, (uint32_t)i, -1, inc);
			if (cur < 0 || parse_match(L, file, it, &c->blocks[cur]) < 0)
				return -1;
			continue;
		case OSS_K_INCLUDE:
			if (do_include(L, file, it, cur, depth) < 0)
				return -1;
			/* Back in this file, the including block's state again. */
			int back = new_block(L, BK_CONT, file, (uint32_t)i, cur, -1);
			if (back < 0)
				return -1;
			if (L->prev_cur == cur)
				L->prev_cur = back; /* as active as cur: a next Include may skip */
			cur = back;
			continue;
		default:
			if (check_value(L, file, it, k, &value) < 0 ||
			    ss_sshkw_client_check_kw(ck, &c->files[file].text, it, L->d) < 0)
				return -1;
			break;
		}
		const char *str = it->nargs ? it->args[0].value : NULL;
		if (k->op == OP_CANONDOMAINS || k->op == OP_CNAMES)
			value = !(it->nargs == 1 && strcasecmp(str, "none") == 0);
		if (k->op != OP_NONE && add_dir(L, k->op, file, (uint32_t)i, value, str) < 0)
			return -1;
		if (k->op == OP_IGNUNK) {
			uint32_t *v = realloc(L->ignunk, (L->nignunk + 1) * sizeof(*v));
			if (!v)
				return ss_diag_oom(L->d);
			L->ignunk = v;
			L->ignunk[L->nignunk++] = c->dirs[c->ndirs - 1].str; /* the kept copy */
		}
		if (c->all_settings &&
		    add_dir(L, OP_SETTING, file, (uint32_t)i, 0, it->keyword) < 0)
			return -1;
	}
	return 0;
}

/* ss_sshconf_parse lexes a whole file before any line of it counts: a lean
 * tree, which lexes while it walks, reports the first line of the file's
 * rest that does not lex instead of what it stopped at, as that would. */
static int walk_file(loader *L, uint32_t file, int depth, int parent)
{
	const ss_text *t = &L->c->files[file].text;
	file_lines fl = {L->c, file, &L->lx[depth], NULL, 0, 0, 0, {0}};
	if (L->c->lean && t->len >= L->c->lex_ahead)
		fl.ahead = ss_sshconf_ahead_begin(t); /* NULL: lexed here */
	int r = walk_lines(L, file, depth, parent, &fl);
	if (r < 0 && L->c->lean && !fl.failed && !ss_diag_is_oom(L->d)) {
		const ss_sshconf_item *it;
		ss_diag e = SS_DIAG_INIT;
		while (lines_next(&fl, &it, &e) > 0)
			;
		if (fl.failed) {
			ss_diag_clear(L->d);
			*L->d = e;
		}
	}
	ss_sshconf_ahead_end(fl.ahead);
	return r;
}

/* --- the literal Host index --- */

static size_t hash_name(const char *s, size_t len)
{
	return (size_t)ss_hash_key(s, len);
}

/* A slot of the table: its entry + 1 in the bits of index_mask (0 is an
 * empty slot; the table is at most 4/5 full, so an entry + 1 fits), the
 * high bits of the name's hash in the others, which spare most string
 * comparisons of a probe. Four bytes a slot: the table a probe reads at
 * random stays small, the entries themselves are in the order of the
 * file. */
static uint32_t slot_of(const ss_openssh *c, uint32_t hash, size_t entry)
{
	return (hash & ~c->index_mask) | (uint32_t)(entry + 1);
}

/* The slot holds a name of this hash, perhaps (its hash bits agree). */
static int slot_may_be(const ss_openssh *c, uint32_t slot, uint32_t hash)
{
	return ((slot ^ hash) & ~c->index_mask) == 0;
}

static int entry_is(const oss_index_entry *e, const char *name, size_t len)
{
	return e->len == len && memcmp(e->name, name, len) == 0;
}

const oss_index_entry *oss_index_find(const ss_openssh *c, const char *name)
{
	if (!c->index_cap)
		return NULL;
	size_t len = strlen(name);
	uint32_t h = (uint32_t)hash_name(name, len);
	for (size_t i = h & c->index_mask;; i = (i + 1) & c->index_mask) {
		uint32_t s = c->index_slots[i];
		if (!s)
			return NULL;
		const oss_index_entry *e = &c->index[(s & c->index_mask) - 1];
		if (slot_may_be(c, s, h) && entry_is(e, name, len))
			return e;
	}
}

/* The first empty slot for hash h. */
static size_t free_slot(const ss_openssh *c, uint32_t h)
{
	size_t i = h & c->index_mask;
	while (c->index_slots[i])
		i = (i + 1) & c->index_mask;
	return i;
}

/* Twice the slots, the entries put in again. */
static int grow_slots(ss_openssh *c)
{
	size_t cap = c->index_cap ? c->index_cap * 2 : 16;
	uint32_t *v = cap - 1 <= UINT32_MAX ? calloc(cap, sizeof(*v)) : NULL;
	if (!v)
		return -1;
	free(c->index_slots);
	c->index_slots = v;
	c->index_cap = cap;
	c->index_mask = (uint32_t)(cap - 1);
	for (size_t k = 0; k < c->index_n; k++) {
		const oss_index_entry *e = &c->index[k];
		uint32_t h = (uint32_t)hash_name(e->name, e->len);
		c->index_slots[free_slot(c, h)] = slot_of(c, h, k);
	}
	return 0;
}

/* The entry of a name (`len` bytes, kept as it is), a new one when it is
 * new. */
static int index_add(ss_openssh *c, const char *name, size_t len, uint32_t *entry)
{
	if (len > OSS_NAME_MAX)
		return -1; /* no text holds such a line */
	if ((c->index_n + 1) * 5 > c->index_cap * 4 && grow_slots(c) < 0)
		return -1;
	if (c->index_n + 1 > c->index_room) {
		size_t room = c->index_room ? c->index_room * 2 : 64;
		oss_index_entry *v =
		    room < UINT32_MAX ? realloc(c->index, room * sizeof(*v)) : NULL;
		if (!v)
			return -1;
		c->index = v;
		c->index_room = room;
	}
	uint32_t h = (uint32_t)hash_name(name, len);
	size_t i = h & c->index_mask;
	for (uint32_t s; (s = c->index_slots[i]); i = (i + 1) & c->index_mask) {
		size_t k = (s & c->index_mask) - 1;
		if (slot_may_be(c, s, h) && entry_is(&c->index[k], name, len)) {
			*entry = (uint32_t)k;
			return 0;
		}
	}
	size_t k = c->index_n++;
	c->index[k] = (oss_index_entry){.name = name, .len = (unsigned)len};
	c->index_slots[i] = slot_of(c, h, k);
	*entry = (uint32_t)k;
	return 0;
}

/* 1 when an earlier name of the same Host line has the same entry ("Host
 * a a": the block is listed once). */
static int seen_on_line(const ss_openssh *c, const oss_block *kb, size_t a)
{
	for (size_t j = 0; j < a && !kb->direct; j++)
		if (oss_lit_entry(c, kb, j) == oss_lit_entry(c, kb, a))
			return 1;
	return 0;
}

/* Each literal Host name's blocks (those that can only be active for it)
 * in the order of the tree: the block itself when it is the only one,
 * else a list. The names were entered as their lines were read. */
static int build_index(ss_openssh *c, ss_diag *d)
{
	c->wild = calloc(c->nblocks ? c->nblocks : 1, sizeof(*c->wild));
	c->act_stamp = calloc(c->nblocks ? c->nblocks : 1, sizeof(*c->act_stamp));
	if (!c->wild || !c->act_stamp)
		return ss_diag_oom(d);
	/* How many blocks each name gets (in `first` for now)... */
	for (size_t b = 0; b < c->nblocks; b++) {
		const oss_block *blk = &c->blocks[b];
		if (blk->key < 0) {
			c->wild[c->nwild++] = (uint32_t)b;
			continue;
		}
		const oss_block *kb = &c->blocks[blk->key];
		for (size_t a = 0; a < kb->npat; a++)
			if (!seen_on_line(c, kb, a))
				c->index[oss_lit_entry(c, kb, a)].first++;
	}
	/* ...then the room the lists take, each after how many it holds... */
	size_t total = 0;
	for (size_t i = 0; i < c->index_n; i++)
		if (c->index[i].first != 1 &&
		    (total += 1 + (size_t)c->index[i].first) >= UINT32_MAX)
			return ss_diag_oom(d); /* a list's position is 32 bits */
	c->index_blocks = malloc((total ? total : 1) * sizeof(*c->index_blocks));
	if (!c->index_blocks)
		return ss_diag_oom(d);
	/* ...where each list ends (`first`, for now)... */
	size_t at = 0;
	for (size_t i = 0; i < c->index_n; i++) {
		oss_index_entry *e = &c->index[i];
		if ((e->one = e->first == 1))
			continue;
		c->index_blocks[at] = e->first;
		at += 1 + (size_t)e->first;
		e->first = (uint32_t)at;
	}
	/* ...and the blocks put in from the last, each list filled from its
	 * end: its blocks in order, `first` at its start. */
	for (size_t b = c->nblocks; b-- > 0;) {
		if (c->blocks[b].key < 0)
			continue;
		const oss_block *kb = &c->blocks[c->blocks[b].key];
		for (size_t a = kb->npat; a-- > 0;) {
			if (seen_on_line(c, kb, a))
				continue;
			oss_index_entry *e = &c->index[oss_lit_entry(c, kb, a)];
			if (e->one)
				e->first = (uint32_t)b;
			else
				c->index_blocks[--e->first] = (uint32_t)b;
		}
	}
	return 0;
}

/* --- options --- */

static int is_system_path(const char *path)
{
	if (strcmp(ss_os_base_name(path), "ssh_config") == 0)
		return 1;
	const char *sys = getenv("SSHSYNC_SYSCONFDIR");
	if (sys && *sys && strncmp(path, sys, strlen(sys)) == 0 && ss_os_is_sep(path[strlen(sys)]))
		return 1;
	const char *etc = ss_os_config_root();
	return etc && strncmp(path, etc, strlen(etc)) == 0 && ss_os_is_sep(path[strlen(etc)]);
}

static char *default_base(const char *path, int system, const char *home)
{
	if (!system)
		return ss_asprintf("%s/.ssh", home);
	if (strcmp(ss_os_base_name(path), "ssh_config") == 0) {
		size_t dlen = ss_os_dir_len(path);
		return dlen ? ss_strndup(path, dlen) : ss_strdup(".");
	}
	const char *etc = ss_os_config_root();
	return ss_asprintf("%s/ssh", etc ? etc : "");
}

static int init_options(ss_openssh *c, const char *path, const ss_openssh_opts *o, ss_diag *d)
{
	const char *home = o && o->home ? o->home : ss_os_user_home();
	if (!home || !*home)
		home = ss_os_home_dir();
	if (!home)
		home = "/";
	c->home = ss_strdup(home); /* before the user database is read again */
	const char *user = o && o->local_user ? o->local_user : ss_os_user_name();
	c->system = o && o->system >= 0 ? o->system : is_system_path(path);
	c->all_settings = o && o->all_settings;
	c->local_user = ss_strdup(user ? user : "");
	c->base = o && o->include_base ? ss_strdup(o->include_base)
				       : default_base(path, c->system, c->home ? c->home : home);
	if (!c->home || !c->local_user || !c->base)
		return ss_diag_oom(d);
	return 0;
}

/* The next top-level file of a chain: its own kind (user or system) and
 * Include base. */
static int next_top(ss_openssh *c, const char *path, const ss_openssh_opts *o, int alone,
		    ss_diag *d)
{
	c->system = alone && o && o->system >= 0 ? o->system : is_system_path(path);
	free(c->base);
	c->base = alone && o && o->include_base ? ss_strdup(o->include_base)
						: default_base(path, c->system, c->home);
	return c->base ? 0 : ss_diag_oom(d);
}

int ss_openssh_load_chain(ss_openssh **out, const char *const *paths, size_t n,
			  const ss_openssh_opts *o, ss_diag *d)
{
	*out = NULL;
	ss_openssh *c = calloc(1, sizeof(*c));
	if (!c)
		return ss_diag_oom(d);
	loader L;
	memset(&L, 0, sizeof(L));
	L.c = c;
	L.d = d;
	L.prev_file = L.prev_cur = -1;
	L.main_bytes = o ? o->main_bytes : NULL;
	L.main_len = o ? o->main_len : 0;
	c->lean = o && o->lean;
	c->lex_ahead = o && o->lex_ahead ? o->lex_ahead : LEX_AHEAD;
	c->no_lines = c->lean && o->drop_lines;
	int r = init_options(c, paths[0], o, d);
	for (size_t i = 0; i < n && r == 0; i++) {
		int idx = 0;
		r = next_top(c, paths[i], o, n == 1, d);
		/* Without -F, ssh checks the user's own file as it checks an
		 * included one. */
		L.missing_empty = i == 0 && o && o->missing_empty;
		if (r == 0)
			r = load_one(&L, paths[i], n > 1 && !c->system, &idx);
		L.missing_empty = 0;
		if (r == 0)
			r = walk_file(&L, (uint32_t)idx, 0, -1);
	}
	if (r == 0)
		r = build_index(c, d);
	free(L.ignunk);
	for (size_t i = 0; i <= MAX_DEPTH; i++)
		ss_sshconf_lexer_free(&L.lx[i]);
	if (r < 0) {
		ss_openssh_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

int ss_openssh_load(ss_openssh **out, const char *path, const ss_openssh_opts *o, ss_diag *d)
{
	return ss_openssh_load_chain(out, &path, 1, o, d);
}

int ss_openssh_is_system_path(const char *path)
{
	return is_system_path(path);
}

void ss_openssh_free(ss_openssh *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nfiles; i++) {
		ss_sshconf_free(&c->files[i].conf);
		if (!c->files[i].moved)
			ss_text_free(&c->files[i].text);
		free(c->files[i].path);
	}
	for (size_t b = 0; b < c->nblocks; b++)
		if (c->blocks[b].kind == BK_MATCH)
			free_crit(c->blocks[b].crit, c->blocks[b].ncrit);
	free(c->index_blocks);
	free(c->files);
	free(c->dirs);
	free(c->blocks);
	free(c->index);
	free(c->index_slots);
	free(c->lit_entry);
	free(c->wild);
	free(c->act_stamp);
	free(c->local_user);
	free(c->base);
	free(c->home);
	ss_arena_release(&c->strs);
	ss_buf_release(&c->dir_strs);
	for (int k = 0; k < 3; k++)
		ss_buf_release(&c->at_text[k]);
	free(c);
}

int oss_names_begin(const ss_openssh *c, oss_names *it)
{
	/* First appearance order. "Seen already?": for a name of the literal
	 * index a flag per entry, for the others (names on Host lines with
	 * patterns) a table of their own, sized for them only. */
	size_t others = 0;
	memset(it, 0, sizeof(*it));
	for (size_t b = 0; b < c->nblocks; b++) {
		const oss_block *blk = &c->blocks[b];
		others += blk->kind == BK_HOST && !blk->literal ? blk->npat : 0;
	}
	it->cap = 16;
	while (it->cap < 2 * others + 16)
		it->cap *= 2;
	/* Room for the longest literal name: oss_names_next never fails. */
	size_t longest = 0;
	for (size_t i = 0; i < c->index_n; i++)
		longest = c->index[i].len > longest ? c->index[i].len : longest;
	it->seen = calloc(it->cap, sizeof(*it->seen));
	it->listed = calloc(c->index_n ? c->index_n : 1, 1);
	if (!it->seen || !it->listed || ss_buf_grow(&it->name, longest) < 0) {
		oss_names_end(it);
		return -1;
	}
	return 0;
}

const char *oss_names_next(const ss_openssh *c, oss_names *it)
{
	for (; it->b < c->nblocks; it->b++, it->a = 0) {
		const oss_block *blk = &c->blocks[it->b];
		if (blk->kind != BK_HOST)
			continue;
		while (blk->literal && it->a < blk->npat) {
			/* Its names' entries are known (a probe of the table at
			 * random costs a cache miss a name). */
			uint32_t e = oss_lit_entry(c, blk, it->a++);
			if (it->listed[e])
				continue;
			it->listed[e] = 1;
			it->entry = &c->index[e];
			/* oss_names_begin made the room */
			memcpy(it->name.data, it->entry->name, it->entry->len);
			it->name.data[it->entry->len] = '\0';
			return it->name.data;
		}
		while (it->a < blk->npat) {
			const char *name = blk->pat[it->a++];
			if (name[0] == '!' || strpbrk(name, "*?"))
				continue;
			const oss_index_entry *e = oss_index_find(c, name);
			it->entry = e;
			if (e) {
				if (it->listed[e - c->index])
					continue;
				it->listed[e - c->index] = 1;
			} else {
				size_t h = hash_name(name, strlen(name)) & (it->cap - 1);
				while (it->seen[h] && strcmp(it->seen[h], name) != 0)
					h = (h + 1) & (it->cap - 1);
				if (it->seen[h])
					continue;
				it->seen[h] = name;
			}
			return name;
		}
	}
	return NULL;
}

void oss_names_end(oss_names *it)
{
	free(it->seen);
	free(it->listed);
	ss_buf_release(&it->name);
	memset(it, 0, sizeof(*it));
}

int ss_openssh_host_names(const ss_openssh *c, ss_strlist *out)
{
	oss_names it;
	if (oss_names_begin(c, &it) < 0)
		return -1;
	int r = 0;
	for (const char *name; r == 0 && (name = oss_names_next(c, &it));)
		r = ss_strlist_push(out, name);
	oss_names_end(&it);
	return r;
}
