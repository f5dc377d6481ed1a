/* store/winereg: Wine's user.reg, parsed losslessly, located, edited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/winereg.h"
#include "testutil.h"

#define HDR                                                                                        \
	"WINE REGISTRY Version 2\n;; All keys relative to "                                        \
	"REGISTRY\\\\User\\\\S-1-5-21-0-0-0-1000\n\n#arch=win64\n"
#define PUTTY "Software\\SimonTatham\\PuTTY\\Sessions"

typedef struct fixture {
	ss_text t;
	ss_winereg wr;
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
	ss_winereg_free(&f->wr);
	ss_text_free(&f->t);
	ss_edits_free(&f->e);
	ss_buf_release(&f->out);
	ss_diag_clear(&f->d);
	free(f);
	return 0;
}

static int load_bytes(fixture *f, const void *s, size_t len)
{
	ss_winereg_free(&f->wr);
	ss_text_free(&f->t);
	ss_edits_free(&f->e);
	ss_diag_clear(&f->d);
	if (ss_text_from_bytes(&f->t, "user.reg", s, len, &f->d) < 0)
		return -1;
	return ss_winereg_parse(&f->wr, &f->t, &f->d);
}

static void load(fixture *f, const char *s)
{
	if (load_bytes(f, s, strlen(s)) < 0)
		fail_msg("%s", f->d.message);
}

static const char *render(fixture *f)
{
	ss_buf_reset(&f->out);
	assert_int_equal(ss_edits_render(&f->t, &f->e, &f->out, &f->d), 0);
	return ss_buf_str(&f->out);
}

static void get(fixture *f, const char *key, const char *name, ss_wregvalue *v)
{
	if (!ss_winereg_lookup(&f->wr, key, name, v))
		fail_msg("no value %s\\%s", key, name);
}

static char *string_of(fixture *f, const ss_wregvalue *v)
{
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_winereg_value_string(&f->wr, v, &b), 0);
	return ss_buf_detach(&b, NULL);
}

/* --- a real user.reg, written by Wine 8.0 --- */

