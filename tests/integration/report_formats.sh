#!/usr/bin/env bash
# The audit reports: JUnit checked against the Ant/Jenkins schema with
# xmllint, JSON parsed back by Python's json module with the field names and
# types DESIGN.md fixes, the text table's rows, alignment and colour (only on a
# terminal, never with NO_COLOR), and hostile names that must never forge a
# line in any of them. The stores are Group Policy Registry.xml files (the
# gpp client) and, when this build has it, a WinSCP.ini.
. "$SSHSYNC_TESTS/integration/lib/reports.bash"
probe_kinds
cd "$scratch"
# The Ant/Jenkins schema is in the shared folder: the [shared] copy of this
# test validates against it; without it, the JUnit reports are only parsed.
schema=${SSHSYNC_SHARED:+$SSHSYNC_SHARED/schemas/junit-ant.xsd}
junit_ok() { # FILE
	if [ -n "$schema" ]; then
		xmllint --noout --schema "$schema" "$1"
	else
		xmllint --noout "$1"
	fi
}

# A Registry.xml with a passing session, failing ones, and hostile names:
# escaped control bytes and quotes, a raw newline in an attribute, XML
# entities, UTF-8.
item() { # key-leaf value-name dword
	printf '<Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="%s"><Properties action="U" hive="HKEY_CURRENT_USER" key="Software\\SimonTatham\\PuTTY\\Sessions\\%s" name="%s" type="REG_DWORD" value="%s"/></Registry>\n' "$2" "$1" "$2" "$3"
}
{
	echo '<?xml version="1.0" encoding="utf-8"?>'
	echo '<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}">'
	item 'web%201' PingInterval 00000001
	item 'web%201' PingIntervalSecs 00000000
	item 'evil%0AFAKE%20pass%22%5B%5D%1B%5B31m' PingInterval 00000000
	item 'evil%0AFAKE%20pass%22%5B%5D%1B%5B31m' PingIntervalSecs 00000000
	item 'raw&#10;gpp  x  raw  60s  -  no  default  pass' PingInterval 00000005
	item 'raw&#10;gpp  x  raw  60s  -  no  default  pass' PingIntervalSecs 00000000
	item 'a&amp;b&lt;c&gt;' PingInterval 00000001
	item 'a&amp;b&lt;c&gt;' PingIntervalSecs 00000000
	item 'caf%C3%A9%20cr%C3%A8me' PingInterval 00000001
	item 'caf%C3%A9%20cr%C3%A8me' PingIntervalSecs 00000000
	echo '</RegistrySettings>'
} >Registry.xml
{
	echo '<?xml version="1.0" encoding="utf-8"?>'
	echo '<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}">'
	item 'good' PingInterval 00000001
	item 'good' PingIntervalSecs 00000000
	echo '</RegistrySettings>'
} >good.xml
targets=(gpp:Registry.xml)
if has_kind winscp; then
	printf '[Sessions\\site%%0Anewline]\r\nHostName=a\r\nPingType=1\r\nPingInterval=1\r\nPingIntervalSecs=0\r\n[Sessions\\off]\r\nHostName=b\r\n' >WinSCP.ini
	targets+=(winscp:WinSCP.ini)
else
	skip "no winscp client in this build: JUnit with one store kind only"
fi

# --- JUnit ---------------------------------------------------------------
expect_status 1 "junit audit with failing scopes exits 1" \
	"$SSHSYNC" audit --format junit -o report.xml "${targets[@]}"
check "junit report validates against the Ant schema" \
	junit_ok report.xml
"$SSHSYNC" audit --format json "${targets[@]}" >report.json
check "junit: one testcase per scope, one failure per failing scope, suites per file" \
	"$PY" - report.xml report.json <<'PY'
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
j = json.load(open(sys.argv[2]))
assert root.tag == "testsuites", root.tag
cases = root.findall("./testsuite/testcase")
assert len(cases) == len(j["scopes"]), (len(cases), len(j["scopes"]))
fails = root.findall("./testsuite/testcase/failure")
assert len(fails) == j["summary"]["failed"] > 0
files = {s["file"] for s in j["scopes"]}
suites = root.findall("./testsuite")
assert len(suites) == len(files)
for s in suites:
    n = len(s.findall("testcase"))
    assert int(s.get("tests")) == n
    assert int(s.get("failures")) == len(s.findall("testcase/failure"))
