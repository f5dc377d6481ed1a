#!/usr/bin/env python3
"""Good and bad values for every ssh_config and sshd_config keyword, and
the differential "the real program refuses <=> sshsync refuses".

    kw_values.py ssh  SSHSYNC WORKDIR COUNT [SEED]
    kw_values.py sshd SSHSYNC WORKDIR COUNT [SEED] KEY

Each case is a small configuration of 1 to 3 lines, each a keyword drawn
from the whole keyword list of ssh 9.2 (or sshd 9.2) with a value drawn
from what that kind of keyword takes (numbers, times, ports, yes/no words,
algorithm lists with + - ^ and patterns, forwarding specs, %-tokens,
${VAR}s, host lists, ...) or from what it does not (wrong words, wrong
case, signs, overflow, empty quotes, extra arguments, "Keyword==value").
Some lines go under a Host block (ssh) or a Match block (sshd), and sshd
cases sometimes define a Subsystem twice. The oracle is `ssh -G -F FILE
HOST` for localhost and the Host block's name (refused when one of them
exits 255), or `sshd -t -f FILE -h KEY` and, with a Match block,
`sshd -T -C` for a connection that every generated block takes (as nobody
when root); sshsync refuses with exit 2
(`audit ssh:FILE` / `audit sshd:FILE`); `apply --interval 60` must then
refuse too and leave the file as it was (checked on a sample of 40).
Prints the case count, the agreement rate and every disagreement; exits 1
below 100%.
"""
import concurrent.futures
import os
import random
import subprocess
import sys

# --- value pools -----------------------------------------------------------

CIPHERS = ["3des-cbc", "aes128-cbc", "aes192-cbc", "aes256-cbc", "aes128-ctr",
           "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com",
           "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com"]
MACS = ["hmac-sha1", "hmac-sha2-256", "hmac-sha2-512", "hmac-md5-96",
        "umac-64@openssh.com", "hmac-sha2-256-etm@openssh.com",
        "umac-128-etm@openssh.com"]
KEX = ["diffie-hellman-group14-sha256", "diffie-hellman-group1-sha1",
       "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256",
       "sntrup761x25519-sha512@openssh.com", "sntrup761x25519-sha512",
       "diffie-hellman-group-exchange-sha256", "gss-gex-sha1-", "gss-curve25519-sha256-x"]
KEYS = ["ssh-ed25519", "ssh-rsa", "rsa-sha2-256", "rsa-sha2-512-cert-v01@openssh.com",
        "ecdsa-sha2-nistp256", "sk-ssh-ed25519@openssh.com", "ssh-dss",
        "webauthn-sk-ecdsa-sha2-nistp256@openssh.com", "ssh-ed25519-cert-v01@openssh.com"]
KEY_PATTERNS = ["ssh-*", "*-cert-v01@openssh.com", "rsa-sha2-*", "!ssh-dss", "RSA", "ed25519",
                "ECDSA", "ecdsa-sk", "ssh-*-cert-x*", "sk-*"]
GSS = ["gss-gex-sha1-", "gss-group14-sha256-", "gss-curve25519-sha256-", "gss-nistp256-sha256-",
       "gss-group1-sha1-x"]
BAD_ALGS = ["nosuch", "none", "aes*", "AES128-CTR", "ssh-rsa-cert-v00@openssh.com", "gss-gex-sha1",
            "rijndael-cbc@lysator.liu.se", "arcfour", "hmac-sha3", "curve448-sha512"]
WORDS = ["maybe", "on", "off", "1", "0", "Y", "enable", "auto", "ask", "always", "any", "none",
         "default", "force"]
HOSTS = ["example.com", "10.0.0.1", "[::1]", "::1", "jump", "a.b.example.org", "*", "localhost",
         "host_1", "-bad", "a..b", "ex ample"]
TOKENS = ["%h", "%p", "%r", "%u", "%C", "%L", "%i", "%k", "%l", "%n", "%d", "%%", "%T", "%z",
          "%", "%H", "%j", "${HOME}", "${SSHSYNC_UNSET_VAR}", "${", "${}", "$HOME", "$HO-ME",
          "~", "~/x", "~root/x", "~sshsync-nosuchuser/x", "~sshsync-nosuchuser"]


def case_of(r, v):
    c = r.random()
    if c < 0.1:
        return v.upper()
    if c < 0.15:
        return v.capitalize()
    return v


