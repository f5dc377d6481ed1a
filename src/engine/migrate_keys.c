/* migrate --keys and --host-keys (migrate_keys.h). */
#include "migrate_keys.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sshsync/hostkeys.h"
#include "sshsync/keyconv.h"
#include "sshsync/os_file.h"
#include "sshsync/os_proc.h"
#include "sshsync/os_user.h"
#include "sshsync/session.h"
#include "sshsync/text.h"

static ss_keyconv keyconv_of(const ss_migrate_opts *o, int dry_run)
{
	ss_keyconv k = {o->keys_dir,
			o->ppk_version ? o->ppk_version : 3,
			o->passphrase_file,
			o->puttygen,
			dry_run,
			o->ask,
			o->ask_ctx};
	return k;
}

/* Records one key file; the same conversion asked by several sessions is
 * listed once, two sources for one new file are an error. */
static int add_key(ss_migrate_result *res, const char *from, const char *to, const char *action,
		   ss_diag *d)
{
	for (size_t i = 0; i < res->key_to.n; i++) {
		if (strcmp(res->key_to.v[i], to) != 0)
			continue;
		if (strcmp(res->key_from.v[i], from) == 0)
			return 0;
		return ss_diag_set(d, to, 0, 0,
				   "two keys would be converted into this one file: %s and %s "
				   "(rename one of them, or convert them into separate folders)",
				   res->key_from.v[i], from);
	}
	if (ss_strlist_push(&res->key_from, from) < 0 || ss_strlist_push(&res->key_to, to) < 0 ||
	    ss_strlist_push(&res->key_action, action) < 0)
		return ss_diag_oom(d);
	return 0;
}

int ss_migrate_plan_keys(const ss_target *to, const ss_migrate_opts *o, ss_migrate_result *res,
			 ss_diag *d)
{
	if (!o->keys_dir)
		return 0;
	ss_keyconv k = keyconv_of(o, 1);
	int want_ppk = strcmp(to->client->kind, "ssh") != 0;
	for (size_t i = 0; i < res->sessions.n; i++) {
		ss_session *s = &res->sessions.v[i];
		ss_sval *v = &s->f[SS_F_IDENTITY];
		if (s->skip || v->list.n == 0)
			continue;
		char *before = ss_strdup(v->list.v[0]);
		ss_strlist src = SS_STRLIST_INIT;
		int rc = before ? ss_key_migrate_session(&k, s, want_ppk, &src, d) : ss_diag_oom(d);
		if (rc == 0 && v->list.n && strcmp(before, v->list.v[0]) != 0)
			rc = add_key(res, src.n ? src.v[0] : before, v->list.v[0],
				     src.n ? "convert" : "reused", d);
		free(before);
		ss_strlist_release(&src);
		if (rc)
			return -1;
	}
	return 0;
}

/* The public line beside a new OpenSSH key: written when missing; an
 * existing one must be of the same key (ssh offers what it says). */
static int pub_wanted(const char *path, const ss_buf *pub, int *want, ss_diag *d)
{
	*want = 0;
	int exists = ss_os_path_present(path);
	if (exists < 0)
		return ss_diag_errno(d, path, "cannot tell whether the file exists");
	if (exists == 0) {
		*want = 1;
		return 0;
	}
	ss_text t;
	if (ss_text_load(&t, path, (size_t)1 << 20, d) < 0)
		return -1;
	/* "TYPE BASE64 comment": the first two fields must agree. */
	char *have = ss_strndup(t.data ? t.data : "", t.len);
	ss_text_free(&t);
	if (!have)
		return ss_diag_oom(d);
	const char *a = have, *b = ss_buf_str(pub);
	size_t la = strcspn(a, " \t"), lb = strcspn(b, " \t");
	size_t ka = la + (a[la] ? 1 + strcspn(a + la + 1, " \t\r\n") : 0);
	size_t kb = lb + (b[lb] ? 1 + strcspn(b + lb + 1, " \t\r\n") : 0);
	int same = ka == kb && memcmp(a, b, ka) == 0;
	free(have);
	if (!same)
		return ss_diag_set(d, path, 0, 0,
				   "exists and holds another public key than the key converted "
				   "beside it: not overwritten");
	return 0;
}

static int add_file(ss_key_files *f, const char *path, ss_buf *bytes, ss_diag *d)
{
	ss_text *t = realloc(f->texts, (f->n + 1) * sizeof *t);
	if (t)
		f->texts = t;
	ss_buf *b = t ? realloc(f->bytes, (f->n + 1) * sizeof *b) : NULL;
	if (!b)
		return ss_diag_oom(d);
	f->bytes = b;
	if (ss_text_new_empty(&f->texts[f->n], path, SS_ENC_BYTES, SS_EOL_LF, d) < 0)
		return -1;
	f->bytes[f->n] = *bytes;
	*bytes = (ss_buf)SS_BUF_INIT;
	f->n++;
	return 0;
}

