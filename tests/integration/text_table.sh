#!/usr/bin/env bash
# The text table on the demo home at COLUMNS=80 and 100: no line is wider,
# each file is a heading once (~ for $HOME, relative to the current
# directory), every scope is a row under it with its status, the summary
# counts them; --verbose gives every reason whole, --quiet the summary
# only, --failures the failing rows only; a pipe and -o FILE get the same
# bytes, without colour; on a terminal the table fits the terminal.
. "$SSHSYNC_TESTS/integration/lib/reports.bash"
cp -a "$SSHSYNC_FIXTURES/demo" "$scratch/demo"
demo="$scratch/demo"
sed -i "s|@DEMO@|$demo|g" "$demo/etc/ssh/sshd_config"
chmod -R go-w "$demo"
export HOME="$demo/home"
cd "$demo"
targets=(home/.ssh/config sshd:etc/ssh/sshd_config home/putty-sessions.reg putty:home/.putty/sessions
	"winscp:$HOME/.wine/drive_c/users/demo/AppData/Roaming/WinSCP.ini")
"$SSHSYNC" audit --format json "${targets[@]}" >"$scratch/audit.json"

# table.py JSON TABLE WIDTH MODE: checks a table against the JSON report.
cat >"$scratch/table.py" <<'PY'
import json, os, re, sys
report, table, width, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
scopes = json.load(open(report))["scopes"]
text = open(table, encoding="utf-8").read()
lines = text.split("\n")
assert lines[-1] == "", "no final newline"
lines = lines[:-1]
for l in lines:
    assert len(l) <= width, "%d > %d: %r" % (len(l), width, l)
    assert l == l.rstrip(), "trailing blanks: %r" % l
    assert "\033" not in l, "colour in a pipe: %r" % l
failed = sum(s["status"] == "fail" for s in scopes)
summary = "%d scopes, %d passed, %d failed (NAT timeout 240s)" % (
    len(scopes), len(scopes) - failed, failed)
assert lines[-1] == summary, (lines[-1], summary)
if mode == "quiet":
    assert lines == [summary], lines
    sys.exit(0)
home, cwd = os.environ["HOME"], os.getcwd()
def shown(path):
    cands = [path]
    if not path.startswith("/"):
        path = cwd + "/" + path
    if path.startswith(cwd + "/"):
        cands.append(path[len(cwd) + 1:])
    if path.startswith(home + "/"):
        cands.append("~/" + path[len(home) + 1:])
    return min(cands, key=len)
want = [s for s in scopes if mode != "failures" or s["status"] != "pass"]
files = []
for s in want:
    h = "%s (%s)" % (shown(s["file"]), s["kind"])
    if h not in files:
        files.append(h)
assert lines[0].startswith("  SCOPE "), lines[0]
headings = [l for l in lines[1:-1] if not l.startswith(" ")]
assert headings == files, (headings, files)
# Rows: a line that starts with two blanks and a non-blank, under the
# heading of its file, in the order of the report within the file.
rows, under = [], None
for l in lines[1:-1]:
    if not l.startswith(" "):
        under = l
    elif re.match(r"  \S", l) and re.search(r"  (pass|FAIL|ERROR)$|  (pass|FAIL|ERROR)  ", l):
        rows.append((under, l))
assert len(rows) == len(want), (len(rows), len(want))
by_file = {}
for s in want:
    by_file.setdefault("%s (%s)" % (shown(s["file"]), s["kind"]), []).append(s)
order = [s for f in files for s in by_file[f]]
for (heading, row), s in zip(rows, order):
    assert heading == "%s (%s)" % (shown(s["file"]), s["kind"]), (heading, s)
    status = {"pass": "pass", "fail": "FAIL", "error": "ERROR"}[s["status"]]
    assert re.search(r"  %s(  |$)" % status, row), (row, s)
    name = s["scope"]
    assert row[2:].startswith(name[:10]), (row, name)
if mode == "verbose":
    flat = " ".join(text.split())
    for s in want:
        for r in s["reasons"]:
            r = r.replace(s["file"] + ":", "line ")
            assert " ".join(r.split()) in flat, r
else:
    assert "keepalives are off:" not in text  # the gist only
print("%s at %d: %d rows under %d files" % (mode, width, len(rows), len(files)))
PY

for cols in 80 100; do
	for mode in table verbose quiet failures; do
		case $mode in
		table) opt=() ;;
		*) opt=("--$mode") ;;
		esac
		COLUMNS=$cols "$SSHSYNC" audit "${opt[@]}" "${targets[@]}" >"$scratch/t.txt"
		check "COLUMNS=$cols ${opt[*]}: exit 1 (scopes fail)" test $? -eq 1
		check "COLUMNS=$cols ${opt[*]}: the table" \
			"$PY" "$scratch/table.py" "$scratch/audit.json" "$scratch/t.txt" "$cols" "$mode"
		COLUMNS=$cols "$SSHSYNC" audit "${opt[@]}" -o "$scratch/o.txt" "${targets[@]}"
		check "COLUMNS=$cols ${opt[*]}: -o FILE is what the pipe gets" cmp -s "$scratch/t.txt" "$scratch/o.txt"
	done
done
echo "--- COLUMNS=80"
COLUMNS=80 "$SSHSYNC" audit "${targets[@]}"

# No COLUMNS: a pipe gets 80 columns, a terminal its own width.
env -u COLUMNS "$SSHSYNC" audit "${targets[@]}" >"$scratch/p.txt"
check "a pipe without COLUMNS: 80 columns" \
	"$PY" "$scratch/table.py" "$scratch/audit.json" "$scratch/p.txt" 80 table
for cols in 72 120; do
	script -qefc "stty cols $cols; env -u COLUMNS TERM=dumb '$SSHSYNC' audit ${targets[*]}" /dev/null \
		</dev/null 2>/dev/null | tr -d '\r' >"$scratch/tty.txt"
	check "a terminal of $cols columns: the table fits it" \
		"$PY" "$scratch/table.py" "$scratch/audit.json" "$scratch/tty.txt" "$cols" table
done
finish
