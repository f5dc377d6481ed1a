/* The OpenSSH client: time values, patterns, Include, Host/Match evaluation,
 * apply edits. Expected values were checked with `ssh -G -F` (OpenSSH 9.2p1
 * Debian); the differential test tests/integration/ssh_differential.sh
 * compares many more configurations with the real ssh. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sshsync/clients.h"
#include "sshsync/edit.h"
#include "sshsync/openssh.h"
#include "testutil.h"

/* --- small pieces --- */

static void test_convtime(void **state)
{
	(void)state;
	assert_int_equal(ss_openssh_convtime("60"), 60);
	assert_int_equal(ss_openssh_convtime("0"), 0);
	assert_int_equal(ss_openssh_convtime("1m30s"), 90);
	assert_int_equal(ss_openssh_convtime("1M"), 60);
	assert_int_equal(ss_openssh_convtime("1h"), 3600);
	assert_int_equal(ss_openssh_convtime("2d"), 172800);
	assert_int_equal(ss_openssh_convtime("1w"), 604800);
	assert_int_equal(ss_openssh_convtime("5s5"), 10);
	assert_int_equal(ss_openssh_convtime("2147483647"), INT_MAX);
	assert_int_equal(ss_openssh_convtime("-0"), 0);
	assert_int_equal(ss_openssh_convtime(""), -1);
	assert_int_equal(ss_openssh_convtime("1x"), -1);
	assert_int_equal(ss_openssh_convtime("-1"), -1);
	assert_int_equal(ss_openssh_convtime("=60"), -1);
	assert_int_equal(ss_openssh_convtime("2147483648"), -1);
	assert_int_equal(ss_openssh_convtime("3551w"), -1);
	assert_int_equal(ss_openssh_convtime("m"), -1);
}

static void test_patterns(void **state)
{
	(void)state;
	assert_true(ss_match_pattern("web1", "web*"));
	assert_true(ss_match_pattern("web1", "w?b?"));
	assert_true(ss_match_pattern("", "*"));
	assert_true(ss_match_pattern("a.b.c", "*.c"));
	assert_true(ss_match_pattern("a,b", "a,b"));	/* commas are literal */
	assert_false(ss_match_pattern("Web1", "web*")); /* case-sensitive */
	assert_false(ss_match_pattern("web", "web?"));
	assert_false(ss_match_pattern("web1x", "web?"));
	assert_true(ss_match_pattern("aXbXc", "a*b*c"));
	assert_true(ss_match_pattern("abc", "**?c"));
	assert_int_equal(ss_match_pattern_list("db", "web*,db", 0), 1);
	assert_int_equal(ss_match_pattern_list("db", "*,!db", 0), -1);
	assert_int_equal(ss_match_pattern_list("x", "*,!db", 0), 1);
	assert_int_equal(ss_match_pattern_list("db", "DB", 1), 1);
	assert_int_equal(ss_match_pattern_list("db", "DB", 0), 0);
	/* An empty sub-pattern in the middle matches "", a trailing one is never tried. */
	assert_int_equal(ss_match_pattern_list("", "a,,b", 0), 1);
	assert_int_equal(ss_match_pattern_list("", "a,", 0), 0);
	assert_true(ss_openssh_keyword_known("serveraliveinterval"));
	assert_true(ss_openssh_keyword_known("protocolkeepalives"));
	assert_false(ss_openssh_keyword_known("usekeychain"));
	assert_false(ss_openssh_keyword_known("ServerAliveInterval")); /* lowercase only */
}

/* --- a configuration in a temporary directory --- */

typedef struct fx {
	char *dir;
	char *main;
	ss_openssh *c;
	ss_diag d;
} fx;

static void fx_file(fx *f, const char *name, const char *content)
{
	char *p = tu_path(f->dir, name);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	mkdir(p, 0755);
	*slash = '/';
	tu_write_str(p, content);
	chmod(p, 0644);
	free(p);
}

static fx *fx_new(const char *main)
{
	fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->dir = tu_tempdir();
	f->main = tu_path(f->dir, "config");
	fx_file(f, "config", main);
	return f;
}

/* The tree as a full load (`lean` 0) or as audit loads it (lean, its
 * texts without line tables), its files of `ahead` bytes or more lexed
 * ahead by a second thread (0: sshsync's default). */
static int fx_load_ahead(fx *f, int lean, size_t ahead)
{
	ss_openssh_opts o = SS_OPENSSH_OPTS_INIT;
	o.system = 0;
	o.include_base = f->dir;
	o.home = f->dir;
	o.local_user = "alice";
	o.lean = lean;
	o.drop_lines = lean;
	o.lex_ahead = ahead;
	ss_diag_clear(&f->d);
	return ss_openssh_load(&f->c, f->main, &o, &f->d);
}

static int fx_load_as(fx *f, int lean)
{
	return fx_load_ahead(f, lean, 0);
}

static int fx_load(fx *f)
{
	return fx_load_as(f, 0);
}

static int fx_load_audit(fx *f)
{
	return fx_load_as(f, 1);
}

static void fx_free(fx *f)
{
	ss_openssh_free(f->c);
	ss_diag_clear(&f->d);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f->main);
	free(f);
}

/* interval/count/tcp for a host, and where the interval was set
 * ("LINE" of the main file, "NAME:LINE" of another, "" for default). */
static void expect(fx *f, const char *host, long interval, long count, long tcp, const char *at)
{
	ss_openssh_result r;
	ss_diag d = SS_DIAG_INIT;
	if (ss_openssh_eval(f->c, host, &r, &d) < 0)
		fail_msg("%s: %s", host, d.message);
	if (r.interval != interval || r.count_max != count || r.tcp_keepalive != tcp)
		fail_msg("%s: got %ld/%ld/%ld, expected %ld/%ld/%ld (%s)", host, r.interval,
			 r.count_max, r.tcp_keepalive, interval, count, tcp,
			 r.unknown_reason ? r.unknown_reason : "");
	if (!at[0]) {
		assert_null(r.interval_at);
	} else {
		char *want = strchr(at, ':') ? ss_asprintf("%s/%s", f->dir, at)
					     : ss_asprintf("%s:%s", f->main, at);
		assert_non_null(r.interval_at);
		assert_string_equal(r.interval_at, want);
		free(want);
	}
	ss_openssh_result_free(&r);
}

