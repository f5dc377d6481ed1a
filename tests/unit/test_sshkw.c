/* Keyword value checks (client/ssh_keywords.c, client/sshd_values.c): the
 * place and words of a refusal, and the advice for unknown keywords. The
 * agreement with ssh and sshd over every keyword is measured by
 * tests/integration/ssh_values.sh and sshd_values.sh. */
#include <stdlib.h>
#include <string.h>

#include "sshsync/sshkw.h"
#include "testutil.h"

/* Checks the one line of `line` as ssh (server 0) or sshd would: the
 * message when refused, NULL when taken. */
static char *check(const char *line, int server)
{
	ss_text t;
	ss_sshconf c = SS_SSHCONF_INIT;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_text_from_bytes(&t, "cfg", line, strlen(line), &d), 0);
	assert_int_equal(
	    ss_sshconf_parse(&c, &t, server ? SS_SSHCONF_SERVER : SS_SSHCONF_CLIENT, &d), 0);
	int r = server ? ss_sshkw_server_check(&t, &c.items[0], &d)
		       : ss_sshkw_client_check(&t, &c.items[0], &d);
	char *msg = r < 0 ? ss_diag_format(&d) : NULL;
	if (r < 0)
		assert_non_null(msg);
	ss_diag_clear(&d);
	ss_sshconf_free(&c);
	ss_text_free(&t);
	return msg;
}

static void expect(const char *line, int server, const char *want)
{
	char *msg = check(line, server);
	if (!want) {
		if (msg)
			fail_msg("\"%s\" refused: %s", line, msg);
		return;
	}
	if (!msg)
		fail_msg("\"%s\" taken, expected \"%s\"", line, want);
	if (!strstr(msg, want))
		fail_msg("expected \"%s\" in \"%s\"", want, msg);
	free(msg);
}

static void test_client_values(void **state)
{
	(void)state;
	expect("Port abc\n", 0, "cfg:1:6: keyword Port: Bad port 'abc'");
	expect("Port ssh\n", 0, NULL);
	expect("Ciphers +aes128-ctr,nosuch\n", 0, "Bad SSH2 cipher spec '+aes128-ctr,nosuch'");
	expect("Ciphers -nosuch\n", 0, NULL);
	expect("LogLevel LOUD\n", 0, "unsupported log level 'LOUD'");
	expect("loglevel debug3\n", 0, NULL);
	expect("HostKeyAlgorithms ssh-rsa-cert-v00@openssh.com\n", 0, "Bad key types");
	expect("HostKeyAlgorithms ssh-rsa,!ssh-dss\n", 0, "expand HostKeyAlgorithms");
	expect("PubkeyAcceptedAlgorithms ssh-*\n", 0, NULL);
	expect("LocalForward 8080\n", 0, "cfg:1:14: keyword LocalForward: Missing target");
	expect("LocalForward 8080 localhost:80\n", 0, NULL);
	expect("RemoteForward 0 localhost:80\n", 0, NULL);
	expect("LocalForward 0 localhost:80\n", 0, "Bad forwarding specification");
	expect("DynamicForward [::1]:1080\n", 0, NULL);
	expect("HostName %p.example\n", 0, "unknown key %p");
	expect("HostName %h.example\n", 0, NULL);
	expect("ControlPath ~/.ssh/cm-%C-%z\n", 0, "unknown key %z");
	expect("ControlPersist YES\n", 0, "Bad ControlPersist argument");
	expect("ControlPath ~sshsync-nosuchuser/cm\n", 0, "No such user");
	expect("ControlPersist 10m\n", 0, NULL);
	expect("ConnectionAttempts 0\n", 0, "Invalid number of ConnectionAttempts");
	expect("ServerAliveInterval 5 6\n", 0, "extra arguments at end of line");
	expect("RekeyLimit 15\n", 0, "RekeyLimit too small");
	expect("RekeyLimit 1G 1h\n", 0, NULL);
	expect("ProxyJump user@jump:2222,ssh://other:22\n", 0, NULL);
	expect("ProxyJump user@:22\n", 0, "Invalid ProxyJump");
	expect("EscapeChar ^A\n", 0, NULL);
	expect("EscapeChar ab\n", 0, "Bad escape character");
	expect("SetEnv A\n", 0, "Invalid SetEnv");
	expect("AddKeysToAgent confirm 5m\n", 0, NULL);
	expect("IPQoS af11 bogus\n", 0, "Bad IPQoS value: bogus");
	expect("StrictHostKeyChecking accept-new\n", 0, NULL);
	expect("GSSAPIKexAlgorithms gss-curve25519-sha256-\n", 0, NULL);
	expect("SetupTimeOut 1x\n", 0, "invalid time value");
}