def num(r):
    return r.choice(["0", "1", "3", "16", "15", "22", "255", "256", "1000", "65535", "65536",
                     "2147483647", "2147483648", "99999999999999999999", "-1", "-0", "+5",
                     "0x10", "010", "3x", "abc", "", "1.5", " 7", "7 "])


def time_value(r):
    return r.choice(["0", "5", "30", "1m", "1m30s", "90S", "2h", "1d", "4w", "1W2d", "none",
                     "NONE", "-1", "-0", "+5", "1x", "1.5m", "m", "", "2147483647",
                     "2147483648", "596524h", "596523h", "3550w", "1h1h1h", "10 s"])


def word(r, values):
    pool = list(values) + WORDS + ["", "=" + values[0]]
    return case_of(r, r.choice(pool))


def alg_list(r, names, patterns=()):
    parts = []
    for _ in range(r.randint(1, 3)):
        c = r.random()
        if c < 0.55:
            parts.append(r.choice(names))
        elif c < 0.75 and patterns:
            parts.append(r.choice(patterns))
        elif c < 0.85:
            parts.append("")
        else:
            parts.append(r.choice(BAD_ALGS))
    s = ",".join(parts)
    c = r.random()
    if c < 0.15:
        s = "+" + s
    elif c < 0.25:
        s = "-" + s
    elif c < 0.32:
        s = "^" + s
    return s


def token_str(r, base="/tmp/s"):
    s = base
    for _ in range(r.randint(0, 2)):
        s += r.choice(TOKENS) + r.choice(["", "x", "/"])
    return s


def port(r):
    return r.choice(["22", "2222", "0", "65535", "65536", "ssh", "http", "nosuchsvc", "-1", "*",
                     "+22", "abc", ""])


def fwd_field(r, path_ok=True):
    c = r.random()
    if c < 0.45:
        return port(r)
    if c < 0.7:
        return r.choice(HOSTS)
    if c < 0.85 and path_ok:
        return r.choice(["/tmp/sock", "/tmp/%h.sock", "/tmp/%z", "[/tmp/a:b]", "${HOME}/s",
                         "${SSHSYNC_UNSET_VAR}", "a\\:b", "/" + "x" * 120])
    return r.choice(["[::1]", "[bad", "localhost", "*", "", "a\\"])


def fwd_spec(r, n):
    return ":".join(fwd_field(r) for _ in range(n))


def forward(r, dynamic):
    if dynamic:
        return fwd_spec(r, r.randint(1, 2))
    first = fwd_spec(r, r.randint(1, 2))
    if r.random() < 0.15:
        return first
    return first + " " + fwd_spec(r, r.randint(1, 3))


def jump(r):
    def one():
        c = r.random()
        if c < 0.5:
            return r.choice(["", "user@", "@", "u@v@"]) + r.choice(HOSTS[:6] + ["", "h"]) + \
                r.choice(["", ":22", ":0", ":x", ":"])
        return "ssh://" + r.choice(["", "u@", "u;x=1@", "%zz@", "%41@"]) + \
            r.choice(["jump", "a..b", "[::1]", "", "-h"]) + r.choice(["", ":22", ":0", "/p", ":22/"])
    if r.random() < 0.1:
        return r.choice(["none", "NONE"])
    return ",".join(one() for _ in range(r.randint(1, 3)))


def escape(r):
    return r.choice(["~", "none", "^A", "^a", "^?", "^ ", "ab", "^AB", "", "é", "^\\", "NONE"])


def ipqos(r):
    v = r.choice(["af11", "AF21", "cs7", "ef", "le", "lowdelay", "throughput", "reliability",
                  "none", "0x10", "255", "256", "-1", "08", "010", "bogus", ""])
    if r.random() < 0.4:
        v += " " + r.choice(["af11", "cs0", "0xff", "bad", "af11 cs1"])
    return v


def rekey(r):
    v = r.choice(["default", "1G", "500M", "1.5G", "15", "16", "0", "1Gx", "1G/", "+", "-5",
                  "0.01K", "100000000000000000000", "1E", "9E", "abc", "", "1 G"])
    if r.random() < 0.4:
        v += " " + r.choice(["1h", "none", "x", "30", "1h extra", ""])
    return v


def env_names(r, setenv):
    out = []
    for _ in range(r.randint(1, 3)):
        out.append(r.choice(["LANG", "LC_*", "A=1", "B=", "=x", "", "-LANG", "X=a b", "Y"]))
    return " ".join('"%s"' % v if " " in v or v == "" else v for v in out)


