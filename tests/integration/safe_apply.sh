#!/usr/bin/env bash
# The write path against real files: ACLs and extended attributes kept, a
# planted backup-directory link refused, an edit made during the write never
# lost, a file edited meanwhile putting the others back, and the same for
# 300 files written at once.
set -u
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
work=$(mktemp -d) || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$work"' EXIT
export XDG_STATE_HOME="$work/state" HOME="$work/home"
# LeakSanitizer cannot run under ptrace (strace).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
mkdir -p "$HOME"

# ACLs, extended attributes, the set-group-ID bit.
c="$work/acl.cfg"
printf 'Host a\n  ServerAliveInterval 10\n' > "$c"
chmod 2640 "$c"
if setfacl -m u:nobody:rw "$c" 2>/dev/null && setfattr -n user.origin -v dotfiles "$c" 2>/dev/null; then
	before=$(getfacl -cp "$c" 2>/dev/null)
	"$SSHSYNC" apply --interval 60 "ssh:$c" > /dev/null 2>&1 || bad "apply with an ACL"
	[ "$(getfacl -cp "$c" 2>/dev/null)" = "$before" ] && ok || bad "ACL changed: $(getfacl -cp "$c")"
	[ "$(getfattr --only-values -n user.origin "$c" 2>/dev/null)" = dotfiles ] && ok || bad "xattr lost"
	[ "$(stat -c %a "$c")" = 2660 ] && ok || bad "mode now $(stat -c %a "$c")" # mask rw shows as group rw
	grep -q 'ServerAliveInterval 60' "$c" && ok || bad "not applied"
else
	echo "skip: no ACLs or user xattrs on $work"
fi

# A symbolic link planted as the backup directory of a session folder.
mkdir -p "$work/victim" "$work/putty/sessions"
echo ROOT-OWNED > "$work/victim/target"
printf 'HostName=x\n' > "$work/putty/sessions/target"
ln -s "$work/victim" "$work/putty/sessions.sshsync-bak"
"$SSHSYNC" apply --interval 60 "putty:$work/putty/sessions" > "$work/out" 2>&1
[ $? = 2 ] && ok || bad "apply through a linked backup directory: $(cat "$work/out")"
grep -q "symbolic link" "$work/out" && ok || bad "message: $(cat "$work/out")"
[ "$(cat "$work/victim/target")" = ROOT-OWNED ] && [ "$(stat -c %h "$work/victim/target")" = 1 ] && ok || bad "victim touched"
[ "$(cat "$work/putty/sessions/target")" = "HostName=x" ] && ok || bad "session written"

# An edit made while sshsync writes (its fsync held for a second) is kept.
c="$work/race.cfg"
printf 'Host a\n  ServerAliveInterval 10\n' > "$c"
strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:delay_enter=1500000:when=1 \
	"$SSHSYNC" apply --interval 60 "ssh:$c" > "$work/out" 2>&1 &
pid=$!
sleep 0.7
echo '# my edit' >> "$c"
wait $pid
st=$?
[ $st = 2 ] && ok || bad "lost update: exit $st $(cat "$work/out")"
grep -q '# my edit' "$c" && grep -q 'ServerAliveInterval 10' "$c" && ok || bad "edit lost: $(cat "$c")"
ls -A "$work" | grep -Eq '\.sshsync-[A-Za-z0-9]{6}$' && bad "temporary file left: $(ls -A "$work")" || ok

