# Sourced by the tests/windows/*.sh scripts (.ci/windows runs them under
# one Wine prefix and wineserver): strict mode, the checks every script
# needs, and sshsync.exe as an absolute path in $exe.
#   ok NAME | bad NAME            count a check
#   check NAME COMMAND...         ok when COMMAND succeeds
#   status WANT NAME COMMAND...   ok when COMMAND exits with WANT
#   finish [LABEL]                the counts; fails when any check did
set -euo pipefail
: "${SSHSYNC_EXE:?the path of sshsync.exe}" "${WINEPREFIX:?a Wine prefix}"
export WINEDEBUG=-all
command -v wine >/dev/null || { echo "SKIP: no wine"; exit 77; }
exe=$(cd "$(dirname "$SSHSYNC_EXE")" && pwd)/$(basename "$SSHSYNC_EXE")
pass=0 fail=0
ok() { echo "ok: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}
status() {
	local want=$1 name=$2 rc=0
	shift 2
	"$@" || rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$name"; else bad "$name (exit $rc, expected $want)"; fi
}
finish() {
	echo "${1:+$1: }$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