static void test_fixture_round_trip(void **state)
{
	fixture *f = *state;
	const char *dir = getenv("SSHSYNC_FIXTURES");
	assert_non_null(dir);
	char *path = ss_asprintf("%s/winereg/user.reg", dir);
	ss_buf raw = tu_read(path);
	assert_int_equal(ss_text_load(&f->t, path, 0, &f->d), 0);
	assert_int_equal(ss_winereg_parse(&f->wr, &f->t, &f->d), 0);
	free(path);
	/* No edits: the same bytes. */
	ss_buf out = SS_BUF_INIT;
	assert_int_equal(ss_edits_render_file(&f->t, &f->e, &out, &f->d), 0);
	assert_int_equal(out.len, raw.len);
	assert_memory_equal(out.data, raw.data, raw.len);
	ss_buf_release(&out);
	ss_buf_release(&raw);
	assert_int_equal(f->wr.hive, SS_WREG_HIVE_USER);
	assert_string_equal(f->wr.relative_to, "REGISTRY\\User\\S-1-5-21-0-0-0-1000");

	ss_strlist names = SS_STRLIST_INIT;
	assert_int_equal(ss_winereg_subkeys(&f->wr, PUTTY, &names), 0);
	assert_int_equal(names.n, 3);
	assert_string_equal(names.v[0], "caf\xc3\xa9 [x]");
	assert_string_equal(names.v[1], "Default%20Settings");
	assert_string_equal(names.v[2], "web%201");
	ss_strlist_release(&names);
	assert_int_equal(
	    ss_winereg_subkeys(&f->wr, "software\\MARTIN PRIKRYL\\WinSCP 2\\Sessions", &names), 0);
	assert_int_equal(names.n, 2);
	assert_string_equal(names.v[0], "Folder/ftp");
	ss_strlist_release(&names);
	/* Keys with only subkeys have no block of their own, but exist. */
	assert_int_equal(ss_winereg_find_key(&f->wr, PUTTY, strlen(PUTTY)), SS_WINEREG_NONE);
	assert_true(ss_winereg_key_exists(&f->wr, PUTTY));
	assert_false(ss_winereg_key_exists(&f->wr, "Software\\SimonTatham\\PuTT"));
	/* A name of surrogate pairs (\xd83c\xdf0e...) is UTF-8 text. */
	assert_true(ss_winereg_key_exists(&f->wr,
					  "Control Panel\\International\\"
					  "\xf0\x9f\x8c\x8e\xf0\x9f\x8c\x8f\xf0\x9f\x8c\x8d"));

	ss_wregvalue v;
	get(f, PUTTY "\\web%201", "pingintervalsecs", &v);
	assert_int_equal(v.form, SS_WREG_DWORD);
	assert_true(v.has_dword);
	assert_int_equal(v.dword, 30);
	/* hex(4): of four bytes is a REG_DWORD; Wine rewrote it as dword:. */
	get(f, PUTTY "\\web%201", "Dh", &v);
	assert_int_equal(v.dword, 60);
	get(f, PUTTY "\\web%201", "Odd", &v);
	char *s = string_of(f, &v);
	assert_string_equal(s, "a\\b \"q\" caf\xc3\xa9 \xe2\x82\xac"
			       "1");
	free(s);
	get(f, PUTTY "\\web%201", "Multi", &v);
	assert_int_equal(v.type, SS_REGT_MULTI_SZ);
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_winereg_value_data(&f->wr, &v, &b), 0);
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.data, "a\0\0\0b\0\0\0\0\0", 10);
	ss_buf_reset(&b);
	get(f, PUTTY "\\web%201", "Bin", &v);
	assert_int_equal(v.nlines, 2);
	assert_int_equal(v.type, SS_REGT_BINARY);
	assert_int_equal(ss_winereg_value_data(&f->wr, &v, &b), 0);
	assert_int_equal(b.len, 41);
	assert_int_equal((unsigned char)b.data[40], 0x29);
	ss_buf_release(&b);
	get(f, "Software\\Martin Prikryl\\WinSCP 2\\Sessions\\Folder/ftp", "Expand", &v);
	assert_int_equal(v.type, SS_REGT_EXPAND_SZ);
	s = string_of(f, &v);
	assert_string_equal(s, "%APPDATA%");
	free(s);
	get(f, "Software\\Martin Prikryl\\WinSCP 2\\Sessions\\Folder/ftp", "Nothing", &v);
	assert_int_equal(v.type, SS_REGT_NONE);
	assert_int_equal(v.form, SS_WREG_HEX);
	assert_false(v.has_dword);
	/* Where: file:line as an editor shows it. */
	get(f, PUTTY "\\Default%20Settings", "PingInterval", &v);
	char *where = ss_text_where(&f->t, f->t.lines[v.line]);
	assert_non_null(strstr(where, "user.reg:"));
	size_t line, col;
	ss_text_position(&f->t, v.data_start, &line, &col);
	assert_int_equal(col, 16);
	free(where);
}

/* --- escaping, as dump_strW writes --- */

static void expect_escaped(const char *in, size_t len, const char sp[2], const char *want)
{
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_winereg_escape(&b, in, len, sp), 0);
	assert_string_equal(ss_buf_str(&b), want);
	ss_buf_release(&b);
}

static void test_escape_like_wine(void **state)
{
	(void)state;
	/* Seen in a file Wine 8.0 wrote. */
	expect_escaped("a\\b \"q\" caf\xc3\xa9 \xe2\x82\xac"
		       "1",
		       18, "\"\"", "a\\\\b \\\"q\\\" caf\\xe9 \\x20ac1");
	expect_escaped("caf\xc3\xa9 [x]", 9, "[]", "caf\\xe9 \\[x\\]");
	expect_escaped("\xf0\x9f\x8c\x8e", 4, "[]", "\\xd83c\\xdf0e");
	/* Controls: C escapes, else octal (3 digits before an octal digit). */
	expect_escaped("\t\n\x1b\x7f", 4, "\"\"", "\\t\\n\\e\x7f");
	expect_escaped("\x01"
		       "7\x01x",
		       4, "\"\"", "\\0017\\1x");
	expect_escaped("a\0b", 3, "\"\"", "a\\0b");
	expect_escaped("\xc3\xa9"
		       "f",
		       3, "\"\"", "\\x00e9f");
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_winereg_escape(&b, "\xff", 1, "\"\""), -2);
	ss_buf_release(&b);
}

