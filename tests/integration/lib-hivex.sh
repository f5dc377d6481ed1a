#!/bin/bash
# The .reg oracle shared by the PuTTY/KiTTY and WinSCP tests: merge a .reg
# file into a real registry hive with hivexregedit (Debian libwin-hivex-perl)
# and read values back with hivexget (libhivex-bin). Neither shares a line
# of code with sshsync's regfile.
#
# Source it:   . "$SSHSYNC_TESTS/integration/lib-hivex.sh"
#   hivex_new HIVE               an empty hive (root key only), for a new test
#   hivex_merge HIVE FILE.reg    merges the file as an import would: UTF-16LE
#                                (FF FE) or ANSI/UTF-8 input, CRLF or LF; the
#                                hive's root is HKEY_CURRENT_USER; missing
#                                parent keys are created first (hivexregedit
#                                cannot). Fails, with hivexregedit's message,
#                                when hivexregedit rejects the file.
#   hivex_value HIVE KEY NAME    prints the value as hivexget does (a dword
#                                in decimal, a string as text); exit status 1
#                                when the key or the value is not there.
#                                KEY is relative to HKEY_CURRENT_USER:
#                                'Software\Martin Prikryl\WinSCP 2\Sessions\x'
#   hivex_has_value HIVE KEY NAME  status 0 when the value exists
# hivexregedit is stricter than regedit (8-digit dwords, no blanks around
# '=', no comments or blank lines inside a key, a blank line between keys):
# what sshsync generates must pass it; user files it rejects must still be
# handled by sshsync, but cannot be checked here.
#
# Its own test is hivex_oracle.sh.

# Debian's python3 (scripts/install-deps), not a slower one first in PATH.
if [[ -x /usr/bin/python3 ]]; then PY3=/usr/bin/python3; else PY3=python3; fi

# An empty hive: the regf base block and one hbin holding the root key
# ("ROOT", an nk cell) and its security descriptor (an sk cell), laid out as
# hivex's lib/hivex-internal.h describes the format.
hivex_new() {
	"$PY3" - "$1" <<'PY'
import struct, sys

PAGE = 4096

def cell(body):
    size = (4 + len(body) + 7) & ~7
    return struct.pack('<i', -size) + body + b'\0' * (size - 4 - len(body))

root_name = b'ROOT'
nk_off = 0x20                      # first cell, right after the hbin header
nk_len = (4 + 0x4C + len(root_name) + 7) & ~7
sk_off = nk_off + nk_len
nk = struct.pack('<2sHQ', b'nk', 0x2C, 0)          # flags: root key, compressed name
nk += struct.pack('<II', 0, 0)                     # access bits, parent
nk += struct.pack('<II', 0, 0)                     # subkeys (stable, volatile)
nk += struct.pack('<ii', -1, -1)                   # subkey lists
nk += struct.pack('<Ii', 0, -1)                    # values, value list
nk += struct.pack('<ii', sk_off, -1)               # security, class name
nk += struct.pack('<IIIII', 0, 0, 0, 0, 0)         # max lengths, work var
nk += struct.pack('<HH', len(root_name), 0) + root_name
assert len(cell(nk)) == nk_len
sd = struct.pack('<BBHIIII', 1, 0, 0x8000, 0, 0, 0, 0)  # self-relative, empty
sk = struct.pack('<2sHIIII', b'sk', 0, sk_off, sk_off, 1, len(sd)) + sd
cells = cell(nk) + cell(sk)
free = PAGE - 0x20 - len(cells)
body = cells + struct.pack('<i', free) + b'\0' * (free - 4)
hbin = struct.pack('<4sIIQQI', b'hbin', 0, PAGE, 0, 0, 0) + body
assert len(hbin) == PAGE

base = bytearray(PAGE)
# signature, sequences 1/1, timestamp, version 1.3, type 0, format 1,
# root cell offset, size of the hbins
struct.pack_into('<4sIIQIIIIII', base, 0, b'regf', 1, 1, 0, 1, 3, 0, 1, nk_off, PAGE)
struct.pack_into('<I', base, 0x2C, 1)
csum = 0
for i in range(0, 0x1FC, 4):
    csum ^= struct.unpack_from('<I', base, i)[0]
struct.pack_into('<I', base, 0x1FC, csum)
with open(sys.argv[1], 'wb') as f:
    f.write(bytes(base) + hbin)
PY
}

# Writes FILE.reg as UTF-8 with LF, preceded by the keys that must exist
# before its own keys can be created.
_hivex_prepare() {
	"$PY3" - "$1" "$2" <<'PY'
import re, sys

raw = open(sys.argv[1], 'rb').read()
if raw.startswith(b'\xff\xfe'):
    text = raw[2:].decode('utf-16-le', 'surrogatepass').encode('utf-8', 'surrogatepass')
else:
    text = raw
text = text.replace(b'\r\n', b'\n')
lines = text.split(b'\n')
root = b'HKEY_CURRENT_USER'
parents, seen = [], set()
for line in lines:
    m = re.match(rb'^\[(-?)([^\]]*(?:\].*)?)\]\s*$', line)
    if not m or m.group(1):
        continue
    parts = m.group(2).split(b'\\')
    if parts[0].upper() != root:
        sys.exit('hivex_merge: only HKEY_CURRENT_USER keys are supported: %r' % line)
    for i in range(2, len(parts)):
        p = b'\\'.join(parts[:i])
        if p.lower() not in seen:
            seen.add(p.lower())
            parents.append(p)
out = b'Windows Registry Editor Version 5.00\n\n'
out += b''.join(b'[' + p + b']\n\n' for p in parents)
header = 0
while header < len(lines) and not lines[header].strip():
    header += 1
out += b'\n'.join(lines[header + 1:]) + b'\n'
open(sys.argv[2], 'wb').write(out)
PY
}

hivex_merge() {
	local hive=$1 reg=$2 tmp
	tmp=$(mktemp) || return 2
	if ! _hivex_prepare "$reg" "$tmp"; then
		rm -f "$tmp"
		return 1
	fi
	hivexregedit --merge "$hive" --prefix 'HKEY_CURRENT_USER' "$tmp" 2>&1 | head -3 >&2
	local rc=${PIPESTATUS[0]}
	rm -f "$tmp"
	return "$rc"
}

hivex_value() {
	hivexget "$1" "\\$2" "$3" 2>/dev/null
}

hivex_has_value() {
	hivexget "$1" "\\$2" "$3" >/dev/null 2>&1
}
