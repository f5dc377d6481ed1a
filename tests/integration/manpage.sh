#!/usr/bin/env bash
# doc/sshsync.1 renders without a warning (groff -ww, and man --warnings),
# has the sections it must have, and documents every option that the
# tool's own --help lists, for every command.
. "$SSHSYNC_TESTS/integration/lib/reports.bash"
page="$SSHSYNC_TESTS/../doc/sshsync.1"
check "the man page exists" test -f "$page"
warnings=$(groff -man -ww -z "$page" 2>&1)
check "groff -man -ww finds nothing to warn about" test -z "$warnings"
[ -z "$warnings" ] || printf '%s\n' "$warnings" >&2
if man --version >/dev/null 2>&1; then
	warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	check "man --warnings is quiet" test -z "$warnings"
fi
text=$(MANWIDTH=100 man -l "$page" 2>/dev/null || groff -man -Tutf8 "$page")
for section in NAME SYNOPSIS DESCRIPTION COMMANDS TARGETS "POLICY FILE" "EXIT STATUS" \
	FILES ENVIRONMENT EXAMPLES "SEE ALSO" COPYRIGHT; do
	check "section $section" grep -qx "$section" <<<"$text"
done
for var in HOME XDG_CONFIG_HOME PUTTYDIR PUTTYSESSIONS WINEPREFIX NO_COLOR; do
	check "ENVIRONMENT names $var" grep -qE "^ +$var( |\$)" <<<"$text"
done
for ref in 'ssh_config(5)' 'sshd_config(5)' 'putty(1)' '.sshsync-bak' 'MIT'; do
	check "mentions $ref" grep -qF "$ref" <<<"$text"
done
# Every option of every command's help ('sshsync help CMD', the text of
# 'sshsync CMD --help') is in the page.
for cmd in "" discover audit apply export migrate undo probe; do
	if ! help=$("$SSHSYNC" help $cmd 2>/dev/null) || [ -z "$help" ]; then
		fail "'sshsync help $cmd' prints nothing"
		continue
	fi
	for opt in $(grep -oE '(^|[ ,[])--?[a-z][a-z-]*' <<<"$help" | grep -oE -- '--?[a-z-]+' | sort -u); do
		check "option $opt of 'sshsync $cmd' is documented" grep -qE -- "(^|[^a-z-])$opt([^a-z-]|\$)" <<<"$text"
	done
done
# The commands the tool knows are all in COMMANDS.
for cmd in discover audit apply export migrate undo probe; do
	check "command $cmd has its own subsection" grep -qE "^   $cmd\$" <<<"$text"
done
finish
