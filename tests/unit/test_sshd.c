/* The sshd client on real files: evaluation, audit scopes, sshd's errors,
 * apply edits and sshd -t validation, on a Debian-like layout rebased into
 * a temporary directory (relative Includes resolved from the base_dir
 * option, as sshd resolves them from /etc/ssh). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sshsync/changeset.h"
#include "sshsync/edit.h"
#include "sshsync/sshd.h"

typedef struct fixture {
	char *dir; /* the temporary root */
	char *etc; /* dir/etc/ssh: the base of relative Includes */
	ss_sshd_opts opts;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->dir = tu_tempdir();
	chmod(f->dir, 0755);
	char *etc = tu_path(f->dir, "etc");
	assert_int_equal(mkdir(etc, 0755), 0);
	f->etc = tu_path(etc, "ssh");
	free(etc);
	assert_int_equal(mkdir(f->etc, 0755), 0);
	char *dropins = tu_path(f->etc, "sshd_config.d");
	assert_int_equal(mkdir(dropins, 0755), 0);
	free(dropins);
	f->opts.base_dir = f->etc;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	tu_rmtree(f->dir);
	free(f->dir);
	free(f->etc);
	free(f);
	return 0;
}

/* Writes etc/ssh/NAME. */
static char *put(const fixture *f, const char *name, const char *content)
{
	char *p = tu_path(f->etc, name);
	tu_write_str(p, content);
	chmod(p, 0644);
	return p;
}

/* Debian 12's sshd_config, shortened, with its commented examples. */
static const char debian_main[] = "# This is the sshd server system-wide configuration file.\n"
				  "\n"
				  "Include sshd_config.d/*.conf\n"
				  "\n"
				  "#Port 22\n"
				  "KbdInteractiveAuthentication no\n"
				  "UsePAM yes\n"
				  "X11Forwarding yes\n"
				  "PrintMotd no\n"
				  "#TCPKeepAlive yes\n"
				  "#ClientAliveInterval 0\n"
				  "#ClientAliveCountMax 3\n"
				  "AcceptEnv LANG LC_*\n"
				  "Subsystem\tsftp\t/usr/lib/openssh/sftp-server\n"
				  "\n"
				  "# Example of overriding settings on a per-user basis\n"
				  "Match User anoncvs\n"
				  "\tX11Forwarding no\n"
				  "\tAllowTcpForwarding no\n";

static const char hardening[] = "# CIS hardening, 2019\n"
				"PermitRootLogin no\n"
				"ClientAliveInterval 300\n"
				"ClientAliveCountMax 0\n"
				"MaxAuthTries 4\n";

static void values(const ss_sshd_config *c, const char *spec, long iv, long cm, long tk)
{
	ss_sshd_conn conn = SS_SSHD_CONN_INIT;
	ss_diag d = SS_DIAG_INIT;
	ss_sshd_values v;
	assert_int_equal(ss_sshd_conn_parse(&conn, spec, &d), 0);
	assert_int_equal(ss_sshd_eval(c, &conn, &v, &d), 0);
	assert_int_equal(v.interval, iv);
	assert_int_equal(v.count_max, cm);
	assert_int_equal(v.tcp_keepalive, tk);
	ss_sshd_values_free(&v);
	ss_sshd_conn_free(&conn);
}

