#!/usr/bin/env bash
# Bad ssh_config input: each is refused by ssh -G and by sshsync (exit 2,
# an error with file:line:col), and apply leaves every byte as it was.
set -uo pipefail
work=$(mktemp -d "${TMPDIR:-/tmp}/sshsync-sshbad-XXXXXX") || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# case NAME EXPECTED-MESSAGE-PART : the config is in $work/NAME/config
check_case() {
	local name=$1 want=$2 dir="$work/$1" cfg="$work/$1/config"
	local sum out rc
	sum=$(find "$dir" -type f -exec sha256sum {} + | sort)
	if HOME=$dir ssh -G -F "$cfg" somehost </dev/null >/dev/null 2>&1; then
		bad "$name: ssh -G accepts it: the case is wrong"
	else ok; fi
	out=$(HOME=$dir "$SSHSYNC" audit --host somehost "ssh:$cfg" 2>&1); rc=$?
	[ $rc -eq 2 ] && ok || bad "$name: audit exited $rc, expected 2"
	case "$out" in
	*"$want"*) ok ;;
	*) bad "$name: audit said '$out', expected '$want'" ;;
	esac
	# Errors name file:line:col.
	# A bash match, not printf | grep -q: under pipefail grep's early exit
	# can kill printf with SIGPIPE and fail the check at random.
	local re=':[0-9]+:[0-9]+: |permissions'
	if [[ $out =~ $re ]]; then ok; else
		bad "$name: no file:line:col in '$out'"; fi
	out=$(HOME=$dir "$SSHSYNC" apply --interval 60 "ssh:$cfg" 2>&1); rc=$?
	[ $rc -eq 2 ] && ok || bad "$name: apply exited $rc, expected 2"
	[ "$(find "$dir" -type f -exec sha256sum {} + | sort)" = "$sum" ] && ok ||
		bad "$name: apply changed a file"
}

mk() { mkdir -p "$work/$1"; printf "$2" > "$work/$1/config"; }

mk unclosed 'Host a\n  ServerAliveInterval 30\n  IdentityFile "~/.ssh/my key\n'
check_case unclosed 'unclosed quote'
mk double_equals 'ServerAliveInterval==60\n'
check_case double_equals "only one '='"
mk bad_time 'Host *\n  ServerAliveInterval 5x\n'
check_case bad_time 'invalid time value'
mk bad_count 'ServerAliveCountMax three\n'
check_case bad_count 'integer value'
mk unknown 'Host a\n  UseKeychain yes\n'
check_case unknown 'Bad configuration option: usekeychain'
mk extra 'ServerAliveInterval 60 seconds\n'
check_case extra 'extra arguments'
mk match_bad 'Match tagged x\n  ServerAliveInterval 1\n'
check_case match_bad 'unsupported attribute tagged'

# sshsync lexes a whole file before it reads any line's meaning: a line that
# does not lex wins over an earlier bad value, here and under an Include
# (the audit lexes while it walks and must report the same line).
mk lex_first 'Host a\n  UseKeychain yes\n  User "x\n'
check_case lex_first 'config:3:8: unclosed quote'
mkdir -p "$work/lex_inc"
printf 'Host a\n  Include %s/lex_inc/inc\n  User "x\n' "$work" > "$work/lex_inc/config"
printf 'ServerAliveInterval abc\n' > "$work/lex_inc/inc"
check_case lex_inc 'config:3:8: unclosed quote'
mkdir -p "$work/lex_inner"
printf 'Host a\n  Include %s/lex_inner/inc\n' "$work" > "$work/lex_inner/config"
printf 'ServerAliveInterval abc\nUser "q\n' > "$work/lex_inner/inc"
check_case lex_inner 'inc:2:6: unclosed quote'

# 17 levels of Include.
mkdir -p "$work/deep"
printf 'ServerAliveInterval 5\nInclude %s/deep/l1\n' "$work" > "$work/deep/config"
for i in $(seq 1 17); do
	printf 'ServerAliveInterval 5\nInclude %s/deep/l%d\n' "$work" $((i + 1)) > "$work/deep/l$i"
done
printf 'Port 22\n' > "$work/deep/l18"
check_case deep 'too many recursive'

# Binary junk (an ELF header and random bytes).
mkdir -p "$work/binary"
head -c 4096 "$(command -v ssh)" > "$work/binary/config"
check_case binary ''

# A 10 MB line (a valid one would be accepted: this one is a bad time).
mkdir -p "$work/long"
{ printf 'ServerAliveInterval '; head -c 10485760 /dev/zero | tr '\0' '7'; printf 'x\n'; } \
	> "$work/long/config"
check_case long 'invalid time value'

# A 10 MB line that is fine: accepted, audited like ssh -G.
mkdir -p "$work/longok"
{ printf 'Host '; head -c 10485760 /dev/zero | tr '\0' 'h'; printf '\n  ServerAliveInterval 9\nHost *\n  ServerAliveInterval 8\n'; } \
	> "$work/longok/config"
out=$(HOME=$work/longok "$SSHSYNC" audit --format json --host x "ssh:$work/longok/config" 2>&1)
case "$out" in *'"interval": 8'*) ok ;; *) bad "longok: $out" ;; esac

# A world-writable included file: ssh refuses it, so does sshsync.
# (Debian allows group-writable when the group is the owner's own.)
mkdir -p "$work/perm"
printf 'ServerAliveInterval 10\n' > "$work/perm/inc.conf"
chmod 666 "$work/perm/inc.conf"
printf 'Include %s/perm/inc.conf\n' "$work" > "$work/perm/config"
check_case perm 'permissions'

# An included file that sets a keepalive but cannot be written: apply
# names it, exit 2, nothing written (run as nobody when we are root).
mkdir -p "$work/ro/sub"
printf 'Host x\n  ServerAliveInterval 10\n' > "$work/ro/sub/inc.conf"
printf 'Include %s/ro/sub/inc.conf\nHost *\n  ServerAliveInterval 30\n' "$work" > "$work/ro/config"
as=()
if [ "$(id -u)" -eq 0 ]; then
	chown nobody "$work/ro" "$work/ro/config"
	chmod 755 "$work" "$work/ro/sub"
	# The build folder may be private (a 0700 clone): nobody runs a copy.
	install -m 755 "$SSHSYNC" "$work/sshsync"
	as=(runuser -u nobody --)
else
	chmod 555 "$work/ro/sub"
fi
sum=$(find "$work/ro" -type f -exec sha256sum {} + | sort)
bin=$SSHSYNC
[ ${#as[@]} -gt 0 ] && bin=$work/sshsync
out=$(HOME=$work/ro "${as[@]}" "$bin" apply --interval 60 --no-backup "ssh:$work/ro/config" 2>&1); rc=$?
[ $rc -eq 2 ] && ok || bad "ro: apply exited $rc: $out"
case "$out" in *inc.conf*"cannot be written"*) ok ;; *) bad "ro: message '$out'" ;; esac
[ "$(find "$work/ro" -type f -exec sha256sum {} + | sort)" = "$sum" ] && ok || bad "ro: files changed"
chmod 755 "$work/ro/sub"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
