#!/usr/bin/env python3
"""Random ssh_config files over MIGRATION.md Table 1, for migrate's tests.

    migrate_gen.py SEED DIR [HOSTS]   writes DIR/config and prints the
                                      aliases, one a line
    migrate_gen.py --algs SEED DIR N ORACLE
                                      N aliases with algorithm lists that
                                      reach the oracle's sshd (ORACLE: its
                                      folder, lib/oracle.bash's $O)

Each alias gets a random subset of the Table 1 keywords (host, port, user,
keys, certificate, agent, forwarding, X11, compression, keepalive, TCP
keepalive, address family, host key alias, remote command with %-tokens,
pty, no shell, environment, local/remote/dynamic forwards with IPv6 and
bind addresses, proxy command or jump chain, cipher/kex/host key algorithm
lists (plain, +, - with patterns, ^), GSSAPI flags); pattern
blocks (`Host *.corp`, `Host *`) and global lines give values too, so that
provenance and first-value-wins matter. Jump hops are aliases of the file
or plain names that only the patterns reach.
"""
import os
import random
import sys

# What ssh 9.2p1 (Debian 12) accepts: `ssh -Q cipher|kex|HostKeyAlgorithms`.
ALGS = {
    "Ciphers": ["3des-cbc", "aes128-cbc", "aes192-cbc", "aes256-cbc", "aes128-ctr",
                "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com",
                "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com"],
    "KexAlgorithms": ["diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1",
                      "diffie-hellman-group14-sha256", "diffie-hellman-group16-sha512",
                      "diffie-hellman-group18-sha512", "diffie-hellman-group-exchange-sha1",
                      "diffie-hellman-group-exchange-sha256", "ecdh-sha2-nistp256",
                      "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "curve25519-sha256",
                      "curve25519-sha256@libssh.org", "sntrup761x25519-sha512@openssh.com"],
    "HostKeyAlgorithms": ["ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com",
                          "sk-ssh-ed25519@openssh.com", "ecdsa-sha2-nistp256",
                          "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
                          "rsa-sha2-256", "rsa-sha2-512", "rsa-sha2-512-cert-v01@openssh.com"],
}
# Patterns for a "-" list (the only place ssh takes them).
PATTERNS = {"Ciphers": ["aes*-cbc", "aes128*", "*gcm*", "chacha20*"],
            "KexAlgorithms": ["diffie-hellman-*", "ecdh-*", "*sha1", "sntrup*"],
            "HostKeyAlgorithms": ["*-cert-v01@openssh.com", "sk-*", "ecdsa*", "ssh-rsa*"]}


def alg_value(r, kw, keep=None):
    """A value ssh accepts: a list, or +, - (with patterns), ^ of the default.
    `keep`: a name the list must hold (the oracle's host key type)."""
    form = r.choice(["list", "list", "list", "+", "-", "^"])
    names = r.sample(ALGS[kw], r.randrange(1, 5))
    if keep and form in ("list", "^") and keep not in names:
        names.insert(r.randrange(len(names) + 1), keep)
    if form == "-":
        pats = r.sample(PATTERNS[kw], r.randrange(1, 3))
        if keep:
            pats = [p for p in pats if p not in ("ssh-rsa*",)] or ["ssh-rsa*"]
        return "-" + ",".join(pats)
    return ("" if form == "list" else form) + ",".join(names)


def yn(r):
    return r.choice(["yes", "no"])


