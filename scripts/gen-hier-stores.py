#!/usr/bin/env python3
"""gen-hier-stores.py OUT N SEED: N edge-case PuTTY/KiTTY/WinSCP stores in OUT for
scripts/compare-builds: .reg files (v5 UTF-16, v5 ANSI, REGEDIT4; duplicate, re-created
and deleted keys, HKEY_USERS, strings, hex and deletions where DWORDs belong), WinSCP.ini
(duplicate sections and keys, every protocol, values ReadInteger refuses) and PuTTY and
KiTTY session folders (numbers atoi reads differently, KiTTY sub-folders)."""
import os, random, sys

out, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
R = random.Random(seed)
PUTTY = "Software\\SimonTatham\\PuTTY\\Sessions"
KITTY = "Software\\9bis.com\\KiTTY\\Sessions"
WINSCP = "Software\\Martin Prikryl\\WinSCP 2\\Sessions"
NAMES = ["web%201", "Default%20Settings", "Default%20settings", "db", "a.b", "%2Ehidden",
         "caf%C3%A9", "x%41y", "%EF%BB%BFutf", "ftp%20site", "dav", "s3", "DB", "gone"]
PKEYS = ["PingInterval", "PingIntervalSecs", "TCPKeepalives", "pinginterval", "HostName"]
WKEYS = ["PingType", "PingInterval", "PingIntervalSecs", "PingIntervalSec", "FtpPingType",
         "FtpPingInterval", "FSProtocol", "pingtype", "HostName"]

def regdata():
    c = R.random()
    if c < 0.55: return "dword:%08x" % R.choice([0, 1, 2, 5, 30, 59, 60, 0xffffffff, 3, 6, 7])
    if c < 0.7: return '"%s"' % R.choice(["1", "60", "fast", ""])
    if c < 0.8: return "hex:3c,00,00,00"
    if c < 0.9: return "-"
    return "dword:%x" % R.randint(0, 9)

def reg(path, root, keys):
    eol = R.choice(["\r\n", "\n"])
    lines = [R.choice(["Windows Registry Editor Version 5.00", "REGEDIT4"]), ""]
    hive = "HKEY_CURRENT_USER\\"
    for _ in range(R.randint(0, 7)):
        name = R.choice(NAMES)
        h = hive if R.random() < 0.9 else "HKEY_USERS\\S-1-5-21\\"
        r = root if R.random() < 0.9 else root.upper()
        if R.random() < 0.1:
            lines += ["[-%s%s\\%s]" % (h, r, name), ""]
            continue
        lines.append("[%s%s\\%s]" % (h, r, name))
        for _ in range(R.randint(0, 5)):
            if R.random() < 0.1: lines.append("; comment")
            lines.append('"%s"=%s' % (R.choice(keys), regdata()))
        if R.random() < 0.1: lines.append("[%s%s\\%s\\Sub]" % (h, r, name)); lines.append('"PingInterval"=dword:00000009')
        lines.append("")
    if R.random() < 0.2: lines.append("[HKEY_CURRENT_USER\\Software\\Other]"); lines.append('"PingInterval"=dword:00000001')
    text = eol.join(lines)
    if R.random() < 0.3: text = text.rstrip("\r\n")
    elif R.random() < 0.5: text += eol
    if lines[0].startswith("Windows") and R.random() < 0.6:
        data = b"\xff\xfe" + text.encode("utf-16-le")
    else:
        data = text.encode("cp1252", "replace")
    open(path, "wb").write(data)

def ini(path):
    eol = R.choice(["\r\n", "\n"])
    lines = ["[Configuration\\Interface]", "Foo=1", ""]
    for _ in range(R.randint(0, 7)):
        lines.append("[Sessions\\%s]" % R.choice(NAMES))
        for _ in range(R.randint(0, 6)):
            k = R.choice(WKEYS)
            v = R.choice(["0", "1", "2", "3", "4", "5", "6", "7", "30", "0x10", "$1F", "", "fast", " 2 ", "-1"])
            lines.append("%s=%s" % (k, v))
        if R.random() < 0.5: lines.append("")
    text = eol.join(lines)
    if R.random() < 0.3: text = text.rstrip("\r\n")
    else: text += eol
    open(path, "wb").write(text.encode("latin-1"))

def folder(path, kitty):
    os.makedirs(path)
    for name in R.sample(["Default%20Settings", "web%201", "db", "a.b", "x"], R.randint(0, 4)):
        sub = path
        if kitty and R.random() < 0.2:
            sub = os.path.join(path, "folder"); os.makedirs(sub, exist_ok=True)
        lines = []
        for _ in range(R.randint(0, 5)):
            k = R.choice(PKEYS[:3] + ["HostName"])
            v = R.choice(["0", "1", "60", " 5", "+3", "07", "-1", "abc", "", "99999999999"])
            lines.append("%s\\%s\\" % (k, v) if kitty else "%s=%s" % (k, v))
        text = "\n".join(lines)
        if R.random() < 0.7: text += "\n"
        open(os.path.join(sub, name), "wb").write(text.encode())

os.makedirs(out, exist_ok=True)
for i in range(n):
    c = i % 5
    if c == 0: reg(os.path.join(out, "p%03d.reg" % i), PUTTY, PKEYS)
    elif c == 1: reg(os.path.join(out, "k%03d.reg" % i), KITTY, PKEYS)
    elif c == 2: reg(os.path.join(out, "w%03d.reg" % i), WINSCP, WKEYS)
    elif c == 3: ini(os.path.join(out, "w%03d.ini" % i))
    else: folder(os.path.join(out, "%s%03d" % (R.choice(["putty", "kitty"]), i)), R.random() < 0.5)