static void test_debian_layout(void **state)
{
	fixture *f = *state;
	char *main_path = put(f, "sshd_config", debian_main);
	free(put(f, "sshd_config.d/60-hardening.conf", hardening));
	free(put(f, "sshd_config.d/50-cloud-init.conf", "PasswordAuthentication no\n"));
	free(put(f, "sshd_config.d/README", "ClientAliveInterval 1\n")); /* not *.conf */

	ss_diag d = SS_DIAG_INIT;
	ss_scopes sc = SS_SCOPES_INIT;
	assert_int_equal(ss_sshd_audit(main_path, NULL, &f->opts, &sc, &d), 0);
	assert_int_equal(sc.n, 2);
	assert_string_equal(sc.v[0].name, "global");
	assert_int_equal(sc.v[0].interval, 300);
	assert_int_equal(sc.v[0].count_max, 0);
	assert_int_equal(sc.v[0].tcp_keepalive, 1);
	char *where = ss_asprintf("%s/sshd_config.d/60-hardening.conf:3", f->etc);
	assert_string_equal(sc.v[0].set_at, where);
	free(where);
	/* ClientAliveCountMax 0 no longer disconnects: flagged */
	assert_int_equal(sc.v[0].reasons.n, 1);
	assert_non_null(strstr(sc.v[0].reasons.v[0], "ClientAliveCountMax 0"));
	assert_string_equal(sc.v[1].name, "User anoncvs");
	assert_int_equal(sc.v[1].interval, 300);
	ss_scopes_free(&sc);

	/* apply: the drop-in's line is the one sshd reads first */
	ss_policy p;
	ss_policy_init(&p);
	p.interval = 60;
	ss_changeset cs = SS_CHANGESET_INIT;
	assert_int_equal(ss_sshd_apply(main_path, &p, &f->opts, &cs, &d), 0);
	assert_int_equal(ss_changeset_render(&cs, &d), 0);
	assert_int_equal(cs.n, 3);
	assert_int_equal(ss_changeset_count_changed(&cs), 1);
	ss_change *hard = NULL;
	for (size_t i = 0; i < cs.n; i++)
		if (cs.v[i].changed)
			hard = &cs.v[i];
	assert_non_null(strstr(hard->text->path, "60-hardening.conf"));
	assert_string_equal(ss_buf_str(&hard->rendered), "# CIS hardening, 2019\n"
							 "PermitRootLogin no\n"
							 "ClientAliveInterval 60\n"
							 "ClientAliveCountMax 0\n"
							 "MaxAuthTries 4\n");
	/* sshd -t on the new text, with the relative Include rebased */
	assert_non_null(cs.validate);
	if (access("/usr/sbin/sshd", X_OK) == 0)
		assert_int_equal(cs.validate(&cs, cs.validate_ctx, &d), 0);
	ss_changeset_free(&cs);

	/* count max too: the drop-in's 0 becomes 3 */
	p.count_max = 3;
	assert_int_equal(ss_sshd_apply(main_path, &p, &f->opts, &cs, &d), 0);
	assert_int_equal(ss_changeset_render(&cs, &d), 0);
	for (size_t i = 0; i < cs.n; i++)
		if (cs.v[i].changed)
			assert_non_null(strstr(ss_buf_str(&cs.v[i].rendered),
					       "ClientAliveInterval 60\nClientAliveCountMax 3\n"));
	ss_changeset_free(&cs);
	free(main_path);
	if (d.message)
		fail_msg("%s", d.message);
}

/* Without any global keepalive line, apply writes one where Debian keeps
 * its commented example; TCPKeepAlive goes there too, never into Match. */
static void test_insert_global(void **state)
{
	fixture *f = *state;
	char *main_path = put(f, "sshd_config", debian_main);
	ss_policy p;
	ss_policy_init(&p);
	p.interval = 60;
	p.tcp_keepalive = 1;
	ss_diag d = SS_DIAG_INIT;
	ss_changeset cs = SS_CHANGESET_INIT;
	assert_int_equal(ss_sshd_apply(main_path, &p, &f->opts, &cs, &d), 0);
	assert_int_equal(ss_changeset_render(&cs, &d), 0);
	assert_int_equal(cs.n, 1);
	const char *out = ss_buf_str(&cs.v[0].rendered);
	assert_non_null(strstr(out, "#TCPKeepAlive yes\nTCPKeepAlive yes\n#ClientAliveInterval 0\n"
				    "ClientAliveInterval 60\n#ClientAliveCountMax 3\n"));
	ss_changeset_free(&cs);

	/* no example, a Match block: before the block and its comment */
	free(main_path);
	main_path = put(f, "sshd_config",
			"UsePAM yes\n\n# for the backup robot\nMatch User backup\n"
			"\tClientAliveInterval 600\n");
	p.tcp_keepalive = SS_UNSET;
	assert_int_equal(ss_sshd_apply(main_path, &p, &f->opts, &cs, &d), 0);
	assert_int_equal(ss_changeset_render(&cs, &d), 0);
	assert_string_equal(ss_buf_str(&cs.v[0].rendered),
			    "UsePAM yes\n\nClientAliveInterval 60\n# for the backup robot\n"
			    "Match User backup\n\tClientAliveInterval 60\n");
	ss_changeset_free(&cs);

	/* no Match, no final newline, CRLF: appended in the file's style */
	free(main_path);
	main_path = put(f, "sshd_config", "UsePAM yes\r\nPrintMotd no");
	assert_int_equal(ss_sshd_apply(main_path, &p, &f->opts, &cs, &d), 0);
	assert_int_equal(ss_changeset_render(&cs, &d), 0);
	assert_string_equal(ss_buf_str(&cs.v[0].rendered),
			    "UsePAM yes\r\nPrintMotd no\r\nClientAliveInterval 60");
	ss_changeset_free(&cs);

	/* already right (written as 1m): nothing changes */
	free(main_path);
	main_path = put(f, "sshd_config", "ClientAliveInterval 1m # one minute\n");
	assert_int_equal(ss_sshd_apply(main_path, &p, &f->opts, &cs, &d), 0);
	assert_int_equal(ss_changeset_render(&cs, &d), 0);
	assert_int_equal(ss_changeset_count_changed(&cs), 0);
	ss_changeset_free(&cs);
	free(main_path);
}

