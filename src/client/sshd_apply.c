/* sshd_config apply: the edits that give every connection the policy, and
 * the `sshd -t` check of the result before anything is written.
 *
 * sshd takes the first value it meets, globally and among the matching
 * Match blocks. So every keepalive line sshd reads - in the main file, in
 * every drop-in, in every Match block - gets the new value (a Debian
 * drop-in that sets ClientAliveInterval before the main file's line is
 * updated in place), and when no global line exists one is added to the
 * main file before its first Match line. TCPKeepAlive is global only
 * (sshd refuses it inside Match and never copies it from a block). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "sshd_impl.h"
#include "sshsync/os_file.h"
#include "sshsync/os_proc.h"
#include "sshsync/os_user.h"

static const char *const kind_names[3] = {"ClientAliveInterval", "ClientAliveCountMax",
					  "TCPKeepAlive"};

/* What validation needs after the config itself is gone: which change
 * holds which file, and which Include lines name which files. */
typedef struct sd_vinclude {
	size_t file;
	size_t start, end; /* the arguments' bytes, replaced by temporary names */
	size_t *targets;   /* file indices, in sshd's order */
	size_t ntargets;
} sd_vinclude;

typedef struct sd_vctx {
	char *sshd_path;
	size_t base; /* cs->v[base + i] holds file i */
	size_t nfiles;
	sd_vinclude *incs;
	size_t nincs;
} sd_vctx;

static void vctx_free(void *p)
{
	sd_vctx *v = p;
	if (!v)
		return;
	for (size_t i = 0; i < v->nincs; i++)
		free(v->incs[i].targets);
	free(v->incs);
	free(v->sshd_path);
	free(v);
}

static sd_vctx *vctx_new(const ss_sshd_config *c, size_t base)
{
	sd_vctx *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->base = base;
	v->nfiles = c->nfiles;
	v->sshd_path = ss_strdup(c->sshd_path);
	v->incs = calloc(c->nincludes ? c->nincludes : 1, sizeof(*v->incs));
	if (!v->sshd_path || !v->incs) {
		vctx_free(v);
		return NULL;
	}
	for (size_t i = 0; i < c->nincludes; i++) {
		const sd_include *inc = &c->includes[i];
		const ss_sshconf_item *it = &c->files[inc->file]->items[inc->item];
		sd_vinclude *vi = &v->incs[v->nincs++];
		vi->file = inc->file;
		vi->start = it->args[0].start;
		vi->end = it->args[it->nargs - 1].end;
		size_t n = 0;
		for (size_t a = 0; a < inc->nglobs; a++)
			n += c->globs[inc->globs[a]].n;
		vi->targets = calloc(n ? n : 1, sizeof(*vi->targets));
		if (!vi->targets) {
			vctx_free(v);
			return NULL;
		}
		for (size_t a = 0; a < inc->nglobs; a++) {
			const sd_glob *g = &c->globs[inc->globs[a]];
			for (size_t k = 0; k < g->n; k++)
				vi->targets[vi->ntargets++] = g->files[k];
		}
	}
	return v;
}

/* ---- running sshd ---- */

/* Who runs sshd -t: nobody when sshsync runs as root (sshd refuses to
 * read a config as root from a folder others own), else the caller. */
typedef struct sd_runner {
	int as_nobody;
	ss_os_id uid;
	ss_os_id gid;
} sd_runner;

/* Runs argv with stdout and stderr into `out` (as `who` when that is
 * nobody). Returns the exit status, or -1 when it could not run. */
static int run_capture(char *const argv[], const sd_runner *who, ss_buf *out)
{
	char *said = NULL;
	size_t len = 0;
	int st = ss_os_run_capture(argv, who && who->as_nobody, who ? who->uid : 0,
				   who ? who->gid : 0, 65536, &said, &len);
	if (said && ss_buf_add(out, said, len) < 0)
		st = -1;
	free(said);
	return st;
}

static char *temp_name(const char *dir, size_t i)
{
	return ss_asprintf("%s/%zu.conf", dir, i);
}

/* The bytes of file i as apply would write them, its Include lines naming
 * the temporary copies instead. */
