/* sshd_config: reading the files and walking them as sshd does.
 *
 * The walk mirrors servconf.c's process_server_config_line_depth() for
 * the keywords that matter here: every keyword is looked up (unknown ones
 * are errors), global-only keywords inside a Match block are errors in the
 * first pass and skipped in the second, Include globs its arguments and
 * reads the files with the includer's Match state (restored afterwards),
 * and Match sets the state for the lines that follow. The first pass
 * (no connection) also records the Match blocks, the keepalive lines and
 * the Include lines that audit and apply need. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "sshd_impl.h"
#include "sshsync/os_file.h"
#include "sshsync/os_path.h"
#include "sshsync/os_proc.h"
#include "sshsync/os_user.h"
#include "sshsync/sshkw.h"

#define MAX_DEPTH 16	  /* SERVCONF_MAX_DEPTH */
#define FLAG_NEVERMATCH 4 /* in an inactive block: Match never matches */
#define FLAG_MATCH_ONLY 8 /* second pass, before the file's first Match */

static const long defaults[3] = {0, 3, 1};

int sd_grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 8;
	void *p = realloc(*v, c * size);
	if (!p)
		return -1;
	*v = p;
	*cap = c;
	return 0;
}

/* ---- files ---- */

static void file_free(sd_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nlexed; i++)
		ss_sshconf_item_free(&f->items[i]);
	free(f->items);
	if (f->text_owned && f->text) {
		ss_text_free(f->text);
		free(f->text);
	}
	ss_diag_clear(&f->lex_error);
	free(f->match_of);
	free(f->path);
	free(f);
}

/* Lexes lines until the first one OpenSSH rejects, whose error is kept
 * for the moment the walk reaches it: errors come in sshd's order. */
static int lex_file(sd_file *f, ss_diag *d)
{
	const ss_text *t = f->text;
	f->items = calloc(t->nlines ? t->nlines : 1, sizeof(*f->items));
	if (!f->items)
		return ss_diag_oom(d);
	for (size_t i = 0; i < t->nlines; i++) {
		const ss_line l = ss_text_line(t, i);
		f->items[i].line = i;
		int r = ss_sshconf_lex_line(t, l.start, l.start + l.len, SS_SSHCONF_SERVER,
					    &f->items[i], &f->lex_error);
		if (r < 0) {
			ss_sshconf_item_free(&f->items[i]);
			if (!ss_diag_is_set(&f->lex_error))
				return ss_diag_oom(d);
			break;
		}
		f->nlexed = i + 1;
	}
	return 0;
}

/* Reads a file (or finds it already read); its index in *index. */
static int add_file(ss_sshd_config *c, const char *path, size_t *index, ss_diag *d)
{
	for (size_t i = 0; i < c->nfiles; i++)
		if (strcmp(c->files[i]->path, path) == 0) {
			*index = i;
			return 0;
		}
	if (sd_grow((void **)&c->files, &c->files_cap, c->nfiles, sizeof(*c->files)) < 0)
		return ss_diag_oom(d);
	sd_file *f = calloc(1, sizeof(*f));
	if (!f || !(f->path = ss_strdup(path)) || !(f->text = calloc(1, sizeof(*f->text)))) {
		file_free(f);
		return ss_diag_oom(d);
	}
	if (ss_text_load(f->text, path, 0, d) < 0) {
		free(f->text);
		f->text = NULL;
		file_free(f);
		return -1;
	}
	f->text_owned = 1;
	if (lex_file(f, d) < 0) {
		file_free(f);
		return -1;
	}
	c->files[c->nfiles] = f;
	*index = c->nfiles++;
	return 0;
}

void ss_sshd_free(ss_sshd_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nfiles; i++)
		file_free(c->files[i]);
	free(c->files);
	for (size_t i = 0; i < c->nglobs; i++) {
		free(c->globs[i].selector);
		free(c->globs[i].files);
	}
	free(c->globs);
	free(c->lines);
	for (size_t i = 0; i < c->nincludes; i++)
		free(c->includes[i].globs);
	free(c->includes);
	free(c->blocks);
	for (size_t i = 0; i < c->nmatches; i++)
		free(c->matches[i].name);
	free(c->matches);
	free(c->base_dir);
	free(c->sshd_path);
	free(c);
}

/* ---- values ---- */

