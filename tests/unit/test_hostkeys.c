/* Host keys between known_hosts and PuTTY's cache (hostkeys.h). The PuTTY
 * key strings were written by plink 0.78 itself: it stored each host key
 * of these OpenSSH .pub files in its sshhostkeys file when told "y". */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "sshsync/hostkeys.h"
#include "sshsync/changeset.h"
#include "sshsync/session.h"

static const char RSA_PUB[] =
    "AAAAB3NzaC1yc2EAAAADAQABAAABgQC/PL856UxKLsuHHjbPWIp3FELfkBDju1++zb1hmx74NmF4L9DS4MWC0rhY"
    "HjsXwOgJ80yq4d7ZL05MnYP4t0EhcvTfFgH846rkV3O1EpeDzJsjrd2B4xcABOzbWgL/IvENS278Cjy9nF8YzWoL"
    "1Tp5CEoUBFiGyI4IJpfcIaucsGQA4pbgQqL0pHvbpRRvfxsaer1HwZNB0p/Y9tolI4TjUy0Bw8+xi1+G9e7K1Tjh"
    "2qv/RCzsEkFZGEWooCztJHu3sv0Jh/BhMLfOj0lMd0fH0lB8M8MAGgZh9tI/5zZPxADB+ldL630MnVG6AIJXNdTx"
    "YQkAsEKvrfXJL8UaSGWRLez7O6WuSmlDwQ+YktG4KgSv8MSd/ZgxfxMoT5f2/i+ZE6LhDLsZ3tV3eCcyiQPRQW88"
    "/zurF6ZPKYVOViJsCQyGXvzM/KqkPph526skw6w8VmhfjBmZ3YlOr7DKH0up4/8mh8NfdImMCqkYq4Mkhe9GuD/E"
    "e+BRIjMlhMpceXU=";
static const char RSA_PUTTY[] =
    "0x10001,0xbf3cbf39e94c4a2ecb871e36cf588a771442df9010e3bb5fbecdbd619b1ef83661782fd0d2e0c5"
    "82d2b8581e3b17c0e809f34caae1ded92f4e4c9d83f8b7412172f4df1601fce3aae45773b5129783cc9b23ad"
    "dd81e3170004ecdb5a02ff22f10d4b6efc0a3cbd9c5f18cd6a0bd53a79084a14045886c88e082697dc21ab9c"
    "b06400e296e042a2f4a47bdba5146f7f1b1a7abd47c19341d29fd8f6da252384e3532d01c3cfb18b5f86f5ee"
    "cad538e1daabff442cec1241591845a8a02ced247bb7b2fd0987f06130b7ce8f494c7747c7d2507c33c3001a"
    "0661f6d23fe7364fc400c1fa574beb7d0c9d51ba00825735d4f1610900b042afadf5c92fc51a4865912decfb"
    "3ba5ae4a6943c10f9892d1b82a04aff0c49dfd98317f13284f97f6fe2f9913a2e10cbb19ded5777827328903"
    "d1416f3cff3bab17a64f29854e56226c090c865efcccfcaaa43e9879dbab24c3ac3c56685f8c1999dd894eaf"
    "b0ca1f4ba9e3ff2687c35f74898c0aa918ab832485ef46b83fc47be05122332584ca5c7975";
static const char EC256_PUB[] =
    "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBNnCoYXuq1SGceW+C4/LSByrAWeRrLlbykSr"
    "22W12ieKWJGaaq9j5iulxqRw1TEoQd+NEGvayu/2pZ4mZSP1+pE=";
static const char EC256_PUTTY[] =
    "nistp256,0xd9c2a185eeab548671e5be0b8fcb481cab016791acb95bca44abdb65b5da278a,0x58919a6aaf"
    "63e62ba5c6a470d5312841df8d106bdacaeff6a59e266523f5fa91";
static const char EC521_PUB[] =
    "AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBAFgXNXKPx9XI9XU+26u78dS8q4WiGldGraq"
    "Knc+nltmU2bwDEINTqfcD0z1NB0x89RadXxK6bqXsiA/3MUXsj+yiwEEBDUkrX95HxJQsB+mtG0DkBp1Bq1Ypuhb"
    "+lLvieHLO7B0sd1Cvomtiyr7fZ065cHGQc8ptuVooniRHn07Rw4LtQ==";
