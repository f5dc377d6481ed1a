/* apply: plan everything, check everything, then write. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/engine.h"
#include "sshsync/journal.h"
#include "sshsync/os_path.h"
#include "sshsync/safewrite.h"
#include "writeset.h"

/* Files reached from the target (an Include) keep their backups in a hidden
 * directory beside them: an Include of config.d/STAR must never read a backup,
 * and a glob star does not match a leading dot. */
static int hide_included_backups(const ss_target *t, ss_changeset *cs, size_t first, ss_diag *d)
{
	for (size_t i = first; i < cs->n; i++) {
		ss_change *c = &cs->v[i];
		if (c->backup_dir || strcmp(c->text->path, t->path) == 0)
			continue;
		size_t dlen = ss_os_dir_len(c->text->path);
		c->backup_dir =
		    dlen ? ss_asprintf("%.*s/%s", (int)dlen, c->text->path, SS_HIDDEN_BACKUP_DIR)
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

/* Files by identity (device, inode); files not there yet by path. */
static int cmp_file(const ss_text *a, const ss_text *b)
{
	const ss_file_identity *x = &a->id, *y = &b->id;
	if (x->known != y->known)
		return x->known < y->known ? -1 : 1;
	if (x->known && x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->known && x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->known ? 0 : strcmp(a->path, b->path);
}

/* Whether the own file of target i (the first of its changeset) is one that
 * target j reaches through an Include. */
static int included_by(const ss_changeset *sets, size_t i, size_t j)
{
	if (i == j || sets[i].n == 0)
		return 0;
	for (size_t k = 1; k < sets[j].n; k++)
		if (cmp_file(sets[j].v[k].text, sets[i].v[0].text) == 0)
			return 1;
	return 0;
}

/* A change of some target, to sort the changes by file. */
typedef struct change_ref {
	const ss_text *text;
	size_t set, k;
} change_ref;

static int cmp_ref(const void *pa, const void *pb)
{
	const change_ref *a = pa, *b = pb;
	int c = cmp_file(a->text, b->text);
	if (c)
		return c;
	if (a->set != b->set)
		return a->set < b->set ? -1 : 1;
	return a->k < b->k ? -1 : a->k > b->k;
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

/* The changes of the targets that plan (not those included by another),
 * sorted by file, then by target: the first of each file keeps its plan. */
static change_ref *sorted_changes(const ss_targets *targets, const ss_changeset *sets,
				  const char *shared, size_t *n)
{
	size_t total = 0;
	for (size_t i = 0; i < targets->n; i++)
		total += shared[i] == 1 ? 0 : sets[i].n;
	change_ref *v = malloc((total ? total : 1) * sizeof(*v));
	if (!v)
		return NULL;
	*n = 0;
	for (size_t i = 0; i < targets->n; i++)
		for (size_t k = 0; shared[i] != 1 && k < sets[i].n; k++)
			v[(*n)++] = (change_ref){sets[i].v[k].text, i, k};
	qsort(v, *n, sizeof(*v), cmp_ref);
	return v;
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
	size_t n;
	change_ref *v = sorted_changes(targets, sets, shared, &n);
	if (!v)
		return ss_diag_oom(d);
	int r = 0;
	for (size_t i = 1, first = 0; i < n && r == 0; i++) {
		if (cmp_file(v[i].text, v[first].text)) {
			first = i;
			continue;
		}
		ss_change *c = &sets[v[i].set].v[v[i].k];
		c->changed = 0;
		if (v[i].set == v[first].set)
			continue;
		shared[v[i].set] = 2;
		r = add_note(
		    res,
		    ss_asprintf("%s (reached from %s) is planned and written once, with %s",
				c->text->path, targets->v[v[i].set].path,
				targets->v[v[first].set].path),
		    d);
	}
	free(v);
	return r;
}

/* The plans kept for the diff: every target's changeset, and the changes
 * to show, in the order they were described. */
struct ss_apply_plans {
	ss_changeset *sets;
	size_t nsets;
	const ss_change **shown;
	size_t nshown, cap;
};

static int show_in_diff(ss_apply_plans *pl, const ss_change *c)
{
	if (ss_array_room(&pl->shown, &pl->cap, pl->nshown, sizeof(*pl->shown)) < 0)
		return -1;
	pl->shown[pl->nshown++] = c;
	return 0;
}

/* Lists the files a target changes, or the target as unchanged; with
 * `pl`, each changed file is also one to show in the diff. */
static int describe(const ss_target *t, const ss_changeset *cs, const ss_apply_opts *o,
		    ss_apply_plans *pl, ss_apply_result *res, ss_diag *d)
{
	if (ss_changeset_count_changed(cs) == 0)
		return ss_strlist_push(&res->unchanged, t->path) < 0 ? ss_diag_oom(d) : 0;
	for (size_t i = 0; i < cs->n; i++) {
		const ss_change *c = &cs->v[i];
		if (!c->changed)
			continue;
		if (ss_change_describe(c, o->backup, o->journal_dir, &res->changed, &res->backups,
				       NULL, d) < 0)
			return -1;
		if (ss_strlist_push(&res->kinds, t->client->kind) < 0 ||
		    (pl && show_in_diff(pl, c) < 0))
			return ss_diag_oom(d);
	}
	return 0;
}

int ss_apply_result_diff(const ss_apply_result *res, ss_buf *out, const ss_sink *flush, ss_diag *d)
{
	const ss_apply_plans *pl = res->plans;
	for (size_t i = 0; pl && i < pl->nshown; i++)
		if (ss_change_diff(pl->shown[i], out, flush, d) < 0)
			return -1;
	return 0;
}

int ss_apply_result_diff_plain(const ss_apply_result *res)
{
	const ss_apply_plans *pl = res->plans;
	for (size_t i = 0; pl && i < pl->nshown; i++)
		if (!ss_change_diff_plain(pl->shown[i]))
			return 0;
	return 1;
}

static void free_sets(ss_changeset *sets, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ss_changeset_free(&sets[i]);
	free(sets);
}

static void free_plans(ss_apply_plans *pl)
{
	if (!pl)
		return;
	free_sets(pl->sets, pl->nsets);
	free(pl->shown);
	free(pl);
}

static int apply_targets(const ss_targets *targets, const ss_policy *p, const ss_apply_opts *o,
			 ss_apply_result *res, ss_diag *d);

static int take_brief(void *ctx, ss_scope *sc, ss_diag *d)
{
	return ss_briefs_add(ctx, sc) < 0 ? ss_diag_oom(d) : 0;
}

static int take_pair(void *ctx, ss_scope *sc, ss_diag *d)
{
	return ss_pairing_add(ctx, sc) < 0 ? ss_diag_oom(d) : 0;
}

/* Every scope of every target, as audit shows it without --host, handed
 * to `take` as it comes. */
static int audit_scopes(const ss_targets *targets, const ss_policy *p,
			int (*take)(void *, ss_scope *, ss_diag *), void *ctx, ss_diag *d)
{
	ss_strlist none = SS_STRLIST_INIT;
	ss_query q = {&none, &none};
	ss_scope_sink sink = {take, ctx, NULL};
	ss_scopes s = SS_SCOPES_INIT;
	s.sink = &sink;
	int r = ss_engine_audit(targets, &q, p, &s, d);
	ss_scopes_free(&s);
	return r;
}

/* The scopes before, kept as briefs; those after, read back, only paired
 * with them. */
static int audit_after(const ss_targets *targets, const ss_policy *p, ss_apply_result *res,
		       ss_diag *d)
{
	if (ss_pairing_start(&res->after, &res->before) < 0)
		return ss_diag_oom(d);
	if (audit_scopes(targets, p, take_pair, &res->after, d) < 0)
		return -1;
	return ss_pairing_end(&res->after) < 0 ? ss_diag_oom(d) : 0;
}

int ss_engine_apply(const ss_targets *targets, const ss_policy *p, const ss_apply_opts *o,
		    ss_apply_result *res, ss_diag *d)
{
	if (o->want_scopes) {
		if (audit_scopes(targets, p, take_brief, &res->before, d) < 0)
			return -1;
		ss_briefs_fit(&res->before);
	}
	int r = apply_targets(targets, p, o, res, d);
	if (r == 0 && o->want_scopes && !o->dry_run)
		r = audit_after(targets, p, res, d);
	return r;
}

/* A note where the interval asked is written as asked but the client then
 * sends keepalives too rarely for the NAT timeout (sshd: 2 x interval). */
static int period_note(const ss_target *t, const ss_policy *p, ss_apply_result *res, ss_diag *d)
{
	const ss_period_rule *rule = t->client ? t->client->period_rule : NULL;
	if (!rule || rule->factor <= 1 || p->interval <= 0)
		return 0;
	long period = p->interval > LONG_MAX / rule->factor ? LONG_MAX : p->interval * rule->factor;
	if (period < p->nat_timeout)
		return 0;
	return add_note(res,
			ss_asprintf("%s %s: %s %ld probes an idle connection every %ld s, not "
				    "shorter than the NAT timeout %ld s; %ld or less would pass",
				    t->client->kind, t->path, rule->setting, p->interval, period,
				    p->nat_timeout, (p->nat_timeout - 1) / rule->factor),
			d);
}

static int apply_targets(const ss_targets *targets, const ss_policy *p, const ss_apply_opts *o,
			 ss_apply_result *res, ss_diag *d)
{
	ss_changeset *sets = calloc(targets->n ? targets->n : 1, sizeof(*sets));
	/* The diff is made when it is shown, from the plans (a large file's
	 * diff is never held whole): they outlive this apply. */
	ss_apply_plans *pl = o->want_diff ? calloc(1, sizeof(*pl)) : NULL;
	if (!sets || (o->want_diff && !pl)) {
		free(sets);
		free(pl);
		return ss_diag_oom(d);
	}
	/* A large file (a .reg, a WinSCP.ini) is hashed for the journal while
	 * it is read and planned; one target only (it is the file written). */
	ss_prehash *prehash =
	    targets->n == 1 && !o->dry_run ? ss_prehash_start(targets->v[0].path) : NULL;
	if (prehash) {
		sets[0].on_read = ss_prehash_text_read;
		sets[0].on_read_ctx = prehash;
	}
	int r = 0;
	for (size_t i = 0; i < targets->n && r == 0; i++)
		r = plan_target(&targets->v[i], p, &sets[i], d);
	for (size_t i = 0; i < targets->n && r == 0; i++)
		r = period_note(&targets->v[i], p, res, d);
	char *shared = calloc(targets->n ? targets->n : 1, 1);
	if (r == 0)
		r = shared ? drop_duplicate_plans(targets, sets, shared, res, d) : ss_diag_oom(d);
	/* A target all of whose files another one plans is in the notes only. */
	for (size_t i = 0; i < targets->n && r == 0; i++)
		if (!shared[i] || ss_changeset_count_changed(&sets[i]))
			r = describe(&targets->v[i], &sets[i], o, pl, res, d);
	for (size_t i = 0; i < targets->n && r == 0 && !o->dry_run; i++)
		r = ss_changeset_check(&sets[i], o->backup, d);
	/* The replaced file's last close goes on while the caller reports:
	 * ss_apply_result_free waits for it. */
	ss_closings *closings = o->dry_run ? NULL : ss_closings_new();
	ss_write_run run = {"apply", 0, o->backup, prehash, closings};
	if (r == 0 && !o->dry_run)
		r = ss_changesets_write(NULL, 0, sets, targets->n, &run, o->journal_dir,
					&res->warnings, d);
	res->closings = closings;
	ss_prehash_free(prehash);
	if (r == 0 && pl) {
		pl->sets = sets;
		pl->nsets = targets->n;
		res->plans = pl;
	} else {
		free_sets(sets, targets->n);
		free_plans(pl);
	}
	free(shared);
	return r;
}

void ss_apply_result_free(ss_apply_result *res)
{
	free_plans(res->plans);
	res->plans = NULL;
	ss_strlist_release(&res->changed);
	ss_strlist_release(&res->unchanged);
	ss_strlist_release(&res->backups);
	ss_strlist_release(&res->warnings);
	ss_strlist_release(&res->kinds);
	ss_strlist_release(&res->notes);
	ss_briefs_free(&res->before);
	ss_pairing_free(&res->after);
	ss_closings_finish(res->closings);
	res->closings = NULL;
}
