#!/bin/bash
# The real sshd as a test oracle (FORMATS.md, "Oracles on this machine").
#
#   sshd-oracle.sh key DIR            makes DIR/hostkey (owned by the user that runs
#                                     sshd) and prints its path
#   sshd-oracle.sh T KEY JOBS         JOBS holds "CONFIG SPEC" lines; prints one line
#                                     "CONFIG SPEC RESULT" per job, in any order, where
#                                     RESULT is "INTERVAL COUNTMAX TCPKEEPALIVE" or
#                                     "error LINE" (the first line sshd printed)
#   sshd-oracle.sh t KEY CONFIG       sshd -t on CONFIG: exit 0 when sshd accepts it
#
# As root sshd runs as `nobody` (no /run/sshd needed; setpriv rather than runuser); otherwise as the caller.
# Two jobs run at a time (two shells, each taking every second job): one sshd -T
# takes 20-50 ms.
set -u

as_sshd() {
	if [ "$(id -u)" -eq 0 ]; then
		# setpriv opens no PAM session: half the cost of runuser
		setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups -- "$@"
	else
		"$@"
	fi
}

one_T() {
	local key=$1 config=$2 spec=$3 out line iv='' cm='' tk=''
	if out=$(as_sshd /usr/sbin/sshd -T -f "$config" -h "$key" -C "$spec" 2>&1); then
		while IFS= read -r line; do
			case $line in
			'clientaliveinterval '*) iv=${line#* } ;;
			'clientalivecountmax '*) cm=${line#* } ;;
			'tcpkeepalive '*) tk=${line#* } ;;
			esac
		done <<<"$out"
		printf '%s %s %s %s %s\n' "$config" "$spec" "$iv" "$cm" "$tk"
	else
		printf '%s %s error %s\n' "$config" "$spec" "${out%%$'\n'*}"
	fi
}

# Runs every second job of JOBS, starting with job $3 (0 or 1).
half() {
	local key=$1 jobs=$2 start=$3 n=0 config spec
	while read -r config spec; do
		if [ $((n++ % 2)) -eq "$start" ]; then
			one_T "$key" "$config" "$spec"
		fi
	done <"$jobs"
}

case "${1:-}" in
key)
	dir=$2
	rm -f "$dir/hostkey" "$dir/hostkey.pub"
	ssh-keygen -q -t ed25519 -N '' -C sshsync-test -f "$dir/hostkey" || exit 2
	if [ "$(id -u)" -eq 0 ]; then
		chown nobody "$dir/hostkey" "$dir/hostkey.pub" || exit 2
		chmod 755 "$dir"
	fi
	echo "$dir/hostkey"
	;;
T)
	key=$2 jobs=$3
	half "$key" "$jobs" 0 &
	half "$key" "$jobs" 1
	wait
	;;
t)
	key=$2 config=$3
	as_sshd /usr/sbin/sshd -t -f "$config" -h "$key"
	;;
*)
	echo "usage: sshd-oracle.sh key DIR | T KEY JOBS | t KEY CONFIG" >&2
	exit 2
	;;
esac
