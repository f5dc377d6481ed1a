#!/usr/bin/env bash
# The kill test: apply is killed (SIGKILL) at random moments while it
# rewrites a large included file, then while it rewrites a large file that
# is its only target (the path of engine/writeset.c's prepare_single: the
# file hashed ahead of the write by a second thread, the temporary file
# written before the journal entry begins, the file read again while the
# temporary file is synced). Each time the file is exactly the old or
# exactly the new one, nothing is left where ssh's Include glob reads, ssh
# still accepts the config, and the next apply finishes the job and removes
# what the killed one left.
set -u
: "${SSHSYNC:?SSHSYNC must name the sshsync binary}"
root=$(mktemp -d) || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$root"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
runs=${KILL_RUNS:-20}
pass=0 fail=0
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
h="$root/h"
mkdir -p "$root/orig"
# An included file of about 8 MB: a keepalive line, then many hosts.
python3 - "$root/orig/big.conf" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("Host big\n    ServerAliveInterval 10\n")
    for i in range(120000):
        f.write("# host %06d: an old entry kept for the record, nothing to change\n" % i)
PY
# fresh: the files as before any apply. The included case: config
# includes config.d/big.conf, and both change. The single case: a copy
# of big.conf elsewhere is the only target.
fresh() {
	rm -rf "$h" "$root/state"
	mkdir -p "$h/.ssh/config.d" "$h/single"
	printf 'Include config.d/*\nHost *\n    ServerAliveInterval 10\n' >"$h/.ssh/config"
	cp "$root/orig/big.conf" "$h/.ssh/config.d/big.conf"
	cp "$root/orig/big.conf" "$h/single/big.conf"
	chmod -R go-w "$h"
}
run() { HOME="$h" XDG_STATE_HOME="$root/state" "$SSHSYNC" apply --interval 60 "$target" "$@"; }

# kills CASE TARGET FILE: $runs applies to TARGET killed at random
# moments; FILE is the large file it rewrites.
kills() {
	local case=$1 f=$3 old=0 new=0 i delay pid seen left
	target=$2
	# The new contents, and how long a whole apply takes.
	fresh
	t0=$(date +%s%N)
	run >/dev/null 2>&1 || { bad "$case: the clean apply fails"; return; }
	t1=$(date +%s%N)
	cp "$f" "$root/new.conf"
	span=$(((t1 - t0) / 1000)) # microseconds
	echo "$case: a whole apply takes $((span / 1000)) ms; killing $runs runs at random moments in it"
	for i in $(seq "$runs"); do
		fresh
		delay=$((RANDOM * 32768 + RANDOM))
		delay=$((delay % (span + 1)))
		# sshsync itself in the background (not a subshell running it).
		HOME="$h" XDG_STATE_HOME="$root/state" "$SSHSYNC" apply --interval 60 "$target" \
			>/dev/null 2>&1 &
		pid=$!
		sleep "$(printf '%d.%06d' $((delay / 1000000)) $((delay % 1000000)))"
		kill -KILL $pid 2>/dev/null
		wait $pid 2>/dev/null
		if cmp -s "$f" "$root/orig/big.conf"; then
			old=$((old + 1))
		elif cmp -s "$f" "$root/new.conf"; then
			new=$((new + 1))
		else
			bad "$case run $i (killed after ${delay} us): big.conf is neither old nor new ($(wc -c <"$f") bytes)"
			continue
		fi
		# What ssh's glob reads: only big.conf.
		seen=$(cd "$h/.ssh/config.d" && echo *)
		[ "$seen" = big.conf ] || { bad "$case run $i: config.d/* reads: $seen"; continue; }
		ssh -G -F "$h/.ssh/config" big </dev/null >/dev/null 2>&1 || { bad "$case run $i: ssh refuses the config"; continue; }
		HOME="$h" XDG_STATE_HOME="$root/state" "$SSHSYNC" undo --list >"$root/list" 2>&1 ||
			{ bad "$case run $i: the journal is unreadable: $(cat "$root/list")"; continue; }
		# The next apply finishes and leaves no temporary file anywhere.
		run >"$root/out" 2>&1 || { bad "$case run $i: the next apply fails: $(cat "$root/out")"; continue; }
		cmp -s "$f" "$root/new.conf" || { bad "$case run $i: the next apply did not finish"; continue; }
		left=$(find "$h" "$root/state" -name '.*.sshsync-??????')
		[ -z "$left" ] || { bad "$case run $i: left behind: $left"; continue; }
		pass=$((pass + 1))
	done
	echo "$case: $runs kills: $old left the old file, $new the new one"
}

kills included "ssh:$h/.ssh/config" "$h/.ssh/config.d/big.conf"
kills single "ssh:$h/single/big.conf" "$h/single/big.conf"
echo "$pass as promised, $fail not"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
