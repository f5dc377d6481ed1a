/* ssh_config values as ssh 9.2p1 (Debian 12) takes them: readconf.c's
 * process_config_line_depth() for every keyword, and the checks ssh.c then
 * makes on the values it uses (percent and ${VAR} expansion of HostName,
 * ControlPath, IdentityAgent, ForwardAgent, UserKnownHostsFile,
 * RemoteCommand and forwarding paths; ConnectionAttempts above 0; the
 * HostKeyAlgorithms list). Those later checks apply to the line a host
 * takes; sshsync makes them on every line, since the host that takes it
 * fails. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sshkw_int.h"

typedef enum ck_kind {
	CK_LOADER, /* Host, Match, Include: the loader's */
	CK_IGNORE, /* deprecated, unsupported, ignored: anything goes */
	CK_FLAG,
	CK_MULTI,
	CK_TIME,
	CK_INT,
	CK_ATTEMPTS,
	CK_STRING,
	CK_HOSTNAME,
	CK_CTLPATH,
	CK_COMMAND,
	CK_REMOTECMD,
	CK_FILES,
	CK_UFILES,
	CK_PORT,
	CK_CIPHERS,
	CK_MACS,
	CK_KEX,
	CK_GSSKEX,
	CK_KEYALGS,
	CK_HOSTKEYALGS,
	CK_LOGLEVEL,
	CK_FACILITY,
	CK_LOGVERBOSE,
	CK_LFWD,
	CK_RFWD,
	CK_DFWD,
	CK_REMOTEOPEN,
	CK_ESCAPE,
	CK_SENDENV,
	CK_SETENV,
	CK_PERSIST,
	CK_TUNDEV,
	CK_IPQOS,
	CK_CANONDOMAINS,
	CK_CNAMES,
	CK_MASK,
	CK_FPHASH,
	CK_ADDKEYS,
	CK_AGENT,
	CK_FWDAGENT,
	CK_REKEY,
	CK_JUMP
} ck_kind;

typedef struct ck_keyword {
	const char *name; /* as the manual spells it; sorted case-insensitively */
	ck_kind kind;
	const char *const *values; /* CK_MULTI */
} ck_keyword;

static const char *const v_flag[] = {"true", "false", "yes", "no", NULL};
static const char *const v_yesnoask[] = {"true", "false", "yes", "no", "ask", NULL};
static const char *const v_strict[] = {"true", "false", "yes",	      "no",
				       "ask",  "off",	"accept-new", NULL};
static const char *const v_af[] = {"inet", "inet6", "any", NULL};
static const char *const v_master[] = {"true", "yes", "false",	 "no",
				       "auto", "ask", "autoask", NULL};
static const char *const v_tunnel[] = {"ethernet", "point-to-point", "true", "yes", "false", "no",
				       NULL};
static const char *const v_tty[] = {"true", "yes", "false", "no", "force", "auto", NULL};
static const char *const v_session[] = {"none", "subsystem", "default", NULL};
static const char *const v_canon[] = {"true", "false", "yes", "no", "always", NULL};
static const char *const v_pubkey[] = {"true", "false", "yes", "no", "unbound", "host-bound", NULL};
static const char *const v_comp[] = {"yes", "no", NULL};
static const char *const v_addkeys[] = {"true", "false", "yes", "no", "ask", "confirm", NULL};
static const char *const v_ipqos[] = {
    "none", "af11", "af12", "af13", "af21", "af22",	"af23",	      "af31",	     "af32",
    "af33", "af41", "af42", "af43", "cs0",  "cs1",	"cs2",	      "cs3",	     "cs4",
    "cs5",  "cs6",  "cs7",  "ef",   "le",   "lowdelay", "throughput", "reliability", NULL};
static const char *const v_fphash[] = {"md5", "sha1", "sha256", "sha384", "sha512", NULL};

/* readconf.c keywords[] as Debian builds it (GSSAPI, PKCS#11), with
 * Debian's patches: the GSSAPI key exchange keywords, the old names of
 * ServerAliveInterval (ProtocolKeepAlives, SetupTimeOut) and
 * UseBlacklistedKeys (accepted and ignored). */
