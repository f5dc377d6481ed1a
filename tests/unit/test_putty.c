/* client/putty: PuTTY and KiTTY sessions in .reg files and session directories. */
#include <stdlib.h>
#include <string.h>

#include "sshsync/clients.h"
#include "sshsync/putty.h"
#include "sshsync/regfile.h"
#include "testutil.h"
#include "sshsync/os_file.h"

#define HDR "Windows Registry Editor Version 5.00\r\n\r\n"
#define SESS "HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\"

typedef struct fixture {
	char *dir;
	ss_scopes scopes;
	ss_changeset cs;
	ss_regplan plan;
	ss_policy p;
	ss_diag d;
	ss_buf out;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->dir = tu_tempdir();
	ss_policy_init(&f->p);
	f->p.interval = 60;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	tu_rmtree(f->dir);
	free(f->dir);
	ss_scopes_free(&f->scopes);
	ss_changeset_free(&f->cs);
	ss_regplan_free(&f->plan);
	ss_diag_clear(&f->d);
	ss_buf_release(&f->out);
	free(f);
	return 0;
}

static char *file(fixture *f, const char *name, const char *content)
{
	char *p = tu_path(f->dir, name);
	tu_write_str(p, content);
	return p;
}

static void audit(fixture *f, const ss_client *c, const char *path)
{
	ss_scopes_free(&f->scopes);
	if (c->audit(path, NULL, &f->scopes, &f->d) < 0)
		fail_msg("%s", f->d.message);
}

static const ss_scope *scope(fixture *f, const char *name)
{
	for (size_t i = 0; i < f->scopes.n; i++)
		if (strcmp(f->scopes.v[i].name, name) == 0)
			return &f->scopes.v[i];
	fail_msg("no scope %s", name);
	return NULL;
}

/* Applies and returns the rendered decoded text of the first change. */
static const char *apply(fixture *f, const ss_client *c, const char *path)
{
	ss_changeset_free(&f->cs);
	if (c->apply(path, &f->p, &f->cs, &f->d) < 0)
		fail_msg("%s", f->d.message);
	if (f->cs.n == 0)
		return NULL;
	ss_buf_reset(&f->out);
	assert_int_equal(ss_edits_render(f->cs.v[0].text, &f->cs.v[0].edits, &f->out, &f->d), 0);
	return ss_buf_str(&f->out);
}

