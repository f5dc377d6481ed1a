/* sshd_config values as sshd 9.2p1 (Debian 12) takes them: servconf.c's
 * process_server_config_line_depth() for every keyword sshd knows, in
 * the first pass (`sshd -t`), where every line is checked, in a Match
 * block or not. And the advice for unknown keywords of either file. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sshkw_int.h"
#include "sshsync/sshd.h"

typedef enum sk_kind {
	SK_LOADER,
	SK_IGNORE,
	SK_FLAG,
	SK_MULTI,
	SK_TIME,
	SK_INT,
	SK_STRING,
	SK_TILDEFILE,
	SK_COMMAND,
	SK_ABSCMD,
	SK_FILES,
	SK_ENVNAMES,
	SK_SETENV,
	SK_GROUPS,
	SK_USERS,
	SK_AUTHMETHODS,
	SK_CHANTIMEOUT,
	SK_UNUSEDTIMEOUT,
	SK_CIPHERS,
	SK_MACS,
	SK_KEX,
	SK_GSSKEX,
	SK_KEYALGS,
	SK_SIGALGS,
	SK_FPHASH,
	SK_IPQOS,
	SK_LISTEN,
	SK_LOGLEVEL,
	SK_FACILITY,
	SK_LOGVERBOSE,
	SK_MAXSTARTUPS,
	SK_PSMAX,
	SK_NETBLOCK,
	SK_PERMITOPEN,
	SK_PERMITLISTEN,
	SK_TUNMODE,
	SK_PORT,
	SK_PKAUTHOPTS,
	SK_RDOMAIN,
	SK_REKEY,
	SK_MASK,
	SK_SUBSYSTEM,
	SK_VERSIONADD
} sk_kind;

typedef struct sk_keyword {
	const char *name; /* as the manual spells it; sorted case-insensitively */
	sk_kind kind;
	const char *const *values;
} sk_keyword;

/* servconf.c's multistate tables: sshd takes only yes and no for flags */
static const char *const v_flag[] = {"yes", "no", NULL};
static const char *const v_af[] = {"inet", "inet6", "any", NULL};
static const char *const v_rhosts[] = {"yes", "no", "shosts-only", NULL};
static const char *const v_rootlogin[] = {
    "without-password", "prohibit-password", "forced-commands-only", "yes", "no", NULL};
static const char *const v_comp[] = {"yes", "delayed", "no", NULL};
static const char *const v_gwports[] = {"clientspecified", "yes", "no", NULL};
static const char *const v_tcpfwd[] = {"yes", "all", "no", "remote", "local", NULL};

/* The keywords sshd_keywords.c lists (servconf.c keywords[] with
 * Debian's additions), with how their values are checked. */
