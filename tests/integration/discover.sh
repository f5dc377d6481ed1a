#!/usr/bin/env bash
# discover in a fake $HOME with ~/.ssh/config, PuTTY session directories
# and a Wine prefix holding WinSCP.ini and a portable KiTTY, plus a fake /etc
# ($SSHSYNC_SYSCONFDIR): what is listed, in which order, which PuTTY
# directory wins (PuTTY's unix/storage.c), and that system files are applied
# only with --system. Lines are expected only for the kinds this build has.
. "$SSHSYNC_TESTS/integration/lib/reports.bash"
probe_kinds
cd "$scratch"
h="$scratch/home"
etc="$scratch/etc"
mkdir -p "$h/.ssh" "$h/.config/putty/sessions" "$h/.putty/sessions" "$etc/ssh"
printf 'Host web\n\tHostName web.example.com\n\tServerAliveInterval 30\n' >"$h/.ssh/config"
# (a pattern block, so that the ssh system file has a scope of its own when
# audit reads it after ~/.ssh/config, as ssh does)
printf 'Host *.example.org\n\tServerAliveCountMax 5\nHost *\n\tServerAliveInterval 30\n' >"$etc/ssh/ssh_config"
printf 'ClientAliveInterval 30\n' >"$etc/ssh/sshd_config"
printf 'HostName=a\nPingInterval=0\nPingIntervalSecs=30\n' >"$h/.config/putty/sessions/xdg"
printf 'HostName=b\n' >"$h/.putty/sessions/old"
wine="$h/.wine/drive_c"
mkdir -p "$wine/users/me/AppData/Roaming" "$wine/Program Files/KiTTY/Sessions" \
	"$wine/Program Files (x86)/WinSCP" "$wine/users/Public/AppData/Roaming"
printf '[Sessions\\a]\r\nHostName=a\r\nPingType=1\r\nPingInterval=0\r\nPingIntervalSecs=30\r\n' \
	>"$wine/users/me/AppData/Roaming/WinSCP.ini"
printf '[Sessions\\b]\r\nHostName=b\r\n' >"$wine/Program Files (x86)/WinSCP/WinSCP.ini"
printf 'HostName\\k\\\n' >"$wine/Program Files/KiTTY/Sessions/k"

# Runs discover with a clean environment: HOME, the fake /etc, and VAR=VALUE...
disc() {
	env -u XDG_CONFIG_HOME -u PUTTYDIR -u PUTTYSESSIONS -u WINEPREFIX \
		HOME="$h" SSHSYNC_SYSCONFDIR="$etc" "$@" "$SSHSYNC" discover
}
# The expected lines, keeping those whose kind this build has.
expect() {
	local line
	for line in "$@"; do
		if has_kind "${line%% *}"; then printf '%s\n' "$line"; fi
	done
}
same() { # what expected actual
	if [ "$2" == "$3" ]; then
		pass
	else
		fail "$1"
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") >&2
	fi
}

out=$(disc)
check "discover exits 0" test $? -eq 0
same "everything, in the documented order" "$(expect \
	"ssh $h/.ssh/config" \
	"ssh $etc/ssh/ssh_config" \
	"sshd $etc/ssh/sshd_config" \
	"putty $h/.config/putty/sessions" \
	"kitty $wine/Program Files/KiTTY/Sessions" \
	"winscp $wine/users/me/AppData/Roaming/WinSCP.ini" \
	"winscp $wine/Program Files (x86)/WinSCP/WinSCP.ini")" "$out"
for kind in ssh sshd putty kitty winscp; do
	has_kind "$kind" || skip "no $kind client in this build: its discover lines are not checked"
done

# PuTTY's order: $PUTTYSESSIONS, $PUTTYDIR/sessions, $XDG_CONFIG_HOME/putty
# or ~/.config/putty if it exists, else ~/.putty.
mkdir -p "$scratch/ps" "$scratch/pd/sessions" "$scratch/xdg/putty/sessions"
putty_line() { disc "$@" | grep '^putty ' || true; }
if has_kind putty; then
	same "PUTTYSESSIONS wins" "putty $scratch/ps" \
		"$(putty_line PUTTYSESSIONS="$scratch/ps" PUTTYDIR="$scratch/pd")"
	same "PUTTYDIR/sessions next" "putty $scratch/pd/sessions" \
		"$(putty_line PUTTYDIR="$scratch/pd" XDG_CONFIG_HOME="$scratch/xdg")"
	same "XDG_CONFIG_HOME/putty next" "putty $scratch/xdg/putty/sessions" \
		"$(putty_line XDG_CONFIG_HOME="$scratch/xdg")"
	same "XDG_CONFIG_HOME without putty: ~/.putty, not ~/.config/putty" \
		"putty $h/.putty/sessions" "$(putty_line XDG_CONFIG_HOME="$scratch/empty-xdg")"
	same "an empty XDG_CONFIG_HOME means ~/.config" "putty $h/.config/putty/sessions" \
		"$(putty_line XDG_CONFIG_HOME=)"
	same "a PUTTYSESSIONS set to nothing is taken as PuTTY takes it (no directory)" "" \
		"$(putty_line PUTTYSESSIONS=)"
	rm -r "$h/.config/putty/sessions"
	same "~/.config/putty without sessions: PuTTY looks there and finds none" "" \
		"$(putty_line)"
	rm -r "$h/.config/putty"
	same "no ~/.config/putty: ~/.putty/sessions" "putty $h/.putty/sessions" "$(putty_line)"
	mkdir -p "$h/.config/putty/sessions"
	printf 'HostName=a\nPingInterval=0\nPingIntervalSecs=30\n' >"$h/.config/putty/sessions/xdg"