static void expect_load_error(const char *config, size_t line, const char *part)
{
	fx *f = fx_new(config);
	assert_int_equal(fx_load(f), -1);
	assert_non_null(f->d.message);
	if (!strstr(f->d.message, part))
		fail_msg("\"%s\" lacks \"%s\"", f->d.message, part);
	assert_int_equal(f->d.line, line);
	fx_free(f);
}

static void test_first_wins_and_hosts(void **state)
{
	(void)state;
	fx *f = fx_new("# keepalives\n"
		       "Host web* !web9\n"
		       "  ServerAliveInterval 30\n"
		       "Host db \"db:two\"\n"
		       "  ServerAliveInterval=1m\n"
		       "  ServerAliveCountMax 5\n"
		       "  TCPKeepAlive no\n"
		       "Host a,b\n"
		       "  ServerAliveInterval 7\n"
		       "Host none\n"
		       "  ServerAliveInterval none\n"
		       "Host *\n"
		       "  ServerAliveInterval 120\n"
		       "  KeepAlive yes\n");
	assert_int_equal(fx_load(f), 0);
	expect(f, "web1", 30, 3, 1, "3");
	expect(f, "web9", 120, 3, 1, "13");
	expect(f, "Web1", 120, 3, 1, "13");
	expect(f, "db", 60, 5, 0, "5");
	expect(f, "db:two", 60, 5, 0, "5");
	/* Debian's ssh refuses a typed name with a comma (CVE-2023-51385). */
	ss_openssh_result r;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_openssh_eval(f->c, "a,b", &r, &d), -1);
	assert_non_null(strstr(d.message, "does not allow"));
	ss_diag_clear(&d);
	assert_int_equal(ss_openssh_eval(f->c, "x;y@a", &r, &d), -1);
	assert_non_null(strstr(d.message, "user name"));
	ss_diag_clear(&d);
	expect(f, "a", 120, 3, 1, "13");
	expect(f, "none", 120, 3, 1, "13"); /* "none" leaves it unset */
	expect(f, "*", 120, 3, 1, "13");
	ss_strlist names = SS_STRLIST_INIT;
	assert_int_equal(ss_openssh_host_names(f->c, &names), 0);
	assert_int_equal(names.n, 4);
	assert_string_equal(names.v[0], "db");
	assert_string_equal(names.v[1], "db:two");
	assert_string_equal(names.v[2], "a,b");
	assert_string_equal(names.v[3], "none");
	ss_strlist_release(&names);
	fx_free(f);
}

static void test_debian_defaults(void **state)
{
	(void)state;
	fx *f = fx_new("Host batch\n  BatchMode yes\nHost old\n  ProtocolKeepAlives 45\n"
		       "Host setup\n  SetupTimeOut 2m\n");
	assert_int_equal(fx_load(f), 0);
	expect(f, "batch", 300, 3, 1, "2"); /* Debian: 300 s in batch mode */
	expect(f, "old", 45, 3, 1, "4");
	expect(f, "setup", 120, 3, 1, "6");
	expect(f, "other", 0, 3, 1, "");
	fx_free(f);
}

static void test_include(void **state)
{
	(void)state;
	fx *f = fx_new("Include conf.d/*.conf\n"
		       "Host inc\n"
		       "  Include hosts/inc.conf\n"
		       "  ServerAliveCountMax 9\n"
		       "Host *\n"
		       "  ServerAliveInterval 100\n");
	fx_file(f, "conf.d/20-b.conf", "Host b\n  ServerAliveInterval 20\n");
	fx_file(f, "conf.d/10-a.conf", "Host a b\n  ServerAliveInterval 10\n");
	fx_file(f, "conf.d/notes.txt", "this is not included\n");
	/* In a conditional include, the top lines belong to the Host block. */
	fx_file(f, "hosts/inc.conf",
		"ServerAliveInterval 33\nHost other\n  ServerAliveCountMax 1\n");
	assert_int_equal(fx_load(f), 0);
	expect(f, "a", 10, 3, 1, "conf.d/10-a.conf:2");
	expect(f, "b", 10, 3, 1, "conf.d/10-a.conf:2"); /* lexical order, first wins */
	expect(f, "inc", 33, 9, 1, "hosts/inc.conf:1");
	expect(f, "other", 100, 3, 1, "6"); /* Host lines in an inactive include never match */
	fx_free(f);

	/* A pattern that matches nothing is fine; ~ is the home directory. */
	f = fx_new("Include nothing/*.conf ~/home.conf\n");
	fx_file(f, "home.conf", "ServerAliveInterval 11\n");
	assert_int_equal(fx_load(f), 0);
	expect(f, "x", 11, 3, 1, "home.conf:1");
	fx_free(f);
}

static void test_include_errors(void **state)
{
	(void)state;
	/* 17 levels: config -> l1 -> ... -> l17 */
	fx *f = fx_new("Include l1\n");
	for (int i = 1; i <= 17; i++) {
		char name[16], body[32];
		snprintf(name, sizeof(name), "l%d", i);
		snprintf(body, sizeof(body), i < 17 ? "Include l%d\n" : "Port 22\n", i + 1);
		fx_file(f, name, body);
	}
	assert_int_equal(fx_load(f), -1);
	assert_non_null(strstr(f->d.message, "too many recursive"));
	fx_free(f);
	/* 16 levels are fine. */
	f = fx_new("Include l1\n");
	for (int i = 1; i <= 16; i++) {
		char name[16], body[32];
		snprintf(name, sizeof(name), "l%d", i);
		snprintf(body, sizeof(body), i < 16 ? "Include l%d\n" : "ServerAliveInterval 16\n",
			 i + 1);
		fx_file(f, name, body);
	}
	assert_int_equal(fx_load(f), 0);
	expect(f, "x", 16, 3, 1, "l16:1");
	fx_free(f);
	/* A world-writable include is refused, as ssh does. */
	f = fx_new("Include gw.conf\n");
	fx_file(f, "gw.conf", "Port 22\n");
	char *p = tu_path(f->dir, "gw.conf");
	chmod(p, 0666);
	free(p);
	assert_int_equal(fx_load(f), -1);
	assert_non_null(strstr(f->d.message, "permissions"));
	fx_free(f);
	/* An error inside an included file names that file. */
	f = fx_new("Include bad.conf\n");
	fx_file(f, "bad.conf", "\n\nServerAliveInterval 1y\n");
	assert_int_equal(fx_load(f), -1);
	assert_non_null(strstr(f->d.file, "bad.conf"));
	assert_int_equal(f->d.line, 3);
	fx_free(f);
}