/* Random UTF-16 strings (controls, quotes, backslashes, hex digits,
 * surrogates paired and not): escaped, written as a value, parsed back:
 * the same units. */
static unsigned next_rand(unsigned *seed)
{
	return (tu_lcg(seed) >> 16) & 0x7FFF;
}

static void units_to_wtf8(const unsigned *u, size_t n, ss_buf *out)
{
	ss_buf b = SS_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		char unit[2] = {(char)(u[i] & 0xFF), (char)(u[i] >> 8)};
		assert_int_equal(ss_buf_add(&b, unit, 2), 0);
	}
	assert_int_equal(ss_utf16le_to_utf8(b.data ? b.data : "", b.len, out), 0);
	ss_buf_release(&b);
}

static void test_escape_round_trip_generated(void **state)
{
	fixture *f = *state;
	static const unsigned PICK[] = {
	    '"', '\\', '[', ']', '0', '7', '8', 'a',  'F',    'x',    ' ',    '=',    ';',  '#',
	    0,	 1,    9,   10,	 13,  27,  127, 0xE9, 0x20AC, 0xD83C, 0xDF0E, 0xFFFF, 0x80, 0x7FF};
	unsigned seed = 12345;
	size_t agree = 0, total = 2000;
	for (size_t k = 0; k < total; k++) {
		unsigned u[12];
		size_t n = next_rand(&seed) % 12;
		for (size_t i = 0; i < n; i++)
			u[i] = next_rand(&seed) % 3
				   ? PICK[next_rand(&seed) % (sizeof(PICK) / sizeof(*PICK))]
				   : next_rand(&seed) % 0x10000;
		ss_buf text = SS_BUF_INIT, file = SS_BUF_INIT, data = SS_BUF_INIT;
		units_to_wtf8(u, n, &text);
		/* A key name cannot hold U+0000 (the parser refuses it). */
		int in_key = !memchr(text.data ? text.data : "", '\0', text.len);
		assert_int_equal(ss_buf_adds(&file, HDR "\n[K\\\\"), 0);
		if (in_key)
			assert_int_equal(ss_winereg_escape(&file, text.data, text.len, "[]"), 0);
		assert_int_equal(ss_buf_adds(&file, "] 1\n\"n\"=\""), 0);
		assert_int_equal(
		    ss_winereg_escape(&file, text.data ? text.data : "", text.len, "\"\""), 0);
		assert_int_equal(ss_buf_adds(&file, "\"\n"), 0);
		if (load_bytes(f, file.data, file.len) < 0)
			fail_msg("%s in %s", f->d.message, file.data);
		ss_wregvalue v;
		assert_int_equal(f->wr.nkeys, 1);
		if (ss_winereg_find_value(&f->wr, 0, "n", &v)) {
			assert_int_equal(ss_winereg_value_data(&f->wr, &v, &data), 0);
			int same = data.len == 2 * n + 2;
			for (size_t i = 0; same && i < n; i++)
				same =
				    ((unsigned char)data.data[2 * i] |
				     ((unsigned)(unsigned char)data.data[2 * i + 1] << 8)) == u[i];
			/* The key name comes back as the same text. */
			same = same &&
			       (!in_key || (f->wr.keys[0].path_len == 2 + text.len &&
					    memcmp(f->wr.keys[0].path + 2,
						   text.data ? text.data : "", text.len) == 0));
			agree += (size_t)same;
		}
		ss_buf_release(&text);
		ss_buf_release(&file);
		ss_buf_release(&data);
	}
	printf("winereg escape round trip: %zu/%zu generated strings agree (%.1f%%)\n", agree,
	       total, 100.0 * (double)agree / (double)total);
	assert_int_equal(agree, total);
}

