#!/usr/bin/env bash
# sshsync.exe under Wine where OpenSSH for Windows keeps its files:
# discover finds %USERPROFILE%\.ssh\config, %PROGRAMDATA%\ssh\ssh_config
# and sshd_config; Include is relative to those folders and matches names
# case-insensitively (as Win32-OpenSSH); apply replaces a CRLF file in
# place, keeps a backup and a journal in %LOCALAPPDATA%\sshsync, and undo
# puts every byte back; a read-only file is refused and left alone; PuTTY's
# PingInterval=1 is 60 s (minutes*60 with a 32-bit long once read -60).
# Needs WINEPREFIX (a ready prefix, its wineserver running) and
# SSHSYNC_EXE; .ci/windows runs it.
. "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
# sshsync.exe's output, with CRs dropped (Wine's console adds none: binary
# stdio; this only guards the comparison).
sx() { wine "$exe" "$@" </dev/null; }

unix() { winepath -u "$1" 2>/dev/null | sed 's:/*$::'; }
profile_w=$(wine cmd /c 'echo %USERPROFILE%' </dev/null | tr -d '\r')
programdata_w=$(wine cmd /c 'echo %PROGRAMDATA%' </dev/null | tr -d '\r')
localappdata_w=$(wine cmd /c 'echo %LOCALAPPDATA%' </dev/null | tr -d '\r')
profile=$(unix "$profile_w")
programdata=$(unix "$programdata_w")
localappdata=$(unix "$localappdata_w")
[ -d "$profile" ] && [ -n "$programdata" ] || { echo "FAIL: no Wine profile"; exit 1; }
saved=$(mktemp -d "${TMPDIR:-/tmp}/sshsync-winloc-XXXXXX") || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
# The prefix is the step's own, but leave it as found.
for d in "$profile/.ssh" "$programdata/ssh" "$localappdata/sshsync"; do
	if [ -e "$d" ] || [ -L "$d" ]; then mv "$d" "$saved/$(echo "$d" | tr / _)"; fi