/* convtime(): seconds, or units s m h d w (either case), combinable;
 * -1 when invalid or beyond INT_MAX. Parsed with strtol as sshd does, so
 * "+5" and "-0" pass and "-5" does not. */
static long conv_time(const char *s)
{
	long total = 0;
	if (!*s)
		return -1;
	while (*s) {
		char *end;
		errno = 0;
		/* strtoll: the same on every system (long has 32 bits on
		 * Windows); what does not fit an int is refused below. */
		long long v = strtoll(s, &end, 10);
		if (end == s || v < 0 || errno == ERANGE)
			return -1;
		long long mult = 1;
		switch (*end) {
		case '\0':
			break;
		case 's':
		case 'S':
			end++;
			break;
		case 'm':
		case 'M':
			mult = 60;
			end++;
			break;
		case 'h':
		case 'H':
			mult = 3600;
			end++;
			break;
		case 'd':
		case 'D':
			mult = 86400;
			end++;
			break;
		case 'w':
		case 'W':
			mult = 604800;
			end++;
			break;
		default:
			return -1;
		}
		if (v > INT_MAX / mult)
			return -1;
		v *= mult;
		if (total > INT_MAX - v)
			return -1;
		total += (long)v;
		s = end;
	}
	return total;
}

/* atoi_err() on 0..INT_MAX: NULL, or sshd's word for what is wrong. */
static const char *int_error(const char *s, long *out)
{
	char *end;
	if (!*s)
		return "missing";
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end != '\0')
		return "invalid";
	if (v < 0 || (errno == ERANGE && v < 0))
		return "too small";
	if (v > INT_MAX || errno == ERANGE)
		return "too large";
	*out = (long)v;
	return NULL;
}

/* ---- the walk ---- */

typedef struct sd_walk {
	ss_sshd_config *c;
	int pass;		  /* 1: startup, 2: a connection */
	const ss_sshd_conn *conn; /* pass 2: the connection, or NULL ... */
	long only_match;	  /* ... and then the one Match line that matches (or -1) */
	long next_block;	  /* Match lines met so far: the blocks' ids */
	sd_values *vals;
	ss_diag *d;
	ss_sshkw_sshd_globals *globals; /* first pass: the cross-line checks */
} sd_walk;

static int walk_file(sd_walk *w, size_t fi, int flags, int *active, long *block, int depth);

/* The keyword as written, for sshd's messages. */
static char *raw_keyword(const sd_file *f, const ss_sshconf_item *it)
{
	return ss_strndup(f->text->data + it->kw_start, it->kw_end - it->kw_start);
}

static int item_error(const sd_file *f, size_t offset, ss_diag *d, const char *msg)
{
	return ss_text_error(f->text, d, offset, "%s", msg);
}

static void set_value(sd_walk *w, sd_kind k, long v, size_t fi, const ss_sshconf_item *it)
{
	if (w->vals->v[k] != SS_UNSET)
		return; /* first value wins */
	w->vals->v[k] = v;
	w->vals->at[k].file = (long)fi;
	w->vals->at[k].offset = w->c->files[fi]->text->lines[it->line];
}

static int record_line(sd_walk *w, size_t fi, size_t ii, sd_kind k, long v, long block)
{
	ss_sshd_config *c = w->c;
	if (w->pass != 1)
		return 0;
	if (sd_grow((void **)&c->lines, &c->lines_cap, c->nlines, sizeof(*c->lines)) < 0)
		return ss_diag_oom(w->d);
	c->lines[c->nlines++] = (sd_line){fi, ii, k, v, block};
	return 0;
}

