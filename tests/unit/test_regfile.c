/* store/regfile: parsing, locating values, edits and rendering of .reg files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/keyindex.h"
#include "sshsync/regfile.h"
#include "testutil.h"

#define SESS "HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\"

typedef struct fixture {
	ss_text t;
	ss_regfile rf;
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
	ss_regfile_free(&f->rf);
	ss_text_free(&f->t);
	ss_edits_free(&f->e);
	ss_buf_release(&f->out);
	ss_diag_clear(&f->d);
	free(f);
	return 0;
}

static int load_bytes(fixture *f, const void *s, size_t len)
{
	ss_regfile_free(&f->rf);
	ss_text_free(&f->t);
	ss_diag_clear(&f->d);
	if (ss_text_from_bytes(&f->t, "t.reg", s, len, &f->d) < 0)
		return -1;
	return ss_regfile_parse(&f->rf, &f->t, &f->d);
}

static void load(fixture *f, const char *s)
{
	if (load_bytes(f, s, strlen(s)) < 0)
		fail_msg("%s", f->d.message);
}

/* UTF-16LE with BOM of an ASCII/UTF-8 string (via the text layer). */
static ss_buf utf16(const char *s)
{
	ss_text t;
	ss_diag d = SS_DIAG_INIT;
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_text_new_empty(&t, "x", SS_ENC_UTF16LE, SS_EOL_CRLF, &d), 0);
	assert_int_equal(ss_text_encode(&t, s, strlen(s), &b, &d), 0);
	ss_text_free(&t);
	return b;
}

static const char *render(fixture *f)
{
	ss_buf_reset(&f->out);
	assert_int_equal(ss_edits_render(&f->t, &f->e, &f->out, &f->d), 0);
	return ss_buf_str(&f->out);
}

static char *diag_text(fixture *f)
{
	char *s = ss_diag_format(&f->d);
	assert_non_null(s);
	return s;
}

static void expect_error(fixture *f, const void *s, size_t len, const char *where)
{
	assert_int_equal(load_bytes(f, s, len), -1);
	char *msg = diag_text(f);
	if (strncmp(msg, where, strlen(where)) != 0)
		fail_msg("expected an error at %s, got: %s", where, msg);
	free(msg);
}

static void expect_error_str(fixture *f, const char *s, const char *where)
{
	expect_error(f, s, strlen(s), where);
}

static size_t key(fixture *f, const char *path)
{
	return ss_regfile_find_key(&f->rf, path, strlen(path));
}

static void test_parses_blocks_and_types(void **state)
{
	fixture *f = *state;
	load(f, "Windows Registry Editor Version 5.00\r\n\r\n"
		"[" SESS "web%201]\r\n"
		"\"PingInterval\"=dword:00000001\r\n"
		"\"HostName\"=\"a \\\"b\\\" \\\\c\"\r\n"
		"@=\"default\"\r\n"
		"\"Bin\"=hex:01,02,\\\r\n"
		"  03,04\r\n"
		"\"Multi\"=hex(7):41,00,00,00\r\n"
		"\"Gone\"=-\r\n"
		"[-" SESS "old]\r\n");
	assert_int_equal(f->rf.version, SS_REG_V5);
	assert_int_equal(f->rf.nblocks, 2);
	size_t b = key(f, SESS "WEB%201");
	assert_int_equal(b, 0);
	assert_true(f->rf.blocks[1].deleted);
	assert_int_equal(f->rf.blocks[0].last_value_line, 9);

	ss_regvalue v;
	size_t cur = 0;
	ss_regtype want[] = {SS_REG_DWORD, SS_REG_SZ,	SS_REG_SZ,
			     SS_REG_HEX,   SS_REG_HEXN, SS_REG_DELETE};
	size_t n = 0;
	while (ss_regfile_next_value(&f->rf, b, &cur, &v)) {
		assert_true(n < 6);
		assert_int_equal(v.type, want[n]);
		n++;
	}
	assert_int_equal(n, 6);

	assert_int_equal(ss_regfile_find_value(&f->rf, b, "pinginterval", &v), 1);
	assert_int_equal(v.dword, 1);
	assert_int_equal(ss_regfile_find_value(&f->rf, b, "HostName", &v), 1);
	ss_buf s = SS_BUF_INIT;
	assert_int_equal(ss_regfile_value_string(&f->rf, &v, &s), 0);
	assert_string_equal(ss_buf_str(&s), "a \"b\" \\c");
	ss_buf_release(&s);
	assert_int_equal(ss_regfile_find_value(&f->rf, b, "", &v), 1);
	assert_true(v.is_default);
	assert_int_equal(ss_regfile_find_value(&f->rf, b, "Bin", &v), 1);
	assert_int_equal(v.nlines, 2);
	assert_int_equal(ss_regfile_find_value(&f->rf, b, "Multi", &v), 1);
	assert_int_equal(v.hextype, 7);
	assert_int_equal(ss_regfile_find_value(&f->rf, b, "Missing", &v), 0);
}

static void test_regedit4_leading_blanks_lf_mixed(void **state)
{
	fixture *f = *state;
	load(f, "\n  REGEDIT4  \r\n\n; comment\n[hkey_current_user\\SOFTWARE\\x]\r\n"
		"\n\"A\" = dword:3c ; note\n\n  ; inside\n\"B\"=\"x\"\n");
	assert_int_equal(f->rf.version, SS_REG_V4);
	ss_regvalue v;
	assert_int_equal(ss_regfile_lookup(&f->rf, "HKEY_CURRENT_USER\\Software\\X", "a", &v), 1);
	assert_int_equal(v.type, SS_REG_DWORD);
	assert_int_equal(v.dword, 60);
	assert_int_equal(f->rf.blocks[0].last_value_line, 9);
}

static void test_lookup_follows_import_order(void **state)
{
	fixture *f = *state;
	load(f, "REGEDIT4\n[HKEY_CURRENT_USER\\k]\n\"v\"=dword:1\n\"v\"=dword:2\n"
		"[HKEY_CURRENT_USER\\other]\n\"v\"=dword:9\n"
		"[HKEY_CURRENT_USER\\K]\n\"v\"=dword:3\n");
	ss_regvalue v;
	assert_int_equal(ss_regfile_lookup(&f->rf, "HKEY_CURRENT_USER\\k", "v", &v), 1);
	assert_int_equal(v.dword, 3);
	assert_int_equal(f->rf.blocks[0].next_same, 2);
	assert_int_equal(ss_regfile_find_value(&f->rf, 0, "v", &v), 1);
	assert_int_equal(v.dword, 2);

	load(f, "REGEDIT4\n[HKEY_CURRENT_USER\\k]\n\"v\"=dword:1\n[-HKEY_CURRENT_USER\\k]\n");
	assert_int_equal(ss_regfile_lookup(&f->rf, "HKEY_CURRENT_USER\\k", "v", &v), 0);
	load(f, "REGEDIT4\n[HKEY_CURRENT_USER\\k]\n\"v\"=dword:1\n\"v\"=-\n");
	assert_int_equal(ss_regfile_lookup(&f->rf, "HKEY_CURRENT_USER\\k", "v", &v), 0);
}