/* --- syntax Wine reads --- */

static void test_wine_syntax(void **state)
{
	fixture *f = *state;
	load(f, HDR "\n"
		    "  [Software\\\\A\\\\s1]   \n"	       /* no time, blanks */
		    "#time=1d0\n"			       /* */
		    "\"a\" = \"x\" trailing ignored\n"	       /* */
		    "\"b\"=str:\"y\"\n"			       /* */
		    "@=dword:3c\n"			       /* */
		    "\"h\"=hex(4):78 56,34 ,12\n"	       /* separators are optional */
		    "\"c\"=hex:01,\\ anything\n"	       /* */
		    "\n"				       /* */
		    "; a comment\n"			       /* */
		    "\"d\"=\"\\x41\\101\\q\\x\\n\"\n"	       /* */
		    "\"\\x41\\\"\"=\"raw caf\xc3\xa9 \xc3\"\n" /* an invalid byte is dropped */
		    "[Software\\\\A\\\\s1] 5\n"		       /* the same key again */
		    "\"a\"=\"z\"\n");
	assert_int_equal(f->wr.nkeys, 2);
	assert_int_equal(f->wr.keys[0].next_same, 1);
	assert_string_equal(f->wr.keys[0].path, "Software\\A\\s1");
	ss_wregvalue v;
	get(f, "software\\a\\S1", "a", &v);
	char *s = string_of(f, &v);
	assert_string_equal(s, "z"); /* the last line wins */
	free(s);
	get(f, "Software\\A\\s1", "", &v);
	assert_int_equal(v.dword, 0x3c);
	get(f, "Software\\A\\s1", "h", &v);
	assert_true(v.has_dword);
	assert_int_equal(v.dword, 0x12345678);
	get(f, "Software\\A\\s1", "c", &v);
	assert_int_equal(v.nlines, 2); /* the blank line after '\' is its data */
	get(f, "Software\\A\\s1", "d", &v);
	s = string_of(f, &v);
	assert_string_equal(s, "AAqx\n");
	free(s);
	get(f, "Software\\A\\s1", "A\"", &v);
	s = string_of(f, &v);
	assert_string_equal(s, "raw caf\xc3\xa9 ");
	free(s);
	assert_int_equal(f->wr.keys[0].time_line, 6);
	/* CRLF, and a file without a final newline. */
	load(f, "WINE REGISTRY Version 2\r\n\r\n[K] 1\r\n\"v\"=dword:00000001");
	get(f, "K", "v", &v);
	assert_int_equal(v.dword, 1);
	assert_int_equal(ss_winereg_sniff("WINE REGISTRY Version 2\r\n", 25), 1);
	assert_int_equal(ss_winereg_sniff("Windows Registry Editor Version 5.00\r\n", 38), 0);
}

/* The sniffer (which store a file is) and the parser (whether it is one)
 * agree on files that are only the header; a key written into one reads
 * back. A fuzz run found a header without a line ending that the parser
 * took and the sniffer did not, so that apply wrote a file that no longer
 * read as the store it planned. */
static void test_header_only(void **state)
{
	fixture *f = *state;
	static const char *const files[] = {
	    "WINE REGISTRY Version 2",	   "WINE REGISTRY Version 2\n",
	    "WINE REGISTRY Version 2\r\n", "WINE REGISTRY Version 2\r",
	    "WINE REGISTRY Version 2 \n",  "WINE REGISTRY Version 2\r\r\n",
	    "WINE REGISTRY Version",	   "WINE REGISTRY Version 22\n",
	};
	static const int is_wine[] = {1, 1, 1, 0, 0, 0, 0, 0};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t len = strlen(files[i]);
		int parsed = load_bytes(f, files[i], len) == 0;
		assert_int_equal(ss_winereg_sniff(files[i], len), is_wine[i]);
		if (parsed != is_wine[i])
			fail_msg("file %zu: the parser says %d, the sniffer %d", i, parsed,
				 is_wine[i]);
		if (!parsed)
			continue;
		ss_regkey k = {0};
		k.path = PUTTY "\\s";
		assert_int_equal(ss_regkey_set_dword(&k, "PingInterval", 1), 0);
		assert_int_equal(ss_winereg_append_key(&f->wr, &f->e, &k, 1796200614, &f->d), 0);
		free(k.v[0].name);
		free(k.v);
		char *out = ss_strdup(render(f));
		assert_non_null(out);
		assert_int_equal(ss_winereg_sniff(out, strlen(out)), 1);
		load(f, out);
		ss_wregvalue v;
		get(f, PUTTY "\\s", "PingInterval", &v);
		assert_int_equal(v.dword, 1);
		free(out);
	}
}