static const sk_keyword keywords[] = {
    {"AcceptEnv", SK_ENVNAMES, NULL},
    {"AddressFamily", SK_MULTI, v_af},
    {"AFSTokenPassing", SK_IGNORE, NULL},
    {"AllowAgentForwarding", SK_FLAG, NULL},
    {"AllowGroups", SK_GROUPS, NULL},
    {"AllowStreamLocalForwarding", SK_MULTI, v_tcpfwd},
    {"AllowTcpForwarding", SK_MULTI, v_tcpfwd},
    {"AllowUsers", SK_USERS, NULL},
    {"AuthenticationMethods", SK_AUTHMETHODS, NULL},
    {"AuthorizedKeysCommand", SK_ABSCMD, NULL},
    {"AuthorizedKeysCommandUser", SK_STRING, NULL},
    {"AuthorizedKeysFile", SK_FILES, NULL},
    {"AuthorizedKeysFile2", SK_IGNORE, NULL},
    {"AuthorizedPrincipalsCommand", SK_ABSCMD, NULL},
    {"AuthorizedPrincipalsCommandUser", SK_STRING, NULL},
    {"AuthorizedPrincipalsFile", SK_TILDEFILE, NULL},
    {"Banner", SK_STRING, NULL},
    {"CASignatureAlgorithms", SK_SIGALGS, NULL},
    {"ChallengeResponseAuthentication", SK_FLAG, NULL},
    {"ChannelTimeout", SK_CHANTIMEOUT, NULL},
    {"CheckMail", SK_IGNORE, NULL},
    {"ChrootDirectory", SK_STRING, NULL},
    {"Ciphers", SK_CIPHERS, NULL},
    {"ClientAliveCountMax", SK_INT, NULL},
    {"ClientAliveInterval", SK_TIME, NULL},
    {"Compression", SK_MULTI, v_comp},
    {"DebianBanner", SK_FLAG, NULL},
    {"DenyGroups", SK_GROUPS, NULL},
    {"DenyUsers", SK_USERS, NULL},
    {"DisableForwarding", SK_FLAG, NULL},
    {"DSAAuthentication", SK_FLAG, NULL},
    {"ExposeAuthInfo", SK_FLAG, NULL},
    {"FingerprintHash", SK_FPHASH, NULL},
    {"ForceCommand", SK_COMMAND, NULL},
    {"GatewayPorts", SK_MULTI, v_gwports},
    {"GSSAPIAuthentication", SK_FLAG, NULL},
    {"GSSAPICleanupCredentials", SK_FLAG, NULL},
    {"GSSAPICleanupCreds", SK_FLAG, NULL},
    {"GSSAPIKexAlgorithms", SK_GSSKEX, NULL},
    {"GSSAPIKeyExchange", SK_FLAG, NULL},
    {"GSSAPIStoreCredentialsOnRekey", SK_FLAG, NULL},
    {"GSSAPIStrictAcceptorCheck", SK_FLAG, NULL},
    {"GSSAPIUseSessionCredCache", SK_IGNORE, NULL},
    {"GSSUseSessionCCache", SK_IGNORE, NULL},
    {"HostbasedAcceptedAlgorithms", SK_KEYALGS, NULL},
    {"HostbasedAcceptedKeyTypes", SK_KEYALGS, NULL},
    {"HostbasedAuthentication", SK_FLAG, NULL},
    {"HostbasedUsesNameFromPacketOnly", SK_FLAG, NULL},
    {"HostCertificate", SK_STRING, NULL},
    {"HostDSAKey", SK_STRING, NULL},
    {"HostKey", SK_STRING, NULL},
    {"HostKeyAgent", SK_STRING, NULL},
    {"HostKeyAlgorithms", SK_KEYALGS, NULL},
    {"IgnoreRhosts", SK_MULTI, v_rhosts},
    {"IgnoreUserKnownHosts", SK_FLAG, NULL},
    {"Include", SK_LOADER, NULL},
    {"IPQoS", SK_IPQOS, NULL},
    {"KbdInteractiveAuthentication", SK_FLAG, NULL},
    {"KeepAlive", SK_FLAG, NULL},
    {"KerberosAuthentication", SK_FLAG, NULL},
    {"KerberosGetAFSToken", SK_IGNORE, NULL},
    {"KerberosOrLocalPasswd", SK_FLAG, NULL},
    {"KerberosTGTPassing", SK_IGNORE, NULL},
    {"KerberosTicketCleanup", SK_FLAG, NULL},
    {"KexAlgorithms", SK_KEX, NULL},
    {"KeyRegenerationInterval", SK_IGNORE, NULL},
    {"ListenAddress", SK_LISTEN, NULL},
    {"LoginGraceTime", SK_TIME, NULL},
    {"LogLevel", SK_LOGLEVEL, NULL},
    {"LogVerbose", SK_LOGVERBOSE, NULL},
    {"MACs", SK_MACS, NULL},
    {"Match", SK_LOADER, NULL},
    {"MaxAuthTries", SK_INT, NULL},
    {"MaxSessions", SK_INT, NULL},
    {"MaxStartups", SK_MAXSTARTUPS, NULL},
    {"ModuliFile", SK_STRING, NULL},
    {"PAMAuthenticationViaKbdInt", SK_IGNORE, NULL},
    {"PasswordAuthentication", SK_FLAG, NULL},
    {"PermitBlacklistedKeys", SK_IGNORE, NULL},
    {"PermitEmptyPasswords", SK_FLAG, NULL},
    {"PermitListen", SK_PERMITLISTEN, NULL},
    {"PermitOpen", SK_PERMITOPEN, NULL},
    {"PermitRootLogin", SK_MULTI, v_rootlogin},
    {"PermitTTY", SK_FLAG, NULL},
    {"PermitTunnel", SK_TUNMODE, NULL},
    {"PermitUserEnvironment", SK_STRING, NULL},
    {"PermitUserRC", SK_FLAG, NULL},
    {"PerSourceMaxStartups", SK_PSMAX, NULL},
    {"PerSourceNetBlockSize", SK_NETBLOCK, NULL},
    {"PidFile", SK_STRING, NULL},
    {"Port", SK_PORT, NULL},
    {"PrintLastLog", SK_FLAG, NULL},
    {"PrintMotd", SK_FLAG, NULL},
    {"Protocol", SK_IGNORE, NULL},
    {"PubkeyAcceptedAlgorithms", SK_KEYALGS, NULL},
    {"PubkeyAcceptedKeyTypes", SK_KEYALGS, NULL},
    {"PubkeyAuthentication", SK_FLAG, NULL},
    {"PubkeyAuthOptions", SK_PKAUTHOPTS, NULL},
    {"RDomain", SK_RDOMAIN, NULL},
    {"RekeyLimit", SK_REKEY, NULL},
    {"RequiredRSASize", SK_INT, NULL},
    {"ReverseMappingCheck", SK_IGNORE, NULL},
    {"RevokedKeys", SK_STRING, NULL},
    {"RhostsAuthentication", SK_IGNORE, NULL},
    {"RhostsRSAAuthentication", SK_IGNORE, NULL},
    {"RSAAuthentication", SK_IGNORE, NULL},
    {"SecurityKeyProvider", SK_STRING, NULL},
    {"ServerKeyBits", SK_IGNORE, NULL},
    {"SetEnv", SK_SETENV, NULL},
    {"SKeyAuthentication", SK_FLAG, NULL},
    {"StreamLocalBindMask", SK_MASK, NULL},
    {"StreamLocalBindUnlink", SK_FLAG, NULL},
    {"StrictModes", SK_FLAG, NULL},
    {"Subsystem", SK_SUBSYSTEM, NULL},
    {"SyslogFacility", SK_FACILITY, NULL},
    {"TCPKeepAlive", SK_FLAG, NULL},
    {"TrustedUserCAKeys", SK_STRING, NULL},
    {"UnusedConnectionTimeout", SK_UNUSEDTIMEOUT, NULL},
    {"UseDNS", SK_FLAG, NULL},
    {"UseLogin", SK_IGNORE, NULL},
    {"UsePAM", SK_FLAG, NULL},
    {"UsePrivilegeSeparation", SK_IGNORE, NULL},
    {"VerifyReverseMapping", SK_IGNORE, NULL},
    {"VersionAddendum", SK_VERSIONADD, NULL},
    {"X11DisplayOffset", SK_INT, NULL},
    {"X11Forwarding", SK_FLAG, NULL},
    {"X11UseLocalhost", SK_FLAG, NULL},
    {"XAuthLocation", SK_STRING, NULL},
};

