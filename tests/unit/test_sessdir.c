/* store/sessdir: PuTTY Unix and KiTTY portable session files. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sshsync/sessdir.h"
#include "testutil.h"

typedef struct fixture {
	ss_text t;
	ss_sessfile sf;
	ss_edits e;
	ss_buf out;
	ss_diag d;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	*state = f;
	return f ? 0 : -1;
}

static int teardown(void **state)
{
	fixture *f = *state;
	ss_sessfile_free(&f->sf);
	ss_text_free(&f->t);
	ss_edits_free(&f->e);
	ss_buf_release(&f->out);
	ss_diag_clear(&f->d);
	free(f);
	return 0;
}

static void load(fixture *f, const char *s, ss_sessfmt fmt)
{
	assert_int_equal(ss_text_from_bytes(&f->t, "sess", s, strlen(s), &f->d), 0);
	assert_int_equal(ss_sessfile_parse(&f->sf, &f->t, fmt, &f->d), 0);
}

static const char *value(fixture *f, const char *key)
{
	const ss_sessentry *e = ss_sessfile_get(&f->sf, key);
	if (!e)
		return NULL;
	ss_buf_reset(&f->out);
	assert_int_equal(ss_sessfile_value(&f->sf, e, &f->out), 0);
	return ss_buf_str(&f->out);
}

static const char *render(fixture *f)
{
	ss_buf_reset(&f->out);
	assert_int_equal(ss_edits_render(&f->t, &f->e, &f->out, &f->d), 0);
	return ss_buf_str(&f->out);
}

static void test_putty_first_duplicate_wins(void **state)
{
	fixture *f = *state;
	load(f, "HostName=a=b\nno equals sign\nPingInterval=1\r\nPingInterval=5\n=x\n",
	     SS_SESS_PUTTY);
	assert_string_equal(value(f, "HostName"), "a=b");
	assert_string_equal(value(f, "PingInterval"), "1");
	assert_string_equal(value(f, ""), "x");
	assert_null(value(f, "pinginterval")); /* keys are case-sensitive */
	assert_null(value(f, "no equals sign"));
}

static void test_putty_set_and_append(void **state)
{
	fixture *f = *state;
	load(f, "PingInterval=0\r\nX=y", SS_SESS_PUTTY);
	assert_int_equal(
	    ss_sessfile_set(&f->sf, &f->e, ss_sessfile_get(&f->sf, "PingInterval"), "1"), 0);
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "PingIntervalSecs", "0"), 0);
	assert_string_equal(render(f), "PingInterval=1\r\nX=y\r\nPingIntervalSecs=0\r\n");
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "a=b", "0"), -1);
	assert_int_equal(ss_sessfile_set(&f->sf, &f->e, ss_sessfile_get(&f->sf, "X"), "a\nb"), -1);
}

static void test_kitty_last_duplicate_wins_and_unescapes(void **state)
{
	fixture *f = *state;
	load(f,
	     "HostName\\my%20host%3A22\\\nPingInterval\\1\\\r\n\\nameless\\\n"
	     "PingInterval\\2\\\nMulti\\a\nb\\\nEnd\\e\\\n",
	     SS_SESS_KITTY);
	assert_string_equal(value(f, "HostName"), "my host:22");
	assert_string_equal(value(f, "PingInterval"), "2");
	assert_string_equal(value(f, "End"), "e");
	assert_int_equal(f->sf.n, 5);
	const ss_sessentry *m = ss_sessfile_get(&f->sf, "Multi");
	assert_non_null(m);
	assert_int_equal(m->nlines, 2);
}

static void test_kitty_set_escapes(void **state)
{
	fixture *f = *state;
	load(f, "PingInterval\\0\\\nX\\y\\", SS_SESS_KITTY);
	assert_int_equal(ss_sessfile_set(&f->sf, &f->e, ss_sessfile_get(&f->sf, "X"), ".a b:/"), 0);
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "PingIntervalSecs", "30"), 0);
	assert_string_equal(render(f),
			    "PingInterval\\0\\\nX\\%2Ea%20b%3A%2F\\\nPingIntervalSecs\\30\\\n");
}

/* Found by tests/fuzz (fuzz_sessfile); shared/repro/d05, d05b, d05c, d26. */
static void test_kitty_append_after_open_record(void **state)
{
	fixture *f = *state;
	load(f, "HostName\\h\\\nTermType\\xterm", SS_SESS_KITTY);
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "PingInterval", "1"), 0);
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "PingIntervalSecs", "0"), 0);
	assert_string_equal(render(f), "HostName\\h\\\nTermType\\xterm\n\nPingInterval\\1\\\n"
				       "PingIntervalSecs\\0\\\n");
}

static void test_kitty_set_empty_value_closes_record(void **state)
{
	fixture *f = *state;
	load(f, "PingInterval\\\nTermType\\xterm\\\n", SS_SESS_KITTY);
	assert_string_equal(value(f, "PingInterval"), "");
	assert_int_equal(
	    ss_sessfile_set(&f->sf, &f->e, ss_sessfile_get(&f->sf, "PingInterval"), "1"), 0);
	assert_string_equal(render(f), "PingInterval\\1\\\nTermType\\xterm\\\n");
}