for c, sc in zip(cases, j["scopes"]):
    assert c.get("classname") == sc["kind"] + ":" + sc["file"], c.get("classname")
    f = c.find("failure")
    assert (f is not None) == (sc["status"] == "fail")
    if f is not None:
        assert f.get("type") and f.get("message") and f.text.strip()
        assert f.text.splitlines()[0] == sc["reasons"][0]
        assert "\\x0A" not in f.text  # real line breaks between the facts
    # Names and messages hold no control character at all; the failure
    # text only its own line breaks.
    one_line = [c.get("name"), c.get("classname")] + ([f.get("message")] if f is not None else [])
    for v in one_line:
        assert not any(ord(ch) < 0x20 for ch in v), repr(v)
    if f is not None:
        assert not any(ord(ch) < 0x20 and ch != "\n" for ch in f.text), repr(f.text)
PY
expect_status 0 "junit audit of a clean store exits 0" \
	"$SSHSYNC" audit --format junit -o clean.xml gpp:good.xml
check "clean junit report validates" junit_ok clean.xml
check "clean junit report has no failure" bash -c '! grep -q "<failure" clean.xml'
cp report.xml before.xml
expect_status 2 "junit audit of a broken target exits 2" \
	"$SSHSYNC" audit --format junit -o report.xml gpp:Registry.xml gpp:missing.xml 2>/dev/null
check "a failed audit still writes the report" bash -c '! cmp -s before.xml report.xml'
check "the missing file is an error testcase" grep -q '<error message="missing.xml: ' report.xml
check "the report with an error validates" junit_ok report.xml
expect_status 2 "an unknown --format exits 2" "$SSHSYNC" audit --format yaml gpp:good.xml 2>/dev/null

# --- JSON ----------------------------------------------------------------
check "json: exact field names and types of DESIGN.md" \
	"$PY" - report.json <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read()
assert not any(b < 0x20 and b != 0x0A for b in raw), "raw control byte in JSON"
j = json.loads(raw)
assert list(j) == ["sshsync", "nat_timeout", "scopes", "summary"], list(j)
assert isinstance(j["sshsync"], str) and j["sshsync"]
assert type(j["nat_timeout"]) is int and j["nat_timeout"] == 240
assert list(j["summary"]) == ["scopes", "passed", "failed", "errors"]
assert j["summary"]["scopes"] == len(j["scopes"])
assert j["summary"]["passed"] == sum(s["status"] == "pass" for s in j["scopes"])
assert j["summary"]["failed"] == sum(s["status"] == "fail" for s in j["scopes"])
assert j["summary"]["errors"] == sum(s["status"] == "error" for s in j["scopes"])
keys = ["kind", "file", "scope", "witness", "interval", "period", "count_max", "tcp_keepalive",
        "set_at", "status", "reasons"]
for s in j["scopes"]:
    assert list(s) == keys, list(s)
    assert isinstance(s["kind"], str) and isinstance(s["file"], str)
    assert isinstance(s["scope"], str)
    assert s["witness"] is None or isinstance(s["witness"], str)
    assert type(s["interval"]) is int and s["interval"] >= 0
    # gpp sessions are PuTTY's: a keepalive every interval seconds
    assert s["period"] == s["interval"], s
    assert s["count_max"] is None or type(s["count_max"]) is int
    assert s["tcp_keepalive"] is None or type(s["tcp_keepalive"]) is bool
    assert s["set_at"] is None or isinstance(s["set_at"], str)
    assert s["status"] in ("pass", "fail")
    assert isinstance(s["reasons"], list) and all(isinstance(r, str) for r in s["reasons"])
    assert (s["status"] == "fail") == bool(s["reasons"])
names = {s["scope"]: s for s in j["scopes"] if s["kind"] == "gpp"}
web = names["putty:web 1"]
assert web["interval"] == 60 and web["status"] == "pass" and web["set_at"] == "Registry.xml:4"
assert web["tcp_keepalive"] is False and web["count_max"] is None
# The names come back exactly, as data: JSON escapes them.
assert "putty:evil\nFAKE pass\"[]\x1b[31m" in names, list(names)
assert names["putty:evil\nFAKE pass\"[]\x1b[31m"]["interval"] == 0
assert "putty:raw\ngpp  x  raw  60s  -  no  default  pass" in names
assert "putty:a&b<c>" in names and "putty:caf\u00e9 cr\u00e8me" in names
PY
"$SSHSYNC" audit --format json --nat-timeout 100 --interval 60 gpp:good.xml >nat.json
check "json: --nat-timeout and --interval reach the report" \
	"$PY" -c 'import json,sys; j=json.load(open("nat.json")); assert j["nat_timeout"]==100 and j["scopes"][0]["status"]=="pass"'