static const ck_keyword keywords[] = {
    {"AddKeysToAgent", CK_ADDKEYS, NULL},
    {"AddressFamily", CK_MULTI, v_af},
    {"AFSTokenPassing", CK_IGNORE, NULL},
    {"BatchMode", CK_FLAG, NULL},
    {"BindAddress", CK_STRING, NULL},
    {"BindInterface", CK_STRING, NULL},
    {"CanonicalDomains", CK_CANONDOMAINS, NULL},
    {"CanonicalizeFallbackLocal", CK_FLAG, NULL},
    {"CanonicalizeHostname", CK_MULTI, v_canon},
    {"CanonicalizeMaxDots", CK_INT, NULL},
    {"CanonicalizePermittedCNAMEs", CK_CNAMES, NULL},
    {"CASignatureAlgorithms", CK_KEYALGS, NULL},
    {"CertificateFile", CK_STRING, NULL},
    {"ChallengeResponseAuthentication", CK_FLAG, NULL},
    {"CheckHostIP", CK_FLAG, NULL},
    {"Cipher", CK_IGNORE, NULL},
    {"Ciphers", CK_CIPHERS, NULL},
    {"ClearAllForwardings", CK_FLAG, NULL},
    {"Compression", CK_MULTI, v_comp},
    {"CompressionLevel", CK_IGNORE, NULL},
    {"ConnectionAttempts", CK_ATTEMPTS, NULL},
    {"ConnectTimeout", CK_TIME, NULL},
    {"ControlMaster", CK_MULTI, v_master},
    {"ControlPath", CK_CTLPATH, NULL},
    {"ControlPersist", CK_PERSIST, NULL},
    {"DSAAuthentication", CK_MULTI, v_pubkey},
    {"DynamicForward", CK_DFWD, NULL},
    {"EnableEscapeCommandline", CK_FLAG, NULL},
    {"EnableSSHKeysign", CK_FLAG, NULL},
    {"EscapeChar", CK_ESCAPE, NULL},
    {"ExitOnForwardFailure", CK_FLAG, NULL},
    {"FallBackToRsh", CK_IGNORE, NULL},
    {"FingerprintHash", CK_FPHASH, NULL},
    {"ForkAfterAuthentication", CK_FLAG, NULL},
    {"ForwardAgent", CK_FWDAGENT, NULL},
    {"ForwardX11", CK_FLAG, NULL},
    {"ForwardX11Timeout", CK_TIME, NULL},
    {"ForwardX11Trusted", CK_FLAG, NULL},
    {"GatewayPorts", CK_FLAG, NULL},
    {"GlobalKnownHostsFile", CK_FILES, NULL},
    {"GlobalKnownHostsFile2", CK_IGNORE, NULL},
    {"GSSAPIAuthentication", CK_FLAG, NULL},
    {"GSSAPIClientIdentity", CK_STRING, NULL},
    {"GSSAPIDelegateCredentials", CK_FLAG, NULL},
    {"GSSAPIKexAlgorithms", CK_GSSKEX, NULL},
    {"GSSAPIKeyExchange", CK_FLAG, NULL},
    {"GSSAPIRenewalForcesRekey", CK_FLAG, NULL},
    {"GSSAPIServerIdentity", CK_STRING, NULL},
    {"GSSAPITrustDNS", CK_FLAG, NULL},
    {"HashKnownHosts", CK_FLAG, NULL},
    {"Host", CK_LOADER, NULL},
    {"HostbasedAcceptedAlgorithms", CK_KEYALGS, NULL},
    {"HostbasedAuthentication", CK_FLAG, NULL},
    {"HostbasedKeyTypes", CK_KEYALGS, NULL},
    {"HostKeyAlgorithms", CK_HOSTKEYALGS, NULL},
    {"HostKeyAlias", CK_STRING, NULL},
    {"HostName", CK_HOSTNAME, NULL},
    {"IdentitiesOnly", CK_FLAG, NULL},
    {"IdentityAgent", CK_AGENT, NULL},
    {"IdentityFile", CK_STRING, NULL},
    {"IdentityFile2", CK_STRING, NULL},
    {"IgnoreUnknown", CK_STRING, NULL},
    {"Include", CK_LOADER, NULL},
    {"IPQoS", CK_IPQOS, NULL},
    {"KbdInteractiveAuthentication", CK_FLAG, NULL},
    {"KbdInteractiveDevices", CK_STRING, NULL},
    {"KeepAlive", CK_FLAG, NULL},
    {"KerberosAuthentication", CK_IGNORE, NULL},
    {"KerberosTGTPassing", CK_IGNORE, NULL},
    {"KexAlgorithms", CK_KEX, NULL},
    {"KnownHostsCommand", CK_COMMAND, NULL},
    {"LocalCommand", CK_COMMAND, NULL},
    {"LocalForward", CK_LFWD, NULL},
    {"LogLevel", CK_LOGLEVEL, NULL},
    {"LogVerbose", CK_LOGVERBOSE, NULL},
    {"MACs", CK_MACS, NULL},
    {"Match", CK_LOADER, NULL},
    {"NoHostAuthenticationForLocalhost", CK_FLAG, NULL},
    {"NumberOfPasswordPrompts", CK_INT, NULL},
    {"PasswordAuthentication", CK_FLAG, NULL},
    {"PermitLocalCommand", CK_FLAG, NULL},
    {"PermitRemoteOpen", CK_REMOTEOPEN, NULL},
    {"PKCS11Provider", CK_STRING, NULL},
    {"Port", CK_PORT, NULL},
    {"PreferredAuthentications", CK_STRING, NULL},
    {"Protocol", CK_IGNORE, NULL},
    {"ProtocolKeepAlives", CK_TIME, NULL},
    {"ProxyCommand", CK_COMMAND, NULL},
    {"ProxyJump", CK_JUMP, NULL},
    {"ProxyUseFdpass", CK_FLAG, NULL},
    {"PubkeyAcceptedAlgorithms", CK_KEYALGS, NULL},
    {"PubkeyAcceptedKeyTypes", CK_KEYALGS, NULL},
    {"PubkeyAuthentication", CK_MULTI, v_pubkey},
    {"RekeyLimit", CK_REKEY, NULL},
    {"RemoteCommand", CK_REMOTECMD, NULL},
    {"RemoteForward", CK_RFWD, NULL},
    {"RequestTTY", CK_MULTI, v_tty},
    {"RequiredRSASize", CK_INT, NULL},
    {"RevokedHostKeys", CK_STRING, NULL},
    {"RhostsAuthentication", CK_IGNORE, NULL},
    {"RhostsRSAAuthentication", CK_IGNORE, NULL},
    {"RSAAuthentication", CK_IGNORE, NULL},
    {"SecurityKeyProvider", CK_STRING, NULL},
    {"SendEnv", CK_SENDENV, NULL},
    {"ServerAliveCountMax", CK_INT, NULL},
    {"ServerAliveInterval", CK_TIME, NULL},
    {"SessionType", CK_MULTI, v_session},
    {"SetEnv", CK_SETENV, NULL},
    {"SetupTimeOut", CK_TIME, NULL},
    {"SkeyAuthentication", CK_FLAG, NULL},
    {"SmartcardDevice", CK_STRING, NULL},
    {"StdinNull", CK_FLAG, NULL},
    {"StreamLocalBindMask", CK_MASK, NULL},
    {"StreamLocalBindUnlink", CK_FLAG, NULL},
    {"StrictHostKeyChecking", CK_MULTI, v_strict},
    {"SyslogFacility", CK_FACILITY, NULL},
    {"TCPKeepAlive", CK_FLAG, NULL},
    {"TISAuthentication", CK_FLAG, NULL},
    {"Tunnel", CK_MULTI, v_tunnel},
    {"TunnelDevice", CK_TUNDEV, NULL},
    {"UpdateHostKeys", CK_MULTI, v_yesnoask},
    {"UseBlacklistedKeys", CK_IGNORE, NULL},
    {"UsePrivilegedPort", CK_IGNORE, NULL},
    {"User", CK_STRING, NULL},
    {"UserKnownHostsFile", CK_UFILES, NULL},
    {"UserKnownHostsFile2", CK_IGNORE, NULL},
    {"UseRoaming", CK_IGNORE, NULL},
    {"UseRsh", CK_IGNORE, NULL},
    {"VerifyHostKeyDNS", CK_MULTI, v_yesnoask},
    {"VisualHostKey", CK_FLAG, NULL},
    {"XAuthLocation", CK_STRING, NULL},
};

