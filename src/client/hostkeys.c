/* Host keys between known_hosts and PuTTY's caches (hostkeys.h). */
#include "sshsync/hostkeys.h"
#include "sshsync/session.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

/* --- base64 ------------------------------------------------------------ */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int ss_hk_base64_encode(const unsigned char *data, size_t len, ss_buf *out)
{
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)data[i] << 16;
		size_t n = len - i < 3 ? len - i : 3;
		if (n > 1)
			v |= (uint32_t)data[i + 1] << 8;
		if (n > 2)
			v |= data[i + 2];
		char q[4] = {B64[v >> 18 & 63], B64[v >> 12 & 63], n > 1 ? B64[v >> 6 & 63] : '=',
			     n > 2 ? B64[v & 63] : '='};
		if (ss_buf_add(out, q, 4))
			return -1;
	}
	return ss_buf_add(out, "", 0);
}

static int b64_value(char c)
{
	const char *p = c ? strchr(B64, c) : NULL;
	return p ? (int)(p - B64) : -1;
}

int ss_hk_base64_decode(const char *s, size_t len, ss_buf *out)
{
	if (len % 4)
		return 1;
	for (size_t i = 0; i < len; i += 4) {
		int v[4], pad = 0;
		for (int k = 0; k < 4; k++) {
			if (s[i + k] == '=' && i + 4 == len && k >= 2) {
				v[k] = 0;
				pad++;
			} else if (pad || (v[k] = b64_value(s[i + k])) < 0) {
				return 1;
			}
		}
		unsigned char b[3] = {(unsigned char)(v[0] << 2 | v[1] >> 4),
				      (unsigned char)((v[1] & 15) << 4 | v[2] >> 2),
				      (unsigned char)((v[2] & 3) << 6 | v[3])};
		if (ss_buf_add(out, b, (size_t)(3 - pad)))
			return -1;
	}
	return ss_buf_add(out, "", 0);
}

/* --- SSH wire format --------------------------------------------------- */

typedef struct wire {
	const unsigned char *p;
	size_t left;
} wire;

/* The next length-prefixed string; 0, or 1 when the blob ends early. */
static int wire_string(wire *w, const unsigned char **s, size_t *len)
{
	if (w->left < 4)
		return 1;
	size_t n = (size_t)w->p[0] << 24 | (size_t)w->p[1] << 16 | (size_t)w->p[2] << 8 | w->p[3];
	if (w->left - 4 < n)
		return 1;
	*s = w->p + 4;
	*len = n;
	w->p += 4 + n;
	w->left -= 4 + n;
	return 0;
}

static int wire_is(const unsigned char *s, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(s, want, len) == 0;
}

static int put_string(ss_buf *b, const void *s, size_t len)
{
	unsigned char n[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
			      (unsigned char)(len >> 8), (unsigned char)len};
	return ss_buf_add(b, n, 4) || ss_buf_add(b, s, len) ? -1 : 0;
}

/* An mpint as SSH writes it: big-endian, no leading zero byte unless the
 * top bit is set. */
static int put_mpint(ss_buf *b, const BIGNUM *n)
{
	int len = BN_num_bytes(n);
	unsigned char *tmp = malloc((size_t)len + 1);
	if (!tmp)
		return -1;
	tmp[0] = 0;
	BN_bn2bin(n, tmp + 1);
	int skip = len > 0 && (tmp[1] & 0x80) ? 0 : 1;
	int rc = put_string(b, tmp + skip, (size_t)(len + 1 - skip));
	free(tmp);
	return rc;
}

/* --- hex numbers as PuTTY writes them ------------------------------------ */

/* "0x" and lowercase hex without leading zeros ("0x0" for zero). */
static int add_hex(ss_buf *out, const BIGNUM *n)
{
	char *hex = BN_bn2hex(n);
	if (!hex)
		return -1;
	const char *p = hex;
	while (p[0] == '0' && p[1])
		p++;
	int rc = ss_buf_adds(out, "0x");
	for (; !rc && *p; p++)
		rc = ss_buf_addc(out, (char)tolower((unsigned char)*p));
	OPENSSL_free(hex);
	return rc;
}

/* Parses "0x<hex>" up to a comma or the end; *s moves past the comma. */
static BIGNUM *take_hex(const char **s)
{
	const char *p = *s;
	if (p[0] != '0' || (p[1] != 'x' && p[1] != 'X'))
		return NULL;
	p += 2;
	size_t n = 0;
	while (isxdigit((unsigned char)p[n]))
		n++;
	if (n == 0 || (p[n] != ',' && p[n] != '\0') || n > 4096)
		return NULL;
	char *tmp = ss_strndup(p, n);
	BIGNUM *bn = NULL;
	if (tmp && !BN_hex2bn(&bn, tmp))
		bn = NULL;
	free(tmp);
	*s = p + n + (p[n] == ',');
	return bn;
}

/* --- Ed25519: x from y (RFC 8032 5.1.3) --------------------------------- */

typedef struct ed25519 {
	BIGNUM *p, *d, *sqrtm1;
	BN_CTX *ctx;
} ed25519;

static void ed_release(ed25519 *e)
{
	BN_free(e->p);
	BN_free(e->d);
	BN_free(e->sqrtm1);
	BN_CTX_free(e->ctx);
}

/* p = 2^255 - 19, d = -121665/121666 mod p, sqrt(-1) = 2^((p-1)/4). */
static int ed_init(ed25519 *e)
{
	e->p = BN_new();
	e->d = BN_new();
	e->sqrtm1 = BN_new();
	e->ctx = BN_CTX_new();
	BIGNUM *t = BN_new(), *u = BN_new();
	int ok = e->p && e->d && e->sqrtm1 && e->ctx && t && u && BN_set_bit(e->p, 255) &&
		 BN_sub_word(e->p, 19) && BN_set_word(t, 121666) &&
		 BN_mod_inverse(t, t, e->p, e->ctx) && BN_set_word(u, 121665) &&
		 BN_mod_mul(e->d, u, t, e->p, e->ctx) && BN_sub(e->d, e->p, e->d) &&
		 BN_copy(t, e->p) && BN_sub_word(t, 1) && BN_rshift(t, t, 2) && BN_set_word(u, 2) &&
		 BN_mod_exp(e->sqrtm1, u, t, e->p, e->ctx);
	BN_free(t);
	BN_free(u);
	return ok ? 0 : -1;
}