static void test_match(void **state)
{
	(void)state;
	fx *f = fx_new("Host short\n"
		       "  HostName Long.Example.COM\n"
		       "Match host long.example.com\n"
		       "  ServerAliveInterval 11\n"
		       "Match originalhost=orig user bob\n"
		       "  ServerAliveInterval 12\n"
		       "Match localuser alice originalhost loc\n"
		       "  ServerAliveInterval 13\n"
		       "Match !host *.example.com all\n"
		       "Match all\n"
		       "  ServerAliveCountMax 8\n");
	assert_int_equal(fx_load(f), 0);
	expect(f, "short", 11, 8, 1, "4"); /* host after HostName, case-insensitive */
	expect(f, "orig", 0, 8, 1, "");	   /* user is alice, not bob */
	expect(f, "bob@orig", 12, 8, 1, "6");
	expect(f, "loc", 13, 8, 1, "8");
	fx_free(f);
	/* ssh's own quirk: "all" after one other criterion is accepted. */
	f = fx_new("Match user alice all # c\n  ServerAliveInterval 5\nMatch !all\n  "
		   "ServerAliveInterval 6\n");
	assert_int_equal(fx_load(f), 0);
	expect(f, "a", 5, 3, 1, "2");
	expect(f, "bob@a", 0, 3, 1, "");
	fx_free(f);

	/* Match final: a second pass with the final host name; first wins. */
	f = fx_new("Host j\n"
		   "  HostName jump.example.org\n"
		   "Match final host jump.example.org\n"
		   "  ServerAliveInterval 21\n"
		   "Host jump.example.org\n"
		   "  ServerAliveCountMax 2\n"
		   "Match canonical\n"
		   "  TCPKeepAlive no\n");
	assert_int_equal(fx_load(f), 0);
	expect(f, "j", 21, 2, 0, "4");
	/* Only the second pass, with the name lowercased, matches. */
	expect(f, "JUMP.example.org", 21, 2, 0, "4");
	fx_free(f);

	/* Match exec is never run: the value is unknown, with the reason. */
	f = fx_new("Match exec \"test -e /nonexistent\"\n  ServerAliveInterval 5\n"
		   "Host *\n  ServerAliveInterval 50\n");
	assert_int_equal(fx_load(f), 0);
	ss_openssh_result r;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_openssh_eval(f->c, "h", &r, &d), 0);
	assert_int_equal(r.interval, SS_UNKNOWN);
	assert_non_null(r.unknown_reason);
	assert_non_null(strstr(r.unknown_reason, "interval 50 or 5, depending on Match exec at "));
	assert_int_equal(r.count_max, 3);
	assert_int_equal(r.tcp_keepalive, 1);
	ss_openssh_result_free(&r);
	fx_free(f);
	/* Settled before the condition, or the same whatever it gives: known. */
	f = fx_new("ServerAliveInterval 5\nMatch exec false\n  ServerAliveInterval 9\n"
		   "Match exec true\n  TCPKeepAlive no\nMatch exec x\n  TCPKeepAlive no\n"
		   "Host *\n  TCPKeepAlive no\n");
	assert_int_equal(fx_load(f), 0);
	expect(f, "h", 5, 3, 0, "1");
	fx_free(f);
	/* Canonicalisation: the name unchanged or in one of the domains. */
	f = fx_new("CanonicalizeHostname yes\nCanonicalDomains example.com example.org\n"
		   "TCPKeepAlive no\nHost *.example.org\n  ServerAliveInterval 7\n");
	assert_int_equal(fx_load(f), 0);
	assert_int_equal(ss_openssh_eval(f->c, "h", &r, &d), 0);
	assert_int_equal(r.interval, SS_UNKNOWN);
	assert_int_equal(r.tcp_keepalive, 0);
	assert_non_null(strstr(r.unknown_reason, "interval 0 or 7, depending on "
						 "CanonicalizeHostname at "));
	ss_openssh_result_free(&r);
	expect(f, "h.example.org", 7, 3, 0, "5");
	fx_free(f);
	/* An error for some outcomes only: unknown, with the error. */
	f = fx_new("Match exec x\n  IgnoreUnknown Foo\nFoo 1\nServerAliveInterval 9\n");
	assert_int_equal(fx_load(f), 0);
	assert_int_equal(ss_openssh_eval(f->c, "h", &r, &d), 0);
	assert_int_equal(r.interval, SS_UNKNOWN);
	assert_non_null(strstr(r.unknown_reason, "ssh stops"));
	ss_openssh_result_free(&r);
	fx_free(f);
	/* Too many conditions: said so. */
	ss_buf many = SS_BUF_INIT;
	for (int i = 0; i < 8; i++)
		assert_int_equal(
		    ss_buf_addf(&many, "Match exec c%d\n  ServerAliveInterval %d\n", i, i + 1), 0);
	f = fx_new(ss_buf_str(&many));
	ss_buf_release(&many);
	assert_int_equal(fx_load(f), 0);
	assert_int_equal(ss_openssh_eval(f->c, "h", &r, &d), 0);
	assert_int_equal(r.interval, SS_UNKNOWN);
	assert_non_null(strstr(r.unknown_reason, "more than 64 combinations"));
	ss_openssh_result_free(&r);
	fx_free(f);
	/* ... unless an earlier criterion already failed. */
	f = fx_new("Match host nomatch exec false\n  ServerAliveInterval 5\n");
	assert_int_equal(fx_load(f), 0);
	expect(f, "h", 0, 3, 1, "");
	fx_free(f);

	expect_load_error("Host x\nMatch localnetwork 10.0.0.0/8\n", 2, "unsupported attribute");
	expect_load_error("Match tagged x\n", 1, "unsupported attribute tagged");
	expect_load_error("Match host\n", 1, "missing criteria for host");
	expect_load_error("Match user a host b all\n", 1, "cannot be combined");
	expect_load_error("Match all user a\n", 1, "cannot be combined");
}