static int keepalive_value(sd_walk *w, size_t fi, size_t ii, sd_kind k, int active, long block)
{
	sd_file *f = w->c->files[fi];
	const ss_sshconf_item *it = &f->items[ii];
	if (it->nargs == 0) /* only a comment after the keyword */
		return ss_text_error(f->text, w->d, it->rest, "missing value: expected %s",
				     k == SD_INTERVAL	 ? "a time such as 60 or 1m"
				     : k == SD_COUNT_MAX ? "a whole number"
							 : "yes or no");
	const ss_sshconf_arg *a = &it->args[0];
	const char *hint = ss_sshconf_value_hint(a->value);
	long v = -1;
	if (k == SD_INTERVAL) {
		if ((v = conv_time(a->value)) < 0)
			return ss_text_error(
			    f->text, w->d, a->start,
			    "invalid time value \"%s\": expected seconds or a time "
			    "such as 60, 1m or 1m30s%s",
			    a->value, hint);
	} else if (k == SD_COUNT_MAX) {
		const char *why = int_error(a->value, &v);
		if (why) {
			char *kw = raw_keyword(f, it);
			int r = ss_text_error(f->text, w->d, a->start,
					      "%s integer value %s: expected a whole number from 0 "
					      "to 2147483647%s",
					      kw ? kw : "ClientAliveCountMax", why, hint);
			free(kw);
			return r;
		}
	} else {
		if (strcasecmp(a->value, "yes") == 0)
			v = 1;
		else if (strcasecmp(a->value, "no") == 0)
			v = 0;
		else
			return ss_text_error(f->text, w->d, a->start,
					     "unsupported option \"%s\": expected yes or no (sshd "
					     "accepts no other spelling)%s",
					     a->value, hint);
	}
	if (it->nargs > 1) {
		char *kw = raw_keyword(f, it);
		int r = ss_text_error(f->text, w->d, it->args[1].start,
				      "keyword %s extra arguments at end of line: expected one "
				      "value",
				      kw ? kw : it->keyword);
		free(kw);
		return r;
	}
	if (record_line(w, fi, ii, k, v, block) < 0)
		return -1;
	if (active)
		set_value(w, k, v, fi, it);
	return 0;
}

/* The files an Include argument names; globbed once, then from the cache. */
static int include_glob(sd_walk *w, const char *arg, size_t *gi)
{
	ss_sshd_config *c = w->c;
	char *sel = (ss_os_is_absolute(arg) || arg[0] == '~')
			? ss_strdup(arg)
			: ss_asprintf("%s/%s", c->base_dir, arg);
	if (!sel)
		return ss_diag_oom(w->d);
	for (size_t i = 0; i < c->nglobs; i++)
		if (strcmp(c->globs[i].selector, sel) == 0) {
			free(sel);
			*gi = i;
			return 0;
		}
	if (sd_grow((void **)&c->globs, &c->globs_cap, c->nglobs, sizeof(*c->globs)) < 0) {
		free(sel);
		return ss_diag_oom(w->d);
	}
	sd_glob *g = &c->globs[c->nglobs];
	memset(g, 0, sizeof(*g));
	g->selector = sel;
	c->nglobs++;
	*gi = c->nglobs - 1;
	ss_os_paths gb;
	int r = ss_os_glob(sel, 0, &gb);
	if (r == SS_OS_GLOB_NOMATCH)
		return 0;
	if (r != 0)
		return ss_diag_set(w->d, NULL, 0, 0, "cannot read what Include \"%s\" names: %s",
				   sel, strerror(errno));
	size_t *files = calloc(gb.n ? gb.n : 1, sizeof(*files));
	if (!files) {
		ss_os_paths_free(&gb);
		return ss_diag_oom(w->d);
	}
	int res = 0;
	size_t n = 0;
	for (size_t i = 0; i < gb.n && res == 0; i++) {
		/* sshd reads a directory as an empty file (getline fails at once) */
		ss_stat st;
		if (ss_os_stat(gb.v[i], &st) == 0 && S_ISDIR(st.st_mode))
			continue;
		res = add_file(c, gb.v[i], &files[n++], w->d);
	}
	ss_os_paths_free(&gb);
	c->globs[*gi].files = files;
	c->globs[*gi].n = res == 0 ? n : 0;
	return res;
}