static const char EC521_PUTTY[] =
    "nistp521,0x1605cd5ca3f1f5723d5d4fb6eaeefc752f2ae1688695d1ab6aa2a773e9e5b665366f00c420d4e"
    "a7dc0f4cf5341d31f3d45a757c4ae9ba97b2203fdcc517b23fb28b,0x104043524ad7f791f1250b01fa6b46d"
    "03901a7506ad58a6e85bfa52ef89e1cb3bb074b1dd42be89ad8b2afb7d9d3ae5c1c641cf29b6e568a278911e"
    "7d3b470e0bb5";
static const char ED_PUB[] = "AAAAC3NzaC1lZDI1NTE5AAAAICg9SU0PFlk3uPdEjw4EGgXvO3tVlTGWK0TFK0bgeucW";
static const char ED_PUTTY[] =
    "0x7ca9d8fea5e33750690af6ed7185c2591f08dbc6f851ea638d2f6f8f576bf332,0x16e77ae0462bc5442b9"
    "63195557b3bef051a040e8f44f7b83759160f4d493d28";
static const char DSA_PUB[] =
    "AAAAB3NzaC1kc3MAAACBAKOlbQTWxaMmQ1JJhMy8b53x5u4aHsFSfu/OA5uIcOZt0sS2yuCx9dLtE/Zo0Ushyscs"
    "wztrOyd2FM/1548mj3cgcWzUyNKFB3A+0PlSJQF62oRgdZ9dtIWhz8bc8bo94oRvj0vfINoZOid8xaoBMwjYrLF2"
    "PcmY3Tp1CmJ8egFdAAAAFQCFkZYBDKF8aRv4PEv8ce0sAftiawAAAIBlslQdq+KNklAhxZDkCwgO6dVCZEHeQHoB"
    "Lj06fpK77jefYHgwXAltdkN+zmFpHAmxaJCqmaXlyojI8lD8DP/tycANTTa4e/OM571gJkKqcI5c+wzR0DDuJKuX"
    "7jsi/S/PBxFl/pa5zz8A2Qo1ns9TxiJdOROruqqWFmIyJsoN+AAAAIBAKTp1pBBChB/r21lfsQL36zpdIXudGpIH"
    "2xzfChTnVgOqpbsMp1tBDOrDeWmAaVb8MELTIlQ9WKWrPmCJJjG/c2P9Gn0tQuRi9DgiLmLvZ2tnfdYDbfjpURJ6"
    "tGkE8rGEcWjvt/e4QnyOuXJtrdbQxEWnCWFUmyuNBT38Bhxyuw==";
/* ssh-keygen -H of "web.example.com" and "[web.example.com]:2222". */
static const char ED_HASHED_22[] = "|1|Z/xApCGzpFHAF8A68gQ1GpYCkVI=|A1OnB5G5iCkI+CxXuGUM4LwlFEs=";
static const char ED_HASHED_2222[] = "|1|aJvuTXxTlQvp9daxa98QQh5L29o=|22pr7Hh/POd9VLlixn8UPYJguZY=";

static ss_buf decode(const char *b64)
{
	ss_buf b = SS_BUF_INIT;
	assert_int_equal(ss_hk_base64_decode(b64, strlen(b64), &b), 0);
	return b;
}

/* The blob gives plink's string, and the string gives the blob back. */
static void check_vector(const char *pub, const char *cache_type, const char *putty,
			 const char *ssh_type)
{
	ss_buf blob = decode(pub), type = SS_BUF_INIT, value = SS_BUF_INIT, back = SS_BUF_INIT;
	const char *why = NULL, *st = NULL;
	assert_int_equal(
	    ss_hk_blob_to_putty((unsigned char *)blob.data, blob.len, &type, &value, &why), 0);
	assert_string_equal(type.data, cache_type);
	assert_string_equal(value.data, putty);
	assert_int_equal(ss_hk_putty_to_blob(cache_type, putty, &back, &st, &why), 0);
	assert_string_equal(st, ssh_type);
	assert_int_equal(back.len, blob.len);
	assert_memory_equal(back.data, blob.data, blob.len);
	ss_buf_release(&blob);
	ss_buf_release(&type);
	ss_buf_release(&value);
	ss_buf_release(&back);
}

