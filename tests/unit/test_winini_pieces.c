/* A WinSCP.ini read piece by piece (ss_storage_open_asked) against the
 * same file read whole (ss_storage_open): generated files with sections
 * that come again in other cases, keys that come again, subkeys, other
 * sections, lines before the first section, blank and comment lines, keys
 * without '=', values WinSCP cannot read, LF, CR LF and lone CR endings, a
 * UTF-8 byte order mark, bytes of other code pages, long lines and now and
 * then a NUL in a site's name; each read in pieces of many sizes, in one
 * part and in parts of many sizes (up to as many as a file may be cut
 * into). Every site, every value asked for (as a view
 * and as an owned value: text, number, where, shown, order) and every
 * error must be the same (tu_pieces_agree). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/storage.h"
#include "sshsync/text.h"
#include "sshsync/winscp.h"
#include "testutil.h"

#define ROOT ss_winscp_root

/* What the WinSCP audit asks for (client/winscp.c's key_names). */
static const char *const ASKED[] = {"PingType",	       "PingInterval", "PingIntervalSecs",
				    "PingIntervalSec", "FtpPingType",  "FtpPingInterval",
				    "FSProtocol"};
#define NASKED (sizeof(ASKED) / sizeof(ASKED[0]))

/* --- the generator --- */

static void add(ss_buf *b, const char *s)
{
	assert_int_equal(ss_buf_adds(b, s), 0);
}

static const char *pick(unsigned *seed, const char *const *v, size_t n)
{
	return v[tu_pick(seed, (unsigned)n)];
}

#define PICK(seed, v) pick(seed, v, sizeof(v) / sizeof(v[0]))

/* A line ending: mostly the file's, now and then another. */
static void eol(ss_buf *b, unsigned *seed, const char *file_eol)
{
	static const char *const other[] = {"\n", "\r\n", "\r"};
	add(b, tu_pick(seed, 12) ? file_eol : PICK(seed, other));
}

/* A section header: mostly sites (a few names, so that sites come again,
 * in other cases too), sometimes a subkey, another section, one with
 * blanks around its name, or a CR inside (no header, but a key of the
 * section before). */
static void section_line(ss_buf *b, unsigned *seed, int nul)
{
	static const char *const names[] = {
	    "web%201",	   "db",	"DB",  "Team%2030/host%20000190",
	    "mail",	   "a=b",	"x]y", "Default%20Settings",
	    "caf\xC3\xA9", "\xE9t\xE9", "%ZZ", "dup"};
	static const char *const prefixes[] = {"Sessions\\", "Sessions\\", "Sessions\\",
					       "sessions\\", "SESSIONS\\"};
	unsigned kind = tu_pick(seed, 20);
	if (kind == 0) {
		add(b, "[Configuration\\Interface]");
		return;
	}
	add(b, kind == 1 ? " [ " : "[");
	add(b, PICK(seed, prefixes));
	add(b, PICK(seed, names));
	if (kind == 2)
		add(b, "\\Sub");
	if (kind == 3 && nul)
		assert_int_equal(ss_buf_add(b, "n\0ul", 4), 0);
	if (kind == 4) /* two lines for TStringList: "[...db" and "PingType=3]" */
		add(b, "\rPingType=3");
	add(b, kind == 1 ? " ] " : "]");
}

/* A key line: the keepalive keys in several cases and forms, other keys,
 * comments, keys without '=', values of 250 to 260 bytes (a kept value's
 * length takes a byte up to 255). */
static void key_line(ss_buf *b, unsigned *seed)
{
	static const char *const keys[] = {"PingType",	      "PingInterval", "PingIntervalSecs",
					   "PingIntervalSec", "FtpPingType",  "FtpPingInterval",
					   "FSProtocol",      "pingtype",     "PINGINTERVALSECS",
					   "HostName",	      "PingTypeX",    "Ping",
					   "FSProtocol ",     " FtpPingType"};
	static const char *const values[] = {"0",	    "1",   "2",	  "3",	"30",  "45",
					     "0x1E",	    "$1e", "abc", "",	" 7 ", "-5",
					     "99999999999", "5",   "6",	  "+4", "x1f"};
	unsigned kind = tu_pick(seed, 16);
	if (kind == 0) {
		add(b, "; a comment = with equals");
		return;
	}
	if (kind == 1) {
		add(b, "no equals here");
		return;
	}
	add(b, PICK(seed, keys));
	add(b, tu_pick(seed, 5) ? "=" : " = ");
	if (kind == 2) {
		for (unsigned i = 0, n = 250 + tu_pick(seed, 11); i < n; i++)
			assert_int_equal(ss_buf_addc(b, (char)('0' + i % 10)), 0);
		return;
	}
	add(b, PICK(seed, values));
}

/* Now and then a line longer than a small piece. */
static void long_line(ss_buf *b, unsigned *seed)
{
	add(b, "Note=");
	for (unsigned i = 0, n = 100 + tu_pick(seed, 5000); i < n; i++)
		assert_int_equal(ss_buf_addc(b, (char)('a' + i % 26)), 0);
}

