#!/bin/bash
# Differential test of the sshd client against the real sshd (-T and -t).
#
# Generates sshd_config trees (drop-ins, relative and absolute Include, Match
# blocks on User/Group/Host/Address/LocalAddress/LocalPort/RDomain/All, CRLF,
# every way of writing a keepalive, and about one tree in ten with an error
# sshd rejects), then for every tree and connection spec compares
#   sshsync audit --connection SPEC --format json sshd:FILE
# with `sshd -T -C SPEC`: interval, count max, TCP keepalive, and that both
# fail on the same trees (sshsync naming the file and line sshd names).
# Then `sshsync apply --interval 60` on every valid tree: sshd -t must accept
# the result, sshd -T must give every connection 60 s with count max and TCP
# keepalive as before, sshsync must agree, and a second apply changes nothing.
#
# SSHD_ORACLE_TREES (default 20) and SSHD_ORACLE_SEED (default 1) vary the run.
set -u
: "${SSHSYNC:?}" "${SSHSYNC_TESTS:?}"
if [ ! -x /usr/sbin/sshd ]; then
	echo "sshd_oracle: /usr/sbin/sshd is not installed (Debian: openssh-server)" >&2
	exit 1
fi
oracle=$SSHSYNC_TESTS/sshd/sshd-oracle.sh
# /usr/bin/python3 starts in 20 ms; a pyenv shim on PATH can take 2 s
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3

trees=${SSHD_ORACLE_TREES:-20}
seed=${SSHD_ORACLE_SEED:-1}
tmp=$(mktemp -d) || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

"$py" "$SSHSYNC_TESTS/sshd/gen-sshd-configs.py" "$tmp/g" "$trees" "$seed" || exit 2
key=$("$oracle" key "$tmp") || exit 2
mapfile -t specs <"$tmp/g/specs.txt"
conn_args=()
for s in "${specs[@]}"; do conn_args+=(--connection "$s"); done

# sshsync's view: "CONFIG SPEC INTERVAL COUNTMAX TCP" or "CONFIG SPEC error MESSAGE"
ours() {
	local config n=0 dir=$tmp/ours.$RANDOM
	mkdir "$dir"
	for config in "$@"; do
		n=$((n + 1))
		echo "$config" >"$dir/$n.name"
		"$SSHSYNC" audit "${conn_args[@]}" --format json "sshd:$config" >"$dir/$n.out" 2>"$dir/$n.err"
		echo $? >"$dir/$n.rc"
	done
	"$py" - "$dir" "$n" "${specs[@]}" <<'EOF'
import json, sys
d, n, specs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
for i in range(1, n + 1):
    config = open("%s/%d.name" % (d, i)).read().strip()
    out = open("%s/%d.out" % (d, i), errors="replace").read()
    if open("%s/%d.rc" % (d, i)).read().strip() == "2":
        # The message on stderr (the report holds it as an error scope).
        out = open("%s/%d.err" % (d, i), errors="replace").read()
        for s in specs:
            print(config, s, "error", out.split("\n")[0])
        continue
    for s in json.loads(out)["scopes"]:
        print(config, s["scope"], s["interval"], s["count_max"], "yes" if s["tcp_keepalive"] else "no")
EOF
}

theirs() {
	local jobs=$tmp/jobs config s
	: >"$jobs"
	for config in "$@"; do
		for s in "${specs[@]}"; do echo "$config $s" >>"$jobs"; done
	done
	"$oracle" T "$key" "$jobs"
}