def field_lines(r, alias, aliases):
    out = []
    p = 0.35
    if r.random() < 0.6:
        out.append("HostName " + r.choice(["%s.example.com" % alias, "10.0.%d.%d" % (
            r.randrange(256), r.randrange(1, 255)), "%h.Corp.example", "::1", "localhost"]))
    if r.random() < p:
        out.append("Port %d" % r.choice([22, 2222, 8022, 65000]))
    if r.random() < p:
        out.append("User " + r.choice(["root", "deploy", "alice.b", "svc-x"]))
    for _ in range(r.choice([0, 0, 1, 1, 2])):
        out.append("IdentityFile " + r.choice(["~/.ssh/id_ed25519", "~/.ssh/id_%h",
                                                 "/keys/%r_key", "\"/keys/with space\""]))
    if r.random() < 0.15:
        out.append("CertificateFile ~/.ssh/id_ed25519-cert.pub")
    if r.random() < 0.15:
        out.append("IdentityAgent none")
    if r.random() < p:
        out.append("ForwardAgent " + yn(r))
    if r.random() < p:
        out.append("ForwardX11 " + yn(r))
    if r.random() < p:
        out.append("Compression " + yn(r))
    if r.random() < p:
        out.append("ServerAliveInterval %s" % r.choice(["0", "15", "60", "90", "2m", "3600"]))
    if r.random() < 0.25:
        out.append("ServerAliveCountMax %d" % r.choice([1, 3, 5]))
    if r.random() < p:
        out.append("TCPKeepAlive " + yn(r))
    if r.random() < 0.25:
        out.append("AddressFamily " + r.choice(["any", "inet", "inet6"]))
    if r.random() < 0.2:
        out.append("HostKeyAlias alias-" + alias)
    if r.random() < 0.3:
        out.append("RemoteCommand " + r.choice(["uptime", "echo %h:%p", "printf '100%%\\n'",
                                                  "tmux new -A -s main", "echo a,b=c"]))
    if r.random() < 0.25:
        out.append("RequestTTY " + r.choice(["yes", "no", "force", "auto"]))
    if r.random() < 0.1:
        out.append("SessionType none")
    if r.random() < 0.3:
        pairs = r.sample(["LANG=C", "FOO=bar", "\"SPACED=a b\"", "EQ=x=y", "COMMA=a,b"],
                         r.randrange(1, 4))
        out.append("SetEnv " + " ".join(pairs))
    for _ in range(r.choice([0, 0, 1, 2])):
        out.append(r.choice([
            "LocalForward %d localhost:80" % r.randrange(20000, 30000),
            "LocalForward 127.0.0.1:%d [::1]:8080" % r.randrange(20000, 30000),
            "LocalForward [::1]:%d db.internal:5432" % r.randrange(20000, 30000),
            "RemoteForward %d localhost:22" % r.randrange(20000, 30000),
            "RemoteForward 0.0.0.0:%d 10.1.2.3:443" % r.randrange(20000, 30000),
            "DynamicForward %d" % r.randrange(30000, 40000),
            "DynamicForward 127.0.0.1:%d" % r.randrange(30000, 40000),
        ]))
    roll = r.random()
    if roll < 0.15:
        out.append("ProxyCommand " + r.choice(["nc %h %p", "ssh -W %h:%p bastion",
                                                "connect -S proxy:1080 %h %p"]))
    elif roll < 0.4:
        hops = r.sample([a for a in aliases if a != alias] + ["edge.corp", "gw"],
                        r.choice([1, 1, 2]))
        spec = []
        for h in hops:
            s = h
            if r.random() < 0.2:
                s = "jumper@" + s
            spec.append(s)
        out.append("ProxyJump " + ",".join(spec))
    for kw in ALGS:
        if r.random() < 0.15:
            out.append("%s %s" % (kw, alg_value(r, kw)))
    if r.random() < 0.2:
        out.append("GSSAPIAuthentication " + yn(r))
    if r.random() < 0.15:
        out.append("GSSAPIDelegateCredentials " + yn(r))
    if r.random() < 0.1:
        out.append("GSSAPIKeyExchange " + yn(r))
    r.shuffle(out)
    return out


def algs_main(seed, d, n, oracle):
    """--algs: aliases that reach the oracle's sshd (migrate_algs.sh), each
    with one to three algorithm lists; the host key is ed25519."""
    r = random.Random(seed)
    lines = ["# generated by migrate_gen.py --algs %d" % seed, ""]
    aliases = ["a%d-%d" % (seed, i) for i in range(n)]
    for a in aliases:
        lines += ["Host " + a, "    HostName %s.example" % a, "    User root",
                  "    IdentityFile %s/ka" % oracle, "    IdentitiesOnly yes",
                  "    ProxyCommand %s/proxy %%h %%p" % oracle, "    RequestTTY no",
                  "    RemoteCommand true"]
        for kw in r.sample(sorted(ALGS), r.randrange(1, 4)):
            keep = "ssh-ed25519" if kw == "HostKeyAlgorithms" else None
            lines.append("    %s %s" % (kw, alg_value(r, kw, keep)))
        lines.append("")
    with open(os.path.join(d, "config"), "w") as f:
        f.write("\n".join(lines))
    for a in aliases:
        print(a)


def main():
    if sys.argv[1] == "--algs":
        algs_main(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5])
        return
    seed = int(sys.argv[1])
    d = sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 6
    r = random.Random(seed)
    aliases = ["h%d-%d" % (seed, i) for i in range(n)]
    lines = ["# generated by migrate_gen.py %d" % seed]
    if r.random() < 0.5:
        lines.append(r.choice(["Compression yes", "ServerAliveInterval 45",
                               "TCPKeepAlive no", "ForwardX11 yes"]))
    lines.append("")
    for a in aliases:
        lines.append("Host " + a)
        lines += ["    " + x for x in field_lines(r, a, aliases)]
        lines.append("")
    lines.append("Host *.corp edge.corp")
    lines += ["    " + x for x in ["User corpuser", "Port 2200"][: r.randrange(0, 3)]]
    lines.append("")
    lines.append("Host *")
    lines += ["    " + x for x in r.sample(["ServerAliveInterval 60", "ServerAliveCountMax 2",
                                           "TCPKeepAlive no", "ForwardAgent yes",
                                           "AddressFamily inet", "User fallback",
                                           "GSSAPIAuthentication yes"], r.randrange(0, 4))]
    with open(os.path.join(d, "config"), "w") as f:
        f.write("\n".join(lines) + "\n")
    for a in aliases:
        print(a)


main()