static int cmp_name(const void *key, const void *elem)
{
	return strcasecmp(key, ((const sk_keyword *)elem)->name);
}

static const sk_keyword *find(const char *kw)
{
	return bsearch(kw, keywords, sizeof(keywords) / sizeof(*keywords), sizeof(*keywords),
		       cmp_name);
}

const char *ss_sshkw_server_name(const char *lower)
{
	const sk_keyword *k = find(lower);
	return k ? k->name : NULL;
}

/* --- pieces --- */

static int missing(const kw_ctx *x, size_t i, const char *what)
{
	const char *a = kw_arg(x, i);
	if (a && *a)
		return 0;
	return kw_fail(x, i, "missing argument: expected %s", what);
}

static int check_flaglike(const kw_ctx *x, const char *const *values)
{
	char want[200];
	if (missing(x, 0, kw_join(values, want, sizeof(want))) < 0)
		return -1;
	const char *a = kw_arg(x, 0);
	if (kw_multi(a, values) < 0)
		return kw_fail(x, 0,
			       "unsupported option \"%s\": expected %s (sshd takes no other "
			       "spelling)%s",
			       a, kw_join(values, want, sizeof(want)), ss_sshconf_value_hint(a));
	return kw_extra(x, 1);
}

static int check_time(const kw_ctx *x, size_t i)
{
	const char *a = kw_arg(x, i);
	if (!a || !*a)
		return kw_fail(x, i, "missing time value: expected seconds or a time like 1m30s%s",
			       "");
	if (kw_convtime(a) < 0)
		return kw_fail(x, i,
			       "invalid time value \"%s\": expected seconds or a time like "
			       "1m30s (units s, m, h, d, w)%s",
			       a, ss_sshconf_value_hint(a));
	return 0;
}

static int check_int(const kw_ctx *x)
{
	long v;
	const char *a = kw_arg(x, 0);
	const char *e = kw_atoi_err(a, &v);
	if (e)
		return kw_fail(x, 0,
			       "%s integer value %s: expected a whole number from 0 to "
			       "2147483647%s",
			       x->name, e, a ? ss_sshconf_value_hint(a) : "");
	return kw_extra(x, 1);
}

/* servconf.c's check of the names, then assemble_algorithms() of
 * fill_default_server_options() on the value against `all`. */
static int check_algos(const kw_ctx *x, int (*valid)(const char *), const char *what,
		       const char *query, const char *const *all, const char *field)
{
	if (missing(x, 0, "an algorithm list") < 0)
		return -1;
	const char *a = kw_arg(x, 0);
	if (*a != '-' && !valid(*a == '+' || *a == '^' ? a + 1 : a))
		return kw_fail(x, 0,
			       "Bad %s '%s': expected names that `ssh -Q %s` lists, "
			       "optionally after +, - or ^",
			       what, a, query);
	if (!kw_assemble(a, all))
		return kw_fail(x, 0,
			       "assemble_algorithms: %s: invalid argument: the list "
			       "selects nothing `ssh -Q %s` lists, or negates a name (write "
			       "-NAME to remove)",
			       field, query);
	return kw_extra(x, 1);
}

static int ciphers(const char *s)
{
	return kw_ciphers_valid(s);
}
static int macs(const char *s)
{
	return kw_macs_valid(s);
}
static int kex(const char *s)
{
	return kw_kex_valid(s, 0);
}
static int keytypes(const char *s)
{
	return kw_keytypes_valid(s);
}

static int check_list(const kw_ctx *x, int none_alone, int no_equals, int need_equals)
{
	size_t n = x->it->nargs;
	for (size_t i = 0; i < n; i++) {
		const char *a = kw_arg(x, i);
		if (none_alone && strcasecmp(a, "none") == 0 && n > 1)
			return kw_fail(x, i, "\"none\" argument must appear alone%s", "");
		if (!*a)
			return kw_fail(x, i, "empty argument%s", "");
		if (no_equals && strchr(a, '='))
			return kw_fail(x, i,
				       "Invalid environment name \"%s\": expected a name "
				       "or pattern without '='",
				       a);
		if (need_equals && !strchr(a, '='))
			return kw_fail(x, i, "Invalid environment \"%s\": expected NAME=VALUE", a);
	}
	return 0;
}

