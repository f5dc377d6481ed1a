#!/usr/bin/env python3
"""sshsync.exe against PuTTY's own reading of the registry (an oracle).

    putty_oracle.py ORACLE EXE WORK [--sessions N] [--seed S] [--rounds R]

ORACLE is putty-settings-oracle.exe (tests/windows/putty-settings-oracle.c
linked with PuTTY 0.78's settings and utils libraries by
scripts/build-putty-oracle): for every session PuTTY lists under
HKCU\\Software\\SimonTatham\\PuTTY\\Sessions, and Default Settings, it
prints what load_settings() gives for CONF_ping_interval and
CONF_tcp_keepalives.

Each round generates N sessions (and Default Settings or not) with
PingInterval, PingIntervalSecs and TCPKeepalives drawn from: missing,
DWORDs small, negative, huge (minutes*60 overflows an int), strings,
binary, DWORDs of the wrong length, big-endian DWORDs, QWORDs, expandable
strings; names escaped as PuTTY writes them, escaped otherwise (lowercase
hex, a cut-off escape, UTF-8 and cp1252 bytes), and raw (spaces, a leading
dot, non-ASCII) which PuTTY lists but reads from another key. It writes
them as a .reg file (UTF-16LE with a BOM), `reg import`s it, and compares
per session the oracle with
`sshsync.exe audit --format json reg:HKCU\\...\\Sessions`: interval (a
negative conf value is off: 0), tcp_keepalive, count_max null, the names,
and n/a exactly for a listed key whose session PuTTY cannot load. Then
the same sessions under KiTTY's key
(HKCU\\Software\\9bis.com\\KiTTY\\Sessions) against the same oracle
output: KiTTY 0.76.1.13 reads its registry with PuTTY's code and only
PUTTY_REG_POS changed (windows/platform.h, windows/storage.c,
settings.c). Prints the agreement rate; below 100% exits 1.

WINEPREFIX must be a ready prefix whose wineserver runs. The sessions keys
of both are deleted before and after.
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys

PUTTY = "HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions"
KITTY = "HKEY_CURRENT_USER\\Software\\9bis.com\\KiTTY\\Sessions"

# Values as .reg data, each with a label for the report.
SMALL = [0, 1, 2, 5, 30, 59, 60, 61, 3600]
HUGE = [35791394, 35791395, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFC4,
        0x10000000, 0x02000000]


def dword_bytes(v, n):
    return ",".join("%02x" % ((v >> (8 * i)) & 0xFF) for i in range(n))


def value(r, name):
    """One value line for `name`, or None (missing)."""
    k = r.random()
    if k < 0.15:
        return None
    if k < 0.45:
        return '"%s"=dword:%08x' % (name, r.choice(SMALL))
    if k < 0.65:
        return '"%s"=dword:%08x' % (name, r.choice(HUGE) if r.random() < 0.7
                                    else r.randint(0, 0xFFFFFFFF))
    shapes = [
        lambda: '"%s"="%s"' % (name, r.choice(["5", "60", "-1", "abc", "", " 7", "0x10"])),
        lambda: '"%s"=hex:%s' % (name, dword_bytes(r.choice(SMALL[1:]), 4)),
        lambda: '"%s"=hex(4):%s' % (name, dword_bytes(r.choice(SMALL[1:]), r.choice([1, 2, 3, 8]))),
        lambda: '"%s"=hex(5):%s' % (name, ",".join(reversed(dword_bytes(5, 4).split(",")))),
        lambda: '"%s"=hex(b):%s' % (name, dword_bytes(r.choice(SMALL[1:]), 8)),
        lambda: '"%s"=hex(2):%s' % (name, ",".join("%02x" % b for b in "5\0".encode("utf-16-le"))),
        lambda: '"%s"=hex(7):%s' % (name, ",".join("%02x" % b for b in "5\0\0".encode("utf-16-le"))),
    ]
    return r.choice(shapes)()


def names(r, n):
    """n distinct key names (case-insensitively: the registry's rule)."""
    fixed = ["web", "My%20Server", "My Server", ".hidden", "%2Ehidden", "caf%C3%A9", "caf%E9",
             "café", "a%2Ab", "a*b", "q?", "back%5Cslash", "pct%25", "x%4", "x%", "lower%2e",
             "lower%c3%a9", "%41BC", "tab%09", "日本", "Ω", "über", "dot.", "a.b"]
    out, seen = [], set()
    for k in fixed + ["s%d-%d" % (i, r.randint(0, 999)) for i in range(n)]:
        if len(out) >= n:
            break
        if k.lower() not in seen:
            seen.add(k.lower())
            out.append(k)
    r.shuffle(out)
    return out


def reg_file(r, n, root):
    lines = ["Windows Registry Editor Version 5.00", ""]
    keys = names(r, n)
    if r.random() < 0.6:
        keys.append("Default%20Settings")
    for key in keys:
        lines.append("[%s\\%s]" % (root, key))
        lines.append('"HostName"="%s.example.org"' % "h")
        for v in ("PingInterval", "PingIntervalSecs", "TCPKeepalives"):
            line = value(r, v)
            if line:
                lines.append(line)
        lines.append("")
    return lines


def run(cmd, env, check=True):
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, env=env)
    if check and p.returncode != 0:
        raise SystemExit("%s: exit %d\n%s%s" % (" ".join(cmd), p.returncode,
                                                 p.stdout.decode("utf-8", "replace"),
                                                 p.stderr.decode("utf-8", "replace")))
    return p


