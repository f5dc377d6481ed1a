#!/usr/bin/env bash
# sshsync probe's algorithm without a network or root: `ssh` is
# lib/fake_ssh.sh, a stand-in whose "router" forgets a connection idle for
# FAKE_TAU s (drop, reset or late), or whose server sends keepalives, runs no
# command, or refuses the login. The probe must find FAKE_TAU (+-20 %) and
# the kind of failure, see the keepalives, fall back to client first with a
# warning, fail fast with exit 2, and run ssh as the issue says (BatchMode,
# -T, no keepalive of its own, no connection sharing, -F and -o passed on).
# The real thing, through a router, is tests/net/probe.sh. About 35 s.
. "$SSHSYNC_TESTS/integration/lib/reports.bash"
mkdir -p "$scratch/bin"
ln -s "$SSHSYNC_TESTS/integration/lib/fake_ssh.sh" "$scratch/bin/ssh"
export PATH="$scratch/bin:$PATH"
export FAKE_LOG="$scratch/args.log"

# run NAME ENV... -- ARGS...: the probe with the fake's settings in ENV.
run() {
	local name=$1
	shift
	local envs=()
	while [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	local start=$SECONDS
	env "${envs[@]}" "$SSHSYNC" probe "$@" >"$scratch/$name.out" 2>"$scratch/$name.err"
	echo $? >"$scratch/$name.rc"
	echo $((SECONDS - start)) >"$scratch/$name.time"
}
field() { "$PY" -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print("null" if v is None else v)' "$1" "$2"; }

pids=()
for mode in drop reset late; do
	run "$mode" FAKE_TAU=5 FAKE_MODE=$mode -- --max 16 --format json -F "$scratch/cfg" -o User=me host &
	pids+=($!)
done
run keepalive FAKE_TAU=5 FAKE_KEEPALIVE=2 -- --max 8 --format json host &
pids+=($!)
run noshell FAKE_TAU=5 FAKE_NOSHELL=1 -- --max 16 --format json host &
pids+=($!)
run jump FAKE_TAU=50 FAKE_JUMP=bastion -- --max 2 host &
pids+=($!)
run denied "FAKE_ERROR=me@host: Permission denied (publickey)." -- host &
pids+=($!)
for p in "${pids[@]}"; do wait "$p"; done

for mode in drop reset late; do
	j=$scratch/$mode.out
	cat "$j"
	check "$mode: exit 0" grep -qx 0 "$scratch/$mode.rc"
	check "$mode: the JSON has exactly the issue's fields" "$PY" -c '
import json, sys
want = ["host", "survived_s", "failed_s", "estimate_s", "failure",
        "server_keepalive_s", "recommended_interval", "elapsed_s"]
sys.exit(list(json.load(open(sys.argv[1]))) != want)' "$j"
	check "$mode: failure $mode" test "$(field "$j" failure)" = "$mode"
	check "$mode: survived 4, failed 5" test "$(field "$j" survived_s)/$(field "$j" failed_s)" = 4/5
	check "$mode: estimate 5 (+-20 %)" test "$(field "$j" estimate_s)" = 5
	check "$mode: recommended 2 (half of 4)" test "$(field "$j" recommended_interval)" = 2
	check "$mode: within 45 s" test "$(cat "$scratch/$mode.time")" -le 45
done
j=$scratch/keepalive.out
cat "$j"
check "server keepalives: nothing failed up to the maximum" test "$(field "$j" failure)/$(field "$j" survived_s)" = none/8
check "server keepalives: the gap is 2 s" test "$(field "$j" server_keepalive_s)" = 2
check "server keepalives: a lower bound, says the warning" grep -q "only known to be longer" "$scratch/keepalive.err"
j=$scratch/noshell.out
cat "$j" "$scratch/noshell.err"
check "no shell: warns, client first" grep -q "runs no command.*client spoke first" "$scratch/noshell.err"
check "no shell: the estimate is 5 s" test "$(field "$j" estimate_s)" = 5
check "no shell: ssh -N with a keepalive of the idle time" grep -q -- "-o ServerAliveInterval=8 -o ServerAliveCountMax=1 -o TCPKeepAlive=no -v -N -- host" "$FAKE_LOG"
cat "$scratch/jump.out"
check "ProxyJump is noted" grep -q "through ProxyJump bastion: this measures the path to the jump host" "$scratch/jump.out"
check "no drop up to the maximum" grep -q "no drop up to 2 s" "$scratch/jump.out"
cat "$scratch/denied.err"
check "a refused login: exit 2" grep -qx 2 "$scratch/denied.rc"
check "... within seconds" test "$(cat "$scratch/denied.time")" -le 10
check "... with ssh's words" grep -q "host: ssh failed (exit 255): me@host: Permission denied (publickey)." "$scratch/denied.err"
check "... and no ssh -v chatter" test "$(grep -c debug1 "$scratch/denied.err")" = 0
# ssh as the issue says: the probe's settings first (ssh takes the first
# value), the user's -F and -o after them, ConnectTimeout last
check "ssh runs with the probe's settings, -F and -o passed on" grep -qF -- \
	"-o BatchMode=yes -o ControlMaster=no -o ControlPath=none -o ClearAllForwardings=yes -o PermitLocalCommand=no -o ForwardAgent=no -o ForwardX11=no -o RequestTTY=no -F $scratch/cfg -o User=me -o ConnectTimeout=15 -o ServerAliveInterval=0 -o TCPKeepAlive=no -v -T -- host echo R; sleep 4; echo A" "$FAKE_LOG"
check "ssh -G first" grep -q -- "-G -- host" "$FAKE_LOG"
# On a terminal, a progress line says what it waits for and the time left.
if command -v script >/dev/null; then
	FAKE_TAU=3 script -qec "stty cols 100 rows 30; $SSHSYNC probe --max 4 host" /dev/null </dev/null >"$scratch/tty.out" 2>&1
	check "progress on a terminal: what it waits for, time left" \
		grep -q "stage 1: waiting for the server to speak after [0-9]* s idle ([0-9]* connections\{0,1\} open); at most [0-9]* s left" "$scratch/tty.out"
	"$SSHSYNC" probe --max 1 host >/dev/null 2>"$scratch/notty.err"
	check "no progress off a terminal" test ! -s "$scratch/notty.err"
else
	skip "no script(1) (util-linux): progress on a terminal is not checked"
fi
finish
