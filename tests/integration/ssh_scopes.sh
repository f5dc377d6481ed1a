#!/usr/bin/env bash
# OpenSSH client scopes: pattern and Match blocks judged on a witness that
# ssh -G agrees with, `*` on a name no other pattern matches, --host-file
# (a file and standard input), and a name ssh refuses as an error scope of
# its own while the other names are still reported.
. "$SSHSYNC_TESTS/integration/lib/reports.bash"
cd "$scratch"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
cat >pat.cfg <<'EOF'
Host bastion
    ServerAliveInterval 20
Host *.corp.example.com !legacy.corp.example.com
    ServerAliveInterval 900
Match user deploy
    ServerAliveCountMax 9
Host web?
    Port 2222
Host *
    ServerAliveInterval 60
EOF
"$SSHSYNC" audit --format json ssh:pat.cfg >all.json
check "every block that sets a keepalive is a scope, with a witness ssh -G agrees with" \
	"$PY" - all.json <<'PY'
import json, subprocess, sys
doc = json.load(open(sys.argv[1]))
scopes = {s["scope"]: s for s in doc["scopes"]}
assert list(scopes) == ["bastion", "Host *.corp.example.com !legacy.corp.example.com",
                        "Match user deploy", "*"], list(scopes)
assert scopes["bastion"]["witness"] is None
corp = scopes["Host *.corp.example.com !legacy.corp.example.com"]
assert corp["witness"] == "sshsync-any.corp.example.com" and corp["interval"] == 900
assert corp["status"] == "fail"
assert scopes["Match user deploy"]["witness"] == "deploy@sshsync-any"
assert scopes["*"]["witness"] and scopes["*"]["interval"] == 60
for s in scopes.values():
    if not s["witness"]:
        continue
    out = subprocess.run(["ssh", "-G", "-F", "pat.cfg", s["witness"]], capture_output=True,
                         text=True, stdin=subprocess.DEVNULL).stdout
    v = dict(l.split(" ", 1) for l in out.splitlines())
    assert int(v["serveraliveinterval"]) == s["interval"], (s, v["serveraliveinterval"])
    assert int(v["serveralivecountmax"]) == s["count_max"], s
PY
# No witness: said so in the reasons, the scope is kept.
printf 'Host !web1\n    ServerAliveInterval 5\nMatch localuser sshsync-nobody\n    Include %s/lu.conf\n' "$PWD" >nw.cfg
printf 'Host *.lu.example\n    ServerAliveInterval 7\n' >lu.conf
"$SSHSYNC" audit --format json ssh:nw.cfg >nw.json
check "scopes without a witness say why" "$PY" - nw.json <<'PY'
import json, sys
s = {x["scope"]: x for x in json.load(open(sys.argv[1]))["scopes"]}
assert s["Host !web1"]["witness"] is None and s["Host !web1"]["interval"] is None
assert "only negated patterns" in s["Host !web1"]["reasons"][0], s["Host !web1"]
lu = s["Host *.lu.example"]
assert lu["witness"] is None and "a Match block it is included under asks for localuser" in lu["reasons"][0], lu
m = s["Match localuser sshsync-nobody"]
assert m["witness"] is None and "the block asks for localuser" in m["reasons"][0], m
PY
COLUMNS=1000 "$SSHSYNC" audit ssh:pat.cfg >all.txt
check "the text report shows the witness" grep -q "(witness sshsync-any.corp.example.com)" all.txt
"$SSHSYNC" audit --format junit -o all.xml ssh:pat.cfg
check "the JUnit report shows the witness" grep -q "Match user deploy: witness deploy@sshsync-any" all.xml

printf 'bastion\r\n\nx.corp.example.com\nlegacy.corp.example.com\n' >hosts.txt
"$SSHSYNC" audit --format json --host-file hosts.txt ssh:pat.cfg >hf.json
check "--host-file: one scope a name, CRLF and empty lines dropped" "$PY" - hf.json <<'PY'
import json, sys
got = [(s["scope"], s["interval"]) for s in json.load(open(sys.argv[1]))["scopes"]]
assert got == [("bastion", 20), ("x.corp.example.com", 900),
               ("legacy.corp.example.com", 60)], got
PY
printf 'bastion\n' | "$SSHSYNC" audit --format json --host-file - --host web1 ssh:pat.cfg >stdin.json
check "--host-file - reads standard input, beside --host" "$PY" - stdin.json <<'PY'
import json, sys
got = [s["scope"] for s in json.load(open(sys.argv[1]))["scopes"]]
assert got == ["bastion", "web1"], got
PY
# The names go into one buffer: a NUL byte ends a name as it ends a C
# string, a last line needs no LF, and --host and --host-file keep their
# order (an empty --host too).
printf 'b\0junk\r\n\r\nlast' >nul.txt
"$SSHSYNC" audit --format json --host first --host-file nul.txt --host '' \
	--host-file hosts.txt ssh:pat.cfg >order.json
check "--host and --host-file names in order, NUL ends a name" "$PY" - order.json <<'PY'
import json, sys
got = [s["scope"] for s in json.load(open(sys.argv[1]))["scopes"]]
assert got == ["first", "b", "last", "", "bastion", "x.corp.example.com",
               "legacy.corp.example.com"], got
