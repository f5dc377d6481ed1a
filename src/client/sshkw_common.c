/* The value parsers ssh and sshd 9.2p1 share (misc.c, cipher.c, mac.c,
 * kex.c with Debian's GSSAPI key exchange, sshkey.c, log.c, fmt_scaled.c),
 * for the keyword checks of ssh_keywords.c and sshd_values.c. The name
 * lists are what `ssh -Q cipher|mac|kex|key-sig` print on Debian 12. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sshkw_int.h"
#include "sshsync/buf.h"
#include "sshsync/openssh.h"
#include "sshsync/sshmatch.h"
#include "sshsync/os_net.h"
#include "sshsync/os_path.h"
#include "sshsync/os_user.h"

/* --- messages --- */

const char *kw_arg(const kw_ctx *x, size_t i)
{
	return i < x->it->nargs ? x->it->args[i].value : NULL;
}

int kw_fail(const kw_ctx *x, size_t i, const char *fmt, ...)
{
	size_t at = i < x->it->nargs ? x->it->args[i].start : x->it->rest;
	ss_buf msg = SS_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int r = ss_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0) {
		ss_buf_release(&msg);
		return ss_diag_oom(x->d);
	}
	ss_text_error(x->t, x->d, at, "keyword %s: %s", x->name, ss_buf_str(&msg));
	ss_buf_release(&msg);
	return -1;
}

int kw_extra(const kw_ctx *x, size_t used)
{
	if (x->it->nargs <= used)
		return 0;
	return kw_fail(x, used,
		       "extra arguments at end of line: expected nothing after the value, "
		       "found \"%s\"",
		       kw_arg(x, used));
}

int kw_need(const kw_ctx *x, size_t i, const char *what)
{
	const char *a = kw_arg(x, i);
	if (a && *a)
		return 0;
	return kw_fail(x, i, "Missing argument: expected %s", what);
}

int kw_multi(const char *arg, const char *const *values)
{
	if (!arg)
		return -1;
	for (int i = 0; values[i]; i++)
		if (strcasecmp(arg, values[i]) == 0)
			return i;
	return -1;
}

const char *kw_join(const char *const *values, char *buf, size_t size)
{
	size_t n = 0, len = 0;
	while (values[n])
		n++;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++) {
		int w = snprintf(buf + len, size - len, "%s%s",
				 i == 0	      ? ""
				 : i + 1 == n ? " or "
					      : ", ",
				 values[i]);
		if (w < 0)
			break;
		len += (size_t)w;
	}
	return buf;
}

int kw_tilde(const kw_ctx *x, size_t i, const char *s)
{
	if (s[0] != '~' || s[1] == '\0' || ss_os_is_sep(s[1]))
		return 0;
	const char *slash = ss_os_first_sep(s + 1);
	char *user = slash ? ss_strndup(s + 1, (size_t)(slash - s - 1)) : ss_strdup(s + 1);
	if (!user)
		return ss_diag_oom(x->d);
	int known = ss_os_user_exists(user);
	if (!known)
		kw_fail(x, i,
			"tilde_expand: No such user %s: expected ~/ or ~USER/ with a user of "
			"this machine",
			user);
	free(user);
	return known ? 0 : -1;
}

/* --- numbers --- */

char *kw_strsep(char **sp, const char *delim)
{
	char *s = *sp;
	if (!s)
		return NULL;
	char *end = s + strcspn(s, delim);
	if (*end) {
		*end = '\0';
		*sp = end + 1;
	} else {
		*sp = NULL;
	}
	return s;
}

long kw_convtime(const char *s)
{
	return ss_openssh_convtime(s);
}

int kw_strtonum(const char *s, long long lo, long long hi, long long *out)
{
	/* OpenBSD strtonum(): strtoll, the whole string, within [lo, hi] */
	char *end;
	if (!s || !*s)
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno == ERANGE || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

const char *kw_atoi_err(const char *s, long *out)
{
	if (!s || !*s)
		return "missing";
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end != '\0')
		return "invalid";
	if ((errno == ERANGE && v == LLONG_MIN) || v < 0)
		return "too small";
	if (errno == ERANGE || v > INT_MAX)
		return "too large";
	*out = (long)v;
	return NULL;
}

