/* The reports on hand-made scopes, so that every field can be hostile:
 * the file, the scope name, set_at and the reasons hold newlines, escape
 * sequences and broken UTF-8. No line of text, JSON or JUnit may be forged,
 * and JSON and JUnit must read back (jansson, libxml2). */
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/report.h"
#include "testutil.h"

#define EVIL_FILE "dir/a\nssh  b.conf"
#define EVIL_NAME "web\r\n\x1b[2Jpass"
#define EVIL_AT EVIL_FILE ":7\n\x1b[31m"
#define EVIL_WHY "keepalives are off\nFORGED pass"

typedef struct fixture {
	ss_scopes s;
	ss_buf out;
	ss_diag d;
	ss_report_opts o;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->o.nat_timeout = 240;
	ss_scope *sc = ss_scopes_add(&f->s, "ssh", EVIL_FILE, EVIL_NAME);
	sc->interval = 0;
	sc->count_max = 3;
	sc->tcp_keepalive = 1;
	ss_scope_set_at(sc, EVIL_AT);
	ss_scope_reason(sc, "%s", EVIL_WHY);
	sc = ss_scopes_add(&f->s, "ssh", EVIL_FILE, "caf\xC3\xA9");
	sc->interval = 60;
	sc = ss_scopes_add(&f->s, "putty", "s.reg", "bad\xFFutf8");
	sc->interval = 300;
	ss_scope_set_at(sc, "other.reg:2");
	ss_scope_reason(sc, "interval 300s is not shorter than the NAT timeout 240s");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	ss_scopes_free(&f->s);
	ss_buf_release(&f->out);
	ss_diag_clear(&f->d);
	free(f);
	return 0;
}

/* No byte below 0x20 but LF, no DEL. */
static void assert_no_control(const ss_buf *b)
{
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];
		if ((c < 0x20 && c != '\n') || c == 0x7F)
			fail_msg("control byte 0x%02X at %zu", c, i);
	}
}

static size_t count_lines(const ss_buf *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->len; i++)
		n += b->data[i] == '\n';
	return n;
}

static void test_text_never_forges_a_line(void **state)
{
	fixture *f = *state;
	assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
	assert_no_control(&f->out);
	/* The column headings, a heading per file (two files), a line per
	 * scope, the summary. */
	assert_int_equal(count_lines(&f->out), 1 + 2 + f->s.n + 1);
	const char *t = ss_buf_str(&f->out);
	assert_non_null(strstr(t, "web\\x0D\\x0A\\x1B[2Jpass"));
	assert_non_null(strstr(t, "dir/a\\x0Assh  b.conf"));
	/* set_at in the scope's own file is shown as "line N", still printable. */
	assert_non_null(strstr(t, "line 7\\x0A\\x1B[31m"));
	assert_non_null(strstr(t, "keepalives are off\\x0AFORGED pass"));
	assert_non_null(strstr(t, "bad\\xFFutf8"));
	assert_non_null(strstr(t, "other.reg:2"));
	assert_null(strstr(t, "\033["));
	assert_non_null(strstr(t, "3 scopes, 1 passed, 2 failed (NAT timeout 240s)\n"));
}

/* Columns line up by characters: é is one column, \xNN four. Rows are
 * indented under their file's heading. */
static void test_text_alignment(void **state)
{
	fixture *f = *state;
	assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
	char *copy = ss_strdup(ss_buf_str(&f->out)), *save = NULL;
	char *head = strtok_r(copy, "\n", &save);
	const char *cols[] = {"SCOPE", "INTERVAL", "STATUS"};
	size_t at[3], rows = 0;
	for (int i = 0; i < 3; i++)
		at[i] = (size_t)(strstr(head, cols[i]) - head);
	assert_int_equal(at[0], 2);
	for (char *line; (line = strtok_r(NULL, "\n", &save));) {
		if (strncmp(line, "  ", 2) != 0)
			continue; /* a file's heading, or the summary */
		rows++;
		/* Walk by characters. */
		size_t ch = 0;
		for (const char *p = line; *p; p++) {
			if (((unsigned char)*p & 0xC0) == 0x80)
				continue;
			for (int i = 1; i < 3; i++)
				if (ch == at[i])
					assert_true(p[-1] == ' ' && p[-2] == ' ' && *p != ' ');
			ch++;
		}
		assert_true(line[strlen(line) - 1] != ' ');
	}
	assert_int_equal(rows, f->s.n);
	free(copy);
}

/* The lines of the output, each newly allocated. */
static ss_strlist lines_of(const ss_buf *b)
{
	ss_strlist l = SS_STRLIST_INIT;
	const char *p = ss_buf_str(b);
	while (*p) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_int_equal(ss_strlist_push_owned(&l, ss_strndup(p, (size_t)(nl - p))), 0);
		p = nl + 1;
	}
	return l;
}

static size_t chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Rows are grouped under their file, files in the order they first come;
 * each file is named once. */
static void test_text_groups_rows_by_file(void **state)
{
	fixture *f = *state;
	ss_scope *sc = ss_scopes_add(&f->s, "ssh", EVIL_FILE, "third");
	sc->interval = 30;
	assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
	ss_strlist l = lines_of(&f->out);
	assert_int_equal(l.n, 1 + 2 + 4 + 1);
	assert_string_equal(l.v[1], "dir/a\\x0Assh  b.conf (ssh)");
	assert_int_equal(strncmp(l.v[2], "  web", 5), 0);
	assert_int_equal(strncmp(l.v[3], "  caf\xC3\xA9 ", 7), 0);
	assert_int_equal(strncmp(l.v[4], "  third ", 8), 0);
	assert_string_equal(l.v[5], "s.reg (putty)");
	assert_int_equal(strncmp(l.v[6], "  bad\\xFFutf8", 13), 0);
	ss_strlist_release(&l);
}

/* Paths: ~ for the home directory, relative to the current directory
 * where that is shorter; a reason's FILE:N of the row's own file is
 * "line N". */
static void test_text_short_paths(void **state)
{
	fixture *f = *state;
	ss_scopes_free(&f->s);
	ss_scope *sc = ss_scopes_add(&f->s, "ssh", "/home/u/.ssh/config", "a");
	ss_scope_set_at(sc, "/home/u/.ssh/config.d/w.conf:3");
	ss_scope_reason(sc, "ServerAliveInterval at /home/u/.ssh/config:12 is 0: off");
	sc = ss_scopes_add(&f->s, "putty", "/home/u/work/s.reg", "b");
	ss_scope_set_at(sc, "/home/u/other.reg:4");
	sc = ss_scopes_add(&f->s, "putty", "rel/x.reg", "c");
	sc = ss_scopes_add(&f->s, "ssh", "/etc/ssh/ssh_config", "d");
	f->o.home = "/home/u";
	f->o.cwd = "/home/u/work";
	f->o.verbose = 1;
	assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
	const char *t = ss_buf_str(&f->out);
	assert_non_null(strstr(t, "\n~/.ssh/config (ssh)\n"));
	assert_non_null(strstr(t, "  config.d/w.conf:3  ")); /* beside the file */
	assert_non_null(strstr(t, "ServerAliveInterval at line 12 is 0: off\n"));
	assert_non_null(strstr(t, "\ns.reg (putty)\n"));
	assert_non_null(strstr(t, "  ~/other.reg:4  "));
	assert_non_null(strstr(t, "\nrel/x.reg (putty)\n"));
	assert_non_null(strstr(t, "\n/etc/ssh/ssh_config (ssh)\n"));
	/* Without --verbose a reason is what comes before its first ": ". */
	f->o.verbose = 0;
	ss_buf_release(&f->out);
	assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
	assert_non_null(strstr(ss_buf_str(&f->out), "ServerAliveInterval at line 12 is 0\n"));
}

/* The table of f's scopes at `width` columns (0: unwrapped), verbose or
 * not, into f->out; its lines. */
static ss_strlist text_lines(fixture *f, size_t width, int verbose)
{
	f->o.width = width;
	f->o.verbose = verbose;
	ss_buf_reset(&f->out);
	assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
	return lines_of(&f->out);
}

