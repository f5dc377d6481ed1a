/* Algorithm preference lists between OpenSSH and PuTTY (see algs.h). */
#include "sshsync/algs.h"

#include <stdint.h>
#include <string.h>

/* --- the facts --- */

#define NONE (-1)

/* One entry of PuTTY 0.78's settings.c tables (ciphernames, kexnames,
 * hknames): a group, where gprefs_from_str puts it back when a stored
 * list lacks it (after or before `vrel`, or at the start or end), and the
 * SSH names it offers, in PuTTY's order (crypto/aes-select.c,
 * crypto/ecc-ssh.c, ...: MIGRATION.md Table 2). WARN has no names. */
typedef struct group {
	const char *name;
	int vrel;  /* index of the group it goes next to, or NONE */
	int where; /* +1 after vrel (NONE: at the start), -1 before (NONE: at the end) */
	const char *algs[8];
} group;

static const group CIPHERS[] = {
    {"aes",
     NONE,
     -1,
     {"aes256-ctr", "aes256-cbc", "rijndael-cbc@lysator.liu.se", "aes192-ctr", "aes192-cbc",
      "aes128-ctr", "aes128-cbc"}},
    {"chacha20", 0, +1, {"chacha20-poly1305@openssh.com"}},
    {"aesgcm", 1, +1, {"aes128-gcm@openssh.com", "aes256-gcm@openssh.com"}},
    {"3des", NONE, -1, {"3des-ctr", "3des-cbc"}},
    {"WARN", NONE, -1, {NULL}},
    {"des", NONE, -1, {"des-cbc"}},
    {"blowfish", NONE, -1, {"blowfish-ctr", "blowfish-cbc"}},
    {"arcfour", NONE, -1, {"arcfour256", "arcfour128"}},
};

/* ntru-curve25519 and ecdh are put first when missing; group 1 after and
 * rsa before WARN; groups 15 to 18 around group 14 (the strings of
 * Debian's plink 0.78 name all of these). */
static const group KEXES[] = {
    {"ntru-curve25519", NONE, +1, {"sntrup761x25519-sha512@openssh.com"}},
    {"ecdh",
     NONE,
     +1,
     {"curve448-sha512", "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256",
      "ecdh-sha2-nistp384", "ecdh-sha2-nistp521"}},
    {"dh-gex-sha1",
     NONE,
     -1,
     {"diffie-hellman-group-exchange-sha256", "diffie-hellman-group-exchange-sha1"}},
    {"dh-group14-sha1", NONE, -1, {"diffie-hellman-group14-sha256", "diffie-hellman-group14-sha1"}},
    {"dh-group1-sha1", 10, +1, {"diffie-hellman-group1-sha1"}},
    {"rsa", 10, -1, {"rsa2048-sha256", "rsa1024-sha1"}},
    {"dh-group15-sha512", 3, -1, {"diffie-hellman-group15-sha512"}},
    {"dh-group16-sha512", 6, -1, {"diffie-hellman-group16-sha512"}},
    {"dh-group17-sha512", 7, +1, {"diffie-hellman-group17-sha512"}},
    {"dh-group18-sha512", 8, +1, {"diffie-hellman-group18-sha512"}},
    {"WARN", NONE, -1, {NULL}},
};

static const group HOSTKEYS[] = {
    {"ed25519", NONE, +1, {"ssh-ed25519"}},
    {"ed448", NONE, +1, {"ssh-ed448"}},
    {"ecdsa", NONE, -1, {"ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"}},
    {"dsa", NONE, -1, {"ssh-dss"}},
    {"rsa", NONE, -1, {"rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"}},
    {"WARN", NONE, -1, {NULL}},
};

/* What PuTTY 0.78 reads for an absent key (load_open_settings). */
static const char *const PUTTY_DEFAULT[] = {
    "aes,chacha20,aesgcm,3des,WARN,des,blowfish,arcfour",
    "ecdh,dh-gex-sha1,dh-group14-sha1,rsa,WARN,dh-group1-sha1",
    "ed25519,ed448,ecdsa,rsa,dsa,WARN",
};

/* ssh 9.2p1 (Debian 12): `ssh -G` with no configuration, and `ssh -Q`. */
static const char *const SSH_DEFAULT[] = {
    "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,"
    "aes256-gcm@openssh.com",
    "sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,curve25519-sha256,"
    "curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,"
    "diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
    "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256",
    "ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,"
    "ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,"
    "sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,"
    "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,"
    "ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,"
    "sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256",
};

