#!/bin/bash
# sshsync migrate checked through the real clients (MIGRATION.md "Oracles",
# lib/oracle.bash): generated sessions (lib/session_gen.py over Table 1)
#   - OpenSSH config -> sshsync migrate -> PuTTY session folder: `ssh` on the
#     source and `plink -load` on the result, through the same throw-away
#     `sshd -i`, must make the server see the same session;
#   - PuTTY session folder -> sshsync migrate -> OpenSSH config: the same.
# Each migration converts the session's key with --keys (through puttygen):
# the migrated session names the converted twin, whose fingerprint must be
# the source key's (puttygen -l and ssh-keygen -l). Agreement rates are
# printed.
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
	mkdir -p "$m/sessions" "$c/keys-putty" "$c/keys-ssh"
	if ! "$SSHSYNC" migrate --from "ssh:$c/ssh_config" --to "putty:$m/sessions" \
		--keys "$c/keys-putty" >"$c/m1" 2>&1 ||
		! "$SSHSYNC" migrate --from "putty:$c/putty/sessions" --to "ssh:$c/back_config" \
			--keys "$c/keys-ssh" >"$c/m2" 2>&1; then
		bad "${c##*/}: migrate failed: $(cat "$c/m1" "$c/m2" 2>/dev/null | tail -5)"
		continue
	fi
	# Every converted key is the same key as its source.
	for k in "$c"/keys-putty/*.ppk "$c"/keys-ssh/*; do
		[ -f "$k" ] || continue
		case $k in *.pub) continue ;; esac
		if [[ $k == *.ppk ]]; then
			a=$(puttygen -l -E sha256 "$k" | awk '{print $3}')
			b=$(ssh-keygen -l -E sha256 -f "$(grep -F -- "-> $k (" "$c/m1" | sed -E 's/^key: (.*) -> .*/\1/')" | awk '{print $2}')
		else
			a=$(ssh-keygen -l -E sha256 -f "$k" | awk '{print $2}')
			b=$(puttygen -l -E sha256 "$(grep -F -- "-> $k (" "$c/m2" | sed -E 's/^key: (.*) -> .*/\1/')" | awk '{print $3}')
		fi
		if [ -n "$a" ] && [ "$a" = "$b" ]; then ok; else bad "${c##*/}: $k: fingerprint $a, its source $b"; fi
	done
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