/* A row of 256 bytes or more keeps its cells' ends in four bytes each,
 * the others in one: rows of both kinds, side by side, each whole (a
 * long name and explanation, then short rows on either side). */
static void test_text_long_rows_whole(void **state)
{
	fixture *f = *state;
	ss_buf name = SS_BUF_INIT, why = SS_BUF_INIT;
	for (int i = 0; i < 40; i++)
		assert_int_equal(ss_buf_addf(&name, "n%02d", i), 0);
	for (int i = 0; i < 90; i++)
		assert_int_equal(ss_buf_addf(&why, "%sw%02d", i ? " " : "", i), 0);
	ss_scopes_free(&f->s);
	assert_non_null(ss_scopes_add(&f->s, "winscp", "w.ini", "before"));
	ss_scope *sc = ss_scopes_add(&f->s, "winscp", "w.ini", ss_buf_str(&name));
	assert_non_null(sc);
	assert_int_equal(ss_scope_reason(sc, "%s", ss_buf_str(&why)), 0);
	assert_non_null(ss_scopes_add(&f->s, "winscp", "w.ini", "after"));
	ss_strlist l = text_lines(f, 0, 1);
	assert_int_equal(l.n, 1 + 1 + 3 + 1);
	assert_int_equal(strncmp(l.v[2], "  before ", 9), 0);
	assert_int_equal(strncmp(l.v[3] + 2, ss_buf_str(&name), name.len), 0);
	assert_non_null(strstr(l.v[3], ss_buf_str(&why)));
	assert_int_equal(strncmp(l.v[4], "  after ", 8), 0);
	ss_strlist_release(&l);
	ss_buf_release(&name);
	ss_buf_release(&why);
}

/* At 80 and 100 columns no line is wider; the explanation is wrapped
 * beside the row or put under it, and cut to two lines unless verbose. */
static void test_text_fits_the_width(void **state)
{
	fixture *f = *state;
	ss_scope *sc = ss_scopes_add(&f->s, "winscp", "w.ini", "Production/db1.corp.example");
	ss_scope_reason(sc, "PingInterval=1 at w.ini:40 sets an interval, but PingType is 0 at "
			    "w.ini:39: WinSCP sends no keepalives");
	ss_scope_reason(sc, "keepalives are off, and this sentence goes on and on, well past what "
			    "two lines of any table can hold at a hundred columns or less, so "
			    "that it must be cut: SENTINEL");
	size_t widths[] = {80, 100, 60};
	for (size_t i = 0; i < 3; i++) {
		for (int verbose = 0; verbose < 2; verbose++) {
			ss_strlist l = text_lines(f, widths[i], verbose);
			for (size_t k = 0; k < l.n; k++)
				if (chars(l.v[k]) > widths[i]) {
					ss_strlist_release(&l);
					fail_msg("%zu columns: line %zu is too wide", widths[i], k);
				}
			const char *t = ss_buf_str(&f->out);
			assert_int_equal(strstr(t, "SENTINEL") != NULL, verbose);
			assert_int_equal(strstr(t, "...") != NULL, !verbose);
			ss_strlist_release(&l);
		}
	}
}

/* "FILE:N" of the row's own file is said "line N" in the explanation, in
 * its gist too; a FILE whose ':' ends the gist, or with no number after
 * it, stays as it is. The cut with "..." keeps to the width. */
static void test_text_reason_lines(void **state)
{
	fixture *f = *state;
	ss_scopes_free(&f->s);
	ss_scope *sc = ss_scopes_add(&f->s, "winscp", "w.ini", "s");
	sc->interval = 0;
	ss_scope_reason(sc, "w.ini:3 sets it: then w.ini:9 and w.ini:x");
	ss_scope_reason(sc, "see w.ini: w.ini:4");
	assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
	assert_non_null(strstr(ss_buf_str(&f->out), "line 3 sets it; see w.ini\n"));
	/* The number as the gist's last byte. */
	ss_scopes_free(&f->s);
	sc = ss_scopes_add(&f->s, "winscp", "w.ini", "s");
	ss_scope_reason(sc, "at w.ini:7: then more");
	ss_scope_reason(sc, "w.ini:8: the whole gist");
	ss_buf_release(&f->out);
	assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
	assert_non_null(strstr(ss_buf_str(&f->out), "  at line 7; line 8\n"));
	ss_scopes_free(&f->s);
	sc = ss_scopes_add(&f->s, "winscp", "w.ini", "s");
	sc->interval = 0;
	ss_scope_reason(sc, "w.ini:3 sets it: then w.ini:9 and w.ini:x");
	ss_scope_reason(sc, "see w.ini: w.ini:4");
	f->o.verbose = 1;
	ss_buf_release(&f->out);
	assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
	assert_non_null(strstr(ss_buf_str(&f->out),
			       "line 3 sets it: then line 9 and w.ini:x; see w.ini: line 4\n"));
	/* Two lines at most at 40 columns, under the row (36 columns): the
	 * second ends in "..." within them. */
	f->o.verbose = 0;
	f->o.width = 40;
	ss_scope_reason(sc, "%s",
			"a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f "
			"g h i j k l m n o p q r s t u v w x y z a b c d e f g h i");
	ss_buf_release(&f->out);
	assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
	const char *t = ss_buf_str(&f->out);
	assert_non_null(strstr(t, "\n    line 3 sets it; see w.ini; a b c d e\n"
				  "    f g h i j k l m n o p q r s t u v...\n1 scope"));
}

/* Generated rows, their cells ASCII or not (é, CJK, a byte shown as
 * \xNN), wrapped at 60 to 120 columns and not at all, with and without
 * --verbose: no line is wider than the table or ends in a blank, and with
 * --verbose every word of every explanation is there whole, in order (a
 * cut at the wrong place, or a width counted in bytes, breaks one). */
static void test_text_generated_rows_wrap_whole_words(void **state)
{
	fixture *f = *state;
	static const char *const words[] = {
	    "a",      "keepalive",  "caf\xC3\xA9", "\xE6\x97\xA5\xE6\x9C\xAC", "x\xFFy",
	    "line,",  "PingType=0", "NAT",	   "\xC3\xA9t\xC3\xA9",	       "off;",
	    "probes", "ServerAlive"};
	const size_t nwords = sizeof(words) / sizeof(words[0]);
	unsigned seed = 16;
	for (int round = 0; round < 60; round++) {
		ss_scopes_free(&f->s);
		size_t nscopes = 1 + tu_pick(&seed, 6);
		ss_buf why[6] = {SS_BUF_INIT, SS_BUF_INIT, SS_BUF_INIT,
				 SS_BUF_INIT, SS_BUF_INIT, SS_BUF_INIT};
		for (size_t i = 0; i < nscopes; i++) {
			ss_buf name = SS_BUF_INIT;
			for (unsigned k = 0, n = 1 + tu_pick(&seed, 3); k < n; k++)
				assert_int_equal(ss_buf_addf(&name, "%s%s", k ? " " : "",
							     words[tu_pick(&seed, nwords)]),
						 0);
			for (unsigned k = 0, n = tu_pick(&seed, 40); k < n; k++)
				assert_int_equal(ss_buf_addf(&why[i], "%s%s", k ? " " : "",
							     words[tu_pick(&seed, nwords)]),
						 0);
			ss_scope *sc = ss_scopes_add(&f->s, "winscp", "w.ini", ss_buf_str(&name));
			assert_non_null(sc);
			sc->interval = why[i].len ? 0 : 30;
			if (why[i].len)
				assert_int_equal(ss_scope_reason(sc, "%s", ss_buf_str(&why[i])), 0);
			ss_buf_release(&name);
		}
		static const size_t widths[] = {0, 60, 80, 100, 120};
		for (size_t w = 0; w < 5; w++) {
			for (int verbose = 0; verbose < 2; verbose++) {
				ss_strlist l = text_lines(f, widths[w], verbose);
				for (size_t k = 0; k < l.n; k++) {
					size_t len = strlen(l.v[k]);
					if ((widths[w] && chars(l.v[k]) > widths[w]) ||
					    (len && l.v[k][len - 1] == ' '))
						fail_msg("round %d, %zu columns: line \"%s\"",
							 round, widths[w], l.v[k]);
				}
				ss_strlist_release(&l);
				if (!verbose)
					continue;
				/* The words as printable text shows them, in order. */
				const char *at = ss_buf_str(&f->out);
				for (size_t i = 0; i < nscopes; i++) {
					ss_buf shown = SS_BUF_INIT;
					assert_int_equal(
					    ss_report_add_printable(&shown, ss_buf_str(&why[i])),
					    0);
					char *save = NULL;
					for (char *word = strtok_r(
						 shown.data ? shown.data : (char *)"", " ", &save);
					     word; word = strtok_r(NULL, " ", &save)) {
						const char *hit = strstr(at, word);
						if (!hit)
							fail_msg("round %d, %zu columns: \"%s\" is "
								 "not whole",
								 round, widths[w], word);
						at = hit + strlen(word);
					}
					ss_buf_release(&shown);
				}
			}
		}
		for (size_t i = 0; i < 6; i++)
			ss_buf_release(&why[i]);
	}
}