static void test_escape_names_like_putty(void **state)
{
	(void)state;
	struct {
		const char *in, *out;
	} cases[] = {
	    {"web 1", "web%201"},
	    {".x.y", "%2Ex.y"},
	    {"a\\b*c?d%e", "a%5Cb%2Ac%3Fd%25e"},
	    {"a]b\"c[", "a]b\"c["},
	    {"line\nbreak\r", "line%0Abreak%0D"},
	    {"caf\xc3\xa9~\x7f", "caf%C3%A9~%7F"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ss_buf b = SS_BUF_INIT;
		assert_int_equal(ss_putty_escape_name(cases[i].in, &b), 0);
		assert_string_equal(ss_buf_str(&b), cases[i].out);
		ss_buf back = SS_BUF_INIT;
		assert_int_equal(ss_putty_unescape_name(b.data, b.len, &back), 0);
		assert_string_equal(ss_buf_str(&back), cases[i].in);
		ss_buf_release(&b);
		ss_buf_release(&back);
	}
}

static const char REG[] =
    HDR "[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\SshHostKeys]\r\n"
	"\"PingInterval\"=dword:00000000\r\n\r\n"
	"[" SESS "Default%20Settings]\r\n\"PingInterval\"=dword:00000001\r\n"
	"\"PingIntervalSecs\"=dword:0000001e\r\n\"TCPKeepalives\"=dword:00000001\r\n\r\n"
	"[" SESS "str]\r\n\"PingInterval\"=\"1\"\r\n\"PingIntervalSecs\"=dword:00000005\r\n"
	"; a comment\r\n\r\n"
	"[" SESS "str\\Sub]\r\n\"PingInterval\"=dword:00000009\r\n\r\n"
	"[" SESS "gone]\r\n\"PingInterval\"=dword:00000001\r\n[-" SESS "gone]\r\n\r\n"
	"[" SESS "neg]\r\n\"PingInterval\"=dword:ffffffff\r\n\r\n"
	"[" SESS "empty]\r\n\r\n"
	"[HKEY_USERS\\S-1-5-21\\SOFTWARE\\SimonTatham\\PuTTY\\Sessions\\other%20user]\n"
	"\"PingIntervalSecs\"=dword:3c\n";

static void test_audit_reg(void **state)
{
	fixture *f = *state;
	char *path = file(f, "s.reg", REG);
	audit(f, &ss_client_putty, path);
	assert_int_equal(f->scopes.n, 5);
	const ss_scope *s = scope(f, "Default Settings");
	assert_int_equal(s->interval, 90);
	assert_int_equal(s->tcp_keepalive, 1);
	assert_non_null(strstr(s->set_at, "s.reg:8"));
	assert_false(ss_scope_failed(s));

	s = scope(f, "str"); /* a string PingInterval reads as 0 */
	assert_int_equal(s->interval, 5);
	assert_int_equal(s->tcp_keepalive, 0);
	assert_true(ss_scope_failed(s));
	assert_non_null(strstr(s->reasons.v[0], "PingInterval at"));
	assert_non_null(strstr(s->reasons.v[0], "is a string"));
	assert_non_null(strstr(s->set_at, "s.reg:13")); /* the dword, not the string */

	s = scope(f, "neg");
	assert_int_equal(s->interval, 0);
	assert_true(ss_scope_failed(s));

	s = scope(f, "empty"); /* compiled-in defaults, not Default Settings */
	assert_int_equal(s->interval, 0);
	assert_null(s->set_at);

	s = scope(f, "other user");
	assert_int_equal(s->interval, 60);
	free(path);

	/* KiTTY reads its own key only. */
	path = file(f, "k.reg",
		    HDR "[HKEY_CURRENT_USER\\Software\\9bis.com\\KiTTY\\Sessions\\k]\r\n"
			"\"PingIntervalSecs\"=dword:0000003c\r\n");
	audit(f, &ss_client_putty, path);
	assert_int_equal(f->scopes.n, 0);
	audit(f, &ss_client_kitty, path);
	assert_int_equal(f->scopes.n, 2);
	assert_string_equal(f->scopes.v[1].kind, "kitty");
	assert_int_equal(scope(f, "k")->interval, 60);
	/* No Default Settings stored: new sessions get PuTTY's defaults. */
	assert_int_equal(scope(f, "Default Settings")->interval, 0);
	assert_null(scope(f, "Default Settings")->set_at);
	free(path);
}

static void test_apply_reg(void **state)
{
	fixture *f = *state;
	char *path = file(f, "s.reg", REG);
	f->p.tcp_keepalive = 1;
	const char *got = apply(f, &ss_client_putty, path);
	assert_int_equal(f->cs.n, 1);
	const char *want =
	    HDR "[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\SshHostKeys]\r\n"
		"\"PingInterval\"=dword:00000000\r\n\r\n"
		"[" SESS "Default%20Settings]\r\n\"PingInterval\"=dword:00000001\r\n"
		"\"PingIntervalSecs\"=dword:00000000\r\n\"TCPKeepalives\"=dword:00000001\r\n\r\n"
		"[" SESS "str]\r\n\"PingInterval\"=dword:00000001\r\n"
		"\"PingIntervalSecs\"=dword:00000000\r\n\"TCPKeepalives\"=dword:00000001\r\n"
		"; a comment\r\n\r\n"
		"[" SESS "str\\Sub]\r\n\"PingInterval\"=dword:00000009\r\n\r\n"
		"[" SESS "gone]\r\n\"PingInterval\"=dword:00000001\r\n[-" SESS "gone]\r\n\r\n"
		"[" SESS "neg]\r\n\"PingInterval\"=dword:00000001\r\n"
		"\"PingIntervalSecs\"=dword:00000000\r\n\"TCPKeepalives\"=dword:00000001\r\n\r\n"
		"[" SESS "empty]\r\n\"PingInterval\"=dword:00000001\r\n"
		"\"PingIntervalSecs\"=dword:00000000\r\n\"TCPKeepalives\"=dword:00000001\r\n\r\n"
		"[HKEY_USERS\\S-1-5-21\\SOFTWARE\\SimonTatham\\PuTTY\\Sessions\\other%20user]\n"
		"\"PingIntervalSecs\"=dword:00000000\n\"PingInterval\"=dword:00000001\n"
		"\"TCPKeepalives\"=dword:00000001\n";
	assert_string_equal(got, want);

	/* Applied again, the result changes nothing. */
	char *path2 = file(f, "s2.reg", want);
	apply(f, &ss_client_putty, path2);
	assert_int_equal(f->cs.n, 1);
	assert_false(ss_edits_change_anything(f->cs.v[0].text, &f->cs.v[0].edits));
	free(path);
	free(path2);
}

/* One name under two hives is listed twice, and both are read from the
 * key found first for that name, as the store's lookup finds it (the
 * audit reads a key without a lookup only where each name is listed
 * once). */
static void test_audit_name_under_two_hives(void **state)
{
	fixture *f = *state;
	char *path = file(f, "h.reg",
			  "REGEDIT4\n\n"
			  "[HKEY_USERS\\S-1-5-21\\Software\\SimonTatham\\PuTTY\\Sessions\\web]\n"
			  "\"PingInterval\"=dword:00000001\n\n"
			  "[" SESS "web]\n\"PingInterval\"=dword:00000007\n\n");
	audit(f, &ss_client_putty, path);
	size_t webs = 0;
	for (size_t i = 0; i < f->scopes.n; i++) {
		const ss_scope *sc = &f->scopes.v[i];
		if (strcmp(sc->name, "web") != 0)
			continue;
		webs++;
		assert_int_equal(sc->interval, 60);
		assert_non_null(strstr(sc->set_at, ":4"));
	}
	assert_int_equal(webs, 2);
	free(path);
}

/* A key written twice is one key: every line that import still sees gets
 * the value, missing ones go into its last block; lines before a [-KEY]
 * are dead and stay. */
static void test_apply_duplicate_and_recreated_keys(void **state)
{
	fixture *f = *state;
	char *path = file(f, "d.reg",
			  "REGEDIT4\n\n[" SESS "Default%20Settings]\n\n"
			  "[" SESS "dup]\n\"PingInterval\"=dword:00000000\n\n"
			  "[" SESS "re]\n\"PingInterval\"=dword:00000000\n\n"
			  "[" SESS "DUP]\n\"PingIntervalSecs\"=dword:00000005\n\n"
			  "[-" SESS "re]\n\n[" SESS "re]\n\n");
	assert_string_equal(
	    apply(f, &ss_client_putty, path),
	    "REGEDIT4\n\n[" SESS "Default%20Settings]\n"
	    "\"PingInterval\"=dword:00000001\n\"PingIntervalSecs\"=dword:00000000\n\n"
	    "[" SESS "dup]\n\"PingInterval\"=dword:00000001\n\n"
	    "[" SESS "re]\n\"PingInterval\"=dword:00000000\n\n"
	    "[" SESS "DUP]\n\"PingIntervalSecs\"=dword:00000000\n\n"
	    "[-" SESS "re]\n\n[" SESS "re]\n"
	    "\"PingInterval\"=dword:00000001\n\"PingIntervalSecs\"=dword:00000000\n\n");
	audit(f, &ss_client_putty, path);
	assert_int_equal(f->scopes.n, 3);
	assert_int_equal(scope(f, "dup")->interval, 5);
	assert_int_equal(scope(f, "re")->interval, 0);
	free(path);
}

/* PuTTY keeps pingmin * 60 + pingsec in an int: it wraps (PuTTY's own
 * load_settings, tests/windows/putty_oracle.py, prints the same). */
static void test_interval_wraps_as_an_int(void **state)
{
	fixture *f = *state;
	char *path = file(f, "w.reg",
			  HDR "[" SESS "max]\r\n\"PingInterval\"=dword:02222222\r\n"
			      "\"PingIntervalSecs\"=dword:00000007\r\n\r\n"
			      "[" SESS "over]\r\n\"PingInterval\"=dword:02222223\r\n\r\n"
			      "[" SESS "minus]\r\n\"PingInterval\"=dword:7fffffff\r\n\r\n"
			      "[" SESS "round]\r\n\"PingInterval\"=dword:44444445\r\n"
			      "\"PingIntervalSecs\"=dword:00000010\r\n\r\n");
	audit(f, &ss_client_putty, path);
	assert_int_equal(scope(f, "max")->interval, 2147483647);
	/* 35791395 * 60 = 2147483700: -2147483596, no keepalives */
	assert_int_equal(scope(f, "over")->interval, 0);
	assert_non_null(strstr(scope(f, "over")->reasons.v[0], "(-2147483596)"));
	assert_int_equal(scope(f, "minus")->interval, 0); /* -60 */
	assert_non_null(strstr(scope(f, "minus")->reasons.v[0], "(-60)"));
	/* 0x44444445 * 60 + 16 = 16 * 2^32 + 60 */
	assert_int_equal(scope(f, "round")->interval, 60);
	free(path);
}

/* PuTTY lists a key by its unescaped name and loads the key that name
 * escapes to (windows/storage.c; putty-settings-oracle.exe shows it under
 * Wine): a key PuTTY did not write reads as another key, or as none. */
static void test_keys_putty_never_loads(void **state)
{
	fixture *f = *state;
	/* No byte order mark: Windows-1252, \xe9 is é. */
	char *path = file(f, "k.reg",
			  HDR "[" SESS "a b]\r\n\"PingInterval\"=dword:00000002\r\n\r\n"
			      "[" SESS "a%20b]\r\n\"PingIntervalSecs\"=dword:00000007\r\n\r\n"
			      "[" SESS "My Server]\r\n\"PingInterval\"=dword:00000002\r\n\r\n"
			      "[" SESS ".dot]\r\n\"PingInterval\"=dword:00000002\r\n\r\n"
			      "[" SESS "%41BC]\r\n\"PingInterval\"=dword:00000002\r\n\r\n"
			      "[" SESS "caf\xe9 x]\r\n\"PingInterval\"=dword:00000002\r\n\r\n"
			      "[" SESS "z\xe9]\r\n\"PingInterval\"=dword:00000002\r\n\r\n"
			      "[" SESS "z%E9]\r\n\"PingIntervalSecs\"=dword:00000009\r\n\r\n"
			      "[" SESS "%2Ex%25%2A]\r\n\"PingInterval\"=dword:00000003\r\n\r\n"
			      "[" SESS "x%2Ey]\r\n\"PingInterval\"=dword:00000003\r\n\r\n"
			      "[" SESS "%2e5]\r\n\"PingInterval\"=dword:00000003\r\n\r\n"
			      "[" SESS "Default%20Settings]\r\n\r\n");
	audit(f, &ss_client_putty, path);
	const ss_scope *s = &f->scopes.v[0];
	assert_string_equal(s->name, "a b"); /* the values of a%20b */
	assert_int_equal(s->interval, 7);
	assert_non_null(strstr(s->set_at, "k.reg:7"));
	assert_int_equal(f->scopes.v[1].interval, 7);
	const char *never[] = {"My Server", ".dot", "ABC", "caf\xc3\xa9 x"};
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
		s = scope(f, never[i]);
		assert_true(s->not_applicable);
		assert_int_equal(s->interval, 0);
		assert_int_equal(s->tcp_keepalive, 0);
		assert_non_null(strstr(s->reasons.v[0], "PuTTY lists "));
	}
	assert_non_null(strstr(scope(f, "My Server")->reasons.v[0], "from My%20Server,"));
	assert_non_null(strstr(scope(f, "ABC")->reasons.v[0], "from ABC,"));
	/* Escapes as PuTTY writes them read their own key; an escaped '.'
	 * past the first byte or lower-case hex (%2e is N there) do not. */
	assert_int_equal(scope(f, ".x%*")->interval, 180);
	assert_false(scope(f, ".x%*")->not_applicable);
	assert_true(scope(f, "x.y")->not_applicable);
	assert_non_null(strstr(scope(f, "x.y")->reasons.v[0], "from x.y,"));
	assert_true(scope(f, "N5")->not_applicable);
	assert_non_null(strstr(scope(f, "N5")->reasons.v[0], "from N5,"));
	/* z%E9 is the key in code page 1252 only: unknown in a file */
	s = scope(f, "z\xc3\xa9");
	assert_int_equal(s->interval, SS_UNKNOWN);
	assert_true(ss_scope_failed(s));
	assert_non_null(strstr(s->reasons.v[0], "depends on the code page"));

	/* apply writes the keys PuTTY loads, and leaves the others. */
	const char *got = apply(f, &ss_client_putty, path);
	assert_non_null(strstr(got, "[" SESS "a b]\r\n\"PingInterval\"=dword:00000002\r\n\r\n"));
	assert_non_null(strstr(got, "[" SESS "a%20b]\r\n\"PingIntervalSecs\"=dword:00000000\r\n"
				    "\"PingInterval\"=dword:00000001\r\n"));
	assert_non_null(strstr(got, "[" SESS "My Server]\r\n\"PingInterval\"=dword:00000002\r\n"));
	assert_non_null(strstr(got, "[" SESS "z\xe9]\r\n\"PingInterval\"=dword:00000002\r\n"));
	free(path);
}