static void test_vectors(void **state)
{
	(void)state;
	check_vector(RSA_PUB, "rsa2", RSA_PUTTY, "ssh-rsa");
	check_vector(EC256_PUB, "ecdsa-sha2-nistp256", EC256_PUTTY, "ecdsa-sha2-nistp256");
	check_vector(EC521_PUB, "ecdsa-sha2-nistp521", EC521_PUTTY, "ecdsa-sha2-nistp521");
	check_vector(ED_PUB, "ssh-ed25519", ED_PUTTY, "ssh-ed25519");
}

static void test_dss_round_trip(void **state)
{
	(void)state;
	ss_buf blob = decode(DSA_PUB), type = SS_BUF_INIT, value = SS_BUF_INIT, back = SS_BUF_INIT;
	const char *why = NULL, *st = NULL;
	assert_int_equal(
	    ss_hk_blob_to_putty((unsigned char *)blob.data, blob.len, &type, &value, &why), 0);
	assert_string_equal(type.data, "dss");
	assert_int_equal(ss_hk_putty_to_blob("dss", value.data, &back, &st, &why), 0);
	assert_memory_equal(back.data, blob.data, blob.len);
	ss_buf_release(&blob);
	ss_buf_release(&type);
	ss_buf_release(&value);
	ss_buf_release(&back);
}

static void test_bad_keys(void **state)
{
	(void)state;
	ss_buf b = SS_BUF_INIT;
	const char *why = NULL, *st = NULL;
	/* not a point: y = 2 has no x on Ed25519 */
	assert_int_equal(ss_hk_putty_to_blob("ssh-ed25519", "0x1,0x2", &b, &st, &why), 1);
	assert_non_null(why);
	/* x of the right y but the other sign is still a point; a wrong x is not */
	char *bad = ss_strdup(ED_PUTTY);
	bad[2] = bad[2] == '7' ? '6' : '7';
	assert_int_equal(ss_hk_putty_to_blob("ssh-ed25519", bad, &b, &st, &why), 1);
	free(bad);
	assert_int_equal(ss_hk_putty_to_blob("rsa2", "0x10001", &b, &st, &why), 1);
	assert_int_equal(ss_hk_putty_to_blob("rsa2", "0x10001,", &b, &st, &why), 1);
	assert_int_equal(ss_hk_putty_to_blob("rsa2", "10001,0x33", &b, &st, &why), 1);
	assert_int_equal(ss_hk_putty_to_blob("ssh-ed448", "0x1,0x2", &b, &st, &why), 1);
	assert_string_equal(why, "OpenSSH has no Ed448");
	assert_int_equal(
	    ss_hk_putty_to_blob("ecdsa-sha2-nistp256", "nistp384,0x1,0x2", &b, &st, &why), 1);
	ss_buf_release(&b);
	ss_buf v = SS_BUF_INIT, t = SS_BUF_INIT;
	assert_int_equal(ss_hk_base64_decode("AAA", 3, &v), 1);
	assert_int_equal(ss_hk_base64_decode("AA=A", 4, &v), 1);
	ss_buf blob = decode(ED_PUB);
	assert_int_equal(
	    ss_hk_blob_to_putty((unsigned char *)blob.data, blob.len - 1, &t, &v, &why), 1);
	ss_buf_release(&blob);
	ss_buf_release(&v);
	ss_buf_release(&t);
}

static void test_hashed(void **state)
{
	(void)state;
	assert_int_equal(ss_hk_hashed_is(ED_HASHED_22, strlen(ED_HASHED_22), "web.example.com"), 1);
	assert_int_equal(
	    ss_hk_hashed_is(ED_HASHED_22, strlen(ED_HASHED_22), "[web.example.com]:22"), 0);
	assert_int_equal(
	    ss_hk_hashed_is(ED_HASHED_2222, strlen(ED_HASHED_2222), "[web.example.com]:2222"), 1);
	assert_int_equal(ss_hk_hashed_is("|1|abc", 6, "x"), -1);
	char *n = ss_hk_lookup_name("h", 2222);
	assert_string_equal(n, "[h]:2222");
	free(n);
}

static int has_note(const ss_hk_putty *p, const char *where, const char *part)
{
	for (size_t i = 0; i < p->n_notes; i++)
		if (strcmp(p->notes[i].where, where) == 0 && strstr(p->notes[i].message, part))
			return 1;
	return 0;
}

