# Sourced by replay.sh and run-fuzzers: fuzz_seeds NAME prints the seed
# paths of a harness, one a line: its regression inputs first, then its
# hand-made seeds, fixtures, and a corpus: $SSHSYNC_CORPUS when set (ctest:
# fixtures/corpus, or the shared one in fuzz/NAME[shared]), else
# $SSHSYNC_SHARED/corpus (absent paths are skipped by the caller).
FUZZ_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

fuzz_seeds() {
	local f=$SSHSYNC_FIXTURES/demo s=${SSHSYNC_CORPUS:-${SSHSYNC_SHARED:-/nonexistent}/corpus}
	echo "$FUZZ_DIR/regressions/$1"
	echo "$FUZZ_DIR/seeds/$1"
	case $1 in
	ssh) printf '%s\n' "$f/home/.ssh" "$s/ssh" ;;
	sshd) printf '%s\n' "$f/etc/ssh" ;;
	reg) printf '%s\n' "$f/home/putty-sessions.reg" "$s/putty" ;;
	winini) printf '%s\n' "$f/home/.wine" "$s/winscp" ;;
	sessfile) printf '%s\n' "$f/home/.putty/sessions" ;;
	winereg) printf '%s\n' "$SSHSYNC_FIXTURES/winereg" ;;
	esac
}
