#!/usr/bin/env bash
# sshsync.exe under Wine: migrate --host-keys (the Ed25519 x recovered with
# the cross-built libcrypto) writes the same PuTTY sshhostkeys and the same
# WinSCP.ini [SshHostKeys] as the native sshsync; migrate --keys lists its
# conversion in a dry run, and without puttygen.exe on the PATH (ss_os_run
# through CreateProcessW: ENOENT) stops with exit 2, names puttygen.exe and
# writes nothing.
# Needs WINEPREFIX (a ready prefix, its wineserver running), SSHSYNC_EXE and
# SSHSYNC_NATIVE; .ci/windows runs it.
: "${SSHSYNC_NATIVE:?the native sshsync}"
. "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
not() { ! "$@"; }
win() { winepath -w "$1" 2>/dev/null; }
w=$(mktemp -d "${TMPDIR:-/tmp}/sshsync-winkeys-XXXXXX") || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$w"' EXIT
export XDG_STATE_HOME=$w/state

# Host keys of every type PuTTY caches, for hosts on 22 and another port.
: >"$w/known_hosts"
printf '' >"$w/ssh_config"
i=0
for t in ed25519 ecdsa rsa; do
	i=$((i + 1))
	ssh-keygen -q -t $t -N '' -f "$w/hk$i" -C ""
	port=$((20 + i))
	printf '[h%d.example.com]:%d %s\n' $i $port "$(cut -d' ' -f1,2 "$w/hk$i.pub")" >>"$w/known_hosts"
	printf 'Host h%d\n  HostName h%d.example.com\n  Port %d\n  IdentityFile %s\n' \
		$i $i $port "$(win "$w/hk$i")" >>"$w/ssh_config"
done
for side in native exe; do
	mkdir -p "$w/$side/putty/sessions"
	printf '[Configuration\\Interface]\r\nFoo=1\r\n' >"$w/$side/WinSCP.ini"
done
"$SSHSYNC_NATIVE" migrate --from "ssh:$w/ssh_config" --to "putty:$w/native/putty/sessions" \
	--host-keys --known-hosts "$w/known_hosts" >/dev/null
"$SSHSYNC_NATIVE" migrate --from "ssh:$w/ssh_config" --to "winscp:$w/native/WinSCP.ini" \
	--host-keys --known-hosts "$w/known_hosts" >/dev/null
rc=0
wine "$exe" migrate --from "ssh:$(win "$w/ssh_config")" --to "putty:$(win "$w/exe/putty/sessions")" \
	--host-keys --known-hosts "$(win "$w/known_hosts")" </dev/null >"$w/exe1.out" 2>&1 || rc=$?
check "sshsync.exe migrate --host-keys to PuTTY: exit 0 ($(cat "$w/exe1.out"))" [ $rc = 0 ]
rc=0
wine "$exe" migrate --from "ssh:$(win "$w/ssh_config")" --to "winscp:$(win "$w/exe/WinSCP.ini")" \
	--host-keys --known-hosts "$(win "$w/known_hosts")" </dev/null >"$w/exe2.out" 2>&1 || rc=$?
check "sshsync.exe migrate --host-keys to WinSCP.ini: exit 0 ($(cat "$w/exe2.out"))" [ $rc = 0 ]
check "three host keys in PuTTY's cache" [ "$(grep -c . "$w/native/putty/sshhostkeys")" = 3 ]
check "sshsync.exe's sshhostkeys is the native one" cmp -s "$w/native/putty/sshhostkeys" "$w/exe/putty/sshhostkeys"
check "sshsync.exe's [SshHostKeys] is the native one" \
	cmp -s <(sed -n '/^\[SshHostKeys\]/,$p' "$w/native/WinSCP.ini") \
	<(sed -n '/^\[SshHostKeys\]/,$p' "$w/exe/WinSCP.ini")

# --keys: the dry run names the .ppk to make; without puttygen.exe, exit 2.
mkdir -p "$w/keys"
out=$(wine "$exe" migrate --from "ssh:$(win "$w/ssh_config")" --to "putty:$(win "$w/exe/putty/sessions")" \
	--keys "$(win "$w/keys")" --dry-run </dev/null 2>&1 | tr -d '\r') || true
check "the dry run lists hk1 -> hk1.ppk" grep -q 'hk1 -> .*hk1\.ppk (to convert)' <<<"$out"
before=$(cd "$w" && find . -type f -newer "$w/keys" | sort; md5sum exe/putty/sessions/* | sort)
rc=0
out=$(wine "$exe" migrate --from "ssh:$(win "$w/ssh_config")" --to "putty:$(win "$w/exe/putty/sessions")" \
	--keys "$(win "$w/keys")" </dev/null 2>&1) || rc=$?
out=$(tr -d '\r' <<<"$out")
check "without puttygen.exe: exit 2" [ $rc = 2 ]
check "...names puttygen.exe ($out)" grep -q "puttygen.exe" <<<"$out"
check "...writes no key" [ -z "$(ls -A "$w/keys")" ]
check "...and no session" [ "$before" = "$(cd "$w" && find . -type f -newer "$w/keys" | sort; md5sum exe/putty/sessions/* | sort)" ]

finish
