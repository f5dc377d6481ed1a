#!/usr/bin/env python3
"""Mutation smoke test: corrupted copies of real settings files (bytes
flipped, hostile snippets inserted, ranges cut) must give exit 0, 1 or 2 with
no sanitizer report, for audit and for apply --dry-run.
usage: mutate.py SSHSYNC CORPUS FIXTURES SEED COUNT"""
import glob, os, random, subprocess, sys, tempfile

binary, corpus_dir, fixtures, seed, count = sys.argv[1:6]
random.seed(int(seed))
corpus = {
    "ssh": sorted(p for p in glob.glob(corpus_dir + "/ssh/*") if not p.endswith(".tsv")),
    "putty": sorted(glob.glob(corpus_dir + "/putty/*")),
    "winscp": sorted(glob.glob(corpus_dir + "/winscp/*")),
    "sshd": [fixtures + "/demo/etc/ssh/sshd_config.d/10-hardening.conf"],
}
snippets = [b"%", b'"', b"\\", b"=", b"\n", b"[", b"]", b"\x00", b"\r", b"#", b"%%2",
            b"\xff\xfe", b"Match all\n", b"Include x\n", b"dword:", b"hex(7):00,\\\n",
            b"[Sessions\\x]\n", b"PingType=fast\n", b'"PingInterval"="60"\n']
failures = 0  # mutants that failed a check
with tempfile.TemporaryDirectory() as work:
    target = os.path.join(work, "settings")
    for i in range(int(count)):
        kind = random.choice(sorted(corpus))
        data = bytearray(open(random.choice(corpus[kind]), "rb").read())
        for _ in range(random.randint(1, 8)):
            op, pos = random.random(), random.randrange(len(data) + 1)
            if op < 0.4 and data:
                data[min(pos, len(data) - 1)] = random.randrange(256)
            elif op < 0.7:
                data[pos:pos] = random.choice(snippets)
            else:
                del data[pos:pos + random.randint(1, 20)]
        open(target, "wb").write(data)
        before = bytes(data)
        failed_here = False
        for args in (["audit", "--format", "json"], ["apply", "--interval", "60", "--dry-run"]):
            r = subprocess.run([binary] + args + [kind + ":" + target], capture_output=True,
                               timeout=60)
            err = r.stderr.decode("utf-8", "replace")
            if r.returncode not in (0, 1, 2) or "Sanitizer" in err or "runtime error" in err:
                failed_here = True
                keep = os.path.join(tempfile.gettempdir(), "sshsync-mutant-%s-%d" % (seed, i))
                open(keep, "wb").write(before)
                print("FAIL: %s %s exit %d (input kept as %s)\n%s"
                      % (kind, " ".join(args), r.returncode, keep, err[:2000]))
        if open(target, "rb").read() != before:
            failed_here = True
            print("FAIL: a dry run changed the file")
        failures += failed_here
print("%d passed, %d failed" % (int(count) - failures, failures))
sys.exit(1 if failures else 0)
