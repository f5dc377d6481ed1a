#!/bin/bash
# The .reg oracle itself (lib-hivex.sh): hivexregedit merges UTF-16 CRLF and
# REGEDIT4 LF files into a real hive, hivexget reads the values back, and a
# file hivexregedit cannot read is refused.
. "$SSHSYNC_TESTS/integration/lib-hivex.sh"
set -u
pass=0 fail=0
check() { # NAME WANT GOT
	if [[ "$2" == "$3" ]]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $1: want '$2', got '$3'"
	fi
}
dir=$(mktemp -d) || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$dir"' EXIT
hivex_new "$dir/h"
k='Software\Vendor One\App 2\Sessions\a%20b'
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\%s]\r\n"N"=dword:0000003c\r\n"S"="x \\"y\\""\r\n\r\n' \
	"$k" | iconv -f UTF-8 -t UTF-16LE | { printf '\xff\xfe'; cat; } >"$dir/a.reg"
hivex_merge "$dir/h" "$dir/a.reg"
check "merge UTF-16 CRLF" 0 $?
check "dword" 60 "$(hivex_value "$dir/h" "$k" N)"
check "string" 'x "y"' "$(hivex_value "$dir/h" "$k" S)"
hivex_has_value "$dir/h" "$k" Missing
check "missing value" 1 $?
# A second merge over the same key, REGEDIT4, LF: replaces, deletes.
printf 'REGEDIT4\n\n[HKEY_CURRENT_USER\\%s]\n"N"=dword:00000001\n"S"=-\n' "$k" >"$dir/b.reg"
hivex_merge "$dir/h" "$dir/b.reg"
check "merge REGEDIT4 LF" 0 $?
check "replaced" 1 "$(hivex_value "$dir/h" "$k" N)"
hivex_has_value "$dir/h" "$k" S
check "deleted" 1 $?
# hivexregedit's strictness: a comment inside a key is refused.
printf 'REGEDIT4\n\n[HKEY_CURRENT_USER\\x]\n; no\n"N"=dword:1\n' >"$dir/c.reg"
hivex_merge "$dir/h" "$dir/c.reg" 2>/dev/null
[[ $? -ne 0 ]]
check "rejects what it cannot read" 0 $?
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
