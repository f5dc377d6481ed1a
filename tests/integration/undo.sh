#!/usr/bin/env bash
# undo: two applies then two undos give back the originals byte for byte,
# for an ssh config with an Include, a PuTTY session directory (where apply
# creates Default Settings) and a UTF-16 .reg; a file changed since is
# refused unless --force; the first backup stays the pristine original;
# --list shows the journal; a cut last journal line is no record; damaged
# kept contents fail the undo and change nothing.
set -u
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
work=$(mktemp -d) || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$work"' EXIT
export XDG_STATE_HOME="$work/state" HOME="$work/h"
mkdir -p "$HOME/.ssh/config.d" "$work/putty/sessions" "$work/orig"

printf 'Host a\n  ServerAliveInterval 10\nInclude config.d/*\n' > "$HOME/.ssh/config"
printf 'Host c\n  ServerAliveInterval 30\n' > "$HOME/.ssh/config.d/x.conf"
printf 'HostName=a.example\nPingInterval=0\n' > "$work/putty/sessions/web"
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\db]\r\n"PingInterval"=dword:00000000\r\n\r\n' |
	iconv -f UTF-8 -t UTF-16LE | { printf '\xff\xfe'; cat; } > "$work/s.reg"
targets=("ssh:$HOME/.ssh/config" "putty:$work/putty/sessions" "putty:$work/s.reg")
files=("$HOME/.ssh/config" "$HOME/.ssh/config.d/x.conf" "$work/putty/sessions/web" "$work/s.reg")
snap() { # snap DIR: copies of every file
	mkdir -p "$1"
	for i in "${!files[@]}"; do cp "${files[$i]}" "$1/$i"; done
}
same_as() { # same_as DIR
	for i in "${!files[@]}"; do cmp -s "${files[$i]}" "$1/$i" || return 1; done
}
snap "$work/s0"
"$SSHSYNC" apply --interval 60 "${targets[@]}" > "$work/out" 2>&1 || bad "apply 1: $(cat "$work/out")"
snap "$work/s1"
[ -f "$work/putty/sessions/Default%20Settings" ] && ok || bad "apply did not create Default Settings"
"$SSHSYNC" apply --interval 90 "${targets[@]}" > "$work/out" 2>&1 || bad "apply 2: $(cat "$work/out")"
# The backups are still the originals after two applies.
cmp -s "$HOME/.ssh/config.sshsync-bak" "$work/s0/0" && cmp -s "$HOME/.ssh/config.d/.sshsync-bak/x.conf" "$work/s0/1" &&
	cmp -s "$work/putty/sessions.sshsync-bak/web" "$work/s0/2" && cmp -s "$work/s.reg.sshsync-bak" "$work/s0/3" &&
	ok || bad "a backup is not the pristine original"

"$SSHSYNC" undo --list > "$work/list" 2>&1 || bad "undo --list: $(cat "$work/list")"
[ "$(grep -c '^[0-9]*  .*  apply  done$' "$work/list")" = 2 ] && ok || bad "list: $(cat "$work/list")"
grep -q "Default%20Settings  (created)" "$work/list" && ok || bad "list shows no created file: $(cat "$work/list")"

"$SSHSYNC" undo > "$work/out" 2>&1 || bad "undo 1: $(cat "$work/out")"
same_as "$work/s1" && ok || bad "first undo does not give back the first apply's result"
"$SSHSYNC" undo > "$work/out" 2>&1 || bad "undo 2: $(cat "$work/out")"
same_as "$work/s0" && ok || bad "second undo does not give back the originals"
[ ! -e "$work/putty/sessions/Default%20Settings" ] && ok || bad "created Default Settings not removed"
grep -q "removed .*Default%20Settings" "$work/out" && ok || bad "undo output: $(cat "$work/out")"
"$SSHSYNC" undo > "$work/out" 2>&1
[ $? = 2 ] && grep -q "nothing to undo" "$work/out" && ok || bad "third undo: $(cat "$work/out")"

# A file changed since the apply is refused, nothing written; --force does it.
"$SSHSYNC" apply --interval 60 "${targets[@]}" > /dev/null 2>&1 || bad "apply 3"
snap "$work/s3"
echo '# my edit' >> "$HOME/.ssh/config.d/x.conf"
cp "$HOME/.ssh/config.d/x.conf" "$work/edited"
"$SSHSYNC" undo > "$work/out" 2>&1
[ $? = 2 ] && ok || bad "undo over an edit: $(cat "$work/out")"
grep -q "x.conf changed since that apply" "$work/out" && ok || bad "message: $(cat "$work/out")"
cmp -s "$HOME/.ssh/config" "$work/s3/0" && cmp -s "$HOME/.ssh/config.d/x.conf" "$work/edited" && ok ||
	bad "a refused undo wrote"
