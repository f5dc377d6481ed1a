#!/bin/bash
# The sshd client through the sshsync binary:
#  - bad input (unclosed quote, `==`, bad times, `none`, `true`, unknown
#    keywords, TCPKeepAlive in Match, binary junk, a NUL byte, a 2 MB line):
#    exit 2, an error naming file:line:col, the file untouched, nothing left
#    behind; and the real `sshd -t` rejects every one of them too;
#  - a Debian-like layout (sshd_config including sshd_config.d/*.conf with
#    hardening drop-ins) rebased into a temporary directory: audit, apply
#    --interval 60 --count-max 3, then `sshd -t` accepts the result and
#    `sshd -T` shows 60/3 for several users and addresses; a second apply
#    changes nothing; --dry-run writes nothing;
#  - sshd -t refusing the new text (a value sshsync does not check): exit 2,
#    nothing written;
#  - an unwritable file (apply run as nobody): exit 2, saying so;
#  - this machine's /etc/ssh/sshd_config (read only) against sshd -T.
set -u
: "${SSHSYNC:?}" "${SSHSYNC_TESTS:?}"
oracle=$SSHSYNC_TESTS/sshd/sshd-oracle.sh
tmp=$(mktemp -d) || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
key=$("$oracle" key "$tmp") || exit 2
# /usr/bin/python3 starts in 20 ms; a pyenv shim on PATH can take 2 s
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3

# ---- bad input ----
mkdir -m 755 "$tmp/bad"
bad_case() {
	local name=$1 line=$2 want=$3 f=$tmp/bad/$1.conf check_sshd=${4:-yes}
	chmod 644 "$f"
	local sum out rc
	sum=$(md5sum <"$f")
	out=$("$SSHSYNC" audit "sshd:$f" 2>&1)
	rc=$?
	if [ $rc -eq 2 ] && [[ $out == *"$f:$line:"*"$want"* ]]; then ok; else
		bad "audit $name: exit $rc, '$out' (expected $f:$line: ... $want)"
	fi
	out=$("$SSHSYNC" apply --interval 60 "sshd:$f" 2>&1)
	rc=$?
	if [ $rc -eq 2 ] && [ "$(md5sum <"$f")" = "$sum" ]; then ok; else
		bad "apply $name: exit $rc or file changed: $out"
	fi
	if [ "$(ls "$tmp/bad" | grep -vc '\.conf$')" -eq 0 ]; then ok; else
		bad "apply $name left files behind: $(ls "$tmp/bad")"
	fi
	[ "$check_sshd" = yes ] || return 0
	if "$oracle" t "$key" "$f" >/dev/null 2>&1; then bad "sshd -t accepts $name"; else ok; fi
}
printf 'UsePAM yes\nClientAliveInterval "60\n' >"$tmp/bad/quote.conf"
bad_case quote 2 "invalid quotes"
printf 'ClientAliveInterval==60\n' >"$tmp/bad/equals.conf"
bad_case equals 1 "only one"
printf 'ClientAliveInterval 5 minutes\n' >"$tmp/bad/extra.conf"
bad_case extra 1 "extra arguments"
printf 'ClientAliveInterval 1q\n' >"$tmp/bad/time.conf"
bad_case time 1 "invalid time value"
printf 'ClientAliveInterval none\n' >"$tmp/bad/none.conf"
bad_case none 1 "invalid time value"
printf 'TCPKeepAlive true\n' >"$tmp/bad/true.conf"
bad_case true 1 'unsupported option "true"'
printf 'ClientAliveCountMax -1\n' >"$tmp/bad/count.conf"
bad_case count 1 "too small"
printf '# ok\nServerAliveInterval 60\n' >"$tmp/bad/unknown.conf"
bad_case unknown 2 "Bad configuration option: ServerAliveInterval"
printf 'Match User bob\n  TCPKeepAlive no\n' >"$tmp/bad/tcpmatch.conf"
bad_case tcpmatch 2 "not allowed within a Match block"
printf 'Match Address 10.0.0.1/8\n  ClientAliveInterval 60\n' >"$tmp/bad/cidr.conf"
bad_case cidr 1 "Invalid Match address argument"
"$py" -c '
import random, sys
r = random.Random(5)
ok = [b for b in range(1, 256) if b not in b"\n\"\x27#="]
lines = [bytes([0xff] + [r.choice(ok) for _ in range(9)] + [32] + [r.choice(ok) for _ in range(60)])
         for _ in range(40)]