else
	skip "no putty client in this build: PuTTY's directory order is not checked"
fi

# WINEPREFIX replaces ~/.wine.
mkdir -p "$scratch/prefix/drive_c/users/u/Application Data"
printf '[Sessions\\c]\r\nHostName=c\r\n' >"$scratch/prefix/drive_c/users/u/Application Data/WinSCP.ini"
same "WINEPREFIX is searched instead of ~/.wine (old 'Application Data' too)" \
	"$(expect "winscp $scratch/prefix/drive_c/users/u/Application Data/WinSCP.ini")" \
	"$(disc WINEPREFIX="$scratch/prefix" | grep -E '^(kitty|winscp) ')"

# A hostile directory name never forges a line.
if has_kind winscp; then
	evil="$scratch/evil/drive_c/users/x"$'\n'"ssh forged"
	mkdir -p "$evil/AppData/Roaming"
	printf '[Sessions\\e]\r\nHostName=e\r\n' >"$evil/AppData/Roaming/WinSCP.ini"
	out=$(disc WINEPREFIX="$scratch/evil")
	same "a newline in a path is shown as \\x0A" \
		"winscp $scratch/evil/drive_c/users/x\\x0Assh forged/AppData/Roaming/WinSCP.ini" \
		"$(grep '^winscp' <<<"$out")"
	check "no forged line" bash -c '! grep -q "^ssh forged" <<<"$1"' _ "$out"
fi

# Nothing to find: exit 0 and no line; the other commands then say so.
mkdir -p "$scratch/nohome" "$scratch/noetc"
out=$(env -u XDG_CONFIG_HOME -u PUTTYDIR -u PUTTYSESSIONS -u WINEPREFIX HOME="$scratch/nohome" \
	SSHSYNC_SYSCONFDIR="$scratch/noetc" "$SSHSYNC" discover)
check "an empty home: exit 0, nothing listed" test $? -eq 0 -a -z "$out"
expect_status 2 "audit with nothing found exits 2" \
	env -u XDG_CONFIG_HOME -u PUTTYDIR -u PUTTYSESSIONS -u WINEPREFIX HOME="$scratch/nohome" \
	SSHSYNC_SYSCONFDIR="$scratch/noetc" "$SSHSYNC" audit >/dev/null 2>err.txt
check "and says so" grep -q "no settings files found" err.txt
expect_status 2 "discover takes no arguments" "$SSHSYNC" discover extra 2>/dev/null
expect_status 0 "discover without HOME still runs" \
	env -u HOME SSHSYNC_SYSCONFDIR="$scratch/noetc" "$SSHSYNC" discover >/dev/null

# --system: without targets, apply skips system files unless told.
run() { env -u XDG_CONFIG_HOME -u PUTTYDIR -u PUTTYSESSIONS -u WINEPREFIX HOME="$h" \
	SSHSYNC_SYSCONFDIR="$etc" "$SSHSYNC" "$@"; }
sys_kinds=()
for k in ssh sshd; do has_kind $k && sys_kinds+=("$k"); done
cp -a "$etc" "$scratch/etc.orig"
cp -a "$h" "$scratch/home.orig"
run apply --interval 60 --no-backup >apply.out 2>apply.err
status=$?
if [ ${#sys_kinds[@]} -gt 0 ] || has_kind winscp || has_kind putty; then
	check "apply without --system exits 0" test $status -eq 0
	check "apply without --system leaves the system files as they were" \
		diff -r "$scratch/etc.orig" "$etc"
	for k in "${sys_kinds[@]}"; do
		f=$([ $k = ssh ] && echo ssh_config || echo sshd_config)
		check "apply without --system says it skipped $f" \
			grep -qF "skipping system file $etc/ssh/$f (use --system)" apply.err
	done
	if has_kind winscp; then
		check "apply without --system changes the user's WinSCP.ini" \
			grep -q '^PingInterval=1' "$wine/users/me/AppData/Roaming/WinSCP.ini"
	fi
	if has_kind ssh; then
		check "apply without --system changes ~/.ssh/config" \
			grep -q 'ServerAliveInterval 60' "$h/.ssh/config"
	fi
	# audit reads system files without --system.
	run audit --format json >audit.json 2>/dev/null
	for k in "${sys_kinds[@]}"; do
		check "audit without --system reads the $k system file" \
			"$PY" -c 'import json,sys; assert any(s["file"].startswith(sys.argv[1]) and s["kind"]==sys.argv[2] for s in json.load(open("audit.json"))["scopes"])' "$etc/ssh/" "$k"
	done
else
	skip "no client that discover can find in this build"
fi
if [ ${#sys_kinds[@]} -gt 0 ]; then
	run apply --interval 60 --no-backup --system >/dev/null 2>apply.err
	check "apply --system exits 0" test $? -eq 0
	check "apply --system changes the system files" \
		bash -c '! diff -rq "$1" "$2" >/dev/null' _ "$scratch/etc.orig" "$etc"
	check "apply --system skips nothing" bash -c '! grep -q skipping apply.err'
	expect_status 0 "after apply --system, audit passes" run audit --interval 60 >/dev/null 2>&1
else
	skip "no ssh or sshd client in this build: apply --system is not checked"
fi
finish
