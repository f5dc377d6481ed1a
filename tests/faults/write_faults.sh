#!/usr/bin/env bash
# The write-path fault test: every system call that apply makes on the
# files of a store (and on its journal) is failed in turn, with EIO and,
# where a full disk can cause it, ENOSPC (strace -e inject), for five
# stores: an ssh config with an Include, a UTF-16 .reg, a PuTTY session
# directory (where apply also creates Default Settings), a WinSCP.ini and
# a WinSCP.ini of more than 1 MiB (written by the large single file's
# path, with its second threads: lib.bash, big_ini).
# The calls that change something (create, write, fsync, link, rename,
# unlink, metadata, locks) are failed first, then the others (reads, stats,
# closes) until each store's share of FAULTS_BUDGET seconds (default 190)
# is spent; FAULTS_BUDGET=0 fails every call.
# For every injected failure: the exit status is 0 or 2 and says the truth;
# after 2 every original is byte-identical (files apply created are gone);
# after 0 every file is exactly what a clean apply writes; no temporary file
# is left anywhere; the journal agrees with the outcome. strace counts each
# thread's calls apart (files are written by several threads), so one run
# can fail a call of the rollback too: then the message names every file
# it could not put back, and only those differ.
set -u
: "${SSHSYNC:?SSHSYNC must name the sshsync binary}"
. "$(dirname "$0")/lib.bash"
if ! strace -qq -o /dev/null -e inject=getpid:error=EIO true 2>/dev/null; then
	echo "SKIP: strace cannot inject faults here"
	exit 77
fi
# LeakSanitizer cannot run under ptrace.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
root=$(mktemp -d) || { echo "cannot make a scratch folder in ${TMPDIR:-/tmp}" >&2; exit 1; }
trap 'rm -rf "$root"' EXIT
w="$root/w" # the same path for every run: the same system calls
SYS=openat,read,write,pread64,fsync,fchmod,fchown,flock,linkat,renameat,renameat2,unlinkat
SYS=$SYS,mkdirat,mkdir,newfstatat,lseek,getdents64,flistxattr,fgetxattr,fsetxattr,faccessat2
SYS=$SYS,close,readlink
ENOSPC_SYS=" write pread64 fsync openat mkdirat mkdir linkat renameat renameat2 fsetxattr "
budget=${FAULTS_BUDGET:-190}
set -- $STORES
share=$((budget / $#))
runs=0 pass=0 fail=0 skipped=0 report_hits=0 double_faults=0
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

apply() { # apply [STRACE ARGS...]: runs apply on $TARGET under strace
	XDG_STATE_HOME="$w/state" HOME="$w/h" strace -f -qq "$@" \
		"$SSHSYNC" apply --interval 77 "$TARGET" >"$root/out" 2>&1
}

# not_put_back BEFORE NOW DIR OUT: succeeds when every file of DIR that
# differs between the snapshots BEFORE and NOW (backups aside) is one the
# message OUT names as not put back; prints them.
not_put_back() {
	python3 - "$@" <<'PY'
import filecmp, os, sys
before, now, top, out = sys.argv[1:]
def files(root):
    got = set()
    for d, dirs, names in os.walk(root):
        dirs[:] = [x for x in dirs if not x.endswith("sshsync-bak")]
        got |= {os.path.relpath(os.path.join(d, n), root) for n in names
                if not n.endswith("sshsync-bak")}
    return got
a, b = files(before), files(now)
differ = sorted((a ^ b) | {f for f in a & b
                           if not filecmp.cmp(os.path.join(before, f), os.path.join(now, f),
                                              shallow=False)})
if not differ:
    sys.exit(0)
msg = open(out, errors="replace").read()
named = msg.split("NOT put back", 1)[1] if "NOT put back" in msg else ""
missing = [f for f in differ if os.path.join(top, f) not in named]
print("%s (%s)" % (", ".join(differ), msg.strip()[:300]))
sys.exit(1 if missing else 0)
PY
}

# check STATUS WHAT: the outcome of one run against the snapshots.
check() {
	local st=$1 what=$2 t
	# strace counts each thread's calls apart (per tracee): where files are
	# written by several threads, the Nth call of the main thread can be a
	# write of its report, once every file is written. The files are then
	# the clean result and the journal says done; exit 2 says the report
	# was not written.
	if [ "$st" = 2 ] && grep -q "cannot write to standard output" "$root/out"; then
		report_hits=$((report_hits + 1))
		st=0
	fi
	case $st in
	0)
		snapshot "$w" "$root/now"
		diff -r "$root/after" "$root/now" >/dev/null || { bad "$what: exit 0 but not the clean result"; return; } ;;
	2)
		snapshot "$w" "$root/now"
		# The originals as they were; nothing else but backups. But strace
		# fails the Nth call of every thread, so a rollback can fail too:
		# then each file not put back must be named so.
		not_put_back "$root/before/files" "$root/now/files" "$w" "$root/out" >"$root/npb" 2>&1 ||
			{ bad "$what: exit 2 but files differ: $(cat "$root/npb")"; return; }
		[ -s "$root/npb" ] && double_faults=$((double_faults + 1)) ;;
	*)
		bad "$what: exit $st: $(head -3 "$root/out")"
		return ;;
	esac
	t=$(temps "$w")
	[ -z "$t" ] || { bad "$what: temporary files left: $t"; return; }
	journal_check "$st" "$w" >"$root/jc" 2>&1 || { bad "$what: journal: $(cat "$root/jc")"; return; }
	pass=$((pass + 1))
}

