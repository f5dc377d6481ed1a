/* Group Policy Registry.xml: the renderer (report/gpp), read back by the
 * reader (store/gppxml), and the reader's refusals. */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sshsync/gpp.h"
#include "sshsync/gppxml.h"
#include "testutil.h"

#define PUTTY "HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\"

typedef struct fixture {
	ss_regplan plan;
	ss_buf out;
	ss_gppxml x;
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
	ss_regplan_free(&f->plan);
	ss_buf_release(&f->out);
	ss_gppxml_free(&f->x);
	ss_diag_clear(&f->d);
	free(f);
	return 0;
}

static void render_ok(fixture *f)
{
	assert_int_equal(ss_gpp_render(&f->plan, &f->out, &f->d), 0);
	assert_int_equal(ss_gppxml_parse(&f->x, "Registry.xml", f->out.data, f->out.len, &f->d), 0);
}

static int matches(const char *re, const char *s)
{
	regex_t r;
	assert_int_equal(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
	int m = regexec(&r, s, 0, NULL, 0) == 0;
	regfree(&r);
	return m;
}

/* Every value of the plan comes back, in order, with the attributes GPMC writes. */
static void test_render_reads_back(void **state)
{
	fixture *f = *state;
	ss_regkey *k = ss_regplan_key(&f->plan, PUTTY "web%201");
	assert_non_null(k);
	assert_int_equal(ss_regkey_set_dword(k, "PingInterval", 1), 0);
	assert_int_equal(ss_regkey_set_dword(k, "PingIntervalSecs", 0xABCDEF12u), 0);
	k = ss_regplan_key(&f->plan, "HKEY_CURRENT_USER\\Software\\Martin Prikryl\\WinSCP 2\\"
				     "Sessions\\me@host");
	assert_non_null(k);
	assert_int_equal(ss_regkey_delete_value(k, "PingIntervalSec"), 0);
	assert_int_equal(ss_regkey_set_sz(k, "Note", "a & b"), 0);
	render_ok(f);
	assert_int_equal(f->x.n, 4);
	const ss_gpp_item *it = f->x.v;
	assert_int_equal(it[0].action, 'U');
	assert_string_equal(it[0].hive, "HKEY_CURRENT_USER");
	assert_string_equal(it[0].key, "Software\\SimonTatham\\PuTTY\\Sessions\\web%201");
	assert_string_equal(it[0].name, "PingInterval");
	assert_string_equal(it[0].type, "REG_DWORD");
	assert_string_equal(it[0].value, "00000001");
	assert_string_equal(it[1].value, "ABCDEF12");
	assert_int_equal(it[2].action, 'D');
	assert_string_equal(it[2].name, "PingIntervalSec");
	assert_string_equal(it[2].key, "Software\\Martin Prikryl\\WinSCP 2\\Sessions\\me@host");
	assert_int_equal(it[3].action, 'U');
	assert_string_equal(it[3].type, "REG_SZ");
	assert_string_equal(it[3].value, "a & b");
	for (size_t i = 0; i < f->x.n; i++)
		assert_false(it[i].disabled);

	const char *s = ss_buf_str(&f->out);
	assert_true(
	    matches("^<\\?xml version=\"1.0\" encoding=\"(UTF|utf)-8\"\\?>\n<RegistrySettings "
		    "clsid=\"\\{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51\\}\">",
		    s));
	assert_true(matches("<Collection clsid=\"\\{53B533F5-224C-47e3-B01B-CA3B3F3FF4BF\\}\" "
			    "name=\"web%201\">",
			    s));
	assert_true(matches("<Registry clsid=\"\\{9CD4B2F4-923D-47f5-A062-E897DD1DAD50\\}\" "
			    "name=\"PingInterval\" status=\"PingInterval\" image=\"12\" "
			    "changed=\"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\" "
			    "uid=\"\\{[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-"
			    "[0-9A-F]{12}\\}\">",
			    s));
	assert_true(matches("<Properties action=\"U\" displayDecimal=\"1\" default=\"0\" "
			    "hive=\"HKEY_CURRENT_USER\" key=\"Software\\\\SimonTatham\\\\PuTTY\\\\"
			    "Sessions\\\\web%201\" name=\"PingInterval\" type=\"REG_DWORD\" "
			    "value=\"00000001\"/>",
			    s));
	assert_true(matches("name=\"PingIntervalSec\" status=\"PingIntervalSec\" image=\"8\"", s));
	assert_true(matches("<Properties action=\"D\" [^>]*name=\"PingIntervalSec\"", s));
}

/* `changed` is the current time in UTC. */
static void test_changed_is_now_in_utc(void **state)
{
	fixture *f = *state;
	ss_regkey *k = ss_regplan_key(&f->plan, PUTTY "a");
	assert_int_equal(ss_regkey_set_dword(k, "PingInterval", 1), 0);
	time_t before = time(NULL);
	assert_int_equal(ss_gpp_render(&f->plan, &f->out, &f->d), 0);
	time_t after = time(NULL);
	const char *c = strstr(ss_buf_str(&f->out), "changed=\"");
	assert_non_null(c);
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	assert_int_equal(sscanf(c + 9, "%4d-%2d-%2d %2d:%2d:%2d\"", &tm.tm_year, &tm.tm_mon,
				&tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec),
			 6);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm);
	assert_true(t >= before - 1 && t <= after + 1);
}