int kw_a2port(const char *s)
{
	long long v;
	if (kw_strtonum(s, 0, 65535, &v) == 0)
		return (int)v;
	int port = ss_os_service_port(s);
	if (port >= 0)
		return port;
	return -1;
}

/* fmt_scaled.c scan_scaled(): digits with one '.', a unit B K M G T P E
 * (either case) not followed by a letter or digit. */
static int scan_scaled(const char *p, long long *result)
{
	static const char units[] = "BKMGTPE";
	int sign = 0;
	unsigned ndigits = 0, fract = 0;
	long long whole = 0, fpart = 0;
	while (isascii((unsigned char)*p) && isspace((unsigned char)*p))
		p++;
	while (*p == '-' || *p == '+') {
		if (sign)
			return EINVAL;
		sign = *p == '-' ? -1 : 1;
		p++;
	}
	for (; isascii((unsigned char)*p) && (isdigit((unsigned char)*p) || *p == '.'); p++) {
		if (*p == '.') {
			if (fract)
				return EINVAL;
			fract = 1;
			continue;
		}
		int i = *p - '0';
		if (fract) {
			if (fract >= 21 - 1)
				continue;
			fract++;
			if (fpart > LLONG_MAX / 10)
				return ERANGE;
			fpart = fpart * 10 + i;
		} else {
			if (++ndigits >= 21)
				return ERANGE;
			if (whole > LLONG_MAX / 10)
				return ERANGE;
			whole *= 10;
			if (i > LLONG_MAX - whole)
				return ERANGE;
			whole += i;
		}
	}
	if (sign)
		whole *= sign;
	if (!*p) {
		*result = whole;
		return 0;
	}
	for (size_t u = 0; u < 7; u++) {
		if (*p != units[u] && *p != tolower((unsigned char)units[u]))
			continue;
		long long fact = 1;
		for (size_t k = 0; k < u; k++)
			fact *= 1024;
		if (isalnum((unsigned char)p[1]))
			return EINVAL;
		if (whole > LLONG_MAX / fact || whole < LLONG_MIN / fact)
			return ERANGE;
		whole *= fact;
		while (fpart >= LLONG_MAX / fact || fpart <= LLONG_MIN / fact) {
			fpart /= 10;
			fract--;
		}
		fpart *= fact;
		for (unsigned i = 0; fract > 0 && i < fract - 1; i++)
			fpart /= 10;
		*result = sign == -1 ? whole - fpart : whole + fpart;
		return 0;
	}
	return EINVAL;
}

int kw_scan_scaled(const char *s, long long *out)
{
	return scan_scaled(s, out) == 0 ? 0 : -1;
}

const char *kw_scan_scaled_error(const char *s)
{
	long long v;
	return scan_scaled(s, &v) == ERANGE ? "Numerical result out of range" : "Invalid argument";
}

int kw_loglevel(const char *s)
{
	static const char *const levels[] = {"QUIET", "FATAL",	"ERROR",  "INFO",   "VERBOSE",
					     "DEBUG", "DEBUG1", "DEBUG2", "DEBUG3", NULL};
	return kw_multi(s, levels) >= 0;
}

int kw_facility(const char *s)
{
	static const char *const fac[] = {"DAEMON", "USER",   "AUTH",	"AUTHPRIV", "LOCAL0",
					  "LOCAL1", "LOCAL2", "LOCAL3", "LOCAL4",   "LOCAL5",
					  "LOCAL6", "LOCAL7", NULL};
	return kw_multi(s, fac) >= 0;
}

int kw_valid_env_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

const char *kw_valid_domain(const char *name, char *buf, size_t size)
{
	size_t l = strlen(name);
	unsigned char last = '\0';
	if (l == 0) {
		snprintf(buf, size, "empty domain name");
		return buf;
	}
	if (!isalpha((unsigned char)name[0]) && !isdigit((unsigned char)name[0])) {
		snprintf(buf, size, "domain name \"%.100s\" starts with invalid character", name);
		return buf;
	}
	for (size_t i = 0; i < l; i++) {
		unsigned char c = (unsigned char)tolower((unsigned char)name[i]);
		if (last == '.' && c == '.') {
			snprintf(buf, size,
				 "domain name \"%.100s\" contains consecutive separators", name);
			return buf;
		}
		if (c != '.' && c != '-' && !isalnum(c) && c != '_') {
			snprintf(buf, size, "domain name \"%.100s\" contains invalid characters",
				 name);
			return buf;
		}
		last = c;
	}
	return NULL;
}

