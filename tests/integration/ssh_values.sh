#!/usr/bin/env bash
# Every ssh_config keyword with good and bad values: `ssh -G` refuses the
# file <=> `sshsync audit` refuses it (exit 2). See kw_values.py.
# SSHSYNC_KW_CASES (default 200) and SSHSYNC_KW_SEED (default 1) vary it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v ssh >/dev/null || { echo "ssh (openssh-client) is missing"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/sshsync-kwssh-XXXXXX") || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$work"' EXIT
python3 "$here/kw_values.py" ssh "$SSHSYNC" "$work" "${SSHSYNC_KW_CASES:-200}" "${SSHSYNC_KW_SEED:-1}"
