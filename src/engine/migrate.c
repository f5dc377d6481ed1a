/* migrate: read the source's sessions, plan them into the target (a
 * missing target store is created), check, then write as apply does
 * (journal, backups, all or nothing). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sshsync/engine.h"
#include "sshsync/os_file.h"
#include "sshsync/os_path.h"
#include "sshsync/os_user.h"
#include "migrate_keys.h"
#include "writeset.h"

static int describe(const ss_changeset *cs, const ss_migrate_opts *o, ss_migrate_result *res,
		    ss_diag *d)
{
	for (size_t i = 0; i < cs->n; i++) {
		const ss_change *c = &cs->v[i];
		if (c->changed &&
		    ss_change_describe(c, o->backup, o->journal_dir, &res->changed, &res->backups,
				       o->want_diff ? &res->diff : NULL, d) < 0)
			return -1;
	}
	return 0;
}

/* --- creating the target's folders --- */

/* `path` without its trailing separators, newly allocated. */
static char *trimmed(const char *path, size_t len)
{
	while (len > 1 && ss_os_is_sep(path[len - 1]))
		len--;
	return ss_strndup(path, len);
}

static int same_dir(const char *a, const char *b)
{
	char *x = trimmed(a, strlen(a)), *y = trimmed(b, strlen(b));
	int same = x && y && strcmp(x, y) == 0;
	free(x);
	free(y);
	return same;
}

static int ends_with_reg(const char *path)
{
	size_t n = strlen(path);
	return n > 4 && strcasecmp(path + n - 4, ".reg") == 0;
}

/* Whether migrate may make the missing folder `dir`: only those the
 * clients make themselves (ssh-keygen and ssh make ~/.ssh 0700; PuTTY's
 * unix/storage.c makes ~/.putty and ~/.putty/sessions 0700 when it saves a
 * session), and a session folder that is the target itself. */
static int may_make(const ss_target *to, const char *dir)
{
	if (to->client->dir_files && !ends_with_reg(to->path) && same_dir(dir, to->path))
		return 1;
	/* ~ as the clients spell it: PuTTY takes $HOME first, OpenSSH the
	 * password database's home. */
	const char *homes[] = {getenv("HOME"), ss_os_home_dir()};
	static const char *const made[] = {".ssh", ".putty", ".putty/sessions"};
	int ok = 0;
	for (size_t h = 0; h < 2 && !ok; h++) {
		for (size_t i = 0; homes[h] && *homes[h] && i < 3 && !ok; i++) {
			char *p = ss_asprintf("%s/%s", homes[h], made[i]);
			if (p)
				ss_os_native_seps(p);
			ok = p && same_dir(dir, p);
			free(p);
		}
	}
	return ok;
}

/* Adds the missing folders above `path` to `dirs` (deepest first, each
 * once), or refuses: migrate never makes an arbitrary path. */
static int missing_dirs(const ss_target *to, const char *path, ss_strlist *dirs, ss_diag *d)
{
	char *dir = trimmed(path, ss_os_dir_len(path));
	int r = dir ? 0 : ss_diag_oom(d);
	while (r == 0 && *dir && !ss_os_is_dir(dir)) {
		if (!may_make(to, dir)) {
			r = ss_diag_set(d, path, 0, 0,
					"cannot be created: the folder %s does not exist (migrate "
					"creates a missing store, but no folder above it)",
					dir);
			break;
		}
		int seen = 0;
		for (size_t i = 0; i < dirs->n && !seen; i++)
			seen = strcmp(dirs->v[i], dir) == 0;
		if (!seen && ss_strlist_push(dirs, dir) < 0)
			r = ss_diag_oom(d);
		char *up = r == 0 ? trimmed(dir, ss_os_dir_len(dir)) : NULL;
		if (r == 0 && !up)
			r = ss_diag_oom(d);
		free(dir);
		dir = up;
	}
	free(dir);
	return r;
}

/* The folders the files migrate creates need; a new ssh_config is private. */
static int plan_new_files(const ss_target *to, ss_changeset *cs, ss_strlist *dirs, ss_diag *d)
{
	/* A registry key is no path: its backend says when it is missing. */
	if (strcmp(to->client->kind, "reg") == 0)
		return 0;
	if (!ss_os_path_exists(to->path) && missing_dirs(to, to->path, dirs, d) < 0)
		return -1;
	if (!ss_os_path_exists(to->path) && to->client->dir_files && !ends_with_reg(to->path) &&
	    ss_strlist_push(dirs, to->path) < 0)
		return ss_diag_oom(d);
	for (size_t i = 0; i < cs->n; i++) {
		ss_change *c = &cs->v[i];
		if (!c->changed || c->sink || c->text->id.known)
			continue;
		c->private_new = strcmp(to->client->kind, "ssh") == 0;
		if (missing_dirs(to, c->text->path, dirs, d) < 0)
			return -1;
	}
	return 0;
}

static void remove_dir(const char *path)
{
	char *parent = trimmed(path, ss_os_dir_len(path));
	int fd;
	if (parent && ss_os_open_dir(parent, &fd) == 0) {
		ss_os_rmdir(fd, ss_os_base_name(path));
		ss_os_close(fd);
	}
	free(parent);
}

static int by_length(const void *a, const void *b)
{
	size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);
	return x < y ? -1 : x > y;
}

/* Makes the missing folders, outer ones first (a folder's path is longer
 * than its parent's); made[k] says which it made. */
