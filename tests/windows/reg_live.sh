#!/usr/bin/env bash
# sshsync.exe on the live registry under Wine: PuTTY and WinSCP sessions
# imported with `reg import` (UTF-16LE with BOM; non-ASCII key names, a
# key of escaped UTF-8 bytes that PuTTY lists as cafÃ©, values of other
# types); audit; apply --dry-run shows the change as a .reg diff and writes
# nothing; apply changes only the keepalive values (every other byte of a
# `regedit /e` export stays, no key is renamed); undo restores the export
# byte for byte, and so does `reg import` of the .reg backup; 24 generated
# sessions (names and values of every kind; SSHSYNC_SEED repeats a run)
# keep every other byte through apply and undo; undo is
# refused once a value changed since the apply. (A change between plan and
# write is refused too: tests/unit/test_winreg.c changes the registry
# between the two, which a process from outside cannot time.)
# Needs WINEPREFIX (a ready prefix, its wineserver running) and
# SSHSYNC_EXE; .ci/windows runs it.
. "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
win() { printf 'Z:%s' "$1" | tr / '\\'; }
work=$(mktemp -d "${TMPDIR:-/tmp}/sshsync-winreg-XXXXXX") || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
PUTTY='HKEY_CURRENT_USER\Software\SimonTatham'
WINSCP='HKEY_CURRENT_USER\Software\Martin Prikryl'
KITTY='HKEY_CURRENT_USER\Software\9bis.com'
cleanup_keys() { # (another test's keys too: discover must see only these)
	wine reg delete "$PUTTY" /f </dev/null >/dev/null 2>&1 || true
	wine reg delete "$WINSCP" /f </dev/null >/dev/null 2>&1 || true
	wine reg delete "$KITTY" /f </dev/null >/dev/null 2>&1 || true
}
UNINSTALL='HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Uninstall\winscp3_is1'
appdata_w=$(wine cmd /c 'echo %APPDATA%' </dev/null | tr -d '\r')
appdata=$(winepath -u "$appdata_w" 2>/dev/null | sed 's:/*$::')
installed="$WINEPREFIX/drive_c/sshsync-test-WinSCP"
cleanup_discover() {
	wine reg delete "$UNINSTALL" /f </dev/null >/dev/null 2>&1 || true
	rm -rf "$installed"
	rm -f "$appdata/WinSCP.ini"
}
trap 'cleanup_keys; cleanup_discover; rm -rf "$work"' EXIT
cleanup_keys
mkdir -p "$work/state"
# The journal and the backups (a Windows path: the program is Windows').
export XDG_STATE_HOME
XDG_STATE_HOME=$(win "$work/state")
sx() { wine "$exe" "$@" </dev/null; }

S="$PUTTY\\PuTTY\\Sessions"
W="$WINSCP\\WinSCP 2\\Sessions"
{
	printf '\xff\xfe'
	printf '%s\r\n' 'Windows Registry Editor Version 5.00' '' \
		"[$S\\web%201]" '"HostName"="web.example.com"' '"PingInterval"=dword:00000000' \
		'"PingIntervalSecs"=dword:0000001e' '"Path"=hex(2):25,00,41,00,25,00,00,00' \
		'"Blob"=hex:01,02,03' '' \
		"[$S\\caf%C3%A9]" '"HostName"="café.example.com"' '"PingInterval"=dword:00000002' '' \
		"[$S\\café]" '"PingInterval"="1"' '' \
		"[$S\\中文 q]" '"HostName"="zh.example.com"' '"TerminalType"="xterm"' '' \
		"[$PUTTY\\PuTTY\\SshHostKeys]" '"ssh-ed25519@22:web.example.com"="0x1234"' '' \
		"[$W\\My%20site]" '"HostName"="sftp.example.com"' '"FSProtocol"=dword:00000002' \
		'"PingIntervalSec"=dword:0000000a' '' | iconv -f UTF-8 -t UTF-16LE
} >"$work/in.reg"
check "reg import (UTF-16LE with BOM)" wine reg import "$(win "$work/in.reg")" </dev/null >/dev/null 2>&1

