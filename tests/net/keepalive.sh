#!/usr/bin/env bash
# Keepalives through a real router (tests/net/lab.bash) that forgets an
# idle connection after 10 s (conntrack timeout in its namespace, silent
# drop). Each client gets its keepalive from `sshsync apply`; its period is
# measured on the router's server-side veth (tcpdump; lib/wire_period.py
# reads the packets as it reads wire_relay.py's log) and must be what
# `sshsync audit` reports (+-10 %); and audit --nat-timeout 10 must pass
# exactly the scopes whose idle session survives behind the router:
#
#   ssh   ServerAliveInterval 4 / 12 / 0     survives / dies / dies
#   sshd  ClientAliveInterval 3 / 6          every 6 s, survives / every
#         12 s, dies (6 < 10, yet its real period is not)
#   plink PingInterval 4 / 12 (session file) survives / dies
#
# A second lab whose router answers with a reset: an idle ssh without
# keepalive dies at its next keystroke, one with ServerAliveInterval 4 does
# not. Everything runs at once: about 40 s.
. "$SSHSYNC_TESTS/integration/lib/reports.bash"
. "$SSHSYNC_TESTS/net/lab.bash"
LIB=$SSHSYNC_TESTS/integration/lib
lab_begin

TIMEOUT=10
IDLE=30 # the session: sleep this long, then print "done"

# audit_field TARGET SCOPE FIELD [ARGS...]
audit_field() {
	local target=$1 scope=$2 field=$3
	shift 3
	"$SSHSYNC" audit --format json --nat-timeout "$TIMEOUT" "$@" "$target" | "$PY" -c '
import json, sys
for s in json.load(sys.stdin)["scopes"]:
    if s["scope"] == sys.argv[1]:
        print(s[sys.argv[2]])' "$scope" "$field"
}

# wire_log PORT: the capture's packets with data of the connection to
# PORT, as wire_relay.py logs them ("TIME c>s|s>c BYTES").
wire_log() {
	tcpdump -r "$LAB_OUT/cap.pcap" -tt -n "tcp port $1" 2>/dev/null |
		awk -v dst="$LAB_SERVER.$1:" '/ length [1-9]/ { print $1, ($5 == dst ? "c>s" : "s>c"), $NF }'
}

