#!/bin/bash
# sshsync migrate into and out of WinSCP (WinSCP.ini; no Debian program
# reads it, so the check is the round trip through sshsync's own readers and
# WinSCP's rules from its source, MIGRATION.md Table 1): generated OpenSSH
# configs -> WinSCP.ini -> OpenSSH give `ssh -G`-identical aliases for every
# field neither migration reported as lost; sites are written as WinSCP
# saves them (only values that differ from the factory defaults); Default
# Settings is never inherited; FTP sites are skipped; one hop in Tunnel*.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/scratch.bash"
T=$work
export XDG_STATE_HOME=$work/state
command -v ssh >/dev/null || { echo "skipped: no ssh (openssh-client)"; exit 77; }
expect_eq() { if [ "$2" == "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi; }

agree=0
total=0
SEEDS=${MIGRATE_SEEDS:-6}
for seed in $(seq 201 $((200 + SEEDS))); do
	d=$T/s$seed
	mkdir -p "$d"
	python3 "$HERE/migrate_gen.py" "$seed" "$d" >"$d/names"
	printf '[Configuration]\r\n' >"$d/WinSCP.ini"
	if ! "$SSHSYNC" migrate --from "ssh:$d/config" --to "winscp:$d/WinSCP.ini" --format json \
		>"$d/r1.json" 2>"$d/err" ||
		! "$SSHSYNC" migrate --from "winscp:$d/WinSCP.ini" --to "ssh:$d/back" \
			--format json >"$d/r2.json" 2>>"$d/err"; then
		bad "seed $seed: migrate failed: $(cat "$d/err")"
		continue
	fi
	python3 "$HERE/migrate_cmp.py" "$d/config" "$d/back" "$d/names" "$d/r1.json" \
		"$d/r2.json" >"$d/cmp" && ok || bad "seed $seed: $(head -5 "$d/cmp")"
	line=$(tail -1 "$d/cmp")
	a=${line#agree }
	agree=$((agree + ${a%%/*}))
	b=${a#*/}
	total=$((total + ${b%% *}))
	"$SSHSYNC" migrate --from "ssh:$d/config" --to "winscp:$d/WinSCP.ini" --check >/dev/null 2>&1
	expect_eq "seed $seed: second run --check" "$?" 0
done
echo "round trips: $SEEDS configs, ssh -G agreement $agree/$total carried fields"

# --- WinSCP's rules ---
cat >"$T/w.ini" <<'INI'
[Configuration]
Foo=1

[Sessions\Default%20Settings]
PortNumber=2222
Compression=1

[Sessions\Servers/web%201]
HostName=bob@web.example.com
PingType=1
Tunnel=1
TunnelHostName=gw.example.com
TunnelUserName=gwuser
Password=AABBCC

[Sessions\files]
HostName=ftp.example.com
FSProtocol=5
INI
"$SSHSYNC" migrate --from "winscp:$T/w.ini" --to "ssh:$T/w.conf" --format json >"$T/w.json" 2>"$T/err"
expect_eq "winscp: exit" "$?" 0
g() { ssh -G -F "$T/w.conf" "$1" 2>/dev/null | grep "^$2 " | cut -d' ' -f2-; }
site='Servers/web%201'
expect_eq "folder/site name" "$(grep -c "^Host $site\$" "$T/w.conf")" 1
expect_eq "user@ in HostName" "$(g "$site" user)" bob
expect_eq "factory port, not Default Settings'" "$(g "$site" port)" 22
expect_eq "factory compression" "$(g "$site" compression)" no
expect_eq "PingType 1 with the factory 30 s" "$(g "$site" serveraliveinterval)" 30
expect_eq "tunnel" "$(g "$site" proxyjump)" "gwuser@gw.example.com"
grep -q AABBCC "$T/w.conf" && bad "a password was copied" || ok
python3 - "$T/w.json" <<'PY' || bad "winscp: report $(head -40 "$T/w.json")"
import json, sys
d = json.load(open(sys.argv[1]))
s = {x["name"]: x for x in d["sessions"]}
assert "Default Settings" not in s
assert s["files"]["skipped"]
assert any(l["field"] == "Password" for l in s["Servers/web 1"]["losses"])
PY
# ... and back: the name and folder come back, only non-defaults written.
cp "$T/w.ini" "$T/w2.ini"
"$SSHSYNC" migrate --from "ssh:$T/w.conf" --to "winscp:$T/w2.ini" >/dev/null 2>&1
expect_eq "back: exit" "$?" 0
"$SSHSYNC" migrate --from "ssh:$T/w.conf" --to "winscp:$T/w2.ini" --check >/dev/null 2>&1
expect_eq "back: idempotent" "$?" 0
# the same sites updated in place, plus the hop (a session of its own in OpenSSH)
expect_eq "back: sections" "$(grep '^\[Sessions' "$T/w2.ini" | tr '\n' ' ')" \
	'[Sessions\Default%20Settings] [Sessions\Servers/web%201] [Sessions\files] [Sessions\gw.example.com] ' 
sec=$(sed -n '/^\[Sessions\\Servers\/web%201\]/,/^$/p' "$T/w2.ini")
grep -q '^PortNumber=' <<<"$sec" && bad "factory PortNumber written: $sec" || ok
grep -q '^Password=AABBCC' <<<"$sec" && ok || bad "the site's own password line was removed"

finish
