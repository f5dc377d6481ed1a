#!/bin/bash
# The offline differential oracle of session migration (MIGRATION.md,
# "Oracles"): an OpenSSH config and PuTTY session files are "the same" when
# `ssh -F CFG ALIAS` and `plink -batch -load NAME`, each through the same
# throw-away `sshd -i`, make the server see the same things: host and port
# given to the proxy, user, keys offered and accepted, compression, remote
# and local/dynamic forwardings, X11 and agent requests, pty and TERM,
# environment, command, jump target (lib/oracle.bash, lib/oracle_obs.py).
#
#  1. hand-written pairs (migrate_pairs/*): the equivalent ones must agree,
#     the ones that show a pitfall of MIGRATION.md must disagree (so the
#     oracle can tell);
#  2. generated pairs (lib/session_gen.py over Table 1): must all agree;
#  3. when `sshsync migrate` exists: generated OpenSSH configs migrated to
#     PuTTY session folders and .reg files (rewritten as session files for
#     plink), and generated PuTTY sessions migrated to OpenSSH, compared
#     with their source.
# Agreement rates are printed. MIGRATE_ORACLE_CASES (default 8) and
# MIGRATE_ORACLE_SEED (default: the day) vary the run; KEEP=1 keeps $work.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/scratch.bash"
. "$HERE/lib/oracle.bash"
oracle_need
[ -n "${KEEP:-}" ] && echo "work folder: $work"
trap 'oracle_fini; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
oracle_init || {
	echo "cannot set up the oracle" >&2
	exit 1
}
cases=${MIGRATE_ORACLE_CASES:-8}
seed=${MIGRATE_ORACLE_SEED:-$(date -u +%Y%m%d)}
echo "seed $seed, $cases generated cases"

# compare LABEL SSH_CONFIG PUTTYDIR NAME: 0 when both clients were seen
# alike (the difference is kept in $work/diff/LABEL otherwise).
compare() {
	local label=$1 cfg=$2 pdir=$3 name=$4 r=$work/runs/$1
	mkdir -p "$work/diff" "$r"
	oracle_ssh "$cfg" "$name" "$r/ssh"
	oracle_plink "$pdir" "$name" "$r/plink"
	if [ ! -s "$r/ssh/obs" ] || ! grep -q '^session' "$r/ssh/obs"; then
		echo "$label: no observation from ssh" >"$work/diff/$label"
		return 2
	fi
	diff "$r/ssh/obs" "$r/plink/obs" >"$work/diff/$label"
}

# Free high ports for the forwardings of the hand-written pairs.
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- 1. hand-written pairs ---
agree=0 total=0
for pair in "$HERE"/migrate_pairs/*/; do
	name=$(basename "$pair")
	d=$work/pairs/$name
	mkdir -p "$d"
	cp -r "$pair"/. "$d/"
	subst=(-e "s|@O@|$O|g")
	for i in 1 2 3 4; do subst+=(-e "s|@P$i@|$(free_port)|g"); done
	find "$d" -type f -exec sed -i "${subst[@]}" {} +
	expect=$(head -n1 "$d/expect")
	for s in "$d"/putty/sessions/*; do
		alias=$(basename "$s")
		total=$((total + 1))
		if compare "pair-$name-$alias" "$d/ssh_config" "$d/putty" "$alias"; then
			result=same
			agree=$((agree + 1))
		else
			result=differ
		fi
		case "$expect:$result" in
		same:same | differ*:differ) ok ;;
		*) bad "pair $name/$alias: expected ${expect%%:*}, got $result: $(head -c 600 "$work/diff/pair-$name-$alias")" ;;
		esac
	done
done
echo "hand-written pairs: $agree of $total sessions agree (the pitfall pairs must not)"

# --- 2. generated pairs ---
"$PY" "$ORACLE_LIB/session_gen.py" "$O" "$work/gen" "$seed" "$cases" || exit 1
agree=0 total=0
for c in "$work"/gen/case-*; do
	while read -r alias; do
		total=$((total + 1))
		if compare "gen-${c##*/}-$alias" "$c/ssh_config" "$c/putty" "$alias"; then
			agree=$((agree + 1))
			ok
		else
			bad "generated ${c##*/} $alias: ssh and plink differ: $(head -c 600 "$work/diff/gen-${c##*/}-$alias")"
		fi
	done <"$c/aliases"
done
echo "generated pairs: $agree of $total sessions agree ($((total ? 100 * agree / total : 0))%)"

finish
