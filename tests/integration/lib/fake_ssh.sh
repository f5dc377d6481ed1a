#!/bin/sh
# A stand-in for ssh behind a router, for `sshsync probe` without a network
# (tests/integration/probe_fake.sh). A shell script: cheap to start on a
# busy machine. The "router" forgets a connection idle for FAKE_TAU seconds
# or more (it survives when the idle time is shorter) and then does as
# FAKE_MODE says:
#   drop   nothing ever arrives, even after the client writes
#   reset  ssh ends (exit 255) when the client writes
#   late   the server's words arrive once the client has written
# FAKE_KEEPALIVE=K: the server sends a keepalive every K s (logged as ssh -v
# logs it), which keeps the path open. FAKE_NOSHELL=1: the server runs no
# command. FAKE_ERROR=MESSAGE: ssh fails at once with MESSAGE (exit 255).
# FAKE_JUMP: the ProxyJump that ssh -G shows. Each run's arguments are
# appended to FAKE_LOG.
[ -n "${FAKE_LOG:-}" ] && printf '%s\n' "$*" >>"$FAKE_LOG"
tau=${FAKE_TAU:-5} mode=${FAKE_MODE:-drop} ka=${FAKE_KEEPALIVE:-0}
client_first="" sai=0
for a; do
	case $a in
	-G)
		printf 'hostname fake.example\nport 22\nproxyjump %s\n' "${FAKE_JUMP:-none}"
		exit 0
		;;
	-N) client_first=1 ;;
	ServerAliveInterval=*) sai=${a#*=} ;;
	esac
done
if [ -n "${FAKE_ERROR:-}" ]; then
	printf 'OpenSSH_9.2p1 fake\ndebug1: Reading configuration data\n%s\n' "$FAKE_ERROR" >&2
	exit 255
fi
echo 'debug1: Authentication succeeded (publickey).' >&2
echo 'Authenticated to fake.example ([192.0.2.1]:22) using "publickey".' >&2
if [ -n "$client_first" ]; then
	# ssh's own keepalive after $sai idle seconds must be answered
	if [ "$sai" -lt "$tau" ] || [ "$ka" -gt 0 ]; then
		exec sleep 3600
	fi
	if [ "$mode" = reset ]; then
		sleep "$sai"
		echo "Connection reset by peer" >&2
		exit 255
	fi
	sleep $((2 * sai))
	echo "Timeout, server fake.example not responding." >&2
	exit 255
fi
if [ -n "${FAKE_NOSHELL:-}" ]; then
	echo "This service allows sftp connections only."
	exit 1
fi
eval "cmd=\${$#}"
t=${cmd#*sleep }
t=${t%%;*}
echo R
if [ "$ka" -gt 0 ]; then
	(
		while sleep "$ka"; do
			echo "debug1: client_input_channel_req: channel 0 rtype keepalive@openssh.com reply 1" >&2
		done
	) &
	keeper=$!
	sleep "$t"
	kill "$keeper"
else
	sleep "$t"
fi
if [ "$t" -lt "$tau" ] || { [ "$ka" -gt 0 ] && [ "$ka" -lt "$tau" ]; }; then
	echo A
	exit 0
fi
read -r _
case $mode in
reset)
	echo "client_loop: send disconnect: Broken pipe" >&2
	exit 255
	;;
late)
	sleep 0.5
	echo A
	exit 0
	;;
esac
exec sleep 3600