static const char *const SSH_ALL[] = {
    "3des-cbc,aes128-cbc,aes192-cbc,aes256-cbc,aes128-ctr,aes192-ctr,aes256-ctr,"
    "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com",
    "diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,diffie-hellman-group14-sha256,"
    "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512,"
    "diffie-hellman-group-exchange-sha1,diffie-hellman-group-exchange-sha256,"
    "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521,curve25519-sha256,"
    "curve25519-sha256@libssh.org,sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com",
    "ssh-ed25519,ssh-ed25519-cert-v01@openssh.com,sk-ssh-ed25519@openssh.com,"
    "sk-ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256,"
    "ecdsa-sha2-nistp256-cert-v01@openssh.com,ecdsa-sha2-nistp384,"
    "ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521,"
    "ecdsa-sha2-nistp521-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,"
    "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,webauthn-sk-ecdsa-sha2-nistp256@openssh.com,"
    "ssh-dss,ssh-dss-cert-v01@openssh.com,ssh-rsa,ssh-rsa-cert-v01@openssh.com,rsa-sha2-256,"
    "rsa-sha2-256-cert-v01@openssh.com,rsa-sha2-512,rsa-sha2-512-cert-v01@openssh.com",
};

#define MAXG 11 /* groups of the largest table */

static const group *table(ss_alg_kind k, size_t *n)
{
	switch (k) {
	case SS_ALG_CIPHER:
		*n = sizeof(CIPHERS) / sizeof(CIPHERS[0]);
		return CIPHERS;
	case SS_ALG_KEX:
		*n = sizeof(KEXES) / sizeof(KEXES[0]);
		return KEXES;
	default:
		*n = sizeof(HOSTKEYS) / sizeof(HOSTKEYS[0]);
		return HOSTKEYS;
	}
}

const char *ss_algs_putty_default(ss_alg_kind k)
{
	return PUTTY_DEFAULT[k];
}

/* --- comma lists --- */

/* Item i of a comma list: *p at its start, its length returned; 0 at the
 * end (empty items are skipped). */
static size_t next_item(const char **p)
{
	while (**p == ',')
		(*p)++;
	size_t n = strcspn(*p, ",");
	return n;
}

static int list_has(const char *list, const char *s, size_t n)
{
	for (const char *p = list;;) {
		size_t len = next_item(&p);
		if (!len)
			return 0;
		if (len == n && memcmp(p, s, n) == 0)
			return 1;
		p += len;
	}
}

static int list_add(ss_buf *b, const char *s, size_t n)
{
	if (b->len && ss_buf_addc(b, ',') < 0)
		return -1;
	return ss_buf_add(b, s, n);
}

/* OpenSSH's match_pattern: * and ? over the whole name. */
static int match(const char *s, size_t sn, const char *p, size_t pn)
{
	while (pn) {
		if (*p == '*') {
			for (size_t i = 0; i <= sn; i++)
				if (match(s + i, sn - i, p + 1, pn - 1))
					return 1;
			return 0;
		}
		if (!sn || (*p != '?' && *p != *s))
			return 0;
		s++, sn--, p++, pn--;
	}
	return sn == 0;
}

static int match_any(const char *s, size_t sn, const char *patterns)
{
	for (const char *p = patterns;;) {
		size_t len = next_item(&p);
		if (!len)
			return 0;
		if (match(s, sn, p, len))
			return 1;
		p += len;
	}
}

/* --- OpenSSH --- */

int ss_algs_openssh_resolve(ss_alg_kind k, const char *value, ss_buf *out)
{
	ss_buf list = SS_BUF_INIT;
	const char *def = SSH_DEFAULT[k];
	int r = 0;
	if (value[0] == '+')
		r = ss_buf_adds(&list, def) < 0 || ss_buf_addc(&list, ',') < 0 ||
			    ss_buf_adds(&list, value + 1) < 0
			? -1
			: 0;
	else if (value[0] == '^')
		r = ss_buf_adds(&list, value + 1) < 0 || ss_buf_addc(&list, ',') < 0 ||
			    ss_buf_adds(&list, def) < 0
			? -1
			: 0;
	else if (value[0] == '-')
		for (const char *p = def; r == 0;) {
			size_t len = next_item(&p);
			if (!len)
				break;
			if (!match_any(p, len, value + 1))
				r = list_add(&list, p, len);
			p += len;
		}
	else
		r = ss_buf_adds(&list, value);
	/* Every pattern, in order, as the names ssh has that it matches. */
	for (const char *p = ss_buf_str(&list); r == 0;) {
		size_t len = next_item(&p);
		if (!len)
			break;
		for (const char *a = SSH_ALL[k]; r == 0;) {
			size_t alen = next_item(&a);
			if (!alen)
				break;
			if (match(a, alen, p, len) && !list_has(ss_buf_str(out), a, alen))
				r = list_add(out, a, alen);
			a += alen;
		}
		p += len;
	}
	ss_buf_release(&list);
	return r;
}