static void test_apply_keeps_utf16_and_missing_final_newline(void **state)
{
	fixture *f = *state;
	const char *text = "REGEDIT4\r\n[" SESS "caf%C3%A9]\r\n\"X\"=\"\xc3\xa9\"";
	ss_text t;
	ss_buf raw = SS_BUF_INIT;
	assert_int_equal(ss_text_new_empty(&t, "x", SS_ENC_UTF16LE, SS_EOL_CRLF, &f->d), 0);
	assert_int_equal(ss_text_encode(&t, text, strlen(text), &raw, &f->d), 0);
	ss_text_free(&t);
	char *path = tu_path(f->dir, "u.reg");
	tu_write(path, raw.data, raw.len);
	ss_buf_release(&raw);
	assert_string_equal(
	    apply(f, &ss_client_putty, path),
	    "REGEDIT4\r\n[" SESS "caf%C3%A9]\r\n\"X\"=\"\xc3\xa9\"\r\n"
	    "\"PingInterval\"=dword:00000001\r\n\"PingIntervalSecs\"=dword:00000000"
	    /* No Default Settings: a new key after a blank line. */
	    "\r\n\r\n[" SESS "Default%20Settings]\r\n"
	    "\"PingInterval\"=dword:00000001\r\n\"PingIntervalSecs\"=dword:00000000");
	ss_buf bytes = SS_BUF_INIT;
	assert_int_equal(ss_edits_render_file(f->cs.v[0].text, &f->cs.v[0].edits, &bytes, &f->d),
			 0);
	assert_memory_equal(bytes.data, "\xff\xfeR\0E\0", 6);
	ss_buf_release(&bytes);
	free(path);
}