static int check_users(const kw_ctx *x)
{
	for (size_t i = 0; i < x->it->nargs; i++) {
		const char *a = kw_arg(x, i);
		const char *at = strchr(a, '@');
		if (!*a || (at && ss_sshd_addr_match_list(NULL, at + 1) == -2))
			return kw_fail(x, i,
				       "invalid %s pattern: \"%s\": expected user or "
				       "user@address (address a valid address, network "
				       "or pattern)",
				       x->name, a);
	}
	return 0;
}

static int check_auth_methods(const kw_ctx *x)
{
	static const char *const methods[] = {
	    "none",	 "publickey", "gssapi-with-mic", "password", "keyboard-interactive",
	    "hostbased", NULL};
	size_t n = x->it->nargs;
	int any = 0;
	for (size_t i = 0; i < n; i++) {
		const char *a = kw_arg(x, i);
		if (strcmp(a, "any") == 0) {
			if (i > 0)
				return kw_fail(x, i, "\"any\" must appear alone in %s", x->name);
			any = 1;
			continue;
		}
		if (any)
			return kw_fail(x, i, "\"any\" must appear alone in %s", x->name);
		int ok = *a != '\0';
		char *dup = ss_strdup(a);
		if (!dup)
			return ss_diag_oom(x->d);
		for (char *cp = dup, *m; ok && (m = kw_strsep(&cp, ",")) != NULL;) {
			char *colon = strchr(m, ':');
			if (colon)
				*colon = '\0';
			int found = 0;
			for (size_t k = 0; methods[k] && !found; k++)
				found = strcmp(m, methods[k]) == 0;
			ok = found;
		}
		free(dup);
		if (!ok)
			return kw_fail(x, i,
				       "invalid %s method list \"%s\": expected publickey, "
				       "password, keyboard-interactive, hostbased, "
				       "gssapi-with-mic or none, comma-separated",
				       x->name, a);
	}
	if (n == 0)
		return kw_fail(x, 0, "no %s specified", x->name);
	return 0;
}

static int check_chan_timeout(const kw_ctx *x)
{
	size_t n = x->it->nargs;
	for (size_t i = 0; i < n; i++) {
		const char *a = kw_arg(x, i);
		if (strcasecmp(a, "none") == 0) {
			/* servconf.c never counts the arguments it has seen here:
			 * only a "none" with more after it is refused */
			if (i + 1 < n)
				return kw_fail(x, i, "\"none\" argument must appear alone%s", "");
			continue;
		}
		const char *eq = strchr(a, '=');
		if (!eq || eq == a || kw_convtime(eq + 1) < 0)
			return kw_fail(x, i,
				       "invalid channel timeout %s: expected type=time, "
				       "such as session=5m",
				       a);
	}
	return 0;
}

static int ipqos_ok(const char *s)
{
	static const char *const names[] = {
	    "none", "af11", "af12", "af13", "af21", "af22",	"af23",	      "af31",	     "af32",
	    "af33", "af41", "af42", "af43", "cs0",  "cs1",	"cs2",	      "cs3",	     "cs4",
	    "cs5",  "cs6",  "cs7",  "ef",   "le",   "lowdelay", "throughput", "reliability", NULL};
	if (kw_multi(s, names) >= 0)
		return 1;
	char *end;
	long v = strtol(s, &end, 0);
	return *s && !*end && v >= 0 && v <= 255;
}

static int check_ipqos(const kw_ctx *x)
{
	if (missing(x, 0, "one or two IPQoS values") < 0)
		return -1;
	for (size_t i = 0; i < 2 && kw_arg(x, i); i++)
		if (!ipqos_ok(kw_arg(x, i)))
			return kw_fail(x, i,
				       "Bad %s value: %s: expected af11..af43, cs0..cs7, ef, "
				       "le, lowdelay, throughput, reliability, none or a "
				       "number 0-255",
				       x->name, kw_arg(x, i));
	return kw_extra(x, 2);
}

static int check_listen(const kw_ctx *x)
{
	if (missing(x, 0, "an address") < 0)
		return -1;
	const char *a = kw_arg(x, 0);
	const char *c = strchr(a, ':');
	if (!(strchr(a, '[') == NULL && c && strchr(c + 1, ':'))) {
		char *dup = ss_strdup(a);
		if (!dup)
			return ss_diag_oom(x->d);
		char *rest = dup;
		char *host = kw_hpdelim(&rest);
		int bad_port = host && rest && kw_a2port(rest) <= 0;
		free(dup);
		if (!host)
			return kw_fail(x, 0,
				       "bad address:port usage: expected address, "
				       "address:port or [address]:port%s",
				       "");
		if (bad_port)
			return kw_fail(x, 0, "bad port number: expected a number from 1 to 65535%s",
				       "");
	}
	const char *r = kw_arg(x, 1);
	if (r) {
		if (strcmp(r, "rdomain") != 0 || !kw_arg(x, 2))
			return kw_fail(x, 1,
				       "bad ListenAddress syntax: expected \"rdomain NAME\" "
				       "after the address%s",
				       "");
		return kw_fail(x, 2,
			       "bad routing domain: routing domains are not supported on "
			       "Linux%s",
			       "");
	}
	return 0;
}