export_keys() { # export_keys NAME: both trees, as regedit writes them (a missing one: empty)
	: >"$work/$1-p.reg"
	: >"$work/$1-w.reg"
	wine regedit /e "$(win "$work/$1-p.reg")" "$PUTTY" </dev/null >/dev/null 2>&1 || true
	wine regedit /e "$(win "$work/$1-w.reg")" "$WINSCP" </dev/null >/dev/null 2>&1 || true
	cat "$work/$1-p.reg" "$work/$1-w.reg" >"$work/$1.reg"
}
export_keys e0
iconv -f UTF-16LE -t UTF-8 "$work/e0.reg" | grep -qF 'Sessions\caf%C3%A9]' &&
	ok "the escaped key is there" || bad "the escaped key is there"

# --- audit ---
json=$(sx audit --format json "reg:$S" | tr -d '\r') || true
scope() { # scope NAME FIELD [PART]: of the scope so named (PART in set_at or reasons)
	python3 -c 'import json,sys
d=json.load(sys.stdin)
m=[s for s in d["scopes"] if s["scope"]==sys.argv[1] and
   sys.argv[3] in (s["set_at"] or "") + " ".join(s["reasons"])]
print(m[0][sys.argv[2]] if m else "missing")' "$1" "$2" "${3:-}" <<<"$json"
}
[ "$(scope 'web 1' interval)" = 30 ] && ok "audit: web 1 is 30 s" || bad "audit web 1: $json"
# caf%C3%A9 and café both show as café (PuTTY in an ANSI code page: cafÃ©
# and café); each is its own key. PuTTY loads café from caf%E9 (its name
# in code page 1252, escaped), which is not there: n/a, never written
# (tests/windows/putty_oracle.py checks it against PuTTY's own code).
[ "$(scope 'café' status 'PuTTY lists café ')" = n/a ] && ok "audit: a key PuTTY never loads is n/a" ||
	bad "audit café: $(scope 'café' status 'PuTTY lists café ')"
[ "$(scope 'café' interval 'Sessions\caf%C3%A9\')" = 120 ] &&
	ok "audit: the escaped key's session" || bad "audit caf%C3%A9: $json"
[ "$(scope '中文 q' interval)" = 0 ] && ok "audit: a non-ASCII name is read" ||
	bad "audit 中文 q: $(scope '中文 q' interval)"

# --- dry run and check: the .reg diff, nothing written ---
out=$(sx apply --interval 60 --dry-run --diff "reg:$S" "reg:$W" 2>&1 | tr -d '\r') || true
grep -qF '+"PingIntervalSecs"=dword:00000000' <<<"$out" && ok "dry run: the diff in .reg form" ||
	bad "dry run diff: $out"
grep -qF -- "-[-$S\\Default%20Settings]" <<<"$out" && ok "dry run: a new key was [-KEY]" ||
	bad "dry run new key: $out"
status 1 "apply --check finds a change" sx apply --interval 60 --check "reg:$S" >/dev/null 2>&1
export_keys dry
check "dry run and check write nothing" cmp -s "$work/e0.reg" "$work/dry.reg"

# --- apply: only the keepalive values change ---
status 0 "apply --interval 60" sx apply --interval 60 "reg:$S" "reg:$W" >"$work/apply.out" 2>&1
cat "$work/apply.out"
export_keys e1
# only_ping BEFORE AFTER INTERVAL: the exports differ only in keepalive
# values (PuTTY's as INTERVAL) and new Default Settings keys.
cat >"$work/only_ping.py" <<'EOF'
import re, sys
want = int(sys.argv[3])
def putty_loads(raw):
    """PuTTY lists a key as unescape_registry_key(raw) and opens
    escape_registry_key(that) (windows/storage.c), case-insensitively."""
    if re.search(r'[^!-~]', raw):
        return False
    b, i, name = raw.encode('latin-1'), 0, bytearray()
    while i < len(b):
        if b[i] == 0x25 and i + 2 < len(b):
            h = [c - 0x30 for c in b[i + 1:i + 3]]
            h = [x - 7 if x > 9 else x for x in h]
            name.append(((h[0] << 4) + h[1]) & 0xFF)
            i += 3
        else:
            name.append(b[i])
            i += 1
    out = ''
    for j, c in enumerate(name):
        if c in b' \\*?%' or c < 0x20 or c > 0x7E or (c == 0x2E and j == 0):
            out += '%%%02X' % c
        else:
            out += chr(c)
    return out.lower() == raw.lower()
