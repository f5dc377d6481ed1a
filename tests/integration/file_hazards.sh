#!/usr/bin/env bash
# Files that are not what they seem (issue 17): FIFOs, devices, folder
# loops, Include fan-out, ANSI .reg exports, files without a final newline.
# Each case must end quickly with a clear answer, never block or read
# forever, and never change a file more than asked.
. "$SSHSYNC_TESTS/integration/lib/reports.bash"
probe_kinds
cd "$scratch"
T() { timeout 20 "$SSHSYNC" "$@"; }

# A FIFO, named directly, through a link, or by Include: refused at once.
mkfifo fifo
ln -s fifo fifo-link
printf 'Include %s/fifo\nHost a\n  Port 22\n' "$PWD" >inc-fifo
chmod 600 inc-fifo
for target in ssh:fifo ssh:fifo-link ssh:inc-fifo; do
	expect_status 2 "$target is refused, not waited for" T audit "$target" >err 2>&1
	check "$target: says it is not a regular file" grep -q "not a regular file" err
done
if has_kind putty; then
	expect_status 2 "putty:/dev/zero is refused, not read" T audit putty:/dev/zero >err 2>&1
	check "putty:/dev/zero: says it is not a regular file" grep -q "not a regular file" err
fi

# A KiTTY Sessions folder with links back up: every session once.
if has_kind kitty; then
	mkdir -p K/Sessions/sub
	printf 'HostName\\a\\\n' >K/Sessions/a
	printf 'HostName\\b\\\n' >K/Sessions/sub/b
	ln -s . K/Sessions/loop
	ln -s .. K/Sessions/sub/up
	T audit --format json -o k.json kitty:K/Sessions
	check "a folder loop lists each KiTTY session once" test "$("$PY" -c '
import json; print(sorted(s["scope"] for s in json.load(open("k.json"))["scopes"]))')" = \
		"['Default Settings', 'a', 'sub/b']"
fi

# Include fan-out: each level includes the next twice, 14 levels. ssh reads
# 2^14 copies one after another. A copy of Host blocks and settings only
# can never set a value its twin did not: sshsync reads it once and stays
# small. Copies with a Match block depend on what was set in between and
# are kept, up to a bound: past it, an error instead of unbounded memory.
mkdir inc
for i in $(seq 0 13); do
	printf 'Include %s/inc/f%d\nInclude %s/inc/f%d\n' "$PWD" $((i + 1)) "$PWD" $((i + 1)) >inc/f$i
done
for j in $(seq 1 50); do printf 'Host h%d\n  User u%d\n' "$j" "$j"; done >inc/f14
chmod 600 inc/f*
expect_status 1 "a 2^14 fan-out of Host blocks is read (and fails the audit)" \
	T audit --host h1 ssh:inc/f0 >fan.txt 2>&1
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f %M -o fan.kb "$SSHSYNC" audit --host h1 ssh:inc/f0 >/dev/null 2>&1
	check "and in less than 64 MB ($(tail -1 fan.kb) KB)" test "$(tail -1 fan.kb)" -lt 65536
fi
printf 'Match host nosuch\n  User m\n' >>inc/f14
expect_status 2 "a 2^14 fan-out of Match blocks stops with an error" T audit ssh:inc/f0 >err 2>&1
check "and says the Include lines expand too far" grep -q "Include lines expand to more than" err

# export --from an ANSI (REGEDIT4) file: the key names are Windows-1252.
export_each_format() { # KIND SOURCE PREFIX: PREFIX.reg, PREFIX.reg4, PREFIX.gpp
	local fmt
	for fmt in reg reg4 gpp; do
		rm -f "$3.$fmt"
		expect_status 0 "export $1 --from $2 --format $fmt works" \
			T export "$1" --interval 60 --from "$2" --format $fmt -o "$3.$fmt"
	done
}
if has_kind putty; then
	printf 'REGEDIT4\r\n\r\n[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\caf\351 \200]\r\n"PingInterval"=dword:0\r\n' >ansi.reg
	export_each_format putty ansi.reg out
	check "the v5 export names the session café €" \
		"$PY" -c 'import sys; sys.exit("Sessions\\café €]" not in open("out.reg","rb").read().decode("utf-16"))'
	check "the REGEDIT4 export writes it in Windows-1252" \
		"$PY" -c 'import sys; sys.exit(b"Sessions\\caf\xe9 \x80]" not in open("out.reg4","rb").read())'
	check "the Registry.xml export is well-formed" xmllint --noout out.gpp
	check "and names the key café €" grep -qF 'Sessions\café €"' out.gpp
	T audit putty:ansi.reg >ansi.txt
	check "audit shows the name café €" grep -qF 'café €' ansi.txt
	expect_status 0 "--session names it as shown" \
		T export putty --interval 60 --from ansi.reg --session 'café €' -o sel.reg