static const char *cached(const ss_hk_putty *p, const char *name)
{
	for (size_t i = 0; i < p->n_keys; i++)
		if (strcmp(p->keys[i].name, name) == 0)
			return p->keys[i].value;
	return NULL;
}

static void test_known_hosts(void **state)
{
	(void)state;
	ss_buf kh = SS_BUF_INIT;
	assert_int_equal(
	    ss_buf_addf(&kh,
			"# comment\n"
			"web.example.com,10.0.0.5 ssh-ed25519 %s\n" /* 2 */
			"[db.test]:2200 ecdsa-sha2-nistp256 %s c\n" /* 3 */
			"%s ssh-ed25519 %s\n"			    /* 4: hashed, migrated */
			"%s ssh-ed25519 %s\n"			    /* 5: hashed, not */
			"*.cluster.test,!bad.cluster.test ssh-rsa %s\n"
			"@revoked old.test ssh-ed25519 %s\n" /* 7 */
			"@cert-authority *.example.com,[10.1.*]:2222,!x.example.com ssh-rsa %s\n"
			"garbage\n"			    /* 9 */
			"web.example.com ssh-rsa %s\r\n"    /* 10 */
			"web.example.com ssh-ed25519 %s\n", /* 11: a second ed25519 key */
			ED_PUB, EC256_PUB, ED_HASHED_2222, ED_PUB, ED_HASHED_22, ED_PUB, RSA_PUB,
			ED_PUB, RSA_PUB, RSA_PUB, EC521_PUB),
	    0);
	/* line 11 says ssh-ed25519 but holds an ECDSA key */
	ss_hk_host hosts[] = {{"web.example.com", 2222, "web"},
			      {"node1.cluster.test", 22, "node 1"},
			      {"bad.cluster.test", 22, "bad"}};
	ss_hk_putty p = SS_HK_PUTTY_INIT;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(
	    ss_hk_from_known_hosts(kh.data, kh.len, "/h/known_hosts", hosts, 3, &p, &d), 0);
	assert_string_equal(cached(&p, "ssh-ed25519@22:web.example.com"), ED_PUTTY);
	assert_null(cached(&p, "ssh-ed25519@22:10.0.0.5"));
	assert_true(has_note(&p, "/h/known_hosts:2", "an address"));
	assert_string_equal(cached(&p, "ecdsa-sha2-nistp256@2200:db.test"), EC256_PUTTY);
	assert_string_equal(cached(&p, "ssh-ed25519@2222:web.example.com"), ED_PUTTY);
	assert_true(has_note(&p, "/h/known_hosts:5", "hashed name that is none"));
	for (size_t i = 0; i < p.n_keys; i++)
		assert_null(strchr(p.keys[i].name, '|'));
	assert_int_equal(p.n_keys, 4);
	/* the wildcard: node1 pins it, bad is excluded by the negation */
	assert_int_equal(p.n_manual, 1);
	assert_string_equal(p.manual[0].session, "node 1");
	assert_int_equal(p.manual[0].keys.n, 1);
	assert_string_equal(p.manual[0].keys.v[0], RSA_PUB);
	assert_true(has_note(&p, "/h/known_hosts:7", "@revoked"));
	assert_int_equal(p.n_cas, 1);
	assert_string_equal(p.cas[0].name, "known_hosts-8");
	assert_string_equal(p.cas[0].public_key, RSA_PUB);
	assert_string_equal(p.cas[0].validity,
			    "((*.example.com && port:22) || (10.1.* && port:2222)) && "
			    "!(x.example.com && port:22)");
	assert_int_equal(p.cas[0].permit_rsa_sha1, 0);
	assert_int_equal(p.cas[0].permit_rsa_sha512, 1);
	assert_true(has_note(&p, "/h/known_hosts:9", "not a known_hosts line"));
	assert_string_equal(cached(&p, "rsa2@22:web.example.com"), RSA_PUTTY);
	assert_true(has_note(&p, "/h/known_hosts:11", "does not match"));

	ss_buf out = SS_BUF_INIT;
	assert_int_equal(ss_hk_render_putty_file(&p, &out), 0);
	assert_non_null(strstr(out.data, "ssh-ed25519@22:web.example.com 0x"));
	ss_buf_reset(&out);
	assert_int_equal(ss_hk_render_putty_ca(&p.cas[0], &out), 0);
	assert_non_null(strstr(out.data, "Validity=%28%28*.example.com%20%26%26%20port%3A22%29"));
	assert_non_null(strstr(out.data, "PermitRSASHA1=0\n"));
	ss_buf_reset(&out);
	assert_int_equal(ss_hk_render_manual(&p.manual[0], &out), 0);
	/* the base64 padding escaped: PuTTY reads "=" as a key=value split */
	assert_true(out.len > 2 && strcmp(out.data + out.len - 2, "\\=") == 0);
	ss_buf_release(&out);
	ss_hk_putty_release(&p);
	ss_buf_release(&kh);
}