/* x for the 32-byte encoding `enc`; 0, 1 not a point, -1 memory. */
static int ed_recover_x(ed25519 *e, const unsigned char *enc, BIGNUM *x, BIGNUM *y)
{
	unsigned char be[32];
	for (int i = 0; i < 32; i++)
		be[i] = enc[31 - i];
	int sign = be[0] >> 7;
	be[0] &= 0x7f;
	BIGNUM *y2 = BN_new(), *u = BN_new(), *v = BN_new(), *x2 = BN_new(), *k = BN_new();
	int rc = -1;
	if (!y2 || !u || !v || !x2 || !k || !BN_bin2bn(be, 32, y))
		goto out;
	rc = 1;
	if (BN_cmp(y, e->p) >= 0)
		goto out;
	rc = -1;
	/* x^2 = (y^2 - 1) / (d y^2 + 1) */
	if (!BN_mod_sqr(y2, y, e->p, e->ctx) || !BN_copy(u, y2) || !BN_sub_word(u, 1) ||
	    !BN_nnmod(u, u, e->p, e->ctx) || !BN_mod_mul(v, e->d, y2, e->p, e->ctx) ||
	    !BN_add_word(v, 1) || !BN_nnmod(v, v, e->p, e->ctx))
		goto out;
	rc = 1;
	if (BN_is_zero(v))
		goto out;
	rc = -1;
	if (!BN_mod_inverse(v, v, e->p, e->ctx) || !BN_mod_mul(x2, u, v, e->p, e->ctx) ||
	    !BN_copy(k, e->p) || !BN_add_word(k, 3) || !BN_rshift(k, k, 3) ||
	    !BN_mod_exp(x, x2, k, e->p, e->ctx) || !BN_mod_sqr(k, x, e->p, e->ctx))
		goto out;
	if (BN_cmp(k, x2) != 0) {
		if (!BN_mod_mul(x, x, e->sqrtm1, e->p, e->ctx) || !BN_mod_sqr(k, x, e->p, e->ctx))
			goto out;
		rc = 1;
		if (BN_cmp(k, x2) != 0)
			goto out;
	}
	rc = 1;
	if (BN_is_zero(x) && sign)
		goto out;
	rc = -1;
	if (BN_is_odd(x) != sign && !BN_sub(x, e->p, x))
		goto out;
	rc = 0;
out:
	BN_free(y2);
	BN_free(u);
	BN_free(v);
	BN_free(x2);
	BN_free(k);
	return rc;
}

static int ed25519_to_putty(const unsigned char *enc, size_t len, ss_buf *value, const char **why)
{
	if (len != 32) {
		*why = "an Ed25519 key is 32 bytes";
		return 1;
	}
	ed25519 e = {0};
	BIGNUM *x = BN_new(), *y = BN_new();
	int rc = -1;
	if (x && y && ed_init(&e) == 0) {
		rc = ed_recover_x(&e, enc, x, y);
		if (rc == 1)
			*why = "not a point of Ed25519";
		if (rc == 0)
			rc = add_hex(value, x) || ss_buf_addc(value, ',') || add_hex(value, y) ? -1
											       : 0;
	}
	BN_free(x);
	BN_free(y);
	ed_release(&e);
	return rc;
}

/* --- blob -> PuTTY --------------------------------------------------------- */

/* `count` mpints from w as "0x..,0x..". */
static int mpints_to_hex(wire *w, int count, ss_buf *value, const char **why)
{
	for (int i = 0; i < count; i++) {
		const unsigned char *s;
		size_t n;
		if (wire_string(w, &s, &n) || n > 16384) {
			*why = "the key ends early";
			return 1;
		}
		BIGNUM *bn = BN_bin2bn(s, (int)n, NULL);
		if (!bn)
			return -1;
		int rc = (i && ss_buf_addc(value, ',')) || add_hex(value, bn) ? -1 : 0;
		BN_free(bn);
		if (rc)
			return -1;
	}
	return 0;
}

static const struct curve {
	const char *name; /* nistp256 */
	size_t field;	  /* bytes of one coordinate */
} CURVES[] = {{"nistp256", 32}, {"nistp384", 48}, {"nistp521", 66}};

static int ecdsa_to_putty(wire *w, const unsigned char *type, size_t tlen, ss_buf *tbuf,
			  ss_buf *value, const char **why)
{
	const unsigned char *c, *q;
	size_t clen, qlen;
	if (wire_string(w, &c, &clen) || wire_string(w, &q, &qlen)) {
		*why = "the key ends early";
		return 1;
	}
	for (size_t i = 0; i < sizeof CURVES / sizeof *CURVES; i++) {
		const struct curve *cv = &CURVES[i];
		if (!wire_is(c, clen, cv->name) || tlen != 11 + strlen(cv->name) ||
		    memcmp(type + 11, cv->name, strlen(cv->name)) != 0)
			continue;
		if (qlen != 1 + 2 * cv->field || q[0] != 4) {
			*why = "not an uncompressed curve point";
			return 1;
		}
		BIGNUM *x = BN_bin2bn(q + 1, (int)cv->field, NULL);
		BIGNUM *y = BN_bin2bn(q + 1 + cv->field, (int)cv->field, NULL);
		int rc = !x || !y || ss_buf_add(tbuf, type, tlen) || ss_buf_adds(value, cv->name) ||
				 ss_buf_addc(value, ',') || add_hex(value, x) ||
				 ss_buf_addc(value, ',') || add_hex(value, y)
			     ? -1
			     : 0;
		BN_free(x);
		BN_free(y);
		return rc;
	}
	*why = "an ECDSA curve PuTTY does not know";
	return 1;
}

