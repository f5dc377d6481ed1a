/* A store read piece by piece (ss_storage_open_asked) against the same
 * store read whole (ss_storage_open): generated .reg files, UTF-16 and
 * ANSI, with repeated and deleted keys, deleted values, continuation
 * lines, comments, other hives, names in several cases and broken lines,
 * each read in pieces of many sizes, in one part and in two halves. Every
 * session, every value asked for (type, data, where, shown) and every
 * error must be the same (tu_pieces_agree). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/putty.h"
#include "sshsync/storage.h"
#include "sshsync/text.h"
#include "testutil.h"

#define KEY "Software\\Test\\Sessions"

static int unescape(const char *raw, size_t len, ss_buf *out)
{
	return ss_putty_unescape_name(raw, len, out);
}

static const ss_storage_root ROOT = {KEY, 1, NULL, SS_FILES_NONE, "regfile", unescape};

static const char *const ASKED[] = {"PingInterval", "PingIntervalSecs", "TCPKeepalives"};
#define NASKED (sizeof(ASKED) / sizeof(ASKED[0]))

/* --- the generator --- */

static void add(ss_buf *b, const char *s)
{
	assert_int_equal(ss_buf_adds(b, s), 0);
}

/* Adds a, s and c. */
static void add3(ss_buf *b, const char *a, const char *s, const char *c)
{
	add(b, a);
	add(b, s);
	add(b, c);
}

static const char *pick(unsigned *seed, const char *const *v, size_t n)
{
	return v[tu_pick(seed, (unsigned)n)];
}

#define PICK(seed, v) pick(seed, v, sizeof(v) / sizeof(v[0]))

/* A key line: mostly sessions (a few names, so that keys come again),
 * sometimes deleted, below another hive, a subkey or another key. */
static void key_line(ss_buf *b, unsigned *seed, int utf16)
{
	static const char *const names[] = {
	    "web%201", "db", "DB", "mail", "a%5Cb", "Default%20Settings", "x]y"};
	static const char *const hives[] = {"HKEY_CURRENT_USER", "HKEY_CURRENT_USER",
					    "HKEY_USERS\\S-1-5-21-7", "hkey_current_user"};
	const char *name = PICK(seed, names);
	if (tu_pick(seed, 8) == 0)
		name = utf16 ? "caf\xC3\xA9 \xF0\x9F\x98\x80" : "caf\xE9";
	add(b, tu_pick(seed, 6) == 0 ? "[-" : "[");
	add(b, PICK(seed, hives));
	switch (tu_pick(seed, 10)) {
	case 0:
		add(b, "\\Software\\Other");
		break;
	case 1:
		add3(b, "\\" KEY "\\", name, "\\Sub");
		break;
	case 2:
		add(b, "\\software\\test\\SESSIONS\\");
		add(b, name);
		break;
	default:
		add3(b, "\\" KEY "\\", name, "");
	}
	add(b, tu_pick(seed, 9) == 0 ? "] ; a comment\r\n" : "]\r\n");
}

static void value_line(ss_buf *b, unsigned *seed)
{
	static const char *const names[] = {"\"PingInterval\"",
					    "\"pinginterval\"",
					    "\"PingIntervalSecs\"",
					    "\"TCPKeepalives\"",
					    "\"HostName\"",
					    "\"Ping\\\\Interval\"",
					    "@",
					    "\"Ping\\\"Interval\""};
	static const char *const data[] = {
	    "dword:0000003c",
	    "dword:1",
	    "\"60\"",
	    "\"a \\\"q\\\" \\\\ b\"",
	    "-",
	    "hex:01,02,03",
	    "hex(b):01,00,00,00,00,00,00,00",
	    "hex:0a,\\\r\n  0b,0c",
	    "hex:01,\\\r\n; a comment\r\n  02",
	    "dword:ffffffff",
	    "\"" /* a long one */ "0123456789012345678901234567890123456789012345\""};
	add(b, PICK(seed, names));
	add(b, tu_pick(seed, 5) == 0 ? " = " : "=");
	add(b, PICK(seed, data));
	add(b, "\r\n");
}

/* Something regedit refuses, once in a while. */
static void broken_line(ss_buf *b, unsigned *seed)
{
	static const char *const lines[] = {"\"PingInterval\"=dword:xyz\r\n", "junk\r\n",
					    "[HKEY_NOWHERE\\x]\r\n", "\"a\"=hex:1,\\\r\n[x]\r\n",
					    "[HKEY_CURRENT_USER\\x\r\n"};
	add(b, PICK(seed, lines));
}

/* A .reg text (UTF-8) of `blocks` blocks. */
static void gen_text(ss_buf *b, unsigned *seed, int utf16, size_t blocks)
{
	if (tu_pick(seed, 10) == 0)
		add(b, "\r\n  \r\n");
	add(b, utf16 ? "Windows Registry Editor Version 5.00\r\n" : "REGEDIT4\r\n");
	int broken = tu_pick(seed, 4) == 0;
	size_t bad = tu_pick(seed, (unsigned)blocks + 1);
	for (size_t k = 0; k < blocks; k++) {
		if (tu_pick(seed, 8))
			add(b, "\r\n");
		if (tu_pick(seed, 12) == 0)
			add(b, "; a comment line\r\n");
		key_line(b, seed, utf16);
		for (unsigned n = tu_pick(seed, 6); n > 0; n--)
			value_line(b, seed);
		if (broken && k == bad)
			broken_line(b, seed);
	}
	if (tu_pick(seed, 3))
		add(b, "\r\n");
}

