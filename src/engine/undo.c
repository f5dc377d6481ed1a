/* undo: the most recent apply's files back as they were, from the journal. */
#include "sshsync/undo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sshsync/os_file.h"
#include "sshsync/safewrite.h"
#include "sshsync/text.h"
#include "sshsync/winereg.h"
#include "sshsync/winreg.h"
#include "writeset.h"

typedef enum u_action { U_SKIP, U_WRITE, U_REMOVE, U_CREATE } u_action;

/* One file of the entry being undone. */
typedef struct u_file {
	const ss_journal_file *jf;
	ss_text text; /* as it is now (or a new empty text to create it) */
	int exists;
	char now[SS_SHA256_HEX];
	char now_xxh[SS_FINGERPRINT_HEX]; /* when the entry has a fingerprint */
	ss_buf bytes;			  /* the .reg form to put back in the live registry */
	/* The contents to put back into a file, read as they are written:
	 * undo holds the file as it is (for a rollback), never also what it
	 * puts back. */
	ss_journal_object kept;
	int have_kept;
	u_action action;
	void *sink_ctx; /* the live registry: the values to put back */
} u_file;

static int is_reg(const ss_journal_file *jf)
{
	return strncmp(jf->path, SS_WINREG_JOURNAL_PREFIX, strlen(SS_WINREG_JOURNAL_PREFIX)) == 0;
}

/* A .reg form kept in the journal, as a state. */
static int load_state(const ss_journal *j, const char *path, const char *hex, ss_buf *bytes,
		      ss_winreg_state *out, ss_diag *d)
{
	ss_text t;
	if (ss_journal_load(j, hex, bytes, d) < 0 ||
	    ss_text_from_bytes(&t, path, bytes->data, bytes->len, d) < 0)
		return -1;
	int r = ss_winreg_parse(&t, out, d);
	ss_text_free(&t);
	return r;
}

/* The live registry: "now" is the hash of the state it matches (the one
 * before that apply, or after it), else nothing. The text is the .reg
 * form after, and the values to put back are those before. */
static int look_at_reg(const ss_journal *j, u_file *u, int force, ss_diag *d)
{
	const ss_journal_file *jf = u->jf;
	ss_winreg_state before = SS_WINREG_STATE_INIT, after = SS_WINREG_STATE_INIT;
	ss_buf after_bytes = SS_BUF_INIT;
	u->exists = 1;
	u->now[0] = '\0';
	int r = load_state(j, jf->path, jf->before, &u->bytes, &before, d);
	if (r == 0)
		r = load_state(j, jf->path, jf->after, &after_bytes, &after, d);
	if (r == 0)
		r = ss_text_from_bytes(&u->text, jf->path, after_bytes.data, after_bytes.len, d);
	int b = r == 0 ? ss_winreg_unchanged(&before, d) : -1;
	int a = b == 0 ? ss_winreg_unchanged(&after, d) : 0;
	if (b < 0 || a < 0)
		r = -1;
	else
		memcpy(u->now, b ? jf->before : a ? jf->after : "", SS_SHA256_HEX);
	if (r == 0 && !(u->sink_ctx = ss_winreg_sink_new(&before, force ? NULL : &after, NULL)))
		r = ss_diag_oom(d);
	ss_winreg_state_free(&before);
	ss_winreg_state_free(&after);
	ss_buf_release(&after_bytes);
	return r;
}

static int look_at(u_file *u, ss_diag *d)
{
	ss_stat st;
	const char *path = u->jf->path;
	if (ss_os_stat(path, &st) < 0) {
		if (errno != ENOENT)
			return ss_diag_errno(d, path, "cannot look at");
		u->exists = 0;
		return ss_text_new_empty(&u->text, path, SS_ENC_BYTES, SS_EOL_LF, d);
	}
	u->exists = 1;
	/* Neither a line table nor the bytes encoded again whole: undo holds
	 * this file and the contents it puts back, and nothing more. */
	if (ss_text_load_lineless(&u->text, path, 0, d) < 0)
		return -1;
	ss_source now = {&u->text, NULL, NULL, 0, NULL};
	if (ss_sha256_source(&now, u->now, d) < 0)
		return -1;
	return u->jf->after_xxh[0] ? ss_fingerprint_source(&now, u->now_xxh, d) : 0;
}

/* Whether the file is as the run left it (an entry of a file written
 * before fingerprints has the SHA-256 of its contents "after"). */
static int is_after(const u_file *u)
{
	const ss_journal_file *jf = u->jf;
	if (jf->after_xxh[0])
		return strcmp(u->now_xxh, jf->after_xxh) == 0;
	return jf->after[0] && strcmp(u->now, jf->after) == 0;
}

/* What to do with one file, or why not (added to `refused`). */
static int decide(u_file *u, int force, ss_buf *refused)
{
	const ss_journal_file *jf = u->jf;
	int was_absent = !*jf->before;
	const char *why = NULL;
	if (!u->exists) {
		if (was_absent)
			u->action = U_SKIP;
		else if (force || !ss_journal_file_has_after(jf))
			u->action = U_CREATE;
		else
			why = "was removed since that apply";
	} else if (!was_absent && strcmp(u->now, jf->before) == 0) {
		u->action = U_SKIP;
	} else if (force || is_after(u)) {
		u->action = was_absent ? U_REMOVE : U_WRITE;
	} else {
		why = "changed since that apply";
	}
	if (!why)
		return 0;
	return ss_buf_addf(refused, "%s%s %s", refused->len ? "; " : "", jf->path, why);
}

/* The contents to put back, found before anything is written (they are
 * read, and checked against their name, as they are written). */