static void test_key_name_runs_to_last_bracket(void **state)
{
	fixture *f = *state;
	load(f, "REGEDIT4\n[" SESS "a]b]\n");
	assert_int_not_equal(key(f, SESS "a]b"), SS_REGFILE_NONE);
}

static void test_errors_name_line_and_column(void **state)
{
	fixture *f = *state;
	expect_error_str(f, "", "t.reg:1:1: empty file");
	expect_error_str(f, "REGEDIT5\n", "t.reg:1:1: expected the header");
	expect_error_str(f, "\xEF\xBB\xBFREGEDIT4\n", "t.reg:1:1: the file starts with a UTF-8");
	expect_error_str(f, "REGEDIT4\n\"a\"=dword:1\n", "t.reg:2:1: value before the first key");
	expect_error_str(f, "REGEDIT4\n[HKEY_CURRENT_USER\\k]\n\"a\"=dword:123456789\n",
			 "t.reg:3:11: bad dword");
	expect_error_str(f, "REGEDIT4\n[HKEY_CURRENT_USER\\k]\n\"a\"=dword:12g\n",
			 "t.reg:3:11: bad dword");
	expect_error_str(f, "REGEDIT4\n[HKEY_CURRENT_USER\\k]\n\"a\"=dword:\n",
			 "t.reg:3:11: bad dword");
	expect_error_str(f, "REGEDIT4\n[HKEY_CURRENT_USER\\k]\n  \"a\"=\"abc\n",
			 "t.reg:3:7: unterminated string");
	expect_error_str(f, "REGEDIT4\n[HKEY_CURRENT_USER\\k]\n\"a=\"abc\"\n",
			 "t.reg:3:5: expected '='");
	expect_error_str(f, "REGEDIT4\n[HKEY_CURRENT_USER\\k]\n\"abc\n",
			 "t.reg:3:1: unterminated value name");
	expect_error_str(f, "REGEDIT4\n[HKEY_CURRENT_USER\\k]\n\"a\"=hex:01,\\\n",
			 "t.reg:3:12: hex data continues");
	expect_error_str(f, "REGEDIT4\n[HKEY_CURRENT_USER\\k]\n\"a\"=hex:01,\\\n  zz\n",
			 "t.reg:4:3: expected a hex byte");
	expect_error_str(f, "REGEDIT4\n[HKEY_CURRENT_USER\\k]\n\"a\"=hex(x):01\n",
			 "t.reg:3:5: expected hex(N)");
	expect_error_str(f, "REGEDIT4\n[HKEY_CURRENT_USER\\k]\n\"a\"=str:\"x\"\n",
			 "t.reg:3:5: expected \"string\"");
	expect_error_str(f, "REGEDIT4\n[HKEY_CURRENT_USER\\k]\n\"a\"=\"x\" y\n",
			 "t.reg:3:9: unexpected text after the value");
	expect_error_str(f, "REGEDIT4\n[HKEY_CURRENT_USER\\k\n", "t.reg:2:21: expected ']'");
	expect_error_str(f, "REGEDIT4\n[HKCU\\k]\n", "t.reg:2:2: expected a key name");
	expect_error_str(f, "REGEDIT4\n[HKEY_USERS\\k] x\n",
			 "t.reg:2:16: unexpected text after the key");
	expect_error_str(f, "REGEDIT4\n[HKEY_CURRENT_USER\\k]\nfoo\n",
			 "t.reg:3:1: expected a [KEY] line");
	/* Columns count characters, not bytes, also after non-ASCII text. */
	expect_error_str(f, "REGEDIT4\n[HKEY_CURRENT_USER\\k]\n\"\xc3\xa9\"=dword:x\n",
			 "t.reg:3:11: bad dword");
}

/* The check of a whole file takes `"name"=dword:hhhhhhhh` and
 * `"name"="text"` lines by a shorter way: every line near those forms is
 * still judged as the full reading judges it, and what passes reads back
 * as written. */
static void expect_value_line(fixture *f, const char *line, const char *error)
{
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_buf_addf(&b, "REGEDIT4\r\n[HKEY_CURRENT_USER\\k]\r\n%s\r\n", line), 0);
	if (error) {
		if (load_bytes(f, b.data, b.len) == 0)
			fail_msg("%s: read, expected %s", line, error);
		expect_error(f, b.data, b.len, error);
	} else {
		if (load_bytes(f, b.data, b.len) < 0)
			fail_msg("%s: %s", line, f->d.message);
		assert_int_equal(f->rf.blocks[0].last_value_line, 2);
	}
	ss_buf_release(&b);
}

