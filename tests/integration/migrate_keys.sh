#!/bin/bash
# `sshsync migrate --keys DIR --host-keys` end to end, with the real clients
# through a throw-away `sshd -i` (lib/oracle.bash):
#  - OpenSSH -> PuTTY: the migrated session, with its key converted to a
#    .ppk and its host key put into PuTTY's sshhostkeys, logs in with
#    `plink -batch` (which refuses an uncached host key and has no other
#    key); puttygen -l and ssh-keygen -l give the same fingerprint; a host
#    known_hosts knows but that is not migrated stays out of the cache;
#  - PuTTY -> OpenSSH: the converted key and known_hosts lines log in with
#    `ssh -o StrictHostKeyChecking=yes -o BatchMode=yes`; ssh-keygen -F
#    finds the host; an encrypted .ppk keeps its passphrase;
#  - OpenSSH -> WinSCP.ini / its .reg and back: [SshHostKeys] written, the
#    rest of the file unchanged, read back into known_hosts that ssh accepts;
#  - hostile: a key path with a space and one that is a symbolic link
#    (converted), a missing key (a loss, nothing converted), an existing
#    different key in DIR (exit 2, nothing written), a wrong passphrase
#    (exit 2, nothing written), no terminal and no --passphrase-file (exit
#    2, says so), the passphrase asked on a terminal (tmux) without echo;
#    --dry-run writes nothing; undo removes the new key files.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/scratch.bash"
. "$HERE/lib/oracle.bash"
oracle_need
trap 'oracle_fini; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
[ -n "${KEEP:-}" ] && echo "work folder: $work"
oracle_init || exit 1
export XDG_STATE_HOME=$work/state
w=$work/t o=$work/out
mkdir -p "$w" "$o"

# check LABEL CMD...: ok when CMD succeeds.
check() {
	local label=$1
	shift
	if "$@"; then ok; else bad "$label"; fi
}
not() { ! "$@"; }
fp_ssh() { ssh-keygen -l -E sha256 -f "$1" | awk '{print $2}'; }
fp_putty() { puttygen -l -E sha256 "$1" | awk '{print $3}'; }
# The state of a folder: names, modes and contents.
snapshot() { (cd "$1" && find . -printf '%p %m\n' | sort && find . -type f -exec md5sum {} + | sort); }
# unchanged BEFORE: the snapshot of $w is still BEFORE (else the difference).
unchanged() { diff <(printf '%s\n' "$1") <(snapshot "$w") >&2; }

# plink_login PUTTYDIR SESSION: plink -batch through the oracle's sshd.
plink_login() {
	local run=$o/run.$RANDOM
	mkdir -p "$run"
	PUTTYDIR=$1 ORACLE_RUN=$run timeout 20 plink -batch -load "$2" </dev/null \
		>"$run/out" 2>"$run/err"
	local rc=$?
	cp "$run/err" "$o/last.err"
	[ $rc = 0 ] && grep -q "Accepted publickey" "$run/sshd.log"
}
# ssh_login CONFIG ALIAS KNOWN_HOSTS: ssh, host key checked strictly.
ssh_login() {
	local run=$o/run.$RANDOM
	mkdir -p "$run"
	ORACLE_RUN=$run timeout 20 ssh -F "$1" -o BatchMode=yes -o StrictHostKeyChecking=yes \
		-o UserKnownHostsFile="$3" -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes \
		"$2" true </dev/null >"$run/out" 2>"$run/err"
	local rc=$?
	cp "$run/err" "$o/last.err"
	[ $rc = 0 ] && grep -q "Accepted publickey" "$run/sshd.log"
}

hostpub=$(cut -d' ' -f1,2 "$O/hk.pub")

# --- OpenSSH -> PuTTY ------------------------------------------------------
src=$w/src\ keys
mkdir -p "$src" "$w/putty/sessions" "$w/k1"
cp "$O/ka" "$src/id ka"
cp "$O/kb" "$src/real kb"
ln -s "real kb" "$src/link kb"
cat >"$w/ssh_config" <<EOF
Host web
  HostName web.example.com
  Port 2222
  User root
  IdentityFile "$src/id ka"
  ProxyCommand $O/proxy %h %p
