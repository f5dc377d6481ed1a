/* store/sessdir: PuTTY Unix and KiTTY portable session files. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	    ss_sessfile_set(&f->sf, &f->e, ss_sessfile_get(&f->sf, "PingInterval"), "1", &f->d), 0);
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "PingIntervalSecs", "0", &f->d), 0);
	assert_string_equal(render(f), "PingInterval=1\r\nX=y\r\nPingIntervalSecs=0");
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "a=b", "0", &f->d), -1);
	assert_int_equal(
	    ss_sessfile_set(&f->sf, &f->e, ss_sessfile_get(&f->sf, "X"), "a\nb", &f->d), -1);
}

/* "TCPKeepalives=" as the last line without a newline: the value goes on
 * that line, the new lines after it, and the file still has no final newline. */
static void test_putty_empty_last_value(void **state)
{
	fixture *f = *state;
	load(f, "HostName=h\nTCPKeepalives=", SS_SESS_PUTTY);
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "PingInterval", "1", &f->d), 0);
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "PingIntervalSecs", "0", &f->d), 0);
	assert_int_equal(
	    ss_sessfile_set(&f->sf, &f->e, ss_sessfile_get(&f->sf, "TCPKeepalives"), "1", &f->d),
	    0);
	assert_string_equal(render(f),
			    "HostName=h\nTCPKeepalives=1\nPingInterval=1\nPingIntervalSecs=0");
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
	assert_string_equal(value(f, "Multi"), "ab"); /* joined with nothing between */
}

/* KiTTY's SettingsLoad, shape by shape. */
static void test_kitty_records_as_kitty_reads_them(void **state)
{
	fixture *f = *state;
	/* A blank line does not end a record: the next line joins it. */
	load(f, "\n\nA\\5\n\r\nB\\x\\\nC\\\nD\\%41\\\\\nE", SS_SESS_KITTY);
	assert_string_equal(value(f, "A"), "5B\\x");
	assert_null(value(f, "B"));
	assert_string_equal(value(f, "C"), "");	   /* "Name\" alone: empty */
	assert_string_equal(value(f, "D"), "A\\"); /* the last '\' closes, one stays */
	assert_string_equal(value(f, "E"), "");	   /* no '\' at the end of the file */
	assert_int_equal(f->sf.n, 4);
	/* Re-parse: render of nothing is the same file. */
	assert_string_equal(render(f), "\n\nA\\5\n\r\nB\\x\\\nC\\\nD\\%41\\\\\nE");
}

/* An open last record with a NUL byte cannot be closed (KiTTY loses the
 * line's end at the NUL): appending is refused, not glued onto it (found by
 * tests/fuzz, fuzz_sessfile). */
static void test_kitty_open_record_with_nul_is_refused(void **state)
{
	fixture *f = *state;
	static const char s[] = "HostName\\h\\\nTerm\xab\0\0me=\n";
	assert_int_equal(ss_text_from_bytes(&f->t, "sess", s, sizeof(s) - 1, &f->d), 0);
	assert_int_equal(ss_sessfile_parse(&f->sf, &f->t, SS_SESS_KITTY, &f->d), 0);
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "PingInterval", "1", &f->d), -1);
	assert_non_null(strstr(f->d.message, "NUL byte"));
	assert_int_equal(f->e.n, 0);
	/* Also when a '\' comes before the NUL: the line's end is lost all the
	 * same. */
	ss_diag_clear(&f->d);
	ss_sessfile_free(&f->sf);
	ss_text_free(&f->t);
	static const char s2[] = "HostName\\h\\\nPr\\\0\0x";
	assert_int_equal(ss_text_from_bytes(&f->t, "sess", s2, sizeof(s2) - 1, &f->d), 0);
	assert_int_equal(ss_sessfile_parse(&f->sf, &f->t, SS_SESS_KITTY, &f->d), 0);
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "PingInterval", "1", &f->d), -1);
}

static void test_kitty_unterminated_last_record_is_closed_first(void **state)
{
	fixture *f = *state;
	load(f, "HostName\\h\\\nTermType\\xterm", SS_SESS_KITTY);
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "PingInterval", "1", &f->d), 0);
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "PingIntervalSecs", "0", &f->d), 0);
	assert_string_equal(render(f), "HostName\\h\\\nTermType\\xterm\\\nPingInterval\\1\\\n"
				       "PingIntervalSecs\\0\\");
	/* A changed open last record, then new lines: one closing '\'. */
	ss_edits_free(&f->e);
	ss_sessfile_free(&f->sf);
	ss_text_free(&f->t);
	load(f, "A\\1\\\nPingInterval\\5\r", SS_SESS_KITTY);
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "PingIntervalSecs", "0", &f->d), 0);
	assert_int_equal(
	    ss_sessfile_set(&f->sf, &f->e, ss_sessfile_get(&f->sf, "PingInterval"), "1", &f->d), 0);
	assert_string_equal(render(f), "A\\1\\\nPingInterval\\1\\\r\nPingIntervalSecs\\0\\");
	/* A nameless open record swallows what follows it as much as any. */
	ss_edits_free(&f->e);
	ss_sessfile_free(&f->sf);
	ss_text_free(&f->t);
	load(f, "\\junk\n", SS_SESS_KITTY);
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "X", "1", &f->d), 0);
	assert_string_equal(render(f), "\\junk\\\nX\\1\\\n");
}