PY
expect_status 2 "--host-file of a missing file exits 2" \
	"$SSHSYNC" audit --host-file missing.txt ssh:pat.cfg 2>/dev/null

# One name's error is that scope's error; the others are reported.
cat >err.cfg <<'EOF'
Host good
    IgnoreUnknown UseKeychain
Host *
    UseKeychain yes
    ServerAliveInterval 30
EOF
expect_status 2 "an error scope makes the audit exit 2" \
	"$SSHSYNC" audit --format json -o err.json --host bad --host good ssh:err.cfg
check "the error is its scope's; the other name is still judged" "$PY" - err.json <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
s = {x["scope"]: x for x in doc["scopes"]}
assert s["bad"]["status"] == "error" and "usekeychain" in s["bad"]["reasons"][0], s["bad"]
assert s["bad"]["interval"] is None
assert s["good"]["status"] == "pass" and s["good"]["interval"] == 30, s["good"]
assert doc["summary"]["errors"] == 1 and doc["summary"]["passed"] == 1, doc["summary"]
PY
"$SSHSYNC" audit --format junit -o err.xml --host bad --host good ssh:err.cfg
check "JUnit counts the error scope as an error" grep -q 'errors="1"' err.xml
check "JUnit has an <error> element" grep -q '<error ' err.xml
"$SSHSYNC" audit --host bad --host good ssh:err.cfg >err.txt
check "text: an ERROR row and the count" grep -q "1 error" err.txt

# Unknown is its own state: never a made-up number or boolean.
printf 'Match exec "true"\n  TCPKeepAlive no\n  ServerAliveCountMax 5\n' >exec.cfg
"$SSHSYNC" audit --format json --host h ssh:exec.cfg >exec.json
check "JSON: unknown count max and TCP keepalive are null, with the possible values" \
	"$PY" - exec.json <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["scopes"][0]
assert s["count_max"] is None and s["tcp_keepalive"] is None and s["interval"] == 0, s
assert "count max 3 or 5" in s["reasons"][0] and "TCP keepalive yes or no" in s["reasons"][0]
assert "Match exec at exec.cfg:1" in s["reasons"][0], s["reasons"]
PY
"$SSHSYNC" audit --host h ssh:exec.cfg >exec.txt
check "text: unknown values are ?" grep -qE "^  h +off +\? +\? " exec.txt

# The user's file and the system file are one chain, as ssh reads them
# without -F; apply (user files only) then audit passes out of the box.
mkdir -p chain/home/.ssh chain/etc/ssh
printf 'Host *\n    ServerAliveInterval 100\n' >chain/etc/ssh/ssh_config
printf 'Host nas\n    User me\n' >chain/home/.ssh/config
chmod 600 chain/home/.ssh/config
run_chain() { HOME=$PWD/chain/home SSHSYNC_SYSCONFDIR=$PWD/chain/etc "$SSHSYNC" "$@"; }
run_chain audit --format json --host nas >chain.json
check "without -F: the system file's value, set_at in the system file" "$PY" - chain.json <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["scopes"]
assert len(s) == 1 and s[0]["interval"] == 100, s
assert s[0]["set_at"].endswith("chain/etc/ssh/ssh_config:2"), s[0]["set_at"]
PY
run_chain audit --format json --host nas ssh:chain/home/.ssh/config >alone.json
check "a file named alone is ssh -F FILE" "$PY" - alone.json <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["scopes"]
assert s[0]["interval"] == 0 and s[0]["set_at"] is None, s
PY
expect_status 1 "before apply, the audit fails for --interval 60" run_chain audit --interval 60
expect_status 0 "apply without --system" run_chain apply --interval 60 --no-backup
check "the system file is untouched" grep -q "ServerAliveInterval 100" chain/etc/ssh/ssh_config
check "the default goes last, in a Host * block" "$PY" - chain/home/.ssh/config <<'PY'
import sys
assert open(sys.argv[1]).read() == "Host nas\n    User me\n\nHost *\n    ServerAliveInterval 60\n"
PY
expect_status 0 "apply && audit passes out of the box" run_chain audit --interval 60

# No ~/.ssh/config yet: ssh reads none, and apply without --system creates
# it (the system file stays as it is), so that the audit passes too.
rm chain/home/.ssh/config
expect_status 1 "only the system file: the audit fails for --interval 60" \
	run_chain audit --interval 60
expect_status 0 "apply creates ~/.ssh/config" run_chain apply --interval 60 --no-backup
check "the new file holds the default" grep -qx "ServerAliveInterval 60" chain/home/.ssh/config
check "the system file is still untouched" grep -q "ServerAliveInterval 100" chain/etc/ssh/ssh_config
expect_status 0 "and the audit passes" run_chain audit --interval 60
expect_status 2 "a missing file named on the command line is still an error" \
	"$SSHSYNC" apply --interval 60 ssh:nonexistent.cfg 2>/dev/null
check "and it is not created" test ! -e nonexistent.cfg
finish