static void test_plain_value_lines(void **state)
{
	fixture *f = *state;
	static const char *const cases[][2] = {
	    {"\"a\"=dword:0000003c", NULL},
	    {"\"a\"=dword:0000003C", NULL},
	    {"\"a\"=dword:3c", NULL},
	    {"\"\"=dword:0000003c", NULL},
	    {"\"a\\\"b\"=dword:0000003c", NULL},
	    {"\"a\" = dword:0000003c ; c", NULL},
	    {"\"a\"=dword:0000003c\r", NULL},
	    {"\"a\"=dword:0000003c0", "t.reg:3:11: bad dword"},
	    {"\"a\"=dword:0000003c x", "t.reg:3:20: unexpected text"},
	    {"\"a\"=dwordx0000003c", "t.reg:3:5: expected \"string\""},
	    {"\"a\"=\"x\"", NULL},
	    {"\"a\"=\"\"", NULL},
	    {"\"a\"=\"x\\\\\"", NULL},
	    {"\"a\"=\"x\\\"\"", NULL},
	    {"\"a\"=\"x\" ", NULL},
	    {"\"a\"=\"x\\\"", "t.reg:3:5: unterminated string"},
	    {"\"a\"=\"", "t.reg:3:5: unterminated string"},
	    {"\"a\"=\"x\"y", "t.reg:3:8: unexpected text"},
	    {"\"a\"=", "t.reg:3:5: expected the value's data"},
	    {"\"a\"=-", NULL},
	    {"\"a", "t.reg:3:1: unterminated value name"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_value_line(f, cases[i][0], cases[i][1]);
	/* Every byte at every place of the eight digits: only hex digits pass. */
	char line[32];
	for (int at = 0; at < 8; at++)
		for (int c = 1; c < 256; c++) {
			if (c == '\n')
				continue;
			snprintf(line, sizeof(line), "\"a\"=dword:%08x", 0x12345678u);
			line[10 + at] = (char)c;
			int hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
				  (c >= 'A' && c <= 'F');
			/* Seven digits and a blank (a lone CR is one), or digits
			 * and a comment. */
			int blank = c == ' ' || c == '\t' || c == '\r';
			int ok = hex || (at == 7 && blank) || (at > 0 && c == ';');
			expect_value_line(f, line, ok ? NULL : "t.reg:3:");
			if (hex) {
				ss_regvalue v;
				assert_int_equal(ss_regfile_find_value(&f->rf, 0, "a", &v), 1);
				assert_int_equal(v.type, SS_REG_DWORD);
				assert_int_equal(v.data_end - v.data_start, 14);
			}
		}
	/* A name with a NUL never passes. */
	static const char nul[] =
	    "REGEDIT4\r\n[HKEY_CURRENT_USER\\k]\r\n\"a\0\"=dword:00000001\r\n";
	expect_error(f, nul, sizeof(nul) - 1, "t.reg:3:3: a NUL character");
}

/* Where a value name that starts at name[0] ends as regedit reads it (a
 * backslash takes the byte after it), len when at the quote after it, past
 * len when that quote is taken too; *nul: whether a NUL comes before. */
static size_t name_end_of(const char *name, size_t len, int *nul)
{
	*nul = 0;
	for (size_t i = 0; i < len; i++) {
		*nul |= name[i] == '\0';
		if (name[i] == '"')
			return i;
		if (name[i] == '\\' && ++i == len)
			return len + 1;
	}
	return len;
}

/* `len` bytes of 'a', 'b', ... with `odd` at `at` (none when len is 0)
 * between head and tail: read, with that as the block's only value line,
 * exactly when `ok_of` says the bytes make a good line, else refused. */
static void expect_read_iff(fixture *f, const char *head, size_t len, size_t at, char odd,
			    const char *tail, int (*ok_of)(const char *, size_t))
{
	char mid[32];
	assert_true(len <= sizeof(mid));
	for (size_t i = 0; i < len; i++)
		mid[i] = i == at ? odd : (char)('a' + i);
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_buf_adds(&b, head), 0);
	assert_int_equal(ss_buf_add(&b, mid, len), 0);
	assert_int_equal(ss_buf_adds(&b, tail), 0);
	int ok = ok_of(mid, len), r = load_bytes(f, b.data, b.len);
	if (ok != (r == 0))
		fail_msg("%zu bytes, %#x at %zu, then %s: %s", len, (unsigned)odd, at, tail,
			 r == 0 ? "read" : f->d.message);
	if (ok)
		assert_int_equal(f->rf.blocks[0].last_value_line, 2);
	ss_buf_release(&b);
}

/* A good value name: it ends right before the '=' and holds no NUL. */
static int good_name(const char *name, size_t len)
{
	int nul;
	return name_end_of(name, len, &nul) == len && !nul;
}

/* A good string's text: its closing quote ends the line. */
static int good_text(const char *text, size_t len)
{
	int nul;
	return name_end_of(text, len, &nul) == len;
}

/* Value lines whose names are 0 to 20 bytes long with '"', '\\', NUL or
 * a plain byte at every place, and dword or string data: read (as the
 * value's only line) exactly when the name ends right before the '=' and
 * holds no NUL, else refused. The check of a whole file takes most such
 * lines by shortcuts (a dword line read from its end, a name a word at a
 * time) that must agree with the full reading. */
static void test_plain_value_names_at_every_length(void **state)
{
	static const char head[] = "REGEDIT4\r\n[HKEY_CURRENT_USER\\k]\r\n\"";
	static const char *const data[] = {"\"=dword:0000003c\r\n", "\"=\"text\"\r\n"};
	static const char odd[] = {'"', '\\', '\0', 'x'};
	for (size_t len = 0; len <= 20; len++)
		for (size_t at = 0; at < (len ? len : 1); at++)
			for (size_t k = 0; k < sizeof(odd); k++)
				for (size_t j = 0; j < 2; j++)
					expect_read_iff(*state, head, len, at, odd[k], data[j],
							good_name);
}

/* String values whose texts are 0 to 24 bytes long with '"', '\\' or a
 * plain byte at every place: read exactly when the text's closing quote,
 * as regedit reads it (a backslash takes the byte after it), ends the
 * line, else refused (the check of a whole file passes over escapes in
 * a text eight bytes at a time). */
static void test_plain_string_texts_at_every_length(void **state)
{
	static const char head[] = "REGEDIT4\r\n[HKEY_CURRENT_USER\\k]\r\n\"a\"=\"";
	static const char odd[] = {'"', '\\', 'x'};
	for (size_t len = 0; len <= 24; len++)
		for (size_t at = 0; at < (len ? len : 1); at++)
			for (size_t k = 0; k < sizeof(odd); k++)
				expect_read_iff(*state, head, len, at, odd[k], "\"\r\n", good_text);
}

static void test_utf16_errors_use_editor_lines(void **state)
{
	fixture *f = *state;
	ss_buf b = utf16("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\k]\r\n"
			 "\"\xc3\xa9t\xc3\xa9\"=dword:zz\r\n");
	expect_error(f, b.data, b.len, "t.reg:4:13: bad dword");
	/* Odd length: the text layer refuses it. */
	expect_error(f, b.data, b.len - 1, "t.reg: truncated UTF-16");
	ss_buf_release(&b);
}

/* U+0000 in a key or value name: Windows would cut the name there (two
 * sessions "web\0one" and "web\0two" would both be "web"). */
static void test_nul_in_names_is_an_error(void **state)
{
	fixture *f = *state;
	static const char k4[] = "REGEDIT4\n[HKEY_CURRENT_USER\\web\0one]\n\"a\"=dword:1\n";
	expect_error(f, k4, sizeof(k4) - 1, "t.reg:2:23: a NUL character (U+0000) in a key name");
	static const char v4[] = "REGEDIT4\n[HKEY_CURRENT_USER\\k]\n\"Ping\0x\"=dword:1\n";
	expect_error(f, v4, sizeof(v4) - 1, "t.reg:3:6: a NUL character (U+0000) in a value name");
	/* The same in UTF-16: the root key cut short ("HKEY_USERS\S<NUL>x"). */
	static const char k5[] = "Windows Registry Editor Version 5.00\r\n\r\n"
				 "[HKEY_USERS\\S\0x\\Software]\r\n\"a\"=dword:1\r\n";
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_buf_add(&b, "\xFF\xFE", 2), 0);
	for (size_t i = 0; i < sizeof(k5) - 1; i++) {
		assert_int_equal(ss_buf_addc(&b, k5[i]), 0);
		assert_int_equal(ss_buf_addc(&b, 0), 0);
	}
	expect_error(f, b.data, b.len, "t.reg:3:14: a NUL character (U+0000) in a key name");
	ss_buf_release(&b);
}