static int check_maxstartups(const kw_ctx *x)
{
	if (missing(x, 0, "start:rate:full or a number") < 0)
		return -1;
	const char *a = kw_arg(x, 0);
	int b = 0, r = 0, f = 0;
	int n = sscanf(a, "%d:%d:%d", &b, &r, &f);
	int ok;
	if (n == 3)
		ok = !(b > f || r > 100 || r < 1) && f > 0 && b > 0;
	else
		ok = n == 1 && b > 0;
	if (!ok)
		return kw_fail(x, 0,
			       "Invalid %s spec \"%s\": expected start:rate:full (rate 1 to "
			       "100) or a number above 0",
			       x->name, a);
	return kw_extra(x, 1);
}

static int check_netblock(const kw_ctx *x)
{
	if (missing(x, 0, "ipv4bits[:ipv6bits]") < 0)
		return -1;
	int v4 = 0, v6 = 0;
	int n = sscanf(kw_arg(x, 0), "%d:%d", &v4, &v6);
	if (n == 2 && (v6 < 0 || v6 > 128))
		n = -1;
	if ((n == 1 || n == 2) && (v4 < 0 || v4 > 32))
		n = -1;
	if (n != 1 && n != 2)
		return kw_fail(x, 0,
			       "Invalid %s spec: expected ipv4bits (0-32) and optionally "
			       ":ipv6bits (0-128)",
			       x->name);
	return kw_extra(x, 1);
}

/* channels.c permitopen_port(): "*" or a port from 1 to 65535 */
static int permitopen_port_ok(const char *s)
{
	if (strcmp(s, "*") == 0)
		return 1;
	return kw_a2port(s) > 0;
}

static int check_permitopen(const kw_ctx *x, int listen)
{
	if (missing(x, 0, "host:port, any or none") < 0)
		return -1;
	const char *first = kw_arg(x, 0);
	if (strcmp(first, "any") == 0 || strcmp(first, "none") == 0)
		return kw_extra(x, 1);
	for (size_t i = 0; i < x->it->nargs && *kw_arg(x, i); i++) {
		const char *a = kw_arg(x, i);
		if (listen && !strchr(a, ':')) {
			if (!permitopen_port_ok(a))
				return kw_fail(x, i, "%s bad port number: expected a port or *",
					       x->name);
			continue;
		}
		char *dup = ss_strdup(a);
		if (!dup)
			return ss_diag_oom(x->d);
		char *rest = dup;
		char *host = kw_hpdelim(&rest);
		int bad = host && (!rest || !permitopen_port_ok(rest));
		free(dup);
		if (!host)
			return kw_fail(x, i, "%s missing host: expected host:port", x->name);
		if (bad)
			return kw_fail(x, i,
				       "%s bad port number: expected host:port (port a "
				       "number or *)",
				       x->name);
	}
	return 0;
}

static int check_rekey(const kw_ctx *x)
{
	if (missing(x, 0, "a byte count such as 1G, or default") < 0)
		return -1;
	const char *a = kw_arg(x, 0);
	if (strcmp(a, "default") != 0) {
		long long v;
		if (kw_scan_scaled(a, &v) < 0)
			return kw_fail(x, 0, "Bad %s number '%s': %s", x->name, a,
				       kw_scan_scaled_error(a));
		if (v != 0 && v < 16)
			return kw_fail(x, 0, "%s too small: expected 0 or at least 16 bytes",
				       x->name);
	}
	const char *b = kw_arg(x, 1);
	if (!b)
		return 0;
	if (strcmp(b, "none") != 0 && check_time(x, 1) < 0)
		return -1;
	return kw_extra(x, 2);
}

static int check_pkauthopts(const kw_ctx *x)
{
	for (size_t i = 0; i < x->it->nargs; i++) {
		const char *a = kw_arg(x, i);
		if (strcasecmp(a, "none") && strcasecmp(a, "touch-required") &&
		    strcasecmp(a, "verify-required"))
			return kw_fail(x, i,
				       "unsupported %s option %s: expected none, "
				       "touch-required or verify-required",
				       x->name, a);
	}
	return 0;
}

static int check_version(const kw_ctx *x)
{
	const char *data = x->t->data;
	for (size_t p = x->it->rest; p < x->it->end; p++)
		if (data[p] == '\r')
			return kw_fail(x, 0,
				       "Invalid %s argument: a carriage return in the "
				       "value",
				       x->name);
	return 0;
}

static int check_abs_command(const kw_ctx *x)
{
	const char *data = x->t->data;
	size_t p = x->it->rest;
	while (p < x->it->end &&
	       (data[p] == ' ' || data[p] == '\t' || data[p] == '\r' || data[p] == '\n'))
		p++;
	size_t len = x->it->end - p;
	if (p < x->it->end && data[p] == '/')
		return 0;
	if (len == 4 && strncasecmp(data + p, "none", 4) == 0)
		return 0;
	return kw_fail(x, 0, "%s must be an absolute path (or none)", x->name);
}

