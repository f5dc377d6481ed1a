#!/usr/bin/env bash
# Machine-readable apply: --check writes nothing, prints the diff and exits
# 1 when something would change, 0 when nothing would (like git diff
# --exit-code); --format json lists the files changed (with their backups)
# and unchanged, and per scope the interval before and after, which the
# real ssh -G confirms on the files before and after.
. "$(dirname "$0")/lib/scratch.bash"
cd "$work" || exit 1

mkdir -p inc sessions
printf 'Include %s/inc/*\nHost a\n    ServerAliveInterval 30\nHost b c\n    User me\n' "$work" >cfg
printf 'Host d\n    ServerAliveInterval 500\n' >inc/d
printf 'HostName=web\nPingInterval=0\n' >sessions/web
chmod -R go-w "$work"
snapshot() { find cfg inc sessions -type f -print0 | sort -z | xargs -0 sha256sum; }
orig=$(snapshot)

# --check with changes pending: exit 1, the diff, nothing written.
out=$("$SSHSYNC" apply --check --interval 1m ssh:cfg putty:sessions 2>err)
rc=$?
[ $rc -eq 1 ] && ok || bad "--check with changes: exit $rc ($(cat err))"
grep -q '^+++ b/cfg' <<<"$out" && grep -q '^-    ServerAliveInterval 30' <<<"$out" && ok || bad "--check diff: $out"
grep -q '^+++ b/.*inc/d' <<<"$out" && ok || bad "--check diff misses the included file"
[ "$(snapshot)" = "$orig" ] && ok || bad "--check wrote something"
[ -z "$(find . -name '*sshsync*' -o -name 'Default%20Settings')" ] && ok || bad "--check left files"

# JSON of the check: planned, nothing written.
"$SSHSYNC" apply --check --format json --interval 60 ssh:cfg putty:sessions >check.json 2>err
rc=$?
[ $rc -eq 1 ] && ok || bad "--check --format json: exit $rc ($(cat err))"
[ "$(snapshot)" = "$orig" ] && ok || bad "--check --format json wrote something"

# ssh -G before, as the oracle for "before".
for h in a b c d zzz; do
	echo "$h $(ssh -G -F cfg "$h" </dev/null 2>/dev/null | awk '$1 == "serveraliveinterval" {print $2}')"
done >before.txt

# The real apply, as JSON.
"$SSHSYNC" apply --format json --interval 60 ssh:cfg putty:sessions >apply.json 2>err
rc=$?
[ $rc -eq 0 ] && ok || bad "apply --format json: exit $rc ($(cat err))"
for h in a b c d zzz; do
	echo "$h $(ssh -G -F cfg "$h" </dev/null 2>/dev/null | awk '$1 == "serveraliveinterval" {print $2}')"
done >after.txt

"$PY" - check.json apply.json before.txt after.txt <<'PY' && ok || bad "json content"
import json, os, sys
check, applied = (json.load(open(p)) for p in sys.argv[1:3])
ssh = {}
for which, path in (("before", sys.argv[3]), ("after", sys.argv[4])):
    for line in open(path):
        h, v = line.split()
        ssh.setdefault(h, {})[which] = int(v)
def die(msg):
    sys.exit("json: " + msg)
if check["mode"] != "check" or check["written"] or check["after_from"] != "plan":
    die(f"check header {check['mode']} {check['written']}")
if applied["mode"] != "apply" or not applied["written"] or applied["after_from"] != "files":
    die("apply header")
if "diff" not in check or "+++ b/cfg" not in check["diff"]: die("no diff in check")
files = sorted(c["file"] for c in applied["changed"])
if files != sorted(c["file"] for c in check["changed"]): die("check and apply differ on files")
for c in applied["changed"]:
    if c["file"].endswith("Default%20Settings"):
        if c["backup"] is not None: die("a new file has a backup")
        continue
    if not c["backup"] or not os.path.exists(c["backup"]): die(f"backup {c}")
by = {(s["kind"], s["scope"]): s for s in applied["scopes"]}
# Every ssh scope: before and after as ssh -G computes them (the '*' scope
# stands for any other host: zzz).
for h, v in ssh.items():
    s = by.get(("ssh", "*" if h == "zzz" else h))
    if h == "c" and s is None:  # b and c share a block: one of them is named
        continue
    if s is None: die(f"no scope for {h}")
    if s["before"] != v["before"] or s["after"] != v["after"]:
        die(f"{h}: sshsync {s['before']}->{s['after']}, ssh -G {v['before']}->{v['after']}")
    if s["changed"] != (v["before"] != v["after"]): die(f"{h} changed flag")
w = by[("putty", "web")]
if (w["before"], w["after"]) != (0, 60): die(f"putty web {w}")
for s in check["scopes"]:
    if s["after"] != 60: die(f"planned after {s}")
if applied["summary"]["changed"] != len(applied["changed"]): die("summary")
if not any(t.startswith("ssh: ") for t in applied["take_effect"]): die("take_effect")
PY

# Nothing left to change: --check exits 0 and prints nothing; JSON lists the
# targets as unchanged.
out=$("$SSHSYNC" apply --check --interval 60 ssh:cfg putty:sessions 2>/dev/null)
rc=$?
[ $rc -eq 0 ] && ok || bad "--check after apply: exit $rc"
[ -z "$out" ] && ok || bad "--check after apply printed: $out"
"$SSHSYNC" apply --format json --interval 60 ssh:cfg putty:sessions >again.json 2>/dev/null
"$PY" - again.json <<'PY' && ok || bad "second apply json"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["changed"] == [], j["changed"]
assert sorted(j["unchanged"]) == ["cfg", "sessions"], j["unchanged"]
assert all(not s["changed"] and s["before"] == s["after"] == 60 for s in j["scopes"]), j["scopes"]
PY

# --check on a broken file: exit 2, as for any error.
printf 'Host x\n    ServerAliveInterval 5x\n' >broken
"$SSHSYNC" apply --check --interval 60 ssh:broken >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && ok || bad "--check on a broken file: exit $rc"
"$SSHSYNC" apply --format json --interval 60 ssh:broken >err.json 2>/dev/null
rc=$?
[ $rc -eq 2 ] && ok || bad "--format json on a broken file: exit $rc"
"$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["mode"] == "apply" and "broken:2:" in j["error"], j' err.json &&
	ok || bad "--format json error object: $(cat err.json)"
"$SSHSYNC" apply --format yaml --interval 60 ssh:cfg >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--format yaml accepted"

finish