"$SSHSYNC" audit --format json --interval 30 gpp:good.xml >differs.json
check "json: a scope that differs from --interval fails with a reason" \
	"$PY" -c 'import json; s=json.load(open("differs.json"))["scopes"][0]; assert s["status"]=="fail" and "differs" in s["reasons"][0]'

# --- text ----------------------------------------------------------------
# Wide enough that nothing wraps: one line per scope (tests/integration/
# text_table.sh has the table at 80 and 100 columns).
COLUMNS=1000 "$SSHSYNC" audit --verbose "${targets[@]}" >table.txt
check "text: no escape byte and no control byte when not on a terminal" \
	"$PY" -c 'import sys; b=open("table.txt","rb").read(); assert not any(c < 0x20 and c != 10 for c in b)'
check "text: one line per scope, a heading per file, the summary (no forged line)" \
	"$PY" - table.txt report.json <<'PY'
import json, re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines[-1] == ""
lines = lines[:-1]
j = json.load(open(sys.argv[2]))
n = len(j["scopes"])
files = []
for s in j["scopes"]:
    if (s["file"], s["kind"]) not in files:
        files.append((s["file"], s["kind"]))
assert len(lines) == 1 + len(files) + n + 1, (len(lines), n, files)
assert re.fullmatch(r"%d scopes?, %d passed, %d failed \(NAT timeout 240s\)" %
                    (n, n - j["summary"]["failed"], j["summary"]["failed"]), lines[-1]), lines[-1]
# The files are headings, each once; every other line is an indented row.
headings = [l for l in lines[1:-1] if not l.startswith("  ")]
assert headings == ["%s (%s)" % f for f in files], headings
rows = [l for l in lines[1:-1] if l.startswith("  ")]
assert len(rows) == n
for row in rows:
    assert row[2] != " ", row
PY
check "text: columns are aligned (by characters, UTF-8 included)" \
	"$PY" - table.txt <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")[:-2]
head = lines[0]
cols = ["SCOPE", "INTERVAL", "COUNT", "TCP", "SET AT", "STATUS", "WHY"]
starts = [head.index(c) for c in cols]
assert starts == sorted(starts) and starts[0] == 2
for line in lines[1:]:
    if not line.startswith("  "):
        continue  # a file's heading
    for c, at in zip(cols[1:], starts[1:]):
        if c == "WHY" and len(line) <= at:
            continue  # a passing row ends after STATUS
        assert line[at - 2:at] == "  " and line[at] != " ", (c, line)
    assert line == line.rstrip(), "trailing blanks: %r" % line
PY
check "text: the UTF-8 name is shown as it is" grep -q '  putty:café crème ' table.txt
check "text: control bytes are shown as \\xNN" grep -qF 'putty:evil\x0AFAKE pass"[]\x1B[31m' table.txt
check "text: a raw newline in the XML is shown as \\x0A" grep -qF 'putty:raw\x0Agpp  x' table.txt

# Colour: only on a terminal, never with NO_COLOR or TERM=dumb, never in a file.
tty_run() { # env... -- command: runs it on a pseudo-terminal, prints what it wrote
	script -qefc "$*" /dev/null </dev/null 2>/dev/null
}
esc=$'\033'
out=$(TERM=xterm tty_run env -u NO_COLOR "$SSHSYNC" audit gpp:Registry.xml)
check "text on a terminal: FAIL in red" grep -qF "${esc}[31mFAIL${esc}[0m" <<<"$out"
check "text on a terminal: pass in green" grep -qF "${esc}[32mpass${esc}[0m" <<<"$out"
check "text on a terminal: hostile escape bytes still shown as \\x1B" \
	grep -qF 'pass"[]\x1B[31m' <<<"$out"
out=$(TERM=xterm tty_run env NO_COLOR=1 "$SSHSYNC" audit gpp:Registry.xml)
check "NO_COLOR=1 on a terminal: no colour" bash -c '! grep -qF "$1" <<<"$2"' _ "$esc" "$out"
check "NO_COLOR=1 on a terminal: the table is still there" grep -q 'putty:web 1' <<<"$out"
out=$(TERM=dumb tty_run env -u NO_COLOR "$SSHSYNC" audit gpp:Registry.xml)
check "TERM=dumb: no colour" bash -c '! grep -qF "$1" <<<"$2"' _ "$esc" "$out"
TERM=xterm tty_run env -u NO_COLOR "$SSHSYNC" audit -o tty.txt gpp:Registry.xml >/dev/null
check "-o FILE from a terminal: no colour in the file" bash -c '! grep -qF "$1" tty.txt' _ "$esc"
out=$(env -u NO_COLOR TERM=xterm "$SSHSYNC" audit gpp:Registry.xml | cat)
check "piped: no colour" bash -c '! grep -qF "$1" <<<"$2"' _ "$esc" "$out"

