# Shared by the report, policy, discovery and GPP integration tests:
# counters, checks and a scratch directory. Source it, then call `finish`.
set -uo pipefail
: "${SSHSYNC:?SSHSYNC must name the sshsync binary}"
: "${SSHSYNC_SHARED:?SSHSYNC_SHARED must name the shared folder}"
passed=0
failed=0
skipped=0
scratch=$(mktemp -d "${TMPDIR:-/tmp}/sshsync-it-XXXXXX")
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
# Whether this build has a client for KIND.
has_kind() {
	local msg
	msg=$("$SSHSYNC" audit "$1:/nonexistent/sshsync-probe" 2>&1)
	! grep -q "cannot read that kind" <<<"$msg"
}
finish() {
	printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
	[ "$failed" -eq 0 ]
}