/* --- algorithm names --- */

const char *const kw_cipher_names[] = {"3des-cbc",
				       "aes128-cbc",
				       "aes192-cbc",
				       "aes256-cbc",
				       "aes128-ctr",
				       "aes192-ctr",
				       "aes256-ctr",
				       "aes128-gcm@openssh.com",
				       "aes256-gcm@openssh.com",
				       "chacha20-poly1305@openssh.com",
				       NULL};

const char *const kw_mac_names[] = {"hmac-sha1",
				    "hmac-sha1-96",
				    "hmac-sha2-256",
				    "hmac-sha2-512",
				    "hmac-md5",
				    "hmac-md5-96",
				    "umac-64@openssh.com",
				    "umac-128@openssh.com",
				    "hmac-sha1-etm@openssh.com",
				    "hmac-sha1-96-etm@openssh.com",
				    "hmac-sha2-256-etm@openssh.com",
				    "hmac-sha2-512-etm@openssh.com",
				    "hmac-md5-etm@openssh.com",
				    "hmac-md5-96-etm@openssh.com",
				    "umac-64-etm@openssh.com",
				    "umac-128-etm@openssh.com",
				    NULL};

const char *const kw_kex_names[] = {"diffie-hellman-group1-sha1",
				    "diffie-hellman-group14-sha1",
				    "diffie-hellman-group14-sha256",
				    "diffie-hellman-group16-sha512",
				    "diffie-hellman-group18-sha512",
				    "diffie-hellman-group-exchange-sha1",
				    "diffie-hellman-group-exchange-sha256",
				    "ecdh-sha2-nistp256",
				    "ecdh-sha2-nistp384",
				    "ecdh-sha2-nistp521",
				    "curve25519-sha256",
				    "curve25519-sha256@libssh.org",
				    "sntrup761x25519-sha512",
				    "sntrup761x25519-sha512@openssh.com",
				    NULL};

/* Debian's GSSAPI key exchange: a name is valid when it starts with one of
 * these (kex_alg_by_name compares the prefix only). */
static const char *const gss_kex_prefixes[] = {
    "gss-gex-sha1-",	   "gss-group1-sha1-",	   "gss-group14-sha1-",	     "gss-group14-sha256-",
    "gss-group16-sha512-", "gss-nistp256-sha256-", "gss-curve25519-sha256-", NULL};

const char *const kw_key_names[] = {"ssh-ed25519",
				    "ssh-ed25519-cert-v01@openssh.com",
				    "sk-ssh-ed25519@openssh.com",
				    "sk-ssh-ed25519-cert-v01@openssh.com",
				    "ecdsa-sha2-nistp256",
				    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
				    "ecdsa-sha2-nistp384",
				    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
				    "ecdsa-sha2-nistp521",
				    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
				    "sk-ecdsa-sha2-nistp256@openssh.com",
				    "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
				    "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
				    "ssh-dss",
				    "ssh-dss-cert-v01@openssh.com",
				    "ssh-rsa",
				    "ssh-rsa-cert-v01@openssh.com",
				    "rsa-sha2-256",
				    "rsa-sha2-256-cert-v01@openssh.com",
				    "rsa-sha2-512",
				    "rsa-sha2-512-cert-v01@openssh.com",
				    NULL};

const char *const kw_sig_names[] = {"ssh-ed25519",
				    "sk-ssh-ed25519@openssh.com",
				    "ecdsa-sha2-nistp256",
				    "ecdsa-sha2-nistp384",
				    "ecdsa-sha2-nistp521",
				    "sk-ecdsa-sha2-nistp256@openssh.com",
				    "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
				    "ssh-dss",
				    "ssh-rsa",
				    "rsa-sha2-256",
				    "rsa-sha2-512",
				    NULL};

/* Plain key types' short names, taken in any case (sshkey_type_from_name). */
static const char *const key_short_names[] = {"ED25519", "ED25519-SK", "ECDSA", "ECDSA-SK",
					      "DSA",	 "RSA",	       NULL};

static int in_list(const char *s, const char *const *names)
{
	for (size_t i = 0; names[i]; i++)
		if (strcmp(s, names[i]) == 0)
			return 1;
	return 0;
}

