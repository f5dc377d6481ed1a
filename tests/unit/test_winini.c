/* store/winini: WinSCP's INI dialect, byte for byte. */
#include <stdlib.h>
#include <string.h>

#include "sshsync/keyindex.h"
#include "sshsync/winini.h"
#include "testutil.h"

typedef struct fixture {
	ss_text t;
	ss_winini ini;
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
	ss_winini_free(&f->ini);
	ss_text_free(&f->t);
	ss_edits_free(&f->e);
	ss_buf_release(&f->out);
	ss_diag_clear(&f->d);
	free(f);
	return 0;
}

/* The fixture's text and index, in place of any it held. */
static void load_bytes(fixture *f, const void *s, size_t len)
{
	ss_winini_free(&f->ini);
	ss_text_free(&f->t);
	assert_int_equal(ss_text_from_bytes(&f->t, "WinSCP.ini", s, len, &f->d), 0);
	assert_int_equal(ss_winini_parse(&f->ini, &f->t, &f->d), 0);
}

static void load(fixture *f, const char *s)
{
	load_bytes(f, s, strlen(s));
}

static const char *render(fixture *f)
{
	ss_buf_reset(&f->out);
	assert_int_equal(ss_edits_render_file(&f->t, &f->e, &f->out, &f->d), 0);
	return ss_buf_str(&f->out);
}

/* The value TMemIniFile returns for section/key, as a new string, or NULL. */
static char *value_of(fixture *f, const char *section, const char *key)
{
	long s = ss_winini_find_section(&f->ini, section, strlen(section));
	if (s < 0)
		return NULL;
	ss_winini_key k;
	if (!ss_winini_find_key(&f->ini, (size_t)s, key, &k))
		return NULL;
	return ss_strndup(ss_winini_key_value(&f->ini, &k), k.value_len);
}

