#!/usr/bin/env bash
# sshsync against the real `ssh -G` on generated ssh_config trees (Host,
# Match, Include, first value wins, Debian defaults...): audit before and
# after apply --interval 60, second apply changes nothing, refused files
# stay refused and untouched. See ssh_gen.py and ssh_diff.py.
# SSHSYNC_SSH_SEEDS sets how many trees (default 14).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v ssh >/dev/null || { echo "ssh (openssh-client) is missing"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/sshsync-sshdiff-XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 "$here/ssh_diff.py" "$SSHSYNC" "$work" --generate 1 "${SSHSYNC_SSH_SEEDS:-14}"