static void test_set_insert_delete(void **state)
{
	fixture *f = *state;
	load(f, "REGEDIT4\r\n\r\n[HKEY_CURRENT_USER\\a]\r\n\"PingInterval\"=\"60\" ; why\r\n"
		"\"Bin\"=hex:01,\\\r\n  02\r\n\r\n; trailing comment\r\n"
		"[HKEY_CURRENT_USER\\b]\r\n\r\n[HKEY_CURRENT_USER\\c]\r\n\"x\"=dword:1");
	ss_regvalue v;
	assert_int_equal(ss_regfile_find_value(&f->rf, 0, "PingInterval", &v), 1);
	assert_int_equal(v.type, SS_REG_SZ);
	assert_int_equal(ss_regfile_set_dword(&f->rf, &f->e, &v, 1), 0);
	assert_int_equal(ss_regfile_find_value(&f->rf, 0, "Bin", &v), 1);
	assert_int_equal(ss_regfile_set_dword(&f->rf, &f->e, &v, 0x3c), 0);
	assert_int_equal(ss_regfile_insert_dword(&f->rf, &f->e, 0, "PingIntervalSecs", 0), 0);
	assert_int_equal(ss_regfile_insert_dword(&f->rf, &f->e, 0, "TCPKeepalives", 1), 0);
	assert_int_equal(ss_regfile_insert_dword(&f->rf, &f->e, 1, "New", 2), 0);
	assert_int_equal(ss_regfile_insert_string(&f->rf, &f->e, 2, "S", "q\"\\"), 0);
	assert_string_equal(render(f),
			    "REGEDIT4\r\n\r\n[HKEY_CURRENT_USER\\a]\r\n"
			    "\"PingInterval\"=dword:00000001 ; why\r\n"
			    "\"Bin\"=dword:0000003c\r\n"
			    "\"PingIntervalSecs\"=dword:00000000\r\n"
			    "\"TCPKeepalives\"=dword:00000001\r\n\r\n; trailing comment\r\n"
			    "[HKEY_CURRENT_USER\\b]\r\n\"New\"=dword:00000002\r\n\r\n"
			    "[HKEY_CURRENT_USER\\c]\r\n\"x\"=dword:1\r\n\"S\"=\"q\\\"\\\\\"");

	ss_edits_free(&f->e);
	assert_int_equal(ss_regfile_find_value(&f->rf, 0, "Bin", &v), 1);
	assert_int_equal(ss_regfile_delete_value(&f->rf, &f->e, &v), 0);
	assert_string_equal(
	    render(f), "REGEDIT4\r\n\r\n[HKEY_CURRENT_USER\\a]\r\n\"PingInterval\"=\"60\" ; why\r\n"
		       "\r\n; trailing comment\r\n"
		       "[HKEY_CURRENT_USER\\b]\r\n\r\n[HKEY_CURRENT_USER\\c]\r\n\"x\"=dword:1");
}

static void test_insert_uses_the_line_ending_of_its_neighbour(void **state)
{
	fixture *f = *state;
	load(f, "REGEDIT4\r\n[HKEY_CURRENT_USER\\a]\n\"x\"=dword:1\n[HKEY_CURRENT_USER\\b]\r\n");
	assert_int_equal(ss_regfile_insert_dword(&f->rf, &f->e, 0, "y", 2), 0);
	assert_int_equal(ss_regfile_insert_dword(&f->rf, &f->e, 1, "z", 3), 0);
	assert_string_equal(render(f), "REGEDIT4\r\n[HKEY_CURRENT_USER\\a]\n\"x\"=dword:1\n"
				       "\"y\"=dword:00000002\n[HKEY_CURRENT_USER\\b]\r\n"
				       "\"z\"=dword:00000003\r\n");
}

static void test_append_key(void **state)
{
	fixture *f = *state;
	load(f, "REGEDIT4\n[HKEY_CURRENT_USER\\a]\n\"x\"=dword:1");
	ss_regplan p = SS_REGPLAN_INIT;
	ss_regkey *k = ss_regplan_key(&p, "HKEY_CURRENT_USER\\n");
	assert_non_null(k);
	assert_int_equal(ss_regkey_set_dword(k, "v", 7), 0);
	assert_int_equal(ss_regfile_append_key(&f->rf, &f->e, k, 0, &f->d), 0);
	assert_string_equal(render(f), "REGEDIT4\n[HKEY_CURRENT_USER\\a]\n\"x\"=dword:1\n\n"
				       "[HKEY_CURRENT_USER\\n]\n\"v\"=dword:00000007");
	ss_regplan_free(&p);
}

static void test_render_v5_is_utf16_like_regedit(void **state)
{
	fixture *f = *state;
	ss_regplan p = SS_REGPLAN_INIT;
	ss_regkey *k = ss_regplan_key(&p, SESS "caf%C3%A9");
	assert_non_null(k);
	assert_int_equal(ss_regkey_set_dword(k, "PingInterval", 1), 0);
	assert_int_equal(ss_regkey_set_sz(k, "Note", "a\"b\\ é"), 0);
	assert_int_equal(ss_regkey_delete_value(k, "Old"), 0);
	ss_buf out = SS_BUF_INIT;
	assert_int_equal(ss_regplan_render(&p, SS_REG_V5, &out, &f->d), 0);
	const char *want = "Windows Registry Editor Version 5.00\r\n\r\n[" SESS "caf%C3%A9]\r\n"
			   "\"PingInterval\"=dword:00000001\r\n\"Note\"=\"a\\\"b\\\\ é\"\r\n"
			   "\"Old\"=-\r\n\r\n";
	ss_buf w = utf16(want);
	assert_int_equal(out.len, w.len);
	assert_memory_equal(out.data, w.data, w.len);
	/* It reads back as what was planned. */
	assert_int_equal(load_bytes(f, out.data, out.len), 0);
	ss_regvalue v;
	assert_int_equal(ss_regfile_lookup(&f->rf, SESS "caf%C3%A9", "PingInterval", &v), 1);
	assert_int_equal(v.dword, 1);

	/* REGEDIT4: ANSI, Windows-1252: é is one byte E9, € is 80. */
	ss_buf_reset(&out);
	assert_int_equal(ss_regkey_set_sz(k, "Note", "\xE2\x82\xAC \xC3\xA9"), 0);
	assert_int_equal(ss_regplan_render(&p, SS_REG_V4, &out, &f->d), 0);
	assert_non_null(strstr(ss_buf_str(&out), "\"Note\"=\"\x80 \xE9\"\r\n"));
	/* What Windows-1252 cannot hold is refused rather than mangled. */
	ss_buf_reset(&out);
	assert_int_equal(ss_regkey_set_sz(k, "Note", "\xCE\xA9"), 0); /* Omega */
	assert_int_equal(ss_regplan_render(&p, SS_REG_V4, &out, &f->d), -1);
	assert_non_null(strstr(f->d.message, "cannot carry: use the v5 format"));
	ss_buf_release(&w);
	ss_buf_release(&out);
	ss_regplan_free(&p);
}

static void test_render_refuses_paths_that_break_lines(void **state)
{
	fixture *f = *state;
	ss_regplan p = SS_REGPLAN_INIT;
	ss_buf out = SS_BUF_INIT;
	assert_non_null(ss_regplan_key(&p, SESS "a\nb"));
	assert_int_equal(ss_regplan_render(&p, SS_REG_V5, &out, &f->d), -1);
	ss_regplan_free(&p);
	ss_diag_clear(&f->d);
	assert_non_null(ss_regplan_key(&p, "Software\\x"));
	assert_int_equal(ss_regplan_render(&p, SS_REG_V4, &out, &f->d), -1);
	ss_regplan_free(&p);
	/* A high and a low surrogate written apart would be one character in
	 * UTF-16, another key (found by tests/fuzz, fuzz_export); an unpaired
	 * one (WTF-8, as a UTF-16 file gives it) is kept. */
	ss_diag_clear(&f->d);
	assert_non_null(ss_regplan_key(&p, SESS "a\xED\xAC\xAC\xED\xBA\xBA"));
	assert_int_equal(ss_regplan_render(&p, SS_REG_V5, &out, &f->d), -1);
	ss_regplan_free(&p);
	ss_diag_clear(&f->d);
	ss_buf_reset(&out);
	assert_non_null(ss_regplan_key(&p, SESS "a\xED\xAC\xAC"
						"b"));
	assert_int_equal(ss_regplan_render(&p, SS_REG_V5, &out, &f->d), 0);
	ss_regplan_free(&p);
	ss_buf_release(&out);
}

