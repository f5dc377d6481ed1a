/* sshd's Match criteria: patterns, address lists, groups, connections.
 *
 * Written from the behaviour of OpenSSH 9.2 (servconf.c match_cfg_line,
 * match.c, addrmatch.c, addr.c, groupaccess.c) and checked against the real
 * `sshd -T` by the differential tests. */
#include "sshsync/sshd.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sshkw_int.h"
#include "sshsync/os_net.h"
#include "sshsync/os_user.h"

/* ---- connection specs ---- */

/* sshd's a2port(): a number 0..65535 or a service name; -1 when neither. */
static int port_value(const char *s)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*s != '\0' && *end == '\0' && errno == 0 && v >= 0 && v <= 65535)
		return (int)v;
	return ss_os_service_port(s);
}

static int set_field(char **field, const char *value, ss_diag *d)
{
	char *copy = ss_strdup(value);
	if (!copy)
		return ss_diag_oom(d);
	free(*field);
	*field = copy;
	return 0;
}

int ss_sshd_conn_parse(ss_sshd_conn *c, const char *spec, ss_diag *d)
{
	char *copy = ss_strdup(spec);
	if (!copy)
		return ss_diag_oom(d);
	int r = 0;
	char *p, *rest = copy;
	/* like sshd, an empty field ends the spec */
	while (r == 0 && (p = kw_strsep(&rest, ",")) && *p != '\0') {
		if (strncmp(p, "addr=", 5) == 0)
			r = set_field(&c->addr, p + 5, d);
		else if (strncmp(p, "host=", 5) == 0)
			r = set_field(&c->host, p + 5, d);
		else if (strncmp(p, "user=", 5) == 0)
			r = set_field(&c->user, p + 5, d);
		else if (strncmp(p, "laddr=", 6) == 0)
			r = set_field(&c->laddr, p + 6, d);
		else if (strncmp(p, "rdomain=", 8) == 0)
			r = set_field(&c->rdomain, p + 8, d);
		else if (strncmp(p, "lport=", 6) == 0) {
			c->lport = port_value(p + 6);
			if (c->lport == -1)
				r = ss_diag_set(d, NULL, 0, 0,
						"Invalid port '%s' in test mode specification %s",
						p + 6, p);
		} else
			r = ss_diag_set(d, NULL, 0, 0,
					"Invalid test mode specification %s (expected "
					"user=, host=, addr=, laddr=, rdomain= or lport=)",
					p);
	}
	free(copy);
	return r;
}

void ss_sshd_conn_free(ss_sshd_conn *c)
{
	free(c->user);
	free(c->host);
	free(c->addr);
	free(c->laddr);
	free(c->rdomain);
	*c = (ss_sshd_conn)SS_SSHD_CONN_INIT;
}

/* ---- tokens ---- */

#define WS " \t\r\n"

char *ss_sshd_strdelim(char **s)
{
	if (!*s)
		return NULL;
	char *old = *s;
	char *p = strpbrk(old, WS "\"=");
	if (!p) {
		*s = NULL;
		return old;
	}
	if (*p == '"') {
		memmove(p, p + 1, strlen(p)); /* the NUL moves too */
		p = strchr(p, '"');
		if (!p) {
			*s = p;
			return NULL; /* no closing quote */
		}
		*p = '\0';
		*s = p + 1 + strspn(p + 1, WS);
		return old;
	}
	/* only one '=' may separate tokens */
	int equals = *p == '=';
	*p = '\0';
	p += 1 + strspn(p + 1, WS);
	if (*p == '=' && !equals)
		p += 1 + strspn(p + 1, WS);
	*s = p;
	return old;
}

/* ---- addresses ---- */

typedef struct xaddr {
	int af; /* 4 or 6 */
	unsigned char b[16];
	uint32_t scope;
} xaddr;

/* A numeric address as getaddrinfo(AI_NUMERICHOST) reads it (so the same
 * forms as sshd: "10.1" is 10.0.0.1). */