/* --- PuTTY --- */

/* The group that offers `alg` (a certificate type counts as its key type's
 * group), or NONE. */
static int group_of(ss_alg_kind k, const char *alg, size_t n, int *cert)
{
	static const char suffix[] = "-cert-v01@openssh.com";
	size_t sl = sizeof(suffix) - 1;
	*cert = k == SS_ALG_HOSTKEY && n > sl && memcmp(alg + n - sl, suffix, sl) == 0;
	if (*cert)
		n -= sl;
	if (k == SS_ALG_KEX && n == 22 && memcmp(alg, "sntrup761x25519-sha512", 22) == 0)
		return 0; /* Debian's 9.2 also knows the name without @openssh.com */
	size_t ng;
	const group *g = table(k, &ng);
	for (size_t i = 0; i < ng; i++)
		for (size_t j = 0; j < 8 && g[i].algs[j]; j++) {
			size_t an = strlen(g[i].algs[j]);
			if (an == n && memcmp(g[i].algs[j], alg, n) == 0)
				return (int)i;
		}
	return NONE;
}

static int warn_index(const group *g, size_t ng)
{
	for (size_t i = 0; i < ng; i++)
		if (!g[i].algs[0])
			return (int)i;
	return NONE;
}

/* gprefs_from_str: the group order PuTTY reads from a stored setting. */
static size_t putty_order(ss_alg_kind k, const char *setting, int order[MAXG])
{
	size_t ng;
	const group *g = table(k, &ng);
	unsigned seen = 0;
	size_t n = 0;
	for (const char *p = setting;;) {
		size_t len = next_item(&p);
		if (!len)
			break;
		for (size_t i = 0; i < ng; i++)
			if (strlen(g[i].name) == len && memcmp(g[i].name, p, len) == 0 &&
			    !(seen & (1u << i))) {
				seen |= 1u << i;
				order[n++] = (int)i;
			}
		p += len;
	}
	/* The groups it lacks, each where its table entry says. */
	while (n < ng) {
		for (size_t i = 0; i < ng; i++) {
			if (seen & (1u << i))
				continue;
			if (g[i].vrel != NONE && !(seen & (1u << g[i].vrel)))
				continue;
			size_t pos;
			if (g[i].vrel == NONE) {
				pos = g[i].where < 0 ? n : 0;
			} else {
				size_t j = 0;
				while (order[j] != g[i].vrel)
					j++;
				pos = g[i].where < 0 ? j : j + 1;
			}
			memmove(order + pos + 1, order + pos, (n - pos) * sizeof(*order));
			order[pos] = (int)i;
			seen |= 1u << i;
			n++;
		}
	}
	return n;
}

int ss_algs_putty_full(ss_alg_kind k, const char *setting, ss_buf *out)
{
	size_t ng;
	const group *g = table(k, &ng);
	int order[MAXG];
	size_t n = putty_order(k, setting, order);
	for (size_t i = 0; i < n; i++)
		if (list_add(out, g[order[i]].name, strlen(g[order[i]].name)) < 0)
			return -1;
	return 0;
}

int ss_algs_putty_same(ss_alg_kind k, const char *a, const char *b)
{
	int x[MAXG], y[MAXG];
	size_t n = putty_order(k, a, x);
	return n == putty_order(k, b, y) && memcmp(x, y, n * sizeof(*x)) == 0;
}

/* Appends "; " between the sentences of a note. */
static int note(ss_buf *b, const char *text)
{
	if (b->len && ss_buf_adds(b, "; ") < 0)
		return -1;
	return ss_buf_adds(b, text);
}

/* The names of the groups order[from..to) (WARN left out), as a comma list. */
static int names(const group *g, const int *order, size_t from, size_t to, ss_buf *out)
{
	for (size_t i = from; i < to; i++)
		if (g[order[i]].algs[0] &&
		    list_add(out, g[order[i]].name, strlen(g[order[i]].name)) < 0)
			return -1;
	return 0;
}

/* The groups the list asks for, in the order of their first algorithm;
 * notes the algorithms no group offers. */
static int chosen_groups(ss_alg_kind k, const char *list, int *order, size_t *n, unsigned *seen,
			 int *certs, ss_buf *lost)
{
	for (const char *p = list;;) {
		size_t len = next_item(&p);
		if (!len)
			return 0;
		int cert;
		int gi = group_of(k, p, len, &cert);
		*certs |= cert;
		if (gi == NONE && list_add(lost, p, len) < 0)
			return -1;
		if (gi != NONE && !(*seen & (1u << gi))) {
			*seen |= 1u << gi;
			order[(*n)++] = gi;
		}
		p += len;
	}
}

