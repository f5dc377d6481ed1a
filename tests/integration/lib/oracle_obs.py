#!/usr/bin/python3
"""Helpers of the migration oracle (oracle.bash).

  oracle_obs.py obs ssh|plink RUNDIR
      What a client asked the throw-away sshd for, one sorted line per fact,
      from RUNDIR/proxy.log (host and port given to the proxy command),
      RUNDIR/sshd.log (LogLevel DEBUG3), RUNDIR/dump.* (the ForceCommand
      record) and RUNDIR/client.err (ssh -v / plink -v): the same lines for
      both clients mean the same session.
  oracle_obs.py reg2sessions FILE.reg DIR
      The PuTTY sessions of a .reg export (REGEDIT4 or 5) as Unix session
      files in DIR, as plink reads them (DWORD as decimal, strings raw):
      the same settings.c reads both.
  oracle_obs.py losses REPORT.json
      "NAME TARGET_NAME FIELDS" for each session of a migrate --format json
      report (FIELDS: those not, or only approximately, carried; "-").
  oracle_obs.py explained DIFF FIELDS
      0 when every observation in DIFF (diff of two obs files) depends on
      one of FIELDS; prints the ones that do not.
  oracle_obs.py hostkeys PUTTYDIR HOSTKEY.pub
      sshhostkeys lines trusting HOSTKEY for every host and port the saved
      sessions of PUTTYDIR can connect to (their own and their proxies').
"""
import glob
import os
import re
import sys
import urllib.parse

# --- observations -------------------------------------------------------

# env is read from "Setting env"; PuTTY's simple@putty.projects.tartarus.org
# only says that no forwarding will follow (no setting of its own).
IGNORED_REQUESTS = ("env", "simple@putty.projects.tartarus.org")

SSHD_PATTERNS = [
    # who and with which key
    (re.compile(r"userauth-request for user (\S+) service"), lambda m: "user " + m.group(1)),
    (re.compile(r"pkblob \S+ (SHA256:\S+)"), lambda m: "key-offered " + m.group(1)),
    (re.compile(r"signature for \S+ (SHA256:\S+)"), lambda m: "key-offered " + m.group(1)),
    (re.compile(r"^Accepted publickey for (\S+) .* (SHA256:\S+)"),
     lambda m: "accepted %s %s" % (m.group(1), m.group(2))),
    (re.compile(r"kex: client->server cipher: .* compression: (\S+)"),
     lambda m: "compression " + ("no" if m.group(1) == "none" else "yes")),
    # what the connection then asked for
    (re.compile(r"tcpip-forward listen (\S*) port (\d+)"),
     lambda m: "remote-listen %s %s" % (m.group(1) or "-", m.group(2))),
    (re.compile(r"session_input_channel_req: session \d+ req (\S+)"),
     lambda m: None if m.group(1) in IGNORED_REQUESTS else "request " + m.group(1)),
    (re.compile(r"Setting env \d+: (.*)$"), lambda m: "env " + m.group(1)),
    (re.compile(r"server_request_direct_tcpip: originator .* target (\S+) port (\d+)"),
     lambda m: "jump-target %s %s" % (m.group(1), m.group(2))),
]


def norm_endpoint(s):
    """'[::1]:90', '::1:90', 'localhost:80' -> 'HOST:PORT' without brackets."""
    host, _, port = s.rpartition(":")
    host = host.strip("[]")
    if host in ("", "LOCALHOST"):
        host = "-"
    return "%s:%s" % (host, port)


def norm_listen(s):
    """A listening side: 'PORT' or 'ADDR:PORT' ('-' for the default)."""
    if ":" not in s:
        return "-:" + s
    return norm_endpoint(s)