static int render_copy(const ss_changeset *cs, const sd_vctx *v, const char *dir, size_t i,
		       ss_buf *out, ss_diag *d)
{
	const ss_change *ch = &cs->v[v->base + i];
	ss_edits e = SS_EDITS_INIT;
	int r = 0;
	for (size_t k = 0; k < ch->edits.n && r == 0; k++) {
		const ss_edit *x = ss_edits_at(&ch->edits, k);
		r = ss_edits_replace(&e, x->start, x->end, x->repl, x->repl_len);
	}
	for (size_t k = 0; k < v->nincs && r == 0; k++) {
		const sd_vinclude *vi = &v->incs[k];
		if (vi->file != i)
			continue;
		ss_buf names = SS_BUF_INIT;
		for (size_t t = 0; t < vi->ntargets && r == 0; t++) {
			char *name = temp_name(dir, vi->targets[t]);
			r = !name || (t && ss_buf_addc(&names, ' ') < 0) ||
				    ss_buf_adds(&names, name) < 0
				? -1
				: 0;
			free(name);
		}
		/* a glob that matched nothing: a name that matches nothing either */
		if (r == 0 && vi->ntargets == 0)
			r = ss_buf_addf(&names, "%s/none.conf", dir);
		if (r == 0)
			r = ss_edits_replace(&e, vi->start, vi->end, ss_buf_str(&names), names.len);
		ss_buf_release(&names);
	}
	if (r < 0) {
		ss_edits_free(&e);
		return ss_diag_oom(d);
	}
	r = ss_edits_render_file(ch->text, &e, out, d);
	ss_edits_free(&e);
	return r;
}

/* The mode a copy of file i gets: the file's own (readable by its owner,
 * the runner), 0600 for a file apply creates. */
static unsigned copy_mode(const ss_changeset *cs, const sd_vctx *v, size_t i)
{
	ss_stat st;
	const ss_text *t = cs->v[v->base + i].text;
	if (!t->id.known || ss_os_stat(t->path, &st) < 0)
		return 0600;
	return (st.st_mode & 0777) | 0400;
}

static int write_file(const char *path, const ss_buf *b, unsigned mode, const sd_runner *who,
		      ss_diag *d)
{
	/* The file's own mode, whatever the umask. */
	if (ss_os_write_new_file(path, b->data, b->len, mode, who->as_nobody, who->uid, who->gid) <
	    0)
		return ss_diag_errno(d, path, "cannot write a copy for sshd -t");
	return 0;
}