static void assert_value(fixture *f, const char *section, const char *key, const char *want)
{
	char *v = value_of(f, section, key);
	if (!want) {
		assert_null(v);
		return;
	}
	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

static void assert_round_trip(fixture *f, const void *bytes, size_t len)
{
	load_bytes(f, bytes, len);
	ss_buf_reset(&f->out);
	assert_int_equal(ss_edits_render_file(&f->t, &f->e, &f->out, &f->d), 0);
	assert_int_equal(f->out.len, len);
	assert_memory_equal(f->out.data, bytes, len);
}

static void test_corpus_round_trip(void **state)
{
	fixture *f = *state;
	char *dir = tu_corpus_dir("winscp");
	if (!dir)
		skip();
	ss_strlist names = tu_list_dir(dir);
	assert_true(names.n >= 2); /* fixtures/corpus/winscp has 2, the shared one 4 */
	for (size_t i = 0; i < names.n; i++) {
		char *p = tu_path(dir, names.v[i]);
		ss_buf raw = tu_read(p);
		assert_round_trip(f, raw.data, raw.len);
		assert_true(f->ini.nsections > 10);
		/* Every file starts with a section and holds long lines. */
		assert_int_equal(f->ini.sections[0].line, 0);
		ss_winini_free(&f->ini);
		ss_text_free(&f->t);
		ss_buf_release(&raw);
		free(p);
	}
	ss_strlist_release(&names);
	free(dir);
}

/* A fixture with what real files hold and iniparser gets wrong. */
static ss_buf hard_fixture(const char *eol)
{
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_buf_addf(&b, "stray=before any section%s", eol), 0);
	assert_int_equal(ss_buf_addf(&b, "[Configuration\\Interface]%s", eol), 0);
	assert_int_equal(ss_buf_adds(&b, "ToolbarsLayout="), 0);
	for (int i = 0; i < 9000; i++)
		assert_int_equal(ss_buf_addc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(ss_buf_addf(&b, "%s", eol), 0);
	assert_int_equal(ss_buf_addf(&b, "; a comment=with equals%s", eol), 0);
	assert_int_equal(ss_buf_addf(&b, "Semi=a;b # not a comment%s", eol), 0);
	assert_int_equal(ss_buf_addf(&b, "Hash=#start%s", eol), 0);
	assert_int_equal(ss_buf_addf(&b, "Quoted=\"C:\\Program Files\\x\"%s", eol), 0);
	assert_int_equal(ss_buf_addf(&b, "Equals=a=b==c%s", eol), 0);
	assert_int_equal(ss_buf_addf(&b, "  Spaced   =   v a l  \t%s", eol), 0);
	assert_int_equal(ss_buf_addf(&b, "no equals sign here%s", eol), 0);
	assert_int_equal(ss_buf_addf(&b, "Empty=%s", eol), 0);
	assert_int_equal(ss_buf_addf(&b, "%s", eol), 0);
	assert_int_equal(ss_buf_addf(&b, "[Sessions\\My%%20Folder/s%%C3%%A9%%2Acret]%s", eol), 0);
	assert_int_equal(ss_buf_addf(&b, "HostName=h\xe9te\xff\x80%s", eol), 0);
	assert_int_equal(ss_buf_addf(&b, "PINGTYPE=2%s", eol), 0);
	assert_int_equal(ss_buf_addf(&b, "PingType=0%s", eol), 0);
	assert_int_equal(ss_buf_addf(&b, "%s", eol), 0);
	assert_int_equal(ss_buf_addf(&b, "  [ sessions\\my%%20folder/S%%C3%%A9%%2ACRET ]  %s", eol),
			 0);
	assert_int_equal(ss_buf_addf(&b, "HostName=second%s", eol), 0);
	return b;
}

static void test_fixture_round_trip_and_values(void **state)
{
	fixture *f = *state;
	for (int crlf = 0; crlf < 2; crlf++) {
		ss_buf b = hard_fixture(crlf ? "\r\n" : "\n");
		assert_round_trip(f, b.data, b.len);
		assert_int_equal(f->ini.nsections, 3);
		assert_value(f, "configuration\\INTERFACE", "semi", "a;b # not a comment");
		assert_value(f, "Configuration\\Interface", "Hash", "#start");
		assert_value(f, "Configuration\\Interface", "Quoted", "\"C:\\Program Files\\x\"");
		assert_value(f, "Configuration\\Interface", "Equals", "a=b==c");
		assert_value(f, "Configuration\\Interface", "Spaced", "v a l");
		assert_value(f, "Configuration\\Interface", "Empty", "");
		assert_value(f, "Configuration\\Interface", "; a comment", NULL);
		assert_value(f, "Configuration\\Interface", "stray", NULL);
		char *tl = value_of(f, "Configuration\\Interface", "ToolbarsLayout");
		assert_non_null(tl);
		assert_int_equal(strlen(tl), 9000);
		free(tl);
		/* First duplicate wins, for keys and for sections. */
		const char *site = "Sessions\\My%20Folder/s%C3%A9%2Acret";
		assert_value(f, site, "PingType", "2");
		assert_value(f, site, "HostName", "h\xe9te\xff\x80");
		assert_int_equal(f->ini.sections[2].first_of, 1);
		assert_int_equal(f->ini.sections[1].first_of, 1);
		ss_winini_free(&f->ini);
		ss_text_free(&f->t);
		ss_buf_release(&b);
	}
}

static void test_set_value_keeps_other_bytes(void **state)
{
	fixture *f = *state;
	load(f, "[S]\r\nA = 1 \r\nPingType=0\r\n");
	long s = ss_winini_find_section(&f->ini, "S", 1);
	ss_winini_key k;
	assert_true(ss_winini_find_key(&f->ini, (size_t)s, "a", &k));
	assert_int_equal(ss_winini_set_value(&f->ini, &f->e, &k, "60", &f->d), 0);
	assert_string_equal(render(f), "[S]\r\nA = 60 \r\nPingType=0\r\n");
}

static void test_set_empty_value(void **state)
{
	fixture *f = *state;
	load(f, "[S]\nA=\nB=   \n");
	ss_winini_key a, b;
	assert_true(ss_winini_find_key(&f->ini, 0, "A", &a));
	assert_true(ss_winini_find_key(&f->ini, 0, "B", &b));
	assert_int_equal(ss_winini_set_value(&f->ini, &f->e, &a, "1", &f->d), 0);
	assert_int_equal(ss_winini_set_value(&f->ini, &f->e, &b, "2", &f->d), 0);
	assert_string_equal(render(f), "[S]\nA=1\nB=2   \n");
}

static void test_insert_after_last_non_blank_line(void **state)
{
	fixture *f = *state;
	load(f, "[A]\r\nx=1\r\n; note\r\n\r\n\r\n[B]\r\ny=2\r\n");
	ss_winini_kv kv[] = {{"PingType", "1"}, {"PingInterval", "1"}};
	assert_int_equal(ss_winini_insert_keys(&f->ini, &f->e, 0, kv, 2, &f->d), 0);
	assert_int_equal(ss_winini_insert_keys(&f->ini, &f->e, 1, kv, 1, &f->d), 0);
	assert_string_equal(render(f), "[A]\r\nx=1\r\n; note\r\nPingType=1\r\nPingInterval=1\r\n"
				       "\r\n\r\n[B]\r\ny=2\r\nPingType=1\r\n");
}

static void test_insert_into_empty_section_and_unterminated_end(void **state)
{
	fixture *f = *state;
	load(f, "[A]\n[B]\nz=3");
	ss_winini_kv kv[] = {{"K", "v"}};
	assert_int_equal(ss_winini_insert_keys(&f->ini, &f->e, 0, kv, 1, &f->d), 0);
	assert_int_equal(ss_winini_insert_keys(&f->ini, &f->e, 1, kv, 1, &f->d), 0);
	assert_string_equal(render(f), "[A]\nK=v\n[B]\nz=3\nK=v");
}

static void test_delete_key_line(void **state)
{
	fixture *f = *state;
	load(f, "[A]\r\nPingIntervalSec=5\r\nx=1\r\n");
	ss_winini_key k;
	assert_true(ss_winini_find_key(&f->ini, 0, "pingintervalsec", &k));
	assert_int_equal(ss_winini_delete_key(&f->ini, &f->e, &k, &f->d), 0);
	assert_string_equal(render(f), "[A]\r\nx=1\r\n");
}

/* TStringList.SetTextStr breaks lines at CR LF, LF and a CR alone: a key
 * after a lone CR is a key of its own, and edits keep it. */
static void test_lone_cr_is_a_line_break(void **state)
{
	fixture *f = *state;
	load(f, "[S]\r\nPingIntervalSecs=45\rSFTPServer=sudo\r\nPingType=1\rX=y\r[T]\rz=1\n");
	assert_int_equal(f->ini.nsections, 2);
	ss_winini_key k, sftp, x;
	assert_true(ss_winini_find_key(&f->ini, 0, "PingIntervalSecs", &k));
	assert_int_equal(k.value_len, 2);
	assert_true(ss_winini_find_key(&f->ini, 0, "SFTPServer", &sftp));
	assert_true(ss_winini_find_key(&f->ini, 0, "X", &x));
	assert_true(ss_winini_find_key(&f->ini, 1, "z", &k) && k.value_len == 1);
	assert_true(ss_winini_find_key(&f->ini, 0, "PingIntervalSecs", &k));
	assert_int_equal(ss_winini_set_value(&f->ini, &f->e, &k, "0", &f->d), 0);
	assert_int_equal(ss_winini_delete_key(&f->ini, &f->e, &x, &f->d), 0);
	ss_winini_kv kv[] = {{"PingInterval", "1"}};
	assert_int_equal(ss_winini_insert_keys(&f->ini, &f->e, 0, kv, 1, &f->d), 0);
	assert_string_equal(render(f), "[S]\r\nPingIntervalSecs=0\rSFTPServer=sudo\r\nPingType=1\r"
				       "PingInterval=1\r\n[T]\rz=1\n");
}

/* Telling a WinSCP.ini from another file splits lines the same way. */
static void test_misfit_splits_at_a_lone_cr(void **state)
{
	(void)state;
	size_t at = 99;
	const char *ok = "[Sessions\\a]\rHostName=x\r\nPingType=1\r\n";
	assert_null(ss_winini_misfit(ok, strlen(ok), &at));
	assert_int_equal(at, 99);
	const char *bad = "[Sessions\\a]\rjunk\r\n";
	assert_non_null(ss_winini_misfit(bad, strlen(bad), &at));
	assert_int_equal(at, 13);
}

/* `text` with section N (PingType=1) appended renders as `want`, in a
 * fixture of its own. */
static void expect_section_appended(void **state, const char *text, const char *want)
{
	teardown(state);
	setup(state);
	fixture *f = *state;
	ss_winini_kv kv[] = {{"PingType", "1"}};
	load(f, text);
	assert_int_equal(ss_winini_append_section(&f->ini, &f->e, "N", kv, 1, &f->d), 0);
	assert_string_equal(render(f), want);
}

static void test_append_section(void **state)
{
	expect_section_appended(state, "[A]\r\nx=1", "[A]\r\nx=1\r\n\r\n[N]\r\nPingType=1");
	expect_section_appended(state, "[A]\nx=1\n\n", "[A]\nx=1\n\n[N]\nPingType=1\n");
	expect_section_appended(state, "", "[N]\nPingType=1\n");
}

/* A CR alone at the end of the file ends its last line (TStringList): new
 * lines come right after it, not after an LF that would join it into a CR
 * LF. Found by fuzz_winini: 'WINE REGISTRY Version 2' and a CR became
 * Wine's registry file once a section was appended. */
static void test_append_after_a_final_lone_cr(void **state)
{
	fixture *f = *state;
	ss_winini_kv kv[] = {{"PingType", "1"}};
	load(f, "[A]\rx=1\r");
	assert_int_equal(ss_winini_insert_keys(&f->ini, &f->e, 0, kv, 1, &f->d), 0);
	assert_int_equal(ss_winini_append_section(&f->ini, &f->e, "N", kv, 1, &f->d), 0);
	assert_string_equal(render(f), "[A]\rx=1\rPingType=1\n[N]\nPingType=1\n");
	expect_section_appended(state, "WINE REGISTRY Version 2\r",
				"WINE REGISTRY Version 2\r[N]\nPingType=1\n");
}

static void test_edits_in_a_long_line_file(void **state)
{
	fixture *f = *state;
	ss_buf b = hard_fixture("\r\n");
	load_bytes(f, b.data, b.len);
	long s = ss_winini_find_section(&f->ini, "Configuration\\Interface", 23);
	ss_winini_key k;
	assert_true(ss_winini_find_key(&f->ini, (size_t)s, "Empty", &k));
	assert_int_equal(ss_winini_set_value(&f->ini, &f->e, &k, "x", &f->d), 0);
	render(f);
	assert_int_equal(f->out.len, b.len + 1);
	const char *at = strstr(f->out.data, "Empty=x\r\n");
	assert_non_null(at);
	size_t off = (size_t)(at - f->out.data);
	assert_memory_equal(f->out.data, b.data, off + 6);
	assert_memory_equal(f->out.data + off + 7, b.data + off + 6, b.len - off - 6);
	ss_buf_release(&b);
}

static void test_malformed_lines(void **state)
{
	fixture *f = *state;
	/* Nothing here stops TMemIniFile; nothing stops the reader. */
	static const char bytes[] = "[\n]\n[]\n[x\n=v\n\0\x01[y]\n[ok]\n=nameless\nk=v\n";
	assert_round_trip(f, bytes, sizeof(bytes) - 1);
	assert_value(f, "ok", "k", "v");
	assert_value(f, "", "", "v");
	assert_int_equal(ss_winini_find_section(&f->ini, "x", 1), -1);
	/* Control characters are trimmed like blanks, as Delphi's Trim does. */
	assert_int_equal(ss_winini_find_section(&f->ini, "y", 1), 1);
}

/* Keys by their first byte: others, comments and lines without '=' are
 * passed over; the name's first byte counts, after the leading blanks. */
static void test_next_key_of_first_bytes(void **state)
{
	fixture *f = *state;
	load(f, "[A]\nHost=h\n;Ping=c\n  ping = 1\nPort=22\nPx no equals\n=empty\nNote=n\n");
	uint64_t first[4] = {0};
	first['P' / 64] |= (uint64_t)1 << ('P' % 64);
	first['p' / 64] |= (uint64_t)1 << ('p' % 64);
	size_t cursor = 0, n = 0;
	ss_winini_key k;
	static const size_t lines[] = {3, 4};
	while (ss_winini_next_key_of(&f->ini, 0, &cursor, first, &k)) {
		assert_true(n < 2);
		assert_int_equal(k.line, lines[n++]);
	}
	assert_int_equal(n, 2);
	/* '=' for an empty name; NULL for every key, as ss_winini_next_key. */
	memset(first, 0, sizeof(first));
	first['=' / 64] |= (uint64_t)1 << ('=' % 64);
	cursor = 0;
	assert_true(ss_winini_next_key_of(&f->ini, 0, &cursor, first, &k));
	assert_int_equal(k.line, 6);
	assert_int_equal(k.name_len, 0);
	assert_false(ss_winini_next_key_of(&f->ini, 0, &cursor, first, &k));
	cursor = n = 0;
	while (ss_winini_next_key_of(&f->ini, 0, &cursor, NULL, &k))
		n++;
	assert_int_equal(n, 5);
}

static void test_next_key_in_order(void **state)
{
	fixture *f = *state;
	load(f, "[A]\n; c=1\nk1=v1\n\nno equals\n k2 = v2 \n\n[B]\nk3=v3\n");
	size_t cursor = 0;
	ss_winini_key k;
	assert_true(ss_winini_next_key(&f->ini, 0, &cursor, &k));
	assert_int_equal(k.line, 2);
	assert_true(ss_winini_key_is(&f->ini, &k, "K1"));
	assert_true(ss_winini_next_key(&f->ini, 0, &cursor, &k));
	assert_int_equal(k.line, 5);
	assert_memory_equal(ss_winini_key_value(&f->ini, &k), "v2", 2);
	assert_int_equal(k.value_len, 2);
	assert_false(ss_winini_next_key(&f->ini, 0, &cursor, &k));
	assert_int_equal(f->ini.sections[0].last_line, 5);
	assert_int_equal(f->ini.sections[0].end_line, 7);
}

/* --- the index against a model of TMemIniFile's reading --- */

/* One key or section header as the model reads it: spans into the text. */
typedef struct mkey {
	size_t line, name, name_len, value, value_len;
} mkey;

typedef struct msection {
	size_t name, name_len, first_of;
	mkey keys[64];
	size_t nkeys;
} msection;

static int m_blank(char c)
{
	return (unsigned char)c <= ' ';
}

static void m_trim(const char *s, size_t *start, size_t *end)
{
	while (*start < *end && m_blank(s[*start]))
		(*start)++;
	while (*end > *start && m_blank(s[*end - 1]))
		(*end)--;
}

static int m_same(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return 0;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] + 32) : a[i];
		char y = b[i] >= 'A' && b[i] <= 'Z' ? (char)(b[i] + 32) : b[i];
		if (x != y)
			return 0;
	}
	return 1;
}

