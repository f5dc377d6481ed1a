#!/usr/bin/env bash
# sshsync against the real `ssh -G` on trees that include the same files
# again and again (ssh_repeat_gen.py): reading a plain repeated copy once
# must never change a value ssh gives. Audit, apply and a second apply, as
# ssh_diff.py checks every tree. SSHSYNC_REPEAT_SEEDS sets how many trees.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v ssh >/dev/null || { echo "ssh (openssh-client) is missing"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/sshsync-repeat-XXXXXX") || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$work"' EXIT
n=${SSHSYNC_REPEAT_SEEDS:-40}
dirs=()
for seed in $(seq 1 "$n"); do
	mkdir "$work/t$seed"
	python3 "$here/ssh_repeat_gen.py" "$seed" "$work/t$seed" >"$work/hosts"
	dirs+=("$work/t$seed")
done
echo "$n generated trees"
python3 "$here/ssh_diff.py" "$SSHSYNC" "$work/run" "${dirs[@]}" -- $(cat "$work/hosts")