int ss_hk_blob_to_putty(const unsigned char *blob, size_t len, ss_buf *type, ss_buf *value,
			const char **why)
{
	wire w = {blob, len};
	const unsigned char *t;
	size_t tlen;
	*why = NULL;
	if (wire_string(&w, &t, &tlen)) {
		*why = "not an SSH public key";
		return 1;
	}
	int rc;
	if (wire_is(t, tlen, "ssh-rsa")) {
		rc = mpints_to_hex(&w, 2, value, why);
		if (rc == 0 && ss_buf_adds(type, "rsa2"))
			rc = -1;
	} else if (wire_is(t, tlen, "ssh-dss")) {
		rc = mpints_to_hex(&w, 4, value, why);
		if (rc == 0 && ss_buf_adds(type, "dss"))
			rc = -1;
	} else if (tlen > 11 && memcmp(t, "ecdsa-sha2-", 11) == 0) {
		rc = ecdsa_to_putty(&w, t, tlen, type, value, why);
	} else if (wire_is(t, tlen, "ssh-ed25519")) {
		const unsigned char *k;
		size_t klen;
		if (wire_string(&w, &k, &klen)) {
			*why = "the key ends early";
			return 1;
		}
		rc = ed25519_to_putty(k, klen, value, why);
		if (rc == 0 && ss_buf_adds(type, "ssh-ed25519"))
			rc = -1;
	} else {
		*why = "a key type PuTTY does not cache";
		return 1;
	}
	if (rc == 0 && w.left != 0) {
		*why = "bytes after the key";
		return 1;
	}
	return rc;
}

/* --- PuTTY -> blob --------------------------------------------------------- */

static int hex_list(const char *value, BIGNUM **out, int count)
{
	const char *p = value;
	int got = 0;
	while (got < count && *p) {
		if (!(out[got] = take_hex(&p)))
			return 1;
		got++;
	}
	return got == count && *p == '\0' && p[-1] != ',' ? 0 : 1;
}

static void free_all(BIGNUM **v, int n)
{
	for (int i = 0; i < n; i++)
		BN_free(v[i]);
}

static int mpints_blob(const char *name, const char *value, int count, ss_buf *blob)
{
	BIGNUM *v[4] = {NULL, NULL, NULL, NULL};
	int rc = hex_list(value, v, count);
	if (rc == 0) {
		rc = put_string(blob, name, strlen(name)) ? -1 : 0;
		for (int i = 0; i < count && rc == 0; i++)
			rc = put_mpint(blob, v[i]);
	}
	free_all(v, 4);
	return rc;
}

/* A BIGNUM as exactly `len` big-endian bytes; 1 when it does not fit. */
static int fixed_be(const BIGNUM *n, unsigned char *out, size_t len)
{
	if ((size_t)BN_num_bytes(n) > len)
		return 1;
	return BN_bn2binpad(n, out, (int)len) < 0 ? -1 : 0;
}

static int ecdsa_blob(const char *type, const char *value, ss_buf *blob, const char **ssh_type)
{
	static const char *const NAMES[] = {"ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
					    "ecdsa-sha2-nistp521"};
	for (size_t i = 0; i < sizeof CURVES / sizeof *CURVES; i++) {
		const struct curve *cv = &CURVES[i];
		size_t cl = strlen(cv->name);
		if (strcmp(type, NAMES[i]) != 0)
			continue;
		if (strncmp(value, cv->name, cl) != 0 || value[cl] != ',')
			return 1;
		BIGNUM *v[2] = {NULL, NULL};
		int rc = hex_list(value + cl + 1, v, 2);
		unsigned char q[1 + 2 * 66];
		q[0] = 4;
		if (rc == 0)
			rc = fixed_be(v[0], q + 1, cv->field);
		if (rc == 0)
			rc = fixed_be(v[1], q + 1 + cv->field, cv->field);
		if (rc == 0)
			rc = put_string(blob, NAMES[i], strlen(NAMES[i])) ||
				     put_string(blob, cv->name, cl) ||
				     put_string(blob, q, 1 + 2 * cv->field)
				 ? -1
				 : 0;
		free_all(v, 2);
		*ssh_type = NAMES[i];
		return rc;
	}
	return 1;
}

/* enc = y little-endian, top bit = x's lowest bit. The point is checked
 * (x must be what y gives) so that a damaged entry is not carried. */
static int ed25519_blob(const char *value, ss_buf *blob, const char **why)
{
	BIGNUM *v[2] = {NULL, NULL};
	int rc = hex_list(value, v, 2);
	unsigned char be[32], enc[32];
	if (rc == 0)
		rc = fixed_be(v[1], be, 32);
	if (rc == 0) {
		for (int i = 0; i < 32; i++)
			enc[i] = be[31 - i];
		if (enc[31] & 0x80)
			rc = 1;
		enc[31] |= (unsigned char)(BN_is_odd(v[0]) << 7);
	}
	if (rc == 0) {
		/* Check: recovering x from enc gives the same x. */
		ed25519 e = {0};
		BIGNUM *x = BN_new(), *y = BN_new();
		rc = x && y && ed_init(&e) == 0 ? ed_recover_x(&e, enc, x, y) : -1;
		if (rc == 0 && BN_cmp(x, v[0]) != 0)
			rc = 1;
		if (rc == 1)
			*why = "x and y are not a point of Ed25519";
		BN_free(x);
		BN_free(y);
		ed_release(&e);
	}
	if (rc == 0)
		rc = put_string(blob, "ssh-ed25519", 11) || put_string(blob, enc, 32) ? -1 : 0;
	free_all(v, 2);
	return rc;
}