/* TStringList's lines (breaks: CR LF, LF, a CR alone), each trimmed; a
 * first line without its UTF-8 byte order mark; "[name]" a section, a
 * line with '=' in a section a key, ';' a comment. Byte by byte, for
 * every line: what the index keeps in offsets. Returns the sections. */
static size_t model(const char *s, size_t len, msection *out, size_t max)
{
	size_t n = 0, line = 0;
	for (size_t i = 0; i < len; line++) {
		size_t end = i;
		while (end < len && s[end] != '\n' && s[end] != '\r')
			end++;
		size_t start = i;
		i = end < len && s[end] == '\r' && end + 1 < len && s[end + 1] == '\n' ? end + 2
										       : end + 1;
		if (line == 0 && end - start >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
			start += 3;
		m_trim(s, &start, &end);
		if (start == end)
			continue;
		if (end - start >= 2 && s[start] == '[' && s[end - 1] == ']') {
			assert_true(n < max);
			msection *m = &out[n];
			size_t a = start + 1, b = end - 1;
			m_trim(s, &a, &b);
			*m = (msection){a, b - a, n, {{0}}, 0};
			for (size_t j = 0; j < n; j++)
				if (m_same(s + out[j].name, out[j].name_len, s + a, b - a)) {
					m->first_of = j;
					break;
				}
			n++;
			continue;
		}
		const char *eq = memchr(s + start, '=', end - start);
		if (n == 0 || s[start] == ';' || !eq)
			continue;
		msection *m = &out[n - 1];
		assert_true(m->nkeys < 64);
		size_t na = start, nb = (size_t)(eq - s), va = nb + 1, vb = end;
		m_trim(s, &na, &nb);
		m_trim(s, &va, &vb);
		/* An empty value is just after the '=' (the index's rule). */
		if (va == vb)
			va = vb = end;
		m->keys[m->nkeys++] = (mkey){line, na, nb - na, va, vb - va};
	}
	return n;
}

/* Loads a text of up to 63 pieces picked with *seed into text[1024]
 * (pieces of at most 16 bytes); its length. */
static size_t load_generated(fixture *f, unsigned *seed, const char *const *pieces, size_t n,
			     char *text)
{
	size_t len = 0, count = tu_lcg(seed) >> 16 & 63;
	for (size_t i = 0; i < count; i++) {
		const char *p = pieces[(tu_lcg(seed) >> 16) % n];
		memcpy(text + len, p, strlen(p));
		len += strlen(p);
	}
	load_bytes(f, text, len);
	return len;
}

static void test_index_against_model(void **state)
{
	fixture *f = *state;
	static const char *const pieces[] = {"[",
					     "]",
					     "[Sessions\\a]",
					     "[sessions\\A]",
					     "[ x ]",
					     "[x]",
					     "=",
					     "a",
					     "B",
					     "key",
					     "k2",
					     " ",
					     "\t",
					     ";",
					     "\r\n",
					     "\n",
					     "\r",
					     "\n",
					     "\xEF\xBB\xBF",
					     "v=1",
					     "\x01",
					     "==",
					     " = b "};
	unsigned seed = 1;
	size_t cases = 4000, agree = 0;
	static msection m[256];
	for (size_t c = 0; c < cases; c++) {
		char text[1024];
		size_t len =
		    load_generated(f, &seed, pieces, sizeof(pieces) / sizeof(pieces[0]), text);
		size_t n = model(text, len, m, 256);
		int same = f->ini.nsections == n;
		for (size_t i = 0; same && i < n; i++) {
			const ss_winini_section *x = &f->ini.sections[i];
			same = x->name_start == m[i].name && x->name_len == m[i].name_len &&
			       x->first_of == m[i].first_of;
			size_t cursor = 0, j = 0;
			ss_winini_key k;
			for (; same && ss_winini_next_key(&f->ini, i, &cursor, &k); j++)
				same = j < m[i].nkeys && k.line == m[i].keys[j].line &&
				       k.name_start == m[i].keys[j].name &&
				       k.name_len == m[i].keys[j].name_len &&
				       k.value_start == m[i].keys[j].value &&
				       k.value_len == m[i].keys[j].value_len;
			same = same && j == m[i].nkeys;
		}
		agree += same;
	}
	print_message("WinINI index: %zu/%zu generated texts agree with the model\n", agree, cases);
	assert_int_equal(agree, cases);
}

/* Whether two indexes of one text hold the same sections and lines. */
static int same_index(const ss_winini *x, const ss_winini *y)
{
	if (x->nsections != y->nsections || x->nlines != y->nlines ||
	    (x->lines == NULL) != (y->lines == NULL))
		return 0;
	for (size_t i = 0; i < x->nsections; i++) {
		const ss_winini_section *a = &x->sections[i], *b = &y->sections[i];
		if (a->line != b->line || a->name_start != b->name_start ||
		    a->name_len != b->name_len || a->end_line != b->end_line ||
		    a->last_line != b->last_line || a->first_of != b->first_of)
			return 0;
	}
	return 1;
}

/* A large text is parsed in two halves at once (ss_winini_parse_at): cut
 * at any line of generated texts (before a header, inside a section, in
 * the lines before the first section, around lone CRs, which make it
 * parse the text again whole) it gives the index of one thread. */
static void test_parse_in_halves(void **state)
{
	fixture *f = *state;
	static const char *const pieces[] = {"[Sessions\\a]",
					     "[sessions\\A]",
					     "[x]",
					     " [ y ] ",
					     "k=v",
					     "a = 1 ",
					     ";c",
					     " ",
					     "\r\n",
					     "\n",
					     "\n",
					     "\r",
					     "\xEF\xBB\xBF",
					     "[",
					     "]"};
	unsigned seed = 7;
	size_t cuts = 0, agree = 0;
	for (size_t c = 0; c < 300; c++) {
		char text[1024];
		load_generated(f, &seed, pieces, sizeof(pieces) / sizeof(pieces[0]), text);
		for (size_t at = 1; at < f->t.nlines; at++, cuts++) {
			ss_winini cut;
			assert_int_equal(ss_winini_parse_at(&cut, &f->t, at, &f->d), 0);
			agree += same_index(&f->ini, &cut);
			ss_winini_free(&cut);
		}
	}
	print_message("WinINI halves: %zu/%zu cuts agree with one thread\n", agree, cuts);
	assert_true(cuts > 1000);
	assert_int_equal(agree, cuts);
}

/* --- keys found in one pass (ss_winini_find_keys) --- */

/* Whether two finds hold the same sections, keys and line counts. */
static int same_found(const ss_winini_found *x, const ss_winini_found *y)
{
	return x->nsections == y->nsections && x->nkeys == y->nkeys && x->lf_lines == y->lf_lines &&
	       x->lines == y->lines &&
	       (!x->nsections ||
		memcmp(x->sections, y->sections, x->nsections * sizeof(*x->sections)) == 0) &&
	       (!x->nkeys || memcmp(x->keys, y->keys, x->nkeys * sizeof(*x->keys)) == 0);
}

/* Whether the text's keys of first bytes `first` found in one pass are
 * those the index gives. */
static int find_agrees(fixture *f, const uint64_t *first)
{
	ss_winini_found fast = SS_WININI_FOUND_INIT, slow = SS_WININI_FOUND_INIT;
	assert_int_equal(ss_winini_find_keys(&fast, f->t.data, f->t.len, first), 0);
	assert_int_equal(ss_winini_found_of(&slow, &f->ini, first), 0);
	int same = same_found(&fast, &slow);
	ss_winini_found_free(&fast);
	ss_winini_found_free(&slow);
	return same;
}

static void first_bytes(uint64_t *first, const char *bytes)
{
	memset(first, 0, 4 * sizeof(*first));
	for (const unsigned char *c = (const unsigned char *)bytes; *c; c++)
		first[*c / 64] |= (uint64_t)1 << (*c % 64);
}

static void test_find_keys_known_answers(void **state)
{
	fixture *f = *state;
	uint64_t p[4];
	first_bytes(p, "P");
	ss_winini_found x = SS_WININI_FOUND_INIT;
	load(f, "k=0\n[Sessions\\a]\r\nPingType=1\r\nx=2\n [ b ] \n PortNumber = 22 \n;P=3\nP");
	assert_int_equal(ss_winini_find_keys(&x, f->t.data, f->t.len, p), 0);
	assert_int_equal(x.nsections, 2);
	assert_int_equal(x.lf_lines, 8);
	assert_int_equal(x.lines, 8);
	assert_memory_equal(f->t.data + x.sections[1].name_start, "b", 1);
	assert_int_equal(x.sections[1].first_key, 1);
	assert_int_equal(x.nkeys, 2); /* not k (before any section), x, ;P nor P (no '=') */
	assert_int_equal(x.keys[0].line, 2);
	assert_memory_equal(f->t.data + x.keys[1].name_start, "PortNumber", 10);
	assert_int_equal(x.keys[1].value_len, 2);
	assert_int_equal(x.keys[1].line, 5);
	/* A CR alone ends a line for TStringList, not for the text. */
	load(f, "[a]\rPingType=1\nPingType=2\n");
	assert_int_equal(ss_winini_find_keys(&x, f->t.data, f->t.len, p), 0);
	assert_int_equal(x.lf_lines, 2);
	assert_int_equal(x.lines, 3);
	assert_int_equal(x.nkeys, 2);
	assert_int_equal(x.keys[0].line, 0);
	assert_int_equal(x.keys[0].order, 1);
	assert_int_equal(x.keys[1].line, 1);
	assert_int_equal(x.keys[1].order, 2);
	ss_winini_found_free(&x);
}

/* Generated texts (headers and keys of every shape, LF, CR LF and lone CR
 * endings, byte order marks, long runs past a 64-byte block): the keys of
 * several sets of first bytes found in one pass are the index's. */
static void test_find_keys_against_index(void **state)
{
	fixture *f = *state;
	static const char *const pieces[] = {"[Sessions\\a]",
					     "[sessions\\A]",
					     " [ x ] ",
					     "[x",
					     "]",
					     "PingType=1",
					     " P = 2 ",
					     "F=",
					     "=v",
					     ";P=1",
					     "P",
					     "\t",
					     "\r\n",
					     "\n",
					     "\n",
					     "\n",
					     "\r",
					     "\xEF\xBB\xBF",
					     "Host=h.example.com",
					     "\x01"};
	static const char *const sets[] = {"P", "PF", "=", "[;", "\t ", NULL};
	unsigned seed = 20261206;
	size_t cases = 0, agree = 0, lone = 0;
	for (size_t c = 0; c < 3000; c++) {
		char text[1024];
		load_generated(f, &seed, pieces, sizeof(pieces) / sizeof(pieces[0]), text);
		lone += f->ini.lines != NULL;
		for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++, cases++) {
			uint64_t first[4];
			if (sets[s])
				first_bytes(first, sets[s]);
			agree += find_agrees(f, sets[s] ? first : NULL);
		}
	}
	print_message("WinINI keys found in one pass: %zu/%zu generated cases agree with the "
		      "index (%zu texts with a lone CR)\n",
		      agree, cases, lone);
	assert_int_equal(agree, cases);
	assert_true(lone > 300 && lone < 2700); /* both ways of finding were taken */
}