/* A keyword comes from the first matching block that sets it: sshd
 * copies each one separately. TCPKeepAlive in `Match All` is global. */
static void test_match_overlay(void **state)
{
	fixture *f = *state;
	char *main_path = put(f, "sshd_config",
			      "ClientAliveInterval 30\n"
			      "Match User bob\n"
			      "  ClientAliveInterval 10\n"
			      "Match Address 10.0.0.0/8,!10.9.0.0/16\n"
			      "  ClientAliveInterval 20\n"
			      "  ClientAliveCountMax 5\n"
			      "Match All\n"
			      "  TCPKeepAlive no\n"
			      "  ClientAliveCountMax 7\n");
	ss_diag d = SS_DIAG_INIT;
	ss_sshd_config *c;
	assert_int_equal(ss_sshd_load(&c, main_path, &f->opts, &d), 0);
	values(c, "user=bob,host=h,addr=10.1.1.1,lport=22", 10, 5, 0);
	values(c, "user=ann,host=h,addr=10.1.1.1,lport=22", 20, 5, 0);
	values(c, "user=ann,host=h,addr=10.9.1.1,lport=22", 30, 7, 0);
	values(c, "user=bob,host=h,addr=192.168.1.1,lport=22", 10, 7, 0);
	assert_int_equal(ss_sshd_nblocks(c), 3);
	assert_string_equal(ss_sshd_block_name(c, 1), "Address 10.0.0.0/8,!10.9.0.0/16");
	ss_sshd_values v;
	assert_int_equal(ss_sshd_eval_block(c, 1, &v, &d), 0);
	assert_int_equal(v.interval, 20);
	assert_int_equal(v.count_max, 5);
	ss_sshd_values_free(&v);
	assert_int_equal(ss_sshd_eval_global(c, &v, &d), 0);
	assert_int_equal(v.interval, 30);
	assert_int_equal(v.count_max, 7);
	ss_sshd_values_free(&v);
	ss_sshd_free(c);

	/* --connection scopes are named as given */
	ss_strlist conns = SS_STRLIST_INIT;
	assert_int_equal(ss_strlist_push(&conns, "user=bob,addr=10.1.1.1,lport=22"), 0);
	ss_query q = {NULL, &conns};
	ss_scopes sc = SS_SCOPES_INIT;
	assert_int_equal(ss_sshd_audit(main_path, &q, &f->opts, &sc, &d), 0);
	assert_int_equal(sc.n, 1);
	assert_string_equal(sc.v[0].name, "user=bob,addr=10.1.1.1,lport=22");
	assert_int_equal(sc.v[0].interval, 10);
	ss_scopes_free(&sc);
	ss_strlist_release(&conns);
	free(main_path);
}

/* Include inside Match: the included lines belong to the block; a Match in
 * an included file ends with that file. */