static void test_kitty_blank_line_ends_record(void **state)
{
	fixture *f = *state;
	load(f, "PingIntervalSecs\\5\n\nTermType\\xterm\\\n", SS_SESS_KITTY);
	assert_string_equal(value(f, "PingIntervalSecs"), "5");
	assert_string_equal(value(f, "TermType"), "xterm");
	assert_int_equal(
	    ss_sessfile_set(&f->sf, &f->e, ss_sessfile_get(&f->sf, "PingIntervalSecs"), "0"), 0);
	assert_string_equal(render(f), "PingIntervalSecs\\0\\\n\nTermType\\xterm\\\n");
}

static void test_putty_empty_last_value_then_append(void **state)
{
	fixture *f = *state;
	load(f, "HostName=h\nTCPKeepalives=", SS_SESS_PUTTY);
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "PingInterval", "1"), 0);
	assert_int_equal(
	    ss_sessfile_set(&f->sf, &f->e, ss_sessfile_get(&f->sf, "TCPKeepalives"), "1"), 0);
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "PingIntervalSecs", "0"), 0);
	assert_string_equal(render(f),
			    "HostName=h\nTCPKeepalives=1\nPingInterval=1\nPingIntervalSecs=0\n");
}

static void test_round_trip_is_byte_identical(void **state)
{
	fixture *f = *state;
	const char *s = "a=1\r\nb\n\n=\nc=2\rd\nno final newline";
	load(f, s, SS_SESS_PUTTY);
	assert_string_equal(render(f), s);
	ss_sessfile_free(&f->sf);
	assert_int_equal(ss_sessfile_parse(&f->sf, &f->t, SS_SESS_KITTY, &f->d), 0);
	assert_string_equal(render(f), s);
}

static void test_names(void **state)
{
	(void)state;
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_sessname_to_file("", SS_SESS_PUTTY, &b), 0);
	assert_string_equal(ss_buf_str(&b), "Default%20Settings");
	ss_buf_reset(&b);
	assert_int_equal(ss_sessname_to_file("a/b c.d@e+f-g_h%\xc3\xa9", SS_SESS_PUTTY, &b), 0);
	assert_string_equal(ss_buf_str(&b), "a%2Fb%20c.d@e+f-g_h%25%C3%A9");
	ss_buf_reset(&b);
	assert_int_equal(ss_sessname_to_file(".x:y|z", SS_SESS_KITTY, &b), 0);
	assert_string_equal(ss_buf_str(&b), "%2Ex%3Ay%7Cz");
	ss_buf_reset(&b);
	assert_int_equal(ss_sessname_from_file("a%20b%C3%A9%", 12, &b), 0);
	assert_string_equal(ss_buf_str(&b), "a b\xc3\xa9%");
	/* PuTTY's decoder only knows uppercase hex: "%2a" is not '*'. */
	ss_buf_reset(&b);
	assert_int_equal(ss_sessname_from_file("%2a", 3, &b), 0);
	assert_int_equal((unsigned char)b.data[0], (unsigned char)((2 << 4) + ('a' - '0' - 7)));
	ss_buf_release(&b);
}

static void test_list_dir(void **state)
{
	fixture *f = *state;
	char *dir = tu_tempdir();
	char *p;
	tu_write_str(p = tu_path(dir, "b"), "");
	free(p);
	tu_write_str(p = tu_path(dir, "a%20b"), "");
	free(p);
	tu_write_str(p = tu_path(dir, "a%20b.sshsync-bak"), "");
	free(p);
	assert_int_equal(mkdir(p = tu_path(dir, "folder"), 0700), 0);
	free(p);
	tu_write_str(p = tu_path(dir, "folder/c"), "");
	free(p);
	ss_strlist l = SS_STRLIST_INIT;
	assert_int_equal(ss_sessdir_list(dir, SS_SESS_PUTTY, &l, &f->d), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "a%20b");
	assert_string_equal(l.v[1], "b");
	ss_strlist_release(&l);
	assert_int_equal(ss_sessdir_list(dir, SS_SESS_KITTY, &l, &f->d), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[2], "folder/c");
	ss_strlist_release(&l);
	p = tu_path(dir, "missing");
	assert_int_equal(ss_sessdir_list(p, SS_SESS_PUTTY, &l, &f->d), -1);
	assert_non_null(strstr(f->d.message, "cannot read the session directory"));
	free(p);
	tu_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_putty_first_duplicate_wins, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_putty_set_and_append, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kitty_last_duplicate_wins_and_unescapes, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_kitty_set_escapes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kitty_append_after_open_record, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kitty_set_empty_value_closes_record, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_kitty_blank_line_ends_record, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_putty_empty_last_value_then_append, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_round_trip_is_byte_identical, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_list_dir, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