/* A fresh uid per item, never twice the same. */
static void test_uids_are_unique(void **state)
{
	fixture *f = *state;
	ss_regkey *k = ss_regplan_key(&f->plan, PUTTY "many");
	char name[32];
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "v%d", i);
		assert_int_equal(ss_regkey_set_dword(k, name, (uint32_t)i), 0);
	}
	assert_int_equal(ss_gpp_render(&f->plan, &f->out, &f->d), 0);
	ss_strlist uids = SS_STRLIST_INIT;
	for (const char *p = ss_buf_str(&f->out); (p = strstr(p, "uid=\"")); p += 5)
		assert_int_equal(ss_strlist_push_owned(&uids, ss_strndup(p + 5, 38)), 0);
	assert_int_equal(uids.n, 200);
	for (size_t i = 0; i < uids.n; i++)
		for (size_t j = i + 1; j < uids.n; j++)
			assert_string_not_equal(uids.v[i], uids.v[j]);
	ss_strlist_release(&uids);
}

/* Quotes, brackets, ampersands, newlines and tabs in names come back exactly
 * and never start a line of their own. */
static void test_hostile_names_round_trip(void **state)
{
	fixture *f = *state;
	const char *evil = "x\"/><Registry name=\"y\n]]><!-- \t'&amp;[HKEY]\r\nz";
	char *path = ss_asprintf(PUTTY "%s", evil);
	ss_regkey *k = ss_regplan_key(&f->plan, path);
	assert_int_equal(ss_regkey_set_dword(k, evil, 7), 0);
	assert_int_equal(ss_regkey_set_sz(k, "s", evil), 0);
	render_ok(f);
	assert_int_equal(f->x.n, 2);
	assert_string_equal(f->x.v[0].key + strlen("Software\\SimonTatham\\PuTTY\\Sessions\\"),
			    evil);
	assert_string_equal(f->x.v[0].name, evil);
	assert_string_equal(f->x.v[1].value, evil);
	/* Each line is an XML declaration or starts (after indentation) with a tag. */
	char *copy = ss_strdup(ss_buf_str(&f->out)), *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		while (*line == '\t' || *line == ' ')
			line++;
		assert_int_equal(line[0], '<');
	}
	free(copy);
	free(path);
}

/* libxml2's own command-line reader, an independent oracle, parses the
 * output and finds in it exactly the names the plan holds. */
static void test_xmllint_reads_render(void **state)
{
	fixture *f = *state;
	const char *evil = "q\"<a>&b;\n]]>\t'";
	char *path = ss_asprintf(PUTTY "%s", evil);
	ss_regkey *k = ss_regplan_key(&f->plan, path);
	assert_int_equal(ss_regkey_set_dword(k, "PingInterval", 1), 0);
	assert_int_equal(ss_regkey_delete_value(k, "PingIntervalSec"), 0);
	render_ok(f);
	char *dir = tu_tempdir(), *file = tu_path(dir, "Registry.xml");
	tu_write(file, f->out.data, f->out.len);
	char *cmd =
	    ss_asprintf("xmllint --noout '%s' && xmllint --xpath "
			"'concat(count(/RegistrySettings/Collection/Registry/Properties), \"|\", "
			"string(//Registry[2]/Properties/@action), \"|\", "
			"string(//Registry[1]/Properties/@key))' '%s'",
			file, file);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	ss_buf got = SS_BUF_INIT;
	char chunk[512];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		assert_int_equal(ss_buf_add(&got, chunk, n), 0);
	assert_int_equal(pclose(p), 0);
	/* xmllint ends its answer with a newline. */
	char *want = ss_asprintf("2|D|Software\\SimonTatham\\PuTTY\\Sessions\\%s\n", evil);
	assert_string_equal(ss_buf_str(&got), want);
	free(want);
	ss_buf_release(&got);
	free(cmd);
	tu_rmtree(dir);
	free(file);
	free(dir);
	free(path);
}