# A JSON report on standard output that cannot be written to its end: it
# goes out as it is made, so what was written stays; it must end without its
# closing brackets (never valid JSON that a reader takes for the whole), and
# sshsync exits 2 with the error on stderr. A file size limit makes the
# write fail after the first piece (256 KiB) went out. -o FILE: untouched.
python3 - >fleet.conf <<'PY'
for i in range(4000):
    print("Host host%05d.example.org\n    HostName 10.0.%d.%d\n    ServerAliveInterval 300\n"
          % (i, i // 256, i % 256))
PY
"$SSHSYNC" audit --format json ssh:fleet.conf >whole.json && st=0 || st=$?
check "the fleet's JSON report is larger than one piece written" \
	test "$st" = 1 -a "$(wc -c <whole.json)" -gt 600000
# Streamed (stdout) and whole (-o FILE) are the same document.
"$SSHSYNC" audit --format json -o file.json ssh:fleet.conf || true
check "JSON on stdout (streamed) = JSON written with -o" cmp whole.json file.json
grep -o 'host0[0-9]*\.example\.org' fleet.conf | sed -n '1~7p' >names.txt
"$SSHSYNC" audit --format json --host-file names.txt ssh:fleet.conf >names.json || true
"$SSHSYNC" audit --format json --host-file names.txt -o names-file.json ssh:fleet.conf || true
check "--host-file: streamed = written with -o" cmp names.json names-file.json
check "--host-file: a scope per name" test "$(grep -c '"kind": "ssh"' names.json)" = "$(wc -l <names.txt)"
# The table and JUnit go out in pieces too (the table's second half from a
# buffer of its own): the same bytes as one write with -o.
"$SSHSYNC" audit ssh:fleet.conf >whole.txt || true
"$SSHSYNC" audit -o file.txt ssh:fleet.conf || true
check "the fleet's table is larger than one piece written" test "$(wc -c <whole.txt)" -gt 300000
check "table on stdout (streamed) = table written with -o" cmp whole.txt file.txt
unstamp() { sed 's/ timestamp="[^"]*"/ timestamp=""/' "$1"; }
"$SSHSYNC" audit --format junit ssh:fleet.conf >whole.xml || true
"$SSHSYNC" audit --format junit -o file.xml ssh:fleet.conf || true
check "the fleet's JUnit report is larger than one piece written" \
	test "$(wc -c <whole.xml)" -gt 600000
check "JUnit on stdout (streamed) = JUnit written with -o" cmp <(unstamp whole.xml) <(unstamp file.xml)
# A full disk under a large report: each format stops with exit 2 and says
# why, as for a small one (messages.sh), at its first piece.
if [ -w /dev/full ]; then
	for fmt in json text junit; do
		st=0
		"$SSHSYNC" audit --format "$fmt" ssh:fleet.conf >/dev/full 2>full.err || st=$?
		check "$fmt report > /dev/full: exit 2" test "$st" = 2
		check "$fmt report > /dev/full: the write's error on stderr" \
			grep -q "cannot write.*No space left on device" full.err
	done
fi
st=0
(
	trap '' XFSZ
	ulimit -f 400 # KiB: the first piece fits, the second is cut
	exec "$SSHSYNC" audit --format json ssh:fleet.conf >cut.json 2>cut.err
) || st=$?
check "stdout cut midway: exit 2" test "$st" = 2
check "stdout cut midway: the error on stderr" grep -q . cut.err
check "stdout cut midway: what was written is the start of the report" \
	cmp -s cut.json <(head -c "$(wc -c <cut.json)" whole.json)
check "stdout cut midway: no closing brackets, not valid JSON" python3 -c '
import json, sys
text = open("cut.json").read()
assert 0 < len(text) < 500 * 1024 and not text.rstrip().endswith("}"), len(text)
try:
    json.loads(text)
except ValueError:
    sys.exit(0)
sys.exit("a cut report parsed as JSON")'
echo '{"old": true}' >kept.json
st=0
(
	trap '' XFSZ
	ulimit -f 400
	exec "$SSHSYNC" audit --format json -o kept.json ssh:fleet.conf 2>/dev/null
) || st=$?
check "-o FILE that cannot be written whole: exit 2 and FILE as it was" \
	bash -c 'test "$1" = 2 && test "$(cat kept.json)" = "{\"old\": true}"' _ "$st"
check "-o FILE that cannot be written whole: no temporary file left" \
	bash -c '! ls -a | grep -v -e "^kept.json$" -e "^\.\.\?$" | grep -q -i -e tmp -e "kept.json."'

finish