"$SSHSYNC" undo --force > "$work/out" 2>&1 || bad "undo --force: $(cat "$work/out")"
same_as "$work/s0" && ok || bad "undo --force did not give back the originals"

# A large file alone (over 1 MiB: its old bytes are hashed by a second
# thread: a UTF-16 .reg read again while it is read and planned, a
# WinSCP.ini from its text while the new one is written), changed just before (its times cannot tell
# it: the hashes of the two reads must agree) and long before: the
# journal holds the SHA-256 of the bytes before and their fingerprint
# after (XXH3-128, as xxhsum -H2 makes it), and undo gives back the
# original.
python3 - "$work/big.reg" "$work/big.ini" <<'PY'
import sys
parts = ["Windows Registry Editor Version 5.00\r\n\r\n"]
for i in range(6000):
    parts.append('[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\h%d]\r\n'
                 '"HostName"="h%d.example"\r\n"PingInterval"=dword:00000000\r\n\r\n' % (i, i))
open(sys.argv[1], "wb").write(b"\xff\xfe" + "".join(parts).encode("utf-16-le"))
sites = ["[Sessions\\site%d]\r\nHostName=h%d.example\r\nPingType=0\r\nNote=%s\r\n\r\n"
         % (i, i, "n" * 40) for i in range(14000)]
open(sys.argv[2], "wb").write("".join(sites).encode())
PY
[ "$(stat -c %s "$work/big.ini")" -gt 1048576 ] && ok || bad "the large WinSCP.ini is not over 1 MiB"
large_apply_undo() { # large_apply_undo KIND FILE
	local kind=$1 f=$2 when
	cp "$f" "$f.orig"
	for when in now old; do
		cp "$f.orig" "$f"
		[ "$when" = old ] && touch -d '1 hour ago' "$f"
		"$SSHSYNC" apply --interval 60 --no-backup "$kind:$f" > "$work/out" 2>&1 ||
			bad "apply to a large $f ($when): $(cat "$work/out")"
		python3 - "$XDG_STATE_HOME/sshsync/journal" "$f.orig" "$f" <<'PY' &&
import hashlib, json, subprocess, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip() and '"files"' in l]
f = recs[-1]["files"][0]
sha = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()
xxh = lambda p: subprocess.run(["xxhsum", "-H2", "-"], stdin=open(p, "rb"), capture_output=True,
                               check=True).stdout.split()[0].decode()
assert f["before"] == sha(sys.argv[2]) and f["after_xxh128"] == xxh(sys.argv[3]), f
assert f["after"] is None and xxh(sys.argv[2]) != xxh(sys.argv[3]), f
PY
			ok || bad "the journal's hashes of a large $f ($when)"
		cp "$f" "$f.applied"
		"$SSHSYNC" undo > "$work/out" 2>&1 || bad "undo of a large $f ($when): $(cat "$work/out")"
		cmp -s "$f" "$f.orig" && ok || bad "undo did not give back a large $f ($when)"
		# The undo's entry: the hashes it knew (its check's, the name of the
		# contents it put back, its SHA-256 "after") are those of the bytes.
		python3 - "$XDG_STATE_HOME/sshsync/journal" "$f.applied" "$f.orig" <<'PY' &&
import hashlib, json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip() and '"files"' in l]
assert recs[-1]["op"] == "undo", recs[-1]
f = recs[-1]["files"][0]
sha = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()
assert f["before"] == sha(sys.argv[2]) and f["after"] == sha(sys.argv[3]), f
assert "after_xxh128" not in f, f
PY
			ok || bad "the journal's hashes of the undo of a large $f ($when)"
	done
}
large_apply_undo putty "$work/big.reg"
large_apply_undo winscp "$work/big.ini"

# Damaged kept contents (undo reads them as it writes, never whole): the
# undo fails, the files stay as they are, and once the contents are
# whole again it works. A large file alone (its new file is made before
# the journal entry begins), then several files (the first is written
# before the second's contents turn out damaged, and is put back).
kept_of() { # kept_of N: where the last entry's file N before is kept: FILE OFFSET
	# (objects/HEX, or within the run's pack), OFFSET a byte of it
	python3 - "$XDG_STATE_HOME/sshsync/journal" "$1" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip() and '"files"' in l]
f = recs[-1]["files"][int(sys.argv[2])]
if "pack" in f:
    print(f["pack"] + ".pack", f["at"] + min(5, f["size"] - 1))
else:
    print(f["before"], 5)
