#!/usr/bin/env bash
# Backups never become settings: files reached through an Include glob keep
# theirs in .sshsync-bak/ (which the glob cannot match), and a PuTTY session
# directory keeps them beside itself (PuTTY lists every file in it).
set -u
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
work=$(mktemp -d) || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$work"' EXIT

# OpenSSH: Include config.d/* with a keepalive in an included file.
mkdir -p "$work/ssh/config.d"
printf 'Include %s/ssh/config.d/*\nHost *\n    User me\n' "$work" > "$work/ssh/config"
printf 'Host web\n    ServerAliveInterval 300\n' > "$work/ssh/config.d/web"
chmod -R go-w "$work/ssh"
"$SSHSYNC" apply --interval 60 "ssh:$work/ssh/config" > "$work/out" 2>&1 || bad "apply: $(cat "$work/out")"
[ -f "$work/ssh/config.d/.sshsync-bak/web" ] && ok || bad "no backup in config.d/.sshsync-bak"
ls "$work/ssh/config.d" | grep -q sshsync && bad "a backup stands where the glob reads it" || ok
[ -f "$work/ssh/config.sshsync-bak" ] && ok || bad "no backup of the top-level config"
got=$(ssh -G -F "$work/ssh/config" web </dev/null 2>/dev/null | awk '$1 == "serveraliveinterval" {print $2}')
[ "$got" = 60 ] && ok || bad "ssh -G web after apply: '$got'"
"$SSHSYNC" apply --interval 60 "ssh:$work/ssh/config" > "$work/out" 2>&1
grep -q "^unchanged" "$work/out" && ok || bad "second apply: $(cat "$work/out")"
[ ! -e "$work/ssh/config.d/.sshsync-bak/.sshsync-bak" ] && ok || bad "a backup was backed up"

# PuTTY: a Unix session directory.
mkdir -p "$work/putty/sessions"
printf 'HostName=a.example\nPingInterval=0\nPingIntervalSecs=0\n' > "$work/putty/sessions/web%201"
# A name PuTTY never writes but must not crash anyone: "%%2x".
printf 'HostName=b.example\n' > "$work/putty/sessions/odd%%2x"
"$SSHSYNC" apply --interval 60 "putty:$work/putty/sessions" > "$work/out" 2>&1 || bad "putty apply: $(cat "$work/out")"
[ -f "$work/putty/sessions.sshsync-bak/web%201" ] && ok || bad "no backup in sessions.sshsync-bak"
n=$(find "$work/putty/sessions" -type f | wc -l)
# web 1, odd%%2x and the Default Settings that apply creates: nothing else.
[ "$n" = 3 ] && ok || bad "session directory holds $n files: $(ls "$work/putty/sessions")"
"$SSHSYNC" audit --format json "putty:$work/putty/sessions" > "$work/json" 2>&1
python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["scopes"]; assert len(s) == 3 and {"Default Settings", "web 1"} <= {x["scope"] for x in s}, s' "$work/json" && ok || bad "audit sees: $(cat "$work/json")"

# --no-backup keeps none anywhere.
printf 'Host web\n    ServerAliveInterval 30\n' > "$work/ssh/config.d/web"
rm -rf "$work/ssh/config.d/.sshsync-bak"
"$SSHSYNC" apply --interval 60 --no-backup "ssh:$work/ssh/config" > /dev/null 2>&1
[ ! -e "$work/ssh/config.d/.sshsync-bak" ] && ok || bad "--no-backup made a backup directory"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
