#!/usr/bin/env python3
"""sshsync.exe under Wine against the native sshsync: the same files must
give the same audit and the same bytes after apply.

    differential.py NATIVE EXE WORK [--trees N] [--putty N] [CORPUS...]

Cases, each run by both programs on its own copy of the files:
  - N ssh_config trees from tests/integration/ssh_gen.py (Host, Match,
    Include absolute, relative to ~/.ssh and with ~, CRLF, invalid ones):
    HOME is the tree for the native program; for sshsync.exe the Wine
    prefix's %USERPROFILE%\\.ssh is a link to the tree's .ssh;
  - N PuTTY .reg exports with random PingInterval/PingIntervalSecs, huge
    and negative ones too (minutes*60 needs 64 bits: long has 32 on
    Windows);
  - every file of the corpus folders given (ssh/, putty/, winscp/).
For each: audit --format json (exit status, and every scope's values,
status and reasons with the paths made alike), then apply --interval 25
(exit status, and every byte of every file afterwards, backups included).
sshsync.exe gets Windows paths (Z:\\...). Prints the agreement rate. A
case that disagrees runs again from scratch, with what each program printed
shown; it fails (exit 1) when it disagrees again, and so do two cases that
agree only when run again. WINEPREFIX must be a ready prefix whose
wineserver runs (the caller keeps one for the whole run).
"""
import json
import os
import random
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "integration", "ssh_gen.py")


def run(cmd, env, cwd=None):
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, env=env, cwd=cwd)


def winpath(p):
    """Z: is Wine's drive for /; "\\" separates."""
    return "Z:" + os.path.abspath(p).replace("/", "\\")