int ss_hk_putty_to_blob(const char *type, const char *value, ss_buf *blob, const char **ssh_type,
			const char **why)
{
	int rc;
	*why = NULL;
	*ssh_type = NULL;
	if (strcmp(type, "rsa2") == 0) {
		*ssh_type = "ssh-rsa";
		rc = mpints_blob("ssh-rsa", value, 2, blob);
	} else if (strcmp(type, "dss") == 0) {
		*ssh_type = "ssh-dss";
		rc = mpints_blob("ssh-dss", value, 4, blob);
	} else if (strncmp(type, "ecdsa-sha2-", 11) == 0) {
		rc = ecdsa_blob(type, value, blob, ssh_type);
	} else if (strcmp(type, "ssh-ed25519") == 0) {
		*ssh_type = "ssh-ed25519";
		rc = ed25519_blob(value, blob, why);
	} else if (strcmp(type, "ssh-ed448") == 0) {
		*why = "OpenSSH has no Ed448";
		return 1;
	} else {
		*why = "a key type OpenSSH does not know";
		return 1;
	}
	if (rc == 1 && !*why)
		*why = "not a PuTTY key string of its type";
	return rc;
}

/* --- known_hosts names ----------------------------------------------------- */

char *ss_hk_lookup_name(const char *host, int port)
{
	if (port == 22)
		return ss_strdup(host);
	return ss_asprintf("[%s]:%d", host, port);
}

int ss_hk_hashed_is(const char *field, size_t len, const char *name)
{
	if (len < 3 || memcmp(field, "|1|", 3) != 0)
		return -1;
	const char *salt = field + 3, *bar = memchr(salt, '|', len - 3);
	if (!bar)
		return -1;
	ss_buf s = SS_BUF_INIT, h = SS_BUF_INIT;
	int rc = ss_hk_base64_decode(salt, (size_t)(bar - salt), &s);
	if (rc == 0)
		rc = ss_hk_base64_decode(bar + 1, len - (size_t)(bar + 1 - field), &h);
	if (rc == 0 && (s.len != 20 || h.len != 20))
		rc = 1;
	if (rc == 0) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		if (!HMAC(EVP_sha1(), s.data, (int)s.len, (const unsigned char *)name, strlen(name),
			  md, &mdlen))
			rc = -1;
		else
			rc = mdlen == 20 && memcmp(md, h.data, 20) == 0 ? 2 : 3;
	}
	ss_buf_release(&s);
	ss_buf_release(&h);
	return rc == 2 ? 1 : rc == 3 ? 0 : -1;
}

/* OpenSSH's match_pattern: '*' and '?' (case-insensitive for host names). */
static int wild_match(const char *s, const char *p, size_t plen)
{
	if (plen == 0)
		return *s == '\0';
	if (*p == '*') {
		for (;; s++) {
			if (wild_match(s, p + 1, plen - 1))
				return 1;
			if (!*s)
				return 0;
		}
	}
	if (!*s)
		return 0;
	if (*p != '?' && tolower((unsigned char)*p) != tolower((unsigned char)*s))
		return 0;
	return wild_match(s + 1, p + 1, plen - 1);
}

static int has_wildcard(const char *p, size_t n)
{
	return memchr(p, '*', n) || memchr(p, '?', n);
}

/* OpenSSH's match_hostname over a comma list: 1 a positive pattern
 * matches and no negated one, 0 otherwise. *exact says the positive match
 * was a literal name. */
static int list_match(const char *list, size_t len, const char *name, int *exact)
{
	int got = 0;
	*exact = 0;
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && list[j] != ',')
			j++;
		int neg = list[i] == '!';
		const char *p = list + i + neg;
		size_t n = j - i - (size_t)neg;
		if (n && wild_match(name, p, n)) {
			if (neg)
				return 0;
			got = 1;
			if (!has_wildcard(p, n))
				*exact = 1;
		}
		i = j + 1;
	}
	return got;
}

/* --- notes and lists ------------------------------------------------------- */

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 8;
	void *nv = realloc(*v, nc * size);
	if (!nv)
		return -1;
	*v = nv;
	*cap = nc;
	return 0;
}

static int note(ss_hk_putty *p, const char *where, const char *message)
{
	if (grow((void **)&p->notes, &p->cap_notes, p->n_notes, sizeof *p->notes))
		return -1;
	ss_hk_note *n = &p->notes[p->n_notes];
	n->where = ss_strdup(where);
	n->message = ss_strdup(message);
	if (!n->where || !n->message) {
		free(n->where);
		free(n->message);
		return -1;
	}
	p->n_notes++;
	return 0;
}

static int notef(ss_hk_putty *p, const char *where, const char *fmt, ...) SS_PRINTF(3, 4);
static int notef(ss_hk_putty *p, const char *where, const char *fmt, ...)
{
	ss_buf b = SS_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int rc = ss_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (rc == 0)
		rc = note(p, where, ss_buf_str(&b));
	ss_buf_release(&b);
	return rc;
}

static int add_pair(ss_hk_pair **v, size_t *n, size_t *cap, const char *name, const char *value)
{
	if (grow((void **)v, cap, *n, sizeof **v))
		return -1;
	char *a = ss_strdup(name), *b = ss_strdup(value);
	if (!a || !b) {
		free(a);
		free(b);
		return -1;
	}
	(*v)[*n].name = a;
	(*v)[*n].value = b;
	(*n)++;
	return 0;
}

static ss_hk_manual *manual_for(ss_hk_putty *p, const char *session)
{
	for (size_t i = 0; i < p->n_manual; i++)
		if (strcmp(p->manual[i].session, session) == 0)
			return &p->manual[i];
	if (grow((void **)&p->manual, &p->cap_manual, p->n_manual, sizeof *p->manual))
		return NULL;
	ss_hk_manual *m = &p->manual[p->n_manual];
	memset(m, 0, sizeof *m);
	if (!(m->session = ss_strdup(session)))
		return NULL;
	p->n_manual++;
	return m;
}