def file_list(r, tokens):
    out = []
    for _ in range(r.randint(1, 3)):
        c = r.random()
        if c < 0.15:
            out.append(r.choice(["none", "NONE"]))
        elif c < 0.2:
            out.append('""')
        elif tokens and c < 0.5:
            out.append(token_str(r, "~/.ssh/kh"))
        else:
            out.append(r.choice(["~/.ssh/known_hosts", "/etc/ssh/kh", "kh2", "~root/kh",
                                 "~sshsync-nosuchuser/kh"]))
    return " ".join(out)


def domains(r):
    return " ".join(r.choice(["example.com", "none", "a..b", "-x.com", "a_b.org", "x.com.",
                              "bad!", "1.2", "NONE", "ex ample", '""'])
                    for _ in range(r.randint(1, 2)))


def cnames(r):
    return " ".join(r.choice(["*", "none", "*.a:*.b", "a:", "a", "*.A.com:*.B.com", ":x", "x:y"])
                    for _ in range(r.randint(1, 2)))


def addkeys(r):
    v = r.choice(["yes", "no", "ask", "confirm", "CONFIRM", "1h", "30m", "bogus", "true", "-1",
                  "confirm 5m", "confirm x", "yes 5m", "5m 5m", ""])
    return v


def permit_remote_open(r):
    return " ".join(r.choice(["any", "none", "host:22", "host:*", "host:0", "host", "[::1]:80",
                              "a:b:c", ":22", "h:x", "ANY"])
                    for _ in range(r.randint(1, 2)))


def mask(r):
    return r.choice(["0177", "0777", "0", "777", "1000", "0778", "-1", "abc", "0177x", "8",
                     "07777777777777777777777", ""])


def tundev(r):
    return r.choice(["any", "0", "5", "any:any", "1:2", "x", "2147483645", "2147483646", ":1",
                     "1:", "1:2:3", "ANY", "-1"])


def persist(r):
    return r.choice(["yes", "no", "true", "false", "YES", "No", "10m", "0", "1h30m", "x", "-1",
                     "ask", ""])


def hostname(r):
    return r.choice(["example.com", "%h.example.com", "%h", "%p.example", "%%", "%", "%H",
                     "a%h%%", "${HOME}", "10.0.0.1"])


def remote_command(r):
    return r.choice(["echo hi", "echo %h %p %r", "echo %z", "echo 100%", "echo %%", "ls ${HOME}",
                     "echo %C %L %i %k %l %n %d %u", "printf '%%s'", "echo %T"])


def agent(r):
    return r.choice(["SSH_AUTH_SOCK", "none", "/tmp/agent", "~sshsync-nosuchuser/a", "~/a", "$HOME", "$HO-ME", "${HOME}/a",
                     "${SSHSYNC_UNSET_VAR}", "${", "/tmp/%d/%u", "/tmp/%z", "$", "~/a"])


def fwdagent(r):
    return r.choice(["yes", "no", "true", "NO", "/tmp/sock", "~sshsync-nosuchuser/s", "$HOME", "$HO-ME", "${HOME}/s",
                     "${SSHSYNC_UNSET_VAR}", "/tmp/%z", "/tmp/%h", "ask", "maybe"])


def loglevel(r):
    return case_of(r, r.choice(["QUIET", "FATAL", "ERROR", "INFO", "VERBOSE", "DEBUG", "DEBUG1",
                                "DEBUG2", "DEBUG3", "DEBUG4", "LOUD", "", "info"]))


def facility(r):
    return case_of(r, r.choice(["DAEMON", "USER", "AUTH", "AUTHPRIV", "LOCAL0", "LOCAL7",
                                "LOCAL8", "KERN", "mail", ""]))


def logverbose(r):
    return " ".join(r.choice(["kex.c:*:1000", "none", "*", "NONE", '""', "packet.c:*"])
                    for _ in range(r.randint(1, 2)))


def string(r):
    return r.choice(["value", "/usr/bin/x", "a b", '""', "%h", "x y z"])


def command(r):
    return r.choice(["ssh -W %h:%p jump", "none", "nc %h %p", "/bin/true %z", "echo ${HOME}"])


def ctlpath(r):
    return r.choice(["none", "~/.ssh/cm-%C", "~root/cm", "~sshsync-nosuchuser/cm", "~x", "/tmp/%r@%h:%p", "/tmp/%z", "/tmp/%", "${HOME}/cm",
                     "${SSHSYNC_UNSET_VAR}/cm", "/tmp/%T", "/tmp/${"])


