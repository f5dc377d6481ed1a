#!/usr/bin/env python3
"""mkhive.py FILE: writes an empty registry hive (one root key "ROOT" with a
security cell) for hivexregedit --merge, which can only edit an existing hive.
Layout (regf base block, one hbin, nk + sk cells) per the public format notes
that hivex documents in lib/hivex-internal.h."""
import struct, sys

PAGE = 4096

def cell(body):
    size = (4 + len(body) + 7) & ~7
    return struct.pack('<i', -size) + body + b'\0' * (size - 4 - len(body))

ROOT_OFF, SK_OFF = 0x20, 0x20 + 0x58
name = b'ROOT'
nk = struct.pack('<2sHQIIIIIIIIIIIIIIIHH', b'nk', 0x2C, 0, 0, 0, 0, 0,
                 0xFFFFFFFF, 0xFFFFFFFF, 0, 0xFFFFFFFF, SK_OFF, 0xFFFFFFFF,
                 0, 0, 0, 0, 0, len(name), 0) + name
sd = struct.pack('<BBHIIII', 1, 0, 0x8000, 0, 0, 0, 0)
sk = struct.pack('<2sHIIII', b'sk', 0, SK_OFF, SK_OFF, 1, len(sd)) + sd
cells = cell(nk) + cell(sk)
assert len(cell(nk)) == 0x58
hbin_body = cells + struct.pack('<i', PAGE - 0x20 - len(cells))
hbin_body += b'\0' * (PAGE - 0x20 - len(hbin_body))
hbin = struct.pack('<4sIIQQI', b'hbin', 0, PAGE, 0, 0, 0) + hbin_body
assert len(hbin) == PAGE

base = bytearray(PAGE)
struct.pack_into('<4sIIQIIIIII', base, 0, b'regf', 1, 1, 0, 1, 3, 0, 1, ROOT_OFF, PAGE)
struct.pack_into('<I', base, 0x2C, 1)
csum = 0
for i in range(0, 0x1FC, 4):
    csum ^= struct.unpack_from('<I', base, i)[0]
struct.pack_into('<I', base, 0x1FC, csum)
open(sys.argv[1], 'wb').write(bytes(base) + hbin)
