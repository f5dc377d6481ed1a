#!/bin/bash
# Algorithm lists (Ciphers, KexAlgorithms, HostKeyAlgorithms) through the
# real clients. Generated OpenSSH configs (migrate_gen.py --algs: plain
# lists, + and ^ of the default, - with patterns) are migrated to PuTTY
# session folders; ssh and plink -batch then each reach the oracle's
# throw-away sshd -i (lib/oracle.bash), which offers every algorithm ssh
# 9.2 has, and sshd's DEBUG log names what was negotiated (kex, host key,
# cipher) or that no connection was made. A session negotiated differently
# must carry a reported approximation for that list. Then PuTTY -> OpenSSH:
# ssh -G must accept every list written, and OpenSSH -> PuTTY -> OpenSSH
# and -> WinSCP -> OpenSSH round trips are counted (ssh -G identical).
# The agreement rates are printed. MIGRATE_ALGS_CASES (default 4 aliases:
# about 5 s) and MIGRATE_ALGS_SEED for a larger run by hand.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/scratch.bash"
. "$HERE/lib/oracle.bash"
export XDG_STATE_HOME=$work/state
oracle_need
oracle_init || {
	bad "oracle_init failed"
	finish
	exit
}
trap 'oracle_fini; rm -rf "$work"' EXIT
cases=${MIGRATE_ALGS_CASES:-4}
seed=${MIGRATE_ALGS_SEED:-$(date -u +%Y%m%d)}
echo "seed $seed, $cases generated aliases"

# The server offers everything ssh 9.2 has, so the client's order decides.
{
	cat "$O/sshd_config"
	echo "Ciphers $(ssh -Q cipher | paste -sd,)"
	echo "KexAlgorithms $(ssh -Q kex | paste -sd,)"
} >"$O/sshd_algs"
export ORACLE_SSHD_CONFIG=$O/sshd_algs

# negotiated RUNDIR ALIAS: "kex K", "hostkey H", "cipher C" for the lists
# the alias sets (the others are each client's own default: PuTTY prefers
# aes, ssh chacha20), or "no connection".
negotiated() {
	local log=$1/sshd.log keep
	keep=$(sed -n "/^Host $2\$/,/^\$/p" "$g/config" | sed -n -e 's/^ *Ciphers .*/cipher/p' \
		-e 's/^ *KexAlgorithms .*/kex/p' -e 's/^ *HostKeyAlgorithms .*/hostkey/p' | paste -sd'|')
	if ! grep -q 'kex: client->server cipher' "$log" 2>/dev/null ||
		! grep -q '^Accepted publickey' "$log"; then
		echo "no connection"
		return
	fi
	sed -n -e 's/.*kex: algorithm: \(\S*\).*/kex \1/p' \
		-e 's/.*kex: host key algorithm: \(\S*\).*/hostkey \1/p' \
		-e 's/.*kex: client->server cipher: \(\S*\) .*/cipher \1/p' "$log" |
		sed 's/^kex sntrup761x25519-sha512$/kex sntrup761x25519-sha512@openssh.com/' |
		grep -E "^(${keep:-none}) " | sort -u
}

g=$work/gen
mkdir -p "$g/putty"
"$PY" "$HERE/migrate_gen.py" --algs "$seed" "$g" "$cases" "$O" >"$g/aliases" || exit 1
"$SSHSYNC" migrate --from "ssh:$g/config" --to "putty:$g/putty/sessions" --format json \
	>"$g/r1.json" 2>"$g/err" || bad "migrate to PuTTY: $(cat "$g/err")"
# The key as plink takes it (key conversion is --keys' business).
sed -i "s|^PublicKeyFile=.*|PublicKeyFile=$O/ka.ppk|" "$g"/putty/sessions/*

agree=0 explained=0 total=0
while read -r alias; do
	total=$((total + 1))
	oracle_ssh "$g/config" "$alias" "$work/runs/$alias/ssh"
	oracle_plink "$g/putty" "$alias" "$work/runs/$alias/plink"
	negotiated "$work/runs/$alias/ssh" "$alias" >"$work/runs/$alias/ssh.neg"
	negotiated "$work/runs/$alias/plink" "$alias" >"$work/runs/$alias/plink.neg"
	if cmp -s "$work/runs/$alias/ssh.neg" "$work/runs/$alias/plink.neg"; then
		agree=$((agree + 1))
		ok
		continue
	fi
	# Differences only where migrate reported the list as approximate.
	fields=$("$PY" -c '
import json, sys
for s in json.load(open(sys.argv[1]))["sessions"]:
    if s["name"] == sys.argv[2]:
        print(" ".join(l["field"] for l in s["losses"]))' "$g/r1.json" "$alias")
	why=ok
	while read -r what _; do
		case $what in
		kex) f=kex ;;
		hostkey) f=host_key_algorithms ;;
		cipher) f=ciphers ;;
		*) f=any ;;
		esac
		[[ $f == any || " $fields " == *" $f "* ]] || why="$what differs without a reported loss"
	done < <(diff "$work/runs/$alias/ssh.neg" "$work/runs/$alias/plink.neg" | sed -n 's/^[<>] //p')
	if [ "$why" = ok ]; then
		explained=$((explained + 1))
		ok
	else
		bad "$alias: $why: ssh $(tr '\n' ' ' <"$work/runs/$alias/ssh.neg")/ plink $(tr '\n' ' ' <"$work/runs/$alias/plink.neg")"
	fi
done <"$g/aliases"
echo "OpenSSH -> PuTTY, negotiated through sshd: $agree of $total agree ($((total ? 100 * agree / total : 0))%), $explained differ with a reported approximation"

# --- back to OpenSSH: ssh -G takes every list; round trips ---
for via in "putty:$g/putty/sessions" "winscp:$g/WinSCP.ini" "kitty:$g/kitty.reg"; do
	kind=${via%%:*}
	if [ "$kind" != putty ]; then
		"$SSHSYNC" migrate --from "ssh:$g/config" --to "$via" --format json >"$g/r1-$kind.json" 2>"$g/err" ||
			bad "migrate to $kind: $(cat "$g/err")"
	fi
	"$SSHSYNC" migrate --from "$via" --to "ssh:$g/back-$kind" --format json >"$g/r2-$kind.json" 2>"$g/err" ||
		bad "migrate from $kind: $(cat "$g/err")"
	same=0 n=0
	while read -r alias; do
		for kw in ciphers kexalgorithms hostkeyalgorithms; do
			a=$(ssh -G -F "$g/config" "$alias" 2>/dev/null | grep "^$kw ")
			b=$(ssh -G -F "$g/back-$kind" "$alias" 2>"$g/err" | grep "^$kw ")
			[ -s "$g/err" ] && grep -qi bad "$g/err" && bad "$kind: ssh -G refuses $alias: $(cat "$g/err")"
			sed -n "/^Host $alias\$/,/^\$/p" "$g/config" | grep -qi "^ *$kw " || continue
			n=$((n + 1))
			[ "$a" = "$b" ] && same=$((same + 1))
		done
	done <"$g/aliases"
	ok
	echo "OpenSSH -> $kind -> OpenSSH: $same of $n lists come back ssh -G-identical"
done
finish