static void expect_error_n(fixture *f, const char *s, size_t len, const char *want)
{
	assert_int_equal(load_bytes(f, s, len), -1);
	char *msg = ss_diag_format(&f->d);
	assert_non_null(msg);
	if (strncmp(msg, want, strlen(want)) != 0)
		fail_msg("got \"%s\", want \"%s...\"", msg, want);
	free(msg);
}

static void expect_error(fixture *f, const char *s, const char *want)
{
	expect_error_n(f, s, strlen(s), want);
}

static void test_errors(void **state)
{
	fixture *f = *state;
	expect_error(f, "Windows Registry Editor Version 5.00\n",
		     "user.reg:1:1: not a Wine registry file");
	expect_error(f, "\nWINE REGISTRY Version 2\n", "user.reg:1:1: not a Wine registry file");
	expect_error(f, "WINE REGISTRY Version 2\n#arch=win16\n",
		     "user.reg:2:7: unknown architecture");
	expect_error(f, "WINE REGISTRY Version 2\n\"a\"=\"b\"\n",
		     "user.reg:2:1: a value before the first key");
	expect_error(f, "WINE REGISTRY Version 2\n[K\\]\n", "user.reg:2:1: malformed key");
	expect_error(f, "WINE REGISTRY Version 2\n[K]\n\"a=\"b\"\n",
		     "user.reg:3:5: expected '=' after the value name");
	expect_error(f, "WINE REGISTRY Version 2\n[K]\n\"a\"=\"b\n",
		     "user.reg:3:5: unterminated string");
	expect_error(f, "WINE REGISTRY Version 2\n[K]\n  \"a\"=dword:123456789\n",
		     "user.reg:3:13: bad dword");
	expect_error(f, "WINE REGISTRY Version 2\n[K]\n\"a\"=dword:12 # x\n",
		     "user.reg:3:11: bad dword");
	expect_error(f, "WINE REGISTRY Version 2\n[K]\n\"a\"=hex:1,2,\\\n",
		     "user.reg:3:13: the hex data continues");
	expect_error(f, "WINE REGISTRY Version 2\n[K]\n\"a\"=hex:1,100\n",
		     "user.reg:3:11: a hex byte above ff");
	expect_error(f, "WINE REGISTRY Version 2\n[K]\n\"a\"=hex:1,,2\n",
		     "user.reg:3:11: expected a hex byte");
	expect_error(f, "WINE REGISTRY Version 2\n[K]\n\"a\"=str(3):\"x\"\n",
		     "user.reg:3:5: expected \"string\"");
	expect_error(f, "WINE REGISTRY Version 2\n[K]\nPingInterval=1\n",
		     "user.reg:3:1: unrecognized input");
	expect_error(f, "WINE REGISTRY Version 2\n[K]\n#class=x\n",
		     "user.reg:3:8: malformed key class");
	static const char nul[] = "WINE REGISTRY Version 2\n[K]\n\"a\"=\"b\0\"\n";
	expect_error_n(f, nul, sizeof(nul) - 1, "user.reg:3:7: a NUL byte");
	static const char u16[] = "\xff\xfeW\0\n\0";
	assert_int_equal(load_bytes(f, u16, sizeof(u16) - 1), -1);
	assert_non_null(strstr(f->d.message, "UTF-16"));
}

/* --- edits --- */

