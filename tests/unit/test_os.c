/* The platform seam (src/os/) on whichever system it is built for: the same
 * tests run natively and, cross-compiled, under Wine. What differs between
 * POSIX and Windows is asked of the seam itself (ss_os_sep). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sshsync/os_file.h"
#include "sshsync/os_net.h"
#include "sshsync/os_path.h"
#include "sshsync/os_sys.h"
#include "testutil.h"

static int windows(void)
{
	return ss_os_sep() == '\\';
}

static void test_paths(void **state)
{
	(void)state;
	assert_string_equal(ss_os_base_name("a/b/c"), "c");
	assert_int_equal(ss_os_dir_len("a/b/c"), 3);
	assert_int_equal(ss_os_dir_len("c"), 0);
	assert_int_equal(ss_os_dir_len("/c"), 1);
	assert_true(ss_os_is_absolute("/etc/ssh"));
	assert_false(ss_os_is_absolute("config.d/x.conf"));
	if (windows()) {
		assert_string_equal(ss_os_base_name("C:\\Users\\x\\.ssh\\config"), "config");
		assert_int_equal(ss_os_dir_len("C:\\config"), 3); /* the root stays whole */
		assert_int_equal(ss_os_dir_len("\\\\server\\share\\f"), 15);
		assert_true(ss_os_is_absolute("C:/ProgramData/ssh"));
		assert_true(ss_os_is_absolute("\\\\server\\share\\f"));
		assert_false(ss_os_is_absolute("C:relative"));
		assert_true(ss_os_is_sep('\\'));
	} else {
		assert_string_equal(ss_os_base_name("a\\b"), "a\\b");
		assert_false(ss_os_is_sep('\\'));
	}
}

static void test_glob_and_list(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *sub = tu_path(dir, "conf.d");
	assert_int_equal(ss_os_mkdir_p(sub), 0);
	char *a = tu_path(sub, "10-a.conf"), *b = tu_path(sub, "20-B.conf");
	char *hidden = tu_path(sub, ".x.conf");
	tu_write_str(a, "a");
	tu_write_str(b, "b");
	tu_write_str(hidden, "h");
	char *pat = tu_path(dir, "conf.d/*.conf");
	ss_os_paths g;
	assert_int_equal(ss_os_glob(pat, 0, &g), 0);
	assert_int_equal(g.n, 2); /* sorted, no dot file */
	assert_string_equal(ss_os_base_name(g.v[0]), "10-a.conf");
	assert_string_equal(ss_os_base_name(g.v[1]), "20-B.conf");
	ss_os_paths_free(&g);
	/* Win32-OpenSSH matches Include patterns case-insensitively. */
	char *upper = tu_path(dir, "CONF.D/*-b.CONF");
	assert_int_equal(ss_os_glob(upper, 0, &g), windows() ? 0 : SS_OS_GLOB_NOMATCH);
	if (windows())
		assert_int_equal(g.n, 1);
	ss_os_paths_free(&g);
	char *none = tu_path(dir, "nowhere/*.conf");
	assert_int_equal(ss_os_glob(none, 0, &g), SS_OS_GLOB_NOMATCH);
	ss_os_paths names;
	ss_stat self;
	assert_int_equal(ss_os_list_dir(sub, &names, &self), 0);
	assert_int_equal(names.n, 3);
	assert_true(S_ISDIR(self.st_mode));
	ss_os_paths_free(&names);
	ss_stat s1, s2;
	assert_int_equal(ss_os_stat(a, &s1), 0);
	assert_int_equal(ss_os_lstat(a, &s2), 0);
	assert_true(S_ISREG(s1.st_mode));
	assert_int_equal(s1.st_size, 1);
	assert_true(s1.st_dev == s2.st_dev && s1.st_ino == s2.st_ino);
	assert_int_equal(ss_os_stat(b, &s2), 0);
	assert_false(s1.st_ino == s2.st_ino); /* two files, two identities */
	char *real = ss_os_realpath(a);
	assert_non_null(real);
	assert_true(ss_os_is_absolute(real));
	assert_string_equal(ss_os_base_name(real), "10-a.conf");
	free(real);
	free(upper);
	free(none);
	free(pat);
	free(hidden);
	free(a);
	free(b);
	free(sub);
	tu_rmtree(dir);
	free(dir);
}

static void test_new_file(void **state)
{
	(void)state;
	char *dir = ss_os_make_temp_dir("sshsync-test-os");
	assert_non_null(dir);
	char *p = tu_path(dir, "copy.conf");
	assert_int_equal(ss_os_write_new_file(p, "x\r\n", 3, 0600, 0, 0, 0), 0);
	assert_int_equal(ss_os_write_new_file(p, "y", 1, 0600, 0, 0, 0), -1); /* exists */
	ss_buf b = tu_read(p);
	assert_int_equal(b.len, 3); /* binary: the CR kept */
	ss_buf_release(&b);
	assert_int_equal(ss_os_can_read(p), 0);
	assert_int_equal(ss_os_remove_file(p), 0);
	assert_int_equal(ss_os_remove_dir(dir), 0);
	free(p);
	free(dir);
}