fi

if has_kind putty; then
	# Another code page when told: Cyrillic, Windows-1251.
	"$PY" -c "open('cyr.reg','wb').write(b'REGEDIT4\\r\\n\\r\\n[HKEY_CURRENT_USER\\\\Software\\\\SimonTatham\\\\PuTTY\\\\Sessions\\\\\\xf1\\xe5\\xf0]\\r\\n\"PingInterval\"=dword:0\\r\\n')"
	T export putty --interval 60 --from cyr.reg --ansi-codepage 1251 --format gpp -o cyr.gpp
	check "--ansi-codepage 1251 reads the name сер" grep -qF 'Sessions\сер"' cyr.gpp
	T export putty --interval 60 --from cyr.reg --ansi-codepage 1251 --format reg4 -o cyr.reg4
	check "and writes it back in Windows-1251" \
		"$PY" -c 'import sys; sys.exit(b"Sessions\\\xf1\xe5\xf0]" not in open("cyr.reg4","rb").read())'
	expect_status 2 "an unknown --ansi-codepage is refused" \
		"$SSHSYNC" export putty --interval 60 --from cyr.reg --ansi-codepage nosuch -o x.reg 2>/dev/null
fi

if has_kind winscp; then
	printf 'REGEDIT4\r\n\r\n[HKEY_CURRENT_USER\\Software\\Martin Prikryl\\WinSCP 2\\Sessions\\caf\351]\r\n"HostName"="h"\r\n' >wansi.reg
	export_each_format winscp wansi.reg wout
	check "the WinSCP Registry.xml export names the key café" grep -qF 'Sessions\café"' wout.gpp
	check "the WinSCP REGEDIT4 export writes it in Windows-1252" \
		"$PY" -c 'import sys; sys.exit(b"Sessions\\caf\xe9]" not in open("wout.reg4","rb").read())'
fi

# A file without a final newline still has none after apply, in every store.
no_final_newline() { [ "$(tail -c1 "$1" | od -An -tx1 | tr -d ' ')" != 0a ]; }
printf 'Host a\n  User x' >nonl.ssh
T apply --no-backup --interval 60 --count-max 3 --tcp-keepalive yes ssh:nonl.ssh >/dev/null
check "ssh_config: still no final newline" no_final_newline nonl.ssh
check "ssh_config: no blank line among the new lines" \
	test "$(grep -A2 ServerAliveInterval nonl.ssh | grep -c '[A-Za-z]')" -eq 3
if has_kind winscp; then
	printf '[Sessions\\a]\r\nHostName=a' >nonl.ini
	T apply --no-backup --interval 60 winscp:nonl.ini >/dev/null
	check "WinSCP.ini: still no final newline" no_final_newline nonl.ini
	check "WinSCP.ini: the site has its values" grep -q '^PingIntervalSecs=0' nonl.ini
fi
if has_kind putty; then
	printf 'REGEDIT4\r\n\r\n[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\w]\r\n"HostName"="h"' >nonl.reg
	T apply --no-backup --interval 60 putty:nonl.reg >/dev/null
	check ".reg: still no final newline" no_final_newline nonl.reg
	mkdir P
	printf 'HostName=h\nTCPKeepalives=' >P/web
	T apply --no-backup --interval 60 --tcp-keepalive yes putty:P >/dev/null
	check "PuTTY session file: still no final newline" no_final_newline P/web
	check "PuTTY session file: the empty last value is set on its own line" \
		test "$(cat P/web)" = "$(printf 'HostName=h\nTCPKeepalives=1\nPingInterval=1\nPingIntervalSecs=0')"
fi
finish