static int manual_add(ss_hk_putty *p, const char *session, const char *b64)
{
	ss_hk_manual *m = manual_for(p, session);
	if (!m)
		return -1;
	for (size_t i = 0; i < m->keys.n; i++)
		if (strcmp(m->keys.v[i], b64) == 0)
			return 0;
	return ss_strlist_push(&m->keys, b64);
}

void ss_hk_putty_release(ss_hk_putty *p)
{
	for (size_t i = 0; i < p->n_keys; i++) {
		free(p->keys[i].name);
		free(p->keys[i].value);
	}
	for (size_t i = 0; i < p->n_manual; i++) {
		free(p->manual[i].session);
		ss_strlist_release(&p->manual[i].keys);
	}
	for (size_t i = 0; i < p->n_cas; i++) {
		free(p->cas[i].name);
		free(p->cas[i].public_key);
		free(p->cas[i].validity);
	}
	for (size_t i = 0; i < p->n_notes; i++) {
		free(p->notes[i].where);
		free(p->notes[i].message);
	}
	free(p->keys);
	free(p->manual);
	free(p->cas);
	free(p->notes);
	memset(p, 0, sizeof *p);
}

/* --- known_hosts -> PuTTY ------------------------------------------------- */

/* One known_hosts line split into fields (pointers into the line). */
typedef struct kh_line {
	const char *marker, *hosts, *type, *key;
	size_t marker_len, hosts_len, type_len, key_len;
} kh_line;

static const char *field(const char **p, const char *end, size_t *len)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
	const char *s = *p;
	while (*p < end && **p != ' ' && **p != '\t')
		(*p)++;
	*len = (size_t)(*p - s);
	return *len ? s : NULL;
}

static int split_line(const char *s, const char *end, kh_line *l)
{
	memset(l, 0, sizeof *l);
	const char *p = s;
	const char *f = field(&p, end, &l->hosts_len);
	if (!f || *f == '#')
		return 1; /* blank or comment */
	l->hosts = f;
	if (*f == '@') {
		l->marker = f;
		l->marker_len = l->hosts_len;
		l->hosts = field(&p, end, &l->hosts_len);
	}
	l->type = field(&p, end, &l->type_len);
	l->key = field(&p, end, &l->key_len);
	return l->hosts && l->type && l->key ? 0 : 2;
}

/* Whether a host name is an IPv4 or IPv6 address (PuTTY never looks
 * addresses up in its cache when a name was given). */
static int is_address(const char *s, size_t n)
{
	int v4 = 1, v6 = memchr(s, ':', n) != NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isdigit(c) && c != '.')
			v4 = 0;
		if (!isxdigit(c) && c != ':' && c != '.')
			v6 = 0;
	}
	return v4 || v6;
}

/* "host" -> (host, 22), "[host]:port" -> (host, port); 1 when malformed. */
static int split_name(const char *s, size_t n, ss_buf *host, int *port)
{
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close || (size_t)(close - s) + 2 > n || close[1] != ':')
			return 1;
		long long v = 0;
		const char *q = close + 2, *e = s + n;
		if (q == e)
			return 1;
		for (; q < e; q++) {
			if (!isdigit((unsigned char)*q) || (v = v * 10 + (*q - '0')) > 65535)
				return 1;
		}
		*port = (int)v;
		return ss_buf_add(host, s + 1, (size_t)(close - s - 1)) ? -1 : 0;
	}
	*port = 22;
	return ss_buf_add(host, s, n) ? -1 : 0;
}

typedef struct kh_ctx {
	const char *file;
	size_t line;
	char where[64];
	const ss_hk_host *hosts;
	size_t n_hosts;
	ss_hk_putty *out;
	/* keys already given to a host by type: "TYPE@PORT:HOST" of p->keys */
} kh_ctx;

static int where(kh_ctx *c, ss_buf *b)
{
	ss_buf_reset(b);
	return ss_buf_addf(b, "%s:%zu", c->file, c->line);
}

/* Adds a cache entry, or, when the name has one of this type already with
 * another key, moves both to the session's manual keys. */
static int add_cache(kh_ctx *c, const char *w, const char *cname, const char *value,
		     const char *b64, const char *host, int port)
{
	ss_hk_putty *p = c->out;
	for (size_t i = 0; i < p->n_keys; i++) {
		if (strcmp(p->keys[i].name, cname) != 0)
			continue;
		if (strcmp(p->keys[i].value, value) == 0)
			return 0;
		/* A second key of one type (a cluster): PuTTY's cache keeps one. */
		int pinned = 0;
		for (size_t h = 0; h < c->n_hosts; h++) {
			if (strcmp(c->hosts[h].name, host) != 0 || c->hosts[h].port != port)
				continue;
			if (manual_add(p, c->hosts[h].session, b64))
				return -1;
			pinned = 1;
		}
		if (pinned)
			return notef(p, w,
				     "%s: a second key of this type; PuTTY caches one, so the "
				     "session pins this one in SSHManualHostKeys",
				     cname);
		return notef(p, w,
			     "%s: a second key of this type; PuTTY caches one (the first is kept)",
			     cname);
	}
	return add_pair(&p->keys, &p->n_keys, &p->cap_keys, cname, value);
}

/* The key of every migrated host it matches also goes to that session's
 * manual list when a first key was cached for it under another line. */
