#!/usr/bin/env python3
"""Generates an ssh_config tree where files are included again and again.

    ssh_repeat_gen.py SEED DIR   writes DIR/config, DIR/a.conf, DIR/b.conf
                                 and prints the host names to ask about

sshsync reads a copy of Host blocks and settings only once when the same
file is included again from an equally active place (first value wins makes
the second copy a no-op); copies with Match blocks are kept, since a
HostName set in between can change what `Match host` sees. The trees mix
both: repeated Include lines, one Include line naming a file twice, Include
inside Host and Match blocks, HostName between the copies, nested Includes.
"""
import os
import random
import sys

HOSTS = ["h1", "h2", "h3", "x.example"]


def setting(r):
    kind = r.randrange(4)
    if kind == 0:
        return "ServerAliveInterval %d" % r.choice([0, 5, 30, 60, 300])
    if kind == 1:
        return "ServerAliveCountMax %d" % r.choice([0, 1, 3, 9])
    if kind == 2:
        return "TCPKeepAlive %s" % r.choice(["yes", "no"])
    return "HostName %s" % r.choice(["real1", "real2", "h2"])


def header(r):
    kind = r.randrange(6)
    if kind == 0:
        return "Host %s" % " ".join(r.sample(HOSTS, r.randint(1, 2)))
    if kind == 1:
        return "Host *"
    if kind == 2:
        return "Host !h3 *"
    if kind == 3:
        return "Match host %s" % r.choice(["real1", "real2", "h2", "h*"])
    if kind == 4:
        return "Match all"
    return "Host h*"


def body(r, root, includes, lines, allow_match):
    out = []
    for _ in range(lines):
        roll = r.random()
        if roll < 0.3 and includes:
            target = os.path.join(root, r.choice(includes))
            form = r.randrange(3)
            if form == 0:
                out.append("Include %s" % target)
            elif form == 1:
                out.append("Include %s %s" % (target, target))
            else:
                out += ["Include %s" % target, "Include %s" % target]
        elif roll < 0.55:
            h = header(r)
            if not allow_match and h.startswith("Match"):
                h = "Host %s" % r.choice(HOSTS)
            out.append(h)
        else:
            out.append("  " + setting(r))
    return out


def between(r, root):
    """Two copies of a.conf with a HostName between them: a `Match host`
    in a.conf sees another name the second time."""
    a = os.path.join(root, "a.conf")
    return [header(r) if r.random() < 0.5 else "Host %s" % r.choice(HOSTS),
            "  Include %s" % a, "  " + setting(r), "  HostName %s" % r.choice(["real1", "real2"]),
            "  Include %s" % a]


def main():
    seed, root = int(sys.argv[1]), sys.argv[2]
    r = random.Random(seed)
    a = body(r, root, ["b.conf"], r.randint(2, 8), r.random() < 0.5)
    if r.random() < 0.7:
        a = ["Match host %s" % r.choice(["real1", "real2"]), "  " + setting(r)] + a
    config = body(r, root, ["a.conf", "b.conf"], r.randint(4, 12), True)
    if r.random() < 0.7:
        config = between(r, root) + config
    files = {
        "b.conf": body(r, root, [], r.randint(2, 6), r.random() < 0.5),
        "a.conf": a,
        "config": config,
    }
    for name, lines in files.items():
        path = os.path.join(root, name)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.chmod(path, 0o600)
    print("\n".join(HOSTS))


if __name__ == "__main__":
    main()
