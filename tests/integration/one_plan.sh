#!/usr/bin/env bash
# One file, one plan: a file named twice (ssh:cfg ./cfg, a symbolic link),
# or included by one target and named as another, is planned, checked,
# written (one rename, counted with strace) and audited once; the result
# is what ssh -G and sshd -t read.
. "$(dirname "$0")/lib/scratch.bash"
cd "$work" || exit 1

ssh_get() { ssh -G -F "$1" "$2" </dev/null 2>/dev/null | awk '$1 == "serveraliveinterval" {print $2}'; }

# renames ARGS...: runs sshsync under strace; prints how many renames
# replaced each file (name count), one a line (not the journal's objects,
# named by their SHA-256, alone or in a pack).
renames() {
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o "$work/trace" -e trace=rename,renameat,renameat2 "$SSHSYNC" "$@" \
		>"$work/out" 2>"$work/err"
	local rc=$?
	grep -oE '"[^"]*"\) = 0|"[^"]*", [^"]*"[^"]*"' "$work/trace" | grep -oE '"[^"]*"' |
		awk 'NR % 2 == 0' | grep -vE '^"[0-9a-f]{64}(\.pack)?"$' | sort | uniq -c | awk '{print $2, $1}' >"$work/renames"
	return $rc
}

fresh() {
	rm -rf "$work/t"
	mkdir -p "$work/t/inc"
	printf 'Include %s/t/inc/*\nHost a\n    ServerAliveInterval 30\n' "$work" >"$work/t/cfg"
	printf 'Host b\n    ServerAliveInterval 20\n' >"$work/t/inc/b"
	ln -s cfg "$work/t/link"
	chmod -R go-w "$work/t"
}

have_strace=1
strace -qq -o /dev/null true 2>/dev/null || { have_strace=0; echo "SKIP: strace cannot trace here" >&2; }

for args in "ssh:t/cfg ./t/cfg" "ssh:t/cfg t/link" "ssh:t/cfg ssh:t/inc/b" "ssh:t/inc/b ssh:t/cfg" \
	"ssh:t/cfg ssh:t/cfg ssh:t/link ssh:./t/inc/b"; do
	fresh
	# shellcheck disable=SC2086
	if [ $have_strace = 1 ]; then renames apply --interval 60 $args; else
		"$SSHSYNC" apply --interval 60 $args >"$work/out" 2>"$work/err"; fi
	rc=$?
	[ $rc -eq 0 ] && ok || bad "apply $args: exit $rc: $(cat "$work/err")"
	grep -q "changed since" "$work/err" && bad "apply $args: $(cat "$work/err")" || ok
	[ "$(ssh_get t/cfg a)" = 60 ] && ok || bad "apply $args: ssh -G a = $(ssh_get t/cfg a)"
	[ "$(ssh_get t/cfg b)" = 60 ] && ok || bad "apply $args: ssh -G b = $(ssh_get t/cfg b)"
	[ "$(ssh_get t/cfg zzz)" = 60 ] && ok || bad "apply $args: ssh -G zzz = $(ssh_get t/cfg zzz)"
	if [ $have_strace = 1 ]; then
		awk '$2 != 1 {exit 1}' "$work/renames" && ok || bad "apply $args: a file replaced twice: $(cat "$work/renames")"
		[ "$(wc -l <"$work/renames")" -eq 2 ] && ok || bad "apply $args: renames $(cat "$work/renames")"
	fi
	# The first backup is the original.
	grep -q "ServerAliveInterval 30" t/cfg.sshsync-bak && ok || bad "apply $args: backup of cfg"
	grep -q "ServerAliveInterval 20" t/inc/.sshsync-bak/b && ok || bad "apply $args: backup of inc/b"
	[ "$(grep -c '^updated' "$work/out")" -eq 2 ] && ok || bad "apply $args: $(cat "$work/out")"
	# A second apply changes nothing.
	# shellcheck disable=SC2086
	"$SSHSYNC" apply --interval 60 $args >"$work/out2" 2>&1 && ok || bad "second apply $args: $(cat "$work/out2")"
	grep -q '^updated' "$work/out2" && bad "second apply $args updated: $(cat "$work/out2")" || ok
done