static int stream_settled(void *ctx, const ss_regplan *p, ss_diag *d)
{
	return ss_regstream_keys(ctx, p, d);
}

/* Values as regedit writes them, made without printf: every quote and
 * backslash escaped (at the ends and side by side too), DWORDs as 8
 * lower-case hex digits. */
static void test_format_value_escapes_and_dwords(void **state)
{
	fixture *f = *state;
	ss_buf out = SS_BUF_INIT;
	ss_regval v = {"\\n\"", SS_REGVAL_SZ, 0, "\\\"\"x\\"};
	assert_int_equal(ss_reg_format_value(&out, &v, SS_REG_V5, &f->d), 0);
	assert_string_equal(ss_buf_str(&out), "\"\\\\n\\\"\"=\"\\\\\\\"\\\"x\\\\\"");
	const uint32_t dw[] = {0, 0xDEADBEEF, 60, 0xFFFFFFFF};
	const char *want[] = {"@=dword:00000000", "@=dword:deadbeef", "@=dword:0000003c",
			      "@=dword:ffffffff"};
	for (int i = 0; i < 4; i++) {
		ss_regval x = {"", SS_REGVAL_DWORD, dw[i], NULL};
		ss_buf_reset(&out);
		assert_int_equal(ss_reg_format_value(&out, &x, SS_REG_V4, &f->d), 0);
		assert_string_equal(ss_buf_str(&out), want[i]);
	}
	ss_buf_release(&out);
}

/* Key i of plan_key_set: non-ASCII names and values, so that UTF-16
 * pieces are cut between characters of several bytes. */
static void plan_key_i(ss_regplan *p, int i)
{
	char path[128];
	snprintf(path, sizeof(path), SESS "caf%%C3%%A9 \xE2\x82\xAC%d", i);
	ss_regkey *k = ss_regplan_key(p, path);
	assert_non_null(k);
	assert_int_equal(ss_regkey_set_dword(k, "PingInterval", (uint32_t)i), 0);
	assert_int_equal(ss_regkey_set_sz(k, "Note \xC3\xA9", "\xE2\x82\xAC \"x\""), 0);
	if (i % 3 == 0)
		assert_int_equal(ss_regkey_delete_value(k, "Old"), 0);
}

/* A plan rendered as it is made (its keys settled a few at a time into a
 * ss_regstream) is the file ss_regplan_render makes of the whole plan,
 * in pieces of SS_CHUNK_SIZE; settled keys are gone from the plan. */
static void test_regstream_is_the_whole_rendering(void **state)
{
	fixture *f = *state;
	for (int v = 0; v < 2; v++) {
		ss_regversion ver = v ? SS_REG_V4 : SS_REG_V5;
		enum { KEYS = 4000 };
		ss_regplan whole = SS_REGPLAN_INIT;
		for (int i = 0; i < KEYS; i++)
			plan_key_i(&whole, i);
		ss_buf want = SS_BUF_INIT;
		assert_int_equal(ss_regplan_render(&whole, ver, &want, &f->d), 0);
		assert_true(want.len > 4 * SS_CHUNK_SIZE);

		tu_pieces got = {SS_BUF_INIT, 0, 0, 0};
		ss_sink sink = {tu_put_piece, &got};
		ss_regstream rs;
		assert_int_equal(ss_regstream_begin(&rs, ver, &sink, &f->d), 0);
		ss_regplan_sink settle = {stream_settled, &rs};
		ss_regplan p = SS_REGPLAN_INIT;
		p.settle = &settle;
		for (int i = 0; i < KEYS; i++) {
			plan_key_i(&p, i);
			if (i % 7 == 6) {
				assert_int_equal(ss_regplan_settle(&p, &f->d), 0);
				assert_int_equal(p.n, 0);
			}
		}
		assert_int_equal(ss_regplan_settle(&p, &f->d), 0);
		assert_int_equal(ss_regstream_end(&rs, &f->d), 0);
		ss_regstream_free(&rs);
		assert_int_equal(got.all.len, want.len);
		assert_memory_equal(got.all.data, want.data, want.len);
		assert_int_equal(got.short_ones, 0);
		assert_true(got.n > 4);

		/* Without a sink, settling keeps every key. */
		assert_int_equal(ss_regplan_settle(&whole, &f->d), 0);
		assert_int_equal(whole.n, KEYS);
		ss_regplan_free(&p);
		ss_regplan_free(&whole);
		ss_buf_release(&want);
		ss_buf_release(&got.all);
	}
}

/* A key that cannot be rendered fails the stream as it fails the whole
 * rendering (REGEDIT4 cannot carry an Omega). */
static void test_regstream_refuses_as_render_does(void **state)
{
	fixture *f = *state;
	tu_pieces got = {SS_BUF_INIT, 0, 0, 0};
	ss_sink sink = {tu_put_piece, &got};
	ss_regstream rs;
	assert_int_equal(ss_regstream_begin(&rs, SS_REG_V4, &sink, &f->d), 0);
	ss_regplan p = SS_REGPLAN_INIT;
	ss_regkey *k = ss_regplan_key(&p, SESS "\xCE\xA9");
	assert_non_null(k);
	assert_int_equal(ss_regstream_keys(&rs, &p, &f->d), -1);
	assert_non_null(strstr(f->d.message, "cannot carry: use the v5 format"));
	ss_regstream_free(&rs);
	ss_regplan_free(&p);
	ss_buf_release(&got.all);
}

/* A planned key's values: one per name as strcasecmp compares them (a
 * name set again in another case replaces the first, in its place);
 * names whose first bytes differ only in the bit that case flips in a
 * letter ('@' and '`', '[' and '{') stay apart. */
