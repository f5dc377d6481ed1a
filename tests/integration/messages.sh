#!/usr/bin/env bash
# Messages a new user meets: each says what is wrong (a too-large interval
# says the maximum, a directory is a directory, an unknown KIND is an
# unknown kind, a full stdout is an error), --interval takes OpenSSH's time
# syntax (checked with the real ssh -G), and apply says per client what
# makes the change take effect.
. "$(dirname "$0")/lib/scratch.bash"
cd "$work" || exit 1
printf 'Host a\n    ServerAliveInterval 30\n' >cfg
chmod go-w cfg

# says STATUS WANT ARGS...: exit STATUS and WANT in what it prints on stderr.
says() {
	local want_rc=$1 want=$2 out rc
	shift 2
	out=$("$SSHSYNC" "$@" 2>&1 >/dev/null)
	rc=$?
	[ $rc -eq "$want_rc" ] && ok || bad "$*: exit $rc, expected $want_rc ($out)"
	case "$out" in
	*"$want"*) ok ;;
	*) bad "$*: said '$out', expected '$want'" ;;
	esac
}

says 2 "too large (at most 2147483647" audit --interval 99999999999 ssh:cfg
says 2 "too large (at most 2147483647" apply --interval 99999999999 ssh:cfg
says 2 "too large (at most 2147483647" apply --interval 600000w ssh:cfg
says 2 "not a time of 1 second or more" apply --interval 1x ssh:cfg
says 2 "not a time of 1 second or more" apply --interval 0 ssh:cfg
says 2 "too large" audit --nat-timeout 99999999999 ssh:cfg
says 2 "is a directory" apply --interval 60 "ssh:$HOME/.ssh"
says 2 "is a directory" apply --interval 60 "sshd:$work"
says 2 "the directory /nonexistent/dir: No such file or directory" \
	audit -o /nonexistent/dir/r.xml --format junit ssh:cfg
says 2 "is not a directory" audit -o cfg/r.xml ssh:cfg
says 2 "unknown kind 'foo'" audit foo:cfg
says 2 "unknown kind 'SSH' (kinds are lowercase: ssh:cfg)" audit SSH:cfg
says 2 "unknown kind 'Putty'" apply --interval 60 Putty:cfg
# A file whose name has a colon is still a file.
cp cfg 'odd:cfg'
says 1 "" audit --interval 30 'odd:cfg'
[ "$(cat cfg)" = "$(printf 'Host a\n    ServerAliveInterval 30')" ] && ok || bad "cfg changed"

# A full standard output is an error, for every command that prints.
if [ -w /dev/full ]; then
	for args in "discover" "--help" "audit --help" "apply --help" "help export" "--version" \
		"audit ssh:cfg" "apply --interval 30 --dry-run ssh:cfg"; do
		# shellcheck disable=SC2086
		out=$("$SSHSYNC" $args 2>&1 >/dev/full)
		rc=$?
		[ $rc -eq 2 ] && ok || bad "$args > /dev/full: exit $rc"
		case "$out" in
		*"cannot write to standard output"*) ok ;;
		*) bad "$args > /dev/full said '$out'" ;;
		esac
	done
else
	echo "SKIP: no /dev/full" >&2
fi

# OpenSSH's time syntax, as the real ssh -G reads the result.
for t in 90:90 1m30s:90 2m:120 90s:90 1h:3600 1M:60; do
	arg=${t%%:*} want=${t#*:}
	out=$("$SSHSYNC" apply --no-backup --interval "$arg" ssh:cfg 2>&1) || bad "apply --interval $arg: $out"
	got=$(ssh -G -F cfg a </dev/null 2>/dev/null | awk '$1 == "serveraliveinterval" {print $2}')
	[ "$got" = "$want" ] && ok || bad "--interval $arg: ssh -G says $got, expected $want"
done
printf '[keepalive]\ninterval = 1m30s\n' >policy.ini
out=$("$SSHSYNC" --policy policy.ini apply --no-backup ssh:cfg 2>&1) || bad "policy 1m30s: $out"
got=$(ssh -G -F cfg a </dev/null 2>/dev/null | awk '$1 == "serveraliveinterval" {print $2}')
[ "$got" = 90 ] && ok || bad "policy interval 1m30s: ssh -G says $got"
printf '[keepalive]\ninterval = 99999999999\n' >big.ini
says 2 "too large" --policy big.ini apply ssh:cfg

# After apply, one line per client about what makes it take effect.
printf 'Port 22\nClientAliveInterval 10\n' >sshd_config
mkdir sessions
printf 'HostName=web\n' >sessions/web
printf '[Sessions\\web]\nHostName=web\n' >WinSCP.ini
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\web]\r\n"HostName"="web"\r\n' >putty.reg
if command -v sshd >/dev/null || [ -x /usr/sbin/sshd ]; then sshd_t="sshd:sshd_config"; else sshd_t=""; fi
out=$("$SSHSYNC" apply --interval 45 ssh:cfg $sshd_t putty:sessions winscp:WinSCP.ini putty:putty.reg 2>&1)
[ $? -eq 0 ] && ok || bad "apply to every client: $out"
for want in "^ssh: .*reconnect" "^putty: .*when a session starts" "^winscp: WinSCP reads the settings when a session starts" \
	"^putty: import the .reg file"; do
	grep -qE "$want" <<<"$out" && ok || bad "no line '$want' in: $out"
done
[ -z "$sshd_t" ] || { grep -qE "^sshd: .*reload" <<<"$out" && ok || bad "no sshd line in: $out"; }
[ "$(grep -c '^ssh: ' <<<"$out")" = 1 ] && ok || bad "more than one ssh line"
out=$("$SSHSYNC" apply --interval 45 ssh:cfg 2>&1)
grep -q "^ssh: " <<<"$out" && bad "a take-effect line although nothing changed: $out" || ok

finish
