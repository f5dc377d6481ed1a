#!/usr/bin/env bash
# Hostile Registry.xml files: external entities (XXE), parameter entities,
# external DTDs and entity expansion bombs are refused with exit 2 before
# anything they name is opened, read or connected to. Checked two ways:
# entities that name a FIFO (opening one with no writer blocks, so a read
# attempt shows as a timeout), and strace's record of every open and
# connect the process made.
. "$SSHSYNC_TESTS/integration/lib/reports.bash"
cd "$scratch"
mkfifo trap.fifo
secret="$scratch/secret.txt"
echo 'TOP-SECRET-LINE' >"$secret"
root='<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}">'

printf '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file://%s/trap.fifo">]>\n%s&e;</RegistrySettings>\n' \
	"$scratch" "$root" >xxe-fifo.xml
printf '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file://%s">]>\n%s&e;<Registry name="x"><Properties hive="HKEY_CURRENT_USER" key="Software\\SimonTatham\\PuTTY\\Sessions\\x" name="PingInterval" type="REG_DWORD" value="1"/></Registry></RegistrySettings>\n' \
	"$secret" "$root" >xxe-file.xml
printf '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY %% p SYSTEM "file://%s/trap.fifo"> %%p;]>\n%s</RegistrySettings>\n' \
	"$scratch" "$root" >xxe-param.xml
printf '<?xml version="1.0"?>\n<!DOCTYPE RegistrySettings SYSTEM "file://%s/trap.fifo">\n%s</RegistrySettings>\n' \
	"$scratch" "$root" >dtd-external.xml
printf '<?xml version="1.0"?>\n<!DOCTYPE RegistrySettings PUBLIC "-//X//DTD//EN" "http://127.0.0.1:9/x.dtd">\n%s</RegistrySettings>\n' \
	"$root" >dtd-http.xml
{
	echo '<?xml version="1.0"?>'
	echo '<!DOCTYPE lolz ['
	echo ' <!ENTITY lol "lollollollollollollollollollol">'
	prev=lol
	for n in 1 2 3 4 5 6 7 8 9; do
		printf ' <!ENTITY lol%d "' "$n"
		for _ in 1 2 3 4 5 6 7 8 9 10; do printf '&%s;' "$prev"; done
		printf '">\n'
		prev=lol$n
	done
	echo ']>'
	printf '%s<Registry name="&lol9;"><Properties name="&lol9;"/></Registry></RegistrySettings>\n' "$root"
} >billion-laughs.xml

# The trap works: a parser that substitutes entities (xmllint --noent)
# opens the FIFO and blocks, and reads the secret.
timeout 3 xmllint --noent --noout xxe-fifo.xml >/dev/null 2>&1
check "the FIFO trap catches a parser that follows entities" test $? -eq 124
check "the secret trap catches a parser that follows entities" \
	bash -c 'xmllint --noent xxe-file.xml 2>/dev/null | grep -q TOP-SECRET'

for f in xxe-fifo xxe-file xxe-param dtd-external dtd-http billion-laughs; do
	rm -f out.json
	timeout 10 "$SSHSYNC" audit --format json -o out.json "gpp:$f.xml" >stdout.txt 2>stderr.txt
	status=$?
	if [ "$status" -eq 124 ]; then
		fail "$f: sshsync blocked (it opened the FIFO an entity names)"
		continue
	fi
	if [ "$status" -eq 2 ]; then pass; else fail "$f: exit $status, expected 2"; fi
	check "$f: the error names the file, line and the DTD" \
		grep -qE "^sshsync: $f.xml:[0-9]+:[0-9]+: has a DTD" stderr.txt
	check "$f: the report holds the file as an error scope" \
		grep -q '"status": "error"' out.json
	check "$f: nothing of the secret file in the output" \
		bash -c '! grep -q TOP-SECRET stdout.txt stderr.txt out.json'
done
# Recognised as gpp from the content, refused the same way.
expect_status 2 "billion laughs without KIND: exits 2" \
	timeout 10 "$SSHSYNC" audit billion-laughs.xml 2>/dev/null

# strace: no open of the secret or the FIFO, no network connection at all.
if strace -f -qq -e trace=none true 2>/dev/null; then
	for f in xxe-file xxe-fifo xxe-param dtd-external dtd-http billion-laughs; do
		ASAN_OPTIONS=detect_leaks=0 timeout 20 strace -f -qq -e trace=open,openat,connect \
			-o "trace-$f.txt" "$SSHSYNC" audit "gpp:$f.xml" >/dev/null 2>&1
		check "$f: strace saw the Registry.xml opened" grep -q "$f.xml" "trace-$f.txt"
		check "$f: nothing the entities name was opened, nothing connected" \
			bash -c '! grep -E "secret.txt|trap.fifo|connect\(" "$1"' _ "trace-$f.txt"
	done
else
	skip "strace cannot trace here: only the FIFO checks ran"
fi

# XInclude is not processed: the element is ignored, the file never opened.
printf '<?xml version="1.0"?>\n%s<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://%s" parse="text"/></RegistrySettings>\n' \
	"$root" "$secret" >xinclude.xml
if strace -f -qq -e trace=none true 2>/dev/null; then
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=open,openat -o trace-xi.txt \
		"$SSHSYNC" audit --format json gpp:xinclude.xml >xi.json 2>/dev/null
	check "xinclude: audit reads the file and finds no scope" \
		"$PY" -c 'import json; assert json.load(open("xi.json"))["scopes"] == []'
	check "xinclude: the included file is never opened" bash -c '! grep -q secret.txt trace-xi.txt'
fi

# A file that is not XML at all, and a truncated one: exit 2 with the place.
printf 'PingInterval=1\n' >notxml.xml
expect_status 2 "not XML: exit 2" "$SSHSYNC" audit --format json -o r.json gpp:notxml.xml 2>stderr.txt
check "not XML: error names file:line:col" grep -qE '^sshsync: notxml.xml:1:[0-9]+: not well-formed XML' stderr.txt
printf '%s\n<Registry>\n' "$root" >truncated.xml
expect_status 2 "truncated: exit 2" "$SSHSYNC" audit --format json -o r.json gpp:truncated.xml 2>stderr.txt
check "truncated: one line of error, no raw control bytes" \
	bash -c '[ "$(wc -l <stderr.txt)" -eq 1 ] && ! grep -qP "[\x00-\x08\x0b-\x1f]" stderr.txt'

finish
