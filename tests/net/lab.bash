# The network lab: three network namespaces the test creates and removes.
#
#   client (c0 10.77.1.2) -- (r0 10.77.1.1) router (r1 10.77.2.1) -- (s0 10.77.2.2) server
#
# The router forwards and masquerades what leaves r1 (nftables), with its own
# nf_conntrack_tcp_timeout_established; the server runs its own sshd on a
# high port (a throwaway host key and config, root login with the lab's own
# key). Nothing of the machine's own network, /etc/ssh or ~/.ssh is touched:
# every address lives on veth pairs created inside the lab's namespaces,
# which `lab_down` deletes (it is also run on exit, whatever happens).
#
#   lab_can_run                   why the lab cannot run here (prints, returns 1)
#   lab_up DIR                    builds the lab; DIR is a private scratch folder
#   lab_router MODE TIMEOUT       drop | reset | loose, and the conntrack timeout
#   lab_client CMD...             runs CMD in the client's namespace
#   lab_router_exec CMD...        ... in the router's
#   lab_down                      removes everything (idempotent)
#
# After lab_up: $LAB_SSH_CONFIG is an ssh_config whose host "lab" is the
# server (root, the lab key, no known_hosts), $LAB_KEY the private key,
# $LAB_HOSTKEY the server's host key, $LAB_SERVER the server's address and
# $LAB_PORT its port.
LAB_SSHD=${SSHD:-/usr/sbin/sshd}
LAB_PORT=22022
LAB_SFTP_PORT=22023
LAB_SERVER=10.77.2.2
LAB_NS=()

lab_can_run() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "not root: the lab needs network namespaces"
		return 1
	fi
	local t
	for t in ip nft ssh ssh-keygen; do
		command -v "$t" >/dev/null || {
			echo "no $t (scripts/install-deps installs iproute2, nftables, openssh-client)"
			return 1
		}
	done
	[ -x "$LAB_SSHD" ] || {
		echo "no $LAB_SSHD (scripts/install-deps installs openssh-server)"
		return 1
	}
	local probe=sshsync-labcheck-$$-$RANDOM
	if ! ip netns add "$probe" 2>/dev/null; then
		echo "cannot create a network namespace (ip netns add fails: no CAP_SYS_ADMIN?)"
		return 1
	fi
	local why=""
	if ! ip netns exec "$probe" nft -f - 2>/dev/null <<-'NFT'; then
		table ip check {
			chain c { type filter hook forward priority 0; ct state invalid drop; }
		}
	NFT
		why="nftables cannot load a conntrack rule (no nf_tables or nf_conntrack module)"
	elif ! ip netns exec "$probe" test -w /proc/sys/net/netfilter/nf_conntrack_tcp_timeout_established; then
		why="no per-namespace nf_conntrack_tcp_timeout_established (nf_conntrack not loaded)"
	fi
	ip netns del "$probe"
	if [ -n "$why" ]; then
		echo "$why"
		return 1
	fi
	return 0
}

lab_down() {
	local ns pid
	for ns in "${LAB_NS[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$pid" 2>/dev/null
		done
	done
	for ns in "${LAB_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	LAB_NS=()
}

lab_client() { ip netns exec "$LAB_C" "$@"; }
lab_router_exec() { ip netns exec "$LAB_R" "$@"; }
lab_server_exec() { ip netns exec "$LAB_S" "$@"; }

# lab_router MODE TIMEOUT: how the router treats a connection it forgot.
#   drop   silently (loose conntrack off: a late packet is invalid, dropped)
#   reset  answers the packet with a TCP reset (each side learns at its next send)
#   loose  Linux's default nf_conntrack_tcp_loose=1: a packet from the client
#          re-creates the mapping; one from the server is dropped
lab_router() {
	local mode=$1 timeout=$2 loose=0 invalid="drop"
	case $mode in
	drop) ;;
	reset) invalid="reject with tcp reset" ;;
	loose) loose=1 ;;
	*)
		echo "lab_router: unknown mode $mode" >&2
		return 1
		;;
	esac
	lab_router_exec sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_established="$timeout" \
		net.netfilter.nf_conntrack_tcp_loose="$loose" || return 1
	lab_router_exec nft -f - <<-NFT
		flush ruleset
		table ip lab {
			chain postrouting {
				type nat hook postrouting priority 100;
				oifname "r1" masquerade
			}
			chain forwarding {
				type filter hook forward priority 0;
				ct state invalid meta l4proto tcp $invalid
			}
			chain incoming {
				type filter hook input priority 0;
				iifname "r1" ct state invalid meta l4proto tcp $invalid
				iifname "r1" meta l4proto tcp drop
			}
		}
	NFT
}