/* Only hosts for which that IgnoreUnknown wins get past the line: the
 * others stop at it (in a lean tree, lexed again to say where). */
static void ignored_for_some(int lean)
{
	fx *f = fx_new("Host mac\n  IgnoreUnknown usekeychain\nHost *\n  UseKeychain yes\n");
	assert_int_equal(fx_load_as(f, lean), 0);
	expect(f, "mac", 0, 3, 1, "");
	ss_openssh_result r;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_openssh_eval(f->c, "linux", &r, &d), -1);
	assert_non_null(strstr(d.message, "usekeychain"));
	assert_int_equal(d.line, 4);
	assert_int_equal(d.col, 3);
	ss_diag_clear(&d);
	fx_free(f);
}

static void test_ignore_unknown(void **state)
{
	(void)state;
	expect_load_error("Host a\n  UseKeychain yes\n", 2,
			  "Bad configuration option: usekeychain");
	fx *f = fx_new("IgnoreUnknown UseKeychain,AddKeysToAgent\nHost *\n  UseKeychain yes\n"
		       "  ServerAliveInterval 9\n");
	assert_int_equal(fx_load(f), 0);
	expect(f, "x", 9, 3, 1, "4");
	fx_free(f);
	ignored_for_some(0);
}

/* What an audit tree (names kept in the text, the index grown as the
 * lines are read, no line tables) says equals what a full tree says:
 * names quoted or written twice, a name in two blocks, CRLF lines, more
 * names than the first table holds. */
static void test_audit_tree_agrees(void **state)
{
	(void)state;
	ss_buf cf = SS_BUF_INIT;
	assert_int_equal(ss_buf_adds(&cf, "Host \"q1\" twice twice\r\n  ServerAliveInterval 7\r\n"
					  "Host h3\n  ServerAliveCountMax 5\n"),
			 0);
	for (int i = 0; i < 300; i++)
		assert_int_equal(ss_buf_addf(&cf,
					     "Host h%d h%d.example\n  ServerAliveInterval %d\n", i,
					     i, i % 7 == 0 ? 0 : 10 + i),
				 0);
	assert_int_equal(ss_buf_adds(&cf, "Host *\n  ServerAliveInterval 99\n"), 0);
	fx *audit = fx_new(ss_buf_str(&cf));
	assert_int_equal(fx_load(audit), 0);
	ss_openssh *full = audit->c;
	audit->c = NULL;
	assert_int_equal(fx_load_audit(audit), 0);
	ss_strlist a = SS_STRLIST_INIT, b = SS_STRLIST_INIT;
	assert_int_equal(ss_openssh_host_names(full, &a), 0);
	assert_int_equal(ss_openssh_host_names(audit->c, &b), 0);
	assert_int_equal(a.n, 2 + 2 * 300); /* h3 once */
	assert_int_equal(b.n, a.n);
	assert_string_equal(b.v[0], "q1");
	assert_string_equal(b.v[1], "twice");
	for (size_t i = 0; i < a.n; i++) {
		assert_string_equal(a.v[i], b.v[i]);
		ss_openssh_result ra, rb;
		ss_diag d = SS_DIAG_INIT;
		assert_int_equal(ss_openssh_eval(full, a.v[i], &ra, &d), 0);
		assert_int_equal(ss_openssh_eval(audit->c, b.v[i], &rb, &d), 0);
		assert_int_equal(ra.interval, rb.interval);
		assert_int_equal(ra.count_max, rb.count_max);
		assert_string_equal(ra.interval_at, rb.interval_at);
		ss_openssh_result_free(&ra);
		ss_openssh_result_free(&rb);
	}
	/* h3 is in two blocks: both are its. */
	expect(audit, "h3", 13, 5, 1, "12");
	expect(audit, "h7", 0, 3, 1, "20");
	expect(audit, "h7.example", 0, 3, 1, "20");
	expect(audit, "h", 99, 3, 1, "606");
	ss_strlist_release(&a);
	ss_strlist_release(&b);
	ss_buf_release(&cf);
	ss_openssh_free(full);
	fx_free(audit);
}

/* A fleet's config of n hosts, drawn from `seed`: literal names (a few
 * that ssh refuses on its command line), patterns and Match blocks that
 * set a keepalive, some on a runtime condition, and `Host *` last. */
static char *fleet_config(size_t n, unsigned seed)
{
	static const char *const extra[] = {"", "  ServerAliveCountMax 0\n", "  TCPKeepAlive no\n",
					    "  ServerAliveInterval none\n"};
	ss_buf b = SS_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		unsigned r = tu_pick(&seed, 100);
		assert_int_equal(ss_buf_addf(&b, "Host web%zu web%zu.g%u.example%s\n", i, i, r % 9,
					     r < 3 ? " bad$name" : ""),
				 0);
		if (r % 3)
			assert_int_equal(ss_buf_addf(&b, "  ServerAliveInterval %u\n", r), 0);
		assert_int_equal(ss_buf_adds(&b, extra[tu_pick(&seed, 4)]), 0);
		if (i % 97 == 0)
			assert_int_equal(
			    ss_buf_addf(&b,
					"Host *.g%zu.example\n  ServerAliveInterval 4%zu\n"
					"Match host web%zu* exec \"true\"\n"
					"  ServerAliveInterval 7\n",
					i % 9, i % 9, i % 50),
			    0);
	}
	assert_int_equal(ss_buf_adds(&b, "Host *\n  ServerAliveInterval 600\n"), 0);
	return ss_buf_detach(&b, NULL);
}

