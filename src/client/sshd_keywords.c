/* The keywords sshd_config may hold: OpenSSH 9.2p1's servconf.c table plus
 * the ones Debian's openssh-server 9.2 adds (DebianBanner, the GSSAPI key
 * exchange patch, PermitBlacklistedKeys). Each one was checked against the
 * installed sshd: an unknown keyword is "Bad configuration option", a
 * global-only one inside Match is "not allowed within a Match block". */
#include "sshsync/sshd.h"

#include <stdlib.h>
#include <string.h>

typedef struct sd_keyword {
	const char *name; /* lower case, sorted for bsearch */
	int flags;
} sd_keyword;

#define G SS_SSHD_KW_GLOBAL
#define A (SS_SSHD_KW_GLOBAL | SS_SSHD_KW_MATCH)

static const sd_keyword keywords[] = {
    {"acceptenv", A},
    {"addressfamily", G},
    {"afstokenpassing", G},
    {"allowagentforwarding", A},
    {"allowgroups", A},
    {"allowstreamlocalforwarding", A},
    {"allowtcpforwarding", A},
    {"allowusers", A},
    {"authenticationmethods", A},
    {"authorizedkeyscommand", A},
    {"authorizedkeyscommanduser", A},
    {"authorizedkeysfile", A},
    {"authorizedkeysfile2", A},
    {"authorizedprincipalscommand", A},
    {"authorizedprincipalscommanduser", A},
    {"authorizedprincipalsfile", A},
    {"banner", A},
    {"casignaturealgorithms", A},
    {"challengeresponseauthentication", A},
    {"channeltimeout", A},
    {"checkmail", G},
    {"chrootdirectory", A},
    {"ciphers", G},
    {"clientalivecountmax", A},
    {"clientaliveinterval", A},
    {"compression", G},
    {"debianbanner", G},
    {"denygroups", A},
    {"denyusers", A},
    {"disableforwarding", A},
    {"dsaauthentication", G},
    {"exposeauthinfo", A},
    {"fingerprinthash", G},
    {"forcecommand", A},
    {"gatewayports", A},
    {"gssapiauthentication", A},
    {"gssapicleanupcredentials", G},
    {"gssapicleanupcreds", G},
    {"gssapikexalgorithms", G},
    {"gssapikeyexchange", G},
    {"gssapistorecredentialsonrekey", G},
    {"gssapistrictacceptorcheck", G},
    {"gssapiusesessioncredcache", G},
    {"gssusesessionccache", G},
    {"hostbasedacceptedalgorithms", A},
    {"hostbasedacceptedkeytypes", A},
    {"hostbasedauthentication", A},
    {"hostbasedusesnamefrompacketonly", A},
    {"hostcertificate", G},
    {"hostdsakey", G},
    {"hostkey", G},
    {"hostkeyagent", G},
    {"hostkeyalgorithms", G},
    {"ignorerhosts", A},
    {"ignoreuserknownhosts", G},
    {"include", A},
    {"ipqos", A},
    {"kbdinteractiveauthentication", A},
    {"keepalive", G},
    {"kerberosauthentication", A},
    {"kerberosgetafstoken", G},
    {"kerberosorlocalpasswd", G},
    {"kerberostgtpassing", G},
    {"kerberosticketcleanup", G},
    {"kexalgorithms", G},
    {"keyregenerationinterval", G},
    {"listenaddress", G},
    {"logingracetime", G},
    {"loglevel", A},
    {"logverbose", A},
    {"macs", G},
    {"match", A},
    {"maxauthtries", A},
    {"maxsessions", A},
    {"maxstartups", G},
    {"modulifile", G},
    {"pamauthenticationviakbdint", G},
    {"passwordauthentication", A},
    {"permitblacklistedkeys", G},
    {"permitemptypasswords", A},
    {"permitlisten", A},
    {"permitopen", A},
    {"permitrootlogin", A},
    {"permittty", A},
    {"permittunnel", A},
    {"permituserenvironment", G},
    {"permituserrc", A},
    {"persourcemaxstartups", G},
    {"persourcenetblocksize", G},
    {"pidfile", G},
    {"port", G},
    {"printlastlog", G},
    {"printmotd", G},
    {"protocol", G},
    {"pubkeyacceptedalgorithms", A},
    {"pubkeyacceptedkeytypes", A},
    {"pubkeyauthentication", A},
    {"pubkeyauthoptions", A},
    {"rdomain", A},
    {"rekeylimit", A},
    {"requiredrsasize", A},
    {"reversemappingcheck", G},
    {"revokedkeys", A},
    {"rhostsauthentication", G},
    {"rhostsrsaauthentication", A},
    {"rsaauthentication", A},
    {"securitykeyprovider", G},
    {"serverkeybits", G},
    {"setenv", A},
    {"skeyauthentication", A},
    {"streamlocalbindmask", A},
    {"streamlocalbindunlink", A},
    {"strictmodes", G},
    {"subsystem", G},
    {"syslogfacility", G},
    {"tcpkeepalive", G},
    {"trustedusercakeys", A},
    {"unusedconnectiontimeout", A},
    {"usedns", G},
    {"uselogin", G},
    {"usepam", G},
    {"useprivilegeseparation", G},
    {"verifyreversemapping", G},
    {"versionaddendum", G},
    {"x11displayoffset", A},
    {"x11forwarding", A},
    {"x11uselocalhost", A},
    {"xauthlocation", G},
};

#undef G
#undef A

static int cmp_keyword(const void *key, const void *elem)
{
	return strcmp(key, ((const sd_keyword *)elem)->name);
}

int ss_sshd_keyword_flags(const char *lower)
{
	const sd_keyword *k = bsearch(lower, keywords, sizeof(keywords) / sizeof(keywords[0]),
				      sizeof(keywords[0]), cmp_keyword);
	return k ? k->flags : 0;
}