def fphash(r):
    return case_of(r, r.choice(["md5", "sha256", "sha1", "sha384", "sha512", "sha3", "", "x"]))


# ssh_config: keyword -> value generator (readconf.c keywords[] and Debian's)
def flag(r):
    return word(r, ["yes", "no", "true", "false"])


def multi(values):
    return lambda r: word(r, values)


SSH = {
    "Protocol": string, "Cipher": string, "FallBackToRsh": flag, "GlobalKnownHostsFile2": string,
    "RhostsAuthentication": flag, "UserKnownHostsFile2": string, "UseRoaming": flag,
    "UseRsh": flag, "UsePrivilegedPort": flag, "AFSTokenPassing": flag,
    "KerberosAuthentication": flag, "KerberosTGTPassing": flag, "RSAAuthentication": flag,
    "RhostsRSAAuthentication": flag, "CompressionLevel": num,
    "GSSAPIAuthentication": flag, "GSSAPIDelegateCredentials": flag,
    "PKCS11Provider": string, "SmartcardDevice": string, "ForwardAgent": fwdagent,
    "ForwardX11": flag, "ForwardX11Trusted": flag, "ForwardX11Timeout": time_value,
    "ExitOnForwardFailure": flag, "XAuthLocation": string, "GatewayPorts": flag,
    "PasswordAuthentication": flag, "KbdInteractiveAuthentication": flag,
    "KbdInteractiveDevices": string, "ChallengeResponseAuthentication": flag,
    "SkeyAuthentication": flag, "TISAuthentication": flag,
    "PubkeyAuthentication": multi(["yes", "no", "unbound", "host-bound"]),
    "DSAAuthentication": multi(["yes", "unbound", "host-bound"]),
    "HostbasedAuthentication": flag, "IdentityFile": lambda r: token_str(r, "~/.ssh/id"),
    "IdentityFile2": string, "IdentitiesOnly": flag, "CertificateFile": string,
    "AddKeysToAgent": addkeys, "IdentityAgent": agent, "HostName": hostname,
    "HostKeyAlias": string, "ProxyCommand": command, "Port": port,
    "Ciphers": lambda r: alg_list(r, CIPHERS), "MACs": lambda r: alg_list(r, MACS),
    "RemoteForward": lambda r: forward(r, False), "LocalForward": lambda r: forward(r, False),
    "PermitRemoteOpen": permit_remote_open, "User": string, "EscapeChar": escape,
    "GlobalKnownHostsFile": lambda r: file_list(r, False),
    "UserKnownHostsFile": lambda r: file_list(r, True), "ConnectionAttempts": num,
    "BatchMode": flag, "CheckHostIP": flag,
    "StrictHostKeyChecking": multi(["yes", "no", "ask", "off", "accept-new"]),
    "Compression": multi(["yes", "no", "delayed"]), "TCPKeepAlive": flag, "KeepAlive": flag,
    "NumberOfPasswordPrompts": num, "SyslogFacility": facility, "LogLevel": loglevel,
    "LogVerbose": logverbose, "DynamicForward": lambda r: forward(r, True),
    "PreferredAuthentications": string,
    "HostKeyAlgorithms": lambda r: alg_list(r, KEYS, KEY_PATTERNS),
    "CASignatureAlgorithms": lambda r: alg_list(r, KEYS, KEY_PATTERNS),
    "BindAddress": string, "BindInterface": string, "ClearAllForwardings": flag,
    "EnableSSHKeysign": flag, "VerifyHostKeyDNS": multi(["yes", "no", "ask"]),
    "NoHostAuthenticationForLocalhost": flag, "RekeyLimit": rekey,
    "ConnectTimeout": time_value, "AddressFamily": multi(["inet", "inet6", "any"]),
    "ServerAliveInterval": time_value, "ServerAliveCountMax": num,
    "SendEnv": lambda r: env_names(r, False), "SetEnv": lambda r: env_names(r, True),
    "ControlPath": ctlpath,
    "ControlMaster": multi(["yes", "no", "auto", "ask", "autoask"]), "ControlPersist": persist,
    "HashKnownHosts": flag, "Tunnel": multi(["yes", "no", "ethernet", "point-to-point"]),
    "TunnelDevice": tundev, "LocalCommand": command, "PermitLocalCommand": flag,
    "RemoteCommand": remote_command, "VisualHostKey": flag,
    "KexAlgorithms": lambda r: alg_list(r, KEX), "IPQoS": ipqos,
    "RequestTTY": multi(["yes", "no", "force", "auto"]),
    "SessionType": multi(["none", "subsystem", "default"]), "StdinNull": flag,
    "ForkAfterAuthentication": flag, "ProxyUseFdpass": flag, "CanonicalDomains": domains,
    "CanonicalizeFallbackLocal": flag, "CanonicalizeHostname": multi(["yes", "no", "always"]),
    "CanonicalizeMaxDots": num, "CanonicalizePermittedCNAMEs": cnames,
    "StreamLocalBindMask": mask, "StreamLocalBindUnlink": flag, "RevokedHostKeys": string,
    "FingerprintHash": fphash, "UpdateHostKeys": multi(["yes", "no", "ask"]),
    "HostbasedAcceptedAlgorithms": lambda r: alg_list(r, KEYS, KEY_PATTERNS),
    "HostbasedKeyTypes": lambda r: alg_list(r, KEYS, KEY_PATTERNS),
    "PubkeyAcceptedAlgorithms": lambda r: alg_list(r, KEYS, KEY_PATTERNS),
    "PubkeyAcceptedKeyTypes": lambda r: alg_list(r, KEYS, KEY_PATTERNS),
    "IgnoreUnknown": string, "ProxyJump": jump, "SecurityKeyProvider": string,
    "KnownHostsCommand": command, "RequiredRSASize": num, "EnableEscapeCommandline": flag,
    "GSSAPIKeyExchange": flag, "GSSAPITrustDNS": flag, "GSSAPIClientIdentity": string,
    "GSSAPIServerIdentity": string, "GSSAPIRenewalForcesRekey": flag,
    "GSSAPIKexAlgorithms": lambda r: alg_list(r, GSS), "ProtocolKeepAlives": time_value,
    "SetupTimeOut": time_value, "UseBlacklistedKeys": flag,
}


