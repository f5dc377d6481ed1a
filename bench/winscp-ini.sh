#!/usr/bin/env bash
# apply --interval 60 on a 100,000-site WinSCP.ini, beside cp of the same
# file: wall time and peak memory (GNU time's maximum resident set size).
# Usage: bench/winscp-ini.sh BUILD_DIR [SITES]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
sites=${2:-100000}
here=$(cd "$(dirname "$0")" && pwd)
bin="$build/sshsync"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
"$py" "$here/gen-winscp-ini.py" "$sites" "$work/WinSCP.ini"
size=$(stat -c %s "$work/WinSCP.ini")

# measure CMD...: "MS KIB", wall time and peak resident set of one run.
measure() {
	"$py" - "$@" <<'PY'
import resource, subprocess, sys, time
t0 = time.perf_counter()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
if r.returncode not in (0, 1):  # 1: an audit that found failing sites
    sys.exit('%s: exit %d' % (sys.argv[1], r.returncode))
ms = (time.perf_counter() - t0) * 1000
print(int(ms), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}

# run NAME CMD...: the best of 3 runs, each on a fresh copy (apply
# rewrites its file).
run() {
	local name=$1 best=0 rss=0 ms kib
	shift
	for i in 1 2 3; do
		cp "$work/WinSCP.ini" "$work/in.ini"
		read -r ms kib < <(measure "$@")
		if [ "$i" -eq 1 ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
		if [ "$kib" -gt "$rss" ]; then rss=$kib; fi
	done
	printf '%-28s %8d ms %10d KiB peak\n' "$name" "$best" "$rss"
}

echo "WinSCP.ini: $sites sites, $size bytes"
run "cp" cp "$work/in.ini" "$work/copy.ini"
run "sshsync audit" "$bin" audit --format json "winscp:$work/in.ini"
run "sshsync apply --interval 60" "$bin" apply --interval 60 --no-backup "winscp:$work/in.ini"
# The result must be what was asked, and a second apply must change nothing.
cp "$work/WinSCP.ini" "$work/in.ini"
"$bin" apply --interval 60 --no-backup "winscp:$work/in.ini" >/dev/null
"$bin" audit --interval 60 "winscp:$work/in.ini" >/dev/null
"$bin" apply --interval 60 --no-backup "winscp:$work/in.ini" | grep -q unchanged
echo "apply result: audit passes, second apply unchanged"