/* --quiet: the summary only; --failures: the failing rows only. */
static void test_text_quiet_and_failures(void **state)
{
	fixture *f = *state;
	f->o.quiet = 1;
	assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
	assert_string_equal(ss_buf_str(&f->out),
			    "3 scopes, 1 passed, 2 failed (NAT timeout 240s)\n");
	f->o.quiet = 0;
	f->o.failures = 1;
	ss_buf_release(&f->out);
	assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
	const char *t = ss_buf_str(&f->out);
	assert_null(strstr(t, "caf\xC3\xA9"));
	assert_null(strstr(t, "  pass"));
	assert_int_equal(count_lines(&f->out), 1 + 2 + 2 + 1);
	/* Nothing fails: no table, the summary still. */
	ss_scopes_free(&f->s);
	ss_scopes_add(&f->s, "ssh", "c", "ok")->interval = 30;
	ss_buf_release(&f->out);
	assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
	assert_string_equal(ss_buf_str(&f->out),
			    "1 scope, 1 passed, 0 failed (NAT timeout 240s)\n");
}

static void test_text_colour_only_when_asked(void **state)
{
	fixture *f = *state;
	f->o.color = 1;
	assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
	const char *t = ss_buf_str(&f->out);
	assert_non_null(strstr(t, "\033[31mFAIL\033[0m"));
	assert_non_null(strstr(t, "\033[32mpass\033[0m"));
	/* The column headings are not coloured, and hostile bytes still are
	 * not raw. */
	assert_int_equal(strncmp(t, "  SCOPE", 7), 0);
	assert_null(strstr(t, "\033[2J"));
	assert_null(strstr(t, "\n\033[31m\n"));
}

/* An encoded surrogate, an overlong form and a code point above U+10FFFF
 * are not UTF-8: shown as \xNN (found by tests/fuzz, fuzz_names;
 * shared/repro/d25). */
static void test_printable_is_strict_utf8(void **state)
{
	fixture *f = *state;
	assert_int_equal(ss_report_add_printable(&f->out, "a\xED\xB9\xA2"
							  "b\xC0\xAF"
							  "c\xF4\x90\x80\x80"
							  "d\xC3\xA9"),
			 0);
	assert_string_equal(ss_buf_str(&f->out),
			    "a\\xED\\xB9\\xA2b\\xC0\\xAFc\\xF4\\x90\\x80\\x80d\xC3\xA9");
}

/* An apply report of interval 60 with no file changed, no notes. */
static ss_apply_report apply_report(const char *mode, const ss_strlist *none,
				    const ss_briefs *before)
{
	ss_apply_report r = {.mode = mode,
			     .interval = 60,
			     .changed = none,
			     .backups = none,
			     .kinds = none,
			     .unchanged = none,
			     .notes = none,
			     .warnings = none,
			     .take_effect = none,
			     .before = before};
	return r;
}

/* A WinSCP scope of w.ini: kept as a brief in `b`, or paired in `p`. */
static void add_scope(ss_briefs *b, ss_pairing *p, const char *name, long long interval)
{
	ss_scopes s = SS_SCOPES_INIT;
	ss_scope *sc = ss_scopes_add(&s, "winscp", "w.ini", name);
	assert_non_null(sc);
	sc->interval = interval;
	assert_int_equal(b ? ss_briefs_add(b, sc) : ss_pairing_add(p, sc), 0);
	ss_scopes_free(&s);
}

static void add_interval(ss_briefs *b, const char *name, long long interval)
{
	add_scope(b, NULL, name, interval);
}

static void add_after(ss_pairing *p, const char *name, long long interval)
{
	add_scope(NULL, p, name, interval);
}

/* The scopes of apply's JSON: `after` names and intervals read back
 * (NULL names: none), against the scopes before "Default Settings", "a",
 * "b", "gone", "x" (0, 30, 20, 10, 5); the intervals after as expected
 * (-1: null). */
static void check_pairs(fixture *f, const char *const *after_names, const long long *after,
			size_t nafter, const long long *expect)
{
	ss_briefs before = SS_BRIEFS_INIT;
	const char *names[] = {"Default Settings", "a", "b", "gone", "x"};
	long long befores[] = {0, 30, 20, 10, 5};
	for (size_t i = 0; i < 5; i++)
		add_interval(&before, names[i], befores[i]);
	ss_pairing pairs;
	assert_int_equal(ss_pairing_start(&pairs, &before), 0);
	for (size_t i = 0; i < nafter; i++)
		add_after(&pairs, after_names[i], after[i]);
	assert_int_equal(ss_pairing_end(&pairs), 0);
	ss_strlist none = SS_STRLIST_INIT;
	ss_apply_report r = apply_report("apply", &none, &before);
	r.written = 1;
	r.after = &pairs;
	ss_buf_reset(&f->out);
	assert_int_equal(ss_report_apply_json(&r, &f->out, &f->d), 0);
	json_error_t err;
	json_t *j = json_loads(ss_buf_str(&f->out), 0, &err);
	assert_non_null(j);
	json_t *scopes = json_object_get(j, "scopes");
	assert_int_equal(json_array_size(scopes), 5);
	for (size_t i = 0; i < 5; i++) {
		json_t *o = json_array_get(scopes, i);
		assert_string_equal(json_string_value(json_object_get(o, "scope")), names[i]);
		assert_int_equal(json_integer_value(json_object_get(o, "before")), befores[i]);
		json_t *a = json_object_get(o, "after");
		if (expect[i] < 0)
			assert_true(json_is_null(a));
		else
			assert_int_equal(json_integer_value(a), expect[i]);
		assert_true(json_is_true(json_object_get(o, "changed")) ==
			    (expect[i] != befores[i]));
	}
	json_decref(j);
	ss_pairing_free(&pairs);
	ss_briefs_free(&before);
}

/* apply's JSON pairs each scope before with the first scope after it at
 * its place (kind, file, name): at the same index, or anywhere when apply
 * moved them (Default Settings, planned first, stored last); a scope gone
 * after is null. The scopes after are paired as they come, not kept. */
static void test_apply_json_pairs_scopes_by_place(void **state)
{
	fixture *f = *state;
	/* Out of place from the first. */
	const char *moved[] = {"x", "a", "b", "x", "Default Settings"};
	long long moved_v[] = {1, 60, 61, 97 /* the first of a place counts */, 62};
	long long moved_want[] = {62, 60, 61, -1, 1};
	check_pairs(f, moved, moved_v, 5, moved_want);
	/* In place, then out: the place of one in place is found later. */
	const char *late[] = {"Default Settings", "a", "b", "a", "x"};
	long long late_v[] = {7, 8, 9, 10, 11};
	long long late_want[] = {7, 8, 9, -1, 11};
	check_pairs(f, late, late_v, 5, late_want);
	/* Fewer scopes after, all in place: those missing are null, and one
	 * in place counts for its place too. */
	const char *fewer[] = {"Default Settings", "a"};
	long long fewer_v[] = {60, 30};
	long long fewer_want[] = {60, 30, -1, -1, -1};
	check_pairs(f, fewer, fewer_v, 2, fewer_want);
	/* The scope at the same index wins over the first at its place. */
	const char *same[] = {"Default Settings", "a", "gone", "gone", "x"};
	long long same_v[] = {60, 61, 62, 63, 64};
	long long same_want[] = {60, 61, -1, 63, 64};
	check_pairs(f, same, same_v, 5, same_want);
}