static int plain_names(kh_ctx *c, const kh_line *l, const char *type, const char *value,
		       const char *b64)
{
	if (l->hosts_len >= 3 && memcmp(l->hosts, "|1|", 3) == 0)
		return 0; /* hashed: only for the migrated hosts */
	ss_buf w = SS_BUF_INIT, host = SS_BUF_INIT, cname = SS_BUF_INIT;
	int rc = where(c, &w);
	const char *s = l->hosts, *e = l->hosts + l->hosts_len;
	while (rc == 0 && s < e) {
		const char *comma = memchr(s, ',', (size_t)(e - s));
		size_t n = (size_t)((comma ? comma : e) - s);
		int port = 22;
		ss_buf_reset(&host);
		ss_buf_reset(&cname);
		if (n == 0 || s[0] == '!' || has_wildcard(s, n)) {
			/* patterns are matched against the migrated hosts below */
		} else if ((rc = split_name(s, n, &host, &port)) == 1) {
			char *name = ss_strndup(s, n);
			rc = name
				 ? notef(c->out, w.data, "%s: not a host name or [host]:port", name)
				 : -1;
			free(name);
		} else if (rc == 0 && is_address(host.data, host.len)) {
			rc = notef(c->out, w.data,
				   "%s: an address; PuTTY looks keys up by the name it was given",
				   host.data);
		} else if (rc == 0) {
			rc = ss_buf_addf(&cname, "%s@%d:%s", type, port, host.data) ||
				     add_cache(c, w.data, cname.data, value, b64, host.data, port)
				 ? -1
				 : 0;
		}
		s += n + 1;
	}
	ss_buf_release(&w);
	ss_buf_release(&host);
	ss_buf_release(&cname);
	return rc;
}

/* Hashed names and patterns: only for the hosts being migrated. */
static int migrated_hosts(kh_ctx *c, const kh_line *l, const char *type, const char *value,
			  const char *b64)
{
	int hashed = l->hosts_len >= 3 && memcmp(l->hosts, "|1|", 3) == 0;
	int pattern = !hashed && (has_wildcard(l->hosts, l->hosts_len) ||
				  memchr(l->hosts, '!', l->hosts_len) != NULL);
	if (!hashed && !pattern)
		return 0;
	ss_buf w = SS_BUF_INIT, cname = SS_BUF_INIT;
	int rc = where(c, &w), found = 0;
	for (size_t h = 0; rc == 0 && h < c->n_hosts; h++) {
		const ss_hk_host *hh = &c->hosts[h];
		char *name = ss_hk_lookup_name(hh->name, hh->port);
		int exact = 0, m;
		if (!name) {
			rc = -1;
			break;
		}
		m = hashed ? ss_hk_hashed_is(l->hosts, l->hosts_len, name)
			   : list_match(l->hosts, l->hosts_len, name, &exact);
		free(name);
		if (m < 0) {
			rc = note(c->out, w.data, "a hashed name that is not |1|salt|hash");
			break;
		}
		if (!m)
			continue;
		found = 1;
		if (hashed || exact) {
			ss_buf_reset(&cname);
			rc =
			    ss_buf_addf(&cname, "%s@%d:%s", type, hh->port, hh->name) ||
				    add_cache(c, w.data, cname.data, value, b64, hh->name, hh->port)
				? -1
				: 0;
		} else {
			rc = manual_add(c->out, hh->session, b64) ||
				     notef(c->out, w.data,
					   "a wildcard pattern; PuTTY's cache is exact, so "
					   "session %s pins the key in SSHManualHostKeys "
					   "(which replaces the cache for it)",
					   hh->session)
				 ? -1
				 : 0;
		}
	}
	if (rc == 0 && !found)
		rc =
		    note(c->out, w.data,
			 hashed ? "a hashed name that is none of the migrated hosts: not carried"
				: "a pattern that matches none of the migrated hosts: not carried");
	ss_buf_release(&w);
	ss_buf_release(&cname);
	return rc;
}

/* One OpenSSH pattern as a cert-expr term; 1 when it has no form there. */
static int ca_term(const char *s, size_t n, ss_buf *out)
{
	static const char ATOM[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789.-_*?";
	const char *h = s;
	size_t hn = n;
	const char *port = NULL;
	size_t pn = 0;
	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close || (size_t)(close - s) + 2 >= n || close[1] != ':')
			return 1;
		h = s + 1;
		hn = (size_t)(close - h);
		port = close + 2;
		pn = n - (size_t)(port - s);
		for (size_t i = 0; i < pn; i++)
			if (!isdigit((unsigned char)port[i]))
				return 1; /* a wildcard port */
	}
	if (hn == 0)
		return 1;
	for (size_t i = 0; i < hn; i++)
		if (!strchr(ATOM, h[i]) || h[i] == '\0')
			return 1;
	if (port)
		return ss_buf_addf(out, "(%.*s && port:%.*s)", (int)hn, h, (int)pn, port) ? -1 : 0;
	/* A bare pattern matches the port-22 name only, unless it ends in a
	 * wildcard that also matches "[host]:port". */
	if (h[hn - 1] == '*' || h[hn - 1] == '?')
		return ss_buf_add(out, h, hn) ? -1 : 0;
	return ss_buf_addf(out, "(%.*s && port:22)", (int)hn, h) ? -1 : 0;
}

/* OpenSSH `a,b,!c` -> `(a || b) && !c`. */
static int ca_validity(const char *list, size_t len, ss_buf *out, const char **why)
{
	ss_buf pos = SS_BUF_INIT, neg = SS_BUF_INIT;
	int rc = 0, npos = 0;
	for (size_t i = 0; rc == 0 && i < len;) {
		size_t j = i;
		while (j < len && list[j] != ',')
			j++;
		int isneg = list[i] == '!';
		ss_buf *b = isneg ? &neg : &pos;
		if (b->len)
			rc = ss_buf_adds(b, isneg ? " && " : " || ");
		if (rc == 0 && isneg)
			rc = ss_buf_addc(b, '!');
		if (rc == 0)
			rc = ca_term(list + i + isneg, j - i - (size_t)isneg, b);
		if (rc == 1)
			*why = "a pattern with no form in PuTTY's certificate expressions";
		npos += !isneg;
		i = j + 1;
	}
	if (rc == 0 && npos == 0) {
		*why = "only negated patterns (OpenSSH never matches such a line)";
		rc = 1;
	}
	if (rc == 0)
		rc = neg.len ? ss_buf_addf(out, "(%s) && %s", pos.data, neg.data)
			     : ss_buf_adds(out, pos.data);
	ss_buf_release(&pos);
	ss_buf_release(&neg);
	return rc;
}