/* sshd's message with the temporary names turned back into the real ones. */
static int explain(const ss_changeset *cs, const sd_vctx *v, const char *dir, const ss_buf *msg,
		   ss_diag *d)
{
	ss_buf b = SS_BUF_INIT;
	size_t dlen = strlen(dir);
	const char *p = ss_buf_str(msg);
	int r = 0;
	while (*p && r == 0) {
		const char *hit = strstr(p, dir);
		if (!hit) {
			r = ss_buf_adds(&b, p);
			break;
		}
		r = ss_buf_add(&b, p, (size_t)(hit - p));
		const char *q = hit + dlen;
		char *end;
		unsigned long i = *q == '/' ? strtoul(q + 1, &end, 10) : (unsigned long)-1;
		if (r == 0 && *q == '/' && end != q + 1 && strncmp(end, ".conf", 5) == 0 &&
		    i < v->nfiles) {
			r = ss_buf_adds(&b, cs->v[v->base + i].text->path);
			p = end + 5;
		} else if (r == 0) {
			r = ss_buf_add(&b, hit, dlen);
			p = q;
		}
	}
	while (r == 0 && b.len && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	if (r < 0) {
		ss_buf_release(&b);
		return ss_diag_oom(d);
	}
	r = ss_diag_set(d, cs->v[v->base].text->path, 0, 0,
			"sshd -t rejects the new configuration, so nothing was written: %s",
			b.len ? ss_buf_str(&b) : "(no message)");
	ss_buf_release(&b);
	return r;
}

static void remove_dir(const char *dir, size_t nfiles)
{
	for (size_t i = 0; i < nfiles; i++) {
		char *p = temp_name(dir, i);
		if (p)
			ss_os_remove_file(p);
		free(p);
	}
	char *p = ss_asprintf("%s/hostkey", dir);
	char *q = ss_asprintf("%s/hostkey.pub", dir);
	if (p)
		ss_os_remove_file(p);
	if (q)
		ss_os_remove_file(q);
	free(p);
	free(q);
	ss_os_remove_dir(dir);
}

/* A throw-away host key: sshd -t wants one it can read. */
static char *make_hostkey(const char *dir, const sd_runner *who)
{
	char *key = ss_asprintf("%s/hostkey", dir);
	char *keygen = ss_os_openssh_program("ssh-keygen");
	if (!key || !keygen) {
		free(key);
		free(keygen);
		return NULL;
	}
	char *argv[] = {keygen, "-q", "-t", "ed25519", "-N", "", "-C", "sshsync", "-f", key, NULL};
	ss_buf out = SS_BUF_INIT;
	int st = ss_os_can_exec(argv[0]) == 0 ? run_capture(argv, NULL, &out) : -1;
	ss_buf_release(&out);
	free(keygen);
	if (st != 0 || (who->as_nobody && ss_os_chown(key, who->uid, who->gid) < 0)) {
		free(key);
		return NULL;
	}
	return key;
}

static int sshd_validate(const ss_changeset *cs, void *ctx, ss_diag *d)
{
	const sd_vctx *v = ctx;
	if (ss_os_can_exec(v->sshd_path) != 0)
		return 0; /* no sshd here: nothing to check with */
	char *dir = ss_os_make_temp_dir("sshsync-sshd");
	if (!dir)
		return ss_diag_errno(d, NULL, "cannot make a directory for sshd -t");
	sd_runner who = {0, 0, 0};
	int r = 0;
	int as = ss_os_checker_user(&who.uid, &who.gid);
	if (as < 0)
		r = ss_diag_set(d, NULL, 0, 0, "no user 'nobody' to run sshd -t as");
	who.as_nobody = as > 0;
	/* The folder stays 0700 (private), owned by whoever runs sshd. */
	if (r == 0 && who.as_nobody && ss_os_chown(dir, who.uid, who.gid) < 0)
		r = ss_diag_errno(d, dir, "cannot hand the sshd -t folder to nobody");
	for (size_t i = 0; i < v->nfiles && r == 0; i++) {
		ss_buf b = SS_BUF_INIT;
		char *name = temp_name(dir, i);
		r = !name ? ss_diag_oom(d) : render_copy(cs, v, dir, i, &b, d);
		if (r == 0)
			r = write_file(name, &b, copy_mode(cs, v, i), &who, d);
		free(name);
		ss_buf_release(&b);
	}
	char *key = r == 0 ? make_hostkey(dir, &who) : NULL;
	char *main_copy = r == 0 ? temp_name(dir, 0) : NULL;
	if (r == 0 && !main_copy)
		r = ss_diag_oom(d);
	if (r == 0) {
		char *argv[] = {v->sshd_path, "-t", "-f", main_copy, "-h", key, NULL};
		if (!key)
			argv[4] = NULL;
		ss_buf out = SS_BUF_INIT;
		int st = run_capture(argv, &who, &out);
		if (st < 0)
			r = ss_diag_set(d, v->sshd_path, 0, 0,
					"cannot run %s -t to check the new "
					"configuration",
					v->sshd_path);
		else if (st != 0)
			r = explain(cs, v, dir, &out, d);
		ss_buf_release(&out);
	}
	free(key);
	free(main_copy);
	remove_dir(dir, v->nfiles);
	free(dir);
	return r;
}

/* ---- edits ---- */

static const char *policy_text(sd_kind k, long value, char *buf, size_t len)
{
	if (k == SD_TCP_KEEPALIVE)
		return value ? "yes" : "no";
	snprintf(buf, len, "%ld", value);
	return buf;
}

/* Where a new global line goes in the main file: after a commented-out
 * example of the keyword ("#ClientAliveInterval 0", as Debian ships it)
 * before the first Match line; else before the first Match line and the
 * comments directly above it; else at the end. */
static size_t insert_position(const sd_file *f, sd_kind k)
{
	size_t first_match = f->nlexed;
	for (size_t i = 0; i < f->nlexed; i++)
		if (ss_sshconf_is(&f->items[i], "match")) {
			first_match = i;
			break;
		}
	const char *name = kind_names[k];
	size_t nlen = strlen(name);
	for (size_t i = 0; i < first_match; i++) {
		const ss_sshconf_item *it = &f->items[i];
		if (it->kind != SS_SSHCONF_COMMENT)
			continue;
		const char *p = f->text->data + it->kw_start + 1;
		while (*p == ' ' || *p == '\t' || *p == '#')
			p++;
		if (strncasecmp(p, name, nlen) == 0 &&
		    (p[nlen] == ' ' || p[nlen] == '\t' || p[nlen] == '=' || p[nlen] == '\r' ||
		     p[nlen] == '\n' || p[nlen] == '\0'))
			return i + 1;
	}
	if (first_match == f->nlexed)
		return f->text->nlines;
	size_t pos = first_match;
	while (pos > 0 && f->items[pos - 1].kind == SS_SSHCONF_COMMENT)
		pos--;
	return pos;
}

static long policy_value(const ss_policy *p, sd_kind k)
{
	return k == SD_INTERVAL ? p->interval : k == SD_COUNT_MAX ? p->count_max : p->tcp_keepalive;
}

static int plan_edits(const ss_sshd_config *c, const ss_policy *p, ss_changeset *cs, size_t base,
		      ss_diag *d)
{
	char num[32];
	for (size_t i = 0; i < c->nlines; i++) {
		const sd_line *l = &c->lines[i];
		long want = policy_value(p, l->kind);
		if (want == SS_UNSET || want == l->value)
			continue; /* "1m" stays when 60 is asked: sshd reads the same */
		const ss_sshconf_arg *a = &c->files[l->file]->items[l->item].args[0];
		const char *s = policy_text(l->kind, want, num, sizeof(num));
		if (ss_edits_replace(&cs->v[base + l->file].edits, a->start, a->end, s, strlen(s)) <
		    0)
			return ss_diag_oom(d);
	}
	const sd_file *main_file = c->files[0];
	for (sd_kind k = SD_INTERVAL; k <= SD_TCP_KEEPALIVE; k++) {
		long want = policy_value(p, k);
		if (want == SS_UNSET || c->global.v[k] != SS_UNSET)
			continue;
		char *line =
		    ss_asprintf("%s %s", kind_names[k], policy_text(k, want, num, sizeof(num)));
		if (!line)
			return ss_diag_oom(d);
		int r = ss_edits_insert_line(&cs->v[base].edits, main_file->text,
					     insert_position(main_file, k), line);
		free(line);
		if (r < 0)
			return ss_diag_oom(d);
	}
	return 0;
}

int ss_sshd_apply(const char *path, const ss_policy *p, const ss_sshd_opts *o, ss_changeset *cs,
		  ss_diag *d)
{
	ss_sshd_config *c;
	if (ss_sshd_load(&c, path, o, d) < 0)
		return -1;
	size_t base = cs->n;
	int r = 0;
	for (size_t i = 0; i < c->nfiles && r == 0; i++) {
		sd_file *f = c->files[i];
		f->text_owned = 0; /* the changeset owns it now, also on failure */
		if (!ss_changeset_add(cs, f->text))
			r = ss_diag_oom(d);
	}
	if (r == 0)
		r = plan_edits(c, p, cs, base, d);
	if (r == 0) {
		sd_vctx *v = vctx_new(c, base);
		if (!v) {
			r = ss_diag_oom(d);
		} else {
			if (cs->free_ctx)
				cs->free_ctx(cs->validate_ctx);
			cs->validate = sshd_validate;
			cs->validate_ctx = v;
			cs->free_ctx = vctx_free;
		}
	}
	ss_sshd_free(c);
	return r;
}
