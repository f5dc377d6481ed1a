#!/usr/bin/python3
"""Random sessions over the fields of MIGRATION.md Table 1 that the oracle
(oracle.bash) can observe, written as an OpenSSH config and as PuTTY session
files that mean the same thing.

  session_gen.py ORACLE_DIR OUT_DIR SEED N

writes OUT_DIR/case-K/ (K = 1..N) with
  ssh_config        Host blocks (values also through `Host *` and pattern
                    blocks: first value wins), ProxyCommand or ProxyJump
  putty/sessions/   one file per session, every value explicit or left to
                    PuTTY's compiled-in default
  aliases           the session names, one a line (jump hosts included)
The fields: host name, port, user (or the local user), one key, compression,
agent and X11 forwarding, pty, remote command (with a literal %), SetEnv /
Environment (one line, values with blanks and commas), local, remote and
dynamic forwardings (IPv6 targets, bind addresses), proxy command (the
oracle's sshd), jump hosts (one or two hops), loopback destinations
(PuTTY's ProxyLocalhost). Every proxy is the oracle's; every listening port
is high and bound to loopback.
"""
import os
import random
import sys
import urllib.parse

HOSTS = ["web.example.com", "db.test", "git.internal.test", "srv%d.test", "localhost", "127.0.0.1"]
USERS = [None, "root", "root", "alice"]
KEYS = [None, "ka", "ka", "kb", "kc"]
COMMANDS = [None, None, "echo hi", "uptime", "printf 100%", "ls -l /tmp"]
ENV_VALUES = ["bar", "a b", "x-1", "1,2"]
TARGETS = ["localhost", "::1", "db.test", "10.1.2.3"]


class Session:
    def __init__(self, name):
        self.name = name
        self.host = None
        self.port = 22
        self.user = None
        self.key = None
        self.compression = False
        self.agent = False
        self.x11 = False
        self.pty = "auto"  # OpenSSH RequestTTY: auto, yes, no
        self.command = None
        self.env = []
        self.forwards = []  # (kind, bind or None, port, target or None)
        self.jump = None  # a session name, or None: the oracle's proxy


def gen_case(rnd, k):
    sessions = []
    hops = []
    for j in range(rnd.choice([0, 1, 1, 2])):
        s = Session("c%d-jump%d" % (k, j + 1))
        s.host = "jump%d.test" % (j + 1)
        s.port = rnd.choice([22, 22, 2022])
        s.user = "root"
        s.key = rnd.choice(["ka", "kb"])
        if hops:
            s.jump = hops[-1].name
        hops.append(s)
        sessions.append(s)
    used_ports = set()

    def port():
        while True:
            p = rnd.randrange(20000, 60000)
            if p not in used_ports:
                used_ports.add(p)
                return p

    for i in range(rnd.randint(1, 3)):
        s = Session("c%d-h%d" % (k, i + 1))
        h = rnd.choice(HOSTS)
        s.host = h % rnd.randrange(1, 99) if "%" in h else h
        s.port = rnd.choice([22, 22, 2222, rnd.randrange(1024, 65000)])
        s.user = rnd.choice(USERS)
        s.key = rnd.choice(KEYS)
        s.compression = rnd.random() < 0.4
        s.agent = rnd.random() < 0.3
        s.x11 = rnd.random() < 0.3
        s.command = rnd.choice(COMMANDS)
        s.pty = rnd.choice(["auto", "yes", "no"])
        names = rnd.sample(["FOO", "LC_TEST", "MODE", "X_Y"], rnd.choice([0, 0, 1, 2, 3]))
        s.env = [(n, rnd.choice(ENV_VALUES)) for n in names]
        for _ in range(rnd.choice([0, 0, 1, 2, 3])):
            kind = rnd.choice("LRD")
            bind = rnd.choice([None, "127.0.0.1"])
            target = None if kind == "D" else (rnd.choice(TARGETS), rnd.choice([22, 80, 5432]))
            s.forwards.append((kind, bind, port(), target))
        if hops and rnd.random() < 0.5 and s.host not in ("localhost", "127.0.0.1"):
            s.jump = rnd.choice(hops).name
        sessions.append(s)
    return sessions


# --- OpenSSH --------------------------------------------------------------

def ssh_quote(v):
    return '"%s"' % v if (" " in v or "," in v) else v


def ssh_endpoint(host, port):
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


def ssh_lines(s, oracle):
    """(keyword, value) pairs that give the session s."""
    out = [("HostName", s.host), ("Port", str(s.port))]
    if s.user:
        out.append(("User", s.user))
    if s.key:
        out.append(("IdentityFile", os.path.join(oracle, s.key)))
    out.append(("Compression", "yes" if s.compression else "no"))
    out.append(("ForwardAgent", "yes" if s.agent else "no"))
    out.append(("ForwardX11", "yes" if s.x11 else "no"))
    out.append(("RequestTTY", s.pty))
    if s.command:
        out.append(("RemoteCommand", s.command.replace("%", "%%")))
    if s.env:
        out.append(("SetEnv", " ".join(ssh_quote("%s=%s" % e) for e in s.env)))
    for kind, bind, port, target in s.forwards:
        listen = "%s:%d" % (bind, port) if bind else str(port)
        word = {"L": "LocalForward", "R": "RemoteForward", "D": "DynamicForward"}[kind]
        out.append((word, listen if kind == "D" else "%s %s" % (listen, ssh_endpoint(*target))))
    if s.jump:
        out.append(("ProxyJump", s.jump))
    else:
        out.append(("ProxyCommand", "%s %%h %%p" % os.path.join(oracle, "proxy")))
    return out