/* XML 1.0 cannot carry control bytes or broken UTF-8: refused, nothing written. */
static void test_unwritable_names_are_refused(void **state)
{
	fixture *f = *state;
	ss_regkey *k = ss_regplan_key(&f->plan, PUTTY "bell\a");
	assert_int_equal(ss_regkey_set_dword(k, "PingInterval", 1), 0);
	assert_int_equal(ss_gpp_render(&f->plan, &f->out, &f->d), -1);
	assert_int_equal(f->out.len, 0);
	assert_non_null(strstr(f->d.message, "cannot carry"));
	ss_diag_clear(&f->d);
	ss_regplan_free(&f->plan);
	k = ss_regplan_key(&f->plan, PUTTY "ok");
	assert_int_equal(ss_regkey_set_sz(k, "s", "\xC3\x28"), 0);
	assert_int_equal(ss_gpp_render(&f->plan, &f->out, &f->d), -1);
	assert_int_equal(f->out.len, 0);
	/* Overlong, surrogate, above U+10FFFF, U+FFFF: libxml2's reader
	 * refuses them all (found by tests/fuzz, fuzz_export; shared/repro/d27). */
	static const char *const bad[] = {"caf\xC1\xA9", "\xED\xA0\x80", "\xF4\x90\x80\x80",
					  "\xEF\xBF\xBF"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ss_diag_clear(&f->d);
		ss_regplan_free(&f->plan);
		char *path = ss_asprintf(PUTTY "%s", bad[i]);
		k = ss_regplan_key(&f->plan, path);
		free(path);
		assert_int_equal(ss_regkey_set_dword(k, "PingInterval", 1), 0);
		assert_int_equal(ss_gpp_render(&f->plan, &f->out, &f->d), -1);
		assert_int_equal(f->out.len, 0);
	}
}

static void test_key_without_hive_is_refused(void **state)
{
	fixture *f = *state;
	ss_regkey *k = ss_regplan_key(&f->plan, "Software\\SimonTatham\\PuTTY\\Sessions\\a");
	assert_int_equal(ss_regkey_set_dword(k, "PingInterval", 1), 0);
	assert_int_equal(ss_gpp_render(&f->plan, &f->out, &f->d), -1);
	assert_non_null(strstr(f->d.message, "hive"));
	ss_diag_clear(&f->d);
	ss_regplan_free(&f->plan);
	k = ss_regplan_key(&f->plan, "hkey_local_machine\\Software\\x");
	assert_int_equal(ss_regkey_set_dword(k, "v", 1), 0);
	render_ok(f);
	assert_string_equal(f->x.v[0].hive, "HKEY_LOCAL_MACHINE");
	assert_string_equal(f->x.v[0].key, "Software\\x");
}

static void test_empty_plan_is_an_empty_document(void **state)
{
	fixture *f = *state;
	render_ok(f);
	assert_int_equal(f->x.n, 0);
}

static int parse(fixture *f, const char *xml)
{
	return ss_gppxml_parse(&f->x, "R.xml", xml, strlen(xml), &f->d);
}

#define ROOT_OPEN "<RegistrySettings clsid=\"{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}\">"

static void test_dtd_is_refused(void **state)
{
	fixture *f = *state;
	static const char *const docs[] = {
	    /* XXE */
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "
	    "\"file:///etc/passwd\">]>\n" ROOT_OPEN "&e;</RegistrySettings>",
	    /* billion laughs */
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE l [\n<!ENTITY a \"aaaaaaaaaa\">\n"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
	    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
	    "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
	    "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
	    "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
	    "<!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n"
	    "<!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">\n]>\n" ROOT_OPEN
	    "&i;</RegistrySettings>",
	    /* external subset only */
	    "<!DOCTYPE RegistrySettings SYSTEM \"file:///etc/passwd\">" ROOT_OPEN
	    "</RegistrySettings>",
	    /* public id with an http URL */
	    "<!DOCTYPE RegistrySettings PUBLIC \"-//X//Y\" \"http://127.0.0.1:9/x.dtd\">" ROOT_OPEN
	    "</RegistrySettings>",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		assert_int_equal(parse(f, docs[i]), -1);
		assert_non_null(strstr(f->d.message, "DTD"));
		assert_string_equal(f->d.file, "R.xml");
		assert_int_equal(f->x.n, 0);
		ss_diag_clear(&f->d);
		ss_gppxml_free(&f->x);
	}
}

static void test_not_well_formed_names_the_place(void **state)
{
	fixture *f = *state;
	assert_int_equal(parse(f, "<?xml version=\"1.0\"?>\n" ROOT_OPEN "\n<Registry>\n"
				  "</RegistrySettings>\n"),
			 -1);
	assert_non_null(strstr(f->d.message, "not well-formed"));
	assert_int_equal(f->d.line, 4);
	assert_null(strchr(f->d.message, '\n'));
}