/* The file: UTF-16LE with its byte order mark, or the text as it is. */
static void write_reg(const char *path, const ss_buf *text, int utf16)
{
	ss_buf f = SS_BUF_INIT;
	if (utf16) {
		assert_int_equal(ss_buf_add(&f, "\xFF\xFE", 2), 0);
		assert_int_equal(ss_utf8_to_utf16le(text->data, text->len, &f), 0);
	} else {
		assert_int_equal(ss_buf_add(&f, text->data, text->len), 0);
	}
	tu_write(path, f.data, f.len);
	ss_buf_release(&f);
}

static int agree_counted(const char *path, const ss_storage_pieces *pieces, tu_tally *t)
{
	return tu_pieces_agree(path, &ROOT, ASKED, NASKED, pieces, t);
}

static int agree(const char *path, const ss_storage_pieces *pieces)
{
	return agree_counted(path, pieces, NULL);
}

/* Generated files, each read in pieces of several sizes, in one part and
 * in halves: how many of the readings agree with the whole read. */
static void test_generated_reg(void **state)
{
	(void)state;
	static const ss_storage_pieces how[] = {{1, 1, 0},   {7, 1, 0},	   {64, 1 << 30, 0},
						{300, 1, 0}, {4096, 1, 0}, {0, 0, 0}};
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "sessions.reg");
	unsigned seed = 20261205;
	size_t n = 0, same = 0;
	tu_tally t = {0, 0, 0};
	for (int i = 0; i < 240; i++) {
		int utf16 = i % 3 != 0;
		ss_buf text = SS_BUF_INIT;
		/* Now and then a file larger than a read of the file. */
		gen_text(&text, &seed, utf16, i % 10 == 9 ? 700 : 1 + tu_pick(&seed, 40));
		write_reg(path, &text, utf16);
		for (size_t h = 0; h < sizeof(how) / sizeof(how[0]); h++, n++)
			same += (size_t)agree_counted(path, &how[h], &t);
		ss_buf_release(&text);
	}
	printf("generated .reg files: %zu of %zu readings in pieces agree with the whole read "
	       "(%zu refused with the same error; %zu sessions, %zu values read)\n",
	       same, n, t.refused, t.sessions, t.values);
	assert_int_equal(same, n);
	/* The files exercise both: refusals and sessions with values. */
	assert_true(t.refused > n / 10 && t.refused < n / 2 && t.values > n);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* The errors a whole read gives before it parses a line, and files that
 * are no .reg (read whole, as ss_storage_open reads them). */
static void test_refusals(void **state)
{
	(void)state;
	static const ss_storage_pieces tiny = {1, 1, 0};
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "odd.reg");
	tu_write(path, "\xFF\xFEW\0i\0n", 7); /* an odd number of bytes */
	assert_true(agree(path, &tiny));
	tu_write_str(path, "");
	assert_true(agree(path, &tiny));
	tu_write_str(path, "\xEF\xBB\xBFWindows Registry Editor Version 5.00\r\n");
	assert_true(agree(path, &tiny));
	/* No blank line between keys: one piece, one part. */
	tu_write_str(path,
		     "REGEDIT4\r\n[HKEY_CURRENT_USER\\" KEY "\\a]\r\n\"PingInterval\"=dword:1\r\n"
		     "[HKEY_CURRENT_USER\\" KEY "\\b]\r\n\"PingInterval\"=dword:2\r\n");
	assert_true(agree(path, &tiny));
	tu_write_str(path, "[Sessions\\x]\r\nHostName=a\r\n"); /* no .reg: whole */
	assert_true(agree(path, &tiny));
	assert_true(agree(dir, &tiny)); /* a folder */
	char *none = tu_path(dir, "none.reg");
	assert_true(agree(none, &tiny));
	free(none);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* A surrogate pair (U+1F600 in a key name) that falls across the reads
 * of a UTF-16 file, wherever they end (reads of 16, 32 or 64 KiB). */
static void test_pair_across_reads(void **state)
{
	(void)state;
	static const ss_storage_pieces how[] = {{0, 0, 0}, {1, 1, 0}};
	static const size_t units[] = {8190, 16382, 32766};
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "pair.reg");
	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		static const char head[] = "Windows Registry Editor Version 5.00\r\n\r\n; ",
				  key[] = "\r\n\r\n[HKEY_CURRENT_USER\\" KEY "\\";
		ss_buf text = SS_BUF_INIT;
		add(&text, head);
		/* Everything before the pair is ASCII: a unit a byte. */
		size_t pad = units[u] - (sizeof(head) - 1) - (sizeof(key) - 1);
		for (size_t i = 0; i < pad; i++)
			assert_int_equal(ss_buf_addc(&text, 'x'), 0);
		add(&text, key);
		add(&text, "\xF0\x9F\x98\x80]\r\n\"PingInterval\"=dword:0000001e\r\n");
		write_reg(path, &text, 1);
		for (size_t h = 0; h < sizeof(how) / sizeof(how[0]); h++)
			assert_true(agree(path, &how[h]));
		ss_buf_release(&text);
	}
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* A storage read piece by piece reads only the values it was opened for. */
static void test_other_values_refused(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "s.reg");
	tu_write_str(path, "REGEDIT4\r\n\r\n[HKEY_CURRENT_USER\\" KEY "\\a]\r\n"
			   "\"PingInterval\"=dword:0000003c\r\n\"HostName\"=\"h\"\r\n");
	tu_asked_refuses_other(path, &ROOT, ASKED, NASKED, "PingInterval", 60, "HostName");
	free(path);
	tu_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_generated_reg),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_pair_across_reads),
	    cmocka_unit_test(test_other_values_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
