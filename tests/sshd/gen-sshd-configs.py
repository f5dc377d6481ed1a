#!/usr/bin/env python3
"""Writes random but reproducible sshd_config trees for the differential tests.

    gen-sshd-configs.py DIR COUNT [SEED]

DIR/cfgNNN/sshd_config is the main file of each tree; drop-ins go to
DIR/cfgNNN/d/ and DIR/cfgNNN/m/ (included from inside Match blocks).
Includes are absolute, or relative to /etc/ssh (sshd's rule) by going up
to / first, so the real sshd resolves them without touching /etc/ssh.
DIR/specs.txt lists the connection specs (`sshd -T -C` syntax) to try on
every tree. About one tree in ten holds an error sshd rejects (TCPKeepAlive
inside Match, `none`, `true`, an unknown keyword, bad quotes, `==`, a bad
Match address); the tests expect sshd and sshsync to fail on the same trees.

Everything stays readable by `nobody`, who runs the real sshd in tests.
"""
import os
import random
import sys

USERS = ["root", "daemon", "nobody", "bob", "alice"]
HOSTS = ["h1.example.com", "web.example.org", "db1.internal", "Web.Example.ORG"]
ADDRS = ["10.1.2.3", "10.2.0.5", "192.168.1.10", "172.16.5.4", "2001:db8::5", "::1"]
LADDRS = ["10.0.0.1", "192.168.1.1", "fd00::1"]

SPECS = [
    "user=root,host=h1.example.com,addr=10.1.2.3,lport=22",
    "user=bob,host=web.example.org,addr=192.168.1.10,lport=22",
    "user=alice,host=db1.internal,addr=10.2.0.5,lport=2222",
    "user=nobody,host=Web.Example.ORG,addr=2001:db8::5,lport=22",
    "user=daemon,host=h1.example.com,addr=172.16.5.4,lport=22,laddr=10.0.0.1",
    "user=bob,host=db1.internal,addr=::1,lport=2222,laddr=fd00::1,rdomain=vrf1",
    "user=root,host=web.example.org,addr=192.168.1.10,lport=22,laddr=192.168.1.1",
    "user=alice,host=h1.example.com,addr=10.1.2.3,lport=22,rdomain=vrf2",
]

OTHER_GLOBAL = [
    "PermitRootLogin prohibit-password",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "ChallengeResponseAuthentication no",
    "UsePAM yes",
    "X11Forwarding yes",
    "PrintMotd no",
    "AcceptEnv LANG LC_*",
    "LogLevel VERBOSE",
    "MaxAuthTries 4",
    "LoginGraceTime 30s",
    "Compression no",
    "Port 22",
    "AllowAgentForwarding no",
    "# a comment line",
    "",
]

OTHER_MATCH = [
    "X11Forwarding no",
    "AllowTcpForwarding no",
    "PermitTTY no",
    "PasswordAuthentication yes",
    "MaxSessions 2",
    "# inside the block",
    "",
]


