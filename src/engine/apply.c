/* apply: plan everything, check everything, then write. */
#include <stdlib.h>
#include <string.h>

#include "sshsync/engine.h"
#include "sshsync/safewrite.h"

/* The diff label: the path without leading slashes ("a/etc/ssh/..."). */
static const char *diff_label(const char *path)
{
	while (*path == '/')
		path++;
	return path;
}

/* Files reached from the target (an Include) keep their backups in a hidden
 * directory beside them: an Include of config.d/STAR must never read a backup,
 * and a glob star does not match a leading dot. */
static int hide_included_backups(const ss_target *t, ss_changeset *cs, size_t first, ss_diag *d)
{
	for (size_t i = first; i < cs->n; i++) {
		ss_change *c = &cs->v[i];
		if (c->backup_dir || strcmp(c->text->path, t->path) == 0)
			continue;
		const char *slash = strrchr(c->text->path, '/');
		c->backup_dir = slash ? ss_asprintf("%.*s/%s", (int)(slash - c->text->path),
						    c->text->path, SS_HIDDEN_BACKUP_DIR)
				      : ss_strdup(SS_HIDDEN_BACKUP_DIR);
		if (!c->backup_dir)
			return ss_diag_oom(d);
	}
	return 0;
}

static int plan_target(const ss_target *t, const ss_policy *p, ss_changeset *cs, ss_diag *d)
{
	if (!t->client->apply)
		return ss_diag_set(d, t->path, 0, 0,
				   "%s files are audited only; apply cannot "
				   "change them",
				   t->client->kind);
	size_t first = cs->n;
	if (t->client->apply(t->path, p, cs, d) < 0)
		return -1;
	if (hide_included_backups(t, cs, first, d) < 0)
		return -1;
	if (ss_changeset_render(cs, d) < 0)
		return -1;
	return 0;
}

static int same_text_file(const ss_text *a, const ss_text *b)
{
	if (a->id.known && b->id.known)
		return a->id.dev == b->id.dev && a->id.ino == b->id.ino;
	return !a->id.known && !b->id.known && strcmp(a->path, b->path) == 0;
}

/* Whether the own file of target i (the first of its changeset) is one that
 * target j reaches through an Include. */
static int included_by(const ss_changeset *sets, size_t i, size_t j)
{
	if (i == j || sets[i].n == 0)
		return 0;
	for (size_t k = 1; k < sets[j].n; k++)
		if (same_text_file(sets[j].v[k].text, sets[i].v[0].text))
			return 1;
	return 0;
}

/* The target that planned a file first, or -1: sets before `set` that
 * plan, and the changes before `k` in `set` itself. */
static long first_planner(const ss_changeset *sets, const char *subsumed, size_t set, size_t k)
{
	const ss_text *t = sets[set].v[k].text;
	for (size_t i = 0; i <= set; i++)
		for (size_t j = 0; subsumed[i] != 1 && j < (i == set ? k : sets[i].n); j++)
			if (same_text_file(sets[i].v[j].text, t))
				return (long)i;
	return -1;
}

static int add_note(ss_apply_result *res, char *note, ss_diag *d)
{
	return !note || ss_strlist_push_owned(&res->notes, note) < 0 ? ss_diag_oom(d) : 0;
}

/* A target that another one includes is planned by the includer. */
static int drop_included_targets(const ss_targets *targets, ss_changeset *sets, char *subsumed,
				 ss_apply_result *res, ss_diag *d)
{
	for (size_t i = 0; i < targets->n; i++) {
		size_t j = 0;
		while (j < targets->n && (subsumed[j] == 1 || !included_by(sets, i, j)))
			j++;
		if (j == targets->n)
			continue;
		subsumed[i] = 1;
		for (size_t k = 0; k < sets[i].n; k++)
			sets[i].v[k].changed = 0;
		if (add_note(res,
			     ss_asprintf("%s is included by %s: it is planned and written "
					 "once, with %s",
					 targets->v[i].path, targets->v[j].path,
					 targets->v[j].path),
			     d) < 0)
			return -1;
	}
	return 0;
}

/* One file, one plan: a file reached by more than one target (included by
 * another target, named twice, through a link) keeps one plan: the
 * includer's, else the first target's. The other plans of it are not
 * described, checked or written, and a note says so. `shared[i]`: 1 when
 * target i is included by another, 2 when it lost a plan to another. */