# Keywords that may be given through a later `Host *` block instead (the
# first value obtained wins, so a host's own value must come first).
SHARED = {"Compression", "ForwardAgent", "ForwardX11", "RequestTTY", "ProxyCommand"}
MULTI = {"LocalForward", "RemoteForward", "DynamicForward"}


def write_ssh(rnd, sessions, oracle, path):
    defaults = {}
    for kw in sorted(SHARED):  # a set: its order changes from run to run
        if rnd.random() < 0.5:
            values = [v for s in sessions for k, v in ssh_lines(s, oracle) if k == kw]
            if values:
                defaults[kw] = rnd.choice(values)
    blocks = []
    for s in sessions:
        lines = []
        for kw, v in ssh_lines(s, oracle):
            if kw in defaults and defaults[kw] == v and rnd.random() < 0.8:
                continue  # left to `Host *`
            if kw in ("Compression", "ForwardAgent", "ForwardX11") and v == "no" \
                    and kw not in defaults and rnd.random() < 0.5:
                continue  # OpenSSH's default
            if kw == "RequestTTY" and v == "auto" and kw not in defaults and rnd.random() < 0.5:
                continue
            lines.append("  %s %s" % (kw, v))
        blocks.append("Host %s\n%s\n" % (s.name, "\n".join(lines)))
    rnd.shuffle(blocks)
    text = "# generated by session_gen.py\n" + "\n".join(blocks)
    if defaults:
        text += "\nHost *\n" + "".join("  %s %s\n" % kv for kv in sorted(defaults.items()))
    with open(path, "w") as f:
        f.write(text)


# --- PuTTY ------------------------------------------------------------------

def putty_escape(v):
    """PuTTY's map escaping (settings.c wmap): \\ , and = get a backslash."""
    return "".join("\\" + c if c in "\\,=" else c for c in v)


def putty_endpoint(host, port):
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


def putty_settings(rnd, s, oracle):
    def maybe(key, value, default):
        # A value equal to PuTTY's compiled-in default may be left out.
        if value != default or rnd.random() < 0.5:
            out.append((key, value))

    out = [("HostName", s.host), ("Protocol", "ssh"), ("PortNumber", str(s.port))]
    if s.user:
        out.append(("UserName", s.user))
    else:
        out.append(("UserNameFromEnvironment", "1"))
    if s.key:
        out.append(("PublicKeyFile", os.path.join(oracle, s.key + ".ppk")))
    maybe("Compression", "1" if s.compression else "0", "0")
    maybe("AgentFwd", "1" if s.agent else "0", "0")
    maybe("X11Forward", "1" if s.x11 else "0", "0")
    # PuTTY asks for a pty unless NoPTY (also with a command); ssh, with a
    # terminal on stdin, unless RequestTTY no, or auto with a command.
    nopty = s.pty == "no" or (s.pty == "auto" and s.command is not None)
    maybe("NoPTY", "1" if nopty else "0", "0")
    if s.command:
        out.append(("RemoteCommand", s.command))
    if s.env:
        out.append(("Environment", ",".join(
            "%s=%s" % (putty_escape(n), putty_escape(v)) for n, v in s.env)))
    fwd = []
    for kind, bind, port, target in s.forwards:
        key = kind + ("%s:%d" % (bind, port) if bind else str(port))
        fwd.append("%s=%s" % (putty_escape(key), putty_escape(putty_endpoint(*target)) if target else ""))
    if fwd:
        out.append(("PortForwardings", ",".join(fwd)))
    if s.jump:
        out += [("ProxyMethod", "6"), ("ProxyHost", s.jump), ("ProxyPort", "22")]
    else:
        out += [("ProxyMethod", "5"),
                ("ProxyTelnetCommand", "%s %%host %%port" % os.path.join(oracle, "proxy"))]
    if s.host in ("localhost", "127.0.0.1"):
        out.append(("ProxyLocalhost", "1"))
    return out


def putty_file_name(name):
    """unix/storage.c make_filename: everything but [A-Za-z0-9._-] as %XX."""
    return urllib.parse.quote(name, safe="._-")


def write_putty(rnd, sessions, oracle, folder):
    os.makedirs(folder, exist_ok=True)
    for s in sessions:
        with open(os.path.join(folder, putty_file_name(s.name)), "w") as f:
            for k, v in putty_settings(rnd, s, oracle):
                f.write("%s=%s\n" % (k, v))


def main(argv):
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    oracle, out, seed, n = argv[1], argv[2], int(argv[3]), int(argv[4])
    rnd = random.Random(seed)
    for k in range(1, n + 1):
        case = os.path.join(out, "case-%d" % k)
        os.makedirs(case, exist_ok=True)
        sessions = gen_case(rnd, k)
        write_ssh(rnd, sessions, oracle, os.path.join(case, "ssh_config"))
        write_putty(rnd, sessions, oracle, os.path.join(case, "putty", "sessions"))
        with open(os.path.join(case, "aliases"), "w") as f:
            f.write("".join(s.name + "\n" for s in sessions))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