static int check_subsystem(const kw_ctx *x)
{
	if (missing(x, 0, "a subsystem name and its command") < 0)
		return -1;
	if (!kw_arg(x, 1) || !*kw_arg(x, 1))
		return kw_fail(x, 1,
			       "Missing subsystem command: expected the program after the "
			       "name%s",
			       "");
	return 0;
}

static int check_kind(const kw_ctx *x, const sk_keyword *k)
{
	switch (k->kind) {
	case SK_LOADER:
	case SK_IGNORE:
		return 0;
	case SK_FLAG:
		return check_flaglike(x, v_flag);
	case SK_MULTI:
		return check_flaglike(x, k->values);
	case SK_TIME:
		return check_time(x, 0) < 0 ? -1 : kw_extra(x, 1);
	case SK_UNUSEDTIMEOUT:
		if (kw_arg(x, 0) && strcasecmp(kw_arg(x, 0), "none") == 0)
			return kw_extra(x, 1);
		return check_time(x, 0) < 0 ? -1 : kw_extra(x, 1);
	case SK_INT:
		return check_int(x);
	case SK_PSMAX:
		if (kw_arg(x, 0) && strcmp(kw_arg(x, 0), "none") == 0)
			return kw_extra(x, 1);
		if (missing(x, 0, "a number or none") < 0)
			return -1;
		return check_int(x);
	case SK_STRING:
		return missing(x, 0, "a value") < 0 ? -1 : kw_extra(x, 1);
	case SK_TILDEFILE: /* AuthorizedPrincipalsFile: expanded in the value kept */
		if (missing(x, 0, "a file name") < 0 || kw_tilde(x, 0, kw_arg(x, 0)) < 0)
			return -1;
		return kw_extra(x, 1);
	case SK_COMMAND:
		return 0;
	case SK_ABSCMD:
		return check_abs_command(x);
	case SK_FILES: /* AuthorizedKeysFile: each name goes through tilde_expand */
		if (check_list(x, 0, 0, 0) < 0)
			return -1;
		for (size_t i = 0; i < x->it->nargs; i++)
			if (kw_tilde(x, i, kw_arg(x, i)) < 0)
				return -1;
		return 0;
	case SK_ENVNAMES:
		return check_list(x, 0, 1, 0);
	case SK_SETENV:
		return check_list(x, 0, 0, 1);
	case SK_GROUPS:
		return check_list(x, 0, 0, 0);
	case SK_LOGVERBOSE:
		return check_list(x, 1, 0, 0);
	case SK_USERS:
		return check_users(x);
	case SK_AUTHMETHODS:
		return check_auth_methods(x);
	case SK_CHANTIMEOUT:
		return check_chan_timeout(x);
	case SK_CIPHERS:
		return check_algos(x, ciphers, "SSH2 cipher spec", "cipher", kw_cipher_names,
				   "ciphers");
	case SK_MACS:
		return check_algos(x, macs, "SSH2 mac spec", "mac", kw_mac_names, "macs");
	case SK_KEX:
		return check_algos(x, kex, "SSH2 KexAlgorithms", "kex", kw_kex_names,
				   "kex_algorithms");
	case SK_KEYALGS:
		return check_algos(x, keytypes, "key types", "key-sig", kw_key_names, "key types");
	case SK_SIGALGS:
		return check_algos(x, keytypes, "key types", "sig", kw_sig_names,
				   "ca_sign_algorithms");
	case SK_GSSKEX:
		if (missing(x, 0, "a list of GSSAPI key exchange algorithms") < 0)
			return -1;
		if (!kw_kex_valid(kw_arg(x, 0), 1))
			return kw_fail(x, 0,
				       "Bad GSSAPI KexAlgorithms '%s': expected gss-*- names "
				       "such as gss-curve25519-sha256-",
				       kw_arg(x, 0));
		return kw_extra(x, 1);
	case SK_FPHASH: {
		static const char *const h[] = {"md5", "sha1", "sha256", "sha384", "sha512", NULL};
		if (missing(x, 0, "md5 or sha256") < 0)
			return -1;
		if (kw_multi(kw_arg(x, 0), h) < 0)
			return kw_fail(x, 0, "Invalid %s algorithm \"%s\": expected md5 or sha256",
				       x->name, kw_arg(x, 0));
		return kw_extra(x, 1);
	}
	case SK_IPQOS:
		return check_ipqos(x);
	case SK_LISTEN:
		return check_listen(x);
	case SK_LOGLEVEL:
		if (!kw_loglevel(kw_arg(x, 0)))
			return kw_fail(x, 0,
				       "unsupported log level '%s': expected QUIET, FATAL, "
				       "ERROR, INFO, VERBOSE, DEBUG, DEBUG1, DEBUG2 or DEBUG3",
				       kw_arg(x, 0) ? kw_arg(x, 0) : "<NONE>");
		return kw_extra(x, 1);
	case SK_FACILITY:
		if (!kw_facility(kw_arg(x, 0)))
			return kw_fail(x, 0,
				       "unsupported log facility '%s': expected DAEMON, USER, "
				       "AUTH, AUTHPRIV or LOCAL0 to LOCAL7",
				       kw_arg(x, 0) ? kw_arg(x, 0) : "<NONE>");
		return kw_extra(x, 1);
	case SK_MAXSTARTUPS:
		return check_maxstartups(x);
	case SK_NETBLOCK:
		return check_netblock(x);
	case SK_PERMITOPEN:
		return check_permitopen(x, 0);
	case SK_PERMITLISTEN:
		return check_permitopen(x, 1);
	case SK_TUNMODE: {
		static const char *const t[] = {"no", "point-to-point", "ethernet", "yes", NULL};
		if (missing(x, 0, "yes, no, point-to-point or ethernet") < 0)
			return -1;
		for (size_t i = 0; t[i]; i++)
			if (strcmp(kw_arg(x, 0), t[i]) == 0)
				return kw_extra(x, 1);
		return kw_fail(x, 0,
			       "bad %s argument %s: expected yes, no, point-to-point or "
			       "ethernet (in lower case)",
			       x->name, kw_arg(x, 0));
	}
	case SK_PORT:
		if (missing(x, 0, "a port number") < 0)
			return -1;
		if (kw_a2port(kw_arg(x, 0)) <= 0)
			return kw_fail(x, 0,
				       "Badly formatted port number \"%s\": expected 1 to "
				       "65535 or a service name%s",
				       kw_arg(x, 0), ss_sshconf_value_hint(kw_arg(x, 0)));
		return kw_extra(x, 1);
	case SK_PKAUTHOPTS:
		return check_pkauthopts(x);
	case SK_RDOMAIN:
		return kw_fail(x, 0, "setting RDomain not supported on this platform (Linux)%s",
			       "");
	case SK_REKEY:
		return check_rekey(x);
	case SK_MASK: {
		if (missing(x, 0, "an octal mode such as 0177") < 0)
			return -1;
		const char *a = kw_arg(x, 0);
		char *end;
		long v = strtol(a, &end, 8);
		if (end == a || v < 0 || v > 0777)
			return kw_fail(x, 0,
				       "Invalid %s \"%s\": expected an octal mode from 0 to "
				       "0777",
				       x->name, a);
		return kw_extra(x, 1);
	}
	case SK_SUBSYSTEM:
		return check_subsystem(x);
	case SK_VERSIONADD:
		return check_version(x);
	}
	return 0;
}