int ss_migrate_convert_keys(const ss_migrate_opts *o, const ss_migrate_result *res,
			    ss_key_files *out, ss_diag *d)
{
	ss_keyconv k = keyconv_of(o, 0);
	for (size_t i = 0; i < res->key_to.n; i++) {
		if (strcmp(res->key_action.v[i], "convert") != 0)
			continue;
		ss_buf key = SS_BUF_INIT, pub = SS_BUF_INIT;
		char *pubpath = NULL;
		int want = 0;
		int rc = ss_key_convert_bytes(&k, res->key_from.v[i], &key, &pub, d);
		if (rc == 0 && pub.len && !(pubpath = ss_asprintf("%s.pub", res->key_to.v[i])))
			rc = ss_diag_oom(d);
		if (rc == 0 && pubpath)
			rc = pub_wanted(pubpath, &pub, &want, d);
		if (rc == 0)
			rc = add_file(out, res->key_to.v[i], &key, d);
		if (rc == 0 && want)
			rc = add_file(out, pubpath, &pub, d);
		ss_buf_release(&key);
		ss_buf_release(&pub);
		free(pubpath);
		if (rc)
			return -1;
	}
	return 0;
}

size_t ss_key_files_items(const ss_key_files *f, ss_write_item *items)
{
	for (size_t i = 0; i < f->n; i++)
		items[i] = (ss_write_item){.text = &f->texts[i],
					   .bytes = f->bytes[i].data ? f->bytes[i].data : "",
					   .len = f->bytes[i].len,
					   .private_new = 1};
	return f->n;
}

void ss_key_files_free(ss_key_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		ss_text_free(&f->texts[i]);
		/* a private key: not left in freed memory */
		if (f->bytes[i].data)
			memset(f->bytes[i].data, 0, f->bytes[i].len);
		ss_buf_release(&f->bytes[i]);
	}
	free(f->texts);
	free(f->bytes);
	*f = (ss_key_files)SS_KEY_FILES_INIT;
}

/* --- host keys ------------------------------------------------------------ */

/* The folder a PuTTY session folder is in (PuTTY's own folder, where
 * sshhostkeys is), newly allocated. */
static char *parent_dir(const char *path)
{
	size_t n = strlen(path);
	while (n > 1 && (path[n - 1] == '/' || path[n - 1] == '\\'))
		n--;
	while (n > 0 && path[n - 1] != '/' && path[n - 1] != '\\')
		n--;
	if (n == 0)
		return ss_strdup(".");
	while (n > 1 && (path[n - 1] == '/' || path[n - 1] == '\\'))
		n--;
	return ss_strndup(path, n);
}

static char *known_hosts_path(const ss_migrate_opts *o)
{
	if (o->known_hosts)
		return ss_strdup(o->known_hosts);
	const char *home = ss_os_home_dir();
	return home ? ss_asprintf("%s/.ssh/known_hosts", home) : NULL;
}

static int kind_is(const ss_target *t, const char *kind)
{
	return strcmp(t->client->kind, kind) == 0;
}

/* The host keys of the sessions `l` between `kh` and the cache of
 * `other` (PuTTY or WinSCP). */
static int plan_one(int to_cache, const char *kh, const ss_target *other, const ss_sessions *l,
		    ss_migrate_result *res, ss_changeset *cs, ss_diag *d)
{
	if (kind_is(other, "winscp") || kind_is(other, "kitty"))
		return ss_hk_plan_store(to_cache, other->client->kind, kh, other->path, l, cs,
					&res->host_key_notes, d);
	/* A .reg file, or a session folder (one migrate is to create is named
	 * without .reg). */
	size_t n = strlen(other->path);
	int reg = ss_os_is_dir(other->path) != 1 &&
		  (ss_os_path_exists(other->path) ||
		   (n > 4 && strcasecmp(other->path + n - 4, ".reg") == 0));
	char *store = reg ? ss_strdup(other->path) : parent_dir(other->path);
	int rc = store ? ss_hk_plan(to_cache, kh, store, reg, l, cs, &res->host_key_notes, d)
		       : ss_diag_oom(d);
	free(store);
	return rc;
}

