#!/bin/bash
# Unix PuTTY's own reading of its session files against sshsync audit:
# the native putty-settings-oracle (PuTTY 0.78's settings.c and
# unix/storage.c, built from Debian's source package by
# scripts/build-putty-oracle --native, cached in the build folder: about a
# minute the first time, then nothing) on 4 rounds of 40 generated session
# folders (tests/integration/putty_oracle_unix.py, a few seconds).
# Skips (77) when there is no compiler or the source package cannot be
# fetched (no network, no deb-src on the mirror).
set -u
: "${SSHSYNC:?path of the sshsync binary}" "${SSHSYNC_SOURCE:?the source tree}"
: "${SSHSYNC_BUILD:?the build folder}" "${SSHSYNC_TESTS:?the tests folder}"
T=$(mktemp -d "${TMPDIR:-/tmp}/sshsync-puttyoracle-XXXXXX") || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$T"' EXIT
deps=$SSHSYNC_BUILD/putty-oracle-deps
rc=0
"$SSHSYNC_SOURCE/scripts/build-putty-oracle" --native --prefix "$deps" >"$T/build.log" 2>&1 || rc=$?
case $rc in
0) ;;
3 | 77)
	echo "SKIP: no native PuTTY oracle: $(tail -n 1 "$T/build.log")"
	exit 77
	;;
*)
	cat "$T/build.log"
	exit 1
	;;
esac
python3 "$SSHSYNC_TESTS/integration/putty_oracle_unix.py" \
	"$deps/putty-oracle/native/putty-settings-oracle" "$SSHSYNC" "$T/work" --rounds 4 --sessions 40