def reg_import(wine, path, env, attempts=3):
    """`reg import` PATH. Wine's reg.exe has once exited 1 in CI with
    nothing printed on a file it imports everywhere else (the same
    seeded file, thousands of times here): an error of Wine's, not of
    the file. It is tried again, with Wine's error and registry
    channels on so that the log says why; the keys are deleted first
    each time, so a retry imports the same thing."""
    for attempt in range(1, attempts + 1):
        p = run([wine, "reg", "import", path], env, check=False)
        if p.returncode == 0:
            return
        print("putty oracle: wine reg import %s: exit %d (attempt %d of %d)\n%s%s" % (
            path, p.returncode, attempt, attempts, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace")), flush=True)
        env = dict(env, WINEDEBUG="err+all,warn+reg")
        for root in (PUTTY, KITTY):
            run([wine, "reg", "delete", root, "/f"], env, check=False)
    raise SystemExit("wine reg import %s: failed %d times" % (path, attempts))


def oracle_read(wine, oracle, env):
    """[(name bytes, exists, interval, tcp)] in the oracle's order."""
    out = []
    p = run([wine, oracle], env)
    for line in p.stdout.decode("ascii").splitlines():
        h, exists, ping, tcp = line.rstrip("\r").split("\t")
        out.append((b"" if h == "-" else bytes.fromhex(h), int(exists), int(ping), int(tcp)))
    return out


def audit(wine, exe, env, key):
    target = "reg:" + key.replace("HKEY_CURRENT_USER", "HKCU")
    p = run([wine, exe, "audit", "--format", "json", target], env, check=False)
    if p.returncode not in (0, 1):
        raise SystemExit("sshsync.exe audit %s: exit %d\n%s" % (
            target, p.returncode, p.stderr.decode("utf-8", "replace")))
    try:
        return json.loads(p.stdout.decode("utf-8"))["scopes"]
    except ValueError:
        raise SystemExit("sshsync.exe audit %s: exit %d, no JSON:\n%s%s" % (
            target, p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace")))


def same_name(putty, ours):
    """The oracle's name (bytes PuTTY has) is the one sshsync prints; a
    key whose raw name is not ASCII is listed by PuTTY in the ANSI code
    page (best fit: Omega is "O"), by sshsync as Windows holds it: only
    the values are compared then."""
    text = putty.decode("utf-8", "backslashreplace")
    text = re.sub(r"\\x([0-9a-f]{2})", lambda m: "\\x" + m.group(1).upper(), text)
    return text == ours or any(ord(c) > 127 for c in ours)


def compare(kind, oracle, scopes, report):
    """Per session, in the order both list them (RegEnumKey's, the same
    key read by both): the oracle's reading against sshsync's scope.
    sshsync lists a Default Settings the store lacks first, the oracle
    last. Returns (agreeing, cases)."""
    oracle = list(oracle)
    scopes = list(scopes)
    if oracle and not oracle[-1][1] and scopes and scopes[0]["scope"] == "Default Settings":
        scopes.append(scopes.pop(0))
    agree = cases = 0
    for i in range(max(len(oracle), len(scopes))):
        cases += 1
        o = oracle[i] if i < len(oracle) else None
        s = scopes[i] if i < len(scopes) else None
        want = None if o is None else (max(o[2], 0), bool(o[3]), None)
        got = None if s is None else (s["interval"], s["tcp_keepalive"], s["count_max"])
        # A listed key PuTTY cannot load is n/a (never judged or written);
        # the Default Settings both make up when it is missing is not.
        unread = o is not None and not o[1] and o[0] != b"Default Settings"
        if (o is not None and s is not None and want == got and same_name(o[0], s["scope"])
                and (s["status"] == "n/a") == unread):
            agree += 1
            continue
        report.append("%s #%d: PuTTY %s; sshsync %s" % (
            kind, i,
            "none" if o is None else "%r interval %d tcp %s (conf %d%s)" % (
                o[0], want[0], want[1], o[2], "" if o[1] else ", no such key: defaults"),
            "none" if s is None else "%r interval %s tcp %s count_max %s status %s" % (
                s["scope"], got[0], got[1], got[2], s["status"])))
    return agree, cases


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("oracle")
    ap.add_argument("exe")
    ap.add_argument("work")
    ap.add_argument("--sessions", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=12)
    a = ap.parse_args()
    env = dict(os.environ, WINEDEBUG="-all")
    if "WINEPREFIX" not in env:
        raise SystemExit("WINEPREFIX must be a ready Wine prefix")
    wine = shutil.which("wine") or "/usr/lib/wine/wine64"
    os.makedirs(a.work, exist_ok=True)
    agree = cases = 0
    report = []
    kinds = {"on": 0, "negative": 0, "no key": 0}
    for rnd in range(a.rounds):
        r = random.Random(a.seed * 1000 + rnd)
        lines = reg_file(r, a.sessions, PUTTY)
        for root in (PUTTY, KITTY):
            run([wine, "reg", "delete", root, "/f"], env, check=False)
        path = os.path.join(a.work, "round%d.reg" % rnd)
        body = "\r\n".join(lines) + "\r\n"
        kitty = body.replace(PUTTY, KITTY)
        with open(path, "wb") as f:
            f.write(b"\xff\xfe" + (body + "\r\n" + kitty[kitty.index("\r\n\r\n") + 4:])
                    .encode("utf-16-le"))
        reg_import(wine, path, env)
        seen = oracle_read(wine, a.oracle, env)
        kinds["no key"] += sum(1 for o in seen if not o[1])
        kinds["negative"] += sum(1 for o in seen if o[2] < 0)
        kinds["on"] += sum(1 for o in seen if o[2] > 0)
        for kind, root in (("putty", PUTTY), ("kitty", KITTY)):
            g, c = compare(kind, seen, audit(wine, a.exe, env, root), report)
            agree += g
            cases += c
    for root in (PUTTY, KITTY):
        run([wine, "reg", "delete", root, "/f"], env, check=False)
    for line in report[:40]:
        print("DIFF " + line)
    rate = 100.0 * agree / cases if cases else 0.0
    print("putty oracle: %d of %d sessions agree (%.1f%%; %d rounds of %d, seed %d)" % (
        agree, cases, rate, a.rounds, a.sessions, a.seed))
    print("putty oracle: PuTTY read %d sessions: %d with keepalives, %d negative (off), "
          "%d listed from a key it does not load" % (cases // 2, kinds["on"], kinds["negative"],
                                                     kinds["no key"]))
    return 0 if cases and agree == cases else 1


if __name__ == "__main__":
    sys.exit(main())