/* The names in `dir`, sorted, joined with commas. */
static char *names_in(const char *dir)
{
	ss_os_paths names;
	assert_int_equal(ss_os_list_dir(dir, &names, NULL), 0);
	for (size_t i = 1; i < names.n; i++)
		for (size_t k = i; k > 0 && strcmp(names.v[k - 1], names.v[k]) > 0; k--) {
			char *t = names.v[k];
			names.v[k] = names.v[k - 1];
			names.v[k - 1] = t;
		}
	ss_buf b = SS_BUF_INIT;
	for (size_t i = 0; i < names.n; i++)
		assert_int_equal(ss_buf_addf(&b, "%s%s", i ? "," : "", names.v[i]), 0);
	ss_os_paths_free(&names);
	char *s = ss_strdup(b.data ? b.data : "");
	ss_buf_release(&b);
	return s;
}

static void put(const char *dir, const char *name)
{
	char *p = tu_path(dir, name);
	tu_write_str(p, "half a fi");
	free(p);
}

typedef struct sweeper {
	ss_os_stale_temps *s;
	int dir;
	int first, removed;
} sweeper;

/* Names first, first + 4, ... of the forty. */
static void sweep_some(void *arg)
{
	sweeper *w = arg;
	for (int i = w->first; i < 40; i += 4) {
		char name[16];
		snprintf(name, sizeof(name), "s%02d", i);
		w->removed += ss_os_stale_temps_remove(w->s, w->dir, name);
	}
}

/* What killed runs left, removed name by name from one listing of each
 * folder a run: a name's own alone, never a file a live run holds, one
 * that only looks like them, nor another name's that has it for a
 * prefix; one left after the listing waits for the next run. Several
 * threads at once each remove their names'. */
static void test_stale_temps(void **state)
{
	(void)state;
	char *dir = ss_os_make_temp_dir("sshsync-test-os");
	assert_non_null(dir);
	int dfd, live;
	char *live_name;
	assert_int_equal(ss_os_open_dir(dir, &dfd), 0);
	assert_int_equal(ss_os_create_temp(dfd, "a", &live, &live_name), 0);
	put(dir, ".a.sshsync-Ab12Cd");
	put(dir, ".a.sshsync-zZ9900");
	put(dir, ".a.sshsync-notours");
	put(dir, ".a.sshsync-Ab12Cd.sshsync-Xy98Zz");
	put(dir, ".b.sshsync-Qq11Rr");
	put(dir, "a");
	ss_os_stale_temps *s = ss_os_stale_temps_new();
	assert_non_null(s);
	assert_int_equal(ss_os_stale_temps_remove(s, dfd, "a"), 2);
	assert_int_equal(ss_os_exists(dfd, live_name), 1);
	ss_os_close(live);
	assert_int_equal(ss_os_remove_stale_temps(dfd, "a"), 1); /* no longer held */
	char *left = names_in(dir);
	assert_string_equal(left, ".a.sshsync-Ab12Cd.sshsync-Xy98Zz,.a.sshsync-notours,"
				  ".b.sshsync-Qq11Rr,a");
	free(left);
	put(dir, ".b.sshsync-Later1"); /* after the listing */
	assert_int_equal(ss_os_stale_temps_remove(s, dfd, "b"), 1);
	assert_int_equal(ss_os_stale_temps_remove(s, dfd, "a.sshsync-Ab12Cd"), 1);
	assert_int_equal(ss_os_stale_temps_remove(NULL, dfd, "b"), 1); /* the next run */
	left = names_in(dir);
	assert_string_equal(left, ".a.sshsync-notours,a");
	free(left);
	ss_os_stale_temps_free(s);

	/* Forty names, two leftovers each, four threads. */
	for (int i = 0; i < 40; i++) {
		char name[32];
		snprintf(name, sizeof(name), ".s%02d.sshsync-One%03d", i, i);
		put(dir, name);
		snprintf(name, sizeof(name), ".s%02d.sshsync-Two%03d", i, i);
		put(dir, name);
	}
	s = ss_os_stale_temps_new();
	assert_non_null(s);
	sweeper w[4];
	ss_os_thread *t[4] = {NULL};
	for (int i = 0; i < 4; i++) {
		w[i] = (sweeper){s, dfd, i, 0};
		if (i && ss_os_thread_start(&t[i], sweep_some, &w[i]) < 0)
			t[i] = NULL, sweep_some(&w[i]);
	}
	sweep_some(&w[0]);
	for (int i = 1; i < 4; i++)
		ss_os_thread_join(t[i]);
	for (int i = 0; i < 4; i++)
		assert_int_equal(w[i].removed, 20);
	left = names_in(dir);
	assert_string_equal(left, ".a.sshsync-notours,a");
	free(left);
	ss_os_stale_temps_free(s);
	ss_os_stale_temps_free(NULL);

	assert_int_equal(ss_os_unlink(dfd, ".a.sshsync-notours"), 0);
	assert_int_equal(ss_os_unlink(dfd, "a"), 0);
	ss_os_close(dfd);
	assert_int_equal(ss_os_remove_dir(dir), 0);
	free(live_name);
	free(dir);
}