sys.stdout.buffer.write(b"\n".join(lines) + b"\n")' >"$tmp/bad/junk.conf"
bad_case junk 1 "Bad configuration option"
printf 'UsePAM yes\nClientAliveInterval 6\0000\n' >"$tmp/bad/nul.conf"
# sshd cuts the line at the NUL (and joins it with the next one): sshsync,
# which could not edit such a file faithfully, refuses it
bad_case nul 2 "NUL byte" no
{ printf 'AcceptEnv X\n%s' "Z"; head -c 2000000 /dev/zero | tr '\0' 'z'; printf ' yes\n'; } >"$tmp/bad/huge.conf"
bad_case huge 2 "Bad configuration option: Zzzz"

# ---- a Debian-like layout ----
etc=$tmp/etc/ssh
mkdir -p "$etc/sshd_config.d"
chmod -R 755 "$tmp/etc"
cat >"$etc/sshd_config" <<EOF
# Debian 12, with the Include rebased into the test directory
Include $etc/sshd_config.d/*.conf
KbdInteractiveAuthentication no
UsePAM yes
X11Forwarding yes
PrintMotd no
#ClientAliveInterval 0
AcceptEnv LANG LC_*
Subsystem	sftp	/usr/lib/openssh/sftp-server

Match User deploy Address 10.0.0.0/8
	ClientAliveInterval 1200
	AllowTcpForwarding yes
EOF
cat >"$etc/sshd_config.d/10-cis.conf" <<'EOF'
# CIS 5.2.16: idle timeout
ClientAliveInterval 300
ClientAliveCountMax 0
EOF
printf 'PasswordAuthentication no\n' >"$etc/sshd_config.d/50-cloud-init.conf"
printf 'ClientAliveInterval 7\n' >"$etc/sshd_config.d/disabled.conf.dpkg-old"
chmod 644 "$etc"/sshd_config "$etc"/sshd_config.d/*
main=$etc/sshd_config

out=$("$SSHSYNC" audit --format json "sshd:$main")
rc=$?
if [ $rc -eq 1 ] && "$py" - "$out" "$etc" <<'EOF'; then ok; else bad "audit of the Debian layout: exit $rc, $out"; fi
import json, sys
d, etc = json.loads(sys.argv[1]), sys.argv[2]
s = {x["scope"]: x for x in d["scopes"]}
g, m = s["global"], s["User deploy Address 10.0.0.0/8"]
assert g["interval"] == 300 and g["count_max"] == 0 and g["tcp_keepalive"] is True, g
assert g["set_at"] == etc + "/sshd_config.d/10-cis.conf:2", g
assert any("ClientAliveCountMax 0" in r for r in g["reasons"]), g
assert m["interval"] == 1200 and m["set_at"] == etc + "/sshd_config:12", m
assert len(s) == 2, s
EOF

before=$(md5sum "$main" "$etc"/sshd_config.d/*)
out=$("$SSHSYNC" apply --interval 60 --count-max 3 --dry-run --diff "sshd:$main" 2>&1)
if [ "$(md5sum "$main" "$etc"/sshd_config.d/*)" = "$before" ] &&
	[[ $out == *"+ClientAliveInterval 60"* ]]; then ok; else bad "dry run: $out"; fi
if out=$("$SSHSYNC" apply --interval 60 --count-max 3 "sshd:$main" 2>&1); then ok; else bad "apply: $out"; fi
if "$oracle" t "$key" "$main"; then ok; else bad "sshd -t rejects the applied Debian layout"; fi
if [ "$(cat "$etc/sshd_config.d/10-cis.conf")" = "$(printf '# CIS 5.2.16: idle timeout\nClientAliveInterval 60\nClientAliveCountMax 3')" ]; then ok; else
	bad "the drop-in: $(cat "$etc/sshd_config.d/10-cis.conf")"
fi
if grep -q '^ClientAliveInterval 7' "$etc/sshd_config.d/disabled.conf.dpkg-old" &&
	[ -f "$etc/sshd_config.d/.sshsync-bak/10-cis.conf" ] && [ ! -e "$etc/sshd_config.d/10-cis.conf.sshsync-bak" ]; then ok; else bad "wrong files touched"; fi
if grep -qx '	ClientAliveInterval 60' "$main" && ! grep -q '^ClientAliveInterval' "$main"; then ok; else
	bad "main file: $(cat "$main")"
fi
: >"$tmp/jobs"
for s in user=deploy,host=a,addr=10.1.2.3,lport=22 user=deploy,host=a,addr=192.0.2.1,lport=22 \
	user=root,host=b,addr=10.1.2.3,lport=22 user=nobody,host=c,addr=2001:db8::1,lport=2222; do
	echo "$main $s" >>"$tmp/jobs"
done
res=$("$oracle" T "$key" "$tmp/jobs")
if [ "$(printf '%s\n' "$res" | grep -c ' 60 3 yes$')" -eq 4 ]; then ok; else bad "sshd -T after apply: $res"; fi
out=$("$SSHSYNC" audit --format json "sshd:$main")
if [ $? -eq 0 ]; then ok; else bad "audit after apply fails: $out"; fi
after=$(md5sum "$main" "$etc"/sshd_config.d/*)
"$SSHSYNC" apply --interval 60 --count-max 3 "sshd:$main" >/dev/null 2>&1
if [ "$(md5sum "$main" "$etc"/sshd_config.d/*)" = "$after" ]; then ok; else bad "second apply changed files"; fi

# ---- sshd -t refuses what sshsync does not check (257 ports) ----
mkdir -m 755 "$tmp/refuse"
{ for i in $(seq 2001 2257); do echo "Port $i"; done; echo 'ClientAliveInterval 30'; } >"$tmp/refuse/sshd_config"
sum=$(md5sum <"$tmp/refuse/sshd_config")
out=$("$SSHSYNC" apply --interval 60 "sshd:$tmp/refuse/sshd_config" 2>&1)
rc=$?
if [ $rc -eq 2 ] && [[ $out == *"sshd -t rejects"*"$tmp/refuse/sshd_config line 257"* ]] &&
	[ "$(md5sum <"$tmp/refuse/sshd_config")" = "$sum" ] &&
	[ "$(ls "$tmp/refuse")" = sshd_config ]; then ok; else bad "validation: exit $rc, $out"; fi

# ---- no right to write ----
if [ "$(id -u)" -eq 0 ]; then
	mkdir -m 755 "$tmp/ro"
	printf 'ClientAliveInterval 30\n' >"$tmp/ro/sshd_config"
	chmod 644 "$tmp/ro/sshd_config"
	# The build folder may be private (a 0700 clone): nobody runs a copy.
	install -m 755 "$SSHSYNC" "$tmp/ro-sshsync"
	out=$(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups -- \
		"$tmp/ro-sshsync" apply --interval 60 "sshd:$tmp/ro/sshd_config" 2>&1)
	rc=$?
	if [ $rc -eq 2 ] && [[ $out == *"$tmp/ro"* ]] && grep -qx 'ClientAliveInterval 30' "$tmp/ro/sshd_config"; then ok; else
		bad "unwritable file: exit $rc, $out"
	fi
fi

# ---- this machine's own /etc/ssh/sshd_config, read only ----
if [ -r /etc/ssh/sshd_config ]; then
	: >"$tmp/jobs"
	args=()
	for s in user=root,host=h,addr=10.1.2.3,lport=22 user=nobody,host=h,addr=2001:db8::1,lport=2222; do
		echo "/etc/ssh/sshd_config $s" >>"$tmp/jobs"
		args+=(--connection "$s")
	done
	theirs=$("$oracle" T "$key" "$tmp/jobs" | sort)
	ours=$("$SSHSYNC" audit "${args[@]}" --format json sshd:/etc/ssh/sshd_config | "$py" -c '
import json, sys
for s in json.load(sys.stdin)["scopes"]:
    print("/etc/ssh/sshd_config", s["scope"], s["interval"], s["count_max"], "yes" if s["tcp_keepalive"] else "no")' | sort)
	if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then ok; else
		bad "/etc/ssh/sshd_config: sshd -T says '$theirs', sshsync '$ours'"
	fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