Host db
  HostName db.example.com
  User root
  IdentityFile "$src/link kb"
  ProxyCommand $O/proxy %h %p
Host gone
  HostName gone.example.com
  IdentityFile "$src/missing"
EOF
printf '[web.example.com]:2222 %s\ndb.example.com %s\nother.example.com %s\n' \
	"$hostpub" "$hostpub" "$hostpub" >"$w/known_hosts"

before=$(snapshot "$w")
"$SSHSYNC" migrate --from "ssh:$w/ssh_config" --to "putty:$w/putty/sessions" --keys "$w/k1" \
	--host-keys --known-hosts "$w/known_hosts" --dry-run --format json >"$o/dry.json"
check "--dry-run exits 0" [ $? = 0 ]
check "--dry-run writes nothing" unchanged "$before"
check "--dry-run lists the conversions" \
	[ "$(jq -r '[.keys[].action] | join(",")' "$o/dry.json")" = "to convert,to convert" ]

"$SSHSYNC" migrate --from "ssh:$w/ssh_config" --to "putty:$w/putty/sessions" --keys "$w/k1" \
	--host-keys --known-hosts "$w/known_hosts" --format json >"$o/m1.json" 2>"$o/m1.err"
check "migrate to PuTTY: exit 0 ($(cat "$o/m1.err"))" [ $? = 0 ]
check "the report lists both keys as converted" \
	[ "$(jq -r '[.keys[] | .action + ":" + (.to | split("/") | last)] | join(",")' "$o/m1.json")" \
		= "converted:id ka.ppk,converted:link kb.ppk" ]
check "the missing key is a loss" \
	jq -e '.sessions[] | select(.name == "gone") | .losses[] | select(.field == "identity_file" and (.reason | test("no such file")))' "$o/m1.json" >/dev/null
check "the new keys are 0600" [ "$(stat -c %a "$w/k1/id ka.ppk" "$w/k1/link kb.ppk" | sort -u)" = 600 ]
check "fingerprints agree (ed25519, through a space)" [ "$(fp_putty "$w/k1/id ka.ppk")" = "$(fp_ssh "$O/ka")" ]
check "fingerprints agree (ecdsa, through a link)" [ "$(fp_putty "$w/k1/link kb.ppk")" = "$(fp_ssh "$O/kb")" ]
check "the session names the converted key" grep -qxF "PublicKeyFile=$w/k1/id ka.ppk" "$w/putty/sessions/web"
check "plink -batch logs in with the converted key and host key (web:2222): $(tail -2 "$o/last.err")" \
	plink_login "$w/putty" web
check "plink -batch logs in (db:22, ecdsa): $(tail -2 "$o/last.err")" plink_login "$w/putty" db
check "a host not migrated stays out of PuTTY's cache" not grep -q other.example.com "$w/putty/sshhostkeys"
# Without the host key, plink refuses (the check above can fail).
mv "$w/putty/sshhostkeys" "$w/putty/sshhostkeys.off"
check "plink -batch refuses an uncached host key" not plink_login "$w/putty" web
mv "$w/putty/sshhostkeys.off" "$w/putty/sshhostkeys"

# Again: nothing changes, the keys are reused.
"$SSHSYNC" migrate --from "ssh:$w/ssh_config" --to "putty:$w/putty/sessions" --keys "$w/k1" \
	--host-keys --known-hosts "$w/known_hosts" --check --format json >"$o/m1b.json"
check "a second migration changes nothing (--check exit 0)" [ $? = 0 ]
check "...and reuses the keys" [ "$(jq -r '[.keys[].action] | unique | join(",")' "$o/m1b.json")" = reused ]

