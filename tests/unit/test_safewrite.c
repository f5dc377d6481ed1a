/* Safe writing: real files in a temporary directory. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "sshsync/safewrite.h"
#include "testutil.h"

typedef struct fixture {
	char *dir;
	char *file;
	ss_text t;
	ss_diag d;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->dir = tu_tempdir();
	f->file = tu_path(f->dir, "config");
	tu_write_str(f->file, "old\n");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	chmod(f->dir, 0755);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f->file);
	ss_text_free(&f->t);
	ss_diag_clear(&f->d);
	free(f);
	return 0;
}

static void load(fixture *f, const char *path)
{
	assert_int_equal(ss_text_load(&f->t, path, 0, &f->d), 0);
}

static void assert_content(const char *path, const char *want)
{
	ss_buf b = tu_read(path);
	assert_string_equal(ss_buf_str(&b), want);
	ss_buf_release(&b);
}

/* Only these names may be left in the directory: no temporary files. */
static void assert_dir_holds(const char *dir, const char *const *names, size_t n)
{
	ss_strlist l = tu_list_dir(dir);
	assert_int_equal(l.n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(l.v[i], names[i]);
	ss_strlist_release(&l);
}

static void test_replaces_and_keeps_mode_and_backup(void **state)
{
	fixture *f = *state;
	assert_int_equal(chmod(f->file, 0640), 0);
	load(f, f->file);
	ss_write_opts o = {1, NULL, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write(&f->t, "new\n", 4, &o, &f->d), 0);
	assert_content(f->file, "new\n");
	struct stat st;
	assert_int_equal(stat(f->file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	char *bak = tu_path(f->dir, "config" SS_BACKUP_SUFFIX);
	assert_content(bak, "old\n");
	free(bak);
	const char *names[] = {"config", "config" SS_BACKUP_SUFFIX};
	assert_dir_holds(f->dir, names, 2);
}

static void test_no_backup_when_told(void **state)
{
	fixture *f = *state;
	load(f, f->file);
	ss_write_opts o = {0, NULL, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write(&f->t, "new\n", 4, &o, &f->d), 0);
	const char *names[] = {"config"};
	assert_dir_holds(f->dir, names, 1);
}

static void test_backup_in_a_directory(void **state)
{
	fixture *f = *state;
	load(f, f->file);
	char *bakdir = tu_path(f->dir, ".sshsync-bak");
	ss_write_opts o = {1, bakdir, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write(&f->t, "new\n", 4, &o, &f->d), 0);
	char *bak = tu_path(bakdir, "config");
	assert_content(bak, "old\n");
	assert_content(f->file, "new\n");
	char *want = ss_backup_path(f->file, bakdir);
	assert_string_equal(want, bak);
	struct stat st;
	assert_int_equal(stat(bakdir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	free(want);
	free(bak);
	free(bakdir);
}

static void test_follows_symlink(void **state)
{
	fixture *f = *state;
	char *link = tu_path(f->dir, "link");
	assert_int_equal(symlink("config", link), 0);
	load(f, link);
	ss_write_opts o = {0, NULL, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write(&f->t, "via link\n", 9, &o, &f->d), 0);
	struct stat st;
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_content(f->file, "via link\n");
	free(link);
}

static void test_refuses_changed_file(void **state)
{
	fixture *f = *state;
	load(f, f->file);
	tu_write_str(f->file, "somebody else\n");
	ss_write_opts o = {1, NULL, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write(&f->t, "new\n", 4, &o, &f->d), -1);
	assert_non_null(strstr(f->d.message, "changed since"));
	assert_content(f->file, "somebody else\n");
	const char *names[] = {"config"};
	assert_dir_holds(f->dir, names, 1);
}

static void test_refuses_read_only_file(void **state)
{
	fixture *f = *state;
	assert_int_equal(chmod(f->file, 0444), 0);
	load(f, f->file);
	ss_write_opts o = {1, NULL, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write_check(&f->t, &f->d), -1);
	assert_non_null(strstr(f->d.message, "read-only"));
	ss_diag_clear(&f->d);
	assert_int_equal(ss_safe_write(&f->t, "new\n", 4, &o, &f->d), -1);
	assert_content(f->file, "old\n");
	const char *names[] = {"config"};
	assert_dir_holds(f->dir, names, 1);
}

/* A read-only directory stops root from nothing, so the write is tried by
 * an unprivileged user (nobody) when the tests run as root. */
static void test_refuses_read_only_directory(void **state)
{
	fixture *f = *state;
	uid_t nobody = 65534;
	assert_int_equal(chmod(f->file, 0666), 0);
	assert_int_equal(chmod(f->dir, geteuid() == 0 ? 0755 : 0555), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 && (setgid(nobody) < 0 || setuid(nobody) < 0))
			_exit(10);
		ss_text t;
		ss_diag d = SS_DIAG_INIT;
		if (ss_text_load(&t, f->file, 0, &d) < 0)
			_exit(11);
		ss_write_opts o = {1, NULL, 0, NULL, NULL, NULL};
		int r = ss_safe_write(&t, "new\n", 4, &o, &d);
		_exit(r == -1 && strstr(d.message, "not writable") ? 0 : 12);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_content(f->file, "old\n");
	const char *names[] = {"config"};
	assert_dir_holds(f->dir, names, 1);
}

static void test_creates_new_file_with_usual_mode(void **state)
{
	fixture *f = *state;
	char *path = tu_path(f->dir, "new.reg");
	assert_int_equal(ss_text_new_empty(&f->t, path, SS_ENC_BYTES, SS_EOL_LF, &f->d), 0);
	mode_t old = umask(022);
	ss_write_opts o = {1, NULL, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write(&f->t, "x\n", 2, &o, &f->d), 0);
	umask(old);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_content(path, "x\n");
	free(path);
}

static void test_new_file_refused_when_it_appeared(void **state)
{
	fixture *f = *state;
	assert_int_equal(ss_text_new_empty(&f->t, f->file, SS_ENC_BYTES, SS_EOL_LF, &f->d), 0);
	ss_write_opts o = {0, NULL, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write(&f->t, "x\n", 2, &o, &f->d), -1);
	assert_content(f->file, "old\n");
}

static void test_utf16_backup_copy_roundtrips(void **state)
{
	fixture *f = *state;
	const char raw[] = "\xFF\xFE"
			   "a\x00\r\x00\n\x00";
	tu_write(f->file, raw, sizeof(raw) - 1);
	load(f, f->file);
	ss_buf enc = SS_BUF_INIT;
	assert_int_equal(ss_text_encode(&f->t, "b\r\n", 3, &enc, &f->d), 0);
	ss_write_opts o = {1, NULL, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write(&f->t, enc.data, enc.len, &o, &f->d), 0);
	ss_buf now = tu_read(f->file);
	assert_memory_equal(now.data,
			    "\xFF\xFE"
			    "b\x00\r\x00\n\x00",
			    8);
	ss_buf_release(&now);
	ss_buf_release(&enc);
}

/* Every name in a directory, dot files included (but . and ..), sorted
 * into one comma-separated string. */
static char *all_names(const char *dir)
{
	DIR *dp = opendir(dir);
	assert_non_null(dp);
	ss_strlist l = SS_STRLIST_INIT;
	struct dirent *de;
	while ((de = readdir(dp)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			assert_int_equal(ss_strlist_push(&l, de->d_name), 0);
	closedir(dp);
	for (size_t i = 0; i < l.n; i++)
		for (size_t j = i + 1; j < l.n; j++)
			if (strcmp(l.v[i], l.v[j]) > 0) {
				char *t = l.v[i];
				l.v[i] = l.v[j];
				l.v[j] = t;
			}
	ss_buf b = SS_BUF_INIT;
	for (size_t i = 0; i < l.n; i++)
		assert_int_equal(ss_buf_addf(&b, "%s%s", i ? "," : "", l.v[i]), 0);
	ss_strlist_release(&l);
	size_t n;
	return ss_buf_detach(&b, &n);
}

static void assert_names(const char *dir, const char *want)
{
	char *got = all_names(dir);
	assert_string_equal(got, want);
	free(got);
}

static void rewrite(fixture *f, const char *bytes, const ss_write_opts *o)
{
	ss_text_free(&f->t);
	load(f, f->file);
	assert_int_equal(ss_safe_write(&f->t, bytes, strlen(bytes), o, &f->d), 0);
}

/* The first backup is the pristine original: later writes never replace it. */
static void test_first_backup_is_kept(void **state)
{
	fixture *f = *state;
	ss_write_opts o = {1, NULL, 0, NULL, NULL, NULL};
	rewrite(f, "second\n", &o);
	rewrite(f, "third\n", &o);
	char *bak = tu_path(f->dir, "config" SS_BACKUP_SUFFIX);
	assert_content(bak, "old\n");
	assert_content(f->file, "third\n");
	free(bak);
	char *bakdir = tu_path(f->dir, ".sshsync-bak");
	ss_write_opts od = {1, bakdir, 0, NULL, NULL, NULL};
	rewrite(f, "fourth\n", &od);
	rewrite(f, "fifth\n", &od);
	bak = tu_path(bakdir, "config");
	assert_content(bak, "third\n");
	assert_names(bakdir, "config");
	free(bak);
	free(bakdir);
}

/* A backup directory that is a symbolic link is never followed. */
static void test_backup_dir_symlink_refused(void **state)
{
	fixture *f = *state;
	char *victim = tu_path(f->dir, "victim");
	char *bakdir = tu_path(f->dir, ".sshsync-bak");
	assert_int_equal(mkdir(victim, 0700), 0);
	assert_int_equal(symlink(victim, bakdir), 0);
	load(f, f->file);
	ss_write_opts o = {1, bakdir, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_replace_check(&f->t, &o, &f->d), -1);
	assert_non_null(strstr(f->d.message, "symbolic link"));
	ss_diag_clear(&f->d);
	assert_int_equal(ss_safe_write(&f->t, "new\n", 4, &o, &f->d), -1);
	assert_non_null(strstr(f->d.message, "symbolic link"));
	assert_content(f->file, "old\n");
	assert_names(victim, "");
	assert_names(f->dir, ".sshsync-bak,config,victim");
	free(victim);
	free(bakdir);
}

/* Root refuses a backup directory that somebody else owns. */
static void test_backup_dir_of_another_owner_refused(void **state)
{
	fixture *f = *state;
	if (geteuid() != 0)
		skip();
	char *bakdir = tu_path(f->dir, ".sshsync-bak");
	assert_int_equal(mkdir(bakdir, 0700), 0);
	assert_int_equal(chown(bakdir, 65534, 65534), 0);
	load(f, f->file);
	ss_write_opts o = {1, bakdir, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write(&f->t, "new\n", 4, &o, &f->d), -1);
	assert_non_null(strstr(f->d.message, "owned by"));
	assert_content(f->file, "old\n");
	assert_names(bakdir, "");
	free(bakdir);
}

/* A new backup directory belongs to the owner of the file it backs up. */
static void test_backup_dir_made_for_the_owner(void **state)
{
	fixture *f = *state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(chown(f->file, 65534, 65534), 0);
	char *bakdir = tu_path(f->dir, ".sshsync-bak");
	load(f, f->file);
	ss_write_opts o = {1, bakdir, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write(&f->t, "new\n", 4, &o, &f->d), 0);
	struct stat st;
	assert_int_equal(lstat(bakdir, &st), 0);
	assert_int_equal(st.st_uid, 65534);
	assert_int_equal(st.st_gid, 65534);
	assert_int_equal(stat(f->file, &st), 0);
	assert_int_equal(st.st_uid, 65534);
	free(bakdir);
}

static void test_keeps_special_bits_and_xattrs(void **state)
{
	fixture *f = *state;
	assert_int_equal(chmod(f->file, 04750), 0);
	if (setxattr(f->file, "user.origin", "dotfiles", 8, 0) < 0)
		skip(); /* no user xattrs on this file system */
	load(f, f->file);
	ss_write_opts o = {1, NULL, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write(&f->t, "new\n", 4, &o, &f->d), 0);
	struct stat st;
	assert_int_equal(stat(f->file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 04750);
	char v[32];
	ssize_t n = getxattr(f->file, "user.origin", v, sizeof(v));
	assert_int_equal(n, 8);
	assert_memory_equal(v, "dotfiles", 8);
}

static void test_refuses_hard_linked_file(void **state)
{
	fixture *f = *state;
	char *other = tu_path(f->dir, "other");
	assert_int_equal(link(f->file, other), 0);
	load(f, f->file);
	ss_write_opts o = {1, NULL, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write_check(&f->t, &f->d), -1);
	assert_non_null(strstr(f->d.message, "hard links"));
	ss_diag_clear(&f->d);
	assert_int_equal(ss_safe_write(&f->t, "new\n", 4, &o, &f->d), -1);
	assert_non_null(strstr(f->d.message, "hard links"));
	assert_content(other, "old\n");
	assert_content(f->file, "old\n");
	assert_names(f->dir, "config,other");
	free(other);
}

/* A run killed after the backup link, before the rename, leaves the file
 * with two names, the second its backup: the next write goes on. */
static void test_backup_link_left_by_a_killed_run(void **state)
{
	fixture *f = *state;
	char *bakdir = tu_path(f->dir, ".sshsync-bak");
	char *bak = tu_path(bakdir, "config");
	assert_int_equal(mkdir(bakdir, 0700), 0);
	assert_int_equal(link(f->file, bak), 0);
	load(f, f->file);
	assert_int_equal(ss_safe_write_check(&f->t, &f->d), 0);
	ss_write_opts o = {1, bakdir, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write(&f->t, "new\n", 4, &o, &f->d), 0);
	assert_content(bak, "old\n");
	assert_content(f->file, "new\n");
	free(bak);
	free(bakdir);
}

/* Temporary files start with a dot; those a killed run left are removed,
 * one that a live run holds is not. */
static void test_stale_temporary_files_removed(void **state)
{
	fixture *f = *state;
	char *stale = tu_path(f->dir, ".config.sshsync-AbC123");
	char *alien = tu_path(f->dir, ".config.sshsync-notours");
	tu_write_str(stale, "half a fi");
	tu_write_str(alien, "a user's file\n");
	load(f, f->file);
	ss_write_opts o = {1, NULL, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write(&f->t, "new\n", 4, &o, &f->d), 0);
	assert_names(f->dir, ".config.sshsync-notours,config,config.sshsync-bak");
	free(stale);
	free(alien);
}

static void test_replace_reports_the_new_identity(void **state)
{
	fixture *f = *state;
	load(f, f->file);
	ss_write_opts o = {0, NULL, 0, NULL, NULL, NULL};
	ss_write_result res = SS_WRITE_RESULT_INIT;
	assert_int_equal(ss_safe_replace(&f->t, "new\n", 4, &o, &res, &f->d), 0);
	struct stat st;
	assert_int_equal(stat(f->file, &st), 0);
	assert_true(res.id.known);
	assert_int_equal(res.id.ino, st.st_ino);
	assert_int_equal(res.id.size, 4);
	assert_true(res.id.hash == ss_content_hash_bytes("new\n", 4));
	assert_null(res.warning);
	/* Writing back with that identity works; with the old one it does not. */
	ss_text now = f->t;
	now.id = res.id;
	assert_int_equal(ss_safe_write(&now, "old\n", 4, &o, &f->d), 0);
	assert_int_equal(ss_safe_write(&now, "x\n", 2, &o, &f->d), -1);
	assert_content(f->file, "old\n");
	ss_write_result_free(&res);
}

/* A change that keeps size, inode and times (as two writes within one tick
 * of the file system's clock do) is caught by the bytes: the file changed
 * shortly before it was read, so its times cannot tell. */
/* The file becomes `now` after it was read, and the read's times become
 * the ones that write gives it, as if both writes came within one tick. */
static void change_in_the_same_tick(fixture *f, const void *now, size_t len)
{
	tu_write(f->file, now, len);
	struct stat st;
	assert_int_equal(stat(f->file, &st), 0);
	f->t.id.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	f->t.id.ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
	assert_true(ss_file_racy(&f->t.id));
}

static void test_refuses_same_size_change_in_the_same_tick(void **state)
{
	fixture *f = *state;
	load(f, f->file);
	change_in_the_same_tick(f, "new\n", 4);
	ss_write_opts o = {1, NULL, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write_check(&f->t, &f->d), 0); /* the times only */
	assert_int_equal(ss_safe_write(&f->t, "mine\n", 5, &o, &f->d), -1);
	assert_non_null(strstr(f->d.message, "changed since"));
	assert_content(f->file, "new\n");
	const char *names[] = {"config"};
	assert_dir_holds(f->dir, names, 1);
}

/* A large file whose times cannot tell is read again while the temporary
 * file is synced (SS_REREAD_MIN), its second half by a second thread from
 * a block's start of the hash on, the first by the caller: the same bytes
 * are replaced, by a plain write and by a prepared one synced early; a
 * change of one byte that keeps size and times is refused by both. */
static void read_again_while_synced(fixture *f, size_t len)
{
	char *big = malloc(len);
	assert_non_null(big);
	memset(big, 'a', len);
	tu_write(f->file, big, len);
	load(f, f->file);
	assert_true(ss_file_racy(&f->t.id));
	ss_write_opts o = {0, NULL, 0, NULL, NULL, NULL};
	ss_source src = {NULL, NULL, "mine\n", 5, NULL};
	ss_safe_prepared *p = NULL;
	assert_int_equal(ss_safe_prepare(&f->t, &src, &o, NULL, 0, &p, &f->d), 0);
	assert_int_equal(ss_safe_sync(p, &f->d), 0);
	assert_int_equal(ss_safe_commit(p, NULL, &f->d), 0);
	assert_content(f->file, "mine\n");
	tu_write(f->file, big, len);
	ss_text_free(&f->t);
	load(f, f->file);
	assert_int_equal(ss_safe_write(&f->t, "mine\n", 5, &o, &f->d), 0);
	assert_content(f->file, "mine\n");

	/* A byte changed in either part that is compared, or at their ends. */
	size_t from = len / 2 / SS_CONTENT_BLOCK * SS_CONTENT_BLOCK;
	const size_t at[] = {0, from ? from - 1 : 1, from, len / 2, len - 1};
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		memset(big, 'a', len);
		tu_write(f->file, big, len);
		ss_text_free(&f->t);
		load(f, f->file);
		big[at[i]] = 'b';
		change_in_the_same_tick(f, big, len);
		assert_int_equal(ss_safe_prepare(&f->t, &src, &o, NULL, 0, &p, &f->d), 0);
		assert_int_equal(ss_safe_sync(p, &f->d), 0);
		assert_int_equal(ss_safe_commit(p, NULL, &f->d), -1);
		assert_non_null(strstr(f->d.message, "changed since"));
		ss_diag_clear(&f->d);
	}
	assert_int_equal(ss_safe_write(&f->t, "mine\n", 5, &o, &f->d), -1);
	assert_non_null(strstr(f->d.message, "changed since"));
	ss_buf now = tu_read(f->file);
	assert_int_equal(now.len, len);
	assert_memory_equal(now.data, big, len);
	ss_buf_release(&now);
	free(big);
	const char *names[] = {"config"};
	assert_dir_holds(f->dir, names, 1);
}

/* One part (the thread reads all) and two (each reads half). */
static void test_large_file_read_again_while_synced(void **state)
{
	fixture *f = *state;
	read_again_while_synced(f, (size_t)SS_REREAD_MIN + 100);
	ss_text_free(&f->t);
	read_again_while_synced(f, 2 * SS_CONTENT_BLOCK + 100);
}

/* A file of several writeback steps (SS_WRITEBACK_STEP, sent to the disk
 * while the rest is written) and a last partial one is written whole. */
static void test_large_file_written_in_steps(void **state)
{
	fixture *f = *state;
	size_t len = 2 * SS_WRITEBACK_STEP + 4097;
	char *big = malloc(len);
	assert_non_null(big);
	for (size_t i = 0; i < len; i++)
		big[i] = (char)('a' + i % 23);
	load(f, f->file);
	ss_write_opts o = {0, NULL, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write(&f->t, big, len, &o, &f->d), 0);
	ss_buf now = tu_read(f->file);
	assert_int_equal(now.len, len);
	assert_memory_equal(now.data, big, len);
	ss_buf_release(&now);
	free(big);
}

/* How many descriptors this process has open. */
static size_t open_fds(void)
{
	ss_strlist l = tu_list_dir("/proc/self/fd");
	size_t n = l.n;
	ss_strlist_release(&l);
	return n;
}

/* A large replaced file is closed by a thread of its own (its blocks are
 * freed meanwhile): nothing stays open once the closings finish, its lock
 * is let go (the next write of the name goes through at once), and a
 * file below SS_CLOSE_LATER_MIN, or a write that fails, closes its own
 * before it returns. */
static void test_replaced_file_closed_later(void **state)
{
	fixture *f = *state;
	size_t len = (size_t)SS_CLOSE_LATER_MIN;
	char *big = malloc(len);
	assert_non_null(big);
	memset(big, 'a', len);
	ss_closings *c = ss_closings_new();
	assert_non_null(c);
	ss_write_opts o = {0, NULL, 0, c, NULL, NULL};
	size_t base = open_fds();

	tu_write(f->file, big, len - 1); /* below: closed at once */
	load(f, f->file);
	assert_int_equal(ss_safe_write(&f->t, "small\n", 6, &o, &f->d), 0);
	assert_int_equal(open_fds(), base);

	for (int i = 0; i < 3; i++) { /* each write while the last close may go on */
		tu_write(f->file, big, len);
		ss_text_free(&f->t);
		load(f, f->file);
		assert_int_equal(ss_safe_write(&f->t, "mine\n", 5, &o, &f->d), 0);
		assert_content(f->file, "mine\n");
	}
	ss_closings_finish(c);
	assert_int_equal(open_fds(), base);

	c = ss_closings_new();
	o.closings = c;
	tu_write(f->file, big, len);
	ss_text_free(&f->t);
	load(f, f->file);
	big[0] = 'b';
	change_in_the_same_tick(f, big, len);
	assert_int_equal(ss_safe_write(&f->t, "mine\n", 5, &o, &f->d), -1);
	assert_non_null(strstr(f->d.message, "changed since"));
	assert_int_equal(open_fds(), base);
	ss_closings_finish(c);
	ss_closings_finish(NULL);
	free(big);
	const char *names[] = {"config"};
	assert_dir_holds(f->dir, names, 1);
}

/* A file read long after its last change is known by its times: a change
 * of the same size is refused without reading it, also by the check. */
static void test_times_tell_a_file_read_long_after_its_change(void **state)
{
	fixture *f = *state;
	load(f, f->file);
	f->t.id.read_ns += 10LL * 1000000000; /* as if read 10 s later */
	assert_false(ss_file_racy(&f->t.id));
	ss_write_opts o = {1, NULL, 0, NULL, NULL, NULL};
	assert_int_equal(ss_safe_write(&f->t, "mine\n", 5, &o, &f->d), 0);
	assert_content(f->file, "mine\n");
	ss_text_free(&f->t);
	load(f, f->file);
	f->t.id.read_ns += 10LL * 1000000000;
	/* Later than the file's time by more than a tick. */
	assert_int_equal(nanosleep(&(struct timespec){0, 20000000}, NULL), 0);
	tu_write_str(f->file, "new!!\n");
	assert_int_equal(ss_safe_write_check(&f->t, &f->d), -1);
	assert_non_null(strstr(f->d.message, "changed since"));
	ss_diag_clear(&f->d);
	assert_int_equal(ss_safe_write(&f->t, "x\n", 2, &o, &f->d), -1);
	assert_content(f->file, "new!!\n");
}

/* An observer that keeps what it sees. */
static int keep_bytes(void *ctx, const void *data, size_t len, ss_diag *d)
{
	(void)d;
	return ss_buf_add(ctx, data, len);
}

/* Prepared, then committed: the observer saw exactly the bytes written,
 * and nothing is replaced before the commit. */
static void test_prepare_then_commit(void **state)
{
	fixture *f = *state;
	load(f, f->file);
	ss_write_opts o = {1, NULL, 0, NULL, NULL, NULL};
	ss_buf seen = SS_BUF_INIT;
	ss_sink observe = {keep_bytes, &seen};
	ss_source src = {NULL, NULL, "prepared\n", 9, NULL};
	ss_safe_prepared *p = NULL;
	assert_int_equal(ss_safe_prepare(&f->t, &src, &o, &observe, 0, &p, &f->d), 0);
	assert_non_null(p);
	assert_string_equal(ss_buf_str(&seen), "prepared\n");
	assert_content(f->file, "old\n");
	ss_write_result res = SS_WRITE_RESULT_INIT;
	assert_int_equal(ss_safe_commit(p, &res, &f->d), 0);
	assert_content(f->file, "prepared\n");
	assert_int_equal(res.id.size, 9);
	assert_true(res.id.hash == ss_content_hash_bytes("prepared\n", 9));
	assert_names(f->dir, "config,config.sshsync-bak");
	ss_write_result_free(&res);
	ss_buf_release(&seen);
}

/* Aborted: the file as it was, and neither the temporary file nor the
 * backup this write made is left. */
static void test_prepare_then_abort(void **state)
{
	fixture *f = *state;
	load(f, f->file);
	ss_write_opts o = {1, NULL, 0, NULL, NULL, NULL};
	ss_source src = {NULL, NULL, "never\n", 6, NULL};
	ss_safe_prepared *p = NULL;
	assert_int_equal(ss_safe_prepare(&f->t, &src, &o, NULL, 0, &p, &f->d), 0);
	ss_safe_abort(p);
	assert_content(f->file, "old\n");
	assert_names(f->dir, "config");
}

/* A change between the preparation (and, with `sync_first`, the early
 * sync) and the commit is refused by the commit's last check, and nothing
 * is left behind. */
static void refuses_a_change_after_prepare(fixture *f, int sync_first)
{
	load(f, f->file);
	ss_write_opts o = {1, NULL, 0, NULL, NULL, NULL};
	ss_source src = {NULL, NULL, "mine\n", 5, NULL};
	ss_safe_prepared *p = NULL;
	assert_int_equal(ss_safe_prepare(&f->t, &src, &o, NULL, 0, &p, &f->d), 0);
	if (sync_first)
		assert_int_equal(ss_safe_sync(p, &f->d), 0);
	tu_write_str(f->file, "another\n");
	assert_int_equal(ss_safe_commit(p, NULL, &f->d), -1);
	assert_non_null(strstr(f->d.message, "changed since"));
	assert_content(f->file, "another\n");
}

static void test_commit_refuses_a_change_after_prepare(void **state)
{
	fixture *f = *state;
	refuses_a_change_after_prepare(f, 0);
	assert_names(f->dir, "config");
}

/* A temporary file synced early (ss_safe_sync) is committed as usual,
 * and the commit's last check still refuses a change made after it. */
static void test_sync_before_commit(void **state)
{
	fixture *f = *state;
	ss_safe_prepared *p = NULL;
	ss_source synced = {NULL, NULL, "synced\n", 7, NULL};
	load(f, f->file);
	assert_int_equal(ss_safe_prepare(&f->t, &synced, NULL, NULL, 0, &p, &f->d), 0);
	assert_int_equal(ss_safe_sync(p, &f->d), 0);
	assert_content(f->file, "old\n");
	assert_int_equal(ss_safe_commit(p, NULL, &f->d), 0);
	assert_content(f->file, "synced\n");
	ss_text_free(&f->t);
	refuses_a_change_after_prepare(f, 1);
	assert_names(f->dir, "config");
}

/* Two reads of one file agree by their times alone only when neither
 * could have missed a change that kept them; else by their hashes. */
/* A producer for ss_safe_replace_produce: `pieces` puts of "ab", then
 * (with fail) its own error, as a source file that cannot be read gives. */
typedef struct maker {
	int pieces;
	int fail;
	int ran;
} maker;

static int make_pieces(void *ctx, const ss_sink *out, ss_diag *d)
{
	maker *m = ctx;
	m->ran++;
	for (int i = 0; i < m->pieces; i++)
		if (out->put(out->ctx, "ab", 2, d) < 0)
			return -1;
	return m->fail ? ss_diag_set(d, "source.ini", 3, 1, "not settings") : 0;
}

static void test_replace_with_produced_contents(void **state)
{
	fixture *f = *state;
	ss_text_free(&f->t);
	assert_int_equal(ss_text_load_identity(&f->t, f->file, 0, &f->d), 0);
	maker m = {3, 0, 0};
	ss_producer make = {make_pieces, &m};
	ss_write_result res = SS_WRITE_RESULT_INIT;
	assert_int_equal(ss_safe_replace_produce(&f->t, &make, NULL, &res, &f->d), 0);
	assert_int_equal(m.ran, 1);
	assert_content(f->file, "ababab");
	assert_int_equal(res.id.size, 6);
	ss_write_result_free(&res);
	const char *names[] = {"config"};
	assert_dir_holds(f->dir, names, 1);
}

/* The producer's error is its own (its file and line), not one of writing
 * the file; the file is as it was, and no temporary file is left. */
static void test_produced_contents_fail_as_the_producer_says(void **state)
{
	fixture *f = *state;
	load(f, f->file);
	maker m = {2, 1, 0};
	ss_producer make = {make_pieces, &m};
	assert_int_equal(ss_safe_replace_produce(&f->t, &make, NULL, NULL, &f->d), -1);
	assert_string_equal(f->d.file, "source.ini");
	assert_int_equal(f->d.line, 3);
	assert_string_equal(f->d.message, "not settings");
	assert_content(f->file, "old\n");
	const char *names[] = {"config"};
	assert_dir_holds(f->dir, names, 1);
}

static void test_same_read_by_times_or_hashes(void **state)
{
	(void)state;
	const int64_t s = 1000000000LL;
	/* Changed 10 s before either read: the times tell. */
	ss_file_identity a = {1, 5, 7, 100, 0, 50 * s, 50 * s, 60 * s};
	ss_file_identity b = a;
	b.read_ns = 61 * s;
	b.hash = 42; /* not made, not compared */
	assert_int_equal(ss_file_same_read(&a, &b), 1);
	ss_file_identity c = b;
	c.mtime_ns++;
	assert_int_equal(ss_file_same_read(&a, &c), 0);
	c = b, c.ino++;
	assert_int_equal(ss_file_same_read(&a, &c), 0);
	c = b, c.size--;
	assert_int_equal(ss_file_same_read(&a, &c), 0);
	c = b, c.ctime_ns++;
	assert_int_equal(ss_file_same_read(&a, &c), 0);
	c = b, c.known = 0;
	assert_int_equal(ss_file_same_read(&a, &c), 0);
	/* Changed within a second of both reads: the hashes tell. */
	a.read_ns = b.read_ns = 51 * s;
	a.hash = b.hash = 9;
	assert_int_equal(ss_file_same_read(&a, &b), 1);
	b.hash = 10;
	assert_int_equal(ss_file_same_read(&a, &b), 0);
	/* One read racy, the other not: the other made no hash to compare. */
	b.hash = 9;
	b.read_ns = 60 * s;
	assert_int_equal(ss_file_same_read(&a, &b), 0);
	assert_int_equal(ss_file_same_read(&b, &a), 0);
}

/* --- the file kept by a hard link (ss_keep_link) --- */

/* Folders for the link: `temps` where it is made, `kept` where it is named. */
typedef struct keep_dirs {
	char *temps, *kept;
} keep_dirs;

static keep_dirs keep_dirs_make(const fixture *f)
{
	keep_dirs k = {tu_path(f->dir, "temps"), tu_path(f->dir, "kept")};
	assert_int_equal(mkdir(k.temps, 0700), 0);
	assert_int_equal(mkdir(k.kept, 0700), 0);
	return k;
}

static void keep_dirs_free(keep_dirs *k)
{
	free(k->temps);
	free(k->kept);
}

/* Prepared with a link asked for (the file just written: racy, its bytes
 * compared by the last check), then committed: whether a link was made,
 * and whether the commit succeeded. */
static int keep_and_replace(fixture *f, const keep_dirs *k, int backup, ss_keep_link *keep,
			    int *committed)
{
	load(f, f->file);
	*keep = (ss_keep_link){k->temps, k->kept, 0};
	ss_write_opts o = {backup, NULL, 0, NULL, NULL, keep};
	ss_source src = {NULL, NULL, "new\n", 4, NULL};
	ss_safe_prepared *p = NULL;
	assert_int_equal(ss_safe_prepare(&f->t, &src, &o, NULL, 0, &p, &f->d), 0);
	if (keep->made)
		assert_int_equal(ss_safe_name_kept(p, "HEX", &f->d), 0);
	*committed = ss_safe_commit(p, NULL, &f->d) == 0;
	return keep->made;
}

/* Linked, then named once the file is found unchanged: the name kept is
 * the replaced file itself, with its bytes; no temporary name is left. */
static void test_keeps_the_replaced_file_by_a_link(void **state)
{
	fixture *f = *state;
	keep_dirs k = keep_dirs_make(f);
	struct stat before, kept;
	assert_int_equal(stat(f->file, &before), 0);
	ss_keep_link keep;
	int committed;
	assert_true(keep_and_replace(f, &k, 0, &keep, &committed));
	assert_true(committed);
	assert_content(f->file, "new\n");
	char *name = tu_path(k.kept, "HEX");
	assert_int_equal(stat(name, &kept), 0);
	assert_true(kept.st_ino == before.st_ino && kept.st_dev == before.st_dev);
	assert_int_equal(kept.st_nlink, 1);
	assert_content(name, "old\n");
	assert_names(k.temps, "");
	assert_names(f->dir, "config,kept,temps");
	free(name);
	keep_dirs_free(&k);
}

/* The first backup is a link to the file already: the journal must not
 * share it (an editor may write the backup in place), so none is made
 * and the caller copies. */
static void test_no_keep_link_beside_a_first_backup(void **state)
{
	fixture *f = *state;
	keep_dirs k = keep_dirs_make(f);
	ss_keep_link keep;
	int committed;
	assert_false(keep_and_replace(f, &k, 1, &keep, &committed));
	assert_true(committed);
	assert_names(k.kept, "");
	assert_names(k.temps, "");
	/* A backup kept before is a file of its own: the link is made. */
	ss_text_free(&f->t);
	assert_true(keep_and_replace(f, &k, 1, &keep, &committed));
	assert_true(committed);
	assert_names(k.kept, "HEX");
	keep_dirs_free(&k);
}

/* "mine\n" prepared over the file just loaded, a link made and not named yet. */
static ss_safe_prepared *prepared_with_link(fixture *f, const keep_dirs *k, ss_keep_link *keep)
{
	load(f, f->file);
	*keep = (ss_keep_link){k->temps, k->kept, 0};
	ss_write_opts o = {0, NULL, 0, NULL, NULL, keep};
	ss_source src = {NULL, NULL, "mine\n", 5, NULL};
	ss_safe_prepared *p = NULL;
	assert_int_equal(ss_safe_prepare(&f->t, &src, &o, NULL, 0, &p, &f->d), 0);
	assert_true(keep->made);
	return p;
}

/* A file changed after the preparation is refused by the last check, and
 * the link made for it is removed, never named. */
static void test_keep_link_of_a_changed_file_is_removed(void **state)
{
	fixture *f = *state;
	keep_dirs k = keep_dirs_make(f);
	ss_keep_link keep;
	ss_safe_prepared *p = prepared_with_link(f, &k, &keep);
	assert_int_equal(ss_safe_name_kept(p, "HEX", &f->d), 0);
	char *temps = all_names(k.temps);
	assert_int_equal(strncmp(temps, "." SS_KEPT_LINK_TEMP ".sshsync-",
				 sizeof("." SS_KEPT_LINK_TEMP ".sshsync-") - 1),
			 0);
	assert_null(strchr(temps, ','));
	free(temps);
	tu_write_str(f->file, "another\n");
	assert_int_equal(ss_safe_commit(p, NULL, &f->d), -1);
	assert_non_null(strstr(f->d.message, "changed since"));
	assert_content(f->file, "another\n");
	assert_names(k.temps, "");
	assert_names(k.kept, "");
	keep_dirs_free(&k);
}

/* A link the caller never named: the commit fails before the rename, the
 * file stays as it was and the link goes. */
static void test_keep_link_never_named_fails_the_commit(void **state)
{
	fixture *f = *state;
	keep_dirs k = keep_dirs_make(f);
	ss_keep_link keep;
	ss_safe_prepared *p = prepared_with_link(f, &k, &keep);
	assert_int_equal(ss_safe_commit(p, NULL, &f->d), -1);
	assert_non_null(strstr(f->d.message, "kept under no name"));
	assert_content(f->file, "old\n");
	assert_names(k.temps, "");
	assert_names(k.kept, "");
	assert_names(f->dir, "config,kept,temps");
	keep_dirs_free(&k);
}

/* What a killed run left on its way into the kept folder goes with the
 * next link made there. */
static void test_keep_link_removes_a_killed_runs_link(void **state)
{
	fixture *f = *state;
	keep_dirs k = keep_dirs_make(f);
	char *stale = tu_path(k.temps, "." SS_KEPT_LINK_TEMP ".sshsync-AbC123");
	tu_write_str(stale, "old of another run\n");
	ss_keep_link keep;
	int committed;
	assert_true(keep_and_replace(f, &k, 0, &keep, &committed));
	assert_true(committed);
	assert_names(k.temps, "");
	assert_names(k.kept, "HEX");
	free(stale);
	keep_dirs_free(&k);
}

/* A name taken already in the kept folder holds the same bytes (the
 * caller names by hash): it stays, and the link goes. */
static void test_keep_link_where_the_name_is_taken(void **state)
{
	fixture *f = *state;
	keep_dirs k = keep_dirs_make(f);
	char *name = tu_path(k.kept, "HEX");
	tu_write_str(name, "old\n");
	ss_keep_link keep;
	int committed;
	assert_true(keep_and_replace(f, &k, 0, &keep, &committed));
	assert_true(committed);
	struct stat st;
	assert_int_equal(stat(name, &st), 0);
	assert_int_equal(st.st_nlink, 1);
	assert_names(k.temps, "");
	free(name);
	keep_dirs_free(&k);
}

/* A folder the link cannot be made in: none, and the write goes on. */
static void test_no_keep_link_where_none_can_be_made(void **state)
{
	fixture *f = *state;
	keep_dirs k = keep_dirs_make(f);
	free(k.temps);
	k.temps = tu_path(f->dir, "missing");
	ss_keep_link keep;
	int committed;
	assert_false(keep_and_replace(f, &k, 0, &keep, &committed));
	assert_true(committed);
	assert_content(f->file, "new\n");
	assert_names(k.kept, "");
	keep_dirs_free(&k);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_replaces_and_keeps_mode_and_backup),
	    T(test_no_backup_when_told),
	    T(test_backup_in_a_directory),
	    T(test_follows_symlink),
	    T(test_refuses_changed_file),
	    T(test_refuses_read_only_file),
	    T(test_refuses_read_only_directory),
	    T(test_creates_new_file_with_usual_mode),
	    T(test_new_file_refused_when_it_appeared),
	    T(test_utf16_backup_copy_roundtrips),
	    T(test_first_backup_is_kept),
	    T(test_backup_dir_symlink_refused),
	    T(test_backup_dir_of_another_owner_refused),
	    T(test_backup_dir_made_for_the_owner),
	    T(test_keeps_special_bits_and_xattrs),
	    T(test_refuses_hard_linked_file),
	    T(test_stale_temporary_files_removed),
	    T(test_backup_link_left_by_a_killed_run),
	    T(test_replace_reports_the_new_identity),
	    T(test_refuses_same_size_change_in_the_same_tick),
	    T(test_times_tell_a_file_read_long_after_its_change),
	    T(test_large_file_read_again_while_synced),
	    T(test_large_file_written_in_steps),
	    T(test_replaced_file_closed_later),
	    T(test_prepare_then_commit),
	    T(test_prepare_then_abort),
	    T(test_commit_refuses_a_change_after_prepare),
	    T(test_same_read_by_times_or_hashes),
	    T(test_sync_before_commit),
	    T(test_replace_with_produced_contents),
	    T(test_produced_contents_fail_as_the_producer_says),
	    T(test_keeps_the_replaced_file_by_a_link),
	    T(test_no_keep_link_beside_a_first_backup),
	    T(test_keep_link_of_a_changed_file_is_removed),
	    T(test_keep_link_where_the_name_is_taken),
	    T(test_keep_link_never_named_fails_the_commit),
	    T(test_keep_link_removes_a_killed_runs_link),
	    T(test_no_keep_link_where_none_can_be_made),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