static int do_include(sd_walk *w, size_t fi, size_t ii, int *flags, int *active, long *block,
		      int depth)
{
	sd_file *f = w->c->files[fi];
	const ss_sshconf_item *it = &f->items[ii];
	size_t nargs = it->nargs;
	if (nargs == 0)
		return item_error(
		    f, it->rest, w->d,
		    "keyword Include missing filename argument: expected a file name");
	size_t *globs = calloc(nargs ? nargs : 1, sizeof(*globs));
	if (!globs)
		return ss_diag_oom(w->d);
	int r = 0;
	for (size_t a = 0; a < nargs && r == 0; a++) {
		if (f->items[ii].args[a].value[0] == '\0') {
			r = item_error(f, f->items[ii].args[a].start, w->d,
				       "keyword Include empty argument: expected a file name");
			break;
		}
		r = include_glob(w, w->c->files[fi]->items[ii].args[a].value, &globs[a]);
		if (r < 0)
			break;
		int oactive = *active;
		int sub =
		    (*flags & FLAG_MATCH_ONLY) ? FLAG_MATCH_ONLY : (oactive ? 0 : FLAG_NEVERMATCH);
		const sd_glob *g = &w->c->globs[globs[a]];
		for (size_t k = 0; k < g->n && r == 0; k++) {
			if (depth + 1 > MAX_DEPTH) {
				f = w->c->files[fi];
				r = item_error(f, f->items[ii].kw_start, w->d,
					       "Too many recursive configuration includes "
					       "(more than 16 levels)");
				break;
			}
			/* an included file starts in the includer's block... */
			long sub_block = *block;
			r = walk_file(w, g->files[k], sub, active, &sub_block, depth + 1);
			g = &w->c->globs[globs[a]];
			/* ... and its Match lines do not outlive it */
			*active = oactive;
		}
	}
	if (r == 0 && w->pass == 1) {
		ss_sshd_config *c = w->c;
		if (sd_grow((void **)&c->includes, &c->includes_cap, c->nincludes,
			    sizeof(*c->includes)) < 0) {
			free(globs);
			return ss_diag_oom(w->d);
		}
		c->includes[c->nincludes++] = (sd_include){fi, ii, globs, nargs};
		return 0;
	}
	free(globs);
	return r;
}

/* The criteria of a Match line as written, without a trailing comment. */
static char *criteria_text(const sd_file *f, const ss_sshconf_item *it, int strip_comment)
{
	size_t end = it->end;
	if (strip_comment && it->comment != SS_SSHCONF_NONE)
		end = it->comment;
	const char *data = f->text->data;
	while (end > it->rest && (data[end - 1] == ' ' || data[end - 1] == '\t'))
		end--;
	return ss_strndup(data + it->rest, end - it->rest);
}

/* The Match line's entry in c->matches, made the first time the walk
 * meets the line. */
static int match_index(ss_sshd_config *c, size_t fi, size_t ii, size_t *out, ss_diag *d)
{
	sd_file *f = c->files[fi];
	if (!f->match_of) {
		if (!(f->match_of = malloc((f->nlexed ? f->nlexed : 1) * sizeof(*f->match_of))))
			return ss_diag_oom(d);
		for (size_t i = 0; i < f->nlexed; i++)
			f->match_of[i] = -1;
	}
	if (f->match_of[ii] >= 0) {
		*out = (size_t)f->match_of[ii];
		return 0;
	}
	if (sd_grow((void **)&c->matches, &c->matches_cap, c->nmatches, sizeof(*c->matches)) < 0)
		return ss_diag_oom(d);
	char *name = criteria_text(f, &f->items[ii], 1);
	if (!name)
		return ss_diag_oom(d);
	c->matches[c->nmatches] = (sd_match){fi, ii, name};
	f->match_of[ii] = (long)c->nmatches;
	*out = c->nmatches++;
	return 0;
}

static int record_block(ss_sshd_config *c, size_t fi, size_t ii, ss_diag *d)
{
	size_t match = 0;
	if (match_index(c, fi, ii, &match, d) < 0)
		return -1;
	if (sd_grow((void **)&c->blocks, &c->blocks_cap, c->nblocks, sizeof(*c->blocks)) < 0)
		return ss_diag_oom(d);
	c->blocks[c->nblocks++] = (sd_block){fi, ii, match};
	return 0;
}

static int do_match(sd_walk *w, size_t fi, size_t ii, int *flags, int *active, long *block)
{
	sd_file *f = w->c->files[fi];
	const ss_sshconf_item *it = &f->items[ii];
	char *criteria = criteria_text(f, it, 0);
	if (!criteria)
		return ss_diag_oom(w->d);
	long id = w->next_block++;
	int never = (*flags & FLAG_NEVERMATCH) != 0;
	const ss_sshd_conn *conn = (w->pass == 2 && !never) ? w->conn : NULL;
	ss_buf err = SS_BUF_INIT;
	ss_sshd_match_result m = ss_sshd_match(criteria, conn, &err);
	free(criteria);
	if (m == SS_SSHD_MATCH_ERROR) {
		int r = ss_text_error(f->text, w->d, it->rest, "Bad Match condition: %s",
				      ss_buf_str(&err));
		ss_buf_release(&err);
		return r;
	}
	ss_buf_release(&err);
	if (w->pass == 2 && !w->conn && !never && w->only_match >= 0 &&
	    (size_t)id < w->c->nblocks && (long)w->c->blocks[id].match == w->only_match)
		m = SS_SSHD_MATCH_YES;
	*active = never ? 0 : m == SS_SSHD_MATCH_YES;
	*flags &= ~FLAG_MATCH_ONLY;
	*block = id;
	return w->pass == 1 ? record_block(w->c, fi, ii, w->d) : 0;
}