/* A string as apply's JSON had it through jansson: strict UTF-8 as it
 * is, anything else made printable (\xNN) first. */
static json_t *jansson_text(const char *s)
{
	if (ss_utf8_valid(s, strlen(s)))
		return json_string(s);
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_report_add_printable(&b, s), 0);
	json_t *j = json_string(ss_buf_str(&b));
	ss_buf_release(&b);
	return j;
}

static json_t *jansson_interval(int null, long long v)
{
	return null ? json_null() : json_integer(v);
}

/* apply's scopes are written by hand: each line is what jansson's dump of
 * {kind, file, scope, before, after, changed} is, for names to escape or
 * not UTF-8, error scopes, unset and unknown intervals, planned (after =
 * the interval asked for) and read back (paired: gone is null). */
static void test_apply_json_lines_are_janssons(void **state)
{
	fixture *f = *state;
	static const char *const parts[] = {
	    "web", "\"", "\\", "\n", "\x1f", "\x7f", "caf\xC3\xA9", "\xFF", "Default Settings",
	    "/"};
	static const long long values[] = {SS_UNSET, SS_UNKNOWN, 0, 60, 30, -7, LLONG_MAX};
	unsigned seed = 61;
	ss_briefs before = SS_BRIEFS_INIT;
	ss_scopes s = SS_SCOPES_INIT;
	for (size_t i = 0; i < 300; i++) {
		char name[64], file[64];
		snprintf(name, sizeof(name), "%s%zu%s", parts[tu_pick(&seed, 10)], i,
			 parts[tu_pick(&seed, 10)]);
		snprintf(file, sizeof(file), "w%s.ini",
			 i % 50 < 25 ? "" : parts[tu_pick(&seed, 10)]);
		ss_scope *sc = i % 11 == 5
				   ? ss_scopes_add_error(&s, "winscp", file, "bad: line 3")
				   : ss_scopes_add(&s, i % 3 ? "winscp" : "putty", file, name);
		assert_non_null(sc);
		if (!sc->error)
			sc->interval = values[tu_pick(&seed, 7)];
		assert_int_equal(ss_briefs_add(&before, sc), 0);
	}
	for (int read_back = 0; read_back < 2; read_back++) {
		ss_pairing pairs;
		assert_int_equal(ss_pairing_start(&pairs, &before), 0);
		/* After: every scope but each seventh, in order, at new intervals. */
		for (size_t i = 0; read_back && i < s.n; i++)
			if (i % 7 != 3) {
				s.v[i].interval = values[(i + 3) % 7];
				assert_int_equal(ss_pairing_add(&pairs, &s.v[i]), 0);
			}
		assert_int_equal(ss_pairing_end(&pairs), 0);
		ss_strlist none = SS_STRLIST_INIT;
		ss_apply_report r = apply_report(read_back ? "apply" : "dry-run", &none, &before);
		r.after = read_back ? &pairs : NULL;
		ss_buf_reset(&f->out);
		assert_int_equal(ss_report_apply_json(&r, &f->out, &f->d), 0);
		const char *line = strstr(ss_buf_str(&f->out), "\"scopes\": [\n    ");
		assert_non_null(line);
		line += strlen("\"scopes\": [\n    ");
		for (size_t i = 0; i < before.n; i++) {
			const ss_brief *b = &before.v[i];
			long long a = 0;
			int a_error = 0, a_null;
			if (read_back)
				a_null = !ss_pairing_after(&pairs, i, &a, &a_error) || a_error ||
					 a == SS_UNSET || a == SS_UNKNOWN;
			else
				a_null = b->error || b->interval == SS_UNKNOWN, a = 60;
			int b_null =
			    b->error || b->interval == SS_UNSET || b->interval == SS_UNKNOWN;
			json_t *o = json_object(), *bj = jansson_interval(b_null, b->interval),
			       *aj = jansson_interval(a_null, a);
			int changed = !json_equal(bj, aj);
			json_object_set_new(o, "kind", jansson_text(b->kind));
			json_object_set_new(o, "file", jansson_text(ss_brief_file(&before, b)));
			json_object_set_new(o, "scope", jansson_text(ss_brief_name(&before, b)));
			json_object_set_new(o, "before", bj);
			json_object_set_new(o, "after", aj);
			json_object_set_new(o, "changed", json_boolean(changed));
			char *want = json_dumps(o, JSON_PRESERVE_ORDER);
			json_decref(o);
			assert_non_null(want);
			const char *end = strchr(line, '\n');
			assert_non_null(end);
			size_t n = (size_t)(end - line) - (i + 1 < before.n); /* less the ',' */
			if (strlen(want) != n || memcmp(want, line, n) != 0)
				fail_msg("scope %zu:\n%.*s\nbut jansson writes\n%s", i, (int)n,
					 line, want);
			free(want);
			line = end + 5;
		}
		ss_pairing_free(&pairs);
	}
	ss_briefs_free(&before);
	ss_scopes_free(&s);
}

/* A diff in pieces of whole lines, for the apply report. */
typedef struct diff_pieces {
	const char *const *v;
	const size_t *len;
	size_t n;
	int calls;
} diff_pieces;

static int make_pieces(void *ctx, const ss_sink *to, ss_diag *d)
{
	diff_pieces *p = ctx;
	p->calls++;
	for (size_t i = 0; i < p->n; i++)
		if (to->put(to->ctx, p->v[i], p->len[i], d) < 0)
			return -1;
	return 0;
}

/* A diff_plain that says the diff is strict UTF-8 without a NUL. */
static int say_plain(void *ctx)
{
	(void)ctx;
	return 1;
}

static int keep_out(void *ctx, const void *data, size_t len, ss_diag *d)
{
	return ss_buf_add(ctx, data, len) < 0 ? ss_diag_oom(d) : 0;
}

/* apply's JSON writes the diff as it is made, handed on as it fills, and
 * writes it as the whole diff would be as one string (up to a NUL,
 * escaped, or made printable first when any of it is not UTF-8); made
 * once when diff_plain says it is strict UTF-8 without a NUL, twice else. */
static void test_apply_json_diff_streamed(void **state)
{
	fixture *f = *state;
	static char big[200000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 2] = '\n';
	const char *valid[] = {"--- a/f\n", "+caf\xC3\xA9 \"q\" \\\t\n", big};
	const char *invalid[] = {"--- a/f\n", "+ok\n", "+bad\xFF\n", big};
	const char *nul[] = {"--- a/f\n+a\n", "+b\0+hidden\n", "+never\n"};
	const char *const *sets[] = {valid, invalid, nul};
	size_t lens[3][4] = {{8, 11, sizeof(big) - 1}, {8, 4, 6, sizeof(big) - 1}, {12, 12, 7}};
	size_t counts[] = {3, 4, 3};
	lens[0][1] = strlen(valid[1]);
	for (size_t run = 0; run < 4; run++) {
		size_t k = run % 3;
		int plain = run == 3; /* the valid set again, said to be plain */
		ss_buf whole = SS_BUF_INIT, want = SS_BUF_INIT, got = SS_BUF_INIT;
		for (size_t i = 0; i < counts[k]; i++)
			assert_int_equal(ss_buf_add(&whole, sets[k][i], lens[k][i]), 0);
		assert_int_equal(ss_report_json_string(&want, ss_buf_str(&whole)), 0);
		diff_pieces p = {sets[k], lens[k], counts[k], 0};
		ss_briefs none_b = SS_BRIEFS_INIT;
		ss_strlist none = SS_STRLIST_INIT;
		ss_sink flush = {keep_out, &got};
		ss_apply_report r = apply_report("dry-run", &none, &none_b);
		r.diff = make_pieces;
		r.diff_plain = plain ? say_plain : NULL;
		r.diff_ctx = &p;
		r.flush = &flush;
		ss_buf_release(&f->out);
		assert_int_equal(ss_report_apply_json(&r, &f->out, &f->d), 0);
		assert_int_equal(ss_buf_add(&got, f->out.data, f->out.len), 0);
		assert_true(k == 2 || got.len - f->out.len > 0); /* handed on as it filled */
		assert_int_equal(p.calls, plain ? 1 : 2);
		const char *at = strstr(ss_buf_str(&got), "\"diff\": ");
		assert_non_null(at);
		at += strlen("\"diff\": ");
		assert_true(strlen(at) > want.len);
		assert_memory_equal(at, want.data, want.len);
		assert_string_equal(at + want.len,
				    ",\n  \"summary\": {\"changed\": 0, \"unchanged\": 0, "
				    "\"scopes\": 0, \"scopes_changed\": 0}\n}\n");
		json_error_t err;
		json_t *j = json_loads(ss_buf_str(&got), 0, &err);
		assert_non_null(j);
		json_decref(j);
		ss_buf_release(&whole);
		ss_buf_release(&want);
		ss_buf_release(&got);
	}
}

