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
# Agreement rates are printed. MIGRATE_ORACLE_CASES (default 6),
# MIGRATE_ORACLE_MIGRATIONS (how many of them are migrated, default 4) and
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
cases=${MIGRATE_ORACLE_CASES:-6}
seed=${MIGRATE_ORACLE_SEED:-$(date -u +%Y%m%d)}
echo "seed $seed, $cases generated cases"

# compare LABEL SSH_CONFIG PUTTYDIR ALIAS [SESSION]: 0 when `ssh ALIAS` and
# `plink -load SESSION` (default: ALIAS) were seen alike (the difference is
# kept in $work/diff/LABEL otherwise).
# A client run is made once per config (or PuTTY folder) and name: the
# migrations reuse the observations of their source.
declare -A seen_ssh seen_plink
compare() {
	local label=$1 cfg=$2 pdir=$3 name=$4 session=${5:-$4} r=$work/runs/$1
	mkdir -p "$work/diff" "$r"
	if [ -n "${seen_ssh[$cfg|$name]:-}" ]; then
		cp -r "${seen_ssh[$cfg|$name]}" "$r/ssh"
	else
		oracle_ssh "$cfg" "$name" "$r/ssh"
		seen_ssh[$cfg|$name]=$r/ssh
	fi
	if [ -n "${seen_plink[$pdir|$session]:-}" ]; then
		cp -r "${seen_plink[$pdir|$session]}" "$r/plink"
	else
		oracle_plink "$pdir" "$session" "$r/plink"
		seen_plink[$pdir|$session]=$r/plink
	fi
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

# --- 3. migrations, when sshsync can write the target ---
# migrated DIRECTION CASE FROM TO: runs the migration (keys converted into
# the case's keys folder), "NAME TARGET LOSSES" lines in $m/losses.
migrated() {
	local dir=$1 c=$2 from=$3 to=$4
	m=$work/mig/$dir/${c##*/}
	mkdir -p "$m/keys" "$m/putty/sessions"
	# migrate adds to an existing store: a .reg starts as regedit's header
	[[ $to == *.reg ]] && printf 'Windows Registry Editor Version 5.00\r\n' >"${to#*:}"
	"$SSHSYNC" migrate --from "$from" --to "$to" --keys "$m/keys" --format json >"$m/report.json" 2>"$m/err"
	local rc=$?
	[ $rc = 0 ] && "$PY" "$ORACLE_LIB/oracle_obs.py" losses "$m/report.json" >"$m/losses" && return 0
	bad "migrate --from $from --to $to: exit $rc: $(head -c 400 "$m/err")"
	return 1
}

# judge LABEL FIELDS: a session seen differently must differ only in what
# depends on fields the report says were not (or only approximately)
# carried; it is then counted as explained, not as agreeing.
judge() {
	local label=$1 fields=$2 why
	mtotal=$((mtotal + 1))
	if [ "$cmp_rc" = 0 ]; then
		magree=$((magree + 1))
		ok
	elif why=$("$PY" "$ORACLE_LIB/oracle_obs.py" explained "$work/diff/$label" "$fields"); then
		explained=$((explained + 1))
		ok
	else
		bad "$label: the clients differ beyond the reported losses ($fields): $why"
	fi
}

# The first MIGRATE_ORACLE_MIGRATIONS (default 4) generated cases are migrated.
migrate_cases=()
for ((i = 1; i <= ${MIGRATE_ORACLE_MIGRATIONS:-4} && i <= cases; i++)); do
	migrate_cases+=("$work/gen/case-$i")
done
probe=$work/probe
mkdir -p "$probe/sessions"
if "$SSHSYNC" migrate --from "ssh:$work/gen/case-1/ssh_config" --to "putty:$probe/sessions" --keys "$probe" \
	--dry-run >/dev/null 2>&1; then
	for kind in dir reg; do
		magree=0 mtotal=0 explained=0
		for c in "${migrate_cases[@]}"; do
			if [ $kind = dir ]; then
				migrated ssh-putty "$c" "ssh:$c/ssh_config" "putty:$work/mig/ssh-putty/${c##*/}/putty/sessions" || continue
			else
				migrated ssh-reg "$c" "ssh:$c/ssh_config" "putty:$work/mig/ssh-reg/${c##*/}/sessions.reg" || continue
				"$PY" "$ORACLE_LIB/oracle_obs.py" reg2sessions "$m/sessions.reg" "$m/putty/sessions" || continue
			fi
			while read -r name target fields; do
				compare "ssh-$kind-${c##*/}-$name" "$c/ssh_config" "$m/putty" "$name" "$target"
				cmp_rc=$?
				judge "ssh-$kind-${c##*/}-$name" "$fields"
			done <"$m/losses"
		done
		echo "OpenSSH -> PuTTY ($kind): $magree of $mtotal migrated sessions agree ($((mtotal ? 100 * magree / mtotal : 0))%), $explained differ with a reported loss"
	done
	magree=0 mtotal=0 explained=0
	for c in "${migrate_cases[@]}"; do
		migrated putty-ssh "$c" "putty:$c/putty/sessions" "ssh:$work/mig/putty-ssh/${c##*/}/ssh_config" || continue
		while read -r name target fields; do
			compare "putty-ssh-${c##*/}-$name" "$m/ssh_config" "$c/putty" "$target" "$name"
			cmp_rc=$?
			judge "putty-ssh-${c##*/}-$name" "$fields"
		done <"$m/losses"
	done
	echo "PuTTY -> OpenSSH: $magree of $mtotal migrated sessions agree ($((mtotal ? 100 * magree / mtotal : 0))%), $explained differ with a reported loss"
else
	echo "sshsync migrate cannot write PuTTY sessions yet: the migrations are not compared"
fi

finish
