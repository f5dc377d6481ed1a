#!/usr/bin/env bash
# scripts/compare-builds tells two builds apart: the same binary twice
# compares equal (exit 0); a build whose audit prints one more line, or
# whose apply writes one more byte into the file, is caught (exit 1, with
# the difference shown).
. "$(dirname "$0")/lib/scratch.bash"
src=$(cd "$(dirname "$0")/../.." && pwd)
cfg=$src/fixtures/corpus/ssh/laptop_config
cmp=$src/scripts/compare-builds

out=$("$cmp" "$SSHSYNC" "$SSHSYNC" "$cfg" 2>&1)
rc=$?
if [[ $rc -eq 0 && $out == *"compared 1 targets"*", 0 differing"* ]]; then ok; else bad "same build: rc=$rc: $out"; fi

cat >"$work/louder" <<EOF2
#!/bin/bash
"$SSHSYNC" "\$@"
rc=\$?
[[ \$1 == audit ]] && echo extra
exit \$rc
EOF2
cat >"$work/writer" <<EOF2
#!/bin/bash
"$SSHSYNC" "\$@"
rc=\$?
for last; do :; done
if [[ \$1 == apply && \$* != *--dry-run* && \$* != *--check* && -f \${last#*:} ]]; then
	printf x >>"\${last#*:}"
fi
exit \$rc
EOF2
chmod +x "$work/louder" "$work/writer"

out=$("$cmp" "$SSHSYNC" "$work/louder" "$cfg" 2>&1)
rc=$?
if [[ $rc -eq 1 && $out == *"=== DIFF"* && $out == *"> extra"* ]]; then ok; else bad "louder audit: rc=$rc: $out"; fi

out=$("$cmp" "$SSHSYNC" "$work/writer" "$cfg" 2>&1)
rc=$?
if [[ $rc -eq 1 && $out == *".tree"* && $out != *"> extra"* ]]; then ok; else bad "extra byte: rc=$rc: $out"; fi
finish