lab_up() {
	local dir=$1 tag
	tag=sshsync-$$-$RANDOM
	LAB_C=$tag-c LAB_R=$tag-r LAB_S=$tag-s
	LAB_DIR=$dir
	local ns
	for ns in "$LAB_C" "$LAB_R" "$LAB_S"; do
		ip netns add "$ns" || return 1
		LAB_NS+=("$ns")
		ip -n "$ns" link set lo up || return 1
	done
	ip -n "$LAB_C" link add c0 type veth peer name r0 netns "$LAB_R" &&
		ip -n "$LAB_R" link add r1 type veth peer name s0 netns "$LAB_S" &&
		ip -n "$LAB_C" addr add 10.77.1.2/24 dev c0 &&
		ip -n "$LAB_R" addr add 10.77.1.1/24 dev r0 &&
		ip -n "$LAB_R" addr add 10.77.2.1/24 dev r1 &&
		ip -n "$LAB_S" addr add "$LAB_SERVER/24" dev s0 &&
		ip -n "$LAB_C" link set c0 up &&
		ip -n "$LAB_R" link set r0 up &&
		ip -n "$LAB_R" link set r1 up &&
		ip -n "$LAB_S" link set s0 up &&
		ip -n "$LAB_C" route add default via 10.77.1.1 &&
		ip -n "$LAB_S" route add default via 10.77.2.1 &&
		lab_router_exec sysctl -qw net.ipv4.ip_forward=1 || return 1
	# until the test sets its own: a long timeout
	lab_router drop 432000 || return 1

	ssh-keygen -q -t ed25519 -N '' -C lab-host -f "$dir/hostkey" &&
		ssh-keygen -q -t ed25519 -N '' -C lab-user -f "$dir/key" &&
		cp "$dir/key.pub" "$dir/authorized_keys" && chmod 600 "$dir/authorized_keys" || return 1
	LAB_KEY=$dir/key LAB_HOSTKEY=$dir/hostkey
	mkdir -p -m 0755 /run/sshd || return 1
	# The lab's sshd: a shell on $LAB_PORT, none on $LAB_SFTP_PORT
	# (ForceCommand internal-sftp: an sftp-only account).
	lab_sshd_config "$dir/sshd_config" "$LAB_PORT $LAB_SFTP_PORT" \
		"Match LocalPort $LAB_SFTP_PORT" "  ForceCommand internal-sftp"
	lab_sshd "$dir/sshd_config" "$LAB_PORT" || return 1
	LAB_SSH_CONFIG=$dir/ssh_config
	lab_ssh_config lab "$LAB_PORT" >"$LAB_SSH_CONFIG"
	lab_ssh_config lab-sftp "$LAB_SFTP_PORT" >>"$LAB_SSH_CONFIG"
}

