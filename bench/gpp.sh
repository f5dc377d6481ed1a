#!/usr/bin/env bash
# Group Policy Registry.xml at scale: export --format gpp of a 10,000-session
# PuTTY .reg, and audit of the Registry.xml it gives, beside xmllint --noout
# (libxml2's own reader, the reference) and cp of the same file: wall time
# and peak memory from GNU time (/usr/bin/time -v).
# Usage: bench/gpp.sh BUILD_DIR [SESSIONS]
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

. "$(dirname "$0")/lib/measure.bash"

# run NAME CMD...: the best wall time of 3 runs and the largest peak.
run() {
	local name=$1 best="" rss=0 s kib
	shift
	for _ in 1 2 3; do
		rm -f "$work/out.xml"
		read -r s kib < <(measure "$@")
		if [ -z "$best" ] || awk "BEGIN { exit !($s < $best) }"; then best=$s; fi
		if [ "$kib" -gt "$rss" ]; then rss=$kib; fi
	done
	printf '%-36s %8.0f ms %10d KiB peak\n' "$name" "$(awk "BEGIN { print $best * 1000 }")" "$rss"
}

"$bin" export putty --interval 60 --from "putty:$work/sessions.reg" --format gpp -o "$work/Registry.xml"
size=$(stat -c %s "$work/Registry.xml")
items=$(grep -c '<Registry ' "$work/Registry.xml")
echo "Registry.xml: $sessions sessions, $items items, $size bytes"
run "sshsync export putty --format gpp" "$bin" export putty --interval 60 \
	--from "putty:$work/sessions.reg" --format gpp -o "$work/out.xml"
run "cp Registry.xml" cp "$work/Registry.xml" "$work/out.xml"
run "xmllint --noout Registry.xml" xmllint --noout "$work/Registry.xml"
run "sshsync audit gpp:Registry.xml" "$bin" audit --format json "gpp:$work/Registry.xml"
"$bin" audit --interval 60 "gpp:$work/Registry.xml" >/dev/null
echo "audit of the export: every session passes"
