#!/usr/bin/env python3
"""Differential test: sshsync against the real `ssh -G -F CONFIG HOST`.

    ssh_diff.py SSHSYNC WORKDIR CONFIG_DIR... -- HOST...
    ssh_diff.py SSHSYNC WORKDIR --generate FIRST_SEED COUNT
    ssh_diff.py SSHSYNC WORKDIR --corpus DIR   every file, as found and with CRLF

For each configuration tree: sshsync's audit (interval, count max, TCP
keepalive) must equal what ssh -G prints for every host; when ssh refuses
the file, sshsync must refuse it too (exit 2). Then apply --interval 60:
ssh -G must show 60 for every host, sshsync's audit must still agree, and a
second apply must change no byte. When ssh refuses the file, apply must
fail and leave every byte as it was. HOME is the tree's directory, so
relative Includes resolve in it (ssh's glob expands ~ from $HOME).

A tree with `Match exec "sshsync-cond-N"` placeholders is given to ssh once
per combination of `true`/`false` in their place: the set of values ssh
gives is what sshsync must report, a known value when the set has one
member, else null with the values listed in the reason. Agreement is
counted per host and value; the rate is printed at the end."""
import itertools
import pwd
import re
import concurrent.futures
import hashlib
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
failures = []
passed = 0


def check(cond, what):
    global passed
    if cond:
        passed += 1
    else:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)


