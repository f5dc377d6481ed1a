#!/bin/sh
# Runs a test that needs the shared folder (../shared: the corpus and the
# schemas), or reports it skipped to ctest (exit 77) when the folder is not
# there. With SSHSYNC_REQUIRE_SHARED=1 (set by .ci/run) a missing folder is
# a failure instead: CI must run every test.
# usage: need-shared.sh COMMAND [ARG...]
shared=${SSHSYNC_SHARED:-}
if [ -z "$shared" ] || [ ! -d "$shared/corpus" ] || [ ! -d "$shared/schemas" ]; then
	if [ "${SSHSYNC_REQUIRE_SHARED:-0}" = 1 ]; then
		echo "error: SSHSYNC_REQUIRE_SHARED=1 but there is no shared folder at '$shared'" \
			"(configure with -DSSHSYNC_SHARED_DIR=DIR)" >&2
		exit 1
	fi
	echo "skipped: needs the shared corpus, not found at '$shared'" \
		"(configure with -DSSHSYNC_SHARED_DIR=DIR)"
	exit 77
fi
exec "$@"
