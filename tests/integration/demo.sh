#!/usr/bin/env bash
# scripts/demo (make demo), as a newcomer reads it: it runs (exit 0), in at
# most 85 lines of at most 100 columns, and tells the story (discover, the
# audit's failures, apply with a diff, the audit passing, a second apply
# changing nothing, an export). Every command it prints, pasted into a
# fresh shell at the repository's root, prints what the demo printed.
# Its folder is BUILD/demo-test (named from the root, as `make demo` names
# build/); widths are measured as `make demo` in ~/sshsync shows them.
. "$SSHSYNC_TESTS/integration/lib/reports.bash"
src=$(cd "$SSHSYNC_TESTS/.." && pwd)
mkdir -p "$SSHSYNC_BUILD/demo-test"
trap 'rm -rf "$scratch" "$SSHSYNC_BUILD/demo-test"' EXIT
build=$(realpath --relative-to="$src" "$SSHSYNC_BUILD/demo-test")
ln -sfn "$SSHSYNC" "$SSHSYNC_BUILD/demo-test/sshsync"
cd "$scratch"
(cd "$src" && env -u COLUMNS bash scripts/demo "$build") >demo.out 2>&1
check "the demo runs" test $? -eq 0 || cat demo.out
cat demo.out
check "the demo is short: at most 85 lines, 100 columns" "$PY" - demo.out "$src" "$build" <<'PY'
import sys
root, build = sys.argv[2], sys.argv[3]
text = open(sys.argv[1], encoding="utf-8").read().replace(build, "build")
text = text.replace(root, "/home/user/sshsync").replace(root[1:], "home/user/sshsync")
lines = text.splitlines()
print("%d lines, %d columns at most" % (len(lines), max(len(l) for l in lines)))
assert len(lines) <= 85
assert all(len(l) <= 100 for l in lines), [l for l in lines if len(l) > 100]
PY
for step in " discover$" " audit --failures " " --diff " " 0 failed " "^unchanged " " export "; do
	check "the story has '$step'" grep -qE -- "$step" demo.out
done
# The commands and what they printed; the commands replayed in a new shell.
"$PY" - demo.out commands.sh expected.txt <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().replace("\r", "").split("\n")
commands, expected, cont = [], [], False
for l in lines:
    if l.startswith("$ ") or cont:
        commands.append(l[2:] if l.startswith("$ ") else l)
        cont = l.endswith("&&")
    elif l and not l.startswith("# "):
        expected.append(l)
open(sys.argv[2], "w").write("\n".join(commands) + "\n")
open(sys.argv[3], "w").write("\n".join(expected) + "\n")
PY
(cd "$src" && env -i PATH="$PATH" HOME=/nonexistent TERM=dumb bash "$scratch/commands.sh") 2>&1 |
	tr -d '\r' | sed '/^$/d' >replayed.txt
check "the commands, pasted at the root, print what the demo printed" \
	diff expected.txt replayed.txt
finish