# --check/dry-run of a file named twice: one diff.
fresh
n=$("$SSHSYNC" apply --interval 60 --dry-run ssh:t/cfg t/link ./t/cfg 2>/dev/null | grep -c '^+++ b/t/cfg')
[ "$n" = 1 ] && ok || bad "dry run of a file named three times: $n diffs"

# Audit: each file's scopes once.
fresh
# (The table: the file once as a heading, a row per scope; wide enough not
# to wrap.)
out=$(COLUMNS=1000 "$SSHSYNC" audit ssh:t/cfg ./t/cfg t/link 2>"$work/err")
[ "$(grep -c ' (ssh)$' <<<"$out")" = 1 ] && [ "$(grep -c '^  [^ ]' <<<"$out")" = 4 ] && ok ||
	bad "audit lists scopes more than once: $out"
grep -q "same file" "$work/err" && ok || bad "no note: $(cat "$work/err")"
out=$("$SSHSYNC" audit --format json ssh:t/cfg ./t/cfg 2>/dev/null)
[ "$(grep -c '"scope": "a"' <<<"$out")" = 1 ] && ok || bad "json lists a twice"
# An included file named as its own target is audited with its includer,
# whichever comes first; ssh -G agrees with what the includer's rows say.
for args in "ssh:t/cfg ssh:t/inc/b" "ssh:t/inc/b ssh:t/cfg"; do
	# shellcheck disable=SC2086
	out=$("$SSHSYNC" audit --format json $args 2>"$work/err")
	files=$(grep -o '"file": "[^"]*"' <<<"$out" | sort -u)
	[ "$files" = '"file": "t/cfg"' ] && ok || bad "audit $args: files $files"
	[ "$(grep -c '"scope": "b"' <<<"$out")" = 1 ] && ok || bad "audit $args lists b twice"
	grep -q "t/inc/b is included by t/cfg" "$work/err" && ok || bad "audit $args: no note: $(cat "$work/err")"
	got=$(grep -o '"scope": "b"[^}]*"interval": [0-9]*' <<<"$out" | grep -o '[0-9]*$')
	[ "$got" = "$(ssh_get t/cfg b)" ] && ok || bad "audit $args: b is $got, ssh -G $(ssh_get t/cfg b)"
done
# Two unrelated files are both audited.
printf 'Host z\n    ServerAliveInterval 9\n' >t/other
chmod go-w t/other
out=$("$SSHSYNC" audit --format json ssh:t/cfg ssh:t/other 2>/dev/null)
grep -q '"file": "t/other"' <<<"$out" && ok || bad "an unrelated target was dropped"

# sshd: a drop-in named as its own target too; sshd -t reads the result.
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
if [ -x "$SSHD" ]; then
	mkdir -p s/sshd_config.d
	ssh-keygen -q -t ed25519 -N '' -f s/hostkey
	printf 'Include %s/s/sshd_config.d/*.conf\nHostKey %s/s/hostkey\nClientAliveInterval 30\n' \
		"$work" "$work" >s/sshd_config
	printf 'ClientAliveInterval 10\n' >s/sshd_config.d/10-ka.conf
	out=$("$SSHSYNC" apply --interval 45 sshd:s/sshd_config sshd:s/sshd_config.d/10-ka.conf 2>&1)
	[ $? -eq 0 ] && ok || bad "sshd apply: $out"
	"$SSHD" -t -f s/sshd_config && ok || bad "sshd -t refuses the result"
	got=$("$SSHD" -T -f s/sshd_config -C user=u,host=h,addr=127.0.0.1 2>/dev/null | awk '$1 == "clientaliveinterval" {print $2}')
	[ "$got" = 45 ] && ok || bad "sshd -T: $got"
else
	echo "SKIP: no sshd" >&2
fi

# PuTTY: the same session folder twice.
mkdir -p p/sessions
printf 'HostName=web\n' >p/sessions/web
out=$("$SSHSYNC" apply --interval 60 putty:p/sessions putty:p/sessions/ putty:./p/sessions 2>&1)
[ $? -eq 0 ] && ok || bad "putty twice: $out"
[ "$(grep -c '^updated' <<<"$out")" = 2 ] && ok || bad "putty twice: $out"

finish
