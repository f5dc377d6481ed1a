#!/bin/bash
# sshsync migrate checked through the real clients (MIGRATION.md "Oracles",
# lib/oracle.bash): generated sessions (lib/session_gen.py over Table 1)
#   - OpenSSH config -> sshsync migrate -> PuTTY session folder: `ssh` on the
#     source and `plink -load` on the result, through the same throw-away
#     `sshd -i`, must make the server see the same session;
#   - PuTTY session folder -> sshsync migrate -> OpenSSH config: the same.
# Key files are the one thing migrate does not convert without --keys: the
# test points each migrated key at the same key in the other format, which
# the oracle made with puttygen. Agreement rates are printed.
# MIGRATE_PLINK_CASES (default 3) and MIGRATE_PLINK_SEED vary the run.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/scratch.bash"
. "$HERE/lib/oracle.bash"
oracle_need
trap 'oracle_fini; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
oracle_init || {
	echo "cannot set up the oracle" >&2
	exit 1
}
export XDG_STATE_HOME=$work/state
cases=${MIGRATE_PLINK_CASES:-3}
seed=${MIGRATE_PLINK_SEED:-$(date -u +%Y%m%d)}
echo "seed $seed, $cases generated cases"
"$PY" "$ORACLE_LIB/session_gen.py" "$O" "$work/gen" "$seed" "$cases" || exit 1

# same LABEL SSH_CONFIG PUTTYDIR NAME: 0 when both clients were seen alike.
same() {
	local r=$work/runs/$1
	mkdir -p "$r"
	oracle_ssh "$2" "$4" "$r/ssh"
	oracle_plink "$3" "$4" "$r/plink"
	grep -q '^session' "$r/ssh/obs" && diff "$r/ssh/obs" "$r/plink/obs" >"$r/diff"
}

to_putty=0 back=0 total=0
for c in "$work"/gen/case-*; do
	m=$c/migrated
	mkdir -p "$m/sessions"
	if ! "$SSHSYNC" migrate --from "ssh:$c/ssh_config" --to "putty:$m/sessions" >"$c/m1" 2>&1 ||
		! "$SSHSYNC" migrate --from "putty:$c/putty/sessions" --to "ssh:$c/back_config" \
			>"$c/m2" 2>&1; then
		bad "${c##*/}: migrate failed: $(cat "$c/m1" "$c/m2" 2>/dev/null | tail -5)"
		continue
	fi
	for f in "$m"/sessions/*; do
		sed -i -E 's|^PublicKeyFile=(.+)$|PublicKeyFile=\1.ppk|' "$f"
	done
	sed -i -E 's|^( *IdentityFile .*)\.ppk$|\1|' "$c/back_config"
	while read -r alias; do
		total=$((total + 1))
		if same "${c##*/}-$alias-to-putty" "$c/ssh_config" "$m" "$alias"; then
			to_putty=$((to_putty + 1))
			ok
		else
			bad "${c##*/} $alias: OpenSSH -> PuTTY: ssh and plink differ: $(head -c 600 "$work/runs/${c##*/}-$alias-to-putty/diff")"
		fi
		if same "${c##*/}-$alias-back" "$c/back_config" "$c/putty" "$alias"; then
			back=$((back + 1))
			ok
		else
			bad "${c##*/} $alias: PuTTY -> OpenSSH: ssh and plink differ: $(head -c 600 "$work/runs/${c##*/}-$alias-back/diff")"
		fi
	done <"$c/aliases"
done
echo "OpenSSH -> PuTTY: $to_putty of $total sessions agree; PuTTY -> OpenSSH: $back of $total"
finish