PING = re.compile(r'^"(PingInterval|PingIntervalSecs|PingIntervalSec|PingType)"=', re.I)
def keys(path):
    text = open(path, 'rb').read().decode('utf-16')
    out, key, rest = {}, None, []
    for line in text.split('\r\n'):
        if line.startswith('['):
            key = line
            out[key] = []
        elif key and line:
            out[key].append(line)
        else:
            rest.append(line)
    return text, out
t0, k0 = keys(sys.argv[1])
t1, k1 = keys(sys.argv[2])
errors = []
new = set(k1) - set(k0)
if set(k0) - set(k1):
    errors.append('keys gone: %s' % (set(k0) - set(k1)))
for k in new:
    if not k.endswith('\\Default%20Settings]'):
        errors.append('a key that should not be there: ' + k)
for k in k0:
    keep0 = [l for l in k0[k] if not PING.match(l)]
    keep1 = [l for l in k1.get(k, []) if not PING.match(l)]
    if keep0 != keep1:
        errors.append('%s: other values changed: %s -> %s' % (k, keep0, keep1))
    name = k[k.find('\\Sessions\\') + 10:-1]
    if '\\PuTTY\\Sessions\\' in k and not putty_loads(name):
        # PuTTY never loads a key its own escape of the listed name does
        # not give (a raw space, non-ASCII, a '%' not before two digits): left.
        if [l for l in k0[k] if PING.match(l)] != [l for l in k1[k] if PING.match(l)]:
            errors.append('%s: a key PuTTY never loads was written' % k)
    elif '\\PuTTY\\Sessions\\' in k:
        ping = sorted(l for l in k1[k] if PING.match(l))
        if ping != sorted(['"PingInterval"=dword:%08x' % (want // 60),
                           '"PingIntervalSecs"=dword:%08x' % (want % 60)]):
            errors.append('%s: %s' % (k, ping))
    elif 'SshHostKeys' in k and k0[k] != k1[k]:
        errors.append('host keys changed')
# Every other byte: the exports without the keepalive lines and new keys.
def strip(text, drop):
    out, skip = [], False
    for line in text.split('\r\n'):
        if line.startswith('['):
            skip = line in drop
        if not skip and not PING.match(line):
            out.append(line)
    return '\r\n'.join(out)
if strip(t0, set()) != strip(t1, new):
    errors.append('the rest of the export differs')
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
EOF
check "only the keepalive values changed" python3 "$work/only_ping.py" "$work/e0.reg" "$work/e1.reg" 60
json=$(sx audit --format json "reg:$S" "reg:$W" | tr -d '\r') || true
python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["summary"]["failed"]==0 and d["summary"]["errors"]==0 else 1)' <<<"$json" &&
	ok "audit passes after apply" || bad "audit after apply: $json"
status 0 "a second apply changes nothing" sx apply --interval 60 --check "reg:$S" "reg:$W" >/dev/null 2>&1

backups=("$work"/state/sshsync/reg-backup-*.reg)
[ "${#backups[@]}" -eq 2 ] && ok "a .reg backup per key" || bad "backups: ${backups[*]}"
head -c 2 "${backups[0]}" | cmp -s - <(printf '\xff\xfe') && ok "the backup is UTF-16LE with BOM" ||
	bad "backup BOM"
iconv -f UTF-16LE -t UTF-8 "${backups[0]}" | head -1 | grep -q 'Windows Registry Editor Version 5.00' &&
	ok "the backup's header" || bad "backup header"
grep -q "backup: .*reg-backup-" "$work/apply.out" && ok "apply names the backup" || bad "apply names the backup"

# --- undo: the export byte for byte ---
status 0 "undo" sx undo >/dev/null 2>&1
export_keys undo
check "undo restores the export byte for byte" cmp -s "$work/e0.reg" "$work/undo.reg"

# --- reg import of the backups: the export byte for byte ---
status 0 "apply again" sx apply --interval 60 "reg:$S" "reg:$W" >/dev/null 2>&1
for b in "$work"/state/sshsync/reg-backup-*.reg; do
	wine reg import "$(win "$b")" </dev/null >/dev/null 2>&1 || bad "reg import $b"
