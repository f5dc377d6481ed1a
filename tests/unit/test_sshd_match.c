/* sshd's Match criteria: what OpenSSH 9.2 servconf.c/match.c/addrmatch.c
 * decide, case by case. The differential tests compare whole configs with
 * the real sshd -T; these pin down the corners. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sshsync/sshd.h"

static ss_sshd_conn conn(const char *spec)
{
	ss_sshd_conn c = SS_SSHD_CONN_INIT;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_sshd_conn_parse(&c, spec, &d), 0);
	ss_diag_clear(&d);
	return c;
}

static int match(const char *criteria, const char *spec)
{
	ss_sshd_conn c = SS_SSHD_CONN_INIT;
	if (spec)
		c = conn(spec);
	ss_buf err = SS_BUF_INIT;
	int r = ss_sshd_match(criteria, spec ? &c : NULL, &err);
	if (r == SS_SSHD_MATCH_ERROR)
		assert_true(err.len > 0);
	ss_buf_release(&err);
	ss_sshd_conn_free(&c);
	return r;
}

static const char *match_error(const char *criteria, const char *spec)
{
	static char msg[256];
	ss_sshd_conn c = SS_SSHD_CONN_INIT;
	if (spec)
		c = conn(spec);
	ss_buf err = SS_BUF_INIT;
	assert_int_equal(ss_sshd_match(criteria, spec ? &c : NULL, &err), SS_SSHD_MATCH_ERROR);
	snprintf(msg, sizeof(msg), "%s", ss_buf_str(&err));
	ss_buf_release(&err);
	ss_sshd_conn_free(&c);
	return msg;
}

#define BOB "user=bob,host=Web.Example.ORG,addr=192.168.1.10,lport=22"

static void test_conn_parse(void **state)
{
	(void)state;
	ss_sshd_conn c = conn("user=u,host=h,addr=10.0.0.1,laddr=10.0.0.2,rdomain=r,lport=ssh");
	assert_string_equal(c.user, "u");
	assert_string_equal(c.host, "h");
	assert_string_equal(c.addr, "10.0.0.1");
	assert_string_equal(c.laddr, "10.0.0.2");
	assert_string_equal(c.rdomain, "r");
	assert_int_equal(c.lport, 22);
	ss_sshd_conn_free(&c);

	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_sshd_conn_parse(&c, "user=u,lport=99999", &d), -1);
	assert_non_null(strstr(d.message, "Invalid port '99999'"));
	ss_diag_clear(&d);
	ss_sshd_conn_free(&c);
	assert_int_equal(ss_sshd_conn_parse(&c, "user=u,port=22", &d), -1);
	assert_non_null(strstr(d.message, "Invalid test mode specification port=22"));
	ss_diag_clear(&d);
	ss_sshd_conn_free(&c);
}

static void test_strdelim(void **state)
{
	(void)state;
	char line[] = "User=bob  Host \"a b\"=c  x";
	char *p = line, *t;
	t = ss_sshd_strdelim(&p);
	assert_string_equal(t, "User");
	t = ss_sshd_strdelim(&p);
	assert_string_equal(t, "bob");
	t = ss_sshd_strdelim(&p);
	assert_string_equal(t, "Host");
	t = ss_sshd_strdelim(&p);
	assert_string_equal(t, "a b");
	/* after a quoted token only whitespace is skipped: "=c" is next */
	t = ss_sshd_strdelim(&p);
	assert_string_equal(t, "");
	char unclosed[] = "a \"b c";
	p = unclosed;
	assert_string_equal(ss_sshd_strdelim(&p), "a");
	assert_null(ss_sshd_strdelim(&p));
}

static void test_patterns(void **state)
{
	(void)state;
	assert_int_equal(ss_match_pattern("web.example.org", "*.example.org"), 1);
	assert_int_equal(ss_match_pattern("db1", "db?"), 1);
	assert_int_equal(ss_match_pattern("db12", "db?"), 0);
	assert_int_equal(ss_match_pattern("Bob", "bob"), 0);
	assert_int_equal(ss_match_pattern_list("bob", "alice,b*", 0), 1);
	assert_int_equal(ss_match_pattern_list("bob", "b*,!bob", 0), -1);
	assert_int_equal(ss_match_pattern_list("bob", "!alice", 0), 0);
	assert_int_equal(ss_match_pattern_list("web", "WEB", 1), 1);
	assert_int_equal(ss_match_pattern_list("web", "WEB", 0), 0);
}