# A converted key removed by hand: --check says it would be made again.
mv "$w/k1/id ka.ppk" "$o/id ka.ppk.away"
"$SSHSYNC" migrate --from "ssh:$w/ssh_config" --to "putty:$w/putty/sessions" --keys "$w/k1" \
	--check >/dev/null
check "--check exits 1 when only a key would be converted" [ $? = 1 ]
mv "$o/id ka.ppk.away" "$w/k1/id ka.ppk"

# undo: the session files, sshhostkeys and the key files go.
"$SSHSYNC" undo >"$o/undo.out" 2>&1
check "undo exits 0" [ $? = 0 ]
check "undo removes the converted keys" [ -z "$(ls -A "$w/k1")" ]
check "undo removes the sessions" [ -z "$(ls -A "$w/putty/sessions")" ]
check "undo removes sshhostkeys" not [ -e "$w/putty/sshhostkeys" ]

# Without --known-hosts: each host's key from the file ssh reads for it,
# its UserKnownHostsFile (absolute here: ssh's ~ is the passwd home, which
# a test must not touch).
mkdir -p "$w/p3/sessions"
printf 'alt.example.com %s\n' "$hostpub" >"$w/alt_hosts"
printf 'plain.example.com %s\nalt.example.com %s\n' "$hostpub" "$(cut -d' ' -f1,2 "$O/ka.pub")" \
	>"$w/plain_hosts"
printf 'Host alt\n  HostName alt.example.com\n  UserKnownHostsFile %s\nHost plain\n  HostName plain.example.com\n  UserKnownHostsFile "%s" /nonexistent\n' \
	"$w/alt_hosts" "$w/plain_hosts" >"$w/ssh_config3"
"$SSHSYNC" migrate --from "ssh:$w/ssh_config3" --to "putty:$w/p3/sessions" --host-keys >"$o/m6.out" 2>&1
check "UserKnownHostsFile: exit 0 ($(cat "$o/m6.out"))" [ $? = 0 ]
# (alt's own file has the host key, as plain's does; plain's has another for alt)
check "UserKnownHostsFile: the key from the session's own file" \
	[ "$(sed -n 's/^ssh-ed25519@22:alt.example.com //p' "$w/p3/sshhostkeys")" = \
		"$(sed -n 's/^ssh-ed25519@22:plain.example.com //p' "$w/p3/sshhostkeys")" ]
check "UserKnownHostsFile: the other from its own" \
	grep -q '^ssh-ed25519@22:plain.example.com ' "$w/p3/sshhostkeys"
check "UserKnownHostsFile: a key of another session's file is not taken" \
	[ "$(grep -c 'alt.example.com' "$w/p3/sshhostkeys")" = 1 ]

# --- hostile: an existing different key, a wrong passphrase ----------------
ssh-keygen -q -t ed25519 -N '' -f "$w/other" -C other
puttygen "$w/other" -o "$w/k1/id ka.ppk"
before=$(snapshot "$w")
"$SSHSYNC" migrate --from "ssh:$w/ssh_config" --to "putty:$w/putty/sessions" --keys "$w/k1" \
	>"$o/m2.out" 2>"$o/m2.err"
check "an existing different key: exit 2" [ $? = 2 ]
check "...says so" grep -q "holds another key" "$o/m2.err"
check "...and writes nothing" unchanged "$before"
rm "$w/k1/id ka.ppk"

# --- PuTTY -> OpenSSH ------------------------------------------------------
mkdir -p "$w/p2/sessions" "$w/k2"
printf 'secret\n' >"$w/pass"
printf 'wrong\n' >"$w/badpass"
chmod 600 "$w/pass" "$w/badpass"
puttygen "$O/kb" -o "$w/enc kb.ppk" --new-passphrase "$w/pass"
for s in web:web.example.com:2222:"$O/ka.ppk" enc:enc.example.com:22:"$w/enc kb.ppk"; do
	IFS=: read -r name host port key <<<"$s"
	cat >"$w/p2/sessions/$name" <<EOF
