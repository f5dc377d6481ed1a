#!/bin/bash
# Wine's user.reg (winereg): PuTTY, KiTTY and WinSCP sessions imported into
# a fresh Wine prefix with `wine reg import`, audited and applied by sshsync
# with Wine stopped, then read back by Wine itself (`regedit /e`): the
# oracle is what Wine loads. Also: apply refuses while a wineserver runs
# for the prefix, a second apply changes nothing, undo restores the file
# byte for byte, discover finds the prefix. One wineserver for the whole
# test; skipped (77) where Wine is not installed.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/reports.bash"

if ! command -v wine >/dev/null || ! command -v wineserver >/dev/null; then
	echo "SKIP: Wine is not installed (scripts/install-deps installs wine and wine64)"
	exit 77
fi
if ! has_kind winereg; then
	echo "SKIP: this build has no winereg client"
	exit 77
fi

export WINEPREFIX="$scratch/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
# wineserver's directory (Debian: $TMPDIR/wine-XXXXXX) stays in the scratch
# folder; HOME too, so that nothing of the machine's own is read.
export TMPDIR="$scratch/tmp" HOME="$scratch/home" XDG_STATE_HOME="$scratch/state"
mkdir -p "$TMPDIR" "$HOME"
stop_wine() {
	wineserver -k >/dev/null 2>&1
	wineserver -w >/dev/null 2>&1
}
trap 'stop_wine; rm -rf "$scratch"' EXIT

start=$SECONDS
if ! wineboot --init </dev/null >/dev/null 2>&1; then
	echo "SKIP: wineboot cannot make a prefix here"
	exit 77
fi
# Wine's services, started before any output is captured.
wine cmd /c exit </dev/null >/dev/null 2>&1

U=$WINEPREFIX/user.reg
PUTTY='HKEY_CURRENT_USER\Software\SimonTatham\PuTTY\Sessions'
KITTY='HKEY_CURRENT_USER\Software\9bis.com\KiTTY\Sessions'
WINSCP='HKEY_CURRENT_USER\Software\Martin Prikryl\WinSCP 2\Sessions'

# Sessions as regedit exports them: UTF-16LE with a byte order mark, CRLF.
# "caf\xe9" is a key name PuTTY wrote for the bytes of "café" in UTF-8
# (%C3%A9 unescaped would be C3 A9; here Wine keeps é itself).
reg_import() {
	{ printf '\xff\xfe'; printf '%s' "$1" | sed 's/$/\r/' | iconv -f UTF-8 -t UTF-16LE; } >"$scratch/in.reg"
	wine reg import 'Z:'"$(printf '%s' "$scratch/in.reg" | tr / '\\')" </dev/null >/dev/null 2>&1
}
check "wine reg import of the sessions" reg_import "Windows Registry Editor Version 5.00

[$PUTTY\\web%201]
\"HostName\"=\"web1.example.com\"
\"PingInterval\"=dword:00000000
\"PingIntervalSecs\"=dword:0000001e

[$PUTTY\\off]
\"HostName\"=\"off.example.com\"

[$PUTTY\\caf%C3%A9 é]
\"HostName\"=\"cafe.example.com\"
\"PingInterval\"=\"1\"

[$PUTTY\\Default%20Settings]
\"TCPKeepalives\"=dword:00000001

[$KITTY\\k1]
\"HostName\"=\"k1.example.com\"
\"PingInterval\"=dword:00000002

[$WINSCP\\My%20site]
\"HostName\"=\"sftp.example.com\"
\"PingType\"=dword:00000001
\"PingIntervalSecs\"=dword:0000003c
"
stop_wine
check "Wine wrote the sessions into user.reg" grep -q 'SimonTatham\\\\PuTTY\\\\Sessions\\\\web%201' "$U"
cp "$U" "$scratch/before.reg"