static int has_prefix(const char *s, const char *const *prefixes)
{
	for (size_t i = 0; prefixes[i]; i++)
		if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

typedef int (*name_ok)(const char *name);

/* The strsep loop of ciphers_valid() and friends: stops at the first
 * empty element. */
static int each_name(const char *names, name_ok ok)
{
	if (!names || !*names)
		return 0;
	char *dup = ss_strdup(names);
	if (!dup)
		return 0;
	int r = 1;
	for (char *cp = dup, *p; r && (p = kw_strsep(&cp, ",")) != NULL && *p;)
		r = ok(p);
	free(dup);
	return r;
}

static int cipher_ok(const char *n)
{
	return in_list(n, kw_cipher_names);
}

static int mac_ok(const char *n)
{
	return in_list(n, kw_mac_names);
}

static int kex_ok(const char *n)
{
	return in_list(n, kw_kex_names) || has_prefix(n, gss_kex_prefixes);
}

static int gss_kex_ok(const char *n)
{
	return has_prefix(n, gss_kex_prefixes);
}

static int keytype_ok(const char *n)
{
	if (in_list(n, kw_key_names) || kw_multi(n, key_short_names) >= 0)
		return 1;
	/* a pattern that matches (or excludes) some key type */
	for (size_t i = 0; kw_key_names[i]; i++)
		if (ss_match_pattern_list(kw_key_names[i], n, 0) != 0)
			return 1;
	return 0;
}

int kw_ciphers_valid(const char *names)
{
	return each_name(names, cipher_ok);
}

int kw_macs_valid(const char *names)
{
	return each_name(names, mac_ok);
}

int kw_kex_valid(const char *names, int gss_only)
{
	return each_name(names, gss_only ? gss_kex_ok : kex_ok);
}

int kw_keytypes_valid(const char *names)
{
	return each_name(names, keytype_ok);
}

int kw_assemble(const char *value, const char *const *all)
{
	if (!*value || value[0] == '-')
		return 1;
	int def = value[0] == '+' || value[0] == '^';
	char *dup = ss_strdup(value + def);
	if (!dup)
		return 0;
	int ok = 1, any = def; /* the default list is never empty */
	/* kex_names_cat() appends a "+" list only up to its first empty name */
	int plus = value[0] == '+';
	for (char *cp = dup, *p; ok && (p = kw_strsep(&cp, ",")) != NULL;) {
		if (plus && !*p)
			break;
		if (*p == '!') {
			ok = 0; /* negations only work after '-' */
			break;
		}
		for (size_t i = 0; all[i] && !any; i++)
			any = ss_match_pattern_list(all[i], p, 0) == 1;
	}
	free(dup);
	return ok && any;
}

/* --- host:port --- */

char *kw_hpdelim2(char **cp, char *delim)
{
	if (!cp || !*cp)
		return NULL;
	char *old = *cp, *s = *cp;
	if (*s == '[') {
		if ((s = strchr(s, ']')) == NULL)
			return NULL;
		s++;
	} else if ((s = strpbrk(s, ":/")) == NULL) {
		s = *cp + strlen(*cp);
	}
	switch (*s) {
	case '\0':
		*cp = NULL;
		break;
	case ':':
	case '/':
		if (delim)
			*delim = *s;
		*s = '\0';
		*cp = s + 1;
		break;
	default:
		return NULL;
	}
	return old;
}

char *kw_hpdelim(char **cp)
{
	char delim = '\0';
	char *r = kw_hpdelim2(cp, &delim);
	return delim == '/' ? NULL : r;
}

char *kw_cleanhostname(char *host)
{
	size_t n = strlen(host);
	if (host[0] == '[' && n > 0 && host[n - 1] == ']') {
		host[n - 1] = '\0';
		return host + 1;
	}
	return host;
}

/* --- suggestions --- */

size_t kw_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > lb + cap || lb > la + cap)
		return cap + 1;
	size_t *row = calloc(lb + 1, sizeof(*row));
	if (!row)
		return cap + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0], best;
		row[0] = i;
		best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			int same =
			    tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
			size_t v = diag + (same ? 0 : 1);
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > cap) {
			free(row);
			return cap + 1;
		}
	}
	size_t d = row[lb];
	free(row);
	return d > cap ? cap + 1 : d;
}