static void test_addresses(void **state)
{
	(void)state;
	assert_int_equal(ss_sshd_addr_match_list("10.1.2.3", "10.0.0.0/8"), 1);
	assert_int_equal(ss_sshd_addr_match_list("10.1.2.3", "10.0.0.0/8,!10.1.0.0/16"), -1);
	assert_int_equal(ss_sshd_addr_match_list("10.2.2.3", "10.0.0.0/8,!10.1.0.0/16"), 1);
	assert_int_equal(ss_sshd_addr_match_list("11.1.2.3", "10.0.0.0/8"), 0);
	assert_int_equal(ss_sshd_addr_match_list("10.2.0.5", "10.2.*"), 1);
	assert_int_equal(ss_sshd_addr_match_list("2001:db8::5", "2001:db8::/32"), 1);
	assert_int_equal(ss_sshd_addr_match_list("2001:db9::5", "2001:db8::/32"), 0);
	assert_int_equal(ss_sshd_addr_match_list("::1", "::1"), 1);
	assert_int_equal(ss_sshd_addr_match_list("10.0.0.1", "0.0.0.0/0"), 1);
	assert_int_equal(ss_sshd_addr_match_list("::1", "0.0.0.0/0"), 0);
	/* host bits set, a mask too long, an empty entry: invalid */
	assert_int_equal(ss_sshd_addr_match_list(NULL, "10.0.0.1/8"), -2);
	assert_int_equal(ss_sshd_addr_match_list(NULL, "10.0.0.0/33"), -2);
	assert_int_equal(ss_sshd_addr_match_list(NULL, "10.0.0.0/8,"), -2);
	assert_int_equal(ss_sshd_addr_match_list(NULL, "10.0.0.0/8"), 0);
	/* not an address: a wildcard pattern that matches nothing here */
	assert_int_equal(ss_sshd_addr_match_list(NULL, "10.0.0.0/abc"), 0);
	/* a connection address that is not an address matches nothing */
	assert_int_equal(ss_sshd_addr_match_list("web", "*"), 0);
}

static void test_groups(void **state)
{
	(void)state;
	assert_int_equal(ss_sshd_group_match("root", "root"), 1);
	assert_int_equal(ss_sshd_group_match("root", "ro*,daemon"), 1);
	assert_int_equal(ss_sshd_group_match("root", "*,!root"), 0);
	assert_int_equal(ss_sshd_group_match("daemon", "root"), 0);
	assert_int_equal(ss_sshd_group_match("no-such-user-sshsync", "*"), 0);
}

static void test_match_lines(void **state)
{
	(void)state;
	assert_int_equal(match("User bob", BOB), 1);
	assert_int_equal(match("user=bob", BOB), 1);
	assert_int_equal(match("User \"bob\"", BOB), 1);
	assert_int_equal(match("User bob Address 10.0.0.0/8", BOB), 0);
	assert_int_equal(match("User bob Address 192.168.1.0/24", BOB), 1);
	assert_int_equal(match("Host web.example.org", BOB), 1); /* host in lower case */
	assert_int_equal(match("Host *.EXAMPLE.org", BOB), 1);
	assert_int_equal(match("LocalPort 22", BOB), 1);
	assert_int_equal(match("LocalPort 2222", BOB), 0);
	assert_int_equal(match("LocalAddress 10.0.0.1", BOB), 0); /* no laddr given */
	assert_int_equal(match("LocalAddress 10.0.0.0/24", BOB ",laddr=10.0.0.1"), 1);
	assert_int_equal(match("RDomain vrf*", BOB), 0);
	assert_int_equal(match("RDomain vrf*", BOB ",rdomain=vrf1"), 1);
	assert_int_equal(match("Group root", "user=root,lport=22"), 1);
	assert_int_equal(match("All", BOB), 1);
	assert_int_equal(match("all # comment", BOB), 1);
	assert_int_equal(match("User bob # comment", BOB), 1);
	/* the first pass (no connection) matches only All */
	assert_int_equal(match("User bob", NULL), 0);
	assert_int_equal(match("All", NULL), 1);
}

static void test_match_errors(void **state)
{
	(void)state;
	assert_string_equal(match_error("Flavour vanilla", BOB),
			    "Unsupported Match attribute Flavour");
	assert_string_equal(match_error("User", BOB), "Missing Match criteria for User");
	assert_string_equal(match_error("User # x", BOB), "Missing Match criteria for User");
	assert_string_equal(match_error("All User bob", BOB),
			    "'all' cannot be combined with other Match attributes");
	assert_string_equal(match_error("User bob All", BOB),
			    "'all' cannot be combined with other Match attributes");
	assert_string_equal(match_error("LocalPort nope", BOB),
			    "Invalid LocalPort 'nope' on Match line");
	assert_string_equal(match_error("Address 10.0.0.1/8", NULL),
			    "Invalid Match address argument '10.0.0.1/8'");
	assert_string_equal(match_error("LocalPort 22", "user=bob"),
			    "'Match LocalPort' in configuration but 'lport' not in connection "
			    "test specification: add lport= to the connection");
	/* every criterion is checked, also after one that failed */
	assert_string_equal(match_error("User nobody Flavour x", BOB),
			    "Unsupported Match attribute Flavour");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conn_parse),	 cmocka_unit_test(test_strdelim),
	    cmocka_unit_test(test_patterns),	 cmocka_unit_test(test_addresses),
	    cmocka_unit_test(test_groups),	 cmocka_unit_test(test_match_lines),
	    cmocka_unit_test(test_match_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
