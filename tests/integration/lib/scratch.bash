# Shared by the integration tests that need no ../shared: the binary,
# Python, pass/fail counters, a private scratch directory ($work, removed on
# exit) with its own HOME, and `finish`. Source it, then call `finish`.
set -uo pipefail
: "${SSHSYNC:?SSHSYNC must name the sshsync binary}"
# The system's Python: a version manager's shim can take seconds to start.
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*" >&2
}
work=$(mktemp -d "${TMPDIR:-/tmp}/sshsync-it-XXXXXX") || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$work"' EXIT
export HOME=$work/home
mkdir -p "$HOME/.ssh"
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