static void test_include_in_match(void **state)
{
	fixture *f = *state;
	free(put(f, "sshd_config.d/robot.conf", "ClientAliveInterval 900\n"));
	free(put(f, "sshd_config.d/tail.conf", "Match User carol\nClientAliveInterval 5\n"));
	char *main_path = put(f, "sshd_config",
			      "Include sshd_config.d/tail.conf\n"
			      "ClientAliveInterval 45\n"
			      "Match User robot\n"
			      "  Include sshd_config.d/robot.conf\n");
	ss_diag d = SS_DIAG_INIT;
	ss_sshd_config *c;
	assert_int_equal(ss_sshd_load(&c, main_path, &f->opts, &d), 0);
	values(c, "user=robot,lport=22", 900, 3, 1);
	values(c, "user=carol,lport=22", 5, 3, 1);
	values(c, "user=dave,lport=22", 45, 3, 1); /* line 2 is global again */
	ss_sshd_free(c);
	free(main_path);

	/* a directory named by Include reads as an empty file, as in sshd */
	main_path = put(f, "sshd_config", "Include sshd_config.d\nClientAliveInterval 45\n");
	assert_int_equal(ss_sshd_load(&c, main_path, &f->opts, &d), 0);
	values(c, "user=dave,lport=22", 45, 3, 1);
	ss_sshd_free(c);
	free(main_path);
}