/* Two ed25519 keys for one migrated host: the second is pinned. */
static void test_cluster(void **state)
{
	(void)state;
	ss_buf kh = SS_BUF_INIT;
	/* another valid Ed25519 key: the one of the host CA test */
	assert_int_equal(
	    ss_buf_addf(&kh, "h.test ssh-ed25519 %s\nh.test ssh-ed25519 %s\n", ED_PUB,
			"AAAAC3NzaC1lZDI1NTE5AAAAIJzJSTyvxvYGpoD1M1x8JCDU4UWKQCJKUUj/JSHYfPt1"),
	    0);
	ss_hk_host hosts[] = {{"h.test", 22, "h"}};
	ss_hk_putty p = SS_HK_PUTTY_INIT;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_hk_from_known_hosts(kh.data, kh.len, "kh", hosts, 1, &p, &d), 0);
	assert_int_equal(p.n_keys, 1);
	assert_int_equal(p.n_manual, 1);
	assert_true(has_note(&p, "kh:2", "second key"));
	ss_hk_putty_release(&p);
	ss_buf_release(&kh);
}

static void test_to_known_hosts(void **state)
{
	(void)state;
	char *two = ss_asprintf("%s;%s", ED_PUTTY, "0x1,0x2");
	ss_hk_pair e[] = {
	    {"ssh-ed25519@22:web.example.com", (char *)ED_PUTTY},
	    {"rsa2@2222:db.test", (char *)RSA_PUTTY},
	    {"ssh-ed25519@22:winscp.test", two},
	    {"ssh-ed25519@22:fp.test", (char *)"ssh-ed25519 255 SHA256:abc"},
	    {"nonsense", (char *)"0x1"},
	};
	ss_buf out = SS_BUF_INIT;
	ss_hk_putty notes = SS_HK_PUTTY_INIT;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_hk_to_known_hosts(e, 5, &out, &notes, &d), 0);
	char *want = ss_asprintf("web.example.com ssh-ed25519 %s\n[db.test]:2222 ssh-rsa %s\n"
				 "winscp.test ssh-ed25519 %s\n",
				 ED_PUB, RSA_PUB, ED_PUB);
	assert_string_equal(out.data, want);
	assert_true(has_note(&notes, "ssh-ed25519@22:winscp.test", "not a point"));
	assert_true(has_note(&notes, "ssh-ed25519@22:fp.test", "fingerprint"));
	assert_true(has_note(&notes, "nonsense", "TYPE@PORT:HOST"));
	free(want);
	free(two);
	ss_buf_release(&out);
	ss_hk_putty_release(&notes);
}

/* The migrated sessions' lookup names: HostKeyAlias (no port), LogHost
 * "name:port", else the host name and port; skipped sessions left out. */
