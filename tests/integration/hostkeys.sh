#!/bin/bash
# Host keys carried between known_hosts and PuTTY's cache (hostkeys.h),
# checked with the real programs, for every host key type OpenSSH and
# PuTTY share (ed25519, ecdsa p256/p384/p521, rsa):
#  - known_hosts -> sshhostkeys: plink -batch, whose throw-away sshd -i
#    has that host key, connects (and without the entry refuses: "not
#    cached"), for a plain name, [host]:port, a hashed name, and a wildcard
#    pattern (as SSHManualHostKeys of the session);
#  - sshhostkeys written by plink itself (told "y") -> known_hosts:
#    ssh -o StrictHostKeyChecking=yes connects, ssh-keygen -F finds the
#    host, also after ssh-keygen -H, and prints plink's fingerprint;
#  - @cert-authority -> a PuTTY host CA: plink accepts a host certificate
#    signed by it, for a host its Validity names, and not for another.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/scratch.bash"
. "$HERE/lib/oracle.bash"
oracle_need
tool=${SSHSYNC_TOOLS:?the folder of the test tools}/hostkeys_tool
trap 'oracle_fini; rm -rf "$work"' EXIT
oracle_init || exit 1

# A PuTTY folder with one session reaching the oracle's sshd (whose config
# is $1) as HOST PORT.
putty_dir() {
	local dir=$1 cfg=$2 host=$3 port=$4
	rm -rf "$dir"
	mkdir -p "$dir/sessions"
	cat >"$dir/sessions/s" <<EOF
HostName=$host
Protocol=ssh
PortNumber=$port
UserName=root
PublicKeyFile=$O/ka.ppk
ProxyMethod=5
ProxyTelnetCommand=env ORACLE_SSHD_CONFIG=$cfg $O/proxy %host %port
EOF
}

# plink_run DIR: 0 when plink -batch got a session (the host key accepted).
plink_run() {
	local run=$work/run.$RANDOM
	mkdir -p "$run"
	PUTTYDIR=$1 ORACLE_RUN=$run timeout 20 plink -batch -load s </dev/null >"$run/out" 2>"$run/err"
	local rc=$?
	cp "$run/err" "$work/last.err"
	rm -rf "$run"
	return $rc
}

ssh_run() {
	local kh=$1 host=$2 port=$3 cfg=$4 run=$work/run.$RANDOM
	mkdir -p "$run"
	ORACLE_RUN=$run ORACLE_SSHD_CONFIG=$cfg timeout 20 ssh -F /dev/null -o BatchMode=yes \
		-o StrictHostKeyChecking=yes -o UserKnownHostsFile="$kh" -o GlobalKnownHostsFile=/dev/null \
		-o IdentityFile="$O/ka" -o IdentitiesOnly=yes -o User=root -p "$port" \
		-o ProxyCommand="$O/proxy %h %p" "$host" true </dev/null >"$run/out" 2>"$run/err"
	local rc=$?
	cp "$run/err" "$work/last.err"
	rm -rf "$run"
	return $rc
}

check() {
	local what=$1
	shift
	if "$@"; then ok; else bad "$what: $(tail -n 3 "$work/last.err" 2>/dev/null)"; fi
}
refuse() {
	local what=$1
	shift
	if "$@"; then bad "$what: accepted"; else ok; fi
}