static int make_dirs(ss_strlist *dirs, char *made, ss_diag *d)
{
	if (dirs->n)
		qsort(dirs->v, dirs->n, sizeof(*dirs->v), by_length);
	for (size_t k = 0; k < dirs->n; k++) {
		if (ss_os_is_dir(dirs->v[k]))
			continue;
		if (ss_os_mkdir_p(dirs->v[k]) < 0)
			return ss_diag_errno(d, dirs->v[k], "cannot create the folder");
		made[k] = 1;
	}
	return 0;
}

/* The changed files and the new key files (`keys`), as one journaled step,
 * after the folders they need are made. */
static int write_changes(const ss_changeset *cs, const ss_key_files *keys, ss_strlist *dirs,
			 const ss_migrate_opts *o, ss_migrate_result *res, ss_diag *d)
{
	if (ss_changeset_count_changed(cs) + keys->n == 0)
		return 0;
	char *made = calloc(dirs->n ? dirs->n : 1, 1);
	ss_write_item *first = calloc(keys->n ? keys->n : 1, sizeof(*first));
	if (!made || !first) {
		free(made);
		free(first);
		return ss_diag_oom(d);
	}
	size_t nfirst = ss_key_files_items(keys, first);
	ss_write_run run = {"migrate", 0, o->backup, NULL, NULL};
	int r = make_dirs(dirs, made, d);
	if (r == 0)
		r = ss_changeset_check(cs, o->backup, d);
	if (r == 0)
		r = ss_changesets_write(first, nfirst, cs, 1, &run, o->journal_dir, &res->warnings,
					d);
	/* A failure leaves everything as it was: the folders made go again. */
	for (size_t k = dirs->n; r < 0 && k-- > 0;)
		if (made[k])
			remove_dir(dirs->v[k]);
	free(made);
	free(first);
	if (r == 0)
		res->written = 1;
	return r;
}

/* Whether nothing reads a session's fields after the target's writer has
 * planned it: not the caller (its text report shows the losses alone), not the keys
 * or host keys, not another session's jump (a hop looks up the session
 * it stands for). Then 10,000 sessions' fields are never all held beside
 * the planned target. */
static int fields_go_when_planned(const ss_migrate_opts *o, const ss_sessions *l)
{
	if (!o->fields_unread || o->keys_dir || o->host_keys)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].f[SS_F_JUMP].nhops)
			return 0;
	return 1;
}

/* Whether each session can be planned as it is read: nothing looks at
 * the sessions together (fields_go_when_planned, and a source whose
 * sessions never look up one another), all of them asked for. */
static int streams(const ss_target *from, const ss_target *to, const ss_migrate_opts *o)
{
	return from->client->sessions_alone && to->client->sessions_read_plan && o->fields_unread &&
	       !o->keys_dir && !o->host_keys && (!o->sessions || !o->sessions->n);
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
	ss_changeset cs = SS_CHANGESET_INIT;
	ss_strlist dirs = SS_STRLIST_INIT;
	ss_key_files keys = SS_KEY_FILES_INIT;
	int r = 0, alone = streams(from, to, o);
	/* A dry run without a diff only says which files would change. */
	cs.text_unread = o->dry_run && !o->want_diff;
	if (alone) {
		/* Each session read is planned at once and its fields go: they
		 * are never all held. */
		res->sessions.release = 1;
		r = to->client->sessions_read_plan(to->path, from->client->sessions_read,
						   from->path, &res->sessions, &cs, d);
		if (r == 1) { /* two go into one target session: all at once */
			ss_sessions_free(&res->sessions);
			ss_changeset_free(&cs);
			cs = (ss_changeset)SS_CHANGESET_INIT;
			cs.text_unread = o->dry_run && !o->want_diff;
			alone = r = 0;
		}
	}
	if (!alone) {
		static const ss_strlist none = SS_STRLIST_INIT;
		if (from->client->sessions_read(from->path, o->sessions ? o->sessions : &none,
						&res->sessions, d) < 0)
			return -1;
		res->sessions.release = fields_go_when_planned(o, &res->sessions);
		/* Keys first: the sessions then name the converted files. */
		r = ss_migrate_plan_keys(to, o, res, d);
		if (r == 0)
			r = to->client->sessions_plan(to->path, &res->sessions, &cs, d);
	}
	if (r == 0)
		r = ss_migrate_plan_host_keys(from, to, o, res, &cs, d);
	/* Nothing of migrate looks at the rendered text (the diff and the
	 * writing render from the edits), so a large target is never held
	 * whole; a store's own check may look at it. */
	if (r == 0 && cs.validate)
		r = ss_changeset_render(&cs, d);
	else if (r == 0)
		ss_changeset_mark_changed(&cs);
	if (r == 0)
		r = plan_new_files(to, &cs, &dirs, d);
	for (size_t i = 0; i < res->sessions.n; i++)
		res->losses += res->sessions.v[i].nloss;
	if (r == 0)
		r = describe(&cs, o, res, d);
	int write = r == 0 && !o->dry_run && !(o->strict && res->losses);
	/* The keys are converted only now, once the sessions can be written. */
	if (write)
		r = ss_migrate_convert_keys(o, res, &keys, d);
	if (write && r == 0)
		r = write_changes(&cs, &keys, &dirs, o, res, d);
	ss_key_files_free(&keys);
	ss_changeset_free(&cs);
	ss_strlist_release(&dirs);
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
