#!/usr/bin/env bash
# sshsync probe behind a real router (tests/net/lab.bash): it finds the
# router's conntrack timeout within +-20 % in bounded time whether the
# router drops a forgotten connection silently, answers it with a reset or
# re-creates it when the client writes (loose conntrack); falls back to a
# client-first probe with a warning when the server runs no command; --apply
# writes the recommended interval; and bad input (unknown host, refused
# connection, authentication failure, no ssh) is exit 2 within seconds.
# Server keepalives are seen and make the result a lower bound; a ProxyJump
# is noted. All scenarios run at once, each in its own lab: about 90 s.
. "$SSHSYNC_TESTS/integration/lib/reports.bash"
. "$SSHSYNC_TESTS/net/lab.bash"
lab_begin

# probe_json NAME ARGS...: runs the probe in the client's namespace, its
# JSON in $LAB_OUT/NAME.json, its stderr in NAME.err, its wall time in
# NAME.time; returns its exit status.
run_probe() {
	local name=$1 start end rc
	shift
	start=$(date +%s)
	lab_client "$SSHSYNC" probe -F "$LAB_SSH_CONFIG" "$@" >"$LAB_OUT/$name.out" 2>"$LAB_OUT/$name.err"
	rc=$?
	end=$(date +%s)
	echo $((end - start)) >"$LAB_OUT/$name.time"
	return $rc
}
field() { "$PY" -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; print("null" if v is None else v)' "$1" "$2"; }

# within WHAT GOT WANT PCT: GOT is WANT +- PCT %
within() {
	if "$PY" -c 'import sys; g,w,p=map(float,sys.argv[1:]); sys.exit(abs(g-w) > w*p/100)' "$2" "$3" "$4"; then
		lab_ok "$1: $2 s for a ${3} s router (+-$4 %)"
	else
		lab_bad "$1: estimated $2 s, the router forgets after $3 s (more than $4 % off)"
	fi
}

# measure MODE TIMEOUT MAX FAILURE [PCT] [HOST]: the probe against a router
# that forgets after TIMEOUT s.
measure() {
	local mode=$1 timeout=$2 max=$3 want=$4 pct=${5:-20} host=${6:-lab}
	lab_router "$mode" "$timeout" || {
		lab_bad "$mode: cannot set the router"
		return
	}
	if ! run_probe "$mode" --max "$max" --format json "$host"; then
		lab_bad "$mode: probe failed: $(cat "$LAB_OUT/$mode.err")"
		return
	fi
	local j=$LAB_OUT/$mode.out
	cat "$j"
	echo "wall time: $(cat "$LAB_OUT/$mode.time") s"
	lab_check "$mode: the JSON has exactly the issue's fields" "$PY" -c '
import json, sys
want = ["host", "survived_s", "failed_s", "estimate_s", "failure",
        "server_keepalive_s", "recommended_interval", "elapsed_s"]
sys.exit(list(json.load(open(sys.argv[1]))) != want)' "$j"
	within "$mode: estimate" "$(field "$j" estimate_s)" "$timeout" "$pct"
	lab_check "$mode: failure is $want (got $(field "$j" failure))" test "$(field "$j" failure)" = "$want"
	lab_check "$mode: survived < timeout <= failed" "$PY" -c '
import json, sys
j = json.load(open(sys.argv[1])); t = float(sys.argv[2])
sys.exit(not (j["survived_s"] <= t * 1.1 and j["failed_s"] >= t * 0.9 and j["survived_s"] < j["failed_s"]))' "$j" "$timeout"
	lab_check "$mode: recommended interval is at most half the survived idle" "$PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(not (1 <= j["recommended_interval"] <= max(1, j["survived_s"] / 2)))' "$j"
	lab_check "$mode: no server keepalive" test "$(field "$j" server_keepalive_s)" = null
	# stage 1 stops at the first failure (about twice the timeout), stage 2
	# at the first failure of the bracket; each failure waits a few seconds
	lab_check "$mode: done within 4 x timeout + 40 s" \
		test "$(cat "$LAB_OUT/$mode.time")" -le $((4 * timeout + 40))
}

# The server runs no command (ForceCommand internal-sftp): client first.
fallback() {
	measure drop 12 24 drop 25 lab-sftp
	lab_check "fallback: warns that the client spoke first" \
		grep -q "runs no command.*client spoke first" "$LAB_OUT/drop.err"
}

# --apply: the recommended interval goes to `sshsync apply` (a private HOME).
with_apply() {
	lab_router reset 16 || return
	export HOME=$LAB_OUT/home
	mkdir -p "$HOME/.ssh"
	printf 'Host *\n  ServerAliveInterval 600\n' >"$HOME/.ssh/config"
	if ! run_probe apply --max 40 --apply lab; then
		lab_bad "probe --apply failed: $(cat "$LAB_OUT/apply.err")"
		return
	fi
	cat "$LAB_OUT/apply.out"
	local rec
	rec=$(sed -n 's/^  recommended interval: *\([0-9]*\) s.*/\1/p' "$LAB_OUT/apply.out")
	lab_check "--apply: text output names a recommended interval" test -n "$rec"
	lab_check "--apply: ~/.ssh/config now has ServerAliveInterval $rec" \
		grep -qx "  ServerAliveInterval $rec" "$HOME/.ssh/config"
	lab_check "--apply: failure reset in words" grep -q "reset: the path answered" "$LAB_OUT/apply.out"
}

# Server keepalives (ClientAliveInterval 3: every 6 s on the wire) keep the
# path open: nothing fails, and the probe says it saw them.
server_keepalive() {
	lab_router drop 10 || return
	lab_sshd_config "$LAB_OUT/ka.sshd" 22050 "ClientAliveInterval 3"
	lab_sshd "$LAB_OUT/ka.sshd" 22050 || return
	lab_ssh_config lab-ka 22050 >>"$LAB_SSH_CONFIG"
	if ! run_probe ka --max 20 --format json lab-ka; then
		lab_bad "server keepalive: probe failed: $(cat "$LAB_OUT/ka.err")"
		return
	fi
	cat "$LAB_OUT/ka.out" "$LAB_OUT/ka.err"
	lab_check "server keepalive: nothing failed" test "$(field "$LAB_OUT/ka.out" failure)" = none
	lab_check "server keepalive: no estimate" test "$(field "$LAB_OUT/ka.out" estimate_s)" = null
	lab_check "server keepalive: survived the maximum" test "$(field "$LAB_OUT/ka.out" survived_s)" = 20
	within "server keepalive: the gap seen" "$(field "$LAB_OUT/ka.out" server_keepalive_s)" 6 20
	lab_check "server keepalive: warns of a lower bound" grep -q "keepalives every .* only known to be" "$LAB_OUT/ka.err"
}

# Through a ProxyJump: the probe says what it measures.
jump() {
	if ! run_probe jump --max 4 -o ProxyJump=lab lab; then
		lab_bad "ProxyJump: probe failed: $(cat "$LAB_OUT/jump.err")"
		return
	fi
	cat "$LAB_OUT/jump.out"
	lab_check "ProxyJump: noted" grep -q "through ProxyJump lab: this measures the path to the jump host" "$LAB_OUT/jump.out"
	lab_check "ProxyJump: no drop up to 4 s" grep -q "no drop up to 4 s" "$LAB_OUT/jump.out"
}

# Bad input: exit 2 within seconds, saying why.
bad_input() {
	local what=$1 want=$2 start rc took
	shift 2
	start=$(date +%s)
	"$@" >"$LAB_OUT/bad.out" 2>"$LAB_OUT/bad.err"
	rc=$?
	took=$(($(date +%s) - start))
	echo "$what: exit $rc in ${took}s: $(cat "$LAB_OUT/bad.err")"
	lab_check "$what: exit 2" test "$rc" = 2
	lab_check "$what: within 10 s" test "$took" -le 10
	lab_check "$what: says '$want'" grep -q "$want" "$LAB_OUT/bad.err"
	lab_check "$what: prints no result" test ! -s "$LAB_OUT/bad.out"
}
errors() {
	bad_input "unknown host" "Could not resolve hostname" \
		lab_client "$SSHSYNC" probe -F "$LAB_SSH_CONFIG" nosuchhost.invalid
	bad_input "refused" "Connection refused" \
		lab_client "$SSHSYNC" probe -F "$LAB_SSH_CONFIG" -o Port=1 lab
	bad_input "authentication" "Permission denied" \
		lab_client "$SSHSYNC" probe -F "$LAB_SSH_CONFIG" -o User=nosuchuser lab
	bad_input "bad ssh option" "ssh -G failed" \
		lab_client "$SSHSYNC" probe -F "$LAB_SSH_CONFIG" -o NoSuchOption=1 lab
	bad_input "no ssh" "cannot run 'ssh'" \
		lab_client env PATH=/nonexistent "$SSHSYNC" probe -F "$LAB_SSH_CONFIG" lab
	bad_input "no host" "no host given" "$SSHSYNC" probe
	bad_input "--max 0" "not a time" "$SSHSYNC" probe --max 0 lab
	jump
}

lab_spawn drop measure drop 12 40 drop
lab_spawn reset measure reset 16 40 reset
lab_spawn loose measure loose 12 40 late
lab_spawn fallback fallback
lab_spawn apply with_apply
lab_spawn errors errors
lab_spawn keepalive server_keepalive
lab_collect
finish