done
restore() {
	rm -rf "$profile/.ssh" "$programdata/ssh" "$localappdata/sshsync"
	for f in "$saved"/*; do
		[ -e "$f" ] || continue
		mv "$f" "$(basename "$f" | tr _ /)"
	done
	rm -rf "$saved"
}
trap restore EXIT

mkdir -p "$profile/.ssh/conf.d" "$programdata/ssh/ssh_config.d"
printf 'Include Conf.D\\*.CONF\r\nHost pi\r\n    ServerAliveInterval 300\r\n' >"$profile/.ssh/config"
printf 'Host git\r\n    ServerAliveInterval 15\r\n' >"$profile/.ssh/conf.d/work.conf"
printf 'Include ssh_config.d/*.conf\nHost *\n    ServerAliveInterval 0\n' >"$programdata/ssh/ssh_config"
printf 'Host legacy\n    ServerAliveInterval 500\n' >"$programdata/ssh/ssh_config.d/10-legacy.conf"
printf 'ClientAliveInterval 0\n' >"$programdata/ssh/sshd_config"

out=$(sx discover | tr -d '\r')
echo "$out"
check "discover finds %USERPROFILE%\\.ssh\\config" grep -qiF "$profile_w\\.ssh\\config" <<<"$out"
check "discover finds %PROGRAMDATA%\\ssh\\ssh_config" grep -qiF "$programdata_w\\ssh\\ssh_config" <<<"$out"
check "discover finds %PROGRAMDATA%\\ssh\\sshd_config" grep -qiF "$programdata_w\\ssh\\sshd_config" <<<"$out"
# Win32-OpenSSH's ~ is the profile, whatever %HOME% says (Git for Windows
# sets one; Wine passes none, so the test sets it inside Wine).
exe_w=$(winepath -w "$exe" 2>/dev/null)
# (cmd /c takes no quotes here: the paths hold no blanks.)
out=$(wine cmd /c "set HOME=C:\\nowhere&& $exe_w discover" </dev/null | tr -d '\r')
check "discover ignores %HOME% for ~\\.ssh\\config" grep -qiF "$profile_w\\.ssh\\config" <<<"$out"
home_audit() {
	wine cmd /c "set HOME=C:\\nowhere&& $exe_w audit --format json ssh:$profile_w\\.ssh\\config" </dev/null | tr -d '\r' || true
}
json=$(home_audit)
# This check failed once in a CI run under load (its output unseen) and
# passed on every run after: a run that gives no report at all is made
# again, and says so; a report without the value fails, and is shown.
if ! grep -q '"scopes"' <<<"$json"; then
	echo "TRANSIENT: no report through wine cmd /c (${#json} bytes: ${json:0:200}); run again"
	json=$(home_audit)
fi
check "with %HOME% set, Include is still relative to the profile's .ssh" grep -q '"interval": 15' <<<"$json"
grep -q '"interval": 15' <<<"$json" || printf '%s\n' "$json" | head -20

json=$(sx audit --format json "ssh:$profile_w\\.ssh\\config" || true)
val() { # val JSON SCOPE FIELD
	python3 -c 'import json,sys
d=json.loads(sys.argv[1])
print(next((s[sys.argv[3]] for s in d["scopes"] if s["scope"]==sys.argv[2]), "none"))' "$@"
}
check "Include Conf.D\\*.CONF matches conf.d\\work.conf (case-insensitive)" \
	test "$(val "$json" git interval)" = 15
check "the included file is named where it sets the value" \
	grep -qi 'conf.d.work.conf:2' <<<"$(val "$json" git set_at)"
sysjson=$(sx audit --format json "ssh:$programdata_w\\ssh\\ssh_config" || true)
check "the system file's Include is relative to %PROGRAMDATA%\\ssh" \
	test "$(val "$sysjson" legacy interval)" = 500

before=$(sha256sum <"$profile/.ssh/config")
sx apply --interval 25 "ssh:$profile_w\\.ssh\\config" >/dev/null
check "apply changes the value in place" grep -q $'ServerAliveInterval 25\r$' "$profile/.ssh/config"
check "apply keeps CRLF" test "$(grep -c $'\r$' "$profile/.ssh/config")" = "$(wc -l <"$profile/.ssh/config")"
check "apply keeps a backup" test -f "$profile/.ssh/config.sshsync-bak"
check "the backup is the original" test "$(sha256sum <"$profile/.ssh/config.sshsync-bak")" = "$before"
check "the journal is in %LOCALAPPDATA%\\sshsync" test -s "$localappdata/sshsync/journal"
sx undo >/dev/null
check "undo puts every byte back" test "$(sha256sum <"$profile/.ssh/config")" = "$before"

chmod a-w "$profile/.ssh/config"
rc=0
err=$(wine "$exe" apply --interval 25 "ssh:$profile_w\\.ssh\\config" 2>&1 </dev/null >/dev/null) || rc=$?
check "a read-only file is refused (exit 2)" test "$rc" = 2
check "...saying so" grep -qi "read-only" <<<"$err"
check "...and left alone" test "$(sha256sum <"$profile/.ssh/config")" = "$before"
chmod u+w "$profile/.ssh/config"

reg=$(mktemp -d "${TMPDIR:-/tmp}/sshsync-winreg-XXXXXX") || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\one]\r\n"PingInterval"=dword:00000001\r\n\r\n' |
	iconv -f UTF-8 -t UTF-16LE | { printf '\xff\xfe'; cat; } >"$reg/s.reg"
pj=$(sx audit --format json "putty:$(winepath -w "$reg/s.reg")" || true)
rm -rf "$reg"
check "PuTTY PingInterval=1 is 60 s" test "$(val "$pj" one interval)" = 60

finish
