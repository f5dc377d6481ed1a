#!/usr/bin/env bash
# sshsync against the real `ssh -G` on generated ssh_config trees (Host,
# Match, Include, first value wins, Debian defaults...): audit before and
# after apply --interval 60, second apply changes nothing, refused files
# stay refused and untouched. See ssh_gen.py and ssh_diff.py.
# Then the user's file and the system file read as one chain, as ssh reads
# them without -F (the real ssh in a private mount namespace, `unshare -m`,
# with the tree's /etc/ssh and home bound in place), apply without --system
# and audit with no target. SSHSYNC_SSH_SEEDS sets how many trees (default
# 14), SSHSYNC_SSH_CHAINS how many chains (default 6).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v ssh >/dev/null || { echo "ssh (openssh-client) is missing"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/sshsync-sshdiff-XXXXXX") || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$work"' EXIT
python3 "$here/ssh_diff.py" "$SSHSYNC" "$work" --generate 1 "${SSHSYNC_SSH_SEEDS:-14}"
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
	python3 "$here/ssh_diff.py" "$SSHSYNC" "$work" --chain 1 "${SSHSYNC_SSH_CHAINS:-6}"
else
	echo "SKIP: the user+system chain needs root and unshare -m (a private mount namespace)"
fi