static void expect_error(const fixture *f, const char *content, size_t line, size_t col,
			 const char *needle)
{
	char *main_path = put(f, "sshd_config", content);
	ss_diag d = SS_DIAG_INIT;
	ss_scopes sc = SS_SCOPES_INIT;
	if (ss_sshd_audit(main_path, NULL, &f->opts, &sc, &d) != -1)
		fail_msg("no error for \"%s\"", content);
	assert_non_null(d.message);
	if (!strstr(d.message, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, d.message);
	assert_string_equal(d.file, main_path);
	assert_int_equal(d.line, line);
	if (col)
		assert_int_equal(d.col, col);
	ss_diag_clear(&d);
	ss_scopes_free(&sc);
	free(main_path);
}

static void test_errors(void **state)
{
	fixture *f = *state;
	expect_error(f, "UsePAM yes\nClientAliveInterval \"60\n", 2, 0, "invalid quotes");
	expect_error(f, "ClientAliveInterval==60\n", 1, 21, "invalid time value");
	expect_error(f, "ClientAliveInterval==60\n", 1, 0, "=");
	expect_error(f, "ClientAliveInterval none\n", 1, 21, "invalid time value \"none\"");
	expect_error(f, "ClientAliveInterval 1x\n", 1, 21, "invalid time value");
	expect_error(f, "ClientAliveInterval 60#note\n", 1, 21, "invalid time value");
	expect_error(f, "ClientAliveInterval 60 70\n", 1, 24, "extra arguments");
	expect_error(f, "ClientAliveCountMax -1\n", 1, 21, "integer value too small");
	expect_error(f, "ClientAliveCountMax 99999999999\n", 1, 21, "integer value too large");
	expect_error(f, "TCPKeepAlive true\n", 1, 14, "unsupported option \"true\"");
	expect_error(f, "\n  ClientAliveIntervall 60\n", 2, 3,
		     "Bad configuration option: ClientAliveIntervall");
	expect_error(f, "Match User bob\n\tTCPKeepAlive no\n", 2, 2,
		     "Directive 'TCPKeepAlive' is not allowed within a Match block");
	expect_error(f, "Match User bob\n\tKeepAlive no\n", 2, 2, "'KeepAlive'");
	expect_error(f, "Match Address 10.0.0.1/8\n", 1, 7, "Invalid Match address argument");
	expect_error(f, "Match Flavour vanilla\n", 1, 7, "Unsupported Match attribute Flavour");
	expect_error(f, "ClientAliveInterval\n", 1, 0, "no argument after keyword");
	expect_error(f, "Include sshd_config\n", 1, 1, "Too many recursive configuration includes");

	/* a NUL byte: sshd would cut the line there; refused */
	char *main_path = tu_path(f->etc, "sshd_config");
	static const char nul[] = "UsePAM yes\nClientAlive\0Interval 60\n";
	tu_write(main_path, nul, sizeof(nul) - 1);
	ss_diag d = SS_DIAG_INIT;
	ss_scopes sc = SS_SCOPES_INIT;
	assert_int_equal(ss_sshd_audit(main_path, NULL, &f->opts, &sc, &d), -1);
	assert_non_null(strstr(d.message, "NUL byte"));
	assert_int_equal(d.line, 2);
	ss_diag_clear(&d);
	free(main_path);

	/* the first error in reading order, also across files */
	char *bad = put(f, "sshd_config.d/bad.conf", "ok yes\n");
	main_path =
	    put(f, "sshd_config", "Include sshd_config.d/*.conf\nClientAliveInterval \"x\n");
	assert_int_equal(ss_sshd_audit(main_path, NULL, &f->opts, &sc, &d), -1);
	assert_string_equal(d.file, bad);
	assert_int_equal(d.line, 1);
	assert_non_null(strstr(d.message, "Bad configuration option: ok"));
	ss_diag_clear(&d);
	free(main_path);
	unlink(bad);
	free(bad);

	/* binary junk without NUL bytes: an unknown keyword */
	char junk[64];
	for (size_t i = 0; i < sizeof(junk) - 1; i++)
		junk[i] = (char)(0x80 + (i * 37) % 0x7f);
	junk[20] = ' ';
	junk[sizeof(junk) - 1] = '\0';
	expect_error(f, junk, 1, 1, "Bad configuration option");
}

/* A junk first line of 4 MB: an error, quickly, no limit on line length. */
static void test_huge_line(void **state)
{
	fixture *f = *state;
	size_t n = 4u << 20;
	char *big = malloc(n + 64);
	assert_non_null(big);
	strcpy(big, "AcceptEnv ");
	memset(big + 10, 'A', n);
	strcpy(big + 10 + n, "\nClientAliveInterval 60\n");
	char *main_path = put(f, "sshd_config", big);
	ss_diag d = SS_DIAG_INIT;
	ss_scopes sc = SS_SCOPES_INIT;
	assert_int_equal(ss_sshd_audit(main_path, NULL, &f->opts, &sc, &d), 0);
	assert_int_equal(sc.v[0].interval, 60);
	ss_scopes_free(&sc);
	big[3] = '!';
	free(main_path);
	expect_error(f, big, 1, 1, "Bad configuration option: Acc!");
	free(big);
}

/* What sshd -t rejects and sshsync does not check (more than 256 Port
 * lines) stops the apply, naming the real file, not the temporary copy. */
static void test_validation_refuses(void **state)
{
	fixture *f = *state;
	if (access("/usr/sbin/sshd", X_OK) != 0)
		skip();
	ss_buf ports = SS_BUF_INIT;
	for (int i = 1; i <= 257; i++)
		assert_int_equal(ss_buf_addf(&ports, "Port %d\n", 2000 + i), 0);
	free(put(f, "sshd_config.d/x11.conf", ss_buf_str(&ports)));
	ss_buf_release(&ports);
	char *main_path = put(f, "sshd_config", "Include sshd_config.d/*.conf\n");
	ss_policy p;
	ss_policy_init(&p);
	p.interval = 60;
	ss_diag d = SS_DIAG_INIT;
	ss_changeset cs = SS_CHANGESET_INIT;
	assert_int_equal(ss_sshd_apply(main_path, &p, &f->opts, &cs, &d), 0);
	assert_int_equal(ss_changeset_render(&cs, &d), 0);
	assert_int_equal(cs.validate(&cs, cs.validate_ctx, &d), -1);
	assert_non_null(strstr(d.message, "sshd -t rejects"));
	char *real = ss_asprintf("%s/sshd_config.d/x11.conf line 257", f->etc);
	if (!strstr(d.message, real))
		fail_msg("expected \"%s\" in \"%s\"", real, d.message);
	free(real);
	ss_diag_clear(&d);
	ss_changeset_free(&cs);
	free(main_path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_debian_layout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_insert_global, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_match_overlay, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_include_in_match, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_huge_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_validation_refuses, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