def time_value(r):
    """A valid sshd time, in one of the forms people write."""
    if r.random() < 0.08:
        return r.choice(["1h", "1h1s", "+30", "2M", "0m45s", "1w"])
    n = r.choice([0, 15, 30, 45, 60, 120, 300, 600, 900])
    form = r.randrange(6)
    if form == 0 and n and n % 60 == 0:
        return "%dm" % (n // 60)
    if form == 1 and n > 60 and n % 60:
        return "%dm%ds" % (n // 60, n % 60)
    if form == 2:
        return "%dS" % n
    if form == 3:
        return '"%d"' % n
    return str(n)


def kw(r, name):
    """The keyword in a random case."""
    return r.choice([name, name.lower(), name.upper()])


def sep(r):
    return r.choice([" ", " ", "\t", "=", " = ", "  "])


def keepalive_line(r, in_match):
    choice = r.randrange(3 if not in_match else 2)
    if choice == 0:
        line = kw(r, "ClientAliveInterval") + sep(r) + time_value(r)
    elif choice == 1:
        line = kw(r, "ClientAliveCountMax") + sep(r) + str(r.choice([0, 1, 2, 3, 5, 10]))
    else:
        name = r.choice(["TCPKeepAlive", "TCPKeepAlive", "KeepAlive"])
        line = kw(r, name) + sep(r) + r.choice(["yes", "no", "YES", "No"])
    if r.random() < 0.15:
        line += "  # set by ops"
    return line


def addr_list(r):
    pool = ["10.0.0.0/8", "10.1.0.0/16", "192.168.1.0/24", "172.16.0.0/12",
            "2001:db8::/32", "::1", "10.2.*", "192.168.1.10", "127.0.0.1/32"]
    items = r.sample(pool, r.randint(1, 3))
    if r.random() < 0.3:
        items.append("!" + r.choice(["10.1.2.3", "10.1.0.0/16", "192.168.1.10/32"]))
    return ",".join(items)


def criterion(r):
    c = r.randrange(8)
    if c == 0:
        return kw(r, "User"), ",".join(r.sample(["root", "bob", "b*", "!alice", "dae?on", "nobody"],
                                                 r.randint(1, 3)))
    if c == 1:
        return kw(r, "Group"), ",".join(r.sample(["root", "daemon", "nogroup", "adm", "sudo",
                                                  "!root", "no*"], r.randint(1, 2)))
    if c == 2:
        return kw(r, "Host"), ",".join(r.sample(["*.example.com", "web.*", "DB?.internal",
                                                 "!h1.example.com", "*"], r.randint(1, 2)))
    if c == 3:
        return kw(r, "Address"), addr_list(r)
    if c == 4:
        return kw(r, "LocalAddress"), r.choice(["10.0.0.0/24", "192.168.1.1", "fd00::/8",
                                                "10.0.0.1,192.168.1.1"])
    if c == 5:
        return kw(r, "LocalPort"), r.choice(["22", "2222", "ssh"])
    if c == 6:
        return kw(r, "RDomain"), r.choice(["vrf1", "vrf*", "!vrf2,vrf*"])
    return kw(r, "User"), r.choice(["bob", "root", '"bob"', '"b*,root"'])


def match_line(r):
    if r.random() < 0.12:
        return kw(r, "Match") + " " + r.choice(["All", "all"])
    parts = []
    seen = set()
    for _ in range(r.randint(1, 3)):
        name, value = criterion(r)
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        joiner = "=" if r.random() < 0.1 else " "
        parts.append(name + joiner + value)
    line = kw(r, "Match") + " " + " ".join(parts)
    if r.random() < 0.1:
        line += " # block"
    return line


ERRORS = [
    ("global", "ClientAliveInterval none"),
    ("global", "TCPKeepAlive true"),
    ("global", "ClientAliveIntervall 60"),
    ("global", 'ClientAliveInterval "60'),
    ("global", "ClientAliveInterval==60"),
    ("global", "ClientAliveInterval 60 70"),
    ("global", "ClientAliveInterval 60#note"),
    ("global", "ClientAliveCountMax -1"),
    ("global", "ClientAliveInterval 5x"),
    ("match", "TCPKeepAlive no"),
    ("match", "KeepAlive yes"),
    ("matchline", "Match Address 10.0.0.1/8"),
    ("matchline", "Match Flavour vanilla"),
    ("matchline", "Match User"),
    ("matchline", "Match All User bob"),
    ("matchline", "Match LocalPort notaport"),
]


def write(path, lines, crlf):
    end = "\r\n" if crlf else "\n"
    with open(path, "w", newline="") as f:
        f.write(end.join(lines) + end)
    os.chmod(path, 0o644)


def dropin(r, path, with_match):
    lines = ["# drop-in " + os.path.basename(path)]
    for _ in range(r.randint(0, 3)):
        lines.append(r.choice(OTHER_GLOBAL))
    for _ in range(r.randint(0, 2)):
        lines.append(keepalive_line(r, False))
    if with_match and r.random() < 0.4:
        lines.append(match_line(r))
        for _ in range(r.randint(1, 2)):
            lines.append("\t" + keepalive_line(r, True))
    write(path, lines, False)


def include_ref(r, tree, sub, pattern):
    target = os.path.join(tree, sub, pattern)
    if r.random() < 0.35:
        # relative paths are resolved from /etc/ssh: go up to / first
        return "../.." + target
    return target


def tree(r, root, index, broken):
    d = os.path.join(root, "cfg%03d" % index)
    os.makedirs(os.path.join(d, "d"))
    os.makedirs(os.path.join(d, "m"))
    for p in (d, os.path.join(d, "d"), os.path.join(d, "m")):
        os.chmod(p, 0o755)
    crlf = r.random() < 0.1
    lines = ["# generated sshd_config %d" % index]
    if r.random() < 0.5:
        # sshd refuses a second Subsystem sftp: only ever one, in the main file
        lines.append("Subsystem sftp /usr/lib/openssh/sftp-server")
    if r.random() < 0.6:
        n = r.randint(1, 3)
        for i in range(n):
            dropin(r, os.path.join(d, "d", "%02d-part.conf" % (10 * (i + 1))), True)
        if r.random() < 0.3:
            write(os.path.join(d, "d", "ignored.txt"), ["ClientAliveInterval 1"], False)
        lines.append(kw(r, "Include") + " " + include_ref(r, d, "d", "*.conf"))
        if r.random() < 0.2:
            lines[-1] += " " + include_ref(r, d, "d", "none-*.conf")
    for _ in range(r.randint(0, 4)):
        lines.append(r.choice(OTHER_GLOBAL))
    for _ in range(r.randint(0, 3)):
        lines.append(keepalive_line(r, False))
    if lines[-1].startswith(("Include", "include", "INCLUDE")) and r.random() < 0.2:
        lines.append(lines[-1])  # the same glob again: sshd's include cache
    for _ in range(r.randint(0, 4)):
        lines.append(match_line(r))
        is_all = lines[-1].lower().endswith(" all")
        for _ in range(r.randint(0, 3)):
            lines.append("\t" + r.choice(OTHER_MATCH + ["ClientAliveInterval " + time_value(r)]))
        for _ in range(r.randint(0, 2)):
            # `Match All` is active in sshd's first pass: TCPKeepAlive is allowed there
            lines.append("    " + keepalive_line(r, not is_all))
        if r.random() < 0.15:
            dropin(r, os.path.join(d, "m", "block%d.conf" % len(lines)), r.random() < 0.3)
            lines.append("\t" + kw(r, "Include") + " " +
                         include_ref(r, d, "m", "block%d.conf" % (len(lines) - 1)))
    if broken:
        where, text = r.choice(ERRORS)
        if where == "match":
            lines.append("Match User bob")
            lines.append("\t" + text)
        else:
            lines.insert(r.randint(1, len(lines)), text)
    write(os.path.join(d, "sshd_config"), lines, crlf)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: gen-sshd-configs.py DIR COUNT [SEED]")
    root, count = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    r = random.Random(seed)
    os.makedirs(root, exist_ok=True)
    os.chmod(root, 0o755)
    for i in range(count):
        tree(r, root, i, r.random() < 0.1)
    with open(os.path.join(root, "specs.txt"), "w") as f:
        f.write("\n".join(SPECS) + "\n")
    os.chmod(os.path.join(root, "specs.txt"), 0o644)


if __name__ == "__main__":
    main()