static int cmp_name(const void *key, const void *elem)
{
	return strcasecmp(key, ((const ck_keyword *)elem)->name);
}

static const ck_keyword *find(const char *kw)
{
	return bsearch(kw, keywords, sizeof(keywords) / sizeof(*keywords), sizeof(*keywords),
		       cmp_name);
}

const char *ss_sshkw_client_name(const char *lower)
{
	const ck_keyword *k = find(lower);
	return k ? k->name : NULL;
}

/* --- pieces --- */

static const char default_keys[] = "CLiklnpdhru"; /* DEFAULT_CLIENT_PERCENT_EXPAND_ARGS */

/* vdollar_percent_expand() with the tokens in `keys` (NULL: no '%'
 * expansion) and, with `dollar`, ${VAR} from sshsync's environment (ssh
 * runs in the same one). */
static int check_expand(const kw_ctx *x, size_t i, const char *s, const char *keys, int dollar)
{
	for (; *s; s++) {
		if (dollar && s[0] == '$' && s[1] == '{') {
			const char *end = strchr(s + 2, '}');
			if (!end)
				return kw_fail(
				    x, i, "environment variable '%s' missing closing '}'", s + 2);
			if (end == s + 2)
				return kw_fail(x, i, "zero-length environment variable%s", "");
			char *var = ss_strndup(s + 2, (size_t)(end - s - 2));
			if (!var)
				return ss_diag_oom(x->d);
			int missing = getenv(var) == NULL;
			if (missing)
				kw_fail(x, i,
					"env var ${%s} has no value: ssh expands it from its "
					"environment",
					var);
			free(var);
			if (missing)
				return -1;
			s = end;
			continue;
		}
		if (*s != '%' || !keys)
			continue;
		s++;
		if (*s == '%')
			continue;
		if (*s == '\0')
			return kw_fail(x, i,
				       "invalid format: a '%%' at the end (write %%%% for "
				       "a percent sign)");
		if (!strchr(keys, *s))
			return kw_fail(x, i, "unknown key %%%c: expected one of %%%s%s", *s,
				       strlen(keys) == 1 ? keys : "C %L %i %k %l %n %p %d %h %r %u",
				       " or %%");
	}
	return 0;
}