static int add_ca(kh_ctx *c, const kh_line *l, const char *b64, const char *keytype)
{
	ss_hk_putty *p = c->out;
	ss_buf w = SS_BUF_INIT, v = SS_BUF_INIT;
	const char *why = NULL;
	int rc = where(c, &w);
	if (rc == 0 && l->hosts_len >= 3 && memcmp(l->hosts, "|1|", 3) == 0) {
		rc = note(p, w.data, "@cert-authority with a hashed name: not carried");
		goto out;
	}
	if (rc == 0 && (rc = ca_validity(l->hosts, l->hosts_len, &v, &why)) == 1) {
		rc = notef(p, w.data, "@cert-authority: %s; not carried", why);
		goto out;
	}
	if (rc == 0)
		rc = grow((void **)&p->cas, &p->cap_cas, p->n_cas, sizeof *p->cas);
	if (rc == 0) {
		ss_hk_ca *ca = &p->cas[p->n_cas];
		const char *base = strrchr(c->file, '/');
		memset(ca, 0, sizeof *ca);
		ca->name = ss_asprintf("%s-%zu", base ? base + 1 : c->file, c->line);
		ca->public_key = ss_strdup(b64);
		ca->validity = ss_strdup(v.data);
		/* OpenSSH accepts RSA CA signatures with SHA-2 only
		 * (CASignatureAlgorithms); PuTTY's defaults say the same. */
		ca->permit_rsa_sha1 = 0;
		ca->permit_rsa_sha256 = ca->permit_rsa_sha512 = strcmp(keytype, "ssh-rsa") == 0;
		if (!ca->name || !ca->public_key || !ca->validity) {
			free(ca->name);
			free(ca->public_key);
			free(ca->validity);
			rc = -1;
		} else {
			p->n_cas++;
			rc = note(p, w.data,
				  "@cert-authority: a host CA (PuTTY 0.78+, WinSCP; not KiTTY)");
		}
	}
out:
	ss_buf_release(&w);
	ss_buf_release(&v);
	return rc;
}

static int kh_one(kh_ctx *c, const char *s, const char *end)
{
	kh_line l;
	ss_buf w = SS_BUF_INIT, blob = SS_BUF_INIT, type = SS_BUF_INIT, value = SS_BUF_INIT,
	       b64 = SS_BUF_INIT;
	int rc = split_line(s, end, &l);
	if (rc == 1)
		return 0;
	if (where(c, &w)) {
		rc = -1;
		goto out;
	}
	if (rc == 2) {
		rc = note(c->out, w.data, "not a known_hosts line (hosts, key type, key)");
		goto out;
	}
	if (l.marker && l.marker_len == 8 && memcmp(l.marker, "@revoked", 8) == 0) {
		rc = note(c->out, w.data,
			  "@revoked: PuTTY, KiTTY and WinSCP cannot revoke a key; not carried");
		goto out;
	}
	if (l.marker && !(l.marker_len == 15 && memcmp(l.marker, "@cert-authority", 15) == 0)) {
		rc = note(c->out, w.data, "an unknown marker: not carried");
		goto out;
	}
	rc = ss_hk_base64_decode(l.key, l.key_len, &blob);
	if (rc == 0 && ss_buf_add(&b64, l.key, l.key_len))
		rc = -1;
	const char *why = "not base64";
	if (rc == 0) {
		rc = ss_hk_blob_to_putty((unsigned char *)blob.data, blob.len, &type, &value, &why);
		/* The line's type must be the blob's. */
		wire wr = {(unsigned char *)blob.data, blob.len};
		const unsigned char *t;
		size_t tl;
		if (rc == 0 &&
		    (wire_string(&wr, &t, &tl) || tl != l.type_len || memcmp(t, l.type, tl) != 0)) {
			why = "the key type does not match the key";
			rc = 1;
		}
	}
	if (rc == 1) {
		rc = notef(c->out, w.data, "%s: not carried", why);
		goto out;
	}
	if (rc)
		goto out;
	if (l.marker) {
		char *t = ss_strndup(l.type, l.type_len);
		rc = t ? add_ca(c, &l, b64.data, t) : -1;
		free(t);
		goto out;
	}
	rc = plain_names(c, &l, type.data, value.data, b64.data);
	if (rc == 0)
		rc = migrated_hosts(c, &l, type.data, value.data, b64.data);
out:
	ss_buf_release(&w);
	ss_buf_release(&blob);
	ss_buf_release(&type);
	ss_buf_release(&value);
	ss_buf_release(&b64);
	return rc;
}

int ss_hk_from_known_hosts(const char *text, size_t len, const char *file, const ss_hk_host *hosts,
			   size_t n_hosts, ss_hk_putty *out, ss_diag *d)
{
	kh_ctx c = {file, 0, {0}, hosts, n_hosts, out};
	const char *s = text, *end = text + len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		c.line++;
		if (kh_one(&c, s, e > s && e[-1] == '\r' ? e - 1 : e))
			return ss_diag_oom(d);
		s = nl ? nl + 1 : end;
	}
	return 0;
}

/* --- PuTTY -> known_hosts ------------------------------------------------- */

/* "TYPE@PORT:HOST" -> its parts; 1 when malformed. */
static int split_cache_name(const char *name, ss_buf *type, int *port, const char **host)
{
	const char *at = strchr(name, '@');
	if (!at || at == name)
		return 1;
	const char *p = at + 1;
	long long v = 0;
	if (!isdigit((unsigned char)*p))
		return 1;
	for (; isdigit((unsigned char)*p); p++)
		if ((v = v * 10 + (*p - '0')) > 65535)
			return 1;
	if (*p != ':' || p[1] == '\0')
		return 1;
	*port = (int)v;
	*host = p + 1;
	return ss_buf_add(type, name, (size_t)(at - name)) ? -1 : 0;
}

/* A WinSCP fingerprint ("ssh-ed25519 255 SHA256:..." or an MD5 hex list):
 * a value whose part after the first comma does not start with 0x. */