static void test_kitty_empty_and_bare_values(void **state)
{
	fixture *f = *state;
	load(f, "HostName\\srv\\\nPingInterval\\\nTermType\\xterm\\\n", SS_SESS_KITTY);
	assert_string_equal(value(f, "PingInterval"), "");
	assert_int_equal(
	    ss_sessfile_set(&f->sf, &f->e, ss_sessfile_get(&f->sf, "PingInterval"), "1", &f->d), 0);
	assert_string_equal(render(f), "HostName\\srv\\\nPingInterval\\1\\\nTermType\\xterm\\\n");
	ss_edits_free(&f->e);
	ss_sessfile_free(&f->sf);
	ss_text_free(&f->t);
	load(f, "PingInterval", SS_SESS_KITTY);
	assert_string_equal(value(f, "PingInterval"), "");
	assert_int_equal(
	    ss_sessfile_set(&f->sf, &f->e, ss_sessfile_get(&f->sf, "PingInterval"), "1", &f->d), 0);
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "X", "y", &f->d), 0);
	assert_string_equal(render(f), "PingInterval\\1\\\nX\\y\\");
}

static void test_kitty_value_over_several_lines_is_refused(void **state)
{
	fixture *f = *state;
	load(f, "HostName\\srv\\\nPingIntervalSecs\\5\n\nTermType\\xterm\\\n", SS_SESS_KITTY);
	assert_string_equal(value(f, "PingIntervalSecs"), "5TermType\\xterm");
	assert_null(value(f, "TermType"));
	assert_int_equal(
	    ss_sessfile_set(&f->sf, &f->e, ss_sessfile_get(&f->sf, "PingIntervalSecs"), "0", &f->d),
	    -1);
	assert_non_null(strstr(f->d.message, "lines 2 to 4 as one setting"));
	assert_int_equal(f->d.line, 2);
	assert_int_equal(f->e.n, 0);
	/* Trailing blank lines at the end of the file: one line, editable. */
	ss_sessfile_free(&f->sf);
	ss_text_free(&f->t);
	ss_diag_clear(&f->d);
	load(f, "PingIntervalSecs\\5\n\n", SS_SESS_KITTY);
	assert_int_equal(
	    ss_sessfile_set(&f->sf, &f->e, ss_sessfile_get(&f->sf, "PingIntervalSecs"), "0", &f->d),
	    0);
	assert_string_equal(render(f), "PingIntervalSecs\\0\n\n");
}

/* Generated KiTTY files: after setting or appending two keys, every other
 * key reads exactly as before and the two read the new values. */
static void test_kitty_edits_keep_every_other_record(void **state)
{
	fixture *f = *state;
	static const char *const pieces[] = {"A\\1\\",
					     "B\\x",
					     "",
					     "\\",
					     "C\\",
					     "PingInterval\\5\\",
					     "PingInterval\\",
					     "PingIntervalSecs\\7",
					     "\r",
					     "D\\y\\\r",
					     "E\\%41\\",
					     "PingInterval",
					     "F\\a b\\"};
	static const char *const keys[] = {
	    "A", "B", "C", "D", "E", "F", "PingInterval", "PingIntervalSecs"};
	uint32_t seed = 12345;
	int cases = 0, edited = 0, refused = 0;
	for (int c = 0; c < 3000; c++) {
		ss_buf in = SS_BUF_INIT;
		tu_lcg(&seed);
		int n = (int)(seed >> 16) % 7;
		for (int i = 0; i < n; i++) {
			tu_lcg(&seed);
			ss_buf_adds(&in, pieces[(seed >> 16) % (sizeof(pieces) / sizeof(*pieces))]);
			if (i + 1 < n || (seed >> 8) % 2)
				ss_buf_addc(&in, '\n');
		}
		load(f, ss_buf_str(&in), SS_SESS_KITTY);
		char *before[8] = {0};
		for (int k = 0; k < 8; k++) {
			const char *v = value(f, keys[k]);
			before[k] = v ? strdup(v) : NULL;
		}
		int r = 0;
		const char *want[2] = {"60", "0"};
		for (int k = 0; k < 2 && r == 0; k++) {
			const ss_sessentry *e = ss_sessfile_get(&f->sf, keys[6 + k]);
			r = e ? ss_sessfile_set(&f->sf, &f->e, e, want[k], &f->d)
			      : ss_sessfile_append(&f->sf, &f->e, keys[6 + k], want[k], &f->d);
		}
		cases++;
		if (r < 0) {
			refused++;
			assert_non_null(strstr(f->d.message, "as one setting"));
		} else {
			edited++;
			char *out = strdup(render(f));
			ss_edits_free(&f->e);
			ss_sessfile_free(&f->sf);
			ss_text_free(&f->t);
			load(f, out, SS_SESS_KITTY);
			for (int k = 0; k < 6; k++) {
				const char *v = value(f, keys[k]);
				if (!before[k])
					assert_null(v);
				else
					assert_string_equal(v ? v : "(none)", before[k]);
			}
			assert_string_equal(value(f, "PingInterval"), "60");
			assert_string_equal(value(f, "PingIntervalSecs"), "0");
			/* The file ends as it did: with or without a newline. */
			if (in.len)
				assert_int_equal(in.data[in.len - 1] == '\n',
						 out[strlen(out) - 1] == '\n');
			free(out);
		}
		for (int k = 0; k < 8; k++)
			free(before[k]);
		ss_edits_free(&f->e);
		ss_sessfile_free(&f->sf);
		ss_text_free(&f->t);
		ss_diag_clear(&f->d);
		ss_buf_release(&in);
	}
	print_message("kitty generated files: %d, edited and checked %d, refused %d\n", cases,
		      edited, refused);
	assert_true(edited > cases / 2);
}