static void test_regplan_values_once_each(void **state)
{
	(void)state;
	ss_regplan p = SS_REGPLAN_INIT;
	ss_regkey *k = ss_regplan_key(&p, SESS "v");
	assert_non_null(k);
	static const char *const names[] = {"PingType", "@x", "[a", "", "Ping"};
	static const char *const again[] = {"pINGtYPE", "`x", "{a", "", "PING"};
	for (int i = 0; i < 5; i++)
		assert_int_equal(ss_regkey_set_dword(k, names[i], (uint32_t)i), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(ss_regkey_set_dword(k, again[i], (uint32_t)(10 + i)), 0);
	/* PingType, Ping and "" were replaced; `x and {a are values of their own. */
	static const char *const want[] = {"PingType", "@x", "[a", "", "Ping", "`x", "{a"};
	static const uint32_t dword[] = {10, 1, 2, 13, 14, 11, 12};
	assert_int_equal(k->n, 7);
	for (size_t i = 0; i < 7; i++) {
		assert_string_equal(k->v[i].name, want[i]);
		assert_int_equal(k->v[i].dword, dword[i]);
	}
	ss_regplan_free(&p);
}

/* A plan's keys: one per path as strcasecmp compares them, in the order
 * first asked for, also past the growth of its index. */
static void test_regplan_keys_once_each(void **state)
{
	(void)state;
	ss_regplan p = SS_REGPLAN_INIT;
	char path[128], upper[128];
	for (int i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), SESS "host%%20%d", i);
		ss_regkey *k = ss_regplan_key(&p, path);
		assert_non_null(k);
		assert_int_equal(k - p.v, i);
		assert_int_equal(p.n, (size_t)i + 1);
	}
	for (int i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), SESS "host%%20%d", i);
		size_t n = strlen(path);
		for (size_t j = 0; j <= n; j++)
			upper[j] =
			    path[j] >= 'a' && path[j] <= 'z' ? (char)(path[j] - 32) : path[j];
		assert_int_equal(ss_regplan_key(&p, upper) - p.v, i);
		assert_string_equal(p.v[i].path, path);
	}
	assert_int_equal(p.n, 1000);
	ss_regplan_free(&p);
}

/* Every corpus file: parses, renders back byte for byte, and an edit that
 * sets a value and reverts touches nothing else. */
/* ss_regfile_block_values finds for each name the last value of the
 * block that ss_regfile_value_name_is takes for it, as a walk of every
 * value does. */
static void assert_block_values(const ss_regfile *rf, size_t b, const char *const *names, size_t n)
{
	ss_regvalue got[8], want[8];
	unsigned char found[8];
	assert_true(n <= 8);
	ss_regfile_block_values(rf, b, names, n, got, found);
	for (size_t i = 0; i < n; i++) {
		size_t cur = 0;
		int has = 0;
		ss_regvalue v;
		while (ss_regfile_next_value(rf, b, &cur, &v))
			if (ss_regfile_value_name_is(rf, &v, names[i])) {
				want[i] = v;
				has = 1;
			}
		assert_int_equal(found[i], has);
		if (!has)
			continue;
		assert_int_equal(got[i].line, want[i].line);
		assert_int_equal(got[i].nlines, want[i].nlines);
		assert_int_equal(got[i].is_default, want[i].is_default);
		assert_int_equal(got[i].name_start, want[i].name_start);
		assert_int_equal(got[i].name_end, want[i].name_end);
		assert_int_equal(got[i].data_start, want[i].data_start);
		assert_int_equal(got[i].data_end, want[i].data_end);
		assert_int_equal(got[i].type, want[i].type);
		assert_int_equal(got[i].hextype, want[i].hextype);
		assert_int_equal(got[i].dword, want[i].dword);
	}
}

/* ss_regfile_next_named gives, in order, the values of the block that
 * ss_regfile_value_name_is takes for `name`. */
static void assert_named(const ss_regfile *rf, size_t b, const char *name)
{
	size_t c1 = 0, c2 = 0;
	ss_regvalue v, n;
	while (ss_regfile_next_value(rf, b, &c1, &v)) {
		if (!ss_regfile_value_name_is(rf, &v, name))
			continue;
		assert_int_equal(ss_regfile_next_named(rf, b, &c2, name, &n), 1);
		assert_int_equal(n.line, v.line);
		assert_int_equal(n.nlines, v.nlines);
		assert_int_equal(n.is_default, v.is_default);
		assert_int_equal(n.name_start, v.name_start);
		assert_int_equal(n.name_end, v.name_end);
		assert_int_equal(n.data_start, v.data_start);
		assert_int_equal(n.data_end, v.data_end);
		assert_int_equal(n.type, v.type);
		assert_int_equal(n.dword, v.dword);
	}
	assert_int_equal(ss_regfile_next_named(rf, b, &c2, name, &n), 0);
	assert_int_equal(ss_regfile_next_named(rf, b, &c2, name, &n), 0);
}

/* Every value's name of the block, as written and with its case swapped,
 * then @ and a name that is nowhere, through assert_block_values. */
static void assert_block_values_all(const ss_regfile *rf, size_t b)
{
	size_t cur = 0;
	ss_regvalue v;
	ss_buf name = SS_BUF_INIT, swapped = SS_BUF_INIT;
	while (ss_regfile_next_value(rf, b, &cur, &v)) {
		ss_buf_reset(&name);
		ss_buf_reset(&swapped);
		assert_int_equal(ss_regfile_value_name(rf, &v, &name), 0);
		assert_int_equal(ss_buf_grow(&name, 0), 0);
		for (size_t i = 0; i < name.len; i++) {
			char c = name.data[i];
			c = c >= 'a' && c <= 'z'   ? (char)(c - 32)
			    : c >= 'A' && c <= 'Z' ? (char)(c + 32)
						   : c;
			assert_int_equal(ss_buf_addc(&swapped, c), 0);
		}
		assert_int_equal(ss_buf_grow(&swapped, 0), 0);
		const char *names[] = {name.data, swapped.data, "", NULL, "no such name"};
		assert_block_values(rf, b, names, 5);
		for (size_t i = 0; i < 5; i++)
			assert_named(rf, b, names[i]);
	}
	const char *none[] = {"", "x"};
	assert_block_values(rf, b, none, 2);
	/* The first eight names of the block, and each swapped, asked at
	 * once: some start alike, some not (the walk files them by that). */
	ss_strlist all = SS_STRLIST_INIT;
	cur = 0;
	while (all.n < 8 && ss_regfile_next_value(rf, b, &cur, &v)) {
		ss_buf_reset(&name);
		assert_int_equal(ss_regfile_value_name(rf, &v, &name), 0);
		assert_int_equal(ss_strlist_push(&all, ss_buf_str(&name)), 0);
		if (all.n % 2 && name.len && all.n < 8) {
			name.data[0] = (char)(name.data[0] ^ 0x20);
			assert_int_equal(ss_strlist_push(&all, name.data), 0);
		}
	}
	assert_block_values(rf, b, (const char *const *)all.v, all.n);
	ss_strlist_release(&all);
	ss_buf_release(&name);
	ss_buf_release(&swapped);
}

/* Locating names and then completing a value (ss_regfile_next_name,
 * ss_regfile_value_data) finds the same values as ss_regfile_next_value,
 * and so do ss_regfile_block_values and ss_regfile_next_named. */
