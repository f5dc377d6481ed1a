#!/bin/bash
# Private keys converted through puttygen (keyconv.h, for migrate --keys):
#  - OpenSSH ed25519 / ecdsa / rsa keys, plain and encrypted, and a PEM RSA
#    key become .ppk (v3, and v2 on request): `puttygen -l` of the .ppk
#    gives the SHA256 that `ssh-keygen -l` gives for the source, and an
#    encrypted key stays encrypted with its passphrase;
#  - a .ppk becomes an OpenSSH key and .pub: ssh-keygen -l and -y agree
#    with puttygen -l;
#  - converting again reuses the file; a file holding another key is an
#    error and is left as it was; a missing puttygen names the package;
#    an encrypted key without a passphrase file is an error;
#  - the passphrase is never on a command line (strace of every execve).
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/scratch.bash"
tool=${SSHSYNC_TOOLS:?the folder of the test tools}/keyconv_tool
for p in puttygen ssh-keygen; do
	command -v $p >/dev/null || {
		echo "skipped: $p is not installed (Debian: putty-tools, openssh-client)"
		exit 77
	}
done
src=$work/src out=$work/out
mkdir -p "$src" "$out"
printf 'correct horse' >"$work/pass"
chmod 600 "$work/pass"

fp_ssh() { ssh-keygen -l -E sha256 -f "$1" | cut -d' ' -f2; }
fp_putty() { puttygen -l -E sha256 "$1" | grep -o 'SHA256:[^ ]*'; }