static void test_kitty_set_escapes(void **state)
{
	fixture *f = *state;
	load(f, "PingInterval\\0\\\nX\\y\\", SS_SESS_KITTY);
	assert_int_equal(
	    ss_sessfile_set(&f->sf, &f->e, ss_sessfile_get(&f->sf, "X"), ".a b:/", &f->d), 0);
	assert_int_equal(ss_sessfile_append(&f->sf, &f->e, "PingIntervalSecs", "30", &f->d), 0);
	assert_string_equal(render(f),
			    "PingInterval\\0\\\nX\\%2Ea%20b%3A%2F\\\nPingIntervalSecs\\30\\");
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
	/* Links that loop back up are not followed again: each session once. */
	assert_int_equal(symlink(".", p = tu_path(dir, "loop")), 0);
	free(p);
	assert_int_equal(symlink("..", p = tu_path(dir, "folder/up")), 0);
	free(p);
	assert_int_equal(symlink("self", p = tu_path(dir, "self")), 0); /* ELOOP */
	free(p);
	assert_int_equal(mkfifo(p = tu_path(dir, "fifo"), 0600), 0);
	free(p);
	assert_int_equal(ss_sessdir_list(dir, SS_SESS_KITTY, &l, &f->d), 0);
	assert_int_equal(l.n, 3);
	ss_strlist_release(&l);
	p = tu_path(dir, "missing");
	assert_int_equal(ss_sessdir_list(p, SS_SESS_PUTTY, &l, &f->d), -1);
	assert_non_null(strstr(f->d.message, "cannot read the session directory"));
	free(p);
	tu_rmtree(dir);
	free(dir);
}

/* Session files against ssh_config snippets and each other's format. */
static void test_misfit(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		ss_sessfmt fmt;
		long offset; /* -1: fits */
	} cases[] = {
	    {"", SS_SESS_PUTTY, -1},
	    {"HostName=web\nPingInterval=0\n\nColour0=187,187,187\n", SS_SESS_PUTTY, -1},
	    {"HostName=web\r\nLogFileName=C:\\x\\putty.log\r\n", SS_SESS_PUTTY, -1},
	    {"Host web\n  User me\n", SS_SESS_PUTTY, 0},
	    {"HostName=web\nServerAliveInterval 30\n", SS_SESS_PUTTY, 13},
	    {"Host Name=web\n", SS_SESS_PUTTY, 0},
	    {"=web\n", SS_SESS_PUTTY, 0},
	    {"HostName\\web\\\n", SS_SESS_PUTTY, 0},
	    {"HostName\\web\\\nPingInterval\\0\\\n", SS_SESS_KITTY, -1},
	    {"Note\\line one\nline two = anything\\\nPort\\22\\\n", SS_SESS_KITTY, -1},
	    {"HostName=web\n", SS_SESS_KITTY, 0},
	    {"HostName\\web\\\nHost web\n", SS_SESS_KITTY, 14},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t off = 999;
		const char *why =
		    ss_sessfile_misfit(cases[i].text, strlen(cases[i].text), cases[i].fmt, &off);
		if (cases[i].offset < 0) {
			assert_null(why);
		} else {
			assert_non_null(why);
			assert_int_equal(off, (size_t)cases[i].offset);
		}
	}
	size_t off = 0;
	assert_non_null(ss_sessfile_misfit("HostName=a\0b\n", 13, SS_SESS_PUTTY, &off));
	assert_int_equal(off, 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_putty_first_duplicate_wins, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_putty_set_and_append, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kitty_last_duplicate_wins_and_unescapes, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_kitty_set_escapes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_putty_empty_last_value, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kitty_records_as_kitty_reads_them, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_kitty_unterminated_last_record_is_closed_first,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kitty_open_record_with_nul_is_refused, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_kitty_empty_and_bare_values, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kitty_value_over_several_lines_is_refused, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_kitty_edits_keep_every_other_record, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_round_trip_is_byte_identical, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_list_dir, setup, teardown),
	    cmocka_unit_test(test_misfit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
