#!/usr/bin/env python3
"""sshsync against Unix PuTTY's own reading of its session files.

    putty_oracle_unix.py ORACLE SSHSYNC WORK [--rounds R] [--sessions N] [--seed S]

ORACLE is the native putty-settings-oracle (scripts/build-putty-oracle
--native: tests/windows/putty-settings-oracle.c linked with PuTTY 0.78's
settings.c and unix/storage.c). Each round writes a session folder
WORK/rN/sessions with N files: names as Unix PuTTY writes them
(make_session_filename: only letters, digits and + - . @ _ are kept) and
otherwise (a raw space, lowercase or cut-off escapes, raw UTF-8, escapes
of bytes PuTTY keeps), Default Settings or not, a folder that is no
session; values PingInterval, PingIntervalSecs and TCPKeepalives drawn
from what atoi takes and what it does not ("5", "-1", " 7", "0x10", "5abc",
"abc", "", "99999999999", 35791395 minutes), missing, written twice, in
another case, with CRLF. (A line without "=", which PuTTY skips, sshsync
refuses as no PuTTY session file: not generated.) PUTTYDIR=WORK/rN makes PuTTY read that folder.
Per session name (the folder's order is readdir's: names are matched, as
many times as they occur) PuTTY's ping interval (negative: off, 0) and
TCP keepalive against `sshsync audit --format json putty:WORK/rN/sessions`,
and n/a exactly where PuTTY lists a file it cannot load. Prints the
agreement rate; below 100% exits 1.
"""
import argparse
import collections
import json
import os
import random
import re
import subprocess
import sys

KEEP = set(b"+-.@_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def munge(name):
    """unix/storage.c make_session_filename."""
    return "".join(chr(c) if c in KEEP else "%%%02X" % c for c in name)


def text_value(r):
    return r.choice(["5", "0", "1", "2", "59", "60", "61", "-1", "-60", " 7", "0x10", "5abc",
                     "abc", "", "99999999999", "35791395", "2147483647", "+5", "007",
                     "4294967296", "-2147483648"])


def files(r, n):
    fixed = [munge(b"web 1"), "a b", "x%2a", "x%2A", "x%4", "x%", "%41BC", "caf\u00e9",
             munge("caf\u00e9".encode()), "caf%e9", "dot.", ".hidden", "a%2Eb", "tab%09",
             "q%3F", "q?"]
    out = []
    for k in fixed + ["s%d-%d" % (i, r.randint(0, 999)) for i in range(n)]:
        if len(out) >= n:
            break
        if k not in out:
            out.append(k)
    if r.random() < 0.6:
        out.append("Default%20Settings")
    return out


def session_text(r):
    lines = ["HostName=h.example.org"]
    for key in ("PingInterval", "PingIntervalSecs", "TCPKeepalives"):
        k = r.random()
        if k < 0.15:
            continue
        name = key if r.random() > 0.05 else key.lower()
        lines.append("%s=%s" % (name, text_value(r)))
        if r.random() < 0.1:
            lines.append("%s=%s" % (key, text_value(r)))
    eol = "\r\n" if r.random() < 0.15 else "\n"
    return eol.join(lines) + eol


def shown(name):
    """Name bytes as sshsync prints them: UTF-8, other bytes as \\xHH."""
    text = name.decode("utf-8", "backslashreplace")
    return re.sub(r"\\x([0-9a-f]{2})", lambda m: "\\x" + m.group(1).upper(), text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("oracle")
    ap.add_argument("sshsync")
    ap.add_argument("work")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--sessions", type=int, default=40)
    ap.add_argument("--seed", type=int, default=12)
    a = ap.parse_args()
    agree = cases = 0
    report = []
    for rnd in range(a.rounds):
        r = random.Random(a.seed * 1000 + rnd)
        top = os.path.join(a.work, "r%d" % rnd)
        sess = os.path.join(top, "sessions")
        os.makedirs(os.path.join(sess, "not-a-session"))
        for f in files(r, a.sessions):
            with open(os.path.join(sess.encode(), f.encode()), "w", newline="") as out:
                out.write(session_text(r))
        env = dict(os.environ, PUTTYDIR=top, LC_ALL="C.UTF-8", NO_COLOR="1",
                   ASAN_OPTIONS="detect_leaks=0")
        p = subprocess.run([a.oracle], capture_output=True, env=env, check=True)
        want = collections.defaultdict(list)
        for line in p.stdout.decode("ascii").splitlines():
            h, exists, ping, tcp = line.split("\t")
            name = b"" if h == "-" else bytes.fromhex(h)
            unread = exists == "0" and name != b"Default Settings"
            want[shown(name)].append((max(int(ping), 0), tcp == "1", unread))
        q = subprocess.run([a.sshsync, "audit", "--format", "json", "putty:" + sess],
                           capture_output=True, env=env)
        if q.returncode not in (0, 1):
            raise SystemExit("sshsync audit: exit %d\n%s" % (q.returncode, q.stderr.decode()))
        got = collections.defaultdict(list)
        for s in json.loads(q.stdout)["scopes"]:
            got[s["scope"]].append((s["interval"], s["tcp_keepalive"], s["status"] == "n/a"))
        for name in sorted(set(want) | set(got)):
            w, g = sorted(want[name]), sorted(got[name], key=repr)
            g = sorted(g, key=lambda x: (x[0] is None, x[0] or 0, bool(x[1]), x[2]))
            for i in range(max(len(w), len(g))):
                cases += 1
                if i < len(w) and i < len(g) and w[i] == g[i]:
                    agree += 1
                else:
                    report.append("round %d %r: PuTTY %s; sshsync %s" % (
                        rnd, name, w[i] if i < len(w) else None, g[i] if i < len(g) else None))
    for line in report[:40]:
        print("DIFF " + line)
    rate = 100.0 * agree / cases if cases else 0.0
    print("putty oracle (Unix session files): %d of %d sessions agree (%.1f%%; %d rounds of %d, "
          "seed %d)" % (agree, cases, rate, a.rounds, a.sessions, a.seed))
    return 0 if cases and agree == cases else 1


if __name__ == "__main__":
    sys.exit(main())