int ss_sshkw_server_check(const ss_text *t, const ss_sshconf_item *it, ss_diag *d)
{
	const sk_keyword *k = find(it->keyword);
	if (!k)
		return 0;
	kw_ctx x = {t, it, k->name, d};
	return check_kind(&x, k);
}

/* --- across lines --- */

enum { G_KEYS, G_PRINCIPALS, G_METHODS };

void ss_sshkw_sshd_globals_init(ss_sshkw_sshd_globals *g)
{
	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < 5; i++)
		g->enabled[i] = -1;
}

static void set_enabled(ss_sshkw_sshd_globals *g, size_t i, const ss_sshconf_item *it)
{
	if (g->enabled[i] < 0 && it->nargs)
		g->enabled[i] = strcasecmp(it->args[0].value, "yes") == 0;
}

void ss_sshkw_sshd_globals_free(ss_sshkw_sshd_globals *g)
{
	free(g->subsystems);
	g->subsystems = NULL;
	g->nsubsystems = 0;
}

static int note_subsystem(ss_sshkw_sshd_globals *g, const ss_text *t, const ss_sshconf_item *it)
{
	if (it->nargs == 0)
		return 0;
	const char *name = it->args[0].value;
	for (size_t i = 0; i < g->nsubsystems; i++)
		if (strcmp(g->subsystems[i], name) == 0) {
			if (!g->dup_item) {
				g->dup_text = t;
				g->dup_item = it;
			}
			return 0;
		}
	const char **v = realloc(g->subsystems, (g->nsubsystems + 1) * sizeof(*v));
	if (!v)
		return -1;
	g->subsystems = v;
	g->subsystems[g->nsubsystems++] = name;
	return 0;
}

int ss_sshkw_sshd_globals_note(ss_sshkw_sshd_globals *g, const ss_text *t,
			       const ss_sshconf_item *it)
{
	const char *k = it->keyword;
	if (strcmp(k, "subsystem") == 0)
		return note_subsystem(g, t, it);
	if (strcmp(k, "authorizedkeyscommand") == 0 && !g->item[G_KEYS]) {
		g->text[G_KEYS] = t;
		g->item[G_KEYS] = it;
	} else if (strcmp(k, "authorizedprincipalscommand") == 0 && !g->item[G_PRINCIPALS] &&
		   !g->item[G_KEYS]) {
		/* servconf.c stores it only while AuthorizedKeysCommand is unset */
		g->text[G_PRINCIPALS] = t;
		g->item[G_PRINCIPALS] = it;
	} else if (strcmp(k, "authenticationmethods") == 0 && !g->item[G_METHODS]) {
		g->text[G_METHODS] = t;
		g->item[G_METHODS] = it;
	} else if (strcmp(k, "authorizedkeyscommanduser") == 0) {
		g->keys_user = 1;
	} else if (strcmp(k, "authorizedprincipalscommanduser") == 0) {
		g->principals_user = 1;
	} else if (strcmp(k, "pubkeyauthentication") == 0 || strcmp(k, "dsaauthentication") == 0) {
		set_enabled(g, 0, it);
	} else if (strcmp(k, "passwordauthentication") == 0) {
		set_enabled(g, 1, it);
	} else if (strcmp(k, "kbdinteractiveauthentication") == 0 ||
		   strcmp(k, "challengeresponseauthentication") == 0 ||
		   strcmp(k, "skeyauthentication") == 0) {
		set_enabled(g, 2, it);
	} else if (strcmp(k, "hostbasedauthentication") == 0) {
		set_enabled(g, 3, it);
	} else if (strcmp(k, "gssapiauthentication") == 0) {
		set_enabled(g, 4, it);
	}
	return 0;
}