static int parse_addr(const char *s, xaddr *x)
{
	ss_os_addr a;
	if (ss_os_parse_numeric_addr(s, &a) < 0)
		return -1;
	memset(x, 0, sizeof(*x));
	x->af = a.family;
	memcpy(x->b, a.b, sizeof(x->b));
	x->scope = a.scope;
	return 0;
}

static unsigned addr_bits(int af)
{
	return af == 4 ? 32 : 128;
}

/* Keeps the first `bits` bits (the network part) of x. */
static void mask_addr(xaddr *x, unsigned bits)
{
	unsigned nbytes = addr_bits(x->af) / 8;
	for (unsigned i = 0; i < nbytes; i++) {
		if (bits >= 8) {
			bits -= 8;
			continue;
		}
		x->b[i] &= (unsigned char)(0xff << (8 - bits));
		bits = 0;
	}
}

/* addr_pton_cidr(): 0 a network, -1 not an address (the entry is then a
 * wildcard pattern), -2 an inconsistent network. */
static int parse_cidr(const char *s, xaddr *net, unsigned *bits)
{
	char buf[64];
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	unsigned long masklen = 999;
	char *slash = strchr(buf, '/');
	if (slash) {
		char *end;
		*slash++ = '\0';
		if (*slash < '0' || *slash > '9')
			return -1;
		masklen = strtoul(slash, &end, 10);
		if (*end != '\0' || masklen > 128)
			return -1;
	}
	if (parse_addr(buf, net) < 0)
		return -1;
	if (!slash)
		masklen = addr_bits(net->af);
	if (masklen > addr_bits(net->af))
		return -2;
	xaddr masked = *net;
	mask_addr(&masked, (unsigned)masklen);
	if (memcmp(masked.b, net->b, sizeof(net->b)) != 0)
		return -2; /* host bits set: sshd calls it inconsistent */
	*bits = (unsigned)masklen;
	return 0;
}

static int in_network(const xaddr *host, const xaddr *net, unsigned bits)
{
	if (host->af != net->af)
		return 0;
	xaddr h = *host;
	mask_addr(&h, bits);
	if (memcmp(h.b, net->b, sizeof(h.b)) != 0)
		return 0;
	return h.af == 4 || h.scope == net->scope;
}

int ss_sshd_addr_match_list(const char *addr, const char *list)
{
	xaddr a;
	/* an address that does not parse matches nothing, not even "*" */
	if (addr && parse_addr(addr, &a) < 0)
		return 0;
	char *copy = ss_strdup(list);
	if (!copy)
		return -2;
	int ret = 0;
	char *p, *rest = copy;
	while ((p = kw_strsep(&rest, ",")) != NULL) {
		int neg = *p == '!';
		if (neg)
			p++;
		if (*p == '\0') {
			ret = -2;
			break;
		}
		xaddr net;
		unsigned bits = 0;
		int r = parse_cidr(p, &net, &bits);
		if (r == -2) {
			ret = -2;
			break;
		}
		int hit =
		    addr && (r == 0 ? in_network(&a, &net, bits) : ss_match_pattern(addr, p) == 1);
		if (hit) {
			if (neg) {
				ret = -1;
				break;
			}
			ret = 1;
		}
	}
	free(copy);
	return ret;
}

/* ---- groups ---- */

int ss_sshd_group_match(const char *user, const char *list)
{
	ss_os_paths groups;
	int found = 0;
	if (ss_os_user_groups(user, &groups) == 0) {
		for (size_t i = 0; i < groups.n; i++) {
			int m = ss_match_pattern_list(groups.v[i], list, 0);
			if (m == -1) {
				found = 0; /* a negated match wins */
				break;
			}
			if (m == 1)
				found = 1;
		}
	}
	ss_os_paths_free(&groups);
	return found;
}

/* ---- Match lines ---- */

static ss_sshd_match_result fail(ss_buf *err, const char *fmt, ...) SS_PRINTF(2, 3);

static ss_sshd_match_result fail(ss_buf *err, const char *fmt, ...)
{
	va_list ap;
	ss_buf_reset(err);
	va_start(ap, fmt);
	if (ss_buf_vaddf(err, fmt, ap) < 0)
		ss_buf_reset(err);
	va_end(ap);
	return SS_SSHD_MATCH_ERROR;
}