static void test_json_reads_back(void **state)
{
	fixture *f = *state;
	assert_int_equal(ss_report_json(&f->s, &f->o, &f->out, &f->d), 0);
	assert_no_control(&f->out);
	json_error_t err;
	json_t *j = json_loads(ss_buf_str(&f->out), 0, &err);
	if (!j)
		fail_msg("JSON does not parse: %s at %d", err.text, err.line);
	json_t *s = json_object_get(j, "scopes");
	assert_int_equal(json_array_size(s), 3);
	json_t *a = json_array_get(s, 0);
	/* Valid UTF-8 comes back exactly, escaped by JSON, not by us. */
	assert_string_equal(json_string_value(json_object_get(a, "file")), EVIL_FILE);
	assert_string_equal(json_string_value(json_object_get(a, "scope")), EVIL_NAME);
	assert_string_equal(json_string_value(json_object_get(a, "set_at")), EVIL_AT);
	assert_string_equal(json_string_value(json_array_get(json_object_get(a, "reasons"), 0)),
			    EVIL_WHY);
	assert_int_equal(json_integer_value(json_object_get(a, "interval")), 0);
	assert_int_equal(json_integer_value(json_object_get(a, "count_max")), 3);
	assert_true(json_is_true(json_object_get(a, "tcp_keepalive")));
	assert_string_equal(json_string_value(json_object_get(a, "status")), "fail");
	json_t *b = json_array_get(s, 1);
	assert_string_equal(json_string_value(json_object_get(b, "scope")), "caf\xC3\xA9");
	assert_true(json_is_null(json_object_get(b, "count_max")));
	assert_true(json_is_null(json_object_get(b, "tcp_keepalive")));
	assert_true(json_is_null(json_object_get(b, "set_at")));
	assert_string_equal(json_string_value(json_object_get(b, "status")), "pass");
	assert_int_equal(json_array_size(json_object_get(b, "reasons")), 0);
	/* Broken UTF-8, which JSON cannot carry, is shown as \xNN. */
	json_t *c = json_array_get(s, 2);
	assert_string_equal(json_string_value(json_object_get(c, "scope")), "bad\\xFFutf8");
	json_t *sum = json_object_get(j, "summary");
	assert_int_equal(json_integer_value(json_object_get(sum, "scopes")), 3);
	assert_int_equal(json_integer_value(json_object_get(sum, "failed")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "nat_timeout")), 240);
	json_decref(j);
}