for spec in ed25519 ecdsa rsa rsa:enc pem:enc; do
	t=${spec%%:*} enc=${spec#*:}
	[ "$enc" = "$spec" ] && enc=
	name=id_$t${enc:+_enc}
	pw=()
	[ -n "$enc" ] && pw=(--passphrase-file "$work/pass")
	if [ "$t" = pem ]; then
		ssh-keygen -q -t rsa -b 2048 -m PEM -N 'correct horse' -f "$src/$name" || exit 1
	else
		kpass=
		[ -n "$enc" ] && kpass='correct horse'
		ssh-keygen -q -t "$t" -N "$kpass" -f "$src/$name" || exit 1
	fi
	want=$(fp_ssh "$src/$name.pub")
	got=$("$tool" convert "$out" "$src/$name" "${pw[@]}") || { bad "$name: convert failed"; continue; }
	[ "$got" = "$out/$name.ppk" ] && ok || bad "$name: wrote '$got'"
	[ "$(fp_putty "$out/$name.ppk")" = "$want" ] && ok || bad "$name: .ppk fingerprint differs"
	head -n1 "$out/$name.ppk" | grep -q 'PuTTY-User-Key-File-3' && ok || bad "$name: not PPK v3"
	if [ -n "$enc" ]; then
		grep -q '^Encryption: aes256-cbc' "$out/$name.ppk" && ok || bad "$name: the .ppk lost its passphrase"
		puttygen "$out/$name.ppk" --old-passphrase "$work/pass" -O public-openssh -o /dev/stdout >/dev/null 2>&1 && ok ||
			bad "$name: the .ppk does not open with the passphrase"
	else
		grep -q '^Encryption: none' "$out/$name.ppk" && ok || bad "$name: the .ppk is encrypted"
	fi
	[ "$(stat -c %a "$out/$name.ppk")" = 600 ] && ok || bad "$name: .ppk mode $(stat -c %a "$out/$name.ppk")"
	# again: the same key is reused, nothing is written
	before=$(stat -c %Y.%i "$out/$name.ppk")
	again=$("$tool" convert "$out" "$src/$name" "${pw[@]}") || bad "$name: second convert failed"
	[ "$again" = "$out/$name.ppk reused" ] && [ "$before" = "$(stat -c %Y.%i "$out/$name.ppk")" ] && ok ||
		bad "$name: second convert: '$again'"
done

# v2 for old clients
"$tool" convert "$work/v2" "$src/id_ed25519" --ppk-version 2 >/dev/null 2>&1 && bad "v2: a missing folder was accepted" || ok
mkdir -p "$work/v2"
"$tool" convert "$work/v2" "$src/id_ed25519" --ppk-version 2 >/dev/null || bad "v2: convert failed"
head -n1 "$work/v2/id_ed25519.ppk" | grep -q 'PuTTY-User-Key-File-2' && ok || bad "v2: not PPK v2"

# .ppk -> OpenSSH (+ .pub)
back=$work/back
mkdir -p "$back"
for name in id_ed25519 id_rsa_enc; do
	pw=()
	[[ $name == *enc ]] && pw=(--passphrase-file "$work/pass")
	got=$("$tool" convert "$back" "$out/$name.ppk" "${pw[@]}") || { bad "$name.ppk: convert failed"; continue; }
	[ "$got" = "$back/$name" ] && ok || bad "$name.ppk: wrote '$got'"
	head -n1 "$back/$name" | grep -q 'BEGIN OPENSSH PRIVATE KEY' && ok || bad "$name.ppk: not an OpenSSH key"
	want=$(fp_ssh "$src/$name.pub")
	[ "$(fp_ssh "$back/$name.pub")" = "$want" ] && ok || bad "$name.ppk: .pub fingerprint differs"
	if [ ${#pw[@]} -gt 0 ]; then
		derived=$(ssh-keygen -y -P 'correct horse' -f "$back/$name" 2>/dev/null)
		ssh-keygen -y -P '' -f "$back/$name" >/dev/null 2>&1 && bad "$name.ppk: the key lost its passphrase" || ok
	else
		derived=$(ssh-keygen -y -P '' -f "$back/$name" 2>/dev/null)
	fi
	[ "$(echo "$derived" | cut -d' ' -f1,2)" = "$(cut -d' ' -f1,2 "$src/$name.pub")" ] && ok ||
		bad "$name.ppk: ssh-keygen -y gives another key"
done

# never overwritten: a file of that name with another key
ssh-keygen -q -t ed25519 -N '' -f "$work/other" || exit 1
mkdir -p "$work/clash"
puttygen "$work/other" -o "$work/clash/id_ed25519.ppk" || exit 1
sum=$(sha256sum <"$work/clash/id_ed25519.ppk")
msg=$("$tool" convert "$work/clash" "$src/id_ed25519" 2>&1)
[ $? = 2 ] && [[ $msg == *"holds another key"* ]] && ok || bad "clash: '$msg'"
[ "$sum" = "$(sha256sum <"$work/clash/id_ed25519.ppk")" ] && ok || bad "clash: the file was changed"
ls -A "$work/clash" | grep -q sshsync && bad "clash: a temporary file was left" || ok

# encrypted without a passphrase; puttygen missing; not a key
msg=$("$tool" convert "$work/clash" "$src/id_rsa_enc" 2>&1)
[ $? = 2 ] && [[ $msg == *"encrypted"* ]] && ok || bad "no passphrase: '$msg'"
msg=$("$tool" convert "$out" "$src/id_ecdsa" --puttygen puttygen-not-here 2>&1)
[ $? = 2 ] && [[ $msg == *"putty-tools"* ]] && ok || bad "missing puttygen: '$msg'"
msg=$("$tool" convert "$out" "$src/id_ecdsa.pub" 2>&1)
[ $? = 2 ] && [[ $msg == *"not a private key"* ]] && ok || bad "a .pub: '$msg'"
"$tool" inspect "$src/id_pem_enc" | grep -q '^pem encrypted=1' && ok || bad "inspect: PEM"
"$tool" inspect "$out/id_rsa_enc.ppk" | grep -q '^ppk encrypted=1 ppk=3' && ok || bad "inspect: ppk"

# the passphrase never appears in any program's arguments
if command -v strace >/dev/null; then
	mkdir -p "$work/traced"
	ASAN_OPTIONS=detect_leaks=0 strace -f -s 4096 -e trace=execve -o "$work/trace" "$tool" convert "$work/traced" "$src/id_rsa_enc" \
		--passphrase-file "$work/pass" >/dev/null || bad "strace: convert failed"
	grep -q 'execve(.*puttygen' "$work/trace" && ok || bad "strace: puttygen was not run"
	grep -q 'correct horse' "$work/trace" && bad "the passphrase is on a command line" || ok
fi

finish