/* The audit of `q` kept whole, as lines. */
static void audit_kept(const fx *f, const ss_query *q, ss_buf *out, size_t *n)
{
	ss_scopes kept = SS_SCOPES_INIT;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_client_ssh.audit(f->main, q, &kept, &d), 0);
	for (size_t i = 0; i < kept.n; i++)
		tu_scope_line(&kept.v[i], out);
	*n = kept.n;
	ss_scopes_free(&kept);
}

/* The same audit handed to a sink (made on a second thread from 256
 * scopes on): the same scopes in the same order; a sink that fails
 * midway stops it with its error. */
static void expect_streamed(const fx *f, const ss_query *q, size_t want_n)
{
	ss_buf want = SS_BUF_INIT;
	size_t n;
	audit_kept(f, q, &want, &n);
	assert_int_equal(n, want_n);
	tu_collected c = {NULL, SS_BUF_INIT, 0, 0};
	ss_scope_sink sink = {tu_collect, &c, NULL};
	ss_scopes streamed = SS_SCOPES_INIT;
	streamed.sink = &sink;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_client_ssh.audit(f->main, q, &streamed, &d), 0);
	assert_int_equal(ss_scopes_settle(&streamed, &d), 0);
	assert_int_equal(c.n, n);
	assert_string_equal(ss_buf_str(&c.lines), ss_buf_str(&want));
	ss_buf_reset(&c.lines);
	c.n = 0;
	c.fail_at = n / 2 + 1;
	assert_int_equal(ss_client_ssh.audit(f->main, q, &streamed, &d), -1);
	assert_int_equal(c.n, n / 2 + 1);
	assert_non_null(strstr(d.message, "the sink stops"));
	ss_diag_clear(&d);
	ss_scopes_free(&streamed);
	ss_buf_release(&c.lines);
	ss_buf_release(&want);
}

static void test_streamed_scopes_in_order(void **state)
{
	(void)state;
	for (unsigned seed = 1; seed <= 3; seed++) {
		size_t hosts = 700 + 300 * seed;
		char *conf = fleet_config(hosts, seed);
		fx *f = fx_new(conf);
		ss_scopes all = SS_SCOPES_INIT;
		ss_diag d = SS_DIAG_INIT;
		assert_int_equal(ss_client_ssh.audit(f->main, &(ss_query){NULL, NULL}, &all, &d),
				 0);
		/* Two names a host (none for the refused), the blocks, and `*`. */
		assert_true(all.n > 2 * hosts - hosts / 10 && all.n < 2 * hosts + hosts / 10);
		expect_streamed(f, &(ss_query){NULL, NULL}, all.n);
		/* --host: the names as given, those ssh refuses as errors. */
		ss_strlist asked = SS_STRLIST_INIT;
		for (size_t i = 0; i < hosts; i += 2)
			assert_int_equal(
			    ss_strlist_push(&asked, i % 50 == 0 ? "no;way" : all.v[i].name), 0);
		expect_streamed(f, &(ss_query){&asked, NULL}, asked.n);
		ss_strlist_release(&asked);
		ss_scopes_free(&all);
		fx_free(f);
		free(conf);
	}
}

/* A load as the audit makes it, its lines lexed ahead by a second thread
 * (in batches that grow from 128 lines to 1,024) or as they are walked,
 * gives what a full load gives, on configs drawn from a generator: a
 * fleet, sometimes a line that does not lex or a value ssh refuses (the
 * first line that does not lex wins, as ssh lexes the whole file first),
 * sometimes a large included file lexed ahead too. */
static char *with_line(const char *conf, const char *line, unsigned *seed)
{
	size_t nl = 0;
	for (const char *p = conf; *p; p++)
		nl += *p == '\n';
	size_t at = tu_pick(seed, (unsigned)nl + 1);
	const char *p = conf;
	for (size_t n = 0; n < at; n++)
		p = strchr(p, '\n') + 1;
	char *out = ss_asprintf("%.*s%s\n%s", (int)(p - conf), conf, line, p);
	assert_non_null(out);
	return out;
}

typedef struct loaded {
	int r;
	char *message;
	size_t line, col;
	ss_strlist names;
	ss_buf evals; /* each name's evaluation, a line each */
} loaded;

static loaded load_and_eval(fx *f, int lean, size_t ahead)
{
	loaded l = {
	    fx_load_ahead(f, lean, ahead), NULL, f->d.line, f->d.col, SS_STRLIST_INIT, SS_BUF_INIT};
	l.message = f->d.message ? ss_strdup(f->d.message) : NULL;
	if (l.r == 0) {
		assert_int_equal(ss_openssh_host_names(f->c, &l.names), 0);
		for (size_t i = 0; i < l.names.n; i += 7) {
			ss_openssh_result r;
			ss_diag d = SS_DIAG_INIT;
			int e = ss_openssh_eval(f->c, l.names.v[i], &r, &d);
			assert_int_equal(ss_buf_addf(&l.evals, "%s %d %ld %ld %s\n", l.names.v[i],
						     e, e ? 0 : r.interval, e ? 0 : r.count_max,
						     e || !r.interval_at ? "-" : r.interval_at),
					 0);
			if (e == 0)
				ss_openssh_result_free(&r);
			ss_diag_clear(&d);
		}
	}
	ss_openssh_free(f->c);
	f->c = NULL;
	return l;
}

static void loaded_same(const loaded *a, const loaded *b, unsigned seed)
{
	if (a->r != b->r || (a->message == NULL) != (b->message == NULL) ||
	    (a->message && strcmp(a->message, b->message) != 0) || a->line != b->line ||
	    a->col != b->col)
		fail_msg("seed %u: %d %zu:%zu '%s' vs %d %zu:%zu '%s'", seed, a->r, a->line, a->col,
			 a->message ? a->message : "", b->r, b->line, b->col,
			 b->message ? b->message : "");
	assert_int_equal(a->names.n, b->names.n);
	for (size_t i = 0; i < a->names.n; i++)
		assert_string_equal(a->names.v[i], b->names.v[i]);
	assert_string_equal(ss_buf_str(&a->evals), ss_buf_str(&b->evals));
}