static int walk_line(sd_walk *w, size_t fi, size_t ii, int *flags, int *active, long *block,
		     int depth)
{
	sd_file *f = w->c->files[fi];
	const ss_sshconf_item *it = &f->items[ii];
	int kwflags = ss_sshd_keyword_flags(it->keyword);
	if (!kwflags) {
		char *kw = raw_keyword(f, it);
		char advice[256];
		ss_sshkw_unknown_advice(it->keyword, 1, advice, sizeof(advice));
		int r = ss_text_error(f->text, w->d, it->kw_start,
				      "Bad configuration option: %s (sshd 9.2 knows no such "
				      "keyword%s%s)",
				      kw ? kw : it->keyword, advice[0] ? "; " : "", advice);
		free(kw);
		return r;
	}
	if (!*active && !(kwflags & SS_SSHD_KW_MATCH)) {
		if (w->pass == 2)
			return 0; /* a global line, taken in the first pass */
		char *kw = raw_keyword(f, it);
		int r = ss_text_error(f->text, w->d, it->kw_start,
				      "Directive '%s' is not allowed within a Match block: "
				      "expected it before the first Match line",
				      kw ? kw : it->keyword);
		free(kw);
		return r;
	}
	const char *k = it->keyword;
	if (strcmp(k, "clientaliveinterval") == 0)
		return keepalive_value(w, fi, ii, SD_INTERVAL, *active, *block);
	if (strcmp(k, "clientalivecountmax") == 0)
		return keepalive_value(w, fi, ii, SD_COUNT_MAX, *active, *block);
	if (strcmp(k, "tcpkeepalive") == 0 || strcmp(k, "keepalive") == 0)
		return keepalive_value(w, fi, ii, SD_TCP_KEEPALIVE, *active, *block);
	if (strcmp(k, "include") == 0)
		return do_include(w, fi, ii, flags, active, block, depth);
	if (strcmp(k, "match") == 0)
		return do_match(w, fi, ii, flags, active, block);
	/* every other value, once: the first pass sees every line */
	if (w->pass != 1)
		return 0;
	if (*active && w->globals && ss_sshkw_sshd_globals_note(w->globals, f->text, it) < 0)
		return ss_diag_oom(w->d);
	return ss_sshkw_server_check(f->text, it, w->d);
}

static int walk_file(sd_walk *w, size_t fi, int flags, int *active, long *block, int depth)
{
	for (size_t i = 0;; i++) {
		sd_file *f = w->c->files[fi];
		if (i == f->nlexed) {
			if (!ss_diag_is_set(&f->lex_error))
				return 0;
			const ss_diag *e = &f->lex_error;
			return ss_diag_set(w->d, e->file, e->line, e->col, "%s", e->message);
		}
		if (f->items[i].kind != SS_SSHCONF_DIRECTIVE)
			continue;
		if (walk_line(w, fi, i, &flags, active, block, depth) < 0)
			return -1;
	}
}

static void values_init(sd_values *v)
{
	for (int k = 0; k < 3; k++) {
		v->v[k] = SS_UNSET;
		v->at[k].file = -1;
		v->at[k].offset = 0;
	}
}

