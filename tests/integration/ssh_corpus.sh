#!/usr/bin/env bash
# Every OpenSSH client config of the corpus ($SSHSYNC_CORPUS), as found and with CRLF
# endings, against the real `ssh -G`: audit for the hosts it names and one
# it does not, apply --interval 60 then ssh -G, second apply changes no
# byte; files ssh 9.2 refuses are refused by sshsync too and left as they
# were. (Byte-identical parse-then-render is in tests/unit/test_sshconf.c.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
corpus="$SSHSYNC_CORPUS/ssh" # fixtures/corpus, or the shared one
[ -d "$corpus" ] || { echo "corpus missing: $corpus"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/sshsync-sshcorpus-XXXXXX") || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$work"' EXIT
python3 "$here/ssh_diff.py" "$SSHSYNC" "$work" --corpus "$corpus"
