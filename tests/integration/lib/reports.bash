# Shared by the report, policy, discovery and GPP integration tests:
# counters, checks and a scratch directory. Source it, then call `finish`.
set -uo pipefail
: "${SSHSYNC:?SSHSYNC must name the sshsync binary}"
# The system's Python: a version manager's shim can take seconds to start.
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
passed=0
failed=0
skipped=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/sshsync-it-XXXXXX") || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$scratch"' EXIT

pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	printf 'FAIL: %s\n' "$*" >&2
}
skip() {
	skipped=$((skipped + 1))
	printf 'SKIP: %s\n' "$*" >&2
}
# check "what" command...: passes when the command succeeds.
check() {
	local what=$1
	shift
	if "$@"; then pass; else fail "$what"; fi
}
# expect_status N "what" command...: the command exits with N.
expect_status() {
	local want=$1 what=$2
	shift 2
	"$@"
	local got=$?
	if [ "$got" -eq "$want" ]; then pass; else fail "$what (exit $got, expected $want)"; fi
}
# Whether this build has a client for KIND (asked once per kind).
declare -A kinds_seen=()
has_kind() {
	if [ -z "${kinds_seen[$1]:-}" ]; then
		local msg
		msg=$("$SSHSYNC" audit "$1:/nonexistent/sshsync-probe" 2>&1)
		if grep -q "cannot read that kind" <<<"$msg"; then
			kinds_seen[$1]=no
		else
			kinds_seen[$1]=yes
		fi
	fi
	[ "${kinds_seen[$1]}" = yes ]
}
# Asks about every kind once, so that has_kind in a subshell needs no run.
probe_kinds() {
	local k
	for k in ssh sshd putty kitty winscp gpp; do has_kind "$k" || true; done
}
finish() {
	printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
	[ "$failed" -eq 0 ]
}