static void loaded_free(loaded *l)
{
	free(l->message);
	ss_strlist_release(&l->names);
	ss_buf_release(&l->evals);
}

static void test_lexed_ahead_agrees(void **state)
{
	(void)state;
	static const char *const bad_lex[] = {"Host \"unclosed", "  User \"x", "  SendEnv \"A"};
	static const char *const bad_walk[] = {"  ServerAliveInterval 1y", "  UseKeychain yes",
					       "Host"};
	size_t errors = 0, includes = 0, cases = 40;
	for (unsigned seed = 1; seed <= cases; seed++) {
		unsigned pick = seed * 7919;
		char *conf = fleet_config(20 + tu_pick(&pick, 3000), seed);
		unsigned kind = tu_pick(&pick, 6);
		if (kind == 1 || kind == 3) {
			char *c = with_line(conf, bad_lex[tu_pick(&pick, 3)], &pick);
			free(conf);
			conf = c;
		}
		if (kind == 2 || kind == 3) {
			char *c = with_line(conf, bad_walk[tu_pick(&pick, 3)], &pick);
			free(conf);
			conf = c;
		}
		char *inc = NULL;
		if (kind == 4) {
			inc = fleet_config(500 + tu_pick(&pick, 2000), seed + 1000);
			char *c = with_line(conf, "Include more.conf", &pick);
			free(conf);
			conf = c;
			includes++;
		}
		fx *f = fx_new(conf);
		if (inc)
			fx_file(f, "more.conf", inc);
		loaded full = load_and_eval(f, 0, 0);
		loaded walked = load_and_eval(f, 1, SIZE_MAX);
		loaded ahead = load_and_eval(f, 1, 1);
		loaded_same(&full, &walked, seed);
		loaded_same(&full, &ahead, seed);
		errors += full.r != 0;
		loaded_free(&full);
		loaded_free(&walked);
		loaded_free(&ahead);
		fx_free(f);
		free(conf);
		free(inc);
	}
	/* The generator made both kinds. */
	assert_true(errors >= cases / 4 && errors < cases);
	assert_true(includes > 0);
}

/* A file lexed ahead while its Include lines add files to the tree: the
 * lexing thread reads on from its own copy of the file's text, whose
 * place in the tree moves as the tree's files grow. */
static void test_lexed_ahead_while_files_are_added(void **state)
{
	(void)state;
	char *fleet = fleet_config(6000, 3);
	char *conf = ss_asprintf("Include inc/*.conf\n%s", fleet);
	assert_non_null(conf);
	fx *f = fx_new(conf);
	for (int i = 0; i < 40; i++) {
		char name[32], body[64];
		snprintf(name, sizeof(name), "inc/%02d.conf", i);
		snprintf(body, sizeof(body), "Host inc%d\n  ServerAliveInterval %d\n", i, i + 1);
		fx_file(f, name, body);
	}
	loaded full = load_and_eval(f, 0, 0);
	for (int round = 0; round < 5; round++) {
		loaded ahead = load_and_eval(f, 1, 1);
		loaded_same(&full, &ahead, (unsigned)round);
		loaded_free(&ahead);
	}
	assert_int_equal(full.r, 0);
	assert_int_equal(fx_load_ahead(f, 1, 1), 0);
	expect(f, "inc7", 8, 3, 1, "inc/07.conf:2");
	loaded_free(&full);
	fx_free(f);
	free(conf);
	free(fleet);
}

/* Without line tables, errors still name their line and column: while
 * loading (found by counting), and in an evaluation (the line lexed again
 * after the table is built again). */
static void test_audit_tree_errors(void **state)
{
	(void)state;
	fx *f = fx_new("Host a\r\n  User x\r\n\r\n  ServerAliveInterval 1y\r\n");
	assert_int_equal(fx_load_audit(f), -1);
	assert_int_equal(f->d.line, 4);
	assert_int_equal(f->d.col, 23);
	assert_non_null(strstr(f->d.message, "invalid time value"));
	fx_free(f);
	f = fx_new("Host a\n  UseKeychain yes");
	assert_int_equal(fx_load_audit(f), -1);
	assert_int_equal(f->d.line, 2);
	assert_int_equal(f->d.col, 3);
	fx_free(f);
	ignored_for_some(1);
}

static void test_bad_values(void **state)
{
	(void)state;
	expect_load_error("ServerAliveInterval ==60\n", 1, "only one '='");
	expect_load_error("Host a\nServerAliveInterval 1y\n", 2, "invalid time value");
	expect_load_error("ServerAliveInterval\n", 1, "no argument");
	expect_load_error("ServerAliveInterval 60 30\n", 1, "extra arguments");
	expect_load_error("ServerAliveCountMax -1\n", 1, "integer value");
	expect_load_error("ServerAliveCountMax 3x\n", 1, "integer value invalid");
	expect_load_error("TCPKeepAlive maybe\n", 1, "expected one of true, false, yes, no");
	expect_load_error("Host \"\"\n", 1, "empty argument");
	expect_load_error("Host a\n  Bogus 1\n", 2, "Bad configuration option: bogus");
	expect_load_error("\x7f\x45LF\x02\x01\n", 1, "no argument");
	expect_load_error("\x7f\x45LF\x02\x01 \x03\n", 1, "Bad configuration option");
	/* Unchecked keywords still need an argument. */
	expect_load_error("Ciphers\n", 1, "no argument");
	/* sshd-only keywords are unknown to ssh. */
	expect_load_error("ClientAliveInterval 60\n", 1, "clientaliveinterval");
}

/* --- apply --- */

