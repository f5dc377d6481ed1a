#!/usr/bin/env bash
# A complete audit: a file that cannot be read or parsed is an error scope
# (text ERROR row, JSON "status": "error", JUnit <error> and the errors
# count), every other file is audited as usual, -o FILE is still written,
# and the exit status is 2. The real ssh -G judges which files are broken.
. "$(dirname "$0")/lib/scratch.bash"
cd "$work" || exit 1

printf 'Host a\n    ServerAlivInterval 30\n' >typo.cfg
printf 'Host a\n    ServerAliveInterval 30\n' >good.cfg
mkdir inc.d
printf 'Include %s/inc.d/*\nHost b\n    ServerAliveInterval 20\n' "$work" >with-include.cfg
printf 'Host c\n    ServerAliveInterval 3x\n' >inc.d/broken
head -c 2048 /dev/urandom >garbage
chmod -R go-w "$work"

# The oracle: ssh -G refuses the broken files and reads the good one.
ssh -G -F typo.cfg a </dev/null >/dev/null 2>&1 && bad "ssh -G reads typo.cfg: the case is wrong" || ok
ssh -G -F with-include.cfg b </dev/null >/dev/null 2>&1 && bad "ssh -G reads with-include.cfg" || ok
ssh -G -F good.cfg a </dev/null >/dev/null 2>&1 && ok || bad "ssh -G refuses good.cfg"

targets=(ssh:typo.cfg ssh:good.cfg ssh:with-include.cfg winscp:garbage ssh:missing.cfg "$work/inc.d")

# JUnit into a file: written, valid, one error per bad file, good.cfg as usual.
"$SSHSYNC" audit --format junit -o r.xml "${targets[@]}" 2>err.txt
rc=$?
[ $rc -eq 2 ] && ok || bad "junit audit: exit $rc, expected 2"
[ -s r.xml ] && ok || bad "no r.xml written"
xmllint --noout r.xml && ok || bad "r.xml is not XML"
schema=${SSHSYNC_SHARED:-}/schemas/junit-ant.xsd
if [ -f "$schema" ]; then
	xmllint --noout --schema "$schema" r.xml 2>/dev/null && ok || bad "r.xml does not validate"
else
	echo "SKIP: no JUnit schema" >&2
fi
"$PY" - r.xml <<'PY' && ok || bad "junit content"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = {s.get("name"): s for s in root.iter("testsuite")}
def fail(msg):
    print("junit:", msg, file=sys.stderr); sys.exit(1)
for name, where in [("typo.cfg", "typo.cfg:2:5"), ("with-include.cfg", "broken:2:"),
                    ("garbage", "binary data"), ("missing.cfg", "No such file"),
                    ("inc.d", "")]:
    s = [v for k, v in suites.items() if k.endswith(name)]
    if len(s) != 1: fail(f"{name}: {len(s)} suites")
    s = s[0]
    if s.get("errors") != "1" or s.get("failures") != "0" or s.get("tests") != "1":
        fail(f"{name}: errors={s.get('errors')} failures={s.get('failures')} tests={s.get('tests')}")
    e = s.find("testcase/error")
    if e is None or where not in e.get("message"): fail(f"{name}: error {e is not None and e.get('message')}")
g = suites["good.cfg"]
if g.get("errors") != "0" or g.get("tests") != "2": fail("good.cfg is not audited as usual")
names = sorted(c.get("name") for c in g.iter("testcase"))
if names != ["*", "a"]: fail(f"good.cfg cases {names}")
PY
grep -q "typo.cfg:2:5" err.txt && ok || bad "the error is not on stderr with -o: $(cat err.txt)"

# JSON: status error, the message in reasons, errors counted.
"$SSHSYNC" audit --format json "${targets[@]}" >r.json 2>/dev/null
rc=$?
[ $rc -eq 2 ] && ok || bad "json audit: exit $rc"
"$PY" - r.json <<'PY' && ok || bad "json content"
import json, sys
j = json.load(open(sys.argv[1]))
errs = [s for s in j["scopes"] if s["status"] == "error"]
if len(errs) != 5: sys.exit(f"{len(errs)} error scopes")
for s in errs:
    if not s["reasons"] or s["interval"] is not None: sys.exit(f"bad error scope {s}")
if j["summary"]["errors"] != 5: sys.exit(f"summary {j['summary']}")
good = [s for s in j["scopes"] if s["file"] == "good.cfg"]
if [s["status"] for s in good] != ["pass", "fail"]: sys.exit(f"good.cfg {good}")
PY

# Text: an ERROR row with the message, the rest as usual.
out=$("$SSHSYNC" audit "${targets[@]}" 2>/dev/null)
rc=$?
[ $rc -eq 2 ] && ok || bad "text audit: exit $rc"
# (The table: the file as a heading, the row, the diagnostic whole on a
# line of its own under it.)
grep -A2 -E '^typo\.cfg \(ssh\)$' <<<"$out" | grep -A1 -E '^  \(file\) .* ERROR$' |
	grep -qE '^    typo\.cfg:2:5: ' && ok || bad "no ERROR row: $out"
grep -A3 -E '^good\.cfg \(ssh\)$' <<<"$out" | grep -qE '^  a +30s .* pass$' && ok ||
	bad "good.cfg not audited: $out"
grep -E '5 errors' <<<"$out" >/dev/null && ok || bad "summary: $out"
# -o with text is written too.
"$SSHSYNC" audit -o r.txt "${targets[@]}" 2>/dev/null
[ $? -eq 2 ] && grep -q ERROR r.txt && ok || bad "text -o not written"

# Only good files: exit as before (1: the '*' scope of good.cfg is off).
"$SSHSYNC" audit ssh:good.cfg >/dev/null 2>&1
rc=$?
[ $rc -eq 1 ] && ok || bad "good file alone: exit $rc"
# A usage error is still a usage error, not a scope.
"$SSHSYNC" audit -o u.xml --format junit foo:cfg ssh:good.cfg >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && [ ! -e u.xml ] && ok || bad "unknown kind: exit $rc, u.xml $(ls u.xml 2>&1)"

finish