static void assert_same_walk(const ss_regfile *rf, size_t b)
{
	assert_block_values_all(rf, b);
	size_t c1 = 0, c2 = 0;
	ss_regvalue v, n;
	for (;;) {
		int more = ss_regfile_next_value(rf, b, &c1, &v);
		assert_int_equal(ss_regfile_next_name(rf, b, &c2, &n), more);
		if (!more)
			break;
		assert_int_equal(n.line, v.line);
		assert_int_equal(n.is_default, v.is_default);
		assert_int_equal(n.name_start, v.name_start);
		assert_int_equal(n.name_end, v.name_end);
		ss_regfile_value_data(rf, &n);
		assert_int_equal(n.nlines, v.nlines);
		assert_int_equal(n.data_start, v.data_start);
		assert_int_equal(n.data_end, v.data_end);
		assert_int_equal(n.type, v.type);
		assert_int_equal(n.hextype, v.hextype);
		assert_int_equal(n.dword, v.dword);
	}
}

static void test_corpus_round_trip(void **state)
{
	fixture *f = *state;
	char *dir = tu_corpus_dir("putty");
	if (!dir)
		skip();
	ss_strlist names = tu_list_dir(dir);
	assert_true(names.n >= 3);
	for (size_t i = 0; i < names.n; i++) {
		char *path = tu_path(dir, names.v[i]);
		ss_regfile_free(&f->rf);
		ss_text_free(&f->t);
		assert_int_equal(ss_text_load(&f->t, path, 0, &f->d), 0);
		if (ss_regfile_parse(&f->rf, &f->t, &f->d) < 0)
			fail_msg("%s: %s", path, f->d.message);
		assert_true(f->rf.nblocks > 0);
		for (size_t b = 0; b < f->rf.nblocks; b++)
			assert_same_walk(&f->rf, b);
		ss_buf raw = tu_read(path);
		ss_buf_reset(&f->out);
		ss_edits_free(&f->e);
		assert_int_equal(ss_edits_render_file(&f->t, &f->e, &f->out, &f->d), 0);
		assert_int_equal(f->out.len, raw.len);
		assert_memory_equal(f->out.data, raw.data, raw.len);
		ss_buf_release(&raw);
		free(path);
	}
	ss_strlist_release(&names);
	free(dir);
}

/* Mutated files (fixed seed): every one either parses, with every value
 * readable and an insert into every block that renders, or fails with a
 * positioned message. ASan and UBSan watch the rest. */
static void test_mutations_parse_or_fail_cleanly(void **state)
{
	fixture *f = *state;
	static const char base[] =
	    "Windows Registry Editor Version 5.00\r\n\r\n[" SESS "a%20b]\r\n"
	    "\"S\"=\"x \\\"y\\\" \\\\\"\r\n\"D\"=dword:0000003c ; c\r\n"
	    "\"H\"=hex(7):41,00,\\\r\n  00,00\r\n@=-\r\n\r\n[-" SESS "c]\r\n";
	static const char alphabet[] = "[]\"\\=@-;:,\r\n \tdwordhex(7)0aF";
	unsigned seed = 12345;
	char buf[sizeof(base) + 8];
	size_t parsed = 0;
	for (int i = 0; i < 3000; i++) {
		size_t len = sizeof(base) - 1;
		memcpy(buf, base, len);
		for (int m = 0; m < 1 + i % 3; m++) {
			tu_lcg(&seed);
			size_t at = (seed >> 8) % len;
			tu_lcg(&seed);
			char c = alphabet[(seed >> 8) % (sizeof(alphabet) - 1)];
			if ((seed >> 20) % 4 == 0 && len > 1) {
				memmove(buf + at, buf + at + 1, len - at - 1); /* delete */
				len--;
			} else {
				buf[at] = c;
			}
		}
		if (load_bytes(f, buf, len) < 0) {
			assert_non_null(f->d.message);
			assert_true(f->d.line >= 1);
			continue;
		}
		parsed++;
		ss_edits_free(&f->e);
		for (size_t b = 0; b < f->rf.nblocks; b++) {
			size_t cur = 0;
			ss_regvalue v;
			ss_buf s = SS_BUF_INIT;
			while (ss_regfile_next_value(&f->rf, b, &cur, &v)) {
				assert_true(v.data_start <= v.data_end && v.data_end <= f->t.len);
				assert_int_equal(ss_regfile_value_name(&f->rf, &v, &s), 0);
				if (v.type == SS_REG_SZ)
					assert_int_equal(ss_regfile_value_string(&f->rf, &v, &s),
							 0);
			}
			ss_buf_release(&s);
			assert_same_walk(&f->rf, b);
			assert_int_equal(ss_regfile_insert_dword(&f->rf, &f->e, b, "New", 1), 0);
		}
		render(f);
		/* What was inserted reads back. */
		ss_text t2;
		ss_regfile rf2;
		assert_int_equal(ss_text_from_bytes(&t2, "t2.reg", f->out.data, f->out.len, &f->d),
				 0);
		if (ss_regfile_parse(&rf2, &t2, &f->d) < 0)
			fail_msg("after insert: %s\n%s", f->d.message, ss_buf_str(&f->out));
		ss_regfile_free(&rf2);
		ss_text_free(&t2);
	}
	assert_true(parsed > 100);
}

/* The walks that look for a few names pass most lines by after a look at
 * their first two bytes: names that start with an escape, in the other
 * case, after blanks, @ and "" are still found, and a name that starts as
 * another and is longer, or is as long only once unescaped, is told apart. */
static void test_walks_look_closer_where_a_name_may_match(void **state)
{
	fixture *f = *state;
	load(f, "REGEDIT4\n[" SESS "s]\n"
		"\"PingInterval\"=dword:1\n"
		"\"PingIntervalSecs\"=dword:2\n"
		"\"pINGinterval\"=dword:3\n"
		"  \"PingIntervalSecs\"=dword:4\n"
		"\"\\PingInterval\"=dword:5\n"
		"\"P\\ingIntervalSecs\"=dword:6\n"
		"\"Other\"=dword:7\n"
		"@=\"d\"\n"
		"\"\"=dword:8\n");
	size_t b = key(f, SESS "s");
	assert_int_not_equal(b, SS_REGFILE_NONE);
	const char *names[] = {"PingInterval", "PingIntervalSecs", "", "pingintervalsecs"};
	ss_regvalue v[4];
	unsigned char found[4];
	ss_regfile_block_values(&f->rf, b, names, 4, v, found);
	const uint32_t want[] = {5, 6, 8, 6};
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(found[i], 1);
		assert_int_equal(v[i].type, SS_REG_DWORD);
		assert_int_equal(v[i].dword, want[i]);
	}
	const uint32_t secs[] = {2, 4, 6};
	size_t cur = 0, n = 0;
	ss_regvalue x;
	while (ss_regfile_next_named(&f->rf, b, &cur, "PINGINTERVALSECS", &x)) {
		assert_true(n < 3);
		assert_int_equal(x.dword, secs[n++]);
	}
	assert_int_equal(n, 3);
	assert_same_walk(&f->rf, b);
}

/* A file of `n` sessions of five lines each (key, dword, hex value on two
 * lines, blank), session i's key at line 2 + 5 i (from 0); `bad_line` in
 * place of line `bad` (SIZE_MAX: none). */