done
export_keys imported
check "reg import of the backups restores the export byte for byte" cmp -s "$work/e0.reg" "$work/imported.reg"

# --- undo refuses values changed since the apply ---
rm -rf "$work/state/sshsync"
status 0 "apply (for undo)" sx apply --interval 60 "reg:$S" >/dev/null 2>&1
wine reg add "$S\\web%201" /v PingIntervalSecs /t REG_DWORD /d 5 /f </dev/null >/dev/null 2>&1
export_keys changed
status 2 "undo refused after a change" sx undo >"$work/undo.out" 2>&1
grep -q "changed since that apply" "$work/undo.out" && ok "undo says why" || bad "undo message: $(cat "$work/undo.out")"
export_keys after_refusal
check "a refused undo writes nothing" cmp -s "$work/changed.reg" "$work/after_refusal.reg"

# --- migrate into the live registry: a new session key, undone ---
rm -rf "$work/state/sshsync"
export_keys before_migrate
printf 'Host mig\n    HostName mig.example.com\n    Port 2222\n    ServerAliveInterval 45\n' >"$work/mig.conf"
status 0 "migrate ssh -> reg:" sx migrate --from "ssh:$(win "$work/mig.conf")" --to "reg:$S" >/dev/null 2>&1
q=$(wine reg query "$S\\mig" /v PortNumber </dev/null 2>/dev/null | tr -d '\r')
grep -q 'REG_DWORD *0x8ae' <<<"$q" && ok "migrate wrote the session's key" || bad "migrate: $q"
status 0 "undo the migrate" sx undo >/dev/null 2>&1
export_keys after_migrate_undo
check "undo of a migrate removes the new key, byte for byte" cmp -s "$work/before_migrate.reg" "$work/after_migrate_undo.reg"

# --- generated sessions: names and values of every kind, kept byte for byte ---
# gen.py N SEED: N PuTTY sessions with random names (escapes, blanks,
# non-ASCII, a character beyond the BMP, quotes and brackets) and values
# (strings with quotes and backslashes, binary, expand and multi strings,
# qwords, keepalives as DWORDs, strings or absent), as a .reg file.
cat >"$work/gen.py" <<'EOF'
import random, sys
n, rnd = int(sys.argv[1]), random.Random(int(sys.argv[2]))
S = 'HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions'
PIECES = ['web', 'db', ' ', '%20', '%C3%A9', '%25', 'caf\u00e9', '\u4e2d\u6587', '\U0001f30e',
          '"q"', '[x]', 'a.b', '%', "'", '~']
def esc(t):
    return t.replace('\\', '\\\\').replace('"', '\\"')
def hexs(b):
    return ','.join('%02x' % x for x in b)
out, names = ['Windows Registry Editor Version 5.00', ''], set()
while len(names) < n:
    name = ''.join(rnd.choice(PIECES) for _ in range(rnd.randint(1, 4)))
    if name.lower() in names or name.strip() != name or name == 'Default%20Settings':
        continue
    names.add(name.lower())
    out.append('[%s\\%s]' % (S, name))
    k = rnd.randint(0, 3)
    if k == 1:
        out.append('"PingInterval"=dword:%08x' % rnd.randint(0, 9))
    elif k == 2:
        out.append('"PingInterval"="%d"' % rnd.randint(0, 9))
    if rnd.random() < 0.5:
        out.append('"PingIntervalSecs"=dword:%08x' % rnd.randint(0, 59))
    text = ''.join(rnd.choice(['a', '"', '\\', ' ', '\u00e9', '\u4e2d', '%']) for _ in range(rnd.randint(0, 12)))
    out.append('"HostName"="%s"' % esc(text))
    if rnd.random() < 0.5:
        out.append('"Blob"=hex:%s' % hexs(rnd.randbytes(rnd.randint(1, 9))))
    if rnd.random() < 0.5:
        out.append('"Exp"=hex(2):%s' % hexs('%TEMP%\\x'.encode('utf-16-le') + b'\0\0'))
    if rnd.random() < 0.5:
        out.append('"Multi"=hex(7):%s' % hexs('a\0b\0\0'.encode('utf-16-le')))
    if rnd.random() < 0.5:
        out.append('"Q"=hex(b):%s' % hexs(rnd.randbytes(8)))
    if rnd.random() < 0.3:
        out.append('"Odd \\"name\\" [x]"=dword:%08x' % rnd.randint(0, 2**32 - 1))
    out.append('')
