# Shared by the fault tests: the four stores, set up in a fixed directory so
# that every run makes the same system calls in the same order.
fx="${SSHSYNC_FIXTURES:?}/demo/home"
STORES="ssh reg sessdir winscp"

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
# hashes are the files as they are now.
journal_check() {
	python3 - "$1" "$2/state/sshsync/journal" <<'PY'
import hashlib, json, os, sys
status, path = int(sys.argv[1]), sys.argv[2]
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
for f in entries[done[0]]["files"]:
    if f["after"] is None:
        continue
    got = hashlib.sha256(open(f["path"], "rb").read()).hexdigest()
    if got != f["after"]:
        sys.exit("%s: not the journal's 'after'" % f["path"])
PY
}
