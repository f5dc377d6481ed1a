/* apply: plan everything, check everything, then write. */
#include <stdlib.h>
#include <string.h>

#include "sshsync/engine.h"
#include "sshsync/journal.h"
#include "sshsync/safewrite.h"
#include "writeset.h"

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

/* Every changed file of every target, in order, as one journaled and
 * all-or-nothing write. */
static int write_all(const ss_changeset *sets, size_t n, const ss_apply_opts *o,
		     ss_apply_result *res, ss_diag *d)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += ss_changeset_count_changed(&sets[i]);
	if (total == 0)
		return 0;
	ss_write_item *items = calloc(total, sizeof(*items));
	if (!items)
		return ss_diag_oom(d);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t c = 0; c < sets[i].n; c++) {
			const ss_change *ch = &sets[i].v[c];
			if (!ch->changed)
				continue;
			ss_write_item it = {ch->text, ch->rendered.data, ch->rendered.len, 0,
					    ch->backup_dir};
			items[k++] = it;
		}
	ss_journal j = SS_JOURNAL_INIT;
	ss_write_run run = {"apply", 0, o->backup};
	int r = ss_journal_open(&j, o->journal_dir, d);
	if (r == 0)
		r = ss_write_items(items, k, &run, &j, &res->warnings, d);
	ss_journal_close(&j);
	free(items);
	return r;
}

int ss_engine_apply(const ss_targets *targets, const ss_policy *p, const ss_apply_opts *o,
		    ss_apply_result *res, ss_diag *d)
{
	ss_changeset *sets = calloc(targets->n ? targets->n : 1, sizeof(*sets));
	if (!sets)
		return ss_diag_oom(d);
	int r = 0;
	for (size_t i = 0; i < targets->n && r == 0; i++)
		r = plan_target(&targets->v[i], p, &sets[i], d);
	for (size_t i = 0; i < targets->n && r == 0; i++)
		r = describe(&targets->v[i], &sets[i], o, res, d);
	for (size_t i = 0; i < targets->n && r == 0 && !o->dry_run; i++)
		r = check_changeset(&sets[i], o, d);
	if (r == 0 && !o->dry_run)
		r = write_all(sets, targets->n, o, res, d);
	for (size_t i = 0; i < targets->n; i++)
		ss_changeset_free(&sets[i]);
	free(sets);
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
}