static int is_fingerprint(const char *v)
{
	const char *comma = strchr(v, ',');
	if (!comma)
		return strncmp(v, "0x", 2) != 0;
	if (strncmp(v, "nistp", 5) == 0) {
		return strncmp(comma + 1, "0x", 2) != 0;
	}
	return strncmp(v, "0x", 2) != 0 || strncmp(comma + 1, "0x", 2) != 0;
}

static int one_entry(const ss_hk_pair *e, const char *value, ss_buf *out, ss_hk_putty *notes)
{
	ss_buf type = SS_BUF_INIT, blob = SS_BUF_INIT, b64 = SS_BUF_INIT;
	const char *host = NULL, *ssh_type = NULL, *why = NULL;
	int port = 22;
	int rc = split_cache_name(e->name, &type, &port, &host);
	if (rc == 1) {
		rc = note(notes, e->name, "not a TYPE@PORT:HOST name: not carried");
		goto out;
	}
	if (rc == 0 && is_fingerprint(value)) {
		rc = note(notes, e->name,
			  "a fingerprint, not a key (WinSCP kept only that): cannot become a "
			  "known_hosts line");
		goto out;
	}
	if (rc == 0 && (rc = ss_hk_putty_to_blob(type.data, value, &blob, &ssh_type, &why)) == 1) {
		rc = notef(notes, e->name, "%s: not carried", why);
		goto out;
	}
	if (rc == 0)
		rc = ss_hk_base64_encode((unsigned char *)blob.data, blob.len, &b64);
	if (rc == 0) {
		char *name = ss_hk_lookup_name(host, port);
		rc = name ? ss_buf_addf(out, "%s %s %s\n", name, ssh_type, b64.data) : -1;
		free(name);
	}
out:
	ss_buf_release(&type);
	ss_buf_release(&blob);
	ss_buf_release(&b64);
	return rc;
}

int ss_hk_to_known_hosts(const ss_hk_pair *entries, size_t n, ss_buf *out, ss_hk_putty *notes,
			 ss_diag *d)
{
	for (size_t i = 0; i < n; i++) {
		/* WinSCP keeps several keys as a ';' list. */
		const char *v = entries[i].value;
		while (1) {
			const char *semi = strchr(v, ';');
			char *one = ss_strndup(v, semi ? (size_t)(semi - v) : strlen(v));
			int rc = one ? one_entry(&entries[i], one, out, notes) : -1;
			free(one);
			if (rc)
				return ss_diag_oom(d);
			if (!semi)
				break;
			v = semi + 1;
		}
	}
	return 0;
}

/* --- rendering -------------------------------------------------------------- */

int ss_hk_render_putty_file(const ss_hk_putty *p, ss_buf *out)
{
	for (size_t i = 0; i < p->n_keys; i++)
		if (ss_buf_addf(out, "%s %s\n", p->keys[i].name, p->keys[i].value))
			return -1;
	return ss_buf_add(out, "", 0);
}

/* PuTTY's percent_encode: everything but letters, digits and "-_.~". */
static int percent(ss_buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int rc = isalnum(c) || strchr("-_.~*?", c) ? ss_buf_addc(out, (char)c)
							   : ss_buf_addf(out, "%%%02X", c);
		if (rc)
			return -1;
	}
	return 0;
}

int ss_hk_render_putty_ca(const ss_hk_ca *ca, ss_buf *out)
{
	if (ss_buf_addf(out, "PublicKey=%s\nValidity=", ca->public_key) ||
	    percent(out, ca->validity) ||
	    ss_buf_addf(out, "\nPermitRSASHA1=%d\nPermitRSASHA256=%d\nPermitRSASHA512=%d\n",
			ca->permit_rsa_sha1, ca->permit_rsa_sha256, ca->permit_rsa_sha512))
		return -1;
	return 0;
}

int ss_hk_render_manual(const ss_hk_manual *m, ss_buf *out)
{
	for (size_t i = 0; i < m->keys.n; i++) {
		if (i && ss_buf_addc(out, ','))
			return -1;
		for (const char *s = m->keys.v[i]; *s; s++)
			if ((strchr("=,\\", *s) && ss_buf_addc(out, '\\')) || ss_buf_addc(out, *s))
				return -1;
	}
	return ss_buf_add(out, "", 0);
}

/* --- the migrated sessions ------------------------------------------------- */

static int keep_str(ss_strlist *keep, const char *s, size_t n, const char **out)
{
	char *c = ss_strndup(s, n);
	if (!c || ss_strlist_push_owned(keep, c))
		return -1;
	*out = c;
	return 0;
}

int ss_hk_hosts_of_sessions(const ss_sessions *l, ss_hk_host **hosts, size_t *n, ss_strlist *keep)
{
	*hosts = NULL;
	*n = 0;
	if (l->n == 0)
		return 0;
	ss_hk_host *v = calloc(l->n, sizeof *v);
	if (!v)
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		const ss_session *s = &l->v[i];
		const char *alias = s->f[SS_F_HOST_KEY_ALIAS].str, *name = s->f[SS_F_HOST].str;
		int port = (int)s->f[SS_F_PORT].num;
		size_t len = name ? strlen(name) : 0;
		if (alias && *alias) {
			const char *colon = strrchr(alias, ':');
			port = 22;
			len = strlen(alias);
			if (colon && colon[1] &&
			    strspn(colon + 1, "0123456789") == strlen(colon + 1) &&
			    !strchr(alias, ']')) {
				port = atoi(colon + 1);
				len = (size_t)(colon - alias);
			}
			name = alias;
		}
		const char *sess = s->name;
		if (s->skip || !name || !sess)
			continue;
		if (keep_str(keep, name, len, &v[*n].name)) {
			free(v);
			return -1;
		}
		v[*n].port = port;
		v[*n].session = sess;
		(*n)++;
	}
	*hosts = v;
	return 0;
}