class Sides:
    def __init__(self, native, exe, work):
        self.native, self.exe, self.work = native, exe, work
        # The native build may be make check's (ASan): no leak scan at each exit.
        base = dict(os.environ, LC_ALL="C.UTF-8", NO_COLOR="1", COLUMNS="200",
                    ASAN_OPTIONS="detect_leaks=0")
        base.pop("SSHSYNC_SYSCONFDIR", None)
        self.base = base
        self.wine = shutil.which("wine") or "/usr/lib/wine/wine64"
        p = run([self.wine, "cmd", "/c", "echo %USERPROFILE%"], dict(base, WINEDEBUG="-all"))
        profile = p.stdout.decode("utf-8", "replace").strip()
        q = run(["winepath", "-u", profile], dict(base, WINEDEBUG="-all"))
        self.profile_win = profile
        self.profile = q.stdout.decode().strip().rstrip("/")
        if not self.profile or not os.path.isdir(self.profile):
            raise SystemExit("cannot find the Wine prefix's user profile (%r)" % profile)
        self.agree = 0
        self.cases = 0
        self.failures = []
        self.transient = []

    def native_run(self, args, home):
        env = dict(self.base, HOME=home, XDG_STATE_HOME=os.path.join(home, ".state"))
        return run([self.native] + args, env)

    def exe_run(self, args, home):
        # %USERPROFILE%\.ssh is the tree's .ssh; the journal goes to the tree.
        dot = os.path.join(self.profile, ".ssh")
        if os.path.islink(dot):
            os.unlink(dot)
        elif os.path.isdir(dot):
            shutil.rmtree(dot)
        os.makedirs(os.path.join(home, ".ssh"), exist_ok=True)
        os.symlink(os.path.join(home, ".ssh"), dot)
        env = dict(self.base, WINEDEBUG="-all",
                   XDG_STATE_HOME=winpath(os.path.join(home, ".state")))
        return run([self.wine, self.exe] + args, env)

    def normal(self, v, roots):
        """Every string with the roots replaced and "\\" read as "/"."""
        if isinstance(v, str):
            v = v.replace("\\", "/")
            for a, b in roots:
                v = v.replace(a.replace("\\", "/"), b)
            return v
        if isinstance(v, list):
            return [self.normal(x, roots) for x in v]
        if isinstance(v, dict):
            return {k: self.normal(x, roots) for k, x in v.items()}
        return v

    def doc(self, p, roots):
        """(exit status, scopes) with paths made alike."""
        out = p.stdout.decode("utf-8", "replace")
        try:
            d = json.loads(out)
        except ValueError:
            return (p.returncode, None)
        flat = []
        for s in d.get("scopes", []):
            flat.append(self.normal(s, roots))
        return (p.returncode, flat)

    def files(self, top):
        got = {}
        for dirpath, dirs, names in os.walk(top):
            dirs[:] = [x for x in dirs if x != ".state"]
            for n in names:
                full = os.path.join(dirpath, n)
                if os.path.islink(full):
                    continue
                with open(full, "rb") as f:
                    got[os.path.relpath(full, top)] = f.read()
        return got

    def case(self, label, make, targets):
        """make(dir) writes the files; targets(dir, windows) the TARGETs.

        A case that disagrees runs once more from scratch, its details
        printed: when the second run agrees the first was transient (a
        Wine run that went wrong, say), which the summary counts apart;
        when it disagrees again the case fails."""
        self.cases += 1
        first = self.attempt(label, make, targets, "")
        if first is None:
            self.agree += 1
            return
        again = self.attempt(label, make, targets, "-again")
        if again is None:
            self.agree += 1
            self.transient.append("%s: %s" % (label, first))
        else:
            self.failures.append("%s: %s" % (label, first))

    def attempt(self, label, make, targets, suffix):
        """None when both programs agree, else what differs (and the runs)."""
        a = os.path.join(self.work, "a", str(self.cases) + suffix)
        b = os.path.join(self.work, "b", str(self.cases) + suffix)
        for d in (a, b):
            os.makedirs(d)
            make(d)
        roots_a = [(a, "@")]
        # The Windows spellings of b, and the profile (its .ssh is b's).
        roots_b = [(winpath(b), "@"), (b, "@"), (self.profile_win, "@"),
                   (winpath(self.profile), "@")]
        for args in (["audit", "--format", "json"],
                     ["apply", "--interval", "25", "--format", "json"],
                     ["audit", "--format", "json"]):
            pa = self.native_run(args + targets(a, False), a)
            pb = self.exe_run(args + targets(b, True), b)
            da, db = self.doc(pa, roots_a), self.doc(pb, roots_b)
            if da != db:
                said = "%s: %s\n%s\n%s" % (args[0], first_difference(da, db),
                                             shown("native", pa), shown("sshsync.exe", pb))
                if args[0] == "audit":
                    # The same audit again on the same files: does it repeat?
                    pc = self.exe_run(args + targets(b, True), b)
                    said += "\n" + shown("sshsync.exe again", pc)
                return said
        fa, fb = self.files(a), self.files(b)
        if fa.keys() != fb.keys():
            return "files: native %s, sshsync.exe %s" % (sorted(fa), sorted(fb))
        # Absolute Include lines name the tree they are in.
        for k in sorted(fa):
            if fa[k] != fb[k].replace(b.encode(), a.encode()):
                return "%s differs after apply" % k
        return None


def shown(who, p):
    """A run's exit status and the start of what it printed."""
    return "  %s: exit %s, stdout %r, stderr %r" % (who, p.returncode, p.stdout[:600],
                                                    p.stderr[:300])


def first_difference(a, b):
    """Where two (exit status, scopes) first differ, said briefly."""
    if a[0] != b[0]:
        return "exit status %s, sshsync.exe %s" % (a[0], b[0])
    if a[1] is None or b[1] is None:
        return "no JSON from %s" % ("the native sshsync" if a[1] is None else "sshsync.exe")
    if len(a[1]) != len(b[1]):
        return "%d scopes, sshsync.exe %d: %s / %s" % (
            len(a[1]), len(b[1]), [x.get("scope") for x in a[1]], [x.get("scope") for x in b[1]])
    for x, y in zip(a[1], b[1]):
        for k in sorted(set(x) | set(y)):
            if x.get(k) != y.get(k):
                return "scope %r: %s is %r, sshsync.exe %r" % (x.get("scope"), k, x.get(k),
                                                                y.get(k))
    return "?"


def ssh_tree(seed):
    def make(d):
        subprocess.run([sys.executable, GEN, str(seed), d], check=True,
                       stdout=subprocess.DEVNULL)

    def targets(d, windows):
        return ["ssh:" + (winpath(d) + "\\config" if windows else os.path.join(d, "config"))]
    return make, targets


