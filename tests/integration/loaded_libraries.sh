#!/usr/bin/env bash
# libxml2 and libcrypto are loaded on first use (src/os/os_dynlib_posix.c),
# not at start. With an unloadable copy of each first on LD_LIBRARY_PATH:
# what needs neither still works (so neither was loaded), and what needs one
# says which library it could not load, exits 2 and writes nothing.
. "$SSHSYNC_TESTS/integration/lib/reports.bash"
w=$scratch
if ldd "$SSHSYNC" 2>/dev/null | grep -qE "lib(xml2|crypto)\.so"; then
	echo "skipped: this build links libxml2 or libcrypto at start"
	exit 77
fi
mkdir "$w/broken" && : >"$w/broken/libxml2.so.2" && : >"$w/broken/libcrypto.so.3"
broken() { LD_LIBRARY_PATH="$w/broken" XDG_STATE_HOME="$w/state" "$SSHSYNC" "$@"; }
printf 'Host a\n    User deploy\n' >"$w/config"
cp "$w/config" "$w/config.orig"
reg="$SSHSYNC_FIXTURES/corpus/putty/regedit5_utf16.reg"

expect_status 0 "--version without either library" broken --version >/dev/null
expect_status 1 "an audit in JSON without either library" broken audit --format json \
	--interval 60 "ssh:$w/config" >"$w/json"
check "the JSON report is complete" "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' \
	"$w/json"
expect_status 1 "an audit in text of a UTF-16 .reg without either library" broken audit \
	--interval 60 "putty:$reg" >/dev/null
expect_status 0 "apply --dry-run without either library" broken apply --interval 60 --dry-run \
	"ssh:$w/config" >/dev/null

# The JUnit report is written by hand (src/report/junit.c): no libxml2.
expect_status 1 "a JUnit report without either library" broken audit --format junit \
	--interval 60 "ssh:$w/config" >"$w/junit" 2>"$w/err"
check "is XML" xmllint --noout "$w/junit"
check "and prints no error" test ! -s "$w/err"
expect_status 2 "a Group Policy export needs libxml2" broken export putty --interval 60 \
	--session web --format gpp -o "$w/Registry.xml" >/dev/null 2>"$w/err"
check "and says it cannot load libxml2.so.2" grep -q "cannot load libxml2.so.2" "$w/err"
check "and writes no file" test ! -e "$w/Registry.xml"
expect_status 0 "the same export in .reg without either library" broken export putty \
	--interval 60 --session web -o "$w/web.reg" >/dev/null
check "writes the .reg" bash -c 'iconv -f UTF-16 -t UTF-8 "$1" | grep -q PingInterval' _ "$w/web.reg"

# A file of 1 MiB or more is hashed ahead of the write (engine/writeset.c):
# without libcrypto that is left out, and an apply that changes nothing
# needs no journal, hence no libcrypto, as for a small file.
"$PY" - "$w/big.conf" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("Host *\n    ServerAliveInterval 60\n")
    for i in range(20000):
        f.write("# host %06d: an old entry kept for the record, nothing to change\n" % i)
PY
expect_status 0 "apply to a 1.3 MB file that is as asked, without libcrypto" broken apply \
	--interval 60 "ssh:$w/big.conf" >"$w/out" 2>"$w/err"
check "says it is unchanged" grep -q "^unchanged .*big.conf" "$w/out"
check "and prints no error" test ! -s "$w/err"

expect_status 2 "apply needs libcrypto (the journal's SHA-256)" broken apply --interval 60 \
	"ssh:$w/config" >/dev/null 2>"$w/err"
check "and says it cannot load libcrypto.so.3" grep -q "cannot load libcrypto.so.3" "$w/err"
check "and leaves the file as it was" cmp -s "$w/config" "$w/config.orig"

# The real libraries, loaded on first use, do the same work.
expect_status 0 "apply with libcrypto" env XDG_STATE_HOME="$w/state" "$SSHSYNC" apply \
	--interval 60 "ssh:$w/config" >/dev/null
check "and sets the interval" grep -q "ServerAliveInterval 60" "$w/config"
finish