sys.stdout.buffer.write(b'\xff\xfe' + '\r\n'.join(out).encode('utf-16-le'))
EOF
cleanup_keys
ngen=24 seed=${SSHSYNC_SEED:-$RANDOM}
python3 "$work/gen.py" "$ngen" "$seed" >"$work/gen.reg"
check "reg import of $ngen generated sessions (seed $seed)" wine reg import "$(win "$work/gen.reg")" </dev/null >/dev/null 2>&1
rm -rf "$work/state/sshsync"
export_keys g0
status 0 "apply --interval 90 to the generated sessions" sx apply --interval 90 "reg:$S" >/dev/null 2>&1
export_keys g1
check "generated: only the keepalive values changed" python3 "$work/only_ping.py" "$work/g0.reg" "$work/g1.reg" 90
json=$(sx audit --format json --interval 90 "reg:$S" | tr -d '\r') || true
# A session PuTTY loads audits at 90 s; one whose key it never opens is n/a.
agree=$(python3 -c 'import json,sys
d=json.load(sys.stdin)
s=[x for x in d["scopes"] if x["scope"]!="Default Settings"]
print("%d %d" % (sum((x["status"]=="pass" and x["interval"]==90) or x["status"]=="n/a" for x in s), len(s)))' <<<"$json") || agree="0 0"
echo "generated: audit after apply agrees on ${agree% *} of ${agree#* } sessions (90 s)"
[ "$agree" = "$ngen $ngen" ] && ok "generated: every session audits at 90 s" || bad "generated: $agree of $ngen"
status 0 "undo the generated apply" sx undo >/dev/null 2>&1
export_keys g2
check "generated: undo restores the export byte for byte" cmp -s "$work/g0.reg" "$work/g2.reg"
cleanup_keys
wine reg import "$(win "$work/in.reg")" </dev/null >/dev/null 2>&1 # the first sessions, for discover

# --- discover: the sessions keys, and the store WinSCP uses ---
cleanup_discover
[ ! -e "$appdata/WinSCP.ini" ] || bad "a WinSCP.ini in %APPDATA% before the test"
out=$(sx discover | tr -d '\r')
grep -qxF 'reg HKCU\Software\SimonTatham\PuTTY\Sessions' <<<"$out" && ok "discover: PuTTY's key" ||
	bad "discover PuTTY: $out"
grep -qxF 'reg HKCU\Software\Martin Prikryl\WinSCP 2\Sessions' <<<"$out" &&
	ok "discover: WinSCP's key while it has no WinSCP.ini" || bad "discover WinSCP: $out"
grep -q '^reg .*KiTTY' <<<"$out" && bad "discover: KiTTY's key is not there: $out" ||
	ok "discover: no KiTTY key, none listed"
grep -q '^winereg ' <<<"$out" && bad "discover under Wine lists a Wine prefix: $out" ||
	ok "discover: no Wine prefix from a Windows program"
printf '[Sessions\\s]\r\nHostName=h\r\n' >"$appdata/WinSCP.ini"
out=$(sx discover | tr -d '\r')
grep -qxF "winscp $appdata_w\WinSCP.ini" <<<"$out" && ok "discover: %APPDATA%\\WinSCP.ini" ||
	bad "discover %APPDATA%: $out"
grep -q 'WinSCP 2' <<<"$out" && bad "discover: WinSCP's key although it uses its INI: $out" ||
	ok "discover: WinSCP's INI instead of its key"
mkdir -p "$installed"
printf '[Sessions\\t]\r\nHostName=h\r\n' >"$installed/WinSCP.ini"
wine reg add "$UNINSTALL" /v InstallLocation /d 'C:\sshsync-test-WinSCP\' /f </dev/null >/dev/null 2>&1
out=$(sx discover | tr -d '\r')
grep -qxF 'winscp C:\sshsync-test-WinSCP\WinSCP.ini' <<<"$out" &&
	ok "discover: WinSCP.ini beside the installed WinSCP.exe" || bad "discover installed: $out"
[ "$(grep -c '^winscp ' <<<"$out")" = 1 ] && ok "discover: one WinSCP store" || bad "discover: $out"

finish reg_live