static char *plan_render(fx *f, long interval, long count, long tcp, size_t *nchanged,
			 const char *file, int *rc)
{
	ss_policy p;
	ss_policy_init(&p);
	p.interval = interval;
	p.count_max = count;
	p.tcp_keepalive = tcp;
	ss_changeset cs = SS_CHANGESET_INIT;
	ss_diag d = SS_DIAG_INIT;
	*rc = ss_openssh_plan(f->c, &p, &cs, &d);
	char *out = NULL;
	if (*rc == 0) {
		assert_int_equal(ss_changeset_render(&cs, &d), 0);
		*nchanged = ss_changeset_count_changed(&cs);
		char *want = file ? tu_path(f->dir, file) : ss_strdup(f->main);
		ss_change *ch = ss_changeset_find(&cs, want);
		free(want);
		assert_non_null(ch);
		if (ch->changed)
			out = ss_strndup(ch->rendered.data, ch->rendered.len);
		else
			out = ss_strndup(ch->text->data, ch->text->len);
	} else {
		out = ss_strdup(d.message);
	}
	ss_diag_clear(&d);
	ss_changeset_free(&cs);
	return out;
}

static void assert_plan(const char *config, long interval, long count, long tcp, const char *want,
			size_t want_changed)
{
	fx *f = fx_new(config);
	assert_int_equal(fx_load(f), 0);
	size_t n = 0;
	int rc;
	char *got = plan_render(f, interval, count, tcp, &n, NULL, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, want);
	assert_int_equal(n, want_changed);
	/* A second apply on the result changes nothing. */
	fx_file(f, "config", got);
	ss_openssh_free(f->c);
	f->c = NULL;
	assert_int_equal(fx_load(f), 0);
	char *again = plan_render(f, interval, count, tcp, &n, NULL, &rc);
	assert_int_equal(n, 0);
	assert_string_equal(again, got);
	free(again);
	free(got);
	fx_free(f);
}

static void test_apply_edits(void **state)
{
	(void)state;
	/* Values replaced in place, comments and '=' kept; a missing default
	 * goes into the last block when it is `Host *`. */
	assert_plan("User me\n"
		    "\n"
		    "# the web farm\n"
		    "Host web*\n"
		    "\tServerAliveInterval=30 # short\n"
		    "Host *\n"
		    "    User you\n",
		    60, SS_UNSET, SS_UNSET,
		    "User me\n"
		    "\n"
		    "# the web farm\n"
		    "Host web*\n"
		    "\tServerAliveInterval=60 # short\n"
		    "Host *\n"
		    "    User you\n"
		    "    ServerAliveInterval 60\n",
		    1);
	/* `Host *` with a line: that line is the default and gets the value. */
	assert_plan("Host web*\n\tServerAliveInterval=30\nHost *\n    ServerAliveInterval none\n",
		    60, SS_UNSET, SS_UNSET,
		    "Host web*\n\tServerAliveInterval=60\nHost *\n    ServerAliveInterval 60\n", 1);
	/* CRLF; the last block is not `Host *`: a new one at the end, with the
	 * file's indentation; `Match all` lines count as defaults. */
	assert_plan("  User me\r\n  TCPKeepAlive yes\r\nMatch all\r\n  ServerAliveCountMax 1\r\n",
		    45, 4, 0,
		    "  User me\r\n  TCPKeepAlive no\r\nMatch all\r\n  ServerAliveCountMax 4\r\n"
		    "\r\nHost *\r\n  ServerAliveInterval 45\r\n",
		    1);
	/* No Host at all, no final newline. */
	assert_plan("User me", 60, SS_UNSET, SS_UNSET, "User me\nServerAliveInterval 60", 1);
	assert_plan("", 60, SS_UNSET, SS_UNSET, "ServerAliveInterval 60\n", 1);
	/* Never before the first Host: a per-host line added later wins. */
	assert_plan("# hosts\n# more\nHost a\n  Port 1\n", 60, 2, 1,
		    "# hosts\n# more\nHost a\n  Port 1\n\nHost *\n  ServerAliveInterval 60\n"
		    "  ServerAliveCountMax 2\n  TCPKeepAlive yes\n",
		    1);
	/* Already global and right: nothing changes. */
	assert_plan("ServerAliveInterval 60\nHost a\n", 60, SS_UNSET, SS_UNSET,
		    "ServerAliveInterval 60\nHost a\n", 0);
	/* Values that already mean the asked one stay as written. */
	assert_plan("ServerAliveInterval 1m\nTCPKeepAlive Yes\nServerAliveCountMax \"3\"\n", 60, 3,
		    1, "ServerAliveInterval 1m\nTCPKeepAlive Yes\nServerAliveCountMax \"3\"\n", 0);
	assert_plan("Host a\n  ServerAliveInterval 0m60s\nHost *\n  ServerAliveInterval 1m\n", 60,
		    SS_UNSET, SS_UNSET,
		    "Host a\n  ServerAliveInterval 0m60s\nHost *\n  ServerAliveInterval 1m\n", 0);
	/* Debian's alias counts as the keepalive line. */
	assert_plan("SetupTimeOut 10\n", 60, SS_UNSET, SS_UNSET, "SetupTimeOut 60\n", 1);
}

static void test_apply_includes(void **state)
{
	(void)state;
	fx *f = fx_new("Include conf.d/*.conf\nHost x\n  Port 2\n");
	fx_file(f, "conf.d/a.conf", "ServerAliveInterval 10\nHost y\n  ServerAliveInterval 20\n");
	fx_file(f, "conf.d/b.conf", "Host z\n  Port 3\n");
	assert_int_equal(fx_load(f), 0);
	size_t n;
	int rc;
	/* The global line in the included file is enough: main unchanged. */
	char *got = plan_render(f, 60, SS_UNSET, SS_UNSET, &n, "conf.d/a.conf", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "ServerAliveInterval 60\nHost y\n  ServerAliveInterval 60\n");
	assert_int_equal(n, 1);
	free(got);
	fx_free(f);
}

/* An Include that names a directory: ssh reads it as an empty file, and
 * apply must not plan to write a file in its place (found by tests/fuzz,
 * fuzz_ssh: "Include ~/." made apply update the home directory). */
