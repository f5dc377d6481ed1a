# The offline differential oracle of a migration (MIGRATION.md, "Oracles"):
# OpenSSH's ssh and PuTTY's plink each reach the same throw-away `sshd -i`
# (no listening socket: the server is the client's proxy command, run from
# the session's own ProxyCommand / ProxyMethod=5, or reached through a jump
# session that has one), and what each client really asked for is read
# back from sshd's DEBUG3 log, a ForceCommand dump and the client's -v
# output (oracle_obs.py normalizes it). Same observations = same session.
#
# Source it after scratch.bash (it needs $work and $PY), then:
#   oracle_need                  exits 77 when sshd, ssh, plink or puttygen is missing
#   oracle_init                  keys, sshd_config, proxy script, empty agent in $O
#   oracle_ssh CFG ALIAS RUNDIR  one ssh connection; observations in RUNDIR/obs
#   oracle_plink DIR NAME RUNDIR one plink -load NAME with PUTTYDIR=DIR
#   oracle_fini                  stops the agent (the scratch trap removes $work)
# Every generated config names the proxy as "$O/proxy %h %p" (ssh) or
# "$O/proxy %host %port" (PuTTY); ORACLE_LIB is this folder.
ORACLE_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SSHD=${SSHD:-/usr/sbin/sshd}

oracle_need() {
	local p
	for p in "$SSHD" ssh ssh-keygen ssh-agent plink puttygen script; do
		if ! command -v "$p" >/dev/null 2>&1; then
			echo "skipped: $p is not installed (Debian: openssh-server, openssh-client, putty-tools, util-linux)"
			exit 77
		fi
	done
}

# $O: the oracle's folder. User keys: ka (ed25519) and kb (ecdsa) are
# authorized for root, kc (ed25519) is not; each also as .ppk.
oracle_init() {
	O=$work/oracle
	mkdir -p "$O/authk" || return 1
	chmod 755 "$work" "$O"
	ssh-keygen -q -t ed25519 -N '' -C oracle-host -f "$O/hk" || return 1
	local k t
	for k in ka:ed25519 kb:ecdsa kc:ed25519; do
		t=${k#*:} k=${k%%:*}
		ssh-keygen -q -t "$t" -N '' -C "oracle-$k" -f "$O/$k" || return 1
		puttygen "$O/$k" -o "$O/$k.ppk" || return 1
	done
	cat "$O/ka.pub" "$O/kb.pub" >"$O/authk/root"
	cat >"$O/sshd_config" <<EOF
HostKey $O/hk
AuthorizedKeysFile $O/authk/%u
StrictModes no
LogLevel DEBUG3
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowTcpForwarding yes
X11Forwarding yes
PermitTTY yes
AcceptEnv *
PidFile none
EOF
	# sshd -i refuses to start without its privilege separation folder,
	# which lives on a tmpfs (Debian's ssh.service makes it at boot): then
	# every client run fails alike and the oracle would "agree". Made here
	# when we can, and sshd -t must accept the config before any run.
	[ -d /run/sshd ] || [ "$(id -u)" != 0 ] || mkdir -p -m 0755 /run/sshd
	if ! "$SSHD" -t -f "$O/sshd_config" >"$O/sshd-t.err" 2>&1; then
		echo "the oracle's sshd cannot run: $(cat "$O/sshd-t.err")" >&2
		return 1
	fi
	# The proxy: says which host and port the client asked for, then is
	# the server. ORACLE_RUN (the run's folder) comes from the client's
	# environment, which both clients pass to their proxy command, and so
	# may ORACLE_SSHD_CONFIG (another sshd_config, e.g. another host key).
	cat >"$O/proxy" <<EOF
#!/bin/sh
printf '%s %s\n' "\$1" "\$2" >>"\$ORACLE_RUN/proxy.log"
exec $SSHD -i -f "\${ORACLE_SSHD_CONFIG:-$O/sshd_config}" -E "\$ORACLE_RUN/sshd.log" -o "ForceCommand=$O/dump \$ORACLE_RUN"
EOF
	# What the session got: the command, whether it has a terminal, TERM.
	cat >"$O/dump" <<'EOF'
#!/bin/sh
{
	printf 'cmd=%s\n' "${SSH_ORIGINAL_COMMAND-}"
	if tty -s; then echo tty=yes; else echo tty=no; fi
	printf 'term=%s\n' "${TERM-}"
} >"$1/dump.$$"
EOF
	chmod 755 "$O/proxy" "$O/dump"
	echo "* $(cut -d' ' -f1,2 "$O/hk.pub")" >"$O/known_hosts"
	ORACLE_HOSTKEY_FP=$(ssh-keygen -l -f "$O/hk.pub" | cut -d' ' -f2)
	# An empty agent: agent forwarding is requested only when one runs.
	ORACLE_AGENT_PID=
	local out
	out=$(ssh-agent -s -a "$O/agent.sock") || return 1
	ORACLE_AGENT_PID=$(printf '%s\n' "$out" | sed -n 's/^SSH_AGENT_PID=\([0-9]*\);.*/\1/p')
	[ -n "$ORACLE_AGENT_PID" ]
}

oracle_fini() {
	[ -n "${ORACLE_AGENT_PID:-}" ] && kill "$ORACLE_AGENT_PID" 2>/dev/null
	ORACLE_AGENT_PID=
}

# The clients run with a terminal on stdin (as a user runs them: script(1)),
# DISPLAY set (X11 forwarding is requested only then), TERM=xterm (PuTTY's
# default terminal type, which ssh takes from the environment) and the
# empty agent.
_oracle_client() {
	local run=$1
	shift
	local q
	q=$(printf '%q ' "$@")
	env ORACLE_RUN="$run" DISPLAY=localhost:99.0 TERM=xterm SSH_AUTH_SOCK="$O/agent.sock" \
		timeout 20 script -qec "$q >$(printf %q "$run/client.out") 2>$(printf %q "$run/client.err")" \
		/dev/null </dev/null >/dev/null 2>&1
	echo $? >"$run/rc"
}

oracle_ssh() {
	local cfg=$1 alias=$2 run=$3
	rm -rf "$run" && mkdir -p "$run" || return 1
	# The test's own settings come first (first value wins) in a config
	# that includes the one under test: ssh passes -F, not -o, on to the
	# ssh of a ProxyJump hop. The IdentityFile that does not exist keeps
	# ssh from trying the default keys of the real ~/.ssh (ssh takes the
	# home folder from the password database, not from $HOME).
	cat >"$run/ssh_config" <<EOF || return 1
UserKnownHostsFile $O/known_hosts
GlobalKnownHostsFile /dev/null
StrictHostKeyChecking yes
BatchMode yes
IdentityFile $O/no-default-keys
Include $cfg
EOF
	_oracle_client "$run" ssh -v -F "$run/ssh_config" "$alias"
	"$PY" "$ORACLE_LIB/oracle_obs.py" obs ssh "$run" >"$run/obs"
}

# plink trusts the test host key through its own cache: one sshhostkeys
# line per host name and port the sessions can reach (hops included).
oracle_plink() {
	local dir=$1 name=$2 run=$3
	rm -rf "$run" && mkdir -p "$run" || return 1
	"$PY" "$ORACLE_LIB/oracle_obs.py" hostkeys "$dir" "$O/hk.pub" >"$dir/sshhostkeys" || return 1
	PUTTYDIR=$dir _oracle_client "$run" plink -batch -v -load "$name"
	"$PY" "$ORACLE_LIB/oracle_obs.py" obs plink "$run" >"$run/obs"
}
