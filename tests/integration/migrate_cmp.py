#!/usr/bin/env python3
"""Compares `ssh -G` of aliases under two configs, field by field.

    migrate_cmp.py A B ALIASES_FILE [REPORT.json...]

Prints one line per differing field and, last, "agree X/Y fields, A/N
aliases". With REPORT.json files (sshsync migrate --format json, first the
migration out of A), fields for which a migration reported a loss are not
counted (they are not carried), and each alias is looked up in B under the
target name the first report gives it (a round trip brings names back). With
a remote command, RequestTTY auto and no are the same (no pty).
Exit 0 when every counted field agrees.
"""
import json
import subprocess
import sys

KEYS = [
    "hostname", "port", "user", "identityfile", "certificatefile", "identityagent",
    "forwardagent", "forwardx11", "compression", "serveraliveinterval",
    "serveralivecountmax", "tcpkeepalive", "addressfamily", "hostkeyalias",
    "remotecommand", "requesttty", "sessiontype", "setenv", "localforward",
    "remoteforward", "dynamicforward", "proxycommand", "proxyjump",
    "gssapiauthentication", "gssapidelegatecredentials", "gssapikeyexchange",
    "ciphers", "kexalgorithms", "hostkeyalgorithms",
]
# neutral field name (sshsync's loss report) -> ssh -G keys it covers
FIELD_KEYS = {
    "host": ["hostname"], "port": ["port"], "user": ["user"],
    "identity_file": ["identityfile"], "certificate": ["certificatefile"],
    "agent": ["identityagent"], "agent_forwarding": ["forwardagent"],
    "x11_forwarding": ["forwardx11"], "compression": ["compression"],
    "keepalive": ["serveraliveinterval"], "keepalive_count": ["serveralivecountmax"],
    "tcp_keepalive": ["tcpkeepalive"], "address_family": ["addressfamily"],
    "host_key_alias": ["hostkeyalias"], "remote_command": ["remotecommand"],
    "pty": ["requesttty"], "no_shell": ["sessiontype"], "environment": ["setenv"],
    "forwards": ["localforward", "remoteforward", "dynamicforward"],
    "proxy_command": ["proxycommand"], "jump": ["proxyjump", "proxycommand"],
    "gssapi": ["gssapiauthentication"], "gssapi_delegate": ["gssapidelegatecredentials"],
    "gssapi_kex": ["gssapikeyexchange"],
    "ciphers": ["ciphers"], "kex": ["kexalgorithms"],
    "host_key_algorithms": ["hostkeyalgorithms"],
    # a PuTTY or WinSCP source's own key names
    "Cipher": ["ciphers"], "KEX": ["kexalgorithms"], "HostKey": ["hostkeyalgorithms"],
}


def ssh_g(cfg, alias):
    p = subprocess.run(["ssh", "-G", "-F", cfg, alias], capture_output=True, text=True)
    if p.returncode != 0:
        return None
    vals = {}
    for line in p.stdout.splitlines():
        k, _, v = line.partition(" ")
        if k in KEYS:
            vals.setdefault(k, []).append(v)
    return vals


def main():
    a, b, names = sys.argv[1], sys.argv[2], sys.argv[3]
    reports = [json.load(open(f)) for f in sys.argv[4:]]
    maps = []  # per report: name -> (target name, fields lost)
    for report in reports:
        m = {}
        for s in report["sessions"]:
            skip = set()
            for l in s["losses"]:
                skip.update(FIELD_KEYS.get(l["field"], []))
                # names of source settings outside the model
                skip.add(l["field"].split(" ")[0].lower())
            m[s["name"]] = (s["target_name"] or s["name"], skip)
        maps.append(m)
    target = {}
    lost = {}
    for alias in open(names).read().split():
        name, skip = alias, set()
        for m in maps:
            t, sk = m.get(name, (name, set()))
            skip |= sk
            name = t
        target[alias] = name
        lost[alias] = skip
    fields = agree = aliases = good = 0
    for alias in open(names).read().split():
        va = ssh_g(a, alias)
        vb = ssh_g(b, target.get(alias, alias))
        aliases += 1
        if va is None or vb is None:
            print("%s: ssh -G failed (%s)" % (alias, "source" if va is None else "target"))
            continue
        ok = True
        for k in KEYS:
            if k in lost.get(alias, ()):
                continue
            fields += 1
            x, y = va.get(k, []), vb.get(k, [])
            if k in ("identityfile", "certificatefile"):
                # %h expanded by a client without tokens is the same file
                x = [v.replace("%h", va.get("hostname", [""])[0]) for v in x]
                y = [v.replace("%h", vb.get("hostname", [""])[0]) for v in y]
            if k == "requesttty" and va.get("remotecommand") and vb.get("remotecommand"):
                # with a command, auto requests no pty: the same as no
                x = ["false" if v == "auto" else v for v in x]
                y = ["false" if v == "auto" else v for v in y]
            if k == "hostname" and target.get(alias, alias) != alias:
                pass
            if x == y:
                agree += 1
            else:
                ok = False
                print("%s: %s: %r != %r" % (alias, k, x, y))
        good += ok
    print("agree %d/%d fields (%.1f%%), %d/%d aliases" % (
        agree, fields, 100.0 * agree / max(fields, 1), good, aliases))
    sys.exit(0 if agree == fields and good == aliases else 1)


main()