static int drop_duplicate_plans(const ss_targets *targets, ss_changeset *sets, char *shared,
				ss_apply_result *res, ss_diag *d)
{
	if (drop_included_targets(targets, sets, shared, res, d) < 0)
		return -1;
	for (size_t i = 0; i < targets->n; i++) {
		for (size_t k = 0; k < sets[i].n && shared[i] != 1; k++) {
			long first = first_planner(sets, shared, i, k);
			if (first < 0)
				continue;
			ss_change *c = &sets[i].v[k];
			c->changed = 0;
			if ((size_t)first == i)
				continue;
			shared[i] = 2;
			if (add_note(res,
				     ss_asprintf("%s (reached from %s) is planned and written "
						 "once, with %s",
						 c->text->path, targets->v[i].path,
						 targets->v[first].path),
				     d) < 0)
				return -1;
		}
	}
	return 0;
}

static int check_changeset(const ss_changeset *cs, const ss_apply_opts *o, ss_diag *d)
{
	for (size_t i = 0; i < cs->n; i++) {
		const ss_change *c = &cs->v[i];
		ss_write_opts wo = {o->backup, c->backup_dir};
		if (c->changed && ss_safe_replace_check(c->text, &wo, d) < 0)
			return -1;
	}
	if (cs->validate && ss_changeset_count_changed(cs) &&
	    cs->validate(cs, cs->validate_ctx, d) < 0)
		return -1;
	return 0;
}

/* Lists the files a target changes, or the target as unchanged. */
static int describe(const ss_target *t, const ss_changeset *cs, const ss_apply_opts *o,
		    ss_apply_result *res, ss_diag *d)
{
	if (ss_changeset_count_changed(cs) == 0)
		return ss_strlist_push(&res->unchanged, t->path) < 0 ? ss_diag_oom(d) : 0;
	for (size_t i = 0; i < cs->n; i++) {
		const ss_change *c = &cs->v[i];
		if (!c->changed)
			continue;
		/* A new file has nothing to back up. */
		char *bak = c->text->id.known && o->backup
				? ss_backup_path(c->text->path, c->backup_dir)
				: ss_strdup("");
		if (ss_strlist_push(&res->changed, c->text->path) < 0 ||
		    ss_strlist_push_owned(&res->backups, bak) < 0 ||
		    ss_strlist_push(&res->kinds, t->client->kind) < 0)
			return ss_diag_oom(d);
		if (c->changed && o->want_diff &&
		    ss_edits_diff(c->text, &c->edits, diff_label(c->text->path), &res->diff, d) < 0)
			return -1;
	}
	return 0;
}

/* One file written by this apply: what to put back if a later one fails. */
typedef struct written {
	const ss_change *c;
	ss_file_identity id; /* as written */
} written;

typedef struct write_log {
	written *v;
	size_t n;
} write_log;

static int write_changeset(const ss_changeset *cs, const ss_apply_opts *o, write_log *log,
			   ss_apply_result *res, ss_diag *d)
{
	for (size_t i = 0; i < cs->n; i++) {
		const ss_change *c = &cs->v[i];
		if (!c->changed)
			continue;
		ss_write_opts wo = {o->backup, c->backup_dir};
		ss_write_result wr = SS_WRITE_RESULT_INIT;
		int r = ss_safe_replace(c->text, c->rendered.data, c->rendered.len, &wo, &wr, d);
		if (r == 0) {
			log->v[log->n].c = c;
			log->v[log->n++].id = wr.id;
		}
		if (r == 0 && wr.warning && ss_strlist_push(&res->warnings, wr.warning) < 0)
			r = ss_diag_oom(d);
		ss_write_result_free(&wr);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* Puts one replaced file back as it was read (a created one is removed). */
static int restore_one(const written *w, ss_diag *d)
{
	ss_text now = *w->c->text; /* shallow: the bytes read, the new identity */
	now.id = w->id;
	if (!w->c->text->id.known)
		return ss_safe_remove(&now, d);
	ss_buf bytes = SS_BUF_INIT;
	int r = ss_text_encode(w->c->text, w->c->text->data, w->c->text->len, &bytes, d);
	ss_write_opts wo = {0, w->c->backup_dir};
	if (r == 0)
		r = ss_safe_write(&now, bytes.data, bytes.len, &wo, d);
	ss_buf_release(&bytes);
	return r;
}

/* After a failed write: every file already replaced is put back, newest
 * first, and the error says which were (and which could not be). */
static void roll_back(const write_log *log, ss_diag *d)
{
	ss_buf back = SS_BUF_INIT, lost = SS_BUF_INIT;
	int oom = 0;
	for (size_t i = log->n; i-- > 0;) {
		ss_diag why = SS_DIAG_INIT;
		int r = restore_one(&log->v[i], &why);
		char *msg = r < 0 ? ss_diag_format(&why) : NULL;
		ss_buf *to = r < 0 ? &lost : &back;
		oom |= ss_buf_addf(to, "%s%s", to->len ? ", " : "",
				   r < 0 && msg ? msg : log->v[i].c->text->path) < 0;
		free(msg);
		ss_diag_clear(&why);
	}
	char *first = ss_diag_format(d);
	ss_diag_clear(d);
	if (!first || oom)
		ss_diag_oom(d);
	else if (lost.len)
		ss_diag_set(d, NULL, 0, 0,
			    "%s; put back as they were: %s; NOT put back (restore from the "
			    "backup or with 'sshsync undo'): %s",
			    first, back.len ? ss_buf_str(&back) : "none", ss_buf_str(&lost));
	else
		ss_diag_set(d, NULL, 0, 0,
			    "%s; the files already replaced were put back as "
			    "they were: %s",
			    first, ss_buf_str(&back));
	free(first);
	ss_buf_release(&back);
	ss_buf_release(&lost);
}

static int write_all(ss_changeset *sets, size_t n, const ss_apply_opts *o, ss_apply_result *res,
		     ss_diag *d)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += ss_changeset_count_changed(&sets[i]);
	write_log log = {calloc(total ? total : 1, sizeof(written)), 0};
	if (!log.v)
		return ss_diag_oom(d);
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++)
		r = write_changeset(&sets[i], o, &log, res, d);
	if (r < 0 && log.n)
		roll_back(&log, d);
	free(log.v);
	return r;
}