static void test_junit_reads_back(void **state)
{
	fixture *f = *state;
	assert_int_equal(ss_report_junit(&f->s, &f->o, &f->out, &f->d), 0);
	xmlDocPtr doc = xmlReadMemory(f->out.data, (int)f->out.len, NULL, NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	xmlNodePtr root = xmlDocGetRootElement(doc);
	assert_string_equal((const char *)root->name, "testsuites");
	size_t suites = 0, cases = 0, failures = 0;
	for (xmlNodePtr s = root->children; s; s = s->next) {
		if (s->type != XML_ELEMENT_NODE)
			continue;
		suites++;
		for (xmlNodePtr c = s->children; c; c = c->next) {
			if (c->type != XML_ELEMENT_NODE ||
			    !xmlStrEqual(c->name, BAD_CAST "testcase"))
				continue;
			cases++;
			xmlChar *name = xmlGetProp(c, BAD_CAST "name");
			xmlChar *cls = xmlGetProp(c, BAD_CAST "classname");
			assert_null(strpbrk((const char *)name, "\r\n\x1b"));
			assert_null(strpbrk((const char *)cls, "\r\n\x1b"));
			xmlFree(name);
			xmlFree(cls);
			for (xmlNodePtr x = c->children; x; x = x->next) {
				if (x->type != XML_ELEMENT_NODE)
					continue;
				failures++;
				xmlChar *type = xmlGetProp(x, BAD_CAST "type");
				xmlChar *msg = xmlGetProp(x, BAD_CAST "message");
				xmlChar *text = xmlNodeGetContent(x);
				assert_non_null(type);
				assert_null(strpbrk((const char *)msg, "\r\n\x1b"));
				assert_null(strpbrk((const char *)text, "\r\x1b"));
				/* One fact a line: the reason, the interval, set at. */
				assert_non_null(strstr((const char *)text, "\ninterval: "));
				xmlFree(type);
				xmlFree(msg);
				xmlFree(text);
			}
		}
	}
	assert_int_equal(suites, 2); /* one per file */
	assert_int_equal(cases, 3);
	assert_int_equal(failures, 2);
	xmlFreeDoc(doc);
}

/* Names that are not strict UTF-8 (a surrogate, an overlong form, above
 * U+10FFFF) or that hold C1 and bidirectional controls: every report is
 * still written, JSON and JUnit parse, and the names are shown escaped. */
static void test_names_that_are_not_utf8_or_not_printable(void **state)
{
	fixture *f = *state;
	static const char *const names[] = {"sur\xED\xA0\x80x",
					    "over\xE0\x80\x80long",
					    "big\xF4\x90\x80\x80"
					    "cp",
					    "nel\xC2\x85x",
					    "rlo\xE2\x80\xAEx",
					    "non\xEF\xBF\xBF"
					    "ch"};
	static const char *const shown[] = {"sur\\xED\\xA0\\x80x",	 "over\\xE0\\x80\\x80long",
					    "big\\xF4\\x90\\x80\\x80cp", "nel\\xC2\\x85x",
					    "rlo\\xE2\\x80\\xAEx",	 "non\\xEF\\xBF\\xBFch"};
	size_t first = f->s.n, n = sizeof(names) / sizeof(*names);
	for (size_t i = 0; i < n; i++)
		assert_non_null(ss_scopes_add(&f->s, "putty", "s.reg", names[i]));
	assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
	for (size_t i = 0; i < n; i++)
		assert_non_null(strstr(ss_buf_str(&f->out), shown[i]));
	assert_null(strstr(ss_buf_str(&f->out), "\xC2\x85"));
	assert_null(strstr(ss_buf_str(&f->out), "\xE2\x80\xAE"));
	ss_buf_reset(&f->out);
	assert_int_equal(ss_report_json(&f->s, &f->o, &f->out, &f->d), 0);
	json_error_t err;
	json_t *j = json_loads(ss_buf_str(&f->out), 0, &err);
	if (!j)
		fail_msg("JSON does not parse: %s at %d", err.text, err.line);
	json_t *s = json_object_get(j, "scopes");
	/* Strict UTF-8 stays as it is in JSON (jansson escapes controls). */
	for (size_t i = 0; i < n; i++) {
		const char *got =
		    json_string_value(json_object_get(json_array_get(s, first + i), "scope"));
		assert_string_equal(got, i < 3 ? shown[i] : names[i]);
	}
	json_decref(j);
	ss_buf_reset(&f->out);
	assert_int_equal(ss_report_junit(&f->s, &f->o, &f->out, &f->d), 0);
	xmlDocPtr doc = xmlReadMemory(f->out.data, (int)f->out.len, NULL, NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	xmlFreeDoc(doc);
}

/* An error scope (a file that cannot be read or parsed) has no value and so
 * no place one was set: no "set at: default" in JUnit, no "default" in the
 * text table, null in JSON. */
static void test_error_scope_has_no_set_at(void **state)
{
	fixture *f = *state;
	ss_scopes_free(&f->s);
	f->s = (ss_scopes)SS_SCOPES_INIT;
	assert_non_null(
	    ss_scopes_add_error(&f->s, "sshd", "bad.conf", "bad.conf:1:21: invalid time value"));
	assert_int_equal(ss_report_junit(&f->s, &f->o, &f->out, &f->d), 0);
	const char *junit = ss_buf_str(&f->out);
	assert_non_null(strstr(junit, "<error "));
	assert_null(strstr(junit, "set at"));
	assert_null(strstr(junit, "default"));
	ss_buf_reset(&f->out);
	assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
	const char *text = ss_buf_str(&f->out);
	assert_non_null(strstr(text, "ERROR"));
	assert_null(strstr(text, "default"));
	ss_buf_reset(&f->out);
	assert_int_equal(ss_report_json(&f->s, &f->o, &f->out, &f->d), 0);
	json_error_t err;
	json_t *j = json_loads(ss_buf_str(&f->out), 0, &err);
	assert_non_null(j);
	json_t *a = json_array_get(json_object_get(j, "scopes"), 0);
	assert_string_equal(json_string_value(json_object_get(a, "status")), "error");
	assert_true(json_is_null(json_object_get(a, "set_at")));
	json_decref(j);
}

/* jansson's dump of a scope's object, keys in the report's order: what
 * each line of the JSON report must be byte for byte. */
static char *jansson_line(const ss_scope *sc)
{
	json_t *o = json_object(), *r = json_array();
	json_t *(*num)(json_int_t) = json_integer;
	json_object_set_new(o, "kind", json_string(sc->kind));
	json_object_set_new(o, "file", json_string(sc->file));
	json_object_set_new(o, "scope", json_string(sc->name));
	json_object_set_new(o, "witness", sc->witness ? json_string(sc->witness) : json_null());
	json_object_set_new(o, "interval",
			    sc->interval == SS_UNSET ? json_null() : num(sc->interval));
	json_object_set_new(o, "period",
			    sc->interval == SS_UNSET ? json_null() : num(ss_scope_period(sc)));
	json_object_set_new(o, "count_max",
			    sc->count_max == SS_UNSET ? json_null() : num(sc->count_max));
	json_object_set_new(o, "tcp_keepalive",
			    sc->tcp_keepalive == SS_UNSET ? json_null()
							  : json_boolean(sc->tcp_keepalive));
	json_object_set_new(o, "set_at", sc->set_at ? json_string(sc->set_at) : json_null());
	json_object_set_new(o, "status", json_string(ss_scope_status(sc)));
	for (size_t i = 0; i < sc->reasons.n; i++)
		json_array_append_new(r, json_string(sc->reasons.v[i]));
	json_object_set_new(o, "reasons", r);
	char *text = json_dumps(o, JSON_PRESERVE_ORDER);
	json_decref(o);
	assert_non_null(text);
	return text;
}

/* The scopes whose strings are all plain ASCII take a writer of their
 * own (their line's length known first): every field, 0 to 5 reasons (5
 * is past what it takes), and strings of 1 to 40 bytes with one byte to
 * escape in each position (the blocks of 16 bytes it scans, and the last
 * block that overlaps the one before) must come out as jansson writes
 * them. */
static void test_json_lines_are_janssons(void **state)
{
	fixture *f = *state;
	ss_scopes_free(&f->s);
	f->s = (ss_scopes)SS_SCOPES_INIT;
	static const char bad[] = "\"\\\n\x1f\x7f";
	char s[48];
	for (size_t len = 1; len <= 40; len++) {
		for (size_t at = 0; at <= len; at++) { /* at == len: none to escape */
			memset(s, 'a' + (char)(len % 26), len);
			s[len] = '\0';
			if (at < len)
				s[at] = bad[(len + at) % (sizeof(bad) - 1)];
			size_t kind = (len + at) % 5;
			ss_scope *sc =
			    ss_scopes_add(&f->s, kind ? "winscp" : s, at % 3 ? "w.ini" : s,
					  kind == 1 ? s : "site 1");
			assert_non_null(sc);
			sc->interval = at % 4 ? (long long)at * 7 - 10 : SS_UNSET;
			sc->count_max = at % 2 ? 3 : SS_UNSET;
			sc->tcp_keepalive = (long)(at % 3) - 1 ? (long)(at % 3) - 1 : SS_UNSET;
			if (at % 2)
				assert_int_equal(ss_scope_set_witness(sc, kind == 2 ? s : "h"), 0);
			if (at % 5)
				assert_int_equal(ss_scope_set_at(sc, kind == 3 ? s : "w.ini:12"),
						 0);
			for (size_t r = 0; r < (len + at) % 6; r++)
				assert_int_equal(ss_scope_reason(sc, "%s", r == 2 ? s : "off"), 0);
			sc->not_applicable = len % 7 == 0;
		}
	}
	assert_int_equal(ss_report_json(&f->s, &f->o, &f->out, &f->d), 0);
	const char *line = strstr(ss_buf_str(&f->out), "[\n    ");
	assert_non_null(line);
	line += 6;
	for (size_t i = 0; i < f->s.n; i++) {
		char *want = jansson_line(&f->s.v[i]);
		const char *end = strchr(line, '\n');
		assert_non_null(end);
		size_t n = (size_t)(end - line) - (i + 1 < f->s.n); /* less the ',' */
		if (strlen(want) != n || memcmp(want, line, n) != 0)
			fail_msg("scope %zu:\n%.*s\nbut jansson writes\n%s", i, (int)n, line, want);
		free(want);
		line = end + 5;
	}
}

/* Where the streamed table goes: every piece, in order, and how many. */
typedef struct pieces {
	ss_buf all;
	size_t n;
} pieces;

static int take_piece(void *ctx, const char *data, size_t len, ss_diag *d)
{
	(void)d;
	pieces *p = ctx;
	p->n++;
	return ss_buf_add(&p->all, data, len);
}

/* `o` with its report handed to `p` every 16 bytes. */
static ss_report_opts in_pieces(const ss_report_opts *o, pieces *p)
{
	ss_report_opts piecewise = *o;
	*p = (pieces){SS_BUF_INIT, 0};
	piecewise.flush = take_piece;
	piecewise.flush_ctx = p;
	piecewise.flush_at = 16;
	return piecewise;
}

/* What was handed on, and what was left in `out` at the end, in `p`. */
static void all_pieces(pieces *p, ss_buf *out)
{
	assert_int_equal(ss_buf_add(&p->all, out->data, out->len), 0);
	assert_true(p->n > 2);
	ss_buf_release(out);
}

/* All that was handed on to `p`, and left in `out`, is `want` byte for byte. */
static void assert_pieces_are(pieces *p, ss_buf *out, const ss_buf *want)
{
	all_pieces(p, out);
	assert_int_equal(p->all.len, want->len);
	assert_memory_equal(p->all.data, want->data, want->len);
	ss_buf_release(&p->all);
}

/* The table laid out in chunks on two threads is the table laid out by
 * one, byte for byte, with a chunk starting at every place:
 * inside a file's rows, at a new file, at a file seen before (its rows
 * come together), with an error row, wrapped or not. */
static void test_text_split_is_the_whole(void **state)
{
	fixture *f = *state;
	static const char *const files[] = {"a.conf", "b.reg", "a.conf", "c.ini", "c.ini"};
	for (size_t n = 0; n < 40; n++) {
		const char *file = files[n % 5];
		if (n % 7 == 3) {
			assert_non_null(ss_scopes_add_error(&f->s, "ssh", file,
							    "x.conf:3:1: a diagnostic of its own"));
			continue;
		}
		char name[32];
		snprintf(name, sizeof(name), "host %zu%s", n, n % 4 ? "" : " with a longer name");
		ss_scope *sc = ss_scopes_add(&f->s, n % 2 ? "ssh" : "putty", file, name);
		assert_non_null(sc);
		sc->interval = (long long)(n % 3) * 30;
		if (!sc->interval)
			assert_int_equal(ss_scope_reason(sc, "keepalives are off, so a NAT drops "
							     "the idle connection after a while"),
					 0);
		for (size_t width = 0; width <= 80; width += 40) {
			f->o.width = width;
			f->o.split_at = SIZE_MAX;
			ss_buf_reset(&f->out);
			assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
			/* chunks of 1, 2, 3 and 7 rows: a chunk ends at every place */
			for (size_t rows = 1; rows <= 7; rows += rows < 3 ? 1 : 4) {
				pieces p;
				ss_report_opts o = in_pieces(&f->o, &p);
				o.split_at = rows;
				ss_buf out = SS_BUF_INIT;
				assert_int_equal(ss_report_text(&f->s, &o, &out, &f->d), 0);
				assert_pieces_are(&p, &out, &f->out);
			}
		}
	}
}

/* A generated table, each row written the quick way where its cells fit
 * their columns, is the table with every row wrapped cell by cell, byte
 * for byte: names and values of every length about the columns' widths,
 * trailing and leading blanks, UTF-8 and bytes that are not, empty cells,
 * witnesses, n/a and error rows, WHY beside and below, in colour or not,
 * verbose or not, as one table and laid out by two threads. */
static const char *generated_piece(unsigned *seed)
{
	static const char *const bits[] = {"a",
					   "host",
					   "db1.corp.example",
					   " ",
					   "caf\xC3\xA9",
					   "\xE6\x97\xA5",
					   "x\xFFy",
					   "  ",
					   "line 7",
					   "Team 00/host 000000",
					   "\t",
					   "-"};
	return bits[tu_pick(seed, sizeof(bits) / sizeof(bits[0]))];
}

static char *generated_text(unsigned *seed, unsigned most)
{
	ss_buf b = SS_BUF_INIT;
	for (unsigned k = 0, n = tu_pick(seed, most + 1); k < n; k++)
		assert_int_equal(ss_buf_adds(&b, generated_piece(seed)), 0);
	assert_int_equal(ss_buf_adds(&b, ""), 0);
	return ss_buf_detach(&b, NULL);
}

static void add_generated_scope(ss_scopes *s, unsigned *seed)
{
	static const long long values[] = {0, 30, 60, 240, 300, 100000, SS_UNSET, SS_UNKNOWN};
	char *name = generated_text(seed, 6), *why = generated_text(seed, 10);
	const char *file = tu_pick(seed, 2) ? "w.ini" : "a b.conf";
	unsigned extra = tu_pick(seed, 8);
	ss_scope *sc = extra == 0
			   ? ss_scopes_add_error(s, "winscp", file, why)
			   : ss_scopes_add(s, tu_pick(seed, 2) ? "winscp" : "ssh", file, name);
	assert_non_null(sc);
	if (extra != 0) {
		sc->interval = values[tu_pick(seed, 8)];
		sc->count_max = values[tu_pick(seed, 8)];
		sc->tcp_keepalive = tu_pick(seed, 3) == 2 ? SS_UNSET : (long long)tu_pick(seed, 2);
		sc->not_applicable = extra == 1;
		if (extra == 2)
			assert_int_equal(ss_scope_set_witness(sc, name), 0);
		if (extra >= 3 && *why)
			assert_int_equal(ss_scope_reason(sc, "%s", why), 0);
		if (extra >= 5) {
			char at[64];
			snprintf(at, sizeof(at), "%s:%u", extra == 5 ? "other.ini" : file,
				 1 + tu_pick(seed, 100000));
			assert_int_equal(ss_scope_set_at(sc, at), 0);
		}
	}
	free(name);
	free(why);
}

static void test_text_quick_rows_are_the_general_ones(void **state)
{
	fixture *f = *state;
	static const size_t widths[] = {0, 40, 60, 80, 100, 200};
	unsigned seed = 7;
	for (int round = 0; round < 400; round++) {
		ss_scopes_free(&f->s);
		for (unsigned i = 0, n = 1 + tu_pick(&seed, 12); i < n; i++)
			add_generated_scope(&f->s, &seed);
		ss_report_opts o = f->o;
		o.width = widths[tu_pick(&seed, 6)];
		o.color = tu_pick(&seed, 2);
		o.verbose = tu_pick(&seed, 2);
		o.split_at = tu_pick(&seed, 2) ? 1 : SIZE_MAX;
		ss_buf quick_table = SS_BUF_INIT, general = SS_BUF_INIT;
		assert_int_equal(ss_report_text(&f->s, &o, &quick_table, &f->d), 0);
		o.general_rows = 1;
		assert_int_equal(ss_report_text(&f->s, &o, &general, &f->d), 0);
		if (quick_table.len != general.len ||
		    memcmp(quick_table.data, general.data, general.len) != 0)
			fail_msg("round %d, %zu columns:\n%s\nwrapped cell by cell:\n%s", round,
				 o.width, ss_buf_str(&quick_table), ss_buf_str(&general));
		ss_buf_release(&quick_table);
		ss_buf_release(&general);
	}
}

/* The table a scope at a time, flushed in small pieces, is the table of
 * the whole list byte for byte: files interleaved (A, B, A) are grouped,
 * an error scope's WHY does not widen the column, --failures keeps only
 * failing and error rows while the summary counts every scope. */
static void test_text_streamed_is_the_whole(void **state)
{
	fixture *f = *state;
	ss_scope *sc = ss_scopes_add(&f->s, "ssh", EVIL_FILE, "again");
	sc->interval = 30;
	sc = ss_scopes_add_error(
	    &f->s, "ssh", "x.conf",
	    "x.conf:3:1: a very long diagnostic that must not widen WHY at all");
	for (int failures = 0; failures <= 1; failures++) {
		for (size_t width = 0; width <= 120; width += 40) {
			f->o.failures = failures;
			f->o.width = width;
			ss_buf_reset(&f->out);
			assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
			pieces p;
			ss_report_opts o = in_pieces(&f->o, &p);
			ss_buf out = SS_BUF_INIT;
			ss_text_report *tr = NULL;
			assert_int_equal(ss_report_text_begin(&tr, &o, &out, &f->d), 0);
			for (size_t i = 0; i < f->s.n; i++)
				assert_int_equal(ss_report_text_scope(tr, &f->s.v[i], &f->d), 0);
			assert_int_equal(ss_report_text_end(tr, &f->d), 0);
			assert_pieces_are(&p, &out, &f->out);
		}
	}
	/* The interleaved file's rows are together, under one heading. */
	f->o.failures = 0;
	f->o.width = 0;
	ss_buf_reset(&f->out);
	assert_int_equal(ss_report_text(&f->s, &f->o, &f->out, &f->d), 0);
	ss_strlist l = lines_of(&f->out);
	assert_int_equal(strncmp(l.v[4], "  again ", 8), 0);
	assert_string_equal(l.v[5], "s.reg (putty)");
	ss_strlist_release(&l);
}

/* The table taken in parts (ss_report_text_part_*) is the table taken a
 * scope at a time, byte for byte: generated scopes of two files and two
 * kinds cut into runs of every length, up to three parts filled before
 * they are merged in order, each part used again after its merge; the
 * widths, the groups, the counts, --failures and --quiet come out the
 * same. */
static void test_text_parts_are_the_whole(void **state)
{
	fixture *f = *state;
	unsigned seed = 11;
	for (int round = 0; round < 300; round++) {
		ss_scopes_free(&f->s);
		for (unsigned i = 0, n = tu_pick(&seed, 40); i < n; i++)
			add_generated_scope(&f->s, &seed);
		ss_report_opts o = f->o;
		o.width = tu_pick(&seed, 2) ? 0 : 80;
		o.verbose = tu_pick(&seed, 2);
		o.failures = tu_pick(&seed, 3) == 0;
		o.quiet = tu_pick(&seed, 5) == 0;
		ss_buf whole = SS_BUF_INIT, parted = SS_BUF_INIT;
		assert_int_equal(ss_report_text(&f->s, &o, &whole, &f->d), 0);
		ss_text_report *tr = NULL;
		assert_int_equal(ss_report_text_begin(&tr, &o, &parted, &f->d), 0);
		ss_text_part *part[3];
		for (int k = 0; k < 3; k++)
			assert_non_null(part[k] = ss_report_text_part_new());
		for (size_t at = 0; at < f->s.n;) {
			unsigned filled = 1 + tu_pick(&seed, 3);
			for (unsigned k = 0; k < filled; k++)
				for (size_t run = tu_pick(&seed, 6); run > 0 && at < f->s.n;
				     run--, at++)
					assert_int_equal(ss_report_text_part_scope(
							     tr, part[k], &f->s.v[at], &f->d),
							 0);
			for (unsigned k = 0; k < filled; k++)
				assert_int_equal(ss_report_text_part_merge(tr, part[k], &f->d), 0);
		}
		for (int k = 0; k < 3; k++)
			ss_report_text_part_free(tr, part[k]);
		assert_int_equal(ss_report_text_end(tr, &f->d), 0);
		if (whole.len != parted.len || memcmp(whole.data, parted.data, whole.len) != 0)
			fail_msg("round %d:\n%s\nin parts:\n%s", round, ss_buf_str(&whole),
				 ss_buf_str(&parted));
		ss_buf_release(&whole);
		ss_buf_release(&parted);
	}
}

/* Counts of what a JUnit document holds, the timestamps blanked. */
static void blank_timestamps(ss_buf *b)
{
	for (char *p = b->data; (p = strstr(p, "timestamp=\"")) != NULL;)
		for (p += 11; *p && *p != '"'; p++)
			*p = '0';
}

/* The JUnit document a scope at a time, flushed in small pieces, is the
 * document of the whole list: files in a row make a suite (A, B, A are
 * three), a suite's counts are its own, a failing message said the same
 * by many scopes is written for each. */
static void test_junit_streamed_is_the_whole(void **state)
{
	fixture *f = *state;
	/* Enough for libxml2 to hand its output on while the suite is
	 * written (it does so in pieces of about 4 KB). */
	for (int i = 0; i < 300; i++) {
		ss_scope *sc =
		    ss_scopes_add(&f->s, "ssh", EVIL_FILE, i % 150 ? "again" : "off again");
		sc->interval = i % 150 ? 30 : 0;
		if (i % 150 == 0)
			ss_scope_reason(sc, "%s", EVIL_WHY);
	}
	ss_scopes_add_error(&f->s, "ssh", "x.conf", "x.conf:3:1: cannot be read");
	assert_int_equal(ss_report_junit(&f->s, &f->o, &f->out, &f->d), 0);
	pieces p;
	ss_report_opts o = in_pieces(&f->o, &p);
	ss_buf out = SS_BUF_INIT;
	ss_junit_report *jr = NULL;
	assert_int_equal(ss_report_junit_begin(&jr, &o, &out, &f->d), 0);
	for (size_t i = 0; i < f->s.n; i++)
		assert_int_equal(ss_report_junit_scope(jr, &f->s.v[i], &f->d), 0);
	assert_int_equal(ss_report_junit_end(jr, &f->d), 0);
	all_pieces(&p, &out);
	blank_timestamps(&p.all);
	blank_timestamps(&f->out);
	assert_int_equal(p.all.len, f->out.len);
	assert_memory_equal(p.all.data, f->out.data, f->out.len);
	size_t suites = 0, failures = 0;
	for (const char *q = p.all.data; (q = strstr(q, "<testsuite ")); q++)
		suites++;
	for (const char *q = p.all.data; (q = strstr(q, "type=\"keepalive\">")); q++)
		failures++;
	assert_int_equal(suites, 4);
	assert_int_equal(failures, 4);
	assert_non_null(strstr(p.all.data, "type=\"error\">x.conf:3:1: cannot be read"));
	assert_non_null(strstr(p.all.data, "tests=\"300\" failures=\"2\" errors=\"0\""));
	ss_buf_release(&p.all);
}

/* The JUnit report escapes by hand what libxml2's writer escaped before
 * (each text made printable first): on hostile texts, an attribute value
 * and an element's text are the bytes the writer makes of them, and
 * libxml2's parser reads back the printable text. */
static void test_junit_escapes_as_libxml2(void **state)
{
	(void)state;
	static const char *const texts[] = {"",
					    "plain text",
					    "\x01\x1f\x7f ctl",
					    "tab\tcr\rlf\n",
					    "]]> <![CDATA[",
					    "\"q\" 'a' <&> &amp;",
					    "bad\xFF\xC3(end\xC3",
					    "caf\xC3\xA9 \xE2\x82\xAC",
					    "\xF0\x9F\x98\x80",
					    "nel\xC2\x85 rlo\xE2\x80\xAE",
					    "sur\xED\xA0\x80",
					    "non\xEF\xBF\xBE\xEF\xBF\xBD",
					    "&#10;&lt;",
					    "\\x41 <a href=\"x\">"};
	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		ss_buf printable = SS_BUF_INIT, got = SS_BUF_INIT;
		assert_int_equal(ss_report_add_printable(&printable, texts[i]), 0);
		const char *pt = ss_buf_str(&printable);
		xmlBufferPtr want = xmlBufferCreate();
		xmlTextWriterPtr w = xmlNewTextWriterMemory(want, 0);
		assert_non_null(w);
		assert_true(xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) >= 0);
		assert_true(xmlTextWriterStartElement(w, BAD_CAST "a") >= 0);
		assert_true(xmlTextWriterWriteAttribute(w, BAD_CAST "v", BAD_CAST pt) >= 0);
		assert_true(xmlTextWriterWriteString(w, BAD_CAST pt) >= 0);
		assert_true(xmlTextWriterEndDocument(w) >= 0);
		xmlFreeTextWriter(w);
		assert_int_equal(
		    ss_buf_adds(&got, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a v=\""), 0);
		assert_int_equal(ss_report_xml_text(&got, texts[i]), 0);
		assert_int_equal(ss_buf_adds(&got, "\">"), 0);
		assert_int_equal(ss_report_xml_text(&got, texts[i]), 0);
		assert_int_equal(ss_buf_adds(&got, "</a>\n"), 0);
		assert_string_equal(ss_buf_str(&got), (const char *)xmlBufferContent(want));
		xmlDocPtr doc = xmlReadMemory(got.data, (int)got.len, NULL, NULL, XML_PARSE_NONET);
		assert_non_null(doc);
		xmlChar *v = xmlGetProp(xmlDocGetRootElement(doc), BAD_CAST "v");
		xmlChar *t = xmlNodeGetContent(xmlDocGetRootElement(doc));
		assert_string_equal((const char *)v, pt);
		assert_string_equal((const char *)t, pt);
		xmlFree(v);
		xmlFree(t);
		xmlFreeDoc(doc);
		xmlBufferFree(want);
		ss_buf_release(&printable);
		ss_buf_release(&got);
	}
}

