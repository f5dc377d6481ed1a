#!/usr/bin/env bash
# The OpenSSH fleet: sshsync auditing every host of a 10,000-host
# ssh_config (gen-fleet.py), beside `ssh -G` for a sample of hosts (its
# per-host time times the number of hosts). The sample's values are also
# compared, so a fast wrong answer cannot pass for a result.
# Usage: bench/ssh-fleet.sh BUILD_DIR [HOSTS] [SAMPLE]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
n=${2:-10000}
sample=${3:-40}
here=$(cd "$(dirname "$0")" && pwd)
shared=${SSHSYNC_SHARED:-$(cd "$here/../../shared" && pwd)}
bin="$build/sshsync"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$shared/bench/gen-fleet.py" "$n" "$work"
conf="$work/fleet.conf"
lines=$(wc -l < "$conf")
mapfile -t hosts < "$work/hosts.txt"
args=()
for h in "${hosts[@]}"; do args+=(--host "$h"); done

# ms CMD...: "WALL CPU" milliseconds, the best of 3 runs (exit 0 or 1 is
# fine). CPU (user + system) is the steadier figure on a busy machine.
ms() {
	python3 - "$@" <<'PY'
import os, subprocess, sys, time
best = None
for _ in range(3):
    c0 = os.times()
    t0 = time.perf_counter()
    r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode not in (0, 1):
        sys.exit("%s: exit %d: %s" % (sys.argv[1], r.returncode, r.stderr.decode()[:300]))
    t = (time.perf_counter() - t0) * 1000
    c1 = os.times()
    cpu = ((c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)) * 1000
    if best is None or t < best[0]:
        best = (t, cpu)
print("%.1f %.1f" % best)
PY
}

audit_hosts=$(ms "$bin" audit "${args[@]}" "ssh:$conf")
audit_all=$(ms "$bin" audit "ssh:$conf")
cp "$conf" "$work/apply.conf"
apply_dry=$(ms "$bin" apply --interval 60 --dry-run "ssh:$work/apply.conf")

# ssh -G on a sample spread over the file; check sshsync's values on it.
step=$(( n / sample > 0 ? n / sample : 1 ))
picked=()
for ((i = 0; i < n; i += step)); do picked+=("${hosts[$i]}"); done
python3 - "$conf" "${picked[@]}" > "$work/ssh.txt" 2> "$work/ssh-time.txt" <<'PY'
import os, subprocess, sys, time
conf, hosts = sys.argv[1], sys.argv[2:]
c0, t0 = os.times(), time.perf_counter()
for h in hosts:
    out = subprocess.run(["ssh", "-G", "-F", conf, h], stdin=subprocess.DEVNULL,
                         capture_output=True, text=True).stdout
    v = dict(l.split(" ", 1) for l in out.splitlines() if " " in l)
    print(h, v["serveraliveinterval"], v["serveralivecountmax"], v["tcpkeepalive"])
t = (time.perf_counter() - t0) * 1000 / len(hosts)
c1 = os.times()
cpu = ((c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)) * 1000
print("%.1f %.1f" % (t, cpu / len(hosts)), file=sys.stderr)
PY
sargs=()
for h in "${picked[@]}"; do sargs+=(--host "$h"); done
"$bin" audit --format json "${sargs[@]}" "ssh:$conf" | python3 -c '
import json, sys
for s in json.load(sys.stdin)["scopes"]:
    print(s["scope"], s["interval"], s["count_max"], "yes" if s["tcp_keepalive"] else "no")
' > "$work/sshsync.txt" || true
if cmp -s "$work/ssh.txt" "$work/sshsync.txt"; then agree="yes (${#picked[@]} hosts)"; else
	agree="NO"; diff "$work/ssh.txt" "$work/sshsync.txt" | head -5; fi
read -r per_host per_host_cpu < "$work/ssh-time.txt"
ssh_all=$(python3 -c "print('%.0f' % ($per_host * $n))")
read -r hw hc <<< "$audit_hosts"
read -r aw ac <<< "$audit_all"
read -r pw pc <<< "$apply_dry"
ratio=$(python3 -c "print('%.0f' % ($ssh_all / $hw))")

printf 'fleet: %d hosts, %d lines (machine load: %s)\n' "$n" "$lines" "$(cut -d' ' -f1 /proc/loadavg)"
printf '%-54s %10s %10s\n' "what" "wall ms" "cpu ms"
printf '%-54s %10s %10s\n' "sshsync audit --host x $n (every host)" "$hw" "$hc"
printf '%-54s %10s %10s\n' "sshsync audit (every Host name: $((2 * n + 1)) scopes)" "$aw" "$ac"
printf '%-54s %10s %10s\n' "sshsync apply --interval 60 --dry-run" "$pw" "$pc"
printf '%-54s %10s %10s\n' "ssh -G, one host (mean of ${#picked[@]})" "$per_host" "$per_host_cpu"
printf '%-54s %10s %10s\n' "ssh -G, every host (one host x $n)" "$ssh_all" ""
printf 'sshsync audits the fleet %sx faster than ssh -G would; values agree with ssh -G: %s\n' \
	"$ratio" "$agree"
[ "$agree" != NO ]