def putty_reg(seed):
    r = random.Random(seed)
    picks = [0, 1, 2, 4, 5, 30, 59, 60, 3600, 35791394, 35791395, 2147483647, 0x80000000,
             0xFFFFFFFF, 0xFFFFFFFE]
    lines = ["Windows Registry Editor Version 5.00", ""]
    for i in range(r.randint(1, 6)):
        name = r.choice(["web", "db%d" % i, "caf%C3%A9", "Default%20Settings", "s%d" % i])
        lines.append("[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\%s]" % name)
        lines.append('"HostName"="h%d.example.org"' % i)
        for key in ("PingInterval", "PingIntervalSecs"):
            if r.random() < 0.8:
                lines.append('"%s"=dword:%08x' % (key, r.choice(picks) if r.random() < 0.6
                                                 else r.randint(0, 0xFFFFFFFF)))
        if r.random() < 0.5:
            lines.append('"TCPKeepalives"=dword:%08x' % r.randint(0, 1))
        lines.append("")
    data = "\r\n".join(lines).encode("utf-16-le")
    if r.random() < 0.3:
        data = "\r\n".join(["REGEDIT4", ""] + lines[2:]).encode("latin-1")
    else:
        data = b"\xff\xfe" + data

    def make(d):
        with open(os.path.join(d, "sessions.reg"), "wb") as f:
            f.write(data)

    def targets(d, windows):
        return ["putty:" + (winpath(d) + "\\sessions.reg" if windows
                            else os.path.join(d, "sessions.reg"))]
    return make, targets


# One case in a run may disagree once and agree when run again from scratch
# (a Wine run that went wrong: CI saw sshsync.exe exit 1 with nothing on
# stderr once in many runs, which never came back in 660 reruns here, under
# load and beside the integration tests); more is a defect.
MAX_TRANSIENT = 1

KINDS = {"ssh": "ssh", "putty": "putty", "winscp": "winscp"}


def corpus_file(path, kind):
    name = os.path.basename(path)

    def make(d):
        shutil.copyfile(path, os.path.join(d, name))

    def targets(d, windows):
        return ["%s:%s" % (kind, winpath(d) + "\\" + name if windows else os.path.join(d, name))]
    return make, targets


def main():
    args = sys.argv[1:]
    native, exe, work = args[:3]
    trees, puttys, corpora = 20, 16, []
    rest = args[3:]
    while rest:
        if rest[0] == "--trees":
            trees, rest = int(rest[1]), rest[2:]
        elif rest[0] == "--putty":
            puttys, rest = int(rest[1]), rest[2:]
        else:
            corpora.append(rest[0])
            rest = rest[1:]
    s = Sides(native, exe, work)
    for seed in range(1, trees + 1):
        s.case("ssh tree %d" % seed, *ssh_tree(seed))
    for seed in range(1, puttys + 1):
        s.case("putty .reg %d" % seed, *putty_reg(seed))
    nfiles = 0
    for corpus in corpora:
        for kind in KINDS:
            folder = os.path.join(corpus, kind)
            if not os.path.isdir(folder):
                continue
            for name in sorted(os.listdir(folder)):
                full = os.path.join(folder, name)
                if name.endswith((".md", ".tsv")) or not os.path.isfile(full):
                    continue
                nfiles += 1
                s.case("%s/%s" % (kind, name), *corpus_file(full, KINDS[kind]))
    for f in s.transient:
        print("TRANSIENT (agreed when run again):", f)
    for f in s.failures:
        print("FAIL:", f)
    print("sshsync.exe (Wine) agrees with the native sshsync on %d of %d cases "
          "(%d ssh trees, %d PuTTY exports, %d corpus files): %.1f%%; %d of them agreed "
          "only when run again" % (
              s.agree, s.cases, trees, puttys, nfiles, 100.0 * s.agree / max(s.cases, 1),
              len(s.transient)))
    if len(s.transient) > MAX_TRANSIENT:
        print("FAIL: more than %d case(s) agreed only when run again" % MAX_TRANSIENT)
        return 1
    return 0 if s.agree == s.cases else 1


if __name__ == "__main__":
    sys.exit(main())
