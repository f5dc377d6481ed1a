# Shared by the benchmarks (sourced; not a benchmark itself, so not *.sh).
# Needs $gnutime (GNU time) and $work (a scratch directory).

# measure CMD...: "SECONDS KIB" of one run (exit 0 or 1 only).
measure() {
	local rc=0
	"$gnutime" -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || rc=$?
	if [ "$rc" -gt 1 ]; then
		echo "$1: exit $rc: $(cat "$work/err.txt")" >&2
		exit 1
	fi
	awk -F': ' '
		/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0
			for (i = 1; i <= n; i++) s = s * 60 + p[i]; wall = s }
		/Maximum resident set size/ { rss = $2 }
		END { printf "%.3f %d\n", wall, rss }' "$work/time.txt"
}
