#!/bin/bash
# sshsync migrate into a target store that does not exist yet: it is created
# as its client writes it (a PuTTY/KiTTY session folder, a .reg file as
# regedit exports it, a WinSCP.ini, an ssh_config of mode 0600), through the
# journal (undo removes it), shown by --dry-run as a new file and by --check
# as a change (exit 1). Folders: only those the clients make themselves
# (~/.ssh, ~/.putty/sessions) and the session folder named; a missing parent
# is exit 2 with nothing written. Hostile session names (newline, escape,
# CR LF with a Host line, invalid UTF-8) never break a created store's
# syntax and come back by name. About 1 s.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib/scratch.bash"
. "$HERE/lib-hivex.sh"
T=$work
export XDG_STATE_HOME=$work/state
expect_eq() { if [ "$2" == "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi; }
mode() { stat -c %a "$1"; }

cat >"$T/cfg" <<'EOF'
Host web
  HostName web.example.com
  User alice
  Port 2222
Host db
  HostName db.example.com
EOF

# --- --check and --dry-run create nothing ---
"$SSHSYNC" migrate --from "ssh:$T/cfg" --to "putty:$T/sess" --check >/dev/null 2>&1
expect_eq "--check into a missing folder" "$?" 1
[ ! -e "$T/sess" ] && ok || bad "--check created the folder"
"$SSHSYNC" migrate --from "ssh:$T/cfg" --to "putty:$T/new.reg" --dry-run --diff >"$T/dry" 2>&1
expect_eq "--dry-run into a missing .reg" "$?" 0
[ ! -e "$T/new.reg" ] && ok || bad "--dry-run created the file"
grep -q '^@@ -0,0 +1,' "$T/dry" && grep -qx $'+Windows Registry Editor Version 5.00\r' "$T/dry" &&
	grep -qF '+[HKEY_CURRENT_USER\Software\SimonTatham\PuTTY\Sessions\web]' "$T/dry" && ok ||
	bad "--dry-run does not show a new file: $(head -5 "$T/dry")"

# --- a session folder (PuTTY: key=value; KiTTY: Name\Value\) ---
"$SSHSYNC" migrate --from "ssh:$T/cfg" --to "putty:$T/sess" >/dev/null 2>"$T/err"
expect_eq "putty folder: exit" "$?" 0
expect_eq "putty folder: mode" "$(mode "$T/sess" 2>/dev/null)" 700
expect_eq "putty folder: sessions" "$(ls "$T/sess" | tr '\n' ' ')" "db web "
grep -qx 'PortNumber=2222' "$T/sess/web" && ok || bad "putty folder: $(cat "$T/sess/web")"
"$SSHSYNC" migrate --from "ssh:$T/cfg" --to "kitty:$T/ksess" >/dev/null 2>"$T/err"
expect_eq "kitty folder: exit" "$?" 0
grep -qx 'PortNumber\\2222\\' "$T/ksess/web" && ok || bad "kitty folder: $(cat "$T/ksess/web")"
"$SSHSYNC" migrate --from "ssh:$T/cfg" --to "putty:$T/sess" --check >/dev/null 2>&1
expect_eq "putty folder: the second run changes nothing" "$?" 0

# --- .reg files as regedit exports them ---
for kind in putty kitty winscp; do
	case $kind in
	putty) key='Software\SimonTatham\PuTTY\Sessions' ;;
	kitty) key='Software\9bis.com\KiTTY\Sessions' ;;
	winscp) key='Software\Martin Prikryl\WinSCP 2\Sessions' ;;
	esac
	f=$T/$kind.reg
	"$SSHSYNC" migrate --from "ssh:$T/cfg" --to "$kind:$f" >/dev/null 2>"$T/err"
	expect_eq "$kind .reg: exit" "$?" 0
	expect_eq "$kind .reg: byte order mark" "$(head -c 2 "$f" | od -An -tx1 | tr -d ' ')" fffe
	iconv -f UTF-16LE -t UTF-8 "$f" | tail -c +4 >"$T/$kind.txt"
	expect_eq "$kind .reg: header" "$(head -n 2 "$T/$kind.txt" | tr -d '\r' | tr '\n' '|')" \
		'Windows Registry Editor Version 5.00||'
	[ "$(grep -c $'\r$' "$T/$kind.txt")" -eq "$(wc -l <"$T/$kind.txt")" ] && ok ||
		bad "$kind .reg: not CRLF throughout"
	hivex_new "$T/$kind.hive"
	if hivex_merge "$T/$kind.hive" "$f" >"$T/err" 2>&1; then
		expect_eq "$kind .reg: hivex reads the port" \
			"$(hivex_value "$T/$kind.hive" "$key\\web" PortNumber)" 2222
		expect_eq "$kind .reg: hivex reads the second key" \
			"$(hivex_value "$T/$kind.hive" "$key\\db" HostName)" db.example.com
	else
		bad "$kind .reg: hivexregedit refuses it: $(cat "$T/err")"
	fi
	"$SSHSYNC" migrate --from "ssh:$T/cfg" --to "$kind:$f" --check >/dev/null 2>&1
	expect_eq "$kind .reg: the second run changes nothing" "$?" 0
done