static void test_sys(void **state)
{
	(void)state;
	unsigned char md[32];
	assert_int_equal(ss_os_sha256("abc", 3, md), 0);
	static const unsigned char abc[4] = {0xba, 0x78, 0x16, 0xbf};
	assert_memory_equal(md, abc, 4);
	unsigned char r1[16] = {0}, r2[16] = {0};
	assert_int_equal(ss_os_random(r1, sizeof(r1)), 0);
	assert_int_equal(ss_os_random(r2, sizeof(r2)), 0);
	assert_memory_not_equal(r1, r2, sizeof(r1));
	struct tm tm;
	assert_int_equal(ss_os_gmtime((time_t)86400, &tm), 0);
	assert_int_equal(tm.tm_year, 70);
	assert_int_equal(tm.tm_mday, 2);
	char host[256];
	assert_int_equal(ss_os_hostname(host, sizeof(host)), 0);
	assert_true(host[0] != '\0');
	/* "é" in UTF-8 and back through CP1251 (which has no é) and CP1252 */
	char *out = NULL;
	size_t n = 0;
	assert_int_equal(ss_os_convert("CP1252", "UTF-8", "\xc3\xa9", 2, &out, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal((unsigned char)out[0], 0xe9);
	free(out);
	assert_int_equal(ss_os_convert("UTF-8", "1251", "\xe9", 1, &out, &n), 0);
	assert_string_equal(out, "\xd0\xb9"); /* й */
	free(out);
	assert_int_equal(ss_os_convert("1251", "UTF-8", "\xc3\xa9", 2, &out, &n), -2);
	assert_int_equal(ss_os_convert("UTF-8", "no-such-code-page", "a", 1, &out, &n), -2);
}

static void test_net(void **state)
{
	(void)state;
	ss_os_addr a;
	assert_int_equal(ss_os_parse_numeric_addr("192.168.1.20", &a), 0);
	assert_int_equal(a.family, 4);
	assert_int_equal(a.b[0], 192);
	assert_int_equal(a.b[3], 20);
	assert_int_equal(ss_os_parse_numeric_addr("::1", &a), 0);
	assert_int_equal(a.family, 6);
	assert_int_equal(a.b[15], 1);
	assert_int_equal(ss_os_parse_numeric_addr("web.example.org", &a), -1);
	assert_true(ss_os_is_inet_addr("10.0.0.1"));
	assert_true(ss_os_is_inet_addr("fe80::1"));
	assert_false(ss_os_is_inet_addr("10.1")); /* inet_pton wants four parts */
	assert_int_equal(ss_os_service_port("ssh"), 22);
	assert_int_equal(ss_os_service_port("no-such-service-sshsync"), -1);
}

/* Two threads take turns through a monitor: each waits for its turn,
 * counts, and hands the turn over. A lost wake-up hangs; a missing lock
 * loses counts. */
typedef struct turns {
	ss_os_monitor *m;
	int turn; /* whose: 0 or 1 */
	int count;
} turns;

enum { TURNS = 2000 };

static void take_turns(turns *t, int me)
{
	for (int i = 0; i < TURNS; i++) {
		ss_os_monitor_enter(t->m);
		while (t->turn != me)
			ss_os_monitor_wait(t->m);
		t->count++;
		t->turn = !me;
		ss_os_monitor_wake(t->m);
		ss_os_monitor_leave(t->m);
	}
}

static void second_player(void *arg)
{
	take_turns(arg, 1);
}

static void test_monitor_turns(void **state)
{
	(void)state;
	turns t = {ss_os_monitor_new(), 0, 0};
	assert_non_null(t.m);
	ss_os_thread *other = NULL;
	assert_int_equal(ss_os_thread_start(&other, second_player, &t), 0);
	take_turns(&t, 0);
	ss_os_thread_join(other);
	assert_int_equal(t.count, 2 * TURNS);
	assert_int_equal(t.turn, 0);
	ss_os_monitor_free(t.m);
	ss_os_monitor_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_paths),	cmocka_unit_test(test_glob_and_list),
	    cmocka_unit_test(test_new_file),	cmocka_unit_test(test_sys),
	    cmocka_unit_test(test_net),		cmocka_unit_test(test_monitor_turns),
	    cmocka_unit_test(test_stale_temps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