static void test_edits(void **state)
{
	fixture *f = *state;
	load(f, HDR "\n"
		    "[Software\\\\S\\\\a] 1700000000\n"
		    "#time=1da1b2c3d4e5f60\n"
		    "\"HostName\"=\"h\"\n"
		    "\"PingInterval\"=hex(4):01,\\\n"
		    "  00,00,00\n"
		    "\"Zeta\"=\"z\"\n"
		    "\n"
		    "[Software\\\\S\\\\b] 1700000000\n"
		    "#time=1da1b2c3d4e5f60\n");
	ss_wregvalue v;
	get(f, "Software\\S\\a", "PingInterval", &v);
	assert_int_equal(v.dword, 1);
	assert_int_equal(ss_winereg_set_dword(&f->wr, &f->e, &v, 2), 0);
	assert_int_equal(ss_winereg_insert_dword(&f->wr, &f->e, 0, "PingIntervalSecs", 30), 0);
	assert_int_equal(ss_winereg_insert_string(&f->wr, &f->e, 0, "A \"q\"", "caf\xc3\xa9"), 0);
	get(f, "Software\\S\\a", "Zeta", &v);
	assert_int_equal(ss_winereg_delete_value(&f->wr, &f->e, &v), 0);
	assert_int_equal(ss_winereg_touch_key(&f->wr, &f->e, 0, 1796200614), 0);
	assert_int_equal(ss_winereg_insert_dword(&f->wr, &f->e, 1, "PingInterval", 1), 0);
	ss_regkey k = {0};
	k.path = "Software\\S\\new [1]";
	assert_int_equal(ss_regkey_set_sz(&k, "Z", "end"), 0);
	assert_int_equal(ss_regkey_set_dword(&k, "PingInterval", 1), 0);
	assert_int_equal(ss_regkey_delete_value(&k, "Gone"), 0);
	assert_int_equal(ss_winereg_append_key(&f->wr, &f->e, &k, 1796200614, &f->d), 0);
	for (size_t i = 0; i < k.n; i++) {
		free(k.v[i].name);
		free(k.v[i].sz);
	}
	free(k.v);
	assert_string_equal(render(f), HDR "\n"
					   "[Software\\\\S\\\\a] 1796200614\n"
					   "#time=1dd823848ac1700\n"
					   "\"A \\\"q\\\"\"=\"caf\\xe9\"\n"
					   "\"HostName\"=\"h\"\n"
					   "\"PingInterval\"=dword:00000002\n"
					   "\"PingIntervalSecs\"=dword:0000001e\n"
					   "\n"
					   "[Software\\\\S\\\\b] 1700000000\n"
					   "#time=1da1b2c3d4e5f60\n"
					   "\"PingInterval\"=dword:00000001\n"
					   "\n"
					   "[Software\\\\S\\\\new \\[1\\]] 1796200614\n"
					   "#time=1dd823848ac1700\n"
					   "\"PingInterval\"=dword:00000001\n"
					   "\"Z\"=\"end\"\n");
	/* What was written reads back as the values set. */
	char *again = ss_strdup(ss_buf_str(&f->out));
	load(f, again);
	free(again);
	get(f, "Software\\S\\a", "A \"q\"", &v);
	char *s = string_of(f, &v);
	assert_string_equal(s, "caf\xc3\xa9");
	free(s);
	get(f, "Software\\S\\new [1]", "PingInterval", &v);
	assert_int_equal(v.dword, 1);

	/* A key without time gets one; CRLF stays CRLF; no final newline stays so. */
	load(f, "WINE REGISTRY Version 2\r\n[K]\r\n\"a\"=dword:00000001");
	get(f, "K", "a", &v);
	assert_int_equal(ss_winereg_touch_key(&f->wr, &f->e, 0, 0), 0);
	assert_int_equal(ss_winereg_insert_dword(&f->wr, &f->e, 0, "b", 2), 0);
	assert_string_equal(render(f),
			    "WINE REGISTRY Version 2\r\n[K] 0\r\n#time=19db1ded53e8000\r\n"
			    "\"a\"=dword:00000001\r\n\"b\"=dword:00000002");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_fixture_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_escape_like_wine, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_escape_round_trip_generated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wine_syntax, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_header_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_edits, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
