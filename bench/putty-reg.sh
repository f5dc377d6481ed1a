#!/usr/bin/env bash
# apply --interval 60 on an 80 MB, 10,000-session PuTTY .reg export
# (UTF-16LE, as regedit writes it), beside cp of the same file: wall time
# and peak memory from GNU time (/usr/bin/time -v).
# Usage: bench/putty-reg.sh BUILD_DIR [SESSIONS]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
sessions=${2:-10000}
here=$(cd "$(dirname "$0")" && pwd)
shared=${SSHSYNC_SHARED:-$here/../../shared}
bin="$build/sshsync"
gnutime=/usr/bin/time
if [ ! -x "$gnutime" ]; then
	echo "GNU time is missing: install the Debian package 'time' (scripts/install-deps)" >&2
	exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$shared/bench/gen-putty-reg.py" "$sessions" "$work/sessions.reg"
size=$(stat -c %s "$work/sessions.reg")

. "$(dirname "$0")/lib/measure.bash"

# run NAME CMD...: the best wall time of 3 runs, each on a fresh copy (apply
# rewrites its file), and the largest peak resident set.
run() {
	local name=$1 best="" rss=0 s kib
	shift
	for _ in 1 2 3; do
		cp "$work/sessions.reg" "$work/in.reg"
		read -r s kib < <(measure "$@")
		if [ -z "$best" ] || awk "BEGIN { exit !($s < $best) }"; then best=$s; fi
		if [ "$kib" -gt "$rss" ]; then rss=$kib; fi
	done
	printf '%-30s %8.0f ms %10d KiB peak\n' "$name" "$(awk "BEGIN { print $best * 1000 }")" "$rss"
}

echo "sessions.reg: $sessions sessions, $size bytes (UTF-16LE)"
run "cp" cp "$work/in.reg" "$work/copy.reg"
run "sshsync audit" "$bin" audit --format json "putty:$work/in.reg"
run "sshsync apply --interval 60" "$bin" apply --interval 60 --no-backup "putty:$work/in.reg"
# The result must be what was asked, and a second apply must change nothing.
cp "$work/sessions.reg" "$work/in.reg"
"$bin" apply --interval 60 --no-backup "putty:$work/in.reg" >/dev/null
"$bin" audit --interval 60 "putty:$work/in.reg" >/dev/null
"$bin" apply --interval 60 --no-backup "putty:$work/in.reg" | grep -q unchanged
echo "apply result: audit passes, second apply unchanged"