/* A lone CR anywhere in a long text, a block or a page in (or at its very
 * end, or none), is seen: the text is indexed whole. The text is tried
 * as it is and one byte later, so that some LFs (all at odd offsets in
 * the first) start a block of 64 and their CR ends the block before. */
static void test_find_keys_lone_cr_anywhere(void **state)
{
	fixture *f = *state;
	ss_buf b = SS_BUF_INIT;
	size_t checked = 0, at_block = 0;
	for (int shift = 0; shift < 2; shift++) {
		ss_buf_reset(&b);
		assert_int_equal(ss_buf_adds(&b, shift ? "\n" : ""), 0);
		for (int i = 0; i < 300; i++)
			assert_int_equal(
			    ss_buf_adds(&b, i % 7 ? "PingType=1\r\n" : "[Sessions\\s]\r\n"), 0);
		size_t len = b.len;
		char *text = malloc(len + 1);
		assert_non_null(text);
		for (size_t at = shift; at <= len; at++) { /* each LF in turn, then the end */
			memcpy(text, b.data, len);
			size_t n = len;
			if (at < len && text[at] == '\n')
				text[at] = 'x'; /* its CR is now alone */
			else if (at == len)
				text[n++] = '\r';
			else
				continue;
			load_bytes(f, text, n);
			assert_non_null(f->ini.lines);
			assert_true(find_agrees(f, NULL));
			checked++;
			at_block += at % 64 == 0;
		}
		free(text);
	}
	assert_int_equal(checked, 602);
	assert_int_equal(at_block, 9);
	ss_buf_release(&b);
}