static void test_server_values(void **state)
{
	(void)state;
	expect("X11Forwarding maybe\n", 1, "cfg:1:15: keyword X11Forwarding: unsupported option");
	expect("X11Forwarding true\n", 1, "unsupported option \"true\""); /* sshd: yes or no */
	expect("PermitRootLogin prohibit-password\n", 1, NULL);
	expect("MaxStartups 10:30:100\n", 1, NULL);
	expect("MaxStartups 100:30:10\n", 1, "Invalid MaxStartups spec");
	expect("KexAlgorithms gss-gex-sha1-\n", 1, "assemble_algorithms");
	expect("CASignatureAlgorithms ssh-rsa-cert-v01@openssh.com\n", 1, "assemble_algorithms");
	expect("AuthenticationMethods publickey,password publickey\n", 1, NULL);
	expect("AuthenticationMethods pubkey\n", 1, "invalid AuthenticationMethods method list");
	expect("AllowUsers bob@10.0.0.1/8\n", 1, "invalid AllowUsers pattern");
	expect("PermitTunnel Yes\n", 1, "bad PermitTunnel argument");
	expect("ChannelTimeout session=5m\n", 1, NULL);
	expect("ChannelTimeout session=5m none\n", 1, NULL); /* sshd never counts */
	expect("ChannelTimeout none session=5m\n", 1, "must appear alone");
	expect("AuthorizedPrincipalsFile ~sshsync-nosuchuser/p\n", 1, "No such user");
	expect("RDomain 5\n", 1, "not supported on this platform");
	expect("AuthorizedKeysCommand bin/x\n", 1, "must be an absolute path");
	expect("AuthorizedKeysFile .ssh/k ~sshsync-nosuchuser/k\n", 1, "No such user");
	expect("PubkeyAcceptedAlgorithms +,,!ssh-dss\n", 1, NULL); /* "+" stops at "" */
	expect("PubkeyAcceptedAlgorithms ^,,!ssh-dss\n", 1, "assemble_algorithms");
}

/* The cross-line checks, on the lines of `text` (all active). */
static char *globals(const char *text)
{
	ss_text t;
	ss_sshconf c = SS_SSHCONF_INIT;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_text_from_bytes(&t, "cfg", text, strlen(text), &d), 0);
	assert_int_equal(ss_sshconf_parse(&c, &t, SS_SSHCONF_SERVER, &d), 0);
	ss_sshkw_sshd_globals g;
	ss_sshkw_sshd_globals_init(&g);
	for (size_t i = 0; i < c.nitems; i++)
		if (c.items[i].kind == SS_SSHCONF_DIRECTIVE)
			assert_int_equal(ss_sshkw_sshd_globals_note(&g, &t, &c.items[i]), 0);
	char *msg = ss_sshkw_sshd_globals_check(&g, &d) < 0 ? ss_diag_format(&d) : NULL;
	ss_sshkw_sshd_globals_free(&g);
	ss_diag_clear(&d);
	ss_sshconf_free(&c);
	ss_text_free(&t);
	return msg;
}

static void test_server_globals(void **state)
{
	(void)state;
	char *m = globals("Subsystem sftp /a\nSubsystem x /b\nSubsystem sftp /c\n");
	assert_non_null(m);
	assert_non_null(strstr(m, "cfg:3:11: Subsystem 'sftp' already defined"));
	free(m);
	m = globals("AuthorizedKeysCommand /bin/x\n");
	assert_non_null(m);
	assert_non_null(strstr(m, "without AuthorizedKeysCommandUser"));
	free(m);
	assert_null(globals("AuthorizedKeysCommand none\n"));
	assert_null(globals("AuthorizedKeysCommandUser nobody\nAuthorizedKeysCommand /bin/x\n"));
	m = globals("AuthenticationMethods hostbased publickey,gssapi-with-mic\n");
	assert_non_null(m);
	assert_non_null(strstr(m, "cannot be satisfied"));
	free(m);
	assert_null(globals("HostbasedAuthentication yes\nAuthenticationMethods hostbased\n"));
	assert_null(globals("AuthenticationMethods any\n"));
}

static void test_advice(void **state)
{
	(void)state;
	char buf[256];
	assert_string_equal(ss_sshkw_unknown_advice("serveraliveintervl", 0, buf, sizeof(buf)),
			    "did you mean ServerAliveInterval?");
	assert_string_equal(ss_sshkw_unknown_advice("clientalivecountmaxx", 1, buf, sizeof(buf)),
			    "did you mean ClientAliveCountMax?");
	assert_non_null(strstr(ss_sshkw_unknown_advice("clientaliveinterval", 0, buf, sizeof(buf)),
			       "this looks like an sshd_config, name it sshd:PATH"));
	assert_non_null(strstr(ss_sshkw_unknown_advice("serveraliveinterval", 1, buf, sizeof(buf)),
			       "this looks like an ssh_config, name it ssh:PATH"));
	assert_string_equal(ss_sshkw_unknown_advice("zzzzzzzz", 0, buf, sizeof(buf)), "");
	assert_string_equal(ss_sshkw_client_name("gssapikexalgorithms"), "GSSAPIKexAlgorithms");
	assert_string_equal(ss_sshkw_server_name("x11uselocalhost"), "X11UseLocalhost");
	assert_null(ss_sshkw_client_name("clientaliveinterval"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_client_values),
	    cmocka_unit_test(test_server_values),
	    cmocka_unit_test(test_server_globals),
	    cmocka_unit_test(test_advice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
