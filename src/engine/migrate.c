/* migrate: read the source's sessions, plan them into the target, check,
 * then write as apply does (journal, backups, all or nothing). */
#include <stdlib.h>
#include <string.h>

#include "sshsync/engine.h"
#include "sshsync/journal.h"
#include "sshsync/os_file.h"
#include "sshsync/safewrite.h"
#include "migrate_keys.h"
#include "writeset.h"

static int describe(const ss_changeset *cs, const ss_migrate_opts *o, ss_migrate_result *res,
		    ss_diag *d)
{
	for (size_t i = 0; i < cs->n; i++) {
		const ss_change *c = &cs->v[i];
		if (!c->changed)
			continue;
		char *bak = ss_change_backup_path(c, o->backup, o->journal_dir);
		if (ss_strlist_push(&res->changed, c->text->path) < 0 ||
		    ss_strlist_push_owned(&res->backups, bak) < 0)
			return ss_diag_oom(d);
		const char *label = c->text->path;
		while (*label == '/')
			label++;
		if (o->want_diff && ss_edits_diff(c->text, &c->edits, label, &res->diff, d) < 0)
			return -1;
	}
	return 0;
}

/* The changed files and the new key files (`keys`), as one journaled step. */
static int write_changes(const ss_changeset *cs, const ss_key_files *keys, const ss_migrate_opts *o,
			 ss_migrate_result *res, ss_diag *d)
{
	size_t n = ss_changeset_count_changed(cs) + keys->n;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < cs->n; i++) {
		const ss_change *c = &cs->v[i];
		if (c->changed && ss_change_check(c, o->backup, d) < 0)
			return -1;
	}
	ss_write_item *items = calloc(n, sizeof(*items));
	if (!items)
		return ss_diag_oom(d);
	size_t k = ss_key_files_items(keys, items);
	for (size_t i = 0; i < cs->n; i++) {
		const ss_change *c = &cs->v[i];
		if (c->changed)
			items[k++] = ss_change_item(c);
	}
	ss_journal j = SS_JOURNAL_INIT;
	ss_write_run run = {"migrate", 0, o->backup};
	int r = ss_journal_open(&j, o->journal_dir, d);
	if (r == 0)
		r = ss_write_items(items, k, &run, &j, &res->warnings, d);
	ss_journal_close(&j);
	free(items);
	if (r == 0)
		res->written = 1;
	return r;
}

int ss_engine_migrate(const ss_target *from, const ss_target *to, const ss_migrate_opts *o,
		      ss_migrate_result *res, ss_diag *d)
{
	if (!from->client || !from->client->sessions_read)
		return ss_diag_set(d, from->path, 0, 0,
				   "%s files hold no sessions to migrate: expected ssh, putty, "
				   "kitty or winscp",
				   from->client ? from->client->kind : "these");
	if (!to->client || !to->client->sessions_plan)
		return ss_diag_set(d, to->path, 0, 0,
				   "sessions cannot be migrated into %s files: expected ssh, "
				   "putty, kitty or winscp",
				   to->client ? to->client->kind : "these");
	/* An ssh_config is created; a PuTTY, KiTTY or WinSCP store is one the
	 * client made (its kind decides how new sessions are written); a
	 * registry key is no path: its backend says when it is missing. */
	if (strcmp(to->client->kind, "ssh") != 0 && strcmp(to->client->kind, "reg") != 0 &&
	    !ss_os_path_exists(to->path))
		return ss_diag_set(d, to->path, 0, 0,
				   "no such %s store: migrate adds sessions to an existing one; "
				   "create it first (mkdir for a session folder, a .reg file "
				   "holding only the line \"Windows Registry Editor Version "
				   "5.00\", an empty WinSCP.ini)",
				   to->client->kind);
	static const ss_strlist none = SS_STRLIST_INIT;
	if (from->client->sessions_read(from->path, o->sessions ? o->sessions : &none,
					&res->sessions, d) < 0)
		return -1;
	ss_changeset cs = SS_CHANGESET_INIT;
	ss_key_files keys = SS_KEY_FILES_INIT;
	/* Keys first: the sessions then name the converted files. */
	int r = ss_migrate_plan_keys(to, o, res, d);
	if (r == 0)
		r = to->client->sessions_plan(to->path, &res->sessions, &cs, d);
	if (r == 0)
		r = ss_migrate_plan_host_keys(from, to, o, res, &cs, d);
	if (r == 0)
		r = ss_changeset_render(&cs, d);
	for (size_t i = 0; i < res->sessions.n; i++)
		res->losses += res->sessions.v[i].nloss;
	if (r == 0)
		r = describe(&cs, o, res, d);
	int write = r == 0 && !o->dry_run && !(o->strict && res->losses);
	/* The keys are converted only now, once the sessions can be written. */
	if (write)
		r = ss_migrate_convert_keys(o, res, &keys, d);
	if (write && r == 0)
		r = write_changes(&cs, &keys, o, res, d);
	ss_key_files_free(&keys);
	ss_changeset_free(&cs);
	return r;
}

void ss_migrate_result_free(ss_migrate_result *res)
{
	ss_sessions_free(&res->sessions);
	ss_buf_release(&res->diff);
	ss_strlist_release(&res->changed);
	ss_strlist_release(&res->backups);
	ss_strlist_release(&res->warnings);
	ss_strlist_release(&res->key_from);
	ss_strlist_release(&res->key_to);
	ss_strlist_release(&res->key_action);
	ss_strlist_release(&res->host_key_notes);
}