# --- audit: what each client gets, from the file Wine wrote ---
json=$("$SSHSYNC" audit --format json "winereg:$U")
scope() { # KIND SCOPE FIELD
	$PY -c 'import json,sys
d=json.load(sys.stdin)
m=[s for s in d["scopes"] if s["kind"]==sys.argv[1] and s["scope"]==sys.argv[2]]
print(m[0][sys.argv[3]] if m else "missing")' "$@" <<<"$json"
}
check "audit gives JSON" $PY -c 'import json,sys; json.load(sys.stdin)' <<<"$json"
[ "$(scope putty 'web 1' interval)" = 30 ] && pass || fail "putty web 1 interval: $(scope putty 'web 1' interval)"
[ "$(scope putty off interval)" = 0 ] && pass || fail "putty off interval: $(scope putty off interval)"
[ "$(scope kitty k1 interval)" = 120 ] && pass || fail "kitty k1 interval: $(scope kitty k1 interval)"
[ "$(scope winscp 'My site' interval)" = 60 ] && pass || fail "winscp My site interval: $(scope winscp 'My site' interval)"
# Its key is not as PuTTY escapes names (a raw space and é): PuTTY lists
# it and loads another key, which is not there (putty-settings-oracle.exe
# shows it, tests/windows/putty_oracle.py): not judged, not written.
[ "$(scope putty 'café é' status)" = n/a ] && pass || fail "a key PuTTY never loads is n/a: $(scope putty 'café é' status)"
where=$(scope putty 'web 1' set_at)
[[ "$where" == "$U:"* ]] && pass || fail "set_at names user.reg:LINE: $where"
line=${where##*:}
sed -n "${line}p" "$U" | grep -q PingInterval && pass || fail "set_at line $line is not the value's: $(sed -n "${line}p" "$U")"
# The bare file is recognised; putty: alone reads only PuTTY's sessions.
n=$("$SSHSYNC" audit --format json "$U" | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["scopes"]))')
# PuTTY: 3 sessions and Default Settings; KiTTY and WinSCP: one each and
# the Default Settings that apply would create.
[ "$n" = 8 ] && pass || fail "bare user.reg: $n scopes, expected 8"
n=$("$SSHSYNC" audit --format json "putty:$U" | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["scopes"]))')
[ "$n" = 4 ] && pass || fail "putty:user.reg: $n scopes, expected 4"

# --- discover finds the prefix ---
"$SSHSYNC" discover | grep -qxF "winereg $U" && pass || fail "discover does not list winereg $U: $("$SSHSYNC" discover)"

# --- apply refuses while a wineserver runs for the prefix ---
wineserver -p
expect_status 2 "apply while wineserver runs" "$SSHSYNC" apply --interval 60 "winereg:$U" 2>"$scratch/err"
grep -q "wineserver is running" "$scratch/err" && pass || fail "message: $(cat "$scratch/err")"
check "nothing written while wineserver runs" cmp -s "$U" "$scratch/before.reg"
expect_status 0 "a dry run is fine while it runs" "$SSHSYNC" apply --interval 60 --dry-run --diff "winereg:$U" >"$scratch/diff"
grep -q '^+"PingInterval"=dword:00000001' "$scratch/diff" && pass || fail "dry-run diff: $(cat "$scratch/diff")"
stop_wine

# --- apply with Wine stopped ---
expect_status 0 "apply" "$SSHSYNC" apply --interval 60 "winereg:$U" >/dev/null
cp "$U" "$scratch/after.reg"
expect_status 0 "audit passes after apply" "$SSHSYNC" audit --interval 60 "winereg:$U" >/dev/null
expect_status 0 "a second apply" "$SSHSYNC" apply --interval 60 "winereg:$U" >/dev/null
check "a second apply changes nothing" cmp -s "$U" "$scratch/after.reg"
# undo refuses while a wineserver runs (it would save its copy over), and
# then puts the file back byte for byte; apply again for Wine to read.
wineserver -p
expect_status 2 "undo while wineserver runs" "$SSHSYNC" undo 2>"$scratch/err"
grep -q "wineserver is running" "$scratch/err" && pass || fail "undo message: $(cat "$scratch/err")"
check "undo wrote nothing while wineserver runs" cmp -s "$U" "$scratch/after.reg"
stop_wine
# Wine saved its own copy when it stopped (what undo guards against): the
# applied bytes back, for undo to find what that apply wrote.
cp "$scratch/after.reg" "$U"
expect_status 0 "undo" "$SSHSYNC" undo >/dev/null
check "undo restores user.reg byte for byte" cmp -s "$U" "$scratch/before.reg"
expect_status 0 "apply again" "$SSHSYNC" apply --interval 60 "winereg:$U" >/dev/null