static void test_malformed_reg_is_an_error(void **state)
{
	fixture *f = *state;
	char *path = file(f, "bad.reg", HDR "[" SESS "x]\r\n\"PingInterval\"=dword:1234567890\r\n");
	ss_changeset_free(&f->cs);
	assert_int_equal(ss_client_putty.apply(path, &f->p, &f->cs, &f->d), -1);
	assert_int_equal(f->d.line, 4);
	assert_int_equal(f->d.col, 22);
	ss_diag_clear(&f->d);
	assert_int_equal(ss_client_putty.audit(path, NULL, &f->scopes, &f->d), -1);
	free(path);
}

static void test_session_dirs(void **state)
{
	fixture *f = *state;
	char *p;
	free(file(f, "Default%20Settings", "PingInterval=1\nPingIntervalSecs=0\n"));
	free(file(f, "web%201",
		  "HostName=web1\nPingInterval=0\nPingInterval=9\n"
		  "PingIntervalSecs=30x"));
	audit(f, &ss_client_putty, f->dir);
	assert_int_equal(f->scopes.n, 2);
	assert_int_equal(scope(f, "Default Settings")->interval, 60);
	const ss_scope *s = scope(f, "web 1");
	assert_int_equal(s->interval, 30);
	assert_true(ss_scope_failed(s)); /* "30x" is not a plain number */

	apply(f, &ss_client_putty, f->dir);
	assert_int_equal(f->cs.n, 1); /* only the file that changes */
	assert_string_equal(ss_buf_str(&f->out), "HostName=web1\nPingInterval=1\nPingInterval=9\n"
						 "PingIntervalSecs=0");

	/* KiTTY: the last duplicate counts, values are escaped. */
	char *kd = tu_path(f->dir, "kitty");
	assert_int_equal(ss_os_mkdir_p(kd), 0);
	tu_write_str(p = tu_path(kd, "k%3A1"), "PingInterval\\0\\\nPingInterval\\2\\\n");
	free(p);
	audit(f, &ss_client_kitty, kd);
	assert_int_equal(f->scopes.n, 2);
	assert_int_equal(scope(f, "k:1")->interval, 120);
	assert_int_equal(scope(f, "Default Settings")->interval, 0);
	/* The missing Default Settings is a new file, holding only these. */
	assert_string_equal(apply(f, &ss_client_kitty, kd),
			    "PingInterval\\1\\\nPingIntervalSecs\\0\\\n");
	assert_int_equal(f->cs.n, 2);
	assert_false(f->cs.v[0].text->id.known);
	assert_non_null(strstr(f->cs.v[0].text->path, "/Default%20Settings"));
	ss_buf_reset(&f->out);
	assert_int_equal(ss_edits_render(f->cs.v[1].text, &f->cs.v[1].edits, &f->out, &f->d), 0);
	assert_string_equal(ss_buf_str(&f->out),
			    "PingInterval\\0\\\nPingInterval\\1\\\nPingIntervalSecs\\0\\\n");
	free(kd);
}