HostName=$host
Protocol=ssh
PortNumber=$port
UserName=root
PublicKeyFile=$key
ProxyMethod=5
ProxyTelnetCommand=$O/proxy %host %port
EOF
done
# PuTTY's cache as the oracle writes it (its own Python, not sshsync).
"$PY" "$ORACLE_LIB/oracle_obs.py" hostkeys "$w/p2" "$O/hk.pub" >"$w/p2/sshhostkeys"
check "the oracle wrote PuTTY's cache" grep -q "@2222:web.example.com 0x" "$w/p2/sshhostkeys"

before=$(snapshot "$w")
"$SSHSYNC" migrate --from "putty:$w/p2/sessions" --to "ssh:$w/back_config" --keys "$w/k2" \
	--passphrase-file "$w/badpass" --host-keys --known-hosts "$w/kh2" >"$o/m3.out" 2>"$o/m3.err"
check "a wrong passphrase: exit 2" [ $? = 2 ]
check "...says so" grep -q "wrong passphrase" "$o/m3.err"
check "...and writes nothing" unchanged "$before"
setsid "$SSHSYNC" migrate --from "putty:$w/p2/sessions" --to "ssh:$w/back_config" --keys "$w/k2" \
	--format json </dev/null >"$o/m4.out" 2>"$o/m4.err"
check "an encrypted key without a terminal: exit 2" [ $? = 2 ]
check "...names --passphrase-file" grep -q -- "--passphrase-file" "$o/m4.err"
check "...and writes nothing" unchanged "$before"

"$SSHSYNC" migrate --from "putty:$w/p2/sessions" --to "ssh:$w/back_config" --keys "$w/k2" \
	--passphrase-file "$w/pass" --host-keys --known-hosts "$w/kh2" >"$o/m5.out" 2>"$o/m5.err"
check "migrate to OpenSSH: exit 0 ($(cat "$o/m5.err"))" [ $? = 0 ]
check "ssh-keygen -F finds the migrated host" eval 'ssh-keygen -F "[web.example.com]:2222" -f "$w/kh2" >/dev/null'
check "fingerprints agree (ppk -> OpenSSH)" [ "$(fp_ssh "$w/k2/ka")" = "$(fp_putty "$O/ka.ppk")" ]
check "the .pub beside it is the same key" [ "$(fp_ssh "$w/k2/ka.pub")" = "$(fp_ssh "$w/k2/ka")" ]
check "the encrypted key keeps its passphrase" ssh-keygen -y -P secret -f "$w/k2/enc kb" >/dev/null
check "...and needs it" not ssh-keygen -y -P '' -f "$w/k2/enc kb" >/dev/null 2>&1
check "ssh (StrictHostKeyChecking=yes) logs in with the converted key and host key: $(tail -2 "$o/last.err")" \
	ssh_login "$w/back_config" web "$w/kh2"
check "ssh refuses without the host key" not ssh_login "$w/back_config" web /dev/null

# --- the passphrase asked on a terminal, without echo (tmux) ---------------
if command -v tmux >/dev/null; then
	mkdir -p "$w/k3"
	sock=$o/tmux.sock
	cat >"$o/ask.sh" <<EOF
#!/bin/sh
"$SSHSYNC" migrate --from "putty:$w/p2/sessions" --to "ssh:$w/ask_config" --keys "$w/k3" --session enc
echo "exit=\$?"
sleep 30
EOF
	chmod 755 "$o/ask.sh"
	tmux -S "$sock" new-session -d -x 200 -y 20 "$o/ask.sh"
	for _ in $(seq 100); do
		tmux -S "$sock" capture-pane -p | grep -q "Passphrase of" && break
		sleep 0.1
	done
	tmux -S "$sock" send-keys "secret" Enter
	for _ in $(seq 100); do
		tmux -S "$sock" capture-pane -p | grep -q "exit=" && break
		sleep 0.1
	done
	screen=$(tmux -S "$sock" capture-pane -p)
	tmux -S "$sock" kill-server 2>/dev/null
	check "the terminal prompt names the key" grep -q "Passphrase of $w/enc kb.ppk" <<<"$screen"
	check "the passphrase typed is not shown" not grep -q secret <<<"$screen"
	check "migrate with the passphrase asked: exit 0 ($screen)" grep -q "exit=0" <<<"$screen"
	check "the key converted with the passphrase asked keeps it" \
		ssh-keygen -y -P secret -f "$w/k3/enc kb" >/dev/null
