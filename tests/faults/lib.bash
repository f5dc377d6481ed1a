# Shared by the fault tests: the stores, set up in a fixed directory so
# that every run makes the same system calls in the same order.
fx="${SSHSYNC_FIXTURES:?}/demo/home"
STORES=${FAULT_STORES:-ssh reg sessdir winscp bigini bigkept} # FAULT_STORES: only these

# big_ini OUT: the demo's WinSCP.ini with 5,600 sites more, 1.16 MB: a file
# of 1 MiB or more that is apply's only one is written by another path
# (engine/writeset.c, prepare_single: hashed ahead of the write by a
# second thread, its temporary file written before the journal entry
# begins; safewrite.c: read again while the temporary file is synced).
big_ini() {
	python3 - "$fx/.wine/drive_c/users/demo/AppData/Roaming/WinSCP.ini" "$1" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "wb") as f:
    f.write(data)
    for i in range(5600):
        f.write(b"\r\n[Sessions\\Fleet/host%%2004%d]\r\nHostName=host%04d.example.com\r\n"
                b"UserName=deploy\r\nFSProtocol=2\r\nPingType=1\r\nPingInterval=0\r\n"
                b"PingIntervalSecs=30\r\nPingIntervalSec=30\r\n"
                b"RemoteDirectory=/srv/www/host%04d/htdocs\r\n" % (i, i, i))
PY
}

# setup STORE DIR: a fresh copy of the store in DIR; sets TARGET.
setup() {
	rm -rf "$2"
	mkdir -p "$2"
	case $1 in
	ssh)
		mkdir -p "$2/h/.ssh"
		cp -r "$fx/.ssh/config" "$fx/.ssh/config.d" "$2/h/.ssh/"
		chmod -R go-w "$2/h"
		TARGET="ssh:$2/h/.ssh/config" ;;
	reg)
		cp "$fx/putty-sessions.reg" "$2/sessions.reg"
		TARGET="putty:$2/sessions.reg" ;;
	sessdir)
		cp -r "$fx/.putty/sessions" "$2/sessions"
		rm -f "$2/sessions/Default%20Settings" # apply creates it
		TARGET="putty:$2/sessions" ;;
	winscp)
		cp "$fx/.wine/drive_c/users/demo/AppData/Roaming/WinSCP.ini" "$2/WinSCP.ini"
		TARGET="winscp:$2/WinSCP.ini" ;;
	bigini | bigkept) # made once, beside DIR
		[ -f "$2.big.ini" ] || big_ini "$2.big.ini"
		cp "$2.big.ini" "$2/WinSCP.ini"
		# Its first backup kept already (a file of its own): the journal
		# then keeps the file by a hard link, named once the last check
		# passes (safewrite.c, ss_keep_link), not by a copy.
		[ "$1" = bigini ] || cp "$2.big.ini" "$2/WinSCP.ini.sshsync-bak"
		TARGET="winscp:$2/WinSCP.ini" ;;
	esac
}

# snapshot DIR OUT: every file of DIR but the journal, as OUT/list (names)
# and OUT/files/ (contents).
snapshot() {
	rm -rf "$2"
	mkdir -p "$2"
	(cd "$1" && find . -path ./state -prune -o \( -type f -o -type l \) -print | LC_ALL=C sort) >"$2/list"
	(cd "$1" && tar cf - --exclude=./state .) | (mkdir -p "$2/files" && cd "$2/files" && tar xf -)
}

# temps DIR: temporary files left anywhere (the journal's included).
temps() {
	find "$1" -name '.*.sshsync-[A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9][A-Za-z0-9]'
}

# journal_check STATUS DIR: the journal agrees with the outcome. After a
# failure no entry is done; after success exactly one is, and its "after"
# fingerprints (XXH3-128, xxhsum -H2; undo's: SHA-256) are the files as
# they are now.
journal_check() {
	python3 - "$1" "$2/state/sshsync/journal" <<'PY'
import hashlib, json, os, subprocess, sys
status, path = int(sys.argv[1]), sys.argv[2]

def xxh(p):
    with open(p, "rb") as f:
        out = subprocess.run(["xxhsum", "-H2", "-"], stdin=f, capture_output=True, check=True)
    return out.stdout.split()[0].decode()

entries, ends = {}, {}
if os.path.exists(path):
    for line in open(path, encoding="utf-8").read().split("\n"):
        try:
            r = json.loads(line)
        except ValueError:
            continue  # a cut record: no record
        if "end" in r:
            ends[r["id"]] = r["end"]
        else:
            entries[r["id"]] = r
done = [i for i in entries if ends.get(i) == "done"]
if status != 0:
    sys.exit("a failed apply has a done journal entry" if done else 0)
if len(done) != 1:
    sys.exit("a successful apply has %d done entries" % len(done))
objects = os.path.join(os.path.dirname(path), "objects")
for f in entries[done[0]]["files"]:
    # The previous contents kept (a copy, a pack's slice or, for a large
    # file, the replaced file itself by a hard link) are the 'before'.
    if f.get("before"):
        if "pack" in f:
            with open(os.path.join(objects, f["pack"] + ".pack"), "rb") as k:
                k.seek(f["at"])
                kept = k.read(f["size"])
        else:
            kept = open(os.path.join(objects, f["before"]), "rb").read()
        if hashlib.sha256(kept).hexdigest() != f["before"]:
            sys.exit("%s: the kept contents are not the journal's 'before'" % f["path"])
    if f.get("after_xxh128"):
        if xxh(f["path"]) != f["after_xxh128"]:
            sys.exit("%s: not the journal's 'after_xxh128'" % f["path"])
    elif f["after"] is not None and not f["path"].startswith("reg:"):
        # undo's: the SHA-256 of the contents it put back
        if hashlib.sha256(open(f["path"], "rb").read()).hexdigest() != f["after"]:
            sys.exit("%s: not the journal's 'after'" % f["path"])
PY
}