/* Unix PuTTY lists a session file by its decoded name and opens the file
 * that name encodes to (unix/storage.c), and reads numbers with glibc's
 * atoi, an int of a 64-bit strtol (the native putty-settings-oracle
 * shows both, tests/integration/putty_oracle_unix.py). */
static void test_unix_session_files_as_putty_reads_them(void **state)
{
	fixture *f = *state;
	free(file(f, "a b", "PingInterval=2\n"));
	free(file(f, "a%20b", "PingIntervalSecs=7\n"));
	free(file(f, "x%2a", "PingInterval=2\n")); /* "xJ": PuTTY's lowercase hex */
	free(file(f, "big", "PingIntervalSecs=99999999999\nTCPKeepalives=4294967296\n"));
	free(file(f, "wrap", "PingInterval=99999999999\n"));
	audit(f, &ss_client_putty, f->dir);
	assert_int_equal(scope(f, "a b")->interval, 7);
	assert_false(scope(f, "a b")->not_applicable);
	const ss_scope *s = scope(f, "xJ");
	assert_true(s->not_applicable);
	assert_int_equal(s->interval, 0);
	assert_non_null(strstr(s->reasons.v[0], "from xJ,"));
	assert_int_equal(scope(f, "big")->interval, 1215752191);
	assert_int_equal(scope(f, "big")->tcp_keepalive, 0);
	/* 1215752191 * 60 wraps to -69312572: off */
	assert_int_equal(scope(f, "wrap")->interval, 0);

	/* apply leaves the files PuTTY does not open. */
	apply(f, &ss_client_putty, f->dir);
	for (size_t i = 0; i < f->cs.n; i++) {
		assert_null(strstr(f->cs.v[i].text->path, "/a b"));
		assert_null(strstr(f->cs.v[i].text->path, "/x%2a"));
	}
}