else
	echo "tmux is not installed: the terminal prompt is not checked"
fi

# --- WinSCP: [SshHostKeys] of WinSCP.ini and of its .reg, and back ---------
printf '[Configuration\\Interface]\r\nRandomSeedFile=x\r\n' >"$w/WinSCP.ini"
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Martin Prikryl\\WinSCP 2\\Configuration]\r\n"Foo"=dword:00000001\r\n\r\n' >"$w/winscp.reg"
for store in WinSCP.ini winscp.reg; do
	head=$(head -c 200 "$w/$store" | md5sum)
	len=$(stat -c %s "$w/$store")
	"$SSHSYNC" migrate --from "ssh:$w/ssh_config" --to "winscp:$w/$store" --session web --session db \
		--host-keys --known-hosts "$w/known_hosts" >"$o/w.out" 2>"$o/w.err"
	check "$store: migrate exits 0 ($(cat "$o/w.err"))" [ $? = 0 ]
	check "$store: without --keys an OpenSSH key is a loss" grep -q "identity_file: .*is not a .ppk" "$o/w.out"
	check "$store: what was there is unchanged" [ "$(head -c "$len" "$w/$store" | head -c 200 | md5sum)" = "$head" ]
	check "$store: the host key is there under PuTTY's name" grep -q 'ssh-ed25519@2222:web.example.com"\?=' "$w/$store"
	check "$store: a host not migrated is not" not grep -q other.example.com "$w/$store"
	rm -f "$w/kh3"
	"$SSHSYNC" migrate --from "winscp:$w/$store" --to "ssh:$w/w_config.$store" --host-keys \
		--known-hosts "$w/kh3" >"$o/w2.out" 2>"$o/w2.err"
	check "$store: back to known_hosts ($(cat "$o/w2.err"))" [ $? = 0 ]
	check "$store: ssh accepts the host key read back: $(tail -2 "$o/last.err")" \
		ssh_login "$w/back_config" web "$w/kh3"
done
# KiTTY's .reg: its own SshHostKeys key, PuTTY's names; and back.
printf 'Windows Registry Editor Version 5.00\r\n\r\n' >"$w/kitty.reg"
"$SSHSYNC" migrate --from "ssh:$w/ssh_config" --to "kitty:$w/kitty.reg" --session web \
	--host-keys --known-hosts "$w/known_hosts" >"$o/k.out" 2>&1
check "kitty.reg: migrate exits 0 ($(cat "$o/k.out"))" [ $? = 0 ]
check "kitty.reg: the key under KiTTY's SshHostKeys" \
	grep -A1 -F '[HKEY_CURRENT_USER\Software\9bis.com\KiTTY\SshHostKeys]' "$w/kitty.reg" |
	grep -q '"ssh-ed25519@2222:web.example.com"="0x'
rm -f "$w/kh5"
"$SSHSYNC" migrate --from "kitty:$w/kitty.reg" --to "ssh:$w/k_config" --host-keys \
	--known-hosts "$w/kh5" >"$o/k2.out" 2>&1
check "kitty.reg: back to known_hosts ($(cat "$o/k2.out"))" [ $? = 0 ]
check "kitty.reg: ssh accepts the host key read back: $(tail -2 "$o/last.err")" \
	ssh_login "$w/back_config" web "$w/kh5"
check "WinSCP.ini: one [SshHostKeys] section" [ "$(grep -c '^\[SshHostKeys\]' "$w/WinSCP.ini")" = 1 ]

finish