def auth_methods(r):
    ms = ["publickey", "password", "keyboard-interactive", "keyboard-interactive:pam",
          "hostbased", "gssapi-with-mic", "none", "any", "pubkey", ""]
    return " ".join(",".join(r.choice(ms) for _ in range(r.randint(1, 2)))
                    for _ in range(r.randint(1, 2)))


def users(r):
    return " ".join(r.choice(["root", "bob@10.0.0.0/8", "bob@10.0.0.1/8", "x@*", "*",
                              "a@1.2.3.4/33", "a@", "b@,", "!root", "u@host.example"])
                    for _ in range(r.randint(1, 2)))


def chan_timeout(r):
    return " ".join(r.choice(["session=5m", "none", "agent-connection=1h", "=5m", "x=bad",
                              "global=0", "x", "NONE"])
                    for _ in range(r.randint(1, 2)))


def listen(r):
    v = r.choice(["0.0.0.0", "::", "[::1]:22", "127.0.0.1:2222", "127.0.0.1:0", "host:x",
                  "[bad", "1.2.3.4:", "localhost", "fe80::1%eth0"])
    if r.random() < 0.2:
        v += " " + r.choice(["rdomain 5", "rdomain", "x"])
    return v


def maxstartups(r):
    return r.choice(["10:30:100", "10", "0", "10:30", "100:30:10", "10:0:100", "10:101:100",
                     "10:100:100", "x", "-1", "10:30:100:5", "1:1:1"])


def netblock(r):
    return r.choice(["32", "32:128", "0", "33", "24:129", "x", "-1", "24:64", "24:", "24:x"])


def permitopen(r):
    return " ".join(r.choice(["any", "none", "host:22", "host:*", "*:*", "host", "22", "*",
                              "[::1]:80", "h:0", "h:x", "ANY", "a:b:c"])
                    for _ in range(r.randint(1, 2)))


def abs_cmd(r):
    return r.choice(["/usr/bin/x %u", "none", "NONE", "x", "~/x", "/bin/true"])


def subsystem(r):
    return r.choice(["sftp /usr/lib/openssh/sftp-server", "sftp", "sftp internal-sftp -l INFO",
                     "x internal-sftp"])


