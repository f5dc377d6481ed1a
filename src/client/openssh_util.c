/* The small pieces of OpenSSH's config semantics, each as OpenSSH 9.2p1
 * has it: time values, patterns, the keyword table. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "openssh_int.h"

long ss_openssh_convtime(const char *s)
{
	/* misc.c convtime(): strtol pieces with an optional unit each; the
	 * whole must fit in an int. strtol's own habits (leading blanks, a
	 * sign) are kept: "-0" is 0, "1m 30s" in quotes is 90. */
	long total = 0;
	const char *p = s;
	if (!p || !*p)
		return -1;
	errno = 0;
	while (*p) {
		char *endp;
		/* strtoll: the same on every system (long has 32 bits on
		 * Windows); what does not fit an int is refused below. */
		long long secs = strtoll(p, &endp, 10);
		if (p == endp || errno == ERANGE || secs < 0)
			return -1;
		long long mult = 1;
		switch (*endp++) {
		case '\0':
			endp--;
			break;
		case 's':
		case 'S':
			break;
		case 'm':
		case 'M':
			mult = 60;
			break;
		case 'h':
		case 'H':
			mult = 60 * 60;
			break;
		case 'd':
		case 'D':
			mult = 24 * 60 * 60;
			break;
		case 'w':
		case 'W':
			mult = 7 * 24 * 60 * 60;
			break;
		default:
			return -1;
		}
		if (secs > INT_MAX / mult)
			return -1;
		secs *= mult;
		if (total > INT_MAX - secs)
			return -1;
		total += (long)secs;
		p = endp;
	}
	return total;
}

/* misc.c atoi_err(): strtonum(0, INT_MAX). NULL when fine, else why. */
const char *oss_atoi_err(const char *s, long *out)
{
	if (!s || !*s)
		return "missing";
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end != '\0')
		return "invalid";
	if (errno == ERANGE || v < 0)
		return v < 0 ? "too small" : "too large";
	if (v > INT_MAX)
		return "too large";
	*out = (long)v;
	return NULL;
}