# --- what Wine reads back ---
export_key() { # KEY FILE: regedit /e, UTF-16 to UTF-8, CRs gone
	wine regedit /e 'Z:'"$(printf '%s' "$scratch/x.reg" | tr / '\\')" "$1" </dev/null >/dev/null 2>&1
	iconv -f UTF-16 -t UTF-8 "$scratch/x.reg" | tr -d '\r' >"$2"
}
value_of() { # EXPORT KEY NAME: the data of "NAME"= in [KEY]
	awk -v k="[$2]" -v n="\"$3\"=" '$0 == k {on=1; next} /^\[/ {on=0} on && index($0, n) == 1 {print substr($0, length(n) + 1)}' "$1"
}
wine cmd /c exit </dev/null >/dev/null 2>&1
export_key "$PUTTY" "$scratch/putty.txt"
export_key "$KITTY" "$scratch/kitty.txt"
export_key "$WINSCP" "$scratch/winscp.txt"
for s in 'web%201' off 'Default%20Settings'; do
	got="$(value_of "$scratch/putty.txt" "$PUTTY\\$s" PingInterval) $(value_of "$scratch/putty.txt" "$PUTTY\\$s" PingIntervalSecs)"
	[ "$got" = "dword:00000001 dword:00000000" ] && pass || fail "Wine reads PuTTY $s as: $got"
done
[ "$(value_of "$scratch/putty.txt" "$PUTTY\\caf%C3%A9 é" PingInterval)" = '"1"' ] && pass ||
	fail "a key PuTTY never loads was written: $(cat "$scratch/putty.txt")"
[ "$(value_of "$scratch/putty.txt" "$PUTTY\\caf%C3%A9 é" HostName)" = '"cafe.example.com"' ] && pass ||
	fail "the session 'caf%C3%A9 é' lost its name or values: $(cat "$scratch/putty.txt")"
[ "$(value_of "$scratch/putty.txt" "$PUTTY\\Default%20Settings" TCPKeepalives)" = dword:00000001 ] && pass || fail "TCPKeepalives changed"
got="$(value_of "$scratch/kitty.txt" "$KITTY\\k1" PingInterval) $(value_of "$scratch/kitty.txt" "$KITTY\\k1" PingIntervalSecs)"
[ "$got" = "dword:00000001 dword:00000000" ] && pass || fail "Wine reads KiTTY k1 as: $got"
got="$(value_of "$scratch/winscp.txt" "$WINSCP\\My%20site" PingType) $(value_of "$scratch/winscp.txt" "$WINSCP\\My%20site" PingInterval) $(value_of "$scratch/winscp.txt" "$WINSCP\\My%20site" PingIntervalSecs)"
[ "$got" = "dword:00000001 dword:00000001 dword:00000000" ] && pass || fail "Wine reads WinSCP My site as: $got"
# Wine saving its registry again changes nothing sshsync did not: the
# keys apply touched keep every other value.
stop_wine
diff <(grep -v '^#time=\|^\[' "$scratch/before.reg") <(grep -v '^#time=\|^\[' "$U") | grep '^[<>]' |
	grep -v 'PingInterval' >"$scratch/other" && fail "apply changed other values: $(cat "$scratch/other")" || pass


echo "winereg: Wine 8 prefix, $((SECONDS - start)) s"
finish
