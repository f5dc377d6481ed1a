#!/usr/bin/env python3
"""Random ssh_config trees for the differential test against `ssh -G`.

    ssh_gen.py SEED DIR   writes DIR/config (and files it Includes) and
                          prints the host names worth asking about, one a line

Every feature that decides a keepalive value is drawn at random: Host
patterns (literal, '*', '?', '!', commas), Match (all, host after HostName,
originalhost, user, localuser, final, canonical, negation, `=` forms),
Include (absolute, relative to ~/.ssh, globs, conditional, nested), first
value wins, `none`, time units, Debian's aliases (ProtocolKeepAlives,
SetupTimeOut) and BatchMode default, KeepAlive alias, IgnoreUnknown,
quoting, comments, tabs, CRLF, no final newline. A few trees are invalid on
purpose (bad time, unknown keyword, `==`, unclosed quote): ssh and sshsync
must then both refuse. `Match exec` criteria (at most 3 a tree) run the
placeholder command "sshsync-cond-N": sshsync never runs it; the test gives
ssh each combination of `true`/`false` in its place (ssh_diff.py).
"""
import os
import random
import sys

NAMES = ["web1", "web2", "db", "Db", "bastion", "a,b", "app.example.com",
         "jump.example.org", "x1", "mail"]


def time_value(r):
    n = r.choice([0, 5, 15, 30, 45, 60, 90, 120, 300])
    form = r.random()
    if form < 0.5 or n == 0:
        return str(n)
    if form < 0.7 and n % 60 == 0:
        return "%dm" % (n // 60)
    if form < 0.85 and n > 60:
        return "%dm%ds" % (n // 60, n % 60)
    if form < 0.92:
        return "%ds" % n
    return "none"


def keyword_line(r, w, indent):
    """One setting line, in one of the spellings ssh accepts."""
    kind = r.random()
    if kind < 0.45:
        kw = r.choice(["ServerAliveInterval"] * 6 + ["serveraliveinterval", "SERVERALIVEINTERVAL",
                                                     "ProtocolKeepAlives", "SetupTimeOut"])
        val = time_value(r)
    elif kind < 0.6:
        kw = r.choice(["ServerAliveCountMax", "serveralivecountmax"])
        val = str(r.choice([0, 1, 2, 3, 5, 10]))
    elif kind < 0.75:
        kw = r.choice(["TCPKeepAlive", "KeepAlive", "tcpkeepalive"])
        val = r.choice(["yes", "no", "true", "false", "YES", "No"])
    elif kind < 0.8:
        kw, val = "BatchMode", r.choice(["yes", "no"])
    elif kind < 0.88:
        kw, val = "HostName", r.choice(["app.example.com", "%h.example.com", "JUMP.example.org",
                                        "bastion", "10.0.0.1"])
    elif kind < 0.92:
        kw, val = "User", r.choice(["root", "deploy", "alice"])
    elif kind < 0.94:
        # a second pass without DNS (no CanonicalDomains), or the
        # IgnoreUnknown that decides whether UseKeychain is an error
        kw, val = r.choice([("CanonicalizeHostname", r.choice(["yes", "no", "always"])),
                            ("IgnoreUnknown", r.choice(["UseKeychain", "foo*", "*"]))])
    else:
        kw, val = r.choice([("Port", "2222"), ("Compression", "yes"),
                            ("IdentityFile", '"~/.ssh/id key"'), ("ForwardAgent", "no")])
    sep = r.choice([" ", " ", " ", "=", " = ", "\t", "  "])
    if r.random() < 0.1 and '"' not in val:
        val = '"%s"' % val
    line = "%s%s%s%s" % (indent, kw, sep, val)
    if r.random() < 0.1:
        line += r.choice([" # note", "\t#x", "   "])
    return line


def host_pattern(r):
    p = r.random()
    if p < 0.5:
        return r.choice(NAMES)
    if p < 0.75:
        return r.choice(["web*", "*.example.com", "d?", "*", "*1", "b*n", "x?", "*.org"])
    return "!" + r.choice(NAMES + ["web*", "*.example.com"])


class Conds:
    n = 0


def match_line(r):
    crit = []
    for _ in range(r.randint(1, 3)):
        c = r.random()
        neg = "!" if r.random() < 0.15 else ""
        if c < 0.12 and Conds.n < 3:
            crit.append('%sexec "sshsync-cond-%d"' % (neg, Conds.n))
            Conds.n += 1
        elif c < 0.3:
            crit.append("%shost %s" % (neg, r.choice(["app.example.com", "*.example.com",
                                                       "jump.example.org", "bastion,db",
                                                       "web*"])))
        elif c < 0.45:
            crit.append("%soriginalhost=%s" % (neg, r.choice(NAMES[:5] + ["*1"])))
        elif c < 0.6:
            crit.append("%suser %s" % (neg, r.choice(["root", "deploy", "ali*"])))
        elif c < 0.7:
            crit.append("%slocaluser %s" % (neg, r.choice(["root", "nobody"])))
        elif c < 0.82:
            crit.append("%sfinal" % neg)
        else:
            crit.append("%scanonical" % neg)
    if r.random() < 0.12:
        return "Match all"
    return "Match " + " ".join(crit)


class Tree:
    def __init__(self, seed, out):
        self.r = random.Random(seed)
        self.out = out
        self.nfiles = 0

    def body(self, depth, allow_host=True):
        r = self.r
        lines = []
        for _ in range(r.randint(0, 3)):
            lines.append(keyword_line(r, None, ""))
        for _ in range(r.randint(1, 6) if allow_host else r.randint(0, 2)):
            c = r.random()
            if c < 0.6:
                pats = [host_pattern(r) for _ in range(r.randint(1, 3))]
                if r.random() < 0.1:
                    pats[0] = '"%s"' % pats[0]
                lines.append(r.choice(["Host ", "Host ", "Host=", "host "]) + " ".join(pats))
            elif c < 0.85:
                lines.append(match_line(r))
            else:
                lines.append(self.include(depth))
                continue
            indent = r.choice(["  ", "\t", "    ", ""])
            for _ in range(r.randint(0, 3)):
                if r.random() < 0.12 and depth < 3:
                    lines.append(indent + self.include(depth))
                else:
                    lines.append(keyword_line(r, None, indent))
            if r.random() < 0.2:
                lines.append(r.choice(["", "# end of block"]))
        return lines

    def include(self, depth):
        r = self.r
        self.nfiles += 1
        n = self.nfiles
        sub = os.path.join(self.out, ".ssh", "inc%d" % n)
        os.makedirs(sub, exist_ok=True)
        for k in range(r.randint(1, 2)):
            self.write(os.path.join(sub, "%02d.conf" % (k * 10 + r.randint(0, 9))),
                       self.body(depth + 1, allow_host=r.random() < 0.7))
        form = r.random()
        if form < 0.4:
            return "Include %s/*.conf" % sub
        if form < 0.7:
            return "Include inc%d/*.conf" % n          # relative: ~/.ssh
        if form < 0.85:
            return "Include ~/.ssh/inc%d/*.conf /nonexistent/*.conf" % n
        return 'Include "%s/0*.conf"' % sub

    def write(self, path, lines):
        r = self.r
        eol = "\r\n" if r.random() < 0.15 else "\n"
        text = eol.join(lines)
        if r.random() < 0.85:
            text += eol
        with open(path, "w", newline="") as f:
            f.write(text)
        os.chmod(path, 0o644)

    def main(self):
        r = self.r
        os.makedirs(os.path.join(self.out, ".ssh"), exist_ok=True)
        lines = ["# generated"]
        if r.random() < 0.2:
            lines.append("IgnoreUnknown UseKeychain,Foo*")
        lines += self.body(0)
        if r.random() < 0.2:
            # valid only with the IgnoreUnknown above
            lines.insert(r.randint(1, len(lines)), "UseKeychain yes")
        if r.random() < 0.06:
            bad = r.choice(["ServerAliveInterval 1y", "ServerAliveInterval ==60",
                            "TCPKeepAlive maybe", "ServerAliveCountMax -1",
                            'Host "unclosed', "Bogus 1", "ServerAliveInterval 60 60",
                            "Match localnetwork 10.0.0.0/8", "Match host"])
            lines.insert(r.randint(1, len(lines)), bad)
        self.write(os.path.join(self.out, "config"), lines)


def main():
    seed, out = int(sys.argv[1]), sys.argv[2]
    Tree(seed, out).main()
    r = random.Random(seed * 7 + 1)
    # "a,b" is only a pattern: Debian's ssh refuses it on the command line.
    hosts = sorted(set([n for n in NAMES if n != "a,b"] +
                       ["WEB1", "unlisted.host", "root@db", "deploy@web2"]))
    print("\n".join(hosts))


if __name__ == "__main__":
    main()
