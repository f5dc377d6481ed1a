/* The gpp client: what a Registry.xml deploys to PuTTY, KiTTY and WinSCP
 * sessions, from real files on disk. */
#include <stdlib.h>
#include <string.h>

#include "sshsync/clients.h"
#include "sshsync/gpp.h"
#include "testutil.h"

typedef struct fixture {
	char *dir;
	char *path;
	ss_scopes scopes;
	ss_policy policy;
	ss_diag d;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->dir = tu_tempdir();
	f->path = tu_path(f->dir, "Registry.xml");
	ss_policy_init(&f->policy);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	ss_scopes_free(&f->scopes);
	ss_diag_clear(&f->d);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

#define HEAD                                                                                       \
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"                                             \
	"<RegistrySettings clsid=\"{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}\">\n"
#define TAIL "</RegistrySettings>\n"
#define PUTTY_KEY "Software\\SimonTatham\\PuTTY\\Sessions\\"
#define WINSCP_KEY "Software\\Martin Prikryl\\WinSCP 2\\Sessions\\"

/* One item on one line: <Registry><Properties .../></Registry>. */
#define ITEM(action, key, name, type, value)                                                       \
	"<Registry clsid=\"{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}\" name=\"" name "\">"            \
	"<Properties action=\"" action "\" hive=\"HKEY_CURRENT_USER\" key=\"" key "\" "            \
	"name=\"" name "\" type=\"" type "\" value=\"" value "\"/></Registry>\n"
#define DWORD(key, name, value) ITEM("U", key, name, "REG_DWORD", value)

static const ss_scope *audit(fixture *f, const char *xml, size_t expect)
{
	tu_write_str(f->path, xml);
	assert_int_equal(ss_client_gpp.audit(f->path, NULL, &f->scopes, &f->d), 0);
	assert_int_equal(f->scopes.n, expect);
	for (size_t i = 0; i < f->scopes.n; i++) {
		assert_string_equal(f->scopes.v[i].kind, "gpp");
		assert_int_equal(ss_scope_judge(&f->scopes.v[i], &f->policy), 0);
	}
	return f->scopes.v;
}

static void assert_set_at(const fixture *f, const ss_scope *sc, int line)
{
	if (!line) {
		assert_null(sc->set_at);
		return;
	}
	char *want = ss_asprintf("%s:%d", f->path, line);
	assert_string_equal(sc->set_at, want);
	free(want);
}

static int has_reason(const ss_scope *sc, const char *part)
{
	for (size_t i = 0; i < sc->reasons.n; i++)
		if (strstr(sc->reasons.v[i], part))
			return 1;
	return 0;
}

static void test_putty_interval(void **state)
{
	fixture *f = *state;
	const ss_scope *s = audit(f,
				  HEAD DWORD(PUTTY_KEY "web%201", "PingInterval", "00000001")
				      DWORD(PUTTY_KEY "web%201", "PingIntervalSecs", "0000001E")
					  DWORD(PUTTY_KEY "web%201", "TCPKeepalives", "1") TAIL,
				  1);
	assert_string_equal(s->name, "putty:web 1");
	assert_int_equal(s->interval, 90);
	assert_int_equal(s->tcp_keepalive, 1);
	assert_int_equal(s->count_max, SS_UNSET);
	assert_set_at(f, s, 4);
	assert_false(ss_scope_failed(s));
}

/* The later item wins; a Delete brings the default back. */
static void test_document_order_and_delete(void **state)
{
	fixture *f = *state;
	const ss_scope *s =
	    audit(f,
		  HEAD DWORD(PUTTY_KEY "a", "PingInterval", "5")
		      DWORD(PUTTY_KEY "a", "PingIntervalSecs", "0")
			  DWORD(PUTTY_KEY "A", "pinginterval", "1")
			      ITEM("D", PUTTY_KEY "b", "PingInterval", "REG_SZ", "")
				  ITEM("D", PUTTY_KEY "b", "PingIntervalSecs", "REG_SZ", "") TAIL,
		  2);
	assert_int_equal(s[0].interval, 60);
	assert_set_at(f, &s[0], 5);
	assert_string_equal(s[1].name, "putty:b");
	assert_int_equal(s[1].interval, 0);
	assert_true(has_reason(&s[1], "off"));
}

/* Only half of PuTTY's interval: the user's own other half adds to it. */
static void test_putty_half_interval(void **state)
{
	fixture *f = *state;
	const ss_scope *s = audit(f, HEAD DWORD(PUTTY_KEY "a", "PingIntervalSecs", "3C") TAIL, 1);
	assert_int_equal(s->interval, 60);
	assert_true(has_reason(s, "only PingIntervalSecs is deployed"));
}

/* PuTTY ignores a value of the wrong type; bad hex; Create. */
static void test_putty_wrong_type_and_form(void **state)
{
	fixture *f = *state;
	const ss_scope *s = audit(
	    f,
	    HEAD ITEM("U", PUTTY_KEY "a", "PingInterval", "REG_SZ", "1")
		DWORD(PUTTY_KEY "a", "PingIntervalSecs", "0")
		    DWORD(PUTTY_KEY "b", "PingInterval", "0x1")
			DWORD(PUTTY_KEY "b", "PingIntervalSecs", "0")
			    ITEM("C", PUTTY_KEY "c", "PingInterval", "REG_DWORD", "1")
				ITEM("C", PUTTY_KEY "c", "PingIntervalSecs", "REG_DWORD", "0") TAIL,
	    3);
	assert_int_equal(s[0].interval, 0);
	assert_true(has_reason(&s[0], "PingInterval at line 3 is not a REG_DWORD: PuTTY ignores"));
	assert_int_equal(s[1].interval, 0);
	assert_true(has_reason(&s[1], "not 1 to 8 hex digits"));
	assert_int_equal(s[2].interval, 60);
	assert_true(has_reason(&s[2], "action Create"));
}

static void test_kitty_root(void **state)
{
	fixture *f = *state;
	const ss_scope *s = audit(
	    f,
	    HEAD DWORD("Software\\9bis.com\\KiTTY\\Sessions\\k%2Fx", "PingInterval", "2")
		DWORD("Software\\9bis.com\\KiTTY\\Sessions\\k%2Fx", "PingIntervalSecs", "0") TAIL,
	    1);
	assert_string_equal(s->name, "kitty:k/x");
	assert_int_equal(s->interval, 120);
}

/* WinSCP: PingType decides; minutes default 0, seconds 30; PingIntervalSec
 * only without PingIntervalSecs. */
static void test_winscp(void **state)
{
	fixture *f = *state;
	const ss_scope *s = audit(
	    f,
	    HEAD DWORD(WINSCP_KEY "only%20type", "PingType", "1")
		DWORD(WINSCP_KEY "minutes", "PingType", "2")
		    DWORD(WINSCP_KEY "minutes", "PingInterval", "1")
			DWORD(WINSCP_KEY "old", "PingType", "1") DWORD(WINSCP_KEY "old",
								       "PingIntervalSec", "14")
			    DWORD(WINSCP_KEY "off", "PingInterval", "1")
				DWORD(WINSCP_KEY "off", "PingIntervalSecs", "0")
				    DWORD(WINSCP_KEY "zero", "PingType", "1")
					DWORD(WINSCP_KEY "zero", "PingInterval", "0")
					    DWORD(WINSCP_KEY "zero", "PingIntervalSecs", "0") TAIL,
	    5);
	assert_string_equal(s[0].name, "winscp:only type");
	assert_int_equal(s[0].interval, 30);
	assert_int_equal(s[0].tcp_keepalive, SS_UNSET);
	assert_set_at(f, &s[0], 3);
	assert_int_equal(s[1].interval, 90);
	assert_set_at(f, &s[1], 5);
	assert_int_equal(s[2].interval, 20);
	assert_int_equal(s[3].interval, 0);
	assert_true(has_reason(&s[3], "PingType is 0"));
	assert_set_at(f, &s[3], 0);
	assert_int_equal(s[4].interval, 30);
}

/* Disabled items deploy nothing; other hives are not read by the clients;
 * keys that are not a session are not scopes. */
static void test_disabled_other_hive_other_keys(void **state)
{
	fixture *f = *state;
	const ss_scope *s =
	    audit(f,
		  HEAD "<Collection name=\"c\" disabled=\"1\">" DWORD(
		      PUTTY_KEY "a", "PingInterval",
		      "9") "</Collection>\n" DWORD(PUTTY_KEY "a", "PingInterval", "1")
		      DWORD(PUTTY_KEY "a", "PingIntervalSecs",
			    "0") "<Registry><Properties action=\"U\" hive=\"HKEY_LOCAL_MACHINE\" "
				 "key=\"" PUTTY_KEY "b\" name=\"PingInterval\" type=\"REG_DWORD\" "
				 "value=\"1\"/></Registry>\n" DWORD(
				     "Software\\SimonTatham\\PuTTY\\SshHostKeys", "x", "1")
				     DWORD(PUTTY_KEY "a\\sub", "PingInterval", "1") TAIL,
		  2);
	assert_int_equal(s[0].interval, 60);
	assert_false(ss_scope_failed(&s[0]));
	assert_string_equal(s[1].name, "putty:b");
	assert_true(has_reason(&s[1], "outside HKEY_CURRENT_USER"));
}

/* What ss_gpp_render writes, the gpp client reads as deployed. */
static void test_render_then_audit(void **state)
{
	fixture *f = *state;
	ss_regplan plan = SS_REGPLAN_INIT;
	ss_regkey *k = ss_regplan_key(&plan, "HKEY_CURRENT_USER\\" PUTTY_KEY "Default%20Settings");
	assert_int_equal(ss_regkey_set_dword(k, "PingInterval", 1), 0);
	assert_int_equal(ss_regkey_set_dword(k, "PingIntervalSecs", 0), 0);
	k = ss_regplan_key(&plan, "HKEY_CURRENT_USER\\" WINSCP_KEY "s");
	assert_int_equal(ss_regkey_set_dword(k, "PingType", 1), 0);
	assert_int_equal(ss_regkey_set_dword(k, "PingInterval", 0), 0);
	assert_int_equal(ss_regkey_set_dword(k, "PingIntervalSecs", 45), 0);
	assert_int_equal(ss_regkey_delete_value(k, "PingIntervalSec"), 0);
	ss_buf out = SS_BUF_INIT;
	assert_int_equal(ss_gpp_render(&plan, &out, &f->d), 0);
	const ss_scope *s = audit(f, ss_buf_str(&out), 2);
	assert_string_equal(s[0].name, "putty:Default Settings");
	assert_int_equal(s[0].interval, 60);
	assert_string_equal(s[1].name, "winscp:s");
	assert_int_equal(s[1].interval, 45);
	assert_false(ss_scope_failed(&s[0]) || ss_scope_failed(&s[1]));
	ss_buf_release(&out);
	ss_regplan_free(&plan);
}

static void test_sniff(void **state)
{
	(void)state;
	assert_int_equal(ss_client_gpp.sniff("x", HEAD, strlen(HEAD)), 2);
	assert_int_equal(ss_client_gpp.sniff("x", "<Drives/>", 9), 0);
	assert_int_equal(ss_client_gpp.sniff("x", NULL, 0), 0);
	assert_null(ss_client_gpp.apply);
	assert_ptr_equal(ss_client_find("gpp"), &ss_client_gpp);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_putty_interval),
	    T(test_document_order_and_delete),
	    T(test_putty_half_interval),
	    T(test_putty_wrong_type_and_form),
	    T(test_kitty_root),
	    T(test_winscp),
	    T(test_disabled_other_hive_other_keys),
	    T(test_render_then_audit),
	    T(test_sniff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
