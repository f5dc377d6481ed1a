#!/bin/bash
# reg: the live Windows registry. Everywhere: a reg: target on a system
# without a registry is an error scope that says so, and a key that is no
# client's sessions key is refused. With a Windows build (sshsync.exe: the
# file $SSHSYNC_EXE, or build-windows/sshsync.exe in the source tree) and
# Wine: sessions imported with `reg import` (UTF-16LE with BOM) into a
# registry of the test's own (SSHSYNC_REGISTRY_HKCU), audited by
# sshsync.exe, and compared with what `reg query` shows.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/reports.bash"

PUTTY='HKCU\Software\SimonTatham\PuTTY\Sessions'
if ! has_kind reg; then
	echo "SKIP: this build has no reg client"
	exit 77
fi

# --- no registry here ---
out=$("$SSHSYNC" audit "reg:$PUTTY" 2>&1)
expect_status 2 "audit reg: without a registry" "$SSHSYNC" audit "reg:$PUTTY" >/dev/null 2>&1
grep -q "the Windows registry is not available on this system" <<<"$out" && pass ||
	fail "no-registry message: $out"
out=$("$SSHSYNC" audit 'reg:HKCU\Software\Other' 2>&1)
grep -q "expected the sessions key of PuTTY" <<<"$out" && pass || fail "other key: $out"

# --- under Wine, with sshsync.exe ---
exe=${SSHSYNC_EXE:-${SSHSYNC_SOURCE:-$HERE/../..}/build-windows/sshsync.exe}
if [ ! -f "$exe" ] || ! command -v wine >/dev/null; then
	skip "live registry under Wine: no sshsync.exe ($exe) or no Wine"
	finish
	exit $?
fi
export WINEPREFIX="$scratch/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
export TMPDIR="$scratch/tmp"
mkdir -p "$TMPDIR"
trap 'wineserver -k >/dev/null 2>&1; wineserver -w >/dev/null 2>&1; rm -rf "$scratch"' EXIT
wineboot --init </dev/null >/dev/null 2>&1 || { skip "wineboot cannot make a prefix"; finish; exit $?; }
wine cmd /c exit </dev/null >/dev/null 2>&1
own="Software\\sshsync-test-$$"
winpath() { printf 'Z:%s' "$1" | tr / '\\'; }
{
	printf '\xff\xfe'
	printf '%s\r\n' 'Windows Registry Editor Version 5.00' '' \
		"[HKEY_CURRENT_USER\\$own\\Software\\SimonTatham\\PuTTY\\Sessions\\web%201]" \
		'"PingInterval"=dword:00000000' '"PingIntervalSecs"=dword:0000001e' '' \
		"[HKEY_CURRENT_USER\\$own\\Software\\SimonTatham\\PuTTY\\Sessions\\off]" \
		'"HostName"="off.example.com"' '' \
		"[HKEY_CURRENT_USER\\$own\\Software\\SimonTatham\\PuTTY\\Sessions\\str]" \
		'"PingInterval"="1"' | iconv -f UTF-8 -t UTF-16LE
} >"$scratch/in.reg"
check "reg import" wine reg import "$(winpath "$scratch/in.reg")" </dev/null >/dev/null 2>&1
json=$(SSHSYNC_REGISTRY_HKCU="$own" wine "$exe" audit --format json "reg:$PUTTY" </dev/null 2>"$scratch/err")
scope() {
	$PY -c 'import json,sys
d=json.load(sys.stdin)
m=[s for s in d["scopes"] if s["scope"]==sys.argv[1]]
print(m[0][sys.argv[2]] if m else "missing")' "$@" <<<"$json"
}
[ "$(scope 'web 1' interval)" = 30 ] && pass || fail "web 1: $(scope 'web 1' interval) ($json $(cat "$scratch/err"))"
[ "$(scope off interval)" = 0 ] && pass || fail "off: $(scope off interval)"
[ "$(scope str status)" = fail ] && pass || fail "a string PingInterval: $(scope str status)"
[[ "$(scope 'web 1' set_at)" == *'Sessions\web%201\PingInterval'* ]] && pass ||
	fail "set_at: $(scope 'web 1' set_at)"
# The oracle: reg query sees the same DWORDs.
q=$(wine reg query "HKCU\\$own\\Software\\SimonTatham\\PuTTY\\Sessions\\web%201" /v PingIntervalSecs </dev/null 2>/dev/null | tr -d '\r')
grep -q 'REG_DWORD *0x1e' <<<"$q" && pass || fail "reg query: $q"
finish
