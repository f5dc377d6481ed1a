#!/usr/bin/env bash
# A clone that stands alone: the repository cloned into a temporary folder
# with no ../shared beside it passes `make check`. Every [shared] test is
# reported skipped with a reason naming -DSSHSYNC_SHARED_DIR, every other
# test runs and passes, and CMake said at configure time that it did not
# find the corpus. To stay cheap it reuses the installed packages, builds
# without sanitizers, and leaves out itself, the packaging test and the
# slowest tests, whose cases come from generators or programs and read no
# file of ../shared (sshd_oracle, ssh_differential, and the client oracles
# migrate_oracle, hostkeys, keys: the main run has them), migrate's generated
# round trips, and the tests that time packets on the clock (wire, probe_fake
# and the network lab, net/: the main run has them too; run here beside the
# main run's own tests, on 2 cores, their periods drifted past tolerance).
# It tests the committed HEAD of the source tree (uncommitted changes are
# not in a clone).
set -uo pipefail
: "${SSHSYNC_SOURCE:?the source tree (ctest sets it)}"
if ! head=$(git -C "$SSHSYNC_SOURCE" rev-parse HEAD 2>/dev/null); then
	echo "skipped: $SSHSYNC_SOURCE is not a git checkout"
	exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/sshsync-clone-XXXXXX") || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
chmod 755 "$work" # a test runs the binary as another user
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
check() { # WHAT COMMAND...
	local what=$1
	shift
	if "$@"; then pass=$((pass + 1)); else
		fail=$((fail + 1))
		echo "FAIL: $what"
	fi
}

git clone -q --no-checkout "$SSHSYNC_SOURCE" "$work/sshsync" &&
	git -C "$work/sshsync" checkout -q --detach "$head" || exit 1
left_out='integration/(standalone_clone|packaging|sshd_oracle|ssh_differential|migrate_oracle|hostkeys|keys|wire|probe_fake|migrate_(ssh|putty|winscp|plink))|net/'
echo "testing a clone of $head in $work/sshsync (no $work/shared)"
# Nothing of this build's environment leaks into the clone's.
env -u SSHSYNC_SHARED -u SSHSYNC_REQUIRE_SHARED -u SSHSYNC_CORPUS -u SSHSYNC \
	-u SSHSYNC_FIXTURES -u SSHSYNC_TESTS -u SSHSYNC_SOURCE -u SSHSYNC_BUILD \
	-u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	timeout 900 make -C "$work/sshsync" check JOBS=2 CHECK_FLAGS=-DSSHSYNC_WERROR=ON \
	CTEST_ARGS="-E '$left_out'" >"$work/check.log" 2>&1
rc=$?
check "make check in the clone passes (exit $rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || tail -60 "$work/check.log"
check "CMake says it did not find the shared corpus" \
	grep -q "Shared corpus not found at .*-DSSHSYNC_SHARED_DIR=DIR" "$work/check.log"
# (before ctest -N, which writes a new LastTest.log)
log="$work/sshsync/build-check/Testing/Temporary/LastTest.log"
reasons=$(grep -c "^skipped: needs the shared corpus.*(configure with -DSSHSYNC_SHARED_DIR=DIR)" "$log")
tests=$(cd "$work/sshsync/build-check" && ctest -N -E "$left_out" |
	sed -n 's/^ *Test *#[0-9]*: //p')
shared=$(grep -c '\[shared\]$' <<<"$tests")
skipped=$(sed -n '/tests did not run/,/^$/p' "$work/check.log" | grep -c '(Skipped)')
skipped_shared=$(sed -n '/tests did not run/,/^$/p' "$work/check.log" | grep -c '\[shared\] (Skipped)')
echo "$(wc -l <<<"$tests") tests, $shared need the shared corpus, $skipped skipped"
check "some tests need the shared corpus" test "$shared" -gt 0
check "every [shared] test is skipped" test "$skipped_shared" -eq "$shared"
check "no other test is skipped" test "$skipped" -eq "$shared"
check "each skip says why, naming -DSSHSYNC_SHARED_DIR ($reasons of $shared)" test "$reasons" -eq "$shared"
# CI's mode: the same clone refuses to configure without the corpus.
SSHSYNC_REQUIRE_SHARED=1 cmake -S "$work/sshsync" -B "$work/required" >"$work/required.log" 2>&1
check "SSHSYNC_REQUIRE_SHARED=1 makes configuring without the corpus fail" test $? -ne 0
check "... saying so" grep -q "SSHSYNC_REQUIRE_SHARED=1 but there is no shared folder" "$work/required.log"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
