#!/usr/bin/env bash
# --interval takes times as OpenSSH writes them. Differential test against
# the real ssh: generated times (digits with s/m/h/d/w units in either case,
# several pieces, values near INT_MAX, stray letters) are given to
# `ssh -G -o ServerAliveInterval=TIME` and to `sshsync apply --dry-run
# --interval TIME`; both must refuse, or both give the same seconds (sshsync
# also refuses 0, which is no keepalive). Prints the agreement rate.
. "$(dirname "$0")/lib/scratch.bash"
cd "$work" || exit 1
printf 'Host *\n    ServerAliveInterval 0\n' >cfg
chmod go-w cfg
N=${SSHSYNC_INTERVAL_CASES:-150}

"$PY" - "$N" >cases.txt <<'PY'
import random, sys
random.seed(20261202)
units = "sSmMhHdDwW"
fixed = ["90", "1m30s", "2m", "1h", "1w", "1W2d3h4m5s", "0", "0s", "1", "59s", "2147483647",
         "2147483648", "2147483647s", "35791394m", "35791395m", "3550w", "3551w", "99999999999",
         "1x", "m", "1mm", "1m30", "30s1m", "01m", "1.5m", ""]
for c in fixed:
    print(c)
for _ in range(int(sys.argv[1]) - len(fixed)):
    pieces = []
    for _ in range(random.randint(1, 4)):
        n = random.choice([random.randint(0, 99), random.randint(0, 99999),
                           random.randint(2**31 - 1000, 2**31 + 1000)])
        pieces.append(str(n) + random.choice(["", random.choice(units)]))
    s = "".join(pieces)
    if random.random() < 0.1:
        i = random.randrange(len(s) + 1)
        s = s[:i] + random.choice("xq.") + s[i:]
    print(s)
PY

agree=0 total=0
while IFS= read -r t; do
	total=$((total + 1))
	theirs=$(ssh -G -F cfg -o "ServerAliveInterval=$t" host </dev/null 2>/dev/null |
		awk '$1 == "serveraliveinterval" {print $2}')
	[ -n "$theirs" ] || theirs=refused
	[ "$theirs" = 0 ] && theirs=refused # no keepalive: sshsync asks for 1 s or more
	ours=$("$SSHSYNC" apply --dry-run --interval "$t" ssh:cfg 2>/dev/null |
		awk '/^\+ *ServerAliveInterval/ {print $NF}')
	[ -n "$ours" ] || ours=refused
	if [ "$theirs" = "$ours" ]; then
		agree=$((agree + 1))
	else
		bad "--interval '$t': ssh -G says $theirs, sshsync $ours"
	fi
done <cases.txt
echo "interval syntax: sshsync agrees with ssh -G on $agree of $total times"
[ "$total" -ge 100 ] && ok || bad "only $total cases"
[ "$agree" -eq "$total" ] && ok || bad "agreement $agree/$total"
finish