static int find_contents(const ss_journal *j, u_file *u, ss_diag *d)
{
	if (u->sink_ctx)
		return 0; /* loaded by look_at_reg */
	if (u->action != U_WRITE && u->action != U_CREATE)
		return 0;
	if (ss_journal_object_open(j, u->jf->before, &u->jf->kept, &u->kept, d) < 0) {
		ss_journal_object_close(&u->kept);
		return -1;
	}
	u->have_kept = 1;
	return 0;
}

static int note(ss_undo_result *res, const u_file *u)
{
	ss_strlist *to = u->action == U_SKIP	 ? &res->unchanged
			 : u->action == U_REMOVE ? &res->removed
						 : &res->restored;
	return ss_strlist_push(to, u->jf->path);
}

static int write_back(ss_journal *j, const ss_journal_entry *e, u_file *files, ss_undo_result *res,
		      ss_diag *d)
{
	ss_write_item *items = calloc(e->nfiles ? e->nfiles : 1, sizeof(*items));
	if (!items)
		return ss_diag_oom(d);
	size_t n = 0;
	for (size_t i = 0; i < e->nfiles; i++) {
		u_file *u = &files[i];
		if (u->action == U_SKIP)
			continue;
		/* The hashes known already: the check's of the file as it is,
		 * and the name of the contents put back (checked as they are
		 * read: the write fails when they do not match it). */
		int file = !u->sink_ctx;
		ss_write_item it = {.text = &u->text,
				    .bytes = u->bytes.data ? u->bytes.data : "",
				    .len = u->bytes.len,
				    .reader = u->have_kept ? &u->kept.reader : NULL,
				    .remove = u->action == U_REMOVE,
				    .backup_dir = u->jf->backup_dir,
				    .sink = u->sink_ctx ? &ss_winreg_sink : NULL,
				    .sink_ctx = u->sink_ctx,
				    .sha_before = file && u->exists ? u->now : NULL,
				    .sha_after =
					file && u->action != U_REMOVE ? u->jf->before : NULL};
		items[n++] = it;
	}
	ss_write_run run = {"undo", e->id, 0, NULL, NULL};
	int r = ss_write_items(items, n, &run, j, &res->warnings, d);
	free(items);
	return r;
}

static int undo_entry(ss_journal *j, const ss_journal_entry *e, const ss_undo_opts *o,
		      ss_undo_result *res, ss_diag *d)
{
	u_file *files = calloc(e->nfiles ? e->nfiles : 1, sizeof(*files));
	if (!files)
		return ss_diag_oom(d);
	ss_buf refused = SS_BUF_INIT;
	int r = 0;
	for (size_t i = 0; i < e->nfiles && r == 0; i++) {
		files[i].jf = &e->files[i];
		r = is_reg(files[i].jf) ? look_at_reg(j, &files[i], o->force, d)
					: look_at(&files[i], d);
		if (r == 0 && decide(&files[i], o->force, &refused) < 0)
			r = ss_diag_oom(d);
	}
	/* Wine's registry files: not while a wineserver holds them (it would
	 * write its own copy over what undo puts back). */
	for (size_t i = 0; i < e->nfiles && r == 0; i++)
		if (files[i].action != U_SKIP && files[i].exists && !files[i].sink_ctx)
			r = ss_winereg_no_server(&files[i].text, d);
	if (r == 0 && refused.len)
		r = ss_diag_set(d, NULL, 0, 0,
				"cannot undo apply %ld (%s): %s; nothing written ('sshsync undo "
				"--force' puts the files back anyway)",
				e->id, e->time, ss_buf_str(&refused));
	for (size_t i = 0; i < e->nfiles && r == 0; i++)
		r = find_contents(j, &files[i], d);
	if (r == 0)
		r = write_back(j, e, files, res, d);
	for (size_t i = 0; i < e->nfiles && r == 0; i++)
		if (note(res, &files[i]) < 0)
			r = ss_diag_oom(d);
	for (size_t i = 0; i < e->nfiles; i++) {
		ss_text_free(&files[i].text);
		ss_buf_release(&files[i].bytes);
		if (files[i].have_kept)
			ss_journal_object_close(&files[i].kept);
		ss_winreg_sink.free(files[i].sink_ctx);
	}
	free(files);
	ss_buf_release(&refused);
	return r;
}

int ss_engine_undo(const ss_undo_opts *o, ss_undo_result *res, ss_diag *d)
{
	ss_journal j = SS_JOURNAL_INIT;
	if (ss_journal_open_to_undo(&j, o->journal_dir, d) < 0)
		return -1;
	const ss_journal_entry *e = ss_journal_last_undoable(&j);
	int r = 0;
	if (!e)
		r = ss_diag_set(d, NULL, 0, 0,
				"nothing to undo: the journal in %s has no apply that is not "
				"undone (see 'sshsync undo --list')",
				j.dir);
	if (r == 0) {
		res->id = e->id;
		res->time = ss_strdup(e->time);
		r = res->time ? undo_entry(&j, e, o, res, d) : ss_diag_oom(d);
	}
	ss_journal_close(&j);
	return r;
}

int ss_engine_journal(const char *journal_dir, ss_journal *out, ss_diag *d)
{
	return ss_journal_open(out, journal_dir, d);
}

void ss_undo_result_free(ss_undo_result *res)
{
	free(res->time);
	ss_strlist_release(&res->restored);
	ss_strlist_release(&res->removed);
	ss_strlist_release(&res->unchanged);
	ss_strlist_release(&res->warnings);
	res->time = NULL;
}