static void test_export_plan(void **state)
{
	fixture *f = *state;
	char *path = file(f, "s.reg", REG);
	assert_int_equal(
	    ss_client_putty.export_plan(path, &(ss_strlist)SS_STRLIST_INIT, &f->p, &f->plan, &f->d),
	    0);
	/* Default Settings, str, neg, empty, other user: not the deleted one. */
	assert_int_equal(f->plan.n, 5);
	assert_string_equal(f->plan.v[0].path, SESS "Default%20Settings");
	assert_string_equal(f->plan.v[4].path, SESS "other%20user");
	/* Default Settings is exported also where the source has none. */
	char *nodef = file(f, "n.reg", HDR "[" SESS "only]\r\n");
	ss_regplan p2 = SS_REGPLAN_INIT;
	assert_int_equal(
	    ss_client_putty.export_plan(nodef, &(ss_strlist)SS_STRLIST_INIT, &f->p, &p2, &f->d), 0);
	assert_int_equal(p2.n, 2);
	assert_string_equal(p2.v[0].path, SESS "Default%20Settings");
	assert_string_equal(p2.v[1].path, SESS "only");
	ss_regplan_free(&p2);
	free(nodef);
	assert_int_equal(f->plan.v[1].n, 2);
	assert_int_equal(f->plan.v[1].v[0].dword, 1);
	assert_int_equal(f->plan.v[1].v[1].dword, 0);

	/* Named sessions, without a source: hostile names escaped. */
	ss_regplan_free(&f->plan);
	ss_strlist names = SS_STRLIST_INIT;
	assert_int_equal(ss_strlist_push(&names, "a]\"\\b\n\xc3\xa9"), 0);
	f->p.interval = 125;
	f->p.tcp_keepalive = 0;
	assert_int_equal(ss_client_kitty.export_plan(NULL, &names, &f->p, &f->plan, &f->d), 0);
	assert_int_equal(f->plan.n, 1);
	assert_string_equal(f->plan.v[0].path, "HKEY_CURRENT_USER\\Software\\9bis.com\\KiTTY\\"
					       "Sessions\\a]\"%5Cb%0A%C3%A9");
	assert_int_equal(f->plan.v[0].n, 3);
	assert_int_equal(f->plan.v[0].v[0].dword, 2);
	assert_int_equal(f->plan.v[0].v[1].dword, 5);
	assert_int_equal(f->plan.v[0].v[2].dword, 0);

	/* A named session that the source does not have is an error. */
	ss_regplan_free(&f->plan);
	assert_int_equal(ss_client_putty.export_plan(path, &names, &f->p, &f->plan, &f->d), -1);
	assert_non_null(strstr(f->d.message, "no session named"));
	ss_strlist_release(&names);
	free(path);
}

