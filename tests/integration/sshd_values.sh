#!/usr/bin/env bash
# Every sshd_config keyword with good and bad values: `sshd -t` refuses the
# file <=> `sshsync audit` refuses it (exit 2). See kw_values.py.
# SSHSYNC_KW_CASES (default 200) and SSHSYNC_KW_SEED (default 1) vary it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -x /usr/sbin/sshd ]; then
	echo "sshd_values: /usr/sbin/sshd is not installed (Debian: openssh-server)" >&2
	exit 1
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/sshsync-kwsshd-XXXXXX") || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
key=$(bash "$here/../sshd/sshd-oracle.sh" key "$work")
python3 "$here/kw_values.py" sshd "$SSHSYNC" "$work" "${SSHSYNC_KW_CASES:-200}" \
	"${SSHSYNC_KW_SEED:-1}" "$key"