static ss_buf many_sessions(size_t n, size_t bad, const char *bad_line)
{
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_buf_adds(&b, "REGEDIT4\r\n\r\n"), 0);
	for (size_t i = 0; i < n; i++) {
		char lines[5][96];
		snprintf(lines[0], sizeof(lines[0]), "[%ss%06zu]", SESS, i);
		snprintf(lines[1], sizeof(lines[1]), "\"A\"=dword:%08zx", i);
		snprintf(lines[2], sizeof(lines[2]), "\"H\"=hex:01,\\");
		snprintf(lines[3], sizeof(lines[3]), "  02");
		lines[4][0] = '\0';
		for (size_t k = 0; k < 5; k++) {
			const char *l = 2 + 5 * i + k == bad ? bad_line : lines[k];
			assert_int_equal(ss_buf_addf(&b, "%s\r\n", l), 0);
		}
	}
	return b;
}

/* Where the check of such a file starts its second half: the first key
 * line from the middle of the lines after the header on. */
static size_t second_half(size_t n)
{
	size_t nlines = 2 + 5 * n, mid = 1 + (nlines - 1) / 2, i = 0;
	while (2 + 5 * i < mid)
		i++;
	return 2 + 5 * i;
}

/* The offset where line `line` of b starts. */
static size_t line_offset(const ss_buf *b, size_t line)
{
	size_t at = 0;
	for (size_t l = 0; l < line; at++)
		if (b->data[at] == '\n')
			l++;
	return at;
}

/* A large file is checked in two halves at once: the blocks, where they
 * end, and the index are those of one check from the top; the first error
 * in file order is the one reported, also when both halves have one, and
 * a value of the first half that goes on into the key where the second
 * half starts fails there as it would otherwise. */
static void test_large_file_checked_in_two_halves(void **state)
{
	fixture *f = *state;
	const size_t n = 20000; /* 100,002 lines: above the size that is split */
	ss_buf b = many_sessions(n, SIZE_MAX, NULL);
	assert_int_equal(load_bytes(f, b.data, b.len), 0);
	assert_int_equal(f->rf.nblocks, n);
	for (size_t i = 0; i < n; i++) {
		const ss_regblock *k = &f->rf.blocks[i];
		assert_int_equal(k->line, 2 + 5 * i);
		assert_int_equal(k->end_line, i + 1 < n ? 2 + 5 * (i + 1) : f->t.nlines);
		assert_int_equal(k->last_value_line, 2 + 5 * i + 3);
	}
	char path[96], where[64];
	for (size_t i = 0; i < n; i += 997) {
		snprintf(path, sizeof(path), "%ss%06zu", SESS, i);
		assert_int_equal(key(f, path), i);
		ss_regvalue v;
		assert_int_equal(ss_regfile_lookup(&f->rf, path, "A", &v), 1);
		assert_int_equal(v.dword, i);
	}
	size_t half = second_half(n), late = half + 5 * 100 + 3;
	/* An error in the second half only. */
	snprintf(where, sizeof(where), "t.reg:%zu:3: expected a hex byte", late + 1);
	ss_buf bad = many_sessions(n, late, "  zz");
	expect_error(f, bad.data, bad.len, where);
	/* In both halves: the first half's. */
	memcpy(bad.data + line_offset(&bad, 2 + 5 * 10 + 3), "  yy", 4);
	snprintf(where, sizeof(where), "t.reg:%zu:3: expected a hex byte",
		 (size_t)(2 + 5 * 10 + 3 + 1));
	expect_error(f, bad.data, bad.len, where);
	ss_buf_release(&bad);
	/* The session before the second half ends with data that goes on,
	 * over a comment, into the key line where that half starts:
	 * "  02", "" become "02,\", ";" (as many lines). */
	size_t at = line_offset(&b, half - 2);
	assert_memory_equal(b.data + at, "  02\r\n\r\n", 8);
	assert_int_equal(ss_buf_add(&bad, b.data, at), 0);
	assert_int_equal(ss_buf_adds(&bad, "02,\\\r\n;\r\n"), 0);
	assert_int_equal(ss_buf_add(&bad, b.data + at + 8, b.len - at - 8), 0);
	snprintf(where, sizeof(where), "t.reg:%zu:1: expected a hex byte", half + 1);
	expect_error(f, bad.data, bad.len, where);
	ss_buf_release(&bad);
	ss_buf_release(&b);
}

/* ss_key_eq folds exactly the ASCII letters, as a byte loop does, at
 * every length (whole words and tails), and names it takes as one hash
 * alike: random names over letters of both cases and the bytes 0x20 away
 * from a letter ('@' '`', '[' '{', 0xC1 0xE1), each beside a copy with
 * some bytes' case or value changed. */
static int fold_byte(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static void test_key_fold_agrees_with_bytes(void **state)
{
	(void)state;
	static const unsigned char alphabet[] = {'a', 'A', 'z',	 'Z',  '@',  '`',
						 '[', '{', 0xC1, 0xE1, '\\', '0'};
	unsigned seed = 5;
	char a[40], b[40];
	int equal = 0, differ = 0;
	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)round % sizeof(a);
		for (size_t i = 0; i < len; i++) {
			tu_lcg(&seed);
			a[i] = (char)alphabet[(seed >> 16) % sizeof(alphabet)];
			/* Most bytes stay; some flip a letter's case (0x20), some change. */
			unsigned pick = (seed >> 24) % 16;
			b[i] = pick == 0   ? (char)(a[i] ^ 0x20)
			       : pick == 1 ? (char)alphabet[(seed >> 8) % sizeof(alphabet)]
					   : a[i];
		}
		int want = 1;
		for (size_t i = 0; i < len; i++)
			want &= fold_byte((unsigned char)a[i]) == fold_byte((unsigned char)b[i]);
		assert_int_equal(ss_key_eq(a, len, b, len), want);
		if (want)
			assert_true(ss_key_hash(a, len) == ss_key_hash(b, len));
		equal += want;
		differ += !want;
	}
	assert_true(equal > 2000 && differ > 2000);
	assert_false(ss_key_eq("ab", 2, "abc", 3));
	/* The length is part of the hash: a tail of NULs is not the name. */
	assert_true(ss_key_hash("a", 1) != ss_key_hash("a\0", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_fold_agrees_with_bytes),
	    cmocka_unit_test_setup_teardown(test_parses_blocks_and_types, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_regedit4_leading_blanks_lf_mixed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_lookup_follows_import_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_key_name_runs_to_last_bracket, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors_name_line_and_column, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_plain_value_lines, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_plain_value_names_at_every_length, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_plain_string_texts_at_every_length, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_utf16_errors_use_editor_lines, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nul_in_names_is_an_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_set_insert_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_insert_uses_the_line_ending_of_its_neighbour,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_append_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_render_v5_is_utf16_like_regedit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_render_refuses_paths_that_break_lines, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_corpus_round_trip, setup, teardown),
	    cmocka_unit_test(test_regplan_keys_once_each),
	    cmocka_unit_test(test_regplan_values_once_each),
	    cmocka_unit_test_setup_teardown(test_regstream_is_the_whole_rendering, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_regstream_refuses_as_render_does, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_format_value_escapes_and_dwords, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mutations_parse_or_fail_cleanly, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_walks_look_closer_where_a_name_may_match, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_large_file_checked_in_two_halves, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