CLIENT_PATTERNS = {
    "ssh": [
        (re.compile(r"Local connections to (\S+) forwarded to remote address socks:0"),
         lambda m: "forward D %s" % norm_listen(m.group(1))),
        (re.compile(r"Local connections to (\S+) forwarded to remote address (\S+)$"),
         lambda m: "forward L %s %s" % (norm_listen(m.group(1)), norm_endpoint(m.group(2)))),
        (re.compile(r"Remote connections from (\S+) forwarded to local address (\S+)$"),
         lambda m: "forward R %s %s" % (norm_listen(m.group(1)), norm_endpoint(m.group(2)))),
    ],
    "plink": [
        (re.compile(r"Local port (\S+) SOCKS dynamic forwarding"),
         lambda m: "forward D %s" % norm_listen(m.group(1))),
        (re.compile(r"Local port (\S+) forward(?:ing)? to (\S+?)(?: failed.*)?$"),
         lambda m: "forward L %s %s" % (norm_listen(m.group(1)), norm_endpoint(m.group(2)))),
        (re.compile(r"Requesting remote port (\S+) forward to (\S+)$"),
         lambda m: "forward R %s %s" % (norm_listen(m.group(1)), norm_endpoint(m.group(2)))),
    ],
}


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def observations(client, run):
    seen = []

    def add(line):
        if line is not None and line not in seen:
            seen.append(line)

    for line in read(os.path.join(run, "proxy.log")).splitlines():
        add("connect " + line)
    for line in read(os.path.join(run, "sshd.log")).splitlines():
        for rx, fmt in SSHD_PATTERNS:
            m = rx.search(line)
            if m:
                add(fmt(m))
    for line in read(os.path.join(run, "client.err")).splitlines():
        line = line.rstrip("\r")
        for rx, fmt in CLIENT_PATTERNS[client]:
            m = rx.search(line)
            if m:
                add(fmt(m))
                break
    dumps = sorted(glob.glob(os.path.join(run, "dump.*")))
    add("session %d" % len(dumps))
    for d in dumps:
        fields = dict(l.split("=", 1) for l in read(d).splitlines() if "=" in l)
        add("command " + fields.get("cmd", ""))
        add("tty " + fields.get("tty", ""))
        if fields.get("tty") == "yes":
            add("term " + fields.get("term", ""))
    # Offered keys keep their order; the rest is a set.
    keys = [l for l in seen if l.startswith("key-offered ")]
    rest = sorted(l for l in seen if not l.startswith("key-offered "))
    return rest + ["%s %d" % (k, i) for i, k in enumerate(keys)]


# --- PuTTY host key cache ------------------------------------------------