/* `nul`: a site's name may hold a NUL (which is refused). */
static void gen_text(ss_buf *b, unsigned *seed, size_t sections, int nul)
{
	static const char *const eols[] = {"\r\n", "\n"};
	const char *file_eol = PICK(seed, eols);
	if (tu_pick(seed, 8) == 0)
		add(b, "\xEF\xBB\xBF");
	for (unsigned i = 0, n = tu_pick(seed, 3); i < n; i++) { /* before any section */
		key_line(b, seed);
		eol(b, seed, file_eol);
	}
	for (size_t s = 0; s < sections; s++) {
		section_line(b, seed, nul);
		eol(b, seed, file_eol);
		for (unsigned i = 0, n = tu_pick(seed, 9); i < n; i++) {
			if (tu_pick(seed, 40) == 0)
				long_line(b, seed);
			else if (tu_pick(seed, 10) == 0)
				add(b, tu_pick(seed, 2) ? "" : "  \t");
			else
				key_line(b, seed);
			eol(b, seed, file_eol);
		}
		if (tu_pick(seed, 2))
			eol(b, seed, file_eol);
	}
	if (tu_pick(seed, 4) == 0) /* no line break at the end */
		key_line(b, seed);
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
 * in parts: how many of the readings agree with the whole read. */
static void test_generated_ini(void **state)
{
	(void)state;
	static const ss_storage_pieces how[] = {{1, 1, 1},     {7, 1, 64},    {64, 1 << 30, 0},
						{300, 1, 500}, {4096, 1, 0},  {0, 0, 0},
						{16, 1, 4096}, {1, 1, 100000}};
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "WinSCP.ini");
	unsigned seed = 20261205;
	size_t n = 0, same = 0;
	tu_tally t = {0, 0, 0};
	for (int i = 0; i < 300; i++) {
		ss_buf text = SS_BUF_INIT;
		/* Now and then a file larger than a read and a piece. */
		gen_text(&text, &seed, i % 10 == 9 ? 1500 : tu_pick(&seed, 40), i % 4 == 1);
		tu_write(path, text.data, text.len);
		for (size_t h = 0; h < sizeof(how) / sizeof(how[0]); h++, n++)
			same += (size_t)agree_counted(path, &how[h], &t);
		ss_buf_release(&text);
	}
	printf("generated WinSCP.ini files: %zu of %zu readings in pieces agree with the whole "
	       "read (%zu refused with the same error; %zu sites, %zu values read)\n",
	       same, n, t.refused, t.sessions, t.values);
	assert_int_equal(same, n);
	/* The files exercise both: refusals and sites with values. */
	assert_true(t.refused > n / 20 && t.refused < n / 2 && t.values > n);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* Files read whole by both (UTF-16, which WinSCP never writes), empty
 * files, a folder and a missing file. */
static void test_whole_or_refused(void **state)
{
	(void)state;
	static const ss_storage_pieces tiny = {1, 1, 1};
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "WinSCP.ini");
	tu_write(path, "\xFF\xFE[\0S\0]\0", 8);
	assert_true(agree(path, &tiny));
	tu_write(path, "\xFF\xFE[\0", 5); /* an odd number of bytes */
	assert_true(agree(path, &tiny));
	tu_write_str(path, "");
	assert_true(agree(path, &tiny));
	tu_write_str(path, "\xEF\xBB\xBF[Sessions\\a]\r\nPingType=2\r\n");
	assert_true(agree(path, &tiny));
	assert_true(agree(dir, &tiny));
	char *none = tu_path(dir, "none.ini");
	assert_true(agree(none, &tiny));
	free(none);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* Parts that would start inside a long run without sections, and sites
 * of later parts that an earlier part has: the first section of a name
 * holds its keys. */
static void test_parts(void **state)
{
	(void)state;
	static const ss_storage_pieces how[] = {{16, 64, 0},	 {0, 64, 64}, {1, 1, 1},
						{100, 200, 100}, {1, 1, 30},  {0, 1, 200}};
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "WinSCP.ini");
	ss_buf text = SS_BUF_INIT;
	add(&text, "[Sessions\\a]\r\nPingType=1\r\n[Sessions\\B]\r\nPingType=2\r\n");
	for (int i = 0; i < 40; i++)
		add(&text, "Note=a line of a site without sections after it\r\n");
	add(&text,
	    "[sessions\\A]\r\nPingType=0\r\nPingInterval=3\r\n[Sessions\\c]\r\nFSProtocol=5\r\n"
	    "[Sessions\\b]\r\nFtpPingType=1\r\n");
	tu_write(path, text.data, text.len);
	for (size_t h = 0; h < sizeof(how) / sizeof(how[0]); h++)
		assert_true(agree(path, &how[h]));
	ss_buf_release(&text);
	free(path);
	tu_rmtree(dir);
	free(dir);
}

/* A storage read piece by piece reads only the values it was opened for. */
static void test_other_values_refused(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *path = tu_path(dir, "WinSCP.ini");
	tu_write_str(path, "[Sessions\\a]\r\nPingIntervalSecs=60\r\nHostName=h\r\n");
	tu_asked_refuses_other(path, &ROOT, ASKED, NASKED, "PingIntervalSecs", 60, "HostName");
	free(path);
	tu_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_generated_ini),
	    cmocka_unit_test(test_whole_or_refused),
	    cmocka_unit_test(test_parts),
	    cmocka_unit_test(test_other_values_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