int ss_sshd_load(ss_sshd_config **out, const char *path, const ss_sshd_opts *o, ss_diag *d)
{
	*out = NULL;
	ss_sshd_config *c = calloc(1, sizeof(*c));
	if (!c)
		return ss_diag_oom(d);
	c->base_dir =
	    o && o->base_dir ? ss_strdup(o->base_dir) : ss_asprintf("%s/ssh", ss_os_config_root());
	c->sshd_path = o && o->sshd_path ? ss_strdup(o->sshd_path) : ss_os_openssh_program("sshd");
	values_init(&c->global);
	size_t main_index;
	if (!c->base_dir || !c->sshd_path) {
		ss_sshd_free(c);
		return ss_diag_oom(d);
	}
	if (add_file(c, path, &main_index, d) < 0) {
		ss_sshd_free(c);
		return -1;
	}
	ss_sshkw_sshd_globals globals;
	ss_sshkw_sshd_globals_init(&globals);
	sd_walk w = {c, 1, NULL, -1, 0, &c->global, d, &globals};
	int active = 1;
	long block = -1;
	int r = walk_file(&w, main_index, 0, &active, &block, 0);
	if (r == 0)
		r = ss_sshkw_sshd_globals_check(&globals, d);
	ss_sshkw_sshd_globals_free(&globals);
	if (r < 0) {
		ss_sshd_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

/* ---- evaluation ---- */

static int where_string(const ss_sshd_config *c, const sd_where *at, char **out)
{
	*out = NULL;
	if (at->file < 0)
		return 0;
	const sd_file *f = c->files[at->file];
	return (*out = ss_text_where(f->text, at->offset)) ? 0 : -1;
}

/* The global values with the second pass's copied over: ClientAlive*
 * come from the first matching block that sets them; TCPKeepAlive is
 * never copied (copy_set_server_options leaves it out). */
static int finish(const ss_sshd_config *c, const sd_values *m, ss_sshd_values *out, ss_diag *d)
{
	sd_values v = c->global;
	if (m) {
		for (int k = SD_INTERVAL; k <= SD_COUNT_MAX; k++)
			if (m->v[k] != SS_UNSET) {
				v.v[k] = m->v[k];
				v.at[k] = m->at[k];
			}
	}
	for (int k = 0; k < 3; k++)
		if (v.v[k] == SS_UNSET) {
			v.v[k] = defaults[k];
			v.at[k].file = -1;
		}
	memset(out, 0, sizeof(*out));
	out->interval = v.v[SD_INTERVAL];
	out->count_max = v.v[SD_COUNT_MAX];
	out->tcp_keepalive = v.v[SD_TCP_KEEPALIVE];
	if (where_string(c, &v.at[SD_INTERVAL], &out->interval_at) < 0 ||
	    where_string(c, &v.at[SD_COUNT_MAX], &out->count_max_at) < 0 ||
	    where_string(c, &v.at[SD_TCP_KEEPALIVE], &out->tcp_keepalive_at) < 0) {
		ss_sshd_values_free(out);
		return ss_diag_oom(d);
	}
	return 0;
}

static int second_pass(const ss_sshd_config *c, const ss_sshd_conn *conn, long only_match,
		       ss_sshd_values *out, ss_diag *d)
{
	sd_values m;
	values_init(&m);
	/* the walk only reads: globs and files are all cached from the first pass */
	sd_walk w = {(ss_sshd_config *)c, 2, conn, only_match, 0, &m, d, NULL};
	int active = 0;
	long block = -1;
	if (walk_file(&w, 0, FLAG_MATCH_ONLY, &active, &block, 0) < 0)
		return -1;
	return finish(c, &m, out, d);
}

int ss_sshd_eval(const ss_sshd_config *c, const ss_sshd_conn *conn, ss_sshd_values *out, ss_diag *d)
{
	return second_pass(c, conn, -1, out, d);
}

int ss_sshd_eval_global(const ss_sshd_config *c, ss_sshd_values *out, ss_diag *d)
{
	return second_pass(c, NULL, -1, out, d);
}

size_t ss_sshd_nblocks(const ss_sshd_config *c)
{
	return c->nmatches;
}

const char *ss_sshd_block_name(const ss_sshd_config *c, size_t i)
{
	return c->matches[i].name;
}

const char *ss_sshd_block_file(const ss_sshd_config *c, size_t i)
{
	return c->files[c->matches[i].file]->path;
}

int ss_sshd_eval_block(const ss_sshd_config *c, size_t i, ss_sshd_values *out, ss_diag *d)
{
	return second_pass(c, NULL, (long)i, out, d);
}

void ss_sshd_values_free(ss_sshd_values *v)
{
	free(v->interval_at);
	free(v->count_max_at);
	free(v->tcp_keepalive_at);
	v->interval_at = v->count_max_at = v->tcp_keepalive_at = NULL;
}