SSHD = {
    "AcceptEnv": lambda r: env_names(r, False),
    "AddressFamily": multi(["inet", "inet6", "any"]), "AFSTokenPassing": flag,
    "AllowAgentForwarding": flag, "AllowGroups": string,
    "AllowStreamLocalForwarding": multi(["yes", "all", "no", "remote", "local"]),
    "AllowTcpForwarding": multi(["yes", "all", "no", "remote", "local"]),
    "AllowUsers": users, "AuthenticationMethods": auth_methods,
    "AuthorizedKeysCommand": abs_cmd, "AuthorizedKeysCommandUser": string,
    "AuthorizedKeysFile": lambda r: file_list(r, False), "AuthorizedKeysFile2": string,
    "AuthorizedPrincipalsCommand": abs_cmd, "AuthorizedPrincipalsCommandUser": string,
    "AuthorizedPrincipalsFile": lambda r: r.choice(["/etc/ssh/p/%u", "~root/p", "~/p", "",
                                                    "~sshsync-nosuchuser/p"]),
    "Banner": string,
    "CASignatureAlgorithms": lambda r: alg_list(r, KEYS, KEY_PATTERNS),
    "ChallengeResponseAuthentication": flag, "ChannelTimeout": chan_timeout,
    "CheckMail": flag, "ChrootDirectory": string, "Ciphers": lambda r: alg_list(r, CIPHERS),
    "ClientAliveCountMax": num, "ClientAliveInterval": time_value,
    "Compression": multi(["yes", "delayed", "no"]), "DebianBanner": flag,
    "DenyGroups": string, "DenyUsers": users, "DisableForwarding": flag,
    "DSAAuthentication": flag, "ExposeAuthInfo": flag, "FingerprintHash": fphash,
    "ForceCommand": command, "GatewayPorts": multi(["yes", "no", "clientspecified"]),
    "GSSAPIAuthentication": flag, "GSSAPICleanupCredentials": flag, "GSSAPICleanupCreds": flag,
    "GSSAPIKexAlgorithms": lambda r: alg_list(r, GSS), "GSSAPIKeyExchange": flag,
    "GSSAPIStoreCredentialsOnRekey": flag, "GSSAPIStrictAcceptorCheck": flag,
    "GSSAPIUseSessionCredCache": flag, "GSSUseSessionCCache": flag,
    "HostbasedAcceptedAlgorithms": lambda r: alg_list(r, KEYS, KEY_PATTERNS),
    "HostbasedAcceptedKeyTypes": lambda r: alg_list(r, KEYS, KEY_PATTERNS),
    "HostbasedAuthentication": flag, "HostbasedUsesNameFromPacketOnly": flag,
    "HostKeyAgent": string, "HostKey": lambda r: r.choice(["/nonexistent/key", "", "none", "k k"]),
    "HostDSAKey": lambda r: r.choice(["/nonexistent/key", ""]),
    "HostCertificate": lambda r: r.choice(["/nonexistent/cert", "", "c c"]), "HostKeyAlgorithms": lambda r: alg_list(r, KEYS, KEY_PATTERNS),
    "IgnoreRhosts": multi(["yes", "no", "shosts-only"]), "IgnoreUserKnownHosts": flag,
    "IPQoS": ipqos, "KbdInteractiveAuthentication": flag, "KeepAlive": flag,
    "KerberosAuthentication": flag, "KerberosGetAFSToken": flag, "KerberosOrLocalPasswd": flag,
    "KerberosTGTPassing": flag, "KerberosTicketCleanup": flag,
    "KexAlgorithms": lambda r: alg_list(r, KEX), "KeyRegenerationInterval": num,
    "ListenAddress": listen, "LoginGraceTime": time_value, "LogLevel": loglevel,
    "LogVerbose": logverbose, "MACs": lambda r: alg_list(r, MACS), "MaxAuthTries": num,
    "MaxSessions": num, "MaxStartups": maxstartups, "ModuliFile": string,
    "PAMAuthenticationViaKbdInt": flag, "PasswordAuthentication": flag,
    "PermitBlacklistedKeys": flag, "PermitEmptyPasswords": flag, "PermitListen": permitopen,
    "PermitOpen": permitopen,
    "PermitRootLogin": multi(["yes", "no", "prohibit-password", "without-password",
                              "forced-commands-only"]),
    "PermitTTY": flag, "PermitTunnel": multi(["yes", "no", "point-to-point", "ethernet"]),
    "PermitUserEnvironment": lambda r: r.choice(["yes", "no", "LANG,LC_*", "", "YES"]),
    "PermitUserRC": flag, "PerSourceMaxStartups": lambda r: r.choice(["none", "NONE", "10", "x",
                                                                       "-1", "0"]),
    "PerSourceNetBlockSize": netblock, "PidFile": string, "Port": port, "PrintLastLog": flag,
    "PrintMotd": flag, "Protocol": string,
    "PubkeyAcceptedAlgorithms": lambda r: alg_list(r, KEYS, KEY_PATTERNS),
    "PubkeyAcceptedKeyTypes": lambda r: alg_list(r, KEYS, KEY_PATTERNS),
    "PubkeyAuthentication": flag,
    "PubkeyAuthOptions": lambda r: " ".join(r.choice(["none", "touch-required",
                                                      "verify-required", "x", "NONE"])
                                            for _ in range(r.randint(1, 2))),
    "RDomain": lambda r: r.choice(["5", "none", "%D"]), "RekeyLimit": rekey,
    "RequiredRSASize": num, "ReverseMappingCheck": flag, "RevokedKeys": string,
    "RhostsAuthentication": flag, "RhostsRSAAuthentication": flag, "RSAAuthentication": flag,
    "SecurityKeyProvider": string, "ServerKeyBits": num,
    "SetEnv": lambda r: env_names(r, True), "SKeyAuthentication": flag,
    "StreamLocalBindMask": mask, "StreamLocalBindUnlink": flag, "StrictModes": flag,
    "Subsystem": subsystem, "SyslogFacility": facility, "TCPKeepAlive": flag,
    "TrustedUserCAKeys": string,
    "UnusedConnectionTimeout": lambda r: r.choice(["none", "NONE", "5m", "x", "-1", "0"]),
    "UseDNS": flag, "UseLogin": flag, "UsePAM": flag, "UsePrivilegeSeparation": flag,
    "VerifyReverseMapping": flag,
    "VersionAddendum": lambda r: r.choice(["none", "hello world", "x\r", "a # b"]),
    "X11DisplayOffset": num, "X11Forwarding": flag, "X11UseLocalhost": flag,
    "XAuthLocation": string,
}