void oss_lowercase(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* The keywords ssh 9.2p1 knows (readconf.c keywords[], built with GSSAPI
 * and PKCS#11 as Debian builds it, plus Debian's patches), with how it
 * checks their values. */
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

static const oss_keyword keywords[] = {
    {"protocol", OSS_K_ANY, OP_NONE, NULL},
    {"cipher", OSS_K_ANY, OP_NONE, NULL},
    {"fallbacktorsh", OSS_K_ANY, OP_NONE, NULL},
    {"globalknownhostsfile2", OSS_K_ANY, OP_NONE, NULL},
    {"rhostsauthentication", OSS_K_ANY, OP_NONE, NULL},
    {"userknownhostsfile2", OSS_K_ANY, OP_NONE, NULL},
    {"useroaming", OSS_K_ANY, OP_NONE, NULL},
    {"usersh", OSS_K_ANY, OP_NONE, NULL},
    {"useprivilegedport", OSS_K_ANY, OP_NONE, NULL},
    {"afstokenpassing", OSS_K_ANY, OP_NONE, NULL},
    {"kerberosauthentication", OSS_K_ANY, OP_NONE, NULL},
    {"kerberostgtpassing", OSS_K_ANY, OP_NONE, NULL},
    {"rsaauthentication", OSS_K_ANY, OP_NONE, NULL},
    {"rhostsrsaauthentication", OSS_K_ANY, OP_NONE, NULL},
    {"compressionlevel", OSS_K_ANY, OP_NONE, NULL},
    {"gssapiauthentication", OSS_K_MULTI, OP_NONE, v_flag},
    {"gssapidelegatecredentials", OSS_K_MULTI, OP_NONE, v_flag},
    {"pkcs11provider", OSS_K_ANY, OP_NONE, NULL},
    {"smartcarddevice", OSS_K_ANY, OP_NONE, NULL},
    {"forwardagent", OSS_K_ANY, OP_NONE, NULL},
    {"forwardx11", OSS_K_MULTI, OP_NONE, v_flag},
    {"forwardx11trusted", OSS_K_MULTI, OP_NONE, v_flag},
    {"forwardx11timeout", OSS_K_TIME, OP_NONE, NULL},
    {"exitonforwardfailure", OSS_K_MULTI, OP_NONE, v_flag},
    {"xauthlocation", OSS_K_STRING, OP_NONE, NULL},
    {"gatewayports", OSS_K_MULTI, OP_NONE, v_flag},
    {"passwordauthentication", OSS_K_MULTI, OP_NONE, v_flag},
    {"kbdinteractiveauthentication", OSS_K_MULTI, OP_NONE, v_flag},
    {"kbdinteractivedevices", OSS_K_STRING, OP_NONE, NULL},
    {"challengeresponseauthentication", OSS_K_MULTI, OP_NONE, v_flag},
    {"skeyauthentication", OSS_K_MULTI, OP_NONE, v_flag},
    {"tisauthentication", OSS_K_MULTI, OP_NONE, v_flag},
    {"pubkeyauthentication", OSS_K_MULTI, OP_NONE, v_pubkey},
    {"dsaauthentication", OSS_K_MULTI, OP_NONE, v_pubkey},
    {"hostbasedauthentication", OSS_K_MULTI, OP_NONE, v_flag},
    {"identityfile", OSS_K_ANY, OP_NONE, NULL},
    {"identityfile2", OSS_K_ANY, OP_NONE, NULL},
    {"identitiesonly", OSS_K_MULTI, OP_NONE, v_flag},
    {"certificatefile", OSS_K_ANY, OP_NONE, NULL},
    {"addkeystoagent", OSS_K_ANY, OP_NONE, NULL},
    {"identityagent", OSS_K_ANY, OP_NONE, NULL},
    {"hostname", OSS_K_STRING, OP_HOSTNAME, NULL},
    {"hostkeyalias", OSS_K_STRING, OP_NONE, NULL},
    {"proxycommand", OSS_K_ANY, OP_NONE, NULL},
    {"port", OSS_K_ANY, OP_NONE, NULL},
    {"ciphers", OSS_K_ANY, OP_NONE, NULL},
    {"macs", OSS_K_ANY, OP_NONE, NULL},
    {"remoteforward", OSS_K_ANY, OP_NONE, NULL},
    {"localforward", OSS_K_ANY, OP_NONE, NULL},
    {"permitremoteopen", OSS_K_ANY, OP_NONE, NULL},
    {"user", OSS_K_STRING, OP_USER, NULL},
    {"host", OSS_K_HOST, OP_NONE, NULL},
    {"match", OSS_K_MATCH, OP_NONE, NULL},
    {"escapechar", OSS_K_ANY, OP_NONE, NULL},
    {"globalknownhostsfile", OSS_K_ANY, OP_NONE, NULL},
    {"userknownhostsfile", OSS_K_ANY, OP_NONE, NULL},
    {"connectionattempts", OSS_K_INT, OP_NONE, NULL},
    {"batchmode", OSS_K_MULTI, OP_BATCH, v_flag},
    {"checkhostip", OSS_K_MULTI, OP_NONE, v_flag},
    {"stricthostkeychecking", OSS_K_MULTI, OP_NONE, v_strict},
    {"compression", OSS_K_MULTI, OP_NONE, v_comp},
    {"tcpkeepalive", OSS_K_MULTI, OP_TCPKA, v_flag},
    {"keepalive", OSS_K_MULTI, OP_TCPKA, v_flag},
    {"numberofpasswordprompts", OSS_K_INT, OP_NONE, NULL},
    {"syslogfacility", OSS_K_ANY, OP_NONE, NULL},
    {"loglevel", OSS_K_ANY, OP_NONE, NULL},
    {"logverbose", OSS_K_ANY, OP_NONE, NULL},
    {"dynamicforward", OSS_K_ANY, OP_NONE, NULL},
    {"preferredauthentications", OSS_K_STRING, OP_NONE, NULL},
    {"hostkeyalgorithms", OSS_K_ANY, OP_NONE, NULL},
    {"casignaturealgorithms", OSS_K_ANY, OP_NONE, NULL},
    {"bindaddress", OSS_K_STRING, OP_NONE, NULL},
    {"bindinterface", OSS_K_STRING, OP_NONE, NULL},
    {"clearallforwardings", OSS_K_MULTI, OP_NONE, v_flag},
    {"enablesshkeysign", OSS_K_MULTI, OP_NONE, v_flag},
    {"verifyhostkeydns", OSS_K_MULTI, OP_NONE, v_yesnoask},
    {"nohostauthenticationforlocalhost", OSS_K_MULTI, OP_NONE, v_flag},
    {"rekeylimit", OSS_K_ANY, OP_NONE, NULL},
    {"connecttimeout", OSS_K_TIME, OP_NONE, NULL},
    {"addressfamily", OSS_K_MULTI, OP_NONE, v_af},
    {"serveraliveinterval", OSS_K_TIME, OP_INTERVAL, NULL},
    {"serveralivecountmax", OSS_K_INT, OP_COUNTMAX, NULL},
    {"sendenv", OSS_K_ANY, OP_NONE, NULL},
    {"setenv", OSS_K_ANY, OP_NONE, NULL},
    {"controlpath", OSS_K_STRING, OP_NONE, NULL},
    {"controlmaster", OSS_K_MULTI, OP_NONE, v_master},
    {"controlpersist", OSS_K_ANY, OP_NONE, NULL},
    {"hashknownhosts", OSS_K_MULTI, OP_NONE, v_flag},
    {"include", OSS_K_INCLUDE, OP_NONE, NULL},
    {"tunnel", OSS_K_MULTI, OP_NONE, v_tunnel},
    {"tunneldevice", OSS_K_ANY, OP_NONE, NULL},
    {"localcommand", OSS_K_ANY, OP_NONE, NULL},
    {"permitlocalcommand", OSS_K_MULTI, OP_NONE, v_flag},
    {"remotecommand", OSS_K_ANY, OP_NONE, NULL},
    {"visualhostkey", OSS_K_MULTI, OP_NONE, v_flag},
    {"kexalgorithms", OSS_K_ANY, OP_NONE, NULL},
    {"ipqos", OSS_K_ANY, OP_NONE, NULL},
    {"requesttty", OSS_K_MULTI, OP_NONE, v_tty},
    {"sessiontype", OSS_K_MULTI, OP_NONE, v_session},
    {"stdinnull", OSS_K_MULTI, OP_NONE, v_flag},
    {"forkafterauthentication", OSS_K_MULTI, OP_NONE, v_flag},
    {"proxyusefdpass", OSS_K_MULTI, OP_NONE, v_flag},
    {"canonicaldomains", OSS_K_ANY, OP_CANONDOMAINS, NULL},
    {"canonicalizefallbacklocal", OSS_K_MULTI, OP_NONE, v_flag},
    {"canonicalizehostname", OSS_K_MULTI, OP_CANON, v_canon},
    {"canonicalizemaxdots", OSS_K_INT, OP_NONE, NULL},
    {"canonicalizepermittedcnames", OSS_K_ANY, OP_CNAMES, NULL},
    {"streamlocalbindmask", OSS_K_ANY, OP_NONE, NULL},
    {"streamlocalbindunlink", OSS_K_MULTI, OP_NONE, v_flag},
    {"revokedhostkeys", OSS_K_STRING, OP_NONE, NULL},
    {"fingerprinthash", OSS_K_ANY, OP_NONE, NULL},
    {"updatehostkeys", OSS_K_MULTI, OP_NONE, v_yesnoask},
    {"hostbasedacceptedalgorithms", OSS_K_ANY, OP_NONE, NULL},
    {"hostbasedkeytypes", OSS_K_ANY, OP_NONE, NULL},
    {"pubkeyacceptedalgorithms", OSS_K_ANY, OP_NONE, NULL},
    {"pubkeyacceptedkeytypes", OSS_K_ANY, OP_NONE, NULL},
    {"ignoreunknown", OSS_K_STRING, OP_IGNUNK, NULL},
    {"proxyjump", OSS_K_ANY, OP_NONE, NULL},
    {"securitykeyprovider", OSS_K_STRING, OP_NONE, NULL},
    {"knownhostscommand", OSS_K_ANY, OP_NONE, NULL},
    {"requiredrsasize", OSS_K_INT, OP_NONE, NULL},
    {"enableescapecommandline", OSS_K_MULTI, OP_NONE, v_flag},
    /* Debian's GSSAPI key exchange patch. */
    {"gssapikeyexchange", OSS_K_MULTI, OP_NONE, v_flag},
    {"gssapitrustdns", OSS_K_MULTI, OP_NONE, v_flag},
    {"gssapiclientidentity", OSS_K_ANY, OP_NONE, NULL},
    {"gssapiserveridentity", OSS_K_ANY, OP_NONE, NULL},
    {"gssapirenewalforcesrekey", OSS_K_MULTI, OP_NONE, v_flag},
    {"gssapikexalgorithms", OSS_K_ANY, OP_NONE, NULL},
    /* Debian's keepalive patch: old names of ServerAliveInterval. */
    {"protocolkeepalives", OSS_K_TIME, OP_INTERVAL, NULL},
    {"setuptimeout", OSS_K_TIME, OP_INTERVAL, NULL},
    /* Debian: accepted and ignored. */
    {"useblacklistedkeys", OSS_K_ANY, OP_NONE, NULL},
};

const oss_keyword *oss_keyword_find(const char *kw)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(*keywords); i++)
		if (keywords[i].name[0] == kw[0] && strcmp(keywords[i].name, kw) == 0)
			return &keywords[i];
	return NULL;
}

int ss_openssh_keyword_known(const char *kw)
{
	return oss_keyword_find(kw) != NULL;
}