for kt in ed25519 ecdsa:256 ecdsa:521 rsa:2048; do
	t=${kt%%:*} bits=${kt#*:}
	[ "$bits" = "$kt" ] && bits=
	name=$t$bits
	hk=$work/hk_$name
	ssh-keygen -q -t "$t" ${bits:+-b "$bits"} -N '' -f "$hk" || exit 1
	cfg=$work/sshd_$name
	sed "s|^HostKey .*|HostKey $hk|" "$O/sshd_config" >"$cfg"
	pub=$(cut -d' ' -f1,2 "$hk.pub")

	# known_hosts -> PuTTY
	for form in plain port hashed; do
		case $form in
		plain) host=web.example.com port=22 ;;
		*) host=web.example.com port=2222 ;;
		esac
		kh=$work/kh_${name}_$form
		if [ $port = 22 ]; then echo "$host,10.0.0.1 $pub" >"$kh"; else echo "[$host]:$port $pub" >"$kh"; fi
		[ $form = hashed ] && { ssh-keygen -q -H -f "$kh" >/dev/null 2>&1 || exit 1; }
		pd=$work/p_${name}_$form
		putty_dir "$pd" "$cfg" "$host" "$port"
		if [ "$name" = ed25519 ]; then
			refuse "$name $form: plink without the key" plink_run "$pd"
			grep -q "not cached\|Cannot confirm a host key" "$work/last.err" && ok ||
				bad "$name $form: plink did not refuse for want of a cached key"
		fi
		"$tool" to-putty "$kh" "$host:$port:s" >"$pd/sshhostkeys" 2>"$work/notes" || bad "$name $form: tool failed"
		check "$name $form: plink accepts the converted key" plink_run "$pd"
		[ $form = plain ] && { grep -q "10.0.0.1: an address" "$work/notes" && ok || bad "$name: the IP alias is not noted"; }
	done

	# a wildcard pattern -> SSHManualHostKeys of the session
	kh=$work/kh_${name}_wild
	echo "*.example.com,!bad.example.com $pub" >"$kh"
	pd=$work/p_${name}_wild
	putty_dir "$pd" "$cfg" web.example.com 22
	"$tool" to-putty "$kh" web.example.com:22:s bad.example.com:22:bad >"$work/out" 2>"$work/notes" || bad "$name wildcard: tool failed"
	manual=$(sed -n 's/^manual s //p' "$work/out")
	[ -n "$manual" ] && ok || bad "$name wildcard: no manual key for s"
	grep -q "^manual bad " "$work/out" && bad "$name wildcard: the negated host got the key" || ok
	echo "SSHManualHostKeys=$manual" >>"$pd/sessions/s"
	check "$name wildcard: plink accepts SSHManualHostKeys" plink_run "$pd"

	# PuTTY -> known_hosts: plink stores the key itself when told "y"
	pd=$work/p_${name}_store
	putty_dir "$pd" "$cfg" db.test 2200
	printf 'y\n' | PUTTYDIR=$pd ORACLE_RUN=$work timeout 20 plink -load s >/dev/null 2>&1
	if [ -s "$pd/sshhostkeys" ]; then ok; else bad "$name: plink stored no key"; continue; fi
	kh=$work/kh_${name}_back
	"$tool" to-known-hosts "$pd/sshhostkeys" >"$kh" 2>"$work/notes" || bad "$name back: tool failed"
	if cmp -s <(cut -d' ' -f2,3 "$kh") <(echo "$pub"); then ok; else bad "$name back: $(cat "$kh") is not the .pub key"; fi
	check "$name back: ssh accepts it" ssh_run "$kh" db.test 2200 "$cfg"
	ssh-keygen -F '[db.test]:2200' -f "$kh" >/dev/null && ok || bad "$name back: ssh-keygen -F does not find it"
	fp_ssh=$(ssh-keygen -l -f "$kh" | cut -d' ' -f2)
	fp_putty=$(PUTTYDIR=$pd ORACLE_RUN=$work timeout 20 plink -batch -v -load s </dev/null 2>&1 | grep -o 'SHA256:[^ ]*' | head -n1)
	[ -n "$fp_ssh" ] && [ "$fp_ssh" = "$fp_putty" ] && ok || bad "$name back: fingerprints $fp_ssh / $fp_putty"
	ssh-keygen -q -H -f "$kh" >/dev/null 2>&1
	check "$name back, hashed: ssh accepts it" ssh_run "$kh" db.test 2200 "$cfg"
	refuse "$name back: ssh refuses another host" ssh_run "$kh" other.test 2200 "$cfg"
done

# @cert-authority -> a host CA of PuTTY 0.78
ssh-keygen -q -t ed25519 -N '' -f "$work/ca" || exit 1
ssh-keygen -q -t ed25519 -N '' -f "$work/hkc" || exit 1
ssh-keygen -q -s "$work/ca" -h -I web -n web.example.com,other.test "$work/hkc.pub" || exit 1
cfg=$work/sshd_cert
{
	sed "s|^HostKey .*|HostKey $work/hkc|" "$O/sshd_config"
	echo "HostCertificate $work/hkc-cert.pub"
} >"$cfg"
echo "@cert-authority *.example.com,!bad.example.com $(cut -d' ' -f1,2 "$work/ca.pub")" >"$work/kh_ca"
"$tool" to-putty "$work/kh_ca" >"$work/out" 2>"$work/notes" || bad "ca: tool failed"
ca=$(sed -n 's/^ca //p' "$work/out")
[ -n "$ca" ] && ok || bad "ca: no host CA"
for h in web.example.com other.test; do
	pd=$work/p_ca_$h
	putty_dir "$pd" "$cfg" $h 22
	mkdir -p "$pd/sshhostcas"
	sed -n '/^ca /,$p' "$work/out" | sed 1d >"$pd/sshhostcas/$ca"
done
check "ca: plink accepts a certificate of a host the CA covers" plink_run "$work/p_ca_web.example.com"
refuse "ca: plink refuses one the Validity leaves out" plink_run "$work/p_ca_other.test"
ssh_ca() { ssh_run "$work/kh_ca" "$1" 22 "$cfg"; }
check "ca: ssh accepts the same certificate" ssh_ca web.example.com

finish