def quote(v):
    if v == "":
        return '""'
    return v


def line(r, kw, gen):
    v = gen(r)
    name = kw if r.random() < 0.8 else r.choice([kw.lower(), kw.upper()])
    sep = r.choice([" ", " ", "\t", "=", " = "])
    if v == "":
        v = '""'
    if r.random() < 0.05:
        v += " " + r.choice(["extra", "#comment", '""'])
    return "%s%s%s" % (name, sep, v)


BLOCK_HOSTS = ["web1", "db.example.com", "bastion"]


def make_case(r, table, mode):
    """(keywords, text, host names to ask ssh -G about)."""
    kws = r.sample(sorted(table), r.randint(1, 3))
    lines = [line(r, k, table[k]) for k in kws]
    if "ForkAfterAuthentication" in kws:
        lines.insert(0, "SessionType none")  # ssh -G has no command to fork for
    cnames = "CanonicalizePermittedCNAMEs" in kws
    if cnames:
        # ssh -G then resolves the host name: only names that resolve here
        # (localhost, no HostName, no block for another name)
        lines = [l for l in lines if not l.lower().startswith(("hostname", "proxy"))]
    if "ForwardAgent" in kws and "ExitOnForwardFailure" in kws:
        # ssh -G then needs the agent socket to exist: not a file property
        lines = [l for l in lines if not l.lower().startswith("exitonforwardfailure")]
    if "CanonicalizeHostname" in kws and "CanonicalDomains" in kws:
        lines = [l for l in lines if not l.lower().startswith("canonicaldomains")]
    hosts = ["localhost"]
    if mode == "ssh" and not cnames and r.random() < 0.3:
        # some lines under a Host block: ssh checks every value whatever the
        # host, and the values it uses (tokens, ...) for the hosts that take
        # them, so the block's host is asked too
        at = r.randrange(len(lines) + 1)
        name = r.choice(BLOCK_HOSTS)
        lines.insert(at, r.choice(["Host ", "Host ", "Match originalhost "]) + name)
        if at < len(lines) - 1:
            hosts.append(name)
    if mode == "sshd" and r.random() < 0.25:
        # a Match block: its lines are checked in the first pass too, and
        # global-only keywords are refused there (but not under Match all)
        lines.insert(r.randrange(len(lines) + 1),
                     r.choice(["Match User nobody", "Match all", "Match Address 10.0.0.0/8"]))
    if mode == "sshd" and r.random() < 0.1:
        lines.insert(r.randrange(len(lines) + 1), "Subsystem " + subsystem(r))
    return kws, "\n".join(lines) + "\n", hosts