static void test_hosts_of_sessions(void **state)
{
	(void)state;
	ss_sessions l = SS_SESSIONS_INIT;
	ss_session *a = ss_sessions_add(&l, "web", "cfg");
	ss_session *b = ss_sessions_add(&l, "aliased", "cfg");
	ss_session *c = ss_sessions_add(&l, "logical", "cfg");
	ss_session *t = ss_sessions_add(&l, "telnet", "cfg");
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_non_null(t);
	assert_int_equal(ss_session_set_str(a, SS_F_HOST, "web.test", SS_ORIGIN_EXPLICIT, "x"), 0);
	assert_int_equal(ss_session_set_num(a, SS_F_PORT, 2222, SS_ORIGIN_EXPLICIT, "x"), 0);
	assert_int_equal(ss_session_set_num(b, SS_F_PORT, 2200, SS_ORIGIN_EXPLICIT, "x"), 0);
	assert_int_equal(
	    ss_session_set_str(b, SS_F_HOST_KEY_ALIAS, "kalias", SS_ORIGIN_EXPLICIT, "x"), 0);
	assert_int_equal(
	    ss_session_set_str(c, SS_F_HOST_KEY_ALIAS, "log.test:2022", SS_ORIGIN_EXPLICIT, "x"),
	    0);
	t->skip = 1;
	ss_hk_host *h = NULL;
	size_t n = 0;
	ss_strlist keep = SS_STRLIST_INIT;
	assert_int_equal(ss_hk_hosts_of_sessions(&l, &h, &n, &keep), 0);
	assert_int_equal(n, 3);
	assert_string_equal(h[0].name, "web.test");
	assert_int_equal(h[0].port, 2222);
	assert_string_equal(h[0].session, "web");
	assert_string_equal(h[1].name, "kalias");
	assert_int_equal(h[1].port, 22);
	assert_string_equal(h[2].name, "log.test");
	assert_int_equal(h[2].port, 2022);
	free(h);
	ss_strlist_release(&keep);
	ss_sessions_free(&l);
}

static const char *rendered(const ss_changeset *cs, const char *path)
{
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i].text->path, path) == 0)
			return cs->v[i].rendered.data ? cs->v[i].rendered.data : "";
	return NULL;
}

/* ss_hk_plan both ways over real files: only missing entries are added, a
 * different cached key is kept and noted, CAs become files. */
static void test_plan(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *kh = tu_path(dir, "known_hosts"), *cache = tu_path(dir, "sshhostkeys");
	char *ca = ss_asprintf("%s/sshhostcas/known_hosts-3", dir);
	char *text = ss_asprintf(
	    "web.test %s %s\n[db.test]:2200 %s %s\n@cert-authority *.test %s %s\n", "ssh-ed25519",
	    ED_PUB, "ecdsa-sha2-nistp256", EC256_PUB, "ssh-rsa", RSA_PUB);
	tu_write_str(kh, text);
	char *stale = ss_asprintf("ecdsa-sha2-nistp256@2200:db.test nistp256,0x1,0x2\n");
	tu_write_str(cache, stale);
	ss_sessions l = SS_SESSIONS_INIT;
	ss_session *a = ss_sessions_add(&l, "web", "cfg"), *b = ss_sessions_add(&l, "db", "cfg");
	assert_int_equal(ss_session_set_str(a, SS_F_HOST, "web.test", SS_ORIGIN_EXPLICIT, "x"), 0);
	assert_int_equal(ss_session_set_str(b, SS_F_HOST, "db.test", SS_ORIGIN_EXPLICIT, "x"), 0);
	assert_int_equal(ss_session_set_num(b, SS_F_PORT, 2200, SS_ORIGIN_EXPLICIT, "x"), 0);
	ss_changeset cs = SS_CHANGESET_INIT;
	ss_strlist notes = SS_STRLIST_INIT;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_hk_plan(1, kh, dir, 0, &l, &cs, &notes, &d), 0);
	assert_int_equal(ss_changeset_render(&cs, &d), 0);
	char *want = ss_asprintf("%sssh-ed25519@22:web.test %s\n", stale, ED_PUTTY);
	assert_string_equal(rendered(&cs, cache), want);
	assert_non_null(strstr(rendered(&cs, ca), "PublicKey="));
	int kept = 0;
	for (size_t i = 0; i < notes.n; i++)
		kept |= strstr(notes.v[i], "another key cached") != NULL;
	assert_true(kept);
	ss_changeset_free(&cs);
	ss_strlist_release(&notes);

	/* back: PuTTY's cache to a known_hosts that has web.test already */
	char *entry = ss_asprintf("ssh-ed25519@22:web.test %s\n", ED_PUTTY);
	tu_write_str(cache, entry);
	free(entry);
	ss_changeset cs2 = SS_CHANGESET_INIT;
	ss_strlist notes2 = SS_STRLIST_INIT;
	char *kh2 = tu_path(dir, "kh2");
	char *line = ss_asprintf("web.test ssh-ed25519 %s\n", ED_PUB);
	tu_write_str(kh2, line);
	assert_int_equal(ss_hk_plan(0, kh2, dir, 0, &l, &cs2, &notes2, &d), 0);
	assert_int_equal(ss_changeset_render(&cs2, &d), 0);
	assert_int_equal(ss_changeset_count_changed(&cs2), 0);
	/* and to a new file */
	char *kh3 = tu_path(dir, "kh3");
	ss_changeset cs3 = SS_CHANGESET_INIT;
	assert_int_equal(ss_hk_plan(0, kh3, dir, 0, &l, &cs3, &notes2, &d), 0);
	assert_int_equal(ss_changeset_render(&cs3, &d), 0);
	assert_string_equal(rendered(&cs3, kh3), line);
	ss_changeset_free(&cs2);
	ss_changeset_free(&cs3);
	ss_strlist_release(&notes2);
	ss_sessions_free(&l);
	tu_rmtree(dir);
	free(dir);
	free(kh);
	free(kh2);
	free(kh3);
	free(cache);
	free(ca);
	free(text);
	free(stale);
	free(want);
	free(line);
}