P25519 = 2**255 - 19
D25519 = (-121665 * pow(121666, P25519 - 2, P25519)) % P25519
SQRT_M1 = pow(2, (P25519 - 1) // 4, P25519)


def ed25519_xy(pub):
    """x and y of an Ed25519 public key (RFC 8032 5.1.3)."""
    y = int.from_bytes(pub, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    u = (y * y - 1) % P25519
    v = (D25519 * y * y + 1) % P25519
    x2 = u * pow(v, P25519 - 2, P25519) % P25519
    x = pow(x2, (P25519 + 3) // 8, P25519)
    if (x * x - x2) % P25519:
        x = x * SQRT_M1 % P25519
    if (x * x - x2) % P25519:
        raise ValueError("not a point")
    if x & 1 != sign:
        x = P25519 - x
    return x, y


def ed25519_cache_value(pubfile):
    import base64
    blob = base64.b64decode(read(pubfile).split()[1])
    n = int.from_bytes(blob[0:4], "big")
    assert blob[4:4 + n] == b"ssh-ed25519"
    off = 4 + n
    k = int.from_bytes(blob[off:off + 4], "big")
    x, y = ed25519_xy(blob[off + 4:off + 4 + k])
    return "0x%x,0x%x" % (x, y)


def session_settings(path):
    values = {}
    for line in read(path).splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            values[k] = v
    return values


def cache_hosts(puttydir):
    sessions = {}
    for path in glob.glob(os.path.join(puttydir, "sessions", "*")):
        sessions[urllib.parse.unquote(os.path.basename(path))] = session_settings(path)
    hosts = set()
    for s in sessions.values():
        host = s.get("HostName", "").rpartition("@")[2]
        port = s.get("PortNumber", "22")
        if host:
            hosts.add((host, port))
        loghost = s.get("LogHost", "")
        if loghost:
            h, _, p = loghost.partition(":")
            hosts.add((h, p or "22"))
        proxy = s.get("ProxyHost", "")
        if proxy and proxy not in sessions:
            hosts.add((proxy.rpartition("@")[2], s.get("ProxyPort", "80")))
    return sorted(hosts)


# --- .reg exports as session files --------------------------------------

SESSIONS_KEY = "\\software\\simontatham\\putty\\sessions\\"


def reg_text(path):
    data = open(path, "rb").read()
    if data.startswith(b"\xff\xfe"):
        return data[2:].decode("utf-16-le")
    return data.decode("cp1252")


def reg_string(s):
    """A .reg "string" from just after its opening quote: (value, the
    length it takes up to and with its closing quote)."""
    out, i = [], 0
    while i < len(s) and s[i] != '"':
        if s[i] == "\\" and i + 1 < len(s):
            i += 1
        out.append(s[i])
        i += 1
    return "".join(out), i + 1


def reg2sessions(regfile, folder):
    os.makedirs(folder, exist_ok=True)
    current = None
    lines = reg_text(regfile).replace("\r\n", "\n").split("\n")
    for line in lines:
        if line.startswith("["):
            key = line.strip().strip("[]")
            low = key.lower()
            i = low.find(SESSIONS_KEY)
            current = None
            if i >= 0 and not key.startswith("-"):
                name = key[i + len(SESSIONS_KEY):]
                if name and "\\" not in name:
                    # the registry key is escape_registry_key'd; Unix PuTTY's
                    # file names escape '/' too
                    current = os.path.join(folder, name.replace("/", "%2F"))
                    open(current, "w").close()
            continue
        if current is None or not line.startswith('"'):
            continue
        name, used = reg_string(line[1:])
        rest = line[1 + used:]
        if not rest.startswith("="):
            continue
        rest = rest[1:]
        if rest.startswith('"'):
            value = reg_string(rest[1:])[0]
        elif rest.lower().startswith("dword:"):
            value = str(int(rest[6:].strip(), 16))
        else:
            continue
        with open(current, "a") as f:
            f.write("%s=%s\n" % (name, value))


def losses(report):
    import json
    for s in json.load(open(report))["sessions"]:
        if s.get("skipped"):
            continue
        fields = sorted({l["field"] for l in s.get("losses") or []})
        print(s["name"], s.get("target_name") or s["name"], ",".join(fields) or "-")


# Which fields of the session model (session.h) an observation depends on:
# a difference there is explained by a loss reported on one of them.
EXPLAINS = {
    "user": {"user"},
    "key-offered": {"identity_file", "certificate", "agent", "IdentityFile"},
    "accepted": {"identity_file", "certificate", "agent", "user", "IdentityFile"},
    "compression": {"compression"},
    "forward": {"forwards"},
    "remote-listen": {"forwards"},
    "request": {"x11_forwarding", "agent_forwarding", "pty", "remote_command", "no_shell",
                "environment", "forwards"},
    "env": {"environment"},
    "command": {"remote_command", "no_shell"},
    "tty": {"pty"},
    "term": {"pty", "environment"},
    "connect": {"host", "port", "proxy_command", "jump"},
    "jump-target": {"host", "port", "jump"},
}


def explained(diff, fields):
    """0 when every observation that differs depends on a lost field."""
    lost = set(f for f in fields.split(",") if f != "-")
    ok = True
    for line in open(diff).read().splitlines():
        if not line[:2] in ("< ", "> "):
            continue
        what = line[2:].split(" ", 1)[0]
        if what == "session":
            # no session at all: whatever stopped it must be lost
            ok = ok and bool(lost & (EXPLAINS["connect"] | EXPLAINS["accepted"]))
        elif not lost & EXPLAINS.get(what, set()):
            print("not explained: " + line[2:])
            ok = False
    return 0 if ok else 1


def main(argv):
    if len(argv) == 4 and argv[1] == "obs":
        for line in observations(argv[2], argv[3]):
            print(line)
        return 0
    if len(argv) == 4 and argv[1] == "reg2sessions":
        reg2sessions(argv[2], argv[3])
        return 0
    if len(argv) == 3 and argv[1] == "losses":
        losses(argv[2])
        return 0
    if len(argv) == 4 and argv[1] == "explained":
        return explained(argv[2], argv[3])
    if len(argv) == 4 and argv[1] == "hostkeys":
        value = ed25519_cache_value(argv[3])
        for host, port in cache_hosts(argv[2]):
            print("ssh-ed25519@%s:%s %s" % (port, host, value))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