# All or nothing: one file is edited while sshsync writes, so it cannot be
# replaced; the others are put back and the edit is kept. The edit comes
# once the journal keeps the previous contents (after every check before
# writing), while every thread's first fsync is held for 1.5 s. (Fault
# injection by call count cannot pick the file: the files are written by
# several threads, and strace counts each thread's calls apart.)
edited_meanwhile() { # FILE TARGET LINE: apply to TARGET, LINE added to FILE meanwhile
	local temps="$XDG_STATE_HOME/sshsync/objects/.tmp" i=0
	strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:delay_enter=1500000:when=1 \
		"$SSHSYNC" apply --interval 60 "$2" > "$work/out" 2>&1 &
	local pid=$!
	while [ -z "$(ls -A "$temps" 2>/dev/null)" ] && [ $i -lt 400 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	echo "$3" >> "$1"
	wait $pid
}
mkdir -p "$work/h/.ssh/config.d"
printf 'Host a\n  ServerAliveInterval 10\nInclude config.d/x.conf\n' > "$work/h/.ssh/config"
printf 'Host c\n  ServerAliveInterval 30\n' > "$work/h/.ssh/config.d/x.conf"
cp "$work/h/.ssh/config" "$work/config.orig"
cp "$work/h/.ssh/config.d/x.conf" "$work/x.orig"
echo '# my edit' >> "$work/x.orig"
HOME="$work/h" edited_meanwhile "$work/h/.ssh/config.d/x.conf" "ssh:$work/h/.ssh/config" '# my edit'
st=$?
[ $st = 2 ] && ok || bad "a file edited meanwhile: exit $st $(cat "$work/out")"
grep -q "changed since sshsync read it.*put back as they were: .*config" "$work/out" && ok || bad "message: $(cat "$work/out")"
cmp -s "$work/h/.ssh/config" "$work/config.orig" && cmp -s "$work/h/.ssh/config.d/x.conf" "$work/x.orig" &&
	ok || bad "originals not restored: $(cat "$work/h/.ssh/config" "$work/h/.ssh/config.d/x.conf")"
find "$work/h" -name '*.sshsync-??????' | grep -q . && bad "temporary file left" || ok
"$SSHSYNC" undo --list > "$work/list" 2>&1
grep -q "apply  rolled back" "$work/list" && ok || bad "journal: $(cat "$work/list")"

# Many files at once (a session folder of 300, written by several threads,
# their backups into one folder): one edited meanwhile puts every other
# back; a run that succeeds changes each in its keepalive values alone;
# undo puts every one back.
s="$work/many/sessions"
mkdir -p "$s"
for i in $(seq 1 300); do
	printf 'HostName=h%d.example.org\nPortNumber=22\nPingInterval=0\nPingIntervalSecs=%d\nTCPKeepalives=0\n' \
		"$i" $((i % 7 * 100)) > "$s/s$i"
done
cp -a "$s" "$work/many/orig"
echo 'Compression=1' >> "$work/many/orig/s150"
edited_meanwhile "$s/s150" "putty:$s" 'Compression=1'
st=$?
[ $st = 2 ] && ok || bad "one of 300 edited meanwhile: exit $st $(tail -c 300 "$work/out")"
grep -q "s150: changed since sshsync read it.*put back as they were: " "$work/out" && ok || bad "message: $(head -c 300 "$work/out")"
diff -r "$s" "$work/many/orig" > /dev/null && ok || bad "not all put back: $(diff -rq "$s" "$work/many/orig" | head -3)"
find "$work/many" -name '*.sshsync-??????' | grep -q . && bad "temporary file left" || ok
"$SSHSYNC" undo --list > "$work/list" 2>&1
head -3 "$work/list" | grep -q "apply  rolled back" && ok || bad "journal: $(head -3 "$work/list")"
rm -rf "$work/many/sessions.sshsync-bak"
cp "$s/s150" "$work/many/orig/s150"
"$SSHSYNC" apply --interval 60 "putty:$s" > "$work/out" 2>&1 || bad "apply to 300 sessions: $(tail -c 300 "$work/out")"
changed=$(diff -r "$work/many/orig" "$s" | grep -E '^[<>]' | grep -vcE '^[<>] (PingInterval|PingIntervalSecs)=')
[ "$changed" = 0 ] && ok || bad "lines other than the keepalive changed: $(diff -r "$work/many/orig" "$s" | head -5)"
"$SSHSYNC" audit --format json "putty:$s" > "$work/audit.json"
[ "$(grep -o '"interval": 60,' "$work/audit.json" | wc -l)" = 301 ] && ok || bad "not every session set (and Default Settings)"
[ "$(ls "$work/many/sessions.sshsync-bak" | wc -l)" = 300 ] && ok || bad "backups: $(ls "$work/many/sessions.sshsync-bak" | wc -l)"
"$SSHSYNC" undo > "$work/out" 2>&1 || bad "undo of 300: $(tail -c 300 "$work/out")"
diff -r "$s" "$work/many/orig" > /dev/null && ok || bad "undo: $(diff -rq "$s" "$work/many/orig" | head -3)"
# What killed runs left beside the backups: removed for the sessions
# written, not one a live run holds (flock(1) holds it as sshsync would),
# nor one that only looks like them; and the folder, 300 backups, is
# listed once for them all, not once a session.
b="$work/many/sessions.sshsync-bak"
for t in .s1.sshsync-AbC123 .s2.sshsync-XyZ789 .s3.sshsync-Held01 .s1.sshsync-notours; do
	echo 'half a fi' > "$b/$t"
done
exec 7>> "$b/.s3.sshsync-Held01"
flock -x 7
strace -f -qq -o "$work/dents" -e trace=getdents64 "$SSHSYNC" apply --interval 61 "putty:$s" > "$work/out" 2>&1 ||
	bad "apply over leftovers: $(tail -c 300 "$work/out")"
exec 7>&-
[ ! -e "$b/.s1.sshsync-AbC123" ] && [ ! -e "$b/.s2.sshsync-XyZ789" ] && ok || bad "leftovers stay: $(ls -A "$b" | grep -v '^s')"
[ -e "$b/.s3.sshsync-Held01" ] && [ -e "$b/.s1.sshsync-notours" ] && ok || bad "a held or foreign file removed: $(ls -A "$b" | grep -v '^s')"
dents=$(grep -c getdents64 "$work/dents")
[ "$dents" -lt 40 ] && ok || bad "folders listed $dents times for 300 sessions"
rm -f "$b/.s3.sshsync-Held01" "$b/.s1.sshsync-notours"
"$SSHSYNC" undo > "$work/out" 2>&1 || bad "undo after leftovers: $(tail -c 300 "$work/out")"
diff -r "$s" "$work/many/orig" > /dev/null && ok || bad "undo after leftovers: $(diff -rq "$s" "$work/many/orig" | head -3)"
# An Include directory's files written at once without backups: their
# temporary files go to its .sshsync-bak (where the glob does not read
# them), which they share: none removes it while another uses it, and it
# is gone at the end (ten runs: a race shows in some).
g="$work/many/h/.ssh"
mkdir -p "$g/config.d"
printf 'Include config.d/*.conf\n' > "$g/config"
for k in $(seq 1 10); do
	for i in $(seq 1 40); do
		printf 'Host h%d\n  ServerAliveInterval %d\n' "$i" $((k * 10)) > "$g/config.d/$i.conf"
	done
	HOME="$work/many/h" "$SSHSYNC" apply --interval 60 --no-backup "ssh:$g/config" > "$work/out" 2>&1 && ok ||
		bad "apply --no-backup to 40 included files, run $k: $(head -c 300 "$work/out")"
	[ ! -e "$g/config.d/.sshsync-bak" ] && ok || bad "the shared .sshsync-bak stays, run $k"
done

# EIO from access() is an I/O error, not "read-only".
c="$work/eio.cfg"
printf 'Host a\n  ServerAliveInterval 10\n' > "$c"
strace -f -qq -o /dev/null -e trace=faccessat,faccessat2,access \
	-e inject=faccessat,faccessat2,access:error=EIO \
	"$SSHSYNC" apply --interval 60 "ssh:$c" > "$work/out" 2>&1
st=$?
[ $st = 2 ] && ok || bad "EIO from access: exit $st"
grep -q "read-only" "$work/out" && bad "EIO called read-only: $(cat "$work/out")" || ok
grep -q "Input/output error" "$work/out" && ok || bad "EIO message: $(cat "$work/out")"

# sshd -t checks copies in a 0700 folder, each copy with its file's mode.
if [ -x /usr/sbin/sshd ]; then
	mkdir -p "$work/etc/sshd_config.d"
	printf 'Include %s/etc/sshd_config.d/*.conf\nClientAliveInterval 10\n' "$work" > "$work/etc/sshd_config"
	printf 'ClientAliveInterval 5\n' > "$work/etc/sshd_config.d/a.conf"
	chmod 600 "$work/etc/sshd_config.d/a.conf"
	strace -f -qq -o "$work/trace" -e trace=mkdir,chmod,fchmod \
		"$SSHSYNC" apply --interval 60 "sshd:$work/etc/sshd_config" > "$work/out" 2>&1 || bad "sshd apply: $(cat "$work/out")"
	grep -qE 'mkdir\(".*sshsync-sshd-[^"]*", 0700\)' "$work/trace" && ok || bad "sshd -t folder: $(grep sshsync-sshd "$work/trace")"
	grep -qE 'chmod\(".*sshsync-sshd-[^"]*", 07[0-7][0-7]\)' "$work/trace" && bad "sshd -t folder opened up" || ok
	# (strace -f splits a call that another thread's interrupts: "<unfinished ...>")
	[ "$(grep -cE 'fchmod\([0-9]+, 0600(\)| <unfinished)' "$work/trace")" -ge 2 ] && ok || bad "the 0600 drop-in copy: $(grep fchmod "$work/trace")"
fi

# An Include directory that cannot be read is an error, not "no file".
if [ "$(id -u)" = 0 ]; then
	mkdir -p "$work/n/.ssh/config.d"
	printf 'Include config.d/*\nHost a\n  ServerAliveInterval 10\n' > "$work/n/.ssh/config"
	printf 'Host b\n  ServerAliveInterval 5\n' > "$work/n/.ssh/config.d/w"
	chmod 755 "$work"
	chown -R nobody "$work/n"
	chmod 000 "$work/n/.ssh/config.d"
	HOME="$work/n" XDG_STATE_HOME="$work/n/state" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$SSHSYNC" apply --interval 60 "ssh:$work/n/.ssh/config" > "$work/out" 2>&1
	st=$?
	[ $st = 2 ] && grep -q "cannot read what Include" "$work/out" && ok || bad "unreadable Include dir: exit $st $(cat "$work/out")"
	grep -q 'ServerAliveInterval 10' "$work/n/.ssh/config" && ok || bad "written despite the unreadable Include"
	chmod 755 "$work/n/.ssh/config.d"
fi

# A run that writes one file keeps its previous contents in the journal on
# a thread of its own while it writes the new ones (engine/writeset.c,
# early_keep), by both ways to that write: a small file, and one of 1 MiB
# or more, hashed while it is planned. When keeping fails (the journal's
# temporary file cannot be made: strace -P fails the third call of the run
# that names objects/.tmp), the run fails with the journal's error and the
# file stays as it was, with no temporary file and no journal entry; when
# it does not, undo puts the file back from what was kept.
one_file_keep() { # NAME SITES: a WinSCP.ini of SITES sites, applied twice
	local d="$work/keep-$1" i
	mkdir -p "$d"
	for i in $(seq 1 "$2"); do
		printf '[Sessions\\host%%20%06d]\r\nHostName=h%d.example.org\r\nPingType=0\r\nPingIntervalSecs=%d\r\n' \
			"$i" "$i" $((i % 7 * 100))
	done > "$d/WinSCP.ini"
	cp "$d/WinSCP.ini" "$d/orig"
	XDG_STATE_HOME="$d/state" strace -f -qq -o /dev/null -P "$d/state/sshsync/objects/.tmp" \
		-e trace=openat -e inject=openat:error=ENOSPC:when=3 \
		"$SSHSYNC" apply --interval 60 "winscp:$d/WinSCP.ini" > "$d/out" 2>&1
	local st=$?
	[ $st = 2 ] && grep -q "cannot keep the previous contents in the journal: No space left" "$d/out" &&
		ok || bad "$1: a keep that fails: exit $st $(cat "$d/out")"
	cmp -s "$d/WinSCP.ini" "$d/orig" && ok || bad "$1: written though nothing was kept"
	ls -A "$d" "$d/state/sshsync/objects/.tmp" | grep -q 'sshsync-' && bad "$1: left: $(ls -A "$d")" || ok
	[ -s "$d/state/sshsync/journal" ] && bad "$1: a journal entry: $(cat "$d/state/sshsync/journal")" || ok
	# Kept, then the file's own temporary file cannot be made (the sixth
	# call that names its folder, on the main thread): what was kept goes.
	XDG_STATE_HOME="$d/state" strace -f -qq -o "$d/trace" -P "$d" -e trace=openat \
		-e inject=openat:error=ENOSPC:when=6 \
		"$SSHSYNC" apply --interval 60 "winscp:$d/WinSCP.ini" > "$d/out" 2>&1
	st=$?
	grep -q 'sshsync-.*(INJECTED)' "$d/trace" && ok || bad "$1: the fault missed the temporary file: $(cat "$d/trace")"
	[ $st = 2 ] && grep -q "cannot create a temporary file" "$d/out" && ok || bad "$1: exit $st $(cat "$d/out")"
	cmp -s "$d/WinSCP.ini" "$d/orig" && ok || bad "$1: written though its temporary file failed"
	[ -z "$(ls "$d/state/sshsync/objects")" ] && ok || bad "$1: kept and left: $(ls "$d/state/sshsync/objects")"
	XDG_STATE_HOME="$d/state" "$SSHSYNC" apply --interval 60 "winscp:$d/WinSCP.ini" > "$d/out" 2>&1 ||
		bad "$1: apply: $(cat "$d/out")"
	cmp -s "$d/WinSCP.ini" "$d/orig" && bad "$1: not written" || ok
	XDG_STATE_HOME="$d/state" "$SSHSYNC" undo > "$d/out" 2>&1 || bad "$1: undo: $(cat "$d/out")"
	cmp -s "$d/WinSCP.ini" "$d/orig" && ok || bad "$1: undo did not put the file back"
}
one_file_keep small 20
one_file_keep large 12000
[ "$(stat -c %s "$work/keep-large/orig")" -ge 1048576 ] && ok || bad "the large file is under 1 MiB"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