/* The same into and out of a .reg file's SshHostKeys key. */
static void test_plan_reg(void **state)
{
	(void)state;
	char *dir = tu_tempdir();
	char *kh = tu_path(dir, "known_hosts"), *reg = tu_path(dir, "s.reg");
	char *text = ss_asprintf("web.test ssh-ed25519 %s\n[my%%host]:2200 ssh-ed25519 %s\n",
				 ED_PUB, ED_PUB);
	tu_write_str(kh, text);
	char *old = ss_asprintf("Windows Registry Editor Version 5.00\r\n\r\n"
				"[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\SshHostKeys]\r\n"
				"\"ssh-ed25519@22:web.test\"=\"%s\"\r\n",
				ED_PUTTY);
	tu_write_str(reg, old);
	ss_sessions l = SS_SESSIONS_INIT;
	ss_session *a = ss_sessions_add(&l, "web", "cfg"), *b = ss_sessions_add(&l, "my", "cfg");
	assert_int_equal(ss_session_set_str(a, SS_F_HOST, "web.test", SS_ORIGIN_EXPLICIT, "x"), 0);
	assert_int_equal(ss_session_set_str(b, SS_F_HOST, "my%host", SS_ORIGIN_EXPLICIT, "x"), 0);
	assert_int_equal(ss_session_set_num(b, SS_F_PORT, 2200, SS_ORIGIN_EXPLICIT, "x"), 0);
	ss_changeset cs = SS_CHANGESET_INIT;
	ss_strlist notes = SS_STRLIST_INIT;
	ss_diag d = SS_DIAG_INIT;
	assert_int_equal(ss_hk_plan(1, kh, reg, 1, &l, &cs, &notes, &d), 0);
	assert_int_equal(ss_changeset_render(&cs, &d), 0);
	char *want =
	    ss_asprintf("%s\r\n[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\SshHostKeys]"
			"\r\n\"ssh-ed25519@2200:my%%25host\"=\"%s\"\r\n",
			old, ED_PUTTY);
	assert_string_equal(rendered(&cs, reg), want);
	/* and back, from the file as it would be written */
	tu_write_str(reg, want);
	char *kh2 = tu_path(dir, "kh2");
	ss_changeset cs2 = SS_CHANGESET_INIT;
	assert_int_equal(ss_hk_plan(0, kh2, reg, 1, &l, &cs2, &notes, &d), 0);
	assert_int_equal(ss_changeset_render(&cs2, &d), 0);
	char *back = ss_asprintf("web.test ssh-ed25519 %s\n[my%%host]:2200 ssh-ed25519 %s\n",
				 ED_PUB, ED_PUB);
	assert_string_equal(rendered(&cs2, kh2), back);
	ss_changeset_free(&cs);
	ss_changeset_free(&cs2);
	ss_strlist_release(&notes);
	ss_sessions_free(&l);
	tu_rmtree(dir);
	free(dir);
	free(kh);
	free(kh2);
	free(reg);
	free(text);
	free(old);
	free(want);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors),	   cmocka_unit_test(test_dss_round_trip),
	    cmocka_unit_test(test_bad_keys),	   cmocka_unit_test(test_hashed),
	    cmocka_unit_test(test_known_hosts),	   cmocka_unit_test(test_cluster),
	    cmocka_unit_test(test_to_known_hosts), cmocka_unit_test(test_hosts_of_sessions),
	    cmocka_unit_test(test_plan),	   cmocka_unit_test(test_plan_reg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