# lab_ssh_config NAME PORT [LINES...]: a Host block for the server's PORT.
lab_ssh_config() {
	local name=$1 port=$2
	shift 2
	printf 'Host %s\n  HostName %s\n  Port %s\n  User root\n' "$name" "$LAB_SERVER" "$port"
	printf '  IdentityFile %s\n  IdentitiesOnly yes\n' "$LAB_KEY"
	printf '  UserKnownHostsFile /dev/null\n  GlobalKnownHostsFile /dev/null\n'
	printf '  StrictHostKeyChecking no\n  LogLevel ERROR\n  BatchMode yes\n'
	[ $# -gt 0 ] && printf '  %s\n' "$@"
	return 0
}

# lab_sshd CONFIG PORT: starts another sshd in the server's namespace (its
# config from lab_sshd_config) and waits until it answers on PORT.
lab_sshd() {
	local config=$1 port=$2 i
	lab_server_exec "$LAB_SSHD" -f "$config" -E "$config.log" || return 1
	for i in $(seq 50); do
		lab_client ssh -p "$port" -i "$LAB_KEY" -o IdentitiesOnly=yes \
			-o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null \
			-o StrictHostKeyChecking=no -o BatchMode=yes -o LogLevel=ERROR \
			-F /dev/null "root@$LAB_SERVER" true 2>/dev/null && return 0
		sleep 0.1
	done
	echo "lab: sshd on port $port does not answer: $(cat "$config.log")" >&2
	return 1
}

# lab_sshd_config FILE "PORT..." [LINES...]: a config for a server sshd on
# the PORTs (LINES added at the end); nothing of the machine's /etc/ssh is
# read.
lab_sshd_config() {
	local f=$1 ports=$2 p
	shift 2
	{
		for p in $ports; do printf 'Port %s\n' "$p"; done
		printf 'ListenAddress %s\nHostKey %s\n' "$LAB_SERVER" "$LAB_HOSTKEY"
		printf 'AuthorizedKeysFile %s\nPermitRootLogin prohibit-password\n' "$LAB_DIR/authorized_keys"
		printf 'StrictModes no\nUsePAM no\nPidFile none\nLogLevel INFO\n'
		printf 'Subsystem sftp internal-sftp\n'
		printf '%s\n' "$@"
	} >"$f"
}

# --- scenarios in parallel -------------------------------------------------
# lab_spawn NAME FUNCTION ARGS...: runs FUNCTION ARGS in the background in a
# lab of its own (built in $scratch/NAME, removed when it ends, also when it
# is killed). What it prints goes to $scratch/NAME.log; its lines "ok: ..."
# and "FAIL: ..." are counted by lab_collect. The scenario sees the lab's
# variables and LAB_OUT (its folder).
LAB_PIDS=()
LAB_NAMES=()
lab_spawn() {
	local name=$1
	shift
	mkdir -p "$scratch/$name"
	(
		trap 'lab_down' EXIT
		trap 'exit 143' TERM INT HUP
		LAB_OUT=$scratch/$name
		if ! lab_up "$LAB_OUT"; then
			echo "FAIL: $name: cannot build the lab"
			exit 1
		fi
		"$@"
	) >"$scratch/$name.log" 2>&1 &
	LAB_PIDS+=($!)
	LAB_NAMES+=("$name")
}
# Ends every scenario still running (their labs go with them).
lab_kill_all() {
	local p
	for p in "${LAB_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${LAB_PIDS[@]}"; do wait "$p" 2>/dev/null; done
}
# lab_collect: waits for every scenario, shows its log, counts its checks.
lab_collect() {
	local i line
	for i in "${!LAB_PIDS[@]}"; do
		wait "${LAB_PIDS[$i]}"
		echo "--- ${LAB_NAMES[$i]}"
		cat "$scratch/${LAB_NAMES[$i]}.log"
		while IFS= read -r line; do
			case $line in
			ok:*) pass ;;
			FAIL:*) failed=$((failed + 1)) ;;
			esac
		done <"$scratch/${LAB_NAMES[$i]}.log"
	done
	LAB_PIDS=()
	LAB_NAMES=()
}
lab_ok() { echo "ok: $*"; }
lab_bad() { echo "FAIL: $*"; }
# lab_check "what" command...: ok when the command succeeds.
lab_check() {
	local what=$1
	shift
	if "$@"; then lab_ok "$what"; else lab_bad "$what"; fi
}
# lab_begin: skips the test (exit 77, with the reason) where the lab cannot
# run; ends the scenarios when the test itself is killed.
lab_begin() {
	local why
	if ! why=$(lab_can_run); then
		echo "SKIP: $why"
		exit 77
	fi
	trap 'lab_kill_all; rm -rf "$scratch"' EXIT
	trap 'exit 143' TERM INT HUP
}