static void test_apply_include_of_a_directory(void **state)
{
	(void)state;
	fx *f = fx_new("Include ~/.\nInclude conf.d\n");
	fx_file(f, "conf.d/a.conf", "Port 2\n");
	assert_int_equal(fx_load(f), 0);
	size_t n;
	int rc;
	char *got = plan_render(f, 60, SS_UNSET, SS_UNSET, &n, NULL, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "Include ~/.\nInclude conf.d\nServerAliveInterval 60\n");
	assert_int_equal(n, 1);
	free(got);
	fx_free(f);
}

static void test_apply_readonly_include(void **state)
{
	(void)state;
	/* An included file that must change but cannot be written. */
	if (geteuid() == 0)
		skip(); /* root writes anywhere; the integration test covers it */
	size_t n;
	int rc;
	char *got;
	fx *f = fx_new("Include ro/a.conf\n");
	fx_file(f, "ro/a.conf", "Host y\n  ServerAliveInterval 20\n");
	assert_int_equal(fx_load(f), 0);
	char *ro = tu_path(f->dir, "ro");
	chmod(ro, 0555);
	got = plan_render(f, 60, SS_UNSET, SS_UNSET, &n, NULL, &rc);
	chmod(ro, 0755);
	free(ro);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(got, "cannot be written"));
	free(got);
	fx_free(f);
}

/* The sniffers of files named by KIND: (ssh and sshd) against the rules
 * they implement, written here plainly: a line that starts, after blanks,
 * with one of their keywords in any case; sshd's followed by a blank or
 * '='. Generated heads, one in four cut anywhere. */
static int sniff_rule(const char *head, size_t len, const char *const *kw, int separated)
{
	for (size_t i = 0; i < len; i++) {
		if (i && head[i - 1] != '\n')
			continue;
		size_t j = i;
		while (j < len && (head[j] == ' ' || head[j] == '\t'))
			j++;
		for (size_t k = 0; kw[k]; k++) {
			size_t n = strlen(kw[k]);
			if (j + n + (separated ? 1 : 0) <= len &&
			    strncasecmp(head + j, kw[k], n) == 0 &&
			    (!separated || head[j + n] == ' ' || head[j + n] == '\t' ||
			     head[j + n] == '='))
				return 1;
		}
	}
	return 0;
}

static void test_sniff_generated(void **state)
{
	(void)state;
	/* clang-format off */
	static const char *const ssh_kw[] = {
	    "host ", "serveraliveinterval", "proxyjump", "proxycommand", "identityfile",
	    "hostname ", "forwardagent", "stricthostkeychecking", NULL};
	static const char *const sshd_kw[] = {
	    "clientaliveinterval", "clientalivecountmax", "permitrootlogin", "usepam", "subsystem",
	    "authorizedkeysfile", "listenaddress", "hostkey", "allowusers", "denyusers",
	    "allowgroups", "chrootdirectory", "forcecommand", "printmotd", "x11uselocalhost",
	    "acceptenv", "maxstartups", "logingracetime", NULL};
	static const char *const pieces[] = {
	    "host ", "HOST\t", "Host ", "hostname ", "HostName x", "ServerAliveInterval 5",
	    "proxyjump", "PROXYCOMMAND", "identityFile", "forwardagent", "Strict",
	    "StrictHostKeyChecking", "h", "Hos", "x=1", " ", "\t", "\n", "\r\n", "[Sessions]",
	    "HostKey", "Port 22", "@", "(", "\x88", ";host ", "UsePAM", "usepamx", "=",
	    "ClientAliveInterval", "Subsystem", "c", "UsePAM yes", "ClientAliveInterval 5",
	    "subsystem\tsftp", "HostKey=/k"};
	/* clang-format on */
	const size_t npieces = sizeof(pieces) / sizeof(pieces[0]);
	unsigned seed = 20261207;
	size_t n = 0, same = 0, ssh_yes = 0, sshd_yes = 0;
	for (int i = 0; i < 20000; i++, n++) {
		ss_buf b = SS_BUF_INIT;
		for (unsigned k = 1 + tu_pick(&seed, 12); k > 0; k--)
			assert_int_equal(ss_buf_adds(&b, pieces[tu_pick(&seed, (unsigned)npieces)]),
					 0);
		size_t len = tu_pick(&seed, 4) ? b.len : tu_pick(&seed, (unsigned)b.len + 1);
		int ssh = sniff_rule(b.data, len, ssh_kw, 0),
		    sshd = sniff_rule(b.data, len, sshd_kw, 1);
		ssh_yes += (size_t)ssh;
		sshd_yes += (size_t)sshd;
		same += ss_client_ssh.sniff("sessions.ini", b.data, len) == ssh &&
			ss_client_sshd.sniff("sessions.ini", b.data, len) == 2 * sshd;
		ss_buf_release(&b);
	}
	printf("generated heads: %zu of %zu sniffed by ssh and sshd as their rules say (%zu with "
	       "a client keyword, %zu with a server one)\n",
	       same, n, ssh_yes, sshd_yes);
	assert_int_equal(same, n);
	assert_true(ssh_yes > n / 10 && ssh_yes < n - n / 10);
	assert_true(sshd_yes > n / 10 && sshd_yes < n - n / 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_convtime),
	    cmocka_unit_test(test_sniff_generated),
	    cmocka_unit_test(test_patterns),
	    cmocka_unit_test(test_first_wins_and_hosts),
	    cmocka_unit_test(test_debian_defaults),
	    cmocka_unit_test(test_include),
	    cmocka_unit_test(test_include_errors),
	    cmocka_unit_test(test_match),
	    cmocka_unit_test(test_ignore_unknown),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_audit_tree_agrees),
	    cmocka_unit_test(test_audit_tree_errors),
	    cmocka_unit_test(test_lexed_ahead_agrees),
	    cmocka_unit_test(test_lexed_ahead_while_files_are_added),
	    cmocka_unit_test(test_streamed_scopes_in_order),
	    cmocka_unit_test(test_apply_edits),
	    cmocka_unit_test(test_apply_includes),
	    cmocka_unit_test(test_apply_include_of_a_directory),
	    cmocka_unit_test(test_apply_readonly_include),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