/* The algorithms of the chosen groups that the list does not name. */
static int extras(ss_alg_kind k, const char *list, const int *order, size_t n, ss_buf *out)
{
	size_t ng;
	const group *g = table(k, &ng);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < 8 && g[order[i]].algs[j]; j++) {
			const char *a = g[order[i]].algs[j];
			if (!list_has(list, a, strlen(a)) && list_add(out, a, strlen(a)) < 0)
				return -1;
		}
	return 0;
}

int ss_algs_putty_from_openssh(ss_alg_kind k, const char *list, ss_buf *out, ss_buf *approx)
{
	size_t ng;
	const group *g = table(k, &ng);
	int order[MAXG], rest[MAXG];
	size_t n = 0;
	unsigned seen = 0;
	int certs = 0;
	ss_buf lost = SS_BUF_INIT, more = SS_BUF_INIT, after = SS_BUF_INIT;
	int r = chosen_groups(k, list, order, &n, &seen, &certs, &lost);
	size_t chosen = n;
	/* Then WARN, then the others in the order PuTTY's default gives them. */
	int warn = warn_index(g, ng);
	order[n++] = warn;
	size_t nd = putty_order(k, PUTTY_DEFAULT[k], rest);
	for (size_t i = 0; i < nd; i++)
		if (rest[i] != warn && !(seen & (1u << rest[i])))
			order[n++] = rest[i];
	for (size_t i = 0; i < n && r == 0; i++)
		r = list_add(out, g[order[i]].name, strlen(g[order[i]].name));
	if (r == 0)
		r = extras(k, list, order, chosen, &more);
	if (r == 0)
		r = names(g, order, chosen + 1, n, &after);
	ss_buf s = SS_BUF_INIT;
	if (r == 0 && more.len)
		r = ss_buf_addf(&s, "PuTTY's groups also offer %s", ss_buf_str(&more)) < 0 ||
			    note(approx, ss_buf_str(&s)) < 0
			? -1
			: 0;
	ss_buf_reset(&s);
	if (r == 0 && after.len)
		r = ss_buf_addf(&s,
				"PuTTY cannot disable %s: offered after WARN (a warning; "
				"plink -batch aborts)",
				ss_buf_str(&after)) < 0 ||
			    note(approx, ss_buf_str(&s)) < 0
			? -1
			: 0;
	ss_buf_reset(&s);
	if (r == 0 && lost.len)
		r = ss_buf_addf(&s, "PuTTY has no %s", ss_buf_str(&lost)) < 0 ||
			    note(approx, ss_buf_str(&s)) < 0
			? -1
			: 0;
	if (r == 0 && certs)
		r = note(approx, "certificate types stand for their key types (PuTTY uses host "
				 "certificates only with a configured host CA)");
	ss_buf_release(&s);
	ss_buf_release(&lost);
	ss_buf_release(&more);
	ss_buf_release(&after);
	return r;
}

int ss_algs_openssh_from_putty(ss_alg_kind k, const char *setting, ss_buf *out, ss_buf *approx,
			       int *empty)
{
	size_t ng;
	const group *g = table(k, &ng);
	int order[MAXG];
	size_t n = putty_order(k, setting, order), w = 0;
	while (w < n && g[order[w]].algs[0])
		w++;
	ss_buf lacks = SS_BUF_INIT, after = SS_BUF_INIT, s = SS_BUF_INIT;
	int r = 0;
	for (size_t i = 0; i < w && r == 0; i++)
		for (size_t j = 0; j < 8 && g[order[i]].algs[j] && r == 0; j++) {
			const char *a = g[order[i]].algs[j];
			size_t an = strlen(a);
			r = list_has(SSH_ALL[k], a, an) ? list_add(out, a, an)
							: list_add(&lacks, a, an);
		}
	if (r == 0)
		r = names(g, order, w + 1, n, &after);
	if (r == 0 && after.len)
		r = ss_buf_addf(&s,
				"%s come after WARN (PuTTY offers them after a warning): "
				"left out",
				ss_buf_str(&after)) < 0 ||
			    note(approx, ss_buf_str(&s)) < 0
			? -1
			: 0;
	ss_buf_reset(&s);
	if (r == 0 && lacks.len)
		r = ss_buf_addf(&s, "ssh 9.2 has no %s", ss_buf_str(&lacks)) < 0 ||
			    note(approx, ss_buf_str(&s)) < 0
			? -1
			: 0;
	*empty = out->len == 0;
	ss_buf_release(&s);
	ss_buf_release(&lacks);
	ss_buf_release(&after);
	return r;
}