# Compares two result sets; for errors, sshsync must name the file and line
# that sshd names ("FILE line N:" against "FILE:N:COL:").
compare() {
	local what=$1 a=$2 b=$3
	"$py" - "$what" "$a" "$b" <<'EOF'
import re, sys
what, a, b = sys.argv[1:]
def load(p):
    r = {}
    for line in open(p):
        parts = line.rstrip("\n").split(" ", 2)
        if len(parts) == 3:
            r[(parts[0], parts[1])] = parts[2]
    return r
ours, theirs = load(a), load(b)
bad = 0
for k in sorted(theirs):
    t, o = theirs[k], ours.get(k)
    if o is None:
        print("FAIL %s: no sshsync result for %s %s" % (what, *k)); bad += 1; continue
    if t.startswith("error") != o.startswith("error"):
        print("FAIL %s: %s %s: sshd says %r, sshsync %r" % (what, k[0], k[1], t, o)); bad += 1
        continue
    if t.startswith("error"):
        m = re.search(r"(\S+?):? line (\d+):", t)
        if m and (m.group(1) + ":" + m.group(2) + ":") not in o:
            print("FAIL %s: %s: sshd says %r, sshsync %r" % (what, k[0], t, o)); bad += 1
        continue
    if t != o:
        print("FAIL %s: %s %s: sshd %r, sshsync %r" % (what, k[0], k[1], t, o)); bad += 1
print("compared %d %s" % (len(theirs), what), file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
}

configs=("$tmp"/g/cfg*/sshd_config)
ours "${configs[@]}" >"$tmp/ours.before"
theirs "${configs[@]}" >"$tmp/theirs.before"
if compare before "$tmp/ours.before" "$tmp/theirs.before"; then ok; else bad "audit before apply differs from sshd -T"; fi
nerr=$(grep -c ' error ' "$tmp/theirs.before")
if [ "$nerr" -gt 0 ] && [ "$nerr" -lt "$(wc -l <"$tmp/theirs.before")" ]; then ok; else
	bad "the generator should give both valid and invalid trees ($nerr errors)"
fi

# apply to every tree sshd accepts
valid=()
for c in "${configs[@]}"; do
	grep -q "^$c .* error " "$tmp/theirs.before" || valid+=("$c")
done
# one apply over every valid tree (sshsync takes many targets), then again
tree_sums() {
	local c
	for c in "$@"; do
		echo "$c $(cat "$(dirname "$c")"/sshd_config "$(dirname "$c")"/d/* "$(dirname "$c")"/m/* 2>/dev/null | md5sum)"
	done
}
targets=()
for c in "${valid[@]}"; do targets+=("sshd:$c"); done
tree_sums "${valid[@]}" >"$tmp/sums.before"
if out=$("$SSHSYNC" apply --interval 60 --no-backup "${targets[@]}" 2>&1); then ok; else bad "apply failed: $out"; fi
tree_sums "${valid[@]}" >"$tmp/sums.after"
for c in "${valid[@]}"; do
	if "$oracle" t "$key" "$c" >/dev/null 2>&1; then ok; else bad "sshd -t rejects $c after apply"; fi
	# a tree whose every connection had 60 s may stay as it was; others must change
	if grep -qxF "$(grep "^$c " "$tmp/sums.before")" "$tmp/sums.after" &&
		grep "^$c " "$tmp/theirs.before" | grep -qv "^$c [^ ]* 60 "; then
		bad "apply changed nothing in $c"
	fi
done
"$SSHSYNC" apply --interval 60 --no-backup "${targets[@]}" >/dev/null 2>&1
tree_sums "${valid[@]}" >"$tmp/sums.again"
if cmp -s "$tmp/sums.after" "$tmp/sums.again"; then ok; else bad "a second apply changed files"; fi
ours "${valid[@]}" >"$tmp/ours.after"
theirs "${valid[@]}" >"$tmp/theirs.after"
if compare after "$tmp/ours.after" "$tmp/theirs.after"; then ok; else bad "audit after apply differs from sshd -T"; fi
# every connection now gets 60 s; count max and TCP keepalive are untouched
if "$py" - "$tmp/theirs.before" "$tmp/theirs.after" <<'EOF'; then ok; else bad "apply did not give every connection 60 s, or changed other values"; fi
import sys
def load(p):
    return {tuple(l.split(" ", 2)[:2]): l.rstrip("\n").split(" ", 2)[2] for l in open(p)}
before, after = load(sys.argv[1]), load(sys.argv[2])
bad = 0
for k, v in after.items():
    iv, cm, tk = v.split(" ")
    biv, bcm, btk = before[k].split(" ")
    if iv != "60" or cm != bcm or tk != btk:
        print("FAIL: %s %s: before %s, after %s" % (k[0], k[1], before[k], v)); bad += 1
sys.exit(1 if bad else 0)
EOF

echo "sshd_oracle: ${#configs[@]} trees x ${#specs[@]} connections, ${#valid[@]} applied"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
