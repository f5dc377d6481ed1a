#!/usr/bin/env bash
# File content never acts on a terminal (issue 17): diagnostics, --dry-run
# and --diff on a terminal, file names in apply's messages and the text
# report show escape sequences, CR, C1 controls (U+0085) and bidirectional
# overrides (U+202E) as \xNN. A diff into a pipe stays byte for byte.
. "$SSHSYNC_TESTS/integration/lib/reports.bash"
probe_kinds
cd "$scratch"

# 1 when the file holds a byte that acts on a terminal: C0 but LF, DEL,
# C1 as UTF-8 (C2 80-9F), or a bidirectional control (E2 80 AA-AE, E2 81 A6-A9).
acts_on_terminal() {
	"$PY" - "$1" <<'PY'
import re, sys
b = open(sys.argv[1], 'rb').read()
bad = re.search(rb'[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]', b)
sys.exit(0 if bad else 1)
PY
}
clean() { ! acts_on_terminal "$1"; }

# Diagnostics: a bad keyword with an OSC title sequence, a time value with
# ESC, a policy value, a KiTTY file name with CR and U+202E.
printf 'Bad\033]0;OWNED\007kw yes\n' >bad_kw
expect_status 2 "a bad keyword exits 2" "$SSHSYNC" audit ssh:bad_kw >err1 2>&1
check "the bad keyword's error is escaped" clean err1
check "and shows the escape as \\x1B" grep -qiF 'Bad\x1B]0;OWNED\x07kw' err1
printf 'Host a\n  ServerAliveInterval 6\033[2J\r0\n' >bad_time
expect_status 2 "a bad time value exits 2" "$SSHSYNC" audit ssh:bad_time >err2 2>&1
check "the time value's error is escaped" clean err2
printf '[keepalive]\ninterval = 6\302\205\342\200\256x\n' >p.ini
expect_status 2 "a bad policy value exits 2" "$SSHSYNC" --policy p.ini audit ssh:bad_time 2>err3
check "the policy value's error is escaped (U+0085, U+202E)" clean err3
check "and shows them as \\xNN" grep -qF '6\xC2\x85\xE2\x80\xAEx' err3

# --dry-run: on a terminal (script gives one) escaped, into a pipe exact.
printf 'User x\033[31m\r\nPort 22\r\n' >c
cp c c.orig
if command -v script >/dev/null; then
	script -qec "'$SSHSYNC' apply --dry-run --interval 60 ssh:c" /dev/null >tty.out
	# The terminal turns LF into CR LF: drop those CRs, keep any other.
	sed 's/\r$//' tty.out >tty.txt
	check "--dry-run on a terminal shows no escape sequence" clean tty.txt
	check "--dry-run on a terminal shows ESC and CR as \\xNN" grep -qF 'User x\x1B[31m\x0D' tty.txt
	script -qec "'$SSHSYNC' apply --diff --no-backup --interval 60 ssh:c" /dev/null >tty2.out
	sed 's/\r$//' tty2.out >tty2.txt
	check "--diff on a terminal shows no escape sequence" clean tty2.txt
	cp c.orig c
else
	skip "no script(1): the terminal checks"
fi
"$SSHSYNC" apply --dry-run --interval 60 ssh:c >pipe.out 2>/dev/null
check "--dry-run into a pipe is byte for byte" grep -qF "$(printf ' User x\033[31m\r')" pipe.out
check "and --dry-run wrote nothing" cmp -s c c.orig

# File names from a session folder: in apply's messages and in the report.
if has_kind putty; then
	mkdir s
	name=$(printf 'web\033[2J\302\205\342\200\256x')
	printf 'HostName=h\n' >"s/$name"
	printf 'HostName=d\n' >'s/Default%20Settings'
	"$SSHSYNC" audit putty:s >report.txt
	check "the text report escapes a session name" clean report.txt
	check "and shows it as \\xNN" grep -qF 'web\x1B[2J\xC2\x85\xE2\x80\xAEx' report.txt
	# Unix PuTTY never opens that file (it opens web%1B%5B2J...): apply
	# leaves it. KiTTY's portable folder takes such a name as it is.
	mkdir k
	printf 'HostName\\h\\\n' >"k/$name"
	"$SSHSYNC" apply --no-backup --interval 60 kitty:k >applied.txt 2>&1
	check "apply's messages escape a file name" clean applied.txt
	check "and say which file was updated" grep -qF 'updated k/web\x1B[2J' applied.txt
else
	skip "no putty client in this build: session names"
fi
# Export: an empty session name is refused for what it is, in every format;
# a source name that XML cannot carry (an unpaired UTF-16 surrogate) makes
# the Registry.xml export fail rather than write a file that is not XML.
if has_kind putty; then
	for fmt in reg reg4 gpp; do
		rm -f e.out
		expect_status 2 "export --session '' --format $fmt exits 2" \
			"$SSHSYNC" export putty --interval 60 --session '' --format $fmt -o e.out 2>err4
		check "export --session '' --format $fmt says the name is empty" grep -q "cannot be empty" err4
		check "export --session '' --format $fmt writes nothing" test ! -e e.out
	done
	"$PY" -c "
t='Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\\\Software\\\\SimonTatham\\\\PuTTY\\\\Sessions\\\\lone'
open('lone.reg','wb').write(b'\xff\xfe'+t.encode('utf-16-le')+b'\x00\xd8'+']\r\n\"PingInterval\"=dword:0\r\n'.encode('utf-16-le'))"
	expect_status 2 "a name XML cannot carry: the gpp export exits 2" \
		"$SSHSYNC" export putty --interval 60 --format gpp --from lone.reg -o lone.xml 2>err5
	check "and writes no Registry.xml" test ! -e lone.xml
	check "and its error is escaped" clean err5
	"$SSHSYNC" audit --format json -o lone.json putty:lone.reg
	check "the JSON report of that name is written and parses" \
		"$PY" -c 'import json,sys; json.load(open("lone.json"))'
	"$SSHSYNC" audit --format junit -o lone.junit putty:lone.reg
	check "the JUnit report of that name is well-formed" xmllint --noout lone.junit
fi
finish
