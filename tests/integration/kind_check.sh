#!/usr/bin/env bash
# A target named KIND:PATH must be of that kind before anything is read as
# one or written: another client's file, a folder of ssh snippets named as
# PuTTY sessions, or garbage named as WinSCP.ini is refused with exit 2,
# the kind it looks like, and every byte left as it was (ssh -G still reads
# the config). Real files of each kind named with their own KIND still work.
. "$(dirname "$0")/lib/scratch.bash"
mkdir -p "$HOME/.ssh/config.d"
printf 'Include config.d/*\nHost a\n    HostName a.example\n' >"$HOME/.ssh/config"
printf 'Host b\n    ServerAliveInterval 30\n' >"$HOME/.ssh/config.d/b.conf"
printf 'Host c\n    User me\n' >"$HOME/.ssh/config.d/c.conf"
chmod -R go-w "$HOME"
cp "$HOME/.ssh/config" "$work/plain-ssh-config"
mkdir -p "$work/snippets"
printf 'ServerAliveInterval=30\n' >"$work/snippets/ka"
printf 'Host=x\n  User=me\n' >"$work/snippets/host"
head -c 4096 /dev/urandom >"$work/binary"
printf 'Port 22\nClientAliveInterval 60\n' >"$work/server.conf"
# Indented, in capitals, with '=': still a server-only keyword at a line's start.
printf 'Host x\n  Hostname x.example\n  PERMITROOTLOGIN=no\n' >"$work/server2.conf"
printf 'Host x\n  Hostname x.example\n  PermitRootLogins no\n' >"$work/not-server.conf"
mkdir -p "$work/putty/sessions" "$work/kitty/Sessions"
printf 'HostName=web.example\nPingInterval=0\n' >"$work/putty/sessions/web"
printf 'HostName\\web.example\\\nPingInterval\\0\\\n' >"$work/kitty/Sessions/web"
printf '[Sessions\\web]\nHostName=web.example\nPingType=0\n' >"$work/WinSCP.ini"
cp "$work/WinSCP.ini" "$work/winscp-settings"
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Martin Prikryl\\WinSCP 2\\Sessions\\web]\r\n"HostName"="web.example"\r\n' >"$work/winscp.reg"
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\web]\r\n"HostName"="web.example"\r\n' >"$work/putty.reg"

snapshot() { find "$work" -path "$work/out" -prune -o -type f -print0 | sort -z | xargs -0 sha256sum; }

# refused ARGS... -- WANT: exit 2, WANT in the message, nothing changed.
refused() {
	local want=${*: -1} before out rc
	set -- "${@:1:$#-2}"
	before=$(snapshot)
	out=$("$SSHSYNC" "$@" 2>&1 >/dev/null)
	rc=$?
	[ $rc -eq 2 ] && ok || bad "$*: exit $rc, expected 2 ($out)"
	case "$out" in
	*"$want"*) ok ;;
	*) bad "$*: said '$out', expected '$want'" ;;
	esac
	[ "$(snapshot)" = "$before" ] && ok || bad "$*: a file changed"
	local left
	left=$(find "$work" -mindepth 1 \( -name '*sshsync*' -o -name 'Default%20Settings' \) -print)
	[ -z "$left" ] && ok || bad "$*: left $left"
}

# Another client's file under a forced KIND.
refused apply --interval 60 "winscp:$HOME/.ssh/config" -- "looks like ssh settings"
refused apply --interval 60 --dry-run "winscp:$HOME/.ssh/config" -- "looks like ssh settings"
refused apply --interval 60 "winscp:$work/plain-ssh-config" -- "it looks like ssh settings"
refused apply --interval 60 "putty:$HOME/.ssh/config.d" -- "looks like ssh settings"
refused apply --interval 60 --dry-run "putty:$HOME/.ssh/config.d" -- "looks like ssh settings"
refused apply --interval 60 "putty:$work/snippets" -- "not a PuTTY setting"
refused apply --interval 60 "kitty:$work/snippets" -- "not a KiTTY setting"
refused apply --interval 60 "kitty:$work/putty/sessions" -- "not a KiTTY setting"
refused apply --interval 60 "putty:$work/kitty/Sessions" -- "not a PuTTY setting"
refused apply --interval 60 "ssh:$work/WinSCP.ini" -- "looks like winscp settings"
refused apply --interval 60 "ssh:$work/server.conf" -- "looks like sshd settings"
refused apply --interval 60 "ssh:$work/server2.conf" -- "looks like sshd settings"
refused apply --interval 60 "ssh:$work/not-server.conf" -- "Bad configuration option"
refused apply --interval 60 "putty:$work/winscp.reg" -- "looks like winscp settings"
refused apply --interval 60 "kitty:$work/putty.reg" -- "looks like putty settings"
refused apply --interval 60 "winscp:$work/putty.reg" -- "looks like putty settings"
refused apply --interval 60 "putty:$work/WinSCP.ini" -- "looks like winscp settings"
refused apply --interval 60 "putty:$work/binary" -- "not a registry export"
refused audit --format json -o "$work/out" "winscp:$work/binary" -- "binary data"
refused apply --interval 60 "winscp:$work/binary" -- "binary data"
refused export kitty --interval 60 --from "$work/putty.reg" -o "$work/out" -- "looks like putty settings"

# A FIFO named with a KIND is not opened to be sniffed (that would block, or
# eat what the client should read).
mkfifo "$work/fifo"
timeout 10 "$SSHSYNC" audit "winscp:$work/fifo" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && ok || bad "audit winscp:FIFO: exit $rc (124: it blocked)"
rm -f "$work/fifo"

# ssh still reads the config that the forced kinds were refused on.
got=$(ssh -G -F "$HOME/.ssh/config" b </dev/null 2>&1 | awk '$1 == "serveraliveinterval" {print $2}')
[ "$got" = 30 ] && ok || bad "ssh -G b: '$got'"

# The same files under their own KIND are read and written.
for t in "putty:$work/putty/sessions" "kitty:$work/kitty/Sessions" "winscp:$work/WinSCP.ini" \
	"winscp:$work/winscp-settings" "winscp:$work/winscp.reg" "putty:$work/putty.reg" \
	"kitty:$work/kitty/Sessions/../Sessions" "ssh:$work/plain-ssh-config"; do
	out=$("$SSHSYNC" apply --interval 60 --dry-run "$t" 2>&1)
	[ $? -eq 0 ] && ok || bad "apply --dry-run $t: $out"
done
out=$("$SSHSYNC" apply --interval 60 "ssh:$HOME/.ssh/config" 2>&1) && ok || bad "apply ssh: $out"
got=$(ssh -G -F "$HOME/.ssh/config" b </dev/null 2>&1 | awk '$1 == "serveraliveinterval" {print $2}')
[ "$got" = 60 ] && ok || bad "ssh -G b after apply: '$got'"

# Every corpus file under its own kind passes the check (fixtures/corpus,
# or the shared corpus in kind_check[shared]).
corpus=$SSHSYNC_CORPUS
for f in "$corpus"/winscp/* "$corpus"/putty/*.reg; do
	k=winscp
	case $f in *.reg) k=putty ;; esac
	out=$("$SSHSYNC" audit "$k:$f" 2>&1 >/dev/null)
	case "$out" in
	*"nothing was read"*) bad "$k:$f refused: $out" ;;
	*) ok ;;
	esac
done

finish
