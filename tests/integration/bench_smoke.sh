#!/usr/bin/env bash
# bench/run --smoke: every benchmark case on tiny inputs, so that the
# harness cannot rot (a benchmark is never a timed test: nothing here is
# judged on time). The [shared] copy also runs the cases whose inputs come
# from the shared generators ($SSHSYNC_SHARED/bench); without the shared
# folder those cases say "skipped" and the rest still run.
set -euo pipefail
out=$(python3 "$SSHSYNC_SOURCE/bench/run" --smoke --sshsync "$SSHSYNC" \
	--shared "${SSHSYNC_SHARED:-}")
printf '%s\n' "$out"
# Every case printed a row (measured or skipped), and no row is an error.
cases=$(python3 "$SSHSYNC_SOURCE/bench/run" --list | wc -l)
rows=$(printf '%s\n' "$out" | grep -Ec '^[a-z0-9-]+ +([0-9.]+ ms|skipped:)')
[ "$rows" -eq "$cases" ] || { echo "expected $cases case rows, got $rows" >&2; exit 1; }
if printf '%s\n' "$out" | grep -q 'ERROR:'; then exit 1; fi
# With the shared generators, the OpenSSH fleet was measured and checked
# against ssh -G.
if [ -n "${SSHSYNC_SHARED:-}" ]; then
	printf '%s\n' "$out" | grep -q 'values agree with ssh -G'
fi