PY
}
damage_and_undo() { # damage_and_undo N WHAT FILE...: FILEs as they are after
	local where what=$2 f
	where=$(kept_of "$1")
	local obj="$XDG_STATE_HOME/sshsync/objects/${where% *}" at=${where#* }
	shift 2
	cp "$obj" "$work/obj.good"
	for f in "$@"; do cp "$f" "$f.now"; done
	printf 'x' | dd of="$obj" bs=1 seek="$at" conv=notrunc status=none
	"$SSHSYNC" undo > "$work/out" 2>&1
	[ $? = 2 ] && grep -q "are damaged" "$work/out" && ok || bad "undo over damaged contents ($what): $(cat "$work/out")"
	for f in "$@"; do cmp -s "$f" "$f.now" && ok || bad "undo over damaged contents changed $f ($what)"; done
	cp "$work/obj.good" "$obj"
}
cp "$work/big.reg.orig" "$work/big.reg"
"$SSHSYNC" apply --interval 60 --no-backup "putty:$work/big.reg" > /dev/null 2>&1 || bad "apply to a large .reg again"
damage_and_undo 0 "a large file" "$work/big.reg"
"$SSHSYNC" undo > "$work/out" 2>&1 || bad "undo once the contents are whole: $(cat "$work/out")"
cmp -s "$work/big.reg" "$work/big.reg.orig" && ok || bad "undo did not give back a large .reg after a failed undo"
"$SSHSYNC" apply --interval 75 "${targets[@]}" > /dev/null 2>&1 || bad "apply 4"
snap "$work/s4"
damage_and_undo 1 "several files" "${files[@]}"
same_as "$work/s4" && ok || bad "a failed undo of several files left them changed"
grep -q "put back as they were: .*config" "$work/out" && ok || bad "which files were put back: $(cat "$work/out")"
"$SSHSYNC" undo > "$work/out" 2>&1 || bad "undo of several files once whole: $(cat "$work/out")"
same_as "$work/s0" && ok || bad "undo of several files did not give back the originals"

# Temporary files: none anywhere.
find "$work" -name '.*.sshsync-??????' | grep -q . && bad "temporary files left: $(find "$work" -name '.*.sshsync-*')" || ok

# A journal whose last line was cut (a crash while appending) still works.
printf '{"id":99,"op":"apply","ti' >> "$XDG_STATE_HOME/sshsync/journal"
"$SSHSYNC" apply --interval 45 "ssh:$HOME/.ssh/config" > "$work/out" 2>&1 || bad "apply after a cut line: $(cat "$work/out")"
"$SSHSYNC" undo > "$work/out" 2>&1 || bad "undo after a cut line: $(cat "$work/out")"
same_as "$work/s0" && ok || bad "undo after a cut line did not restore"
python3 - "$XDG_STATE_HOME/sshsync/journal" <<'PY' && ok || bad "journal lines are not all JSON records"
import json, sys
lines = open(sys.argv[1]).read().split("\n")
good = [json.loads(l) for l in lines if l and not l.startswith('{"id":99,')]
assert all("id" in r for r in good), good
PY

# An entry written before fingerprints has the SHA-256 of a file "after":
# undo still reads it, and refuses a file that is not those bytes.
old_entry() { # old_entry SHA: the last entry's fingerprints made that SHA-256 "after"
	python3 - "$XDG_STATE_HOME/sshsync/journal" "$1" <<'PY'
import json, sys
path, sha = sys.argv[1], sys.argv[2]
lines = open(path).read().split("\n")
last = max(i for i, l in enumerate(lines) if '"files"' in l)
r = json.loads(lines[last])
for f in r["files"]:
    assert f.pop("after_xxh128"), f
    f["after"] = sha
lines[last] = json.dumps(r, separators=(",", ":"))
open(path, "w").write("\n".join(lines))
PY
}
for case in same other; do
	"$SSHSYNC" apply --interval 45 "ssh:$HOME/.ssh/config.d/x.conf" > "$work/out" 2>&1 || bad "apply ($case): $(cat "$work/out")"
	sha=$(sha256sum < "$HOME/.ssh/config.d/x.conf" | cut -d' ' -f1)
	[ "$case" = other ] && sha=$(printf 'other' | sha256sum | cut -d' ' -f1)
	old_entry "$sha" || bad "the journal's entry made old ($case)"
	"$SSHSYNC" undo > "$work/out" 2>&1
	rc=$?
	if [ "$case" = same ]; then
		[ $rc = 0 ] && same_as "$work/s0" && ok || bad "undo of an entry with a SHA-256 after: $(cat "$work/out")"
	else
		[ $rc = 2 ] && grep -q "x.conf changed since that apply" "$work/out" && ok ||
			bad "undo of an entry whose SHA-256 after is not the file: rc $rc, $(cat "$work/out")"
		"$SSHSYNC" undo --force > "$work/out" 2>&1 && same_as "$work/s0" && ok || bad "undo --force ($case)"
	fi
done

"$SSHSYNC" undo --help | grep -q -- "--force" && ok || bad "undo --help"
"$SSHSYNC" undo extra > /dev/null 2>&1
[ $? = 2 ] && ok || bad "undo with a target is not a usage error"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
