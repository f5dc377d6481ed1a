#!/usr/bin/env bash
# ctest fuzz/NAME: runs harness NAME on its regression inputs and seeds,
# without fuzzing, with the corpus of $SSHSYNC_CORPUS (ctest sets it:
# fixtures/corpus, or the shared one in fuzz/NAME[shared]).
set -euo pipefail
replay=$1 name=$2
. "$(dirname "$0")/seeds.sh"
: "${SSHSYNC_FIXTURES:?}" "${SSHSYNC_CORPUS:?}"
mapfile -t paths < <(fuzz_seeds "$name")
exec "$replay" "$name" "${paths[@]}"