/* A command is "set" unless its whole value is none. */
static int command_set(const ss_text *t, const ss_sshconf_item *it)
{
	size_t p = it->rest;
	while (p < it->end && (t->data[p] == ' ' || t->data[p] == '\t'))
		p++;
	return !(it->end - p == 4 && strncasecmp(t->data + p, "none", 4) == 0);
}

/* auth2_methods_valid(list, 1): every method known and enabled. */
static int methods_enabled(const ss_sshkw_sshd_globals *g, const char *list)
{
	static const char *const names[] = {"publickey", "password",	    "keyboard-interactive",
					    "hostbased", "gssapi-with-mic", NULL};
	static const int defaults[] = {1, 1, 1, 0, 0};
	char *dup = ss_strdup(list);
	if (!dup)
		return 0;
	int ok = 1;
	for (char *cp = dup, *m; ok && (m = kw_strsep(&cp, ",")) != NULL;) {
		char *colon = strchr(m, ':');
		if (colon)
			*colon = '\0';
		if (strcmp(m, "none") == 0)
			continue;
		int i = kw_multi(m, names);
		ok = i >= 0 && strcmp(m, names[i]) == 0 &&
		     (g->enabled[i] >= 0 ? g->enabled[i] : defaults[i]);
	}
	free(dup);
	return ok;
}

int ss_sshkw_sshd_globals_check(const ss_sshkw_sshd_globals *g, ss_diag *d)
{
	if (g->dup_item)
		return ss_text_error(g->dup_text, d, g->dup_item->args[0].start,
				     "Subsystem '%s' already defined: expected each subsystem "
				     "name once",
				     g->dup_item->args[0].value);
	const ss_sshconf_item *it = g->item[G_KEYS];
	if (it && !g->keys_user && command_set(g->text[G_KEYS], it))
		return ss_text_error(g->text[G_KEYS], d, it->kw_start,
				     "AuthorizedKeysCommand set without AuthorizedKeysCommandUser: "
				     "expected an AuthorizedKeysCommandUser line too");
	it = g->item[G_PRINCIPALS];
	if (it && !g->principals_user && command_set(g->text[G_PRINCIPALS], it))
		return ss_text_error(g->text[G_PRINCIPALS], d, it->kw_start,
				     "AuthorizedPrincipalsCommand set without "
				     "AuthorizedPrincipalsCommandUser: expected an "
				     "AuthorizedPrincipalsCommandUser line too");
	it = g->item[G_METHODS];
	if (!it || it->nargs == 0 || strcmp(it->args[0].value, "any") == 0)
		return 0;
	for (size_t i = 0; i < it->nargs; i++)
		if (methods_enabled(g, it->args[i].value))
			return 0;
	return ss_text_error(g->text[G_METHODS], d, it->kw_start,
			     "AuthenticationMethods cannot be satisfied by enabled authentication "
			     "methods: every list names a method that is off (hostbased and "
			     "gssapi-with-mic are off unless HostbasedAuthentication or "
			     "GSSAPIAuthentication is yes)");
}

/* --- advice --- */

static const char *server_closest(const char *kw, size_t *dist)
{
	size_t len = strlen(kw);
	size_t cap = len < 6 ? 1 : len < 12 ? 2 : 3;
	const char *best = NULL;
	*dist = cap + 1;
	for (size_t i = 0; i < sizeof(keywords) / sizeof(*keywords); i++) {
		if (keywords[i].kind == SK_IGNORE)
			continue;
		size_t d = kw_distance(kw, keywords[i].name, *dist < cap ? *dist : cap);
		if (d < *dist) {
			*dist = d;
			best = keywords[i].name;
		}
	}
	return best;
}

const char *ss_sshkw_unknown_advice(const char *lower, int server, char *buf, size_t size)
{
	buf[0] = '\0';
	const char *other = server ? ss_sshkw_client_name(lower) : ss_sshkw_server_name(lower);
	size_t dist;
	const char *near =
	    server ? server_closest(lower, &dist) : ss_sshkw_client_suggest(lower, &dist);
	if (other)
		snprintf(buf, size, "%s is an %s keyword: this looks like an %s, name it %s:PATH",
			 other, server ? "ssh_config" : "sshd_config",
			 server ? "ssh_config" : "sshd_config", server ? "ssh" : "sshd");
	else if (near)
		snprintf(buf, size, "did you mean %s?", near);
	return buf;
}