static void test_utf8_bom(void **state)
{
	fixture *f = *state;
	static const char bytes[] = "\xef\xbb\xbf[Sessions\\a]\r\nPingType=1\r\n";
	assert_round_trip(f, bytes, sizeof(bytes) - 1);
	assert_value(f, "Sessions\\a", "PingType", "1");
}

static void test_parse_int_like_delphi(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		int ok;
		long v;
	} cases[] = {
	    {"1", 1, 1},
	    {"+1", 1, 1},
	    {"-1", 1, -1},
	    {"01", 1, 1},
	    {"$1F", 1, 31},
	    {"0x1f", 1, 31},
	    {"x10", 1, 16},
	    {"2147483647", 1, 2147483647L},
	    {"-2147483648", 1, -2147483648L},
	    {"$FFFFFFFF", 1, -1},
	    {"fast", 0, 0},
	    {"", 0, 0},
	    {"1 ", 0, 0},
	    {"1.0", 0, 0},
	    {"2147483648", 0, 0},
	    {"-", 0, 0},
	    {"$", 0, 0},
	    {"$100000000", 0, 0},
	    {"60s", 0, 0},
	    /* up to 9 digits and nothing else take a short way; the rest
	     * the whole rule */
	    {"0", 1, 0},
	    {"999999999", 1, 999999999L},
	    {"000000007", 1, 7},
	    {"1234567890", 1, 1234567890L},
	    {"12345678a", 0, 0},
	    {" 5", 1, 5},
	    {"9/", 0, 0},
	    {"0:", 0, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long v = 12345;
		int r = ss_winini_parse_int(cases[i].s, strlen(cases[i].s), &v);
		if (cases[i].ok) {
			assert_int_equal(r, 0);
			assert_int_equal(v, cases[i].v);
		} else {
			assert_int_equal(r, -1);
		}
	}
}