# --- running -----------------------------------------------------------------

def as_nobody(cmd):
    if os.getuid() == 0:
        return ["setpriv", "--reuid=nobody", "--regid=%d" % nobody_gid(), "--clear-groups",
                "--"] + cmd
    return cmd


def nobody_gid():
    import pwd
    return pwd.getpwnam("nobody").pw_gid


def run_case(mode, sshsync, path, key, hosts):
    env = dict(os.environ)
    env.pop("SSHSYNC_UNSET_VAR", None)
    if mode == "ssh":
        for h in hosts:
            o = subprocess.run(["ssh", "-G", "-F", path, h], env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=20)
            if o.returncode != 0:
                break
        target = "ssh:" + path
    else:
        o = subprocess.run(as_nobody(["/usr/sbin/sshd", "-t", "-f", path, "-h", key]), env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=20)
        if o.returncode == 0 and "\nMatch " in "\n" + open(path).read():
            # a connection that every generated Match block takes: sshd
            # checks some values of a block only when one does (-T -C)
            o = subprocess.run(as_nobody(["/usr/sbin/sshd", "-T", "-f", path, "-h", key, "-C",
                                          "user=nobody,host=h.example,addr=10.0.0.1,"
                                          "laddr=10.0.0.2,lport=22"]),
                               env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=20)
        target = "sshd:" + path
    s = subprocess.run([sshsync, "audit", target], env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    if s.returncode not in (0, 1, 2):
        return path, o.returncode != 0, None, s.stderr.decode(errors="replace")
    return (path, o.returncode != 0, s.returncode == 2,
            o.stderr.decode(errors="replace").strip().split("\n")[-1] + " | " +
            s.stderr.decode(errors="replace").strip())


def main():
    mode, sshsync, work, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    seed = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    key = sys.argv[6] if len(sys.argv) > 6 else None
    table = SSH if mode == "ssh" else SSHD
    r = random.Random(seed)
    cases = {}
    hosts = {}
    drawn = set()
    for i in range(count):
        kws, text, hosts_i = make_case(r, table, mode)
        drawn.update(kws)
        path = os.path.join(work, "c%05d.conf" % i)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)
        cases[path] = text
        hosts[path] = hosts_i
    agree = 0
    both = [0, 0]  # agreed on accepting, on refusing
    refused_by_both = []
    refused = [0, 0]
    bad = []
    crashes = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        for path, oracle, ours, msg in ex.map(lambda p: run_case(mode, sshsync, p, key, hosts[p]),
                                              sorted(cases)):
            if ours is None:
                crashes.append((path, msg))
                continue
            refused[0] += oracle
            refused[1] += ours
            if oracle == ours:
                agree += 1
                both[oracle] += 1
                if ours:
                    refused_by_both.append(path)
            else:
                bad.append((path, oracle, msg))
    # apply refuses the same files and writes nothing (a sample)
    apply_bad = []
    for path in refused_by_both[:40]:
        target = ("ssh:" if mode == "ssh" else "sshd:") + path
        before = open(path, "rb").read()
        a = subprocess.run([sshsync, "apply", "--interval", "60", target],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=60)
        if a.returncode != 2 or open(path, "rb").read() != before:
            apply_bad.append((path, a.returncode))
    n = len(cases)
    oracle_name = "ssh -G" if mode == "ssh" else "sshd -t"
    print("%s values: %d generated cases (seed %d) over %d of %d keywords; %s refuses %d, "
          "sshsync refuses %d; both accept %d, both refuse %d; agreement %d/%d = %.2f%%" %
          (mode, n, seed, len(drawn), len(table), oracle_name, refused[0], refused[1], both[0],
           both[1], agree, n, 100.0 * agree / n if n else 100.0))
    for path, oracle, msg in bad:
        print("DISAGREE (%s %s): %r\n    %s" % (oracle_name, "refuses" if oracle else "accepts",
                                                cases[path], msg))
    for path, msg in crashes:
        print("CRASH: %r\n    %s" % (cases[path], msg))
    print("apply --interval 60 refused and left unchanged %d of %d sampled refused files" %
          (min(40, len(refused_by_both)) - len(apply_bad), min(40, len(refused_by_both))))
    for path, rc in apply_bad:
        print("APPLY (exit %d, or the file changed) on a refused file: %r" % (rc, cases[path]))
    return 0 if agree == n and not crashes and not apply_bad else 1


if __name__ == "__main__":
    sys.exit(main())