# --- WinSCP.ini as WinSCP writes it: [Sessions\name] sections, CRLF ---
"$SSHSYNC" migrate --from "ssh:$T/cfg" --to "winscp:$T/WinSCP.ini" >/dev/null 2>"$T/err"
expect_eq "WinSCP.ini: exit" "$?" 0
expect_eq "WinSCP.ini: sections" "$(grep '^\[' "$T/WinSCP.ini" | tr -d '\r' | tr '\n' ' ')" \
	'[Sessions\web] [Sessions\db] '
grep -qx $'PortNumber=2222\r' "$T/WinSCP.ini" && ok || bad "WinSCP.ini: $(cat -A "$T/WinSCP.ini")"

# --- ssh: a new config is private; ~/.ssh is made as ssh makes it ---
rm -rf "$HOME/.ssh"
"$SSHSYNC" migrate --from "putty:$T/sess" --to "ssh:$HOME/.ssh/config" >/dev/null 2>"$T/err"
expect_eq "~/.ssh/config: exit" "$?" 0
expect_eq "~/.ssh: mode" "$(mode "$HOME/.ssh" 2>/dev/null)" 700
expect_eq "~/.ssh/config: mode" "$(mode "$HOME/.ssh/config" 2>/dev/null)" 600
if command -v ssh >/dev/null; then
	expect_eq "ssh -G reads it" "$(ssh -G -F "$HOME/.ssh/config" web 2>/dev/null | grep '^port ')" "port 2222"
fi
# PuTTY's unix/storage.c makes ~/.putty and ~/.putty/sessions (0700).
"$SSHSYNC" migrate --from "ssh:$T/cfg" --to "putty:$HOME/.putty/sessions" >/dev/null 2>"$T/err"
expect_eq "~/.putty/sessions: exit" "$?" 0
expect_eq "~/.putty: mode" "$(mode "$HOME/.putty" 2>/dev/null)" 700
expect_eq "~/.putty/sessions: mode" "$(mode "$HOME/.putty/sessions" 2>/dev/null)" 700

# --- undo removes what migrate created ---
"$SSHSYNC" undo >/dev/null 2>&1
expect_eq "undo: exit" "$?" 0
[ -z "$(ls -A "$HOME/.putty/sessions")" ] && ok || bad "undo left $(ls "$HOME/.putty/sessions")"
"$SSHSYNC" undo >/dev/null 2>&1
[ ! -e "$HOME/.ssh/config" ] && ok || bad "undo left ~/.ssh/config"

# --- refused: a missing folder above the store (exit 2, nothing made) ---
for to in "ssh:$T/no/x/config" "putty:$T/no/sess" "putty:$T/no/s.reg" "winscp:$T/no/WinSCP.ini" \
	"kitty:$T/no/ks" "ssh:$HOME/.ssh/sub/config"; do
	"$SSHSYNC" migrate --from "ssh:$T/cfg" --to "$to" >/dev/null 2>"$T/err"
	expect_eq "$to: exit" "$?" 2
	grep -q 'does not exist' "$T/err" && ok || bad "$to: $(cat "$T/err")"
done
[ ! -e "$T/no" ] && [ ! -e "$HOME/.ssh/sub" ] && ok || bad "a refused run made a folder"

# --- hostile names into every kind of created store ---
mkdir "$T/evil"
names=('a%0Ab' '%1B%5B31mred' 'bad%FFutf' 'x%0D%0AHost%20evil' 'q%22%5C%5D')
for n in "${names[@]}"; do
	printf 'Protocol=ssh\nHostName=h.example\nUserName=u\n' >"$T/evil/$n"
done
want=$(ls "$T/evil" | tr '\n' ' ')
for to in putty:h.reg kitty:k.reg putty:hdir kitty:kdir winscp:h.ini winscp:w.reg ssh:hcfg; do
	kind=${to%%:*} path=$T/hostile-${to#*:}
	if ! "$SSHSYNC" migrate --from "putty:$T/evil" --to "$kind:$path" >/dev/null 2>"$T/err"; then
		bad "hostile names into $to: $(cat "$T/err")"
		continue
	fi
	case $path in
	*.reg)
		iconv -f UTF-16LE -t UTF-8 "$path" | tail -c +4 | tr -d '\r' >"$T/h.txt"
		grep -vqE '^(Windows Registry Editor Version 5\.00|\[HKEY_CURRENT_USER\\.*\]|"[A-Za-z0-9]+"=.*|)$' "$T/h.txt" &&
			bad "$to: a line that is no .reg syntax" || ok
		;;
	*.ini)
		grep -c '^\[' "$path" | grep -qx 5 && ok || bad "$to: $(grep '^\[' "$path" | cat -v)"
		;;
	*cfg)
		grep -qi '^ *host evil' "$path" && bad "$to: a name injected a Host line" || ok
		[ "$(grep -c '^Host ' "$path")" -eq 5 ] && ok || bad "$to: $(cat -v "$path")"
		;;
	esac
	# Read back by name (WinSCP shows control bytes as %XX: compared as such).
	rm -rf "$T/back" && mkdir "$T/back"
	"$SSHSYNC" migrate --from "$kind:$path" --to "putty:$T/back" >/dev/null 2>"$T/err" ||
		bad "$to: cannot be read back: $(cat "$T/err")"
	got=$(ls "$T/back" | tr '\n' ' ')
	[ "$kind" = winscp ] && got=$(printf '%s' "$got" | sed 's/%25\([0-9A-F][0-9A-F]\)/%\1/g')
	expect_eq "hostile names through $to" "$got" "$want"
done

finish