static ss_sshd_match_result missing(ss_buf *err, const char *criterion, const char *field)
{
	return fail(err,
		    "'Match %s' in configuration but '%s' not in connection test "
		    "specification: add %s= to the connection",
		    criterion, field, field);
}

/* One criterion with its argument: 1 holds, 0 does not, -1 error. */
static int criterion(const char *attrib, const char *arg, const ss_sshd_conn *c, ss_buf *err)
{
	if (strcasecmp(attrib, "user") == 0) {
		return c && c->user && ss_match_pattern_list(c->user, arg, 0) == 1;
	} else if (strcasecmp(attrib, "group") == 0) {
		return c && c->user && ss_sshd_group_match(c->user, arg) == 1;
	} else if (strcasecmp(attrib, "host") == 0) {
		if (!c || !c->host)
			return 0;
		char *lower = ss_strdup(c->host);
		if (!lower)
			return fail(err, "out of memory");
		for (char *p = lower; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		int m = ss_match_pattern_list(lower, arg, 1);
		free(lower);
		return m == 1;
	} else if (strcasecmp(attrib, "address") == 0 || strcasecmp(attrib, "localaddress") == 0) {
		int local = strcasecmp(attrib, "address") != 0;
		const char *addr = c ? (local ? c->laddr : c->addr) : NULL;
		int m = ss_sshd_addr_match_list(addr, arg);
		if (m == -2 || (!addr && m != 0))
			return fail(err, "Invalid Match %s argument '%s'",
				    local ? "localaddress" : "address", arg);
		return m == 1;
	} else if (strcasecmp(attrib, "localport") == 0) {
		int port = port_value(arg);
		if (port == -1)
			return fail(err, "Invalid LocalPort '%s' on Match line", arg);
		if (!c)
			return 0;
		if (c->lport == 0)
			return missing(err, "LocalPort", "lport");
		return port == c->lport;
	} else if (strcasecmp(attrib, "rdomain") == 0) {
		return c && c->rdomain && ss_match_pattern_list(c->rdomain, arg, 0) == 1;
	}
	return fail(err, "Unsupported Match attribute %s", attrib);
}

/* The loop of match_cfg_line(): criteria are ANDed, but every one is
 * checked (an error in a later one still counts). */
static ss_sshd_match_result match_criteria(char *cp, const ss_sshd_conn *c, ss_buf *err)
{
	int result = 1, attributes = 0;
	char *attrib, *arg;
	while ((attrib = ss_sshd_strdelim(&cp)) && *attrib != '\0') {
		if (*attrib == '#') {
			cp = NULL;
			break;
		}
		attributes++;
		arg = NULL;
		if (strcasecmp(attrib, "all") == 0) {
			if (attributes > 1 ||
			    ((arg = ss_sshd_strdelim(&cp)) != NULL && *arg != '\0' && *arg != '#'))
				return fail(err, "'all' cannot be combined with other Match "
						 "attributes");
			if (arg && *arg == '#')
				cp = NULL;
			break;
		}
		if ((arg = ss_sshd_strdelim(&cp)) == NULL || *arg == '\0' || *arg == '#')
			return fail(err, "Missing Match criteria for %s", attrib);
		int m = criterion(attrib, arg, c, err);
		if (m < 0)
			return SS_SSHD_MATCH_ERROR;
		if (m == 0)
			result = 0;
	}
	if (attributes == 0)
		return fail(err, "One or more attributes required for Match");
	if (cp && *cp != '\0')
		return fail(err, "keyword Match extra arguments at end of line");
	return result ? SS_SSHD_MATCH_YES : SS_SSHD_MATCH_NO;
}

ss_sshd_match_result ss_sshd_match(const char *criteria, const ss_sshd_conn *c, ss_buf *err)
{
	char *copy = ss_strdup(criteria);
	if (!copy)
		return fail(err, "out of memory");
	ss_sshd_match_result r = match_criteria(copy, c, err);
	free(copy);
	return r;
}