static void test_sniff(void **state)
{
	(void)state;
	const char *h = HDR "[" SESS "x]\r\n";
	assert_int_equal(ss_client_putty.sniff("a.reg", h, strlen(h)), 2);
	assert_int_equal(ss_client_kitty.sniff("a.reg", h, strlen(h)), 0);
	assert_int_equal(ss_client_putty.sniff("/h/.putty/sessions", NULL, 0), 2);
	assert_int_equal(ss_client_kitty.sniff("/h/.putty/sessions", NULL, 0), 0);
	assert_int_equal(ss_client_kitty.sniff("/w/KiTTY/Sessions", NULL, 0), 2);
	assert_int_equal(ss_client_putty.sniff("/w/KiTTY/Sessions", NULL, 0), 0);
	assert_int_equal(ss_client_putty.sniff("x.conf", "Host x\n", 7), 0);
	/* With WinSCP's keys beside, only maybe: WinSCP's client is sure. */
	const char *both = HDR "[" SESS "x]\r\n[HKEY_CURRENT_USER\\Software\\Martin Prikryl\\"
			       "WinSCP 2\\Sessions\\y]\r\n";
	assert_int_equal(ss_client_putty.sniff("a.reg", both, strlen(both)), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_names_like_putty),
	    cmocka_unit_test_setup_teardown(test_audit_reg, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_apply_reg, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit_name_under_two_hives, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_apply_duplicate_and_recreated_keys, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_apply_keeps_utf16_and_missing_final_newline, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_interval_wraps_as_an_int, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_keys_putty_never_loads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_reg_is_an_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_dirs, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unix_session_files_as_putty_reads_them, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_export_plan, setup, teardown),
	    cmocka_unit_test(test_sniff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