/* The known_hosts file ssh reads for session `s`: the first file of its
 * UserKnownHostsFile (an OpenSSH source keeps it among the extra
 * settings), else `dflt`. NULL with *why set when it cannot be told
 * without a connection (a %token, a relative path) or is "none". */
static char *known_hosts_of(const ss_session *s, const char *dflt, const char **why)
{
	*why = NULL;
	static const char kw[] = "UserKnownHostsFile ";
	for (const char *setting = NULL; (setting = ss_session_extra_next(s, setting)) != NULL;) {
		if (strncasecmp(setting, kw, sizeof kw - 1) != 0)
			continue;
		const char *x = setting + sizeof kw - 1;
		int q = *x == '"';
		size_t n = q ? strcspn(x + 1, "\"") : strcspn(x, " \t");
		char *f = ss_strndup(x + q, n);
		if (!f)
			return NULL;
		const char *home = ss_os_home_dir();
		if (strcmp(f, "none") == 0)
			*why = "UserKnownHostsFile none";
		else if (strchr(f, '%'))
			*why = "its UserKnownHostsFile has a %token";
		else if (f[0] == '~' && f[1] == '/' && home) {
			char *e = ss_asprintf("%s%s", home, f + 1);
			free(f);
			return e;
		} else if (f[0] != '/')
			*why = "its UserKnownHostsFile is not an absolute path";
		if (*why) {
			free(f);
			return NULL;
		}
		return f;
	}
	return ss_strdup(dflt);
}

/* OpenSSH -> cache without --known-hosts: each session's keys come from
 * the known_hosts file ssh reads for it (one plan per file). */
static int by_known_hosts(const ss_target *other, const char *dflt, ss_migrate_result *res,
			  ss_changeset *cs, ss_diag *d)
{
	size_t n = res->sessions.n;
	char **file = calloc(n + 1, sizeof *file);
	ss_session *sub = calloc(n + 1, sizeof *sub);
	int rc = file && sub ? 0 : ss_diag_oom(d);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const ss_session *s = &res->sessions.v[i];
		const char *why;
		if (s->skip)
			continue;
		file[i] = known_hosts_of(s, dflt, &why);
		if (!file[i] && !why)
			rc = ss_diag_oom(d);
		else if (!file[i] && ss_strlist_push_owned(&res->host_key_notes,
							   ss_asprintf("session %s: %s: give its "
								       "file with --known-hosts",
								       s->name, why)) < 0)
			rc = ss_diag_oom(d);
	}
	/* Each file once, with the sessions that read it (shallow copies). */
	for (size_t i = 0; rc == 0 && i < n; i++) {
		int first = file[i] != NULL;
		for (size_t j = 0; first && j < i; j++)
			first = !(file[j] && strcmp(file[j], file[i]) == 0);
		if (!first)
			continue;
		ss_sessions l = {sub, 0, n, 0, NULL, NULL};
		for (size_t j = i; j < n; j++)
			if (file[j] && strcmp(file[j], file[i]) == 0)
				sub[l.n++] = res->sessions.v[j];
		rc = plan_one(1, file[i], other, &l, res, cs, d);
	}
	for (size_t i = 0; file && i < n; i++)
		free(file[i]);
	free(file);
	free(sub);
	return rc;
}

int ss_migrate_plan_host_keys(const ss_target *from, const ss_target *to, const ss_migrate_opts *o,
			      ss_migrate_result *res, ss_changeset *cs, ss_diag *d)
{
	if (!o->host_keys)
		return 0;
	int from_ssh = strcmp(from->client->kind, "ssh") == 0;
	int to_ssh = strcmp(to->client->kind, "ssh") == 0;
	const ss_target *other = from_ssh ? to : from;
	if (from_ssh == to_ssh || !(kind_is(other, "putty") || kind_is(other, "winscp") ||
				    (kind_is(other, "kitty") && ss_os_is_dir(other->path) != 1)))
		return ss_diag_set(
		    d, other->path, 0, 0,
		    "--host-keys carries host keys between OpenSSH's known_hosts "
		    "and PuTTY's, WinSCP's or KiTTY's (.reg) cache (not from %s to %s)",
		    from->client->kind, to->client->kind);
	char *kh = known_hosts_path(o);
	if (!kh)
		return ss_diag_set(d, NULL, 0, 0,
				   "--host-keys: no home folder to find known_hosts in; name "
				   "the file with --known-hosts FILE");
	int rc = 0;
	if (from_ssh && !o->known_hosts)
		rc = by_known_hosts(other, kh, res, cs, d);
	else
		rc = plan_one(from_ssh, kh, other, &res->sessions, res, cs, d);
	free(kh);
	return rc;
}
