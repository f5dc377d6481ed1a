#!/usr/bin/env bash
# ctest fuzz/NAME: runs harness NAME on its regression inputs and seeds,
# without fuzzing. Seeds under ../shared are skipped when it is absent.
set -euo pipefail
replay=$1 name=$2
. "$(dirname "$0")/seeds.sh"
: "${SSHSYNC_FIXTURES:?}" "${SSHSYNC_SHARED:=/nonexistent}"
[ -d "$SSHSYNC_SHARED/corpus" ] || echo "SKIP part: $SSHSYNC_SHARED/corpus is absent"
mapfile -t paths < <(fuzz_seeds "$name")
exec "$replay" "$name" "${paths[@]}"