# ssh -G expands ${XDG_RUNTIME_DIR} in ControlPath and fails when it is
# unset: that is the environment, not the file.
BASE_ENV = dict(os.environ)
BASE_ENV.setdefault("XDG_RUNTIME_DIR", "/tmp")
# Hundreds of sshsync runs: LeakSanitizer's exit scan costs ~0.3 s each.
# Leaks are checked by the unit tests, which drive the same code directly.
SSHSYNC_ENV = dict(BASE_ENV)
SSHSYNC_ENV["ASAN_OPTIONS"] = (BASE_ENV.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")


def ssh_g(config, host, home):
    env = dict(BASE_ENV, HOME=home)
    p = subprocess.run(["ssh", "-G", "-F", config, host], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, env=env)
    if p.returncode != 0:
        err = [l for l in p.stderr.splitlines() if "Pseudo-terminal" not in l]
        return None, " ".join(err)[:200]
    vals = {}
    for line in p.stdout.splitlines():
        k, _, v = line.partition(" ")
        if k in ("serveraliveinterval", "serveralivecountmax", "tcpkeepalive"):
            vals[k] = v
    return (int(vals["serveraliveinterval"]), int(vals["serveralivecountmax"]),
            vals["tcpkeepalive"] == "yes"), None


class Single:
    """One file, as `ssh -G -F CONFIG` reads it (HOME is the tree)."""

    def __init__(self, config, home):
        self.config, self.home, self.roots = config, home, [home]

    def ssh_many(self, hosts, pool):
        return list(pool.map(lambda h: ssh_g(self.config, h, self.home), hosts))

    def targets(self):
        return ["ssh:" + self.config]

    def env(self):
        return {"HOME": self.home}


def parse_g(out, rc):
    vals = {}
    for line in out.splitlines():
        k, _, v = line.partition(" ")
        if k in ("serveraliveinterval", "serveralivecountmax", "tcpkeepalive"):
            vals[k] = v
    if rc != 0 or len(vals) != 3:
        err = [l for l in out.splitlines() if "Pseudo-terminal" not in l]
        return None, (" ".join(err)[-200:] or "exit %d" % rc)
    return (int(vals["serveraliveinterval"]), int(vals["serveralivecountmax"]),
            vals["tcpkeepalive"] == "yes"), None


class Chain:
    """~/.ssh/config then /etc/ssh/ssh_config, as ssh reads them without -F:
    the real ssh in a private mount namespace with the tree's home bound on
    the passwd home (ssh reads that, not $HOME) and its etc on /etc/ssh.
    sshsync finds the same two files by discovery."""
    PW_DIR = pwd.getpwuid(os.getuid()).pw_dir
    SCRIPT = ('mount --bind "$1" /etc/ssh && mount --bind "$2" "$3" || exit 99; shift 3; '
              'for h; do echo "@@ $h"; ssh -G "$h" </dev/null 2>&1; echo "@@rc $?"; done')

    def __init__(self, home, etcroot, sysgen):
        self.home, self.etcroot = home, etcroot
        self.roots = [home, etcroot, sysgen]

    def ssh_many(self, hosts, pool):
        p = subprocess.run(["unshare", "-m", "sh", "-c", self.SCRIPT, "sh",
                            os.path.join(self.etcroot, "ssh"), self.home, self.PW_DIR] + hosts,
                           capture_output=True, text=True, env=dict(BASE_ENV, HOME=self.PW_DIR))
        if p.returncode == 99:
            raise SystemExit("cannot bind-mount in a private namespace: " + p.stderr)
        res, cur, buf = {}, None, []
        for line in p.stdout.splitlines():
            if line.startswith("@@rc "):
                res[cur] = parse_g("\n".join(buf), int(line[5:]))
            elif line.startswith("@@ "):
                cur, buf = line[3:], []
            else:
                buf.append(line)
        return [res.get(h, (None, "no output")) for h in hosts]

    def targets(self):
        return []

    def env(self):
        return {"HOME": self.home, "SSHSYNC_SYSCONFDIR": self.etcroot}


def sshsync(binary, args, setup):
    env = dict(SSHSYNC_ENV, **setup.env())
    return subprocess.run([binary] + args, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, env=env)


def audit(binary, setup, hosts):
    args = ["audit", "--format", "json"]
    for h in hosts:
        args += ["--host", h]
    p = sshsync(binary, args + setup.targets(), setup)
    if p.returncode == 2:
        return None, p.stderr.strip()
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        return None, "bad JSON (exit %d): %s %s" % (p.returncode, p.stdout[:200], p.stderr[:200])
    return {s["scope"]: ((s["interval"], s["count_max"], s["tcp_keepalive"]), s["reasons"])
            for s in doc["scopes"]}, None


STATS = {"scopes": 0, "no_witness": 0, "unknown": 0, "chains": 0, "hosts": 0, "outcomes": 0}


def audit_all(binary, setup):
    """Every scope of the file (no --host): name -> (witness, values, reasons)."""
    p = sshsync(binary, ["audit", "--format", "json"] + setup.targets(), setup)
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        return None, "bad JSON (exit %d): %s" % (p.returncode, p.stderr[:200])
    return [(s["scope"], s["witness"], (s["interval"], s["count_max"], s["tcp_keepalive"]),
             s["reasons"], s["status"]) for s in doc["scopes"]], None


def compare_scopes(binary, setup, pool, label, applied=False):
    """Pattern, Match and `*` scopes: each judged on its witness, which
    ssh -G must agree with (over every Match exec outcome)."""
    scopes, err = audit_all(binary, setup)
    check(scopes is not None, "%s: audit of all scopes failed: %s" % (label, err))
    if scopes is None:
        return
    judged = [s for s in scopes if s[1] is not None]
    want = oracle(setup, [s[1] for s in judged], pool)
    for name, witness, values, reasons, status in scopes:
        STATS["scopes"] += 1
        if witness is None and (name.startswith("Host ") or name.startswith("Match ")):
            STATS["no_witness"] += 1
            check(values == (None, None, None) and any("witness" in r for r in reasons),
                  "%s: scope %r without a witness says nothing: %s" % (label, name, reasons))
            continue
        if witness is None:
            continue  # a literal name: compared with --host above
        STATS["unknown"] += values[0] is None
        w = want[witness]
        if w[1] is not None:
            check(status == "error" or values == (None, None, None),
                  "%s: scope %r witness %s: ssh refuses (%s), sshsync %s"
                  % (label, name, witness, w[1], values))
            continue
        check(agree((values, reasons), w[0]), "%s: scope %r witness %s: sshsync %s %s, ssh -G %s"
              % (label, name, witness, values, reasons, sorted(w[0], key=str)))
        if applied:
            check(values[0] == 60, "%s: after apply, scope %r gives %s" % (label, name, values))


def check_applied(label, hosts, after):
    """After apply --interval 60, ssh -G gives 60 to every host in every outcome."""
    for h in hosts:
        check(after[h][1] is None and {v[0] for v in after[h][0]} == {60},
              "%s: after apply, ssh -G %s gives %s" % (label, h, after[h]))


def tree_digest(root):
    h = hashlib.sha256()
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            p = os.path.join(d, f)
            h.update(p.encode())
            with open(p, "rb") as fh:
                h.update(fh.read())
    return h.hexdigest()


COND = re.compile(rb'"sshsync-cond-(\d+)"')


def tree_files(root):
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            yield os.path.join(d, f)


def oracle(setup, hosts, pool):
    """host -> (set of value tuples, error or None): ssh -G for every
    combination of the tree's Match exec placeholders."""
    originals = {}
    for p in (f for r in setup.roots for f in tree_files(r)):
        with open(p, "rb") as fh:
            data = fh.read()
        if COND.search(data):
            originals[p] = data
    conds = sorted({int(m) for d in originals.values() for m in COND.findall(d)})
    out = {h: (set(), None) for h in hosts}
    try:
        for combo in itertools.product([b"false", b"true"], repeat=len(conds)):
            val = dict(zip(conds, combo))
            for p, data in originals.items():
                with open(p, "wb") as fh:
                    fh.write(COND.sub(lambda m: val[int(m.group(1))], data))
            for h, (v, err) in zip(hosts, setup.ssh_many(hosts, pool)):
                if v is None:
                    out[h] = (out[h][0], out[h][1] or err)
                else:
                    out[h][0].add(v)
    finally:
        for p, data in originals.items():
            with open(p, "wb") as fh:
                fh.write(data)
    return out


VALUE = re.compile(r"(interval|count max|TCP keepalive) (.+?)(?=; |, depending| \(| or whatever|$)")


def possible(reason):
    """The values an unknown reason lists: {"interval": {60, 300}, ...}."""
    got = {}
    for name, vals in VALUE.findall(reason):
        items = re.split(r", | or ", vals)
        conv = {"yes": True, "no": False}
        got[name] = {conv.get(x, None) if x in conv else int(x) for x in items
                     if x in conv or x.isdigit()}
    return got


def agree(got, want):
    """sshsync's (values, reasons) against ssh's set of value tuples."""
    STATS["hosts"] += 1
    STATS["outcomes"] += len(want) > 1
    if got is None:
        return False
    values, reasons = got
    if len(want) == 1:
        return values == next(iter(want))
    listed = possible(" ".join(reasons))
    for k, name in enumerate(("interval", "count max", "TCP keepalive")):
        seen = {w[k] for w in want}
        if len(seen) == 1:
            if values[k] != next(iter(seen)):
                return False
        elif values[k] is not None or listed.get(name) != seen:
            return False
    return True


def compare(binary, setup, hosts, pool, label, want=None):
    """Returns True when ssh accepted the configuration for every host."""
    if want is None:
        want = oracle(setup, hosts, pool)
    refused = [h for h in hosts if want[h][1] is not None]
    if not refused:
        got, err = audit(binary, setup, hosts)
        check(got is not None, "%s: sshsync refused what ssh accepts: %s" % (label, err))
        for h in hosts:
            if got is not None:
                check(agree(got.get(h), want[h][0]), "%s: host %s: sshsync %s, ssh -G %s"
                      % (label, h, got.get(h), sorted(want[h][0], key=str)))
        return True
    # ssh refuses for some hosts (or all, or for some outcomes): ask
    # sshsync host by host.
    for h in hosts:
        got, err = audit(binary, setup, [h])
        if want[h][1] is not None and not want[h][0]:
            check(got is None, "%s: host %s: ssh refuses (%s) but sshsync gave %s"
                  % (label, h, want[h][1], got))
        elif want[h][1] is not None:
            check(got is not None and got.get(h) and got[h][0] == (None, None, None),
                  "%s: host %s: ssh refuses for some outcomes (%s) but sshsync gave %s"
                  % (label, h, want[h][1], got and got.get(h)))
        else:
            check(got is not None and agree(got.get(h), want[h][0]),
                  "%s: host %s: sshsync %s (%s), ssh -G %s"
                  % (label, h, got and got.get(h), err, want[h][0]))
    return False


def run_tree(binary, root, hosts, pool, label, audit_only=False):
    config = os.path.join(root, "config")
    setup = Single(config, root)
    accepted = compare(binary, setup, hosts, pool, label)
    if accepted:
        compare_scopes(binary, setup, pool, label)
    if audit_only:
        return
    if not accepted:
        before = tree_digest(root)
        p = sshsync(binary, ["apply", "--interval", "60", "--no-backup", "ssh:" + config], setup)
        check(p.returncode == 2, "%s: apply on a refused file exited %d" % (label, p.returncode))
        check(tree_digest(root) == before, "%s: apply on a refused file changed bytes" % label)
        return
    p = sshsync(binary, ["apply", "--interval", "60", "--no-backup", "ssh:" + config], setup)
    check(p.returncode == 0, "%s: apply exited %d: %s" % (label, p.returncode, p.stderr))
    if p.returncode != 0:
        return
    after = oracle(setup, hosts, pool)
    check_applied(label, hosts, after)
    compare(binary, setup, hosts, pool, label + " (applied)", after)
    compare_scopes(binary, setup, pool, label + " (applied)", applied=True)
    digest = tree_digest(root)
    p = sshsync(binary, ["apply", "--interval", "60", "--no-backup", "ssh:" + config], setup)
    check(p.returncode == 0 and tree_digest(root) == digest,
          "%s: second apply changed something (exit %d)" % (label, p.returncode))


def gen(seed, out):
    return subprocess.run([sys.executable, os.path.join(HERE, "ssh_gen.py"), str(seed), out],
                          check=True, capture_output=True, text=True).stdout.split()


def run_chain(binary, work, seed, pool):
    """The user's file of tree SEED and the system file of tree SEED+5000,
    read as ssh reads them without -F; then apply (user files only, as
    without --system) and audit with no target must agree with ssh and
    pass, and the system file stays as it was."""
    label = "chain %d" % seed
    base = os.path.join(work, "chain%d" % seed)
    shutil.rmtree(base, ignore_errors=True)
    home, etcroot, sysgen = (os.path.join(base, d) for d in ("home", "etc", "sysgen"))
    os.makedirs(os.path.join(etcroot, "ssh"))
    os.makedirs(sysgen)
    hosts = gen(seed, home)
    os.rename(os.path.join(home, "config"), os.path.join(home, ".ssh", "config"))
    gen(seed + 5000, sysgen)
    os.rename(os.path.join(sysgen, "config"), os.path.join(etcroot, "ssh", "ssh_config"))
    setup = Chain(home, etcroot, sysgen)
    if not compare(binary, setup, hosts, pool, label):
        return
    compare_scopes(binary, setup, pool, label)
    before = tree_digest(etcroot)
    p = sshsync(binary, ["apply", "--interval", "60", "--count-max", "3", "--no-backup"], setup)
    check(p.returncode == 0, "%s: apply exited %d: %s" % (label, p.returncode, p.stderr))
    check(tree_digest(etcroot) == before, "%s: apply without --system changed the system file"
          % label)
    after = oracle(setup, hosts, pool)
    check_applied(label, hosts, after)
    compare(binary, setup, hosts, pool, label + " (applied)", after)
    compare_scopes(binary, setup, pool, label + " (applied)", applied=True)
    p = sshsync(binary, ["audit", "--interval", "60", "--format", "json"], setup)
    doc = json.loads(p.stdout) if p.stdout else {"scopes": []}
    bad = [(s["scope"], s["reasons"]) for s in doc["scopes"] if s["status"] != "pass" and
           not all(r.startswith("not known before ssh runs") or r.startswith("no witness")
                   for r in s["reasons"])]
    check(p.returncode in (0, 1) and not bad,
          "%s: apply && audit does not pass (exit %d): %s" % (label, p.returncode, bad))
    STATS["chains"] += 1


def corpus_hosts(data):
    """The literal names of a file's Host lines (at most 7) and one it does
    not name."""
    names = []
    for line in data.decode("utf-8", "replace").splitlines():
        words = line.replace("=", " ").split()
        if len(words) < 2 or words[0].lower() != "host":
            continue
        for w in words[1:]:
            if w.startswith("#"):
                break
            w = w.strip('"')
            if (w and not any(c in w for c in "*?!'`\"$\\;&<>|(){},") and
                    not w.startswith("-") and w not in names):
                names.append(w)
    return names[:7] + ["sshsync-unnamed.example"]


def crlf(data):
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def main():
    binary, work = sys.argv[1], sys.argv[2]
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=4)
    if sys.argv[3] == "--generate":
        first, count = int(sys.argv[4]), int(sys.argv[5])
        for seed in range(first, first + count):
            root = os.path.join(work, "gen%d" % seed)
            shutil.rmtree(root, ignore_errors=True)
            os.makedirs(root)
            run_tree(binary, root, gen(seed, root), pool, "seed %d" % seed)
    elif sys.argv[3] == "--chain":
        first, count = int(sys.argv[4]), int(sys.argv[5])
        for seed in range(first, first + count):
            run_chain(binary, work, seed, pool)
    elif sys.argv[3] == "--corpus":
        corpus = sys.argv[4]
        for name in sorted(os.listdir(corpus)):
            if name.endswith(".tsv") or name.startswith("."):
                continue
            with open(os.path.join(corpus, name), "rb") as f:
                data = f.read()
            hosts = corpus_hosts(data)
            for variant, content in (("", data), (" (CRLF)", crlf(data))):
                root = os.path.join(work, "corpus")
                shutil.rmtree(root, ignore_errors=True)
                os.makedirs(root)
                with open(os.path.join(root, "config"), "wb") as f:
                    f.write(content)
                run_tree(binary, root, hosts, pool, name + variant, audit_only=bool(variant))
    else:
        sep = sys.argv.index("--")
        hosts = sys.argv[sep + 1:]
        for cfg in sys.argv[3:sep]:
            run_tree(binary, cfg, hosts, pool, cfg)
    total = passed + len(failures)
    print("%d host or witness evaluations compared with ssh -G, %d of them with values that "
          "differ between Match exec outcomes" % (STATS["hosts"], STATS["outcomes"]))
    print("%d passed, %d failed: agreement %.2f%% over %d checks; %d scopes judged "
          "(%d without a witness, %d with an unknown interval); %d user+system chains "
          "applied and passed"
          % (passed, len(failures), 100.0 * passed / max(total, 1), total, STATS["scopes"],
             STATS["no_witness"], STATS["unknown"], STATS["chains"]))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