start=$SECONDS
for store in $STORES; do
	setup "$store" "$w"
	snapshot "$w" "$root/before"
	apply -y -o "$root/trace" -e trace="$SYS" || { bad "$store: the clean apply fails: $(cat "$root/out")"; continue; }
	snapshot "$w" "$root/after"
	journal_check 0 "$w" || bad "$store: the clean apply's journal"
	# Every call that names a file of the store or of the journal: its
	# syscall and its number among the calls of that syscall.
	python3 - "$root/trace" "$w" >"$root/points" <<'PY'
import re, sys
seen = {}
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"\d+\s+(\w+)\(", line)
    if not m or "resumed>" in line:
        continue
    name = m.group(1)
    seen[name] = seen.get(name, 0) + 1
    # Not the process's own environment (the sanitizer's options), not
    # standard output or error (whose text names the files).
    if sys.argv[2] in line and "/proc/" not in line and not re.match(r"\d+\s+\w+\([012]<", line):
        print(name, seen[name])
PY
	# Changing calls first.
	{ grep -E '^(write|fsync|fchmod|fchown|flock|linkat|renameat2?|unlinkat|mkdirat|mkdir|fsetxattr) ' "$root/points"
	  grep -vE '^(write|fsync|fchmod|fchown|flock|linkat|renameat2?|unlinkat|mkdirat|mkdir|fsetxattr) ' "$root/points"
	} >"$root/ordered"
	n=0 total=$(wc -l <"$root/ordered") done_points=0 t0=$SECONDS
	while read -r sc nth; do
		if [ "$budget" -gt 0 ] && [ $((SECONDS - t0)) -ge "$share" ]; then
			skipped=$((skipped + total - done_points))
			break
		fi
		done_points=$((done_points + 1))
		for err in EIO ENOSPC; do
			[ $err = ENOSPC ] && [[ $ENOSPC_SYS != *" $sc "* ]] && continue
			setup "$store" "$w"
			apply -o /dev/null -e trace="$sc" -e inject="$sc:error=$err:when=$nth"
			check $? "$store: $sc #$nth $err"
			n=$((n + 1))
		done
	done <"$root/ordered"
	runs=$((runs + n))
	echo "$store: $n injected failures ($done_points of $total calls)"
done
echo "$runs runs in $((SECONDS - start)) s: $pass as promised, $fail not" \
	"($report_hits failed the report's output, not a file; $double_faults also a rollback," \
	"which named the files it could not put back;" \
	"$skipped calls left out for the time budget; FAULTS_BUDGET=0 runs all)"
[ "$fail" = 0 ] && [ "$runs" -gt 0 ]