static int check_algos(const kw_ctx *x, int (*valid)(const char *), const char *what,
		       const char *query)
{
	if (kw_need(x, 0, "an algorithm list") < 0)
		return -1;
	const char *a = kw_arg(x, 0);
	if (*a != '-' && !valid(*a == '+' || *a == '^' ? a + 1 : a))
		return kw_fail(x, 0,
			       "Bad %s '%s': expected names that `ssh -Q %s` lists, "
			       "optionally after +, - or ^",
			       what, a, query);
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

/* --- forwarding (readconf.c parse_forward) --- */

typedef struct fwd_field {
	char *arg;
	int ispath;
} fwd_field;

static int next_field(char **p, fwd_field *f)
{
	char *cp = *p;
	if (*cp == '\0') {
		*p = NULL;
		return -1;
	}
	if (*cp == '[') {
		char *ep;
		int ispath = 0;
		for (ep = cp + 1; *ep != ']' && *ep != '\0'; ep++)
			if (*ep == '/')
				ispath = 1;
		if (ep[0] != ']' || (ep[1] != ':' && ep[1] != '\0'))
			return -1;
		*ep++ = '\0';
		if (*ep != '\0')
			*ep++ = '\0';
		f->arg = cp + 1;
		f->ispath = ispath;
		*p = ep;
		return 0;
	}
	int ispath = 0;
	for (; *cp != '\0'; cp++) {
		if (*cp == '\\') {
			memmove(cp, cp + 1, strlen(cp + 1) + 1);
			if (*cp == '\0')
				return -1;
		} else if (*cp == '/') {
			ispath = 1;
		} else if (*cp == ':') {
			*cp++ = '\0';
			break;
		}
	}
	f->arg = *p;
	f->ispath = ispath;
	*p = cp;
	return 0;
}

enum { PATH_MAX_SUN = 108, NI_MAXHOST_ = 1025, PORT_STREAMLOCAL = -2 };

typedef struct fwd_spec {
	const char *listen_host, *listen_path, *connect_host, *connect_path;
	int listen_port, connect_port;
} fwd_spec;

static void fwd_fill(fwd_spec *s, const fwd_field *f, int n)
{
	memset(s, 0, sizeof(*s));
	switch (n) {
	case 1:
		if (f[0].ispath) {
			s->listen_path = f[0].arg;
			s->listen_port = PORT_STREAMLOCAL;
		} else {
			s->listen_port = kw_a2port(f[0].arg);
		}
		s->connect_host = "socks";
		break;
	case 2:
		if (f[0].ispath && f[1].ispath) {
			s->listen_path = f[0].arg;
			s->listen_port = PORT_STREAMLOCAL;
			s->connect_path = f[1].arg;
			s->connect_port = PORT_STREAMLOCAL;
		} else if (f[1].ispath) {
			s->listen_port = kw_a2port(f[0].arg);
			s->connect_path = f[1].arg;
			s->connect_port = PORT_STREAMLOCAL;
		} else {
			s->listen_host = f[0].arg;
			s->listen_port = kw_a2port(f[1].arg);
			s->connect_host = "socks";
		}
		break;
	case 3:
		if (f[0].ispath) {
			s->listen_path = f[0].arg;
			s->listen_port = PORT_STREAMLOCAL;
			s->connect_host = f[1].arg;
			s->connect_port = kw_a2port(f[2].arg);
		} else if (f[2].ispath) {
			s->listen_host = f[0].arg;
			s->listen_port = kw_a2port(f[1].arg);
			s->connect_path = f[2].arg;
			s->connect_port = PORT_STREAMLOCAL;
		} else {
			s->listen_port = kw_a2port(f[0].arg);
			s->connect_host = f[1].arg;
			s->connect_port = kw_a2port(f[2].arg);
		}
		break;
	case 4:
		s->listen_host = f[0].arg;
		s->listen_port = kw_a2port(f[1].arg);
		s->connect_host = f[2].arg;
		s->connect_port = kw_a2port(f[3].arg);
		break;
	default:
		break;
	}
}

static int fwd_valid(const fwd_spec *s, int n, int dynamic, int remote)
{
	if (dynamic) {
		if (n != 1 && n != 2)
			return 0;
	} else {
		if (n != 3 && n != 4 && !s->connect_path && !s->listen_path)
			return 0;
		if (s->connect_port <= 0 && !s->connect_path)
			return 0;
	}
	if ((s->listen_port < 0 && !s->listen_path) || (!remote && s->listen_port == 0))
		return 0;
	if ((s->connect_host && strlen(s->connect_host) >= NI_MAXHOST_) ||
	    (s->connect_path && strlen(s->connect_path) >= PATH_MAX_SUN) ||
	    (s->listen_host && strlen(s->listen_host) >= NI_MAXHOST_) ||
	    (s->listen_path && strlen(s->listen_path) >= PATH_MAX_SUN))
		return 0;
	return 1;
}

/* The spec after ${VAR} expansion, as parse_forward() builds it. */
static char *fwd_expand(const kw_ctx *x, const char *spec, int *bad)
{
	ss_buf b = SS_BUF_INIT;
	*bad = 0;
	for (const char *s = spec; *s && !*bad; s++) {
		if (s[0] == '$' && s[1] == '{') {
			const char *end = strchr(s + 2, '}');
			char *var =
			    end && end > s + 2 ? ss_strndup(s + 2, (size_t)(end - s - 2)) : NULL;
			const char *val = var ? getenv(var) : NULL;
			free(var);
			if (!val) {
				*bad = 1;
				break;
			}
			if (ss_buf_adds(&b, val) < 0)
				goto oom;
			s = end;
			continue;
		}
		if (ss_buf_addc(&b, *s) < 0)
			goto oom;
	}
	if (*bad) {
		ss_buf_release(&b);
		return NULL;
	}
	if (ss_buf_adds(&b, "") < 0)
		goto oom;
	return ss_buf_detach(&b, NULL);
oom:
	ss_buf_release(&b);
	ss_diag_oom(x->d);
	return NULL;
}

static int check_forward(const kw_ctx *x, int remote, int dynamic)
{
	if (kw_need(x, 0, dynamic ? "[bind_address:]port" : "a forwarding specification") < 0)
		return -1;
	size_t used = 1;
	ss_buf spec = SS_BUF_INIT;
	int r = 0;
	if (!dynamic) {
		const char *a2 = kw_arg(x, 1);
		if (!a2 || !*a2) {
			if (!remote) {
				ss_buf_release(&spec);
				return kw_fail(x, 1,
					       "Missing target argument: expected "
					       "host:hostport or a socket path after the "
					       "listen address");
			}
			dynamic = 1;
		} else {
			used = 2;
			r = ss_buf_addf(&spec, "%s:%s", kw_arg(x, 0), a2);
		}
	}
	if (dynamic)
		r = ss_buf_adds(&spec, kw_arg(x, 0));
	if (r < 0) {
		ss_buf_release(&spec);
		return ss_diag_oom(x->d);
	}
	char *s = ss_buf_detach(&spec, NULL);
	if (!s)
		return ss_diag_oom(x->d);
	if (strlen(s) > 255)
		s[255] = '\0'; /* readconf.c builds it in char fwdarg[256] */
	int bad;
	char *p = fwd_expand(x, s, &bad);
	free(s);
	if (!p)
		return bad ? kw_fail(x, 0,
				     "Bad forwarding specification: an unset or malformed "
				     "${VAR}")
			   : -1;
	fwd_field f[4];
	memset(f, 0, sizeof(f));
	char *cp = p;
	while (*cp == ' ' || (*cp >= '\t' && *cp <= '\r'))
		cp++;
	int n = 0;
	while (n < 4 && next_field(&cp, &f[n]) == 0)
		n++;
	if (cp && *cp)
		n = 0;
	fwd_spec fs;
	fwd_fill(&fs, f, n);
	int ok = fwd_valid(&fs, n, dynamic, remote);
	if (!ok) {
		free(p);
		return kw_fail(x, 0, "Bad forwarding specification: expected %s",
			       dynamic ? "[bind_address:]port"
				       : "[bind_address:]port host:hostport (or socket paths)");
	}
	/* ssh expands %-tokens in socket paths before it uses them */
	r = 0;
	if (fs.listen_path)
		r = check_expand(x, 0, fs.listen_path, default_keys, 0);
	if (r == 0 && fs.connect_path)
		r = check_expand(x, used - 1, fs.connect_path, default_keys, 0);
	free(p);
	return r < 0 ? -1 : kw_extra(x, used);
}

/* --- ProxyJump (parse_jump, parse_ssh_uri, parse_user_host_port) --- */

static int urldecode_ok(const char *s)
{
	for (; *s; s++)
		if (*s == '%') {
			if (!isxdigit((unsigned char)s[1]) || !isxdigit((unsigned char)s[2]))
				return 0;
			s += 2;
		}
	return 1;
}

/* 1 not an ssh:// URI, 0 a valid one, -1 a bad one. */
static int ssh_uri(char *uri)
{
	if (strncmp(uri, "ssh://", 6) != 0)
		return 1;
	char *tmp = uri + 6, *cp, ch = '\0';
	if ((cp = strchr(tmp, '@')) != NULL) {
		*cp = '\0';
		char *delim = strchr(tmp, ';');
		if (delim)
			*delim = '\0';
		if (*tmp == '\0' || !urldecode_ok(tmp))
			return -1;
		tmp = cp + 1;
	}
	if ((cp = kw_hpdelim2(&tmp, &ch)) == NULL || *cp == '\0')
		return -1;
	char buf[160];
	if (kw_valid_domain(kw_cleanhostname(cp), buf, sizeof(buf)))
		return -1;
	if (tmp && *tmp) {
		if (ch == ':') {
			char *slash = strchr(tmp, '/');
			if (slash)
				*slash = '\0';
			if (kw_a2port(tmp) <= 0)
				return -1;
			tmp = slash ? slash + 1 : NULL;
		}
		if (tmp && *tmp)
			return -1; /* a path: not allowed */
	}
	return 0;
}

static int user_host_port(char *s)
{
	char *cp = strrchr(s, '@');
	if (cp) {
		*cp = '\0';
		if (*s == '\0')
			return -1;
		s = cp + 1;
	}
	if ((cp = kw_hpdelim(&s)) == NULL || *cp == '\0')
		return -1;
	if (s && *s && kw_a2port(s) <= 0)
		return -1;
	return 0;
}

static int jump_valid(const char *s)
{
	if (strcasecmp(s, "none") == 0)
		return 1;
	char *dup = ss_strdup(s);
	if (!dup)
		return -1;
	char *hash = strchr(dup, '#');
	if (hash)
		*hash = '\0';
	size_t n = strlen(dup);
	while (n > 0 && strchr(" \t\r\n", dup[n - 1]))
		dup[--n] = '\0';
	int ok = 1;
	for (;;) {
		char *cp = strrchr(dup, ',');
		char *el = cp ? cp + 1 : dup;
		if (cp)
			*cp = '\0';
		char *copy = ss_strdup(el);
		if (!copy) {
			free(dup);
			return -1;
		}
		int r = ssh_uri(copy);
		free(copy);
		if (r == 1) {
			copy = ss_strdup(el);
			if (!copy) {
				free(dup);
				return -1;
			}
			r = user_host_port(copy);
			free(copy);
		}
		if (r != 0) {
			ok = 0;
			break;
		}
		if (!cp)
			break;
	}
	free(dup);
	return ok;
}

/* The raw rest of the line, as ssh's parse_command and ProxyJump see it. */
static char *raw_rest(const kw_ctx *x)
{
	const char *data = x->t->data;
	size_t p = x->it->rest;
	while (p < x->it->end && strchr(" \t\r\n=", data[p]))
		p++;
	return ss_strndup(data + p, x->it->end > p ? x->it->end - p : 0);
}

/* --- the keywords --- */

static int check_list_none(const kw_ctx *x, int empty_ok, size_t max)
{
	size_t n = x->it->nargs;
	for (size_t i = 0; i < n; i++) {
		const char *a = kw_arg(x, i);
		if (!*a && !empty_ok)
			return kw_fail(x, i, "empty argument%s", "");
		if (strcasecmp(a, "none") == 0 && n > 1)
			return kw_fail(x, i, "\"none\" argument must appear alone%s", "");
	}
	if (max && n > max)
		return kw_fail(x, max, "too many entries: at most %zu", max);
	return 0;
}

static int check_flaglike(const kw_ctx *x, const char *const *values)
{
	const char *a = kw_arg(x, 0);
	if (kw_multi(a && *a ? a : NULL, values) < 0) {
		char want[200];
		if (!a || !*a)
			return kw_fail(x, 0, "missing argument: expected %s",
				       kw_join(values, want, sizeof(want)));
		return kw_fail(x, 0, "unsupported option \"%s\": expected %s%s", a,
			       kw_join(values, want, sizeof(want)), ss_sshconf_value_hint(a));
	}
	return kw_extra(x, 1);
}

static int check_time_arg(const kw_ctx *x, size_t i)
{
	const char *a = kw_arg(x, i);
	if (!a || !*a)
		return kw_fail(x, i,
			       "missing time value: expected seconds or a time like "
			       "1m30s%s",
			       "");
	if (strcmp(a, "none") != 0 && kw_convtime(a) < 0)
		return kw_fail(x, i,
			       "invalid time value \"%s\": expected seconds or a time like 1m30s "
			       "(units s, m, h, d, w), or none%s",
			       a, ss_sshconf_value_hint(a));
	return 0;
}

static int check_int(const kw_ctx *x, long *v)
{
	const char *a = kw_arg(x, 0);
	const char *e = kw_atoi_err(a, v);
	if (e)
		return kw_fail(x, 0,
			       "integer value %s: expected a whole number from 0 to "
			       "2147483647%s",
			       e, a ? ss_sshconf_value_hint(a) : "");
	return kw_extra(x, 1);
}

static int check_rekey(const kw_ctx *x)
{
	if (kw_need(x, 0, "a byte count such as 1G, or default") < 0)
		return -1;
	const char *a = kw_arg(x, 0);
	if (strcmp(a, "default") != 0) {
		long long v;
		if (kw_scan_scaled(a, &v) < 0)
			return kw_fail(x, 0,
				       "Bad number '%s': %s (expected bytes with an "
				       "optional K, M or G)",
				       a, kw_scan_scaled_error(a));
		if (v != 0 && v < 16)
			return kw_fail(x, 0,
				       "RekeyLimit too small: expected 0 or at least 16 "
				       "bytes%s",
				       "");
	}
	const char *b = kw_arg(x, 1);
	if (!b)
		return 0;
	if (strcmp(b, "none") != 0 && check_time_arg(x, 1) < 0)
		return -1;
	return kw_extra(x, 2);
}

static int check_escape(const kw_ctx *x)
{
	if (kw_need(x, 0, "a character, ^ and a letter, or none") < 0)
		return -1;
	const char *a = kw_arg(x, 0);
	int ok =
	    strcmp(a, "none") == 0 || a[1] == '\0' ||
	    (a[0] == '^' && a[2] == '\0' && (unsigned char)a[1] >= 64 && (unsigned char)a[1] < 128);
	if (!ok)
		return kw_fail(x, 0,
			       "Bad escape character \"%s\": expected one character, ^ "
			       "and a letter, or none",
			       a);
	return kw_extra(x, 1);
}

static int tun_one(const char *s)
{
	long long v;
	return strcasecmp(s, "any") == 0 || kw_strtonum(s, 0, 2147483645LL, &v) == 0;
}

static int check_tundev(const kw_ctx *x)
{
	if (kw_need(x, 0, "a tun device number, any, or local:remote") < 0)
		return -1;
	const char *a = kw_arg(x, 0);
	const char *colon = strchr(a, ':');
	int ok;
	if (colon) {
		char *local = ss_strndup(a, (size_t)(colon - a));
		if (!local)
			return ss_diag_oom(x->d);
		ok = tun_one(local) && tun_one(colon + 1);
		free(local);
	} else {
		ok = tun_one(a);
	}
	if (!ok)
		return kw_fail(x, 0,
			       "Bad tun device \"%s\": expected a number, any, or "
			       "local:remote",
			       a);
	return kw_extra(x, 1);
}

static int ipqos_ok(const char *s)
{
	if (!s)
		return 0;
	if (kw_multi(s, v_ipqos) >= 0)
		return 1;
	char *end;
	long v = strtol(s, &end, 0);
	return *s && !*end && v >= 0 && v <= 255;
}

static int check_ipqos(const kw_ctx *x)
{
	for (size_t i = 0; i < 2; i++) {
		const char *a = kw_arg(x, i);
		if (i == 1 && !a)
			break;
		if (!ipqos_ok(a))
			return kw_fail(x, i,
				       "Bad IPQoS value: %s: expected af11..af43, cs0..cs7, "
				       "ef, le, lowdelay, throughput, reliability, none "
				       "or a number 0-255",
				       a ? a : "(null)");
	}
	return kw_extra(x, 2);
}

static int check_canondomains(const kw_ctx *x)
{
	if (check_list_none(x, 0, 0) < 0)
		return -1;
	for (size_t i = 0; i < x->it->nargs; i++) {
		char buf[200];
		const char *e = kw_valid_domain(kw_arg(x, i), buf, sizeof(buf));
		if (e)
			return kw_fail(x, i, "%s", e);
	}
	if (x->it->nargs > 32)
		return kw_fail(x, 32, "too many hostname suffixes: at most 32%s", "");
	return 0;
}

static int check_cnames(const kw_ctx *x)
{
	size_t n = x->it->nargs;
	for (size_t i = 0; i < n; i++) {
		const char *a = kw_arg(x, i);
		if (strcasecmp(a, "none") == 0) {
			if (n > 1)
				return kw_fail(x, i, "\"none\" argument must appear alone%s", "");
			continue;
		}
		if (strcmp(a, "*") == 0)
			continue;
		const char *c = strchr(a, ':');
		if (!c || c[1] == '\0')
			return kw_fail(x, i,
				       "Invalid permitted CNAME \"%s\": expected "
				       "source_domains:target_domains",
				       a);
	}
	if (n > 32)
		return kw_fail(x, 32, "too many permitted CNAMEs: at most 32%s", "");
	return 0;
}

static int check_mask(const kw_ctx *x)
{
	if (kw_need(x, 0, "an octal mode such as 0177") < 0)
		return -1;
	const char *a = kw_arg(x, 0);
	char *end;
	long v = strtol(a, &end, 8);
	if (end == a || v < 0 || v > 0777)
		return kw_fail(x, 0, "Bad mask \"%s\": expected an octal mode from 0 to 0777", a);
	return kw_extra(x, 1);
}

static int check_addkeys(const kw_ctx *x)
{
	const char *a = kw_arg(x, 0), *b = kw_arg(x, 1);
	int v = kw_multi(a && *a ? a : NULL, v_addkeys);
	if (v == 5 && b) {
		if (kw_convtime(b) < 0)
			return kw_fail(x, 1,
				       "invalid time value \"%s\": expected a time like "
				       "5m after confirm",
				       b);
	} else if (v < 0 && !b) {
		if (!a || kw_convtime(a) < 0)
			return kw_fail(x, 0,
				       "unsupported option \"%s\": expected yes, no, ask, "
				       "confirm [time] or a time",
				       a ? a : "");
	} else if (v < 0 || b) {
		return kw_fail(x, v < 0 ? 0 : 1,
			       "unsupported option: expected yes, no, ask, confirm [time] or a "
			       "time%s",
			       "");
	}
	return kw_extra(x, 2);
}

static int check_agent_path(const kw_ctx *x, int tokens)
{
	const char *a = kw_arg(x, 0);
	if (check_expand(x, 0, a, NULL, 1) < 0)
		return -1;
	if (a[0] == '$' && a[1] != '{' && !kw_valid_env_name(a + 1))
		return kw_fail(x, 0, "Invalid environment name %s: expected $NAME or ${NAME}", a);
	if (tokens && (kw_tilde(x, 0, a) < 0 || check_expand(x, 0, a, default_keys, 1) < 0))
		return -1;
	return kw_extra(x, 1);
}

static int check_remote_open(const kw_ctx *x)
{
	size_t n = x->it->nargs;
	if (n == 0)
		return kw_fail(x, 0, "missing PermitRemoteOpen specification%s", "");
	for (size_t i = 0; i < n; i++) {
		const char *a = kw_arg(x, i);
		if (strcasecmp(a, "none") == 0 || strcasecmp(a, "any") == 0) {
			if (n > 1)
				return kw_fail(x, i, "\"%s\" argument must appear alone", a);
			continue;
		}
		char *dup = ss_strdup(a);
		if (!dup)
			return ss_diag_oom(x->d);
		char *rest = dup;
		char *host = kw_hpdelim(&rest);
		int bad_port = host && (!rest || (strcmp(rest, "*") != 0 && kw_a2port(rest) <= 0));
		free(dup);
		if (!host)
			return kw_fail(
			    x, i, "missing host in permitremoteopen: expected host:port%s", "");
		if (bad_port)
			return kw_fail(x, i,
				       "bad port number in permitremoteopen: expected "
				       "host:port (port a number or *)%s",
				       "");
	}
	return 0;
}

static int check_jump(const kw_ctx *x)
{
	char *raw = raw_rest(x);
	if (!raw)
		return ss_diag_oom(x->d);
	int ok = jump_valid(raw);
	if (ok < 0) {
		free(raw);
		return ss_diag_oom(x->d);
	}
	if (!ok)
		kw_fail(x, 0,
			"Invalid ProxyJump \"%s\": expected [user@]host[:port] or "
			"ssh://[user@]host[:port], comma-separated, or none",
			raw);
	free(raw);
	return ok ? 0 : -1;
}

static int check_remote_command(const kw_ctx *x)
{
	char *raw = raw_rest(x);
	if (!raw)
		return ss_diag_oom(x->d);
	int r = check_expand(x, 0, raw, default_keys, 0);
	free(raw);
	return r;
}

static int check_env(const kw_ctx *x, int set)
{
	for (size_t i = 0; i < x->it->nargs; i++) {
		const char *a = kw_arg(x, i);
		if (set && !strchr(a, '='))
			return kw_fail(x, i, "Invalid SetEnv \"%s\": expected NAME=VALUE", a);
		if (!set && (!*a || strchr(a, '=')))
			return kw_fail(x, i,
				       "Invalid environment name \"%s\": expected a name "
				       "or pattern without '='",
				       a);
	}
	return 0;
}

static int check_persist(const kw_ctx *x)
{
	if (kw_need(x, 0, "yes, no or a time") < 0)
		return -1;
	const char *a = kw_arg(x, 0);
	if (strcmp(a, "no") && strcmp(a, "false") && strcmp(a, "yes") && strcmp(a, "true") &&
	    kw_convtime(a) < 0)
		return kw_fail(x, 0,
			       "Bad ControlPersist argument \"%s\": expected yes, no (in "
			       "lower case) or a time like 10m",
			       a);
	return kw_extra(x, 1);
}

static int check_kind(const kw_ctx *x, const ck_keyword *k)
{
	long v;
	switch (k->kind) {
	case CK_LOADER:
	case CK_IGNORE:
	case CK_COMMAND:
		return 0;
	case CK_FLAG:
		return check_flaglike(x, v_flag);
	case CK_MULTI:
		return check_flaglike(x, k->values);
	case CK_TIME:
		return check_time_arg(x, 0) < 0 ? -1 : kw_extra(x, 1);
	case CK_INT:
		return check_int(x, &v);
	case CK_ATTEMPTS:
		if (check_int(x, &v) < 0)
			return -1;
		if (v <= 0)
			return kw_fail(x, 0,
				       "Invalid number of ConnectionAttempts: expected 1 or "
				       "more%s",
				       "");
		return 0;
	case CK_STRING:
		return kw_need(x, 0, "a value") < 0 ? -1 : kw_extra(x, 1);
	case CK_HOSTNAME:
		if (kw_need(x, 0, "a host name") < 0 ||
		    check_expand(x, 0, kw_arg(x, 0), "h", 0) < 0)
			return -1;
		return kw_extra(x, 1);
	case CK_CTLPATH:
		if (kw_need(x, 0, "a path or none") < 0 ||
		    (strcasecmp(kw_arg(x, 0), "none") != 0 && kw_tilde(x, 0, kw_arg(x, 0)) < 0) ||
		    check_expand(x, 0, kw_arg(x, 0), default_keys, 1) < 0)
			return -1;
		return kw_extra(x, 1);
	case CK_REMOTECMD:
		return check_remote_command(x);
	case CK_FILES:
		return check_list_none(x, 0, 16);
	case CK_UFILES:
		if (check_list_none(x, 0, 16) < 0)
			return -1;
		for (size_t i = 0; i < x->it->nargs; i++)
			if (kw_tilde(x, i, kw_arg(x, i)) < 0 ||
			    check_expand(x, i, kw_arg(x, i), default_keys, 1) < 0)
				return -1;
		return 0;
	case CK_PORT:
		if (kw_need(x, 0, "a port number") < 0)
			return -1;
		if (kw_a2port(kw_arg(x, 0)) <= 0)
			return kw_fail(x, 0,
				       "Bad port '%s': expected a number from 1 to 65535 or "
				       "a service name%s",
				       kw_arg(x, 0), ss_sshconf_value_hint(kw_arg(x, 0)));
		return kw_extra(x, 1);
	case CK_CIPHERS:
		return check_algos(x, ciphers, "SSH2 cipher spec", "cipher");
	case CK_MACS:
		return check_algos(x, macs, "SSH2 MAC spec", "mac");
	case CK_KEX:
		return check_algos(x, kex, "SSH2 KexAlgorithms", "kex");
	case CK_KEYALGS:
		return check_algos(x, keytypes, "key types", "key-sig");
	case CK_HOSTKEYALGS:
		if (check_algos(x, keytypes, "key types", "key-sig") < 0)
			return -1;
		if (!kw_assemble(kw_arg(x, 0), kw_key_names))
			return kw_fail(x, 0,
				       "expand HostKeyAlgorithms: invalid argument: the list "
				       "selects no key type ssh knows, or negates one "
				       "(write -NAME to remove)%s",
				       "");
		return 0;
	case CK_GSSKEX:
		if (kw_need(x, 0, "a list of GSSAPI key exchange algorithms") < 0)
			return -1;
		if (!kw_kex_valid(kw_arg(x, 0), 1))
			return kw_fail(x, 0,
				       "Bad GSSAPI KexAlgorithms '%s': expected gss-*- "
				       "names such as gss-curve25519-sha256-",
				       kw_arg(x, 0));
		return kw_extra(x, 1);
	case CK_LOGLEVEL:
		if (!kw_loglevel(kw_arg(x, 0)))
			return kw_fail(x, 0,
				       "unsupported log level '%s': expected QUIET, FATAL, "
				       "ERROR, INFO, VERBOSE, DEBUG, DEBUG1, DEBUG2 or DEBUG3",
				       kw_arg(x, 0) ? kw_arg(x, 0) : "<NONE>");
		return kw_extra(x, 1);
	case CK_FACILITY:
		if (!kw_facility(kw_arg(x, 0)))
			return kw_fail(x, 0,
				       "unsupported log facility '%s': expected DAEMON, "
				       "USER, AUTH, AUTHPRIV or LOCAL0 to LOCAL7",
				       kw_arg(x, 0) ? kw_arg(x, 0) : "<NONE>");
		return kw_extra(x, 1);
	case CK_LOGVERBOSE:
		return check_list_none(x, 0, 0);
	case CK_LFWD:
		return check_forward(x, 0, 0);
	case CK_RFWD:
		return check_forward(x, 1, 0);
	case CK_DFWD:
		return check_forward(x, 0, 1);
	case CK_REMOTEOPEN:
		return check_remote_open(x);
	case CK_ESCAPE:
		return check_escape(x);
	case CK_SENDENV:
		return check_env(x, 0);
	case CK_SETENV:
		return check_env(x, 1);
	case CK_PERSIST:
		return check_persist(x);
	case CK_TUNDEV:
		return check_tundev(x);
	case CK_IPQOS:
		return check_ipqos(x);
	case CK_CANONDOMAINS:
		return check_canondomains(x);
	case CK_CNAMES:
		return check_cnames(x);
	case CK_MASK:
		return check_mask(x);
	case CK_FPHASH:
		if (kw_need(x, 0, "md5 or sha256") < 0)
			return -1;
		if (kw_multi(kw_arg(x, 0), v_fphash) < 0)
			return kw_fail(x, 0,
				       "Invalid hash algorithm \"%s\": expected md5 or "
				       "sha256",
				       kw_arg(x, 0));
		return kw_extra(x, 1);
	case CK_ADDKEYS:
		return check_addkeys(x);
	case CK_AGENT:
		if (kw_need(x, 0, "a socket path, SSH_AUTH_SOCK or none") < 0)
			return -1;
		return check_agent_path(x, 1);
	case CK_FWDAGENT:
		if (kw_need(x, 0, "yes, no or a socket path") < 0)
			return -1;
		if (kw_multi(kw_arg(x, 0), v_flag) >= 0)
			return kw_extra(x, 1);
		return check_agent_path(x, 1);
	case CK_REKEY:
		return check_rekey(x);
	case CK_JUMP:
		return check_jump(x);
	}
	return 0;
}

int ss_sshkw_client_check(const ss_text *t, const ss_sshconf_item *it, ss_diag *d)
{
	return ss_sshkw_client_check_kw(find(it->keyword), t, it, d);
}

const ss_sshkw_client_kw *ss_sshkw_client_find(const char *keyword)
{
	return find(keyword);
}

int ss_sshkw_client_check_kw(const ss_sshkw_client_kw *k, const ss_text *t,
			     const ss_sshconf_item *it, ss_diag *d)
{
	if (!k)
		return 0; /* the loader reports unknown keywords */
	kw_ctx x = {t, it, k->name, d};
	return check_kind(&x, k);
}

/* --- advice for unknown keywords --- */

static const char *closest(const ck_keyword *v, size_t n, const char *kw, size_t *dist)
{
	size_t len = strlen(kw);
	size_t cap = len < 6 ? 1 : len < 12 ? 2 : 3;
	const char *best = NULL;
	*dist = cap + 1;
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind == CK_IGNORE)
			continue;
		size_t d = kw_distance(kw, v[i].name, *dist < cap ? *dist : cap);
		if (d < *dist) {
			*dist = d;
			best = v[i].name;
		}
	}
	return best;
}

const char *ss_sshkw_client_suggest(const char *lower, size_t *dist)
{
	return closest(keywords, sizeof(keywords) / sizeof(*keywords), lower, dist);
}
