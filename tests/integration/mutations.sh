#!/usr/bin/env bash
# Corrupted real-world files never crash sshsync or trip a sanitizer.
exec /usr/bin/python3 "$SSHSYNC_TESTS/integration/mutate.py" "$SSHSYNC" "$SSHSYNC_CORPUS" \
	"$SSHSYNC_FIXTURES" 7 150