static int apply_targets(const ss_targets *targets, const ss_policy *p, const ss_apply_opts *o,
			 ss_apply_result *res, ss_diag *d);

/* Every scope of every target, as audit shows it without --host. */
static int audit_scopes(const ss_targets *targets, const ss_policy *p, ss_scopes *out, ss_diag *d)
{
	ss_strlist none = SS_STRLIST_INIT;
	ss_query q = {&none, &none};
	return ss_engine_audit(targets, &q, p, out, d);
}

int ss_engine_apply(const ss_targets *targets, const ss_policy *p, const ss_apply_opts *o,
		    ss_apply_result *res, ss_diag *d)
{
	if (o->want_scopes && audit_scopes(targets, p, &res->before, d) < 0)
		return -1;
	int r = apply_targets(targets, p, o, res, d);
	if (r == 0 && o->want_scopes && !o->dry_run)
		r = audit_scopes(targets, p, &res->after, d);
	return r;
}

static int apply_targets(const ss_targets *targets, const ss_policy *p, const ss_apply_opts *o,
			 ss_apply_result *res, ss_diag *d)
{
	ss_changeset *sets = calloc(targets->n ? targets->n : 1, sizeof(*sets));
	if (!sets)
		return ss_diag_oom(d);
	int r = 0;
	for (size_t i = 0; i < targets->n && r == 0; i++)
		r = plan_target(&targets->v[i], p, &sets[i], d);
	char *shared = calloc(targets->n ? targets->n : 1, 1);
	if (r == 0)
		r = shared ? drop_duplicate_plans(targets, sets, shared, res, d) : ss_diag_oom(d);
	/* A target all of whose files another one plans is in the notes only. */
	for (size_t i = 0; i < targets->n && r == 0; i++)
		if (!shared[i] || ss_changeset_count_changed(&sets[i]))
			r = describe(&targets->v[i], &sets[i], o, res, d);
	for (size_t i = 0; i < targets->n && r == 0 && !o->dry_run; i++)
		r = check_changeset(&sets[i], o, d);
	if (r == 0 && !o->dry_run)
		r = write_all(sets, targets->n, o, res, d);
	for (size_t i = 0; i < targets->n; i++)
		ss_changeset_free(&sets[i]);
	free(sets);
	free(shared);
	return r;
}

void ss_apply_result_free(ss_apply_result *res)
{
	ss_buf_release(&res->diff);
	ss_strlist_release(&res->changed);
	ss_strlist_release(&res->unchanged);
	ss_strlist_release(&res->backups);
	ss_strlist_release(&res->warnings);
	ss_strlist_release(&res->kinds);
	ss_strlist_release(&res->notes);
	ss_scopes_free(&res->before);
	ss_scopes_free(&res->after);
}