/* No scope: the root element alone, closed as the writer closed it. */
static void test_junit_of_nothing(void **state)
{
	fixture *f = *state;
	ss_scopes none = SS_SCOPES_INIT;
	assert_int_equal(ss_report_junit(&none, &f->o, &f->out, &f->d), 0);
	assert_string_equal(ss_buf_str(&f->out),
			    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites/>\n");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_text_never_forges_a_line),
	    T(test_text_alignment),
	    T(test_text_colour_only_when_asked),
	    T(test_text_groups_rows_by_file),
	    T(test_text_long_rows_whole),
	    T(test_text_short_paths),
	    T(test_text_fits_the_width),
	    T(test_text_quiet_and_failures),
	    T(test_text_reason_lines),
	    T(test_text_generated_rows_wrap_whole_words),
	    T(test_text_streamed_is_the_whole),
	    T(test_text_parts_are_the_whole),
	    T(test_text_split_is_the_whole),
	    T(test_text_quick_rows_are_the_general_ones),
	    T(test_printable_is_strict_utf8),
	    T(test_json_reads_back),
	    T(test_apply_json_pairs_scopes_by_place),
	    T(test_apply_json_diff_streamed),
	    T(test_apply_json_lines_are_janssons),
	    T(test_junit_reads_back),
	    T(test_junit_streamed_is_the_whole),
	    T(test_junit_escapes_as_libxml2),
	    T(test_junit_of_nothing),
	    T(test_names_that_are_not_utf8_or_not_printable),
	    T(test_error_scope_has_no_set_at),
	    T(test_json_lines_are_janssons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
