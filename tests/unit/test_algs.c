/* Algorithm lists between OpenSSH and PuTTY: ssh 9.2's resolution of a
 * value, PuTTY 0.78's reading of a stored setting (gprefs_from_str), and
 * the two translations with what they report. The expected OpenSSH lists
 * are what `ssh -G` 9.2p1 prints for the same values (checked by hand). */
#include <stdlib.h>
#include <string.h>

#include "sshsync/algs.h"
#include "testutil.h"

static char *resolve(ss_alg_kind k, const char *value)
{
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_algs_openssh_resolve(k, value, &b), 0);
	assert_int_equal(ss_buf_grow(&b, 0), 0);
	return ss_buf_detach(&b, NULL);
}

static void test_resolve(void **state)
{
	(void)state;
	char *s = resolve(SS_ALG_CIPHER, "aes128-ctr,chacha20-poly1305@openssh.com");
	assert_string_equal(s, "aes128-ctr,chacha20-poly1305@openssh.com");
	free(s);
	/* + appends to the default, - removes patterns, ^ puts first. */
	s = resolve(SS_ALG_CIPHER, "+aes128-cbc");
	assert_string_equal(s, "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"
			       "aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-cbc");
	free(s);
	s = resolve(SS_ALG_CIPHER, "-aes*");
	assert_string_equal(s, "chacha20-poly1305@openssh.com");
	free(s);
	s = resolve(SS_ALG_KEX, "^diffie-hellman-group14-sha1");
	assert_true(strncmp(s, "diffie-hellman-group14-sha1,sntrup761x25519-sha512,", 51) == 0);
	free(s);
	/* A name comes once (ssh refuses patterns and unknown names outside
	 * a "-" list when it reads the file). */
	s = resolve(SS_ALG_CIPHER, "aes256-gcm@openssh.com,aes256-ctr,aes256-gcm@openssh.com");
	assert_string_equal(s, "aes256-gcm@openssh.com,aes256-ctr");
	free(s);
	s = resolve(SS_ALG_HOSTKEY, "-*-cert-v01@openssh.com,sk-*,ecdsa*");
	assert_string_equal(s, "ssh-ed25519,rsa-sha2-512,rsa-sha2-256");
	free(s);
}

static void putty(ss_alg_kind k, const char *list, const char *want, const char *note)
{
	ss_buf out = SS_BUF_INIT, approx = SS_BUF_INIT;
	assert_int_equal(ss_algs_putty_from_openssh(k, list, &out, &approx), 0);
	assert_string_equal(ss_buf_str(&out), want);
	if (note)
		assert_non_null(strstr(ss_buf_str(&approx), note));
	else
		assert_int_equal(approx.len, 0);
	ss_buf_release(&out);
	ss_buf_release(&approx);
}

static void test_to_putty(void **state)
{
	(void)state;
	/* Groups in the order of their first algorithm, then WARN, then the
	 * rest in PuTTY's default order. */
	putty(SS_ALG_CIPHER, "chacha20-poly1305@openssh.com,aes256-ctr",
	      "chacha20,aes,WARN,aesgcm,3des,des,blowfish,arcfour", "cannot disable aesgcm");
	putty(SS_ALG_CIPHER, "aes256-ctr", "aes,WARN,chacha20,aesgcm,3des,des,blowfish,arcfour",
	      "also offer aes256-cbc");
	/* Every group asked for: nothing left to warn about but the extras. */
	putty(SS_ALG_HOSTKEY,
	      "ssh-ed25519,ssh-ed448,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,"
	      "ecdsa-sha2-nistp521,ssh-dss,rsa-sha2-512,rsa-sha2-256,ssh-rsa",
	      "ed25519,ed448,ecdsa,dsa,rsa,WARN", NULL);
	putty(SS_ALG_HOSTKEY, "ssh-ed25519-cert-v01@openssh.com,ssh-ed25519",
	      "ed25519,WARN,ed448,ecdsa,rsa,dsa", "certificate types");
	putty(SS_ALG_HOSTKEY, "sk-ssh-ed25519@openssh.com,ssh-ed25519",
	      "ed25519,WARN,ed448,ecdsa,rsa,dsa", "PuTTY has no sk-ssh-ed25519@openssh.com");
	/* Debian's 9.2 name without @openssh.com is PuTTY's NTRU hybrid. */
	putty(SS_ALG_KEX, "sntrup761x25519-sha512",
	      "ntru-curve25519,WARN,ecdh,dh-gex-sha1,dh-group16-sha512,dh-group17-sha512,"
	      "dh-group18-sha512,dh-group15-sha512,dh-group14-sha1,rsa,dh-group1-sha1",
	      "cannot disable ecdh");
}

static void test_putty_order(void **state)
{
	(void)state;
	ss_buf b = SS_BUF_INIT;
	/* The stored default: ntru-curve25519 goes first, groups 15 to 18
	 * around 14 (settings.c's table), as plink 0.78 offers them. */
	assert_int_equal(ss_algs_putty_full(SS_ALG_KEX, ss_algs_putty_default(SS_ALG_KEX), &b), 0);
	assert_string_equal(ss_buf_str(&b), "ntru-curve25519,ecdh,dh-gex-sha1,dh-group16-sha512,"
					    "dh-group17-sha512,dh-group18-sha512,dh-group15-sha512,"
					    "dh-group14-sha1,rsa,WARN,dh-group1-sha1");
	ss_buf_reset(&b);
	/* chacha20 and aesgcm follow aes when missing; unknown names and
	 * repeats are skipped. */
	assert_int_equal(ss_algs_putty_full(SS_ALG_CIPHER, "3des,nosuch,aes,3des", &b), 0);
	assert_string_equal(ss_buf_str(&b), "3des,aes,chacha20,aesgcm,WARN,des,blowfish,arcfour");
	ss_buf_release(&b);
	assert_true(ss_algs_putty_same(SS_ALG_CIPHER, "aes,chacha20",
				       ss_algs_putty_default(SS_ALG_CIPHER)));
	assert_false(ss_algs_putty_same(SS_ALG_CIPHER, "chacha20,aes",
					ss_algs_putty_default(SS_ALG_CIPHER)));
}

static void test_from_putty(void **state)
{
	(void)state;
	ss_buf out = SS_BUF_INIT, approx = SS_BUF_INIT;
	int empty = 1;
	assert_int_equal(ss_algs_openssh_from_putty(SS_ALG_CIPHER,
						    "chacha20,aesgcm,WARN,aes,3des,des,"
						    "blowfish,arcfour",
						    &out, &approx, &empty),
			 0);
	assert_false(empty);
	assert_string_equal(ss_buf_str(&out),
			    "chacha20-poly1305@openssh.com,aes128-gcm@openssh.com,"
			    "aes256-gcm@openssh.com");
	assert_non_null(
	    strstr(ss_buf_str(&approx), "aes,3des,des,blowfish,arcfour come after WARN"));
	ss_buf_reset(&out);
	ss_buf_reset(&approx);
	/* Nothing ssh has before WARN. */
	assert_int_equal(
	    ss_algs_openssh_from_putty(SS_ALG_CIPHER, "blowfish,WARN", &out, &approx, &empty), 0);
	assert_true(empty);
	assert_non_null(strstr(ss_buf_str(&approx), "ssh 9.2 has no blowfish-ctr,blowfish-cbc"));
	ss_buf_release(&out);
	ss_buf_release(&approx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_resolve),
	    cmocka_unit_test(test_to_putty),
	    cmocka_unit_test(test_putty_order),
	    cmocka_unit_test(test_from_putty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