# judge WHAT PORT DIRECTION AUDIT_PERIOD AUDIT_STATUS OUTFILE: the period on
# the wire, and the audit's verdict against survival.
judge() {
	local what=$1 port=$2 dir=$3 want=$4 status=$5 out=$6 got survived=no
	grep -qx done "$out" && survived=yes
	wire_log "$port" >"$LAB_OUT/$port.wire"
	echo "$what: audit period ${want}s, status $status; survived ${IDLE}s idle: $survived"
	if [ "$survived" = yes ]; then
		# wire_period.py's gaps after the setup; the first keepalive
		# is judged on its own (PuTTY sends its first ping 2 intervals
		# after connecting), the period is the longest gap after it
		if got=$("$PY" "$LIB/wire_period.py" period "$LAB_OUT/$port.wire" "$dir") &&
			got=$("$PY" -c '
import sys
w = float(sys.argv[1]); g = [float(x) for x in sys.argv[2:]]
i = next(k for k, x in enumerate(g) if x >= 0.75 * w)
if len(g) < i + 3:
    sys.exit("too few keepalives: %s" % g)
print("%.3f %.3f %s" % (max(g[i + 1:]), g[i], " ".join("%.3f" % x for x in g)))' "$want" ${got#* }); then
			read -r period first gaps <<<"$got"
			echo "$what: measured on the router ${period}s; first keepalive ${first}s after the setup (gaps: $gaps)"
			if "$PY" -c 'import sys; g, w = map(float, sys.argv[1:]); sys.exit(abs(g - w) > 0.1 * w)' "$period" "$want"; then
				lab_ok "$what: the wire's period is audit's"
			else
				lab_bad "$what: measured ${period}s on the wire, audit says ${want}s"
			fi
			if "$PY" -c 'import sys; g, w = map(float, sys.argv[1:]); sys.exit(g > 2 * w + 0.5)' "$first" "$want"; then
				lab_ok "$what: the first keepalive within 2 periods"
			else
				lab_bad "$what: the first keepalive came ${first}s after the setup"
			fi
		else
			lab_bad "$what: cannot measure a period: $got"
		fi
	fi
	if { [ "$status" = pass ] && [ "$survived" = yes ]; } ||
		{ [ "$status" = fail ] && [ "$survived" = no ]; }; then
		lab_ok "$what: audit's $status matches survival behind the router"
	else
		lab_bad "$what: audit says $status with --nat-timeout $TIMEOUT, the session survived: $survived"
	fi
}

wire_lab() {
	local T=$LAB_OUT
	lab_router drop "$TIMEOUT" || return
	# the clients' server: no keepalive of its own, a port per client
	lab_sshd_config "$T/plain.sshd" "22031 22032 22033 22034 22035" "ClientAliveInterval 0"
	lab_sshd "$T/plain.sshd" 22031 || return
	# sshd's own keepalive, written by apply, a port each
	lab_sshd_config "$T/ok.sshd" 22041 "ClientAliveInterval 30"
	lab_sshd_config "$T/bad.sshd" 22042 "ClientAliveInterval 30"
	lab_check "apply: sshd ClientAliveInterval 3" "$SSHSYNC" apply --no-backup --interval 3 "sshd:$T/ok.sshd"
	lab_check "apply: sshd ClientAliveInterval 6" "$SSHSYNC" apply --no-backup --interval 6 "sshd:$T/bad.sshd"
	lab_sshd "$T/ok.sshd" 22041 && lab_sshd "$T/bad.sshd" 22042 || return
	# ssh configs, keepalive written by apply
	local name port
	for name in ok:22031:4 bad:22032:12 none:22035:0 sshdok:22041:0 sshdbad:22042:0; do
		IFS=: read -r name port iv <<<"$name"
		lab_ssh_config "ka" "$port" "ServerAliveInterval 60" >"$T/$name.cfg"
		"$SSHSYNC" apply --no-backup --interval "${iv/#0/1}" "ssh:$T/$name.cfg" >/dev/null || lab_bad "apply ssh $name"
		[ "$iv" = 0 ] && sed -i 's/ServerAliveInterval .*/ServerAliveInterval 0/' "$T/$name.cfg"
	done
	# PuTTY sessions, keepalive written by apply
	local fp
	fp=$(ssh-keygen -lf "$LAB_HOSTKEY.pub" | awk '{print $2}')
	puttygen "$LAB_KEY" -O private -o "$T/key.ppk" >/dev/null 2>&1 || lab_bad "puttygen cannot convert the key"
	for name in ok:22033:4 bad:22034:12; do
		IFS=: read -r name port iv <<<"$name"
		mkdir -p "$T/home-$name/.putty/sessions"
		printf 'HostName=%s\nPortNumber=%s\nProtocol=ssh\nUserName=root\nPublicKeyFile=%s\nPingInterval=1\nPingIntervalSecs=0\n' \
			"$LAB_SERVER" "$port" "$T/key.ppk" >"$T/home-$name/.putty/sessions/ka"
		lab_check "apply: PuTTY session $name interval $iv" \
			"$SSHSYNC" apply --no-backup --interval "$iv" "putty:$T/home-$name/.putty/sessions"
	done

	lab_router_exec tcpdump -i r1 -n -U -w "$T/cap.pcap" tcp 2>/dev/null &
	local dump=$! i
	for i in $(seq 50); do [ -s "$T/cap.pcap" ] && break; sleep 0.1; done
	local pids=()
	for name in ok bad none sshdok sshdbad; do
		lab_client ssh -F "$T/$name.cfg" -T ka "sleep $IDLE; echo done" </dev/null >"$T/$name.out" 2>"$T/$name.err" &
		pids+=($!)
	done
	for name in ok bad; do
		HOME=$T/home-$name lab_client plink -batch -hostkey "$fp" -load ka "sleep $IDLE; echo done" \
			</dev/null >"$T/plink-$name.out" 2>"$T/plink-$name.err" &
		pids+=($!)
	done
	sleep $((IDLE + 5))
	for i in "${pids[@]}"; do kill "$i" 2>/dev/null; done
	for i in "${pids[@]}"; do wait "$i" 2>/dev/null; done
	sleep 0.5
	kill "$dump"
	wait "$dump"

	judge "ssh ServerAliveInterval 4" 22031 "c>s" \
		"$(audit_field "ssh:$T/ok.cfg" ka period --host ka)" \
		"$(audit_field "ssh:$T/ok.cfg" ka status --host ka)" "$T/ok.out"
	judge "ssh ServerAliveInterval 12" 22032 "c>s" \
		"$(audit_field "ssh:$T/bad.cfg" ka period --host ka)" \
		"$(audit_field "ssh:$T/bad.cfg" ka status --host ka)" "$T/bad.out"
	judge "ssh ServerAliveInterval 0" 22035 "c>s" \
		"$(audit_field "ssh:$T/none.cfg" ka period --host ka)" \
		"$(audit_field "ssh:$T/none.cfg" ka status --host ka)" "$T/none.out"
	judge "sshd ClientAliveInterval 3" 22041 "s>c" \
		"$(audit_field "sshd:$T/ok.sshd" global period)" \
		"$(audit_field "sshd:$T/ok.sshd" global status)" "$T/sshdok.out"
	judge "sshd ClientAliveInterval 6" 22042 "s>c" \
		"$(audit_field "sshd:$T/bad.sshd" global period)" \
		"$(audit_field "sshd:$T/bad.sshd" global status)" "$T/sshdbad.out"
	judge "plink PingInterval 4" 22033 "c>s" \
		"$(audit_field "putty:$T/home-ok/.putty/sessions" ka period)" \
		"$(audit_field "putty:$T/home-ok/.putty/sessions" ka status)" "$T/plink-ok.out"
	judge "plink PingInterval 12" 22034 "c>s" \
		"$(audit_field "putty:$T/home-bad/.putty/sessions" ka period)" \
		"$(audit_field "putty:$T/home-bad/.putty/sessions" ka status)" "$T/plink-bad.out"
	lab_check "audit: sshd ClientAliveInterval 6 has period 12" \
		test "$(audit_field "sshd:$T/bad.sshd" global period)" = 12
}

# A router that answers a forgotten connection with a reset: the idle ssh
# learns it at its next keystroke.
reset_lab() {
	local T=$LAB_OUT
	lab_router reset "$TIMEOUT" || return
	lab_ssh_config ka "$LAB_PORT" "ServerAliveInterval 0" >"$T/none.cfg"
	lab_ssh_config ka "$LAB_PORT" "ServerAliveInterval 4" >"$T/ka.cfg"
	local name pids=()
	for name in none ka; do
		# stdin: silent for the idle time, then a keystroke, then EOF
		lab_client ssh -F "$T/$name.cfg" -T ka "cat >/dev/null; echo done" \
			< <(sleep $((TIMEOUT + 5)); echo key; sleep 3) >"$T/$name.out" 2>"$T/$name.err" &
		pids+=($!)
	done
	wait "${pids[0]}"
	local none=$?
	wait "${pids[1]}"
	local ka=$?
	echo "reset router: no keepalive: exit $none ($(grep -v '^Warning' "$T/none.err" | tr '\n' ' ')); ServerAliveInterval 4: exit $ka"
	lab_check "reset: without keepalive ssh dies at the keystroke (exit 255)" test "$none" = 255
	lab_check "reset: ... and never sees the server's answer" test ! -s "$T/none.out"
	lab_check "reset: with ServerAliveInterval 4 the session lives (exit 0)" test "$ka" = 0
	lab_check "reset: ... and the server answers" grep -qx done "$T/ka.out"
}

lab_spawn wire wire_lab
lab_spawn reset reset_lab
lab_collect
finish