/* What TMemIniFile would read although no WinSCP wrote it. */
static void test_misfit(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		size_t len;  /* 0: strlen */
		long offset; /* -1: fits */
	} cases[] = {
	    {"", 0, -1},
	    {"; comment\r\n[Sessions\\a]\r\nHostName=x\r\n\r\n", 0, -1},
	    {"\xEF\xBB\xBF[Configuration]\nk=v\n", 0, -1},
	    {"  [s]  \n  key = value  \n", 0, -1},
	    {"Host a\n  HostName x\n", 0, 0},
	    {"[s]\nk=v\nno equals here\n", 0, 8},
	    {"k=v\n[s]\n", 0, 0},
	    {"[s]\nk=v\0w\n", 10, 7},
	    {"[s]\nk=\x01\n", 8, 6},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t off = 999;
		const char *why = ss_winini_misfit(
		    cases[i].text, cases[i].len ? cases[i].len : strlen(cases[i].text), &off);
		if (cases[i].offset < 0) {
			assert_null(why);
		} else {
			assert_non_null(why);
			assert_int_equal(off, (size_t)cases[i].offset);
		}
	}
}

/* A lone CR is found anywhere in a large file: the CRs are counted 16
 * bytes at a time in byte-sized counters added up every 4,080 bytes, so
 * one lone CR past many CR LF endings (more than 255 in one counter) and
 * one in the last bytes (after the last whole 16) must both split. */
