#!/bin/bash
# sshsync migrate between OpenSSH configs. The oracle is `ssh -G`: every
# alias of a generated source config (migrate_gen.py, Table 1 of
# MIGRATION.md, with pattern blocks and global lines) resolves to the same
# values in the migrated file. Then: idempotence (--check), update in place
# without duplicates and without touching other bytes, --strict, undo.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/scratch.bash"
T=$work
export XDG_STATE_HOME=$work/state
command -v ssh >/dev/null || { echo "skipped: no ssh (openssh-client)"; exit 77; }
expect_eq() { if [ "$2" == "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi; }

# --- generated configs, ssh -G on every alias ---
SEEDS=${MIGRATE_SEEDS:-15}
agree=0
total=0
for seed in $(seq 1 "$SEEDS"); do
	d=$T/g$seed
	mkdir -p "$d"
	python3 "$HERE/migrate_gen.py" "$seed" "$d" >"$d/names"
	"$SSHSYNC" migrate --from "ssh:$d/config" --to "ssh:$d/out" --check >/dev/null 2>&1
	expect_eq "seed $seed: --check on a new target" "$?" 1
	[ -e "$d/out" ] && bad "seed $seed: --check wrote"
	if ! "$SSHSYNC" migrate --from "ssh:$d/config" --to "ssh:$d/out" --format json \
		>"$d/report.json" 2>"$d/err"; then
		bad "seed $seed: migrate failed: $(cat "$d/err")"
		continue
	fi
	if python3 "$HERE/migrate_cmp.py" "$d/config" "$d/out" "$d/names" "$d/report.json" \
		>"$d/cmp"; then
		ok
	else
		bad "seed $seed: ssh -G differs: $(head -5 "$d/cmp")"
	fi
	line=$(tail -1 "$d/cmp")
	a=${line#agree }
	agree=$((agree + ${a%%/*}))
	b=${a#*/}
	total=$((total + ${b%% *}))
	cp "$d/out" "$d/out.1"
	"$SSHSYNC" migrate --from "ssh:$d/config" --to "ssh:$d/out" --check >/dev/null 2>&1
	expect_eq "seed $seed: second run --check" "$?" 0
	"$SSHSYNC" migrate --from "ssh:$d/config" --to "ssh:$d/out" >/dev/null 2>&1
	cmp -s "$d/out" "$d/out.1" && ok || bad "seed $seed: a second run changed the target"
done
echo "generated: $SEEDS configs, ssh -G agreement $agree/$total fields"

# --- update in place ---
cat >"$T/src" <<'CFG'
Host web
    HostName web.example.com
    Port 2222
    User deploy
    LocalForward 8080 localhost:80
Host db
    HostName db.example.com
CFG
cat >"$T/dst" <<'CFG'
# my config: comments stay
Include ~/.ssh/none.d/*

Host web
    # old web
    Port 1
    User old
    Compression yes
    ControlMaster auto

Host other
    HostName other.example.com

Host *
    TCPKeepAlive no
    User everyone
CFG
cp "$T/dst" "$T/dst.orig"
"$SSHSYNC" migrate --from "ssh:$T/src" --to "ssh:$T/dst" >"$T/out" 2>&1
expect_eq "update: exit" "$?" 0
expect_eq "update: one Host web" "$(grep -c '^Host web$' "$T/dst")" 1
expect_eq "update: Host db once" "$(grep -c '^Host db$' "$T/dst")" 1
grep -q '^# my config: comments stay$' "$T/dst" && grep -q '# old web' "$T/dst" &&
	grep -q 'ControlMaster auto' "$T/dst" && ok || bad "update: kept lines lost: $(cat "$T/dst")"
# db has no User (the local user) but the target's Host * sets one: a loss.
grep -q 'lost   user: the target gives everyone' "$T/out" && ok || bad "update: no loss for db's user: $(cat "$T/out")"
for h in web db; do
	for k in hostname port user tcpkeepalive localforward compression; do
		[ "$h$k" = dbuser ] && continue
		expect_eq "update: $h $k" "$(ssh -G -F "$T/dst" $h | grep "^$k ")" \
			"$(ssh -G -F "$T/src" $h | grep "^$k ")"
	done
done
# Host db comes before the Host * block, so that its values win.
dbline=$(grep -n '^Host db$' "$T/dst" | cut -d: -f1)
starline=$(grep -n '^Host \*$' "$T/dst" | cut -d: -f1)
[ "$dbline" -lt "$starline" ] && ok || bad "update: Host db after Host *"
# Host other and the Host * block are byte for byte as they were.
expect_eq "update: other block" "$(sed -n '/^Host other/,/^$/p' "$T/dst")" \
	"$(sed -n '/^Host other/,/^$/p' "$T/dst.orig")"
"$SSHSYNC" migrate --from "ssh:$T/src" --to "ssh:$T/dst" --check >/dev/null
expect_eq "update: idempotent" "$?" 0

# --- undo puts the target back ---
"$SSHSYNC" undo >/dev/null 2>&1
expect_eq "undo: exit" "$?" 0
cmp -s "$T/dst" "$T/dst.orig" && ok || bad "undo: target not restored"

# --- --strict: a loss writes nothing and exits 2 ---
cat >"$T/strict" <<'CFG'
Host web
    HostName web.example.com
Match exec "test -e /nonexistent"
    Port 2200
CFG
"$SSHSYNC" migrate --from "ssh:$T/strict" --to "ssh:$T/strict.out" --strict >"$T/out" 2>&1
expect_eq "strict: exit" "$?" 2
[ -e "$T/strict.out" ] && bad "strict: wrote a file" || ok
grep -q 'Match exec' "$T/out" && ok || bad "strict: the loss is not reported: $(cat "$T/out")"
"$SSHSYNC" migrate --from "ssh:$T/strict" --to "ssh:$T/strict.out" --format json >"$T/j" 2>&1
expect_eq "loss in json" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["summary"]["losses"], d["sessions"][0]["losses"][0]["field"])' "$T/j")" "1 Match"

# --- --session picks one alias and its hops ---
cat >"$T/sel" <<'CFG'
Host a
    ProxyJump b
Host b
    User jb
Host c
    Port 3
CFG
"$SSHSYNC" migrate --from "ssh:$T/sel" --to "ssh:$T/sel.out" --session a >/dev/null 2>&1
expect_eq "session: hosts" "$(grep '^Host' "$T/sel.out" | tr '\n' ' ')" "Host a Host b "
"$SSHSYNC" migrate --from "ssh:$T/sel" --to "ssh:$T/sel.out2" --session nope >"$T/out" 2>&1
expect_eq "session: unknown name" "$?" 2

finish
