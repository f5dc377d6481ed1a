#!/bin/bash
# sshsync migrate between OpenSSH and PuTTY/KiTTY (session folders and .reg
# files). Round trips OpenSSH -> PuTTY -> OpenSSH over generated configs
# (migrate_gen.py) must give `ssh -G`-identical aliases for every field
# neither migration reported as lost (migrate_cmp.py prints the agreement);
# the same through a .reg file and through KiTTY. Then PuTTY's own rules:
# Default Settings never inherited, PortNumber only with Protocol, user@
# in HostName, UserNameFromEnvironment, PortForwardings escapes and family
# prefixes, a jump host naming a saved session, names that are no Host
# tokens, telnet sessions skipped, passwords never copied, idempotence.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/scratch.bash"
T=$work
export XDG_STATE_HOME=$work/state
command -v ssh >/dev/null || { echo "skipped: no ssh (openssh-client)"; exit 77; }
expect_eq() { if [ "$2" == "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi; }

# round_trip SEED KIND STORE: config -> KIND:STORE -> back; ssh -G compared.
agree=0
total=0
round_trip() {
	local seed=$1 kind=$2 store=$3 d=$T/rt-$1-$2
	mkdir -p "$d"
	python3 "$HERE/migrate_gen.py" "$seed" "$d" >"$d/names"
	case $store in
	dir) mkdir "$d/store" && store=$d/store ;;
	reg) printf 'Windows Registry Editor Version 5.00\r\n\r\n' >"$d/store.reg" && store=$d/store.reg ;;
	esac
	if ! "$SSHSYNC" migrate --from "ssh:$d/config" --to "$kind:$store" --format json \
		>"$d/r1.json" 2>"$d/err" ||
		! "$SSHSYNC" migrate --from "$kind:$store" --to "ssh:$d/back" --format json \
			>"$d/r2.json" 2>>"$d/err"; then
		bad "seed $seed $kind: migrate failed: $(cat "$d/err")"
		return
	fi
	if python3 "$HERE/migrate_cmp.py" "$d/config" "$d/back" "$d/names" "$d/r1.json" \
		"$d/r2.json" >"$d/cmp"; then
		ok
	else
		bad "seed $seed $kind: ssh -G differs after the round trip: $(head -5 "$d/cmp")"
	fi
	local line a b
	line=$(tail -1 "$d/cmp")
	a=${line#agree }
	agree=$((agree + ${a%%/*}))
	b=${a#*/}
	total=$((total + ${b%% *}))
	"$SSHSYNC" migrate --from "ssh:$d/config" --to "$kind:$store" --check >/dev/null 2>&1
	expect_eq "seed $seed $kind: second run --check" "$?" 0
	"$SSHSYNC" migrate --from "$kind:$store" --to "ssh:$d/back" --check >/dev/null 2>&1
	expect_eq "seed $seed $kind: back again --check" "$?" 0
}
SEEDS=${MIGRATE_SEEDS:-8}
for seed in $(seq 1 "$SEEDS"); do
	round_trip "$seed" putty dir
done
for seed in $(seq 101 $((100 + SEEDS / 2))); do
	round_trip "$seed" putty reg
	round_trip "$seed" kitty dir
done
echo "round trips: $((SEEDS * 2)) configs, ssh -G agreement $agree/$total carried fields"

# --- PuTTY's rules, read from a session folder ---
P=$T/sess
mkdir -p "$P"
printf 'PortNumber=2222\nUserName=fromdefaults\nCompression=1\n' >"$P/Default%20Settings"
printf 'HostName=alice@web.example.com:8080\nPortNumber=2200\n' >"$P/noproto"
printf 'Protocol=ssh\nHostName=db.example.com\nPortNumber=2201\nUserNameFromEnvironment=1\n' >"$P/web%201"
printf 'Protocol=ssh\nHostName=jump.example.com\nUserName=j\nPortNumber=22\n' >"$P/jump"
{
	printf 'Protocol=ssh\nHostName=inner.example.com\nUserName=\nProxyMethod=6\n'
	printf 'ProxyHost=jump\nProxyPort=80\nProxyLocalhost=0\n'
	printf 'PortForwardings=4L127.0.0.1:18080=[::1]:90,6D11080=,R12222=localhost:22\n'
	printf 'Environment=A=1,B=x\\=y\\,z\nPassword=secret\nTerminalType=vt220\n'
} >"$P/inner"
printf 'Protocol=telnet\nHostName=router\n' >"$P/router"
"$SSHSYNC" migrate --from "putty:$P" --to "ssh:$T/p.conf" --format json >"$T/p.json" 2>"$T/err"
expect_eq "putty folder: exit" "$?" 0
g() { ssh -G -F "$T/p.conf" "$1" 2>/dev/null | grep "^$2 " | cut -d' ' -f2-; }
expect_eq "no Protocol: PortNumber ignored (22)" "$(g noproto port)" 22
expect_eq "user@ in HostName sets the user" "$(g noproto user)" alice
expect_eq "the :port suffix is dropped" "$(g noproto hostname)" web.example.com
expect_eq "Default Settings not inherited (Compression)" "$(g noproto compression)" no
expect_eq "name with a blank: Host web%201" "$(g 'web%201' hostname)" db.example.com
expect_eq "web 1 port" "$(g 'web%201' port)" 2201
expect_eq "UserNameFromEnvironment: no User line" "$(grep -A8 '^Host web%201' "$T/p.conf" | grep -c '^ *User ')" 0
expect_eq "jump: ProxyJump names the hop session" "$(g inner proxyjump)" jump
expect_eq "jump hop user" "$(g jump user)" j
expect_eq "forwards L" "$(g inner localforward)" "[127.0.0.1]:18080 [::1]:90"
expect_eq "forwards D" "$(g inner dynamicforward)" 11080
expect_eq "forwards R" "$(g inner remoteforward)" "12222 [localhost]:22"
expect_eq "environment, escapes" "$(g inner setenv | tr '\n' ' ')" "A=1 B=x=y,z "
expect_eq "all SetEnv pairs on one line" "$(grep -c 'SetEnv' "$T/p.conf")" 1
python3 - "$T/p.json" <<'PY' || bad "putty folder: report: $(cat "$T/p.json" | head -50)"
import json, sys
d = json.load(open(sys.argv[1]))
s = {x["name"]: x for x in d["sessions"]}
assert "Default Settings" not in s, "Default Settings became a session"
assert s["router"]["skipped"], "telnet session not skipped"
assert any(l["field"] == "Protocol" for l in s["router"]["losses"])
assert s["web 1"]["target_name"] == "web%201" and s["web 1"]["renamed"]
assert any(l["field"] == "Password" for l in s["inner"]["losses"]), "password not reported"
assert any("TerminalType" in l["reason"] for l in s["inner"]["losses"]), "extras not reported"
assert any("IPv4 only" in l["reason"] for l in s["inner"]["losses"]), "family prefix not reported"
assert s["web 1"]["fields"]["port"]["origin"] == "explicit"
assert s["noproto"]["fields"]["port"]["origin"] == "default"
PY
grep -q 'secret' "$T/p.conf" && bad "a password was copied" || ok
# ... and back: the name comes back as it was.
mkdir "$T/sess2"
"$SSHSYNC" migrate --from "ssh:$T/p.conf" --to "putty:$T/sess2" >/dev/null 2>&1
expect_eq "back to PuTTY: exit" "$?" 0
[ -f "$T/sess2/web%201" ] && ok || bad "the session 'web 1' did not come back: $(ls "$T/sess2")"
grep -qx 'ProxyHost=jump' "$T/sess2/inner" && grep -qx 'ProxyMethod=6' "$T/sess2/inner" &&
	grep -qx 'ProxyLocalhost=1' "$T/sess2/inner" && ok || bad "jump not written: $(cat "$T/sess2/inner")"
grep -qx 'UserNameFromEnvironment=1' "$T/sess2/web%201" && ok || bad "UserNameFromEnvironment"
grep -qx 'TCPKeepalives=0' "$T/sess2/web%201" && ok || bad "TCPKeepalives not explicit"
grep -qx 'Protocol=ssh' "$T/sess2/web%201" && ok || bad "Protocol=ssh not written"

# --- an existing session is updated in place, other lines stay ---
mkdir "$T/upd"
printf 'HostName=old.example.com\nTerminalType=vt220\nPortNumber=22\nProtocol=ssh\n' >"$T/upd/web"
printf 'Host web\n    HostName new.example.com\n    Port 2022\n' >"$T/u.conf"
"$SSHSYNC" migrate --from "ssh:$T/u.conf" --to "putty:$T/upd" >/dev/null 2>&1
expect_eq "update: HostName" "$(grep '^HostName=' "$T/upd/web")" "HostName=new.example.com"
expect_eq "update: other line kept" "$(sed -n 2p "$T/upd/web")" "TerminalType=vt220"
expect_eq "update: one file" "$(ls "$T/upd" | wc -l)" 1

# An OpenSSH host on defaults: TCP keepalive and GSSAPI written as PuTTY
# must have them (its defaults differ), the local user kept.
printf 'Host plain\n    HostName plain.example.com\n' >"$T/plain.conf"
mkdir "$T/plain"
"$SSHSYNC" migrate --from "ssh:$T/plain.conf" --to "putty:$T/plain" >/dev/null 2>&1
for kv in TCPKeepalives=1 AuthGSSAPI=0 AuthGSSAPIKEX=0 UserNameFromEnvironment=1 PortNumber=22 \
	Protocol=ssh ProxyMethod=0; do
	grep -qx "$kv" "$T/plain/plain" && ok || bad "defaults: $kv not written: $(cat "$T/plain/plain")"
done

# --- PuTTY to PuTTY (.reg to a session folder and back): every setting
# outside the model is copied, numbers stay DWORDs, the password stays ---
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\my%%20web]\r\n"HostName"="web.example.com"\r\n"Protocol"="ssh"\r\n"TermWidth"=dword:00000050\r\n"TerminalType"="vt220"\r\n"Password"="x"\r\n\r\n' >"$T/pp.reg"
mkdir "$T/pp"
"$SSHSYNC" migrate --from "putty:$T/pp.reg" --to "putty:$T/pp" >"$T/out" 2>&1
expect_eq "putty->putty: exit" "$?" 0
grep -qx 'TermWidth=80' "$T/pp/my%20web" && grep -qx 'TerminalType=vt220' "$T/pp/my%20web" &&
	ok || bad "putty->putty: settings not copied: $(cat "$T/pp/my%20web")"
grep -q '^Password' "$T/pp/my%20web" && bad "putty->putty: password copied" || ok
printf 'Windows Registry Editor Version 5.00\r\n\r\n' >"$T/pp2.reg"
"$SSHSYNC" migrate --from "putty:$T/pp" --to "putty:$T/pp2.reg" >/dev/null 2>&1
grep -q '"TermWidth"=dword:00000050' "$T/pp2.reg" && ok || bad "putty->reg: TermWidth not a DWORD: $(cat "$T/pp2.reg")"

# --- strict ---
printf 'Host a\n    ServerAliveInterval 30\n' >"$T/s.conf"
mkdir "$T/strict"
"$SSHSYNC" migrate --from "ssh:$T/s.conf" --to "putty:$T/strict" --strict >"$T/out" 2>&1
expect_eq "strict: exit" "$?" 2
expect_eq "strict: nothing written" "$(ls "$T/strict" | wc -l)" 0
grep -q 'ServerAliveCountMax 3 has no PuTTY form' "$T/out" && ok || bad "strict: loss not shown: $(cat "$T/out")"

finish