static void test_lone_cr_far_into_a_large_text(void **state)
{
	fixture *f = *state;
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_buf_adds(&b, "[S]\r\n"), 0);
	for (int i = 0; i < 3000; i++) /* 16 bytes a line: one counter a column */
		assert_int_equal(ss_buf_adds(&b, "Key0123456=789\r\n"), 0);
	assert_int_equal(ss_buf_adds(&b, "a=1\rb=2\r\nc=3\rd"), 0);
	load_bytes(f, b.data, b.len);
	ss_winini_key k;
	assert_true(ss_winini_find_key(&f->ini, 0, "b", &k));
	assert_int_equal(k.value_len, 1);
	assert_true(ss_winini_find_key(&f->ini, 0, "c", &k));
	assert_int_equal(k.value_len, 1);
	assert_int_equal(k.line, 3003);
	assert_int_equal(f->ini.nlines, 3005);
	ss_buf_release(&b);
}

/* Sections of one name in any case are one section (the first), whatever
 * the name's length: section names are hashed eight bytes at a time with
 * ASCII letters folded, and a name whose case differs in any byte, in a
 * whole word or in the last bytes, must land with the first. Bytes next to
 * the letters ('@', '[', '`', '{') and above 0x7F are no letters. */
static void test_duplicate_sections_in_any_case(void **state)
{
	fixture *f = *state;
	static const char abc[] = "abcdefghijklmnopqrstuvwxyz@[`{\xC1\xE1";
	ss_buf b = SS_BUF_INIT;
	size_t n = 0;
	for (size_t len = 1; len <= 24; len++) {
		for (size_t at = 0; at < len; at++, n += 2) {
			char name[25], other[25];
			for (size_t i = 0; i < len; i++)
				name[i] = abc[(len * 7 + i) % (sizeof(abc) - 1)];
			memcpy(other, name, len);
			if (other[at] >= 'a' && other[at] <= 'z')
				other[at] = (char)(other[at] - 'a' + 'A');
			else
				other[at] = 'Q'; /* another section */
			assert_int_equal(
			    ss_buf_addf(&b, "[%.*s]\n[%.*s]\n", (int)len, name, (int)len, other),
			    0);
		}
	}
	load_bytes(f, b.data, b.len);
	assert_int_equal(f->ini.nsections, n);
	for (size_t i = 0; i < n; i += 2) {
		const char *a = ss_winini_section_name(&f->ini, i);
		const char *o = ss_winini_section_name(&f->ini, i + 1);
		size_t len = f->ini.sections[i].name_len;
		int same = ss_key_eq(a, len, o, len);
		size_t first = f->ini.sections[i + 1].first_of;
		/* an earlier section of the same name may come first */
		if (same)
			assert_true(first <= i &&
				    ss_key_eq(ss_winini_section_name(&f->ini, first),
					      f->ini.sections[first].name_len, a, len));
		else
			assert_true(first == i + 1 || first < i);
	}
	ss_buf_release(&b);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_corpus_round_trip),
	    T(test_fixture_round_trip_and_values),
	    T(test_set_value_keeps_other_bytes),
	    T(test_set_empty_value),
	    T(test_insert_after_last_non_blank_line),
	    T(test_insert_into_empty_section_and_unterminated_end),
	    T(test_delete_key_line),
	    T(test_append_section),
	    T(test_append_after_a_final_lone_cr),
	    T(test_edits_in_a_long_line_file),
	    T(test_malformed_lines),
	    T(test_next_key_in_order),
	    T(test_next_key_of_first_bytes),
	    T(test_utf8_bom),
	    T(test_index_against_model),
	    T(test_parse_in_halves),
	    T(test_find_keys_known_answers),
	    T(test_find_keys_against_index),
	    T(test_find_keys_lone_cr_anywhere),
	    T(test_lone_cr_is_a_line_break),
	    T(test_lone_cr_far_into_a_large_text),
	    T(test_duplicate_sections_in_any_case),
	    T(test_misfit_splits_at_a_lone_cr),
	    T(test_parse_int_like_delphi),
	    T(test_misfit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
