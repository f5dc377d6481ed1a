#!/bin/bash
# An sshd_config whose every level includes the next file twice (on one line
# with two arguments, or on two lines), with a Match block per level, plus a
# copy of the whole tree under `Match All` and one under a Match that never
# matches (where sshd ignores the included Match lines). The walk meets the
# deepest block 2^LEVELS times; sshsync must report one scope per Match line
# as written (not per copy: 2^LEVELS scopes, each evaluating the whole tree,
# took minutes at 12 levels), and each scope must hold what the real
# `sshd -T -C` gives a connection that this block's criteria select.
# SSHSYNC_FANOUT_LEVELS (default 5) varies the depth.
set -u
: "${SSHSYNC:?}" "${SSHSYNC_TESTS:?}"
if [ ! -x /usr/sbin/sshd ]; then
	echo "sshd_include_fanout: /usr/sbin/sshd is not installed (Debian: openssh-server)" >&2
	exit 1
fi
oracle=$SSHSYNC_TESTS/sshd/sshd-oracle.sh
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
levels=${SSHSYNC_FANOUT_LEVELS:-5}
tmp=$(mktemp -d) || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
fail=0
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

key=$("$oracle" key "$tmp") || exit 2
d=$tmp/conf
mkdir "$d" && chmod 755 "$d"
for i in $(seq 0 "$levels"); do
	f=$d/l$i.conf
	[ "$i" -eq 0 ] && f=$d/sshd_config
	{
		[ "$i" -eq 0 ] && printf 'ClientAliveInterval 30\nTCPKeepAlive no\n'
		if [ "$i" -lt "$levels" ]; then
			next=$d/l$((i + 1)).conf
			if [ $((i % 2)) -eq 0 ]; then
				echo "Include $next $next"
			else
				printf 'Include %s\nInclude %s\n' "$next" "$next"
			fi
		fi
		printf 'Match User u%d\n  ClientAliveInterval %d\n' "$i" $((10 + i))
		[ "$i" -eq 2 ] && printf '  ClientAliveCountMax 5\n'
		if [ "$i" -eq 0 ] && [ "$levels" -gt 0 ]; then
			printf 'Match All\n  ClientAliveCountMax 7\n  Include %s\n' "$d/l1.conf"
			printf 'Match User nobodyhere\n  Include %s\n' "$d/l1.conf"
		fi
	} >"$f"
done
chmod 644 "$d"/*
config=$d/sshd_config
"$oracle" t "$key" "$config" || bad "sshd -t refuses the generated config"

if ! "$SSHSYNC" audit --format json "sshd:$config" >"$tmp/audit.json" 2>"$tmp/audit.err"; then
	# a failing keepalive exits 1; only 2 (bad input) and up are errors
	[ $? -ge 2 ] && bad "audit failed: $(cat "$tmp/audit.err")"
fi

# "SPEC FILE SCOPE INTERVAL COUNTMAX TCP" per scope; the spec is a
# connection that this scope's block (and no other, but Match All) selects.
"$py" - "$tmp/audit.json" >"$tmp/ours" <<'EOF' || bad "cannot read the audit report"
import json, sys
for s in json.load(open(sys.argv[1]))["scopes"]:
    name = s["scope"]
    spec = "user=" + name.split()[1] if name.startswith("User ") else "user=someoneelse"
    print(spec, s["file"], name.replace(" ", "_"), s["interval"], s["count_max"],
          "yes" if s["tcp_keepalive"] else "no")
EOF

# one scope per Match line as written, and the global one
want=$((levels + 1 + 2 + 1))
[ "$levels" -eq 0 ] && want=2
got=$(wc -l <"$tmp/ours")
[ "$got" -eq "$want" ] || bad "$got scopes, expected $want (one per Match line and global)"
dups=$(awk '{print $2, $3}' "$tmp/ours" | sort | uniq -d)
[ -z "$dups" ] || bad "scopes reported more than once: $dups"

awk -v c="$config" '{print c, $1}' "$tmp/ours" >"$tmp/jobs"
"$oracle" T "$key" "$tmp/jobs" >"$tmp/theirs" || bad "the sshd oracle failed"
agree=0 total=0
while read -r spec file scope iv cm tk; do
	total=$((total + 1))
	theirs=$(awk -v s="$spec" '$2 == s {print $3, $4, $5; exit}' "$tmp/theirs")
	if [ "$theirs" = "$iv $cm $tk" ]; then
		agree=$((agree + 1))
	else
		bad "$file ${scope//_/ }: sshsync says $iv $cm $tk, sshd -T -C $spec says $theirs"
	fi
done <"$tmp/ours"
echo "sshd_include_fanout: $levels levels, $agree/$total scopes agree with sshd -T -C"
[ "$fail" -eq 0 ]