static void test_wrong_root_is_refused(void **state)
{
	fixture *f = *state;
	assert_int_equal(parse(f, "<?xml version=\"1.0\"?>\n<Drives clsid=\"{8FDDCC1A-0C3C-43cd-"
				  "A6B4-71A6DF20DA8C}\"/>"),
			 -1);
	assert_non_null(strstr(f->d.message, "<RegistrySettings>"));
	assert_int_equal(f->d.line, 2);
}

static void test_registry_without_properties(void **state)
{
	fixture *f = *state;
	assert_int_equal(parse(f, ROOT_OPEN "\n\n<Registry name=\"x\"/></RegistrySettings>"), -1);
	assert_int_equal(f->d.line, 3);
	assert_non_null(strstr(f->d.message, "<Properties>"));
}

/* Nested and disabled Collections, a missing action (Update), a disabled
 * item, line numbers, other elements skipped. */
static void test_collections_and_defaults(void **state)
{
	fixture *f = *state;
	const char *xml = ROOT_OPEN
	    "\n"
	    "<Collection name=\"a\"><Collection name=\"b\">\n"
	    "<Registry><Properties hive=\"HKEY_CURRENT_USER\" key=\"K\" name=\"n1\" "
	    "type=\"REG_DWORD\" value=\"1\"/></Registry></Collection></Collection>\n"
	    "<Collection name=\"off\" disabled=\"1\"><Registry><Properties action=\"D\" "
	    "hive=\"H\" key=\"K\" name=\"n2\"/></Registry></Collection>\n"
	    "<Registry disabled=\"1\"><Filters/><Properties action=\"C\" hive=\"H\" key=\"K\" "
	    "name=\"n3\" default=\"1\"/></Registry>\n"
	    "<Other><Registry><Properties name=\"hidden\"/></Registry></Other>\n"
	    "</RegistrySettings>";
	assert_int_equal(parse(f, xml), 0);
	assert_int_equal(f->x.n, 3);
	assert_int_equal(f->x.v[0].action, 'U');
	assert_int_equal(f->x.v[0].line, 3);
	assert_false(f->x.v[0].disabled);
	assert_string_equal(f->x.v[0].value, "1");
	assert_int_equal(f->x.v[1].action, 'D');
	assert_true(f->x.v[1].disabled);
	assert_string_equal(f->x.v[1].type, "");
	assert_int_equal(f->x.v[2].action, 'C');
	assert_true(f->x.v[2].disabled);
	assert_true(f->x.v[2].is_default);
	assert_int_equal(f->x.v[2].line, 5);
}

static void test_bad_action_is_refused(void **state)
{
	fixture *f = *state;
	assert_int_equal(parse(f, ROOT_OPEN "<Registry><Properties action=\"X\"/></Registry>"
					    "</RegistrySettings>"),
			 -1);
	assert_non_null(strstr(f->d.message, "action"));
}

/* UTF-16LE with a BOM, as some tools save it, reads like UTF-8. */
static void test_utf16_file(void **state)
{
	fixture *f = *state;
	const char *xml = "<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n" ROOT_OPEN
			  "<Registry><Properties hive=\"HKEY_CURRENT_USER\" key=\"K\" "
			  "name=\"\xC3\xA9\" value=\"2\"/></Registry></RegistrySettings>\r\n";
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_buf_add(&b, "\xFF\xFE", 2), 0);
	for (const unsigned char *p = (const unsigned char *)xml; *p; p++) {
		unsigned cp = *p;
		if (*p == 0xC3) {
			cp = 0xC0 | (p[1] & 0x3F);
			p++;
		}
		assert_int_equal(ss_buf_addc(&b, (char)(cp & 0xFF)), 0);
		assert_int_equal(ss_buf_addc(&b, (char)(cp >> 8)), 0);
	}
	char *dir = tu_tempdir(), *path = tu_path(dir, "Registry.xml");
	tu_write(path, b.data, b.len);
	assert_int_equal(ss_gppxml_load(&f->x, path, &f->d), 0);
	assert_int_equal(f->x.n, 1);
	assert_string_equal(f->x.v[0].name, "\xC3\xA9");
	ss_buf_release(&b);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_render_reads_back),
	    T(test_changed_is_now_in_utc),
	    T(test_uids_are_unique),
	    T(test_hostile_names_round_trip),
	    T(test_xmllint_reads_render),
	    T(test_unwritable_names_are_refused),
	    T(test_key_without_hive_is_refused),
	    T(test_empty_plan_is_an_empty_document),
	    T(test_dtd_is_refused),
	    T(test_not_well_formed_names_the_place),
	    T(test_wrong_root_is_refused),
	    T(test_registry_without_properties),
	    T(test_collections_and_defaults),
	    T(test_bad_action_is_refused),
	    T(test_utf16_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
